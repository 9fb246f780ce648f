"""``mineplan redline import``: the user's own control layers (三区三线 and others).

Imports :mod:`mineplan.cli.common` and, inside :func:`run_import`, the readers,
the control-layer builder and the store.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mineplan.cli.common import (
    EXIT_OK,
    Subparsers,
    add_store_option,
    layer_qml_texts,
    print_warnings,
    usage,
)

__all__ = ["register", "run_import"]


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``redline`` and its ``import`` to the ``mineplan`` command's subparsers."""
    red = subparsers.add_parser("redline", parents=[common], help="the user's own control layers")
    red_sub = red.add_subparsers(title="redline commands", metavar="COMMAND")
    rimp = red_sub.add_parser(
        "import", parents=[common], help="replace a control layer (e.g. STHX) with a real one",
        description="Validate and store a delivered control layer (生态保护红线 STHX, "
        "永久基本农田 YJJBNT, 城镇开发边界 CZKFBJ, or any control layer defined in layers/, "
        "e.g. 自然保护区 ZRBHQ); its source and date are recorded on every feature. Replaces "
        "that layer's data; the store changes only on success.",
    )
    rimp.add_argument("layer", help="control layer code: STHX, YJJBNT, CZKFBJ or any control "
                      "layer defined in layers/ (e.g. ZRBHQ 自然保护区)")
    rimp.add_argument("file", type=Path, help="SHP/zip/GPKG/GeoJSON/KML/KMZ/DXF/coordinate TXT")
    rimp.add_argument("--date", required=True, help="date of the data, YYYY-MM-DD")
    add_store_option(rimp, help="store to update")
    rimp.add_argument("--name-field", default=None, help="column with each feature's name")
    rimp.add_argument("--region-field", default=None, help="column with each feature's county")
    rimp.add_argument("--layer", "--source-layer", dest="source_layer", default=None,
                      help="layer of a multi-layer file (KML/KMZ folder, GeoPackage table, "
                      "XLSX worksheet)")
    rimp.add_argument("--crs", default=None, help="CRS of a file that has none")
    rimp.add_argument("--zone", type=int, default=None, help="Gauss-Kruger zone of such a file")
    rimp.add_argument("--fix", action="store_true",
                      help="repair invalid geometry (make_valid), reporting each repair")
    rimp.set_defaults(run=run_import)
    red.set_defaults(run=usage(red))


def run_import(args: argparse.Namespace) -> int:
    """Validate the file as control layer ``args.layer`` and replace (or add) it."""
    from mineplan.errors import StoreError
    from mineplan.importing.control import control_layer_frame
    from mineplan.io.readers import read_geometry_file
    from mineplan.layers import read_layer_specs
    from mineplan.store import EditRecord, list_layers, replace_layer
    from mineplan.vocab import format_area
    from mineplan.web.prepare import start_prepare

    store = args.store
    specs = read_layer_specs()
    code = args.layer.upper()
    if code not in specs or specs[code].group != "control":
        controls = [c for c, s in specs.items() if s.group == "control"]
        raise StoreError(f"{args.layer!r} is not a control layer; choose one of {controls}")
    result = read_geometry_file(args.file, layer=args.source_layer, crs=args.crs,
                                zone=args.zone, expect="polygon", fix=args.fix)
    print_warnings(result.warnings)
    frame = control_layer_frame(result.frame, spec=specs[code], source=str(args.file),
                                source_date=args.date, name_field=args.name_field,
                                region_field=args.region_field)
    added = code not in list_layers(store)
    replace_layer(store, code, frame, spec=specs[code], create=True,
                  qml=layer_qml_texts({code: specs[code]})[code] if added else None,
                  edit=EditRecord(f"mineplan redline import {code}", source=str(args.file)))
    start_prepare(store)  # the web map's first view of the new version, in the background
    done = "layer added to" if added else "replaced in"
    print(f"{code} {specs[code].name}: {len(frame)} features, "
          f"{format_area(frame['geom_area_km2'].sum())} (ellipsoidal; overlaps counted in each "
          f"feature) from {args.file} ({args.date}); {done} {store}")
    return EXIT_OK
