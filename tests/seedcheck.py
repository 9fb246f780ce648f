"""Checks of catalogue rows against the plan text they were copied from.

Kept apart from the tests so the tests (and ``scripts/seed_mutations.py``) can
also show that a wrong row fails.

A catalogue row is compared with *its own printed row*: the table row that
starts at its ``source_line``, split into cells. The seeds are plain text
extracted from PDFs and print a table row in one of two ways:

* one line per row, cells separated by tabs (伊宁市, 塔城地区, 特克斯县, 新源县);
  a merged cell prints as an empty cell and means the value of the row above;
* one cell per line, each line opening with a tab, rows separated by a blank
  line (乌苏市); a cell wrapped by the PDF goes on after the blank line on a
  line without the tab and belongs to the row's last cell.

Each printed catalogue value must equal a whole cell of that row (white space
ignored), with these rules for values the row prints differently:

* 序号 is the row's first cell; where the text glues it to the name
  (``1.伊宁市…``) it is the glued number.
* ``mineral`` may instead name table columns (``建筑用砂、砖瓦用粘土``): each
  part is a header cell whose cell in this row is a non-zero count.
* ``block_count`` is the row's cell under a header of counts (个, 数量, 合计,
  总计); 1 where the table's header has no such column; where no header line is
  found (乌苏市), any count other than 1 must be a cell other than the 序号.
* ``county`` is printed when a county-level name is: each part must be the
  county plan's own region or be named in the row (by its short name, e.g.
  ``和布克赛尔`` for 和布克赛尔蒙古自治县), unless listed in ``JUDGED_COUNTY``.
* ``level`` marked ``级别取自正文第N行`` in ``quality`` must be printed on line N.

Rows that are not a table row — prose (``正文`` outside every table) and the
text-style 专栏 whose row is a single heading line (重点区域发展方向) — cannot be
split into cells: their values must be printed on the row's own line (序号 at its
start, the others anywhere in it; a count as ``N个``/``N处``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mineplan.catalog import plan_index, read_plan_catalog, read_table_index
from mineplan.settings import geodata_dir

WINDOW = 16  # lines from a rule's source_line within which its quote must appear

_WS = re.compile(r"\s+")
# A row number opening a line: "3", "3\t…", "3. …", "3、…" — but not "3.50".
_ROW_NUMBER = re.compile(r"^(\d{1,3})(?:[、．]|\.(?!\d)|\s|$)")
# A 序号 glued to the name in one cell: "1.伊宁市…", "2、特克斯…", "2. 新源…".
_GLUED_SEQ = re.compile(r"^(\d{1,3}[.、．])\s*(\S.*)$")
_LINE_SEQ = re.compile(r"^(\d{1,3}[.、．]?)")
_NUMERIC = re.compile(r"^\d+(?:\.\d+)?$")
_COUNT_HEADER = re.compile(r"个|数量|合计|总计")
# A numbered row that is the table's total (塔城地区 专栏6 prints 1 总计 before its rows).
_TOTAL_ROWS = frozenset({"合计", "总计", "小计"})
_CITED_LEVEL = re.compile(r"级别取自正文第(\d+)行")
_COUNTY_SUFFIX = re.compile(r"(?:蒙古自治县|自治县|县|市)$")

# Zones whose county is a judgement the plan does not print in the row (the
# catalogue's quality remark says how it was judged). Anything else must be printed.
JUDGED_COUNTY: dict[str, str] = {
    "tacheng-KYJJQ-008": "county据巴克图口岸所在地（塔城市）判定",
}

# Values a row prints in other words: (zone_id, field, value) -> the words it prints.
PRINTED_AS: dict[tuple[str, str, str], str] = {
    ("tacheng-ZDTK-001", "level", "自治区级"): "自治区规划划定重点勘查区",
    ("tacheng-ZDCK-001", "level", "自治区级"): "自治区规划划定重点开采区",
}

# The catalogue fields compared with the cells of the printed row.
CELL_FIELDS: tuple[str, ...] = (
    "seq", "name_text", "area_text", "mineral", "admin_area", "level", "stage", "note",
)
LINE_FIELDS: tuple[str, ...] = ("name_text", "area_text", "mineral", "level")


def squash(text: str) -> str:
    """Text with every kind of white space removed (including U+3000)."""
    return _WS.sub("", text)


def window(lines: Sequence[str], source_line: int) -> str:
    return squash("".join(lines[source_line - 1 : source_line - 1 + WINDOW]))


@dataclass(frozen=True)
class PrintedRow:
    """One printed table row, or the one line of a row that is not a table row."""

    first_line: int
    last_line: int
    cells: tuple[str, ...]  # squashed; a merged (empty) cell holds the value above it
    header: tuple[str, ...]  # squashed cells of the top header line of the row's width, or ()
    # Columns whose header counts blocks (个, 数量, 合计, 总计); None: no header found.
    count_columns: tuple[int, ...] | None
    text: str  # squashed text of the row's lines
    by_cells: bool  # False: compared with its one line (prose, a heading-style row)

    @property
    def where(self) -> str:
        if self.first_line == self.last_line:
            return f"line {self.first_line}"
        return f"lines {self.first_line}–{self.last_line}"


def split_cells(line: str) -> list[str]:
    """The tab-separated cells of one printed line (a markdown heading's # dropped)."""
    cells = [c.strip() for c in line.split("\t")]
    cells[0] = cells[0].lstrip("#").strip()
    return cells


def printed_row(
    lines: Sequence[str], source_line: int, span: tuple[int, int] | None
) -> PrintedRow:
    """The row printed at ``source_line`` of a table printed on lines ``span``.

    ``span`` is None for a row outside every table (prose): the row is its line.
    """
    text = lines[source_line - 1]
    if span is None:
        return _line_row(source_line, text)
    start, end = span
    after = lines[source_line] if source_line < len(lines) else ""
    if text.startswith("\t") and "\t" not in text[1:] and after.startswith("\t"):
        return _cell_per_line_row(lines, source_line, end)
    cells = split_cells(text)
    if sum(1 for c in cells if c) < 2:
        return _line_row(source_line, text)
    glued = _GLUED_SEQ.match(cells[0])
    if glued and not _NUMERIC.match(glued.group(2)):
        cells[0:1] = [glued.group(1), glued.group(2)]
    width = len(cells)
    above = [
        [squash(c) for c in split_cells(lines[i - 1])] for i in range(source_line - 1, start, -1)
    ]
    above = [a for a in above if len(a) == width]
    # Header lines: the table's lines of the row's width that hold no number,
    # above its first line that holds one.
    headers: list[list[str]] = []
    for a in reversed(above):
        if any(_NUMERIC.match(c) for c in a):
            break
        if any(a):
            headers.append(a)
    for k, cell in enumerate(cells):
        if not cell:  # a merged cell prints the value of the data row above it
            cells[k] = _value_above(above, headers, k)
    counts = tuple(k for k in range(width) if any(_COUNT_HEADER.search(h[k]) for h in headers))
    return PrintedRow(
        first_line=source_line,
        last_line=source_line,
        cells=tuple(squash(c) for c in cells),
        header=tuple(headers[0]) if headers else (),
        count_columns=counts if headers else None,
        text=squash(text),
        by_cells=True,
    )


def _value_above(above: list[list[str]], headers: list[list[str]], k: int) -> str:
    for cells in above:
        if cells in headers:
            return ""
        if cells[k]:
            return cells[k]
    return ""


def _line_row(source_line: int, text: str) -> PrintedRow:
    line = squash(text.lstrip().lstrip("#"))
    return PrintedRow(source_line, source_line, (), (), None, line, by_cells=False)


def _cell_per_line_row(lines: Sequence[str], source_line: int, end: int) -> PrintedRow:
    cells: list[str] = []
    i = source_line  # 1-based number of the line being read
    while i <= end and lines[i - 1].startswith("\t"):
        cells.append(lines[i - 1].strip())
        i += 1
    last = i - 1
    while i <= end and not lines[i - 1].startswith("\t"):  # a wrapped last cell
        if lines[i - 1].strip():
            cells[-1] += lines[i - 1].strip()
            last = i
        i += 1
    squashed = tuple(squash(c) for c in cells)
    return PrintedRow(source_line, last, squashed, (), None, "".join(squashed), by_cells=True)


def table_span(row: Any, tables: pd.DataFrame) -> tuple[int, int] | None:
    """Lines (start, end) of the listed table holding the row; None for prose."""
    line = int(row.source_line)
    for t in tables.itertuples(index=False):
        if t.table == row.table and t.start_line <= line <= t.end_line:
            return int(t.start_line), int(t.end_line)
    return None


def printed_value_problems(
    zones: pd.DataFrame, tables: pd.DataFrame, lines: Sequence[str], *, own_county: str = ""
) -> list[str]:
    """Every catalogue value that its own printed row does not print.

    ``own_county`` is the region of a county-level plan (a zone's county when the
    row names none); empty for a prefecture's plan.
    """
    problems = []
    for row in zones.itertuples(index=False):
        if not 1 <= row.source_line <= len(lines):
            problems.append(f"{row.zone_id}: source_line {row.source_line} outside the text")
            continue
        printed = printed_row(lines, row.source_line, table_span(row, tables))
        problems += [
            f"{row.zone_id}: {field} {value!r} {why} (row printed on {printed.where})"
            for field, value, why in row_problems(row, printed, lines, own_county=own_county)
        ]
    return problems


def row_problems(
    row: Any, printed: PrintedRow, lines: Sequence[str], *, own_county: str = ""
) -> list[tuple[str, object, str]]:
    """(field, value, why) for each value of ``row`` that ``printed`` does not print."""
    found: list[tuple[str, object, str]] = []
    zone_id = str(row.zone_id)
    value = {f: str(getattr(row, f)) for f in (*CELL_FIELDS, "county", "quality")}
    cited = _CITED_LEVEL.search(value["quality"])
    cited_line = squash(lines[int(cited.group(1)) - 1]) if cited else ""

    def printed_elsewhere(field: str) -> bool:
        words = PRINTED_AS.get((zone_id, field, value[field]))
        if words is not None:
            return squash(words) in printed.text
        return field == "level" and squash(value[field]) in cited_line

    seq = squash(value["seq"])
    count = int(row.block_count)
    if printed.by_cells:
        cells = printed.cells
        if seq and (not cells or cells[0] != seq):
            found.append(("seq", value["seq"], "is not the row's first cell"))
        for field in CELL_FIELDS[1:]:
            v = squash(value[field])
            if not v or v in cells or printed_elsewhere(field):
                continue
            if field == "mineral" and _names_columns(v, printed):
                continue
            found.append((field, value[field], "is not a cell of its row"))
        columns = printed.count_columns
        if columns is None:  # no header: a count other than 1 must be a cell
            if count != 1 and str(count) not in (cells[1:] if seq else cells):
                found.append(("block_count", count, "is not a cell of its row"))
        elif not columns:
            if count != 1:
                found.append(("block_count", count, "but the table has no count column"))
        elif str(count) not in {cells[k] for k in columns}:
            found.append(("block_count", count, "is not the row's count"))
    else:
        line = printed.text
        opening = _LINE_SEQ.match(line)
        if seq and (not opening or opening.group(1) != seq):
            found.append(("seq", value["seq"], "does not open its line"))
        for field in LINE_FIELDS:
            v = squash(value[field])
            if v and v not in line and not printed_elsewhere(field):
                found.append((field, value[field], "is not printed on its line"))
        mineral = squash(value["mineral"])
        if count != 1 and not any(f"{mineral}{count}{u}" in line for u in "个处"):
            found.append(("block_count", count, f"is not printed as {mineral}{count}个/处"))
    if zone_id not in JUDGED_COUNTY:
        for part in filter(None, value["county"].split("、")):
            if part != own_county and _COUNTY_SUFFIX.sub("", part) not in printed.text:
                found.append(("county", part, "is not named in its row"))
    return found


def _names_columns(mineral: str, printed: PrintedRow) -> bool:
    """True when each part of ``mineral`` heads a column this row counts above zero."""
    header, cells = printed.header, printed.cells
    for part in mineral.split("、"):
        if part not in header:
            return False
        cell = cells[header.index(part)]
        if not _NUMERIC.match(cell) or float(cell) == 0:
            return False
    return True


def printed_row_count(lines: Sequence[str], start: int, end: int) -> int:
    """How many rows 1, 2, 3 … a table prints between two lines (inclusive).

    Looks at the first cell of each line (cells split by tabs) and counts the
    sequence numbers met in order; a page break that repeats the header does
    not restart the count. A numbered total row (``1 总计 …``) is not a row.
    """
    expected, totals = 1, 0
    for line in lines[start - 1 : end]:
        text = line.strip().lstrip("#").strip()  # markdown headings
        match = _ROW_NUMBER.match(text)
        if match and match.group(1) == str(expected):
            expected += 1
            cells = split_cells(text)
            totals += len(cells) > 1 and squash(cells[1]) in _TOTAL_ROWS
    return expected - 1 - totals


def row_count_problems(
    zones: pd.DataFrame, tables: pd.DataFrame, lines: Sequence[str]
) -> list[str]:
    """Tables whose printed row count differs from the catalogue's rows."""
    problems = []
    for t in tables.itertuples(index=False):
        mine = zones[
            (zones["table"] == t.table)
            & zones["source_line"].between(t.start_line, t.end_line)
        ]
        if mine.empty:
            problems.append(f"{t.table} (lines {t.start_line}–{t.end_line}): no catalogue rows")
            continue
        if not mine["seq"].str.fullmatch(r"\d+[.、．]?").all():
            continue  # a table without 序号: counted by name in printed_value_problems
        printed = printed_row_count(lines, t.start_line, t.end_line)
        if printed != len(mine):
            problems.append(
                f"{t.table} (lines {t.start_line}–{t.end_line}) prints {printed} rows, "
                f"catalogue has {len(mine)}"
            )
        if t.rows != len(mine):
            problems.append(f"{t.table}: tables.csv says rows={t.rows}, catalogue has {len(mine)}")
    return problems


def heading_problems(tables: pd.DataFrame, lines: Sequence[str]) -> list[str]:
    problems = []
    for t in tables.itertuples(index=False):
        if t.table == "正文":
            continue
        if not 1 <= t.start_line <= t.end_line <= len(lines):
            problems.append(f"{t.table}: lines {t.start_line}–{t.end_line} outside the text")
        elif squash(t.table) not in squash(lines[t.start_line - 1]):
            problems.append(f"{t.table}: heading not on line {t.start_line}")
    return problems


def rule_text_problems(rules: pd.DataFrame, lines: Sequence[str], *, name: str) -> list[str]:
    """Rule rows whose quoted text or mineral is not printed near their line."""
    problems = []
    for i, row in enumerate(rules.to_dict("records"), start=2):
        line = int(row["source_line"])
        if not 1 <= line <= len(lines):
            problems.append(f"{name} row {i}: source_line {line} outside the text")
            continue
        near = window(lines, line)
        text = squash(row.get("text", ""))
        if text and text not in near:
            problems.append(
                f"{name} row {i}: text not printed from line {line}: {row['text'][:40]!r}"
            )
        mineral = squash(row.get("mineral", ""))
        if mineral and mineral not in near and mineral not in text:
            problems.append(
                f"{name} row {i}: mineral {row['mineral']!r} not printed near line {line}"
            )
    return problems


def seed_lines(seeds: Path, slug: str) -> list[str]:
    """The lines of plan ``slug``'s seed text (``seeds``: the folder of seed files)."""
    return (seeds / plan_index()[slug].seed_file).read_text(encoding="utf-8").splitlines()


def plan_zones(slug: str) -> pd.DataFrame:
    """Plan ``slug``'s zone catalogue as shipped."""
    return read_plan_catalog(geodata_dir() / "plans" / f"{slug}.csv")


def plan_tables(slug: str) -> pd.DataFrame:
    """Plan ``slug``'s index of tables (专栏) as shipped."""
    return read_table_index(geodata_dir() / "plans" / f"{slug}.tables.csv")
