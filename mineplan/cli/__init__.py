"""The ``mineplan`` command line: a command group, one module per command.

``mineplan build``    build the store from the catalogue                    (:mod:`.build`)
``mineplan layers``   list the layers of a store with counts and areas      (:mod:`.layers`)
``mineplan history``  the edit log: who changed which layer, when     (:mod:`.history`)
``mineplan styles``   write QGIS .qml files from styles/styles.toml         (:mod:`.styles`)
``mineplan import``   real geometry (coordinate TXT or GIS file) replaces
                      schematic shapes                                      (:mod:`.import_`)
``mineplan redline``  ``import`` the user's own control layers              (:mod:`.redline`)
``mineplan store``    ``copy`` a store between GeoPackage and PostGIS       (:mod:`.store`)
``mineplan coords``   ``info`` / ``convert`` coordinate and GIS files       (:mod:`.coords`)
``mineplan figure``   print-quality maps: region overview, zone sheet, atlas (:mod:`.figure`)
``mineplan audit``    where the plans contradict themselves                 (:mod:`.audit`)
``mineplan check``    plan-wide audit (--plan) or pre-grant check (--proposal) (:mod:`.check`)

Shared options, the store option, exit statuses and error printing live in
:mod:`mineplan.cli.common`. Errors mineplan expects (bad input, missing files) print
one plain message and exit with status 2; ``--debug`` (before or after the command)
shows the traceback of anything else.

This package imports its command modules and :mod:`.common`; no command module
imports another. Building the parser imports no pandas, geopandas, shapely, pyproj,
pyogrio, folium, matplotlib or streamlit: each command imports its heavy code in the
function that runs it, so ``mineplan --help`` and ``--version`` return at once.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mineplan import __version__
from mineplan.cli import (
    audit,
    build,
    check,
    common,
    coords,
    figure,
    history,
    import_,
    layers,
    redline,
    store,
    styles,
)

__all__ = ["main"]

#: The commands in the order ``mineplan --help`` lists them.
_COMMANDS = (build, layers, history, import_, coords, figure, audit, check, redline, store,
             styles)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); the exit status."""
    return common.run_command(build_parser(), argv)


def build_parser() -> argparse.ArgumentParser:
    """The ``mineplan`` parser with every command (defaults read from the environment now)."""
    parser = argparse.ArgumentParser(
        prog="mineplan", parents=[common.common_options(top=True)],
        description="矿产资源总体规划 GIS: plan zones, red-line checks, maps.",
    )
    parser.add_argument("--version", action="version", version=f"mineplan {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    below = common.common_options(top=False)
    for command in _COMMANDS:
        command.register(subparsers, below)
    return parser
