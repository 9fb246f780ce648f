"""Store layers as web-map layers: which features, drawn how, with which popup fields.

:func:`map_layers` turns the store's frames into :class:`~mineplan.web.webmap.MapLayer`
objects in drawing order (boundaries first, zones on top), styled from
``styles/styles.toml`` (schematic and demo data set apart), heavy layers simplified
to the screen (:mod:`mineplan.web.display`). Every map of the app uses it: the browse
page, the import preview, the draw map and the check map.

May import :mod:`mineplan.vocab`, :mod:`mineplan.layers`, :mod:`mineplan.web.display`
and :mod:`mineplan.web.webmap`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import shapely

from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import DEMO, SCHEMATIC, WEB_CRS
from mineplan.web.display import display_frame
from mineplan.web.webmap import MapLayer

__all__ = ["DISPLAY_VERTEX_BUDGET", "POPUP_FIELDS", "drawing_order", "map_layers"]

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


#: Above this many vertices a layer is clipped to the view and simplified to the
#: screen for drawing (``mineplan.web.display``); smaller layers are drawn exactly, so
#: zooming in on them stays faithful. Checks always use the stored geometry.
DISPLAY_VERTEX_BUDGET = 200_000


def map_layers(
    frames: Mapping[str, gpd.GeoDataFrame],
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle,
    *,
    vertex_budget: int = DISPLAY_VERTEX_BUDGET,
) -> list[MapLayer]:
    """One :class:`MapLayer` per non-empty frame, drawn boundaries first, zones on top.

    A layer of more than ``vertex_budget`` vertices is drawn from a display copy
    (:func:`mineplan.web.display.display_frame`) clipped to the extent of the other
    layers shown (or its own when it is alone) and simplified to one screen pixel.
    """
    order = drawing_order(frames, specs)
    heavy = {c for c, f in frames.items()
             if not f.empty and int(shapely.get_num_coordinates(f.geometry.to_numpy()).sum())
             > vertex_budget}
    view = _view_of({c: f for c, f in frames.items() if c not in heavy}) if heavy else None
    layers = []
    for code in order:
        frame, spec = frames[code], specs[code]
        if frame.empty:
            continue
        if code in heavy:
            frame = display_frame(frame, view=view)
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
        demo = "data_status" in frame and (frame["data_status"] == DEMO).all()
        is_schematic = bool(demo or ("geometry_status" in frame
                                     and (frame["geometry_status"] == SCHEMATIC).all()))
        layers.append(MapLayer(
            code=code,
            title=spec.name + ("（演示数据）" if demo else ""),
            gdf=frame,
            style={
                "fill": style.fill, "stroke": style.stroke, "weight": style.weight,
                "fill_opacity": style.fill_opacity * (schematic.fill_opacity_factor
                                                      if is_schematic else 1.0),
                "dash": bool(style.dash or (is_schematic and schematic.dash)),
                "line": style.line,
            },
            popup_fields=[(f, aliases.get(f, f)) for f in wanted if f in frame],
            schematic=is_schematic,
        ))
    return layers


def drawing_order(codes: Iterable[str], specs: Mapping[str, LayerSpec]) -> list[str]:
    """Layer codes bottom first: boundaries (outermost first), then the rest by order."""
    return sorted(codes, key=lambda c: (-specs[c].order if specs[c].group == "base"
                                        else specs[c].order))


def _view_of(frames: Mapping[str, gpd.GeoDataFrame]
             ) -> tuple[float, float, float, float] | None:
    shown = [f.to_crs(WEB_CRS).total_bounds for f in frames.values()
             if not f.empty and f.crs is not None]
    if not shown:
        return None
    bounds = np.asarray(shown)
    return (float(bounds[:, 0].min()), float(bounds[:, 1].min()),
            float(bounds[:, 2].max()), float(bounds[:, 3].max()))
