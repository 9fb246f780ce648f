"""The store interface on both backends: a GeoPackage file and a PostGIS schema.

Every behaviour the two share is tested on each (``store_location`` is
parametrised over both); then what only the database has: the QGIS style table
as QGIS creates it for PostgreSQL, GiST indexes, bounding-box reads on the index,
transactions, the writer lock and concurrent writers in real processes, and the
refusal of a password in the URL. The PostGIS tests need ``MINEPLAN_TEST_PG``
(see tests/pg.py): skipped without it, failed in CI.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import psycopg
import pytest
from geopandas.testing import assert_geodataframe_equal
from psycopg import sql
from shapely.geometry import MultiPolygon, box

from mineplan.errors import StoreBusyError, StoreError
from mineplan.layers import FieldSpec, LayerSpec
from mineplan.location import parse_postgres
from mineplan.store import (
    EditRecord,
    can_write,
    copy_store,
    is_postgres,
    layer_profile,
    list_layers,
    read_edits,
    read_layer,
    read_meta,
    read_styles_table,
    replace_layer,
    write_store,
)
from tests import pg
from tests.pg import conninfo, replace_many

pg_url = pg.pg_url  # fixtures
store_location = pg.store_location

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
QML = {code: f"<qgis version=\"3.22\"><!-- {code} 样式 --></qgis>" for code in SPECS}
META = {"zones": "5", "crs": "EPSG:4490", "来源": "测试"}
# QgsPostgresUtils::createStylesTable, as information_schema reports it.
QGIS_PG_STYLE_COLUMNS = [
    ("id", "integer"), ("f_table_catalog", "character varying"),
    ("f_table_schema", "character varying"), ("f_table_name", "character varying"),
    ("f_geometry_column", "character varying"), ("stylename", "text"), ("styleqml", "xml"),
    ("stylesld", "xml"), ("useasdefault", "boolean"), ("description", "text"),
    ("owner", "character varying"), ("ui", "xml"),
    ("update_time", "timestamp without time zone"), ("type", "character varying"),
    ("r_raster_column", "character varying"),
]


def square(x: float, y: float, size: float = 0.01) -> MultiPolygon:
    return MultiPolygon([box(x, y, x + size, y + size)])


def layer_frame(n: int, *, x0: float = 84.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "zone_id": [f"t-AAA-{i:03d}" for i in range(1, n + 1)],
            "name": [f"甲县第{i}号金矿区（示意）'\"\\;" for i in range(1, n + 1)],
            "area_km2": [np.nan if i % 2 else 1.25 * i + 1e-13 for i in range(n)],
            "block_count": np.arange(1, n + 1, dtype="int64") * 10**12,
        },
        geometry=[square(x0 + 0.02 * i, 44.0 + 0.01 * i + 1e-9 * i) for i in range(n)],
        crs="EPSG:4490",
    )


def layers() -> dict[str, gpd.GeoDataFrame]:
    return {"AAA": layer_frame(3), "BBB": layer_frame(2, x0=85.0)}


def built(location: str | Path) -> str | Path:
    write_store(location, layers(), specs=SPECS, qml=QML, meta=META)
    return location


# --------------------------------------------------------------------------- both backends


@pytest.mark.parametrize("code", list(SPECS))
def test_every_feature_and_attribute_round_trips(store_location, code):
    built(store_location)
    got = read_layer(store_location, code)
    assert_geodataframe_equal(got, layers()[code], check_crs=True, check_less_precise=False)
    assert got.crs.to_epsg() == 4490
    assert list(got.columns) == list(layers()[code].columns)
    assert got["block_count"].dtype == np.int64
    assert got["area_km2"].isna().sum() == layers()[code]["area_km2"].isna().sum()


def test_list_layers_and_meta(store_location):
    built(store_location)
    assert sorted(list_layers(store_location)) == ["AAA", "BBB"]
    assert read_meta(store_location) == META


def test_empty_layer_and_single_parts(store_location):
    frame = layer_frame(2)
    frame.geometry = [box(84, 44, 84.01, 44.01), square(84.1, 44.1)]
    write_store(store_location, {"AAA": frame, "BBB": layer_frame(0)}, specs=SPECS, qml=QML)
    got = read_layer(store_location, "AAA")
    assert list(got.geom_type) == ["MultiPolygon", "MultiPolygon"]
    assert got.geometry[0].equals(box(84, 44, 84.01, 44.01))
    empty = read_layer(store_location, "BBB")
    assert len(empty) == 0
    assert list(empty.columns) == list(layer_frame(0).columns)
    assert empty.crs.to_epsg() == 4490


def test_bbox_reads_only_the_features_meeting_it(store_location):
    built(store_location)
    got = read_layer(store_location, "AAA", bbox=(84.015, 43.0, 84.025, 45.0))
    assert list(got["zone_id"]) == ["t-AAA-002"]
    assert len(read_layer(store_location, "AAA", bbox=(100.0, 30.0, 101.0, 31.0))) == 0


def test_layer_profile_counts_features_and_distinct_values(store_location):
    built(store_location)
    frame = layers()["AAA"]
    count, values = layer_profile(store_location, "AAA", ("zone_id", "name", "no_such"))
    assert count == len(frame)
    assert values == {"zone_id": set(frame["zone_id"]), "name": set(frame["name"])}


def test_replace_layer_changes_that_layer_only(store_location):
    built(store_location)
    replace_layer(store_location, "AAA", layer_frame(5), spec=SPECS["AAA"])
    assert_geodataframe_equal(read_layer(store_location, "AAA"), layer_frame(5))
    assert_geodataframe_equal(read_layer(store_location, "BBB"), layers()["BBB"])
    assert read_meta(store_location) == META
    replace_layer(store_location, "AAA", layer_frame(1), spec=SPECS["AAA"])  # twice
    assert len(read_layer(store_location, "AAA")) == 1


def test_replace_layer_refuses_unknown_layers_unless_create(store_location):
    built(store_location)
    spec = LayerSpec(code="CCC", name="新图层", geometry="MultiPolygon", group="control",
                     order=9, style="CCC", fields=FIELDS)
    with pytest.raises(StoreError, match="CCC"):
        replace_layer(store_location, "CCC", layer_frame(1), spec=spec)
    replace_layer(store_location, "CCC", layer_frame(1), spec=spec, create=True,
                  qml="<qgis><!-- CCC --></qgis>")
    assert sorted(list_layers(store_location)) == ["AAA", "BBB", "CCC"]
    styles = read_styles_table(store_location)
    assert list(styles.loc[styles["f_table_name"] == "CCC", "styleName"]) == ["新图层"]


def test_wrong_crs_is_refused_and_changes_nothing(store_location):
    built(store_location)
    with pytest.raises(StoreError, match="4490"):
        replace_layer(store_location, "AAA", layer_frame(2).to_crs(3857), spec=SPECS["AAA"])
    with pytest.raises(StoreError, match="4490"):
        write_store(store_location, {"AAA": layer_frame(1).to_crs(3857)}, specs=SPECS, qml=QML)
    assert_geodataframe_equal(read_layer(store_location, "AAA"), layers()["AAA"])


def test_styles_table_has_one_default_style_per_layer(store_location):
    built(store_location)
    styles = read_styles_table(store_location)
    assert sorted(styles["f_table_name"]) == ["AAA", "BBB"]
    for row in styles.itertuples():
        assert row.styleQML == QML[row.f_table_name]
        assert row.styleName == SPECS[row.f_table_name].name
        assert bool(row.useAsDefault)
        assert row.f_geometry_column == "geom"
    replace_layer(store_location, "AAA", layer_frame(1), spec=SPECS["AAA"],
                  qml="<qgis><!-- 新样式 --></qgis>")
    styles = read_styles_table(store_location)
    assert list(styles.loc[styles["f_table_name"] == "AAA", "styleQML"]) == [
        "<qgis><!-- 新样式 --></qgis>"]


def test_edit_log_records_every_write(store_location, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    write_store(store_location, layers(), specs=SPECS, qml=QML, meta=META,
                edit=EditRecord("mineplan build", user="张工"))
    replace_layer(store_location, "AAA", layer_frame(4), spec=SPECS["AAA"],
                  edit=EditRecord("mineplan import AAA", source="甲县.shp", user="李工"))
    log = read_edits(store_location)
    assert list(log.columns) == ["time", "user", "command", "layer", "features", "source"]
    assert list(log["layer"]) == ["AAA", "BBB", "AAA"]
    assert list(log["features"]) == [3, 2, 4]
    assert list(log["user"]) == ["张工", "张工", "李工"]
    assert list(log["source"]) == ["", "", "甲县.shp"]
    assert set(log["time"]) == {"2026-01-01T00:00:00Z"}
    assert list(read_edits(store_location, layer="BBB")["features"]) == [2]


def test_missing_store_says_how_to_build_one(store_location):
    with pytest.raises(StoreError, match="mineplan build"):
        read_layer(store_location, "AAA")
    with pytest.raises(StoreError):
        replace_layer(store_location, "AAA", layer_frame(1), spec=SPECS["AAA"])


def test_copy_round_trip_gpkg_postgis_gpkg_is_lossless(tmp_path, pg_url):
    source = built(tmp_path / "source.gpkg")
    replace_layer(source, "BBB", layer_frame(0), spec=SPECS["BBB"])
    copy_store(source, pg_url, specs=SPECS)
    back = copy_store(pg_url, tmp_path / "back.gpkg", specs=SPECS)
    for where in (pg_url, back):
        assert sorted(list_layers(where)) == sorted(list_layers(source))
        for code in list_layers(source):
            expected = read_layer(source, code)
            assert_geodataframe_equal(read_layer(where, code), expected, check_less_precise=False,
                                      check_dtype=len(expected) > 0)  # no dtype when empty
        assert read_meta(where) == read_meta(source)
        styles = read_styles_table(where).sort_values("f_table_name")
        assert list(styles["styleQML"]) == [QML["AAA"], QML["BBB"]]
        assert list(styles["styleName"]) == [SPECS["AAA"].name, SPECS["BBB"].name]


def test_copy_refuses_the_same_store_and_undefined_layers(tmp_path, pg_url):
    source = built(tmp_path / "s.gpkg")
    with pytest.raises(StoreError, match="same store"):
        copy_store(source, source)
    with pytest.raises(StoreError, match="AAA"):
        copy_store(source, pg_url, specs={"BBB": SPECS["BBB"]})


# --------------------------------------------------------------------------- PostGIS only


def test_a_url_with_a_password_is_refused():
    for url in ("postgresql://planner:secret@db/gis", "postgresql://planner@db/gis?password=x"):
        with pytest.raises(StoreError, match="PGPASSWORD") as caught:
            read_layer(url, "AAA")
        assert "secret" not in str(caught.value)
    assert is_postgres(Path("postgresql://planner@db:5432/gis?schema=s"))  # through argparse
    loc = parse_postgres(Path("postgresql://planner@db:5432/gis?schema=s&sslmode=require"))
    assert (loc.schema, loc.conninfo) == ("s", "postgresql://planner@db:5432/gis?sslmode=require")


def _sql(url: str, query: str, *args: object) -> list[tuple]:
    with psycopg.connect(conninfo(url)) as con:
        return con.execute(query, args).fetchall()


def test_postgis_tables_are_srid_4490_multipolygons_with_gist_indexes(pg_url):
    built(pg_url)
    schema = parse_postgres(pg_url).schema
    geoms = _sql(pg_url, "SELECT f_table_name, f_geometry_column, srid, type FROM"
                 " geometry_columns WHERE f_table_schema = %s ORDER BY 1", schema)
    assert geoms == [("AAA", "geom", 4490, "MULTIPOLYGON"), ("BBB", "geom", 4490, "MULTIPOLYGON")]
    indexes = _sql(pg_url, "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = %s"
                   " AND indexdef LIKE '%%USING gist%%' ORDER BY 1", schema)
    assert [t for t, _ in indexes] == ["AAA", "BBB"]
    comment = _sql(pg_url, "SELECT obj_description(to_regclass(%s), 'pg_class')",
                   f'"{schema}"."AAA"')
    assert comment == [("开采规划区块：开采规划区块（测试）",)]


def test_postgis_styles_table_is_the_one_qgis_creates(pg_url):
    built(pg_url)
    columns = _sql(pg_url, "SELECT column_name, data_type FROM information_schema.columns"
                   " WHERE table_schema = 'public' AND table_name = 'layer_styles'"
                   " ORDER BY ordinal_position")
    assert columns == QGIS_PG_STYLE_COLUMNS
    # What QGIS's loadStyle asks for a layer of this store.
    schema = parse_postgres(pg_url).schema
    rows = _sql(pg_url, "SELECT styleQML::text FROM layer_styles WHERE f_table_catalog ="
                " current_database() AND f_table_schema = %s AND f_table_name = 'AAA'"
                " AND f_geometry_column = 'geom' AND (type = 'Polygon' OR type IS NULL)"
                " ORDER BY CASE WHEN useAsDefault THEN 1 ELSE 2 END, update_time DESC", schema)
    assert rows == [(QML["AAA"],)]


def test_postgis_bbox_read_uses_the_spatial_index(pg_url):
    many = gpd.GeoDataFrame(
        {"zone_id": [f"z{i}" for i in range(3000)], "name": ["甲"] * 3000,
         "area_km2": np.ones(3000), "block_count": np.ones(3000, dtype="int64")},
        geometry=[square(80 + (i % 60) * 0.1, 30 + (i // 60) * 0.1, 0.05) for i in range(3000)],
        crs="EPSG:4490")
    write_store(pg_url, {"AAA": many}, specs=SPECS, qml=QML)
    got = read_layer(pg_url, "AAA", bbox=(80.0, 30.0, 80.12, 30.12))
    assert sorted(got["zone_id"]) == ["z0", "z1", "z60", "z61"]
    schema = parse_postgres(pg_url).schema
    plan = "\n".join(r[0] for r in _sql(
        pg_url, f'EXPLAIN SELECT * FROM "{schema}"."AAA" WHERE geom &&'
        " ST_MakeEnvelope(80.0, 30.0, 80.12, 30.12, 4490)"))
    assert "AAA_geom_idx" in plan


def test_postgis_failed_replace_changes_nothing(pg_url):
    built(pg_url)
    with pytest.raises(StoreError):  # the style is not XML: fails after the table swap
        replace_layer(pg_url, "AAA", layer_frame(7), spec=SPECS["AAA"], qml="<qgis>")
    assert_geodataframe_equal(read_layer(pg_url, "AAA"), layers()["AAA"])
    assert len(read_edits(pg_url)) == 2
    assert sorted(list_layers(pg_url)) == ["AAA", "BBB"]


def test_postgis_second_writer_waits_then_gets_store_busy(pg_url, monkeypatch):
    built(pg_url)
    monkeypatch.setenv("MINEPLAN_LOCK_TIMEOUT", "0.5")
    schema = parse_postgres(pg_url).schema
    with psycopg.connect(conninfo(pg_url)) as holder:  # another editor, mid-transaction
        holder.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                       (f"mineplan store {schema}",))
        started = time.monotonic()
        with pytest.raises(StoreBusyError, match="another writer"):
            replace_layer(pg_url, "AAA", layer_frame(6), spec=SPECS["AAA"])
        waited = time.monotonic() - started
        assert_geodataframe_equal(read_layer(pg_url, "AAA"), layers()["AAA"])  # readers go on
    assert 0.4 < waited < 10
    replace_layer(pg_url, "AAA", layer_frame(6), spec=SPECS["AAA"])  # free again
    assert len(read_layer(pg_url, "AAA")) == 6


def _run_together(location, jobs: list[tuple]) -> None:
    """Run replace_many(location, *job) for each job in its own process, started at once."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=replace_many, args=(str(location), *job[:2], start, *job[2:]))
               for job in jobs]
    for worker in workers:
        worker.start()
    time.sleep(2)  # every worker imported and waiting
    start.set()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0] * len(workers)


