"""Words on a figure: wrapping mixed Chinese/Latin text, short names, map labels, the footnote.

The footnote states the sources, the CRS, how the grid and north arrow relate to true
north, the scale bar's largest distortion, who made the map and when, and — whenever
something schematic or demo is drawn — that it is not a surveyed boundary.

May import: vocab, and :mod:`mineplan.figures.cartography`. Never web or cli.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pyproj
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from mineplan.figures.cartography import ScaleBar, crs_text
from mineplan.vocab import format_area

__all__ = [
    "COUNTY_LABEL",
    "SCHEMATIC_SENTENCE",
    "ZONE_LABEL",
    "draw_footnote",
    "format_km2",
    "place_labels",
    "short_name",
    "wrap_cjk",
]

#: The caveat printed whenever schematic zones and demo red-lines are drawn.
SCHEMATIC_SENTENCE = "图中规划分区为按规划面积生成的示意图形，三区三线为演示数据，均非实测边界"
_SCHEMATIC_ONLY = "图中规划分区为按规划面积生成的示意图形，非实测边界"
_DEMO_ONLY = "三区三线为演示数据，非实测边界"

#: Text properties of zone names and county names on an overview.
ZONE_LABEL: dict[str, Any] = {
    "fontsize": 6, "zorder": 28,
    "bbox": {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7,
             "edgecolor": "none"},
}
COUNTY_LABEL: dict[str, Any] = {"fontsize": 7.5, "color": "#606060", "zorder": 22}


def _columns(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def wrap_cjk(text: str, width: int) -> str:
    """Wrap mixed Chinese/Latin text to `width` half-width columns (CJK counts 2).

    Lines break anywhere between Chinese characters, and at the last space when a
    Latin word would be cut.

    Examples
    --------
    >>> wrap_cjk("矿产资源规划图", 8)
    '矿产资源\\n规划图'
    """
    lines: list[str] = []
    line, used = "", 0
    for char in text:
        w = _columns(char)
        if used + w > width and line:
            cut = line.rfind(" ")
            if char != " " and line[-1:].isascii() and line[-1:].isalnum() and cut > len(line) - 16:
                lines.append(line[:cut])
                line = line[cut + 1 :]
            else:
                lines.append(line)
                line = ""
            used = sum(_columns(c) for c in line)
        line += char
        used += w
    if line:
        lines.append(line)
    return "\n".join(lines)


def short_name(name: str, limit: int = 12) -> str:
    """`name` cut to `limit` characters, an ellipsis marking the cut.

    Examples
    --------
    >>> short_name("乌苏市哈图金矿勘查规划区块", 8)
    '乌苏市哈图金矿…'
    """
    name = str(name)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def format_km2(area_km2: float) -> str:
    """An area in km² as printed, to :data:`~mineplan.vocab.AREA_DECIMALS_KM2` decimals.

    The display rule of :func:`mineplan.vocab.format_area` (one rule everywhere).

    Examples
    --------
    >>> format_km2(3.41351), format_km2(0.016693)
    ('3.4135 km²', '0.0167 km²')
    """
    return format_area(area_km2)


def place_labels(
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


def draw_footnote(
    fig: Figure, frames: Mapping[str, gpd.GeoDataFrame], crs: pyproj.CRS, bar: ScaleBar,
    *, producer: str, date: _dt.date, schematic_drawn: bool, demo_drawn: bool,
    omitted: int, convergence: float, width_chars: int, extra: str = "",
    grid: str = "graticule",
) -> str:
    """Write the footnote at the bottom of `fig`, wrapped to `width_chars`; return its text.

    `frames` are the layers drawn (their ``plan`` and ``source`` columns name the
    sources); `convergence` is the meridian convergence in degrees at the map centre.
    """
    marks = ("图廓注记为高斯-克吕格公里网（千米，横坐标含带号）" if grid == "km"
             else "图廓注记为经纬度（度分）")
    sentences = [
        _sources(frames),
        f"{crs_text(crs)}；{marks}，指北针指向坐标北（网格北），"
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
    wrapped = wrap_cjk(text, width_chars)
    fig.text(0.04, 0.012, wrapped, ha="left", va="bottom", fontsize=6.5, color="#202020",
             linespacing=1.4)
    return text

