"""One catalogue policy for all five plans (docs/catalogue.md, "What becomes what").

Each test reads the plan's own text (the ``seeds`` fixture) for its expected
values; the catalogue and rule tables are what is tested.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from mineplan.catalog import plan_index, read_rule_table
from mineplan.settings import geodata_dir
from tests import seedcheck
from tests.seedcheck import plan_tables, plan_zones, seed_lines

PLANS = plan_index()

# A 专栏 heading with its title on the same line: "专栏 6 2020年乌苏市矿山…", "专栏3\t截至…".
_HEADING = re.compile(r"^\s*#*\s*专栏\s*(\d+)\s+(\S.*)$")
# Titles of the 现状 tables of existing rights and mines (by right or by mineral).
_EXISTING = re.compile(r"(已设|现有|现状|截至).*(探矿权|采矿权)|(探矿权|采矿权).*现状|矿山开发利用")
# Titles of project / works tables: their rows are projects, not zones (治理 projects aside).
_PROJECTS = re.compile(r"项目|工程")
NAMED = "矿种取自名称"
MULTI = "矿种栏不填"
# Layer words whose count is a count of catalogue zones (claims, not caps).
_ZONE_WORDS = re.compile(r"勘查规划区块|开采规划区块|集中开采区|重点勘查区|重点开采区|国家规划矿区"
                         r"|能源资源基地|采坑")


def _caps(slug: str) -> pd.DataFrame:
    return read_rule_table(geodata_dir() / "rules" / slug / "caps.csv",
                           required=("item", "value", "unit", "text", "source_line"))


def _headings(lines: list[str]) -> list[tuple[int, str, str]]:
    """(line, 专栏N, title) of every heading printing its title on its own line."""
    found = []
    for number, line in enumerate(lines, start=1):
        match = _HEADING.match(line)
        if match:
            found.append((number, f"专栏{match.group(1)}", seedcheck.squash(match.group(2))))
    return found


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.mark.parametrize("slug", PLANS)
def test_every_existing_rights_table_is_catalogued(seeds: Path, slug: str) -> None:
    """现状 tables of existing rights or mines become YSTK/YSCK rows in every plan."""
    tables = plan_tables(slug)
    existing = [(n, t, title) for n, t, title in _headings(seed_lines(seeds, slug))
                if _EXISTING.search(title)]
    assert existing, f"{slug}: no 现状 table of rights or mines found in the text"
    for line, table, title in existing:
        listed = tables[(tables["table"] == table) & (tables["start_line"] <= line)
                        & (tables["end_line"] >= line)]
        assert not listed.empty, f"{slug} {table} (line {line}, {title}) is not catalogued"
        assert set(listed["layer"]) <= {"YSTK", "YSCK"}, f"{slug} {table}: {set(listed['layer'])}"


@pytest.mark.parametrize("slug", PLANS)
def test_no_zone_comes_from_a_project_table(seeds: Path, slug: str) -> None:
    """Project and works 专栏 (survey projects, mine construction) hold no zones;
    restoration projects (矿山地质环境治理) are HJZL zones."""
    lines = seed_lines(seeds, slug)
    heads = _headings(lines)
    spans = [(line, nxt[0] - 1 if nxt else len(lines), table, title)
             for (line, table, title), nxt in zip(heads, [*heads[1:], None], strict=True)]
    zones = plan_zones(slug)
    wrong = [
        f"{z.zone_id} (line {z.source_line}, {table} {title})"
        for z in zones.itertuples()
        for start, end, table, title in spans
        if start <= z.source_line <= end
        and _PROJECTS.search(title) and not _EXISTING.search(title) and z.layer != "HJZL"
    ]
    assert not wrong, "zones taken from project tables: " + "; ".join(wrong)


def test_wusu_existing_mines_are_the_rows_of_zhuanlan6(seeds: Path) -> None:
    lines = seed_lines(seeds, "wusu")
    # 专栏6 (l.244) prints one cell per line: mineral, count, area, status.
    printed: list[tuple[str, str, str, str, int]] = []
    i = 253
    while i <= 306:
        if lines[i - 1].startswith("\t") and lines[i - 1].strip():
            mineral, count, area, status = (lines[j - 1].strip() for j in range(i, i + 4))
            printed.append((mineral, count, area, status, i))
            i += 4
        else:
            i += 1
    rows = plan_zones("wusu")
    rows = rows[rows["table"] == "专栏6"]
    assert list(rows["layer"].unique()) == ["YSCK"]
    assert [(r.mineral, r.block_count, r.area_text, r.source_line) for r in rows.itertuples()] == [
        (m, int(c), a, line) for m, c, a, _, line in printed
    ]
    # 正文 l.243: 非油气有效采矿权21个 … 登记矿区面积共26.6082平方千米.
    stated = re.search(r"有效采矿权(\d+)个.*?面积共([\d.]+)平方千米", lines[242])
    assert stated is not None
    assert rows["block_count"].sum() == int(stated.group(1))
    assert round(rows["area_km2"].sum(), 4) == _number(stated.group(2))
    # A status printed once for several rows is not copied into `stage`.
    blank = [r for m, c, a, s, r in printed if not s]
    assert (rows.loc[rows["source_line"].isin(blank), "stage"] == "").all()


def test_tacheng_existing_mines_add_up_to_the_printed_total(seeds: Path) -> None:
    lines = seed_lines(seeds, "tacheng")
    total = lines[198].split("\t")  # l.199: 1 总计 256 11 22 155 68 …
    assert seedcheck.squash(total[1]) == "总计"
    rows = plan_zones("tacheng")
    rows = rows[rows["table"] == "专栏6"]
    assert "总计" not in set(rows["mineral"])  # the total row is a claim, not a zone
    assert rows["block_count"].sum() == int(total[2])
    extras = [json.loads(e) for e in rows["extra"]]
    for k, scale in enumerate(("大型", "中型", "小型", "小矿"), start=3):
        assert sum(int(e[f"矿山数（个）/{scale}"]) for e in extras) == int(total[k]), scale
    assert list(rows["seq"]) == [str(n) for n in range(2, 32)]


def test_a_numbered_total_row_is_not_counted_as_a_row(seeds: Path) -> None:
    lines = seed_lines(seeds, "tacheng")
    numbered = sum(1 for line in lines[195:236] if re.match(r"\d+\t", line))
    assert seedcheck.printed_row_count(lines, 196, 236) == numbered - 1


def test_tacheng_names_three_new_coal_capacities(seeds: Path) -> None:
    lines = seed_lines(seeds, "tacheng")
    # l.488: 新增和什托洛盖矿区博尔托洛盖矿井120万吨/年，塔城白杨河矿区骆驼包北矿井120万吨/年;
    # l.490: 新增准南煤田资源整合项目 240 万吨/年.
    named = [(m.group(1), _number(m.group(2)), line)
             for line in (488, 490)
             for m in re.finditer(r"([^，。；]*?(?:矿井|项目))\s*(\d+)\s*万吨/年", lines[line - 1])]
    assert len(named) == 3, named
    caps = _caps("tacheng")
    for place, value, line in named:
        hit = caps[caps["item"].str.contains(place[-8:], regex=False)]
        assert len(hit) == 1, place
        row = hit.iloc[0]
        assert float(row["value"]) == value
        assert (row["unit"], int(row["source_line"])) == ("万吨/年", line)


@pytest.mark.parametrize("slug", PLANS)
def test_caps_hold_no_count_of_catalogue_zones(slug: str) -> None:
    """How many zones the plan sets up is a claim (claims/<slug>.claims.csv), not a cap."""
    caps = _caps(slug)
    counts = caps[caps["unit"].isin(["个", "处"]) & caps["item"].str.contains(_ZONE_WORDS)]
    assert counts.empty, list(counts["rule_id"])


@pytest.mark.parametrize("slug", PLANS)
def test_a_mineral_is_taken_from_the_name_only_when_it_names_one(seeds: Path, slug: str) -> None:
    lines = seed_lines(seeds, slug)
    zones, tables = plan_zones(slug), plan_tables(slug)
    for z in zones.itertuples():
        if NAMED in z.quality:
            assert z.mineral and not re.search(r"[、，等]", z.mineral), z.zone_id
            assert seedcheck.squash(z.mineral) in seedcheck.squash(z.name_text), z.zone_id
        if MULTI in z.quality:
            assert z.mineral == "", z.zone_id
        if not z.mineral or not z.name_text or NAMED in z.quality:
            continue
        printed = seedcheck.printed_row(lines, z.source_line, seedcheck.table_span(z, tables))
        mineral = seedcheck.squash(z.mineral)
        if printed.by_cells:
            assert mineral in printed.cells or NAMED in z.quality, z.zone_id
        else:  # a prose or heading-style row: the mineral must be printed beside the name
            beside = printed.text.replace(seedcheck.squash(z.name_text), "")
            assert mineral in beside, f"{z.zone_id}: {z.mineral} only in the name, no {NAMED}"


@pytest.mark.parametrize("slug", PLANS)
def test_a_constructed_name_opens_with_the_area_it_covers(slug: str) -> None:
    """Aggregate rows are named alike in every plan: region or county first."""
    zones = plan_zones(slug)
    built = zones[zones["name_text"] == ""]
    wrong = [
        f"{z.zone_id} {z.name}" for z in built.itertuples()
        if not any(z.name.startswith(p) for p in (z.region, *str(z.county).split("、")) if p)
    ]
    assert not wrong, wrong
