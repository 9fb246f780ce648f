"""The GeoPackage implementation of the store: one file, one table per layer.

Writing is atomic: everything goes to a temporary file beside the target, which
replaces the target only when complete, so an interrupted or failed write
leaves the previous GeoPackage intact. Every layer is CGCS2000 (EPSG:4490) with
an R-tree spatial index, and its QGIS style sits in the ``layer_styles`` table,
so QGIS opens it styled; build metadata sits in the ``mineplan_meta`` table.

Callers import these functions from :mod:`mineplan.store`, never from here:
that package is the interface, this module one backend behind it.

May import: :mod:`mineplan.vocab`, :mod:`mineplan.settings`, :mod:`mineplan.atomic`,
:mod:`mineplan.errors`, :mod:`mineplan.layers`, pyogrio, sqlite3.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from mineplan import settings
from mineplan.atomic import atomic_output
from mineplan.errors import StoreError
from mineplan.layers import LayerSpec
from mineplan.store.edits import EDIT_COLUMNS, EDIT_TABLE, EditRecord, edit_row
from mineplan.store.gpkgread import (
    FACTS_TABLE,
    layer_facts,
    layer_profile,
    list_layers,
    read_plain,
    reading,
)
from mineplan.store.gpkgread import existing as _existing
from mineplan.store.gpkgread import has_table as _has_table
from mineplan.store.gpkgread import read_only as _read_only
from mineplan.store.lock import writer_lock
from mineplan.store.overviews import (
    OVERVIEW_LAYERS,
    OVERVIEW_TABLE,
    geometries,
    level_for,
    make_overviews,
    overview_rows,
    summary_row,
)
from mineplan.vocab import STORE_CRS, STORE_EPSG

__all__ = [
    "META_TABLE",
    "layer_facts",
    "layer_profile",
    "list_layers",
    "overview_layers",
    "read_edits",
    "read_layer",
    "read_meta",
    "read_overview",
    "read_styles_table",
    "reading",
    "replace_layer",
    "update_layer",
    "write_store",
]

log = logging.getLogger(__name__)

META_TABLE = "mineplan_meta"
#: The GeoPackage version written (GDAL's VERSION creation option); 1.2 = user_version 10200.
GPKG_VERSION = "1.2"

# The table QGIS creates for styles in a GeoPackage (same columns and types).
_LAYER_STYLES_DDL = """
CREATE TABLE layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
  f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)"""


def write_store(
    path: str | Path,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    specs: Mapping[str, LayerSpec],
    qml: Mapping[str, str],
    meta: Mapping[str, str] | None = None,
    edit: EditRecord | None = None,
) -> Path:
    """Write layers, their styles and build metadata to a GeoPackage, atomically.

    Parameters
    ----------
    path
        Target ``.gpkg``; replaced only when the whole write succeeds.
    layers
        Layer code → frame in EPSG:4490 with the columns of its spec, in order.
    specs
        Layer definitions (identifier and description of each table).
    qml
        Layer code → QGIS style document (written as the layer's default style).
    meta
        Key → value pairs stored in the ``mineplan_meta`` table.
    edit
        Who writes and why, for the edit log (default: ``mineplan build``). The new
        store's log starts with one row per layer written.

    Returns
    -------
    Path
        The written GeoPackage.

    Raises
    ------
    StoreError
        When a layer is not in EPSG:4490, has no spec, or the file cannot be written.
    """
    path = Path(path)
    problems = []
    for code, frame in layers.items():
        if code not in specs:
            problems.append(f"layer {code!r} has no definition in layers/")
        elif frame.crs is None or frame.crs.to_epsg() != STORE_EPSG:
            problems.append(f"layer {code!r} is in {frame.crs}, expected {STORE_CRS}")
    if problems:
        raise StoreError("; ".join(problems), path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    edit = edit or EditRecord("mineplan build")
    with writer_lock(path, what=edit.command), _atomic_target(path) as tmp:
        for i, (code, frame) in enumerate(layers.items()):
            spec = specs[code]
            log.info("writing layer %s (%s): %d features", code, spec.name, len(frame))
            pyogrio.write_dataframe(
                frame, tmp, layer=code, driver="GPKG", promote_to_multi=True,
                layer_options={
                    "IDENTIFIER": spec.name,
                    "DESCRIPTION": spec.description,
                    "SPATIAL_INDEX": "YES",
                },
                # the first layer creates the file: GeoPackage 1.2, which the QGIS
                # bureaus run (3.22 LTR) reads without "v1.4 may only be partially
                # supported"; mineplan uses nothing of 1.3/1.4
                **({"dataset_options": {"VERSION": GPKG_VERSION}} if i == 0 else {}),
                **_empty_geometry_type(frame, spec),
            )
        with contextlib.closing(sqlite3.connect(tmp)) as con, con:
            for code, frame in layers.items():
                _write_overviews(con, code, frame)
            _write_layer_styles(con, {c: qml[c] for c in layers if c in qml}, specs)
            _write_meta(con, dict(meta or {}))
            for code, frame in layers.items():
                _write_facts(con, code, frame)
            _log_edits(con, [edit_row(edit, layer=c, features=len(f)) for c, f in layers.items()])
    return path


def replace_layer(
    path: str | Path, code: str, frame: gpd.GeoDataFrame, *, spec: LayerSpec,
    create: bool = False, qml: str | None = None, edit: EditRecord | None = None,
) -> Path:
    """Replace one layer of an existing store, atomically, one writer at a time.

    Under the store's writer lock (:mod:`mineplan.store.lock`), the store is
    copied beside itself, the layer rewritten in the copy (other layers, styles
    and metadata untouched), the change recorded in the edit log, and the copy
    replaces the store only when all that succeeded: on any error the store is
    unchanged. A second writer waits for the first and then starts from the
    store the first one left, so neither change is lost.

    Parameters
    ----------
    create
        Add the layer when the store does not have it yet (a control layer
        defined in ``layers/`` after the store was built); by default a missing
        layer is an error.
    qml
        QGIS style document to make the layer's default style in
        ``layer_styles`` (replacing its previous style rows); None leaves the
        styles as they are.
    edit
        Who writes and why, for the edit log (default ``replace_layer``).

    Raises
    ------
    StoreError
        When the store is missing, the layer unknown (and ``create`` is False)
        or the frame not EPSG:4490.
    StoreBusyError
        When another writer held the store for longer than the lock timeout.
    """
    path = _existing(path)
    if frame.crs is None or frame.crs.to_epsg() != STORE_EPSG:
        raise StoreError(f"layer {code!r} is in {frame.crs}, expected {STORE_CRS}", path=path)
    edit = edit or EditRecord("replace_layer")
    with writer_lock(path, what=edit.command):
        _remove_stale_temporaries(path)
        present = list_layers(path)
        if code not in present and not create:
            raise StoreError(f"no layer {code!r}; it has {present}", path=path)
        _replace_in_copy(path, code, frame, spec=spec, qml=qml, edit=edit)
    if code not in present:
        log.info("added layer %s (%s): %d features", code, spec.name, len(frame))
    return path


def update_layer(
    path: str | Path, code: str,
    update: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame], *, spec: LayerSpec,
    edit: EditRecord | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer, change it with ``update`` and write it back, as one locked write.

    Use this, not :func:`read_layer` then :func:`replace_layer`, when the new layer
    is computed from the old one (an import into a zone layer): the layer ``update``
    receives is read under the writer lock, so a change another writer made in the
    meantime is the starting point, not overwritten.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer as written.
    """
    path = _existing(path)
    edit = edit or EditRecord("update_layer")
    with writer_lock(path, what=edit.command):
        _remove_stale_temporaries(path)
        present = list_layers(path)
        if code not in present:
            raise StoreError(f"no layer {code!r}; it has {present}", path=path)
        frame = update(pyogrio.read_dataframe(path, layer=code))
        if frame.crs is None or frame.crs.to_epsg() != STORE_EPSG:
            raise StoreError(f"layer {code!r} is in {frame.crs}, expected {STORE_CRS}",
                             path=path)
        _replace_in_copy(path, code, frame, spec=spec, qml=None, edit=edit)
    return frame


def _replace_in_copy(path: Path, code: str, frame: gpd.GeoDataFrame, *, spec: LayerSpec,
                     qml: str | None, edit: EditRecord) -> None:
    with _atomic_target(path) as tmp:
        shutil.copyfile(path, tmp)
        pyogrio.write_dataframe(
            frame, tmp, layer=code, driver="GPKG", promote_to_multi=True,
            layer_options={"IDENTIFIER": spec.name, "DESCRIPTION": spec.description,
                           "SPATIAL_INDEX": "YES"},
            **_empty_geometry_type(frame, spec),
        )
        with contextlib.closing(sqlite3.connect(tmp)) as con, con:
            _write_overviews(con, code, frame)
            if qml is not None:
                _set_layer_style(con, code, qml, spec)
            _write_facts(con, code, frame)
            _log_edits(con, [edit_row(edit, layer=code, features=len(frame))])


def read_layer(path: str | Path, code: str, *,
               bbox: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame:
    """Read one layer of the store as a GeoDataFrame in EPSG:4490 (``bbox``: what meets it).

    The frame is the one ``pyogrio.read_dataframe`` gives — same columns, dtypes, values,
    geometries and row order — read straight from the tables with sqlite3 when every
    column is plain (:func:`mineplan.store.gpkgread.read_plain`), which spares the ~5 ms
    GDAL takes to open the file for each layer; through GDAL otherwise.
    """
    path = _existing(path)
    if code not in list_layers(path):
        raise StoreError(f"no layer {code!r}; it has {list_layers(path)}", path=path)
    plain = read_plain(path, code, bbox)
    if plain is not None:
        return plain.to_frame()
    return pyogrio.read_dataframe(path, layer=code, bbox=bbox)


def overview_layers(path: str | Path) -> list[str]:
    """The layers with current display copies (:mod:`mineplan.store.overviews`)."""
    path = _existing(path)
    with _read_only(path) as con:
        if not _has_table(con, OVERVIEW_LAYERS):
            return []
        rows = con.execute(f"SELECT layer, source_key FROM {OVERVIEW_LAYERS} ORDER BY layer")
        return [str(code) for code, key in rows.fetchall() if key == _source_key(con, code)]


def read_overview(path: str | Path, code: str, *, zoom: float,
                  bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame | None:
    """The display copy of layer ``code`` for a view at ``zoom`` showing ``bbox``.

    Features (all attributes, geometry simplified for that zoom) whose box meets
    ``bbox``, indexed by their position in the layer; None when the layer has no
    current copy fine enough (a small layer, a view closer in than the finest copy,
    or copies older than the layer). See :mod:`mineplan.store.overviews`.
    """
    path = _existing(path)
    with _read_only(path) as con:
        if not _has_table(con, OVERVIEW_LAYERS):
            return None
        row = con.execute(f"SELECT source_key, zooms FROM {OVERVIEW_LAYERS} WHERE layer = ?",
                          (code,)).fetchone()
        if row is None or row[0] != _source_key(con, code) or not row[1]:
            return None
        level = level_for(zoom, tuple(int(z) for z in str(row[1]).split(",")))
        if level is None:
            return None
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        found = con.execute(
            f"SELECT fid, geom FROM {OVERVIEW_TABLE} WHERE layer = ? AND zoom = ?"
            " AND minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ? ORDER BY fid",
            (code, level, maxx, minx, maxy, miny)).fetchall()
    fids = [int(f) for f, _ in found]
    # an IN list in one query reads thousands of rows about twice as fast as fids=
    fields = pyogrio.read_dataframe(path, layer=code, read_geometry=False, fid_as_index=True,
                                    where=f"fid IN ({','.join(map(str, fids))})" if fids
                                    else "0 = 1")
    fields = pd.DataFrame(fields).reindex(pd.Index(fids, dtype="int64"))
    fields.index = fields.index - 1
    return gpd.GeoDataFrame(
        fields, geometry=gpd.GeoSeries(geometries([g for _, g in found]), index=fields.index,
                                       crs=STORE_CRS), crs=STORE_CRS)


def _write_facts(con: sqlite3.Connection, code: str, frame: gpd.GeoDataFrame) -> None:
    """Record :func:`layer_facts` of a layer just written (in its write's transaction)."""
    geoms = np.asarray(frame.geometry.array, dtype=object)
    digest = hashlib.blake2b(digest_size=16)
    for blob in shapely.to_wkb(geoms):
        digest.update(b"\0" if blob is None else len(blob).to_bytes(8, "little") + blob)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = np.flatnonzero(present & ~shapely.is_valid(geoms))
    if not _has_table(con, FACTS_TABLE):
        con.execute(f"CREATE TABLE {FACTS_TABLE} (layer TEXT PRIMARY KEY, features INTEGER, "
                    "content TEXT, invalid TEXT, last_change TEXT)")
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
            f" last_change) VALUES ('{FACTS_TABLE}', 'attributes', '{FACTS_TABLE}', "
            "'mineplan: content hash and invalid geometries of each layer', "
            "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
    changed = con.execute("SELECT last_change FROM gpkg_contents WHERE table_name = ?",
                          (code,)).fetchone()
    con.execute(f"INSERT OR REPLACE INTO {FACTS_TABLE} VALUES (?, ?, ?, ?, ?)",
                (code, len(geoms), digest.hexdigest(), json.dumps(invalid.tolist()),
                 changed[0] if changed else None))


def read_meta(path: str | Path) -> dict[str, str]:
    """The build metadata of a store."""
    path = _existing(path)
    with contextlib.closing(sqlite3.connect(path)) as con:
        try:
            return dict(con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
        except sqlite3.OperationalError:
            return {}


def read_edits(path: str | Path, *, layer: str | None = None) -> pd.DataFrame:
    """The edit log of a store, oldest first (:data:`~mineplan.store.edits.EDIT_COLUMNS`).

    Parameters
    ----------
    layer
        Only this layer's history; None for every layer.
    """
    path = _existing(path)
    with contextlib.closing(sqlite3.connect(path)) as con:
        if not _has_table(con, EDIT_TABLE):
            return pd.DataFrame(columns=list(EDIT_COLUMNS))
        where, args = ("WHERE layer = ?", (layer,)) if layer is not None else ("", ())
        return pd.read_sql_query(
            f"SELECT {', '.join(EDIT_COLUMNS)} FROM {EDIT_TABLE} {where} ORDER BY id", con,
            params=args)


def read_styles_table(path: str | Path) -> pd.DataFrame:
    """The ``layer_styles`` table of a store (what QGIS reads)."""
    path = _existing(path)
    with contextlib.closing(sqlite3.connect(path)) as con:
        return pd.read_sql_query("SELECT * FROM layer_styles ORDER BY id", con)


# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def _atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` (not yet created: GDAL creates it) that replaces it.

    GDAL commits many times while it writes a GeoPackage (tables, indexes, each
    layer), and SQLite by default waits for the disk at every commit. Inside this
    block it does not (``OGR_SQLITE_SYNCHRONOUS=OFF``, restored after); the
    finished file is flushed to disk once, before it replaces the target. The
    target is thus still the old store or the whole new one, even after a crash
    or power cut, for one wait on the disk instead of dozens.
    """
    with atomic_output(path, create=False) as tmp:
        previous = pyogrio.get_gdal_config_option(_SYNCHRONOUS)
        pyogrio.set_gdal_config_options({_SYNCHRONOUS: "OFF"})
        try:
            yield tmp
        finally:
            pyogrio.set_gdal_config_options({_SYNCHRONOUS: previous})
        with open(tmp, "r+b") as written:
            os.fsync(written.fileno())


_SYNCHRONOUS = "OGR_SQLITE_SYNCHRONOUS"


def _update_time() -> str:
    """ISO time as QGIS writes it; honours SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = settings.now_epoch()
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch))
    return f"{whole}.{int(epoch % 1 * 1000):03d}Z"


def _empty_geometry_type(frame: gpd.GeoDataFrame, spec: LayerSpec) -> dict[str, str]:
    """``geometry_type`` for an empty frame (GDAL cannot infer one), else nothing."""
    if len(frame):
        return {}
    kind = spec.geometry if spec.geometry.startswith("Multi") else f"Multi{spec.geometry}"
    return {"geometry_type": kind}


def _set_layer_style(con: sqlite3.Connection, code: str, qml: str, spec: LayerSpec) -> None:
    """Make ``qml`` the only (default) style of layer ``code``; creates the table if needed."""
    exists = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'").fetchone()
    if exists:
        con.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (code,))
        _insert_styles(con, {code: qml}, {code: spec})
    else:
        _write_layer_styles(con, {code: qml}, {code: spec})


def _write_layer_styles(
    con: sqlite3.Connection, qml: Mapping[str, str], specs: Mapping[str, LayerSpec]
) -> None:
    con.execute(_LAYER_STYLES_DDL)
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)"
        " VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles',"
        " strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
    )
    _insert_styles(con, qml, specs)


