"""The atlas: a region's zone sheets as the pages of one PDF, with cover, index and contents.

:func:`zone_atlas` writes a cover, an index map (each zone's sheet number at its
place), the contents (sheet → zone → page), then one zone sheet per zone, each
followed by 续表 pages when its corner table is longer than the sheet holds; every
page carries its number. :func:`save_atlas` writes any figures as the pages of a PDF.

Memory stays bounded: pages are made one at a time, written, and released (the
figure cleared, its :mod:`~mineplan.figures.info` record dropped) before the next.

May import: vocab, settings, errors, atomic, layers, geodesy and the modules of
:mod:`mineplan.figures`. Never web or cli.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from mineplan import settings
from mineplan.atomic import atomic_output
from mineplan.errors import FigureError
from mineplan.figures.atlaspages import (
    CONTENTS_ROWS,
    CONTINUATION_ROWS,
    SheetEntry,
    contents_page,
    corner_continuation,
    cover_page,
    index_page,
    stamp_page_number,
)
from mineplan.figures.info import forget_figure
from mineplan.figures.layers import ProjectedLayers, check_frames, split_styles
from mineplan.figures.output import figure_context, paper_inches, rc_params, shared_pdf_text
from mineplan.figures.zonesheet import sheet_corners, zone_sheet
from mineplan.geodesy import gk_crs_for_lonlat
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import SCHEMATIC

__all__ = ["AtlasResult", "save_atlas", "zone_atlas"]

#: Corner rows on a zone sheet itself; the rest go to 续表 pages.
SHEET_CORNERS = 40


def save_atlas(figures: Iterable[Figure], path: str | Path) -> tuple[Path, int]:
    """Write figures as the pages of one PDF, atomically; each figure is released once written.

    Parameters
    ----------
    figures
        The pages, in order (an iterator is consumed lazily, so an atlas of many
        zones never holds more than one page in memory).
    path
        Target ``.pdf``; replaced only when every page was written.

    Returns
    -------
    tuple
        The written file and the number of pages.

    Raises
    ------
    FigureError
        If ``path`` is not a ``.pdf`` or there is no page.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise FigureError(f"an atlas is a PDF; got {str(path)!r}")
    pages = 0
    with atomic_output(path) as tmp:
        with matplotlib.rc_context(rc_params()), shared_pdf_text(), PdfPages(tmp) as pdf:
            for fig in figures:
                pdf.savefig(fig)
                forget_figure(fig)  # its record holds the axes, which hold the figure
                fig.clear()  # free the page: figures are not pyplot-managed
                pages += 1
        if pages == 0:
            raise FigureError("the atlas has no page: no zone matched")
    return path, pages


@dataclass
class AtlasResult:
    """What :func:`zone_atlas` wrote: the file, its pages and its contents."""

    path: Path
    pages: int
    front_pages: int  # cover, index, contents
    sheets: list[SheetEntry]
    index_crowded: int  # sheet numbers set small on the index map for want of room


def _zone_code(row: pd.Series) -> str:
    seq = str(row.get("seq", "") or "").strip()
    return f"{seq}（{row['zone_id']}）" if seq else str(row["zone_id"])


