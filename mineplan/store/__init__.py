"""The store: every layer of a plan's data, CGCS2000, with its styles and build metadata.

This package is the interface the rest of mineplan uses. A store is named by a
location, and the location alone chooses the backend
(:mod:`mineplan.location`): a path is a GeoPackage file
(:mod:`mineplan.store.gpkg`, the default), a ``postgresql://USER@HOST:PORT/DB?schema=NAME``
URL a schema of a PostGIS database shared by a bureau (:mod:`mineplan.store.postgis`;
passwords from ``PGPASSWORD`` or ``~/.pgpass`` only). Every store offers:

==================== ==========================================================
:func:`write_store`  write every layer, its QGIS style and the build metadata
                     at once, atomically (the previous store survives a failure)
:func:`replace_layer` replace (or, with ``create=True``, add) one layer and
                     optionally its style, atomically; the others untouched
:func:`update_layer` read one layer, change it and write it back under one lock
                     (an import computed from the current layer)
:func:`read_layer`   one layer as a GeoDataFrame in EPSG:4490 (``bbox=`` for
                     only the features in an area, through the spatial index)
:func:`read_features` the same as :class:`~mineplan.features.Features` (no pandas
                     for a plain GeoPackage layer: :mod:`mineplan.store.gpkgread`)
:func:`read_overview` a large layer's display copy for a map view (zoom, box):
                     geometry simplified for that zoom, written with the layer
                     (:mod:`mineplan.store.overviews`); None for small layers
:func:`overview_layers` the layers that have such copies (drawn per view)
:func:`list_layers`  the codes of the feature layers present
:func:`layer_facts`  a layer's content hash and invalid geometries, recorded when
                     written (GeoPackage; the overlap check skips re-validating)
:func:`read_meta`    the build metadata, key → value (:data:`META_TABLE`)
:func:`read_styles_table` the QGIS ``layer_styles`` rows, as QGIS reads them
:func:`read_edits`   the edit log: time, user, command, layer, features, source
:func:`copy_store`   copy a whole store to another location (either backend)
:func:`store_version` a number that changes with every write (for caches)
:func:`can_write`    whether this process may write (read-only roles cannot)
==================== ==========================================================

Writes are serialised per store (GeoPackage: :mod:`mineplan.store.lock`; PostGIS:
an advisory lock in the database): a second writer waits (bounded) for the first
and starts from the store it left; readers take no lock and see the old store or
the new one, never half of one.

Every layer is in :data:`mineplan.vocab.STORE_CRS` (CGCS2000 geographic) and has
the fields its :class:`~mineplan.layers.LayerSpec` lists, in order; a write in
another CRS, or of a layer without a definition, raises
:class:`~mineplan.errors.StoreError` and changes nothing. A missing store raises
:class:`~mineplan.errors.StoreError` saying how to build one.

May import: :mod:`mineplan.vocab`, :mod:`mineplan.settings`, :mod:`mineplan.atomic`,
:mod:`mineplan.errors`, :mod:`mineplan.layers`, :mod:`mineplan.location`. Not build, io,
checks, web or cli. The PostGIS backend (psycopg, SQLAlchemy) is imported only when a URL is used;
the GeoPackage backend (and geopandas with it) on first use: :func:`store_version` of a
GeoPackage needs neither (the browse page's first run asks it before anything else).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from mineplan.layers import LayerSpec
from mineplan.location import is_postgres, location_text
from mineplan.store.edits import EDIT_COLUMNS, EditRecord

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from mineplan.features import Features
    from mineplan.store.copy import copy_store

__all__ = [
    "EDIT_COLUMNS",
    "META_TABLE",
    "BBox",
    "EditRecord",
    "can_write",
    "copy_store",
    "is_postgres",
    "layer_facts",
    "layer_profile",
    "list_layers",
    "location_text",
    "overview_layers",
    "read_edits",
    "read_features",
    "read_layer",
    "read_meta",
    "read_overview",
    "read_styles_table",
    "reading",
    "replace_layer",
    "store_version",
    "update_layer",
    "write_store",
]

#: The build metadata table (:data:`mineplan.store.gpkg.META_TABLE`).
META_TABLE = "mineplan_meta"

#: (min lon, min lat, max lon, max lat) in degrees, CGCS2000.
BBox = tuple[float, float, float, float]


def _backend(location: str | Path) -> ModuleType:
    if is_postgres(location):
        from mineplan.store import postgis

        return postgis
    # GeoPackage backend imported on first use: importing the store (to learn its
    # version, say) loads no geopandas (the browse page's first run, issue 14)
    from mineplan.store import gpkg

    return gpkg


def _reader(location: str | Path) -> ModuleType:
    """The backend's reading side: for a GeoPackage the sqlite3 one, which loads neither
    GDAL nor pandas (a pre-grant check reads through it only)."""
    if is_postgres(location):
        from mineplan.store import postgis

        return postgis
    from mineplan.store import gpkgread

    return gpkgread


def write_store(
    location: str | Path,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    specs: Mapping[str, LayerSpec],
    qml: Mapping[str, str],
    meta: Mapping[str, str] | None = None,
    edit: EditRecord | None = None,
) -> Path | str:
    """Write every layer, its QGIS style and the build metadata at once, atomically.

    Returns the store's location (a :class:`~pathlib.Path` for a GeoPackage, the
    URL for PostGIS). See :func:`mineplan.store.gpkg.write_store` and
    :func:`mineplan.store.postgis.write_store`.
    """
    return _backend(location).write_store(
        location, layers, specs=specs, qml=qml, meta=meta, edit=edit)


def replace_layer(
    location: str | Path, code: str, frame: gpd.GeoDataFrame, *, spec: LayerSpec,
    create: bool = False, qml: str | None = None, edit: EditRecord | None = None,
) -> Path | str:
    """Replace (or, with ``create=True``, add) one layer and optionally its style, atomically."""
    return _backend(location).replace_layer(
        location, code, frame, spec=spec, create=create, qml=qml, edit=edit)


def update_layer(
    location: str | Path, code: str,
    update: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame], *, spec: LayerSpec,
    edit: EditRecord | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer, change it with ``update`` and write it back under one writer lock.

    Use this, not :func:`read_layer` then :func:`replace_layer`, when the new layer
    is computed from the old one (an import): another writer's change made in the
    meantime is the starting point, not overwritten. Returns the layer as written.
    """
    return _backend(location).update_layer(location, code, update, spec=spec, edit=edit)


