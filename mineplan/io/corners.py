"""The corner-point (拐点) table: one row per vertex, numbered as the registry numbers them.

Every place that lists a polygon's corners — the coordinate sheet of a findings
workbook, the corner table of a zone sheet, the coordinate TXT writers — takes its
rows from :func:`corner_table`, so a point called J3 in one is J3 in all.

Numbering: plots 1…n in the order given; within a plot, rings 1…m (圈号: each part's
exterior, then its holes, part after part); within a ring, points J1…Jk in the ring's
own order, the closing repeat dropped — unless the source named its points (a
coordinate file's 点号 1, 2 … or J1, J2 …: the reader keeps them as a frame's
``attrs["point_names"]``, see :func:`point_names_of`), then each point keeps its own
name, as the coordinate TXT writers keep it. Vertices keep their original order — nothing
is re-oriented here. A vertex that coincides with the one before it at the printed
precision (:data:`~mineplan.vocab.PLANE_DECIMALS` metres, when ``plane_crs`` is
projected) is not a corner of its own and is not listed: clipping and union leave runs
of such sub-centimetre vertices (on the 伊宁市 国家规划矿区 J10–J12 were one point
printed three times).

May import: vocab, geodesy. Pure: no file is read or written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from mineplan.vocab import PLANE_DECIMALS, STORE_CRS

if TYPE_CHECKING:  # pandas loads when a table is made, not when a coordinate TXT is read
    import pandas as pd

__all__ = ["CORNER_COLUMNS", "corner_table", "point_names_of"]

#: Columns of :func:`corner_table`: plot number, ring number (圈号), point name (J1…),
#: whether the ring is a hole, X (northing, m), Y (easting, m), longitude, latitude.
CORNER_COLUMNS: tuple[str, ...] = ("plot", "ring", "point", "hole", "x", "y", "lon", "lat")


#: Point names per plot, per ring (the order of :func:`corner_table`'s rings), per point.
PointNames = Sequence[Sequence[Sequence[str]]]


def point_names_of(frame: pd.DataFrame) -> PointNames | None:
    """The source's point names for ``frame``'s rows, as :func:`corner_table` takes them.

    A coordinate reader leaves them on ``frame.attrs["point_names"]``, one entry per
    plot as read (row labels 0…n-1). pandas carries ``attrs`` into a selection of rows
    (one plot of a batch), so the names are picked by each row's label; a frame whose
    labels are not those (re-indexed) gets none, and is numbered J1….
    """
    names = frame.attrs.get("point_names")
    if not isinstance(names, list):
        return None
    labels = list(frame.index)
    if not all(isinstance(i, int | np.integer) and 0 <= i < len(names) for i in labels):
        return None
    return [names[int(i)] for i in labels]


def corner_table(
    geometries: Iterable[BaseGeometry | None],
    *,
    plane_crs: pyproj.CRS | str | int,
    crs: pyproj.CRS | str | int = STORE_CRS,
    point_names: PointNames | None = None,
) -> pd.DataFrame:
    """One row per corner of each polygon, numbered as in registration files.

    Parameters
    ----------
    geometries
        Polygons or multipolygons in ``crs``; None or empty ones are skipped but still
        use up their plot number (so plot numbers follow the input rows).
    plane_crs
        The Gauss-Kruger CRS whose X (northing) and Y (easting) are listed, metres.
    crs
        The CRS of ``geometries`` (geographic; default the store's CGCS2000).
    point_names
        The source's own point names (:func:`point_names_of`): per plot in the order
        of ``geometries``, per ring, per vertex (closing repeat dropped). A plot whose
        rings do not match them vertex for vertex (changed since it was read) is
        numbered J1… as a plot without names.

    Returns
    -------
    pandas.DataFrame
        :data:`CORNER_COLUMNS`; ``x``/``y`` in metres of ``plane_crs`` and ``lon``/``lat``
        in degrees of ``crs``, unrounded (round only for display).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> t = corner_table([box(84.0, 44.0, 84.01, 44.01)], plane_crs=4516)
    >>> list(t["point"]), sorted(set(t["ring"]))
    (['J1', 'J2', 'J3', 'J4'], [1])
    >>> round(float(t["y"].iloc[0]) // 1_000_000)
    28
    >>> names = [[["1", "2", "3", "4"]]]
    >>> list(corner_table([box(84.0, 44.0, 84.01, 44.01)], plane_crs=4516,
    ...                   point_names=names)["point"])
    ['1', '2', '3', '4']
    """
    to_plane = pyproj.Transformer.from_crs(crs, plane_crs, always_xy=True)
    metres = pyproj.CRS.from_user_input(plane_crs).is_projected  # degrees: nothing merged
    rows: list[tuple[int, int, str, bool, float, float, float, float]] = []
    for plot, geom in enumerate(geometries, start=1):
        if geom is None or geom.is_empty:
            continue
        rings = [(hole, np.asarray(ring.coords)[:-1])
                 for part in getattr(geom, "geoms", [geom]) if isinstance(part, shapely.Polygon)
                 for hole, ring in [(False, part.exterior),
                                    *((True, h) for h in part.interiors)]]
        given = _names_for(point_names, plot - 1, [len(c) for _, c in rings])
        for ring_no, (hole, coords) in enumerate(rings, start=1):
            east, north = to_plane.transform(coords[:, 0], coords[:, 1])
            keep = (_distinct_as_printed(np.round(north, PLANE_DECIMALS),
                                         np.round(east, PLANE_DECIMALS)) if metres
                    else np.ones(len(coords), dtype=bool))
            for j, k in enumerate(np.flatnonzero(keep)):
                name = str(given[ring_no - 1][int(k)]) if given else f"J{j + 1}"
                rows.append((plot, ring_no, name, hole, float(north[k]),
                             float(east[k]), float(coords[k, 0]), float(coords[k, 1])))
    import pandas as pd

    return pd.DataFrame(rows, columns=list(CORNER_COLUMNS))


def _names_for(names: PointNames | None, index: int,
               lengths: list[int]) -> Sequence[Sequence[str]] | None:
    """The names of plot ``index`` when they fit its rings vertex for vertex, else None."""
    if names is None or index >= len(names):
        return None
    plot = names[index]
    if not isinstance(plot, Sequence) or [len(r) for r in plot] != lengths:
        return None
    if not all(str(n).strip() for ring in plot for n in ring):
        return None
    return plot


def _distinct_as_printed(north: np.ndarray, east: np.ndarray) -> np.ndarray:
    """Which vertices of a ring (closing repeat already dropped) are corners of their own:
    not equal, as printed, to the last one kept, nor (at the end) to the first."""
    keep = np.zeros(len(north), dtype=bool)
    last: tuple[float, float] | None = None
    for k in range(len(north)):
        here = (float(north[k]), float(east[k]))
        if here != last:
            keep[k] = True
            last = here
    kept = np.flatnonzero(keep)
    first = (float(north[kept[0]]), float(east[kept[0]])) if len(kept) else None
    for k in kept[:0:-1]:  # a run at the end that closes onto the first point
        if (float(north[k]), float(east[k])) != first:
            break
        keep[k] = False
    return keep
