"""Pre-grant rules on the mineral applied for: minimum mining scale and mineral policy.

* :func:`check_min_scale` — a mining right's planned annual production against the
  county's and prefecture's 最低开采规模 tables (``min_scale.csv``);
* :func:`check_mineral_policy` — the mineral against the plans' 禁止/限制 lists
  (``mineral_policy.csv``). A row may carry the ``condition`` the plan's sentence
  puts on it (可耕地, 灰分大于40%…, 砷和放射性…超过规定标准); the row applies only
  when the condition is proven (``condition_field``, e.g. overlap with 永久基本农田),
  and an unproven condition gives 有条件 quoting it, never 不通过.

Each takes a :class:`mineplan.checks.context.ProposalContext` (and the kind of
project, :data:`PROJECT_TYPES`) and returns findings.

May import: rules, checks.findings, checks.context, checks.overlay. Never web,
figures or cli.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from mineplan.checks.context import ProposalContext, join_notes, layer_note
from mineplan.checks.findings import Finding
from mineplan.checks.overlay import PreparedLayer
from mineplan.rules import CheckInputError, CheckRules, normalise_unit
from mineplan.vocab import PROJECT_TYPES, format_area

__all__ = ["PROJECT_TYPES", "check_min_scale", "check_mineral_policy", "check_project"]

#: Kinds of project a proposal may be: a new mine, an extension of an existing one,
#: the renewal of an existing right.


def check_project(project: str) -> str:
    """``project`` when it is one of :data:`PROJECT_TYPES`, else :class:`CheckInputError`."""
    if project not in PROJECT_TYPES:
        raise CheckInputError(
            f"project must be one of {'、'.join(PROJECT_TYPES)}; received {project!r}")
    return project


def check_min_scale(ctx: ProposalContext, project: str = "新建") -> list[Finding]:
    """A mining right's planned scale against the plans' minimum mining scale.

    The plans' minimum scales bind new mines (and extensions where the table says
    so, ``[rules.min_scale.scopes]``); a renewal of an existing mine is not
    measured against them.
    """
    rule = ctx.rules.rule("min_scale")
    key = "min_scale"
    pref_note = ctx.rules.prefecture_note
    if ctx.right_type not in rule["rights"]:
        return [ctx.finding(key, "pass", "—", f"{ctx.right_type}不审查开采规模，本条不适用")]
    scopes = list(rule.get("scopes", {}).get(check_project(project), []))
    names = ctx.rules.minerals
    rows = [r for r in ctx.rules.min_scale if names.canonical(r["mineral"]) == ctx.canonical]
    if not scopes and rows:
        return [ctx.finding(key, "pass", "—",
                            f"规划最低开采规模适用于新建矿山，{project}不按其审查",
                            source=_rows_source(ctx.rules, rows))]
    rows = [r for r in rows if r["scope"] in scopes]
    if not rows:
        msg = f"{ctx.rules.region}规划未规定{ctx.mineral}的最低开采规模"
        return [ctx.finding(key, rule["no_rule"], "—", join_notes([msg, pref_note], "；"))]
    if ctx.scale is None:
        return [ctx.finding(key, rule["missing_scale"], "—",
                            "未提供拟建开采规模及其单位，无法对照最低开采规模",
                            source=_rows_source(ctx.rules, rows))]
    unit = normalise_unit(ctx.scale_unit or "", ctx.rules.config)
    if unit is None:
        raise CheckInputError(
            f"unknown scale unit {ctx.scale_unit!r}; use one of "
            f"{sorted(ctx.rules.config.get('units', {}))}", code="unknown_unit",
            fields={"unit": ctx.scale_unit})
    same = [r for r in rows if normalise_unit(r["unit"], ctx.rules.config) == unit]
    if not same:
        printed = "、".join(sorted({r["unit"] for r in rows}))
        return [ctx.finding(key, "conditional", f"{ctx.scale:g} {ctx.scale_unit}",
                            f"规划最低开采规模的单位为 {printed}，与申请的 {ctx.scale_unit} "
                            "不同，须人工换算核对", source=_rows_source(ctx.rules, rows))]
    valued = [(r, v) for r in same if (v := _number(r["min_value"])) is not None]
    same = [r for r, _ in valued]
    values = [v for _, v in valued]
    # The county may not be below the prefecture: the binding minimum is the larger.
    lows = [min(v for r, v in valued if r["level"] == lvl) for lvl in ("county", "prefecture")
            if any(r["level"] == lvl for r in same)]
    low, high = max(lows), max(values)
    levels = {"county": ctx.rules.region, "prefecture": ctx.rules.prefecture}
    used = "、".join(levels[lvl] for lvl in dict.fromkeys(r["level"] for r in same))
    measured = f"{ctx.scale:g} {unit}（最低 {low:g}" + (f"～{high:g}" if high > low else "") + ")"
    measured = measured.replace(")", "）")
    source = _rows_source(ctx.rules, same)
    extra = [pref_note] if pref_note else []
    if not any(r["level"] == "county" for r in same) and ctx.rules.slug:
        extra.append(f"{ctx.rules.region}规划未列该矿种，按{ctx.rules.prefecture}规划")
    if ctx.scale < low:
        msg = f"拟建规模 {ctx.scale:g} {unit} 低于{used}规划最低开采规模 {low:g} {unit}"
        return [ctx.finding(key, rule["below"], measured, join_notes([msg, *extra], "；"),
                            value=ctx.scale, unit=unit, source=source)]
    if ctx.scale < high:
        which = _conditions(same, values, high)
        msg = (f"拟建规模 {ctx.scale:g} {unit} 满足最低值 {low:g}"
               f"{_conditions(same, values, low)}，但低于 {high:g}{which}"
               "（规划按开采方式或用途分列），须按申请的开采方式核对")
        return [ctx.finding(key, rule["between"], measured, join_notes([msg, *extra], "；"),
                            value=ctx.scale, unit=unit, source=source)]
    msg = f"拟建规模 {ctx.scale:g} {unit} 不低于{used}规划最低开采规模"
    return [ctx.finding(key, "pass", measured, join_notes([msg, *extra], "；"),
                        value=ctx.scale, unit=unit, source=source)]


def check_mineral_policy(ctx: ProposalContext, project: str = "新建") -> list[Finding]:
    """The mineral against the plans' prohibited and restricted minerals.

    A 禁止/限制 row applies as printed when it has no ``condition``; with one, it
    applies only when the condition is proven (``[rules.mineral_policy.fields]``),
    gives the field's ``unmet`` verdict when disproven and ``unproven`` (有条件,
    quoting the condition) when the check cannot tell.
    """
    rule = ctx.rules.rule("mineral_policy")
    key = "mineral_policy"
    check_project(project)
    activity = "勘查" if ctx.right_type == "探矿权" else "开采"
    table = ctx.rules.policy
    hits: list[tuple[str, Mapping[str, Any]]] = []
    for entry in table:
        if entry["category"] not in ("禁止", "限制") or activity not in entry["activity"]:
            continue
        how = ctx.rules.minerals.policy_match(entry["mineral"], ctx.mineral)
        if how != "none":
            hits.append((how, entry))
    pref_note = ctx.rules.prefecture_note
    favoured = _favoured(ctx, activity)
    if not hits:
        msg = f"{ctx.mineral}不在规划禁止或限制{activity}的矿种中"
        files = "、".join(dict.fromkeys(str(r["path"]) for r in table))
        source = ctx.rules.source(key) + (f"；{files}" if files else "")
        return [ctx.finding(key, "pass", "—", join_notes([msg, favoured, pref_note], "；"),
                            source=source)]
    out = []
    for match, row in hits:
        where = f"{row['region']}规划{row['table']}第{row['source_line']}行"
        said = f"{where}{row['category']}{row['activity']}"
        condition = str(row.get("condition", "") or "").strip()
        note = ""
        if match != "exact":
            verdict = rule["qualified"]
            msg = f"{said}「{row['mineral']}」，须核实申请是否属于该情形"
            measured = f"{row['category']}（{row['mineral']}）"
        elif not condition:
            verdict = rule[row["category"]]
            msg = f"{said}「{row['mineral']}」"
            measured = f"{row['category']}（{row['mineral']}）"
        else:
            state, why, note = _condition_state(ctx, row, project)
            what = _qualified_name(condition, str(row["mineral"]))
            measured = f"{row['category']}（限「{condition}」）"
            if state == "met":
                verdict = rule[row["category"]]
                msg = f"{said}「{what}」：{why}，属于该情形"
            elif state == "unmet":
                field = rule.get("fields", {}).get(row["condition_field"], {})
                verdict = str(field.get("unmet", "pass"))
                msg = f"{said}仅限「{what}」：{why or '本申请不属于该情形'}"
            else:
                verdict = rule["unproven"]
                msg = (f"{said}仅限「{what}」（原文：{row['text']}）；"
                       f"{why or '本检查无法判断'}，须核实申请是否属于该情形")
        out.append(ctx.finding(
            key, verdict, measured, join_notes([msg, favoured, pref_note], "；"), note=note,
            source=f"{row['path']} 第{row['source_line']}行 → {row['source_file']} "
                   f"第{row['source_line']}行（{row['table']}）"))
    return out


def _condition_state(ctx: ProposalContext, row: Mapping[str, Any], project: str
                     ) -> tuple[Literal["met", "unmet", "unknown"], str, str]:
    """Whether a policy row's condition holds: (state, why, data note)."""
    name = str(row.get("condition_field", "") or "").strip()
    if not name:
        return "unknown", "", ""
    fields: Mapping[str, Any] = ctx.rules.rule("mineral_policy").get("fields", {})
    if name not in fields:
        return "unknown", f"checks.toml 未定义条件字段 {name}", ""
    field = fields[name]
    if "projects" in field:
        if project in field["projects"]:
            return "met", f"本申请为{project}", ""
        return "unmet", str(field.get("unmet_message", "")), ""
    code = str(field.get("layer", ""))
    layer = ctx.store.get(code)
    if layer is None:
        return "unknown", f"库中无 {code} 图层，无法判断是否属于{field.get('name', name)}", ""
    note = layer_note(layer, ctx.rules)
    km2 = PreparedLayer(layer).overlap_one(ctx.shape).overlap_km2
    if km2 > float(ctx.tol["overlap_km2"]):
        return "met", f"申请范围与 {code} 重叠 {format_area(km2)}", note
    return "unmet", str(field.get("unmet_message", f"申请范围与 {code} 无重叠")), note


