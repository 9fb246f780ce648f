"""A PostgreSQL/PostGIS server for the store tests, and the worker of the concurrency test.

The server is the one ``MINEPLAN_TEST_PG`` names (a ``postgresql://`` URL, e.g. from
``scripts/pg_test_cluster.sh start DIR``). Without it a test that needs it is
skipped on a developer's machine and FAILS in CI (``CI`` set): CI must test the
PostGIS backend, not quietly skip it.

Each test gets a schema of its own (dropped afterwards, with its style rows), so
tests never see each other's stores. Import the fixtures into a test module::

    from tests import pg

    pg_url = pg.pg_url  # fixtures
    store_location = pg.store_location
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

PG_ENV = "MINEPLAN_TEST_PG"


def server_url() -> str:
    """The test server's URL; skip (or, in CI, fail) when there is none or it is down."""
    url = os.environ.get(PG_ENV, "")
    if not url:
        message = (f"{PG_ENV} is not set: start a server with "
                   f"`export {PG_ENV}=$(scripts/pg_test_cluster.sh start /tmp/pg)`")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        with psycopg.connect(conninfo(url), connect_timeout=10) as con:
            con.execute("SELECT postgis_version()")
    except psycopg.Error as exc:
        pytest.fail(f"{PG_ENV}={url}: server unusable: {exc}")
    return url


def conninfo(url: str) -> str:
    """The URL without its ``schema`` parameter (what libpq accepts)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"] + [("schema", schema)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def drop_store(url: str, schema: str) -> None:
    with psycopg.connect(conninfo(url), autocommit=True) as con:
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        if con.execute("SELECT to_regclass('public.layer_styles')").fetchone() != (None,):
            con.execute("DELETE FROM public.layer_styles WHERE f_table_schema = %s", (schema,))


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """A store URL on the test server, in a fresh schema dropped after the test."""
    url = server_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield with_schema(url, schema)
    drop_store(url, schema)


@pytest.fixture(params=["gpkg", "postgis"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | Path]:
    """A store location (not yet written) of each backend: a .gpkg path, a PostGIS URL."""
    if request.param == "gpkg":
        yield tmp_path / "store.gpkg"
        return
    url = server_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield with_schema(url, schema)
    drop_store(url, schema)


def replace_many(location: str, code: str, times: int, start: object,
                 grow: str = "") -> list[int]:
    """Worker of the concurrency tests: replace layer ``code`` ``times`` times.

    Write i (1-based) holds ``i`` features whose ``block_count`` is ``i``; each
    write is logged as ``worker <code> <i>``. With ``grow`` set, each write instead
    appends one feature ``<grow>-<i>`` to the layer as it is then
    (:func:`mineplan.store.update_layer`). Waits on ``start`` (an Event) so that the
    workers begin together. Returns the feature counts written.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry import MultiPolygon, box

    from mineplan.layers import FieldSpec, LayerSpec
    from mineplan.store import EditRecord, replace_layer, update_layer

    fields = (FieldSpec("zone_id", "text", "编号"), FieldSpec("block_count", "integer", "区块数"))
    spec = LayerSpec(code=code, name=code, geometry="MultiPolygon", group="plan", order=0,
                     style=code, fields=fields)
    start.wait()  # type: ignore[attr-defined]
    written = []
    for i in range(1, times + 1):
        frame = gpd.GeoDataFrame(
            {"zone_id": [f"{code}-{i}-{k}" for k in range(i)],
             "block_count": np.full(i, i, dtype="int64")},
            geometry=[MultiPolygon([box(84 + 0.01 * k, 44, 84.005 + 0.01 * k, 44.005)])
                      for k in range(i)],
            crs="EPSG:4490")
        edit = EditRecord(f"worker {code} {i}")
        if grow:
            extra = frame.iloc[:1].assign(zone_id=f"{grow}-{i}")
            update_layer(location, code, lambda now, extra=extra: pd.concat(
                [now[list(extra.columns)], extra], ignore_index=True), spec=spec, edit=edit)
        else:
            replace_layer(location, code, frame, spec=spec, edit=edit)
        written.append(i)
    return written
