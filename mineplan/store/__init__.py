"""The store: every layer of a plan's data, CGCS2000, with its styles and build metadata.

This package is the interface the rest of mineplan uses; the GeoPackage file of
:mod:`mineplan.store.gpkg` is today's only backend, and a server database
(PostGIS) will plug in behind the same functions. A store is named by a
location — today a path to a ``.gpkg`` file — and offers:

==================== ==========================================================
:func:`write_store`  write every layer, its QGIS style and the build metadata
                     at once, atomically (the previous store survives a failure)
:func:`replace_layer` replace (or, with ``create=True``, add) one layer and
                     optionally its style, atomically; the others untouched
:func:`update_layer` read one layer, change it and write it back under one lock
                     (an import computed from the current layer)
:func:`read_layer`   one layer as a GeoDataFrame in EPSG:4490
:func:`list_layers`  the codes of the feature layers present
:func:`read_meta`    the build metadata, key → value (:data:`META_TABLE`)
:func:`read_styles_table` the QGIS ``layer_styles`` rows, as QGIS reads them
:func:`read_edits`   the edit log: time, user, command/page, layer, features,
                     source file of every write (:class:`EditRecord`)
==================== ==========================================================

Writes are serialised per store (:mod:`mineplan.store.lock`): a second writer
waits (bounded) for the first and starts from the store it left; readers take no
lock and see the old store or the new one, never half of one.

Every layer is in :data:`mineplan.vocab.STORE_CRS` (CGCS2000 geographic) and has
the fields its :class:`~mineplan.layers.LayerSpec` lists, in order; a write in
another CRS, or of a layer without a definition, raises
:class:`~mineplan.errors.StoreError` and changes nothing. A missing store raises
:class:`~mineplan.errors.StoreError` saying how to build one.

May import: :mod:`mineplan.vocab`, :mod:`mineplan.settings`, :mod:`mineplan.atomic`,
:mod:`mineplan.errors`, :mod:`mineplan.layers`. Not build, io, checks, web or cli.
"""

from __future__ import annotations

from mineplan.store.edits import EDIT_COLUMNS, EditRecord
from mineplan.store.gpkg import (
    META_TABLE,
    list_layers,
    read_edits,
    read_layer,
    read_meta,
    read_styles_table,
    replace_layer,
    update_layer,
    write_store,
)

__all__ = [
    "EDIT_COLUMNS",
    "META_TABLE",
    "EditRecord",
    "list_layers",
    "read_edits",
    "read_layer",
    "read_meta",
    "read_styles_table",
    "replace_layer",
    "update_layer",
    "write_store",
]
