"""Seeded mutation fuzzing of the GIS readers (issue 11): only documented errors.

Every mutated seed (``tests/fuzzing.py``) goes through ``read_gis_file`` and, where
the web app accepts the type, ``check_upload`` / ``upload_layers`` / ``read_upload``.
Each must succeed or raise a :class:`~mineplan.errors.MineplanError` naming the file
(an :class:`~mineplan.errors.UploadError` for the upload path). The generator is
seeded, so a failure names an input that can be made again; ``scripts/fuzz_readers.py``
runs the same for longer and counts.
"""

from __future__ import annotations

import random
import warnings
from collections import Counter
from pathlib import Path

import pytest

from tests import fuzzing


def _fuzz(
    seeds: list[fuzzing.Seed], calls: object, count: int, folder: Path, salt: str
) -> tuple[Counter[str], list[str]]:
    verdicts: Counter[str] = Counter()
    crashes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for number in range(count):
            rng = random.Random(f"{salt}/{number}")
            seed = seeds[number % len(seeds)]
            path = fuzzing.materialise(seed, folder / "case", rng)
            for reader, call in calls(path, rng):  # type: ignore[operator]
                outcome = fuzzing.run(reader, seed.name, path, call)
                verdicts[outcome.verdict] += 1
                if outcome.verdict == "crash":
                    crashes.append(f"input {salt}/{number}: " + fuzzing.reproducer(outcome))
    return verdicts, crashes


@pytest.fixture(scope="module")
def gis_seeds(tmp_path_factory: pytest.TempPathFactory) -> list[fuzzing.Seed]:
    return fuzzing.gis_seeds(tmp_path_factory.mktemp("seeds"))


def test_every_seed_reads_cleanly(gis_seeds: list[fuzzing.Seed], tmp_path: Path) -> None:
    from mineplan.io.gis import read_gis_file

    kinds = {Path(seed.name).suffix for seed in gis_seeds}
    assert {".geojson", ".kml", ".kmz", ".zip", ".shp", ".gpkg", ".csv", ".dxf"} <= kinds
    for number, seed in enumerate(gis_seeds):
        folder = tmp_path / str(number)
        folder.mkdir()
        for name, data in seed.parts.items():
            (folder / name).write_bytes(data)
        path = folder / seed.name
        if seed.kind == "zip":
            path.write_bytes(fuzzing.zipped(seed.parts, random.Random(0)))
        assert len(read_gis_file(path, zone=39).frame) >= 1, seed.name


def test_mutated_gis_files_give_only_located_errors(
    gis_seeds: list[fuzzing.Seed], tmp_path: Path
) -> None:
    verdicts, crashes = _fuzz(gis_seeds, fuzzing.gis_calls, 240, tmp_path, "quick")
    assert not crashes, "\n\n".join(crashes[:3])
    assert verdicts["located"] > 100 and verdicts["ok"] > 10  # the mutations bite, not all


@pytest.mark.slow
def test_many_more_mutated_gis_files_give_only_located_errors(
    gis_seeds: list[fuzzing.Seed], tmp_path: Path
) -> None:
    _, crashes = _fuzz(gis_seeds, fuzzing.gis_calls, 2500, tmp_path, "slow")
    assert not crashes, "\n\n".join(crashes[:3])


@pytest.mark.slow
def test_mutated_coordinate_txt_files_give_only_located_errors(tmp_path: Path) -> None:
    _, crashes = _fuzz(fuzzing.txt_seeds(), fuzzing.txt_calls, 2000, tmp_path, "txt")
    assert not crashes, "\n\n".join(crashes[:3])
