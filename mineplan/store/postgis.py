"""The PostGIS implementation of the store: one schema of a PostgreSQL database.

A store is a schema (``?schema=`` of the URL, :mod:`mineplan.location`)
holding one table per layer — same names, fields and CGCS2000 (SRID 4490)
geometry as the GeoPackage, a ``fid`` primary key and a GiST index on ``geom`` —
the build metadata table ``mineplan_meta`` and the edit log ``mineplan_edits``.
Layer styles go to the database's ``public.layer_styles`` table, created as QGIS
creates it for PostgreSQL layers, so QGIS opens every layer styled.

Every write is one transaction: a layer is written into a new table which then
replaces the old one (drop, rename) in the same transaction, with its styles
and its edit-log row, so a failure changes nothing and a reader sees the old
layer or the new one, never half of either. Writers of one store are
serialised by a transaction-level advisory lock; a second writer waits at most
:func:`mineplan.settings.lock_timeout` seconds, then gets
:class:`~mineplan.errors.StoreBusyError` and has written nothing.

Roles: reading needs ``USAGE`` on the schema and ``SELECT`` on its tables and on
``public.layer_styles`` (a read-only role is enough for browsing and checking).
Writing needs ``CREATE`` on the schema (on the database for a first build that
creates it) and ``INSERT, DELETE`` on ``public.layer_styles``. A writer who is a
member of the schema's owner role writes as that role (``SET LOCAL ROLE``), so the
tables belong to the editors' group and any editor can replace what another wrote;
the edit log keeps the login role. Layer tables are recreated on every write, so
grant readers through default privileges: ``ALTER DEFAULT PRIVILEGES FOR ROLE
<owner> IN SCHEMA <schema> GRANT SELECT ON TABLES TO <reader>``.

Callers import these functions from :mod:`mineplan.store`, never from here.

May import: :mod:`mineplan.vocab`, :mod:`mineplan.settings`, :mod:`mineplan.errors`,
:mod:`mineplan.layers`, :mod:`mineplan.location`, :mod:`mineplan.store.edits`,
:mod:`mineplan.store.pgsession` (connections, transactions, the lock),
psycopg, SQLAlchemy, GeoPandas, shapely.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
import sqlalchemy as sa
from psycopg import sql

from mineplan import settings
from mineplan.errors import StoreError
from mineplan.layers import LayerSpec
from mineplan.location import PgLocation, parse_postgres
from mineplan.store.edits import EDIT_COLUMNS, EDIT_TABLE, EditRecord, edit_row
from mineplan.store.overviews import (
    OVERVIEW_LAYERS,
    OVERVIEW_TABLE,
    geometries,
    level_for,
    make_overviews,
    overview_rows,
    summary_row,
)
from mineplan.store.pgsession import as_login, connection, reading, writing
from mineplan.vocab import STORE_CRS, STORE_EPSG

__all__ = [
    "GEOMETRY_COLUMN",
    "META_TABLE",
    "STYLES_TABLE",
    "can_write",
    "layer_profile",
    "list_layers",
    "overview_layers",
    "read_edits",
    "read_layer",
    "read_meta",
    "read_overview",
    "read_styles_table",
    "replace_layer",
    "store_version",
    "update_layer",
    "write_store",
]

log = logging.getLogger(__name__)

META_TABLE = "mineplan_meta"
GEOMETRY_COLUMN = "geom"
#: Where QGIS keeps the styles of PostgreSQL layers (schema, table).
STYLES_TABLE = ("public", "layer_styles")

# The table QGIS creates for styles of PostgreSQL layers (QgsPostgresUtils::createStylesTable):
# same columns and types. Unquoted, so PostgreSQL folds styleName to stylename, as for QGIS.
_LAYER_STYLES_DDL = """
CREATE TABLE IF NOT EXISTS public.layer_styles(id SERIAL PRIMARY KEY,f_table_catalog varchar,
f_table_schema varchar,f_table_name varchar,f_geometry_column varchar,styleName text,
styleQML xml,styleSLD xml,useAsDefault boolean,description text,
owner varchar(63) DEFAULT CURRENT_USER,ui xml,update_time timestamp DEFAULT CURRENT_TIMESTAMP,
type varchar,r_raster_column varchar)"""

# The GeoPackage's column names, which read_styles_table gives on both backends.
_STYLE_COLUMNS = (
    "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
    "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui",
    "update_time", "type",
)

# QGIS's geometry type names (QgsWkbTypes::geometryDisplayString), the `type` column.
_QGIS_GEOMETRY = {"Point": "Point", "MultiPoint": "Point", "LineString": "Line",
                  "MultiLineString": "Line", "Polygon": "Polygon", "MultiPolygon": "Polygon"}
_MULTI = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}


# --------------------------------------------------------------------------- writing


def write_store(
    location: str | Path,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    specs: Mapping[str, LayerSpec],
    qml: Mapping[str, str],
    meta: Mapping[str, str] | None = None,
    edit: EditRecord | None = None,
) -> str:
    """Write layers, their styles and build metadata to a PostGIS schema, in one transaction.

    The schema is created when missing; the layers it held are replaced by
    ``layers`` (a layer it had and ``layers`` lacks is dropped, as a rebuilt
    GeoPackage lacks it), the metadata table rewritten, and one edit-log row
    added per layer. The edit log itself is kept: the database is shared.

    Returns
    -------
    str
        The store URL.

    Raises
    ------
    StoreError
        When a layer is not in EPSG:4490 or has no spec, or the database refuses.
    StoreBusyError
        When another writer held the store for longer than the lock timeout.
    """
    loc = parse_postgres(location)
    problems = []
    for code, frame in layers.items():
        if code not in specs:
            problems.append(f"layer {code!r} has no definition in layers/")
        elif frame.crs is None or frame.crs.to_epsg() != STORE_EPSG:
            problems.append(f"layer {code!r} is in {frame.crs}, expected {STORE_CRS}")
    if problems:
        raise StoreError(f"{loc.url}: " + "; ".join(problems))
    edit = edit or EditRecord("mineplan build")
    with writing(loc, edit.command, create_schema=True) as (con, raw):
        for old in _layer_tables(raw, loc.schema):
            raw.execute(sql.SQL("DROP TABLE {}").format(_table(loc, old)))
        for table in (OVERVIEW_TABLE, OVERVIEW_LAYERS):
            raw.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_table(loc, table)))
        for code, frame in layers.items():
            log.info("writing layer %s (%s): %d features", code, specs[code].name, len(frame))
            _write_table(con, raw, loc, code, frame, specs[code])
            _write_overviews(raw, loc, code, frame)
        with as_login(raw):
            _ensure_styles_table(raw)
            _delete_styles(raw, loc, None)
            _insert_styles(raw, loc, {c: qml[c] for c in layers if c in qml}, specs, layers)
        _write_meta(raw, loc, dict(meta or {}))
        _log_edits(raw, loc, [edit_row(edit, layer=c, features=len(f)) for c, f in layers.items()])
    return loc.url


def replace_layer(
    location: str | Path, code: str, frame: gpd.GeoDataFrame, *, spec: LayerSpec,
    create: bool = False, qml: str | None = None, edit: EditRecord | None = None,
) -> str:
    """Replace one layer of a PostGIS store in one transaction, one writer at a time.

    The new features go into a new table that takes the old one's place (drop,
    rename) in the same transaction as the style and the edit-log row: on any
    error nothing changed, and readers see the old layer until the commit.

    Parameters
    ----------
    create
        Add the layer when the store does not have it yet; by default a missing
        layer is an error.
    qml
        QGIS style document to make the layer's only (default) style in
        ``public.layer_styles``; None leaves the styles as they are.
    edit
        Who writes and why, for the edit log (default ``replace_layer``).

    Raises
    ------
    StoreError
        When the store is missing, the layer unknown (and ``create`` False) or the
        frame not EPSG:4490.
    StoreBusyError
        When another writer (or a long reader of this layer) held it for longer
        than the lock timeout.
    """
    loc = parse_postgres(location)
    if frame.crs is None or frame.crs.to_epsg() != STORE_EPSG:
        raise StoreError(f"{loc.url}: layer {code!r} is in {frame.crs}, expected {STORE_CRS}")
    edit = edit or EditRecord("replace_layer")
    with writing(loc, edit.command) as (con, raw):
        present = _layer_tables(raw, loc.schema)
        if code not in present and not create:
            raise StoreError(f"{loc.url}: no layer {code!r}; it has {present}")
        _swap_in(con, raw, loc, code, frame, spec, present)
        if qml is not None:
            with as_login(raw):
                _ensure_styles_table(raw)
                _delete_styles(raw, loc, [code])
                _insert_styles(raw, loc, {code: qml}, {code: spec}, {code: frame})
        _log_edits(raw, loc, [edit_row(edit, layer=code, features=len(frame))])
    if code not in present:
        log.info("added layer %s (%s): %d features", code, spec.name, len(frame))
    return loc.url


def update_layer(
    location: str | Path, code: str,
    update: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame], *, spec: LayerSpec,
    edit: EditRecord | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer, change it with ``update`` and write it back, in one locked transaction.

    The layer ``update`` receives is read after the writer lock is taken, so a
    change another writer committed in the meantime is the starting point, not
    overwritten. Returns the layer as written.

    Raises
    ------
    StoreError
        When the store or the layer is missing, or ``update`` returns a frame not in
        EPSG:4490 (nothing is written).
    StoreBusyError
        When another writer held the store for longer than the lock timeout.
    """
    loc = parse_postgres(location)
    edit = edit or EditRecord("update_layer")
    with writing(loc, edit.command) as (con, raw):
        present = _layer_tables(raw, loc.schema)
        if code not in present:
            raise StoreError(f"{loc.url}: no layer {code!r}; it has {present}")
        frame = update(_read_table(con, raw, loc, code, None))
        if frame.crs is None or frame.crs.to_epsg() != STORE_EPSG:
            raise StoreError(f"{loc.url}: layer {code!r} is in {frame.crs}, expected {STORE_CRS}")
        _swap_in(con, raw, loc, code, frame, spec, present)
        _log_edits(raw, loc, [edit_row(edit, layer=code, features=len(frame))])
    return frame


