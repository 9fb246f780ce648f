"""Time each ``mineplan`` command a planner waits for, as a whole process (issue 16).

Run from the checkout:

    .venv/bin/python bench/bench_cli.py                      # 5 rounds, medians
    .venv/bin/python bench/bench_cli.py --runs 9
    .venv/bin/python bench/bench_cli.py --against /tmp/old   # compare with another checkout
    .venv/bin/python bench/bench_cli.py --only version help coords proposal

Commands timed (the table of issue 16, with its targets):

* ``--version``, ``--help`` — start-up (target 0.3 s);
* ``coords info FILE`` — what a small coordinate file holds (0.5 s);
* ``check proposal`` — ``check --proposal FILE --right 采矿权 --mineral 金`` (0.6 s);
* ``check plan all`` — ``check --plan all``, every plan in the store (1.5 s);
* ``build`` — ``build -q -o TMP/build.gpkg``, every plan (3 s).

The store the checks read is built once, before the timed runs, in a temporary
folder (``mineplan build``; or ``--store PATH``), so every command of every checkout
reads the same file. The proposal is the fixture ``dms_symbols_gbk.txt``: two small
plots near 乌苏 (11.5 and 4.4 km²), a degree-minute-second coordinate TXT.

Each command runs as a new process, ``python -m mineplan.cli …`` with the checkout
as the working folder, so that checkout's package is the one timed. Runs are
interleaved: each round runs every command once (of every checkout, with
``--against``), so a change in the machine's load hits them alike. A first,
untimed round warms the file cache and the bytecode cache (every imported module, site
packages included, is compiled into the fresh cache once), then a second runs each
command under ``-X importtime``;
the *import share* is the cumulative time of the top-level imports in that run, as
a share of the command's median wall time (``-X importtime`` itself adds ~10 %).
The children write and read their bytecode under a temporary ``PYTHONPYCACHEPREFIX``
(``PYTHONDONTWRITEBYTECODE`` is dropped), as an installed package has its ``.pyc``.

Printed per command: median and fastest wall time, median CPU time (user + system
of the child: steadier than wall time on a shared machine), the import share and,
with ``--against``, the ratio of the medians. The exit status is 0 when every median
wall time is under its target.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROPOSAL = ROOT / "tests" / "fixtures" / "coords" / "dms_symbols_gbk.txt"

#: label → (arguments after ``mineplan``, target in seconds); ``{store}``, ``{tmp}``
#: and ``{proposal}`` are filled in.
COMMANDS: dict[str, tuple[list[str], float]] = {
    "--version": (["--version"], 0.3),
    "--help": (["--help"], 0.3),
    "coords info": (["coords", "info", "{proposal}"], 0.5),
    "check proposal": (["check", "--proposal", "{proposal}", "--right", "采矿权",
                        "--mineral", "金", "--store", "{store}"], 0.6),
    "check plan all": (["check", "--plan", "all", "--store", "{store}"], 1.5),
    "build": (["build", "-q", "-o", "{tmp}/build.gpkg"], 3.0),
}
#: Short names for ``--only``.
SHORT = {"version": "--version", "help": "--help", "coords": "coords info",
         "proposal": "check proposal", "plan": "check plan all", "build": "build"}


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    imports: float = float("nan")


def _run(argv: Sequence[str], cwd: Path, *, importtime: bool = False) -> tuple[float, float, str]:
    """(wall s, child CPU s, stderr) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *(["-X", "importtime"] if importtime else []),
                           "-m", "mineplan.cli", *argv], cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=_env(), check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: a check found a failure
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stderr


#: Where the children keep their bytecode (set in :func:`main`): an installed package
#: has its ``.pyc`` files (pip compiles them), so a run that recompiled mineplan from
#: source every time (``PYTHONDONTWRITEBYTECODE``, set on the shared machine) would time
#: the compiler, ~0.3 s of a command; the warm-up round writes them here instead.
PYCACHE: list[str] = []


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if PYCACHE:
        env["PYTHONPYCACHEPREFIX"] = PYCACHE[0]
    env.setdefault("MPLBACKEND", "Agg")
    # `build` starts the web map's preparation in a detached process and returns; its
    # CPU would land in the next timed command (bench_webmap.py --after-build times it)
    env["MINEPLAN_WEB_PREPARE"] = "0"
    return env


_IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \|( *)(\S.*)$")


def import_seconds(stderr: str) -> float:
    """Sum of the cumulative times of the top-level imports in ``-X importtime`` output."""
    total = 0
    for line in stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match and len(match.group(2)) == 1:  # top level: one space before the name
            total += int(match.group(1))
    return total / 1e6


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--checkout", type=Path, default=ROOT,
                        help="checkout whose mineplan is timed (default: this one)")
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout, timed in the same rounds (e.g. before a change)")
    parser.add_argument("--store", type=Path, default=None,
                        help="store the checks read (default: built once in a temporary folder)")
    parser.add_argument("--only", nargs="+", choices=sorted(SHORT), default=None,
                        help="time only these commands")
    args = parser.parse_args(argv)
    labels = [SHORT[s] for s in args.only] if args.only else list(COMMANDS)
    checkouts = {"this": args.checkout.resolve()}
    if args.against is not None:
        checkouts["against"] = args.against.resolve()

    with tempfile.TemporaryDirectory(prefix="bench_cli_") as tmp:
        PYCACHE[:] = [os.environ.get("PYTHONPYCACHEPREFIX") or str(Path(tmp) / "pycache")]
        store = args.store
        if store is None and any("{store}" in " ".join(COMMANDS[k][0]) for k in labels):
            store = Path(tmp) / "store.gpkg"
            print(f"building the store once: {store}", flush=True)
            _run(["build", "-q", "-o", str(store)], checkouts["this"])
        fill = {"store": str(store), "tmp": tmp, "proposal": str(PROPOSAL)}
        commands = {k: [a.format(**fill) for a in COMMANDS[k][0]] for k in labels}
        results = {(name, k): Timings() for name in checkouts for k in labels}
        for label in labels:  # warm-up round, then one with -X importtime
            for name, where in checkouts.items():
                _run(commands[label], where)  # compiles bytecode into the fresh PYCACHE
                _, _, err = _run(commands[label], where, importtime=True)
                results[name, label].imports = import_seconds(err)
        for round_ in range(args.runs):
            for label in labels:
                for name, where in (checkouts.items() if round_ % 2 == 0
                                    else reversed(checkouts.items())):
                    wall, cpu, _ = _run(commands[label], where)
                    results[name, label].wall.append(wall)
                    results[name, label].cpu.append(cpu)
            print(f"round {round_ + 1}/{args.runs} done (load average "
                  f"{os.getloadavg()[0]:.1f})", flush=True)

    print(f"\n{args.runs} interleaved runs each; python -m mineplan.cli from "
          + ", ".join(f"{name} = {path}" for name, path in checkouts.items()))
    head = f"{'command':<16}{'':>8}{'median':>9}{'fastest':>9}{'CPU':>8}{'imports':>14}"
    print(head + (f"{'ratio':>9}" if len(checkouts) > 1 else "") + f"{'target':>8}")
    slow = []
    for label in labels:
        target = COMMANDS[label][1]
        for name in checkouts:
            t = results[name, label]
            median = statistics.median(t.wall)
            share = f"{t.imports:.2f} s {100 * t.imports / median:3.0f}%"
            line = (f"{label if name == 'this' else '':<16}{name:>8}{median:>8.3f}s"
                    f"{min(t.wall):>8.3f}s{statistics.median(t.cpu):>7.2f}s{share:>14}")
            if len(checkouts) > 1:
                ratio = median / statistics.median(results["this", label].wall)
                line += f"{ratio:>8.2f}x" if name != "this" else f"{'':>9}"
            print(line + (f"{target:>7.1f}s" if name == "this" else ""))
            if name == "this" and median >= target:
                slow.append(label)
    if len(checkouts) > 1:
        print("ratio: the other checkout's median wall time over this one's (> 1: this is faster)")
    if slow:
        print(f"over target: {', '.join(slow)}")
        return 1
    print("every command under its target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
