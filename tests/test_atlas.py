"""The atlas (`mineplan figure REGION --atlas`): cover, index map, contents, page numbers,
corner tables complete over 续表 pages, no point listed twice, text readable by poppler
and Ghostscript.

Expected values come from the store's geometry (corners counted with shapely), the
catalogue and poppler/Ghostscript, not from the atlas code.
"""

from __future__ import annotations

import contextlib
import math
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pyproj
import pytest
from shapely.geometry import Polygon

from mineplan.cli import main
from mineplan.io.corners import corner_table
from mineplan.store import read_layer
from mineplan.vocab import SCHEMATIC

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("gs") is None,
                                reason="poppler-utils and ghostscript are needed")

# The layout the atlas promises (issue 13 §4): cover + index map, 28 contents rows a page,
# 40 corners on a sheet (two blocks) and 3 × 46 on each 续表 page.
FRONT, CONTENTS_ROWS, ON_SHEET, PER_CONTINUATION = 2, 28, 40, 138
_ROW = re.compile(r"(?:(\d+) +)?(J\d+) +(\d+\.\d{2}) +(\d+\.\d{2})")


def _corners(row: pd.Series) -> int:
    """Corners of a zone counted from its store geometry with pyproj: each exterior ring's
    vertices in the prefixed 3-degree GK zone (EPSG:4513 is zone 25), a vertex equal at
    0.01 m to the one before (or, at the end, to the first) not counted again, the closing
    repeat not counted; a zone without area (a point) lists none."""
    if row["geometry_status"] == SCHEMATIC and math.isnan(row["area_km2"]):
        return 0
    geom = row["geometry"]
    rep = geom.representative_point()
    to_plane = pyproj.Transformer.from_crs(4490, 4513 + round(rep.x / 3) - 25, always_xy=True)
    total = 0
    for part in getattr(geom, "geoms", [geom]):
        lon, lat = zip(*part.exterior.coords[:-1], strict=True)
        east, north = to_plane.transform(lon, lat)
        points = [(round(n, 2), round(e, 2)) for n, e in zip(north, east, strict=True)]
        kept = [p for k, p in enumerate(points) if k == 0 or p != points[k - 1]]
        while len(kept) > 1 and kept[-1] == kept[0]:
            kept.pop()
        total += len(kept)
    return total


def test_corner_table_lists_a_point_once_however_many_vertices_sit_on_it() -> None:
    # a 100 m square (CGCS2000 GK zone 27, EPSG:4515) with two vertices 1 mm from its
    # second corner and one 1 mm from its first at the end: 4 corners as printed
    to_geo = pyproj.Transformer.from_crs(4515, 4490, always_xy=True)
    plane = [(27_500_000.0, 4_800_000.0), (27_500_100.0, 4_800_000.0),
             (27_500_100.001, 4_800_000.0), (27_500_100.0, 4_800_000.001),
             (27_500_100.0, 4_800_100.0), (27_500_000.0, 4_800_100.0),
             (27_500_000.001, 4_800_000.0)]
    ring = Polygon([to_geo.transform(x, y) for x, y in plane])
    table = corner_table([ring], plane_crs=4515)
    assert list(table["point"]) == ["J1", "J2", "J3", "J4"]
    assert [round(v, 2) for v in table["y"]] == [27_500_000.0, 27_500_100.0, 27_500_100.0,
                                                 27_500_000.0]


