"""Findings frame, summary and writers (XLSX, CSV with BOM, GeoJSON)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyproj
import pytest
from shapely.geometry import box

from mineplan.checks.findings import (
    FINDING_COLUMNS,
    FINDING_HEADERS,
    Finding,
    FindingsWriteError,
    findings_frame,
    format_summary,
    has_failures,
    proposal_coordinates,
    summary_table,
    write_findings,
)
from mineplan.geodesy import ellipsoidal_area_km2

PIECE = box(84.0, 44.0, 84.01, 44.01)


def _frame() -> gpd.GeoDataFrame:
    return findings_frame([
        Finding("ecological_redline", "生态保护红线", "fail", "P1", "0.5 km²", "checks.toml",
                "与生态保护红线重叠", data_note="管控图层为演示数据，结论仅供演示",
                value=0.5, unit="km²", geometry=PIECE),
        Finding("farmland", "永久基本农田", "pass", "P1", "0 km²", "checks.toml", "无重叠"),
        Finding("min_scale", "最低开采规模", "conditional", "P1", "5 万吨/年", "wusu", "须核对"),
    ])


def test_frame_columns_verdicts_and_piece_area() -> None:
    f = _frame()
    assert list(f.columns) == list(FINDING_COLUMNS)
    assert list(f["verdict"]) == ["不通过", "通过", "有条件"]
    assert list(f["verdict_key"]) == ["fail", "pass", "conditional"]
    expected = float(ellipsoidal_area_km2(gpd.GeoSeries([PIECE], crs=4490)).iloc[0])
    assert f.loc[0, "area_km2"] == pytest.approx(expected, rel=1e-5)
    assert pd.isna(f.loc[1, "area_km2"])
    assert has_failures(f)
    assert not has_failures(f[f["verdict_key"] != "fail"])


def test_unknown_verdict_is_rejected() -> None:
    with pytest.raises(ValueError, match="verdict"):
        Finding("x", "x", "maybe", "s", "", "", "")


def test_summary() -> None:
    table = summary_table(_frame())
    assert list(table.columns) == ["check", "rule", "通过", "有条件", "不通过"]
    text = format_summary(_frame(), title="T")
    assert text.splitlines()[0] == "T"
    assert "合计 3 项：通过 1，有条件 1，不通过 1" in text
    assert "[不通过] 生态保护红线 P1" in text
    assert "演示" in text
    assert "（无检查结果）" in format_summary(findings_frame([]))


def test_xlsx_has_sheets_and_chinese_headers(tmp_path: Path) -> None:
    out = tmp_path / "f.xlsx"
    proposal = gpd.GeoDataFrame({"name": ["P1"]}, geometry=[PIECE], crs=4490)
    write_findings(_frame(), out, proposal=proposal, title="测试")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "检查结果", "申请范围坐标"]
    headers = [c.value for c in book["检查结果"][1]]
    assert headers == [FINDING_HEADERS[c] for c in FINDING_COLUMNS if c != "geometry"]
    assert book["检查结果"].cell(row=2, column=3).value == "不通过"
    coords = [c.value for c in book["申请范围坐标"][1]]
    assert coords == ["地块", "圈号", "点号", "X（北）", "Y（东）", "经度", "纬度",
                      "经度（度分秒）", "纬度（度分秒）"]
    assert book["申请范围坐标"].max_row == 1 + 4  # a box: 4 corners, closing point not repeated
    summary = [[c.value for c in row][:2] for row in book["汇总"].iter_rows()]
    assert ["结论", "不通过"] in summary


def test_coordinates_are_gauss_kruger_with_zone_prefix() -> None:
    table = proposal_coordinates(gpd.GeoDataFrame(geometry=[PIECE], crs=4490))
    # 84°E is the central meridian of 3-degree zone 28: Y ≈ 28 500 000 m at the CM
    y = table.loc[table["经度"] == 84.0, "Y（东）"]
    assert (abs(y - 28_500_000) < 1).all()
    assert table["X（北）"].between(4_800_000, 4_900_000).all()


def test_csv_has_bom_and_chinese_headers(tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    write_findings(_frame(), out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    first = raw.decode("utf-8-sig").splitlines()[0]
    assert first.startswith("检查项代码,规则,结论,结论代码,对象")
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert list(back["结论"]) == ["不通过", "通过", "有条件"]


def test_geojson_has_only_conflict_pieces_with_area(tmp_path: Path) -> None:
    out = tmp_path / "f.geojson"
    write_findings(_frame(), out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["features"]) == 1
    props = data["features"][0]["properties"]
    assert props["area_km2"] > 0 and props["verdict"] == "不通过"
    assert "生态保护红线" in out.read_text(encoding="utf-8")  # not \u-escaped


def test_writes_are_atomic_and_bad_targets_are_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mineplan.checks.findings.writers as findings

    for name in ("f.csv", "f.xlsx"):
        (tmp_path / name).write_text("old", encoding="utf-8")

    def fail(frame: pd.DataFrame) -> pd.DataFrame:
        raise RuntimeError("disk full")

    monkeypatch.setattr(findings, "_table", fail)
    for name in ("f.csv", "f.xlsx"):
        with pytest.raises(RuntimeError):
            write_findings(_frame(), tmp_path / name)
        assert (tmp_path / name).read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv", "f.xlsx"]  # no temporaries
    monkeypatch.undo()
    with pytest.raises(FindingsWriteError, match="xlsx"):
        write_findings(_frame(), tmp_path / "f.txt")
    with pytest.raises(FindingsWriteError, match="folder"):
        write_findings(_frame(), tmp_path / "missing" / "f.csv")


INJECTED = '=HYPERLINK("http://example.invalid/x","点此查看")'


def _injected() -> gpd.GeoDataFrame:
    return findings_frame([
        Finding("region", "位于规划行政区内", "pass", INJECTED, "100%", "checks.toml",
                "@SUM(1+1)*cmd|' /C calc'!A0"),
        Finding("farmland", "永久基本农田", "pass", "-1+2", "-12.5", "checks.toml", "+A1"),
    ])


def test_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    write_findings(_injected(), out)
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert list(back["对象"]) == [f"'{INJECTED}", "'-1+2"]
    assert back["说明"].iloc[0].startswith("'@") and back["说明"].iloc[1] == "'+A1"
    assert back["量测值"].iloc[1] == "-12.5"  # a plain number is not a formula: unchanged


def test_xlsx_cells_are_text_not_formulas(tmp_path: Path) -> None:
    out = tmp_path / "f.xlsx"
    write_findings(_injected(), out)
    sheet = openpyxl.load_workbook(out)["检查结果"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # the text is kept exactly as the file gave it
    assert INJECTED in [c.value for c in cells]


def test_coordinate_sheet_is_as_the_registry_wants_it(tmp_path: Path) -> None:
    """Issue 10 §4: X/Y to 2 decimals (numbers, shown 0.00), DMS seconds to 3, original order."""
    out = tmp_path / "f.xlsx"
    write_findings(_frame(), out, proposal=gpd.GeoDataFrame(geometry=[PIECE], crs=4490))
    sheet = openpyxl.load_workbook(out)["申请范围坐标"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    # shapely's box runs (84.01, 44.0) → (84.01, 44.01) → (84.0, 44.01) → (84.0, 44.0):
    # J1 is its first vertex, and the sheet keeps that order (no re-orientation)
    assert [r[2] for r in rows] == ["J1", "J2", "J3", "J4"]
    assert [(r[7], r[8]) for r in rows] == [
        ("84°00′36.000″", "44°00′00.000″"), ("84°00′36.000″", "44°00′36.000″"),
        ("84°00′00.000″", "44°00′36.000″"), ("84°00′00.000″", "44°00′00.000″"),
    ]
    # CGCS2000 3-degree zone 28 with prefix is EPSG:4516 (pyproj, not the code under test)
    to_gk = pyproj.Transformer.from_crs(4490, 4516, always_xy=True)
    for row, (lon, lat) in zip(rows, [(84.01, 44.0), (84.01, 44.01), (84.0, 44.01), (84.0, 44.0)],
                               strict=True):
        east, north = to_gk.transform(lon, lat)
        assert (row[3], row[4]) == (round(north, 2), round(east, 2))
    cells = sheet[2]
    assert cells[3].number_format == cells[4].number_format == "0.00"
    assert isinstance(cells[3].value, float)  # a number, not text


def test_findings_areas_are_numbers_shown_to_4_decimals(tmp_path: Path) -> None:
    xlsx, csv = tmp_path / "f.xlsx", tmp_path / "f.csv"
    write_findings(_frame(), xlsx)
    write_findings(_frame(), csv)
    sheet = openpyxl.load_workbook(xlsx)["检查结果"]
    column = [c.value for c in sheet[1]].index(FINDING_HEADERS["area_km2"])
    cell = sheet.cell(row=2, column=column + 1)
    expected = float(ellipsoidal_area_km2(gpd.GeoSeries([PIECE], crs=4490)).iloc[0])
    assert cell.value == pytest.approx(expected, rel=1e-12)  # stored unrounded
    assert cell.number_format == "0.0000"
    back = pd.read_csv(csv, encoding="utf-8-sig", dtype=str)
    assert back[FINDING_HEADERS["area_km2"]].iloc[0] == f"{expected:.4f}"


#: A 报盘 coordinate TXT with its own point numbers: plot 1 numbered 1–4, plot 2 going
#: on with 5–8 (as bureau files often do), each ring closed by repeating its first point.
NUMBERED_TXT = (
    "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n"
    "带号=28\n精度=0.01\n[地块坐标]\n"
    "5,672.2140,1,一号地块,面,,,,@\n"
    "1,1,4823514.59,28444242.11\n2,1,4826181.09,28444264.24\n"
    "3,1,4826202.48,28441743.76\n4,1,4823535.98,28441720.63\n1,1,4823514.59,28444242.11\n"
    "5,400.0000,2,二号地块,面,,,,@\n"
    "5,1,4823500.00,28447000.00\n6,1,4825500.00,28447000.00\n"
    "7,1,4825500.00,28449000.00\n8,1,4823500.00,28449000.00\n5,1,4823500.00,28447000.00\n"
)


def test_coordinate_sheet_keeps_the_files_own_point_numbers(tmp_path: Path) -> None:
    """Issue 13: 点号 as the coordinate file numbered them (not J1…), X/Y as typed."""
    from mineplan.io.coordinates import format_boundary_txt
    from mineplan.io.readers import read_geometry_file

    source = tmp_path / "申请范围.txt"
    source.write_bytes(NUMBERED_TXT.encode("gbk"))
    proposal = read_geometry_file(source, expect="polygon").frame
    out = tmp_path / "f.xlsx"
    write_findings(_frame(), out, proposal=proposal)
    rows = [[c.value for c in row]
            for row in openpyxl.load_workbook(out)["申请范围坐标"].iter_rows(min_row=2)]
    assert [(r[0], r[2]) for r in rows] == [(1, "1"), (1, "2"), (1, "3"), (1, "4"),
                                             (2, "5"), (2, "6"), (2, "7"), (2, "8")]
    assert (rows[1][3], rows[1][4]) == (4826181.09, 28444264.24)  # point 2 as typed
    assert (rows[6][3], rows[6][4]) == (4825500.00, 28449000.00)  # point 7 as typed
    # one plot taken out of the file (a batch report's plot 2) keeps its own numbers
    assert list(proposal_coordinates(proposal.iloc[[1]])["点号"]) == ["5", "6", "7", "8"]
    # the TXT writer numbers them the same way (the one corner table, io.corners)
    txt = format_boundary_txt(proposal, zone=28, encoding="gbk").decode("gbk")
    assert "\n7,1,4825500.00,28449000.00" in txt.replace("\r\n", "\n")


def test_coordinate_sheet_numbers_j1_where_the_input_had_no_numbers(tmp_path: Path) -> None:
    """A GIS polygon (or a file without point numbers) is numbered J1… per ring."""
    proposal = gpd.GeoDataFrame(geometry=[PIECE], crs=4490)
    proposal.attrs["point_names"] = [[["1", "2", "3"]]]  # stale: the ring has 4 corners
    assert list(proposal_coordinates(proposal)["点号"]) == ["J1", "J2", "J3", "J4"]
    assert list(proposal_coordinates(proposal.reset_index(drop=True).set_axis([7]))["点号"]) \
        == ["J1", "J2", "J3", "J4"]  # a row the names do not belong to
