from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from mineplan.settings import seeds_dir

# Property tests measure behaviour, not speed: no per-example deadline (a loaded
# 2-core CI machine would trip it), and in CI the same examples every run.
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
