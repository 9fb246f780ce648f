"""Read and write the GIS files users bring: Shapefile, GeoPackage, GeoJSON, KML/KMZ, DXF, CSV.

:func:`read_gis_file` opens one layer of a file through pyogrio (GDAL), settles its
CRS — from the file, from the caller, or from the numbers themselves (CGCS2000
degrees, prefixed Gauss-Kruger metres; never metres read as degrees) — and checks
its geometries. Every failure is a :class:`~mineplan.errors.CoordinateFileError`
or :class:`~mineplan.errors.CRSError` naming the file and saying what to do.

:func:`write_gis_file` writes a GeoDataFrame atomically (temporary file, then
replace) as GeoPackage, GeoJSON, Shapefile (UTF-8, with ``.cpg``) or KML.

Geometries are always (x, y) = (easting, northing) or (longitude, latitude).

Modules: :mod:`~.reading` (the door, layers, archives, DXF), :mod:`~.drivers` (suffixes,
GDAL's errors), :mod:`~.dbf` (attribute encodings), :mod:`~.geopackage` (which
GeoPackage layers are read: real feature tables, never views), :mod:`~.tables` (CSV
coordinate tables), :mod:`~.crs` (settling the CRS, refusing absurd ones),
:mod:`~.validation` (geometry checks, NaN/Inf refused), :mod:`~.writing`. Zip safety is
:mod:`mineplan.io.archives`.

Hostile input (issue 11) gets a located error, never another exception: unclosed
rings (closed with ``fix``), NaN/Inf coordinates, text not in its declared encoding
(read as GB18030 with a warning unless the encoding was stated), a ``.prj`` that is
not UTF-8 or whose parameters cannot place the data on the earth, 5,000-digit numbers;
and bounded work: no GeoPackage views, at most 1,000 CSV columns, capped warnings.

May import: ``errors``, ``vocab``, ``geodesy``, :mod:`mineplan.io.archives`,
:mod:`mineplan.io.sniff`. Nothing above io.
"""

from __future__ import annotations

from mineplan.io.archives import ZipLimits
from mineplan.io.gis.dbf import detect_dbf_encoding
from mineplan.io.gis.drivers import SUPPORTED_READ_SUFFIXES, SUPPORTED_WRITE_SUFFIXES
from mineplan.io.gis.reading import ReadResult, read_gis_file, readable_layers
from mineplan.io.gis.writing import write_gis_file

__all__ = [
    "SUPPORTED_READ_SUFFIXES",
    "SUPPORTED_WRITE_SUFFIXES",
    "ReadResult",
    "ZipLimits",
    "detect_dbf_encoding",
    "read_gis_file",
    "readable_layers",
    "write_gis_file",
]
