"""Bytes and time per interaction on the browse page, in Chromium, network blocked.

Used by ``bench/bench_webmap.py --interactions`` (and by the browser test of the map
keeping its state). Runs ``streamlit run app.py`` of the checkout it is imported from
on the given store, then measures, each from the planner's action to the map showing
its result: the cold first render (a fresh server), a warm first render (a second
visit), a filter change (a mineral typed), a plan removed from the filter, a search,
and whether the zoom set by the planner survived the filter change.

Works on the old browse page too (a folium page in an ``st.iframe``), for the
before/after table: it finds the map as the frame holding ``.leaflet-container``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PATHS = "path.leaflet-interactive"


@dataclass
class Traffic:
    """Bytes the browser received (websocket frames and HTTP bodies) since ``reset``."""

    ws: int = 0
    http: int = 0
    requests: list[Any] = field(default_factory=list)

    def reset(self) -> None:
        self.ws = self.http = 0
        self.requests = []

    def total(self) -> int:
        for request in self.requests:
            try:
                sizes = request.sizes()
                self.http += int(sizes.get("responseBodySize", 0))
            except Exception:
                pass
        self.requests = []
        return self.ws + self.http


def watch(page: Any, traffic: Traffic) -> None:
    def on_ws(ws: Any) -> None:
        ws.on("framereceived", lambda payload: setattr(
            traffic, "ws", traffic.ws + len(payload if isinstance(payload, bytes)
                                            else payload.encode("utf-8"))))
    page.on("websocket", on_ws)
    page.on("requestfinished", lambda request: traffic.requests.append(request))


def map_frame(page: Any, timeout_s: float = 60.0) -> Any:
    """The frame that holds the Leaflet map (live component or old srcdoc page)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.locator(".leaflet-container").count():
                    return frame
            except Exception:
                continue
        page.wait_for_timeout(50)
    raise TimeoutError("no map frame")


def _wait(condition: Callable[[], bool], timeout_s: float = 60.0) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        try:
            if condition():
                return time.perf_counter() - start
        except Exception:
            pass
        time.sleep(0.02)
    raise TimeoutError("the map did not change")


def _count(page: Any) -> int:
    return int(map_frame(page, 5).locator(PATHS).count())


def _view(page: Any) -> tuple[float, float, int] | None:
    """Centre and zoom of the live map (None on the old page: no handle to its map)."""
    frame = map_frame(page, 5)
    return frame.evaluate("""() => { const h = window.mineplanLiveMap;
        if (!h) { return null; } const c = h.map.getCenter();
        return [c.lat, c.lng, h.map.getZoom()]; }""")


