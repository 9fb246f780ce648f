"""Reading one layer of a GIS file: Shapefile (also zipped), GeoPackage, GeoJSON, KML/KMZ, DXF, CSV.

:func:`read_gis_file` opens the layer through pyogrio (GDAL) — archives checked by
:mod:`mineplan.io.archives` first, attribute encodings settled by
:mod:`~mineplan.io.gis.dbf` — then settles its CRS (:mod:`~mineplan.io.gis.crs`) and
checks its geometries (:mod:`~mineplan.io.gis.validation`).

May import: ``errors``, ``vocab``, ``geodesy``, :mod:`mineplan.io.archives` and the
other modules of this package.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import os
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pyogrio
import pyogrio.raw
import shapely

from mineplan.errors import CoordinateFileError, CRSError
from mineplan.geodesy import CRSLike
from mineplan.io.archives import UnsafeArchiveError, ZipLimits, check_zip
from mineplan.io.gis.crs import CRSSource, settle_crs
from mineplan.io.gis.dbf import guess_dbf, shapefile_encoding, sidecar
from mineplan.io.gis.drivers import SUPPORTED_READ_SUFFIXES, gdal_call, quoted, row_list
from mineplan.io.gis.geopackage import feature_tables
from mineplan.io.gis.tables import read_table, sheet_names
from mineplan.io.gis.validation import check_finite, validate

__all__ = ["ReadResult", "read_gis_file", "readable_layers"]

log = logging.getLogger(__name__)

_PRJ_BYTES = 64 * 1024  # a .prj is a line of text; more is not looked at


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
    made
        Polygons the reader made, by how: ``"corners"`` (one parcel's corners in a
        table), ``"plots"`` (a table's corners grouped by its plot column),
        ``"closed_lines"`` (KML boundaries drawn as closed paths) → how many; for
        whoever says so in another language (the web app).
    """

    frame: gpd.GeoDataFrame
    source_format: str
    layer: str | None
    crs_source: CRSSource
    warnings: list[str] = field(default_factory=list)
    made: dict[str, int] = field(default_factory=dict)


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
    made: dict[str, int] = {}
    limits = zip_limits or ZipLimits()
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise CoordinateFileError(
                f"unknown text encoding {encoding!r}; use e.g. 'utf-8' or 'gbk'", path=path
            ) from exc

    if suffix in (".csv", ".xlsx"):
        frame = read_table(path, encoding=encoding, sheet=layer, warnings=warnings, made=made)
        source_format = "CSV" if suffix == ".csv" else "XLSX"
        layer_name = layer if suffix == ".xlsx" else None
    elif suffix == ".xls":
        raise CoordinateFileError(
            "an Excel 97-2003 workbook (.xls) is not read; save it from Excel or WPS as "
            ".xlsx or .csv (另存为) and read that", path=path)
    elif suffix in SUPPORTED_READ_SUFFIXES:
        source, open_encoding = _gdal_source(path, suffix, encoding, limits, warnings)
        layer_name = _choose_layer(path, source, layer, suffix)
        frame, source_format = _read_layer(
            path,
            source,
            layer_name,
            open_encoding,
            stated=encoding is not None,
            fix=fix,
            warnings=warnings,
        )
        if suffix == ".dxf":
            frame = _dxf_lines_to_polygons(frame, warnings)
        elif suffix in (".kml", ".kmz"):
            frame = _closed_lines_to_polygons(frame, warnings, made)
    else:
        raise CoordinateFileError(
            f"unsupported file type {path.suffix or '(no extension)'!r}; "
            f"use one of {', '.join(SUPPORTED_READ_SUFFIXES)}",
            path=path,
        )

    check_finite(frame, path=path)
    frame, crs_source = settle_crs(
        frame, path=path, crs=crs, zone=zone, swap_axes=swap_axes, warnings=warnings
    )
    if expect == "polygon":
        _refuse_without_polygons(frame, path=path, layer=layer_name)
    frame = validate(frame, path=path, expect=expect, strict=strict, fix=fix, warnings=warnings)
    for message in warnings:
        log.info("%s: %s", path, message)
    return ReadResult(frame, source_format, layer_name, crs_source, warnings, made)


def _gdal_source(
    path: Path, suffix: str, encoding: str | None, limits: ZipLimits, warnings: list[str]
) -> tuple[str, str | None]:
    """The GDAL path to open and the encoding to pass to pyogrio."""
    if suffix == ".shp":
        prj = sidecar(path, ".prj")
        if prj is not None:
            _check_prj_text(path, prj.read_bytes()[:_PRJ_BYTES])
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


