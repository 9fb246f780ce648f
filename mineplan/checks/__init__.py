"""Plan audit and pre-grant check: rules applied to geometry, findings returned.

* :func:`check_plan` audits every zone of a plan against the red lines (and
  every other control layer in the store, e.g. 自然保护区), its county, the
  other zones of its layer, exploration vs mining blocks, existing rights,
  砂石土 zones vs 集中开采区 and its stated area.
* :func:`check_proposal` checks a proposed exploration or mining right before
  it is granted (rules 1–10 of the brief: region, ecological red line,
  farmland, urban boundary, planning block, 砂石土, existing rights, minimum
  scale, mineral policy, geometry), plus overlap with every other control
  layer that has features (``control_layer``: ``[rules.control_default]`` /
  ``[rules.control.<CODE>]``).

Both return a findings GeoDataFrame (:mod:`mineplan.checks.findings`); a failing rule
is a ``fail`` row, never an exception. Every overlap is measured with
:class:`mineplan.checks.overlay.PreparedLayer` (overlaps counted once, ellipsoidal km²,
CGCS2000). Thresholds, verdicts, mineral lists and exceptions come from
``geodata/rules/checks.toml`` via :func:`mineplan.rules.load_rules`. Findings
resting on schematic zones (图形状态 示意) or demo control layers (数据状态 演示)
say so in ``data_note``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mineplan.catalog import plan_index
from mineplan.checks.findings import Finding, findings_frame
from mineplan.checks.overlay import PreparedLayer
from mineplan.errors import CRSError
from mineplan.geodesy import ellipsoidal_area_km2, gk_crs_for_lonlat
from mineplan.layers import LayerSpec, read_layer_specs
from mineplan.rules import RIGHT_TYPES, CheckInputError, CheckRules, load_rules, normalise_unit

__all__ = [
    "OPTIONAL_CHECKS",
    "PROPOSAL_CHECKS",
    "check_plan",
    "check_proposal",
    "detect_region",
    "other_control_layers",
    "read_store_frames",
]

log = logging.getLogger(__name__)

STORE_CRS = "EPSG:4490"
#: The pre-grant checks, in the order they are reported.
PROPOSAL_CHECKS: tuple[str, ...] = (
    "region", "ecological_redline", "farmland", "urban", "control_layer", "planning_block",
    "sand", "existing_rights", "min_scale", "mineral_policy", "geometry",
)
#: Checks reported only when the store has what they check (other control layers).
OPTIONAL_CHECKS: tuple[str, ...] = ("control_layer",)
_SEVERITY = {"pass": 0, "conditional": 1, "fail": 2}
# Columns a proposal file may state its area in (km²), when it has no ``stated_area``.
_STATED_AREA_COLUMNS = ("area_km2", "面积", "面积km2", "MJ", "mj")
# ``stated_area_unit`` of a coordinate file → km² per unit ("" is 公顷 by the spec).
_AREA_UNITS = {"": 0.01, "公顷": 0.01, "ha": 0.01, "km2": 1.0, "km²": 1.0, "平方公里": 1.0,
               "平方千米": 1.0, "亩": 1 / 1500, "m2": 1e-6, "平方米": 1e-6}


def read_store_frames(path: str | Path, *, codes: Iterable[str] | None = None
                      ) -> dict[str, gpd.GeoDataFrame]:
    """Read the store's layers (all, or ``codes``) as ``{code: frame}`` for the checks."""
    from mineplan.store import list_layers, read_layer

    present = list_layers(path)
    wanted = present if codes is None else [c for c in codes if c in present]
    return {code: read_layer(path, code) for code in wanted}


# =========================================================================== proposal


def check_proposal(
    proposal: gpd.GeoDataFrame,
    *,
    right_type: str,
    mineral: str,
    scale: float | None = None,
    scale_unit: str | None = None,
    region: str | None = None,
    store_frames: Mapping[str, gpd.GeoDataFrame],
    rules: CheckRules | None = None,
    proposal_id: str | None = None,
    specs: Mapping[str, LayerSpec] | None = None,
) -> gpd.GeoDataFrame:
    """Check a proposed exploration or mining right before it is granted.

    Parameters
    ----------
    proposal
        The proposed right's area: one or more polygon features with a CRS
        (their union is the right; each feature is checked as a geometry).
    right_type
        ``"探矿权"`` (exploration) or ``"采矿权"`` (mining).
    mineral
        The mineral applied for, any common spelling (金 / 金矿 / 岩金).
    scale
        Planned annual production of a mining right, in ``scale_unit``.
    scale_unit
        Unit of ``scale``: ``万吨/年``, ``万立方米/年``, ``吨/日`` (or a spelling
        the rules file lists).
    region
        The county (or plan slug) whose plan applies; None: detected from the
        geometry as the county of the XZQ layer holding most of it.
    store_frames
        Layer code → frame (e.g. :func:`read_store_frames`): ``XZQ``, ``STHX``,
        ``YJJBNT``, ``CZKFBJ``, ``TKGH``, ``CKGH``, ``JZKQ``, ``YSTK``, ``YSCK``.
        A missing layer gives a ``conditional`` finding saying it was not checked.
        Every other control layer (group ``control``) with features is checked
        for overlap too (``control_layer``, one finding per layer).
    rules
        Loaded rules; default :func:`mineplan.rules.load_rules` for the region.
    proposal_id
        Subject shown in the findings (default: the frame's ``name``/``id``
        column, else ``"申请范围"``).
    specs
        Layer definitions, to tell control layers and their Chinese names
        (default :func:`mineplan.layers.read_layer_specs`).

    Returns
    -------
    geopandas.GeoDataFrame
        Findings (:data:`mineplan.checks.findings.FINDING_COLUMNS`), EPSG:4490.

    Raises
    ------
    CheckInputError
        Bad right type, empty proposal, unknown region, region not detectable.
    CRSError
        The proposal has no CRS.
    """
    if right_type not in RIGHT_TYPES:
        raise CheckInputError(f"right type must be 探矿权 or 采矿权; received {right_type!r}")
    if not str(mineral).strip():
        raise CheckInputError("mineral is empty; give the mineral applied for, e.g. 金")
    if proposal.crs is None:
        raise CRSError("the proposal has no CRS; set it (e.g. EPSG:4516) before checking")
    if len(proposal) == 0:
        raise CheckInputError("the proposal has no features")
    if scale is not None and (not math.isfinite(scale) or scale < 0):
        raise CheckInputError(f"scale must be a non-negative number; received {scale!r}")
    geo = proposal.to_crs(STORE_CRS)
    subject = proposal_id or _proposal_name(geo)
    parts = [g for g in geo.geometry if g is not None and not g.is_empty]
    shape = shapely.union_all(shapely.make_valid(np.asarray(parts, dtype=object))) if parts \
        else shapely.Polygon()
    shape = _polygonal(shape)
    if rules is None:
        prefecture: str | None
        if region is None:
            region, prefecture = detect_region(shape, store_frames)
        else:
            prefecture = _parent_of(region, store_frames)
        rules = load_rules(region, prefecture=prefecture)
    ctx = _Proposal(geo, shape, subject, right_type, mineral, scale, scale_unit, rules,
                    store_frames)
    found: list[Finding] = []
    found += _p_region(ctx)
    found += _p_control(ctx, "ecological_redline")
    found += _p_control(ctx, "farmland")
    found += _p_urban(ctx)
    specs = specs if specs is not None else read_layer_specs()
    for code in other_control_layers(store_frames, specs, rules):
        found += _p_other_control(ctx, code, specs[code].name)
    found += _p_planning_block(ctx)
    found += _p_sand(ctx)
    found += _p_existing_rights(ctx)
    found += _p_min_scale(ctx)
    found += _p_mineral_policy(ctx)
    found += _p_geometry(ctx)
    return findings_frame(found)


