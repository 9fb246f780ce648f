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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mineplan.checks.area import check_renewal
from mineplan.checks.context import (
    ProposalContext,
    cell_text,
    detect_region,
    layer_features,
    parent_of,
    union_shape,
)
from mineplan.checks.control import (
    check_control,
    check_other_control,
    check_region,
    check_urban,
    other_control_layers,
)
from mineplan.checks.findings.model import Finding, findings_frame
from mineplan.checks.geometry import check_geometry
from mineplan.checks.minerals import check_min_scale, check_mineral_policy, check_project
from mineplan.checks.planning import check_existing_rights, check_planning_block, check_sand
from mineplan.errors import CRSError
from mineplan.features import Features
from mineplan.layers import LayerSpec, read_layer_specs
from mineplan.rules import RIGHT_TYPES, CheckInputError, CheckRules, load_rules
from mineplan.vocab import STORE_CRS, VERDICT_ORDER, VERDICTS

if TYPE_CHECKING:  # frames for -o, figures, reports and the web app; the checks need none
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "OPTIONAL_CHECKS", "PLOT_COLUMNS", "PROPOSAL_CHECKS", "SUMMARY_COLUMNS", "check_plots",
    "check_proposal", "plot_findings", "plot_labels", "plot_summary", "plots_frame",
    "proposal_findings",
]

#: The pre-grant checks, in the order they are reported.
PROPOSAL_CHECKS: tuple[str, ...] = (
    "region", "ecological_redline", "farmland", "urban", "control_layer", "planning_block",
    "sand", "existing_rights", "min_scale", "mineral_policy", "geometry", "renewal",
)
#: Checks reported only when there is something to check: other control layers in
#: the store; the previous extent of a renewal (延续).
OPTIONAL_CHECKS: tuple[str, ...] = ("control_layer", "renewal")


