"""``mineplan check``: the plan audit and the pre-grant check on the command line.

``mineplan check --plan 新源县|all [--store S] [-o findings.xlsx|.csv|.geojson]``
``mineplan check --proposal FILE --right 探矿权|采矿权 --mineral 金 [--scale 5 --unit 万吨/年]
[--region 新源县] [-o …] [--figure F.png] [--report 预审意见.docx|.pdf]``

Prints a summary table; exits 1 when any finding is 不通过 (so it can gate a
workflow), 0 otherwise. Bad input raises :class:`mineplan.errors.MineplanError`
subclasses, which the main CLI prints as one plain message.

Imports :mod:`mineplan.cli.common` and, inside the functions that run the check,
the checks, the readers and the figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mineplan.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    Subparsers,
    add_store_option,
    print_warnings,
)
from mineplan.errors import CheckInputError
from mineplan.vocab import PROJECT_TYPES, RIGHT_TYPES

if TYPE_CHECKING:
    import geopandas as gpd

    from mineplan.checks.context import StoreFrames
    from mineplan.features import Features

__all__ = ["add_check_commands", "read_proposal_file", "register", "run_check"]


def register(subparsers: Subparsers, common_parent: argparse.ArgumentParser) -> None:
    """Add ``check`` to the ``mineplan`` command's subparsers."""
    check = subparsers.add_parser(
        "check", parents=[common_parent],
        help="audit a plan's zones, or check a proposed right before it is granted",
        description="Plan audit (--plan) or pre-grant check (--proposal). Prints a summary; "
        "exit status 1 when any finding is 不通过 (fail), 0 otherwise. Rules and "
        "thresholds: geodata/rules/checks.toml (see docs/checks.md).",
    )
    what = check.add_mutually_exclusive_group(required=True)
    what.add_argument("--plan", metavar="REGION", help="plan region or slug (新源县, xinyuan) "
                      "or 'all'")
    what.add_argument("--proposal", type=Path, metavar="FILE",
                      help="proposed right: 坐标 TXT (报盘/登记), SHP/zip/GPKG/GeoJSON/KML/DXF/CSV")
    check.add_argument("--right", choices=RIGHT_TYPES, help="right type (with --proposal)")
    check.add_argument("--mineral", help="mineral applied for, e.g. 金 (with --proposal)")
    check.add_argument("--scale", type=float, default=None,
                       help="planned production of a mining right, in --unit")
    check.add_argument("--unit", default=None, help="unit of --scale: 万吨/年, 万立方米/年, 吨/日")
    check.add_argument("--region", default=None,
                       help="county whose plan applies (default: detected from the geometry)")
    check.add_argument("--id", dest="proposal_id", default=None, help="name shown for the proposal")
    check.add_argument("--project", choices=PROJECT_TYPES, default=PROJECT_TYPES[0],
                       help="kind of project (default 新建): minimum-scale rules bind new and "
                            "expanded mines; 延续 is a renewal")
    check.add_argument("--previous", type=Path, default=None, metavar="FILE",
                       help="with --project 延续: the extent before renewal, to check the "
                            "area reduction of an exploration right")
    check.add_argument("--plot-field", default=None,
                       help="field naming each plot of a file with several plots (default: "
                            "the first of 地块编号/DKBH/名称/name present, else one per feature)")
    add_store_option(check, help="store to check against")
    check.add_argument("-o", "--output", type=Path, default=None,
                       help="write the findings: .xlsx, .csv (UTF-8 BOM) or .geojson")
    check.add_argument("--crs", default=None, help="CRS of a proposal file that has none")
    check.add_argument("--zone", type=int, default=None, help="Gauss-Kruger zone of such a file")
    check.add_argument("--swap-axes", action="store_true", help="swap X/Y of the proposal file")
    check.add_argument("--layer", "--source-layer", dest="source_layer", default=None,
                      help="layer of a multi-layer file (KML/KMZ folder, GeoPackage table, "
                      "XLSX worksheet)")
    check.add_argument("--figure", type=Path, default=None,
                       help="with --proposal: the check figure (.pdf/.png/.svg) for the report")
    check.add_argument("--report", type=Path, default=None, metavar="FILE",
                       help="with --proposal: the pre-grant report a reviewer signs (.docx or "
                            ".pdf): plot, verdict, findings with their sources, check figure, "
                            "corner table, data versions; one report for every plot of a file")
    check.add_argument("--limit", type=int, default=40,
                       help="list at most this many non-passing findings (default 40)")
    check.set_defaults(run=run_check)


