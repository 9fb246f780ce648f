"""``mineplan history``: who changed which layer of a store, when, from which file.

Reads the store's edit log (:func:`mineplan.store.read_edits`): one line per write
(build, import, red-line import), oldest first. Imports :mod:`mineplan.cli.common`
and, inside :func:`run`, the store reader.
"""

from __future__ import annotations

import argparse

from mineplan.cli.common import EXIT_OK, Subparsers, add_store_option

__all__ = ["register", "run"]


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``history`` to the ``mineplan`` command's subparsers."""
    history = subparsers.add_parser(
        "history", parents=[common], help="the edit log of a store (who changed what, when)",
        description="List every write to the store's layers, oldest first: time (UTC), "
                    "user, command, layer, features written, source file.")
    history.add_argument("layer", nargs="?", default=None,
                         help="only this layer's history (a layer code, e.g. TKGH)")
    add_store_option(history, help="store to read")
    history.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the edit log, one write per line."""
    from mineplan.store import read_edits

    layer = args.layer.upper() if args.layer else None
    edits = read_edits(args.store, layer=layer)
    if edits.empty:
        print(f"{args.store}: no edits recorded" + (f" for layer {layer}" if layer else ""))
        return EXIT_OK
    for row in edits.itertuples(index=False):
        source = f"  from {row.source}" if row.source else ""
        print(f"{row.time}  {row.user:<12} {row.layer:<7} {int(row.features):>6} features  "
              f"{row.command}{source}")
    return EXIT_OK
