"""Print-quality map figures for planning reports (matplotlib).

Two figures, both drawn in the region's CGCS2000 3-degree Gauss-Kruger zone
*without* zone prefix (false easting 500 000 m), never in raw degrees:

* :func:`region_overview` — a region's planning layers, county boundaries and
  red-line layers, with title, Chinese legend, scale bar, north arrow, graticule
  labelled in degrees and minutes, an inset locating the region in Xinjiang and
  a footnote (sources, CRS, producer, schematic/demo caveat).
* :func:`zone_sheet` — one zone with its neighbourhood, an attribute box and a
  table of corner coordinates (X northing / Y easting, prefixed GK zone).

:func:`save_figure` writes PNG, PDF (fonts embedded as TrueType) or SVG
atomically. :func:`figure_info` returns what a figure drew (layers, legend,
scale bar, labels) so callers and tests can check it.

Scale bar accuracy: the bar is measured in GK plane metres. The Gauss-Kruger
scale factor is 1 on the central meridian and grows as (1 + y²/2R²); within a
3-degree zone (|Δλ| ≤ 1.5°) at Xinjiang latitudes the plane overstates ground
distance by at most ~0.03 %, far below what a printed bar can show; a prefecture
map (塔城地区) reaches beyond its zone and up to ~0.15 % at the frame edges. The
footnote states the largest factor over the map.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import textwrap
import unicodedata
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pyproj
import shapely
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from mineplan import settings
from mineplan.atomic import atomic_output
from mineplan.errors import FigureError, MineplanError
from mineplan.geodesy import (
    GKZone,
    ellipsoidal_area_km2,
    gk_crs_for_lonlat,
    gk_zone_from_epsg,
)
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle

__all__ = [
    "CJK_FONT",
    "PAPER_SIZES_MM",
    "SCHEMATIC_SENTENCE",
    "FigureError",
    "FigureInfo",
    "ScaleBar",
    "check_figure",
    "configure_fonts",
    "figure_info",
    "region_overview",
    "save_atlas",
    "save_figure",
    "zone_sheet",
]

log = logging.getLogger(__name__)

#: The CJK font every figure uses (Debian package fonts-noto-cjk, SIL OFL).
CJK_FONT = "Noto Sans CJK SC"
#: Paper sizes, (long side, short side) in millimetres.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (297.0, 210.0),
    "A3": (420.0, 297.0),
}
#: The caveat printed whenever schematic zones and demo red-lines are drawn.
SCHEMATIC_SENTENCE = "图中规划分区为按规划面积生成的示意图形，三区三线为演示数据，均非实测边界"
_SCHEMATIC_ONLY = "图中规划分区为按规划面积生成的示意图形，非实测边界"
_DEMO_ONLY = "三区三线为演示数据，非实测边界"

_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
_MM_TO_PT = 72.0 / 25.4
_NICE_STEPS_MIN = (60, 30, 20, 15, 10, 5, 2, 1)  # graticule spacing, minutes of arc


@dataclass(frozen=True)
class ScaleBar:
    """The scale bar as drawn: its claimed ground length and its artist.

    ``artist`` is a :class:`~matplotlib.patches.Rectangle` in the map axes' data
    coordinates (GK metres); its width is the drawn length in data units.
    """

    length_m: float
    label: str
    artist: Rectangle
    max_scale_factor: float


@dataclass
class FigureInfo:
    """What a figure drew, for callers and tests.

    Attributes
    ----------
    crs
        The CRS of the map axes (projected, metres).
    map_ax, inset_ax
        The main map axes and the locator inset (None on a zone sheet).
    drawn_layers
        Layer code → legend label, for every layer with features drawn.
    legend_labels
        Labels in the legend, in order.
    scale_bar
        The scale bar.
    labels_placed, labels_omitted
        Zone labels drawn, and skipped because they would overlap another.
    footnote
        The footnote text.
    """

    crs: pyproj.CRS
    map_ax: Axes
    inset_ax: Axes | None
    drawn_layers: dict[str, str]
    legend_labels: list[str]
    scale_bar: ScaleBar
    labels_placed: list[str] = field(default_factory=list)
    labels_omitted: int = 0
    footnote: str = ""
    title: str = ""


_INFO: weakref.WeakKeyDictionary[Figure, FigureInfo] = weakref.WeakKeyDictionary()


def figure_info(fig: Figure) -> FigureInfo:
    """What :func:`region_overview` or :func:`zone_sheet` drew in `fig`.

    Raises
    ------
    FigureError
        If `fig` was not made by this module.
    """
    try:
        return _INFO[fig]
    except KeyError:
        raise FigureError(
            "this figure was not drawn by mineplan.figures (no figure info recorded)"
        ) from None


# --------------------------------------------------------------------------- fonts


def _find_cjk() -> str | None:
    for entry in font_manager.fontManager.ttflist:
        if entry.name == CJK_FONT:
            return str(entry.fname)
    return None


def _cjk_font_path() -> str:
    found = _find_cjk()
    if found is None:
        # matplotlib's font cache predates the font's installation: register the
        # system's Noto Sans CJK files (fonts-noto-cjk) with the running font manager.
        for fname in font_manager.findSystemFonts():
            if "NotoSansCJK" in Path(fname).name:
                try:
                    font_manager.fontManager.addfont(fname)
                except (OSError, RuntimeError, ValueError):  # pragma: no cover
                    log.debug("could not register font %s", fname)
        found = _find_cjk()
    if found is not None:
        return found
    raise FigureError(
        f"font {CJK_FONT!r} not found by matplotlib; install it with "
        "`apt-get install fonts-noto-cjk` (then delete matplotlib's font cache "
        f"in {matplotlib.get_cachedir()} if it is still not found)"
    )


def _rc() -> dict[Any, Any]:  # rcParams keys (the stubs type them as Literal)
    _cjk_font_path()
    return {
        "font.family": [CJK_FONT, "DejaVu Sans"],  # concrete: survives a plain savefig
        "font.sans-serif": [CJK_FONT, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
    }


def configure_fonts() -> None:
    """Set matplotlib's global rcParams to the CJK font, with TrueType embedding in PDF.

    The figure functions do this themselves inside an ``rc_context``; call this only
    to make other matplotlib plots speak Chinese too.

    Raises
    ------
    FigureError
        If Noto Sans CJK SC is not installed (``apt-get install fonts-noto-cjk``).
    """
    matplotlib.rcParams.update(_rc())


# --------------------------------------------------------------------------- saving


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 300) -> Path:
    """Write a figure to PNG, PDF or SVG (chosen by extension), atomically.

    The figure keeps its paper size (no tight bounding box), so an A4 landscape
    figure at 100 dpi is 1169 × 827 pixels. PDF embeds the CJK font as TrueType
    (``pdf.fonttype = 42``).

    Parameters
    ----------
    fig
        The figure.
    path
        Target file: ``.png``, ``.pdf`` or ``.svg``. Replaced only when complete.
    dpi
        Resolution for raster output (and rasterised parts of vector output).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    FigureError
        If the extension is not one of png, pdf, svg.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise FigureError(
            f"cannot tell the format of {str(path)!r}; use a .png, .pdf or .svg extension"
        )
    with atomic_output(path) as tmp, matplotlib.rc_context(_rc()):
        fig.savefig(tmp, format=fmt, dpi=dpi)
    log.info("wrote %s", path)
    return path


