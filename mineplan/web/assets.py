"""The web maps' scripts and stylesheets, from local files only: the offline mechanism.

Both maps load nothing from the network. Leaflet is read from the installed
``xstatic-leaflet`` package; the few Leaflet plugins are vendored under
``mineplan/web/static`` (``assets.json`` lists them, ``docs/offline-assets.md`` says
where each came from); mineplan's own scripts and stylesheets are files under
``static/mineplan/`` (:func:`static_text`), read at run time, never Python strings.

Two ways to use them, one per map:

* :func:`render_offline_html` (the zone map, shown as a whole page in an iframe)
  renders a folium map and inlines every script and stylesheet folium would load
  from a CDN as ``<script>`` / ``<style>`` elements;
* :func:`use_local_assets` (the draw map, shown by ``streamlit_folium``, which loads
  each ``default_js`` / ``default_css`` URL itself) points those lists at ``data:``
  URLs of the same local files.

Either way stylesheet images become ``data:`` URIs (:func:`css_with_inlined_urls`)
and whatever would still reach the network is refused (``ValueError``).

May import folium, branca (inside the functions that take a folium map: the live map
imports none of it) and the standard library; nothing of mineplan but this.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import folium

__all__ = [
    "css_data_url",
    "css_with_inlined_urls",
    "data_uri",
    "is_remote",
    "leaflet_dir",
    "local_asset_urls",
    "remote_assets",
    "remote_references",
    "render_offline_html",
    "static_dir",
    "static_text",
    "use_local_assets",
]

_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif",
         ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".woff2": "font/woff2",
         ".js": "text/javascript", ".css": "text/css"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_HEAD_TAG = re.compile(
    r'<script\b[^>]*\bsrc="(?P<js>[^"]+)"[^>]*>\s*</script>'
    r'|<link\b[^>]*\bhref="(?P<css>[^"]+)"[^>]*>',
    re.IGNORECASE,
)


# ------------------------------------------------------------------------------ files


def static_dir() -> Path:
    """``mineplan/web/static``: the vendored map assets."""
    return Path(str(resources.files("mineplan.web") / "static"))


def leaflet_dir() -> Path:
    """Leaflet's files in the installed ``xstatic-leaflet`` package."""
    try:
        from xstatic.pkg import leaflet
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError(
            "offline maps need Leaflet from the 'xstatic-leaflet' package: "
            "pip install 'xstatic-leaflet>=1.9,<2'"
        ) from exc
    return Path(leaflet.BASE_DIR)


@functools.lru_cache(maxsize=32)
def static_text(name: str) -> str:
    """The text of mineplan's own script or stylesheet ``static/mineplan/<name>``.

    Trailing white space is stripped, so a script that is one JavaScript expression
    (a function, or a function to call) can be pasted into a template as it is.
    """
    return (static_dir() / "mineplan" / name).read_text(encoding="utf-8").rstrip()


def is_remote(url: str) -> bool:
    """Whether ``url`` points at the network (``http:``, ``https:`` or ``//host``)."""
    return _REMOTE.match(url) is not None


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


def css_data_url(path: Path) -> str:
    """The stylesheet as a ``data:`` URL, its ``url(…)`` images inlined as data URIs."""
    return data_uri(path, data=css_with_inlined_urls(path).encode("utf-8"))


# ---------------------------------------------------------------------- the manifest


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


@functools.lru_cache(maxsize=1)
def _manifest() -> _Manifest:
    """``static/assets.json``: which local file replaces which CDN URL, and what to drop."""
    static = static_dir()
    data = json.loads((static / "assets.json").read_text(encoding="utf-8"))
    assets = []
    for package in data["packages"]:
        root = leaflet_dir() if package["root"] == "xstatic-leaflet" else static
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


def _local_copy(url: str) -> _Asset | None:
    return next((a for a in _manifest().assets if a.pattern.search(url)), None)


def _dropped(url: str) -> str | None:
    return next((name for name, pattern in _manifest().dropped if pattern.search(url)), None)