def _insert_styles(
    con: sqlite3.Connection, qml: Mapping[str, str], specs: Mapping[str, LayerSpec]
) -> None:
    stamp = _update_time()
    con.executemany(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name,"
        " f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description,"
        " owner, ui, update_time) VALUES ('', '', ?, 'geom', ?, ?, '', 1, ?, '', NULL, ?)",
        [
            (code, specs[code].name, text, f"mineplan style for {specs[code].name}", stamp)
            for code, text in qml.items()
        ],
    )


#: Read-only connections held by :func:`reading`, per thread: path → (file version, connection).
def _log_edits(con: sqlite3.Connection, rows: list[tuple[str, str, str, str, int, str]]) -> None:
    """Append rows to the edit table, creating it (as a GeoPackage attributes table) if needed."""
    if not _has_table(con, EDIT_TABLE):
        con.execute(
            f"CREATE TABLE {EDIT_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT,"
            " user TEXT, command TEXT, layer TEXT, features INTEGER, source TEXT)")
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
            f" last_change) VALUES ('{EDIT_TABLE}', 'attributes', '{EDIT_TABLE}',"
            " 'mineplan edit log', strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
    con.executemany(
        f"INSERT INTO {EDIT_TABLE} ({', '.join(EDIT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", rows)


def _source_key(con: sqlite3.Connection, code: str) -> str:
    """The layer table's ``last_change`` (GDAL sets it on every write of the layer)."""
    row = con.execute("SELECT last_change FROM gpkg_contents WHERE table_name = ?",
                      (code,)).fetchone()
    return str(row[0]) if row else ""


