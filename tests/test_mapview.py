"""Large layers on the web map: display copies in the store, read per view (issues 15, 16).

The store tests run on both backends (``store_location``: a GeoPackage and, with
``MINEPLAN_TEST_PG``, PostGIS — run them with ``bash scripts/test.sh tests/test_mapview.py``).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from mineplan.cli import main as cli_main
from mineplan.generalise import simplify_for_screen
from mineplan.layers import read_layer_specs, read_styles
from mineplan.settings import home
from mineplan.store import (
    overview_layers,
    read_layer,
    read_overview,
    replace_layer,
    write_store,
)
from mineplan.store.overviews import OVERVIEW_MIN_VERTICES
from mineplan.web.livemap import layer_geojson, live_map_args, publish_layers
from mineplan.web.mapview import MapView, view_frame, view_layers
from tests import pg
from tests.browser import open_offline_page, serve_app

sys.path.insert(0, str(home() / "bench"))
from webmap_interactions import map_frame

store_location = pg.store_location  # fixture: each backend

SPECS = read_layer_specs()


def pixel(zoom: int, lat: float) -> float:
    """A Web Mercator screen pixel in degrees of latitude: OSM's 156,543.03 m per pixel at
    zoom 0 on the equator is 1.40625° (= 360° / 256 pixels), halved per zoom, × cos(lat)."""
    return 1.40625 / 2**zoom * math.cos(math.radians(lat))


def wavy_layer(n: int = 220, vertices: int = 1000, *, x0: float = 80.0, y0: float = 40.0,
               seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` wavy blobs (``vertices`` each), 20 a row from (x0, y0), 0.1° apart."""
    rng = np.random.default_rng(seed)
    geoms = []
    t = np.linspace(0, 2 * math.pi, vertices, endpoint=False)
    for i in range(n):
        cx, cy = x0 + 0.1 * (i % 20), y0 + 0.1 * (i // 20)
        r = 0.03 * (1 + 0.1 * np.sin(9 * t + rng.uniform(0, 6)) + 0.03 * np.sin(97 * t))
        geoms.append(shapely.Polygon(np.c_[cx + r * np.cos(t), cy + r * np.sin(t)]))
    return gpd.GeoDataFrame(
        {"name": [f"红线{i}" for i in range(n)], "region": "测试县", "data_status": "导入",
         "geometry_status": "导入", "geometry_source": "test", "source_date": "2026-11-29",
         "geom_area_km2": np.arange(n, dtype=float)},
        geometry=geoms, crs="EPSG:4490")


def zone_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"zone_id": ["t-1"], "name": ["甲矿区"]},
                            geometry=[shapely.box(80.0, 40.0, 80.05, 40.05)], crs="EPSG:4490")


@pytest.fixture()
def big_store(store_location):
    red = wavy_layer()
    assert int(shapely.get_num_coordinates(red.geometry.to_numpy()).sum()) > OVERVIEW_MIN_VERTICES
    write_store(store_location, {"STHX": red, "CKGH": zone_layer()}, specs=SPECS, qml={})
    return store_location, red


def test_only_a_large_layer_gets_display_copies_with_its_attributes(big_store):
    location, red = big_store
    assert overview_layers(location) == ["STHX"]
    assert read_overview(location, "CKGH", zoom=6, bbox=(79, 39, 83, 42)) is None
    whole = read_overview(location, "STHX", zoom=6, bbox=(79, 39, 83, 42))
    assert whole is not None and len(whole) == len(red)
    stored = read_layer(location, "STHX")
    # the copy's rows are the layer's rows: same attributes under the same labels
    assert whole["name"].tolist() == stored.loc[whole.index, "name"].tolist()
    assert whole["geom_area_km2"].tolist() == stored.loc[whole.index, "geom_area_km2"].tolist()
    geoms = whole.geometry.to_numpy()
    assert shapely.is_valid(geoms).all()
    assert shapely.get_num_coordinates(geoms).sum() < 0.1 * 220 * 1000
    # every feature within a screen pixel of the stored one at zoom 6 (areas, both ways)
    px = pixel(6, 41.5)
    ref = stored.loc[whole.index].geometry.to_numpy()
    assert (shapely.area(shapely.difference(geoms, shapely.buffer(ref, px))) < 1e-9).all()
    assert (shapely.area(shapely.difference(ref, shapely.buffer(geoms, px))) < 1e-9).all()


