"""``mineplan audit``: list where the plans contradict themselves or each other.

Prints the findings of :func:`mineplan.checks.audit.audit_plans` grouped by plan and
kind; ``-o audit.csv`` (UTF-8 with BOM, opens in Excel) or ``-o audit.xlsx``
also writes them, atomically, with Chinese column headers. Findings are not
errors: the command exits 0 whatever it finds.

Imports :mod:`mineplan.cli.common` and, inside the functions, pandas and the audit.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mineplan.cli.common import EXIT_OK, Subparsers
from mineplan.errors import AuditOutputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "HEADERS",
    "AuditOutputError",
    "add_audit_command",
    "register",
    "run",
    "select_plan",
    "write_issues",
]

#: Column → header of the written file.
HEADERS: dict[str, str] = {
    "kind": "类别",
    "region": "规划",
    "layer": "图层",
    "subject": "事项",
    "stated": "规划所称（值与出处）",
    "found": "对照所见（值与出处）",
    "difference": "差值",
    "message": "说明",
}

_SUFFIXES = (".csv", ".xlsx")
# Findings that set two printed zones side by side rather than a claim against rows.
_PAIR_KINDS = frozenset({"重复图层", "名称不一"})


def register(subparsers: Subparsers, common_parent: argparse.ArgumentParser) -> None:
    """Add ``audit`` to the ``mineplan`` command's subparsers.

    Parameters
    ----------
    subparsers
        What ``ArgumentParser.add_subparsers()`` returned.
    common_parent
        The parser holding the shared options (``-v``, ``-q``, ``--debug``).
    """
    audit = subparsers.add_parser(
        "audit", parents=[common_parent],
        help="list where the plans contradict themselves (totals, counts, areas, layers)",
        description="Compare each plan's stated totals "
        "(geodata/plans/claims/<slug>.claims.csv) with its zone tables and the prefecture "
        "plan with the county plans; list missing areas, misaligned columns, zones in two "
        "layers and name variants. Exit status 0.",
    )
    audit.add_argument("--plan", default="all",
                       help="a plan slug (wusu) or region (乌苏市), or all (default)")
    audit.add_argument("-o", "--output", type=Path, default=None,
                       help="also write the list to a .csv (UTF-8 BOM) or .xlsx file")
    audit.set_defaults(run=run)


#: The name this registration had before the CLI became one module per command.
add_audit_command = register


def select_plan(issues: pd.DataFrame, region: str) -> pd.DataFrame:
    """The findings that concern one plan: its own, and other plans' claims about it."""
    own = issues["region"] == region
    about = (issues["kind"] == "跨规划不符") & (
        issues["found"].str.contains(region, regex=False)
        | issues["stated"].str.contains(region, regex=False)
    )
    return issues[own | about].reset_index(drop=True)


#: Chinese headers of the sheet 所称数字 (every stated number and its comparison).
STATED_HEADERS = {
    "region": "规划", "claim_id": "编号", "layer": "图层", "where": "范围",
    "value": "所称数值", "source": "出处（原文）", "result": "核对结果",
}


def write_issues(issues: pd.DataFrame, path: Path,
                 stated: pd.DataFrame | None = None) -> Path:
    """Write findings to ``.csv`` (UTF-8 with BOM) or ``.xlsx``, atomically.

    ``stated`` (:func:`mineplan.checks.audit.stated_number_list`) adds, to an
    ``.xlsx``, the sheet 所称数字: every stated number and what the audit made of it.

    Raises
    ------
    AuditOutputError
        An unknown extension or a missing folder.
    """
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise AuditOutputError(
            f"cannot write {path.name!r}: use a name ending in {' or '.join(_SUFFIXES)}"
        )
    if not path.parent.is_dir():
        raise AuditOutputError(f"folder {path.parent} does not exist; create it first")
    from mineplan.atomic import atomic_output
    from mineplan.io.sheets import csv_safe

    table = issues.rename(columns=HEADERS)
    with atomic_output(path) as tmp:
        if suffix == ".csv":
            csv_safe(table).to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            _write_xlsx(table, issues, tmp, stated)
    return path


