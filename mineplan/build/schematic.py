"""Schematic geometry for zones the plans list without coordinates.

The plans give a name, a county and an area, never a boundary. Until real
geometry is imported, every zone gets a *schematic* shape so it can be seen,
counted and checked — generated deterministically inside its county, with the
stated area, not overlapping other zones of the same layer of the same plan,
and marked ``geometry_status = 示意`` with a note that says how it was made.

Shapes are built in a local Lambert azimuthal equal-area projection on the
GRS80/CGCS2000 ellipsoid, where plane area equals ellipsoidal area to far
better than the 0.5 % the product promises; the stored geometry is CGCS2000
geographic (EPSG:4490).

May import: :mod:`mineplan.build.shapes`, :mod:`mineplan.errors`, :mod:`mineplan.vocab`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from mineplan.build.shapes import (
    LocalFrame,
    as_multipolygon,
    deepest,
    local_frame,
    reproject,
    seeded_rng,
)
from mineplan.errors import GeometryError
from mineplan.vocab import SCHEMATIC, STORE_CRS

__all__ = ["SchematicOptions", "schematic_zone_geometries"]

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class SchematicOptions:
    """Knobs of schematic generation.

    Attributes
    ----------
    gap_m
        Minimum distance between zones of one layer, in metres.
    no_area_radius_m
        Radius of the small circle that marks a zone the plan gives no area for.
    rel_tolerance
        Accepted relative difference between shape area and stated area.
    vertices
        Vertices of a blob-shaped zone's outline.
    samples
        Candidate centres tried when placing a zone.
    """

    gap_m: float = 150.0
    no_area_radius_m: float = 300.0
    rel_tolerance: float = 2e-4
    vertices: int = 40
    samples: int = 300


def schematic_zone_geometries(
    zones: pd.DataFrame,
    areas: Mapping[str, BaseGeometry],
    *,
    shapes: Mapping[str, str] | None = None,
    options: SchematicOptions | None = None,
) -> gpd.GeoDataFrame:
    """Generate a schematic geometry for every zone of a catalogue frame.

    Parameters
    ----------
    zones
        Catalogue rows (:func:`mineplan.catalog.read_catalog`): needs ``zone_id``,
        ``region``, ``layer``, ``county``, ``area_km2`` (km², NaN when not stated)
        and ``block_count``.
    areas
        Name → polygon in CGCS2000 geographic coordinates (EPSG:4490) of every
        county and region a zone may be placed in. A zone's ``county`` may list
        several names separated by ``、``; their union is its area. Unknown
        names fall back to the zone's ``region``.
    shapes
        Layer code → ``"rectangle"`` or ``"blob"`` (default blob).
    options
        See :class:`SchematicOptions`.

    Returns
    -------
    geopandas.GeoDataFrame
        Index of ``zones``; columns ``geometry`` (MultiPolygon, EPSG:4490),
        ``geometry_status`` (``示意``) and ``geometry_note`` (how the shape was
        made, and any shortfall of area). Deterministic: the same input gives the
        same output.

    Raises
    ------
    GeometryError
        When a zone's county and region are both unknown.
    """
    options = options or SchematicOptions()
    shapes = shapes or {}
    missing = _unplaceable(zones, areas)
    if missing:
        raise GeometryError(
            "no boundary for the county or region of: " + "; ".join(missing[:20])
            + " — add it to geodata/boundaries/boundaries.geojson or correct `county`"
        )
    geoms: dict[object, BaseGeometry] = {}
    notes: dict[object, str] = {}
    frames: dict[str, LocalFrame] = {}  # each place projected once, for all its zones
    for (_region, layer), group in zones.groupby(["region", "layer"], sort=True):
        order = group.assign(_a=group["area_km2"].fillna(-1.0)).sort_values(
            ["_a", "zone_id"], ascending=[False, True]
        )
        placed = _Placed()
        rows = order.to_dict("records")  # plain values: a Series per row costs far more
        keys = ["、".join(_area_names(z, areas)) for z in rows]
        demand = (order["area_km2"].fillna(0.0) * 1e6).to_numpy()
        for i, (idx, zone) in enumerate(zip(order.index, rows, strict=True)):
            key = keys[i]
            later = sum(d for k, d in zip(keys[i + 1 :], demand[i + 1 :], strict=True) if k == key)
            if key not in frames:
                frames[key] = local_frame(shapely.union_all([areas[n] for n in key.split("、")]))
            geom, note = _place_zone(
                zone, frames[key], placed, reserve=later,
                shape=shapes.get(str(layer), "blob"), where=key, options=options,
            )
            geoms[idx] = geom
            notes[idx] = note
    out = gpd.GeoDataFrame(
        {"geometry_status": SCHEMATIC, "geometry_note": pd.Series(notes)},
        geometry=gpd.GeoSeries(pd.Series(geoms), crs=STORE_CRS),
        index=zones.index,
    )
    return out.loc[zones.index]


# --------------------------------------------------------------------------- placement


def _area_names(zone: Mapping[str, Any], areas: Mapping[str, BaseGeometry]) -> list[str]:
    names = [n.strip() for n in str(zone.get("county", "")).split("、") if n.strip()]
    known = [n for n in names if n in areas]
    return known or [str(zone["region"])]


def _unplaceable(zones: pd.DataFrame, areas: Mapping[str, BaseGeometry]) -> list[str]:
    out = []
    for zone in zones.itertuples(index=False):
        if zone.region not in areas and not any(
            n.strip() in areas for n in str(zone.county).split("、")
        ):
            out.append(f"{zone.zone_id} (county {zone.county!r}, region {zone.region!r})")
    return out


class _Placed:
    """The zones of one layer and plan placed so far, and what each place keeps clear.

    Each later zone of a place keeps clear of every zone placed before that meets
    the place, buffered by the gap in the place's local projection; those buffers are
    made once per place and zone, not again for every later zone.
    """

    def __init__(self) -> None:
        self.geoms: list[BaseGeometry] = []
        self._taken: dict[str, tuple[int, list[BaseGeometry]]] = {}

    def taken(self, where: str, frame: LocalFrame, gap: float) -> list[BaseGeometry]:
        """Placed zones meeting ``frame``'s place, in the order placed, projected, buffered."""
        seen, buffered = self._taken.get(where, (0, []))
        for g in self.geoms[seen:]:
            if g.intersects(frame.geom):
                buffered.append(reproject(frame.fwd, g).buffer(gap))
        self._taken[where] = (len(self.geoms), buffered)
        return list(buffered)


