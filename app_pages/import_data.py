"""导入: real zone geometry replaces schematic shapes, or a real control layer (三区三线)
replaces the demo one — after a preview, atomically."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import streamlit as st

from app_pages._shared import (
    MAP_HEIGHT,
    UPLOAD_CONTROL,
    chinese_chrome,
    layer_definitions,
    load_frames,
    max_upload_mb,
    page_guard,
    preview_map_html,
    require_store,
    show_error,
    upload_widget_mb,
    zone_input,
)
from mineplan.errors import MineplanError
from mineplan.importing import match_features
from mineplan.importing.control import control_layer_frame
from mineplan.io.gis import ReadResult
from mineplan.io.uploads import UploadError, file_sha256
from mineplan.store import can_write
from mineplan.vocab import format_area
from mineplan.web.importview import (
    CRS_SOURCES,
    import_preview_layer,
    import_report_table,
    merge_control_region,
    preview_copy,
    preview_problems,
    stated_area_note,
    stated_area_table,
    store_control_layer,
    store_zone_import,
)
from mineplan.web.maplayers import map_layers
from mineplan.web.messages import readable_notes
from mineplan.web.prepare import start_prepare
from mineplan.web.uploading import (
    accepted_types,
    read_features_upload,
    saved_upload,
    upload_layer_names,
)


@st.cache_resource(max_entries=2, show_spinner="读取上传的文件 …")
def _read(name: str, digest: str, _file: Path, layer: str, crs: str, fix: bool,
          zone: int | None) -> ReadResult:
    """Check and read an upload saved to ``_file`` (cached on its SHA-256 ``digest``
    and the options). Shared, never modified: not pickled and copied on every rerun as
    ``st.cache_data`` would (a 200 MB upload's frame is a few hundred MB)."""
    return read_features_upload(name, _file, layer=layer, crs=crs, fix=fix,
                                max_mb=max_upload_mb(), zone=zone)


def _show_upload_error(err: UploadError) -> None:
    show_error(err)  # the reason; GDAL's detail goes to the server log


def main() -> None:
    path, mtime = require_store()
    specs, styles, schematic = layer_definitions()
    frames = load_frames(path, mtime)
    st.title("导入真实图形")
    if not can_write(path):
        st.info("本应用以只读方式连接数据库（当前账号没有写权限），可以浏览和审查，不能导入。"
                "导入请使用有编辑权限的账号，或由编辑人员运行 `mineplan import`。")
        return
    kind = st.radio("导入内容", ["规划分区图形", "管控图层（三区三线等）"], horizontal=True)
    control = kind != "规划分区图形"
    if control:
        st.markdown(
            "上传本单位持有的管控图层（生态保护红线、永久基本农田、城镇开发边界），替换该图层的"
            "演示数据。图形转为 CGCS2000 并校验，无效图形须勾选“自动修复”后方可导入；"
            "每个要素记录来源文件与数据日期（数据状态记为“导入”）。数据库整体替换，失败时保持原样。"
        )
        choices = {f"{spec.name}（{c}，现有 {len(frames[c]) if c in frames else 0} 个要素）": c
                   for c, spec in specs.items() if spec.group == "control"}
    else:
        st.markdown(
            "上传某一图层的真实分区图形（压缩的 Shapefile、GeoPackage、GeoJSON、KML/KMZ），"
            "按编号（zone_id / 序号）或名称与规划分区匹配；确认后，匹配的分区以导入图形替换"
            "示意图形（图形状态记为“导入”），其余分区保持不变。数据库整体替换，失败时保持原样。"
        )
        choices = {f"{specs[c].name}（{c}，{len(f)} 个分区）": c
                   for c, f in frames.items() if c in specs and specs[c].is_zone_layer}
    label = st.selectbox("导入到图层", list(choices))
    code = choices[label]
    # No type= filter: Streamlit would refuse other files with an English exception;
    # check_upload refuses them in Chinese, by content as well as by name.
    upload = st.file_uploader(
        f"{UPLOAD_CONTROL}（{accepted_types()}；不超过 {max_upload_mb():g} MB）",
        key="zone_upload", max_upload_size=upload_widget_mb(),
        help="坐标 TXT：报盘格式或矿业权登记格式（GBK 或 UTF-8），按地块编号或名称匹配。"
        "Shapefile 请把 .shp、.shx、.dbf、.prj（及 .cpg）一起压缩为一个 zip。"
        f"单个文件不超过 {max_upload_mb():g} MB，超过时不上传。",
    )
    zone = zone_input("import_zone")
    with st.expander("导入选项"):
        source_layer = st.text_input("源图层（多图层文件时填写）", "")
        crs = st.text_input("坐标系（文件未声明时填写，如 EPSG:4490、EPSG:4523）", "")
        id_field = st.text_input("编号字段（默认自动识别 zone_id、编号、序号等）", "")
        name_field = st.text_input("名称字段（默认自动识别 name、名称等）", "")
        fix = st.checkbox("自动修复无效图形（逐个报告）", value=False)
    if upload is None:
        st.info("请选择要导入的文件。")
        return

    try:  # streamed to a private file: a large upload is not copied whole in memory
        with saved_upload(upload, upload.name, max_mb=max_upload_mb(),
                          control=UPLOAD_CONTROL) as saved:
            layers_in_file = upload_layer_names(upload.name, saved, max_mb=max_upload_mb())
            if len(layers_in_file) > 1 and not source_layer:
                source_layer = st.selectbox("文件中有多个图层，请选择一个", layers_in_file)
            result = _read(upload.name, file_sha256(saved), saved, source_layer, crs.strip(),
                           fix, zone)
    except UploadError as err:
        _show_upload_error(err)
        return

    crs_from = CRS_SOURCES.get(result.crs_source, result.crs_source)
    st.success(f"已读取 {upload.name}：{len(result.frame)} 个要素（{result.source_format}；"
               f"坐标系 {result.frame.crs.to_string()}，{crs_from}）。")
    notes, technical = readable_notes(result.warnings)
    for warning in notes:
        st.warning(f"注意：{warning}")
    if technical:
        st.caption(f"读取时另有 {technical} 条技术提示（编码、坐标系判断等），已记入服务器日志。")
    if control:
        _import_control_layer(path, code, result, upload.name, existing=frames.get(code))
        return

    zones = frames[code]
    try:
        report = match_features(zones, result.frame, id_field=id_field or None,
                                name_field=name_field or None)
    except MineplanError as err:
        show_error(err, prefix="无法匹配：")
        return

    st.subheader("匹配结果")
    cols = st.columns(3)
    cols[0].metric("已匹配", f"{len(report.matched)} / {len(zones)}")
    cols[1].metric("未匹配要素", len(report.unmatched))
    cols[2].metric("不确定", len(report.ambiguous))
    st.dataframe(import_report_table(report, zones), hide_index=True, width="stretch")
    stated = stated_area_table(report, zones)
    if not stated.empty:
        st.subheader("文件所注面积与地块用途")
        note = stated_area_note(report)
        if note:
            st.caption(note)
        st.dataframe(stated, hide_index=True, width="stretch")

    st.subheader("预览")
    preview = [*map_layers({code: zones}, specs, styles, schematic),
               import_preview_layer(result.frame)]
    try:
        st.iframe(preview_map_html(preview), height=MAP_HEIGHT - 150)
    except (MineplanError, ValueError) as err:
        show_error(err, prefix="预览地图无法生成：")

    problems = preview_problems(report, zones, result.frame)
    for line in problems.warnings:
        st.warning(line)
    for line in problems.blocking:
        st.error(line)
    if not report.matched:
        st.error("没有任何要素与本图层的分区匹配，数据库未改动。请检查编号/名称字段或所选图层。")
        return
    if problems.blocking:
        return
    if st.button(f"确认导入：替换 {len(report.matched)} 个分区的图形", type="primary"):
        try:
            store_zone_import(path, code, zones, result.frame, report, source=upload.name,
                              spec=specs[code])
        except (MineplanError, OSError) as err:
            show_error(err, prefix="导入失败，数据库保持原样：")
            return
        start_prepare(path)  # the browse map's first view of the new version, for a new server
        st.success(f"已导入：{len(report.matched)} 个分区的图形已替换。浏览页面将立即显示新图形。")


def _import_control_layer(path: str, code: str, result: ReadResult, name: str, *,
                          existing: gpd.GeoDataFrame | None) -> None:
    """Preview and store a delivered control layer in place of the demo one."""
    import datetime as dt

    specs, styles, schematic = layer_definitions()
    spec = specs[code]
    columns = ["（无）", *[c for c in result.frame.columns if c != result.frame.geometry.name]]
    cols = st.columns(3)
    date = cols[0].date_input("数据日期", value=dt.date.today(), key="control_date")
    name_field = cols[1].selectbox("名称字段", columns, key="control_name")
    region_field = cols[2].selectbox("县市字段", columns, key="control_region")
    try:
        frame = control_layer_frame(
            result.frame, spec=spec, source=name, source_date=date.isoformat(),
            name_field=None if name_field == "（无）" else name_field,
            region_field=None if region_field == "（无）" else region_field,
        )
    except MineplanError as err:
        show_error(err, prefix="该文件不能作为管控图层导入：")
        return
    st.subheader("预览")
    count = 0 if existing is None else len(existing)
    whole = "整个图层（全部县市）"
    regions = sorted({str(r) for r in existing["region"].dropna() if str(r).strip()}) \
        if existing is not None and "region" in existing else []
    scope = st.radio("替换范围", [whole, *regions], horizontal=True, key="control_scope",
                     help="选择某一县市时，只替换该县市的要素（本文件的要素都记为该县市），"
                     "其他县市的要素保持不变。")
    if scope == whole:
        st.warning(f"导入将替换数据库中全部规划（所有县市）的“{spec.name}”图层：现有 "
                   f"{count} 个要素将被本文件的要素取代。")
    else:
        frame = merge_control_region(existing, frame, scope)
        st.info(f"只替换{scope}的“{spec.name}”要素；其他县市的要素保持不变。")
    total = format_area(frame["geom_area_km2"].sum(), thousands=True)
    st.metric("要素数与椭球面积", f"{len(frame)} 个，{total}")
    try:
        st.iframe(preview_map_html(map_layers({code: preview_copy(frame)}, specs, styles,
                                              schematic)),
                  height=MAP_HEIGHT - 150)
    except (MineplanError, ValueError) as err:
        show_error(err, prefix="预览地图无法生成：")
    if st.button(f"确认导入：以 {len(frame)} 个要素替换{spec.name}", type="primary",
                 key="control_confirm"):
        try:
            store_control_layer(path, code, frame, spec=spec, style=styles[spec.style],
                                schematic=schematic, source=name)
        except (MineplanError, OSError) as err:
            show_error(err, prefix="导入失败，数据库保持原样：")
            return
        start_prepare(path)
        st.success(f"已导入{spec.name}：{len(frame)} 个要素（{date.isoformat()}）。"
                   "浏览与检查页面将立即使用新图层。")


chinese_chrome()
with page_guard():
    main()
