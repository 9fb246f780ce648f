"""A map to draw a proposal on, for ``streamlit_folium.st_folium``, with no network.

:func:`draw_map` builds a light folium map of the plan's layers (outlines and fills
only, not clickable) with Leaflet.draw limited to a polygon and a rectangle tool;
:func:`drawn_polygon` reads the shape back from what ``st_folium`` returns and
:func:`drawn_proposal` makes it the proposal of the 检查 page.

streamlit-folium does not use folium's page: its component strips the map's
``<script src>`` / ``<link>`` tags and instead loads every ``default_js`` /
``default_css`` URL of the map and its elements itself. Those are CDN URLs, so
:func:`draw_map` replaces each with a ``data:`` URL of a local copy — Leaflet from
the installed ``xstatic-leaflet``, Leaflet.draw from ``mineplan/web/static/leaflet-draw``
(images in the stylesheets inlined too) — and drops jQuery, Bootstrap, Font Awesome
and awesome-markers, which the map does not use (:func:`mineplan.web.assets.use_local_assets`,
the same ``assets.json`` as the zone map). It refuses (``ValueError``) a map that would
still load anything from the network. The map's own stylesheet and scripts are files
under ``static/mineplan/`` (``draw-map.css``, ``draw-setup.js``, ``keep-last-drawing.js``).

May import folium, :mod:`mineplan.vocab`, ``errors``, ``geodesy``, ``layers``,
:mod:`mineplan.io.proposals` and the web modules below it (assets, legend, webmap,
browsing).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import shapely
from branca.element import MacroElement
from folium import plugins
from folium.template import Template
from shapely.geometry import Polygon, shape

from mineplan.errors import GeometryError
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.io.proposals import ParsedProposal
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import CHINA_DEFAULT_VIEW, STORE_CRS, WEB_CRS, format_area, in_china_degrees
from mineplan.web.assets import (
    css_data_url,
    data_uri,
    leaflet_dir,
    remote_assets,
    static_dir,
    static_text,
    use_local_assets,
)
from mineplan.web.browsing import visible_frames
from mineplan.web.decorations import MapDecorations
from mineplan.web.legend import leaflet_style, legend_html
from mineplan.web.maplayers import map_layers
from mineplan.web.webmap import MapLayer, add_tools

__all__ = [
    "DRAW_COLOUR",
    "MIN_AREA_KM2",
    "context_layers",
    "draw_map",
    "drawn_polygon",
    "drawn_proposal",
    "map_assets",
    "remote_assets",
    "zone_extent",
]

#: Outline and fill of the shape being drawn.
DRAW_COLOUR = "#1565C0"
#: A drawn shape smaller than this (km², ellipsoidal) is a slip of the mouse.
MIN_AREA_KM2 = 0.001
_CHINA_VIEW = [list(CHINA_DEFAULT_VIEW[0]), list(CHINA_DEFAULT_VIEW[1])]
#: Geometry types as the planner says them.
_KINDS = {"Point": "点", "MultiPoint": "点", "LineString": "线", "MultiLineString": "线",
          "Polygon": "面", "MultiPolygon": "面"}
_CONTEXT_TOLERANCE_DEG = 1e-4  # simplification of the context layers, degrees (≈10 m)


# ------------------------------------------------------------------------------ assets


def map_assets() -> dict[str, tuple[str, str]]:
    """``(name, data: URL)`` of the local copies that replace the CDN assets.

    Keys: ``leaflet_js``, ``leaflet_css`` (Leaflet 1.9 from ``xstatic-leaflet``),
    ``draw_js``, ``draw_css`` (Leaflet.draw 1.0.4, ``mineplan/web/static/leaflet-draw``).
    :func:`draw_map` gets the same URLs through :func:`mineplan.web.assets.use_local_assets`.
    """
    leaflet = leaflet_dir()
    draw = static_dir() / "leaflet-draw"
    return {
        "leaflet_js": ("leaflet", data_uri(leaflet / "leaflet.js")),
        "leaflet_css": ("leaflet_css", css_data_url(leaflet / "leaflet.css")),
        "draw_js": ("leaflet_draw_js", data_uri(draw / "leaflet.draw.js")),
        "draw_css": ("leaflet_draw_css", css_data_url(draw / "leaflet.draw.css")),
    }


# ---------------------------------------------------------------------------- the map


class _DrawSetup(MacroElement):
    """The draw map's stylesheet, a metric scale and Leaflet.draw's strings in Chinese.

    Added before the Draw control reads the strings; the stylesheet and script are
    ``static/mineplan/draw-map.css`` and ``draw-setup.js``.
    """

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
{{ this.css }}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
;{{ this.js }}({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "DrawSetup"
        self.css = static_text("draw-map.css")
        self.js = static_text("draw-setup.js")


class _KeepLastDrawing(MacroElement):
    """Keep only the newest shape: drawing again replaces the proposal
    (``static/mineplan/keep-last-drawing.js``)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
