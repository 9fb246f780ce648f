"""Checks of catalogue rows against the plan text they were copied from.

Kept apart from the tests so the tests can also show that a wrong row fails.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

WINDOW = 16  # lines from a row's source_line within which its cells must appear

_WS = re.compile(r"\s+")
# A row number opening a line: "3", "3\t…", "3. …", "3、…" — but not "3.50".
_ROW_NUMBER = re.compile(r"^(\d{1,3})(?:[、．]|\.(?!\d)|\s|$)")


def squash(text: str) -> str:
    """Text with every kind of white space removed (including U+3000)."""
    return _WS.sub("", text)


def window(lines: Sequence[str], source_line: int) -> str:
    return squash("".join(lines[source_line - 1 : source_line - 1 + WINDOW]))


def printed_value_problems(zones: pd.DataFrame, lines: Sequence[str]) -> list[str]:
    """Every name_text / area_text / seq that is not where the row says it is."""
    problems = []
    for row in zones.itertuples(index=False):
        if not 1 <= row.source_line <= len(lines):
            problems.append(f"{row.zone_id}: source_line {row.source_line} outside the text")
            continue
        near = window(lines, row.source_line)
        for field in ("name_text", "area_text", "seq"):
            value = squash(getattr(row, field))
            if value and value not in near:
                problems.append(
                    f"{row.zone_id}: {field} {getattr(row, field)!r} not printed within "
                    f"lines {row.source_line}–{row.source_line + WINDOW - 1}"
                )
    return problems


def printed_row_count(lines: Sequence[str], start: int, end: int) -> int:
    """How many rows 1, 2, 3 … a table prints between two lines (inclusive).

    Looks at the first cell of each line (cells split by tabs) and counts the
    sequence numbers met in order; a page break that repeats the header does
    not restart the count.
    """
    expected = 1
    for line in lines[start - 1 : end]:
        match = _ROW_NUMBER.match(line.strip().lstrip("#").strip())  # markdown headings
        if match and match.group(1) == str(expected):
            expected += 1
    return expected - 1


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
