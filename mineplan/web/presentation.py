"""What the 检查 page shows of a check's findings: verdict, tables, lines, data caveats.

Pure functions from the findings of :func:`mineplan.checks.check_proposal` to what
people read: the overall verdict (:func:`overall_verdict`), the findings table with
Chinese headers (:func:`findings_table`) and its verdict cell styles
(:func:`verdict_style`, colours from :data:`mineplan.vocab.VERDICT_COLOURS`), the
issue lines, the summary by rule and the data caveats. The page
(``app_pages/checks.py``) only lays out.

May import :mod:`mineplan.vocab`, :mod:`mineplan.settings` and
:mod:`mineplan.checks.findings`.
"""

from __future__ import annotations

import tomllib

import pandas as pd

from mineplan.checks.findings import FINDING_HEADERS, summary_table
from mineplan.settings import geodata_dir
from mineplan.vocab import VERDICT_COLOURS, VERDICT_ORDER, VERDICTS
from mineplan.web.legend import area_number_formats

__all__ = [
    "data_notes",
    "error_markdown",
    "findings_table",
    "findings_table_formats",
    "issue_lines",
    "literal_markdown",
    "overall_verdict",
    "scale_units",
    "summary_view",
    "verdict_counts",
    "verdict_style",
]

_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~$"})


def literal_markdown(text: str) -> str:
    """Text from the plans or the checks, escaped to show literally (never read as Markdown)."""
    return text.translate(_MARKDOWN)


def error_markdown(message: str) -> str:
    """An error listing problems one per line, as Markdown: its first line, then a bullet
    per problem, each shown literally."""
    head, *lines = message.splitlines()
    return "\n".join([literal_markdown(head),
                      *(f"- {literal_markdown(line.strip())}" for line in lines)])


def verdict_counts(findings: pd.DataFrame) -> dict[str, int]:
    """How many findings have each verdict, worst first (every verdict, zeros included)."""
    counts = findings["verdict_key"].value_counts() if len(findings) else pd.Series(dtype=int)
    return {key: int(counts.get(key, 0)) for key in VERDICT_ORDER}


def overall_verdict(findings: pd.DataFrame) -> str | None:
    """The worst verdict key (``fail`` > ``conditional`` > ``pass``), None without findings."""
    keys = set(findings["verdict_key"]) if len(findings) else set()
    return next((k for k in VERDICT_ORDER if k in keys), None)


def verdict_style(value: object) -> str:
    """CSS for a table cell holding a Chinese verdict (通过 / 有条件 / 不通过)."""
    key = {v: k for k, v in VERDICTS.items()}.get(str(value))
    if key is None:
        return ""
    text, background = VERDICT_COLOURS[key]
    return f"color: {text}; background-color: {background}; font-weight: bold"


#: Columns of the page's findings table, in order.
_TABLE_COLUMNS = ("verdict", "rule", "measured", "message", "area_km2", "data_note", "source")


def findings_table_formats() -> dict[str, str]:
    """printf formats of :func:`findings_table`'s area column (km² to 4 decimals), by header."""
    return area_number_formats({c: FINDING_HEADERS.get(c, c) for c in _TABLE_COLUMNS})


def findings_table(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings for people: worst first, Chinese headers, no geometry.

    Columns 结论, 规则, 量测值, 说明, 冲突面积（km²，椭球）, 数据说明, 依据.
    """
    return (pd.DataFrame(_ranked(findings)[list(_TABLE_COLUMNS)]).reset_index(drop=True)
            .rename(columns=FINDING_HEADERS))


def issue_lines(findings: pd.DataFrame) -> list[tuple[str, str]]:
    """The findings that need attention, worst first, as (verdict key, one line of text).

    The line reads ``不通过｜与已设矿业权重叠：1.1594 km²（…）— 与已设探矿权…重叠``.
    """
    lines = []
    for _, row in _ranked(findings).iterrows():
        if row["verdict_key"] == "pass":
            continue
        measured = f"：{row['measured']}" if row["measured"] not in ("", "—") else ""
        lines.append((str(row["verdict_key"]),
                      f"{row['verdict']}｜{row['rule']}{measured} — {row['message']}"))
    return lines


def _ranked(findings: pd.DataFrame) -> pd.DataFrame:
    order = findings["verdict_key"].map({k: n for n, k in enumerate(VERDICT_ORDER)})
    return findings.assign(_o=order).sort_values("_o", kind="stable")


def summary_view(findings: pd.DataFrame) -> pd.DataFrame:
    """Counts by rule and verdict (columns 规则, 通过, 有条件, 不通过)."""
    return (summary_table(findings).drop(columns=["check"], errors="ignore")
            .rename(columns={"rule": "规则"}))


def data_notes(findings: pd.DataFrame) -> list[str]:
    """The distinct data caveats (schematic zones, demo red lines …), in order of appearance."""
    return list(dict.fromkeys(part.strip() for note in findings["data_note"] if note
                              for part in str(note).split("；") if part.strip()))


def scale_units() -> list[str]:
    """The production units the rules know (``[units]`` of ``geodata/rules/checks.toml``)."""
    with open(geodata_dir() / "rules" / "checks.toml", "rb") as f:
        return list(tomllib.load(f).get("units", {}))
