"""The neighbourhood map: the left half of a zone sheet and of a check figure.

Every store layer around one shape (a zone, a proposal), the shape outlined in red,
county lines, a legend, scale bar, north arrow and frame grid.

May import: :mod:`mineplan.layers` and the modules :mod:`~mineplan.figures.cartography`
and :mod:`~mineplan.figures.layers`. Never web or cli.
"""

from __future__ import annotations

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
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle

__all__ = ["OUTLINE_COLOUR", "Neighbourhood", "neighbourhood_map"]

#: The red of the outlined shape (the zone, the proposal).
OUTLINE_COLOUR = "#E00000"


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
    """
    if projected is None:
        projected = ProjectedLayers()
    ax = fig.add_axes((0.05, 0.14, 0.52, 0.74))
    minx, miny, maxx, maxy = shape.bounds
    # a point (zone without area) is shown with ~10 km around it, so its setting reads
    pad = max(maxx - minx, maxy - miny, 12_000.0 if outline == "point" else 2000.0) * 0.8
    extent = fit_extent((minx - pad, miny - pad, maxx + pad, maxy + pad), ax, margin=0)
    set_map_extent(ax, extent)
    view = box(extent[0], extent[2], extent[1], extent[3])
    metres_per_mm = (extent[1] - extent[0]) / (0.52 * size[0] * 25.4)

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
    ax.legend(handles, labels, loc="upper left", fontsize=6, framealpha=0.85, fancybox=False,
              edgecolor="#404040")
    return Neighbourhood(ax, extent, bar, drawn, used, labels, handles, schematic_drawn,
                         demo_drawn, points_drawn)

