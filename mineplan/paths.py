"""Where mineplan finds its data: the repository's ``geodata/``, ``layers/``, ``styles/``.

The defaults point at the checkout the package was installed from (mineplan is
installed in editable mode); ``MINEPLAN_HOME`` overrides the root and
``MINEPLAN_SEEDS`` the folder of plan texts.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_STORE", "geodata_dir", "home", "layers_dir", "seeds_dir", "styles_dir"]


def home() -> Path:
    """The project root holding ``geodata/``, ``layers/`` and ``styles/``."""
    env = os.environ.get("MINEPLAN_HOME")
    return Path(env) if env else Path(__file__).resolve().parents[1]


def geodata_dir() -> Path:
    return home() / "geodata"


def layers_dir() -> Path:
    return home() / "layers"


def styles_dir() -> Path:
    return home() / "styles"


def seeds_dir() -> Path:
    """The plan texts (``../shared/seeds`` beside the checkout by default)."""
    env = os.environ.get("MINEPLAN_SEEDS")
    return Path(env) if env else home().parent / "shared" / "seeds"


DEFAULT_STORE = Path("geodata") / "mineplan.gpkg"
