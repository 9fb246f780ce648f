"""The check figure: a proposed mining-right block, its conflict pieces and the findings.

For a pre-grant (预审) report: the neighbourhood map (double-line 图廓 with degree or
km labels between its lines, legend under it, as on a zone sheet) with the proposal
outlined in red,
its corners numbered (J1, J2 …, as :func:`mineplan.io.corners.corner_table` numbers
them everywhere), and each piece of a control layer or existing right it overlaps
drawn in that layer's own colours (``styles/styles.toml``) with a hatch of its own and
labelled with its ellipsoidal area; beside it the plot's name, the overall verdict,
the findings table, the corner table (X/Y to 2 decimals) and an inset locating the
proposal in its county.

Findings about the whole block — lying in a planning block of its kind, the geometry
check, the minimum scale — are listed in the table only: they are not pieces of
ground, and hatching the whole proposal would hide the real conflicts.

Which findings are pieces of which layer (:func:`conflict_pieces`) is read from the
check rules (``geodata/rules/checks.toml``): the overlap rules ``ecological_redline``,
``farmland``, ``urban`` name their ``layer``, ``existing_rights`` its ``layers``, and a
``control_layer`` finding names its layer by the layer's name.

May import: vocab, settings, errors, layers, rules, geodesy, io.corners and the
modules of :mod:`mineplan.figures` below the figure kinds. Never web, cli or checks
(findings come in as a frame).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping

import geopandas as gpd
import matplotlib.colors
import pandas as pd
import pyproj
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from shapely.geometry.base import BaseGeometry

from mineplan import settings
from mineplan.errors import FigureError
from mineplan.figures.cartography import (
    check_grid,
    convergence_deg,
    fit_extent,
    set_map_extent,
)
from mineplan.figures.info import FigureInfo, record_figure
from mineplan.figures.layers import check_frames, split_styles
from mineplan.figures.neighbourhood import OUTLINE_COLOUR, footnote_chars, neighbourhood_map
from mineplan.figures.output import figure_context, paper_inches
from mineplan.figures.text import draw_footnote, format_km2, short_name, wrap_cjk
from mineplan.geodesy import ellipsoidal_area_km2, gk_crs_for_lonlat
from mineplan.io.corners import corner_table, point_names_of
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import (
    PLANE_DECIMALS,
    STORE_CRS,
    VERDICT_COLOURS,
    VERDICT_ORDER,
    VERDICTS,
)

__all__ = ["PIECE_COLUMNS", "check_figure", "conflict_pieces", "overall_verdict_text",
           "proposal_corners"]

#: Columns of :func:`conflict_pieces`.
PIECE_COLUMNS: tuple[str, ...] = ("layer", "layer_name", "rule", "verdict_key", "area_km2",
                                  "geometry")
#: Overlap rules of ``checks.toml`` whose finding geometry is a piece of the named layer(s).
_LAYER_RULES: tuple[str, ...] = ("ecological_redline", "farmland", "urban")
_LAYERS_RULES: tuple[str, ...] = ("existing_rights",)
#: Hatches given to the layers with conflict pieces, in drawing order, so that two
#: layers of similar colour still differ (the colours are each layer's own).
_HATCHES: tuple[str, ...] = ("////", "\\\\\\\\", "xxx", "...", "++", "||", "--", "oo")
#: The most corner labels drawn on the map; with more, every n-th is labelled.
_MAX_CORNER_LABELS = 48


def _verdict_colour(key: str, default: str) -> str:
    """The line / text colour of a verdict key (:data:`~mineplan.vocab.VERDICT_COLOURS`)."""
    return VERDICT_COLOURS[key][0] if key in VERDICT_COLOURS else default


def overall_verdict_text(findings: pd.DataFrame) -> tuple[str, str]:
    """(worst verdict key, the overall verdict as a report states it).

    The overall verdict reads 有条件通过 where a single finding reads 有条件; with no
    finding it is 通过.
    """
    keys = set(findings["verdict_key"]) if len(findings) else set()
    worst = next((k for k in VERDICT_ORDER if k in keys), "pass")
    return worst, VERDICTS[worst] + (VERDICTS["pass"] if worst == "conditional" else "")


def _candidate_layers(row: pd.Series, rules: object, specs: Mapping[str, LayerSpec]
                      ) -> list[str]:
    check = str(row.get("check", ""))
    if check in _LAYER_RULES:
        return [str(rules.rule(check)["layer"])]  # type: ignore[attr-defined]
    if check in _LAYERS_RULES:
        return [str(c) for c in rules.rule(check)["layers"]]  # type: ignore[attr-defined]
    if check == "control_layer":
        return [code for code, spec in specs.items() if spec.name == str(row.get("rule", ""))]
    return []


def conflict_pieces(
    findings: gpd.GeoDataFrame,
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    specs: Mapping[str, LayerSpec],
) -> gpd.GeoDataFrame:
    """The findings that are pieces of a control layer or an existing right.

    Parameters
    ----------
    findings
        From :func:`mineplan.checks.check_proposal` (``check``, ``rule``,
        ``verdict_key``, ``area_km2``, ``geometry`` in EPSG:4490).
    frames
        The store's layers; a finding whose rule names several layers (existing
        rights: 探矿权 and 采矿权) is given the one its piece overlaps most.
    specs
        Layer definitions (a ``control_layer`` finding names its layer by name).

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`PIECE_COLUMNS`, EPSG:4490, one row per non-passing finding with a piece;
        whole-block findings (planning block, geometry, minimum scale …) are not in it.
    """
    from mineplan.rules import load_rules

    rows: list[dict[str, object]] = []
    if len(findings):
        rules = load_rules()
        for _, row in findings.iterrows():
            geom = row.get("geometry")
            if (row.get("verdict_key") == "pass" or not isinstance(geom, BaseGeometry)
                    or geom.is_empty):
                continue
            layers = [c for c in _candidate_layers(row, rules, specs) if c in specs]
            if not layers:
                continue
            layer = layers[0]
            if len(layers) > 1:
                def overlap(code: str, piece: BaseGeometry = geom) -> float:
                    frame = frames.get(code)
                    if frame is None or frame.empty:
                        return 0.0
                    near = frame.to_crs(STORE_CRS).geometry
                    near = near[near.intersects(piece)]
                    return float(shapely.union_all(near.make_valid()).intersection(piece).area
                                 ) if len(near) else 0.0
                layer = max(layers, key=overlap)
            area = row.get("area_km2")
            rows.append({"layer": layer, "layer_name": specs[layer].name,
                         "rule": str(row.get("rule", "")),
                         "verdict_key": str(row["verdict_key"]),
                         "area_km2": float(area) if area is not None and pd.notna(area)
                         else float("nan"),
                         "geometry": geom})
    return gpd.GeoDataFrame(rows, columns=list(PIECE_COLUMNS), geometry="geometry",
                            crs=findings.crs or STORE_CRS)


def proposal_corners(proposal: gpd.GeoDataFrame) -> tuple[pd.DataFrame, pyproj.CRS]:
    """The proposal's corners (:func:`mineplan.io.corners.corner_table` of its union) and the
    prefixed 3-degree Gauss-Kruger CRS their X/Y are in (the zone of its centre).

    A proposal of one row keeps the source's own point numbers where the reader kept
    them (:func:`mineplan.io.corners.point_names_of`), as its workbook and TXT do."""
    geo = proposal.to_crs(STORE_CRS).geometry
    names = point_names_of(proposal) if len(geo) == 1 else None
    geom = geo.iloc[0] if names is not None else geo.union_all()
    rep = geom.representative_point()
    crs = gk_crs_for_lonlat(rep.x, rep.y, prefixed=True)
    return corner_table([geom], plane_crs=crs, point_names=names), crs


def check_figure(
    proposal: gpd.GeoDataFrame,
    findings: gpd.GeoDataFrame,
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle] | tuple[Mapping[str, LayerStyle], SchematicStyle],
    title: str = "矿业权申请范围预审图",
    name: str = "",
    subtitle: str = "",
    paper: str = "A4",
    orientation: str = "landscape",
    producer: str = "mineplan",
    date: _dt.date | None = None,
    grid: str = "graticule",
    max_rows: int = 12,
    max_corners: int = 12,
) -> Figure:
    """The figure for a pre-grant report: the proposal, its conflict pieces and their areas.

    Parameters
    ----------
    proposal
        The proposed block(s) of one plot, any CRS.
    findings
        From :func:`mineplan.checks.check_proposal`: ``check``, ``verdict_key``,
        ``rule``, ``measured``, ``area_km2`` (ellipsoidal) and, for conflicts,
        ``geometry`` (the intersection piece, EPSG:4490).
    frames
        The store's layers (EPSG:4490) for the neighbourhood; must include ``XZQ``.
    title
        The kind of figure; the first title line when ``name`` is empty.
    name
        The plot's own name (e.g. from the coordinate file's 地块名称); when given it
        heads the figure and ``title`` follows on the second line.
    max_rows, max_corners
        Findings and corner points listed beside the map (the rest are counted).

    Returns
    -------
    matplotlib.figure.Figure
        Map (neighbourhood; proposal in red with its corners numbered; conflict pieces
        in their layer's colours, hatched, labelled with their area), the overall
        verdict, findings table, corner table and an inset locating the proposal.
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
            name=name, subtitle=subtitle, producer=producer, date=date or settings.today(),
            grid=grid, max_rows=max_rows, max_corners=max_corners,
        )


