"""The pre-grant geometry rule: each feature valid, polygonal, registrable and as stated.

:func:`check_geometry` reports, per feature of the proposal, invalid geometry, too
many corner points (拐点) for the registry, repeated neighbouring points, a
non-areal type, an area that rounds to zero and a stated area that differs from the
ellipsoidal one (CGCS2000, km²) at the registry's precision
(:func:`~mineplan.checks.area.areas_agree`).

May import: vocab, geodesy, checks.findings, checks.context, checks.area. Never web,
figures or cli.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from mineplan.checks.area import areas_agree
from mineplan.checks.context import ProposalContext, polygonal
from mineplan.checks.findings.model import Finding
from mineplan.features import Features
from mineplan.geodesy import ellipsoidal_areas_km2
from mineplan.io.areas import area_column, area_unit_of_column
from mineplan.vocab import AREA_UNITS_KM2, STORE_CRS

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["check_geometry", "stated_area_source", "stated_areas"]

# ``stated_area_unit`` of a coordinate file (lower case) → km² per unit; "" is 公顷 by
# the coordinate file specification.
_AREA_UNITS = {"": AREA_UNITS_KM2["公顷"],
               **{unit.lower(): km2 for unit, km2 in AREA_UNITS_KM2.items()}}


def check_geometry(ctx: ProposalContext) -> list[Finding]:
    """Per feature: valid, polygonal, registrable corner count, non-zero and stated area."""
    rule = ctx.rules.rule("geometry")
    key = "geometry"
    out: list[Finding] = []
    decimals = int(rule["area_decimals"])
    stated = stated_areas(ctx.frame)
    source = stated_area_source(ctx.frame)
    where = ""  # which column a GIS file's area came from, and its unit
    if source is not None:
        column, unit, assumed = source
        where = (f"（字段“{column}”未注明单位，按{unit}）" if assumed
                 else f"（字段“{column}”，{unit}）")
    for n, geom in enumerate(ctx.frame.geometry, start=1):
        label = f"第{n}块" if len(ctx.frame) > 1 else "申请范围"
        if geom is None or geom.is_empty:
            out.append(ctx.finding(key, "fail", "空图形", f"{label}没有图形"))
            continue
        problems: list[tuple[str, str]] = []
        if not geom.is_valid:
            problems.append(("fail", f"图形无效：{shapely.is_valid_reason(geom)}"))
        vertices = _vertex_count(geom)
        if vertices > int(rule["max_vertices"]):
            problems.append(("fail", f"拐点 {vertices} 个，登记系统要求少于 "
                                     f"{int(rule['max_vertices']) + 1} 个"))
        dupes = _duplicate_points(geom)
        if dupes:
            problems.append(("conditional", f"有 {dupes} 处相邻重复点"))
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(("fail", f"图形类型为 {geom.geom_type}，应为面"))
        fixed = polygonal(shapely.make_valid(geom))
        area = float(ellipsoidal_areas_km2([fixed], crs=STORE_CRS, validate=False)[0]) \
            if not fixed.is_empty else 0.0
        if round(area, decimals) <= 0:
            problems.append(("fail", f"面积 {area:.6f} km² 在 {decimals} 位小数精度下为 0"))
        said = float(stated[n - 1])
        agreed = ""
        if not math.isnan(said) and not areas_agree(said, area, decimals):
            diff_m2 = (float(said) - area) * 1e6
            problems.append(("conditional",
                             f"申报面积 {float(said):.{decimals}f} km²{where} 与椭球面积 "
                             f"{area:.{decimals}f} km² 在 {decimals} 位小数精度下不符"
                             f"（差 {diff_m2:+.0f} m²）"))
        elif not math.isnan(said):
            agreed = (f"；申报面积 {float(said):.{decimals}f} km²{where} 与椭球面积在 "
                      f"{decimals} 位小数精度下一致")
        measured = f"{area:.{decimals}f} km²（椭球），拐点 {vertices} 个"
        if not problems:
            out.append(ctx.finding(key, "pass", measured, f"{label}图形有效{agreed}",
                                   value=area, unit="km²"))
            continue
        verdict = "fail" if any(v == "fail" for v, _ in problems) else "conditional"
        out.append(ctx.finding(key, verdict, measured,
                               f"{label}：" + "；".join(m for _, m in problems),
                               value=area, unit="km²",
                               geometry=fixed))
    return out


def _vertex_count(geom: BaseGeometry) -> int:
    """拐点 count: ring points without each ring's closing repeat."""
    total = 0
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon":
            total += len(shapely.get_coordinates(poly))
            continue
        for ring in [poly.exterior, *poly.interiors]:
            total += max(0, len(ring.coords) - 1)
    return total


def _duplicate_points(geom: BaseGeometry) -> int:
    count = 0
    for poly in getattr(geom, "geoms", [geom]):
        rings = [poly.exterior, *poly.interiors] if poly.geom_type == "Polygon" else [poly]
        for ring in rings:
            xy = shapely.get_coordinates(ring)
            if len(xy) > 1:
                count += int((np.abs(np.diff(xy, axis=0)).sum(axis=1) == 0).sum())
    return count


def stated_areas(frame: Features | gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Stated area of each feature in km² (NaN when none or in an unknown unit).

    A coordinate text's ``stated_area`` in its ``stated_area_unit``; else a GIS file's
    area column (MJ, 面积 … :func:`mineplan.io.areas.area_column`) in the unit its name
    states (面积（平方米）, MJ(公顷), area_km2), or 公顷 when it states none
    (:func:`stated_area_source` says which). A value that is not a number is NaN.
    """
    features = frame if isinstance(frame, Features) else Features.from_frame(frame)
    if "stated_area" in features:
        units = features.get("stated_area_unit", [""] * len(features))
        factors = [_AREA_UNITS.get(_text(u).strip().lower(), math.nan) for u in units]
        return np.array([_number(v) * f for v, f in zip(features["stated_area"], factors,
                                                        strict=True)], dtype=float)
    source = stated_area_source(features)
    if source is None:
        return np.full(len(features), np.nan)
    column, unit, _ = source
    return np.array([_number(v) * AREA_UNITS_KM2[unit] for v in features[column]], dtype=float)


def stated_area_source(frame: Features | gpd.GeoDataFrame) -> tuple[str, str, bool] | None:
    """(column, unit, unit assumed?) of a GIS file's stated-area column, or None when
    the features have none (or are a coordinate text's, with ``stated_area``)."""
    columns = frame.columns if isinstance(frame, Features) \
        else [c for c in frame.columns if c != frame.geometry.name]
    if "stated_area" in columns:
        return None
    column = area_column(columns)
    if column is None:
        return None
    unit, assumed = area_unit_of_column(column)
    if assumed and column.strip().casefold() == "area":
        return None  # GIS software's own AREA field (often m² of the plane): not stated
    return column, unit, assumed


def _text(value: Any) -> str:
    """A unit cell as text: "" when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _number(value: Any) -> float:
    """A stated-area cell as a number, NaN when it is not one: numbers as they are, text
    in plain ASCII notation (``" 1.5 "``, ``1e3``, ``+3``; not ``1,5``, ``1_000`` or
    full-width digits), as pandas' ``to_numeric`` reads a file's column."""
    if value is None or isinstance(value, bool):
        return math.nan if value is None else float(value)
    if isinstance(value, int | float | np.number):
        return float(value)
    text = str(value).strip()
    if not text or not text.isascii() or "_" in text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan
