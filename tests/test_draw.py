"""Drawing the block on the 检查 page: mineplan.web.drawmap, and Chromium with no network."""

from __future__ import annotations

import base64
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

from mineplan.errors import GeometryError, MineplanError
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.layers import read_layer_specs, read_styles
from mineplan.settings import home
from mineplan.web.drawmap import (
    DRAW_COLOUR,
    context_layers,
    draw_map,
    drawn_polygon,
    drawn_proposal,
    map_assets,
    remote_assets,
    zone_extent,
)
from mineplan.web.webmap import MapLayer
from tests.browser import CHROMIUM_ARGS, chromium_path, playwright_api, serve_app

APP = home() / "app.py"
# A block for the map helpers (degrees, CGCS2000); they do not look at the store.
# The page is checked with ``check_block`` (conftest), a box taken from the store.
BLOCK = (81.272, 43.950, 81.285, 43.960)
Bounds = tuple[float, float, float, float]


def _layer(code: str = "TKGH", geom: Any = None) -> MapLayer:
    frame = gpd.GeoDataFrame({"name": ["甲"]}, geometry=[geom or box(*BLOCK)], crs=4490)
    return MapLayer(code=code, title="勘查规划区块<b>", gdf=frame,
                    style={"fill": "#FFCC00", "stroke": "#996600", "fill_opacity": 0.3,
                           "weight": 0.5})


