"""Read and write the GIS files users bring: Shapefile, GeoPackage, GeoJSON, KML/KMZ, DXF, CSV.

:func:`read_gis_file` opens one layer of a file through pyogrio (GDAL), settles its
CRS — from the file, from the caller, or from the numbers themselves (CGCS2000
degrees, prefixed Gauss-Kruger metres; never metres read as degrees) — and checks
its geometries. Every failure is a :class:`~mineplan.errors.CoordinateFileError`
or :class:`~mineplan.errors.CRSError` naming the file and saying what to do.

:func:`write_gis_file` writes a GeoDataFrame atomically (temporary file, then
replace) as GeoPackage, GeoJSON, Shapefile (UTF-8, with ``.cpg``) or KML.

Geometries are always (x, y) = (easting, northing) or (longitude, latitude).
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyproj
import shapely
from pyproj.exceptions import CRSError as _PyprojCRSError

from mineplan.errors import CoordinateFileError, CRSError
from mineplan.geodesy import (
    CRSLike,
    classify_plane_pair,
    gk_epsg,
    gk_zone_from_epsg,
)

__all__ = [
    "SUPPORTED_READ_SUFFIXES",
    "SUPPORTED_WRITE_SUFFIXES",
    "ReadResult",
    "ZipLimits",
    "detect_dbf_encoding",
    "read_gis_file",
    "write_gis_file",
]

log = logging.getLogger(__name__)

#: File name endings :func:`read_gis_file` understands (lower case).
SUPPORTED_READ_SUFFIXES = (
    ".shp",
    ".zip",
    ".gpkg",
    ".geojson",
    ".json",
    ".kml",
    ".kmz",
    ".dxf",
    ".csv",
)
#: File name ending → GDAL driver used by :func:`write_gis_file`.
SUPPORTED_WRITE_SUFFIXES: dict[str, str] = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "ESRI Shapefile",
    ".kml": "KML",
}

#: Where the CRS of a :class:`ReadResult` came from.
CRSSource = Literal[
    "file", "argument", "zone argument", "detected from coordinates", "assumed CGCS2000 geographic"
]

# China's extent in CGCS2000 degrees, used to recognise longitude/latitude.
_CHINA_LON = (73.0, 136.0)
_CHINA_LAT = (3.0, 54.0)
_CGCS2000_GEOGRAPHIC = 4490
# .dbf language driver ids that say "code page 936 (GBK)".
_GBK_LANGUAGE_DRIVERS = {0x4D, 0x7A}
_PYOGRIO_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
)
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
)
_PLOT_COLUMNS = ("plot", "plot_id", "地块编号", "地块号")
# (first column, second column, what they are); matched case-insensitively.
_LONLAT_COLUMNS = (
    ("lon", "lat"),
    ("longitude", "latitude"),
    ("lng", "lat"),
    ("经度", "纬度"),
)
_PLANE_COLUMNS = (("x", "y"), ("x坐标", "y坐标"))


@dataclass(frozen=True)
class ZipLimits:
    """Limits a zip archive (``.zip``, ``.kmz``) must respect before it is opened.

    Parameters
    ----------
    max_entries
        Most members an archive may hold.
    max_total_bytes
        Most bytes all members may take once uncompressed.
    max_ratio
        Highest uncompressed/compressed size ratio, of the whole archive and of any
        member larger than ``ratio_floor_bytes`` (a zip bomb compresses far better).
    ratio_floor_bytes
        Members smaller than this are not ratio-checked on their own.
    """

    max_entries: int = 200
    max_total_bytes: int = 500 * 1024 * 1024
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1024 * 1024


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
        frame = _read_csv(path, encoding=encoding, warnings=warnings)
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

    frame, crs_source = _settle_crs(
        frame, path=path, crs=crs, zone=zone, swap_axes=swap_axes, warnings=warnings
    )
    frame = _validate(frame, path=path, expect=expect, strict=strict, fix=fix, warnings=warnings)
    for message in warnings:
        log.info("%s: %s", path, message)
    return ReadResult(frame, source_format, layer_name, crs_source, warnings)


def _gdal_source(
    path: Path, suffix: str, encoding: str | None, limits: ZipLimits, warnings: list[str]
) -> tuple[str, str | None]:
    """The GDAL path to open and the encoding to pass to pyogrio."""
    if suffix == ".shp":
        return str(path), _shapefile_encoding(path, encoding, warnings)
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
    layers = _gdal_call(path, lambda: pyogrio.list_layers(source))
    names = [str(name) for name in layers[:, 0]] if len(layers) else []
    if not names:
        raise CoordinateFileError("the file holds no layers", path=path)
    if layer is not None:
        if layer not in names:
            raise CoordinateFileError(
                f"no layer {layer!r}; the file holds {_quoted(names)}", path=path
            )
        return layer
    if len(names) > 1:
        raise CoordinateFileError(
            f"the file holds {len(names)} layers ({_quoted(names)}); say which with layer=",
            path=path,
        )
    return names[0] if suffix in (".gpkg", ".kml", ".kmz") else None


def _read_layer(
    path: Path, source: str, layer: str | None, encoding: str | None
) -> tuple[gpd.GeoDataFrame, str]:
    info = _gdal_call(
        path, lambda: pyogrio.read_info(source, layer=layer, encoding=encoding), layer=layer
    )
    frame = _gdal_call(
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


_T = TypeVar("_T")


def _gdal_call(path: Path, call: Callable[[], _T], *, layer: str | None = None) -> _T:
    """Run a pyogrio call, turning GDAL's errors into a CoordinateFileError."""
    try:
        return call()
    except _PYOGRIO_ERRORS as exc:
        message = _explain_gdal_error(path, exc)
        if layer is not None:
            message = f"layer {layer!r}: {message}"
        raise CoordinateFileError(message, path=path) from exc