def _piece_symbols(pieces: gpd.GeoDataFrame, specs: Mapping[str, LayerSpec],
                   styles: Mapping[str, LayerStyle]) -> dict[str, tuple[str, str, str]]:
    """Layer code → (fill RGBA hex, stroke, hatch) for the layers with pieces."""
    codes = sorted(dict.fromkeys(pieces["layer"]), key=lambda c: specs[c].order)
    out = {}
    for i, code in enumerate(codes):
        style = styles[specs[code].style]
        fill = matplotlib.colors.to_hex(matplotlib.colors.to_rgba(style.fill, 0.6),
                                        keep_alpha=True)
        out[code] = (fill, style.stroke, _HATCHES[i % len(_HATCHES)])
    return out


def _check_figure(
    proposal: gpd.GeoDataFrame, findings: gpd.GeoDataFrame,
    frames: Mapping[str, gpd.GeoDataFrame], *, specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle], schematic: SchematicStyle, size: tuple[float, float],
    title: str, name: str, subtitle: str, producer: str, date: _dt.date, grid: str,
    max_rows: int, max_corners: int,
) -> Figure:
    geom = proposal.geometry.union_all()
    rep = geom.representative_point()
    crs = gk_crs_for_lonlat(rep.x, rep.y)
    shape = proposal.to_crs(crs).geometry.union_all()
    pieces = conflict_pieces(findings, frames, specs=specs)
    symbols = _piece_symbols(pieces, specs, styles)
    extra = []
    for code, (fill, stroke, hatch) in symbols.items():
        mine = pieces[pieces["layer"] == code]
        worst, _ = overall_verdict_text(mine)
        extra.append((Patch(facecolor=fill, edgecolor=stroke, hatch=hatch, linewidth=1.0),
                      f"冲突：{specs[code].name} {format_km2(float(mine['area_km2'].sum()))}"
                      f"（{VERDICTS[worst]}）"))
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    hood = neighbourhood_map(fig, shape, frames, crs=crs, specs=specs, styles=styles,
                             schematic=schematic, size=size, grid=grid,
                             outline_label="申请范围", extra_handles=extra, frame=True)
    ax = hood.ax
    if len(pieces):
        projected = pieces.to_crs(crs)
        for i, row in enumerate(projected.itertuples()):
            fill, stroke, hatch = symbols[row.layer]
            gpd.GeoSeries([row.geometry], crs=crs).plot(
                ax=ax, facecolor=fill, edgecolor=stroke, hatch=hatch, linewidth=1.0,
                zorder=27)
            point = row.geometry.representative_point()
            area = row.area_km2
            label = f"{row.layer_name} {format_km2(area)}" if area == area else row.layer_name
            # stacked below one another: several pieces may share a centre
            ax.annotate(label, (point.x, point.y), xytext=(0, -11 * i),
                        textcoords="offset points", fontsize=6.5, color=stroke, zorder=29,
                        ha="center", va="center",
                        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": stroke,
                              "linewidth": 0.4, "pad": 1.0})
    corners, plane_crs = proposal_corners(proposal)
    _number_corners(ax, corners, shape, crs)
    set_map_extent(ax, hood.extent)

    heading = name or title
    fig.text(0.5, 0.955, heading, ha="center", va="center", fontsize=14, fontweight="bold")
    second = [title] if name else []
    fig.text(0.5, 0.918, " ｜ ".join(s for s in (*second, subtitle, date.isoformat()) if s),
             ha="center", va="center", fontsize=8.5, color="#404040")

    counts = {k: int((findings["verdict_key"] == k).sum()) if len(findings) else 0
              for k in VERDICT_ORDER}
    area = float(ellipsoidal_area_km2(proposal.geometry, validate=False).sum())
    worst, verdict = overall_verdict_text(findings)
    fig.text(0.60, 0.88, f"预审结论：{verdict}", fontsize=11, fontweight="bold", va="top",
             color=_verdict_colour(worst, "#000000"))
    tally = "，".join(f"{VERDICTS[k]} {counts[k]}" for k in reversed(VERDICT_ORDER))
    column_pt = 0.37 * fig.get_size_inches()[0] * 72  # the right-hand column, this paper
    fig.text(0.60, 0.848, wrap_cjk(f"申请范围椭球面积 {format_km2(area)}；"
                                   f"检查 {len(findings)} 项：{tally}", int(column_pt / 3.75)),
             fontsize=7.5, va="top", linespacing=1.3)
    _findings_table(fig, findings, max_rows=max_rows)
    _corner_table(fig, corners, plane_crs, max_corners=max_corners)
    inset = _draw_inset(fig, (0.80, 0.14, 0.17, 0.29), frames["XZQ"], geom, crs,
                        hood.extent)

    notes = list(dict.fromkeys(part.strip() for n in findings.get("data_note", [])
                               for part in str(n).split("；") if part.strip()))
    convergence = convergence_deg(crs, (hood.extent[0] + hood.extent[1]) / 2,
                                   (hood.extent[2] + hood.extent[3]) / 2)
    footnote = draw_footnote(
        fig, hood.used, crs, hood.bar, producer=producer, date=date,
        schematic_drawn=hood.schematic_drawn, demo_drawn=hood.demo_drawn, omitted=0,
        convergence=convergence, width_chars=footnote_chars(size),
        extra="面积为 CGCS2000 椭球面积；拐点坐标为 CGCS2000 高斯-克吕格 3度带带号坐标 "
              f"(EPSG:{plane_crs.to_epsg()})。" + ("；".join(notes) + "。" if notes else ""),
        grid=grid,
    )
    return record_figure(fig, FigureInfo(
        crs=crs, map_ax=ax, inset_ax=inset, drawn_layers=hood.drawn,
        legend_labels=hood.labels, scale_bar=hood.bar, footnote=footnote, title=heading,
    ))


