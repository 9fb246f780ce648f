"""The browse page's live map: a map that keeps up with the planner (issue 14 §1–2).

Streamlit reruns the page on every click. The old browse map was a whole folium page
re-sent (1.4–2.5 MB) and redrawn at its start view on every rerun. This map is a
Streamlit component whose page (Leaflet, its plugins, mineplan's tools and
``static/mineplan/live-map.js``) loads once and stays: a rerun only sends what it shows
(:func:`live_map_args`: the layers by URL, the visible features' ids, the focus, a fit
request, the basemap's tiles, the legend), so zoom, pan, open popup and legend are
kept. Each layer's GeoJSON is written once per store version to a file beside the
page (:func:`publish_layers`, named by its content's hash, cached by the browser).

The page adds what the folium zone map lacks: clicking lists every feature under the
point (identify), hover tooltips with name and number, the searched zone on top with
its popup open, a fit to the chosen plans, a "go to" marker, and a legend folded on
small screens. A large layer (:mod:`mineplan.web.mapview`) is sent for the view only:
the map reports its view back when the planner leaves what was sent.

Works with no network: the page inlines every asset (:func:`mineplan.web.assets.
render_offline_html`); the layers are served by Streamlit from the component folder.

May import :mod:`mineplan.vocab`, :mod:`mineplan.web.webmap`, :mod:`mineplan.web.legend`,
:mod:`mineplan.web.basemaps` and :mod:`mineplan.web.assets`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mineplan.vocab import SCHEMATIC, WEB_CRS
from mineplan.web.assets import render_offline_html, static_text
from mineplan.web.basemaps import basemap_tiles, check_basemap
from mineplan.web.legend import (
    SCHEMATIC_BANNER,
    SCHEMATIC_FILL_FACTOR,
    leaflet_style,
    legend_html,
    popup_html,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from mineplan.web.webmap import ImageLayer, MapLayer

__all__ = [
    "LiveLayer",
    "component_dir",
    "keep_facts",
    "kept_facts",
    "layer_geojson",
    "live_map_args",
    "live_map_page",
    "page_key",
    "preparing",
    "publish_image",
    "publish_layers",
    "published_layers",
    "read_published",
    "under_preparation",
    "visible_ids",
]

_DATA = "data"


@dataclass(frozen=True)
class LiveLayer:
    """A store layer published for the live map.

    Attributes
    ----------
    code, title
        As in :class:`~mineplan.web.webmap.MapLayer`.
    url
        The GeoJSON file, relative to the component's page.
    style, schematic_style
        Leaflet path options for ordinary and set-apart schematic features.
    schematic
        ``"all"``, ``"some"`` or ``"none"`` of the layer is schematic (legend).
    ids
        Feature ids: the row labels in the store frame (as text).
    map_style
        The layer's style as :class:`~mineplan.web.webmap.MapLayer` has it (legend).
    view
        For a large layer sent for one view only (:mod:`mineplan.web.mapview`):
        ``{"bounds": [w, s, e, n], "zoom": z}`` it covers; the map reports its view
        when it leaves that box or zoom. None: the whole layer.
    """

    code: str
    title: str
    url: str
    style: dict[str, Any]
    schematic_style: dict[str, Any]
    schematic: str
    ids: tuple[str, ...]
    map_style: dict[str, Any]
    view: dict[str, Any] | None = None


def component_dir() -> Path:
    """The folder Streamlit serves the live map from (page and layer files).

    Per user, in the temporary folder; the page is rewritten when what makes it
    changes (:func:`page_key`), so a new server does not render it again (folium).
    """
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"mineplan-livemap-{uid}"
    (folder / _DATA).mkdir(parents=True, exist_ok=True)
    index, stamp = folder / "index.html", folder / "index.key"
    key = page_key()
    try:
        current = index.is_file() and stamp.read_text(encoding="utf-8") == key
    except OSError:
        current = False
    if not current:
        _write(index, live_map_page().encode("utf-8"))
        _write(stamp, key.encode("utf-8"))
    return folder


_KEY: str | None = None


def page_key() -> str:
    """A digest of everything :func:`live_map_page` is made of: mineplan's web modules
    and static files, and the folium, branca and Leaflet versions (without importing them).
    """
    global _KEY
    if _KEY is None:
        from importlib import metadata

        digest = hashlib.sha256()
        web = Path(__file__).parent
        for path in sorted([*web.glob("*.py"), *(p for p in (web / "static").rglob("*")
                                                 if p.is_file())]):
            digest.update(str(path.relative_to(web)).encode("utf-8"))
            digest.update(path.read_bytes())
        for dist in ("folium", "branca", "xstatic-leaflet"):
            try:
                digest.update(f"{dist}={metadata.version(dist)}".encode())
            except metadata.PackageNotFoundError:
                digest.update(f"{dist}=none".encode())
        _KEY = digest.hexdigest()
    return _KEY


def _write(path: Path, data: bytes) -> None:
    """Write a served file whole (temp file then rename): a reader never sees half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    os.fchmod(fd, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


_PAGE: str | None = None


def live_map_page() -> str:
    """The component's page: an empty offline zone map and ``live-map.js``."""
    global _PAGE
    if _PAGE is None:
        from mineplan.web.webmap import zone_map

        m = zone_map([], collapse_layer_control=True)
        control = next((c.get_name() for c in m._children.values()
                        if type(c).__name__ == "LayerControl"), "null")
        page = render_offline_html(m)
        script = (f"<style>{static_text('live-map.css')}</style>\n<script>\n"
                  f"{static_text('live-map.js')}({m.get_name()}, {control});\n</script>\n")
        head, tail = page.rsplit("</html>", 1)  # after folium's script made the map
        _PAGE = head + script + "</html>" + tail
    return _PAGE


def layer_geojson(layer: MapLayer) -> tuple[bytes, tuple[str, ...], str]:
    """A layer as GeoJSON for the live map: its bytes, the ids, how much is schematic.

    Each feature's ``id`` is its position; its properties are ``popup_html``,
    ``tip`` (name and number, for the hover tooltip) and ``restyle`` (a schematic
    feature of a layer not flagged schematic: drawn dashed).
    """
    import numpy as np
    import shapely

    frame = layer.gdf
    keep = frame.geometry.notna() & ~frame.geometry.is_empty
    frame = frame[keep].to_crs(WEB_CRS)
    status = np.zeros(len(frame), dtype=bool)
    if "geometry_status" in frame.columns:
        status = frame["geometry_status"].astype("string").eq(SCHEMATIC).fillna(False) \
            .to_numpy(dtype=bool)
    schematic = status | layer.schematic
    restyle = status & (not layer.schematic)
    geometries = shapely.transform(frame.geometry.to_numpy(), lambda xy: xy.round(6))
    # GEOS writes the geometry's GeoJSON (C, vectorised); the rest is assembled as text
    texts = shapely.to_geojson(geometries)
    features = []
    ids = tuple(str(label) for label in frame.index)
    for fid, text, (_, row), is_schematic, is_restyled in zip(
            ids, texts, frame.iterrows(), schematic, restyle, strict=True):
        name = row.get("name")
        number = row.get("zone_id")
        tip = " ".join(str(v) for v in (name, number)
                       if v is not None and str(v).strip() and str(v) != "nan")
        head = json.dumps({"type": "Feature", "id": fid}, ensure_ascii=False,
                          separators=(",", ":"))[:-1]
        properties = json.dumps(
            {"popup_html": popup_html(layer.title, layer.popup_fields, row,
                                      schematic=bool(is_schematic)),
             "tip": tip or layer.title, "restyle": bool(is_restyled)},
            ensure_ascii=False, separators=(",", ":"))
        features.append(f'{head},"geometry":{text},"properties":{properties}}}')
    data = ('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
            ).encode("utf-8")
    extent = "all" if (layer.schematic or (len(schematic) and schematic.all())) else \
        ("some" if schematic.any() else "none")
    return data, ids, extent


def publish_layers(layers: Sequence[MapLayer], folder: Path, *,
                   views: Mapping[str, Mapping[str, Any]] | None = None) -> list[LiveLayer]:
    """Write each layer's GeoJSON under ``folder/data`` (named by content) for the page.

    ``views``: layer code → the view a layer sent for one view covers
    (:meth:`mineplan.web.mapview.MapView.as_args`).
    """
    views = views or {}
    out = []
    for layer in layers:
        data, ids, extent = layer_geojson(layer)
        name = f"{layer.code}-{hashlib.sha256(data).hexdigest()[:16]}.geojson"
        path = folder / _DATA / name
        if not path.is_file():
            _write(path, data)
        style = leaflet_style(layer.style)
        out.append(LiveLayer(
            code=layer.code, title=layer.title, url=f"{_DATA}/{name}", style=style,
            schematic_style={**style,
                             "dashArray": leaflet_style({**layer.style, "dash": True})[
                                 "dashArray"],
                             "fillOpacity": round(style["fillOpacity"] * SCHEMATIC_FILL_FACTOR,
                                                  3)},
            schematic=extent, ids=ids, map_style=dict(layer.style),
            view=dict(views[layer.code]) if layer.code in views else None))
    return out


def _kept(key: str, folder: Path, kind: str) -> Path:
    """The file under ``folder/data`` keeping ``kind`` for ``key`` and this web code."""
    digest = hashlib.sha256(f"{key}\0{page_key()}".encode()).hexdigest()[:24]
    return folder / _DATA / f"{kind}-{digest}.json"


def read_published(key: str, folder: Path) -> list[LiveLayer] | None:
    """The layers :func:`published_layers` kept under ``key``; None when there are none,
    a file is missing or mineplan's web code changed (:func:`page_key`). Reads one JSON
    file: no geopandas (the browse page's first run draws the map from this alone)."""
    try:
        stored = json.loads(_kept(key, folder, "layers").read_text(encoding="utf-8"))
        layers = [LiveLayer(**{**x, "ids": tuple(x["ids"])}) for x in stored]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return layers if all((folder / x.url).is_file() for x in layers) else None


def published_layers(key: str, make: Callable[[], Sequence[MapLayer]],
                     folder: Path) -> list[LiveLayer]:
    """:func:`publish_layers` of ``make()``, kept on disk under ``key``: a new server
    on the same store (``key`` names it and its version) reads the list back instead
    of preparing every layer again; nothing is read back when a file is missing or
    mineplan's web code changed (:func:`page_key`).
    """
    layers = read_published(key, folder)
    if layers is not None:
        return layers
    layers = publish_layers(make(), folder)
    _write(_kept(key, folder, "layers"),
           json.dumps([asdict(x) for x in layers], ensure_ascii=False).encode())
    return layers


def keep_facts(key: str, folder: Path, facts: Mapping[str, Any]) -> None:
    """Keep ``facts`` (JSON) beside the layers published under ``key`` — what a page
    worked out from the store (its filters' choices, say) — for :func:`kept_facts`."""
    _write(_kept(key, folder, "facts"), json.dumps(facts, ensure_ascii=False).encode())


def kept_facts(key: str, folder: Path) -> dict[str, Any] | None:
    """The facts :func:`keep_facts` kept under ``key`` (None when none, or when
    mineplan's web code changed)."""
    try:
        facts = json.loads(_kept(key, folder, "facts").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return facts if isinstance(facts, dict) else None


#: Seconds after which a preparation's mark is taken for one that died (killed).
_PREPARING_S = 60.0


@contextlib.contextmanager
def preparing(key: str, folder: Path) -> Iterator[None]:
    """Mark, for the block, that this process is preparing what is kept under ``key``
    (:func:`under_preparation`); the mark is removed after it, whatever happened."""
    mark = _kept(key, folder, "preparing")
    _write(mark, json.dumps({"pid": os.getpid()}).encode())
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            mark.unlink()


def under_preparation(key: str, folder: Path) -> bool:
    """Whether another process is preparing what is kept under ``key`` (:func:`preparing`):
    its mark is there, recent, and (where it can be asked) its process runs."""
    mark = _kept(key, folder, "preparing")
    try:
        if time.time() - mark.stat().st_mtime > _PREPARING_S:
            return False
        pid = int(json.loads(mark.read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, TypeError, KeyError):
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it runs, as another user
        return True
    return True


def publish_image(image: ImageLayer, folder: Path) -> dict[str, Any]:
    """A raster background written beside the page; its overlay for :func:`live_map_args`."""
    name = f"image-{hashlib.sha256(image.png).hexdigest()[:16]}.png"
    path = folder / _DATA / name
    if not path.is_file():
        _write(path, image.png)
    return {"url": f"{_DATA}/{name}", "bounds": list(image.bounds),
            "opacity": float(image.opacity)}


def visible_ids(full: gpd.GeoDataFrame, shown: gpd.GeoDataFrame) -> list[str] | None:
    """The ids of ``shown``'s rows in the published ``full`` layer; None when all are."""
    if len(shown) == len(full):
        return None
    return [str(label) for label in shown.index]


def live_map_args(
    layers: Sequence[LiveLayer],
    visible: Mapping[str, list[str] | None],
    *,
    height: int,
    basemap: str = "none",
    tianditu_key: str | None = None,
    focus: Sequence[tuple[str, str]] = (),
    fit: Mapping[str, Any] | None = None,
    image: Mapping[str, Any] | None = None,
    goto: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What one rerun sends the live map (small: ids, not geometry).

    Parameters
    ----------
    layers
        The layers shown, bottom first (only these are drawn).
    visible
        Layer code → ids of the features shown (None: all).
    focus
        ``(layer code, id)`` of the features to outline, bring to the top and open
        the popup of; the map zooms to them when they change.
    fit
        ``{"token": …}`` and optionally ``"codes"`` or ``"bounds"``
        (``[[south, west], [north, east]]``): fit the map to the layers shown (or those
        codes, or the bounds) once per new token.
    goto
        ``{"token", "lat", "lon", "label"}``: a marker to go to.

    When a layer shown was sent for one view (``LiveLayer.view``), the map returns
    its view (``{"west", "south", "east", "north", "zoom"}``,
    :meth:`mineplan.web.mapview.MapView.from_component`) each time the planner pans
    or zooms beyond it; otherwise it returns nothing and never reruns the page.
    """
    check_basemap(basemap, tianditu_key)
    shown = [layer for layer in layers if layer.code in visible]
    any_schematic = any(layer.schematic != "none" for layer in shown)
    return {
        "height": height,
        "layers": [{"code": x.code, "url": x.url, "style": x.style,
                    "schematic_style": x.schematic_style, "view": x.view} for x in shown],
        "visible": {x.code: visible[x.code] for x in shown},
        "legend_html": legend_html([(x.code, x.title, x.map_style) for x in shown],
                                   {x.code: x.schematic for x in shown}),
        "banner": SCHEMATIC_BANNER if any_schematic else None,
        "tiles": basemap_tiles(basemap, tianditu_key),
        "focus": [list(pair) for pair in focus],
        "fit": dict(fit) if fit else None,
        "image": dict(image) if image else None,
        "goto": dict(goto) if goto else None,
    }

