"""Findings of the checks: one row per rule and subject, and their writers.

A finding says which rule was applied to what, the verdict (通过 / 有条件 /
不通过 with the English key pass / conditional / fail), the measured value with
its unit, where the rule comes from, a plain Chinese message, a data note when
the conclusion rests on schematic or demo data, and — for a conflict — the
actual piece of ground in conflict (EPSG:4490) with its ellipsoidal area.

:func:`findings_frame` builds the GeoDataFrame; :func:`summary_table` and
:func:`format_summary` summarise it; the writers (XLSX, CSV with BOM, GeoJSON of
conflict pieces) write atomically: a temporary file beside the target replaces
it only when complete.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mineplan.atomic import atomic_output
from mineplan.errors import FindingsWriteError
from mineplan.geodesy import ellipsoidal_area_km2, gk_crs_for_lonlat
from mineplan.rules import VERDICTS

__all__ = [
    "FINDING_COLUMNS",
    "FINDING_HEADERS",
    "Finding",
    "FindingsWriteError",
    "findings_frame",
    "format_summary",
    "has_failures",
    "proposal_coordinates",
    "summary_table",
    "write_findings",
    "write_findings_csv",
    "write_findings_geojson",
    "write_findings_xlsx",
]

STORE_CRS = "EPSG:4490"

#: Columns of a findings frame, in order (``geometry`` last).
FINDING_COLUMNS: tuple[str, ...] = (
    "check", "rule", "verdict", "verdict_key", "subject", "measured", "value", "unit",
    "source", "message", "data_note", "area_km2", "geometry",
)
#: Column → Chinese header for the XLSX and CSV files.
FINDING_HEADERS: dict[str, str] = {
    "check": "检查项代码",
    "rule": "规则",
    "verdict": "结论",
    "verdict_key": "结论代码",
    "subject": "对象",
    "measured": "量测值",
    "value": "数值",
    "unit": "单位",
    "source": "依据",
    "message": "说明",
    "data_note": "数据说明",
    "area_km2": "冲突面积（km²，椭球）",
}
_ORDER = {"fail": 0, "conditional": 1, "pass": 2}


@dataclass(frozen=True)
class Finding:
    """One rule applied to one subject.

    ``value``/``unit`` are the measured number and its unit; ``measured`` is
    the text shown to people (e.g. ``"0.5000 km²（占 50.0%）"``). ``geometry`` is
    the piece of ground in conflict, EPSG:4490, or None.
    """

    check: str
    rule: str
    verdict_key: str
    subject: str
    measured: str
    source: str
    message: str
    data_note: str = ""
    value: float | None = None
    unit: str = ""
    geometry: BaseGeometry | None = None

    def __post_init__(self) -> None:
        if self.verdict_key not in VERDICTS:
            raise ValueError(
                f"verdict {self.verdict_key!r} is not one of {sorted(VERDICTS)} ({self.check})"
            )


def findings_frame(items: Iterable[Finding]) -> gpd.GeoDataFrame:
    """A findings GeoDataFrame (EPSG:4490) with :data:`FINDING_COLUMNS`.

    ``area_km2`` is the ellipsoidal area of each conflict piece (NaN without one).
    """
    rows = [
        {
            "check": f.check, "rule": f.rule, "verdict": VERDICTS[f.verdict_key],
            "verdict_key": f.verdict_key, "subject": f.subject, "measured": f.measured,
            "value": np.nan if f.value is None else float(f.value), "unit": f.unit,
            "source": f.source, "message": f.message, "data_note": f.data_note,
            "geometry": None if f.geometry is None or f.geometry.is_empty else f.geometry,
        }
        for f in items
    ]
    frame = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=[c for c in FINDING_COLUMNS if c != "area_km2"]),
        geometry="geometry", crs=STORE_CRS,
    )
    has = frame.geometry.notna()
    area = pd.Series(np.nan, index=frame.index, dtype="float64")
    if has.any():
        area[has] = ellipsoidal_area_km2(frame.loc[has, ["geometry"]], validate=False).round(6)
    frame["area_km2"] = area
    return frame[list(FINDING_COLUMNS)]


def has_failures(frame: pd.DataFrame) -> bool:
    """True when any finding is ``fail``."""
    return bool((frame["verdict_key"] == "fail").any())


def summary_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts of findings by check and verdict (columns 通过 / 有条件 / 不通过)."""
    if frame.empty:
        return pd.DataFrame(columns=["check", "rule", *VERDICTS.values()])
    counts = (
        frame.groupby(["check", "rule", "verdict"], sort=False).size()
        .unstack("verdict", fill_value=0)
        .reindex(columns=list(VERDICTS.values()), fill_value=0)
        .reset_index()
    )
    counts.columns.name = None
    return counts


