"""``mineplan import``: real zone geometry from a file replaces schematic shapes.

Named ``import_`` because ``import`` is a keyword. Imports :mod:`mineplan.cli.common`
and, inside :func:`run`, the readers, the matcher and the store.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mineplan.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    Subparsers,
    add_store_option,
    print_warnings,
)

__all__ = ["register", "run"]


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``import`` to the ``mineplan`` command's subparsers."""
    imp = subparsers.add_parser(
        "import", parents=[common],
        help="replace schematic zone geometry with real geometry from a file",
        description="Match the file's features to the layer's zones by number or name and "
        "replace their schematic shapes. Unmatched zones keep theirs; the store is "
        "replaced only if everything succeeds.",
    )
    imp.add_argument("layer", help="layer code, e.g. TKGH (see `mineplan layers`)")
    imp.add_argument("file", type=Path,
                     help="coordinate TXT, SHP/zip/GPKG/GeoJSON/KML/KMZ/DXF/CSV")
    add_store_option(imp, help="store to update")
    imp.add_argument("--layer", "--source-layer", dest="source_layer", default=None,
                      help="layer of a multi-layer file (KML/KMZ folder, GeoPackage table, "
                      "XLSX worksheet)")
    imp.add_argument("--id-field", default=None, help="column holding zone_id or 序号")
    imp.add_argument("--name-field", default=None, help="column holding the zone name")
    imp.add_argument("--crs", default=None, help="CRS of a file that has none, e.g. EPSG:4516")
    imp.add_argument("--zone", type=int, default=None, help="Gauss-Kruger zone of such a file")
    imp.add_argument("--swap-axes", action="store_true", help="swap X/Y when they are swapped")
    imp.add_argument("--fix", action="store_true", help="repair invalid geometry, reporting each")
    imp.add_argument("--dry-run", action="store_true", help="report matches, write nothing")
    imp.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Match, report, and (unless ``--dry-run``) replace the layer in the store.

    Returns :data:`~mineplan.cli.common.EXIT_USAGE` when nothing matched.
    """
    import sys

    import geopandas as gpd

    from mineplan.errors import StoreError
    from mineplan.importing import apply_import, match_features
    from mineplan.io.readers import read_geometry_file
    from mineplan.layers import read_layer_specs
    from mineplan.store import EditRecord, read_layer, update_layer
    from mineplan.web.prepare import start_prepare

    store = args.store
    specs = read_layer_specs()
    code = args.layer.upper()
    if code not in specs or not specs[code].is_zone_layer:
        zone_layers = [c for c, s in specs.items() if s.is_zone_layer]
        raise StoreError(f"{args.layer!r} is not a zone layer; choose one of {zone_layers}")
    result = read_geometry_file(
        args.file, layer=args.source_layer, crs=args.crs, zone=args.zone,
        swap_axes=args.swap_axes, expect="polygon", fix=args.fix,
    )
    print_warnings(result.warnings)
    layer = read_layer(store, code)
    report = match_features(layer, result.frame, id_field=args.id_field,
                            name_field=args.name_field)
    print(report.summary(layer=f"{code} {specs[code].name}", total_zones=len(layer)))
    if not report.matched:
        print("mineplan: nothing matched; the store is unchanged", file=sys.stderr)
        return EXIT_USAGE
    # the dry run refuses what the import would refuse (e.g. points for a polygon layer)
    apply_import(layer, result.frame, report, source=str(args.file))
    if args.dry_run:
        print("dry run: the store is unchanged")
        return EXIT_OK
    def update(current: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        # matched again against the layer as it is under the writer lock, so an import
        # another planner finished meanwhile is kept, not overwritten
        again = match_features(current, result.frame, id_field=args.id_field,
                               name_field=args.name_field)
        return apply_import(current, result.frame, again, source=str(args.file))

    update_layer(store, code, update, spec=specs[code],
                 edit=EditRecord(f"mineplan import {code}", source=str(args.file)))
    start_prepare(store)  # the web map's first view of the new version, in the background
    print(f"updated {store}")
    return EXIT_OK
