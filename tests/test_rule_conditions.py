"""Rule rows keep the conditions the plans put on them (issue 12 §1).

Every test reads the plan's own sentence from the seed text (the ``seeds`` fixture)
at the row's ``source_line``; nothing here copies the expected wording.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from mineplan.catalog import read_rule_table
from mineplan.checks import check_proposal
from mineplan.rules import OPTIONAL_COLUMNS, POLICY_COLUMNS, load_rules
from mineplan.settings import geodata_dir

CRS = "EPSG:4490"
PLANS = ("wusu", "yining", "tacheng", "tekes", "xinyuan")
SEED_PREFIX = {"wusu": "000", "yining": "001", "tacheng": "002", "tekes": "003",
               "xinyuan": "004"}

COUNTY = (83.5, 43.5, 85.5, 45.0)
FARMLAND = (84.3, 44.0, 84.4, 44.1)
ON_FARMLAND = box(84.32, 44.02, 84.34, 44.04)
OFF_FARMLAND = box(84.52, 44.32, 84.55, 44.35)

_WS = re.compile(r"\s+")
# Clauses of a policy sentence: after the heading's colon, split at list separators.
_CLAUSE = re.compile(r"[、，,；;。]|以及|及")
_TAIL = re.compile(r"(等矿产资源|等矿产|等)$")
# Words around a mineral that say what is done, not which deposits: not conditions.
_NOT_CONDITIONS = re.compile(
    r"\*|严格控制|保护性开采|逐步禁止|等特定保护性开采矿产|开采|的总体要求")


def _squash(text: object) -> str:
    return _WS.sub("", str(text or ""))


def _seed_line(seeds: Path, slug: str, line: int) -> str:
    path = next(seeds.glob(f"{SEED_PREFIX[slug]}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()[line - 1]


def _policy(slug: str) -> pd.DataFrame:
    path = geodata_dir() / "rules" / slug / "mineral_policy.csv"
    return read_rule_table(path, required=(*POLICY_COLUMNS,
                                           *OPTIONAL_COLUMNS["mineral_policy.csv"]))


def _clause(sentence: str, mineral: str) -> str | None:
    """The clause of the plan's sentence that names ``mineral`` (no 等矿产 tail)."""
    body = _squash(sentence)
    body = body.split("：", 1)[1] if "：" in body else body
    for part in _CLAUSE.split(body):
        part = _TAIL.sub("", part)
        if mineral in part:
            return part
    return None


# --------------------------------------------------------------------------- the tables


@pytest.mark.parametrize("slug", PLANS)
def test_every_restricting_row_keeps_the_qualifier_of_its_sentence(
        seeds: Path, slug: str) -> None:
    """A 禁止/限制 row whose clause says more than the mineral keeps the rest as condition."""
    dropped = []
    for row in _policy(slug).to_dict("records"):
        if row["category"] not in ("禁止", "限制") or row["mineral"].endswith("的矿产"):
            continue  # a class of minerals by a market test (供过于求…的矿产): not checked
        sentence = _seed_line(seeds, slug, int(row["source_line"]))
        clause = _clause(sentence, _squash(row["mineral"]))
        if clause is None:
            continue
        rest = _NOT_CONDITIONS.sub("", clause.replace(_squash(row["mineral"]), "", 1))
        rest = rest.removesuffix("矿")
        condition = _squash(row["condition"])
        if rest and not condition:
            dropped.append(f"{slug} l.{row['source_line']} {row['mineral']}: 「{clause}」")
        if condition:
            assert condition in _squash(sentence), (slug, row)
    assert not dropped, "\n".join(dropped)


@pytest.mark.parametrize("slug", PLANS)
def test_condition_fields_are_defined(slug: str) -> None:
    fields = load_rules().rule("mineral_policy")["fields"]
    used = {f for f in _policy(slug)["condition_field"] if f}
    assert used <= set(fields), used - set(fields)


# --------------------------------------------------------------------------- the check