def _write_overviews(con: sqlite3.Connection, code: str, frame: gpd.GeoDataFrame) -> None:
    """Replace layer ``code``'s display copies (:mod:`mineplan.store.overviews`)."""
    if _has_table(con, OVERVIEW_LAYERS):
        con.execute(f"DELETE FROM {OVERVIEW_TABLE} WHERE layer = ?", (code,))
        con.execute(f"DELETE FROM {OVERVIEW_LAYERS} WHERE layer = ?", (code,))
    overviews = make_overviews(frame)
    if not overviews:
        return
    if not _has_table(con, OVERVIEW_LAYERS):
        con.execute(f"CREATE TABLE {OVERVIEW_TABLE} (layer TEXT NOT NULL, zoom INTEGER NOT NULL,"
                    " fid INTEGER NOT NULL, minx REAL, miny REAL, maxx REAL, maxy REAL,"
                    " geom BLOB, PRIMARY KEY (layer, zoom, fid))")
        con.execute(f"CREATE INDEX {OVERVIEW_TABLE}_box ON {OVERVIEW_TABLE}"
                    " (layer, zoom, minx, maxx)")
        con.execute(f"CREATE TABLE {OVERVIEW_LAYERS} (layer TEXT PRIMARY KEY,"
                    " source_key TEXT, features INTEGER, vertices INTEGER, zooms TEXT)")
        con.executemany(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
            " last_change) VALUES (?, 'attributes', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
            [(OVERVIEW_TABLE, OVERVIEW_TABLE, "mineplan display copies of large layers"),
             (OVERVIEW_LAYERS, OVERVIEW_LAYERS, "mineplan display copies: layers")])
    con.executemany(f"INSERT INTO {OVERVIEW_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    overview_rows(code, overviews))
    con.execute(f"INSERT INTO {OVERVIEW_LAYERS} VALUES (?, ?, ?, ?, ?)",
                summary_row(code, _source_key(con, code), frame, overviews))


def _remove_stale_temporaries(path: Path) -> None:
    """Delete what a killed writer of this store left (called under the writer lock).

    Temporary stores are named ``.<name>.<random>.tmp.gpkg`` (:func:`atomic_output`);
    while the lock is held no other writer can be writing one, so any present is a
    leftover.
    """
    for leftover in path.parent.glob(f".{path.name}.*.tmp{path.suffix}*"):
        log.info("removing %s, left by an interrupted write", leftover)
        leftover.unlink(missing_ok=True)


def _write_meta(con: sqlite3.Connection, meta: dict[str, str]) -> None:
    con.execute(f"CREATE TABLE {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)")
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)"
        f" VALUES ('{META_TABLE}', 'attributes', '{META_TABLE}', 'mineplan build information',"
        " strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
    )
    con.executemany(f"INSERT INTO {META_TABLE} VALUES (?, ?)", sorted(meta.items()))
