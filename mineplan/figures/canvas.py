"""The canvas every figure is built on: Agg for measuring text, no redraw on each plot call.

geopandas ends every ``plot`` with ``canvas.draw_idle()``, which on a plain Agg canvas
renders the whole figure drawn so far — a dozen full renders per sheet, a third of an
atlas's time, for pictures nobody sees. :class:`QuietCanvas` keeps Agg's renderer (text
extents for label placement) and skips those idle redraws; saving draws as always.

May import: matplotlib only. Never web or cli.
"""

from __future__ import annotations

from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["QuietCanvas", "quiet_canvas"]


class QuietCanvas(FigureCanvasAgg):
    """An Agg canvas whose ``draw_idle`` does nothing (nothing is on screen to refresh)."""

    def draw_idle(self, *args: Any, **kwargs: Any) -> None:
        """Skip: the figure is drawn when it is saved."""


def quiet_canvas(fig: Figure) -> Figure:
    """Attach a :class:`QuietCanvas` to `fig`; returns `fig`."""
    QuietCanvas(fig)
    return fig