# ------------------------------------------------------- a whole page (the zone map)


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
    images = leaflet_dir() / "images"
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
    import folium

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
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        url = match.group("js") or match.group("css")
        if not is_remote(url):
            return match.group(0)  # a local or data: reference: leave it
        asset = _local_copy(url)
        if asset is not None:
            tag = _inline_tag(asset.path, asset.kind)
            if asset.path.name == "leaflet.js":
                tag += _leaflet_icon_script()
            return tag
        name = _dropped(url)
        if name is not None:
            return f"<!-- {html.escape(name)} not needed offline -->"
        unknown.append(url)
        return match.group(0)

    page = _HEAD_TAG.sub(replace, page)
    if unknown:
        raise ValueError(
            "no offline copy of these map assets (add them to mineplan/web/static/assets.json "
            "or leave out the plugin that needs them): " + ", ".join(unknown)
        )
    remote = remote_references(page)
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
        if is_remote(url):
            self.urls.append(url.strip())


def remote_references(page: str) -> list[str]:
    """Every network URL an HTML page loads through its tags and inline stylesheets."""
    parser = _RemoteRefs()
    parser.feed(page)
    parser.close()
    return parser.urls


# ------------------------------------------- asset lists as data: URLs (the draw map)


@functools.lru_cache(maxsize=64)
def _data_url(path: Path, kind: str) -> str:
    return css_data_url(path) if kind == "css" else data_uri(path)


def local_asset_urls(assets: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """A folium ``default_js`` / ``default_css`` list with each CDN URL made a ``data:`` URL.

    Each URL is looked up in ``assets.json`` as :func:`render_offline_html` does; an
    asset mineplan's maps do not use (jQuery, Bootstrap …) is left out.

    Raises
    ------
    ValueError
        A URL has no local copy (listing every one).
    """
    out: list[tuple[str, str]] = []
    unknown: list[str] = []
    for name, url in assets:
        if not is_remote(url):
            out.append((name, url))
            continue
        asset = _local_copy(url)
        if asset is not None:
            out.append((name, _data_url(asset.path, asset.kind)))
        elif _dropped(url) is None:
            unknown.append(url)
    if unknown:
        raise ValueError("no offline copy of these map assets: " + ", ".join(unknown))
    return out


def _asset_elements(m: folium.Map) -> list[Any]:
    """The map and every element under it that names scripts or stylesheets to load."""
    import branca.colormap
    import folium.elements

    found: list[Any] = []
    stack: list[Any] = [m]
    while stack:
        element = stack.pop()
        if isinstance(element, folium.elements.JSCSSMixin | branca.colormap.ColorMap):
            found.append(element)
        stack.extend(getattr(element, "_children", {}).values())
    return found


def remote_assets(m: folium.Map) -> list[str]:
    """Every ``http(s)`` script or stylesheet URL the map's elements would load."""
    import branca.colormap

    urls = []
    for element in _asset_elements(m):
        if isinstance(element, branca.colormap.ColorMap):
            urls.append("d3.js (streamlit-folium loads it for every colour map)")
        for _, url in [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]:
            if is_remote(url):
                urls.append(url)
    return urls


def use_local_assets(m: folium.Map) -> None:
    """Point the ``default_js`` / ``default_css`` of ``m`` and its elements at ``data:`` URLs.

    For ``streamlit_folium``, which loads those lists itself. Every CDN URL is
    replaced by its local copy (:func:`local_asset_urls`).

    Raises
    ------
    ValueError
        Something in the map would still load from the network.
    """
    import folium.elements

    for element in _asset_elements(m):
        if isinstance(element, folium.elements.JSCSSMixin):
            element.default_js = local_asset_urls(getattr(element, "default_js", []))
            element.default_css = local_asset_urls(getattr(element, "default_css", []))
    remote = remote_assets(m)
    if remote:
        raise ValueError("the map would load from the network: " + ", ".join(remote))
