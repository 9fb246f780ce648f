"""Findings written to files: XLSX, CSV with BOM, GeoJSON of the conflict pieces.

Every writer goes through :func:`mineplan.atomic.atomic_output`: a temporary file
beside the target replaces it only when complete. The XLSX workbook's coordinate
sheet takes its rows from :func:`mineplan.io.corners.corner_table`, the one
corner-point table, so a point called J3 there is J3 in every other listing.

Numbers stay numbers (sortable, summable) and are shown by a cell number format:
areas in km² to :data:`~mineplan.vocab.AREA_DECIMALS_KM2` decimals, plane coordinates
to :data:`~mineplan.vocab.PLANE_DECIMALS`; the coordinate sheet adds DMS text with
seconds to :data:`~mineplan.vocab.DMS_SECONDS_DECIMALS` decimals (the registry's rule,
issue 10 §4). The CSV, being text, writes the areas to the same display decimals.

May import: vocab, errors, atomic, geodesy, io.corners, io.coordinates (format_dms),
checks.findings.model.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from mineplan.atomic import atomic_output
from mineplan.checks.findings.model import (
    FINDING_COLUMNS,
    FINDING_HEADERS,
    display_width,
    overall_verdict,
    summary_table,
)
from mineplan.errors import FindingsWriteError
from mineplan.geodesy import gk_crs_for_lonlat
from mineplan.io.coordinates import format_dms
from mineplan.io.corners import corner_table, point_names_of
from mineplan.io.sheets import csv_safe, xlsx_text_only
from mineplan.vocab import (
    DMS_SECONDS_DECIMALS,
    PLANE_DECIMALS,
    STORE_CRS,
    WEB_CRS,
    area_column_unit,
    area_display_decimals,
)

__all__ = [
    "COORDINATE_HEADERS",
    "proposal_coordinates",
    "write_findings",
    "write_findings_csv",
    "write_findings_geojson",
    "write_findings_xlsx",
]

#: Column of :func:`mineplan.io.corners.corner_table` → (Chinese header, decimals) of
#: the coordinate sheet: metres to the registry's 2 decimals, degrees to 8 decimals;
#: ``lon_dms`` / ``lat_dms`` are the same degrees as 度分秒 text, seconds to 3 decimals.
COORDINATE_HEADERS: dict[str, tuple[str, int | None]] = {
    "plot": ("地块", None),
    "ring": ("圈号", None),
    "point": ("点号", None),
    "x": ("X（北）", PLANE_DECIMALS),
    "y": ("Y（东）", PLANE_DECIMALS),
    "lon": ("经度", 8),
    "lat": ("纬度", 8),
    "lon_dms": ("经度（度分秒）", None),
    "lat_dms": ("纬度（度分秒）", None),
}


def write_findings(
    frame: gpd.GeoDataFrame,
    path: str | Path,
    *,
    proposal: gpd.GeoDataFrame | None = None,
    title: str = "",
) -> Path:
    """Write findings by the file's extension: ``.xlsx``, ``.csv`` or ``.geojson``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return write_findings_xlsx(frame, path, proposal=proposal, title=title)
    if suffix == ".csv":
        return write_findings_csv(frame, path)
    if suffix in (".geojson", ".json"):
        return write_findings_geojson(frame, path)
    raise FindingsWriteError(
        f"cannot write findings as {path.suffix or '(no extension)'!r}: "
        f"use .xlsx, .csv or .geojson ({path})"
    )


def write_findings_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """CSV with Chinese headers, UTF-8 with BOM so Excel shows the Chinese; no geometry."""
    path = Path(path)
    table = _table(frame)
    for header, decimals in _area_decimals(frame).items():  # text: the display decimals
        table[header] = table[header].map(
            lambda v, d=decimals: "" if pd.isna(v) else f"{round(float(v), d) + 0.0:.{d}f}")
    with _atomic(path) as tmp:
        csv_safe(table).to_csv(tmp, index=False, encoding="utf-8-sig")
    return path


