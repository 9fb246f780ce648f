"""Coordinate tables as planners paste them: lines to cells, cells to points, points to blocks.

What a public notice (出让公告/公示), a web page or a converter prints is not a file
layout but a table copied as text: pipes (``| 1 | 4851234.56 | 28512345.67 |``), tabs
with a header row, one cell per line, point numbers glued to X with a dot and several
points per line (``1.4851234.56,28512345.67;2.…。``), DMS cells, two points per row,
several coordinate pairs per point (西安80 and 2000), elevation rows ``*,1215,1080``,
terminator rows ``5 | 0 | 0``, a stated area line (``面积 0.1234平方千米``), several
blocks, 挖空 rings. :func:`scan_table` reads such text into :class:`TableBlock` s of
classified :class:`Cell` s, plus what the text states about datum, zone, area and
elevation, with a note for every assumption and skipped line. Grouping the cells into
points is :mod:`~mineplan.io.coordinates.records`; deciding what the numbers are
(metres or degrees, axis order, zone, CRS) is :mod:`~mineplan.io.coordinates.numbers`.

May import: ``errors``, ``vocab``, :mod:`mineplan.io.text`, the model, the parsing
helpers and :mod:`~mineplan.io.coordinates.degrees` of this package.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from mineplan.errors import CoordinateFileError
from mineplan.io.coordinates.degrees import parse_dms
from mineplan.io.coordinates.parsing import Problems
from mineplan.io.text import parse_number, split_lines
from mineplan.vocab import AREA_UNITS_KM2

__all__ = [
    "COORDINATE_ROLES",
    "Cell",
    "Column",
    "TableBlock",
    "TableRecord",
    "TableRing",
    "TableScan",
    "classify_cell",
    "column_role",
    "datum_from_text",
    "header_columns",
    "normalise_paste",
    "scan_table",
    "split_cells",
]

CellKind = Literal["name", "plane", "degree", "dms", "text"]
Role = Literal["name", "ring", "x", "y", "lon", "lat", "datum"]
COORDINATE_ROLES: frozenset[str] = frozenset({"x", "y", "lon", "lat"})

# Compatibility forms NFKC would break: ″ (double prime, DMS seconds) becomes ′′.
_KEEP_AS_TYPED = re.compile("([″‴])")
_DMS_MARKS = frozenset("°′″'\"’”度分秒")
_DMS_SPACED = re.compile(r"\d{1,3}[\s:]\d{1,2}[\s:]\d{1,2}(?:\.\d+)?")
_NAME = re.compile(r"(?:[A-Za-z]{0,4}|拐点|界址点|点)[-_]?\d{1,5}[A-Za-z]?号?")
# "X=4851234.56", "Y：28512345.67", "经度:84°05′12″", "东经84°05′12″": the label goes
_LABEL = re.compile(
    r"(?<![A-Za-z])(?:[XYxy]|经度|纬度)\s*[=:]\s*|东经\s*|北纬\s*|(?<![A-Za-z\d])[NE](?=\d)"
)
_DEGREE_MARK = re.compile(r"(\d{1,3}\.\d+)\s*°\s*([NSEWnsew]?)")
_GLUED = re.compile(r"([A-Za-z]{0,4}\d{1,5})\.(\d{5,9}\.\d+)")
_UNIT_SUFFIX = re.compile(r"(.*\d)\s*(?:m|米)")
_RULE = re.compile(r"[|\-:=+\s—]*")
#: Point numbers up to this are names; larger integers are coordinates.
_MAX_POINT_NUMBER = 10_000
_AREA_UNITS = "|".join(sorted((re.escape(u) for u in AREA_UNITS_KM2), key=len, reverse=True))
# 面积, or MJ (the exchange standard's area field), a unit in brackets or after the value
_AREA = re.compile(
    rf"(?:面积|(?<![A-Za-z])MJ(?![A-Za-z]))\s*[（(]?\s*(?P<u1>{_AREA_UNITS})?\s*[)）]?\s*"
    rf"(?:为|是|约|共|合计|:|=)*\s*"
    rf"(?P<v>\d+(?:\.\d+)?)\s*(?P<u2>{_AREA_UNITS})?",
    re.IGNORECASE,
)
#: A 计量单位 line naming an area unit: the unit of a stated area written without one.
_AREA_UNIT_LINE = re.compile(rf"计量单位\s*[:：=]?\s*(?P<u>{_AREA_UNITS})(?![A-Za-z])",
                             re.IGNORECASE)
_ELEVATION_WORDS = re.compile(r"标高|开采深度|高程")
_ELEVATION_RANGE = re.compile(
    r"([+-]?\d+(?:\.\d+)?)\s*(?:米|m)?\s*(?:至|到|~|—|–|－|-{1,2})\s*([+-]?\d+(?:\.\d+)?)"
)
_ZONE_TEXT = re.compile(r"(?:带号\s*(?:为|是|:|=)?\s*|第\s*)(\d{2})\s*带?|(?<![\d度])(\d{2})\s*带")
_WIDTH_TEXT = re.compile(r"([36三六])\s*度\s*(?:分)?带")
_CM_TEXT = re.compile(r"中央(?:经线|子午线)\s*(?:为|是|:|=)?\s*(\d{2,3})")
_METADATA_WORDS = re.compile(r"面积|(?<![A-Za-z])MJ(?![A-Za-z])|计量单位|标高|开采深度|高程|"
                             r"坐标系|带号|度带|分带|中央经线|中央子午线")
_RING_MARK = re.compile(r"(?:圈号|第)\s*(?:为|:|=)?\s*(\d{1,2})\s*(?:圈|号圈)?")


def normalise_paste(text: str) -> str:
    """NFKC (full-width digits, commas, spaces to ASCII) except ″ and ‴, kept as typed.

    >>> normalise_paste("１２，84°12′30.5″；")
    '12,84°12′30.5″;'
    """
    parts = _KEEP_AS_TYPED.split(text.replace("\ufeff", ""))
    return "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))


def datum_from_text(text: str) -> str | None:
    """The datum a header cell or a line names: ``CGCS2000``, ``Xian 1980``, ``Beijing 1954``.

    >>> datum_from_text("X(西安80)"), datum_from_text("Y(2000)"), datum_from_text("X")
    ('Xian 1980', 'CGCS2000', None)
    """
    compact = text.replace(" ", "").upper()
    if re.search(r"2000|CGCS", compact):
        return "CGCS2000"
    if re.search(r"1980|西安|XIAN|(?<!\d)80(?!\d)", compact):
        return "Xian 1980"
    if re.search(r"1954|北京|BEIJING|(?<!\d)54(?!\d)", compact):
        return "Beijing 1954"
    return None


@dataclass
class Cell:
    """One cell of a table: its text, line, what it looks like and its number."""

    text: str
    line: int
    kind: CellKind
    value: float | None = None


@dataclass
class Column:
    """One header column: its role, the datum it names, its text."""

    role: Role
    datum: str | None
    text: str


@dataclass
class TableRecord:
    """One point as read: its name (None when the table numbers none) and its two cells.

    ``roles`` are the header roles of the two cells (None without a header).
    """

    name: str | None
    first: Cell
    second: Cell
    line: int
    roles: tuple[str | None, str | None] = (None, None)
    ring_no: int | None = None


@dataclass
class TableRing:
    """A ring's cells in reading order, before they are grouped into records."""

    ring_no: int
    flag: int | None = None
    cells: list[Cell] = field(default_factory=list)
    records: list[TableRecord] = field(default_factory=list)


