"""``--scale 1:N``: an overview printed at a standard scale, the paper chosen to hold it.

Expected values: the scale asked for, the frame measured on the rendered figure, and
poppler (``pdfinfo`` page size, ``pdftotext`` for the printed numeric scale).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest

from mineplan.cli import main
from mineplan.figures import FigureError, figure_info, region_overview, save_figure
from mineplan.layers import read_layer_specs, read_styles
from mineplan.store import list_layers, read_layer

SPECS = read_layer_specs()


@pytest.fixture(scope="module")
def frames(built_store: Path) -> dict[str, gpd.GeoDataFrame]:
    return {c: read_layer(built_store, c) for c in list_layers(built_store)}


def _poppler(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} (poppler-utils) is needed in CI")
        pytest.skip(f"{tool} not installed (apt-get install poppler-utils)")


def test_an_overview_prints_at_the_scale_asked(frames, tmp_path: Path) -> None:
    fig = region_overview(frames, region="伊宁市", specs=SPECS, styles=read_styles(),
                          scale=250_000, fit_paper=True)
    info = figure_info(fig)
    assert info.scale_bar.numeric_label == "1:250 000"
    # measured: the frame's printed width on a 100 dpi PNG, against its width in GK metres
    save_figure(fig, tmp_path / "map.png", dpi=100)
    frame = info.map_ax.get_window_extent(fig.canvas.get_renderer())
    paper_m = frame.width / fig.dpi * 0.0254
    width_m = info.map_ax.get_xlim()[1] - info.map_ax.get_xlim()[0]
    assert width_m / paper_m == pytest.approx(250_000, rel=2e-3)
    assert info.scale_bar.length_m > 0  # the bar stays
    # 伊宁市's plan spans ~35 × 54 km: at 1:250 000 that is ~224 mm of frame height with
    # margins; a landscape page gives the map its height less a 31 mm title block, a
    # ~19 mm footnote and the double frame: A4 ~136 mm, A3 ~235 mm
    assert tuple(round(v * 25.4) for v in fig.get_size_inches()) == (420, 297)
    assert 224 <= frame.height / fig.dpi * 25.4 <= 240
    with pytest.raises(FigureError, match=r"does not fit the map frame"):
        region_overview(frames, region="伊宁市", specs=SPECS, styles=read_styles(),
                        scale=250_000)


def test_a_scale_too_large_is_refused_with_one_that_fits(frames) -> None:
    with pytest.raises(FigureError) as err:
        region_overview(frames, region="伊宁市", specs=SPECS, styles=read_styles(),
                        scale=50_000)
    hint = re.search(r"--scale 1:(\d+)", str(err.value))
    assert hint, str(err.value)
    suggested = int(hint.group(1))
    assert suggested in (5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000)
    fig = region_overview(frames, region="伊宁市", specs=SPECS, styles=read_styles(),
                          scale=suggested)
    assert figure_info(fig).scale_bar.denominator == pytest.approx(suggested, rel=1e-6)


def test_cli_scale_picks_the_paper_and_prints_the_scale(built_store: Path,
                                                        tmp_path: Path) -> None:
    _poppler("pdfinfo")
    _poppler("pdftotext")
    out = tmp_path / "伊宁市.pdf"
    assert main(["figure", "伊宁市", "--scale", "1:250000", "-o", str(out),
                 "--store", str(built_store), "-q"]) == 0
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert re.search(r"Page size:\s+1190\.55 x 841\.89 pts \(A3\)", info.stdout), info.stdout
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "比例尺 1:250 000" in text


def test_cli_scale_is_checked(built_store: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.pdf"
    with pytest.raises(SystemExit) as err:
        main(["figure", "伊宁市", "--scale", "abc", "-o", str(out), "--store", str(built_store)])
    assert err.value.code == 2
    assert "--scale: 'abc' is not a map scale; write it as 1:50000" in capsys.readouterr().err
    code = main(["figure", "--zone", "yining-TKGH-001", "--scale", "1:50000", "-o", str(out),
                 "--store", str(built_store)])
    assert code != 0
    assert "--scale applies to a region overview" in capsys.readouterr().err
    assert not out.exists()