def test_a_view_closer_in_than_the_finest_copy_reads_the_stored_geometry(big_store):
    location, _ = big_store
    assert read_overview(location, "STHX", zoom=12, bbox=(80, 40, 80.1, 40.1)) is None
    view = MapView(80.0, 40.0, 80.05, 40.03, zoom=13)
    frame = view_frame(location, "STHX", view)
    assert len(frame) and shapely.is_valid(frame.geometry.to_numpy()).all()


def test_a_small_view_sends_only_the_features_meeting_it_and_fewer_bytes(big_store):
    location, red = big_store
    styles, schematic = read_styles()
    province = MapView.of_bounds((79.9, 39.9, 82.1, 41.6), width_px=1400)
    county = MapView(80.52, 40.52, 80.68, 40.62, zoom=11)
    sent = {}
    for name, view in (("province", province), ("county", county)):
        layers, covers = view_layers(location, ["STHX"], view, SPECS, styles, schematic)
        data, _, _ = layer_geojson(layers[0])
        sent[name] = (json.loads(data), len(data))
        assert covers["STHX"]["bounds"] == [round(v, 6) for v in view.covered().bbox]
    features = sent["county"][0]["features"]
    box = shapely.box(*county.covered().bbox)
    expected = int(shapely.intersects(red.geometry.to_numpy(), box).sum())  # hand: 3 × 3 blobs
    assert len(features) == expected == 9
    for feature in features:
        assert shapely.intersects(shapely.geometry.shape(feature["geometry"]), box)
    assert sent["county"][1] < sent["province"][1] / 10


def test_the_next_import_replaces_or_removes_the_copies(big_store):
    location, _ = big_store
    spec = SPECS["STHX"]
    moved = wavy_layer(x0=90.0, seed=2)
    replace_layer(location, "STHX", moved, spec=spec)
    assert overview_layers(location) == ["STHX"]
    old_place = read_overview(location, "STHX", zoom=6, bbox=(79, 39, 83, 42))
    assert old_place is not None and old_place.empty
    now = read_overview(location, "STHX", zoom=6, bbox=(89, 39, 93, 42))
    assert now is not None and len(now) == 220 and now.total_bounds[0] > 89.9
    small = wavy_layer(3, 50)
    replace_layer(location, "STHX", small, spec=spec)
    assert overview_layers(location) == []
    assert read_overview(location, "STHX", zoom=6, bbox=(79, 39, 83, 42)) is None


def test_copies_of_a_layer_rewritten_by_another_tool_are_not_used(tmp_path):
    path = tmp_path / "store.gpkg"
    write_store(path, {"STHX": wavy_layer()}, specs=SPECS, qml={})
    assert overview_layers(path) == ["STHX"]
    # QGIS / ogr2ogr rewrite the layer: GDAL sets its last_change, the copies are stale
    pyogrio.write_dataframe(wavy_layer(x0=90.0), path, layer="STHX", driver="GPKG",
                            promote_to_multi=True)
    assert overview_layers(path) == []
    assert read_overview(path, "STHX", zoom=6, bbox=(79, 39, 93, 42)) is None


def test_simplified_rings_are_valid_and_no_feature_vanishes():
    # a comb whose teeth (0.1 apart) a 0.3 tolerance pulls across each other
    teeth = [(x, y) for k in range(49, 0, -1) for x, y in ((k * 0.2 + 0.1, 1), (k * 0.2, 5))]
    comb = [(0, 0), (10, 0), (10, 1), *teeth, (0, 1)]
    holed = shapely.Polygon([(20, 0), (30, 0), (30, 10), (20, 10)],
                            [[(24, 4), (24.1, 4), (24.1, 4.1), (24, 4.1)]])
    speck = shapely.Polygon([(40, 40), (40.01, 40), (40.01, 40.01)])
    spiky = shapely.Polygon([(0, 0), (4, 0), (4, 4), (2.1, 4), (2, 0.2), (1.9, 4), (0, 4)])
    geoms = np.array([shapely.Polygon(comb), holed, speck, spiky, None,
                      shapely.LineString([(0, 0), (1, 0.01), (2, 0)])], dtype=object)
    out = simplify_for_screen(geoms, 0.3)
    assert shapely.is_valid(out[:4]).all()
    assert out[4] is None
    assert out[5].equals(shapely.LineString([(0, 0), (2, 0)]))
    # the hole under the tolerance is dropped, the shell kept exactly
    assert out[1].equals(shapely.box(20, 0, 30, 10))
    # the speck is drawn as its box, not dropped
    assert out[2].equals(shapely.box(40, 40, 40.01, 40.01))
    # the comb's teeth stay within the tolerance: every point of either in the other + 0.3
    for got, want in ((out[0], geoms[0]), (out[3], geoms[3])):
        assert shapely.difference(want, shapely.buffer(got, 0.3 * 2 + 1e-9)).area < 1e-12
        assert shapely.difference(got, shapely.buffer(want, 0.3 * 2 + 1e-9)).area < 1e-12


