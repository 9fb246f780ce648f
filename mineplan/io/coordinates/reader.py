"""One tolerant reader for coordinates as planners have them: :func:`read_coordinates`.

Text, bytes or a path; the strict layouts go to their parsers (boundary 报盘 TXT,
registration ``XY001=`` files, the compact block string), anything else is read as a
pasted table by :mod:`~mineplan.io.coordinates.tables`. Here the numbers are
decided: metres or degrees (never metres read as degrees), which column is X (the
northing and the easting cannot be confused: their ranges in China do not overlap,
nor do latitude and longitude), the zone (from the easting's prefix, the text, or
``zone=``) and the datum (stated, named in the header of the chosen pair, or
CGCS2000 with a note). What the text does not decide raises
:class:`CoordinateChoiceError` naming the line and the CLI option to give.

The answer is one GeoDataFrame row per block in the source CRS (x = easting /
longitude, y = northing / latitude), with the stated area, the elevation range,
the datum, the TD/T 1055 area (unrounded) and ``frame.attrs["notes"]``: every
assumption and skipped line, with its line number.

May import: ``errors``, ``vocab``, ``geodesy``, :mod:`mineplan.io.text` and the other
modules of this package except the writers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pyproj

from mineplan.errors import CoordinateFileError, MineplanError
from mineplan.features import Features
from mineplan.geodesy import ellipsoidal_area
from mineplan.io.coordinates.block import parse_block_string
from mineplan.io.coordinates.boundary import parse_boundary_txt
from mineplan.io.coordinates.crs import projected_epsg
from mineplan.io.coordinates.geometry import check_plot_geometry, plot_geometry
from mineplan.io.coordinates.model import CoordinateFile, Plot, Point, Ring
from mineplan.io.coordinates.numbers import (
    CoordinateChoiceError,
    CRSLike,
    Pair,
    Settled,
    crs_epsg,
    settle,
    zone_width,
)
from mineplan.io.coordinates.parsing import Problems, RawRing, finish_rings
from mineplan.io.coordinates.records import group_blocks
from mineplan.io.coordinates.registration import parse_registration_txt
from mineplan.io.coordinates.tables import TableRecord, TableScan, scan_table
from mineplan.io.text import decode_text, split_fields
from mineplan.vocab import AREA_UNITS_KM2, format_area

if TYPE_CHECKING:  # geopandas loads only when a frame is built
    import geopandas as gpd

__all__ = [
    "FRAME_COLUMNS",
    "CoordinateChoiceError",
    "coordinate_text_layout",
    "read_coordinate_features",
    "read_coordinates",
]

#: Columns of the frame :func:`read_coordinates` returns, in order.
FRAME_COLUMNS: tuple[str, ...] = (
    "block",
    "number",
    "name",
    "kind",
    "rings",
    "points",
    "stated_area",
    "stated_area_unit",
    "area_km2",
    "area_difference",
    "top_m",
    "bottom_m",
    "datum",
    "geometry",
)

Layout = Literal["boundary", "registration", "block", "table"]


@dataclass
class _Block:
    number: str
    name: str
    line: int | None
    rings: list[tuple[int, int | None, list[Point]]]  # ring no, flag, points
    stated_area: float | None = None
    stated_area_unit: str | None = None
    stated_area_line: int | None = None
    top_m: float | None = None
    bottom_m: float | None = None


def coordinate_text_layout(text: str) -> Layout:
    """Which reader a text needs: ``boundary``, ``registration``, ``block`` or ``table``.

    >>> coordinate_text_layout("XY001=1,4851234.56,28512345.67, , ,")
    'registration'
    >>> coordinate_text_layout("| 1 | 4851234.56 | 28512345.67 |")
    'table'
    """
    if "[登记项目]" in text or re.search(r"^\s*XY\d{3}\s*=", text, re.MULTILINE | re.IGNORECASE):
        return "registration"
    if "[地块坐标]" in text or "[属性描述]" in text or re.search(r"@\s*$", text, re.MULTILINE):
        return "boundary"
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) == 1 and re.fullmatch(r"\s*\d+\s*,\s*\d+\s*,[-\d.,\s*]*", lines[0]):
        fields = split_fields(lines[0])
        if len(fields) >= 10 and fields[0].isdigit() and fields[1].isdigit():
            return "block"
    return "table"


def read_coordinates(
    source: str | bytes | Path,
    *,
    crs: CRSLike | None = None,
    zone: int | None = None,
) -> gpd.GeoDataFrame:
    """Read coordinates as pasted or saved: any table, or a strict coordinate layout.

    The frame of :func:`read_coordinate_features` (the same rows, columns and ``attrs``).

    Parameters
    ----------
    source
        The text itself, its bytes (encoding detected: BOM, UTF-8, GBK, GB18030) or
        a path to a text file.
    crs
        The CRS of the coordinates when the text does not say it (``"EPSG:4528"``,
        4528, a pyproj CRS). Overrides the zone found in the eastings.
    zone
        The Gauss-Kruger zone of eastings written without zone prefix (3-degree
        25–45, 6-degree 13–23).

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`FRAME_COLUMNS`, one row per block; polygons in the source CRS.
        ``stated_area`` / ``stated_area_unit`` as written (unit None when the text
        gives none); ``area_km2`` the TD/T 1055 ellipsoidal area, unrounded;
        ``area_difference`` computed − stated in the stated unit.
        ``attrs``: ``notes`` (``"line n: …"``), ``described_notes`` (those of them
        :func:`describe_coordinates` restates), ``source_format``, ``crs_source``,
        ``encoding``, ``point_names`` (per block, per ring, in the source order).

    Raises
    ------
    CoordinateChoiceError
        The zone or CRS cannot be decided from the text (message names ``--zone`` /
        ``--crs`` and the line).
    CoordinateFileError
        Naming every line that cannot be read.
    """
    return read_coordinate_features(source, crs=crs, zone=zone).to_frame()


def read_coordinate_features(
    source: str | bytes | Path,
    *,
    crs: CRSLike | None = None,
    zone: int | None = None,
) -> Features:
    """:func:`read_coordinates` as :class:`~mineplan.features.Features`, without pandas
    (a pre-grant check of a pasted table starts fast): the same parameters, columns,
    ``attrs`` and errors."""
    text, name, encoding = _source_text(source)
    layout = coordinate_text_layout(text)
    if layout in ("boundary", "registration"):
        cf = (
            parse_registration_txt(text, source=name)
            if layout == "registration"
            else parse_boundary_txt(text, source=name)
        )
        frame = _file_frame(cf, name, crs=crs, zone=zone)
        frame.attrs["encoding"] = encoding
        return frame
    problems = Problems(name)
    if layout == "block":
        blocks = _block_string(text, name)
        pairs = _block_string_points(blocks)
        source_format = "block string"
        scan = TableScan(blocks=[])
    else:
        scan = scan_table(text, problems)
        group_blocks(scan, problems)
        problems.raise_if_any()
        scan.blocks = [block for block in scan.blocks if block.rings]
        if not scan.blocks:
            raise CoordinateFileError(
                "no coordinates found: paste rows of 点号, X, Y (or 经度, 纬度), one point "
                "per row or several per row",
                path=name,
            )
        blocks, pairs = _table_blocks(scan)
        source_format = "coordinate table"
    settled = settle(pairs, scan, problems, name, crs=crs, zone=zone)
    problems.raise_if_any()
    frame = _frame(blocks, settled, problems, name)
    frame.attrs.update(source_format=source_format, encoding=encoding)
    if scan.total_area is not None:
        value, unit, line = scan.total_area
        if unit is not None:
            computed = float(np.nansum(frame["area_km2"])) / AREA_UNITS_KM2[unit]
            frame.attrs["notes"].append(
                f"line {line}: total stated area {value:g} {unit} of {len(frame)} blocks, "
                f"computed {format_area(computed, unit)}, "
                f"difference {_signed_area(computed - value, unit)}"
            )
        else:
            frame.attrs["notes"].append(f"line {line}: total area {value:g} without unit")
    return frame


def _signed_area(value: float, unit: str) -> str:
    """A difference of areas as shown: the display decimals of ``unit``, with its sign."""
    text = format_area(value, unit)
    return text if text.startswith("-") else "+" + text


# ----------------------------------------------------------------------- sources


def _source_text(source: str | bytes | Path) -> tuple[str, str | Path, str]:
    if isinstance(source, Path) or (isinstance(source, str) and _is_path(source)):
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CoordinateFileError(f"cannot read the file: {exc.strerror}", path=path) from exc
        text, encoding = decode_text(data, source=path)
        return text, path, encoding
    if isinstance(source, bytes):
        text, encoding = decode_text(source, source="<data>")
        return text, "<data>", encoding
    if not source.strip():
        raise CoordinateFileError("no text: paste the coordinate table", path="<text>")
    return source.replace("\ufeff", ""), "<text>", "str"


def _is_path(text: str) -> bool:
    if "\n" in text or len(text) > 1024:
        return False
    try:
        return Path(text).is_file()
    except OSError:
        return False


# ----------------------------------------------------------------------- strict layouts


def _file_frame(
    cf: CoordinateFile, name: str | Path, *, crs: CRSLike | None, zone: int | None
) -> Features:
    """A parsed boundary / registration file as a :func:`read_coordinates` frame."""
    notes = list(cf.warnings)
    epsg = cf.crs.epsg
    crs_source = "file"
    datum = cf.crs.datum or "CGCS2000"
    if crs is not None:
        epsg = crs_epsg(crs, geographic=cf.crs.geographic, name=name)
        crs_source = "argument"
    elif epsg is None and not cf.crs.geographic:
        if zone is None:
            raise CoordinateChoiceError(
                "the zone cannot be determined (no 带号 in the header and no zone prefix in "
                "the eastings); give it with --zone (e.g. --zone 28 for 84°E) or the CRS "
                "with --crs",
                option="zone",
                path=name,
            )
        width = zone_width(zone, name)
        epsg = projected_epsg(datum, width=width, zone=zone, prefixed=cf.crs.prefixed)
        crs_source = "zone argument"
    blocks = []
    for plot in cf.plots:
        tops = [r.top_m for r in plot.rings if r.top_m is not None]
        bottoms = [r.bottom_m for r in plot.rings if r.bottom_m is not None]
        unit = plot.stated_area_unit or None
        if plot.stated_area is not None and not plot.stated_area_unit and cf.format == "boundary":
            unit = "公顷"
            notes.append(
                f"line {plot.line_no}: plot {plot.number}: area {plot.stated_area:g} written "
                "without unit: 公顷, as the exchange format defines"
            )
        blocks.append(
            _Block(
                plot.number,
                plot.name,
                plot.line_no,
                [(r.ring_no, r.flag, r.points) for r in plot.rings],
                plot.stated_area,
                unit,
                plot.line_no,
                max(tops) if tops else None,
                min(bottoms) if bottoms else None,
            )
        )
    if epsg is None:
        raise CoordinateChoiceError(
            "the coordinate system cannot be determined; give it with --crs",
            option="crs",
            path=name,
        )
    problems = Problems(name)
    settled = Settled(epsg, datum, crs_source, notes)
    frame = _frame(blocks, settled, problems, name, kinds=[p.kind for p in cf.plots], check=False)
    frame.attrs["source_format"] = f"{cf.format} TXT"
    return frame


def _block_string(text: str, name: str | Path) -> list[_Block]:
    try:
        rings = parse_block_string(text.strip())
    except CoordinateFileError as exc:
        raise CoordinateFileError(exc.reason, path=name, line=1) from exc
    for ring in rings:
        for point in ring.points:
            point.line_no = 1
    block = _Block("1", "", 1, [(r.ring_no, r.flag, r.points) for r in rings])
    tops = [r.top_m for r in rings if r.top_m is not None]
    bottoms = [r.bottom_m for r in rings if r.bottom_m is not None]
    block.top_m = max(tops) if tops else None
    block.bottom_m = min(bottoms) if bottoms else None
    return [block]


def _block_string_points(blocks: list[_Block]) -> list[Pair]:
    pairs = []
    for block in blocks:
        for _, _, points in block.rings:
            for p in points:
                text_x, text_y = f"{p.x_northing}", f"{p.y_easting}"
                pairs.append(
                    Pair(p, p.x_northing, p.y_easting, text_x, text_y, ("plane", "plane"),
                          ("x", "y"))
                )
    return pairs


def _table_blocks(scan: TableScan) -> tuple[list[_Block], list[Pair]]:
    blocks: list[_Block] = []
    pairs: list[Pair] = []
    for table_block in scan.blocks:
        rings = []
        for ring in table_block.rings:
            points = []
            for k, record in enumerate(ring.records, start=1):
                point = Point(record.name or str(k), math.nan, math.nan, record.line)
                points.append(point)
                pairs.append(_pair(point, record))
            rings.append((ring.ring_no, ring.flag, points))
        blocks.append(
            _Block(
                str(table_block.number),
                table_block.name,
                table_block.line,
                rings,
                table_block.stated_area,
                table_block.stated_area_unit,
                table_block.stated_area_line,
                table_block.top_m,
                table_block.bottom_m,
            )
        )
    return blocks, pairs


def _pair(point: Point, record: TableRecord) -> Pair:
    a, b = record.first, record.second
    assert a.value is not None and b.value is not None
    return Pair(point, a.value, b.value, a.text, b.text, (a.kind, b.kind), record.roles)


# ----------------------------------------------------------------------- the frame


def _frame(
    blocks: Sequence[_Block],
    settled: Settled | None,
    problems: Problems,
    name: str | Path,
    *,
    kinds: Sequence[str] | None = None,
    check: bool = True,
) -> Features:
    assert settled is not None
    plots: list[Plot] = []
    for i, block in enumerate(blocks):
        kind = kinds[i] if kinds is not None else "面"
        plot = Plot(block.number, block.name, kind, line_no=block.line)  # type: ignore[arg-type]
        if check:
            raw = [RawRing(number, points) for number, _, points in block.rings]
            finished = finish_rings(plot, raw, problems, fix=True, closed=False)
            for ring, (_, flag, _) in zip(finished, block.rings, strict=True):
                ring.flag = flag
            plot.rings = finished
            check_plot_geometry(plot, problems)
        else:
            plot.rings = [Ring(n, pts, flag) for n, flag, pts in block.rings]
        plots.append(plot)
    problems.raise_if_any()
    notes = [*settled.notes, *problems.warnings]
    described: list[str] = []  # notes that describe_coordinates restates per block
    rows: list[dict[str, object]] = []
    for block, plot in zip(blocks, plots, strict=True):
        geom = plot_geometry(plot)
        area_m2 = math.nan
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            try:
                area_m2 = ellipsoidal_area(geom, crs=settled.epsg)
            except MineplanError as exc:
                raise CoordinateFileError(
                    f"block {block.number}: no area: {exc}", path=name, line=block.line
                ) from exc
        difference = math.nan
        unit = block.stated_area_unit
        if block.stated_area is not None and unit is not None:
            in_unit = area_m2 / (AREA_UNITS_KM2[unit] * 1e6)
            difference = in_unit - block.stated_area
            described.append(
                f"line {block.stated_area_line}: block {block.number}: stated area "
                f"{block.stated_area:g} {unit}, computed {format_area(in_unit, unit)} "
                f"(TD/T 1055), difference {_signed_area(difference, unit)}"
            )
            notes.append(described[-1])
        rows.append(
            {
                "block": len(rows) + 1,
                "number": block.number,
                "name": block.name,
                "kind": plot.kind,
                "rings": len(plot.rings),
                "points": sum(len(r.points) for r in plot.rings),
                "stated_area": block.stated_area if block.stated_area is not None else math.nan,
                "stated_area_unit": unit,
                "area_km2": area_m2 / 1e6,
                "area_difference": difference,
                "top_m": block.top_m if block.top_m is not None else math.nan,
                "bottom_m": block.bottom_m if block.bottom_m is not None else math.nan,
                "datum": settled.datum,
                "geometry": geom,
            }
        )
    frame = Features.from_records(rows, columns=list(FRAME_COLUMNS),
                                  crs=pyproj.CRS.from_epsg(settled.epsg))
    frame.attrs["notes"] = notes
    frame.attrs["described_notes"] = described
    frame.attrs["crs_source"] = settled.crs_source
    frame.attrs["point_names"] = [
        [[p.name for p in r.points] for r in plot.rings] for plot in plots
    ]
    return frame
