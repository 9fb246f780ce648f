"""The rule data: national defaults, per-region overrides, mineral names, units."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mineplan.errors import CatalogError
from mineplan.rules import CheckInputError, MineralNames, load_rules, normalise_unit, resolve_region
from mineplan.settings import geodata_dir


@pytest.fixture(scope="module")
def names() -> MineralNames:
    return load_rules().minerals


@pytest.mark.parametrize(
    "text", ["金", "金矿", "岩金", "金（岩金）", "金(岩金)", "金（岩金）（地下/露天开采）", "金 矿"]
)
def test_gold_spellings_are_one_mineral(names: MineralNames, text: str) -> None:
    assert names.canonical(text) == "金"


def test_placer_gold_is_not_gold(names: MineralNames) -> None:
    assert names.canonical("砂金") == "砂金"
    assert names.policy_match("砂金", "金") == "none"


@pytest.mark.parametrize(("text", "canonical"), [
    ("建筑 用砂", "建筑用砂"), ("砂石料", "建筑用砂"), ("砂石料矿", "建筑用砂"),
    ("矿泉水", "矿泉水"), ("煤炭", "煤"), ("铁矿", "铁"), ("砖瓦粘土矿", "砖瓦用粘土"),
])
def test_synonyms(names: MineralNames, text: str, canonical: str) -> None:
    assert names.canonical(text) == canonical


def test_split_mineral_cells(names: MineralNames) -> None:
    assert names.split("金矿 1 个，矿泉水 4 个，油砂 3 个") == ["金", "矿泉水", "油砂"]
    assert names.split("金、铜、重晶石") == ["金", "铜", "重晶石"]
    assert names.split("煤（地下/露天开采）") == ["煤"]


def test_umbrella_terms_cover_their_minerals(names: MineralNames) -> None:
    assert names.covers("砂石粘土", "建筑用砂")
    assert names.covers("砂石粘土", "砂石料")
    assert names.covers("建筑用砂、砖瓦用粘土", "砖瓦用粘土")
    assert names.covers("金矿 59 个，钼矿 4 个", "岩金")
    assert not names.covers("铁矿", "金")
    assert not names.covers("砂石粘土", "金")


def test_groups(names: MineralNames) -> None:
    assert names.in_group("铜矿", "strategic")
    assert names.in_group("稀土", "strategic")
    assert not names.in_group("石灰岩", "strategic")
    assert names.in_group("砂石料", "sand_gravel_clay")
    assert names.in_group("地热", "geothermal_water")
    with pytest.raises(CatalogError, match="no mineral group"):
        names.in_group("金", "precious")


def test_qualified_policy_entries(names: MineralNames) -> None:
    assert names.policy_match("可耕地砖瓦用粘土", "砖瓦用粘土") == "qualified"
    assert names.policy_match("灰分大于40%或含硫大于3%的煤", "煤") == "qualified"
    assert names.policy_match("煤炭", "煤") == "exact"


def test_units() -> None:
    config = load_rules().config
    assert normalise_unit("矿石万吨", config) == "万吨/年"
    assert normalise_unit("原煤万吨/年", config) == "万吨/年"
    assert normalise_unit("万立方米", config) == "万立方米/年"
    assert normalise_unit("吨/日（矿石处理量）", config) == "吨/日"
    assert normalise_unit("桶/天", config) is None


def test_every_plan_unit_is_known() -> None:
    rules_dir = geodata_dir() / "rules"
    config = load_rules().config
    for slug in ("wusu", "tacheng", "tekes", "xinyuan", "yining"):
        rules = load_rules(slug)
        for unit in (row["unit"] for row in rules.min_scale):
            assert normalise_unit(unit, config), (slug, unit, rules_dir)


def test_regions_resolve_by_slug_or_name() -> None:
    assert resolve_region("wusu") == ("乌苏市", "wusu", "塔城地区")
    assert resolve_region("新源县") == ("新源县", "xinyuan", "伊犁哈萨克自治州")
    assert resolve_region("塔城地区") == ("塔城地区", "tacheng", "")
    with pytest.raises(CheckInputError, match="known"):
        resolve_region("火星县")


def test_county_and_prefecture_tables_are_loaded() -> None:
    wusu = load_rules("乌苏市")
    assert wusu.prefecture_slug == "tacheng"
    assert {r["level"] for r in wusu.min_scale} == {"county", "prefecture"}
    assert wusu.prefecture_note == ""
    xinyuan = load_rules("xinyuan")
    assert xinyuan.prefecture_slug is None
    assert {r["level"] for r in xinyuan.min_scale} == {"county"}
    assert "伊犁哈萨克自治州" in xinyuan.prefecture_note and "未收录" in xinyuan.prefecture_note
    # a county without a plan of its own gets its prefecture's
    toli = load_rules("托里县", prefecture="塔城地区")
    assert toli.slug is None and {r["level"] for r in toli.min_scale} == {"prefecture"}


def test_region_override_is_merged(tmp_path: Path) -> None:
    root = tmp_path / "geodata"
    shutil.copytree(geodata_dir() / "plans", root / "plans")
    shutil.copytree(geodata_dir() / "rules", root / "rules")
    (root / "rules" / "wusu" / "checks.toml").write_text(
        "[rules.urban]\nbuffer_m = 1000\n\n[minerals.groups]\nstrategic = ['金']\n",
        encoding="utf-8")
    rules = load_rules("wusu", root=root)
    assert rules.rule("urban")["buffer_m"] == 1000
    assert rules.rule("urban")["layer"] == "CZKFBJ"  # untouched keys stay
    assert rules.minerals.in_group("金", "strategic")
    assert not rules.minerals.in_group("铜", "strategic")  # a list replaces the list
    assert [p.name for p in rules.config_files] == ["checks.toml", "checks.toml"]
    assert "wusu/checks.toml" in rules.source("urban")
    assert load_rules("xinyuan", root=root).rule("urban")["buffer_m"] == 0


def test_malformed_rule_file_is_a_catalog_error(tmp_path: Path) -> None:
    root = tmp_path / "geodata"
    shutil.copytree(geodata_dir() / "plans", root / "plans")
    (root / "rules").mkdir()
    (root / "rules" / "checks.toml").write_text("[rules\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="TOML"):
        load_rules(root=root)


def test_verify_items_are_marked_in_the_data_file() -> None:
    text = (geodata_dir() / "rules" / "checks.toml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith(("oil_gas", "geothermal_water")):
            assert "verify" in line
    # planners read the mark in Chinese (待核实) in messages and sources; comments say verify
    assert text.count("verify") + text.count("待核实") >= 8
