"""GDAL through pyogrio: the formats mineplan reads and writes, and GDAL's errors explained.

Owns the suffix tables (:data:`SUPPORTED_READ_SUFFIXES`,
:data:`SUPPORTED_WRITE_SUFFIXES`) and :func:`gdal_call`, which runs a pyogrio call and
turns GDAL's error into a :class:`~mineplan.errors.CoordinateFileError` that names the
file — and, when the bytes show the file is no GIS file at all (an image, a PDF …),
says what it is (:mod:`mineplan.io.sniff`).

May import: ``errors``, :mod:`mineplan.io.sniff`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pyogrio.errors
import pyproj.exceptions

from mineplan.errors import CoordinateFileError
from mineplan.io.sniff import KINDS_EN, sniff

__all__ = [
    "SUPPORTED_READ_SUFFIXES",
    "SUPPORTED_WRITE_SUFFIXES",
    "gdal_call",
    "quoted",
    "row_list",
    "shortened",
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
    ".xlsx",
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
    # geopandas parses the CRS text GDAL hands over: a .prj of "{…" is taken for JSON
    pyproj.exceptions.CRSError,
)
# What a file with this ending may legitimately start like, though sniff() names it.
_EXPECTED_KIND = {".zip": "zip", ".kmz": "zip", ".gpkg": "sqlite"}

_T = TypeVar("_T")
# GDAL's JSON and XML parsers say where they stopped: "At line 3, character 26".
_GDAL_LINE = re.compile(r"\bat line (\d{1,9})\b", re.IGNORECASE)
_MESSAGE_CHARS = 300


def gdal_call(
    path: Path, call: Callable[[], _T], *, layer: str | None = None, text_errors: bool = True
) -> _T:
    """Run a pyogrio call, turning GDAL's errors into a CoordinateFileError.

    With ``text_errors`` (the default), text pyogrio cannot decode — a ``.prj`` or a
    field name that is not UTF-8, which pyogrio 0.13 may also report as an
    ``UnboundLocalError`` — is such an error too; without it a
    :class:`UnicodeDecodeError` goes to the caller, who may retry in another encoding.
    """
    try:
        return call()
    except (UnicodeDecodeError, UnboundLocalError) as exc:
        if not text_errors and isinstance(exc, UnicodeDecodeError):
            raise
        where = "" if layer is None else f"layer {layer!r}: "
        raise CoordinateFileError(
            f"{where}the file's metadata (CRS text, field or layer names) is not UTF-8 "
            "text; save the file again from GIS software (a .prj written in GBK, say, "
            "as UTF-8)",
            path=path,
        ) from exc
    except _PYOGRIO_ERRORS as exc:
        message = _explain_gdal_error(path, exc)
        if layer is not None:
            message = f"layer {layer!r}: {message}"
        found = _GDAL_LINE.search(str(exc))
        line = int(found.group(1)) if found else None
        raise CoordinateFileError(message, path=path, line=line) from exc


def _explain_gdal_error(path: Path, exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if len(text) > _MESSAGE_CHARS:  # GDAL quotes the bad token whole: a value may be huge
        text = f"{text[:_MESSAGE_CHARS]}… ({len(text)} characters)"
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


def quoted(names: Sequence[str], limit: int = 20) -> str:
    """``'a', 'b'``: names as Python literals (each shortened), the first ``limit`` shown.

    Examples
    --------
    >>> quoted(["a", "b", "c"], limit=2)
    "'a', 'b' and 1 more"
    """
    shown = ", ".join(shortened(name) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def shortened(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters with the full length said.

    A field value in a message may be megabytes long; the message stays one line.

    Examples
    --------
    >>> shortened("9" * 5000, limit=10)
    "'999999999… (5002 characters)"
    >>> shortened("甲")
    "'甲'"
    >>> shortened(10 ** 5000)
    'an integer of about 5000 digits'
    """
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's 4,300-digit conversion limit
        digits = int(value.bit_length() * 0.30103) if isinstance(value, int) else 0
        return f"an integer of about {digits} digits"
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"


def row_list(rows: Sequence[int], limit: int = 10) -> str:
    """``0, 3, 7 and 2 more``: row numbers, the first ``limit`` shown."""
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")
