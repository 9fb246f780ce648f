"""Fonts, paper and files: how a figure speaks Chinese and reaches the disk.

Owns the rcParams every figure is drawn in, the paper sizes, and :func:`save_figure`,
which writes PNG, PDF or SVG through :mod:`mineplan.atomic`; :func:`shared_pdf_text`
lets the pages of one PDF (an atlas) share their text measurements and layouts.

How text is written, and why
----------------------------
* **PDF**: the font is embedded, as matplotlib always does it, as a TrueType CID font
  (``CIDFontType2`` + ``FontFile2``, ``pdf.fonttype`` 42). That label is true only
  for a font with TrueType outlines, so every figure is set in
  :data:`~mineplan.figures.fonts.CJK_FONT`, Noto Sans CJK SC converted to TrueType
  outlines once at set-up (see :mod:`mineplan.figures.fonts` for why and how). The
  CFF original under a TrueType label was what Ghostscript drew as garbage. Type 3
  (``pdf.fonttype`` 3) was rejected: matplotlib draws characters beyond the first
  255 of a font as pictures, so Chinese text could not be searched or copied.
  Text stays text: each font's ``ToUnicode`` map is written as ``bfchar`` pairs
  (:func:`conform_pdf_text`), because Ghostscript 10.0 ignores matplotlib's
  ``bfrange`` arrays and extracts the Chinese as garbage.
* **SVG**: text stays ``<text>`` (``svg.fonttype`` ``none``) naming the font
  families ``'Mineplan Sans CJK SC', 'Noto Sans CJK SC', 'DejaVu Sans'``, so labels
  can be edited in Inkscape or Illustrator, in the original Noto face where only
  that is installed.
* **PNG**: drawn by matplotlib (Agg) in the same font.

May import: settings, errors, atomic, figures.fonts. Never web or cli.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends import backend_pdf
from matplotlib.figure import Figure

from mineplan.atomic import atomic_output
from mineplan.errors import FigureError
from mineplan.figures.fonts import CJK_FONT, SOURCE_FONT, bfchar_blocks, register_cjk_font

__all__ = [
    "CJK_FONT",
    "PAPER_SIZES_MM",
    "configure_fonts",
    "conform_pdf_text",
    "figure_context",
    "paper_inches",
    "rc_params",
    "save_figure",
    "shared_pdf_text",
]

log = logging.getLogger(__name__)

#: Paper sizes, (long side, short side) in millimetres.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (297.0, 210.0),
    "A3": (420.0, 297.0),
    "A2": (594.0, 420.0),
    "A1": (841.0, 594.0),
    "A0": (1189.0, 841.0),
}

_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}


_BFRANGE = re.compile(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*\[([^\]]*)\]")


class _BfcharToUnicode(bytes):
    """matplotlib's ToUnicode CMap template, filled with ``bfchar`` pairs.

    matplotlib fills ``PdfFile._identityToUnicodeCMap % (count, ranges)`` with
    ``<start> <end> [<u1> <u2> ...]`` lines; this writes the same mapping one
    code per pair, which every reader understands. Lines it cannot parse are
    left to matplotlib's own template.
    """

    def __mod__(self, args: Any) -> bytes:
        plain = bytes(self)
        try:
            lines = bytes(args[1]).decode("ascii").splitlines()
        except (IndexError, TypeError, ValueError):
            return plain % args
        pairs = []
        for line in lines:
            found = _BFRANGE.fullmatch(line.strip())
            if found is None:
                return plain % args
            start, end, width = int(found[1], 16), int(found[2], 16), len(found[1])
            targets = re.findall(r"<[0-9a-fA-F]*>", found[3])
            if len(targets) != end - start + 1:
                return plain % args
            pairs += [f"<{code:0{width}x}> {target}"
                      for code, target in zip(range(start, end + 1), targets, strict=True)]
        body = bfchar_blocks(pairs)
        head, _, tail = plain.partition(b"%d beginbfrange\n%s\nendbfrange")
        return head + body.encode("ascii") + tail


def conform_pdf_text() -> None:
    """Make matplotlib write each PDF font's ToUnicode map as ``bfchar`` pairs.

    The same mapping as matplotlib's ``bfrange`` arrays, in the form Ghostscript
    10.0's text extraction reads (it turns the arrays into garbage). Idempotent;
    changes nothing if matplotlib's template is not the one expected.
    """
    template = getattr(backend_pdf.PdfFile, "_identityToUnicodeCMap", None)
    if (isinstance(template, bytes) and not isinstance(template, _BfcharToUnicode)
            and b"%d beginbfrange\n%s\nendbfrange" in template):
        backend_pdf.PdfFile._identityToUnicodeCMap = _BfcharToUnicode(template)


#: Strings whose measurements and layouts :func:`shared_pdf_text` keeps (each).
_SHARED_TEXTS = 4096


@contextmanager
def shared_pdf_text() -> Iterator[None]:
    """While open, PDF pages share their text measurements and glyph layouts.

    matplotlib measures and lays out every string of a PDF page glyph by glyph
    (some 40 µs a glyph with the CJK font), and forgets it all with the page's
    renderer. An atlas repeats most of its strings from page to page (legend labels,
    headings, footnotes, grid labels, J1…), so inside this context each distinct string
    is measured once and laid out once per font size: the same numbers and the same
    glyphs as matplotlib's own, reused. Changes nothing if matplotlib's internals are
    not the ones expected (then every page does its own work, as without it).
    """
    from matplotlib import _text_helpers

    renderer = backend_pdf.RendererPdf
    measure, draw_text = renderer.get_text_width_height_descent, renderer.draw_text
    layout = getattr(_text_helpers, "layout", None)
    if layout is None or "draw_text" not in vars(renderer):
        log.warning(
            "this matplotlib (%s) lays out PDF text differently: pages are not sharing "
            "their text measurements (the output is the same, an atlas takes longer)",
            matplotlib.__version__)
        yield
        return
    if getattr(layout, "__wrapped__", None) is not None:  # already shared (nested)
        yield
        return
    own_measure = "get_text_width_height_descent" in vars(renderer)  # else inherited
    # least recently used first; bounded, so a long atlas's one-off strings (coordinates)
    # do not pile up: memory stays flat however many pages
    sizes: OrderedDict[Any, tuple[float, float, float]] = OrderedDict()
    layouts: OrderedDict[tuple[Any, ...], tuple[Any, list[Any]]] = OrderedDict()
    size_now: list[float] = [0.0]
    owner = threading.get_ident()  # other threads (a web server's) go matplotlib's own way

    def cached_measure(self: Any, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
        if threading.get_ident() != owner:
            return measure(self, s, prop, ismath)
        key = (s, hash(prop), ismath)  # FontProperties compare by this hash
        found = sizes.get(key)
        if found is None:
            found = sizes[key] = measure(self, s, prop, ismath)
            if len(sizes) > _SHARED_TEXTS:
                sizes.popitem(last=False)
        else:
            sizes.move_to_end(key)
        return found

    def sized_draw_text(self: Any, gc: Any, x: float, y: float, s: str, prop: Any,
                        angle: float, ismath: Any = False, mtext: Any = None) -> None:
        if threading.get_ident() == owner:
            size_now[0] = prop.get_size_in_points()  # the size the font is set to for `s`
        draw_text(self, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    def cached_layout(string: str, font: Any, *, features: Any = None,
                      language: Any = None) -> Iterator[Any]:
        if threading.get_ident() != owner:
            return layout(string, font, features=features, language=language)
        key = (string, id(font), size_now[0], features, language)
        found = layouts.get(key)
        if found is None or found[0] is not font:
            found = layouts[key] = (font, list(layout(string, font, features=features,
                                                      language=language)))
            if len(layouts) > _SHARED_TEXTS:
                layouts.popitem(last=False)
        else:
            layouts.move_to_end(key)
        return iter(found[1])

    cached_layout.__wrapped__ = layout  # type: ignore[attr-defined]
    renderer.get_text_width_height_descent = cached_measure  # type: ignore[method-assign]
    renderer.draw_text = sized_draw_text  # type: ignore[method-assign]
    _text_helpers.layout = cached_layout
    try:
        yield
    finally:
        if own_measure:
            renderer.get_text_width_height_descent = measure  # type: ignore[method-assign]
        else:
            del renderer.get_text_width_height_descent
        renderer.draw_text = draw_text  # type: ignore[method-assign]
        _text_helpers.layout = layout


def rc_params() -> dict[Any, Any]:  # rcParams keys (the stubs type them as Literal)
    """The rcParams of every figure: the TrueType CJK font, text as text in PDF and SVG.

    Registers the font with matplotlib and :func:`conform_pdf_text`, so that a
    figure saved later with a plain ``savefig`` is written the same way.

    Raises
    ------
    FigureError
        If the TrueType CJK font was not made at set-up (the message names the
        command, :data:`~mineplan.figures.fonts.SETUP_COMMAND`).
    """
    register_cjk_font()
    conform_pdf_text()
    families = [CJK_FONT, SOURCE_FONT, "DejaVu Sans"]  # the last two name it in SVG
    return {
        "font.family": families,  # concrete: survives a plain savefig
        "font.sans-serif": families,
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "none",
    }


def configure_fonts() -> None:
    """Set matplotlib's global rcParams to the figures' (TrueType) CJK font.

    The figure functions do this themselves inside an ``rc_context``; call this only
    to make other matplotlib plots speak Chinese too.

    Raises
    ------
    FigureError
        If the TrueType CJK font was not made at set-up.
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
    figure at 100 dpi is 1169 × 827 pixels. PDF embeds the TrueType CJK font
    (``pdf.fonttype = 42``); SVG keeps text as text naming the font.

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
