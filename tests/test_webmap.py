"""Tests for mineplan.web.webmap: offline HTML, popups, legend, basemaps, browser rendering."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pytest
from folium import plugins
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from mineplan.errors import CRSError, LayerDefinitionError
from mineplan.web.webmap import SCHEMATIC_BANNER, MapLayer, render_offline_html, zone_map
from tests.browser import chromium_path, playwright_api

HOSTILE = "<script>alert(1)</script>"
HOSTILE_IMG = '<img src="x" onerror="alert(2)">'  # innerHTML would run this one
STYLE = {"fill": "#9DC3E6", "stroke": "#1F4E9A", "fill_opacity": 0.35, "weight": 0.6}
STATIC = Path(__file__).resolve().parents[1] / "mineplan" / "web" / "static"


# --------------------------------------------------------------------------- fixtures


def _mining_zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["乌苏市重点开采区", HOSTILE],
            "area_km2": [12.3456, 3.5],
            "remark": [None, HOSTILE_IMG],
            "geometry_status": ["实测", "示意"],
        },
        geometry=[box(84.00, 44.00, 84.20, 44.10), box(84.30, 44.05, 84.50, 44.20)],
        crs="EPSG:4490",
    )


def _exploration_zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["勘查区甲"]}, geometry=[box(83.80, 43.90, 84.10, 44.00)], crs="EPSG:4326"
    )


@pytest.fixture
def layers() -> list[MapLayer]:
    return [
        MapLayer(
            code="ZDCK", title="重点开采区", gdf=_mining_zones(), style=STYLE,
            popup_fields=[("name", "名称"), ("area_km2", "面积（平方千米）"), ("remark", "备注")],
        ),
        MapLayer(
            code="ZDTK", title="重点勘查区", gdf=_exploration_zones(),
            style={**STYLE, "fill": "#F2C4C4", "stroke": "#C00000", "dash": True},
            popup_fields=[("name", "名称")], schematic=True,
        ),
    ]


@pytest.fixture
def offline_html(layers: list[MapLayer]) -> str:
    return render_offline_html(zone_map(layers))


# --------------------------------------------------------------------------- helpers


class _Loads(HTMLParser):
    """Every URL a page loads: src attributes, <link href>, CSS url() and @import."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.script_srcs: list[str] = []
        self._css = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.script_srcs.append(values["src"] or "")
        for name, value in attrs:
            if value and (name == "src" or (tag == "link" and name == "href")):
                self.urls.append(value)
            if value and name == "style":
                self._scan_css(value)
        self._css = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._css = False

    def handle_data(self, data: str) -> None:
        if self._css:
            self._scan_css(data)

    def _scan_css(self, css: str) -> None:
        self.urls += [m[1] for m in re.findall(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", css)]
        self.urls += re.findall(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", css)


def _loads(page: str) -> _Loads:
    parser = _Loads()
    parser.feed(page)
    parser.close()
    return parser


def _is_remote(url: str) -> bool:
    return re.match(r"^\s*(https?:)?//", url, flags=re.IGNORECASE) is not None


def _js_strings(page: str) -> set[str]:
    """The double-quoted string literals in the page's scripts, decoded."""
    found = set()
    for literal in re.findall(r'"(?:[^"\\\n]|\\.)*"', page):
        try:
            found.add(json.loads(literal))
        except ValueError:
            continue
    return found


def _popups(m: folium.Map) -> dict[str, list[str]]:
    """Layer name → the popup HTML of each feature, as embedded in the map."""
    return {
        child.layer_name: [f["properties"]["popup_html"] for f in child.data["features"]]
        for child in m._children.values()
        if isinstance(child, folium.GeoJson)
    }


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(fragment: str) -> _Text:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return parser


# --------------------------------------------------------------------------- offline assets


def test_offline_html_loads_nothing_from_the_network(offline_html: str) -> None:
    loads = _loads(offline_html)
    assert [u for u in loads.urls if _is_remote(u)] == []
    assert loads.script_srcs == []  # every script is inline
    assert not re.search(r"<link\b[^>]*\bhref=", offline_html, flags=re.IGNORECASE)


def test_offline_html_inlines_leaflet_and_plugins(offline_html: str) -> None:
    assert "Leaflet 1.9.3" in offline_html  # the library's own header comment
    assert ".leaflet-pane" in offline_html  # leaflet.css
    assert "L.Control.MousePosition = L.Control.extend" in offline_html
    assert "leaflet.fullscreen" in offline_html
    assert "leaflet-control-measure" in offline_html
    assert "jQuery v" not in offline_html and "Bootstrap v" not in offline_html  # dropped
    assert 'lang="zh-CN"' in offline_html
    assert "charset=UTF-8" in offline_html or 'charset="utf-8"' in offline_html


def test_offline_html_inlines_stylesheet_images(offline_html: str) -> None:
    assert "url(images/" not in offline_html
    assert "url(icon-fullscreen.svg)" not in offline_html
    assert offline_html.count("data:image/png;base64,") >= 15  # Leaflet + measure icons
    assert "data:image/svg+xml;base64," in offline_html  # fullscreen icon


def test_every_vendored_asset_exists_with_its_licence() -> None:
    manifest = json.loads((STATIC / "assets.json").read_text(encoding="utf-8"))
    for package in manifest["packages"]:
        assert (STATIC / package["license_file"]).is_file(), package["name"]
        if package["root"] == "static":
            for entry in package["files"]:
                assert (STATIC / entry["path"]).is_file(), entry["path"]


def test_render_offline_refuses_unknown_cdn_assets() -> None:
    m = folium.Map(tiles=None)
    plugins.MiniMap().add_to(m)  # a plugin whose script is not vendored
    with pytest.raises(ValueError, match="leaflet-minimap"):
        render_offline_html(m)


def test_render_offline_refuses_elements_that_need_jquery() -> None:
    m = folium.Map(tiles=None)
    folium.Marker([44.0, 84.0], popup="点").add_to(m)
    with pytest.raises(ValueError, match="jQuery"):
        render_offline_html(m)


def test_render_offline_works_for_a_plain_folium_map() -> None:
    m = folium.Map(location=[44.0, 84.0], zoom_start=8, tiles=None)
    folium.Marker([44.0, 84.0]).add_to(m)
    page = render_offline_html(m)
    assert [u for u in _loads(page).urls if _is_remote(u)] == []
    assert "L.Icon.Default.mergeOptions" in page  # default marker icon inlined


# --------------------------------------------------------------------------- popups


def test_popup_escapes_hostile_values(layers: list[MapLayer]) -> None:
    m = zone_map(layers)
    popups = _popups(m)["重点开采区"]
    hostile = _parse(popups[1])
    assert "script" not in hostile.tags and "img" not in hostile.tags
    assert HOSTILE in "".join(hostile.text) and HOSTILE_IMG in "".join(hostile.text)
    page = render_offline_html(m)
    assert "<script>alert(1)" not in page and "<img src=" not in page


def test_popup_labels_values_and_schematic_note(layers: list[MapLayer]) -> None:
    real, schematic = _popups(zone_map(layers))["重点开采区"]
    expected = "重点开采区" "名称乌苏市重点开采区" "面积（平方千米）12.3456" "备注—"
    assert "".join(_parse(real).text) == expected
    assert "示意（非实测）" in schematic
    assert 'class="mp-popup-schematic"' in schematic
    assert "示意（非实测）" not in real


def test_schematic_features_are_set_apart_only_in_mixed_layers(layers: list[MapLayer]) -> None:
    m = zone_map(layers)
    styles = {
        child.layer_name: [child.style_function(f) for f in child.data["features"]]
        for child in m._children.values()
        if isinstance(child, folium.GeoJson)
    }
    real, schematic = styles["重点开采区"]
    assert real["dashArray"] is None and real["fillOpacity"] == 0.35
    assert real["weight"] == pytest.approx(1.2)  # 0.6 mm drawn as 1.2 px
    assert schematic["dashArray"] and schematic["fillOpacity"] == pytest.approx(0.175)
    (flagged,) = styles["重点勘查区"]  # the caller styled the schematic layer itself
    assert flagged["fillOpacity"] == 0.35 and flagged["color"] == "#C00000"


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s and "\r" not in s))
def test_any_attribute_value_comes_out_as_text(value: str) -> None:
    gdf = gpd.GeoDataFrame({"name": [value]}, geometry=[box(84, 44, 84.1, 44.1)], crs=4490)
    m = zone_map([MapLayer("T", "测试", gdf, STYLE, [("name", "名称")])])
    parsed = _parse(_popups(m)["测试"][0])
    assert parsed.tags == ["div", "div", "table", "tr", "th", "td"]
    assert "".join(parsed.text) == "测试名称" + value


# --------------------------------------------------------------------------- legend, banner


def test_schematic_banner_and_legend(layers: list[MapLayer], offline_html: str) -> None:
    strings = _js_strings(offline_html)
    assert SCHEMATIC_BANNER in strings
    legend = next(s for s in strings if "mp-legend-title" in s)
    text = "".join(_parse(legend).text)
    assert "图例" in text
    assert "重点勘查区（示意）" in text  # the whole layer is schematic
    assert "重点开采区（含示意）" in text  # one of its features is
    assert "#C00000" in legend and "dashed" in legend


def test_no_banner_without_schematic_data() -> None:
    gdf = _exploration_zones()
    m = zone_map([MapLayer("ZDTK", "重点勘查区", gdf, STYLE, [("name", "名称")])])
    strings = _js_strings(render_offline_html(m))
    assert SCHEMATIC_BANNER not in strings
    legend = next(s for s in strings if "mp-legend-title" in s)
    assert "示意" not in legend


# --------------------------------------------------------------------------- validation


def test_frame_without_crs_raises_crs_error(layers: list[MapLayer]) -> None:
    gdf = _exploration_zones().set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match=r"ZDTK.*no CRS"):
        zone_map([layers[0], MapLayer("ZDTK", "重点勘查区", gdf, STYLE)])


