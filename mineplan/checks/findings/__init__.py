"""Findings of the checks: the model and frame (:mod:`.model`), and their writers (:mod:`.writers`).

A finding is one rule applied to one subject — verdict, measured value, source,
message, data note and the piece of ground in conflict (EPSG:4490). The writers put
a findings frame into XLSX, CSV (with BOM) or GeoJSON, atomically.

May import: vocab, errors, atomic, geodesy, io. Never web, figures or cli.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mineplan.lazy import lazy_names

if TYPE_CHECKING:
    from mineplan.checks.findings.model import (
        FINDING_COLUMNS,
        FINDING_HEADERS,
        Finding,
        display_width,
        finding_records,
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
    "finding_records",
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

#: Public name → the module that defines it, imported on first use (PEP 562): the
#: model needs no pandas; the writers load it.
_WHERE: dict[str, str] = {
    "COORDINATE_HEADERS": "mineplan.checks.findings.writers",
    "FINDING_COLUMNS": "mineplan.checks.findings.model",
    "FINDING_HEADERS": "mineplan.checks.findings.model",
    "Finding": "mineplan.checks.findings.model",
    "FindingsWriteError": "mineplan.errors",
    "display_width": "mineplan.checks.findings.model",
    "finding_records": "mineplan.checks.findings.model",
    "findings_frame": "mineplan.checks.findings.model",
    "format_summary": "mineplan.checks.findings.model",
    "has_failures": "mineplan.checks.findings.model",
    "overall_verdict": "mineplan.checks.findings.model",
    "proposal_coordinates": "mineplan.checks.findings.writers",
    "summary_table": "mineplan.checks.findings.model",
    "write_findings": "mineplan.checks.findings.writers",
    "write_findings_csv": "mineplan.checks.findings.writers",
    "write_findings_geojson": "mineplan.checks.findings.writers",
    "write_findings_xlsx": "mineplan.checks.findings.writers",
}


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
