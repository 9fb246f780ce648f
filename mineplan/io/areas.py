"""The stated-area column of a GIS file or table (MJ, 面积, 面积（平方米）…) and its unit.

An exchange file states a parcel's area in a column: ``MJ`` (the exchange code),
面积, 地块面积, area, in any letter case. A unit in the column's name (``面积(平方米)``,
``MJ（平方千米）``, ``area_km2``) is the area's unit; a name that states none is in the
exchange standard's unit, :data:`DEFAULT_AREA_UNIT` (公顷), and callers say it was
assumed. Both the import report and the proposal checks read the column here.

May import :mod:`mineplan.vocab` only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from mineplan.vocab import AREA_UNITS_KM2

__all__ = ["AREA_FIELDS", "DEFAULT_AREA_UNIT", "area_column", "area_unit_of_column"]

#: Names of a stated-area column (any letter case; a unit may follow in brackets).
AREA_FIELDS = ("MJ", "面积", "地块面积", "area")
#: The exchange standard's unit of an area field whose name states none.
DEFAULT_AREA_UNIT = "公顷"
_UNIT_IN_NAME = re.compile(r"^(.*?)\s*[（(\[]\s*([^)）\]]+?)\s*[)）\]]\s*$")
# a unit glued to the name: area_km2, 面积km2, MJ_公顷
_GLUED = re.compile(r"^(.*?)[\s_]*(km2|km²|平方千米|平方公里|公顷|平方米|m2|m²|亩)$",
                    re.IGNORECASE)


def _split(name: str) -> tuple[str, str | None]:
    """(stem, unit named in it or None) of a column name."""
    text = unicodedata.normalize("NFC", str(name)).strip()
    found = _UNIT_IN_NAME.match(text)
    if found and found.group(2).strip() in AREA_UNITS_KM2:
        return found.group(1).strip(), found.group(2).strip()
    glued = _GLUED.match(text)
    if glued and glued.group(1) and glued.group(2).lower() in AREA_UNITS_KM2:
        return glued.group(1).strip(), glued.group(2).lower()
    return (found.group(1).strip() if found else text), None


def area_unit_of_column(name: str) -> tuple[str, bool]:
    """The area unit a column's name states (``面积(平方米)`` → 平方米), else
    :data:`DEFAULT_AREA_UNIT`; and whether it was assumed.

    >>> area_unit_of_column("面积（平方米）")
    ('平方米', False)
    >>> area_unit_of_column("area_km2")
    ('km2', False)
    >>> area_unit_of_column("MJ")
    ('公顷', True)
    """
    unit = _split(name)[1]
    return (unit, False) if unit is not None else (DEFAULT_AREA_UNIT, True)


def area_column(columns: Iterable[object]) -> str | None:
    """The stated-area column among ``columns`` (MJ/面积…, also with a unit), or None.

    >>> area_column(["DKBH", "面积（公顷）", "geometry"])
    '面积（公顷）'
    >>> area_column(["name", "mj"]), area_column(["name"])
    ('mj', None)
    """
    by_stem: dict[str, str] = {}
    for column in columns:
        by_stem.setdefault(_split(str(column))[0].casefold(), str(column))
    return next((by_stem[n.casefold()] for n in AREA_FIELDS if n.casefold() in by_stem), None)