def _explain_gdal_error(path: Path, exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    what = _sniff(path)
    if what is not None:
        return f"not a GIS file: it looks like {what} (GDAL says: {text})"
    if "not recognized" in text or "not a supported file format" in text:
        return f"GDAL cannot read it as a GIS file (is the extension right?): {text}"
    return f"GDAL could not read the file: {text}"


def _sniff(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return None
    for magic, what in _MAGIC:
        if head.startswith(magic) and path.suffix.lower() not in (".zip", ".kmz"):
            return what
    return None


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names)


# ------------------------------------------------------------------- shapefiles


def detect_dbf_encoding(data: bytes) -> tuple[str, str]:
    """Guess the text encoding of a ``.dbf`` file from its bytes.

    Parameters
    ----------
    data
        The whole ``.dbf`` file.

    Returns
    -------
    (encoding, reason)
        ``"UTF-8"`` when the field names and records decode as strict UTF-8 (plain
        ASCII included), else ``"GB18030"`` (a superset of GBK); `reason` says why,
        naming the language driver id when it is a GBK one (0x4D, 0x7A).

    Examples
    --------
    >>> detect_dbf_encoding(bytes(32) + "矿区".encode("gbk"))[0]
    'GB18030'
    """
    ldid = data[29] if len(data) > 29 else 0
    hint = (
        f"; its language driver id 0x{ldid:02X} says GBK" if ldid in _GBK_LANGUAGE_DRIVERS else ""
    )
    body = data[32:]
    try:
        as_utf8 = body.decode("utf-8")
    except UnicodeDecodeError:
        return "GB18030", f"the .dbf text is not valid UTF-8{hint}"
    if as_utf8.isascii():
        return "UTF-8", f"the .dbf text is plain ASCII{hint}"
    # Short GBK text can happen to be valid UTF-8 ("砂石" is): it then decodes to
    # Latin/IPA letters, not Chinese. Prefer whichever reading gives Chinese.
    as_gbk = body.decode("gb18030", errors="replace")
    if _cjk_share(as_gbk) > _cjk_share(as_utf8) or (
        ldid in _GBK_LANGUAGE_DRIVERS and _cjk_share(as_gbk) == _cjk_share(as_utf8)
    ):
        return "GB18030", f"the .dbf text reads as Chinese only in GB18030{hint}"
    return "UTF-8", f"the .dbf text is valid UTF-8{hint}"


def _cjk_share(text: str) -> float:
    """Share of the non-ASCII characters of `text` that are CJK ideographs or punctuation."""
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return 0.0
    cjk = sum(1 for c in wide if "\u3000" <= c <= "\u9fff" or "\uf900" <= c <= "\uffef")
    return cjk / len(wide)


def _shapefile_encoding(path: Path, encoding: str | None, warnings: list[str]) -> str | None:
    if encoding is not None:
        return encoding
    if _sidecar(path, ".cpg") is not None:
        return None
    dbf = _sidecar(path, ".dbf")
    if dbf is None:
        return None
    return _guess_dbf(dbf.read_bytes(), warnings)


def _guess_dbf(data: bytes, warnings: list[str]) -> str:
    guess, reason = detect_dbf_encoding(data)
    warnings.append(f"no .cpg file: read attribute text as {guess} ({reason})")
    return guess


def _sidecar(path: Path, suffix: str) -> Path | None:
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def _zipped_shapefile(
    path: Path, encoding: str | None, limits: ZipLimits, warnings: list[str]
) -> tuple[str, str | None]:
    members = _check_zip(path, limits)
    shps = [m for m in members if m.lower().endswith(".shp")]
    if len(shps) != 1:
        found = f"{len(shps)} (" + _quoted(shps) + ")" if shps else "none"
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
                encoding = _guess_dbf(archive.read(dbf), warnings)
    return f"/vsizip/{path}/{shp}", encoding


def _check_zip(path: Path, limits: ZipLimits) -> list[str]:
    """Refuse unsafe archives; return the member names (files only)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise CoordinateFileError(f"not a readable zip archive ({exc})", path=path) from exc
    if len(infos) > limits.max_entries:
        raise CoordinateFileError(
            f"the archive holds {len(infos)} entries, more than the {limits.max_entries} "
            "allowed; unzip it and open the file you need",
            path=path,
        )
    unsafe = [info.filename for info in infos if _unsafe_member(info.filename)]
    if unsafe:
        raise CoordinateFileError(
            f"refusing an archive with unsafe entry names {_quoted(unsafe)} "
            "(absolute paths or '..'); re-create the archive with plain names",
            path=path,
        )
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if total > limits.max_total_bytes:
        raise CoordinateFileError(
            f"the archive would unpack to {total / 2**20:.0f} MB, more than the "
            f"{limits.max_total_bytes / 2**20:.0f} MB allowed",
            path=path,
        )
    bombs = [
        info.filename
        for info in infos
        if info.file_size >= limits.ratio_floor_bytes
        and info.file_size > limits.max_ratio * max(info.compress_size, 1)
    ]
    if bombs or (total >= limits.ratio_floor_bytes and total > limits.max_ratio * max(packed, 1)):
        raise CoordinateFileError(
            f"refusing a suspicious archive: it compresses more than {limits.max_ratio:g}:1 "
            f"(a zip bomb?){' in ' + _quoted(bombs) if bombs else ''}",
            path=path,
        )
    return [info.filename for info in infos if not info.is_dir()]


def _unsafe_member(name: str) -> bool:
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return True
    return ".." in PurePosixPath(normal).parts


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
            f"polygons: features {_row_list(open_rows)}; close them in the CAD drawing"
        )
    result = frame.copy()
    result[result.geometry.name] = gpd.GeoSeries(out, index=frame.index, crs=frame.crs)
    return result


# -------------------------------------------------------------------------- CSV


def _read_csv(path: Path, *, encoding: str | None, warnings: list[str]) -> gpd.GeoDataFrame:
    raw = path.read_bytes()
    if encoding is None:
        try:
            raw.decode("utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = "gb18030"
            warnings.append("CSV text is not UTF-8: read it as GB18030")
    if b"\x00" in raw[:4096]:
        raise CoordinateFileError("not a text CSV file (it holds binary data)", path=path)
    try:
        table = pd.read_csv(path, encoding=encoding)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CoordinateFileError(f"cannot read it as CSV: {exc}", path=path) from exc
    lower = {str(c).strip().lower(): c for c in table.columns}

    pair = _find_columns(lower, _LONLAT_COLUMNS)
    if pair is not None:
        east_col, north_col = pair
        warnings.append(f"took column {east_col!r} as longitude and {north_col!r} as latitude")
    else:
        pair = _find_columns(lower, _PLANE_COLUMNS)
        if pair is None:
            raise CoordinateFileError(
                "found no coordinate columns; name them lon/lat, 经度/纬度 or X/Y "
                f"(columns present: {_quoted([str(c) for c in table.columns])})",
                path=path,
            )
        east_col, north_col = _plane_roles(path, table, *pair, warnings)

    east = _numeric(path, table, east_col)
    north = _numeric(path, table, north_col)
    plot_col = next((lower[name] for name in _PLOT_COLUMNS if name in lower), None)
    if plot_col is None:
        points = shapely.points(east, north)
        rest = table.drop(columns=[east_col, north_col])
        return gpd.GeoDataFrame(rest, geometry=points, crs=None)
    return _csv_polygons(path, table, plot_col, east, north, (east_col, north_col))


def _find_columns(
    lower: dict[str, str], candidates: Sequence[tuple[str, str]]
) -> tuple[str, str] | None:
    for first, second in candidates:
        if first in lower and second in lower:
            return lower[first], lower[second]
    return None


def _numeric(path: Path, table: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(table[column], errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy())
    if len(bad):
        row = int(bad[0]) + 2  # header is line 1
        raise CoordinateFileError(
            f"column {column!r} holds a non-number {table[column].iloc[bad[0]]!r} "
            f"({len(bad)} such row(s)); fix or remove them",
            path=path,
            line=row,
        )
    return values.to_numpy(dtype=float)


def _plane_roles(
    path: Path, table: pd.DataFrame, x_col: str, y_col: str, warnings: list[str]
) -> tuple[str, str]:
    """Decide from the values which of the X/Y columns is the easting."""
    x = _numeric(path, table, x_col)
    y = _numeric(path, table, y_col)
    if len(x) == 0:
        raise CoordinateFileError("the CSV holds no rows", path=path)
    verdict = classify_plane_pair(float(x[0]), float(y[0]))
    if verdict.plausible and not verdict.swapped:
        warnings.append(
            f"took column {x_col!r} as northing and {y_col!r} as easting "
            "(surveyors' convention, judged from the values)"
        )
        return y_col, x_col
    if verdict.swapped:
        warnings.append(
            f"took column {x_col!r} as easting and {y_col!r} as northing "
            "(GIS convention, judged from the values)"
        )
    return x_col, y_col


def _csv_polygons(
    path: Path,
    table: pd.DataFrame,
    plot_col: str,
    east: np.ndarray,
    north: np.ndarray,
    coord_cols: tuple[str, str],
) -> gpd.GeoDataFrame:
    work = table.assign(_e=east, _n=north)
    rows = []
    geoms = []
    for plot, group in work.groupby(plot_col, sort=False):
        coords = list(zip(group["_e"], group["_n"], strict=True))
        if len(coords) > 1 and coords[0] == coords[-1]:
            coords = coords[:-1]
        if len(coords) < 3:
            raise CoordinateFileError(
                f"plot {plot!r} has {len(coords)} distinct point(s); a polygon needs 3",
                path=path,
                line=int(group.index[0]) + 2,
            )
        geoms.append(shapely.Polygon(coords))
        rows.append(group.iloc[0].drop(labels=[*coord_cols, "_e", "_n"]))
    attrs = pd.DataFrame(rows).reset_index(drop=True)
    return gpd.GeoDataFrame(attrs, geometry=geoms, crs=None)


# -------------------------------------------------------------------------- CRS


def _settle_crs(
    frame: gpd.GeoDataFrame,
    *,
    path: Path,
    crs: CRSLike | None,
    zone: int | None,
    swap_axes: bool,
    warnings: list[str],
) -> tuple[gpd.GeoDataFrame, CRSSource]:
    bounds = _bounds(frame)
    wanted = _to_crs(crs, path) if crs is not None else None
    declared = wanted if wanted is not None else frame.crs
    if bounds is not None and (declared is None or declared.is_projected):
        corners = [
            classify_plane_pair(bounds[1], bounds[0]),
            classify_plane_pair(bounds[3], bounds[2]),
        ]
        if corners[0].swapped and corners[0].kind == corners[1].kind:
            if not swap_axes:
                minx, miny, maxx, maxy = bounds
                raise CRSError(
                    f"{path}: the x values look like northings and the y values like eastings "
                    f"(x {minx:.0f}…{maxx:.0f}, y {miny:.0f}…{maxy:.0f}): the axes are "
                    "swapped. Swap them in the source, or pass swap_axes=True (--swap-axes)"
                )
            warnings.append("x and y were swapped in the file (northing stored as x); swapped back")
            frame = frame.set_geometry(
                shapely.transform(frame.geometry.array, lambda xy: xy[:, ::-1]), crs=frame.crs
            )
            bounds = _bounds(frame)
    if wanted is not None:
        if frame.crs is not None and not frame.crs.equals(wanted):
            warnings.append(
                f"the file declares {_label(frame.crs)}; using {_label(wanted)} as asked"
            )
        _check_crs_against_numbers(wanted, bounds, path=path, warnings=warnings)
        return frame.set_crs(wanted, allow_override=True), "argument"
    if frame.crs is not None:
        _check_crs_against_numbers(frame.crs, bounds, path=path, warnings=warnings)
        return frame, "file"
    if bounds is None:
        raise CRSError(
            f"{path}: the file has no CRS and no coordinates to judge one from; pass crs="
        )

    minx, miny, maxx, maxy = bounds
    if (
        _CHINA_LON[0] <= minx
        and maxx <= _CHINA_LON[1]
        and _CHINA_LAT[0] <= miny
        and maxy <= _CHINA_LAT[1]
    ):
        warnings.append(
            "the file has no CRS; its numbers are longitude/latitude in China: "
            "assumed CGCS2000 geographic (EPSG:4490)"
        )
        return frame.set_crs(_CGCS2000_GEOGRAPHIC), "assumed CGCS2000 geographic"

    corners = [classify_plane_pair(miny, minx), classify_plane_pair(maxy, maxx)]
    kinds = {c.kind for c in corners}
    older = "(Xian 1980 and Beijing 1954 files look the same: pass crs= if it is one)"
    if kinds == {"northing_easting_prefixed"}:
        zones = {c.zone for c in corners}
        found = corners[0].zone
        if len(zones) != 1 or found is None:
            raise CRSError(
                f"{path}: the eastings carry different zone prefixes "
                f"({minx:.0f}…{maxx:.0f}); split the file by zone or pass crs="
            )
        if zone is not None and zone != found.zone:
            raise CRSError(
                f"{path}: zone={zone} was given but the eastings carry zone prefix "
                f"{found.zone}; drop zone= or fix the coordinates"
            )
        warnings.append(
            f"the file has no CRS; eastings carry zone prefix {found.zone}: "
            f"CGCS2000 {found.width}-degree Gauss-Kruger EPSG:{found.epsg} {older}"
        )
        return frame.set_crs(found.epsg), "detected from coordinates"

    if kinds == {"northing_easting"}:
        if zone is None:
            raise CRSError(
                f"{path}: the file has no CRS and its eastings ({minx:.0f}…{maxx:.0f}) carry "
                "no zone prefix, so the zone cannot be known; pass the zone (zone=, --zone) "
                "or the CRS (crs=, --crs)"
            )
        width = 6 if zone < 25 else 3
        epsg = gk_epsg(width=width, zone=zone, prefixed=False)
        warnings.append(
            f"the file has no CRS; used {width}-degree zone {zone} as given: "
            f"CGCS2000 Gauss-Kruger EPSG:{epsg} {older}"
        )
        return frame.set_crs(epsg), "zone argument"

    raise CRSError(
        f"{path}: the file has no CRS and its coordinates (x {minx:g}…{maxx:g}, "
        f"y {miny:g}…{maxy:g}) are neither degrees in China nor CGCS2000 Gauss-Kruger "
        "metres; pass the CRS (crs=, --crs)"
    )


def _check_crs_against_numbers(
    crs: pyproj.CRS,
    bounds: tuple[float, float, float, float] | None,
    *,
    path: Path,
    warnings: list[str],
) -> None:
    if bounds is None:
        return
    minx, miny, maxx, maxy = bounds
    degree_like = minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90
    if crs.is_geographic and not degree_like:
        raise CRSError(
            f"{path}: the CRS is {_label(crs)} (degrees) but the coordinates reach "
            f"x {minx:.0f}…{maxx:.0f}, y {miny:.0f}…{maxy:.0f}, which are metres; "
            "pass the right projected CRS (crs=, --crs)"
        )
    if crs.is_projected and degree_like:
        warnings.append(
            f"the CRS is {_label(crs)} (metres) but every coordinate is within "
            "±180/±90: these look like degrees; check the CRS"
        )
        return
    epsg = crs.to_epsg()
    if epsg is not None and 4491 <= epsg <= 4554 and crs.is_projected:
        gk = gk_zone_from_epsg(epsg)
        prefixed_numbers = minx >= 1_000_000
        if gk.prefixed != prefixed_numbers:
            have = "carry" if prefixed_numbers else "lack"
            warnings.append(
                f"the CRS is EPSG:{epsg} ({'with' if gk.prefixed else 'without'} zone "
                f"prefix) but the eastings {have} one ({minx:.0f}…{maxx:.0f}); check the CRS"
            )


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    geoms = frame.geometry.array
    present = np.asarray(geoms)[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(present) == 0:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(present)
    return float(minx), float(miny), float(maxx), float(maxy)


def _to_crs(crs: CRSLike, path: Path) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs)
    except _PyprojCRSError as exc:
        raise CRSError(f"{path}: unknown CRS {crs!r} (try e.g. 'EPSG:4516'): {exc}") from exc


def _label(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name


# ------------------------------------------------------------------- validation


def _validate(
    frame: gpd.GeoDataFrame,
    *,
    path: Path,
    expect: Literal["polygon"] | None,
    strict: bool,
    fix: bool,
    warnings: list[str],
) -> gpd.GeoDataFrame:
    geoms = np.asarray(frame.geometry.array)
    problems: list[str] = []
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    for i in np.flatnonzero(missing | empty):
        problems.append(f"feature {i}: {'no geometry' if missing[i] else 'empty geometry'}")
    if expect == "polygon":
        kinds = shapely.get_type_id(geoms)
        polygonal = np.isin(kinds, [3, 6])
        for i in np.flatnonzero(~polygonal & ~missing & ~empty):
            problems.append(f"feature {i}: a {geoms[i].geom_type}, not a polygon")
    elif expect is not None:
        raise ValueError(f"expect must be 'polygon' or None; received {expect!r}")

    invalid = ~missing & ~empty & ~shapely.is_valid(geoms)
    repaired = []
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[i])
        if fix:
            geoms[i] = shapely.make_valid(geoms[i])
            repaired.append(f"feature {i}: repaired ({reason}) into a {geoms[i].geom_type}")
        else:
            problems.append(f"feature {i}: invalid geometry ({reason})")
    if problems and strict:
        raise CoordinateFileError(
            f"{len(problems)} geometry problem(s): "
            + "; ".join(problems)
            + ("" if fix else ". Fix them in the source, or pass fix=True to repair invalid ones"),
            path=path,
        )
    warnings.extend(problems)
    warnings.extend(repaired)
    if repaired:
        frame = frame.copy()
        frame[frame.geometry.name] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    return frame


def _row_list(rows: Sequence[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


# ------------------------------------------------------------------------ writing


def write_gis_file(
    frame: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    driver: str | None = None,
    layer: str | None = None,
) -> Path:
    """Write a GeoDataFrame to a GIS file atomically.

    The file is written beside its destination under a temporary name, then moved
    into place, so readers never see half a file. An existing file is replaced
    whole (a GeoPackage's other layers included).

    Parameters
    ----------
    frame
        Features with a CRS. KML is always written in WGS84 longitude/latitude.
    path
        Destination: ``.gpkg``, ``.geojson``/``.json``, ``.shp`` (written as UTF-8
        with a ``.cpg``) or ``.kml``.
    driver
        GDAL driver name, overriding the one the extension implies.
    layer
        Layer name (GeoPackage, KML); default the file's stem.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    CoordinateFileError
        Unknown format, missing CRS or a GDAL write failure.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    driver = driver or SUPPORTED_WRITE_SUFFIXES.get(suffix)
    if driver is None:
        raise CoordinateFileError(
            f"cannot tell the format from {path.suffix or '(no extension)'!r}; use one of "
            f"{', '.join(SUPPORTED_WRITE_SUFFIXES)} or pass driver=",
            path=path,
        )
    if frame.crs is None:
        raise CoordinateFileError(
            "the frame has no CRS; set one (frame.set_crs) before writing", path=path
        )
    if not path.parent.is_dir():
        raise CoordinateFileError("the destination folder does not exist", path=path)
    out = frame
    if driver in ("KML", "LIBKML") and not frame.crs.equals(pyproj.CRS.from_epsg(4326)):
        out = frame.to_crs(4326)
    options: dict[str, str] = {}
    if driver == "ESRI Shapefile":
        options["encoding"] = "UTF-8"
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".mineplan-write-") as tmp:
        target = Path(tmp) / path.name
        _gdal_call(
            path,
            lambda: pyogrio.write_dataframe(
                out, target, driver=driver, layer=layer or path.stem, **options
            ),
        )
        if driver == "ESRI Shapefile":
            cpg = target.with_suffix(".cpg")
            if not cpg.exists():
                cpg.write_text("UTF-8", encoding="ascii")
        written = sorted(Path(tmp).iterdir())
        # Move sidecars first and the main file last, so a reader sees a complete set.
        for part in sorted(written, key=lambda p: p.name == path.name):
            os.replace(part, path.with_name(part.name))
    return path
