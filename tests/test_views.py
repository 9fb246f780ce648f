"""What the web app shows, computed from tiny hand-built frames."""

from __future__ import annotations

import base64
import io

import geopandas as gpd
import numpy as np
import pytest
from folium.map import FitBounds
from PIL import Image
from shapely.geometry import Polygon, box

from mineplan.importing import match_features
from mineplan.layers import LayerSpec, read_layer_specs, read_styles
from mineplan.web.browsing import (
    filter_zones,
    focus_layer,
    search_zones,
    selected_zone_id,
    store_regions,
    visible_frames,
    zone_details,
    zone_levels,
    zone_table,
    zone_totals,
)
from mineplan.web.importview import (
    import_preview_layer,
    import_report_table,
    stated_area_note,
    stated_area_table,
)
from mineplan.web.maplayers import map_layers
from mineplan.web.messages import planner_words
from mineplan.web.webmap import FOCUS_STYLE, ImageLayer, render_offline_html, zone_map


@pytest.fixture(scope="module")
def specs() -> dict[str, LayerSpec]:
    return read_layer_specs()


def _zones(layer: str, rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    base = {"layer_name": layer, "plan": "某县矿产资源总体规划", "block_count": 1,
            "area_text": "", "area_unit": "km2", "admin_area": "", "county": "",
            "stage": "", "note": "", "quality": "", "extra": "{}", "name_text": "",
            "source_table": "专栏3", "table_title": "", "source_file": "a.txt",
            "source_line": 10, "geometry_status": "示意", "geometry_source": "",
            "geometry_note": "", "level": "", "seq": ""}
    records = [{**base, **row} for row in rows]
    geoms = [box(81 + i * 0.1, 43.9, 81.05 + i * 0.1, 43.95) for i in range(len(rows))]
    return gpd.GeoDataFrame(records, geometry=geoms, crs="EPSG:4490")


@pytest.fixture()
def frames() -> dict[str, gpd.GeoDataFrame]:
    tkgh = _zones("勘查规划区块", [
        {"zone_id": "yining-TKGH-001", "name": "伊宁市铁厂沟煤矿勘查区", "region": "伊宁市",
         "mineral": "煤", "area_km2": 2.5, "geom_area_km2": 2.4, "seq": "1", "level": "县级",
         "extra": '{"勘查程度": "普查"}'},
        {"zone_id": "yining-TKGH-002", "name": "伊宁市某金矿勘查区", "region": "伊宁市",
         "mineral": "金", "area_km2": None, "geom_area_km2": 0.28, "seq": "2",
         "geometry_status": "导入"},
        {"zone_id": "tekes-TKGH-001", "name": "特克斯县 花岗岩（饰面）勘查区", "region": "特克斯县",
         "mineral": "花岗岩", "area_km2": 1.0, "geom_area_km2": 1.1, "seq": "1", "level": "市级"},
    ])
    xzq = gpd.GeoDataFrame(
        {"name": ["新疆", "伊宁市"], "level": ["province", "county"], "parent": ["", "新疆"],
         "adcode": ["65", "654002"], "source": ["", ""], "geom_area_km2": [1.0, 1.0]},
        geometry=[box(73, 35, 96, 49), box(81, 43.8, 81.5, 44.1)], crs="EPSG:4490")
    return {"TKGH": tkgh, "XZQ": xzq}


def test_filters_narrow_zone_layers_only(frames, specs) -> None:
    shown = visible_frames(frames, specs, codes=["TKGH", "XZQ"], regions=["伊宁市"],
                           minerals="煤")
    assert shown["TKGH"]["zone_id"].tolist() == ["yining-TKGH-001"]
    assert shown["XZQ"]["name"].tolist() == ["伊宁市"]  # province outline left out
    assert "XZQ" not in visible_frames(frames, specs, codes=["TKGH"])
    assert filter_zones(frames["TKGH"], levels=["市级"])["zone_id"].tolist() == ["tekes-TKGH-001"]


def test_totals_count_and_sum_areas(frames, specs) -> None:
    totals = zone_totals(frames, specs)
    assert totals.count == 3  # boundaries are not zones
    assert totals.geom_area_km2 == pytest.approx(3.78)
    assert totals.stated_area_km2 == pytest.approx(3.5) and totals.stated_count == 2
    assert totals.schematic_count == 2
    narrowed = zone_totals(visible_frames(frames, specs, codes=["TKGH"], regions=["特克斯县"]),
                           specs)
    assert narrowed.count == 1 and narrowed.geom_area_km2 == pytest.approx(1.1)
    assert zone_totals({}, specs).count == 0


def test_levels_and_regions(frames, specs) -> None:
    assert zone_levels({"TKGH": frames["TKGH"]}) == ["县级", "市级"]
    assert store_regions(frames, specs, order=["特克斯县", "乌苏市"]) == ["特克斯县", "伊宁市"]


@pytest.mark.parametrize(("query", "first"), [
    ("yining-tkgh-002", "yining-TKGH-002"),  # zone_id, any case
    ("铁厂沟", "yining-TKGH-001"),  # part of a name
    ("花岗岩(饰面)", "tekes-TKGH-001"),  # brackets and spaces normalised
])
def test_search_finds_zones(frames, query: str, first: str) -> None:
    hits = search_zones(frames, query)
    assert hits["zone_id"].iloc[0] == first
    assert first in hits["label"].iloc[0]


def test_search_by_seq_ranks_above_names_and_empty_finds_nothing(frames) -> None:
    hits = search_zones(frames, "1")
    assert set(hits["zone_id"]) == {"yining-TKGH-001", "tekes-TKGH-001"}
    assert "序号 1" in hits["label"].iloc[0]
    assert search_zones(frames, "  ").empty and search_zones(frames, "不存在").empty


def test_selected_row_gives_its_zone(frames, specs) -> None:
    table = zone_table(frames, specs)
    assert table.columns[0] == "编号" and "图形状态" in table.columns
    assert selected_zone_id(table, [2]) == table["编号"].iloc[2]
    assert selected_zone_id(table, []) is None and selected_zone_id(table, [99]) is None


def test_details_show_every_attribute_with_units_and_provenance(frames, specs) -> None:
    details = dict(zone_details(frames, "yining-TKGH-001", specs).values.tolist())
    assert details["编号"] == "yining-TKGH-001"
    assert details["规划面积（km²）"] == "2.5000"  # km² shown to the official 4 decimals
    assert details["来源专栏"] == "专栏3" and details["来源行号"] == "10"
    assert details["原文：勘查程度"] == "普查"  # the plan's other printed columns
    assert details["注意"].startswith("图形为示意范围")
    assert "注意" not in dict(zone_details(frames, "yining-TKGH-002", specs).values.tolist())
    assert zone_details(frames, "nope", specs).empty


def test_focus_outlines_and_zooms(frames, specs) -> None:
    styles, schematic = read_styles()
    focus = focus_layer(frames, "tekes-TKGH-001", specs)
    assert focus is not None and len(focus.gdf) == 1
    m = zone_map(map_layers(frames, specs, styles, schematic), focus=focus)
    page = render_offline_html(m)
    assert FOCUS_STYLE["color"] in page
    fit = [c for c in m._children.values() if isinstance(c, FitBounds)]
    (south, west), (north, east) = fit[0].bounds
    assert 81.19 < west < east < 81.26 and 43.89 < south < north < 43.96  # the zone, not all
    assert focus_layer(frames, "nope", specs) is None and focus_layer(frames, None, specs) is None


def test_raster_image_is_inlined_under_the_zones(frames, specs) -> None:
    styles, schematic = read_styles()
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((4, 4, 4), dtype="uint8"), mode="RGBA").save(buffer, format="PNG")
    png = buffer.getvalue()
    m = zone_map(map_layers(frames, specs, styles, schematic),
                 images=[ImageLayer("数字高程", png, (81.0, 43.8, 81.5, 44.1))])
    page = render_offline_html(m)  # would raise if anything loaded from the network
    assert "data:image/png;base64," + base64.b64encode(png).decode() in page
    assert page.index("imageOverlay") < page.index("geo_json")
    with pytest.raises(ValueError, match="not PNG bytes"):
        zone_map([], images=[ImageLayer("x", b"GIF8", (81.0, 43.8, 81.5, 44.1))])