def detect_region(
    shape: BaseGeometry, store_frames: Mapping[str, gpd.GeoDataFrame]
) -> tuple[str, str]:
    """(county, prefecture) of the XZQ county holding most of ``shape`` (EPSG:4490).

    Raises
    ------
    CheckInputError
        When there is no XZQ layer or the shape lies in no county.
    """
    xzq = store_frames.get("XZQ")
    if xzq is None or xzq.empty:
        raise CheckInputError("cannot detect the region: the store has no XZQ layer; "
                              "give the region (--region 新源县)")
    counties = xzq[xzq["level"] == "county"].to_crs(STORE_CRS)
    hits = counties[counties.intersects(shape)]
    if hits.empty:
        raise CheckInputError("the proposal lies in none of the store's counties; "
                              "check its coordinates or give the region (--region 新源县)")
    shares = shapely.area(shapely.intersection(hits.geometry.to_numpy(), shape))
    best = hits.iloc[int(np.argmax(shares))]
    return str(best["name"]), str(best.get("parent", "") or "")


class _Proposal:
    """What every proposal rule needs (a plain holder)."""

    def __init__(self, frame: gpd.GeoDataFrame, shape: BaseGeometry, subject: str,
                 right_type: str, mineral: str, scale: float | None, scale_unit: str | None,
                 rules: CheckRules, store: Mapping[str, gpd.GeoDataFrame]) -> None:
        self.frame = frame
        self.shape = shape
        self.series = gpd.GeoSeries([shape], crs=STORE_CRS)
        self.area = float(ellipsoidal_area_km2(self.series, validate=False).iloc[0]) \
            if not shape.is_empty else 0.0
        self.subject = subject
        self.right_type = right_type
        self.mineral = mineral
        self.canonical = rules.minerals.canonical(mineral)
        self.scale = scale
        self.scale_unit = scale_unit
        self.rules = rules
        self.store = store
        self.tol = rules.rule("tolerance")

    def finding(self, key: str, verdict: str, measured: str, message: str, *,
                note: str = "", value: float | None = None, unit: str = "",
                geometry: BaseGeometry | None = None, source: str | None = None,
                rule: str | None = None) -> Finding:
        return Finding(
            check=key, rule=rule or self.rules.rule(key).get("name", key),
            verdict_key=verdict, subject=self.subject, measured=measured,
            source=source or self.rules.source(key), message=message, data_note=note,
            value=value, unit=unit, geometry=geometry,
        )

    def missing_layer(self, key: str, code: str) -> list[Finding]:
        return [self.finding(key, "conditional", "—",
                             f"库中无 {code} 图层，未能核查；请导入该图层后重新检查")]


def _p_region(ctx: _Proposal) -> list[Finding]:
    rule = ctx.rules.rule("region")
    xzq = ctx.store.get("XZQ")
    if xzq is None:
        return ctx.missing_layer("region", "XZQ")
    boundary = xzq[xzq["name"] == ctx.rules.region]
    if boundary.empty:
        return [ctx.finding("region", "conditional", "—",
                            f"XZQ 图层中无「{ctx.rules.region}」的边界，未能核查")]
    cov = PreparedLayer(boundary).overlap(ctx.series).iloc[0]
    outside_pct = 100.0 - float(cov["overlap_pct"]) if ctx.area > 0 else 0.0
    note = _boundary_note(boundary)
    if outside_pct <= float(ctx.tol["outside_pct"]):
        return [ctx.finding("region", "pass", f"区内 {cov['overlap_pct']:.2f}%",
                            f"申请范围位于{ctx.rules.region}行政区内", note=note,
                            value=float(cov["overlap_pct"]), unit="%")]
    outside = _polygonal(ctx.shape.difference(shapely.union_all(cov["pieces"])))
    return [ctx.finding(
        "region", rule["outside"], f"区外 {outside_pct:.2f}%",
        f"申请范围有 {outside_pct:.2f}% 位于{ctx.rules.region}行政区外，须由所在县审查",
        note=note, value=outside_pct, unit="%", geometry=outside)]


def _p_control(ctx: _Proposal, key: str) -> list[Finding]:
    rule = ctx.rules.rule(key)
    layer = ctx.store.get(rule["layer"])
    if layer is None:
        return ctx.missing_layer(key, rule["layer"])
    note = _layer_note(layer, ctx.rules)
    row = PreparedLayer(layer).overlap(ctx.series).iloc[0]
    km2, pct = float(row["overlap_km2"]), float(row["overlap_pct"])
    measured = f"{km2:.4f} km²（占申请范围 {pct:.1f}%）"
    if km2 <= float(ctx.tol["overlap_km2"]):
        return [ctx.finding(key, "pass", measured, f"申请范围与{rule['name']}无重叠",
                            note=note, value=km2, unit="km²")]
    verdict, why = rule["default"], f"申请范围与{rule['name']}重叠，{ctx.mineral}不属于例外矿种"
    exc = _proposal_exception(ctx, rule.get("exceptions", []))
    if exc is not None:
        verdict, why = exc["verdict"], f"申请范围与{rule['name']}重叠；{exc['message']}"
    return [ctx.finding(key, verdict, measured, why, note=note, value=km2, unit="km²",
                        geometry=row["pieces"])]


