"""Every catalogue value is checked against the plan text it was copied from."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mineplan.catalog import plan_index, read_plan_catalog, read_rule_table, read_table_index
from mineplan.settings import geodata_dir
from tests import seedcheck

PLANS = plan_index()
RULE_FILES = {
    "min_scale.csv": ("mineral", "unit", "min_value", "text", "source_file", "source_line"),
    "mineral_policy.csv": ("category", "activity", "mineral", "text", "source_file", "source_line"),
    "caps.csv": ("item", "value", "unit", "text", "source_file", "source_line"),
}


def _lines(seeds: Path, slug: str) -> list[str]:
    return (seeds / PLANS[slug].seed_file).read_text(encoding="utf-8").splitlines()


def _zones(slug: str) -> pd.DataFrame:
    return read_plan_catalog(geodata_dir() / "plans" / f"{slug}.csv")


def _tables(slug: str) -> pd.DataFrame:
    return read_table_index(geodata_dir() / "plans" / f"{slug}.tables.csv")


@pytest.mark.parametrize("slug", PLANS)
def test_names_areas_and_numbers_are_printed_where_the_row_says(seeds: Path, slug: str) -> None:
    problems = seedcheck.printed_value_problems(_zones(slug), _lines(seeds, slug))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("slug", PLANS)
def test_table_headings_are_on_their_lines(seeds: Path, slug: str) -> None:
    problems = seedcheck.heading_problems(_tables(slug), _lines(seeds, slug))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("slug", PLANS)
def test_every_printed_table_row_is_in_the_catalogue(seeds: Path, slug: str) -> None:
    problems = seedcheck.row_count_problems(_zones(slug), _tables(slug), _lines(seeds, slug))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("slug", PLANS)
def test_every_catalogue_row_comes_from_a_listed_table(slug: str) -> None:
    zones, tables = _zones(slug), _tables(slug)
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
    problems = seedcheck.rule_text_problems(rules, _lines(seeds, slug), name=name)
    assert not problems, "\n".join(problems)


# The checks themselves must catch a wrong or missing row.

def _sample(seeds: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    slug = next(iter(PLANS))
    return _zones(slug), _tables(slug), _lines(seeds, slug)


def test_a_misspelt_name_is_caught(seeds: Path) -> None:
    zones, _, lines = _sample(seeds)
    named = zones[zones["name_text"] != ""].index[0]
    zones.loc[named, "name_text"] = zones.loc[named, "name_text"] + "某"
    assert seedcheck.printed_value_problems(zones, lines)


def test_a_changed_area_is_caught(seeds: Path) -> None:
    zones, _, lines = _sample(seeds)
    with_area = zones[zones["area_text"] != ""].index[0]
    zones.loc[with_area, "area_text"] = "9999.99"
    assert seedcheck.printed_value_problems(zones, lines)


def test_a_missing_row_is_caught(seeds: Path) -> None:
    zones, tables, lines = _sample(seeds)
    numbered = zones[zones["seq"].str.fullmatch(r"\d+")]
    dropped = zones.drop(index=numbered.index[-1])
    assert seedcheck.row_count_problems(dropped, tables, lines)
