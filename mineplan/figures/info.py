"""What a figure drew: the record each figure function leaves for callers and tests.

May import: errors, and :mod:`mineplan.figures.cartography`. Never web or cli.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import pyproj
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mineplan.errors import FigureError
from mineplan.figures.cartography import ScaleBar

__all__ = ["FigureInfo", "figure_info", "forget_figure", "record_figure"]


@dataclass
class FigureInfo:
    """What a figure drew, for callers and tests.

    Attributes
    ----------
    crs
        The CRS of the map axes (projected, metres).
    map_ax, inset_ax
        The main map axes and the locator inset (None on a zone sheet).
    drawn_layers
        Layer code → legend label, for every layer with features drawn.
    legend_labels
        Labels in the legend, in order.
    scale_bar
        The scale bar.
    labels_placed, labels_omitted
        Zone labels drawn, and skipped because they would overlap another.
    footnote
        The footnote text.
    title
        The main title.
    zone_index, index_listed
        Overview: zone number → zone name for every zone drawn, and the numbers the
        printed index lists (all of them unless the page could not hold it).
    """

    crs: pyproj.CRS
    map_ax: Axes
    inset_ax: Axes | None
    drawn_layers: dict[str, str]
    legend_labels: list[str]
    scale_bar: ScaleBar
    labels_placed: list[str] = field(default_factory=list)
    labels_omitted: int = 0
    footnote: str = ""
    title: str = ""
    zone_index: dict[str, str] = field(default_factory=dict)
    index_listed: list[str] = field(default_factory=list)


_INFO: weakref.WeakKeyDictionary[Figure, FigureInfo] = weakref.WeakKeyDictionary()


def record_figure(fig: Figure, info: FigureInfo) -> Figure:
    """Remember what `fig` drew (for :func:`figure_info`); returns `fig`."""
    _INFO[fig] = info
    return fig


def forget_figure(fig: Figure) -> None:
    """Drop the record of `fig` (an atlas does so once a page is written).

    The record holds the map axes, which hold the figure: without this a written
    page would stay in memory until the program ends.
    """
    _INFO.pop(fig, None)


def figure_info(fig: Figure) -> FigureInfo:
    """What :func:`region_overview`, :func:`zone_sheet` or :func:`check_figure` drew in `fig`.

    Raises
    ------
    FigureError
        If `fig` was not made by :mod:`mineplan.figures`.
    """
    try:
        return _INFO[fig]
    except KeyError:
        raise FigureError(
            "this figure was not drawn by mineplan.figures (no figure info recorded)"
        ) from None
