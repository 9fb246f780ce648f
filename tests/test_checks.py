"""Pre-grant check and plan audit on hand-built geometry where the answer is known.

All geometry is lon/lat boxes in EPSG:4490 near 84°E 44°N (乌苏市). A box's
ellipsoidal area depends only on its latitude band and longitude width, so a
proposal split by a meridian into equal widths is exactly half inside.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from mineplan.catalog import read_catalog
from mineplan.checks import (
    OPTIONAL_CHECKS,
    PROPOSAL_CHECKS,
    check_plan,
    check_proposal,
    read_store_frames,
)
from mineplan.checks.findings import FINDING_COLUMNS
from mineplan.cli.check import add_check_commands
from mineplan.errors import CRSError, MineplanError
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.importing.control import control_layer_frame
from mineplan.layers import read_layer_specs
from mineplan.rules import CheckInputError, CheckRules, load_rules
from mineplan.store import list_layers, read_styles_table, replace_layer, write_store

CRS = "EPSG:4490"

# where things are (lon0, lat0, lon1, lat1)
COUNTY = (83.5, 43.5, 85.5, 45.0)
REDLINE = (84.0, 44.0, 84.1, 44.1)
FARMLAND = (84.3, 44.0, 84.4, 44.1)
URBAN = (84.6, 44.0, 84.7, 44.1)
TK_BLOCK = (84.0, 44.3, 84.2, 44.5)
CK_BLOCK = (84.5, 44.3, 84.7, 44.5)
JZKQ = (84.9, 44.3, 85.1, 44.5)
YSTK = (84.0, 44.7, 84.1, 44.8)
YSCK = (84.3, 44.7, 84.4, 44.8)
RESERVE = (85.0, 44.0, 85.1, 44.1)  # 自然保护区 (ZRBHQ), or any other control layer


def _control(bounds: tuple[float, ...], name: str, status: str = "导入") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [name], "region": ["乌苏市"], "data_status": [status],
         "geometry_status": ["导入"]},
        geometry=[box(*bounds)], crs=CRS)


def _zones(layer: str, rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    records = []
    for i, row in enumerate(rows, start=1):
        rec = {"zone_id": f"wusu-{layer}-{i:03d}", "name": f"{layer}区块{i}", "region": "乌苏市",
               "mineral": "", "county": "乌苏市", "area_km2": math.nan,
               "geometry_status": "导入", "source_file": "000_test.txt", "source_line": 10 + i,
               "source_table": "专栏1"}
        rec.update(row)
        records.append(rec)
    return gpd.GeoDataFrame(records, geometry="geometry", crs=CRS)


def _store(**changes: gpd.GeoDataFrame | None) -> dict[str, gpd.GeoDataFrame]:
    store = {
        "XZQ": gpd.GeoDataFrame(
            {"name": ["乌苏市", "塔城地区"], "level": ["county", "prefecture"],
             "parent": ["塔城地区", "新疆维吾尔自治区"], "source": ["test", "test"]},
            geometry=[box(*COUNTY), box(82, 43, 87, 47)], crs=CRS),
        "STHX": _control(REDLINE, "生态保护红线"),
        "YJJBNT": _control(FARMLAND, "永久基本农田"),
        "CZKFBJ": _control(URBAN, "城镇开发边界"),
        "TKGH": _zones("TKGH", [{"mineral": "金矿", "geometry": box(*TK_BLOCK)}]),
        "CKGH": _zones("CKGH", [{"mineral": "铁矿", "geometry": box(*CK_BLOCK)}]),
        "JZKQ": _zones("JZKQ", [{"mineral": "砂石粘土", "geometry": box(*JZKQ)}]),
        "YSTK": _zones("YSTK", [{"mineral": "铜矿", "geometry": box(*YSTK)}]),
        "YSCK": _zones("YSCK", [{"mineral": "石灰岩", "geometry": box(*YSCK)}]),
    }
    for key, value in changes.items():
        if value is None:
            store.pop(key)
        else:
            store[key] = value
    return store


def _proposal(geom: shapely.Geometry, **cols: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["测试区块"], **{k: [v] for k, v in cols.items()}},
                            geometry=[geom], crs=CRS)


def _check(geom: shapely.Geometry, *, store: dict[str, gpd.GeoDataFrame] | None = None,
           right: str = "探矿权", mineral: str = "石灰岩", region: str = "乌苏市",
           scale: float | None = None, scale_unit: str | None = None,
           rules: CheckRules | None = None) -> gpd.GeoDataFrame:
    return check_proposal(_proposal(geom), right_type=right, mineral=mineral,
                          store_frames=_store() if store is None else store, region=region,
                          scale=scale, scale_unit=scale_unit, rules=rules)


def _one(findings: gpd.GeoDataFrame, check: str) -> pd.Series:
    rows = findings[findings["check"] == check]
    assert len(rows) == 1, rows[["check", "verdict_key", "message"]]
    return rows.iloc[0]


def _half_in(bounds: tuple[float, ...]) -> Polygon:
    """A box whose western half lies in ``bounds`` (split on bounds' eastern meridian)."""
    x1 = bounds[2]
    return box(x1 - 0.02, bounds[1] + 0.02, x1 + 0.02, bounds[1] + 0.04)


# --------------------------------------------------------------------------- proposal


def test_findings_have_every_column_and_every_check() -> None:
    f = _check(box(84.02, 44.32, 84.05, 44.35), mineral="金")
    assert list(f.columns) == list(FINDING_COLUMNS)
    assert list(dict.fromkeys(f["check"])) == [c for c in PROPOSAL_CHECKS
                                               if c not in OPTIONAL_CHECKS]
    assert set(f["verdict"]) <= {"通过", "有条件", "不通过"}
    assert f.crs.to_epsg() == 4490
    assert all(f["source"].str.len() > 0)


def test_inside_matching_block_passes_every_rule() -> None:
    f = _check(box(84.02, 44.32, 84.05, 44.35), mineral="岩金")
    assert set(f["verdict_key"]) == {"pass"}, f[["check", "message"]]
    block = _one(f, "planning_block")
    assert block["value"] == pytest.approx(100.0)
    assert "wusu-TKGH-001" in block["message"]


def test_region_outside_fails_with_outside_share() -> None:
    # half east of the county's eastern edge (85.5E)
    f = _check(box(85.48, 44.0, 85.52, 44.02))
    row = _one(f, "region")
    assert row["verdict_key"] == "fail"
    assert row["value"] == pytest.approx(50.0, abs=1e-6)
    assert row["geometry"] is not None


def test_redline_half_inside_reports_fifty_percent_and_fails_for_ordinary_mineral() -> None:
    f = _check(_half_in(REDLINE), mineral="石灰岩")
    row = _one(f, "ecological_redline")
    assert row["verdict_key"] == "fail"
    assert "50.0%" in row["measured"]
    proposal_km2 = float(ellipsoidal_area_km2(gpd.GeoSeries([_half_in(REDLINE)], crs=CRS)).iloc[0])
    assert row["value"] == pytest.approx(proposal_km2 / 2, rel=1e-9)
    assert row["area_km2"] == pytest.approx(proposal_km2 / 2, rel=1e-4)
    assert "142号" in row["source"]


def test_proposal_touching_a_red_line_edge_does_not_overlap() -> None:
    row = _one(_check(box(84.1, 44.02, 84.12, 44.04)), "ecological_redline")
    assert row["verdict_key"] == "pass" and row["value"] == 0


# 矿泉水/地热 in the red line: conditional only for an existing right (延续), see
# tests/test_rule_conditions.py::test_existing_right_exceptions_do_not_cover_new_rights
@pytest.mark.parametrize(("mineral", "right"), [("铜", "探矿权"), ("铜矿", "采矿权"),
                                                 ("锂", "探矿权")])
def test_redline_exception_minerals_are_conditional(mineral: str, right: str) -> None:
    row = _one(_check(_half_in(REDLINE), mineral=mineral, right=right), "ecological_redline")
    assert row["verdict_key"] == "conditional"
    assert row["verdict"] == "有条件"


def test_farmland_fails_for_sand_and_is_conditional_for_geothermal() -> None:
    assert _one(_check(_half_in(FARMLAND), mineral="建筑用砂", right="采矿权"),
                "farmland")["verdict_key"] == "fail"
    assert _one(_check(_half_in(FARMLAND), mineral="地热", right="采矿权"),
                "farmland")["verdict_key"] == "conditional"
    assert _one(_check(box(84.02, 44.32, 84.05, 44.35)), "farmland")["verdict_key"] == "pass"


def test_urban_inside_fails() -> None:
    row = _one(_check(_half_in(URBAN)), "urban")
    assert row["verdict_key"] == "fail"
    assert row["value"] > 0


def test_urban_buffer_is_configurable() -> None:
    near = box(84.706, 44.05, 84.72, 44.06)  # ~480 m east of the boundary at 44°N
    rules = load_rules("乌苏市")
    assert _one(_check(near, rules=rules), "urban")["verdict_key"] == "pass"
    rules.config["rules"]["urban"]["buffer_m"] = 1000
    row = _one(_check(near, rules=rules), "urban")
    assert row["verdict_key"] == "conditional"
    assert 400 < row["value"] < 560
    assert row["unit"] == "m"


def test_planning_block_partial_cover_is_conditional_with_share() -> None:
    geom = box(84.18, 44.32, 84.22, 44.34)  # half east of the TKGH block
    row = _one(_check(geom, mineral="金"), "planning_block")
    assert row["verdict_key"] == "conditional"
    assert row["value"] == pytest.approx(50.0, abs=1e-6)


def test_planning_block_wrong_mineral_and_wrong_kind_fail() -> None:
    inside_tk = box(84.02, 44.32, 84.05, 44.35)
    mismatch = _one(_check(inside_tk, mineral="铜"), "planning_block")
    assert mismatch["verdict_key"] == "fail" and "金矿" in mismatch["message"]
    # a mining right in an exploration block: no block of the matching kind
    assert _one(_check(inside_tk, mineral="金", right="采矿权"),
                "planning_block")["verdict_key"] == "fail"
    inside_ck = box(84.52, 44.32, 84.55, 44.35)
    assert _one(_check(inside_ck, mineral="铁", right="采矿权", scale=100,
                       scale_unit="万吨/年"), "planning_block")["verdict_key"] == "pass"


def test_sand_outside_concentrated_area_fails_inside_passes() -> None:
    outside = _one(_check(box(84.52, 44.32, 84.55, 44.35), mineral="砂石料", right="采矿权"),
                   "sand")
    assert outside["verdict_key"] == "fail"
    inside = _check(box(84.92, 44.32, 84.95, 44.35), mineral="建筑用砂", right="采矿权")
    assert _one(inside, "sand")["verdict_key"] == "pass"
    # a 砂石粘土 集中开采区 is a block of the matching kind for 建筑用砂
    assert _one(inside, "planning_block")["verdict_key"] == "pass"
    assert "不适用" in _one(_check(box(84.02, 44.32, 84.05, 44.35), mineral="金"),
                           "sand")["message"]


def test_overlap_with_existing_right_fails_with_piece() -> None:
    f = _check(_half_in(YSTK), mineral="铜")
    row = _one(f, "existing_rights")
    assert row["verdict_key"] == "fail"
    assert "wusu-YSTK-001" in row["message"]
    whole = float(ellipsoidal_area_km2(gpd.GeoSeries([_half_in(YSTK)], crs=CRS)).iloc[0])
    assert row["area_km2"] == pytest.approx(whole / 2, rel=1e-4)
    assert "000_test.txt 第11行" in row["source"]


MINE = box(84.52, 44.32, 84.55, 44.35)


@pytest.mark.parametrize(("scale", "verdict"), [(2, "fail"), (5, "conditional"), (10, "pass")])
def test_min_scale_gold_wusu_and_tacheng(scale: float, verdict: str) -> None:
    # 乌苏市 专栏14: 金（岩金）地下 3; 塔城地区 专栏21: 地下 3, 露天 9 (矿石万吨/年)
    row = _one(_check(MINE, mineral="岩金", right="采矿权", scale=scale, scale_unit="万吨/年"),
               "min_scale")
    assert row["verdict_key"] == verdict
    assert "wusu-MS-002" in row["source"] and "tacheng-MS-014" in row["source"]


def test_min_scale_falls_back_to_prefecture_when_county_has_none() -> None:
    row = _one(_check(MINE, mineral="铁", right="采矿权", scale=5, scale_unit="矿石万吨/年"),
               "min_scale")
    assert row["verdict_key"] == "fail"
    assert "tacheng-MS-003" in row["source"] and "wusu-MS" not in row["source"]
    assert "塔城地区" in row["message"]
    assert _one(_check(MINE, mineral="铁", right="采矿权", scale=40, scale_unit="万吨/年"),
                "min_scale")["verdict_key"] == "pass"


def test_min_scale_other_cases() -> None:
    sand = _one(_check(MINE, mineral="建筑用砂", right="采矿权", scale=7,
                       scale_unit="万立方米/年"), "min_scale")
    assert sand["verdict_key"] == "pass"
    wrong_unit = _one(_check(MINE, mineral="建筑用砂", right="采矿权", scale=7,
                             scale_unit="万吨/年"), "min_scale")
    assert wrong_unit["verdict_key"] == "conditional"
    assert _one(_check(MINE, mineral="金", right="采矿权"), "min_scale")["verdict_key"] \
        == "conditional"  # no scale given
    assert "不适用" in _one(_check(MINE, mineral="金"), "min_scale")["message"]
    with pytest.raises(CheckInputError, match="unit"):
        _check(MINE, mineral="金", right="采矿权", scale=5, scale_unit="桶/天")


def test_min_scale_yili_prefecture_plan_is_said_to_be_missing() -> None:
    store = _store()
    store["XZQ"] = store["XZQ"].assign(name=["新源县", "伊犁哈萨克自治州"],
                                       parent=["伊犁哈萨克自治州", "新疆维吾尔自治区"])
    for code in ("TKGH", "CKGH", "JZKQ", "YSTK", "YSCK"):
        store[code] = store[code].assign(region="新源县", county="新源县")
    row = _one(_check(MINE, store=store, region="新源县", mineral="铁", right="采矿权",
                      scale=5, scale_unit="万吨/年"), "min_scale")
    assert row["verdict_key"] == "fail"  # 新源县 专栏18 铁 地下 10
    assert "伊犁哈萨克自治州" in row["message"] and "未收录" in row["message"]


def test_mineral_policy_forbidden_fails_restricted_conditional() -> None:
    banned = _check(MINE, mineral="砂金", right="采矿权")
    rows = banned[banned["check"] == "mineral_policy"]
    assert "fail" in set(rows["verdict_key"])
    assert any("第435行" in m or "第437行" in m for m in rows["message"])
    clay = _check(MINE, mineral="砖瓦用粘土", right="采矿权")
    rows = clay[clay["check"] == "mineral_policy"]
    assert set(rows["verdict_key"]) == {"conditional"}  # 限制; 可耕地… only qualified
    asbestos = _one(_check(MINE, mineral="石棉"), "mineral_policy")  # 塔城地区 限制勘查
    assert asbestos["verdict_key"] == "conditional"
    assert "mineral_policy.csv" in asbestos["source"]
    assert _one(_check(MINE, mineral="金"), "mineral_policy")["verdict_key"] == "pass"


def test_geometry_invalid_and_too_many_vertices_fail() -> None:
    bowtie = Polygon([(84.52, 44.32), (84.55, 44.35), (84.55, 44.32), (84.52, 44.35)])
    row = _one(_check(bowtie), "geometry")
    assert row["verdict_key"] == "fail" and "无效" in row["message"]
    circle = shapely.Point(84.535, 44.335).buffer(0.01, quad_segs=300)  # 1200 vertices
    row = _one(_check(circle), "geometry")
    assert row["verdict_key"] == "fail" and "1200" in row["message"]
    row = _one(_check(MINE), "geometry")
    assert row["verdict_key"] == "pass" and "拐点 4 个" in row["measured"]


def test_geometry_stated_area_compared_with_ellipsoidal() -> None:
    prop = _proposal(MINE, stated_area=1.0, stated_area_unit="")  # 1 公顷: far off
    f = check_proposal(prop, right_type="探矿权", mineral="金", store_frames=_store(),
                       region="乌苏市")
    row = _one(f, "geometry")
    assert row["verdict_key"] == "conditional" and "申报面积" in row["message"]


# A 1000 m square on the central meridian of GK zone 27 (81°E, EPSG:4515) at 43.9°N:
# 1 km² on the plane, and its TD/T 1055 area differs by ~1e-8 (scale factor 1 on the
# meridian), so 1.0000 km² at the official 4 decimals = 100 公顷 = 1,000,000 m².
_GK_SQUARE = box(27_500_000, 4_860_000, 27_501_000, 4_861_000)


def _gis_proposal(tmp_path: Path, kind: str, column: str, value: float) -> Path:
    frame = gpd.GeoDataFrame({"名称": ["甲"], column: [value]}, geometry=[_GK_SQUARE],
                             crs="EPSG:4515")
    if kind == "csv":  # a vertex table: 点号,X,Y with the area on each row
        path = tmp_path / "p.csv"
        rows = [f"点号,X,Y,{column}"] + [f"{n},{y:.2f},{x:.2f},{value}" for n, (x, y)
                                          in enumerate(list(_GK_SQUARE.exterior.coords)[:-1], 1)]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        return path
    path = tmp_path / f"p.{kind}"
    frame.to_file(path, engine="pyogrio", **({"encoding": "UTF-8"} if kind == "shp" else {}))
    return path


_STATED_AREA_CASES = [
    ("MJ", 100.0, "pass", "（字段“MJ”未注明单位，按公顷）"),            # 100 公顷 = 1 km²
    ("mj", 1.0, "conditional", "（字段“mj”未注明单位，按公顷）"),         # 1 公顷 ≠ 1 km²
    ("面积（平方米）", 1_000_000.0, "pass", "（字段“面积（平方米）”，平方米）"),
    ("MJ(公顷)", 99.99, "conditional", "（字段“MJ(公顷)”，公顷）"),       # 100 m² short
]


@pytest.mark.parametrize(("kind", "column", "value", "verdict", "said"), [
    (kind, *case) for kind in ("geojson", "shp", "csv") for case in _STATED_AREA_CASES
    # a DBF field name holds 10 bytes: no Shapefile can carry 面积（平方米）
    if not (kind == "shp" and len(case[0].encode()) > 10)
])
def test_check_proposal_compares_a_gis_files_stated_area(
    tmp_path: Path, kind: str, column: str, value: float, verdict: str, said: str
) -> None:
    from mineplan.cli.check import read_proposal_file

    assert ellipsoidal_area_km2(gpd.GeoSeries([_GK_SQUARE], crs="EPSG:4515")).iloc[0] \
        == pytest.approx(1.0, abs=1e-6)
    proposal = read_proposal_file(_gis_proposal(tmp_path, kind, column, value))
    f = check_proposal(proposal, right_type="探矿权", mineral="金", store_frames=_store(),
                       region="乌苏市")
    row = _one(f, "geometry")
    assert row["verdict_key"] == verdict, row["message"]
    stated_km2 = value * {"MJ": 0.01, "mj": 0.01, "面积（平方米）": 1e-6, "MJ(公顷)": 0.01}[column]
    assert f"申报面积 {stated_km2:.4f} km²{said}" in row["message"]
    if verdict == "pass":
        assert "在 4 位小数精度下一致" in row["message"]
    else:
        diff_m2 = (stated_km2 - 1.0) * 1e6
        assert f"不符（差 {diff_m2:+.0f} m²）" in row["message"]


def test_a_bare_area_field_is_not_taken_as_a_stated_area(tmp_path: Path) -> None:
    from mineplan.cli.check import read_proposal_file

    # GIS software writes AREA (plane m²) itself; only MJ/面积 or a named unit is stated
    path = _gis_proposal(tmp_path, "geojson", "AREA", 1_000_000.0)
    f = check_proposal(read_proposal_file(path), right_type="探矿权", mineral="金",
                       store_frames=_store(), region="乌苏市")
    row = _one(f, "geometry")
    assert row["verdict_key"] == "pass" and "申报面积" not in row["message"]
    path = _gis_proposal(tmp_path, "geojson", "area_m2", 1_000_000.0)
    row = _one(check_proposal(read_proposal_file(path), right_type="探矿权", mineral="金",
                              store_frames=_store(), region="乌苏市"), "geometry")
    assert "申报面积 1.0000 km²（字段“area_m2”，m2）" in row["message"]


def test_demo_and_schematic_data_are_flagged() -> None:
    store = _store(STHX=_control(REDLINE, "红线", status="演示"))
    store["TKGH"] = store["TKGH"].assign(geometry_status="示意")
    f = _check(box(84.02, 44.32, 84.05, 44.35), store=store, mineral="金")
    assert "演示" in _one(f, "ecological_redline")["data_note"]
    assert "示意" in _one(f, "planning_block")["data_note"]
    assert _one(f, "farmland")["data_note"] == ""


def test_region_is_detected_from_geometry() -> None:
    f = check_proposal(_proposal(MINE), right_type="探矿权", mineral="金",
                       store_frames=_store())
    assert "乌苏市" in _one(f, "region")["message"]


def test_bad_input_raises_mineplan_errors() -> None:
    with pytest.raises(CheckInputError):
        _check(MINE, right="开采权")
    with pytest.raises(CRSError):
        check_proposal(gpd.GeoDataFrame(geometry=[MINE]), right_type="探矿权", mineral="金",
                       store_frames=_store(), region="乌苏市")
    with pytest.raises(CheckInputError, match="unknown plan region"):
        _check(MINE, region="火星县", store=_store(XZQ=None))


def test_missing_layer_is_conditional_not_an_error() -> None:
    row = _one(_check(MINE, store=_store(YJJBNT=None)), "farmland")
    assert row["verdict_key"] == "conditional" and "YJJBNT" in row["message"]


# --------------------------------------------------------------------------- other control layers

SPECS = read_layer_specs()


def _km2(geom: shapely.Geometry) -> float:
    return float(ellipsoidal_area_km2(gpd.GeoSeries([geom], crs=CRS)).iloc[0])


def _reserve_store(tmp_path: Path, base: dict[str, gpd.GeoDataFrame] | None = None) -> Path:
    """A GeoPackage of the hand-built layers (no ZRBHQ), then ZRBHQ added as a user would."""
    path = tmp_path / "store.gpkg"
    write_store(path, base or _store(), specs=SPECS, qml={})
    assert "ZRBHQ" not in list_layers(path)
    delivered = gpd.GeoDataFrame({"名称": ["某自然保护区"]}, geometry=[box(*RESERVE)], crs=CRS)
    frame = control_layer_frame(delivered, spec=SPECS["ZRBHQ"], source="保护区.shp",
                                source_date="2025-06-30", name_field="名称")
    replace_layer(path, "ZRBHQ", frame, spec=SPECS["ZRBHQ"], create=True, qml="<qgis/>")
    return path


def test_added_nature_reserve_is_checked_with_its_own_rule(tmp_path: Path) -> None:
    path = _reserve_store(tmp_path)
    styles = read_styles_table(path)
    assert list(styles["f_table_name"]) == ["ZRBHQ"]
    frames = read_store_frames(path)
    geom = _half_in(RESERVE)
    f = _check(geom, store=frames)
    row = _one(f, "control_layer")
    assert row["rule"] == "自然保护区"
    assert row["verdict_key"] == "fail"  # [rules.control.ZRBHQ] overlap = "fail"
    assert "50.0%" in row["measured"]
    assert row["value"] == pytest.approx(_km2(geom) / 2, rel=1e-6)
    assert row["area_km2"] == pytest.approx(_km2(geom) / 2, rel=1e-4)
    assert "自然保护区" in row["message"] and "待核实" in row["message"]
    assert "[rules.control.ZRBHQ]" in row["source"]
    assert row["data_note"] == ""  # imported data, not demo
    order = list(dict.fromkeys(f["check"]))
    assert order.index("control_layer") == order.index("urban") + 1
    far = _one(_check(box(84.02, 44.32, 84.05, 44.35), store=frames), "control_layer")
    assert far["verdict_key"] == "pass" and far["value"] == 0


def test_added_control_layer_is_in_the_plan_audit(tmp_path: Path) -> None:
    base = _store()
    base["TKGH"] = _zones("TKGH", [{"mineral": "石灰岩", "geometry": _half_in(RESERVE)},
                                   {"mineral": "铜", "geometry": _half_in(RESERVE)},
                                   {"mineral": "石灰岩", "geometry": box(*TK_BLOCK)}])
    base["YSTK"] = _zones("YSTK", [{"mineral": "铜矿", "geometry": _half_in(RESERVE)}])
    frames = read_store_frames(_reserve_store(tmp_path, base))
    f = check_plan(frames, region="乌苏市", specs=SPECS)
    red = f[f["check"] == "redline_overlap"]
    zones = sum(len(frames[c]) for c in ("TKGH", "CKGH", "JZKQ", "YSTK", "YSCK"))
    assert len(red) == 4 * zones  # STHX, YJJBNT, CZKFBJ and ZRBHQ for every zone
    reserve = red[red["rule"] == "自然保护区"].set_index("subject")
    tk1 = reserve.loc["wusu-TKGH-001"]
    assert tk1["verdict_key"] == "fail" and tk1["value"] == pytest.approx(50.0, abs=1e-6)
    assert "占区块 50.0%" in tk1["measured"] and "[rules.control.ZRBHQ]" in tk1["source"]
    assert "自然保护区" in tk1["message"]
    assert reserve.loc["wusu-TKGH-002", "verdict_key"] == "fail"  # no exception configured
    assert reserve.loc["wusu-TKGH-003", "verdict_key"] == "pass"
    assert reserve.loc["wusu-YSTK-001", "verdict_key"] == "conditional"  # milder for rights


def test_control_layer_without_a_rule_section_uses_the_default() -> None:
    specs = dict(SPECS)
    specs["SLGY"] = dataclasses.replace(SPECS["ZRBHQ"], code="SLGY", name="森林公园")
    store = _store(SLGY=_control(RESERVE, "演示森林公园", status="演示"))
    geom = _half_in(RESERVE)
    f = check_proposal(_proposal(geom), right_type="探矿权", mineral="石灰岩", region="乌苏市",
                       store_frames=store, specs=specs)
    row = _one(f, "control_layer")
    assert row["rule"] == "森林公园" and row["verdict_key"] == "conditional"
    assert row["message"] == "申请范围与森林公园重叠，须征求主管部门意见（待核实）"
    assert "[rules.control_default]" in row["source"]
    assert "演示" in row["data_note"]
    assert row["value"] == pytest.approx(_km2(geom) / 2, rel=1e-6)
    audit_store = _store(SLGY=_control(RESERVE, "森林公园"))
    audit_store["TKGH"] = _zones("TKGH", [{"mineral": "石灰岩", "geometry": geom}])
    audit = check_plan(audit_store, region="乌苏市", specs=specs)
    hit = audit[(audit["rule"] == "森林公园") & (audit["subject"] == "wusu-TKGH-001")].iloc[0]
    assert hit["verdict_key"] == "conditional" and hit["value"] == pytest.approx(50, abs=1e-6)


def test_empty_or_absent_control_layers_are_not_reported() -> None:
    empty = _control(RESERVE, "x").iloc[0:0]
    for store in (_store(), _store(ZRBHQ=empty)):
        f = _check(_half_in(RESERVE), store=store)
        assert "control_layer" not in set(f["check"])
        audit = check_plan(store, region="乌苏市", specs=SPECS)
        assert "自然保护区" not in set(audit["rule"])


def test_control_layer_exceptions_and_region_overrides() -> None:
    rules = load_rules("乌苏市")
    rules.config["rules"]["control"]["ZRBHQ"]["exceptions"] = [
        {"group": "strategic", "rights": ["探矿权"], "verdict": "conditional",
         "message": "一般控制区内战略性矿产勘查（待核实）"}]
    store = _store(ZRBHQ=_control(RESERVE, "某自然保护区"))
    copper = _one(_check(_half_in(RESERVE), store=store, mineral="铜", rules=rules),
                  "control_layer")
    assert copper["verdict_key"] == "conditional" and "一般控制区" in copper["message"]
    lime = _one(_check(_half_in(RESERVE), store=store, mineral="石灰岩", rules=rules),
                "control_layer")
    assert lime["verdict_key"] == "fail"


# --------------------------------------------------------------------------- plan audit


def _audit_store() -> dict[str, gpd.GeoDataFrame]:
    store = _store()
    store["TKGH"] = _zones("TKGH", [
        {"mineral": "金矿", "geometry": box(84.0, 44.3, 84.2, 44.5), "area_km2": 10.0},
        {"mineral": "铜矿", "geometry": box(84.1, 44.3, 84.3, 44.5)},
        {"mineral": "金", "geometry": _half_in(REDLINE), "geometry_status": "示意"},
        {"mineral": "铜", "geometry": box(85.4, 44.0, 85.6, 44.1)},
    ])
    store["CKGH"] = _zones("CKGH", [
        {"mineral": "建筑用砂", "geometry": box(84.25, 44.4, 84.35, 44.45)},
        {"mineral": "砂石料", "geometry": box(84.92, 44.32, 84.95, 44.35)},
    ])
    return store


def test_audit_finds_each_conflict_by_construction() -> None:
    f = check_plan(_audit_store(), region="乌苏市", specs=read_layer_specs())

    def rows(check: str, subject: str) -> pd.DataFrame:
        return f[(f["check"] == check) & (f["subject"] == subject)]

    same = rows("same_layer_overlap", "wusu-TKGH-001 × wusu-TKGH-002").iloc[0]
    assert same["verdict_key"] == "fail"
    assert same["area_km2"] == pytest.approx(
        float(ellipsoidal_area_km2(gpd.GeoSeries([box(84.1, 44.3, 84.2, 44.5)], crs=CRS)).iloc[0]),
        rel=1e-6)
    assert rows("exploration_vs_mining_overlap",
                "wusu-TKGH-002 × wusu-CKGH-001").iloc[0]["verdict_key"] == "fail"
    red = f[(f["check"] == "redline_overlap") & (f["subject"] == "wusu-TKGH-003")
            & (f["rule"] == "生态保护红线")].iloc[0]
    assert red["value"] == pytest.approx(50.0, abs=1e-6)
    assert red["verdict_key"] == "conditional"  # 金 is strategic: exception applies
    assert "示意" in red["data_note"]
    outside = rows("inside_county", "wusu-TKGH-004").iloc[0]
    assert outside["verdict_key"] == "fail" and outside["value"] == pytest.approx(50, abs=1e-6)
    area = rows("stated_vs_geometric_area", "wusu-TKGH-001").iloc[0]
    assert area["verdict_key"] == "fail"  # stated 10 km², drawn ~350 km²
    assert rows("stated_vs_geometric_area", "wusu-TKGH-002").iloc[0]["verdict_key"] \
        == "conditional"  # no stated area
    assert rows("sand_in_concentrated_area", "wusu-CKGH-001").iloc[0]["verdict_key"] == "fail"
    assert rows("sand_in_concentrated_area", "wusu-CKGH-002").iloc[0]["verdict_key"] == "pass"
    # every zone of the plan is accounted for in the red-line audit (3 layers each)
    assert len(f[f["check"] == "redline_overlap"]) == 3 * (4 + 2 + 1 + 1 + 1)
    assert "000_test.txt" in red["source"] and "checks.toml" in red["source"]


@pytest.fixture()
def yining_store(built_store: Path) -> Path:
    return built_store  # every plan; the tests look at 伊宁市


@pytest.mark.slow
def test_audit_on_built_store_flags_schematic_and_demo(yining_store: Path) -> None:
    frames = read_store_frames(yining_store)
    f = check_plan(frames, region="yining")
    zones = len(read_catalog(slugs=["yining"]))  # every catalogue row is a zone of the store
    red = f[f["check"] == "redline_overlap"]
    assert len(red) == 3 * zones  # STHX, YJJBNT, CZKFBJ: [audit] redline_layers
    assert red["data_note"].str.contains("示意").all()
    assert red["data_note"].str.contains("演示").all()
    assert set(f["check"]) >= {"redline_overlap", "inside_county", "stated_vs_geometric_area"}


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    common = argparse.ArgumentParser(add_help=False)
    add_check_commands(parser.add_subparsers(), common)
    args = parser.parse_args(argv)
    return int(args.run(args))


@pytest.mark.slow
def test_cli_plan_and_proposal(yining_store: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.xlsx"
    status = _cli(["check", "--plan", "伊宁市", "--store", str(yining_store), "-o", str(out)])
    text = capsys.readouterr().out
    assert "生态保护红线" in text and "合计" in text
    findings = check_plan(read_store_frames(yining_store), region="伊宁市")
    assert status == (1 if (findings["verdict_key"] == "fail").any() else 0)
    assert out.is_file()
    blocks = read_store_frames(yining_store, codes=["CKGH", "JZKQ"])
    block = blocks["CKGH"][blocks["CKGH"]["region"] == "伊宁市"].iloc[[0]]
    path = tmp_path / "proposal.geojson"
    path.write_text(block[["zone_id", "geometry"]].to_json(), encoding="utf-8")
    # A block planned for another mineral: [rules.planning_block] mineral_mismatch = fail.
    around = pd.concat(blocks.values())
    around = around[around.intersects(block.geometry.iloc[0])]
    assert not around["mineral"].str.contains("金").any()
    status = _cli(["check", "--proposal", str(path), "--right", "采矿权", "--mineral", "金",
                   "--store", str(yining_store), "-o", str(tmp_path / "p.geojson")])
    text = capsys.readouterr().out
    assert "最低开采规模" in text and "出让前审查" in text
    assert status == 1  # a 不通过 finding (docs/checks.md)
    json.loads((tmp_path / "p.geojson").read_text(encoding="utf-8"))


def test_cli_bad_input_is_a_mineplan_error(tmp_path: Path) -> None:
    path = tmp_path / "p.geojson"
    path.write_text(_proposal(MINE).to_json(), encoding="utf-8")
    store = tmp_path / "none.gpkg"
    with pytest.raises(MineplanError):
        _cli(["check", "--proposal", str(path), "--right", "采矿权", "--store", str(store)])


# --------------------------------------------------------------------------- properties

_coord = st.floats(min_value=83.9, max_value=84.2, allow_nan=False)
_lat = st.floats(min_value=43.95, max_value=44.15, allow_nan=False)


@settings(max_examples=25, deadline=None)
@given(x0=_coord, y0=_lat, w=st.floats(0.001, 0.2), h=st.floats(0.001, 0.2))
def test_redline_overlap_never_exceeds_the_proposal(x0: float, y0: float, w: float,
                                                    h: float) -> None:
    geom = box(x0, y0, x0 + w, y0 + h)
    row = _one(_check(geom, mineral="铜"), "ecological_redline")
    total = float(ellipsoidal_area_km2(gpd.GeoSeries([geom], crs=CRS)).iloc[0])
    assert 0 <= row["value"] <= total * (1 + 1e-9)
    assert row["verdict_key"] in ("pass", "conditional")  # 铜 is strategic: never fail


def test_a_zone_with_missing_text_is_named_without_none_or_nan() -> None:
    """A right without a name or source line in the store (NULL text, NaN in a frame):
    the finding names what there is, never "None" or "nan"."""
    rights = _zones("YSCK", [{"mineral": "石灰岩", "geometry": box(*YSCK), "name": None,
                              "source_line": None, "source_table": None}])
    assert rights["name"].isna().all()
    f = _check(_half_in(YSCK), store=_store(YSCK=rights))
    right = _one(f, "existing_rights")
    assert "「wusu-YSCK-001」" in right["message"]
    assert "wusu-YSCK-001：000_test.txt 第行" in right["source"]
    for text in (right["message"], right["source"]):
        assert "None" not in text and "nan" not in text
