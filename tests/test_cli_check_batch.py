"""``mineplan check --proposal`` on files with several plots, and renewals (--project/--previous).

The multi-plot fixture (tests/fixtures/coords/README.md) holds two plots, CK-01
乌苏市示例采矿区 and CK-02 两块组成的勘查区; a batch check must check them one by
one, never merged into one polygon.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import box

from mineplan.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "coords"
PLOTS = ("乌苏市示例采矿区", "两块组成的勘查区")


@pytest.mark.slow
def test_a_file_with_two_plots_is_checked_plot_by_plot(
        built_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "findings.csv"
    code = main(["check", "--proposal", str(FIXTURES / "multi_plot_hole_gbk.txt"),
                 "--right", "采矿权", "--mineral", "煤", "--store", str(built_store),
                 "-o", str(out)])
    printed = capsys.readouterr().out
    table = pd.read_csv(out, encoding="utf-8-sig")
    # one summary line per plot, and every row of the file names its plot
    assert "2 个地块" in printed and all(f"  {p}：" in printed for p in PLOTS)
    assert table.columns[0] == "地块" and set(table["地块"]) == set(PLOTS)
    # each plot gets the whole set of checks once (the same checks for both)
    per_plot = table.groupby("地块")["检查项代码"].apply(lambda s: sorted(set(s)))
    assert per_plot[PLOTS[0]] == per_plot[PLOTS[1]]
    # neither plot lies in a planning block of the bundled store: each fails that rule,
    # so the command exits 1 (a 不通过 finding)
    failing = table[table["结论代码"] == "fail"]
    assert set(failing["地块"]) == set(PLOTS) and set(failing["检查项代码"]) == {"planning_block"}
    assert code == 1


def test_previous_needs_a_renewal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "block.geojson"
    import geopandas as gpd

    gpd.GeoDataFrame(geometry=[box(84.0, 44.0, 84.01, 44.01)], crs=4490).to_file(path)
    assert main(["check", "--proposal", str(path), "--right", "探矿权", "--mineral", "金",
                 "--previous", str(path)]) == 2
    assert "--project 延续" in capsys.readouterr().err


@pytest.mark.slow
def test_a_renewal_reports_the_area_reduction(built_store: Path, tmp_path: Path) -> None:
    import geopandas as gpd
    from pyproj import Geod

    new, old = box(81.272, 43.950, 81.285, 43.960), box(81.265, 43.945, 81.290, 43.965)
    for name, geom in (("new", new), ("old", old)):
        gpd.GeoDataFrame(geometry=[geom], crs=4490).to_file(tmp_path / f"{name}.geojson")
    out = tmp_path / "findings.csv"
    main(["check", "--proposal", str(tmp_path / "new.geojson"), "--project", "延续",
          "--previous", str(tmp_path / "old.geojson"), "--right", "探矿权", "--mineral", "煤",
          "--store", str(built_store), "-o", str(out)])
    table = pd.read_csv(out, encoding="utf-8-sig")
    row = table[table["检查项代码"] == "renewal"].iloc[0]
    # the reduction, checked independently with GeographicLib (these edges are short)
    geod = Geod(ellps="GRS80")
    a_new, a_old = (abs(geod.geometry_area_perimeter(g)[0]) for g in (new, old))
    assert float(row["数值"]) == pytest.approx(100 * (1 - a_new / a_old), abs=0.01)
    assert row["结论代码"] == "pass"  # 74 % less than before: more than any rule asks
