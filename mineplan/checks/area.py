"""Area agreement at the official precision, and the renewal (延续) area reduction.

* :func:`areas_agree` — a stated area agrees with the computed (ellipsoidal) one when
  both round to the same figure at the registry's precision,
  :data:`mineplan.vocab.AREA_DECIMALS_KM2` decimals of km² (an 89 m² difference on
  4 km² agrees when the stated figure is the rounded one);
* :func:`check_renewal` — for a 探矿权 延续, the previous and the new extent: the area
  given up, against ``[rules.renewal]`` of ``checks.toml`` (a national rule whose
  percentage has changed between versions, kept there marked ``verify``).

May import: vocab, errors, geodesy, checks.findings, checks.context. Never web, figures or cli.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shapely

from mineplan.checks.context import ProposalContext, polygonal, union_shape
from mineplan.checks.findings.model import Finding
from mineplan.errors import CRSError
from mineplan.features import Features
from mineplan.geodesy import ellipsoidal_areas_km2
from mineplan.vocab import AREA_DECIMALS_KM2, STORE_CRS, area_steps

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["areas_agree", "check_renewal", "official_area"]


def official_area(area_km2: float, decimals: int = AREA_DECIMALS_KM2) -> int:
    """The area as the registry records it: an integer count of 10^-decimals km², half up.

    :func:`mineplan.vocab.area_steps`: a stated area given in m² or 公顷 is compared at
    the precision equivalent to 4 decimals of km² (0.01 公顷, 100 m²) whatever its unit,
    and a half step that binary floats put just below it (1450 m² is
    0.0014499999999999999 km²) still rounds up, as in decimal arithmetic.

    >>> official_area(1450 * 1e-6), official_area(1.275 * 0.01), official_area(4.00004999)
    (15, 128, 40000)
    """
    return area_steps(area_km2, decimals)


def areas_agree(stated_km2: float, computed_km2: float,
                decimals: int = AREA_DECIMALS_KM2) -> bool:
    """Whether the stated area is the computed one at ``decimals`` decimals of km².

    Examples
    --------
    >>> areas_agree(4.0001, 4.000089)  # 89 m² over 4 km²: it rounds to 4.0001
    True
    >>> areas_agree(4.0000, 4.000089)
    False
    """
    return official_area(stated_km2, decimals) == official_area(computed_km2, decimals)


def _area_km2(shape: shapely.Geometry) -> float:
    """Ellipsoidal area of a shape in EPSG:4490, km² (0 when empty)."""
    if shape.is_empty:
        return 0.0
    return float(ellipsoidal_areas_km2([shape], crs=STORE_CRS, validate=False)[0])


def check_renewal(ctx: ProposalContext, previous: Features | gpd.GeoDataFrame) -> list[Finding]:
    """A 探矿权 延续: the area given up between the previous and the new extent.

    ``ctx`` holds the new extent. The reduction is measured against the previous
    extent (the rule counts it from the first licence's area: the message says so
    when the previous extent may not be the first one). A new extent reaching
    outside the previous one is reported too: a renewal may not enlarge the block.
    """
    rule = ctx.rules.rule("renewal")
    key = "renewal"
    if ctx.right_type not in rule.get("rights", ["探矿权"]):
        return [ctx.finding(key, "pass", "—", f"{ctx.right_type}延续不审查面积缩减，本条不适用")]
    if previous.crs is None:
        raise CRSError("the previous extent has no CRS; set it before checking")
    if not isinstance(previous, Features):
        previous = Features.from_frame(previous)
    before = union_shape(previous)
    prev_km2 = _area_km2(before)
    now_km2 = ctx.area
    decimals = AREA_DECIMALS_KM2
    if prev_km2 <= 0:
        return [ctx.finding(key, "conditional", "—", "原勘查范围没有面积，无法核算延续缩减")]
    cut_km2 = prev_km2 - now_km2
    pct = 100.0 * cut_km2 / prev_km2
    needed = float(rule["min_reduction_pct"])
    measured = (f"原 {prev_km2:.{decimals}f} km²，延续 {now_km2:.{decimals}f} km²，"
                f"缩减 {cut_km2:.{decimals}f} km²（{pct:.1f}%）")
    outside = polygonal(ctx.shape.difference(before)) if not ctx.shape.is_empty else ctx.shape
    out_km2 = _area_km2(outside)
    verify = "（规定比例待核实，verify）" if rule.get("verify", False) else ""
    if out_km2 > float(ctx.tol["overlap_km2"]):
        return [ctx.finding(key, rule["enlarged"], measured,
                            f"延续范围有 {out_km2:.{decimals}f} km² 超出原勘查范围，"
                            "延续不得扩大勘查区块",
                            value=pct, unit="%", geometry=outside)]
    if pct + 1e-9 < needed:
        return [ctx.finding(key, rule["below"], measured,
                            f"延续缩减 {pct:.1f}%，低于规定的 {needed:g}%{verify}；"
                            f"规定按首设勘查许可证载明面积计，须核实原范围是否为首设范围",
                            value=pct, unit="%")]
    return [ctx.finding(key, "pass", measured,
                        f"延续缩减 {pct:.1f}%，不低于规定的 {needed:g}%{verify}",
                        value=pct, unit="%")]
