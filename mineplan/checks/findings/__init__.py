"""Findings of the checks: the model and frame (:mod:`.model`), and their writers (:mod:`.writers`).

A finding is one rule applied to one subject — verdict, measured value, source,
message, data note and the piece of ground in conflict (EPSG:4490). The writers put
a findings frame into XLSX, CSV (with BOM) or GeoJSON, atomically.

May import: vocab, errors, atomic, geodesy, io. Never web, figures or cli.
"""

from __future__ import annotations

from mineplan.checks.findings.model import (
    FINDING_COLUMNS,
    FINDING_HEADERS,
    Finding,
    display_width,
    findings_frame,
    format_summary,
    has_failures,
    overall_verdict,
    summary_table,
)
from mineplan.checks.findings.writers import (
    COORDINATE_HEADERS,
    proposal_coordinates,
    write_findings,
    write_findings_csv,
    write_findings_geojson,
    write_findings_xlsx,
)
from mineplan.errors import FindingsWriteError

__all__ = [
    "COORDINATE_HEADERS",
    "FINDING_COLUMNS",
    "FINDING_HEADERS",
    "Finding",
    "FindingsWriteError",
    "display_width",
    "findings_frame",
    "format_summary",
    "has_failures",
    "overall_verdict",
    "proposal_coordinates",
    "summary_table",
    "write_findings",
    "write_findings_csv",
    "write_findings_geojson",
    "write_findings_xlsx",
]
