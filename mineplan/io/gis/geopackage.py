"""Which layers of a GeoPackage are read: real feature tables only, never views.

A GeoPackage may list as a "features" layer a *view* — a stored query, which can be
built to run forever (a recursive query) — and QGIS adds a ``layer_styles``
attribute table beside the layer it styles. :func:`feature_tables` reads the
GeoPackage's own catalogue (``gpkg_contents`` joined with ``sqlite_master``) and
returns the feature tables, and the views refused, so the reader can say why.
Even that look is bounded: SQLite is interrupted after a fixed amount of work.

May import: nothing from mineplan. Opens the file read-only through :mod:`sqlite3`.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GeoPackageLayers", "feature_tables"]

# SQLite calls the progress handler every _STEPS virtual machine instructions; the
# catalogue query of an honest GeoPackage needs a few thousand.
_STEPS = 10_000
_SECONDS = 2.0


@dataclass(frozen=True)
class GeoPackageLayers:
    """The feature layers of a GeoPackage.

    Attributes
    ----------
    tables
        Feature layers that are real tables, in catalogue order: these are read.
    views
        Feature layers that are views (stored queries): these are refused.
    """

    tables: tuple[str, ...]
    views: tuple[str, ...]


def feature_tables(path: Path) -> GeoPackageLayers | None:
    """The feature tables and views of a GeoPackage, or None when its catalogue
    cannot be read quickly (not SQLite, no ``gpkg_contents``, a hostile catalogue):
    GDAL then has its say."""
    deadline = time.monotonic() + _SECONDS
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (sqlite3.Error, ValueError):
        return None
    try:
        con.set_progress_handler(lambda: int(time.monotonic() > deadline), _STEPS)
        rows = con.execute(
            "SELECT c.table_name, m.type FROM gpkg_contents AS c "
            "LEFT JOIN sqlite_master AS m ON m.name = c.table_name "
            "WHERE lower(c.data_type) = 'features' LIMIT 10000"
        ).fetchall()
    except (sqlite3.Error, ValueError, OverflowError):
        return None
    finally:
        con.close()
    tables = tuple(str(name) for name, kind in rows if kind == "table")
    views = tuple(str(name) for name, kind in rows if kind == "view")
    return GeoPackageLayers(tables, views)
