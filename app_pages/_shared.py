"""What the app's pages share: where the store is, and the caches.

Streamlit reruns a page on every click. Nothing here re-reads the GeoPackage or
rebuilds a map unless something changed: the store's frames are cached on the
file's (path, modification time) — so an import shows at once — and map pages on
that plus every view parameter. The logic itself lives in ``mineplan`` modules.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from mineplan import settings
from mineplan.errors import StoreError
from mineplan.location import as_location
from mineplan.store import list_layers, read_layer, store_version
from mineplan.web import prepare
from mineplan.web.livemap import LiveLayer, component_dir, publish_layers
from mineplan.web.messages import error_message

# Nothing here imports geopandas, pandas, rasterio or folium at start: the browse page's
# first run draws its map from what an earlier run kept on disk (:func:`first_view`)
# before those are loaded (issue 14: cold first render). Each function imports what
# it needs.
if TYPE_CHECKING:
    import geopandas as gpd

    from mineplan.io.rasters import RasterImage
    from mineplan.web.exports import ExportFile
    from mineplan.web.mapview import MapView
    from mineplan.web.webmap import MapLayer

MAP_HEIGHT = 700
#: Seconds a session's first run waits for the first view a command that wrote the store
#: is preparing in the background (:func:`mineplan.web.prepare.start_prepare`).
FIRST_VIEW_WAIT_S = 15.0
log = logging.getLogger("mineplan.app")

#: Streamlit's own English (the file uploader — its instructions, its "Limit 200MB per
#: file", a refused file's "File must be 200.0MB or smaller." under the file and in its
#: tooltip —, the "Stop" button beside a running page's spinner, the keyboard users'
#: skip link), said in Chinese (CSS only: the English
#: text is hidden, the Chinese drawn in its place). ``{limit}``: the upload limit, MB.
_CHINESE_CHROME = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > span,
[data-testid="stFileUploaderDropzoneInstructions"] > div > small { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::before {
  content: "将文件拖放到此处（单个文件不超过 {limit} MB）"; }
[data-testid="stFileUploaderDropzone"] button { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button::after { content: "选择文件"; font-size: 0.9rem; }
[data-testid="stFileChip"] [role="alert"], [data-testid="stTooltipErrorContent"] {
  font-size: 0; }
[data-testid="stFileChip"] [role="alert"]::after {
  content: "未上传：文件超过上限 {limit} MB"; font-size: 0.8rem; }
[data-testid="stFileChip"][aria-invalid="true"]::after {
  content: "未上传：超过上限 {limit} MB"; font-size: 0.8rem; color: #D7191C;
  margin-left: 0.5rem; white-space: nowrap; }
[data-testid="stTooltipErrorContent"]::after {
  content: "文件超过上限 {limit} MB，未上传。请只上传需要的图层，或请管理员调高上限。";
  font-size: 0.9rem; }
[data-testid="stFileUploader"] [data-testid="stBaseButton-borderlessIcon"] span span:first-child
  { font-size: 0; }
[data-testid="stStatusWidget"] button { font-size: 0; }
[data-testid="stStatusWidget"] button::after { content: "停止运行"; font-size: 0.875rem; }
[data-testid="stSkipToContent"] { font-size: 0; }
[data-testid="stSkipToContent"]::after { content: "跳到主要内容"; font-size: 1rem; }
</style>"""


def chinese_chrome() -> None:
    """Put Streamlit's own widget texts (the uploader's) in Chinese, once per page."""
    st.html(_CHINESE_CHROME.replace("{limit}", f"{max_upload_mb():g}"))


def show_error(err: BaseException, *, prefix: str = "") -> None:
    """An error as the planner reads it: one located Chinese message, no traceback."""
    text = error_message(err)
    st.error(f"{prefix}{text}" if prefix else text)


@contextmanager
def page_guard() -> Iterator[None]:
    """Run a page; any error it lets out is shown in Chinese (never a traceback).

    A mineplan error by :func:`mineplan.web.messages.error_message`; anything else as
    an internal error (logged in full). Streamlit's own stop and rerun pass through.
    """
    try:
        yield
    except Exception as err:  # the page boundary: nothing escapes as a traceback
        if not hasattr(err, "code"):
            log.exception("page failed")
        show_error(err)


def store_path() -> str | Path:
    """The store the app shows: ``MINEPLAN_STORE`` (a .gpkg path or a postgresql:// URL)
    or ``geodata/mineplan.gpkg``."""
    return as_location(settings.store_location())


