"""Web maps of planning zones that work with no network at all.

:func:`zone_map` builds a folium map of planning layers (one toggleable layer
each, Chinese popups, legend, fullscreen, measure and mouse-position tools);
:func:`render_offline_html` (from :mod:`mineplan.web.assets`) turns any folium map
into one self-contained HTML page with every script, stylesheet and image inlined,
for government networks that cannot reach a CDN. How the layers look (styles,
popups, legend) is :mod:`mineplan.web.legend`; the online basemaps are
:mod:`mineplan.web.basemaps`.

Geometry is reprojected to EPSG:4326 for display only; nothing here measures.

May import folium (inside the functions that draw: the types here and the live map
need none of it), :mod:`mineplan.vocab`, :mod:`mineplan.errors` and the web modules
named above.
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mineplan.errors import CRSError, LayerDefinitionError, problem_list
from mineplan.vocab import CHINA_DEFAULT_VIEW, SCHEMATIC, STORE_CRS, WEB_CRS
from mineplan.web.assets import render_offline_html, static_text
from mineplan.web.basemaps import BASEMAPS, add_basemap, check_basemap
from mineplan.web.legend import (
    SCHEMATIC_BANNER,
    SCHEMATIC_FILL_FACTOR,
    bind_popup_js,
    is_number,
    leaflet_style,
    legend_html,
    popup_html,
    style_problems,
)

if TYPE_CHECKING:
    import folium

__all__ = [
    "BASEMAPS",
    "FOCUS_STYLE",
    "GK_MOUSE_FORMATTER_JS",
    "SCHEMATIC_BANNER",
    "ImageLayer",
    "MapLayer",
    "add_tools",
    "leaflet_style",
    "render_offline_html",
    "zone_map",
]

log = logging.getLogger(__name__)

#: When there is no data: [[south, west], [north, east]] of the mainland.
_CHINA_VIEW = [list(CHINA_DEFAULT_VIEW[0]), list(CHINA_DEFAULT_VIEW[1])]


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
    import folium
    from folium.raster_layers import ImageOverlay

    from mineplan.web.decorations import MapDecorations

    check_basemap(basemap, tianditu_key)
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
            m.fit_bounds(bounds or _CHINA_VIEW)
    else:
        if center is None:
            box = bounds or _CHINA_VIEW
            center = ((box[0][0] + box[1][0]) / 2, (box[0][1] + box[1][1]) / 2)
        m = folium.Map(
            location=list(center), zoom_start=10 if zoom is None else zoom,
            tiles=None, control_scale=False, prefer_canvas=False,
        )

    tile_notices = add_basemap(m, basemap, tianditu_key)
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

    add_tools(m)
    folium.LayerControl(position="topright", collapsed=collapse_layer_control).add_to(m)
    MapDecorations(
        legend_html=legend_html([(x.code, x.title, x.style) for x in layers], schematic),
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
        if not (is_number(image.opacity) and 0 <= image.opacity <= 1):
            problems.append(f"image {image.title!r}: opacity {image.opacity!r} is not 0–1")
    if problems:
        raise LayerDefinitionError("cannot draw images: " + problem_list(problems))


def _add_focus(m: folium.Map, layer: MapLayer, frame: gpd.GeoDataFrame) -> None:
    """Outline the focused features on top (clicks inside reach the zone beneath)."""
    import folium
    from folium.utilities import JsCode

    features = [
        {"type": "Feature", "id": str(i), "geometry": shapely.geometry.mapping(geometry),
         "properties": {"popup_html": popup_html(
             layer.title, layer.popup_fields, row,
             schematic=_is_schematic(row) or layer.schematic)}}
        for i, (geometry, (_, row)) in enumerate(zip(frame.geometry, frame.iterrows(),
                                                     strict=True))
    ]
    geo = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=html.escape(layer.title),
        style_function=lambda _: FOCUS_STYLE,
        on_each_feature=JsCode(bind_popup_js()),
        overlay=True, control=False, show=True,
    )
    geo.add_to(m)


def _is_schematic(row: pd.Series) -> bool:
    return str(row.get("geometry_status", "")) == SCHEMATIC


def add_tools(m: folium.Map) -> None:
    """Fullscreen, measure (m / km², Chinese) and mouse position (degrees and the
    Gauss-Krüger X/Y of the point) controls; every zone map and the drawing map have them."""
    from folium import plugins
    from folium.utilities import JsCode

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
#: zone), computed in the browser (``static/mineplan/gk-mouse-formatter.js``).
#: tests/test_webmap.py checks it against pyproj.
GK_MOUSE_FORMATTER_JS = static_text("gk-mouse-formatter.js")


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
                f"{name}: the frame has no CRS; set it with gdf.set_crs({STORE_CRS!r}) "
                "(CGCS2000) or the CRS its coordinates are really in"
            )
        problems.extend(f"{name}: {p}" for p in style_problems(layer.style))
        missing = [c for c, _ in layer.popup_fields if c not in layer.gdf.columns]
        if missing:
            problems.append(
                f"{name}: popup fields {missing} are not columns of the frame "
                f"(columns: {list(layer.gdf.columns)})"
            )
    if crs_problems:
        raise CRSError("cannot draw layers without a CRS: " + problem_list(crs_problems))
    if problems:
        raise LayerDefinitionError("cannot draw layers: " + problem_list(problems))


def _display_frame(layer: MapLayer) -> gpd.GeoDataFrame:
    """The layer in EPSG:4326 without null or empty geometries."""
    frame = layer.gdf
    keep = frame.geometry.notna() & ~frame.geometry.is_empty
    if not keep.all():
        log.debug("layer %s: %d features without geometry not drawn", layer.code, (~keep).sum())
        frame = frame[keep]
    return frame.to_crs(WEB_CRS)


def _bounds(frames: Iterator[gpd.GeoDataFrame]) -> list[list[float]] | None:
    boxes = [f.total_bounds for f in frames if len(f)]
    if not boxes:
        return None
    arr = np.array(boxes)
    west, south = arr[:, 0].min(), arr[:, 1].min()
    east, north = arr[:, 2].max(), arr[:, 3].max()
    return [[float(south), float(west)], [float(north), float(east)]]


def _add_layer(m: folium.Map, layer: MapLayer, frame: gpd.GeoDataFrame) -> str:
    """Draw one layer; return how much of it is schematic: "all", "some" or "none"."""
    import folium
    from folium.utilities import JsCode

    status = np.zeros(len(frame), dtype=bool)
    if "geometry_status" in frame.columns:
        is_schematic = frame["geometry_status"].astype("string").eq(SCHEMATIC)
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
                "popup_html": popup_html(layer.title, layer.popup_fields, row,
                                         schematic=bool(is_schematic)),
                "restyle": bool(is_restyled),
            },
        })
    style = leaflet_style(layer.style)
    schematic_style = {
        **style,
        "dashArray": leaflet_style({**layer.style, "dash": True})["dashArray"],
        "fillOpacity": round(style["fillOpacity"] * SCHEMATIC_FILL_FACTOR, 3),
    }
    has_points = bool(len(frame)) and frame.geom_type.isin(["Point", "MultiPoint"]).any()
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=html.escape(layer.title),  # Leaflet's layer control inserts names as HTML
        style_function=lambda f: schematic_style if f["properties"]["restyle"] else style,
        highlight_function=lambda _: {"weight": style["weight"] + 2, "fillOpacity": 0.5},
        on_each_feature=JsCode(bind_popup_js()),
        marker=folium.CircleMarker(radius=6) if has_points else None,
        overlay=True, control=True, show=True,
    ).add_to(m)
    if layer.schematic or (len(schematic) and schematic.all()):
        return "all"
    return "some" if schematic.any() else "none"
