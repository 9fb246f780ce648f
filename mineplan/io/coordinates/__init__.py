"""Read and write the coordinate text files planners exchange block boundaries in.

Three layouts (``formats-and-rules.md`` §2):

* the land-boundary exchange TXT (报盘 / 勘测定界 format): ``[属性描述]`` header
  of ``key=value`` lines, then ``[地块坐标]`` with plot header lines ending in ``@``
  and point lines ``点名,圈号,X,Y``;
* the mining-right registration layout: ``[登记项目]``, ``XY001=点号,X,Y`` lines and a
  ``XYnnn=标高,上限,下限,,flag`` line closing each area;
* the compact block string ``区域数,拐点数,x1,y1,…,flag,上标高,下标高`` of planning
  and mining-right databases.

Axes are named everywhere: ``x_northing`` is the surveyors' X (northing, metres),
``y_easting`` their Y (easting, metres, usually with the zone prefix). Shapely
geometries built here are (x, y) = (easting, northing), as GIS expects.

Files may instead give geographic coordinates (``计量单位=度`` / ``度分秒`` / ``秒`` /
``经纬度``, values written ``84°12′30.123″`` or packed ``841230.123``, or decimal
degrees under ``计量单位=度``). The same convention holds: X is the latitude, Y the
longitude; they are read into decimal degrees (``x_northing`` = latitude,
``y_easting`` = longitude), the file's CRS becomes the datum's geographic CRS
(CGCS2000 EPSG:4490, Xian 1980 EPSG:4610, Beijing 1954 EPSG:4214) and geometries
are (x, y) = (longitude, latitude).

Parsing is pure (``parse_*`` over bytes or str); ``read_*`` and ``write_*`` are thin
path wrappers. A parser collects every problem of a file and raises one
:class:`~mineplan.errors.CoordinateFileError` naming each line; non-fatal findings
go to :attr:`CoordinateFile.warnings` (also logged).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal, cast

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj.database import query_crs_info
from pyproj.enums import PJType
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import LinearRing

from mineplan.errors import CoordinateFileError, MineplanError
from mineplan.geodesy import (
    GKZone,
    classify_plane_pair,
    ellipsoidal_area,
    gk_epsg,
)

__all__ = [
    "CRSInfo",
    "CoordinateFile",
    "Plot",
    "Point",
    "Ring",
    "format_block_string",
    "format_boundary_txt",
    "format_dms",
    "format_registration_txt",
    "parse_block_string",
    "parse_boundary_txt",
    "parse_dms",
    "parse_registration_txt",
    "plot_geometry",
    "plots_from_frame",
    "read_boundary_txt",
    "read_registration_txt",
    "to_geodataframe",
    "write_boundary_txt",
    "write_registration_txt",
]

log = logging.getLogger(__name__)

PlotKind = Literal["面", "线", "点"]
FileFormat = Literal["boundary", "registration"]

#: Names of the plot-header fields after 记录图形属性, in the national spec's order.
PLOT_FIELD_NAMES: tuple[str, ...] = ("图幅号", "地块用途", "地类编码")

#: Area units a plot header may carry, as m² per unit. A bare number is 公顷.
_AREA_UNITS: dict[str, float] = {
    "": 1e4,
    "公顷": 1e4,
    "ha": 1e4,
    "hm2": 1e4,
    "hm²": 1e4,
    "km2": 1e6,
    "km²": 1e6,
    "平方公里": 1e6,
    "平方千米": 1e6,
    "m2": 1.0,
    "m²": 1.0,
    "平方米": 1.0,
    "亩": 10000.0 / 15.0,
}

_DATUM_NAMES = {
    "CGCS2000": "2000国家大地坐标系",
    "Xian 1980": "1980西安坐标系",
    "Beijing 1954": "1954北京坐标系",
}
#: The geographic (latitude/longitude) CRS of each datum.
GEOGRAPHIC_EPSG: dict[str, int] = {"CGCS2000": 4490, "Xian 1980": 4610, "Beijing 1954": 4214}

Units = Literal["metre", "dms", "degree"]
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
#: Plausible latitude and longitude of China, degrees (formats-and-rules.md §1–2).
CHINA_LATITUDE_RANGE = (18.0, 54.0)
CHINA_LONGITUDE_RANGE = (73.0, 136.0)
_DMS_SYMBOLS = frozenset("°′″'\"’”度分秒")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_AREA_TEXT = re.compile(r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(.*?)\s*")
_MAX_PROBLEMS_SHOWN = 20


# ---------------------------------------------------------------------- data model


@dataclass
class Point:
    """One vertex as written in a file.

    Attributes
    ----------
    name
        Point name or number as written (``J1``, ``1`` …).
    x_northing
        Surveyors' X: the northing in metres — or, in a file of geographic
        coordinates, the latitude in decimal degrees.
    y_easting
        Surveyors' Y: the easting in metres, with the zone prefix if the file has one
        — or, in a file of geographic coordinates, the longitude in decimal degrees.
    line_no
        1-based line of the file the point came from (None when built in code).
    """

    name: str
    x_northing: float
    y_easting: float
    line_no: int | None = None


@dataclass
class Ring:
    """One ring of a plot: distinct vertices in order, the closing repeat implied.

    Attributes
    ----------
    ring_no
        圈号 as written; ring 1 is the outer ring of the first part.
    points
        The vertices, without the repeated first point that closes the ring in a file.
    flag
        The area flag of registration files and block strings (−1: a hole cut from the
        preceding area; 0 or 1: an area). None for boundary files, whose holes are
        decided by containment.
    top_m, bottom_m
        Upper and lower elevation limits (标高) in metres, where the layout carries them.
    """

    ring_no: int
    points: list[Point] = field(default_factory=list)
    flag: int | None = None
    top_m: float | None = None
    bottom_m: float | None = None


@dataclass
class Plot:
    """One plot (地块) or mining-right block.

    Attributes
    ----------
    number, name
        地块编号 and 地块名称 as written.
    kind
        记录图形属性: 面 (polygon), 线 (line) or 点 (points).
    stated_area
        The area printed in the plot header, in `stated_area_unit`; None if blank.
    stated_area_unit
        The unit printed after the area ("" when bare, which the national spec
        defines as 公顷).
    fields
        The non-blank remaining header fields by name (图幅号, 地块用途, 地类编码, then
        字段9 … by position).
    rings
        The rings in file order.
    line_no
        Line of the plot header (None when built in code).
    """

    number: str
    name: str
    kind: PlotKind = "面"
    stated_area: float | None = None
    stated_area_unit: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    rings: list[Ring] = field(default_factory=list)
    line_no: int | None = None


@dataclass
class CRSInfo:
    """What a file says (or its coordinates show) about its CRS.

    Attributes
    ----------
    datum
        ``"CGCS2000"``, ``"Xian 1980"``, ``"Beijing 1954"`` or None when unknown.
    width
        Zone width in degrees (3 or 6), or None (also for geographic coordinates).
    zone
        Zone number, or None (also for geographic coordinates).
    prefixed
        True when the eastings carry the zone prefix.
    epsg
        The EPSG code of the projected CRS (or, for geographic coordinates, of the
        datum's geographic CRS: 4490, 4610, 4214), or None when it cannot be determined.
    geographic
        True when the coordinates are latitude/longitude in decimal degrees.
    """

    datum: str | None
    width: int | None
    zone: int | None
    prefixed: bool
    epsg: int | None
    geographic: bool = False


@dataclass
class CoordinateFile:
    """A parsed coordinate file.

    Attributes
    ----------
    format
        ``"boundary"`` (land-boundary exchange TXT) or ``"registration"``.
    encoding
        The encoding the bytes were decoded with: ``utf-8``, ``utf-8-sig`` (BOM),
        ``utf-16``, ``gbk`` or ``gb18030``.
    header
        The ``key=value`` lines of ``[属性描述]`` / ``[登记项目]``, keys stripped.
    plots
        The plots in file order.
    crs
        The CRS the coordinates are in.
    warnings
        Non-fatal findings, each naming its line.
    """

    format: FileFormat
    encoding: str
    header: dict[str, str]
    plots: list[Plot]
    crs: CRSInfo
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------ problems


class _Problems:
    """Collects fatal problems (line, message) and warnings; raises once."""

    def __init__(self, source: str | Path) -> None:
        self.source = source
        self.errors: list[tuple[int | None, str]] = []
        self.warnings: list[str] = []

    def error(self, line: int | None, message: str) -> None:
        self.errors.append((line, message))

    def warn(self, line: int | None, message: str) -> None:
        text = f"line {line}: {message}" if line is not None else message
        log.debug("%s: %s", self.source, text)  # returned to the caller, who reports it
        self.warnings.append(text)

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        ordered = sorted(self.errors, key=lambda e: (e[0] is None, e[0] or 0))
        first_line = ordered[0][0]
        if len(ordered) == 1:
            raise CoordinateFileError(ordered[0][1], path=self.source, line=first_line)
        shown = [
            (f"line {line}: {msg}" if line is not None else msg)
            for line, msg in ordered[:_MAX_PROBLEMS_SHOWN]
        ]
        more = len(ordered) - len(shown)
        tail = f"\n  … and {more} more" if more > 0 else ""
        raise CoordinateFileError(
            f"{len(ordered)} problems:\n  " + "\n  ".join(shown) + tail,
            path=self.source,
            line=first_line,
        )


# ------------------------------------------------------------------------ decoding


def _decode(data: bytes, problems: _Problems) -> tuple[str, str]:
    """Text and the encoding it was read with; raises for empty or binary data."""
    if not data.strip():
        raise CoordinateFileError(
            "the file is empty; export the coordinates again", path=problems.source
        )
    text: str | None = None
    encoding = ""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gbk", "gb18030"]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        encoding = candidate
        break
    if text is None:
        bad = _first_undecodable(data, candidates[-1])
        line = data[:bad].count(b"\n") + 1
        raise CoordinateFileError(
            f"byte {bad} cannot be decoded as {' or '.join(candidates)}: this is not a "
            "text coordinate file (binary junk?); save it as GBK or UTF-8 text",
            path=problems.source,
            line=line,
        )
    for number, line_text in enumerate(_lines(text), start=1):
        junk = [c for c in line_text if (ord(c) < 32 and c not in "\t\x1a") or c == "\ufffd"]
        if junk:
            raise CoordinateFileError(
                f"control character {junk[0]!r} in the text: this is not a text coordinate "
                "file (binary junk?); save it as GBK or UTF-8 text",
                path=problems.source,
                line=number,
            )
    return text.replace("\ufeff", ""), encoding


def _first_undecodable(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start
    return 0  # pragma: no cover


def _source_bytes(source: str | Path | bytes) -> tuple[bytes, str | Path]:
    if isinstance(source, bytes):
        return source, "<data>"
    path = Path(source)
    try:
        return path.read_bytes(), path
    except OSError as exc:
        raise CoordinateFileError(f"cannot read the file: {exc.strerror}", path=path) from exc


def _lines(text: str) -> list[str]:
    """Lines split at LF (CRLF and LF alike; CR alone only in a file with no LF).

    Unlike :meth:`str.splitlines` this does not split at form feeds or Unicode line
    separators, so line numbers match what an editor shows.
    """
    if "\n" not in text:
        return text.split("\r")
    return [line.removesuffix("\r") for line in text.split("\n")]


def _fields(line: str) -> list[str]:
    return [part.strip() for part in line.replace("，", ",").split(",")]


def _number(text: str) -> float | None:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


# -------------------------------------------------------------- geographic coordinates


@dataclass
class _RawCoord:
    """A point as read, with the text of its coordinates (for degree conversion)."""

    point: Point
    label: str
    x_text: str
    y_text: str
    x_done: bool  # already decimal degrees (the text carried DMS symbols)
    y_done: bool
    index: int  # plot (boundary) or ring (registration) it belongs to


def _unit_kind(unit: str) -> str | None:
    """``metre``, ``degree``, ``dms``, ``second``, ``""`` (not stated) or None (unknown)."""
    compact = unit.strip().lower().replace(" ", "")
    if not compact:
        return ""
    return _UNIT_KINDS.get(compact)


def _read_coordinate(text: str, unit: str) -> tuple[float | None, bool, str | None]:
    """(value, converted, error) of one X or Y as written.

    A plain number comes back as is (converted False); text with DMS symbols (or, when
    the header declares geographic units, a ``84 12 30.123`` / ``84:12:30.123`` form)
    comes back in decimal degrees (converted True) or with the reason it is unreadable.
    """
    value = _number(text)
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
    lat, lon = CHINA_LATITUDE_RANGE, CHINA_LONGITUDE_RANGE
    return _in_range(x, (lat[0] * 1e4, lat[1] * 1e4)) and _in_range(y, (lon[0] * 1e4, lon[1] * 1e4))


def _is_geographic(
    coords: Sequence[_RawCoord],
    unit: str | None,
    unit_line: int | None,
    problems: _Problems,
) -> bool:
    """Decide whether a file's coordinates are geographic (see the module docstring).

    Yes when 计量单位 names degrees; else when most points are written with DMS symbols
    (a stray one in a plane file is reported on its own line, as an implausible
    plane coordinate); else, when 计量单位 is not stated, when every pair reads as
    packed DMS (latitude 180000–540000, longitude 730000–1360000, either order).
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


def _to_degrees(
    coords: Sequence[_RawCoord], unit: str | None, problems: _Problems
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


def _check_geographic_axes(plots: Sequence[Plot], problems: _Problems, *, fix: bool) -> set[int]:
    """Check latitude/longitude ranges; swap or report swapped axes.

    Returns the ids of plots with unusable points.
    """
    lat, lon = CHINA_LATITUDE_RANGE, CHINA_LONGITUDE_RANGE
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
                            "--fix (fix=True in Python)",
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


# ------------------------------------------------------------------ boundary files


@dataclass
class _RawRing:
    ring_no: int
    points: list[Point]


def parse_boundary_txt(
    data: bytes | str, *, source: str | Path = "<data>", fix: bool = False
) -> CoordinateFile:
    """Parse a land-boundary exchange TXT (``[属性描述]`` / ``[地块坐标]``).

    Parameters
    ----------
    data
        The file's bytes (encoding detected: BOM, then UTF-8, then GBK / GB18030) or
        already decoded text.
    source
        Name used in messages (the path, when read from disk).
    fix
        Repair what can be repaired, with a warning each: close unclosed rings, drop
        duplicate consecutive points, swap X/Y where the axes are swapped.

    Returns
    -------
    CoordinateFile
        Coordinates in metres, X = northing, Y = easting; CRS from 坐标系, 几度分带,
        带号 and the easting prefix. Geographic files (计量单位 = 度 / 度分秒 / 秒 /
        经纬度, DMS symbols in the values, or packed DMS DDMMSS.sss / DDDMMSS.sss in
        China's range) give X = latitude, Y = longitude in decimal degrees and the
        datum's geographic CRS (EPSG:4490 / 4610 / 4214, width and zone None).

    Raises
    ------
    CoordinateFileError
        Once, naming every fatal problem and its line: empty or binary file,
        truncated plot, non-numeric coordinate, fewer than 3 distinct points,
        unclosed ring, self-intersection or crossing rings, swapped axes,
        implausible numbers, wrong zone, minutes or seconds of 60 or more, a
        计量单位 that is neither metres nor degrees.

    Examples
    --------
    >>> text = "[地块坐标]\\n5,,A1,demo,面,,,,@\\n" + "\\n".join(
    ...     f"J{i},1,{x},{y}" for i, (x, y) in enumerate(
    ...         [(4921000, 28512000), (4921000, 28513000), (4920000, 28513000),
    ...          (4920000, 28512000), (4921000, 28512000)], start=1))
    >>> cf = parse_boundary_txt(text)
    >>> cf.crs.epsg, len(cf.plots[0].rings[0].points)
    (4516, 4)
    """
    problems = _Problems(source)
    if isinstance(data, str):
        text, encoding = data, "str"
        if not text.strip():
            raise CoordinateFileError(
                "the file is empty; export the coordinates again", path=source
            )
    else:
        text, encoding = _decode(data, problems)
    header: dict[str, str] = {}
    header_lines: dict[str, int] = {}
    plots: list[Plot] = []
    counts: list[int | None] = []
    raw_rings: list[list[_RawRing]] = []
    point_lines: list[int] = []
    broken: set[int] = set()  # plots with unreadable point lines: skip follow-on checks
    coords: list[_RawCoord] = []
    section = ""
    saw_section = False
    for line_no, raw in enumerate(_lines(text), start=1):
        line = raw.strip().rstrip("\x1a")
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            saw_section = True
            if section not in ("属性描述", "地块坐标"):
                problems.warn(line_no, f"unknown section [{section}] ignored")
            continue
        if section == "属性描述":
            key, sep, value = line.partition("=")
            if not sep:
                problems.warn(line_no, f"header line without '=' ignored: {line!r}")
                continue
            header[key.strip()] = value.strip()
            header_lines[key.strip()] = line_no
            continue
        if section not in ("地块坐标", "") or (section == "" and saw_section):
            continue
        if line.endswith("@"):
            plot, count = _parse_plot_header(line, line_no, problems)
            plots.append(plot)
            counts.append(count)
            raw_rings.append([])
            point_lines.append(0)
            continue
        parts = _fields(line)
        if not plots:
            problems.error(
                line_no,
                f"point line {line!r} comes before any plot header; a plot starts with a "
                "line like '5,12.3456,KC-01,名称,面,,,,@'",
            )
            continue
        plot = plots[-1]
        if len(parts) != 4:
            broken.add(len(plots) - 1)
            problems.error(
                line_no,
                f"plot {plot.number or '?'}: expected '点名,圈号,X,Y' (4 fields), found "
                f"{len(parts)} in {line!r}",
            )
            continue
        point_lines[-1] += 1
        name, ring_text, x_text, y_text = parts
        ring_no = int(ring_text) if ring_text.isdigit() else None
        unit = _unit_kind(header.get("计量单位", ""))
        x, x_dms, x_why = _read_coordinate(x_text, unit or "")
        y, y_dms, y_why = _read_coordinate(y_text, unit or "")
        bad = []
        if ring_no is None or ring_no < 1:
            bad.append(f"圈号 {ring_text!r} is not a positive whole number")
        for axis, written, number, why in (("X", x_text, x, x_why), ("Y", y_text, y, y_why)):
            if why is not None:
                bad.append(f"{axis} {why}")
            elif number is None:
                bad.append(f"{axis} {written!r} is not a number")
        if bad:
            broken.add(len(plots) - 1)
            hint = (
                "; write X and Y in metres as plain decimals, or as latitude and longitude "
                "(84°12′30.123″ or 841230.123)"
                if not (x_why or y_why)
                else ""
            )
            problems.error(
                line_no, f"plot {plot.number or '?'} point {name}: " + "; ".join(bad) + hint
            )
            continue
        assert ring_no is not None and x is not None and y is not None
        rings = raw_rings[-1]
        point = Point(name, x, y, line_no)
        label = f"plot {plot.number or '?'} point {name}"
        coords.append(_RawCoord(point, label, x_text, y_text, x_dms, y_dms, len(plots) - 1))
        if rings and rings[-1].ring_no == ring_no:
            rings[-1].points.append(point)
        elif any(r.ring_no == ring_no for r in rings):
            problems.error(
                line_no,
                f"plot {plot.number or '?'} point {name}: ring {ring_no} appears again after "
                "another ring; keep each ring's points together",
            )
        else:
            rings.append(_RawRing(ring_no, [point]))
    if not plots:
        problems.error(
            None,
            "no plot found: the file has no plot header line ending in '@' "
            "(is this a land-boundary exchange TXT?)",
        )
        problems.raise_if_any()
    unit_text = header.get("计量单位", "")
    unit = _unit_kind(unit_text)
    if unit is None:
        problems.error(
            header_lines.get("计量单位"),
            f"计量单位={unit_text!r} is neither metres (米, plane coordinates) nor degrees "
            "(度, 度分秒, 秒: latitude/longitude); correct the header",
        )
    geographic = _is_geographic(coords, unit, header_lines.get("计量单位"), problems)
    if geographic:
        failed, where = _to_degrees(coords, unit, problems)
        broken |= where
        for rings in raw_rings:
            for raw_ring in rings:
                raw_ring.points = [p for p in raw_ring.points if id(p) not in failed]
    for i, (plot, count, rings, found) in enumerate(
        zip(plots, counts, raw_rings, point_lines, strict=True)
    ):
        if count is not None and found < count:
            problems.error(
                plot.line_no,
                f"plot {plot.number or '?'}: the header says {count} points but only {found} "
                "follow — the file looks truncated; export it again",
            )
        elif count is not None and found > count:
            problems.warn(
                plot.line_no,
                f"plot {plot.number or '?'}: the header says {count} points, {found} follow",
            )
        quiet = _Problems(source) if i in broken else problems
        plot.rings = _finish_rings(plot, rings, quiet, fix=fix, closed=True)
    crs, unusable = _boundary_crs(
        header, header_lines, plots, problems, fix=fix, geographic=geographic
    )
    for i, plot in enumerate(plots):
        if i not in broken and id(plot) not in unusable:
            _check_geometry(plot, problems)
    _warn_duplicate_numbers(plots, problems)
    problems.raise_if_any()
    return CoordinateFile("boundary", encoding, header, plots, crs, problems.warnings)


def read_boundary_txt(source: str | Path | bytes, *, fix: bool = False) -> CoordinateFile:
    """Read a land-boundary exchange TXT from a path (or bytes).

    See :func:`parse_boundary_txt` for what is checked and repaired.
    """
    data, name = _source_bytes(source)
    return parse_boundary_txt(data, source=name, fix=fix)


def _parse_plot_header(line: str, line_no: int, problems: _Problems) -> tuple[Plot, int | None]:
    parts = _fields(line[:-1])
    parts += [""] * (5 - len(parts))
    count_text, area_text, number, name, kind = parts[:5]
    count: int | None = None
    if count_text.isdigit():
        count = int(count_text)
    elif count_text:
        problems.error(
            line_no,
            f"plot {number or '?'}: point count {count_text!r} is not a whole number; "
            "the first header field is the number of point lines",
        )
    area: float | None = None
    unit = ""
    if area_text:
        match = _AREA_TEXT.fullmatch(area_text)
        if match and match.group(2).lower() in _AREA_UNITS and _number(match.group(1)) is not None:
            area, unit = float(match.group(1)), match.group(2)
        else:
            problems.warn(line_no, f"plot {number}: area {area_text!r} not understood; ignored")
    if kind not in ("面", "线", "点"):
        if kind:
            problems.warn(line_no, f"plot {number}: geometry kind {kind!r} read as 面")
        kind = "面"
    extras = parts[5:]
    while extras and not extras[-1]:
        extras.pop()
    names = [*PLOT_FIELD_NAMES, *(f"字段{i}" for i in range(9, 9 + len(extras)))]
    fields = {k: v for k, v in zip(names, extras, strict=False) if v}
    plot = Plot(number, name, cast(PlotKind, kind), area, unit, fields, [], line_no)
    return plot, count


def _finish_rings(
    plot: Plot, raw: list[_RawRing], problems: _Problems, *, fix: bool, closed: bool
) -> list[Ring]:
    """Check closure, duplicates and point count of each ring; return the rings."""
    rings: list[Ring] = []
    if not raw:
        problems.error(plot.line_no, f"plot {plot.number or '?'} has no points")
        return rings
    for raw_ring in raw:
        points = list(raw_ring.points)
        label = f"plot {plot.number or '?'} ring {raw_ring.ring_no}"
        if plot.kind == "面" and len(points) > 1:
            first, last = points[0], points[-1]
            if (first.x_northing, first.y_easting) == (last.x_northing, last.y_easting):
                points.pop()
            elif closed and fix:
                problems.warn(
                    last.line_no,
                    f"{label}: not closed (last point {last.name} ≠ first point "
                    f"{first.name}); closed it by repeating {first.name}",
                )
            elif closed:
                problems.error(
                    last.line_no,
                    f"{label}: not closed — last point {last.name} differs from first point "
                    f"{first.name}; repeat {first.name} at the end or use --fix "
                    "(fix=True in Python)",
                )
        kept: list[Point] = []
        for point in points:
            prev = kept[-1] if kept else None
            if prev and (prev.x_northing, prev.y_easting) == (point.x_northing, point.y_easting):
                action = "removed" if fix else "use --fix (fix=True in Python) to remove it"
                problems.warn(
                    point.line_no,
                    f"{label} point {point.name} repeats point {prev.name} ({action})",
                )
                if fix:
                    continue
            kept.append(point)
        distinct = {(p.x_northing, p.y_easting) for p in kept}
        needed = {"面": 3, "线": 2, "点": 1}[plot.kind]
        if len(distinct) < needed:
            where = kept[-1].line_no if kept else plot.line_no
            problems.error(
                where,
                f"{label}: only {len(distinct)} distinct points; a {plot.kind} needs at least "
                f"{needed} — the plot is incomplete",
            )
        rings.append(Ring(raw_ring.ring_no, kept))
    return rings


def _header_width(header: dict[str, str]) -> tuple[str | None, int | None]:
    for key in ("几度分带", "分带", "分带方式", "投影带"):
        value = header.get(key, "")
        if value:
            if "3" in value or "三" in value:
                return key, 3
            if "6" in value or "六" in value:
                return key, 6
            return key, None
    return None, None


def _header_datum(value: str) -> str | None:
    compact = value.replace(" ", "").upper()
    if "2000" in compact or "CGCS" in compact:
        return "CGCS2000"
    if "1980" in compact or "西安" in compact or "XIAN" in compact or compact.startswith("80"):
        return "Xian 1980"
    if "1954" in compact or "北京" in compact or "BEIJING" in compact or compact.startswith("54"):
        return "Beijing 1954"
    return None


def _check_axes(
    plots: Sequence[Plot], problems: _Problems, *, fix: bool
) -> tuple[list[tuple[Point, GKZone | None]], set[int]]:
    """Classify every point; swap or report swapped axes; report implausible numbers.

    Returns the (point, prefix zone) pairs of usable points and the ids of plots with
    unusable points (their geometry is not checked: it would only repeat the problem).
    """
    classified: list[tuple[Point, GKZone | None]] = []
    bad: set[int] = set()
    for plot in plots:
        for ring in plot.rings:
            for point in ring.points:
                verdict = classify_plane_pair(point.x_northing, point.y_easting)
                where = f"plot {plot.number or '?'} point {point.name}"
                if verdict.swapped:
                    if fix:
                        point.x_northing, point.y_easting = point.y_easting, point.x_northing
                        problems.warn(point.line_no, f"{where}: X and Y were swapped; swapped")
                    else:
                        bad.add(id(plot))
                        problems.error(
                            point.line_no,
                            f"{where}: X={point.x_northing:.3f} looks like an easting and "
                            f"Y={point.y_easting:.3f} like a northing — the axes are swapped; "
                            "swap the X and Y columns or use --fix (fix=True in Python)",
                        )
                        continue
                elif not verdict.plausible:
                    bad.add(id(plot))
                    problems.error(
                        point.line_no,
                        f"{where}: X={point.x_northing!r}, Y={point.y_easting!r} is not a "
                        "Gauss-Kruger coordinate in China (X northing 2.0e6–5.9e6 m, Y easting "
                        "500000 ± 350000 m, optionally with zone prefix); check the numbers",
                    )
                    continue
                classified.append((point, verdict.zone))
    return classified, bad


def _boundary_crs(
    header: dict[str, str],
    header_lines: dict[str, int],
    plots: Sequence[Plot],
    problems: _Problems,
    *,
    fix: bool,
    geographic: bool = False,
) -> tuple[CRSInfo, set[int]]:
    datum_text = header.get("坐标系", "")
    datum = _header_datum(datum_text) if datum_text else None
    if datum_text and datum is None:
        problems.warn(
            header_lines.get("坐标系"),
            f"坐标系 {datum_text!r} is not CGCS2000, Xian 1980 or Beijing 1954; the datum "
            "cannot be determined and no EPSG code is assigned",
        )
    elif not datum_text:
        problems.warn(None, "坐标系 not stated; assuming 2000国家大地坐标系 (CGCS2000)")
        datum = "CGCS2000"
    if geographic:
        bad = _check_geographic_axes(plots, problems, fix=fix)
        epsg = GEOGRAPHIC_EPSG[datum] if datum is not None else None
        if datum is not None and datum != "CGCS2000":
            problems.warn(
                header_lines.get("坐标系"),
                f"datum {datum} (EPSG:{epsg}): converting to CGCS2000 without official "
                "transformation parameters is approximate (metres)",
            )
        return CRSInfo(datum, None, None, False, epsg, geographic=True), bad
    width_key, header_width = _header_width(header)
    if width_key and header_width is None:
        problems.error(
            header_lines.get(width_key),
            f"{width_key}={header[width_key]!r}: zone width must be 3 or 6 degrees",
        )
    zone_text = header.get("带号", "")
    header_zone: int | None = None
    if zone_text:
        match = re.fullmatch(r"(\d{1,2})\s*带?", zone_text)
        number = int(match.group(1)) if match else 0
        if 13 <= number <= 23 or 25 <= number <= 45:
            header_zone = number
        else:
            problems.error(
                header_lines.get("带号"),
                f"带号={zone_text!r} is not a Gauss-Kruger zone of China (3-degree 25–45, "
                "6-degree 13–23); correct the header",
            )
    classified, bad = _check_axes(plots, problems, fix=fix)
    zones: dict[int, tuple[GKZone, Point]] = {}
    for p, z in classified:
        if z is not None:
            zones.setdefault(z.zone, (z, p))
    prefixed_points = [p for p, z in classified if z is not None]
    plain_points = [p for p, z in classified if z is None]
    if prefixed_points and plain_points:
        point = plain_points[0]
        problems.error(
            point.line_no,
            f"point {point.name}: Y={point.y_easting:.3f} has no zone prefix while other points "
            f"have one (e.g. {prefixed_points[0].name}); write every Y the same way",
        )
    if len(zones) > 1:
        (z1, p1), (z2, p2) = list(zones.values())[:2]
        problems.error(
            p2.line_no,
            f"point {p2.name} is in zone {z2.zone} but point {p1.name} (line {p1.line_no}) is in "
            f"zone {z1.zone}; a file must use one zone — reproject the plots to one zone",
        )
    width, zone = header_width, header_zone
    prefixed = bool(prefixed_points)
    if zones:
        gk = next(iter(zones.values()))[0]
        if header_zone is not None and header_zone != gk.zone:
            problems.warn(
                header_lines.get("带号"),
                f"带号={header_zone} but the eastings carry zone prefix {gk.zone}; "
                f"using zone {gk.zone}",
            )
        if header_width is not None and header_width != gk.width:
            problems.warn(
                header_lines.get(width_key or ""),
                f"{width_key}={header_width} but prefix zone {gk.zone} is a {gk.width}-degree "
                f"zone; using {gk.width}",
            )
        width, zone = gk.width, gk.zone
    elif zone is not None:
        implied = 3 if zone >= 25 else 6
        if width is not None and width != implied:
            problems.error(
                header_lines.get("带号"),
                f"带号={zone} is not a {width}-degree zone (3-degree 25–45, 6-degree 13–23)",
            )
        width = implied
    epsg = None
    if datum is not None and width is not None and zone is not None:
        epsg = _projected_epsg(datum, width=width, zone=zone, prefixed=prefixed)
        if datum != "CGCS2000":
            problems.warn(
                header_lines.get("坐标系"),
                f"datum {datum} (EPSG:{epsg}): converting to CGCS2000 without official "
                "transformation parameters is approximate (metres)",
            )
    elif classified and zone is None:
        problems.warn(
            None,
            "the zone cannot be determined (no 带号 and no zone prefix in Y); no EPSG code "
            "assigned — state 带号 in the header",
        )
    return CRSInfo(datum, width, zone, prefixed, epsg), bad


@lru_cache(maxsize=1)
def _old_datum_codes() -> dict[str, int]:
    infos = query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS)
    return {
        info.name: int(info.code)
        for info in infos
        if info.name.startswith(("Xian 1980 /", "Beijing 1954 /")) and "Gauss-Kruger" in info.name
    }


def _projected_epsg(datum: str, *, width: int, zone: int, prefixed: bool) -> int | None:
    """EPSG code of a Gauss-Kruger zone on a datum (old datums looked up by name)."""
    if datum == "CGCS2000":
        return gk_epsg(width=width, zone=zone, prefixed=prefixed)
    cm = 3 * zone if width == 3 else 6 * zone - 3
    family = "3-degree Gauss-Kruger" if width == 3 else "Gauss-Kruger"
    tail = f"zone {zone}" if prefixed else f"CM {cm}E"
    return _old_datum_codes().get(f"{datum} / {family} {tail}")


def _check_geometry(plot: Plot, problems: _Problems) -> None:
    if plot.kind != "面" or not plot.rings:
        return
    if any(len({(p.x_northing, p.y_easting) for p in r.points}) < 3 for r in plot.rings):
        return  # already reported
    geom = plot_geometry(plot)
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        what = (
            "crosses itself or another ring" if "intersection" in reason.lower() else "is invalid"
        )
        problems.error(
            plot.line_no,
            f"plot {plot.number or '?'} ({plot.name}) {what}: {reason}; fix the vertex order "
            "or the ring numbers in the source drawing",
        )


def _warn_duplicate_numbers(plots: Sequence[Plot], problems: _Problems) -> None:
    seen: dict[str, int | None] = {}
    for plot in plots:
        if plot.number and plot.number in seen:
            problems.warn(
                plot.line_no,
                f"plot number {plot.number or '?'} also used on line {seen[plot.number]}",
            )
        seen.setdefault(plot.number, plot.line_no)


# -------------------------------------------------------------------------- geometry


def _ring_xy(ring: Ring) -> list[tuple[float, float]]:
    return [(p.y_easting, p.x_northing) for p in ring.points]


def _assemble(rings: Sequence[Ring]) -> list[tuple[Ring, list[Ring]]]:
    """Group rings into (outer, holes): by flag where given, else by containment."""
    parts: list[tuple[Ring, list[Ring]]] = []
    for ring in rings:
        if len(ring.points) < 3:
            continue
        if ring.flag is not None:
            if ring.flag == -1 and parts:
                parts[-1][1].append(ring)
            else:
                parts.append((ring, []))
            continue
        shape = Polygon(_ring_xy(ring))
        home = None
        for outer, holes in parts if shape.is_valid else []:
            if not Polygon(_ring_xy(outer)).is_valid:
                continue
            if Polygon(_ring_xy(outer)).covers(shape) and not any(
                Polygon(_ring_xy(h)).covers(shape) for h in holes
            ):
                home = holes
                break
        if home is None:
            parts.append((ring, []))
        else:
            home.append(ring)
    return parts


def plot_geometry(plot: Plot) -> BaseGeometry:
    """The plot as a shapely geometry, (x, y) = (easting, northing) in the file's CRS.

    For a file of geographic coordinates (x, y) = (longitude, latitude) in degrees.

    A 面 plot gives a Polygon, or a MultiPolygon when it has several parts; ring 1 is
    the first outer ring and each further ring is a hole of the part whose outer ring
    covers it, else a part of its own (registration flags −1 / other decide instead
    where present). A 线 plot gives a (Multi)LineString, a 点 plot a MultiPoint.

    Examples
    --------
    >>> ring = Ring(1, [Point("J1", 10, 0), Point("J2", 10, 10), Point("J3", 0, 10),
    ...                 Point("J4", 0, 0)])
    >>> plot_geometry(Plot("1", "demo", rings=[ring])).area
    100.0
    """
    if plot.kind == "点":
        return MultiPoint([xy for ring in plot.rings for xy in _ring_xy(ring)])
    if plot.kind == "线":
        lines = [LineString(_ring_xy(r)) for r in plot.rings if len(r.points) >= 2]
        return lines[0] if len(lines) == 1 else MultiLineString(lines)
    polygons = [
        Polygon(_ring_xy(outer), [_ring_xy(h) for h in holes])
        for outer, holes in _assemble(plot.rings)
    ]
    if len(polygons) == 1:
        return polygons[0]
    return MultiPolygon(polygons)


def to_geodataframe(cf: CoordinateFile) -> gpd.GeoDataFrame:
    """One row per plot, with stated and ellipsoidal area, in the file's CRS.

    Parameters
    ----------
    cf
        A parsed file.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``number``, ``name``, ``kind``, ``stated_area``, ``stated_area_unit``
        (as printed; "" means 公顷), ``area_km2`` (ellipsoidal, TD/T 1055-2019, on the
        file's datum; NaN for non-polygons or unknown CRS), ``area_difference``
        (computed − stated, in the stated unit, 公顷 when the header gives none) and
        ``geometry`` (x = easting, y = northing; for geographic files x = longitude,
        y = latitude, with the area computed on that geographic CRS);
        crs = EPSG:`cf.crs.epsg` or None.
    """
    rows = []
    for plot in cf.plots:
        geom = plot_geometry(plot)
        area_m2 = math.nan
        if cf.crs.epsg is not None and geom.geom_type in ("Polygon", "MultiPolygon"):
            try:
                area_m2 = ellipsoidal_area(geom, crs=cf.crs.epsg)
            except MineplanError as exc:  # a wrong CRS or invalid geometry: no area
                log.warning("plot %s: no ellipsoidal area: %s", plot.number, exc)
        per_unit = _AREA_UNITS.get(plot.stated_area_unit.lower(), math.nan)
        diff = area_m2 / per_unit - plot.stated_area if plot.stated_area is not None else math.nan
        rows.append(
            {
                "number": plot.number,
                "name": plot.name,
                "kind": plot.kind,
                "stated_area": plot.stated_area if plot.stated_area is not None else np.nan,
                "stated_area_unit": plot.stated_area_unit,
                "area_km2": area_m2 / 1e6,
                "area_difference": diff,
                "geometry": geom,
            }
        )
    crs = pyproj.CRS.from_epsg(cf.crs.epsg) if cf.crs.epsg is not None else None
    columns = [
        "number",
        "name",
        "kind",
        "stated_area",
        "stated_area_unit",
        "area_km2",
        "area_difference",
        "geometry",
    ]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=crs)


