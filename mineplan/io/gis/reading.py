"""Reading one layer of a GIS file: Shapefile (also zipped), GeoPackage, GeoJSON, KML/KMZ, DXF, CSV.

:func:`read_gis_file` opens the layer through pyogrio (GDAL) — archives checked by
:mod:`mineplan.io.archives` first, attribute encodings settled by
:mod:`~mineplan.io.gis.dbf` — then settles its CRS (:mod:`~mineplan.io.gis.crs`) and
checks its geometries (:mod:`~mineplan.io.gis.validation`).

May import: ``errors``, ``vocab``, ``geodesy``, :mod:`mineplan.io.archives` and the
other modules of this package.
"""

from __future__ import annotations

import logging
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pyogrio
import shapely

from mineplan.errors import CoordinateFileError
from mineplan.geodesy import CRSLike
from mineplan.io.archives import UnsafeArchiveError, ZipLimits, check_zip
from mineplan.io.gis.crs import CRSSource, settle_crs
from mineplan.io.gis.dbf import guess_dbf, shapefile_encoding
from mineplan.io.gis.drivers import SUPPORTED_READ_SUFFIXES, gdal_call, quoted, row_list
from mineplan.io.gis.tables import read_csv
from mineplan.io.gis.validation import validate

__all__ = ["ReadResult", "read_gis_file"]

log = logging.getLogger(__name__)


@dataclass
class ReadResult:
    """What :func:`read_gis_file` found.

    Attributes
    ----------
    frame
        The features, with a CRS always set.
    source_format
        The GDAL driver that read the file (``"ESRI Shapefile"``, ``"GPKG"`` …) or
        ``"CSV"`` for coordinate tables.
    layer
        The layer read, or None when the format has no named layers.
    crs_source
        Where the CRS came from: ``"file"``, ``"argument"``, ``"zone argument"``,
        ``"detected from coordinates"`` or ``"assumed CGCS2000 geographic"``.
    warnings
        Everything the caller should be told: guessed encodings, assumed CRSs,
        invalid or empty geometries, repairs made.
    """

    frame: gpd.GeoDataFrame
    source_format: str
    layer: str | None
    crs_source: CRSSource
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------ reading


def read_gis_file(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    encoding: str | None = None,
    crs: CRSLike | None = None,
    zone: int | None = None,
    swap_axes: bool = False,
    expect: Literal["polygon"] | None = None,
    strict: bool = False,
    fix: bool = False,
    zip_limits: ZipLimits | None = None,
) -> ReadResult:
    """Read one layer of a GIS file into a GeoDataFrame with a settled CRS.

    Parameters
    ----------
    path
        ``.shp``, ``.zip`` (zipped Shapefile), ``.gpkg``, ``.geojson``/``.json``,
        ``.kml``, ``.kmz``, ``.dxf`` or ``.csv`` (coordinate columns).
    layer
        Layer to read; required when the file holds several.
    encoding
        Attribute text encoding of a Shapefile or CSV. Default: the ``.cpg`` file,
        else detected from the bytes (UTF-8, else GB18030).
    crs
        CRS to use instead of (or in the absence of) the file's own.
    zone
        Gauss-Kruger zone number (3-degree 25–45, 6-degree 13–23) for plane
        coordinates without a zone prefix and without a CRS in the file.
    swap_axes
        Swap x and y when the numbers show the northing was stored as x
        (reported as a warning); without it such a file is an error.
    expect
        ``"polygon"``: report features that are not (multi)polygons.
    strict
        Raise instead of warning about invalid, empty or unexpected geometries.
    fix
        Repair invalid geometries with :func:`shapely.make_valid`, reporting each one.
    zip_limits
        Safety limits for ``.zip``/``.kmz`` archives; default :class:`ZipLimits`.

    Returns
    -------
    ReadResult

    Raises
    ------
    CoordinateFileError
        The file is missing, not a GIS file, unsafe, or its layer/geometries unusable.
    CRSError
        The CRS is missing and cannot be told from the numbers, or contradicts them.
    """
    path = Path(path)
    if not path.is_file():
        raise CoordinateFileError("no such file (check the path)", path=path)
    suffix = path.suffix.lower()
    warnings: list[str] = []
    limits = zip_limits or ZipLimits()

    if suffix == ".csv":
        frame = read_csv(path, encoding=encoding, warnings=warnings)
        source_format, layer_name = "CSV", None
    elif suffix in SUPPORTED_READ_SUFFIXES:
        source, open_encoding = _gdal_source(path, suffix, encoding, limits, warnings)
        layer_name = _choose_layer(path, source, layer, suffix)
        frame, source_format = _read_layer(path, source, layer_name, open_encoding)
        if suffix == ".dxf":
            frame = _dxf_lines_to_polygons(frame, warnings)
    else:
        raise CoordinateFileError(
            f"unsupported file type {path.suffix or '(no extension)'!r}; "
            f"use one of {', '.join(SUPPORTED_READ_SUFFIXES)}",
            path=path,
        )

    frame, crs_source = settle_crs(
        frame, path=path, crs=crs, zone=zone, swap_axes=swap_axes, warnings=warnings
    )
    frame = validate(frame, path=path, expect=expect, strict=strict, fix=fix, warnings=warnings)
    for message in warnings:
        log.info("%s: %s", path, message)
    return ReadResult(frame, source_format, layer_name, crs_source, warnings)


