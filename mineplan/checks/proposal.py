"""The pre-grant check of a proposed exploration or mining right.

:func:`check_proposal` applies rules 1–10 of the brief — region, ecological red
line, farmland, urban boundary, planning block, 砂石土, existing rights, minimum
scale, mineral policy, geometry — plus overlap with every other control layer that
has features (``control_layer``), in the order of :data:`PROPOSAL_CHECKS`. The
rules themselves live in :mod:`~mineplan.checks.control`,
:mod:`~mineplan.checks.planning`, :mod:`~mineplan.checks.minerals` and
:mod:`~mineplan.checks.geometry`.

May import: vocab, errors, rules, layers, checks.findings, checks.context and the
rule modules above. Never web, figures or cli.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely

from mineplan.checks.context import ProposalContext, detect_region, parent_of, polygonal
from mineplan.checks.control import (
    check_control,
    check_other_control,
    check_region,
    check_urban,
    other_control_layers,
)
from mineplan.checks.findings import Finding, findings_frame
from mineplan.checks.geometry import check_geometry
from mineplan.checks.minerals import check_min_scale, check_mineral_policy
from mineplan.checks.planning import check_existing_rights, check_planning_block, check_sand
from mineplan.errors import CRSError
from mineplan.layers import LayerSpec, read_layer_specs
from mineplan.rules import RIGHT_TYPES, CheckInputError, CheckRules, load_rules
from mineplan.vocab import STORE_CRS

__all__ = ["OPTIONAL_CHECKS", "PROPOSAL_CHECKS", "check_proposal"]

#: The pre-grant checks, in the order they are reported.
PROPOSAL_CHECKS: tuple[str, ...] = (
    "region", "ecological_redline", "farmland", "urban", "control_layer", "planning_block",
    "sand", "existing_rights", "min_scale", "mineral_policy", "geometry",
)
#: Checks reported only when the store has what they check (other control layers).
OPTIONAL_CHECKS: tuple[str, ...] = ("control_layer",)


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
    shape = polygonal(shape)
    if rules is None:
        prefecture: str | None
        if region is None:
            region, prefecture = detect_region(shape, store_frames)
        else:
            prefecture = parent_of(region, store_frames)
        rules = load_rules(region, prefecture=prefecture)
    ctx = ProposalContext(geo, shape, subject, right_type, mineral, scale, scale_unit,
                          rules, store_frames)
    found: list[Finding] = []
    found += check_region(ctx)
    found += check_control(ctx, "ecological_redline")
    found += check_control(ctx, "farmland")
    found += check_urban(ctx)
    specs = specs if specs is not None else read_layer_specs()
    for code in other_control_layers(store_frames, specs, rules):
        found += check_other_control(ctx, code, specs[code].name)
    found += check_planning_block(ctx)
    found += check_sand(ctx)
    found += check_existing_rights(ctx)
    found += check_min_scale(ctx)
    found += check_mineral_policy(ctx)
    found += check_geometry(ctx)
    return findings_frame(found)


def _proposal_name(frame: gpd.GeoDataFrame) -> str:
    for col in ("name", "id", "plot", "地块名称", "名称", "编号"):
        if col in frame.columns and str(frame[col].iloc[0] or "").strip():
            return str(frame[col].iloc[0]).strip()
    return "申请范围"