def test_import_report_in_chinese(frames) -> None:
    zones = frames["TKGH"]
    features = gpd.GeoDataFrame(
        {"name": ["伊宁市铁厂沟煤矿勘查区", "不存在的矿"]},
        geometry=[Polygon([(81, 43.9), (81.01, 43.9), (81.01, 43.91)])] * 2, crs="EPSG:4490")
    table = import_report_table(match_features(zones, features), zones)
    assert table["结果"].tolist() == ["已匹配", "未匹配"]
    assert table["名称"].iloc[0] == "伊宁市铁厂沟煤矿勘查区"
    assert table["说明"].iloc[1].startswith("要素 1") and "本图层没有此编号或名称" in \
        table["说明"].iloc[1]


@pytest.mark.parametrize(("column", "value", "unit", "assumed"), [
    ("MJ", 100.0, "公顷", True),
    ("面积（平方米）", 999_000.0, "平方米", False),
])
def test_import_page_shows_stated_area_and_use_in_chinese(
    column: str, value: float, unit: str, assumed: bool
) -> None:
    # a 1000 m square on zone 27's central meridian (81°E, EPSG:4515): 1 km² = 100 公顷
    # = 1,000,000 m² (plane and TD/T 1055 area agree to 1e-5 on the meridian)
    zones = gpd.GeoDataFrame({"zone_id": ["z-1", "z-2"], "name": ["甲矿", "乙矿"],
                              "seq": ["1", "2"], "region": ["某县", "某县"]},
                             geometry=[box(81.3, 43.9, 81.31, 43.91)] * 2, crs="EPSG:4490")
    features = gpd.GeoDataFrame(
        {"DKBH": ["z-1"], column: [value], "DKYT": ["采矿用地"]},
        geometry=[box(27_500_000, 4_860_000, 27_501_000, 4_861_000)], crs="EPSG:4515")
    report = match_features(zones, features)
    table = stated_area_table(report, zones)
    expected = {"公顷": 100.0, "平方米": 1_000_000.0}[unit]
    assert list(table.columns) == ["编号", "名称", "地块用途", f"文件面积（{unit}）",
                                   f"计算面积（{unit}）", f"差值（{unit}）"]
    row = table.iloc[0]
    assert (row["编号"], row["名称"], row["地块用途"]) == ("z-1", "甲矿", "采矿用地")
    assert float(row[f"文件面积（{unit}）"]) == value
    assert float(row[f"计算面积（{unit}）"]) == pytest.approx(expected, rel=1e-5)
    assert float(row[f"差值（{unit}）"]) == pytest.approx(expected - value, abs=expected * 1e-5)
    assert len(table) == 1  # 乙矿 was not in the file
    note = stated_area_note(report)
    assert note is not None and f"“{column}”" in note and unit in note
    assert ("未注明单位" in note) == assumed
    assert planner_words(note) == [] and not any(
        planner_words(str(v)) for v in table.to_numpy().ravel())
    # a file stating neither shows nothing
    plain = match_features(zones, features[["DKBH", "geometry"]])
    assert stated_area_table(plain, zones).empty and stated_area_note(plain) is None


