"""DEMO 三区三线 layers, generated so the product can be tried without real data.

Real 生态保护红线, 永久基本农田 and 城镇开发边界 are not public: planners import
their own (the coordinates issue). These demo layers are plausible in shape only
— a red-line band over the county's mountain side, farmland patches around the
county seat, an urban boundary at the seat — built from ``geodata/demo/hints.toml``
and flagged ``data_status = 演示`` and ``geometry_status = 示意`` on every feature.

May import: :mod:`mineplan.build.shapes`, :mod:`mineplan.geodesy`, :mod:`mineplan.errors`,
:mod:`mineplan.settings`, :mod:`mineplan.vocab`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from mineplan.build.shapes import as_multipolygon, local_frame, reproject, seeded_rng
from mineplan.errors import CatalogError
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.vocab import DEMO, SCHEMATIC, STORE_CRS

__all__ = ["demo_control_layers", "read_demo_hints"]

_SOURCE = "mineplan 演示数据（按 geodata/demo/hints.toml 生成，非真实三区三线）"


def read_demo_hints(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """County → hints (``seat``, ``mountains``, ``redline_share``)."""
    from mineplan.settings import geodata_dir

    path = path or geodata_dir() / "demo" / "hints.toml"
    try:
        hints = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise CatalogError(f"cannot read demo hints: {err}", path=path) from None
    problems = [
        f"[{county}] needs seat = [lon, lat], mountains = [...], redline_share"
        for county, h in hints.items()
        if not {"seat", "mountains", "redline_share"} <= set(h)
    ]
    if problems:
        raise CatalogError("; ".join(problems), path=path)
    return hints


def demo_control_layers(
    counties: Mapping[str, BaseGeometry], hints: Mapping[str, Mapping[str, Any]]
) -> dict[str, gpd.GeoDataFrame]:
    """Demo 生态保护红线 (STHX), 永久基本农田 (YJJBNT) and 城镇开发边界 (CZKFBJ).

    Parameters
    ----------
    counties
        County name → polygon, EPSG:4490.
    hints
        County name → hints; only counties present in both are generated.

    Returns
    -------
    dict
        Layer code → GeoDataFrame (EPSG:4490) with ``name``, ``region``,
        ``data_status`` (演示), ``geometry_status`` (示意), ``geometry_source``
        and ``geom_area_km2`` (ellipsoidal, km²). Deterministic.
    """
    rows: dict[str, list[dict[str, Any]]] = {"STHX": [], "YJJBNT": [], "CZKFBJ": []}
    for county in sorted(set(counties) & set(hints)):
        shapes = _county_demo(counties[county], hints[county], county)
        for code, label in (("STHX", "生态保护红线"), ("YJJBNT", "永久基本农田"),
                            ("CZKFBJ", "城镇开发边界")):
            geom = shapes[code]
            if geom.is_empty:
                continue
            rows[code].append({
                "name": f"{county}{label}（{DEMO}）",
                "region": county,
                "data_status": DEMO,
                "geometry_status": SCHEMATIC,
                "geometry_source": _SOURCE,
                "source_date": "",
                "geometry": geom,
            })
    out = {}
    for code, records in rows.items():
        frame = gpd.GeoDataFrame(records, geometry="geometry", crs=STORE_CRS)
        frame["geom_area_km2"] = ellipsoidal_area_km2(frame)
        out[code] = frame
    return out


def _county_demo(county_geom: BaseGeometry, hint: Mapping[str, Any], county: str
                 ) -> dict[str, BaseGeometry]:
    lon, lat = hint["seat"]
    frame = local_frame(county_geom, centre=(lon, lat))
    area, inv = frame.local, frame.inv
    rng = seeded_rng(f"demo:{county}")
    seat = Point(0.0, 0.0)

    urban = _blob(seat, math.sqrt(area.area) * 0.035 + 1500, rng).intersection(area)
    red = _mountain_band(area, hint["mountains"], float(hint["redline_share"]), rng)
    red = red.difference(seat.buffer(8000))
    farm_parts = []
    reach = max(math.sqrt(area.area) * 0.25, 10000.0)
    for _ in range(7):
        angle, dist = rng.uniform(0, 2 * math.pi), rng.uniform(0.2, 1.0) * reach
        centre = Point(dist * math.cos(angle), dist * math.sin(angle))
        farm_parts.append(_blob(centre, rng.uniform(0.08, 0.16) * reach, rng))
    farm = shapely.union_all(farm_parts).intersection(area).difference(red).difference(urban)

    def back(geom: BaseGeometry) -> BaseGeometry:
        return as_multipolygon(reproject(inv, geom).intersection(county_geom))

    return {"STHX": back(red), "YJJBNT": back(farm), "CZKFBJ": back(urban)}


def _blob(centre: Point, radius: float, rng: np.random.Generator) -> Polygon:
    theta = np.linspace(0, 2 * math.pi, 36, endpoint=False)
    r = radius * (1 + sum(rng.uniform(0, 0.15) * np.cos(k * theta + rng.uniform(0, 6.3))
                          for k in (2, 3, 4)))
    return Polygon(np.column_stack([centre.x + r * np.cos(theta), centre.y + r * np.sin(theta)]))


def _mountain_band(area: BaseGeometry, sides: list[str], share: float,
                   rng: np.random.Generator) -> BaseGeometry:
    """The part of ``area`` within ``share`` of its extent from each named side, edge wavy."""
    minx, miny, maxx, maxy = area.bounds
    bands = []
    for side in sides:
        horizontal = side in ("south", "north")
        lo, hi = (minx, maxx) if horizontal else (miny, maxy)
        span = (maxy - miny) if horizontal else (maxx - minx)
        t = np.linspace(lo, hi, 120)
        u = (t - lo) / max(hi - lo, 1.0)
        wiggle = sum(rng.uniform(0.04, 0.12) / k * np.sin(2 * math.pi * k * u + rng.uniform(0, 6.3))
                     for k in (1, 2, 3, 5, 8))
        depth = span * share * (1 + wiggle)
        if side == "south":
            pts = [(minx, miny), *zip(t, miny + depth, strict=True), (maxx, miny)]
        elif side == "north":
            pts = [(minx, maxy), *zip(t, maxy - depth, strict=True), (maxx, maxy)]
        elif side == "west":
            pts = [(minx, miny), *zip(minx + depth, t, strict=True), (minx, maxy)]
        elif side == "east":
            pts = [(maxx, miny), *zip(maxx - depth, t, strict=True), (maxx, maxy)]
        else:
            raise CatalogError(f"mountains side {side!r} is not south/north/west/east")
        bands.append(shapely.make_valid(Polygon(pts)))
    return shapely.union_all(bands).intersection(area) if bands else box(0, 0, 0, 0)
