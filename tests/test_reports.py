"""The pre-grant report (``mineplan check --report``): DOCX, PDF and the check figure.

The proposal is a coordinate TXT written here by hand (报盘格式, CGCS2000 3-degree zone
28, EPSG:4516): a 2.7 km × 2.5 km block of 新源县 that straddles the demo 生态保护红线
and 永久基本农田 of the built store. The corner values the report must print are the
ones typed below; longitudes/latitudes are computed here with pyproj.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from mineplan.cli import main
from mineplan.vocab import VERDICTS
from tests.pdfengines import (
    assert_pdfium_draws_like_poppler,
    assert_pdfium_reads_like_poppler,
    need,
)

pytestmark = pytest.mark.slow

#: (point, X northing, Y easting with zone prefix), as typed in the file.
CORNERS = [("J1", "4823514.59", "28444242.11"), ("J2", "4826181.09", "28444264.24"),
           ("J3", "4826202.48", "28441743.76"), ("J4", "4823535.98", "28441720.63")]
#: A second plot 5 km east (for the batch report): a 2 km square.
CORNERS_2 = [("J1", "4823500.00", "28447000.00"), ("J2", "4825500.00", "28447000.00"),
             ("J3", "4825500.00", "28449000.00"), ("J4", "4823500.00", "28449000.00")]
NAME, NAME_2 = "新源县示例金矿采矿权申请区", "新源县示例金矿二号区"
HEADER = ("[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n"
          "带号=28\n精度=0.01\n[地块坐标]\n")


def _plot(number: int, name: str, area_ha: str, corners: list[tuple[str, str, str]]) -> str:
    rows = [f"{p},1,{x},{y}" for p, x, y in corners]
    return f"5,{area_ha},{number},{name},面,,,,@\n" + "\n".join(rows + rows[:1]) + "\n"


@pytest.fixture()
def proposal_txt(tmp_path: Path) -> Path:
    path = tmp_path / "申请范围.txt"
    path.write_bytes((HEADER + _plot(1, NAME, "672.2140", CORNERS)).encode("gbk"))
    return path


def _dms(value: float, hemi: str) -> str:
    """Degrees → 84°12′34.567″E, written independently of mineplan.reports."""
    millis = round(abs(value) * 3600 * 1000)
    d, rest = divmod(millis, 3600 * 1000)
    m, s = divmod(rest, 60 * 1000)
    return f"{d}°{m:02d}′{s // 1000:02d}.{s % 1000:03d}″{hemi}"


def _lonlat() -> list[tuple[str, str]]:
    import pyproj

    to_geo = pyproj.Transformer.from_crs(4516, 4490, always_xy=True)
    out = []
    for _, x, y in CORNERS:
        lon, lat = to_geo.transform(float(y), float(x))
        out.append((_dms(lon, "E"), _dms(lat, "N")))
    return out


def _expected_findings(built_store: Path, txt: Path):  # type: ignore[no-untyped-def]
    from mineplan.checks import check_proposal, read_store_frames
    from mineplan.io.readers import read_geometry_file

    proposal = read_geometry_file(txt, expect="polygon").frame
    return check_proposal(proposal, right_type="采矿权", mineral="金", scale=5,
                          scale_unit="万吨/年", store_frames=read_store_frames(built_store))


def _run(built_store: Path, txt: Path, out: Path) -> int:
    return main(["check", "--proposal", str(txt), "--right", "采矿权", "--mineral", "金",
                 "--scale", "5", "--unit", "万吨/年", "--store", str(built_store),
                 "--report", str(out), "--limit", "0"])


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _worst(findings) -> str:  # type: ignore[no-untyped-def]
    keys = set(findings["verdict_key"])
    worst = next(k for k in ("fail", "conditional", "pass") if k in keys or k == "pass")
    return VERDICTS[worst] + ("通过" if worst == "conditional" else "")


def _docx_text(path: Path) -> tuple[str, list[list[str]]]:
    import docx

    doc = docx.Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    return text, cells


def test_the_docx_report_holds_verdict_sources_corners_versions_and_signature(
        built_store: Path, proposal_txt: Path, tmp_path: Path, artifacts: Path) -> None:
    import docx

    findings = _expected_findings(built_store, proposal_txt)
    # precondition: the block straddles both demo control layers (see the module docstring)
    conflicts = findings[findings["check"].isin(["ecological_redline", "farmland"])]
    assert set(conflicts["verdict_key"]) - {"pass"}, "the block no longer meets the red lines"
    out = tmp_path / "预审意见.docx"
    code = _run(built_store, proposal_txt, out)
    assert code == (1 if (findings["verdict_key"] == "fail").any() else 0)
    text, rows = _docx_text(out)
    assert f"预审结论：{_worst(findings)}" in text
    # the plot's own name from the file, not the file name
    assert f"申请地块：{NAME}" in text and "申请范围.txt" not in text
    particulars = {r[0]: r[1] for r in rows if len(r) == 2}
    assert particulars["申报面积"] == "6.7221 km²"  # 672.2140 公顷 as stated in the file
    assert particulars["矿业权类型"] == "采矿权" and particulars["拟建规模"] == "5 万吨/年"
    assert particulars["所在行政区"] == "新源县"
    # every finding: its rule, verdict, measured value and the source it rests on
    finding_rows = {(r[1], r[2], r[3], r[4]) for r in rows if len(r) == 6 and r[0].isdigit()}
    for f in findings.itertuples():
        assert (f.rule, f.verdict, f.measured, f.source or "—") in finding_rows
    # the corner table as typed in the file, with DMS longitudes/latitudes to 3 decimals
    corner_rows = [r for r in rows if len(r) == 6 and r[1].startswith("J")]
    assert [(r[1], r[2], r[3]) for r in corner_rows] == CORNERS
    assert [(r[4], r[5]) for r in corner_rows] == _lonlat()
    # data versions: the demo red line named as such, the build time from the edit log
    from mineplan import store

    built = store.read_edits(built_store)["time"].max()
    assert f"建库时间：{built}" in text
    version = next(r for r in rows if r[0] == "生态保护红线（STHX）")
    assert version[1] == "演示"
    assert "演示数据" in text and "非官方界线" in text
    assert "审查人：" in text and "日期：" in text
    assert len(docx.Document(str(out)).inline_shapes) == 1  # the check figure
    (artifacts / "report").mkdir(exist_ok=True)
    shutil.copyfile(out, artifacts / "report" / "预审意见.docx")


@pytest.fixture(scope="module")
def pdf_report(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The PDF report of the proposal, written once: (the PDF, the proposal TXT)."""
    folder = tmp_path_factory.mktemp("pdf-report")
    txt = folder / "申请范围.txt"
    txt.write_bytes((HEADER + _plot(1, NAME, "672.2140", CORNERS)).encode("gbk"))
    out = folder / "预审意见.pdf"
    _run(built_store, txt, out)
    return out, txt


