"""Web-map payload and time to first render, bundled data and a provincial red line.

Run from the checkout (after `mineplan build`):

    .venv/bin/python bench/bench_webmap.py                  # full size (~10 M vertices)
    .venv/bin/python bench/bench_webmap.py --quick          # small smoke run
    .venv/bin/python bench/bench_webmap.py --interactions   # the browse page, per action

``--interactions`` serves the app and prints the seconds and KB received per planner
action (first render, filter change, plan removed, search) and whether a zoom survives
a filter change (:mod:`bench.webmap_interactions`).

``--cold N`` starts a new server N times (each with an empty temporary folder, so no
prepared layer or map page is on disk) and prints, per milestone of the first visit,
the median seconds from navigation (Streamlit's page, the map's arguments — the
server's work —, the map's page, every layer drawn) and the server process's CPU
seconds until the map was drawn; ``--against DIR`` also runs another checkout's
``app.py`` (e.g. ``git archive main | tar -x -C DIR``), interleaved round by round;
``--restart`` lets each server find what the previous one left in its temporary folder
(the map's page, the prepared layers), as when a bureau's server is restarted.

Prints, for the bundled store and for a synthetic provincial-scale red-line layer
(deterministic, seeded): the vertices in the source, the vertices and bytes of the
page mineplan sends (geometry clipped to the view and simplified to half a screen
pixel by mineplan.web.display), the bytes the same layer would take unsimplified, and
the time from navigation to the first drawn feature in headless Chromium with
the network blocked. Targets (issue "The web map planners work in"): ≤ 5 MB and
≤ 3 s at provincial scale.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from mineplan.layers import read_layer_specs, read_styles
from mineplan.settings import DEFAULT_STORE, home
from mineplan.store import list_layers, read_layer
from mineplan.web.display import DisplayOptions, display_frame
from mineplan.web.maplayers import map_layers
from mineplan.web.webmap import render_offline_html, zone_map

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def synthetic_redline(polygons: int, *, seed: int, big: int = 20) -> gpd.GeoDataFrame:
    """Wavy blobs over Xinjiang (75–95E, 36–49N); ``big`` of them with 50,000 vertices."""
    rng = np.random.default_rng(seed)
    geoms = []
    for i in range(polygons):
        n = 50_000 if i < big else int(rng.integers(200, 800))
        lon, lat = rng.uniform(75, 95), rng.uniform(36, 49)
        r = rng.uniform(0.01, 0.12) if i >= big else rng.uniform(0.5, 1.0)
        t = np.linspace(0, 2 * math.pi, n, endpoint=False)
        radius = r * (1 + 0.15 * np.sin(7 * t + rng.uniform(0, 6)) + 0.05 * np.sin(53 * t))
        ring = np.column_stack([lon + radius * np.cos(t) / math.cos(math.radians(lat)),
                                lat + radius * np.sin(t)])
        geoms.append(shapely.Polygon(ring))
    return gpd.GeoDataFrame({"name": [f"红线{i}" for i in range(polygons)],
                             "data_status": "演示", "geometry_status": "示意",
                             "geom_area_km2": 0.0, "region": "新疆", "geometry_source": "bench"},
                            geometry=geoms, crs="EPSG:4490")


def first_render_seconds(html: str, *, chromium: str) -> float:
    """Navigation → first ``path.leaflet-interactive`` in headless Chromium, network blocked."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "map.html"
        page_path.write_text(html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.route("**/*", lambda route, request: route.continue_()
                       if request.url.startswith(("file:", "data:")) else route.abort())
            start = time.perf_counter()
            page.goto(page_path.as_uri(), wait_until="commit")
            page.locator("path.leaflet-interactive").first.wait_for(timeout=120_000)
            elapsed = time.perf_counter() - start
            browser.close()
    return elapsed


def _vertices(frame: gpd.GeoDataFrame) -> int:
    return int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())


def _report(label: str, frames: dict[str, gpd.GeoDataFrame], *, chromium: str | None) -> None:
    specs = read_layer_specs()
    styles, schematic = read_styles()
    source_vertices = sum(_vertices(f) for f in frames.values())
    raw_bytes = sum(len(f.to_crs("EPSG:4326").to_json()) for f in frames.values())
    t0 = time.perf_counter()
    everything = gpd.GeoDataFrame(geometry=[g for f in frames.values() for g in f.geometry],
                                  crs="EPSG:4490")
    minx, miny, maxx, maxy = everything.to_crs("EPSG:4326").total_bounds
    view = (minx, miny, maxx, maxy)
    shown = {c: display_frame(f, view=view, options=DisplayOptions()) for c, f in frames.items()}
    html = render_offline_html(zone_map(map_layers(shown, specs, styles, schematic)))
    build_s = time.perf_counter() - t0
    sent_vertices = sum(_vertices(f) for f in shown.values())
    print(f"\n== {label}")
    print(f"source vertices           {source_vertices:>14,}")
    print(f"unsimplified GeoJSON      {raw_bytes / 1e6:>14.2f} MB")
    print(f"vertices sent             {sent_vertices:>14,}")
    payload = len(html.encode("utf-8")) / 1e6
    print(f"page payload (HTML)       {payload:>14.2f} MB   (target ≤ 5 MB)")
    print(f"server-side build         {build_s:>14.2f} s")
    if chromium:
        seconds = first_render_seconds(html, chromium=chromium)
        print(f"first render (Chromium)   {seconds:>14.2f} s    (target ≤ 3 s)")
    else:
        print("first render (Chromium)   skipped: /usr/bin/chromium not found")


