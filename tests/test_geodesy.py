"""Tests for mineplan.geodesy: zone codes, plausibility, ellipsoidal area.

EPSG codes are checked against PROJ's own database (``pyproj.CRS.from_epsg``),
the area against ``pyproj.Geod`` (GeographicLib, geodesic edges) on polygons
densified to ~100 m so that the comparison measures the method, not the edge
definition. :func:`geod_cross_check` is the same comparison as a function, for
quoting the worst relative difference::

    .venv/bin/python -c "from tests.test_geodesy import geod_cross_check as g; print(g())"
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
import shapely.affinity
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiPolygon,
    Polygon,
    box,
)
from shapely.geometry.base import BaseGeometry

from mineplan.errors import CRSError, GeometryError, MineplanError
from mineplan.geodesy import (
    CGCS2000_INVERSE_FLATTENING,
    CGCS2000_SEMI_MAJOR_AXIS,
    GKZone,
    PlanePairClass,
    classify_plane_pair,
    ellipsoidal_area,
    ellipsoidal_area_km2,
    gk_crs_for_lonlat,
    gk_epsg,
    gk_zone_from_epsg,
    projected_area_km2,
    zone_for_longitude,
    zone_from_easting,
)

GEOD = pyproj.Geod(ellps="GRS80")
XINJIANG_ZONES = range(25, 33)  # CGCS2000 3-degree zones, CM 75E…96E
# A latitude inside Xinjiang for each zone's strip (its extent narrows to the east).
XINJIANG_LATITUDE = {25: 38.5, 26: 37.5, 27: 43.5, 28: 45.0, 29: 47.0, 30: 44.0, 31: 42.0, 32: 41.0}
DENSIFY_DEG = 0.001  # ~110 m of latitude, ~80 m of longitude at 44N


# ------------------------------------------------------------------ helpers


def _project(geom: BaseGeometry, src: object, dst: object) -> BaseGeometry:
    transformer = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    return shapely.transform(
        geom, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1]))
    )


def _geod_area(geom: BaseGeometry, geod: pyproj.Geod = GEOD) -> float:
    """Geodesic area in m², ring by ring (holes subtracted whatever their orientation)."""
    total = 0.0
    for part in getattr(geom, "geoms", [geom]):
        total += abs(geod.polygon_area_perimeter(*part.exterior.xy)[0])
        for hole in part.interiors:
            total -= abs(geod.polygon_area_perimeter(*hole.xy)[0])
    return total


def _square(lon: float, lat: float, km2: float) -> Polygon:
    """A lon/lat box of about `km2` centred on (lon, lat)."""
    half_lat = math.sqrt(km2) / 111.0 / 2
    half_lon = half_lat / math.cos(math.radians(lat))
    return box(lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)


def _star(lon: float, lat: float, km2: float, points: int = 9) -> Polygon:
    """A star-shaped lon/lat polygon of roughly `km2`."""
    radius = math.sqrt(km2 / math.pi) / 111.0
    angles = np.linspace(0, 2 * math.pi, 2 * points, endpoint=False)
    radii = np.where(np.arange(2 * points) % 2 == 0, 1.3 * radius, 0.6 * radius)
    xs = lon + radii * np.cos(angles) / math.cos(math.radians(lat))
    return Polygon(np.column_stack([xs, lat + radii * np.sin(angles)]))


def _shapes(lon: float, lat: float, km2: float) -> dict[str, BaseGeometry]:
    outer = _square(lon, lat, km2)
    hole = _square(lon, lat, km2 / 4)
    other = _square(lon, lat + 2.5 * math.sqrt(km2) / 111.0, km2 / 2)
    return {
        "square": outer,
        "holed": Polygon(outer.exterior.coords, [hole.exterior.coords]),
        "multi": MultiPolygon([outer, other]),
        "star": _star(lon, lat, km2),
    }


def _geod_cases() -> list[tuple[str, int, BaseGeometry]]:
    """(label, zone, densified lon/lat geometry) across Xinjiang's zones."""
    cases = []
    for zone in XINJIANG_ZONES:
        for offset in (0.2, 1.4):  # near the central meridian, near the zone edge
            lat = XINJIANG_LATITUDE[zone] + offset
            lon = 3 * zone - offset
            for km2 in (0.01, 1.0, 100.0, 5000.0):
                for name, geom in _shapes(lon, lat, km2).items():
                    dense = shapely.segmentize(geom, DENSIFY_DEG)
                    cases.append((f"z{zone}-{offset}-{km2}km2-{name}", zone, dense))
    return cases