def format_summary(frame: pd.DataFrame, *, title: str = "", limit: int = 40) -> str:
    """A plain-text summary: counts by check, then every non-passing finding.

    Parameters
    ----------
    frame
        A findings frame.
    title
        First line.
    limit
        At most this many non-passing findings are listed (worst first).
    """
    lines = [title] if title else []
    table = summary_table(frame)
    if table.empty:
        return "\n".join([*lines, "（无检查结果）"])
    width = max(_width(str(r)) for r in table["rule"]) + 2
    labels = list(VERDICTS.values())
    lines.append(_pad("规则", width) + "".join(_rpad(v, 8) for v in labels))
    for _, row in table.iterrows():
        lines.append(_pad(str(row["rule"]), width) + "".join(_rpad(str(row[v]), 8)
                                                            for v in labels))
    totals = frame["verdict_key"].value_counts()
    lines.append(
        f"合计 {len(frame)} 项：通过 {totals.get('pass', 0)}，有条件 "
        f"{totals.get('conditional', 0)}，不通过 {totals.get('fail', 0)}"
    )
    issues = frame[frame["verdict_key"] != "pass"].copy()
    if not issues.empty:
        issues["_o"] = issues["verdict_key"].map(_ORDER)
        issues = issues.sort_values(["_o", "check"], kind="stable")
        lines.append("")
        lines.append("需处理的检查结果：")
        for _, row in issues.head(limit).iterrows():
            note = f"〔{row['data_note']}〕" if row["data_note"] else ""
            lines.append(
                f"[{row['verdict']}] {row['rule']} {row['subject']}：{row['measured']}"
                f" — {row['message']}{note}"
            )
        if len(issues) > limit:
            lines.append(f"… 另有 {len(issues) - limit} 项，完整结果请用 -o 输出 XLSX/CSV")
    notes = list(dict.fromkeys(p for n in frame["data_note"] if n for p in str(n).split("；")))
    if notes:
        lines.append("")
        lines.append("数据说明：" + "；".join(notes))
    return "\n".join(lines)


# --------------------------------------------------------------------------- writers


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
    with _atomic(path) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig")
    return path


def write_findings_geojson(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """GeoJSON (EPSG:4326 for display) of the findings that carry a conflict piece.

    Each feature has every finding column and ``area_km2`` (ellipsoidal, measured
    in CGCS2000 before reprojection).
    """
    path = Path(path)
    pieces = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    out = gpd.GeoDataFrame(pieces.copy(), geometry="geometry", crs=frame.crs).to_crs("EPSG:4326")
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

    The coordinates sheet lists every vertex of the proposal (when given):
    longitude/latitude (CGCS2000) and Gauss-Kruger X (northing) / Y (easting,
    3-degree zone with prefix) as surveyors write them.
    """
    path = Path(path)
    summary = summary_table(frame).drop(columns=["check"], errors="ignore")
    summary = summary.rename(columns={"rule": "规则"})
    head = pd.DataFrame({"项目": ["标题", "检查项合计", "结论"],
                         "内容": [title or "矿产资源规划审查",
                                str(len(frame)), _overall(frame)]})
    with _atomic(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xls:
        head.to_excel(xls, sheet_name="汇总", index=False)
        summary.to_excel(xls, sheet_name="汇总", index=False, startrow=len(head) + 2)
        _table(frame).to_excel(xls, sheet_name="检查结果", index=False)
        if proposal is not None:
            proposal_coordinates(proposal).to_excel(xls, sheet_name="申请范围坐标", index=False)
        for sheet in xls.sheets.values():
            for column in sheet.columns:
                sheet.column_dimensions[column[0].column_letter].width = min(
                    60, max(8, *(_width(str(c.value or "")) + 2 for c in column[:200]))
                )
    return path


def proposal_coordinates(proposal: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every vertex of a proposal: 地块, 圈号, 点号, X（北）, Y（东）, 经度, 纬度.

    X/Y are CGCS2000 3-degree Gauss-Kruger with the zone prefix, of the zone
    holding the proposal's centroid, in metres (3 decimals); longitude and latitude
    in degrees (8 decimals). A ring's closing point is not repeated.
    """
    geo = proposal.to_crs(STORE_CRS)
    rows: list[dict[str, object]] = []
    valid = [g for g in geo.geometry if g is not None and not g.is_empty]
    if not valid:
        return pd.DataFrame(columns=["地块", "圈号", "点号", "X（北）", "Y（东）", "经度", "纬度"])
    centre = shapely.union_all(valid).centroid
    gk = gk_crs_for_lonlat(centre.x, centre.y, prefixed=True)
    from pyproj import Transformer

    to_gk = Transformer.from_crs(STORE_CRS, gk, always_xy=True)
    for n, geom in enumerate(geo.geometry, start=1):
        if geom is None or geom.is_empty:
            continue
        ring_no = 0
        for poly in getattr(geom, "geoms", [geom]):
            for ring in [poly.exterior, *poly.interiors]:
                ring_no += 1
                coords = np.asarray(ring.coords)[:-1]
                east, north = to_gk.transform(coords[:, 0], coords[:, 1])
                for k, (lon, lat) in enumerate(coords, start=1):
                    rows.append({"地块": n, "圈号": ring_no, "点号": f"J{k}",
                                 "X（北）": round(float(north[k - 1]), 3),
                                 "Y（东）": round(float(east[k - 1]), 3),
                                 "经度": round(float(lon), 8), "纬度": round(float(lat), 8)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- helpers


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    columns = [c for c in FINDING_COLUMNS if c != "geometry" and c in frame]
    return pd.DataFrame(frame[columns]).rename(columns=FINDING_HEADERS)


def _overall(frame: pd.DataFrame) -> str:
    keys = set(frame["verdict_key"]) if len(frame) else set()
    for key in ("fail", "conditional", "pass"):
        if key in keys:
            return VERDICTS[key]
    return "无检查结果"


def _width(text: str) -> int:
    """Display width: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _rpad(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it only if the block succeeds."""
    if not path.parent.is_dir():
        raise FindingsWriteError(f"folder does not exist: {path.parent} (create it first)")
    with atomic_output(path) as tmp:
        yield tmp