def readable_layers(path: str | os.PathLike[str], *, zip_limits: ZipLimits | None = None
                    ) -> list[str]:
    """The layers of a file one may choose among: those holding features.

    A KML/KMZ folder that holds nothing (Google Earth and 两步路 exports nest their
    placemarks in folders), an empty GeoPackage table and an empty worksheet are no
    layers. Empty for formats without named layers (Shapefile, GeoJSON, CSV, DXF).

    Raises
    ------
    CoordinateFileError
        The file cannot be opened.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return sheet_names(path)
    if suffix not in (".gpkg", ".kml", ".kmz"):
        return []
    source, _ = _gdal_source(path, suffix, None, zip_limits or ZipLimits(), [])
    return _nonempty_layers(path, source, suffix, None)


def _nonempty_layers(path: Path, source: str, suffix: str, layer: str | None) -> list[str]:
    layers = gdal_call(path, lambda: pyogrio.list_layers(source))
    names = [str(name) for name in layers[:, 0]] if len(layers) else []
    if suffix == ".gpkg":
        names = _geopackage_layers(path, names, layer)
    if len(names) <= 1:
        return names

    def count(name: str) -> int:
        info = gdal_call(path, lambda: pyogrio.read_info(source, layer=name), layer=name)
        return int(info.get("features", -1))

    return [name for name in names if count(name) != 0]  # -1: GDAL cannot tell cheaply


def _choose_layer(path: Path, source: str, layer: str | None, suffix: str) -> str | None:
    layers = gdal_call(path, lambda: pyogrio.list_layers(source))
    every = [str(name) for name in layers[:, 0]] if len(layers) else []
    if layer is not None:
        if suffix == ".gpkg":
            every = _geopackage_layers(path, every, layer)
        if layer not in every:
            names = _nonempty_layers(path, source, suffix, None) or every
            raise CoordinateFileError(
                f"no layer {layer!r}; the file holds {quoted(names)}", path=path,
                code="unknown_layer", fields={"layer": layer, "layers": names},
            )
        return layer
    names = _nonempty_layers(path, source, suffix, None)
    if not names:
        raise CoordinateFileError(
            "the file holds no layers" if not every else
            f"the file's layers ({quoted(every)}) hold no features", path=path)
    if len(names) > 1:
        raise CoordinateFileError(
            f"the file holds {len(names)} layers with features ({quoted(names)}); say which "
            "with --layer",
            path=path, code="several_layers", fields={"layers": names},
        )
    return names[0] if suffix in (".gpkg", ".kml", ".kmz") else None


def _geopackage_layers(path: Path, names: list[str], layer: str | None) -> list[str]:
    """GDAL's layer names cut to the real feature tables: views are refused (a view
    may be a query that never ends), attribute tables such as QGIS's ``layer_styles``
    left out."""
    found = feature_tables(path)
    if found is None:
        return names
    if layer is not None and layer in found.views:
        raise CoordinateFileError(
            f"layer {layer!r} is a view (a stored query), not a table: mineplan reads only "
            "real feature tables, since a view may run without end. Save the view as a "
            "table (e.g. QGIS “Export → Save Features As”) and read that",
            path=path,
        )
    tables = [name for name in names if name in found.tables]
    if not tables and found.views:
        raise CoordinateFileError(
            f"the GeoPackage's only feature layers are views ({quoted(found.views)}), "
            "stored queries mineplan does not run; save them as tables and read those",
            path=path,
        )
    return tables


def _read_layer(
    path: Path,
    source: str,
    layer: str | None,
    encoding: str | None,
    *,
    stated: bool,
    fix: bool,
    warnings: list[str],
) -> tuple[gpd.GeoDataFrame, str]:
    """The layer's features and GDAL's driver name.

    Attribute text that is not in the encoding declared (a ``.cpg`` saying UTF-8 over
    a GBK ``.dbf``, a GBK GeoJSON) is read as GB18030 with a warning, unless the
    caller stated the encoding. Geometries GDAL passes through but shapely cannot
    build (a ring not closed, too few points) are located; ``fix`` closes rings.
    """
    info = gdal_call(
        path, lambda: pyogrio.read_info(source, layer=layer, encoding=encoding), layer=layer
    )
    try:
        frame = _read_dataframe(path, source, layer, encoding)
    except UnicodeDecodeError as exc:
        declared = encoding or "UTF-8"
        if stated:
            raise CoordinateFileError(
                f"attribute text is not {declared} as stated ({exc.reason} at byte "
                f"{exc.start} of a value); give the right encoding",
                path=path,
                line=_first_undecodable_line(path),
            ) from exc
        try:
            frame = _read_dataframe(path, source, layer, "gb18030")
        except UnicodeDecodeError as again:
            raise CoordinateFileError(
                f"attribute text is neither {declared} nor GB18030 ({again.reason}); "
                "save it as UTF-8",
                path=path,
                line=_first_undecodable_line(path),
            ) from again
        warnings.append(
            f"attribute text is not {declared} as declared: read it as GB18030 (GBK); "
            "check the names"
        )
        encoding = "gb18030"
    if not isinstance(frame, gpd.GeoDataFrame):
        where = "the file" if layer is None else f"layer {layer!r}"
        raise CoordinateFileError(
            f"{where} has no geometry column; for a table of coordinates use a .csv",
            path=path,
        )
    frame = _rebuild_broken(path, source, layer, encoding, frame, fix=fix, warnings=warnings)
    return frame, str(info.get("driver") or "unknown")


def _read_dataframe(
    path: Path, source: str, layer: str | None, encoding: str | None
) -> gpd.GeoDataFrame:
    # on_invalid="ignore": a geometry shapely cannot build comes back missing and is
    # located by _rebuild_broken, instead of one exception for the whole file.
    with _quiet_geometry_warnings():
        return gdal_call(
            path,
            lambda: pyogrio.read_dataframe(
                source, layer=layer, encoding=encoding, on_invalid="ignore"
            ),
            layer=layer,
            text_errors=False,
        )


@contextlib.contextmanager
def _quiet_geometry_warnings() -> Iterator[None]:
    """Silence the two warnings GDAL and shapely give while reading broken geometry —
    and only those: mineplan reports the same problems itself, located (an unclosed ring
    by :func:`_rebuild_broken`, a NaN coordinate by ``check_finite``), so the planner
    would otherwise read each twice, once as a Python warning."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Non closed ring detected",
                                category=RuntimeWarning)
        warnings.filterwarnings("ignore", message="invalid value encountered in from_wkb",
                                category=RuntimeWarning)
        yield