def test_bad_style_and_popup_fields_are_listed_together() -> None:
    bad = {"fill": "red;background:url(x)", "stroke": "#123456", "fill_opacity": 2, "weight": 1}
    layer = MapLayer("X", "错", _exploration_zones(), bad, [("nope", "无")])
    with pytest.raises(LayerDefinitionError) as info:
        zone_map([layer])
    message = str(info.value)
    assert "fill" in message and "fill_opacity" in message and "'nope'" in message


def test_projected_frames_are_reprojected_for_display() -> None:
    gdf = _exploration_zones().to_crs("EPSG:4537")  # CGCS2000 3-degree GK, CM 84E
    m = zone_map([MapLayer("ZDTK", "重点勘查区", gdf, STYLE)])
    fit = next(c for c in m._children.values() if isinstance(c, folium.FitBounds))
    (south, west), (north, east) = fit.bounds
    assert south == pytest.approx(43.90, abs=1e-6) and west == pytest.approx(83.80, abs=1e-6)
    assert north == pytest.approx(44.00, abs=1e-6) and east == pytest.approx(84.10, abs=1e-6)


def test_center_and_zoom_skip_fit_bounds(layers: list[MapLayer]) -> None:
    m = zone_map(layers, center=(44.0, 84.0), zoom=9)
    assert m.location == [44.0, 84.0]
    assert not any(isinstance(c, folium.FitBounds) for c in m._children.values())


