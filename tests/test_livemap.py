"""The browse page's live map (mineplan.web.livemap): unit tests, and Chromium end to end.

In Chromium (network blocked): a zoom survives a filter change, which sends little;
a click lists every zone under it (identify); every page speaks Chinese.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from mineplan.cli import main as cli_main
from mineplan.settings import home
from mineplan.store import list_layers, read_layer
from mineplan.web.livemap import (
    keep_facts,
    kept_facts,
    layer_geojson,
    live_map_args,
    publish_layers,
    published_layers,
    read_published,
    visible_ids,
)
from mineplan.web.messages import planner_words
from mineplan.web.webmap import MapLayer
from tests.browser import open_offline_page, serve_app

sys.path.insert(0, str(home() / "bench"))
from webmap_interactions import Traffic, map_frame, watch

_STYLE = {"fill": "#FF0000", "stroke": "#800000", "fill_opacity": 0.3, "weight": 0.5}


def _layer(code: str = "A", **extra: object) -> MapLayer:
    frame = gpd.GeoDataFrame(
        {"zone_id": ["a-1", "a-2", "a-3"], "name": ["甲", "乙", None],
         "geometry_status": ["示意", "导入", "导入"]},
        geometry=[box(80, 40, 81, 41), box(80.5, 40.5, 81.5, 41.5), None], crs=4490)
    return MapLayer(code=code, title="甲层", gdf=frame, style=_STYLE,
                    popup_fields=[("name", "名称")], **extra)  # type: ignore[arg-type]


def test_layer_geojson_has_ids_tooltips_and_popups() -> None:
    data, ids, extent = layer_geojson(_layer())
    features = json.loads(data)["features"]
    assert ids == ("0", "1") and [f["id"] for f in features] == ["0", "1"]  # no empty one
    assert features[0]["properties"]["tip"] == "甲 a-1"
    assert "甲层" in features[0]["properties"]["popup_html"]
    assert [f["properties"]["restyle"] for f in features] == [True, False]
    assert extent == "some"


def test_published_files_are_named_by_content(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    first = publish_layers([_layer()], tmp_path)[0]
    again = publish_layers([_layer()], tmp_path)[0]
    assert first.url == again.url and (tmp_path / first.url).is_file()
    assert first.schematic_style["dashArray"] and not first.style["dashArray"]


def test_prepared_layers_are_read_back_by_a_new_server(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    made: list[int] = []

    def make() -> list[MapLayer]:
        made.append(1)
        return [_layer("A"), _layer("B")]

    first = published_layers("store.gpkg#1", make, tmp_path)
    assert published_layers("store.gpkg#1", make, tmp_path) == first and len(made) == 1
    assert [x.code for x in first] == ["A", "B"] and first[0].ids == ("0", "1")
    published_layers("store.gpkg#2", make, tmp_path)  # a new store version: made again
    assert len(made) == 2
    (tmp_path / first[1].url).unlink()  # a file gone (temporary folder cleaned): made again
    assert published_layers("store.gpkg#1", make, tmp_path) == first and len(made) == 3


def test_kept_layers_and_facts_are_read_back_only_for_their_key(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    # what a session's first run draws the browse map from, without geopandas
    (tmp_path / "data").mkdir()
    assert read_published("store.gpkg#1", tmp_path) is None  # nothing published yet
    assert kept_facts("store.gpkg#1", tmp_path) is None
    first = published_layers("store.gpkg#1", lambda: [_layer("A")], tmp_path)
    keep_facts("store.gpkg#1", tmp_path, {"regions": ["特克斯县"], "visible": {"A": None}})
    assert read_published("store.gpkg#1", tmp_path) == first
    assert kept_facts("store.gpkg#1", tmp_path) == {"regions": ["特克斯县"],
                                                    "visible": {"A": None}}
    assert kept_facts("store.gpkg#2", tmp_path) is None  # another store version
    assert read_published("store.gpkg#2", tmp_path) is None
    monkeypatch.setattr("mineplan.web.livemap._KEY", "other web code")
    assert kept_facts("store.gpkg#1", tmp_path) is None  # mineplan's web code changed
    assert read_published("store.gpkg#1", tmp_path) is None


def test_args_carry_ids_not_geometry(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    layer = publish_layers([_layer()], tmp_path)[0]
    full = _layer().gdf
    assert visible_ids(full, full) is None
    assert visible_ids(full, full.iloc[[1]]) == ["1"]
    args = live_map_args([layer], {"A": ["1"]}, height=500, focus=[("A", "1")],
                         fit={"token": "t"})
    assert args["visible"] == {"A": ["1"]} and args["focus"] == [["A", "1"]]
    assert "coordinates" not in json.dumps(args)
    assert "甲层" in args["legend_html"] and args["banner"]  # a schematic feature is shown
    hidden = live_map_args([layer], {}, height=500)
    assert hidden["layers"] == [] and hidden["banner"] is None


# --------------------------------------------------------------------------- Chromium


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "small.gpkg"
    assert cli_main(["build", "-q", "-o", str(path), "--plans", "yining,tekes"]) == 0
    return path


@pytest.fixture(scope="module")
def served(small_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("log") / "streamlit.log"
    with serve_app({"MINEPLAN_STORE": str(small_store)}, log=log) as url:
        yield url


def _page(p, url: str, outside: list[str]):
    browser, page = open_offline_page(p, url, outside)
    frame = map_frame(page, 90)
    frame.wait_for_function("() => window.mineplanLiveMap && window.mineplanLiveMap.loaded()",
                            timeout=60_000)
    page.wait_for_timeout(1000)  # the first fit
    return browser, page


def _view(page) -> list[float]:
    return map_frame(page).evaluate(
        "() => { const m = window.mineplanLiveMap.map; const c = m.getCenter();"
        " return [c.lat, c.lng, m.getZoom()]; }")


def _count(page) -> int:
    return int(map_frame(page).locator("path.leaflet-interactive").count())


@pytest.mark.browser
@pytest.mark.slow
def test_zoom_is_kept_across_a_filter_change(served: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    outside: list[str] = []
    traffic = Traffic()
    with sync_api.sync_playwright() as p:
        browser, page = _page(p, served, outside)
        watch(page, traffic)
        frame = map_frame(page)
        for _ in range(2):
            frame.locator(".leaflet-control-zoom-in").click()
            page.wait_for_timeout(500)
        zoomed = _view(page)
        before = _count(page)
        traffic.reset()
        mineral = page.get_by_label("矿种包含")
        mineral.fill("金")
        start = time.perf_counter()
        mineral.press("Enter")
        while _count(page) == before and time.perf_counter() - start < 30:
            page.wait_for_timeout(20)
        seconds = time.perf_counter() - start
        page.wait_for_timeout(1500)
        assert _count(page) < before  # filtered …
        assert _view(page) == zoomed  # … where the planner was
        assert traffic.total() < 200 * 1024, traffic.total()
        assert seconds < 5, seconds  # issue 14: ≤ 0.5 s (bench); loose for a busy CI
        browser.close()
    assert not outside, outside[:5]


def _overlap(store: Path) -> tuple[float, float, list[str]]:
    """A point inside two zones of different layers, and the two zones' names."""
    zones = [read_layer(store, c) for c in list_layers(store)]
    zones = [z for z in zones if "zone_id" in z and len(z) and z["zone_id"].notna().all()]
    for i, a in enumerate(zones):
        for b in zones[i + 1:]:
            pairs = gpd.sjoin(a[["name", "geometry"]], b[["name", "geometry"]],
                              predicate="intersects")
            for idx, row in pairs.iterrows():
                both = a.geometry.loc[idx].intersection(b.geometry.loc[row["index_right"]])
                if both.area > 1e-6:
                    point = both.representative_point()
                    return point.y, point.x, [row["name_left"], row["name_right"]]
    pytest.skip("no overlapping zones in the store")


