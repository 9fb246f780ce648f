"""Where a plan contradicts itself, or the prefecture plan: the audit list.

Two inputs, both data:

- the zone catalogue (``geodata/plans/<slug>.csv``, see :mod:`mineplan.catalog`);
- the *claims* (``geodata/plans/claims/<slug>.claims.csv``): the totals and counts a
  plan states about its zones in prose or in 合计 rows, each quoted with its line.

:func:`audit_plans` compares them and also looks at the catalogue alone
(missing areas, the quality remarks the extractors recorded, one zone in two
layers, name variants). It returns findings, one row each; it never raises for a
finding. The file format and the rules are described in ``docs/audit.md``.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import pandas as pd

from mineplan.catalog import plan_index, read_csv_rows
from mineplan.errors import CatalogError
from mineplan.settings import geodata_dir

__all__ = [
    "CLAIMS_FOLDER",
    "CLAIM_COLUMNS",
    "ISSUE_COLUMNS",
    "KIND_ORDER",
    "audit_plans",
    "read_claims",
    "read_plan_claims",
    "summarise",
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

ISSUE_COLUMNS: tuple[str, ...] = (
    "kind",
    "region",
    "layer",
    "subject",
    "stated",
    "found",
    "difference",
    "message",
)

#: The kinds of finding, in the order they are listed.
KIND_ORDER: tuple[str, ...] = (
    "合计不符",
    "数量不符",
    "面积不符",
    "分项不符",
    "跨规划不符",
    "无法核对",
    "面积缺失",
    "栏目错位",
    "栏目缺失",
    "合并单元格",
    "编号标题",
    "名称不一",
    "重复图层",
    "范围存疑",
    "规模低于下限",
    "数据质量",
)

#: Sub-folder of ``geodata/plans`` holding ``<slug>.claims.csv``.
CLAIMS_FOLDER = "claims"

MEASURES = ("count", "blocks", "area_km2")
_WHERE_FIELDS = ("mineral", "note", "level", "stage", "name")
_MEASURE_WORDS = {"count": "行数", "blocks": "个数", "area_km2": "面积"}
_RESIDUAL_MINERAL = "其他"  # a 合计's "其他": the rest, not a mineral of the rows

_WS = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_COUNTED_MINERAL = re.compile(r"([^\s\d，、,；;。]+?)\s*(\d+)\s*[个处]")

# Quality remarks (the catalogue's `quality` column) → kind. The first rule that
# matches wins; "skip" drops remarks that describe the extraction, not the plan, or
# that another check of this module already reports from the data.
_QUALITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("skip", re.compile(
        r"^面积缺失$|名称为整理所拟|^一行代表|所述分布|级别取自|据名称判定|县名取自|county"
        r"|照录|seq按原样|原文断行|（分页）|分属两层|两个图层|同一井田|分项|不符|^位于|（备注）$"
    )),
    ("栏目错位", re.compile(r"错列|错栏|错位|栏内容为|数据行\d+栏")),
    ("合并单元格", re.compile(r"合并单元格|沿用上行")),
    ("编号标题", re.compile(r"表号|专栏编号|印刷两次|转换文本|未印出|序号")),
    ("名称不一", re.compile(r"不一致|名称为.+栏|名称作|名称中|名称与|名称无|印作|笔误|名称不同")),
    ("栏目缺失", re.compile(r"无\S{0,6}栏|未印\S{0,6}栏")),
    ("规模低于下限", re.compile(r"低于")),
    ("范围存疑", re.compile(r"大于|跨|位于|列入")),
)

_NAME_PREFIXES = ("新疆维吾尔自治区", "新疆", "伊犁", "国家项目")
_NAME_SUFFIXES = (
    "国家规划矿区", "国家规划区", "重点开采区", "重点勘查区", "勘查规划区块", "开采规划区块",
    "勘查后备区", "集中开采区", "能源资源基地", "资源基地", "重点发展区域", "重点发展区",
    "矿业经济区", "勘探", "详查", "普查", "预查", "勘查",
)
_MIN_CORE = 4  # shorter name cores are too generic to compare


@dataclass(frozen=True)
class _Found:
    """What the catalogue says for a claim: a value, or why there is none."""

    value: float | None
    source: str
    rows: tuple[str, ...]
    reason: str = ""


# --------------------------------------------------------------------------- reading


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
        raise CatalogError(f"{len(problems)} problem(s):\n  " + "\n  ".join(problems), path=path)
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


# --------------------------------------------------------------------------- the audit


def audit_plans(
    catalog: pd.DataFrame,
    claims: pd.DataFrame,
    *,
    layer_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Every place the plans contradict themselves or each other.

    Parameters
    ----------
    catalog
        Zones, as :func:`mineplan.catalog.read_catalog` returns them.
    claims
        Stated totals, as :func:`read_claims` returns them. Claims about a region
        that is not in ``catalog`` are skipped (it cannot be checked).
    layer_names
        Layer code → display name (e.g. ``{"TKGH": "勘查规划区块"}``) for the
        ``subject`` column; codes are shown when a name is missing.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ISSUE_COLUMNS`: ``kind`` (one of :data:`KIND_ORDER`),
        ``region`` (the plan the finding is listed under), ``layer``, ``subject``,
        ``stated`` and ``found`` (value and source: plan, 专栏/正文, line),
        ``difference`` (found − stated, km² for areas; NaN when not numeric) and a
        ``message`` in Chinese. Sorted by plan, kind, layer.

    Examples
    --------
    >>> zones = pd.DataFrame({"zone_id": ["a-TKGH-001"], "region": ["甲县"], "layer": ["TKGH"],
    ...     "table": ["专栏1"], "name": ["甲"], "name_text": ["甲"], "mineral": ["金矿"],
    ...     "block_count": [2], "area_km2": [1.5], "admin_area": [""], "county": ["甲县"],
    ...     "level": [""], "stage": [""], "note": [""], "quality": [""], "extra": ["{}"],
    ...     "source_line": [10]})
    >>> said = pd.DataFrame({"claim_id": ["c1"], "region": ["甲县"], "about_region": ["甲县"],
    ...     "layer": ["TKGH"], "where": [""], "measure": ["blocks"], "value": [3.0],
    ...     "value_text": ["3"], "table": ["正文"], "about_table": [""], "text": ["区块3个"],
    ...     "source_file": ["x.txt"], "source_line": [5]})
    >>> audit_plans(zones, said)[["kind", "difference"]].values.tolist()
    [['数量不符', -1.0]]
    """
    names = dict(layer_names or {})
    catalog = catalog.reset_index(drop=True)
    issues: list[dict[str, object]] = []
    issues += _claim_issues(catalog, claims, names)
    issues += _claimed_breakdown_issues(claims, names)
    issues += _row_breakdown_issues(catalog, names)
    issues += _same_name_across_plans(catalog, names)
    issues += _missing_area_issues(catalog, names)
    issues += _quality_issues(catalog)
    issues += _two_layer_issues(catalog, names)
    issues += _name_variant_issues(catalog)
    frame = pd.DataFrame(issues, columns=list(ISSUE_COLUMNS))
    if frame.empty:
        return frame
    frame["difference"] = frame["difference"].astype("float64")
    regions = list(dict.fromkeys(catalog["region"]))
    frame["_r"] = frame["region"].map(lambda r: regions.index(r) if r in regions else 99)
    frame["_k"] = frame["kind"].map(KIND_ORDER.index)
    frame = frame.sort_values(["_r", "_k", "layer"], kind="stable")
    return frame.drop(columns=["_r", "_k"]).reset_index(drop=True)


