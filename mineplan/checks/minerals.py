"""Pre-grant rules on the mineral applied for: minimum mining scale and mineral policy.

* :func:`check_min_scale` — a mining right's planned annual production against the
  county's and prefecture's 最低开采规模 tables (``min_scale.csv``);
* :func:`check_mineral_policy` — the mineral against the plans' 禁止/限制 lists
  (``mineral_policy.csv``).

Each takes a :class:`mineplan.checks.context.ProposalContext` and returns findings.

May import: rules, checks.findings, checks.context. Never web, figures or cli.
"""

from __future__ import annotations

import pandas as pd

from mineplan.checks.context import ProposalContext, join_notes
from mineplan.checks.findings import Finding
from mineplan.rules import CheckInputError, CheckRules, normalise_unit

__all__ = ["check_min_scale", "check_mineral_policy"]


def check_min_scale(ctx: ProposalContext) -> list[Finding]:
    """A mining right's planned scale against the plans' minimum mining scale."""
    rule = ctx.rules.rule("min_scale")
    key = "min_scale"
    pref_note = ctx.rules.prefecture_note
    if ctx.right_type not in rule["rights"]:
        return [ctx.finding(key, "pass", "—", f"{ctx.right_type}不审查开采规模，本条不适用")]
    table = ctx.rules.min_scale
    names = ctx.rules.minerals
    rows = table[[names.canonical(m) == ctx.canonical for m in table["mineral"]]] \
        if len(table) else table
    rows = rows[rows["scope"].isin(rule["scopes"])] if len(rows) else rows
    if rows.empty:
        msg = f"{ctx.rules.region}规划未规定{ctx.mineral}的最低开采规模"
        return [ctx.finding(key, rule["no_rule"], "—", join_notes([msg, pref_note], "；"))]
    if ctx.scale is None:
        return [ctx.finding(key, rule["missing_scale"], "—",
                            "未提供拟建开采规模（--scale/--unit），无法对照最低开采规模",
                            source=_rows_source(ctx.rules, rows))]
    unit = normalise_unit(ctx.scale_unit or "", ctx.rules.config)
    if unit is None:
        raise CheckInputError(
            f"unknown scale unit {ctx.scale_unit!r}; use one of "
            f"{sorted(ctx.rules.config.get('units', {}))}")
    units = [normalise_unit(u, ctx.rules.config) for u in rows["unit"]]
    same = rows[[u == unit for u in units]]
    if same.empty:
        printed = "、".join(sorted(set(rows["unit"])))
        return [ctx.finding(key, "conditional", f"{ctx.scale:g} {ctx.scale_unit}",
                            f"规划最低开采规模的单位为 {printed}，与申请的 {ctx.scale_unit} "
                            "不同，须人工换算核对", source=_rows_source(ctx.rules, rows))]
    values = pd.to_numeric(same["min_value"], errors="coerce")
    same = same[values.notna()]
    values = values.dropna()
    # The county may not be below the prefecture: the binding minimum is the larger.
    lows = [float(values[same["level"] == lvl].min()) for lvl in ("county", "prefecture")
            if (same["level"] == lvl).any()]
    low, high = max(lows), float(values.max())
    levels = {"county": ctx.rules.region, "prefecture": ctx.rules.prefecture}
    used = "、".join(levels[lvl] for lvl in dict.fromkeys(same["level"]))
    measured = f"{ctx.scale:g} {unit}（最低 {low:g}" + (f"～{high:g}" if high > low else "") + ")"
    measured = measured.replace(")", "）")
    source = _rows_source(ctx.rules, same)
    extra = [pref_note] if pref_note else []
    if "county" not in set(same["level"]) and ctx.rules.slug:
        extra.append(f"{ctx.rules.region}规划未列该矿种，按{ctx.rules.prefecture}规划")
    if ctx.scale < low:
        msg = f"拟建规模 {ctx.scale:g} {unit} 低于{used}规划最低开采规模 {low:g} {unit}"
        return [ctx.finding(key, rule["below"], measured, join_notes([msg, *extra], "；"),
                            value=ctx.scale, unit=unit, source=source)]
    if ctx.scale < high:
        msg = (f"拟建规模 {ctx.scale:g} {unit} 满足最低值 {low:g}，但低于 {high:g}"
               "（规划按开采方式分列，如地下/露天），须按开采方式核对")
        return [ctx.finding(key, rule["between"], measured, join_notes([msg, *extra], "；"),
                            value=ctx.scale, unit=unit, source=source)]
    msg = f"拟建规模 {ctx.scale:g} {unit} 不低于{used}规划最低开采规模"
    return [ctx.finding(key, "pass", measured, join_notes([msg, *extra], "；"),
                        value=ctx.scale, unit=unit, source=source)]


def check_mineral_policy(ctx: ProposalContext) -> list[Finding]:
    """The mineral against the plans' prohibited and restricted minerals."""
    rule = ctx.rules.rule("mineral_policy")
    key = "mineral_policy"
    activity = "勘查" if ctx.right_type == "探矿权" else "开采"
    table = ctx.rules.policy
    hits: list[tuple[str, pd.Series]] = []
    for _, row in table.iterrows():
        if row["category"] not in ("禁止", "限制") or activity not in row["activity"]:
            continue
        how = ctx.rules.minerals.policy_match(row["mineral"], ctx.mineral)
        if how != "none":
            hits.append((how, row))
    pref_note = ctx.rules.prefecture_note
    if not hits:
        msg = f"{ctx.mineral}不在规划禁止或限制{activity}的矿种中"
        files = "、".join(dict.fromkeys(str(p) for p in table["path"])) if len(table) else ""
        source = ctx.rules.source(key) + (f"；{files}" if files else "")
        return [ctx.finding(key, "pass", "—", join_notes([msg, pref_note], "；"), source=source)]
    out = []
    for match, row in hits:
        verdict = rule[row["category"]] if match == "exact" else rule["qualified"]
        where = f"{row['region']}规划{row['table']}第{row['source_line']}行"
        if match == "exact":
            msg = f"{where}{row['category']}{row['activity']}「{row['mineral']}」"
        else:
            msg = (f"{where}{row['category']}{row['activity']}「{row['mineral']}」，"
                   "须核实申请是否属于该情形")
        out.append(ctx.finding(
            key, verdict, f"{row['category']}（{row['mineral']}）",
            join_notes([msg, pref_note], "；"),
            source=f"{row['path']} 第{row['source_line']}行 → {row['source_file']} "
                   f"第{row['source_line']}行（{row['table']}）"))
    return out


def _rows_source(rules: CheckRules, rows: pd.DataFrame) -> str:
    refs = [f"{r['path']} {r['rule_id']} → {r['source_file']} "
            f"第{r['source_line']}行（{r['table']}）" for _, r in rows.iterrows()]
    return f"{rules.source('min_scale')}；" + "；".join(dict.fromkeys(refs))
