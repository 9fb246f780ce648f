"""Tests for mineplan.store: the atomic GeoPackage store.

Small hand-built frames (CGCS2000 degrees, Chinese text, missing reals,
integers) are written and read back; the GeoPackage's own tables are inspected
with sqlite3, as QGIS would see them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from mineplan.errors import StoreError
from mineplan.layers import FieldSpec, LayerSpec
from mineplan.store import (
    META_TABLE,
    list_layers,
    read_layer,
    read_meta,
    read_styles_table,
    write_store,
)

FIELDS = (
    FieldSpec("zone_id", "text", "编号"),
    FieldSpec("name", "text", "名称"),
    FieldSpec("area_km2", "real", "规划面积", unit="km²"),
    FieldSpec("block_count", "integer", "区块数"),
)
SPECS = {
    code: LayerSpec(code=code, name=name, geometry="MultiPolygon", group="plan", order=i,
                    style=code, fields=FIELDS, description=f"{name}（测试）")
    for i, (code, name) in enumerate([("AAA", "开采规划区块"), ("BBB", "勘查规划区块")])
}
QML = {code: f"<qgis><!-- {code} 样式 --></qgis>" for code in SPECS}
QGIS_STYLE_COLUMNS = [
    ("id", "INTEGER"), ("f_table_catalog", "TEXT(256)"), ("f_table_schema", "TEXT(256)"),
    ("f_table_name", "TEXT(256)"), ("f_geometry_column", "TEXT(256)"),
    ("styleName", "TEXT(30)"), ("styleQML", "TEXT"), ("styleSLD", "TEXT"),
    ("useAsDefault", "BOOLEAN"), ("description", "TEXT"), ("owner", "TEXT(30)"),
    ("ui", "TEXT(30)"), ("update_time", "DATETIME"),
]


def square(x: float, y: float, size: float = 0.01) -> MultiPolygon:
    return MultiPolygon([box(x, y, x + size, y + size)])


def layer_frame(n: int, *, x0: float = 84.0, crs: str | None = "EPSG:4490") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "zone_id": [f"t-AAA-{i:03d}" for i in range(1, n + 1)],
            "name": [f"甲县第{i}号金矿区（示意）" for i in range(1, n + 1)],
            "area_km2": [np.nan if i % 2 else 1.25 * i for i in range(n)],
            "block_count": np.arange(1, n + 1, dtype="int64"),
        },
        geometry=[square(x0 + 0.02 * i, 44.0 + 0.01 * i) for i in range(n)],
        crs=crs,
    )


def layers() -> dict[str, gpd.GeoDataFrame]:
    return {"AAA": layer_frame(3), "BBB": layer_frame(2, x0=85.0)}


def sql(path: Path, query: str, *params: object) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as con:
        return con.execute(query, params).fetchall()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    return write_store(tmp_path / "store.gpkg", layers(), specs=SPECS, qml=QML,
                       meta={"zones": "5", "crs": "EPSG:4490"})


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("code", list(SPECS))
def test_write_then_read_gives_the_same_frame(store: Path, code: str):
    got = read_layer(store, code)
    assert_geodataframe_equal(got, layers()[code], check_crs=True)
    assert got.crs.to_epsg() == 4490
    assert got["block_count"].dtype == np.int64
    assert got["area_km2"].dtype == np.float64
    assert got["area_km2"].isna().sum() == layers()[code]["area_km2"].isna().sum()
    assert list(got["name"]) == list(layers()[code]["name"])


def test_round_trip_keeps_column_order_and_types_exactly(store: Path):
    got = read_layer(store, "AAA")
    expected = layers()["AAA"]
    assert list(got.columns) == list(expected.columns)
    for column in ("area_km2", "block_count"):
        assert got[column].dtype == expected[column].dtype
    assert_geodataframe_equal(got, expected, check_crs=True, check_less_precise=False)


def test_empty_layer_round_trips(tmp_path: Path):
    empty = layer_frame(0)
    path = write_store(tmp_path / "e.gpkg", {"AAA": empty}, specs=SPECS, qml=QML)
    assert list_layers(path) == ["AAA"]
    got = read_layer(path, "AAA")
    assert len(got) == 0
    assert list(got.columns) == list(empty.columns)
    assert got.crs.to_epsg() == 4490


def test_polygons_are_stored_as_multipolygons(tmp_path: Path):
    frame = layer_frame(2)
    frame.geometry = [box(84, 44, 84.01, 44.01), square(84.1, 44.1)]
    path = write_store(tmp_path / "p.gpkg", {"AAA": frame}, specs=SPECS, qml=QML)
    got = read_layer(path, "AAA")
    assert list(got.geom_type) == ["MultiPolygon", "MultiPolygon"]
    assert got.geometry[0].equals(box(84, 44, 84.01, 44.01))


@settings(max_examples=8, deadline=None)
@given(
    corners=st.lists(
        st.tuples(st.floats(73.5, 134.0), st.floats(18.0, 53.0), st.floats(1e-4, 0.5)),
        min_size=1, max_size=4,
    ),
    names=st.lists(st.text(alphabet="甲乙丙丁矿区（）-—·abc123 ", max_size=20), min_size=4,
                   max_size=4),
)
def test_property_write_then_read_gives_the_same_geometry(tmp_path_factory, corners, names):
    frame = gpd.GeoDataFrame(
        {"zone_id": [f"p-AAA-{i:03d}" for i in range(len(corners))],
         "name": names[: len(corners)],
         "area_km2": [size * 100 for _, _, size in corners],
         "block_count": np.ones(len(corners), dtype="int64")},
        geometry=[square(x, y, size) for x, y, size in corners], crs="EPSG:4490",
    )
    path = tmp_path_factory.mktemp("prop") / "p.gpkg"
    write_store(path, {"AAA": frame}, specs=SPECS, qml=QML)
    got = read_layer(path, "AAA")
    assert all(a.equals_exact(b, 0) for a, b in zip(got.geometry, frame.geometry, strict=True))
    assert list(got["name"]) == list(frame["name"])


# --------------------------------------------------------------------------- GeoPackage tables


def test_list_layers_excludes_styles_and_meta(store: Path):
    assert list_layers(store) == ["AAA", "BBB"]
    tables = {t for (t,) in sql(store, "SELECT table_name FROM gpkg_contents")}
    assert {"layer_styles", META_TABLE} <= tables


def test_contents_register_names_and_tables(store: Path):
    rows = dict(
        (t, (kind, ident, desc)) for t, kind, ident, desc in sql(
            store, "SELECT table_name, data_type, identifier, description FROM gpkg_contents"
        )
    )
    assert rows["layer_styles"][0] == "attributes"
    assert rows[META_TABLE][0] == "attributes"
    for code, spec in SPECS.items():
        assert rows[code] == ("features", spec.name, spec.description)
    srs = sql(store, "SELECT table_name, srs_id FROM gpkg_geometry_columns")
    assert sorted(srs) == [("AAA", 4490), ("BBB", 4490)]


def test_layer_styles_has_one_default_row_per_layer(store: Path):
    styles = read_styles_table(store)
    assert sorted(styles["f_table_name"]) == sorted(SPECS)
    assert (styles["useAsDefault"] == 1).all()
    geometry_column = dict(sql(store, "SELECT table_name, column_name FROM gpkg_geometry_columns"))
    for row in styles.itertuples():
        assert row.styleQML == QML[row.f_table_name]
        assert row.styleName == SPECS[row.f_table_name].name
        assert row.f_geometry_column == geometry_column[row.f_table_name]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", row.update_time)


def test_layer_styles_columns_are_those_qgis_creates(store: Path):
    info = sql(store, "PRAGMA table_info(layer_styles)")
    assert [(name, kind) for _, name, kind, *_ in info] == QGIS_STYLE_COLUMNS


def test_update_time_honours_source_date_epoch(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000.25")
    path = write_store(tmp_path / "s.gpkg", layers(), specs=SPECS, qml=QML)
    assert set(read_styles_table(path)["update_time"]) == {"2023-11-14T22:13:20.250Z"}


def test_only_layers_with_a_style_get_a_row(tmp_path: Path):
    path = write_store(tmp_path / "s.gpkg", layers(), specs=SPECS, qml={"BBB": QML["BBB"]})
    assert list(read_styles_table(path)["f_table_name"]) == ["BBB"]


def test_every_layer_has_a_spatial_index(store: Path):
    tables = {t for (t,) in sql(store, "SELECT name FROM sqlite_master WHERE type='table'")}
    for code in SPECS:
        assert f"rtree_{code}_geom" in tables
        (count,) = sql(store, f'SELECT count(*) FROM "rtree_{code}_geom"')[0]
        assert count == len(layers()[code])
    extensions = {t for (t,) in sql(store, "SELECT table_name FROM gpkg_extensions "
                                           "WHERE extension_name = 'gpkg_rtree_index'")}
    assert extensions == set(SPECS)


def test_meta_round_trips(store: Path):
    assert read_meta(store) == {"zones": "5", "crs": "EPSG:4490"}


# --------------------------------------------------------------------------- failures


@pytest.fixture()
def existing(tmp_path: Path) -> tuple[Path, str, list[str]]:
    """A store already on disk, its hash and the folder's listing."""
    path = write_store(tmp_path / "store.gpkg", {"AAA": layer_frame(1)}, specs=SPECS, qml=QML)
    return path, digest(path), sorted(p.name for p in tmp_path.iterdir())