def _pages_text(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8")
    return out.split("\f")[:-1]


def _atlas(store: Path, tmp_path: Path, region: str, layers: list[str]) -> tuple[Path, list]:
    path = tmp_path / "atlas.pdf"
    args = ["figure", region, "--atlas", "-o", str(path), "--store", str(store)]
    for layer in layers:
        args += ["--layer", layer]
    assert main(args) == 0
    rows = []
    for layer in layers:
        frame = read_layer(store, layer)
        rows += [r for _, r in frame[frame["region"] == region].iterrows()]
    return path, rows


def _check_atlas(path: Path, rows: list) -> list[str]:
    corners = [_corners(r) for r in rows]
    extra = [math.ceil(max(n - ON_SHEET, 0) / PER_CONTINUATION) for n in corners]
    expected = FRONT + math.ceil(len(rows) / CONTENTS_ROWS) + len(rows) + sum(extra)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    assert int(re.search(r"Pages:\s+(\d+)", info.stdout)[1]) == expected  # type: ignore[index]

    pages = _pages_text(path)
    assert len(pages) == expected
    squashed = [re.sub(r"\s+", "", p) for p in pages]
    for n, text in enumerate(squashed, start=1):  # every page numbered
        assert f"第{n}页/共{expected}页" in text, n
    assert "目录" in squashed[2]
    whole = "".join(squashed)
    for row in rows:  # every zone named (its sheet's title) and listed in the contents
        assert re.sub(r"\s+", "", str(row["name"])) in whole
        assert str(row["zone_id"]) in "".join(squashed[2:2 + math.ceil(len(rows) / 28)])

    # each sheet with its 续表 pages lists every corner once, in order, none twice
    page = FRONT + math.ceil(len(rows) / CONTENTS_ROWS)
    for row, n_corners, n_extra in zip(rows, corners, extra, strict=True):
        listed = []
        for text in pages[page:page + 1 + n_extra]:
            # blocks side by side share a line in -layout text: find rows anywhere
            points = [m.groups() for m in _ROW.finditer(text)]
            names = [(ring, point) for ring, point, _, _ in points]
            assert len(set(names)) == len(names), f"{row['zone_id']}: a point twice on a page"
            listed += points
        assert len(listed) == n_corners, row["zone_id"]
        assert len({(x, y) for _, _, x, y in listed}) == len(listed), row["zone_id"]
        if n_corners:  # one ring here: J1…Jn, each once
            assert sorted(int(p[1:]) for _, p, _, _ in listed) == list(range(1, n_corners + 1))
        page += 1 + n_extra
    assert page == expected
    return pages


def test_atlas_long_corner_table_continues_on_following_pages(built_store: Path,
                                                             tmp_path: Path) -> None:
    path, rows = _atlas(built_store, tmp_path, "伊宁市", ["GJKQ"])
    assert len(rows) == 1
    n = _corners(rows[0])
    assert n > ON_SHEET + PER_CONTINUATION  # more than one 续表 page: the case to test
    # its schematic outline has runs of sub-centimetre vertices (J10–J12 were one point)
    assert sum(len(p.exterior.coords) - 1 for p in rows[0]["geometry"].geoms) > n
    pages = _check_atlas(path, rows)
    assert "续表" in pages[4] and "续表见后页" in re.sub(r"\s+", "", pages[3])

    # the cover as Ghostscript reads it (the print chain): title, schematic status, date
    out = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=txtwrite",
                          "-dFirstPage=1", "-dLastPage=1", "-sOutputFile=-", str(path)],
                         capture_output=True, check=True).stdout.decode("utf-8", "replace")
    cover = re.sub(r"\s+", "", out)
    assert "伊宁市矿产资源总体规划分区图集（示意图）" in cover
    assert "制图单位" in cover and "制图日期" in cover and "数据来源" in cover


@pytest.mark.slow
def test_atlas_of_several_layers_lists_every_zone(built_store: Path, tmp_path: Path) -> None:
    path, rows = _atlas(built_store, tmp_path, "伊宁市", ["CKGH", "HJZL", "YSCK"])
    assert len(rows) > 10
    pages = _check_atlas(path, rows)
    index = re.sub(r"\s+", "", pages[1])
    assert "索引图" in index
    words = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-bbox", str(path), "-"],
                           capture_output=True, check=True).stdout.decode("utf-8")
    on_map = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>(\d+)</word>', words)
    # every sheet number is on the index map, as text (above the page number's line)
    numbers = {int(n) for y, n in on_map if float(y) < 560}
    assert numbers >= set(range(1, len(rows) + 1))


