"""The wheel built from the repository installs and runs outside any checkout.

The slow test copies the repository to a temporary folder (so the build writes nothing
into the checkout), builds the wheel with the test environment's setuptools (no
download), installs it into a fresh venv in another temporary folder, and runs the
installed ``mineplan`` script with the working folder outside the checkout and no
``MINEPLAN_*`` variable set. The fresh venv borrows the third-party packages of the
test environment through a ``.pth`` line, but mineplan itself comes only from the wheel.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from mineplan.settings import DATA_FOLDERS

ROOT = Path(__file__).resolve().parents[1]
_ANYWHERE = shutil.ignore_patterns("__pycache__", ".*_cache", ".hypothesis", "*.egg-info")
_AT_TOP = {".git", ".venv", "build", "dist", "test-artifacts"}  # not mineplan/build/


def _not_source(folder: str, names: list[str]) -> set[str]:
    """What a copy of the repository leaves out: caches, venvs, builds, built stores."""
    skip = set(_ANYWHERE(folder, names))
    here = Path(folder)
    if here == ROOT:
        skip |= _AT_TOP & set(names)
    if here == ROOT / "geodata":
        skip |= {n for n in names if n.endswith(".gpkg") or n == "rasters"}
    return skip


def test_the_sdist_manifest_grafts_every_data_folder() -> None:
    """MANIFEST.in carries what settings.DATA_FOLDERS names (setup.py reads those)."""
    text = (ROOT / "MANIFEST.in").read_text(encoding="utf-8")
    assert re.findall(r"^graft (\S+)$", text, flags=re.M) == list(DATA_FOLDERS)


def _run(argv: list[str], *, cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the checkout with only the wheel's mineplan; its folder."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=_not_source)
    dist = work / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "--no-cache-dir", "-w", str(dist), str(source)], cwd=work)
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list(dist.glob("mineplan-*.whl"))
    assert len(wheels) == 1

    with zipfile.ZipFile(wheels[0]) as zf:
        names = set(zf.namelist())
    for folder in DATA_FOLDERS:
        shipped = {n for n in names if n.startswith(f"mineplan/data/{folder}/")}
        in_repo = {f"mineplan/data/{p.relative_to(ROOT).as_posix()}"
                   for p in (ROOT / folder).rglob("*") if p.is_file()
                   and "__pycache__" not in p.parts}
        assert shipped == in_repo, folder

    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                   cwd=work).stdout.strip()
    # the test environment's third-party packages, after the venv's own site-packages
    (Path(purelib) / "_borrowed_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    done = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                 "--no-index", str(wheels[0])], cwd=work)
    assert done.returncode == 0, done.stdout + done.stderr
    return env_dir


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MINEPLAN_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["HOME"] = str(tmp / "home")
    env["XDG_DATA_HOME"] = str(tmp / "xdg")
    return env


@pytest.mark.slow
def test_the_wheel_builds_a_store_and_checks_a_plan(installed: Path, tmp_path: Path) -> None:
    python, script = installed / "bin" / "python", installed / "bin" / "mineplan"
    env = _clean_env(tmp_path)
    where = _run([str(python), "-c", "import mineplan, mineplan.settings as s; "
                  "print(mineplan.__file__); print(s.home()); print(s.store_location())"],
                 cwd=tmp_path, env=env)
    assert where.returncode == 0, where.stderr
    module, home, store = (Path(line) for line in where.stdout.splitlines())
    assert module.is_relative_to(installed) and not module.is_relative_to(ROOT)
    assert home == module.parent / "data"
    assert store == tmp_path / "xdg" / "mineplan" / "mineplan.gpkg"

    built = _run([str(script), "build", "-o", "X.gpkg"], cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "X.gpkg").is_file()
    assert re.search(r"^wrote X\.gpkg: \d+ zones in \d+ layers", built.stdout, flags=re.M)

    # check reads the store MINEPLAN_STORE names, as the web app does
    env["MINEPLAN_STORE"] = str(tmp_path / "X.gpkg")
    checked = _run([str(script), "check", "--plan", "新源县", "-o", "findings.csv"],
                   cwd=tmp_path, env=env)
    # exit status 1: some finding fails (the demo red line covers part of 新源县's zones)
    assert checked.returncode == 1, checked.stderr
    with open(tmp_path / "findings.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {row["结论代码"] for row in rows} >= {"fail", "pass"}
    assert "新源县" in checked.stdout and "wrote findings.csv" in checked.stdout
    # nothing else written beside them but the store's writer-lock sidecar
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        ".X.gpkg.lock", "X.gpkg", "findings.csv"]


@pytest.mark.slow
def test_the_wheel_writes_its_default_store_in_the_user_data_folder(
        installed: Path, tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    built = _run([str(installed / "bin" / "mineplan"), "build", "-q", "--plans", "xinyuan"],
                 cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "xdg" / "mineplan" / "mineplan.gpkg").is_file()
    assert not any(installed.rglob("*.gpkg"))
