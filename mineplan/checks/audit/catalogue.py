"""What the zone catalogue shows on its own: issues found without any claim.

Per-mineral counts that disagree with a row's block count, one zone printed with
different areas in two plans, missing areas, the extractors' quality remarks, one
zone listed in two layers, and names that differ by two swapped characters.

May import: checks.audit.issues. Pure: frames in, issue rows out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from itertools import combinations

import pandas as pd

from mineplan.checks.audit.issues import (
    amount,
    id_list,
    issue,
    layer_name,
    printed_counts,
    squash,
)

__all__ = [
    "EXISTING_LAYERS",
    "NESTED_LAYERS",
    "missing_area_issues",
    "name_variant_issues",
    "quality_issues",
    "row_breakdown_issues",
    "same_name_across_plans",
    "two_layer_issues",
]

# Quality remarks (the catalogue's `quality` column) → kind. The first rule that
# matches wins; "skip" drops remarks that describe the extraction, not the plan, or
# that another check of this module already reports from the data.
_QUALITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("skip", re.compile(
        r"^面积缺失$|名称为整理所拟|^一行代表|所述分布|级别取自|据名称判定|县名取自|county"
        r"|照录|seq按原样|原文断行|（分页）|分属两层|两个图层|同一井田|分项|不符|^位于|（备注）$"
        r"|矿种取自名称|矿种栏不填|空格记为0"
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

#: Layer → the layers whose zones a plan places inside its zones by design (a
#: 重点开采区 inside a 国家规划矿区, a 勘查规划区块 inside a 重点勘查区, a 重点开采区 where a
#: 重点勘查区 has matured, as 新源县's 卡特巴阿苏 181.82 / 19.41 km²). A pair of such
#: layers with the same name core is "nested" (区块嵌套), not one zone in two layers.
NESTED_LAYERS: Mapping[str, frozenset[str]] = {
    "KYJJQ": frozenset({"NYJD", "GJKQ", "ZDTK", "ZDCK", "TKGH", "CKGH", "JZKQ"}),
    "NYJD": frozenset({"GJKQ", "ZDTK", "ZDCK", "TKGH", "CKGH"}),
    "GJKQ": frozenset({"ZDTK", "ZDCK", "TKGH", "CKGH"}),
    "ZDTK": frozenset({"TKGH", "ZDCK"}),
    "ZDCK": frozenset({"CKGH", "JZKQ"}),
    "JZKQ": frozenset({"CKGH"}),
}
#: Layers of existing rights: the plans' minimum scales bind new mines only (e.g.
#: 特克斯县 l.308 "新建矿山企业开采规模不低于本规划确定的矿山开采最低规模"), so an
#: existing mine below them is not a finding.
EXISTING_LAYERS: frozenset[str] = frozenset({"YSCK", "YSTK"})

def row_breakdown_issues(
    catalog: pd.DataFrame, names: Mapping[str, str]
) -> list[dict[str, object]]:
    """A row for several blocks whose printed per-mineral counts add up to another number."""
    issues = []
    for row in catalog.to_dict("records"):
        counted = printed_counts(str(row["mineral"]))
        if not counted:
            continue
        summed = sum(counted.values())
        if summed == row["block_count"]:
            continue
        subject = f"{layer_name(row['layer'], names)} {row['name']}"
        where = f"{row['region']} {row['table']} 第{row['source_line']}行"
        issues.append(issue(
            "分项不符", row["region"], row["layer"], subject,
            f"{row['block_count']}个（{where}，数量栏）",
            f"{summed}个（{where}，矿种栏分项之和：{row['mineral']}）",
            float(summed - row["block_count"]),
            f"{where}数量栏为{row['block_count']}个，矿种栏分项合计{summed}个（{row['zone_id']}）。",
        ))
    return issues


def same_name_across_plans(
    catalog: pd.DataFrame, names: Mapping[str, str]
) -> list[dict[str, object]]:
    """One zone printed with the same name in two plans, with different areas or counts."""
    issues = []
    named = catalog[catalog["name_text"] != ""].copy()
    named["_key"] = named["name"].map(squash)
    for _, group in named.groupby(["_key", "layer"], sort=False):
        for a, b in combinations(group.to_dict("records"), 2):
            if a["region"] == b["region"]:
                continue
            for field, measure in (("area_km2", "area_km2"), ("block_count", "blocks")):
                va, vb = a[field], b[field]
                if pd.isna(va) or pd.isna(vb) or abs(float(va) - float(vb)) < 1e-9:
                    continue
                subject = f"{layer_name(a['layer'], names)} {a['name']}"
                sa, sb = _zone_source(a), _zone_source(b)
                issues.append(issue(
                    "跨规划不符", a["region"], a["layer"], subject,
                    f"{amount(va, measure)}（{sa}）", f"{amount(vb, measure)}（{sb}）",
                    float(vb) - float(va),
                    f"同名区块{a['name']}：{sa}为{amount(va, measure)}，"
                    f"{sb}为{amount(vb, measure)}。",
                ))
    return issues


def missing_area_issues(
    catalog: pd.DataFrame, names: Mapping[str, str]
) -> list[dict[str, object]]:
    issues = []
    for (region, layer), group in catalog.groupby(["region", "layer"], sort=False):
        missing = group[group["area_km2"].isna()]
        if missing.empty:
            continue
        ids = missing["zone_id"].tolist()
        tables = "、".join(dict.fromkeys(missing["table"]))
        subject = f"{layer_name(layer, names)} {len(ids)}/{len(group)}行无面积"
        issues.append(issue(
            "面积缺失", region, layer, subject, "", f"{tables}：{id_list(ids, limit=0)}", math.nan,
            f"{region}{layer_name(layer, names)}共{len(group)}行，其中{len(ids)}行规划未给面积"
            f"（{tables}）。",
        ))
    return issues


def quality_issues(catalog: pd.DataFrame) -> list[dict[str, object]]:
    """The extractors' remarks on the plan, one finding per plan and remark (all its zones)."""
    grouped: dict[tuple[str, str, str], list[dict[str, object]]] = {}
    for row in catalog.to_dict("records"):
        for remark in filter(None, (r.strip() for r in str(row["quality"]).split("；"))):
            kind = _quality_kind(remark)
            if kind == "规模低于下限" and str(row["layer"]) in EXISTING_LAYERS:
                continue  # a new-mine minimum does not bind an existing mine
            if kind != "skip":
                grouped.setdefault((str(row["region"]), kind, remark), []).append(row)
    issues = []
    for (region, kind, remark), rows in grouped.items():
        ids = [str(r["zone_id"]) for r in rows]
        layers = "/".join(dict.fromkeys(str(r["layer"]) for r in rows))
        where = _places(rows)
        issues.append(issue(
            kind, region, layers, remark, "", f"{id_list(ids, limit=0)}（{where}）", math.nan,
            f"{region} {where}：{remark}",
        ))
    return issues


