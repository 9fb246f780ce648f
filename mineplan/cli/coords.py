"""``mineplan coords info|convert``: what a coordinate file is, and conversion.

Imports :mod:`mineplan.cli.common` and, inside the functions that run the commands,
the coordinate and GIS readers and writers.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mineplan.cli.common import EXIT_OK, Subparsers, usage

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from mineplan.io.coordinates import CoordinateFile

__all__ = ["add_coords_commands", "register", "run_convert", "run_info"]


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``coords info`` and ``coords convert`` to the ``mineplan`` command."""
    coords = subparsers.add_parser("coords", parents=[common],
                                   help="coordinate files: info, convert")
    inner = coords.add_subparsers(title="coords commands", metavar="COMMAND")

    info = inner.add_parser("info", parents=[common], help="what a coordinate/GIS file holds")
    info.add_argument("file", type=Path)
    info.add_argument("--fix", action="store_true", help="repair what is safely repairable")
    info.add_argument("--zone", type=int, default=None,
                      help="Gauss-Kruger zone of eastings written without zone prefix "
                           "(3-degree, e.g. 28 for 84°E)")
    info.add_argument("--crs", default=None, help="CRS of an input that states none")
    info.add_argument("--layer", default=None,
                      help="layer of a multi-layer file (KML/KMZ folder, GeoPackage table, "
                           "XLSX worksheet)")
    info.set_defaults(run=run_info)

    conv = inner.add_parser("convert", parents=[common], help="convert between formats")
    conv.add_argument("input", type=Path)
    conv.add_argument("output", type=Path, help=".txt (boundary TXT), .gpkg, .geojson, .shp, .kml")
    conv.add_argument("--format", choices=["boundary", "registration"], default="boundary",
                      help="TXT layout when OUTPUT is .txt (default boundary)")
    conv.add_argument("--encoding", choices=["gbk", "utf-8"], default="gbk",
                      help="TXT encoding (default gbk, as offices expect)")
    conv.add_argument("--zone", type=int, default=None,
                      help="Gauss-Kruger 3-degree zone of a TXT output (default: from the data)")
    conv.add_argument("--to-crs", default=None, help="CRS of a GIS output, e.g. EPSG:4490")
    conv.add_argument("--crs", default=None, help="CRS of an input that has none")
    conv.add_argument("--source-zone", type=int, default=None,
                      help="Gauss-Kruger zone of input eastings written without zone prefix")
    conv.add_argument("--fix", action="store_true", help="repair what is safely repairable")
    conv.add_argument("--layer", default=None,
                      help="layer of a multi-layer input (KML/KMZ folder, GeoPackage table, "
                           "XLSX worksheet)")
    conv.set_defaults(run=run_convert)
    coords.set_defaults(run=usage(coords))


#: The name this registration had before the CLI became one module per command.
add_coords_commands = register


def run_info(args: argparse.Namespace) -> int:
    """Print a file's format, CRS and, for a coordinate TXT, each plot with its areas."""
    from mineplan.io import coordinates as coordfiles
    from mineplan.io.readers import coordinate_file_kind, read_geometry_file
    from mineplan.vocab import format_area

    kind = coordinate_file_kind(args.file) if args.file.is_file() else None
    if kind is not None and args.crs is None and args.zone is None:
        return _info_coordinate_txt(args, kind)
    result = read_geometry_file(args.file, fix=args.fix, zone=args.zone, crs=args.crs,
                                layer=args.layer)
    frame = result.frame
    print(f"file:      {args.file}")
    print(f"format:    {result.source_format}")
    if result.source_format.startswith("coordinate TXT (coordinate table"):
        # a pasted or exported table: blocks, corners, official and stated areas
        for line in coordfiles.describe_coordinates(frame):
            print(line)
        # each note once; a block's stated-area comparison is already in its lines above
        described = set(frame.attrs.get("described_notes", ()))
        for warning in dict.fromkeys(result.warnings):
            if warning not in described:
                print(f"note:      {warning}")
        return EXIT_OK
    epsg = frame.crs.to_epsg() if frame.crs is not None else None
    print(f"CRS:       {frame.crs.name if frame.crs is not None else '?'} (EPSG:{epsg}; "
          f"from {result.crs_source})")
    if kind is not None:
        cf = (coordfiles.read_registration_txt(args.file, fix=args.fix) if kind == "registration"
              else coordfiles.read_boundary_txt(args.file, fix=args.fix))
        _print_plots(cf, frame.to_dict("records"))
    else:
        areas = _areas_km2(frame)
        kinds = sorted(set(frame.geom_type.dropna()))
        print(f"features:  {len(frame)}; geometry {kinds}")
        if len(areas):
            invalid = int(areas.isna().sum())
            skipped = (f"; {invalid} invalid polygon(s) not measured: give --fix to repair"
                       if invalid else "")
            print(f"area:      {format_area(areas.sum())} (ellipsoidal, CGCS2000){skipped}")
        else:
            print("area:      none: no polygon (a boundary must be drawn as a polygon or a "
                  "closed line; corner points belong in a coordinate table, .csv/.xlsx/.txt "
                  "with columns 点号,X,Y)")
    for warning in dict.fromkeys(result.warnings):  # each once
        print(f"warning:   {warning}")
    return EXIT_OK


