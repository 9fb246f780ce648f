"""Pre-grant rules against control layers: the county, 三区三线 and every other control layer.

* :func:`check_region` — the proposal lies in the county whose plan applies;
* :func:`check_control` — overlap with 生态保护红线 or 永久基本农田 (exceptions by
  right type and mineral group);
* :func:`check_urban` — overlap with or distance to 城镇开发边界 and the urban rule's
  extra buffered layers;
* :func:`check_other_control` — overlap with a control layer other than those
  (``[rules.control_default]`` / ``[rules.control.<CODE>]``), for each layer
  :func:`other_control_layers` names.

Each takes a :class:`mineplan.checks.context.ProposalContext` and returns findings.

May import: vocab, rules, layers, geodesy, checks.findings, checks.overlay,
checks.context. Never web, figures or cli.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from mineplan.checks.context import ProposalContext, boundary_note, layer_note, polygonal
from mineplan.checks.findings.model import Finding
from mineplan.checks.overlay import PreparedLayer
from mineplan.features import Features
from mineplan.geodesy import gk_crs_for_lonlat
from mineplan.layers import LayerSpec
from mineplan.rules import CheckRules
from mineplan.vocab import STORE_CRS, format_area

__all__ = [
    "check_control",
    "check_other_control",
    "check_region",
    "check_urban",
    "control_message",
    "other_control_layers",
    "proposal_exception",
]


def check_region(ctx: ProposalContext) -> list[Finding]:
    """Rule 1: the proposal lies in the county whose plan applies (XZQ boundary)."""
    rule = ctx.rules.rule("region")
    xzq = ctx.store.get("XZQ")
    if xzq is None:
        return ctx.missing_layer("region", "XZQ")
    boundary = xzq.where("name", ctx.rules.region)
    if boundary.empty:
        return [ctx.finding("region", "conditional", "—",
                            f"XZQ 图层中无「{ctx.rules.region}」的边界，未能核查")]
    cov = PreparedLayer(boundary).overlap_one(ctx.shape)
    outside_pct = 100.0 - cov.overlap_pct if ctx.area > 0 else 0.0
    note = boundary_note(boundary)
    if outside_pct <= float(ctx.tol["outside_pct"]):
        return [ctx.finding("region", "pass", f"区内 {cov.overlap_pct:.2f}%",
                            f"申请范围位于{ctx.rules.region}行政区内", note=note,
                            value=cov.overlap_pct, unit="%")]
    outside = polygonal(ctx.shape.difference(shapely.union_all(cov.pieces)))
    return [ctx.finding(
        "region", rule["outside"], f"区外 {outside_pct:.2f}%",
        f"申请范围有 {outside_pct:.2f}% 位于{ctx.rules.region}行政区外，须由所在县审查",
        note=note, value=outside_pct, unit="%", geometry=outside)]


def check_control(ctx: ProposalContext, key: str, project: str = "新建") -> list[Finding]:
    """Overlap with the layer of ``[rules.<key>]`` (生态保护红线 or 永久基本农田)."""
    rule = ctx.rules.rule(key)
    layer = ctx.store.get(rule["layer"])
    if layer is None:
        return ctx.missing_layer(key, rule["layer"])
    note = layer_note(layer, ctx.rules)
    row = PreparedLayer(layer).overlap_one(ctx.shape)
    km2, pct = row.overlap_km2, row.overlap_pct
    measured = f"{format_area(km2)}（占申请范围 {pct:.1f}%）"
    if km2 <= float(ctx.tol["overlap_km2"]):
        return [ctx.finding(key, "pass", measured, f"申请范围与{rule['name']}无重叠",
                            note=note, value=km2, unit="km²")]
    verdict, why = rule["default"], f"申请范围与{rule['name']}重叠，{ctx.mineral}不属于例外矿种"
    if _only_for_other_projects(ctx, rule.get("exceptions", []), project):
        why = (f"申请范围与{rule['name']}重叠；{ctx.mineral}的例外仅适用于"
               f"{_only_for_other_projects(ctx, rule.get('exceptions', []), project)}，"
               f"不适用于{project}")
    exc = proposal_exception(ctx, rule.get("exceptions", []), project)
    if exc is not None:
        verdict, why = exc["verdict"], f"申请范围与{rule['name']}重叠；{exc['message']}"
    return [ctx.finding(key, verdict, measured, why, note=note, value=km2, unit="km²",
                        geometry=row.pieces)]


def proposal_exception(ctx: ProposalContext, exceptions: Iterable[Mapping[str, Any]],
                       project: str = "新建") -> Mapping[str, Any] | None:
    """The first exception whose right types, mineral group and project kinds match.

    An exception with ``projects`` (e.g. ``["延续"]`` for 已依法设立的… rights)
    applies only to those kinds of project; without it, to every kind.
    """
    for exc in exceptions:
        if ctx.right_type in exc["rights"] and project in exc.get("projects", [project]) \
                and ctx.rules.minerals.in_group(ctx.mineral, exc["group"]):
            return exc
    return None


def _only_for_other_projects(ctx: ProposalContext, exceptions: Iterable[Mapping[str, Any]],
                             project: str) -> str:
    """The project kinds of exceptions that would match but for the project ("" if none)."""
    kinds = [k for exc in exceptions
             if ctx.right_type in exc["rights"] and project not in exc.get("projects", [project])
             and ctx.rules.minerals.in_group(ctx.mineral, exc["group"])
             for k in exc["projects"]]
    return "、".join(dict.fromkeys(kinds))


def other_control_layers(store: Mapping[str, Any], specs: Mapping[str, LayerSpec],
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


def control_message(rule: Mapping[str, Any], name: str) -> str:
    """The rule's ``message`` with ``{layer}`` replaced by the layer's name."""
    return str(rule.get("message", "与{layer}重叠")).replace("{layer}", name)


def check_other_control(ctx: ProposalContext, code: str, name: str,
                        project: str = "新建") -> list[Finding]:
    """Overlap with a control layer other than 三区三线 (``[rules.control.<code>]``)."""
    key = "control_layer"
    rule = ctx.rules.control_rule(code)
    layer = ctx.store[code]
    note = layer_note(layer, ctx.rules)
    source = ctx.rules.control_source(code)
    row = PreparedLayer(layer).overlap_one(ctx.shape)
    km2, pct = row.overlap_km2, row.overlap_pct
    measured = f"{format_area(km2)}（占申请范围 {pct:.1f}%）"
    if km2 <= float(ctx.tol["overlap_km2"]):
        return [ctx.finding(key, "pass", measured, f"申请范围与{name}无重叠", note=note,
                            value=km2, unit="km²", source=source, rule=name)]
    verdict, why = rule["overlap"], f"申请范围{control_message(rule, name)}"
    exc = proposal_exception(ctx, rule.get("exceptions", []), project)
    if exc is not None:
        verdict, why = exc["verdict"], f"申请范围与{name}重叠；{exc['message']}"
    return [ctx.finding(key, verdict, measured, why, note=note, value=km2, unit="km²",
                        geometry=row.pieces, source=source, rule=name)]


def check_urban(ctx: ProposalContext) -> list[Finding]:
    """Overlap with 城镇开发边界, else distance to it; and the buffers of ``extra`` layers."""
    rule = ctx.rules.rule("urban")
    out: list[Finding] = []
    layer = ctx.store.get(rule["layer"])
    if layer is None:
        out += ctx.missing_layer("urban", rule["layer"])
    else:
        note = layer_note(layer, ctx.rules)
        row = PreparedLayer(layer).overlap_one(ctx.shape)
        km2 = row.overlap_km2
        buffer_m = float(rule.get("buffer_m", 0) or 0)
        if km2 > float(ctx.tol["overlap_km2"]):
            out.append(ctx.finding(
                "urban", rule["inside"],
                f"{format_area(km2)}（占申请范围 {row.overlap_pct:.1f}%）",
                f"申请范围与{rule['name']}重叠，城镇开发边界内不得新设固体矿产矿业权",
                note=note, value=km2, unit="km²", geometry=row.pieces))
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
                                     layer_note(frame, ctx.rules),
                                     rule=f"{extra['name']}缓冲区"))
    return out


def _distance_finding(ctx: ProposalContext, key: str, layer: Features, name: str,
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


def _distance_m(shape: BaseGeometry, layer: Features) -> float | None:
    """Shortest distance in metres (Gauss-Kruger plane of the shape's zone)."""
    geoms = [g for g in layer.to_crs(STORE_CRS).geometry if g is not None and not g.is_empty]
    if not geoms or shape.is_empty:
        return None
    centre = shape.centroid
    gk = gk_crs_for_lonlat(centre.x, centre.y)
    here = Features([shape], crs=STORE_CRS).to_crs(gk).geometry[0]
    there = Features(geoms, crs=STORE_CRS).to_crs(gk).geometry
    return float(np.min(shapely.distance(there, here)))