@dataclass
class TableBlock:
    """One block (区块/地块) of a paste: name, rings, and what the text states about it."""

    number: int
    name: str = ""
    line: int | None = None
    header: list[Column] | None = None
    header_line: int | None = None
    rings: list[TableRing] = field(default_factory=list)
    stated_area: float | None = None
    stated_area_unit: str | None = None
    stated_area_line: int | None = None
    top_m: float | None = None
    bottom_m: float | None = None

    @property
    def has_cells(self) -> bool:
        return any(r.cells for r in self.rings)


@dataclass
class TableScan:
    """What :func:`scan_table` found: blocks, stated datum / zone / width, notes."""

    blocks: list[TableBlock]
    datum: str | None = None
    datum_line: int | None = None
    zone: int | None = None
    width: int | None = None
    central_meridian: float | None = None
    zone_line: int | None = None
    pair_datum: str | None = None
    #: A total area stated for several blocks: (value, unit or None, line).
    total_area: tuple[float, str | None, int] | None = None
    #: The area unit a 计量单位 line states, and its line.
    area_unit: tuple[str | None, int] | None = None


def split_cells(line: str) -> list[str]:
    """A line's cells: split at pipes, else tabs, else commas, semicolons and blanks.

    >>> split_cells("| 1 | 4851234.56 | 28512345.67 |")
    ['1', '4851234.56', '28512345.67']
    >>> split_cells("1.4851234.56,28512345.67;2.4851234.56,28513345.67")
    ['1.4851234.56', '28512345.67', '2.4851234.56', '28513345.67']
    """
    stripped = line.strip()
    if "|" in stripped:
        parts = stripped.strip("|").split("|")
    elif "\t" in stripped:
        parts = stripped.split("\t")
    else:
        return [p for p in re.split(r"[,;\s]+", stripped) if p]
    cells: list[str] = []
    for part in parts:
        part = part.strip()
        # a pipe or tab cell holding "X, Y" or "X Y": split it, unless it is one DMS value
        if re.search(r"[,;\s]", part) and not _is_dms_text(part) and _cells_look_numeric(part):
            cells += [p for p in re.split(r"[,;\s]+", part) if p]
        else:
            cells.append(part)
    return cells