def geod_cross_check() -> float:
    """Worst relative difference, ellipsoidal_area (from Gauss-Kruger) vs pyproj.Geod."""
    worst = 0.0
    for _, zone, lonlat in _geod_cases():
        epsg = gk_epsg(zone=zone)
        reference = _geod_area(lonlat)
        measured = ellipsoidal_area(_project(lonlat, 4490, epsg), crs=epsg)
        worst = max(worst, abs(measured - reference) / reference)
    return worst


def _zone_area_closed_form(lat0: float, lat1: float, dlon: float) -> float:
    """Exact area between two parallels over `dlon` degrees (authalic closed form), m²."""
    a, f = CGCS2000_SEMI_MAJOR_AXIS, 1 / CGCS2000_INVERSE_FLATTENING
    e2 = f * (2 - f)
    e, b2 = math.sqrt(e2), (a * (1 - f)) ** 2

    def q(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return s / (2 * (1 - e2 * s * s)) + math.log((1 + e * s) / (1 - e * s)) / (4 * e)

    return b2 * math.radians(dlon) * (q(lat1) - q(lat0))


# -------------------------------------------------------------------- zones


@pytest.mark.parametrize("zone", range(25, 46))
def test_3_degree_prefixed_codes_match_proj(zone: int) -> None:
    code = gk_epsg(width=3, zone=zone)
    assert code == 4488 + zone
    params = pyproj.CRS.from_epsg(code).to_dict()
    assert params["proj"] == "tmerc"
    assert params["lon_0"] == 3 * zone
    assert params["x_0"] == zone * 1_000_000 + 500_000
    assert params["k"] == 1 and params["y_0"] == 0 and params["lat_0"] == 0
    assert gk_zone_from_epsg(code) == GKZone(3, zone, 3.0 * zone, True)
    assert GKZone(3, zone, 3.0 * zone, True).false_easting == params["x_0"]


@pytest.mark.parametrize("zone", range(13, 24))
def test_6_degree_prefixed_codes_match_proj(zone: int) -> None:
    code = gk_epsg(width=6, zone=zone)
    assert code == 4478 + zone
    params = pyproj.CRS.from_epsg(code).to_dict()
    assert params["proj"] == "tmerc"
    assert params["lon_0"] == 6 * zone - 3
    assert params["x_0"] == zone * 1_000_000 + 500_000
    assert params["k"] == 1 and params["y_0"] == 0
    assert gk_zone_from_epsg(code) == GKZone(6, zone, 6.0 * zone - 3, True)


@pytest.mark.parametrize("code", range(4534, 4555))
def test_3_degree_cm_only_codes_match_proj(code: int) -> None:
    params = pyproj.CRS.from_epsg(code).to_dict()
    zone = gk_zone_from_epsg(code)
    assert (zone.width, zone.prefixed) == (3, False)
    assert zone.central_meridian == params["lon_0"]
    assert params["x_0"] == 500_000 == zone.false_easting
    assert params["k"] == 1 and params["y_0"] == 0
    assert gk_epsg(central_meridian=params["lon_0"], prefixed=False) == code
    assert code == 4534 + (params["lon_0"] - 75) // 3


@pytest.mark.parametrize("code", range(4502, 4513))
def test_6_degree_cm_only_codes_match_proj(code: int) -> None:
    params = pyproj.CRS.from_epsg(code).to_dict()
    zone = gk_zone_from_epsg(code)
    assert (zone.width, zone.prefixed) == (6, False)
    assert zone.central_meridian == params["lon_0"]
    assert params["x_0"] == 500_000
    assert gk_epsg(width=6, central_meridian=params["lon_0"], prefixed=False) == code
    assert code == 4502 + (params["lon_0"] - 75) // 6


@pytest.mark.parametrize("code", range(4491, 4555))
def test_every_code_is_cgcs2000_on_its_ellipsoid(code: int) -> None:
    crs = pyproj.CRS.from_epsg(code)
    assert crs.datum is not None and crs.ellipsoid is not None
    assert crs.datum.name == "China 2000"
    assert crs.ellipsoid.semi_major_metre == CGCS2000_SEMI_MAJOR_AXIS
    assert crs.ellipsoid.inverse_flattening == pytest.approx(CGCS2000_INVERSE_FLATTENING, abs=1e-9)
    zone = gk_zone_from_epsg(code)
    assert zone.epsg == code
    assert ("CM" in crs.name) != zone.prefixed


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"central_meridian": 84}, 4516),  # 乌苏市
        ({"central_meridian": 84, "prefixed": False}, 4537),
        ({"central_meridian": 81.0}, 4515),  # 伊宁市, 特克斯县
        ({"central_meridian": 81, "prefixed": False}, 4536),
        ({"central_meridian": 108, "prefixed": False}, 4545),  # not CM 84E
        ({"width": 6, "central_meridian": 87}, 4493),
    ],
)
def test_gk_epsg_reference_examples(kwargs: dict, code: int) -> None:
    assert gk_epsg(**kwargs) == code


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"zone": 28, "central_meridian": 84},
        {"central_meridian": 84.5},
        {"central_meridian": 72},
        {"zone": 24},
        {"zone": 46},
        {"width": 6, "zone": 25},
        {"width": 6, "central_meridian": 84},
        {"width": 4, "zone": 28},
    ],
)
def test_gk_epsg_rejects_what_names_no_zone(kwargs: dict) -> None:
    with pytest.raises(CRSError):
        gk_epsg(**kwargs)


