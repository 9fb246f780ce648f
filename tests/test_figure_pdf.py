"""PDFs that print anywhere, SVGs whose text can be edited (issue 13 §1).

Every figure kind is saved as PDF and read by the two PDF engines behind most
viewers and print chains: poppler (``pdffonts``, ``pdftoppm``), Ghostscript
(``gs``) and PDFium, Chromium's viewer (``pypdfium2``, tests/pdfengines.py). The fonts
must be embedded and be what they say they are, Ghostscript and PDFium must extract
the Chinese title and legend poppler does, and all must draw the same page.

Needs poppler-utils, ghostscript and pypdfium2 (skipped without them, failed in CI), and the
TrueType CJK font made at set-up (``python -m mineplan.figures make-font``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import matplotlib
import matplotlib.image
import numpy as np
import pytest
from matplotlib.figure import Figure
from shapely.geometry import box

from mineplan.cli import main
from mineplan.figures import (
    FigureError,
    check_figure,
    figure_info,
    fonts,
    output,
    region_overview,
    save_atlas,
    save_figure,
    zone_sheet,
)
from mineplan.layers import read_layer_specs, read_styles
from mineplan.store import list_layers, read_layer
from tests.pdfengines import (
    assert_pdfium_draws_like_poppler,
    assert_pdfium_reads_like_poppler,
    need,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "figures"
KINDS = ("overview", "zone_sheet", "check_figure", "atlas")
_FONT_ROW = re.compile(r"^(?P<name>\S+)\s+(?P<type>.+?)\s{2,}(?P<enc>\S+)\s+"
                       r"(?P<emb>yes|no)\s+(?P<sub>yes|no)\s+(?P<uni>yes|no)\s+\d+\s+\d+\s*$")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_fonts(path: Path) -> tuple[list[dict[str, str]], str]:
    """The font rows of ``pdffonts`` and what it said on stderr."""
    need("pdffonts", "poppler-utils")
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = [m.groupdict() for line in out.stdout.splitlines()[2:]
            if (m := _FONT_ROW.match(line))]
    assert len(rows) == len(out.stdout.splitlines()[2:]), out.stdout
    return rows, out.stderr


def gs_text(path: Path) -> str:
    """The text Ghostscript extracts from ``path`` (its txtwrite device)."""
    need("gs", "ghostscript")
    out = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=txtwrite",
                          "-sOutputFile=-", str(path)], capture_output=True, check=True)
    return out.stdout.decode("utf-8", errors="replace")


def rendered_pages(path: Path, folder: Path, *, dpi: int = 40) -> tuple[list[np.ndarray],
                                                                        list[np.ndarray]]:
    """Every page of ``path`` as grey levels 0–255, drawn by poppler and by Ghostscript."""
    need("pdftoppm", "poppler-utils")
    need("gs", "ghostscript")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(folder / "pp")],
                   check=True, capture_output=True)
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=png16m",
                    f"-r{dpi}", "-dTextAlphaBits=4", "-dGraphicsAlphaBits=4",
                    f"-sOutputFile={folder / 'gs-%03d.png'}", str(path)],
                   check=True, capture_output=True)

    def grey(p: Path) -> np.ndarray:
        return np.asarray(matplotlib.image.imread(p)[..., :3].mean(axis=2) * 255, dtype=float)

    return ([grey(p) for p in sorted(folder.glob("pp-*.png"))],
            [grey(p) for p in sorted(folder.glob("gs-*.png"))])


def _pool(image: np.ndarray, k: int) -> np.ndarray:
    h, w = image.shape[0] // k * k, image.shape[1] // k * k
    return image[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3))


def assert_pages_agree(poppler: list[np.ndarray], ghostscript: list[np.ndarray], *,
                       dpi: int) -> None:
    """Poppler's and Ghostscript's pages agree, compared in blocks of about 1 mm.

    The engines anti-alias and place glyphs a fraction of a pixel apart, so pixels
    differ along every edge (a mean of 3–4.5 grey levels on a conforming page); a
    missing or garbled label changes whole blocks. Calibrated at 100 dpi: the old
    CFF-as-TrueType overview has 0.96 % of its blocks off by more than 96 levels
    (the small test figure 4.2 %), the conforming figures at most 0.007 %.
    """
    assert len(poppler) == len(ghostscript) >= 1
    block = max(1, round(dpi / 25.4))
    for number, (a, b) in enumerate(zip(poppler, ghostscript, strict=True), start=1):
        # the engines round the page size differently: at most a pixel apart
        assert np.abs(np.subtract(a.shape, b.shape)).max() <= 1, (number, a.shape, b.shape)
        h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
        a, b = a[:h, :w], b[:h, :w]
        diff = np.abs(_pool(a, block) - _pool(b, block))
        share = (diff > 96).mean()
        assert diff.mean() < 8, f"page {number}: mean difference {diff.mean():.1f} grey levels"
        assert share < 0.001, f"page {number}: {share:.3%} of 1-mm blocks differ"


def assert_pdf_conforms(path: Path) -> None:
    """Every font embedded, each what its dictionary says (no CFF as TrueType)."""
    rows, stderr = pdf_fonts(path)
    assert rows, "no font in the PDF"
    assert "Mismatch" not in stderr, stderr
    for row in rows:
        assert row["emb"] == "yes", row
        assert row["uni"] == "yes", row  # a ToUnicode map: text can be copied
        assert row["type"] in ("CID TrueType", "TrueType", "Type 3"), row
    assert any(row["name"].endswith("+MineplanSansCJKsc-Regular") for row in rows), rows


# --------------------------------------------------------------------------- quick


@pytest.fixture
def small_figure() -> tuple[Figure, str, str]:
    title, legend = "新源县矿产资源总体规划图", "生态保护红线（示意）"
    with output.figure_context():
        fig = Figure(figsize=(4, 2))
        fig.text(0.05, 0.7, title, fontsize=14, fontweight="bold")
        ax = fig.add_axes((0.05, 0.1, 0.4, 0.4))
        ax.plot([0, 1], [0, 1], color="red", label=legend)
        ax.legend(loc="upper left")
        fig.text(0.55, 0.3, "84°30′E 1:50000", fontsize=8)
    return fig, title, legend


def test_a_saved_pdf_conforms_and_ghostscript_reads_its_chinese(
        small_figure: tuple[Figure, str, str], tmp_path: Path) -> None:
    fig, title, legend = small_figure
    path = save_figure(fig, tmp_path / "small.pdf")
    assert_pdf_conforms(path)
    rows, _ = pdf_fonts(path)
    assert any(r["name"].endswith("+MineplanSansCJKsc-Bold") for r in rows), rows
    text = _squash(gs_text(path))
    assert title in text and legend in text and "84°30′E1:50000" in text


def test_a_plain_savefig_writes_the_same_conforming_pdf(
        small_figure: tuple[Figure, str, str], tmp_path: Path) -> None:
    fig, title, _ = small_figure
    with matplotlib.rc_context({"pdf.fonttype": 42}):  # matplotlib's default is 3
        fig.savefig(tmp_path / "plain.pdf")  # outside figure_context, as a user might
    assert_pdf_conforms(tmp_path / "plain.pdf")
    assert title in _squash(gs_text(tmp_path / "plain.pdf"))


def test_poppler_and_ghostscript_draw_the_small_figure_alike(
        small_figure: tuple[Figure, str, str], tmp_path: Path) -> None:
    fig, _, _ = small_figure
    path = save_figure(fig, tmp_path / "small.pdf")
    poppler, ghostscript = rendered_pages(path, tmp_path / "png", dpi=100)
    assert len(poppler) == 1
    assert_pages_agree(poppler, ghostscript, dpi=100)


def test_svg_keeps_the_title_as_text_naming_the_font(
        small_figure: tuple[Figure, str, str], tmp_path: Path) -> None:
    fig, title, legend = small_figure
    path = save_figure(fig, tmp_path / "small.svg")
    root = ET.parse(path).getroot()
    texts = {(el.text or "").strip(): el.get("style", "")
             for el in root.iter("{http://www.w3.org/2000/svg}text")}
    assert title in texts and legend in texts, sorted(texts)
    assert "font-family: 'Mineplan Sans CJK SC', 'Noto Sans CJK SC'" in texts[title]
    assert "font-weight: 700" in texts[title]
    assert "<path" not in path.read_text(encoding="utf-8").split(title)[0][-200:]


def test_tounicode_maps_are_written_as_bfchar_pairs() -> None:
    output.conform_pdf_text()
    from matplotlib.backends.backend_pdf import PdfFile

    template = PdfFile._identityToUnicodeCMap
    lines = "\n".join(f"<{i:04x}> <{i:04x}> [<{0x4e00 + i:04x}>]" for i in range(0, 240, 2))
    cmap = (template % (120, ("<00f0> <00f2> [<65b0> <6e90> <53bf>]\n" + lines)
                        .encode("ascii"))).decode("ascii")
    assert "bfrange" not in cmap
    assert cmap.count("beginbfchar") == 2  # at most 100 pairs a block: 123 pairs
    assert "100 beginbfchar" in cmap and "23 beginbfchar" in cmap
    assert "<00f1> <6e90>" in cmap and "<00ee> <4eee>" in cmap
    # what it cannot read is left to matplotlib's own template
    assert b"beginbfrange" in template % (1, b"<0000> <0001> <4e00>")


def test_a_missing_font_names_the_setup_command(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    manager = fonts.font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist",
                        [e for e in manager.ttflist if e.name != fonts.CJK_FONT])
    monkeypatch.setenv("MINEPLAN_FONTS", str(tmp_path))
    with pytest.raises(FigureError, match=r"python -m mineplan\.figures make-font.*"
                                          r"apt-get install fonts-noto-cjk"):
        output.configure_fonts()


def test_a_font_file_that_is_not_truetype_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    manager = fonts.font_manager.fontManager
    others = [e for e in manager.ttflist if e.name != fonts.CJK_FONT]
    monkeypatch.setattr(manager, "ttflist", list(others))
    monkeypatch.setenv("MINEPLAN_FONTS", str(tmp_path))
    fake = fonts.cjk_font_files(tmp_path)["Regular"]
    fake.write_bytes(b"OTTO" + bytes(60))  # what a CFF font starts with
    assert not fonts.is_truetype(fake)
    with pytest.raises(FigureError, match="make-font"):
        fonts.register_cjk_font()  # not registered: as if it were missing
    # one that matplotlib already knows by the name is refused with its path
    entry = fonts.font_manager.FontEntry(fname=str(fake), name=fonts.CJK_FONT)
    monkeypatch.setattr(manager, "ttflist", [*others, entry])
    with pytest.raises(FigureError, match=r"not TrueType: .*MineplanSansCJKsc-Regular\.ttf"):
        fonts.register_cjk_font()


@pytest.mark.slow
def test_conversion_keeps_glyphs_and_widths_with_truetype_outlines(tmp_path: Path) -> None:
    from fontTools import subset
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    source, number = fonts.find_source_font("Regular")
    options = subset.Options(font_number=number, name_IDs=["*"], notdef_outline=True)
    small = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="新源县矿产资源 AB12")
    subsetter.subset(small)
    otf = tmp_path / "small.otf"
    subset.save_font(small, str(otf), options)

    ttf = fonts.convert_to_truetype(otf, tmp_path / "small.ttf", weight="Regular")
    assert fonts.is_truetype(ttf) and not fonts.is_truetype(otf)
    before, after = TTFont(str(otf)), TTFont(str(ttf))
    assert "glyf" in after and "CFF " not in after and "CFF " in before
    assert after["name"].getBestFamilyName() == fonts.CJK_FONT
    # same glyph for every character (names differ: TrueType keeps none, post format 3)
    assert ({c: before.getGlyphID(g) for c, g in before.getBestCmap().items()}
            == {c: after.getGlyphID(g) for c, g in after.getBestCmap().items()})
    assert len(before.getGlyphOrder()) == len(after.getGlyphOrder())
    for old_name, new_name in zip(before.getGlyphOrder(), after.getGlyphOrder(), strict=True):
        assert after["hmtx"][new_name][0] == before["hmtx"][old_name][0]
        # the same outline extent within the conversion tolerance (font units)
        pens = [BoundsPen(None), BoundsPen(None)]
        before.getGlyphSet()[old_name].draw(pens[0])
        after.getGlyphSet()[new_name].draw(pens[1])
        if pens[0].bounds is not None:
            assert np.allclose(pens[0].bounds, pens[1].bounds, atol=2), old_name


# --------------------------------------------------------------------------- every kind


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> dict[str, gpd.GeoDataFrame]:
    store = tmp_path_factory.mktemp("pdf") / "s.gpkg"
    assert main(["build", "-q", "-o", str(store), "--plans", "yining"]) == 0
    return {c: read_layer(store, c) for c in list_layers(store)}


def _figure_kinds(frames: dict[str, gpd.GeoDataFrame]) -> dict[str, Callable[[Path], tuple[
        Path, str, list[str]]]]:
    """Kind -> a function saving that kind as PDF, giving (file, title, legend labels)."""
    specs, styles = read_layer_specs(), read_styles()
    zone_layers = [c for c, s in specs.items() if s.is_zone_layer]
    zones = [(c, row) for c in zone_layers if c in frames for _, row in frames[c].iterrows()]

    def overview(path: Path) -> tuple[Path, str, list[str]]:
        fig = region_overview(frames, region="伊宁市", specs=specs, styles=styles)
        info = figure_info(fig)
        return save_figure(fig, path), info.title, info.legend_labels

    def sheet(path: Path) -> tuple[Path, str, list[str]]:
        code, row = zones[0]
        fig = zone_sheet(row, frames, layer=code, specs=specs, styles=styles)
        info = figure_info(fig)
        return save_figure(fig, path), info.title, info.legend_labels

    def checked(path: Path) -> tuple[Path, str, list[str]]:
        from mineplan.checks import check_proposal

        centre = zones[0][1]["geometry"].representative_point()
        proposal = gpd.GeoDataFrame(geometry=[box(centre.x - 0.005, centre.y - 0.005,
                                                  centre.x + 0.005, centre.y + 0.005)],
                                    crs="EPSG:4490")
        findings = check_proposal(proposal, right_type="采矿权", mineral="金",
                                  store_frames=frames)
        fig = check_figure(proposal, findings, frames, specs=specs, styles=styles,
                           subtitle="伊宁市")
        info = figure_info(fig)
        return save_figure(fig, path), info.title, info.legend_labels

    def atlas(path: Path) -> tuple[Path, str, list[str]]:
        pages = [zone_sheet(r, frames, layer=c, specs=specs, styles=styles) for c, r in zones[:2]]
        info = figure_info(pages[-1])
        save_atlas(iter(pages), path)
        return path, info.title, info.legend_labels

    return {"overview": overview, "zone_sheet": sheet, "check_figure": checked, "atlas": atlas}


@pytest.fixture(scope="module")
def saved(frames: dict[str, gpd.GeoDataFrame],
          tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str, list[str]]]:
    folder = tmp_path_factory.mktemp("kinds")
    made = {kind: make(folder / f"{kind}.pdf") for kind, make in _figure_kinds(frames).items()}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for kind, (path, _, _) in made.items():
        shutil.copy(path, ARTIFACTS / f"pdf-{kind}.pdf")
    return made


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_embeds_fonts_that_are_what_they_say(saved, kind: str) -> None:
    assert_pdf_conforms(saved[kind][0])


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_ghostscript_extracts_title_and_legend_of_every_kind(saved, kind: str) -> None:
    path, title, legend = saved[kind]
    text = _squash(gs_text(path))
    assert _squash(title) in text
    assert legend, "the figure has no legend to look for"
    missing = [label for label in legend if _squash(label) not in text]
    assert not missing, f"Ghostscript does not extract {missing}"
    assert re.search(r"比例尺1:\d", text), "the numeric scale is not extracted"


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_poppler_and_ghostscript_draw_every_kind_alike(saved, kind: str, tmp_path: Path) -> None:
    poppler, ghostscript = rendered_pages(saved[kind][0], tmp_path, dpi=100)
    assert_pages_agree(poppler, ghostscript, dpi=100)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_pdfium_extracts_the_title_and_legend_poppler_does(saved, kind: str) -> None:
    path, title, legend = saved[kind]
    assert legend, "the figure has no legend to look for"
    text = assert_pdfium_reads_like_poppler(path, [title, *legend])
    assert re.search(r"比例尺1:\d", text), "the numeric scale is not extracted"


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_pdfium_draws_every_kind_like_poppler(saved, kind: str, tmp_path: Path) -> None:
    assert_pdfium_draws_like_poppler(saved[kind][0], tmp_path, dpi=100)


def test_make_font_keeps_fonts_already_made_and_explains_a_missing_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    made = fonts.cjk_font_files(tmp_path / "made")
    made["Regular"].parent.mkdir()
    for weight, path in made.items():  # made before: links to the real ones
        path.symlink_to(fonts.cjk_font_files()[weight].resolve())
    assert fonts.main(["make-font", "--folder", str(made["Regular"].parent)]) == 0
    assert capsys.readouterr().out.split() == [str(p) for p in made.values()]

    monkeypatch.setattr(fonts.font_manager, "findSystemFonts", lambda *a, **k: [])
    assert fonts.main(["make-font", "--folder", str(tmp_path / "new")]) == 1
    assert "apt-get install fonts-noto-cjk" in capsys.readouterr().err
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").iterdir())
