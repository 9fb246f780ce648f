"""Every environment variable mineplan reads, and every default path, once.

- ``MINEPLAN_HOME``: the root holding ``geodata/``, ``layers/``, ``styles/``
  (default: the checkout the package runs from);
- ``MINEPLAN_STORE``: the store every command and the app use
  (default ``<home>/geodata/mineplan.gpkg``);
- ``MINEPLAN_SEEDS``: the plan texts, for tests and people (``../shared/seeds``);
- ``MINEPLAN_RASTERS``: local raster backgrounds, GeoTIFF (``<home>/geodata/rasters``);
- ``MINEPLAN_MAX_UPLOAD_MB``: the web app's upload limit in MB (200);
- ``TIANDITU_KEY``: the 天地图 key for the optional online basemap (none);
- ``MINEPLAN_LOCK_TIMEOUT``: seconds a store writer waits for another (120);
- ``SOURCE_DATE_EPOCH``: a fixed "now" for reproducible builds and figures (the clock).

Functions, not constants: the environment is read when asked, so a test or the app
can set a variable after import.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from pathlib import Path

__all__ = [
    "DEFAULT_MAX_UPLOAD_MB",
    "DEFAULT_STORE",
    "geodata_dir",
    "home",
    "layers_dir",
    "lock_timeout",
    "max_upload_mb",
    "now_epoch",
    "raster_dir",
    "seeds_dir",
    "store_location",
    "styles_dir",
    "tianditu_key",
    "today",
]

#: The store's path relative to :func:`home` when ``MINEPLAN_STORE`` is not set.
DEFAULT_STORE = Path("geodata") / "mineplan.gpkg"
DEFAULT_MAX_UPLOAD_MB = 200.0


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


def store_location() -> Path:
    """The store every command and the web app use unless told otherwise.

    ``MINEPLAN_STORE`` when set, else ``<home>/geodata/mineplan.gpkg``.
    """
    env = os.environ.get("MINEPLAN_STORE")
    return Path(env) if env else home() / DEFAULT_STORE


def raster_dir() -> Path:
    """The folder of local rasters: ``MINEPLAN_RASTERS``, else ``geodata/rasters``."""
    env = os.environ.get("MINEPLAN_RASTERS")
    return Path(env) if env else geodata_dir() / "rasters"


def max_upload_mb() -> float:
    """The web app's upload limit in MB: ``MINEPLAN_MAX_UPLOAD_MB`` or 200."""
    try:
        value = float(os.environ.get("MINEPLAN_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    except ValueError:
        return DEFAULT_MAX_UPLOAD_MB
    return value if value > 0 else DEFAULT_MAX_UPLOAD_MB


def tianditu_key() -> str:
    """The 天地图 key from ``TIANDITU_KEY`` ('' when unset)."""
    return os.environ.get("TIANDITU_KEY", "").strip()


def now_epoch() -> float:
    """Seconds since 1970 (UTC): ``SOURCE_DATE_EPOCH`` when set, for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        return float(epoch) if epoch else time.time()
    except ValueError:
        return time.time()


def today() -> _dt.date:
    """Today (UTC), or the date of ``SOURCE_DATE_EPOCH``."""
    return _dt.datetime.fromtimestamp(now_epoch(), _dt.UTC).date()


def lock_timeout() -> float:
    """Seconds a writer waits for another writer of the same store: ``MINEPLAN_LOCK_TIMEOUT``."""
    try:
        value = float(os.environ.get("MINEPLAN_LOCK_TIMEOUT", "120"))
    except ValueError:
        return 120.0
    return value if value >= 0 else 120.0
