"""Print-quality map figures for planning reports (matplotlib).

Every map is drawn in a CGCS2000 3-degree Gauss-Kruger zone *without* zone prefix
(false easting 500 000 m), never in raw degrees. The figure kinds:

* :func:`region_overview` (:mod:`.overview`) — a region's planning layers, county
  boundaries and red-line layers, with title, Chinese legend, scale bar, north arrow,
  graticule, an inset locating the region and a footnote.
* :func:`zone_sheet` (:mod:`.zonesheet`) — one zone with its neighbourhood, an
  attribute box and its corner-point table (from :func:`mineplan.io.corners.corner_table`).
* :func:`check_figure` (:mod:`.checkfigure`) — a proposed block, its conflict pieces
  and the findings, for a pre-grant report.
* :func:`zone_atlas` (:mod:`.atlas`) — a region's zone sheets as one PDF with cover,
  index map, contents, 续表 pages and page numbers (:mod:`.atlaspages`);
  :func:`save_atlas` writes any figures as the pages of one PDF.

What they are built from: :mod:`.fonts` (the CJK font, Noto Sans CJK SC with
TrueType outlines made once at set-up by ``python -m mineplan.figures make-font``, so
that PDFs print in Ghostscript too), :mod:`.output` (rcParams, paper sizes,
:func:`save_figure` for PNG/PDF/SVG through :mod:`mineplan.atomic`),
:mod:`.cartography` (extent, scale bar, north arrow, graticule, km grid, CRS notes),
:mod:`.layers` (store layers in order, faint schematic/demo styling, legend
entries, background raster),
:mod:`.text` (wrapping, short names, label placement, footnote),
:mod:`.neighbourhood` (the map half of a zone sheet and a check figure) and
:mod:`.info` (:func:`figure_info`: what a figure drew, for callers and tests).

May import: vocab, settings, errors, atomic, layers, rules (the check figure: which
finding is a piece of which layer), geodesy, io.rasters, io.corners.
Never web or cli (they import this package, not the reverse).
"""

from __future__ import annotations

from mineplan.errors import FigureError
from mineplan.figures.atlas import AtlasResult, save_atlas, zone_atlas
from mineplan.figures.cartography import ScaleBar
from mineplan.figures.checkfigure import check_figure
from mineplan.figures.info import FigureInfo, figure_info
from mineplan.figures.output import CJK_FONT, PAPER_SIZES_MM, configure_fonts, save_figure
from mineplan.figures.overview import region_overview
from mineplan.figures.text import SCHEMATIC_SENTENCE
from mineplan.figures.zonesheet import zone_sheet

__all__ = [
    "CJK_FONT",
    "PAPER_SIZES_MM",
    "SCHEMATIC_SENTENCE",
    "AtlasResult",
    "FigureError",
    "FigureInfo",
    "ScaleBar",
    "check_figure",
    "configure_fonts",
    "figure_info",
    "region_overview",
    "save_atlas",
    "save_figure",
    "zone_atlas",
    "zone_sheet",
]
