"""``mineplan store copy SRC DST``: move a whole store between GeoPackage and PostGIS.

Either location is a ``.gpkg`` path or a ``postgresql://USER@HOST:PORT/DB?schema=NAME``
URL (password from ``PGPASSWORD`` or ``~/.pgpass``). Every layer, its default QGIS
style and the build metadata are copied losslessly; the target is replaced as a
whole, atomically, and its edit log records the copy.

Imports :mod:`mineplan.cli.common` and, inside :func:`run_copy`, the store.
"""

from __future__ import annotations

import argparse

from mineplan.cli.common import EXIT_OK, Subparsers, usage
from mineplan.location import as_location

__all__ = ["register", "run_copy"]


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``store`` and its ``copy`` to the ``mineplan`` command's subparsers."""
    group = subparsers.add_parser("store", parents=[common],
                                  help="copy a store between GeoPackage and PostGIS")
    commands = group.add_subparsers(title="store commands", metavar="COMMAND")
    copy = commands.add_parser(
        "copy", parents=[common], help="copy every layer, style and the metadata of a store",
        description="Copy a whole store to another location, GeoPackage <-> PostGIS in "
        "either direction, losslessly: every feature and attribute, each layer's QGIS "
        "style and the build metadata. The target is replaced only when the copy is "
        "complete. Locations: a .gpkg path or postgresql://USER@HOST:PORT/DB?schema=NAME "
        "(the password comes from PGPASSWORD or ~/.pgpass, never from the command line).")
    copy.add_argument("source", type=as_location, help="store to copy from")
    copy.add_argument("target", type=as_location, help="store to write")
    copy.set_defaults(run=run_copy)
    group.set_defaults(run=usage(group))


def run_copy(args: argparse.Namespace) -> int:
    """Copy ``args.source`` to ``args.target``; prints what was copied."""
    from mineplan.store import EditRecord, copy_store, list_layers, read_layer

    copy_store(args.source, args.target,
               edit=EditRecord("mineplan store copy", source=str(args.source)))
    codes = list_layers(args.target)
    total = sum(len(read_layer(args.target, c)) for c in codes)
    print(f"copied {args.source} -> {args.target}: {len(codes)} layers, {total} features")
    return EXIT_OK
