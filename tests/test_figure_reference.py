"""Figures against a stored reference image (layout regressions), and the km grid.

To accept a deliberate layout change, regenerate the reference:
    MINEPLAN_UPDATE_REFERENCE=1 .venv/bin/python -m pytest tests/test_figure_reference.py
and look at tests/fixtures/figures/*.png before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from mineplan.figures import figure_info, region_overview
from mineplan.layers import read_layer_specs, read_styles
from mineplan.store import list_layers, read_layer

REFERENCE = Path(__file__).parent / "fixtures" / "figures" / "overview_yining_50dpi.png"


@pytest.fixture(scope="module")
def frames(built_store: Path) -> dict:  # type: ignore[type-arg]
    return {c: read_layer(built_store, c) for c in list_layers(built_store)}


def _gray(path: Path) -> np.ndarray:
    image = matplotlib.image.imread(path)[..., :3]
    return np.asarray(image.mean(axis=2), dtype=float)


@pytest.mark.slow
def test_overview_layout_matches_the_reference(frames: dict, tmp_path: Path,  # type: ignore[type-arg]
                                               artifacts: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: the date is drawn
    store_frames = frames
    out = tmp_path / "overview.png"
    from mineplan.figures import save_figure

    fig = region_overview(store_frames, region="伊宁市", specs=read_layer_specs(),
                          styles=read_styles())
    save_figure(fig, out, dpi=50)
    (artifacts / "figures").mkdir(exist_ok=True)
    shutil.copy(out, artifacts / "figures" / "overview_yining_50dpi.png")
    if os.environ.get("MINEPLAN_UPDATE_REFERENCE"):
        shutil.copy(out, REFERENCE)
    got, want = _gray(out), _gray(REFERENCE)
    assert got.shape == want.shape
    differing = np.abs(got - want) > 0.25
    # Tolerance for anti-aliasing and font-hinting differences; a moved legend,
    # title or map frame changes far more than 1.5 % of the pixels.
    assert differing.mean() < 0.015, f"{differing.mean():.2%} of pixels differ from the reference"


@pytest.mark.slow
def test_km_grid_labels_are_kilometres_with_the_zone_prefix(frames: dict) -> None:  # type: ignore[type-arg]
    fig = region_overview(frames, region="伊宁市", specs=read_layer_specs(), styles=read_styles(),
                          grid="km")
    info = figure_info(fig)
    labels = [t.get_text() for t in info.map_ax.texts if t.get_text()[:2].isdigit()]
    eastings = [lab for lab in labels if lab.startswith("27 ")]  # zone 27 prefix, in km
    assert eastings, labels
    assert all(len(lab.replace(" ", "")) == 5 for lab in eastings)  # e.g. "27 450"
    assert "公里网" in info.footnote


@pytest.mark.slow
def test_a_local_geotiff_is_drawn_under_the_layers_in_the_map_crs(
        frames: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    import rasterio
    from rasterio.transform import from_origin

    dem = tmp_path / "dem.tif"
    z = np.add.outer(np.linspace(800, 2400, 200), np.linspace(0, 300, 200)).astype("float32")
    with rasterio.open(dem, "w", driver="GTiff", width=200, height=200, count=1,
                       dtype="float32", crs="EPSG:4490",
                       transform=from_origin(81.1, 44.1, 0.002, 0.002)) as dst:
        dst.write(z, 1)
    fig = region_overview(frames, region="伊宁市", specs=read_layer_specs(),
                          styles=read_styles(), background=dem)
    info = figure_info(fig)
    images = info.map_ax.get_images()
    assert len(images) == 1
    left, right, bottom, top = images[0].get_extent()
    assert 3e5 < left < right < 7e5 and 4.8e6 < bottom < top < 4.95e6  # GK metres, not degrees
    assert images[0].get_zorder() < 1  # under every layer
    assert "dem.tif" in info.footnote and "地形晕渲" in info.footnote
