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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pyproj

from mineplan.errors import CoordinateFileError, MineplanError
from mineplan.geodesy import classify_plane_pair, ellipsoidal_area
from mineplan.io.coordinates.block import parse_block_string
from mineplan.io.coordinates.boundary import parse_boundary_txt
from mineplan.io.coordinates.crs import projected_epsg
from mineplan.io.coordinates.degrees import parse_dms
from mineplan.io.coordinates.geometry import check_plot_geometry, plot_geometry
from mineplan.io.coordinates.model import CoordinateFile, Plot, Point, Ring
from mineplan.io.coordinates.parsing import Problems, RawRing, finish_rings
from mineplan.io.coordinates.registration import parse_registration_txt
from mineplan.io.coordinates.tables import TableRecord, TableScan, scan_table
from mineplan.io.text import decode_text, split_fields
from mineplan.vocab import AREA_UNITS_KM2, CHINA_LAT_RANGE, CHINA_LON_RANGE, GEOGRAPHIC_EPSG

__all__ = [
    "FRAME_COLUMNS",
    "CoordinateChoiceError",
    "coordinate_text_layout",
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
CRSLike = str | int | pyproj.CRS
_Note = Callable[[int | None, str], None]


class CoordinateChoiceError(CoordinateFileError):
    """The text does not decide something only the user can say (zone, CRS, columns).

    Attributes
    ----------
    option
        What to give: ``"zone"`` (CLI ``--zone``, web 带号) or ``"crs"`` (``--crs``).
    """

    def __init__(
        self, message: str, *, option: str, path: str | Path | None = None, line: int | None = None
    ) -> None:
        self.option = option
        super().__init__(message, path=path, line=line)


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


@dataclass
class _Settled:
    epsg: int
    datum: str
    crs_source: str
    notes: list[str] = field(default_factory=list)


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
        ``attrs``: ``notes`` (``"line n: …"``), ``source_format``, ``crs_source``,
        ``encoding``, ``point_names`` (per block, per ring, in the source order).

    Raises
    ------
    CoordinateChoiceError
        The zone or CRS cannot be decided from the text (message names ``--zone`` /
        ``--crs`` and the line).
    CoordinateFileError
        Naming every line that cannot be read.
    """
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
        problems.raise_if_any()
        if not scan.blocks:
            raise CoordinateFileError(
                "no coordinates found: paste rows of 点号, X, Y (or 经度, 纬度), one point "
                "per row or several per row",
                path=name,
            )
        blocks, pairs = _table_blocks(scan)
        source_format = "coordinate table"
    settled = _settle(pairs, scan, problems, name, crs=crs, zone=zone)
    problems.raise_if_any()
    frame = _frame(blocks, settled, problems, name)
    frame.attrs.update(source_format=source_format, encoding=encoding)
    return frame


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
) -> gpd.GeoDataFrame:
    """A parsed boundary / registration file as a :func:`read_coordinates` frame."""
    notes = list(cf.warnings)
    epsg = cf.crs.epsg
    crs_source = "file"
    datum = cf.crs.datum or "CGCS2000"
    if crs is not None:
        epsg = _crs_epsg(crs, geographic=cf.crs.geographic, name=name)
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
        width = _zone_width(zone, name)
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
    settled = _Settled(epsg, datum, crs_source, notes)
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


@dataclass
class _Pair:
    """One point's two numbers before the axes are decided."""

    point: Point
    first: float
    second: float
    first_text: str
    second_text: str
    kinds: tuple[str, str]
    roles: tuple[str | None, str | None]


def _block_string_points(blocks: list[_Block]) -> list[_Pair]:
    pairs = []
    for block in blocks:
        for _, _, points in block.rings:
            for p in points:
                text_x, text_y = f"{p.x_northing}", f"{p.y_easting}"
                pairs.append(
                    _Pair(p, p.x_northing, p.y_easting, text_x, text_y, ("plane", "plane"),
                          ("x", "y"))
                )
    return pairs


def _table_blocks(scan: TableScan) -> tuple[list[_Block], list[_Pair]]:
    blocks: list[_Block] = []
    pairs: list[_Pair] = []
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


def _pair(point: Point, record: TableRecord) -> _Pair:
    a, b = record.first, record.second
    assert a.value is not None and b.value is not None
    return _Pair(point, a.value, b.value, a.text, b.text, (a.kind, b.kind), record.roles)


# ----------------------------------------------------------------------- deciding the numbers


def _in(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _packed(lat: float, lon: float) -> bool:
    return _in(lat, (CHINA_LAT_RANGE[0] * 1e4, CHINA_LAT_RANGE[1] * 1e4)) and _in(
        lon, (CHINA_LON_RANGE[0] * 1e4, CHINA_LON_RANGE[1] * 1e4)
    )


def _settle(
    pairs: Sequence[_Pair],
    scan: TableScan,
    problems: Problems,
    name: str | Path,
    *,
    crs: CRSLike | None,
    zone: int | None,
) -> _Settled | None:
    """Decide metres or degrees, axis order, zone, datum; set every point's X and Y."""
    geographic = [p for p in pairs if set(p.kinds) <= {"degree", "dms"}]
    plane = [p for p in pairs if p.kinds == ("plane", "plane")]
    sorted_ids = {id(p) for p in geographic} | {id(p) for p in plane}
    mixed = [p for p in pairs if id(p) not in sorted_ids]
    for p in mixed:
        problems.error(
            p.point.line_no,
            f"point {p.point.name}: {p.first_text!r} and {p.second_text!r} — one is in degrees, "
            "the other in metres; check the row",
        )
    if geographic and plane:
        minority = plane if len(plane) < len(geographic) else geographic
        p = minority[0]
        problems.error(
            p.point.line_no,
            f"point {p.point.name} is written in {'metres' if minority is plane else 'degrees'} "
            "while most points are not; paste one kind of coordinates at a time",
        )
    if problems.errors:
        return None
    notes_once: set[str] = set()

    def note_once(line: int | None, message: str) -> None:
        if message not in notes_once:
            notes_once.add(message)
            problems.warn(line, message)

    datum = scan.pair_datum or scan.datum
    if plane:
        packed = _plane_axes(plane, problems, note_once)
        if packed:
            geographic, plane = plane, []
    if geographic and not plane:
        _degree_axes(geographic, problems, note_once)
    if problems.errors:
        return None
    if datum is None:
        if crs is None:
            first_line = pairs[0].point.line_no if pairs else None
            note_once(first_line, "datum not stated: assumed CGCS2000 (2000国家大地坐标系)")
        datum = "CGCS2000"
    elif scan.datum_line is not None:
        note_once(scan.datum_line, f"datum {datum} as the text states")
    if geographic:
        if crs is not None:
            return _Settled(_crs_epsg(crs, geographic=True, name=name), datum, "argument")
        return _Settled(GEOGRAPHIC_EPSG[datum], datum, "file")
    return _plane_crs(plane, scan, problems, name, datum, crs=crs, zone=zone)


def _plane_axes(plane: Sequence[_Pair], problems: Problems, note_once: _Note) -> bool:
    """Set X (northing) and Y (easting) of plane pairs; True when they are packed DMS."""
    verdicts = [classify_plane_pair(p.first, p.second) for p in plane]
    implausible = [p for p, v in zip(plane, verdicts, strict=True) if not v.plausible]
    if implausible and len(implausible) == len(plane) and all(
        _packed(p.first, p.second) or _packed(p.second, p.first) for p in plane
    ):
        for p in plane:
            try:
                p.first, p.second = parse_dms(p.first_text), parse_dms(p.second_text)
            except CoordinateFileError as exc:
                problems.error(p.point.line_no, f"point {p.point.name}: {exc.reason}")
            p.kinds = ("dms", "dms")
        note_once(
            plane[0].point.line_no,
            "the numbers are packed degrees-minutes-seconds (DDMMSS.sss), not metres: "
            "read as latitude/longitude",
        )
        return True
    for p in implausible:
        problems.error(
            p.point.line_no,
            f"point {p.point.name}: {p.first_text}, {p.second_text} is not a Gauss-Kruger "
            "coordinate in China (X northing 2.0e6–5.9e6 m, Y easting 500000 ± 350000 m, "
            "optionally with the zone prefix) nor a latitude/longitude; check the numbers",
        )
    for p, verdict in zip(plane, verdicts, strict=True):
        if not verdict.plausible:
            continue
        if verdict.swapped:
            p.point.x_northing, p.point.y_easting = p.second, p.first
            if p.roles[0] == "x":
                note_once(
                    p.point.line_no,
                    "the column headed X holds eastings and the one headed Y northings "
                    "(GIS order): read X as the easting",
                )
            elif p.roles[0] is None:
                note_once(p.point.line_no, "the easting comes first in the rows: read it as Y")
        else:
            p.point.x_northing, p.point.y_easting = p.first, p.second
    return False


def _degree_axes(pairs: Sequence[_Pair], problems: Problems, note_once: _Note) -> None:
    for p in pairs:
        a, b = p.first, p.second
        by_value = (
            True
            if _in(a, CHINA_LAT_RANGE) and _in(b, CHINA_LON_RANGE)
            else False
            if _in(a, CHINA_LON_RANGE) and _in(b, CHINA_LAT_RANGE)
            else None
        )
        if by_value is None:
            problems.error(
                p.point.line_no,
                f"point {p.point.name}: {p.first_text}, {p.second_text} is not a latitude and a "
                f"longitude in China (latitude {CHINA_LAT_RANGE[0]:g}–{CHINA_LAT_RANGE[1]:g}°, "
                f"longitude {CHINA_LON_RANGE[0]:g}–{CHINA_LON_RANGE[1]:g}°); check the numbers",
            )
            continue
        header = {("lat", "lon"): True, ("x", "y"): True, ("lon", "lat"): False,
                  ("y", "x"): False}.get((p.roles[0] or "", p.roles[1] or ""))
        if header is not None and header != by_value:
            note_once(
                p.point.line_no,
                "the header's 经度/纬度 order does not fit the values (latitudes "
                f"{CHINA_LAT_RANGE[0]:g}–{CHINA_LAT_RANGE[1]:g}°, longitudes "
                f"{CHINA_LON_RANGE[0]:g}–{CHINA_LON_RANGE[1]:g}° cannot be confused): "
                "read by value",
            )
        lat, lon = (a, b) if by_value else (b, a)
        p.point.x_northing, p.point.y_easting = lat, lon


def _zone_width(zone: int, name: str | Path) -> int:
    if 25 <= zone <= 45:
        return 3
    if 13 <= zone <= 23:
        return 6
    raise CoordinateChoiceError(
        f"zone {zone} is not a Gauss-Kruger zone of China (3-degree 25–45, 6-degree 13–23); "
        "give a valid --zone",
        option="zone",
        path=name,
    )


def _crs_epsg(crs: CRSLike, *, geographic: bool, name: str | Path) -> int:
    try:
        parsed = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise CoordinateChoiceError(
            f"--crs {crs!r} is not a known CRS ({exc}); give e.g. --crs EPSG:4528",
            option="crs",
            path=name,
        ) from exc
    if parsed.is_geographic != geographic:
        what = "latitude/longitude in degrees" if geographic else "plane coordinates in metres"
        raise CoordinateChoiceError(
            f"--crs {crs} is a {'geographic' if parsed.is_geographic else 'projected'} CRS but "
            f"the coordinates are {what}; give a matching --crs",
            option="crs",
            path=name,
        )
    epsg = parsed.to_epsg()
    if epsg is None:
        raise CoordinateChoiceError(
            f"--crs {crs!r} has no EPSG code; give it as EPSG:nnnn", option="crs", path=name
        )
    return epsg


def _plane_crs(
    plane: Sequence[_Pair],
    scan: TableScan,
    problems: Problems,
    name: str | Path,
    datum: str,
    *,
    crs: CRSLike | None,
    zone: int | None,
) -> _Settled | None:
    if crs is not None:
        return _Settled(_crs_epsg(crs, geographic=False, name=name), datum, "argument")
    verdicts = [(p, classify_plane_pair(p.point.x_northing, p.point.y_easting)) for p in plane]
    prefixed = [(p, v.zone) for p, v in verdicts if v.zone is not None]
    plain = [p for p, v in verdicts if v.zone is None]
    if prefixed and plain:
        p = plain[0]
        problems.error(
            p.point.line_no,
            f"point {p.point.name}: Y={p.point.y_easting:.2f} has no zone prefix while point "
            f"{prefixed[0][0].point.name} has one; write every Y the same way",
        )
        return None
    zones = {z.zone: (p, z) for p, z in prefixed if z is not None}
    if len(zones) > 1:
        (p1, z1), (p2, z2) = list(zones.values())[:2]
        problems.error(
            p2.point.line_no,
            f"point {p2.point.name} is in zone {z2.zone} but point {p1.point.name} (line "
            f"{p1.point.line_no}) in zone {z1.zone}; paste one zone at a time",
        )
        return None
    if zones:
        p, gk = next(iter(zones.values()))
        if zone is not None and zone != gk.zone:
            raise CoordinateChoiceError(
                f"--zone {zone} but the eastings carry zone prefix {gk.zone} (e.g. point "
                f"{p.point.name}); leave --zone out or correct it",
                option="zone",
                path=name,
                line=p.point.line_no,
            )
        epsg = projected_epsg(datum, width=gk.width, zone=gk.zone, prefixed=True)
        source = "file"
    else:
        first = plain[0].point
        width: int | None
        if zone is not None:
            width, number, source = _zone_width(zone, name), zone, "zone argument"
        elif scan.zone is not None:
            width, number, source = _zone_width(scan.zone, name), scan.zone, "file"
        elif scan.central_meridian is not None:
            width = scan.width or 3
            cm = scan.central_meridian
            number = int(cm // 3) if width == 3 else int((cm + 3) // 6)
            source = "file"
            if scan.width is None:
                problems.warn(
                    scan.zone_line,
                    f"central meridian {cm:g}°E without zone width: read as 3-degree zone "
                    f"{number}",
                )
        else:
            raise CoordinateChoiceError(
                f"the eastings (e.g. Y={first.y_easting:.2f} of point {first.name}) carry no "
                "zone prefix and the text states no zone; give the Gauss-Kruger zone with "
                "--zone (e.g. --zone 28 for the 3-degree zone at 84°E) or the CRS with --crs",
                option="zone",
                path=name,
                line=first.line_no,
            )
        epsg = projected_epsg(datum, width=width, zone=number, prefixed=False)
    if epsg is None:
        raise CoordinateChoiceError(
            f"no EPSG code for datum {datum} in that zone; give the CRS with --crs",
            option="crs",
            path=name,
        )
    return _Settled(epsg, datum, source)


# ----------------------------------------------------------------------- the frame


def _frame(
    blocks: Sequence[_Block],
    settled: _Settled | None,
    problems: Problems,
    name: str | Path,
    *,
    kinds: Sequence[str] | None = None,
    check: bool = True,
) -> gpd.GeoDataFrame:
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
            notes.append(
                f"line {block.stated_area_line}: block {block.number}: stated area "
                f"{block.stated_area:g} {unit}, computed {in_unit:.6g} {unit} (TD/T 1055), "
                f"difference {difference:+.6g} {unit}"
            )
        rows.append(
            {
                "block": len(rows) + 1,
                "number": block.number,
                "name": block.name,
                "kind": plot.kind,
                "rings": len(plot.rings),
                "points": sum(len(r.points) for r in plot.rings),
                "stated_area": block.stated_area if block.stated_area is not None else np.nan,
                "stated_area_unit": unit,
                "area_km2": area_m2 / 1e6,
                "area_difference": difference,
                "top_m": block.top_m if block.top_m is not None else np.nan,
                "bottom_m": block.bottom_m if block.bottom_m is not None else np.nan,
                "datum": settled.datum,
                "geometry": geom,
            }
        )
    frame = gpd.GeoDataFrame(
        rows, columns=list(FRAME_COLUMNS), geometry="geometry", crs=pyproj.CRS.from_epsg(
            settled.epsg
        )
    )
    frame.attrs["notes"] = notes
    frame.attrs["crs_source"] = settled.crs_source
    frame.attrs["point_names"] = [
        [[p.name for p in r.points] for r in plot.rings] for plot in plots
    ]
    return frame