# --------------------------------------------------------------------------- writers


def plots_from_frame(gdf: gpd.GeoDataFrame, *, zone: int, width: int = 3) -> list[Plot]:
    """Polygons as plots in a CGCS2000 Gauss-Kruger zone (eastings with the zone prefix).

    Parameters
    ----------
    gdf
        Polygon/MultiPolygon features with a CRS; optional ``number`` and ``name``.
    zone, width
        The target zone; the frame is reprojected to it.
    """
    return _plots_from_gdf(gdf, gk_epsg(width=width, zone=zone, prefixed=True))


def _plots_from_gdf(gdf: gpd.GeoDataFrame, epsg: int | None) -> list[Plot]:
    if epsg is not None and gdf.crs is not None and gdf.crs.to_epsg() != epsg:
        gdf = gdf.to_crs(epsg)
    plots = []
    for i, (index, row) in enumerate(gdf.iterrows(), start=1):
        geom = row.geometry
        if not isinstance(geom, Polygon | MultiPolygon):
            raise CoordinateFileError(
                f"row {index!r}: {type(geom).__name__} cannot be written as a 面 plot"
            )
        rings: list[Ring] = []
        for part in getattr(geom, "geoms", [geom]):
            for coords in [part.exterior.coords, *(h.coords for h in part.interiors)]:
                xy = list(coords)[:-1]
                points = [Point(f"J{k}", n, e) for k, (e, n) in enumerate(xy, start=1)]
                rings.append(Ring(len(rings) + 1, points))
        number = str(row["number"]) if "number" in gdf.columns else str(i)
        name = str(row["name"]) if "name" in gdf.columns else ""
        plots.append(Plot(number, name, "面", rings=rings))
    return plots


