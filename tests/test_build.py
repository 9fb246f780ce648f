"""Tests for mineplan.build and the ``mineplan`` command line that drives it.

The whole-catalogue build (~10 s each) is marked slow: it builds the store twice
into ``tmp_path`` and checks the result against the catalogue files, read here
with the ``csv`` module rather than through mineplan. The CLI's error path is
tested fast.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pyproj import Geod

from mineplan.cli import main
from mineplan.layers import read_layer_specs
from mineplan.settings import geodata_dir
from mineplan.store import list_layers, read_layer, read_meta, read_styles_table

SPECS = read_layer_specs()
DEMO_LAYERS = ("STHX", "YJJBNT", "CZKFBJ")
GEOD = Geod(ellps="GRS80")


def catalogue_rows() -> list[dict[str, str]]:
    """Every zone row of ``geodata/plans/<slug>.csv``, read independently of mineplan."""
    rows = []
    for path in sorted((geodata_dir() / "plans").glob("*.csv")):
        if path.name == "index.csv" or path.name.endswith(".tables.csv"):
            continue
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows += list(csv.DictReader(f))
    return rows


@pytest.fixture(scope="module")
def built(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The run's store and a second build of it (for reproducibility)."""
    second = tmp_path_factory.mktemp("build") / "b.gpkg"
    assert main(["-q", "build", "-o", str(second)]) == 0
    return built_store, second


@pytest.fixture(scope="module")
def store(built: tuple[Path, Path]) -> dict[str, gpd.GeoDataFrame]:
    return {code: read_layer(built[0], code) for code in list_layers(built[0])}


@pytest.fixture(scope="module")
def zones(store: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    frames = [store[c].assign(layer=c) for c, s in SPECS.items() if s.is_zone_layer]
    return gpd.GeoDataFrame(
        pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4490"
    )


@pytest.mark.slow
def test_build_is_reproducible(built: tuple[Path, Path]):
    first, second = built
    assert list_layers(first) == list_layers(second)
    for code in list_layers(first):
        a, b = read_layer(first, code), read_layer(second, code)
        assert_geodataframe_equal(a, b, check_crs=True)
        assert [g.wkb for g in a.geometry] == [g.wkb for g in b.geometry], code
    assert read_meta(first) == read_meta(second)
    styles = [read_styles_table(p).drop(columns="update_time") for p in built]
    assert styles[0].equals(styles[1])


@pytest.mark.slow
def test_store_has_every_layer_with_exactly_its_fields(store):
    assert list(store) == list(SPECS)
    for code, frame in store.items():
        assert frame.crs is not None and frame.crs.to_epsg() == 4490, code
        assert list(frame.columns) == [f.name for f in SPECS[code].fields] + ["geometry"]
        assert frame.geometry.notna().all() and frame.is_valid.all(), code
        assert set(frame.geom_type) <= {"MultiPolygon"}, code


@pytest.mark.slow
def test_every_catalogue_zone_is_stored_exactly_once(zones):
    rows = catalogue_rows()
    assert len(rows) > 200
    expected = {r["zone_id"]: r["layer"] for r in rows}
    assert len(expected) == len(rows), "the catalogue itself repeats a zone_id"
    assert zones["zone_id"].is_unique
    assert set(zones["zone_id"]) == set(expected)
    stored = dict(zip(zones["zone_id"], zones["layer"], strict=True))
    assert stored == expected


@pytest.mark.slow
def test_zone_attributes_are_those_of_the_catalogue(zones):
    by_id = zones.set_index("zone_id")
    for r in catalogue_rows():
        zone = by_id.loc[r["zone_id"]]
        assert zone["name"] == r["name"]
        assert zone["county"] == r["county"]
        assert zone["source_table"] == r["table"]
        assert zone["source_line"] == int(r["source_line"])
        assert zone["layer_name"] == SPECS[r["layer"]].name
        if r["area_km2"]:
            assert zone["area_km2"] == float(r["area_km2"])
        else:
            assert pd.isna(zone["area_km2"])


@pytest.mark.slow
def test_every_zone_is_marked_schematic(zones):
    assert (zones["geometry_status"] == "示意").all()
    assert zones["geometry_note"].str.contains("非实测").all()
    assert (zones["geometry_source"] != "").all()


@pytest.mark.slow
def test_stated_areas_are_kept_unless_the_note_says_otherwise(zones):
    stated = zones[zones["area_km2"].notna()]
    assert len(stated) > 100
    short = stated["geometry_note"].str.contains("不足|已无空余")
    rel = (stated["geom_area_km2"] - stated["area_km2"]).abs() / stated["area_km2"]
    off = stated.loc[~short & (rel > 0.005), ["zone_id", "area_km2", "geom_area_km2"]]
    assert off.empty, off.to_string()
    unstated = zones[zones["area_km2"].isna()]
    assert unstated["geometry_note"].str.contains("规划未载明面积").all()


@pytest.mark.slow
def test_stored_area_is_the_ellipsoidal_area_of_the_geometry(store):
    for code, frame in store.items():
        for geom, area in zip(frame.geometry, frame["geom_area_km2"], strict=True):
            geodesic = abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6
            assert abs(area - geodesic) <= max(1e-3 * geodesic, 1e-4), (code, area, geodesic)


@pytest.mark.slow
def test_demo_layers_say_they_are_demo_data(store):
    for code in DEMO_LAYERS:
        frame = store[code]
        assert len(frame) > 0, code
        assert (frame["data_status"] == "演示").all(), code
        assert frame["name"].str.contains("演示").all(), code
        assert (frame["geometry_status"] == "示意").all(), code


@pytest.mark.slow
def test_store_carries_styles_and_meta(built):
    styles = read_styles_table(built[0])
    assert sorted(styles["f_table_name"]) == sorted(SPECS)
    meta = read_meta(built[0])
    assert meta["zones"] == str(len(catalogue_rows()))
    assert "EPSG:4490" in meta["crs"]


# --------------------------------------------------------------------------- CLI errors (fast)


def test_layers_on_a_missing_store_prints_one_line_and_returns_2(capsys):
    assert main(["layers", "--store", "/nonexistent.gpkg"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("mineplan: error:")
    assert "/nonexistent.gpkg" in err and "mineplan build" in err
    assert "Traceback" not in captured.err + captured.out


def test_build_of_an_unknown_plan_fails_plainly(tmp_path: Path, capsys):
    target = tmp_path / "x.gpkg"
    assert main(["build", "--plans", "nowhere", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "unknown plan" in err and "nowhere" in err
    assert "Traceback" not in err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_unexpected_error_is_reported_as_a_bug_without_traceback(monkeypatch, capsys):
    import mineplan.layers

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(mineplan.layers, "read_layer_specs", boom)
    assert main(["layers", "--store", "/nonexistent.gpkg"]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: kaboom" in err and "--debug" in err
    assert "Traceback" not in err
    with pytest.raises(RuntimeError, match="kaboom"):
        main(["layers", "--debug", "--store", "/nonexistent.gpkg"])
