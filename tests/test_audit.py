"""The audit: claims quote the plans, and every kind of contradiction is found."""

from __future__ import annotations

import argparse
import csv
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mineplan.catalog import CATALOG_COLUMNS, plan_index, read_catalog
from mineplan.checks.audit import (
    CLAIM_COLUMNS,
    CLAIMS_FOLDER,
    ISSUE_COLUMNS,
    KIND_ORDER,
    audit_plans,
    read_claims,
    read_plan_claims,
    stated_number_list,
    stated_numbers,
)
from mineplan.cli.audit import (
    HEADERS,
    AuditOutputError,
    add_audit_command,
    select_plan,
    write_issues,
)
from mineplan.errors import CatalogError
from mineplan.layers import read_layer_specs
from mineplan.settings import geodata_dir
from tests import seedcheck

PLANS = plan_index()
PLANS_DIR = geodata_dir() / "plans"
CLAIMS_DIR = PLANS_DIR / CLAIMS_FOLDER


# --------------------------------------------------------------------------- helpers


def _claim_quote_problems(claims: pd.DataFrame, lines: Sequence[str]) -> list[str]:
    """Claims whose printed value or sentence is not near their source_line."""
    problems = []
    for c in claims.itertuples(index=False):
        if not 1 <= c.source_line <= len(lines):
            problems.append(f"{c.claim_id}: source_line {c.source_line} outside the text")
            continue
        near = seedcheck.window(lines, c.source_line)
        for field in ("value_text", "text"):
            value = seedcheck.squash(getattr(c, field))
            if not value or value not in near:
                problems.append(f"{c.claim_id}: {field} {getattr(c, field)!r} not printed "
                                f"within {seedcheck.WINDOW} lines of {c.source_line}")
        if seedcheck.squash(c.value_text) not in seedcheck.squash(c.text):
            problems.append(f"{c.claim_id}: value_text {c.value_text!r} is not in text")
    return problems


def _zones(*rows: dict[str, object]) -> pd.DataFrame:
    """A catalogue frame from a few hand-written rows (other fields empty)."""
    defaults: dict[str, object] = {c: "" for c in CATALOG_COLUMNS}
    defaults.update(block_count=1, area_km2=float("nan"), source_line=1, extra="{}")
    records = []
    for i, row in enumerate(rows, start=1):
        rec = {**defaults, **row}
        rec.setdefault("zone_id", f"x-{rec['layer']}-{i:03d}")
        if not rec["zone_id"]:
            rec["zone_id"] = f"x-{rec['layer']}-{i:03d}"
        if rec["name"] and not rec["name_text"]:
            rec["name_text"] = rec["name"]
        records.append(rec)
    frame = pd.DataFrame(records, columns=list(CATALOG_COLUMNS))
    frame["area_km2"] = frame["area_km2"].astype("float64")
    return frame


def _claims(*rows: dict[str, object]) -> pd.DataFrame:
    defaults: dict[str, object] = {c: "" for c in CLAIM_COLUMNS}
    defaults.update(table="正文", measure="blocks", source_file="x.txt", source_line=1)
    records = []
    for i, row in enumerate(rows, start=1):
        rec = {**defaults, "claim_id": f"c{i}", **row}
        rec["about_region"] = rec["about_region"] or rec["region"]
        rec["value_text"] = rec["value_text"] or f"{rec['value']:g}"
        records.append(rec)
    frame = pd.DataFrame(records, columns=list(CLAIM_COLUMNS))
    frame["value"] = frame["value"].astype("float64")
    return frame


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    names = {code: spec.name for code, spec in read_layer_specs().items()}
    return audit_plans(read_catalog(), read_claims(), layer_names=names)


def _find(issues: pd.DataFrame, *, kind: str, region: str, text: str = "") -> pd.DataFrame:
    hit = issues[(issues["kind"] == kind) & (issues["region"] == region)]
    if text:
        joined = hit["subject"] + hit["stated"] + hit["found"] + hit["message"]
        hit = hit[joined.str.contains(text, regex=False)]
    return hit


# --------------------------------------------------------------------------- claims files


