"""Plane-coordinate plausibility: does a number pair read as (northing, easting) in China?

Surveyors write X = northing, Y = easting; files often swap them or drop the zone
prefix. :func:`classify_plane_pair` says which, from the numbers alone: a
Gauss-Kruger northing in China lies in :data:`CHINA_NORTHING_RANGE`, an easting
within :data:`EASTING_HALF_RANGE` of the false easting, with or without a zone
prefix. The ranges do not overlap, so the verdict is unique.

May import: :mod:`mineplan.geodesy.zones`. Pure arithmetic; no pyproj.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, TypeAlias

from mineplan.geodesy.zones import FALSE_EASTING, ZONE_PREFIX, GKZone, zone_from_easting

__all__ = [
    "CHINA_NORTHING_RANGE",
    "EASTING_HALF_RANGE",
    "PlanePairClass",
    "PlanePairKind",
    "classify_plane_pair",
]

#: Plausible Gauss-Kruger northing X in China, metres (inclusive).
CHINA_NORTHING_RANGE: tuple[float, float] = (2.0e6, 5.9e6)
#: A plausible easting lies within 500000 ± this many metres of the false origin.
EASTING_HALF_RANGE = 350_000.0

#: What a (first, second) number pair from a coordinate file looks like.
PlanePairKind: TypeAlias = Literal[
    "northing_easting_prefixed",
    "northing_easting",
    "swapped_prefixed",
    "swapped",
    "implausible",
]


class PlanePairClass(NamedTuple):
    """The verdict of :func:`classify_plane_pair`.

    Attributes
    ----------
    kind
        ``"northing_easting_prefixed"`` / ``"northing_easting"``: as surveyors write
        them (X northing first), Y with / without zone prefix;
        ``"swapped_prefixed"`` / ``"swapped"``: the easting came first;
        ``"implausible"``: not a Gauss-Kruger coordinate in China.
    zone
        The zone named by the easting's prefix, else None.
    """

    kind: PlanePairKind
    zone: GKZone | None

    @property
    def plausible(self) -> bool:
        """True unless the pair is implausible."""
        return self.kind != "implausible"

    @property
    def swapped(self) -> bool:
        """True when the easting came first."""
        return self.kind.startswith("swapped")


def _is_northing(value: float) -> bool:
    return CHINA_NORTHING_RANGE[0] <= value <= CHINA_NORTHING_RANGE[1]


def _is_plain_easting(value: float) -> bool:
    return abs(value - FALSE_EASTING) <= EASTING_HALF_RANGE


def _prefixed_easting_zone(value: float) -> GKZone | None:
    zone = zone_from_easting(value)
    if zone is None or not _is_plain_easting(value - zone.zone * ZONE_PREFIX):
        return None
    return zone


def classify_plane_pair(x: float, y: float) -> PlanePairClass:
    """Say whether a coordinate pair reads as (northing, easting) in China.

    Parameters
    ----------
    x
        The first number of the pair, metres: surveyors' X, expected to be the
        northing (plausible in China: 2.0e6–5.9e6).
    y
        The second number, metres: surveyors' Y, expected to be the easting, with a
        zone prefix (zone·10⁶ + 500000 ± 350000, zone 25–45 or 13–23) or without
        one (500000 ± 350000).

    Returns
    -------
    PlanePairClass
        ``(kind, zone)``; the three ranges do not overlap, so the verdict is unique.

    Examples
    --------
    >>> classify_plane_pair(4_920_123.4, 28_512_345.6).kind
    'northing_easting_prefixed'
    >>> classify_plane_pair(512_345.6, 4_920_123.4)
    PlanePairClass(kind='swapped', zone=None)
    >>> classify_plane_pair(44.4, 84.6).kind
    'implausible'
    """
    x, y = float(x), float(y)
    for northing, easting, tail in ((x, y, ""), (y, x, "swapped")):
        if not _is_northing(northing):
            continue
        zone = _prefixed_easting_zone(easting)
        if zone is not None:
            kind = f"{tail}_prefixed" if tail else "northing_easting_prefixed"
            return PlanePairClass(kind, zone)  # type: ignore[arg-type]
        if _is_plain_easting(easting):
            return PlanePairClass(tail or "northing_easting", None)  # type: ignore[arg-type]
    return PlanePairClass("implausible", None)