@pytest.mark.parametrize("code", [4490, 4326, 4490.5, 4555, 2352, 3857])
def test_gk_zone_from_epsg_rejects_other_codes(code: float) -> None:
    with pytest.raises(CRSError, match="not a CGCS2000 Gauss-Kruger code"):
        gk_zone_from_epsg(code)  # type: ignore[arg-type]


def test_gk_zone_rejects_inconsistent_fields() -> None:
    with pytest.raises(CRSError, match="expected 84E"):
        GKZone(3, 28, 81.0, True)
    with pytest.raises(CRSError, match="zones 13–23"):
        GKZone(6, 28, 165.0, True)
    with pytest.raises(ValueError):  # CRSError is a ValueError too
        GKZone(5, 28, 84.0, True)


@pytest.mark.parametrize(
    ("lon", "width", "zone"),
    [
        (84.6, 3, 28),
        (81.5, 3, 27),
        (82.5, 3, 28),  # a boundary belongs to the eastern zone
        (82.4999, 3, 27),
        (73.62, 3, 25),  # China's western limit
        (96.0, 3, 32),
        (134.77, 3, 45),
        (84.6, 6, 15),
        (72.0, 6, 13),
        (134.77, 6, 23),
    ],
)
def test_zone_for_longitude(lon: float, width: int, zone: int) -> None:
    assert zone_for_longitude(lon, width=width) == zone


@pytest.mark.parametrize(
    ("lon", "width"), [(60.0, 3), (73.4, 3), (137.0, 3), (70.0, 6), (math.nan, 3)]
)
def test_zone_for_longitude_outside_cgcs2000_zones(lon: float, width: int) -> None:
    with pytest.raises(CRSError):
        zone_for_longitude(lon, width=width)


@given(st.floats(min_value=73.5, max_value=136.4999))
def test_zone_for_longitude_contains_the_longitude(lon: float) -> None:
    zone = zone_for_longitude(lon)
    assert abs(lon - 3 * zone) <= 1.5
    six = zone_for_longitude(min(lon, 137.9), width=6)
    assert abs(min(lon, 137.9) - (6 * six - 3)) <= 3


