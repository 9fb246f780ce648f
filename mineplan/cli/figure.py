"""``mineplan figure``: print-quality maps for reports (PNG, PDF, SVG; atlases as PDF).

Imports :mod:`mineplan.cli.common` and, inside :func:`run`, the figures (matplotlib)
and the store.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mineplan.cli.common import EXIT_OK, Subparsers, add_store_option
from mineplan.errors import MineplanError

__all__ = ["add_figure_command", "register", "run"]


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``figure`` to the ``mineplan`` command's subparsers."""
    fig = subparsers.add_parser(
        "figure", parents=[common], help="map figures: region overview, zone sheet, atlas",
        description="The simplest call: `mineplan figure 新源县 -o 新源县.pdf` (a region's "
        "overview; the format follows the extension: .png .pdf .svg).",
    )
    fig.add_argument("region", nargs="?", default=None,
                     help="region (乌苏市 …) for an overview or an atlas")
    fig.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    fig.add_argument("--zone", default=None, help="zone_id for a zone sheet")
    fig.add_argument("--atlas", action="store_true",
                     help="one zone sheet per zone of REGION (and --layer) as a multi-page PDF, "
                     "after a cover, an index map and the contents")
    fig.add_argument("--layer", action="append", default=None,
                     help="zone layer code(s) to draw (repeatable; default all)")
    fig.add_argument("--paper", choices=["A4", "A3", "A2", "A1", "A0"], default=None,
                     help="paper (default A4; with --scale, the smallest that holds the plan)")
    fig.add_argument("--scale", type=_scale, default=None, metavar="1:N",
                     help="print an overview at a standard scale, e.g. 1:50000 or 1:100000 "
                     "(the numeric scale and the scale bar are printed on the map)")
    fig.add_argument("--portrait", action="store_true", help="portrait instead of landscape")
    fig.add_argument("--dpi", type=int, default=300, help="PNG resolution (default 300)")
    fig.add_argument("--grid", choices=["graticule", "km"], default="graticule",
                     help="frame marks: degrees-minutes (default) or Gauss-Kruger km grid")
    fig.add_argument("--background", type=Path, default=None,
                     help="local GeoTIFF (DEM → hillshade, or imagery) under an overview")
    fig.add_argument("--title", default=None, help="title of an overview or of an atlas's cover")
    fig.add_argument("--producer", default=None,
                     help="制图单位 in the footnote (and on an atlas's cover, left blank "
                     "when not given; other figures say mineplan)")
    add_store_option(fig, help="store to read")
    fig.set_defaults(run=run)


def _scale(text: str) -> float:
    """``1:50000``, ``1:50 000`` or ``50000`` → 50000.0 (argparse type for ``--scale``)."""
    raw = text.strip().replace(" ", "").replace(",", "").replace("：", ":")
    raw = raw.removeprefix("1:")
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a map scale; write it as 1:50000") from None
    if not value >= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a map scale; write it as 1:50000")
    return value


#: The name this registration had before the CLI became one module per command.
add_figure_command = register


def run(args: argparse.Namespace) -> int:
    """Draw a zone sheet (``--zone``), an atlas (``--atlas``) or a region overview."""
    from mineplan.figures import region_overview, save_figure, zone_atlas, zone_sheet
    from mineplan.layers import read_layer_specs, read_styles
    from mineplan.store import list_layers, read_layer
    from mineplan.web.browsing import find_zone

    store = args.store
    specs = read_layer_specs()
    styles = read_styles()
    frames = {code: read_layer(store, code) for code in list_layers(store)}
    orientation = "portrait" if args.portrait else "landscape"
    paper = args.paper or "A4"
    if args.scale is not None and (args.zone or args.atlas):
        raise MineplanError("--scale applies to a region overview, not to --zone or --atlas")
    zone_codes = [c for c, s in specs.items() if s.is_zone_layer]
    wanted = [c.upper() for c in args.layer] if args.layer else zone_codes
    unknown = sorted(set(wanted) - set(zone_codes))
    if unknown:
        raise MineplanError(f"unknown zone layer(s) {unknown}; choose from {zone_codes}")
    shown = {c: f for c, f in frames.items() if c not in zone_codes or c in wanted}

    if args.zone:
        found = find_zone({c: frames[c] for c in zone_codes if c in frames}, args.zone)
        if found is None:
            raise MineplanError(f"no zone {args.zone!r} in the store; see `mineplan layers`")
        layer, row = found[0], found[1].iloc[0]
        fig = zone_sheet(row, frames, layer=layer, specs=specs, styles=styles, paper=paper,
                         orientation=orientation, producer=args.producer or "mineplan",
                         grid=args.grid)
        save_figure(fig, args.output, dpi=args.dpi)
    elif args.region is None:
        raise MineplanError("name a region (e.g. `mineplan figure 新源县 -o 新源县.pdf`) "
                            "or a zone (--zone ZONE_ID)")
    elif args.atlas:
        rows = [(c, r) for c in wanted if c in frames for _, r in frames[c].iterrows()
                if r["region"] == args.region]
        if not rows:
            raise MineplanError(f"no zone of {wanted} in region {args.region!r}")

        def progress(i: int, n: int, text: str) -> None:
            print(f"[{i}/{n}] {text}", file=sys.stderr)

        result = zone_atlas(rows, frames, args.output, region=args.region, specs=specs,
                            styles=styles, paper=paper, orientation=orientation,
                            producer=args.producer, grid=args.grid, title=args.title,
                            progress=progress)
        print(f"wrote {args.output}: {result.pages} pages ({len(result.sheets)} zone sheets, "
              f"cover, index map and contents first)")
        return EXIT_OK
    else:
        fig = region_overview(shown, region=args.region, specs=specs, styles=styles,
                              paper=paper, orientation=orientation, title=args.title,
                              producer=args.producer or "mineplan", grid=args.grid,
                              background=args.background, scale=args.scale,
                              fit_paper=args.paper is None)
        save_figure(fig, args.output, dpi=args.dpi)
    print(f"wrote {args.output}")
    return EXIT_OK
