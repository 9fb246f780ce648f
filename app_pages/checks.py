"""检查: a proposed exploration or mining right checked against the plan before it is granted.

The planner pastes the block's corner coordinates (or a whole coordinate file, WKT,
GeoJSON), uploads a coordinate TXT / GIS file or draws the block on a map, enters the
right type, mineral and scale, and presses 开始检查. The page shows the verdict, the
findings, the data caveats and a map of the conflict pieces, and offers the report
files. The logic is in :mod:`mineplan.web.presentation`, :mod:`mineplan.web.checkmap`,
:mod:`mineplan.web.report`, :mod:`mineplan.web.drawmap` and
:mod:`mineplan.checks`; the result is kept in ``st.session_state`` under a digest of
the inputs, so a download or any other rerun does not check again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import streamlit as st

from app_pages._shared import (
    MAP_HEIGHT,
    UPLOAD_CONTROL,
    chinese_chrome,
    layer_definitions,
    map_frames,
    max_upload_mb,
    page_guard,
    require_store,
    show_error,
    upload_widget_mb,
    zone_input,
)
from mineplan.checks.context import proposal_frames
from mineplan.errors import MineplanError
from mineplan.io.proposals import ParsedProposal, parse_pasted_proposal
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.reports import store_versions
from mineplan.vocab import RIGHT_TYPES, VERDICTS
from mineplan.web.checkrun import (
    CheckRequest,
    check_with_map,
    file_plot_name,
    form_problems,
)
from mineplan.web.drawmap import context_layers, draw_map, drawn_proposal, zone_extent
from mineplan.web.messages import error_message, readable_notes
from mineplan.web.presentation import (
    data_notes,
    error_markdown,
    findings_table,
    findings_table_formats,
    issue_lines,
    literal_markdown,
    overall_verdict,
    scale_units,
    summary_view,
    verdict_counts,
    verdict_style,
)
from mineplan.web.report import CheckOutcome, check_input_key, report_files
from mineplan.web.uploading import (
    accepted_types,
    file_sha256,
    read_proposal_upload,
    saved_upload,
    upload_layer_names,
)
from mineplan.web.webmap import MapLayer

_RESULT = "check_result"
Extent = tuple[float, float, float, float]
_PASTE_HELP = (
    "每行一个拐点：点号,X,Y 或 X,Y（X 为北坐标，Y 为带带号前缀的东坐标，单位米，"
    "2000 国家大地坐标系）；首尾点可重复。也可粘贴报盘/登记坐标文件全文，"
    "或 EPSG:4490 经纬度的 WKT（POLYGON ((经度 纬度, …))）、GeoJSON。"
)
_PLACEHOLDER = "J1,4868302.752,27521834.400\nJ2,4868306.272,27522877.957\n…"


@st.cache_data(max_entries=4, show_spinner="读取上传的文件 …")
def _read_upload(name: str, digest: str, _file: Path, layer: str, crs: str,
                 zone: int | None) -> ParsedProposal:
    """Check and read an upload saved to ``_file`` (cached on its SHA-256 ``digest``
    and the options)."""
    return read_proposal_upload(name, _file, layer=layer, crs=crs, max_mb=max_upload_mb(),
                                zone=zone)


def _show_error(err: MineplanError) -> None:
    """One line per problem (each naming its line of the paste or file), in Chinese."""
    st.error(error_markdown(error_message(err)))


@st.cache_resource(max_entries=2, show_spinner="准备绘制地图 …")
def _draw_layers(path: str, mtime_ns: int) -> tuple[list[MapLayer], Extent | None]:
    specs, styles, schematic = layer_definitions()
    frames = map_frames(path, mtime_ns)  # large layers (display copies) left out
    return context_layers(frames, specs, styles, schematic), zone_extent(frames, specs)


def _drawn_input(path: str, mtime_ns: int) -> ParsedProposal | None:
    """The block drawn on the map (st_folium, assets inlined: works offline)."""
    from streamlit_folium import st_folium

    st.caption("用地图左上角的矩形（按住拖动）或多边形（逐点单击，单击第一个点闭合）工具绘制"
               "申请范围；再画一次会替换之前的范围。图上为规划分区、红线等图层（无底图）。")
    layers, extent = _draw_layers(path, mtime_ns)
    output = st_folium(draw_map(layers, bounds=extent), key="check_draw",
                       height=MAP_HEIGHT - 150, use_container_width=True,
                       returned_objects=["all_drawings", "last_active_drawing"])
    proposal = drawn_proposal(output)
    if proposal is None:
        st.caption("尚未绘制申请范围。")
    return proposal


def _proposal_input(path: str, mtime_ns: int) -> ParsedProposal | None:
    """The proposal from the paste box, the upload or the map; None (with a message) if none."""
    how = st.radio("申请范围来源", ["粘贴坐标", "上传文件", "在地图上绘制"], horizontal=True,
                   key="check_source")
    try:
        if how == "在地图上绘制":
            return _drawn_input(path, mtime_ns)
        if how == "粘贴坐标":
            text = st.text_area("拐点坐标", key="check_paste", height=180, help=_PASTE_HELP,
                                placeholder=_PLACEHOLDER, max_chars=500_000)
            zone = zone_input("check_zone")
            if not text.strip():
                st.caption(_PASTE_HELP)
                return None
            return parse_pasted_proposal(text, zone=zone)
        upload = st.file_uploader(
            f"{UPLOAD_CONTROL}（{accepted_types()}；不超过 {max_upload_mb():g} MB）",
            key="check_upload", max_upload_size=upload_widget_mb(),
            help="坐标 TXT：报盘格式或矿业权登记格式（GBK 或 UTF-8）。Shapefile 请把 .shp、.shx、"
            f".dbf、.prj 一起压缩为一个 zip。单个文件不超过 {max_upload_mb():g} MB，超过时不上传。",
        )
        zone = zone_input("check_upload_zone")
        with st.expander("文件选项"):
            crs = st.text_input("坐标系（GIS 文件未声明时填写，如 EPSG:4490、EPSG:4515）", "")
            source_layer = st.text_input("源图层（多图层文件时填写）", "")
        if upload is None:
            return None
        # streamed to a private file: a large upload is not copied whole in memory
        with saved_upload(upload, upload.name, max_mb=max_upload_mb(),
                          control=UPLOAD_CONTROL) as saved:
            layers = upload_layer_names(upload.name, saved, max_mb=max_upload_mb())
            if len(layers) > 1 and not source_layer:
                source_layer = st.selectbox("文件中有多个图层，请选择一个", layers)
            return _read_upload(upload.name, file_sha256(saved), saved, source_layer,
                                crs.strip(), zone)
    except MineplanError as err:
        _show_error(err)
        return None


def _show_result(result: CheckOutcome) -> None:
    findings = result.findings
    key = overall_verdict(findings)
    verdict = VERDICTS.get(key or "", "无检查结果")
    show = {"fail": st.error, "conditional": st.warning}.get(key or "", st.success)
    show(f"**总体结论：{verdict}**　{result.title}")
    cols = st.columns(3)
    for col, (name, count) in zip(cols, verdict_counts(findings).items(), strict=True):
        col.metric(VERDICTS[name], count)
    notes = data_notes(findings)
    if notes:
        st.warning("数据说明：" + "；".join(notes) + "。结论须以正式数据复核。")
    for verdict_key, line in issue_lines(findings):
        (st.error if verdict_key == "fail" else st.warning)(literal_markdown(line))
    st.subheader("检查结果")
    wide = st.column_config.TextColumn(width="large")
    st.dataframe(findings_table(findings).style.map(verdict_style, subset=["结论"]),
                 hide_index=True, width="stretch",
                 column_config={**{h: st.column_config.NumberColumn(format=f)
                                   for h, f in findings_table_formats().items()},
                                "结论": st.column_config.TextColumn(width="small"),
                                "说明": wide, "依据": wide})
    with st.expander("按规则汇总"):
        st.dataframe(summary_view(findings), hide_index=True)
    st.subheader("地图")
    st.caption("亮蓝色轮廓为申请范围；红色为不通过、橙色为有条件的冲突范围（点击查看面积）。")
    st.iframe(result.map_html, height=MAP_HEIGHT - 50)
    st.subheader("下载")
    for problem in result.problems:
        st.warning(problem)
    cols = st.columns(3)
    for n, item in enumerate(result.downloads):
        cols[n % 3].download_button(item.label, item.data, file_name=item.filename,
                                    mime=item.mime, on_click="ignore", key=f"download_{n}")


def main() -> None:
    path, mtime = require_store()
    specs, styles, schematic = layer_definitions()
    st.title("检查（报批前检查）")
    st.info("对照规划分区与三区三线逐条检查拟设矿业权：行政区、生态保护红线、永久基本农田、"
            "城镇开发边界、勘查/开采规划区块、砂石土集中开采区、已设矿权、最低开采规模、"
            "矿种政策与图形（规则文件 checks.toml 由系统维护人员维护）。")
    proposal = _proposal_input(path, mtime)
    cols = st.columns([1, 1, 1, 1])
    right = cols[0].selectbox("权利类型", RIGHT_TYPES, key="check_right")
    mineral = cols[1].text_input("矿种", key="check_mineral", placeholder="如 金、煤炭、建筑用砂")
    scale = cols[2].number_input("规模（采矿权，可不填）", value=None, min_value=0.0,
                                 key="check_scale")
    unit = cols[3].selectbox("规模单位", scale_units(), index=None, placeholder="（不填）",
                             key="check_unit") or ""
    left, right_col = st.columns(2)
    region = left.text_input("所在县市（可不填，按范围自动识别）", key="check_region")
    name = right_col.text_input("申请名称（显示在结果、图和预审意见上）", key="check_name",
                                placeholder="不填则用文件中的地块名称")
    if proposal is None:
        return
    notes, _ = readable_notes(proposal.notes)  # the reader's English notes are logged
    st.caption("；".join([f"已读取申请范围：{proposal.source}", *notes]))
    for warning in proposal.warnings:
        st.warning(literal_markdown(warning))

    inputs = {"right": right, "mineral": mineral.strip(), "scale": scale, "unit": unit,
              "region": region.strip(), "name": name.strip(), "store": path, "mtime": mtime}
    key = check_input_key(proposal.frame, **inputs)
    if st.button("开始检查", type="primary", key="check_run"):
        problems = form_problems(mineral=mineral, scale=scale, unit=unit)
        for problem in problems:
            st.error(problem)
        if not problems:
            _run(proposal, inputs, key, specs, styles, schematic)
    result = st.session_state.get(_RESULT)
    if isinstance(result, CheckOutcome) and result.key == key:
        _show_result(result)
    elif result is not None:
        st.info("输入已更改，请重新点击“开始检查”。")


def _run(proposal: ParsedProposal, inputs: Mapping[str, object], key: str,
         specs: dict[str, LayerSpec], styles: dict[str, LayerStyle],
         schematic: SchematicStyle) -> None:
    """Check, draw the map and make the downloads; keep them in the session under ``key``.

    The store is read for this proposal only: large layers (a provincial red line) near
    it and its surroundings, as the command line's check does.
    """
    request = CheckRequest.from_inputs(inputs)
    frames = proposal_frames(str(inputs["store"]), proposal.frame, surroundings=True)
    if not request.name:  # the plot's own name from the file
        request = replace(request, name=file_plot_name(proposal.frame))
    try:
        with st.spinner("检查中 …"):
            findings, page = check_with_map(proposal.frame, request, frames, specs, styles,
                                            schematic)
        with st.spinner("生成报告文件与检查图 …"):
            downloads, problems = report_files(
                findings, proposal.frame, frames, specs=specs, styles=(styles, schematic),
                title=request.title, subtitle=request.subtitle, stem=request.subject,
                request=request,
                versions=store_versions(str(inputs["store"]), frames, specs=specs),
            )
    except MineplanError as err:
        st.session_state.pop(_RESULT, None)
        show_error(err, prefix="无法检查：")
        return
    st.session_state[_RESULT] = CheckOutcome(key, findings, page, request.title, downloads,
                                             problems)


chinese_chrome()
with page_guard():
    main()
