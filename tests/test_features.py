"""Features: the plain columns the pre-grant rules read, against what geopandas gives."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from mineplan.features import Features
from mineplan.geodesy import ellipsoidal_area_km2, ellipsoidal_areas_km2

RECORDS = [
    {"number": 1, "name": "甲", "stated": 1.5, "mixed": 3, "geometry": box(81, 43, 81.1, 43.1)},
    {"number": 2, "name": "", "stated": None, "mixed": 2.5, "geometry": Point(81.2, 43.2)},
    {"number": 3, "name": None, "stated": 4.0, "mixed": None, "geometry": None},
]
COLUMNS = ["number", "name", "stated", "mixed"]


def test_records_get_the_dtypes_a_geodataframe_of_them_has() -> None:
    features = Features.from_records(RECORDS, columns=COLUMNS, crs="EPSG:4490")
    frame = gpd.GeoDataFrame(RECORDS, columns=[*COLUMNS, "geometry"], geometry="geometry",
                             crs="EPSG:4490")
    pd.testing.assert_frame_equal(features.to_frame(), frame)
    assert features["number"].dtype == np.int64 and features["stated"].dtype == np.float64
    assert list(features["name"]) == ["甲", "", None]


@pytest.mark.parametrize("target", ["EPSG:4524", "EPSG:4545", "EPSG:4326", "EPSG:3857"])
def test_reprojection_is_geopandas_bit_for_bit(target: str) -> None:
    z = Polygon([(81, 43, 100), (81.1, 43, 110), (81.1, 43.1, 120), (81, 43, 100)])
    geoms = [box(80.5, 42.5, 80.6, 42.7), MultiPolygon([box(81, 43, 81.1, 43.1),
                                                         box(81.2, 43, 81.3, 43.1)]),
             z, None, Polygon()]
    want = gpd.GeoSeries(geoms, crs="EPSG:4490").to_crs(target)
    got = Features(geoms, crs="EPSG:4490").to_crs(target)
    assert got.crs == want.crs
    for a, b in zip(got.geometry, want, strict=True):
        assert (a is None and b is None) or shapely.equals_exact(a, b, tolerance=0)
        if a is not None:
            assert shapely.has_z(a) == shapely.has_z(b)
    assert Features(geoms, crs="EPSG:4490").to_crs("EPSG:4490").geometry[0] is geoms[0]


def test_a_frame_comes_back_as_it_was_and_missing_text_reads_as_none() -> None:
    frame = gpd.GeoDataFrame({"name": ["甲", None], "n": [1, 2]},
                             geometry=[box(0, 0, 1, 1), box(2, 2, 3, 3)], crs="EPSG:4490",
                             index=[7, 9])
    features = Features.from_frame(frame)
    assert features.to_frame() is frame  # dtypes and index as they were
    assert list(features["name"]) == ["甲", None]
    assert features.row(1) == {"name": None, "n": 2, "geometry": frame.geometry.iloc[1]}


def test_selecting_features() -> None:
    features = Features.from_records(RECORDS, columns=COLUMNS, crs="EPSG:4490")
    assert list(features.where("name", "甲")["number"]) == [1]
    assert len(features.where("no such column", 1)) == 0
    assert list(features.intersecting(box(81.05, 43.05, 81.3, 43.3))["number"]) == [1, 2]
    assert list(features.take([2, 0])["number"]) == [3, 1]
    assert list(features.take(np.array([False, True, True]))["number"]) == [2, 3]
    assert features.take([]).empty and features.take([]).columns == COLUMNS
    np.testing.assert_array_equal(features.total_bounds, [81, 43, 81.2, 43.2])
    with pytest.raises(ValueError, match="2 values for 3"):
        Features([None] * 3, {"a": [1, 2]})
    with pytest.raises(ValueError, match="without a CRS"):
        Features([box(0, 0, 1, 1)]).to_crs("EPSG:4326")


def test_the_array_area_is_the_series_area_bit_for_bit() -> None:
    geoms = [box(81, 43, 81.1, 43.1), None, Polygon(),
             MultiPolygon([box(81, 43, 81.1, 43.1), box(81.2, 43, 81.3, 43.1)])]
    want = ellipsoidal_area_km2(gpd.GeoSeries(geoms, crs="EPSG:4490")).to_numpy()
    got = ellipsoidal_areas_km2(geoms, crs="EPSG:4490")
    np.testing.assert_array_equal(got, want)
    assert math.isnan(got[1]) and got[2] == 0.0