def _cells_look_numeric(text: str) -> bool:
    return all(parse_number(p) is not None for p in re.split(r"[,;\s]+", text) if p)


def _is_dms_text(text: str) -> bool:
    return any(c in _DMS_MARKS for c in text) or bool(_DMS_SPACED.fullmatch(text))


def classify_cell(text: str, line: int) -> list[Cell]:
    """The cell(s) one piece of text is: a point name, a plane number, degrees, DMS, text.

    A glued ``1.4851234.56`` is two cells (name 1, number 4851234.56). Integers up to
    9 999 are point names; larger numbers are plane coordinates (or packed DMS);
    numbers with a fraction up to 180 are decimal degrees.
    """
    t = text.strip().rstrip("。.").strip() if text.strip().endswith("。") else text.strip()
    if not t:
        return []
    glued = _GLUED.fullmatch(t)
    if glued:
        return [Cell(glued.group(1), line, "name"), *classify_cell(glued.group(2), line)]
    unit = _UNIT_SUFFIX.fullmatch(t)
    if unit and parse_number(unit.group(1)) is not None:
        t = unit.group(1)
    value = parse_number(t)
    if value is not None:
        if "." not in t and value < _MAX_POINT_NUMBER:
            return [Cell(t, line, "name", value)]
        if value >= _MAX_POINT_NUMBER:
            return [Cell(t, line, "plane", value)]
        if "." in t and 0 < value <= 180:
            return [Cell(t, line, "degree", value)]
        return [Cell(t, line, "text")]
    degrees = _DEGREE_MARK.fullmatch(t)
    if degrees:
        sign = -1.0 if degrees.group(2).upper() in ("S", "W") else 1.0
        return [Cell(t, line, "degree", sign * float(degrees.group(1)))]
    if _is_dms_text(t):
        try:
            return [Cell(t, line, "dms", parse_dms(t))]
        except CoordinateFileError:
            return [Cell(t, line, "text")]
    if _NAME.fullmatch(t):
        number = re.search(r"\d+", t)
        return [Cell(t, line, "name", float(number.group()) if number else None)]
    return [Cell(t, line, "text")]


