"""The user's own control layers (三区三线 and the like) brought into the store.

Real 生态保护红线, 永久基本农田 and 城镇开发边界 are not public: each bureau
imports the delivery it holds. :func:`control_layer_frame` turns the features
of such a file into a store layer — CGCS2000, the layer's fields, the source
file and the date of the data recorded on every feature, ``data_status = 导入``
— replacing the demo data of that layer. Overlapping features (merged county
deliveries) are kept as delivered: overlap checks count shared ground once
(:mod:`mineplan.checks.overlay`).

Any control layer works the same way: a bureau defines one with a file in
``layers/`` (``group = "control"``, ``fieldset = "control"``, e.g.
``layers/ZRBHQ.toml`` 自然保护区) and a style in ``styles/styles.toml``. A
control layer without demo data is built empty (:func:`empty_control_layer`,
shown styled in QGIS); a store built before the definition existed gets the
layer on import (``store.replace_layer(..., create=True, qml=...)``).

May import :mod:`mineplan.vocab`, :mod:`mineplan.errors`, :mod:`mineplan.geodesy`,
:mod:`mineplan.layers`.
"""

from __future__ import annotations

import datetime as _dt

import geopandas as gpd
import pandas as pd
import shapely

from mineplan.errors import GeometryError
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.layers import LayerSpec
from mineplan.vocab import IMPORTED, STORE_CRS

__all__ = ["IMPORTED", "control_layer_frame", "empty_control_layer"]


def control_layer_frame(
    features: gpd.GeoDataFrame,
    *,
    spec: LayerSpec,
    source: str,
    source_date: str,
    name_field: str | None = None,
    region_field: str | None = None,
) -> gpd.GeoDataFrame:
    """A control layer for the store from imported features.

    Parameters
    ----------
    features
        Polygons with a CRS (reprojected to EPSG:4490).
    spec
        The control layer's definition (its fields, in order, are the columns).
    source
        The file the features came from (recorded as ``geometry_source``).
    source_date
        Date of the data, ``YYYY-MM-DD``.
    name_field, region_field
        Columns giving each feature's name and county; default the layer name
        numbered, and empty.

    Raises
    ------
    GeometryError
        No CRS, a non-polygon or invalid feature (repair it first, or import with
        ``--fix``), a bad date or an unknown column.
    """
    if features.crs is None:
        raise GeometryError("the features have no CRS", code="no_crs")
    try:
        _dt.date.fromisoformat(source_date)
    except ValueError:
        raise GeometryError(f"date {source_date!r} is not YYYY-MM-DD", code="bad_date",
                            fields={"date": source_date}) from None
    missing = [f for f in (name_field, region_field) if f and f not in features.columns]
    if missing:
        columns = [c for c in features.columns if c != features.geometry.name]
        raise GeometryError(f"no column {missing}; the file has {columns}",
                            code="unknown_field",
                            fields={"missing": missing, "columns": [str(c) for c in columns]})
    frame = features.to_crs(STORE_CRS)
    geoms = frame.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    bad = [f"feature {i}: {'empty' if g is None or g.is_empty else g.geom_type}"
           for i, (g, k) in enumerate(zip(geoms, kinds, strict=True))
           if g is None or g.is_empty or k not in (3, 6)]
    invalid = [f"feature {i}: {shapely.is_valid_reason(g)}" for i, g in enumerate(geoms)
               if g is not None and not g.is_empty and not g.is_valid]
    if bad or invalid:
        bad_numbers = [f"要素 {i}" for i, (g, k) in enumerate(zip(geoms, kinds, strict=True))
                       if g is None or g.is_empty or k not in (3, 6)]
        invalid_numbers = [f"要素 {i}" for i, g in enumerate(geoms)
                           if g is not None and not g.is_empty and not g.is_valid]
        raise GeometryError("cannot import: " + "; ".join((bad + invalid)[:20])
                            + (" — repair the file, or import with --fix" if invalid else ""),
                            code="bad_geometry" if bad else "invalid_geometry",
                            fields={"items": (bad_numbers or invalid_numbers)[:20]})
    count = len(frame)
    names = (frame[name_field].astype(str) if name_field
             else pd.Series([f"{spec.name}{i + 1}" for i in range(count)], index=frame.index))
    regions = (frame[region_field].astype(str) if region_field
               else pd.Series([""] * count, index=frame.index))
    out = gpd.GeoDataFrame(
        {"name": names.to_numpy(), "region": regions.to_numpy(), "data_status": IMPORTED,
         "geometry_status": IMPORTED, "geometry_source": source, "source_date": source_date},
        geometry=gpd.GeoSeries(geoms, crs=STORE_CRS),
    )
    out["geom_area_km2"] = ellipsoidal_area_km2(out).to_numpy()
    columns = [f.name for f in spec.fields]
    return gpd.GeoDataFrame(out[columns], geometry=out.geometry, crs=STORE_CRS)


def empty_control_layer(spec: LayerSpec) -> gpd.GeoDataFrame:
    """A control layer with no features: the spec's columns, typed, in EPSG:4490."""
    dtypes = {"text": object, "integer": "int64", "real": "float64"}
    data = {f.name: pd.Series([], dtype=dtypes[f.type]) for f in spec.fields}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
