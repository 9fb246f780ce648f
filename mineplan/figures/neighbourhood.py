"""The neighbourhood map: the left half of a zone sheet and of a check figure.

Every store layer around one shape (a zone, a proposal), the shape outlined in red,
county lines, scale bar, north arrow and the double-line 图廓 with its grid labels;
the legend in a strip of its own under the map (:func:`sheet_rects`, in millimetres so
every paper gets the same strip), never over map content.

May import: :mod:`mineplan.layers` and the modules :mod:`~mineplan.figures.cartography`,
:mod:`~mineplan.figures.layers` and :mod:`~mineplan.figures.text`. Never web or cli.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import pyproj
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from mineplan.figures.cartography import (
    FRAME_GAP_PT,
    ScaleBar,
    draw_grid,
    draw_north_arrow,
    draw_scale_bar,
    fit_extent,
    set_map_extent,
)
from mineplan.figures.layers import (
    ProjectedLayers,
    draw_in_order,
    legend_entries,
    legend_handle,
    point_zones,
)
from mineplan.figures.text import fit_legend
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle

__all__ = ["LEGEND_STRIP_MM", "OUTLINE_COLOUR", "Neighbourhood", "SheetRects",
           "footnote_chars", "neighbourhood_map", "sheet_rects"]

#: The red of the outlined shape (the zone, the proposal).
OUTLINE_COLOUR = "#E00000"
#: Height of the legend strip under the map, mm: four rows of 6.5 pt entries and the
#: title; more entries take more columns, then a smaller font (down to 4.5 pt).
LEGEND_STRIP_MM = 26.0
#: Half-width columns of footnote text these sheets budget for (a zone sheet's runs
#: to ~650, a check figure's with data notes to ~800).
_FOOTNOTE_COLUMNS = 820
_FOOTNOTE_PT = 6.5 * 1.4  # the footnote's line height (6.5 pt type)


def footnote_chars(size: tuple[float, float]) -> int:
    """The footnote's width in half-width columns on a page of `size` inches."""
    return 218 if size[0] >= size[1] else 150


@dataclass(frozen=True)
class SheetRects:
    """The left column of a zone sheet or check figure, in figure fractions.

    ``map_rect`` is the map face (inner neat line; the outer line and grid labels take
    :data:`~mineplan.figures.cartography.FRAME_GAP_PT` more each side); ``legend_rect``
    the strip under it, as wide as the outer frame, above the footnote.
    """

    map_rect: tuple[float, float, float, float]
    legend_rect: tuple[float, float, float, float]


def sheet_rects(size: tuple[float, float]) -> SheetRects:
    """Map and legend of a page of `size` inches, measured in millimetres.

    The column spans 5–57 % of the page width (the attribute / findings panel is right
    of it, from 60 %); from the bottom: the footnote's lines, the
    :data:`LEGEND_STRIP_MM` legend, the frame's gap, then the map up to the title
    block at 88 % of the height.
    """
    w, h = size[0] * 25.4, size[1] * 25.4  # mm
    frame = FRAME_GAP_PT * 25.4 / 72 + 1.5  # outer line and labels, mm
    lines = math.ceil(_FOOTNOTE_COLUMNS / footnote_chars(size))
    foot = 3.0 + lines * _FOOTNOTE_PT * 25.4 / 72 + 2.0
    x0, x1, top = 0.05 * w, 0.57 * w, 0.88 * h
    map_y0 = foot + LEGEND_STRIP_MM + frame + 2.0

    def rect(a: float, b: float, c: float, d: float) -> tuple[float, float, float, float]:
        return (a / w, b / h, (c - a) / w, (d - b) / h)

    return SheetRects(map_rect=rect(x0, map_y0, x1, top),
                      legend_rect=rect(x0 - frame, foot, x1 + frame, foot + LEGEND_STRIP_MM))


@dataclass
class Neighbourhood:
    """What :func:`neighbourhood_map` drew.

    ``extent`` is (x0, x1, y0, y1) in map metres; ``drawn`` maps layer code → legend
    label (``_zone`` and ``_<label>`` for the outline and extra entries); ``used`` holds
    the layers drawn, for the footnote's sources; ``schematic_drawn`` / ``demo_drawn``
    say whether anything faint was drawn, ``points_drawn`` whether zones without area were
    (as points).
    """

    ax: Axes
    extent: tuple[float, float, float, float]
    bar: ScaleBar
    drawn: dict[str, str]
    used: dict[str, gpd.GeoDataFrame]
    labels: list[str]
    handles: list[Patch | Line2D]
    schematic_drawn: bool
    demo_drawn: bool
    points_drawn: bool = False


