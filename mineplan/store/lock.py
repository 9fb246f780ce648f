"""One writer at a time per store file, with a bounded wait.

A GeoPackage is replaced as a whole (copy, edit the copy, swap it in), so two
writers that both copy the same old file would each swap in a store missing the
other's change. Every write therefore runs under an exclusive lock on a sidecar
file beside the store (``.<name>.lock``), taken *before* the store is read, so
each write starts from the store as the previous writer left it.

The lock is the operating system's (``fcntl.flock``): it is released when the
process ends, even by ``kill -9``, so a crashed writer never leaves the store
locked. The sidecar file is never deleted (deleting a lock file while another
process waits on it would let two writers in). A writer that cannot get the lock
within the timeout (``MINEPLAN_LOCK_TIMEOUT``, default 120 s) fails with a
:class:`~mineplan.errors.StoreBusyError` naming who holds it; it never writes.

Readers take no lock: the store is swapped in by one ``rename``, so a reader sees
the old file or the new one, never half of one.

May import: errors, settings. POSIX only (``fcntl``), like the Debian targets.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

from mineplan import settings
from mineplan.errors import StoreBusyError

__all__ = ["lock_path", "writer_lock"]

_POLL_S = 0.05


def lock_path(store: Path) -> Path:
    """The sidecar lock file of ``store`` (``.<name>.lock`` in the same folder)."""
    return store.with_name(f".{store.name}.lock")


@contextlib.contextmanager
def writer_lock(store: str | Path, *, what: str, timeout: float | None = None) -> Iterator[None]:
    """Hold the store's writer lock for the block.

    Parameters
    ----------
    store
        The store file (it need not exist yet: a build creates it).
    what
        What this writer does, for the message another writer gets while waiting
        (e.g. ``"mineplan import TKGH"``).
    timeout
        Seconds to wait for another writer; default :func:`mineplan.settings.lock_timeout`.

    Raises
    ------
    StoreBusyError
        When another writer holds the lock for longer than ``timeout``.
    """
    store = Path(store)
    path = lock_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    limit = settings.lock_timeout() if timeout is None else timeout
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + limit
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"another writer has held this store for more than {limit:g} s "
                        f"({_holder(fd)}); try again when it has finished, or set "
                        "MINEPLAN_LOCK_TIMEOUT to wait longer", path=store) from None
                time.sleep(_POLL_S)
        _write_holder(fd, what)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _write_holder(fd: int, what: str) -> None:
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = json.dumps({"pid": os.getpid(), "what": what, "since": stamp}, ensure_ascii=False)
    os.ftruncate(fd, 0)
    os.pwrite(fd, record.encode("utf-8"), 0)


def _holder(fd: int) -> str:
    try:
        record = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return f"{record['what']}, process {record['pid']}, since {record['since']}"
    except (ValueError, KeyError, OSError):
        return "holder unknown"