def _oriented(ring: Ring, *, clockwise: bool) -> Ring:
    """The ring with its first point kept and direction set (on a north-up map)."""
    if len(ring.points) < 3:
        return ring
    is_ccw = LinearRing(_ring_xy(ring)).is_ccw
    if is_ccw == clockwise:
        return replace(ring, points=[ring.points[0], *reversed(ring.points[1:])])
    return ring


def _crs_for_writing(
    plots: Sequence[Plot], *, zone: int, width: int, datum: str
) -> tuple[int | None, bool]:
    eastings = [p.y_easting for plot in plots for r in plot.rings for p in r.points]
    prefixed = bool(eastings) and min(eastings) > 1e6
    return _projected_epsg(datum, width=width, zone=zone, prefixed=prefixed), prefixed


def format_boundary_txt(
    plots: Sequence[Plot] | gpd.GeoDataFrame,
    *,
    zone: int | None = None,
    width: int = 3,
    datum: str = "CGCS2000",
    encoding: str = "gbk",
    precision: int = 3,
    header: dict[str, str] | None = None,
    units: Units = "metre",
) -> bytes:
    """Write plots as a land-boundary exchange TXT.

    CRLF line ends; every ring closed by repeating its first point; the outer ring of
    each part **clockwise** and holes counter-clockwise as seen on a north-up map
    (easting to the right) — the usual orientation of 界址点 numbering; a ring in the
    other direction is reversed, keeping its first point. Rings are numbered 1, 2, …
    per plot: each part's outer ring followed by its holes. The header area is the
    ellipsoidal area (TD/T 1055-2019) in 公顷 to 4 decimals.

    Parameters
    ----------
    plots
        Plots (coordinates X = northing, Y = easting in metres; or X = latitude,
        Y = longitude in decimal degrees), or a GeoDataFrame of Polygon/MultiPolygon
        (x = easting, y = northing) with optional ``number`` and ``name`` columns; it
        is reprojected to the target CRS if its CRS differs.
    zone, width, datum
        The Gauss-Kruger zone written to 带号 / 几度分带 and the datum
        (``"CGCS2000"``, ``"Xian 1980"``, ``"Beijing 1954"``) written to 坐标系.
        `zone` is required for ``units="metre"``, and for geographic units when the
        plots are in metres (they are inverse-projected from that zone).
    encoding
        ``"gbk"`` (default, what most tools expect) or ``"utf-8"``.
    precision
        Decimals of X and Y in metres (3 = millimetres), or of the seconds with
        ``units="dms"`` (3 = the official 0.001″).
    header
        Extra or replacement ``[属性描述]`` values.
    units
        ``"metre"`` (default): plane Gauss-Kruger coordinates, 计量单位=米.
        ``"dms"``: latitude and longitude written ``44°12′30.123″``, 计量单位=度分秒,
        no 带号 / 几度分带. ``"degree"``: decimal degrees to 8 decimals, 计量单位=度.
        The header area is then computed on the datum's geographic CRS.

    Returns
    -------
    bytes
        The encoded file.

    Raises
    ------
    CoordinateFileError
        If `datum` is unknown or a GeoDataFrame row is not polygonal.
    CRSError
        If `zone` / `width` name no Gauss-Kruger zone.
    UnicodeEncodeError
        If a name cannot be written in `encoding` (GBK lacks some characters).
    """
    if datum not in _DATUM_NAMES:
        raise CoordinateFileError(f"datum must be one of {sorted(_DATUM_NAMES)}; got {datum!r}")
    if units not in ("metre", "dms", "degree"):
        raise CoordinateFileError(f"units must be 'metre', 'dms' or 'degree'; got {units!r}")
    if units != "metre":
        return _format_geographic(
            plots,
            zone=zone,
            width=width,
            datum=datum,
            encoding=encoding,
            precision=precision,
            header=header,
            units=units,
        )
    if zone is None:
        raise CoordinateFileError("zone is required to write plane coordinates (units='metre')")
    if isinstance(plots, gpd.GeoDataFrame):
        target = _projected_epsg(datum, width=width, zone=zone, prefixed=True)
        plot_list = _plots_from_gdf(plots, target)
    else:
        plot_list = list(plots)
        if _looks_geographic(plot_list):
            raise CoordinateFileError(
                "the plots are latitude/longitude in degrees; write them with units='dms' "
                "or units='degree'"
            )
    epsg, _ = _crs_for_writing(plot_list, zone=zone, width=width, datum=datum)
    values = {
        "格式版本号": "",
        "数据产生单位": "",
        "数据产生日期": "",
        "坐标系": _DATUM_NAMES[datum],
        "几度分带": str(width),
        "投影类型": "高斯克吕格",
        "计量单位": "米",
        "带号": str(zone),
        "精度": f"{10**-precision:.{precision}f}",
        "转换参数": ",,,,,,",
    }
    values.update(header or {})

    def coordinate(value: float) -> str:
        return f"{value:.{precision}f}"

    return _format_plots(plot_list, values, epsg, coordinate, encoding)


