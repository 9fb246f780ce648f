"""The region overview: one plan's region with every planning layer, for a planning report.

Drawn in the region's CGCS2000 3-degree Gauss-Kruger zone *without* zone prefix
(false easting 500 000 m), never in raw degrees: planning layers, county boundaries
and red-line layers, with title, Chinese legend, scale bar, north arrow, a frame
grid, an inset locating the region in Xinjiang and a footnote (sources, CRS,
producer, schematic/demo caveat).

May import: vocab, settings, errors, layers, geodesy and the modules of
:mod:`mineplan.figures` below the figure kinds. Never web or cli.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, Rectangle
from shapely.geometry import box
from shapely.ops import polylabel

from mineplan import settings
from mineplan.errors import FigureError
from mineplan.figures.cartography import (
    FRAME_GAP_PT,
    check_grid,
    convergence_deg,
    draw_grid,
    draw_north_arrow,
    draw_scale_bar,
    extent_at_scale,
    fit_extent,
    furniture_boxes,
    set_map_extent,
)
from mineplan.figures.info import FigureInfo, record_figure
from mineplan.figures.layers import (
    check_frames,
    draw_background,
    draw_county_lines,
    draw_in_order,
    legend_entries,
    legend_handle,
    legend_label,
    point_zones,
    split_styles,
    to_map_crs,
)
from mineplan.figures.output import PAPER_SIZES_MM, figure_context, paper_inches
from mineplan.figures.text import (
    COUNTY_LABEL,
    LABEL_OFFSETS,
    SCHEMATIC_TITLE,
    ZONE_LABEL,
    break_lines,
    draw_footnote,
    draw_index,
    fit_legend,
    place_labels,
    wrap_cjk,
)
from mineplan.geodesy import gk_crs_for_lonlat
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import STORE_CRS

__all__ = ["INSET_NOTE", "region_overview"]

#: Under the locator inset: its outer line is the source's administrative line, not 国界.
INSET_NOTE = "外缘按非官方行政界线示意，非国界"


def region_overview(
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    region: str,
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle] | tuple[Mapping[str, LayerStyle], SchematicStyle],
    paper: str = "A4",
    orientation: str = "landscape",
    title: str | None = None,
    producer: str = "mineplan",
    date: _dt.date | None = None,
    grid: str = "graticule",
    background: str | Path | None = None,
    scale: float | None = None,
    fit_paper: bool = False,
) -> Figure:
    """An overview map of one plan's region for a planning report.

    Parameters
    ----------
    frames
        Layer code → frame as read from the store (EPSG:4490); must include ``XZQ``.
        Zone layers are filtered to ``region == region``; red-line layers and county
        boundaries are drawn where they meet the region.
    region
        A county or prefecture name in ``XZQ`` (e.g. ``"乌苏市"``, ``"塔城地区"``).
    specs
        Layer definitions (:func:`mineplan.layers.read_layer_specs`).
    styles
        Layer styles, or the ``(styles, schematic)`` pair
        :func:`mineplan.layers.read_styles` returns.
    paper, orientation
        A key of :data:`~mineplan.figures.PAPER_SIZES_MM` (``"A4"`` … ``"A0"``);
        ``"landscape"`` or ``"portrait"``.
    title
        Main title (default "<region>矿产资源总体规划图（2021—2025年）").
    producer
        Who made the map, for the footnote.
    date
        Date in the subtitle and footnote (default today in UTC, or the date of
        ``SOURCE_DATE_EPOCH`` when set).
    grid
        The frame grid: ``"graticule"`` (degrees and minutes) or ``"km"`` (the GK
        kilometre grid, eastings with their zone prefix).
    background
        A local GeoTIFF drawn under the layers, warped to the map CRS.
    scale
        Print at 1 : `scale` (e.g. ``50000``): the extent is chosen around the plan
        so that the PDF printed at 100 % has this scale. Default: the plan fills the frame.
    fit_paper
        With `scale`: when the plan does not fit `paper` at that scale, try the next
        larger papers (A4 → A3 → A2 → A1 → A0) before refusing.

    Returns
    -------
    matplotlib.figure.Figure
        Drawn in the CGCS2000 3-degree GK zone (no prefix) of the region's centroid;
        :func:`figure_info` tells what was drawn.

    Raises
    ------
    FigureError
        Unknown region or paper, missing layer definitions or styles, missing font.
    """
    style_map, schematic = split_styles(styles)
    check_frames(frames, specs, style_map)
    check_grid(grid)
    if scale is not None and not (scale > 0):
        raise FigureError(f"a map scale needs a positive denominator, got {scale!r}")
    sizes = list(PAPER_SIZES_MM)  # smallest first
    papers = sizes[sizes.index(paper):] if fit_paper and scale and paper in sizes else [paper]
    for i, sheet in enumerate(papers):
        try:
            with figure_context():
                return _region_overview(
                    frames, region=region, specs=specs, styles=style_map,
                    schematic=schematic, size=paper_inches(sheet, orientation), title=title,
                    producer=producer, date=date or settings.today(), grid=grid,
                    background=background, scale=scale,
                )
        except FigureError:
            if i == len(papers) - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _region_overview(
    frames: Mapping[str, gpd.GeoDataFrame], *, region: str, specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle], schematic: SchematicStyle, size: tuple[float, float],
    title: str | None, producer: str, date: _dt.date, grid: str,
    background: str | Path | None = None, scale: float | None = None,
) -> Figure:
    xzq = frames["XZQ"]
    region_store = _region_geometry(xzq, region)
    centroid = region_store.to_crs(_centroid_crs(region_store)).geometry.union_all().centroid
    lon, lat = pyproj.Transformer.from_crs(
        _centroid_crs(region_store), STORE_CRS, always_xy=True
    ).transform(centroid.x, centroid.y)
    crs = gk_crs_for_lonlat(lon, lat)
    region_shape = region_store.to_crs(crs).geometry.union_all()

    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    landscape = size[0] >= size[1]
    layout = sheet_layout(size, _count_zones(frames, specs, region))
    map_rect, inset_rect = layout.map_rect, layout.inset_rect
    legend_rect, index_rect, width_chars = layout.legend_rect, layout.index_rect, layout.chars
    ax = fig.add_axes(map_rect)
    # the region and every zone of its plan (a plan may list a zone in a neighbouring county)
    plan_bounds = _plan_bounds(frames, specs, region, region_shape, crs)
    extent = (extent_at_scale(plan_bounds, ax, scale) if scale
              else fit_extent(plan_bounds, ax))
    set_map_extent(ax, extent)
    view = box(extent[0], extent[2], extent[1], extent[3])
    background_note = draw_background(ax, background, crs) if background else ""
    metres_per_mm = (extent[1] - extent[0]) / (map_rect[2] * size[0] * 25.4)

    drawn: dict[str, str] = {}
    used: dict[str, gpd.GeoDataFrame] = {"XZQ": frames["XZQ"]}
    entries: list[tuple[Patch | Line2D, str]] = []
    zones: list[tuple[str, gpd.GeoDataFrame]] = []
    schematic_drawn = demo_drawn = points_drawn = False
    order = sorted((c for c in frames if c != "XZQ"),
                   key=lambda c: (specs[c].group != "control", specs[c].order))
    for code in order:
        spec = specs[code]
        frame = frames[code]
        if spec.group in ("plan", "rights"):
            frame = frame[frame["region"] == region] if "region" in frame else frame.iloc[0:0]
        if frame.empty:
            continue
        projected = to_map_crs(frame, crs)
        if spec.group == "control":
            projected = projected[projected.intersects(region_shape)]
        projected = projected[~projected.geometry.is_empty & projected.intersects(view)]
        if projected.empty:
            continue
        faint = draw_in_order(ax, projected, spec, styles[spec.style], schematic,
                              metres_per_mm=metres_per_mm)
        if spec.group == "control":
            demo_drawn |= faint
        else:
            schematic_drawn |= faint
            points_drawn |= bool(point_zones(projected).any())
            zones.append((code, projected))
        layer_entries = legend_entries(spec, projected, styles[spec.style], schematic,
                                       faint=faint)
        drawn[code] = layer_entries[0][1]
        used[code] = projected
        entries.extend(layer_entries)

    # County boundaries clipped to the view, the region itself in a heavier line.
    xzq_style = styles[specs["XZQ"].style]
    counties = draw_county_lines(ax, xzq, xzq_style, crs=crs, view=view)
    gpd.GeoSeries([region_shape], crs=crs).boundary.plot(
        ax=ax, color="#202020", linewidth=1.6, zorder=21)
    drawn["XZQ"] = legend_label(specs["XZQ"], counties, schematic)
    entries.append((legend_handle(specs["XZQ"], xzq_style, schematic, False), drawn["XZQ"]))
    occupied = shapely.union_all([f.geometry.union_all() for _, f in zones]) if zones else None
    county_names = []
    for _, row in counties.iterrows():
        visible = row.geometry.intersection(view)
        if row["name"] != region and not visible.is_empty:
            point = label_point(visible, occupied)
            county_names.append((float(visible.area), point.x, point.y, str(row["name"])))
    set_map_extent(ax, extent)

    bar = draw_scale_bar(ax, crs)
    draw_north_arrow(ax)
    draw_grid(ax, crs, grid, frame=True)
    # county names first (they orient the reader), then zone codes around them
    numbered = number_zones(zones, specs)
    candidates = [(priority, x, y, code) for code, _, _, priority, x, y in numbered]
    taken = furniture_boxes(ax)
    place_labels(ax, county_names, taken=taken, text_kw=COUNTY_LABEL)
    placed, omitted = place_labels(ax, candidates, taken=taken, text_kw=ZONE_LABEL,
                                   offsets=LABEL_OFFSETS)

    # Title and subtitle; a schematic map says so in its title.
    faint_map = schematic_drawn or demo_drawn
    main_title = title or f"{region}矿产资源总体规划图（2021—2025年）"
    if faint_map and title is None:  # a title of the caller's own stays; the band says it
        main_title += SCHEMATIC_TITLE
    top = 1 - _MM / size[1]  # 1 mm in figure fraction, from the top
    fig.text(0.5, 1 - 12 * _MM / size[1], "\n".join(break_lines(main_title, layout.title_chars)),
             ha="center", va="center", fontsize=16, fontweight="bold", gid="title")
    layer_names = "、".join(specs[c].name for c in drawn if c != "XZQ")
    fig.text(0.5, top - 19 * _MM / size[1], f"{region} ｜ 制图日期 {date.isoformat()}",
             ha="center", va="center", fontsize=9, color="#303030")
    if faint_map:
        fig.text(0.5, top - 25 * _MM / size[1], _caveat_band(schematic_drawn, demo_drawn),
                 ha="center", va="center", fontsize=8, color="white", fontweight="bold",
                 gid="schematic-band",
                 bbox={"boxstyle": "square,pad=0.3", "facecolor": "#C00000",
                       "edgecolor": "none"})
    else:
        fig.text(0.5, top - 23 * _MM / size[1], wrap_cjk(f"图层：{layer_names or '无规划分区'}",
                                                          layout.title_chars * 2),
                 ha="center", va="top", fontsize=7.5, color="#505050")

    # Legend.
    legend_ax = fig.add_axes(legend_rect)
    legend_ax.set_axis_off()
    labels = [label for _, label in entries]
    fit_legend(legend_ax, [h for h, _ in entries], labels, compact=not landscape)
    # The numbered index: every zone drawn, under its layer, so no name is lost.
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, layer, name, _, _, _ in numbered:
        groups.setdefault(specs[layer].name, []).append((code, name))
    listed, _ = draw_index(fig, index_rect, list(groups.items()))
    unlisted = len(numbered) - len(listed)
    omitted_text = ""
    if omitted:
        omitted_text = (f"图上 {len(placed)} 个分区标注了编号，另有 {omitted} 个因过密未标编号，"
                        "名称均见分区编号索引。")
    if unlisted:
        omitted_text += f"分区编号索引因篇幅未列出 {unlisted} 个分区（共 {len(numbered)} 个）。"

    inset = _draw_inset(fig, inset_rect, xzq, region, crs, view)
    convergence = convergence_deg(crs, (extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2)
    footnote = draw_footnote(
        fig, used, crs, bar, producer=producer, date=date, schematic_drawn=schematic_drawn,
        demo_drawn=demo_drawn, omitted=omitted, convergence=convergence,
        width_chars=width_chars, grid=grid, extra=background_note, points_drawn=points_drawn,
        omitted_text=omitted_text,
    )
    return record_figure(fig, FigureInfo(
        crs=crs, map_ax=ax, inset_ax=inset, drawn_layers=drawn, legend_labels=labels,
        scale_bar=bar, labels_placed=placed, labels_omitted=omitted, footnote=footnote,
        title=main_title, zone_index={code: name for code, _, name, _, _, _ in numbered},
        index_listed=listed,
    ))


_MM = 1 / 25.4  # inches


@dataclass(frozen=True)
class SheetLayout:
    """Where the parts of an overview go on its page, in figure fractions.

    ``map_rect`` is the map face (inner neat line); its outer frame line and the grid
    labels take :data:`~mineplan.figures.cartography.FRAME_GAP_PT` more each side.
    ``chars`` is the footnote's width and ``title_chars`` the title's, in half-width
    columns.
    """

    map_rect: tuple[float, float, float, float]
    inset_rect: tuple[float, float, float, float]
    legend_rect: tuple[float, float, float, float]
    index_rect: tuple[float, float, float, float]
    chars: int
    title_chars: int


def sheet_layout(size: tuple[float, float], n_zones: int) -> SheetLayout:
    """The overview layout for a page of `size` inches holding `n_zones` indexed zones.

    Measured in millimetres, so every paper gets the same margins (10 mm), title block
    (31 mm) and text sizes, and the map takes what is left: landscape puts a side panel
    right of the map (inset and legend, then the index, as wide as the zone count needs
    up to 30 % of the page); portrait puts the panel under the map, as tall as the index
    needs between 30 % and 45 % of the page.
    """
    w, h = size[0] * 25.4, size[1] * 25.4  # mm
    margin, header = 10.0, 31.0
    frame = FRAME_GAP_PT * 25.4 / 72 + 1.5  # outer line and labels, mm
    chars = int(0.92 * w / 25.4 * 72 / 3.25 * 0.97)  # 6.5 pt footnote, CJK = 2 columns
    foot_lines = math.ceil(900 / chars) + 1
    foot = 3.0 + foot_lines * 6.5 * 1.4 * 25.4 / 72 + 3.0
    top, bottom = h - header, foot

    def rect(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0 / w, y0 / h, (x1 - x0) / w, (y1 - y0) / h)

    if w >= h:
        index_w = min(max(45.0, 0.7 * n_zones), 0.30 * w)
        legend_w = 58.0
        panel_x = w - margin - index_w - 6 - legend_w
        inset_h = min(0.75 * legend_w, 0.3 * (top - bottom))
        return SheetLayout(
            map_rect=rect(margin + frame, bottom + frame, panel_x - 6 - frame, top - frame),
            inset_rect=rect(panel_x, top - 6 - inset_h, panel_x + legend_w, top - 6),
            legend_rect=rect(panel_x, bottom, panel_x + legend_w, top - 14 - inset_h),
            index_rect=rect(w - margin - index_w, bottom, w - margin, top),
            chars=chars, title_chars=int((w - 2 * margin) / 25.4 * 72 / 8),
        )
    legend_w = 62.0
    index_w = w - 2 * margin - legend_w - 6
    columns = max(int(index_w // 55), 1)
    need = (n_zones * 1.6 + 12) / columns * 2.8 + 10  # 6 pt lines, wrapped names, headings
    panel_h = min(max(need, 0.30 * h, 105.0), 0.45 * h)
    panel_top = bottom + panel_h
    inset_h = 0.7 * legend_w
    return SheetLayout(
        map_rect=rect(margin + frame, panel_top + 4 + frame, w - margin - frame, top - frame),
        inset_rect=rect(margin, panel_top - 6 - inset_h, margin + legend_w, panel_top - 6),
        legend_rect=rect(margin, bottom, margin + legend_w, panel_top - 14 - inset_h),
        index_rect=rect(w - margin - index_w, bottom, w - margin, panel_top),
        chars=chars, title_chars=int((w - 2 * margin) / 25.4 * 72 / 8),
    )


def _count_zones(frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec],
                 region: str) -> int:
    return sum(int((f["region"] == region).sum()) for c, f in frames.items()
               if c in specs and specs[c].is_zone_layer and "region" in f)


def _caveat_band(schematic_drawn: bool, demo_drawn: bool) -> str:
    what = "、".join(w for w, on in (("规划分区为示意图形", schematic_drawn),
                                    ("三区三线为演示数据", demo_drawn)) if on)
    return f"示意图：{what}，非实测边界，不作审批依据"


def number_zones(
    zones: list[tuple[str, gpd.GeoDataFrame]], specs: Mapping[str, LayerSpec],
) -> list[tuple[str, str, str, float, float, float]]:
    """Every zone drawn, numbered 1… in layer order and, within a layer, by the plan's
    序号 (``seq``) then name: (number, layer code, name, label priority, x, y).

    The priority is the zone's drawn area (points 0), so large zones are labelled first.
    """
    out = []
    number = 0
    for code, frame in sorted(zones, key=lambda z: specs[z[0]].order):
        points = point_zones(frame)
        keys = frame["seq"].map(_seq_key) if "seq" in frame else pd.Series(0, index=frame.index)
        ordered = frame.assign(_k=keys).sort_values(["_k", "name"], kind="stable")
        for idx, row in ordered.iterrows():
            number += 1
            anchor = row.geometry.representative_point()
            priority = 0.0 if points.loc[idx] else float(row.geometry.area)
            out.append((str(number), code, str(row["name"]), priority, anchor.x, anchor.y))
    return out


def _seq_key(value: object) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        return float("inf")


def label_point(area: shapely.Geometry, obstacles: shapely.Geometry | None) -> shapely.Point:
    """Where a county name goes: the point of `area` farthest from its boundary and from
    `obstacles` (the zones drawn), so the name sits off lines and symbols."""
    free = area.difference(obstacles) if obstacles is not None else area
    if free.is_empty:
        free = area
    parts = list(getattr(free, "geoms", [free]))
    polygons = [p for p in parts if p.geom_type == "Polygon"]
    if not polygons:
        return area.representative_point()
    largest = max(polygons, key=lambda p: p.area)
    return polylabel(largest, tolerance=max(largest.length / 500, 1.0))


def _plan_bounds(frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec],
                 region: str, region_shape: shapely.Geometry,
                 crs: pyproj.CRS) -> tuple[float, float, float, float]:
    bounds = [region_shape.bounds]
    for code, frame in frames.items():
        if specs[code].is_zone_layer and "region" in frame:
            mine = frame[(frame["region"] == region) & ~frame.geometry.is_empty]
            if not mine.empty:
                bounds.append(tuple(to_map_crs(mine, crs).total_bounds))
    return (min(b[0] for b in bounds), min(b[1] for b in bounds),
            max(b[2] for b in bounds), max(b[3] for b in bounds))


def _centroid_crs(frame: gpd.GeoDataFrame) -> pyproj.CRS:
    """An equal-area CRS around the frame for a centroid that is not in degrees."""
    minx, miny, maxx, maxy = frame.total_bounds
    return pyproj.CRS.from_proj4(
        f"+proj=laea +lat_0={(miny + maxy) / 2} +lon_0={(minx + maxx) / 2} +ellps=GRS80 +units=m"
    )


def _draw_inset(
    fig: Figure, rect: tuple[float, float, float, float], xzq: gpd.GeoDataFrame,
    region: str, crs: pyproj.CRS, view: shapely.Geometry,
) -> Axes:
    """Locator: Xinjiang, the prefectures, the region in red (ringed when small), the map frame.

    The province's outer edge is partly China's national border, but the source is not
    official: it is drawn as an ordinary administrative line, like the prefecture lines,
    never in a national-border style, and the inset says so (:data:`INSET_NOTE`).
    """
    inset = fig.add_axes(rect)
    province = xzq[xzq["level"] == "province"].to_crs(crs)
    prefectures = xzq[xzq["level"] == "prefecture"].to_crs(crs)
    target = xzq[xzq["name"] == region].to_crs(crs)
    parent_name = target["parent"].iloc[0] if "parent" in target else ""
    parent = prefectures[prefectures["name"].isin([parent_name, region])]
    admin_line = {"edgecolor": "#909090", "linewidth": 0.4, "linestyle": (0, (4, 1.5))}
    if not province.empty:
        province.geometry.simplify(2000).plot(ax=inset, facecolor="#F4F4F4", **admin_line)
        bounds = province.total_bounds
    else:
        bounds = prefectures.total_bounds
    prefectures.geometry.simplify(1000).plot(ax=inset, facecolor="none", **admin_line)
    if not parent.empty:
        parent.geometry.simplify(500).plot(ax=inset, facecolor="#FFE8C0", edgecolor="#A06000",
                                           linewidth=0.5)
    target.geometry.plot(ax=inset, facecolor="#E00000", edgecolor="#900000", linewidth=0.3,
                         gid="inset-region")
    vx0, vy0, vx1, vy1 = view.bounds
    inset.add_patch(Rectangle((vx0, vy0), vx1 - vx0, vy1 - vy0, fill=False,
                              edgecolor="#0050A0", linewidth=0.8))
    set_map_extent(inset, fit_extent(bounds, inset, margin=0.03))
    tx0, ty0, tx1, ty1 = target.total_bounds
    ix0, ix1 = inset.get_xlim()
    if max(tx1 - tx0, ty1 - ty0) < 0.06 * (ix1 - ix0):  # a small county: ring it
        inset.add_patch(Circle(((tx0 + tx1) / 2, (ty0 + ty1) / 2), 0.05 * (ix1 - ix0),
                               fill=False, edgecolor="#E00000", linewidth=1.0))
    for spine in inset.spines.values():
        spine.set_linewidth(0.5)
    where = "、".join(dict.fromkeys(
        n for n in ("新疆维吾尔自治区", parent_name) if n and n != region
    ))
    inset.set_title(f"位置示意（{where}）", fontsize=6.5, wrap=True)
    inset.text(0.5, -0.03, INSET_NOTE, transform=inset.transAxes, ha="center", va="top",
               fontsize=5, color="#505050", gid="inset-note")
    return inset



def _region_geometry(xzq: gpd.GeoDataFrame, region: str) -> gpd.GeoDataFrame:
    match = xzq[xzq["name"] == region]
    if match.empty:
        known = ", ".join(sorted(xzq.loc[xzq["level"] != "province", "name"]))
        raise FigureError(f"region {region!r} is not in layer XZQ; known regions: {known}")
    return match
