"""Concurrent writers of one store never lose each other's change; the edit log.

Real processes (not threads) write the same GeoPackage at the same time, as two
planners importing at once would. Without the writer lock each copies the same
old store and swaps in its copy, so one change vanishes; these tests fail then.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mineplan.errors import StoreBusyError
from mineplan.store import EditRecord, read_edits, read_layer, replace_layer, write_store
from mineplan.store.lock import lock_path
from tests.test_store import QML, SPECS, layer_frame, layers

ROOT = Path(__file__).resolve().parents[1]

# A writer process: replaces (or appends to) one layer ROUNDS times, each round
# leaving a mark the parent can find afterwards.
WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    import pandas as pd
    from mineplan.store import EditRecord, replace_layer, update_layer
    from tests.test_store import SPECS, layer_frame
    store, code, mode, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    for i in range(1, rounds + 1):
        edit = EditRecord(f"writer {{code}} round {{i}}", source=f"{{code}}-{{i}}.shp")
        if mode == "replace":
            frame = layer_frame(i)  # round i writes i features
            replace_layer(store, code, frame, spec=SPECS[code], edit=edit)
        else:  # append one feature to whatever the layer holds now
            def grow(current, i=i):
                extra = layer_frame(1)
                extra["zone_id"] = f"{{sys.argv[5]}}-{{i}}"
                return pd.concat([current, extra], ignore_index=True)
            update_layer(store, code, grow, spec=SPECS[code], edit=edit)
""")


def _start(store: Path, code: str, mode: str, rounds: int, tag: str = "") -> subprocess.Popen:
    script = WRITER.format(root=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", script, str(store), code, mode, str(rounds),
                             tag], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.gpkg"
    write_store(path, layers(), specs=SPECS, qml=QML)
    return path


@pytest.mark.slow
def test_two_processes_replacing_different_layers_lose_nothing(store: Path) -> None:
    rounds = 12
    writers = [_start(store, "AAA", "replace", rounds), _start(store, "BBB", "replace", rounds)]
    for w in writers:
        _out, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    # each layer holds its writer's last round: `rounds` features (a lost update would
    # leave the other writer's copy, with an older count)
    assert len(read_layer(store, "AAA")) == rounds
    assert len(read_layer(store, "BBB")) == rounds
    edits = read_edits(store)
    written = edits[edits["command"].str.startswith("writer")]
    assert sorted(written["command"]) == sorted(
        f"writer {code} round {i}" for code in ("AAA", "BBB") for i in range(1, rounds + 1))


@pytest.mark.slow
def test_two_processes_growing_the_same_layer_keep_every_feature(store: Path) -> None:
    rounds = 10
    before = len(read_layer(store, "AAA"))
    writers = [_start(store, "AAA", "grow", rounds, "p1"),
               _start(store, "AAA", "grow", rounds, "p2")]
    for w in writers:
        _out, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    ids = set(read_layer(store, "AAA")["zone_id"])
    assert len(read_layer(store, "AAA")) == before + 2 * rounds
    assert {f"{p}-{i}" for p in ("p1", "p2") for i in range(1, rounds + 1)} <= ids


@pytest.mark.slow
def test_a_reader_during_writes_always_sees_a_whole_store(store: Path) -> None:
    writer = _start(store, "AAA", "replace", 8)
    seen = set()
    while writer.poll() is None:
        seen.add(len(read_layer(store, "AAA")))  # never raises, never a partial layer
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert seen <= {3, *range(1, 9)}
    assert len(read_layer(store, "AAA")) == 8


