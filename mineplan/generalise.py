"""Geometry generalised for the screen: a pixel's tolerance, valid rings, nothing lost.

A web map shows a zoom level where one screen pixel covers a known number of degrees
(Web Mercator tiles of 256 pixels). Drawing more detail than a pixel can show only
costs bytes and time. :func:`simplify_for_screen` removes it with Douglas–Peucker
*without* topology preservation (GEOS's topology-preserving variant is 20–25× slower
on a provincial red line) and then repairs what that may break: a self-crossing
ring is made valid (``make_valid``, structure method), collapsed holes are dropped,
and a part that collapses whole (smaller than the tolerance) is drawn as its
bounding box, so no feature disappears from the map. Douglas–Peucker keeps every
removed vertex within the tolerance of the simplified outline (within twice that
where GEOS also drops a ring's start vertex), so with the 0.4-pixel tolerance
callers use the drawn shape stays within a pixel of the stored one.

Used for display only — by the store's per-zoom display copies
(:mod:`mineplan.store.overviews`) and the web map's per-view geometry
(:mod:`mineplan.web.display`); checks and areas always use the stored geometry.

May import shapely and numpy only.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

__all__ = ["TILE_PIXELS", "pixel_degrees", "simplify_for_screen", "zoom_for_view"]

#: Pixels across a Web Mercator tile: at zoom z the world (360° of longitude) is
#: ``TILE_PIXELS * 2**z`` pixels wide.
TILE_PIXELS = 256

_POLYGONAL = (3, 6)  # shapely type ids: Polygon, MultiPolygon


def pixel_degrees(zoom: float, lat: float | np.ndarray) -> float | np.ndarray:
    """The size of one screen pixel at ``zoom``, in degrees, at latitude ``lat`` (degrees).

    A pixel is ``360 / (256·2**zoom)`` degrees of longitude and that times
    ``cos(lat)`` degrees of latitude on a Web Mercator map; the smaller (latitude) one
    is returned, so a tolerance of that size is under a pixel both ways. ``cos`` is
    bounded below by 0.2 (the map stops well before the poles).
    """
    cos = np.maximum(np.cos(np.radians(np.abs(lat))), 0.2)
    out = 360.0 / (TILE_PIXELS * 2.0**zoom) * cos
    return float(out) if np.ndim(out) == 0 else out


def zoom_for_view(west: float, east: float, width_px: int) -> float:
    """The (fractional) Web Mercator zoom at which ``west``–``east`` fills ``width_px``."""
    span = max(east - west, 1e-9)
    return math.log2(360.0 * width_px / (TILE_PIXELS * span))


def simplify_for_screen(geoms: np.ndarray, tolerance: float | np.ndarray) -> np.ndarray:
    """Geometries simplified by ``tolerance`` (degrees), every polygon valid, none lost.

    Parameters
    ----------
    geoms
        Shapely geometries (None and empty pass through).
    tolerance
        Douglas–Peucker tolerance, one value or one per geometry.

    Returns
    -------
    numpy.ndarray
        The simplified geometries, same length and order. Polygons are simplified
        ring by ring (GEOS's polygon simplifier repairs with ``buffer(0)``, which
        can drop a lobe of a self-crossing ring: several pixels off); a hole that
        collapses is dropped (it was under the tolerance), an outer ring that
        collapses becomes its part's bounding box (a dot on the map, not nothing),
        and what is invalid is made valid with ``make_valid`` (structure method).
        Other geometries are simplified as lines.
    """
    geoms = np.asarray(geoms, dtype=object)
    tol = np.broadcast_to(np.asarray(tolerance, dtype=float), geoms.shape)
    out = np.array(geoms, dtype=object)
    polygonal = np.isin(shapely.get_type_id(geoms), _POLYGONAL) & ~shapely.is_empty(geoms)
    other = ~polygonal & ~shapely.is_missing(geoms)
    if other.any():
        out[other] = shapely.simplify(geoms[other], tol[other], preserve_topology=False)
    if not polygonal.any():
        return out
    where = np.flatnonzero(polygonal)
    parts, part_of = shapely.get_parts(geoms[where], return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    simple = shapely.simplify(rings, tol[where][part_of][ring_of], preserve_topology=False)
    first = np.r_[True, ring_of[1:] != ring_of[:-1]]  # each part's outer ring
    gone = first & ~_ring_ok(simple)
    if gone.any():  # a part smaller than the tolerance: its box (a dot), not nothing
        boxes = shapely.envelope(rings[gone])
        simple[gone] = np.where(shapely.get_type_id(boxes) == 3,
                                shapely.get_exterior_ring(boxes), simple[gone])
    kept = _ring_ok(simple)
    shell_kept = np.zeros(len(parts), dtype=bool)
    shell_kept[ring_of[first]] = kept[first]
    kept &= shell_kept[ring_of]
    result = np.empty(len(where), dtype=object)
    if kept.any():
        live_parts, dense = np.unique(ring_of[kept], return_inverse=True)
        polys = shapely.polygons(simple[kept], indices=dense)
        feature = part_of[live_parts]
        live_features, dense_feature = np.unique(feature, return_inverse=True)
        result[live_features] = shapely.multipolygons(polys, indices=dense_feature)
        single = np.bincount(dense_feature) == 1
        was_single = shapely.get_type_id(geoms[where][live_features]) == 3
        unwrap = live_features[single & was_single]
        if len(unwrap):
            result[unwrap] = shapely.get_geometry(result[unwrap], 0)
        bad = np.zeros(len(where), dtype=bool)
        bad[live_features] = ~shapely.is_valid(result[live_features])
        if bad.any():
            fixed = shapely.make_valid(result[bad], method="structure", keep_collapsed=False)
            result[bad] = [_polygons_of(g) for g in fixed]
    missing = np.array([g is None or shapely.is_empty(g) or shapely.area(g) == 0
                        for g in result], dtype=bool)
    if missing.any():
        result[missing] = shapely.envelope(geoms[where][missing])
    out[where] = result
    return out


def _ring_ok(rings: np.ndarray) -> np.ndarray:
    """Which simplified rings are still rings (a collapsed one comes back as a line)."""
    return (shapely.get_type_id(rings) == 2) & (shapely.get_num_coordinates(rings) >= 4)


def _polygons_of(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of ``geom`` (a make_valid result may add lines or points)."""
    if shapely.get_type_id(geom) in _POLYGONAL:
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in _POLYGONAL]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.multipolygons(polys) if polys else shapely.Polygon()
