"""The 检查 page: the paste parser and view helpers (mineplan.web.presentation, checkmap,
report), AppTest, Chromium."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import box

from mineplan.errors import CoordinateFileError, UploadError
from mineplan.geodesy import ellipsoidal_area_km2, gk_epsg
from mineplan.io import coordinates as coordfiles
from mineplan.io.proposals import parse_pasted_proposal, read_coordinate_upload
from mineplan.settings import home
from mineplan.vocab import VERDICT_COLOURS, VERDICT_ORDER, VERDICTS
from mineplan.web.checkmap import check_map_layers
from mineplan.web.presentation import (
    data_notes,
    findings_table,
    issue_lines,
    overall_verdict,
    summary_view,
    verdict_style,
)
from mineplan.web.report import report_files
from tests.browser import CHROMIUM_ARGS, chromium_path, playwright_api, serve_app

APP = home() / "app.py"
FIXTURES = Path(__file__).parent / "fixtures" / "coords"

# A block for the paste parser (degrees, CGCS2000); the parser does not look at the
# store. Checks of a proposal take ``check_block`` (conftest), a box from the store.
BLOCK = (81.272, 43.950, 81.285, 43.960)
Bounds = tuple[float, float, float, float]
ZONE27 = gk_epsg(width=3, zone=27, prefixed=True)  # EPSG:4515


def _corners(bounds: tuple[float, float, float, float] = BLOCK) -> list[tuple[float, float]]:
    """(X northing, Y easting) of the block's corners, 3-degree zone 27 with prefix, metres."""
    to_gk = Transformer.from_crs(4490, ZONE27, always_xy=True)
    west, south, east, north = bounds
    out = []
    for lon, lat in ((west, north), (east, north), (east, south), (west, south)):
        easting, northing = to_gk.transform(lon, lat)
        out.append((round(northing, 3), round(easting, 3)))
    return out


def _paste(points: list[tuple[float, float]], *, names: bool = True, close: bool = True) -> str:
    rows = [*points, points[0]] if close else points
    return "\n".join(f"J{i},{x},{y}" if names else f"{x},{y}"
                     for i, (x, y) in enumerate(rows, start=1))


# ------------------------------------------------------------------------- paste parser


def test_point_lines_give_the_block_in_the_prefixed_zone() -> None:
    text = "点号,X,Y\n" + _paste(_corners())
    parsed = parse_pasted_proposal(text)
    assert parsed.frame.crs.to_epsg() == ZONE27
    assert len(parsed.frame) == 1 and parsed.warnings == []
    assert "27 带" in parsed.source and any("带号前缀" in n for n in parsed.notes)
    geom = parsed.frame.to_crs(4490).geometry.iloc[0]
    assert geom.symmetric_difference(box(*BLOCK)).area < 1e-10  # mm-rounded corners
    area = float(ellipsoidal_area_km2(parsed.frame).iloc[0])
    assert 1.0 < area < 1.3  # 0.013° × 0.010° at 44°N ≈ 1.16 km²


def test_bare_pairs_full_width_commas_and_spaces_are_read() -> None:
    points = _corners()
    text = "\n".join(f"  {x}，{y}  " if i % 2 else f"{x}\t{y}" for i, (x, y) in enumerate(points))
    parsed = parse_pasted_proposal(text + "\n# 注释行\n\n")
    assert parsed.frame.crs.to_epsg() == ZONE27
    assert len(parsed.frame.geometry.iloc[0].exterior.coords) == 5


def test_swapped_axes_are_detected_swapped_and_reported() -> None:
    points = _corners()
    straight = parse_pasted_proposal(_paste(points)).frame.geometry.iloc[0]
    swapped = parse_pasted_proposal(_paste([(y, x) for x, y in points]))
    assert any("顺序颠倒" in w for w in swapped.warnings)
    assert swapped.frame.geometry.iloc[0].equals(straight)


