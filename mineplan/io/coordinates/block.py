"""The compact block string of planning and mining-right databases.

``区域数,拐点数,x1,y1,…,xn,yn,flag,上标高,下标高,拐点数,…``: the number of areas,
then for each area its point count, that many X (northing), Y (easting) pairs, a
flag (0 = area, −1 = a hole cut from the preceding area) and the upper and lower
elevations (may be blank). Assumed layout: verify on real files.

May import: ``errors``, ``vocab``, :mod:`mineplan.io.text`, the model.
"""

from __future__ import annotations

from collections.abc import Sequence

from mineplan.errors import CoordinateFileError
from mineplan.io.coordinates.model import Point, Ring
from mineplan.io.text import format_optional, parse_number, split_fields
from mineplan.vocab import PLANE_DECIMALS

__all__ = ["format_block_string", "parse_block_string"]


def parse_block_string(text: str) -> list[Ring]:
    """Parse a compact block string ``区域数,拐点数,x1,y1,…,xn,yn,flag,上标高,下标高,…``.

    Assumed layout (verify on real files): the number of areas, then for each area
    its point count, that many X (northing), Y (easting) pairs, a flag (0 = area,
    −1 = a hole cut from the preceding area) and the upper and lower elevations
    (may be blank).

    Returns
    -------
    list of Ring
        One ring per area, ``flag`` / ``top_m`` / ``bottom_m`` set.

    Examples
    --------
    >>> rings = parse_block_string("1,3,10,20,10,30,0,20,0,1000,800")
    >>> [(p.x_northing, p.y_easting) for p in rings[0].points], rings[0].flag
    ([(10.0, 20.0), (10.0, 30.0), (0.0, 20.0)], 0)
    """
    parts = split_fields(text.strip())
    pos = 0

    def take(what: str, *, blank_ok: bool = False) -> float | None:
        nonlocal pos
        if pos >= len(parts):
            raise CoordinateFileError(
                f"block string ends at field {pos + 1} where {what} was expected; it is truncated"
            )
        value = parts[pos]
        pos += 1
        number = parse_number(value)
        if number is None and not (blank_ok and value in ("", "*")):
            raise CoordinateFileError(
                f"block string field {pos} ({what}) is {value!r}, not a number"
            )
        return number

    areas = take("区域数")
    if areas is None or areas != int(areas) or areas < 1:
        raise CoordinateFileError(f"block string: 区域数 {parts[0]!r} must be a positive integer")
    rings = []
    for area in range(1, int(areas) + 1):
        count = take(f"拐点数 of area {area}")
        if count is None or count != int(count) or count < 3:
            raise CoordinateFileError(
                f"block string: area {area} has point count {count!r}; needs a whole number ≥ 3"
            )
        points = []
        for k in range(1, int(count) + 1):
            x = take(f"x{k} of area {area}")
            y = take(f"y{k} of area {area}")
            assert x is not None and y is not None
            points.append(Point(str(k), x, y))
        flag = take(f"flag of area {area}")
        if flag not in (0, -1):
            raise CoordinateFileError(f"block string: flag of area {area} is {flag!r}; use 0 or -1")
        top = take(f"上标高 of area {area}", blank_ok=True)
        bottom = take(f"下标高 of area {area}", blank_ok=True)
        assert flag is not None
        rings.append(Ring(area, points, int(flag), top, bottom))
    if pos != len(parts):
        raise CoordinateFileError(
            f"block string has {len(parts) - pos} extra fields after {int(areas)} areas"
        )
    return rings


def format_block_string(rings: Sequence[Ring], *, precision: int = PLANE_DECIMALS) -> str:
    """Format rings as a compact block string (see :func:`parse_block_string`).

    A ring's ``flag`` is written as it is; a ring without one is written as an area
    (0) — holes are not guessed, so give holes ``flag=-1`` and put them after their
    area. Coordinates are X (northing), Y (easting) to `precision` decimals.
    """
    out = [str(len(rings))]
    for ring in rings:
        out.append(str(len(ring.points)))
        for p in ring.points:
            out += [f"{p.x_northing:.{precision}f}", f"{p.y_easting:.{precision}f}"]
        out += [
            str(ring.flag if ring.flag is not None else 0),
            format_optional(ring.top_m),
            format_optional(ring.bottom_m),
        ]
    return ",".join(out)
