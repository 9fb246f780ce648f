"""The claims — the totals and counts a plan states — and their comparison with the catalogue.

A claims file (``geodata/plans/claims/<slug>.claims.csv``) lists the totals and
counts a plan states about its zones in prose or in 合计 rows, each quoted with its
line. :func:`read_plan_claims` / :func:`read_claims` read them;
:func:`claim_issues` compares each with the catalogue,
:func:`claimed_breakdown_issues` each stated total with the parts stated beside it
(by mineral, scale 大/中/小, status, issuer, class; the 大中型 share) and
:func:`restated_issues` a number the plan states twice (prose vs prose or table) when
the catalogue cannot decide. Each fills an optional ``ledger`` (claim id →
``agrees``/``differs``) from which :func:`claim_coverage` counts, per plan, how many
stated numbers were compared and how many were found inconsistent.

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
    "catalogue_checks",
    "claim_coverage",
    "claim_issues",
    "claimed_breakdown_issues",
    "read_claims",
    "read_plan_claims",
    "restated_issues",
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

#: ``share_pct``: a stated share of the ``where`` part in the total (大中型矿山占比 23.81%),
#: checked against the counts stated beside it.
MEASURES = ("count", "blocks", "area_km2", "share_pct")
#: ``extra`` sums an ``extra`` column of the rows (``extra=矿山规模/中型``); ``scale``
#: (大型/中型/小型/小矿), ``issuer`` (发证机关) and ``class`` (能源/金属/非金属) are not
#: catalogue columns: such claims are compared only with the numbers stated beside
#: them (:func:`claimed_breakdown_issues`) and with their restatements.
_WHERE_FIELDS = ("mineral", "note", "level", "stage", "name", "extra", "scale", "issuer",
                 "class")
_CLAIM_ONLY_FIELDS = ("scale", "issuer", "class")
#: Breakdowns that partition every mine or right: complete without an “其他” part.
_PARTITIONS = ("scale", "stage", "issuer", "class")
_MEASURE_WORDS = {"count": "行数", "blocks": "个数", "area_km2": "面积", "share_pct": "占比"}
Ledger = dict[str, str]
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
    catalog: pd.DataFrame, claims: pd.DataFrame, names: Mapping[str, str],
    ledger: Ledger | None = None,
) -> list[dict[str, object]]:
    """Each claim against the catalogue rows it speaks of."""
    issues = []
    ledger = {} if ledger is None else ledger
    regions = set(catalog["region"])
    for claim in claims.to_dict("records"):
        if claim["about_region"] not in regions or claim["region"] not in regions:
            log.debug("claim %s: %s not in the catalogue; skipped", claim["claim_id"],
                      claim["about_region"])
            continue
        if not catalogue_checks(catalog, claim):
            continue  # compared only with its parts and restatements (see below)
        if _mineral_wanted(claim) == _RESIDUAL_MINERAL:
            found = _residual_found(catalog, claims, claim)  # total − the listed minerals
        else:
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
            ledger.setdefault(str(claim["claim_id"]), "agrees")
            continue
        ledger[str(claim["claim_id"])] = "differs"
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


def _residual_found(catalog: pd.DataFrame, claims: pd.DataFrame,
                    claim: Mapping[str, object]) -> _Found:
    """An “其他” cell: the rows' blocks of every mineral not listed beside it."""
    same = claims[(claims["region"] == claim["region"]) & (claims["layer"] == claim["layer"])
                  & (claims["table"] == claim["table"])
                  & (claims["source_line"] == claim["source_line"])
                  & (claims["measure"] == claim["measure"])]
    listed = [w.partition("=")[2] for w in same["where"]
              if w.startswith("mineral=") and w != f"mineral={_RESIDUAL_MINERAL}"]
    total = _found_for(catalog, {**claim, "where": ""})  # the rows the 合计 speaks of
    if total.value is None or claim["measure"] != "blocks":
        return _Found(None, total.source, total.rows, total.reason or "其他只按个数核对")
    rows = catalog[catalog["zone_id"].isin(total.rows)]
    counts = [_mineral_counts(r) for r in rows.to_dict("records")]
    unknown = [zid for zid, c in zip(rows["zone_id"], counts, strict=True) if c is None]
    if unknown:
        return _Found(None, total.source, tuple(unknown), f"{id_list(unknown)}未分矿种计数")
    keys = {mineral_key(m) for m in listed}
    value = sum(n for c in counts if c for m, n in c.items() if m not in keys)
    return _Found(float(value), f"{total.source}中所列{'、'.join(listed)}以外矿种之和",
                  total.rows)


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
    elif field == "extra":
        extras = [json.loads(str(e) or "{}") for e in rows["extra"]]
        unknown = [zid for zid, e in zip(rows["zone_id"], extras, strict=True)
                   if not str(e.get(wanted, "")).strip().isdigit()]
        if unknown:
            return _Found(None, _rows_source(claim, rows), tuple(unknown),
                          f"{id_list(unknown)}无“{wanted}”栏")
        weights = pd.Series([int(e[wanted]) for e in extras], index=rows.index)
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


