"""Map symbols a reviewer can tell apart, zones without area as points, the zone index and
the schematic mark on the map face (issue 13 §2).

Expected values come from ``styles/styles.toml`` as read by ``tomllib`` (not by the code
under test), from the store's own columns (``area_km2``, ``name``) and from poppler's
``pdftotext``.
"""

from __future__ import annotations

import html
import itertools
import os
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import matplotlib.colors
import pytest
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mineplan.figures import figure_info, region_overview, save_figure, zone_sheet
from mineplan.figures.neighbourhood import OUTLINE_COLOUR
from mineplan.layers import read_layer_specs, read_styles
from mineplan.settings import styles_dir
from mineplan.store import list_layers, read_layer
from mineplan.styles import layer_qml
from mineplan.web.legend import leaflet_style
from mineplan.web.maplayers import map_layers

REGION = "新源县"
SPECS = read_layer_specs()
RAW = tomllib.loads((styles_dir() / "styles.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def frames(built_store: Path) -> dict[str, gpd.GeoDataFrame]:
    return {c: read_layer(built_store, c) for c in list_layers(built_store)}


@pytest.fixture(scope="module")
def overview(frames) -> Figure:
    return region_overview(frames, region=REGION, specs=SPECS, styles=read_styles())


def _region_zones(frames, region: str = REGION) -> gpd.GeoDataFrame:
    parts = [f[f["region"] == region].assign(_layer=c) for c, f in frames.items()
             if SPECS[c].is_zone_layer]
    return gpd.GeoDataFrame(gpd.pd.concat(parts), crs=parts[0].crs)


def _legend_symbols(fig: Figure) -> list[tuple[str, tuple]]:
    """(label, (face rgba, hatch, edge rgba, marker)) of every legend entry of `fig`."""
    out = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
            if isinstance(handle, Patch):
                key = (tuple(round(v, 3) for v in handle.get_facecolor()), handle.get_hatch(),
                       tuple(round(v, 3) for v in handle.get_edgecolor()), None)
            else:
                assert isinstance(handle, Line2D)
                key = (matplotlib.colors.to_hex(handle.get_markerfacecolor()), None,
                       matplotlib.colors.to_hex(handle.get_color()), handle.get_marker())
            out.append((text.get_text(), key))
    return out


# --------------------------------------------------------------------------- distinct symbols


def test_every_layer_of_the_style_file_has_its_own_symbol() -> None:
    symbols = {code: (s["fill"].upper(), s.get("hatch", ""), s["stroke"].upper(),
                      s.get("line", "solid"))
               for code, s in RAW.items() if code != "schematic"}
    for (a, sa), (b, sb) in itertools.combinations(symbols.items(), 2):
        assert sa != sb, f"{a} and {b} share a symbol"
        # told apart by more than a shade: another hatch or outline kind, or colours far apart
        if sa[1] == sb[1] and sa[3] == sb[3]:
            fill = _rgb_distance(sa[0], sb[0])
            stroke = _rgb_distance(sa[2], sb[2])
            assert max(fill, stroke) > 90, f"{a} and {b} differ only by a shade"
    # the stroke colours (which also fill the points of zones without area) differ
    strokes = [s[2] for c, s in symbols.items() if c != "XZQ"]
    assert len(set(strokes)) == len(strokes)


def _rgb_distance(a: str, b: str) -> float:
    ra, rb = (matplotlib.colors.to_rgb(c) for c in (a, b))
    return 255 * sum((x - y) ** 2 for x, y in zip(ra, rb, strict=True)) ** 0.5


@pytest.mark.parametrize("region", ["新源县", "塔城地区", "伊宁市"])
def test_no_two_legend_entries_of_an_overview_look_alike(frames, region: str) -> None:
    fig = region_overview(frames, region=region, specs=SPECS, styles=read_styles())
    symbols = _legend_symbols(fig)
    assert len(symbols) >= 5
    for (la, a), (lb, b) in itertools.combinations(symbols, 2):
        assert a != b, f"{la!r} and {lb!r} look alike: {a}"


def test_no_two_legend_entries_of_a_zone_sheet_look_alike(frames) -> None:
    zones = _region_zones(frames)
    row = zones[zones["_layer"] == "TKGH"].iloc[0]
    fig = zone_sheet(row.drop("_layer"), frames, layer="TKGH", specs=SPECS, styles=read_styles())
    symbols = _legend_symbols(fig)
    for (la, a), (lb, b) in itertools.combinations(symbols, 2):
        assert a != b, f"{la!r} and {lb!r} look alike: {a}"


def test_figures_qgis_and_web_map_read_the_same_style_values(tmp_path: Path, frames) -> None:
    text = (styles_dir() / "styles.toml").read_text(encoding="utf-8")
    start = text.index("[TKGH]")
    end = text.index("[CKGH]")
    text = text[:start] + ('[TKGH]\nfill = "#123456"\nstroke = "#654321"\nfill_opacity = 0.5\n'
                           'weight = 0.7\nline = "dot"\nhatch = "x"\n\n') + text[end:]
    path = tmp_path / "styles.toml"
    path.write_text(text, encoding="utf-8")
    styles, schematic = read_styles(path)
    # QGIS: first fill layer (fill, outline kind and width), second fill layer (hatch)
    root = ET.fromstring(layer_qml(SPECS["TKGH"], styles["TKGH"], schematic))
    symbol = root.findall("./renderer-v2/symbols/symbol")[-1]  # the ELSE rule: real features
    fill, hatch = (
        {o.get("name"): o.get("value") for o in layer.findall("./Option/Option")}
        for layer in symbol.findall("./layer[@class='SimpleFill']")
    )
    assert fill["color"] == "18,52,86,128" and fill["outline_color"] == "101,67,33,255"
    assert fill["outline_style"] == "dot" and fill["outline_width"] == "0.7"
    assert hatch["style"] == "diagonal_x" and hatch["color"] == "101,67,33,255"
    # web map: Leaflet options of the layer as the map draws it
    tkgh = {"TKGH": frames["TKGH"].head(3), "XZQ": frames["XZQ"].head(1)}
    layer = next(x for x in map_layers(tkgh, SPECS, styles, schematic) if x.code == "TKGH")
    web = leaflet_style(layer.style)
    assert web["fillColor"] == "#123456" and web["color"] == "#654321"
    assert web["weight"] == pytest.approx(0.7 * 2)
    assert web["dashArray"] == "1.6 3.2"  # dot = 0.4 mm on, 0.8 mm off, × 4 px/mm
    # figures: the legend symbol of the layer
    fig = region_overview(frames, region=REGION, specs=SPECS, styles=(styles, schematic))
    _label, (face, hatch_pattern, edge, _) = next(
        s for s in _legend_symbols(fig) if s[0].startswith("勘查规划区块"))
    assert face[:3] == pytest.approx((0x12 / 255, 0x34 / 255, 0x56 / 255), abs=1e-3)
    assert edge[:3] == pytest.approx((0x65 / 255, 0x43 / 255, 0x21 / 255), abs=1e-3)
    assert hatch_pattern and set(hatch_pattern) == {"x"}


# --------------------------------------------------------------------------- zones without area


def test_zones_without_area_are_points_explained_in_the_legend(frames, overview) -> None:
    zones = _region_zones(frames)
    no_area = zones[zones["area_km2"].isna()]
    assert len(no_area) >= 2, "新源县 lists zones without an area (能源资源基地, 矿业经济区)"
    labels = figure_info(overview).legend_labels
    for code in sorted(set(no_area["_layer"])):
        assert f"{SPECS[code].name}（无面积，位置示意）" in labels
    # one point per zone without area, and no shape drawn for them
    ax = figure_info(overview).map_ax
    points = [c for c in ax.collections if isinstance(c, Collection)
              and c.get_gid() == "point-zone"]
    assert sum(len(c.get_offsets()) for c in points) == len(no_area)


def test_a_zone_without_area_has_no_area_or_corners_on_its_sheet(frames) -> None:
    zones = _region_zones(frames)
    row = zones[zones["area_km2"].isna()].iloc[0]
    layer = row["_layer"]
    fig = zone_sheet(row.drop("_layer"), frames, layer=layer, specs=SPECS, styles=read_styles())
    info = figure_info(fig)
    texts = "\n".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")
                                                           and isinstance(a.get_text(), str)))
    assert not re.search(r"图形椭球面积：\d", texts)
    assert "规划面积：未载明" in texts
    assert "不列拐点坐标" in texts
    assert not any(ax.tables for ax in fig.axes), "a corner table for a point"
    assert not re.search(r"J\d+", texts)
    assert "本分区位置（无面积，位置示意）" in info.legend_labels
    # the footnote does not claim this zone was sized from the plan
    assert "规划未载明面积的分区以点示意大致位置" in info.footnote
    assert "图中规划分区为按规划面积生成" not in info.footnote