def _gdal_source(
    path: Path, suffix: str, encoding: str | None, limits: ZipLimits, warnings: list[str]
) -> tuple[str, str | None]:
    """The GDAL path to open and the encoding to pass to pyogrio."""
    if suffix == ".shp":
        return str(path), shapefile_encoding(path, encoding, warnings)
    if suffix == ".zip":
        return _zipped_shapefile(path, encoding, limits, warnings)
    if suffix == ".kmz":
        members = _check_zip(path, limits)
        if "LIBKML" in pyogrio.list_drivers():
            return str(path), None
        kml = [m for m in members if m.lower().endswith(".kml")]
        if not kml:
            raise CoordinateFileError("the KMZ holds no .kml document", path=path)
        return f"/vsizip/{path}/{kml[0]}", None
    return str(path), encoding


def _choose_layer(path: Path, source: str, layer: str | None, suffix: str) -> str | None:
    layers = gdal_call(path, lambda: pyogrio.list_layers(source))
    names = [str(name) for name in layers[:, 0]] if len(layers) else []
    if not names:
        raise CoordinateFileError("the file holds no layers", path=path)
    if layer is not None:
        if layer not in names:
            raise CoordinateFileError(
                f"no layer {layer!r}; the file holds {quoted(names)}", path=path
            )
        return layer
    if len(names) > 1:
        raise CoordinateFileError(
            f"the file holds {len(names)} layers ({quoted(names)}); say which with layer=",
            path=path,
        )
    return names[0] if suffix in (".gpkg", ".kml", ".kmz") else None


def _read_layer(
    path: Path, source: str, layer: str | None, encoding: str | None
) -> tuple[gpd.GeoDataFrame, str]:
    info = gdal_call(
        path, lambda: pyogrio.read_info(source, layer=layer, encoding=encoding), layer=layer
    )
    frame = gdal_call(
        path,
        lambda: pyogrio.read_dataframe(source, layer=layer, encoding=encoding),
        layer=layer,
    )
    if not isinstance(frame, gpd.GeoDataFrame):
        where = "the file" if layer is None else f"layer {layer!r}"
        raise CoordinateFileError(
            f"{where} has no geometry column; for a table of coordinates use a .csv",
            path=path,
        )
    return frame, str(info.get("driver") or "unknown")


def _zipped_shapefile(
    path: Path, encoding: str | None, limits: ZipLimits, warnings: list[str]
) -> tuple[str, str | None]:
    members = _check_zip(path, limits)
    shps = [m for m in members if m.lower().endswith(".shp")]
    if len(shps) != 1:
        found = f"{len(shps)} (" + quoted(shps) + ")" if shps else "none"
        raise CoordinateFileError(
            f"a zipped Shapefile must hold exactly one .shp; found {found}. "
            "Unzip it and open the .shp you want",
            path=path,
        )
    shp = shps[0]
    stem = shp[:-4].lower()
    if encoding is None and not any(m.lower() == stem + ".cpg" for m in members):
        dbf = next((m for m in members if m.lower() == stem + ".dbf"), None)
        if dbf is not None:
            with zipfile.ZipFile(path) as archive:
                encoding = guess_dbf(archive.read(dbf), warnings)
    return f"/vsizip/{path}/{shp}", encoding


def _check_zip(path: Path, limits: ZipLimits) -> tuple[str, ...]:
    """Refuse unsafe archives (:func:`mineplan.io.archives.check_zip`); return member names."""
    try:
        return check_zip(path, limits)
    except UnsafeArchiveError as exc:
        raise CoordinateFileError(str(exc), path=path) from exc


# -------------------------------------------------------------------------- DXF


def _dxf_lines_to_polygons(frame: gpd.GeoDataFrame, warnings: list[str]) -> gpd.GeoDataFrame:
    """Closed polylines become polygons; open ones stay lines and are reported."""
    geoms = frame.geometry.array
    out = []
    open_rows = []
    for i, geom in enumerate(geoms):
        if isinstance(geom, shapely.LineString) and not geom.is_empty:
            if geom.is_closed and len(geom.coords) >= 4:
                out.append(shapely.Polygon(geom.coords))
                continue
            open_rows.append(i)
        out.append(geom)
    if open_rows:
        warnings.append(
            f"{len(open_rows)} DXF polyline(s) are open and were kept as lines, not "
            f"polygons: features {row_list(open_rows)}; close them in the CAD drawing"
        )
    result = frame.copy()
    result[result.geometry.name] = gpd.GeoSeries(out, index=frame.index, crs=frame.crs)
    return result