# --------------------------------------------------------------------------- reading


def list_layers(location: str | Path) -> list[str]:
    """Names of the feature layers of the store (tables with a geometry column)."""
    loc = parse_postgres(location)
    with reading(loc) as (_, raw):
        return _layer_tables(raw, loc.schema)


def read_layer(
    location: str | Path, code: str, *,
    bbox: tuple[float, float, float, float] | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer as a GeoDataFrame in EPSG:4490, in the order it was written.

    Parameters
    ----------
    bbox
        (min lon, min lat, max lon, max lat) in degrees: only the features whose
        bounding box meets it, found through the GiST index (``&&``).
    """
    loc = parse_postgres(location)
    with reading(loc) as (con, raw):
        present = _layer_tables(raw, loc.schema)
        if code not in present:
            raise StoreError(f"{loc.url}: no layer {code!r}; it has {present}")
        return _read_table(con, raw, loc, code, bbox)


def overview_layers(location: str | Path) -> list[str]:
    """The layers with current display copies (:mod:`mineplan.store.overviews`)."""
    loc = parse_postgres(location)
    with reading(loc) as (_, raw):
        if not _has_table(raw, loc.schema, OVERVIEW_LAYERS):
            return []
        rows = raw.execute(sql.SQL("SELECT layer, source_key FROM {} ORDER BY layer").format(
            _table(loc, OVERVIEW_LAYERS))).fetchall()
        return [str(code) for code, key in rows if key == _source_key(raw, loc, code)]


def read_overview(location: str | Path, code: str, *, zoom: float,
                  bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame | None:
    """The display copy of layer ``code`` for a view at ``zoom`` showing ``bbox``.

    As :func:`mineplan.store.gpkg.read_overview`, in one read-only transaction (the
    copies and the attributes from the same snapshot).
    """
    loc = parse_postgres(location)
    with reading(loc) as (con, raw):
        if not _has_table(raw, loc.schema, OVERVIEW_LAYERS):
            return None
        row = raw.execute(sql.SQL("SELECT source_key, zooms FROM {} WHERE layer = %s").format(
            _table(loc, OVERVIEW_LAYERS)), (code,)).fetchone()
        if row is None or not row[1] or row[0] != _source_key(raw, loc, code):
            return None
        level = level_for(zoom, tuple(int(z) for z in str(row[1]).split(",")))
        if level is None:
            return None
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        found = raw.execute(sql.SQL(
            "SELECT fid, geom FROM {} WHERE layer = %s AND zoom = %s AND minx <= %s"
            " AND maxx >= %s AND miny <= %s AND maxy >= %s ORDER BY fid").format(
            _table(loc, OVERVIEW_TABLE)), (code, level, maxx, minx, maxy, miny)).fetchall()
        fids = [int(f) for f, _ in found]
        raw.execute(sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(_table(loc, code)))
        fields = [c for c in _columns(raw, loc.schema, code) if c != GEOMETRY_COLUMN]
        query = sql.SQL("SELECT {} FROM {} WHERE fid = ANY(%(fids)s) ORDER BY fid").format(
            sql.SQL(", ").join(map(sql.Identifier, fields)), _table(loc, code))
        table = pd.read_sql(sa.text(query.as_string(raw).replace("%(fids)s", ":fids")), con,
                            params={"fids": fids})
    table = table.set_index("fid").reindex(pd.Index(fids, dtype="int64"))
    table.index = table.index - 1
    return gpd.GeoDataFrame(
        table, geometry=gpd.GeoSeries(geometries([g for _, g in found]), index=table.index,
                                      crs=STORE_CRS), crs=STORE_CRS)


def layer_profile(location: str | Path, code: str,
                  columns: tuple[str, ...] = ()) -> tuple[int, dict[str, set[str]]]:
    """(feature count, distinct values of each of ``columns`` present) of one layer."""
    loc = parse_postgres(location)
    with reading(loc) as (_, raw):
        present = _layer_tables(raw, loc.schema)
        if code not in present:
            raise StoreError(f"{loc.url}: no layer {code!r}; it has {present}")
        table = _table(loc, code)
        row = raw.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()
        count = int(row[0]) if row else 0
        have = set(_columns(raw, loc.schema, code))
        values = {
            column: {str(v) for (v,) in raw.execute(
                sql.SQL("SELECT DISTINCT {} FROM {}").format(sql.Identifier(column), table))
                if v is not None}
            for column in columns if column in have
        }
    return count, values


def read_meta(location: str | Path) -> dict[str, str]:
    """The build metadata of a store."""
    loc = parse_postgres(location)
    with reading(loc) as (_, raw):
        if not _has_table(raw, loc.schema, META_TABLE):
            return {}
        rows = raw.execute(sql.SQL("SELECT key, value FROM {}").format(_table(loc, META_TABLE)))
        return {str(k): str(v) for k, v in rows.fetchall()}


def read_styles_table(location: str | Path) -> pd.DataFrame:
    """The store's rows of ``public.layer_styles`` (what QGIS reads), GeoPackage column names."""
    loc = parse_postgres(location)
    with reading(loc) as (_, raw):
        if not _has_table(raw, *STYLES_TABLE):
            return pd.DataFrame(columns=list(_STYLE_COLUMNS))
        rows = raw.execute(
            "SELECT id, f_table_catalog, f_table_schema, f_table_name, f_geometry_column,"
            " stylename, styleqml::text, stylesld::text, useasdefault, description, owner,"
            " ui::text, to_char(update_time, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), type"
            " FROM public.layer_styles WHERE f_table_catalog = current_database()"
            " AND f_table_schema = %s ORDER BY id", (loc.schema,)).fetchall()
    return pd.DataFrame(rows, columns=list(_STYLE_COLUMNS))


def read_edits(location: str | Path, *, layer: str | None = None) -> pd.DataFrame:
    """The edit log of a store, oldest first (:data:`~mineplan.store.edits.EDIT_COLUMNS`).

    ``time`` is ISO 8601 UTC (``2026-11-29T09:30:00Z``), as on the GeoPackage.
    """
    loc = parse_postgres(location)
    with reading(loc) as (_, raw):
        if not _has_table(raw, loc.schema, EDIT_TABLE):
            return pd.DataFrame(columns=list(EDIT_COLUMNS))
        utc = """to_char("time" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
        columns: list[sql.Composable] = [sql.SQL(utc)]
        columns += [sql.Identifier(c) for c in EDIT_COLUMNS[1:]]
        where: sql.Composable = sql.SQL("")
        args: tuple[str, ...] = ()
        if layer is not None:
            where, args = sql.SQL(" WHERE layer = %s"), (layer,)
        rows = raw.execute(sql.SQL("SELECT {} FROM {}{} ORDER BY id").format(
            sql.SQL(", ").join(columns), _table(loc, EDIT_TABLE), where), args).fetchall()
    frame = pd.DataFrame(rows, columns=list(EDIT_COLUMNS))
    frame["features"] = frame["features"].astype("int64")
    return frame


def store_version(location: str | Path) -> int:
    """A number that changes with every write: the last edit-log id and the layer tables.

    Every write through mineplan adds an edit-log row and recreates the tables it
    writes (new OIDs). Edits made with another tool (QGIS) are not seen.
    """
    loc = parse_postgres(location)
    with reading(loc) as (_, raw):
        row = raw.execute(
            "SELECT coalesce(sum(c.oid::int8), 0) FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            (loc.schema,)).fetchone()
        tables = int(row[0]) if row else 0
        last = 0
        if _has_table(raw, loc.schema, EDIT_TABLE):
            found = raw.execute(sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(
                _table(loc, EDIT_TABLE))).fetchone()
            last = int(found[0]) if found else 0
    return last * 1_000_000_007 + tables


def can_write(location: str | Path) -> bool:
    """Whether the connecting role may write the store (schema CREATE, styles INSERT)."""
    loc = parse_postgres(location)
    with connection(loc) as (_, raw):
        row = raw.execute(
            "SELECT CASE WHEN to_regnamespace(%s) IS NULL"
            " THEN has_database_privilege(current_database(), 'CREATE')"
            " ELSE has_schema_privilege(%s, 'CREATE') END"
            " AND CASE WHEN to_regclass('public.layer_styles') IS NULL"
            " THEN has_schema_privilege('public', 'CREATE')"
            " ELSE has_table_privilege('public.layer_styles', 'INSERT, DELETE') END"
            " AND NOT pg_is_in_recovery()",
            (_quoted(loc.schema), loc.schema)).fetchone()
    return bool(row and row[0])


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------- tables


def _table(loc: PgLocation, name: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(loc.schema), sql.Identifier(name))


def _has_table(raw: psycopg.Connection[Any], schema: str, name: str) -> bool:
    return raw.execute(
        "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname = %s AND c.relkind = 'r'", (schema, name),
    ).fetchone() is not None


def _layer_tables(raw: psycopg.Connection[Any], schema: str) -> list[str]:
    """The store's layers: its tables with a geometry column ``geom``, by name.

    Read from pg_catalog, not the ``geometry_columns`` view: the view filters on
    ``has_table_privilege(oid)``, which sees a table dropped by a commit after the
    query's snapshot as missing, so a layer being replaced would vanish from it.
    """
    rows = raw.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = %s AND NOT a.attisdropped"
        " JOIN pg_type t ON t.oid = a.atttypid AND t.typname = 'geometry'"
        " WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname NOT LIKE %s"
        " ORDER BY c.relname", (GEOMETRY_COLUMN, schema, "%\\_\\_new")).fetchall()
    return [str(name) for (name,) in rows]


def _columns(raw: psycopg.Connection[Any], schema: str, table: str) -> list[str]:
    """The columns of a table, in order (pg_catalog, for the reason of :func:`_layer_tables`)."""
    rows = raw.execute(
        "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s"
        " AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        (schema, table)).fetchall()
    return [str(name) for (name,) in rows]


def _column_type(series: pd.Series) -> str:
    kind = series.dtype.kind
    if kind == "b":
        return "boolean"
    if kind in "iu":
        return "integer" if series.dtype.itemsize <= 2 else "bigint"
    if kind == "f":
        return "double precision"
    if kind == "M":
        return "timestamptz"
    return "text"


def _multi(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The geometries with single parts promoted to multi (as the GeoPackage writer does)."""
    geoms = frame.geometry.array
    kinds = shapely.get_type_id(geoms)
    out = geoms.copy()
    for single, multi in ((0, shapely.multipoints), (1, shapely.multilinestrings),
                          (3, shapely.multipolygons)):
        mask = kinds == single
        if mask.any():
            out[mask] = [multi([g]) for g in geoms[mask]]
    return gpd.GeoSeries(out, index=frame.index, crs=frame.crs)


def _geometry_type(geoms: gpd.GeoSeries, spec: LayerSpec) -> str:
    """The table's geometry type: the one of every feature, else the spec's, made multi."""
    kinds = set(geoms.dropna().geom_type)
    if len(kinds) == 1:
        return kinds.pop()
    if not kinds:
        return _MULTI.get(spec.geometry, spec.geometry)
    return "Geometry"


def _write_table(
    con: sa.Connection, raw: psycopg.Connection[Any], loc: PgLocation, name: str,
    frame: gpd.GeoDataFrame, spec: LayerSpec,
) -> None:
    """Create table ``name`` for ``frame`` (fid, fields, geom), fill it, index it, describe it."""
    geoms = _multi(frame)
    fields = [c for c in frame.columns if c != frame.geometry.name]
    kind = _geometry_type(geoms, spec)
    columns: list[sql.Composable] = [
        sql.SQL("fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")]
    columns += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_column_type(frame[c])))
                for c in fields]
    columns.append(sql.SQL("{} geometry({}, {})").format(
        sql.Identifier(GEOMETRY_COLUMN), sql.SQL(kind), STORE_EPSG))
    raw.execute(sql.SQL("CREATE TABLE {} ({})").format(
        _table(loc, name), sql.SQL(", ").join(columns)))
    if len(frame):
        _copy_rows(raw, _table(loc, name), [*fields, GEOMETRY_COLUMN], _rows(frame[fields], geoms))
    raw.execute(sql.SQL("CREATE INDEX {} ON {} USING gist ({})").format(
        sql.Identifier(f"{name}_{GEOMETRY_COLUMN}_idx"), _table(loc, name),
        sql.Identifier(GEOMETRY_COLUMN)))
    raw.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(
        _table(loc, name), sql.Literal(f"{spec.name}：{spec.description}" if spec.description
                                       else spec.name)))
    for field, alias in spec.aliases().items():
        if field in fields:
            raw.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                _table(loc, name), sql.Identifier(field), sql.Literal(alias)))
    raw.execute(sql.SQL("ANALYZE {}").format(_table(loc, name)))


