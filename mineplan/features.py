"""Features as plain columns: the low layer under the GeoDataFrames.

A pre-grant check of one small plot (``mineplan check --proposal``) is a command a
planner waits for, and importing pandas and geopandas alone takes longer than the
check itself (0.3 s of a 0.7 s run on the reference machine). So the pre-grant rules
work on :class:`Features` — a layer's geometries as a numpy array of shapely objects,
its attributes as one array per column, and its CRS — read straight from the store
(:func:`mineplan.store.read_features`) or from a coordinate file, and turned into a
GeoDataFrame only where one is needed: ``-o``, figures, reports, the web app.

This is pyogrio's split (a raw layer that knows nothing of pandas, under the
GeoDataFrame layer), not a second dataframe: a :class:`Features` only holds, selects
and reprojects; it has no index, no alignment and no arithmetic. Reprojection is
the one geopandas does (pyproj with ``always_xy``; the 2-D geometries' coordinates in
one call, then the 3-D ones'), so coordinates agree bit for bit.

May import: vocab. pandas and geopandas only inside :meth:`Features.to_frame` and
:meth:`Features.from_frame`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["Features"]


class Features:
    """Features of one layer: geometries, attribute columns and a CRS.

    Parameters
    ----------
    geometry
        One shapely geometry (or None) per feature.
    columns
        Column name → one value per feature, in column order.
    crs
        The CRS of the geometries (anything :class:`pyproj.CRS` takes), or None.
    attrs
        Facts about the whole layer carried along (as ``GeoDataFrame.attrs``), e.g.
        a coordinate file's point names.
    """

    __slots__ = ("_columns", "_crs", "_frame", "attrs", "geometry")

    def __init__(self, geometry: Sequence[Any] | NDArray[np.object_],
                 columns: Mapping[str, Sequence[Any] | NDArray[Any]] | None = None, *,
                 crs: Any = None, attrs: Mapping[str, Any] | None = None) -> None:
        geoms = np.empty(len(geometry), dtype=object)
        geoms[:] = list(geometry)
        self.geometry: NDArray[np.object_] = geoms
        self._columns: dict[str, NDArray[Any]] = {}
        for name, values in (columns or {}).items():
            array = values if isinstance(values, np.ndarray) else _array(values)
            if len(array) != len(geoms):
                raise ValueError(f"column {name!r} has {len(array)} values for "
                                 f"{len(geoms)} geometries")
            self._columns[str(name)] = array
        self._crs = None if crs is None else _crs(crs)
        self.attrs: dict[str, Any] = dict(attrs or {})
        self._frame: gpd.GeoDataFrame | None = None

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, columns: Sequence[str],
                     geometry: str = "geometry", crs: Any = None) -> Features:
        """Features from one mapping per feature (``geometry`` holds the shape).

        A column of integers is an int64 array, of numbers (None: NaN) a float64 one,
        anything else objects: the dtypes a GeoDataFrame of the same records has.
        """
        rows = list(records)
        return cls([r.get(geometry) for r in rows],
                   {c: _inferred([r.get(c) for r in rows]) for c in columns if c != geometry},
                   crs=crs)

    @classmethod
    def from_frame(cls, frame: gpd.GeoDataFrame) -> Features:
        """The features of a GeoDataFrame: its active geometry, every other column.

        :meth:`to_frame` gives that very frame back (dtypes and index as they were).
        """
        name = frame.geometry.name
        out = cls(np.asarray(frame.geometry.array, dtype=object),
                  {str(c): _values(frame[c]) for c in frame.columns if c != name},
                  crs=frame.crs, attrs=frame.attrs)
        out._frame = frame
        return out

    def to_frame(self) -> gpd.GeoDataFrame:
        """These features as a GeoDataFrame (a new RangeIndex, ``geometry`` last); the
        frame they came from when made by :meth:`from_frame`."""
        if self._frame is not None:
            return self._frame
        import geopandas as gpd
        import pandas as pd

        frame = pd.DataFrame(self._columns, columns=list(self._columns))
        out = gpd.GeoDataFrame(frame, geometry=self.geometry, crs=self._crs)
        out.attrs.update(self.attrs)
        return out

    # ------------------------------------------------------------------ reading

    @property
    def crs(self) -> pyproj.CRS | None:
        """The CRS of the geometries (None when unknown)."""
        return self._crs

    @property
    def columns(self) -> list[str]:
        """The attribute columns, in order (the geometry is not one of them)."""
        return list(self._columns)

    def __len__(self) -> int:
        return len(self.geometry)

    def __contains__(self, column: object) -> bool:
        return column in self._columns

    def __getitem__(self, column: str) -> NDArray[Any]:
        """The values of ``column``, one per feature (KeyError when there is none)."""
        return self._columns[column]

    def get(self, column: str, default: Any = None) -> Any:
        """The values of ``column``, or ``default`` when there is no such column."""
        return self._columns.get(column, default)

    @property
    def empty(self) -> bool:
        """True when there are no features."""
        return len(self.geometry) == 0

    def row(self, i: int) -> dict[str, Any]:
        """Feature ``i`` as a mapping column → value, with its ``geometry``."""
        out = {name: values[i] for name, values in self._columns.items()}
        out["geometry"] = self.geometry[i]
        return out

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every feature as :meth:`row` gives it, in order."""
        return (self.row(i) for i in range(len(self)))

    @property
    def total_bounds(self) -> NDArray[np.float64]:
        """(minx, miny, maxx, maxy) of every geometry (NaN when there is none)."""
        return np.asarray(shapely.total_bounds(self.geometry), dtype=float)

    # ------------------------------------------------------------------ deriving

    def take(self, which: NDArray[np.bool_] | NDArray[np.intp] | Sequence[int]) -> Features:
        """The features selected by a boolean mask or by positions, in that order."""
        index = np.asarray(which)
        if index.dtype != bool:
            index = index.astype(np.intp)
        return Features(self.geometry[index],
                        {name: values[index] for name, values in self._columns.items()},
                        crs=self._crs, attrs=self.attrs)

    def where(self, column: str, value: Any) -> Features:
        """The features whose ``column`` equals ``value`` (none when there is no column)."""
        if column not in self._columns:
            return self.take(np.zeros(len(self), dtype=bool))
        return self.take(np.array([v == value for v in self._columns[column]], dtype=bool))

    def intersecting(self, shape: shapely.Geometry) -> Features:
        """The features whose geometry intersects ``shape`` (same CRS)."""
        return self.take(np.asarray(shapely.intersects(self.geometry, shape), dtype=bool))

    def to_crs(self, crs: Any) -> Features:
        """The features reprojected to ``crs`` (themselves when already in it).

        As ``GeoDataFrame.to_crs``: pyproj with ``always_xy``, the coordinates of the
        2-D geometries in one call, then those of the 3-D ones (z kept).
        """
        target = _crs(crs)
        if self._crs is None:
            raise ValueError("cannot reproject features without a CRS; set it first")
        if self._crs.is_exact_same(target):
            return self
        transform = _transformer(self._crs, target).transform
        geoms = self.geometry.copy()
        has_z = np.asarray(shapely.has_z(geoms), dtype=bool)
        for part, with_z in ((~has_z, False), (has_z, True)):
            if part.any():
                xyz = shapely.get_coordinates(geoms[part], include_z=with_z)
                moved = np.array(transform(*xyz.T)).T
                geoms[part] = shapely.set_coordinates(geoms[part].copy(), moved)
        return Features(geoms, self._columns, crs=target, attrs=self.attrs)

    def __repr__(self) -> str:
        crs = self._crs.to_string() if self._crs is not None else "no CRS"
        return f"<Features: {len(self)} features, columns {self.columns}, {crs}>"


