"""Every store command of the CLI against a PostGIS store (``--store postgresql://…``).

build, layers, import, redline import, check, figure, history and store copy, with
the store named by ``--store`` and by ``MINEPLAN_STORE``. Needs ``MINEPLAN_TEST_PG``
(tests/pg.py): skipped without it, failed in CI.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal

from mineplan.cli import main
from mineplan.io import coordinates as coordfiles
from mineplan.store import list_layers, read_edits, read_layer
from mineplan.vocab import IMPORTED
from tests import pg

pg_url = pg.pg_url  # fixture


@pytest.fixture()
def built(pg_url: str) -> str:
    assert main(["build", "-q", "--store", pg_url, "--plans", "yining"]) == 0
    return pg_url


@pytest.mark.slow
def test_cli_commands_work_on_a_postgis_store(built: str, tmp_path: Path, monkeypatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = built
    monkeypatch.setenv("MINEPLAN_STORE", url)
    assert main(["layers"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(url) and "CKGH" in out

    zones = read_layer(url, "CKGH")
    target = zones.iloc[[0]].copy()
    target["number"] = ["1"]
    txt = tmp_path / "block.txt"
    txt.write_bytes(coordfiles.format_boundary_txt(target[["number", "name", "geometry"]],
                                                   zone=27))
    assert main(["import", "CKGH", str(txt)]) == 0
    after = read_layer(url, "CKGH")
    row = after[after["zone_id"] == target["zone_id"].iloc[0]].iloc[0]
    assert row["geometry_status"] == IMPORTED and "block.txt" in row["geometry_source"]
    assert len(after) == len(zones)

    red = tmp_path / "红线.geojson"
    block = zones.geometry.iloc[0]
    gpd.GeoDataFrame({"名称": ["红线0"]}, geometry=[block.buffer(0.01)],
                     crs="EPSG:4490").to_file(red)
    assert main(["redline", "import", "STHX", str(red), "--date", "2025-06-30",
                 "--store", url, "--name-field", "名称"]) == 0
    assert len(read_layer(url, "STHX")) == 1
    capsys.readouterr()
    assert main(["check", "--plan", "伊宁市", "--limit", "200"]) in (0, 1)
    printed = capsys.readouterr().out
    assert any(zones["zone_id"].iloc[0] in line and "生态保护红线" in line
               for line in printed.splitlines())

    png = tmp_path / "o.png"
    assert main(["figure", "伊宁市", "-o", str(png), "--dpi", "60", "--store", url]) == 0
    assert png.stat().st_size > 1000

    assert main(["history", "--store", url]) == 0
    log = read_edits(url)
    assert list(log["command"])[-2:] == ["mineplan import CKGH", "mineplan redline import STHX"]


@pytest.mark.slow
def test_cli_store_copy_round_trip(built: str, tmp_path: Path) -> None:
    gpkg = tmp_path / "copy.gpkg"
    assert main(["store", "copy", built, str(gpkg)]) == 0
    assert main(["store", "copy", str(gpkg), built]) == 0
    assert sorted(list_layers(gpkg)) == sorted(list_layers(built))
    for code in list_layers(gpkg):
        expected = read_layer(gpkg, code)
        assert_geodataframe_equal(read_layer(built, code), expected, check_less_precise=False,
                                  check_dtype=len(expected) > 0)
    assert list(read_edits(built)["command"])[-1] == "mineplan store copy"


def test_cli_refuses_a_password_in_the_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers", "--store", "postgresql://planner:secret@127.0.0.1:1/gis"]) == 2
    err = capsys.readouterr().err
    assert "PGPASSWORD" in err and "secret" not in err
