"""Importing real geometry: matching by number or name, replacing schematic shapes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, box

from mineplan.catalog import read_catalog
from mineplan.cli import main as cli_main
from mineplan.errors import GeometryError
from mineplan.importing import IMPORTED, apply_import, match_features, normalise_name


def _zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "zone_id": ["yn-CKGH-001", "yn-CKGH-002", "yn-CKGH-003"],
            "name": ["伊犁伊宁矿区北区南台子井田", "新疆伊宁市铁厂沟1号页岩矿",
                     "伊宁煤炭国家规划区 (北区)"],
            "seq": ["1", "2", "3"],
            "region": ["伊宁市"] * 3,
            "geometry_status": ["示意"] * 3,
            "geometry_source": ["gen"] * 3,
            "geometry_note": ["示意图形"] * 3,
            "geom_area_km2": [1.0, 2.0, 3.0],
        },
        geometry=[box(81.3, 43.9, 81.31, 43.91), box(81.4, 43.9, 81.41, 43.91),
                  box(81.5, 43.9, 81.51, 43.91)],
        crs="EPSG:4490",
    )


def _features(names: list[str], **cols: list[object]) -> gpd.GeoDataFrame:
    geoms = [box(27_500_000 + i * 5000, 4_860_000, 27_501_000 + i * 5000, 4_861_000)
             for i in range(len(names))]
    return gpd.GeoDataFrame({"名称": names, **cols}, geometry=geoms, crs="EPSG:4515")


@pytest.mark.parametrize(("a", "b"), [
    ("新疆 伊宁市铁厂沟１号页岩矿", "伊宁市铁厂沟1号页岩矿"),
    ("伊宁煤炭国家规划区 (北区)", "伊宁煤炭国家规划区（北区）"),
    ("新疆维吾尔自治区伊宁市 A 区", "伊宁市A区"),
])
def test_names_match_across_width_spacing_brackets_and_prefixes(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


def test_different_names_stay_different() -> None:
    assert normalise_name("铁厂沟1号页岩矿") != normalise_name("铁厂沟2号页岩矿")


def test_features_match_by_name_and_unknown_ones_are_reported() -> None:
    report = match_features(_zones(), _features(["伊宁市铁厂沟１号页岩矿", "不存在的区块"]))
    assert report.matched == {"yn-CKGH-002": 0}
    assert len(report.unmatched) == 1 and "不存在的区块" in report.unmatched[0]


def test_number_wins_over_name_and_seq_works_within_one_plan() -> None:
    report = match_features(_zones(), _features(["随便", "也行"], 序号=["3", "yn-CKGH-001"]))
    assert report.matched == {"yn-CKGH-003": 0, "yn-CKGH-001": 1}


def test_two_features_for_one_zone_are_ambiguous_not_guessed() -> None:
    report = match_features(_zones(), _features(["南台子井田", "伊犁伊宁矿区北区南台子井田",
                                                 "伊犁伊宁矿区北区 南台子井田"]))
    assert report.matched == {}
    assert any("yn-CKGH-001" in a for a in report.ambiguous)


def test_the_report_is_data_and_its_english_is_what_the_cli_prints() -> None:
    report = match_features(_zones(), _features(
        ["伊犁伊宁矿区北区南台子井田", "伊犁伊宁矿区北区 南台子井田", "不存在的区块",
         "伊宁市铁厂沟１号页岩矿"]))
    assert report.matched == {"yn-CKGH-002": 3}
    assert report.matched_by == {"yn-CKGH-002": ("name", "名称")}
    assert report.how == {"yn-CKGH-002": "按名称（名称）"}
    kinds = [(i.kind, i.feature, i.zones, i.features) for i in report.issues]
    assert kinds == [("no_match", 2, (), ()), ("claimed_twice", None, ("yn-CKGH-001",), (0, 1))]
    assert report.issues[0].keys == (("名称", "不存在的区块"),)
    assert report.unmatched == ["feature 2 名称='不存在的区块': no zone of this layer has that "
                                "number or name"]
    assert report.ambiguous == ["zone yn-CKGH-001: claimed by features [0, 1]; merge them or "
                                "give each its own zone_id"]
    assert report.summary(layer="CKGH 开采规划区块", total_zones=3).splitlines() == [
        "CKGH 开采规划区块: 1 of 3 zones take imported geometry; 2 keep their schematic shape",
        f"  unmatched: {report.unmatched[0]}",
        f"  ambiguous: {report.ambiguous[0]}",
    ]


def test_a_feature_fitting_two_zones_is_reported_with_both() -> None:
    from mineplan.importing import ImportIssue

    issue = ImportIssue("several_zones", feature=4, keys=(("编号", "7"), ("名称", "甲")),
                        zones=("a-1", "b-1"))
    assert issue.ambiguous
    assert issue.english() == ("feature 4 编号='7' 名称='甲': fits zones ['a-1', 'b-1']; "
                               "give zone_id")


def test_a_file_without_name_or_number_columns_is_refused_with_its_columns() -> None:
    features = gpd.GeoDataFrame({"foo": [1]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4490")
    with pytest.raises(GeometryError, match="foo"):
        match_features(_zones(), features)


def test_import_replaces_only_matched_zones_and_keeps_every_zone() -> None:
    zones, features = _zones(), _features(["伊犁伊宁矿区北区南台子井田"])
    out = apply_import(zones, features, match_features(zones, features), source="a.shp")
    assert list(out["zone_id"]) == list(zones["zone_id"])
    assert list(out["geometry_status"]) == [IMPORTED, "示意", "示意"]
    assert "a.shp" in out.loc[0, "geometry_source"]
    # 1 km × 1 km in zone 27 is about 1 km² on the ellipsoid (projected area ≈ k² larger)
    assert out.loc[0, "geom_area_km2"] == pytest.approx(1.0, rel=2e-3)
    assert out.crs.to_epsg() == 4490
    assert out.geometry.iloc[1].equals(zones.geometry.iloc[1])


def test_a_point_feature_cannot_replace_a_zone() -> None:
    zones = _zones()
    features = gpd.GeoDataFrame({"名称": ["伊犁伊宁矿区北区南台子井田"]},
                                geometry=[Point(27_500_000, 4_860_000)], crs="EPSG:4515")
    with pytest.raises(GeometryError, match="not a polygon"):
        apply_import(zones, features, match_features(zones, features), source="p.shp")


@pytest.fixture()
def store(store_copy: Path) -> Path:
    return store_copy  # these tests write to it


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_cli_import_from_a_gbk_shapefile_without_prj(store: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    shp = tmp_path / "blocks.shp"
    pyogrio.write_dataframe(_features(["新疆伊宁市铁厂沟１号页岩矿", "无此区块"]), shp,
                            encoding="GBK")
    for ext in (".prj", ".cpg"):
        shp.with_suffix(ext).unlink(missing_ok=True)
    assert cli_main(["import", "CKGH", str(shp), "--store", str(store)]) == 0
    printed = capsys.readouterr().out
    planned = (read_catalog()["layer"] == "CKGH").sum()  # every plan's 开采规划区块
    assert f"1 of {planned} zones" in printed and "无此区块" in printed
    layer = pyogrio.read_dataframe(store, layer="CKGH")
    assert len(layer) == planned  # nothing dropped
    done = layer[layer["geometry_status"] == IMPORTED]
    assert list(done["name"]) == ["新疆伊宁市铁厂沟1号页岩矿"]


@pytest.mark.slow
def test_a_failed_import_leaves_the_store_unchanged(store: Path, tmp_path: Path) -> None:
    before = _digest(store)
    points = gpd.GeoDataFrame({"名称": ["新疆伊宁市铁厂沟1号页岩矿"]},
                              geometry=[Point(81.3, 43.9)], crs="EPSG:4490")
    path = tmp_path / "points.geojson"
    points.to_file(path)
    assert cli_main(["import", "CKGH", str(path), "--store", str(store)]) == 2
    assert _digest(store) == before
    # --dry-run refuses what the import refuses, and writes nothing
    assert cli_main(["import", "CKGH", str(path), "--store", str(store), "--dry-run"]) == 2
    assert _digest(store) == before


def test_the_report_lists_a_bounded_number_of_unmatched_features() -> None:
    from mineplan.importing import SUMMARY_LIMIT

    names = [f"无此区块{i}" + ("长" * 5000 if i == 0 else "") for i in range(500)]
    report = match_features(_zones(), _features(names))
    text = report.summary(layer="CKGH 开采规划区块", total_zones=3)
    lines = text.splitlines()
    assert len(report.unmatched) == 500
    assert len(lines) == 1 + SUMMARY_LIMIT + 1  # headline, the first ones, the count
    assert lines[-1] == f"  … and {500 - SUMMARY_LIMIT} more unmatched features"
    assert max(len(line) for line in lines) < 300  # a huge field value is cut


def test_a_full_disk_is_a_plain_message_and_the_store_is_intact(
        store_copy: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import errno
    import shutil

    before = _digest(store_copy)

    def no_space(src: object, dst: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(shutil, "copyfile", no_space)  # the store copy is the first write
    path = store_copy.parent / "blocks.geojson"
    _features(["新疆伊宁市铁厂沟１号页岩矿"]).to_file(path)
    assert cli_main(["import", "CKGH", str(path), "--store", str(store_copy)]) == 2
    err = capsys.readouterr().err
    assert "the disk is full" in err and "nothing was replaced" in err
    assert "internal error" not in err and "Traceback" not in err
    assert _digest(store_copy) == before
    assert sorted(p.name for p in store_copy.parent.iterdir()
                  if p.name.startswith(f".{store_copy.name}.")) == [f".{store_copy.name}.lock"]


@pytest.mark.parametrize("columns", [("DKBH", "DKMC"), ("dkbh", "dkmc")])
def test_exchange_field_codes_are_recognised_without_options(columns: tuple[str, str]) -> None:
    id_col, name_col = columns
    features = _features(["甲"], **{id_col: ["yn-CKGH-002"]}).drop(columns=["名称"])
    features[name_col] = ["新疆伊宁市铁厂沟1号页岩矿"]
    report = match_features(_zones(), features)
    assert report.id_column == id_col and report.name_column == name_col
    assert list(report.matched) == ["yn-CKGH-002"]


# A CSV of two plots' corners, grouped by a 地块 column (zone 27, EPSG:4515, 81°E):
# plot values are the layer's 序号 ("2", "3") or its names.
def _plot_csv(tmp_path: Path, column: str, plots: tuple[str, str]) -> Path:
    rows = [f"{column},点号,X,Y"]
    for plot, east in zip(plots, (27_500_000, 27_505_000), strict=True):
        corners = [(4_860_000, east), (4_860_000, east + 1000), (4_861_000, east + 1000),
                   (4_861_000, east)]
        rows += [f"{plot},{n},{x},{y}" for n, (x, y) in enumerate(corners, 1)]
    path = tmp_path / "plots.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("column", "plots", "by"), [
    ("地块", ("2", "3"), "id"),                           # 序号 of a one-plan layer
    ("地块号", ("yn-CKGH-002", "yn-CKGH-003"), "id"),       # zone ids
    ("宗地号", ("新疆伊宁市铁厂沟１号页岩矿", "伊宁煤炭国家规划区（北区）"), "name"),
])
def test_a_plot_column_of_a_vertex_table_is_a_match_field(
    tmp_path: Path, column: str, plots: tuple[str, str], by: str
) -> None:
    from mineplan.io.gis.reading import read_gis_file

    features = read_gis_file(_plot_csv(tmp_path, column, plots), crs="EPSG:4515").frame
    assert len(features) == 2 and column in features.columns
    report = match_features(_zones(), features)
    assert (report.id_column, report.name_column) == (
        (column, None) if by == "id" else (None, column))
    assert report.matched == {"yn-CKGH-002": 0, "yn-CKGH-003": 1}
    assert {how for how, _ in report.matched_by.values()} == {by}
    # the 1000 m squares replace the zones (1 km² each, TD/T 1055 near the meridian)
    out = apply_import(_zones(), features, report, source="plots.csv")
    assert out.loc[1:, "geom_area_km2"].tolist() == pytest.approx([1.0, 1.0], rel=2e-3)


def test_a_plot_column_matching_nothing_is_reported_not_refused(tmp_path: Path) -> None:
    from mineplan.io.gis.reading import read_gis_file

    features = read_gis_file(_plot_csv(tmp_path, "地块", ("甲", "乙")), crs="EPSG:4515").frame
    report = match_features(_zones(), features)
    assert report.id_column == "地块" and not report.matched
    assert len(report.unmatched) == 2 and "地块='甲'" in report.unmatched[0]


@pytest.mark.slow
def test_cli_import_of_a_csv_grouped_by_plot_needs_no_id_field(
    store_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zones = pyogrio.read_dataframe(store_copy, layer="CKGH")
    ids = tuple(str(z) for z in zones["zone_id"][:2])
    path = _plot_csv(tmp_path, "地块", (ids[0], ids[1]))
    assert cli_main(["import", "CKGH", str(path), "--store", str(store_copy),
                     "--crs", "EPSG:4515", "--dry-run"]) == 0
    printed = capsys.readouterr()
    assert "--id-field" not in printed.out + printed.err
    assert f"2 of {len(zones)} zones" in printed.out
