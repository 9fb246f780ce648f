"""The facts mineplan states once: CRS, extents, status words, verdicts, area units.

Every other module takes these from here; a value written twice is a value that
will one day differ. Nothing here reads a file or an environment variable (that
is :mod:`mineplan.settings`), and this module imports nothing from mineplan.

Examples
--------
>>> STORE_CRS, STORE_EPSG
('EPSG:4490', 4490)
>>> VERDICTS["conditional"], VERDICT_ORDER
('有条件', ('fail', 'conditional', 'pass'))
>>> in_china_degrees(84.1, 44.2), in_china_degrees(44.2, 84.1)
(True, False)
>>> area_to_km2(12.5, "公顷")
0.125
>>> format_area(0.0166931234), format_area(1234.5, "平方米")
('0.0167 km²', '1234.50 平方米')
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "AREA_DECIMALS_KM2",
    "AREA_DISPLAY_DECIMALS",
    "AREA_UNITS_KM2",
    "CHINA_DEFAULT_VIEW",
    "CHINA_LAT_RANGE",
    "CHINA_LON_RANGE",
    "DEMO",
    "DMS_SECONDS_DECIMALS",
    "GEOGRAPHIC_EPSG",
    "IMPORTED",
    "PLANE_DECIMALS",
    "PROJECT_TYPES",
    "RIGHT_TYPES",
    "SCHEMATIC",
    "STORE_CRS",
    "STORE_EPSG",
    "VERDICTS",
    "VERDICT_COLOURS",
    "VERDICT_ORDER",
    "WEB_CRS",
    "Verdict",
    "area_column_unit",
    "area_display_decimals",
    "area_steps",
    "area_to_km2",
    "format_area",
    "in_china_degrees",
]

# ----------------------------------------------------------------------------- CRS
#: Every layer of the store is CGCS2000 geographic (longitude, latitude in degrees).
STORE_EPSG: Final = 4490
STORE_CRS: Final = f"EPSG:{STORE_EPSG}"
#: Web maps only: WGS 84, the CRS Leaflet expects (the difference to CGCS2000 is < 1 m).
WEB_CRS: Final = "EPSG:4326"
#: Datum name → EPSG code of its geographic CRS, as coordinate files name them.
GEOGRAPHIC_EPSG: Final[dict[str, int]] = {
    "CGCS2000": 4490,
    "Xian 1980": 4610,
    "Beijing 1954": 4214,
}

# ----------------------------------------------------------------------------- extent
#: China's territory in degrees, south sea islands included (曾母暗沙 ≈ 3.9°N,
#: 漠河 ≈ 53.6°N, 帕米尔 ≈ 73.5°E, 抚远 ≈ 135.1°E), rounded outwards. A point
#: outside it was given in the wrong CRS or with its axes swapped.
CHINA_LON_RANGE: Final = (73.0, 136.0)
CHINA_LAT_RANGE: Final = (3.0, 54.0)
#: The view a map opens on when it has no data: the mainland, ((south, west), (north, east)).
#: A display choice, not an extent: use :data:`CHINA_LAT_RANGE` to test coordinates.
CHINA_DEFAULT_VIEW: Final = ((18.0, 73.0), (54.0, 135.0))


def in_china_degrees(lon: float, lat: float) -> bool:
    """Whether (lon, lat), degrees, lies in :data:`CHINA_LON_RANGE` × :data:`CHINA_LAT_RANGE`."""
    return (CHINA_LON_RANGE[0] <= lon <= CHINA_LON_RANGE[1]
            and CHINA_LAT_RANGE[0] <= lat <= CHINA_LAT_RANGE[1])


# ----------------------------------------------------------------------------- status words
#: ``geometry_status`` of a zone drawn from the plan's area, not surveyed.
SCHEMATIC: Final = "示意"
#: ``data_status`` of a shipped demonstration control layer (三区三线 are not public).
DEMO: Final = "演示"
#: ``geometry_status`` / ``data_status`` of geometry the user imported.
IMPORTED: Final = "导入"

# ----------------------------------------------------------------------------- rights
#: The two kinds of mineral right a proposal applies for: exploration, mining.
RIGHT_TYPES: Final[tuple[str, ...]] = ("探矿权", "采矿权")

# ----------------------------------------------------------------------------- verdicts
Verdict = Literal["pass", "conditional", "fail"]
#: Verdict key → Chinese label.
VERDICTS: Final[dict[str, str]] = {"pass": "通过", "conditional": "有条件", "fail": "不通过"}
#: Worst first: the order of summaries, legends and the overall verdict.
VERDICT_ORDER: Final[tuple[Verdict, ...]] = ("fail", "conditional", "pass")
#: Verdict key → (line / text colour, table background). Maps and figures use the first.
VERDICT_COLOURS: Final[dict[str, tuple[str, str]]] = {
    "fail": ("#B00000", "#FDE2E2"),
    "conditional": ("#A65A00", "#FFF0D9"),
    "pass": ("#1B5E20", "#E3F4E4"),
}

#: Kinds of project a pre-grant check is for: a new mine, an expansion, a renewal.
#: Minimum-scale rules bind the first two; red-line exceptions for 已依法设立 rights
#: the last.
PROJECT_TYPES: Final[tuple[str, ...]] = ("新建", "改扩建", "延续")

# ----------------------------------------------------------------------------- areas
#: Area unit as printed → km². 亩 is 1/15 公顷 (national definition).
AREA_UNITS_KM2: Final[dict[str, float]] = {
    "km²": 1.0, "km2": 1.0, "平方千米": 1.0, "平方公里": 1.0,
    "公顷": 0.01, "ha": 0.01, "hm²": 0.01, "hm2": 0.01,
    "平方米": 1e-6, "m²": 1e-6, "m2": 1e-6,
    "亩": 0.01 / 15,
}
#: The ministry's precision for registration (2022): km² to 4 decimals, plane coordinates
#: to 2 (metres), DMS seconds to 3. Round only for display, never before summing.
AREA_DECIMALS_KM2: Final = 4
PLANE_DECIMALS: Final = 2
DMS_SECONDS_DECIMALS: Final = 3
#: Decimals an area is SHOWN with, by its unit's size (km² per unit): km² to the official 4,
#: 公顷 to 4 as plans print it, 亩 and m² to 2. Display only: stored and summed areas keep
#: full precision; every popup, table, figure, CLI line and sheet formats through
#: :func:`format_area` (or takes these decimals as a number format).
AREA_DISPLAY_DECIMALS: Final[dict[float, int]] = {1.0: 4, 0.01: 4, 0.01 / 15: 2, 1e-6: 2}


def area_to_km2(value: float, unit: str) -> float:
    """``value`` in ``unit`` (a key of :data:`AREA_UNITS_KM2`) as km².

    Raises
    ------
    KeyError
        When the unit is not one mineplan knows.
    """
    return value * AREA_UNITS_KM2[unit.strip()]


def area_display_decimals(unit: str = "km²") -> int:
    """Decimals an area in ``unit`` (a key of :data:`AREA_UNITS_KM2`) is shown with.

    >>> [area_display_decimals(u) for u in ("平方千米", "公顷", "m²")]
    [4, 4, 2]

    Raises
    ------
    KeyError
        When the unit is not one mineplan knows.
    """
    return AREA_DISPLAY_DECIMALS[AREA_UNITS_KM2[unit.strip()]]


def format_area(value: object, unit: str = "km²", *, with_unit: bool = True,
                thousands: bool = False) -> str:
    """An area as shown to a planner: ``value`` (already in ``unit``) to the display decimals.

    Missing values (None, NaN) are "—". Rounding happens here and only here, on the
    finished number (a sum is summed at full precision first); a rounded zero never
    shows as "-0.0000".

    >>> format_area(0.016693), format_area(0.01669349, with_unit=False)
    ('0.0167 km²', '0.0167')
    >>> format_area(12.345678, "公顷"), format_area(float("nan")), format_area(-0.00001)
    ('12.3457 公顷', '—', '0.0000 km²')
    >>> format_area(1234.5, "km²", thousands=True)
    '1,234.5000 km²'
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    if number != number:  # NaN
        return "—"
    decimals = area_display_decimals(unit)
    number = round(number, decimals) + 0.0  # -0.0 → 0.0
    text = f"{number:,.{decimals}f}" if thousands else f"{number:.{decimals}f}"
    return f"{text} {unit.strip()}" if with_unit else text


