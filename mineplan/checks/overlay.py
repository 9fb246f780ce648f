"""Overlap of blocks with a control layer (red lines, rights), never double-counted.

A control layer may overlap itself (merged county deliveries, or rights that
touch): the overlap of a block with it is the block's intersection with the
*union* of the layer's features that touch it, so shared ground counts once.
Areas are ellipsoidal (CGCS2000, :func:`mineplan.geodesy.ellipsoidal_area_km2`).

:class:`PreparedLayer` holds the layer once, with a spatial index, for fast
repeated checks; the geometry used is always the layer's own, never a
simplified display copy.

How it stays fast on provincial layers
--------------------------------------
The overlap is computed exactly as the straightforward way does it — every
block is intersected with every feature it touches and the pieces are dissolved —
so the figures agree with ``geopandas.overlay`` + ``dissolve`` to rounding. What
changes is how much of a feature each intersection has to read:

* one bulk spatial-index query finds every (block, feature) pair at once;
* a feature with many vertices (a red line of 50,000+ vertices) is first cut to a
  *window*: the block's bounding box widened by a margin, then grown until every
  run of the feature's rings that reaches it lies inside it whole. The window's
  edges lie outside the block and cut no edge the block meets, so the block's
  intersection with the window piece has the same vertices, bit for bit, as with
  the whole feature;
* cutting would still read the whole feature, so its rings are kept in runs
  ("chunks") of :data:`_CHUNK` vertices with their bounding boxes; a run whose
  box misses the window is replaced by the straight edge between its ends, which
  lies inside that box and so outside the window. Only the runs near the block
  are read. The run holding the ring's topmost vertex is always kept whole, so
  the ring keeps the orientation GEOS reads from it;
* validity is checked (and repaired with ``make_valid``) once per feature, the
  first time a block touches it; an invalid *block* is repaired too, with a note in
  the result, as ``geopandas.overlay`` repairs it — never a GEOS error;
* pieces are dissolved per block in feature order, as ``dissolve`` does. Order
  matters at the 1e-6 level: GEOS keeps nodes where pieces meet on a block's edge,
  and the vertex-based ellipsoidal area sees them;
* the (block, feature) pairs are cut and dissolved in batches (never splitting a
  block's pairs) on a few threads: shapely's vectorised GEOS calls release the GIL,
  so one batch intersects while another builds its windows, and only the batches in
  flight hold pieces. Validity is checked on the threads too, and areas are measured
  in runs of :data:`_AREA_VERTICES` vertices. Figures and pieces are bit for bit
  those of one serial pass (``tests/test_overlay.py``).

A prepared layer caches repairs and chunked rings as it goes (under locks, so threads
may share one); the chunked rings, a second copy of the large features' coordinates, are
bounded (:data:`_CHUNK_CACHE_VERTICES`, least recently used out), and a plan-wide pass
visits blocks in Hilbert-curve order so a feature's blocks come together and it is
seldom chunked twice: a pass peaks near the size of its data, whatever the layer.
:func:`prepared_layer` keeps the last few prepared
layers, keyed on the layer's geometries, so checks that read the same layer again
(a web session, every plan of ``check --plan all``) reuse that work.
``bench/bench_overlap.py`` measures all this against the simple path (STRtree +
vectorised intersection + union per block, whole features) and ``geopandas.overlay``
on a provincial-scale layer.

May import: vocab, errors, geodesy. Never web, figures or cli.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from mineplan.errors import CRSError
from mineplan.features import Features
from mineplan.geodesy import ellipsoidal_areas_km2
from mineplan.vocab import STORE_CRS

if TYPE_CHECKING:  # a plan-wide pass measures frames; one proposal needs no pandas
    import geopandas as gpd
    import pandas as pd

__all__ = ["Overlap", "PreparedLayer", "prepared_layer"]

logger = logging.getLogger(__name__)

#: Features with more vertices than this are cut to a window around each block.
_WINDOW_MIN_VERTICES = 2_000
#: Vertices per run of a ring when skipping the parts far from a window.
_CHUNK = 128
#: The window is the block's bounding box widened by this share of its size …
_WINDOW_MARGIN_SHARE = 0.1
#: … and at least this many degrees (≈ 10 m), so its edges never touch the block.
_WINDOW_MARGIN_MIN = 1e-4

#: (block, feature) pairs cut and dissolved per batch, at most: only one batch's pieces
#: per thread are alive at a time, so memory stays near the size of the data.
_BATCH_PAIRS = 4_096
#: Threads that cut and dissolve batches (GEOS releases the GIL in shapely's vectorised
#: functions: one thread's intersections run while another builds its windows).
_THREADS = max(1, min(4, os.cpu_count() or 1))
#: Vertices measured per run of the area stage: bounds its temporary arrays (~25 × 8 B a
#: vertex, ~10 MB a run; 250,000 took 50 MB and more CPU, cache-unfriendly).
_AREA_VERTICES = 50_000
#: Vertices of chunked rings a layer keeps, at most (~16 B each; the least recently used
#: feature goes first). Plan-wide passes visit blocks in Hilbert-curve order, so a
#: large feature's blocks come together and it is seldom chunked twice.
_CHUNK_CACHE_VERTICES = 4_000_000
#: Features validated per task when several threads check validity.
_VALIDATE_CHUNK = 256

_IntArray = NDArray[np.intp]
_GeomArray = NDArray[np.object_]


class Overlap(NamedTuple):
    """The overlap of one block with a layer (:meth:`PreparedLayer.overlap_one`)."""

    #: Ellipsoidal area of the block, km² (CGCS2000).
    block_km2: float
    #: Ellipsoidal area of the block inside the layer, km², shared ground counted once.
    overlap_km2: float
    #: ``overlap_km2`` as a share of ``block_km2``, 0–100 (0 for a block without area).
    overlap_pct: float
    #: Why the block was repaired before measuring, else "".
    note: str
    #: The part of the block inside the layer (EPSG:4490).
    pieces: BaseGeometry


@dataclass(frozen=True)
class _Ring:
    """One ring of a large feature, with the bounding boxes of its runs."""

    coords: NDArray[np.float64]  # (n, 2), closed (first == last)
    box: NDArray[np.float64]  # (4,) minx, miny, maxx, maxy of the whole ring
    starts: _IntArray  # first vertex of each run; run k is starts[k] .. starts[k + 1]
    run_boxes: NDArray[np.float64]  # (runs, 4)
    keep: NDArray[np.bool_]  # runs always kept whole (around the topmost vertex)


@dataclass(frozen=True)
class _Chunked:
    """A large polygonal feature as chunked rings, per polygon part."""

    parts: list[list[_Ring]]  # per polygon: shell first, then holes
    run_boxes: NDArray[np.float64]  # (runs, 4), the runs of every ring
    vertices: int  # of every ring (what the layer's cache counts)


class PreparedLayer:
    """A control layer ready for repeated overlap queries.

    Parameters
    ----------
    frame
        The layer's features (:class:`~mineplan.features.Features` or a frame), any
        CRS (reprojected to EPSG:4490); invalid geometry is repaired with
        ``make_valid`` (the caller reports it).
    invalid
        What the store knows of this very frame's validity (positions of its invalid
        geometries, :func:`mineplan.store.layer_facts`): every other feature is taken as
        checked, so a cold check does not validate again. None: validate on first use.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> layer = PreparedLayer(gpd.GeoDataFrame(geometry=[box(80, 40, 81, 41)], crs=4490))
    >>> blocks = gpd.GeoSeries([box(80.9, 40.5, 81.1, 40.6)], index=["A"], crs=4490)
    >>> round(float(layer.overlap(blocks).loc["A", "overlap_pct"]), 1)
    50.0
    """

    def __init__(self, frame: Features | gpd.GeoDataFrame | gpd.GeoSeries, *,
                 invalid: Sequence[int] | None = None) -> None:
        if frame.crs is None:
            raise CRSError(f"control layer has no CRS; set it (e.g. {STORE_CRS}) before checking")
        geoms = _geometries(frame.to_crs(STORE_CRS))
        keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self._geoms: _GeomArray = geoms[keep]
        if invalid is None:
            self._checked = np.zeros(len(self._geoms), dtype=bool)
        else:  # known: only these may need repair (positions in the frame, then kept ones)
            unchecked = np.zeros(len(geoms), dtype=bool)
            unchecked[np.asarray(invalid, dtype=np.intp)] = True
            self._checked = ~unchecked[keep]
        self._vertices = shapely.get_num_coordinates(self._geoms)
        self._chunked: OrderedDict[int, _Chunked] = OrderedDict()
        self._chunked_vertices = 0
        self._lock = threading.Lock()
        self._timing_lock = threading.Lock()
        self._chunk_lock = threading.Lock()
        self.tree = shapely.STRtree(self._geoms)
        #: Seconds spent per stage by the last :meth:`plan_overlap` (for benchmarks).
        self.timings: dict[str, float] = {}

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        """Add the time spent in the block to stage ``name`` (summed over threads)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            with self._timing_lock:
                self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def __len__(self) -> int:
        return len(self._geoms)

    @property
    def geometries(self) -> _GeomArray:
        """The layer's features (EPSG:4490), all checked and repaired.

        The first access validates every feature (about 0.4 s for 12 million
        vertices); queries validate only the features they touch.
        """
        self._validate(np.arange(len(self._geoms)))
        return self._geoms

    def candidates(self, block: BaseGeometry) -> _IntArray:
        """Indices of the layer's features that intersect ``block``."""
        hits = np.asarray(self.tree.query(block), dtype=np.intp)
        self._validate(hits)
        if len(hits) == 0:
            return hits
        return hits[shapely.intersects(self._geoms[hits], block)]

    def pieces(self, block: BaseGeometry) -> BaseGeometry:
        """The part of ``block`` inside the layer (EPSG:4490), overlaps dissolved.

        An invalid block is repaired first, as :meth:`plan_overlap` does.
        """
        blocks, _ = _repaired(np.asarray([block], dtype=object))
        return self._overlap_geometries(blocks)[0][0]

    def overlap(self, blocks: gpd.GeoSeries | gpd.GeoDataFrame) -> pd.DataFrame:
        """Overlap of each block with the layer.

        Returns
        -------
        pandas.DataFrame
            Index of ``blocks``; ``block_km2`` (ellipsoidal area of the block),
            ``overlap_km2`` (ellipsoidal area inside the layer, counted once),
            ``overlap_pct`` (0–100), ``note`` (why a block was repaired, else "") and
            ``pieces`` (the overlap geometry, EPSG:4490).
        """
        return self.plan_overlap(blocks, keep_pieces=True)

    def plan_overlap(
        self, blocks: gpd.GeoSeries | gpd.GeoDataFrame, *, keep_pieces: bool = False
    ) -> pd.DataFrame:
        """Overlap of many blocks at once (a whole plan), in one bulk pass.

        An invalid block (a self-crossing ring, two parts that cross) is repaired
        with ``make_valid`` first, as ``geopandas.overlay`` does, and measured as
        repaired; its ``note`` says so and why. It never raises a GEOS error.

        Parameters
        ----------
        blocks
            Planning blocks with a CRS (reprojected to EPSG:4490).
        keep_pieces
            Also return the overlap geometry of every block (column ``pieces``).

        Returns
        -------
        pandas.DataFrame
            As :meth:`overlap`: index of ``blocks``; ``block_km2``, ``overlap_km2``
            (km², ellipsoidal, CGCS2000, shared ground counted once), ``overlap_pct``
            (0–100), ``note`` ("" unless the block was repaired) and ``pieces`` if asked.
        """
        import pandas as pd

        series = blocks.geometry if hasattr(blocks, "columns") else blocks
        if series.crs is None:
            raise CRSError("blocks have no CRS; set it before checking")
        series = series.to_crs(STORE_CRS)
        km2, piece_km2, notes, pieces = self._measure(np.asarray(series.array, dtype=object),
                                                      keep_pieces=keep_pieces)
        block_km2 = pd.Series(km2, index=series.index)
        overlap_km2 = pd.Series(piece_km2, index=series.index).fillna(0.0)
        pct = (overlap_km2 / block_km2.where(block_km2 > 0)).fillna(0.0) * 100
        columns: dict[str, object] = {
            "block_km2": block_km2,
            "overlap_km2": overlap_km2,
            "overlap_pct": pct,
            "note": notes,
        }
        if keep_pieces:
            columns["pieces"] = list(pieces)
        return pd.DataFrame(columns, index=series.index)

    def overlap_one(self, block: BaseGeometry) -> Overlap:
        """The overlap of one block (EPSG:4490) with the layer, as :meth:`overlap`
        measures it — the same figures, without pandas (a pre-grant check)."""
        km2, piece_km2, notes, pieces = self._measure(np.asarray([block], dtype=object),
                                                      keep_pieces=True)
        block_km2 = float(km2[0])
        overlap_km2 = 0.0 if np.isnan(piece_km2[0]) else float(piece_km2[0])
        pct = overlap_km2 / block_km2 * 100 if block_km2 > 0 else 0.0
        return Overlap(block_km2, overlap_km2, pct, notes[0], pieces[0])

    def _measure(self, blocks: _GeomArray, *, keep_pieces: bool
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64], list[str], _GeomArray]:
        """(block km², overlap km², repair notes, pieces) of blocks in EPSG:4490."""
        self.timings = {}
        with self._stage("validate"):
            geoms, notes = _repaired(blocks)
        # each batch's pieces are measured on its thread, and dropped unless asked for
        pieces, piece_km2 = self._overlap_geometries(geoms, keep=keep_pieces, measure=True)
        with self._stage("area"):
            km2 = _areas_km2(geoms)
        return km2, piece_km2, notes, pieces

    # ------------------------------------------------------------------ internals

    def _validate(self, indices: _IntArray) -> None:
        """Check (once) and repair the features at ``indices``.

        Under the layer's lock: a thread that finds a feature checked reads it repaired.
        """
        if self._checked[indices].all():
            return
        with self._lock:
            todo = np.unique(indices[~self._checked[indices]])
            if len(todo) == 0:
                return
            invalid = todo[~_is_valid(self._geoms[todo])]
            if len(invalid):
                logger.debug("repairing %d invalid control-layer features", len(invalid))
                repaired = shapely.make_valid(self._geoms[invalid])
                self._geoms[invalid] = [_areal(g) for g in repaired]  # as overlay keeps them
                self._vertices[invalid] = shapely.get_num_coordinates(self._geoms[invalid])
                with self._chunk_lock:
                    for index in invalid:
                        gone = self._chunked.pop(int(index), None)
                        self._chunked_vertices -= 0 if gone is None else gone.vertices
            self._checked[todo] = True

    def _overlap_geometries(self, blocks: _GeomArray, *, keep: bool = True,
                            measure: bool = False) -> tuple[_GeomArray, NDArray[np.float64]]:
        """Per block, the union of its intersections with every touching feature (empty
        polygons unless ``keep``) and, if ``measure``, its area in km² (0 where none)."""
        result = np.empty(len(blocks), dtype=object)
        result[:] = [shapely.Polygon()] * len(blocks)
        km2 = np.zeros(len(blocks))
        present = ~(shapely.is_missing(blocks) | shapely.is_empty(blocks))
        if not present.any() or len(self._geoms) == 0:
            return result, km2
        which = np.flatnonzero(present)
        with self._stage("query"):
            block_at, feature = self.tree.query(blocks[which])
            block_at = which[block_at]
        if len(block_at) == 0:
            return result, km2
        with self._stage("validate"):
            self._validate(feature)
        # Dissolve in feature order, as overlay + dissolve does: GEOS keeps the nodes
        # where pieces meet on a block edge, and which nodes survive depends on the
        # order; the vertex-based ellipsoidal area sees them (up to ~1e-6 relative).
        # Blocks in Hilbert-curve order of their centres (each block's pairs together, in
        # feature order): neighbouring blocks share batches, so a large feature's chunked
        # rings serve its blocks in a row and the bounded cache seldom chunks it twice.
        curve = np.zeros(len(blocks), dtype=np.int64)
        if len(which) > 1:  # one block has no order to choose
            import geopandas as gpd

            curve[which] = gpd.GeoSeries(blocks[which]).hilbert_distance()
        order = np.lexsort((feature, block_at, curve[block_at]))
        block_at, feature = block_at[order], feature[order]
        batches = _batches(block_at)

        def run(batch: tuple[int, int]) -> tuple[_IntArray, _GeomArray | None,
                                                 NDArray[np.float64] | None]:
            lo, hi = batch
            at, pieces = self._dissolved(blocks, block_at[lo:hi], feature[lo:hi])
            area = None
            if measure and len(pieces):
                with self._stage("area"):
                    area = _areas_km2(pieces)
            return at, (pieces if keep else None), area

        def take(done: Iterator[tuple[_IntArray, _GeomArray | None,
                                      NDArray[np.float64] | None]]) -> None:
            for at, pieces, area in done:
                if pieces is not None:
                    result[at] = pieces
                if area is not None:
                    km2[at] = area

        if len(batches) == 1 or _THREADS == 1:
            take(map(run, batches))
        else:
            with ThreadPoolExecutor(_THREADS, thread_name_prefix="overlap") as pool:
                take(pool.map(run, batches))  # in order, as each batch is done
        return result, km2

    def _dissolved(self, blocks: _GeomArray, block_at: _IntArray,
                   feature: _IntArray) -> tuple[_IntArray, _GeomArray]:
        """One batch of (block, feature) pairs, sorted by block then feature, every block's
        pairs in it: the blocks met and, per block, the union of its pieces."""
        with self._stage("windows"):
            parts = self._features_near(blocks[block_at], feature)
        with self._stage("intersect"):
            cut = _areal_array(shapely.intersection(blocks[block_at], parts))
        del parts
        nonempty = ~shapely.is_empty(cut)
        block_at, cut = block_at[nonempty], cut[nonempty]
        if len(block_at) == 0:
            return block_at, cut
        bounds = np.flatnonzero(np.r_[True, block_at[1:] != block_at[:-1], True])
        pieces = np.empty(len(bounds) - 1, dtype=object)
        with self._stage("dissolve"):
            for k, (lo, hi) in enumerate(itertools.pairwise(bounds)):
                pieces[k] = cut[lo] if hi - lo == 1 else shapely.union_all(cut[lo:hi])
        return block_at[bounds[:-1]], pieces

    def _features_near(self, blocks: _GeomArray, feature: _IntArray) -> _GeomArray:
        """Each feature, or for large ones its part in a window around the block."""
        parts = self._geoms[feature].copy()
        large = np.flatnonzero(self._vertices[feature] > _WINDOW_MIN_VERTICES)
        if len(large) == 0:
            return parts
        windows = _windows(shapely.bounds(blocks[large]))
        for row, window in zip(large, windows, strict=True):
            parts[row] = self._window_piece(int(feature[row]), window)
        return parts

    def _window_piece(self, index: int, window: NDArray[np.float64]) -> BaseGeometry:
        """Feature ``index`` cut to ``window`` (minx, miny, maxx, maxy)."""
        chunked = self._chunked_feature(index)
        window = _widen(chunked, window)
        reduced = _reduce(chunked, window)
        if reduced is None:
            return shapely.Polygon()
        piece = shapely.clip_by_rect(reduced, *window)
        if not piece.is_empty and not piece.is_valid:  # pragma: no cover - defensive
            logger.debug("window cut of feature %d is invalid; using the whole feature", index)
            return self._geoms[index]
        return piece

    def _chunked_feature(self, index: int) -> _Chunked:
        """Feature ``index`` as chunked rings, from the bounded cache or chunked now."""
        with self._chunk_lock:
            chunked = self._chunked.get(index)
            if chunked is not None:
                self._chunked.move_to_end(index)
                return chunked
        chunked = _chunk(self._geoms[index])  # outside the lock: threads chunk at once
        with self._chunk_lock:
            if index not in self._chunked:
                self._chunked[index] = chunked
                self._chunked_vertices += chunked.vertices
                while self._chunked_vertices > _CHUNK_CACHE_VERTICES and len(self._chunked) > 1:
                    _, gone = self._chunked.popitem(last=False)
                    self._chunked_vertices -= gone.vertices
        return chunked