def test_gk_crs_for_lonlat() -> None:
    assert gk_crs_for_lonlat(84.6, 44.4).to_epsg() == 4537
    assert gk_crs_for_lonlat(84.6, 44.4, prefixed=True).to_epsg() == 4516
    assert gk_crs_for_lonlat(84.6, 44.4, width=6, prefixed=True).to_epsg() == 4493
    with pytest.raises(CRSError, match="latitude"):
        gk_crs_for_lonlat(84.6, 144.4)
    with pytest.raises(CRSError):
        gk_crs_for_lonlat(44.4, 84.6)  # lat/lon swapped: longitude 44.4E has no zone


@pytest.mark.parametrize(
    ("easting", "expected"),
    [
        (28_512_345.6, GKZone(3, 28, 84.0, True)),
        (25_000_000.0, GKZone(3, 25, 75.0, True)),
        (45_999_999.9, GKZone(3, 45, 135.0, True)),
        (15_400_000.0, GKZone(6, 15, 87.0, True)),
        (13_100_000.0, GKZone(6, 13, 75.0, True)),
        (512_345.6, None),
        (24_500_000.0, None),
        (46_500_000.0, None),
        (-28_500_000.0, None),
        (math.nan, None),
        (math.inf, None),
    ],
)
def test_zone_from_easting(easting: float, expected: GKZone | None) -> None:
    assert zone_from_easting(easting) == expected


@given(st.integers(25, 45), st.floats(0, 999_999.99))
def test_zone_from_easting_reads_the_prefix(zone: int, rest: float) -> None:
    found = zone_from_easting(zone * 1_000_000 + rest)
    assert found is not None and found.zone == zone and found.width == 3


# ------------------------------------------------------------- plausibility


@pytest.mark.parametrize(
    ("x", "y", "kind", "epsg"),
    [
        (4_920_123.4, 28_512_345.6, "northing_easting_prefixed", 4516),
        (4_920_123.4, 15_400_000.0, "northing_easting_prefixed", 4493),
        (4_920_123.4, 512_345.6, "northing_easting", None),
        (28_512_345.6, 4_920_123.4, "swapped_prefixed", 4516),
        (512_345.6, 4_920_123.4, "swapped", None),
        (2_000_000.0, 150_000.0, "northing_easting", None),  # the inclusive limits
        (5_900_000.0, 850_000.0, "northing_easting", None),
        (44.4, 84.6, "implausible", None),  # degrees
        (4_920_123.4, 28_900_000.0, "implausible", None),  # 900 km from the origin
        (4_920_123.4, 24_500_000.0, "implausible", None),  # zone 24 does not exist
        (6_500_000.0, 500_000.0, "implausible", None),  # north of China
        (1_900_000.0, 500_000.0, "implausible", None),
        (4_900_000.0, 4_900_000.0, "implausible", None),
        (500_000.0, 500_000.0, "implausible", None),
        (math.nan, 500_000.0, "implausible", None),
    ],
)
def test_classify_plane_pair(x: float, y: float, kind: str, epsg: int | None) -> None:
    verdict = classify_plane_pair(x, y)
    assert verdict.kind == kind
    assert (verdict.zone.epsg if verdict.zone else None) == epsg
    assert verdict.plausible == (kind != "implausible")
    assert verdict.swapped == kind.startswith("swapped")


_coordinate = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(1.0e6, 7.0e6),
    st.floats(0.0, 1.0e6),
    st.floats(12.0e6, 47.0e6),
)


@given(_coordinate, _coordinate)
def test_classify_is_symmetric_under_swapping(x: float, y: float) -> None:
    verdict = classify_plane_pair(x, y)
    mirrored = classify_plane_pair(y, x)
    assert isinstance(verdict, PlanePairClass)
    assert verdict.zone == mirrored.zone
    assert verdict.plausible == mirrored.plausible
    if verdict.plausible:
        assert verdict.swapped != mirrored.swapped


# ------------------------------------------------- area: the formula itself


@pytest.mark.parametrize("lat0", [0.0, 20.0, 35.0, 44.0, 60.0, 80.0])
@pytest.mark.parametrize("size", [1.0, 0.01])
def test_graticule_cell_matches_closed_form(lat0: float, size: float) -> None:
    # Edges along parallels and meridians are exact for the trapezoid method.
    cell = box(84.0, lat0, 84.0 + size, lat0 + size)
    expected = _zone_area_closed_form(lat0, lat0 + size, size)
    assert ellipsoidal_area(cell, crs="EPSG:4490") == pytest.approx(expected, rel=1e-10)


