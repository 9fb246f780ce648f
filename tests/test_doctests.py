"""The examples in the package's docstrings run and say what they print."""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

import mineplan

MODULES = sorted(info.name for info in pkgutil.walk_packages(mineplan.__path__, "mineplan."))


def test_every_module_is_walked() -> None:
    assert {"mineplan.catalog", "mineplan.geodesy", "mineplan.checks"} <= set(MODULES)


@pytest.mark.parametrize("name", ["mineplan", *MODULES])
def test_doctests_pass(name: str) -> None:
    module = importlib.import_module(name)
    out = io.StringIO()
    runner = doctest.DocTestRunner(verbose=False)
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    failed, attempted = result.failed, result.attempted
    assert not failed, f"{failed} of {attempted} examples fail:\n{out.getvalue()}"