def catalogue_checks(catalog: pd.DataFrame, claim: Mapping[str, object]) -> bool:
    """Whether the catalogue can check a claim (it has rows for it and the field)."""
    field = str(claim["where"]).partition("=")[0]
    if claim["measure"] == "share_pct" or field in _CLAIM_ONLY_FIELDS:
        return False
    rows = catalog[(catalog["region"] == claim["about_region"])
                   & (catalog["layer"] == claim["layer"])]
    if rows.empty:
        return False
    if field in rows.columns and field not in ("mineral", "extra"):
        return bool(rows[field].astype(str).str.strip().ne("").any())  # a column left empty
    return True


def claimed_breakdown_issues(
    claims: pd.DataFrame, names: Mapping[str, str], ledger: Ledger | None = None
) -> list[dict[str, object]]:
    """A stated total vs the parts stated beside it (same line, same layer and measure).

    Parts are grouped by field (``mineral=``, ``scale=``, ``stage=``, ``issuer=``,
    ``class=``). A mineral breakdown is taken as complete only when it has an “其他”
    part (the remainder: total − the listed minerals); otherwise only parts that add
    up to *more* than the total are reported. Scale, status, issuer and class
    breakdowns partition every mine: their sum must equal the total. A ``share_pct``
    claim (大中型矿山占比) is checked against the parts it names, at the printed
    precision.
    """
    issues = []
    ledger = {} if ledger is None else ledger
    keys = ["region", "about_region", "layer", "table", "source_line"]
    for _, group in claims.groupby(keys, sort=False):
        for measure, same in group.groupby("measure", sort=False):
            if measure == "share_pct":
                continue
            totals = same[same["where"] == ""]
            if totals.empty or totals["value"].nunique() != 1:
                continue  # no total, or two totals on one line (compared as restatements)
            total = totals.iloc[0]
            fields = same["where"].str.partition("=")[0]
            for field in dict.fromkeys(f for f in fields if f):
                parts = same[fields == field]
                if len(parts) < 2:
                    continue
                issues += _breakdown(total, parts, field, names, ledger)
            shares = group[group["measure"] == "share_pct"]
            for share in shares.to_dict("records"):
                issues += _share(total, same, share, names, ledger)
    return issues


def _breakdown(total: pd.Series, parts: pd.DataFrame, field: str, names: Mapping[str, str],
               ledger: Ledger) -> list[dict[str, object]]:
    summed = float(parts["value"].sum())
    complete = field in _PARTITIONS or (parts["where"] == f"mineral={_RESIDUAL_MINERAL}").any()
    ids = [str(total["claim_id"]), *map(str, parts["claim_id"])]
    if abs(summed - float(total["value"])) <= _tolerance(total.to_dict()) or (
            not complete and summed < total["value"]):
        for cid in ids:
            ledger.setdefault(cid, "agrees")
        return []
    for cid in ids:
        ledger[cid] = "differs"
    listed = "、".join(
        f"{w.partition('=')[2]}{v:g}" for w, v in zip(parts["where"], parts["value"],
                                                      strict=True)
    )
    stated = _stated(total.to_dict())
    unit = amount(summed, str(total["measure"]))
    found = f"{unit}（同处所列分项之和：{listed}）"
    subject = _subject(total.to_dict(), names)
    said = amount(total["value"], str(total["measure"]))
    return [issue(
        "分项不符", str(total["region"]), str(total["layer"]), subject, stated, found,
        summed - float(total["value"]),
        f"{total['region']}{_where_said(total.to_dict())}称{subject}为{said}，"
        f"但同处所列分项{listed}合计{unit}。",
    )]


