"""The edit log: who changed which layer of a store, when, with what.

Every write to a store (a build, an import, a red-line import, a copy) adds one
row per layer it wrote to the store's edit table, in the same transaction as the
change itself, so the log and the data cannot disagree. A planner reads the
history of a layer with :func:`mineplan.store.read_edits`.

Both backends keep the same columns (:data:`EDIT_COLUMNS`); this module holds
what they share and knows nothing of either.

May import: settings.
"""

from __future__ import annotations

import getpass
import time
from dataclasses import dataclass

from mineplan import settings

__all__ = ["EDIT_COLUMNS", "EDIT_TABLE", "EditRecord", "edit_row"]

#: The edit table of every store.
EDIT_TABLE = "mineplan_edits"
#: Its columns: ISO UTC time, user, command or page, layer code, features written,
#: source file (or empty).
EDIT_COLUMNS: tuple[str, ...] = ("time", "user", "command", "layer", "features", "source")


@dataclass(frozen=True)
class EditRecord:
    """What a writer says about its change; the store adds time, layer and feature count.

    Attributes
    ----------
    command
        The command or web page that wrote (``"mineplan import TKGH"``, ``"导入页"``).
    source
        The file the features came from, as the user named it; None for generated data.
    user
        Who wrote; default the operating-system user running the process.
    """

    command: str
    source: str | None = None
    user: str | None = None


def edit_row(edit: EditRecord, *, layer: str, features: int) -> tuple[str, str, str, str, int, str]:
    """One row of the edit table for ``edit`` on ``layer`` (in :data:`EDIT_COLUMNS` order)."""
    epoch = settings.now_epoch()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + "Z"
    return (stamp, edit.user or _user(), edit.command, layer, int(features), edit.source or "")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"
