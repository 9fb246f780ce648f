"""The figures' CJK font: Noto Sans CJK SC with TrueType outlines, made once at set-up.

Why a converted font
--------------------
matplotlib embeds every font in a PDF as ``CIDFontType2`` with a ``FontFile2``
stream: the PDF says "TrueType outlines" (``pdf.fonttype`` 42; type 3 cannot carry
more than 255 characters and draws the rest as pictures, without text). Noto Sans
CJK, the usual open CJK sans, ships as OpenType with *CFF* outlines (a ``.ttc`` in
Debian's fonts-noto-cjk), so matplotlib used to write CFF data under a TrueType
label. Poppler forgives that ("Mismatch between font type and embedded font
file"); Ghostscript, behind many printers and PDF/A converters, drew every Chinese
character as garbage.

The fix is a font whose outlines really are TrueType (``glyf``). Set-up converts the
"Noto Sans CJK SC" Regular and Bold faces once, with fontTools (cubic to quadratic
curves by cu2qu, 1 font unit of tolerance in a 1000-unit em: invisible at any
print size), into :func:`mineplan.settings.fonts_dir` (``geodata/fonts`` unless
``MINEPLAN_FONTS`` says otherwise)::

    python -m mineplan.figures make-font

It reads only the installed system font (``apt-get install fonts-noto-cjk``),
never the network, and is never run by a figure. The result is renamed
:data:`CJK_FONT` ("Mineplan Sans CJK SC"): the SIL Open Font License asks a
modified font not to pass itself off as the original, and a distinct name keeps
matplotlib from picking the CFF original by mistake. A sans face was chosen over
the ready-made TrueType LXGW WenKai (fonts-lxgw-wenkai) because map labels are set
in 黑体-style sans, not 楷体.

May import: settings, errors, atomic. Never web or cli.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from matplotlib import font_manager

from mineplan import settings
from mineplan.atomic import atomic_output
from mineplan.errors import FigureError

__all__ = [
    "CJK_FONT",
    "SETUP_COMMAND",
    "SOURCE_FONT",
    "TOUNICODE_BLOCK",
    "WEIGHTS",
    "bfchar_blocks",
    "build_cjk_fonts",
    "cjk_font_files",
    "convert_to_truetype",
    "find_source_font",
    "is_truetype",
    "main",
    "register_cjk_font",
]

log = logging.getLogger(__name__)

#: The family name of the TrueType conversion every figure is set in.
CJK_FONT = "Mineplan Sans CJK SC"
#: The family it is converted from (Debian package fonts-noto-cjk, SIL OFL 1.1).
SOURCE_FONT = "Noto Sans CJK SC"
#: The weights made: Regular for text, Bold for titles.
WEIGHTS = ("Regular", "Bold")
#: The command that makes the font (run once, at set-up).
SETUP_COMMAND = "python -m mineplan.figures make-font"
#: cu2qu's tolerance in font units (the em is 1000): far below a printer's dot.
_MAX_ERROR_UNITS = 1.0
_TRUETYPE_TAGS = (b"\x00\x01\x00\x00", b"true")
#: The most mappings one ``beginbfchar`` block of a CMap may hold (Adobe technical
#: note 5014, "CMap and CIDFont Files Specification", and ISO 32000-1 §9.10.3).
#: Ghostscript 10.0 drops a ``ToUnicode`` CMap whose block holds more, silently,
#: and then extracts a font's Chinese as its one-byte codes.
TOUNICODE_BLOCK = 100


def bfchar_blocks(pairs: Sequence[str]) -> str:
    """``<code> <unicode>`` lines as CMap ``bfchar`` blocks of at most :data:`TOUNICODE_BLOCK`."""
    blocks = [pairs[i:i + TOUNICODE_BLOCK] for i in range(0, len(pairs), TOUNICODE_BLOCK)]
    return "\n".join(f"{len(b)} beginbfchar\n" + "\n".join(b) + "\nendbfchar" for b in blocks)


def cjk_font_files(folder: Path | None = None) -> dict[str, Path]:
    """Weight -> the converted font file in ``folder`` (default :func:`settings.fonts_dir`)."""
    folder = settings.fonts_dir() if folder is None else folder
    return {w: folder / f"MineplanSansCJKsc-{w}.ttf" for w in WEIGHTS}


def is_truetype(path: str | Path) -> bool:
    """Whether ``path`` is a single font with TrueType (``glyf``) outlines, by its tag."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4) in _TRUETYPE_TAGS
    except OSError:
        return False


def find_source_font(weight: str) -> tuple[Path, int]:
    """The installed Noto Sans CJK SC file of ``weight``, and its face number in it.

    Looks for Debian's collection ``NotoSansCJK-<weight>.ttc`` and for a single
    ``NotoSansCJKsc-<weight>.otf`` among the system fonts.

    Raises
    ------
    FigureError
        If neither is installed, naming the Debian package.
    """
    from fontTools.ttLib import TTCollection

    wanted = {f"notosanscjk-{weight}.ttc".lower(), f"notosanscjksc-{weight}.otf".lower()}
    for fname in sorted(font_manager.findSystemFonts()):
        path = Path(fname)
        if path.name.lower() not in wanted:
            continue
        if path.suffix.lower() == ".otf":
            return path, 0
        collection = TTCollection(str(path), lazy=True)
        for number, face in enumerate(collection.fonts):
            if face["name"].getBestFamilyName() == SOURCE_FONT:
                return path, number
    raise FigureError(
        f"{SOURCE_FONT} {weight} (NotoSansCJK-{weight}.ttc) is not installed; "
        "install it with `apt-get install fonts-noto-cjk`, then run "
        f"`{SETUP_COMMAND}`"
    )