def two_layer_issues(catalog: pd.DataFrame, names: Mapping[str, str]) -> list[dict[str, object]]:
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
            la, lb = layer_name(a["layer"], names), layer_name(b["layer"], names)
            outer = _outer(a, b)
            if outer is not None:
                inner = b if outer is a else a
                lo, li = layer_name(outer["layer"], names), layer_name(inner["layer"], names)
                issues.append(issue(
                    "区块嵌套", region, f"{outer['layer']}/{inner['layer']}",
                    f"嵌套：{outer['name']} ⊃ {inner['name']}",
                    f"{lo} {outer['zone_id']}，{_area_text(outer)}（{_zone_source(outer)}）",
                    f"{li} {inner['zone_id']}，{_area_text(inner)}（{_zone_source(inner)}）",
                    _area_difference(a, b),
                    f"{lo}“{outer['name']}”内设{li}“{inner['name']}”（{why}）："
                    "不同层级的区块按规划嵌套设置，不是重复。",
                ))
                continue
            issues.append(issue(
                "重复图层", region, f"{a['layer']}/{b['layer']}",
                f"疑似同一区块：{a['name']} / {b['name']}",
                f"{la} {a['zone_id']}，{_area_text(a)}（{_zone_source(a)}）",
                f"{lb} {b['zone_id']}，{_area_text(b)}（{_zone_source(b)}）",
                _area_difference(a, b),
                f"疑似同一区块列于两个图层（{why}）：{la}“{a['name']}”与{lb}“{b['name']}”。",
            ))
    return issues


