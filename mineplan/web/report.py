"""A finished check as the 检查 page keeps it, and the report files it offers.

:func:`report_files` makes every download of a check as bytes (findings XLSX/CSV,
conflict pieces GeoJSON, the proposal's boundary TXT, the check figure PNG/PDF and,
given the form's answers and the data versions, the pre-grant report 预审意见 as DOCX
and PDF, :mod:`mineplan.reports`);
:class:`CheckOutcome` bundles them with the findings and the map page, keyed by
:func:`check_input_key` so a rerun or a download does not check again.

May import :mod:`mineplan.vocab`, ``errors``, ``geodesy``, :mod:`mineplan.io`
(coordinates, uploads), :mod:`mineplan.checks.findings`, :mod:`mineplan.figures`,
:mod:`mineplan.reports` and :mod:`mineplan.web.checkrun` (the form's answers).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import shapely

from mineplan.checks.findings import write_findings
from mineplan.errors import MineplanError
from mineplan.geodesy import zone_for_longitude
from mineplan.io import coordinates as coordfiles
from mineplan.io.uploads import safe_filename
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import STORE_CRS

if TYPE_CHECKING:
    from mineplan.reports import DataVersions
    from mineplan.web.checkrun import CheckRequest

__all__ = ["CheckOutcome", "Download", "check_input_key", "proposal_zone", "report_files"]


@dataclass(frozen=True)
class Download:
    """One file offered for download: button label, file name, MIME type, bytes."""

    label: str
    filename: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class CheckOutcome:
    """A finished check as the page keeps it (so reruns and downloads do not redo it).

    Attributes
    ----------
    key
        :func:`check_input_key` of the inputs it answers.
    findings
        From :func:`mineplan.checks.check_proposal`.
    map_html
        The offline map page.
    title
        One line naming the proposal, right type and mineral.
    downloads, problems
        From :func:`report_files`.
    """

    key: str
    findings: gpd.GeoDataFrame
    map_html: str
    title: str
    downloads: list[Download]
    problems: list[str]


def check_input_key(proposal: gpd.GeoDataFrame, **inputs: object) -> str:
    """A digest of a proposal's geometry and CRS and the check's inputs (a cache key)."""
    digest = hashlib.sha256()
    digest.update(str(proposal.crs.to_wkt() if proposal.crs is not None else "").encode())
    for geom in proposal.geometry:
        digest.update(shapely.to_wkb(geom) if geom is not None else b"-")
    digest.update(json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


def proposal_zone(proposal: gpd.GeoDataFrame) -> int:
    """The 3-degree Gauss-Kruger zone holding the proposal's centre (for its TXT)."""
    centre = proposal.to_crs(STORE_CRS).geometry.union_all().centroid
    return zone_for_longitude(centre.x, width=3)


def report_files(
    findings: gpd.GeoDataFrame,
    proposal: gpd.GeoDataFrame,
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    specs: Mapping[str, LayerSpec],
    styles: tuple[Mapping[str, LayerStyle], SchematicStyle],
    title: str,
    subtitle: str,
    figure_title: str = "矿业权申请范围预审图",
    stem: str = "检查结果",
    request: CheckRequest | None = None,
    versions: DataVersions | None = None,
) -> tuple[list[Download], list[str]]:
    """Every download of a check, as bytes (written in a private temporary folder).

    ``title`` heads the XLSX summary, ``figure_title`` and ``subtitle`` the figure;
    ``stem`` starts every file name. With ``request`` (the form's answers: the plot's
    name, right type, mineral, scale) and ``versions`` (:func:`mineplan.reports.store_versions`)
    the pre-grant report is offered too, as DOCX and PDF.

    Returns
    -------
    (downloads, problems)
        Findings XLSX and CSV, conflict pieces GeoJSON (EPSG:4326), the proposal as
        boundary TXT (GBK, 3-degree zone of its centre, eastings prefixed), the check
        figure as PNG and PDF; ``problems`` says in Chinese which could not be made.
    """
    from mineplan.figures import check_figure, save_figure

    downloads: list[Download] = []
    problems: list[str] = []
    stem = safe_filename(f"{stem}.txt").removesuffix(".txt")
    with tempfile.TemporaryDirectory(prefix="mineplan-check-") as folder:
        base = Path(folder)
        for label, suffix, mime in (
            ("检查结果 XLSX", ".xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("检查结果 CSV", ".csv", "text/csv"),
            ("冲突范围 GeoJSON", ".geojson", "application/geo+json"),
        ):
            path = write_findings(findings, base / f"{stem}{suffix}", proposal=proposal,
                                  title=title)
            name = f"{stem}_冲突范围.geojson" if suffix == ".geojson" else f"{stem}{suffix}"
            downloads.append(Download(label, name, mime, path.read_bytes()))
        zone = proposal_zone(proposal)
        try:
            txt = coordfiles.format_boundary_txt(proposal, zone=zone, encoding="gbk")
            downloads.append(Download(f"申请范围坐标 TXT（GBK，{zone} 带）", f"{stem}_申请范围.txt",
                                      "text/plain", txt))
        except (MineplanError, UnicodeEncodeError) as exc:
            problems.append(f"申请范围坐标 TXT 无法生成：{exc}")
        name = request.subject if request is not None else ""
        png: bytes | None = None
        try:
            fig = check_figure(proposal, findings, frames, specs=specs, styles=styles,
                               title=figure_title, subtitle=subtitle, name=name)
        except MineplanError as exc:
            problems.append(f"检查图无法生成：{exc}")
        else:
            import matplotlib.pyplot as plt

            try:
                for suffix, mime, dpi in ((".png", "image/png", 150),
                                          (".pdf", "application/pdf", 300)):
                    path = save_figure(fig, base / f"{stem}_检查图{suffix}", dpi=dpi)
                    downloads.append(Download(f"检查图 {suffix[1:].upper()}", path.name, mime,
                                              path.read_bytes()))
                    if suffix == ".png":
                        png = path.read_bytes()
            finally:
                plt.close(fig)
        if request is not None and versions is not None:
            downloads += _report_downloads(findings, proposal, frames, specs=specs,
                                           styles=styles, request=request, versions=versions,
                                           png=png, stem=stem, problems=problems)
    return downloads, problems


#: MIME types of the report formats.
_REPORT_MIME = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
}


def _report_downloads(
    findings: gpd.GeoDataFrame, proposal: gpd.GeoDataFrame,
    frames: Mapping[str, gpd.GeoDataFrame], *, specs: Mapping[str, LayerSpec],
    styles: tuple[Mapping[str, LayerStyle], SchematicStyle], request: CheckRequest,
    versions: DataVersions, png: bytes | None, stem: str, problems: list[str],
) -> list[Download]:
    """The report 预审意见 as DOCX and PDF (the check figure drawn once, passed in)."""
    from mineplan import settings
    from mineplan.reports import PregrantReport, plot_report, report_bytes

    part = plot_report(proposal, findings, frames, specs=specs, styles=styles,
                       name=request.subject, right_type=request.right, mineral=request.mineral,
                       scale=request.scale, unit=request.unit or None, figure_png=png)
    report = PregrantReport(plots=[part], versions=versions, date=settings.today())
    out = []
    for suffix, mime in _REPORT_MIME.items():
        try:
            data = report_bytes(report, suffix)
        except MineplanError as exc:
            problems.append(f"预审意见 {suffix[1:].upper()} 无法生成：{exc}")
            continue
        out.append(Download(f"预审意见 {suffix[1:].upper()}", f"{stem}_预审意见{suffix}", mime,
                            data))
    return out
