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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.vocab import STORE_CRS, VERDICT_ORDER, VERDICTS

if TYPE_CHECKING:  # a frame is built only when one is asked for (-o, figures, the web app)
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "FINDING_COLUMNS",
    "FINDING_HEADERS",
    "Finding",
    "display_width",
    "finding_records",
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
    import geopandas as gpd
    import pandas as pd

    rows = finding_records(items)
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


def finding_records(items: Iterable[Finding]) -> list[dict[str, Any]]:
    """One mapping per finding, with the columns of a findings frame but ``area_km2``
    (the verdict's label added; an empty conflict piece is None)."""
    return [
        {
            "check": f.check, "rule": f.rule, "verdict": VERDICTS[f.verdict_key],
            "verdict_key": f.verdict_key, "subject": f.subject, "measured": f.measured,
            "value": np.nan if f.value is None else float(f.value), "unit": f.unit,
            "source": f.source, "message": f.message, "data_note": f.data_note,
            "geometry": None if f.geometry is None or f.geometry.is_empty else f.geometry,
        }
        for f in items
    ]


def _records(findings: pd.DataFrame | Sequence[Finding]) -> list[Mapping[str, Any]]:
    """The findings as mappings, whether a frame or :class:`Finding` objects."""
    if isinstance(findings, Sequence):
        return list(finding_records(findings))
    return list(findings.to_dict("records"))


def has_failures(findings: pd.DataFrame | Sequence[Finding]) -> bool:
    """True when any finding is ``fail`` (a findings frame, or the findings)."""
    return any(r["verdict_key"] == "fail" for r in _records(findings))


def overall_verdict(frame: pd.DataFrame) -> str:
    """The label of the worst verdict among the findings ("无检查结果" when none)."""
    keys = set(frame["verdict_key"]) if len(frame) else set()
    for key in VERDICT_ORDER:
        if key in keys:
            return VERDICTS[key]
    return "无检查结果"


def summary_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts of findings by check and verdict (one column per label of VERDICTS)."""
    import pandas as pd

    counts = _summary_counts(_records(frame))
    return pd.DataFrame([{"check": check, "rule": rule, **by_verdict}
                         for (check, rule), by_verdict in counts.items()],
                        columns=["check", "rule", *VERDICTS.values()])


def _summary_counts(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], dict[str, int]]:
    """(check, rule) → findings per verdict label. Checks in the order first seen, and
    a check's rules in the order each rule was first seen among all findings."""
    labels = list(VERDICTS.values())
    checks = {c: i for i, c in enumerate(dict.fromkeys(str(r["check"]) for r in rows))}
    rules = {c: i for i, c in enumerate(dict.fromkeys(str(r["rule"]) for r in rows))}
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for r in rows:
        by_verdict = counts.setdefault((str(r["check"]), str(r["rule"])),
                                       dict.fromkeys(labels, 0))
        by_verdict[str(r["verdict"])] += 1
    return dict(sorted(counts.items(), key=lambda kv: (checks[kv[0][0]], rules[kv[0][1]])))


def format_summary(findings: pd.DataFrame | Sequence[Finding], *, title: str = "",
                   limit: int = 40) -> str:
    """A plain-text summary: counts by check, then every non-passing finding.

    Parameters
    ----------
    findings
        A findings frame, or the findings themselves (no pandas needed).
    title
        First line.
    limit
        At most this many non-passing findings are listed (worst first).
    """
    lines = [title] if title else []
    rows = _records(findings)
    if not rows:
        return "\n".join([*lines, "（无检查结果）"])
    labels = list(VERDICTS.values())
    counts = _summary_counts(rows)
    width = max(display_width(rule) for _, rule in counts) + 2
    lines.append(_pad("规则", width) + "".join(_rpad(v, 8) for v in labels))
    for (_, rule), by_verdict in counts.items():
        lines.append(_pad(rule, width) + "".join(_rpad(str(by_verdict[v]), 8) for v in labels))
    totals = {key: sum(1 for r in rows if r["verdict_key"] == key) for key in VERDICTS}
    counted = "，".join(f"{label} {totals[key]}" for key, label in VERDICTS.items())
    lines.append(f"合计 {len(rows)} 项：{counted}")
    issues = sorted((r for r in rows if r["verdict_key"] != "pass"),
                    key=lambda r: (_ORDER[r["verdict_key"]], r["check"]))
    if issues:
        lines.append("")
        lines.append("需处理的检查结果：")
        for row in issues[:limit]:
            note = f"〔{row['data_note']}〕" if row["data_note"] else ""
            lines.append(
                f"[{row['verdict']}] {row['rule']} {row['subject']}：{row['measured']}"
                f" — {row['message']}{note}"
            )
        if len(issues) > limit:
            lines.append(f"… 另有 {len(issues) - limit} 项，完整结果请用 -o 输出 XLSX/CSV")
    notes = list(dict.fromkeys(p for r in rows if r["data_note"]
                               for p in str(r["data_note"]).split("；")))
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
