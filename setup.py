"""Build hook: the data folders at the top of the repository ship inside the wheel.

``layers/``, ``styles/`` and ``geodata/{plans,rules,boundaries,demo}`` stay where they
are (one copy, in the repository); building a wheel copies them to
``mineplan/data/`` in the build folder, where :mod:`mineplan.settings` finds them
through ``importlib.resources`` when mineplan runs from an installed wheel. An
editable install reads them from the checkout, so nothing is copied then.
Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _data_folders() -> tuple[str, ...]:
    """``mineplan.settings.DATA_FOLDERS``, read without importing the package."""
    spec = importlib.util.spec_from_file_location("_mineplan_settings",
                                                  ROOT / "mineplan" / "settings.py")
    assert spec is not None and spec.loader is not None
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    return tuple(settings.DATA_FOLDERS)


#: Folders of the repository shipped as package data, at the same relative paths
#: under mineplan/data/ (MANIFEST.in lists them for the sdist).
DATA_FOLDERS = _data_folders()
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.tmp*", ".*")


class BuildPyWithData(build_py):
    """``build_py``, then the data folders copied into ``<build>/mineplan/data``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder in DATA_FOLDERS:
            target = Path(self.build_lib) / "mineplan" / "data" / folder
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / folder, target, ignore=_IGNORE)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        data = Path(self.build_lib) / "mineplan" / "data"
        if data.is_dir():
            outputs += [str(p) for p in sorted(data.rglob("*")) if p.is_file()]
        return outputs


setup(cmdclass={"build_py": BuildPyWithData})