@pytest.mark.parametrize("slug", PLANS)
def test_every_claim_quotes_the_plan(seeds: Path, slug: str) -> None:
    claims = read_plan_claims(CLAIMS_DIR / f"{slug}.claims.csv")
    assert not claims.empty
    lines = (seeds / PLANS[slug].seed_file).read_text(encoding="utf-8").splitlines()
    problems = _claim_quote_problems(claims, lines)
    assert not problems, "\n".join(problems)


def test_a_changed_claim_value_is_caught(seeds: Path) -> None:
    claims = read_plan_claims(CLAIMS_DIR / "wusu.claims.csv")
    lines = (seeds / PLANS["wusu"].seed_file).read_text(encoding="utf-8").splitlines()
    claims.loc[0, "value_text"] = "15"
    claims.loc[1, "source_line"] = 900
    problems = _claim_quote_problems(claims, lines)
    assert any("wusu-C001" in p for p in problems)
    assert any("wusu-C002" in p for p in problems)


@pytest.mark.parametrize("slug", PLANS)
def test_claims_name_their_plan_known_layers_and_regions(slug: str) -> None:
    claims = read_plan_claims(CLAIMS_DIR / f"{slug}.claims.csv")
    regions = {p.region for p in PLANS.values()}
    assert set(claims["region"]) == {PLANS[slug].region}
    assert set(claims["source_file"]) == {PLANS[slug].seed_file}
    assert set(claims["about_region"]) <= regions
    assert set(claims["layer"]) <= set(read_layer_specs())


def test_a_malformed_claims_file_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.claims.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(CLAIM_COLUMNS)
        w.writerow(["a", "甲县", "甲县", "TKGH", "", "acres", "1", "1", "正文", "", "t", "x", "1"])
        w.writerow(["a", "甲县", "甲县", "TKGH", "colour=red", "blocks", "x", "1", "正文", "",
                    "t", "x", "2"])
    with pytest.raises(CatalogError) as err:
        read_plan_claims(path)
    message = str(err.value)
    for expected in ("line 2: measure", "line 3: value", "line 3: where", "repeats line 2"):
        assert expected in message


# --------------------------------------------------------------------------- bundled plans


def test_issues_have_the_documented_columns_and_kinds(bundled: pd.DataFrame) -> None:
    assert tuple(bundled.columns) == ISSUE_COLUMNS
    assert set(bundled["kind"]) <= set(KIND_ORDER)
    assert set(bundled["region"]) == {p.region for p in PLANS.values()}


def test_wusu_exploration_blocks_agree_with_the_prose(bundled: pd.DataFrame) -> None:
    # line 490: 14 blocks, 157.46 km², 7 minerals; 专栏11 gives the same, so nothing to say
    claim_kinds = {"合计不符", "数量不符", "面积不符", "分项不符", "跨规划不符", "无法核对"}
    wusu = bundled[(bundled["region"] == "乌苏市") & bundled["kind"].isin(claim_kinds)]
    assert wusu.empty, wusu.to_string()


def test_wusu_coal_field_nested_not_duplicate(bundled: pd.DataFrame) -> None:
    assert _find(bundled, kind="重复图层", region="乌苏市", text="沙湾煤炭").empty
    hit = _find(bundled, kind="区块嵌套", region="乌苏市", text="沙湾煤炭")
    assert len(hit) == 1
    assert "wusu-GJKQ-001" in hit.iloc[0]["stated"] and "wusu-ZDCK-001" in hit.iloc[0]["found"]


def test_yining_restoration_area_vs_projects(bundled: pd.DataFrame) -> None:
    hit = _find(bundled, kind="面积不符", region="伊宁市", text="第91行")
    assert len(hit) == 1
    row = hit.iloc[0]
    assert "3.79" in row["stated"] and "22.15" in row["found"] and "专栏15" in row["found"]
    assert row["difference"] == pytest.approx(18.36)


def test_tacheng_total_row_and_row_breakdowns(bundled: pd.DataFrame) -> None:
    gold = _find(bundled, kind="合计不符", region="塔城地区", text="金矿")
    gold = gold[~gold["subject"].str.contains("其他")]
    assert len(gold) == 1 and "第528行" in gold.iloc[0]["stated"]
    # the 其他 cell (84) vs the rows' blocks of the minerals not listed (83)
    other = _find(bundled, kind="合计不符", region="塔城地区", text="其他 84 个")
    assert len(other) == 1 and other.iloc[0]["difference"] == -1
    assert gold.iloc[0]["difference"] == 1  # 68 in the rows, 67 in the 合计
    shale = _find(bundled, kind="合计不符", region="塔城地区", text="页岩")
    assert shale.iloc[0]["difference"] == 3  # 页岩2 + 页岩矿3 + 页岩3 = 8 vs 5
    emin = _find(bundled, kind="分项不符", region="塔城地区", text="额敏县")
    assert len(emin) == 1 and emin.iloc[0]["difference"] == -1
    prose = _find(bundled, kind="分项不符", region="塔城地区", text="第538行")
    assert len(prose) == 1 and prose.iloc[0]["difference"] == 3  # parts 52, total 49