#: The name this registration had before the CLI became one module per command.
add_check_commands = register


def run_check(args: argparse.Namespace) -> int:
    """Run ``mineplan check``; returns 1 when any finding fails, else 0."""
    if args.plan:
        extra = [n for n in ("right", "mineral", "scale", "unit") if getattr(args, n) is not None]
        if extra:
            raise CheckInputError(f"--{', --'.join(extra)} apply to --proposal, not --plan")
    else:
        missing = [f"--{n}" for n in ("right", "mineral") if not getattr(args, n)]
        if missing:
            raise CheckInputError(f"--proposal needs {' and '.join(missing)}")
        if (args.scale is None) != (args.unit is None):
            raise CheckInputError(
                "give --scale and --unit together (e.g. --scale 5 --unit 万吨/年)")
    if args.figure is not None and args.plan:
        raise CheckInputError("--figure goes with --proposal")
    if args.report is not None:
        from mineplan.reports import REPORT_SUFFIXES

        if args.plan:
            raise CheckInputError("--report goes with --proposal")
        if args.report.suffix.lower() not in REPORT_SUFFIXES:
            raise CheckInputError(f"--report {args.report}: the file must end in "
                                  f"{' or '.join(REPORT_SUFFIXES)}")
    if args.previous is not None and args.project != "延续":
        raise CheckInputError("--previous is the extent before a renewal: give --project 延续")
    from mineplan.store import reading

    with reading(args.store):  # the store opened once for every read of the check
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    """The check of :func:`run_check`, its arguments checked."""
    if args.plan:
        return _run_plan(args)
    from mineplan.checks.context import proposal_frames
    from mineplan.checks.findings.model import findings_frame, format_summary, has_failures
    from mineplan.checks.proposal import PLOT_COLUMNS, plot_labels, proposal_findings

    store = args.store
    proposal = read_proposal_file(args.proposal, crs=args.crs, zone=args.zone,
                                  swap_axes=args.swap_axes, layer=args.source_layer)
    frames = proposal_frames(
        store, proposal, surroundings=args.figure is not None or args.report is not None)
    title = f"出让前审查：{args.proposal.name}（{args.right}，{args.mineral}）"
    labels = plot_labels(proposal, args.plot_field)
    if len(set(labels)) > 1:  # several plots: each checked on its own, one summary
        return _run_plots(args, proposal, labels, frames, title)
    named = args.plot_field is not None or any(c in proposal for c in PLOT_COLUMNS)
    previous = None
    if args.previous is not None:
        previous = read_proposal_file(args.previous, crs=args.crs, zone=args.zone,
                                      swap_axes=args.swap_axes, layer=args.source_layer)
    # the plot's own name (地块名称 of a coordinate file, a name column), else the file's
    name = args.proposal_id or (labels[0] if named else args.proposal.stem)
    found = proposal_findings(
        proposal, right_type=args.right, mineral=args.mineral, scale=args.scale,
        scale_unit=args.unit, region=args.region, store_frames=frames,
        proposal_id=name, project=args.project, previous=previous,
    )
    if args.output or args.figure is not None or args.report is not None:
        findings = findings_frame(found)  # frames only for what is written
        whole = proposal.to_frame()
        if args.output:  # written first: the file exists even if stdout goes away
            write_findings(findings, args.output, proposal=whole, title=title)
        if args.figure is not None:
            from mineplan.figures import check_figure, save_figure
            from mineplan.layers import read_layer_specs, read_styles

            fig = check_figure(whole, findings, frames,
                               specs=read_layer_specs(), styles=read_styles(), name=name,
                               subtitle=f"{args.right} ｜ {args.mineral}")
            save_figure(fig, args.figure)
            print(f"wrote {args.figure}")
        if args.report is not None:
            _write_report(args, [(name, whole, findings)], frames)
    print(format_summary(found, title=title, limit=args.limit))
    if args.output:
        print(f"wrote {args.output}")
    return EXIT_FINDINGS if has_failures(found) else EXIT_OK


