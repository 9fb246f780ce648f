"""The CRS of a GIS layer: from the file, from the caller, or from the numbers themselves.

:func:`settle_crs` takes the CRS asked for, else the file's own, else judges the
numbers: longitude/latitude in China are CGCS2000 geographic; Gauss-Kruger metres
with a zone prefix name their zone; without a prefix the caller must give the zone.
Metres read as degrees are refused, x/y stored swapped (northing as x) are refused
or swapped back when asked, and a declared CRS the numbers contradict is reported.

May import: ``errors``, ``vocab``, ``geodesy``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pyproj
import pyproj.exceptions
import shapely
from pyproj.exceptions import CRSError as _PyprojCRSError

from mineplan.errors import CRSError
from mineplan.geodesy import CRSLike, classify_plane_pair, gk_epsg, gk_zone_from_epsg
from mineplan.vocab import GEOGRAPHIC_EPSG, in_china_degrees

__all__ = ["CRSSource", "settle_crs"]

#: Where the CRS of a :class:`~mineplan.io.gis.reading.ReadResult` came from.
CRSSource = Literal[
    "file", "argument", "zone argument", "detected from coordinates", "assumed CGCS2000 geographic"
]

_CGCS2000_GEOGRAPHIC = GEOGRAPHIC_EPSG["CGCS2000"]


def settle_crs(
    frame: gpd.GeoDataFrame,
    *,
    path: Path,
    crs: CRSLike | None,
    zone: int | None,
    swap_axes: bool,
    warnings: list[str],
) -> tuple[gpd.GeoDataFrame, CRSSource]:
    """The frame with its CRS set (x/y swapped back when ``swap_axes`` and needed),
    and where the CRS came from; what the caller should be told goes to ``warnings``.

    Raises
    ------
    CRSError
        No CRS and numbers that name none, swapped axes without ``swap_axes``, a
        geographic CRS on metres, an unknown ``crs``, a ``zone`` the prefix contradicts.
    """
    bounds = _bounds(frame)
    wanted = _to_crs(crs, path) if crs is not None else None
    declared = wanted if wanted is not None else frame.crs
    if bounds is not None and (declared is None or declared.is_projected):
        corners = [
            classify_plane_pair(bounds[1], bounds[0]),
            classify_plane_pair(bounds[3], bounds[2]),
        ]
        if corners[0].swapped and corners[0].kind == corners[1].kind:
            if not swap_axes:
                minx, miny, maxx, maxy = bounds
                raise CRSError(
                    f"{path}: the x values look like northings and the y values like eastings "
                    f"(x {_metres(minx)}…{_metres(maxx)}, y {_metres(miny)}…{_metres(maxy)}): "
                    "the axes are swapped. Swap them in the source, or give --swap-axes"
                )
            warnings.append("x and y were swapped in the file (northing stored as x); swapped back")
            frame = frame.set_geometry(
                shapely.transform(frame.geometry.array, lambda xy: xy[:, ::-1]), crs=frame.crs
            )
            bounds = _bounds(frame)
    if wanted is not None:
        if frame.crs is not None and not frame.crs.equals(wanted):
            warnings.append(
                f"the file declares {_label(frame.crs)}; using {_label(wanted)} as asked"
            )
        _check_crs_against_numbers(wanted, bounds, path=path, warnings=warnings)
        _check_usable(wanted, bounds, path=path, source="the CRS given")
        return frame.set_crs(wanted, allow_override=True), "argument"
    if frame.crs is not None:
        _check_crs_against_numbers(frame.crs, bounds, path=path, warnings=warnings)
        _check_usable(frame.crs, bounds, path=path, source="the file's CRS (.prj or header)")
        return frame, "file"
    if bounds is None:
        raise CRSError(
            f"{path}: the file has no CRS and no coordinates to judge one from; give --crs"
        )

    minx, miny, maxx, maxy = bounds
    if in_china_degrees(minx, miny) and in_china_degrees(maxx, maxy):
        warnings.append(
            "the file has no CRS; its numbers are longitude/latitude in China: "
            f"assumed CGCS2000 geographic (EPSG:{_CGCS2000_GEOGRAPHIC})"
        )
        return frame.set_crs(_CGCS2000_GEOGRAPHIC), "assumed CGCS2000 geographic"

    corners = [classify_plane_pair(miny, minx), classify_plane_pair(maxy, maxx)]
    kinds = {c.kind for c in corners}
    older = "(Xian 1980 and Beijing 1954 files look the same: give --crs if it is one)"
    if kinds == {"northing_easting_prefixed"}:
        zones = {c.zone for c in corners}
        found = corners[0].zone
        if len(zones) != 1 or found is None:
            raise CRSError(
                f"{path}: the eastings carry different zone prefixes "
                f"({_metres(minx)}…{_metres(maxx)}); split the file by zone or give --crs"
            )
        if zone is not None and zone != found.zone:
            raise CRSError(
                f"{path}: --zone {zone} was given but the eastings carry zone prefix "
                f"{found.zone}; drop --zone or fix the coordinates"
            )
        warnings.append(
            f"the file has no CRS; eastings carry zone prefix {found.zone}: "
            f"CGCS2000 {found.width}-degree Gauss-Kruger EPSG:{found.epsg} {older}"
        )
        return frame.set_crs(found.epsg), "detected from coordinates"

    if kinds == {"northing_easting"}:
        if zone is None:
            raise CRSError(
                f"{path}: the file has no CRS and its eastings "
                f"({_metres(minx)}…{_metres(maxx)}) carry no zone prefix, so the zone cannot "
                "be known; give the zone (--zone) or the CRS (--crs)"
            )
        width = 6 if zone < 25 else 3
        try:
            epsg = gk_epsg(width=width, zone=zone, prefixed=False)
        except CRSError as exc:
            raise CRSError(f"{path}: --zone {zone}: {exc}") from exc
        warnings.append(
            f"the file has no CRS; used {width}-degree zone {zone} as given: "
            f"CGCS2000 Gauss-Kruger EPSG:{epsg} {older}"
        )
        return frame.set_crs(epsg), "zone argument"

    raise CRSError(
        f"{path}: the file has no CRS and its coordinates (x {minx:g}…{maxx:g}, "
        f"y {miny:g}…{maxy:g}) are neither degrees in China nor CGCS2000 Gauss-Kruger "
        "metres; give the CRS (--crs)"
    )


def _check_crs_against_numbers(
    crs: pyproj.CRS,
    bounds: tuple[float, float, float, float] | None,
    *,
    path: Path,
    warnings: list[str],
) -> None:
    if bounds is None:
        return
    minx, miny, maxx, maxy = bounds
    degree_like = minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90
    if crs.is_geographic and not degree_like:
        raise CRSError(
            f"{path}: the CRS is {_label(crs)} (degrees) but the coordinates reach "
            f"x {_metres(minx)}…{_metres(maxx)}, y {_metres(miny)}…{_metres(maxy)}, "
            "which are metres; give the right projected CRS (--crs)"
        )
    if crs.is_projected and degree_like:
        warnings.append(
            f"the CRS is {_label(crs)} (metres) but every coordinate is within "
            "±180/±90: these look like degrees; check the CRS"
        )
        return
    epsg = crs.to_epsg()
    if epsg is None or not crs.is_projected:
        return
    try:
        gk = gk_zone_from_epsg(epsg)
    except CRSError:
        return  # not a CGCS2000 Gauss-Kruger zone: nothing to compare
    prefixed_numbers = minx >= 1_000_000
    if gk.prefixed != prefixed_numbers:
        have = "carry" if prefixed_numbers else "lack"
        warnings.append(
            f"the CRS is EPSG:{epsg} ({'with' if gk.prefixed else 'without'} zone "
            f"prefix) but the eastings {have} one ({_metres(minx)}…{_metres(maxx)}); check the CRS"
        )


def _check_usable(
    crs: pyproj.CRS,
    bounds: tuple[float, float, float, float] | None,
    *,
    path: Path,
    source: str,
) -> None:
    """Refuse a CRS whose parameters are absurd: the corners of the data must go to
    CGCS2000 degrees and back (a scale factor of 0, a central meridian of 1e308, an
    unknown projection or unit all fail one way or the other)."""
    if bounds is None:
        return
    minx, miny, maxx, maxy = bounds
    if crs.is_projected and minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:
        return  # degrees under a projected CRS: already reported as a warning
    xs, ys = [minx, maxx, minx, maxx], [miny, maxy, maxy, miny]
    try:
        forward = pyproj.Transformer.from_crs(crs, _CGCS2000_GEOGRAPHIC, always_xy=True)
        lon, lat = forward.transform(xs, ys, errcheck=True)
        back_x, back_y = forward.transform(lon, lat, direction="INVERSE", errcheck=True)
    except (pyproj.exceptions.ProjError, _PyprojCRSError, ValueError, OverflowError) as exc:
        raise CRSError(
            f"{path}: {source}, {_label(crs)}, cannot place the coordinates "
            f"(x {minx:g}…{maxx:g}, y {miny:g}…{maxy:g}) on the earth ({exc}); "
            "fix the .prj or give the right CRS (--crs)"
        ) from exc
    values = np.array([*lon, *lat, *back_x, *back_y], dtype=float)
    original = np.array([*xs, *ys], dtype=float)
    back = values[8:]
    if not np.isfinite(values).all() or not np.allclose(back, original, rtol=1e-8, atol=1e-3):
        raise CRSError(
            f"{path}: {source}, {_label(crs)}, has absurd parameters: the coordinates "
            f"(x {minx:g}…{maxx:g}, y {miny:g}…{maxy:g}) do not survive the way to "
            "degrees and back; fix the .prj or give the right CRS (--crs)"
        )


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    geoms = frame.geometry.array
    present = np.asarray(geoms)[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(present) == 0:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(present)
    return float(minx), float(miny), float(maxx), float(maxy)


def _to_crs(crs: CRSLike, path: Path) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs)
    except _PyprojCRSError as exc:
        raise CRSError(f"{path}: unknown CRS {crs!r} (try e.g. 'EPSG:4516'): {exc}") from exc


def _metres(value: float) -> str:
    """A coordinate for a message: whole metres, or 3 significant digits when absurd.

    >>> _metres(28512000.4), _metres(1e308)
    ('28512000', '1e+308')
    """
    return f"{value:.0f}" if abs(value) < 1e12 else f"{value:.3g}"


def _label(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name
