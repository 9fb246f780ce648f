"""CGCS2000 Gauss-Kruger zones and their EPSG codes.

The CGCS2000 Gauss-Kruger EPSG codes (4491–4554) are *derived* from the formulas
of ``formats-and-rules.md`` §1, never typed in by hand:

======================== =========== =========================================
family                    EPSG        relation
======================== =========== =========================================
3-degree, zone prefix     4513–4533   zones 25–45, CM = 3·zone, 4488 + zone
3-degree, CM only         4534–4554   CM 75E…135E, 4534 + (CM − 75)/3
6-degree, zone prefix     4491–4501   zones 13–23, CM = 6·zone − 3, 4478 + zone
6-degree, CM only         4502–4512   CM 75E…135E, 4502 + (CM − 75)/6
======================== =========== =========================================

A prefixed CRS has false easting zone·10⁶ + 500000 m, a CM-only one 500000 m;
all have k0 = 1 and false northing 0. This module says which zone a code, a
longitude or an easting's prefix names, and the code of a zone.

May import: :mod:`mineplan.errors`, pyproj. Nothing else of mineplan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyproj

from mineplan.errors import CRSError

__all__ = [
    "FALSE_EASTING",
    "GK_EPSG_RANGE",
    "ZONE_PREFIX",
    "GKZone",
    "gk_crs_for_lonlat",
    "gk_epsg",
    "gk_zone_from_epsg",
    "zone_for_longitude",
    "zone_from_easting",
]

#: False easting of every zone's central meridian without prefix, metres.
FALSE_EASTING = 500_000.0
#: A prefixed easting carries zone · this many metres on top of :data:`FALSE_EASTING`.
ZONE_PREFIX = 1_000_000.0
#: First and last CGCS2000 Gauss-Kruger EPSG code (inclusive).
GK_EPSG_RANGE = (4491, 4554)
# width -> (first zone, last zone, first EPSG of prefixed family, first EPSG of CM-only)
_FAMILIES: dict[int, tuple[int, int, int, int]] = {
    3: (25, 45, 4513, 4534),
    6: (13, 23, 4491, 4502),
}


def _cm_of_zone(width: int, zone: int) -> float:
    return float(3 * zone) if width == 3 else float(6 * zone - 3)


def _check_width(width: int) -> None:
    if width not in _FAMILIES:
        raise CRSError(f"zone width must be 3 or 6 (degrees); received {width!r}")


@dataclass(frozen=True)
class GKZone:
    """One CGCS2000 Gauss-Kruger zone and the form its easting is written in.

    Parameters
    ----------
    width
        Zone width in degrees of longitude: 3 or 6.
    zone
        Zone number: 25–45 for 3-degree zones, 13–23 for 6-degree zones.
    central_meridian
        Central meridian, degrees east: 3·zone (3-degree) or 6·zone − 3 (6-degree).
    prefixed
        True when the easting carries the zone number as a prefix
        (false easting zone·10⁶ + 500000 m), False when it does not (500000 m).

    Raises
    ------
    CRSError
        If the combination is not one of the 64 CGCS2000 Gauss-Kruger CRSs.

    Examples
    --------
    >>> GKZone(3, 28, 84.0, True).epsg
    4516
    >>> GKZone(3, 28, 84.0, False).epsg
    4537
    """

    width: int
    zone: int
    central_meridian: float
    prefixed: bool

    def __post_init__(self) -> None:
        _check_width(self.width)
        first, last, _, _ = _FAMILIES[self.width]
        problems = []
        if not first <= self.zone <= last:
            problems.append(
                f"{self.width}-degree zone {self.zone} has no CGCS2000 code (zones {first}–{last})"
            )
        elif self.central_meridian != _cm_of_zone(self.width, self.zone):
            problems.append(
                f"central meridian {self.central_meridian}E does not belong to "
                f"{self.width}-degree zone {self.zone} "
                f"(expected {_cm_of_zone(self.width, self.zone):g}E)"
            )
        if problems:
            raise CRSError("; ".join(problems))

    @property
    def epsg(self) -> int:
        """The EPSG code of this zone in the prefixed or CM-only form."""
        first, _, prefixed_base, cm_base = _FAMILIES[self.width]
        offset = self.zone - first
        return (prefixed_base if self.prefixed else cm_base) + offset

    @property
    def false_easting(self) -> float:
        """False easting in metres: zone·10⁶ + 500000 if prefixed, else 500000."""
        return self.zone * ZONE_PREFIX + FALSE_EASTING if self.prefixed else FALSE_EASTING


def _zone_of_cm(width: int, central_meridian: float) -> int:
    first, last, _, _ = _FAMILIES[width]
    raw = central_meridian / 3 if width == 3 else (central_meridian + 3) / 6
    zone = round(raw) if math.isfinite(raw) else 0
    if raw != zone or not first <= zone <= last:
        lo, hi = _cm_of_zone(width, first), _cm_of_zone(width, last)
        step = width
        raise CRSError(
            f"central meridian {central_meridian!r} is not a CGCS2000 {width}-degree "
            f"Gauss-Kruger central meridian ({lo:g}E to {hi:g}E in steps of {step})"
        )
    return zone


def gk_epsg(
    *,
    width: int = 3,
    zone: int | None = None,
    central_meridian: float | None = None,
    prefixed: bool = True,
) -> int:
    """The EPSG code of a CGCS2000 Gauss-Kruger zone.

    Parameters
    ----------
    width
        Zone width in degrees: 3 or 6.
    zone
        Zone number (3-degree 25–45, 6-degree 13–23). Give this or `central_meridian`.
    central_meridian
        Central meridian in degrees east. Give this or `zone`.
    prefixed
        True for the CRS whose easting carries the zone prefix, False for the CM-only one.

    Returns
    -------
    int
        EPSG code in 4491–4554.

    Raises
    ------
    CRSError
        If both or neither of `zone` and `central_meridian` are given, or they name no
        CGCS2000 zone.

    Examples
    --------
    >>> gk_epsg(zone=28)
    4516
    >>> gk_epsg(central_meridian=84, prefixed=False)
    4537
    >>> gk_epsg(width=6, zone=14)
    4492
    """
    _check_width(width)
    if (zone is None) == (central_meridian is None):
        raise CRSError(
            "give exactly one of zone= or central_meridian=; "
            f"received zone={zone!r}, central_meridian={central_meridian!r}"
        )
    if zone is None:
        assert central_meridian is not None
        zone = _zone_of_cm(width, float(central_meridian))
    return GKZone(width, zone, _cm_of_zone(width, zone), prefixed).epsg


def gk_zone_from_epsg(epsg: int) -> GKZone:
    """The CGCS2000 Gauss-Kruger zone an EPSG code stands for.

    Parameters
    ----------
    epsg
        An EPSG code in 4491–4554.

    Returns
    -------
    GKZone

    Raises
    ------
    CRSError
        If the code is not a CGCS2000 Gauss-Kruger code.

    Examples
    --------
    >>> gk_zone_from_epsg(4545)
    GKZone(width=3, zone=36, central_meridian=108.0, prefixed=False)
    """
    code = int(epsg)
    if code != epsg or not GK_EPSG_RANGE[0] <= code <= GK_EPSG_RANGE[1]:
        raise CRSError(
            f"EPSG:{epsg} is not a CGCS2000 Gauss-Kruger code "
            f"(those are {GK_EPSG_RANGE[0]}–{GK_EPSG_RANGE[1]})"
        )
    for width, (first, last, prefixed_base, cm_base) in _FAMILIES.items():
        count = last - first + 1
        for base, prefixed in ((prefixed_base, True), (cm_base, False)):
            if base <= code < base + count:
                zone = first + code - base
                return GKZone(width, zone, _cm_of_zone(width, zone), prefixed)
    raise AssertionError(f"EPSG:{code} fell between the families")  # pragma: no cover


def zone_for_longitude(lon: float, *, width: int = 3) -> int:
    """The Gauss-Kruger zone number containing a longitude.

    A 3-degree zone n spans [3n − 1.5, 3n + 1.5) degrees east; a 6-degree zone n
    spans [6n − 6, 6n). A longitude on a boundary belongs to the eastern zone.

    Parameters
    ----------
    lon
        Longitude, degrees east (CGCS2000).
    width
        Zone width in degrees: 3 or 6.

    Returns
    -------
    int
        Zone number: 25–45 (3-degree) or 13–23 (6-degree).

    Raises
    ------
    CRSError
        If the longitude is not finite or lies in a zone that has no CGCS2000 code.

    Examples
    --------
    >>> zone_for_longitude(84.6)
    28
    >>> zone_for_longitude(84.6, width=6)
    15
    """
    _check_width(width)
    if not math.isfinite(lon):
        raise CRSError(f"longitude must be finite degrees east; received {lon!r}")
    zone = math.floor((lon + 1.5) / 3) if width == 3 else math.floor(lon / 6) + 1
    first, last, _, _ = _FAMILIES[width]
    if not first <= zone <= last:
        west = _cm_of_zone(width, first) - width / 2
        east = _cm_of_zone(width, last) + width / 2
        raise CRSError(
            f"longitude {lon}E lies in {width}-degree zone {zone}, which has no CGCS2000 "
            f"code; zones {first}–{last} cover {west:g}E to {east:g}E"
        )
    return zone


def zone_from_easting(y: float) -> GKZone | None:
    """The zone an easting's prefix names, if it has one.

    Parameters
    ----------
    y
        A Gauss-Kruger easting in metres as written in a file (surveyors' Y).

    Returns
    -------
    GKZone or None
        The prefixed zone floor(Y / 10⁶) when that is 25–45 (3-degree) or 13–23
        (6-degree) — the ranges do not overlap; None when Y carries no such prefix.
        Whether the rest of Y is plausible is :func:`classify_plane_pair`'s concern.

    Examples
    --------
    >>> zone_from_easting(28_512_345.6).epsg
    4516
    >>> zone_from_easting(512_345.6) is None
    True
    """
    if not math.isfinite(y):
        return None
    zone = math.floor(y / ZONE_PREFIX)
    for width, (first, last, _, _) in _FAMILIES.items():
        if first <= zone <= last:
            return GKZone(width, zone, _cm_of_zone(width, zone), True)
    return None


def gk_crs_for_lonlat(
    lon: float, lat: float, *, width: int = 3, prefixed: bool = False
) -> pyproj.CRS:
    """The CGCS2000 Gauss-Kruger CRS whose zone contains a point.

    Parameters
    ----------
    lon, lat
        The point, degrees (CGCS2000). `lat` only has to be a latitude (−90…90).
    width
        Zone width in degrees: 3 or 6.
    prefixed
        True for the CRS whose easting carries the zone prefix.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        If the point is not a longitude/latitude or lies outside the CGCS2000 zones.

    Examples
    --------
    >>> gk_crs_for_lonlat(84.6, 44.4).to_epsg()
    4537
    """
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise CRSError(f"latitude must be within -90…90 degrees; received {lat!r}")
    zone = zone_for_longitude(lon, width=width)
    return pyproj.CRS.from_epsg(gk_epsg(width=width, zone=zone, prefixed=prefixed))