def _run_plan(args: argparse.Namespace) -> int:
    """``check --plan``: the plan-wide audit."""
    from mineplan.checks import check_plan
    from mineplan.checks.context import StoreFrames
    from mineplan.checks.findings import format_summary, has_failures

    frames = StoreFrames(args.store)  # each layer read when a check first needs it
    findings = check_plan(frames, region=args.plan)
    title = f"规划审查：{args.plan}（{args.store}）"
    if args.output:  # written first: the file exists even if stdout goes away
        write_findings(findings, args.output, proposal=None, title=title)
    print(format_summary(findings, title=title, limit=args.limit))
    if args.output:
        print(f"wrote {args.output}")
    return EXIT_FINDINGS if has_failures(findings) else EXIT_OK


def _run_plots(args: argparse.Namespace, proposal: Features, labels: list[str],
               frames: StoreFrames, title: str) -> int:
    """``check --proposal`` of a file of several plots: each checked on its own."""
    from mineplan.checks.proposal import plot_findings, plot_summary, plots_frame

    count = len(set(labels))
    if args.figure is not None or args.previous is not None:
        raise CheckInputError(
            f"{args.proposal.name} holds {count} plots; --figure and "
            "--previous take one plot at a time")
    found = plot_findings(
        proposal, plot_column=args.plot_field, right_type=args.right,
        mineral=args.mineral, scale=args.scale, scale_unit=args.unit,
        region=args.region, store_frames=frames, project=args.project)
    if args.output or args.report is not None:
        findings = plots_frame(found)
        whole = proposal.to_frame()
        if args.output:
            write_findings(findings, args.output, proposal=whole, title=title)
        if args.report is not None:
            at = [str(label) for label in labels]
            plots = [(str(label), whole[[x == label for x in at]],
                      findings[findings["plot"] == label])
                     for label in dict.fromkeys(labels)]
            _write_report(args, plots, frames)
    print(_plot_summary(plot_summary(found), title=title))
    if args.output:
        print(f"wrote {args.output}")
    failed = any(f.verdict_key == "fail" for _, plot in found for f in plot)
    return EXIT_FINDINGS if failed else EXIT_OK


def write_findings(findings: gpd.GeoDataFrame, path: Path, *,
                   proposal: gpd.GeoDataFrame | None, title: str) -> None:
    """Write ``-o``: the findings (and the proposal's corners) as XLSX, CSV or GeoJSON."""
    from mineplan.checks.findings import write_findings as write

    write(findings, path, proposal=proposal, title=title)


def _write_report(args: argparse.Namespace,
                  plots: list[tuple[str, gpd.GeoDataFrame, gpd.GeoDataFrame]],
                  frames: StoreFrames) -> None:
    """Write ``--report``: every plot (name, features, findings) in one document."""
    from mineplan import settings
    from mineplan.layers import read_layer_specs, read_styles
    from mineplan.reports import PregrantReport, plot_report, store_versions, write_report

    specs, styles = read_layer_specs(), read_styles()
    parts = [plot_report(features, found.drop(columns="plot", errors="ignore"), frames,
                         specs=specs, styles=styles, name=name, right_type=args.right,
                         mineral=args.mineral, scale=args.scale, unit=args.unit,
                         project=args.project)
             for name, features, found in plots]
    report = PregrantReport(plots=parts, versions=store_versions(args.store, frames, specs=specs),
                            date=settings.today())
    write_report(report, args.report)
    print(f"wrote {args.report}")


def read_proposal_file(
    path: Path, *, crs: str | None = None, zone: int | None = None, swap_axes: bool = False,
    layer: str | None = None,
) -> Features:
    """A proposal's polygons from a coordinate TXT or a GIS file, with its CRS.

    Raises
    ------
    CoordinateFileError, CRSError
        When the file cannot be read or its CRS settled.
    """
    from mineplan.errors import CoordinateFileError
    from mineplan.io.readers import read_geometry_features

    if not path.is_file():
        raise CoordinateFileError("no such file (check the path)", path=path)
    features, warnings = read_geometry_features(path, layer=layer, crs=crs, zone=zone,
                                                swap_axes=swap_axes, expect="polygon")
    print_warnings(warnings)
    return features


def _plot_summary(summary: list[dict[str, Any]], *, title: str) -> str:
    """One line per plot of a batch check: its worst verdict and counts by verdict."""
    from mineplan.vocab import VERDICT_ORDER, VERDICTS

    lines = [title, f"{len(summary)} 个地块，逐块检查："]
    for row in summary:
        counts = "，".join(f"{VERDICTS[k]} {row.get(k, 0)}" for k in VERDICT_ORDER)
        lines.append(f"  {row['plot']}：{row['verdict']}（{counts}）")
    return "\n".join(lines)