def name_variant_issues(catalog: pd.DataFrame) -> list[dict[str, object]]:
    """Names that differ only by two neighbouring characters swapped (卡特阿巴苏 / 卡特巴阿苏)."""
    issues = []
    rows = catalog[catalog["name_text"] != ""].to_dict("records")
    cores = [_name_core(str(r["name"]), str(r["region"])) for r in rows]
    for (i, a), (j, b) in combinations(enumerate(rows), 2):
        swapped = _swapped_pair(cores[i], cores[j])
        if swapped is None:
            continue
        issues.append(issue(
            "名称不一", a["region"], a["layer"] if a["layer"] == b["layer"]
            else f"{a['layer']}/{b['layer']}",
            f"“{swapped[0]}” / “{swapped[1]}”",
            f"{a['name']}（{a['zone_id']}，{_zone_source(a)}）",
            f"{b['name']}（{b['zone_id']}，{_zone_source(b)}）",
            math.nan,
            f"名称仅两字顺序不同，疑为同一地名的两种写法：“{swapped[0]}”与“{swapped[1]}”。",
        ))
    return issues


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
    return "无面积" if pd.isna(area) else amount(area, "area_km2")


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
    return {squash(p) for p in places}


def _outer(a: Mapping[str, object], b: Mapping[str, object]
           ) -> Mapping[str, object] | None:
    """The zone of the enclosing kind when ``a`` and ``b`` nest by design, else None.

    Nesting needs the inner zone to be no larger where both areas are printed (a block
    may fill its key area); two zones with only the place in common and an area
    missing cannot be told apart, so they stay a suspected duplicate.
    """
    if str(b["layer"]) in NESTED_LAYERS.get(str(a["layer"]), frozenset()):
        outer, inner = a, b
    elif str(a["layer"]) in NESTED_LAYERS.get(str(b["layer"]), frozenset()):
        outer, inner = b, a
    else:
        return None
    areas = (outer["area_km2"], inner["area_km2"])
    if any(pd.isna(x) for x in areas):
        core_o = _name_core(str(outer["name"]), str(outer["region"]))
        core_i = _name_core(str(inner["name"]), str(inner["region"]))
        named_alike = len(core_o) >= _MIN_CORE and (
            core_o == core_i or _swapped_pair(core_o, core_i) is not None)
        return outer if named_alike else None
    return outer if float(inner["area_km2"]) <= float(outer["area_km2"]) else None  # type: ignore[arg-type]


def _same_zone_reason(a: Mapping[str, object], b: Mapping[str, object], *, generic: set[str],
                      region: str) -> str:
    if a["name_text"] and b["name_text"]:
        ca, cb = _name_core(str(a["name"]), region), _name_core(str(b["name"]), region)
        if len(ca) >= _MIN_CORE and ca == cb:
            return f"名称主体相同：“{ca}”"
        if _swapped_pair(ca, cb):
            return f"名称主体仅两字顺序不同：“{ca}” / “{cb}”"
    pa, pb = squash(str(a["admin_area"])), squash(str(b["admin_area"]))
    if not pa or pa != pb:
        return ""
    areas = (a["area_km2"], b["area_km2"])
    if not any(pd.isna(x) for x in areas) and abs(float(areas[0]) - float(areas[1])) < 1e-9:  # type: ignore[arg-type]
        return f"面积相同（{amount(areas[0], 'area_km2')}）且位置相同（{a['admin_area']}）"
    specific = pa not in generic and not re.fullmatch(r".+(县|市|地区)", pa)
    if specific and a["name_text"] and b["name_text"] and any(pd.isna(x) for x in areas):
        return f"位置相同（{a['admin_area']}），一方无面积无法比较"
    return ""