def convert_to_truetype(source: str | Path, target: str | Path, *, weight: str,
                        font_number: int = 0) -> Path:
    """Write ``source`` (OpenType CFF) as a TrueType-outline font named :data:`CJK_FONT`.

    Every glyph is kept (65 535 in Noto Sans CJK), with its advance widths, vertical
    metrics and layout tables; the curves become quadratic within
    ``_MAX_ERROR_UNITS`` font units and run clockwise as TrueType wants. Glyph
    names are dropped (``post`` format 3), hinting is left to the renderer. Takes
    one to three minutes and about 700 MB per weight.

    Raises
    ------
    FigureError
        If ``source`` does not have CFF outlines.
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(source), fontNumber=font_number, recalcTimestamp=False)
    if "CFF " not in font:
        raise FigureError(f"{source} (face {font_number}) has no CFF outlines to convert")
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, _MAX_ERROR_UNITS, reverse_direction=True))
        glyphs[name] = pen.glyph()

    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:  # CFF-only table
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        if hasattr(glyph, "xMin"):  # left side bearing = xMin in TrueType
            hmtx[name] = (hmtx[name][0], glyph.xMin)

    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(order)
    maxp.maxZones = 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, field, 0)
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    _rename(font, weight)

    target = Path(target)
    with atomic_output(target) as tmp:
        font.save(str(tmp))
    return target


def _rename(font: object, weight: str) -> None:
    names = font["name"]  # type: ignore[index]
    for record in list(names.names):
        if record.nameID in (1, 2, 3, 4, 6, 16, 17, 21, 22):
            names.removeNames(nameID=record.nameID)
    postscript = f"MineplanSansCJKsc-{weight}"
    full = CJK_FONT if weight == "Regular" else f"{CJK_FONT} {weight}"
    for name_id, text in ((1, CJK_FONT), (2, weight), (3, f"{postscript};mineplan"),
                          (4, full), (6, postscript),
                          (10, f"{SOURCE_FONT} {weight} with TrueType outlines "
                               "(fontTools cu2qu), made by mineplan's set-up")):
        names.setName(text, name_id, 3, 1, 0x409)
        names.setName(text, name_id, 1, 0, 0)


def _convert_weight(args: tuple[str, str, int, str]) -> str:
    weight, source, number, target = args
    started = time.monotonic()
    convert_to_truetype(source, target, weight=weight, font_number=number)
    log.info("made %s in %.0f s", target, time.monotonic() - started)
    return target


def build_cjk_fonts(folder: Path | None = None, *, force: bool = False,
                    jobs: int = 2) -> dict[str, Path]:
    """Make the TrueType CJK fonts in ``folder`` (default :func:`settings.fonts_dir`).

    Weights already made are kept unless ``force``. Runs the weights in ``jobs``
    processes.

    Returns
    -------
    dict
        Weight -> font file.

    Raises
    ------
    FigureError
        If Noto Sans CJK SC is not installed.
    """
    files = cjk_font_files(folder)
    todo = [(w, p) for w, p in files.items() if force or not is_truetype(p)]
    work = []
    for weight, path in todo:
        source, number = find_source_font(weight)
        path.parent.mkdir(parents=True, exist_ok=True)
        work.append((weight, str(source), number, str(path)))
    if len(work) > 1 and jobs > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
            list(pool.map(_convert_weight, work))
    else:
        for item in work:
            _convert_weight(item)
    return files


def register_cjk_font() -> Path:
    """Make :data:`CJK_FONT` known to matplotlib; return its Regular file.

    Looks in :func:`settings.fonts_dir` (and at fonts matplotlib already knows by
    that name) and registers every weight found, so that a plain ``savefig`` finds
    the font too.

    Raises
    ------
    FigureError
        If the font was not made, or a file by its name is not TrueType; the
        message names :data:`SETUP_COMMAND`.
    """
    manager = font_manager.fontManager
    known = {Path(e.fname) for e in manager.ttflist if e.name == CJK_FONT}
    files = cjk_font_files()
    for path in files.values():
        if path.is_file() and is_truetype(path) and path not in known:
            manager.addfont(str(path))
            known.add(path)
    bad = sorted(str(p) for p in known if not is_truetype(p))
    if bad:
        raise FigureError(f"font files named {CJK_FONT!r} are not TrueType: {bad}; "
                          f"remove them and run `{SETUP_COMMAND}`")
    regular = [p for p in known if p.name.endswith("-Regular.ttf")] or sorted(known)
    if regular:
        return regular[0]
    raise FigureError(
        f"font {CJK_FONT!r} (Noto Sans CJK SC with TrueType outlines, needed for "
        f"PDFs that print) is not in {files['Regular'].parent}; make it once with "
        f"`{SETUP_COMMAND}` (needs `apt-get install fonts-noto-cjk`; "
        "MINEPLAN_FONTS chooses another folder)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mineplan.figures make-font [--folder DIR] [--force]``: make the font."""
    parser = argparse.ArgumentParser(
        prog="python -m mineplan.figures",
        description=f"Make {CJK_FONT} (Noto Sans CJK SC with TrueType outlines) once.")
    parser.add_argument("command", choices=["make-font"], help="what to do")
    parser.add_argument("--folder", type=Path, default=None,
                        help="where to write it (default: MINEPLAN_FONTS or geodata/fonts)")
    parser.add_argument("--force", action="store_true", help="remake fonts already made")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    try:
        files = build_cjk_fonts(args.folder, force=args.force)
    except FigureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in files.values():
        print(path)
    log.info("%s ready in %.0f s", CJK_FONT, time.monotonic() - started)
    return 0