def test_one_square_kilometre_block() -> None:
    block = box(28_500_000, 4_900_000, 28_501_000, 4_901_000)
    area = ellipsoidal_area(block, crs="EPSG:4516")
    assert area == pytest.approx(1e6, rel=1e-5)  # on the CM, k = 1
    assert area != 1e6  # but not the plane area to the last digit


@pytest.mark.parametrize("zone", XINJIANG_ZONES)
@pytest.mark.parametrize("km2", [0.01, 1.0, 100.0, 5000.0])
def test_agrees_with_geod_across_xinjiang(zone: int, km2: float) -> None:
    epsg = gk_epsg(zone=zone)
    for offset in (0.2, 1.4):
        lat = XINJIANG_LATITUDE[zone] + offset
        for name, geom in _shapes(3 * zone - offset, lat, km2).items():
            lonlat = shapely.segmentize(geom, DENSIFY_DEG)
            reference = _geod_area(lonlat)
            from_plane = ellipsoidal_area(_project(lonlat, 4490, epsg), crs=epsg)
            from_lonlat = ellipsoidal_area(lonlat, crs="EPSG:4490")
            assert from_plane == pytest.approx(reference, rel=1e-8), name
            assert from_lonlat == pytest.approx(reference, rel=1e-8), name


def test_holes_and_parts_are_counted() -> None:
    shapes = _shapes(84.6, 44.4, 100.0)
    square = ellipsoidal_area(shapes["square"], crs=4490)
    holed = ellipsoidal_area(shapes["holed"], crs=4490)
    multi = ellipsoidal_area(shapes["multi"], crs=4490)
    hole = ellipsoidal_area(Polygon(shapes["holed"].interiors[0]), crs=4490)
    assert holed == pytest.approx(square - hole, rel=1e-12)
    assert hole == pytest.approx(square / 4, rel=1e-3)
    assert multi == pytest.approx(1.5 * square, rel=1e-3)


@pytest.mark.parametrize(
    ("width", "offset", "lat"),
    [(3, 0.0, 40.0), (3, 1.45, 40.0), (3, 1.45, 36.0), (6, 2.9, 40.0), (6, 2.9, 46.0)],
)
def test_projected_area_exceeds_ellipsoidal_by_k_squared(
    width: int, offset: float, lat: float
) -> None:
    cm = 84.0 if width == 3 else 87.0
    epsg = gk_epsg(width=width, central_meridian=cm)
    lonlat = shapely.segmentize(_square(cm + offset, lat, 25.0), DENSIFY_DEG)
    plane = _project(lonlat, 4490, epsg)
    ellipsoidal = ellipsoidal_area(plane, crs=epsg)
    projected = projected_area_km2(gpd.GeoSeries([plane], crs=epsg)).iloc[0] * 1e6
    k = pyproj.Proj(pyproj.CRS.from_epsg(epsg)).get_factors(cm + offset, lat).meridional_scale
    excess = projected / ellipsoidal - 1
    assert excess == pytest.approx(k * k - 1, rel=0.02, abs=2e-7)
    if offset:  # ~0.04–0.05 % at a 3-degree zone edge, ~0.15–0.2 % at a 6-degree one
        assert excess > (3e-4 if width == 3 else 1.2e-3)


# ------------------------------------------------------ area: other datums


@pytest.mark.parametrize(
    ("epsg", "geod"),
    [
        (2352, pyproj.Geod(a=6378140.0, rf=298.257)),  # Xian 1980 / 3-degree zone 28
        (2404, pyproj.Geod(a=6378245.0, rf=298.3)),  # Beijing 1954 / 3-degree zone 28
        (3857, pyproj.Geod(ellps="WGS84")),  # Web Mercator inverts to WGS 84 exactly
    ],
)
def test_other_datums_use_their_own_ellipsoid(epsg: int, geod: pyproj.Geod) -> None:
    geographic = pyproj.CRS.from_epsg(epsg).geodetic_crs
    lonlat = shapely.segmentize(_square(84.6, 44.4, 100.0), DENSIFY_DEG)
    plane = _project(lonlat, geographic, epsg)
    area = ellipsoidal_area(plane, crs=epsg)
    assert area == pytest.approx(_geod_area(lonlat, geod), rel=1e-9)