def _proposal_exception(ctx: _Proposal, exceptions: Iterable[Mapping[str, Any]]
                        ) -> Mapping[str, Any] | None:
    """The first exception whose right types and mineral group match the proposal."""
    for exc in exceptions:
        if ctx.right_type in exc["rights"] and ctx.rules.minerals.in_group(ctx.mineral,
                                                                          exc["group"]):
            return exc
    return None


def other_control_layers(store: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec],
                         rules: CheckRules) -> list[str]:
    """Control layers checked by the generic rule: defined with ``group = "control"``,
    in the store with features, and not one of the layers a specific rule checks
    (生态保护红线, 永久基本农田, 城镇开发边界, the urban rule's extra layers,
    ``[audit] redline_layers``). In definition order."""
    specific = {rules.rule(k)["layer"] for k in ("ecological_redline", "farmland", "urban")}
    specific |= {str(e["layer"]) for e in rules.rule("urban").get("extra", [])}
    specific |= set(rules.config.get("audit", {}).get("redline_layers", []))
    return [code for code, spec in specs.items()
            if spec.group == "control" and code not in specific
            and code in store and len(store[code])]


def _control_message(rule: Mapping[str, Any], name: str) -> str:
    return str(rule.get("message", "与{layer}重叠")).replace("{layer}", name)


def _p_other_control(ctx: _Proposal, code: str, name: str) -> list[Finding]:
    """Overlap with a control layer other than 三区三线 (``[rules.control.<code>]``)."""
    key = "control_layer"
    rule = ctx.rules.control_rule(code)
    layer = ctx.store[code]
    note = _layer_note(layer, ctx.rules)
    source = ctx.rules.control_source(code)
    row = PreparedLayer(layer).overlap(ctx.series).iloc[0]
    km2, pct = float(row["overlap_km2"]), float(row["overlap_pct"])
    measured = f"{km2:.4f} km²（占申请范围 {pct:.1f}%）"
    if km2 <= float(ctx.tol["overlap_km2"]):
        return [ctx.finding(key, "pass", measured, f"申请范围与{name}无重叠", note=note,
                            value=km2, unit="km²", source=source, rule=name)]
    verdict, why = rule["overlap"], f"申请范围{_control_message(rule, name)}"
    exc = _proposal_exception(ctx, rule.get("exceptions", []))
    if exc is not None:
        verdict, why = exc["verdict"], f"申请范围与{name}重叠；{exc['message']}"
    return [ctx.finding(key, verdict, measured, why, note=note, value=km2, unit="km²",
                        geometry=row["pieces"], source=source, rule=name)]


def _p_urban(ctx: _Proposal) -> list[Finding]:
    rule = ctx.rules.rule("urban")
    out: list[Finding] = []
    layer = ctx.store.get(rule["layer"])
    if layer is None:
        out += ctx.missing_layer("urban", rule["layer"])
    else:
        note = _layer_note(layer, ctx.rules)
        row = PreparedLayer(layer).overlap(ctx.series).iloc[0]
        km2 = float(row["overlap_km2"])
        buffer_m = float(rule.get("buffer_m", 0) or 0)
        if km2 > float(ctx.tol["overlap_km2"]):
            out.append(ctx.finding(
                "urban", rule["inside"], f"{km2:.4f} km²（占申请范围 {row['overlap_pct']:.1f}%）",
                f"申请范围与{rule['name']}重叠，城镇开发边界内不得新设固体矿产矿业权",
                note=note, value=km2, unit="km²", geometry=row["pieces"]))
        else:
            out.append(_distance_finding(ctx, "urban", layer, rule["name"], buffer_m,
                                         rule.get("buffer_verdict", "conditional"), note))
    for extra in rule.get("extra", []):
        frame = ctx.store.get(extra["layer"])
        if frame is None:
            out.append(ctx.finding("urban", "conditional", "—",
                                   f"库中无 {extra['layer']}（{extra['name']}）图层，"
                                   f"未能核查 {extra['buffer_m']} m 缓冲距离",
                                   rule=f"{extra['name']}缓冲区"))
            continue
        out.append(_distance_finding(ctx, "urban", frame, extra["name"], float(extra["buffer_m"]),
                                     extra.get("verdict", "conditional"),
                                     _layer_note(frame, ctx.rules),
                                     rule=f"{extra['name']}缓冲区"))
    return out


def _distance_finding(ctx: _Proposal, key: str, layer: gpd.GeoDataFrame, name: str,
                      buffer_m: float, verdict: str, note: str, *, rule: str | None = None
                      ) -> Finding:
    """Distance (m, Gauss-Kruger plane of the proposal's zone) to the nearest feature."""
    distance = _distance_m(ctx.shape, layer)
    shown = "—" if distance is None else f"{distance:.0f} m"
    if distance is not None and buffer_m > 0 and distance < buffer_m:
        return ctx.finding(key, verdict, f"距{name} {shown}",
                           f"申请范围距{name}不足 {buffer_m:.0f} m，须专项审查",
                           note=note, value=distance, unit="m", rule=rule)
    extra = f"（缓冲距离 {buffer_m:.0f} m）" if buffer_m > 0 else ""
    return ctx.finding(key, "pass", f"距{name} {shown}", f"申请范围不在{name}内{extra}",
                       note=note, value=distance, unit="m", rule=rule)