def _store(with_farmland: bool = True) -> dict[str, gpd.GeoDataFrame]:
    store = {
        "XZQ": gpd.GeoDataFrame(
            {"name": ["乌苏市", "塔城地区"], "level": ["county", "prefecture"],
             "parent": ["塔城地区", "新疆维吾尔自治区"], "source": ["test", "test"]},
            geometry=[box(*COUNTY), box(82, 43, 87, 47)], crs=CRS),
    }
    if with_farmland:
        store["YJJBNT"] = gpd.GeoDataFrame(
            {"name": ["永久基本农田"], "region": ["乌苏市"], "data_status": ["导入"],
             "geometry_status": ["导入"]}, geometry=[box(*FARMLAND)], crs=CRS)
    return store


def _policy_rows(geom: object, *, mineral: str, region: str = "乌苏市", right: str = "采矿权",
                 project: str = "新建", farmland: bool = True) -> pd.DataFrame:
    found = check_proposal(
        gpd.GeoDataFrame({"name": ["测试"]}, geometry=[geom], crs=CRS),
        right_type=right, mineral=mineral, region=region, store_frames=_store(farmland),
        project=project, scale=500, scale_unit="万吨/年")
    return found[found["check"] == "mineral_policy"]


def _row(slug: str, line: int, mineral: str) -> dict[str, str]:
    table = _policy(slug)
    hit = table[(table["source_line"] == str(line)) & (table["mineral"] == mineral)]
    assert len(hit) == 1, hit
    return hit.iloc[0].to_dict()


@pytest.mark.parametrize("right", ["探矿权", "采矿权"])
def test_wusu_coal_is_conditional_citing_l435_with_its_condition(seeds: Path, right: str) -> None:
    sentence = _seed_line(seeds, "wusu", 435)
    clause = _clause(sentence, "煤炭")
    assert clause is not None and clause.startswith("砷")
    rows = _policy_rows(OFF_FARMLAND, mineral="煤", right=right)
    l435 = rows[rows["source"].str.contains("第435行")]
    assert len(l435) == 1
    row = l435.iloc[0]
    assert row["verdict_key"] == "conditional"
    assert clause in _squash(row["message"])
    assert "fail" not in set(rows["verdict_key"])
    # the same plan makes 煤 a 重点 mineral (l.431 勘查, l.432 开采): said, not hidden
    assert ("第431行" if right == "探矿权" else "第432行") in row["message"]


@pytest.mark.parametrize(("slug", "region", "line", "mineral"), [
    ("wusu", "乌苏市", 435, "砖瓦用粘土"),
    ("wusu", "乌苏市", 437, "砖瓦用粘土"),
    ("xinyuan", "新源县", 321, "砖瓦用粘土"),
    ("tacheng", "塔城地区", 465, "砖瓦用粘土"),
])
def test_arable_land_clay_fails_on_farmland_only(seeds: Path, slug: str, region: str,
                                                 line: int, mineral: str) -> None:
    row = _row(slug, line, mineral)
    assert row["condition_field"] == "farmland"
    assert _squash(row["condition"] + mineral) in _squash(_seed_line(seeds, slug, line))
    cited = f"第{line}行"
    on = _policy_rows(ON_FARMLAND, mineral="砖瓦用粘土", region=region)
    on = on[on["source"].str.contains(cited) & on["source"].str.contains(slug)]
    assert set(on["verdict_key"]) == {"fail"}
    off = _policy_rows(OFF_FARMLAND, mineral="砖瓦用粘土", region=region)
    off = off[off["source"].str.contains(cited) & off["source"].str.contains(slug)]
    assert set(off["verdict_key"]) == {"conditional"}
    assert all("可耕地" in m for m in off["message"])
    unknown = _policy_rows(ON_FARMLAND, mineral="砖瓦用粘土", region=region, farmland=False)
    unknown = unknown[unknown["source"].str.contains(cited) & unknown["source"].str.contains(slug)]
    assert set(unknown["verdict_key"]) == {"conditional"}
    assert all("YJJBNT" in m for m in unknown["message"])