def column_role(text: str) -> Role | None:
    """The role a header cell names, or None.

    >>> [column_role(t) for t in ("拐点编号", "X坐标(m)", "Y(2000)", "经度", "北纬", "圈号")]
    ['name', 'x', 'y', 'lon', 'lat', 'ring']
    """
    upper = text.strip().upper()
    if not upper:
        return None
    if "经度" in upper or "东经" in upper or upper.startswith("LON") or upper in ("E", "L"):
        return "lon"
    if "纬度" in upper or "北纬" in upper or upper.startswith("LAT") or upper in ("N", "B"):
        return "lat"
    if "圈号" in upper or "环号" in upper:
        return "ring"
    if re.search(r"(?<![A-Z])X(?![A-Z])", upper) or re.search(r"北坐标|纵坐标|北向|北距", upper):
        return "x"
    if re.search(r"(?<![A-Z])Y(?![A-Z])", upper) or re.search(r"东坐标|横坐标|东向|东距", upper):
        return "y"
    names = r"序号|点号|拐点|编号|点名|界址点|^NO\.?$|^ID$|^POINT|^点$"
    if len(upper) <= 8 and re.search(names, upper):
        return "name"
    return None


def header_columns(cells: list[str]) -> list[Column] | None:
    """The columns of a header line, or None when the line is not (part of) a header."""
    columns: list[Column] = []
    for text in cells:
        role = column_role(text)
        datum = datum_from_text(text)
        if role is None and datum is not None and re.search(r"坐标|系|CGCS|西安|北京", text):
            role = "datum"  # a cell spanning a pair: | 西安80坐标系 | | 2000坐标系 | |
        if role is None:
            if re.search(r"\d", text) and datum is None:
                return None
            continue
        columns.append(Column(role, datum, text))
    return columns or None