def _place_zone(
    zone: Mapping[str, Any],
    frame: LocalFrame,
    placed: _Placed,
    *,
    reserve: float,
    shape: str,
    where: str,
    options: SchematicOptions,
) -> tuple[MultiPolygon, str]:
    rng = seeded_rng(str(zone["zone_id"]))
    region_geom, region_local, inv = frame.geom, frame.local, frame.inv
    taken = placed.taken(where, frame, options.gap_m)
    available = region_local.difference(shapely.union_all(taken)) if taken else region_local

    stated = zone["area_km2"]
    count = max(int(zone.get("block_count", 1) or 1), 1)
    parts: list[BaseGeometry] = []
    full = available.area < (options.no_area_radius_m**2) * math.pi
    if full:
        # Stated areas of this layer exceed the county: mark the place, say so.
        centre = region_local.representative_point()
        parts.append(centre.buffer(options.no_area_radius_m, quad_segs=8))
        note = (
            f"示意图形：{where}范围内已无空余（本图层规划面积之和超过所在范围），"
            "以小圆示意，可能与同图层其他示意图形重叠，非实测边界"
        )
    elif pd.isna(stated):
        centre = _pick_centre(available, rng, options)
        parts.append(centre.buffer(options.no_area_radius_m, quad_segs=8).intersection(available))
        note = (
            f"示意图形：规划未载明面积，以半径{options.no_area_radius_m:g}米小圆示意大致位置"
            f"（{where}范围内自动生成），面积无意义，非实测边界"
        )
    else:
        # Leave room for the zones of this layer still to be placed here.
        share = max(available.area - reserve * 1.02, 0.0)
        fair = available.area * float(stated) * 1e6 / (float(stated) * 1e6 + reserve)
        target = min(float(stated) * 1e6, max(share, fair)) / count
        short = float(stated) * 1e6 - target * count
        for n in range(count):
            part, got = _sized_part(available, target, rng, shape=shape, options=options)
            parts.append(part)
            short += max(target - got, 0.0)
            if n == count - 1 or available.is_empty:
                break  # (the room left after the last block is never used)
            available = available.difference(part.buffer(options.gap_m))
        block = f"，{count}个区块合计" if count > 1 else ""
        note = (f"示意图形：按规划面积{float(stated):g}平方千米{block}在{where}范围内自动生成，"
                "非实测边界")
        if short > options.rel_tolerance * float(stated) * 1e6:
            note += f"；所在范围不足，示意面积少{short / 1e6:.4f}平方千米"
    local = shapely.union_all([p for p in parts if not p.is_empty])
    # A straight edge in one projection is not straight in the other: clip again
    # in geographic coordinates so the shape never leaves its county.
    geom = as_multipolygon(reproject(inv, local).intersection(region_geom))
    placed.geoms.append(geom)
    return geom, note