def neighbourhood_map(
    fig: Figure, shape: BaseGeometry, frames: Mapping[str, gpd.GeoDataFrame], *,
    crs: pyproj.CRS, specs: Mapping[str, LayerSpec], styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle, size: tuple[float, float], grid: str, outline_label: str,
    extra_handles: Sequence[tuple[Patch | Line2D, str]] = (),
    outline: str = "solid", frame: bool = False, projected: ProjectedLayers | None = None,
) -> Neighbourhood:
    """The left-hand map of a sheet: every layer around ``shape`` (map CRS), outlined in red.

    ``outline`` is how the shape is drawn: ``"solid"``, ``"dash"`` (a schematic shape)
    or ``"point"`` (a zone without area: a red point at its place, no outline).
    ``frame`` draws the double-line 图廓 with the grid labels between its lines
    (:func:`~mineplan.figures.cartography.draw_grid`). ``projected`` keeps the layers'
    reprojections for the next map (an atlas); a fresh one is used when not given.
    The map and its legend go where :func:`sheet_rects` puts them on a page of ``size``.
    """
    if projected is None:
        projected = ProjectedLayers()
    rects = sheet_rects(size)
    ax = fig.add_axes(rects.map_rect)
    minx, miny, maxx, maxy = shape.bounds
    # a point (zone without area) is shown with ~10 km around it, so its setting reads
    pad = max(maxx - minx, maxy - miny, 12_000.0 if outline == "point" else 2000.0) * 0.8
    extent = fit_extent((minx - pad, miny - pad, maxx + pad, maxy + pad), ax, margin=0)
    set_map_extent(ax, extent)
    view = box(extent[0], extent[2], extent[1], extent[3])
    metres_per_mm = (extent[1] - extent[0]) / (rects.map_rect[2] * size[0] * 25.4)

    drawn: dict[str, str] = {}
    used: dict[str, gpd.GeoDataFrame] = {"XZQ": frames["XZQ"]}
    handles: list[Patch | Line2D] = []
    schematic_drawn = demo_drawn = points_drawn = False
    order = sorted((c for c in frames if c != "XZQ"),
                   key=lambda c: (specs[c].group != "control", specs[c].order))
    for code in order:
        spec = specs[code]
        near = projected.around(frames[code], crs, view)
        if near.empty:
            continue
        faint = draw_in_order(ax, near, spec, styles[spec.style], schematic,
                              metres_per_mm=metres_per_mm)
        if spec.group == "control":
            demo_drawn |= faint
        else:
            schematic_drawn |= faint
        points_drawn |= spec.is_zone_layer and bool(point_zones(near).any())
        entries = legend_entries(spec, near, styles[spec.style], schematic, faint=faint)
        drawn[code] = entries[0][1]
        used[code] = near
        for handle, label in entries:
            handles.append(handle)
            if label != drawn[code]:
                drawn[f"{code}:point"] = label
    if outline == "point":
        anchor = shape.representative_point()
        ax.scatter([anchor.x], [anchor.y], s=90, marker="o", facecolor="none",
                   edgecolor=OUTLINE_COLOUR, linewidth=1.8, zorder=26)
        subject: Line2D = Line2D([], [], linestyle="none", marker="o", markersize=8,
                                 markerfacecolor="none", markeredgecolor=OUTLINE_COLOUR,
                                 markeredgewidth=1.8)
    else:
        dash: Literal["solid"] | tuple[float, tuple[float, float]] = (
            (0, (3.0, 1.5)) if outline == "dash" else "solid")
        gpd.GeoSeries([shape], crs=crs).boundary.plot(ax=ax, color=OUTLINE_COLOUR,
                                                      linewidth=1.8, linestyle=dash, zorder=26)
        subject = Line2D([], [], color=OUTLINE_COLOUR, linewidth=1.8, linestyle=dash)
    xzq = projected.projected(frames["XZQ"], crs)
    counties = xzq[xzq["level"] == "county"]
    counties = counties[counties.boundary.intersects(view)]  # only lines that show
    if not counties.empty:
        counties.boundary.plot(ax=ax, color=styles[specs["XZQ"].style].stroke, linewidth=0.6,
                               linestyle=(0, (5, 2)), zorder=20)
        drawn["XZQ"] = "县级行政界线"
        handles.append(legend_handle(specs["XZQ"], styles[specs["XZQ"].style], schematic,
                                     False))
    drawn["_zone"] = outline_label
    handles.append(subject)
    for handle, label in extra_handles:
        drawn[f"_{label}"] = label
        handles.append(handle)
    set_map_extent(ax, extent)
    bar = draw_scale_bar(ax, crs)
    draw_north_arrow(ax)
    draw_grid(ax, crs, grid, frame=frame)
    labels = list(drawn.values())
    legend_ax = fig.add_axes(rects.legend_rect)
    legend_ax.set_axis_off()
    fit_legend(legend_ax, handles, labels, compact=True, columns=(2, 3, 4))
    return Neighbourhood(ax, extent, bar, drawn, used, labels, handles, schematic_drawn,
                         demo_drawn, points_drawn)

