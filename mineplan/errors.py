"""The mineplan error hierarchy.

Every error mineplan raises on purpose derives from :class:`MineplanError` and
from the built-in exception it resembles, so callers may catch either.  A
message says what was received, where (file, line, field) and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "AuditOutputError",
    "CRSError",
    "CatalogError",
    "CheckInputError",
    "CoordinateFileError",
    "FigureError",
    "FindingsWriteError",
    "GeometryError",
    "LayerDefinitionError",
    "MineplanError",
    "RasterError",
    "StoreBusyError",
    "StoreError",
    "UploadError",
    "problem_list",
]


class MineplanError(Exception):
    """Root of every error mineplan raises on purpose.

    Optional structured fields, for whoever shows the error to people in another
    language than the message (the web app's Chinese message table,
    :mod:`mineplan.web.messages`) — set them where the raiser knows them:

    code
        A short reason code (``"no_geometry"``, ``"no_match_field"`` …); ``""`` when
        the error has none.
    feature
        The 0-based number of the feature (record) concerned, or None.
    fields
        Other named values the reason is about (``{"columns": [...]}``).
    """

    code: str = ""
    feature: int | None = None

    def __init__(self, *args: object, code: str = "", feature: int | None = None,
                 fields: Mapping[str, object] | None = None) -> None:
        super().__init__(*args)
        self.code = code
        self.feature = feature
        self.fields: dict[str, object] = dict(fields or {})


def problem_list(problems: list[str], *, limit: int = 50, chinese: bool = False) -> str:
    """Every problem found in one input, for one error raised once.

    Validation collects all it finds and raises a single error; this formats the
    list: a count, then one problem per line, the first ``limit`` shown.

    Examples
    --------
    >>> print(problem_list(["line 2: no X", "line 5: no Y"]))
    2 problems:
      line 2: no X
      line 5: no Y
    >>> print(problem_list(["第 3 行：缺少 Y"], chinese=True))
    1 处问题：
      第 3 行：缺少 Y
    >>> problem_list(["a", "b", "c"], limit=1).splitlines()[-1]
    '  … and 2 more'
    """
    shown = problems[:limit]
    hidden = len(problems) - len(shown)
    if chinese:
        head = f"{len(problems)} 处问题："
        more = f"\n  …… 另有 {hidden} 处问题" if hidden else ""
    else:
        head = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:"
        more = f"\n  … and {hidden} more" if hidden else ""
    return head + "\n  " + "\n  ".join(shown) + more


def _located(message: str, *, path: str | Path | None, line: int | None) -> str:
    where = ""
    if path is not None:
        where = str(path)
        if line is not None:
            where += f", line {line}"
    return f"{where}: {message}" if where else message


class LocatedError(MineplanError):
    """An error that knows the file and line it concerns."""

    def __init__(
        self, message: str, *, path: str | Path | None = None, line: int | None = None,
        code: str = "", feature: int | None = None,
        fields: Mapping[str, object] | None = None,
    ) -> None:
        self.path = None if path is None else Path(path)
        self.line = line
        self.reason = message
        super().__init__(_located(message, path=path, line=line), code=code,
                         feature=feature, fields=fields)


class CatalogError(LocatedError, ValueError):
    """A plan catalogue or rule file is malformed."""


class LayerDefinitionError(LocatedError, ValueError):
    """A layer definition (``layers/*.toml``) or style file is malformed."""


class CoordinateFileError(LocatedError, ValueError):
    """A coordinate file cannot be read as what it claims to be."""


class GeometryError(MineplanError, ValueError):
    """A geometry is invalid for the operation asked of it."""


class CRSError(MineplanError, ValueError):
    """A coordinate reference system is missing, unknown or inappropriate."""


class StoreError(LocatedError, OSError):
    """The GeoPackage store cannot be read or written."""


class StoreBusyError(StoreError):
    """Another writer holds the store for longer than the lock timeout; nothing was written."""


class AuditOutputError(MineplanError, ValueError):
    """The audit cannot be written where it was asked to be."""


class FigureError(MineplanError, ValueError):
    """A figure cannot be drawn as asked (unknown region, paper, font, format)."""


class FindingsWriteError(MineplanError, OSError):
    """A findings file cannot be written (unknown extension, folder missing …)."""


class CheckInputError(MineplanError, ValueError):
    """An argument of a check is not usable (unknown region, right type, unit …)."""


class UploadError(MineplanError, ValueError):
    """An upload is refused; the message is plain Chinese for the user.

    Attributes
    ----------
    reason
        The Chinese explanation (what is wrong and what to do).
    detail
        Technical detail (GDAL's or mineplan's own message), possibly empty.
    """

    def __init__(self, reason: str, *, detail: str = "", code: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}（{detail}）" if detail else reason, code=code)


class RasterError(MineplanError, ValueError):
    """A raster cannot be shown (not a raster, no CRS, no usable bands)."""