def test_mixed_axis_order_names_the_odd_line() -> None:
    points = _corners()
    points[2] = points[2][::-1]
    with pytest.raises(CoordinateFileError, match="第 3 行：X、Y 的顺序与第 1 行相反"):
        parse_pasted_proposal(_paste(points, close=False))


def test_non_numbers_are_reported_with_every_line_number() -> None:
    (x1, y1), (x2, y2), (x3, y3), (_, y4) = _corners()
    text = f"J1,{x1},{y1}\nJ2,{x2}米,{y2}\nJ3,{x3},{y3}\nJ4,abc,4x{y4}"
    with pytest.raises(CoordinateFileError) as err:
        parse_pasted_proposal(text)
    message = str(err.value)
    assert "2 处问题" in message
    assert f"第 2 行：“{x2}米”不是数字" in message
    assert "第 4 行：“abc”“4x" in message


def test_wrong_field_count_names_the_line() -> None:
    text = _paste(_corners(), close=False) + "\nJ5,1,2,3"
    with pytest.raises(CoordinateFileError, match="第 5 行：应为“点号,X,Y”或“X,Y”，实际有 4 项"):
        parse_pasted_proposal(text)


@pytest.mark.parametrize("count", [1, 2])
def test_too_few_points_are_refused(count: int) -> None:
    points = _corners()[:count]
    with pytest.raises(CoordinateFileError, match=rf"至少需要 3 个不同的拐点.*只有 {count} 个"):
        parse_pasted_proposal(_paste(points))  # the closing repeat does not count


def test_degrees_pasted_as_point_lines_are_explained() -> None:
    with pytest.raises(CoordinateFileError, match=r"经纬度.*WKT 或 GeoJSON"):
        parse_pasted_proposal("43.95,81.272\n43.95,81.285\n43.96,81.285")


def test_eastings_without_prefix_need_a_zone() -> None:
    points = [(x, y - 27_000_000) for x, y in _corners()]
    with pytest.raises(CoordinateFileError, match="没有带号前缀"):
        parse_pasted_proposal(_paste(points))
    parsed = parse_pasted_proposal(_paste(points), zone=27)
    assert parsed.frame.crs.to_epsg() == gk_epsg(width=3, zone=27, prefixed=False)
    with pytest.raises(CoordinateFileError, match="带号 99"):
        parse_pasted_proposal(_paste(points), zone=99)


def test_wkt_in_degrees() -> None:
    w, s, e, n = BLOCK
    parsed = parse_pasted_proposal(f"POLYGON (({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))")
    assert parsed.frame.crs.to_epsg() == 4490
    assert parsed.frame.geometry.iloc[0].equals(box(*BLOCK))
    with pytest.raises(CoordinateFileError, match="纬度在前"):
        parse_pasted_proposal(f"POLYGON (({s} {w}, {s} {e}, {n} {e}, {n} {w}, {s} {w}))")
    with pytest.raises(CoordinateFileError, match="WKT 无法解析"):
        parse_pasted_proposal("POLYGON ((81 43, 82")


def test_geojson_in_degrees() -> None:
    geometry = json.loads(gpd.GeoSeries([box(*BLOCK)]).to_json())["features"][0]["geometry"]
    for document in (geometry, {"type": "Feature", "properties": {"name": "甲"},
                                "geometry": geometry},
                     {"type": "FeatureCollection", "features": [
                         {"type": "Feature", "properties": {}, "geometry": geometry}]}):
        parsed = parse_pasted_proposal(json.dumps(document, ensure_ascii=False))
        assert parsed.frame.crs.to_epsg() == 4490
        assert parsed.frame.geometry.iloc[0].equals(box(*BLOCK))
    with pytest.raises(CoordinateFileError, match="LineString"):
        parse_pasted_proposal('{"type": "LineString", "coordinates": [[81, 43], [82, 44]]}')
    with pytest.raises(CoordinateFileError, match="GeoJSON 格式错误：第 2 行"):
        parse_pasted_proposal('{"type": "Polygon",\n "coordinates": [[81, 43}')


