"""Local GeoTIFFs become web-map pictures: shaded, coloured, down-sampled, placed."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import rasterio
from PIL import Image
from rasterio.transform import Affine, from_origin

from mineplan.errors import CRSError
from mineplan.io.rasters import RasterError, list_rasters, render_raster


def _write(path: Path, data: np.ndarray, *, crs: str | None, transform: Affine,
           nodata: float | None = None) -> Path:
    count, height, width = data.shape
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=count,
                       dtype=data.dtype, crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(data)
    return path


@pytest.fixture()
def dem(tmp_path: Path) -> Path:
    """A 3000 × 2400 cone-shaped DEM in CGCS2000 / 3-degree GK CM 81°E (EPSG:4536)."""
    y, x = np.mgrid[0:2400, 0:3000]
    z = (2000 - np.hypot(x - 1500, y - 1200) * 0.8).astype("float32")
    z[:100, :100] = -9999  # nodata corner
    return _write(tmp_path / "dem.tif", z[None], crs="EPSG:4536",
                  transform=from_origin(480_000, 4_870_000, 10, 10), nodata=-9999)


def _image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def test_dem_is_shaded_downsampled_and_placed(dem: Path) -> None:
    picture = render_raster(dem, max_pixels=500)
    assert picture.mode == "hillshade"
    assert max(picture.width, picture.height) <= 500
    image = _image(picture.png)
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.size == (picture.width, picture.height)
    west, south, east, north = picture.bounds
    assert 80.7 < west < east < 81.2 and 43.5 < south < north < 44.0  # near Yining
    rgba = np.asarray(image)
    assert rgba[0, 0, 3] == 0  # the nodata corner is transparent
    centre = rgba[picture.height // 2, picture.width // 2]
    assert centre[3] == 255
    assert len({tuple(p) for p in rgba[::20, ::20, :3].reshape(-1, 3)}) > 20  # shaded, coloured


def test_bytes_are_accepted_like_a_path(dem: Path) -> None:
    assert render_raster(dem.read_bytes(), max_pixels=100).bounds == render_raster(
        dem, max_pixels=100).bounds


def test_rgb_imagery_keeps_its_colours(tmp_path: Path) -> None:
    data = np.zeros((3, 50, 60), dtype="uint8")
    data[0] = 200  # red
    path = _write(tmp_path / "img.tif", data, crs="EPSG:4490",
                  transform=from_origin(81.0, 44.0, 0.001, 0.001))
    picture = render_raster(path)
    assert picture.mode == "rgb"
    rgba = np.asarray(_image(picture.png))
    assert tuple(rgba[rgba.shape[0] // 2, rgba.shape[1] // 2]) == (200, 0, 0, 255)
    assert picture.bounds == pytest.approx((81.0, 43.95, 81.06, 44.0), abs=1e-3)


def test_single_byte_band_is_drawn_grey(tmp_path: Path) -> None:
    data = np.tile(np.arange(0, 250, 5, dtype="uint8"), (40, 1))[None]
    path = _write(tmp_path / "hs.tif", data, crs="EPSG:4490",
                  transform=from_origin(81.0, 44.0, 0.001, 0.001))
    picture = render_raster(path)
    rgba = np.asarray(_image(picture.png))
    assert picture.mode == "gray"
    assert (rgba[..., 0] == rgba[..., 1]).all()


def test_raster_without_crs_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "nocrs.tif", np.ones((1, 10, 10), dtype="float32"), crs=None,
                  transform=from_origin(0, 10, 1, 1))
    with pytest.raises(CRSError, match="no CRS"):
        render_raster(path)


def test_not_a_raster_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.tif"
    path.write_text("hello")
    with pytest.raises(RasterError, match="cannot read"):
        render_raster(path)


def test_uploaded_bytes_must_be_a_tiff() -> None:
    vrt = b'<VRTDataset rasterXSize="1" rasterYSize="1"></VRTDataset>'  # could read any file
    with pytest.raises(RasterError, match="not a GeoTIFF"):
        render_raster(vrt)


def test_uploaded_bytes_declaring_a_huge_grid_are_refused(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import mineplan.io.rasters

    path = _write(tmp_path / "big.tif", np.zeros((1, 100, 100), dtype="uint8"), crs="EPSG:4490",
                  transform=from_origin(81.0, 44.0, 0.001, 0.001))
    monkeypatch.setattr(mineplan.io.rasters, "MAX_UPLOAD_SOURCE_PIXELS", 9_999)
    with pytest.raises(RasterError, match="100 × 100 pixels"):
        render_raster(path.read_bytes())
    assert render_raster(path).width > 0  # the folder is trusted


def test_list_rasters_finds_geotiffs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "b.TIF").write_bytes(b"")
    (tmp_path / "a.tiff").write_bytes(b"")
    (tmp_path / "c.png").write_bytes(b"")
    monkeypatch.setenv("MINEPLAN_RASTERS", str(tmp_path))
    assert [p.name for p in list_rasters()] == ["a.tiff", "b.TIF"]
    assert list_rasters(tmp_path / "missing") == []
