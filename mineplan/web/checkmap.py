"""The 检查 page's map: plan layers near the proposal, the proposal, its conflict pieces.

:func:`check_map_layers` gives the layers for :func:`mineplan.web.webmap.zone_map`:
the store's layers within a margin of the proposal (:func:`mineplan.web.maplayers.map_layers`),
the proposal, and the pieces of ``fail`` / ``conditional`` findings in the verdict
colours of :data:`mineplan.vocab.VERDICT_COLOURS`, plus the proposal as the focus.

May import :mod:`mineplan.vocab`, :mod:`mineplan.layers`, :mod:`mineplan.geodesy` and the web
map modules.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import STORE_CRS, VERDICT_COLOURS, VERDICTS, format_area
from mineplan.web.maplayers import map_layers
from mineplan.web.webmap import MapLayer

__all__ = ["check_map_layers"]


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
    area = (ellipsoidal_area_km2(geo, validate=False) if len(geo)
            else pd.Series(dtype=float))
    shown = gpd.GeoDataFrame({"name": geo["name"].astype(str) if "name" in geo else "申请范围",
                              "area": [format_area(a, with_unit=False) for a in area]},
                             geometry=geo.geometry.values, crs=STORE_CRS)
    fields = [("name", "申请范围"), ("area", "椭球面积（km²）")]
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
