"""Assemble the store's layers from the catalogue, boundaries and demo data.

Pure: reads nothing and writes nothing. :func:`build_layers` turns the inputs
into one GeoDataFrame per layer, with exactly the fields its definition lists,
in that order; the CLI reads the inputs and hands the result to
:func:`mineplan.store.write_store`.

May import: :mod:`mineplan.build.schematic`, :mod:`mineplan.build.demo`,
:mod:`mineplan.boundaries`, :mod:`mineplan.layers`, :mod:`mineplan.geodesy`,
:mod:`mineplan.importing.control`, :mod:`mineplan.errors`, :mod:`mineplan.vocab`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from mineplan.boundaries import placement_areas
from mineplan.build.demo import demo_control_layers
from mineplan.build.schematic import SchematicOptions, schematic_zone_geometries
from mineplan.errors import CatalogError
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.importing.control import empty_control_layer
from mineplan.layers import LayerSpec
from mineplan.vocab import STORE_CRS

__all__ = ["BuildInputs", "build_layers", "zone_layer_frame"]

log = logging.getLogger(__name__)

_SCHEMATIC_SOURCE = "mineplan 示意图形生成（按规划面积与所在县市自动生成）"
#: Layers whose blocks are laid out as rectangles (rights follow 经纬度 grids).
_RECTANGLES = ("TKGH", "CKGH", "YSTK", "YSCK")
_DTYPES = {"text": object, "integer": "int64", "real": "float64"}


@dataclass(frozen=True)
class BuildInputs:
    """Everything a build needs, already read and validated."""

    catalog: pd.DataFrame
    specs: Mapping[str, LayerSpec]
    boundaries: gpd.GeoDataFrame
    demo_hints: Mapping[str, Mapping[str, Any]]


def build_layers(
    inputs: BuildInputs, *, options: SchematicOptions | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """One GeoDataFrame per layer of the store, EPSG:4490.

    Zone layers get schematic geometry (``geometry_status = 示意``); the control
    layers get demo data (``data_status = 演示``), or none when the demo has no
    such layer (a layer the user adds, e.g. ZRBHQ); ``XZQ`` holds the boundaries.
    Layers with no feature are still returned (empty), so the store always has
    every defined layer.
    """
    specs = inputs.specs
    unknown = sorted(set(inputs.catalog["layer"]) - set(specs))
    if unknown:
        raise CatalogError(f"catalogue uses layer code(s) with no definition: {unknown}")
    areas = placement_areas(inputs.boundaries)
    shapes = {code: "rectangle" for code in _RECTANGLES}
    geoms = schematic_zone_geometries(inputs.catalog, areas, shapes=shapes, options=options)
    zones = gpd.GeoDataFrame(inputs.catalog.join(geoms), geometry="geometry", crs=STORE_CRS)
    zones["geometry_source"] = _SCHEMATIC_SOURCE

    out: dict[str, gpd.GeoDataFrame] = {}
    for code, spec in specs.items():
        if spec.is_zone_layer:
            out[code] = zone_layer_frame(zones[zones["layer"] == code], spec)
    counties = {
        name: geom for name, geom in areas.items()
        if name in set(inputs.boundaries.loc[inputs.boundaries["level"] == "county", "name"])
    }
    for code, frame in demo_control_layers(counties, inputs.demo_hints).items():
        if code in specs:
            out[code] = _conform(frame, specs[code])
    for code, spec in specs.items():  # a control layer without demo data: empty, styled
        if spec.group == "control" and code not in out:
            out[code] = empty_control_layer(spec)
    if "XZQ" in specs:
        xzq = inputs.boundaries.copy()
        xzq["geom_area_km2"] = ellipsoidal_area_km2(xzq)
        out["XZQ"] = _conform(xzq, specs["XZQ"])
    return {code: out[code] for code in specs if code in out}


def zone_layer_frame(zones: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """A zone layer's frame: catalogue fields renamed for the store, area measured.

    Parameters
    ----------
    zones
        Catalogue rows of one layer with ``geometry`` (EPSG:4490),
        ``geometry_status``, ``geometry_note`` and ``geometry_source``.
    spec
        The layer's definition: its fields, in order, are the columns returned.
    """
    frame = zones.rename(columns={"table": "source_table"}).copy()
    frame["layer_name"] = spec.name
    frame["geom_area_km2"] = ellipsoidal_area_km2(frame) if len(frame) else []
    frame = frame.sort_values("zone_id")
    return _conform(frame.reset_index(drop=True), spec)


def _conform(frame: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Exactly the spec's fields, in order and typed, plus geometry; fails on a missing one."""
    missing = [f.name for f in spec.fields if f.name not in frame.columns]
    if missing:
        raise CatalogError(f"layer {spec.code}: no value for field(s) {missing}")
    data = {}
    for f in spec.fields:
        column = frame[f.name]
        if f.type == "text":
            data[f.name] = column.fillna("").astype(str).to_numpy(dtype=object)
        elif f.type == "integer":
            data[f.name] = column.astype("int64").to_numpy()
        else:
            data[f.name] = column.astype("float64").to_numpy(dtype=np.float64)
    return gpd.GeoDataFrame(
        pd.DataFrame(data, columns=[f.name for f in spec.fields]),
        geometry=gpd.GeoSeries(frame.geometry.to_numpy(), crs=STORE_CRS),
    )
