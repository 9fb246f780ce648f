"""The mining-right registration TXT (``[登记项目]``, ``XY001=点号,X,Y``): reading.

Each area's points (``XYnnn=点号,X,Y``) are closed by a line
``XYnnn=标高,上限,下限,,flag``: flag −1 is a hole cut from the preceding area, any
other an area. The whole file is one plot whose rings are the areas; ``总行数``
counts the XY rows. The layout states no datum and no zone (the easting prefix
gives the zone).

Writing this layout is :func:`mineplan.io.coordinates.writers.format_registration_txt`.

May import: ``errors``, ``vocab``, ``geodesy``, :mod:`mineplan.io.text` and the other
modules of this package except the writers.
"""

from __future__ import annotations

import re
from pathlib import Path

from mineplan.errors import CoordinateFileError
from mineplan.io.coordinates.crs import registration_crs
from mineplan.io.coordinates.degrees import (
    RawCoord,
    is_geographic,
    read_coordinate,
    to_degrees,
    unit_kind,
)
from mineplan.io.coordinates.geometry import check_plot_geometry
from mineplan.io.coordinates.model import DATUM_NAMES, CoordinateFile, Plot, Point
from mineplan.io.coordinates.parsing import (
    Problems,
    RawRing,
    decode,
    finish_rings,
    source_bytes,
)
from mineplan.io.text import parse_number, parse_whole, split_fields, split_lines

__all__ = ["parse_registration_txt", "read_registration_txt"]


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
    if datum not in DATUM_NAMES:
        raise CoordinateFileError(f"datum must be one of {sorted(DATUM_NAMES)}; got {datum!r}")
    problems = Problems(source)
    text, encoding = decode(data, problems)
    header: dict[str, str] = {}
    broken = False  # unreadable point lines: skip the follow-on shape checks
    rings: list[RawRing] = []
    closing: list[tuple[int | None, float | None, float | None]] = []
    current: list[Point] = []
    rows = 0
    total: tuple[int, int] | None = None
    coords: list[RawCoord] = []
    for line_no, raw in enumerate(split_lines(text), start=1):
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
                if (whole := parse_whole(count)) is not None:
                    total = (whole, line_no)
                else:
                    problems.error(line_no, f"{key}={count!r} is not a whole number")
            continue
        rows += 1
        parts = split_fields(value)
        if parts[0] not in ("标高", "*"):
            while len(parts) > 3 and not parts[-1]:
                parts.pop()  # '1,X,Y, , ,': trailing empty fields
        if parts[0] in ("标高", "*"):
            if not current:
                problems.error(line_no, f"{key}: 标高 line without points before it")
                continue
            limits = [*parts, "", ""][1:3]
            top, bottom = (parse_number(v) for v in limits)
            for what, text_value, number in zip(
                ("上限", "下限"), limits, (top, bottom), strict=True
            ):
                if text_value and number is None:
                    problems.error(
                        line_no, f"{key}: 标高{what} {text_value!r} is not a number of metres"
                    )
            flag_text = parts[4] if len(parts) > 4 else ""
            flag = parse_whole(flag_text, signed=True)
            if flag_text and flag is None:
                problems.error(line_no, f"{key}: flag {flag_text!r} is not a whole number")
            rings.append(RawRing(len(rings) + 1, current))
            closing.append((flag, top, bottom))
            current = []
            continue
        declared = unit_kind(header.get("计量单位", "")) or ""
        x_text, y_text = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
        x, x_dms, x_why = read_coordinate(x_text, declared)
        y, y_dms, y_why = read_coordinate(y_text, declared)
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
            RawCoord(point, f"{key} point {parts[0]}", x_text, y_text, x_dms, y_dms, len(rings))
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
    unit = unit_kind(unit_text)
    if unit is None:
        problems.error(
            None,
            f"计量单位={unit_text!r} is neither metres (米) nor degrees (度, 度分秒, 秒)",
        )
    geographic = is_geographic(coords, unit, None, problems)
    if geographic:
        failed, _ = to_degrees(coords, unit, problems)
        broken = broken or bool(failed)
        for raw_ring in rings:
            raw_ring.points = [p for p in raw_ring.points if id(p) not in failed]
    n_points = sum(len(r.points) for r in rings)
    if n_points >= 1000:
        problems.warn(None, f"{n_points} corner points: registration requires fewer than 1000")
    plot = Plot(header.get("项目名称", ""), header.get("矿山名称", ""), "面", line_no=None)
    finished = finish_rings(
        plot, rings, Problems(source) if broken else problems, fix=fix, closed=False
    )
    for ring, (flag, top, bottom) in zip(finished, closing, strict=True):
        ring.flag, ring.top_m, ring.bottom_m = flag, top, bottom
    plot.rings = finished
    crs, unusable = registration_crs(plot, datum, problems, fix=fix, geographic=geographic)
    if not unusable and not broken:
        check_plot_geometry(plot, problems)
    problems.raise_if_any()
    return CoordinateFile("registration", encoding, header, [plot], crs, problems.warnings)


def read_registration_txt(
    source: str | Path | bytes, *, datum: str = "CGCS2000", fix: bool = False
) -> CoordinateFile:
    """Read a mining-right registration file from a path (or bytes)."""
    data, name = source_bytes(source)
    return parse_registration_txt(data, source=name, datum=datum, fix=fix)
