"""The pages of an atlas around its zone sheets: cover, index map, contents, corner 续表.

Each function returns one page (a :class:`~matplotlib.figure.Figure` on a
:class:`~mineplan.figures.canvas.QuietCanvas`); :mod:`mineplan.figures.atlas` orders
them, numbers them and writes them one at a time.

May import: vocab, errors, layers, geodesy and the modules of :mod:`mineplan.figures`
below the figure kinds. Never web or cli.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.geometry import box

from mineplan.figures.canvas import quiet_canvas
from mineplan.figures.cartography import (
    draw_grid,
    draw_north_arrow,
    draw_scale_bar,
    fit_extent,
    furniture_boxes,
    set_map_extent,
)
from mineplan.figures.gridtable import add_grid_table
from mineplan.figures.layers import (
    draw_county_lines,
    draw_in_order,
    legend_entries,
    legend_handle,
    legend_label,
    to_map_crs,
)
from mineplan.figures.text import REVIEW_NOTE, SCHEMATIC_TITLE, place_labels, wrap_cjk
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import PLANE_DECIMALS, STORE_CRS

__all__ = [
    "CONTENTS_ROWS",
    "CONTINUATION_BLOCKS",
    "CONTINUATION_BLOCK_ROWS",
    "CONTINUATION_ROWS",
    "SheetEntry",
    "contents_page",
    "corner_continuation",
    "cover_page",
    "index_page",
    "stamp_page_number",
]

#: Rows of the contents on one page.
CONTENTS_ROWS = 28
#: Corner blocks side by side on a continuation page, and rows in each.
CONTINUATION_BLOCKS, CONTINUATION_BLOCK_ROWS = 3, 46
#: Corner rows on one continuation page.
CONTINUATION_ROWS = CONTINUATION_BLOCKS * CONTINUATION_BLOCK_ROWS


@dataclass(frozen=True)
class SheetEntry:
    """One zone's sheet in an atlas: its number, zone, layer and first page."""

    number: int
    zone_id: str
    code: str  # the plan's 序号 as printed, else the zone id
    name: str
    layer: str
    layer_name: str
    page: int
    pages: int  # the sheet and its corner continuations


def stamp_page_number(fig: Figure, page: int, total: int) -> None:
    """Write 第 n 页 / 共 N 页 at the bottom right of `fig`."""
    fig.text(0.975, 0.006, f"第 {page} 页 / 共 {total} 页", ha="right", va="bottom",
             fontsize=7, color="#202020", gid="page-number")


def _blank(size: tuple[float, float]) -> Figure:
    return quiet_canvas(Figure(figsize=size))


def cover_page(
    *, size: tuple[float, float], title: str, plans: Sequence[str], schematic: bool,
    producer: str, date: _dt.date, sources: Sequence[str], sheets: int,
) -> Figure:
    """The cover: title (（示意图） when schematic), plans, 制图单位, 制图日期, data sources."""
    fig = _blank(size)
    full_title = title + (SCHEMATIC_TITLE if schematic else "")
    fig.text(0.5, 0.70, wrap_cjk(full_title, 44), ha="center", va="center", fontsize=24,
             fontweight="bold", linespacing=1.5, gid="atlas-title")
    fig.text(0.5, 0.58, f"共 {sheets} 幅分区图", ha="center", va="center", fontsize=13)
    if schematic:
        fig.text(0.5, 0.52, "示意图：规划分区为按规划面积生成的示意图形，非实测边界", ha="center",
                 va="center", fontsize=10, color="white", fontweight="bold",
                 bbox={"boxstyle": "square,pad=0.4", "facecolor": "#C00000",
                       "edgecolor": "none"})
    lines = [f"规划：{'；'.join(f'《{p}》' for p in plans) or '—'}",
             f"制图单位：{producer or '＿＿＿＿＿＿＿＿＿＿'}",
             f"制图日期：{date.isoformat()}",
             "数据来源：" + ("；".join(sources) or "—"),
             REVIEW_NOTE + "。"]
    width = 96 if size[0] >= size[1] else 64
    fig.text(0.12, 0.42, "\n".join(wrap_cjk(line, width) for line in lines), ha="left",
             va="top", fontsize=10, linespacing=1.8)
    return fig


