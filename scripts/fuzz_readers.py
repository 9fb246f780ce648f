"""Fuzz mineplan's file readers for longer than the test suite does, and count.

Usage::

    python scripts/fuzz_readers.py [--gis 5000] [--txt 20000] [--seed 1]
                                   [--timeout 30] [--workers 2] [--out fuzz-out]

Each input is a seed file (``tests/fuzzing.py``: GeoJSON, KML, KMZ, Shapefile plain
and zipped, CSV, GeoPackage, DXF; the coordinate TXT fixtures) mutated by a random
generator seeded from ``--seed`` and the input's number, so any input can be made
again. GIS inputs go through :func:`mineplan.io.gis.read_gis_file` and, where the
web app accepts the type, the upload guard and reader; TXT inputs through
:func:`mineplan.io.readers.read_geometry_file`. Inputs run in worker processes: one
that takes longer than ``--timeout`` seconds is killed and counted as a hang.

Prints, per family: inputs, reader calls, OK, located errors (documented mineplan
errors naming the file), crashes (anything else), hangs, peak memory of a worker;
then each kind of crash with a count. Reproducers (the bytes, and a traceback) are
written to ``--out``.
"""

from __future__ import annotations

import argparse
import collections
import logging
import multiprocessing
import multiprocessing.connection
import random
import resource
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import fuzzing  # noqa: E402 - after the path is set


def _rng(seed: int, family: str, number: int) -> random.Random:
    return random.Random(f"{seed}/{family}/{number}")


def _worker(conn: Any, family: str, seed: int, folder: str) -> None:
    """Run inputs of ``family`` as the parent sends their numbers; answer each."""
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)  # the readers' own warnings would flood the output
    work = Path(folder)
    seeds = fuzzing.gis_seeds(work / "seeds") if family == "gis" else fuzzing.txt_seeds()
    calls = fuzzing.gis_calls if family == "gis" else fuzzing.txt_calls
    while True:
        number = conn.recv()
        if number is None:
            return
        rng = _rng(seed, family, number)
        chosen = seeds[number % len(seeds)]
        path = fuzzing.materialise(chosen, work / "case", rng)
        results = []
        for reader, call in calls(path, rng):
            outcome = fuzzing.run(reader, chosen.name, path, call)
            crashed = outcome.verdict == "crash"
            results.append(
                (
                    outcome.verdict,
                    outcome.reader,
                    fuzzing.crash_site(outcome) if crashed else outcome.error,
                    fuzzing.reproducer(outcome) if crashed else "",
                )
            )
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        conn.send((number, chosen.name, results, peak_kb))


@dataclass
class _Worker:
    process: Any
    conn: Any
    number: int | None = None
    started: float = 0.0


@dataclass
class Tally:
    """Counts for one family of inputs."""

    inputs: int = 0
    calls: int = 0
    verdicts: collections.Counter[str] = field(default_factory=collections.Counter)
    hangs: int = 0
    peak_kb: int = 0
    crashes: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    first: dict[tuple[str, str], str] = field(default_factory=dict)
    hung: list[int] = field(default_factory=list)
    seconds: float = 0.0


def fuzz(family: str, count: int, *, seed: int, timeout: float, workers: int) -> Tally:
    """Run ``count`` mutated inputs of ``family`` (``"gis"`` or ``"txt"``)."""
    tally = Tally()
    context = multiprocessing.get_context("fork")
    folder = tempfile.mkdtemp(prefix=f"mineplan-fuzz-{family}-")
    start = time.monotonic()

    def spawn(slot: int) -> _Worker:
        parent, child = context.Pipe()
        process = context.Process(
            target=_worker, args=(child, family, seed, f"{folder}/w{slot}"), daemon=True
        )
        process.start()
        return _Worker(process, parent)

    pool = [spawn(slot) for slot in range(workers)]
    todo = iter(range(count))
    remaining = count
    while remaining:
        for worker in pool:
            if worker.number is None:
                number = next(todo, None)
                if number is not None:
                    worker.number, worker.started = number, time.monotonic()
                    worker.conn.send(number)
        busy = [w for w in pool if w.number is not None]
        ready = multiprocessing.connection.wait([w.conn for w in busy], timeout=1.0)
        for slot, worker in enumerate(pool):
            if worker.number is None:
                continue
            if worker.conn in ready:
                try:
                    number, name, results, peak_kb = worker.conn.recv()
                except EOFError:  # the worker died (a crash below Python)
                    results, peak_kb, name = [("crash", "worker", "process died", "")], 0, "?"
                    pool[slot] = spawn(slot)
                _count(tally, name, results, peak_kb)
                pool[slot].number = None
                remaining -= 1
            elif time.monotonic() - worker.started > timeout:
                tally.hangs += 1
                tally.inputs += 1
                tally.hung.append(worker.number)
                worker.process.kill()
                worker.process.join()
                pool[slot] = spawn(slot)
                remaining -= 1
    for worker in pool:
        worker.conn.send(None)
        worker.process.join(timeout=10)
    tally.seconds = time.monotonic() - start
    return tally


def _count(tally: Tally, _seed: str, results: list[tuple[str, str, str, str]],
           peak_kb: int) -> None:
    tally.inputs += 1
    tally.peak_kb = max(tally.peak_kb, peak_kb)
    for verdict, reader, error, repro in results:
        tally.calls += 1
        tally.verdicts[verdict] += 1
        if verdict == "crash":
            key = (reader, error)  # the crash site: file, line, function, exception
            tally.crashes[key] += 1
            tally.first.setdefault(key, repro)


def report(family: str, tally: Tally, out: Path) -> None:
    """Print the counts of one family and write its reproducers to ``out``."""
    v = tally.verdicts
    print(
        f"{family.upper()}: inputs {tally.inputs}, reader calls {tally.calls}, OK {v['ok']}, "
        f"located errors {v['located']}, crashes {v['crash']}, hangs {tally.hangs}, "
        f"peak memory {tally.peak_kb / 1024:.0f} MB, {tally.seconds:.0f} s"
    )
    out.mkdir(parents=True, exist_ok=True)
    for i, (key, n) in enumerate(tally.crashes.most_common()):
        print(f"  {n:6d} × {key[0]}: {key[1]}")
        (out / f"{family}-crash-{i:03d}.txt").write_text(tally.first[key], encoding="utf-8")
    if tally.hung:
        print(f"  hung inputs (re-make with --seed and the number): {tally.hung[:20]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gis", type=int, default=5000, help="GIS inputs (default 5000)")
    parser.add_argument("--txt", type=int, default=20000, help="TXT inputs (default 20000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per input")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("fuzz-out"))
    args = parser.parse_args(argv)
    crashes = 0
    for family, count in (("gis", args.gis), ("txt", args.txt)):
        if count <= 0:
            continue
        tally = fuzz(family, count, seed=args.seed, timeout=args.timeout, workers=args.workers)
        report(family, tally, args.out)
        crashes += tally.verdicts["crash"] + tally.hangs
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