def _qualified_name(condition: str, mineral: str) -> str:
    """The plan's phrase for a conditioned mineral: 可耕地 + 砖瓦用粘土 → 可耕地砖瓦用粘土."""
    if mineral in condition:
        return condition
    if condition.endswith(("地", "用")):
        return condition + mineral
    return f"{mineral}（{condition}）"


def _favoured(ctx: ProposalContext, activity: str) -> str:
    """The plan rows that make the mineral 重点/鼓励 for the activity, as a note."""
    table = ctx.rules.policy
    refs = [f"{r['region']}规划第{r['source_line']}行{r['category']}{r['activity']}"
            for r in table
            if r["category"] in ("重点", "鼓励") and activity in r["activity"]
            and ctx.rules.minerals.policy_match(r["mineral"], ctx.mineral) == "exact"]
    if not refs:
        return ""
    return f"另：{ctx.mineral}为" + "、".join(dict.fromkeys(refs)) + "矿种"


def _number(text: str) -> float | None:
    """A minimum value as a number (None when the cell is not one, e.g. blank)."""
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return value if not math.isnan(value) else None


def _conditions(rows: Sequence[Mapping[str, str]], values: Sequence[float], value: float) -> str:
    """The conditions of the rows whose minimum is ``value``: "（露天开采）" or ""."""
    said = [str(r.get("condition", "") or "") for r, v in zip(rows, values, strict=True)
            if abs(float(v) - value) < 1e-9 and str(r.get("condition", "") or "").strip()]
    return f"（{'、'.join(dict.fromkeys(said))}）" if said else ""


def _rows_source(rules: CheckRules, rows: Sequence[Mapping[str, str]]) -> str:
    refs = [f"{r['path']} {r['rule_id']} → {r['source_file']} "
            f"第{r['source_line']}行（{r['table']}）" for r in rows]
    return f"{rules.source('min_scale')}；" + "；".join(dict.fromkeys(refs))