def _rebuild_broken(
    path: Path,
    source: str,
    layer: str | None,
    encoding: str | None,
    frame: gpd.GeoDataFrame,
    *,
    fix: bool,
    warnings: list[str],
) -> gpd.GeoDataFrame:
    """Tell missing geometries from ones GDAL returned but shapely could not build."""
    missing = np.flatnonzero(shapely.is_missing(frame.geometry.array))
    if len(missing) == 0:
        return frame
    with _quiet_geometry_warnings():
        _, _, wkb, _ = gdal_call(
            path,
            lambda: pyogrio.raw.read(source, layer=layer, encoding=encoding, columns=[]),
            layer=layer,
        )
    wkb = np.asarray(wkb, dtype=object)
    if len(wkb) != len(frame):
        return frame
    broken = [int(i) for i in missing if wkb[i] is not None]
    if not broken:
        return frame
    if not fix:
        raise CoordinateFileError(
            f"{len(broken)} feature(s) have a polygon ring that is not closed (first point "
            f"≠ last) or too few points: features {row_list(broken)}. Close the rings in "
            "the source, or give --fix to close them",
            path=path,
        )
    with _quiet_geometry_warnings():
        rebuilt = shapely.from_wkb(wkb[broken], on_invalid="fix")
    unfixable = [i for i, geom in zip(broken, rebuilt, strict=True) if geom is None]
    if unfixable:
        raise CoordinateFileError(
            f"{len(unfixable)} feature(s) have a ring with too few points to be a polygon: "
            f"features {row_list(unfixable)}; fix them in the source",
            path=path,
        )
    geoms = np.asarray(frame.geometry.array, dtype=object)
    geoms[broken] = rebuilt
    warnings.append(f"closed the unclosed ring(s) of features {row_list(broken)}")
    result = frame.copy()
    result[result.geometry.name] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    return result


def _first_undecodable_line(path: Path, limit: int = 64 * 2**20) -> int | None:
    """The line of a text file's first byte that is not UTF-8; None for binary files."""
    if path.suffix.lower() not in (".geojson", ".json", ".kml", ".csv"):
        return None
    try:
        data = path.read_bytes()[:limit]
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    except OSError:
        return None
    return None


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
    prj = next((m for m in members if m.lower() == stem + ".prj"), None)
    if prj is not None:
        with zipfile.ZipFile(path) as archive, archive.open(prj) as stream:
            _check_prj_text(path, stream.read(_PRJ_BYTES))
    if encoding is None and not any(m.lower() == stem + ".cpg" for m in members):
        dbf = next((m for m in members if m.lower() == stem + ".dbf"), None)
        if dbf is not None:
            with zipfile.ZipFile(path) as archive:
                encoding = guess_dbf(archive.read(dbf), warnings)
    return f"/vsizip/{path}/{shp}", encoding


