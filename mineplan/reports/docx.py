"""The pre-grant report as a Word document (python-docx).

A4 portrait: title and overall verdict; per plot its particulars, the findings
table (检查项, 结论, 量测值, 依据, 说明), the check figure, the corner table (X/Y
to 2 decimals in the prefixed 3-degree zone, longitude/latitude in DMS to 3
decimals); then the data versions and the reviewer's fields (审查意见, 审查人,
日期) left blank to be signed. Chinese text is set in 宋体 / 黑体 through the
East Asian font slot (``w:eastAsia``), which Word and LibreOffice honour; any
machine without them substitutes its own CJK font.

May import :mod:`.content` and python-docx (imported where used).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from mineplan.reports.content import PlotReport, PregrantReport, corner_rows
from mineplan.vocab import VERDICT_COLOURS

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.table import Table

__all__ = ["docx_bytes"]

_BODY_FONT = "宋体"
_HEADING_FONT = "黑体"
_LATIN_FONT = "Times New Roman"
#: Column headings of the tables (the PDF uses the same).
FINDING_HEAD = ("序号", "检查项", "结论", "量测值", "依据（规划条文/行）", "说明")
CORNER_HEAD = ("圈号", "点号", "X（北，米）", "Y（东，米）", "经度", "纬度")
VERSION_HEAD = ("图层", "数据状态", "来源", "数据日期", "最近入库")
SIGN_LINES = ("审查意见：", "审查人：", "日期：")


def particulars(plot: PlotReport) -> list[tuple[str, str]]:
    """The plot's particulars as (label, value) rows (the PDF uses the same)."""
    return [
        ("地块名称", plot.name), ("矿业权类型", plot.right_type), ("申请矿种", plot.mineral),
        ("拟建规模", plot.scale), ("项目类型", plot.project), ("所在行政区", plot.region),
        ("申报面积", plot.official_area), ("椭球面积（CGCS2000）", plot.measured_area),
        ("预审结论", plot.verdict),
    ]


def docx_bytes(report: PregrantReport) -> bytes:
    """The report as a .docx file's bytes."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(2.0)
    _set_fonts(doc)

    title = doc.add_heading(report.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = doc.add_paragraph(f"出具日期：{report.date.isoformat()}　　制作：{report.producer}")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    summary = doc.add_paragraph()
    run = summary.add_run(f"预审结论：{report.verdict}")
    run.bold = True
    run.font.size = Pt(14)
    _colour(run, _worst(report))
    if len(report.plots) > 1:
        summary.add_run(f"（共 {len(report.plots)} 个地块，逐块审查）")
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        _row(table.rows[0], ("地块", "结论", "需处理的检查项"), bold=True)
        for plot in report.plots:
            todo = "、".join(f.rule for f in plot.findings if f.verdict_key != "pass") or "—"
            _row(table.add_row(), (plot.name, plot.verdict, todo))
    for note in report.notes:
        doc.add_paragraph(note)

    for number, plot in enumerate(report.plots, start=1):
        prefix = f"{number}. " if len(report.plots) > 1 else ""
        doc.add_heading(f"{prefix}申请地块：{plot.name}", level=1)
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in particulars(plot):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
            cells[0].paragraphs[0].runs[0].bold = True
        _widths(table, (Cm(4.5), Cm(12.5)))

        doc.add_heading("检查结果", level=2)
        tally = "，".join(f"{v} {plot.counts[k]}" for k, v in
                          (("pass", "通过"), ("conditional", "有条件"), ("fail", "不通过")))
        doc.add_paragraph(f"共检查 {len(plot.findings)} 项：{tally}。")
        table = doc.add_table(rows=1, cols=len(FINDING_HEAD))
        table.style = "Table Grid"
        _row(table.rows[0], FINDING_HEAD, bold=True)
        for i, f in enumerate(plot.findings, start=1):
            message = f.message + (f"〔{f.data_note}〕" if f.data_note else "")
            row = table.add_row()
            _row(row, (str(i), f.rule, f.verdict, f.measured, f.source or "—", message))
            _colour(row.cells[2].paragraphs[0].runs[0], f.verdict_key)
        _widths(table, (Cm(1.0), Cm(2.6), Cm(1.5), Cm(3.2), Cm(4.2), Cm(4.5)))
        _small(table, Pt(8))

        doc.add_heading("检查图", level=2)
        if plot.figure_png is not None:
            doc.add_picture(io.BytesIO(plot.figure_png), width=Cm(17.0))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            doc.add_paragraph(plot.figure_problem or "未生成检查图。")

        doc.add_heading("拐点坐标", level=2)
        doc.add_paragraph(f"CGCS2000 高斯-克吕格 3 度带带号坐标（EPSG:{plot.plane_epsg}），"
                          "X 为北坐标、Y 为东坐标（含带号），单位米；经纬度为 CGCS2000。")
        table = doc.add_table(rows=1, cols=len(CORNER_HEAD))
        table.style = "Table Grid"
        _row(table.rows[0], CORNER_HEAD, bold=True)
        for values in corner_rows(plot):
            _row(table.add_row(), values)
        _widths(table, (Cm(1.2), Cm(1.4), Cm(3.3), Cm(3.3), Cm(3.9), Cm(3.9)))
        _small(table, Pt(8))

    versions = report.versions
    doc.add_heading("数据版本", level=1)
    doc.add_paragraph(f"数据库：{versions.store}；建库时间：{versions.built}；"
                      f"程序版本：mineplan {versions.version}。")
    table = doc.add_table(rows=1, cols=len(VERSION_HEAD))
    table.style = "Table Grid"
    _row(table.rows[0], VERSION_HEAD, bold=True)
    for layer in versions.layers:
        _row(table.add_row(), (f"{layer.name}（{layer.code}）", layer.status, layer.source,
                               layer.data_date, layer.written))
    _widths(table, (Cm(3.2), Cm(1.6), Cm(5.4), Cm(2.2), Cm(4.6)))
    _small(table, Pt(8))
    for warning in versions.warnings:
        p = doc.add_paragraph()
        r = p.add_run("注意：" + warning)
        r.bold = True

    doc.add_heading("审查签署", level=1)
    for label in SIGN_LINES:
        p = doc.add_paragraph(label + "＿" * (30 if label == "审查意见：" else 12))
        p.paragraph_format.space_before = Pt(12)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _worst(report: PregrantReport) -> str:
    keys = [p.verdict_key for p in report.plots]
    return next((k for k in ("fail", "conditional") if k in keys), "pass")


def _set_fonts(doc: DocumentObject) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for style in doc.styles:
        font = getattr(style, "font", None)
        element = getattr(style, "element", None)
        if font is None or element is None:
            continue
        heading = style.name.startswith(("Heading", "Title"))
        font.name = _LATIN_FONT
        rpr = element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), _HEADING_FONT if heading else _BODY_FONT)
        if style.name == "Normal":
            font.size = Pt(10.5)


def _row(row: object, values: tuple[str, ...] | list[str], *, bold: bool = False) -> None:
    for cell, value in zip(row.cells, values, strict=True):  # type: ignore[attr-defined]
        cell.text = value
        if bold:
            for run in cell.paragraphs[0].runs:
                run.bold = True


def _widths(table: Table, widths: tuple[object, ...]) -> None:
    """Column widths Word reads (cells) and LibreOffice reads (the grid)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _small(table: Table, size: object) -> None:
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = size


def _colour(run: object, verdict_key: str) -> None:
    from docx.shared import RGBColor

    colour = VERDICT_COLOURS.get(verdict_key, ("#000000",))[0]
    run.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())  # type: ignore[attr-defined]