def area_column_unit(column: str) -> str | None:
    """The area unit a column name declares by its suffix, or None for a non-area column.

    ``*_km2`` is km², ``*_ha`` 公顷, ``*_m2`` m² (the names mineplan's layers and
    findings use; a file's own fields such as ``MJ`` state no unit and are not guessed).

    >>> area_column_unit("geom_area_km2"), area_column_unit("area_ha"), area_column_unit("name")
    ('km²', '公顷', None)
    """
    name = str(column).casefold()
    for suffix, unit in (("km2", "km²"), ("_ha", "公顷"), ("_m2", "m²")):
        if name.endswith(suffix) and "area" in name:
            return unit
    return None


def area_steps(area_km2: float, decimals: int = AREA_DECIMALS_KM2) -> int:
    """An area as the registry records it: a whole count of 10^-decimals km², half up.

    Two areas agree at the official precision when their counts are equal, whatever
    unit they were stated in: 0.0001 km² is 0.01 公顷 and 100 m². A stated m² or 公顷
    figure converted to km² can fall a binary hair below a half step (1450 m² is
    0.0014499999999999999 km²), so the count is taken to 1e-9 of a step first.

    >>> area_steps(1450 * 1e-6), area_steps(1.275 * 0.01), area_steps(4.00004999)
    (15, 128, 40000)
    """
    scaled = round(float(area_km2) * 10**decimals, 9)
    whole = int(scaled // 1)
    return whole + (1 if scaled - whole >= 0.5 else 0)