@pytest.mark.parametrize(("slug", "region", "line"), [
    ("yining", "伊宁市", 219), ("yining", "伊宁市", 311)])
def test_yining_arable_land_clay_is_restricted_not_plain(seeds: Path, slug: str, region: str,
                                                         line: int) -> None:
    row = _row(slug, line, "砖瓦用粘土")
    assert row["category"] == "限制" and row["condition_field"] == "farmland"
    assert _squash(row["condition"]) in _squash(_seed_line(seeds, slug, line))
    rows = _policy_rows(OFF_FARMLAND, mineral="砖瓦用粘土", region=region)
    assert set(rows["verdict_key"]) == {"conditional"}


@pytest.mark.parametrize(("slug", "region", "line"), [
    ("yining", "伊宁市", 220), ("tacheng", "塔城地区", 465)])
def test_high_ash_or_sulphur_coal_is_conditional(seeds: Path, slug: str, region: str,
                                                 line: int) -> None:
    row = _row(slug, line, "煤")
    clause = _clause(_seed_line(seeds, slug, line), "的煤")
    assert clause is not None and clause.startswith("灰分")
    assert _squash(row["condition"]) == clause
    rows = _policy_rows(OFF_FARMLAND, mineral="原煤", region=region, right="探矿权")
    cited = rows[rows["source"].str.contains(f"第{line}行")]
    assert set(cited["verdict_key"]) == {"conditional"}
    assert "fail" not in set(rows["verdict_key"])
    assert clause in _squash(cited.iloc[0]["message"])


def test_yining_river_bed_sand_matches_sand(seeds: Path) -> None:
    row = _row("yining", 254, "采砂")
    assert _squash(row["condition"]) in _squash(_seed_line(seeds, "yining", 254))
    rows = _policy_rows(OFF_FARMLAND, mineral="建筑用砂", region="伊宁市")
    cited = rows[rows["source"].str.contains("第254行")]
    assert set(cited["verdict_key"]) == {"conditional"}
    assert "现代河床" in cited.iloc[0]["message"]


@pytest.mark.parametrize("mineral", ["建筑用砂", "砖瓦用粘土"])
def test_tacheng_new_capacity_binds_new_mines_not_renewals(seeds: Path, mineral: str) -> None:
    row = _row("tacheng", 415, mineral)
    assert _squash(row["condition"]) in _squash(_seed_line(seeds, "tacheng", 415))
    new = _policy_rows(OFF_FARMLAND, mineral=mineral, project="新建")
    new = new[new["source"].str.contains("第415行")]
    assert set(new["verdict_key"]) == {"conditional"}
    renewal = _policy_rows(OFF_FARMLAND, mineral=mineral, project="延续")
    renewal = renewal[renewal["source"].str.contains("第415行")]
    assert set(renewal["verdict_key"]) == {"pass"}


def test_unknown_project_is_refused() -> None:
    from mineplan.rules import CheckInputError
    with pytest.raises(CheckInputError, match="project"):
        _policy_rows(OFF_FARMLAND, mineral="金", project="扩界")


# --------------------------------------------------------------------------- minimum scale


def _min_scale_rows(geom: object, *, mineral: str, scale: float, region: str = "乌苏市",
                    project: str = "新建") -> pd.DataFrame:
    found = check_proposal(
        gpd.GeoDataFrame({"name": ["测试"]}, geometry=[geom], crs=CRS),
        right_type="采矿权", mineral=mineral, region=region, store_frames=_store(),
        project=project, scale=scale, scale_unit="万吨/年")
    return found[found["check"] == "min_scale"]


@pytest.mark.parametrize(("rule_ids", "line"), [
    (("wusu-MS-001", "wusu-MS-007"), 690), (("wusu-MS-002", "wusu-MS-008"), 699)])
