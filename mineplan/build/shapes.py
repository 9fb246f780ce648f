"""Geometry helpers shared by the schematic and demo generators.

Both generators draw in a local Lambert azimuthal equal-area projection on the
CGCS2000 ellipsoid (plane area there is ellipsoidal area), draw from a random
generator seeded by a name (so a build is reproducible), and store
MultiPolygons. These are those pieces, and nothing else.

A :class:`LocalFrame` is a place (a county, or several) projected once into its
own local CRS, with the transformers both ways, reused for every zone placed in
it. The transformers are built from the PROJ pipeline itself — degrees to
radians, then the projection on the GRS80 ellipsoid, no datum shift — which is
the operation PROJ chooses between CGCS2000 (EPSG:4490) and that CRS, and gives
the same coordinates to the bit; asking PROJ to choose costs ~20 ms a
transformer, the pipeline ~0.1 ms.

May import: pyproj, shapely, numpy. Nothing of mineplan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = [
    "LocalFrame",
    "as_multipolygon",
    "distance_to_edge",
    "local_equal_area_crs",
    "local_frame",
    "reproject",
    "seeded_rng",
]

#: Longest edge, degrees, of a place's outline before it is projected (~200 m):
#: a straight edge in degrees is not straight in the local projection.
_SEGMENT_DEG = 0.002


def reproject(transformer: Transformer, geom: BaseGeometry) -> BaseGeometry:
    """``geom`` with every vertex passed through a pyproj transformer (x=lon/easting)."""
    return shapely.transform(geom, lambda x, y: transformer.transform(x, y), interleaved=False)


def _laea(lon: float, lat: float) -> str:
    """PROJ string of the Lambert azimuthal equal-area projection centred at a point."""
    return f"+proj=laea +lat_0={lat:.6f} +lon_0={lon:.6f} +x_0=0 +y_0=0 +ellps=GRS80 +units=m"


def local_equal_area_crs(lon: float, lat: float) -> CRS:
    """A Lambert azimuthal equal-area CRS on the CGCS2000 ellipsoid centred at a point.

    Plane area in this CRS is ellipsoidal area (the projection is equal-area on
    the ellipsoid), so shapes can be sized in metres and keep their area.
    """
    return CRS.from_proj4(f"{_laea(lon, lat)} +no_defs")


@dataclass(frozen=True)
class LocalFrame:
    """A place in CGCS2000 degrees and in its own local equal-area CRS.

    Attributes
    ----------
    geom
        The place, EPSG:4490.
    local
        The place in the local CRS (metres), densified to ~200 m edges first and
        made valid.
    fwd, inv
        Transformers EPSG:4490 → :func:`local_equal_area_crs` and back (x = longitude).
    """

    geom: BaseGeometry
    local: BaseGeometry
    fwd: Transformer
    inv: Transformer


def local_frame(geom: BaseGeometry, *, centre: tuple[float, float] | None = None) -> LocalFrame:
    """``geom`` (EPSG:4490) projected into the equal-area CRS centred at ``centre``.

    Parameters
    ----------
    geom
        A polygonal place, CGCS2000 degrees.
    centre
        (longitude, latitude) of the projection's centre; default a point on the
        surface of ``geom`` (its representative point).
    """
    if centre is None:
        point = geom.representative_point()
        centre = (point.x, point.y)
    laea = _laea(*centre)
    # = Transformer.from_crs(STORE_CRS, local_equal_area_crs(*centre), always_xy=True)
    # and back, to the bit (tests/test_schematic.py), without the operation search.
    fwd = Transformer.from_pipeline(
        f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step {laea}"
    )
    inv = Transformer.from_pipeline(
        f"+proj=pipeline +step +inv {laea} +step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )
    local = shapely.make_valid(reproject(fwd, shapely.segmentize(geom, _SEGMENT_DEG)))
    return LocalFrame(geom=geom, local=local, fwd=fwd, inv=inv)


def distance_to_edge(points: NDArray[np.object_], area: BaseGeometry) -> NDArray[np.float64]:
    """Distance of each point to the boundary of ``area``, in the units of its CRS.

    The same numbers as ``shapely.distance(points, area.boundary)``, to the bit,
    found faster. A point's distance to a line is the least of its distances to
    the line's segments, each measured by GEOS alike whichever line the segment
    belongs to; so the boundary is cut into runs of :data:`_RUN_SEGMENTS`
    segments, the runs indexed in an STRtree, and each point measured against
    the nearest runs only rather than against all the thousands of segments of a
    county's outline.
    """
    boundary = area.boundary
    runs = _segment_runs(boundary)
    if runs.size == 0 or len(points) == 0:
        return np.asarray(shapely.distance(points, boundary), dtype=np.float64)
    (which, _), dist = shapely.STRtree(runs).query_nearest(
        points, return_distance=True, all_matches=False
    )
    out = np.full(len(points), np.nan)
    out[which] = dist
    return out


#: Segments per run of :func:`distance_to_edge` (fastest of 4–64 on the counties).
_RUN_SEGMENTS = 16


def _segment_runs(lines: BaseGeometry) -> NDArray[np.object_]:
    """``lines`` cut into LineStrings of at most :data:`_RUN_SEGMENTS` consecutive segments."""
    coords, part = shapely.get_coordinates(shapely.get_parts(lines), return_index=True)
    counts = np.bincount(part) if part.size else np.zeros(0, dtype=np.intp)
    offsets = np.r_[0, np.cumsum(counts)[:-1]].astype(np.intp)
    size = _RUN_SEGMENTS
    per_part = np.where(counts >= 2, -(-(counts - 1) // size), 0)  # ceil((n - 1) / size)
    owner = np.repeat(np.arange(counts.size), per_part)
    nth = np.arange(owner.size) - np.repeat(np.cumsum(per_part) - per_part, per_part)
    first = offsets[owner] + nth * size
    length = np.minimum(size, counts[owner] - 1 - nth * size) + 1  # points per run, ≥ 2
    within = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    take = np.repeat(first, length) + within
    return np.asarray(
        shapely.linestrings(coords[take], indices=np.repeat(np.arange(owner.size), length)),
        dtype=object,
    ).reshape(-1)


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
