"""浏览: the planning zones on a map, filtered, searched, totalled and tabulated."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages._shared import (
    FIGURE_FORMATS,
    MAP_HEIGHT,
    browse_facts,
    chinese_chrome,
    export_bytes,
    figure_bytes,
    first_view,
    in_drawing_order,
    large_layers,
    layer_definitions,
    live_layers,
    live_map,
    map_frames,
    max_upload_mb,
    page_guard,
    raster_from_bytes,
    raster_from_file,
    reported_view,
    require_store,
    show_error,
    upload_widget_mb,
    view_live_layers,
)
from mineplan import settings
from mineplan.errors import MineplanError
from mineplan.vocab import format_area
from mineplan.web.legend import SCHEMATIC_BANNER
from mineplan.web.livemap import LiveLayer, component_dir, live_map_args, publish_image
from mineplan.web.messages import error_message

# geopandas, pandas, rasterio (and what needs them) are imported where used: a
# session's first run draws the map from what an earlier run kept on disk before
# loading them (issue 14, cold first render ≤ 3 s).
if TYPE_CHECKING:
    from mineplan.io.rasters import RasterImage

BASEMAPS = {
    "无底图（离线）": "none",
    "OpenStreetMap（需联网）": "osm",
    "天地图矢量＋注记（需联网与密钥）": "tianditu_vec",
    "天地图影像＋注记（需联网与密钥）": "tianditu_img",
}
NO_RASTER = "（不加载）"
FOCUS = "focus_zone"
TABLE = "zone_table"
#: Set once this session has run the page: its first run may draw the map early.
SEEN = "browse_seen"


def _raster_sidebar() -> tuple[RasterImage | None, str, float]:
    """The chosen local raster background (folder or upload), its title and opacity."""
    from mineplan.io.rasters import list_rasters, raster_folder

    folder = raster_folder()
    files = list_rasters(folder)
    st.subheader("本地栅格底图")
    choice = st.selectbox(
        "栅格文件", [NO_RASTER, *[p.name for p in files]],
        help=f"放在 {folder} 的 GeoTIFF（DEM、晕渲、影像）；"
        "可用环境变量 MINEPLAN_RASTERS 指定文件夹。",
    )
    upload = st.file_uploader(f"或上传 GeoTIFF（.tif；不超过 {max_upload_mb():g} MB）",
                              key="raster_upload", max_upload_size=upload_widget_mb())
    opacity = st.slider("栅格不透明度", 0.1, 1.0, 0.8, 0.05)
    try:
        if upload is not None:
            return raster_from_bytes(upload.getvalue()), upload.name, opacity
        if choice != NO_RASTER:
            path = Path(folder) / choice
            return raster_from_file(str(path), path.stat().st_mtime_ns), choice, opacity
    except (MineplanError, ValueError, OSError) as err:
        show_error(err, prefix="栅格无法显示：")
    return None, "", opacity


def main() -> None:
    path, mtime = require_store()
    specs, _, _ = layer_definitions()
    # A session's first run: every control is as it starts, so the map is sent first,
    # before any control is made or the store read (geopandas, pandas not imported),
    # from what an earlier run on this store version kept on disk; the rest of the
    # page follows in the places kept for it.
    kept = None if st.session_state.get(SEEN) or st.session_state.get(FOCUS) \
        else first_view(path, mtime)
    st.session_state[SEEN] = True
    if kept is not None and kept[0]["large"]:
        kept = None  # large layers are read for the map's view: the full run
    facts = kept[0] if kept is not None else browse_facts(path, mtime)
    regions_all = list(facts["regions"])
    layer_names = {name: code for name, code in facts["layers"]}
    levels_all = list(facts["levels"])

    st.title("矿产资源总体规划（2021—2025年）规划分区")
    banner, search_row, notices, metrics_row = (st.container() for _ in range(4))
    map_col, panel = st.columns([5, 2])
    zoom_box, map_box = map_col.container(), map_col.container()
    early = kept is not None
    if kept is not None:
        published = kept[1]
        with map_box:
            _show_map(lambda: _first_args(
                kept[0], published, specs, tuple(layer_names.values()), regions=regions_all,
                key=settings.tianditu_key().strip()))

    with st.sidebar:
        st.header("筛选")
        regions = st.multiselect("规划（县市）", regions_all, default=regions_all,
                                 select_all=0, placeholder="选择规划")
        chosen = st.multiselect("图层", list(layer_names), default=list(layer_names),
                                select_all=0, placeholder="选择图层")
        mineral = st.text_input("矿种包含", "", placeholder="如：煤、金、砂石")
        levels = st.multiselect("级别", levels_all, default=[], placeholder="全部级别",
                                select_all=0, help="不选则显示全部级别") if levels_all else []
        st.header("底图")
        basemap_label = st.selectbox("在线底图", list(BASEMAPS))
        key = st.text_input("天地图密钥（tk）", settings.tianditu_key(),
                            type="password", help="浏览器端密钥；也可设环境变量 TIANDITU_KEY。")
        raster_box = st.container()  # filled below: reading rasters needs rasterio

    banner.warning(SCHEMATIC_BANNER + "；三区三线图层为演示数据，非真实红线。")
    codes = tuple(layer_names[n] for n in chosen)

    # Search a zone by number, 序号 or name, and zoom to it; or go to a coordinate.
    # Fixed containers: what appears below an input never shifts the map's place on
    # the page (a shifted component would be rebuilt and lose its view).
    search_col, goto_col, zone_col = search_row.columns([4, 3, 1])
    query = search_col.text_input("查找分区（编号、序号或名称）", key="search",
                                  placeholder="如：tekes-TKGH-001、3、铁厂沟")
    found_box = search_col.container()
    place = goto_col.text_input("定位坐标（经纬度或 X, Y）", key="goto_text",
                                placeholder="如：81.32, 43.91 或 4868302.75, 27521834.40",
                                help="经度、纬度（小数或度分秒，如 81°19′12″），或高斯-克吕格"
                                "坐标 X（北）、Y（东，带带号前缀；无前缀时填写右侧带号），"
                                "2000 国家大地坐标系。")
    goto_box = goto_col.container()
    goto_zone = zone_col.number_input("带号", value=None, min_value=13, max_value=45, step=1,
                                      key="goto_zone", placeholder="自动")
    _go_to(place, goto_zone, goto_box)

    basemap = BASEMAPS[basemap_label]
    if basemap.startswith("tianditu") and not key.strip():
        notices.info("天地图底图需要密钥（tk）：请在左侧填写，或设置环境变量 TIANDITU_KEY。"
                "现暂以无底图显示。")
        basemap = "none"

    cols = metrics_row.columns(4)
    with zoom_box:
        zoom = st.button("缩放到所选", key="zoom_selection",
                         help="把地图缩放到当前筛选的规划分区（或定位的分区）")
        if zoom:
            st.session_state["zoom_count"] = st.session_state.get("zoom_count", 0) + 1
    if early and (regions != regions_all or list(codes) != list(layer_names.values())
                  or mineral or levels or basemap != "none" or query.strip()
                  or st.session_state.get("goto") or zoom):
        st.rerun()  # not as a first run starts (never expected): send the map again

    from mineplan.web.browsing import (
        find_zone,
        search_zones,
        selected_zone_id,
        visible_frames,
        zone_details,
        zone_table,
        zone_table_formats,
        zone_totals,
    )

    frames = map_frames(path, mtime)  # large layers are read per map view
    with raster_box:
        image, image_title, opacity = _raster_sidebar()
    shown = visible_frames(frames, specs, codes=codes, regions=regions, minerals=mineral,
                           levels=levels)
    hits = search_zones(shown, query)
    found: str | None = None
    if query.strip() and hits.empty:
        found_box.info(f"没有找到与“{query}”相符的分区（只在当前筛选范围内查找）。")
    elif query.strip():
        labels = dict(zip(hits["label"], hits["zone_id"], strict=True))
        pick = found_box.selectbox(f"找到 {len(hits)} 个分区，选择一个定位", list(labels),
                                   key="search_pick")
        found = labels[pick]
    if found != st.session_state.get("search_found"):  # a new hit (or none) was picked
        st.session_state["search_found"] = found
        if found:
            st.session_state[FOCUS] = found

    focus = str(st.session_state.get(FOCUS, "") or "")
    totals = zone_totals(shown, specs)
    def km2(value: float) -> str:
        return format_area(value, with_unit=False, thousands=True)

    cols[0].metric("分区数", f"{totals.count}")
    cols[1].metric("图形椭球面积合计（km²）", km2(totals.geom_area_km2),
                   help="所示图形的椭球面积之和（CGCS2000）；示意图形的面积不是实测面积。")
    cols[2].metric("规划载明面积合计（km²）", km2(totals.stated_area_km2),
                   help=f"规划文本载明面积的 {totals.stated_count} 个分区之和。")
    cols[3].metric("示意图形", f"{totals.schematic_count} 个")

    if not early:
        with map_box:
            _show_map(lambda: _map_args(
                path, mtime, frames, shown, specs, regions=regions, focus=focus,
                basemap=basemap, key=key.strip(), image=image, image_title=image_title,
                opacity=opacity, targets=find_zone(shown, focus) if focus else None))
    with panel:
        st.subheader("分区详情")
        details = zone_details(shown, focus, specs) if focus else None
        if details is None or details.empty:
            st.caption("在上方查找分区，或在下表中选择一行，即可在地图上定位并在此查看全部属性。")
        else:
            if st.button("取消定位", key="unfocus"):
                st.session_state[FOCUS] = ""
                st.rerun()
            with st.container(height=MAP_HEIGHT - 60):  # scrolls; keeps the map's height
                st.table(details.set_index("项目"))

    table = zone_table(shown, specs)
    st.subheader(f"规划分区一览（{len(table)} 个；图形状态“示意”为示意范围）")
    numbers = {h: st.column_config.NumberColumn(format=f)
               for h, f in zone_table_formats(specs).items()}
    event = st.dataframe(table, width="stretch", hide_index=True, key=TABLE, placeholder="",
                         on_select="rerun", selection_mode="single-row", column_config=numbers)
    picked = selected_zone_id(table, event.selection.rows) if event else None
    if picked != st.session_state.get("table_pick"):  # a new row (or none) was selected
        st.session_state["table_pick"] = picked
        if picked:
            st.session_state[FOCUS] = picked
            st.rerun()

    view = {"codes": codes, "minerals": mineral, "levels": tuple(levels)}
    _data_export(path, mtime, regions=tuple(regions), view=view)
    _figure_export(path, mtime, list(regions), focus, view=view)


def _show_map(make_args: Any) -> None:
    """The live map with the arguments ``make_args()`` (a Chinese error if they fail)."""
    try:
        args = make_args()
    except (MineplanError, ValueError) as err:
        show_error(err, prefix="地图无法生成：")
        st.stop()
    live_map(args, key="browse_map")


def _fit(regions: list[str], zone_codes: list[str]) -> dict[str, Any]:
    """A new choice of plans (or the 缩放到所选 button) zooms to them; nothing else
    moves the map."""
    return {"token": f"{'|'.join(regions)}#{st.session_state.get('zoom_count', 0)}",
            "codes": zone_codes or None}


def _first_args(facts: dict[str, Any], published: list[LiveLayer], specs: dict,
                codes: tuple[str, ...], *, regions: list[str], key: str) -> dict[str, Any]:
    """The map's arguments as a session's first run starts — every plan and layer
    chosen, no basemap, nothing searched, located or overlaid — from the kept facts
    alone (what :func:`_map_args` sends in that state)."""
    visible = {c: facts["visible"][c] for c in codes if c in facts["visible"]}
    return live_map_args(published, visible, height=MAP_HEIGHT, basemap="none",
                         tianditu_key=key or None,
                         fit=_fit(regions, [c for c in codes if specs[c].is_zone_layer]))


def _go_to(text: str, zone: float | None, box: DeltaGenerator) -> None:
    """Read the 定位坐标 box; a new point is kept for the map (a marker, centred)."""
    if not text.strip():
        st.session_state.pop("goto", None)
        return
    from mineplan.web.goto import parse_goto

    try:
        point = parse_goto(text, zone=None if zone is None else int(zone))
    except MineplanError as err:
        box.error(error_message(err))
        st.session_state.pop("goto", None)
        return
    box.caption(f"已定位：{point.label}（经度 {point.lon:.6f}，纬度 {point.lat:.6f}）")
    st.session_state["goto"] = {"token": f"{text}#{zone}", "lat": point.lat,
                                "lon": point.lon, "label": point.label}


def _map_args(path: str, mtime: int, frames: dict, shown: dict, specs: dict, *,
              regions: list[str], focus: str, basemap: str, key: str,
              image: RasterImage | None, image_title: str, opacity: float,
              targets: tuple[str, Any] | None) -> dict:
    """What this rerun sends the live map: ids and requests, never geometry.
    ``targets``: the focused zone (:func:`mineplan.web.browsing.find_zone`)."""
    from mineplan.web.livemap import visible_ids
    from mineplan.web.mapview import initial_view
    from mineplan.web.webmap import ImageLayer

    published = live_layers(path, mtime)
    large = [c for c in large_layers(path, mtime) if c in shown]
    if large:  # read for the map's view only (what it reported, else the zones' extent)
        view = reported_view("browse_map") or initial_view(
            {c: f for c, f in shown.items() if specs[c].is_zone_layer and len(f)})
        published = in_drawing_order(
            [x for x in published if x.code not in large]
            + view_live_layers(path, mtime, tuple(large), view))
    visible = {x.code: visible_ids(frames[x.code], shown[x.code])
               for x in published if x.code in shown}
    zone_codes = [c for c in shown if specs[c].is_zone_layer]
    focused = [(targets[0], str(label)) for label in targets[1].index] if targets else []
    overlay = (publish_image(ImageLayer(image_title, image.png, image.bounds, opacity),
                             component_dir()) if image is not None else None)
    return live_map_args(published, visible, height=MAP_HEIGHT, basemap=basemap,
                         tianditu_key=key or None, focus=focused, fit=_fit(regions, zone_codes),
                         image=overlay, goto=st.session_state.get("goto"))


def _filters_text(regions: tuple[str, ...], view: dict) -> str:
    parts = [f"规划：{'、'.join(regions) or '无'}"]
    if view["minerals"].strip():
        parts.append(f"矿种包含：{view['minerals'].strip()}")
    if view["levels"]:
        parts.append(f"级别：{'、'.join(view['levels'])}")
    return "；".join(parts)


def _data_export(path: str, mtime: int, *, regions: tuple[str, ...], view: dict) -> None:
    """The zones shown (the sidebar filters) as GIS files or the coordinate TXT."""
    from mineplan.web.exports import EXPORT_FORMATS

    st.subheader("导出分区数据")
    st.caption(f"导出当前筛选的分区（{_filters_text(regions, view)}），含全部属性与来源"
               "（来源文件、行号、图形状态与图形来源）；2000 国家大地坐标系。")
    cols = st.columns([3, 1, 3])
    label = cols[0].selectbox("格式", list(EXPORT_FORMATS), key="export_fmt")
    fmt = EXPORT_FORMATS[label]
    params = (fmt, view["codes"], regions, view["minerals"], view["levels"])
    if cols[1].button("生成文件", key="export_make"):
        try:
            st.session_state["export"] = (params, export_bytes(
                path, mtime, fmt=fmt, codes=view["codes"], regions=regions,
                minerals=view["minerals"], levels=view["levels"],
                filters=_filters_text(regions, view)))
        except MineplanError as err:
            show_error(err, prefix="无法导出：")
    made = st.session_state.get("export")
    if made and made[0] == params:
        out = made[1]
        cols[2].download_button(f"下载 {out.name}（{out.count} 个分区）", out.data,
                                file_name=out.name, mime=out.mime, key="export_download",
                                on_click="ignore")


def _figure_export(path: str, mtime: int, regions: list[str], focus: str, *,
                   view: dict) -> None:
    """Print figures for reports: a region overview, or the located zone's sheet, of the
    layers and zones the sidebar filters show."""
    st.subheader("导出图件")
    if not regions:
        st.caption("请先在左侧选择规划。")
        return
    kinds = ["区域规划图"] + ([f"分区图：{focus}"] if focus else [])
    cols = st.columns(6)
    kind = cols[0].selectbox("图件", kinds, key="fig_kind")
    region = cols[1].selectbox("区域", regions, key="fig_region",
                               disabled=kind != "区域规划图")
    fmt_label = cols[2].selectbox("格式", list(FIGURE_FORMATS), key="fig_fmt")
    paper = cols[3].selectbox("纸张", ["A4", "A3"], key="fig_paper")
    orientations = {"横向": "landscape", "纵向": "portrait"}
    grids = {"经纬度": "graticule", "公里网": "km"}
    orientation = orientations[cols[4].selectbox("方向", list(orientations), key="fig_orient")]
    grid = grids[cols[5].selectbox("图廓注记", list(grids), key="fig_grid")]
    fmt = FIGURE_FORMATS[fmt_label]
    st.caption("图件按左侧所选图层、矿种与级别绘制。")
    zone_id = focus if kind != "区域规划图" else ""
    params = (region, zone_id, fmt, paper, orientation, grid, view["codes"],
              view["minerals"], view["levels"])
    if st.button("生成图件", key="fig_make"):
        try:
            st.session_state["figure"] = (params, figure_bytes(
                path, mtime, region=region, zone_id=zone_id, fmt=fmt, paper=paper,
                orientation=orientation, grid=grid, codes=view["codes"],
                minerals=view["minerals"], levels=view["levels"]))
        except (MineplanError, ValueError) as err:
            show_error(err, prefix="图件无法生成：")
    made = st.session_state.get("figure")
    if made and made[0] == params:
        from mineplan.web.figurefiles import FIGURE_MIME

        name = f"{zone_id or region}_{'分区图' if zone_id else '规划图'}.{fmt}"
        st.download_button(f"下载 {name}", made[1], file_name=name, mime=FIGURE_MIME[fmt],
                           key="fig_download")
        st.caption("图中规划分区为示意图形、三区三线为演示数据时，图注会写明。")


chinese_chrome()
with page_guard():
    main()
