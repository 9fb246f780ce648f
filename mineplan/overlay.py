"""Overlap of blocks with a control layer (red lines, rights), never double-counted.

A control layer may overlap itself (merged county deliveries, or rights that
touch): the overlap of a block with it is the block's intersection with the
*union* of the layer's features that touch it, so shared ground counts once.
Areas are ellipsoidal (CGCS2000, :func:`mineplan.geodesy.ellipsoidal_area_km2`).

:class:`PreparedLayer` holds the layer once, with a spatial index, for fast
repeated checks; the geometry used is always the layer's own, never a
simplified display copy.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mineplan.errors import CRSError
from mineplan.geodesy import ellipsoidal_area_km2

__all__ = ["PreparedLayer"]

_STORE_CRS = "EPSG:4490"


class PreparedLayer:
    """A control layer ready for repeated overlap queries.

    Parameters
    ----------
    frame
        The layer's features, any CRS (reprojected to EPSG:4490); invalid
        geometry is repaired with ``make_valid`` (the caller reports it).
    """

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        if frame.crs is None:
            raise CRSError("control layer has no CRS; set it (e.g. EPSG:4490) before checking")
        geoms = frame.to_crs(_STORE_CRS).geometry.to_numpy()
        geoms = np.asarray([g for g in geoms if g is not None and not g.is_empty], dtype=object)
        self.geometries = shapely.make_valid(geoms) if len(geoms) else geoms
        self.tree = shapely.STRtree(self.geometries)

    def __len__(self) -> int:
        return len(self.geometries)

    def candidates(self, block: BaseGeometry) -> np.ndarray:
        """Indices of the layer's features that intersect ``block``."""
        return np.asarray(self.tree.query(block, predicate="intersects"), dtype=int)

    def pieces(self, block: BaseGeometry) -> BaseGeometry:
        """The part of ``block`` inside the layer (EPSG:4490), overlaps dissolved."""
        hits = self.candidates(block)
        if len(hits) == 0:
            return shapely.Polygon()
        parts = shapely.intersection(self.geometries[hits], block)
        merged = shapely.union_all(parts)
        return _areal(merged)

    def overlap(self, blocks: gpd.GeoSeries | gpd.GeoDataFrame) -> pd.DataFrame:
        """Overlap of each block with the layer.

        Returns
        -------
        pandas.DataFrame
            Index of ``blocks``; ``block_km2`` (ellipsoidal area of the block),
            ``overlap_km2`` (ellipsoidal area inside the layer, counted once),
            ``overlap_pct`` (0–100) and ``pieces`` (the overlap geometry, EPSG:4490).
        """
        series = blocks.geometry if isinstance(blocks, gpd.GeoDataFrame) else blocks
        if series.crs is None:
            raise CRSError("blocks have no CRS; set it before checking")
        series = series.to_crs(_STORE_CRS)
        pieces = [self.pieces(g) for g in series]
        frame = gpd.GeoDataFrame(geometry=list(series), crs=_STORE_CRS, index=series.index)
        cut = gpd.GeoDataFrame(geometry=pieces, crs=_STORE_CRS, index=series.index)
        block_km2 = ellipsoidal_area_km2(frame, validate=False)
        overlap_km2 = ellipsoidal_area_km2(cut, validate=False).fillna(0.0)
        pct = (overlap_km2 / block_km2.where(block_km2 > 0)).fillna(0.0) * 100
        return pd.DataFrame(
            {"block_km2": block_km2, "overlap_km2": overlap_km2, "overlap_pct": pct,
             "pieces": pieces},
            index=series.index,
        )


def _areal(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygonal part (intersections can add lines and points along edges)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys: Iterable[BaseGeometry] = [
        g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")
    ]
    return shapely.union_all(list(polys)) if polys else shapely.Polygon()