def _rows(fields: pd.DataFrame, geoms: gpd.GeoSeries) -> Iterator[list[object]]:
    """The features as rows of Python values: missing → None, geometry → hex EWKB (shapely)."""
    values = fields.astype(object).where(fields.notna(), None)
    # binary EWKB from GEOS, hex-encoded by Python (GEOS's own hex writer is ~10x slower)
    ewkb = shapely.to_wkb(shapely.set_srid(geoms.array, STORE_EPSG), include_srid=True)
    for row, geom in zip(values.itertuples(index=False, name=None), ewkb, strict=True):
        yield [*row, None if geom is None else geom.hex()]


def _copy_rows(raw: psycopg.Connection[Any], table: sql.Composed, columns: list[str],
               rows: Iterable[list[object]]) -> None:
    """Load rows through PostgreSQL's COPY (psycopg), one round trip instead of an INSERT each."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        table, sql.SQL(", ").join(map(sql.Identifier, columns)))
    with raw.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _read_table(
    con: sa.Connection, raw: psycopg.Connection[Any], loc: PgLocation, code: str,
    bbox: tuple[float, float, float, float] | None,
) -> gpd.GeoDataFrame:
    """A layer table as a GeoDataFrame (without fid, geometry column ``geometry``).

    The table is locked (ACCESS SHARE, as the SELECT would) before its columns are
    read, so a writer cannot swap in a table with other columns in between.
    """
    raw.execute(sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(_table(loc, code)))
    fields = [c for c in _columns(raw, loc.schema, code) if c not in ("fid", GEOMETRY_COLUMN)]
    geom = sql.Identifier(GEOMETRY_COLUMN)
    where: sql.Composable = sql.SQL("")
    if bbox is not None:
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        where = sql.SQL(" WHERE {} && ST_MakeEnvelope({}, {}, {}, {}, {})").format(
            geom, minx, miny, maxx, maxy, STORE_EPSG)
    query = sql.SQL("SELECT {}ST_AsBinary({}) AS {} FROM {}{} ORDER BY fid").format(
        sql.SQL("").join(sql.SQL("{}, ").format(sql.Identifier(c)) for c in fields),
        geom, geom, _table(loc, code), where)
    # pandas reads the fields as read_postgis would; the geometry arrives as binary WKB
    # and is decoded in one vectorised call (read_postgis decodes hex text row by row).
    frame = pd.read_sql(sa.text(query.as_string(raw).replace(":", r"\:")), con)
    wkb = frame.pop(GEOMETRY_COLUMN).to_numpy(dtype=object)
    geometry = shapely.from_wkb(np.array([None if b is None else bytes(b) for b in wkb],
                                         dtype=object))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=STORE_CRS),
                            crs=STORE_CRS)


def _swap_in(
    con: sa.Connection, raw: psycopg.Connection[Any], loc: PgLocation, code: str,
    frame: gpd.GeoDataFrame, spec: LayerSpec, present: list[str],
) -> None:
    """Write ``frame`` to a new table and put it in the place of layer ``code``."""
    staging = f"{code}__new"
    raw.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_table(loc, staging)))
    _write_table(con, raw, loc, staging, frame, spec)
    if code in present:
        raw.execute(sql.SQL("DROP TABLE {}").format(_table(loc, code)))
    _rename_table(raw, loc, staging, code)
    _write_overviews(raw, loc, code, frame)


def _source_key(raw: psycopg.Connection[Any], loc: PgLocation, code: str) -> str:
    """The layer table's OID (a new table, so a new OID, on every write)."""
    row = raw.execute("SELECT to_regclass(%s)::oid", (_table(loc, code).as_string(raw),)
                      ).fetchone()
    return str(row[0]) if row and row[0] is not None else ""


