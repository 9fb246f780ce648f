"""GDAL through pyogrio: the formats mineplan reads and writes, and GDAL's errors explained.

Owns the suffix tables (:data:`SUPPORTED_READ_SUFFIXES`,
:data:`SUPPORTED_WRITE_SUFFIXES`) and :func:`gdal_call`, which runs a pyogrio call and
turns GDAL's error into a :class:`~mineplan.errors.CoordinateFileError` that names the
file — and, when the bytes show the file is no GIS file at all (an image, a PDF …),
says what it is (:mod:`mineplan.io.sniff`).

May import: ``errors``, :mod:`mineplan.io.sniff`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pyogrio.errors

from mineplan.errors import CoordinateFileError
from mineplan.io.sniff import KINDS_EN, sniff

__all__ = [
    "SUPPORTED_READ_SUFFIXES",
    "SUPPORTED_WRITE_SUFFIXES",
    "gdal_call",
    "quoted",
    "row_list",
]

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

_PYOGRIO_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
)
# What a file with this ending may legitimately start like, though sniff() names it.
_EXPECTED_KIND = {".zip": "zip", ".kmz": "zip", ".gpkg": "sqlite"}

_T = TypeVar("_T")


def gdal_call(path: Path, call: Callable[[], _T], *, layer: str | None = None) -> _T:
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
    """What the file is, in English, when its bytes show a format that is no GIS file."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError:
        return None
    kind = sniff(head)
    if kind is None or _EXPECTED_KIND.get(path.suffix.lower()) == kind:
        return None
    return KINDS_EN[kind]


def quoted(names: Sequence[str]) -> str:
    """``'a', 'b'``: names as Python literals, comma-separated."""
    return ", ".join(repr(name) for name in names)


def row_list(rows: Sequence[int], limit: int = 10) -> str:
    """``0, 3, 7 and 2 more``: row numbers, the first ``limit`` shown."""
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")
