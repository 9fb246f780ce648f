"""The finding: one rule applied to one subject, and the findings frame.

A finding says which rule was applied to what, the verdict (the keys of
:data:`mineplan.vocab.VERDICTS` with their Chinese labels), the measured value with
its unit, where the rule comes from, a plain Chinese message, a data note when the
conclusion rests on schematic or demo data, and — for a conflict — the actual piece
of ground in conflict (EPSG:4490) with its ellipsoidal area.

:func:`findings_frame` builds the GeoDataFrame; :func:`summary_table`,
:func:`format_summary` and :func:`overall_verdict` summarise it.

May import: vocab, geodesy. Pure: no file is read or written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.vocab import STORE_CRS, VERDICT_ORDER, VERDICTS

__all__ = [
    "FINDING_COLUMNS",
    "FINDING_HEADERS",
    "Finding",
    "display_width",
    "findings_frame",
    "format_summary",
    "has_failures",
    "overall_verdict",
    "summary_table",
]

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
_ORDER = {key: i for i, key in enumerate(VERDICT_ORDER)}  # worst first


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
        area[has] = ellipsoidal_area_km2(frame.loc[has, ["geometry"]], validate=False)
    frame["area_km2"] = area
    return frame[list(FINDING_COLUMNS)]


def has_failures(frame: pd.DataFrame) -> bool:
    """True when any finding is ``fail``."""
    return bool((frame["verdict_key"] == "fail").any())


def overall_verdict(frame: pd.DataFrame) -> str:
    """The label of the worst verdict among the findings ("无检查结果" when none)."""
    keys = set(frame["verdict_key"]) if len(frame) else set()
    for key in VERDICT_ORDER:
        if key in keys:
            return VERDICTS[key]
    return "无检查结果"


def summary_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts of findings by check and verdict (one column per label of VERDICTS)."""
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
    width = max(display_width(str(r)) for r in table["rule"]) + 2
    labels = list(VERDICTS.values())
    lines.append(_pad("规则", width) + "".join(_rpad(v, 8) for v in labels))
    for _, row in table.iterrows():
        lines.append(_pad(str(row["rule"]), width) + "".join(_rpad(str(row[v]), 8)
                                                            for v in labels))
    totals = frame["verdict_key"].value_counts()
    counted = "，".join(f"{label} {totals.get(key, 0)}" for key, label in VERDICTS.items())
    lines.append(f"合计 {len(frame)} 项：{counted}")
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


def display_width(text: str) -> int:
    """Display width of ``text`` in a monospaced font: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _rpad(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text