def _write_overviews(raw: psycopg.Connection[Any], loc: PgLocation, code: str,
                     frame: gpd.GeoDataFrame) -> None:
    """Replace layer ``code``'s display copies (:mod:`mineplan.store.overviews`)."""
    table, layers = _table(loc, OVERVIEW_TABLE), _table(loc, OVERVIEW_LAYERS)
    if _has_table(raw, loc.schema, OVERVIEW_LAYERS):
        raw.execute(sql.SQL("DELETE FROM {} WHERE layer = %s").format(table), (code,))
        raw.execute(sql.SQL("DELETE FROM {} WHERE layer = %s").format(layers), (code,))
    overviews = make_overviews(frame)
    if not overviews:
        return
    if not _has_table(raw, loc.schema, OVERVIEW_LAYERS):
        raw.execute(sql.SQL(
            "CREATE TABLE {} (layer text NOT NULL, zoom integer NOT NULL, fid bigint NOT NULL,"
            " minx double precision, miny double precision, maxx double precision,"
            " maxy double precision, geom bytea, PRIMARY KEY (layer, zoom, fid))").format(table))
        raw.execute(sql.SQL("CREATE INDEX {} ON {} (layer, zoom, minx, maxx)").format(
            sql.Identifier(f"{OVERVIEW_TABLE}_box"), table))
        raw.execute(sql.SQL(
            "CREATE TABLE {} (layer text PRIMARY KEY, source_key text, features bigint,"
            " vertices bigint, zooms text)").format(layers))
        raw.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(
            table, sql.Literal("mineplan display copies of large layers")))
    _copy_rows(raw, table, ["layer", "zoom", "fid", "minx", "miny", "maxx", "maxy", "geom"],
               (list(row) for row in overview_rows(code, overviews)))
    raw.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s)").format(layers),
                summary_row(code, _source_key(raw, loc, code), frame, overviews))
    raw.execute(sql.SQL("ANALYZE {}").format(table))