def test_the_pdf_report_holds_the_same_text(built_store: Path, pdf_report: tuple[Path, Path],
                                            artifacts: Path) -> None:
    need("pdftotext", "poppler-utils")
    out, proposal_txt = pdf_report
    findings = _expected_findings(built_store, proposal_txt)
    raw = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True,
                         check=True).stdout
    text = _squash(raw)
    assert _squash(f"预审结论：{_worst(findings)}") in text
    assert NAME in text
    for f in findings.itertuples():
        assert _squash(f.source or "—") in text, f.rule
        assert _squash(f.measured) in text, f.rule
    for (point, x, y), (lon, lat) in zip(CORNERS, _lonlat(), strict=True):
        assert _squash(f"{point} {x} {y} {lon} {lat}") in text
    assert "审查人：" in text
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True,
                           check=True).stdout
    cjk = [line for line in fonts.splitlines() if "Mineplan" in line]
    assert cjk and all(" TrueType " in line and " yes yes yes " in line for line in cjk)
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True,
                            check=True).stdout
    assert len(images.splitlines()) > 2  # header lines + the check figure
    (artifacts / "report").mkdir(exist_ok=True)
    shutil.copyfile(out, artifacts / "report" / "预审意见.pdf")


def test_ghostscript_extracts_the_pdf_reports_chinese_as_poppler_does(
        built_store: Path, pdf_report: tuple[Path, Path]) -> None:
    """Ghostscript (behind printers and PDF/A converters) reads the report's text.

    reportlab wrote each font subset's ToUnicode map as one block of up to 256
    codes; Ghostscript drops a map over the CMap limit of 100 and extracted the
    subsets' one-byte codes instead of the Chinese, while poppler read it fine.
    """
    need("gs", "ghostscript")
    need("pdftotext", "poppler-utils")
    need("pdffonts", "poppler-utils")
    out, proposal_txt = pdf_report
    findings = _expected_findings(built_store, proposal_txt)
    gs = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=txtwrite",
                         "-sOutputFile=-", str(out)], capture_output=True, text=True,
                        check=True).stdout
    lines = [_squash(line) for line in gs.splitlines()]
    assert "矿业权出让前预审意见" in lines  # the title, on its own line
    assert _squash(f"预审结论：{_worst(findings)}") in lines
    assert _squash(f"申请地块：{NAME}") in lines
    # a finding row (number, rule, verdict, measured area) as one printed line
    redline = next(i for i, f in enumerate(findings.itertuples(), start=1)
                   if f.check == "ecological_redline")
    row = findings.iloc[redline - 1]
    area = re.match(r"[\d.]+ km²", row["measured"])
    assert area, row["measured"]
    assert any(line.startswith(_squash(f"{redline} {row['rule']} {row['verdict']} {area[0]}"))
               for line in lines)
    for point, x, y in CORNERS:
        assert any(_squash(f"{point} {x} {y}") in line for line in lines), point
    # every character poppler extracts, Ghostscript extracts as often
    poppler = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                             check=True).stdout
    letters = [Counter(c for c in text if not c.isspace()) for text in (gs, poppler)]
    assert letters[0] == letters[1]
    # every font embedded, none that poppler finds mismatched to its file
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    assert "Mismatch" not in fonts.stderr
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(re.search(r"\sTrueType\s+\S+\s+yes\s+yes\s+yes\s", r) for r in rows), rows


