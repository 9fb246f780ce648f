"""The zone sheet: one planning zone with its neighbourhood, attributes and corner table.

The map shows the zone in the unprefixed GK zone; the corner table lists X (northing)
/ Y (easting) in metres of the *prefixed* GK zone, as surveyors write them, numbered
as :func:`mineplan.io.corners.corner_table` numbers them everywhere (圈号, J1… per ring).

May import: vocab, settings, errors, layers, geodesy, io.corners and the modules of
:mod:`mineplan.figures` below the figure kinds. Never web or cli.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation

from mineplan import settings
from mineplan.errors import FigureError
from mineplan.figures.canvas import quiet_canvas
from mineplan.figures.cartography import convergence_deg
from mineplan.figures.gridtable import add_grid_table
from mineplan.figures.info import FigureInfo, record_figure
from mineplan.figures.layers import ProjectedLayers, check_frames, point_zones, split_styles
from mineplan.figures.neighbourhood import footnote_chars, neighbourhood_map
from mineplan.figures.output import figure_context, paper_inches
from mineplan.figures.text import (
    SCHEMATIC_TITLE,
    break_lines,
    draw_footnote,
    format_km2,
    wrap_cjk,
)
from mineplan.geodesy import ellipsoidal_area_km2, gk_crs_for_lonlat
from mineplan.io.corners import corner_table
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import PLANE_DECIMALS, SCHEMATIC, STORE_CRS

__all__ = ["SheetCorners", "sheet_corners", "zone_sheet"]

#: Where a sheet's corner table goes: (left, bottom, width, height), fractions of the page.
TABLE_RECT = (0.60, 0.14, 0.37, 0.40)


def zone_sheet(
    zone_row: pd.Series,
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    layer: str,
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle] | tuple[Mapping[str, LayerStyle], SchematicStyle],
    paper: str = "A4",
    orientation: str = "landscape",
    producer: str = "mineplan",
    date: _dt.date | None = None,
    max_corners: int = 20,
    grid: str = "graticule",
    continued: bool = False,
    projected: ProjectedLayers | None = None,
    corners: SheetCorners | None = None,
) -> Figure:
    """A sheet for one zone: map of its neighbourhood, attributes and corner coordinates.

    Parameters
    ----------
    zone_row
        One row of a zone layer as read from the store (geometry in EPSG:4490).
    frames
        All layers (EPSG:4490), for the neighbourhood; must include ``XZQ``.
    layer
        The zone's layer code (e.g. ``"CKGH"``).
    specs, styles, paper, orientation, producer, date
        As in :func:`~mineplan.figures.region_overview`.
    max_corners
        Corner points listed in the table; the rest are counted, not listed. The
        table lists the exterior rings' points of
        :func:`mineplan.io.corners.corner_table`, with the ring number (圈号) when
        the zone has more than one ring.
    grid
        As in :func:`~mineplan.figures.region_overview`.
    continued
        The corners beyond ``max_corners`` follow on 续表 pages (an atlas): the sheet
        says so instead of counting them as not listed.
    projected
        Reprojected layers kept from sheet to sheet (an atlas); fresh when not given.
    corners
        The zone's :func:`sheet_corners`, when the caller has them already (an atlas
        counts them for its page numbers); computed when not given.

    Returns
    -------
    matplotlib.figure.Figure
        Map in the unprefixed GK zone; corner table X (northing) / Y (easting) in
        metres in the *prefixed* GK zone, as surveyors write them.
    """
    style_map, schematic = split_styles(styles)
    check_frames(frames, specs, style_map)
    if layer not in specs:
        raise FigureError(f"layer {layer!r} has no definition; known: {sorted(specs)}")
    geom = zone_row.get("geometry")
    if geom is None or geom.is_empty:
        raise FigureError(f"zone {zone_row.get('name')!r} has no geometry to draw")
    with figure_context():
        return _zone_sheet(
            zone_row, frames, layer=layer, specs=specs, styles=style_map, schematic=schematic,
            size=paper_inches(paper, orientation), producer=producer,
            date=date or settings.today(), max_corners=max_corners, grid=grid,
            continued=continued, projected=projected, corners_listed=corners,
        )



def _zone_sheet(
    zone_row: pd.Series, frames: Mapping[str, gpd.GeoDataFrame], *, layer: str,
    specs: Mapping[str, LayerSpec], styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle, size: tuple[float, float], producer: str, date: _dt.date,
    max_corners: int, grid: str, continued: bool = False,
    projected: ProjectedLayers | None = None, corners_listed: SheetCorners | None = None,
) -> Figure:
    geom = zone_row["geometry"]
    rep = geom.representative_point()
    crs = gk_crs_for_lonlat(rep.x, rep.y)
    crs_prefixed = gk_crs_for_lonlat(rep.x, rep.y, prefixed=True)
    zone = gpd.GeoDataFrame([zone_row], geometry="geometry", crs=STORE_CRS)
    zone_proj = zone.to_crs(crs)
    shape = zone_proj.geometry.iloc[0]

    status = str(zone_row.get("geometry_status", "") or "")
    is_point = bool(point_zones(zone).iloc[0])
    fig = quiet_canvas(Figure(figsize=size))
    hood = neighbourhood_map(
        fig, shape, frames, crs=crs, specs=specs, styles=styles, schematic=schematic,
        size=size, grid=grid,
        outline_label=("本分区位置（无面积，位置示意）" if is_point
                       else "本分区范围（示意）" if status == SCHEMATIC else "本分区范围"),
        outline="point" if is_point else "dash" if status == SCHEMATIC else "solid",
        frame=True, projected=projected,
    )
    ax, extent, bar, drawn, used, labels = (hood.ax, hood.extent, hood.bar, hood.drawn,
                                            hood.used, hood.labels)
    schematic_drawn, demo_drawn = hood.schematic_drawn, hood.demo_drawn

    name = str(zone_row.get("name", ""))
    title = name + (SCHEMATIC_TITLE if status == SCHEMATIC else "")
    fig.text(0.5, 0.955, title, ha="center", va="center", fontsize=14, fontweight="bold")
    fig.text(0.5, 0.918, f"{specs[layer].name} ｜ {zone_row.get('region', '')} ｜ "
             f"制图日期 {date.isoformat()}", ha="center", va="center", fontsize=8.5,
             color="#404040")

    area_ell = float(ellipsoidal_area_km2(zone.geometry, validate=False).iloc[0])
    stated = zone_row.get("area_km2")
    stated_text = "未载明" if stated is None or pd.isna(stated) else format_km2(float(stated))
    attrs = [
        ("名称", name),
        ("类型", specs[layer].name + (f"（{SCHEMATIC}）" if status == SCHEMATIC else "")),
        ("矿种", str(zone_row.get("mineral", "") or "—")),
        ("规划面积", stated_text),
        ("图形椭球面积", "—（无面积，图中以点示意位置）" if is_point
         else format_km2(area_ell) + ("（示意图形）" if status == SCHEMATIC else "")),
        ("级别", str(zone_row.get("level", "") or "—")),
        ("规划", str(zone_row.get("plan", "") or "—")),
        ("专栏", f"{zone_row.get('source_table', '') or '—'} "
                 f"{zone_row.get('table_title', '') or ''}".strip()),
        ("行号", f"第 {zone_row.get('source_line', '?')} 行（{zone_row.get('source_file', '')}）"),
    ]
    # The attribute box and the corner table share the right-hand column; its lines are
    # broken for that column's width on this paper (half-width columns at 7 pt, less
    # the box's padding and the "名称：" before each value), at most 34 characters.
    column_pt = TABLE_RECT[2] * size[0] * 72
    value_columns = min(68, int((column_pt - 2 * 0.6 * 7) / 3.5) - 6)
    lines = []
    for key, value in attrs:
        wrapped = [w for w in break_lines(value, value_columns) if w] or ["—"]
        lines.append(f"{key}：{wrapped[0]}")
        lines.extend("　　" + w for w in wrapped[1:3])
    fig.text(0.60, 0.88, "分区属性", fontsize=10, fontweight="bold", va="top")
    fig.text(0.60, 0.85, "\n".join(lines), fontsize=7, va="top", linespacing=1.5,
             bbox={"facecolor": "#FAFAFA", "edgecolor": "#808080", "boxstyle": "square,pad=0.6"})

    listed = corners_listed if corners_listed is not None else sheet_corners(zone_row)
    corners, with_ring, header = listed.corners, listed.with_ring, listed.header
    shown = corners.head(max_corners)
    epsg = crs_prefixed.to_epsg()
    # The table's place (0.60, 0.14, 0.37 × 0.40 of the page) is drawn on directly, no axes:
    # its heading where an axes title would sit (6 pt above the top, left-aligned).
    left, bottom, width, height = TABLE_RECT
    fig.text(left, bottom + height, wrap_cjk(header, int(column_pt / 3.75)), fontsize=7.5,
             ha="left", va="bottom", linespacing=1.3,
             transform=fig.transFigure + ScaledTranslation(0, 6 / 72, fig.dpi_scale_trans))
    if is_point:
        # No shape, so no corners: a list of the circle the build drew would look surveyed.
        shown = corners.iloc[0:0]
        corners = shown
        fig.text(left, bottom + 0.95 * height,
                 "本分区规划未载明面积，图中以点示意大致位置，不列拐点坐标。", fontsize=7.5,
                 va="top")
    col_labels = ["圈号", "点号", "X", "Y"] if with_ring else ["点号", "X", "Y"]
    col_widths = [0.12, 0.16, 0.36, 0.36] if with_ring else [0.18, 0.41, 0.41]

    def cells_of(block: pd.DataFrame) -> list[list[str]]:
        return [col_labels] + [([str(r.ring)] if with_ring else [])
                               + [r.point, f"{r.x:.{PLANE_DECIMALS}f}",
                                  f"{r.y:.{PLANE_DECIMALS}f}"]
                               for r in block.itertuples()]

    if 0 < len(shown) <= 20:
        # rows as matplotlib's axes table sized them: 1.2 × 10 pt, scaled by 0.85, the
        # table's top 2 % of the place below its top
        add_grid_table(fig, cells_of(shown), left=left, top=bottom + 0.98 * height,
                       width=width, row_height=10 / 72 * 1.2 * 0.85 / size[1],
                       col_widths=col_widths, fontsize=6)
    elif len(shown) > 20:  # an atlas lists up to 40 here: two blocks of 20 side by side
        for k, block in enumerate((shown.iloc[:20], shown.iloc[20:40])):
            if block.empty:
                continue
            add_grid_table(fig, cells_of(block), left=left + k * 0.1875, top=bottom + height,
                           width=0.1825, row_height=height * 0.95 / 21,
                           col_widths=col_widths, fontsize=5.5)
    more = len(corners) - len(shown)
    if more > 0:
        fig.text(left, bottom - 0.04 * height,
                 f"续表见后页（共 {len(corners)} 个拐点）" if continued
                 else f"另有 {more} 个拐点未列出（共 {len(corners)} 个）", fontsize=7, va="top")

    convergence = convergence_deg(crs, (extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2)
    footnote = draw_footnote(
        fig, used, crs, bar, producer=producer, date=date, schematic_drawn=schematic_drawn,
        demo_drawn=demo_drawn, omitted=0, convergence=convergence,
        width_chars=footnote_chars(size),
        extra="" if is_point else
        f"拐点坐标为 CGCS2000 高斯-克吕格 3度带带号坐标 (EPSG:{epsg})。", grid=grid,
        points_drawn=is_point or hood.points_drawn,
    )
    return record_figure(fig, FigureInfo(
        crs=crs, map_ax=ax, inset_ax=None, drawn_layers=drawn, legend_labels=labels,
        scale_bar=bar, footnote=footnote, title=title,
    ))


@dataclass(frozen=True)
class SheetCorners:
    """The corners a zone sheet lists: rows of :func:`mineplan.io.corners.corner_table`."""

    corners: pd.DataFrame  # exterior rings only, none for a zone without area
    with_ring: bool  # more than one ring: the 圈号 column is shown
    header: str  # the table's heading (CRS, axes, schematic note)


def sheet_corners(zone_row: pd.Series) -> SheetCorners:
    """The corner rows of a zone's sheet (and of its 续表 pages in an atlas).

    The one corner-point table (:mod:`mineplan.io.corners`), exterior rings listed, each
    vertex once (the ring's closing repeat is not a corner). Point names restart at J1
    on every ring, so the ring (圈号, holes counted as everywhere else) is shown whenever
    the zone has more than one. A zone without area lists none.
    """
    geom = zone_row["geometry"]
    rep = geom.representative_point()
    crs_prefixed = gk_crs_for_lonlat(rep.x, rep.y, prefixed=True)
    rings = corner_table([geom], plane_crs=crs_prefixed)
    corners = rings[~rings["hole"]]
    with_ring = bool(rings["ring"].nunique() > 1)
    status = str(zone_row.get("geometry_status", "") or "")
    zone = gpd.GeoDataFrame([zone_row], geometry="geometry", crs=STORE_CRS)
    if bool(point_zones(zone).iloc[0]):
        return SheetCorners(corners.iloc[0:0], False, "拐点坐标")
    header = f"拐点坐标（EPSG:{crs_prefixed.to_epsg()}，X 北坐标 / Y 东坐标，米）"
    if status == SCHEMATIC:
        header += "——示意图形，非实测"
    return SheetCorners(corners, with_ring, header)