#: How many prepared layers :func:`prepared_layer` keeps.
_CACHE_SIZE = 4
_cache: OrderedDict[tuple[str, str, int], tuple[PreparedLayer, _GeomArray]] = OrderedDict()
_cache_lock = threading.Lock()


def prepared_layer(frame: Features | gpd.GeoDataFrame | gpd.GeoSeries, *,
                   invalid: Sequence[int] | None = None) -> PreparedLayer:
    """A :class:`PreparedLayer` of ``frame``, shared with earlier calls on the same layer.

    ``invalid``: as :class:`PreparedLayer`, what the store knows of the frame's validity.

    The key is the layer's geometries — the very geometry objects, in order, and the
    CRS — so it costs a hash of one pointer per feature, not of the coordinates. The
    entry keeps those objects alive, so a key is never reused by other geometry. The
    last :data:`_CACHE_SIZE` layers are kept; their repairs and chunked rings are reused.
    """
    if frame.crs is None:
        return PreparedLayer(frame, invalid=invalid)  # raises the CRSError
    geoms = _geometries(frame)
    key = (hashlib.blake2b(geoms.tobytes(), digest_size=16).hexdigest(),
           frame.crs.to_string(), len(geoms))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit[0]
    layer = PreparedLayer(frame, invalid=invalid)
    with _cache_lock:
        _cache[key] = (layer, geoms.copy())
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return layer


