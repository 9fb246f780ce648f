"""Every environment variable mineplan reads, and every default path, once.

Where mineplan reads its data (layer definitions, styles, rules, the catalogue,
boundaries, demo hints) — :func:`home`, the root holding ``layers/``, ``styles/`` and
``geodata/{plans,rules,boundaries,demo}``:

1. ``MINEPLAN_HOME`` when set: a bureau's own data folder, laid out like the
   repository (start from a copy of :func:`shipped_data_dir`);
2. else the checkout the package runs from (a clone, or an editable install);
3. else the copy shipped inside the installed wheel (``mineplan/data/``, found through
   ``importlib.resources``; read-only).

Where mineplan writes by default — the store, rasters, QGIS styles: under the home in
cases 1 and 2; from an installed wheel (case 3) in the user's data folder,
:func:`user_data_dir` (``$XDG_DATA_HOME/mineplan``, i.e. ``~/.local/share/mineplan`` on
Linux; ``~/Library/Application Support/mineplan`` on macOS; ``%LOCALAPPDATA%\\mineplan``
on Windows), never inside site-packages.

The environment variables:

- ``MINEPLAN_HOME``: the data root above (default: the checkout, else the wheel's copy);
- ``MINEPLAN_STORE``: the store every command and the app use (default
  ``<home>/geodata/mineplan.gpkg``; from a wheel ``<user data>/mineplan.gpkg``);
- ``MINEPLAN_SEEDS``: the plan texts, for tests and people (``../shared/seeds``);
- ``MINEPLAN_RASTERS``: local raster backgrounds, GeoTIFF (``<home>/geodata/rasters``;
  from a wheel ``<user data>/rasters``);
- ``MINEPLAN_FONTS``: the TrueType CJK font made at set-up (``<home>/geodata/fonts``;
  from a wheel ``<user data>/fonts``);
- ``MINEPLAN_MAX_UPLOAD_MB``: the web app's upload limit in MB (200);
- ``TIANDITU_KEY``: the 天地图 key for the optional online basemap (none);
- ``MINEPLAN_LOCK_TIMEOUT``: seconds a store writer waits for another writer (120);
- ``MINEPLAN_WEB_PREPARE``: ``0`` stops a command that writes a store from preparing the
  web map's first view in the background (on);
- ``SOURCE_DATE_EPOCH``: a fixed "now" for reproducible builds and figures (the clock);
- ``XDG_DATA_HOME`` (Linux), ``LOCALAPPDATA`` (Windows): where :func:`user_data_dir` is.

Functions, not constants: the environment is read when asked, so a test or the app
can set a variable after import. This module imports nothing from mineplan.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
import time
from pathlib import Path

__all__ = [
    "DATA_FOLDERS",
    "DEFAULT_MAX_UPLOAD_MB",
    "DEFAULT_STORE",
    "fonts_dir",
    "geodata_dir",
    "home",
    "layers_dir",
    "lock_timeout",
    "max_upload_mb",
    "now_epoch",
    "qml_dir",
    "raster_dir",
    "seeds_dir",
    "shipped_data_dir",
    "store_location",
    "styles_dir",
    "tianditu_key",
    "today",
    "user_data_dir",
    "web_prepare",
]

#: The store's path relative to :func:`home` when ``MINEPLAN_STORE`` is not set.
DEFAULT_STORE = Path("geodata") / "mineplan.gpkg"
DEFAULT_MAX_UPLOAD_MB = 200.0
#: The data folders a home holds, relative to it; setup.py ships them in the wheel under
#: ``mineplan/data/`` and MANIFEST.in in the sdist.
DATA_FOLDERS = ("layers", "styles", "geodata/plans", "geodata/rules", "geodata/boundaries",
                "geodata/demo")


def home() -> Path:
    """The root holding ``layers/``, ``styles/`` and ``geodata/`` (see the module notes)."""
    return _writable_home() or shipped_data_dir()


def geodata_dir() -> Path:
    return home() / "geodata"


def layers_dir() -> Path:
    return home() / "layers"


def styles_dir() -> Path:
    return home() / "styles"


def shipped_data_dir() -> Path:
    """The data mineplan ships: the checkout, or ``mineplan/data`` inside the wheel.

    Copy it to start a bureau's own data folder (then set ``MINEPLAN_HOME`` to the copy).
    """
    checkout = _checkout()
    if checkout is not None:
        return checkout
    from importlib.resources import files

    return Path(str(files("mineplan") / "data"))


def user_data_dir() -> Path:
    """The user's folder for what an installed mineplan writes (store, rasters, styles)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mineplan"


def qml_dir() -> Path:
    """Where ``mineplan styles`` writes the QGIS ``.qml`` files: ``<styles>/qml``
    (from a wheel: ``<user data>/qml``)."""
    root = _writable_home()
    return root / "styles" / "qml" if root is not None else user_data_dir() / "qml"


def seeds_dir() -> Path:
    """The plan texts (``../shared/seeds`` beside the checkout by default)."""
    env = os.environ.get("MINEPLAN_SEEDS")
    return Path(env) if env else home().parent / "shared" / "seeds"


def store_location() -> Path:
    """The store every command and the web app use unless told otherwise.

    ``MINEPLAN_STORE`` when set, else ``<home>/geodata/mineplan.gpkg`` (from a wheel
    without ``MINEPLAN_HOME``: ``<user data>/mineplan.gpkg``).
    """
    env = os.environ.get("MINEPLAN_STORE")
    if env:
        return Path(env)
    root = _writable_home()
    return root / DEFAULT_STORE if root is not None else user_data_dir() / DEFAULT_STORE.name


def raster_dir() -> Path:
    """The folder of local rasters: ``MINEPLAN_RASTERS``, else ``geodata/rasters``
    (from a wheel: ``<user data>/rasters``)."""
    env = os.environ.get("MINEPLAN_RASTERS")
    if env:
        return Path(env)
    root = _writable_home()
    return root / "geodata" / "rasters" if root is not None else user_data_dir() / "rasters"


def _writable_home() -> Path | None:
    """``MINEPLAN_HOME``, else the checkout; None when running from an installed wheel."""
    env = os.environ.get("MINEPLAN_HOME")
    return Path(env) if env else _checkout()


def _checkout() -> Path | None:
    """The repository the package runs from, if it does (it has pyproject.toml and layers/)."""
    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").is_file() and (root / "layers").is_dir():
        return root
    return None


def fonts_dir() -> Path:
    """The folder of the figures' TrueType CJK font: ``MINEPLAN_FONTS``, else ``geodata/fonts``
    (from a wheel: ``<user data>/fonts``).

    Set-up fills it (``python -m mineplan.figures make-font``); see :mod:`mineplan.figures.fonts`.
    """
    env = os.environ.get("MINEPLAN_FONTS")
    if env:
        return Path(env)
    root = _writable_home()
    return root / "geodata" / "fonts" if root is not None else user_data_dir() / "fonts"


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


def web_prepare() -> bool:
    """Whether a write of a store prepares the web map's first view in the background
    (:func:`mineplan.web.prepare.start_prepare`): off when ``MINEPLAN_WEB_PREPARE=0``."""
    return os.environ.get("MINEPLAN_WEB_PREPARE", "").strip() != "0"
