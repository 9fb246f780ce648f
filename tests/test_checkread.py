"""How the checks read the store: listed once, each layer read once and only when used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

import mineplan.store
from mineplan.checks.context import StoreFrames, read_store_frames
from mineplan.errors import StoreError


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.gpkg"
    for code, x in (("STHX", 80), ("TKGH", 81), ("XZQ", 82)):
        frame = gpd.GeoDataFrame({"name": [code]}, geometry=[box(x, 40, x + 1, 41)],
                                 crs="EPSG:4490")
        pyogrio.write_dataframe(frame, path, layer=code, driver="GPKG")
    return path


def test_layers_are_listed_once_and_read_when_first_used(
        store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listed: list[object] = []
    read: list[str] = []
    real_list, real_read = mineplan.store.list_layers, mineplan.store.read_features

    def counted_list(path: Path) -> list[str]:
        listed.append(path)
        return real_list(path)

    def counted_read(path: Path, code: str, **kw: Any) -> Any:
        read.append(code)
        return real_read(path, code, **kw)

    monkeypatch.setattr(mineplan.store, "list_layers", counted_list)
    monkeypatch.setattr(mineplan.store, "read_features", counted_read)  # what a check reads
    frames = StoreFrames(store)
    assert list(frames) == ["STHX", "TKGH", "XZQ"] and len(frames) == 3
    assert "STHX" in frames and "YJJBNT" not in frames and frames.get("YJJBNT") is None
    assert read == [] and frames.read == []
    assert frames["TKGH"]["name"].tolist() == ["TKGH"]
    assert frames["TKGH"] is frames["TKGH"]
    assert read == ["TKGH"] and frames.read == ["TKGH"]
    assert frames.features("TKGH")["name"].tolist() == ["TKGH"]  # the same read, as features
    assert read == ["TKGH"]
    assert len(listed) == 1
    with pytest.raises(KeyError):
        frames["YJJBNT"]


def test_codes_limit_the_layers_and_eager_reading_gives_the_same_frames(store: Path) -> None:
    frames = StoreFrames(store, codes=["XZQ", "STHX", "CKGH"])
    assert list(frames) == ["XZQ", "STHX"]
    eager = read_store_frames(store)
    assert list(eager) == ["STHX", "TKGH", "XZQ"]
    for code, frame in eager.items():
        pd.testing.assert_frame_equal(frame, mineplan.store.read_layer(store, code))


def test_missing_store_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="mineplan build"):
        StoreFrames(tmp_path / "none.gpkg")


def _grid_store(tmp_path: Path, *, demo_far: bool = False) -> Path:
    """A 'large' red line (a 10 × 10 grid of small squares) and boundaries, as a GeoPackage."""
    path = tmp_path / "grid.gpkg"
    cells = [box(84.0 + 0.02 * i, 44.0 + 0.02 * j, 84.01 + 0.02 * i, 44.01 + 0.02 * j)
             for i in range(10) for j in range(10)]
    status = ["演示"] * len(cells)
    if demo_far:
        status = ["正式"] * len(cells)
        status[-1] = "演示"  # only a cell far from the proposal is demo data
    red = gpd.GeoDataFrame({"name": [f"红线{i}" for i in range(len(cells))],
                            "data_status": status, "geometry_status": "正式"},
                           geometry=cells, crs="EPSG:4490")
    pyogrio.write_dataframe(red, path, layer="STHX", driver="GPKG")
    county = gpd.GeoDataFrame({"name": ["乌苏市"], "level": ["county"], "parent": ["塔城地区"]},
                              geometry=[box(83.5, 43.5, 85.5, 45.0)], crs="EPSG:4490")
    pyogrio.write_dataframe(county, path, layer="XZQ", driver="GPKG")
    return path


@pytest.mark.parametrize("demo_far", [False, True])
def test_large_layers_are_read_near_the_proposal_with_the_same_findings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_far: bool) -> None:
    from mineplan.checks import check_proposal, context

    path = _grid_store(tmp_path, demo_far=demo_far)
    proposal = gpd.GeoDataFrame(geometry=[box(84.005, 44.005, 84.025, 44.015)], crs="EPSG:4490")
    bbox = tuple(proposal.total_bounds)
    whole = check_proposal(proposal, right_type="采矿权", mineral="金",
                           store_frames=StoreFrames(path), region="乌苏市")
    monkeypatch.setattr(context, "NEAR_MIN_FEATURES", 50)
    frames = StoreFrames(path, bbox=bbox, whole={"XZQ"})
    near = check_proposal(proposal, right_type="采矿权", mineral="金", store_frames=frames,
                          region="乌苏市")
    pd.testing.assert_frame_equal(near, whole)
    assert len(frames["XZQ"]) == 1 and "XZQ" not in frames.near
    if demo_far:  # the near cells are not demo data: the layer's note needs the whole layer
        assert frames.near == [] and len(frames["STHX"]) == 100
    else:
        assert frames.near == ["STHX"] and 0 < len(frames["STHX"]) < 100
        red = whole[whole["check"] == "ecological_redline"].iloc[0]
        assert red["verdict_key"] != "pass" and "演示" in red["data_note"]
    far = StoreFrames(path, bbox=(90.0, 40.0, 90.1, 40.1))
    assert len(far["STHX"]) == 100 and far.near == []  # nothing near: read whole


@pytest.mark.parametrize(("surroundings", "cells"), [(False, 2), (True, 42)])
def test_a_pre_grant_check_reads_a_large_layer_around_the_proposal_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, surroundings: bool, cells: int) -> None:
    """CLI and web check read a provincial layer near the proposal (issue 15); with a map
    or figure drawn, its surroundings too: 0.1° around (hand count: 2 cells meet the
    proposal's box 84.005–84.025 × 44.005–44.015; 7 × 6 meet 83.905–84.125 ×
    43.905–44.115), never the whole 100."""
    from mineplan.checks import context

    path = _grid_store(tmp_path)
    monkeypatch.setattr(context, "NEAR_MIN_FEATURES", 50)
    proposal = gpd.GeoDataFrame(geometry=[box(84.005, 44.005, 84.025, 44.015)], crs="EPSG:4490")
    frames = context.proposal_frames(path, proposal, surroundings=surroundings)
    assert len(frames["STHX"]) == cells and frames.near == ["STHX"]
    assert len(frames["XZQ"]) == 1  # boundaries always whole


def test_the_layer_list_is_gdals_read_once_per_version_of_the_file(
        store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The GeoPackage is listed once however often a check asks (issue 16: 17 times per
    ``check --proposal``), with sqlite3 (GDAL not asked), as GDAL lists it, and afresh
    once the file changes (a layer added in place)."""
    import sqlite3

    gdal = [name for name, geom in pyogrio.list_layers(store) if geom]
    calls: list[object] = []
    real_gdal, real_connect = pyogrio.list_layers, sqlite3.connect

    def counted(path: object) -> object:
        calls.append(path)
        return real_gdal(path)

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        calls.append(args)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "list_layers", counted)
    monkeypatch.setattr(sqlite3, "connect", connect)
    first = mineplan.store.list_layers(store)
    assert mineplan.store.list_layers(store) == first == gdal == ["STHX", "TKGH", "XZQ"]
    assert len(calls) == 1 and calls[0] != store  # one sqlite3 connection, no GDAL
    frame = gpd.GeoDataFrame({"name": ["CKGH"]}, geometry=[box(83, 40, 84, 41)],
                             crs="EPSG:4490")
    pyogrio.write_dataframe(frame, store, layer="CKGH", driver="GPKG")
    assert mineplan.store.list_layers(store) == [*first, "CKGH"]
    assert mineplan.store.list_layers(store) == [n for n, g in real_gdal(store) if g]
    assert mineplan.store.read_layer(store, "CKGH")["name"].tolist() == ["CKGH"]


