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

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mineplan.catalog import plan_index
from mineplan.checks.context import (
    boundary_note,
    cite,
    join_notes,
    layer_note,
    polygonal,
    zone_note,
    zone_reference,
)
from mineplan.checks.control import control_message, other_control_layers
from mineplan.checks.findings import Finding, findings_frame
from mineplan.checks.overlay import PreparedLayer, prepared_layer
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.layers import LayerSpec, read_layer_specs
from mineplan.rules import CheckInputError, CheckRules, load_rules
from mineplan.vocab import STORE_CRS, VERDICT_ORDER, format_area

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
    shared = _Shared(store_frames, specs)
    if str(region).strip().lower() == "all":
        present = {str(r) for code, spec in specs.items() if spec.is_zone_layer
                   and code in store_frames for r in store_frames[code]["region"].unique()}
        found = [_check_region(store_frames, load_rules(info.region), specs, shared)
                 for info in plan_index().values() if info.region in present]
        return findings_frame([f for one in found for f in one])
    return findings_frame(_check_region(store_frames, rules or load_rules(region), specs,
                                        shared))


def _check_region(store: Mapping[str, gpd.GeoDataFrame], rules: CheckRules,
                  specs: Mapping[str, LayerSpec], shared: _Shared) -> list[Finding]:
    """The findings of one plan's zones, in the order of the audits."""
    plan = _Plan(shared.zones(rules.region), rules)
    found: list[Finding] = []
    found += _a_redlines(plan, store, specs, shared)
    found += _a_inside_county(plan, store)
    found += _a_same_layer(plan)
    found += _a_exploration_vs_mining(plan)
    found += _a_existing_rights(plan, store)
    found += _a_sand(plan, store, shared)
    found += _a_area(plan)
    return found


class _Shared:
    """What the plans of one check share, worked out on first use: one
    :class:`PreparedLayer` per control layer, and each zone layer in EPSG:4490 with its
    geometry repaired and measured."""

    def __init__(self, store: Mapping[str, gpd.GeoDataFrame],
                 specs: Mapping[str, LayerSpec]) -> None:
        self._store = store
        self._specs = specs
        self._prepared: dict[str, PreparedLayer] = {}
        self._zones: gpd.GeoDataFrame | None = None

    def prepared(self, code: str) -> PreparedLayer:
        """The store's layer ``code``, prepared for overlap queries."""
        if code not in self._prepared:
            frame = self._store[code]
            known = getattr(self._store, "invalid_features", None)  # StoreFrames knows
            invalid = known(code) if callable(known) else None
            self._prepared[code] = prepared_layer(frame, invalid=invalid)
        return self._prepared[code]

    def zones(self, region: str) -> gpd.GeoDataFrame:
        """Every zone of ``region``'s plan, with ``layer``, ``_checks`` and ``_km2``."""
        if self._zones is None:
            parts = [_zone_layer(self._store[code], code, spec)
                     for code, spec in self._specs.items()
                     if spec.is_zone_layer and code in self._store]
            if not parts:
                raise CheckInputError(
                    f"the store has no zones of {region}; build it with that plan")
            self._zones = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=STORE_CRS)
        zones = self._zones[(self._zones["region"] == region).to_numpy()]
        return zones.reset_index(drop=True)


def _zone_layer(frame: gpd.GeoDataFrame, code: str, spec: LayerSpec) -> gpd.GeoDataFrame:
    """A zone layer in EPSG:4490, repaired, with its code, its checks and its area (km²)."""
    frame = frame.to_crs(STORE_CRS).copy()
    frame["layer"] = code
    frame["_checks"] = [spec.checks] * len(frame)
    frame["geometry"] = shapely.make_valid(frame.geometry.to_numpy())
    frame["_km2"] = ellipsoidal_area_km2(frame, validate=False).to_numpy()
    return frame


class _Row(NamedTuple):
    """A zone (or existing right) with its data note and catalogue line, worked out once."""

    row: pd.Series
    note: str
    reference: str


#: The zone columns the audits select by.
_SELECT = ("layer", "_checks", "county", "mineral", "_km2")


