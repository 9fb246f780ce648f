"""Geometry for the screen: clipped to the view, simplified to what a pixel can show.

A provincial red-line layer has millions of vertices; a browser showing it
whole receives hundreds of megabytes of GeoJSON and stalls. For display only,
:func:`display_frame` clips every feature to the view (plus a margin), simplifies
it with a tolerance of 0.4 of a screen pixel (Douglas–Peucker without topology
preservation, then repaired: :func:`mineplan.generalise.simplify_for_screen` — valid
rings, no feature lost; the topology-preserving variant took 8 s on a provincial red
line) and rounds coordinates to a tenth of a pixel (at most 1e-6°, ≈ 0.1 m).
The geometry used for checks and areas is never this one: callers keep the
store's frames for that.

May import :mod:`mineplan.vocab`, :mod:`mineplan.errors` and :mod:`mineplan.generalise`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mineplan.errors import CRSError
from mineplan.generalise import pixel_degrees, simplify_for_screen
from mineplan.vocab import WEB_CRS

__all__ = ["DisplayOptions", "display_frame", "view_for"]

_DISPLAY_CRS = WEB_CRS


@dataclass(frozen=True)
class DisplayOptions:
    """How much detail the screen gets.

    Attributes
    ----------
    width_px
        Width of the map on screen, in pixels.
    pixel_fraction
        Simplification tolerance as a fraction of one screen pixel (0 or less: none,
        for geometry already simplified for the zoom, e.g. a store's display copy).
    margin
        Extra view around the requested bounds, as a fraction of its size, so a
        small pan does not show cut edges.
    decimals
        The most decimals kept in coordinates (6 ≈ 0.1 m); fewer when a tenth of a
        screen pixel needs fewer.
    max_features
        Above this many features in view, features are collected into one
        multipart feature per ``group_by`` value (no union: drawing only), each
        with a ``feature_count``; zoom in to get them one by one.
    group_by
        Column to collect by (features without it form one group).
    """

    width_px: int = 1400
    pixel_fraction: float = 0.4
    margin: float = 0.1
    decimals: int = 6
    max_features: int = 2000
    group_by: str = "region"


def view_for(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """Bounds (lon/lat) that show the whole frame."""
    minx, miny, maxx, maxy = frame.to_crs(_DISPLAY_CRS).total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def display_frame(
    frame: gpd.GeoDataFrame,
    *,
    view: tuple[float, float, float, float] | None = None,
    options: DisplayOptions | None = None,
    zoom: float | None = None,
) -> gpd.GeoDataFrame:
    """A lighter copy of ``frame`` for drawing in a web map (EPSG:4326).

    Parameters
    ----------
    frame
        Features with a CRS.
    view
        ``(min_lon, min_lat, max_lon, max_lat)`` being shown; default the frame's bounds.
    options
        See :class:`DisplayOptions`.
    zoom
        The map's Web Mercator zoom, when known: a pixel's size comes from it (and
        ``view`` is taken as given, no margin added); by default from ``view``'s
        width over ``options.width_px``.

    Returns
    -------
    geopandas.GeoDataFrame
        The features touching the view, clipped to it, simplified by 0.4 of a screen
        pixel (valid rings), coordinates rounded; same columns, EPSG:4326. Features that
        vanish (outside the view) are dropped; attributes are untouched.
    """
    if frame.crs is None:
        raise CRSError("cannot display a frame without a CRS; set it (e.g. EPSG:4490)")
    options = options or DisplayOptions()
    shown = frame.to_crs(_DISPLAY_CRS)
    if shown.empty:
        return shown
    minx, miny, maxx, maxy = view or view_for(shown)
    if zoom is None:
        dx, dy = (maxx - minx) * options.margin, (maxy - miny) * options.margin
        minx, miny, maxx, maxy = minx - dx, miny - dy, maxx + dx, maxy + dy
    geoms = shown.geometry.to_numpy()
    touching = shapely.intersects(geoms, shapely.box(minx, miny, maxx, maxy))
    shown, geoms = shown[touching], geoms[touching]
    clipped = shapely.clip_by_rect(geoms, minx, miny, maxx, maxy)
    # One pixel in degrees of latitude here (the map is Web Mercator on screen).
    lat = max(abs(miny), abs(maxy))
    if zoom is None:
        pixel = (maxx - minx) / options.width_px * max(math.cos(math.radians(lat)), 0.2)
    else:
        pixel = float(pixel_degrees(zoom, lat))
    simplified = (simplify_for_screen(clipped, pixel * options.pixel_fraction)
                  if options.pixel_fraction > 0 else clipped)
    decimals = min(options.decimals, max(2, math.ceil(-math.log10(pixel / 10))))
    scale = 10.0**decimals
    rounded = shapely.transform(simplified, lambda xy: np.round(xy * scale) / scale)
    rounded = shapely.remove_repeated_points(rounded)
    keep = ~shapely.is_empty(rounded)
    out = shown[keep].copy()
    out = out.set_geometry(gpd.GeoSeries(rounded[keep], index=out.index, crs=_DISPLAY_CRS))
    if len(out) > options.max_features:
        out = _collected(out, options.group_by)
    return out


def _collected(frame: gpd.GeoDataFrame, column: str) -> gpd.GeoDataFrame:
    """One multipart feature per group: the first row's attributes and a ``feature_count``."""
    keys = frame[column] if column in frame else pd.Series("", index=frame.index)
    rows, geoms, counts = [], [], []
    all_geoms = frame.geometry.to_numpy()
    for _, idx in frame.groupby(keys.to_numpy(), sort=True).indices.items():
        parts = shapely.get_parts(all_geoms[idx])
        polys = parts[shapely.get_type_id(parts) == 3]
        rows.append(frame.iloc[idx[0]].drop(labels=[frame.geometry.name]))
        geoms.append(shapely.multipolygons(polys) if len(polys) else shapely.MultiPolygon())
        counts.append(len(idx))
    out = gpd.GeoDataFrame(pd.DataFrame(rows).reset_index(drop=True),
                           geometry=geoms, crs=frame.crs)
    out["feature_count"] = counts
    if "name" in out:
        out["name"] = [f"{n} 等 {c} 个图斑（放大查看单个）" for n, c in zip(out["name"], counts,
                                                                      strict=True)]
    return out
