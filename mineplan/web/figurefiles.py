"""The browse page's printable figures as file bytes: a region overview or a zone sheet.

:func:`figure_file` draws with :mod:`mineplan.figures` and saves to a private temporary
folder, returning the bytes for a download button; :data:`FIGURE_MIME` gives their type.

May import :mod:`mineplan.figures`, :mod:`mineplan.layers` and :mod:`mineplan.web.browsing`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from mineplan.errors import FigureError
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.web.browsing import find_zone

__all__ = ["FIGURE_MIME", "figure_file"]

#: Figure format → MIME type of the download.
FIGURE_MIME = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml"}


def figure_file(
    frames: Mapping[str, gpd.GeoDataFrame],
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle,
    *,
    region: str,
    zone_id: str,
    fmt: str,
    paper: str,
    orientation: str,
    grid: str,
) -> bytes:
    """A region overview (or, with ``zone_id``, that zone's sheet) as ``fmt`` file bytes.

    Raises
    ------
    FigureError
        ``zone_id`` is not among the zones shown (message in Chinese).
    """
    from mineplan.figures import region_overview, save_figure, zone_sheet

    if zone_id:
        found = find_zone({c: f for c, f in frames.items() if specs[c].is_zone_layer}, zone_id)
        if found is None:
            raise FigureError(f"分区 {zone_id} 不在当前筛选范围内")
        fig = zone_sheet(found[1].iloc[0], frames, layer=found[0], specs=specs,
                         styles=(styles, schematic), paper=paper, orientation=orientation,
                         grid=grid)
    else:
        fig = region_overview(frames, region=region, specs=specs, styles=(styles, schematic),
                              paper=paper, orientation=orientation, grid=grid)
    with tempfile.TemporaryDirectory() as tmp:
        out = save_figure(fig, Path(tmp) / f"figure.{fmt}")
        return out.read_bytes()