def _format_plots(
    plot_list: Sequence[Plot],
    values: dict[str, str],
    epsg: int | None,
    coordinate: Callable[[float], str],
    encoding: str,
    reread: Callable[[str], float] = float,
) -> bytes:
    """The boundary TXT of `plot_list` under header `values`, coordinates as formatted.

    `reread` turns a formatted coordinate back into a number (for the header area).
    """
    lines = ["[属性描述]", *(f"{k}={v}" for k, v in values.items()), "[地块坐标]"]
    for plot in plot_list:
        body: list[str] = []
        rings = _writing_order(plot)
        for ring_no, ring in enumerate(rings, start=1):
            points = list(ring.points)
            if plot.kind == "面" and points:
                points.append(points[0])
            body += [
                f"{p.name},{ring_no},{coordinate(p.x_northing)},{coordinate(p.y_easting)}"
                for p in points
            ]
        area = ""
        if plot.kind == "面" and epsg is not None and rings:
            # the area of the coordinates as written (rounded), so a reader agrees
            written = [
                replace(
                    ring,
                    points=[
                        replace(
                            p,
                            x_northing=reread(coordinate(p.x_northing)),
                            y_easting=reread(coordinate(p.y_easting)),
                        )
                        for p in ring.points
                    ],
                )
                for ring in rings
            ]
            geom = plot_geometry(replace(plot, rings=written))
            area = f"{ellipsoidal_area(geom, crs=epsg) / 1e4:.4f}"
        fields = [plot.fields.get(n, "") for n in PLOT_FIELD_NAMES]
        fields += [v for k, v in plot.fields.items() if k not in PLOT_FIELD_NAMES]
        lines.append(
            ",".join([str(len(body)), area, plot.number, plot.name, plot.kind, *fields, "@"])
        )
        lines += body
    return _encode(lines, encoding)