def _unchanged(existing: tuple[Path, str, list[str]]) -> None:
    path, before, listing = existing
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == listing


def test_wrong_crs_fails_before_touching_anything(existing, monkeypatch):
    path = existing[0]
    calls: list[str] = []
    monkeypatch.setattr(pyogrio, "write_dataframe", lambda *a, **k: calls.append("called"))
    bad = {"AAA": layer_frame(2), "BBB": layer_frame(1).to_crs("EPSG:4326")}
    with pytest.raises(StoreError) as info:
        write_store(path, bad, specs=SPECS, qml=QML)
    assert "'BBB'" in str(info.value) and "EPSG:4490" in str(info.value)
    assert str(path) in str(info.value)
    assert calls == []
    _unchanged(existing)


def test_missing_crs_and_missing_spec_are_both_reported(existing):
    bad = {"AAA": layer_frame(1, crs=None), "ZZZ": layer_frame(1)}
    with pytest.raises(StoreError) as info:
        write_store(existing[0], bad, specs=SPECS, qml=QML)
    message = str(info.value)
    assert "'AAA'" in message and "None" in message
    assert "'ZZZ'" in message and "no definition" in message
    _unchanged(existing)


def test_failure_inside_the_writer_leaves_the_old_store_intact(existing, monkeypatch):
    real = pyogrio.write_dataframe
    written: list[str] = []

    def fail_on_second(frame, path, *, layer, **kwargs):
        if written:
            raise RuntimeError("disk full (simulated)")
        written.append(layer)
        return real(frame, path, layer=layer, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", fail_on_second)
    with pytest.raises(RuntimeError, match="simulated"):
        write_store(existing[0], layers(), specs=SPECS, qml=QML)
    assert written == ["AAA"]  # the first layer really went to a temporary file
    _unchanged(existing)
    assert list_layers(existing[0]) == ["AAA"]
    assert len(read_layer(existing[0], "AAA")) == 1


def test_failure_while_writing_styles_leaves_the_old_store_intact(existing):
    # the layers are written, then the metadata cannot be: nothing may change
    with pytest.raises(sqlite3.Error):
        write_store(existing[0], layers(), specs=SPECS, qml=QML,
                    meta={"x": object()})  # type: ignore[dict-item]
    _unchanged(existing)


def test_successful_write_replaces_the_old_store(existing):
    path = existing[0]
    write_store(path, layers(), specs=SPECS, qml=QML)
    assert list_layers(path) == ["AAA", "BBB"]
    assert len(read_layer(path, "AAA")) == 3
    # no temporary file left; the writer-lock sidecar stays (deleting it would race)
    assert sorted(p.name for p in path.parent.iterdir()) == [".store.gpkg.lock", "store.gpkg"]


def test_the_written_store_is_flushed_to_disk_before_it_replaces_the_old(existing, monkeypatch):
    # GDAL writes without waiting for the disk; the file is fsynced once, then renamed
    path = existing[0]
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_store(path, layers(), specs=SPECS, qml=QML)
    assert events[-2:] == ["fsync", "replace"]
    assert len(read_layer(path, "AAA")) == 3


@pytest.mark.parametrize("before", [None, "NORMAL"])
def test_gdals_sqlite_sync_setting_is_restored_after_a_write_and_a_failure(
    existing, monkeypatch, before
):
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": before})
    try:
        write_store(existing[0], layers(), specs=SPECS, qml=QML)
        assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") == before
        with pytest.raises(sqlite3.Error):
            write_store(existing[0], layers(), specs=SPECS, qml=QML,
                        meta={"x": object()})  # type: ignore[dict-item]
        assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") == before
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": None})


def test_reading_a_missing_store_says_how_to_build_it(tmp_path: Path):
    missing = tmp_path / "nothing.gpkg"
    for read in (lambda: read_layer(missing, "AAA"), lambda: list_layers(missing),
                 lambda: read_meta(missing), lambda: read_styles_table(missing)):
        with pytest.raises(StoreError) as info:
            read()
        assert "mineplan build" in str(info.value)
        assert str(missing) in str(info.value)
        assert isinstance(info.value, OSError)


def test_reading_an_unknown_layer_lists_the_layers(store: Path):
    with pytest.raises(StoreError, match=r"no layer 'CCC'.*'AAA', 'BBB'"):
        read_layer(store, "CCC")


# --------------------------------------------------------------------------- layer facts


def test_the_store_records_each_layers_content_and_invalid_geometries(tmp_path: Path) -> None:
    """Validity is worked out once, when a layer is written (issue 16: a cold plan-wide
    check re-validated a provincial red line every run), keyed on the layer's content;
    an edit by another program (a feature added in place) makes the record stale."""
    from mineplan.store import layer_facts, replace_layer

    frame = layer_frame(4)
    bowtie = MultiPolygon([Polygon([(84, 44), (84.01, 44.01), (84.01, 44), (84, 44.01)])])
    frame.loc[2, "geometry"] = bowtie  # a ring that crosses itself
    path = write_store(tmp_path / "f.gpkg", {"AAA": frame, "BBB": layer_frame(2)},
                       specs=SPECS, qml=QML)
    features, content, invalid = layer_facts(path, "AAA")  # type: ignore[misc]
    assert (features, invalid) == (4, [2])
    assert layer_facts(path, "BBB")[2] == []  # type: ignore[index]
    assert layer_facts(path, "CCC") is None
    same = write_store(tmp_path / "g.gpkg", {"AAA": frame}, specs=SPECS, qml=QML)
    assert layer_facts(same, "AAA")[1] == content  # type: ignore[index]
    moved = frame.copy()
    moved.loc[0, "geometry"] = square(84.5, 44.5)
    replace_layer(path, "AAA", moved, spec=SPECS["AAA"])
    after = layer_facts(path, "AAA")
    assert after is not None and after[1] != content and after[2] == [2]
    pyogrio.write_dataframe(layer_frame(1, x0=86.0), path, layer="AAA", append=True)
    assert layer_facts(path, "AAA") is None  # edited outside mineplan: not trusted


def test_the_store_is_versioned_without_loading_geopandas(tmp_path: Path) -> None:
    """`store_version` of a GeoPackage needs no backend: the browse page's first run
    asks it before anything else (issue 14, cold first render); the backend, and
    geopandas with it, load on first use."""
    import subprocess
    import sys

    from mineplan.store import META_TABLE, gpkg

    assert META_TABLE == gpkg.META_TABLE
    path = Path(write_store(tmp_path / "store.gpkg", {"AAA": layer_frame(1)}, specs=SPECS,
                            qml=QML))
    probe = ("import sys, mineplan.store as s; v = s.store_version(sys.argv[1]); "
             "print(v, 'geopandas' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == [str(path.stat().st_mtime_ns), "False", "False"]
