"""Fonts, paper and files: how a figure speaks Chinese and reaches the disk.

Owns the CJK font (Noto Sans CJK SC, embedded as TrueType in PDF), the paper sizes,
the rcParams context every figure is drawn in, and :func:`save_figure`, which writes
PNG, PDF or SVG through :mod:`mineplan.atomic`.

May import: errors, atomic. Never web or cli.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from mineplan.atomic import atomic_output
from mineplan.errors import FigureError

__all__ = [
    "CJK_FONT",
    "PAPER_SIZES_MM",
    "configure_fonts",
    "figure_context",
    "paper_inches",
    "rc_params",
    "save_figure",
]

log = logging.getLogger(__name__)

#: The CJK font every figure uses (Debian package fonts-noto-cjk, SIL OFL).
CJK_FONT = "Noto Sans CJK SC"
#: Paper sizes, (long side, short side) in millimetres.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (297.0, 210.0),
    "A3": (420.0, 297.0),
}

_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}


def _find_cjk() -> str | None:
    for entry in font_manager.fontManager.ttflist:
        if entry.name == CJK_FONT:
            return str(entry.fname)
    return None


def _cjk_font_path() -> str:
    found = _find_cjk()
    if found is None:
        # matplotlib's font cache predates the font's installation: register the
        # system's Noto Sans CJK files (fonts-noto-cjk) with the running font manager.
        for fname in font_manager.findSystemFonts():
            if "NotoSansCJK" in Path(fname).name:
                try:
                    font_manager.fontManager.addfont(fname)
                except (OSError, RuntimeError, ValueError):  # pragma: no cover
                    log.debug("could not register font %s", fname)
        found = _find_cjk()
    if found is not None:
        return found
    raise FigureError(
        f"font {CJK_FONT!r} not found by matplotlib; install it with "
        "`apt-get install fonts-noto-cjk` (then delete matplotlib's font cache "
        f"in {matplotlib.get_cachedir()} if it is still not found)"
    )


def rc_params() -> dict[Any, Any]:  # rcParams keys (the stubs type them as Literal)
    """The rcParams of every figure: the CJK font, TrueType in PDF, text as paths in SVG.

    Raises
    ------
    FigureError
        If Noto Sans CJK SC is not installed.
    """
    _cjk_font_path()
    return {
        "font.family": [CJK_FONT, "DejaVu Sans"],  # concrete: survives a plain savefig
        "font.sans-serif": [CJK_FONT, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
    }


def configure_fonts() -> None:
    """Set matplotlib's global rcParams to the CJK font, with TrueType embedding in PDF.

    The figure functions do this themselves inside an ``rc_context``; call this only
    to make other matplotlib plots speak Chinese too.

    Raises
    ------
    FigureError
        If Noto Sans CJK SC is not installed (``apt-get install fonts-noto-cjk``).
    """
    matplotlib.rcParams.update(rc_params())


@contextmanager
def figure_context() -> Iterator[None]:
    """The rcParams context every figure function builds its figure in."""
    with matplotlib.rc_context(rc_params()):
        yield


def paper_inches(paper: str, orientation: str) -> tuple[float, float]:
    """(width, height) in inches of ``paper`` (a key of :data:`PAPER_SIZES_MM`).

    Raises
    ------
    FigureError
        Naming every problem: an unknown paper, an orientation other than
        ``"landscape"`` or ``"portrait"``.
    """
    problems = []
    if paper not in PAPER_SIZES_MM:
        problems.append(f"paper {paper!r} is not one of {sorted(PAPER_SIZES_MM)}")
    if orientation not in ("landscape", "portrait"):
        problems.append(f"orientation {orientation!r} is not 'landscape' or 'portrait'")
    if problems:
        raise FigureError("; ".join(problems))
    long, short = PAPER_SIZES_MM[paper]
    w, h = (long, short) if orientation == "landscape" else (short, long)
    return w / 25.4, h / 25.4


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 300) -> Path:
    """Write a figure to PNG, PDF or SVG (chosen by extension), atomically.

    The figure keeps its paper size (no tight bounding box), so an A4 landscape
    figure at 100 dpi is 1169 × 827 pixels. PDF embeds the CJK font as TrueType
    (``pdf.fonttype = 42``).

    Parameters
    ----------
    fig
        The figure.
    path
        Target file: ``.png``, ``.pdf`` or ``.svg``. Replaced only when complete.
    dpi
        Resolution for raster output (and rasterised parts of vector output).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    FigureError
        If the extension is not one of png, pdf, svg.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise FigureError(
            f"cannot tell the format of {str(path)!r}; use a .png, .pdf or .svg extension"
        )
    with atomic_output(path) as tmp, matplotlib.rc_context(rc_params()):
        fig.savefig(tmp, format=fmt, dpi=dpi)
    log.info("wrote %s", path)
    return path