def _share(total: pd.Series, same: pd.DataFrame, share: Mapping[str, object],
           names: Mapping[str, str], ledger: Ledger) -> list[dict[str, object]]:
    """A stated share (大中型矿山占比 x%) against the parts and total stated beside it."""
    wanted = str(share["where"]).partition("=")[2]
    sizes = {f"{c}型" for c in wanted.removesuffix("型")}  # 大中型 → 大型, 中型
    # scale=中型, or extra=矿山规模/中型 (a column of the table the claim also checks)
    parts = same[same["where"].map(lambda w: str(w).partition("=")[2].split("/")[-1] in sizes)]
    if parts.empty or not float(total["value"]):
        return []
    computed = 100.0 * float(parts["value"].sum()) / float(total["value"])
    match = _NUMBER.search(str(share["value_text"]))
    decimals = len(match.group().partition(".")[2]) if match else 0
    ids = [str(share["claim_id"]), str(total["claim_id"]), *map(str, parts["claim_id"])]
    if abs(round(computed, decimals) - float(share["value"])) <= 0.5 * 10.0 ** -decimals:  # type: ignore[arg-type]
        for cid in ids:
            ledger.setdefault(cid, "agrees")
        return []
    for cid in ids:
        ledger[cid] = "differs"
    listed = "、".join(f"{w.partition('=')[2]}{v:g}"
                      for w, v in zip(parts["where"], parts["value"], strict=True))
    subject = _subject(share, names)
    return [issue(
        "分项不符", str(share["region"]), str(share["layer"]), subject, _stated(share),
        f"{computed:.{decimals}f}%（同处所列{listed}，共{float(total['value']):g}个）",
        computed - float(share["value"]),  # type: ignore[arg-type]
        f"{share['region']}{_where_said(share)}称{wanted}占比{float(share['value']):g}%，"  # type: ignore[arg-type]
        f"而同处所列{listed}占{float(total['value']):g}个的{computed:.{decimals}f}%。",
    )]


def restated_issues(
    catalog: pd.DataFrame, claims: pd.DataFrame, names: Mapping[str, str],
    ledger: Ledger | None = None,
) -> list[dict[str, object]]:
    """One number stated twice by a plan (prose and table, or two places) with two values.

    Only claims the catalogue cannot check are compared this way (the others are
    compared with the rows, which shows a disagreement once per statement).
    """
    issues = []
    ledger = {} if ledger is None else ledger
    mask = [not catalogue_checks(catalog, c) for c in claims.to_dict("records")]
    open_claims = claims.loc[pd.Series(mask, index=claims.index, dtype=bool)]
    keys = ["region", "about_region", "layer", "where", "measure", "about_table"]
    for _, group in open_claims.groupby(keys, sort=False):
        if len(group) < 2:
            continue
        rows = group.to_dict("records")
        first = rows[0]
        for other in rows[1:]:
            diff = float(other["value"]) - float(first["value"])
            if abs(diff) <= max(_tolerance(first), _tolerance(other)) or (
                    first["measure"] == "share_pct" and abs(diff) < 0.5):
                ledger.setdefault(str(first["claim_id"]), "agrees")
                ledger.setdefault(str(other["claim_id"]), "agrees")
                continue
            ledger[str(first["claim_id"])] = ledger[str(other["claim_id"])] = "differs"
            subject = _subject(first, names)
            a = _amount(first)
            b = _amount(other)
            issues.append(issue(
                _claim_kind(first) if first["measure"] != "share_pct" else "数量不符",
                first["region"], first["layer"], subject, _stated(first), _stated(other), diff,
                f"{first['region']}{_where_said(first)}称{subject}为{a}，"
                f"{_where_said(other)}又称{b}。",
            ))
    return issues


def claim_coverage(claims: pd.DataFrame, ledger: Mapping[str, str]) -> pd.DataFrame:
    """Per plan: the numbers it states, how many the audit compared, how many differ.

    Returns
    -------
    pandas.DataFrame
        Index: plan (the stating region); columns ``stated``, ``compared``,
        ``inconsistent`` (compared numbers involved in a finding).
    """
    rows = []
    for region, group in claims.groupby("region", sort=False):
        ids = [str(c) for c in group["claim_id"]]
        rows.append({
            "region": region,
            "stated": len(ids),
            "compared": sum(1 for c in ids if c in ledger),
            "inconsistent": sum(1 for c in ids if ledger.get(c) == "differs"),
        })
    return pd.DataFrame(rows, columns=["region", "stated", "compared", "inconsistent"]
                        ).set_index("region")


def _amount(claim: Mapping[str, object]) -> str:
    if claim["measure"] == "share_pct":
        return f"{float(claim['value']):g}%"  # type: ignore[arg-type]
    return amount(claim["value"], str(claim["measure"]))


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
    value = _amount(claim)
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
