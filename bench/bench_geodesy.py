"""Ellipsoidal area throughput: mineplan's TD/T 1055 area against pyproj.Geod.

Prints vertices per second of :func:`mineplan.geodesy.ellipsoidal_area_km2` and of
``pyproj.Geod.polygon_area_perimeter`` (the baseline, same process, same polygons),
their ratio and the largest relative difference of the areas.

    .venv/bin/python bench/bench_geodesy.py [--blocks 2000] [--vertices 1000] [--runs 5]

(It was a timed test until the restructuring; speed is measured here, not asserted.)
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry import Polygon

from mineplan.geodesy import ellipsoidal_area_km2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=2000)
    parser.add_argument("--vertices", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    angles = np.linspace(0, 2 * math.pi, args.vertices, endpoint=False)
    rng = np.random.default_rng(1)
    centres = rng.uniform([28_400_000, 4_800_000], [28_600_000, 5_000_000],
                          size=(args.blocks, 2))
    blocks = gpd.GeoSeries(
        [Polygon(np.column_stack([cx + 1000 * np.cos(angles), cy + 1000 * np.sin(angles)]))
         for cx, cy in centres], crs=4516)
    vertices = int(shapely.get_num_coordinates(blocks.values).sum())
    lonlat = blocks.to_crs(4490)
    geod = pyproj.CRS(4490).get_geod()
    assert geod is not None

    def ours() -> np.ndarray:
        return ellipsoidal_area_km2(blocks, validate=False).to_numpy()

    def baseline() -> np.ndarray:
        return np.array([abs(geod.geometry_area_perimeter(g)[0]) / 1e6 for g in lonlat])

    times: dict[str, list[float]] = {"mineplan": [], "pyproj.Geod": []}
    results = {}
    for _ in range(args.runs):  # interleaved
        for name, fn in (("mineplan", ours), ("pyproj.Geod", baseline)):
            start = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - start)
    median = {k: statistics.median(v) for k, v in times.items()}
    for name, t in median.items():
        print(f"{name:<12} {t * 1000:8.1f} ms  {vertices / t / 1e6:6.2f} M vertices/s")
    print(f"ratio (pyproj.Geod / mineplan): {median['pyproj.Geod'] / median['mineplan']:.2f}x")
    rel = np.abs(results["mineplan"] / results["pyproj.Geod"] - 1).max()
    print(f"max relative area difference: {rel:.2e}  ({args.blocks} polygons, {vertices} vertices)")


if __name__ == "__main__":
    main()