def test_pdfium_reads_and_draws_the_pdf_report_as_poppler_does(
        built_store: Path, pdf_report: tuple[Path, Path], tmp_path: Path) -> None:
    """What Chromium's PDF viewer (PDFium) shows of the report is what poppler shows."""
    out, proposal_txt = pdf_report
    findings = _expected_findings(built_store, proposal_txt)
    expected = [f"预审结论：{_worst(findings)}", NAME, "审查人：",
                *(f.source or "—" for f in findings.itertuples()),
                *(f"{p} {x} {y}" for p, x, y in CORNERS)]
    assert_pdfium_reads_like_poppler(out, expected)
    assert_pdfium_draws_like_poppler(out, tmp_path, dpi=100)


def test_libreoffice_converts_the_docx_with_its_figure_and_tables(
        built_store: Path, proposal_txt: Path, tmp_path: Path) -> None:
    need("soffice", "libreoffice-writer-nogui")
    need("pdftotext", "poppler-utils")
    soffice = shutil.which("soffice")
    assert soffice is not None
    out = tmp_path / "预审意见.docx"
    _run(built_store, proposal_txt, out)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   capture_output=True, check=True, timeout=240)
    pdf = tmp_path / "预审意见.pdf"
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert [line for line in images if " image " in line], "the check figure was lost"
    text = _squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout)
    for _, x, y in CORNERS:
        assert x in text and y in text
    assert "检查项" in text and "依据" in text and "审查人" in text


def test_a_file_of_several_plots_gives_one_report_with_every_plot(
        built_store: Path, tmp_path: Path) -> None:
    txt = tmp_path / "两个地块.txt"
    txt.write_bytes((HEADER + _plot(1, NAME, "672.2140", CORNERS)
                     + _plot(2, NAME_2, "400.0000", CORNERS_2)).encode("gbk"))
    out = tmp_path / "批量.docx"
    _run(built_store, txt, out)
    text, rows = _docx_text(out)
    assert f"1. 申请地块：{NAME}" in text and f"2. 申请地块：{NAME_2}" in text
    assert "共 2 个地块" in text
    names = [r[1] for r in rows if len(r) == 2 and r[0] == "地块名称"]
    assert names == [NAME, NAME_2]
    corner_rows = [(r[1], r[2], r[3]) for r in rows if len(r) == 6 and r[1].startswith("J")]
    assert corner_rows == CORNERS + CORNERS_2


def test_a_report_of_another_kind_is_refused_naming_the_flag(
        built_store: Path, proposal_txt: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(built_store, proposal_txt, tmp_path / "预审意见.txt") == 2
    err = capsys.readouterr().err
    assert "--report" in err and ".docx" in err
    assert not (tmp_path / "预审意见.txt").exists()