@pytest.mark.parametrize(("epsg", "a"), [(4610, 6378140.0), (4214, 6378245.0)])
def test_geographic_datums_use_their_own_ellipsoid(epsg: int, a: float) -> None:
    lonlat = shapely.segmentize(_square(84.6, 44.4, 100.0), DENSIFY_DEG)
    own = ellipsoidal_area(lonlat, crs=epsg)
    cgcs2000 = ellipsoidal_area(lonlat, crs=4490)
    # Same longitudes/latitudes on a larger ellipsoid: area grows by about 2·Δa/a.
    assert own / cgcs2000 - 1 == pytest.approx(2 * (a - CGCS2000_SEMI_MAJOR_AXIS) / a, rel=0.3)


# ------------------------------------------------------ area: properties

_ANGLE_STEPS = st.integers(5, 40)  # angular gaps < 180°: star-shaped about the centre


@st.composite
def _star_rings(draw: st.DrawFn) -> tuple[np.ndarray, tuple[float, float]]:
    """A star-shaped ring (about its centre) in CGCS2000 zone 28, metres, open."""
    n = draw(_ANGLE_STEPS)
    jitter = draw(st.lists(st.floats(0.0, 0.9), min_size=n, max_size=n))
    factors = draw(st.lists(st.floats(0.3, 1.0), min_size=n, max_size=n))
    radius = draw(st.floats(10.0, 40_000.0))
    cx = draw(st.floats(28_400_000.0, 28_600_000.0))
    cy = draw(st.floats(4_000_000.0, 5_200_000.0))
    angles = (np.arange(n) + np.array(jitter)) * 2 * math.pi / n
    radii = radius * np.array(factors)
    return np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)]), (cx, cy)


@given(_star_rings(), st.integers(0, 39), st.booleans())
def test_area_is_positive_and_ignores_orientation_and_start(
    star: tuple[np.ndarray, tuple[float, float]], shift: int, reverse: bool
) -> None:
    ring, _ = star
    area = ellipsoidal_area(Polygon(ring), crs=4516)
    assert area > 0 and math.isfinite(area)
    moved = np.roll(ring, shift % len(ring), axis=0)
    moved = moved[::-1] if reverse else moved
    assert ellipsoidal_area(Polygon(moved), crs=4516) == pytest.approx(area, rel=1e-9, abs=1e-6)
    polygon = Polygon(ring)
    step = max(polygon.length / 200, 1.0)
    # Followed along its straight plane edges, the area is the plane area less k² − 1.
    densified = ellipsoidal_area(polygon, crs=4516, densify=step)
    assert densified == pytest.approx(polygon.area, rel=6e-4)


@given(_star_rings(), st.floats(0.1, 0.9))
def test_hole_is_subtracted(star: tuple[np.ndarray, tuple[float, float]], scale: float) -> None:
    ring, (cx, cy) = star
    hole = np.column_stack([cx + scale * (ring[:, 0] - cx), cy + scale * (ring[:, 1] - cy)])
    outer = ellipsoidal_area(Polygon(ring), crs=4516)
    inner = ellipsoidal_area(Polygon(hole), crs=4516)
    holed = ellipsoidal_area(Polygon(ring, [hole]), crs=4516)
    assert holed == pytest.approx(outer - inner, rel=1e-9, abs=1e-6)
    step = max(Polygon(ring).length / 200, 1.0)
    outer_dense = ellipsoidal_area(Polygon(ring), crs=4516, densify=step)
    inner_dense = ellipsoidal_area(Polygon(hole), crs=4516, densify=step)
    assert inner_dense == pytest.approx(scale**2 * outer_dense, rel=1e-3)


