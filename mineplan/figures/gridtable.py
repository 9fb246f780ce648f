"""A ruled table of text cells drawn as one artist: the corner tables of sheets and 续表 pages.

:class:`GridTable` draws what ``Axes.table`` draws for a table of equal-height rows
(each cell a white rectangle with a black edge, its text centred in it) but as one
figure-level artist: no axes to hold it, one :class:`~matplotlib.collections.PatchCollection`
for every cell's rectangle and one :class:`~matplotlib.text.Text` drawn once per cell.
An atlas has some 3,000 corner cells; as ``Axes.table`` cells (a Rectangle and a Text
each, positioned on every draw) and their axes they were a fifth of its time. The text
stays text in PDF and SVG, one string per cell, as before.

May import: matplotlib only. Never web or cli.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.artist import Artist, allow_rasterization
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

__all__ = ["GridTable", "add_grid_table"]


class GridTable(Artist):
    """Rows of text cells of one height, ruled, in figure coordinates.

    Parameters
    ----------
    cells
        The rows (the header first, when there is one); every row as long as
        ``col_widths``.
    left, top, width
        The table's left and top edges and its width, as fractions of the figure.
    row_height
        Height of every row, as a fraction of the figure's height.
    col_widths
        Each column's share of ``width`` (summing to 1).
    fontsize
        Of every cell's text, in points.
    """

    def __init__(self, cells: Sequence[Sequence[str]], *, left: float, top: float,
                 width: float, row_height: float, col_widths: Sequence[float],
                 fontsize: float, **kwargs: Any) -> None:
        super().__init__()
        self.cells = [list(row) for row in cells]
        if any(len(row) != len(col_widths) for row in self.cells):
            raise ValueError("every row of a table has one cell per column width")
        lefts = [left]
        for share in col_widths:
            lefts.append(lefts[-1] + share * width)
        self._boxes = [(lefts[c], top - (r + 1) * row_height, lefts[c + 1] - lefts[c],
                        row_height)
                       for r in range(len(self.cells)) for c in range(len(col_widths))]
        self._rules = PatchCollection(
            [Rectangle((x, y), w, h) for x, y, w, h in self._boxes],
            facecolor="w", edgecolor="k", linewidth=mpl.rcParams["patch.linewidth"],
            joinstyle="miter", capstyle="butt")  # a Rectangle's own: square outer corners
        self._text = Text(0, 0, "", fontsize=fontsize, ha="center", va="center",
                          clip_on=False)
        self.update(kwargs)

    def set_figure(self, fig: Any) -> None:  # Figure | SubFigure in the stubs
        """Place the table, its rules and its text on `fig` (figure coordinates)."""
        super().set_figure(fig)
        for part in (self._rules, self._text):
            part.set_figure(fig)
            part.set_transform(fig.transFigure)

    def get_children(self) -> list[Artist]:
        """The rules and the text artist every cell is drawn with."""
        return [self._rules, self._text]

    @allow_rasterization
    def draw(self, renderer: Any) -> None:
        """Draw the cells' rectangles, then each cell's text centred in its cell."""
        if not self.get_visible():
            return
        renderer.open_group("table", gid=self.get_gid())
        self._rules.draw(renderer)
        flat = (text for row in self.cells for text in row)
        for (x, y, w, h), text in zip(self._boxes, flat, strict=True):
            if text:
                self._text.set_text(text)
                self._text.set_position((x + w / 2, y + h / 2))
                self._text.draw(renderer)
        renderer.close_group("table")
        self.stale = False


def add_grid_table(fig: Figure, cells: Sequence[Sequence[str]], **kwargs: Any) -> GridTable:
    """Add a :class:`GridTable` of `cells` to `fig` (keywords as for the class); returns it."""
    table = GridTable(cells, **kwargs)
    fig.add_artist(table)
    return table