def _number_corners(ax: Axes, corners: pd.DataFrame, shape: BaseGeometry,
                    crs: pyproj.CRS) -> None:
    """Mark each corner and write its number just outside the proposal."""
    if corners.empty:
        return
    to_map = pyproj.Transformer.from_crs(STORE_CRS, crs, always_xy=True)
    xs, ys = to_map.transform(corners["lon"].to_numpy(), corners["lat"].to_numpy())
    with_ring = corners["ring"].nunique() > 1
    step = max(1, -(-len(corners) // _MAX_CORNER_LABELS))
    centre = shape.centroid
    ax.scatter(xs, ys, s=6, color=OUTLINE_COLOUR, zorder=30, linewidths=0)
    for k, (x, y, row) in enumerate(zip(xs, ys, corners.itertuples(), strict=True)):
        if k % step:
            continue
        dx, dy = x - centre.x, y - centre.y
        norm = max((dx * dx + dy * dy) ** 0.5, 1e-9)
        label = f"{row.ring}-{row.point}" if with_ring else str(row.point)
        ax.annotate(label, (x, y), xytext=(7 * dx / norm, 7 * dy / norm),
                    textcoords="offset points", fontsize=6.5, color="#800000", zorder=31,
                    ha="center", va="center", fontweight="bold",
                    bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 0.3})


def _findings_table(fig: Figure, findings: gpd.GeoDataFrame, *, max_rows: int) -> None:
    order = {k: i for i, k in enumerate(VERDICT_ORDER)}
    rows = (findings.assign(_o=findings["verdict_key"].map(order)).sort_values("_o", kind="stable")
            if len(findings) else findings)
    shown = rows.head(max_rows)
    table_ax = fig.add_axes((0.60, 0.50, 0.37, 0.32))
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


def _corner_table(fig: Figure, corners: pd.DataFrame, plane_crs: pyproj.CRS, *,
                  max_corners: int) -> None:
    """拐点 table (X northing / Y easting with zone prefix, metres, 2 decimals)."""
    table_ax = fig.add_axes((0.60, 0.14, 0.185, 0.29))
    table_ax.set_axis_off()
    table_ax.set_title(f"拐点坐标（EPSG:{plane_crs.to_epsg()}，米）", fontsize=7, loc="left")
    with_ring = corners["ring"].nunique() > 1
    shown = corners.head(max_corners)
    if len(shown):
        cells = [[f"{r.ring}-{r.point}" if with_ring else r.point,
                  f"{r.x:.{PLANE_DECIMALS}f}", f"{r.y:.{PLANE_DECIMALS}f}"]
                 for r in shown.itertuples()]
        table = table_ax.table(cellText=cells, colLabels=["点号", "X", "Y"],
                               loc="upper center", cellLoc="center",
                               colWidths=[0.2, 0.4, 0.4])
        table.auto_set_font_size(False)
        table.set_fontsize(5.5)
    if len(corners) > len(shown):
        table_ax.text(0, -0.02, f"另有 {len(corners) - len(shown)} 个拐点未列出"
                      f"（共 {len(corners)} 个）", fontsize=6.5, transform=table_ax.transAxes,
                      va="top")


def _draw_inset(fig: Figure, rect: tuple[float, float, float, float], xzq: gpd.GeoDataFrame,
                geom: BaseGeometry, crs: pyproj.CRS,
                extent: tuple[float, float, float, float]) -> Axes | None:
    """Locator: the county holding the proposal (its boundary), the map frame, the proposal."""
    counties = xzq[xzq["level"] == "county"] if "level" in xzq else xzq
    hits = counties[counties.intersects(geom)]
    if hits.empty:
        return None
    shared = hits.to_crs(crs).intersection(gpd.GeoSeries([geom], crs=STORE_CRS).to_crs(crs)
                                           .iloc[0]).area
    county = hits.iloc[[int(shared.to_numpy().argmax())]].to_crs(crs)
    neighbours = counties[counties.intersects(hits.geometry.iloc[0].buffer(0.05))].to_crs(crs)
    inset = fig.add_axes(rect)
    bounds = county.total_bounds
    neighbours.boundary.plot(ax=inset, color="#A0A0A0", linewidth=0.3)
    county.plot(ax=inset, facecolor="#F4F4F4", edgecolor="#404040", linewidth=0.8)
    x0, x1, y0, y1 = extent
    inset.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#0050A0",
                              linewidth=0.8))
    centre = gpd.GeoSeries([geom.centroid], crs=STORE_CRS).to_crs(crs).iloc[0]
    inset.plot([centre.x], [centre.y], marker="o", markersize=3, color=OUTLINE_COLOUR)
    set_map_extent(inset, fit_extent(tuple(bounds), inset, margin=0.04))
    inset.set_title(f"位置示意（{county['name'].iloc[0]}）", fontsize=7)
    return inset
