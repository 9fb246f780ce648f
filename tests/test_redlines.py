"""The user's own red-line layers: validated, recorded, replacing the demo data."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Polygon, box

from mineplan.cli import main
from mineplan.errors import GeometryError, StoreError
from mineplan.importing.control import control_layer_frame, empty_control_layer
from mineplan.layers import read_layer_specs
from mineplan.settings import geodata_dir
from mineplan.store import list_layers, read_layer, read_styles_table, replace_layer, write_store


def _red(geoms: list) -> gpd.GeoDataFrame:  # type: ignore[type-arg]
    return gpd.GeoDataFrame({"名称": [f"红线{i}" for i in range(len(geoms))],
                             "县": ["伊宁市"] * len(geoms)}, geometry=geoms, crs="EPSG:4490")


def test_features_become_a_recorded_control_layer() -> None:
    spec = read_layer_specs()["STHX"]
    out = control_layer_frame(_red([box(81.2, 43.9, 81.3, 44.0), box(81.25, 43.9, 81.35, 44.0)]),
                              spec=spec, source="红线.shp", source_date="2025-06-30",
                              name_field="名称", region_field="县")
    assert list(out.columns[:-1]) == [f.name for f in spec.fields]
    assert set(out["data_status"]) == {"导入"} and set(out["source_date"]) == {"2025-06-30"}
    assert set(out["geometry_source"]) == {"红线.shp"} and list(out["region"]) == ["伊宁市"] * 2
    assert out["geom_area_km2"].iloc[0] == pytest.approx(89.0, rel=0.01)  # 0.1° × 0.1° at 44°N


@pytest.mark.parametrize("bad", ["2025-13-01", "昨天"])
def test_a_bad_date_is_refused(bad: str) -> None:
    with pytest.raises(GeometryError, match="YYYY-MM-DD"):
        control_layer_frame(_red([box(81, 43, 81.1, 43.1)]), spec=read_layer_specs()["STHX"],
                            source="x", source_date=bad)


def test_invalid_geometry_is_reported_not_repaired() -> None:
    bowtie = Polygon([(81, 43), (81.1, 43.1), (81.1, 43), (81, 43.1)])
    with pytest.raises(GeometryError, match=r"feature 0.*--fix"):
        control_layer_frame(_red([bowtie]), spec=read_layer_specs()["STHX"], source="x",
                            source_date="2025-01-01")


def _block_without_exception(zones: gpd.GeoDataFrame) -> int:
    """Row of the first zone whose mineral no red-line exception covers.

    Such a planned block on a red line or reserve fails the audit by the rules
    data ([audit] redline_verdict, [rules.control.ZRBHQ] overlap), so the check
    exits 1.
    """
    rules = tomllib.loads((geodata_dir() / "rules" / "checks.toml").read_text(encoding="utf-8"))
    groups = {e["group"] for e in rules["rules"]["ecological_redline"]["exceptions"]}
    excepted = {m for g in groups for m in rules["minerals"]["groups"][g]}
    synonyms = rules["minerals"]["synonyms"]
    for i, mineral in enumerate(zones["mineral"]):
        if synonyms.get(mineral, mineral) not in excepted:
            return i
    raise AssertionError("every zone has an excepted mineral")


@pytest.fixture()
def store(store_copy: Path) -> Path:
    return store_copy  # these tests write to it


@pytest.mark.slow
def test_cli_import_replaces_the_demo_layer_and_checks_use_it(store: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    zones = pyogrio.read_dataframe(store, layer="CKGH")
    zones = zones[zones["region"] == "伊宁市"]
    zones = zones.iloc[[_block_without_exception(zones)]]
    block = zones.geometry.iloc[0]
    path = tmp_path / "红线.geojson"
    _red([block.buffer(0.01), block.buffer(0.005)]).to_file(path)  # overlapping deliveries
    assert main(["redline", "import", "STHX", str(path), "--date", "2025-06-30",
                 "--store", str(store), "--name-field", "名称"]) == 0
    layer = pyogrio.read_dataframe(store, layer="STHX")
    assert len(layer) == 2 and set(layer["data_status"]) == {"导入"}
    capsys.readouterr()
    assert main(["check", "--plan", "伊宁市", "--store", str(store), "--limit", "200"]) == 1
    printed = capsys.readouterr().out
    hit = [line for line in printed.splitlines() if zones["zone_id"].iloc[0] in line
           and "生态保护红线" in line]
    assert hit and "100.0%" in hit[0]  # counted once despite the overlapping features


@pytest.mark.slow
def test_a_refused_import_leaves_the_store_unchanged(store: Path, tmp_path: Path) -> None:
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    path = tmp_path / "bad.geojson"
    _red([Polygon([(81, 43), (81.1, 43.1), (81.1, 43), (81, 43.1)])]).to_file(path)
    assert main(["redline", "import", "STHX", str(path), "--date", "2025-06-30",
                 "--store", str(store)]) == 2
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before
    assert main(["redline", "import", "STHX", str(path), "--date", "2025-06-30",
                 "--store", str(store), "--fix"]) == 0
    assert main(["redline", "import", "TKGH", str(path), "--date", "2025-06-30",
                 "--store", str(store)]) == 2  # not a control layer


# --------------------------------------------------------------------------- other control layers


def _reserve(spec_code: str = "ZRBHQ") -> gpd.GeoDataFrame:
    return control_layer_frame(_red([box(81.2, 43.9, 81.3, 44.0)]),
                               spec=read_layer_specs()[spec_code], source="保护区.shp",
                               source_date="2025-06-30", name_field="名称")


def test_replace_layer_adds_a_defined_layer_only_when_asked(tmp_path: Path) -> None:
    specs = read_layer_specs()
    path = tmp_path / "s.gpkg"
    write_store(path, {"STHX": _reserve("STHX")}, specs=specs, qml={"STHX": "<qgis>红线</qgis>"})
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="no layer 'ZRBHQ'"):
        replace_layer(path, "ZRBHQ", _reserve(), spec=specs["ZRBHQ"])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    replace_layer(path, "ZRBHQ", _reserve(), spec=specs["ZRBHQ"], create=True,
                  qml="<qgis>保护区</qgis>")
    assert list_layers(path) == ["STHX", "ZRBHQ"]
    assert len(read_layer(path, "STHX")) == 1 and len(read_layer(path, "ZRBHQ")) == 1
    styles = read_styles_table(path).set_index("f_table_name")
    assert styles.loc["ZRBHQ", "styleQML"] == "<qgis>保护区</qgis>"
    assert styles.loc["ZRBHQ", "styleName"] == "自然保护区"
    assert styles.loc["STHX", "styleQML"] == "<qgis>红线</qgis>"  # untouched
    # again, with create=True on a layer that now exists: replaced, one style row
    replace_layer(path, "ZRBHQ", _reserve(), spec=specs["ZRBHQ"], create=True, qml="<qgis/>")
    styles = read_styles_table(path)
    assert list(styles["f_table_name"]).count("ZRBHQ") == 1
    assert len(read_layer(path, "ZRBHQ")) == 1


def test_replace_layer_creates_the_styles_table_when_absent(tmp_path: Path) -> None:
    specs = read_layer_specs()
    path = tmp_path / "plain.gpkg"
    pyogrio.write_dataframe(_reserve("STHX"), path, layer="STHX", driver="GPKG")
    replace_layer(path, "ZRBHQ", _reserve(), spec=specs["ZRBHQ"], create=True, qml="<qgis/>")
    assert list(read_styles_table(path)["f_table_name"]) == ["ZRBHQ"]
    replace_layer(path, "STHX", _reserve("STHX"), spec=specs["STHX"])  # no qml: styles kept
    assert list(read_styles_table(path)["f_table_name"]) == ["ZRBHQ"]


def test_an_empty_control_layer_is_stored_typed_and_styled(tmp_path: Path) -> None:
    spec = read_layer_specs()["ZRBHQ"]
    path = tmp_path / "e.gpkg"
    write_store(path, {"ZRBHQ": empty_control_layer(spec)}, specs={"ZRBHQ": spec},
                qml={"ZRBHQ": "<qgis/>"})
    frame = read_layer(path, "ZRBHQ")
    assert frame.empty and list(frame.columns) == [f.name for f in spec.fields] + ["geometry"]
    assert frame.crs is not None and frame.crs.to_epsg() == 4490
    assert ("ZRBHQ", "MultiPolygon") in [tuple(x) for x in pyogrio.list_layers(path)]


@pytest.mark.slow
def test_built_store_has_an_empty_reserve_layer_that_import_fills(
        store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "ZRBHQ" in list_layers(store) and read_layer(store, "ZRBHQ").empty
    assert "ZRBHQ" in set(read_styles_table(store)["f_table_name"])
    zones = pyogrio.read_dataframe(store, layer="CKGH")
    zones = zones[zones["region"] == "伊宁市"]
    zones = zones.iloc[[_block_without_exception(zones)]]
    block = zones.geometry.iloc[0]
    path = tmp_path / "保护区.geojson"
    _red([block.buffer(0.01)]).to_file(path)
    assert main(["redline", "import", "ZRBHQ", str(path), "--date", "2025-06-30",
                 "--store", str(store), "--name-field", "名称"]) == 0
    capsys.readouterr()
    assert main(["check", "--plan", "伊宁市", "--store", str(store), "--limit", "400"]) == 1
    printed = capsys.readouterr().out
    hit = [line for line in printed.splitlines() if zones["zone_id"].iloc[0] in line
           and "自然保护区" in line]
    assert hit and "100.0%" in hit[0]
