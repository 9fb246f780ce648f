"""Store layers on a map: drawing them in order, faint when schematic or demo, legend entries.

A zone layer (group ``plan`` / ``rights``) whose ``geometry_status`` is
:data:`~mineplan.vocab.SCHEMATIC` and a control layer (red lines) whose ``data_status``
is :data:`~mineplan.vocab.DEMO` are drawn *faint* (lighter fill, dashed outline as the
schematic style says) and labelled so in the legend. A local GeoTIFF can be drawn
under everything as a background.

May import: vocab, errors, layers, io.rasters. Never web or cli.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pyproj
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from mineplan.errors import FigureError
from mineplan.layers import LINE_DASHES_MM, LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import DEMO, SCHEMATIC, STORE_CRS

__all__ = [
    "ProjectedLayers",
    "check_frames",
    "draw_background",
    "draw_county_lines",
    "draw_in_order",
    "legend_entries",
    "legend_handle",
    "legend_label",
    "line_style",
    "outline_width_pt",
    "point_legend_entry",
    "point_zones",
    "split_styles",
    "to_map_crs",
]

_MM_TO_PT = 72.0 / 25.4
_BACKGROUND_MODES = {"hillshade": "地形晕渲", "gray": "灰度影像", "rgb": "彩色影像"}


# --------------------------------------------------------------------------- inputs


def check_frames(frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec],
                 styles: Mapping[str, LayerStyle]) -> None:
    """Raise one :class:`~mineplan.errors.FigureError` naming every layer that cannot be drawn.

    ``frames`` must hold ``XZQ`` (the boundaries), and every layer needs a definition
    in ``specs`` whose style is in ``styles``.
    """
    problems = []
    if "XZQ" not in frames:
        problems.append("frames has no 'XZQ' (boundaries) layer")
    for code in frames:
        if code not in specs:
            problems.append(f"layer {code!r} has no definition")
        elif specs[code].style not in styles:
            problems.append(f"layer {code!r} has no style {specs[code].style!r}")
    if problems:
        raise FigureError("cannot draw: " + "; ".join(problems))


def split_styles(
    styles: Mapping[str, LayerStyle] | tuple[Mapping[str, LayerStyle], SchematicStyle],
) -> tuple[Mapping[str, LayerStyle], SchematicStyle]:
    """Styles and the schematic style, from either the styles alone or the pair
    :func:`mineplan.layers.read_styles` returns."""
    if isinstance(styles, tuple):
        return styles[0], styles[1]
    return styles, SchematicStyle()


def to_map_crs(frame: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    """`frame` reprojected to the map CRS; refuses a frame without a CRS."""
    if frame.crs is None:
        raise FigureError(
            f"a layer has no CRS; the store writes {STORE_CRS} — read it with read_layer"
        )
    return frame.to_crs(crs)


class ProjectedLayers:
    """Layers reprojected to a map CRS once, with a spatial index, for many maps.

    An atlas draws a hundred sheets, nearly all in the same Gauss-Krüger zone: each sheet
    reprojecting and filtering every whole layer was a fifth of its time. One instance
    keeps each (layer, CRS) reprojection; :meth:`around` returns the shapes meeting a
    view, in the layer's order, exactly as ``projected[projected.intersects(view)]``.
    """

    def __init__(self) -> None:
        # keyed by the frame's id; the frame itself is kept so the id cannot be reused
        self._cache: dict[tuple[int, str], tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]] = {}

    def projected(self, frame: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
        """`frame` in `crs` (:func:`to_map_crs`), reprojected once per instance."""
        key = (id(frame), crs.to_wkt())
        hit = self._cache.get(key)
        if hit is None or hit[0] is not frame:
            hit = (frame, to_map_crs(frame, crs))
            self._cache[key] = hit
        return hit[1]

    def around(self, frame: gpd.GeoDataFrame, crs: pyproj.CRS,
               view: shapely.Geometry) -> gpd.GeoDataFrame:
        """The rows of `frame` (in `crs`) whose shapes intersect `view`, in frame order."""
        projected = self.projected(frame, crs)
        if projected.empty:
            return projected
        hits = projected.sindex.query(view, predicate="intersects")
        return projected.iloc[sorted(hits)]


# --------------------------------------------------------------------------- faint features


def _is_flagged(frame: gpd.GeoDataFrame, column: str, value: str) -> pd.Series:
    if column in frame:
        return frame[column].fillna("").astype(str).eq(value)
    return pd.Series(False, index=frame.index)


def _faint(spec: LayerSpec, frame: gpd.GeoDataFrame) -> pd.Series:
    if spec.group == "control":
        return _is_flagged(frame, "data_status", DEMO)
    return _is_flagged(frame, "geometry_status", SCHEMATIC)


# --------------------------------------------------------------------------- drawing


def point_zones(frame: gpd.GeoDataFrame) -> pd.Series:
    """Zones the plan gives no area for: schematic geometry and no ``area_km2``.

    The build marks their place with a small schematic circle
    (:mod:`mineplan.build.schematic`); figures draw them as points, since a shape
    would look like a real zone of that size.
    """
    if "area_km2" not in frame:
        return pd.Series(False, index=frame.index)
    return _is_flagged(frame, "geometry_status", SCHEMATIC) & frame["area_km2"].isna()


#: A matplotlib line style: solid, or (offset, dash pattern in points).
LineStyle = Literal["solid"] | tuple[float, tuple[float, ...]]


def line_style(style: LayerStyle, linewidth_pt: float) -> LineStyle:
    """A matplotlib line style for the outline kind of `style` (dash lengths in mm on paper).

    matplotlib scales dash patterns by the line width, so the pattern is divided by it.
    """
    pattern = LINE_DASHES_MM[style.outline]
    if not pattern:
        return "solid"
    return (0, tuple(v * _MM_TO_PT / max(linewidth_pt, 0.1) for v in pattern))


def outline_width_pt(style: LayerStyle) -> float:
    """The outline width in points of `style` (``weight`` is in mm; at least 0.4 pt)."""
    return max(style.weight * _MM_TO_PT, 0.4)


def _polygon_path(geom: shapely.Geometry) -> MplPath:
    """One compound path of a (Multi)Polygon's rings, as geopandas' plot builds it."""
    parts = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    return MplPath.make_compound_path(*(
        MplPath(np.asarray(ring.coords)[:, :2], closed=True)
        for poly in parts for ring in (poly.exterior, *poly.interiors)))


def _plot_polygons(ax: Axes, part: gpd.GeoDataFrame, style: LayerStyle, *,
                   zorder: float) -> None:
    width = outline_width_pt(style)
    kinds: list[dict[str, Any]] = [dict(
        facecolor=matplotlib.colors.to_rgba(style.fill, style.fill_opacity),
        edgecolor=style.stroke, linewidth=width, linestyle=line_style(style, width),
        zorder=zorder)]
    if style.hatch:
        kinds.append(dict(facecolor="none", edgecolor=style.stroke, linewidth=0,
                          hatch=style.hatch * 2, zorder=zorder + 0.01))
    geoms = part.geometry
    plain = (not geoms.empty and not (part.crs is not None and part.crs.is_geographic)
             and bool(geoms.geom_type.isin(["Polygon", "MultiPolygon"]).all())
             and not bool(geoms.isna().any()) and not bool(geoms.is_empty.any()))
    if not plain:  # lines, points, collections, empties, degrees: geopandas sorts them out
        for kw in kinds:
            part.plot(ax=ax, **kw)
        return
    # The collection part.plot makes (normalised rings, one compound path per shape),
    # without its per-call copy of the frame and collection handling (a tenth of an
    # atlas's time); its side effects are kept: axis labels from the CRS, equal aspect,
    # data limits and autoscale. The atlas PDF is byte for byte the same.
    paths = [_polygon_path(g) for g in shapely.normalize(geoms.to_numpy())]  # holes drawn
    for kw in kinds:
        _set_axis_labels(ax, part.crs)
        ax.set_aspect("equal")
        ax.add_collection(PatchCollection([PathPatch(p) for p in paths], **kw), autolim=True)
        ax.autoscale_view()


def _set_axis_labels(ax: Axes, crs: pyproj.CRS | None) -> None:
    """Axis labels named from the CRS, when not set (what geopandas' plot does)."""
    if crs:
        x_label = f"{crs.axis_info[0].name} [{crs.axis_info[0].unit_name}]"
        y_label = f"{crs.axis_info[1].name} [{crs.axis_info[1].unit_name}]"
        if crs.axis_info[0].direction == "north":
            x_label, y_label = y_label, x_label
    else:
        x_label, y_label = "x", "y"
    if ax.get_xlabel() == "":
        ax.set_xlabel(x_label, fontsize="small")
    if ax.get_ylabel() == "":
        ax.set_ylabel(y_label, fontsize="small")


def _draw_layer(
    ax: Axes,
    frame: gpd.GeoDataFrame,
    spec: LayerSpec,
    style: LayerStyle,
    schematic: SchematicStyle,
    *,
    zorder: float,
    min_size_m: float,
) -> None:
    """Draw one zone/control layer: shapes in the layer's symbol (faint when schematic or
    demo), zones without area as points, shapes too small to see as a square symbol."""
    faint = _faint(spec, frame)
    points = point_zones(frame) if spec.is_zone_layer else pd.Series(False, index=frame.index)
    shapes = frame[~points]
    for is_faint, part in shapes.groupby(faint[~points].to_numpy(), sort=False):
        drawn = style.faint(schematic) if is_faint else style
        _plot_polygons(ax, part, drawn, zorder=zorder)
        bounds = part.geometry.bounds
        tiny = ((bounds.maxx - bounds.minx) < min_size_m) & (
            (bounds.maxy - bounds.miny) < min_size_m
        )
        if tiny.any():
            pts = shapely.get_coordinates(part.geometry[tiny].representative_point())
            ax.scatter(
                pts[:, 0], pts[:, 1], s=14, marker="s", facecolor=style.fill,
                edgecolor=style.stroke, linewidth=0.6, zorder=zorder + 0.5,
            )
    if points.any():
        pts = shapely.get_coordinates(frame.geometry[points].representative_point())
        ax.scatter(pts[:, 0], pts[:, 1], **_point_kw(style, schematic), zorder=zorder + 0.6,
                   gid="point-zone")


def _point_kw(style: LayerStyle, schematic: SchematicStyle) -> dict[str, Any]:
    size_pt = schematic.point_size_mm * _MM_TO_PT
    return {"s": size_pt**2, "marker": schematic.point_marker, "facecolor": style.stroke,
            "edgecolor": "white", "linewidth": 0.6}


def draw_county_lines(ax: Axes, xzq: gpd.GeoDataFrame, style: LayerStyle, *,
                      crs: pyproj.CRS, view: shapely.Geometry) -> gpd.GeoDataFrame:
    """Draw the county boundaries of ``xzq`` that meet ``view`` (map CRS) as the
    administrative line (``style``'s stroke, dashed, under the labels); returns those
    counties in the map CRS."""
    counties = xzq[xzq["level"] == "county"].to_crs(crs)
    counties = counties[counties.intersects(view)]
    if not counties.empty:
        counties.boundary.plot(ax=ax, color=style.stroke, linewidth=0.6,
                               linestyle=(0, (5, 2)), zorder=20)
    return counties


def draw_in_order(ax: Axes, projected: gpd.GeoDataFrame, spec: LayerSpec, style: LayerStyle,
                  schematic: SchematicStyle, *, metres_per_mm: float) -> bool:
    """Draw a layer above the control layers, in definition order; True if any of it is faint
    (schematic or demo)."""
    zorder = 2 + (0 if spec.group == "control" else 1) + spec.order / 100
    _draw_layer(ax, projected, spec, style, schematic, zorder=zorder,
                min_size_m=1.2 * metres_per_mm)
    return bool(_faint(spec, projected).any())


def draw_background(ax: Axes, path: str | Path, crs: pyproj.CRS) -> str:
    """A local GeoTIFF under the layers, warped to the map CRS; returns the footnote sentence."""
    from mineplan.io.rasters import raster_picture

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    picture = raster_picture(path, dst_crs=crs.to_wkt())
    ax.imshow(picture.rgba, extent=picture.extent, origin="upper", zorder=0.5,
              interpolation="bilinear")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    mode = _BACKGROUND_MODES.get(picture.mode, picture.mode)
    return f"底图：{Path(path).name}（{mode}，经 rasterio 读取并投影至本图坐标系）。"


# --------------------------------------------------------------------------- legend


def legend_label(spec: LayerSpec, frame: gpd.GeoDataFrame, schematic: SchematicStyle) -> str:
    """The legend text of a drawn layer: its name, marked when any of it is schematic or demo."""
    if spec.group == "control" and _is_flagged(frame, "data_status", DEMO).any():
        return f"{spec.name}（{DEMO}数据）"
    if spec.group in ("plan", "rights") and _is_flagged(frame, "geometry_status",
                                                          SCHEMATIC).any():
        return f"{spec.name}{schematic.label_suffix}"
    if spec.group == "base":
        return "县级行政界线（粗线为本规划区）"
    return spec.name


def legend_handle(spec: LayerSpec, style: LayerStyle, schematic: SchematicStyle,
                  faint: bool) -> Patch | Line2D:
    """The legend symbol of a layer: a dashed line for boundaries, its fill, hatch and
    outline otherwise (as drawn: faint when schematic or demo)."""
    if spec.group == "base":
        return Line2D([], [], color=style.stroke, linewidth=0.8, linestyle=(0, (5, 2)))
    drawn = style.faint(schematic) if faint else style
    width = max(outline_width_pt(drawn), 0.8)
    return Patch(
        facecolor=matplotlib.colors.to_rgba(drawn.fill, max(drawn.fill_opacity, 0.15)),
        edgecolor=drawn.stroke, hatch=drawn.hatch * 2 or None,
        linestyle=line_style(drawn, width), linewidth=width,
    )


def point_legend_entry(spec: LayerSpec, style: LayerStyle,
                       schematic: SchematicStyle) -> tuple[Line2D, str]:
    """The legend entry of a layer's zones without area: its point symbol and
    "<layer>（无面积，位置示意）"."""
    kw = _point_kw(style, schematic)
    handle = Line2D([], [], linestyle="none", marker=kw["marker"],
                    markersize=schematic.point_size_mm * _MM_TO_PT,
                    markerfacecolor=kw["facecolor"], markeredgecolor=kw["edgecolor"],
                    markeredgewidth=kw["linewidth"])
    return handle, f"{spec.name}（{schematic.point_label}）"


def legend_entries(spec: LayerSpec, frame: gpd.GeoDataFrame, style: LayerStyle,
                   schematic: SchematicStyle, *, faint: bool
                   ) -> list[tuple[Patch | Line2D, str]]:
    """Legend entries of a drawn layer: its shape symbol (when any shape is drawn) and its
    point symbol (when any zone has no area)."""
    points = point_zones(frame) if spec.is_zone_layer else pd.Series(False, index=frame.index)
    entries: list[tuple[Patch | Line2D, str]] = []
    if not points.all():
        entries.append((legend_handle(spec, style, schematic, faint),
                        legend_label(spec, frame[~points], schematic)))
    if points.any():
        entries.append(point_legend_entry(spec, style, schematic))
    return entries