def test_tacheng_per_county_counts_agree_with_wusu(bundled: pd.DataFrame) -> None:
    assert bundled[bundled["kind"] == "跨规划不符"].empty
    # a rounding of the summed 公顷 (775.592 → 775.59) is not a disagreement
    assert _find(bundled, kind="面积不符", region="塔城地区").empty


def test_tekes_restoration_target_vs_projects(bundled: pd.DataFrame) -> None:
    hit = _find(bundled, kind="面积不符", region="特克斯县", text="9.40")
    assert len(hit) == 1 and hit.iloc[0]["difference"] == pytest.approx(0.546)
    pair = _find(bundled, kind="重复图层", region="特克斯县")
    assert {"tekes-ZDTK-001", "tekes-ZDCK-001"} <= set(
        " ".join(pair["stated"] + pair["found"]).replace("，", " ").split()
    )
    assert len(_find(bundled, kind="栏目错位", region="特克斯县", text="面积栏内容为地名")) == 1


def test_xinyuan_counts_areas_and_spelling(bundled: pd.DataFrame) -> None:
    copper = _find(bundled, kind="数量不符", region="新源县", text="铜矿")
    assert len(copper) == 1 and copper.iloc[0]["difference"] == -2
    area = _find(bundled, kind="面积不符", region="新源县", text="8.95")
    assert area.iloc[0]["difference"] == pytest.approx(0.01)
    spelling = _find(bundled, kind="名称不一", region="新源县", text="卡特阿巴苏")
    assert (spelling["stated"].str.contains("xinyuan-ZDTK-001")).any()


def test_missing_areas_listed_once_per_plan_and_layer(bundled: pd.DataFrame) -> None:
    missing = bundled[bundled["kind"] == "面积缺失"]
    assert not missing.duplicated(["region", "layer"]).any()
    tekes_ck = _find(bundled, kind="面积缺失", region="特克斯县", text="tekes-CKGH-003")
    assert len(tekes_ck) == 1 and "3/3" in tekes_ck.iloc[0]["subject"]


def test_a_made_up_claim_that_disagrees_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "plans"
    shutil.copytree(PLANS_DIR, root)
    with (root / CLAIMS_FOLDER / "wusu.claims.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(
            ["wusu-C999", "乌苏市", "乌苏市", "TKGH", "", "blocks", "15", "15", "正文", "专栏11",
             "勘查规划区块15个", "000_6ded699e53ae5046.txt", "490"]
        )
    issues = audit_plans(read_catalog(root=root), read_claims(root=root))
    hit = _find(issues, kind="数量不符", region="乌苏市")
    assert len(hit) == 1
    row = hit.iloc[0]
    assert "乌苏市 正文 第490行" in row["stated"]
    assert "专栏11" in row["found"] and "第502–542行" in row["found"]
    assert row["difference"] == -1


# --------------------------------------------------------------------------- hand-built


def test_prefecture_count_vs_county_rows() -> None:
    zones = _zones(
        {"region": "甲县", "layer": "TKGH", "table": "专栏5", "name": "a", "block_count": 3},
        {"region": "甲县", "layer": "TKGH", "table": "专栏5", "name": "b", "block_count": 4,
         "source_line": 9},
        {"region": "乙地区", "layer": "TKGH", "table": "专栏7", "name": "甲县区块"},
    )
    claims = _claims(
        {"region": "乙地区", "about_region": "甲县", "layer": "TKGH", "value": 8.0,
         "table": "专栏7", "text": "甲县 8", "source_line": 40},
        {"region": "乙地区", "about_region": "甲县", "layer": "CKGH", "value": 0.0,
         "table": "专栏8", "text": "甲县 0"},
        {"region": "乙地区", "about_region": "丙县", "layer": "TKGH", "value": 5.0},
    )
    issues = audit_plans(zones, claims)
    cross = issues[issues["kind"] == "跨规划不符"]
    assert len(cross) == 1  # 0 CKGH agrees; 丙县 has no plan to compare with
    row = cross.iloc[0]
    assert row["region"] == "乙地区" and row["difference"] == -1
    assert "乙地区 专栏7 第40行" in row["stated"] and "甲县 专栏5 2行之和" in row["found"]


