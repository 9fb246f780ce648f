""""Go to" a coordinate on the browse map: one point typed as a planner writes it.

Accepted (CGCS2000): longitude and latitude in decimal degrees or degrees-minutes-
seconds (either order: the values say which is which), or a Gauss-Krüger X (northing)
and Y (easting) in metres, the Y with its zone prefix or the zone given. Degrees are
read by :func:`mineplan.io.coordinates.degrees.parse_dms`, zones by
:mod:`mineplan.geodesy`, as on the check page.

Errors are :class:`~mineplan.errors.CoordinateFileError` with a reason code the web
app's message table (:mod:`mineplan.web.messages`) says in Chinese.

May import :mod:`mineplan.vocab`, :mod:`mineplan.errors`, :mod:`mineplan.geodesy` and
:mod:`mineplan.io.coordinates`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyproj

from mineplan.errors import CoordinateFileError
from mineplan.geodesy import gk_epsg, zone_from_easting
from mineplan.io.coordinates.degrees import parse_dms
from mineplan.vocab import STORE_CRS, in_china_degrees

__all__ = ["GoTo", "parse_goto"]

_SPLIT = re.compile(r"\s*[,，;；]\s*")


@dataclass(frozen=True)
class GoTo:
    """A point to show: degrees (CGCS2000 ≈ WGS84 on a map) and its label."""

    lat: float
    lon: float
    label: str


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return parse_dms(text)


def _parts(text: str) -> list[str]:
    text = text.strip().replace("，", ",")
    parts = [p for p in _SPLIT.split(text) if p]
    if len(parts) == 2:
        return parts
    words = text.split()
    if len(words) == 2:
        return words
    if len(words) in (6, 8) and len(words) % 2 == 0:  # "84 12 30 43 50 10"
        half = len(words) // 2
        return [" ".join(words[:half]), " ".join(words[half:])]
    raise CoordinateFileError(f"{text!r}: give two numbers", code="goto_two_values",
                              fields={"text": text})


def parse_goto(text: str, *, zone: int | None = None) -> GoTo:
    """The point ``text`` names (see the module's docstring).

    Examples
    --------
    >>> g = parse_goto("81.32, 43.91"); (g.lon, g.lat)
    (81.32, 43.91)
    >>> g = parse_goto("43°54′36″ 81°19′12″"); (round(g.lon, 4), round(g.lat, 4))
    (81.32, 43.91)
    >>> g = parse_goto("4868302.752, 27521834.400"); (round(g.lon, 3), round(g.lat, 3))
    (81.272, 43.95)
    """
    try:
        a, b = (_number(p) for p in _parts(text))
    except CoordinateFileError as err:
        if err.code:
            raise
        raise CoordinateFileError(str(err), code="goto_unreadable",
                                  fields={"text": text}) from err
    if in_china_degrees(a, b):
        return GoTo(lat=b, lon=a, label=f"经度 {a:.6f}，纬度 {b:.6f}")
    if in_china_degrees(b, a):
        return GoTo(lat=a, lon=b, label=f"经度 {b:.6f}，纬度 {a:.6f}")
    # X is the northing; Y the easting: the one with a zone prefix, else the shorter
    if zone_from_easting(a) is not None and zone_from_easting(b) is None:
        x, y = b, a
    elif zone_from_easting(b) is not None:
        x, y = a, b
    else:
        x, y = (a, b) if a > b else (b, a)
    gk = zone_from_easting(y)
    if gk is not None:
        epsg = gk_epsg(width=gk.width, zone=gk.zone)
    elif zone is not None and 100_000 <= y < 1_000_000:
        epsg = gk_epsg(width=3, zone=zone, prefixed=False)
    else:
        raise CoordinateFileError(f"{text!r}: not degrees in China nor a zoned GK pair",
                                  code="goto_no_zone", fields={"text": text})
    to_degrees = pyproj.Transformer.from_crs(epsg, STORE_CRS, always_xy=True)
    lon, lat = to_degrees.transform(y, x)
    if not in_china_degrees(lon, lat):
        raise CoordinateFileError(f"{text!r}: lies outside China", code="goto_outside",
                                  fields={"text": text})
    return GoTo(lat=float(lat), lon=float(lon), label=f"X {x:.3f}，Y {y:.3f}")
