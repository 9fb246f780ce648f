"""The names ``mineplan.web.views`` held before it was split, for importers not yet moved.

``mineplan/cli/figure.py`` imports :func:`find_zone` from here. New code imports from
where each name lives: :mod:`mineplan.web.browsing` (filters, search, zone table and
details, focus), :mod:`mineplan.web.maplayers` (store frames → map layers) and
:mod:`mineplan.web.importview` (the import page's report and preview).
"""

from __future__ import annotations

from mineplan.web.browsing import (
    DETAIL_FIELDS,
    TABLE_COLUMNS,
    ZoneTotals,
    filter_zones,
    find_zone,
    focus_layer,
    search_zones,
    selected_zone_id,
    store_regions,
    visible_frames,
    zone_details,
    zone_levels,
    zone_table,
    zone_totals,
)
from mineplan.web.importview import CRS_SOURCES, import_preview_layer, import_report_table
from mineplan.web.maplayers import DISPLAY_VERTEX_BUDGET, POPUP_FIELDS, map_layers

__all__ = [
    "CRS_SOURCES",
    "DETAIL_FIELDS",
    "DISPLAY_VERTEX_BUDGET",
    "POPUP_FIELDS",
    "TABLE_COLUMNS",
    "ZoneTotals",
    "filter_zones",
    "find_zone",
    "focus_layer",
    "import_preview_layer",
    "import_report_table",
    "map_layers",
    "search_zones",
    "selected_zone_id",
    "store_regions",
    "visible_frames",
    "zone_details",
    "zone_levels",
    "zone_table",
    "zone_totals",
]