def zone_atlas(
    rows: Sequence[tuple[str, pd.Series]],
    frames: Mapping[str, gpd.GeoDataFrame],
    path: str | Path,
    *,
    region: str,
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle] | tuple[Mapping[str, LayerStyle], SchematicStyle],
    paper: str = "A4",
    orientation: str = "landscape",
    producer: str = "",
    date: _dt.date | None = None,
    grid: str = "graticule",
    title: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> AtlasResult:
    """Write the atlas of `rows` ((layer code, zone row) in sheet order) to `path` (PDF).

    Pages: cover, index map, contents (as many pages as it needs), then per zone its
    sheet and 续表 pages for corners beyond :data:`SHEET_CORNERS`. Every page is
    numbered 第 n 页 / 共 N 页. `producer` is the 制图单位 (blank on the cover when
    empty). `progress(i, n, text)` is told each sheet as it is drawn.

    Raises
    ------
    FigureError
        No zone, a path that is not ``.pdf``, missing layers or styles.
    """
    style_map, schematic = split_styles(styles)
    check_frames(frames, specs, style_map)
    if not rows:
        raise FigureError("the atlas has no page: no zone matched")
    if Path(path).suffix.lower() != ".pdf":
        raise FigureError(f"an atlas is a PDF; got {str(path)!r}")
    size = paper_inches(paper, orientation)
    date = date or settings.today()

    listed = [sheet_corners(row) for _, row in rows]  # once per zone: counted, then listed
    corner_counts = [len(sheet.corners) for sheet in listed]
    extra_pages = [math.ceil(max(n - SHEET_CORNERS, 0) / CONTINUATION_ROWS)
                   for n in corner_counts]
    contents_pages = math.ceil(len(rows) / CONTENTS_ROWS)
    front = 2 + contents_pages
    entries: list[SheetEntry] = []
    page = front + 1
    for number, ((code, row), extra) in enumerate(zip(rows, extra_pages, strict=True), 1):
        entries.append(SheetEntry(number, str(row["zone_id"]), _zone_code(row),
                                  str(row["name"]), code, specs[code].name, page, 1 + extra))
        page += 1 + extra
    total = page - 1

    xzq = frames["XZQ"]
    region_rows = xzq[xzq["name"] == region]
    zone_geoms = gpd.GeoSeries([row["geometry"] for _, row in rows], crs=xzq.crs)
    region_store = region_rows.geometry if not region_rows.empty else zone_geoms
    centre = region_store.union_all().representative_point()
    crs = gk_crs_for_lonlat(centre.x, centre.y)
    schematic_any = any(str(row.get("geometry_status", "") or "") == SCHEMATIC
                        for _, row in rows)
    plans = sorted({str(row.get("plan", "") or "") for _, row in rows} - {""})
    sources = [f"规划分区据{'、'.join(f'《{p}》' for p in plans)}"] if plans else []
    if "source" in xzq and len(xzq):
        sources.append(f"行政界线据 {xzq['source'].iloc[0]}（非官方来源，仅示意位置）")
    atlas_title = title or f"{region}矿产资源总体规划分区图集"
    result = AtlasResult(Path(path), 0, front, entries, 0)
    projected = ProjectedLayers()  # every layer reprojected once per GK zone, not per sheet

    def pages() -> Iterator[Figure]:
        n = 0

        def numbered(fig: Figure) -> Figure:
            nonlocal n
            n += 1
            stamp_page_number(fig, n, total)
            return fig

        with figure_context():
            yield numbered(cover_page(size=size, title=atlas_title, plans=plans,
                                      schematic=schematic_any, producer=producer, date=date,
                                      sources=sources, sheets=len(rows)))
            fig, _, crowded = index_page(
                frames, [(e, row) for e, (_, row) in zip(entries, rows, strict=True)],
                region_shape_store=region_store, crs=crs, specs=specs, styles=style_map,
                schematic=schematic, size=size, grid=grid,
                title=f"{atlas_title}索引图" + ("（示意图）" if schematic_any else ""))
            result.index_crowded = crowded
            yield numbered(fig)
            for k in range(contents_pages):
                yield numbered(contents_page(entries[k * CONTENTS_ROWS:(k + 1) * CONTENTS_ROWS],
                                             size=size, first=k == 0))
        for entry, (code, row), corners in zip(entries, rows, listed, strict=True):
            if progress is not None:
                progress(entry.number, len(entries), f"{entry.zone_id} {entry.name}")
            yield numbered(zone_sheet(row, frames, layer=code, specs=specs,
                                      styles=(style_map, schematic), paper=paper,
                                      orientation=orientation, producer=producer or "—",
                                      date=date, max_corners=SHEET_CORNERS, grid=grid,
                                      continued=entry.pages > 1, projected=projected,
                                      corners=corners))
            if entry.pages > 1:
                rest = corners.corners.iloc[SHEET_CORNERS:]
                with figure_context():
                    for part in range(1, entry.pages):
                        chunk = rest.iloc[(part - 1) * CONTINUATION_ROWS:part * CONTINUATION_ROWS]
                        yield numbered(corner_continuation(
                            chunk, size=size, title=f"{entry.number}. {entry.name}",
                            header=corners.header, with_ring=corners.with_ring, part=part,
                            parts=entry.pages - 1))

    _, written = save_atlas(pages(), path)
    if written != total:  # the page numbers printed would be wrong
        raise FigureError(f"the atlas wrote {written} pages but numbered {total}")
    result.pages = written
    return result