@given(
    st.floats(28_400_000.0, 28_600_000.0),
    st.floats(4_000_000.0, 5_200_000.0),
    st.floats(1.0, 50_000.0),
    st.floats(1.0, 50_000.0),
    st.floats(1.0, 50_000.0),
)
def test_adjacent_rectangles_add_up(x0: float, y0: float, w1: float, w2: float, h: float) -> None:
    x1, x2, y1 = x0 + w1, x0 + w1 + w2, y0 + h
    left = ellipsoidal_area(box(x0, y0, x1, y1), crs=4516)
    right = ellipsoidal_area(box(x1, y0, x2, y1), crs=4516)
    # The union keeps the shared edge's end points as vertices: exactly additive.
    union = Polygon([(x0, y0), (x1, y0), (x2, y0), (x2, y1), (x1, y1), (x0, y1)])
    assert ellipsoidal_area(union, crs=4516) == pytest.approx(left + right, rel=1e-9, abs=1e-6)
    # Without them the edges change shape slightly (vertex-based method): < 0.01 %.
    corners = box(x0, y0, x2, y1)
    assert ellipsoidal_area(corners, crs=4516) == pytest.approx(left + right, rel=1e-4)
    apart = box(x2 + 10, y0, x2 + 10 + w2, y1)
    both = MultiPolygon([box(x0, y0, x1, y1), apart])
    parts = left + ellipsoidal_area(apart, crs=4516)
    assert ellipsoidal_area(both, crs=4516) == pytest.approx(parts, rel=1e-12)


def test_densify_follows_straight_plane_edges() -> None:
    # A 70 km block: the vertex-based area and the densified one differ by ~1e-5.
    block = box(28_465_000, 4_900_000, 28_535_000, 4_970_000)
    vertex_based = ellipsoidal_area(block, crs=4516)
    densified = ellipsoidal_area(block, crs=4516, densify=100.0)
    assert vertex_based != densified
    assert vertex_based == pytest.approx(densified, rel=1e-4)
    with pytest.raises(GeometryError, match="densify"):
        ellipsoidal_area(block, crs=4516, densify=0)


# ------------------------------------------------------------ area: inputs


@pytest.mark.parametrize(
    "geom", [Polygon(), MultiPolygon(), GeometryCollection(), LineString()], ids=str
)
def test_empty_geometries_have_zero_area(geom: BaseGeometry) -> None:
    assert ellipsoidal_area(geom, crs=4516) == 0.0


def test_non_polygonal_and_invalid_geometries_are_refused() -> None:
    with pytest.raises(GeometryError, match="LineString"):
        ellipsoidal_area(LineString([(28_500_000, 4_900_000), (28_501_000, 4_901_000)]), crs=4516)
    with pytest.raises(GeometryError, match="shapely geometry"):
        ellipsoidal_area(None, crs=4516)
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    bowtie = shapely.affinity.translate(
        shapely.affinity.scale(bowtie, 1000, 1000, origin=(0, 0)), 28_500_000, 4_900_000
    )
    with pytest.raises(GeometryError, match=r"Self-intersection.*make_valid"):
        ellipsoidal_area(bowtie, crs=4516)
    assert ellipsoidal_area(bowtie, crs=4516, validate=False) >= 0.0


def test_antimeridian_is_refused() -> None:
    crossing = Polygon([(179.5, 10), (-179.5, 10), (-179.5, 11), (179.5, 11)])
    with pytest.raises(GeometryError, match="antimeridian"):
        ellipsoidal_area(crossing, crs=4326)


