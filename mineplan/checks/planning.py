"""Pre-grant rules against the plan's blocks and the rights already granted.

* :func:`check_planning_block` — the proposal lies in a 勘查/开采规划区块 (or 集中开采区)
  of its mineral;
* :func:`check_sand` — a 砂石土 proposal lies in a 集中开采区;
* :func:`check_existing_rights` — no overlap with existing 探矿权/采矿权.

Each takes a :class:`mineplan.checks.context.ProposalContext` and returns findings.

May import: vocab, rules, geodesy, checks.findings, checks.overlay, checks.context.
Never web, figures or cli.
"""

from __future__ import annotations

import numpy as np
import shapely

from mineplan.checks.context import (
    ProposalContext,
    cell_text,
    join_notes,
    layer_note,
    layers_note,
    polygonal,
    with_zone_source,
    zone_note,
)
from mineplan.checks.findings.model import Finding
from mineplan.checks.overlay import PreparedLayer
from mineplan.features import Features
from mineplan.geodesy import ellipsoidal_areas_km2
from mineplan.vocab import STORE_CRS, format_area

__all__ = ["check_existing_rights", "check_planning_block", "check_sand"]


def check_planning_block(ctx: ProposalContext) -> list[Finding]:
    """The proposal lies in planning blocks of its right type that admit its mineral."""
    rule = ctx.rules.rule("planning_block")
    codes = list(rule["layers"][ctx.right_type])
    frames = [ctx.store[c] for c in codes if c in ctx.store]
    if not frames:
        return ctx.missing_layer("planning_block", "/".join(codes))
    near = [f.intersecting(ctx.shape) for f in frames]
    kind = "勘查规划区块" if ctx.right_type == "探矿权" else "开采规划区块或集中开采区"
    if not any(len(f) for f in near):
        return [ctx.finding("planning_block", rule["none"], "覆盖 0.0%",
                            f"申请范围不在任何{kind}内", geometry=ctx.shape,
                            note=layers_note(frames, ctx.rules),
                            value=0.0, unit="%")]
    names = ctx.rules.minerals
    blocks = [row for f in near for row in f.rows()]  # in layer order, as listed in `codes`
    matching = [r for r in blocks if names.covers(r["mineral"], ctx.mineral)]
    note = layers_note(near, ctx.rules)
    if not matching:
        listed = "、".join(f"{cell_text(r['zone_id'])}（{cell_text(r['mineral'])}）"
                          for r in blocks)
        return [ctx.finding("planning_block", rule["mineral_mismatch"], "同矿种覆盖 0.0%",
                            f"申请范围所在{kind}的矿种与申请矿种「{ctx.mineral}」不符：{listed}",
                            note=note, value=0.0, unit="%", geometry=ctx.shape)]
    matched = Features([r["geometry"] for r in matching], crs=STORE_CRS)
    row = PreparedLayer(matched).overlap_one(ctx.shape)
    pct = row.overlap_pct
    block_km2 = float(np.nansum(ellipsoidal_areas_km2(matched.geometry, crs=STORE_CRS,
                                                      validate=False)))
    ratio = 100.0 * ctx.area / block_km2 if block_km2 > 0 else float("nan")
    ids = "、".join(f"{cell_text(r['zone_id'])} {cell_text(r['name'])}" for r in matching)
    measured = f"区块覆盖申请范围 {pct:.1f}%；申请面积为区块面积的 {ratio:.1f}%"
    if pct >= float(rule["cover_pass_pct"]):
        return [ctx.finding("planning_block", "pass", measured,
                            f"申请范围位于{kind}内：{ids}", note=note, value=pct, unit="%",
                            source=with_zone_source(ctx.rules.source("planning_block"),
                                                    matching))]
    outside = polygonal(ctx.shape.difference(shapely.union_all(row.pieces)))
    return [ctx.finding("planning_block", rule["partial"], measured,
                        f"申请范围仅 {pct:.1f}% 位于{kind}（{ids}）内，超出部分须调整",
                        note=note, value=pct, unit="%", geometry=outside,
                        source=with_zone_source(ctx.rules.source("planning_block"), matching))]


def check_sand(ctx: ProposalContext) -> list[Finding]:
    """A 砂石土 proposal lies in a 集中开采区 (other minerals: not applicable)."""
    rule = ctx.rules.rule("sand")
    if not ctx.rules.minerals.in_group(ctx.mineral, "sand_gravel_clay"):
        return [ctx.finding("sand", "pass", "—", f"{ctx.mineral}不属于砂石土矿种，本条不适用")]
    layer = ctx.store.get(rule["layer"])
    if layer is None:
        return ctx.missing_layer("sand", rule["layer"])
    note = layer_note(layer, ctx.rules)
    row = PreparedLayer(layer).overlap_one(ctx.shape)
    pct = row.overlap_pct
    measured = f"集中开采区内 {pct:.1f}%"
    if pct >= 100.0 - float(ctx.tol["outside_pct"]):
        return [ctx.finding("sand", "pass", measured, "砂石土矿申请范围位于集中开采区内",
                            note=note, value=pct, unit="%")]
    outside = polygonal(ctx.shape.difference(row.pieces))
    return [ctx.finding("sand", rule["outside"], measured,
                        f"砂石土矿申请范围有 {100 - pct:.1f}% 超出集中开采区",
                        note=note, value=pct, unit="%", geometry=outside)]


def check_existing_rights(ctx: ProposalContext) -> list[Finding]:
    """One finding per existing right the proposal overlaps (a pass when none)."""
    rule = ctx.rules.rule("existing_rights")
    out: list[Finding] = []
    present = [c for c in rule["layers"] if c in ctx.store]
    if not present:
        return ctx.missing_layer("existing_rights", "/".join(rule["layers"]))
    notes = []
    for code in present:
        layer = ctx.store[code]
        notes.append(layer_note(layer, ctx.rules))
        hits = layer.intersecting(ctx.shape)
        if hits.empty:
            continue
        # One bulk pass per store layer: every right's own overlap (rights are
        # reported one by one, so no union across rights), areas in one call.
        geoms = hits.geometry.copy()
        bad = ~shapely.is_valid(geoms)
        if bad.any():
            geoms[bad] = shapely.make_valid(geoms[bad])
        pieces = [polygonal(g) for g in shapely.intersection(geoms, ctx.shape)]
        areas = ellipsoidal_areas_km2(pieces, crs=STORE_CRS, validate=False)
        for right, piece, km2 in zip(hits.rows(), pieces, areas, strict=True):
            km2 = float(km2) if not piece.is_empty else 0.0
            if km2 <= float(ctx.tol["overlap_km2"]):
                continue
            pct = 100.0 * km2 / ctx.area if ctx.area > 0 else 0.0
            label = f"{cell_text(right.get('zone_id'))} {cell_text(right.get('name'))}".strip()
            out.append(ctx.finding(
                "existing_rights", rule["overlap"],
                f"{format_area(km2)}（占申请范围 {pct:.1f}%）",
                f"与已设{'探矿权' if code == 'YSTK' else '采矿权'}「{label}」重叠",
                note=zone_note(right, ctx.rules), value=km2, unit="km²",
                geometry=piece,
                source=with_zone_source(ctx.rules.source("existing_rights"), [right])))
    if not out:
        out.append(ctx.finding("existing_rights", "pass", "0.0000 km²",
                               "与已设探矿权、采矿权无重叠", value=0.0, unit="km²",
                               note=join_notes(notes)))
    return out