def save_atlas(figures: Iterable[Figure], path: str | Path) -> tuple[Path, int]:
    """Write figures as the pages of one PDF, atomically; each figure is closed once written.

    Parameters
    ----------
    figures
        The pages, in order (an iterator is consumed lazily, so an atlas of many
        zones never holds more than one page in memory).
    path
        Target ``.pdf``; replaced only when every page was written.

    Returns
    -------
    tuple
        The written file and the number of pages.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise FigureError(f"an atlas is a PDF; got {str(path)!r}")
    pages = 0
    with atomic_output(path) as tmp:
        with matplotlib.rc_context(_rc()), PdfPages(tmp) as pdf:
            for fig in figures:
                pdf.savefig(fig)
                fig.clear()  # free the page: figures are not pyplot-managed
                pages += 1
        if pages == 0:
            raise FigureError("the atlas has no page: no zone matched")
    return path, pages


# --------------------------------------------------------------------------- helpers


@contextmanager
def _figure_context() -> Iterator[None]:
    with matplotlib.rc_context(_rc()):
        yield


def _paper_inches(paper: str, orientation: str) -> tuple[float, float]:
    problems = []
    if paper not in PAPER_SIZES_MM:
        problems.append(f"paper {paper!r} is not one of {sorted(PAPER_SIZES_MM)}")
    if orientation not in ("landscape", "portrait"):
        problems.append(f"orientation {orientation!r} is not 'landscape' or 'portrait'")
    if problems:
        raise FigureError("; ".join(problems))
    long, short = PAPER_SIZES_MM[paper]
    w, h = (long, short) if orientation == "landscape" else (short, long)
    return w / 25.4, h / 25.4


def _to_map_crs(frame: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise FigureError(
            "a layer has no CRS; the store writes EPSG:4490 — read it with read_layer"
        )
    return frame.to_crs(crs)


def _is_flagged(frame: gpd.GeoDataFrame, column: str, value: str) -> pd.Series:
    if column in frame:
        return frame[column].fillna("").astype(str).eq(value)
    return pd.Series(False, index=frame.index)


def _legend_label(spec: LayerSpec, frame: gpd.GeoDataFrame, schematic: SchematicStyle) -> str:
    if spec.group == "control" and _is_flagged(frame, "data_status", "演示").any():
        return f"{spec.name}（演示数据）"
    if spec.group in ("plan", "rights") and _is_flagged(frame, "geometry_status", "示意").any():
        return f"{spec.name}{schematic.label_suffix}"
    if spec.group == "base":
        return "县级行政界线（粗线为本规划区）"
    return spec.name


def _faint(spec: LayerSpec, frame: gpd.GeoDataFrame) -> pd.Series:
    if spec.group == "control":
        return _is_flagged(frame, "data_status", "演示")
    return _is_flagged(frame, "geometry_status", "示意")


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


def _legend_handle(spec: LayerSpec, style: LayerStyle, schematic: SchematicStyle,
                   faint: bool) -> Patch | Line2D:
    if spec.group == "base":
        return Line2D([], [], color=style.stroke, linewidth=0.8, linestyle=(0, (5, 2)))
    alpha = style.fill_opacity * (schematic.fill_opacity_factor if faint else 1.0)
    return Patch(
        facecolor=matplotlib.colors.to_rgba(style.fill, max(alpha, 0.15)),
        edgecolor=style.stroke,
        linestyle=(0, (4, 2)) if (style.dash or (faint and schematic.dash)) else "solid",
        linewidth=0.8,
    )


def _fit_extent(
    bounds: Sequence[float], ax: Axes, *, margin: float = 0.06
) -> tuple[float, float, float, float]:
    """Limits around `bounds` whose aspect matches the axes box (equal scale in x and y)."""
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = w * (1 + 2 * margin), h * (1 + 2 * margin)
    pos = ax.get_position()
    fw, fh = ax.get_figure(root=True).get_size_inches()  # type: ignore[union-attr]
    box_ratio = (pos.height * fh) / (pos.width * fw)
    if h / w > box_ratio:
        w = h / box_ratio
    else:
        h = w * box_ratio
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _set_map_extent(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_linewidth(1.0)


def _nice_length_m(target_m: float) -> float:
    """The 1/2/5 × 10ⁿ metres closest to `target_m` (by ratio)."""
    exponent = math.floor(math.log10(target_m))
    candidates = [m * 10.0**e for e in (exponent, exponent + 1) for m in (1, 2, 5)]
    return min(candidates, key=lambda c: abs(math.log(c / target_m)))


def _format_length(metres: float) -> str:
    if metres >= 1000:
        return f"{metres / 1000:g} km"
    return f"{metres:g} m"


def _max_scale_factor(crs: pyproj.CRS, extent: tuple[float, float, float, float]) -> float:
    xs = np.linspace(extent[0], extent[1], 5)
    ys = np.linspace(extent[2], extent[3], 5)
    gx, gy = np.meshgrid(xs, ys)
    to_geo = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = to_geo.transform(gx.ravel(), gy.ravel())
    factors = pyproj.Proj(crs).get_factors(lon, lat)
    return float(np.nanmax(np.asarray(factors.meridional_scale)))


def _draw_scale_bar(ax: Axes, crs: pyproj.CRS) -> ScaleBar:
    """A two-segment bar ≈ 1/5 of the map width at lower left, in ground metres.

    The map's data units are GK metres, so a bar `length_m` wide in data units is
    `length_m` long on the plane; the plane overstates ground distance by the
    scale factor k (≤ 1.0003 in a 3-degree zone), reported in `max_scale_factor`.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width, height = x1 - x0, y1 - y0
    length = _nice_length_m(width / 5)
    bx, by = x0 + 0.04 * width, y0 + 0.05 * height
    bh = 0.012 * height
    halves = [
        Rectangle((bx, by), length / 2, bh, facecolor="black", edgecolor="black", lw=0.6),
        Rectangle((bx + length / 2, by), length / 2, bh, facecolor="white",
                  edgecolor="black", lw=0.6),
    ]
    backdrop = Rectangle(
        (bx - 0.015 * width, by - 0.035 * height), length + 0.05 * width, bh + 0.075 * height,
        facecolor="white", edgecolor="none", alpha=0.75, zorder=29, gid=_FURNITURE,
    )
    ax.add_patch(backdrop)
    for patch in halves:
        patch.set_zorder(30)
        ax.add_patch(patch)
    outline = Rectangle((bx, by), length, bh, fill=False, edgecolor="black", lw=0.8, zorder=31,
                        gid="scale-bar")
    ax.add_patch(outline)
    label = _format_length(length)
    half = _format_length(length / 2).split()[0]
    for x, text in ((bx, "0"), (bx + length / 2, half), (bx + length, label)):
        ax.text(x, by + bh * 1.6, text, ha="center", va="bottom", fontsize=7, zorder=31)
    k = _max_scale_factor(crs, (x0, x1, y0, y1))
    return ScaleBar(length_m=length, label=label, artist=outline, max_scale_factor=k)


