"""Web-map payload and time to first render, bundled data and a provincial red line.

Run from the checkout (after `mineplan build`):

    .venv/bin/python bench/bench_webmap.py                  # full size (~10 M vertices)
    .venv/bin/python bench/bench_webmap.py --quick          # small smoke run
    .venv/bin/python bench/bench_webmap.py --interactions   # the browse page, per action
    .venv/bin/python bench/bench_webmap.py --views          # server time per map view
    .venv/bin/python bench/bench_webmap.py --views --pg postgresql://…?schema=bench

``--views`` writes bench_overlap's provincial red line (20,000 polygons, 12.7 M
vertices) into a GeoPackage store (and a PostGIS one with ``--pg`` or
``MINEPLAN_TEST_PG``) through ``mineplan.store.write_store`` — which also writes the
layer's per-zoom display copies — and prints, per map view (province, prefecture,
county, close-up), the server-side CPU time from the view to the GeoJSON the live
map receives (``mineplan.web.mapview.view_layers`` + ``livemap.layer_geojson``,
median of 3), the features, vertices and bytes sent, whether every ring is valid
and how many of the drawn features (the 300 with most vertices) are more than a
screen pixel off the stored one clipped to the same box (Hausdorff distance of the
areas, at that zoom and the feature's latitude); the same view served
without display copies (the stored geometry read in the box, simplified without
topology preservation and repaired per view: the alternative issue 16 names); and,
once, the way the page did it before (the layer read whole, reprojected and
simplified with topology preservation for the view).

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
(the map's page, the prepared layers), as when a bureau's server is restarted;
``--after-build`` runs ``mineplan build -o`` into a new store and folder first and starts
the server at once (the README's ``mineplan build && streamlit run app.py``: no server
has run on that store), with the build's background preparation of the map
(``mineplan.web.prepare``) and without it (``MINEPLAN_WEB_PREPARE=0``), interleaved
(``PYTHONPATH=.``: this checkout's code, not the installed one's, builds and serves).

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
import statistics
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


def _cpu(fn, runs: int = 3) -> tuple[float, object]:
    """Median CPU seconds of ``runs`` calls of ``fn`` and its last result."""
    times, out = [], None
    for _ in range(runs):
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return statistics.median(times), out


def _old_page_view(location: str, view: tuple[float, float, float, float],
                   width_px: int = 1400) -> bytes:
    """How the browse page drew a large layer before display copies: read whole,
    reprojected, clipped, simplified with topology preservation to a pixel."""
    from mineplan.web.livemap import layer_geojson

    frame = read_layer(location, "STHX").to_crs("EPSG:4326")
    minx, miny, maxx, maxy = view
    geoms = frame.geometry.to_numpy()
    touching = shapely.intersects(geoms, shapely.box(*view))
    frame, geoms = frame[touching], geoms[touching]
    clipped = shapely.clip_by_rect(geoms, minx, miny, maxx, maxy)
    pixel = (maxx - minx) / width_px * max(math.cos(math.radians((miny + maxy) / 2)), 0.2)
    simple = shapely.simplify(clipped, pixel, preserve_topology=True)
    frame = frame.set_geometry(gpd.GeoSeries(simple, index=frame.index, crs="EPSG:4326"))
    specs = read_layer_specs()
    styles, schematic = read_styles()
    layer = map_layers({"STHX": frame}, specs, styles, schematic, vertex_budget=2**62)[0]
    return layer_geojson(layer)[0]


def _quality(original: gpd.GeoDataFrame, view, frame: gpd.GeoDataFrame, sample: int = 300
             ) -> tuple[bool, int, int]:
    """(every ring valid, features checked, features more than a pixel off) of drawn vs
    stored features: the ``sample`` with most vertices drawn, each compared with the
    stored one clipped to the same box; "more than a pixel off" = outside the other
    grown by one screen pixel (at the view's zoom and the feature's latitude), either
    way: the Hausdorff distance of the areas is over a pixel."""
    from mineplan.generalise import pixel_degrees

    geoms = frame.geometry.to_numpy()
    valid = bool(shapely.is_valid(geoms).all())
    if not len(frame):
        return valid, 0, 0
    box = view.covered()
    picked = frame.iloc[np.argsort(-shapely.get_num_coordinates(geoms))[:sample]]
    by_name = original.set_index("name").geometry
    ref = shapely.make_valid(shapely.clip_by_rect(by_name.loc[picked["name"]].to_numpy(),
                                                  *box.bbox))
    drawn = picked.geometry.to_numpy()
    bounds = shapely.bounds(ref)  # a pixel on screen where the feature is (Web Mercator)
    pixel = pixel_degrees(view.zoom, np.maximum(abs(bounds[:, 1]), abs(bounds[:, 3])))
    sliver = 1e-6 * pixel**2  # what floating point leaves of an empty difference
    off = ((shapely.area(shapely.difference(drawn, shapely.buffer(ref, pixel))) > sliver)
           | (shapely.area(shapely.difference(ref, shapely.buffer(drawn, pixel))) > sliver))
    return valid, len(picked), int(off.sum())


def _views(pg: str | None, polygons: int, seed: int) -> int:
    """Server-side time per map view of a provincial red line in a store."""
    from bench_overlap import make_redline  # beside this script

    from mineplan.store import write_store
    from mineplan.web.livemap import layer_geojson
    from mineplan.web.mapview import MapView, view_frame, view_layers

    specs = read_layer_specs()
    styles, schematic = read_styles()
    red = make_redline(polygons, seed=seed)
    red = gpd.GeoDataFrame({"name": [f"红线{i}" for i in range(len(red))], "region": "新疆",
                            "data_status": "导入", "geometry_status": "导入",
                            "geometry_source": "bench", "source_date": "2026-11-29",
                            "geom_area_km2": 0.0}, geometry=red.geometry.to_numpy(),
                           crs=red.crs)
    minx, miny, maxx, maxy = (float(v) for v in red.total_bounds)
    # county and close-up views on the outline of the largest polygon
    biggest = red.geometry.iloc[int(np.argmax(shapely.get_num_coordinates(
        red.geometry.to_numpy())))]
    cx, cy = shapely.get_coordinates(biggest)[0]
    views = [
        ("province", MapView.of_bounds((minx, miny, maxx, maxy), width_px=1400)),
        ("prefecture", MapView.of_bounds((cx - 2, cy - 1.2, cx + 2, cy + 1.2), width_px=1400)),
        ("county", MapView.of_bounds((cx - 0.5, cy - 0.3, cx + 0.5, cy + 0.3), width_px=1400)),
        ("close-up", MapView.of_bounds((cx - 0.05, cy - 0.03, cx + 0.05, cy + 0.03),
                                       width_px=1400)),
    ]
    vertices = int(shapely.get_num_coordinates(red.geometry.to_numpy()).sum())
    print(f"\n== provincial red line in a store: {len(red):,} polygons, {vertices:,} vertices")
    with tempfile.TemporaryDirectory() as tmp:
        locations = [("GeoPackage", str(Path(tmp) / "red.gpkg"))]
        if pg:
            locations.append(("PostGIS", pg))
        for label, location in locations:
            t0 = time.process_time()
            wall = time.perf_counter()
            write_store(location, {"STHX": red}, specs=specs, qml={})
            print(f"\n{label}: write_store {time.process_time() - t0:.1f} s CPU "
                  f"({time.perf_counter() - wall:.1f} s wall), display copies included")
            print(f"{'view':<11} {'zoom':>4} {'CPU s':>7} {'features':>9} {'vertices':>10} "
                  f"{'KB':>8} {'valid':>6} {'> 1 px off':>12} {'no copies s':>12}")
            original = read_layer(location, "STHX")
            for name, view in views:
                def serve(view: MapView = view, location: str = location) -> bytes:
                    layers, _ = view_layers(location, ["STHX"], view, specs, styles, schematic)
                    return b"".join(layer_geojson(x)[0] for x in layers)

                seconds, data = _cpu(serve)
                assert isinstance(data, bytes)

                def uncopied(view: MapView = view, location: str = location) -> bytes:
                    box = view.covered().bbox  # the alternative: no copies, per view
                    frame = display_frame(read_layer(location, "STHX", bbox=box), view=box,
                                          zoom=view.zoom)
                    layers = map_layers({"STHX": frame}, specs, styles, schematic,
                                        vertex_budget=2**62)
                    return b"".join(layer_geojson(x)[0] for x in layers)

                alternative, _ = _cpu(uncopied, runs=1)
                frame = view_frame(location, "STHX", view,
                                   options=DisplayOptions(max_features=10**9))
                valid, checked, off = _quality(original, view, frame)
                sent = int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())
                print(f"{name:<11} {view.zoom:>4} {seconds:>7.2f} {len(frame):>9,} "
                      f"{sent:>10,} {len(data) / 1e3:>8.0f} {valid!s:>6} {f'{off}/{checked}':>12} "
                      f"{alternative:>12.2f}")
            box = views[0][1].covered().bbox
            seconds, data = _cpu(lambda: _old_page_view(location, box),  # noqa: B023
                                 runs=1)
            assert isinstance(data, bytes)
            print(f"before (whole layer read, topology-preserving simplify), province view: "
                  f"{seconds:.2f} s CPU, {len(data) / 1e3:.0f} KB")
    return 0


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


def _preparing(folder: str) -> bool:
    """Whether a ``mineplan.web.prepare`` process for a store in ``folder`` still runs."""
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes() if proc.name.isdigit() else b""
        except OSError:
            continue
        if b"mineplan.web.prepare" in cmd and folder.encode() in cmd:
            return True
    return False


def _after_build(chromium: str | None, rounds: int) -> int:
    """The first server after `mineplan build`: a new store and folder each round, the
    server started as soon as the build returns, with and without its preparation."""
    if chromium is None:
        print("needs Chromium")
        return 1
    import subprocess

    sys.path.insert(0, str(home()))
    from webmap_interactions import MILESTONES, cold_render  # beside this script

    from tests.browser import serve_app

    labels = {"build prepares (now)": "1", "MINEPLAN_WEB_PREPARE=0 (before)": "0"}
    results: dict[str, list[dict[str, float]]] = {label: [] for label in labels}
    for _ in range(rounds):
        for label, flag in labels.items():
            tmp = tempfile.mkdtemp(prefix="bench-build-")
            store = Path(tmp) / "mineplan.gpkg"
            env = {"TMPDIR": tmp, "MINEPLAN_WEB_PREPARE": flag, "MINEPLAN_STORE": str(store)}
            subprocess.run([sys.executable, "-m", "mineplan.cli", "build", "-q", "-o",
                            str(store)], env={**os.environ, **env}, cwd=home(), check=True,
                           stdout=subprocess.DEVNULL)
            with serve_app(env, log=Path(tmp) / "st.log") as url:
                port = int(url.rsplit(":", 1)[1])
                before = _server_cpu(port)
                marks = cold_render(url, chromium=chromium, chromium_args=CHROMIUM_ARGS)
                marks["server CPU"] = _server_cpu(port) - before
                results[label].append(marks)
            deadline = time.monotonic() + 60
            while _preparing(tmp) and time.monotonic() < deadline:
                time.sleep(0.2)  # no preparation left running into the next round
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n== first server after `mineplan build`: median of {rounds} new stores "
          "(seconds from navigation; target: map drawn ≤ 3 s)")
    print(f"{'':<22}" + "".join(f"{label:>34}" for label in labels))
    for name in [*MILESTONES, "server", "server CPU"]:
        print(f"{name:<22}" + "".join(
            f"{float(np.median([m[name] for m in results[label]])):>34.2f}"
            for label in labels))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--polygons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--quick", action="store_true", help="2,000 polygons, no giants")
    parser.add_argument("--store", type=Path, default=home() / DEFAULT_STORE)
    parser.add_argument("--interactions", action="store_true",
                        help="only the browse page's interactions (bytes and time each)")
    parser.add_argument("--views", action="store_true",
                        help="only the server-side time per map view of a provincial layer")
    parser.add_argument("--pg", default=os.environ.get("MINEPLAN_TEST_PG"),
                        help="also a PostGIS store (postgresql://…?schema=…) for --views")
    parser.add_argument("--cold", type=int, metavar="N", default=0,
                        help="only the cold first render: N new servers, medians")
    parser.add_argument("--restart", action="store_true",
                        help="with --cold: each server finds what the last one left on disk")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="with --cold: also another checkout's app.py, interleaved")
    parser.add_argument("--after-build", action="store_true",
                        help="with --cold: each server right after `mineplan build` of a "
                        "new store (with and without its background preparation)")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or ("/usr/bin/chromium"
                                            if Path("/usr/bin/chromium").exists() else None)
    if args.interactions:
        return _interactions(args.store, chromium)
    if args.views:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        return _views(args.pg, 2_000 if args.quick else args.polygons, args.seed)
    if args.cold and args.after_build:
        return _after_build(chromium, args.cold)
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
