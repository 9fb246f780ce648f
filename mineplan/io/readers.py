"""One door for geometry files: coordinate TXT or any GIS format.

:func:`read_geometry_file` looks at a file's content (not only its name) and
hands it to :mod:`mineplan.io.coordinates` (land-boundary exchange TXT, mining-right
registration TXT, and any other text: a coordinate table as copied from a notice or
a web page, read by :func:`~mineplan.io.coordinates.read_coordinates`) or
:mod:`mineplan.io.gis` (Shapefile, GeoPackage, GeoJSON, KML/KMZ, DXF, CSV). Either
way the answer is a :class:`~mineplan.io.gis.ReadResult`.

May import: ``errors``, the other io modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mineplan.errors import CRSError
from mineplan.io import coordinates as coordfiles
from mineplan.io.coordinates import (
    coordinate_text_layout,
    read_coordinate_features,
)
from mineplan.io.sniff import coordinate_head, coordinate_layout
from mineplan.io.text import HEAD_BYTES

if TYPE_CHECKING:  # the GDAL side (pyogrio, geopandas) loads only for a GIS file
    from mineplan.features import Features
    from mineplan.io.coordinates import CoordinateFile
    from mineplan.io.gis import ReadResult
    from mineplan.io.gis.crs import CRSSource

__all__ = [
    "TEXT_SUFFIXES", "coordinate_file_kind", "read_coordinate_txt", "read_geometry_features",
    "read_geometry_file",
]

#: File endings that may hold a coordinate TXT in a strict layout; a ``.txt`` in none
#: of them is read as a coordinate table, the others go to GDAL.
TEXT_SUFFIXES: tuple[str, ...] = (".txt", ".zb", ".dat", "")


def coordinate_file_kind(path: str | Path) -> str | None:
    """``"boundary"`` or ``"registration"`` for a coordinate TXT in a strict layout,
    None for anything else (a coordinate table in a ``.txt`` included: see
    :func:`read_geometry_file`)."""
    path = Path(path)
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return None
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES + 1)  # one byte more: the file goes on past the head
    text = coordinate_head(head)
    if coordinate_layout(text) is None:
        return None
    layout = coordinate_text_layout(text)
    return layout if layout in ("boundary", "registration") else None


def read_geometry_file(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | None = None,
    zone: int | None = None,
    swap_axes: bool = False,
    fix: bool = False,
    expect: Literal["polygon"] | None = None,
) -> ReadResult:
    """Read any geometry file mineplan understands.

    Parameters
    ----------
    path
        The file.
    layer, crs, zone, swap_axes, expect
        As :func:`mineplan.io.gis.read_gis_file`. ``crs``/``zone`` also apply to a
        coordinate text that does not state them (eastings without zone prefix);
        ``fix`` applies to GIS files and strict coordinate TXT layouts.
    fix
        Repair what is safely repairable (close rings, drop repeated points, swap
        axes in a TXT), reporting each repair as a warning.

    Raises
    ------
    CoordinateFileError, CRSError
        With the file, line and what to do.
    """
    from mineplan.io.gis import ReadResult, read_gis_file

    text = _read_text(Path(path), crs=crs, zone=zone, fix=fix)
    if text is None:
        return read_gis_file(path, layer=layer, crs=crs, zone=zone, swap_axes=swap_axes,
                             expect=expect, fix=fix)
    features, source_format, crs_source, warnings = text
    return ReadResult(frame=features.to_frame(), source_format=source_format, layer=None,
                      crs_source=crs_source, warnings=warnings)


def read_geometry_features(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | None = None,
    zone: int | None = None,
    swap_axes: bool = False,
    expect: Literal["polygon"] | None = None,
) -> tuple[Features, list[str]]:
    """:func:`read_geometry_file` as (features, warnings): a coordinate text (a strict
    layout, or any table in a ``.txt``) is read without pandas (a pre-grant check starts
    fast); a GIS file as :func:`read_geometry_file` reads it.

    Raises
    ------
    CoordinateFileError, CRSError
        With the file, line and what to do.
    """
    from mineplan.features import Features

    text = _read_text(Path(path), crs=crs, zone=zone)
    if text is not None:
        return text[0], text[3]
    result = read_geometry_file(path, layer=layer, crs=crs, zone=zone, swap_axes=swap_axes,
                                expect=expect)
    return Features.from_frame(result.frame), list(result.warnings)


def read_coordinate_txt(
    path: Path, kind: str, *, fix: bool = False, required: bool = True
) -> CoordinateFile:
    """A coordinate TXT in a strict layout (`kind` from :func:`coordinate_file_kind`),
    parsed, without building a frame (no geopandas: ``coords info`` prints from it).

    Raises
    ------
    CRSError
        When `required` and the file does not state its coordinate system.
    """
    if kind == "registration":
        cf = coordfiles.read_registration_txt(path, fix=fix)
    else:
        cf = coordfiles.read_boundary_txt(path, fix=fix)
    if required and cf.crs.epsg is None:
        raise CRSError(
            f"{path}: the coordinate system cannot be determined (坐标系 "
            f"{cf.header.get('坐标系', '') or 'missing'}, 带号 {cf.crs.zone}); "
            "state 坐标系 and 带号 in [属性描述]"
        )
    return cf


def _read_text(path: Path, *, crs: str | None, zone: int | None, fix: bool = False
               ) -> tuple[Features, str, CRSSource, list[str]] | None:
    """A coordinate text as (features, source format, CRS source, warnings), without
    pandas; None for anything else (a GIS file). A strict layout that states its CRS is
    read by its own reader; any other ``.txt``, and a strict layout that does not state
    its CRS, by :func:`~mineplan.io.coordinates.read_coordinate_features`."""
    kind = coordinate_file_kind(path) if path.is_file() else None
    if kind is not None:
        cf = read_coordinate_txt(path, kind, fix=fix, required=crs is None and zone is None)
        if cf.crs.epsg is not None:
            return (coordfiles.to_features(cf), f"coordinate TXT ({cf.format}, {cf.encoding})",
                    "file", list(cf.warnings))
    elif not (path.is_file() and path.suffix.lower() == ".txt"):
        return None
    table = read_coordinate_features(path, crs=crs, zone=zone)
    sources: dict[str, CRSSource] = {"argument": "argument", "zone argument": "zone argument"}
    return (table, f"coordinate TXT ({table.attrs['source_format']}, "
                   f"{table.attrs['encoding']})",
            sources.get(table.attrs.get("crs_source", ""), "file"),
            list(table.attrs.get("notes", [])))