def check_proposal(
    proposal: Features | gpd.GeoDataFrame,
    *,
    right_type: str,
    mineral: str,
    scale: float | None = None,
    scale_unit: str | None = None,
    region: str | None = None,
    store_frames: Mapping[str, Any],
    rules: CheckRules | None = None,
    proposal_id: str | None = None,
    specs: Mapping[str, LayerSpec] | None = None,
    project: str = "新建",
    previous: Features | gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Check a proposed exploration or mining right before it is granted.

    Parameters
    ----------
    proposal
        The proposed right's area: one or more polygon features with a CRS
        (their union is the right; each feature is checked as a geometry), as
        :class:`~mineplan.features.Features` or a GeoDataFrame.
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
        Layer code → frame or features (e.g. :class:`~mineplan.checks.StoreFrames`,
        :func:`read_store_frames`): ``XZQ``, ``STHX``,
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
    project
        ``新建`` (a new mine, the default), ``改扩建`` (an extension) or ``延续``
        (renewal of an existing right): which minimum-scale rows bind it and whether
        conditions such as 新增产能 hold (:data:`~mineplan.checks.minerals.PROJECT_TYPES`).
    previous
        For a 延续 (renewal): the right's previous extent. Adds the ``renewal``
        finding (area given up, against ``[rules.renewal]``); ignored otherwise.

    Returns
    -------
    geopandas.GeoDataFrame
        Findings (:data:`mineplan.checks.findings.FINDING_COLUMNS`), EPSG:4490.

    Raises
    ------
    CheckInputError
        Bad right type or project, empty proposal, unknown region, region not detectable.
    CRSError
        The proposal has no CRS.
    """
    return findings_frame(proposal_findings(
        proposal, right_type=right_type, mineral=mineral, scale=scale, scale_unit=scale_unit,
        region=region, store_frames=store_frames, rules=rules, proposal_id=proposal_id,
        specs=specs, project=project, previous=previous))


def proposal_findings(
    proposal: Features | gpd.GeoDataFrame,
    *,
    right_type: str,
    mineral: str,
    scale: float | None = None,
    scale_unit: str | None = None,
    region: str | None = None,
    store_frames: Mapping[str, Any],
    rules: CheckRules | None = None,
    proposal_id: str | None = None,
    specs: Mapping[str, LayerSpec] | None = None,
    project: str = "新建",
    previous: Features | gpd.GeoDataFrame | None = None,
    loaded: dict[tuple[str, str | None], CheckRules] | None = None,
) -> list[Finding]:
    """The findings of :func:`check_proposal` as :class:`Finding` objects, no frame
    built (what ``mineplan check --proposal`` prints needs no pandas). ``loaded`` keeps
    the rules loaded per (region, prefecture), for the next plot of the same file."""
    loaded = {} if loaded is None else loaded
    if not isinstance(proposal, Features):
        proposal = Features.from_frame(proposal)
    if right_type not in RIGHT_TYPES:
        raise CheckInputError(f"right type must be 探矿权 or 采矿权; received {right_type!r}")
    if not str(mineral).strip():
        raise CheckInputError("mineral is empty; give the mineral applied for, e.g. 金")
    if proposal.crs is None:
        raise CRSError("the proposal has no CRS; set it (e.g. EPSG:4516) before checking")
    if len(proposal) == 0:
        raise CheckInputError("the proposal has no features")
    check_project(project)
    if scale is not None and (not math.isfinite(scale) or scale < 0):
        raise CheckInputError(f"scale must be a non-negative number; received {scale!r}")
    geo = proposal.to_crs(STORE_CRS)
    subject = proposal_id or _proposal_name(geo)
    shape = union_shape(geo)
    store = layer_features(store_frames)
    if rules is None:
        prefecture: str | None
        if region is None:
            region, prefecture = detect_region(shape, store)
        else:
            prefecture = parent_of(region, store)
        if (region, prefecture) not in loaded:
            loaded[region, prefecture] = load_rules(region, prefecture=prefecture)
        rules = loaded[region, prefecture]
    ctx = ProposalContext(geo, shape, subject, right_type, mineral, scale, scale_unit,
                          rules, store)
    found: list[Finding] = []
    found += check_region(ctx)
    found += check_control(ctx, "ecological_redline", project)
    found += check_control(ctx, "farmland", project)
    found += check_urban(ctx)
    specs = specs if specs is not None else read_layer_specs()
    for code in other_control_layers(store, specs, rules):
        found += check_other_control(ctx, code, specs[code].name, project)
    found += check_planning_block(ctx)
    found += check_sand(ctx)
    found += check_existing_rights(ctx)
    found += check_min_scale(ctx, project)
    found += check_mineral_policy(ctx, project)
    found += check_geometry(ctx)
    if previous is not None and project == "延续":
        found += check_renewal(ctx, previous)
    return found


def _proposal_name(frame: Features) -> str:
    for col in ("name", "id", "plot", "地块名称", "名称", "编号"):
        if col in frame and cell_text(frame[col][0]).strip():
            return cell_text(frame[col][0]).strip()
    return "申请范围"


#: Columns that name the plot a feature belongs to, in the order they are looked for
#: (a multi-feature SHP, a year's 出让计划 with one row per plot …).
PLOT_COLUMNS: tuple[str, ...] = (
    "plot", "地块", "地块编号", "地块名称", "name", "名称", "编号", "id",
)
#: One row per plot of :func:`check_plots`.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "plot", "verdict", "verdict_key", "fail", "conditional", "pass", "failed_checks",
    "conditional_checks",
)


def plot_labels(plots: Features | gpd.GeoDataFrame, plot_column: str | None = None
                ) -> list[str]:
    """The plot each feature belongs to: ``plot_column``, else the first of
    :data:`PLOT_COLUMNS` present, else one plot per feature (``地块1``, ``地块2`` …);
    a feature whose cell is empty is a plot of its own, named the same way."""
    columns = plots.columns if isinstance(plots, Features) else list(plots.columns)
    if plot_column is not None and plot_column not in columns:
        raise CheckInputError(f"no column {plot_column!r}; the file has {columns}")
    col = plot_column or next((c for c in PLOT_COLUMNS if c in columns), None)
    fallback = [f"地块{i}" for i in range(1, len(plots) + 1)]
    if col is None:
        return fallback
    return [label if (label := cell_text(v).strip()) else own
            for v, own in zip(plots[col], fallback, strict=True)]


def plot_findings(
    plots: Features | gpd.GeoDataFrame,
    *,
    plot_column: str | None = None,
    right_type: str,
    mineral: str,
    scale: float | None = None,
    scale_unit: str | None = None,
    region: str | None = None,
    store_frames: Mapping[str, Any],
    rules: CheckRules | None = None,
    specs: Mapping[str, LayerSpec] | None = None,
    project: str = "新建",
) -> list[tuple[str, list[Finding]]]:
    """The findings of :func:`check_plots`, plot by plot: (label, findings) in file order."""
    if len(plots) == 0:
        raise CheckInputError("the file has no features")
    features = plots if isinstance(plots, Features) else Features.from_frame(plots)
    if specs is None:
        specs = read_layer_specs()
    labels = plot_labels(features, plot_column)
    loaded: dict[tuple[str, str | None], CheckRules] = {}  # plots of one county: loaded once
    out = []
    for label in dict.fromkeys(labels):
        one = features.take([i for i, x in enumerate(labels) if x == label])
        out.append((label, proposal_findings(
            one, right_type=right_type, mineral=mineral, scale=scale, scale_unit=scale_unit,
            region=region, store_frames=store_frames, rules=rules, proposal_id=label,
            specs=specs, project=project, loaded=loaded)))
    return out


def plot_summary(plots: Sequence[tuple[str, Sequence[Finding]]]) -> list[dict[str, Any]]:
    """One row per plot (:data:`SUMMARY_COLUMNS`): the worst verdict, the number of
    findings per verdict and the checks that failed or need review."""
    rows = []
    for label, found in plots:
        keys = [f.verdict_key for f in found]
        worst = next((v for v in VERDICT_ORDER if v in keys), "pass")
        rows.append({
            "plot": label, "verdict": VERDICTS[worst], "verdict_key": worst,
            **{v: keys.count(v) for v in ("fail", "conditional", "pass")},
            "failed_checks": "、".join(dict.fromkeys(
                f.rule for f in found if f.verdict_key == "fail")),
            "conditional_checks": "、".join(dict.fromkeys(
                f.rule for f in found if f.verdict_key == "conditional")),
        })
    return rows


def check_plots(
    plots: Features | gpd.GeoDataFrame,
    *,
    plot_column: str | None = None,
    right_type: str,
    mineral: str,
    scale: float | None = None,
    scale_unit: str | None = None,
    region: str | None = None,
    store_frames: Mapping[str, Any],
    rules: CheckRules | None = None,
    specs: Mapping[str, LayerSpec] | None = None,
    project: str = "新建",
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check many plots of one file, plot by plot (never merged into one polygon).

    Parameters
    ----------
    plots
        Features of several plots (a multi-feature SHP, a coordinate file with several
        blocks …). Features with the same plot label (:func:`plot_labels`) are one plot.
    plot_column
        The column naming the plot; default: the first of :data:`PLOT_COLUMNS`.
    right_type, mineral, scale, scale_unit, region, store_frames, rules, specs, project
        As for :func:`check_proposal`, the same for every plot. Without ``region``
        each plot's county is detected from its own geometry.

    Returns
    -------
    (findings, summary)
        ``findings``: every plot's findings in one frame, column ``plot`` first;
        ``summary``: one row per plot (:data:`SUMMARY_COLUMNS`): the worst verdict,
        the number of findings per verdict and the checks that failed or need review.
    """
    import pandas as pd

    found = plot_findings(
        plots, plot_column=plot_column, right_type=right_type, mineral=mineral, scale=scale,
        scale_unit=scale_unit, region=region, store_frames=store_frames, rules=rules,
        specs=specs, project=project)
    return plots_frame(found), pd.DataFrame(plot_summary(found), columns=list(SUMMARY_COLUMNS))


def plots_frame(plots: Sequence[tuple[str, Sequence[Finding]]]) -> gpd.GeoDataFrame:
    """Every plot's findings in one findings frame, column ``plot`` first."""
    import geopandas as gpd
    import pandas as pd

    frames = []
    for label, found in plots:
        frame = findings_frame(found)
        frame.insert(0, "plot", label)
        frames.append(frame)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                            crs=frames[0].crs)
