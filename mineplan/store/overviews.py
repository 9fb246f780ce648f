"""Display copies of a large layer, one per zoom band, kept beside it in the store.

A provincial red line (tens of thousands of polygons, millions of vertices) cannot
be read whole and simplified for every map view in under a second. When a layer of
more than :data:`OVERVIEW_MIN_VERTICES` vertices is written, the store also writes
its geometry simplified for each zoom of :data:`OVERVIEW_ZOOMS`
(:func:`mineplan.generalise.simplify_for_screen`, 0.4 of a screen pixel at that zoom,
valid rings) into the table :data:`OVERVIEW_TABLE`: one row per feature and zoom
with the feature's ``fid`` (its position in the layer as written, from 1), its
bounding box (for reading only what a view shows) and the geometry as WKB. The
table :data:`OVERVIEW_LAYERS` records, per layer, the key of the layer table the
copies were made from (GeoPackage: its ``last_change``; PostGIS: the table's OID,
new on every write), so copies left by an older write — or a layer changed by
another tool — are never used: they are replaced in the same transaction as the
layer by every mineplan write, and a layer written smaller loses them.

A view at zoom *z* reads the copy of the smallest stored zoom ≥ *z* (simplified by
0.4 of a pixel or less); a view closer in than the last one reads the stored geometry in the
view's box (:func:`mineplan.store.read_layer` with ``bbox``).

Both backends store the same columns: ``layer, zoom, fid, minx, miny, maxx, maxy,
geom`` (WKB) and ``layer, source_key, features, vertices, zooms``; neither has a
geometry column, so neither is listed as a layer.

May import :mod:`mineplan.generalise`, shapely, numpy, geopandas.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from mineplan.generalise import pixel_degrees, simplify_for_screen

__all__ = [
    "OVERVIEW_LAYERS",
    "OVERVIEW_MIN_VERTICES",
    "OVERVIEW_TABLE",
    "OVERVIEW_ZOOMS",
    "Overview",
    "level_for",
    "make_overviews",
    "overview_rows",
]

OVERVIEW_TABLE = "mineplan_display"
OVERVIEW_LAYERS = "mineplan_display_layers"
#: Layers of more vertices than this get display copies (smaller ones are drawn whole).
OVERVIEW_MIN_VERTICES = 200_000
#: The zooms copies are made for (Web Mercator; 4 ≈ all China on a screen, 6 ≈ a
#: province, 8 ≈ a prefecture). Views closer in read the stored geometry in their box.
OVERVIEW_ZOOMS: tuple[int, ...] = (4, 6, 8)
#: Tolerance, as a fraction of a screen pixel at the copy's zoom.
PIXEL_FRACTION = 0.4


@dataclass(frozen=True)
class Overview:
    """One zoom's display copy of a layer: feature ids (from 1), boxes and geometries."""

    zoom: int
    fids: np.ndarray
    bounds: np.ndarray  # (n, 4): minx, miny, maxx, maxy
    geoms: np.ndarray


def vertex_count(frame: gpd.GeoDataFrame) -> int:
    """The vertices of a layer's geometry."""
    return int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())


def make_overviews(frame: gpd.GeoDataFrame, *,
                   min_vertices: int = OVERVIEW_MIN_VERTICES) -> list[Overview]:
    """The display copies of ``frame`` (EPSG:4490), or none when it is small.

    Feature ``fid`` is the row's position + 1: the id both backends give a newly
    written layer's rows, in order. Empty geometries have no row.
    """
    if len(frame) == 0 or vertex_count(frame) <= min_vertices:
        return []
    geoms = frame.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    fids = np.flatnonzero(present) + 1
    geoms = geoms[present]
    bounds = shapely.bounds(geoms)
    lat = np.maximum(np.abs(bounds[:, 1]), np.abs(bounds[:, 3]))
    out = []
    for zoom in OVERVIEW_ZOOMS:
        simple = simplify_for_screen(geoms, pixel_degrees(zoom, lat) * PIXEL_FRACTION)
        out.append(Overview(zoom, fids, shapely.bounds(simple), simple))
    return out


def overview_rows(code: str, overviews: list[Overview]
                  ) -> Iterator[tuple[str, int, int, float, float, float, float, bytes]]:
    """Rows of :data:`OVERVIEW_TABLE` for one layer (WKB geometry)."""
    for ov in overviews:
        wkb = shapely.to_wkb(ov.geoms)
        for fid, (minx, miny, maxx, maxy), blob in zip(ov.fids, ov.bounds, wkb, strict=True):
            yield (code, ov.zoom, int(fid), float(minx), float(miny), float(maxx), float(maxy),
                   bytes(blob))


def level_for(zoom: float, stored: tuple[int, ...]) -> int | None:
    """The stored copy for a view at ``zoom``: the smallest zoom ≥ it; None past the last."""
    fitting = [z for z in sorted(stored) if z >= zoom - 1e-9]
    return fitting[0] if fitting else None


def summary_row(code: str, source_key: str, frame: gpd.GeoDataFrame,
                overviews: list[Overview]) -> tuple[str, str, int, int, str]:
    """The :data:`OVERVIEW_LAYERS` row of one layer."""
    return (code, source_key, len(frame), vertex_count(frame),
            ",".join(str(o.zoom) for o in overviews))


def geometries(wkb: list[bytes]) -> np.ndarray:
    """WKB blobs back to shapely geometries (vectorised)."""
    return shapely.from_wkb(np.array([bytes(b) for b in wkb], dtype=object))