def _geometries(frame: Features | gpd.GeoDataFrame | gpd.GeoSeries) -> _GeomArray:
    """The geometries of features, a frame or a series, as an object array."""
    if isinstance(frame, Features):
        return frame.geometry
    array = frame.geometry.array if hasattr(frame, "columns") else frame.array
    return np.asarray(array, dtype=object)


def _repaired(blocks: _GeomArray) -> tuple[_GeomArray, list[str]]:
    """The blocks with every invalid one repaired (its polygonal part), and a note for each."""
    notes = [""] * len(blocks)
    present = np.flatnonzero(~(shapely.is_missing(blocks) | shapely.is_empty(blocks)))
    invalid = present[~shapely.is_valid(blocks[present])]
    if len(invalid) == 0:
        return blocks, notes
    blocks = blocks.copy()
    for i in invalid:
        reason = shapely.is_valid_reason(blocks[i])
        blocks[i] = _areal(shapely.make_valid(blocks[i]))
        notes[i] = f"区块图形无效（{reason}），已修复（make_valid）后计算"
    logger.info("repaired %d invalid blocks before measuring their overlap", len(invalid))
    return blocks, notes


def _areas_km2(geoms: _GeomArray) -> NDArray[np.float64]:
    """Ellipsoidal areas (km², EPSG:4490) in runs of about :data:`_AREA_VERTICES` vertices:
    the same figures, bit for bit (each ring is summed whole, in order), without holding
    a dozen arrays the size of every vertex of a plan at once."""
    ends = np.cumsum(shapely.get_num_coordinates(geoms))
    cuts = [0]
    while cuts[-1] < len(geoms):
        base = int(ends[cuts[-1] - 1]) if cuts[-1] else 0
        cuts.append(max(cuts[-1] + 1, int(np.searchsorted(ends, base + _AREA_VERTICES))))
    cuts[-1] = min(cuts[-1], len(geoms))
    return np.concatenate([
        ellipsoidal_areas_km2(geoms[lo:hi], crs=STORE_CRS, validate=False)
        for lo, hi in itertools.pairwise(cuts)
    ])


