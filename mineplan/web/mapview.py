"""Large layers on the web map, read for the view the planner looks at (issues 15, 16).

A provincial red line is not read whole for the map. The store keeps display copies
of every large layer, simplified per zoom when the layer is written
(:mod:`mineplan.store.overviews`); :func:`view_frame` reads the features of one
view — the copy for its zoom, or the stored geometry inside the view's box when
the view is closer in than the finest copy — and makes them ready to draw
(:func:`mineplan.web.display.display_frame`: clipped, under a pixel, valid rings).
The live map (:mod:`mineplan.web.livemap`) reports its view (:class:`MapView`) when
the planner pans or zooms past what it was sent; the page then sends that view's
features. Small layers (the plans' zones) are still sent whole, once.

May import :mod:`mineplan.vocab`, :mod:`mineplan.generalise`, :mod:`mineplan.layers`,
:mod:`mineplan.store`, :mod:`mineplan.web.display`, :mod:`mineplan.web.maplayers` and
:mod:`mineplan.web.webmap`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd

from mineplan.generalise import zoom_for_view
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.store import read_layer, read_overview
from mineplan.vocab import CHINA_DEFAULT_VIEW, WEB_CRS
from mineplan.web.display import DisplayOptions, display_frame
from mineplan.web.maplayers import map_layers
from mineplan.web.webmap import MapLayer

__all__ = ["VIEW_MARGIN", "MapView", "initial_view", "view_frame", "view_layers"]

#: The box read around a view, as a fraction of its size on each side: a pan of up
#: to this much needs no new data.
VIEW_MARGIN = 0.5
#: Web Mercator's latitude limit.
_MAX_LAT = 85.0


@dataclass(frozen=True)
class MapView:
    """What the map shows: a box in degrees (lon/lat) and the zoom (Web Mercator).

    Attributes
    ----------
    west, south, east, north
        The box, degrees.
    zoom
        The map's zoom level (0 = the world in one 256-pixel tile).
    """

    west: float
    south: float
    east: float
    north: float
    zoom: int

    @classmethod
    def of_bounds(cls, bounds: tuple[float, float, float, float], *, width_px: int = 1000
                  ) -> MapView:
        """The view fitting ``bounds`` (w, s, e, n) into ``width_px`` pixels."""
        west, south, east, north = bounds
        zoom = math.floor(zoom_for_view(west, east, width_px))
        return cls(west, south, east, north, max(0, min(zoom, 22)))

    @classmethod
    def from_component(cls, value: object) -> MapView | None:
        """The view the live map reported (``{"west", "south", "east", "north", "zoom"}``);
        None when it reported none or something else."""
        if not isinstance(value, Mapping):
            return None
        try:
            west, south, east, north = (float(value[k]) for k in ("west", "south", "east",
                                                                  "north"))
            zoom = round(float(value["zoom"]))
        except (KeyError, TypeError, ValueError):
            return None
        if not all(map(math.isfinite, (west, south, east, north))) or west >= east \
                or south >= north:
            return None
        return cls(west, south, east, north, max(0, min(zoom, 22)))

    def covered(self, margin: float = VIEW_MARGIN) -> MapView:
        """The view grown by ``margin`` of its size on each side (what is read and sent)."""
        dx, dy = (self.east - self.west) * margin, (self.north - self.south) * margin
        return MapView(max(self.west - dx, -180.0), max(self.south - dy, -_MAX_LAT),
                       min(self.east + dx, 180.0), min(self.north + dy, _MAX_LAT), self.zoom)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.west, self.south, self.east, self.north)

    def as_args(self) -> dict[str, Any]:
        """For the live map: the box covered (``[w, s, e, n]``) and the zoom."""
        return {"bounds": [round(v, 6) for v in self.bbox], "zoom": self.zoom}


def view_frame(location: str | Path, code: str, view: MapView, *,
               options: DisplayOptions | None = None) -> gpd.GeoDataFrame:
    """The features of a large layer in ``view.covered()``, ready to draw (EPSG:4326).

    Read from the layer's display copy for ``view.zoom`` when the store has one
    (:func:`mineplan.store.read_overview`), else from the stored geometry in the box
    (:func:`mineplan.store.read_layer` with ``bbox``); then clipped to the box and
    simplified to 0.4 of a pixel at that zoom (:func:`mineplan.web.display.display_frame`).
    Row labels are not stable from one view to the next.
    """
    box = view.covered()
    options = options or DisplayOptions()
    frame = read_overview(location, code, zoom=view.zoom, bbox=box.bbox)
    if frame is None:
        frame = read_layer(location, code, bbox=box.bbox)
    else:  # already simplified to 0.4 of a pixel (or less) at this zoom
        options = replace(options, pixel_fraction=0.0)
    return display_frame(frame, view=box.bbox, options=options, zoom=view.zoom)


def initial_view(frames: Mapping[str, gpd.GeoDataFrame], *, width_px: int = 1000) -> MapView:
    """The view before the map reported one: what ``frames`` cover (the page fits the map
    to them), else China."""
    boxes = [f.to_crs(WEB_CRS).total_bounds for f in frames.values()
             if len(f) and f.crs is not None]
    if boxes:
        bounds = (float(min(b[0] for b in boxes)), float(min(b[1] for b in boxes)),
                  float(max(b[2] for b in boxes)), float(max(b[3] for b in boxes)))
    else:
        (south, west), (north, east) = CHINA_DEFAULT_VIEW
        bounds = (west, south, east, north)
    return MapView.of_bounds(bounds, width_px=width_px)


def view_layers(
    location: str | Path, codes: list[str] | tuple[str, ...], view: MapView,
    specs: Mapping[str, LayerSpec], styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle,
) -> tuple[list[MapLayer], dict[str, dict[str, Any]]]:
    """The large layers ``codes`` as map layers for ``view`` (:func:`view_frame`), and
    what each covers (for :func:`mineplan.web.livemap.publish_layers`'s ``views``).

    A layer with nothing in the view is still returned (empty), so the map keeps
    asking for the views it needs.
    """
    frames = {code: view_frame(location, code, view) for code in codes}
    layers = {x.code: x for x in map_layers(frames, specs, styles, schematic,
                                            vertex_budget=2**62)}
    out = []
    for code, frame in frames.items():
        if code in layers:
            out.append(layers[code])
        else:  # empty here: drawn with the layer's style once it has features
            spec = specs[code]
            style = styles[spec.style]
            out.append(MapLayer(code=code, title=spec.name, gdf=frame, style={
                "fill": style.fill, "stroke": style.stroke, "weight": style.weight,
                "fill_opacity": style.fill_opacity, "dash": bool(style.dash)}))
    covered = view.covered().as_args()
    return out, {code: covered for code in frames}