def test_whole_boundary_txt_can_be_pasted() -> None:
    text = (FIXTURES / "reference_boundary_gbk.txt").read_bytes().decode("gbk")
    parsed = parse_pasted_proposal(text)
    assert "报盘格式" in parsed.source
    assert parsed.frame.crs.to_epsg() == gk_epsg(width=3, zone=28, prefixed=True)
    with pytest.raises(CoordinateFileError, match="报盘坐标文本无法读取"):
        parse_pasted_proposal(text.replace("4919234.567,28514345.678", "x,28514345.678"))


def test_pasted_dms_with_double_primes_is_read() -> None:
    # ″ (U+2033) must survive the paste's normalisation (NFKC would make it ′′)
    text = (FIXTURES / "dms_symbols_gbk.txt").read_bytes().decode("gbk")
    assert "″" in text
    parsed = parse_pasted_proposal(text.replace("，", ","))
    assert parsed.frame.crs.to_epsg() == 4490 and len(parsed.frame) == 2
    west, south, east, north = parsed.frame.total_bounds
    assert 84.0 < west < east < 84.3 and 44.3 < south < north < 44.5
    full_width = "\n".join(line.replace(",", "，") for line in text.splitlines())
    assert parse_pasted_proposal(full_width).frame.geometry.equals(parsed.frame.geometry)


def test_empty_paste_says_what_to_paste() -> None:
    with pytest.raises(CoordinateFileError, match="没有粘贴任何坐标"):
        parse_pasted_proposal(" \n ")


# ----------------------------------------------------------------------- coordinate upload


def test_coordinate_upload_reads_a_boundary_txt_and_refuses_disguises() -> None:
    data = (FIXTURES / "reference_boundary_gbk.txt").read_bytes()
    parsed = read_coordinate_upload("范围.txt", data, max_mb=1)
    assert len(parsed.frame) == 1 and "gbk" in parsed.source
    with pytest.raises(UploadError, match="内容是PNG 图片"):
        read_coordinate_upload("a.txt", b"\x89PNG\r\n\x1a\n" + bytes(20), max_mb=1)
    with pytest.raises(UploadError, match="网页"):
        read_coordinate_upload("a.txt", b"<html><script>x</script>", max_mb=1)
    with pytest.raises(UploadError, match="文件过大"):
        read_coordinate_upload("a.txt", b"1" * 2_000_000, max_mb=1)
    with pytest.raises(UploadError, match="无法读取") as err:
        read_coordinate_upload("a.txt", data.replace(b"4919234.567", b"abc"), max_mb=1)
    assert err.value.detail  # the reader's message, with its line


# -------------------------------------------------------------------- findings for people