def _pages_pdf(path: Path, *, shared: bool) -> bytes:
    """Three pages repeating strings at two font sizes (as an atlas repeats its labels),
    written with or without :func:`shared_pdf_text`; no creation date, so comparable."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    from mineplan.figures.output import rc_params, shared_pdf_text

    with matplotlib.rc_context(rc_params()):
        figures = []
        for page in range(3):
            fig = Figure(figsize=(6, 4))
            for k, size in enumerate((6, 11, 6)):  # the same strings at another size between
                fig.text(0.1, 0.8 - 0.2 * k, "拐点坐标 J1 4812345.67 AVAV", fontsize=size)
                fig.text(0.9, 0.8 - 0.2 * k, f"第 {page + 1} 页 本分区范围（示意）",
                         fontsize=size, ha="right")
            figures.append(fig)
        with (shared_pdf_text() if shared else contextlib.nullcontext(),
              PdfPages(path, metadata={"CreationDate": None}) as pdf):
            for fig in figures:
                pdf.savefig(fig)
    return path.read_bytes()


def test_shared_pdf_text_writes_the_same_pdf_as_matplotlib_alone(tmp_path) -> None:
    """Measuring and laying out a repeated string once for all pages (how an atlas saves
    its CPU) changes no byte of the PDF, also where a string recurs at another size; and
    matplotlib is left as it was found."""
    from matplotlib import _text_helpers
    from matplotlib.backends import backend_pdf

    before = (_text_helpers.layout, backend_pdf.RendererPdf.draw_text,
              backend_pdf.RendererPdf.get_text_width_height_descent)
    from mineplan.figures.output import shared_pdf_text

    with shared_pdf_text():  # active with this matplotlib: an upgrade that changes the
        assert _text_helpers.layout is not before[0]  # internals fails here, not silently
    alone = _pages_pdf(tmp_path / "alone.pdf", shared=False)
    shared = _pages_pdf(tmp_path / "shared.pdf", shared=True)
    assert shared == alone
    assert (_text_helpers.layout, backend_pdf.RendererPdf.draw_text,
            backend_pdf.RendererPdf.get_text_width_height_descent) == before
    assert "get_text_width_height_descent" not in vars(backend_pdf.RendererPdf)


def test_grid_table_text_is_pdf_text_centred_in_its_ruled_cell(tmp_path) -> None:
    """A corner table drawn as one artist keeps every cell's text as searchable PDF text,
    each word inside the cell the rules draw (cell edges computed here from the table's
    place on a 10 × 5 inch page: 72 pt an inch, y down from the top in poppler's terms)."""
    import matplotlib
    from matplotlib.figure import Figure

    from mineplan.figures.gridtable import GridTable, add_grid_table
    from mineplan.figures.output import rc_params

    cells = [["点号", "X", "Y"], ["J1", "4812345.67", "28512345.01"],
             ["J2", "4812399.99", "28512400.50"]]
    left, top, width, row, widths = 0.2, 0.8, 0.5, 0.1, [0.2, 0.4, 0.4]
    with matplotlib.rc_context(rc_params()):
        fig = Figure(figsize=(10, 5))
        table = add_grid_table(fig, cells, left=left, top=top, width=width, row_height=row,
                               col_widths=widths, fontsize=8)
        assert fig.findobj(GridTable) == [table]
        fig.savefig(tmp_path / "t.pdf")
    out = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "t.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    words = {m[5]: tuple(map(float, m.groups()[:4])) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        out)}
    for r, line in enumerate(cells):
        x0 = left
        for c, text in enumerate(line):
            x1 = x0 + widths[c] * width
            y_top, y_bottom = (1 - top + r * row) * 5 * 72, (1 - top + (r + 1) * row) * 5 * 72
            wx0, wy0, wx1, wy1 = words[text]
            assert x0 * 720 < wx0 and wx1 < x1 * 720, text
            assert y_top < wy0 and wy1 < y_bottom, text
            assert (wx0 + wx1) / 2 == pytest.approx((x0 + x1) / 2 * 720, abs=0.5), text
            x0 = x1