def _draw_north_arrow(ax: Axes) -> None:
    """Grid-north arrow at the upper right (points up the GK northing axis)."""
    ax.add_patch(FancyArrow(
        0.95, 0.84, 0, 0.09, width=0.008, head_width=0.03, head_length=0.035,
        length_includes_head=True, transform=ax.transAxes, color="black", zorder=32,
        gid=_FURNITURE,
    ))
    ax.text(0.95, 0.945, "N", transform=ax.transAxes, ha="center", va="bottom",
            fontsize=11, fontweight="bold", zorder=32)


def _dm(value: float, pos: str, neg: str) -> str:
    hemi = pos if value >= 0 else neg
    total = round(abs(value) * 60)
    d, m = divmod(total, 60)
    return f"{d}°{m:02d}′{hemi}"


def _graticule_step_deg(span_deg: float) -> float:
    for minutes in _NICE_STEPS_MIN:
        if span_deg * 60 / minutes >= 3:
            return minutes / 60
    return 1 / 60


GRIDS = ("graticule", "km")


_BACKGROUND_MODES = {"hillshade": "地形晕渲", "gray": "灰度影像", "rgb": "彩色影像"}


def _draw_background(ax: Axes, path: str | Path, crs: pyproj.CRS) -> str:
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


def _draw_in_order(ax: Axes, projected: gpd.GeoDataFrame, spec: LayerSpec, style: LayerStyle,
                   schematic: SchematicStyle, *, metres_per_mm: float) -> bool:
    """Draw a layer above the control layers, in definition order; True if any of it is faint
    (schematic or demo)."""
    zorder = 2 + (0 if spec.group == "control" else 1) + spec.order / 100
    _draw_layer(ax, projected, spec, style, schematic, zorder=zorder,
                min_size_m=1.2 * metres_per_mm)
    return bool(_faint(spec, projected).any())


def _draw_grid(ax: Axes, crs: pyproj.CRS, grid: str) -> None:
    if grid == "km":
        _draw_km_grid(ax, crs)
    elif grid == "graticule":
        _draw_graticule(ax, crs)
    else:
        raise FigureError(f"grid {grid!r} is not one of {GRIDS}")


def _km_step(span_m: float) -> float:
    for km in (1, 2, 5, 10, 20, 25, 50, 100, 200):
        if span_m / (km * 1000) <= 8:
            return km * 1000.0
    return 500_000.0


def _draw_km_grid(ax: Axes, crs: pyproj.CRS) -> None:
    """Gauss-Kruger kilometre grid, labelled in km (Y with its zone prefix), at the frame."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    step = _km_step(max(x1 - x0, y1 - y0))
    gk = _gk_zone(crs)
    zone = gk.zone if gk else None
    style: dict[str, Any] = {"color": "#707070", "linewidth": 0.4, "zorder": 25}
    label_kw: dict[str, Any] = {"fontsize": 6.5, "color": "#303030", "annotation_clip": False}
    false_easting = float(gk.false_easting) if gk else 500000.0
    for x in np.arange(math.ceil(x0 / step) * step, x1, step):
        ax.plot([x, x], [y0, y1], **style)
        km = (x - false_easting + 500000.0) / 1000 + (zone * 1000 if zone else 0)
        for edge, va, dy in ((y0, "top", -3), (y1, "bottom", 3)):
            ax.annotate(f"{km:,.0f}".replace(",", " "), (x, edge), xytext=(0, dy),
                        textcoords="offset points", ha="center", va=va, **label_kw)
    for y in np.arange(math.ceil(y0 / step) * step, y1, step):
        ax.plot([x0, x1], [y, y], **style)
        for edge, ha, dx in ((x0, "right", -3), (x1, "left", 3)):
            ax.annotate(f"{y / 1000:,.0f}".replace(",", " "), (edge, y), xytext=(dx, 0),
                        textcoords="offset points", ha=ha, va="center", rotation=90, **label_kw)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _gk_zone(crs: pyproj.CRS) -> GKZone | None:
    epsg = crs.to_epsg()
    try:
        return gk_zone_from_epsg(epsg) if epsg else None
    except MineplanError:
        return None


def _draw_graticule(ax: Axes, crs: pyproj.CRS) -> None:
    """Meridians and parallels at a round spacing, labelled at the frame edges."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    to_geo = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    to_map = pyproj.Transformer.from_crs(crs.geodetic_crs, crs, always_xy=True)
    ex = np.concatenate([np.linspace(x0, x1, 21), np.full(21, x1), np.linspace(x1, x0, 21),
                         np.full(21, x0)])
    ey = np.concatenate([np.full(21, y0), np.linspace(y0, y1, 21), np.full(21, y1),
                         np.linspace(y1, y0, 21)])
    lon, lat = to_geo.transform(ex, ey)
    lon_min, lon_max, lat_min, lat_max = lon.min(), lon.max(), lat.min(), lat.max()
    step = min(_graticule_step_deg(lon_max - lon_min), _graticule_step_deg(lat_max - lat_min))
    style: dict[str, Any] = {
        "color": "#707070", "linewidth": 0.4, "linestyle": (0, (6, 3)), "zorder": 25,
    }
    label_kw: dict[str, Any] = {"fontsize": 6.5, "color": "#303030", "annotation_clip": False}
    lats = np.linspace(lat_min, lat_max, 200)
    for meridian in np.arange(math.ceil(lon_min / step) * step, lon_max, step):
        mx, my = to_map.transform(np.full_like(lats, meridian), lats)
        ax.plot(mx, my, **style)
        text = _dm(meridian, "E", "W")
        for edge, va, dy in ((y0, "top", -3), (y1, "bottom", 3)):
            x_at = float(np.interp(edge, my, mx))
            if x0 < x_at < x1:
                ax.annotate(text, (x_at, edge), xytext=(0, dy), textcoords="offset points",
                            ha="center", va=va, **label_kw)
    lons = np.linspace(lon_min, lon_max, 200)
    for parallel in np.arange(math.ceil(lat_min / step) * step, lat_max, step):
        px, py = to_map.transform(lons, np.full_like(lons, parallel))
        ax.plot(px, py, **style)
        text = _dm(parallel, "N", "S")
        for edge, ha, dx in ((x0, "right", -3), (x1, "left", 3)):
            y_at = float(np.interp(edge, px, py))
            if y0 < y_at < y1:
                ax.annotate(text, (edge, y_at), xytext=(dx, 0), textcoords="offset points",
                            ha=ha, va="center", rotation=90, **label_kw)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _wrap_cjk(text: str, width: int) -> str:
    """Wrap mixed Chinese/Latin text to `width` half-width columns (CJK counts 2).

    Lines break anywhere between Chinese characters, and at the last space when a
    Latin word would be cut.
    """
    lines: list[str] = []
    line, used = "", 0
    for char in text:
        w = 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used + w > width and line:
            cut = line.rfind(" ")
            if char != " " and line[-1:].isascii() and line[-1:].isalnum() and cut > len(line) - 16:
                lines.append(line[:cut])
                line = line[cut + 1 :]
            else:
                lines.append(line)
                line = ""
            used = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in line)
        line += char
        used += w
    if line:
        lines.append(line)
    return "\n".join(lines)