# --------------------------------------------------------------------------- claims


def _claim_issues(
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
            continue  # only meaningful within its breakdown (see _claimed_breakdown_issues)
        found = _found_for(catalog, claim)
        stated = _stated(claim)
        subject = _subject(claim, names)
        if found.value is None:
            issues.append(_issue(
                "无法核对", claim["region"], claim["layer"], subject, stated,
                f"{found.reason}（{found.source}）", math.nan,
                f"{stated}，但{found.reason}，无法核对。",
            ))
            continue
        diff = found.value - float(claim["value"])
        if abs(diff) <= _tolerance(claim):
            continue
        kind = _claim_kind(claim)
        found_text = f"{_fmt(found.value, claim['measure'])}（{found.source}）"
        issues.append(_issue(
            kind, claim["region"], claim["layer"], subject, stated, found_text, diff,
            f"{claim['region']}{_where_said(claim)}称{subject}为"
            f"{_fmt(claim['value'], claim['measure'])}，而{found.source}为"
            f"{_fmt(found.value, claim['measure'])}，相差{_fmt(diff, claim['measure'])}。",
        ))
    return issues


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
                          f"{_ids(unknown)}未分矿种计数")
        key = _mineral_key(wanted)
        weights = pd.Series([c.get(key, 0) if c else 0 for c in counts], index=rows.index)
        rows = rows[weights > 0]
        weights = weights[weights > 0]
    elif field:
        wanted_sq = _squash(wanted)
        rows = rows[rows[field].map(lambda v: wanted_sq in _squash(str(v)))]
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
        return _Found(None, source, ids, f"{len(missing)}/{len(rows)}行无面积：{_ids(missing)}")
    return _Found(float(rows["area_km2"].sum()), source, ids)