@pytest.fixture(scope="module")
def checked(built_store: Path, check_block: Bounds
            ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    from mineplan.checks import check_proposal, read_store_frames

    frames = read_store_frames(built_store)
    proposal = parse_pasted_proposal(_paste(_corners(check_block))).frame
    findings = check_proposal(proposal, right_type="探矿权", mineral="煤炭", store_frames=frames)
    return proposal, findings, frames


def test_findings_table_is_worst_first_with_chinese_headers(checked) -> None:
    _, findings, _ = checked
    table = findings_table(findings)
    assert list(table.columns[:3]) == ["结论", "规则", "量测值"]
    assert table["结论"].iloc[0] == "不通过" and table["结论"].iloc[-1] == "通过"
    assert overall_verdict(findings) == "fail"
    assert overall_verdict(findings.iloc[0:0]) is None
    assert VERDICT_COLOURS["fail"][0] in verdict_style("不通过")
    assert verdict_style("其他") == ""
    issues = issue_lines(findings)
    assert [k for k, _ in issues] == ["fail", "conditional"]
    assert issues[0][1].startswith("不通过｜与已设矿业权重叠：")
    assert set(summary_view(findings).columns) == {"规则", "通过", "有条件", "不通过"}
    notes = data_notes(findings)
    assert "图形为示意，结论仅供演示" in notes and len(notes) == len(set(notes))


def test_map_layers_highlight_conflicts_and_focus_the_proposal(checked) -> None:
    from mineplan.layers import read_layer_specs, read_styles

    proposal, findings, frames = checked
    styles, schematic = read_styles()
    layers, focus = check_map_layers(proposal, findings, frames, read_layer_specs(), styles,
                                     schematic)
    codes = [layer.code for layer in layers]
    assert codes[-2:] == ["PROPOSAL", "CONFLICT_FAIL"]  # conflicts drawn on top
    fail = layers[-1]
    assert fail.style["fill"] == VERDICT_COLOURS["fail"][0]
    assert ("area_km2", "冲突面积（km²，椭球）") in list(fail.popup_fields)
    block_km2 = float(ellipsoidal_area_km2(proposal).iloc[0])  # inside the right: all of it
    assert fail.gdf["area_km2"].to_numpy() == pytest.approx([block_km2], rel=1e-3)
    assert focus.gdf.crs.to_epsg() == 4490 and len(focus.gdf) == 1
    xzq = next(layer for layer in layers if layer.code == "XZQ")
    assert "伊宁市" in set(xzq.gdf["name"]) and len(xzq.gdf) < len(frames["XZQ"])  # nearby only


@pytest.mark.slow
def test_report_files_are_complete_and_read_back(checked) -> None:
    from mineplan.layers import read_layer_specs, read_styles

    proposal, findings, frames = checked
    downloads, problems = report_files(findings, proposal, frames, specs=read_layer_specs(),
                                       styles=read_styles(), title="出让前审查", subtitle="测试")
    assert problems == []
    files = {d.filename: d.data for d in downloads}
    assert set(files) == {"检查结果.xlsx", "检查结果.csv", "检查结果_冲突范围.geojson",
                          "检查结果_申请范围.txt", "检查结果_检查图.png", "检查结果_检查图.pdf"}
    with zipfile.ZipFile(io.BytesIO(files["检查结果.xlsx"])) as xlsx:
        assert "xl/workbook.xml" in xlsx.namelist()
    sheet = pd.read_excel(io.BytesIO(files["检查结果.xlsx"]), sheet_name="检查结果")
    assert len(sheet) == len(findings) and "结论" in sheet.columns
    assert files["检查结果.csv"].startswith(b"\xef\xbb\xbf")
    pieces = json.loads(files["检查结果_冲突范围.geojson"])
    assert {f["properties"]["verdict_key"] for f in pieces["features"]} == {"fail"}
    back = coordfiles.to_geodataframe(coordfiles.parse_boundary_txt(files["检查结果_申请范围.txt"]))
    assert back.crs.to_epsg() == ZONE27
    # same block: corners written to 2 decimals (issue 10 §4) move the area by at most
    # perimeter × 0.005 m
    tolerance = proposal.length.iloc[0] * 0.005
    assert abs(back.area.iloc[0] - proposal.area.iloc[0]) < tolerance  # m²
    files["检查结果_申请范围.txt"].decode("gbk")
    assert files["检查结果_检查图.png"].startswith(b"\x89PNG")
    assert files["检查结果_检查图.pdf"].startswith(b"%PDF")


@pytest.mark.slow
def test_report_files_offer_the_pregrant_report_as_docx_and_pdf(checked, built_store: Path
                                                                 ) -> None:
    import docx

    from mineplan.layers import read_layer_specs, read_styles
    from mineplan.reports import store_versions
    from mineplan.web.checkrun import CheckRequest

    proposal, findings, frames = checked
    specs, (styles, schematic) = read_layer_specs(), read_styles()
    request = CheckRequest(right="探矿权", mineral="煤炭", name="测试申请区")
    downloads, problems = report_files(
        findings, proposal, frames, specs=specs, styles=(styles, schematic),
        title=request.title, subtitle=request.subtitle, stem=request.subject, request=request,
        versions=store_versions(built_store, frames, specs=specs))
    assert problems == []
    files = {d.filename: d for d in downloads}
    report = files["测试申请区_预审意见.docx"]
    assert report.label == "预审意见 DOCX" and report.mime.endswith("wordprocessingml.document")
    assert files["测试申请区_预审意见.pdf"].data.startswith(b"%PDF")
    doc = docx.Document(io.BytesIO(report.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    worst = next(k for k in VERDICT_ORDER if (findings["verdict_key"] == k).any())
    assert f"预审结论：{VERDICTS[worst]}" in text and "申请地块：测试申请区" in text
    assert "审查人：" in text and len(doc.inline_shapes) == 1


# ------------------------------------------------------------------------------ AppTest


@pytest.fixture()
def app_env(built_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MINEPLAN_STORE", str(built_store))
    return built_store


def _check_page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180).run()
    at.switch_page("app_pages/checks.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.slow
def test_page_checks_pasted_coordinates_once(app_env: Path, check_block: Bounds,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import mineplan.checks

    calls = []
    real = mineplan.checks.check_proposal

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(mineplan.checks, "check_proposal", counting)
    at = _check_page()
    assert not at.button  # nothing to check yet
    at.text_area(key="check_paste").input(_paste(_corners(check_block))).run()
    at.selectbox(key="check_right").set_value("探矿权")
    at.text_input(key="check_mineral").input("煤炭").run()
    assert any("27 带" in c.value for c in at.caption)
    at.button(key="check_run").click().run()
    assert not at.exception, at.exception
    assert len(calls) == 1 and calls[0]["right_type"] == "探矿权"
    assert any("总体结论：不通过" in e.value for e in at.error)
    assert {m.label: m.value for m in at.metric}["不通过"] == "1"
    assert any(e.value.startswith("不通过｜与已设矿业权重叠") for e in at.error)
    assert any("数据说明" in w.value and "示意" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if "量测值" in d.value.columns)
    table = getattr(table, "data", table)  # a Styler
    assert "不通过" in set(table["结论"])
    assert VERDICT_COLOURS["fail"][0] in str(at.get("iframe")[0].proto.srcdoc)
    labels = [b.label for b in at.get("download_button")]
    assert len(labels) == 8 and "检查结果 XLSX" in labels and "检查图 PDF" in labels
    assert "预审意见 DOCX" in labels and "预审意见 PDF" in labels  # issue 13 §5
    at.run()  # a rerun (e.g. after a download) shows the result without checking again
    assert len(calls) == 1 and any("总体结论" in e.value for e in at.error)
    at.text_input(key="check_mineral").input("金").run()
    assert len(calls) == 1 and any("输入已更改" in i.value for i in at.info)


@pytest.mark.slow
def test_a_table_pasted_from_a_notice_is_described_in_chinese(app_env: Path) -> None:
    """What the page says it read names the zone in Chinese, not pyproj's English name
    ("3-degree Gauss-Kruger zone 28"), and the reader's English notes ("line 2: datum …")
    are logged, not shown."""
    from mineplan.web.messages import planner_words

    notice = (Path(__file__).parent / "fixtures" / "coords" / "notice_two_blocks_gbk.txt")
    at = _check_page()
    at.text_area(key="check_paste").input(notice.read_bytes().decode("gbk")).run()
    assert not at.exception, at.exception
    read = next(c.value for c in at.caption if "已读取申请范围" in c.value)
    assert "度分带第" in read and "EPSG:" in read
    assert planner_words(read) == [], read


@pytest.mark.slow
def test_page_checks_an_uploaded_geojson(app_env: Path, check_block: Bounds) -> None:
    data = gpd.GeoDataFrame({"name": ["甲区块"]}, geometry=[box(*check_block)], crs=4490).to_json(
        ensure_ascii=False).encode()
    at = _check_page()
    at.radio(key="check_source").set_value("上传文件").run()
    at.file_uploader(key="check_upload").set_value(("block.geojson", data, "application/json"))
    at.text_input(key="check_mineral").input("煤炭")
    at.run()
    assert any("GeoJSON" in c.value for c in at.caption)
    at.button(key="check_run").click().run()
    assert not at.exception, at.exception
    assert any("总体结论：不通过" in e.value for e in at.error)


@pytest.mark.slow
@pytest.mark.parametrize("bad", ["y", "abc"])  # a word of the planner's, echoed in quotes
def test_page_names_the_bad_line_of_a_paste(app_env: Path, check_block: Bounds,
                                            bad: str) -> None:
    at = _check_page()
    (x1, y1), (x2, _), (x3, y3), _ = _corners(check_block)
    at.text_area(key="check_paste").input(f"J1,{x1},{y1}\nJ2,{x2},{bad}\nJ3,{x3},{y3}").run()
    assert not at.exception, at.exception
    assert any("第 2 行" in e.value and f"“{bad}”" in e.value for e in at.error)
    assert not at.button


@pytest.mark.slow
def test_page_asks_for_the_mineral(app_env: Path, check_block: Bounds) -> None:
    at = _check_page()
    at.text_area(key="check_paste").input(_paste(_corners(check_block))).run()
    at.button(key="check_run").click().run()
    assert not at.exception, at.exception
    assert any("请填写矿种" in e.value for e in at.error)
    assert not at.get("download_button")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "data", "message"), [
    ("block.txt", b"\x89PNG\r\n\x1a\n" + bytes(32), "内容是PNG 图片"),
    ("block.geojson", b"%PDF-1.4 x", "内容是PDF 文档"),
    ("block.exe", b"MZ\x90\x00", "不支持的文件类型"),
])
def test_page_refuses_hostile_uploads(app_env: Path, name: str, data: bytes,
                                      message: str) -> None:
    at = _check_page()
    at.radio(key="check_source").set_value("上传文件").run()
    at.file_uploader(key="check_upload").set_value((name, data, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert not at.button


# ------------------------------------------------------------------------------ Chromium


@pytest.fixture(scope="module")
def served_app(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("log") / "streamlit.log"
    with serve_app({"MINEPLAN_STORE": str(built_store)}, log=log) as url:
        yield url


@pytest.mark.browser
@pytest.mark.slow
def test_check_page_in_chromium_without_network(served_app: str, check_block: Bounds,
                                                artifacts: Path, tmp_path: Path) -> None:
    sync_api = playwright_api()
    outside: list[str] = []
    upload = tmp_path / "申请范围.txt"
    upload.write_bytes(coordfiles.format_boundary_txt(
        gpd.GeoDataFrame({"number": ["KC-01"], "name": ["某煤矿勘查区"]},
                         geometry=[box(*check_block)], crs=4490), zone=27, encoding="gbk"))

    def only_loopback(route, request) -> None:
        if request.url.startswith(("http://127.0.0.1", "data:", "about:", "blob:")):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(),
                                    args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.route("**/*", only_loopback)
        page.goto(served_app, wait_until="networkidle", timeout=90_000)
        page.get_by_test_id("stSidebarNav").get_by_text("检查", exact=True).click()
        page.get_by_text("检查（报批前检查）").wait_for(timeout=60_000)
        page.get_by_text("上传文件", exact=True).click()
        page.locator("input[type=file]").first.set_input_files(str(upload))
        page.get_by_text("已读取申请范围").wait_for(timeout=60_000)
        mineral = page.get_by_label("矿种")
        mineral.fill("煤炭")
        mineral.press("Enter")
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="开始检查").click()
        page.get_by_text("总体结论：不通过").wait_for(timeout=120_000)
        frame = page.frame_locator("iframe").first
        fail = frame.locator(f'path[fill="{VERDICT_COLOURS["fail"][0]}"]')
        fail.first.wait_for(timeout=60_000)
        assert fail.count() >= 1  # the conflict piece is highlighted
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts / "check_page.png"))
        page.get_by_text("检查结果", exact=True).scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "check_findings.png"))
        page.get_by_text("下载", exact=True).scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(artifacts / "check_downloads.png"))
        page.locator("iframe").first.scroll_into_view_if_needed()
        fail.first.click(force=True)
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        assert "冲突面积" in popup.inner_text()
        page.locator("iframe").first.screenshot(path=str(artifacts / "check_map.png"))

        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="检查结果 XLSX").click()
        target = tmp_path / "downloaded.xlsx"
        info.value.save_as(str(target))
        data = target.read_bytes()
        assert data, "the XLSX download is empty"
        with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
            assert "xl/workbook.xml" in xlsx.namelist()
        assert page.get_by_text("总体结论：不通过").is_visible()  # still shown after the click
        # the report a reviewer signs, named after the plot in the uploaded file
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="预审意见 DOCX").click()
        assert info.value.suggested_filename == "某煤矿勘查区_预审意见.docx"
        target = tmp_path / "预审意见.docx"
        info.value.save_as(str(target))
        import docx

        text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
        assert "预审结论：不通过" in text and "申请地块：某煤矿勘查区" in text
        browser.close()
    assert not outside, f"the page tried to reach the network: {outside[:5]}"


