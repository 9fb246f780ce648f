"""Web maps of planning zones that work with no network at all.

:func:`zone_map` builds a folium map of planning layers (one toggleable layer
each, Chinese popups, legend, fullscreen, measure and mouse-position tools);
:func:`render_offline_html` turns any folium map into one self-contained HTML
page with every script, stylesheet and image inlined, for government networks
that cannot reach a CDN. Leaflet itself is read from the installed
``xstatic-leaflet`` package; the few plugins are vendored under
``mineplan/web/static`` (``assets.json`` lists them, ``docs/offline-assets.md``
says where each came from).

Geometry is reprojected to EPSG:4326 for display only; nothing here measures.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import logging
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any, TypeGuard

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium import plugins
from folium.raster_layers import ImageOverlay
from folium.template import Template
from folium.utilities import JsCode

from mineplan.errors import CRSError, LayerDefinitionError

__all__ = [
    "BASEMAPS",
    "SCHEMATIC_BANNER",
    "ImageLayer",
    "MapLayer",
    "render_offline_html",
    "zone_map",
]

log = logging.getLogger(__name__)

BASEMAPS = ("none", "osm", "tianditu_vec", "tianditu_img")
SCHEMATIC_BANNER = "示意数据：图形为按规划面积生成的示意范围，非实测边界"
SCHEMATIC_STATUS = "示意"
SCHEMATIC_POPUP_NOTE = "示意（非实测）"

# Schematic features are drawn as in the QGIS styles ([schematic] in styles/styles.toml).
_SCHEMATIC_DASH = "6 4"
_SCHEMATIC_FILL_FACTOR = 0.5
_WEIGHT_PX_PER_MM = 2.0  # styles.toml gives line widths in mm; the web map uses weight × 2 px

_TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TileMatrix={{z}}&TileRow={{y}}&TileCol={{x}}&tk={key}"
)
_TIANDITU = {  # basemap → (base layer, label layer, Chinese name)
    "tianditu_vec": ("vec", "cva", "天地图矢量"),
    "tianditu_img": ("img", "cia", "天地图影像"),
}
_TIANDITU_ATTRIBUTION = "© 天地图（国家地理信息公共服务平台）"
_CHINA_BOUNDS = [[18.0, 73.0], [54.0, 135.0]]  # [[south, west], [north, east]] when no data

_COLOUR = re.compile(r"^(#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{8}|[A-Za-z]{3,20})$")
_DASH = re.compile(r"^[0-9]+(\.[0-9]+)?([ ,]+[0-9]+(\.[0-9]+)?)*$")
_TIANDITU_KEY = re.compile(r"^[0-9A-Za-z]{8,64}$")


@dataclass(frozen=True)
class MapLayer:
    """One planning layer to draw.

    Attributes
    ----------
    code
        Layer code (e.g. ``"ZDCK"``); unique within a map.
    title
        Chinese title shown in the layer control and legend.
    gdf
        Features with a CRS set (normally CGCS2000 EPSG:4490 or WGS84 EPSG:4326);
        reprojected to EPSG:4326 for display only.
    style
        ``fill`` and ``stroke`` (``#RRGGBB``), ``fill_opacity`` (0–1), ``weight``
        (line width in mm as in ``styles/styles.toml``; drawn as weight × 2 px) and
        optionally ``dash`` (``True`` for a dashed outline, or an SVG dash array
        such as ``"6 4"``).
    popup_fields
        ``(column, Chinese label)`` pairs shown in each feature's popup, in order.
    schematic
        True when the whole layer is schematic (generated from stated areas).
        Features whose ``geometry_status`` is ``示意`` are treated as schematic
        whatever this flag says (popup note, legend "（含示意）"); in a layer not
        flagged schematic they are drawn dashed at half the fill opacity. A layer
        flagged schematic is drawn in ``style`` as given.
    """

    code: str
    title: str
    gdf: gpd.GeoDataFrame
    style: Mapping[str, Any]
    popup_fields: Sequence[tuple[str, str]] = field(default_factory=list)
    schematic: bool = False


@dataclass(frozen=True)
class ImageLayer:
    """A picture drawn under the zones: a local raster background (DEM, imagery).

    Attributes
    ----------
    title
        Chinese title shown in the layer control.
    png
        PNG bytes, inlined in the page as a ``data:`` URI (works offline). For the
        picture to line up it should be on a Web Mercator grid
        (:func:`mineplan.io.rasters.render_raster` makes it so).
    bounds
        ``(west, south, east, north)`` in degrees, EPSG:4326.
    opacity
        0–1.
    """

    title: str
    png: bytes
    bounds: tuple[float, float, float, float]
    opacity: float = 0.8


#: Outline of the features a map is focused on (search result, selected table row).
FOCUS_STYLE: dict[str, Any] = {"color": "#00B7FF", "weight": 5, "opacity": 1.0, "fill": False,
               "dashArray": None}
_FOCUS_MAX_ZOOM = 14
# Long popups scroll instead of overflowing the map; auto-pan keeps them below the banner.
_POPUP_OPTIONS = "{maxWidth: 420, maxHeight: 320, autoPanPaddingTopLeft: [20, 48]}"


# --------------------------------------------------------------------------- zone map


def zone_map(
    layers: Sequence[MapLayer],
    *,
    basemap: str = "none",
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    tianditu_key: str | None = None,
    images: Sequence[ImageLayer] = (),
    focus: MapLayer | None = None,
    collapse_layer_control: bool = False,
) -> folium.Map:
    """Build a folium map of planning layers.

    Parameters
    ----------
    layers
        Layers to draw, bottom first; each becomes one toggleable overlay.
    basemap
        ``"none"`` (no tiles, plain light background — works offline), ``"osm"``,
        ``"tianditu_vec"`` or ``"tianditu_img"`` (天地图 vector / imagery with labels;
        needs ``tianditu_key``). Online basemaps are the only network use of the map.
    center
        ``(latitude, longitude)`` in degrees; with ``zoom`` omitted the zoom is 10.
    zoom
        Initial zoom level. When neither ``center`` nor ``zoom`` is given the map
        fits the data's bounds.
    tianditu_key
        天地图 browser key (tk) for the tianditu basemaps.
    images
        Pictures drawn above the basemap and under every layer (local rasters).
    focus
        Features to point out (a search result, a selected table row): drawn on
        top with a bright outline (:data:`FOCUS_STYLE`; ``focus.style`` is only
        validated) and the map fitted to them (unless ``center``/``zoom`` are
        given). Not in the legend.
    collapse_layer_control
        Show the layer list only on hover (for small maps, or pages that
        choose layers elsewhere).

    Returns
    -------
    folium.Map
        Pass it to :func:`render_offline_html` for a page that loads nothing
        from the network except the chosen basemap's tiles.

    Raises
    ------
    CRSError
        A layer's frame has no CRS.
    LayerDefinitionError
        A layer's style or popup fields are unusable (every problem listed).
    ValueError
        Unknown basemap, or a tianditu basemap without a usable key.
    """
    _check_basemap(basemap, tianditu_key)
    _validate_layers([*layers, focus] if focus is not None else layers)
    _validate_images(images)
    display = [(layer, _display_frame(layer)) for layer in layers]
    focus_frame = _display_frame(focus) if focus is not None else None

    bounds = _bounds(frame for _, frame in display)
    focus_bounds = _bounds(iter([focus_frame])) if focus_frame is not None else None
    if center is None and zoom is None:
        m = folium.Map(tiles=None, control_scale=False, prefer_canvas=False)
        if focus_bounds is not None:
            m.fit_bounds(focus_bounds, max_zoom=_FOCUS_MAX_ZOOM, padding=(40, 40))
        else:
            m.fit_bounds(bounds or _CHINA_BOUNDS)
    else:
        if center is None:
            box = bounds or _CHINA_BOUNDS
            center = ((box[0][0] + box[1][0]) / 2, (box[0][1] + box[1][1]) / 2)
        m = folium.Map(
            location=list(center), zoom_start=10 if zoom is None else zoom,
            tiles=None, control_scale=False, prefer_canvas=False,
        )

    tile_notices = _add_basemap(m, basemap, tianditu_key)
    for image in images:
        ImageOverlay(
            image="data:image/png;base64," + base64.b64encode(image.png).decode("ascii"),
            bounds=[[image.bounds[1], image.bounds[0]], [image.bounds[3], image.bounds[2]]],
            opacity=image.opacity, name=html.escape(image.title), overlay=True, control=True,
            interactive=False, cross_origin=False, zindex=1,
        ).add_to(m)
    schematic = {layer.code: _add_layer(m, layer, frame) for layer, frame in display}
    if focus is not None and focus_frame is not None:
        _add_focus(m, focus, focus_frame)

    _add_tools(m)
    folium.LayerControl(position="topright", collapsed=collapse_layer_control).add_to(m)
    _MapDecorations(
        legend_html=_legend_html(layers, schematic),
        banner=SCHEMATIC_BANNER if any(s != "none" for s in schematic.values()) else None,
        tile_notices=tile_notices,
    ).add_to(m)
    return m


def _validate_images(images: Sequence[ImageLayer]) -> None:
    problems = []
    for image in images:
        west, south, east, north = image.bounds
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            problems.append(f"image {image.title!r}: bounds {image.bounds} are not "
                            "(west, south, east, north) in degrees")
        if not image.png.startswith(b"\x89PNG"):
            problems.append(f"image {image.title!r}: not PNG bytes")
        if not (_is_number(image.opacity) and 0 <= image.opacity <= 1):
            problems.append(f"image {image.title!r}: opacity {image.opacity!r} is not 0–1")
    if problems:
        raise LayerDefinitionError("cannot draw images:\n  " + "\n  ".join(problems))


def _add_focus(m: folium.Map, layer: MapLayer, frame: gpd.GeoDataFrame) -> None:
    """Outline the focused features on top (clicks inside reach the zone beneath)."""
    features = [
        {"type": "Feature", "id": str(i), "geometry": shapely.geometry.mapping(geometry),
         "properties": {"popup_html": _popup_html(layer, row, schematic=_is_schematic(row)
                                                  or layer.schematic)}}
        for i, (geometry, (_, row)) in enumerate(zip(frame.geometry, frame.iterrows(),
                                                     strict=True))
    ]
    geo = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=html.escape(layer.title),
        style_function=lambda _: FOCUS_STYLE,
        on_each_feature=JsCode(
            "function (feature, layer) {"
            " layer.bindPopup(feature.properties.popup_html, " + _POPUP_OPTIONS + "); }"
        ),
        overlay=True, control=False, show=True,
    )
    geo.add_to(m)


def _is_schematic(row: pd.Series) -> bool:
    return str(row.get("geometry_status", "")) == SCHEMATIC_STATUS


def _add_tools(m: folium.Map) -> None:
    """Fullscreen, measure (m / km², Chinese) and mouse position (degrees) controls."""
    plugins.Fullscreen(
        position="topleft", title="全屏显示", title_cancel="退出全屏",
    ).add_to(m)
    plugins.MeasureControl(
        position="topleft", localization="cn",
        primary_length_unit="meters", secondary_length_unit="kilometers",
        primary_area_unit="sqkilometers", secondary_area_unit="hectares",
        units={"sqkilometers": {"factor": 1e-6, "display": "平方千米", "decimals": 4}},
    ).add_to(m)
    plugins.MousePosition(
        position="bottomleft", separator="，", empty_string="经纬度：移动鼠标显示",
        lng_first=True, prefix="经纬度：", formatter=JsCode(GK_MOUSE_FORMATTER_JS),
    ).add_to(m)


#: Mouse position in degrees and in the CGCS2000 3-degree Gauss-Kruger zone of the
#: point (X northing, Y easting with the zone prefix, metres): transverse Mercator
#: on the CGCS2000 ellipsoid (Snyder's series, millimetre-level within a 3-degree
#: zone), computed in the browser. tests/test_webmap.py checks it against pyproj.
GK_MOUSE_FORMATTER_JS = """function (lng, lat) {
  var deg = (lng < 0 ? '西经 ' : '东经 ') + Math.abs(lng).toFixed(6) + '°，'
          + (lat < 0 ? '南纬 ' : '北纬 ') + Math.abs(lat).toFixed(6) + '°';
  var zone = Math.round(lng / 3);
  if (zone < 25 || zone > 45 || lat < 0) { return '经纬度：' + deg; }
  var a = 6378137.0, f = 1 / 298.257222101, e2 = f * (2 - f), ep2 = e2 / (1 - e2);
  var e4 = e2 * e2, e6 = e4 * e2, r = Math.PI / 180;
  var phi = lat * r, s = Math.sin(phi), c = Math.cos(phi), t = Math.tan(phi);
  var N = a / Math.sqrt(1 - e2 * s * s), T = t * t, C = ep2 * c * c;
  var A = (lng - 3 * zone) * r * c;
  var M = a * ((1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi
      - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * Math.sin(2 * phi)
      + (15 * e4 / 256 + 45 * e6 / 1024) * Math.sin(4 * phi)
      - (35 * e6 / 3072) * Math.sin(6 * phi));
  var x = N * (A + (1 - T + C) * Math.pow(A, 3) / 6
      + (5 - 18 * T + T * T + 72 * C - 58 * ep2) * Math.pow(A, 5) / 120);
  var y = M + N * t * (A * A / 2 + (5 - T + 9 * C + 4 * C * C) * Math.pow(A, 4) / 24
      + (61 - 58 * T + T * T + 600 * C - 330 * ep2) * Math.pow(A, 6) / 720);
  return '经纬度：' + deg + ' ｜ CGCS2000 3度带第' + zone + '带（EPSG:' + (4488 + zone)
       + '）X ' + y.toFixed(2) + ' Y ' + (zone * 1e6 + 500000 + x).toFixed(2);
}"""


def _check_basemap(basemap: str, tianditu_key: str | None) -> None:
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}")
    if basemap.startswith("tianditu"):
        if not tianditu_key:
            raise ValueError(
                f"basemap {basemap!r} needs a 天地图 key: pass tianditu_key= (a browser key "
                "from https://console.tianditu.gov.cn), or use basemap='none' offline"
            )
        if not _TIANDITU_KEY.match(tianditu_key):
            raise ValueError(
                f"tianditu_key {tianditu_key!r} does not look like a 天地图 key "
                "(expected 8–64 letters and digits)"
            )


def _validate_layers(layers: Sequence[MapLayer]) -> None:
    """Collect every problem with ``layers`` and raise once."""
    crs_problems: list[str] = []
    problems: list[str] = []
    seen: set[str] = set()
    for layer in layers:
        name = f"layer {layer.code} ({layer.title})"
        if layer.code in seen:
            problems.append(f"{name}: duplicate layer code")
        seen.add(layer.code)
        if not isinstance(layer.gdf, gpd.GeoDataFrame):
            problems.append(f"{name}: gdf is a {type(layer.gdf).__name__}, not a GeoDataFrame")
            continue
        if layer.gdf.crs is None:
            crs_problems.append(
                f"{name}: the frame has no CRS; set it with gdf.set_crs('EPSG:4490') "
                "(CGCS2000) or the CRS its coordinates are really in"
            )
        problems.extend(f"{name}: {p}" for p in _style_problems(layer.style))
        missing = [c for c, _ in layer.popup_fields if c not in layer.gdf.columns]
        if missing:
            problems.append(
                f"{name}: popup fields {missing} are not columns of the frame "
                f"(columns: {list(layer.gdf.columns)})"
            )
    if crs_problems:
        raise CRSError("cannot draw layers without a CRS:\n  " + "\n  ".join(crs_problems))
    if problems:
        raise LayerDefinitionError("cannot draw layers:\n  " + "\n  ".join(problems))


def _style_problems(style: Mapping[str, Any]) -> list[str]:
    problems = []
    for key in ("fill", "stroke"):
        value = style.get(key)
        if not isinstance(value, str) or not _COLOUR.match(value):
            problems.append(f"style {key} = {value!r} is not a colour such as '#1F4E9A'")
    opacity = style.get("fill_opacity")
    if not (_is_number(opacity) and 0 <= opacity <= 1):
        problems.append(f"style fill_opacity = {opacity!r} is not a number from 0 to 1")
    weight = style.get("weight")
    if not (_is_number(weight) and weight >= 0):
        problems.append(f"style weight = {weight!r} is not a line width ≥ 0 (mm)")
    dash = style.get("dash")
    dash_ok = isinstance(dash, str) and _DASH.match(dash) is not None
    if not (dash is None or isinstance(dash, bool) or dash_ok):
        problems.append(f"style dash = {dash!r} is neither true/false nor a dash array like '6 4'")
    return problems


def _is_number(value: Any) -> TypeGuard[float]:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


def _display_frame(layer: MapLayer) -> gpd.GeoDataFrame:
    """The layer in EPSG:4326 without null or empty geometries."""
    frame = layer.gdf
    keep = frame.geometry.notna() & ~frame.geometry.is_empty
    if not keep.all():
        log.debug("layer %s: %d features without geometry not drawn", layer.code, (~keep).sum())
        frame = frame[keep]
    return frame.to_crs("EPSG:4326")


def _bounds(frames: Iterator[gpd.GeoDataFrame]) -> list[list[float]] | None:
    boxes = [f.total_bounds for f in frames if len(f)]
    if not boxes:
        return None
    arr = np.array(boxes)
    west, south = arr[:, 0].min(), arr[:, 1].min()
    east, north = arr[:, 2].max(), arr[:, 3].max()
    return [[float(south), float(west)], [float(north), float(east)]]


def _add_basemap(m: folium.Map, basemap: str, key: str | None) -> list[tuple[str, str]]:
    """Add the basemap's tile layers; return (JS variable, message) for tile errors."""
    if basemap == "none":
        return []
    if basemap == "osm":
        tiles = folium.TileLayer("OpenStreetMap", name="OpenStreetMap", overlay=False)
        tiles.add_to(m)
        message = "在线底图（OpenStreetMap）瓦片加载失败：本机可能无法访问互联网。"
        return [(tiles.get_name(), message)]
    base, labels, title = _TIANDITU[basemap]
    message = (  # a page cannot read a tile's HTTP status, so name every likely cause
        "天地图瓦片加载失败。可能原因：① 本机无法访问互联网或 tianditu.gov.cn；"
        "② 密钥（tk）无效或不是浏览器端密钥（天地图返回 418）；"
        "③ 超出当日访问配额（返回 429）。可改用“无底图”或本地栅格底图。"
    )
    notices = []
    for layer, name, overlay in ((base, title, False), (labels, f"{title}注记", True)):
        tiles = folium.TileLayer(
            tiles=_TIANDITU_URL.format(layer=layer, key=key),
            attr=_TIANDITU_ATTRIBUTION, name=name, overlay=overlay, control=True,
            subdomains="01234567", max_zoom=18,
        )
        tiles.add_to(m)
        notices.append((tiles.get_name(), message))
    return notices


def _add_layer(m: folium.Map, layer: MapLayer, frame: gpd.GeoDataFrame) -> str:
    """Draw one layer; return how much of it is schematic: "all", "some" or "none"."""
    status = np.zeros(len(frame), dtype=bool)
    if "geometry_status" in frame.columns:
        is_schematic = frame["geometry_status"].astype("string").eq(SCHEMATIC_STATUS)
        status = is_schematic.fillna(False).to_numpy(dtype=bool)
    schematic = status | layer.schematic
    # A layer flagged schematic is drawn in the style given; elsewhere the schematic
    # features of a mixed layer are set apart as in the QGIS styles.
    restyle = status & (not layer.schematic)
    geometries = shapely.transform(frame.geometry.to_numpy(), lambda xy: xy.round(7))
    features = []
    for i, (geometry, (_, row), is_schematic, is_restyled) in enumerate(
        zip(geometries, frame.iterrows(), schematic, restyle, strict=True)
    ):
        features.append({
            "type": "Feature",
            "id": str(i),
            "geometry": shapely.geometry.mapping(geometry),
            "properties": {
                "popup_html": _popup_html(layer, row, schematic=bool(is_schematic)),
                "restyle": bool(is_restyled),
            },
        })
    style = leaflet_style(layer.style)
    schematic_style = {
        **style,
        "dashArray": _SCHEMATIC_DASH,
        "fillOpacity": round(style["fillOpacity"] * _SCHEMATIC_FILL_FACTOR, 3),
    }
    has_points = bool(len(frame)) and frame.geom_type.isin(["Point", "MultiPoint"]).any()
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=html.escape(layer.title),  # Leaflet's layer control inserts names as HTML
        style_function=lambda f: schematic_style if f["properties"]["restyle"] else style,
        highlight_function=lambda _: {"weight": style["weight"] + 2, "fillOpacity": 0.5},
        on_each_feature=JsCode(
            "function (feature, layer) {"
            " layer.bindPopup(feature.properties.popup_html, " + _POPUP_OPTIONS + "); }"
        ),
        marker=folium.CircleMarker(radius=6) if has_points else None,
        overlay=True, control=True, show=True,
    ).add_to(m)
    if layer.schematic or (len(schematic) and schematic.all()):
        return "all"
    return "some" if schematic.any() else "none"


def leaflet_style(style: Mapping[str, Any]) -> dict[str, Any]:
    """Leaflet path options of a layer style (``styles.toml`` widths in mm, drawn × 2 px)."""
    dash = style.get("dash")
    dash_array = _SCHEMATIC_DASH if dash is True else (dash or None)
    return {
        "color": style["stroke"],
        "weight": round(float(style["weight"]) * _WEIGHT_PX_PER_MM, 2),
        "opacity": 1.0,
        "fillColor": style["fill"],
        "fillOpacity": float(style["fill_opacity"]),
        "fill": style["fill"] != "none",
        "dashArray": dash_array,
    }


def _popup_html(layer: MapLayer, row: pd.Series, *, schematic: bool) -> str:
    """A feature's popup: escaped values under Chinese labels."""
    cells = "".join(
        f"<tr><th>{html.escape(label)}</th><td>{html.escape(_format_value(row.get(column)))}</td></tr>"
        for column, label in layer.popup_fields
    )
    note = f'<div class="mp-popup-schematic">{SCHEMATIC_POPUP_NOTE}</div>' if schematic else ""
    return (
        f'<div class="mp-popup"><div class="mp-popup-title">{html.escape(layer.title)}</div>'
        f"<table>{cells}</table>{note}</div>"
    )


def _format_value(value: Any) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "—"
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    if isinstance(value, float | np.floating):
        return f"{float(value):.12g}"
    if isinstance(value, datetime):  # includes pd.Timestamp
        midnight = value.hour == value.minute == value.second == value.microsecond == 0
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _legend_html(layers: Sequence[MapLayer], schematic: Mapping[str, str]) -> str:
    """Legend rows: swatch, title and "（示意）" (whole layer) or "（含示意）" (some features)."""
    items = []
    for layer in layers:
        style = leaflet_style(layer.style)
        extent = schematic.get(layer.code, "none")
        border = "dashed" if (style["dashArray"] or extent == "all") else "solid"
        opacity = style["fillOpacity"] if style["fill"] else 0.0
        swatch = (
            f'<span class="mp-swatch" style="border:2px {border} {style["color"]};">'
            f'<span style="background:{style["fillColor"] if style["fill"] else "transparent"};'
            f'opacity:{max(opacity, 0.15):.2f};"></span></span>'
        )
        suffix = {"all": "（示意）", "some": "（含示意）"}.get(extent, "")
        items.append(f"<li>{swatch}{html.escape(layer.title)}{suffix}</li>")
    return f'<div class="mp-legend-title">图例</div><ul>{"".join(items)}</ul>'


class _MapDecorations(MacroElement):
    """Legend, schematic banner, metric scale and tile-error notice of a zone map."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
#{{ this._parent.get_name() }}.leaflet-container { background: #f7f7f4; }
.leaflet-container { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC",
    "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif; }
.mp-legend { background: rgba(255,255,255,.92); padding: 6px 10px; border-radius: 4px;
    box-shadow: 0 1px 5px rgba(0,0,0,.4); font-size: 13px; line-height: 1.5;
    max-height: 50vh; overflow-y: auto; }
.mp-legend-title { font-weight: bold; margin-bottom: 2px; cursor: pointer; }
.mp-legend-title::after { content: " ▾"; color: #888; }
.mp-legend-folded .mp-legend-title::after { content: " ▸"; }
.mp-legend-folded ul { display: none; }
.leaflet-control-layers { font-size: 13px; }
.mp-legend ul { list-style: none; margin: 0; padding: 0; }
.mp-legend li { white-space: nowrap; }
.mp-swatch { display: inline-block; width: 18px; height: 12px; margin-right: 6px;
    vertical-align: middle; box-sizing: border-box; position: relative; }
.mp-swatch > span { position: absolute; inset: 0; }
.mp-banner { position: absolute; top: 0; left: 0; right: 0; z-index: 1001;
    padding: 4px 8px; text-align: center; font-size: 14px; font-weight: bold;
    color: #fff; background: rgba(192,0,0,.88); pointer-events: none; }
.mp-has-banner .leaflet-top { top: 30px; }
.mp-notice { position: absolute; top: 40px; left: 50%; transform: translateX(-50%);
    z-index: 1001; padding: 4px 10px; max-width: 70%; font-size: 13px; color: #7a3b00;
    background: #fff4d6; border: 1px solid #e0a800; border-radius: 4px; }
.mp-popup { font-size: 13px; }
.mp-popup-title { font-weight: bold; margin-bottom: 4px; }
.mp-popup table { border-collapse: collapse; }
.mp-popup th { text-align: left; padding: 1px 8px 1px 0; color: #555; font-weight: normal;
    white-space: nowrap; vertical-align: top; }
.mp-popup td { padding: 1px 0; }
.mp-popup-schematic { margin-top: 6px; color: #c00000; font-weight: bold; }
</style>
{% endmacro %}

{% macro script(this, kwargs) %}
(function (map) {
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    var legend = L.control({position: "bottomleft"});
    legend.onAdd = function () {
        var div = L.DomUtil.create("div", "mp-legend");
        div.innerHTML = {{ this.legend_html|tojson }};
        div.firstChild.title = "点击折叠/展开图例";
        L.DomEvent.on(div.firstChild, "click", function () {
            L.DomUtil.hasClass(div, "mp-legend-folded")
                ? L.DomUtil.removeClass(div, "mp-legend-folded")
                : L.DomUtil.addClass(div, "mp-legend-folded");
        });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    legend.addTo(map);
    {%- if this.banner %}
    var banner = L.DomUtil.create("div", "mp-banner", map.getContainer());
    banner.textContent = {{ this.banner|tojson }};
    L.DomUtil.addClass(map.getContainer(), "mp-has-banner");
    {%- endif %}
    var notice = null;
    function showNotice(text) {
        if (notice) { return; }
        notice = L.DomUtil.create("div", "mp-notice", map.getContainer());
        notice.textContent = text;
    }
    {%- for name, message in this.tile_notices %}
    {{ name }}.on("tileerror", function () { showNotice({{ message|tojson }}); });
    {%- endfor %}
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self, *, legend_html: str, banner: str | None, tile_notices: Sequence[tuple[str, str]]
    ) -> None:
        super().__init__()
        self._name = "MapDecorations"
        self.legend_html = legend_html
        self.banner = banner
        self.tile_notices = list(tile_notices)


# --------------------------------------------------------------------------- offline HTML


@dataclass(frozen=True)
class _Asset:
    name: str
    path: Path
    pattern: re.Pattern[str]
    kind: str  # "js" or "css"


@dataclass(frozen=True)
class _Manifest:
    assets: tuple[_Asset, ...]
    dropped: tuple[tuple[str, re.Pattern[str]], ...]


def static_dir() -> Path:
    """``mineplan/web/static``: the vendored map assets."""
    return Path(str(resources.files("mineplan.web") / "static"))


def leaflet_dir() -> Path:
    """Leaflet's files in the installed ``xstatic-leaflet`` package."""
    return _xstatic_leaflet_dir()


def _xstatic_leaflet_dir() -> Path:
    try:
        from xstatic.pkg import leaflet
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError(
            "offline maps need Leaflet from the 'xstatic-leaflet' package: "
            "pip install 'xstatic-leaflet>=1.9,<2'"
        ) from exc
    return Path(leaflet.BASE_DIR)


@functools.lru_cache(maxsize=1)
def _manifest() -> _Manifest:
    static = static_dir()
    data = json.loads((static / "assets.json").read_text(encoding="utf-8"))
    assets = []
    for package in data["packages"]:
        root = _xstatic_leaflet_dir() if package["root"] == "xstatic-leaflet" else static
        for entry in package["files"]:
            path = root / entry["path"]
            assets.append(_Asset(
                name=f"{package['name']} {package['version']}",
                path=path,
                pattern=re.compile(entry["replaces"]),
                kind="css" if path.suffix == ".css" else "js",
            ))
    dropped = tuple((d["name"], re.compile(d["replaces"])) for d in data["dropped"])
    return _Manifest(assets=tuple(assets), dropped=dropped)


_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif",
         ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".woff2": "font/woff2",
         ".js": "text/javascript", ".css": "text/css"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_HEAD_TAG = re.compile(
    r'<script\b[^>]*\bsrc="(?P<js>[^"]+)"[^>]*>\s*</script>'
    r'|<link\b[^>]*\bhref="(?P<css>[^"]+)"[^>]*>',
    re.IGNORECASE,
)


def data_uri(path: Path, *, data: bytes | None = None) -> str:
    """A ``data:`` URI of a local file (or of ``data`` typed by ``path``'s suffix)."""
    mime = _MIME.get(path.suffix.lower())
    if mime is None:
        raise ValueError(f"cannot inline {path}: unknown file type {path.suffix!r}")
    payload = path.read_bytes() if data is None else data
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def css_with_inlined_urls(path: Path) -> str:
    """A stylesheet's text with every ``url(…)`` image inlined as a data URI.

    Raises
    ------
    ValueError
        When the stylesheet uses ``@import`` or refers to a network resource.
    """
    text = path.read_text(encoding="utf-8")
    if re.search(r"@import", text, flags=re.IGNORECASE):
        raise ValueError(f"{path}: @import is not supported in inlined stylesheets")

    def replace(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#")):
            return match.group(0)
        if re.match(r"^([a-z]+:)?//", target, flags=re.IGNORECASE):
            raise ValueError(f"{path}: stylesheet refers to a network resource {target!r}")
        return f'url("{data_uri(path.parent / target.split("?")[0].split("#")[0])}")'

    return _CSS_URL.sub(replace, text)


@functools.lru_cache(maxsize=32)
def _inline_tag(path: Path, kind: str) -> str:
    """The asset as an inline ``<script>`` or ``<style>`` element."""
    text = path.read_text(encoding="utf-8")
    if kind == "js":
        text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
        text = text.replace("<!--", "<\\!--")
        return f"<script>/* {path.name} (inlined) */\n{text}\n</script>"
    text = css_with_inlined_urls(path)
    text = re.sub(r"</(style)", r"<\\/\1", text, flags=re.IGNORECASE)
    return f"<style>/* {path.name} (inlined) */\n{text}\n</style>"


def _leaflet_icon_script() -> str:
    """Point Leaflet's default marker icons at inlined images.

    Leaflet finds its icon folder from the CSS ``url()`` of ``marker-icon.png``,
    which a data URI defeats; set the URLs explicitly instead.
    """
    images = _xstatic_leaflet_dir() / "images"
    options = {
        "iconUrl": data_uri(images / "marker-icon.png"),
        "iconRetinaUrl": data_uri(images / "marker-icon-2x.png"),
        "shadowUrl": data_uri(images / "marker-shadow.png"),
    }
    return (
        '<script>L.Icon.Default.imagePath = "";'
        f"L.Icon.Default.mergeOptions({json.dumps(options)});</script>"
    )


def _dropped_asset_users(m: folium.Map) -> list[str]:
    """Elements of ``m`` that would need an asset the offline page leaves out."""
    users = []
    if getattr(m, "objects_to_stay_in_front", None):
        users.append("Map.keep_in_front (needs jQuery)")
    stack = list(m._children.values())
    while stack:
        element = stack.pop()
        if isinstance(element, folium.Popup) and element.html._children:
            users.append("folium.Popup (needs jQuery; use GeoJson popups instead)")
        if isinstance(element, folium.Icon):
            users.append("folium.Icon (needs awesome-markers and Font Awesome)")
        stack.extend(element._children.values())
    return sorted(set(users))


def render_offline_html(m: folium.Map) -> str:
    """The map's complete HTML page with every asset inlined.

    Scripts and stylesheets folium would load from CDNs are replaced by the
    local copies listed in ``mineplan/web/static/assets.json`` (Leaflet from the
    installed ``xstatic-leaflet``), images referenced by stylesheets become
    ``data:`` URIs, and jQuery, Bootstrap, Font Awesome and awesome-markers are
    left out. The page can be written to a file or shown in a sandboxed iframe
    (``streamlit.components.v1.html``) with no network; the only network
    references left are the tile URLs of an online basemap the map was given.

    Parameters
    ----------
    m
        Any folium map; it is rendered, not modified.

    Returns
    -------
    str
        A UTF-8 HTML document (``<html lang="zh-CN">``).

    Raises
    ------
    ValueError
        The map uses an asset that is not available offline: an unknown CDN
        script or stylesheet (e.g. from a plugin not vendored here), or an element
        that needs jQuery / Font Awesome (``folium.Popup``, ``folium.Icon``).
    """
    users = _dropped_asset_users(m)
    if users:
        raise ValueError(
            "this map needs assets that are not available offline: " + "; ".join(users)
        )
    page = m.get_root().render()
    manifest = _manifest()
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        url = match.group("js") or match.group("css")
        if not re.match(r"^(https?:)?//", url, flags=re.IGNORECASE):
            return match.group(0)  # a local or data: reference: leave it
        for asset in manifest.assets:
            if asset.pattern.search(url):
                tag = _inline_tag(asset.path, asset.kind)
                if asset.path.name == "leaflet.js":
                    tag += _leaflet_icon_script()
                return tag
        for name, pattern in manifest.dropped:
            if pattern.search(url):
                return f"<!-- {html.escape(name)} not needed offline -->"
        unknown.append(url)
        return match.group(0)

    page = _HEAD_TAG.sub(replace, page)
    if unknown:
        raise ValueError(
            "no offline copy of these map assets (add them to mineplan/web/static/assets.json "
            "or leave out the plugin that needs them): " + ", ".join(unknown)
        )
    remote = _remote_references(page)
    if remote:  # a folium change the substitution above did not foresee
        raise ValueError("offline HTML still loads from the network: " + ", ".join(remote))
    page = re.sub(r"<html(?![^>]*\blang=)", '<html lang="zh-CN"', page, count=1)
    if "charset" not in page[: page.find("</head>")].lower():
        page = page.replace("<head>", '<head>\n<meta charset="utf-8">', 1)
    return page


class _RemoteRefs(HTMLParser):
    """Collect network URLs an HTML page loads through tags and inline CSS."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if not value:
                continue
            if name == "src" or (tag == "link" and name == "href"):
                self._check(value)
            if name == "style":
                self._check_css(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._check_css(data)

    def _check_css(self, css: str) -> None:
        for match in _CSS_URL.finditer(css):
            self._check(match.group(2))
        for match in re.finditer(r"""@import\s+(['"])([^'"]+)\1""", css):
            self._check(match.group(2))

    def _check(self, url: str) -> None:
        if re.match(r"^\s*(https?:)?//", url, flags=re.IGNORECASE):
            self.urls.append(url.strip())


def _remote_references(page: str) -> list[str]:
    parser = _RemoteRefs()
    parser.feed(page)
    parser.close()
    return parser.urls
