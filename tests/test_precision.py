"""Areas keep full precision until shown; one display rule (issue 10 §2, the 0.0168 km² bug).

Expected areas come from pyproj's Geod on the GRS 1980 ellipsoid (CGCS2000's), not from
mineplan's own area code.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import box

from mineplan.cli import main
from mineplan.importing.control import control_layer_frame
from mineplan.layers import read_layer_specs
from mineplan.vocab import area_display_decimals, format_area
from mineplan.web.legend import format_value, popup_html

GEOD = Geod(ellps="GRS80")
#: Four small red-line plots of 0.004174 km² each (≈ 64 m × 65 m at 44°N): each rounds
#: to 0.0042, so a sum of rounded areas prints 0.0168 km² for a true 0.016696 km².
D = 0.0005784
PLOTS = [box(81.0 + i * 0.01, 44.0, 81.0 + i * 0.01 + D * 1.4, 44.0 + D) for i in range(4)]


def _geodesic_km2(geom: object) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def _plots() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"名称": [f"红线{i}" for i in range(4)]}, geometry=PLOTS,
                            crs="EPSG:4490")


def test_the_fixture_is_the_case_of_the_issue() -> None:
    areas = [_geodesic_km2(g) for g in PLOTS]
    assert round(sum(round(a, 4) for a in areas), 4) == 0.0168  # summing rounded areas
    assert round(sum(areas), 4) == 0.0167  # the true total


def test_imported_areas_are_stored_unrounded_and_their_sum_prints_true() -> None:
    out = control_layer_frame(_plots(), spec=read_layer_specs()["STHX"], source="红线.shp",
                              source_date="2025-06-30", name_field="名称")
    for geom, area in zip(PLOTS, out["geom_area_km2"], strict=True):
        assert area == pytest.approx(_geodesic_km2(geom), rel=1e-9)  # not 0.0042
    assert format_area(out["geom_area_km2"].sum()) == "0.0167 km²"


@pytest.mark.slow
def test_cli_redline_import_and_layers_print_the_true_total(store_copy: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    path = tmp_path / "红线.geojson"
    _plots().to_file(path)
    assert main(["redline", "import", "STHX", str(path), "--date", "2025-06-30",
                 "--store", str(store_copy), "--name-field", "名称"]) == 0
    printed = capsys.readouterr().out
    assert "4 features, 0.0167 km²" in printed and "0.0168" not in printed
    assert main(["layers", "--store", str(store_copy)]) == 0
    line = next(s for s in capsys.readouterr().out.splitlines() if s.strip().startswith("STHX"))
    assert line.endswith("0.0167 km²")


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (0.016696, "km²", "0.0167 km²"),
    (0.01669349, "平方千米", "0.0167 平方千米"),
    (12.345678, "公顷", "12.3457 公顷"),  # 公顷 to 4, as plans print them
    (1234.5678, "平方米", "1234.57 平方米"),  # m² to 2
    (-0.00001, "km²", "0.0000 km²"),  # never "-0.0000"
    (float("nan"), "km²", "—"),
    (None, "km²", "—"),
])
def test_one_display_rule_by_unit(value: object, unit: str, shown: str) -> None:
    assert format_area(value, unit) == shown


def test_display_decimals_are_the_official_ones() -> None:
    assert [area_display_decimals(u) for u in ("km²", "公顷", "m²", "亩")] == [4, 4, 2, 2]


def test_popups_show_areas_to_4_decimals_and_no_long_floats() -> None:
    row = pd.Series({"name": "甲", "geom_area_km2": _geodesic_km2(PLOTS[0]),
                     "overlap_pct": 0.1 + 0.2, "top_m": 1215.0})
    html = popup_html("红线", [("name", "名称"), ("geom_area_km2", "面积（km²）"),
                               ("overlap_pct", "占比"), ("top_m", "标高")], row,
                      schematic=False)
    assert "<td>0.0042</td>" in html and "<td>0.3</td>" in html and "<td>1215</td>" in html
    assert not re.search(r"\d\.\d{7,}", html), html  # no 12-digit floats
    assert format_value(2.5, column="area_km2") == "2.5000"
    assert format_value(2.5) == "2.5"


def test_tables_keep_areas_numeric_and_format_them_to_4_decimals() -> None:
    from mineplan.checks.findings import FINDING_HEADERS
    from mineplan.web.browsing import zone_table_formats
    from mineplan.web.presentation import findings_table_formats

    specs = read_layer_specs()
    aliases = next(s for s in specs.values() if s.is_zone_layer).aliases()
    assert zone_table_formats(specs) == {aliases["area_km2"]: "%.4f",
                                         aliases["geom_area_km2"]: "%.4f"}
    assert findings_table_formats() == {FINDING_HEADERS["area_km2"]: "%.4f"}