@contextmanager
def _browser(chromium: str, args: list[str]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        try:
            yield browser
        finally:
            browser.close()


def _open(browser: Any, url: str, traffic: Traffic) -> tuple[Any, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route("**/*", lambda route, request: route.continue_()
               if request.url.startswith(("http://127.0.0.1", "data:", "about:", "blob:"))
               else route.abort())
    watch(page, traffic)
    traffic.reset()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if map_frame(page, 1).locator(PATHS).count() > 20:
                break
        except TimeoutError:
            pass
        page.wait_for_timeout(20)
    return page, time.perf_counter() - start


#: The milestones of :func:`cold_render`, in order, with what each marks.
MILESTONES = {
    "frontend": "Streamlit's page loaded, session open (websocket)",
    "first element": "the server's first element of the page (script started)",
    "map element": "the map component's arguments (the server's work done)",
    "map page": "the component's page loaded (Leaflet ready)",
    "map drawn": "every layer fetched and drawn",
}


def cold_render(url: str, *, chromium: str, chromium_args: list[str]) -> dict[str, float]:
    """Seconds from navigation to each of :data:`MILESTONES`, on the first visit.

    Call on a freshly started server (nothing cached): the first visit pays the
    page's imports, the store read and the layers' preparation. "server" is the
    time from the session opening to the map's arguments arriving.
    """
    marks: dict[str, float] = {}
    with _browser(chromium, chromium_args) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.route("**/*", lambda route, request: route.continue_()
                   if request.url.startswith(("http://127.0.0.1", "data:", "about:", "blob:"))
                   else route.abort())
        start = time.perf_counter()

        def mark(name: str) -> None:
            marks.setdefault(name, time.perf_counter() - start)

        def on_frame(payload: bytes | str) -> None:
            data = payload if isinstance(payload, bytes) else payload.encode("utf-8")
            if len(data) > 200:  # not a heartbeat or a status message
                mark("first element")
            if b"mineplan_map" in data:
                mark("map element")

        def on_ws(ws: Any) -> None:
            mark("frontend")
            ws.on("framereceived", on_frame)

        page.on("websocket", on_ws)
        page.on("requestfinished", lambda request: mark("map page")
                if "mineplan_map/index.html" in request.url else None)
        page.goto(url, wait_until="commit")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if map_frame(page, 1).evaluate(
                        "() => !!window.mineplanLiveMap && window.mineplanLiveMap.loaded()"
                        " && document.querySelectorAll('path.leaflet-interactive').length > 0"):
                    mark("map drawn")
                    break
            except Exception:
                pass
            page.wait_for_timeout(10)
        page.close()
    if "map drawn" not in marks:
        raise TimeoutError("the map was not drawn within 120 s")
    marks["server"] = marks.get("map element", 0.0) - marks.get("frontend", 0.0)
    return marks


def print_cold(marks: dict[str, float]) -> None:
    print(f"{'cold first render':<24}{'seconds':>10}")
    for name, what in MILESTONES.items():
        print(f"{name:<24}{marks.get(name, float('nan')):>10.2f}   {what}")
    print(f"{'server (session → map)':<24}{marks['server']:>10.2f}   "
          "imports, store read, layers prepared, page run")


def measure(url: str, *, chromium: str, chromium_args: list[str]) -> dict[str, Any]:
    """Every interaction's seconds and bytes, and whether the zoom was kept."""
    out: dict[str, Any] = {}
    traffic = Traffic()
    with _browser(chromium, chromium_args) as browser:
        page, seconds = _open(browser, url, traffic)
        out["cold first render"] = (seconds, traffic.total())
        page.close()
        page, seconds = _open(browser, url, traffic)
        out["warm first render"] = (seconds, traffic.total())
        page.wait_for_timeout(1500)

        # the planner zooms in twice (the + button), then types a mineral
        frame = map_frame(page)
        for _ in range(2):
            frame.locator(".leaflet-control-zoom-in").click()
            page.wait_for_timeout(400)
        zoomed = _view(page)
        before = _count(page)
        traffic.reset()
        mineral = page.get_by_label("矿种包含")
        mineral.fill("金")
        start = time.perf_counter()
        mineral.press("Enter")
        _wait(lambda: _count(page) != before)
        out["filter change (矿种)"] = (time.perf_counter() - start, None)
        page.wait_for_timeout(1500)  # the rerun's last messages
        out["filter change (矿种)"] = (out["filter change (矿种)"][0], traffic.total())
        after = _view(page)
        out["zoom kept"] = None if zoomed is None else (zoomed == after, zoomed, after)

        # the planner clears the mineral, then removes a plan (the map fits the rest)
        mineral.fill("")
        mineral.press("Enter")
        page.wait_for_timeout(2500)
        before = _count(page)
        traffic.reset()
        start = time.perf_counter()
        page.get_by_role("button", name="Remove 乌苏市").first.click() \
            if page.get_by_role("button", name="Remove 乌苏市").count() else \
            page.locator('[data-baseweb="tag"]', has_text="乌苏市").locator(
                "[role=presentation], svg").first.click()
        _wait(lambda: _count(page) != before)
        seconds = time.perf_counter() - start
        page.wait_for_timeout(1500)
        out["plan removed"] = (seconds, traffic.total())

        # search a zone: outlined (focus colour) on the map
        traffic.reset()
        search = page.get_by_label("查找分区（编号、序号或名称）")
        search.fill("tekes-YSCK-001")
        start = time.perf_counter()
        search.press("Enter")
        _wait(lambda: map_frame(page, 5).locator('path[stroke="#00B7FF"]').count() > 0)
        seconds = time.perf_counter() - start
        page.wait_for_timeout(1500)
        out["search"] = (seconds, traffic.total())
        page.close()
    return out


def print_table(results: dict[str, Any]) -> None:
    print(f"{'interaction':<24}{'seconds':>10}{'KB received':>14}")
    for name, value in results.items():
        if name == "zoom kept":
            print(f"{name:<24}{'' if value is None else str(value[0]):>10}"
                  + ("" if value is None else f"   {value[1]} → {value[2]}"))
            continue
        seconds, size = value
        print(f"{name:<24}{seconds:>10.2f}{(size or 0) / 1024:>14.1f}")


def run(store: Path, *, chromium: str, chromium_args: list[str], log: Path,
        serve: Callable[..., Any]) -> dict[str, Any]:
    """Serve the app on ``store`` and :func:`measure` it."""
    with serve({"MINEPLAN_STORE": str(store)}, log=log) as url:
        return measure(url, chromium=chromium, chromium_args=chromium_args)