def _values(column: pd.Series) -> NDArray[Any]:
    """A frame's column as an array: numbers as they are, anything else as objects with
    None where a value is missing (as read from the store without pandas)."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufcmM":
        return column.to_numpy()
    values = column.to_numpy(dtype=object)
    missing = column.isna().to_numpy()
    if missing.any():
        values = values.copy()
        values[missing] = None
    return values


def _inferred(values: list[Any]) -> NDArray[Any]:
    """``values`` as int64 when all are integers, float64 when all are numbers or None
    (None: NaN) and at least one is a number, else as objects."""
    numbers = [v for v in values if v is not None]
    if numbers and all(isinstance(v, int | float | np.integer | np.floating)
                       and not isinstance(v, bool | np.bool_) for v in numbers):
        if len(numbers) == len(values) and all(isinstance(v, int | np.integer)
                                               for v in numbers):
            return np.array(values, dtype=np.int64)
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return _array(values)


def _array(values: Sequence[Any]) -> NDArray[Any]:
    """An object array holding ``values`` as they are (never turned into a 2-D array)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


@lru_cache(maxsize=32)
def _crs_cached(text: str) -> pyproj.CRS:
    return pyproj.CRS.from_user_input(text)


def _crs(value: Any) -> pyproj.CRS:
    if isinstance(value, pyproj.CRS):
        return value
    if isinstance(value, str | int):
        return _crs_cached(str(value) if isinstance(value, str) else f"EPSG:{value}")
    return pyproj.CRS.from_user_input(value)


@lru_cache(maxsize=32)
def _transformer(source: pyproj.CRS, target: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)