def test_points_are_drawn_as_circle_markers() -> None:
    gdf = gpd.GeoDataFrame({"name": ["矿点"]}, geometry=[Point(84.1, 44.1)], crs=4490)
    page = render_offline_html(zone_map([MapLayer("KD", "矿点", gdf, STYLE, [("name", "名称")])]))
    assert "new L.CircleMarker(latlng, opts)" in page


# --------------------------------------------------------------------------- basemaps


def test_basemap_none_has_no_tile_layer(layers: list[MapLayer], offline_html: str) -> None:
    assert "L.tileLayer(" not in offline_html
    assert "{z}" not in offline_html


def test_osm_basemap_adds_tile_url(layers: list[MapLayer]) -> None:
    page = render_offline_html(zone_map(layers, basemap="osm"))
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    assert [u for u in _loads(page).urls if _is_remote(u)] == []  # tiles are not tags


def test_tianditu_basemap_uses_key_and_label_layer(layers: list[MapLayer]) -> None:
    key = "0123456789abcdef0123456789abcdef"
    page = render_offline_html(zone_map(layers, basemap="tianditu_img", tianditu_key=key))
    urls = sorted(s for s in _js_strings(page) if "tianditu.gov.cn" in s and "{z}" in s)
    query = (
        "wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={0}&STYLE=default"
        "&TILEMATRIXSET=w&FORMAT=tiles&TileMatrix={{z}}&TileRow={{y}}&TileCol={{x}}&tk={1}"
    )
    assert urls == [
        "https://t{s}.tianditu.gov.cn/cia_w/" + query.format("cia", key),
        "https://t{s}.tianditu.gov.cn/img_w/" + query.format("img", key),
    ]
    assert '"subdomains": "01234567"' in page


