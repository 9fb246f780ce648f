"""Peak memory and time of `mineplan figure REGION --atlas` (issue 13 §4): a benchmark, not a test.

Runs the command as a new process under ``/usr/bin/time -v`` and prints the pages
written, the peak resident set size, the CPU time (user + system; steady on a shared
machine) and the wall time, with the issue's targets (400 MB, 25 s)::

    .venv/bin/python bench/bench_atlas.py                       # 新源县 (~100 sheets)
    .venv/bin/python bench/bench_atlas.py 伊宁市 --store my.gpkg --runs 3
    .venv/bin/python bench/bench_atlas.py --runs 3 --baseline /tmp/before   # before/after

Without ``--store`` a store is built once in a temporary folder. ``--baseline`` names
another checkout of the project (e.g. ``git worktree add /tmp/before main``, or
``git archive`` of mineplan, layers, styles, geodata and pyproject.toml): its atlas is
run alternately with this one's, against the same store, and the ratios of the medians
are printed. The exit status is 0 when the median peak memory and median CPU time (of
this checkout) meet the targets.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB, TARGET_S = 400.0, 25.0


def _mineplan(*args: str) -> list[str]:
    return [sys.executable, "-m", "mineplan.cli", *args]


def run_once(region: str, store: Path, out: Path,
             root: Path = ROOT) -> tuple[int, float, float, float]:
    """(pages, peak MB, CPU s, wall s) of one atlas run of the checkout at `root`."""
    proc = subprocess.run(["/usr/bin/time", "-v", *_mineplan("figure", region, "--atlas",
                                                             "-o", str(out), "--store",
                                                             str(store))],
                          cwd=root, capture_output=True, text=True, check=True)
    err = proc.stderr

    def field(name: str) -> str:
        found = re.search(rf"{re.escape(name)}: (.+)", err)
        if found is None:
            raise SystemExit(f"/usr/bin/time printed no {name!r}:\n{err[-2000:]}")
        return found[1].strip()

    pages = int(re.search(r": (\d+) pages", proc.stdout)[1])  # type: ignore[index]
    wall = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        wall = wall * 60 + float(part)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return pages, int(field("Maximum resident set size (kbytes)")) / 1024, cpu, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("region", nargs="?", default="新源县")
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout, run alternately for a before/after ratio")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            store = Path(tmp) / "store.gpkg"
            subprocess.run(_mineplan("build", "-q", "-o", str(store)), cwd=ROOT, check=True)
        results, before = [], []
        for _ in range(args.runs):  # alternated: both see the same load on a shared machine
            if args.baseline is not None:
                before.append(run_once(args.region, store.resolve(), Path(tmp) / "before.pdf",
                                       args.baseline.resolve()))
            results.append(run_once(args.region, store.resolve(), Path(tmp) / "atlas.pdf"))

    def medians(runs: list[tuple[int, float, float, float]]) -> tuple[float, float, float]:
        return tuple(statistics.median(r[k] for r in runs) for k in (1, 2, 3))  # type: ignore[return-value]

    peak, cpu, wall = medians(results)
    print(f"atlas of {args.region}: {results[0][0]} pages, {args.runs} run(s), medians")
    if before:
        b_peak, b_cpu, b_wall = medians(before)
        print(f"  {'':10s}{'before':>9s}{'after':>9s}   after/before   (baseline "
              f"{args.baseline}: {before[0][0]} pages)")
        for name, b, a, unit in (("peak RSS", b_peak, peak, "MB"), ("CPU", b_cpu, cpu, "s"),
                                 ("wall", b_wall, wall, "s")):
            print(f"  {name:10s}{b:9.1f}{a:9.1f}   {a / b:12.2f}   {unit}")
        print("  CPU runs (s): before " + ", ".join(f"{r[2]:.1f}" for r in before)
              + "; after " + ", ".join(f"{r[2]:.1f}" for r in results))
    print(f"  peak RSS  {peak:7.0f} MB   (target {TARGET_MB:.0f} MB)")
    print(f"  CPU       {cpu:7.1f} s    (target {TARGET_S:.0f} s)")
    print(f"  wall      {wall:7.1f} s")
    return 0 if peak <= TARGET_MB and cpu <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
