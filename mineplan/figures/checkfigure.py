"""The check figure: a proposed mining-right block, its conflict pieces and the findings.

For a pre-grant (预审) report: the neighbourhood map with the proposal outlined in red
and each conflict piece hatched in the colour of its verdict and labelled with its
ellipsoidal area, beside the overall verdict and the findings table.

May import: vocab, settings, errors, layers, geodesy and the modules of
:mod:`mineplan.figures` below the figure kinds. Never web, cli or checks (findings
come in as a frame).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping

import geopandas as gpd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from mineplan import settings
from mineplan.errors import FigureError
from mineplan.figures.cartography import check_grid, convergence_deg, set_map_extent
from mineplan.figures.info import FigureInfo, record_figure
from mineplan.figures.layers import check_frames, split_styles
from mineplan.figures.neighbourhood import neighbourhood_map
from mineplan.figures.output import figure_context, paper_inches
from mineplan.figures.text import draw_footnote, format_km2, short_name
from mineplan.geodesy import ellipsoidal_area_km2, gk_crs_for_lonlat
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import STORE_CRS, VERDICT_COLOURS, VERDICT_ORDER, VERDICTS

__all__ = ["check_figure"]


def _verdict_colour(key: str, default: str) -> str:
    """The line / text colour of a verdict key (:data:`~mineplan.vocab.VERDICT_COLOURS`)."""
    return VERDICT_COLOURS[key][0] if key in VERDICT_COLOURS else default


def check_figure(
    proposal: gpd.GeoDataFrame,
    findings: gpd.GeoDataFrame,
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle] | tuple[Mapping[str, LayerStyle], SchematicStyle],
    title: str = "矿业权申请范围预审图",
    subtitle: str = "",
    paper: str = "A4",
    orientation: str = "landscape",
    producer: str = "mineplan",
    date: _dt.date | None = None,
    grid: str = "graticule",
    max_rows: int = 16,
) -> Figure:
    """The figure for a pre-grant report: the proposal, its conflict pieces and their areas.

    Parameters
    ----------
    proposal
        The proposed block(s), any CRS.
    findings
        From :func:`mineplan.checks.check_proposal`: ``verdict_key``, ``rule``,
        ``measured``, ``area_km2`` (ellipsoidal) and, for conflicts, ``geometry``
        (the intersection piece, EPSG:4490).
    frames
        The store's layers (EPSG:4490) for the neighbourhood; must include ``XZQ``.

    Returns
    -------
    matplotlib.figure.Figure
        Map (neighbourhood, proposal in red, conflict pieces hatched in the colour of
        their verdict and labelled with their area) and a findings table.
    """
    style_map, schematic = split_styles(styles)
    check_frames(frames, specs, style_map)
    check_grid(grid)
    if proposal.crs is None or proposal.empty:
        raise FigureError("the proposal has no geometry or no CRS")
    with figure_context():
        return _check_figure(
            proposal.to_crs(STORE_CRS), findings, frames, specs=specs, styles=style_map,
            schematic=schematic, size=paper_inches(paper, orientation), title=title,
            subtitle=subtitle, producer=producer, date=date or settings.today(), grid=grid,
            max_rows=max_rows,
        )


def _check_figure(
    proposal: gpd.GeoDataFrame, findings: gpd.GeoDataFrame,
    frames: Mapping[str, gpd.GeoDataFrame], *, specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle], schematic: SchematicStyle, size: tuple[float, float],
    title: str, subtitle: str, producer: str, date: _dt.date, grid: str, max_rows: int,
) -> Figure:
    geom = proposal.geometry.union_all()
    rep = geom.representative_point()
    crs = gk_crs_for_lonlat(rep.x, rep.y)
    shape = proposal.to_crs(crs).geometry.union_all()
    has_geom = findings.geometry.notna() & ~findings.geometry.is_empty if len(findings) else []
    conflicts = findings[has_geom] if len(findings) else findings
    conflicts = conflicts[conflicts["verdict_key"] != "pass"] if len(conflicts) else conflicts
    extra = [(Patch(facecolor="none", edgecolor=_verdict_colour(k, "#808080"), hatch="////"),
              f"冲突部分（{VERDICTS[k]}）")
             for k in VERDICT_ORDER if k != "pass"
             if len(conflicts) and (conflicts["verdict_key"] == k).any()]
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    hood = neighbourhood_map(fig, shape, frames, crs=crs, specs=specs, styles=styles,
                             schematic=schematic, size=size, grid=grid,
                             outline_label="申请范围", extra_handles=extra)
    ax = hood.ax
    if len(conflicts):
        pieces = gpd.GeoDataFrame(conflicts, geometry="geometry",
                                  crs=findings.crs or STORE_CRS).to_crs(crs)
        for i, row in enumerate(pieces.itertuples()):
            colour = _verdict_colour(row.verdict_key, "#808080")
            gpd.GeoSeries([row.geometry], crs=crs).plot(
                ax=ax, facecolor="none", edgecolor=colour, hatch="////", linewidth=0.8,
                zorder=27)
            point = row.geometry.representative_point()
            area = getattr(row, "area_km2", float("nan"))
            label = f"{row.rule} {format_km2(area)}" if area == area else str(row.rule)
            # stacked below one another: several pieces may share a centre
            ax.annotate(label, (point.x, point.y), xytext=(0, -11 * i),
                        textcoords="offset points", fontsize=6, color=colour, zorder=29,
                        ha="center", va="center",
                        bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none",
                              "pad": 0.5})
    set_map_extent(ax, hood.extent)

    fig.text(0.5, 0.955, title, ha="center", va="center", fontsize=14, fontweight="bold")
    fig.text(0.5, 0.918, " ｜ ".join(s for s in (subtitle, date.isoformat()) if s),
             ha="center", va="center", fontsize=8.5, color="#404040")

    counts = {k: int((findings["verdict_key"] == k).sum()) if len(findings) else 0
              for k in VERDICT_ORDER}
    area = float(ellipsoidal_area_km2(proposal.geometry, validate=False).sum())
    worst = next((k for k in VERDICT_ORDER if counts[k]), "pass")
    # the overall verdict reads 有条件通过 where a single finding reads 有条件
    verdict = VERDICTS[worst] + (VERDICTS["pass"] if worst == "conditional" else "")
    fig.text(0.60, 0.88, f"预审结论：{verdict}", fontsize=11, fontweight="bold", va="top",
             color=_verdict_colour(worst, "#000000"))
    tally = "，".join(f"{VERDICTS[k]} {counts[k]}" for k in reversed(VERDICT_ORDER))
    fig.text(0.60, 0.845, f"申请范围椭球面积 {format_km2(area)}；检查 {len(findings)} 项：{tally}",
             fontsize=7.5, va="top")
    order = {k: i for i, k in enumerate(VERDICT_ORDER)}
    rows = (findings.assign(_o=findings["verdict_key"].map(order)).sort_values("_o")
            if len(findings) else findings)
    shown = rows.head(max_rows)
    table_ax = fig.add_axes((0.60, 0.14, 0.37, 0.68))
    table_ax.set_axis_off()
    if len(shown):
        cells = [[short_name(r.rule, 10), VERDICTS.get(r.verdict_key, r.verdict_key),
                  short_name(str(r.measured), 26)] for r in shown.itertuples()]
        table = table_ax.table(cellText=cells, colLabels=["检查项", "结论", "量测值"],
                               loc="upper center", cellLoc="left", colWidths=[0.3, 0.15, 0.55])
        table.auto_set_font_size(False)
        table.set_fontsize(6)
        for i, r in enumerate(shown.itertuples(), start=1):
            table[i, 1].get_text().set_color(_verdict_colour(r.verdict_key, "#000000"))
    if len(rows) > len(shown):
        table_ax.text(0, -0.02, f"另有 {len(rows) - len(shown)} 项未列出，详见检查结果表",
                      fontsize=7, transform=table_ax.transAxes, va="top")
    notes = list(dict.fromkeys(part.strip() for n in findings.get("data_note", [])
                               for part in str(n).split("；") if part.strip()))
    convergence = convergence_deg(crs, (hood.extent[0] + hood.extent[1]) / 2,
                                   (hood.extent[2] + hood.extent[3]) / 2)
    footnote = draw_footnote(
        fig, hood.used, crs, hood.bar, producer=producer, date=date,
        schematic_drawn=hood.schematic_drawn, demo_drawn=hood.demo_drawn, omitted=0,
        convergence=convergence, width_chars=218 if size[0] >= size[1] else 150,
        extra="面积为 CGCS2000 椭球面积。" + ("；".join(notes) + "。" if notes else ""),
        grid=grid,
    )
    return record_figure(fig, FigureInfo(
        crs=crs, map_ax=ax, inset_ax=None, drawn_layers=hood.drawn, legend_labels=hood.labels,
        scale_bar=hood.bar, footnote=footnote, title=title,
    ))

