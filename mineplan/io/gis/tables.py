"""Coordinate tables (CSV, XLSX): one parcel's corners, plots of corners, or points.

Coordinate columns are found by name — lon/lat, longitude/latitude, lng/lat, 经度/纬度,
or X/Y, X坐标/Y坐标, 北坐标/东坐标 (which of X/Y is the easting is judged from the
values: surveyors' X is the northing) — in any order, a unit or datum in brackets
allowed (``X(m)``, ``Y坐标（2000）``), title lines above the header skipped. Degrees
may be decimal or DMS (``84°05′12.345″``).

What the rows become:

* a plot column (地块, 地块编号, 地块号, 地块名称, DKBH, plot, plot_id …): one polygon
  per plot, from its rows in order;
* else a corner-number column (点号, 编号, 序号, 拐点编号, 界址点号 …) or nothing but
  the coordinates: the rows are the corners of ONE parcel, joined into one polygon in
  file order (said in the warnings);
* else (other columns, e.g. a name per row) one point per row.

The CRS is settled afterwards, like any GIS file's.

May import: ``errors``, ``geodesy``, :mod:`mineplan.io.text`,
:func:`mineplan.io.coordinates.parse_dms`, the drivers of this package.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mineplan.errors import CoordinateFileError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
from mineplan.geodesy import classify_plane_pair
from mineplan.io.coordinates.degrees import parse_dms
from mineplan.io.gis.drivers import quoted, shortened

__all__ = ["MAX_COLUMNS", "read_table", "sheet_names"]

#: Most columns a coordinate table may have.
MAX_COLUMNS = 1000
#: Lines above the header a table may have (a title, a blank line, a 计量单位 line).
_HEADER_SEARCH = 20
_XLSX_ROWS = 200_000

# Column names are compared after NFKC, lower case, without spaces and without a
# bracketed unit or datum ("X坐标(m)" → "x坐标").
_PLOT_COLUMNS = ("plot", "plot_id", "地块", "地块编号", "地块号", "地块名称", "dkbh", "dkmc",
                 "宗地号", "宗地编号", "图斑编号", "区块", "区块编号", "矿区编号")
_VERTEX_COLUMNS = ("点号", "编号", "序号", "拐点", "拐点号", "拐点编号", "拐点序号", "界址点",
                   "界址点号", "界址点编号", "点名", "点", "jzdh")
_LONLAT_COLUMNS = (
    ("lon", "lat"),
    ("longitude", "latitude"),
    ("lng", "lat"),
    ("经度", "纬度"),
    ("东经", "北纬"),
)
_PLANE_COLUMNS = (("x", "y"), ("x坐标", "y坐标"), ("北坐标", "东坐标"), ("纵坐标", "横坐标"))
_COORDINATE_KEYS = frozenset(k for pair in (*_LONLAT_COLUMNS, *_PLANE_COLUMNS) for k in pair)
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Full-width ASCII (１２３．４５, typed with a Chinese input method) → ASCII; nothing else.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_DMS_MARK = re.compile(r"[°′″'\"度分秒:\s]")


def sheet_names(path: Path) -> list[str]:
    """The worksheets of an ``.xlsx`` that hold something (empty sheets left out)."""
    workbook = _open_workbook(path)
    try:
        return [ws.title for ws in workbook.worksheets if ws.max_row > 1 or ws.max_column > 1
                or ws.cell(1, 1).value is not None]
    finally:
        workbook.close()


def read_table(
    path: Path, *, encoding: str | None, sheet: str | None = None, warnings: list[str],
    made: dict[str, int] | None = None,
) -> gpd.GeoDataFrame:
    """The table's polygons (or points), CRS not yet set; notes go to ``warnings``.

    Parameters
    ----------
    path
        A ``.csv`` (UTF-8 with or without BOM, else GB18030 unless ``encoding`` says
        otherwise) or an ``.xlsx``.
    sheet
        Worksheet of an ``.xlsx`` (default: the only one holding something).
    made
        Filled with how many polygons were joined from corners: ``{"corners": 1}`` for
        one parcel's corners, ``{"plots": n}`` for n plots of a plot column.

    Raises
    ------
    CoordinateFileError
        No coordinate columns, a cell that is no number (with its line), too few corners.
    """
    if path.suffix.lower() == ".xlsx":
        rows, where = _xlsx_rows(path, sheet, warnings), "row"
    else:
        rows, where = _csv_rows(path, encoding, warnings), "line"
    return _table_frame(path, rows, where=where, warnings=warnings,
                        made={} if made is None else made)


# ------------------------------------------------------------------------ the cells


def _csv_rows(path: Path, encoding: str | None, warnings: list[str]) -> list[list[object]]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise CoordinateFileError("not a text CSV file (it holds binary data)", path=path)
    if encoding is None:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
            warnings.append("CSV text is not UTF-8: read it as GB18030 (GBK)")
    else:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise CoordinateFileError(
                f"the text is not {encoding} as stated ({exc.reason}); give the right "
                "encoding", path=path, line=raw.count(b"\n", 0, exc.start) + 1) from exc
        text = text.removeprefix("\ufeff")
    rows: list[list[object]] = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), skipinitialspace=True), 1):
            if len(row) > MAX_COLUMNS:
                raise CoordinateFileError(
                    f"the line has {len(row)} columns, more than the {MAX_COLUMNS} a "
                    "coordinate table may have; keep the coordinate and attribute columns "
                    "you need", path=path, line=number)
            rows.append([cell.strip() for cell in row])
    except csv.Error as exc:
        raise CoordinateFileError(f"cannot read it as CSV: {exc}", path=path) from exc
    return rows


def _open_workbook(path: Path) -> Workbook:
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CoordinateFileError(
            f"cannot read it as an Excel workbook (.xlsx): {exc}; save it again from Excel "
            "or WPS as .xlsx or .csv", path=path) from exc


def _xlsx_rows(path: Path, sheet: str | None, warnings: list[str]) -> list[list[object]]:
    """The cells of one worksheet (values, never formulas: their cached results)."""
    names = sheet_names(path)
    if sheet is not None:
        if sheet not in names:
            raise CoordinateFileError(
                f"no worksheet {sheet!r}; the workbook holds {quoted(names)}", path=path)
    elif len(names) == 1:
        sheet = names[0]
    elif not names:
        raise CoordinateFileError("the workbook's worksheets are empty", path=path)
    else:
        raise CoordinateFileError(
            f"the workbook holds {len(names)} worksheets ({quoted(names)}); say which "
            "with --layer", path=path, code="several_layers", fields={"layers": names})
    workbook = _open_workbook(path)
    try:
        rows: list[list[object]] = []
        for number, row in enumerate(workbook[sheet].iter_rows(values_only=True), 1):
            if number > _XLSX_ROWS:
                raise CoordinateFileError(
                    f"worksheet {sheet!r} has more than {_XLSX_ROWS} rows; a coordinate "
                    "table has far fewer", path=path)
            cells = list(row)
            while cells and cells[-1] in (None, ""):
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise CoordinateFileError(
                    f"the row has {len(cells)} columns, more than the {MAX_COLUMNS} a "
                    "coordinate table may have", path=path, line=number)
            rows.append([cell.strip() if isinstance(cell, str) else cell for cell in cells])
    finally:
        workbook.close()
    if len(names) > 1:
        warnings.append(f"read worksheet {sheet!r}")
    return rows


# ------------------------------------------------------------------------- columns


def _column_key(name: object) -> str:
    text = unicodedata.normalize("NFKC", str(name or "")).lower()
    return re.sub(r"\s+", "", _BRACKETED.sub("", text))


def _find_header(
    rows: list[list[object]], path: Path
) -> tuple[int, dict[str, int], str] | None:
    """The header row's index, key → column, and "degrees" or "plane".

    Where a name stands twice — ``X(西安80), Y(西安80), X(2000), Y(2000)`` — the
    CGCS2000 column is taken (its bracket says 2000 or CGCS); with none such, the
    table is refused rather than one datum's pair guessed.
    """
    for index, row in enumerate(rows[:_HEADER_SEARCH]):
        keys: dict[str, int] = {}
        for column, cell in enumerate(row):
            key = _column_key(cell)
            if key in keys and key in _COORDINATE_KEYS:
                keys[key] = _cgcs2000_column(row, key, path=path, line=index + 1)
            else:
                keys.setdefault(key, column)
        for pairs, kind in ((_LONLAT_COLUMNS, "degrees"), (_PLANE_COLUMNS, "plane")):
            if any(first in keys and second in keys for first, second in pairs):
                return index, keys, kind
    return None


def _cgcs2000_column(row: list[object], key: str, *, path: Path, line: int) -> int:
    same = [i for i, cell in enumerate(row) if _column_key(cell) == key]
    chosen = [i for i in same if re.search(r"2000|cgcs", str(row[i]), re.IGNORECASE)]
    if len(chosen) != 1:
        names = [str(row[i]) for i in same]
        raise CoordinateFileError(
            f"the header has {len(same)} columns {quoted(names)}: which pair to read cannot "
            "be decided; keep one pair (or mark the CGCS2000 one, e.g. X(2000))",
            path=path, line=line)
    return chosen[0]


def _pair(keys: dict[str, int], candidates: Sequence[tuple[str, str]]) -> tuple[int, int]:
    for first, second in candidates:
        if first in keys and second in keys:
            return keys[first], keys[second]
    raise AssertionError("the header was found by these names")  # pragma: no cover


def _table_frame(
    path: Path, rows: list[list[object]], *, where: str, warnings: list[str],
    made: dict[str, int],
) -> gpd.GeoDataFrame:
    found = _find_header(rows, path)
    if found is None:
        first = next((row for row in rows if any(cell not in (None, "") for cell in row)), [])
        raise CoordinateFileError(
            "found no coordinate columns; name them X/Y (X坐标/Y坐标), 经度/纬度 or lon/lat "
            f"(columns present: {quoted([str(c) for c in first])})",
            path=path,
        )
    head, keys, kind = found
    header = [str(cell or "").strip() for cell in rows[head]]
    body = [(head + 2 + i, row) for i, row in enumerate(rows[head + 1:])
            if any(cell not in (None, "") for cell in row)]
    if not body:
        raise CoordinateFileError("the table holds no rows under its header", path=path,
                                  line=head + 1)
    width = len(header)
    table = pd.DataFrame([list(row[:width]) + [None] * (width - len(row)) for _, row in body],
                         columns=range(width), dtype=object)
    lines = [line for line, _ in body]
    names: list[str] = [name or f"column {i + 1}" for i, name in enumerate(header)]

    if kind == "degrees":
        east_col, north_col = _pair(keys, _LONLAT_COLUMNS)
        east = _numeric(path, table, east_col, names, lines, where, degrees=True)
        north = _numeric(path, table, north_col, names, lines, where, degrees=True)
        warnings.append(f"took column {names[east_col]!r} as longitude and "
                        f"{names[north_col]!r} as latitude")
    else:
        x_col, y_col = _pair(keys, _PLANE_COLUMNS)
        x = _numeric(path, table, x_col, names, lines, where)
        y = _numeric(path, table, y_col, names, lines, where)
        east, north = _plane_roles(x, y, names[x_col], names[y_col], warnings)

    plot_col = next((keys[k] for k in _PLOT_COLUMNS if k in keys), None)
    vertex_col = next((keys[k] for k in _VERTEX_COLUMNS if k in keys), None)
    coord_cols = {keys[k] for pair in (*_LONLAT_COLUMNS, *_PLANE_COLUMNS) for k in pair
                  if k in keys}
    attributes = table.rename(columns=dict(enumerate(names)))
    if plot_col is not None:
        drop = [names[c] for c in (*coord_cols, vertex_col) if c is not None]
        made["plots"] = int(table[plot_col].nunique(dropna=False))
        return _plot_polygons(path, _typed(attributes), names[plot_col], east, north, lines,
                              drop=drop, warnings=warnings,
                              vertex=None if vertex_col is None else names[vertex_col])
    others = [c for c in range(width) if c not in coord_cols and c != vertex_col
              and table[c].notna().any()]
    distinct = len({*zip(east.tolist(), north.tolist(), strict=True)})
    if (vertex_col is not None or not others) and distinct >= 3:
        ring = list(zip(east.tolist(), north.tolist(), strict=True))
        if ring[0] == ring[-1]:
            ring = ring[:-1]
        what = (f"column {names[vertex_col]!r} numbers them" if vertex_col is not None
                else "no other column")
        made["corners"] = 1
        warnings.append(
            f"joined the {len(ring)} corners ({where}s {lines[0]}–{lines[-1]}, in file "
            f"order; {what}) into one polygon")
        kept = _typed(attributes.drop(columns=[names[c] for c in (*coord_cols, vertex_col)
                                               if c is not None]).iloc[:1].reset_index(drop=True))
        frame = gpd.GeoDataFrame(kept, geometry=[shapely.Polygon(ring)], crs=None)
        if vertex_col is not None:
            _keep_point_names(frame, [list(table[vertex_col])[:len(ring)]])
        return frame
    if vertex_col is not None:
        warnings.append(f"only {distinct} distinct corner(s): kept as points, not a polygon")
    points = shapely.points(east, north)
    rest = _typed(attributes.drop(columns=[names[c] for c in coord_cols]).reset_index(drop=True))
    return gpd.GeoDataFrame(rest, geometry=points, crs=None)


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    """Attribute columns of numbers as numbers (as a GIS program reads a CSV), text and
    numbers written with leading zeros (``001``, an identifier) as text."""
    out = table.copy()
    for column in out.columns:
        cells = [c for c in out[column] if c not in (None, "")]
        if not cells:
            out[column] = out[column].replace("", None)
            continue
        if any(isinstance(c, str) and re.fullmatch(r"0\d+", c.strip()) for c in cells):
            continue
        with contextlib.suppress(ValueError, TypeError, OverflowError):  # text stays text
            out[column] = pd.to_numeric(out[column].replace("", None))
    return out.infer_objects()


def _numeric(
    path: Path, table: pd.DataFrame, column: int, names: list[str], lines: list[int],
    where: str, *, degrees: bool = False,
) -> np.ndarray:
    values = np.array([_as_float(cell, degrees=degrees) for cell in table[column]], dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        cell = table[column].iloc[bad[0]]
        if cell is None or cell == "":
            text = "an empty cell"
        elif isinstance(cell, (float, np.floating)) or str(cell).strip().lower().lstrip(
                "+-") in ("inf", "infinity", "nan"):
            text = f"a non-number {str(cell).strip()}"  # numbers, but no coordinates
        else:
            text = f"a non-number {shortened(cell)}"
        raise CoordinateFileError(
            f"column {shortened(names[column])} holds {text} ({len(bad)} such {where}(s)); "
            "fix or remove them",
            path=path,
            line=lines[bad[0]],
        )
    return values


def _as_float(cell: object, *, degrees: bool) -> float:
    """A cell as a float, NaN when it is none (5,000 digits overflow; ``²`` is no digit;
    DMS text in a degree column is read as such)."""
    if isinstance(cell, bool) or cell is None:
        return float("nan")
    if isinstance(cell, (int, float, np.integer, np.floating)):
        try:
            return float(cell)
        except OverflowError:
            return float("nan")
    text = str(cell).translate(_FULL_WIDTH).strip().replace(",", "")
    try:
        if not text.isascii():
            raise ValueError(text)  # float() takes Arabic-Indic digits, "²" is no digit
        return float(text)
    except (OverflowError, ValueError):
        if degrees and _DMS_MARK.search(text):
            try:
                return parse_dms(text)
            except CoordinateFileError:
                return float("nan")
        return float("nan")


def _plane_roles(
    x: np.ndarray, y: np.ndarray, x_name: str, y_name: str, warnings: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(easting, northing): which of the X/Y columns is the easting, from the values."""
    verdict = classify_plane_pair(float(x[0]), float(y[0]))
    if verdict.plausible and not verdict.swapped:
        warnings.append(
            f"took column {x_name!r} as northing and {y_name!r} as easting "
            "(surveyors' convention, judged from the values)"
        )
        return y, x
    if verdict.swapped:
        warnings.append(
            f"took column {x_name!r} as easting and {y_name!r} as northing "
            "(GIS convention, judged from the values)"
        )
    return x, y


