"""Tests for mineplan.figures: report map figures (overview and zone sheet).

Figures are drawn from the store built once per test run (``built_store``, never
the checkout's ``geodata/mineplan.gpkg``). Rendered samples are kept in the run's
``test-artifacts/figures/`` (pytest's temporary folder) for a human to look at.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pyproj
import pytest
import shapely
from matplotlib.figure import Figure
from matplotlib.text import Text

from mineplan.catalog import plan_index
from mineplan.figures import (
    SCHEMATIC_SENTENCE,
    FigureError,
    cartography,
    check_figure,
    figure_info,
    fonts,
    output,
    region_overview,
    save_figure,
    zone_sheet,
)
from mineplan.figures.gridtable import GridTable
from mineplan.figures.text import POINT_SENTENCE
from mineplan.geodesy import gk_crs_for_lonlat, gk_zone_from_epsg
from mineplan.layers import (
    LayerSpec,
    LayerStyle,
    SchematicStyle,
    read_layer_specs,
    read_styles,
)
from mineplan.store import list_layers, read_layer

REGIONS = tuple(p.region for p in plan_index().values())


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def store(built_store: Path) -> Path:
    return built_store


@pytest.fixture(scope="module")
def figures_dir(artifacts: Path) -> Path:
    path = artifacts / "figures"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="module")
def frames(store: Path) -> dict[str, gpd.GeoDataFrame]:
    return {code: read_layer(store, code) for code in list_layers(store)}


@pytest.fixture(scope="module")
def specs() -> dict[str, LayerSpec]:
    return read_layer_specs()


@pytest.fixture(scope="module")
def styles() -> tuple[dict[str, LayerStyle], SchematicStyle]:
    return read_styles()


@pytest.fixture(scope="module")
def overviews(frames, specs, styles) -> dict[str, Figure]:
    """One overview per region, rendered once for the module."""
    return {
        region: region_overview(frames, region=region, specs=specs, styles=styles)
        for region in REGIONS
    }


def _texts(fig: Figure) -> list[str]:
    """Every text drawn in the figure, table cells included."""
    texts = [t.get_text() for t in fig.findobj(Text)]
    for ax in fig.axes:
        for table in ax.tables:
            texts.extend(cell.get_text().get_text() for cell in table.get_celld().values())
    for grid in fig.findobj(GridTable):  # drawn one cell at a time through one Text
        texts.extend(text for row in grid.cells for text in row)
    return texts


# --------------------------------------------------------------------------- overview


@pytest.mark.parametrize("region", REGIONS)
def test_overview_renders_every_region_to_png(overviews, figures_dir: Path, region: str) -> None:
    fig = overviews[region]
    path = save_figure(fig, figures_dir / f"overview-{region}.png", dpi=100)
    image = mpimg.imread(path)
    height, width = image.shape[:2]
    assert abs(width - 1169) <= 1 and abs(height - 827) <= 1
    # something was drawn in the map: not a blank page
    assert image[..., :3].std() > 0.05
    info = figure_info(fig)
    assert any(code != "XZQ" for code in info.drawn_layers), "no planning layer drawn"


@pytest.mark.parametrize("region", REGIONS)
def test_overview_is_drawn_in_the_regions_unprefixed_gk_zone(overviews, frames, region) -> None:
    info = figure_info(overviews[region])
    assert info.crs.is_projected and not info.crs.is_geographic
    epsg = info.crs.to_epsg()
    assert epsg is not None and 4534 <= epsg <= 4554  # 3-degree, central meridian only
    # the region's centroid lies within ±1.5° of the central meridian
    geom = frames["XZQ"].loc[frames["XZQ"]["name"] == region].geometry.union_all()
    lon = geom.centroid.x
    cm = gk_zone_from_epsg(epsg).central_meridian
    assert abs(lon - cm) <= 1.6
    x0, x1 = info.map_ax.get_xlim()
    y0, y1 = info.map_ax.get_ylim()
    assert 0 < x0 < x1 < 1_000_000  # GK metres without prefix, never degrees
    assert 4_000_000 < y0 < y1 < 6_000_000


@pytest.mark.parametrize("region", REGIONS)
def test_scale_bar_claimed_length_equals_drawn_length(overviews, region: str) -> None:
    info = figure_info(overviews[region])
    bar, ax = info.scale_bar, info.map_ax
    # the bar's unit square → display pixels (patch + axes transform) → map data units
    display = bar.artist.get_transform().transform([(0, 0), (1, 0)])
    data = ax.transData.inverted().transform(display)
    drawn = float(np.hypot(*(data[1] - data[0])))
    assert drawn == pytest.approx(bar.length_m, rel=1e-9)
    assert bar.label == f"{bar.length_m / 1000:g} km"
    # a round length: 1, 2 or 5 × 10ⁿ metres
    mantissa = bar.length_m / 10 ** np.floor(np.log10(bar.length_m))
    assert round(mantissa, 9) in (1, 2, 5)
    width = np.diff(ax.get_xlim())[0]
    assert width / 10 <= bar.length_m <= width / 2.5
    # and its ground (ellipsoidal) length differs by no more than the scale factor says
    to_geo = pyproj.Transformer.from_crs(info.crs, info.crs.geodetic_crs, always_xy=True)
    (lon0, lon1), (lat0, lat1) = to_geo.transform(data[:, 0], data[:, 1])
    ground = pyproj.Geod(ellps="GRS80").inv(lon0, lat0, lon1, lat1)[2]
    assert abs(bar.length_m / ground - 1) <= bar.max_scale_factor - 1 + 1e-6
    # ≤ 0.03 % inside a 3-degree zone; a prefecture map reaches beyond it (塔城地区 ~0.14 %)
    assert bar.max_scale_factor < 1.005


@pytest.mark.parametrize("region", REGIONS)
def test_numeric_scale_is_the_printed_scale(overviews, region: str, tmp_path: Path) -> None:
    fig = overviews[region]
    info = figure_info(fig)
    bar, ax = info.scale_bar, info.map_ax
    # independently: the drawn bar in printed pixels of a PNG at 100 dpi → metres on paper
    save_figure(fig, tmp_path / "map.png", dpi=100)
    renderer = fig.canvas.get_renderer()
    corners = bar.artist.get_window_extent(renderer)
    paper_m = corners.width / fig.dpi * 0.0254
    denominator = bar.length_m / paper_m
    assert bar.denominator == pytest.approx(denominator, rel=2e-3)  # outline width only
    # and the frame: map width in GK metres over the frame's printed width
    frame = ax.get_window_extent(renderer)
    assert bar.denominator == pytest.approx(
        np.diff(ax.get_xlim())[0] / (frame.width / fig.dpi * 0.0254), rel=1e-6)
    # printed beside the bar, to three significant figures
    assert bar.numeric_label == cartography.format_scale(bar.denominator)
    digits = int(bar.numeric_label.removeprefix("1:").replace(" ", ""))
    assert abs(digits / bar.denominator - 1) <= 0.005
    assert f"比例尺 {bar.numeric_label}" in [t.get_text() for t in ax.texts]


def test_numeric_scale_follows_the_paper(frames, specs, styles) -> None:
    a4 = figure_info(region_overview(frames, region="伊宁市", specs=specs, styles=styles))
    a3 = figure_info(region_overview(frames, region="伊宁市", specs=specs, styles=styles,
                                     paper="A3"))
    # the same region on paper √2 larger each way: a scale at least √2 larger (1:n smaller);
    # more, since margins, title and footnote keep their size in mm and the map takes the rest
    ratio = a4.scale_bar.denominator / a3.scale_bar.denominator
    assert 2**0.5 * 0.97 <= ratio <= 2.0


@pytest.mark.parametrize(
    ("denominator", "text"),
    [(263_412.7, "1:263 000"), (50_049, "1:50 000"), (8_765.4, "1:8 770"),
     (999_600, "1:1 000 000"), (123.4, "1:123")],
)
def test_format_scale_rounds_to_three_figures(denominator: float, text: str) -> None:
    assert cartography.format_scale(denominator) == text


def test_format_scale_refuses_nonsense() -> None:
    with pytest.raises(FigureError, match="positive denominator"):
        cartography.format_scale(0.0)


@pytest.mark.parametrize("region", REGIONS)
def test_legend_lists_exactly_the_drawn_layers(overviews, frames, specs, region) -> None:
    fig = overviews[region]
    info = figure_info(fig)
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == 1
    shown = [t.get_text() for t in legends[0].get_texts()]
    assert shown == info.legend_labels
    assert set(info.drawn_layers.values()) <= set(shown)
    # the zone layers with features in this region are exactly those drawn
    expected = {
        code for code, frame in frames.items()
        if specs[code].group in ("plan", "rights") and (frame["region"] == region).any()
    }
    drawn_zones = {c for c in info.drawn_layers if specs[c].group in ("plan", "rights")}
    assert drawn_zones == expected
    # one entry per layer, plus a point entry per layer with zones the plan gives no area
    no_area = {
        code for code in expected
        if frames[code].loc[frames[code]["region"] == region, "area_km2"].isna().any()
    }
    point_labels = [f"{specs[c].name}（无面积，位置示意）" for c in no_area]
    assert sorted(set(shown) - set(info.drawn_layers.values())) == sorted(
        label for label in point_labels if label not in info.drawn_layers.values())
    assert all(label in shown for label in point_labels)
    assert len(shown) == len(set(shown))
    for code in drawn_zones:  # every zone here is schematic
        assert info.drawn_layers[code].endswith(("（示意）", "（无面积，位置示意）"))
    for code in ("STHX", "YJJBNT", "CZKFBJ"):
        assert info.drawn_layers[code].endswith("（演示数据）")


@pytest.mark.parametrize("region", REGIONS)
def test_footnote_names_crs_and_schematic_caveat(overviews, frames, specs,
                                                 region: str) -> None:
    fig = overviews[region]
    info = figure_info(fig)
    epsg = info.crs.to_epsg()
    assert f"(EPSG:{epsg})" in info.footnote
    assert re.search(r"高斯-克吕格 3度带 中央经线 \d+°E", info.footnote)
    # zones without a stated area are not claimed to be sized from the plan
    no_area = any(
        frame.loc[frame["region"] == region, "area_km2"].isna().any()
        for code, frame in frames.items() if specs[code].is_zone_layer
    )
    caveat = POINT_SENTENCE if no_area else SCHEMATIC_SENTENCE
    assert caveat in info.footnote
    assert (SCHEMATIC_SENTENCE in info.footnote) == (not no_area)
    assert "坐标北" in info.footnote and "mineplan" in info.footnote
    drawn_text = "".join(_texts(fig)).replace("\n", "")
    assert caveat in drawn_text
    if info.labels_omitted:  # codes not on the map are still in the index
        assert f"另有 {info.labels_omitted} 个因过密未标编号" in info.footnote
    assert "本图未经审图，不得公开出版" in info.footnote


@pytest.mark.parametrize("region", REGIONS)
def test_graticule_labels_are_degrees_and_minutes(overviews, region: str) -> None:
    # in the double-line frame, as Chinese maps print them: 84°30′, no hemisphere letter
    texts = _texts(overviews[region])
    marks = [int(t.split("°")[0]) for t in texts if re.fullmatch(r"\d{2,3}°\d{2}′", t)]
    east = [d for d in marks if 73 <= d <= 96]  # Xinjiang longitudes
    north = [d for d in marks if 34 <= d <= 50]  # and latitudes
    assert len(east) >= 2 and len(north) >= 2 and len(east) + len(north) == len(marks)


@pytest.mark.parametrize("region", REGIONS)
def test_zone_labels_do_not_overlap(overviews, region: str) -> None:
    fig = overviews[region]
    info = figure_info(fig)
    renderer = fig.canvas.get_renderer()
    placed = set(info.labels_placed)
    boxes = [t.get_window_extent(renderer) for t in info.map_ax.texts
             if t.get_text() in placed and t.get_fontsize() == 6]
    assert len(boxes) == len(info.labels_placed) > 0
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def test_pdf_embeds_the_cjk_font(overviews, figures_dir: Path) -> None:
    if shutil.which("pdffonts") is None:
        if os.environ.get("CI"):
            pytest.fail("pdffonts (poppler-utils) is needed in CI")
        pytest.skip("pdffonts not installed (apt-get install poppler-utils)")
    path = save_figure(overviews["伊宁市"], figures_dir / "overview-伊宁市.pdf")
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = [line for line in out.stdout.splitlines() if "MineplanSansCJKsc" in line]
    assert rows, out.stdout
    assert "Mismatch" not in out.stderr, out.stderr
    for line in rows:
        # columns: name type encoding emb sub uni object ID; TrueType outlines embedded
        assert "CID TrueType" in line, line
        assert re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line), line


def test_save_figure_formats_and_atomicity(overviews, tmp_path: Path) -> None:
    fig = overviews["特克斯县"]
    svg = save_figure(fig, tmp_path / "a.svg", dpi=72)
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(FigureError, match=r"\.png, \.pdf or \.svg"):
        save_figure(fig, tmp_path / "a.jpeg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.svg"]  # no temporary left


def test_a3_portrait_has_its_paper_size(frames, specs, styles, tmp_path: Path) -> None:
    fig = region_overview(frames, region="伊宁市", specs=specs, styles=styles, paper="A3",
                          orientation="portrait", title="测试")
    image = mpimg.imread(save_figure(fig, tmp_path / "a3.png", dpi=50))
    assert abs(image.shape[1] - 297 / 25.4 * 50) <= 1
    assert abs(image.shape[0] - 420 / 25.4 * 50) <= 1
    assert figure_info(fig).title == "测试"


def test_unknown_region_and_paper_are_explained(frames, specs, styles) -> None:
    with pytest.raises(FigureError, match=r"known regions: .*乌苏市"):
        region_overview(frames, region="火星县", specs=specs, styles=styles)
    with pytest.raises(FigureError, match="paper 'B5'"):
        region_overview(frames, region="乌苏市", specs=specs, styles=styles, paper="B5")


def test_missing_font_names_the_debian_package(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setattr(fonts.font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(fonts.font_manager, "findSystemFonts", lambda *a, **k: [])
    monkeypatch.setenv("MINEPLAN_FONTS", str(tmp_path))
    with pytest.raises(FigureError, match="apt-get install fonts-noto-cjk"):
        output.configure_fonts()
    with pytest.raises(FigureError, match="apt-get install fonts-noto-cjk"):
        fonts.build_cjk_fonts(tmp_path)  # the set-up command says the same


def test_figure_info_refuses_foreign_figures() -> None:
    with pytest.raises(FigureError, match="not drawn by mineplan"):
        figure_info(Figure())


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("target", "expected"),
    [(38_000, 50_000), (25_000, 20_000), (9_000, 10_000), (1_400, 1_000), (700, 500)],
)
def test_nice_length_is_round_and_closest(target: float, expected: float) -> None:
    assert cartography.nice_length_m(target) == expected


def test_degree_minute_labels() -> None:
    assert cartography.dm(84.5, "E", "W") == "84°30′E"
    assert cartography.dm(44.0, "N", "S") == "44°00′N"
    assert cartography.dm(81.25, "E", "W") == "81°15′E"


# --------------------------------------------------------------------------- zone sheet


def _zone(frames: Mapping[str, gpd.GeoDataFrame], code: str, *, most_vertices: bool):
    frame = frames[code]
    frame = frame[frame["area_km2"].notna()]  # a zone without area is a point: no corners
    counts = frame.geometry.count_coordinates()
    return frame.loc[counts.idxmax() if most_vertices else counts.idxmin()]


def _expected_corners(geom, plane_crs) -> tuple[int, list[tuple[int, str, float, float]]]:
    """How many rings `geom` has, and (圈号, 点号, X northing, Y easting) of its exterior
    rings' points, derived here with pyproj alone: rings numbered part after part
    (exterior, then holes), points J1… per ring in the ring's order, closing point dropped."""
    to_plane = pyproj.Transformer.from_crs("EPSG:4490", plane_crs, always_xy=True)
    rows: list[tuple[int, str, float, float]] = []
    ring = 0
    for polygon in getattr(geom, "geoms", [geom]):
        ring += 1
        lon, lat = np.asarray(polygon.exterior.coords)[:-1].T
        east, north = to_plane.transform(lon, lat)
        rows += [(ring, f"J{k}", float(n), float(e))
                 for k, (e, n) in enumerate(zip(east, north, strict=True), start=1)]
        ring += len(polygon.interiors)
    return ring, rows