;{{ this.js }}({{ this._parent.get_name() }}, {{ this.draw.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, draw: plugins.Draw) -> None:
        super().__init__()
        self._name = "KeepLastDrawing"
        self.draw = draw
        self.js = static_text("keep-last-drawing.js")


def _style(style: Mapping[str, Any]) -> dict[str, Any]:
    return {**leaflet_style(style), "interactive": False}  # clicks are for drawing


def _add_context(m: folium.Map, layer: MapLayer) -> list[list[float]] | None:
    """One plan layer as plain shapes (no popups: a click on the map is for drawing).

    Simplified to ≈10 m: it is there to find the place; the check uses the store's
    own shapes."""
    frame = layer.gdf
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        return None
    frame = frame.to_crs(WEB_CRS)
    # context only (the check uses the store's own shapes): ≈10 m, to keep the page light
    geometries = shapely.simplify(frame.geometry.to_numpy(), _CONTEXT_TOLERANCE_DEG,
                                  preserve_topology=True)
    geometries = shapely.transform(geometries, lambda xy: xy.round(6))
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
        for g in geometries]}
    style = _style(layer.style)
    points = frame.geom_type.isin(["Point", "MultiPoint"]).any()
    folium.GeoJson(collection, name=html.escape(layer.title), style_function=lambda _: style,
                   marker=folium.CircleMarker(radius=5, interactive=False) if points else None,
                   overlay=True, control=True, show=True).add_to(m)
    west, south, east, north = frame.total_bounds
    return [[float(south), float(west)], [float(north), float(east)]]


def context_layers(
    frames: Mapping[str, gpd.GeoDataFrame],
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle,
    *,
    margin_deg: float = 0.1,
) -> list[MapLayer]:
    """The store's layers to draw on, as on the browse page but lighter.

    Every layer but the province outline; only features within ``margin_deg`` of the
    zones' extent (:func:`zone_extent`), so boundaries and red lines far from any
    plan are left out; heavy layers simplified by :func:`mineplan.web.maplayers.map_layers`.
    """
    shown = visible_frames(frames, specs, codes=tuple(frames))
    extent = zone_extent(frames, specs)
    if extent is not None:
        west, south, east, north = extent
        shown = {c: f.to_crs(STORE_CRS).cx[west - margin_deg:east + margin_deg,
                                            south - margin_deg:north + margin_deg]
                 for c, f in shown.items()}
    return map_layers({c: f for c, f in shown.items() if not f.empty}, specs, styles, schematic)


def zone_extent(
    frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec]
) -> tuple[float, float, float, float] | None:
    """``(west, south, east, north)`` degrees of the plans' zones (and rights), if any."""
    zones = [f.to_crs(STORE_CRS) for c, f in frames.items()
             if c in specs and specs[c].is_zone_layer and not f.empty]
    if not zones:
        return None
    boxes = [f.total_bounds for f in zones]
    return (float(min(b[0] for b in boxes)), float(min(b[1] for b in boxes)),
            float(max(b[2] for b in boxes)), float(max(b[3] for b in boxes)))


def draw_map(
    layers: Sequence[MapLayer],
    *,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> folium.Map:
    """A map to draw a proposal on: the plan's layers and Leaflet.draw, all offline.

    Parameters
    ----------
    layers
        Context layers, bottom first (e.g. :func:`mineplan.web.maplayers.map_layers`), drawn
        in their styles without popups, each toggled in the layer list.
    center
        ``(latitude, longitude)``; with ``zoom`` omitted the zoom is 10. When
        neither is given the map fits the layers (China when there are none).
    zoom
        Initial zoom level.
    bounds
        ``(west, south, east, north)`` degrees to fit the map to instead of the
        layers (e.g. :func:`zone_extent`); ignored when ``center`` or ``zoom`` is given.

    Returns
    -------
    folium.Map
        For ``st_folium``: no basemap tiles; the browse map's legend, coordinate
        read-out (degrees and Gauss-Krüger X/Y), measure and fullscreen tools; the
        draw toolbar offers only the polygon and rectangle tools (plus edit and
        delete); a new shape replaces the previous one. Every script and stylesheet
        is a ``data:`` URL.

    Raises
    ------
    ValueError
        Something in the map would still load from the network.
    """
    if center is None and zoom is None:
        m = folium.Map(tiles=None, control_scale=False, prefer_canvas=False)
    else:
        m = folium.Map(location=list(center) if center is not None else [42.0, 85.0],
                       zoom_start=10 if zoom is None else zoom, tiles=None,
                       control_scale=False, prefer_canvas=False)
    boxes = [b for b in (_add_context(m, layer) for layer in layers) if b is not None]
    if center is None and zoom is None:
        if bounds is not None:
            m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
        elif boxes:
            m.fit_bounds([[min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)],
                          [max(b[1][0] for b in boxes), max(b[1][1] for b in boxes)]])
        else:
            m.fit_bounds(_CHINA_VIEW)
    if boxes:
        folium.LayerControl(position="topright", collapsed=True).add_to(m)
    # as on the browse map: coordinate read-out (degrees, GK X/Y), measure tool, legend
    add_tools(m)
    MapDecorations(legend_html=legend_html([(x.code, x.title, x.style) for x in layers],
                                           {x.code: "all" if x.schematic else "none"
                                            for x in layers}),
                   banner=None, tile_notices=[]).add_to(m)
    _DrawSetup().add_to(m)
    shape_options = {"color": DRAW_COLOUR, "weight": 3, "fillColor": DRAW_COLOUR,
                     "fillOpacity": 0.15}
    draw = plugins.Draw(
        position="topleft",
        show_geometry_on_click=False,
        draw_options={
            "polyline": False, "circle": False, "marker": False, "circlemarker": False,
            "polygon": {"allowIntersection": False, "showArea": False,
                        "shapeOptions": shape_options},
            "rectangle": {"showArea": False, "shapeOptions": shape_options},
        },
        edit_options={"poly": {"allowIntersection": False}},
    )
    draw.add_to(m)
    _KeepLastDrawing(draw).add_to(m)
    use_local_assets(m)
    return m