def _check_prj_text(path: Path, data: bytes) -> None:
    """A ``.prj`` must be UTF-8 (ASCII, really) text: GDAL hands its text on undecoded."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CRSError(
            f"{path}: the .prj is not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02X}; "
            "a Chinese CRS name saved in GBK?), which GDAL cannot read; save the .prj as "
            "UTF-8 or ASCII, e.g. by exporting the layer again"
        ) from exc


def _check_zip(path: Path, limits: ZipLimits) -> tuple[str, ...]:
    """Refuse unsafe archives (:func:`mineplan.io.archives.check_zip`); return member names."""
    try:
        return check_zip(path, limits)
    except UnsafeArchiveError as exc:
        raise CoordinateFileError(str(exc), path=path) from exc


# ------------------------------------------------------------------ lines, points


def _closed_polygon(geom: object) -> shapely.Polygon | shapely.MultiPolygon | None:
    """The polygon a closed path bounds (a LineString, or a MultiLineString whose every
    line ends where it starts, each of 4 or more points); None for anything else."""
    if not isinstance(geom, shapely.LineString | shapely.MultiLineString) or geom.is_empty:
        return None
    lines = getattr(geom, "geoms", [geom])
    if not all(line.is_closed and len(line.coords) >= 4 for line in lines):
        return None
    rings = [shapely.Polygon(line.coords) for line in lines]
    return rings[0] if len(rings) == 1 else shapely.MultiPolygon(rings)


def _closed_lines_to_polygons(
    frame: gpd.GeoDataFrame, warnings: list[str], made: dict[str, int]
) -> gpd.GeoDataFrame:
    """A KML boundary drawn as a closed path (LineString or MultiLineString whose every
    line ends where it starts) becomes a polygon, reported; open lines stay lines."""
    geoms = np.asarray(frame.geometry.array, dtype=object)
    closed = []
    for i, geom in enumerate(geoms):
        polygon = _closed_polygon(geom)
        if polygon is not None:
            geoms[i] = polygon
            closed.append(i)
    if not closed:
        return frame
    made["closed_lines"] = len(closed)
    warnings.append(
        f"{len(closed)} closed line(s) (a boundary drawn as a path) read as polygon(s): "
        f"features {row_list(closed)}"
    )
    result = frame.copy()
    result[result.geometry.name] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    return result


def _refuse_without_polygons(frame: gpd.GeoDataFrame, *, path: Path, layer: str | None) -> None:
    """A layer of only points and lines is not a boundary: say what would be one."""
    kinds = shapely.get_type_id(np.asarray(frame.geometry.array))
    if len(kinds) == 0 or np.isin(kinds, [3, 6]).any() or (kinds == -1).all():
        return
    points = int(np.isin(kinds, [0, 4]).sum())
    lines = int(np.isin(kinds, [1, 2, 5]).sum())
    where = "the file" if layer is None else f"layer {layer!r}"
    found = " and ".join(part for part in (
        f"{points} point(s)" if points else "", f"{lines} open line(s)" if lines else "") if part)
    raise CoordinateFileError(
        f"{where} holds no polygon, only {found}. A boundary must be an area: draw it as a "
        "polygon (Google Earth: Add Polygon / 添加多边形), or close the line (last point = "
        "first point), or list the corners in a coordinate table (.csv/.xlsx/.txt with "
        "columns 点号,X,Y or 点号,经度,纬度), which is read as one polygon",
        path=path, code="no_polygon", fields={"points": points, "lines": lines},
    )


# -------------------------------------------------------------------------- DXF


def _dxf_lines_to_polygons(frame: gpd.GeoDataFrame, warnings: list[str]) -> gpd.GeoDataFrame:
    """Closed polylines become polygons; open ones stay lines and are reported."""
    geoms = frame.geometry.array
    out = []
    open_rows = []
    for i, geom in enumerate(geoms):
        if isinstance(geom, shapely.LineString) and not geom.is_empty:
            polygon = _closed_polygon(geom)
            if polygon is not None:
                out.append(polygon)
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