def _corner_table(fig: Figure) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the zone sheet's corner table, as drawn."""
    blocks = [table.cells for table in fig.findobj(GridTable) if "点号" in table.cells[0]]
    if not blocks:
        raise AssertionError("no corner table drawn")
    # blocks side by side continue one another, each under its own header
    return blocks[0][0], [row for block in blocks for row in block[1:]]


def _assert_table_lists(fig: Figure, geom, plane_crs, *, limit: int = 20) -> int:
    """The corner table lists the first `limit` expected corners; returns how many exist."""
    n_rings, expected = _expected_corners(geom, plane_crs)
    header, rows = _corner_table(fig)
    with_ring = n_rings > 1
    assert header == (["圈号", "点号", "X", "Y"] if with_ring else ["点号", "X", "Y"])
    assert len(rows) == min(len(expected), limit)
    for got, (ring, point, x, y) in zip(rows, expected, strict=False):
        if with_ring:
            assert got[0] == str(ring)
            got = got[1:]
        assert got[0] == point
        assert float(got[1]) == pytest.approx(x, abs=0.006)
        assert float(got[2]) == pytest.approx(y, abs=0.006)
        assert re.fullmatch(r"\d+\.\d{2}", got[1]) and re.fullmatch(r"\d+\.\d{2}", got[2])
    # a point name is never ambiguous and no point is listed twice
    names = [tuple(r[:2]) if with_ring else r[0] for r in rows]
    assert len(set(names)) == len(names)
    assert len({tuple(r[-2:]) for r in rows}) == len(rows)
    return len(expected)