def _claimed_breakdown_issues(
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
        issues.append(_issue(
            "分项不符", str(total["region"]), str(total["layer"]), subject, stated, found,
            summed - float(total["value"]),
            f"{total['region']}{_where_said(total.to_dict())}称{subject}为{total['value']:g}个，"
            f"但同处所列分项{listed}合计{summed:g}个。",
        ))
    return issues


def _row_breakdown_issues(
    catalog: pd.DataFrame, names: Mapping[str, str]
) -> list[dict[str, object]]:
    """A row for several blocks whose printed per-mineral counts add up to another number."""
    issues = []
    for row in catalog.to_dict("records"):
        counted = _printed_counts(str(row["mineral"]))
        if not counted:
            continue
        summed = sum(counted.values())
        if summed == row["block_count"]:
            continue
        subject = f"{_layer_name(row['layer'], names)} {row['name']}"
        where = f"{row['region']} {row['table']} 第{row['source_line']}行"
        issues.append(_issue(
            "分项不符", row["region"], row["layer"], subject,
            f"{row['block_count']}个（{where}，数量栏）",
            f"{summed}个（{where}，矿种栏分项之和：{row['mineral']}）",
            float(summed - row["block_count"]),
            f"{where}数量栏为{row['block_count']}个，矿种栏分项合计{summed}个（{row['zone_id']}）。",
        ))
    return issues


def _same_name_across_plans(
    catalog: pd.DataFrame, names: Mapping[str, str]
) -> list[dict[str, object]]:
    """One zone printed with the same name in two plans, with different areas or counts."""
    issues = []
    named = catalog[catalog["name_text"] != ""].copy()
    named["_key"] = named["name"].map(_squash)
    for _, group in named.groupby(["_key", "layer"], sort=False):
        for a, b in combinations(group.to_dict("records"), 2):
            if a["region"] == b["region"]:
                continue
            for field, measure in (("area_km2", "area_km2"), ("block_count", "blocks")):
                va, vb = a[field], b[field]
                if pd.isna(va) or pd.isna(vb) or abs(float(va) - float(vb)) < 1e-9:
                    continue
                subject = f"{_layer_name(a['layer'], names)} {a['name']}"
                sa, sb = _zone_source(a), _zone_source(b)
                issues.append(_issue(
                    "跨规划不符", a["region"], a["layer"], subject,
                    f"{_fmt(va, measure)}（{sa}）", f"{_fmt(vb, measure)}（{sb}）",
                    float(vb) - float(va),
                    f"同名区块{a['name']}：{sa}为{_fmt(va, measure)}，{sb}为{_fmt(vb, measure)}。",
                ))
    return issues


# --------------------------------------------------------------------------- catalogue alone


def _missing_area_issues(
    catalog: pd.DataFrame, names: Mapping[str, str]
) -> list[dict[str, object]]:
    issues = []
    for (region, layer), group in catalog.groupby(["region", "layer"], sort=False):
        missing = group[group["area_km2"].isna()]
        if missing.empty:
            continue
        ids = missing["zone_id"].tolist()
        tables = "、".join(dict.fromkeys(missing["table"]))
        subject = f"{_layer_name(layer, names)} {len(ids)}/{len(group)}行无面积"
        issues.append(_issue(
            "面积缺失", region, layer, subject, "", f"{tables}：{_ids(ids, limit=0)}", math.nan,
            f"{region}{_layer_name(layer, names)}共{len(group)}行，其中{len(ids)}行规划未给面积"
            f"（{tables}）。",
        ))
    return issues


def _quality_issues(catalog: pd.DataFrame) -> list[dict[str, object]]:
    """The extractors' remarks on the plan, one finding per plan and remark (all its zones)."""
    grouped: dict[tuple[str, str, str], list[dict[str, object]]] = {}
    for row in catalog.to_dict("records"):
        for remark in filter(None, (r.strip() for r in str(row["quality"]).split("；"))):
            kind = _quality_kind(remark)
            if kind != "skip":
                grouped.setdefault((str(row["region"]), kind, remark), []).append(row)
    issues = []
    for (region, kind, remark), rows in grouped.items():
        ids = [str(r["zone_id"]) for r in rows]
        layers = "/".join(dict.fromkeys(str(r["layer"]) for r in rows))
        where = _places(rows)
        issues.append(_issue(
            kind, region, layers, remark, "", f"{_ids(ids, limit=0)}（{where}）", math.nan,
            f"{region} {where}：{remark}",
        ))
    return issues


def _two_layer_issues(catalog: pd.DataFrame, names: Mapping[str, str]) -> list[dict[str, object]]:
    """疑似: one zone in two layers of a plan (same name core, same area and place, same place)."""
    issues = []
    generic = _generic_places(catalog)
    for region, group in catalog.groupby("region", sort=False):
        rows = group.to_dict("records")
        for a, b in combinations(rows, 2):
            if a["layer"] == b["layer"]:
                continue
            why = _same_zone_reason(a, b, generic=generic, region=str(region))
            if not why:
                continue
            la, lb = _layer_name(a["layer"], names), _layer_name(b["layer"], names)
            issues.append(_issue(
                "重复图层", region, f"{a['layer']}/{b['layer']}",
                f"疑似同一区块：{a['name']} / {b['name']}",
                f"{la} {a['zone_id']}，{_area_text(a)}（{_zone_source(a)}）",
                f"{lb} {b['zone_id']}，{_area_text(b)}（{_zone_source(b)}）",
                _area_difference(a, b),
                f"疑似同一区块列于两个图层（{why}）：{la}“{a['name']}”与{lb}“{b['name']}”。",
            ))
    return issues


def _name_variant_issues(catalog: pd.DataFrame) -> list[dict[str, object]]:
    """Names that differ only by two neighbouring characters swapped (卡特阿巴苏 / 卡特巴阿苏)."""
    issues = []
    rows = catalog[catalog["name_text"] != ""].to_dict("records")
    cores = [_name_core(str(r["name"]), str(r["region"])) for r in rows]
    for (i, a), (j, b) in combinations(enumerate(rows), 2):
        swapped = _swapped_pair(cores[i], cores[j])
        if swapped is None:
            continue
        issues.append(_issue(
            "名称不一", a["region"], a["layer"] if a["layer"] == b["layer"]
            else f"{a['layer']}/{b['layer']}",
            f"“{swapped[0]}” / “{swapped[1]}”",
            f"{a['name']}（{a['zone_id']}，{_zone_source(a)}）",
            f"{b['name']}（{b['zone_id']}，{_zone_source(b)}）",
            math.nan,
            f"名称仅两字顺序不同，疑为同一地名的两种写法：“{swapped[0]}”与“{swapped[1]}”。",
        ))
    return issues


# --------------------------------------------------------------------------- helpers


def _issue(kind: str, region: object, layer: object, subject: str, stated: str, found: str,
           difference: float, message: str) -> dict[str, object]:
    if not math.isnan(difference):
        difference = round(difference, 9)  # no float noise such as 0.010000000000001563
    return {"kind": kind, "region": str(region), "layer": str(layer), "subject": subject,
            "stated": stated, "found": found, "difference": difference, "message": message}


def _squash(text: str) -> str:
    return _WS.sub("", text)


def _mineral_key(text: str) -> str:
    """A mineral name for matching: no spaces, no trailing 矿 (页岩矿 = 页岩, 铁矿 = 铁)."""
    key = _squash(text)
    return key[:-1] if len(key) > 1 and key.endswith("矿") else key


def _mineral_wanted(claim: Mapping[str, object]) -> str:
    field, _, wanted = str(claim["where"]).partition("=")
    return wanted if field == "mineral" else ""


def _printed_counts(cell: str) -> dict[str, int]:
    """``金矿 1 个，矿泉水 4 个`` → {金: 1, 矿泉水: 4}; {} when the cell prints no counts."""
    counts: dict[str, int] = {}
    for name, number in _COUNTED_MINERAL.findall(cell):
        key = _mineral_key(name)
        counts[key] = counts.get(key, 0) + int(number)
    return counts


def _mineral_counts(row: Mapping[str, object]) -> dict[str, int] | None:
    """Blocks per mineral that one catalogue row stands for; None when it cannot be told."""
    cell = str(row["mineral"])
    printed = _printed_counts(cell)
    if printed:
        return printed
    minerals = [m for m in re.split(r"[、，,；;/]", _squash(cell)) if m]
    extra = json.loads(str(row["extra"]) or "{}") if row.get("extra") else {}
    if minerals and all(str(extra.get(m, "")).isdigit() for m in minerals):
        return {_mineral_key(m): int(extra[m]) for m in minerals}
    if len(minerals) == 1:
        return {_mineral_key(minerals[0]): int(row["block_count"])}  # type: ignore[call-overload]
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
    value = _fmt(claim["value"], str(claim["measure"]))
    printed = f"“{_WS.sub(' ', str(claim['text']))}”"
    return f"{value}（{claim['region']} {claim['table']} 第{claim['source_line']}行：{printed}）"


def _subject(claim: Mapping[str, object], names: Mapping[str, str]) -> str:
    layer = _layer_name(str(claim["layer"]), names)
    about = "" if claim["about_region"] == claim["region"] else f"{claim['about_region']} "
    where = str(claim["where"]).partition("=")[2]
    where = f" {where}" if where else ""
    table = f" {claim['about_table']}" if claim["about_table"] else ""
    return f"{about}{layer}{table}{where} {_MEASURE_WORDS[str(claim['measure'])]}"


def _layer_name(code: object, names: Mapping[str, str]) -> str:
    return names.get(str(code), str(code))


def _fmt(value: object, measure: str) -> str:
    number = float(value)  # type: ignore[arg-type]
    if measure == "area_km2":
        return f"{number:.6g} km²"
    return f"{number:g}个" if measure == "blocks" else f"{number:g}行"


def _ids(ids: Sequence[str], *, limit: int = 6) -> str:
    if limit and len(ids) > limit:
        return "、".join(ids[:limit]) + f" 等{len(ids)}行"
    return "、".join(ids)


def _rows_source(claim: Mapping[str, object], rows: pd.DataFrame, *, where: str = "") -> str:
    region = claim["about_region"]
    if rows.empty:
        return f"{region} 目录中无此类行"
    tables = "、".join(dict.fromkeys(rows["table"]))
    first, last = rows["source_line"].min(), rows["source_line"].max()
    span = f"第{first}行" if first == last else f"第{first}–{last}行"
    scope = f"{where.partition('=')[2]} " if where else ""
    return f"{region} {tables} {scope}{len(rows)}行之和，{span}"


def _places(rows: Sequence[Mapping[str, object]]) -> str:
    """``专栏3 第100、120行；正文 第5行``: the lines of some rows, table by table."""
    by_table: dict[str, list[str]] = {}
    for row in rows:
        lines = by_table.setdefault(str(row["table"]), [])
        if str(row["source_line"]) not in lines:
            lines.append(str(row["source_line"]))
    return "；".join(f"{table} 第{'、'.join(lines)}行" for table, lines in by_table.items())


def _zone_source(row: Mapping[str, object]) -> str:
    return f"{row['region']} {row['table']} 第{row['source_line']}行"


def _area_text(row: Mapping[str, object]) -> str:
    area = row["area_km2"]
    return "无面积" if pd.isna(area) else _fmt(area, "area_km2")


def _area_difference(a: Mapping[str, object], b: Mapping[str, object]) -> float:
    if pd.isna(a["area_km2"]) or pd.isna(b["area_km2"]):
        return math.nan
    return float(b["area_km2"]) - float(a["area_km2"])  # type: ignore[arg-type]


def _quality_kind(remark: str) -> str:
    for kind, pattern in _QUALITY_RULES:
        if pattern.search(remark):
            return kind
    return "数据质量"


def _name_core(name: str, region: str) -> str:
    """A zone name without prefixes (新疆, the region) and layer words (重点开采区 …)."""
    core = re.sub(r"[\s()（）\[\]【】·・,，、\-—_]+", "", name)
    short = re.sub(r"(市|县|地区)$", "", region)
    changed = True
    while changed:
        changed = False
        for prefix in (*_NAME_PREFIXES, region, short):
            if prefix and core.startswith(prefix) and len(core) > len(prefix) + 1:
                core, changed = core[len(prefix):], True
    for suffix in _NAME_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            core = core[: -len(suffix)]
            break
    return core


def _swapped_pair(a: str, b: str) -> tuple[str, str] | None:
    """The differing stretch when b is a with two neighbouring characters swapped."""
    if a == b or len(a) != len(b) or len(a) < _MIN_CORE:
        return None
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] \
            and a[diff[1]] == b[diff[0]]:
        lo, hi = max(0, diff[0] - 2), min(len(a), diff[1] + 3)
        return a[lo:hi], b[lo:hi]
    return None