def max_upload_mb() -> float:
    """Upload limit, MB: ``MINEPLAN_MAX_UPLOAD_MB`` or the default (200)."""
    return settings.max_upload_mb()


#: The 带号 control of every page that reads coordinates: an easting without the zone
#: prefix is read in this Gauss-Kruger zone (25–45: 3-degree, 13–23: 6-degree). The
#: readers' messages name it as “带号”.
ZONE_LABEL = "带号（东坐标没有带号前缀时填写；3度带 25–45，6度带 13–23）"


def zone_input(key: str) -> int | None:
    """The page's 带号 control (empty by default: prefixed eastings name their own zone)."""
    zone = st.number_input(ZONE_LABEL, value=None, min_value=13, max_value=45, step=1, key=key,
                           help="东坐标（Y）前两位是带号时不必填写；坐标没有带号前缀时，"
                           "填写其所在的高斯-克吕格投影带号。")
    return None if zone is None else int(zone)


#: The upload controls' label (before the accepted types and the limit); the
#: refusal of a file over the limit names it.
UPLOAD_CONTROL = "选择文件"


def upload_widget_mb() -> int:
    """The uploaders' own limit, whole MB (Streamlit's ``max_upload_size``): the
    browser refuses a larger file before sending it (in Chinese: :func:`chinese_chrome`),
    a file between it and :func:`max_upload_mb` is refused by the page."""
    return max(1, math.ceil(max_upload_mb()))


def require_store() -> tuple[str, int]:
    """(location, version) of the store; stops the page with a message when it is missing.

    The version changes with every write (:func:`mineplan.store.store_version`: the
    file's mtime for a GeoPackage), so the caches below see an import at once.
    """
    location = store_path()
    try:
        version = store_version(location)
    except StoreError as err:
        st.error(f"未找到或无法打开数据库 {location}。{error_message(err)}"
                 "请系统维护人员在服务器上运行 `mineplan build` 生成规划数据库。")
        st.stop()
    return str(location), version


@st.cache_resource(max_entries=4, show_spinner="读取 GeoPackage …")
def load_frames(path: str, mtime_ns: int) -> dict[str, gpd.GeoDataFrame]:
    """Every layer of the store (shared, read-only: never modify the frames)."""
    return {code: read_layer(path, code) for code in list_layers(path)}


@st.cache_resource(max_entries=4, show_spinner=False)
def large_layers(path: str, mtime_ns: int) -> tuple[str, ...]:
    """The store's large layers drawn per map view (display copies; zone layers excepted)."""
    return prepare.large_layers(path, layer_definitions()[0])


@st.cache_resource(max_entries=4, show_spinner="读取 GeoPackage …")
def map_frames(path: str, mtime_ns: int) -> dict[str, gpd.GeoDataFrame]:
    """The layers for the browse map: whole, except the large ones (no features: they
    are read per view, :func:`view_live_layers`)."""
    return prepare.map_frames(path, large_layers(path, mtime_ns))


@st.cache_resource(max_entries=16, show_spinner=False)
def view_live_layers(path: str, mtime_ns: int, codes: tuple[str, ...], view: MapView
                     ) -> list[LiveLayer]:
    """The large layers ``codes`` published for one map view."""
    from mineplan.web.mapview import view_layers

    specs, styles, schematic = layer_definitions()
    layers, covers = view_layers(path, codes, view, specs, styles, schematic)
    return publish_layers(layers, component_dir(), views=covers)


def in_drawing_order(layers: list[LiveLayer]) -> list[LiveLayer]:
    from mineplan.web.maplayers import drawing_order

    specs, _, _ = layer_definitions()
    by_code = {x.code: x for x in layers}
    return [by_code[c] for c in drawing_order(by_code, specs)]


@st.cache_resource
def layer_definitions() -> prepare.Definitions:
    return prepare.definitions()


@st.cache_resource
def plan_order() -> list[str]:
    return prepare.plan_order()


@st.cache_data(max_entries=8, show_spinner="读取栅格 …")
def raster_from_file(path: str, mtime_ns: int) -> RasterImage:
    from mineplan.io.rasters import render_raster

    return render_raster(path)


@st.cache_data(max_entries=2, show_spinner="读取栅格 …")
def raster_from_bytes(data: bytes) -> RasterImage:
    from mineplan.io.rasters import render_raster

    return render_raster(data)