def _p_planning_block(ctx: _Proposal) -> list[Finding]:
    rule = ctx.rules.rule("planning_block")
    codes = list(rule["layers"][ctx.right_type])
    frames = [ctx.store[c] for c in codes if c in ctx.store]
    if not frames:
        return ctx.missing_layer("planning_block", "/".join(codes))
    blocks = gpd.GeoDataFrame(pd.concat([f.to_crs(STORE_CRS) for f in frames],
                                        ignore_index=True), crs=STORE_CRS)
    blocks = blocks[blocks.intersects(ctx.shape)]
    kind = "勘查规划区块" if ctx.right_type == "探矿权" else "开采规划区块或集中开采区"
    if blocks.empty:
        return [ctx.finding("planning_block", rule["none"], "覆盖 0.0%",
                            f"申请范围不在任何{kind}内", geometry=ctx.shape,
                            note=_layer_note(pd.concat(frames), ctx.rules), value=0.0, unit="%")]
    names = ctx.rules.minerals
    matching = blocks[[names.covers(m, ctx.mineral) for m in blocks["mineral"]]]
    note = _layer_note(blocks, ctx.rules)
    if matching.empty:
        listed = "、".join(f"{r.zone_id}（{r.mineral}）" for r in blocks.itertuples())
        return [ctx.finding("planning_block", rule["mineral_mismatch"], "同矿种覆盖 0.0%",
                            f"申请范围所在{kind}的矿种与申请矿种「{ctx.mineral}」不符：{listed}",
                            note=note, value=0.0, unit="%", geometry=ctx.shape)]
    row = PreparedLayer(matching).overlap(ctx.series).iloc[0]
    pct = float(row["overlap_pct"])
    block_km2 = float(ellipsoidal_area_km2(matching.geometry, validate=False).sum())
    ratio = 100.0 * ctx.area / block_km2 if block_km2 > 0 else float("nan")
    ids = "、".join(f"{r.zone_id} {r.name}" for r in matching.itertuples())
    measured = f"区块覆盖申请范围 {pct:.1f}%；申请面积为区块面积的 {ratio:.1f}%"
    if pct >= float(rule["cover_pass_pct"]):
        return [ctx.finding("planning_block", "pass", measured,
                            f"申请范围位于{kind}内：{ids}", note=note, value=pct, unit="%",
                            source=_with_zone_source(ctx.rules.source("planning_block"),
                                                     matching))]
    outside = _polygonal(ctx.shape.difference(shapely.union_all(row["pieces"])))
    return [ctx.finding("planning_block", rule["partial"], measured,
                        f"申请范围仅 {pct:.1f}% 位于{kind}（{ids}）内，超出部分须调整",
                        note=note, value=pct, unit="%", geometry=outside,
                        source=_with_zone_source(ctx.rules.source("planning_block"), matching))]


def _p_sand(ctx: _Proposal) -> list[Finding]:
    rule = ctx.rules.rule("sand")
    if not ctx.rules.minerals.in_group(ctx.mineral, "sand_gravel_clay"):
        return [ctx.finding("sand", "pass", "—", f"{ctx.mineral}不属于砂石土矿种，本条不适用")]
    layer = ctx.store.get(rule["layer"])
    if layer is None:
        return ctx.missing_layer("sand", rule["layer"])
    note = _layer_note(layer, ctx.rules)
    row = PreparedLayer(layer).overlap(ctx.series).iloc[0]
    pct = float(row["overlap_pct"])
    measured = f"集中开采区内 {pct:.1f}%"
    if pct >= 100.0 - float(ctx.tol["outside_pct"]):
        return [ctx.finding("sand", "pass", measured, "砂石土矿申请范围位于集中开采区内",
                            note=note, value=pct, unit="%")]
    outside = _polygonal(ctx.shape.difference(row["pieces"]))
    return [ctx.finding("sand", rule["outside"], measured,
                        f"砂石土矿申请范围有 {100 - pct:.1f}% 超出集中开采区",
                        note=note, value=pct, unit="%", geometry=outside)]


def _p_existing_rights(ctx: _Proposal) -> list[Finding]:
    rule = ctx.rules.rule("existing_rights")
    out: list[Finding] = []
    present = [c for c in rule["layers"] if c in ctx.store]
    if not present:
        return ctx.missing_layer("existing_rights", "/".join(rule["layers"]))
    notes = []
    for code in present:
        layer = ctx.store[code].to_crs(STORE_CRS)
        notes.append(_layer_note(layer, ctx.rules))
        hits = layer[layer.intersects(ctx.shape)]
        for _, right in hits.iterrows():
            single = gpd.GeoDataFrame(geometry=[right.geometry], crs=STORE_CRS)
            row = PreparedLayer(single).overlap(ctx.series).iloc[0]
            km2 = float(row["overlap_km2"])
            if km2 <= float(ctx.tol["overlap_km2"]):
                continue
            label = f"{right.get('zone_id', '')} {right.get('name', '')}".strip()
            out.append(ctx.finding(
                "existing_rights", rule["overlap"],
                f"{km2:.4f} km²（占申请范围 {row['overlap_pct']:.1f}%）",
                f"与已设{'探矿权' if code == 'YSTK' else '采矿权'}「{label}」重叠",
                note=_zone_note(right, ctx.rules), value=km2, unit="km²",
                geometry=row["pieces"],
                source=_with_zone_source(ctx.rules.source("existing_rights"),
                                         pd.DataFrame([right]))))
    if not out:
        out.append(ctx.finding("existing_rights", "pass", "0.0000 km²",
                               "与已设探矿权、采矿权无重叠", value=0.0, unit="km²",
                               note=_join(notes)))
    return out


def _p_min_scale(ctx: _Proposal) -> list[Finding]:
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
        return [ctx.finding(key, rule["no_rule"], "—", _join([msg, pref_note], "；"))]
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
        return [ctx.finding(key, rule["below"], measured, _join([msg, *extra], "；"),
                            value=ctx.scale, unit=unit, source=source)]
    if ctx.scale < high:
        msg = (f"拟建规模 {ctx.scale:g} {unit} 满足最低值 {low:g}，但低于 {high:g}"
               "（规划按开采方式分列，如地下/露天），须按开采方式核对")
        return [ctx.finding(key, rule["between"], measured, _join([msg, *extra], "；"),
                            value=ctx.scale, unit=unit, source=source)]
    msg = f"拟建规模 {ctx.scale:g} {unit} 不低于{used}规划最低开采规模"
    return [ctx.finding(key, "pass", measured, _join([msg, *extra], "；"),
                        value=ctx.scale, unit=unit, source=source)]