def test_wusu_min_scale_keeps_both_mining_methods(seeds: Path, rule_ids: tuple[str, str],
                                                  line: int) -> None:
    rows = [r for r in load_rules("乌苏市").min_scale if r["rule_id"] in rule_ids]
    assert [r["condition"] for r in rows] == ["地下开采", "露天开采"]
    assert {r["source_line"] for r in rows} == {str(line)}
    # the table prints one cell per line: the row is the next ten lines
    sentence = "".join(_squash(_seed_line(seeds, "wusu", n)) for n in range(line, line + 10))
    # the 大型 cell prints 地下/露天 as "a/b"; the minimum of each method is its
    # smallest printed size class (a "-" class does not exist)
    large = re.search(r"(\d+)/(\d+)", sentence)
    assert large is not None
    assert "（地下/露天开采）" in sentence
    assert float(rows[0]["min_value"]) <= float(large.group(1))
    assert float(rows[1]["min_value"]) <= float(large.group(2))


def test_wusu_coal_between_the_two_minimums_names_the_method() -> None:
    row = _min_scale_rows(OFF_FARMLAND, mineral="煤", scale=200).iloc[0]
    assert row["verdict_key"] == "conditional"
    assert "露天开采" in row["message"] and "地下开采" in row["message"]


def test_min_scale_binds_new_mines_not_renewals(seeds: Path) -> None:
    # 特克斯县 l.308: 新建矿山企业开采规模不低于本规划确定的矿山开采最低规模
    assert "新建矿山企业开采规模不低于" in _squash(_seed_line(seeds, "tekes", 308))
    new = _min_scale_rows(OFF_FARMLAND, mineral="煤", scale=50)
    assert set(new["verdict_key"]) == {"fail"}
    renewal = _min_scale_rows(OFF_FARMLAND, mineral="煤", scale=50, project="延续")
    assert set(renewal["verdict_key"]) == {"pass"}
    assert "新建" in renewal.iloc[0]["message"]


def test_yining_extension_uses_the_extension_row(seeds: Path) -> None:
    # 伊宁市 专栏12 prints a 新建 row (l.334) and an 改扩建 row (l.335) for 煤
    assert "改扩建" in _seed_line(seeds, "yining", 335)
    new = _min_scale_rows(OFF_FARMLAND, mineral="煤", scale=50, region="伊宁市")
    assert set(new["verdict_key"]) == {"fail"}
    extension = _min_scale_rows(OFF_FARMLAND, mineral="煤", scale=50, region="伊宁市",
                                project="改扩建")
    assert set(extension["verdict_key"]) == {"conditional"}  # 30 地下 ≤ 50 < 100 露天


# --------------------------------------------------------------------------- red-line exceptions


REDLINE = (84.0, 44.0, 84.1, 44.1)


@pytest.mark.parametrize(("project", "verdict"), [("新建", "fail"), ("延续", "conditional")])
def test_existing_right_exceptions_do_not_cover_new_rights(project: str, verdict: str) -> None:
    """已依法设立的矿泉水、地热采矿权…可继续开采: an exception for existing rights only."""
    rule = load_rules().rule("ecological_redline")
    water = next(e for e in rule["exceptions"] if e["group"] == "geothermal_water")
    assert "已依法设立" in water["message"] and water["projects"] == ["延续"]
    store = _store()
    store["STHX"] = gpd.GeoDataFrame(
        {"name": ["生态保护红线"], "region": ["乌苏市"], "data_status": ["导入"],
         "geometry_status": ["导入"]}, geometry=[box(*REDLINE)], crs=CRS)
    found = check_proposal(
        gpd.GeoDataFrame({"name": ["测试"]}, geometry=[box(84.02, 44.02, 84.04, 44.04)], crs=CRS),
        right_type="采矿权", mineral="矿泉水", region="乌苏市", store_frames=store,
        project=project)
    row = found[found["check"] == "ecological_redline"].iloc[0]
    assert row["verdict_key"] == verdict
    if verdict == "fail":
        assert "延续" in row["message"]
