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

import geopandas as gpd
import matplotlib
import pandas as pd
import pyproj
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mineplan.errors import FigureError
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import DEMO, SCHEMATIC, STORE_CRS

__all__ = [
    "check_frames",
    "draw_background",
    "draw_in_order",
    "legend_handle",
    "legend_label",
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
    """Draw one zone/control layer; features too small to see get a square symbol."""
    faint = _faint(spec, frame)
    for is_faint, part in frame.groupby(faint.to_numpy(), sort=False):
        alpha = style.fill_opacity * (schematic.fill_opacity_factor if is_faint else 1.0)
        dashed = style.dash or (bool(is_faint) and schematic.dash)
        face = matplotlib.colors.to_rgba(style.fill, alpha)
        part.plot(
            ax=ax, facecolor=face, edgecolor=style.stroke,
            linewidth=max(style.weight * _MM_TO_PT, 0.4),
            linestyle=(0, (4, 2)) if dashed else "solid", zorder=zorder,
        )
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
    """The legend symbol of a layer: a dashed line for boundaries, a patch otherwise."""
    if spec.group == "base":
        return Line2D([], [], color=style.stroke, linewidth=0.8, linestyle=(0, (5, 2)))
    alpha = style.fill_opacity * (schematic.fill_opacity_factor if faint else 1.0)
    return Patch(
        facecolor=matplotlib.colors.to_rgba(style.fill, max(alpha, 0.15)),
        edgecolor=style.stroke,
        linestyle=(0, (4, 2)) if (style.dash or (faint and schematic.dash)) else "solid",
        linewidth=0.8,
    )