def _batches(block_at: _IntArray) -> list[tuple[int, int]]:
    """(start, stop) of batches of the sorted pairs, split only between blocks: about
    four per thread, at most :data:`_BATCH_PAIRS` pairs (more only for a single block
    that meets more features)."""
    n = len(block_at)
    size = _BATCH_PAIRS
    if _THREADS > 1:
        size = min(size, max(64, math.ceil(n / (4 * _THREADS))))
    starts = np.flatnonzero(np.r_[True, block_at[1:] != block_at[:-1]])  # each block's first
    cuts = [0]
    while cuts[-1] < n:
        if cuts[-1] + size >= n:
            cuts.append(n)
            break
        at = int(np.searchsorted(starts, cuts[-1] + size, side="right")) - 1
        cuts.append(int(starts[at]) if starts[at] > cuts[-1] else
                    (int(starts[at + 1]) if at + 1 < len(starts) else n))
    return list(itertools.pairwise(cuts))


def _is_valid(geoms: _GeomArray) -> NDArray[np.bool_]:
    """``shapely.is_valid``, in chunks over the threads when there are many features."""
    if _THREADS == 1 or len(geoms) <= _VALIDATE_CHUNK:
        return np.asarray(shapely.is_valid(geoms), dtype=bool)
    chunks = [geoms[i : i + _VALIDATE_CHUNK] for i in range(0, len(geoms), _VALIDATE_CHUNK)]
    with ThreadPoolExecutor(_THREADS, thread_name_prefix="validate") as pool:
        return np.concatenate(list(pool.map(shapely.is_valid, chunks))).astype(bool)


