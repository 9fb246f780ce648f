"""CGCS2000 Gauss-Kruger zones, plane-coordinate plausibility and ellipsoidal area.

Three small concerns that every other module measures with, one module each:

* :mod:`~mineplan.geodesy.zones` — Gauss-Kruger zones ↔ EPSG codes (4491–4554,
  derived from the formulas, never typed in), the zone of a longitude or of an
  easting's prefix, the CRS of a point's zone.
* :mod:`~mineplan.geodesy.plane` — whether a number pair reads as (northing,
  easting) in China, swapped, with or without zone prefix.
* :mod:`~mineplan.geodesy.area` — the official ellipsoidal area of TD/T 1055-2019
  Appendix D (图斑椭球面积), and the plane area (投影面积) for comparison only.

All longitudes and latitudes are in degrees, east and north positive; shapely
geometries are always (x, y) = (easting, northing) or (longitude, latitude),
whatever axis order the CRS's authority declares.

May import: :mod:`mineplan.vocab`, :mod:`mineplan.errors`, pyproj, shapely, numpy,
pandas, geopandas. Nothing above (io, store, build, checks …) imports into here.
This ``__init__`` only re-exports; import from ``mineplan.geodesy``.
"""

from __future__ import annotations

from mineplan.geodesy.area import (
    CGCS2000_INVERSE_FLATTENING,
    CGCS2000_SEMI_MAJOR_AXIS,
    CRSLike,
    ellipsoidal_area,
    ellipsoidal_area_km2,
    ellipsoidal_areas_km2,
    projected_area_km2,
)
from mineplan.geodesy.plane import (
    CHINA_NORTHING_RANGE,
    EASTING_HALF_RANGE,
    PlanePairClass,
    PlanePairKind,
    classify_plane_pair,
)
from mineplan.geodesy.zones import (
    FALSE_EASTING,
    GK_EPSG_RANGE,
    ZONE_PREFIX,
    GKZone,
    gk_crs_for_lonlat,
    gk_epsg,
    gk_zone_from_epsg,
    zone_for_longitude,
    zone_from_easting,
)

__all__ = [
    "CGCS2000_INVERSE_FLATTENING",
    "CGCS2000_SEMI_MAJOR_AXIS",
    "CHINA_NORTHING_RANGE",
    "EASTING_HALF_RANGE",
    "FALSE_EASTING",
    "GK_EPSG_RANGE",
    "ZONE_PREFIX",
    "CRSLike",
    "GKZone",
    "PlanePairClass",
    "PlanePairKind",
    "classify_plane_pair",
    "ellipsoidal_area",
    "ellipsoidal_area_km2",
    "ellipsoidal_areas_km2",
    "gk_crs_for_lonlat",
    "gk_epsg",
    "gk_zone_from_epsg",
    "projected_area_km2",
    "zone_for_longitude",
    "zone_from_easting",
]
