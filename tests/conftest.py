from __future__ import annotations

import os
from pathlib import Path

import pytest

from mineplan.paths import seeds_dir


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The plan texts; CI must have them (../shared/seeds beside the checkout)."""
    path = seeds_dir()
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"plan texts not found at {path} (set MINEPLAN_SEEDS)")
        pytest.skip(f"plan texts not found at {path}")
    return path
