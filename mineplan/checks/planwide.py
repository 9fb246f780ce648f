"""The plan-wide check: every zone of a plan against the rules.

:func:`check_plan` audits every zone against the red lines (and every other control
layer in the store, e.g. 自然保护区), its county, the other zones of its layer,
exploration vs mining blocks, existing rights, 砂石土 zones vs 集中开采区 and its
stated area. One finding per zone and applicable check (pass rows included, so every
zone is accounted for) and one per conflicting pair; a layer definition's ``checks``
say which audits apply to its zones.

May import: vocab, errors, catalog, rules, layers, geodesy, checks.findings,
checks.overlay, checks.context, checks.control. Never web, figures or cli.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mineplan.catalog import plan_index
from mineplan.checks.context import (
    boundary_note,
    join_notes,
    layer_note,
    polygonal,
    with_zone_source,
    zone_note,
)
from mineplan.checks.control import control_message, other_control_layers
from mineplan.checks.findings import Finding, findings_frame
from mineplan.checks.overlay import PreparedLayer
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.layers import LayerSpec, read_layer_specs
from mineplan.rules import CheckInputError, CheckRules, load_rules
from mineplan.vocab import STORE_CRS, VERDICT_ORDER

__all__ = ["check_plan"]

#: Verdict → severity, 0 the mildest (VERDICT_ORDER is worst first).
_SEVERITY: dict[str, int] = {key: len(VERDICT_ORDER) - 1 - i for i, key in enumerate(VERDICT_ORDER)}


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
    src = with_zone_source(base, pd.DataFrame([zone, *others]))
    return Finding(check=check, rule=rule, verdict_key=verdict,
                   subject=subject or str(zone["zone_id"]), measured=measured,
                   source=src, message=message,
                   data_note=join_notes([zone_note(zone, rules),
                                         *(zone_note(o, rules) for o in others), note]),
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
            exceptions=rule.get("exceptions", []), advice=control_message(rule, name),
            source=rules.control_source(code))
    return out


def _zone_overlaps(rules: CheckRules, subset: gpd.GeoDataFrame, layer: gpd.GeoDataFrame,
                   name: str, verdict_of: Callable[[pd.Series], str], *,
                   exceptions: Iterable[Mapping[str, Any]], rule_key: str | None = None,
                   source: str | None = None, advice: str = "") -> list[Finding]:
    """One ``redline_overlap`` row per zone: km² and % of the zone in ``layer``."""
    tol = float(rules.rule("tolerance")["overlap_km2"])
    note = layer_note(layer, rules)
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
        note = join_notes([boundary_note(boundary),
                           f"边界缺失：{'、'.join(missing)}" if missing else ""])
        if 100.0 - inside <= tol:
            out.append(_audit(rules, check, name, "pass", zone, f"区内 {inside:.1f}%",
                              f"位于{where}内", note=note, value=inside, unit="%"))
            continue
        outside = polygonal(zone.geometry.difference(row["pieces"]))
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
        piece = polygonal(shapely.intersection(left.geometry.iloc[a], right.geometry.iloc[b]))
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
    note = layer_note(layer, rules)
    tol = float(rules.rule("tolerance")["outside_pct"])
    out = []
    for i, zone in sand.iterrows():
        pct = float(result.loc[i, "overlap_pct"])
        if 100.0 - pct <= tol:
            out.append(_audit(rules, check, name, "pass", zone, f"集中开采区内 {pct:.1f}%",
                              "砂石土开采规划区块位于集中开采区内", note=note, value=pct,
                              unit="%", rule_key="sand"))
            continue
        outside = polygonal(zone.geometry.difference(result.loc[i, "pieces"]))
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


def _audit_source(rules: CheckRules) -> str:
    files = "、".join(str(p.name if p.name != "checks.toml" else f"{p.parent.name}/checks.toml")
                     for p in rules.config_files)
    return f"geodata/rules/{files} [audit]" if files else "[audit]"