def _info_coordinate_txt(args: argparse.Namespace, kind: str) -> int:
    """``coords info`` of a boundary or registration TXT that states its CRS: the same
    lines as through :func:`~mineplan.io.readers.read_geometry_file`, from the parsed
    file alone (read once; no GeoDataFrame, so geopandas and pandas never load)."""
    import pyproj

    from mineplan.io.coordinates.geometry import plot_records
    from mineplan.io.readers import read_coordinate_txt

    cf = read_coordinate_txt(args.file, kind, fix=args.fix)
    assert cf.crs.epsg is not None  # read_coordinate_txt raises otherwise
    crs = pyproj.CRS.from_epsg(cf.crs.epsg)
    print(f"file:      {args.file}")
    print(f"format:    coordinate TXT ({cf.format}, {cf.encoding})")
    print(f"CRS:       {crs.name} (EPSG:{crs.to_epsg()}; from file)")
    _print_plots(cf, plot_records(cf))
    for warning in cf.warnings:
        print(f"warning:   {warning}")
    return EXIT_OK


def _print_plots(cf: CoordinateFile, rows: Sequence[Mapping[str, Any]]) -> None:
    """The encoding, datum, zone and the table of plots with stated and official area."""
    from mineplan.vocab import format_area

    points = sum(len(r.points) for p in cf.plots for r in p.rings)
    if getattr(cf.crs, "geographic", False):
        where = "geographic (latitude/longitude, 度分秒 or degrees)"
    else:
        where = (f"zone {cf.crs.zone} ({cf.crs.width}-degree"
                 f"{', prefixed' if cf.crs.prefixed else ''})")
    print(f"encoding:  {cf.encoding}; datum {cf.crs.datum}; {where}")
    print(f"plots:     {len(cf.plots)}; points {points}")
    table = [("no.", "name", "rings", "points", "stated", "ellipsoidal km²", "difference")]
    for plot, row in zip(cf.plots, rows, strict=True):
        unit = plot.stated_area_unit or "公顷（默认单位）"
        number = plot.stated_area_text or (
            "" if plot.stated_area is None else f"{plot.stated_area:g}")
        stated = f"{number} {unit}" if number else ""
        known = plot.stated_area_unit or "公顷"
        difference = row["area_difference"]
        diff = "" if difference != difference else (
            ("+" if difference >= 0 else "")
            + format_area(difference, known, with_unit=False) + f" {unit}")
        table.append((plot.number or "-", plot.name, str(len(plot.rings)),
                      str(sum(len(r.points) for r in plot.rings)), stated,
                      format_area(row["area_km2"], with_unit=False), diff))
    for line in _aligned(table, right=(2, 3, 5)):
        print("  " + line)


def _aligned(rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> list[str]:
    """Rows of cells as lines, each column as wide as its widest cell in a terminal's
    monospaced font (a Chinese character takes two places); ``right``: columns aligned
    right."""
    from mineplan.checks.findings.model import display_width

    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, (cell, width) in enumerate(zip(row, widths, strict=True)):
            pad = " " * (width - display_width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return lines


def _areas_km2(frame: gpd.GeoDataFrame) -> pd.Series:
    import pandas as pd

    from mineplan.geodesy import ellipsoidal_area_km2

    polys = frame[frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    if not len(polys):  # points and lines have no area (and no planar area is asked for)
        return pd.Series([], dtype=float)
    valid = polys.is_valid  # invalid ones are listed among the reader's warnings
    areas = pd.Series(float("nan"), index=polys.index)
    if valid.any():
        areas[valid] = ellipsoidal_area_km2(polys[valid])
    return areas


def run_convert(args: argparse.Namespace) -> int:
    """Convert a coordinate or GIS file to a boundary/registration TXT or a GIS file."""
    from mineplan.atomic import atomic_write_bytes
    from mineplan.errors import CoordinateFileError
    from mineplan.io import coordinates as coordfiles
    from mineplan.io.gis import write_gis_file
    from mineplan.io.readers import read_geometry_file

    to_txt = args.output.suffix.lower() == ".txt"
    result = read_geometry_file(args.input, crs=args.crs, zone=args.source_zone, fix=args.fix,
                                layer=args.layer, expect="polygon" if to_txt else None)
    for warning in result.warnings:
        print(f"warning: {warning}")
    frame = result.frame
    if args.output.suffix.lower() == ".txt":
        zone = args.zone or _zone_of(frame)
        if args.format == "registration":
            if len(frame) != 1:
                raise CoordinateFileError(
                    f"a registration TXT holds one block; the input has {len(frame)} — "
                    "convert one block at a time, or use --format boundary", path=args.input)
            plots = coordfiles.plots_from_frame(frame, zone=zone)
            data = coordfiles.format_registration_txt(plots[0], encoding=args.encoding)
        else:
            data = coordfiles.format_boundary_txt(frame, zone=zone, encoding=args.encoding)
        atomic_write_bytes(args.output, data)
    else:
        if args.to_crs:
            frame = frame.to_crs(args.to_crs)
        write_gis_file(frame, args.output)
    print(f"wrote {args.output} ({len(frame)} feature(s))")
    return EXIT_OK


def _zone_of(frame: gpd.GeoDataFrame) -> int:
    """The 3-degree zone of a TXT output: the frame's own GK zone, else its centroid's."""
    from mineplan.errors import CRSError
    from mineplan.geodesy import gk_zone_from_epsg, zone_for_longitude
    from mineplan.vocab import STORE_CRS

    epsg = frame.crs.to_epsg() if frame.crs is not None else None
    if epsg is not None:
        try:
            zone = gk_zone_from_epsg(epsg)
        except CRSError:  # not a CGCS2000 Gauss-Kruger CRS
            pass
        else:
            if zone.width == 3:
                return zone.zone
    lon = frame.to_crs(STORE_CRS).union_all().centroid.x
    return zone_for_longitude(lon, width=3)