def _rename_table(raw: psycopg.Connection[Any], loc: PgLocation, old: str, new: str) -> None:
    """Rename a layer table and the objects named after it (key, index, fid sequence)."""
    raw.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(
        _table(loc, old), sql.Identifier(new)))
    raw.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
        _table(loc, f"{old}_pkey"), sql.Identifier(f"{new}_pkey")))
    index = f"_{GEOMETRY_COLUMN}_idx"
    raw.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
        _table(loc, old + index), sql.Identifier(new + index)))
    row = raw.execute("SELECT pg_get_serial_sequence(%s, 'fid')",
                      (_table(loc, new).as_string(raw),)).fetchone()
    if row and row[0]:
        raw.execute(sql.SQL("ALTER SEQUENCE {} RENAME TO {}").format(
            sql.SQL(row[0]), sql.Identifier(f"{new}_fid_seq")))


# --------------------------------------------------------------------------- styles, meta, log


def _ensure_styles_table(raw: psycopg.Connection[Any]) -> None:
    if not _has_table(raw, *STYLES_TABLE):
        raw.execute(_LAYER_STYLES_DDL)


def _delete_styles(raw: psycopg.Connection[Any], loc: PgLocation, codes: list[str] | None) -> None:
    """Remove the style rows of ``codes`` (every layer of the store when None)."""
    query = ("DELETE FROM public.layer_styles WHERE f_table_catalog = current_database()"
             " AND f_table_schema = %s")
    if codes is None:
        raw.execute(query, (loc.schema,))
    else:
        raw.execute(query + " AND f_table_name = ANY(%s)", (loc.schema, codes))


