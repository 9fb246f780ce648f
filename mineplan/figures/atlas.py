"""The atlas: many figures (typically one zone sheet per zone) as the pages of one PDF.

May import: errors, atomic, and :mod:`mineplan.figures.output`. Never web or cli.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from mineplan.atomic import atomic_output
from mineplan.errors import FigureError
from mineplan.figures.output import rc_params

__all__ = ["save_atlas"]


def save_atlas(figures: Iterable[Figure], path: str | Path) -> tuple[Path, int]:
    """Write figures as the pages of one PDF, atomically; each figure is closed once written.

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
        with matplotlib.rc_context(rc_params()), PdfPages(tmp) as pdf:
            for fig in figures:
                pdf.savefig(fig)
                fig.clear()  # free the page: figures are not pyplot-managed
                pages += 1
        if pages == 0:
            raise FigureError("the atlas has no page: no zone matched")
    return path, pages