def test_preview_popups_escape_hostile_attributes() -> None:
    features = gpd.GeoDataFrame({"name": ['<script>alert("x")</script>']},
                                geometry=[box(81, 43.9, 81.1, 44)], crs="EPSG:4490")
    page = render_offline_html(zone_map([import_preview_layer(features)]))
    assert "alert" in page and '<script>alert("x")' not in page
    assert "\\u0026lt;script\\u0026gt;alert" in page  # escaped in the popup's JSON


def test_a_heavy_layer_is_drawn_from_a_clipped_simplified_copy() -> None:
    import numpy as np
    import shapely
    from shapely.geometry import box

    from mineplan.layers import read_layer_specs, read_styles
    from mineplan.web.maplayers import map_layers

    t = np.linspace(0, 2 * np.pi, 300_000, endpoint=False)
    ring = np.column_stack([84 + 2 * np.cos(t), 44 + 1.5 * np.sin(t)])
    red = gpd.GeoDataFrame({"name": ["省级红线"], "region": ["新疆"], "data_status": ["导入"],
                            "geometry_status": ["导入"], "geometry_source": ["x"],
                            "geom_area_km2": [1.0]},
                           geometry=[shapely.Polygon(ring)], crs="EPSG:4490")
    zone = gpd.GeoDataFrame({"name": ["区块"], "zone_id": ["z-TKGH-001"]},
                            geometry=[box(84.0, 44.0, 84.1, 44.1)], crs="EPSG:4490")
    styles, schematic = read_styles()
    layers = {m.code: m for m in map_layers({"STHX": red, "TKGH": zone}, read_layer_specs(),
                                            styles, schematic)}
    drawn = layers["STHX"].gdf
    assert shapely.get_num_coordinates(drawn.geometry.to_numpy()).sum() < 30_000
    minx, _, maxx, _ = drawn.total_bounds
    assert minx > 83.9 and maxx < 84.2  # clipped to the zones shown (plus a margin)
    assert layers["TKGH"].gdf.geometry.iloc[0].equals(zone.geometry.iloc[0])  # small: exact


