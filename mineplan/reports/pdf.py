"""The pre-grant report as PDF, typeset with reportlab in the project's own CJK font.

Why reportlab and not LibreOffice: LibreOffice would convert the DOCX faithfully,
but it is a 250 MB install that a planner's machine (or the wheel) cannot be
assumed to have, and the web app must offer the PDF everywhere. reportlab is a
pure-Python, long-kept PDF library that embeds TrueType fonts as standard
``/TrueType`` subsets of up to 256 characters, each with a ``ToUnicode`` map. It
cannot embed CFF outlines — which is exactly what :mod:`mineplan.figures.fonts`
solved for the figures: the report uses the same TrueType conversion of Noto Sans
CJK SC (OFL), made once at set-up. The content is the DOCX's (:mod:`.docx` shares
its headings and rows), laid out on A4 portrait.

Text that Ghostscript can extract
---------------------------------
reportlab writes each subset's ``ToUnicode`` CMap as one ``beginbfchar`` block of
all its codes (up to 256). The CMap specification (Adobe technical note 5014;
ISO 32000-1 §9.10.3) allows at most 100 mappings per block; Ghostscript 10.0
enforces that by dropping the whole map without a word, and its ``txtwrite``
then gives a subset's one-byte codes instead of the Chinese (poppler and PDFium
are lenient, so only Ghostscript showed it — behind many printers and PDF/A
converters). The fonts themselves were right: embedded, subset-tagged, simple
TrueType with ``FontFile2``, no mismatch. :func:`_conforming_tounicode` wraps
reportlab's own CMap writer (``reportlab.pdfbase.ttfonts.makeToUnicodeCMap``, the
one function reportlab calls for it) so the same mappings come out in blocks of
100 under the standard ``Adobe-Identity-UCS`` system info. Nothing is
post-processed; if a reportlab release writes its map differently, the wrapper
leaves it alone (and the Ghostscript test says so).

May import :mod:`.content`, :mod:`.docx` (shared headings), :mod:`mineplan.figures.fonts`
and reportlab (imported where used).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from mineplan.errors import FigureError
from mineplan.reports.content import PregrantReport, corner_rows
from mineplan.reports.docx import (
    CORNER_HEAD,
    FINDING_HEAD,
    SIGN_LINES,
    VERSION_HEAD,
    particulars,
)
from mineplan.vocab import VERDICT_COLOURS

__all__ = ["pdf_bytes"]

_REGULAR = "MineplanCJK"
_BOLD = "MineplanCJK-Bold"


#: reportlab's ToUnicode CMap: a head, one bfchar block of ``<code> <unicode>``, a tail.
_REPORTLAB_CMAP = re.compile(
    r"(?P<head>.*?/CIDSystemInfo\n<< /Registry \(.*?\)\n/Ordering \(.*?\)\n/Supplement 0\n"
    r">> def\n/CMapName /.*? def\n(?P<rest>/CMapType 2 def\n1 begincodespacerange\n"
    r"<[0-9A-F]{2}> <[0-9A-F]{2}>\nendcodespacerange\n))"
    r"\d+ beginbfchar\n(?P<pairs>(?:<[0-9A-F]{2}> <[0-9A-F]{4,}>\n)*)endbfchar\n"
    r"(?P<tail>endcmap\n.*)", re.S)
_STANDARD_HEAD = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                  "/CIDSystemInfo\n<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n"
                  ">> def\n/CMapName /Adobe-Identity-UCS def\n")


class _ConformingCMap:
    """reportlab's ``makeToUnicodeCMap``, its mappings re-blocked to the CMap limits."""

    def __init__(self, original: Callable[[str, list[int]], str]) -> None:
        self.original = original

    def __call__(self, fontname: str, subset: list[int]) -> str:
        from mineplan.figures.fonts import bfchar_blocks

        cmap = self.original(fontname, subset)
        found = _REPORTLAB_CMAP.fullmatch(cmap)
        if found is None or not found["head"].startswith("/CIDInit /ProcSet findresource"):
            return cmap
        pairs = found["pairs"].splitlines()
        return (_STANDARD_HEAD + found["rest"] + bfchar_blocks(pairs) + "\n"
                + found["tail"])


def _conforming_tounicode() -> None:
    """Make reportlab write every ToUnicode CMap in blocks of at most 100 (idempotent)."""
    from reportlab.pdfbase import ttfonts

    if not isinstance(ttfonts.makeToUnicodeCMap, _ConformingCMap):
        ttfonts.makeToUnicodeCMap = _ConformingCMap(ttfonts.makeToUnicodeCMap)


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from mineplan.figures.fonts import CJK_FONT, SETUP_COMMAND, cjk_font_files

    _conforming_tounicode()
    if _REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    files = cjk_font_files()
    missing = [w for w in ("Regular", "Bold") if not files.get(w) or not files[w].is_file()]
    if missing:
        raise FigureError(f"font {CJK_FONT!r} ({', '.join(missing)}) is not made yet; make it "
                          f"once with `{SETUP_COMMAND}`")
    pdfmetrics.registerFont(TTFont(_REGULAR, str(files["Regular"])))
    pdfmetrics.registerFont(TTFont(_BOLD, str(files["Bold"])))
    pdfmetrics.registerFontFamily(_REGULAR, normal=_REGULAR, bold=_BOLD)