@pytest.mark.slow
def test_concurrent_writers_of_different_layers_lose_nothing(store_location):
    """Two processes replace different layers 15 times each, at once: every write lands."""
    built(store_location)
    times = 15
    _run_together(store_location, [("AAA", times), ("BBB", times)])
    log = read_edits(store_location)
    for code in ("AAA", "BBB"):
        rows = log[log["command"].str.startswith(f"worker {code} ")]
        assert list(rows["command"]) == [f"worker {code} {i}" for i in range(1, times + 1)]
        assert list(rows["features"]) == list(range(1, times + 1))
        final = read_layer(store_location, code)
        assert len(final) == times and set(final["block_count"]) == {times}


@pytest.mark.slow
def test_concurrent_writers_growing_one_layer_keep_every_feature(store_location):
    """Two processes each add 10 features to the same layer, at once: none is lost."""
    built(store_location)
    times = 10
    _run_together(store_location, [("AAA", times, "p1"), ("AAA", times, "p2")])
    final = read_layer(store_location, "AAA")
    assert len(final) == 3 + 2 * times
    assert {f"{p}-{i}" for p in ("p1", "p2") for i in range(1, times + 1)} <= set(final["zone_id"])


@pytest.mark.slow
def test_a_reader_during_writes_always_sees_a_whole_layer(store_location):
    built(store_location)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    start.set()
    writer = ctx.Process(target=replace_many, args=(str(store_location), "AAA", 8, start))
    writer.start()
    seen = set()
    while writer.is_alive():
        frame = read_layer(store_location, "AAA")  # never raises, never a partial layer
        seen.add((len(frame), frozenset(frame["block_count"])))
    writer.join()
    assert writer.exitcode == 0
    assert seen <= {(3, frozenset(layers()["AAA"]["block_count"]))} | {
        (i, frozenset({i})) for i in range(1, 9)}


def _as(url: str, role: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, f"{role}@{parts.netloc.rsplit('@', 1)[-1]}", parts.path,
                       parts.query, ""))


@pytest.fixture()
def roles(pg_url):
    """An editors' group owning the schema, two editors in it, and a reader."""
    tag = uuid.uuid4().hex[:6]
    names = {k: f"{k}_{tag}" for k in ("editors", "alice", "bob", "reader")}
    schema = parse_postgres(pg_url).schema
    ident = {k: sql.Identifier(v) for k, v in names.items()}
    with psycopg.connect(conninfo(pg_url), autocommit=True) as con:
        con.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(ident["editors"]))
        for who in ("alice", "bob", "reader"):
            con.execute(sql.SQL("CREATE ROLE {} LOGIN").format(ident[who]))
        con.execute(sql.SQL("GRANT {} TO {}, {}").format(ident["editors"], ident["alice"],
                                                          ident["bob"]))
        con.execute(sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(
            sql.Identifier(schema), ident["editors"]))
        con.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
            sql.Identifier(schema), ident["reader"]))
        con.execute(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT"
                            " ON TABLES TO {}").format(ident["editors"], sql.Identifier(schema),
                                                      ident["reader"]))
        con.execute("CREATE TABLE IF NOT EXISTS public.layer_styles(id SERIAL PRIMARY KEY,"
                    "f_table_catalog varchar,f_table_schema varchar,f_table_name varchar,"
                    "f_geometry_column varchar,styleName text,styleQML xml,styleSLD xml,"
                    "useAsDefault boolean,description text,owner varchar(63) DEFAULT"
                    " CURRENT_USER,ui xml,update_time timestamp DEFAULT CURRENT_TIMESTAMP,"
                    "type varchar,r_raster_column varchar)")
        con.execute(sql.SQL("GRANT SELECT, INSERT, DELETE ON public.layer_styles TO {}").format(
            ident["editors"]))
        con.execute(sql.SQL("GRANT SELECT ON public.layer_styles TO {}").format(ident["reader"]))
        con.execute(sql.SQL("GRANT USAGE ON SEQUENCE public.layer_styles_id_seq TO {}").format(
            ident["editors"]))
    yield {k: _as(pg_url, v) for k, v in names.items()} | {"names": names}
    with psycopg.connect(conninfo(pg_url), autocommit=True) as con:
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        for who in ("alice", "bob", "reader", "editors"):
            con.execute(sql.SQL("DROP OWNED BY {}").format(ident[who]))
            con.execute(sql.SQL("DROP ROLE {}").format(ident[who]))


def test_postgis_editors_share_a_store_and_a_reader_only_reads(roles):
    alice, bob, reader = roles["alice"], roles["bob"], roles["reader"]
    assert can_write(alice) and can_write(bob) and not can_write(reader)
    built(alice)
    replace_layer(bob, "AAA", layer_frame(5), spec=SPECS["AAA"], qml=QML["AAA"])  # alice's table
    assert len(read_layer(reader, "AAA")) == 5  # the new table is readable: default privileges
    assert read_meta(reader) == META
    assert len(read_styles_table(reader)) == 2
    with pytest.raises(StoreError, match="permission denied"):
        replace_layer(reader, "BBB", layer_frame(1), spec=SPECS["BBB"])
    assert_geodataframe_equal(read_layer(reader, "BBB"), layers()["BBB"])
    owners = _sql(alice, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = %s",
                  parse_postgres(alice).schema)
    assert owners == [(roles["names"]["editors"],)]
    names = roles["names"]
    assert _sql(alice, f'SELECT role FROM "{parse_postgres(alice).schema}".mineplan_edits'
                " ORDER BY id") == [(names["alice"],)] * 2 + [(names["bob"],)]


def test_postgis_owner_builds_a_schema_of_the_editors_group_in_a_new_database(pg_url):
    """The database owner's first build creates public.layer_styles as itself."""
    tag = uuid.uuid4().hex[:6]
    database, editors = f"db_{tag}", f"editors_{tag}"
    parts = urlsplit(pg_url)
    with psycopg.connect(conninfo(pg_url), autocommit=True) as con:
        con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        con.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(editors)))
    url = urlunsplit((parts.scheme, parts.netloc, f"/{database}", "schema=s", ""))
    try:
        with psycopg.connect(conninfo(url), autocommit=True) as con:
            con.execute("CREATE EXTENSION postgis")
            con.execute(sql.SQL("CREATE SCHEMA s AUTHORIZATION {}").format(
                sql.Identifier(editors)))
        built(url)
        assert len(read_styles_table(url)) == 2
        assert _sql(url, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 's'") == [
            (editors,)]
        assert _sql(url, "SELECT tableowner FROM pg_tables WHERE tablename = 'layer_styles'"
                    ) != [(editors,)]
    finally:
        with psycopg.connect(conninfo(pg_url), autocommit=True) as con:
            con.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                sql.Identifier(database)))
            con.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(editors)))
