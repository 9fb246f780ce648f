"""Geometry helpers shared by the schematic and demo generators.

Both generators draw in a local Lambert azimuthal equal-area projection on the
CGCS2000 ellipsoid (plane area there is ellipsoidal area), draw from a random
generator seeded by a name (so a build is reproducible), and store
MultiPolygons. These are those three pieces, and nothing else.

May import: pyproj, shapely, numpy. Nothing of mineplan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = ["as_multipolygon", "local_equal_area_crs", "reproject", "seeded_rng"]


def reproject(transformer: Transformer, geom: BaseGeometry) -> BaseGeometry:
    """``geom`` with every vertex passed through a pyproj transformer (x=lon/easting)."""
    return shapely.transform(geom, lambda x, y: transformer.transform(x, y), interleaved=False)


def local_equal_area_crs(lon: float, lat: float) -> CRS:
    """A Lambert azimuthal equal-area CRS on the CGCS2000 ellipsoid centred at a point.

    Plane area in this CRS is ellipsoidal area (the projection is equal-area on
    the ellipsoid), so shapes can be sized in metres and keep their area.
    """
    return CRS.from_proj4(
        f"+proj=laea +lat_0={lat:.6f} +lon_0={lon:.6f} +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"
    )


def seeded_rng(key: str) -> np.random.Generator:
    """A random generator seeded by the SHA-256 of ``key``: the same key, the same draws."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """The areal parts of ``geom`` (e.g. the result of a clip) as one MultiPolygon.

    Points and lines of a GeometryCollection are dropped, and so are empty and
    zero-area polygons; nothing areal gives an empty MultiPolygon.
    """
    polys: Iterable[BaseGeometry]
    if isinstance(geom, Polygon):
        polys = [geom]
    elif isinstance(geom, MultiPolygon):
        polys = geom.geoms
    else:  # GeometryCollection from clipping: keep the areal parts
        polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
        polys = [p for g in polys for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon([p for p in polys if not p.is_empty and p.area > 0])
