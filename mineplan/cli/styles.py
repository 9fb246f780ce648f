"""``mineplan styles``: QGIS ``.qml`` files from ``styles/styles.toml``.

Each file is written atomically. Imports :mod:`mineplan.cli.common` and, inside
:func:`run`, the layer definitions.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mineplan import settings
from mineplan.cli.common import EXIT_OK, Subparsers, layer_qml_texts

__all__ = ["register", "run"]


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``styles`` to the ``mineplan`` command's subparsers."""
    styles = subparsers.add_parser("styles", parents=[common], help="write QGIS .qml files")
    styles.add_argument("-o", "--output-dir", type=Path, default=None,
                        help=f"folder for the .qml files (default {settings.qml_dir()})")
    styles.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write ``<CODE>.qml`` for every layer defined in ``layers/``."""
    from mineplan.atomic import atomic_write_bytes
    from mineplan.layers import read_layer_specs

    out = args.output_dir or settings.qml_dir()
    out.mkdir(parents=True, exist_ok=True)
    specs = read_layer_specs()
    for code, text in layer_qml_texts(specs).items():
        atomic_write_bytes(out / f"{code}.qml", text.encode("utf-8"))
    print(f"wrote {len(specs)} styles to {out}")
    return EXIT_OK
