"""Tests for mineplan.build.schematic: schematic zone shapes from stated areas.

The counties are hand-built boxes in CGCS2000 degrees (EPSG:4490) near 84°E
44°N, about the plans' own latitude. Areas are checked independently of
mineplan with ``pyproj.Geod(ellps="GRS80")`` (GeographicLib, geodesic edges):
the shapes are at most a few tens of kilometres across, so geodesic versus projected edges
differ far below the 1e-3 relative tolerance asserted here.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from mineplan.build import shapes
from mineplan.build.schematic import schematic_zone_geometries
from mineplan.build.shapes import deepest, local_equal_area_crs, local_frame
from mineplan.errors import GeometryError
from mineplan.vocab import SCHEMATIC, STORE_CRS

GEOD = Geod(ellps="GRS80")
REL = 1e-3

# ~8 km × 11 km (≈ 89 km²) each, side by side, inside a larger "region"
JIA = box(84.0, 44.0, 84.1, 44.1)
YI = box(84.1, 44.0, 84.2, 44.1)
REGION = box(83.8, 43.8, 84.4, 44.3)
TINY = box(84.3, 44.2, 84.33, 44.23)  # ≈ 2.4 km × 3.3 km ≈ 8 km²
AREAS: dict[str, BaseGeometry] = {"甲县": JIA, "乙县": YI, "某市": REGION, "小县": TINY}


def geod_km2(geom: BaseGeometry) -> float:
    """Ellipsoidal area (GRS80, geodesic edges) in km²."""
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def zone(zone_id: str, area_km2: float, *, county: str = "甲县", region: str = "某市",
         layer: str | None = None, block_count: int = 1) -> dict[str, object]:
    return {
        "zone_id": zone_id, "region": region, "layer": layer or zone_id.split("-")[1],
        "county": county, "area_km2": area_km2, "block_count": block_count,
    }


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def inside(geom: BaseGeometry, area: BaseGeometry) -> bool:
    """``geom`` lies in ``area`` (allowing for floating-point noise on the edge)."""
    return geod_km2(shapely.difference(geom, area)) < 1e-9


def overlap_km2(a: BaseGeometry, b: BaseGeometry) -> float:
    return geod_km2(shapely.intersection(a, b))


# --------------------------------------------------------------------------- output shape


def test_output_frame_is_marked_schematic_and_aligned():
    zones = frame(zone("t-CKGH-001", 10.0), zone("t-TKGH-001", 5.0)).set_index(
        pd.Index([7, 3])
    )
    out = schematic_zone_geometries(zones, AREAS)
    assert list(out.index) == [7, 3]
    assert out.crs is not None and out.crs.to_epsg() == 4490
    assert (out["geometry_status"] == SCHEMATIC).all()
    assert SCHEMATIC == "示意"
    assert all(isinstance(g, MultiPolygon) for g in out.geometry)
    assert all("非实测" in note for note in out["geometry_note"])
    assert all(g.is_valid and not g.is_empty for g in out.geometry)


# --------------------------------------------------------------------------- area and place


@pytest.mark.parametrize("shape", ["blob", "rectangle"])
def test_stated_areas_are_reproduced(shape: str):
    zones = frame(
        zone("t-CKGH-001", 40.0),
        zone("t-CKGH-002", 0.05),
        zone("t-CKGH-003", 12.5, county="乙县"),
        zone("t-ZDCK-001", 1.234, county="乙县"),
    )
    out = schematic_zone_geometries(zones, AREAS, shapes={"CKGH": shape, "ZDCK": shape})
    for i, stated in zones["area_km2"].items():
        got = geod_km2(out.geometry[i])
        assert abs(got - stated) / stated < REL, (zones.zone_id[i], got, stated)
        assert "不足" not in out.geometry_note[i]
        assert f"按规划面积{stated:g}平方千米" in out.geometry_note[i]


def test_every_shape_lies_within_its_county():
    zones = frame(
        zone("t-CKGH-001", 30.0),
        zone("t-CKGH-002", 20.0, county="乙县"),
        zone("t-CKGH-003", 40.0, county="甲县、乙县"),
        zone("t-TKGH-001", 60.0),
    )
    out = schematic_zone_geometries(zones, AREAS, shapes={"TKGH": "rectangle"})
    assert inside(out.geometry[0], JIA)
    assert inside(out.geometry[1], YI)
    assert inside(out.geometry[2], JIA.union(YI))
    assert inside(out.geometry[3], JIA)
    assert "甲县范围内" in out.geometry_note[0]
    assert "甲县、乙县范围内" in out.geometry_note[2]


def test_zones_of_one_layer_and_plan_never_overlap_across_county_sets():
    # 甲县 holds three of them, the "甲县、乙县" zone may use either county: all
    # four must still keep apart. Sized so that careless placement would collide.
    zones = frame(
        zone("t-CKGH-001", 35.0, county="甲县"),
        zone("t-CKGH-002", 60.0, county="甲县、乙县"),
        zone("t-CKGH-003", 15.0, county="甲县"),
        zone("t-CKGH-004", 25.0, county="乙县", block_count=2),
        zone("t-CKGH-005", float("nan"), county="甲县"),
    )
    out = schematic_zone_geometries(zones, AREAS)
    for a, b in itertools.combinations(out.index, 2):
        assert overlap_km2(out.geometry[a], out.geometry[b]) == 0.0, (a, b)
        assert not out.geometry[a].intersects(out.geometry[b]), (a, b)
    for i, stated in zones["area_km2"].dropna().items():
        assert abs(geod_km2(out.geometry[i]) - stated) / stated < REL


def test_other_layers_and_plans_are_placed_independently():
    # Same county, different layer (or plan): each is sized for the whole county.
    zones = frame(
        zone("t-CKGH-001", 80.0),
        zone("t-TKGH-001", 80.0),
        zone("u-CKGH-001", 80.0, region="另一市"),
    )
    out = schematic_zone_geometries(zones, {**AREAS, "另一市": REGION})
    for i in out.index:
        assert abs(geod_km2(out.geometry[i]) - 80.0) / 80.0 < REL
        assert inside(out.geometry[i], JIA)


def test_block_count_gives_that_many_parts_summing_to_the_stated_area():
    zones = frame(zone("t-YSCK-001", 9.0, block_count=3))
    geom = schematic_zone_geometries(zones, AREAS, shapes={"YSCK": "rectangle"}).geometry[0]
    assert isinstance(geom, MultiPolygon)
    assert len(geom.geoms) == 3
    assert abs(sum(geod_km2(p) for p in geom.geoms) - 9.0) / 9.0 < REL
    assert abs(geod_km2(geom) - 9.0) / 9.0 < REL
    parts = list(geom.geoms)
    for a, b in itertools.combinations(parts, 2):
        assert not a.intersects(b)
    note = schematic_zone_geometries(zones, AREAS).geometry_note[0]
    assert "3个区块合计" in note


def test_zone_without_area_gets_a_small_marked_shape():
    zones = frame(zone("t-KYJJQ-001", float("nan")), zone("t-KYJJQ-002", 50.0))
    out = schematic_zone_geometries(zones, AREAS)
    small = out.geometry[0]
    assert 0 < geod_km2(small) <= math.pi * 0.3**2 * 1.01
    assert inside(small, JIA)
    assert "规划未载明面积" in out.geometry_note[0]
    assert "规划未载明面积" not in out.geometry_note[1]
    assert not small.intersects(out.geometry[1])


def test_same_input_gives_identical_geometries():
    zones = frame(
        zone("t-CKGH-001", 30.0),
        zone("t-CKGH-002", 20.0, county="甲县、乙县", block_count=2),
        zone("t-CKGH-003", float("nan"), county="乙县"),
    )
    first = schematic_zone_geometries(zones, AREAS)
    second = schematic_zone_geometries(zones.copy(), dict(AREAS))
    assert [g.wkb for g in first.geometry] == [g.wkb for g in second.geometry]
    assert list(first.geometry_note) == list(second.geometry_note)


def test_row_order_does_not_move_shapes():
    zones = frame(
        zone("t-CKGH-001", 30.0),
        zone("t-CKGH-002", 20.0),
        zone("t-CKGH-003", 5.0, county="乙县"),
    )
    forward = schematic_zone_geometries(zones, AREAS)
    backward = schematic_zone_geometries(zones.iloc[::-1], AREAS)
    for i in zones.index:
        assert forward.geometry[i].wkb == backward.geometry[i].wkb


def test_distinct_zones_get_distinct_shapes():
    # placement is seeded by zone_id: two equal zones are not stacked alike
    zones = frame(zone("t-CKGH-001", 5.0), zone("t-TKGH-001", 5.0, layer="TKGH"))
    out = schematic_zone_geometries(zones, AREAS)
    assert not out.geometry[0].equals(out.geometry[1])


# --------------------------------------------------------------------------- fallbacks and errors


def test_unknown_county_falls_back_to_the_region():
    zones = frame(zone("t-CKGH-001", 25.0, county="丙县"))
    out = schematic_zone_geometries(zones, AREAS)
    geom = out.geometry[0]
    assert inside(geom, REGION)
    assert "某市范围内" in out.geometry_note[0]
    assert abs(geod_km2(geom) - 25.0) / 25.0 < REL


def test_known_names_of_a_county_list_are_used():
    zones = frame(zone("t-CKGH-001", 25.0, county="丙县、乙县"))
    out = schematic_zone_geometries(zones, AREAS)
    assert inside(out.geometry[0], YI)
    assert "乙县范围内" in out.geometry_note[0]


def test_unknown_county_and_region_raise_naming_the_zone():
    zones = frame(
        zone("t-CKGH-001", 5.0),
        zone("t-CKGH-002", 5.0, county="丙县", region="无名市"),
        zone("t-CKGH-003", 5.0, county="", region="空市"),
    )
    with pytest.raises(GeometryError) as info:
        schematic_zone_geometries(zones, AREAS)
    message = str(info.value)
    assert "t-CKGH-002" in message and "t-CKGH-003" in message
    assert "t-CKGH-001" not in message
    assert "丙县" in message and "无名市" in message


# --------------------------------------------------------------------------- not enough room


def test_a_zone_larger_than_its_county_says_so():
    zones = frame(zone("t-CKGH-001", 20.0, county="小县"))
    out = schematic_zone_geometries(zones, AREAS)
    got = geod_km2(out.geometry[0])
    assert got < 20.0 * (1 - REL)
    assert inside(out.geometry[0], TINY)
    assert got > 0.9 * geod_km2(TINY)
    assert "不足" in out.geometry_note[0]


def test_stated_areas_exceeding_the_county_are_reported_not_silently_shrunk():
    zones = frame(
        zone("t-CKGH-001", 4.0, county="小县"),
        zone("t-CKGH-002", 4.0, county="小县"),
        zone("t-CKGH-003", 4.0, county="小县"),
        zone("t-CKGH-004", 3.0, county="小县"),
        zone("t-CKGH-005", 2.0, county="小县"),
    )
    assert zones["area_km2"].sum() > geod_km2(TINY)
    out = schematic_zone_geometries(zones, AREAS)
    reported = 0
    for i, stated in zones["area_km2"].items():
        got = geod_km2(out.geometry[i])
        note = out.geometry_note[i]
        said = "不足" in note or "已无空余" in note
        reported += said
        if got < stated * (1 - REL):
            assert said, (zones.zone_id[i], got, stated, note)
        assert inside(out.geometry[i], TINY)
    assert reported >= 1
    total = sum(geod_km2(g) for g in out.geometry)
    assert total < zones["area_km2"].sum()


def test_shortfall_note_states_the_missing_area():
    zones = frame(zone("t-CKGH-001", 20.0, county="小县"))
    out = schematic_zone_geometries(zones, AREAS)
    note = out.geometry_note[0]
    missing = 20.0 - geod_km2(out.geometry[0])
    stated_short = float(note.split("示意面积少")[1].split("平方千米")[0])
    assert abs(stated_short - missing) < 0.01


# --------------------------------------------------------------------------- property


ONE_DEGREE = box(84.0, 44.0, 85.0, 45.0)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    area=st.floats(min_value=0.01, max_value=200.0, allow_nan=False),
    blocks=st.integers(min_value=1, max_value=3),
    shape=st.sampled_from(["blob", "rectangle"]),
    n=st.integers(min_value=0, max_value=999),
)
def test_any_area_is_reproduced_within_its_county(area: float, blocks: int, shape: str, n: int):
    zones = frame(zone(f"p-CKGH-{n:03d}", area, county="一度县", region="某市",
                       block_count=blocks))
    out = schematic_zone_geometries(zones, {"一度县": ONE_DEGREE, "某市": ONE_DEGREE},
                                    shapes={"CKGH": shape})
    geom = out.geometry[0]
    assert abs(geod_km2(geom) - area) / area < REL
    assert inside(geom, ONE_DEGREE)
    assert len(geom.geoms) >= 1
    assert "不足" not in out.geometry_note[0]


def test_geod_helper_measures_a_known_box():
    # Guard the yardstick: a 1°×1° cell at 44–45°N is ≈ 8,800 km² on GRS80.
    cell = geod_km2(Polygon(ONE_DEGREE.exterior.coords))
    assert 8_700 < cell < 8_900


# --------------------------------------------------------------------------- shapes


AWKWARD = {
    "box": box(0, 0, 1000, 800),
    "with holes": box(0, 0, 5000, 5000).difference(
        shapely.union_all([box(1000, 1000, 1500, 1400), shapely.Point(3500, 3500).buffer(700)])
    ),
    "multipart": MultiPolygon([box(0, 0, 900, 900), shapely.Point(3000, 0).buffer(600)]),
    "many segments": shapely.Point(0, 0).buffer(4000, quad_segs=200),
    "tiny": box(0, 0, 1e-6, 1e-6),
    "far from the origin": box(2_000_000, -3_000_000, 2_004_000, -2_997_000),
}


def shapely_deepest(points: np.ndarray, area: BaseGeometry, weights: np.ndarray) -> int:
    """What :func:`deepest` must answer: argmax of every distance, measured by shapely."""
    return int(np.argmax(shapely.distance(points, area.boundary) * weights))


@pytest.mark.parametrize("name", sorted(AWKWARD))
@pytest.mark.parametrize("weighted", [False, True])
def test_deepest_is_the_argmax_of_shapelys_distance_to_the_boundary(name: str, weighted: bool):
    # a grid over the box: points inside, in holes and outside; unweighted, the
    # symmetric shapes give many equal distances and the first of them must win
    area = AWKWARD[name]
    minx, miny, maxx, maxy = area.bounds
    grid = itertools.product(
        [minx + (maxx - minx) * i / 23 for i in range(24)],
        [miny + (maxy - miny) * j / 19 for j in range(20)],
    )
    points = shapely.points(list(grid))
    weights = (np.random.default_rng(7).uniform(0.6, 1.0, len(points)) if weighted
               else np.ones(len(points)))
    assert deepest(points, area, weights) == shapely_deepest(points, area, weights)


def test_deepest_measures_only_the_points_that_can_win(monkeypatch: pytest.MonkeyPatch):
    area = shapely.Point(0, 0).buffer(4000, quad_segs=200)  # 800 segments
    rng = np.random.default_rng(3)
    points = shapely.points(rng.uniform(-2800, 2800, (300, 2)))
    weights = rng.uniform(0.6, 1.0, 300)
    measured = []
    real = shapely.distance

    def counting(a: np.ndarray, b: BaseGeometry) -> np.ndarray:
        measured.append(len(a))
        return real(a, b)

    monkeypatch.setattr(shapes.shapely, "distance", counting)
    got = deepest(points, area, weights)
    monkeypatch.undo()
    assert got == shapely_deepest(points, area, weights)
    assert 0 < sum(measured) <= 30  # of 300


METRES = st.integers(-50_000, 50_000).map(float)  # whole metres: no underflowing squares


@given(st.lists(st.tuples(METRES, METRES), min_size=3, max_size=60),
       st.lists(st.tuples(METRES, METRES, st.floats(0.6, 1.0)), min_size=1, max_size=40))
@settings(max_examples=80, deadline=None)
def test_deepest_equals_shapely_on_any_polygon(coords: list[tuple[float, float]],
                                               candidates: list[tuple[float, float, float]]):
    area = shapely.make_valid(Polygon(coords)) if len(set(coords)) >= 3 else box(0, 0, 1, 1)
    if area.is_empty or not isinstance(area, Polygon | MultiPolygon):
        area = box(0, 0, 1, 1)
    points = shapely.points([(x, y) for x, y, _ in candidates])
    weights = np.array([w for _, _, w in candidates])
    assert deepest(points, area, weights) == shapely_deepest(points, area, weights)


def test_a_local_frame_projects_its_place_once_with_area_kept():
    place = box(84.0, 44.0, 84.1, 44.1)
    frame_ = local_frame(place)
    assert frame_.geom is place
    assert frame_.local.area / 1e6 == pytest.approx(geod_km2(place), rel=1e-6)
    lon, lat = frame_.inv.transform(*shapely.get_coordinates(frame_.local).T)
    back = shapely.Polygon(list(zip(lon, lat, strict=True)))
    assert shapely.hausdorff_distance(back, place) < 1e-7  # degrees, ~1 cm


@pytest.mark.parametrize("centre", [(84.1, 44.05), (75.3, 39.5), (134.2, 47.9), (109.5, 18.3)])
def test_a_local_frames_transformers_are_the_ones_proj_chooses(centre: tuple[float, float]):
    frame_ = local_frame(box(*centre, centre[0] + 0.1, centre[1] + 0.1), centre=centre)
    crs = local_equal_area_crs(*centre)
    chosen_fwd = Transformer.from_crs(STORE_CRS, crs, always_xy=True)
    chosen_inv = Transformer.from_crs(crs, STORE_CRS, always_xy=True)
    lon = np.linspace(centre[0] - 2.5, centre[0] + 2.5, 401)
    lat = np.linspace(centre[1] - 2.0, centre[1] + 2.0, 401)
    xy = frame_.fwd.transform(lon, lat)
    assert all((a == b).all() for a, b in zip(xy, chosen_fwd.transform(lon, lat), strict=True))
    back = frame_.inv.transform(*xy)
    assert all((a == b).all() for a, b in zip(back, chosen_inv.transform(*xy), strict=True))
