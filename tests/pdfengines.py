"""PDFium, the PDF engine of Chromium's viewer, next to poppler (issue 13 §1).

A saved figure or report must show the same text in Ghostscript, poppler and a
browser's PDF viewer. PDFium is read through ``pypdfium2`` (the test extra); without
it the PDFium tests skip, in CI they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import matplotlib.image
import numpy as np
import pytest


def need(tool: str, package: str) -> None:
    """Skip without ``tool`` on a developer's machine; in CI it must be there."""
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} ({package}) is needed in CI: scripts/setup.sh --test")
        pytest.skip(f"{tool} not installed (apt-get install {package})")


def pdfium() -> ModuleType:
    """``pypdfium2``: skipped without it, failed in CI."""
    try:
        import pypdfium2
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("pypdfium2 (PDFium) is needed in CI: scripts/setup.sh --test")
        pytest.skip("pypdfium2 not installed (bash scripts/setup.sh --test)")
    return pypdfium2


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdfium_text(path: Path) -> str:
    """The text PDFium extracts from every page (content-stream order)."""
    document = pdfium().PdfDocument(path)
    try:
        parts = []
        for page in document:
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(parts)
    finally:
        document.close()


def poppler_text(path: Path) -> str:
    need("pdftotext", "poppler-utils")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdfium_pages(path: Path, *, dpi: int) -> list[np.ndarray]:
    """Every page as grey levels 0–255, drawn by PDFium."""
    document = pdfium().PdfDocument(path)
    try:
        pages = []
        for page in document:
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            pages.append(np.asarray(bitmap.to_numpy(), dtype=float).reshape(
                bitmap.height, bitmap.width, -1)[..., 0])
            bitmap.close()
            page.close()
        return pages
    finally:
        document.close()


def poppler_pages(path: Path, folder: Path, *, dpi: int) -> list[np.ndarray]:
    """Every page as grey levels 0–255, drawn by poppler's ``pdftoppm``."""
    need("pdftoppm", "poppler-utils")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(folder / "pp")],
                   check=True, capture_output=True)
    return [np.asarray(matplotlib.image.imread(p)[..., :3].mean(axis=2) * 255, dtype=float)
            for p in sorted(folder.glob("pp-*.png"))]


def _pool(image: np.ndarray, k: int) -> np.ndarray:
    h, w = image.shape[0] // k * k, image.shape[1] // k * k
    return image[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3))


def _near(mask: np.ndarray) -> np.ndarray:
    """``mask`` grown by one pixel in every direction."""
    padded = np.pad(mask, 1)
    h, w = mask.shape
    return np.logical_or.reduce([padded[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
                                 for dy in (-1, 0, 1) for dx in (-1, 0, 1)])


def page_differences(poppler: np.ndarray, pdfium_page: np.ndarray, *,
                     dpi: int) -> dict[str, float]:
    """How far PDFium's page is from poppler's: blocks of about 1 mm, and dark pixels.

    ``mean``: mean grey-level difference of the 1-mm blocks; ``share``: the share of
    blocks more than 96 levels apart (a missing or garbled label); ``dark``: of the
    dark pixels (text, outlines; below 128) of either engine, the smaller share with a
    dark pixel of the other engine within one pixel.
    """
    assert np.abs(np.subtract(poppler.shape, pdfium_page.shape)).max() <= 1, (
        poppler.shape, pdfium_page.shape)
    h = min(poppler.shape[0], pdfium_page.shape[0])
    w = min(poppler.shape[1], pdfium_page.shape[1])
    a, b = poppler[:h, :w], pdfium_page[:h, :w]
    block = max(1, round(dpi / 25.4))
    diff = np.abs(_pool(a, block) - _pool(b, block))
    dark_a, dark_b = a < 128, b < 128
    overlap = min((dark_a & _near(dark_b)).sum() / max(1, dark_a.sum()),
                  (dark_b & _near(dark_a)).sum() / max(1, dark_b.sum()))
    return {"mean": float(diff.mean()), "share": float((diff > 96).mean()),
            "dark": float(overlap)}


def assert_pdfium_draws_like_poppler(path: Path, folder: Path, *, dpi: int = 100) -> None:
    """PDFium and poppler draw every page of ``path`` alike.

    The engines phase and thin matplotlib's hatch patterns differently, so hatched
    areas differ in grey level more than between poppler and Ghostscript. Measured at
    100 dpi on the conforming figures: block means 3.3–11.3 levels (the check figure,
    most hatched, the highest), at most 0.07 % of blocks over 96 levels apart (the old
    CFF-as-TrueType overview had 0.96 % against Ghostscript), dark overlap 0.70 (the
    check figure's hatches) to 0.97; on the report's pages (text) 0.93–0.997.
    """
    drawn_pdfium = pdfium_pages(path, dpi=dpi)
    drawn_poppler = poppler_pages(path, folder, dpi=dpi)
    assert len(drawn_pdfium) == len(drawn_poppler) >= 1
    for number, (a, b) in enumerate(zip(drawn_poppler, drawn_pdfium, strict=True), start=1):
        got = page_differences(a, b, dpi=dpi)
        assert got["mean"] < 15, f"page {number}: {got}"
        assert got["share"] < 0.0025, f"page {number}: {got}"
        assert got["dark"] > 0.6, f"page {number}: {got}"


def assert_pdfium_reads_like_poppler(path: Path, expected: list[str]) -> str:
    """PDFium extracts ``expected`` as poppler does, and the same characters overall.

    The order differs (PDFium follows the content stream, ``pdftotext`` the reading
    order), so the whole text is compared as a multiset of characters.
    """
    by_pdfium, by_poppler = squash(pdfium_text(path)), squash(poppler_text(path))
    for text in expected:
        assert squash(text) in by_poppler, f"poppler does not extract {text!r}"
        assert squash(text) in by_pdfium, f"PDFium does not extract {text!r}"
    assert sorted(by_pdfium) == sorted(by_poppler)
    return by_pdfium