def _component_args(m, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What streamlit-folium would send its component (captured instead of rendered)."""
    import streamlit_folium

    captured: dict[str, Any] = {}
    monkeypatch.setattr(streamlit_folium, "_component_func",
                        lambda **kwargs: captured.update(kwargs) or kwargs["default"])
    streamlit_folium.st_folium(m, key="t", returned_objects=["all_drawings"])
    return captured


def _decode(url: str) -> str:
    head, _, data = url.partition(",")
    assert head.endswith(";base64")
    return base64.b64decode(data).decode("utf-8")


# ---------------------------------------------------------------------------- the map


def test_component_loads_only_data_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    m = draw_map([_layer()])
    assert remote_assets(m) == []
    args = _component_args(m, monkeypatch)
    links = [*args["js_links"], *args["css_links"]]
    # Leaflet, Leaflet.draw and the browse map's tools (fullscreen, measure, mouse position)
    assert len(args["js_links"]) == 5 and len(args["css_links"]) == 5
    assert all(link.startswith(("data:text/javascript;base64,", "data:text/css;base64,"))
               for link in links)
    page = "\n".join([args["script"], args["header"], args["html"]])
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "tilelayer" not in args["script"].lower()  # no basemap: nothing to fetch
    draw = next(_decode(x) for x in args["js_links"] if "L.Control.Draw" in _decode(x))
    assert "Leaflet.draw 1.0.4" in draw
    assert "经纬度" in args["script"] and "mp-legend" in args["header"]  # read-out, legend


def test_stylesheet_images_are_inlined() -> None:
    for key in ("leaflet_css", "draw_css"):
        css = _decode(map_assets()[key][1])
        urls = re.findall(r"""url\(\s*['"]?([^'")]+)""", css)
        assert urls, key
        assert all(u.startswith(("data:image/", "#")) for u in urls), key
    assert "spritesheet" not in _decode(map_assets()["draw_css"][1])


def test_only_polygon_and_rectangle_tools_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    from folium import plugins

    m = draw_map([_layer()], center=(43.95, 81.28), zoom=12)
    draw = next(e for e in m._children.values() if isinstance(e, plugins.Draw))
    options = draw.draw_options
    assert all(options[k] is False for k in ("polyline", "circle", "marker", "circlemarker"))
    assert options["polygon"]["allowIntersection"] is False
    assert options["rectangle"]["shapeOptions"]["color"] == DRAW_COLOUR
    assert draw.show_geometry_on_click is False  # no alert() on a click
    script = _component_args(m, monkeypatch)["script"]
    assert "绘制矩形" in script and "绘制多边形" in script
    assert "group.removeLayer(layer)" in script  # a new shape replaces the old one
    assert "\\u0026lt;b\\u0026gt;" in script and "<b>" not in script  # names escaped
    assert '"interactive": false' in script  # context layers do not catch the clicks


def test_a_map_with_a_cdn_plugin_is_refused() -> None:
    from folium import plugins

    m = draw_map([])
    plugins.MiniMap().add_to(m)
    assert any("leaflet-minimap" in u.lower() or "minimap" in u.lower()
               for u in remote_assets(m))


def test_context_layers_and_extent_from_store_frames() -> None:
    specs = read_layer_specs()
    styles, schematic = read_styles()
    frames = {
        "TKGH": gpd.GeoDataFrame({"zone_id": ["a"], "name": ["甲"], "region": ["伊宁市"]},
                                 geometry=[box(*BLOCK)], crs=4490),
        "XZQ": gpd.GeoDataFrame({"name": ["新疆", "伊宁市"], "level": ["province", "county"]},
                                geometry=[box(73, 34, 96, 49), box(81, 43.5, 82, 44.5)],
                                crs=4490),
    }
    layers = context_layers(frames, specs, styles, schematic)
    xzq = next(layer for layer in layers if layer.code == "XZQ")
    assert list(xzq.gdf["name"]) == ["伊宁市"]  # no province outline
    assert zone_extent(frames, specs) == pytest.approx(BLOCK)
    assert zone_extent({"XZQ": frames["XZQ"]}, specs) is None
    assert draw_map(layers, bounds=BLOCK) is not None


# ------------------------------------------------------------------------ reading back


def _feature(geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {}, "geometry": geometry}


def _rect(bounds: tuple[float, float, float, float] = BLOCK) -> dict[str, Any]:
    w, s, e, n = bounds
    return _feature({"type": "Polygon",
                     "coordinates": [[[w, s], [w, n], [e, n], [e, s], [w, s]]]})


def test_nothing_drawn_is_none() -> None:
    assert drawn_polygon(None) is None
    assert drawn_polygon({}) is None
    assert drawn_polygon({"all_drawings": None, "last_active_drawing": None}) is None
    assert drawn_proposal({"all_drawings": None}) is None


def test_a_drawn_rectangle_is_the_proposal_in_cgcs2000() -> None:
    output = {"all_drawings": [_rect()], "last_active_drawing": _rect()}
    polygon = drawn_polygon(output)
    assert isinstance(polygon, Polygon) and polygon.bounds == pytest.approx(BLOCK)
    proposal = drawn_proposal(output, name="甲区块")
    assert proposal is not None
    assert proposal.frame.crs.to_epsg() == 4490 and list(proposal.frame["name"]) == ["甲区块"]
    assert "4 个拐点" in proposal.source and "km²" in proposal.source
    assert proposal.notes and not proposal.warnings


def test_the_newest_shape_on_the_map_wins_over_a_stale_last_drawing() -> None:
    edited = _rect((81.27, 43.95, 81.29, 43.97))
    # after an edit st_folium's last_active_drawing still holds the old shape
    polygon = drawn_polygon({"all_drawings": [_rect(), edited], "last_active_drawing": _rect()})
    assert polygon is not None and polygon.bounds == pytest.approx((81.27, 43.95, 81.29, 43.97))
    # everything deleted: nothing drawn, whatever last_active_drawing says
    assert drawn_polygon({"all_drawings": [], "last_active_drawing": _rect()}) is None
    # older component state without all_drawings
    assert drawn_polygon({"last_active_drawing": _rect()}) is not None


@pytest.mark.parametrize(("output", "message"), [
    ({"all_drawings": [_feature({"type": "Point", "coordinates": [81.28, 43.95]})]},
     "申请范围应为面"),
    ({"all_drawings": [_feature({"type": "LineString",
                                 "coordinates": [[81.27, 43.95], [81.28, 43.96]]})]},
     "申请范围应为面"),
    ({"all_drawings": [_feature({"type": "Polygon", "coordinates": [[
        [81.27, 43.95], [81.29, 43.97], [81.29, 43.95], [81.27, 43.97], [81.27, 43.95]]]})]},
     "自相交"),
    ({"all_drawings": [_rect((81.27, 43.95, 81.2701, 43.9501))]}, "太小"),
    ({"all_drawings": [_rect((-0.1, 51.5, 0.1, 51.6))]}, "不在中国境内"),
    ({"all_drawings": [_feature({"type": "Polygon", "coordinates": [[
        [81.27, 43.95], [81.28, 43.95], [81.27, 43.95]]]})]}, "至少需要 3 个"),
    ({"all_drawings": [_feature({"type": "Polygon", "coordinates": "x"})]}, "无法读取"),
])
def test_bad_drawings_are_refused_in_chinese(output: dict[str, Any], message: str) -> None:
    with pytest.raises(GeometryError, match=message) as err:
        drawn_polygon(output)
    assert isinstance(err.value, MineplanError)  # the page shows it as any other input error


# ------------------------------------------------------------------------------ AppTest


@pytest.mark.slow
def test_page_checks_a_drawn_block(built_store: Path, check_block: Bounds,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's flow with st_folium answering as after a drawing (no browser)."""
    import streamlit_folium
    from streamlit.testing.v1 import AppTest

    maps: list[Any] = []
    answer: dict[str, Any] = {"all_drawings": None, "last_active_drawing": None}

    def fake_st_folium(m, **kwargs):
        maps.append((m, kwargs))
        return answer

    monkeypatch.setenv("MINEPLAN_STORE", str(built_store))
    monkeypatch.setattr(streamlit_folium, "st_folium", fake_st_folium)
    at = AppTest.from_file(str(APP), default_timeout=180).run()
    at.switch_page("app_pages/checks.py").run()
    at.radio(key="check_source").set_value("在地图上绘制").run()
    assert not at.exception, at.exception
    assert any("尚未绘制" in c.value for c in at.caption) and not at.button
    m, kwargs = maps[-1]
    assert remote_assets(m) == [] and kwargs["key"] == "check_draw"
    assert set(kwargs["returned_objects"]) == {"all_drawings", "last_active_drawing"}

    west, south, east, north = check_block
    point = [(west + east) / 2, (south + north) / 2]
    answer["all_drawings"] = [_feature({"type": "Point", "coordinates": point})]
    at.run()
    assert any("申请范围应为面" in e.value for e in at.error) and not at.button

    answer["all_drawings"] = [_rect(check_block)]
    at.text_input(key="check_mineral").input("煤炭").run()
    assert any("地图上绘制的范围" in c.value for c in at.caption)
    at.button(key="check_run").click().run()
    assert not at.exception, at.exception
    assert any("总体结论：不通过" in e.value for e in at.error)


# ------------------------------------------------------------------------------ Chromium


@pytest.fixture(scope="module")
def served_app(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("log") / "streamlit.log"
    with serve_app({"MINEPLAN_STORE": str(built_store)}, log=log) as url:
        yield url


@pytest.mark.browser
@pytest.mark.slow
def test_draw_a_rectangle_and_check_it_in_chromium_without_network(
        served_app: str, check_block: Bounds, artifacts: Path) -> None:
    sync_api = playwright_api()
    outside: list[str] = []
    block = check_block
    block_km2 = float(ellipsoidal_area_km2(gpd.GeoSeries([box(*block)], crs=4490)).iloc[0])

    def only_loopback(route, request) -> None:
        host = urllib.parse.urlsplit(request.url).hostname
        if request.url.startswith(("data:", "about:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(),
                                    args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1500})
        context.route("**/*", only_loopback)  # every page and frame, workers included
        page = context.new_page()
        page.goto(served_app, wait_until="networkidle", timeout=90_000)
        page.get_by_test_id("stSidebarNav").get_by_text("检查", exact=True).click()
        page.get_by_text("检查（报批前检查）").wait_for(timeout=60_000)
        page.get_by_text("在地图上绘制", exact=True).click()

        selector = 'iframe[title="streamlit_folium.st_folium"]'
        tools = page.frame_locator(selector)
        tools.locator(".leaflet-draw-draw-rectangle").wait_for(timeout=60_000)
        assert tools.locator(".leaflet-draw-draw-polygon").count() == 1
        for absent in ("polyline", "marker", "circle", "circlemarker"):
            assert tools.locator(f".leaflet-draw-draw-{absent}").count() == 0
        assert tools.locator("path.leaflet-interactive, path").count() > 0  # plan layers shown
        frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        # zoom to the block as a planner would, then draw it with the mouse
        frame.evaluate(f"window.map.fitBounds([[{block[1] - 0.005}, {block[0] - 0.007}],"
                       f" [{block[3] + 0.005}, {block[2] + 0.007}]], {{animate: false}})")
        page.locator(selector).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        corners = frame.evaluate(
            f"[window.map.latLngToContainerPoint([{block[3]}, {block[0]}]),"
            f" window.map.latLngToContainerPoint([{block[1]}, {block[2]}])]")
        origin = tools.locator("#map_div").bounding_box()
        assert origin is not None
        tools.locator(".leaflet-draw-draw-rectangle").click()
        (x0, y0), (x1, y1) = ((origin["x"] + c["x"], origin["y"] + c["y"]) for c in corners)
        page.mouse.move(x0, y0)
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(x0 + (x1 - x0) * step / 10, y0 + (y1 - y0) * step / 10)
        page.mouse.up()

        read = page.get_by_text("已读取申请范围")
        read.wait_for(timeout=60_000)
        area = float(re.search(r"约 ([0-9.]+) km²", read.inner_text()).group(1))
        assert area == pytest.approx(block_km2, rel=0.15)  # drawing is pixel-accurate
        mineral = page.get_by_label("矿种")
        mineral.fill("煤炭")
        mineral.press("Enter")
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="开始检查").click()
        page.get_by_text("总体结论：不通过").wait_for(timeout=120_000)
        assert tools.locator(f'path[stroke="{DRAW_COLOUR}"]').count() == 1  # still drawn
        page.locator(selector).scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts / "check_draw.png"))
        browser.close()
    assert not outside, f"the page tried to reach the network: {outside[:5]}"
