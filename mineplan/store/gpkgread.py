"""Reading a GeoPackage store with sqlite3 alone: no GDAL, no pandas.

What a command that only reads needs, fast: the layer list, plain layers as
:class:`~mineplan.features.Features` (read exactly as GDAL reads them; the backend
turns them into the GeoDataFrames ``pyogrio.read_dataframe`` gives), a layer's size
and data statuses, the facts recorded when it was written, and one connection held for
a command's reads (:func:`reading`). ``mineplan check --proposal`` reads the store
through this module only; :mod:`mineplan.store.gpkg` (GDAL, geopandas) builds on it.

May import: :mod:`mineplan.errors`, :mod:`mineplan.features`, sqlite3.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import shapely

from mineplan.errors import StoreError
from mineplan.features import Features

__all__ = [
    "FACTS_TABLE",
    "PLAIN_TYPES",
    "existing",
    "has_table",
    "layer_facts",
    "layer_profile",
    "list_layers",
    "read_features",
    "read_only",
    "read_plain",
    "reading",
]

#: What is known of each layer's geometry as written (see :func:`layer_facts`).
FACTS_TABLE = "mineplan_layer_facts"


def read_features(path: str | Path, code: str, *,
                  bbox: tuple[float, float, float, float] | None = None) -> Features | None:
    """Layer ``code`` as :class:`~mineplan.features.Features` in the store's CRS, or None
    when it is not plain (:func:`read_plain`) and must be read through GDAL.

    Raises
    ------
    StoreError
        When the store or the layer does not exist.
    """
    path = existing(path)
    if code not in list_layers(path):
        raise StoreError(f"no layer {code!r}; it has {list_layers(path)}", path=path)
    return read_plain(path, code, bbox)


def existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise StoreError(
            "GeoPackage not found; build it with `mineplan build` (or pass -o/--store)", path=path
        )
    return path


_HELD = threading.local()


def _version(path: Path) -> tuple[str, int, int, int]:
    stat = path.stat()
    return str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns


@contextlib.contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Within the block, this thread's reads of the GeoPackage share one connection.

    Opening the file costs ~1.5 ms of CPU (SQLite reads the schema: a GeoPackage has
    dozens of tables and triggers); a pre-grant check reads it some twenty times. A
    read after the file was replaced (every write replaces it) opens the new file as
    before. A missing file is left to the reads to report. Write nothing to the store
    inside the block: Windows cannot replace a file that is open.
    """
    path = Path(path)
    held: dict[str, tuple[tuple[str, int, int, int], sqlite3.Connection]] = \
        _HELD.__dict__.setdefault("connections", {})
    if not path.is_file() or str(path.resolve()) in held:
        yield
        return
    version = _version(path)
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    held[version[0]] = (version, con)
    try:
        yield
    finally:
        del held[version[0]]
        con.close()


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection: the one :func:`reading` holds for this file, else a new one."""
    version = _version(path)
    held = _HELD.__dict__.get("connections", {}).get(version[0])
    if held is not None and held[0] == version:
        yield held[1]
        return
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro",
                                            uri=True)) as con:
        yield con


def has_table(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                       (name,)).fetchone() is not None


def list_layers(path: str | Path) -> list[str]:
    """Names of the feature layers in a GeoPackage (styles and meta tables excluded).

    The layers GDAL lists, in its order (``gpkg_contents`` rows of data type
    ``features`` with a geometry column and a table), read with sqlite3; listed once
    per version of the file (a check asks before every layer it reads): every write
    replaces the file, so a changed (inode, size, mtime) lists it afresh.

    Raises
    ------
    StoreError
        When there is no such file, or it is not a GeoPackage.
    """
    path = existing(path)
    stat = path.stat()
    return list(_listed_layers(str(path.resolve()), stat.st_ino, stat.st_size,
                               stat.st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _listed_layers(path: str, inode: int, size: int, mtime_ns: int) -> tuple[str, ...]:
    del inode, size, mtime_ns  # the cache key: this version of the file
    try:
        with read_only(Path(path)) as con:
            if not has_table(con, "gpkg_contents"):
                raise StoreError("not a GeoPackage (it has no gpkg_contents table); build a "
                                 "store with `mineplan build` or pass another --store",
                                 path=path)
            rows = con.execute(
                "SELECT c.table_name FROM gpkg_contents c"
                " JOIN gpkg_geometry_columns g ON g.table_name = c.table_name"
                " JOIN sqlite_master m ON m.name = c.table_name AND m.type IN ('table', 'view')"
                " WHERE c.data_type = 'features' ORDER BY c.rowid").fetchall()
    except sqlite3.DatabaseError as err:
        raise StoreError(f"not a GeoPackage (SQLite cannot read it: {err}); build a store "
                         "with `mineplan build` or pass another --store", path=path) from None
    return tuple(str(name) for (name,) in rows)


#: Declared column types read without GDAL → the numpy dtype GDAL's reader gives them
#: (an integer column holding NULL comes as float64 with NaN, as from GDAL). Any other
#: type (BOOLEAN, DATE, DATETIME, FLOAT, SMALLINT, BLOB …) is read through GDAL.
PLAIN_TYPES = {"INTEGER": "int64", "INT": "int64", "REAL": "float64", "DOUBLE": "float64",
                "TEXT": "object"}


def read_plain(path: Path, code: str,
               bbox: tuple[float, float, float, float] | None) -> Features | None:
    """Layer ``code`` read with sqlite3 as GDAL reads it, or None when it is not plain:
    a geometry column in an EPSG CRS, an integer primary key (the FID, left out as
    GDAL leaves it out), columns of :data:`PLAIN_TYPES` only and, for ``bbox``, an
    R-tree (features in R-tree order, those whose geometry meets the box, as GDAL's
    spatial filter gives them)."""
    quoted = '"' + code.replace('"', '""') + '"'
    with read_only(path) as con:
        found = con.execute(
            "SELECT g.column_name, s.organization, s.organization_coordsys_id"
            " FROM gpkg_geometry_columns g JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id"
            " WHERE g.table_name = ?", (code,)).fetchone()
        if found is None or str(found[1]).upper() != "EPSG":
            return None
        geom_col, crs = str(found[0]), f"EPSG:{int(found[2])}"
        info = con.execute(f"PRAGMA table_info({quoted})").fetchall()
        keys = [name for _, name, kind, _, _, pk in info if pk]
        if len(keys) != 1 or not any(str(kind).upper() == "INTEGER"
                                     for _, name, kind, _, _, pk in info if pk):
            return None
        fields = [(str(name), str(kind).upper().split("(")[0].strip())
                  for _, name, kind, _, _, pk in info if not pk and name != geom_col]
        if any(kind not in PLAIN_TYPES for _, kind in fields):
            return None
        names = ", ".join(f'm."{name.replace(chr(34), chr(34) * 2)}"'
                          for name in [geom_col, *(n for n, _ in fields)])
        sql = f"SELECT {names} FROM {quoted} m"
        args: tuple[float, ...] = ()
        if bbox is not None:
            rtree = f"rtree_{code}_{geom_col}"
            if not has_table(con, rtree):
                return None
            key = keys[0].replace('"', '""')
            sql += (f' JOIN "{rtree.replace(chr(34), chr(34) * 2)}" r ON m."{key}" = r.id'
                    " WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ?")
            args = (bbox[0], bbox[2], bbox[1], bbox[3])
        rows = con.execute(sql, args).fetchall()
    try:
        wkb = np.array([_gpkg_wkb(r[0]) for r in rows], dtype=object)
    except ValueError:  # not a standard GeoPackage geometry: GDAL reads what it can
        return None
    geoms = shapely.from_wkb(wkb)
    if bbox is not None:
        meets = shapely.intersects(geoms, shapely.box(*bbox))
        rows = [r for r, keep in zip(rows, meets, strict=True) if keep]
        geoms = geoms[meets]
    data: dict[str, np.ndarray] = {}
    for i, (name, kind) in enumerate(fields, start=1):
        values = [r[i] for r in rows]
        dtype = PLAIN_TYPES[kind]
        if dtype == "int64" and None in values:
            dtype = "float64"
        if dtype == "object":
            if any(v is not None and not isinstance(v, str) for v in values):
                return None  # a number stored in a TEXT column: GDAL's reading rules apply
            data[name] = np.array(values, dtype=object)
        else:
            kinds = (int,) if dtype == "int64" else (int, float)
            if any(v is not None and (isinstance(v, bool) or not isinstance(v, kinds))
                   for v in values):
                return None  # e.g. a fraction in an INTEGER column: read as GDAL reads it
            data[name] = np.array([np.nan if v is None else v for v in values], dtype=dtype)
    return Features(geoms, {n: data[n] for n, _ in fields}, crs=crs)


#: Bytes of the envelope of a GeoPackage geometry blob, by its flags' envelope indicator.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _gpkg_wkb(blob: bytes | None) -> bytes | None:
    """The WKB inside a standard GeoPackage geometry blob (magic, version, flags, SRS id,
    envelope); ValueError for anything else (an extended geometry type, another format)."""
    if blob is None:
        return None
    data = bytes(blob)
    if len(data) < 8 or data[:2] != b"GP" or data[3] & 0b100000:
        raise ValueError("not a standard GeoPackage geometry blob")
    envelope = (data[3] >> 1) & 0b111
    if envelope not in _ENVELOPE_BYTES:
        raise ValueError("invalid envelope indicator")
    return data[8 + _ENVELOPE_BYTES[envelope]:]


def layer_profile(path: str | Path, code: str,
                  columns: tuple[str, ...] = ()) -> tuple[int, dict[str, set[str]]]:
    """(feature count, distinct values of each of ``columns`` present) of one layer.

    Read from the tables, no geometry decoded: what a check needs to decide whether
    reading a large layer near a proposal only would change what it reports.
    """
    path = existing(path)
    if code not in list_layers(path):
        raise StoreError(f"no layer {code!r}; it has {list_layers(path)}", path=path)
    with read_only(path) as con:
        quoted = '"' + code.replace('"', '""') + '"'
        count = int(con.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])
        present = {row[1] for row in con.execute(f"PRAGMA table_info({quoted})")}
        values = {
            column: {str(v) for (v,) in con.execute(
                f'SELECT DISTINCT "{column}" FROM {quoted}') if v is not None}
            for column in columns if column in present
        }
    return count, values


def layer_facts(path: str | Path, code: str) -> tuple[int, str, list[int]] | None:
    """(features, content hash, positions of the invalid geometries) of a layer, as
    recorded when mineplan wrote it; None when not recorded or no longer current.

    Checking validity is the costliest part of preparing a provincial layer for overlap
    (~0.3 s of 12 million vertices, every run); the store works it out once, when the
    layer is written, keyed on the layer's content (BLAKE2 of its geometries' WKB, in
    order). A layer changed since by another program (QGIS editing the GeoPackage)
    has another ``last_change`` in ``gpkg_contents`` or another feature count: then
    the facts are ignored and the checks validate as before.
    """
    path = existing(path)
    with read_only(path) as con:
        if not has_table(con, FACTS_TABLE):
            return None
        row = con.execute(
            f"SELECT f.features, f.content, f.invalid, f.last_change IS c.last_change "
            f"FROM {FACTS_TABLE} f JOIN gpkg_contents c ON c.table_name = f.layer "
            "WHERE f.layer = ?", (code,)).fetchone()
        count = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?",
                            (code,)).fetchone() if has_table(con, "gpkg_ogr_contents") else None
    if row is None or not row[3]:
        return None
    if count is not None and count[0] is not None and int(count[0]) != int(row[0]):
        return None
    return int(row[0]), str(row[1]), [int(i) for i in json.loads(row[2])]


