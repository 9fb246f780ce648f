"""Spreadsheets that open safely: no cell of ours runs as a formula.

Text mineplan writes comes partly from the user's files (an applicant's plot name,
a field value, a file name). A cell such as ``=HYPERLINK("http://…","点此查看")``
would run as a formula when the planner opens the workbook or the CSV in Excel or
WPS (CSV injection, OWASP). Every XLSX and CSV writer passes its table through
:func:`csv_safe` or :func:`xlsx_text_only`:

- CSV: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a leading apostrophe (``'``), which spreadsheets show as text. Plain
  numbers written as text (``-12.5``) are left alone: they cannot be formulas.
- XLSX: a text cell is stored as text (openpyxl would store ``=…`` as a formula),
  so the planner sees exactly what the file said.

May import: pandas; openpyxl objects are only inspected.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["FORMULA_START", "csv_safe", "formula_like", "xlsx_text_only"]

#: What a spreadsheet may take for the start of a formula.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def formula_like(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet could run as a formula.

    Examples
    --------
    >>> formula_like('=HYPERLINK("http://x","点此")'), formula_like("@SUM(A1)")
    (True, True)
    >>> formula_like("-12.5"), formula_like("新源县"), formula_like(3)
    (False, False, False)
    """
    return (isinstance(value, str) and value.startswith(FORMULA_START)
            and not _PLAIN_NUMBER.fullmatch(value))


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose formula-like text cells (and headers) start with ``'``.

    Examples
    --------
    >>> csv_safe(pd.DataFrame({"名称": ["=1+1", "甲", "-3"]}))["名称"].tolist()
    ["'=1+1", '甲', '-3']
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_quoted)
    out.columns = [_quoted(c) for c in out.columns]
    return out


def xlsx_text_only(worksheet: Any) -> int:
    """Store every formula-like text cell of an openpyxl worksheet as text; how many.

    Call it on each sheet of a workbook pandas wrote through openpyxl, before it is
    saved (inside the ``ExcelWriter`` block).
    """
    changed = 0
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or formula_like(cell.value):
                cell.data_type = "s"
                changed += 1
    return changed


def _quoted(value: Any) -> Any:
    return f"'{value}" if formula_like(value) else value