@pytest.mark.parametrize("content", ["text", "sqlite"])
def test_a_store_that_is_no_geopackage_is_a_store_error(tmp_path: Path, content: str) -> None:
    """Not a traceback (GDAL's DataSourceError reached the user as an internal error)."""
    import sqlite3

    path = tmp_path / "notes.gpkg"
    if content == "text":
        path.write_text("not a database\n" * 100, encoding="utf-8")
    else:
        with sqlite3.connect(path) as con:
            con.execute("CREATE TABLE t (a INTEGER)")
    with pytest.raises(StoreError, match="not a GeoPackage") as err:
        mineplan.store.list_layers(path)
    assert str(path) in str(err.value)


def test_a_cold_plan_check_takes_validity_from_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A layer written by mineplan carries its validity (issue 16): the plan-wide check
    validates only the features the store recorded as invalid (and repairs them), and
    measures exactly what validating every feature measures."""
    from shapely.geometry import MultiPolygon, Polygon

    from mineplan.checks import overlay
    from mineplan.checks.planwide import _Shared
    from mineplan.layers import FieldSpec, LayerSpec
    from mineplan.store import write_store

    spec = LayerSpec(code="STHX", name="生态保护红线", geometry="MultiPolygon", group="control",
                     order=0, style="STHX", fields=(FieldSpec("name", "text", "名称"),))
    bowtie = Polygon([(80.0, 40.0), (81.0, 41.0), (81.0, 40.0), (80.0, 41.0)])
    red = gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=[
        MultiPolygon([box(79.5, 39.5, 79.9, 39.9)]), MultiPolygon([bowtie]),
        MultiPolygon([box(80.6, 40.1, 81.4, 40.9)])], crs="EPSG:4490")
    path = write_store(tmp_path / "s.gpkg", {"STHX": red}, specs={"STHX": spec}, qml={})
    blocks = gpd.GeoSeries([box(79.8, 39.8, 80.9, 40.9), box(80.2, 40.6, 80.3, 40.7)],
                           index=["B1", "B2"], crs="EPSG:4490")
    validated: list[int] = []
    real = overlay._is_valid

    def counted(geoms: np.ndarray) -> np.ndarray:
        validated.append(len(geoms))
        return real(geoms)

    monkeypatch.setattr(overlay, "_is_valid", counted)

    frames = StoreFrames(path)
    assert frames.invalid_features("STHX") == [1]
    cold = _Shared(frames, {}).prepared("STHX").plan_overlap(blocks)
    assert validated == [1]  # the bowtie only
    validated.clear()
    every = overlay.PreparedLayer(mineplan.store.read_layer(path, "STHX")).plan_overlap(blocks)
    assert sum(validated) == 3
    pd.testing.assert_frame_equal(cold, every)
    assert cold["overlap_km2"].iloc[0] > 0