def _plot_polygons(
    path: Path,
    table: pd.DataFrame,
    plot_col: str,
    east: np.ndarray,
    north: np.ndarray,
    lines: list[int],
    *,
    drop: list[str],
    warnings: list[str],
    vertex: str | None = None,
) -> gpd.GeoDataFrame:
    work = table.assign(_e=east, _n=north, _line=lines)
    rows = []
    geoms = []
    point_names = []
    for plot, group in work.groupby(plot_col, sort=False, dropna=False):
        coords = list(zip(group["_e"], group["_n"], strict=True))
        if len(coords) > 1 and coords[0] == coords[-1]:
            coords = coords[:-1]
        if len(coords) < 3:
            raise CoordinateFileError(
                f"plot {plot!r} has {len(coords)} distinct point(s); a polygon needs 3",
                path=path,
                line=int(group["_line"].iloc[0]),
            )
        geoms.append(shapely.Polygon(coords))
        if vertex is not None:
            point_names.append(list(group[vertex])[:len(coords)])
        # the first row as a frame, not a Series: a row Series would cast the plot's
        # number to float with the coordinates (plot 2 → 2.0)
        rows.append(group.iloc[:1].drop(columns=[*drop, "_e", "_n", "_line"]))
    warnings.append(f"joined the corners of each value of column {plot_col!r} into a "
                    f"polygon, in file order: {len(geoms)} polygon(s)")
    attrs = pd.concat(rows).reset_index(drop=True)
    frame = gpd.GeoDataFrame(attrs, geometry=geoms, crs=None)
    if vertex is not None:
        _keep_point_names(frame, point_names)
    return frame


def _keep_point_names(frame: gpd.GeoDataFrame, rings: list[list[object]]) -> None:
    """The table's own point numbers, one ring per polygon, on ``frame.attrs`` (as the
    coordinate readers leave them: corner tables, findings and reports use them);
    none when a number is blank, so the corners are numbered J1… instead."""
    texts = [[_point_text(cell) for cell in ring] for ring in rings]
    if all(all(texts_ring) for texts_ring in texts):
        frame.attrs["point_names"] = [[ring] for ring in texts]


def _point_text(cell: object) -> str:
    """A point number as written: 1 (an integer read as 1.0 from a sheet), J1, 1-1."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