@pytest.mark.browser
@pytest.mark.slow
def test_a_click_lists_every_zone_under_it(served: str, small_store: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    lat, lon, names = _overlap(small_store)
    outside: list[str] = []
    with sync_api.sync_playwright() as p:
        browser, page = _page(p, served, outside)
        frame = map_frame(page)
        frame.evaluate(f"() => window.mineplanLiveMap.map.setView([{lat}, {lon}], 13,"
                       " {animate: false})")
        page.wait_for_timeout(800)
        x, y = frame.evaluate(f"() => {{ const p = window.mineplanLiveMap.map"
                              f".latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}")
        iframe = page.locator("iframe[title*=mineplan_map]").first
        iframe.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        where = iframe.bounding_box()
        assert where is not None
        page.mouse.click(where["x"] + x, where["y"] + y)
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        text = popup.inner_text()
        assert "个要素" in text and all(name in text for name in names), (names, text)
        # hover: a tooltip with the zone's name and number
        frame.locator(".leaflet-popup-close-button").click()
        page.mouse.move(where["x"] + 5, where["y"] + 5)
        page.mouse.move(where["x"] + x, where["y"] + y)
        tip = frame.locator(".mp-tip")
        tip.first.wait_for(timeout=10_000)
        assert tip.first.inner_text().strip()  # the topmost feature's name (and number)
        browser.close()
    assert not outside, outside[:5]


#: What a planner reads on a page: its text, less the icons (Material Symbols draws
#: an icon from its name: "upload" shows as an arrow) and text CSS has hidden.
_VISIBLE_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.style.position = "absolute"; copy.style.left = "-99999px";
  document.body.appendChild(copy);
  copy.querySelectorAll('[data-testid="stIconMaterial"], script, style').forEach(
      e => e.remove());
  copy.querySelectorAll("*").forEach(e => {  // English hidden by font-size: 0 (CSS)
    if (e.isConnected && getComputedStyle(e).fontSize === "0px") { e.textContent = ""; }
  });
  const text = copy.innerText;
  copy.remove();
  return text;
}"""


def _visible_text(frame) -> str:
    return str(frame.evaluate(_VISIBLE_TEXT))


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_speaks_chinese_in_chromium(served: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    outside: list[str] = []
    with sync_api.sync_playwright() as p:
        browser, page = _page(p, served, outside)
        found = {}
        for title in ["浏览地图", "导入图形", "检查"]:
            page.get_by_text(title).first.click()
            page.wait_for_timeout(3000)
            texts = [_visible_text(f) for f in page.frames if f.url.startswith("http")]
            found[title] = sorted({line for t in texts for line in t.splitlines()
                                   if planner_words(line)})
        browser.close()
    assert not any(found.values()), found


@pytest.mark.browser
@pytest.mark.slow
def test_an_oversize_upload_is_refused_in_chinese_in_chromium(
        small_store: Path, tmp_path: Path) -> None:
    """The limit 0.5 MB: the uploader's own (1 MB, whole MB) refuses a 1.5 MB file in the
    browser — Streamlit's English "File must be 1.0MB or smaller." under the file and
    in its tooltip said in Chinese —, the page refuses a 0.7 MB one naming 选择文件."""
    sync_api = pytest.importorskip("playwright.sync_api")
    big, middle = tmp_path / "big.zip", tmp_path / "middle.zip"
    big.write_bytes(b"PK\x03\x04" + bytes(3 * 2**19))
    middle.write_bytes(b"PK\x03\x04" + bytes(7 * 2**17))
    outside: list[str] = []
    env = {"MINEPLAN_STORE": str(small_store), "MINEPLAN_MAX_UPLOAD_MB": "0.5"}
    with serve_app(env, log=tmp_path / "streamlit.log") as url, \
            sync_api.sync_playwright() as p:
        browser, page = _page(p, url, outside)
        page.get_by_text("导入图形").first.click()
        page.get_by_text("请选择要导入的文件").wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(str(big))
        chip = page.locator('[data-testid="stFileChip"][aria-invalid="true"]')
        chip.wait_for(timeout=30_000)
        chip.hover()
        page.locator('[data-testid="stTooltipErrorContent"]').wait_for(timeout=10_000)
        text = _visible_text(page.main_frame)  # English hidden (font-size 0) …
        assert not [line for line in text.splitlines() if planner_words(line)], text
        said = page.evaluate("""() => [...document.querySelectorAll(
            '[data-testid="stFileChip"][aria-invalid="true"], [data-testid="stFileChip"] '
            + '[role="alert"], [data-testid="stTooltipErrorContent"]')].map(
            e => getComputedStyle(e, "::after").content).join("|")""")
        assert said.count("超过上限 0.5 MB") == 3, said  # … Chinese drawn in its place
        page.locator('[data-testid="stFileChipDeleteBtn"] button').click()
        page.locator("input[type=file]").set_input_files(str(middle))
        page.get_by_text("“选择文件”中的文件过大").wait_for(timeout=60_000)
        text = _visible_text(page.main_frame)
        assert not [line for line in text.splitlines() if planner_words(line)], text
        browser.close()
    assert not outside, outside[:5]


def test_a_store_write_never_fails_for_the_web_maps_preparation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`start_prepare` (run after every write of a store) starts nothing when
    MINEPLAN_WEB_PREPARE=0, and says nothing when the process cannot be started."""
    import subprocess

    from mineplan.web.prepare import start_prepare

    started: list[list[str]] = []

    def refuse(argv: list[str], **_: object) -> None:
        started.append(argv)
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setenv("MINEPLAN_WEB_PREPARE", "0")
    start_prepare("store.gpkg")
    assert started == []
    monkeypatch.setenv("MINEPLAN_WEB_PREPARE", "1")
    start_prepare("store.gpkg")  # no error
    assert started and started[0][-2:] == ["mineplan.web.prepare",
                                           str(Path("store.gpkg").resolve())]


