"""Coordinate tables (CSV): one point per row, or polygons when a plot column groups them.

Coordinate columns are found by name — lon/lat, longitude/latitude, lng/lat, 经度/纬度,
or X/Y (which of X/Y is the easting is judged from the values: surveyors' X is the
northing). A column named plot, plot_id, 地块编号 or 地块号 makes one polygon per plot
from its rows in order. The CRS is settled afterwards, like any GIS file's.

May import: ``errors``, ``geodesy``, the drivers of this package.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mineplan.errors import CoordinateFileError
from mineplan.geodesy import classify_plane_pair
from mineplan.io.gis.drivers import quoted, shortened

__all__ = ["MAX_COLUMNS", "read_csv"]

#: Most columns a CSV coordinate table may have.
MAX_COLUMNS = 1000
_HEADER_BYTES = 1 << 20

_PLOT_COLUMNS = ("plot", "plot_id", "地块编号", "地块号")
# (first column, second column, what they are); matched case-insensitively.
_LONLAT_COLUMNS = (
    ("lon", "lat"),
    ("longitude", "latitude"),
    ("lng", "lat"),
    ("经度", "纬度"),
)
_PLANE_COLUMNS = (("x", "y"), ("x坐标", "y坐标"))


def read_csv(path: Path, *, encoding: str | None, warnings: list[str]) -> gpd.GeoDataFrame:
    """The table's points (or plot polygons), CRS not yet set; notes go to ``warnings``.

    Text is UTF-8 (BOM allowed), else GB18030, unless ``encoding`` says otherwise.
    """
    raw = path.read_bytes()
    if encoding is None:
        try:
            raw.decode("utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = "gb18030"
            warnings.append("CSV text is not UTF-8: read it as GB18030")
    if b"\x00" in raw[:4096]:
        raise CoordinateFileError("not a text CSV file (it holds binary data)", path=path)
    _check_header_width(path, raw, encoding)
    try:
        table = pd.read_csv(path, encoding=encoding)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CoordinateFileError(f"cannot read it as CSV: {exc}", path=path) from exc
    lower = {str(c).strip().lower(): c for c in table.columns}

    pair = _find_columns(lower, _LONLAT_COLUMNS)
    if pair is not None:
        east_col, north_col = pair
        warnings.append(f"took column {east_col!r} as longitude and {north_col!r} as latitude")
    else:
        pair = _find_columns(lower, _PLANE_COLUMNS)
        if pair is None:
            raise CoordinateFileError(
                "found no coordinate columns; name them lon/lat, 经度/纬度 or X/Y "
                f"(columns present: {quoted([str(c) for c in table.columns])})",
                path=path,
            )
        east_col, north_col = _plane_roles(path, table, *pair, warnings)

    east = _numeric(path, table, east_col)
    north = _numeric(path, table, north_col)
    plot_col = next((lower[name] for name in _PLOT_COLUMNS if name in lower), None)
    if plot_col is None:
        points = shapely.points(east, north)
        rest = table.drop(columns=[east_col, north_col])
        return gpd.GeoDataFrame(rest, geometry=points, crs=None)
    return _csv_polygons(path, table, plot_col, east, north, (east_col, north_col))


def _check_header_width(path: Path, raw: bytes, encoding: str) -> None:
    """Refuse a header wider than :data:`MAX_COLUMNS` before pandas reads it (pandas
    renames duplicate names in quadratic time: 50,000 of them take minutes)."""
    first = raw[:_HEADER_BYTES].split(b"\n", 1)[0].decode(encoding, errors="replace")
    try:
        width = len(next(csv.reader([first]), []))
    except csv.Error:
        width = first.count(",") + 1
    if width > MAX_COLUMNS:
        raise CoordinateFileError(
            f"the header has {width} columns, more than the {MAX_COLUMNS} a coordinate "
            "table may have; keep the coordinate and attribute columns you need",
            path=path,
            line=1,
        )


def _find_columns(
    lower: dict[str, str], candidates: Sequence[tuple[str, str]]
) -> tuple[str, str] | None:
    for first, second in candidates:
        if first in lower and second in lower:
            return lower[first], lower[second]
    return None


def _numeric(path: Path, table: pd.DataFrame, column: str) -> np.ndarray:
    try:
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
    except (OverflowError, ValueError, TypeError):  # a Python int beyond float's range
        values = np.array([_as_float(cell) for cell in table[column]], dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        row = int(bad[0]) + 2  # header is line 1
        cell = table[column].iloc[bad[0]]
        text = str(float(cell)) if isinstance(cell, (float, np.floating)) else shortened(cell)
        raise CoordinateFileError(
            f"column {shortened(column)} holds a non-number {text} "
            f"({len(bad)} such row(s)); fix or remove them",
            path=path,
            line=row,
        )
    return values


def _as_float(cell: object) -> float:
    """A cell as a float, NaN when it is none (5,000 digits overflow; ``²`` is no digit)."""
    try:
        return float(cell)  # type: ignore[arg-type]
    except (OverflowError, ValueError, TypeError):
        return float("nan")


def _plane_roles(
    path: Path, table: pd.DataFrame, x_col: str, y_col: str, warnings: list[str]
) -> tuple[str, str]:
    """Decide from the values which of the X/Y columns is the easting."""
    x = _numeric(path, table, x_col)
    y = _numeric(path, table, y_col)
    if len(x) == 0:
        raise CoordinateFileError("the CSV holds no rows", path=path)
    verdict = classify_plane_pair(float(x[0]), float(y[0]))
    if verdict.plausible and not verdict.swapped:
        warnings.append(
            f"took column {x_col!r} as northing and {y_col!r} as easting "
            "(surveyors' convention, judged from the values)"
        )
        return y_col, x_col
    if verdict.swapped:
        warnings.append(
            f"took column {x_col!r} as easting and {y_col!r} as northing "
            "(GIS convention, judged from the values)"
        )
    return x_col, y_col


def _csv_polygons(
    path: Path,
    table: pd.DataFrame,
    plot_col: str,
    east: np.ndarray,
    north: np.ndarray,
    coord_cols: tuple[str, str],
) -> gpd.GeoDataFrame:
    work = table.assign(_e=east, _n=north)
    rows = []
    geoms = []
    for plot, group in work.groupby(plot_col, sort=False):
        coords = list(zip(group["_e"], group["_n"], strict=True))
        if len(coords) > 1 and coords[0] == coords[-1]:
            coords = coords[:-1]
        if len(coords) < 3:
            raise CoordinateFileError(
                f"plot {plot!r} has {len(coords)} distinct point(s); a polygon needs 3",
                path=path,
                line=int(group.index[0]) + 2,
            )
        geoms.append(shapely.Polygon(coords))
        rows.append(group.iloc[0].drop(labels=[*coord_cols, "_e", "_n"]))
    attrs = pd.DataFrame(rows).reset_index(drop=True)
    return gpd.GeoDataFrame(attrs, geometry=geoms, crs=None)
