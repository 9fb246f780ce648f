"""How many wrong catalogue values does the seed check catch? A mutation run.

Each mutation changes one value of one row of a copy of the plan catalogue
(``geodata/plans/<slug>.csv``, read into memory; the files are never written)
and runs the seed check (``tests/seedcheck.py``) on that plan. A mutation is
*caught* when the check reports a problem it does not report for the real
catalogue. Kinds, each applied to every row where it applies, one at a time:

``area_swap``    the row's area_text swapped with the next row's (of the same
                 plan) that prints a different one;
``mineral``      the row's mineral replaced by the next other mineral of the
                 whole catalogue (in sorted order; an empty mineral by the first);
``seq``          the row's 序号 (where it has one) with its number plus one;
``block_count``  the row's block count plus one.

Run from the repository root (the plan texts must be where ``mineplan.settings.
seeds_dir`` finds them, or set MINEPLAN_SEEDS)::

    python scripts/seed_mutations.py              # every mutation, per kind
    python scripts/seed_mutations.py --missed     # and list the ones not caught
    python scripts/seed_mutations.py --seedcheck OLD/tests/seedcheck.py

``--seedcheck`` runs another version of the check (e.g. the one before the
row-by-row comparison, whose ``printed_value_problems(zones, lines)`` took no
table index). ``--sample N`` tries only every N-th mutation of each kind.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mineplan.catalog import plan_index, read_plan_catalog, read_table_index  # noqa: E402
from mineplan.settings import geodata_dir, seeds_dir  # noqa: E402

KINDS: tuple[str, ...] = ("area_swap", "mineral", "seq", "block_count")


@dataclass(frozen=True)
class Plan:
    slug: str
    zones: pd.DataFrame
    tables: pd.DataFrame
    lines: list[str]
    own_county: str


@dataclass(frozen=True)
class Mutation:
    kind: str
    slug: str
    zone_id: str
    change: str  # what was changed, for the list of missed mutations
    zones: pd.DataFrame  # the plan's catalogue with the change made


def load_plans() -> list[Plan]:
    plans = []
    for slug, info in plan_index().items():
        folder = geodata_dir() / "plans"
        plans.append(Plan(
            slug=slug,
            zones=read_plan_catalog(folder / f"{slug}.csv"),
            tables=read_table_index(folder / f"{slug}.tables.csv"),
            lines=(seeds_dir() / info.seed_file).read_text(encoding="utf-8").splitlines(),
            own_county=info.region if info.level == "county" else "",
        ))
    return plans


def mutations(plans: list[Plan], kind: str) -> Iterator[Mutation]:
    """Every mutation of one kind, row by row, plan by plan."""
    minerals = sorted({m for p in plans for m in p.zones["mineral"] if m}, key=_squash)
    for plan in plans:
        zones = plan.zones
        for i in range(len(zones)):
            row = zones.iloc[i]
            changed = zones.copy()
            col = changed.columns.get_loc
            if kind == "area_swap":
                if not row["area_text"]:
                    continue
                j = _partner(zones, i)
                if j is None:
                    continue
                for field in ("area_text", "area_km2", "area_unit"):
                    changed.iat[i, col(field)] = zones.iloc[j][field]
                    changed.iat[j, col(field)] = row[field]
                change = f"area_text {row['area_text']!r} <-> {zones.iloc[j]['area_text']!r}"
            elif kind == "mineral":
                new = next(
                    (m for m in minerals if _squash(m) > _squash(row["mineral"])), minerals[0]
                )
                changed.iat[i, col("mineral")] = new
                change = f"mineral {row['mineral']!r} -> {new!r}"
            elif kind == "seq":
                if not re.search(r"\d", row["seq"]):
                    continue
                new = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), row["seq"], count=1)
                changed.iat[i, col("seq")] = new
                change = f"seq {row['seq']!r} -> {new!r}"
            elif kind == "block_count":
                changed.iat[i, col("block_count")] = int(row["block_count"]) + 1
                change = f"block_count {row['block_count']} -> {int(row['block_count']) + 1}"
            else:
                raise ValueError(f"unknown mutation kind {kind!r}")
            yield Mutation(kind, plan.slug, str(row["zone_id"]), change, changed)


def _squash(text: str) -> str:
    return "".join(text.split())


def _partner(zones: pd.DataFrame, i: int) -> int | None:
    """The next row after ``i`` (wrapping) printing an area other than row i's."""
    mine = _squash(zones.iloc[i]["area_text"])
    n = len(zones)
    for step in range(1, n):
        j = (i + step) % n
        other = _squash(zones.iloc[j]["area_text"])
        if other and other != mine:
            return j
    return None


def checker(seedcheck: ModuleType) -> Callable[[Plan, pd.DataFrame], list[str]]:
    """The seed check of one plan's catalogue: every problem it reports."""
    takes_tables = "tables" in inspect.signature(seedcheck.printed_value_problems).parameters

    def check(plan: Plan, zones: pd.DataFrame) -> list[str]:
        if takes_tables:
            problems = seedcheck.printed_value_problems(
                zones, plan.tables, plan.lines, own_county=plan.own_county
            )
        else:  # the check before the row-by-row comparison
            problems = seedcheck.printed_value_problems(zones, plan.lines)
        return list(problems) + list(seedcheck.row_count_problems(zones, plan.tables, plan.lines))

    return check


def load_seedcheck(path: Path | None) -> ModuleType:
    if path is None:
        from tests import seedcheck

        return seedcheck
    spec = importlib.util.spec_from_file_location("seedcheck_under_test", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run(
    seedcheck: ModuleType, *, kinds: tuple[str, ...] = KINDS, sample: int = 1
) -> dict[str, tuple[int, list[Mutation]]]:
    """Per kind: how many mutations were tried, and the ones not caught."""
    plans = load_plans()
    check = checker(seedcheck)
    baseline = {p.slug: set(check(p, p.zones)) for p in plans}
    by_slug = {p.slug: p for p in plans}
    results: dict[str, tuple[int, list[Mutation]]] = {}
    for kind in kinds:
        tried, missed = 0, []
        for n, m in enumerate(mutations(plans, kind)):
            if n % sample:
                continue
            tried += 1
            if not set(check(by_slug[m.slug], m.zones)) - baseline[m.slug]:
                missed.append(m)
        results[kind] = (tried, missed)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seedcheck", type=Path, help="another tests/seedcheck.py to measure")
    parser.add_argument("--sample", type=int, default=1, help="try every N-th mutation only")
    parser.add_argument("--missed", action="store_true", help="list the mutations not caught")
    args = parser.parse_args(argv)
    results = run(load_seedcheck(args.seedcheck), sample=max(1, args.sample))
    print(f"{'kind':<12} {'tried':>6} {'caught':>7}")
    for kind, (tried, missed) in results.items():
        print(f"{kind:<12} {tried:>6} {tried - len(missed):>7}")
    if args.missed:
        for kind, (_, missed) in results.items():
            for m in missed:
                print(f"missed {kind}: {m.zone_id} {m.change}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