def _p_mineral_policy(ctx: _Proposal) -> list[Finding]:
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
        return [ctx.finding(key, "pass", "—", _join([msg, pref_note], "；"), source=source)]
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
            key, verdict, f"{row['category']}（{row['mineral']}）", _join([msg, pref_note], "；"),
            source=f"{row['path']} 第{row['source_line']}行 → {row['source_file']} "
                   f"第{row['source_line']}行（{row['table']}）"))
    return out


def _p_geometry(ctx: _Proposal) -> list[Finding]:
    rule = ctx.rules.rule("geometry")
    key = "geometry"
    out: list[Finding] = []
    decimals = int(rule["area_decimals"])
    stated = _stated_areas(ctx.frame)
    for n, (idx, feat) in enumerate(ctx.frame.iterrows(), start=1):
        geom = feat.geometry
        label = f"第{n}块" if len(ctx.frame) > 1 else "申请范围"
        if geom is None or geom.is_empty:
            out.append(ctx.finding(key, "fail", "空图形", f"{label}没有图形"))
            continue
        problems: list[tuple[str, str]] = []
        if not geom.is_valid:
            problems.append(("fail", f"图形无效：{shapely.is_valid_reason(geom)}"))
        vertices = _vertex_count(geom)
        if vertices > int(rule["max_vertices"]):
            problems.append(("fail", f"拐点 {vertices} 个，登记系统要求少于 "
                                     f"{int(rule['max_vertices']) + 1} 个"))
        dupes = _duplicate_points(geom)
        if dupes:
            problems.append(("conditional", f"有 {dupes} 处相邻重复点"))
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(("fail", f"图形类型为 {geom.geom_type}，应为面"))
        fixed = _polygonal(shapely.make_valid(geom))
        area = float(ellipsoidal_area_km2(gpd.GeoSeries([fixed], crs=STORE_CRS),
                                          validate=False).iloc[0]) if not fixed.is_empty else 0.0
        if round(area, decimals) <= 0:
            problems.append(("fail", f"面积 {area:.6f} km² 在 {decimals} 位小数精度下为 0"))
        said = stated.loc[idx]
        if pd.notna(said) and abs(float(said) - round(area, decimals)) > float(
                rule["area_tolerance_km2"]):
            problems.append(("conditional", f"申报面积 {float(said):.{decimals}f} km² 与椭球面积 "
                                            f"{area:.{decimals}f} km² 不符"))
        measured = f"{area:.{decimals}f} km²（椭球），拐点 {vertices} 个"
        if not problems:
            out.append(ctx.finding(key, "pass", measured, f"{label}图形有效", value=area,
                                   unit="km²"))
            continue
        verdict = "fail" if any(v == "fail" for v, _ in problems) else "conditional"
        out.append(ctx.finding(key, verdict, measured,
                               f"{label}：" + "；".join(m for _, m in problems),
                               value=area, unit="km²",
                               geometry=fixed))
    return out


# =========================================================================== plan audit


def check_plan(
    store_frames: Mapping[str, gpd.GeoDataFrame],
    *,
    region: str,
    rules: CheckRules | None = None,
    specs: Mapping[str, LayerSpec] | None = None,
) -> gpd.GeoDataFrame:
    """Audit every zone of a plan (or of all plans) against the rules.

    Parameters
    ----------
    store_frames
        Layer code → frame, as :func:`read_store_frames` gives.
    region
        A plan's region or slug (``新源县`` / ``xinyuan``), or ``"all"``.
    rules
        Loaded rules (default: :func:`mineplan.rules.load_rules` for the region).
    specs
        Layer definitions; their ``checks`` say which audits apply to which layer
        (default :func:`mineplan.layers.read_layer_specs`).

    Returns
    -------
    geopandas.GeoDataFrame
        Findings, EPSG:4490: one row per zone and applicable check (pass rows
        included, so every zone is accounted for) and one per conflicting pair.
    """
    specs = specs or read_layer_specs()
    if str(region).strip().lower() == "all":
        present = {str(r) for code, spec in specs.items() if spec.is_zone_layer
                   and code in store_frames for r in store_frames[code]["region"]}
        frames = [check_plan(store_frames, region=info.region, specs=specs)
                  for info in plan_index().values() if info.region in present]
        frames = [f for f in frames if len(f)]
        if not frames:
            return findings_frame([])
        return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=STORE_CRS)
    rules = rules or load_rules(region)
    zones = _plan_zones(store_frames, rules.region, specs)
    found: list[Finding] = []
    found += _a_redlines(zones, store_frames, rules, specs)
    found += _a_inside_county(zones, store_frames, rules)
    found += _a_same_layer(zones, rules)
    found += _a_exploration_vs_mining(zones, rules)
    found += _a_existing_rights(zones, store_frames, rules)
    found += _a_sand(zones, store_frames, rules)
    found += _a_area(zones, rules)
    return findings_frame(found)


def _plan_zones(store: Mapping[str, gpd.GeoDataFrame], region: str,
                specs: Mapping[str, LayerSpec]) -> gpd.GeoDataFrame:
    parts = []
    for code, spec in specs.items():
        if not spec.is_zone_layer or code not in store:
            continue
        frame = store[code]
        frame = frame[frame["region"] == region].to_crs(STORE_CRS).copy()
        frame["layer"] = code
        frame["_checks"] = [spec.checks] * len(frame)
        parts.append(frame)
    if not parts:
        raise CheckInputError(f"the store has no zones of {region}; build it with that plan")
    zones = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=STORE_CRS)
    zones["geometry"] = shapely.make_valid(zones.geometry.to_numpy())
    zones["_km2"] = ellipsoidal_area_km2(zones, validate=False).to_numpy()
    return zones


def _applies(zone: pd.Series, check: str) -> bool:
    return check in zone["_checks"]


def _audit(rules: CheckRules, check: str, rule: str, verdict: str, zone: pd.Series,
           measured: str, message: str, *, note: str = "", value: float | None = None,
           unit: str = "", geometry: BaseGeometry | None = None, subject: str | None = None,
           rule_key: str | None = None, others: Sequence[pd.Series] = (),
           source: str | None = None) -> Finding:
    base = source or (rules.source(rule_key) if rule_key else _audit_source(rules))
    src = _with_zone_source(base, pd.DataFrame([zone, *others]))
    return Finding(check=check, rule=rule, verdict_key=verdict,
                   subject=subject or str(zone["zone_id"]), measured=measured,
                   source=src, message=message,
                   data_note=_join([_zone_note(zone, rules), *(_zone_note(o, rules)
                                                              for o in others), note]),
                   value=value, unit=unit, geometry=geometry)