def pdf_bytes(report: PregrantReport) -> bytes:
    """The report as a PDF file's bytes (A4 portrait).

    Raises
    ------
    FigureError
        When the project's TrueType CJK font has not been made (set-up makes it).
    """
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    _register_fonts()
    body = ParagraphStyle("body", fontName=_REGULAR, fontSize=10, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=10)
    small_bold = ParagraphStyle("small_bold", parent=small, fontName=_BOLD)
    h0 = ParagraphStyle("h0", parent=body, fontName=_BOLD, fontSize=18, leading=26,
                        alignment=TA_CENTER, spaceAfter=6)
    h1 = ParagraphStyle("h1", parent=body, fontName=_BOLD, fontSize=13, leading=20,
                        spaceBefore=10, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontName=_BOLD, fontSize=11, leading=16,
                        spaceBefore=8, spaceAfter=3)
    centre = ParagraphStyle("centre", parent=body, alignment=TA_CENTER)
    # every cell in the CJK font too: a table sets its cells' font even around a
    # Paragraph, and reportlab's default (Helvetica) would land unembedded in the PDF
    cell_font = ("FONTNAME", (0, 0), (-1, -1), _REGULAR)
    grid = TableStyle([cell_font, ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE"))])
    width = A4[0] - 4 * cm

    def p(text: str, style: ParagraphStyle = small) -> Paragraph:
        return Paragraph(_escape(text), style)

    def table(head: tuple[str, ...] | None, rows: list[list[str]], widths: list[float],
              style: TableStyle = grid) -> Table:
        data: list[list[Any]] = [[p(h, small_bold) for h in head]] if head else []
        data += [[p(v) for v in row] for row in rows]
        t = Table(data, colWidths=widths, repeatRows=1 if head else 0)
        t.setStyle(style)
        return t

    made = f"出具日期：{report.date.isoformat()}　　制作：{report.producer}"
    story: list[Any] = [p(report.title, h0), p(made, centre), Spacer(1, 6)]
    worst = next((k for k in ("fail", "conditional") if k in
                  [pl.verdict_key for pl in report.plots]), "pass")
    colour = VERDICT_COLOURS.get(worst, ("#000000",))[0]
    story.append(Paragraph(f'<font color="{colour}">预审结论：{_escape(report.verdict)}</font>'
                           + (f"（共 {len(report.plots)} 个地块，逐块审查）"
                              if len(report.plots) > 1 else ""), h1))
    if len(report.plots) > 1:
        rows = [[pl.name, pl.verdict,
                 "、".join(f.rule for f in pl.findings if f.verdict_key != "pass") or "—"]
                for pl in report.plots]
        story.append(table(("地块", "结论", "需处理的检查项"), rows,
                           [width * 0.3, width * 0.15, width * 0.55]))
    story += [p(note, body) for note in report.notes]

    for number, plot in enumerate(report.plots, start=1):
        prefix = f"{number}. " if len(report.plots) > 1 else ""
        story.append(p(f"{prefix}申请地块：{plot.name}", h1))
        no_head = TableStyle([cell_font, ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                              ("VALIGN", (0, 0), (-1, -1), "TOP")])
        story.append(table(None, [[k, v] for k, v in particulars(plot)],
                           [width * 0.3, width * 0.7], no_head))
        story.append(p("检查结果", h2))
        tally = "，".join(f"{v} {plot.counts[k]}" for k, v in
                          (("pass", "通过"), ("conditional", "有条件"), ("fail", "不通过")))
        story.append(p(f"共检查 {len(plot.findings)} 项：{tally}。", body))
        rows = [[str(i), f.rule, f.verdict, f.measured, f.source or "—",
                 f.message + (f"〔{f.data_note}〕" if f.data_note else "")]
                for i, f in enumerate(plot.findings, start=1)]
        story.append(table(FINDING_HEAD, rows, [width * w for w in
                                                (0.06, 0.14, 0.09, 0.19, 0.25, 0.27)]))
        story.append(p("检查图", h2))
        if plot.figure_png is not None:
            image = Image(io.BytesIO(plot.figure_png))
            scale = width / image.imageWidth
            image.drawWidth, image.drawHeight = width, image.imageHeight * scale
            story.append(image)
        else:
            story.append(p(plot.figure_problem or "未生成检查图。", body))
        story.append(p("拐点坐标", h2))
        story.append(p(f"CGCS2000 高斯-克吕格 3 度带带号坐标（EPSG:{plot.plane_epsg}），"
                       "X 为北坐标、Y 为东坐标（含带号），单位米；经纬度为 CGCS2000。", body))
        story.append(table(CORNER_HEAD, corner_rows(plot), [width * w for w in
                                                            (0.08, 0.08, 0.2, 0.2, 0.22, 0.22)]))

    versions = report.versions
    story.append(p("数据版本", h1))
    story.append(p(f"数据库：{versions.store}；建库时间：{versions.built}；"
                   f"程序版本：mineplan {versions.version}。", body))
    rows = [[f"{v.name}（{v.code}）", v.status, v.source, v.data_date, v.written]
            for v in versions.layers]
    story.append(table(VERSION_HEAD, rows, [width * w for w in (0.18, 0.1, 0.34, 0.12, 0.26)]))
    story += [Paragraph("<b>注意：</b>" + _escape(w), body) for w in versions.warnings]
    story.append(p("审查签署", h1))
    for label in SIGN_LINES:
        story.append(Spacer(1, 10))
        story.append(p(label + "＿" * (30 if label == "审查意见：" else 12), body))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=2 * cm, bottomMargin=2 * cm, title=report.title,
                            initialFontName=_REGULAR,  # not Helvetica, never embedded
                            author=report.producer, creator="mineplan")
    doc.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