class _Scanner:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.scan = TableScan(blocks=[])
        self.unitless: list[tuple[TableBlock, int]] = []  # stated areas without a unit
        self.block = self._new_block()
        self.header: list[Column] | None = None
        self.header_line: int | None = None
        self.last_was_header = False

    # ---------------------------------------------------------------- blocks and rings
    def _new_block(self, name: str = "", line: int | None = None) -> TableBlock:
        block = TableBlock(len(self.scan.blocks) + 1, name, line)
        block.rings.append(TableRing(1))
        self.scan.blocks.append(block)
        return block

    def start_block(self, name: str = "", line: int | None = None) -> None:
        if self.block.has_cells:
            self.block = self._new_block(name, line)
        elif name:
            self.block.name, self.block.line = name, line

    def start_ring(self, flag: int | None, ring_no: int | None = None) -> None:
        rings = self.block.rings
        number = ring_no if ring_no is not None else rings[-1].ring_no + 1
        if rings[-1].cells:
            rings.append(TableRing(number, flag))
        else:
            rings[-1].flag = flag
            if ring_no is not None:
                rings[-1].ring_no = ring_no

    # ---------------------------------------------------------------- lines
    def line(self, line_no: int, raw: str) -> None:
        line = raw.strip()
        if not line or _RULE.fullmatch(line):
            return
        if line.lstrip("|").strip().startswith("*"):
            self.last_was_header = False
            self.star_row(line_no, line)
            return
        if re.search(r"\d", line):
            line = _LABEL.sub(" ", line).strip()
        texts = split_cells(line)
        cells = [c for t in texts for c in classify_cell(t, line_no)]
        coordinates = [c for c in cells if c.kind in ("plane", "degree", "dms")]
        names = [c for c in cells if c.kind == "name"]
        if not coordinates and not (names and len(names) == len(cells)):
            self.text_line(line_no, line, [t for t in texts if t])
            return
        self.last_was_header = False
        if _METADATA_WORDS.search(line) and self.metadata(line_no, line):
            return
        if not coordinates and len(names) >= 2 and all(c.value == 0 for c in names[-2:]):
            self.problems.warn(line_no, f"terminator row {line!r} skipped (coordinates 0, 0)")
            return
        self.data(line_no, line, cells)

    def data(self, line_no: int, line: str, cells: list[Cell]) -> None:
        self.last_was_header = False
        if self.block.header is None and self.header is not None:
            self.block.header, self.block.header_line = self.header, self.header_line
        skipped = [c.text for c in cells if c.kind == "text"]
        if skipped:
            self.problems.warn(line_no, f"text {', '.join(skipped)!r} in a point row ignored")
        self.block.rings[-1].cells += [c for c in cells if c.kind != "text"]

    def star_row(self, line_no: int, line: str) -> None:
        body = line.strip().strip("|")
        if "," in body:
            fields = [f.strip() for f in body.split(",")]
        else:
            fields = [f for f in re.split(r"[;|\t\s]+", body) if f]
        numbers = [parse_number(f) for f in fields[1:]]
        if not fields[1:] or all(n is None for n in numbers):
            self.start_block(line=line_no)  # a lone '*': the next block starts
            return
        values = [n for n in numbers[:2] if n is not None]
        flag = numbers[3] if len(numbers) > 3 else None
        ring = self.block.rings[-1]
        if not ring.cells:
            self.problems.error(line_no, f"elevation row {line!r} without points before it")
            return
        top, bottom = (max(values), min(values)) if len(values) == 2 else (values[0], None)
        if flag == -1 and (len(self.block.rings) > 1 or len(self.scan.blocks) > 1):
            ring.flag = -1
            if len(self.block.rings) == 1:  # the hole was read as a block of its own
                self.scan.blocks.pop()
                previous = self.scan.blocks[-1]
                ring.ring_no = previous.rings[-1].ring_no + 1
                previous.rings.append(ring)
                self.block = previous
            self.problems.warn(line_no, f"elevation row {line!r}: flag -1, the ring is a hole")
        else:
            block = self.block
            if block.top_m is None:
                block.top_m, block.bottom_m = top, bottom
            elif (block.top_m, block.bottom_m) != (top, bottom):
                self.problems.warn(
                    line_no,
                    f"elevation {top:g}–{bottom:g} m differs from {block.top_m:g}–"
                    f"{block.bottom_m if block.bottom_m is not None else float('nan'):g} m "
                    "stated before for this block; kept the first",
                )
        # the next points start a new block (or a hole, closed by its own row with flag -1)
        self.block = self._new_block()

    def text_line(self, line_no: int, line: str, texts: list[str]) -> None:
        columns = header_columns(texts)
        is_header = columns is not None and (
            any(c.role in COORDINATE_ROLES for c in columns)
            or (len(columns) == len(texts) and any(c.role != "datum" for c in columns))
        )
        if columns is not None and is_header:
            if self.last_was_header and self.header is not None and not self.block.has_cells:
                self.header = [*self.header, *columns]
            else:
                if self.block.has_cells:
                    self.start_block(line=line_no)
                self.header, self.header_line = columns, line_no
            self.block.header, self.block.header_line = self.header, self.header_line
            self.last_was_header = True
            return
        self.last_was_header = False
        if self.metadata(line_no, line):
            return
        if "挖空" in line:
            self.start_ring(-1)
            self.problems.warn(line_no, f"{line!r}: the points that follow are a hole (挖空)")
            return
        ring_mark = _RING_MARK.fullmatch(line.strip(":："))
        if ring_mark:
            self.start_ring(None, int(ring_mark.group(1)))
            return
        title = line.strip().strip("|:：").strip()
        if self.block.has_cells:
            self.start_block(title, line_no)
        elif title and "坐标" not in title:  # the last title before the points names it
            self.block.name, self.block.line = title, line_no

    def metadata(self, line_no: int, line: str) -> bool:
        """Read a stated area, elevation, datum or zone; True when the line held any."""
        found = False
        stated_unit = _AREA_UNIT_LINE.search(line)
        if stated_unit:
            self.scan.area_unit = (_area_unit(stated_unit.group("u")), line_no)
            return True
        area = _AREA.search(line)
        if area:
            found = True
            value = float(area.group("v"))
            unit_text = area.group("u2") or area.group("u1")
            unit = _area_unit(unit_text) if unit_text else None
            block = self._metadata_block()
            total = re.search(r"总面积|合计|总计|共计", line) is not None
            if total and len(self.scan.blocks) > 1:
                self.scan.total_area = (value, unit, line_no)
            elif block.stated_area is not None:
                self.problems.warn(
                    line_no,
                    f"a second area ({value:g}) for block {block.number}, stated on line "
                    f"{block.stated_area_line}; kept the first",
                )
            else:
                block.stated_area, block.stated_area_unit = value, unit
                block.stated_area_line = line_no
            if unit is None:
                self.unitless.append((block, line_no))
        if _ELEVATION_WORDS.search(line):
            heights = _ELEVATION_RANGE.search(line[: area.start()] if area else line)
            heights = heights or _ELEVATION_RANGE.search(line)
            if heights:
                found = True
                a, b = float(heights.group(1)), float(heights.group(2))
                block = self._metadata_block()
                block.top_m, block.bottom_m = max(a, b), min(a, b)
        datum = datum_from_text(line) if re.search(r"坐标系|CGCS|西安|北京|大地", line) else None
        if datum is not None:
            found = True
            if self.scan.datum is None:
                self.scan.datum, self.scan.datum_line = datum, line_no
            elif self.scan.datum != datum:
                self.problems.error(
                    line_no,
                    f"the text names datum {datum} here but {self.scan.datum} on line "
                    f"{self.scan.datum_line}; paste one datum's coordinates at a time",
                )
        width = _WIDTH_TEXT.search(line)
        if width:
            found = True
            self.scan.width = 3 if width.group(1) in ("3", "三") else 6
            self.scan.zone_line = self.scan.zone_line or line_no
        cm = _CM_TEXT.search(line)
        if cm:
            found = True
            self.scan.central_meridian = float(cm.group(1))
            self.scan.zone_line = line_no
        zone = _ZONE_TEXT.search(_WIDTH_TEXT.sub("", line))
        if zone and ("带" in line):
            found = True
            self.scan.zone = int(zone.group(1) or zone.group(2))
            self.scan.zone_line = line_no
        return found

    def _metadata_block(self) -> TableBlock:
        """The block a stated area or elevation belongs to: the current one, or the
        last one with points when the current one has none yet and holds nothing."""
        return self.block