class _Plan:
    """One plan's zones as rows worked out once, and the rules that apply to them."""

    def __init__(self, zones: gpd.GeoDataFrame, rules: CheckRules) -> None:
        self.rules = rules
        self.rows = _rows(zones, rules)
        #: The columns the audits select and measure by (fast to subset); the rest
        #: is read from :attr:`rows`.
        self.zones = zones[[c for c in _SELECT if c in zones] + ["geometry"]]
        self.source = _audit_source(rules)

    def applying(self, check: str, zones: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
        """The zones (of ``zones``, default all) whose layer's definition lists ``check``."""
        zones = self.zones if zones is None else zones
        return zones[[check in c for c in zones["_checks"]]]

    def audit(self, check: str, rule: str, verdict: str, zone: _Row, measured: str,
              message: str, *, note: str = "", value: float | None = None, unit: str = "",
              geometry: BaseGeometry | None = None, subject: str | None = None,
              rule_key: str | None = None, others: Sequence[_Row] = (),
              source: str | None = None) -> Finding:
        """A finding about ``zone`` (and ``others``), citing their catalogue lines."""
        base = source or (self.rules.source(rule_key) if rule_key else self.source)
        return Finding(check=check, rule=rule, verdict_key=verdict,
                       subject=subject or str(zone.row["zone_id"]), measured=measured,
                       source=cite(base, [zone.reference, *(o.reference for o in others)]),
                       message=message,
                       data_note=join_notes([zone.note, *(o.note for o in others), note]),
                       value=value, unit=unit, geometry=geometry)


def _rows(frame: pd.DataFrame, rules: CheckRules) -> dict[Hashable, _Row]:
    return {i: _Row(row, zone_note(row, rules), zone_reference(row))
            for i, row in frame.iterrows()}


def _a_redlines(plan: _Plan, store: Mapping[str, gpd.GeoDataFrame],
                specs: Mapping[str, LayerSpec], shared: _Shared) -> list[Finding]:
    rules = plan.rules
    audit = rules.config["audit"]
    by_zone = audit["redline_verdict"]
    keys = {r["layer"]: k for k in ("ecological_redline", "farmland", "urban")
            for r in [rules.rule(k)]}
    out: list[Finding] = []
    subset = plan.applying("redline_overlap")
    for code in audit["redline_layers"]:
        key = keys.get(code)
        name = rules.rule(key)["name"] if key else code
        if code not in store:
            out += [plan.audit("redline_overlap", name, "conditional", plan.rows[i], "—",
                               f"库中无 {code} 图层，未能核查") for i in subset.index]
            continue
        out += _zone_overlaps(
            plan, subset, code, store[code], shared, name,
            lambda zone: str(by_zone.get(zone["layer"], by_zone["default"])),
            exceptions=rules.rule(key).get("exceptions", []) if key else [], rule_key=key)
    for code in other_control_layers(store, specs, rules):
        rule = rules.control_rule(code)
        name = specs[code].name
        verdict = str(rule["overlap"])

        def milder(zone: pd.Series, verdict: str = verdict) -> str:
            return _milder(verdict, str(by_zone.get(zone["layer"], by_zone["default"])))

        out += _zone_overlaps(
            plan, subset, code, store[code], shared, name, milder,
            exceptions=rule.get("exceptions", []), advice=control_message(rule, name),
            source=rules.control_source(code))
    return out


def _zone_overlaps(plan: _Plan, subset: gpd.GeoDataFrame, code: str, layer: gpd.GeoDataFrame,
                   shared: _Shared, name: str,
                   verdict_of: Callable[[pd.Series], str], *,
                   exceptions: Iterable[Mapping[str, Any]], rule_key: str | None = None,
                   source: str | None = None, advice: str = "") -> list[Finding]:
    """One ``redline_overlap`` row per zone: km² and % of the zone in ``layer``."""
    rules = plan.rules
    tol = float(rules.rule("tolerance")["overlap_km2"])
    note = layer_note(layer, rules)
    result = shared.prepared(code).overlap(subset.geometry)
    km2s, pcts = result["overlap_km2"].to_numpy(), result["overlap_pct"].to_numpy()
    out: list[Finding] = []
    for i, km2, pct, pieces in zip(subset.index, km2s, pcts, result["pieces"], strict=True):
        zone = plan.rows[i]
        km2, pct = float(km2), float(pct)
        measured = f"{format_area(km2)}（占区块 {pct:.1f}%）"
        if km2 <= tol:
            out.append(plan.audit("redline_overlap", name, "pass", zone, measured,
                                  f"与{name}无重叠", note=note, value=pct, unit="%",
                                  rule_key=rule_key, source=source))
            continue
        verdict = verdict_of(zone.row)
        message = f"{zone.row['name']}与{name}重叠 {format_area(km2)}，占区块面积 {pct:.1f}%"
        if advice and verdict != "pass":
            message = f"{message}；{advice}"
        if verdict == "fail":
            exc = _zone_exception(zone.row, rules, exceptions)
            if exc is not None:
                verdict, message = exc["verdict"], f"{message}；{exc['message']}"
        out.append(plan.audit("redline_overlap", name, verdict, zone, measured, message,
                              note=note, value=pct, unit="%", geometry=pieces,
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


def _a_inside_county(plan: _Plan, store: Mapping[str, gpd.GeoDataFrame]) -> list[Finding]:
    rules = plan.rules
    check, name = "inside_county", "位于所在县（市）内"
    verdict_out = rules.config["audit"]["outside_county"]
    xzq = store.get("XZQ")
    tol = float(rules.rule("tolerance")["outside_pct"])
    zones = plan.applying(check)
    if xzq is None:
        return [plan.audit(check, name, "conditional", plan.rows[i], "—", "库中无 XZQ 图层")
                for i in zones.index]
    stated = zones["county"] if "county" in zones else pd.Series("", index=zones.index)
    counties = {i: tuple(c for c in str(county or "").split("、") if c) or (rules.region,)
                for i, county in stated.items()}
    # Zones in the same counties are measured against one prepared boundary, in one pass.
    covered: dict[Hashable, pd.Series] = {}
    boundaries: dict[tuple[str, ...], gpd.GeoDataFrame] = {}
    notes: dict[tuple[str, ...], str] = {}
    for group in dict.fromkeys(counties.values()):
        boundary = boundaries[group] = xzq[xzq["name"].isin(group)]
        if boundary.empty:
            continue
        missing = sorted(set(group) - set(boundary["name"]))
        notes[group] = join_notes([boundary_note(boundary),
                                   f"边界缺失：{'、'.join(missing)}" if missing else ""])
        ids = [i for i, c in counties.items() if c == group]
        result = PreparedLayer(boundary).overlap(zones.geometry.loc[ids])
        covered.update((i, row) for i, row in result.iterrows())
    out: list[Finding] = []
    for i in zones.index:
        zone, boundary = plan.rows[i], boundaries[counties[i]]
        where = "、".join(counties[i])
        if boundary.empty:
            out.append(plan.audit(check, name, "conditional", zone, "—",
                                  f"XZQ 图层中无「{where}」的边界，未能核查"))
            continue
        row, note = covered[i], notes[counties[i]]
        inside = float(row["overlap_pct"])
        if 100.0 - inside <= tol:
            out.append(plan.audit(check, name, "pass", zone, f"区内 {inside:.1f}%",
                                  f"位于{where}内", note=note, value=inside, unit="%"))
            continue
        outside = polygonal(zone.row.geometry.difference(row["pieces"]))
        out.append(plan.audit(check, name, verdict_out, zone, f"区外 {100 - inside:.1f}%",
                              f"{zone.row['name']}有 {100 - inside:.1f}% 位于{where}之外",
                              note=note, value=100 - inside, unit="%", geometry=outside))
    return out


def _pairs(left: gpd.GeoDataFrame, right: gpd.GeoDataFrame, *, same: bool, tol: float
           ) -> list[tuple[Hashable, Hashable, BaseGeometry, float]]:
    """Index pairs of overlapping zones with their (areal) intersection and km²."""
    if left.empty or right.empty:
        return []
    lg, rg = left.geometry.to_numpy(), right.geometry.to_numpy()
    li, ri = shapely.STRtree(rg).query(lg, predicate="intersects")
    ia, ib = left.index.to_numpy()[li], right.index.to_numpy()[ri]
    keep = ia < ib if same else ia != ib
    li, ri, ia, ib = li[keep], ri[keep], ia[keep], ib[keep]
    pieces = [polygonal(p) for p in shapely.intersection(lg[li], rg[ri])]
    nonempty = [k for k, p in enumerate(pieces) if not p.is_empty]
    if not nonempty:
        return []
    km2 = ellipsoidal_area_km2(gpd.GeoSeries([pieces[k] for k in nonempty], crs=STORE_CRS),
                               validate=False).to_numpy()
    return [(ia[k], ib[k], pieces[k], float(a)) for k, a in zip(nonempty, km2, strict=True)
            if a > tol]


def _pair_findings(plan: _Plan, check: str, name: str, verdict: str,
                   left: gpd.GeoDataFrame, right: gpd.GeoDataFrame, *, same: bool,
                   what: str, right_rows: Mapping[Hashable, _Row] | None = None
                   ) -> list[Finding]:
    tol = float(plan.rules.rule("tolerance")["overlap_km2"])
    pairs = _pairs(left, right, same=same, tol=tol)
    others = plan.rows if right_rows is None else right_rows
    out: list[Finding] = []
    involved: set[Hashable] = set()
    for ia, ib, piece, km2 in pairs:
        a, b = plan.rows[ia], others[ib]
        involved |= {ia, ib}
        zone_km2 = a.row["_km2"]
        pct = 100.0 * km2 / zone_km2 if zone_km2 > 0 else 0.0
        out.append(plan.audit(check, name, verdict, a,
                              f"{format_area(km2)}（占 {a.row['zone_id']} {pct:.1f}%）",
                              f"{a.row['name']}与{what}「{b.row['name']}」重叠",
                              subject=f"{a.row['zone_id']} × {b.row['zone_id']}", value=km2,
                              unit="km²", geometry=piece, others=[b]))
    for ia in left.index:
        if ia not in involved:
            out.append(plan.audit(check, name, "pass", plan.rows[ia], "0.0000 km²",
                                  f"与{what}无重叠", value=0.0, unit="km²"))
    return out


def _a_same_layer(plan: _Plan) -> list[Finding]:
    verdict = plan.rules.config["audit"]["same_layer_overlap"]
    out: list[Finding] = []
    for _, group in plan.zones.groupby("layer", sort=False):
        group = plan.applying("same_layer_overlap", group)
        out += _pair_findings(plan, "same_layer_overlap", "同图层区块重叠", verdict, group,
                              group, same=True, what="同图层区块")
    return out


def _a_exploration_vs_mining(plan: _Plan) -> list[Finding]:
    verdict = plan.rules.config["audit"]["exploration_vs_mining"]
    tk = plan.zones[plan.zones["layer"] == "TKGH"]
    ck = plan.zones[plan.zones["layer"] == "CKGH"]
    return _pair_findings(plan, "exploration_vs_mining_overlap", "勘查与开采规划区块重叠",
                          verdict, tk, ck, same=False, what="开采规划区块")


def _a_existing_rights(plan: _Plan, store: Mapping[str, gpd.GeoDataFrame]) -> list[Finding]:
    rules = plan.rules
    verdict = rules.config["audit"]["existing_rights_overlap"]
    codes = [c for c in rules.rule("existing_rights")["layers"] if c in store]
    planned = plan.applying("existing_rights_overlap")
    if not codes:
        return [plan.audit("existing_rights_overlap", "与已设矿业权重叠", "conditional",
                           plan.rows[i], "—", "库中无已设矿业权图层") for i in planned.index]
    rights = gpd.GeoDataFrame(pd.concat([store[c].to_crs(STORE_CRS) for c in codes],
                                        ignore_index=True), crs=STORE_CRS)
    rights["geometry"] = shapely.make_valid(rights.geometry.to_numpy())
    rights.index = pd.RangeIndex(len(rights)) + len(plan.zones) + 1  # never a zone's index
    rights["_km2"] = 0.0
    # only the rights that touch a zone are ever cited
    tree = shapely.STRtree(rights.geometry.to_numpy())
    touching = np.unique(tree.query(planned.geometry.to_numpy(), predicate="intersects")[1])
    return _pair_findings(plan, "existing_rights_overlap", "与已设矿业权重叠", verdict,
                          planned, rights, same=False, what="已设矿业权",
                          right_rows=_rows(rights.iloc[touching], rules))


def _a_sand(plan: _Plan, store: Mapping[str, gpd.GeoDataFrame],
            shared: _Shared) -> list[Finding]:
    rules = plan.rules
    audit = rules.config["audit"]
    names = rules.minerals
    check, name = "sand_in_concentrated_area", "砂石土区块在集中开采区内"
    code = rules.rule("sand")["layer"]
    layer = store.get(code)
    sand = plan.zones[plan.zones["layer"].isin(audit["sand_layers"])]
    sand = sand[[any(names.in_group(m, "sand_gravel_clay") for m in names.split(mineral))
                 for mineral in sand["mineral"]]]
    if sand.empty:
        return []
    if layer is None:
        return [plan.audit(check, name, "conditional", plan.rows[i], "—", "库中无集中开采区图层")
                for i in sand.index]
    result = shared.prepared(code).overlap(sand.geometry)
    note = layer_note(layer, rules)
    tol = float(rules.rule("tolerance")["outside_pct"])
    out = []
    for i, pct, pieces in zip(sand.index, result["overlap_pct"].to_numpy(), result["pieces"],
                              strict=True):
        zone = plan.rows[i]
        pct = float(pct)
        if 100.0 - pct <= tol:
            out.append(plan.audit(check, name, "pass", zone, f"集中开采区内 {pct:.1f}%",
                                  "砂石土开采规划区块位于集中开采区内", note=note, value=pct,
                                  unit="%", rule_key="sand"))
            continue
        outside = polygonal(zone.row.geometry.difference(pieces))
        out.append(plan.audit(check, name, audit["sand_outside"], zone,
                              f"集中开采区内 {pct:.1f}%",
                              f"{zone.row['name']}（{zone.row['mineral']}）有 {100 - pct:.1f}% "
                              "不在集中开采区内",
                              note=note, value=pct, unit="%", geometry=outside,
                              rule_key="sand"))
    return out


def _a_area(plan: _Plan) -> list[Finding]:
    audit = plan.rules.config["audit"]
    check, name = "stated_vs_geometric_area", "规划面积与图形面积"
    tol = float(audit["area_tolerance_pct"])
    out = []
    for i in plan.applying(check).index:
        zone = plan.rows[i]
        geo = float(zone.row["_km2"])
        stated = zone.row.get("area_km2")
        if stated is None or pd.isna(stated) or float(stated) <= 0:
            out.append(plan.audit(check, name, audit["area_missing"], zone,
                                  f"图形 {format_area(geo)}；规划未载面积",
                                  "规划未载面积，无法核对图形面积", value=geo, unit="km²"))
            continue
        diff = 100.0 * (geo - float(stated)) / float(stated)
        measured = f"规划 {format_area(float(stated))}，图形 {format_area(geo)}（差 {diff:+.2f}%）"
        verdict = "pass" if abs(diff) <= tol else audit["area_mismatch"]
        message = "面积相符" if verdict == "pass" else \
            f"图形椭球面积与规划面积相差 {diff:+.2f}%，超过 {tol:g}%"
        out.append(plan.audit(check, name, verdict, zone, measured, message,
                              value=diff, unit="%"))
    return out


def _audit_source(rules: CheckRules) -> str:
    files = "、".join(str(p.name if p.name != "checks.toml" else f"{p.parent.name}/checks.toml")
                     for p in rules.config_files)
    return f"geodata/rules/{files} [audit]" if files else "[audit]"