def _looks_geographic(plots: Sequence[Plot]) -> bool:
    values = [(p.x_northing, p.y_easting) for plot in plots for r in plot.rings for p in r.points]
    return bool(values) and all(abs(x) <= 90 and abs(y) <= 180 for x, y in values)


def _format_geographic(
    plots: Sequence[Plot] | gpd.GeoDataFrame,
    *,
    zone: int | None,
    width: int,
    datum: str,
    encoding: str,
    precision: int,
    header: dict[str, str] | None,
    units: Units,
) -> bytes:
    """:func:`format_boundary_txt` with latitude/longitude (``units`` dms / degree)."""
    epsg = GEOGRAPHIC_EPSG[datum]
    if isinstance(plots, gpd.GeoDataFrame):
        plot_list = _plots_from_gdf(plots, epsg)
    else:
        plot_list = list(plots)
        if not _looks_geographic(plot_list):
            if zone is None:
                raise CoordinateFileError(
                    "the plots are in metres: give zone= (and width=) to inverse-project them "
                    "to latitude/longitude, or pass plots in decimal degrees"
                )
            _, prefixed = _crs_for_writing(plot_list, zone=zone, width=width, datum=datum)
            source = _projected_epsg(datum, width=width, zone=zone, prefixed=prefixed)
            if source is None:
                raise CoordinateFileError(f"no EPSG code for {datum} zone {zone} ({width}-degree)")
            plot_list = _inverse_projected(plot_list, source, epsg)
    values = {
        "格式版本号": "",
        "数据产生单位": "",
        "数据产生日期": "",
        "坐标系": _DATUM_NAMES[datum],
        "投影类型": "",
        "计量单位": "度分秒" if units == "dms" else "度",
        "精度": f"{10**-precision:.{precision}f}" if units == "dms" else "0.00000001",
        "转换参数": ",,,,,,",
    }
    values.update(header or {})

    def coordinate(value: float) -> str:
        if units == "dms":
            return format_dms(value, precision=precision)
        return f"{value:.8f}"

    reread = parse_dms if units == "dms" else float
    return _format_plots(plot_list, values, epsg, coordinate, encoding, reread)


