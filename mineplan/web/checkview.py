"""What the 检查 page shows: a proposal read from a paste or an upload, and its findings.

Pure functions between the planner's input and :func:`mineplan.checks.check_proposal`,
and between the findings and the page's tables, map layers and downloads. The page
(``app_pages/checks.py``) only lays out and caches.

* The proposal itself is read by :mod:`mineplan.io.proposals` (paste, coordinate TXT)
  and :mod:`mineplan.io.uploads` (GIS files).
* :func:`findings_table`, :func:`summary_view`, :func:`data_notes`,
  :func:`overall_verdict`, :func:`check_map_layers` and :func:`report_files` turn the
  findings into what the page shows and offers for download.

Every refusal of input is a plain Chinese sentence naming the line it concerns.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from mineplan.checks.findings import FINDING_HEADERS, summary_table, write_findings
from mineplan.errors import MineplanError
from mineplan.geodesy import zone_for_longitude
from mineplan.io import coordinates as coordfiles
from mineplan.io.uploads import safe_filename
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.settings import geodata_dir
from mineplan.vocab import STORE_CRS, VERDICTS
from mineplan.web.views import map_layers
from mineplan.web.webmap import MapLayer

__all__ = [
    "VERDICT_COLOURS",
    "CheckOutcome",
    "Download",
    "check_input_key",
    "check_map_layers",
    "data_notes",
    "findings_table",
    "issue_lines",
    "overall_verdict",
    "proposal_zone",
    "report_files",
    "scale_units",
    "summary_view",
    "verdict_style",
]

#: Verdict key → (text colour, background) for tables; the map uses the text colour.
VERDICT_COLOURS: dict[str, tuple[str, str]] = {
    "fail": ("#B00000", "#FDE2E2"),
    "conditional": ("#A65A00", "#FFF0D9"),
    "pass": ("#1B5E20", "#E3F4E4"),
}



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




# --------------------------------------------------------------------------- findings


def check_input_key(proposal: gpd.GeoDataFrame, **inputs: object) -> str:
    """A digest of a proposal's geometry and CRS and the check's inputs (a cache key)."""
    digest = hashlib.sha256()
    digest.update(str(proposal.crs.to_wkt() if proposal.crs is not None else "").encode())
    for geom in proposal.geometry:
        digest.update(shapely.to_wkb(geom) if geom is not None else b"-")
    digest.update(json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


def overall_verdict(findings: pd.DataFrame) -> str | None:
    """The worst verdict key (``fail`` > ``conditional`` > ``pass``), None without findings."""
    keys = set(findings["verdict_key"]) if len(findings) else set()
    return next((k for k in ("fail", "conditional", "pass") if k in keys), None)


def verdict_style(value: object) -> str:
    """CSS for a table cell holding a Chinese verdict (通过 / 有条件 / 不通过)."""
    key = {v: k for k, v in VERDICTS.items()}.get(str(value))
    if key is None:
        return ""
    text, background = VERDICT_COLOURS[key]
    return f"color: {text}; background-color: {background}; font-weight: bold"


#: Columns of the page's findings table, in order.
_TABLE_COLUMNS = ("verdict", "rule", "measured", "message", "area_km2", "data_note", "source")


def findings_table(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings for people: worst first, Chinese headers, no geometry.

    Columns 结论, 规则, 量测值, 说明, 冲突面积（km²，椭球）, 数据说明, 依据.
    """
    return (pd.DataFrame(_ranked(findings)[list(_TABLE_COLUMNS)]).reset_index(drop=True)
            .rename(columns=FINDING_HEADERS))


def issue_lines(findings: pd.DataFrame) -> list[tuple[str, str]]:
    """The findings that need attention, worst first, as (verdict key, one line of text).

    The line reads ``不通过｜与已设矿业权重叠：1.1594 km²（…）— 与已设探矿权…重叠``.
    """
    lines = []
    for _, row in _ranked(findings).iterrows():
        if row["verdict_key"] == "pass":
            continue
        measured = f"：{row['measured']}" if row["measured"] not in ("", "—") else ""
        lines.append((str(row["verdict_key"]),
                      f"{row['verdict']}｜{row['rule']}{measured} — {row['message']}"))
    return lines


def _ranked(findings: pd.DataFrame) -> pd.DataFrame:
    order = findings["verdict_key"].map({"fail": 0, "conditional": 1, "pass": 2})
    return findings.assign(_o=order).sort_values("_o", kind="stable")


def summary_view(findings: pd.DataFrame) -> pd.DataFrame:
    """Counts by rule and verdict (columns 规则, 通过, 有条件, 不通过)."""
    return (summary_table(findings).drop(columns=["check"], errors="ignore")
            .rename(columns={"rule": "规则"}))