def _generic_places(catalog: pd.DataFrame) -> set[str]:
    """Place cells that only name a county or region (too coarse to match zones by)."""
    places = set(catalog["region"])
    for cell in catalog["county"]:
        places.update(p for p in str(cell).split("、") if p)
    places.update(re.sub(r"(市|县|地区)$", "", p) for p in list(places))
    return {_squash(p) for p in places}


def _same_zone_reason(a: Mapping[str, object], b: Mapping[str, object], *, generic: set[str],
                      region: str) -> str:
    if a["name_text"] and b["name_text"]:
        ca, cb = _name_core(str(a["name"]), region), _name_core(str(b["name"]), region)
        if len(ca) >= _MIN_CORE and ca == cb:
            return f"名称主体相同：“{ca}”"
        if _swapped_pair(ca, cb):
            return f"名称主体仅两字顺序不同：“{ca}” / “{cb}”"
    pa, pb = _squash(str(a["admin_area"])), _squash(str(b["admin_area"]))
    if not pa or pa != pb:
        return ""
    areas = (a["area_km2"], b["area_km2"])
    if not any(pd.isna(x) for x in areas) and abs(float(areas[0]) - float(areas[1])) < 1e-9:  # type: ignore[arg-type]
        return f"面积相同（{_fmt(areas[0], 'area_km2')}）且位置相同（{a['admin_area']}）"
    specific = pa not in generic and not re.fullmatch(r".+(县|市|地区)", pa)
    if specific and a["name_text"] and b["name_text"] and any(pd.isna(x) for x in areas):
        return f"位置相同（{a['admin_area']}），一方无面积无法比较"
    return ""


def summarise(issues: pd.DataFrame) -> pd.DataFrame:
    """Counts of findings per plan and kind (rows: region; columns: kind)."""
    if issues.empty:
        return pd.DataFrame()
    table = issues.pivot_table(index="region", columns="kind", values="subject",
                               aggfunc="count", fill_value=0, sort=False)
    kinds: Iterable[str] = [k for k in KIND_ORDER if k in table.columns]
    return table[list(kinds)]