def _inverse_projected(plots: Sequence[Plot], source: int, target: int) -> list[Plot]:
    """Copies of `plots` with X/Y converted from `source` (metres) to lat/lon in `target`."""
    transformer = pyproj.Transformer.from_crs(source, target, always_xy=True)
    out = []
    for plot in plots:
        rings = []
        for ring in plot.rings:
            points = []
            for p in ring.points:
                lon, lat = transformer.transform(p.y_easting, p.x_northing)
                points.append(replace(p, x_northing=float(lat), y_easting=float(lon)))
            rings.append(replace(ring, points=points))
        out.append(replace(plot, rings=rings))
    return out


def _encode(lines: list[str], encoding: str) -> bytes:
    """CRLF-joined lines in `encoding`; a character it cannot hold is a clear error."""
    text = "\r\n".join(lines) + "\r\n"
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        line = text[: exc.start].count("\r\n") + 1
        raise CoordinateFileError(
            f"{text[exc.start : exc.end]!r} cannot be written in {encoding}; rename it or "
            "write with encoding='utf-8'",
            path="<output>",
            line=line,
        ) from exc
    except LookupError as exc:
        raise CoordinateFileError(f"unknown encoding {encoding!r}; use 'gbk' or 'utf-8'") from exc


def _writing_order(plot: Plot) -> list[Ring]:
    """The plot's rings to write: validated, outer rings clockwise, holes after them."""
    needed = {"面": 3, "线": 2, "点": 1}.get(plot.kind, 3)
    for ring in plot.rings:
        label = f"plot {plot.number or '?'} ring {ring.ring_no}"
        points = [(p.x_northing, p.y_easting) for p in ring.points]
        if not all(math.isfinite(v) for xy in points for v in xy):
            raise CoordinateFileError(f"{label}: non-finite coordinates; fix the plot first")
        if len(set(points)) < needed:
            raise CoordinateFileError(
                f"{label}: {len(set(points))} distinct points, a {plot.kind} needs {needed}; "
                "fix the plot before writing it"
            )
    if plot.kind != "面":
        return list(plot.rings)
    if not plot.rings:
        raise CoordinateFileError(f"plot {plot.number or '?'} has no rings to write")
    ordered: list[Ring] = []
    for outer, holes in _assemble(plot.rings):
        ordered.append(_oriented(outer, clockwise=True))
        ordered += [_oriented(h, clockwise=False) for h in holes]
    return ordered


