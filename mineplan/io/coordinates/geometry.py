"""Plots as geometries, and geometries as plots.

Owns :func:`plot_geometry` (a plot's rings as a shapely Polygon / MultiPolygon /
line / points: holes by flag where the layout gives one, else by containment),
:func:`to_geodataframe` (one row per plot with its stated and ellipsoidal area),
:func:`plots_from_frame` (the reverse, for the writers) and the validity check every
parser runs on a finished plot.

Shapely geometries here are (x, y) = (easting, northing) in metres, or (longitude,
latitude) in degrees for a geographic file.

May import: ``errors``, ``vocab``, ``geodesy``, :mod:`mineplan.io.corners`, the model
and the parsing helpers of this package.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyproj
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from mineplan.errors import CoordinateFileError, MineplanError
from mineplan.features import Features
from mineplan.geodesy import ellipsoidal_area, gk_epsg
from mineplan.io.coordinates.model import AREA_UNITS_M2, CoordinateFile, Plot, Point, Ring
from mineplan.io.coordinates.parsing import Problems
from mineplan.io.corners import corner_table, point_names_of
from mineplan.vocab import STORE_EPSG

if TYPE_CHECKING:  # geopandas loads only when a frame is built or read
    import geopandas as gpd

__all__ = [
    "assemble_rings",
    "check_plot_geometry",
    "plot_geometry",
    "plot_records",
    "plots_from_frame",
    "plots_from_gdf",
    "ring_xy",
    "to_geodataframe",
]

log = logging.getLogger(__name__)


def ring_xy(ring: Ring) -> list[tuple[float, float]]:
    """The ring's vertices as shapely (x, y): (easting, northing) or (longitude, latitude)."""
    return [(p.y_easting, p.x_northing) for p in ring.points]


def assemble_rings(rings: Sequence[Ring]) -> list[tuple[Ring, list[Ring]]]:
    """Group rings into (outer, holes): by flag where given, else by containment."""
    parts: list[tuple[Ring, list[Ring]]] = []
    for ring in rings:
        if len(ring.points) < 3:
            continue
        if ring.flag is not None:
            if ring.flag == -1 and parts:
                parts[-1][1].append(ring)
            else:
                parts.append((ring, []))
            continue
        shape = Polygon(ring_xy(ring))
        home = None
        for outer, holes in parts if shape.is_valid else []:
            if not Polygon(ring_xy(outer)).is_valid:
                continue
            if Polygon(ring_xy(outer)).covers(shape) and not any(
                Polygon(ring_xy(h)).covers(shape) for h in holes
            ):
                home = holes
                break
        if home is None:
            parts.append((ring, []))
        else:
            home.append(ring)
    return parts


def plot_geometry(plot: Plot) -> BaseGeometry:
    """The plot as a shapely geometry, (x, y) = (easting, northing) in the file's CRS.

    For a file of geographic coordinates (x, y) = (longitude, latitude) in degrees.

    A 面 plot gives a Polygon, or a MultiPolygon when it has several parts; ring 1 is
    the first outer ring and each further ring is a hole of the part whose outer ring
    covers it, else a part of its own (registration flags −1 / other decide instead
    where present). A 线 plot gives a (Multi)LineString, a 点 plot a MultiPoint.

    Examples
    --------
    >>> ring = Ring(1, [Point("J1", 10, 0), Point("J2", 10, 10), Point("J3", 0, 10),
    ...                 Point("J4", 0, 0)])
    >>> plot_geometry(Plot("1", "demo", rings=[ring])).area
    100.0
    """
    if plot.kind == "点":
        return MultiPoint([xy for ring in plot.rings for xy in ring_xy(ring)])
    if plot.kind == "线":
        lines = [LineString(ring_xy(r)) for r in plot.rings if len(r.points) >= 2]
        return lines[0] if len(lines) == 1 else MultiLineString(lines)
    polygons = [
        Polygon(ring_xy(outer), [ring_xy(h) for h in holes])
        for outer, holes in assemble_rings(plot.rings)
    ]
    if len(polygons) == 1:
        return polygons[0]
    return MultiPolygon(polygons)


#: The columns of :func:`to_geodataframe`, in order.
PLOT_COLUMNS = (
    "number",
    "name",
    "kind",
    "stated_area",
    "stated_area_unit",
    "area_km2",
    "area_difference",
    "geometry",
)


def plot_records(cf: CoordinateFile) -> list[dict[str, Any]]:
    """The rows of :func:`to_geodataframe` (keys :data:`PLOT_COLUMNS`), without geopandas."""
    rows = []
    for plot in cf.plots:
        geom = plot_geometry(plot)
        area_m2 = math.nan
        if cf.crs.epsg is not None and geom.geom_type in ("Polygon", "MultiPolygon"):
            try:
                area_m2 = ellipsoidal_area(geom, crs=cf.crs.epsg)
            except MineplanError as exc:  # a wrong CRS or invalid geometry: no area
                log.warning("plot %s: no ellipsoidal area: %s", plot.number, exc)
        per_unit = AREA_UNITS_M2.get(plot.stated_area_unit.lower(), math.nan)
        diff = area_m2 / per_unit - plot.stated_area if plot.stated_area is not None else math.nan
        rows.append(
            {
                "number": plot.number,
                "name": plot.name,
                "kind": plot.kind,
                "stated_area": plot.stated_area if plot.stated_area is not None else math.nan,
                "stated_area_unit": plot.stated_area_unit,
                "area_km2": area_m2 / 1e6,
                "area_difference": diff,
                "geometry": geom,
            }
        )
    return rows


