"""The ``mineplan`` command line.

``mineplan build``   build the GeoPackage from the catalogue (default geodata/mineplan.gpkg)
``mineplan layers``  list the layers of a store with feature counts and areas
``mineplan styles``  write styles/qml/<CODE>.qml from styles/styles.toml
``mineplan import``  real geometry (coordinate TXT or GIS file) replaces schematic shapes
``mineplan coords``  ``info`` / ``convert`` coordinate and GIS files
``mineplan figure``  print-quality maps: region overview, zone sheet, atlas
``mineplan audit``   where the plans contradict themselves, with both values and sources
``mineplan check``   plan-wide red-line/rule audit (--plan) or pre-grant check (--proposal)

Errors mineplan expects (bad input, missing files) print one plain message and
exit with status 2; ``--debug`` shows the traceback of anything else.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path

from mineplan import settings
from mineplan.errors import MineplanError
from mineplan.layers import LayerSpec
from mineplan.settings import DEFAULT_STORE, geodata_dir, styles_dir

__all__ = ["main"]

log = logging.getLogger("mineplan")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * args.verbose + 10 * args.quiet,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except MineplanError as err:
        print(f"mineplan: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mineplan: interrupted; nothing was replaced", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as err:  # an unexpected failure: say so plainly, no traceback
        if args.debug:
            raise
        print(
            f"mineplan: internal error: {type(err).__name__}: {err}\n"
            "(this is a bug; run again with --debug for details)",
            file=sys.stderr,
        )
        return 3


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=0, help="more messages")
    common.add_argument("-q", "--quiet", action="count", default=0, help="fewer messages")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    parser = argparse.ArgumentParser(
        prog="mineplan", parents=[common],
        description="矿产资源总体规划 GIS: plan zones, red-line checks, maps.",
    )
    parser.add_argument("--version", action="version", version=f"mineplan {version('mineplan')}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = sub.add_parser("build", parents=[common], help="build the GeoPackage store")
    build.add_argument("-o", "--output", type=Path, default=None,
                       help=f"GeoPackage to write (default {DEFAULT_STORE})")
    build.add_argument("--plans", default="", help="comma-separated plan slugs (default all)")
    build.set_defaults(run=_run_build)

    layers = sub.add_parser("layers", parents=[common], help="list the layers of a store")
    layers.add_argument("--store", type=Path, default=None, help="GeoPackage to read")
    layers.set_defaults(run=_run_layers)

    imp = sub.add_parser(
        "import", parents=[common],
        help="replace schematic zone geometry with real geometry from a file",
        description="Match the file's features to the layer's zones by number or name and "
        "replace their schematic shapes. Unmatched zones keep theirs; the store is "
        "replaced only if everything succeeds.",
    )
    imp.add_argument("layer", help="layer code, e.g. TKGH (see `mineplan layers`)")
    imp.add_argument("file", type=Path,
                     help="coordinate TXT, SHP/zip/GPKG/GeoJSON/KML/KMZ/DXF/CSV")
    imp.add_argument("--store", type=Path, default=None, help="GeoPackage to update")
    imp.add_argument("--source-layer", default=None, help="layer of a multi-layer file")
    imp.add_argument("--id-field", default=None, help="column holding zone_id or 序号")
    imp.add_argument("--name-field", default=None, help="column holding the zone name")
    imp.add_argument("--crs", default=None, help="CRS of a file that has none, e.g. EPSG:4516")
    imp.add_argument("--zone", type=int, default=None, help="Gauss-Kruger zone of such a file")
    imp.add_argument("--swap-axes", action="store_true", help="swap X/Y when they are swapped")
    imp.add_argument("--fix", action="store_true", help="repair invalid geometry, reporting each")
    imp.add_argument("--dry-run", action="store_true", help="report matches, write nothing")
    imp.set_defaults(run=_run_import)

    from mineplan.cli.audit import add_audit_command
    from mineplan.cli.check import add_check_commands
    from mineplan.cli.coords import add_coords_commands
    from mineplan.cli.figure import add_figure_command

    add_coords_commands(sub, common)
    add_figure_command(sub, common)
    add_audit_command(sub, common)
    add_check_commands(sub, common)

    red = sub.add_parser("redline", parents=[common], help="the user's own control layers")
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
    rimp.add_argument("--store", type=Path, default=None, help="GeoPackage to update")
    rimp.add_argument("--name-field", default=None, help="column with each feature's name")
    rimp.add_argument("--region-field", default=None, help="column with each feature's county")
    rimp.add_argument("--source-layer", default=None, help="layer of a multi-layer file")
    rimp.add_argument("--crs", default=None, help="CRS of a file that has none")
    rimp.add_argument("--zone", type=int, default=None, help="Gauss-Kruger zone of such a file")
    rimp.add_argument("--fix", action="store_true",
                      help="repair invalid geometry (make_valid), reporting each repair")
    rimp.set_defaults(run=_run_redline_import)
    red.set_defaults(run=_usage(red))

    styles = sub.add_parser("styles", parents=[common], help="write QGIS .qml files")
    styles.add_argument("-o", "--output-dir", type=Path, default=None,
                        help="folder for the .qml files (default styles/qml)")
    styles.set_defaults(run=_run_styles)
    return parser


def _usage(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """A command group called without a command: show its help, exit 2."""
    def run(_args: argparse.Namespace) -> int:
        parser.print_help()
        return 2
    return run


def _default_store() -> Path:
    return settings.store_location()


def _run_build(args: argparse.Namespace) -> int:
    from mineplan.boundaries import read_boundaries
    from mineplan.build import BuildInputs, build_layers
    from mineplan.build.demo import read_demo_hints
    from mineplan.catalog import read_catalog
    from mineplan.layers import read_layer_specs
    from mineplan.store import write_store

    output = args.output or _default_store()
    specs = read_layer_specs()
    slugs = [s for s in args.plans.split(",") if s] or None
    catalog = read_catalog(slugs=slugs, layer_codes=list(specs))
    if not args.quiet:
        print(f"catalogue: {len(catalog)} zones from {catalog['region'].nunique()} plan(s)")
    inputs = BuildInputs(catalog=catalog, specs=specs, boundaries=read_boundaries(),
                         demo_hints=read_demo_hints())
    layers = build_layers(inputs)
    write_store(output, layers, specs=specs, qml=_qml(specs), meta=_meta(catalog))
    total = sum(len(f) for code, f in layers.items() if specs[code].is_zone_layer)
    print(f"wrote {output}: {total} zones in {len(layers)} layers (geometry 示意: schematic)")
    if not args.quiet:
        for code, frame in layers.items():
            print(f"  {code:<7} {specs[code].name:<10} {len(frame):>5}")
    return 0


def _run_layers(args: argparse.Namespace) -> int:
    from mineplan.layers import read_layer_specs
    from mineplan.store import list_layers, read_layer, read_meta

    store = args.store or _default_store()
    specs = read_layer_specs()
    meta = read_meta(store)
    print(f"{store}  (built by mineplan {meta.get('mineplan_version', '?')})")
    for code in list_layers(store):
        frame = read_layer(store, code)
        name = specs[code].name if code in specs else "?"
        status = frame.get("geometry_status", None)
        schematic = int((status == "示意").sum()) if status is not None else 0
        area = frame["geom_area_km2"].sum() if "geom_area_km2" in frame else float("nan")
        print(f"  {code:<7} {name:<10} {len(frame):>5} features  {schematic:>5} 示意  "
              f"{area:12.4f} km²")
    return 0


def _run_import(args: argparse.Namespace) -> int:
    from mineplan.errors import StoreError
    from mineplan.importing import apply_import, match_features
    from mineplan.io.readers import read_geometry_file
    from mineplan.layers import read_layer_specs
    from mineplan.store import read_layer, replace_layer

    store = args.store or _default_store()
    specs = read_layer_specs()
    code = args.layer.upper()
    if code not in specs or not specs[code].is_zone_layer:
        zone_layers = [c for c, s in specs.items() if s.is_zone_layer]
        raise StoreError(f"{args.layer!r} is not a zone layer; choose one of {zone_layers}")
    result = read_geometry_file(
        args.file, layer=args.source_layer, crs=args.crs, zone=args.zone,
        swap_axes=args.swap_axes, expect="polygon", fix=args.fix,
    )
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    layer = read_layer(store, code)
    report = match_features(layer, result.frame, id_field=args.id_field,
                            name_field=args.name_field)
    print(report.summary(layer=f"{code} {specs[code].name}", total_zones=len(layer)))
    if not report.matched:
        print("mineplan: nothing matched; the store is unchanged", file=sys.stderr)
        return 2
    if args.dry_run:
        print("dry run: the store is unchanged")
        return 0
    updated = apply_import(layer, result.frame, report, source=str(args.file))
    replace_layer(store, code, updated, spec=specs[code])
    print(f"updated {store}")
    return 0


def _run_redline_import(args: argparse.Namespace) -> int:
    from mineplan.errors import StoreError
    from mineplan.importing.control import control_layer_frame
    from mineplan.io.readers import read_geometry_file
    from mineplan.layers import read_layer_specs
    from mineplan.store import list_layers, replace_layer

    store = args.store or _default_store()
    specs = read_layer_specs()
    code = args.layer.upper()
    if code not in specs or specs[code].group != "control":
        controls = [c for c, s in specs.items() if s.group == "control"]
        raise StoreError(f"{args.layer!r} is not a control layer; choose one of {controls}")
    result = read_geometry_file(args.file, layer=args.source_layer, crs=args.crs,
                                zone=args.zone, expect="polygon", fix=args.fix)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    frame = control_layer_frame(result.frame, spec=specs[code], source=str(args.file),
                                source_date=args.date, name_field=args.name_field,
                                region_field=args.region_field)
    added = code not in list_layers(store)
    replace_layer(store, code, frame, spec=specs[code], create=True,
                  qml=_qml({code: specs[code]})[code] if added else None)
    done = "layer added to" if added else "replaced in"
    print(f"{code} {specs[code].name}: {len(frame)} features, "
          f"{frame['geom_area_km2'].sum():.4f} km² (ellipsoidal; overlaps counted in each "
          f"feature) from {args.file} ({args.date}); {done} {store}")
    return 0


def _run_styles(args: argparse.Namespace) -> int:
    from mineplan.layers import read_layer_specs

    out = args.output_dir or styles_dir() / "qml"
    out.mkdir(parents=True, exist_ok=True)
    specs = read_layer_specs()
    for code, text in _qml(specs).items():
        (out / f"{code}.qml").write_text(text, encoding="utf-8")
    print(f"wrote {len(specs)} styles to {out}")
    return 0


def _qml(specs: Mapping[str, LayerSpec]) -> dict[str, str]:
    from mineplan.layers import read_styles
    from mineplan.styles import layer_qml

    styles, schematic = read_styles(codes=[s.style for s in specs.values()])
    return {code: layer_qml(spec, styles[spec.style], schematic) for code, spec in specs.items()}


def _meta(catalog: object) -> dict[str, str]:
    import pandas as pd

    assert isinstance(catalog, pd.DataFrame)
    meta = {
        "mineplan_version": version("mineplan"),
        "crs": "EPSG:4490 (CGCS2000)",
        "geometry": "示意: schematic shapes generated from the plans' stated areas; not surveyed",
        "redlines": "演示: demo 三区三线 layers generated from geodata/demo/hints.toml; not real",
        "zones": str(len(catalog)),
    }
    for path in sorted((geodata_dir() / "plans").glob("*.csv")):
        meta[f"sha256:{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return meta


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
