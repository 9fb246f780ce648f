"""Write a file so that readers see the old one or the new one, never half of one.

Every output mineplan writes (figures, coordinate files, findings, the store)
goes to a temporary file beside the target, which replaces the target only when
complete. The new file gets the permissions any new file of the user gets (the
umask), not the private mode of a temporary file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_output", "atomic_write_bytes"]


@contextmanager
def atomic_output(path: str | Path, *, create: bool = True) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it if the block succeeds.

    Parameters
    ----------
    path
        The target; its folder is created if needed.
    create
        When False the temporary file does not exist inside the block (for
        writers such as GDAL that insist on creating the file themselves).

    Yields
    ------
    Path
        Where to write. On an exception it is removed and the target is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}",
                                dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    if not create:
        tmp.unlink()
    try:
        yield tmp
        os.chmod(tmp, _new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
