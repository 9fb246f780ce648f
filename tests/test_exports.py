"""Export of the zones shown (mineplan.web.exports): every format, read back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from mineplan.cli import main as cli_main
from mineplan.errors import CoordinateFileError
from mineplan.importing import apply_import, match_features
from mineplan.io.coordinates import read_boundary_txt
from mineplan.layers import read_layer_specs
from mineplan.store import list_layers, read_layer
from mineplan.web.browsing import visible_frames
from mineplan.web.exports import EXPORT_FORMATS, export_zones


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "small.gpkg"
    assert cli_main(["build", "-q", "-o", str(path), "--plans", "yining,tekes"]) == 0
    return path


@pytest.fixture(scope="module")
def shown(store: Path):
    specs = read_layer_specs()
    frames = {c: read_layer(store, c) for c in list_layers(store)}
    return specs, visible_frames(frames, specs, codes=tuple(frames), regions=["特克斯县"])


def _count(shown) -> int:
    specs, frames = shown
    return sum(len(f) for c, f in frames.items() if specs[c].is_zone_layer)


def test_geopackage_holds_the_store_tables_unchanged(shown, tmp_path: Path) -> None:
    specs, frames = shown
    out = export_zones(frames, specs, "gpkg", filters="规划：特克斯县")
    path = tmp_path / out.name
    path.write_bytes(out.data)
    tables = [name for name, _ in pyogrio.list_layers(path)]
    for code in tables:
        back = gpd.read_file(path, layer=code)
        mine = frames[code].reset_index(drop=True)
        assert list(back.columns) == list(mine.columns)
        assert back.drop(columns="geometry").astype(str).equals(
            mine.drop(columns="geometry").astype(str))
        assert back.geometry.geom_equals_exact(mine.geometry, 1e-9).all()
    assert sum(len(gpd.read_file(path, layer=c)) for c in tables) == out.count == _count(shown)


def test_filtered_export_reimports_into_the_store_unchanged(shown, tmp_path: Path) -> None:
    specs, frames = shown
    out = export_zones(frames, specs, "geojson")
    exported = gpd.read_file(io.BytesIO(out.data))
    assert set(exported["region"]) == {"特克斯县"}
    layer = frames["TKGH"]
    mine = exported[exported["layer_code"] == "TKGH"].reset_index(drop=True)
    report = match_features(layer, mine)
    assert len(report.matched) == len(layer) and not report.issues
    updated = apply_import(layer, mine, report, source="export")
    assert updated.geometry.reset_index(drop=True).geom_equals_exact(
        layer.geometry.reset_index(drop=True), 1e-7).all()


def test_shapefile_is_gbk_with_a_cpg_and_a_note(shown) -> None:
    specs, frames = shown
    out = export_zones(frames, specs, "shp", filters="规划：特克斯县")
    archive = zipfile.ZipFile(io.BytesIO(out.data))
    names = archive.namelist()
    parts = {"规划分区.shp", "规划分区.dbf", "规划分区.cpg", "规划分区.prj", "说明.txt"}
    assert parts <= set(names)
    assert archive.read("规划分区.cpg").decode().strip().upper() in {"GBK", "CP936"}
    assert "特克斯县" in archive.read("说明.txt").decode("gbk")


def test_kml_and_coordinate_txt_read_back(shown, tmp_path: Path) -> None:
    specs, frames = shown
    kml = export_zones(frames, specs, "kml")
    assert b"<kml" in kml.data[:500] and kml.count == _count(shown)
    txt = export_zones(frames, specs, "txt")
    path = tmp_path / txt.name
    path.write_bytes(txt.data)
    plots = read_boundary_txt(path).plots
    assert len(plots) == _count(shown)
    assert {p.number for p in plots} == {
        z for c, f in frames.items() if specs[c].is_zone_layer for z in f["zone_id"]}


def test_every_format_is_offered_and_nothing_to_export_is_refused(shown) -> None:
    specs, frames = shown
    assert set(EXPORT_FORMATS.values()) == {"gpkg", "shp", "geojson", "kml", "txt"}
    with pytest.raises(CoordinateFileError) as caught:
        export_zones({c: f.iloc[:0] for c, f in frames.items()}, specs, "gpkg")
    assert caught.value.code == "empty_export"