def _windows(bounds: NDArray[np.float64]) -> NDArray[np.float64]:
    """Bounding boxes widened by a margin, so their edges stay clear of the blocks."""
    size = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    margin = np.maximum(size * _WINDOW_MARGIN_SHARE, _WINDOW_MARGIN_MIN)[:, None]
    return bounds + np.hstack([-margin, -margin, margin, margin])


def _chunk(geom: BaseGeometry) -> _Chunked:
    """Split the rings of a polygonal feature into runs with bounding boxes."""
    areal = _areal(geom)
    polygons = [areal] if areal.geom_type == "Polygon" else list(shapely.get_parts(areal))
    # every ring's coordinates in one array, without a geometry per ring
    _, coords, (ring_at, polygon_at) = shapely.to_ragged_array(
        np.asarray(polygons, dtype=object), include_z=False)
    parts = [[_chunk_ring(coords[ring_at[r] : ring_at[r + 1]])
              for r in range(polygon_at[k], polygon_at[k + 1])] for k in range(len(polygons))]
    return _Chunked(parts, np.concatenate([r.run_boxes for rings in parts for r in rings]),
                    len(coords))


def _chunk_ring(coords: NDArray[np.float64]) -> _Ring:
    n = len(coords) - 1  # closed: last == first
    starts = np.arange(0, n, _CHUNK, dtype=np.intp)
    ends = np.minimum(starts + _CHUNK, n)
    lo_x = np.minimum.reduceat(coords[:n, 0], starts)
    lo_y = np.minimum.reduceat(coords[:n, 1], starts)
    hi_x = np.maximum.reduceat(coords[:n, 0], starts)
    hi_y = np.maximum.reduceat(coords[:n, 1], starts)
    # a run includes its end vertex (the next run's start)
    end_xy = coords[ends]
    run_boxes = np.column_stack(
        [
            np.minimum(lo_x, end_xy[:, 0]),
            np.minimum(lo_y, end_xy[:, 1]),
            np.maximum(hi_x, end_xy[:, 0]),
            np.maximum(hi_y, end_xy[:, 1]),
        ]
    )
    keep = np.zeros(len(starts), dtype=bool)
    top = int(np.argmax(coords[:n, 1])) // _CHUNK
    keep[[top - 1, top, (top + 1) % len(starts)]] = True  # neighbours of the topmost vertex
    box = np.array(
        [run_boxes[:, 0].min(), run_boxes[:, 1].min(), run_boxes[:, 2].max(), run_boxes[:, 3].max()]
    )
    return _Ring(coords, box, np.r_[starts, n], run_boxes, keep)


