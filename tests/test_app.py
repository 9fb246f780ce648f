"""The streamlit app: AppTest for every page, and Chromium end to end with no network."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mineplan.catalog import plan_index, read_catalog
from mineplan.layers import read_layer_specs
from mineplan.settings import home
from mineplan.store import list_layers, read_layer
from mineplan.web.webmap import FOCUS_STYLE
from tests.browser import (
    CHROMIUM_ARGS,
    block_network,
    chromium_path,
    open_offline_page,
    playwright_api,
    serve_app,
)

APP = home() / "app.py"
ZONES = read_catalog()  # what the store holds: every plan's zones


def _zone_count(layer: str) -> int:
    return int((ZONES["layer"] == layer).sum())


@pytest.fixture()
def app_env(built_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MINEPLAN_STORE", str(built_store))
    return built_store


@pytest.fixture()
def import_env(store_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the store, for tests that write to it."""
    monkeypatch.setenv("MINEPLAN_STORE", str(store_copy))
    return store_copy


def _app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=120)


def _zone_table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "图层" in d.value.columns)


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def _map_html(at) -> str:
    return str(at.get("iframe")[0].proto.srcdoc)


def _map_args(at) -> dict:
    """What the browse page's live map was sent on the last run (mineplan.web.livemap)."""
    found = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and type(proto).__name__ == "ComponentInstance":
            found.append(json.loads(json.loads(proto.json_args)["spec"]))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    assert len(found) == 1, found
    return found[0]


def _geojson(features: list[dict[str, object]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props,
         "geometry": {"type": "Polygon", "coordinates": [[
             [82.0, 42.9], [82.01, 42.9], [82.01, 42.91], [82.0, 42.91], [82.0, 42.9]]]}}
        for props in features]}, ensure_ascii=False).encode("utf-8")


