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
    "deepest",
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


def deepest(points: NDArray[np.object_], area: BaseGeometry,
            weights: NDArray[np.float64]) -> int:
    """The index of the point farthest inside ``area`` by weight: the largest
    ``shapely.distance(points, area.boundary) * weights``, the first of equals as
    :func:`numpy.argmax` picks, to the bit — measuring few of those distances.

    Measuring a point's distance to a county's outline (thousands of segments)
    costs ~50 µs. A point is no farther from the outline than from any of its
    vertices, so its distance to the nearest of :data:`_BOUND_VERTICES` vertices spread
    along the outline (one array operation for all points) bounds it from above.
    Points are measured in the order of bound × weight, and once the best measured
    score exceeds what a point's bound allows, that point cannot win and is not
    measured: a handful of distances instead of hundreds.

    Parameters
    ----------
    points
        Shapely points (at least one, none empty), in the CRS of ``area``.
    weights
        One positive weight per point.
    """
    if len(points) == 0:
        raise ValueError("deepest of no points")
    boundary = area.boundary
    vertices = shapely.get_coordinates(boundary)
    if len(vertices) == 0:
        return int(np.argmax(np.asarray(shapely.distance(points, boundary)) * weights))
    sample = vertices[:: max(1, -(-len(vertices) // _BOUND_VERTICES))]
    xy = shapely.get_coordinates(points)
    squared = np.subtract.outer(xy[:, 0], sample[:, 0])
    squared *= squared
    dy = np.subtract.outer(xy[:, 1], sample[:, 1])
    squared += dy * dy
    # widened well past any rounding of the bound or of shapely's distance
    slack = 1e-9 * (1.0 + float(np.abs(sample).max()) + float(np.abs(xy).max()))
    bound = (np.sqrt(squared.min(axis=1)) * (1 + 1e-9) + slack) * weights
    order = np.argsort(-bound, kind="stable")
    best, best_score = -1, -np.inf
    for lo in range(0, len(order), _MEASURED_AT_ONCE):
        batch = order[lo:lo + _MEASURED_AT_ONCE]
        batch = batch[bound[batch] >= best_score]
        if batch.size == 0:
            break
        scores = np.asarray(shapely.distance(points[batch], boundary)) * weights[batch]
        for i, score in zip(batch.tolist(), scores.tolist(), strict=True):
            if score > best_score or (score == best_score and i < best):
                best, best_score = i, score
    return best


#: Outline vertices the bounds of :func:`deepest` are measured to (fastest of 32–512).
_BOUND_VERTICES = 128
#: Points :func:`deepest` measures per call of shapely.
_MEASURED_AT_ONCE = 2


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
