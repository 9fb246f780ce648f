"""Map furniture and typesetting of the overview and zone sheet (issue 13 §2).

Expected values come from outside the code under test: hand-made strings for the line
breaking, pdftotext for printed text, and bounding boxes of the drawn artists for the
frame and the page layout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mineplan.figures import figure_info, region_overview, save_figure, zone_sheet
from mineplan.figures.text import break_lines
from mineplan.layers import read_layer_specs, read_styles
from mineplan.store import list_layers, read_layer

# ------------------------------------------------------------------ line breaking (hand-made)

CLOSING = "，。、；：）》」’”"


@pytest.mark.parametrize("text, width", [
    ("甲乙丙，丁戊己。庚辛壬（癸）子丑、寅卯；辰巳：午未》申酉」戌亥’天地”", 6),
    ("矿产资源总体规划（2021—2025年），制图日期 2026-11-29。", 10),
    ("阿（甲）乙丙丁戊己》，。", 7),
])
def test_no_line_starts_with_closing_punctuation(text: str, width: int) -> None:
    lines = break_lines(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines[1:]:
        assert line[0] not in CLOSING, lines
    for line in lines[:-1]:
        assert line[-1] not in "（《「‘“", lines


@pytest.mark.parametrize("width", range(13, 40))  # "1:1 070 000，" is 12 columns
def test_numbers_dates_and_latin_words_are_never_split(width: int) -> None:
    text = "制图：mineplan，制图日期 2026-11-29；比例尺 1:1 070 000，面积 3.4135 平方千米。"
    lines = break_lines(text, width)
    for token in ("mineplan", "2026-11-29", "1:1 070 000", "3.4135"):
        assert any(token in line for line in lines), (token, lines)
    assert all(len(line.encode("gbk")) <= width + 2 for line in lines)  # GBK: CJK = 2 bytes


def test_a_long_chinese_line_fills_its_width() -> None:
    lines = break_lines("一二三四五六七八九十" * 3, 20)
    assert lines == ["一二三四五六七八九十"] * 3


# ------------------------------------------------------------------ rendered sheets


@pytest.fixture(scope="module")
def frames(built_store: Path) -> dict:  # type: ignore[type-arg]
    return {c: read_layer(built_store, c) for c in list_layers(built_store)}


LAYOUTS = [("A4", "landscape"), ("A4", "portrait"), ("A3", "landscape"), ("A3", "portrait")]


@pytest.fixture(scope="module")
def sheets(frames: dict) -> dict:  # type: ignore[type-arg]
    specs, styles = read_layer_specs(), read_styles()
    return {(p, o): region_overview(frames, region="新源县", specs=specs, styles=styles,
                                    paper=p, orientation=o) for p, o in LAYOUTS}


def _boxes(fig, gid: str) -> list:  # type: ignore[no-untyped-def]
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in fig.findobj(lambda a: a.get_gid() == gid)]


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS)
def test_legend_and_index_lie_on_the_page_beside_the_map_frame(sheets, layout) -> None:
    fig = sheets[layout]
    info = figure_info(fig)
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    margin = 5 / 25.4 * fig.dpi  # 5 mm print margin
    outer = _boxes(fig, "outer-frame")
    assert len(outer) == 1
    frame = outer[0]
    face = info.map_ax.get_window_extent(renderer)
    # the thick outer line lies outside the thin inner neat line, all round
    assert frame.x0 < face.x0 and frame.y0 < face.y0 and frame.x1 > face.x1 and frame.y1 > face.y1
    panels = _boxes(fig, "legend") + _boxes(fig, "zone-index")
    assert len(_boxes(fig, "legend")) == 1 and _boxes(fig, "zone-index")
    assert info.inset_ax is not None
    panels.append(info.inset_ax.get_window_extent(renderer))
    for box in panels:
        assert page.x0 + margin <= box.x0 and box.x1 <= page.x1 - margin, (layout, box)
        assert page.y0 + margin <= box.y0 and box.y1 <= page.y1 - margin, (layout, box)
        assert not box.overlaps(frame), (layout, box, frame)  # never under map lines
    # the map face uses the page: on A3 at least 35 % of it; on A4 the 99-zone index of
    # 新源县 takes more of the page, and the map still has a quarter of it
    share = 0.35 if layout[0] == "A3" else 0.24
    assert face.width * face.height >= share * page.width * page.height, layout
    # the legend stays readable
    legend = fig.findobj(lambda a: a.get_gid() == "legend")[0]
    assert min(t.get_fontsize() for t in legend.get_texts()) >= 4.5


@pytest.mark.slow
def test_degree_labels_sit_between_the_frame_lines(sheets) -> None:
    fig = sheets[("A4", "landscape")]
    info = figure_info(fig)
    renderer = fig.canvas.get_renderer()
    frame = _boxes(fig, "outer-frame")[0]
    face = info.map_ax.get_window_extent(renderer)
    labels = [t for t in info.map_ax.texts if t.get_gid() == "grid-label"]
    assert len(labels) >= 8
    for text in labels:
        assert re.fullmatch(r"\d{2,3}°\d{2}′", text.get_text()), text.get_text()
        box = text.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 \
            and box.y1 <= frame.y1
        assert not box.overlaps(face), text.get_text()


@pytest.mark.slow
def test_printed_sources_are_chinese_and_the_inset_disclaims_a_border(sheets,
                                                                        tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    pdf = save_figure(sheets[("A4", "landscape")], tmp_path / "overview.pdf")
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.replace("\n", "")
    assert "行政界线：cnmaps" in text and "非官方" in text
    for english in ("boundaries", "converted", "Amap", "WGS84"):
        assert english not in text
    assert "非国界" in text


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["zone", "check"])
def test_zone_sheet_and_check_figure_have_the_double_frame(side_sheets, kind: str) -> None:  # type: ignore[no-untyped-def]
    """The thick outer line round the thin neat line, degree labels between the two."""
    fig = side_sheets[(kind, "A4", "landscape")]
    info = figure_info(fig)
    renderer = fig.canvas.get_renderer()
    frame = _boxes(fig, "outer-frame")
    assert len(frame) == 1
    face = info.map_ax.get_window_extent(renderer)
    assert frame[0].x0 < face.x0 and frame[0].y0 < face.y0
    assert frame[0].x1 > face.x1 and frame[0].y1 > face.y1
    labels = [t for t in info.map_ax.texts if t.get_gid() == "grid-label"]
    assert len(labels) >= 4
    for text in labels:
        assert re.fullmatch(r"\d{2,3}°\d{2}′", text.get_text()), text.get_text()
        box = text.get_window_extent(renderer)
        assert frame[0].x0 <= box.x0 and box.x1 <= frame[0].x1
        assert frame[0].y0 <= box.y0 and box.y1 <= frame[0].y1
        assert not box.overlaps(face), text.get_text()


# ------------------------------------------------------------------ zone sheet and check figure


def _check_figure(frames: dict, box_bounds: tuple[float, float, float, float],  # type: ignore[type-arg]
                  paper: str, orientation: str):  # type: ignore[no-untyped-def]
    import geopandas as gpd
    from shapely.geometry import box

    from mineplan.checks import check_proposal
    from mineplan.figures import check_figure

    proposal = gpd.GeoDataFrame(geometry=[box(*box_bounds)], crs="EPSG:4490")
    findings = check_proposal(proposal, right_type="探矿权", mineral="煤炭", store_frames=frames)
    return check_figure(proposal, findings, frames, specs=read_layer_specs(),
                        styles=read_styles(), paper=paper, orientation=orientation)


@pytest.fixture(scope="module")
def side_sheets(frames: dict, check_block) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """Zone sheets and check figures on every layout: {(kind, paper, orientation): figure}."""
    layer = "CKGH"
    row = frames[layer][frames[layer]["region"] == "新源县"].iloc[0]
    specs, styles = read_layer_specs(), read_styles()
    out = {}
    for paper, orientation in LAYOUTS:
        out["zone", paper, orientation] = zone_sheet(
            row, frames, layer=layer, specs=specs, styles=styles, paper=paper,
            orientation=orientation)
        out["check", paper, orientation] = _check_figure(frames, check_block, paper,
                                                         orientation)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["zone", "check"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_legend_of_a_zone_sheet_or_check_figure_lies_under_the_map_not_on_it(
        side_sheets, kind: str, layout) -> None:  # type: ignore[no-untyped-def]
    fig = side_sheets[(kind, *layout)]
    info = figure_info(fig)
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    margin = 5 / 25.4 * fig.dpi  # 5 mm print margin
    face = info.map_ax.get_window_extent(renderer)
    outer = _boxes(fig, "outer-frame")
    assert len(outer) == 1
    frame = outer[0]
    legends = fig.findobj(lambda a: a.get_gid() == "legend")
    assert len(legends) == 1, "one legend, in its own panel"
    assert info.map_ax.get_legend() is None  # nothing drawn over the map face
    box = legends[0].get_window_extent(renderer)
    assert page.x0 + margin <= box.x0 and box.x1 <= page.x1 - margin, box
    assert page.y0 + margin <= box.y0 and box.y1 <= page.y1 - margin, box
    assert not box.overlaps(frame) and not box.overlaps(face), (box, frame)
    # clear of every text on the page (title, attributes, verdict, footnote) and of the
    # panels beside the map (corner and findings tables, inset)
    for text in fig.texts:
        if text.get_text().strip():
            assert not box.overlaps(text.get_window_extent(renderer)), text.get_text()[:20]
    legend_ax = legends[0].axes
    for ax in fig.axes:
        if ax not in (legend_ax, info.map_ax) and ax.get_visible():
            assert not box.overlaps(ax.get_window_extent(renderer)), ax
    # every entry is in it and readable, and the map keeps most of the column
    shown = [t.get_text().replace("\n", "") for t in legends[0].get_texts()]
    assert shown == info.legend_labels
    assert min(t.get_fontsize() for t in legends[0].get_texts()) >= 4.5
    assert face.width * face.height >= 0.25 * page.width * page.height


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["zone", "check"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_text_of_a_zone_sheet_or_check_figure_stays_on_the_page(
        side_sheets, kind: str, layout) -> None:  # type: ignore[no-untyped-def]
    """The right-hand column (attributes, corner table heading, verdict) is broken for its
    width on each paper: on A4 portrait the corner heading ran past the page edge."""
    fig = side_sheets[(kind, *layout)]
    fig.canvas.draw()  # places the boxes drawn around texts
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    margin = 4.9 / 25.4 * fig.dpi  # 5 mm print margin
    for text in fig.texts:
        if not text.get_text().strip():
            continue
        patch = text.get_bbox_patch()
        box = (patch.get_window_extent(renderer) if patch is not None
               else text.get_window_extent(renderer))
        assert page.x0 + margin <= box.x0 and box.x1 <= page.x1 - margin, text.get_text()[:30]
        assert page.y0 + margin <= box.y0 and box.y1 <= page.y1 - margin, text.get_text()[:30]
