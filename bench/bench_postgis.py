"""Benchmark: the provincial red-line check reading from PostGIS vs from a GeoPackage.

The same synthetic provincial red line and planning blocks as ``bench_overlap.py``
(seeded, EPSG:4490) are written as layer STHX to a GeoPackage and to a PostGIS
store (:func:`mineplan.store.write_store`); then, with the same areas
(:func:`mineplan.geodesy.ellipsoidal_area_km2` of the overlap geometry), it times

* a single pre-grant check of the block with the heaviest candidates, from a cold
  start as ``mineplan check --proposal`` runs it: read the red line (whole, or only
  the features meeting the block's bounding box — ``read_layer(bbox=)``, the R-tree
  / GiST index), ``PreparedLayer``, ``overlap``; from each store;
* the plan-wide check of every block: read the whole layer, ``PreparedLayer``,
  ``plan_overlap``; from each store;
* the server-side alternative: PostGIS ``ST_Intersection`` of the blocks with an
  ``ST_Subdivide``d copy of the red line (GiST-indexed), unioned per block, the
  pieces sent back and measured with the same area function (the subdivision is
  timed apart: it is done once per red-line delivery);

and prints a table, the overlap areas' largest relative difference from mineplan's
in-process result, and the features each read fetched.

Run ``python bench/bench_postgis.py --pg postgresql://USER@HOST:PORT/DB`` (default:
``$MINEPLAN_TEST_PG``; the benchmark writes its own schema and drops it) with
``--quick`` for a smoke run. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_overlap import heaviest_block, make_blocks, make_redline

from mineplan.checks.overlay import PreparedLayer
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.layers import FieldSpec, LayerSpec
from mineplan.location import parse_postgres
from mineplan.store import read_layer, replace_layer, write_store
from mineplan.vocab import STORE_CRS

RED = LayerSpec(code="STHX", name="生态保护红线", geometry="MultiPolygon", group="control",
                order=0, style="STHX", fields=(FieldSpec("name", "text", "名称"),))
BLOCKS = LayerSpec(code="CKGH", name="区块", geometry="MultiPolygon", group="plan", order=1,
                   style="CKGH", fields=(FieldSpec("block", "text", "编号"),))


def _with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"] + [("schema", schema)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _timed(func: Callable[[], Any], runs: int) -> tuple[Any, float, list[float]]:
    """The value of the last run, the median seconds and all the times."""
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - start)
    return value, statistics.median(times), times


def _rel_diff(a: pd.Series, b: pd.Series) -> float:
    x, y = a.to_numpy(float), b.reindex(a.index).fillna(0.0).to_numpy(float)
    scale = np.maximum(np.abs(x), np.abs(y))
    mask = scale > 0
    return float((np.abs(x - y)[mask] / scale[mask]).max()) if mask.any() else 0.0


def _server_pieces(con: psycopg.Connection[Any], schema: str, blocks_table: str,
                   sub_table: str, block_ids: list[str] | None = None) -> pd.Series:
    """Overlap pieces per block computed by PostGIS (subdivided red line), as geometry."""
    where = sql.SQL("")
    args: tuple[Any, ...] = ()
    if block_ids is not None:
        where, args = sql.SQL(" WHERE b.block = ANY(%s)"), (block_ids,)
    query = sql.SQL(
        "SELECT b.block, ST_AsBinary(ST_Union(ST_CollectionExtract("
        "ST_Intersection(b.geom, r.geom), 3))) FROM {}.{} b JOIN {}.{} r"
        " ON ST_Intersects(b.geom, r.geom){} GROUP BY b.block").format(
        sql.Identifier(schema), sql.Identifier(blocks_table), sql.Identifier(schema),
        sql.Identifier(sub_table), where)
    rows = con.execute(query, args).fetchall()
    return pd.Series([shapely.from_wkb(bytes(g)) for _, g in rows],
                     index=[b for b, _ in rows], dtype=object)


def _km2(pieces: pd.Series) -> pd.Series:
    areas = ellipsoidal_area_km2(gpd.GeoSeries(pieces.to_numpy(), crs=STORE_CRS),
                                 validate=False)
    return pd.Series(np.asarray(areas, dtype=float), index=pieces.index).fillna(0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("MINEPLAN_TEST_PG", ""),
                        help="PostgreSQL URL (default $MINEPLAN_TEST_PG)")
    parser.add_argument("--polygons", type=int, default=20_000)
    parser.add_argument("--blocks", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--subdivide", type=int, default=256,
                        help="max vertices per piece for ST_Subdivide")
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    args = parser.parse_args(argv)
    if not args.pg:
        parser.error("give --pg postgresql://USER@HOST:PORT/DB or set MINEPLAN_TEST_PG")
    huge = (50_000, 100_000)
    if args.quick:
        args.polygons, args.blocks, args.runs = min(args.polygons, 600), min(args.blocks, 200), 1
        huge = (5_000, 10_000)

    start = time.perf_counter()
    redline = make_redline(args.polygons, seed=args.seed, huge_vertices=huge)
    blocks = make_blocks(args.blocks, redline, seed=args.seed)
    redline = redline.assign(name=[f"红线{i}" for i in range(len(redline))])[["name", "geometry"]]
    blocks = blocks[["block", "geometry"]]
    vertices = int(shapely.get_num_coordinates(redline.geometry.array).sum())
    print(f"data: {len(redline):,} red-line polygons, {vertices:,} vertices; "
          f"{len(blocks):,} blocks; built in {time.perf_counter() - start:.1f} s "
          f"(seed {args.seed})")

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    url = _with_schema(args.pg, schema)
    conninfo = parse_postgres(url).conninfo
    with tempfile.TemporaryDirectory() as tmp:
        gpkg = Path(tmp) / "bench.gpkg"
        try:
            return _run(args, redline, blocks, gpkg, url, schema, conninfo)
        finally:
            with psycopg.connect(conninfo, autocommit=True) as con:
                con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)))
                con.execute("DELETE FROM public.layer_styles WHERE f_table_schema = %s",
                            (schema,))


def _run(args: argparse.Namespace, redline: gpd.GeoDataFrame, blocks: gpd.GeoDataFrame,
         gpkg: Path, url: str, schema: str, conninfo: str) -> int:
    rows: list[tuple[str, str, float, str]] = []
    for name, where in (("GeoPackage", gpkg), ("PostGIS", url)):
        _, seconds, _ = _timed(lambda where=where: write_store(
            where, {"STHX": redline}, specs={"STHX": RED}, qml={}), 1)
        rows.append(("write the red line", name, seconds, ""))
    replace_layer(url, "CKGH", blocks, spec=BLOCKS, create=True)

    # the single pre-grant check: the block whose candidate features are heaviest
    one = heaviest_block(PreparedLayer(redline), blocks)
    bbox = tuple(float(v) for v in one.total_bounds)
    single: dict[str, float] = {}
    for name, where in (("GeoPackage", gpkg), ("PostGIS", url)):
        for how, box in (("whole layer", None), ("bbox read", bbox)):
            def check(where: str | Path = where, box: Any = box) -> tuple[float, int]:
                layer = read_layer(where, "STHX", bbox=box)
                result = PreparedLayer(layer).overlap(one)
                return float(result["overlap_km2"].iloc[0]), len(layer)
            (km2, read), seconds, _ = _timed(check, args.runs)
            single[f"{name} {how}"] = km2
            rows.append((f"single check, {how}", name, seconds, f"{read:,} features read"))

    with psycopg.connect(conninfo, autocommit=True) as con:
        start = time.perf_counter()
        con.execute(sql.SQL(
            "CREATE TABLE {}.red_sub AS SELECT fid, ST_Subdivide(geom, {}) AS geom FROM {}.{}"
        ).format(sql.Identifier(schema), sql.Literal(args.subdivide), sql.Identifier(schema),
                 sql.Identifier("STHX")))
        con.execute(sql.SQL("CREATE INDEX ON {}.red_sub USING gist (geom)").format(
            sql.Identifier(schema)))
        con.execute(sql.SQL("ANALYZE {}.red_sub").format(sql.Identifier(schema)))
        pieces = con.execute(sql.SQL("SELECT count(*) FROM {}.red_sub").format(
            sql.Identifier(schema))).fetchone()
        rows.append((f"ST_Subdivide({args.subdivide}) + GiST, once", "PostGIS server",
                     time.perf_counter() - start, f"{pieces[0] if pieces else 0:,} pieces"))
        block_id = str(one.index[0])
        server_one, seconds, _ = _timed(lambda: _km2(_server_pieces(
            con, schema, "CKGH", "red_sub", [block_id])), args.runs)
        single["PostGIS server"] = float(server_one.get(block_id, 0.0))
        rows.append(("single check, ST_Intersection", "PostGIS server", seconds, ""))

        # the plan-wide check
        plan: dict[str, pd.Series] = {}
        for name, where in (("GeoPackage", gpkg), ("PostGIS", url)):
            def plan_check(where: str | Path = where) -> pd.Series:
                layer = read_layer(where, "STHX")
                return PreparedLayer(layer).plan_overlap(blocks.set_index("block"))[
                    "overlap_km2"]
            plan[name], seconds, _ = _timed(plan_check, args.runs)
            rows.append(("plan-wide check (read + prepare + overlap)", name, seconds, ""))
        plan["PostGIS server"], seconds, _ = _timed(lambda: _km2(_server_pieces(
            con, schema, "CKGH", "red_sub")), args.runs)
        rows.append(("plan-wide check, ST_Intersection", "PostGIS server", seconds, ""))

    print(f"\n| measure | source | seconds (median of {args.runs}) | note |\n|---|---|---|---|")
    for what, source, seconds, note in rows:
        print(f"| {what} | {source} | {seconds:.3f} | {note} |")
    reference = single["GeoPackage whole layer"]
    worst = max(abs(v - reference) / max(abs(v), abs(reference), 1e-300)
                for v in single.values())
    print(f"\nsingle check: block {one.index[0]}, overlap {reference:.6f} km²; "
          f"largest relative difference between sources {worst:.1e}")
    base = plan["GeoPackage"]
    for name in ("PostGIS", "PostGIS server"):
        print(f"plan-wide: {name} vs GeoPackage, largest relative difference of overlap "
              f"area {_rel_diff(base, plan[name]):.1e}")
    print(f"plan-wide: total overlap {base.sum():.3f} km² "
          f"(server {plan['PostGIS server'].sum():.3f} km²)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
