"""QGIS itself opens the store's layers styled, from the GeoPackage and from PostGIS.

The layers are opened by QGIS 3.22 LTR — the version Debian ships and bureaus run
— through its Python API (Debian's python3-qgis, run by the system Python in a
subprocess, offscreen), not by our own reading of the tables:

- every layer is valid, has its features, and loads its default style from the
  store's ``layer_styles`` table as a rule-based renderer (the style mineplan
  writes; QGIS's fallback would be a single symbol);
- opening the GeoPackage gives no "may only be partially supported" warning (QGIS
  3.22's GDAL reads GeoPackage 1.2; a 1.4 file gave one per layer).

Without python3-qgis these tests are skipped on a developer's machine and fail in
CI (``CI`` set): ``scripts/setup.sh --test`` installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from mineplan.layers import read_layer_specs
from mineplan.store import copy_store, list_layers
from tests import pg

pg_url = pg.pg_url  # fixture

SYSTEM_PYTHON = "/usr/bin/python3"

# Run by the system Python: open each layer, load its default style, report.
QGIS_SCRIPT = textwrap.dedent("""
    import json, sys
    from osgeo import gdal
    from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer

    spec = json.loads(sys.argv[1])
    app = QgsApplication([], False)
    app.initQgis()
    QgsApplication.createDatabase()  # a fresh profile has no style database yet
    warnings = []
    gdal.PushErrorHandler(lambda cls, no, msg: warnings.append(msg))
    if spec["kind"] == "gpkg":
        ds = gdal.OpenEx(spec["path"])
        ds = None
    out = {"gdal": gdal.__version__, "warnings": warnings, "layers": {}}
    for code in spec["layers"]:
        if spec["kind"] == "gpkg":
            layer = QgsVectorLayer(f"{spec['path']}|layername={code}", code, "ogr")
        else:
            uri = QgsDataSourceUri()
            uri.setConnection(spec["host"], spec["port"], spec["db"], spec["user"], "")
            uri.setDataSource(spec["schema"], code, "geom", "", "fid")
            # as QGIS's browser does: the URI names the geometry type, which QGIS
            # matches against layer_styles.type when it looks for the default style
            probe = QgsVectorLayer(uri.uri(False), code, "postgres")
            uri.setWkbType(probe.wkbType())
            layer = QgsVectorLayer(uri.uri(False), code, "postgres")
        message, ok = layer.loadDefaultStyle() if layer.isValid() else ("invalid", False)
        out["layers"][code] = {
            "valid": layer.isValid(), "features": layer.featureCount(),
            "style_loaded": bool(ok), "message": message,
            "renderer": type(layer.renderer()).__name__ if layer.renderer() else None,
        }
    gdal.PopErrorHandler()
    print(json.dumps(out, ensure_ascii=False), flush=True)
    import os
    os._exit(0)  # QGIS 3.22's Python teardown can crash after the work is done
""")


def _qgis(spec: dict[str, object]) -> dict[str, object]:
    has_qgis = Path(SYSTEM_PYTHON).exists() and subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode == 0
    if not has_qgis:
        message = "QGIS's Python API is missing: apt-get install python3-qgis"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # QGIS in a plain environment of its own: offscreen, with a fresh profile folder
    # (nothing of the test run's variables, nor of the developer's QGIS settings)
    runtime = Path(tempfile.mkdtemp(prefix="qgis-"))
    runtime.chmod(0o700)
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8",
           "HOME": str(runtime), "XDG_RUNTIME_DIR": str(runtime)}
    done = subprocess.run([SYSTEM_PYTHON, "-c", QGIS_SCRIPT, json.dumps(spec)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _assert_styled(report: dict[str, object], codes: list[str]) -> None:
    layers = report["layers"]
    assert isinstance(layers, dict) and sorted(layers) == sorted(codes)
    for code, seen in layers.items():
        assert seen["valid"], (code, seen)
        assert seen["style_loaded"], (code, seen)
        assert seen["renderer"] == "QgsRuleBasedRenderer", (code, seen)


@pytest.mark.slow
def test_qgis_opens_every_geopackage_layer_styled_without_warnings(
        built_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "mineplan.gpkg"
    shutil.copyfile(built_store, store)  # QGIS may write its own metadata
    codes = list_layers(store)
    report = _qgis({"kind": "gpkg", "path": str(store), "layers": codes})
    _assert_styled(report, codes)
    assert not [w for w in report["warnings"] if "partially supported" in w], report["warnings"]


@pytest.mark.slow
def test_qgis_opens_every_postgis_layer_styled(built_store: Path, pg_url: str) -> None:
    copy_store(built_store, pg_url, specs=read_layer_specs())
    parts = urlsplit(pg_url)
    codes = list_layers(pg_url)
    report = _qgis({"kind": "postgis", "host": parts.hostname, "port": str(parts.port),
                    "db": parts.path.lstrip("/"), "user": parts.username,
                    "schema": parse_qs(parts.query)["schema"][0], "layers": codes})
    _assert_styled(report, codes)