@pytest.mark.parametrize("basemap", ["tianditu_vec", "tianditu_img"])
@pytest.mark.parametrize("key", [None, ""])
def test_tianditu_without_key_raises(layers: list[MapLayer], basemap: str, key: str | None) -> None:
    with pytest.raises(ValueError, match="tianditu_key"):
        zone_map(layers, basemap=basemap, tianditu_key=key)


def test_unknown_basemap_raises(layers: list[MapLayer]) -> None:
    with pytest.raises(ValueError, match="gaode"):
        zone_map(layers, basemap="gaode")


# --------------------------------------------------------------------------- browser

def _playwright() -> Any:
    chromium_path()  # fails when Chromium is missing
    return playwright_api().sync_playwright


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("basemap", ["none", "osm"])
def test_offline_page_renders_in_chromium_without_network(
    layers: list[MapLayer], tmp_path: Path, artifacts: Path, basemap: str
) -> None:
    sync_playwright = _playwright()
    page_file = tmp_path / "map.html"
    page_file.write_text(render_offline_html(zone_map(layers, basemap=basemap)), "utf-8")
    remote: list[str] = []
    errors: list[str] = []
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            remote.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"],
        )
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            page.route("**/*", route)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", on_dialog)
            page.goto(page_file.as_uri())
            page.wait_for_selector(".leaflet-container")
            page.wait_for_selector("svg path.leaflet-interactive")
            assert page.locator("svg path.leaflet-interactive").count() == 3
            assert page.inner_text(".mp-banner") == SCHEMATIC_BANNER
            legend = page.inner_text(".mp-legend")
            assert "重点开采区（含示意）" in legend and "重点勘查区（示意）" in legend
            assert "重点开采区" in page.inner_text(".leaflet-control-layers")
            # the hostile feature's popup shows the markup as text and runs nothing
            page.locator("svg path.leaflet-interactive").nth(1).click()
            page.wait_for_selector(".leaflet-popup-content .mp-popup")
            popup = page.inner_text(".leaflet-popup-content")
            assert HOSTILE in popup and HOSTILE_IMG in popup and "示意（非实测）" in popup
            page.wait_for_timeout(400)  # let the popup fade in before the screenshot
            if basemap == "osm":
                page.wait_for_selector(".mp-notice")  # tiles failed: the user is told
            suffix = "" if basemap == "none" else f"_{basemap}"
            page.screenshot(path=str(artifacts / f"webmap_offline{suffix}.png"))
        finally:
            browser.close()

    assert errors == []
    assert dialogs == []
    tiles = re.compile(r"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")
    if basemap == "none":
        assert remote == []
    else:
        assert remote and all(tiles.match(u) for u in remote), remote


@pytest.mark.parametrize(("lng", "lat"), [(84.68, 44.43), (81.28, 43.91), (82.49, 43.2),
                                          (85.49, 46.8), (75.2, 39.5)])
def test_mouse_position_shows_gauss_kruger_coordinates_as_pyproj_does(lng: float,
                                                                       lat: float) -> None:
    import re
    import shutil
    import subprocess

    import pyproj

    from mineplan.web.webmap import GK_MOUSE_FORMATTER_JS

    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is needed to run the map's JavaScript formatter")
        pytest.skip("node is not installed")
    script = f"console.log(({GK_MOUSE_FORMATTER_JS})({lng}, {lat}));"
    text = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True,
                          timeout=30).stdout
    zone = round(lng / 3)
    assert f"3度带第{zone}带（EPSG:{4488 + zone}）" in text
    x, y = (float(v) for v in re.search(r"X ([\d.]+) Y ([\d.]+)", text).groups())  # type: ignore[union-attr]
    easting, northing = pyproj.Transformer.from_crs(
        "EPSG:4490", f"EPSG:{4488 + zone}", always_xy=True).transform(lng, lat)
    assert abs(x - northing) < 0.01 and abs(y - easting) < 0.01  # within a centimetre
