"""Catalogue + boundaries → the store's layers, with generated geometry where none is known.

* :mod:`~mineplan.build.assemble` — :func:`build_layers`: one GeoDataFrame per
  defined layer, fields in order, ready for :func:`mineplan.store.write_store`.
* :mod:`~mineplan.build.schematic` — schematic shapes (``geometry_status = 示意``)
  for the zones the plans list with an area but no boundary.
* :mod:`~mineplan.build.demo` — demonstration 三区三线 control layers
  (``data_status = 演示``), since the real ones are not public.
* :mod:`~mineplan.build.shapes` — the geometry helpers both generators share.

Pure: nothing here reads or writes a store (the CLI does), except
:func:`~mineplan.build.demo.read_demo_hints`, which reads the shipped hints file.

May import: :mod:`mineplan.vocab`, :mod:`mineplan.settings`, :mod:`mineplan.errors`,
:mod:`mineplan.catalog`, :mod:`mineplan.layers`, :mod:`mineplan.boundaries`,
:mod:`mineplan.geodesy`, :mod:`mineplan.importing.control`. Not store, checks, web, cli.
"""

from __future__ import annotations

from mineplan.build.assemble import BuildInputs, build_layers, zone_layer_frame

__all__ = ["BuildInputs", "build_layers", "zone_layer_frame"]
