"""Tests for mineplan.checks.overlay: overlaps counted once, exactly as overlay + dissolve."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType
from unittest import mock

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from mineplan.checks import overlay
from mineplan.checks.overlay import PreparedLayer
from mineplan.errors import CRSError
from mineplan.geodesy import ellipsoidal_area_km2

CRS = "EPSG:4490"
BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_overlap.py"


def _layer(*geoms: shapely.Geometry) -> PreparedLayer:
    return PreparedLayer(gpd.GeoDataFrame(geometry=list(geoms), crs=CRS))


def _blocks(*geoms: shapely.Geometry) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(geoms), index=[f"B{i}" for i in range(len(geoms))], crs=CRS)


def _km2(geom: shapely.Geometry) -> float:
    return float(ellipsoidal_area_km2(gpd.GeoSeries([geom], crs=CRS), validate=False).iloc[0])


def _simple_overlap_km2(features: list[shapely.Geometry], block: shapely.Geometry) -> float:
    """The plain method: intersect with every whole feature, dissolve in feature order."""
    pieces = [shapely.intersection(block, shapely.make_valid(f)) for f in features]
    areal = [
        part
        for piece in pieces
        for part in shapely.get_parts(piece)
        if part.geom_type in ("Polygon", "MultiPolygon") and not part.is_empty
    ]
    if not areal:
        return 0.0
    return _km2(areal[0] if len(areal) == 1 else shapely.union_all(areal))


def _star(cx: float, cy: float, radius: float, n: int, seed: int, *, hole: bool = False) -> Polygon:
    """A wiggly star-shaped polygon (always valid), degrees."""
    rng = np.random.default_rng(seed)
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False) + rng.random()
    r = radius * np.exp(0.4 * np.sin(3 * theta + rng.random() * 6) + 0.2 * rng.random(n))
    shell = np.c_[cx + r * np.cos(theta), cy + r * np.sin(theta)]
    holes = []
    if hole:
        t2 = np.linspace(0, 2 * np.pi, 12, endpoint=False)
        inner = 0.3 * float(r.min())
        holes.append(np.c_[cx + inner * np.cos(t2), cy + inner * np.sin(t2)][::-1])
    return Polygon(shell, holes)


def _rotated_box(cx: float, cy: float, w: float, h: float, angle: float) -> Polygon:
    corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return Polygon(corners @ rot.T + [cx, cy])


@pytest.fixture
def tiny_windows() -> object:
    """Cut every feature with more than 8 vertices, in runs of 4, to exercise windows."""
    with (
        mock.patch.object(overlay, "_WINDOW_MIN_VERTICES", 8),
        mock.patch.object(overlay, "_CHUNK", 4),
    ):
        yield


# ----------------------------------------------------------------- by construction


def test_block_half_inside_is_fifty_percent() -> None:
    layer = _layer(box(80, 40, 81, 41))
    row = layer.overlap(_blocks(box(80.9, 40.5, 81.1, 40.6))).iloc[0]
    assert row["overlap_pct"] == pytest.approx(50.0, rel=1e-9)
    assert row["overlap_km2"] == pytest.approx(row["block_km2"] / 2, rel=1e-9)
    assert row["pieces"].equals(box(80.9, 40.5, 81, 40.6))


def test_self_overlapping_layer_is_counted_once() -> None:
    feature = box(80, 40, 81, 41)
    layer = _layer(feature, feature, shapely.affinity.translate(feature, 0.05, 0.0))
    block = box(80.9, 40.5, 81.1, 40.6)
    row = layer.overlap(_blocks(block)).iloc[0]
    assert row["overlap_km2"] == pytest.approx(_km2(box(80.9, 40.5, 81.05, 40.6)), rel=1e-9)
    assert row["overlap_pct"] == pytest.approx(75.0, rel=1e-9)


def test_block_inside_a_hole_has_no_overlap() -> None:
    ring = Polygon(box(80, 40, 81, 41).exterior, [box(80.4, 40.4, 80.6, 40.6).exterior])
    row = _layer(ring).overlap(_blocks(box(80.45, 40.45, 80.55, 40.55))).iloc[0]
    assert row["overlap_km2"] == 0.0
    assert row["overlap_pct"] == 0.0
    assert row["pieces"].is_empty


def test_block_inside_a_hole_of_a_large_feature_has_no_overlap(tiny_windows: object) -> None:
    feature = _star(80.5, 40.5, 0.3, 400, seed=1, hole=True)
    layer = _layer(feature)
    inside_hole = box(80.49, 40.49, 80.51, 40.51)
    row = layer.overlap(_blocks(inside_hole)).iloc[0]
    assert row["overlap_km2"] == 0.0
    assert len(layer._chunked) == 1


def test_multipart_block_counts_both_parts() -> None:
    layer = _layer(box(80, 40, 81, 41))
    inside, outside = box(80.1, 40.1, 80.2, 40.2), box(81.1, 40.1, 81.2, 40.2)
    row = layer.overlap(_blocks(MultiPolygon([inside, outside]))).iloc[0]
    assert row["overlap_km2"] == pytest.approx(_km2(inside), rel=1e-12)
    assert row["overlap_pct"] == pytest.approx(50.0, rel=1e-6)


def test_block_inside_a_large_feature_is_whole_block(tiny_windows: object) -> None:
    feature = _star(80.5, 40.5, 0.3, 400, seed=2)
    block = _rotated_box(80.5, 40.5, 0.02, 0.01, 0.4)
    row = _layer(feature).overlap(_blocks(block)).iloc[0]
    assert row["overlap_km2"] == pytest.approx(row["block_km2"], rel=1e-12)


def test_orientation_of_rings_does_not_matter(tiny_windows: object) -> None:
    feature = _star(80.5, 40.5, 0.3, 300, seed=3, hole=True)
    blocks = _blocks(*[_rotated_box(80.5 + dx, 40.5, 0.05, 0.2, 0.3) for dx in (-0.3, 0.0, 0.3)])
    ccw = _layer(shapely.orient_polygons(feature)).overlap(blocks)["overlap_km2"]
    cw = _layer(shapely.orient_polygons(feature, exterior_cw=True)).overlap(blocks)["overlap_km2"]
    np.testing.assert_allclose(cw, ccw, rtol=1e-12)
    for block, got in zip(blocks, ccw, strict=True):
        assert got == pytest.approx(_simple_overlap_km2([feature], block), rel=1e-9)


def test_invalid_feature_is_repaired_before_measuring() -> None:
    bowtie = Polygon([(80, 40), (81, 41), (81, 40), (80, 41)])
    block = box(80.4, 40.2, 80.6, 40.8)
    row = _layer(bowtie).overlap(_blocks(block)).iloc[0]
    assert row["overlap_km2"] == pytest.approx(_simple_overlap_km2([bowtie], block), rel=1e-9)
    assert 0 < row["overlap_pct"] < 100


def test_candidates_are_features_that_really_intersect() -> None:
    diamond = Polygon([(80.5, 40), (81, 40.5), (80.5, 41), (80, 40.5)])
    layer = _layer(diamond, box(82, 40, 83, 41))
    corner = box(80, 40, 80.1, 40.1)  # inside the diamond's envelope, outside the diamond
    assert layer.candidates(corner).tolist() == []
    assert layer.candidates(box(80.4, 40.4, 82.5, 40.6)).tolist() == [0, 1]
    assert layer.pieces(corner).is_empty
    assert len(layer) == 2


def test_missing_and_empty_blocks_and_layers() -> None:
    layer = _layer(box(80, 40, 81, 41), Polygon())
    assert len(layer) == 1
    result = layer.overlap(_blocks(Polygon(), box(80.1, 40.1, 80.2, 40.2)))
    assert result["overlap_km2"].tolist()[0] == 0.0
    assert result["overlap_pct"].tolist() == [0.0, 100.0]
    empty = PreparedLayer(gpd.GeoDataFrame(geometry=[], crs=CRS))
    assert empty.overlap(_blocks(box(80, 40, 81, 41)))["overlap_km2"].tolist() == [0.0]


def test_blocks_in_gauss_kruger_are_reprojected() -> None:
    layer = _layer(box(83.5, 44.0, 84.5, 45.0))
    block = box(28_500_000, 4_900_000, 28_501_000, 4_901_000)  # 1 km² at 84E
    result = layer.plan_overlap(gpd.GeoSeries([block], crs="EPSG:4516"))
    assert result["block_km2"].iloc[0] == pytest.approx(1.0, rel=1e-6)
    assert result["overlap_pct"].iloc[0] == pytest.approx(100.0)
    assert "pieces" not in result.columns


def test_missing_crs_is_explained() -> None:
    with pytest.raises(CRSError, match="no CRS"):
        PreparedLayer(gpd.GeoDataFrame(geometry=[box(80, 40, 81, 41)]))
    with pytest.raises(CRSError, match="no CRS"):
        _layer(box(80, 40, 81, 41)).overlap(gpd.GeoSeries([box(80, 40, 81, 41)]))


def test_plan_overlap_records_stage_timings() -> None:
    layer = _layer(box(80, 40, 81, 41))
    layer.plan_overlap(_blocks(box(80.9, 40.5, 81.1, 40.6)))
    assert {"query", "intersect", "dissolve", "area"} <= set(layer.timings)


# ------------------------------------------------------------------- properties


@st.composite
def _scene(draw: st.DrawFn) -> tuple[list[Polygon], list[shapely.Geometry]]:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_features = draw(st.integers(1, 4))
    features = [
        _star(
            80 + rng.uniform(-0.1, 0.1),
            40 + rng.uniform(-0.1, 0.1),
            rng.uniform(0.02, 0.1),
            int(rng.integers(5, 80)),
            int(rng.integers(2**31)),
            hole=bool(rng.random() < 0.3),
        )
        for _ in range(n_features)
    ]
    blocks: list[shapely.Geometry] = []
    for _ in range(draw(st.integers(1, 4))):
        parts = [
            _rotated_box(
                80 + rng.uniform(-0.2, 0.2),
                40 + rng.uniform(-0.2, 0.2),
                rng.uniform(0.001, 0.1),
                rng.uniform(0.001, 0.1),
                rng.uniform(0, np.pi),
            )
            for _ in range(1 if rng.random() < 0.8 else 2)
        ]
        union = shapely.union_all(parts)
        blocks.append(union)
    return features, blocks


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scene())
def test_windows_give_the_simple_method_areas(
    scene: tuple[list[Polygon], list[shapely.Geometry]],
) -> None:
    features, blocks = scene
    with (
        mock.patch.object(overlay, "_WINDOW_MIN_VERTICES", 8),
        mock.patch.object(overlay, "_CHUNK", 4),
    ):
        result = _layer(*features).overlap(_blocks(*blocks))
    for block, (_, row) in zip(blocks, result.iterrows(), strict=True):
        expected = _simple_overlap_km2(features, block)
        assert row["overlap_km2"] == pytest.approx(expected, rel=1e-9, abs=1e-15)
        # As a figure the overlap lies inside the block; its ellipsoidal area is
        # vertex-based (TD/T 1055), and nodes GEOS leaves on a block's km-long edges
        # where pieces meet move it by up to ~1e-4, so that bound is loose.
        # (Crossing points are rounded to the nearest double, a hair either side of the
        # block's edge: the planar area may exceed the block's by ~1e-12 relative.)
        assert shapely.area(row["pieces"]) <= shapely.area(block) * (1 + 1e-9)
        assert row["pieces"].is_empty or shapely.covers(shapely.buffer(block, 1e-9), row["pieces"])
        assert row["overlap_km2"] <= row["block_km2"] * (1 + 1e-3)


# -------------------------------------------------------------------- benchmark


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_overlap", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_overlap", module)
    spec.loader.exec_module(module)
    return module


def test_benchmark_data_is_seeded_and_overlaps_itself() -> None:
    bench = _bench()
    first = bench.make_redline(40, seed=7, huge_vertices=(3_000, 4_000))
    again = bench.make_redline(40, seed=7, huge_vertices=(3_000, 4_000))
    assert first.geometry.geom_equals_exact(again.geometry, tolerance=0).all()
    geoms = first.geometry.to_numpy()
    assert shapely.is_valid(geoms).all()
    assert shapely.get_num_coordinates(geoms).max() >= 3_000
    assert shapely.area(geoms).sum() > shapely.area(shapely.union_all(geoms)) * 1.001
    blocks = bench.make_blocks(30, first, seed=7)
    km2 = ellipsoidal_area_km2(blocks)
    assert km2.between(0.09, 51).all()


def test_benchmark_methods_agree_at_small_scale() -> None:
    bench = _bench()
    redline = bench.make_redline(120, seed=3, huge_vertices=(4_000, 6_000))
    blocks = bench.make_blocks(80, redline, seed=3)
    ours, layer, stages = bench.mineplan_overlap(blocks, redline)
    theirs = bench.baseline_overlap(blocks, redline)
    assert (ours > 0).sum() > 10
    assert bench.relative_difference(ours, theirs) <= 1e-9
    assert len(layer._chunked) > 0  # the window path was taken
    assert stages["plan_overlap"] > 0
    simple, simple_layer = bench.simple_overlap(blocks, redline)
    assert bench.relative_difference(simple, theirs) <= 1e-9
    assert bench.relative_difference(ours, simple) <= 1e-9
    assert simple_layer.checked.any()  # the touched features were validated


def test_benchmark_quick_run_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert _bench().main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "max rel. difference" in out and "single check" in out
    assert "simple    :" in out and "simple path (warm)" in out


def test_invalid_block_is_repaired_with_a_note_not_a_geos_error() -> None:
    # two parts that cross: invalid as a MultiPolygon; GEOS would raise a TopologyException
    crossing = MultiPolygon([box(80.5, 40.2, 80.9, 40.6), box(80.7, 40.4, 81.2, 40.8)])
    assert not crossing.is_valid
    layer = _layer(box(80, 40, 81, 41))
    result = layer.overlap(_blocks(crossing, box(80.1, 40.1, 80.2, 40.2)))
    repaired = shapely.make_valid(crossing)
    first = result.iloc[0]
    assert first["block_km2"] == pytest.approx(_km2(repaired), rel=1e-12)
    assert first["overlap_km2"] == pytest.approx(
        _simple_overlap_km2([box(80, 40, 81, 41)], repaired), rel=1e-9)
    assert "无效" in first["note"] and "Self-intersection" in first["note"]
    assert result["note"].iloc[1] == ""
    assert layer.pieces(crossing).area == pytest.approx(first["pieces"].area)
    plan = layer.plan_overlap(_blocks(crossing))
    assert plan["overlap_km2"].iloc[0] == pytest.approx(first["overlap_km2"])


def test_prepared_layer_is_shared_for_the_same_geometries_only() -> None:
    frame = gpd.GeoDataFrame(geometry=[box(80, 40, 81, 41), box(82, 40, 83, 41)], crs=CRS)
    first = overlay.prepared_layer(frame)
    assert overlay.prepared_layer(frame) is first
    assert overlay.prepared_layer(frame.copy()) is first  # same geometry objects
    assert overlay.prepared_layer(frame.iloc[:1]) is not first
    redrawn = gpd.GeoDataFrame(geometry=[box(80, 40, 81, 41), box(82, 40, 83, 41)], crs=CRS)
    assert overlay.prepared_layer(redrawn) is not first  # new objects: not known to be equal
    assert overlay.prepared_layer(frame.set_crs("EPSG:4326", allow_override=True)) is not first
    for i in range(overlay._CACHE_SIZE):
        overlay.prepared_layer(gpd.GeoDataFrame(geometry=[box(70 + i, 40, 71 + i, 41)], crs=CRS))
    assert overlay.prepared_layer(frame) is not first  # fell out of the cache
    with pytest.raises(CRSError):
        overlay.prepared_layer(gpd.GeoDataFrame(geometry=[box(80, 40, 81, 41)]))


def test_one_prepared_layer_shared_by_threads_gives_serial_answers(tiny_windows: object) -> None:
    from concurrent.futures import ThreadPoolExecutor

    bowties = [Polygon([(80 + i, 40), (81 + i, 41), (81 + i, 40), (80 + i, 41)]) for i in range(6)]
    features = [*bowties, *(_star(80.5 + i, 40.5, 0.3, 40, seed=i) for i in range(6))]
    blocks = _blocks(*(_rotated_box(80.5 + 0.37 * k, 40.5, 0.3, 0.2, k) for k in range(16)))
    expected = _layer(*features).plan_overlap(blocks)["overlap_km2"]
    shared = _layer(*features)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: shared.plan_overlap(blocks)["overlap_km2"], range(8)))
    for got in results:
        np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())


def test_batches_split_between_blocks_only() -> None:
    """A block's pairs are never split over two batches (its pieces are dissolved together),
    every pair is in exactly one batch, and batches stay near the size asked for."""
    rng = np.random.default_rng(5)
    block_at = np.sort(rng.integers(0, 300, 5_000))
    block_at[1000:1700] = block_at[1000]  # one block meeting 700 features
    block_at = np.sort(block_at)
    with mock.patch.object(overlay, "_BATCH_PAIRS", 128), mock.patch.object(overlay, "_THREADS", 2):
        batches = overlay._batches(block_at)
    assert batches[0][0] == 0 and batches[-1][1] == len(block_at)
    assert all(hi == lo for (_, hi), (lo, _) in itertools.pairwise(batches))
    for lo, hi in batches:
        assert hi > lo
        assert lo == 0 or block_at[lo] != block_at[lo - 1]
        assert hi - lo <= 128 or len(set(block_at[lo:hi])) == 1
    assert max(hi - lo for lo, hi in batches) >= 700  # the big block, whole


@pytest.mark.parametrize("threads", [1, 2])
def test_batched_threaded_overlap_is_bit_identical_to_one_pass(
        tiny_windows: object, threads: int) -> None:
    """Cutting the pairs into batches run by threads changes no figure and no piece: each
    block's pieces are dissolved in feature order whatever the batch, as in one pass."""
    features = [_star(80.5 + 0.4 * i, 40.5 + 0.1 * (i % 3), 0.3, 60, seed=i, hole=i % 2 == 0)
                for i in range(10)]
    blocks = _blocks(*(_rotated_box(80.4 + 0.13 * k, 40.5 + 0.05 * (k % 5), 0.25, 0.15, k)
                       for k in range(40)))
    with mock.patch.object(overlay, "_BATCH_PAIRS", 10**9), \
            mock.patch.object(overlay, "_THREADS", 1):
        one_pass = _layer(*features).overlap(blocks)
    with mock.patch.object(overlay, "_BATCH_PAIRS", 8), \
            mock.patch.object(overlay, "_THREADS", threads), \
            mock.patch.object(overlay, "_VALIDATE_CHUNK", 2), \
            mock.patch.object(overlay, "_AREA_VERTICES", 50):
        batched = _layer(*features).overlap(blocks)
    assert (one_pass["overlap_km2"] > 0).sum() > 20
    for column in ("block_km2", "overlap_km2", "overlap_pct"):
        np.testing.assert_array_equal(batched[column].to_numpy(), one_pass[column].to_numpy())
    assert all(a.equals_exact(b, 0) for a, b in zip(batched["pieces"], one_pass["pieces"],
                                                    strict=True))


