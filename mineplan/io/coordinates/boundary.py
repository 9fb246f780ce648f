"""The land-boundary exchange TXT (报盘 / 勘测定界 format): reading.

Layout (``formats-and-rules.md`` §2): a ``[属性描述]`` header of ``key=value`` lines
(坐标系, 几度分带, 投影类型, 计量单位, 带号 …), then ``[地块坐标]`` with plot header
lines ending in ``@`` (``点数,面积,地块编号,地块名称,记录图形属性,图幅号,地块用途,
地类编码,@``) each followed by its point lines ``点名,圈号,X,Y``.

Writing this layout is :func:`mineplan.io.coordinates.writers.format_boundary_txt`.

May import: ``errors``, ``vocab``, ``geodesy``, :mod:`mineplan.io.text` and the other
modules of this package except the writers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from mineplan.errors import CoordinateFileError
from mineplan.io.coordinates.crs import boundary_crs
from mineplan.io.coordinates.degrees import (
    RawCoord,
    is_geographic,
    read_coordinate,
    to_degrees,
    unit_kind,
)
from mineplan.io.coordinates.geometry import check_plot_geometry
from mineplan.io.coordinates.model import (
    AREA_UNITS_M2,
    PLOT_FIELD_NAMES,
    CoordinateFile,
    Plot,
    PlotKind,
    Point,
)
from mineplan.io.coordinates.parsing import (
    Problems,
    RawRing,
    decode,
    finish_rings,
    source_bytes,
)
from mineplan.io.text import parse_number, parse_whole, split_fields, split_lines

__all__ = ["parse_boundary_txt", "read_boundary_txt"]

_AREA_TEXT = re.compile(r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(.*?)\s*")


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
    problems = Problems(source)
    if isinstance(data, str) and not data.strip():
        raise CoordinateFileError("the file is empty; export the coordinates again", path=source)
    text, encoding = decode(data, problems)
    header: dict[str, str] = {}
    header_lines: dict[str, int] = {}
    plots: list[Plot] = []
    counts: list[int | None] = []
    raw_rings: list[list[RawRing]] = []
    point_lines: list[int] = []
    broken: set[int] = set()  # plots with unreadable point lines: skip follow-on checks
    coords: list[RawCoord] = []
    section = ""
    saw_section = False
    for line_no, raw in enumerate(split_lines(text), start=1):
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
        parts = split_fields(line)
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
        ring_no = parse_whole(ring_text)
        unit = unit_kind(header.get("计量单位", ""))
        x, x_dms, x_why = read_coordinate(x_text, unit or "")
        y, y_dms, y_why = read_coordinate(y_text, unit or "")
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
        coords.append(RawCoord(point, label, x_text, y_text, x_dms, y_dms, len(plots) - 1))
        if rings and rings[-1].ring_no == ring_no:
            rings[-1].points.append(point)
        elif any(r.ring_no == ring_no for r in rings):
            problems.error(
                line_no,
                f"plot {plot.number or '?'} point {name}: ring {ring_no} appears again after "
                "another ring; keep each ring's points together",
            )
        else:
            rings.append(RawRing(ring_no, [point]))
    if not plots:
        problems.error(
            None,
            "no plot found: the file has no plot header line ending in '@' "
            "(is this a land-boundary exchange TXT?)",
        )
        problems.raise_if_any()
    unit_text = header.get("计量单位", "")
    unit = unit_kind(unit_text)
    if unit is None:
        problems.error(
            header_lines.get("计量单位"),
            f"计量单位={unit_text!r} is neither metres (米, plane coordinates) nor degrees "
            "(度, 度分秒, 秒: latitude/longitude); correct the header",
        )
    geographic = is_geographic(coords, unit, header_lines.get("计量单位"), problems)
    if geographic:
        failed, where = to_degrees(coords, unit, problems)
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
        quiet = Problems(source) if i in broken else problems
        plot.rings = finish_rings(plot, rings, quiet, fix=fix, closed=True)
    crs, unusable = boundary_crs(
        header, header_lines, plots, problems, fix=fix, geographic=geographic
    )
    for i, plot in enumerate(plots):
        if i not in broken and id(plot) not in unusable:
            check_plot_geometry(plot, problems)
    _warn_duplicate_numbers(plots, problems)
    problems.raise_if_any()
    return CoordinateFile("boundary", encoding, header, plots, crs, problems.warnings)


def read_boundary_txt(source: str | Path | bytes, *, fix: bool = False) -> CoordinateFile:
    """Read a land-boundary exchange TXT from a path (or bytes).

    See :func:`parse_boundary_txt` for what is checked and repaired.
    """
    data, name = source_bytes(source)
    return parse_boundary_txt(data, source=name, fix=fix)


def _parse_plot_header(line: str, line_no: int, problems: Problems) -> tuple[Plot, int | None]:
    parts = split_fields(line[:-1])
    parts += [""] * (5 - len(parts))
    count_text, area_text, number, name, kind = parts[:5]
    count: int | None = None
    if parse_whole(count_text) is not None:
        count = parse_whole(count_text)
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
        known = match is not None and match.group(2).lower() in AREA_UNITS_M2
        if match and known and parse_number(match.group(1)) is not None:
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
    plot = Plot(number, name, cast(PlotKind, kind), area, unit, fields, [], line_no,
                stated_area_text=match.group(1) if area is not None and match else "")
    return plot, count


def _warn_duplicate_numbers(plots: Sequence[Plot], problems: Problems) -> None:
    seen: dict[str, int | None] = {}
    for plot in plots:
        if plot.number and plot.number in seen:
            problems.warn(
                plot.line_no,
                f"plot number {plot.number or '?'} also used on line {seen[plot.number]}",
            )
        seen.setdefault(plot.number, plot.line_no)
