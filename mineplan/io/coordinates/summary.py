"""What a frame of :func:`~mineplan.io.coordinates.read_coordinates` holds, as text lines.

:func:`describe_coordinates` lists the blocks, their corners (in the source order and
numbering, plane coordinates to 2 decimals, DMS seconds to 3), the CRS, the official
area (TD/T 1055, km² to 4 decimals, rounded only here) and the stated area with the
difference — what ``mineplan coords info`` prints for a coordinate text.

May import: ``vocab``, the degrees helpers of this package.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from shapely.geometry import MultiPolygon, Polygon

from mineplan.io.coordinates.degrees import format_dms
from mineplan.vocab import (
    AREA_DECIMALS_KM2,
    AREA_UNITS_KM2,
    DMS_SECONDS_DECIMALS,
    PLANE_DECIMALS,
    area_steps,
    format_area,
)

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["area_decimals", "describe_coordinates"]


def area_decimals(unit: str) -> int:
    """Decimals that show an area in ``unit`` as precisely as km² to the official 4.

    >>> area_decimals("平方千米"), area_decimals("公顷"), area_decimals("平方米")
    (4, 2, 0)
    """
    shift = round(math.log10(1 / AREA_UNITS_KM2[unit]))
    return max(0, AREA_DECIMALS_KM2 - shift)


def _rings(geom: object) -> list[list[tuple[float, float]]]:
    parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    rings = []
    for part in parts:
        if isinstance(part, Polygon):
            for ring in [part.exterior, *part.interiors]:
                rings.append(list(ring.coords)[:-1])
    return rings


def _names(attrs_names: Sequence[Sequence[str]] | None, rings: list[list[tuple[float, float]]]
           ) -> list[list[str]]:
    if attrs_names is not None and [len(r) for r in attrs_names] == [len(r) for r in rings]:
        return [list(r) for r in attrs_names]
    return [[str(k) for k in range(1, len(r) + 1)] for r in rings]


def describe_coordinates(frame: gpd.GeoDataFrame) -> list[str]:
    """Lines describing a :func:`read_coordinates` frame: CRS, blocks, corners, areas.

    Corners are listed as X (northing) / Y (easting) in metres to
    :data:`~mineplan.vocab.PLANE_DECIMALS`, or latitude / longitude in DMS with
    :data:`~mineplan.vocab.DMS_SECONDS_DECIMALS` decimals of seconds; areas in km² to
    :data:`~mineplan.vocab.AREA_DECIMALS_KM2`, a stated area in its own unit.
    """
    crs = frame.crs
    geographic = bool(crs is not None and crs.is_geographic)
    lines = [
        f"CRS:       {crs.name if crs is not None else '?'} "
        f"(EPSG:{crs.to_epsg() if crs is not None else '?'})",
        f"blocks:    {len(frame)}",
    ]
    all_names = frame.attrs.get("point_names")
    for i, row in enumerate(frame.itertuples(index=False)):
        rings = _rings(row.geometry)
        names = _names(all_names[i] if all_names and i < len(all_names) else None, rings)
        head = f"block {row.block}" + (f" {row.name}" if row.name else "")
        extra = []
        if "top_m" in frame.columns and not math.isnan(row.top_m):
            bottom = "" if math.isnan(row.bottom_m) else f"{row.bottom_m:g}"
            extra.append(f"elevation {row.top_m:g} m to {bottom} m")
        lines.append(
            f"{head}: {len(rings)} ring(s), {sum(len(r) for r in rings)} corners"
            + (f"; {', '.join(extra)}" if extra else "")
        )
        for ring_no, (ring, ring_names) in enumerate(zip(rings, names, strict=True), start=1):
            hole = " (hole)" if ring_no > 1 and _is_hole(row.geometry, ring) else ""
            lines.append(f"  ring {ring_no}{hole}:")
            for name, (x, y) in zip(ring_names, ring, strict=True):
                if geographic:
                    lines.append(
                        f"    {name:>5}  latitude {format_dms(y, precision=DMS_SECONDS_DECIMALS)}"
                        f"  longitude {format_dms(x, precision=DMS_SECONDS_DECIMALS)}"
                    )
                else:
                    lines.append(
                        f"    {name:>5}  X {y:.{PLANE_DECIMALS}f}  Y {x:.{PLANE_DECIMALS}f}"
                    )
        area = f"{row.area_km2:.{AREA_DECIMALS_KM2}f} km²"
        lines.append(f"  official area (TD/T 1055): {area}")
        unit = row.stated_area_unit
        if not math.isnan(row.stated_area):
            if unit:
                computed = row.area_km2 / AREA_UNITS_KM2[unit]
                difference = format_area(row.area_difference, unit)
                agree = area_steps(row.area_km2) == area_steps(row.stated_area
                                                                * AREA_UNITS_KM2[unit])
                lines.append(
                    f"  stated area: {row.stated_area:g} {unit}; computed "
                    f"{format_area(computed, unit)}; difference "
                    f"{difference if difference.startswith('-') else '+' + difference}"
                    + ("" if agree else " (does not round to the stated area at the official "
                       f"{AREA_DECIMALS_KM2} decimals of km²)")
                )
            else:
                lines.append(f"  stated area: {row.stated_area:g} (no unit; not compared)")
    return lines


def _is_hole(geom: object, ring: list[tuple[float, float]]) -> bool:
    parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    return any(
        isinstance(p, Polygon) and any(list(h.coords)[:-1] == ring for h in p.interiors)
        for p in parts
    )