def test_a_writer_that_cannot_get_the_lock_fails_and_writes_nothing(store: Path,
                                                                     monkeypatch) -> None:
    monkeypatch.setenv("MINEPLAN_LOCK_TIMEOUT", "0.3")
    before = store.read_bytes()
    fd = os.open(lock_path(store), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.pwrite(fd, json.dumps({"pid": 4242, "what": "mineplan import TKGH",
                                  "since": "2026-11-29T08:00:00Z"}).encode(), 0)
        started = time.monotonic()
        with pytest.raises(StoreBusyError) as caught:
            replace_layer(store, "AAA", layer_frame(1), spec=SPECS["AAA"])
        assert 0.3 <= time.monotonic() - started < 5
    finally:
        os.close(fd)
    message = str(caught.value)
    assert "mineplan import TKGH" in message and "4242" in message
    assert "MINEPLAN_LOCK_TIMEOUT" in message and str(store) in message
    assert store.read_bytes() == before


def test_the_lock_of_a_killed_writer_is_released(store: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, os, time
        fd = os.open({str(lock_path(store))!r}, os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("locked", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    replace_layer(store, "AAA", layer_frame(5), spec=SPECS["AAA"])
    assert len(read_layer(store, "AAA")) == 5


def test_a_killed_writers_temporary_store_is_removed_by_the_next_write(store: Path) -> None:
    leftover = store.with_name(f".{store.name}.abc123.tmp.gpkg")
    leftover.write_bytes(b"half a store")
    Path(f"{leftover}-journal").write_bytes(b"")
    replace_layer(store, "AAA", layer_frame(2), spec=SPECS["AAA"])
    assert not leftover.exists() and not Path(f"{leftover}-journal").exists()


def test_every_write_is_in_the_edit_log(store: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764403200")  # 2025-11-29T08:00:00Z
    replace_layer(store, "BBB", layer_frame(4), spec=SPECS["BBB"],
                  edit=EditRecord("mineplan import BBB", source="/data/勘查区块.shp", user="张三"))
    edits = read_edits(store)
    assert list(edits.columns) == ["time", "user", "command", "layer", "features", "source"]
    # the build wrote one row per layer, then the import one row
    assert list(edits["layer"]) == ["AAA", "BBB", "BBB"]
    assert list(edits["features"]) == [3, 2, 4]
    last = edits.iloc[-1]
    assert (last["time"], last["user"], last["command"], last["source"]) == (
        "2025-11-29T08:00:00Z", "张三", "mineplan import BBB", "/data/勘查区块.shp")
    assert list(read_edits(store, layer="AAA")["features"]) == [3]


def test_mineplan_history_lists_the_writes_of_a_layer(store: Path, capsys, monkeypatch) -> None:
    from mineplan.cli import main

    replace_layer(store, "BBB", layer_frame(4), spec=SPECS["BBB"],
                  edit=EditRecord("mineplan import BBB", source="勘查区块.shp", user="张三"))
    assert main(["history", "bbb", "--store", str(store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2  # the build's row for BBB, then the import
    assert "mineplan build" in lines[0] and " 2 features" in lines[0]
    assert "张三" in lines[1] and " 4 features" in lines[1] and "from 勘查区块.shp" in lines[1]


def test_the_store_is_a_geopackage_1_2_before_and_after_a_replacement(store: Path) -> None:
    """QGIS 3.22 LTR (Debian's) warns "GeoPackage v1.4 may only be partially supported"
    on a 1.4 file; the store is written as 1.2 (OGC 12-128r15: user_version 10200,
    application_id 'GPKG') and stays so when a layer is replaced."""
    import contextlib
    import sqlite3

    def version() -> tuple[int, bytes, set[str]]:
        with contextlib.closing(sqlite3.connect(store)) as con:
            user = con.execute("PRAGMA user_version").fetchone()[0]
            app = con.execute("PRAGMA application_id").fetchone()[0].to_bytes(4, "big")
            ext = {r[0] for r in con.execute("SELECT extension_name FROM gpkg_extensions")}
        return user, app, ext

    assert version()[:2] == (10200, b"GPKG")
    replace_layer(store, "AAA", layer_frame(2), spec=SPECS["AAA"])
    user, app, extensions = version()
    assert (user, app) == (10200, b"GPKG")
    assert extensions <= {"gpkg_rtree_index"}  # nothing a 1.2 reader lacks
