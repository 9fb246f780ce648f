"""Copying a whole store between locations: GeoPackage ↔ PostGIS, either direction.

Every layer (every feature and attribute, in order), each layer's default QGIS
style and the build metadata are read from the source through the store
interface and written to the destination in one atomic write, whose edit-log
rows name the copy and its source. Nothing is converted on the way: both
backends keep CGCS2000 geometry as written and the same field types, so a copy
there and back gives the same layers.

May import: :mod:`mineplan.store` (the interface), :mod:`mineplan.layers`,
:mod:`mineplan.errors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mineplan import store
from mineplan.errors import StoreError
from mineplan.layers import LayerSpec, read_layer_specs
from mineplan.location import location_text
from mineplan.store.edits import EditRecord

__all__ = ["copy_store", "default_styles"]


def copy_store(
    source: str | Path, target: str | Path, *,
    specs: Mapping[str, LayerSpec] | None = None,
    edit: EditRecord | None = None,
) -> Path | str:
    """Copy every layer, style and the metadata of ``source`` to ``target``.

    Parameters
    ----------
    source, target
        Store locations (a ``.gpkg`` path or a ``postgresql://`` URL); the target
        is replaced as a whole, atomically.
    specs
        Layer definitions; default those of ``layers/``
        (:func:`mineplan.layers.read_layer_specs`).
    edit
        For the target's edit log; default ``mineplan store copy`` from ``source``.

    Returns
    -------
    Path | str
        The target location.

    Raises
    ------
    StoreError
        When the source is missing, a layer of it has no definition, or the target
        cannot be written (it is then unchanged).
    """
    if location_text(source) == location_text(target):
        raise StoreError(f"{location_text(source)}: source and target are the same store")
    specs = dict(read_layer_specs() if specs is None else specs)
    codes = store.list_layers(source)
    unknown = [c for c in codes if c not in specs]
    if unknown:
        raise StoreError(f"{location_text(source)}: layers {unknown} have no definition in "
                         "layers/; cannot copy them")
    layers = {code: store.read_layer(source, code) for code in codes}
    qml = default_styles(source)
    edit = edit or EditRecord("mineplan store copy", source=location_text(source))
    return store.write_store(target, layers, specs=specs, meta=store.read_meta(source),
                             qml={c: q for c, q in qml.items() if c in layers}, edit=edit)


def default_styles(location: str | Path) -> dict[str, str]:
    """Layer code → the QML of its default style (the newest one when several)."""
    table = store.read_styles_table(location)
    styles: dict[str, str] = {}
    if table.empty:
        return styles
    table = table[table["useAsDefault"].astype(bool)]
    for row in table.sort_values("id").itertuples(index=False):
        styles[str(row.f_table_name)] = str(row.styleQML)
    return styles