# --------------------------------------------------------------------------- index


def test_the_index_lists_every_zone_of_the_region(frames, overview) -> None:
    zones = _region_zones(frames)
    info = figure_info(overview)
    # 新源县's zones: every row of its catalogue file (one placed in 和静县 as the plan
    # lists it), counted from the file, not from the store
    catalogue = Path(__file__).resolve().parents[1] / "geodata" / "plans" / "xinyuan.csv"
    rows = sum(1 for line in catalogue.read_text(encoding="utf-8").splitlines()
               if line.startswith("xinyuan-"))
    assert len(info.zone_index) == len(zones) == rows
    assert info.index_listed == list(info.zone_index)  # every code printed, in order
    assert sorted(info.zone_index.values()) == sorted(zones["name"].astype(str))
    printed = "".join(t.get_text() for t in overview.texts if t.get_gid() == "zone-index")
    flat = re.sub(r"\s+", "", printed)
    for code, name in info.zone_index.items():
        assert re.sub(r"\s+", "", f"{code}{name}") in flat, name
    # on the map: codes only, each at most once, none cut short
    on_map = info.labels_placed
    assert len(on_map) == len(set(on_map))
    assert set(on_map) <= set(info.zone_index)
    assert not any("…" in t.get_text() for t in info.map_ax.texts)
    assert len(on_map) + info.labels_omitted == len(zones)