def test_zone_sheet_lists_attributes_and_corner_coordinates(frames, specs, styles,
                                                           figures_dir: Path) -> None:
    row = _zone(frames, "CKGH", most_vertices=True)
    fig = zone_sheet(row, frames, layer="CKGH", specs=specs, styles=styles)
    save_figure(fig, figures_dir / "zone-sheet.png", dpi=100)
    texts = _texts(fig)
    joined = "\n".join(texts)
    assert str(row["name"])[:10] in joined
    assert re.search(r"图形椭球面积：\d+\.\d{4} km²", joined)
    assert str(row["source_table"]) in joined and str(row["source_line"]) in joined
    info = figure_info(fig)
    prefixed = gk_crs_for_lonlat(
        row.geometry.representative_point().x, row.geometry.representative_point().y,
        prefixed=True,
    )
    assert f"EPSG:{prefixed.to_epsg()}" in joined
    n_corners = _assert_table_lists(fig, row.geometry, prefixed)
    _, rows = _corner_table(fig)
    assert all(4.0e6 < float(r[-2]) < 5.5e6 for r in rows)  # X: northing
    zone_number = gk_zone_from_epsg(int(prefixed.to_epsg() or 0)).zone
    assert all(int(float(r[-1]) // 1_000_000) == zone_number for r in rows)  # prefixed Y
    if n_corners > 20:
        assert f"另有 {n_corners - 20} 个拐点未列出（共 {n_corners} 个）" in joined
    else:
        assert "拐点未列出" not in joined
    assert info.crs.is_projected and info.inset_ax is None
    # the caveat matches what is drawn: schematic zone yes, demo red-lines only if nearby
    assert "示意图形" in info.footnote and "非实测" in info.footnote
    demo_drawn = any(c in info.drawn_layers for c in ("STHX", "YJJBNT", "CZKFBJ"))
    assert ("三区三线为演示数据" in info.footnote) == demo_drawn


def test_zone_sheet_requires_a_known_layer(frames, specs, styles) -> None:
    row = _zone(frames, "CKGH", most_vertices=False)
    with pytest.raises(FigureError, match="layer 'NOPE'"):
        zone_sheet(row, frames, layer="NOPE", specs=specs, styles=styles)


def test_zone_sheet_lists_every_corner_of_a_small_polygon(frames, specs, styles) -> None:
    row = _zone(frames, "CKGH", most_vertices=False).copy()
    # a 4-corner block near 乌苏市, CGCS2000 degrees
    row["geometry"] = shapely.MultiPolygon([shapely.box(84.60, 44.30, 84.62, 44.31)])
    fig = zone_sheet(row, frames, layer="CKGH", specs=specs, styles=styles)
    header, rows = _corner_table(fig)
    assert header == ["点号", "X", "Y"]  # one ring: no 圈号 column
    assert [r[0] for r in rows] == ["J1", "J2", "J3", "J4"]
    prefixed = gk_crs_for_lonlat(84.61, 44.305, prefixed=True)
    assert _assert_table_lists(fig, row.geometry, prefixed) == 4
    assert not any("拐点未列出" in t for t in _texts(fig))


def test_zone_sheet_names_the_ring_of_every_corner_of_a_multipart_zone(
        frames, specs, styles) -> None:
    row = _zone(frames, "CKGH", most_vertices=False).copy()
    # two blocks near 乌苏市, the first with a hole (ring 2, not listed): rings 1 and 3 listed
    first = shapely.Polygon(shapely.box(84.60, 44.30, 84.62, 44.31).exterior.coords,
                            [shapely.box(84.605, 44.302, 84.61, 44.305).exterior.coords])
    second = shapely.Polygon([(84.64, 44.30), (84.66, 44.30), (84.65, 44.32)])
    row["geometry"] = shapely.MultiPolygon([first, second])
    fig = zone_sheet(row, frames, layer="CKGH", specs=specs, styles=styles)
    prefixed = gk_crs_for_lonlat(84.63, 44.31, prefixed=True)
    assert _assert_table_lists(fig, row.geometry, prefixed) == 7
    _, rows = _corner_table(fig)
    assert [(r[0], r[1]) for r in rows] == [
        ("1", "J1"), ("1", "J2"), ("1", "J3"), ("1", "J4"), ("3", "J1"), ("3", "J2"), ("3", "J3"),
    ]


def test_no_caveat_when_nothing_schematic_is_drawn(frames, specs, styles) -> None:
    real = {}
    for code, frame in frames.items():
        frame = frame.copy()
        if "geometry_status" in frame:
            frame["geometry_status"] = "实测"
        if "data_status" in frame:
            frame["data_status"] = "正式"
        real[code] = frame
    fig = region_overview(real, region="伊宁市", specs=specs, styles=styles)
    info = figure_info(fig)
    assert "非实测" not in info.footnote and SCHEMATIC_SENTENCE not in info.footnote
    assert not any(label.endswith(("（示意）", "（演示数据）")) for label in info.legend_labels)


def test_date_follows_source_date_epoch(frames, specs, styles, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 UTC
    fig = region_overview(frames, region="伊宁市", specs=specs, styles=styles)
    assert "2023-11-14" in figure_info(fig).footnote


# --------------------------------------------------------------------------- check figure


def test_check_figure_draws_layer_pieces_not_whole_block_findings(frames, specs, styles,
                                                                   artifacts: Path) -> None:
    """Issue 13 §3: conflict pieces in their layer's colours with their areas; a finding
    about the whole block (planning block, geometry) only in the table; corners numbered
    and listed; the plot's name as title; the county in an inset."""
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import to_hex

    block = shapely.box(84.60, 44.30, 84.62, 44.31)
    proposal = gpd.GeoDataFrame(geometry=[block], crs="EPSG:4490")
    findings = gpd.GeoDataFrame(
        {"check": ["planning_block", "ecological_redline", "farmland", "geometry"],
         "rule": ["位于同类规划区块内", "生态保护红线", "永久基本农田", "图形检查"],
         "verdict_key": ["fail", "conditional", "conditional", "pass"],
         "measured": ["覆盖 0.0%", "0.0100 km²", "0.0200 km²", "1.5 km²"],
         "area_km2": [1.5, 0.01, 0.02, float("nan")]},
        geometry=[block, shapely.box(84.60, 44.30, 84.605, 44.31),
                  shapely.box(84.61, 44.30, 84.62, 44.305), None], crs="EPSG:4490")
    fig = check_figure(proposal, findings, frames, specs=specs, styles=styles,
                       name="乌苏市某金矿申请区", subtitle="采矿权 ｜ 金")
    info = figure_info(fig)
    assert info.title == "乌苏市某金矿申请区"
    assert "冲突：生态保护红线 0.0100 km²（有条件）" in info.legend_labels
    assert "冲突：永久基本农田 0.0200 km²（有条件）" in info.legend_labels
    assert not any("规划区块内" in label or "不通过" in label for label in info.legend_labels)
    hatched = [c for c in info.map_ax.collections
               if isinstance(c, PatchCollection) and c.get_hatch()]
    assert len(hatched) == 2  # the two pieces; the whole block is not hatched
    # each piece in its own layer's stroke colour (styles/styles.toml), hatches differ
    style_map = styles[0]
    strokes = {to_hex(c.get_edgecolor()[0]) for c in hatched}
    assert strokes == {style_map[specs["STHX"].style].stroke.lower(),
                       style_map[specs["YJJBNT"].style].stroke.lower()}
    assert len({c.get_hatch() for c in hatched}) == 2
    map_texts = [t.get_text() for t in info.map_ax.texts]
    assert {"J1", "J2", "J3", "J4"} <= set(map_texts)
    # the corner table: X (northing) / Y (easting, zone prefix) of zone 28 (CM 84°E), 2 decimals
    to_plane = pyproj.Transformer.from_crs(4490, 4516, always_xy=True)
    corners = list(block.exterior.coords)[:-1]
    texts = _texts(fig)
    for lon, lat in corners:
        east, north = to_plane.transform(lon, lat)
        assert f"{north:.2f}" in texts and f"{east:.2f}" in texts
    xzq = frames["XZQ"]
    county = xzq[(xzq["level"] == "county") & xzq.contains(block.centroid)]["name"].iloc[0]
    assert info.inset_ax is not None and county in info.inset_ax.get_title()
    (artifacts / "figures").mkdir(exist_ok=True)
    fig.savefig(artifacts / "figures" / "check-pieces.png", dpi=80)


def test_check_figure_states_the_worst_verdict_in_its_colour(frames, specs, styles) -> None:
    from matplotlib.colors import to_hex

    from mineplan.vocab import VERDICT_COLOURS

    block = shapely.box(84.60, 44.30, 84.62, 44.31)  # near 乌苏市, CGCS2000 degrees
    proposal = gpd.GeoDataFrame(geometry=[block], crs="EPSG:4490")
    findings = gpd.GeoDataFrame(
        {"check": ["ecological_redline", "mineral_policy"], "rule": ["生态保护红线", "矿种"],
         "verdict_key": ["conditional", "pass"],
         "measured": ["0.0100 km²", "金"], "area_km2": [0.01, float("nan")]},
        geometry=[shapely.box(84.60, 44.30, 84.61, 44.31), None], crs="EPSG:4490",
    )
    fig = check_figure(proposal, findings, frames, specs=specs, styles=styles)
    info = figure_info(fig)
    # the piece is drawn as a piece of the layer the rule names (checks.toml), with its area
    assert "冲突：生态保护红线 0.0100 km²（有条件）" in info.legend_labels
    assert not any("不通过" in label for label in info.legend_labels)
    verdicts = [t for t in fig.findobj(Text) if t.get_text().startswith("预审结论")]
    assert [t.get_text() for t in verdicts] == ["预审结论：有条件通过"]
    assert to_hex(verdicts[0].get_color()) == VERDICT_COLOURS["conditional"][0].lower()
    texts = _texts(fig)
    assert any("检查 2 项：通过 1，有条件 1，不通过 0" in t for t in texts)
    # the table lists the worst first, each verdict in its colour
    table = next(ax.tables[0] for ax in fig.axes if ax.tables)
    assert [table[i, 1].get_text().get_text() for i in (1, 2)] == ["有条件", "通过"]
    assert to_hex(table[2, 1].get_text().get_color()) == VERDICT_COLOURS["pass"][0].lower()
