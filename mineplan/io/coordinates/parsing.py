"""What every coordinate-file parser shares: the problem collector, decoding, ring finishing.

A parser collects every problem of a file in a :class:`Problems` and raises one
:class:`~mineplan.errors.CoordinateFileError` naming each line (formatted by
:func:`mineplan.errors.problem_list`); non-fatal findings become warnings.
:func:`finish_rings` applies the ring rules every layout shares: closure, repeated
points, the least number of distinct points a 面 / 线 / 点 needs.

May import: ``errors``, :mod:`mineplan.io.text`, the model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from mineplan.errors import CoordinateFileError, problem_list
from mineplan.io.coordinates.model import Plot, Point, Ring
from mineplan.io.text import decode_text

__all__ = ["MAX_PROBLEMS_SHOWN", "Problems", "RawRing", "decode", "finish_rings", "source_bytes"]

log = logging.getLogger(__name__)

#: How many problems one error message lists.
MAX_PROBLEMS_SHOWN = 20


class Problems:
    """Collects fatal problems (line, message) and warnings; raises once."""

    def __init__(self, source: str | Path) -> None:
        self.source = source
        self.errors: list[tuple[int | None, str]] = []
        self.warnings: list[str] = []

    def error(self, line: int | None, message: str) -> None:
        self.errors.append((line, message))

    def warn(self, line: int | None, message: str) -> None:
        text = f"line {line}: {message}" if line is not None else message
        log.debug("%s: %s", self.source, text)  # returned to the caller, who reports it
        self.warnings.append(text)

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        ordered = sorted(self.errors, key=lambda e: (e[0] is None, e[0] or 0))
        first_line = ordered[0][0]
        if len(ordered) == 1:
            raise CoordinateFileError(ordered[0][1], path=self.source, line=first_line)
        messages = [(f"line {line}: {msg}" if line is not None else msg) for line, msg in ordered]
        raise CoordinateFileError(
            problem_list(messages, limit=MAX_PROBLEMS_SHOWN), path=self.source, line=first_line
        )


def decode(data: bytes | str, problems: Problems) -> tuple[str, str]:
    """Text and encoding of a file given as bytes (detected) or as text (``"str"``)."""
    if isinstance(data, str):
        return data, "str"
    return decode_text(data, source=problems.source)


def source_bytes(source: str | Path | bytes) -> tuple[bytes, str | Path]:
    """The bytes of a path (or the bytes given) and the name messages use for them."""
    if isinstance(source, bytes):
        return source, "<data>"
    path = Path(source)
    try:
        return path.read_bytes(), path
    except OSError as exc:
        raise CoordinateFileError(f"cannot read the file: {exc.strerror}", path=path) from exc


@dataclass
class RawRing:
    """A ring as read, before :func:`finish_rings` checks it."""

    ring_no: int
    points: list[Point]


def finish_rings(
    plot: Plot, raw: list[RawRing], problems: Problems, *, fix: bool, closed: bool
) -> list[Ring]:
    """Check closure, duplicates and point count of each ring; return the rings."""
    rings: list[Ring] = []
    if not raw:
        problems.error(plot.line_no, f"plot {plot.number or '?'} has no points")
        return rings
    for raw_ring in raw:
        points = list(raw_ring.points)
        label = f"plot {plot.number or '?'} ring {raw_ring.ring_no}"
        if plot.kind == "面" and len(points) > 1:
            first, last = points[0], points[-1]
            if (first.x_northing, first.y_easting) == (last.x_northing, last.y_easting):
                points.pop()
            elif closed and fix:
                problems.warn(
                    last.line_no,
                    f"{label}: not closed (last point {last.name} ≠ first point "
                    f"{first.name}); closed it by repeating {first.name}",
                )
            elif closed:
                problems.error(
                    last.line_no,
                    f"{label}: not closed — last point {last.name} differs from first point "
                    f"{first.name}; repeat {first.name} at the end or use --fix",
                )
        kept: list[Point] = []
        for point in points:
            prev = kept[-1] if kept else None
            if prev and (prev.x_northing, prev.y_easting) == (point.x_northing, point.y_easting):
                action = "removed" if fix else "use --fix to remove it"
                problems.warn(
                    point.line_no,
                    f"{label} point {point.name} repeats point {prev.name} ({action})",
                )
                if fix:
                    continue
            kept.append(point)
        distinct = {(p.x_northing, p.y_easting) for p in kept}
        needed = {"面": 3, "线": 2, "点": 1}[plot.kind]
        if len(distinct) < needed:
            where = kept[-1].line_no if kept else plot.line_no
            problems.error(
                where,
                f"{label}: only {len(distinct)} distinct points; a {plot.kind} needs at least "
                f"{needed} — the plot is incomplete",
            )
        rings.append(Ring(raw_ring.ring_no, kept))
    return rings