def _interactions(store: Path, chromium: str | None) -> int:
    """The browse page served on ``store``: seconds and KB per planner action."""
    if chromium is None or not store.is_file():
        print("needs Chromium and a store (run `mineplan build`)")
        return 1
    sys.path.insert(0, str(home()))
    from webmap_interactions import print_table, run  # beside this script

    from tests.browser import serve_app

    with tempfile.TemporaryDirectory() as tmp:
        results = run(store, chromium=chromium, chromium_args=CHROMIUM_ARGS,
                      log=Path(tmp) / "streamlit.log", serve=serve_app)
    print(f"\n== browse page on {store.name} (targets: filter ≤ 0.5 s and ≤ 200 KB, "
          "cold first render ≤ 3 s)")
    print_table(results)
    return 0


def _server_cpu(port: int) -> float:
    """CPU seconds (user + system) used so far by the streamlit server on ``port``."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return math.nan


def _cold(store: Path, chromium: str | None, rounds: int, against: Path | None,
          restart: bool = False) -> int:
    """Cold first renders: a new server each time, nothing prepared on disk (or, with
    ``restart``, what an earlier server on the same store left in the temporary folder)."""
    if chromium is None or not store.is_file():
        print("needs Chromium and a store (run `mineplan build`)")
        return 1
    sys.path.insert(0, str(home()))
    from webmap_interactions import MILESTONES, cold_render  # beside this script

    from tests.browser import APP, serve_app

    apps = {"this checkout": APP, **({str(against): against / "app.py"} if against else {})}
    results: dict[str, list[dict[str, float]]] = {label: [] for label in apps}
    kept = {label: tempfile.mkdtemp(prefix="bench-cold-") for label in apps}
    for round_ in range(rounds + (1 if restart else 0)):
        for label, app in apps.items():
            tmp = kept[label] if restart else tempfile.mkdtemp(prefix="bench-cold-")
            with serve_app({"MINEPLAN_STORE": str(store), "TMPDIR": tmp},
                           log=Path(tmp) / "st.log", app=app) as url:
                port = int(url.rsplit(":", 1)[1])
                before = _server_cpu(port)
                marks = cold_render(url, chromium=chromium, chromium_args=CHROMIUM_ARGS)
                marks["server CPU"] = _server_cpu(port) - before
                if not (restart and round_ == 0):  # the first server fills the folder
                    results[label].append(marks)
            if not restart:
                shutil.rmtree(tmp, ignore_errors=True)
    for tmp in kept.values():
        shutil.rmtree(tmp, ignore_errors=True)
    what = "restarted servers (the folder an earlier one left)" if restart else "new servers"
    print(f"\n== cold first render on {store.name}: median of {rounds} {what} "
          "(seconds from navigation; target: map drawn ≤ 3 s)")
    names = [*MILESTONES, "server", "server CPU"]
    print(f"{'':<22}" + "".join(f"{label[-24:]:>26}" for label in apps))
    for name in names:
        print(f"{name:<22}" + "".join(
            f"{float(np.median([m[name] for m in results[label]])):>26.2f}" for label in apps))
    print("server = session open → map arguments; server CPU = the streamlit process's "
          "user + system seconds until the map was drawn")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--polygons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--quick", action="store_true", help="2,000 polygons, no giants")
    parser.add_argument("--store", type=Path, default=home() / DEFAULT_STORE)
    parser.add_argument("--interactions", action="store_true",
                        help="only the browse page's interactions (bytes and time each)")
    parser.add_argument("--cold", type=int, metavar="N", default=0,
                        help="only the cold first render: N new servers, medians")
    parser.add_argument("--restart", action="store_true",
                        help="with --cold: each server finds what the last one left on disk")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="with --cold: also another checkout's app.py, interleaved")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or ("/usr/bin/chromium"
                                            if Path("/usr/bin/chromium").exists() else None)
    if args.interactions:
        return _interactions(args.store, chromium)
    if args.cold:
        return _cold(args.store.resolve(), chromium, args.cold, args.against,
                     restart=args.restart)
    if args.store.is_file():
        frames = {c: read_layer(args.store, c) for c in list_layers(args.store)}
        frames["XZQ"] = frames["XZQ"][frames["XZQ"]["level"] != "province"]
        _report(f"bundled store ({args.store.name}, {len(frames)} layers)", frames,
                chromium=chromium)
    else:
        print(f"(no store at {args.store}: run `mineplan build` for the bundled-data figures)")
    count = 2_000 if args.quick else args.polygons
    t0 = time.perf_counter()
    red = synthetic_redline(count, seed=args.seed, big=0 if args.quick else 20)
    print(f"\n(generated {count:,} red-line polygons in {time.perf_counter() - t0:.1f} s)")
    _report(f"provincial red line ({count:,} polygons, view = all of it)", {"STHX": red},
            chromium=chromium)
    return 0


if __name__ == "__main__":
    sys.exit(main())