def _write_xlsx(table: pd.DataFrame, issues: pd.DataFrame, path: Path,
                stated: pd.DataFrame | None = None) -> None:
    import pandas as pd

    from mineplan.checks.audit import summarise
    from mineplan.io.sheets import xlsx_text_only

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="问题清单", index=False)
        summary = summarise(issues)
        if not summary.empty:
            summary.to_excel(writer, sheet_name="汇总")
        if stated is not None:
            stated.rename(columns=STATED_HEADERS).to_excel(
                writer, sheet_name="所称数字", index=False)
        for each in writer.sheets.values():
            xlsx_text_only(each)
        sheet = writer.sheets["问题清单"]
        widths = {"A": 12, "B": 10, "C": 12, "D": 40, "E": 60, "F": 60, "G": 10, "H": 80}
        for column, width in widths.items():
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"


def run(args: argparse.Namespace) -> int:
    """Print the audit's findings (and write them with ``-o``); always exit 0."""
    from mineplan.catalog import plan_index, read_catalog
    from mineplan.checks.audit import (
        audit_plans,
        read_claims,
        stated_number_list,
        stated_numbers,
        summarise,
    )
    from mineplan.layers import read_layer_specs

    index = plan_index()
    region = _region_of(args.plan, index)
    names = {code: spec.name for code, spec in read_layer_specs().items()}
    issues = audit_plans(read_catalog(), read_claims(), layer_names=names)
    if region is not None:
        issues = select_plan(issues, region)
    print(_render(issues))
    if not args.quiet:
        summary = summarise(issues)
        if not summary.empty:
            print("\n汇总（规划 × 类别）：")
            print(summary.to_string())
        coverage = stated_numbers(read_catalog(), read_claims())
        listed = stated_number_list(read_catalog(), read_claims())
        if region is not None:
            coverage = coverage.loc[[region]] if region in coverage.index else coverage.iloc[:0]
        print("\n规划所称数字（stated numbers compared）：")
        for name, row in coverage.iterrows():
            print(f"  {name}：所称 {int(row['stated'])} 个，已对照 {int(row['compared'])} 个，"
                  f"其中不一致 {int(row['inconsistent'])} 个")
            left = listed[(listed["region"] == name) & (listed["result"] == "未对照")]
            for source in left["source"]:
                print(f"    未对照：{source}")
    if args.output is not None:
        numbers = None
        if Path(args.output).suffix.lower() == ".xlsx":
            numbers = stated_number_list(read_catalog(), read_claims())
            if region is not None:
                numbers = numbers[numbers["region"] == region]
        written = write_issues(issues, args.output, stated=numbers)
        print(f"\nwrote {written}: {len(issues)} findings")
    return EXIT_OK


def _region_of(plan: str, index: dict[str, Any]) -> str | None:
    if plan in ("", "all"):
        return None
    if plan in index:
        return str(index[plan].region)
    regions = {info.region for info in index.values()}
    if plan in regions:
        return plan
    known = ", ".join(f"{slug} ({info.region})" for slug, info in index.items())
    raise AuditOutputError(f"unknown plan {plan!r}; known: {known}, or all")


def _render(issues: pd.DataFrame) -> str:
    if issues.empty:
        return "no findings"
    out: list[str] = []
    for region, by_plan in issues.groupby("region", sort=False):
        out.append(f"\n{region}：{len(by_plan)} 项")
        for kind, by_kind in by_plan.groupby("kind", sort=False):
            out.append(f"  【{kind}】{len(by_kind)}")
            for row in by_kind.itertuples(index=False):
                out.append(f"    · [{row.layer}] {row.subject}")
                if not row.stated:  # a remark or a listing: the zones it concerns
                    out.append(f"        涉及：{row.found}")
                    continue
                said, seen = ("甲", "乙") if kind in _PAIR_KINDS else ("所称", "所见")
                out.append(f"        {said}：{row.stated}")
                if row.found:
                    out.append(f"        {seen}：{row.found}")
                if not math.isnan(row.difference):
                    out.append(f"        差值：{row.difference:+.6g}")
    return "\n".join(out).lstrip("\n")
