"""What a pre-grant (预审) report says, before it is typeset.

:func:`plot_report` gathers, for one plot, everything a reviewer signs off: the
applicant's plot (name, right type, mineral, scale, official area), the overall
verdict, every finding with its measured value and the plan article or line it
rests on, the check figure (PNG bytes), the corner table; :func:`data_versions`
says which data the check used: when the store was built, each layer's status,
source and date (from the store's metadata, its edit log and the layers' own
``geometry_source`` / ``source_date`` fields), and the schematic/demo warnings.
:class:`PregrantReport` holds one or more plots (a batch check puts every plot in
one report) and the data versions; :mod:`.docx` and :mod:`.pdf` typeset it.

May import: vocab, settings, errors, layers, geodesy, store, io.corners, checks
(its public API only) and figures.
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from mineplan.checks.geometry import stated_areas
from mineplan.errors import MineplanError
from mineplan.figures.checkfigure import (
    check_figure,
    overall_verdict_text,
    proposal_corners,
)
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import (
    DEMO,
    DMS_SECONDS_DECIMALS,
    PLANE_DECIMALS,
    SCHEMATIC,
    STORE_CRS,
    VERDICT_ORDER,
    VERDICTS,
)

__all__ = [
    "DataVersions",
    "FindingLine",
    "LayerVersion",
    "PlotReport",
    "PregrantReport",
    "data_versions",
    "dms",
    "plot_report",
    "store_versions",
]

#: The report's title.
REPORT_TITLE = "矿业权出让前预审意见"


@dataclass(frozen=True)
class FindingLine:
    """One finding as the report lists it (all text, as printed)."""

    rule: str
    verdict: str
    verdict_key: str
    measured: str
    source: str
    message: str
    data_note: str


@dataclass(frozen=True)
class LayerVersion:
    """One store layer the check read: code, name, status, source, data date, last write."""

    code: str
    name: str
    status: str
    source: str
    data_date: str
    written: str


@dataclass(frozen=True)
class DataVersions:
    """The data a check used.

    Attributes
    ----------
    store
        The store's location as text (no password).
    built
        When the store was last built (``mineplan build``), UTC, or ``未记录``.
    version
        The mineplan version that built it.
    layers
        One :class:`LayerVersion` per layer with features.
    warnings
        Sentences a reviewer must read: schematic shapes, demo control layers,
        unofficial boundaries.
    """

    store: str
    built: str
    version: str
    layers: list[LayerVersion]
    warnings: list[str]


@dataclass(frozen=True)
class PlotReport:
    """One plot of a pre-grant report.

    ``corners`` are :func:`mineplan.figures.checkfigure.proposal_corners` rows with
    ``x``/``y`` in EPSG ``plane_epsg`` (prefixed 3-degree zone), metres.
    ``figure_png`` is the check figure, or None with ``figure_problem`` saying why.
    """

    name: str
    right_type: str
    mineral: str
    scale: str
    project: str
    region: str
    official_area: str
    measured_area: str
    verdict_key: str
    verdict: str
    counts: dict[str, int]
    findings: list[FindingLine]
    corners: pd.DataFrame
    plane_epsg: int
    figure_png: bytes | None = None
    figure_problem: str = ""


@dataclass(frozen=True)
class PregrantReport:
    """A whole report: its plots, the data versions, who made it and when."""

    plots: list[PlotReport]
    versions: DataVersions
    date: _dt.date
    producer: str = "mineplan"
    title: str = REPORT_TITLE
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """The worst verdict over every plot, as a report states it (有条件通过 …)."""
        keys = pd.DataFrame({"verdict_key": [p.verdict_key for p in self.plots]})
        return overall_verdict_text(keys)[1]


def dms(value: float, pos: str, neg: str) -> str:
    """Degrees as ``84°12′34.567″E`` (seconds to :data:`DMS_SECONDS_DECIMALS` decimals).

    >>> dms(84.5, "E", "W")
    '84°30′00.000″E'
    """
    hemi = pos if value >= 0 else neg
    total = round(abs(value) * 3600, DMS_SECONDS_DECIMALS)
    deg, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    width = 3 + DMS_SECONDS_DECIMALS
    return f"{int(deg)}°{int(minutes):02d}′{seconds:0{width}.{DMS_SECONDS_DECIMALS}f}″{hemi}"


def corner_rows(plot: PlotReport) -> list[list[str]]:
    """The corner table as printed: 圈号, 点号, X, Y (2 decimals), 经度, 纬度 (DMS, 3 decimals)."""
    return [[str(r.ring), str(r.point), f"{r.x:.{PLANE_DECIMALS}f}", f"{r.y:.{PLANE_DECIMALS}f}",
             dms(r.lon, "E", "W"), dms(r.lat, "N", "S")]
            for r in plot.corners.itertuples()]


def _county(proposal: gpd.GeoDataFrame, frames: Mapping[str, gpd.GeoDataFrame]) -> str:
    xzq = frames.get("XZQ")
    if xzq is None or "level" not in xzq:
        return "未识别"
    counties = xzq[xzq["level"] == "county"]
    geom = proposal.to_crs(STORE_CRS).geometry.union_all()
    hits = counties[counties.intersects(geom)]
    if hits.empty:
        return "未识别"
    parts = hits.set_index("name").geometry.intersection(geom)
    order = ellipsoidal_area_km2(gpd.GeoSeries(list(parts), crs=STORE_CRS), validate=False)
    return str(parts.index[int(order.to_numpy().argmax())])


def plot_report(
    proposal: gpd.GeoDataFrame,
    findings: gpd.GeoDataFrame,
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    specs: Mapping[str, LayerSpec],
    styles: tuple[Mapping[str, LayerStyle], SchematicStyle],
    name: str,
    right_type: str,
    mineral: str,
    scale: float | None = None,
    unit: str | None = None,
    project: str = "新建",
    figure: bool = True,
    figure_png: bytes | None = None,
    date: _dt.date | None = None,
) -> PlotReport:
    """One plot's part of a report (its figure drawn here unless ``figure=False`` or
    already drawn: ``figure_png``).

    Parameters
    ----------
    proposal
        The plot's features, any CRS; an ``area_km2`` / ``stated_area`` column is the
        official (stated) area.
    findings
        Its findings (:func:`mineplan.checks.check_proposal`).
    frames, specs, styles
        The store's layers and their definitions and styles, for the figure.
    name, right_type, mineral, scale, unit, project
        What was applied for, as the report states it.
    """
    stated = stated_areas(proposal)
    official = (f"{float(np.nansum(stated)):.4f} km²" if (~np.isnan(stated)).any()
                else "未载明")
    area = float(ellipsoidal_area_km2(proposal.to_crs(STORE_CRS).geometry,
                                      validate=False).sum())
    worst, verdict = overall_verdict_text(findings)
    order = {k: i for i, k in enumerate(VERDICT_ORDER)}
    rows = (findings.assign(_o=findings["verdict_key"].map(order))
            .sort_values("_o", kind="stable") if len(findings) else findings)
    lines = [FindingLine(rule=str(r.get("rule", "")),
                         verdict=VERDICTS.get(str(r["verdict_key"]), str(r["verdict_key"])),
                         verdict_key=str(r["verdict_key"]), measured=_text(r.get("measured")),
                         source=_text(r.get("source")), message=_text(r.get("message")),
                         data_note=_text(r.get("data_note")))
             for _, r in rows.iterrows()]
    corners, plane_crs = proposal_corners(proposal)
    png, problem = figure_png, ""
    if figure and png is None:
        try:
            fig = check_figure(proposal, findings, frames, specs=specs, styles=styles,
                               name=name, subtitle=f"{right_type} ｜ {mineral}", date=date)
        except MineplanError as exc:
            problem = f"检查图无法生成：{exc}"
        else:
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=200)
            png = buffer.getvalue()
    return PlotReport(
        name=name, right_type=right_type, mineral=mineral,
        scale=f"{scale:g} {unit}" if scale is not None and unit else "未填",
        project=project, region=_county(proposal, frames), official_area=official,
        measured_area=f"{area:.4f} km²", verdict_key=worst, verdict=verdict,
        counts={k: sum(1 for line in lines if line.verdict_key == k) for k in VERDICT_ORDER},
        findings=lines, corners=corners, plane_epsg=int(plane_crs.to_epsg() or 0),
        figure_png=png, figure_problem=problem,
    )


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _values(frame: gpd.GeoDataFrame, column: str, limit: int = 3) -> str:
    if column not in frame:
        return ""
    values = [str(v).strip() for v in frame[column].dropna().unique() if str(v).strip()]
    shown = "；".join(values[:limit])
    return shown + (f" 等 {len(values)} 项" if len(values) > limit else "")


def data_versions(
    meta: Mapping[str, str],
    edits: pd.DataFrame,
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    specs: Mapping[str, LayerSpec],
    store: str,
    layers: Sequence[str] | None = None,
) -> DataVersions:
    """The data versions of a check, from the store's metadata and edit log (pure).

    Parameters
    ----------
    meta
        :func:`mineplan.store.read_meta`.
    edits
        :func:`mineplan.store.read_edits` (``time``, ``command``, ``layer``, ``source``).
    frames
        The layers the check read (their ``data_status``, ``geometry_status``,
        ``geometry_source``, ``source_date``, ``plan``, ``source`` fields).
    layers
        Which layers to list (default: every layer of ``frames`` with features, in
        definition order).
    """
    builds = edits[edits["command"].astype(str).str.endswith("build")] if len(edits) else edits
    built = str(builds["time"].max()) if len(builds) else "未记录"
    codes = list(layers) if layers is not None else [c for c in specs if c in frames]
    rows: list[LayerVersion] = []
    warnings: list[str] = []
    for code in codes:
        frame = frames.get(code)
        if frame is None or frame.empty or code not in specs:
            continue
        status = _values(frame, "data_status") or _values(frame, "geometry_status") or "—"
        source = (_values(frame, "geometry_source", 2) or _values(frame, "plan", 2)
                  or _values(frame, "source", 1) or "—")
        mine = edits[edits["layer"] == code] if len(edits) else edits
        last = mine.sort_values("time").iloc[-1] if len(mine) else None
        written = (f"{last['time']}（{last['command']}"
                   + (f"，{last['source']}" if _text(last.get("source")) else "") + "）"
                   if last is not None else "未记录")
        rows.append(LayerVersion(code=code, name=specs[code].name, status=status,
                                 source=source, data_date=_values(frame, "source_date") or "未载明",
                                 written=written))
    demo = [r.name for r in rows if DEMO in r.status]
    schematic = [r.name for r in rows if SCHEMATIC in r.status]
    if demo:
        warnings.append(f"{'、'.join(demo)}为演示数据（非真实管控边界），相关结论仅供演示，"
                        "须导入主管部门下发的正式数据后重新审查。")
    if schematic:
        warnings.append(f"{'、'.join(schematic)}为按规划面积生成的示意图形（非实测边界），"
                        "相关结论须以正式矢量数据核实。")
    xzq = frames.get("XZQ")
    if xzq is not None and "source" in xzq and len(xzq):
        warnings.append(f"行政区界线取自 {xzq['source'].iloc[0]}，非官方界线。")
    return DataVersions(store=store, built=built, version=meta.get("mineplan_version", "未记录"),
                        layers=rows, warnings=warnings)


def store_versions(
    location: str | Path,
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    specs: Mapping[str, LayerSpec],
) -> DataVersions:
    """:func:`data_versions` of a store: reads its metadata and edit log."""
    from mineplan import store

    return data_versions(store.read_meta(location), store.read_edits(location), frames,
                         specs=specs, store=store.location_text(location))