@st.cache_resource(max_entries=2, show_spinner="准备地图图层 …")
def live_layers(path: str, mtime_ns: int) -> list[LiveLayer]:
    """Every store layer but the large ones published for the live map, bottom first
    (once per store version; a new server on the same version reads them back from
    disk, kept by an earlier run or by the command that wrote the store)."""
    return prepare.live_layers(path, mtime_ns, lambda: map_frames(path, mtime_ns),
                               layer_definitions())


@st.cache_resource(max_entries=4, show_spinner="读取 GeoPackage …")
def browse_facts(path: str, mtime_ns: int) -> dict[str, Any]:
    """What the browse page's filters offer and its map shows unfiltered
    (:func:`mineplan.web.prepare.browse_facts`), once per store version."""
    return prepare.browse_facts(path, mtime_ns, map_frames(path, mtime_ns),
                                live_layers(path, mtime_ns), layer_definitions(),
                                large=large_layers(path, mtime_ns), order=plan_order())


def first_view(path: str, mtime_ns: int) -> tuple[dict[str, Any], list[LiveLayer]] | None:
    """(:func:`browse_facts`, :func:`live_layers`) as an earlier run on this store version,
    or the command that wrote it, kept them on disk, read without geopandas; None when
    they are not there."""
    return prepare.first_view(path, mtime_ns, layer_definitions(), wait=FIRST_VIEW_WAIT_S)


@st.cache_resource
def _live_map_component() -> Any:
    import streamlit.components.v1 as components

    return components.declare_component("mineplan_map", path=str(component_dir()))


def live_map(args: dict[str, Any], *, key: str) -> None:
    """Show the browse page's live map (:mod:`mineplan.web.livemap`). It returns its view
    (read before the next run with :func:`reported_view`) only when a large layer is shown.

    The arguments go as one JSON text (``spec``): Streamlit checks every other kind of
    component argument for a data frame, which imports pandas (~0.3 s on a session's
    first run, before the map could be sent)."""
    spec = json.dumps(args, ensure_ascii=False, separators=(",", ":"))
    _live_map_component()(spec=spec, key=key, default=None)


def reported_view(key: str) -> MapView | None:
    """The view the live map ``key`` last reported, if any."""
    from mineplan.web.mapview import MapView

    return MapView.from_component(st.session_state.get(key))


def preview_map_html(layers: list[MapLayer]) -> str:
    """An import preview map (not cached: it changes with every upload)."""
    from mineplan.web.webmap import render_offline_html, zone_map

    return render_offline_html(zone_map(layers, collapse_layer_control=True))


FIGURE_FORMATS = {"PNG（300 dpi）": "png", "PDF（矢量）": "pdf", "SVG（矢量）": "svg"}


@st.cache_data(max_entries=8, show_spinner="生成图件 …")
def figure_bytes(path: str, mtime_ns: int, *, region: str, zone_id: str, fmt: str,
                 paper: str, orientation: str, grid: str, codes: tuple[str, ...],
                 minerals: str, levels: tuple[str, ...]) -> bytes:
    """A region overview (or a zone sheet when ``zone_id``) as file bytes, of the layers
    and zones the sidebar filters show."""
    from mineplan.web.browsing import visible_frames
    from mineplan.web.figurefiles import figure_file

    specs, styles, schematic = layer_definitions()
    frames = visible_frames(load_frames(path, mtime_ns), specs, codes=codes,
                            regions=(region,) if region else (), minerals=minerals,
                            levels=levels)
    if "XZQ" in load_frames(path, mtime_ns):  # the region's outline, whatever is chosen
        frames["XZQ"] = load_frames(path, mtime_ns)["XZQ"]
    return figure_file(frames, specs, styles, schematic, region=region,
                       zone_id=zone_id, fmt=fmt, paper=paper, orientation=orientation,
                       grid=grid)


@st.cache_data(max_entries=8, show_spinner="生成导出文件 …")
def export_bytes(path: str, mtime_ns: int, *, fmt: str, codes: tuple[str, ...],
                 regions: tuple[str, ...], minerals: str, levels: tuple[str, ...],
                 filters: str) -> ExportFile:
    """The zones the sidebar filters show, as a file of format ``fmt``."""
    from mineplan.web.browsing import visible_frames
    from mineplan.web.exports import export_zones

    specs, _, _ = layer_definitions()
    frames = visible_frames(load_frames(path, mtime_ns), specs, codes=codes, regions=regions,
                            minerals=minerals, levels=levels)
    return export_zones(frames, specs, fmt, filters=filters, source=Path(path).name)
