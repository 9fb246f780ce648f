"""What every ``mineplan`` command shares: options, exit statuses, errors, running.

Owns the options every command takes (``-v``/``-q``/``--debug``, accepted before or
after the command's name), the ``--store`` option (default
:func:`mineplan.settings.store_location`, so ``MINEPLAN_STORE`` is honoured by every
command as by the web app), the exit statuses, how an error is printed, and the QML
texts the ``build`` and ``redline`` commands both store.

May import the standard library, :mod:`mineplan.settings`, :mod:`mineplan.errors` and
:mod:`mineplan.location` at module level (all light) and anything else only inside a
function; never a subcommand module. The parser must stay cheap to build: ``mineplan --help`` does
not import pandas, geopandas, shapely, pyproj, pyogrio, folium or matplotlib.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mineplan import settings
from mineplan.errors import MineplanError
from mineplan.location import as_location

if TYPE_CHECKING:
    from mineplan.layers import LayerSpec

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Subparsers",
    "add_store_option",
    "common_options",
    "layer_qml_texts",
    "print_warnings",
    "run_command",
    "usage",
]

#: Exit statuses. ``EXIT_USAGE`` is also what argparse uses for a bad command line.
EXIT_OK = 0
EXIT_FINDINGS = 1  # `mineplan check`: some finding is 不通过 (fail)
EXIT_USAGE = 2  # bad input, missing file, nothing matched: one plain message
EXIT_INTERNAL = 3  # a bug: a one-line message; --debug shows the traceback
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_BROKEN_PIPE = 141  # output piped into `head` and the like

#: errno values of a full disk or an exhausted quota.
_DISK_FULL = frozenset({28, 122})  # ENOSPC, EDQUOT (Linux)

#: What ``ArgumentParser.add_subparsers()`` returns (argparse keeps its class private).
Subparsers = Any


def common_options(*, top: bool = False) -> argparse.ArgumentParser:
    """The parent parser of ``-v``/``-q``/``--debug``.

    Parameters
    ----------
    top
        True for the ``mineplan`` parser itself: the options get their defaults
        there. Below it they default to ``argparse.SUPPRESS``, so an option given
        before the command (``mineplan --debug build``) is not reset by the
        command's parser, and one given after it (``mineplan build --debug``) counts.
    """
    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=default(0),
                        help="more messages")
    common.add_argument("-q", "--quiet", action="count", default=default(0),
                        help="fewer messages")
    common.add_argument("--debug", action="store_true", default=default(False),
                        help="show the traceback of an unexpected error")
    return common


def add_store_option(parser: argparse.ArgumentParser, *, help: str) -> None:
    """``--store LOCATION``, defaulting to :func:`mineplan.settings.store_location`.

    A location is a GeoPackage path or a ``postgresql://USER@HOST:PORT/DB?schema=NAME``
    URL (:func:`mineplan.location.as_location`); the password of a database comes
    from ``PGPASSWORD`` or ``~/.pgpass``, never from the command line. The default
    is read when the parser is built, i.e. on every run of :func:`mineplan.cli.main`,
    so ``MINEPLAN_STORE`` set before a run is honoured.
    """
    parser.add_argument("--store", type=as_location,
                        default=as_location(settings.store_location()),
                        help=f"{help}: a .gpkg path or a postgresql://USER@HOST:PORT/DB?schema=NAME"
                        " URL (default: $MINEPLAN_STORE or %(default)s)")


def usage(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """The command of a group called without a command: show its help, exit 2."""
    def run(_args: argparse.Namespace) -> int:
        parser.print_help()
        return EXIT_USAGE
    return run


def print_warnings(warnings: Iterable[str], *, prefix: str = "warning: ") -> None:
    """Each warning of a reader on its own line of stderr."""
    for warning in warnings:
        print(f"{prefix}{warning}", file=sys.stderr)


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse ``argv``, set up logging, run the command; the exit status.

    Errors mineplan expects (:class:`mineplan.errors.MineplanError`: bad input,
    missing files) print one plain message and give :data:`EXIT_USAGE`; anything
    else prints one line and gives :data:`EXIT_INTERNAL`, or raises under ``--debug``.
    """
    args = parser.parse_args(argv)  # --help and --version exit here, before any import
    import logging

    logging.basicConfig(
        level=logging.WARNING - 10 * args.verbose + 10 * args.quiet,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args) or EXIT_OK)
    except MineplanError as err:
        print(f"mineplan: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("mineplan: interrupted; nothing was replaced", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as err:  # an unexpected failure: say so plainly, no traceback
        if isinstance(err, OSError) and err.errno in _DISK_FULL and not args.debug:
            # every write goes to a temporary file first: the previous files are intact
            where = f" writing {err.filename}" if err.filename else ""
            print(f"mineplan: error: the disk is full{where} ({err.strerror}); nothing was "
                  "replaced — free some space and run the command again", file=sys.stderr)
            return EXIT_USAGE
        if args.debug:
            raise
        print(
            f"mineplan: internal error: {type(err).__name__}: {err}\n"
            "(this is a bug; run again with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def layer_qml_texts(specs: Mapping[str, LayerSpec]) -> dict[str, str]:
    """Layer code → the QGIS style (QML text) of that layer, from ``styles/styles.toml``."""
    from mineplan.layers import read_styles
    from mineplan.styles import layer_qml

    styles, schematic = read_styles(codes=[s.style for s in specs.values()])
    return {code: layer_qml(spec, styles[spec.style], schematic) for code, spec in specs.items()}