def _short_name(name: str, limit: int = 12) -> str:
    name = str(name)
    return name if len(name) <= limit else name[: limit - 1] + "…"


_ZONE_LABEL: dict[str, Any] = {
    "fontsize": 6, "zorder": 28,
    "bbox": {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7,
             "edgecolor": "none"},
}
_COUNTY_LABEL: dict[str, Any] = {"fontsize": 7.5, "color": "#606060", "zorder": 22}
_FURNITURE = "map-furniture"  # gid of scale bar and north arrow patches: labels avoid them


def _furniture_boxes(ax: Axes) -> list[Bbox]:
    """Display boxes of the scale bar and north arrow, for labels to keep clear of."""
    fig = ax.get_figure(root=True)
    assert fig is not None
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax.apply_aspect()
    return [p.get_window_extent(renderer) for p in ax.patches if p.get_gid() == _FURNITURE]


def _place_labels(
    ax: Axes,
    candidates: list[tuple[float, float, float, str]],
    *,
    taken: list[Bbox],
    text_kw: Mapping[str, Any],
) -> tuple[list[str], int]:
    """Place labels by descending priority; skip any that would overlap or leave the frame.

    `candidates` are (priority, x, y, text) in data coordinates — for zones the
    priority is the area, so large zones keep their names. `taken` holds the
    display boxes already occupied and grows with every label placed. Returns
    the texts placed and how many were omitted.
    """
    fig = ax.get_figure(root=True)
    assert fig is not None
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax.apply_aspect()  # final axes box, so pixel distances do not change after placement
    frame_box = ax.get_window_extent(renderer)
    pad = 2.0 * fig.dpi / 72  # keep 2 pt between labels
    placed: list[str] = []
    omitted = 0
    for _, x, y, text in sorted(candidates, key=lambda c: -c[0]):
        artist: Text = ax.text(x, y, text, ha="center", va="center", clip_on=True, **text_kw)
        extent = artist.get_window_extent(renderer).padded(pad)
        inside = (extent.x0 >= frame_box.x0 and extent.x1 <= frame_box.x1
                  and extent.y0 >= frame_box.y0 and extent.y1 <= frame_box.y1)
        if not inside or any(extent.overlaps(other) for other in taken):
            artist.remove()
            omitted += 1
            continue
        taken.append(extent)
        placed.append(text)
    return placed, omitted


def _region_geometry(xzq: gpd.GeoDataFrame, region: str) -> gpd.GeoDataFrame:
    match = xzq[xzq["name"] == region]
    if match.empty:
        known = ", ".join(sorted(xzq.loc[xzq["level"] != "province", "name"]))
        raise FigureError(f"region {region!r} is not in layer XZQ; known regions: {known}")
    return match


def _frames_problems(frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec],
                     styles: Mapping[str, LayerStyle]) -> None:
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


def _split_styles(
    styles: Mapping[str, LayerStyle] | tuple[Mapping[str, LayerStyle], SchematicStyle],
) -> tuple[Mapping[str, LayerStyle], SchematicStyle]:
    if isinstance(styles, tuple):
        return styles[0], styles[1]
    return styles, SchematicStyle()


