"""Latitude and longitude in coordinate files: DMS text, packed DMS, decimal degrees.

Owns :func:`parse_dms` / :func:`format_dms` and the reading of geographic files:
which 计量单位 name degrees, how one X or Y written as ``84°12′30.123″`` /
``841230.123`` / ``84.2083675`` becomes decimal degrees, whether a file's numbers
are geographic at all, and the check that latitudes and longitudes lie in China
(swapping them where the axes are swapped and the caller asked for repairs).

Convention: X is the latitude, Y the longitude (``x_northing`` / ``y_easting`` of a
:class:`~mineplan.io.coordinates.model.Point`), decimal degrees once read.

May import: ``errors``, ``vocab``, ``geodesy``, :mod:`mineplan.io.text`, the model and
the parsing helpers of this package.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mineplan.errors import CoordinateFileError
from mineplan.geodesy import classify_plane_pair
from mineplan.io.coordinates.model import Plot, Point
from mineplan.io.coordinates.parsing import Problems
from mineplan.io.text import parse_number
from mineplan.vocab import CHINA_LAT_RANGE, CHINA_LON_RANGE

__all__ = [
    "RawCoord",
    "check_geographic_axes",
    "format_dms",
    "is_geographic",
    "parse_dms",
    "read_coordinate",
    "to_degrees",
    "unit_kind",
]

#: 计量单位 values, lower-cased, and how the coordinates are written under them.
_UNIT_KINDS: dict[str, str] = {
    "米": "metre",
    "m": "metre",
    "metre": "metre",
    "meter": "metre",
    "metres": "metre",
    "meters": "metre",
    "公尺": "metre",
    "度": "degree",
    "°": "degree",
    "deg": "degree",
    "degree": "degree",
    "degrees": "degree",
    "十进制度": "degree",
    "经纬度": "degree",
    "度分秒": "dms",
    "dms": "dms",
    "秒": "second",
}
_DMS_SYMBOLS = frozenset("°′″'\"’”度分秒")


@dataclass
class RawCoord:
    """A point as read, with the text of its coordinates (for degree conversion)."""

    point: Point
    label: str
    x_text: str
    y_text: str
    x_done: bool  # already decimal degrees (the text carried DMS symbols)
    y_done: bool
    index: int  # plot (boundary) or ring (registration) it belongs to


def unit_kind(unit: str) -> str | None:
    """``metre``, ``degree``, ``dms``, ``second``, ``""`` (not stated) or None (unknown)."""
    compact = unit.strip().lower().replace(" ", "")
    if not compact:
        return ""
    return _UNIT_KINDS.get(compact)


def read_coordinate(text: str, unit: str) -> tuple[float | None, bool, str | None]:
    """(value, converted, error) of one X or Y as written.

    A plain number comes back as is (converted False); text with DMS symbols (or, when
    the header declares geographic units, a ``84 12 30.123`` / ``84:12:30.123`` form)
    comes back in decimal degrees (converted True) or with the reason it is unreadable.
    """
    value = parse_number(text)
    if value is not None:
        return value, False, None
    if any(c in _DMS_SYMBOLS for c in text) or (
        unit in ("degree", "dms", "second") and re.search(r"\d[\s:]+\d", text)
    ):
        try:
            return parse_dms(text), True, None
        except CoordinateFileError as exc:
            return None, True, exc.reason
    return None, False, None


def _in_range(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _packed_pair(x: float, y: float) -> bool:
    """True if (x, y) reads as packed DMS latitude DDMMSS.sss, longitude DDDMMSS.sss."""
    lat, lon = CHINA_LAT_RANGE, CHINA_LON_RANGE
    return _in_range(x, (lat[0] * 1e4, lat[1] * 1e4)) and _in_range(y, (lon[0] * 1e4, lon[1] * 1e4))


def is_geographic(
    coords: Sequence[RawCoord],
    unit: str | None,
    unit_line: int | None,
    problems: Problems,
) -> bool:
    """Decide whether a file's coordinates are geographic (see the module docstring).

    Yes when 计量单位 names degrees; else when most points are written with DMS symbols
    (a stray one in a plane file is reported on its own line, as an implausible
    plane coordinate); else, when 计量单位 is not stated, when every pair reads as
    packed DMS in China (:data:`~mineplan.vocab.CHINA_LAT_RANGE` and
    :data:`~mineplan.vocab.CHINA_LON_RANGE` × 10⁴: latitude 30000–540000, longitude
    730000–1360000), either order.
    """
    if unit in ("degree", "dms", "second"):
        return True
    symbolic = [c for c in coords if c.x_done or c.y_done]
    if symbolic and 2 * len(symbolic) > len(coords):
        if unit == "metre":
            problems.warn(
                unit_line,
                f"计量单位 says metres but {symbolic[0].label} (line "
                f"{symbolic[0].point.line_no}) and most other points are written in "
                "degrees-minutes-seconds; reading the coordinates as latitude/longitude",
            )
        return True
    if unit == "" and coords and not symbolic:
        pairs = [(c.point.x_northing, c.point.y_easting) for c in coords]
        return all(_packed_pair(x, y) or _packed_pair(y, x) for x, y in pairs)
    return False


def _plain_to_degrees(text: str, value: float, unit: str | None) -> float:
    """Decimal degrees of a plain number in a geographic file; raises if unreadable."""
    if unit == "second":
        return value / 3600
    if abs(value) >= 10_000:  # packed DDDMMSS.sss
        return parse_dms(text)
    if unit == "dms":
        raise CoordinateFileError(
            f"{text!r} is a plain number but 计量单位=度分秒; write 84°12′30.123″ or "
            "packed 841230.123, or set 计量单位=度 for decimal degrees"
        )
    return value


def to_degrees(
    coords: Sequence[RawCoord], unit: str | None, problems: Problems
) -> tuple[set[int], set[int]]:
    """Convert plain numbers to decimal degrees in place.

    Returns the ids of points that could not be converted (to be dropped) and the
    indexes of their plots or rings.
    """
    failed: set[int] = set()
    where: set[int] = set()
    for coord in coords:
        point = coord.point
        reasons = []
        values = []
        for axis, text, value, done in (
            ("X", coord.x_text, point.x_northing, coord.x_done),
            ("Y", coord.y_text, point.y_easting, coord.y_done),
        ):
            try:
                values.append(value if done else _plain_to_degrees(text, value, unit))
            except CoordinateFileError as exc:
                reasons.append(f"{axis} {exc.reason}")
        if reasons:
            failed.add(id(point))
            where.add(coord.index)
            plane = (
                not (coord.x_done or coord.y_done)
                and classify_plane_pair(point.x_northing, point.y_easting).plausible
            )
            hint = (
                " — these look like plane coordinates in metres; set 计量单位=米" if plane else ""
            )
            problems.error(point.line_no, f"{coord.label}: " + "; ".join(reasons) + hint)
            continue
        point.x_northing, point.y_easting = values
    return failed, where


def check_geographic_axes(plots: Sequence[Plot], problems: Problems, *, fix: bool) -> set[int]:
    """Check latitude/longitude ranges; swap or report swapped axes.

    Returns the ids of plots with unusable points.
    """
    lat, lon = CHINA_LAT_RANGE, CHINA_LON_RANGE
    bad: set[int] = set()
    for plot in plots:
        for ring in plot.rings:
            for point in ring.points:
                x, y = point.x_northing, point.y_easting
                where = f"plot {plot.number or '?'} point {point.name}"
                if _in_range(x, lat) and _in_range(y, lon):
                    continue
                if _in_range(x, lon) and _in_range(y, lat):
                    if fix:
                        point.x_northing, point.y_easting = y, x
                        problems.warn(
                            point.line_no, f"{where}: latitude and longitude were swapped; swapped"
                        )
                    else:
                        bad.add(id(plot))
                        problems.error(
                            point.line_no,
                            f"{where}: X={format_dms(x)} looks like a longitude and "
                            f"Y={format_dms(y)} like a latitude — the axes are swapped (X is "
                            "the latitude, Y the longitude); swap the X and Y columns or use "
                            "--fix",
                        )
                else:
                    bad.add(id(plot))
                    problems.error(
                        point.line_no,
                        f"{where}: X={x:.8f}°, Y={y:.8f}° is not a latitude/longitude in China "
                        f"(X latitude {lat[0]:g}–{lat[1]:g}°, Y longitude {lon[0]:g}–{lon[1]:g}°); "
                        "check the numbers and 计量单位",
                    )
    return bad



_DMS_SEPARATED = re.compile(
    r"\s*([+-]?\d+(?:\.\d+)?)\s*[°度:\s-]\s*(\d+(?:\.\d+)?)\s*[′'’分:\s-]\s*"
    r"(\d+(?:\.\d+)?)\s*(?:[″\"”秒]|''|′′)?\s*([NSEWnsew]?)\s*"
)
_DMS_PACKED = re.compile(r"\s*([+-]?)(\d{5,7})(\.\d+)?\s*")


def parse_dms(text: str) -> float:
    """Degrees, minutes, seconds to decimal degrees.

    Accepts ``84°12′30.123″``, ``84°12'30.123"``, ``84°12'30.123''``, ``84°12′30.123′′``
    (″ after NFKC), ``84度12分30.123秒``,
    ``84 12 30.123``, ``84:12:30.123`` and packed ``841230.123`` (DDDMMSS.sss);
    a trailing S or W, or a leading minus, gives a negative value.

    Raises
    ------
    CoordinateFileError
        If the text is none of these, or minutes or seconds are 60 or more.

    Examples
    --------
    >>> round(parse_dms("84°12′30.123″"), 9)
    84.2083675
    >>> parse_dms("841230.123") == parse_dms("84 12 30.123")
    True
    """
    match = _DMS_SEPARATED.fullmatch(text)
    if match:
        deg_text, min_text, sec_text, hemi = match.groups()
        sign = -1.0 if deg_text.startswith("-") or hemi.upper() in ("S", "W") else 1.0
        degrees, minutes, seconds = abs(float(deg_text)), float(min_text), float(sec_text)
    else:
        packed = _DMS_PACKED.fullmatch(text)
        if not packed:
            raise CoordinateFileError(
                f"{text!r} is not degrees-minutes-seconds; write e.g. 84°12′30.123″, "
                "84 12 30.123 or 841230.123"
            )
        sign = -1.0 if packed.group(1) == "-" else 1.0
        whole = int(packed.group(2))
        degrees, minutes = float(whole // 10000), float(whole // 100 % 100)
        seconds = whole % 100 + float(packed.group(3) or 0)
    if minutes >= 60 or seconds >= 60:
        raise CoordinateFileError(f"{text!r}: minutes and seconds must be below 60")
    return sign * (degrees + minutes / 60 + seconds / 3600)


def format_dms(
    degrees: float, *, precision: int = 3, style: Literal["symbols", "packed", "spaces"] = "symbols"
) -> str:
    """Decimal degrees to text: ``84°12′30.123″`` (symbols), ``841230.123`` (packed)
    or ``84 12 30.123`` (spaces); seconds to `precision` decimals (official: 3).

    Examples
    --------
    >>> format_dms(84.2083675)
    '84°12′30.123″'
    >>> format_dms(84.2083675, style="packed")
    '841230.123'
    """
    if not math.isfinite(degrees):
        raise CoordinateFileError(f"cannot format {degrees!r} as degrees")
    sign = "-" if degrees < 0 else ""
    scale = 10**precision
    total = round(abs(degrees) * 3600 * scale)
    whole_seconds, fraction = divmod(total, scale)
    d, rest = divmod(whole_seconds, 3600)
    m, s = divmod(rest, 60)
    sec = f"{s:02d}" + (f".{fraction:0{precision}d}" if precision > 0 else "")
    if style == "packed":
        return f"{sign}{d}{m:02d}{sec}"
    if style == "spaces":
        return f"{sign}{d} {m:02d} {sec}"
    return f"{sign}{d}°{m:02d}′{sec}″"