def index_page(
    frames: Mapping[str, gpd.GeoDataFrame], sheets: Sequence[tuple[SheetEntry, pd.Series]],
    *, region_shape_store: gpd.GeoSeries, crs: pyproj.CRS, specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle], schematic: SchematicStyle, size: tuple[float, float],
    grid: str, title: str,
) -> tuple[Figure, list[str], int]:
    """The index map: the region, every sheet's zone, its sheet number placed at it.

    `sheets` pairs each entry with its zone row (geometry in EPSG:4490). The legend lists only
    the layers drawn on this page. Returns the page, the sheet numbers placed clear of
    each other and how many had to be set small on top of a neighbour.
    """
    fig = _blank(size)
    landscape = size[0] >= size[1]
    map_rect = (0.05, 0.10, 0.66, 0.78) if landscape else (0.07, 0.30, 0.86, 0.58)
    ax = fig.add_axes(map_rect)
    region_shape = region_shape_store.to_crs(crs).union_all()
    extent = fit_extent(region_shape.bounds, ax)
    set_map_extent(ax, extent)
    view = box(extent[0], extent[2], extent[1], extent[3])
    metres_per_mm = (extent[1] - extent[0]) / (map_rect[2] * size[0] * 25.4)
    entries: list[tuple[Patch | Line2D, str]] = []
    anchors: list[tuple[float, float, float, str]] = []
    by_layer: dict[str, list[tuple[SheetEntry, pd.Series]]] = {}
    for entry, geom in sheets:
        by_layer.setdefault(entry.layer, []).append((entry, geom))
    for layer in sorted(by_layer, key=lambda c: specs[c].order):
        spec = specs[layer]
        rows = by_layer[layer]
        frame = gpd.GeoDataFrame(
            pd.DataFrame([{**dict(g.drop("geometry")), "geometry": g["geometry"]}
                          for _, g in rows]), geometry="geometry", crs=STORE_CRS)
        projected = to_map_crs(frame, crs)
        faint = draw_in_order(ax, projected, spec, styles[spec.style], schematic,
                              metres_per_mm=metres_per_mm)
        entries.extend(legend_entries(spec, projected, styles[spec.style], schematic,
                                      faint=faint))
        for (entry, _), geom in zip(rows, projected.geometry, strict=True):
            anchor = geom.representative_point()
            anchors.append((float(geom.area), anchor.x, anchor.y, str(entry.number)))
    xzq = frames["XZQ"]
    xzq_style = styles[specs["XZQ"].style]
    counties = draw_county_lines(ax, xzq, xzq_style, crs=crs, view=view)
    if not counties.empty:
        entries.append((legend_handle(specs["XZQ"], xzq_style, schematic, False),
                        legend_label(specs["XZQ"], counties, schematic)))
    gpd.GeoSeries([region_shape], crs=crs).boundary.plot(ax=ax, color="#202020",
                                                         linewidth=1.4, zorder=21)
    set_map_extent(ax, extent)
    draw_scale_bar(ax, crs)
    draw_north_arrow(ax)
    draw_grid(ax, crs, grid)
    # a white box, not a halo: a halo (path effect) turns text into outlines in the PDF,
    # and the numbers must stay text a reader can search for
    label: dict[str, Any] = {"fontsize": 6.5, "zorder": 30, "fontweight": "bold",
                             "color": "#000080",
                             "bbox": {"boxstyle": "round,pad=0.12", "facecolor": "white",
                                      "edgecolor": "none", "alpha": 0.85}}
    # each number beside a small dot at its zone, so the number never hides a point zone
    ax.scatter([a[1] for a in anchors], [a[2] for a in anchors], s=4, color="#000080",
               zorder=29, linewidths=0)
    placed, _ = place_labels(ax, anchors, taken=furniture_boxes(ax), text_kw=label,
                             offsets=((0, 6), (6, 0), (0, -6), (-6, 0), (5, 5), (5, -5),
                                      (-5, -5), (-5, 5), (0, 11), (11, 0), (0, -11),
                                      (-11, 0)))
    crowded = 0
    placed_set = set(placed)
    for _, x, y, number in anchors:  # every number is on the map: the rest set small
        if number not in placed_set:
            ax.text(x, y, number, ha="left", va="bottom", clip_on=True,
                    **{**label, "fontsize": 4.5})
            crowded += 1
    fig.text(0.5, 0.955, title, ha="center", va="center", fontsize=15, fontweight="bold")
    fig.text(0.5, 0.918, "图中数字为分区图图号（见目录）", ha="center", va="center",
             fontsize=9, color="#303030")
    legend_ax = fig.add_axes((0.74, 0.10, 0.24, 0.78) if landscape
                             else (0.07, 0.06, 0.86, 0.20))
    legend_ax.set_axis_off()
    legend_ax.legend([h for h, _ in entries], [t for _, t in entries], loc="upper left",
                     title="图  例", fontsize=7, title_fontsize=9, frameon=True,
                     edgecolor="#404040", fancybox=False, ncol=1 if landscape else 2)
    return fig, placed, crowded


