"""Local raster backgrounds (DEM, hillshade, imagery) for the offline web map.

:func:`render_raster` reads a GeoTIFF with rasterio, reads it already
down-sampled (overviews are used when the file has them), shades a single-band
elevation model, colours it and reprojects the picture to Web Mercator
(EPSG:3857, the grid Leaflet stretches an image overlay on, so the picture lines
up exactly), returning PNG bytes and its bounds in EPSG:4326 degrees to place it
on the map. Nothing is measured on the result: it is a picture.

:func:`list_rasters` finds the GeoTIFFs of a folder (``MINEPLAN_RASTERS`` or
``geodata/rasters``).
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import rasterio
import rasterio.errors
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.transform import Affine
from rasterio.warp import calculate_default_transform, reproject, transform_bounds

from mineplan import settings
from mineplan.errors import CRSError, RasterError
from mineplan.vocab import STORE_CRS, WEB_CRS

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "RasterError",
    "RasterImage",
    "RasterPicture",
    "list_rasters",
    "raster_folder",
    "raster_picture",
    "render_raster",
]

#: Longest side of a rendered picture, pixels.
DEFAULT_MAX_PIXELS = 2000
#: Largest raster (width × height) read from uploaded bytes: a small compressed file can
#: declare a huge grid (a decompression bomb).
MAX_UPLOAD_SOURCE_PIXELS = 400_000_000
RASTER_SUFFIXES = (".tif", ".tiff")
Mode = Literal["auto", "hillshade", "gray", "rgb"]

_DISPLAY_CRS = CRS.from_epsg(3857)  # the picture's grid
_BOUNDS_CRS = CRS.from_user_input(WEB_CRS)  # its bounds, in the web map's CRS
_METRES_PER_DEGREE = 111_320.0
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # TIFF and BigTIFF


@dataclass(frozen=True)
class RasterImage:
    """A raster made into a picture for the web map.

    Attributes
    ----------
    png
        RGBA PNG, transparent where the raster has no data.
    bounds
        ``(west, south, east, north)`` in degrees, EPSG:4326.
    width, height
        Picture size, pixels.
    mode
        How it was drawn: ``"hillshade"`` (single band elevation, shaded and
        coloured), ``"gray"`` (single band stretched) or ``"rgb"`` (first three bands).
    source_crs
        The file's CRS, as text.
    """

    png: bytes
    bounds: tuple[float, float, float, float]
    width: int
    height: int
    mode: str
    source_crs: str


def raster_folder() -> Path:
    """The folder of local rasters: ``MINEPLAN_RASTERS``, else ``geodata/rasters``."""
    return settings.raster_dir()


def list_rasters(folder: str | os.PathLike[str] | None = None) -> list[Path]:
    """GeoTIFFs (``.tif``/``.tiff``) directly in ``folder``, sorted by name; [] if none."""
    root = Path(folder) if folder is not None else raster_folder()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if p.is_file() and p.suffix.lower() in RASTER_SUFFIXES)


def render_raster(
    source: str | os.PathLike[str] | bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    mode: Mode = "auto",
    colormap: str = "terrain",
    azimuth: float = 315.0,
    altitude: float = 45.0,
) -> RasterImage:
    """Render a GeoTIFF as a picture for the web map (Web Mercator grid, EPSG:4326 bounds).

    Parameters
    ----------
    source
        Path of a GeoTIFF, or its bytes (an upload: only TIFF bytes are accepted).
    max_pixels
        Longest side of the picture; the raster is read down-sampled to about
        this size before it is reprojected.
    mode
        ``"auto"``: three or more bands → ``"rgb"``; one byte band → ``"gray"``
        (often a ready-made hillshade); one band of other type → ``"hillshade"``
        (an elevation model, shaded and coloured with ``colormap``).
    colormap
        A matplotlib colour map for elevations.
    azimuth, altitude
        Sun direction and height for the hillshade, degrees.

    Returns
    -------
    RasterImage

    Raises
    ------
    RasterError
        Not a readable raster, or no bands.
    CRSError
        The raster has no CRS (a picture cannot be placed without one).
    """
    if max_pixels < 16:
        raise ValueError(f"max_pixels must be at least 16; received {max_pixels}")
    try:
        if isinstance(source, bytes | bytearray):
            if bytes(source[:4]) not in _TIFF_MAGIC:
                # GDAL opens many formats; some (VRT) can point at other files on the
                # server. Bytes from a user are read only as a GeoTIFF.
                raise RasterError("the bytes are not a GeoTIFF (.tif)")
            with rasterio.MemoryFile(bytes(source)) as memfile, memfile.open() as src:
                if src.width * src.height > MAX_UPLOAD_SOURCE_PIXELS:
                    raise RasterError(
                        f"the uploaded raster is {src.width} × {src.height} pixels, more than "
                        f"{MAX_UPLOAD_SOURCE_PIXELS:,} allowed; put it in the raster folder "
                        "(MINEPLAN_RASTERS) with overviews (gdaladdo) instead"
                    )
                return _render(src, max_pixels, mode, colormap, azimuth, altitude)
        with rasterio.open(source) as src:
            return _render(src, max_pixels, mode, colormap, azimuth, altitude)
    except rasterio.errors.RasterioIOError as exc:
        raise RasterError(f"cannot read the raster: {exc}") from exc


def _render(
    src: rasterio.io.DatasetReader, max_pixels: int, mode: Mode, colormap: str,
    azimuth: float, altitude: float,
) -> RasterImage:
    rgba, transform, mode = _picture(src, max_pixels, mode, colormap, azimuth, altitude)
    out, (x0, x1, y1, y0) = _warp(rgba, transform, src.crs, _DISPLAY_CRS, max_pixels)
    dst_height, dst_width = out.shape[1:]
    west, south, east, north = transform_bounds(_DISPLAY_CRS, _BOUNDS_CRS, x0, y1, x1, y0)
    return RasterImage(
        png=_png(out), bounds=(float(west), float(south), float(east), float(north)),
        width=int(dst_width), height=int(dst_height), mode=mode,
        source_crs=src.crs.to_string(),
    )


def _picture(
    src: rasterio.io.DatasetReader, max_pixels: int, mode: Mode, colormap: str,
    azimuth: float, altitude: float,
) -> tuple[np.ndarray, Affine, Mode]:
    """The raster read down-sampled and coloured: RGBA bands, their transform, the mode."""
    name = src.name
    if src.crs is None:
        raise CRSError(
            f"{name}: the raster has no CRS; set it in QGIS (Assign Projection) or with "
            f"gdal_edit.py -a_srs {STORE_CRS}"
        )
    if src.count == 0:
        raise RasterError(f"{name}: the raster has no bands")
    if mode == "auto":
        mode = "rgb" if src.count >= 3 else "gray" if src.dtypes[0] == "uint8" else "hillshade"
    # Read down-sampled (GDAL uses overviews when present), then reproject the small grid.
    scale = max(1.0, max(src.width, src.height) / max_pixels)
    width = max(1, round(src.width / scale))
    height = max(1, round(src.height / scale))
    transform = src.transform @ Affine.scale(src.width / width, src.height / height)
    bands = [1, 2, 3] if mode == "rgb" else [1]
    if mode == "rgb" and src.count < 3:
        raise RasterError(f"{name}: mode 'rgb' needs three bands; the raster has {src.count}")
    data = src.read(bands, out_shape=(len(bands), height, width), masked=True,
                    resampling=Resampling.average if mode != "rgb" else Resampling.bilinear)
    valid = np.asarray(~np.ma.getmaskarray(data).any(axis=0), dtype=bool)
    values = np.ma.filled(data.astype("float64"), np.nan)

    if mode == "hillshade":
        dx, dy = _cell_size_m(src.crs, transform, src.bounds)
        rgb = _shaded_relief(values[0], dx, dy, colormap, azimuth, altitude)
    elif mode == "gray":
        gray = _stretch(values[0], valid)
        rgb = np.stack([gray, gray, gray])
    else:
        rgb = np.stack([_stretch(band, valid) if src.dtypes[0] != "uint8"
                        else np.nan_to_num(band).astype("uint8") for band in values])
    alpha = np.where(valid, 255, 0).astype("uint8")
    rgba = np.concatenate([rgb.astype("uint8"), alpha[None]], axis=0)
    return rgba, transform, mode


def _warp(
    rgba: np.ndarray, transform: Affine, crs: CRS, dst_crs: CRS | str, max_pixels: int
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """The picture on a grid of ``dst_crs``; returns it and its (left, right, bottom, top)."""
    height, width = rgba.shape[1:]
    dst_transform, dst_width, dst_height = calculate_default_transform(
        crs, dst_crs, width, height, *_bounds_of(transform, width, height)
    )
    assert dst_width is not None and dst_height is not None
    shrink = max(1.0, max(dst_width, dst_height) / max_pixels)
    if shrink > 1.0:
        dst_width, dst_height = round(dst_width / shrink), round(dst_height / shrink)
        dst_transform = dst_transform @ Affine.scale(shrink, shrink)
    out = np.zeros((4, dst_height, dst_width), dtype="uint8")
    reproject(
        rgba, out, src_transform=transform, src_crs=crs, dst_transform=dst_transform,
        dst_crs=dst_crs, resampling=Resampling.nearest, src_nodata=None, dst_nodata=0,
    )
    x0, y0 = dst_transform @ (0, 0)
    x1, y1 = dst_transform @ (dst_width, dst_height)
    return out, (float(min(x0, x1)), float(max(x0, x1)), float(min(y0, y1)), float(max(y0, y1)))


@dataclass(frozen=True)
class RasterPicture:
    """A raster rendered and warped to a map CRS, for a static figure.

    Attributes
    ----------
    rgba
        Height × width × 4 bytes (transparent where the raster has no data).
    extent
        (left, right, bottom, top) in the map CRS, as ``imshow(extent=…)`` takes it.
    mode
        How it was drawn: ``hillshade``, ``gray`` or ``rgb``.
    """

    rgba: np.ndarray
    extent: tuple[float, float, float, float]
    mode: str


def raster_picture(
    source: str | os.PathLike[str], *, dst_crs: CRS | str, max_pixels: int = DEFAULT_MAX_PIXELS,
    mode: Mode = "auto", colormap: str = "terrain",
) -> RasterPicture:
    """A GeoTIFF drawn as for the web map, but warped to ``dst_crs`` (e.g. a figure's GK zone).

    Raises
    ------
    RasterError, CRSError
        As :func:`render_raster`.
    """
    try:
        with rasterio.open(source) as src:
            rgba, transform, used = _picture(src, max_pixels, mode, colormap, 315.0, 45.0)
            out, extent = _warp(rgba, transform, src.crs, dst_crs, max_pixels)
    except rasterio.errors.RasterioIOError as exc:
        raise RasterError(f"cannot read the raster: {exc}") from exc
    return RasterPicture(np.moveaxis(out, 0, -1), extent, used)


def _bounds_of(transform: Affine, width: int, height: int) -> tuple[float, float, float, float]:
    x0, y0 = transform @ (0, 0)
    x1, y1 = transform @ (width, height)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _cell_size_m(crs: CRS, transform: Affine, bounds: rasterio.coords.BoundingBox
                 ) -> tuple[float, float]:
    """Cell width and height in metres (approximate for geographic rasters)."""
    dx, dy = abs(transform.a), abs(transform.e)
    if crs.is_geographic:
        lat = math.radians((bounds.bottom + bounds.top) / 2)
        return dx * _METRES_PER_DEGREE * max(math.cos(lat), 0.01), dy * _METRES_PER_DEGREE
    factor = crs.linear_units_factor[1] if crs.linear_units_factor else 1.0
    return dx * factor, dy * factor


def _shaded_relief(
    elevation: np.ndarray, dx: float, dy: float, colormap: str, azimuth: float, altitude: float
) -> np.ndarray:
    """Elevations coloured by ``colormap`` and blended with a hillshade; (3, h, w) 0–255.

    The hillshade is matplotlib's (:class:`~matplotlib.colors.LightSource`), stretched
    to its full range so that gentle relief still shows. With the default
    ``terrain`` map the blue "sea" end is left out: a DEM of land starts at green.
    """
    from matplotlib import colormaps
    from matplotlib.colors import LightSource, ListedColormap

    finite = np.isfinite(elevation)
    fill = float(np.nanmean(elevation)) if finite.any() else 0.0
    filled = np.where(finite, elevation, fill)
    low, high = _percentiles(elevation)
    cmap = colormaps[colormap]
    if colormap == "terrain":
        cmap = ListedColormap(cmap(np.linspace(0.25, 1.0, 256)), name="terrain_land")
    light = LightSource(azdeg=azimuth, altdeg=altitude)
    rgb = light.shade(filled, cmap=cmap, dx=dx, dy=dy, vert_exag=1.0, blend_mode="soft",
                      vmin=low, vmax=high if high > low else low + 1.0)[..., :3]
    return np.moveaxis(np.round(np.clip(rgb, 0.0, 1.0) * 255.0), -1, 0)


def _percentiles(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = np.percentile(finite, [2, 98])
    return float(low), float(high)


def _stretch(band: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """A band stretched from its 2nd to 98th percentile onto 0–255."""
    low, high = _percentiles(np.where(valid, band, np.nan))
    scaled = (np.nan_to_num(band, nan=low) - low) / (high - low if high > low else 1.0)
    return np.round(np.clip(scaled, 0.0, 1.0) * 255.0)


def _png(rgba: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.moveaxis(rgba, 0, -1), mode="RGBA").save(buffer, format="PNG")
    return buffer.getvalue()
