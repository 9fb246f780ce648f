"""Many plots in one file are checked plot by plot (issue 12 §4 Batch)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from mineplan.checks import check_plots
from mineplan.checks.proposal import SUMMARY_COLUMNS, plot_labels
from mineplan.rules import CheckInputError
from mineplan.vocab import VERDICTS

CRS = "EPSG:4490"
COUNTY = (83.5, 43.5, 85.5, 45.0)
REDLINE = (84.0, 44.0, 84.1, 44.1)
CLEAR = box(84.52, 44.32, 84.55, 44.35)
ON_REDLINE = box(84.02, 44.02, 84.04, 44.04)


def _store() -> dict[str, gpd.GeoDataFrame]:
    return {
        "XZQ": gpd.GeoDataFrame(
            {"name": ["乌苏市"], "level": ["county"], "parent": ["塔城地区"], "source": ["t"]},
            geometry=[box(*COUNTY)], crs=CRS),
        "STHX": gpd.GeoDataFrame(
            {"name": ["生态保护红线"], "region": ["乌苏市"], "data_status": ["导入"],
             "geometry_status": ["导入"]}, geometry=[box(*REDLINE)], crs=CRS),
    }


def _plots(**cols: list[object]) -> gpd.GeoDataFrame:
    geoms = cols.pop("geometry")
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=CRS)


def test_each_plot_is_checked_on_its_own() -> None:
    plots = _plots(地块编号=["A", "B"], geometry=[CLEAR, ON_REDLINE])
    findings, summary = check_plots(plots, right_type="探矿权", mineral="石灰岩",
                                    region="乌苏市", store_frames=_store())
    assert findings.columns[0] == "plot"
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert list(summary["plot"]) == ["A", "B"]
    red = findings[findings["check"] == "ecological_redline"].set_index("plot")
    assert red.loc["A", "verdict_key"] == "pass"
    assert red.loc["B", "verdict_key"] == "fail"  # not merged: A stays clear
    b = summary.set_index("plot").loc["B"]
    assert b["verdict_key"] == "fail" and b["verdict"] == VERDICTS["fail"]
    assert "生态保护红线" in b["failed_checks"]
    assert set(findings.loc[findings["plot"] == "A", "subject"]) == {"A"}
    counts = findings.groupby("plot")["verdict_key"].value_counts()
    for row in summary.itertuples():
        assert row.fail == counts.get((row.plot, "fail"), 0)


def test_features_of_one_plot_stay_together() -> None:
    x0, y0, x1, y1 = CLEAR.bounds
    mid = (x0 + x1) / 2
    plots = _plots(plot=["P1", "P1", "P2"],
                   geometry=[box(x0, y0, mid, y1), box(mid, y0, x1, y1), ON_REDLINE])
    findings, summary = check_plots(plots, right_type="探矿权", mineral="石灰岩",
                                    region="乌苏市", store_frames=_store())
    assert list(summary["plot"]) == ["P1", "P2"]
    geometry = findings[(findings["plot"] == "P1") & (findings["check"] == "geometry")]
    assert len(geometry) == 2  # one per feature of the plot


def test_plot_labels() -> None:
    unnamed = _plots(geometry=[CLEAR, ON_REDLINE])
    assert list(plot_labels(unnamed)) == ["地块1", "地块2"]
    named = _plots(name=["甲", ""], geometry=[CLEAR, ON_REDLINE])
    assert list(plot_labels(named)) == ["甲", "地块2"]
    with pytest.raises(CheckInputError, match="no column"):
        plot_labels(named, "编号X")