def test_an_area_total_over_rows_without_area_cannot_be_checked() -> None:
    zones = _zones(
        {"region": "甲县", "layer": "JZKQ", "name": "a", "area_km2": 1.0, "area_text": "1"},
        {"region": "甲县", "layer": "JZKQ", "name": "b", "zone_id": "x-JZKQ-009"},
    )
    claims = _claims({"region": "甲县", "layer": "JZKQ", "measure": "area_km2", "value": 2.0})
    issues = audit_plans(zones, claims)
    unchecked = issues[issues["kind"] == "无法核对"]
    assert len(unchecked) == 1 and "x-JZKQ-009" in unchecked.iloc[0]["found"]
    missing = issues[issues["kind"] == "面积缺失"]
    assert len(missing) == 1 and missing.iloc[0]["found"].endswith("x-JZKQ-009")


def test_area_tolerance_is_half_the_last_printed_digit() -> None:
    zones = _zones({"region": "甲县", "layer": "HJZL", "name": "a", "area_km2": 7.75592})
    ok = _claims({"region": "甲县", "layer": "HJZL", "measure": "area_km2", "value": 7.7559,
                  "value_text": "775.59"})
    off = _claims({"region": "甲县", "layer": "HJZL", "measure": "area_km2", "value": 7.755,
                   "value_text": "775.5"})
    assert audit_plans(zones, ok).query("kind == '面积不符'").empty
    assert len(audit_plans(zones, off).query("kind == '面积不符'")) == 1


def test_mineral_counts_from_cells_and_breakdowns() -> None:
    zones = _zones(
        {"region": "乙地区", "layer": "TKGH", "name": "r1", "mineral": "金矿 2 个，铁矿 1 个",
         "block_count": 4},
        {"region": "乙地区", "layer": "TKGH", "name": "r2", "mineral": "页岩矿 3 个",
         "block_count": 3},
    )
    claims = _claims(
        {"region": "乙地区", "layer": "TKGH", "value": 7.0, "source_line": 5},
        {"region": "乙地区", "layer": "TKGH", "where": "mineral=页岩", "value": 3.0,
         "source_line": 5},
        {"region": "乙地区", "layer": "TKGH", "where": "mineral=金矿", "value": 2.0,
         "source_line": 5},
        {"region": "乙地区", "layer": "TKGH", "where": "mineral=其他", "value": 1.0,
         "source_line": 5},
    )
    issues = audit_plans(zones, claims)
    within_row = issues[(issues["kind"] == "分项不符") & issues["subject"].str.contains("r1")]
    assert len(within_row) == 1 and within_row.iloc[0]["difference"] == -1
    stated_parts = issues[(issues["kind"] == "分项不符") & issues["found"].str.contains("同处")]
    assert len(stated_parts) == 1 and stated_parts.iloc[0]["difference"] == -1  # 6 vs 7
    assert issues[issues["kind"] == "数量不符"].empty  # 页岩矿 = 页岩; 7 blocks in all