@pytest.mark.parametrize(
    ("geom", "crs", "message"),
    [
        (box(84.5, 44.3, 84.6, 44.4), None, "no CRS"),
        (box(84.5, 44.3, 84.6, 44.4), "EPSG:99999", "cannot read CRS"),
        (box(84.5, 44.3, 84.6, 44.4), 4516, "look like degrees"),
        (box(84.5, 44.3, 84.6, 44.4), 3857, "look like degrees"),
        (box(28_500_000, 4_900_000, 28_501_000, 4_901_000), 4490, "not longitude/latitude"),
        (box(500_000, 4_900_000, 501_000, 4_901_000), 4516, "use EPSG:4537"),
        (box(28_500_000, 4_900_000, 28_501_000, 4_901_000), 4537, "use EPSG:4516"),
        (box(500_000, 8_000_000, 501_000, 8_001_000), 4537, "area of use"),  # 72N
        (box(4_900_000, 500_000, 4_901_000, 501_000), 4537, "area of use"),  # swapped axes
        (box(0, 0, 1, 1), 4978, "neither geographic nor projected"),  # geocentric
    ],
)
def test_wrong_crs_is_refused(geom: BaseGeometry, crs: object, message: str) -> None:
    with pytest.raises(CRSError, match=message):
        ellipsoidal_area(geom, crs=crs)  # type: ignore[arg-type]


# ------------------------------------------------------------ the Series API


def _blocks() -> gpd.GeoDataFrame:
    geoms = [
        box(28_500_000, 4_900_000, 28_502_000, 4_901_000),
        None,
        Polygon(),
        MultiPolygon(
            [
                box(28_600_000, 4_900_000, 28_601_000, 4_901_000),
                box(28_610_000, 4_900_000, 28_611_000, 4_901_000),
            ]
        ),
    ]
    return gpd.GeoDataFrame(
        {"name": list("abcd")}, geometry=geoms, index=[10, 20, 30, 40], crs="EPSG:4516"
    )


def test_ellipsoidal_area_km2_is_aligned_and_named() -> None:
    blocks = _blocks()
    areas = ellipsoidal_area_km2(blocks)
    assert areas.name == "area_km2"
    assert areas.index.equals(blocks.index)
    assert math.isnan(areas[20]) and areas[30] == 0.0
    assert areas[10] == pytest.approx(ellipsoidal_area(blocks.geometry[10], crs=4516) / 1e6)
    assert areas[10] == pytest.approx(2.0, rel=1e-5)
    assert areas[40] == pytest.approx(2.0, rel=5e-4)  # 100 km east of the CM
    pd.testing.assert_series_equal(ellipsoidal_area_km2(blocks.geometry), areas)


def test_ellipsoidal_area_km2_needs_a_crs() -> None:
    blocks = _blocks().set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match=r"set_crs\('EPSG:4516'\)"):
        ellipsoidal_area_km2(blocks)
    with pytest.raises(TypeError, match="DataFrame"):
        ellipsoidal_area_km2(pd.DataFrame({"a": [1]}))


def test_every_bad_row_is_reported_at_once() -> None:
    blocks = _blocks()
    blocks.loc[20, "geometry"] = LineString([(28_500_000, 4_900_000), (28_500_001, 4_900_001)])
    blocks.loc[30, "geometry"] = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    with pytest.raises(GeometryError) as caught:
        ellipsoidal_area_km2(blocks)
    assert "20 (" in str(caught.value) and "30 (" in str(caught.value)
    assert isinstance(caught.value, MineplanError) and isinstance(caught.value, ValueError)


def test_projected_area_km2() -> None:
    blocks = _blocks()
    plane = projected_area_km2(blocks)
    assert plane.name == "projected_area_km2"
    assert plane.index.equals(blocks.index)
    assert plane[10] == 2.0 and plane[40] == 2.0 and plane[30] == 0.0
    assert math.isnan(plane[20])
    # Measured in another zone the plane area grows; the ellipsoidal area does not.
    elsewhere = projected_area_km2(blocks, crs=gk_epsg(zone=27))
    assert elsewhere[10] > plane[10] * 1.001


@pytest.mark.parametrize(("crs", "message"), [(4490, "geographic"), (3857, "Mercator")])
def test_projected_area_refuses_degrees_and_web_mercator(crs: int, message: str) -> None:
    blocks = _blocks()
    with pytest.raises(CRSError, match=message):
        projected_area_km2(blocks.to_crs(crs))
    with pytest.raises(CRSError, match=message):
        projected_area_km2(blocks, crs=crs)
    with pytest.raises(CRSError, match="no CRS"):
        projected_area_km2(blocks.set_crs(None, allow_override=True))


# ----------------------------------------------------------------- speed
