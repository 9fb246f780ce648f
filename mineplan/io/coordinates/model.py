"""The data model of coordinate files: points, rings, plots, the CRS a file states, the file.

Owns :class:`Point`, :class:`Ring`, :class:`Plot`, :class:`CRSInfo` and
:class:`CoordinateFile`, and the small vocabularies every format shares (plot kinds,
the plot-header field names, datum names as files write them, area units).

Axes are named everywhere: ``x_northing`` is the surveyors' X (northing, metres, or
latitude in degrees), ``y_easting`` their Y (easting, metres, or longitude in degrees).

May import: ``vocab``. Pure data: no parsing, no files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mineplan.vocab import AREA_UNITS_KM2

__all__ = [
    "AREA_UNITS_M2",
    "DATUM_NAMES",
    "PLOT_FIELD_NAMES",
    "CRSInfo",
    "CoordinateFile",
    "FileFormat",
    "Plot",
    "PlotKind",
    "Point",
    "Ring",
    "Units",
]

PlotKind = Literal["面", "线", "点"]
FileFormat = Literal["boundary", "registration"]
Units = Literal["metre", "dms", "degree"]

#: Names of the plot-header fields after 记录图形属性, in the national spec's order.
PLOT_FIELD_NAMES: tuple[str, ...] = ("图幅号", "地块用途", "地类编码")

#: Area units a plot header may carry, as m² per unit (:data:`~mineplan.vocab.AREA_UNITS_KM2`).
#: A bare number is 公顷 (the national spec).
AREA_UNITS_M2: dict[str, float] = {
    "": AREA_UNITS_KM2["公顷"] * 1e6,
    **{unit: km2 * 1e6 for unit, km2 in AREA_UNITS_KM2.items()},
}

#: Datum → its name as the 坐标系 header line writes it.
DATUM_NAMES: dict[str, str] = {
    "CGCS2000": "2000国家大地坐标系",
    "Xian 1980": "1980西安坐标系",
    "Beijing 1954": "1954北京坐标系",
}


@dataclass
class Point:
    """One vertex as written in a file.

    Attributes
    ----------
    name
        Point name or number as written (``J1``, ``1`` …).
    x_northing
        Surveyors' X: the northing in metres — or, in a file of geographic
        coordinates, the latitude in decimal degrees.
    y_easting
        Surveyors' Y: the easting in metres, with the zone prefix if the file has one
        — or, in a file of geographic coordinates, the longitude in decimal degrees.
    line_no
        1-based line of the file the point came from (None when built in code).
    """

    name: str
    x_northing: float
    y_easting: float
    line_no: int | None = None


@dataclass
class Ring:
    """One ring of a plot: distinct vertices in order, the closing repeat implied.

    Attributes
    ----------
    ring_no
        圈号 as written; ring 1 is the outer ring of the first part.
    points
        The vertices, without the repeated first point that closes the ring in a file.
    flag
        The area flag of registration files and block strings (−1: a hole cut from the
        preceding area; 0 or 1: an area). None for boundary files, whose holes are
        decided by containment.
    top_m, bottom_m
        Upper and lower elevation limits (标高) in metres, where the layout carries them.
    """

    ring_no: int
    points: list[Point] = field(default_factory=list)
    flag: int | None = None
    top_m: float | None = None
    bottom_m: float | None = None


@dataclass
class Plot:
    """One plot (地块) or mining-right block.

    Attributes
    ----------
    number, name
        地块编号 and 地块名称 as written.
    kind
        记录图形属性: 面 (polygon), 线 (line) or 点 (points).
    stated_area
        The area printed in the plot header, in `stated_area_unit`; None if blank.
    stated_area_unit
        The unit printed after the area ("" when bare, which the national spec
        defines as 公顷).
    fields
        The non-blank remaining header fields by name (图幅号, 地块用途, 地类编码, then
        字段9 … by position).
    rings
        The rings in file order.
    line_no
        Line of the plot header (None when built in code).
    stated_area_text
        The stated area's number as printed (``320.5120``: its decimals kept for
        display), "" when blank or built in code.
    """

    number: str
    name: str
    kind: PlotKind = "面"
    stated_area: float | None = None
    stated_area_unit: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    rings: list[Ring] = field(default_factory=list)
    line_no: int | None = None
    stated_area_text: str = ""


@dataclass
class CRSInfo:
    """What a file says (or its coordinates show) about its CRS.

    Attributes
    ----------
    datum
        ``"CGCS2000"``, ``"Xian 1980"``, ``"Beijing 1954"`` or None when unknown.
    width
        Zone width in degrees (3 or 6), or None (also for geographic coordinates).
    zone
        Zone number, or None (also for geographic coordinates).
    prefixed
        True when the eastings carry the zone prefix.
    epsg
        The EPSG code of the projected CRS (or, for geographic coordinates, of the
        datum's geographic CRS: 4490, 4610, 4214), or None when it cannot be determined.
    geographic
        True when the coordinates are latitude/longitude in decimal degrees.
    """

    datum: str | None
    width: int | None
    zone: int | None
    prefixed: bool
    epsg: int | None
    geographic: bool = False


@dataclass
class CoordinateFile:
    """A parsed coordinate file.

    Attributes
    ----------
    format
        ``"boundary"`` (land-boundary exchange TXT) or ``"registration"``.
    encoding
        The encoding the bytes were decoded with: ``utf-8``, ``utf-8-sig`` (BOM),
        ``utf-16``, ``gbk`` or ``gb18030``.
    header
        The ``key=value`` lines of ``[属性描述]`` / ``[登记项目]``, keys stripped.
    plots
        The plots in file order.
    crs
        The CRS the coordinates are in.
    warnings
        Non-fatal findings, each naming its line.
    """

    format: FileFormat
    encoding: str
    header: dict[str, str]
    plots: list[Plot]
    crs: CRSInfo
    warnings: list[str] = field(default_factory=list)