def write_findings_geojson(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """GeoJSON (EPSG:4326 for display) of the findings that carry a conflict piece.

    Each feature has every finding column and ``area_km2`` (ellipsoidal, measured
    in CGCS2000 before reprojection).
    """
    path = Path(path)
    pieces = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    out = gpd.GeoDataFrame(pieces.copy(), geometry="geometry", crs=frame.crs).to_crs(WEB_CRS)
    with _atomic(path) as tmp:
        tmp.write_text(out.to_json(drop_id=True, ensure_ascii=False), encoding="utf-8")
    return path


def write_findings_xlsx(
    frame: gpd.GeoDataFrame,
    path: str | Path,
    *,
    proposal: gpd.GeoDataFrame | None = None,
    title: str = "",
) -> Path:
    """XLSX: 汇总 (summary), 检查结果 (findings, Chinese headers) and 申请范围坐标.

    The coordinates sheet lists every vertex of the proposal (when given), as
    :func:`proposal_coordinates` does.
    """
    path = Path(path)
    summary = summary_table(frame).drop(columns=["check"], errors="ignore")
    summary = summary.rename(columns={"rule": "规则"})
    head = pd.DataFrame({"项目": ["标题", "检查项合计", "结论"],
                         "内容": [title or "矿产资源规划审查",
                                str(len(frame)), overall_verdict(frame)]})
    with _atomic(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xls:
        head.to_excel(xls, sheet_name="汇总", index=False)
        summary.to_excel(xls, sheet_name="汇总", index=False, startrow=len(head) + 2)
        _table(frame).to_excel(xls, sheet_name="检查结果", index=False)
        _number_formats(xls.sheets["检查结果"], _area_decimals(frame))
        if proposal is not None:
            proposal_coordinates(proposal).to_excel(xls, sheet_name="申请范围坐标", index=False)
            _number_formats(xls.sheets["申请范围坐标"],
                            {h: d for h, d in COORDINATE_HEADERS.values() if d is not None})
        for sheet in xls.sheets.values():
            xlsx_text_only(sheet)  # an applicant's "=HYPERLINK(…)" stays text
            for column in sheet.columns:
                sheet.column_dimensions[column[0].column_letter].width = min(
                    60, max(8, *(display_width(str(c.value or "")) + 2 for c in column[:200]))
                )
    return path


def proposal_coordinates(proposal: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every vertex of a proposal: 地块, 圈号, 点号, X（北）, Y（东）, 经度, 纬度.

    The rows of :func:`mineplan.io.corners.corner_table`. X/Y are CGCS2000 3-degree
    Gauss-Kruger with the zone prefix, of the zone holding the proposal's centroid,
    in metres (2 decimals, the registry's); longitude and latitude in degrees
    (8 decimals) and as 度分秒 text (seconds to 3 decimals). Vertices in their original
    order, each point under the source's own number (点号 as the coordinate file gave
    it), J1… per ring where the input had none. A ring's closing point is not repeated.
    """
    headers = [header for header, _ in COORDINATE_HEADERS.values()]
    geo = proposal.to_crs(STORE_CRS)
    valid = [g for g in geo.geometry if g is not None and not g.is_empty]
    if not valid:
        return pd.DataFrame(columns=headers)
    centre = shapely.union_all(valid).centroid
    gk = gk_crs_for_lonlat(centre.x, centre.y, prefixed=True)
    corners = corner_table(geo.geometry, plane_crs=gk, crs=STORE_CRS,
                           point_names=point_names_of(proposal))
    for axis in ("lon", "lat"):
        corners[f"{axis}_dms"] = [format_dms(v, precision=DMS_SECONDS_DECIMALS)
                                  for v in corners[axis]]
    table = pd.DataFrame({
        header: corners[column] if decimals is None else corners[column].round(decimals)
        for column, (header, decimals) in COORDINATE_HEADERS.items()
    })
    return table


# --------------------------------------------------------------------------- helpers


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    """The findings with Chinese headers, without geometry (as the CSV and XLSX show them)."""
    # a batch check names each row's plot first (mineplan.checks.check_plots)
    lead = ["plot"] if "plot" in frame else []
    columns = lead + [c for c in FINDING_COLUMNS if c != "geometry" and c in frame]
    return pd.DataFrame(frame[columns]).rename(columns={**FINDING_HEADERS, "plot": "地块"})


def _area_decimals(frame: pd.DataFrame) -> dict[str, int]:
    """Header of each area column :func:`_table` shows → its display decimals."""
    return {FINDING_HEADERS.get(c, c): area_display_decimals(unit) for c in frame.columns
            if (unit := area_column_unit(str(c))) is not None}


def _number_formats(sheet: Any, decimals: dict[str, int]) -> None:
    """Give the numeric cells of the columns headed ``decimals``' keys a fixed-decimal format."""
    for column in sheet.iter_cols(min_row=1):
        places = decimals.get(column[0].value)
        if places is None:
            continue
        pattern = "0." + "0" * places if places else "0"
        for cell in column[1:]:
            if isinstance(cell.value, int | float):
                cell.number_format = pattern


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it only if the block succeeds."""
    if not path.parent.is_dir():
        raise FindingsWriteError(f"folder does not exist: {path.parent} (create it first)")
    with atomic_output(path) as tmp:
        yield tmp