def write_boundary_txt(
    path: str | Path,
    plots: Sequence[Plot] | gpd.GeoDataFrame,
    *,
    zone: int | None = None,
    width: int = 3,
    datum: str = "CGCS2000",
    encoding: str = "gbk",
    precision: int = 3,
    header: dict[str, str] | None = None,
    units: Units = "metre",
) -> Path:
    """Write :func:`format_boundary_txt` output (same options) to `path`; returns it."""
    data = format_boundary_txt(
        plots,
        zone=zone,
        width=width,
        datum=datum,
        encoding=encoding,
        precision=precision,
        header=header,
        units=units,
    )
    target = Path(path)
    target.write_bytes(data)
    return target


# -------------------------------------------------------------- registration files


def parse_registration_txt(
    data: bytes | str,
    *,
    source: str | Path = "<data>",
    datum: str = "CGCS2000",
    fix: bool = False,
) -> CoordinateFile:
    """Parse a mining-right registration file (``[登记项目]``, ``XY001=1,X,Y`` …).

    Each area's points are followed by ``XYnnn=标高,上限,下限,,flag``; the flag is
    taken as −1 = a hole cut from the preceding area, anything else = an area
    (verify on real files). The whole file becomes one plot whose rings are the areas.
    The layout states no datum: `datum` says which (default CGCS2000); the zone comes
    from the easting prefix. Latitude/longitude points (DMS with symbols, or packed
    DDMMSS.sss / DDDMMSS.sss in China's range) are read as in
    :func:`parse_boundary_txt`, giving the datum's geographic CRS.

    Raises
    ------
    CoordinateFileError
        Naming every problem and its line (bad numbers, an area without its 标高
        line, a row count different from 总行数, swapped or implausible coordinates,
        invalid geometry).
    """
    if datum not in _DATUM_NAMES:
        raise CoordinateFileError(f"datum must be one of {sorted(_DATUM_NAMES)}; got {datum!r}")
    problems = _Problems(source)
    if isinstance(data, str):
        text, encoding = data, "str"
    else:
        text, encoding = _decode(data, problems)
    header: dict[str, str] = {}
    broken = False  # unreadable point lines: skip the follow-on shape checks
    rings: list[_RawRing] = []
    closing: list[tuple[int | None, float | None, float | None]] = []
    current: list[Point] = []
    rows = 0
    total: tuple[int, int] | None = None
    coords: list[_RawCoord] = []
    for line_no, raw in enumerate(_lines(text), start=1):
        line = raw.strip().rstrip("\x1a")
        if not line or (line.startswith("[") and line.endswith("]")):
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep:
            continue
        if not re.fullmatch(r"XY\d+", key, flags=re.IGNORECASE):
            header[key] = value.strip()
            if "总行数" in key:
                count = value.strip()
                if count.isdigit():
                    total = (int(count), line_no)
                else:
                    problems.error(line_no, f"{key}={count!r} is not a whole number")
            continue
        rows += 1
        parts = _fields(value)
        if parts[0] in ("标高", "*"):
            if not current:
                problems.error(line_no, f"{key}: 标高 line without points before it")
                continue
            limits = [*parts, "", ""][1:3]
            top, bottom = (_number(v) for v in limits)
            for what, text_value, number in zip(
                ("上限", "下限"), limits, (top, bottom), strict=True
            ):
                if text_value and number is None:
                    problems.error(
                        line_no, f"{key}: 标高{what} {text_value!r} is not a number of metres"
                    )
            flag_text = parts[4] if len(parts) > 4 else ""
            flag = int(flag_text) if re.fullmatch(r"-?\d+", flag_text) else None
            if flag_text and flag is None:
                problems.error(line_no, f"{key}: flag {flag_text!r} is not a whole number")
            rings.append(_RawRing(len(rings) + 1, current))
            closing.append((flag, top, bottom))
            current = []
            continue
        declared = _unit_kind(header.get("计量单位", "")) or ""
        x_text, y_text = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
        x, x_dms, x_why = _read_coordinate(x_text, declared)
        y, y_dms, y_why = _read_coordinate(y_text, declared)
        if x is None or y is None:
            broken = True
            why = "; ".join(w for w in (x_why, y_why) if w)
            problems.error(
                line_no,
                f"{key}: expected '点号,X,Y' with X and Y in metres (or latitude and longitude "
                f"in degrees), found {value.strip()!r}" + (f": {why}" if why else ""),
            )
            continue
        point = Point(parts[0], x, y, line_no)
        current.append(point)
        coords.append(
            _RawCoord(point, f"{key} point {parts[0]}", x_text, y_text, x_dms, y_dms, len(rings))
        )
    if current:
        problems.error(
            current[-1].line_no,
            f"area {len(rings) + 1} (points from line {current[0].line_no}) has no closing "
            "'标高,上限,下限,,flag' line — the file looks truncated",
        )
    if total is not None and total[0] != rows:
        problems.error(
            total[1],
            f"总行数 says {total[0]} rows but {rows} XY rows follow; the file looks "
            "truncated or edited — export it again",
        )
    if not rings:
        problems.error(None, "no area found: no XYnnn= point lines closed by a 标高 line")
        problems.raise_if_any()
    unit_text = header.get("计量单位", "")
    unit = _unit_kind(unit_text)
    if unit is None:
        problems.error(
            None,
            f"计量单位={unit_text!r} is neither metres (米) nor degrees (度, 度分秒, 秒)",
        )
    geographic = _is_geographic(coords, unit, None, problems)
    if geographic:
        failed, _ = _to_degrees(coords, unit, problems)
        broken = broken or bool(failed)
        for raw_ring in rings:
            raw_ring.points = [p for p in raw_ring.points if id(p) not in failed]
    n_points = sum(len(r.points) for r in rings)
    if n_points >= 1000:
        problems.warn(None, f"{n_points} corner points: registration requires fewer than 1000")
    plot = Plot(header.get("项目名称", ""), header.get("矿山名称", ""), "面", line_no=None)
    finished = _finish_rings(
        plot, rings, _Problems(source) if broken else problems, fix=fix, closed=False
    )
    for ring, (flag, top, bottom) in zip(finished, closing, strict=True):
        ring.flag, ring.top_m, ring.bottom_m = flag, top, bottom
    plot.rings = finished
    if geographic:
        bad_geo = _check_geographic_axes([plot], problems, fix=fix)
        geo_crs = CRSInfo(datum, None, None, False, GEOGRAPHIC_EPSG[datum], geographic=True)
        if not bad_geo and not broken:
            _check_geometry(plot, problems)
        problems.raise_if_any()
        return CoordinateFile("registration", encoding, header, [plot], geo_crs, problems.warnings)
    classified, bad = _check_axes([plot], problems, fix=fix)
    zones: dict[int, tuple[GKZone, Point]] = {}
    for point, zone in classified:
        if zone is not None:
            zones.setdefault(zone.zone, (zone, point))
    crs = CRSInfo(datum, None, None, False, None)
    if len(zones) > 1:
        (z1, p1), (z2, p2) = list(zones.values())[:2]
        problems.error(
            p2.line_no,
            f"point {p2.name} is in zone {z2.zone} but point {p1.name} (line {p1.line_no}) "
            f"is in zone {z1.zone}; a file must use one zone",
        )
    elif zones:
        gk = next(iter(zones.values()))[0]
        crs = CRSInfo(
            datum,
            gk.width,
            gk.zone,
            True,
            _projected_epsg(datum, width=gk.width, zone=gk.zone, prefixed=True),
        )
    else:
        problems.warn(None, "eastings carry no zone prefix: zone and EPSG unknown")
    if not bad and not broken:
        _check_geometry(plot, problems)
    problems.raise_if_any()
    return CoordinateFile("registration", encoding, header, [plot], crs, problems.warnings)


