"""The pre-grant (预审) report: a document a reviewer reads and signs.

:func:`plot_report` and :func:`store_versions` gather what it says
(:mod:`.content`); :func:`write_report` typesets it as ``.docx`` (python-docx,
:mod:`.docx`) or ``.pdf`` (reportlab with the project's TrueType CJK font,
:mod:`.pdf`) and writes it atomically; :func:`report_bytes` gives the bytes (the
web app's downloads).

Sits above :mod:`mineplan.checks` and :mod:`mineplan.figures` (it typesets their
results), below :mod:`mineplan.web` and :mod:`mineplan.cli`. May import vocab,
settings, errors, atomic, layers, geodesy, store, io.corners, checks, figures.
"""

from __future__ import annotations

from pathlib import Path

from mineplan.atomic import atomic_write_bytes
from mineplan.errors import CheckInputError
from mineplan.reports.content import (
    REPORT_TITLE,
    DataVersions,
    FindingLine,
    LayerVersion,
    PlotReport,
    PregrantReport,
    corner_rows,
    data_versions,
    dms,
    plot_report,
    store_versions,
)

__all__ = [
    "REPORT_SUFFIXES",
    "REPORT_TITLE",
    "DataVersions",
    "FindingLine",
    "LayerVersion",
    "PlotReport",
    "PregrantReport",
    "corner_rows",
    "data_versions",
    "dms",
    "plot_report",
    "report_bytes",
    "store_versions",
    "write_report",
]

#: The report formats, by file ending.
REPORT_SUFFIXES: tuple[str, ...] = (".docx", ".pdf")


def report_bytes(report: PregrantReport, suffix: str) -> bytes:
    """The report typeset as ``.docx`` or ``.pdf``."""
    if suffix == ".docx":
        from mineplan.reports.docx import docx_bytes

        return docx_bytes(report)
    if suffix == ".pdf":
        from mineplan.reports.pdf import pdf_bytes

        return pdf_bytes(report)
    raise CheckInputError(f"a report is .docx or .pdf, not {suffix or 'a file without ending'!r}")


def write_report(report: PregrantReport, path: str | Path) -> Path:
    """Write the report to ``path`` (``.docx`` or ``.pdf``, by its ending), atomically."""
    path = Path(path)
    return atomic_write_bytes(path, report_bytes(report, path.suffix.lower()))
