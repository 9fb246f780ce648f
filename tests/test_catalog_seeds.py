"""Every catalogue value is checked against the plan text it was copied from."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from mineplan.catalog import plan_index, read_rule_table
from mineplan.settings import geodata_dir
from tests import seedcheck
from tests.seedcheck import plan_tables, plan_zones, seed_lines

PLANS = plan_index()
RULE_FILES = {
    "min_scale.csv": ("mineral", "unit", "min_value", "text", "source_file", "source_line"),
    "mineral_policy.csv": ("category", "activity", "mineral", "text", "source_file", "source_line"),
    "caps.csv": ("item", "value", "unit", "text", "source_file", "source_line"),
}


def _own_county(slug: str) -> str:
    return PLANS[slug].region if PLANS[slug].level == "county" else ""


def _value_problems(zones: pd.DataFrame, slug: str, lines: list[str]) -> list[str]:
    return seedcheck.printed_value_problems(
        zones, plan_tables(slug), lines, own_county=_own_county(slug)
    )


@pytest.mark.parametrize("slug", PLANS)
def test_every_printed_value_is_a_cell_of_its_own_row(seeds: Path, slug: str) -> None:
    problems = _value_problems(plan_zones(slug), slug, seed_lines(seeds, slug))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("slug", PLANS)
def test_table_headings_are_on_their_lines(seeds: Path, slug: str) -> None:
    problems = seedcheck.heading_problems(plan_tables(slug), seed_lines(seeds, slug))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("slug", PLANS)
def test_every_printed_table_row_is_in_the_catalogue(seeds: Path, slug: str) -> None:
    problems = seedcheck.row_count_problems(plan_zones(slug), plan_tables(slug),
                                            seed_lines(seeds, slug))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("slug", PLANS)
def test_every_catalogue_row_comes_from_a_listed_table(slug: str) -> None:
    zones, tables = plan_zones(slug), plan_tables(slug)
    orphans = [
        z.zone_id
        for z in zones.itertuples()
        if z.table != "正文"
        and not ((tables["table"] == z.table)
                 & (tables["start_line"] <= z.source_line)
                 & (tables["end_line"] >= z.source_line)).any()
    ]
    assert not orphans, f"rows outside every table of {slug}.tables.csv: {orphans}"


@pytest.mark.parametrize("slug", PLANS)
@pytest.mark.parametrize("name", RULE_FILES)
def test_rule_rows_quote_the_plan(seeds: Path, slug: str, name: str) -> None:
    path = geodata_dir() / "rules" / slug / name
    rules = read_rule_table(path, required=RULE_FILES[name])
    assert not rules.empty, f"{path} has no rows"
    problems = seedcheck.rule_text_problems(rules, seed_lines(seeds, slug), name=name)
    assert not problems, "\n".join(problems)


# The checks themselves must catch a wrong or missing row.

def _sample(seeds: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    slug = next(iter(PLANS))
    return plan_zones(slug), plan_tables(slug), seed_lines(seeds, slug)


def _problems_after(seeds: Path, slug: str, zone_id: str, **values: object) -> list[str]:
    zones = plan_zones(slug)
    row = zones.index[zones["zone_id"] == zone_id][0]
    for field, value in values.items():
        zones.loc[row, field] = value
    return _value_problems(zones, slug, seed_lines(seeds, slug))


def test_a_misspelt_name_is_caught(seeds: Path) -> None:
    zones, _, lines = _sample(seeds)
    slug = next(iter(PLANS))
    named = zones[zones["name_text"] != ""].index[0]
    zones.loc[named, "name_text"] = zones.loc[named, "name_text"] + "某"
    assert _value_problems(zones, slug, lines)


def test_a_changed_area_is_caught(seeds: Path) -> None:
    zones, _, lines = _sample(seeds)
    slug = next(iter(PLANS))
    with_area = zones[zones["area_text"] != ""].index[0]
    zones.loc[with_area, "area_text"] = "9999.99"
    assert _value_problems(zones, slug, lines)


def test_a_value_printed_in_the_next_row_is_caught(seeds: Path) -> None:
    # 乌苏市 专栏12 prints one cell per line: row 1 (line 562) has 18.00 / 建筑用砂,
    # row 2 (line 567) 12.96; row 8 (line 597) is the first 砖瓦用粘土.
    assert _problems_after(seeds, "wusu", "wusu-JZKQ-001", area_text="12.96")
    assert _problems_after(seeds, "wusu", "wusu-JZKQ-007", mineral="砖瓦用粘土")
    assert _problems_after(seeds, "wusu", "wusu-JZKQ-001", seq="2")


def test_a_count_is_compared_with_the_count_column(seeds: Path) -> None:
    # 伊宁市 专栏3 line 84: 煤炭, 合计 5 (printed in both 合计 columns); the 0s are
    # other columns. 塔城地区 专栏18 line 580: 建筑用砂 11, 砖瓦用粘土 2, 总计 13.
    assert not _problems_after(seeds, "yining", "yining-YSCK-001", block_count=5)
    assert _problems_after(seeds, "yining", "yining-YSCK-001", block_count=1)
    assert _problems_after(seeds, "tacheng", "tacheng-JZKQ-001", block_count=11)
    # A table without a count column: every row stands for one block.
    assert _problems_after(seeds, "xinyuan", "xinyuan-TKGH-001", block_count=2)


def test_a_mineral_named_by_column_headings_needs_a_count_there(seeds: Path) -> None:
    # 塔城地区 专栏18 line 585: 额敏县 建筑用砂 4, 砖瓦用粘土 0.
    assert not _problems_after(seeds, "tacheng", "tacheng-JZKQ-006", mineral="建筑用砂")
    assert _problems_after(
        seeds, "tacheng", "tacheng-JZKQ-006", mineral="建筑用砂、砖瓦用粘土"
    )


def test_a_missing_row_is_caught(seeds: Path) -> None:
    zones, tables, lines = _sample(seeds)
    numbered = zones[zones["seq"].str.fullmatch(r"\d+")]
    dropped = zones.drop(index=numbered.index[-1])
    assert seedcheck.row_count_problems(dropped, tables, lines)


def _mutation_script() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "scripts" / "seed_mutations.py"
    spec = importlib.util.spec_from_file_location("seed_mutations", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_a_sample_of_mutations_is_caught(seeds: Path) -> None:
    """A few of each kind of scripts/seed_mutations.py (the full run: the script)."""
    script = _mutation_script()
    results = script.run(seedcheck, sample=67)
    for kind, (tried, missed) in results.items():
        assert tried >= 3, f"only {tried} {kind} mutations sampled"
        assert not missed, f"{kind}: not caught: " + "; ".join(
            f"{m.zone_id} {m.change}" for m in missed
        )