def read_registration_txt(
    source: str | Path | bytes, *, datum: str = "CGCS2000", fix: bool = False
) -> CoordinateFile:
    """Read a mining-right registration file from a path (or bytes)."""
    data, name = _source_bytes(source)
    return parse_registration_txt(data, source=name, datum=datum, fix=fix)


def format_registration_txt(
    plot: Plot,
    *,
    precision: int = 3,
    encoding: str = "gbk",
    units: Literal["metre", "dms"] | None = None,
) -> bytes:
    """Write one plot in the mining-right registration layout (CRLF).

    Points are numbered 1, 2, … across the file, rings are not closed (the 标高 line
    closes an area), each part's outer ring comes first (clockwise on a north-up map)
    followed by its holes (flag −1); outer rings get flag 1 unless they carry one.

    `units`: ``"metre"`` writes X, Y to `precision` decimals; ``"dms"`` writes a plot
    in decimal degrees (X latitude, Y longitude) as ``44°25′00.000″`` with `precision`
    decimals of seconds; None (default) picks dms for a plot in degrees, else metre.

    Raises
    ------
    CoordinateFileError
        If the plot is invalid for writing, or its coordinates do not match `units`.
    """
    geographic = _looks_geographic([plot])
    units = units or ("dms" if geographic else "metre")
    if units not in ("metre", "dms") or geographic != (units == "dms"):
        raise CoordinateFileError(
            f"plot {plot.number or '?'}: cannot write "
            f"{'latitude/longitude' if geographic else 'plane coordinates'} with "
            f"units={units!r}; use units={'dms' if geographic else 'metre'!r}"
        )

    def coordinate(value: float) -> str:
        return (
            format_dms(value, precision=precision) if units == "dms" else f"{value:.{precision}f}"
        )

    rows: list[str] = []
    number = 0
    for ring in _writing_order(plot):
        for point in ring.points:
            number += 1
            rows.append(f"{number},{coordinate(point.x_northing)},{coordinate(point.y_easting)}")
        hole = ring.flag == -1 or (ring.flag is None and _is_hole(plot, ring))
        flag = -1 if hole else (ring.flag if ring.flag is not None else 1)
        rows.append(f"标高,{_fmt_opt(ring.top_m)},{_fmt_opt(ring.bottom_m)},,{flag}")
    lines = [
        "[登记项目]",
        "矿区范围拐点坐标总数应小于1000个",
        f"矿区范围拐点坐标与标高的总行数={len(rows)}",
    ]
    lines += [f"XY{i:03d}={row}" for i, row in enumerate(rows, start=1)]
    return _encode(lines, encoding)


def _is_hole(plot: Plot, ring: Ring) -> bool:
    return any(
        ring is h or ring.ring_no == h.ring_no for _, holes in _assemble(plot.rings) for h in holes
    )


def _fmt_opt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write_registration_txt(
    path: str | Path,
    plot: Plot,
    *,
    precision: int = 3,
    encoding: str = "gbk",
    units: Literal["metre", "dms"] | None = None,
) -> Path:
    """Write :func:`format_registration_txt` output (same options) to `path`; returns it."""
    target = Path(path)
    data = format_registration_txt(plot, precision=precision, encoding=encoding, units=units)
    target.write_bytes(data)
    return target


# ------------------------------------------------------------------- block strings


def parse_block_string(text: str) -> list[Ring]:
    """Parse a compact block string ``区域数,拐点数,x1,y1,…,xn,yn,flag,上标高,下标高,…``.

    Assumed layout (verify on real files): the number of areas, then for each area
    its point count, that many X (northing), Y (easting) pairs, a flag (0 = area,
    −1 = a hole cut from the preceding area) and the upper and lower elevations
    (may be blank).

    Returns
    -------
    list of Ring
        One ring per area, ``flag`` / ``top_m`` / ``bottom_m`` set.

    Examples
    --------
    >>> rings = parse_block_string("1,3,10,20,10,30,0,20,0,1000,800")
    >>> [(p.x_northing, p.y_easting) for p in rings[0].points], rings[0].flag
    ([(10.0, 20.0), (10.0, 30.0), (0.0, 20.0)], 0)
    """
    parts = _fields(text.strip())
    pos = 0

    def take(what: str, *, blank_ok: bool = False) -> float | None:
        nonlocal pos
        if pos >= len(parts):
            raise CoordinateFileError(
                f"block string ends at field {pos + 1} where {what} was expected; it is truncated"
            )
        value = parts[pos]
        pos += 1
        number = _number(value)
        if number is None and not (blank_ok and value in ("", "*")):
            raise CoordinateFileError(
                f"block string field {pos} ({what}) is {value!r}, not a number"
            )
        return number

    areas = take("区域数")
    if areas is None or areas != int(areas) or areas < 1:
        raise CoordinateFileError(f"block string: 区域数 {parts[0]!r} must be a positive integer")
    rings = []
    for area in range(1, int(areas) + 1):
        count = take(f"拐点数 of area {area}")
        if count is None or count != int(count) or count < 3:
            raise CoordinateFileError(
                f"block string: area {area} has point count {count!r}; needs a whole number ≥ 3"
            )
        points = []
        for k in range(1, int(count) + 1):
            x = take(f"x{k} of area {area}")
            y = take(f"y{k} of area {area}")
            assert x is not None and y is not None
            points.append(Point(str(k), x, y))
        flag = take(f"flag of area {area}")
        if flag not in (0, -1):
            raise CoordinateFileError(f"block string: flag of area {area} is {flag!r}; use 0 or -1")
        top = take(f"上标高 of area {area}", blank_ok=True)
        bottom = take(f"下标高 of area {area}", blank_ok=True)
        assert flag is not None
        rings.append(Ring(area, points, int(flag), top, bottom))
    if pos != len(parts):
        raise CoordinateFileError(
            f"block string has {len(parts) - pos} extra fields after {int(areas)} areas"
        )
    return rings


def format_block_string(rings: Sequence[Ring], *, precision: int = 3) -> str:
    """Format rings as a compact block string (see :func:`parse_block_string`).

    A ring's ``flag`` is written as it is; a ring without one is written as an area
    (0) — holes are not guessed, so give holes ``flag=-1`` and put them after their
    area. Coordinates are X (northing), Y (easting) to `precision` decimals.
    """
    out = [str(len(rings))]
    for ring in rings:
        out.append(str(len(ring.points)))
        for p in ring.points:
            out += [f"{p.x_northing:.{precision}f}", f"{p.y_easting:.{precision}f}"]
        out += [
            str(ring.flag if ring.flag is not None else 0),
            _fmt_opt(ring.top_m),
            _fmt_opt(ring.bottom_m),
        ]
    return ",".join(out)


# ------------------------------------------------------------------------------ DMS

_DMS_SEPARATED = re.compile(
    r"\s*([+-]?\d+(?:\.\d+)?)\s*[°度:\s-]\s*(\d+(?:\.\d+)?)\s*[′'’分:\s-]\s*"
    r"(\d+(?:\.\d+)?)\s*(?:[″\"”秒]|'')?\s*([NSEWnsew]?)\s*"
)
_DMS_PACKED = re.compile(r"\s*([+-]?)(\d{5,7})(\.\d+)?\s*")


def parse_dms(text: str) -> float:
    """Degrees, minutes, seconds to decimal degrees.

    Accepts ``84°12′30.123″``, ``84°12'30.123"``, ``84度12分30.123秒``,
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