def test_same_zone_in_two_layers() -> None:
    zones = _zones(
        {"region": "甲县", "layer": "GJKQ", "name": "甲县某某煤炭国家规划矿区"},
        {"region": "甲县", "layer": "ZDCK", "name": "某某煤炭重点开采区", "area_km2": 5.0},
        {"region": "甲县", "layer": "ZDTK", "name": "东沟", "admin_area": "东乡", "area_km2": 2.5},
        {"region": "甲县", "layer": "TKGH", "name": "西沟", "admin_area": "东乡", "area_km2": 2.5},
        {"region": "甲县", "layer": "CKGH", "name": "北沟", "admin_area": "东乡", "area_km2": 1.0},
        {"region": "甲县", "layer": "JZKQ", "name": "南沟", "admin_area": "甲县", "area_km2": 9.0},
        {"region": "甲县", "layer": "HJZL", "name": "中沟", "admin_area": "甲县", "area_km2": 9.0},
        {"region": "乙县", "layer": "ZDCK", "name": "某某煤炭重点开采区"},
    )
    issues = audit_plans(zones, _claims())
    dup = issues.query("kind == '重复图层'")
    pairs = {frozenset(layer.split("/")) for layer in dup["layer"]}
    # area+place (also a county-wide place when the areas are equal); a 重点勘查区 and a
    # 勘查规划区块 of the same area and place are nested kinds, reported as nested
    assert pairs == {frozenset({"JZKQ", "HJZL"})}
    assert dup["subject"].str.startswith("疑似").all()
    assert set(dup["region"]) == {"甲县"}  # never across plans
    # a 重点开采区 in a 国家规划矿区 of the same name core: nested, not duplicate
    nested = issues.query("kind == '区块嵌套'")
    assert set(nested["layer"]) == {"GJKQ/ZDCK", "ZDTK/TKGH"}
    assert nested["message"].str.contains("不是重复").all()


def test_existing_mines_are_not_held_to_the_new_mine_minimum(bundled: pd.DataFrame) -> None:
    below = bundled[bundled["kind"] == "规模低于下限"]
    assert not below["layer"].str.contains("YSCK|YSTK").any()
    below_min = "生产规模4低于最低开采规模6"
    zones = _zones(
        {"region": "甲县", "layer": "YSCK", "name": "a砖厂", "quality": below_min},
        {"region": "甲县", "layer": "CKGH", "name": "b区块", "quality": below_min},
    )
    below = audit_plans(zones, _claims()).query("kind == '规模低于下限'")
    assert list(below["layer"]) == ["CKGH"]


def test_name_variants_only_for_a_neighbour_swap() -> None:
    zones = _zones(
        {"region": "新源县", "layer": "ZDTK", "name": "新源卡特阿巴苏金矿重点勘查区"},
        {"region": "新源县", "layer": "ZDCK", "name": "卡特巴阿苏金矿重点开采区"},
        {"region": "新源县", "layer": "YSTK", "name": "卡特巴阿苏西铜金矿预查"},
        {"region": "新源县", "layer": "TKGH", "name": "吉郎德萨依铁矿普查"},
        {"region": "新源县", "layer": "YSCK", "name": "吉朗德萨依铁矿普查"},
    )
    variants = audit_plans(zones, _claims()).query("kind == '名称不一'")
    assert len(variants) == 1
    assert "卡特阿巴苏" in variants.iloc[0]["stated"]
    assert "卡特巴阿苏" in variants.iloc[0]["found"]


def test_quality_remarks_grouped_and_extraction_notes_dropped() -> None:
    base = {"region": "甲县", "layer": "KYJJQ"}
    zones = _zones(
        {**base, "name": "a", "quality": "面积缺失；数据行4栏，表头3栏"},
        {**base, "name": "b", "quality": "数据行4栏，表头3栏"},
        {**base, "name": "c", "quality": "名称为整理所拟；一行代表3个区块"},
    )
    issues = audit_plans(zones, _claims())
    misaligned = issues[issues["kind"] == "栏目错位"]
    assert len(misaligned) == 1
    assert "x-KYJJQ-001、x-KYJJQ-002" in misaligned.iloc[0]["found"]
    assert not issues["subject"].str.contains("整理所拟|一行代表").any()


# --------------------------------------------------------------------------- command line


def _run(argv: list[str]) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=0)
    common.add_argument("-q", "--quiet", action="count", default=0)
    common.add_argument("--debug", action="store_true")
    parser = argparse.ArgumentParser(prog="mineplan", parents=[common])
    add_audit_command(parser.add_subparsers(), common)
    args = parser.parse_args(argv)
    return int(args.run(args))


