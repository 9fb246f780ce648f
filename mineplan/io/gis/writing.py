"""Writing a GeoDataFrame to a GIS file, atomically.

May import: ``errors``, the drivers of this package.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pyproj

from mineplan.errors import CoordinateFileError
from mineplan.io.gis.drivers import SUPPORTED_WRITE_SUFFIXES, gdal_call

__all__ = ["write_gis_file"]

# KML is longitude/latitude on WGS 84 by definition (OGC KML 2.2), whatever the data.
_KML_EPSG = 4326


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
    if driver in ("KML", "LIBKML") and not frame.crs.equals(pyproj.CRS.from_epsg(_KML_EPSG)):
        out = frame.to_crs(_KML_EPSG)
    options: dict[str, str] = {}
    if driver == "ESRI Shapefile":
        options["encoding"] = "UTF-8"
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".mineplan-write-") as tmp:
        target = Path(tmp) / path.name
        gdal_call(
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
