"""Display geometry: clipped, simplified for the screen, never used for measuring."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from mineplan.errors import CRSError
from mineplan.web.display import DisplayOptions, display_frame


def _dense_circle(x: float, y: float, r: float, n: int) -> shapely.Polygon:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return shapely.Polygon(np.column_stack([x + r * np.cos(t), y + r * np.sin(t)]))


@pytest.fixture()
def frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["红线甲", "红线乙", "远处"]},
        geometry=[_dense_circle(84.0, 44.0, 0.5, 100_000), _dense_circle(85.2, 44.0, 0.3, 50_000),
                  box(100, 30, 100.1, 30.1)],
        crs="EPSG:4490",
    )


def test_dense_polygons_lose_vertices_not_shape(frame: gpd.GeoDataFrame) -> None:
    view = (83.0, 43.0, 86.0, 45.0)
    out = display_frame(frame, view=view)
    before = shapely.get_num_coordinates(frame.geometry.iloc[0])
    after = shapely.get_num_coordinates(out.geometry.iloc[0])
    assert after < before / 50
    # within one screen pixel of the original (3° over 1400 px at 44°N)
    pixel = 3.0 * 1.2 / 1400 * np.cos(np.radians(44))
    assert out.geometry.iloc[0].hausdorff_distance(frame.geometry.iloc[0]) <= 1.1 * pixel
    assert out.geometry.is_valid.all()


def test_features_outside_the_view_are_dropped_and_the_rest_clipped(
        frame: gpd.GeoDataFrame) -> None:
    view = (83.8, 43.8, 84.2, 44.2)  # the middle of 红线甲 only
    out = display_frame(frame, view=view, options=DisplayOptions(margin=0.1))
    assert list(out["name"]) == ["红线甲"]
    minx, miny, maxx, maxy = out.total_bounds
    assert minx >= 83.76 - 1e-9 and maxx <= 84.24 + 1e-9
    assert miny >= 43.76 - 1e-9 and maxy <= 44.24 + 1e-9


def test_the_source_frame_is_left_as_it_was(frame: gpd.GeoDataFrame) -> None:
    before = frame.geometry.iloc[0].wkb
    display_frame(frame, view=(83.0, 43.0, 86.0, 45.0))
    assert frame.geometry.iloc[0].wkb == before
    assert frame.crs.to_epsg() == 4490


def test_coordinates_are_rounded_to_a_tenth_of_a_pixel(frame: gpd.GeoDataFrame) -> None:
    out = display_frame(frame.iloc[[1]], view=(84.5, 43.5, 86.0, 44.5))  # pixel ≈ 9e-4°
    coords = shapely.get_coordinates(out.geometry.to_numpy())
    assert np.allclose(coords, np.round(coords, 5), atol=1e-12)
    assert not np.allclose(coords, np.round(coords, 3), atol=1e-12)
    close = display_frame(frame.iloc[[1]], view=(85.0, 43.99, 85.01, 44.0))  # zoomed right in
    fine = shapely.get_coordinates(close.geometry.to_numpy())
    assert np.allclose(fine, np.round(fine, 6), atol=1e-12)


def test_no_crs_is_refused() -> None:
    with pytest.raises(CRSError):
        display_frame(gpd.GeoDataFrame(geometry=[Point(0, 0)]))


def test_too_many_features_for_a_screen_are_collected_per_region() -> None:
    cells = [box(84 + i * 0.01, 44, 84 + i * 0.01 + 0.005, 44.005) for i in range(30)]
    frame = gpd.GeoDataFrame({"name": [f"图斑{i}" for i in range(30)],
                              "region": ["甲县"] * 20 + ["乙县"] * 10},
                             geometry=cells, crs="EPSG:4490")
    out = display_frame(frame, options=DisplayOptions(max_features=10))
    assert sorted(out["region"]) == ["乙县", "甲县"]
    assert sorted(out["feature_count"]) == [10, 20]
    assert sum(len(g.geoms) for g in out.geometry) == 30  # nothing lost, only grouped
    assert all("放大查看" in n for n in out["name"])
    few = display_frame(frame, options=DisplayOptions(max_features=100))
    assert len(few) == 30 and "feature_count" not in few