def _insert_styles(
    raw: psycopg.Connection[Any], loc: PgLocation, qml: Mapping[str, str],
    specs: Mapping[str, LayerSpec], frames: Mapping[str, gpd.GeoDataFrame],
) -> None:
    """One default style row per layer, as QGIS's "save as default in the database" writes."""
    stamp = dt.datetime.fromtimestamp(settings.now_epoch(), dt.UTC).replace(tzinfo=None)
    with raw.cursor() as cur:
        cur.executemany(
            "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name,"
            " f_geometry_column, stylename, styleqml, stylesld, useasdefault, description,"
            " update_time, type) VALUES (current_database(), %s, %s, %s, %s,"
            " XMLPARSE(DOCUMENT %s), NULL, true, %s, %s, %s)",
            [(loc.schema, code, GEOMETRY_COLUMN, specs[code].name, text,
              f"mineplan style for {specs[code].name}", stamp,
              _QGIS_GEOMETRY.get(_geometry_type(_multi(frames[code]), specs[code])))
             for code, text in qml.items()],
        )


def _write_meta(raw: psycopg.Connection[Any], loc: PgLocation, meta: dict[str, str]) -> None:
    table = _table(loc, META_TABLE)
    raw.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
    raw.execute(sql.SQL("CREATE TABLE {} (key text PRIMARY KEY, value text)").format(table))
    raw.execute(sql.SQL("COMMENT ON TABLE {} IS 'mineplan build information'").format(table))
    with raw.cursor() as cur:
        cur.executemany(sql.SQL("INSERT INTO {} VALUES (%s, %s)").format(table),
                        sorted(meta.items()))


def _log_edits(raw: psycopg.Connection[Any], loc: PgLocation,
               rows: list[tuple[str, str, str, str, int, str]]) -> None:
    """Append rows to the edit log, creating it when missing; ``role``: the login role."""
    table = _table(loc, EDIT_TABLE)
    raw.execute(sql.SQL(
        "CREATE TABLE IF NOT EXISTS {} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        ' "time" timestamptz NOT NULL, "user" text, command text, layer text, features bigint,'
        " source text, role text NOT NULL DEFAULT session_user)").format(table))
    with raw.cursor() as cur:
        cur.executemany(sql.SQL("INSERT INTO {} ({}) VALUES (%s, %s, %s, %s, %s, %s)").format(
            table, sql.SQL(", ").join(map(sql.Identifier, EDIT_COLUMNS))), rows)