def read_layer(location: str | Path, code: str, *, bbox: BBox | None = None) -> gpd.GeoDataFrame:
    """One layer as a GeoDataFrame in EPSG:4490; with ``bbox``, only the features meeting it."""
    return _backend(location).read_layer(location, code, bbox=bbox)


def read_features(location: str | Path, code: str, *, bbox: BBox | None = None) -> Features:
    """One layer as :class:`~mineplan.features.Features` in EPSG:4490, the values
    :func:`read_layer` gives, without pandas for a plain GeoPackage layer."""
    if not is_postgres(location):
        from mineplan.store import gpkgread

        plain = gpkgread.read_features(location, code, bbox=bbox)
        if plain is not None:
            return plain
    from mineplan.features import Features

    return Features.from_frame(read_layer(location, code, bbox=bbox))


def overview_layers(location: str | Path) -> list[str]:
    """The layers with current display copies: the large ones, to draw per map view."""
    return _backend(location).overview_layers(location)


def read_overview(location: str | Path, code: str, *, zoom: float,
                  bbox: BBox) -> gpd.GeoDataFrame | None:
    """A large layer's features meeting ``bbox``, geometry simplified for a map at ``zoom``.

    Indexed by the features' positions in the layer (the index :func:`read_layer`
    gives), with every attribute. None when the layer has no current display copy
    fine enough for ``zoom`` (it is small, the view is closer in than the finest
    copy, or the copies predate the layer): read the layer (``bbox=``) instead.
    """
    return _backend(location).read_overview(location, code, zoom=zoom, bbox=bbox)


@contextlib.contextmanager
def reading(location: str | Path) -> Iterator[None]:
    """Within the block, this thread's reads of the store share one connection (a
    GeoPackage is opened once per command instead of once per read; a PostGIS store
    is read as before). Write nothing to the store inside the block."""
    if is_postgres(location):
        yield
        return
    with _reader(location).reading(location):
        yield


def list_layers(location: str | Path) -> list[str]:
    """The codes of the feature layers present."""
    return _reader(location).list_layers(location)


def layer_facts(location: str | Path, code: str) -> tuple[int, str, list[int]] | None:
    """(features, content hash, positions of invalid geometries) of a layer as recorded
    when it was written, None when unknown or stale (GeoPackage only; a PostGIS store
    records none yet). See :func:`mineplan.store.gpkg.layer_facts`."""
    if is_postgres(location):
        return None
    from mineplan.store import gpkgread

    return gpkgread.layer_facts(location, code)


def layer_profile(location: str | Path, code: str,
                  columns: tuple[str, ...] = ()) -> tuple[int, dict[str, set[str]]]:
    """(feature count, distinct values of each of ``columns`` present) of one layer,
    without reading its geometry."""
    return _reader(location).layer_profile(location, code, columns)


def read_meta(location: str | Path) -> dict[str, str]:
    """The build metadata, key → value (:data:`META_TABLE`)."""
    return _backend(location).read_meta(location)


def read_styles_table(location: str | Path) -> pd.DataFrame:
    """The QGIS ``layer_styles`` rows of the store, as QGIS reads them."""
    return _backend(location).read_styles_table(location)


def read_edits(location: str | Path, *, layer: str | None = None) -> pd.DataFrame:
    """The edit log, oldest first: time (ISO UTC), user, command, layer, features, source."""
    return _backend(location).read_edits(location, layer=layer)


def store_version(location: str | Path) -> int:
    """A number that changes whenever the store is written (for caches of what it holds).

    GeoPackage: the file's modification time (ns). PostGIS: derived from the edit log
    and the layer tables (every write through mineplan changes both).

    Raises
    ------
    StoreError
        When there is no store at ``location``.
    """
    if is_postgres(location):
        from mineplan.store import postgis

        return postgis.store_version(location)
    path = Path(location)
    if not path.is_file():
        list_layers(path)  # raises the GeoPackage backend's "not found, build it" error
    return path.stat().st_mtime_ns


def can_write(location: str | Path) -> bool:
    """Whether this process may write the store (a read-only role or file cannot)."""
    if is_postgres(location):
        from mineplan.store import postgis

        return postgis.can_write(location)
    path = Path(location)
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def __getattr__(name: str) -> object:
    # copy_store lives in mineplan.store.copy, which imports this package.
    if name == "copy_store":
        from mineplan.store.copy import copy_store

        return copy_store
    if name == "gpkg":  # imported on first use (see _backend)
        import importlib

        return importlib.import_module("mineplan.store.gpkg")
    raise AttributeError(name)
