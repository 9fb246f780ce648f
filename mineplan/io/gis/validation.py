"""Geometry checks of a GIS layer: missing, empty, not polygonal, invalid — all reported;
coordinates that are not numbers (NaN, infinite) refused.

May import: ``errors``, the drivers of this package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely
import shapely.errors

from mineplan.errors import CoordinateFileError, problem_list
from mineplan.io.gis.drivers import row_list

__all__ = ["WARNING_LIMIT", "check_finite", "validate"]

#: Most per-feature warnings one kind of geometry problem adds to a read's warnings.
WARNING_LIMIT = 50


def validate(
    frame: gpd.GeoDataFrame,
    *,
    path: Path,
    expect: Literal["polygon"] | None,
    strict: bool,
    fix: bool,
    warnings: list[str],
) -> gpd.GeoDataFrame:
    """The frame, invalid geometries repaired when ``fix``; every problem goes to
    ``warnings``, or raises once when ``strict``.

    Raises
    ------
    CoordinateFileError
        With ``strict``: every geometry problem, one per line.
    """
    geoms = np.asarray(frame.geometry.array)
    problems: list[str] = []
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    for i in np.flatnonzero(missing | empty):
        problems.append(f"feature {i}: {'no geometry' if missing[i] else 'empty geometry'}")
    if expect == "polygon":
        kinds = shapely.get_type_id(geoms)
        polygonal = np.isin(kinds, [3, 6])
        for i in np.flatnonzero(~polygonal & ~missing & ~empty):
            problems.append(f"feature {i}: a {geoms[i].geom_type}, not a polygon")
    elif expect is not None:
        raise ValueError(f"expect must be 'polygon' or None; received {expect!r}")

    invalid = ~missing & ~empty & ~shapely.is_valid(geoms)
    repaired = []
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[i])
        if fix:
            try:
                geoms[i] = shapely.make_valid(geoms[i])
            except shapely.errors.GEOSException as exc:  # e.g. numbers near 1e308
                problems.append(f"feature {i}: invalid geometry ({reason}) that cannot be "
                                f"repaired ({exc})")
                continue
            repaired.append(f"feature {i}: repaired ({reason}) into a {geoms[i].geom_type}")
        else:
            problems.append(f"feature {i}: invalid geometry ({reason})")
    if problems and strict:
        raise CoordinateFileError(
            problem_list(problems)
            + ("" if fix else "\nFix them in the source, or give --fix to repair invalid ones"),
            path=path,
        )
    warnings.extend(_capped(problems, "geometry problems"))
    warnings.extend(_capped(repaired, "repairs"))
    if repaired:
        frame = frame.copy()
        frame[frame.geometry.name] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    return frame



def _capped(lines: list[str], what: str) -> list[str]:
    """The first :data:`WARNING_LIMIT` lines and one more saying how many were left out
    (a file of a million broken features must not print a million lines)."""
    if len(lines) <= WARNING_LIMIT:
        return lines
    return [*lines[:WARNING_LIMIT], f"… and {len(lines) - WARNING_LIMIT} more {what}"]


#: Features whose coordinates :func:`check_finite` copies at a time (all at once, a
#: 200 MB upload's 7 million vertices took ~180 MB more than the frame itself).
_FINITE_BATCH = 2048


def check_finite(frame: gpd.GeoDataFrame, *, path: Path) -> None:
    """Refuse coordinates that are NaN or infinite, naming the features.

    No repair is safe (which number was meant?), so ``fix`` does not apply.

    Raises
    ------
    CoordinateFileError
        Some feature has a NaN or infinite x or y.
    """
    geometries = np.asarray(frame.geometry.array)
    found = []
    for start in range(0, len(geometries), _FINITE_BATCH):  # bounded: never every coordinate
        coords, index = shapely.get_coordinates(geometries[start:start + _FINITE_BATCH],
                                                return_index=True)
        found.append(np.unique(index[~np.isfinite(coords).all(axis=1)]) + start)
    bad = np.concatenate(found) if found else np.array([], dtype=int)
    if len(bad):
        raise CoordinateFileError(
            f"{len(bad)} feature(s) have coordinates that are not numbers (NaN or "
            f"infinite): features {row_list([int(i) for i in bad])}; fix them in the source",
            path=path,
        )
