"""Start-up time of the ``mineplan`` command: ``--version``, ``--help``, ``SUB --help``.

Run from the checkout:

    .venv/bin/python bench/bench_cli.py               # 7 runs of each, median
    .venv/bin/python bench/bench_cli.py --runs 15
    .venv/bin/python bench/bench_cli.py --command .venv/bin/mineplan   # the installed script

Each command runs as a whole new process (interpreter start, imports, parsing,
printing), by default ``python -m mineplan.cli`` with the checkout as the working
folder, so the checkout's package is the one timed. Printed: the median and the
fastest of the runs for each command, the bare interpreter (``python -c pass``)
and ``python -c "import mineplan.cli"``; the *import share* is the time the
import adds to the bare interpreter, as a share of ``mineplan --version``.
The exit status is 0 when every median is under the target (0.3 s; issue 9).
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 0.3


def _time(argv: Sequence[str], *, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (default 7)")
    parser.add_argument("--command", default=None,
                        help="the command to time (default: python -m mineplan.cli)")
    parser.add_argument("--sub", default="check", help="the SUB of `SUB --help` (check)")
    args = parser.parse_args(argv)
    base = shlex.split(args.command) if args.command else [sys.executable, "-m", "mineplan.cli"]

    _time([*base, "--version"], runs=1)  # warm the file cache
    rows = {
        "python -c pass": _time([sys.executable, "-c", "pass"], runs=args.runs),
        "import mineplan.cli": _time([sys.executable, "-c", "import mineplan.cli"],
                                     runs=args.runs),
    }
    commands = {"--version": ["--version"], "--help": ["--help"],
                f"{args.sub} --help": [args.sub, "--help"]}
    for label, extra in commands.items():
        rows[f"mineplan {label}"] = _time([*base, *extra], runs=args.runs)

    print(f"{'':<28}{'median':>9}{'fastest':>9}   ({args.runs} runs each; {' '.join(base)})")
    for label, times in rows.items():
        print(f"{label:<28}{statistics.median(times):>8.3f}s{min(times):>8.3f}s")
    bare = statistics.median(rows["python -c pass"])
    imports = statistics.median(rows["import mineplan.cli"]) - bare
    version = statistics.median(rows["mineplan --version"])
    print(f"import share of `mineplan --version`: {imports:.3f} s of {version:.3f} s "
          f"({100 * imports / version:.0f} %; the interpreter itself takes {bare:.3f} s)")
    slow = [label for label in commands
            if statistics.median(rows[f"mineplan {label}"]) >= TARGET_S]
    if slow:
        print(f"over the {TARGET_S} s target: {', '.join(slow)}")
        return 1
    print(f"every command under the {TARGET_S} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
