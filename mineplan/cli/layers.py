"""``mineplan layers``: the layers of a store with feature counts and areas.

Imports :mod:`mineplan.cli.common` and, inside :func:`run`, the store reader.
"""

from __future__ import annotations

import argparse

from mineplan.cli.common import EXIT_OK, Subparsers, add_store_option
from mineplan.vocab import SCHEMATIC, format_area

__all__ = ["register", "run"]


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``layers`` to the ``mineplan`` command's subparsers."""
    layers = subparsers.add_parser("layers", parents=[common],
                                   help="list the layers of a store")
    add_store_option(layers, help="store to read")
    layers.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print one line per layer: code, name, features, how many 示意, area in km²."""
    from mineplan.layers import read_layer_specs
    from mineplan.store import list_layers, read_layer, read_meta

    store = args.store
    specs = read_layer_specs()
    meta = read_meta(store)
    print(f"{store}  (built by mineplan {meta.get('mineplan_version', '?')})")
    for code in list_layers(store):
        frame = read_layer(store, code)
        name = specs[code].name if code in specs else "?"
        status = frame.get("geometry_status", None)
        schematic = int((status == SCHEMATIC).sum()) if status is not None else 0
        area = frame["geom_area_km2"].sum() if "geom_area_km2" in frame else float("nan")
        print(f"  {code:<7} {name:<10} {len(frame):>5} features  {schematic:>5} {SCHEMATIC}  "
              f"{format_area(area, with_unit=False):>12} km²")
    return EXIT_OK
