"""The one zip guard: what an archive (``.zip``, ``.kmz``) must respect before it is opened.

:func:`check_zip` looks at an archive's directory — member count, member names
(empty, absolute paths, drive letters, ``..``), the unpacked size, the compression
ratio of the whole and of each large member (a zip bomb compresses far better than
data) — then inflates every member as a stream to count the real bytes (directories
can lie), and returns the names of its files, or raises :class:`UnsafeArchiveError` carrying
what was wrong as fields (``reason``, ``names``, ``count``, ``total_bytes``), so the
GIS reader says it in English and the upload page in Chinese without parsing text.

May import: ``errors``. Inflates members only to count their bytes; keeps none.

Examples
--------
>>> import io, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w") as archive:
...     archive.writestr("../evil.shp", b"x")
>>> try:
...     check_zip(buffer.getvalue())
... except UnsafeArchiveError as exc:
...     print(exc.reason, exc.names)
names ('../evil.shp',)
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from mineplan.errors import MineplanError

__all__ = ["ArchiveProblem", "UnsafeArchiveError", "ZipLimits", "check_zip", "unsafe_member"]

_CHUNK = 1 << 20

#: What can be wrong with an archive: it cannot be opened, holds too many members,
#: has unsafe member names, unpacks too big, or compresses like a zip bomb.
ArchiveProblem = Literal["unreadable", "entries", "names", "size", "ratio"]


@dataclass(frozen=True)
class ZipLimits:
    """Limits a zip archive (``.zip``, ``.kmz``) must respect before it is opened.

    Parameters
    ----------
    max_entries
        Most members an archive may hold.
    max_total_bytes
        Most bytes all members may take once uncompressed.
    max_ratio
        Highest uncompressed/compressed size ratio, of the whole archive and of any
        member larger than ``ratio_floor_bytes`` (a zip bomb compresses far better).
    ratio_floor_bytes
        Members smaller than this are not ratio-checked on their own.
    """

    max_entries: int = 200
    max_total_bytes: int = 500 * 1024 * 1024
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1024 * 1024


class UnsafeArchiveError(MineplanError, ValueError):
    """An archive refused by :func:`check_zip`; the message is English.

    Attributes
    ----------
    reason
        An :data:`ArchiveProblem`.
    limits
        The limits applied.
    names
        The members concerned (unsafe names, over-compressed members), maybe empty.
    count
        Members in the archive (0 when it cannot be opened).
    total_bytes
        Their unpacked size, bytes.
    detail
        The zip library's message for an unreadable archive, else "".
    """

    def __init__(
        self,
        reason: ArchiveProblem,
        message: str,
        *,
        limits: ZipLimits,
        names: tuple[str, ...] = (),
        count: int = 0,
        total_bytes: int = 0,
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.reason: ArchiveProblem = reason
        self.limits = limits
        self.names = names
        self.count = count
        self.total_bytes = total_bytes
        self.detail = detail


def unsafe_member(name: str) -> bool:
    """Whether an archive member name would escape the folder it is unpacked in.

    Absolute paths, a drive (``C:``), and ``..`` anywhere are unsafe; ``\\`` counts as ``/``.

    Examples
    --------
    >>> unsafe_member("shp/a.shp"), unsafe_member("/etc/a"), unsafe_member("C:\\\\a")
    (False, True, True)
    >>> unsafe_member("a/../../b")
    True
    """
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return True
    return ".." in PurePosixPath(normal).parts


def check_zip(source: bytes | str | Path, limits: ZipLimits | None = None) -> tuple[str, ...]:
    """Refuse an unsafe archive; return its member file names (folders left out).

    The directory is checked first (count, names, declared sizes); then every member
    is inflated as a stream — nothing kept — counting the *real* bytes, so sizes that
    lie and "diluted" bombs (many small members, each over-compressed) are caught.
    The work is bounded: streaming stops at the first limit crossed.

    Parameters
    ----------
    source
        The archive's bytes or path.
    limits
        Default :class:`ZipLimits`.

    Raises
    ------
    UnsafeArchiveError
        Checked in this order: unreadable, too many members, unsafe names, too big
        unpacked, suspicious compression ratio; then, inflating, damaged or lying
        members (unreadable), too big (size), over-compressed (ratio).
    """
    limits = limits or ZipLimits()
    try:
        opened = io.BytesIO(source) if isinstance(source, bytes) else source
        archive = zipfile.ZipFile(opened)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, IndexError, struct.error,
            NotImplementedError) as exc:  # e.g. "zip file version 22.9" from a bad directory
        raise UnsafeArchiveError(
            "unreadable", f"not a readable zip archive ({exc})", limits=limits, detail=str(exc)
        ) from exc
    with archive:
        infos = archive.infolist()
        _check_directory(infos, limits)
        packed_file = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
        _inflate_all(archive, infos, limits, packed_file)
    return tuple(info.filename for info in infos if not info.filename.endswith("/"))


def _check_directory(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    """What the central directory alone shows: count, names, declared sizes."""
    count = len(infos)
    if count > limits.max_entries:
        raise UnsafeArchiveError(
            "entries",
            f"the archive holds {count} entries, more than the {limits.max_entries} "
            "allowed; unzip it and open the file you need",
            limits=limits,
            count=count,
        )
    unsafe = tuple(
        info.filename
        for info in infos
        if not info.filename or "\x00" in info.filename or unsafe_member(info.filename)
    )
    if unsafe:
        raise UnsafeArchiveError(
            "names",
            f"refusing an archive with unsafe entry names {_quoted(unsafe)} "
            "(empty, absolute paths or '..'); re-create the archive with plain names",
            limits=limits,
            names=unsafe,
            count=count,
        )
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if total > limits.max_total_bytes:
        raise _too_big(limits, count, total)
    bombs = tuple(
        info.filename
        for info in infos
        if info.file_size >= limits.ratio_floor_bytes
        and info.file_size > limits.max_ratio * max(info.compress_size, 1)
    )
    if bombs or (total >= limits.ratio_floor_bytes and total > limits.max_ratio * max(packed, 1)):
        raise _bomb(limits, count, total, bombs)


def _inflate_all(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ZipLimits, packed_file: int
) -> None:
    """Inflate every member as a stream, counting real bytes against the limits.

    Members compressing better than ``max_ratio`` may together unpack to at most
    ``ratio_floor_bytes`` (a diluted bomb spreads itself over many small members);
    the whole archive to at most ``max_ratio`` times its size (beyond the floor) and
    ``max_total_bytes``.
    """
    count = len(infos)
    whole_cap = min(
        limits.max_total_bytes, max(limits.ratio_floor_bytes, int(limits.max_ratio * packed_file))
    )
    total = 0
    over_compressed = 0
    for info in infos:
        if info.filename.endswith("/"):
            continue
        member_cap = max(limits.ratio_floor_bytes, int(limits.max_ratio * info.compress_size))
        size = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if total > limits.max_total_bytes:
                        raise _too_big(limits, count, total)
                    if size > member_cap:
                        raise _bomb(limits, count, total, (info.filename,))
                    if total > whole_cap:
                        raise _bomb(limits, count, total, ())
        except UnsafeArchiveError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError,
                NotImplementedError, RuntimeError) as exc:
            raise UnsafeArchiveError(
                "unreadable",
                f"member {info.filename!r} is damaged, encrypted or not what the archive "
                f"says ({exc}); re-create the archive",
                limits=limits,
                names=(info.filename,),
                count=count,
                detail=str(exc),
            ) from exc
        if size != info.file_size:
            raise UnsafeArchiveError(
                "unreadable",
                f"member {info.filename!r} unpacks to {size} bytes, not the {info.file_size} "
                "its directory says; re-create the archive",
                limits=limits,
                names=(info.filename,),
                count=count,
                detail="sizes differ",
            )
        if size > limits.max_ratio * max(info.compress_size, 1):
            over_compressed += size
            if over_compressed > limits.ratio_floor_bytes:
                raise _bomb(limits, count, total, (info.filename,))


def _too_big(limits: ZipLimits, count: int, total: int) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        "size",
        f"the archive would unpack to {total / 2**20:.0f} MB, more than the "
        f"{limits.max_total_bytes / 2**20:.0f} MB allowed",
        limits=limits,
        count=count,
        total_bytes=total,
    )


def _bomb(
    limits: ZipLimits, count: int, total: int, names: tuple[str, ...]
) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        "ratio",
        f"refusing a suspicious archive: it compresses more than {limits.max_ratio:g}:1 "
        f"(a zip bomb?){' in ' + _quoted(names) if names else ''}",
        limits=limits,
        names=names,
        count=count,
        total_bytes=total,
    )


def _quoted(names: tuple[str, ...], limit: int = 5) -> str:
    shown = ", ".join(repr(name[:100]) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