def test_cli_prints_one_plan_grouped_by_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["audit", "--plan", "xinyuan"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("新源县：")
    assert "【数量不符】" in out and "铜矿" in out and "乌苏市" not in out
    assert out.index("【数量不符】") < out.index("【面积缺失】")


def test_cli_writes_csv_with_bom_and_chinese_headers(tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    assert _run(["audit", "--plan", "塔城地区", "-q", "-o", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns) == list(HEADERS.values())
    assert set(frame["规划"]) == {"塔城地区"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.csv"]  # no temp file left


def test_cli_writes_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "audit.xlsx"
    assert _run(["audit", "-q", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    sheet = book["问题清单"]
    assert [c.value for c in sheet[1]] == list(HEADERS.values())
    assert sheet.max_row > 50 and "汇总" in book.sheetnames


def test_cli_refuses_unknown_plan_and_format(tmp_path: Path) -> None:
    with pytest.raises(AuditOutputError, match="unknown plan"):
        _run(["audit", "--plan", "nowhere"])
    with pytest.raises(AuditOutputError, match=r"\.csv or \.xlsx"):
        write_issues(pd.DataFrame(columns=list(ISSUE_COLUMNS)), tmp_path / "audit.txt")


@settings(max_examples=60, deadline=None)
@given(
    blocks=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=8),
    hectares=st.lists(st.integers(min_value=1, max_value=99999), min_size=8, max_size=8),
)
def test_a_claim_equal_to_the_rows_is_never_reported(blocks: list[int],
                                                     hectares: list[int]) -> None:
    # areas printed in 公顷 with 2 decimals, the total printed the same way
    areas = [h / 100 / 100 for h in hectares[: len(blocks)]]
    zones = _zones(*({"region": "甲县", "layer": "TKGH", "name": f"z{i}", "block_count": b,
                      "area_km2": a} for i, (b, a) in enumerate(zip(blocks, areas, strict=True))))
    total_ha = sum(hectares[: len(blocks)]) / 100
    claims = _claims(
        {"region": "甲县", "layer": "TKGH", "value": float(sum(blocks))},
        {"region": "甲县", "layer": "TKGH", "measure": "count", "value": float(len(blocks))},
        {"region": "甲县", "layer": "TKGH", "measure": "area_km2", "value": total_ha / 100,
         "value_text": f"{total_ha:.2f}"},
    )
    issues = audit_plans(zones, claims)
    assert issues.empty, issues.to_string()
    off = claims.assign(value=claims["value"] + [1.0, 1.0, 0.01])
    assert len(audit_plans(zones, off)) == 3


def test_one_plan_includes_other_plans_claims_about_it() -> None:
    issues = pd.DataFrame(
        [
            {"kind": "数量不符", "region": "甲县", "found": "甲县 专栏1", "stated": ""},
            {"kind": "跨规划不符", "region": "乙地区", "found": "甲县 专栏1 2行之和",
             "stated": "乙地区 专栏7"},
            {"kind": "数量不符", "region": "乙地区", "found": "乙地区 专栏7", "stated": ""},
        ]
    )
    assert select_plan(issues, "甲县")["region"].tolist() == ["甲县", "乙地区"]


# --------------------------------------------------------------------------- existing mines


def test_scale_breakdown_must_add_up_to_the_total() -> None:
    # 塔城地区 l.194: 241 mines, of which 大型 11, 中型 22, 小型 155, 小矿 68 (= 256)
    issues = audit_plans(_zones({"region": "甲县", "layer": "TKGH", "name": "a"}), _claims(
        {"region": "甲县", "layer": "YSCK", "measure": "blocks", "value": 241.0},
        {"region": "甲县", "layer": "YSCK", "measure": "blocks", "value": 11.0,
         "where": "scale=大型"},
        {"region": "甲县", "layer": "YSCK", "measure": "blocks", "value": 245.0,
         "where": "scale=小型"},
    ))
    hit = issues[issues["kind"] == "分项不符"]
    assert len(hit) == 1 and hit.iloc[0]["difference"] == 15.0
    assert "大型11" in hit.iloc[0]["found"] and "第1行" in hit.iloc[0]["stated"]


def test_a_share_is_checked_at_its_printed_precision() -> None:
    base = {"region": "甲县", "layer": "YSCK", "measure": "blocks"}
    parts = (
        {**base, "value": 21.0},
        {**base, "value": 1.0, "where": "scale=大型"},
        {**base, "value": 4.0, "where": "scale=中型"},
        {**base, "value": 16.0, "where": "scale=小型"},
    )
    zones = _zones({"region": "甲县", "layer": "TKGH", "name": "a"})
    share = {"region": "甲县", "layer": "YSCK", "measure": "share_pct", "where": "scale=大中型"}
    agrees = audit_plans(zones, _claims(*parts, {**share, "value": 23.81}))
    assert agrees[agrees["kind"] == "分项不符"].empty  # 5/21 = 23.81%
    differs = audit_plans(zones, _claims(*parts, {**share, "value": 27.0}))
    hit = differs[differs["kind"] == "分项不符"]
    assert len(hit) == 1 and "24%" in hit.iloc[0]["found"]


def test_a_number_stated_twice_with_two_values_is_reported() -> None:
    share = {"region": "甲县", "layer": "YSCK", "measure": "share_pct", "where": "scale=大中型"}
    issues = audit_plans(_zones({"region": "甲县", "layer": "TKGH", "name": "a"}), _claims(
        {**share, "value": 27.0, "source_line": 77},
        {**share, "value": 42.0, "source_line": 103},
    ))
    hit = issues[issues["kind"] == "数量不符"]
    assert len(hit) == 1
    assert "第77行" in hit.iloc[0]["stated"] and "第103行" in hit.iloc[0]["found"]


def test_extra_column_claims_are_summed_over_the_rows() -> None:
    zones = _zones(
        {"region": "甲县", "layer": "YSCK", "name": "a", "extra": '{"矿山规模/中型": "2"}'},
        {"region": "甲县", "layer": "YSCK", "name": "b", "extra": '{"矿山规模/中型": "3"}'},
    )
    claim = {"region": "甲县", "layer": "YSCK", "measure": "blocks",
             "where": "extra=矿山规模/中型"}
    assert audit_plans(zones, _claims({**claim, "value": 5.0})).query(
        "kind == '数量不符'").empty
    hit = audit_plans(zones, _claims({**claim, "value": 4.0})).query("kind == '数量不符'")
    assert len(hit) == 1 and hit.iloc[0]["difference"] == 1.0


def test_existing_mine_contradictions_in_the_plans(bundled: pd.DataFrame) -> None:
    # 伊宁市 l.77 says 中型 4 and 小型 11; its 专栏3 rows add up to 5 and 10
    assert len(_find(bundled, kind="数量不符", region="伊宁市", text="矿山规模/中型")) == 1
    assert len(_find(bundled, kind="数量不符", region="伊宁市", text="矿山规模/小型")) == 1
    # 伊宁市 l.77 大中型 27% vs l.103 42%
    hit = _find(bundled, kind="数量不符", region="伊宁市", text="占比")
    assert len(hit) == 1 and "第77行" in hit.iloc[0]["stated"] and "第103行" in hit.iloc[0]["found"]
    # 塔城地区 l.194: 241 mines, parts 256
    hit = _find(bundled, kind="分项不符", region="塔城地区", text="241")
    assert len(hit) == 1 and hit.iloc[0]["difference"] == 15.0


def test_stated_numbers_per_plan() -> None:
    table = stated_numbers(read_catalog(), read_claims())
    assert list(table.columns) == ["stated", "compared", "inconsistent"]
    claims = read_claims()
    assert table["stated"].sum() == len(claims)
    assert (table["compared"] <= table["stated"]).all()
    assert (table["inconsistent"] <= table["compared"]).all()
    assert table.loc["伊宁市", "inconsistent"] >= 5


def test_an_other_cell_is_the_total_minus_the_listed_minerals() -> None:
    zones = _zones(
        {"region": "甲县", "layer": "TKGH", "name": "a", "table": "专栏1",
         "mineral": "金矿 3 个，铜矿 2 个，钨矿 1 个", "block_count": 6},
        {"region": "甲县", "layer": "TKGH", "name": "b", "table": "专栏1", "mineral": "铁矿 2 个",
         "block_count": 2},
    )
    said = {"region": "甲县", "layer": "TKGH", "measure": "blocks", "table": "专栏1",
            "source_line": 9}
    claims = (
        {**said, "value": 8.0},
        {**said, "value": 3.0, "where": "mineral=金矿"},
        {**said, "value": 2.0, "where": "mineral=铜矿"},
    )
    agrees = audit_plans(zones, _claims(*claims, {**said, "value": 3.0, "where": "mineral=其他"}))
    assert agrees[agrees["subject"].str.contains("其他")].empty  # 8 − 3 − 2 = 钨 1 + 铁 2
    differs = audit_plans(zones, _claims(*claims, {**said, "value": 4.0, "where": "mineral=其他"}))
    hit = differs[differs["subject"].str.contains("其他") & (differs["kind"] == "合计不符")]
    assert len(hit) == 1 and hit.iloc[0]["difference"] == -1.0
    assert "所列金矿、铜矿以外矿种之和" in hit.iloc[0]["found"]


def test_cli_says_how_many_stated_numbers_it_compared(capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import re

    from mineplan.settings import geodata_dir

    claims = geodata_dir() / "plans" / "claims" / "xinyuan.claims.csv"
    with claims.open(encoding="utf-8") as handle:
        stated = sum(1 for row in csv.DictReader(handle) if row["region"] == "新源县")
    assert _run(["audit", "--plan", "xinyuan"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.strip().startswith("新源县：所称"))
    said, compared, inconsistent = (int(n) for n in re.findall(r"\d+", line))
    assert said == stated and 0 < compared <= stated and inconsistent <= compared


def test_the_workbook_lists_every_stated_number_with_its_result(tmp_path: Path) -> None:
    """Sheet 所称数字: one row per claim of the plan, quoting it, with its result."""
    claims = geodata_dir() / "plans" / "claims" / "wusu.claims.csv"
    with claims.open(encoding="utf-8") as handle:
        stated = [row for row in csv.DictReader(handle) if row["region"] == "乌苏市"]
    out = tmp_path / "audit.xlsx"
    assert _run(["audit", "--plan", "wusu", "-q", "-o", str(out)]) == 0
    sheet = pd.read_excel(out, sheet_name="所称数字", dtype=str).fillna("")
    assert list(sheet["编号"]) == [row["claim_id"] for row in stated]
    for row, (_, listed) in zip(stated, sheet.iterrows(), strict=True):
        assert f"第{row['source_line']}行" in listed["出处（原文）"]
        assert row["text"] in listed["出处（原文）"]
    assert set(sheet["核对结果"]) <= {"一致", "不一致", "未对照"}
    # 乌苏市 l.202 states 283.61 km² of exploration rights; the plan lists none.
    left = sheet[sheet["核对结果"] == "未对照"]
    assert list(left["所称数值"]) == ["283.61"]


def test_numbers_found_inconsistent_are_those_in_findings() -> None:
    """Every 不一致 in the list is quoted (plan, table, line) by a numeric finding."""
    catalog, claims = read_catalog(), read_claims()
    listed = stated_number_list(catalog, claims)
    issues = audit_plans(catalog, claims)
    numeric = issues[issues["kind"].isin(
        ["合计不符", "数量不符", "面积不符", "分项不符", "跨规划不符"])]
    quoted = " ".join(numeric["stated"]) + " " + " ".join(numeric["found"])
    differs = listed[listed["result"] == "不一致"]
    assert not differs.empty
    for row in differs.itertuples():
        where = re.match(r"^(\S+ \S+ 第\d+行)", row.source)  # 塔城地区 专栏18 第549行
        assert where is not None and where.group(1) in quoted, row.source


def test_a_key_mining_area_inside_a_key_exploration_area_is_nested_only_when_smaller() -> None:
    # 新源县 专栏13/14: 卡特阿巴苏金矿重点勘查区 181.82 km² and 卡特巴阿苏金矿重点开采区 19.41 km²
    nested = _zones(
        {"region": "甲县", "layer": "ZDTK", "name": "甲县东沟金矿重点勘查区", "area_km2": 181.82},
        {"region": "甲县", "layer": "ZDCK", "name": "东沟金矿重点开采区", "area_km2": 19.41},
    )
    issues = audit_plans(nested, _claims())
    assert list(issues.query("kind == '区块嵌套'")["layer"]) == ["ZDTK/ZDCK"]
    assert issues.query("kind == '重复图层'").empty
    # the "inner" kind larger than the "outer" one cannot sit inside it
    larger = _zones(
        {"region": "甲县", "layer": "ZDTK", "name": "甲县东沟金矿重点勘查区", "area_km2": 19.41},
        {"region": "甲县", "layer": "ZDCK", "name": "东沟金矿重点开采区", "area_km2": 181.82},
    )
    issues = audit_plans(larger, _claims())
    assert issues.query("kind == '区块嵌套'").empty
    assert list(issues.query("kind == '重复图层'")["layer"]) == ["ZDTK/ZDCK"]