def test_every_import_issue_reads_in_chinese_from_its_fields() -> None:
    from mineplan.importing import ImportIssue, ImportReport
    from mineplan.web.importview import ISSUE_MESSAGES, issue_text

    report = ImportReport(
        matched={"z-1": 0}, matched_by={"z-1": ("id", "GHQBH")},
        issues=[ImportIssue("claimed_twice", zones=("z-2",), features=(3, 4)),
                ImportIssue("no_match", feature=1, keys=(("GHQBH", "9"),)),
                ImportIssue("several_zones", feature=2, keys=(("name", "甲"),),
                            zones=("z-3", "z-4"))])
    import pandas as pd

    zones = pd.DataFrame({"zone_id": ["z-1", "z-2"], "name": ["一号", "二号"]})
    table = import_report_table(report, zones)
    assert table["结果"].tolist() == ["已匹配", "未匹配", "不确定", "不确定"]
    assert table["说明"].tolist() == [
        "按编号（GHQBH）",
        "要素 1 GHQBH“9”：本图层没有此编号或名称的分区",
        "分区 z-2：被多个要素 3、4 对应，请合并这些要素或分别在编号字段中给出各自的编号",
        "要素 2 name“甲”：可对应多个分区 z-3、z-4，请在文件的编号字段中给出分区编号",
    ]
    # an empty key is left out (never "zone_id=nan")
    blank = ImportIssue("no_match", feature=5, keys=(("zone_id", float("nan")), ("name", "乙")))
    assert issue_text(blank) == "要素 5 name“乙”：本图层没有此编号或名称的分区"
    assert set(ISSUE_MESSAGES) == {"no_match", "several_zones", "claimed_twice"}
    assert all(issue_text(i) for i in report.issues)



def test_zone_table_shows_the_plans_seq_and_table_and_empty_cells_empty(frames, specs) -> None:
    table = zone_table(frames, specs)
    assert list(table.columns[:3]) == ["编号", "专栏", "序号"]
    text = table.select_dtypes(include="object")
    assert not text.isna().any().any() and not text.isin(["None", "nan"]).any().any()


def test_preview_problems_are_found_before_the_import() -> None:
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import LineString, Polygon, box

    from mineplan.importing import match_features
    from mineplan.web.importview import preview_problems

    zones = pd.DataFrame({"zone_id": ["z-1", "z-2"], "name": ["甲矿区", "乙矿区"],
                          "seq": ["1", "2"], "region": ["x", "x"]})
    features = gpd.GeoDataFrame(
        {"zone_id": ["z-1", "z-2", "z-9", "z-8"], "name": ["丙矿区", "乙矿区", "丁", "戊"]},
        geometry=[box(80, 40, 81, 41), LineString([(80, 40), (81, 41)]), box(80, 40, 81, 41),
                  Polygon()], crs=4490)
    report = match_features(zones, features)
    found = preview_problems(report, zones, features)
    assert any("要素 1（分区 z-2）是线" in b for b in found.blocking)
    assert any("“丙矿区”" in w and "“甲矿区”" in w for w in found.warnings)  # both names
    assert any("没有对应的分区" in w for w in found.warnings)
    assert any("没有图形" in w for w in found.warnings)
    empty = features.assign(geometry=[Polygon()] * 4)
    assert preview_problems(match_features(zones, empty), zones, empty).blocking


def test_a_heavy_upload_is_previewed_simplified() -> None:
    # 300,000 vertices (over the 200,000 drawn exactly) on a ~0.1° circle: the preview
    # draws a lighter copy; a small upload is drawn as it is
    t = np.linspace(0, 2 * np.pi, 300_000, endpoint=False)
    ring = Polygon(np.column_stack([82 + 0.1 * np.cos(t), 43 + 0.1 * np.sin(t)]))
    heavy = gpd.GeoDataFrame({"name": ["甲"]}, geometry=[ring], crs="EPSG:4490")
    shown = import_preview_layer(heavy).gdf
    assert len(shown) == 1 and shown.geometry.iloc[0].exterior.coords.__len__() < 30_000
    small = gpd.GeoDataFrame({"name": ["乙"]}, geometry=[box(82, 43, 82.1, 43.1)],
                             crs="EPSG:4490")
    assert import_preview_layer(small).gdf is small