def test_the_kept_view_is_found_from_a_relative_or_absolute_store_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command run with a relative -o and a server with an absolute MINEPLAN_STORE (or
    the other way round) name the same store: the same kept view."""
    from mineplan.web.prepare import definitions, layers_key

    monkeypatch.chdir(tmp_path)
    defs = definitions()
    assert layers_key("s.gpkg", 1, defs) == layers_key(tmp_path / "s.gpkg", 1, defs)
    assert layers_key("s.gpkg", 1, defs) != layers_key("s.gpkg", 2, defs)
    url = "postgresql://planner@db/gis?schema=county"
    assert layers_key(url, 1, defs).startswith(url + "#1#")


def test_a_first_view_being_prepared_is_waited_for_not_worked_out_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While a command's background preparation of a store version runs, a page opened on
    that version waits for it (bounded); a mark left by a process that is gone is not
    waited on."""
    import subprocess
    import tempfile
    import threading

    from mineplan.web.livemap import component_dir, preparing, under_preparation
    from mineplan.web.prepare import definitions, first_view, layers_key

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder, defs = component_dir(), definitions()
    key = layers_key("s.gpkg", 7, defs)
    assert not under_preparation(key, folder)
    with preparing(key, folder):
        assert under_preparation(key, folder)
        mark = next(folder.glob("data/preparing-*.json"))
        def finish() -> None:  # what the preparation keeps, half a second later
            published_layers(key, list, folder)
            keep_facts(key, folder, {"regions": ["特克斯县"]})

        done = threading.Timer(0.5, finish)
        done.start()
        found = first_view("s.gpkg", 7, defs, wait=30.0)
        done.join()
    assert found == ({"regions": ["特克斯县"]}, [])
    assert not mark.exists() and not under_preparation(key, folder)  # gone with the block
    assert first_view("s.gpkg", 8, defs, wait=30.0) is None  # nothing being prepared

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    mark.write_text(f'{{"pid": {gone.pid}}}', encoding="utf-8")
    assert not under_preparation(key, folder)  # its process is gone: not waited for