def _misses(boxes: NDArray[np.float64], window: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Which boxes lie strictly outside ``window`` (share no point with it)."""
    return (
        (boxes[..., 2] < window[0])
        | (boxes[..., 0] > window[2])
        | (boxes[..., 3] < window[1])
        | (boxes[..., 1] > window[3])
    )


def _widen(chunked: _Chunked, window: NDArray[np.float64]) -> NDArray[np.float64]:
    """``window`` grown to hold whole every run that reaches it.

    Every edge that can meet the block then lies strictly inside the window, so the
    cut never shortens such an edge: the block meets the very same segments as with
    the whole feature, and the crossing points come out bit for bit the same.
    """
    runs = chunked.run_boxes
    near = runs[~_misses(runs, window)]
    if len(near) == 0:
        return window
    grown = np.array(
        [
            min(window[0], near[:, 0].min()),
            min(window[1], near[:, 1].min()),
            max(window[2], near[:, 2].max()),
            max(window[3], near[:, 3].max()),
        ]
    )
    pad = _WINDOW_MARGIN_MIN * 1e-3
    return grown + np.array([-pad, -pad, pad, pad])


def _reduce(chunked: _Chunked, window: NDArray[np.float64]) -> BaseGeometry | None:
    """The feature with every run far from ``window`` shortened to a straight edge.

    Inside the window the result is the same point set with the same vertices;
    outside it the rings may cross themselves, which rectangle clipping ignores.
    None if no part of the feature reaches the window.
    """
    polygons = []
    for rings in chunked.parts:
        shell = rings[0]
        if _misses(shell.box, window):
            continue
        kept = [_reduce_ring(shell, window)]
        kept += [_reduce_ring(hole, window) for hole in rings[1:] if not _misses(hole.box, window)]
        polygons.append(shapely.Polygon(kept[0], kept[1:]))
    if not polygons:
        return None
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def _reduce_ring(ring: _Ring, window: NDArray[np.float64]) -> NDArray[np.float64]:
    near = ~_misses(ring.run_boxes, window) | ring.keep
    if near.all():
        return ring.coords
    starts, ends = ring.starts[:-1], ring.starts[1:]
    # a near run contributes all its vertices but the last, a far one its first only
    lengths = np.where(near, ends - starts, 1)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    index = np.arange(lengths.sum()) + offsets
    return np.vstack([ring.coords[index], ring.coords[-1:]])


def _areal_array(geoms: _GeomArray) -> _GeomArray:
    """Keep only the polygonal part of each geometry (as ``keep_geom_type`` does)."""
    types = shapely.get_type_id(geoms)
    mixed = np.flatnonzero(
        (types != shapely.GeometryType.POLYGON) & (types != shapely.GeometryType.MULTIPOLYGON)
    )
    for i in mixed:
        geoms[i] = _areal(geoms[i])
    return geoms


def _areal(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygonal part (intersections can add lines and points along edges)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [
        g
        for g in shapely.get_parts(geom)
        if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty
    ]
    if not polys:
        return shapely.Polygon()
    return polys[0] if len(polys) == 1 else shapely.union_all(polys)