def _a_redlines(zones: gpd.GeoDataFrame, store: Mapping[str, gpd.GeoDataFrame],
                rules: CheckRules, specs: Mapping[str, LayerSpec]) -> list[Finding]:
    audit = rules.config["audit"]
    by_zone = audit["redline_verdict"]
    keys = {r["layer"]: k for k in ("ecological_redline", "farmland", "urban")
            for r in [rules.rule(k)]}
    out: list[Finding] = []
    subset = zones[[_applies(z, "redline_overlap") for _, z in zones.iterrows()]]
    for code in audit["redline_layers"]:
        key = keys.get(code)
        name = rules.rule(key)["name"] if key else code
        if code not in store:
            out += [_audit(rules, "redline_overlap", name, "conditional", z, "—",
                           f"库中无 {code} 图层，未能核查") for _, z in subset.iterrows()]
            continue
        out += _zone_overlaps(
            rules, subset, store[code], name,
            lambda zone: str(by_zone.get(zone["layer"], by_zone["default"])),
            exceptions=rules.rule(key).get("exceptions", []) if key else [], rule_key=key)
    for code in other_control_layers(store, specs, rules):
        rule = rules.control_rule(code)
        name = specs[code].name
        verdict = str(rule["overlap"])

        def milder(zone: pd.Series, verdict: str = verdict) -> str:
            return _milder(verdict, str(by_zone.get(zone["layer"], by_zone["default"])))

        out += _zone_overlaps(
            rules, subset, store[code], name, milder,
            exceptions=rule.get("exceptions", []), advice=_control_message(rule, name),
            source=rules.control_source(code))
    return out


def _zone_overlaps(rules: CheckRules, subset: gpd.GeoDataFrame, layer: gpd.GeoDataFrame,
                   name: str, verdict_of: Callable[[pd.Series], str], *,
                   exceptions: Iterable[Mapping[str, Any]], rule_key: str | None = None,
                   source: str | None = None, advice: str = "") -> list[Finding]:
    """One ``redline_overlap`` row per zone: km² and % of the zone in ``layer``."""
    tol = float(rules.rule("tolerance")["overlap_km2"])
    note = _layer_note(layer, rules)
    result = PreparedLayer(layer).overlap(subset.geometry)
    out: list[Finding] = []
    for i, zone in subset.iterrows():
        row = result.loc[i]
        km2, pct = float(row["overlap_km2"]), float(row["overlap_pct"])
        measured = f"{km2:.4f} km²（占区块 {pct:.1f}%）"
        if km2 <= tol:
            out.append(_audit(rules, "redline_overlap", name, "pass", zone, measured,
                              f"与{name}无重叠", note=note, value=pct, unit="%",
                              rule_key=rule_key, source=source))
            continue
        verdict = verdict_of(zone)
        message = f"{zone['name']}与{name}重叠 {km2:.4f} km²，占区块面积 {pct:.1f}%"
        if advice and verdict != "pass":
            message = f"{message}；{advice}"
        if verdict == "fail":
            exc = _zone_exception(zone, rules, exceptions)
            if exc is not None:
                verdict, message = exc["verdict"], f"{message}；{exc['message']}"
        out.append(_audit(rules, "redline_overlap", name, verdict, zone, measured, message,
                          note=note, value=pct, unit="%", geometry=row["pieces"],
                          rule_key=rule_key, source=source))
    return out


def _milder(a: str, b: str) -> str:
    """The less severe of two verdicts."""
    return a if _SEVERITY[a] <= _SEVERITY[b] else b


