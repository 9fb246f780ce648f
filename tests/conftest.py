"""What every test shares: the plan texts, one built store per run, a folder for screenshots.

Tests never read the checkout's own ``geodata/mineplan.gpkg`` and never write into
the checkout: the store is built once per run into pytest's temporary folder
(``built_store``); a test that changes a store changes its own copy
(``store_copy``); pictures for people go to ``artifacts`` (pytest's temporary
folder, ``--basetemp DIR`` to choose it: ``DIR/test-artifacts``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from mineplan.settings import seeds_dir

# Property tests measure behaviour, not speed: no per-example deadline (a loaded
# 2-core CI machine would trip it), and in CI the same examples every run. Their
# examples and caches live outside the checkout (not in ./.hypothesis).
set_hypothesis_home_dir(str(Path(tempfile.gettempdir()) / "mineplan-hypothesis"))
settings.register_profile("mineplan", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("mineplan")


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The plan texts; CI must have them (../shared/seeds beside the checkout)."""
    path = seeds_dir()
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"plan texts not found at {path} (set MINEPLAN_SEEDS)")
        pytest.skip(f"plan texts not found at {path}")
    return path


@pytest.fixture(scope="session", autouse=True)
def no_checkout_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the default store away from the checkout's ``geodata/mineplan.gpkg``.

    A test that forgets ``--store`` or ``MINEPLAN_STORE`` finds no store (and a
    build without ``-o`` writes into the temporary folder), instead of reading or
    overwriting the checkout's.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MINEPLAN_STORE", str(tmp_path_factory.mktemp("no-store") / "mineplan.gpkg"))
        # a command that writes a store prepares the web map's first view in a background
        # process (mineplan.web.prepare); not for every store a test builds (the tests of
        # that preparation turn it back on)
        mp.setenv("MINEPLAN_WEB_PREPARE", "0")
        yield


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled store (every plan), built once per test run; read it, never change it.

    It is made read-only, and the run fails at the end if it was changed anyway:
    a test that writes to a store takes ``store_copy``.
    """
    from mineplan.cli import main

    path = tmp_path_factory.mktemp("store") / "mineplan.gpkg"
    assert main(["build", "-q", "-o", str(path)]) == 0
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = _digest(path)
    yield path
    assert _digest(path) == before, f"a test changed the shared store {path}; use store_copy"


@pytest.fixture()
def store_copy(built_store: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the built store in the test's own folder."""
    path = tmp_path / "mineplan.gpkg"
    shutil.copyfile(built_store, path)
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return path


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for screenshots and figures people may look at after the run."""
    return tmp_path_factory.mktemp("test-artifacts", numbered=False)


#: The 勘查规划区块 the UI tests check a proposal in (a 煤炭 block of 伊宁市 that
#: overlaps an existing 探矿权).
CHECK_ZONE = "yining-TKGH-001"
RED_LINES = ("STHX", "YJJBNT", "CZKFBJ")


@pytest.fixture(scope="session")
def check_block(built_store: Path) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a box taken from the store, for UI tests.

    The box lies inside ``CHECK_ZONE`` and inside exactly one existing right
    (YSTK/YSCK), clear of every red line: a 探矿权 for 煤炭 there fails exactly one
    rule (与已设矿业权重叠), by the rules data.
    """
    import shapely
    from shapely.geometry import box

    from mineplan.checks import read_store_frames

    frames = read_store_frames(built_store)
    zone = frames["TKGH"].set_index("zone_id").geometry[CHECK_ZONE]
    rights = [g for code in ("YSTK", "YSCK") for g in frames[code].geometry]
    mine = [g for g in rights if g.intersects(zone)]
    assert mine, f"{CHECK_ZONE} overlaps no existing right in the store"
    others = [g for g in rights if not g.equals(mine[0])]
    red = [g for code in RED_LINES for g in frames[code].geometry]
    target = zone.intersection(mine[0]).difference(shapely.union_all(others + red))
    for width, height in ((0.013, 0.010), (0.006, 0.005), (0.003, 0.002)):
        west, south, east, north = target.bounds
        for i in range(1, 20):
            for j in range(1, 20):
                x = west + (east - west - width) * i / 20
                y = south + (north - south - height) * j / 20
                if target.contains(box(x, y, x + width, y + height)):
                    return (x, y, x + width, y + height)
    raise AssertionError(f"no box fits inside {CHECK_ZONE} and its existing right")