def _crs_text(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg()
    cm = None
    if crs.coordinate_operation is not None:
        for param in crs.coordinate_operation.params:
            name = param.name.lower()
            if "longitude" in name and ("central meridian" in name or "natural origin" in name):
                cm = param.value
    cm_text = f"{cm:g}°E" if cm is not None else "?"
    return f"坐标系：CGCS2000，投影：高斯-克吕格 3度带 中央经线 {cm_text} (EPSG:{epsg})"


def _caveat(schematic_drawn: bool, demo_drawn: bool) -> str:
    if schematic_drawn and demo_drawn:
        return SCHEMATIC_SENTENCE
    if schematic_drawn:
        return _SCHEMATIC_ONLY
    if demo_drawn:
        return _DEMO_ONLY
    return ""


def _sources(frames: Mapping[str, gpd.GeoDataFrame]) -> str:
    parts = []
    plans: set[str] = set()
    for frame in frames.values():
        if "plan" in frame:
            plans.update(str(p) for p in frame["plan"].dropna().unique() if str(p))
    if plans:
        parts.append("规划分区据" + "、".join(f"《{p}》" for p in sorted(plans)))
    xzq = frames.get("XZQ")
    if xzq is not None and "source" in xzq and len(xzq):
        parts.append(f"行政界线据 {xzq['source'].iloc[0]}")
    return "数据来源：" + "；".join(parts) + "。" if parts else ""


def _convergence_deg(crs: pyproj.CRS, x: float, y: float) -> float:
    to_geo = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = to_geo.transform(x, y)
    return float(pyproj.Proj(crs).get_factors(lon, lat).meridian_convergence)


def _footnote(
    fig: Figure, frames: Mapping[str, gpd.GeoDataFrame], crs: pyproj.CRS, bar: ScaleBar,
    *, producer: str, date: _dt.date, schematic_drawn: bool, demo_drawn: bool,
    omitted: int, convergence: float, width_chars: int, extra: str = "",
    grid: str = "graticule",
) -> str:
    marks = ("图廓注记为高斯-克吕格公里网（千米，横坐标含带号）" if grid == "km"
             else "图廓注记为经纬度（度分）")
    sentences = [
        _sources(frames),
        f"{_crs_text(crs)}；{marks}，指北针指向坐标北（网格北），"
        f"与真北相差子午线收敛角约 {abs(convergence):.2f}°；比例尺按高斯平面长度绘制，"
        f"图幅内长度变形不超过 {max((bar.max_scale_factor - 1) * 100, 0.001):.3f}%。",
        f"制图：{producer}，{date.isoformat()}。",
    ]
    caveat = _caveat(schematic_drawn, demo_drawn)
    if caveat:
        sentences.append(caveat + "。")
    if omitted:
        sentences.append(f"另有 {omitted} 个分区注记因避让重叠未标注。")
    if extra:
        sentences.append(extra)
    text = "".join(s for s in sentences if s)
    wrapped = _wrap_cjk(text, width_chars)
    fig.text(0.04, 0.012, wrapped, ha="left", va="bottom", fontsize=6.5, color="#202020",
             linespacing=1.4)
    return text


def _today() -> _dt.date:
    """Today (UTC), or the date of SOURCE_DATE_EPOCH for reproducible builds."""
    return settings.today()


# --------------------------------------------------------------------------- overview


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
        ``"A4"`` or ``"A3"``; ``"landscape"`` or ``"portrait"``.
    title
        Main title (default "<region>矿产资源总体规划图（2021—2025年）").
    producer
        Who made the map, for the footnote.
    date
        Date in the subtitle and footnote (default today in UTC, or the date of
        ``SOURCE_DATE_EPOCH`` when set).

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
    style_map, schematic = _split_styles(styles)
    _frames_problems(frames, specs, style_map)
    if grid not in GRIDS:
        raise FigureError(f"grid {grid!r} is not one of {GRIDS}")
    with _figure_context():
        return _region_overview(
            frames, region=region, specs=specs, styles=style_map, schematic=schematic,
            size=_paper_inches(paper, orientation), title=title, producer=producer,
            date=date or _today(), grid=grid, background=background,
        )


def _region_overview(
    frames: Mapping[str, gpd.GeoDataFrame], *, region: str, specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle], schematic: SchematicStyle, size: tuple[float, float],
    title: str | None, producer: str, date: _dt.date, grid: str,
    background: str | Path | None = None,
) -> Figure:
    xzq4490 = frames["XZQ"]
    region_4490 = _region_geometry(xzq4490, region)
    centroid = region_4490.to_crs(_centroid_crs(region_4490)).geometry.union_all().centroid
    lon, lat = pyproj.Transformer.from_crs(
        _centroid_crs(region_4490), "EPSG:4490", always_xy=True
    ).transform(centroid.x, centroid.y)
    crs = gk_crs_for_lonlat(lon, lat)
    region_shape = region_4490.to_crs(crs).geometry.union_all()

    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    landscape = size[0] >= size[1]
    if landscape:
        map_rect = (0.05, 0.13, 0.60, 0.72)
        inset_rect = (0.70, 0.58, 0.27, 0.27)
        legend_rect = (0.70, 0.13, 0.27, 0.45)
        width_chars = 218
    else:
        map_rect = (0.08, 0.36, 0.86, 0.50)
        inset_rect = (0.08, 0.12, 0.34, 0.20)
        legend_rect = (0.50, 0.12, 0.44, 0.20)
        width_chars = 150
    ax = fig.add_axes(map_rect)
    extent = _fit_extent(region_shape.bounds, ax)
    _set_map_extent(ax, extent)
    view = box(extent[0], extent[2], extent[1], extent[3])
    background_note = _draw_background(ax, background, crs) if background else ""
    metres_per_mm = (extent[1] - extent[0]) / (map_rect[2] * size[0] * 25.4)

    drawn: dict[str, str] = {}
    used: dict[str, gpd.GeoDataFrame] = {"XZQ": frames["XZQ"]}
    handles: list[Patch | Line2D] = []
    candidates: list[tuple[float, float, float, str]] = []
    schematic_drawn = demo_drawn = False
    order = sorted((c for c in frames if c != "XZQ"),
                   key=lambda c: (specs[c].group != "control", specs[c].order))
    for code in order:
        spec = specs[code]
        frame = frames[code]
        if spec.group in ("plan", "rights"):
            frame = frame[frame["region"] == region] if "region" in frame else frame.iloc[0:0]
        if frame.empty:
            continue
        projected = _to_map_crs(frame, crs)
        if spec.group == "control":
            projected = projected[projected.intersects(region_shape)]
        projected = projected[~projected.geometry.is_empty & projected.intersects(view)]
        if projected.empty:
            continue
        faint = _draw_in_order(ax, projected, spec, styles[spec.style], schematic,
                               metres_per_mm=metres_per_mm)
        if spec.group == "control":
            demo_drawn |= faint
        else:
            schematic_drawn |= faint
            areas = projected.geometry.area
            points = projected.geometry.representative_point()
            for name, area, point in zip(projected["name"], areas, points, strict=True):
                candidates.append((float(area), point.x, point.y, _short_name(name)))
        drawn[code] = _legend_label(spec, projected, schematic)
        used[code] = projected
        handles.append(_legend_handle(spec, styles[spec.style], schematic, faint))

    # County boundaries clipped to the view, the region itself in a heavier line.
    counties = xzq4490[xzq4490["level"] == "county"].to_crs(crs)
    counties = counties[counties.intersects(view)]
    xzq_style = styles[specs["XZQ"].style]
    if not counties.empty:
        counties.boundary.plot(ax=ax, color=xzq_style.stroke, linewidth=0.6,
                               linestyle=(0, (5, 2)), zorder=20)
    gpd.GeoSeries([region_shape], crs=crs).boundary.plot(
        ax=ax, color="#202020", linewidth=1.6, zorder=21)
    drawn["XZQ"] = _legend_label(specs["XZQ"], counties, schematic)
    handles.append(_legend_handle(specs["XZQ"], xzq_style, schematic, False))
    county_names = []
    for _, row in counties.iterrows():
        visible = row.geometry.intersection(view)
        if row["name"] != region and not visible.is_empty:
            point = visible.representative_point()
            county_names.append((float(visible.area), point.x, point.y, str(row["name"])))
    _set_map_extent(ax, extent)

    bar = _draw_scale_bar(ax, crs)
    _draw_north_arrow(ax)
    _draw_grid(ax, crs, grid)
    # county names first (they orient the reader), then zone names around them
    taken = _furniture_boxes(ax)
    _place_labels(ax, county_names, taken=taken, text_kw=_COUNTY_LABEL)
    placed, omitted = _place_labels(ax, candidates, taken=taken, text_kw=_ZONE_LABEL)

    # Title and subtitle.
    main_title = title or f"{region}矿产资源总体规划图（2021—2025年）"
    fig.text(0.5, 0.955, main_title, ha="center", va="center", fontsize=16, fontweight="bold")
    layer_names = "、".join(specs[c].name for c in drawn if c != "XZQ")
    fig.text(0.5, 0.922, f"{region} ｜ 编制日期 {date.isoformat()}", ha="center", va="center",
             fontsize=9, color="#303030")
    fig.text(0.5, 0.907, _wrap_cjk(f"图层：{layer_names or '无规划分区'}",
                                   200 if landscape else 130),
             ha="center", va="top", fontsize=7.5, color="#505050")

    # Legend.
    legend_ax = fig.add_axes(legend_rect)
    legend_ax.set_axis_off()
    labels = list(drawn.values())
    legend_ax.legend(
        handles, labels, loc="upper left", title="图  例", fontsize=7.5, title_fontsize=9,
        frameon=True, edgecolor="#404040", fancybox=False, borderpad=0.8, handlelength=2.4,
        ncol=1 if landscape else 2,
    )

    inset = _draw_inset(fig, inset_rect, xzq4490, region, crs, view)
    convergence = _convergence_deg(crs, (extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2)
    footnote = _footnote(
        fig, used, crs, bar, producer=producer, date=date, schematic_drawn=schematic_drawn,
        demo_drawn=demo_drawn, omitted=omitted, convergence=convergence,
        width_chars=width_chars, grid=grid, extra=background_note,
    )
    _INFO[fig] = FigureInfo(
        crs=crs, map_ax=ax, inset_ax=inset, drawn_layers=drawn, legend_labels=labels,
        scale_bar=bar, labels_placed=placed, labels_omitted=omitted, footnote=footnote,
        title=main_title,
    )
    return fig


def _centroid_crs(frame: gpd.GeoDataFrame) -> pyproj.CRS:
    """An equal-area CRS around the frame for a centroid that is not in degrees."""
    minx, miny, maxx, maxy = frame.total_bounds
    return pyproj.CRS.from_proj4(
        f"+proj=laea +lat_0={(miny + maxy) / 2} +lon_0={(minx + maxx) / 2} +ellps=GRS80 +units=m"
    )


def _draw_inset(
    fig: Figure, rect: tuple[float, float, float, float], xzq4490: gpd.GeoDataFrame,
    region: str, crs: pyproj.CRS, view: shapely.Geometry,
) -> Axes:
    """Locator: Xinjiang, the prefectures, the region in red, the map frame."""
    inset = fig.add_axes(rect)
    province = xzq4490[xzq4490["level"] == "province"].to_crs(crs)
    prefectures = xzq4490[xzq4490["level"] == "prefecture"].to_crs(crs)
    target = xzq4490[xzq4490["name"] == region].to_crs(crs)
    parent_name = target["parent"].iloc[0] if "parent" in target else ""
    parent = prefectures[prefectures["name"].isin([parent_name, region])]
    if not province.empty:
        province.geometry.simplify(2000).plot(ax=inset, facecolor="#F4F4F4",
                                              edgecolor="#606060", linewidth=0.5)
        bounds = province.total_bounds
    else:
        bounds = prefectures.total_bounds
    prefectures.geometry.simplify(1000).plot(ax=inset, facecolor="none", edgecolor="#909090",
                                             linewidth=0.3)
    if not parent.empty:
        parent.geometry.simplify(500).plot(ax=inset, facecolor="#FFE8C0", edgecolor="#A06000",
                                           linewidth=0.5)
    target.geometry.plot(ax=inset, facecolor="#E00000", edgecolor="#900000", linewidth=0.3)
    vx0, vy0, vx1, vy1 = view.bounds
    inset.add_patch(Rectangle((vx0, vy0), vx1 - vx0, vy1 - vy0, fill=False,
                              edgecolor="#0050A0", linewidth=0.8))
    _set_map_extent(inset, _fit_extent(bounds, inset, margin=0.03))
    where = "、".join(dict.fromkeys(
        n for n in ("新疆维吾尔自治区", parent_name) if n and n != region
    ))
    inset.set_title(f"位置示意（{where}）", fontsize=8)
    return inset


# --------------------------------------------------------------------------- zone sheet


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
        As in :func:`region_overview`.
    max_corners
        Corner points listed in the table; the rest are counted, not listed.

    Returns
    -------
    matplotlib.figure.Figure
        Map in the unprefixed GK zone; corner table X (northing) / Y (easting) in
        metres in the *prefixed* GK zone, as surveyors write them.
    """
    style_map, schematic = _split_styles(styles)
    _frames_problems(frames, specs, style_map)
    if layer not in specs:
        raise FigureError(f"layer {layer!r} has no definition; known: {sorted(specs)}")
    geom = zone_row.get("geometry")
    if geom is None or geom.is_empty:
        raise FigureError(f"zone {zone_row.get('name')!r} has no geometry to draw")
    with _figure_context():
        return _zone_sheet(
            zone_row, frames, layer=layer, specs=specs, styles=style_map, schematic=schematic,
            size=_paper_inches(paper, orientation), producer=producer,
            date=date or _today(), max_corners=max_corners, grid=grid,
        )


_VERDICT_COLOURS = {"fail": "#D00000", "conditional": "#E08000", "pass": "#2E7D32"}
_VERDICT_NAMES = {"fail": "不通过", "conditional": "有条件", "pass": "通过"}


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
    style_map, schematic = _split_styles(styles)
    _frames_problems(frames, specs, style_map)
    if grid not in GRIDS:
        raise FigureError(f"grid {grid!r} is not one of {GRIDS}")
    if proposal.crs is None or proposal.empty:
        raise FigureError("the proposal has no geometry or no CRS")
    with _figure_context():
        return _check_figure(
            proposal.to_crs("EPSG:4490"), findings, frames, specs=specs, styles=style_map,
            schematic=schematic, size=_paper_inches(paper, orientation), title=title,
            subtitle=subtitle, producer=producer, date=date or _today(), grid=grid,
            max_rows=max_rows,
        )


def _check_figure(
    proposal: gpd.GeoDataFrame, findings: gpd.GeoDataFrame,
    frames: Mapping[str, gpd.GeoDataFrame], *, specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle], schematic: SchematicStyle, size: tuple[float, float],
    title: str, subtitle: str, producer: str, date: _dt.date, grid: str, max_rows: int,
) -> Figure:
    geom4490 = proposal.geometry.union_all()
    rep = geom4490.representative_point()
    crs = gk_crs_for_lonlat(rep.x, rep.y)
    shape = proposal.to_crs(crs).geometry.union_all()
    has_geom = findings.geometry.notna() & ~findings.geometry.is_empty if len(findings) else []
    conflicts = findings[has_geom] if len(findings) else findings
    conflicts = conflicts[conflicts["verdict_key"] != "pass"] if len(conflicts) else conflicts
    extra = [(Patch(facecolor="none", edgecolor=_VERDICT_COLOURS[k], hatch="////"),
              f"冲突部分（{_VERDICT_NAMES[k]}）")
             for k in ("fail", "conditional")
             if len(conflicts) and (conflicts["verdict_key"] == k).any()]
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    hood = _neighbourhood_map(fig, shape, frames, crs=crs, specs=specs, styles=styles,
                              schematic=schematic, size=size, grid=grid,
                              outline_label="申请范围", extra_handles=extra)
    ax = hood.ax
    if len(conflicts):
        pieces = gpd.GeoDataFrame(conflicts, geometry="geometry",
                                  crs=findings.crs or "EPSG:4490").to_crs(crs)
        for i, row in enumerate(pieces.itertuples()):
            colour = _VERDICT_COLOURS.get(row.verdict_key, "#808080")
            gpd.GeoSeries([row.geometry], crs=crs).plot(
                ax=ax, facecolor="none", edgecolor=colour, hatch="////", linewidth=0.8,
                zorder=27)
            point = row.geometry.representative_point()
            area = getattr(row, "area_km2", float("nan"))
            label = f"{row.rule} {area:.4f} km²" if area == area else str(row.rule)
            # stacked below one another: several pieces may share a centre
            ax.annotate(label, (point.x, point.y), xytext=(0, -11 * i),
                        textcoords="offset points", fontsize=6, color=colour, zorder=29,
                        ha="center", va="center",
                        bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none",
                              "pad": 0.5})
    _set_map_extent(ax, hood.extent)

    fig.text(0.5, 0.955, title, ha="center", va="center", fontsize=14, fontweight="bold")
    fig.text(0.5, 0.918, " ｜ ".join(s for s in (subtitle, date.isoformat()) if s),
             ha="center", va="center", fontsize=8.5, color="#404040")

    counts = {k: int((findings["verdict_key"] == k).sum()) if len(findings) else 0
              for k in ("pass", "conditional", "fail")}
    area = float(ellipsoidal_area_km2(proposal.geometry, validate=False).sum())
    verdict = ("不通过" if counts["fail"] else "有条件通过" if counts["conditional"] else "通过")
    fig.text(0.60, 0.88, f"预审结论：{verdict}", fontsize=11, fontweight="bold", va="top",
             color=_VERDICT_COLOURS["fail" if counts["fail"] else
                                    "conditional" if counts["conditional"] else "pass"])
    fig.text(0.60, 0.845, f"申请范围椭球面积 {area:.4f} km²；检查 {len(findings)} 项："
             f"通过 {counts['pass']}，有条件 {counts['conditional']}，不通过 {counts['fail']}",
             fontsize=7.5, va="top")
    order = {"fail": 0, "conditional": 1, "pass": 2}
    rows = (findings.assign(_o=findings["verdict_key"].map(order)).sort_values("_o")
            if len(findings) else findings)
    shown = rows.head(max_rows)
    table_ax = fig.add_axes((0.60, 0.14, 0.37, 0.68))
    table_ax.set_axis_off()
    if len(shown):
        cells = [[_short_name(r.rule, 10), _VERDICT_NAMES.get(r.verdict_key, r.verdict_key),
                  _short_name(str(r.measured), 26)] for r in shown.itertuples()]
        table = table_ax.table(cellText=cells, colLabels=["检查项", "结论", "量测值"],
                               loc="upper center", cellLoc="left", colWidths=[0.3, 0.15, 0.55])
        table.auto_set_font_size(False)
        table.set_fontsize(6)
        for i, r in enumerate(shown.itertuples(), start=1):
            table[i, 1].get_text().set_color(_VERDICT_COLOURS.get(r.verdict_key, "#000000"))
    if len(rows) > len(shown):
        table_ax.text(0, -0.02, f"另有 {len(rows) - len(shown)} 项未列出，详见检查结果表",
                      fontsize=7, transform=table_ax.transAxes, va="top")
    notes = list(dict.fromkeys(part.strip() for n in findings.get("data_note", [])
                               for part in str(n).split("；") if part.strip()))
    convergence = _convergence_deg(crs, (hood.extent[0] + hood.extent[1]) / 2,
                                   (hood.extent[2] + hood.extent[3]) / 2)
    footnote = _footnote(
        fig, hood.used, crs, hood.bar, producer=producer, date=date,
        schematic_drawn=hood.schematic_drawn, demo_drawn=hood.demo_drawn, omitted=0,
        convergence=convergence, width_chars=218 if size[0] >= size[1] else 150,
        extra="面积为 CGCS2000 椭球面积。" + ("；".join(notes) + "。" if notes else ""),
        grid=grid,
    )
    _INFO[fig] = FigureInfo(
        crs=crs, map_ax=ax, inset_ax=None, drawn_layers=hood.drawn, legend_labels=hood.labels,
        scale_bar=hood.bar, footnote=footnote, title=title,
    )
    return fig


def _corner_rows(geom: shapely.Geometry, crs: pyproj.CRS) -> list[tuple[str, float, float]]:
    """(J1…Jn, X northing, Y easting) of every exterior ring, closing point dropped."""
    projected = gpd.GeoSeries([geom], crs="EPSG:4490").to_crs(crs).iloc[0]
    parts = list(getattr(projected, "geoms", [projected]))
    rows: list[tuple[str, float, float]] = []
    for part in parts:
        coords = np.asarray(part.exterior.coords)[:-1]
        for x, y in coords:
            rows.append((f"J{len(rows) + 1}", float(y), float(x)))
    return rows


@dataclass
class _Neighbourhood:
    ax: Axes
    extent: tuple[float, float, float, float]
    bar: ScaleBar
    drawn: dict[str, str]
    used: dict[str, gpd.GeoDataFrame]
    labels: list[str]
    handles: list[Patch | Line2D]
    schematic_drawn: bool
    demo_drawn: bool


def _neighbourhood_map(
    fig: Figure, shape: BaseGeometry, frames: Mapping[str, gpd.GeoDataFrame], *,
    crs: pyproj.CRS, specs: Mapping[str, LayerSpec], styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle, size: tuple[float, float], grid: str, outline_label: str,
    extra_handles: Sequence[tuple[Patch | Line2D, str]] = (),
) -> _Neighbourhood:
    """The left-hand map of a sheet: every layer around ``shape`` (map CRS), outlined in red."""
    ax = fig.add_axes((0.05, 0.14, 0.52, 0.74))
    minx, miny, maxx, maxy = shape.bounds
    pad = max(maxx - minx, maxy - miny, 2000.0) * 0.8
    extent = _fit_extent((minx - pad, miny - pad, maxx + pad, maxy + pad), ax, margin=0)
    _set_map_extent(ax, extent)
    view = box(extent[0], extent[2], extent[1], extent[3])
    metres_per_mm = (extent[1] - extent[0]) / (0.52 * size[0] * 25.4)

    drawn: dict[str, str] = {}
    used: dict[str, gpd.GeoDataFrame] = {"XZQ": frames["XZQ"]}
    handles: list[Patch | Line2D] = []
    schematic_drawn = demo_drawn = False
    order = sorted((c for c in frames if c != "XZQ"),
                   key=lambda c: (specs[c].group != "control", specs[c].order))
    for code in order:
        spec = specs[code]
        projected = _to_map_crs(frames[code], crs)
        projected = projected[projected.intersects(view)]
        if projected.empty:
            continue
        faint = _draw_in_order(ax, projected, spec, styles[spec.style], schematic,
                               metres_per_mm=metres_per_mm)
        if spec.group == "control":
            demo_drawn |= faint
        else:
            schematic_drawn |= faint
        drawn[code] = _legend_label(spec, projected, schematic)
        used[code] = projected
        handles.append(_legend_handle(spec, styles[spec.style], schematic, faint))
    gpd.GeoSeries([shape], crs=crs).boundary.plot(ax=ax, color="#E00000", linewidth=1.8,
                                                  zorder=26)
    counties = frames["XZQ"][frames["XZQ"]["level"] == "county"].to_crs(crs)
    counties = counties[counties.boundary.intersects(view)]  # only lines that show
    if not counties.empty:
        counties.boundary.plot(ax=ax, color=styles[specs["XZQ"].style].stroke, linewidth=0.6,
                               linestyle=(0, (5, 2)), zorder=20)
        drawn["XZQ"] = "县级行政界线"
        handles.append(_legend_handle(specs["XZQ"], styles[specs["XZQ"].style], schematic,
                                      False))
    drawn["_zone"] = outline_label
    handles.append(Line2D([], [], color="#E00000", linewidth=1.8))
    for handle, label in extra_handles:
        drawn[f"_{label}"] = label
        handles.append(handle)
    _set_map_extent(ax, extent)
    bar = _draw_scale_bar(ax, crs)
    _draw_north_arrow(ax)
    _draw_grid(ax, crs, grid)
    labels = list(drawn.values())
    ax.legend(handles, labels, loc="upper left", fontsize=6, framealpha=0.85, fancybox=False,
              edgecolor="#404040")
    return _Neighbourhood(ax, extent, bar, drawn, used, labels, handles, schematic_drawn,
                          demo_drawn)


def _zone_sheet(
    zone_row: pd.Series, frames: Mapping[str, gpd.GeoDataFrame], *, layer: str,
    specs: Mapping[str, LayerSpec], styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle, size: tuple[float, float], producer: str, date: _dt.date,
    max_corners: int, grid: str,
) -> Figure:
    geom4490 = zone_row["geometry"]
    rep = geom4490.representative_point()
    crs = gk_crs_for_lonlat(rep.x, rep.y)
    crs_prefixed = gk_crs_for_lonlat(rep.x, rep.y, prefixed=True)
    zone = gpd.GeoDataFrame([zone_row], geometry="geometry", crs="EPSG:4490")
    zone_proj = zone.to_crs(crs)
    shape = zone_proj.geometry.iloc[0]

    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    hood = _neighbourhood_map(fig, shape, frames, crs=crs, specs=specs, styles=styles,
                              schematic=schematic, size=size, grid=grid,
                              outline_label="本分区范围")
    ax, extent, bar, drawn, used, labels = (hood.ax, hood.extent, hood.bar, hood.drawn,
                                            hood.used, hood.labels)
    schematic_drawn, demo_drawn = hood.schematic_drawn, hood.demo_drawn

    name = str(zone_row.get("name", ""))
    fig.text(0.5, 0.955, f"{name}", ha="center", va="center", fontsize=14, fontweight="bold")
    fig.text(0.5, 0.918, f"{specs[layer].name} ｜ {zone_row.get('region', '')} ｜ "
             f"{date.isoformat()}", ha="center", va="center", fontsize=8.5, color="#404040")

    area_ell = float(ellipsoidal_area_km2(zone.geometry, validate=False).iloc[0])
    stated = zone_row.get("area_km2")
    stated_text = "未载明" if stated is None or pd.isna(stated) else f"{float(stated):.4f} km²"
    status = str(zone_row.get("geometry_status", "") or "")
    attrs = [
        ("名称", name),
        ("类型", specs[layer].name + ("（示意）" if status == "示意" else "")),
        ("矿种", str(zone_row.get("mineral", "") or "—")),
        ("规划面积", stated_text),
        ("图形椭球面积", f"{area_ell:.4f} km²" + ("（示意图形）" if status == "示意" else "")),
        ("级别", str(zone_row.get("level", "") or "—")),
        ("规划", str(zone_row.get("plan", "") or "—")),
        ("专栏", f"{zone_row.get('source_table', '') or '—'} "
                 f"{zone_row.get('table_title', '') or ''}".strip()),
        ("行号", f"第 {zone_row.get('source_line', '?')} 行（{zone_row.get('source_file', '')}）"),
    ]
    lines = []
    for key, value in attrs:
        wrapped = textwrap.wrap(value, 34) or ["—"]
        lines.append(f"{key}：{wrapped[0]}")
        lines.extend("　　" + w for w in wrapped[1:3])
    fig.text(0.60, 0.88, "分区属性", fontsize=10, fontweight="bold", va="top")
    fig.text(0.60, 0.85, "\n".join(lines), fontsize=7, va="top", linespacing=1.5,
             bbox={"facecolor": "#FAFAFA", "edgecolor": "#808080", "boxstyle": "square,pad=0.6"})

    corners = _corner_rows(geom4490, crs_prefixed)
    shown = corners[:max_corners]
    epsg = crs_prefixed.to_epsg()
    header = f"拐点坐标（EPSG:{epsg}，X 北坐标 / Y 东坐标，米）"
    if status == "示意":
        header += "——示意图形，非实测"
    table_ax = fig.add_axes((0.60, 0.14, 0.37, 0.40))
    table_ax.set_axis_off()
    table_ax.set_title(header, fontsize=7.5, loc="left")
    if shown:
        table = table_ax.table(
            cellText=[[j, f"{x:.2f}", f"{y:.2f}"] for j, x, y in shown],
            colLabels=["点号", "X", "Y"], loc="upper center", cellLoc="center",
            colWidths=[0.18, 0.41, 0.41],
        )
        table.auto_set_font_size(False)
        table.set_fontsize(6)
        table.scale(1, 0.85 * 20 / max(len(shown), 20) * 1.0)
    more = len(corners) - len(shown)
    if more > 0:
        table_ax.text(0, -0.04, f"另有 {more} 个拐点未列出（共 {len(corners)} 个）",
                      fontsize=7, transform=table_ax.transAxes, va="top")

    convergence = _convergence_deg(crs, (extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2)
    footnote = _footnote(
        fig, used, crs, bar, producer=producer, date=date, schematic_drawn=schematic_drawn,
        demo_drawn=demo_drawn, omitted=0, convergence=convergence,
        width_chars=218 if size[0] >= size[1] else 150,
        extra=f"拐点坐标为 CGCS2000 高斯-克吕格 3度带带号坐标 (EPSG:{epsg})。", grid=grid,
    )
    _INFO[fig] = FigureInfo(
        crs=crs, map_ax=ax, inset_ax=None, drawn_layers=drawn, legend_labels=labels,
        scale_bar=bar, footnote=footnote, title=name,
    )
    return fig
