"""The browse map's first view of a store version, worked out once and kept on disk.

A session's first run of the browse page draws its map from two files an earlier run
kept per store version (issue 14, cold first render): the layers published for the
live map (:func:`mineplan.web.livemap.published_layers`) and the page's "facts" — its
filters' choices and what the unfiltered map shows (:func:`browse_facts`). This module
works both out for a store: the page calls it, and so do the commands that write a
store (``mineplan build``, ``mineplan import``, ``mineplan redline import``) and the
web import page, through :func:`start_prepare`: a detached ``python -m
mineplan.web.prepare STORE`` that keeps them for the new version, so the first server
after a build or an import takes the fast path too. The command does not wait for it
and its failure changes nothing (the page then works them out itself); every file is
written whole (temporary file, then rename), so a half-written one is never read.

``MINEPLAN_WEB_PREPARE=0`` turns the background preparation off.

Light at import (no geopandas, pandas or folium: :func:`first_view` runs before the
page has imported them; :mod:`mineplan.web.livemap` only when used: a command that
only starts the preparation does not load it). May import :mod:`mineplan.settings`,
:mod:`mineplan.layers`, :mod:`mineplan.location`, :mod:`mineplan.store`,
:mod:`mineplan.catalog` and :mod:`mineplan.web` modules (the heavy ones inside functions).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mineplan import settings
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle, read_layer_specs, read_styles
from mineplan.location import as_location, is_postgres
from mineplan.store import list_layers, overview_layers, read_layer, store_version

if TYPE_CHECKING:
    import geopandas as gpd

    from mineplan.web.livemap import LiveLayer

__all__ = [
    "Definitions",
    "browse_facts",
    "definitions",
    "first_view",
    "large_layers",
    "layers_key",
    "live_layers",
    "map_frames",
    "plan_order",
    "prepare",
    "start_prepare",
]

log = logging.getLogger(__name__)

#: The layer definitions and styles the browse map is drawn with.
Definitions = tuple[dict[str, LayerSpec], dict[str, LayerStyle], SchematicStyle]

def definitions() -> Definitions:
    """``layers/`` and ``styles/styles.toml`` as the browse map uses them."""
    specs = read_layer_specs()
    styles, schematic = read_styles()
    return specs, styles, schematic


def plan_order() -> list[str]:
    """The plans' regions in the catalogue's order (the browse page's 规划 choices)."""
    from mineplan.catalog import plan_index

    return [p.region for p in plan_index().values()]


def layers_key(location: str | Path, version: int, defs: Definitions) -> str:
    """What a store version's published layers and kept facts are made of: the store
    (a GeoPackage by its absolute path, so a command and a server started elsewhere
    agree; a PostGIS store by its URL), its version and the definitions."""
    where = str(location) if is_postgres(location) else os.path.abspath(location)
    specs, styles, schematic = defs
    return f"{where}#{version}#{specs!r}#{styles!r}#{schematic!r}"


def large_layers(location: str | Path, specs: Mapping[str, LayerSpec]) -> tuple[str, ...]:
    """The store's large layers, drawn per map view (display copies; zone layers excepted)."""
    return tuple(c for c in overview_layers(location)
                 if c in specs and not specs[c].is_zone_layer)


def map_frames(location: str | Path, large: Sequence[str]) -> dict[str, gpd.GeoDataFrame]:
    """The layers for the browse map: whole, except the ``large`` ones (no features:
    they are read per view)."""
    nowhere = (-180.0, -90.0, -179.999, -89.999)
    return {code: read_layer(location, code, bbox=nowhere) if code in large
            else read_layer(location, code) for code in list_layers(location)}


def live_layers(location: str | Path, version: int,
                frames: Callable[[], Mapping[str, gpd.GeoDataFrame]],
                defs: Definitions) -> list[LiveLayer]:
    """Every store layer but the large ones published for the live map, bottom first;
    read back from disk when kept for this version (``frames`` is then not called)."""
    from mineplan.web.livemap import component_dir, published_layers
    from mineplan.web.maplayers import map_layers

    specs, styles, schematic = defs
    return published_layers(layers_key(location, version, defs),
                            lambda: map_layers(frames(), specs, styles, schematic),
                            component_dir())


def browse_facts(location: str | Path, version: int,
                 frames: Mapping[str, gpd.GeoDataFrame], live: Sequence[LiveLayer],
                 defs: Definitions, *, large: Sequence[str], order: Sequence[str]
                 ) -> dict[str, Any]:
    """What the browse page's filters offer and its map shows unfiltered, kept on disk
    for this store version (:func:`first_view` reads it back): ``regions`` (the plans,
    in ``order``), ``layers`` ([name, code] of each layer), ``levels`` (the zones'
    levels), ``large`` (layers drawn per view) and ``visible`` (layer code → the ids
    shown with every plan and layer chosen, None for all).

    ``frames``: :func:`map_frames`; ``live``: :func:`live_layers`.
    """
    from mineplan.web.browsing import store_regions, visible_frames, zone_levels
    from mineplan.web.livemap import component_dir, keep_facts, visible_ids

    specs = defs[0]
    regions = store_regions(frames, specs, order=list(order))
    names = [[specs[c].name, c] for c in frames if c in specs]
    shown = visible_frames(frames, specs, codes=[c for _, c in names], regions=regions)
    facts = {
        "regions": regions, "layers": names,
        "levels": zone_levels({c: f for c, f in frames.items() if specs[c].is_zone_layer}),
        "large": list(large),
        "visible": {x.code: visible_ids(frames[x.code], shown[x.code])
                    for x in live if x.code in shown},
    }
    keep_facts(layers_key(location, version, defs), component_dir(), facts)
    return facts


def first_view(location: str | Path, version: int, defs: Definitions, *,
               wait: float = 0.0) -> tuple[dict[str, Any], list[LiveLayer]] | None:
    """(:func:`browse_facts`, :func:`live_layers`) as kept on disk for this store
    version, read without geopandas; None when they are not there.

    ``wait``: while a preparation of this version runs (:func:`start_prepare`, just
    after a command wrote the store), wait for it up to that many seconds: it is
    nearly done, and the page working it out too would only slow both down.
    """
    from mineplan.web.livemap import component_dir, kept_facts, read_published, under_preparation

    folder = component_dir()
    key = layers_key(location, version, defs)
    end = time.monotonic() + wait
    while True:
        facts = kept_facts(key, folder)
        layers = read_published(key, folder) if facts is not None else None
        if facts is not None and layers is not None:
            return facts, layers
        if time.monotonic() >= end or not under_preparation(key, folder):
            return None
        time.sleep(0.05)


def prepare(location: str | Path) -> bool:
    """Work out and keep the browse map's first view of the store as it is now.

    True when kept; False when the store changed meanwhile (the facts are then not
    kept for the version that was read: the next preparation or the page does it).
    While it runs, a page opened on that version waits for it (:func:`first_view`).
    """
    from mineplan.web.livemap import component_dir, preparing

    defs = definitions()
    version = store_version(location)
    if first_view(location, version, defs) is not None:
        return True
    with preparing(layers_key(location, version, defs), component_dir()):
        large = large_layers(location, defs[0])
        frames = map_frames(location, large)
        live = live_layers(location, version, lambda: frames, defs)
        if store_version(location) != version:
            return False
        browse_facts(location, version, frames, live, defs, large=large,
                     order=plan_order())
    return True


def start_prepare(location: str | Path) -> None:
    """Run :func:`prepare` for ``location`` in a detached process and return at once.

    Never raises: a store's write has succeeded whatever happens here (the page works
    the view out itself when nothing is kept). Off when ``MINEPLAN_WEB_PREPARE=0``.
    """
    if not settings.web_prepare():
        return
    where = str(location) if is_postgres(location) else os.path.abspath(location)
    options: dict[str, Any] = (
        {"creationflags": getattr(subprocess, "DETACHED_PROCESS", 0)
         | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
        if sys.platform == "win32" else {"start_new_session": True})
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "mineplan.web.prepare", where],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=True, **options)
    except OSError as err:
        log.info("could not start the web map's preparation: %s", err)
        return
    with warnings.catch_warnings():  # not waited for, on purpose: reaped by subprocess
        warnings.simplefilter("ignore", ResourceWarning)
        del child


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mineplan.web.prepare STORE``: :func:`prepare`; 0 when kept, else 1."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m mineplan.web.prepare STORE", file=sys.stderr)
        return 2
    try:
        return 0 if prepare(as_location(args[0])) else 1
    except Exception as err:  # a background helper: say why, change nothing
        print(f"mineplan.web.prepare: {type(err).__name__}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