def contents_page(entries: Sequence[SheetEntry], *, size: tuple[float, float],
                  first: bool) -> Figure:
    """One page of the contents (目录): 图号, 编号, 名称, 图层, 页码."""
    fig = _blank(size)
    fig.text(0.5, 0.94, "目录" if first else "目录（续）", ha="center", va="center",
             fontsize=16, fontweight="bold")
    ax = fig.add_axes((0.06, 0.06, 0.88, 0.82))
    ax.set_axis_off()
    cells = [[str(e.number), e.code, wrap_cjk(e.name, 60).split("\n")[0]
              + ("…" if len(wrap_cjk(e.name, 60).split("\n")) > 1 else ""),
              e.layer_name, str(e.page)] for e in entries]
    table = ax.table(cellText=cells, colLabels=["图号", "编号", "分区名称", "图层", "页码"],
                     loc="upper center", cellLoc="left",
                     colWidths=[0.07, 0.20, 0.49, 0.16, 0.08])
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    table.scale(1, 1.1)
    return fig


def corner_continuation(
    corners: pd.DataFrame, *, size: tuple[float, float], title: str, header: str,
    with_ring: bool, part: int, parts: int,
) -> Figure:
    """A 续表 page of a zone's corner table: `corners` rows in two blocks side by side."""
    fig = _blank(size)
    fig.text(0.5, 0.95, f"{title} 拐点坐标（续表 {part}/{parts}）", ha="center", va="center",
             fontsize=13, fontweight="bold")
    fig.text(0.5, 0.915, header, ha="center", va="center", fontsize=8.5, color="#303030")
    half = CONTINUATION_BLOCK_ROWS
    width = 0.90 / CONTINUATION_BLOCKS
    labels = ["圈号", "点号", "X", "Y"] if with_ring else ["点号", "X", "Y"]
    for block in range(CONTINUATION_BLOCKS):
        rows = corners.iloc[block * half:(block + 1) * half]
        if rows.empty:
            continue
        cells = [labels] + [([str(r.ring)] if with_ring else [])
                            + [r.point, f"{r.x:.{PLANE_DECIMALS}f}", f"{r.y:.{PLANE_DECIMALS}f}"]
                            for r in rows.itertuples()]
        # every block's rows the same height: the page's 0.82 shared by header + `half` rows
        add_grid_table(fig, cells, left=0.05 + block * width, top=0.88, width=width - 0.02,
                       row_height=0.82 / (half + 1),
                       col_widths=[0.12, 0.16, 0.36, 0.36] if with_ring else [0.18, 0.41, 0.41],
                       fontsize=6)
    return fig