# --------------------------------------------------------------------------- schematic mark


def _pdftotext(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is needed in CI")
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True)
    return re.sub(r"\s+", "", out.stdout)


def test_schematic_status_is_on_the_map_face(frames, overview, tmp_path: Path) -> None:
    text = _pdftotext(save_figure(overview, tmp_path / "overview.pdf"))
    assert "新源县矿产资源总体规划图（2021—2025年）（示意图）" in text
    assert "示意图：规划分区为示意图形、三区三线为演示数据，非实测边界" in text
    assert "本图未经审图，不得公开出版" in text
    zones = _region_zones(frames)
    row = zones[zones["_layer"] == "TKGH"].iloc[0]
    sheet = zone_sheet(row.drop("_layer"), frames, layer="TKGH", specs=SPECS,
                       styles=read_styles())
    sheet_text = _pdftotext(save_figure(sheet, tmp_path / "sheet.pdf"))
    assert re.sub(r"\s+", "", f"{row['name']}（示意图）") in sheet_text


def test_a_zone_sheet_draws_its_schematic_subject_dashed(frames) -> None:
    zones = _region_zones(frames)
    row = zones[zones["_layer"] == "TKGH"].iloc[0]
    assert row["geometry_status"] == "示意"
    fig = zone_sheet(row.drop("_layer"), frames, layer="TKGH", specs=SPECS, styles=read_styles())
    ax = figure_info(fig).map_ax
    red = matplotlib.colors.to_rgba(OUTLINE_COLOUR)
    outlines = [c for c in ax.collections
                if len(c.get_edgecolor()) and tuple(c.get_edgecolor()[0]) == red]
    assert outlines, "the zone's outline is not drawn"
    for collection in outlines:
        _offset, dashes = collection.get_linestyle()[0]
        assert dashes is not None and len(dashes) >= 2, "drawn solid"


def test_haloed_labels_stay_text_in_pdf_and_svg(overview, tmp_path: Path) -> None:
    """Zone codes and county names carry a white halo, yet stay text: pdftotext finds
    the county names and the SVG holds every code as a <text> element, editable in
    Inkscape/Illustrator (matplotlib turns text with path effects into outlines)."""
    from mineplan.figures.text import HaloText

    info = figure_info(overview)
    labels = [t for t in info.map_ax.texts if isinstance(t, HaloText)]
    assert labels and {t.get_text() for t in labels} >= set(info.labels_placed)
    counties = [t.get_text() for t in labels if t.get_text() not in info.labels_placed]
    assert counties  # county names are placed too
    svg = save_figure(overview, tmp_path / "overview.svg").read_text(encoding="utf-8")
    texts = {html.unescape(m) for m in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
    assert set(info.labels_placed) <= texts and set(counties) <= texts
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is needed in CI")
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    pdf = save_figure(overview, tmp_path / "overview.pdf")
    extracted = re.sub(r"\s+", "", subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert all(name in extracted for name in counties)