# ------------------------------------------------------------------- reading it back


def _features(output: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """The drawn features st_folium reports, newest last; None before any drawing."""
    if not output:
        return None
    drawings = output.get("all_drawings")
    if isinstance(drawings, list):  # the shapes now on the map (after edits and deletes)
        return [f for f in drawings if isinstance(f, dict)]
    last = output.get("last_active_drawing")
    return [last] if isinstance(last, dict) else None


def drawn_polygon(output: Mapping[str, Any] | None) -> Polygon | None:
    """The newest polygon drawn on a :func:`draw_map` map, in CGCS2000 degrees (EPSG:4490).

    Parameters
    ----------
    output
        What ``st_folium`` returned: ``all_drawings`` (the GeoJSON features on the
        map, which edits and deletions update) is read first, ``last_active_drawing``
        when that is missing.

    Returns
    -------
    Polygon or None
        None when nothing is drawn (or everything drawn was deleted).

    Raises
    ------
    GeometryError
        In Chinese: only points or lines drawn; a self-intersecting ring; fewer than
        three corners; a shape outside China; a shape smaller than
        :data:`MIN_AREA_KM2`.
    """
    features = _features(output)
    if not features:
        return None
    geometries = [f.get("geometry") for f in features]
    polygons = [g for g in geometries if isinstance(g, dict) and g.get("type") == "Polygon"]
    if not polygons:
        kinds = sorted({_KINDS.get(str(g.get("type")), "其他图形") for g in geometries
                        if isinstance(g, dict)})
        raise GeometryError(f"地图上绘制的是 {'、'.join(kinds) or '空图形'}；申请范围应为面。"
                            "请用多边形或矩形工具绘制。")
    try:
        polygon = shape(polygons[-1])
    except (KeyError, TypeError, ValueError, IndexError, shapely.errors.GEOSException) as exc:
        raise GeometryError("绘制的图形无法读取。请删除后重新绘制。") from exc
    if not isinstance(polygon, Polygon) or polygon.is_empty:
        raise GeometryError("绘制的图形为空。请删除后重新绘制。")
    corners = len(set(polygon.exterior.coords))
    if corners < 3:
        raise GeometryError(f"绘制的范围只有 {corners} 个不同的拐点，至少需要 3 个。")
    west, south, east, north = polygon.bounds
    if not (in_china_degrees(west, south) and in_china_degrees(east, north)):
        raise GeometryError(f"绘制的范围 ({west:.4f}, {south:.4f}) – ({east:.4f}, {north:.4f}) "
                            "不在中国境内。请在规划范围内绘制。")
    if not polygon.is_valid:
        raise GeometryError("绘制的范围自相交（边线交叉），不是有效的面。"
                            "请删除后重新绘制，或修改拐点使边线不交叉。")
    area = float(ellipsoidal_area_km2(gpd.GeoSeries([polygon], crs=STORE_CRS)).iloc[0])
    if area < MIN_AREA_KM2:
        raise GeometryError(f"绘制的范围太小（{area * 1e6:.0f} 平方米，不足 "
                            f"{MIN_AREA_KM2 * 1e6:.0f} 平方米），可能是误点。"
                            "请放大地图后重新绘制。")
    return polygon


def drawn_proposal(output: Mapping[str, Any] | None, *,
                   name: str = "申请范围") -> ParsedProposal | None:
    """The drawn polygon as the 检查 page's proposal, or None when nothing is drawn.

    Raises :class:`GeometryError` as :func:`drawn_polygon` does.
    """
    polygon = drawn_polygon(output)
    if polygon is None:
        return None
    frame = gpd.GeoDataFrame({"name": [name]}, geometry=[polygon], crs=STORE_CRS)
    corners = len(polygon.exterior.coords) - 1
    area = float(ellipsoidal_area_km2(frame).iloc[0])
    return ParsedProposal(
        frame, f"地图上绘制的范围（{corners} 个拐点，约 {format_area(area)}，{STORE_CRS}）",
        notes=["手绘范围的精度取决于绘制时的缩放级别，正式申请请以实测拐点坐标为准"],
    )

