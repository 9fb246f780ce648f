"""Map furniture: extent, scale bar and numeric scale, north arrow, grids, CRS notes.

Every map of :mod:`mineplan.figures` is drawn in a CGCS2000 3-degree Gauss-Kruger
zone, so data units are metres; the functions here put the furniture on such an
axes and say in words what the CRS is.

Scale bar accuracy: the bar is measured in GK plane metres. The Gauss-Kruger
scale factor is 1 on the central meridian and grows as (1 + y²/2R²); within a
3-degree zone (|Δλ| ≤ 1.5°) at Xinjiang latitudes the plane overstates ground
distance by at most ~0.03 %, far below what a printed bar can show; a prefecture
map (塔城地区) reaches beyond its zone and up to ~0.15 % at the frame edges. The
footnote states the largest factor over the map.

Numeric scale: printed beside the bar as ``比例尺 1:263 000``, the map's plane width
in GK metres over the printed width of its frame (the figure keeps its paper size,
so this holds when the PDF is printed at 100 %), rounded to three significant
figures.

May import: errors, geodesy. Never web or cli.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrow, Rectangle
from matplotlib.transforms import Bbox

from mineplan.errors import FigureError, MineplanError
from mineplan.geodesy import GKZone, gk_zone_from_epsg

__all__ = [
    "FRAME_GAP_PT",
    "GRIDS",
    "STANDARD_SCALES",
    "ScaleBar",
    "check_grid",
    "convergence_deg",
    "crs_text",
    "dm",
    "draw_grid",
    "draw_neat_frame",
    "draw_north_arrow",
    "draw_scale_bar",
    "extent_at_scale",
    "fit_extent",
    "format_scale",
    "furniture_boxes",
    "nice_length_m",
    "scale_denominator",
    "set_map_extent",
]

#: China's standard map scales (国家基本比例尺), 1 : these.
STANDARD_SCALES = (5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000)

#: The frame grids a map can have: a graticule in degrees and minutes, or the GK km grid.
GRIDS = ("graticule", "km")

_NICE_STEPS_MIN = (60, 30, 20, 15, 10, 5, 2, 1)  # graticule spacing, minutes of arc
_FURNITURE = "map-furniture"  # gid of scale bar and north arrow patches: labels avoid them
#: Gap between the thin inner neat line (内图廓) and the thick outer line (外图廓), points;
#: the grid ticks and their degree / km labels sit in it.
FRAME_GAP_PT = 13.0
_INNER_LW, _OUTER_LW = 0.5, 2.0  # points


@dataclass(frozen=True)
class ScaleBar:
    """The scale bar as drawn: its claimed ground length and its artist, and the numeric scale.

    ``artist`` is a :class:`~matplotlib.patches.Rectangle` in the map axes' data
    coordinates (GK metres); its width is the drawn length in data units.
    ``denominator`` is the exact plane scale of the printed map (1 : denominator),
    ``numeric_label`` the text printed beside the bar.
    """

    length_m: float
    label: str
    artist: Rectangle
    max_scale_factor: float
    denominator: float
    numeric_label: str


# --------------------------------------------------------------------------- extent


def fit_extent(
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


def extent_at_scale(
    bounds: Sequence[float], ax: Axes, denominator: float, *, margin: float = 0.02
) -> tuple[float, float, float, float]:
    """Limits centred on `bounds` that print the axes at 1 : `denominator`.

    The frame's printed size (its box times the figure's size) times the
    denominator gives the map's width and height in GK metres.

    Raises
    ------
    FigureError
        If `bounds` (plus `margin` each side) do not fit the frame at that scale; the
        message gives the largest standard scale (:data:`STANDARD_SCALES`) that fits.
    """
    minx, miny, maxx, maxy = bounds
    pos = ax.get_position()
    fw, fh = ax.get_figure(root=True).get_size_inches()  # type: ignore[union-attr]
    frame_w, frame_h = pos.width * fw * 0.0254, pos.height * fh * 0.0254  # metres on paper
    need_w, need_h = (maxx - minx) * (1 + 2 * margin), (maxy - miny) * (1 + 2 * margin)
    w, h = frame_w * denominator, frame_h * denominator
    if need_w > w or need_h > h:
        least = max(need_w / frame_w, need_h / frame_h)
        fits = [s for s in STANDARD_SCALES if s >= least]
        hint = f"1:{fits[0]}" if fits else f"1:{math.ceil(least / 1000) * 1000}"
        raise FigureError(
            f"at 1:{denominator:g} the map area ({need_w / 1000:.1f} × {need_h / 1000:.1f} km) "
            f"does not fit the map frame ({w / 1000:.1f} × {h / 1000:.1f} km); use --scale "
            f"{hint} or a larger --paper"
        )
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def set_map_extent(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """Set (x0, x1, y0, y1) at equal scale, with a plain frame and no ticks."""
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_linewidth(1.0)


# --------------------------------------------------------------------------- scale bar, arrow


def nice_length_m(target_m: float) -> float:
    """The 1/2/5 × 10ⁿ metres closest to `target_m` (by ratio).

    Examples
    --------
    >>> nice_length_m(38_000), nice_length_m(1_400)
    (50000.0, 1000.0)
    """
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


def scale_denominator(ax: Axes) -> float:
    """The plane scale of ``ax`` on paper, 1 : this: map metres per printed metre.

    The frame's printed width is its box as drawn (after the equal-aspect
    adjustment) times the figure's width in inches; its map width is the x-limits
    in GK metres.
    """
    fig = ax.get_figure(root=True)
    assert fig is not None
    ax.apply_aspect()
    paper_m = ax.get_position().width * fig.get_size_inches()[0] * 0.0254
    x0, x1 = ax.get_xlim()
    return abs(x1 - x0) / paper_m


def format_scale(denominator: float) -> str:
    """``1:263 000``: the denominator to three significant figures, thousands spaced.

    Examples
    --------
    >>> format_scale(263_412.7), format_scale(50_049), format_scale(8_765.4)
    ('1:263 000', '1:50 000', '1:8 770')
    """
    if not math.isfinite(denominator) or denominator <= 0:
        raise FigureError(f"a map scale needs a positive denominator, got {denominator!r}")
    digits = 3 - 1 - math.floor(math.log10(denominator))
    rounded = int(round(denominator, min(digits, 0)))
    return "1:" + f"{rounded:,}".replace(",", " ")


def draw_scale_bar(ax: Axes, crs: pyproj.CRS) -> ScaleBar:
    """A two-segment bar ≈ 1/5 of the map width at lower left, in ground metres,
    with the numeric scale (``比例尺 1:263 000``) under it.

    The map's data units are GK metres, so a bar `length_m` wide in data units is
    `length_m` long on the plane; the plane overstates ground distance by the
    scale factor k (≤ 1.0003 in a 3-degree zone), reported in `max_scale_factor`.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width, height = x1 - x0, y1 - y0
    length = nice_length_m(width / 5)
    bx, by = x0 + 0.04 * width, y0 + 0.05 * height
    bh = 0.012 * height
    halves = [
        Rectangle((bx, by), length / 2, bh, facecolor="black", edgecolor="black", lw=0.6),
        Rectangle((bx + length / 2, by), length / 2, bh, facecolor="white",
                  edgecolor="black", lw=0.6),
    ]
    backdrop = Rectangle(
        (bx - 0.015 * width, by - 0.05 * height), length + 0.05 * width, bh + 0.09 * height,
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
    denominator = scale_denominator(ax)
    numeric = format_scale(denominator)
    ax.text(bx + length / 2, by - 0.012 * height, f"比例尺 {numeric}", ha="center", va="top",
            fontsize=7, zorder=31, gid="numeric-scale")
    k = _max_scale_factor(crs, (x0, x1, y0, y1))
    return ScaleBar(length_m=length, label=label, artist=outline, max_scale_factor=k,
                    denominator=denominator, numeric_label=numeric)


def draw_north_arrow(ax: Axes) -> None:
    """Grid-north arrow at the upper right (points up the GK northing axis)."""
    ax.add_patch(FancyArrow(
        0.95, 0.84, 0, 0.09, width=0.008, head_width=0.03, head_length=0.035,
        length_includes_head=True, transform=ax.transAxes, color="black", zorder=32,
        gid=_FURNITURE,
    ))
    ax.text(0.95, 0.945, "N", transform=ax.transAxes, ha="center", va="bottom",
            fontsize=11, fontweight="bold", zorder=32)


def furniture_boxes(ax: Axes) -> list[Bbox]:
    """Display boxes of the scale bar and north arrow, for labels to keep clear of."""
    fig = ax.get_figure(root=True)
    assert fig is not None
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax.apply_aspect()
    return [p.get_window_extent(renderer) for p in ax.patches if p.get_gid() == _FURNITURE]


# --------------------------------------------------------------------------- grids


def dm(value: float, pos: str, neg: str) -> str:
    """Degrees as a degree-minute label with its hemisphere letter.

    Examples
    --------
    >>> dm(84.5, "E", "W"), dm(44.0, "N", "S")
    ('84°30′E', '44°00′N')
    """
    hemi = pos if value >= 0 else neg
    total = round(abs(value) * 60)
    d, m = divmod(total, 60)
    return f"{d}°{m:02d}′{hemi}"


def _graticule_step_deg(span_deg: float) -> float:
    for minutes in _NICE_STEPS_MIN:
        if span_deg * 60 / minutes >= 3:
            return minutes / 60
    return 1 / 60


def check_grid(grid: str) -> None:
    """Raise :class:`~mineplan.errors.FigureError` unless `grid` is one of :data:`GRIDS`."""
    if grid not in GRIDS:
        raise FigureError(f"grid {grid!r} is not one of {GRIDS}")


def draw_grid(ax: Axes, crs: pyproj.CRS, grid: str, *, frame: bool = False) -> None:
    """Draw the frame grid named `grid` (one of :data:`GRIDS`) over the whole map.

    With `frame`, the map gets a double-line 图廓 (:func:`draw_neat_frame`): each grid
    line gets a tick outside the thin inner line and its label (``84°30′``, no
    hemisphere letter, as Chinese maps print them; km values) sits between the lines.
    """
    check_grid(grid)
    if grid == "km":
        _draw_km_grid(ax, crs, frame=frame)
    else:
        _draw_graticule(ax, crs, frame=frame)
    if frame:
        draw_neat_frame(ax)


def draw_neat_frame(ax: Axes) -> Rectangle:
    """The double-line 图廓 of a map: the axes' own spines as the thin inner neat line
    (内图廓, 0.5 pt) and a thick outer line (外图廓, 2 pt) :data:`FRAME_GAP_PT` outside it.

    Returns the outer line, a figure artist with gid ``"outer-frame"``.
    """
    fig = ax.get_figure(root=True)
    assert fig is not None
    for spine in ax.spines.values():
        spine.set_linewidth(_INNER_LW)
    ax.apply_aspect()
    pos = ax.get_position()
    fw, fh = fig.get_size_inches()
    gap = FRAME_GAP_PT / 72
    outer = Rectangle(
        (pos.x0 * fw - gap, pos.y0 * fh - gap), pos.width * fw + 2 * gap,
        pos.height * fh + 2 * gap, transform=fig.dpi_scale_trans, fill=False,
        edgecolor="black", linewidth=_OUTER_LW, joinstyle="miter", gid="outer-frame",
        zorder=5,
    )
    fig.add_artist(outer)
    return outer


def _edge_mark(ax: Axes, text: str, xy: tuple[float, float], side: str, frame: bool,
               label_kw: Mapping[str, Any]) -> None:
    """A grid label at the frame edge `side` (bottom/top/left/right) at data point `xy`;
    with `frame`, a 3 pt tick outward from the inner line and the label in the gap."""
    out = {"bottom": (0, -1), "top": (0, 1), "left": (-1, 0), "right": (1, 0)}[side]
    if frame:
        ax.annotate("", xy, xytext=(out[0] * 3, out[1] * 3), textcoords="offset points",
                    arrowprops={"arrowstyle": "-", "linewidth": 0.5, "color": "black",
                                "shrinkA": 0, "shrinkB": 0}, annotation_clip=False)
    dist = 4.5 if frame else 3
    kw: dict[str, Any] = dict(label_kw)
    if side in ("bottom", "top"):
        kw.update(ha="center", va="top" if side == "bottom" else "bottom")
    else:
        kw.update(ha="right" if side == "left" else "left", va="center", rotation=90)
    ax.annotate(text, xy, xytext=(out[0] * dist, out[1] * dist), textcoords="offset points",
                gid="grid-label", **kw)


def _km_step(span_m: float) -> float:
    for km in (1, 2, 5, 10, 20, 25, 50, 100, 200):
        if span_m / (km * 1000) <= 8:
            return km * 1000.0
    return 500_000.0


def _draw_km_grid(ax: Axes, crs: pyproj.CRS, *, frame: bool = False) -> None:
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
        for edge, side in ((y0, "bottom"), (y1, "top")):
            _edge_mark(ax, f"{km:,.0f}".replace(",", " "), (x, edge), side, frame, label_kw)
    for y in np.arange(math.ceil(y0 / step) * step, y1, step):
        ax.plot([x0, x1], [y, y], **style)
        for edge, side in ((x0, "left"), (x1, "right")):
            _edge_mark(ax, f"{y / 1000:,.0f}".replace(",", " "), (edge, y), side, frame,
                       label_kw)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _gk_zone(crs: pyproj.CRS) -> GKZone | None:
    epsg = crs.to_epsg()
    try:
        return gk_zone_from_epsg(epsg) if epsg else None
    except MineplanError:
        return None


def _draw_graticule(ax: Axes, crs: pyproj.CRS, *, frame: bool = False) -> None:
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
        text = dm(meridian, "", "") if frame else dm(meridian, "E", "W")
        for edge, side in ((y0, "bottom"), (y1, "top")):
            x_at = float(np.interp(edge, my, mx))
            if x0 < x_at < x1:
                _edge_mark(ax, text, (x_at, edge), side, frame, label_kw)
    lons = np.linspace(lon_min, lon_max, 200)
    for parallel in np.arange(math.ceil(lat_min / step) * step, lat_max, step):
        px, py = to_map.transform(lons, np.full_like(lons, parallel))
        ax.plot(px, py, **style)
        text = dm(parallel, "", "") if frame else dm(parallel, "N", "S")
        for edge, side in ((x0, "left"), (x1, "right")):
            y_at = float(np.interp(edge, px, py))
            if y0 < y_at < y1:
                _edge_mark(ax, text, (edge, y_at), side, frame, label_kw)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


# --------------------------------------------------------------------------- CRS notes


def crs_text(crs: pyproj.CRS) -> str:
    """The footnote's CRS sentence: datum, projection, central meridian, EPSG code."""
    epsg = crs.to_epsg()
    cm = None
    if crs.coordinate_operation is not None:
        for param in crs.coordinate_operation.params:
            name = param.name.lower()
            if "longitude" in name and ("central meridian" in name or "natural origin" in name):
                cm = param.value
    cm_text = f"{cm:g}°E" if cm is not None else "?"
    return f"坐标系：CGCS2000，投影：高斯-克吕格 3度带 中央经线 {cm_text} (EPSG:{epsg})"


def convergence_deg(crs: pyproj.CRS, x: float, y: float) -> float:
    """Meridian convergence (degrees) at map point (x, y): grid north minus true north."""
    to_geo = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = to_geo.transform(x, y)
    return float(pyproj.Proj(crs).get_factors(lon, lat).meridian_convergence)
