"""Read and write the coordinate text files planners exchange block boundaries in.

Three layouts (``formats-and-rules.md`` §2):

* the land-boundary exchange TXT (报盘 / 勘测定界 format): ``[属性描述]`` header
  of ``key=value`` lines, then ``[地块坐标]`` with plot header lines ending in ``@``
  and point lines ``点名,圈号,X,Y``;
* the mining-right registration layout: ``[登记项目]``, ``XY001=点号,X,Y`` lines and a
  ``XYnnn=标高,上限,下限,,flag`` line closing each area;
* the compact block string ``区域数,拐点数,x1,y1,…,flag,上标高,下标高`` of planning
  and mining-right databases.

Axes are named everywhere: ``x_northing`` is the surveyors' X (northing, metres),
``y_easting`` their Y (easting, metres, usually with the zone prefix). Shapely
geometries built here are (x, y) = (easting, northing), as GIS expects.

Files may instead give geographic coordinates (``计量单位=度`` / ``度分秒`` / ``秒`` /
``经纬度``, values written ``84°12′30.123″`` or packed ``841230.123``, or decimal
degrees under ``计量单位=度``). The same convention holds: X is the latitude, Y the
longitude; they are read into decimal degrees (``x_northing`` = latitude,
``y_easting`` = longitude), the file's CRS becomes the datum's geographic CRS
(CGCS2000 EPSG:4490, Xian 1980 EPSG:4610, Beijing 1954 EPSG:4214) and geometries
are (x, y) = (longitude, latitude).

Parsing is pure (``parse_*`` over bytes or str); ``read_*`` and ``write_*`` are thin
path wrappers. A parser collects every problem of a file and raises one
:class:`~mineplan.errors.CoordinateFileError` naming each line; non-fatal findings
go to :attr:`CoordinateFile.warnings` (also logged).

Modules, one concern each: :mod:`~.model` (the dataclasses), :mod:`~.parsing` (what
every parser shares), :mod:`~.degrees` (DMS and decimal-degree coordinates),
:mod:`~.crs` (datum, zone and axis order from header and numbers), :mod:`~.boundary`,
:mod:`~.registration` and :mod:`~.block` (one per layout, reading), :mod:`~.tables`
(pasted tables: lines to cells and blocks), :mod:`~.records` (cells to points),
:mod:`~.numbers` (metres or degrees, axes, zone, CRS), :mod:`~.reader`
(:func:`read_coordinates`, the one tolerant entry for any coordinate text),
:mod:`~.summary` (what such a frame holds, as lines to print), :mod:`~.geometry`
(plots ↔ shapely / GeoDataFrame) and :mod:`~.writers`. Byte decoding and number
parsing are :mod:`mineplan.io.text`.

May import: ``errors``, ``vocab``, ``geodesy``, :mod:`mineplan.io.text`,
:mod:`mineplan.io.corners`. Nothing above io.
"""

from __future__ import annotations

from mineplan.io.coordinates.block import format_block_string, parse_block_string
from mineplan.io.coordinates.boundary import parse_boundary_txt, read_boundary_txt
from mineplan.io.coordinates.degrees import format_dms, parse_dms
from mineplan.io.coordinates.geometry import (
    plot_geometry,
    plots_from_frame,
    to_features,
    to_geodataframe,
)
from mineplan.io.coordinates.model import CoordinateFile, CRSInfo, Plot, Point, Ring
from mineplan.io.coordinates.reader import (
    FRAME_COLUMNS,
    CoordinateChoiceError,
    coordinate_text_layout,
    read_coordinate_features,
    read_coordinates,
)
from mineplan.io.coordinates.registration import parse_registration_txt, read_registration_txt
from mineplan.io.coordinates.summary import describe_coordinates
from mineplan.io.coordinates.writers import (
    format_boundary_txt,
    format_registration_txt,
    write_boundary_txt,
    write_registration_txt,
)

__all__ = [
    "FRAME_COLUMNS",
    "CRSInfo",
    "CoordinateChoiceError",
    "CoordinateFile",
    "Plot",
    "Point",
    "Ring",
    "coordinate_text_layout",
    "describe_coordinates",
    "format_block_string",
    "format_boundary_txt",
    "format_dms",
    "format_registration_txt",
    "parse_block_string",
    "parse_boundary_txt",
    "parse_dms",
    "parse_registration_txt",
    "plot_geometry",
    "plots_from_frame",
    "read_boundary_txt",
    "read_coordinate_features",
    "read_coordinates",
    "read_registration_txt",
    "to_features",
    "to_geodataframe",
    "write_boundary_txt",
    "write_registration_txt",
]
