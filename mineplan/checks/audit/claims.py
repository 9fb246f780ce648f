"""The claims — the totals and counts a plan states — and their comparison with the catalogue.

A claims file (``geodata/plans/claims/<slug>.claims.csv``) lists the totals and
counts a plan states about its zones in prose or in 合计 rows, each quoted with its
line. :func:`read_plan_claims` / :func:`read_claims` read them;
:func:`claim_issues` compares each with the catalogue and
:func:`claimed_breakdown_issues` each stated total with the parts stated beside it.

May import: errors, settings, catalog, checks.audit.issues.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mineplan.catalog import plan_index, read_csv_rows
from mineplan.checks.audit.issues import (
    amount,
    id_list,
    issue,
    layer_name,
    mineral_key,
    printed_counts,
    squash,
)
from mineplan.errors import CatalogError, problem_list
from mineplan.settings import geodata_dir

__all__ = [
    "CLAIMS_FOLDER",
    "CLAIM_COLUMNS",
    "MEASURES",
    "claim_issues",
    "claimed_breakdown_issues",
    "read_claims",
    "read_plan_claims",
]

log = logging.getLogger(__name__)

CLAIM_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "region",
    "about_region",
    "layer",
    "where",
    "measure",
    "value",
    "value_text",
    "table",
    "about_table",
    "text",
    "source_file",
    "source_line",
)

#: Sub-folder of ``geodata/plans`` holding ``<slug>.claims.csv``.
CLAIMS_FOLDER = "claims"

MEASURES = ("count", "blocks", "area_km2")
_WHERE_FIELDS = ("mineral", "note", "level", "stage", "name")
_MEASURE_WORDS = {"count": "行数", "blocks": "个数", "area_km2": "面积"}
_RESIDUAL_MINERAL = "其他"  # a 合计's "其他": the rest, not a mineral of the rows

_WS = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def read_plan_claims(path: str | Path) -> pd.DataFrame:
    """Read and validate one ``<slug>.claims.csv``.

    Parameters
    ----------
    path
        A claims file (UTF-8, header row, columns :data:`CLAIM_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        One row per claim; ``value`` float (km² for ``area_km2``), ``source_line`` int,
        the rest text.

    Raises
    ------
    CatalogError
        With every malformed row, each naming its line and field.
    """
    path = Path(path)
    rows = read_csv_rows(path, required=CLAIM_COLUMNS)
    problems: list[str] = []
    records = []
    seen: dict[str, int] = {}
    for line, row in rows:
        rec: dict[str, object] = {c: row[c].strip() for c in CLAIM_COLUMNS}
        if row["measure"] not in MEASURES:
            problems.append(f"line {line}: measure {row['measure']!r} is not one of {MEASURES}")
        try:
            rec["value"] = float(row["value"])
        except ValueError:
            problems.append(f"line {line}: value must be a number, got {row['value']!r}")
            rec["value"] = math.nan
        try:
            rec["source_line"] = int(row["source_line"])
        except ValueError:
            problems.append(f"line {line}: source_line must be a whole number")
            rec["source_line"] = 0
        if row["where"]:
            field, _, wanted = row["where"].partition("=")
            if field not in _WHERE_FIELDS or not wanted:
                problems.append(
                    f"line {line}: where {row['where']!r} is not <field>=<text> with field one "
                    f"of {_WHERE_FIELDS}"
                )
        for field in ("claim_id", "region", "about_region", "layer", "value_text", "table"):
            if not row[field].strip():
                problems.append(f"line {line}: {field} is empty")
        if row["claim_id"] in seen:
            problems.append(f"line {line}: claim_id {row['claim_id']!r} repeats line "
                            f"{seen[row['claim_id']]}")
        seen[row["claim_id"]] = line
        records.append(rec)
    if problems:
        raise CatalogError(problem_list(problems), path=path)
    frame = pd.DataFrame.from_records(records, columns=list(CLAIM_COLUMNS))
    frame["value"] = frame["value"].astype("float64")
    frame["source_line"] = frame["source_line"].astype("int64")
    return frame


def read_claims(*, root: Path | None = None, slugs: Sequence[str] | None = None) -> pd.DataFrame:
    """Every plan's claims in one frame (plans without a claims file contribute none).

    Parameters
    ----------
    root
        The catalogue folder with ``index.csv`` (default ``geodata/plans``); the claims
        are read from its sub-folder ``claims/`` (kept apart so that readers of
        ``<root>/*.csv`` see only zone tables).
    slugs
        Restrict to these plans.
    """
    root = root or geodata_dir() / "plans"
    index = plan_index(root=root)
    folder = root / CLAIMS_FOLDER
    frames = [
        read_plan_claims(folder / f"{slug}.claims.csv")
        for slug in (slugs or list(index))
        if (folder / f"{slug}.claims.csv").is_file()
    ]
    if not frames:
        return pd.DataFrame(columns=list(CLAIM_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def claim_issues(
    catalog: pd.DataFrame, claims: pd.DataFrame, names: Mapping[str, str]
) -> list[dict[str, object]]:
    issues = []
    regions = set(catalog["region"])
    for claim in claims.to_dict("records"):
        if claim["about_region"] not in regions or claim["region"] not in regions:
            log.debug("claim %s: %s not in the catalogue; skipped", claim["claim_id"],
                      claim["about_region"])
            continue
        if _mineral_wanted(claim) == _RESIDUAL_MINERAL:
            continue  # only meaningful within its breakdown (see claimed_breakdown_issues)
        found = _found_for(catalog, claim)
        stated = _stated(claim)
        subject = _subject(claim, names)
        if found.value is None:
            issues.append(issue(
                "无法核对", claim["region"], claim["layer"], subject, stated,
                f"{found.reason}（{found.source}）", math.nan,
                f"{stated}，但{found.reason}，无法核对。",
            ))
            continue
        diff = found.value - float(claim["value"])
        if abs(diff) <= _tolerance(claim):
            continue
        kind = _claim_kind(claim)
        found_text = f"{amount(found.value, claim['measure'])}（{found.source}）"
        issues.append(issue(
            kind, claim["region"], claim["layer"], subject, stated, found_text, diff,
            f"{claim['region']}{_where_said(claim)}称{subject}为"
            f"{amount(claim['value'], claim['measure'])}，而{found.source}为"
            f"{amount(found.value, claim['measure'])}，相差{amount(diff, claim['measure'])}。",
        ))
    return issues


@dataclass(frozen=True)
class _Found:
    """What the catalogue says for a claim: a value, or why there is none."""

    value: float | None
    source: str
    rows: tuple[str, ...]
    reason: str = ""


def _found_for(catalog: pd.DataFrame, claim: Mapping[str, object]) -> _Found:
    rows = catalog[(catalog["region"] == claim["about_region"])
                   & (catalog["layer"] == claim["layer"])]
    table = str(claim["about_table"])
    if not table and claim["about_region"] == claim["region"] and claim["table"] != "正文":
        table = str(claim["table"])  # a 合计 row speaks of its own table
    if table:
        rows = rows[rows["table"] == table]
    where = str(claim["where"])
    field, _, wanted = where.partition("=")
    weights: pd.Series | None = None
    if field == "mineral":
        counts = [_mineral_counts(r) for r in rows.to_dict("records")]
        unknown = [zid for zid, c in zip(rows["zone_id"], counts, strict=True) if c is None]
        if unknown:
            return _Found(None, _rows_source(claim, rows), tuple(unknown),
                          f"{id_list(unknown)}未分矿种计数")
        key = mineral_key(wanted)
        weights = pd.Series([c.get(key, 0) if c else 0 for c in counts], index=rows.index)
        rows = rows[weights > 0]
        weights = weights[weights > 0]
    elif field:
        wanted_sq = squash(wanted)
        rows = rows[rows[field].map(lambda v: wanted_sq in squash(str(v)))]
    source = _rows_source(claim, rows, where=where)
    ids = tuple(rows["zone_id"])
    measure = claim["measure"]
    if measure == "count":
        return _Found(float(len(rows)), source, ids)
    if measure == "blocks":
        total = weights.sum() if weights is not None else rows["block_count"].sum()
        return _Found(float(total), source, ids)
    missing = rows.loc[rows["area_km2"].isna(), "zone_id"].tolist()
    if missing:
        return _Found(None, source, ids, f"{len(missing)}/{len(rows)}行无面积：{id_list(missing)}")
    return _Found(float(rows["area_km2"].sum()), source, ids)


def claimed_breakdown_issues(
    claims: pd.DataFrame, names: Mapping[str, str]
) -> list[dict[str, object]]:
    """A stated total vs the parts stated beside it (same line, same layer and measure).

    A breakdown is taken as complete only when it has an “其他” part; otherwise only
    parts that add up to *more* than the total are reported.
    """
    issues = []
    keys = ["region", "about_region", "layer", "measure", "table", "source_line"]
    for _, group in claims.groupby(keys, sort=False):
        totals = group[group["where"] == ""]
        parts = group[group["where"].str.startswith("mineral=")]
        if len(totals) != 1 or len(parts) < 2:
            continue
        total = totals.iloc[0]
        summed = float(parts["value"].sum())
        complete = (parts["where"] == f"mineral={_RESIDUAL_MINERAL}").any()
        if summed == total["value"] or (not complete and summed < total["value"]):
            continue
        listed = "、".join(
            f"{w.partition('=')[2]}{v:g}" for w, v in zip(parts["where"], parts["value"],
                                                          strict=True)
        )
        stated = _stated(total.to_dict())
        found = f"{summed:g}个（同处所列分项之和：{listed}）"
        subject = _subject(total.to_dict(), names)
        issues.append(issue(
            "分项不符", str(total["region"]), str(total["layer"]), subject, stated, found,
            summed - float(total["value"]),
            f"{total['region']}{_where_said(total.to_dict())}称{subject}为{total['value']:g}个，"
            f"但同处所列分项{listed}合计{summed:g}个。",
        ))
    return issues


def _mineral_wanted(claim: Mapping[str, object]) -> str:
    field, _, wanted = str(claim["where"]).partition("=")
    return wanted if field == "mineral" else ""


def _mineral_counts(row: Mapping[str, object]) -> dict[str, int] | None:
    """Blocks per mineral that one catalogue row stands for; None when it cannot be told."""
    cell = str(row["mineral"])
    printed = printed_counts(cell)
    if printed:
        return printed
    minerals = [m for m in re.split(r"[、，,；;/]", squash(cell)) if m]
    extra = json.loads(str(row["extra"]) or "{}") if row.get("extra") else {}
    if minerals and all(str(extra.get(m, "")).isdigit() for m in minerals):
        return {mineral_key(m): int(extra[m]) for m in minerals}
    if len(minerals) == 1:
        return {mineral_key(minerals[0]): int(row["block_count"])}  # type: ignore[call-overload]
    return None


def _tolerance(claim: Mapping[str, object]) -> float:
    """Half a unit of the last printed digit, in the claim's unit (km² for areas)."""
    if claim["measure"] != "area_km2":
        return 1e-9
    match = _NUMBER.search(str(claim["value_text"]).replace(",", ""))
    if match is None:
        return 1e-9
    printed = float(match.group())
    decimals = len(match.group().partition(".")[2])
    scale = float(claim["value"]) / printed if printed else 1.0  # type: ignore[arg-type]
    return 0.5 * 10.0 ** -decimals * scale + 1e-9


def _claim_kind(claim: Mapping[str, object]) -> str:
    if claim["region"] != claim["about_region"]:
        return "跨规划不符"
    if claim["table"] != "正文" and not claim["about_table"]:
        return "合计不符"  # a number printed in a table about that table's own rows
    return "面积不符" if claim["measure"] == "area_km2" else "数量不符"


def _where_said(claim: Mapping[str, object]) -> str:
    return f"{claim['table']}第{claim['source_line']}行"


def _stated(claim: Mapping[str, object]) -> str:
    value = amount(claim["value"], str(claim["measure"]))
    printed = f"“{_WS.sub(' ', str(claim['text']))}”"
    return f"{value}（{claim['region']} {claim['table']} 第{claim['source_line']}行：{printed}）"


def _subject(claim: Mapping[str, object], names: Mapping[str, str]) -> str:
    layer = layer_name(str(claim["layer"]), names)
    about = "" if claim["about_region"] == claim["region"] else f"{claim['about_region']} "
    where = str(claim["where"]).partition("=")[2]
    where = f" {where}" if where else ""
    table = f" {claim['about_table']}" if claim["about_table"] else ""
    return f"{about}{layer}{table}{where} {_MEASURE_WORDS[str(claim['measure'])]}"


def _rows_source(claim: Mapping[str, object], rows: pd.DataFrame, *, where: str = "") -> str:
    region = claim["about_region"]
    if rows.empty:
        return f"{region} 目录中无此类行"
    tables = "、".join(dict.fromkeys(rows["table"]))
    first, last = rows["source_line"].min(), rows["source_line"].max()
    span = f"第{first}行" if first == last else f"第{first}–{last}行"
    scope = f"{where.partition('=')[2]} " if where else ""
    return f"{region} {tables} {scope}{len(rows)}行之和，{span}"