def _area_unit(text: str) -> str | None:
    for unit in AREA_UNITS_KM2:
        if unit.lower() == text.lower():
            return unit
    return None


def _settle_area_units(scanner: _Scanner, problems: Problems) -> None:
    """A stated area written without unit takes the unit of a 计量单位 line, wherever
    in the text it stands; without one it is kept but not compared."""
    stated = scanner.scan.area_unit
    for block, line_no in scanner.unitless:
        value = block.stated_area
        if stated is not None and stated[0] is not None and block.stated_area_line == line_no:
            block.stated_area_unit = stated[0]
            problems.warn(line_no, f"stated area {value:g}: unit {stated[0]} from the "
                                   f"计量单位 on line {stated[1]}")
        else:
            problems.warn(
                line_no,
                f"stated area {value:g} has no unit (平方米, 公顷 or 平方千米); it is kept "
                "but not compared",
            )


def scan_table(text: str, problems: Problems) -> TableScan:
    """Read pasted table text into blocks of cells, with what the text states.

    Errors and notes go to ``problems``; the caller raises. Records are not formed
    here: :func:`mineplan.io.coordinates.records.group_blocks` does that.
    """
    scanner = _Scanner(problems)
    for line_no, raw in enumerate(split_lines(normalise_paste(text)), start=1):
        scanner.line(line_no, raw)
    _settle_area_units(scanner, problems)
    blocks = scanner.scan.blocks
    # a block without points holds only what was stated after the last block's points
    kept: list[TableBlock] = []
    for block in blocks:
        if block.has_cells:
            kept.append(block)
            continue
        if kept:
            last = kept[-1]
            if block.stated_area is not None and last.stated_area is None:
                last.stated_area, last.stated_area_unit = block.stated_area, block.stated_area_unit
                last.stated_area_line = block.stated_area_line
            if block.top_m is not None and last.top_m is None:
                last.top_m, last.bottom_m = block.top_m, block.bottom_m
    for number, block in enumerate(kept, start=1):
        block.number = number
        block.rings = [r for r in block.rings if r.cells]
    scanner.scan.blocks = kept
    return scanner.scan