def _watch_first_view(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each page run's :func:`first_view` found kept facts (the fast path), in order."""
    import app_pages._shared as shared

    used: list[bool] = []
    real = shared.first_view

    def spy(path: str, mtime: int) -> object:
        found = real(path, mtime)
        used.append(found is not None)
        return found

    monkeypatch.setattr(shared, "first_view", spy)
    return used


@pytest.mark.slow
def test_app_shows_map_warning_and_zone_table(app_env: Path) -> None:
    at = _app().run()
    assert not at.exception, at.exception
    assert "示意" in at.warning[0].value  # schematic geometry is announced on the page
    table = _zone_table(at)
    assert set(table["规划"]) == {p.region for p in plan_index().values()}
    assert "规划面积（km²）" in table.columns


@pytest.mark.slow
def test_region_filter_narrows_the_table(app_env: Path) -> None:
    at = _app().run()
    before = len(_zone_table(at))
    at.multiselect[0].set_value(["伊宁市"]).run()
    assert not at.exception, at.exception
    after = _zone_table(at)
    assert set(after["规划"]) == {"伊宁市"}
    assert 0 < len(after) < before


@pytest.mark.slow
def test_a_sessions_first_map_is_sent_from_kept_facts_as_the_full_run_sends_it(
        app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14 (cold first render): a session's first run sends the map from what an
    earlier run on the same store version kept on disk, before reading the store;
    what it sends is what the full run sends for the same (starting) controls."""
    import tempfile

    import app_pages._shared as shared

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # an empty component folder
    shared.browse_facts.clear()  # as in a new server: an earlier test's run kept nothing here
    shared.live_layers.clear()
    used = _watch_first_view(monkeypatch)
    full = _app().run()  # nothing kept yet: the store is read, the facts kept
    assert not full.exception, full.exception
    first = _app().run()  # a new session
    assert not first.exception, first.exception
    assert used == [False, True]
    assert _map_args(first) == _map_args(full)
    assert len(_zone_table(first)) == len(_zone_table(full))  # the rest of the page follows
    first.multiselect[0].set_value(["伊宁市"]).run()  # its next run is the full one
    assert used == [False, True]
    assert _map_args(first) != _map_args(full)


_FIRST_RUN_PROBE = """
import json, sys
sys.path.insert(0, {root!r})
import app_pages._shared as shared
from streamlit.testing.v1 import AppTest
heavy = {heavy!r}
seen = []
real = shared.live_map
def spy(args, *, key):
    seen.append(sorted(m for m in heavy if m in sys.modules))
    real(args, key=key)
shared.live_map = spy
at = AppTest.from_file({app!r}, default_timeout=120).run()
assert not at.exception, at.exception
print(json.dumps(seen))
"""


@pytest.mark.slow
def test_a_sessions_first_map_is_sent_before_geopandas_is_imported(app_env: Path,
                                                                  tmp_path: Path) -> None:
    """In a new server whose folder an earlier one filled, the first session's map is
    sent before geopandas, pandas, rasterio or folium are imported (they cost ~1 s of
    the cold first render); the first server, with nothing kept, reads the store."""
    heavy = ("geopandas", "pandas", "pyogrio", "rasterio", "folium", "matplotlib", "shapely")
    probe = _FIRST_RUN_PROBE.format(root=str(home()), heavy=heavy, app=str(APP))
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    runs = [json.loads(subprocess.run(
        [sys.executable, "-c", probe], cwd=home(), env=env, capture_output=True, text=True,
        check=True).stdout.splitlines()[-1]) for _ in range(2)]
    assert "geopandas" in runs[0][0]  # nothing kept: the map waited for the store
    assert runs[1] == [[]]


def test_missing_store_is_reported_in_plain_words(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINEPLAN_STORE", str(tmp_path / "none.gpkg"))
    at = _app().run()
    assert not at.exception
    assert "mineplan build" in at.error[0].value


@pytest.mark.slow
def test_a_region_figure_is_made_and_offered_for_download(app_env: Path) -> None:
    at = _app().run()
    assert not at.get("download_button")
    at.selectbox(key="fig_region").set_value("特克斯县")
    at.selectbox(key="fig_fmt").set_value("PDF（矢量）")
    at.button(key="fig_make").click().run()
    assert not at.exception, at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 1
    assert "特克斯县_规划图.pdf" in buttons[0].proto.label


@pytest.mark.slow
def test_filters_change_the_totals(app_env: Path) -> None:
    at = _app().run()
    count, area = _metric(at, "分区数"), _metric(at, "图形椭球面积")
    assert count == str(len(_zone_table(at)))
    at.multiselect[0].set_value(["特克斯县"]).run()
    assert _metric(at, "分区数") != count and _metric(at, "图形椭球面积") != area
    next(t for t in at.text_input if t.label == "矿种包含").set_value("金").run()
    assert not at.exception, at.exception
    table = _zone_table(at)
    assert table["矿种"].str.contains("金").all()
    assert _metric(at, "分区数") == str(len(table))


@pytest.mark.slow
def test_search_finds_a_zone_and_zooms_to_it(app_env: Path) -> None:
    at = _app().run()
    assert _map_args(at)["focus"] == []
    at.text_input(key="search").input("tekes-TKGH-001").run()
    assert not at.exception, at.exception
    assert "tekes-TKGH-001" in at.selectbox(key="search_pick").value
    facts = at.table[0].value["内容"].to_dict()  # the side panel
    assert facts["编号"] == "tekes-TKGH-001" and facts["图形状态"] == "示意"
    assert "来源行号" in facts and "图形椭球面积（km²）" in facts
    focus = _map_args(at)["focus"]
    assert [code for code, _ in focus] == ["TKGH"]  # outlined, on top, its popup open
    at.button(key="zoom_selection").click().run()  # the button asks for a new fit
    assert _map_args(at)["fit"]["token"].endswith("#1")
    at.button(key="unfocus").click().run()  # 取消定位
    assert _map_args(at)["focus"] == []
    at.text_input(key="search").input("").run()
    at.text_input(key="search").input("tekes-TKGH-001").run()  # the same zone again
    assert _map_args(at)["focus"] == focus


@pytest.mark.slow
def test_the_map_gets_ids_not_geometry_on_a_rerun(app_env: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import app_pages._shared as shared
    from mineplan.web import livemap, prepare

    calls = {"read_layer": 0, "published_layers": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    for module in (shared, prepare):  # the page's reads, and those of its map's layers
        monkeypatch.setattr(module, "read_layer", counting("read_layer", module.read_layer))
    monkeypatch.setattr(livemap, "published_layers",
                        counting("published_layers", livemap.published_layers))
    at = _app().run()
    first = _map_args(at)
    fit = first["fit"]
    mineral = next(t for t in at.text_input if t.label == "矿种包含")
    mineral.set_value("铁").run()  # a filter: only the visible ids change
    args = _map_args(at)
    assert args["layers"] == first["layers"] and args["fit"] == fit  # the view stays
    assert any(ids is not None for ids in args["visible"].values())
    assert len(json.dumps(args, ensure_ascii=False).encode()) < 200_000
    regions = next(m for m in at.multiselect if m.label == "规划（县市）")
    regions.set_value(regions.value[:1]).run()  # another plan: the map fits to it
    assert _map_args(at)["fit"]["token"] != fit["token"]
    before = dict(calls)
    at.run()  # a plain rerun (any click) publishes and reads nothing
    assert not at.exception, at.exception
    assert calls == before and calls["published_layers"] <= 1


@pytest.mark.slow
def test_go_to_a_coordinate(app_env: Path) -> None:
    at = _app().run()
    at.text_input(key="goto_text").input("81.32, 43.91").run()
    goto = _map_args(at)["goto"]
    assert (goto["lon"], goto["lat"]) == (81.32, 43.91)
    at.text_input(key="goto_text").input("4868302.752, 27521834.400").run()
    goto = _map_args(at)["goto"]
    assert round(goto["lon"], 2) == 81.27 and "X 4868302.752" in goto["label"]
    at.text_input(key="goto_text").input("4868302.752, 521834.400").run()  # no prefix
    assert any("带号" in e.value for e in at.error) and _map_args(at)["goto"] is None
    at.number_input(key="goto_zone").set_value(27).run()
    assert round(_map_args(at)["goto"]["lon"], 2) == 81.27
    at.text_input(key="goto_text").input("东经八十一度").run()
    assert at.error and not at.exception


@pytest.mark.slow
def test_search_without_hits_says_so(app_env: Path) -> None:
    at = _app().run()
    at.text_input(key="search").input("不存在的矿区").run()
    assert not at.exception
    assert any("没有找到" in i.value for i in at.info)


@pytest.mark.slow
def test_tianditu_without_key_is_explained(app_env: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    at = _app().run()
    basemap = next(s for s in at.selectbox if s.label == "在线底图")
    basemap.set_value("天地图矢量＋注记（需联网与密钥）").run()
    assert not at.exception, at.exception
    assert any("需要密钥" in i.value for i in at.info)
    assert _map_args(at)["tiles"] == []
    key = next(t for t in at.text_input if t.label.startswith("天地图密钥"))
    key.set_value("0123456789abcdef").run()  # a key: tiles, and the tile-error notice
    tiles = _map_args(at)["tiles"]
    assert all("tk=0123456789abcdef" in t["url"] for t in tiles) and len(tiles) == 2
    assert "418" in tiles[0]["notice"] and "429" in tiles[0]["notice"]


@pytest.mark.slow
def test_local_raster_folder_is_listed_and_drawn(app_env: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _write_dem(tmp_path / "dem.tif")
    monkeypatch.setenv("MINEPLAN_RASTERS", str(tmp_path))
    at = _app().run()
    picker = next(s for s in at.selectbox if s.label == "栅格文件")
    assert "dem.tif" in picker.options
    picker.set_value("dem.tif").run()
    assert not at.exception, at.exception
    image = _map_args(at)["image"]
    assert image["url"].endswith(".png") and len(image["bounds"]) == 4


def test_missing_store_stops_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINEPLAN_STORE", str(tmp_path / "none.gpkg"))
    at = _app().run()
    at.switch_page("app_pages/import_data.py").run()
    assert not at.exception
    assert "mineplan build" in at.error[0].value


# --------------------------------------------------------------------------- import page


def _import_page(layer: str = "TKGH"):
    at = _app().run()
    at.switch_page("app_pages/import_data.py").run()
    assert not at.exception, at.exception
    picker = at.selectbox[0]
    picker.set_value(next(o for o in picker.options if f"（{layer}，" in o)).run()
    return at


@pytest.mark.slow
def test_import_page_reports_matches_and_replaces_geometry(import_env: Path) -> None:
    at = _import_page()
    assert any("请选择" in i.value for i in at.info)
    data = _geojson([{"zone_id": "tekes-TKGH-001", "name": "x"},
                     {"zone_id": "nowhere-001", "name": "无此分区"}])
    at.file_uploader[0].set_value(("zones.geojson", data, "application/geo+json")).run()
    assert not at.exception, at.exception
    assert _metric(at, "已匹配") == f"1 / {_zone_count('TKGH')}" and _metric(at, "未匹配") == "1"
    report = next(d.value for d in at.dataframe if "结果" in d.value.columns)
    assert report["结果"].tolist() == ["已匹配", "未匹配"]
    assert "本图层没有此编号或名称的分区" in report["说明"].iloc[1]
    assert "\\u5f85\\u5bfc\\u5165\\u56fe\\u5f62" in _map_html(at)  # 待导入图形: preview map
    assert read_layer(import_env, "TKGH")["geometry_status"].eq("示意").all()  # not yet
    at.button[0].click().run()  # confirm
    assert not at.exception, at.exception
    assert any("已导入" in s.value for s in at.success)
    layer = read_layer(import_env, "TKGH")
    assert layer.set_index("zone_id").at["tekes-TKGH-001", "geometry_status"] == "导入"
    # The browse page shows it at once (the cache is keyed on the store's mtime).
    at.switch_page("app_pages/browse.py").run()
    table = _zone_table(at).set_index("编号")
    assert table.at["tekes-TKGH-001", "图形状态"] == "导入"


@pytest.mark.slow
def test_import_page_shows_the_files_stated_area_and_use(import_env: Path) -> None:
    import pyproj

    at = _import_page()
    data = _geojson([{"zone_id": "tekes-TKGH-001", "MJ": 100.0, "DKYT": "采矿用地"}])
    at.file_uploader[0].set_value(("zones.geojson", data, "application/geo+json")).run()
    assert not at.exception, at.exception
    assert any(s.value == "文件所注面积与地块用途" for s in at.subheader)
    assert any("“MJ”" in c.value and "未注明单位，按公顷" in c.value for c in at.caption)
    table = next(d.value for d in at.dataframe if "地块用途" in d.value.columns)
    row = table.iloc[0]
    assert (row["编号"], row["地块用途"], row["文件面积（公顷）"]) == (
        "tekes-TKGH-001", "采矿用地", "100")
    # the 0.01° square at 42.9°N by pyproj.Geod on the GRS80 (CGCS2000) ellipsoid, 公顷
    area, _ = pyproj.Geod(ellps="GRS80").polygon_area_perimeter(
        [82.0, 82.01, 82.01, 82.0], [42.9, 42.9, 42.91, 42.91])
    assert float(row["计算面积（公顷）"]) == pytest.approx(abs(area) / 1e4, abs=1e-4)
    assert float(row["差值（公顷）"]) == pytest.approx(abs(area) / 1e4 - 100, abs=1e-4)


@pytest.mark.slow
def test_import_page_takes_a_coordinate_txt(import_env: Path) -> None:
    from mineplan.io import coordinates as coordfiles

    zones = read_layer(import_env, "TKGH")
    zones = zones[zones["region"] == "伊宁市"]  # in 3-degree zone 27
    target = zones.iloc[[0]].assign(number="1")[["number", "name", "geometry"]]
    data = coordfiles.format_boundary_txt(target, zone=27)  # GBK, as offices send it
    at = _import_page()
    at.file_uploader[0].set_value(("区块.txt", data, "text/plain")).run()
    assert not at.exception, at.exception
    assert _metric(at, "已匹配").startswith("1 / ")
    at.button[0].click().run()
    assert not at.exception, at.exception
    layer = read_layer(import_env, "TKGH").set_index("zone_id")
    assert layer.at[zones["zone_id"].iloc[0], "geometry_status"] == "导入"


@pytest.mark.slow
def test_import_page_reads_a_table_without_zone_prefix_in_the_zone_chosen(
        import_env: Path) -> None:
    from pyproj import Transformer

    zones = read_layer(import_env, "TKGH")
    shape = zones[zones["region"] == "伊宁市"].geometry.iloc[0]  # 3-degree zone 27 (81°E)
    block = max(getattr(shape, "geoms", [shape]), key=lambda part: part.area)
    # CGCS2000 / 3-degree Gauss-Kruger CM 81E, eastings without the prefix 27: EPSG:4536
    to_gk = Transformer.from_crs(4490, 4536, always_xy=True)
    rows = [f"{i},{to_gk.transform(x, y)[1]:.2f},{to_gk.transform(x, y)[0]:.2f}"
            for i, (x, y) in enumerate(list(block.exterior.coords)[:-1], start=1)]
    data = ("点号,X,Y\n" + "\n".join(rows) + "\n").encode("utf-8")
    at = _import_page()
    at.file_uploader[0].set_value(("区块.txt", data, "text/plain")).run()
    assert not at.exception, at.exception
    assert any("“带号”" in e.value for e in at.error)  # asked for, never guessed
    at.number_input(key="import_zone").set_value(27).run()
    assert not at.exception, at.exception
    assert any("EPSG:4536" in s.value for s in at.success), [s.value for s in at.success]


@pytest.mark.slow
def test_import_page_replaces_a_demo_red_line_with_the_users_layer(import_env: Path) -> None:
    at = _import_page()
    at.radio[0].set_value("管控图层（三区三线等）").run()
    assert not at.exception, at.exception
    picker = at.selectbox[0]
    picker.set_value(next(o for o in picker.options if "（STHX，" in o)).run()
    data = _geojson([{"名称": "甲红线", "县": "特克斯县"}, {"名称": "乙红线", "县": "特克斯县"}])
    at.file_uploader[0].set_value(("红线.geojson", data, "application/geo+json")).run()
    assert not at.exception, at.exception
    at.selectbox(key="control_name").set_value("名称").run()
    assert "2 个" in _metric(at, "要素数")
    assert read_layer(import_env, "STHX")["data_status"].eq("演示").all()  # not yet
    at.button(key="control_confirm").click().run()
    assert not at.exception, at.exception
    assert any("已导入生态保护红线" in s.value for s in at.success)
    layer = read_layer(import_env, "STHX")
    assert sorted(layer["name"]) == ["乙红线", "甲红线"]
    assert set(layer["data_status"]) == {"导入"}
    assert set(layer["geometry_source"]) == {"红线.geojson"}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "data", "message"), [
    ("zones.geojson", b"\x89PNG\r\n\x1a\n" + bytes(32), "内容是PNG 图片"),
    ("zones.exe", b"MZ\x90\x00", "不支持的文件类型"),
    ("zones.zip", None, "不安全的路径"),
    ("zones.zip", b"PK\x03\x04garbage", "压缩包已损坏"),
    ("zones.kml", b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x "y">]><kml/>', "实体声明"),
    ("zones.geojson", b'{"type": "Topology"}', "不是 GeoJSON"),
])
def test_import_page_refuses_hostile_uploads(import_env: Path, name: str, data: bytes | None,
                                             message: str) -> None:
    import zipfile

    if data is None:  # a zip that would write outside its folder
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("../../evil.shp", b"x")
        data = buffer.getvalue()
    at = _import_page()
    at.file_uploader[0].set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert not at.button  # nothing to confirm


@pytest.mark.slow
def test_import_page_escapes_html_in_attributes(import_env: Path) -> None:
    data = _geojson([{"zone_id": "tekes-TKGH-001", "name": '<script>alert("x")</script>'}])
    at = _import_page()
    at.file_uploader[0].set_value(("zones.geojson", data, "application/geo+json")).run()
    assert not at.exception, at.exception
    page = _map_html(at)
    assert '<script>alert("x")' not in page and "\\u0026lt;script\\u0026gt;" in page


@pytest.mark.slow
def test_import_page_explains_a_file_without_crs_in_metres(import_env: Path) -> None:
    data = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"zone_id": "tekes-TKGH-001"},
         "geometry": {"type": "Polygon", "coordinates": [[
             [500000, 4800000], [500100, 4800000], [500100, 4800100], [500000, 4800000]]]}}]}
    ).encode()
    at = _import_page()
    at.file_uploader[0].set_value(("zones.geojson", data, "application/geo+json")).run()
    assert any("坐标系有问题" in e.value for e in at.error)
    # GDAL's English detail goes to the server log, not to the planner (issue 14 §3)
    assert not any("--crs" in x.value for x in [*at.caption, *at.error])

# --------------------------------------------------------------------------- browser

def _write_dem(path: Path, *, size: tuple[int, int] = (50, 40), cell: float = 0.01) -> Path:
    """A wavy DEM near Yining: in EPSG:4490 (``cell`` degrees) or, if cell > 1, in metres
    of CGCS2000 / 3-degree Gauss-Kruger CM 81°E (EPSG:4536)."""
    import rasterio
    from rasterio.transform import from_origin

    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(float)
    z = 1500 + 400 * np.sin(x / (width / 8)) * np.cos(y / (height / 6)) + 0.2 * y
    crs, origin = ("EPSG:4490", (81.0, 44.0)) if cell < 1 else ("EPSG:4536", (490_000, 4_880_000))
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=1,
                       dtype="float32", crs=crs, transform=from_origin(*origin, cell, cell)) as dst:
        dst.write(z.astype("float32")[None])
    return path


@pytest.fixture(scope="module")
def served_app(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    rasters = tmp_path_factory.mktemp("rasters")
    _write_dem(rasters / "伊宁DEM.tif", size=(1500, 1200), cell=30.0)
    env = {"MINEPLAN_STORE": str(built_store), "MINEPLAN_RASTERS": str(rasters),
           "TIANDITU_KEY": "0123456789abcdef0123456789abcdef"}
    with serve_app(env, log=tmp_path_factory.mktemp("log") / "streamlit.log") as url:
        yield url


@pytest.mark.browser
@pytest.mark.slow
def test_app_renders_zones_offline_in_chromium(served_app: str, built_store: Path,
                                               artifacts: Path, tmp_path: Path) -> None:
    sync_api = playwright_api()
    outside: list[str] = []
    specs = read_layer_specs()
    codes = [c for c in list_layers(built_store) if specs[c].is_zone_layer]
    first_layer = codes[0]  # the table lists the store's zones layer by layer
    first_zone = str(read_layer(built_store, first_layer)["zone_id"].iloc[0])

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS,
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        block_network(page, outside)
        page.goto(served_app, wait_until="networkidle", timeout=90_000)
        frame = page.frame_locator("iframe").first
        paths = frame.locator("path.leaflet-interactive")
        # every plan is drawn: a small zone far from the view is a hidden dot
        frame.locator("path.leaflet-interactive:visible").first.wait_for(timeout=60_000)
        assert paths.count() > 20  # zones, demo red lines and boundaries are drawn
        assert "示意" in frame.locator("body").inner_text()
        page.screenshot(path=str(artifacts / "app.png"))

        # Selecting a row of the zone table outlines that zone and lists its attributes.
        grid = page.get_by_test_id("stDataFrame").last
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # row 1's selection box
        page.get_by_text("取消定位").wait_for(timeout=30_000)
        panel = page.get_by_test_id("stTable").first
        panel.wait_for(timeout=30_000)
        assert first_zone in panel.inner_text()  # the table's first row
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts / "app_table_select.png"))
        page.get_by_text("取消定位").click()
        page.get_by_text("在上方查找分区").wait_for(timeout=30_000)

        # Search a zone: the map zooms to it (outlined at the centre); its popup is Chinese.
        search = page.get_by_label("查找分区（编号、序号或名称）")
        search.fill("tekes-YSCK-001")
        search.press("Enter")
        page.get_by_text("取消定位").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the new map page replaces the old one
        frame = page.frame_locator("iframe").first
        frame.locator(f'path[stroke="{FOCUS_STYLE["color"]}"]').wait_for(timeout=60_000)
        frame.locator(".leaflet-container").click()  # the centre: the zone found
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        text = popup.inner_text()
        assert "名称" in text and "博故图金矿" in text and "示意（非实测）" in text
        page.screenshot(path=str(artifacts / "app_search.png"))

        # The import page accepts a GeoJSON and shows the match report (nothing written).
        upload = tmp_path / "zones.geojson"
        upload.write_bytes(_geojson([{"名称": "伊宁煤炭国家规划区（北区）"},  # of the 1st layer
                                     {"名称": "无此分区"}]))
        page.get_by_text("导入图形").first.click()
        page.get_by_text("导入真实图形").wait_for(timeout=30_000)
        page.locator("input[type=file]").first.set_input_files(str(upload))
        page.get_by_text("匹配结果").wait_for(timeout=60_000)
        metrics = page.get_by_test_id("stMetricValue")
        # 已匹配, by normalised name, of the zones of the layer picked first
        assert metrics.nth(0).inner_text() == f"1 / {_zone_count(first_layer)}"
        assert metrics.nth(1).inner_text() == "1"  # 未匹配要素
        preview = page.frame_locator("iframe").first.locator("path.leaflet-interactive:visible")
        preview.first.wait_for(timeout=60_000)
        page.screenshot(path=str(artifacts / "app_import.png"))
        page.locator("iframe").first.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        page.locator("iframe").first.screenshot(path=str(artifacts / "app_import_preview.png"))
        browser.close()
    assert not outside, f"the page tried to reach the network: {outside[:5]}"


def _choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label (a rerun may close the list)."""
    combo = page.get_by_role("combobox", name=label)
    for _ in range(5):
        combo.click()
        try:
            page.get_by_role("option", name=option).click(timeout=5_000)
        except Exception:  # the list closed under a rerun; open it again
            page.keyboard.press("Escape")
            continue
        if combo.input_value() == option:
            page.wait_for_timeout(1_000)  # let the rerun start
            return
    pytest.fail(f"could not choose {option!r} in {label!r}")


@pytest.mark.browser
@pytest.mark.slow
def test_basemaps_in_chromium_without_network(served_app: str, artifacts: Path) -> None:
    sync_api = playwright_api()
    outside: list[str] = []
    with sync_api.sync_playwright() as p:
        browser, page = open_offline_page(p, served_app, outside)
        page.frame_locator("iframe").first.locator("path.leaflet-interactive").first.wait_for(
            timeout=60_000)

        # 天地图 with a key but no network: the map says why the tiles are missing.
        _choose(page, "在线底图", "天地图影像＋注记（需联网与密钥）")
        notice = page.frame_locator("iframe").first.locator(".mp-notice")
        notice.wait_for(timeout=60_000)
        text = notice.inner_text()
        assert "天地图" in text and "418" in text and "429" in text and "互联网" in text
        page.frame_locator("iframe").first.locator(".leaflet-container").screenshot(
            path=str(artifacts / "app_tianditu_offline.png"))

        # A local DEM from the raster folder is drawn under the zones, from a data: URI.
        _choose(page, "在线底图", "无底图（离线）")
        _choose(page, "栅格文件", "伊宁DEM.tif")
        image = page.frame_locator("iframe").first.locator("img.leaflet-image-layer")
        image.wait_for(timeout=60_000)
        assert (image.get_attribute("src") or "").endswith(".png")  # served beside the map
        search = page.get_by_label("查找分区（编号、序号或名称）")
        search.fill("yining-GJKQ-001")  # zoom to Yining, over the DEM
        search.press("Enter")
        page.get_by_text("取消定位").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        frame = page.frame_locator("iframe").first
        frame.locator("img.leaflet-image-layer").wait_for(timeout=60_000)
        frame.locator(".mp-legend-title").click()  # the legend folds out of the way
        assert not frame.locator(".mp-legend ul").is_visible()
        page.wait_for_timeout(500)
        page.frame_locator("iframe").first.locator(".leaflet-container").screenshot(
            path=str(artifacts / "app_raster.png"))
        browser.close()
    assert any("tianditu.gov.cn" in u for u in outside)  # tried, blocked, explained
    assert not [u for u in outside if "tianditu.gov.cn" not in u]


@pytest.mark.slow
def test_export_and_figures_follow_the_sidebar_filters(app_env: Path) -> None:
    import zipfile

    at = _app().run()
    regions = next(m for m in at.multiselect if m.label == "规划（县市）")
    regions.set_value(["特克斯县"]).run()
    at.selectbox(key="export_fmt").set_value(
        next(o for o in at.selectbox(key="export_fmt").options if o.startswith("Shapefile")))
    at.button(key="export_make").click().run()
    assert not at.exception, at.exception
    button = at.get("download_button")
    assert any("规划分区.zip" in str(b.proto.label) for b in button)
    made = at.session_state["export"][1]
    assert made.count == len(_zone_table(at))
    archive = zipfile.ZipFile(io.BytesIO(made.data))
    assert "特克斯县" in archive.read("说明.txt").decode("gbk")
    assert at.selectbox(key="fig_region").options == ["特克斯县"]  # the plans chosen


@pytest.mark.slow
def test_a_control_import_can_replace_one_regions_part(import_env: Path) -> None:
    before = read_layer(import_env, "STHX")
    at = _import_page()
    at.radio[0].set_value("管控图层（三区三线等）").run()
    picker = at.selectbox[0]
    picker.set_value(next(o for o in picker.options if "（STHX，" in o)).run()
    data = _geojson([{"名称": "甲红线"}])
    at.file_uploader[0].set_value(("红线.geojson", data, "application/geo+json")).run()
    at.selectbox(key="control_name").set_value("名称").run()
    assert any("所有县市" in w.value for w in at.warning)  # the default says what it does
    at.radio(key="control_scope").set_value("特克斯县").run()
    assert not at.exception, at.exception
    at.button(key="control_confirm").click().run()
    assert not at.exception, at.exception
    layer = read_layer(import_env, "STHX")
    others = before[before["region"] != "特克斯县"]
    assert len(layer) == len(others) + 1
    assert set(layer.loc[layer["region"] == "特克斯县", "name"]) == {"甲红线"}
    assert sorted(layer.loc[layer["region"] != "特克斯县", "name"]) == sorted(others["name"])


def _wait_for_first_view(store: Path, *, timeout: float = 240.0) -> tuple[dict, list]:
    """What ``mineplan.web.prepare`` kept for the store's current version, waiting (a
    bounded poll) for the background process a command started."""
    import time

    from mineplan.store import store_version
    from mineplan.web import prepare

    end = time.monotonic() + timeout
    while True:
        found = prepare.first_view(store, store_version(store), prepare.definitions())
        if found is not None:
            return found
        assert time.monotonic() < end, f"nothing kept for {store} after {timeout:.0f} s"
        time.sleep(0.5)


@pytest.fixture()
def preparing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Background preparation on (conftest turns it off), into an empty component folder
    shared with the process a command starts (``TMPDIR``)."""
    import tempfile

    folder = tmp_path / "tmp-prepared"
    folder.mkdir()
    monkeypatch.setenv("MINEPLAN_WEB_PREPARE", "1")
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.slow
def test_the_first_server_after_mineplan_build_sends_the_map_from_what_the_build_kept(
        preparing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14 (cold first render): `mineplan build` has the browse map's first view of
    the new store prepared in the background, so the first session of the first server
    takes the fast path; it sends what a full run on the same store sends."""
    import tempfile

    from mineplan.cli import main

    store = tmp_path / "new.gpkg"
    assert main(["build", "-q", "-o", str(store)]) == 0
    facts, _ = _wait_for_first_view(store)
    assert facts["regions"] == [p.region for p in plan_index().values()]
    monkeypatch.setenv("MINEPLAN_STORE", str(store))

    used = _watch_first_view(monkeypatch)
    empty = tmp_path / "tmp-empty"
    empty.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(empty))
    full = _app().run()  # in a folder nothing was kept in: the store is read
    assert not full.exception, full.exception
    monkeypatch.setattr(tempfile, "tempdir", str(preparing))
    first = _app().run()  # a first session on what the build kept
    assert not first.exception, first.exception
    assert used == [False, True]
    assert _map_args(first) == _map_args(full)


@pytest.mark.slow
def test_mineplan_import_prepares_the_map_of_the_stores_new_version(
        preparing: Path, store_copy: Path, tmp_path: Path) -> None:
    """After `mineplan import` the browse map's first view of the new store version is
    kept (the imported zone's shape in it), without a server having run."""
    from mineplan.cli import main
    from mineplan.io import coordinates as coordfiles

    layer = read_layer(store_copy, "CKGH")
    target = layer[layer["region"] == "伊宁市"].iloc[[0]].copy()  # 3-degree zone 27
    target["number"] = ["1"]
    moved = target.to_crs(4515).translate(500.0, 0.0)  # 500 m east of its schematic shape
    target = target.set_geometry(moved.to_crs(target.crs))
    txt = tmp_path / "block.txt"
    txt.write_bytes(coordfiles.format_boundary_txt(target[["number", "name", "geometry"]],
                                                   zone=27))
    assert main(["import", "CKGH", str(txt), "--store", str(store_copy)]) == 0
    _, layers = _wait_for_first_view(store_copy)
    ckgh = next(x for x in layers if x.code == "CKGH")
    data = json.loads((preparing / f"mineplan-livemap-{os.getuid()}" / ckgh.url).read_text(
        encoding="utf-8"))
    feature = next(f for f in data["features"] if f["id"] == str(target.index[0]))
    from shapely.geometry import shape

    west = shape(feature["geometry"]).bounds[0]
    assert west == pytest.approx(target.to_crs(4326).total_bounds[0], abs=1e-5)