def data_notes(findings: pd.DataFrame) -> list[str]:
    """The distinct data caveats (schematic zones, demo red lines …), in order of appearance."""
    return list(dict.fromkeys(part.strip() for note in findings["data_note"] if note
                              for part in str(note).split("；") if part.strip()))


def check_map_layers(
    proposal: gpd.GeoDataFrame,
    findings: gpd.GeoDataFrame,
    frames: Mapping[str, gpd.GeoDataFrame],
    specs: Mapping[str, LayerSpec],
    styles: Mapping[str, LayerStyle],
    schematic: SchematicStyle,
    *,
    margin_deg: float = 0.1,
) -> tuple[list[MapLayer], MapLayer]:
    """The check map: plan layers near the proposal, the proposal, and its conflict pieces.

    Parameters
    ----------
    proposal
        The proposal (any CRS).
    findings
        From :func:`mineplan.checks.check_proposal`; pieces of ``fail`` and
        ``conditional`` findings are drawn red and orange, their rule, verdict,
        measured value and ellipsoidal area (km², CGCS2000) in the popup.
    frames, specs, styles, schematic
        The store's layers and their definitions; only features within
        ``margin_deg`` degrees of the proposal are drawn (no province outline).

    Returns
    -------
    (layers, focus)
        Layers bottom first, and the proposal as the layer to outline and zoom to
        (``zone_map(layers, focus=focus)``).
    """
    geo = proposal.to_crs(STORE_CRS)
    west, south, east, north = geo.total_bounds
    nearby: dict[str, gpd.GeoDataFrame] = {}
    for code, frame in frames.items():
        if code not in specs or frame.empty:
            continue
        if code == "XZQ" and "level" in frame:
            frame = frame[frame["level"] != "province"]
        frame = frame.cx[west - margin_deg:east + margin_deg, south - margin_deg:north + margin_deg]
        if not frame.empty:
            nearby[code] = frame
    layers = map_layers(nearby, specs, styles, schematic)
    area = geo.to_crs(geo.estimate_utm_crs()).area / 1e6 if len(geo) else pd.Series(dtype=float)
    shown = gpd.GeoDataFrame({"name": geo["name"].astype(str) if "name" in geo else "申请范围",
                              "area": [f"{a:.4f}" for a in area]},
                             geometry=geo.geometry.values, crs=STORE_CRS)
    fields = [("name", "申请范围"), ("area", "面积（km²，约）")]
    layers.append(MapLayer(code="PROPOSAL", title="申请范围", gdf=shown, popup_fields=fields,
                           style={"fill": "#1565C0", "stroke": "#1565C0", "fill_opacity": 0.06,
                                  "weight": 1.0}))
    popup = [("verdict", "结论"), ("rule", "规则"), ("measured", "量测值"),
             ("area_km2", "冲突面积（km²，椭球）"), ("message", "说明")]
    pieces = findings[findings.geometry.notna() & ~findings.geometry.is_empty]
    for key, code in (("conditional", "CONFLICT_CONDITIONAL"), ("fail", "CONFLICT_FAIL")):
        rows = pieces[pieces["verdict_key"] == key]
        if rows.empty:
            continue
        colour = VERDICT_COLOURS[key][0]
        layers.append(MapLayer(
            code=code, title=f"冲突范围：{VERDICTS[key]}",
            gdf=gpd.GeoDataFrame(rows[[c for c, _ in popup] + ["geometry"]],
                                 geometry="geometry", crs=findings.crs),
            style={"fill": colour, "stroke": colour, "fill_opacity": 0.5, "weight": 1.0},
            popup_fields=popup,
        ))
    focus = MapLayer(code="PROPOSAL_FOCUS", title="申请范围", gdf=shown, popup_fields=fields,
                     style={"fill": "#00B7FF", "stroke": "#00B7FF", "fill_opacity": 0.0,
                            "weight": 2.5})
    return layers, focus


# -------------------------------------------------------------------------- downloads


def proposal_zone(proposal: gpd.GeoDataFrame) -> int:
    """The 3-degree Gauss-Kruger zone holding the proposal's centre (for its TXT)."""
    centre = proposal.to_crs(STORE_CRS).geometry.union_all().centroid
    return zone_for_longitude(centre.x, width=3)


def scale_units() -> list[str]:
    """The production units the rules know (``[units]`` of ``geodata/rules/checks.toml``)."""
    with open(geodata_dir() / "rules" / "checks.toml", "rb") as f:
        return list(tomllib.load(f).get("units", {}))


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
) -> tuple[list[Download], list[str]]:
    """Every download of a check, as bytes (written in a private temporary folder).

    ``title`` heads the XLSX summary, ``figure_title`` and ``subtitle`` the figure;
    ``stem`` starts every file name.

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
        try:
            fig = check_figure(proposal, findings, frames, specs=specs, styles=styles,
                               title=figure_title, subtitle=subtitle)
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
            finally:
                plt.close(fig)
    return downloads, problems