def _pick_centre(available: BaseGeometry, rng: np.random.Generator,
                 options: SchematicOptions) -> shapely.Point:
    """A point well inside ``available``: the best of random candidates, by distance to its edge."""
    if available.is_empty:
        raise GeometryError("no room left to place a schematic zone")
    minx, miny, maxx, maxy = available.bounds
    xs = rng.uniform(minx, maxx, options.samples * 4)
    ys = rng.uniform(miny, maxy, options.samples * 4)
    # the first ``samples`` candidates inside, testing no more than that needs
    inside = np.zeros(len(xs), dtype=bool)
    for lo in range(0, len(xs), options.samples):
        inside[lo:lo + options.samples] = shapely.contains_xy(
            available, xs[lo:lo + options.samples], ys[lo:lo + options.samples])
        if np.count_nonzero(inside) >= options.samples:
            break
    xs, ys = xs[inside][: options.samples], ys[inside][: options.samples]
    if len(xs) == 0:
        return available.representative_point()
    points = shapely.points(xs, ys)
    # the best of depth × a random weight (drawn before any depth is measured)
    return points[deepest(points, available, rng.uniform(0.6, 1.0, len(points)))]


def _unit_shape(rng: np.random.Generator, *, shape: str, vertices: int) -> Polygon:
    """A shape of area 1 m² centred on the origin."""
    angle = rng.uniform(0, math.pi)
    if shape == "rectangle":
        aspect = rng.uniform(1.0, 2.0)
        poly = Polygon([(-aspect, -1), (aspect, -1), (aspect, 1), (-aspect, 1)])
    else:
        theta = np.linspace(0, 2 * math.pi, vertices, endpoint=False)
        radius = np.ones_like(theta)
        for k in (2, 3, 5):
            radius += rng.uniform(0.0, 0.12) * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
        stretch = rng.uniform(1.0, 1.6)
        poly = Polygon(np.column_stack([radius * np.cos(theta) * stretch, radius * np.sin(theta)]))
    poly = shapely.affinity.rotate(poly, angle, origin=(0, 0), use_radians=True)
    return shapely.affinity.scale(poly, 1 / math.sqrt(poly.area), 1 / math.sqrt(poly.area),
                                  origin=(0, 0))


def _sized_part(
    available: BaseGeometry, target: float, rng: np.random.Generator, *, shape: str,
    options: SchematicOptions,
) -> tuple[BaseGeometry, float]:
    """A shape inside ``available`` whose area is ``target`` m² (or all the room left)."""
    unit = _unit_shape(rng, shape=shape, vertices=options.vertices)
    centre = _pick_centre(available, rng, options)

    def at(scale: float) -> BaseGeometry:
        return shapely.affinity.translate(
            shapely.affinity.scale(unit, scale, scale, origin=(0, 0)), centre.x, centre.y
        )

    scale = math.sqrt(target)
    whole = at(scale)
    if available.contains(whole):
        return whole, whole.area
    room = available.area
    if room <= target * (1 + options.rel_tolerance):
        return available, room
    lo, hi = scale, scale
    while available.intersection(at(hi)).area < target:
        hi *= 1.5
        if hi > 1e3 * scale:
            return available, room
    for _ in range(60):
        mid = (lo + hi) / 2
        piece = available.intersection(at(mid))
        if abs(piece.area - target) <= options.rel_tolerance / 4 * target:
            return piece, piece.area
        lo, hi = (mid, hi) if piece.area < target else (lo, mid)
    piece = available.intersection(at(hi))
    return piece, piece.area