def _zone_exception(zone: pd.Series, rules: CheckRules,
                    exceptions: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    right = "探矿权" if zone["layer"] in ("TKGH", "YSTK", "ZDTK") else "采矿权"
    minerals = rules.minerals.split(zone["mineral"])
    if not minerals:
        return None
    for exc in exceptions:
        if right in exc["rights"] and all(rules.minerals.in_group(m, exc["group"])
                                          for m in minerals):
            return dict(exc)
    return None


def _a_inside_county(zones: gpd.GeoDataFrame, store: Mapping[str, gpd.GeoDataFrame],
                     rules: CheckRules) -> list[Finding]:
    check, name = "inside_county", "位于所在县（市）内"
    verdict_out = rules.config["audit"]["outside_county"]
    xzq = store.get("XZQ")
    out: list[Finding] = []
    tol = float(rules.rule("tolerance")["outside_pct"])
    for _, zone in zones.iterrows():
        if not _applies(zone, check):
            continue
        counties = [c for c in str(zone.get("county", "") or "").split("、") if c] \
            or [rules.region]
        if xzq is None:
            out.append(_audit(rules, check, name, "conditional", zone, "—", "库中无 XZQ 图层"))
            continue
        boundary = xzq[xzq["name"].isin(counties)]
        missing = sorted(set(counties) - set(boundary["name"]))
        if boundary.empty:
            out.append(_audit(rules, check, name, "conditional", zone, "—",
                              f"XZQ 图层中无「{'、'.join(counties)}」的边界，未能核查"))
            continue
        row = PreparedLayer(boundary).overlap(gpd.GeoSeries([zone.geometry],
                                                            crs=STORE_CRS)).iloc[0]
        inside = float(row["overlap_pct"])
        where = "、".join(counties)
        note = _join([_boundary_note(boundary),
                      f"边界缺失：{'、'.join(missing)}" if missing else ""])
        if 100.0 - inside <= tol:
            out.append(_audit(rules, check, name, "pass", zone, f"区内 {inside:.1f}%",
                              f"位于{where}内", note=note, value=inside, unit="%"))
            continue
        outside = _polygonal(zone.geometry.difference(row["pieces"]))
        out.append(_audit(rules, check, name, verdict_out, zone, f"区外 {100 - inside:.1f}%",
                          f"{zone['name']}有 {100 - inside:.1f}% 位于{where}之外",
                          note=note, value=100 - inside, unit="%", geometry=outside))
    return out


def _pairs(left: gpd.GeoDataFrame, right: gpd.GeoDataFrame, *, same: bool, tol: float
           ) -> list[tuple[int, int, BaseGeometry, float]]:
    """Index pairs of overlapping zones with their (areal) intersection and km²."""
    if left.empty or right.empty:
        return []
    tree = shapely.STRtree(right.geometry.to_numpy())
    li, ri = tree.query(left.geometry.to_numpy(), predicate="intersects")
    out = []
    for a, b in zip(li, ri, strict=True):
        ia, ib = left.index[a], right.index[b]
        if same and ia >= ib:
            continue
        if not same and ia == ib:
            continue
        piece = _polygonal(shapely.intersection(left.geometry.iloc[a], right.geometry.iloc[b]))
        if piece.is_empty:
            continue
        km2 = float(ellipsoidal_area_km2(gpd.GeoSeries([piece], crs=STORE_CRS),
                                         validate=False).iloc[0])
        if km2 > tol:
            out.append((ia, ib, piece, km2))
    return out


def _pair_findings(rules: CheckRules, check: str, name: str, verdict: str,
                   left: gpd.GeoDataFrame, right: gpd.GeoDataFrame, *, same: bool,
                   what: str) -> list[Finding]:
    tol = float(rules.rule("tolerance")["overlap_km2"])
    pairs = _pairs(left, right, same=same, tol=tol)
    out: list[Finding] = []
    involved: set[int] = set()
    for ia, ib, piece, km2 in pairs:
        a, b = left.loc[ia], right.loc[ib]
        involved |= {ia, ib}
        pct = 100.0 * km2 / a["_km2"] if a["_km2"] > 0 else 0.0
        out.append(_audit(rules, check, name, verdict, a,
                          f"{km2:.4f} km²（占 {a['zone_id']} {pct:.1f}%）",
                          f"{a['name']}与{what}「{b['name']}」重叠",
                          subject=f"{a['zone_id']} × {b['zone_id']}", value=km2, unit="km²",
                          geometry=piece, others=[b]))
    for ia, zone in left.iterrows():
        if ia not in involved:
            out.append(_audit(rules, check, name, "pass", zone, "0.0000 km²",
                              f"与{what}无重叠", value=0.0, unit="km²"))
    return out


def _a_same_layer(zones: gpd.GeoDataFrame, rules: CheckRules) -> list[Finding]:
    verdict = rules.config["audit"]["same_layer_overlap"]
    out: list[Finding] = []
    for code, group in zones.groupby("layer", sort=False):
        group = group[[_applies(z, "same_layer_overlap") for _, z in group.iterrows()]]
        out += _pair_findings(rules, "same_layer_overlap", "同图层区块重叠", verdict, group,
                              group, same=True, what="同图层区块")
        del code
    return out


def _a_exploration_vs_mining(zones: gpd.GeoDataFrame, rules: CheckRules) -> list[Finding]:
    verdict = rules.config["audit"]["exploration_vs_mining"]
    tk = zones[zones["layer"] == "TKGH"]
    ck = zones[zones["layer"] == "CKGH"]
    return _pair_findings(rules, "exploration_vs_mining_overlap", "勘查与开采规划区块重叠",
                          verdict, tk, ck, same=False, what="开采规划区块")


def _a_existing_rights(zones: gpd.GeoDataFrame, store: Mapping[str, gpd.GeoDataFrame],
                       rules: CheckRules) -> list[Finding]:
    verdict = rules.config["audit"]["existing_rights_overlap"]
    codes = [c for c in rules.rule("existing_rights")["layers"] if c in store]
    planned = zones[[_applies(z, "existing_rights_overlap") for _, z in zones.iterrows()]]
    if not codes:
        return [_audit(rules, "existing_rights_overlap", "与已设矿业权重叠", "conditional", z,
                       "—", "库中无已设矿业权图层") for _, z in planned.iterrows()]
    rights = gpd.GeoDataFrame(pd.concat([store[c].to_crs(STORE_CRS) for c in codes],
                                        ignore_index=True), crs=STORE_CRS)
    rights["geometry"] = shapely.make_valid(rights.geometry.to_numpy())
    rights.index = pd.RangeIndex(len(rights)) + len(zones) + 1  # never equal to a zone index
    rights["_km2"] = 0.0
    return _pair_findings(rules, "existing_rights_overlap", "与已设矿业权重叠", verdict,
                          planned, rights, same=False, what="已设矿业权")


def _a_sand(zones: gpd.GeoDataFrame, store: Mapping[str, gpd.GeoDataFrame],
            rules: CheckRules) -> list[Finding]:
    audit = rules.config["audit"]
    names = rules.minerals
    check, name = "sand_in_concentrated_area", "砂石土区块在集中开采区内"
    layer = store.get(rules.rule("sand")["layer"])
    sand = zones[zones["layer"].isin(audit["sand_layers"])]
    sand = sand[[any(names.in_group(m, "sand_gravel_clay") for m in names.split(z["mineral"]))
                 for _, z in sand.iterrows()]]
    if sand.empty:
        return []
    if layer is None:
        return [_audit(rules, check, name, "conditional", z, "—", "库中无集中开采区图层")
                for _, z in sand.iterrows()]
    result = PreparedLayer(layer).overlap(sand.geometry)
    note = _layer_note(layer, rules)
    tol = float(rules.rule("tolerance")["outside_pct"])
    out = []
    for i, zone in sand.iterrows():
        pct = float(result.loc[i, "overlap_pct"])
        if 100.0 - pct <= tol:
            out.append(_audit(rules, check, name, "pass", zone, f"集中开采区内 {pct:.1f}%",
                              "砂石土开采规划区块位于集中开采区内", note=note, value=pct,
                              unit="%", rule_key="sand"))
            continue
        outside = _polygonal(zone.geometry.difference(result.loc[i, "pieces"]))
        out.append(_audit(rules, check, name, audit["sand_outside"], zone,
                          f"集中开采区内 {pct:.1f}%",
                          f"{zone['name']}（{zone['mineral']}）有 {100 - pct:.1f}% "
                          "不在集中开采区内",
                          note=note, value=pct, unit="%", geometry=outside, rule_key="sand"))
    return out


def _a_area(zones: gpd.GeoDataFrame, rules: CheckRules) -> list[Finding]:
    audit = rules.config["audit"]
    check, name = "stated_vs_geometric_area", "规划面积与图形面积"
    tol = float(audit["area_tolerance_pct"])
    out = []
    for _, zone in zones.iterrows():
        if not _applies(zone, check):
            continue
        geo = float(zone["_km2"])
        stated = zone.get("area_km2")
        if stated is None or pd.isna(stated) or float(stated) <= 0:
            out.append(_audit(rules, check, name, audit["area_missing"], zone,
                              f"图形 {geo:.4f} km²；规划未载面积",
                              "规划未载面积，无法核对图形面积", value=geo, unit="km²"))
            continue
        diff = 100.0 * (geo - float(stated)) / float(stated)
        measured = f"规划 {float(stated):.4f} km²，图形 {geo:.4f} km²（差 {diff:+.2f}%）"
        verdict = "pass" if abs(diff) <= tol else audit["area_mismatch"]
        message = "面积相符" if verdict == "pass" else \
            f"图形椭球面积与规划面积相差 {diff:+.2f}%，超过 {tol:g}%"
        out.append(_audit(rules, check, name, verdict, zone, measured, message,
                          value=diff, unit="%"))
    return out


# =========================================================================== helpers


def _audit_source(rules: CheckRules) -> str:
    files = "、".join(str(p.name if p.name != "checks.toml" else f"{p.parent.name}/checks.toml")
                     for p in rules.config_files)
    return f"geodata/rules/{files} [audit]" if files else "[audit]"


def _with_zone_source(base: str, rows: pd.DataFrame) -> str:
    refs = []
    for _, r in rows.iterrows():
        if "source_file" in r and r.get("source_file"):
            table = r.get("source_table", "") or ""
            refs.append(f"{r.get('zone_id', '')}：{r['source_file']} 第{r.get('source_line', '')}行"
                        + (f"（{table}）" if table else ""))
    return base + ("；" + "；".join(refs) if refs else "")


def _rows_source(rules: CheckRules, rows: pd.DataFrame) -> str:
    refs = [f"{r['path']} {r['rule_id']} → {r['source_file']} "
            f"第{r['source_line']}行（{r['table']}）" for _, r in rows.iterrows()]
    return f"{rules.source('min_scale')}；" + "；".join(dict.fromkeys(refs))


def _layer_note(layer: pd.DataFrame, rules: CheckRules) -> str:
    notes = rules.config.get("data_notes", {})
    out = []
    if "geometry_status" in layer and (layer["geometry_status"] == "示意").any():
        out.append(notes.get("schematic", "图形为示意"))
    if "data_status" in layer and (layer["data_status"] == "演示").any():
        out.append(notes.get("demo", "演示数据"))
    return _join(out)


def _zone_note(zone: pd.Series, rules: CheckRules) -> str:
    notes = rules.config.get("data_notes", {})
    out = []
    if zone.get("geometry_status") == "示意":
        out.append(notes.get("schematic", "图形为示意"))
    if zone.get("data_status") == "演示":
        out.append(notes.get("demo", "演示数据"))
    return _join(out)


def _boundary_note(boundary: pd.DataFrame) -> str:
    if "source" in boundary and boundary["source"].astype(str).str.contains("cnmaps").any():
        return "行政区界线取自 cnmaps，非官方界线"
    return ""


def _join(parts: Iterable[str], sep: str = "；") -> str:
    seen: list[str] = []
    for part in parts:
        for p in str(part or "").split(sep):
            if p and p not in seen:
                seen.append(p)
    return sep.join(seen)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    if geom.is_empty or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _vertex_count(geom: BaseGeometry) -> int:
    """拐点 count: ring points without each ring's closing repeat."""
    total = 0
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon":
            total += len(shapely.get_coordinates(poly))
            continue
        for ring in [poly.exterior, *poly.interiors]:
            total += max(0, len(ring.coords) - 1)
    return total


def _duplicate_points(geom: BaseGeometry) -> int:
    count = 0
    for poly in getattr(geom, "geoms", [geom]):
        rings = [poly.exterior, *poly.interiors] if poly.geom_type == "Polygon" else [poly]
        for ring in rings:
            xy = shapely.get_coordinates(ring)
            if len(xy) > 1:
                count += int((np.abs(np.diff(xy, axis=0)).sum(axis=1) == 0).sum())
    return count


def _distance_m(shape: BaseGeometry, layer: gpd.GeoDataFrame) -> float | None:
    """Shortest distance in metres (Gauss-Kruger plane of the shape's zone)."""
    geoms = [g for g in layer.to_crs(STORE_CRS).geometry if g is not None and not g.is_empty]
    if not geoms or shape.is_empty:
        return None
    centre = shape.centroid
    gk = gk_crs_for_lonlat(centre.x, centre.y)
    here = gpd.GeoSeries([shape], crs=STORE_CRS).to_crs(gk).iloc[0]
    there = gpd.GeoSeries(geoms, crs=STORE_CRS).to_crs(gk)
    return float(there.distance(here).min())


def _stated_areas(frame: gpd.GeoDataFrame) -> pd.Series:
    """Stated area of each feature in km² (NaN when none or in an unknown unit)."""
    nan = pd.Series(np.nan, index=frame.index, dtype="float64")
    if "stated_area" in frame.columns:
        units = frame.get("stated_area_unit", pd.Series("", index=frame.index))
        factor = units.fillna("").astype(str).str.strip().str.lower().map(_AREA_UNITS)
        return pd.to_numeric(frame["stated_area"], errors="coerce") * factor.astype(float)
    col = next((c for c in _STATED_AREA_COLUMNS if c in frame.columns), None)
    return nan if col is None else pd.to_numeric(frame[col], errors="coerce").astype(float)


def _proposal_name(frame: gpd.GeoDataFrame) -> str:
    for col in ("name", "id", "plot", "地块名称", "名称", "编号"):
        if col in frame.columns and str(frame[col].iloc[0] or "").strip():
            return str(frame[col].iloc[0]).strip()
    return "申请范围"


def _parent_of(region: str, store: Mapping[str, gpd.GeoDataFrame]) -> str | None:
    xzq = store.get("XZQ")
    if xzq is None or "parent" not in xzq:
        return None
    hit = xzq[xzq["name"] == region]
    return str(hit["parent"].iloc[0]) if len(hit) else None