def to_features(cf: CoordinateFile) -> Features:
    """The rows of :func:`to_geodataframe` as :class:`~mineplan.features.Features`, without
    pandas (a pre-grant check of a coordinate file): the same columns, CRS and point
    names (``attrs["point_names"]``)."""
    crs = pyproj.CRS.from_epsg(cf.crs.epsg) if cf.crs.epsg is not None else None
    features = Features.from_records(plot_records(cf), columns=list(PLOT_COLUMNS), crs=crs)
    # the file's own point numbers, for every corner table of these plots (io.corners)
    features.attrs["point_names"] = _point_names(cf)
    return features


def _point_names(cf: CoordinateFile) -> list[list[list[str]]]:
    """The file's own point names: per plot, per ring, per point."""
    return [[[p.name for p in r.points] for r in plot.rings] for plot in cf.plots]


def to_geodataframe(cf: CoordinateFile) -> gpd.GeoDataFrame:
    """One row per plot, with stated and ellipsoidal area, in the file's CRS.

    Parameters
    ----------
    cf
        A parsed file.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``number``, ``name``, ``kind``, ``stated_area``, ``stated_area_unit``
        (as printed; "" means 公顷), ``area_km2`` (ellipsoidal, TD/T 1055-2019, on the
        file's datum; NaN for non-polygons or unknown CRS), ``area_difference``
        (computed − stated, in the stated unit, 公顷 when the header gives none) and
        ``geometry`` (x = easting, y = northing; for geographic files x = longitude,
        y = latitude, with the area computed on that geographic CRS);
        crs = EPSG:`cf.crs.epsg` or None.
    """
    return to_features(cf).to_frame()


def plots_from_frame(gdf: gpd.GeoDataFrame, *, zone: int, width: int = 3) -> list[Plot]:
    """Polygons as plots in a CGCS2000 Gauss-Kruger zone (eastings with the zone prefix).

    Parameters
    ----------
    gdf
        Polygon/MultiPolygon features with a CRS; optional ``number`` and ``name``.
    zone, width
        The target zone; the frame is reprojected to it.
    """
    return plots_from_gdf(gdf, gk_epsg(width=width, zone=zone, prefixed=True))


def plots_from_gdf(gdf: gpd.GeoDataFrame, epsg: int | None) -> list[Plot]:
    """Polygon rows as 面 plots in EPSG:``epsg`` (the frame's own CRS when None).

    Points come from :func:`mineplan.io.corners.corner_table`: rings numbered per plot
    (each part's exterior, then its holes), points J1… per ring in the ring's own order
    — or, for a frame read by :func:`~mineplan.io.coordinates.read_coordinates`, the
    point names it was read with (``attrs["point_names"]``).
    A frame without a CRS is taken to be in ``epsg`` already.
    """
    for index, geom in gdf.geometry.items():
        if not isinstance(geom, Polygon | MultiPolygon):
            raise CoordinateFileError(
                f"row {index!r}: {type(geom).__name__} cannot be written as a 面 plot"
            )
    if epsg is not None and gdf.crs is not None and gdf.crs.to_epsg() != epsg:
        source, target = gdf.crs, pyproj.CRS.from_epsg(epsg)
    else:  # the coordinates as they are: an identity transformation
        source = target = _crs_as_is(gdf.crs, epsg)
    corners = corner_table(gdf.geometry, plane_crs=target, crs=source,
                           point_names=point_names_of(gdf))
    rings_of: dict[int, list[Ring]] = {}
    for (plot_no, ring_no), ring in corners.groupby(["plot", "ring"], sort=False):
        points = [
            Point(name, float(x), float(y))
            for name, x, y in zip(ring["point"], ring["x"], ring["y"], strict=True)
        ]
        rings_of.setdefault(int(plot_no), []).append(Ring(int(ring_no), points))
    plots = []
    for i, (_, row) in enumerate(gdf.iterrows(), start=1):
        # an empty polygon is one ring without points (writing it says so)
        empty = [Ring(1, [])] if isinstance(row.geometry, Polygon) else []
        number = str(row["number"]) if "number" in gdf.columns else str(i)
        name = str(row["name"]) if "name" in gdf.columns else ""
        rings = rings_of.get(i, empty)
        for column, attribute in (("top_m", "top_m"), ("bottom_m", "bottom_m")):
            value = row[column] if column in gdf.columns else None
            if isinstance(value, int | float) and math.isfinite(value):
                for ring in rings:  # the block's elevation range (标高) on every area
                    setattr(ring, attribute, float(value))
        plots.append(Plot(number, name, "面", rings=rings))
    return plots


def _crs_as_is(crs: pyproj.CRS | None, epsg: int | None) -> pyproj.CRS:
    if crs is not None:
        return crs
    # unknown CRS: any CRS transformed to itself leaves the numbers as they are
    return pyproj.CRS.from_epsg(epsg if epsg is not None else STORE_EPSG)


def check_plot_geometry(plot: Plot, problems: Problems) -> None:
    """Report a 面 plot that crosses itself or another ring (other problems are reported
    where they are found)."""
    if plot.kind != "面" or not plot.rings:
        return
    if any(len({(p.x_northing, p.y_easting) for p in r.points}) < 3 for r in plot.rings):
        return  # already reported
    geom = plot_geometry(plot)
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        what = (
            "crosses itself or another ring" if "intersection" in reason.lower() else "is invalid"
        )
        problems.error(
            plot.line_no,
            f"plot {plot.number or '?'} ({plot.name}) {what}: {reason}; fix the vertex order "
            "or the ring numbers in the source drawing",
        )

