"""What the web app shows: store layers filtered and styled for the map and tables.

Pure functions between the store's frames and the web map's :class:`MapLayer`;
the app (``app.py``) only reads, caches and lays out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd

from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.webmap import MapLayer

__all__ = ["POPUP_FIELDS", "filter_zones", "map_layers", "zone_table"]

#: Fields shown in a zone's popup, in order (labels come from the layer definition).
POPUP_FIELDS: tuple[str, ...] = (
    "name", "layer_name", "region", "mineral", "block_count", "area_km2", "area_text",
    "geom_area_km2", "county", "admin_area", "level", "stage", "note", "quality",
    "source_table", "table_title", "seq", "source_line", "source_file",
    "geometry_status", "geometry_note",
)
_CONTROL_POPUP = ("name", "region", "data_status", "geometry_status", "geom_area_km2",
                  "geometry_source")
_BOUNDARY_POPUP = ("name", "level", "parent", "adcode", "geom_area_km2", "source")


def filter_zones(
    frame: gpd.GeoDataFrame, *, regions: Sequence[str] = (), minerals: str = "",
    levels: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """The zones of some plans, whose mineral contains a text, of some levels.

    Empty filters keep everything. Frames without the filtered column pass untouched.
    """
    keep = pd.Series(True, index=frame.index)
    if regions and "region" in frame:
        keep &= frame["region"].isin(regions)
    if minerals and "mineral" in frame:
        keep &= frame["mineral"].str.contains(minerals, regex=False, na=False)
    if levels and "level" in frame:
        keep &= frame["level"].isin(levels)
    return frame[keep]


def map_layers(
    frames: Mapping[str, gpd.GeoDataFrame],
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle,
) -> list[MapLayer]:
    """One :class:`MapLayer` per non-empty frame, drawn boundaries first, zones on top."""
    order = sorted(frames, key=lambda c: (-specs[c].order if specs[c].group == "base"
                                          else specs[c].order))
    layers = []
    for code in order:
        frame, spec = frames[code], specs[code]
        if frame.empty:
            continue
        style = styles[spec.style]
        wanted: tuple[str, ...]
        if spec.group == "control":
            wanted = _CONTROL_POPUP
        elif spec.group == "base":
            wanted = _BOUNDARY_POPUP
        else:
            wanted = POPUP_FIELDS
        aliases = spec.aliases()
        demo = "data_status" in frame and (frame["data_status"] == "演示").all()
        is_schematic = bool(demo or ("geometry_status" in frame
                                     and (frame["geometry_status"] == "示意").all()))
        layers.append(MapLayer(
            code=code,
            title=spec.name + ("（演示数据）" if demo else ""),
            gdf=frame,
            style={
                "fill": style.fill, "stroke": style.stroke, "weight": style.weight,
                "fill_opacity": style.fill_opacity * (schematic.fill_opacity_factor
                                                      if is_schematic else 1.0),
                "dash": bool(style.dash or (is_schematic and schematic.dash)),
            },
            popup_fields=[(f, aliases.get(f, f)) for f in wanted if f in frame],
            schematic=is_schematic,
        ))
    return layers


def zone_table(frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec]
               ) -> pd.DataFrame:
    """Every zone shown, one row each, with Chinese column headers (units included)."""
    columns = ("zone_id", "name", "layer_name", "region", "mineral", "block_count",
               "area_km2", "geom_area_km2", "county", "level", "source_table", "seq",
               "geometry_status", "quality")
    parts = []
    for code, frame in frames.items():
        if specs[code].is_zone_layer and not frame.empty:
            parts.append(pd.DataFrame(frame[[c for c in columns if c in frame]]))
    if not parts:
        return pd.DataFrame(columns=list(columns))
    table = pd.concat(parts, ignore_index=True)
    aliases = next(s for s in specs.values() if s.is_zone_layer).aliases()
    return table.rename(columns=aliases)