def test_the_map_reports_only_a_real_view_and_zooms_as_tiles_do():
    assert MapView.from_component(None) is None
    assert MapView.from_component({"west": 1}) is None
    assert MapView.from_component({"west": 5, "south": 0, "east": 4, "north": 1,
                                   "zoom": 3}) is None
    assert MapView.from_component({"west": "nan", "south": 0, "east": 4, "north": 1,
                                   "zoom": 3}) is None
    view = MapView.from_component({"west": 80, "south": 40, "east": 81, "north": 41,
                                   "zoom": 9.0})
    assert view == MapView(80.0, 40.0, 81.0, 41.0, 9)
    # 20° across 1400 pixels: 1400 px / (256 px per 360° · 2**z) = 20° → z = 6.6 → 6
    assert MapView.of_bounds((75, 36, 95, 49), width_px=1400).zoom == 6
    assert view.covered().bbox == (79.5, 39.5, 81.5, 41.5)


def test_the_live_map_is_told_what_a_view_layer_covers(big_store, tmp_path):
    location, _ = big_store
    styles, schematic = read_styles()
    view = MapView(80.52, 40.52, 80.68, 40.62, zoom=11)
    layers, covers = view_layers(location, ["STHX"], view, SPECS, styles, schematic)
    (tmp_path / "data").mkdir()
    published = publish_layers(layers, tmp_path, views=covers)
    args = live_map_args(published, {"STHX": None}, height=500)
    assert args["layers"][0]["view"] == {"bounds": [80.44, 40.47, 80.76, 40.67], "zoom": 11}


# --------------------------------------------------------------------------- Chromium


@pytest.fixture(scope="module")
def served_big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a two-plan store whose red line is a large layer around 伊宁."""
    path = tmp_path_factory.mktemp("store") / "big.gpkg"
    assert cli_main(["build", "-q", "-o", str(path), "--plans", "yining,tekes"]) == 0
    replace_layer(path, "STHX", wavy_layer(x0=80.9, y0=43.4), spec=SPECS["STHX"])
    assert overview_layers(path) == ["STHX"]
    log = tmp_path_factory.mktemp("log") / "streamlit.log"
    with serve_app({"MINEPLAN_STORE": str(path)}, log=log) as url:
        yield url


_RED = """() => { const e = window.mineplanLiveMap.layers.STHX;
  return e && e.geo ? {view: e.spec.view, url: e.spec.url, n: e.all.length,
                       boxes: e.geo.getLayers().map(l => l.getBounds().toBBoxString())}
                    : null; }"""


@pytest.mark.browser
@pytest.mark.slow
def test_the_map_asks_for_the_red_line_of_the_view_it_shows(served_big: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    outside: list[str] = []
    with sync_api.sync_playwright() as p:
        browser, page = open_offline_page(p, served_big, outside)
        frame = map_frame(page, 90)
        frame.wait_for_function("() => window.mineplanLiveMap && window.mineplanLiveMap.loaded()"
                                " && window.mineplanLiveMap.layers.STHX", timeout=60_000)
        frame.wait_for_function(f"() => ({_RED})() !== null", timeout=60_000)
        page.wait_for_timeout(3000)  # the first fit, and the view it reports
        first = frame.evaluate(_RED)
        assert first["view"] is not None and first["n"] > 0
        # close in on one blob: the map reports the view, the page sends that view's part
        frame.evaluate("() => window.mineplanLiveMap.map.setView([43.8, 81.5], 14)")
        frame.wait_for_function(f"() => {{ const r = ({_RED})(); return r && r.view"
                                " && r.view.zoom === 14 && window.mineplanLiveMap.loaded(); }",
                                timeout=90_000)
        page.wait_for_timeout(500)
        close = frame.evaluate(_RED)
        west, south, east, north = close["view"]["bounds"]
        assert west < 81.5 < east and south < 43.8 < north
        assert 0 < close["n"] < first["n"] and close["url"] != first["url"]
        for text in close["boxes"]:  # every feature drawn is in the box sent
            w, s, e, n = (float(v) for v in text.split(","))
            assert w >= west - 1e-6 and e <= east + 1e-6 and s >= south - 1e-6 \
                and n <= north + 1e-6
        assert not frame.evaluate("() => window.mineplanLiveMap.viewNeeded()")
        browser.close()
    assert not outside, outside[:5]
