"""Area agreement at the registry's precision and the renewal (延续) area reduction."""

from __future__ import annotations

import geopandas as gpd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import box

from mineplan.checks import check_proposal
from mineplan.checks.area import areas_agree, official_area
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.rules import load_rules
from mineplan.vocab import AREA_DECIMALS_KM2

CRS = "EPSG:4490"
COUNTY = (83.5, 43.5, 85.5, 45.0)
PLOT = box(84.52, 44.32, 84.55, 44.35)


def _store() -> dict[str, gpd.GeoDataFrame]:
    return {"XZQ": gpd.GeoDataFrame(
        {"name": ["乌苏市"], "level": ["county"], "parent": ["塔城地区"], "source": ["test"]},
        geometry=[box(*COUNTY)], crs=CRS)}


def _frame(geom: object, **cols: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["测试"], **{k: [v] for k, v in cols.items()}},
                            geometry=[geom], crs=CRS)


def _area(geom: object) -> float:
    return float(ellipsoidal_area_km2(gpd.GeoSeries([geom], crs=CRS)).iloc[0])


def _geometry_row(**cols: object) -> gpd.GeoSeries:
    found = check_proposal(_frame(PLOT, **cols), right_type="探矿权", mineral="金",
                           region="乌苏市", store_frames=_store())
    return found[found["check"] == "geometry"].iloc[0]


def test_agreement_is_at_four_decimals_of_km2() -> None:
    assert AREA_DECIMALS_KM2 == 4
    assert areas_agree(4.00014, 4.000051)  # 89 m² apart, both 4.0001
    assert not areas_agree(4.0001, 4.000011)  # 89 m² apart, 4.0001 vs 4.0000
    assert official_area(4.00005) == 40001


@given(st.floats(min_value=0.0001, max_value=500.0, allow_nan=False))
def test_the_rounded_figure_always_agrees(area: float) -> None:
    assert areas_agree(round(area, AREA_DECIMALS_KM2), area)


def test_a_stated_area_that_rounds_the_same_way_passes() -> None:
    area = _area(PLOT)
    base = official_area(area) / 10**AREA_DECIMALS_KM2
    near = base + 0.00004 if area <= base else base - 0.00004  # same rounding, ≤ 90 m² off
    assert areas_agree(near, area) and abs(near - area) * 1e6 > 0
    assert _geometry_row(area_km2=near)["verdict_key"] == "pass"
    off = _geometry_row(area_km2=base + 0.0001)
    assert off["verdict_key"] == "conditional"
    assert "4 位小数精度下不符" in off["message"] and "m²" in off["message"]


def test_a_half_step_stated_in_m2_or_hectares_rounds_up_as_printed() -> None:
    # 1450 m² = 0.00145 km² → 0.0015 km² (half up, as in decimal arithmetic); as a binary
    # float the conversion falls just below the half step and used to round to 0.0014
    assert official_area(1450 * 1e-6) == 15 and official_area(4250 * 1e-6) == 43
    assert official_area(1.275 * 0.01) == 128  # 1.275 公顷 = 0.01275 km² → 0.0128
    assert areas_agree(1450 * 1e-6, 0.00150004)


@pytest.mark.parametrize(("unit", "per_step"), [("平方米", 100.0), ("公顷", 0.01)])
def test_a_stated_area_in_m2_or_hectares_is_compared_at_the_equivalent_precision(
        unit: str, per_step: float) -> None:
    """0.0001 km² (the official step) is 100 m² or 0.01 公顷."""
    steps = official_area(_area(PLOT))  # the computed area in official steps
    same = _geometry_row(stated_area=steps * per_step, stated_area_unit=unit)
    assert same["verdict_key"] == "pass"
    half_below = _geometry_row(stated_area=(steps - 0.5) * per_step, stated_area_unit=unit)
    assert half_below["verdict_key"] == "pass"  # rounds half up to the same official figure
    one_off = _geometry_row(stated_area=(steps + 1) * per_step, stated_area_unit=unit)
    assert one_off["verdict_key"] == "conditional" and "不符" in one_off["message"]


def test_the_renewal_rule_is_data_marked_for_confirmation() -> None:
    rule = load_rules().rule("renewal")
    assert rule["verify"] is True and rule["version"] in rule["source"]
    assert float(rule["min_reduction_pct"]) > 0


def _renewal(new: object, previous: object, *, right: str = "探矿权") -> gpd.GeoSeries:
    found = check_proposal(_frame(new), right_type=right, mineral="金", region="乌苏市",
                           store_frames=_store(), project="延续", previous=_frame(previous))
    rows = found[found["check"] == "renewal"]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(("keep", "verdict"), [(0.7, "pass"), (0.9, "conditional")])
def test_renewal_reduction_against_the_rule(keep: float, verdict: str) -> None:
    x0, y0, x1, y1 = PLOT.bounds
    new = box(x0, y0, x0 + (x1 - x0) * keep, y1)
    row = _renewal(new, PLOT)
    assert row["verdict_key"] == verdict
    expected = 100 * (_area(PLOT) - _area(new)) / _area(PLOT)
    assert row["value"] == pytest.approx(expected)
    assert "缩减" in row["measured"]
    assert "verify" in row["message"]


def test_renewal_may_not_enlarge_the_block() -> None:
    x0, y0, x1, y1 = PLOT.bounds
    row = _renewal(box(x0, y0, x1 + 0.001, y1 - 0.01), PLOT)
    assert row["verdict_key"] == "fail" and "超出原勘查范围" in row["message"]


def test_no_renewal_finding_without_a_previous_extent() -> None:
    found = check_proposal(_frame(PLOT), right_type="探矿权", mineral="金", region="乌苏市",
                           store_frames=_store(), project="延续")
    assert "renewal" not in set(found["check"])
