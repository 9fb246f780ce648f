"""The check the 检查 page runs: its form checked, the proposal checked, the map page made.

:func:`form_problems` says in Chinese what the form still lacks; :class:`CheckRequest`
is the form's answers (right type, mineral, scale, region, name) with the titles they
give the report; :func:`check_with_map` runs :func:`mineplan.checks.check_proposal` and
draws the conflict map as one offline page. The page shows a spinner around each step
and keeps the result (:class:`mineplan.web.report.CheckOutcome`).

May import :mod:`mineplan.checks`, :mod:`mineplan.layers` and the web map modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd

from mineplan import checks
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.web.assets import render_offline_html
from mineplan.web.checkmap import check_map_layers
from mineplan.web.webmap import zone_map

__all__ = ["DEFAULT_SUBJECT", "CheckRequest", "check_with_map", "file_plot_name",
           "form_problems"]

#: What the proposal is called when the form leaves its name empty.
DEFAULT_SUBJECT = "申请范围"


def file_plot_name(proposal: gpd.GeoDataFrame) -> str:
    """The plot's own name in the file (地块名称, a name column …), or ''.

    The first non-empty value of the first column of
    :data:`mineplan.checks.proposal.PLOT_COLUMNS` the file has; several different
    names are joined with 、.
    """
    from mineplan.checks.proposal import PLOT_COLUMNS

    for column in PLOT_COLUMNS:
        if column in proposal.columns:
            names = [str(v).strip() for v in proposal[column].dropna()
                     if str(v).strip() and str(v).strip() != DEFAULT_SUBJECT]
            if names:
                return "、".join(dict.fromkeys(names))
    return ""


def form_problems(*, mineral: str, scale: float | None, unit: str) -> list[str]:
    """What the form lacks before a check can run, one Chinese sentence each."""
    problems = []
    if not mineral.strip():
        problems.append("请填写矿种（如 金、煤炭）。")
    if (scale is None) != (not unit):
        problems.append("规模与规模单位须同时填写（或都不填）。")
    return problems


@dataclass(frozen=True)
class CheckRequest:
    """The 检查 form's answers (stripped; empty text means "not given").

    Attributes
    ----------
    right, mineral
        Right type (探矿权 / 采矿权) and mineral.
    scale, unit
        Planned production scale and its unit, or None and ''.
    region
        The county named, or '' to find it from the proposal.
    name
        The proposal's name, or '' (then :data:`DEFAULT_SUBJECT`).
    """

    right: str
    mineral: str
    scale: float | None = None
    unit: str = ""
    region: str = ""
    name: str = ""

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, object]) -> CheckRequest:
        """From the page's inputs (keys ``right mineral scale unit region name``)."""
        scale = inputs.get("scale")
        return cls(right=str(inputs["right"]), mineral=str(inputs["mineral"]),
                   scale=float(scale) if isinstance(scale, int | float) else None,
                   unit=str(inputs.get("unit") or ""), region=str(inputs.get("region") or ""),
                   name=str(inputs.get("name") or ""))

    @property
    def subject(self) -> str:
        """The proposal's name, or :data:`DEFAULT_SUBJECT`."""
        return self.name or DEFAULT_SUBJECT

    @property
    def title(self) -> str:
        """The report's title: ``出让前审查：<name>（<right>，<mineral>）``."""
        return f"出让前审查：{self.subject}（{self.right}，{self.mineral}）"

    @property
    def subtitle(self) -> str:
        """The figure's subtitle: ``<name> ｜ <right> ｜ <mineral>``."""
        return f"{self.subject} ｜ {self.right} ｜ {self.mineral}"


def check_with_map(
    proposal: gpd.GeoDataFrame,
    request: CheckRequest,
    frames: Mapping[str, gpd.GeoDataFrame],
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle,
) -> tuple[gpd.GeoDataFrame, str]:
    """Check the proposal against the store's layers and draw the result.

    Returns
    -------
    (findings, map_html)
        From :func:`mineplan.checks.check_proposal`, and the conflict map
        (:func:`mineplan.web.checkmap.check_map_layers`) as one offline page.

    Raises
    ------
    mineplan.errors.MineplanError
        The check cannot run (e.g. the proposal lies outside every plan).
    """
    findings = checks.check_proposal(
        proposal, right_type=request.right, mineral=request.mineral, scale=request.scale,
        scale_unit=request.unit or None, region=request.region or None,
        store_frames=frames, proposal_id=request.subject,
    )
    layers, focus = check_map_layers(proposal, findings, frames, specs, styles, schematic)
    page = render_offline_html(zone_map(layers, focus=focus, collapse_layer_control=True))
    return findings, page
