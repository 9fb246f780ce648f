"""The zone map's optional online basemaps: OpenStreetMap and 天地图 (vector, imagery).

A basemap is the only thing a zone map may load from the network; ``"none"`` (plain
light background) works offline. A 天地图 basemap needs a browser key (tk); when its
tiles fail to load the map says, in Chinese, what the likely causes are.

May import folium only (inside :func:`add_basemap`: the live map needs none of it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import folium

__all__ = ["BASEMAPS", "add_basemap", "basemap_tiles", "check_basemap"]

BASEMAPS = ("none", "osm", "tianditu_vec", "tianditu_img")

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
_TIANDITU_KEY = re.compile(r"^[0-9A-Za-z]{8,64}$")
_OSM_FAILED = "在线底图（OpenStreetMap）瓦片加载失败：本机可能无法访问互联网。"
_TIANDITU_FAILED = (  # a page cannot read a tile's HTTP status, so name every likely cause
    "天地图瓦片加载失败。可能原因：① 本机无法访问互联网或 tianditu.gov.cn；"
    "② 密钥（tk）无效或不是浏览器端密钥（天地图返回 418）；"
    "③ 超出当日访问配额（返回 429）。可改用“无底图”或本地栅格底图。"
)


def check_basemap(basemap: str, tianditu_key: str | None) -> None:
    """Refuse an unknown basemap, or a 天地图 basemap without a usable key.

    Raises
    ------
    ValueError
        Naming the basemaps there are, or what a key looks like.
    """
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


def basemap_tiles(basemap: str, key: str | None) -> list[dict[str, object]]:
    """The basemap's tile layers as plain data (``url``, ``attribution``, ``subdomains``,
    ``max_zoom``, ``notice`` shown when tiles fail), bottom first; for maps drawn by
    mineplan's own script (:mod:`mineplan.web.livemap`). Check with :func:`check_basemap`.
    """
    if basemap == "none":
        return []
    if basemap == "osm":
        return [{"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                 "attribution": "© OpenStreetMap 贡献者", "subdomains": "abc",
                 "max_zoom": 19, "notice": _OSM_FAILED}]
    base, labels, _ = _TIANDITU[basemap]
    return [{"url": _TIANDITU_URL.format(layer=layer, key=key),
             "attribution": _TIANDITU_ATTRIBUTION, "subdomains": "01234567", "max_zoom": 18,
             "notice": _TIANDITU_FAILED} for layer in (base, labels)]


def add_basemap(m: folium.Map, basemap: str, key: str | None) -> list[tuple[str, str]]:
    """Add the basemap's tile layers to ``m`` (checked by :func:`check_basemap` first).

    Returns
    -------
    list of (str, str)
        (JavaScript variable of a tile layer, Chinese message to show when its tiles
        fail to load); empty for ``"none"``.
    """
    import folium

    if basemap == "none":
        return []
    if basemap == "osm":
        tiles = folium.TileLayer("OpenStreetMap", name="OpenStreetMap", overlay=False)
        tiles.add_to(m)
        return [(tiles.get_name(), _OSM_FAILED)]
    base, labels, title = _TIANDITU[basemap]
    notices = []
    for layer, name, overlay in ((base, title, False), (labels, f"{title}注记", True)):
        tiles = folium.TileLayer(
            tiles=_TIANDITU_URL.format(layer=layer, key=key),
            attr=_TIANDITU_ATTRIBUTION, name=name, overlay=overlay, control=True,
            subdomains="01234567", max_zoom=18,
        )
        tiles.add_to(m)
        notices.append((tiles.get_name(), _TIANDITU_FAILED))
    return notices
