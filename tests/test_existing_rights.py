"""Existing rights: each right overlapped is one finding, measured in one pass per layer."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

import mineplan.checks.overlay as overlay
from mineplan.checks import check_proposal
from mineplan.geodesy import ellipsoidal_area_km2

CRS = "EPSG:4490"
COUNTY = (83.5, 43.5, 85.5, 45.0)
PROPOSAL = box(84.0, 44.0, 84.1, 44.1)


def _rights(boxes: list[tuple[float, float, float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": [f"wusu-YSTK-{i:03d}" for i in range(1, len(boxes) + 1)],
         "name": [f"探矿权{i}" for i in range(1, len(boxes) + 1)], "region": "乌苏市",
         "mineral": "铜矿", "geometry_status": "导入", "source_file": "000_test.txt",
         "source_line": 1, "source_table": "专栏6"},
        geometry=[box(*b) for b in boxes], crs=CRS)


def test_each_right_is_measured_on_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    boxes = [(83.95, 44.0, 84.02, 44.1), (84.01, 44.0, 84.05, 44.1), (84.08, 44.05, 84.2, 44.2),
             (84.5, 44.5, 84.6, 44.6)]  # the first two overlap each other; the last is away
    built = []
    original = overlay.PreparedLayer.__init__

    def counting(self: overlay.PreparedLayer, *args: object, **kwargs: object) -> None:
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(overlay.PreparedLayer, "__init__", counting)
    store = {"XZQ": gpd.GeoDataFrame({"name": ["乌苏市"], "level": ["county"],
                                      "parent": ["塔城地区"], "source": ["t"]},
                                     geometry=[box(*COUNTY)], crs=CRS),
             "YSTK": _rights(boxes)}
    found = check_proposal(gpd.GeoDataFrame({"name": ["申请"]}, geometry=[PROPOSAL], crs=CRS),
                           right_type="探矿权", mineral="铜", region="乌苏市",
                           store_frames=store)
    rows = found[found["check"] == "existing_rights"]
    assert list(rows["verdict_key"]) == ["fail"] * 3
    for i, row in zip(range(3), rows.itertuples(), strict=True):
        expected = float(ellipsoidal_area_km2(
            gpd.GeoSeries([box(*boxes[i]).intersection(PROPOSAL)], crs=CRS)).iloc[0])
        assert row.value == pytest.approx(expected, rel=1e-9)
        assert f"wusu-YSTK-{i + 1:03d}" in row.message
    # the region check prepares the XZQ boundary; the rights add no prepared layer
    assert len(built) <= 1