# ------------------------------------------------------------------- 带号 of the pages


def _unprefixed_table(bounds: Bounds) -> bytes:
    """A 点号,X,Y table whose eastings lack the zone prefix 27 (as many offices type them)."""
    rows = [f"{i},{x:.2f},{y - 27_000_000:.2f}"
            for i, (x, y) in enumerate(_corners(bounds), start=1)]
    return ("点号,X,Y\n" + "\n".join(rows) + "\n").encode("utf-8")


def test_uploads_are_read_in_the_zone_the_page_gives() -> None:
    from mineplan.io.uploads import UploadError
    from mineplan.web.uploading import read_features_upload, read_proposal_upload

    data = _unprefixed_table(BLOCK)
    with pytest.raises(UploadError, match="“带号”") as caught:
        read_proposal_upload("表.txt", data, layer=None, crs=None, max_mb=5)
    assert "。。" not in str(caught.value)
    parsed = read_proposal_upload("表.txt", data, layer=None, crs=None, max_mb=5, zone=27)
    features = read_features_upload("表.txt", data, layer=None, crs=None, fix=False, max_mb=5,
                                    zone=27)
    for frame in (parsed.frame, features.frame):
        # zone 27 without prefix: CGCS2000 / 3-degree Gauss-Kruger CM 81E
        assert frame.crs.to_epsg() == 4536
        back = frame.to_crs(4490).total_bounds
        assert back == pytest.approx(BLOCK, abs=1e-6)  # 0.01 m ≈ 1e-7°


@pytest.mark.slow
def test_page_reads_an_uploaded_table_in_the_zone_chosen(app_env: Path,
                                                         check_block: Bounds) -> None:
    at = _check_page()
    at.radio(key="check_source").set_value("上传文件").run()
    at.file_uploader(key="check_upload").set_value(
        ("申请范围.txt", _unprefixed_table(check_block), "text/plain")).run()
    assert not at.exception, at.exception
    assert any("“带号”" in e.value for e in at.error)  # asked for, never guessed
    at.number_input(key="check_upload_zone").set_value(27).run()
    assert not at.exception, at.exception
    assert not at.error and any("EPSG:4536" in c.value for c in at.caption)
    at.text_input(key="check_mineral").input("煤炭").run()
    at.button(key="check_run").click().run()
    assert any("总体结论：不通过" in e.value for e in at.error)  # the fixture's known verdict
