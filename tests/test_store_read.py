"""The GeoPackage store reads a layer with sqlite3 exactly as GDAL reads it.

``mineplan.store.read_layer`` reads plain layers (text, integer and real columns, an
EPSG CRS) straight from the tables instead of opening the file with GDAL for every
layer (a pre-grant check reads nine). The reference is GDAL's own reader,
``pyogrio.read_dataframe``: the same columns, dtypes, values, geometries (WKB, bit
for bit) and row order — with a bounding box too, where GDAL returns the features
whose geometry meets the box in R-tree order. Layers it cannot read that way go
through GDAL.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

import mineplan.store
from mineplan.errors import StoreError
from mineplan.store import gpkg, gpkgread, read_layer

BOXES = [None, (84.0, 42.0, 85.0, 43.0), (80.0, 40.0, 80.2, 40.2), (0.0, 0.0, 1.0, 1.0)]


def _assert_as_gdal_reads(path: Path, layer: str, bbox=None) -> gpd.GeoDataFrame:
    want = pyogrio.read_dataframe(path, layer=layer, bbox=bbox)
    got = read_layer(path, layer, bbox=bbox)
    pd.testing.assert_frame_equal(got.drop(columns="geometry"), want.drop(columns="geometry"))
    assert got.crs == want.crs
    assert list(got.geometry.to_wkb()) == list(want.geometry.to_wkb())
    return got


@pytest.fixture(scope="module")
def varied(tmp_path_factory) -> Path:
    """5,000 triangles and boxes with nulls in every kind of plain column."""
    rng = np.random.default_rng(16)
    n = 5_000
    x, y = rng.uniform(80, 90, n), rng.uniform(40, 45, n)
    size = rng.uniform(0.01, 0.6, n)
    geoms = [shapely.Polygon([(a, b), (a + s, b), (a, b + s)]) if i % 2
             else shapely.box(a, b, a + s, b + s / 2)
             for i, (a, b, s) in enumerate(zip(x, y, size, strict=True))]
    geoms[3] = None
    geoms[5] = shapely.Polygon()
    count = pd.array(rng.integers(0, 100, n), dtype="Int64")
    count[7] = pd.NA
    frame = gpd.GeoDataFrame({
        "name": [f"区块{i}" for i in range(n)],
        "note": [None if i % 3 else "示意" for i in range(n)],
        "count": count,
        "whole": np.arange(n, dtype="int64"),
        "km2": np.where(np.arange(n) % 5 == 0, np.nan, size),
        "empty": [None] * n,
    }, geometry=geoms, crs="EPSG:4490")
    path = tmp_path_factory.mktemp("read") / "varied.gpkg"
    pyogrio.write_dataframe(frame, path, layer="VARIED")
    pyogrio.write_dataframe(frame.iloc[:0], path, layer="NONE", append=False)
    return path


@pytest.mark.parametrize("bbox", BOXES)
def test_a_plain_layer_reads_as_gdal_reads_it(varied: Path, bbox):
    got = _assert_as_gdal_reads(varied, "VARIED", bbox)
    assert gpkgread.read_plain(varied, "VARIED", bbox) is not None  # not GDAL's own frame
    if bbox == BOXES[1]:
        assert 0 < len(got) < 5_000
        assert not got["whole"].is_monotonic_increasing  # R-tree order, as GDAL gives it


def test_an_empty_layer_reads_as_gdal_reads_it(varied: Path):
    _assert_as_gdal_reads(varied, "NONE")
    _assert_as_gdal_reads(varied, "NONE", BOXES[1])


def test_the_bundled_store_reads_as_gdal_reads_it(built_store: Path):
    for code in gpkg.list_layers(built_store):
        for bbox in (None, (80.5, 43.0, 82.0, 44.5)):
            _assert_as_gdal_reads(built_store, code, bbox)


def test_a_column_sqlite_cannot_type_goes_through_gdal(tmp_path: Path):
    frame = gpd.GeoDataFrame({"day": pd.to_datetime(["2024-01-02", None]), "ok": [True, False],
                              "n": [1, 2]},
                             geometry=[shapely.box(0, 0, 1, 1)] * 2, crs="EPSG:4490")
    path = tmp_path / "typed.gpkg"
    pyogrio.write_dataframe(frame, path, layer="TYPED")
    assert gpkgread.read_plain(path, "TYPED", None) is None
    got = _assert_as_gdal_reads(path, "TYPED")
    assert got["ok"].dtype == bool


def test_a_value_of_another_type_in_a_column_goes_through_gdal(tmp_path: Path):
    frame = gpd.GeoDataFrame({"whole": [1, 2], "name": ["a", "b"]},
                             geometry=[shapely.box(0, 0, 1, 1)] * 2, crs="EPSG:4490")
    for column, value in (("whole", 2.5), ("name", b"ab")):  # sqlite keeps what it is given
        path = tmp_path / f"{column}.gpkg"  # no R-tree: its triggers need SpatiaLite
        pyogrio.write_dataframe(frame, path, layer="MIXED",
                                layer_options={"SPATIAL_INDEX": "NO"})
        assert gpkgread.read_plain(path, "MIXED", None) is not None
        with sqlite3.connect(path) as con:
            con.execute(f'UPDATE "MIXED" SET "{column}" = ? WHERE fid = 1', (value,))
        assert gpkgread.read_plain(path, "MIXED", None) is None
        _assert_as_gdal_reads(path, "MIXED")
    assert gpkgread.read_plain(path, "MIXED", (0, 0, 1, 1)) is None  # a box needs the R-tree


def test_reads_inside_reading_share_one_connection(store_copy: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    opened: list[object] = []
    real = sqlite3.connect

    def counted(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", counted)
    codes = gpkg.list_layers(store_copy)[:4]  # listed with sqlite3 too, once per file version
    opened.clear()
    outside = [read_layer(store_copy, code) for code in codes]
    assert len(opened) == len(codes)  # one connection per read, as before
    opened.clear()
    with mineplan.store.reading(store_copy):
        inside = [read_layer(store_copy, code) for code in codes]
        mineplan.store.layer_profile(store_copy, codes[0], ("geometry_status",))
        mineplan.store.layer_facts(store_copy, codes[0])
    assert len(opened) == 1
    for a, b in zip(outside, inside, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert not gpkgread._HELD.connections  # closed at the end of the block


def test_a_store_replaced_inside_reading_is_read_afresh(store_copy: Path, tmp_path: Path):
    code = gpkg.list_layers(store_copy)[0]
    before = read_layer(store_copy, code)
    other = tmp_path / "other.gpkg"
    pyogrio.write_dataframe(before.iloc[:1], other, layer=code)
    with mineplan.store.reading(store_copy):
        assert len(read_layer(store_copy, code)) == len(before) > 1
        other.replace(store_copy)  # another program writes the store (a new file)
        assert len(read_layer(store_copy, code)) == 1


def test_reading_a_missing_store_still_says_how_to_build_it(tmp_path: Path):
    missing = tmp_path / "none.gpkg"
    with mineplan.store.reading(missing), pytest.raises(StoreError, match="mineplan build"):
        read_layer(missing, "XZQ")


def test_a_geometry_blob_that_is_not_standard_goes_through_gdal(tmp_path: Path):
    frame = gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4490")
    path = tmp_path / "extended.gpkg"
    pyogrio.write_dataframe(frame, path, layer="EXT", layer_options={"SPATIAL_INDEX": "NO"})
    assert gpkgread.read_plain(path, "EXT", None) is not None
    with sqlite3.connect(path) as con:  # set the ExtendedGeoPackageBinary flag (bit 5)
        blob = bytearray(con.execute('SELECT geom FROM "EXT"').fetchone()[0])
        blob[3] |= 0b100000
        con.execute('UPDATE "EXT" SET geom = ? WHERE fid = 1', (bytes(blob),))
    assert gpkgread.read_plain(path, "EXT", None) is None
