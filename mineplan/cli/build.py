"""``mineplan build``: the store (GeoPackage or PostGIS) from the catalogue and boundaries.

Writes every zone layer (schematic shapes, 示意) and the demo control layers (演示)
with their QGIS styles and the build's provenance (catalogue checksums) in one
atomic replacement of the store.

Then starts the web map's preparation for the new store in the background
(:func:`mineplan.web.prepare.start_prepare`: the command does not wait for it).

Imports :mod:`mineplan.cli.common` and, inside :func:`run`, the build and store code.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from mineplan import settings
from mineplan.cli.common import EXIT_OK, Subparsers, layer_qml_texts
from mineplan.location import as_location
from mineplan.vocab import DEMO, SCHEMATIC, STORE_CRS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["build_meta", "register", "run"]


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``build`` to the ``mineplan`` command's subparsers."""
    build = subparsers.add_parser("build", parents=[common], help="build the store")
    build.add_argument("-o", "--output", "--store", dest="output", type=as_location,
                       default=as_location(settings.store_location()),
                       help="store to write: a .gpkg path or a postgresql://USER@HOST:PORT/DB"
                       "?schema=NAME URL (default: $MINEPLAN_STORE or %(default)s)")
    build.add_argument("--plans", default="", help="comma-separated plan slugs (default all)")
    build.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build the store at ``args.output``; prints what was written."""
    from mineplan.boundaries import read_boundaries
    from mineplan.build import BuildInputs, build_layers
    from mineplan.build.demo import read_demo_hints
    from mineplan.catalog import read_catalog
    from mineplan.layers import read_layer_specs
    from mineplan.store import EditRecord, write_store
    from mineplan.web.prepare import start_prepare

    specs = read_layer_specs()
    slugs = [s for s in args.plans.split(",") if s] or None
    catalog = read_catalog(slugs=slugs, layer_codes=list(specs))
    if not args.quiet:
        print(f"catalogue: {len(catalog)} zones from {catalog['region'].nunique()} plan(s)")
    inputs = BuildInputs(catalog=catalog, specs=specs, boundaries=read_boundaries(),
                         demo_hints=read_demo_hints())
    layers = build_layers(inputs)
    write_store(args.output, layers, specs=specs, qml=layer_qml_texts(specs),
                meta=build_meta(catalog), edit=EditRecord("mineplan build"))
    start_prepare(args.output)  # the web map's first view, in the background
    total = sum(len(f) for code, f in layers.items() if specs[code].is_zone_layer)
    print(f"wrote {args.output}: {total} zones in {len(layers)} layers "
          f"(geometry {SCHEMATIC}: schematic)")
    if not args.quiet:
        for code, frame in layers.items():
            print(f"  {code:<7} {specs[code].name:<10} {len(frame):>5}")
    return EXIT_OK


def build_meta(catalog: pd.DataFrame) -> dict[str, str]:
    """The store's provenance: version, CRS, status words, catalogue checksums."""
    import hashlib

    from mineplan import __version__

    meta = {
        "mineplan_version": __version__,
        "crs": f"{STORE_CRS} (CGCS2000)",
        "geometry": f"{SCHEMATIC}: schematic shapes generated from the plans' stated areas; "
        "not surveyed",
        "redlines": f"{DEMO}: demo 三区三线 layers generated from geodata/demo/hints.toml; "
        "not real",
        "zones": str(len(catalog)),
    }
    for path in sorted((settings.geodata_dir() / "plans").glob("*.csv")):
        meta[f"sha256:{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return meta