def test_areas_in_bounded_runs_are_the_areas_of_one_pass() -> None:
    """The area stage measures in runs of vertices; every figure is the one pass's, bit for
    bit, whatever the run length (a run always holds whole geometries)."""
    geoms = np.asarray([_star(80 + i, 40, 0.3, 30 + 7 * i, seed=i, hole=i % 3 == 0)
                        for i in range(12)] + [Polygon()], dtype=object)
    expected = ellipsoidal_area_km2(gpd.GeoSeries(geoms, crs=CRS), validate=False).to_numpy()
    for run in (1, 40, 200, 10**9):
        with mock.patch.object(overlay, "_AREA_VERTICES", run):
            np.testing.assert_array_equal(overlay._areas_km2(geoms), expected)


def test_benchmark_size_table_agrees_and_fits_growth(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """``--sizes`` runs every method at each size in one table (PostGIS only with a URL),
    each method in its own child process with its own peak memory, with mineplan cold and
    warm, the same areas, and a growth exponent per method."""
    monkeypatch.delenv("MINEPLAN_TEST_PG", raising=False)
    bench = _bench()
    assert bench.parse_sizes(["issue"]) == [(2_000, 2_000), (20_000, 2_000), (60_000, 2_000),
                                            (2_000, 20_000), (20_000, 20_000), (60_000, 20_000)]
    assert bench.parse_sizes(["300x40", "1,000x20"]) == [(300, 40), (1_000, 20)]
    with pytest.raises(SystemExit, match="POLYGONSxBLOCKS"):
        bench.parse_sizes(["300by40"])
    assert bench.main(["--sizes", "120x40", "240x40", "--huge", "3000", "4000",
                       "--methods", "mineplan", "simple", "overlay"]) == 0
    out = capsys.readouterr().out
    for method in ("mineplan cold", "mineplan warm", "simple STRtree", "geopandas overlay"):
        assert out.count(f"| {method} |") == 2
        assert f"  {method:<18} n_polygons^" in out
    assert "mineplan cold+facts" not in out  # not asked for
    assert "PostGIS" not in out.split("PostGIS:")[1].split("\n", 1)[1]
    rows = [line.split(" | ") for line in out.splitlines() if line.startswith("| 240 | 40 |")]
    totals = {row[2]: float(row[7]) for row in rows}
    assert len(set(totals.values())) == 1 and totals["mineplan cold"] > 0  # areas agree
    # a child's peak is its own: at least its input (libraries and data), and far below
    # what a parent that had built every size would carry
    input_mb = float(out.split("240 × 40: input ")[1].split(" MB")[0].replace(",", ""))
    for row in rows:
        peak = float(row[5].replace(",", ""))
        assert 0.95 * input_mb <= peak < 4 * input_mb
        assert abs(float(row[6].rstrip("×")) - peak / input_mb) < 0.05


@pytest.mark.parametrize("threads", [1, 2])
def test_bounded_chunk_cache_changes_no_piece_and_stays_bounded(
        tiny_windows: object, threads: int) -> None:
    """The chunked rings a layer keeps are bounded (least recently used first out): with
    room for a single feature every figure and piece is the unbounded cache's, bit for bit,
    and the cache holds one feature."""
    features = [_star(80.5 + 0.4 * i, 40.5 + 0.1 * (i % 3), 0.3, 60, seed=i, hole=i % 2 == 0)
                for i in range(10)]
    blocks = _blocks(*(_rotated_box(80.4 + 0.13 * k, 40.5 + 0.05 * (k % 5), 0.25, 0.15, k)
                       for k in range(40)))
    unbounded = _layer(*features)
    expected = unbounded.overlap(blocks)
    assert len(unbounded._chunked) == 10  # every feature was cut to windows
    with mock.patch.object(overlay, "_CHUNK_CACHE_VERTICES", 1), \
            mock.patch.object(overlay, "_THREADS", threads), \
            mock.patch.object(overlay, "_BATCH_PAIRS", 8):
        layer = _layer(*features)
        got = layer.overlap(blocks)
        again = layer.overlap(blocks)  # warm, evicting as it goes
    for result in (got, again):
        for column in ("block_km2", "overlap_km2", "overlap_pct"):
            np.testing.assert_array_equal(result[column].to_numpy(),
                                          expected[column].to_numpy())
        assert all(a.equals_exact(b, 0) for a, b in zip(result["pieces"], expected["pieces"],
                                                        strict=True))
    assert len(layer._chunked) == 1
    (kept,) = layer._chunked
    rings = shapely.get_rings(features[kept])
    assert layer._chunked_vertices == int(shapely.get_num_coordinates(rings).sum())


def test_plan_pass_visits_neighbouring_blocks_together(tiny_windows: object) -> None:
    """Blocks listed far apart (block k on feature k mod 6) are visited in space-filling
    order, so with room for one feature's rings each feature is chunked about once or twice, not
    once per block (30 times in list order)."""
    features = [_star(80.5 + i, 40.5, 0.3, 60, seed=i) for i in range(6)]
    blocks = []
    for k in range(30):
        ring = shapely.get_exterior_ring(features[k % 6])
        x, y = shapely.get_coordinates(shapely.line_interpolate_point(
            ring, (k // 6) / 40, normalized=True))[0]  # on one stretch of the boundary
        blocks.append(_rotated_box(x, y, 0.02, 0.02, k))
    calls: list[int] = []
    real = overlay._chunk

    def counted(geom: shapely.Geometry) -> object:
        calls.append(1)
        return real(geom)

    with mock.patch.object(overlay, "_CHUNK_CACHE_VERTICES", 1), \
            mock.patch.object(overlay, "_THREADS", 1), \
            mock.patch.object(overlay, "_chunk", counted):
        result = _layer(*features).plan_overlap(_blocks(*blocks))
    assert (result["overlap_km2"] > 0).all()
    assert len(calls) <= 12  # 6 features (11 here); list order chunks 30 times


@pytest.mark.parametrize("threads", [1, 2])
def test_plan_figures_without_pieces_are_those_of_the_pieces(
        tiny_windows: object, threads: int) -> None:
    """A plan pass that keeps no pieces measures each batch's pieces on its thread and drops
    them: its figures are the pieces' areas measured all at once, bit for bit."""
    features = [_star(80.5 + 0.4 * i, 40.5 + 0.1 * (i % 3), 0.3, 60, seed=i, hole=i % 2 == 0)
                for i in range(10)]
    blocks = _blocks(*(_rotated_box(80.4 + 0.13 * k, 40.5 + 0.05 * (k % 5), 0.25, 0.15, k)
                       for k in range(40)), Polygon())
    with mock.patch.object(overlay, "_THREADS", threads), \
            mock.patch.object(overlay, "_BATCH_PAIRS", 8):
        layer = _layer(*features)
        plain = layer.plan_overlap(blocks)
        full = layer.overlap(blocks)
    assert "pieces" not in plain.columns
    measured = ellipsoidal_area_km2(gpd.GeoSeries(list(full["pieces"]), crs=CRS),
                                    validate=False).fillna(0.0).to_numpy()
    assert (measured > 0).sum() > 20 and measured[-1] == 0.0
    np.testing.assert_array_equal(plain["overlap_km2"].to_numpy(), measured)
    np.testing.assert_array_equal(full["overlap_km2"].to_numpy(), measured)
    blocks_km2 = ellipsoidal_area_km2(gpd.GeoSeries(list(blocks), crs=CRS), validate=False)
    np.testing.assert_array_equal(plain["block_km2"].to_numpy(), blocks_km2.to_numpy())


@pytest.mark.parametrize("block", [
    box(80.9, 40.5, 81.1, 40.6),  # half inside the first feature
    MultiPolygon([box(80.5, 40.2, 80.9, 40.6), box(80.7, 40.4, 81.2, 40.8)]),  # invalid
    box(85, 45, 85.1, 45.1),  # outside every feature
    Polygon(),  # no area
])
def test_one_block_measures_as_the_frame_of_blocks(block: Polygon) -> None:
    """``overlap_one`` (a pre-grant check, no pandas) gives what ``overlap`` gives."""
    from mineplan.features import Features

    shapes = [box(80, 40, 81, 41), box(80.95, 40.3, 81.5, 40.9)]  # overlapping features
    frame = gpd.GeoDataFrame(geometry=shapes, crs=CRS)
    want = PreparedLayer(frame).overlap(_blocks(block)).iloc[0]
    got = PreparedLayer(Features(shapes, crs=CRS)).overlap_one(block)
    assert (got.block_km2, got.overlap_km2, got.overlap_pct, got.note) == (
        want["block_km2"], want["overlap_km2"], want["overlap_pct"], want["note"])
    assert shapely.equals_exact(got.pieces, want["pieces"], tolerance=0)
