"""Every error and notice the web app shows, in Chinese, from one table.

A planner reads Chinese and clicks; she never types a flag. The errors mineplan
raises (:mod:`mineplan.errors`) carry their English message for the CLI and, where the
raiser knows them, structured fields: ``path``/``line`` (located errors), ``feature``,
a reason ``code`` and ``fields``. This module turns an error into what the page shows:

- the reason for its ``code`` from :data:`CODE_MESSAGES` (naming the web control to
  use), else the raiser's own message when it is already Chinese (many input errors
  are written for people), else the class's headline from :data:`CLASS_MESSAGES` with
  a hint from :data:`CLASS_HINTS`;
- prefixed by where: 文件 …，第 N 行，要素 N.

Nothing here reads another module's English sentences: an English message is never
translated, only left out of the page (and logged for whoever maintains the server).
:func:`planner_words` is the test both the app and the tests apply to text: the
ASCII words a planner would have to read (codes such as ``EPSG:4490``, ``km²``,
file names and units are allowed).

May import :mod:`mineplan.errors` only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

from mineplan import errors as E

__all__ = [
    "ALLOWED_WORDS",
    "CLASS_HINTS",
    "CLASS_MESSAGES",
    "CODE_MESSAGES",
    "IMPORT_AREA_NOTES",
    "INTERNAL_ERROR",
    "MADE_NOTES",
    "error_message",
    "made_notes",
    "planner_words",
    "readable_notes",
]

log = logging.getLogger(__name__)

#: The headline of each error class (the most specific class listed wins).
CLASS_MESSAGES: dict[type[E.MineplanError], str] = {
    E.UploadError: "上传的文件不能使用",
    E.CoordinateFileError: "坐标无法读取",
    E.GeometryError: "图形不能使用",
    E.CRSError: "坐标系缺失或无法识别",
    E.CatalogError: "规划目录或规则文件有误",
    E.LayerDefinitionError: "图层定义或样式有误",
    E.StoreError: "数据库无法读写",
    E.FigureError: "图件无法生成",
    E.FindingsWriteError: "检查结果文件无法写出",
    E.CheckInputError: "检查条件不能使用",
    E.AuditOutputError: "审核结果无法写出",
    E.RasterError: "栅格无法显示",
    E.MineplanError: "操作未能完成",
}

#: What to do about it, by class: names the page's controls, never a command line.
CLASS_HINTS: dict[type[E.MineplanError], str] = {
    E.UploadError: "请检查所选文件。",
    E.CoordinateFileError: "请核对坐标格式（点号,X,Y；X 为北坐标，Y 为带带号的东坐标），"
                           "或在“带号”中填写投影带。",
    E.GeometryError: "请检查文件中的图形（应为面，且不自相交），或在“导入选项”中勾选"
                     "“自动修复无效图形”。",
    E.CRSError: "请在“坐标系”中填写文件所用的坐标系，如 EPSG:4490 或 EPSG:4523。",
    E.CatalogError: "请联系数据维护人员核对规划目录与规则文件。",
    E.LayerDefinitionError: "请联系数据维护人员核对图层定义与样式文件。",
    E.StoreError: "请确认数据库文件存在且可写，或联系数据维护人员重新生成数据库。",
    E.FigureError: "请换一种纸张、格式或区域后重试。",
    E.FindingsWriteError: "请稍后重试。",
    E.CheckInputError: "请核对“所在县市”“矿种”“规模”与“规模单位”。",
    E.AuditOutputError: "请稍后重试。",
    E.RasterError: "请选择带坐标系的 GeoTIFF 栅格文件。",
    E.MineplanError: "请检查输入后重试。",
}

#: Reason codes (``err.code``) → Chinese, formatted with ``err.fields``. Whoever raises
#: an error a planner may see sets one of these codes and the fields it names.
CODE_MESSAGES: dict[str, str] = {
    # mineplan.importing
    "no_match_field": "文件中没有可用于匹配的编号或名称字段（文件的字段：{columns}）。"
                      "请在“导入选项”中填写“编号字段”或“名称字段”。",
    "unknown_field": "文件中没有字段 {missing}（文件的字段：{columns}）。"
                     "请在“导入选项”中改填字段名。",
    "no_crs": "图形没有坐标系。请在“导入选项”中填写“坐标系”。",
    "not_polygon": "以下要素不是面，不能作为分区图形：{items}。请检查文件中的图形类型。",
    "bad_geometry": "以下要素没有图形或不是面：{items}。请修复文件后重新上传。",
    "invalid_geometry": "以下要素的图形无效（自相交等）：{items}。请修复文件，"
                        "或在“导入选项”中勾选“自动修复无效图形”。",
    "bad_date": "数据日期 {date} 不是“年-月-日”格式，请在“数据日期”中重新选择。",
    # mineplan.io.gis (reading a GIS file or coordinate table)
    "no_polygon": "文件中没有面，只有 {points} 个点、{lines} 条未闭合的线，不能作为范围。请绘制"
                  "多边形，或把线闭合（末点与首点相同），或把拐点整理成坐标表（CSV/Excel，"
                  "列名为 点号、X、Y 或 点号、经度、纬度）上传，拐点会连成一个面。",
    "several_layers": "文件中有多个含要素的图层（{layers}），请在“源图层”中选择一个。",
    "unknown_layer": "文件中没有图层“{layer}”（文件的图层：{layers}），请在“源图层”中改选。",
    # mineplan.web.exports
    "empty_export": "当前筛选下没有可导出的分区。请在左侧放宽筛选条件。",
    # mineplan.web.goto (the browse page's 定位坐标)
    "goto_two_values": "“{text}”不是一个点的坐标：请填写两个数，以逗号分隔，如“81.32, 43.91”"
                       "（经度, 纬度）或“4868302.75, 27521834.40”（X, Y）。",
    "goto_unreadable": "“{text}”中有无法识别的数值：经纬度可写作 81.32 或 81°19′12″。",
    "goto_no_zone": "“{text}”既不是中国境内的经纬度，也不是带带号的高斯-克吕格坐标。"
                    "东坐标没有带号前缀时，请在“带号”中填写投影带。",
    "goto_outside": "“{text}”换算后不在中国境内，请核对 X、Y 与带号。",
    # mineplan.checks (for its raisers to use)
    "no_region_layer": "数据库中没有行政区图层，无法自动识别所在县市。请在“所在县市”中填写。",
    "outside_counties": "申请范围不在数据库的任何县市内。请核对坐标，或在“所在县市”中填写。",
    "unknown_region": "没有“{region}”的规划。请在“所在县市”中填写数据库中的县市名称。",
    "unknown_unit": "规模单位“{unit}”无法识别。请在“规模单位”中重新选择。",
}

#: How a reader made polygons (:attr:`mineplan.io.gis.ReadResult.made`) → the note shown.
MADE_NOTES: dict[str, str] = {
    "corners": "坐标表中的拐点已按文件中的顺序连成一个面。",
    "plots": "坐标表中的拐点已按地块列分组，按文件中的顺序连成 {count} 个面。",
    "closed_lines": "{count} 条首尾相接的线（以路径绘制的范围）已作为面读取。",
}

#: Where the import page's 文件面积 came from (``ImportReport.area_unit_assumed``): the
#: unit named in the column's name, or the exchange standard's 公顷 assumed.
IMPORT_AREA_NOTES: dict[bool, str] = {
    False: "文件面积取自字段“{column}”，单位为{unit}（字段名注明）；计算面积为按 TD/T 1055 "
           "计算的椭球面积，换算为同一单位。",
    True: "文件面积取自字段“{column}”，字段名未注明单位，按{unit}理解；计算面积为按 TD/T 1055 "
          "计算的椭球面积，换算为同一单位。如文件用其他单位，请把字段名改为如“面积(平方米)”"
          "“MJ(平方千米)”后重新上传。",
}

#: What the page says when something that is not a mineplan error goes wrong.
INTERNAL_ERROR = ("程序内部错误，未能完成本次操作。详细情况已记入服务器日志，"
                  "请把操作步骤告知系统维护人员。")

#: ASCII words a planner may read: codes, units, formats and the names of systems.
ALLOWED_WORDS = frozenset({
    "EPSG", "CGCS", "CGCS2000", "WGS", "WGS84", "GK", "km", "mm", "dpi", "MB", "KB", "GB",
    "PNG", "PDF", "SVG", "TXT", "CSV", "csv", "GBK", "UTF", "GeoTIFF", "tif", "tiff", "zip",
    "Shapefile", "shp", "shx", "dbf", "prj", "cpg", "GeoPackage", "gpkg", "GeoJSON",
    "geojson", "json", "KML", "KMZ", "kml", "kmz", "WKT", "DMS", "GIS", "QGIS", "txt",
    "xlsx", "Excel", "OpenStreetMap", "tk", "mineplan", "DEM", "ID", "XZQ", "POLYGON",
    "Leaflet", "MINEPLAN", "TIANDITU", "KEY", "RASTERS", "STORE", "zone", "id", "seq",
    "name", "cnmaps",
})

_WORD = re.compile(r"(?<![\w.:/\\])([A-Za-z][A-Za-z]+)(?![\w.])")
_FILE = re.compile(r"`[^`]*`"  # a command for the maintainer, set apart
                   r"|“[^”]*”"  # what the planner typed or a control's name, quoted
                   r"|\w[\w\-.]*\.[A-Za-z0-9]{2,5}\b"  # a file name
                   r"|[A-Za-z]:\\\S+|(?<![\w-])/\S+|\w[\w.-]*(?:/\w[\w.-]*)+"  # a path
                   r"|\b\w+-[\w-]+")  # a zone number


def planner_words(text: str, *, allowed: Iterable[str] = ()) -> list[str]:
    """The ASCII words in ``text`` a planner would have to read (empty: all Chinese).

    File names, paths, zone numbers (``tekes-TKGH-001``), codes (``EPSG:4490``, ``ZDCK``),
    the words of :data:`ALLOWED_WORDS`, `code spans` (a command for the server's
    maintainer, set apart as such) and text in “Chinese quotes” (what the planner typed,
    echoed back: “abc”不是数字) do not count.

    Examples
    --------
    >>> planner_words("坐标系 EPSG:4490，文件 a.shp，分区 tekes-TKGH-001")
    []
    >>> planner_words("第 1 行：“abc”不是数字")
    []
    >>> planner_words("cannot import: feature 3 has no geometry")
    ['cannot', 'import', 'feature', 'has', 'no', 'geometry']
    """
    ok = ALLOWED_WORDS | set(allowed)
    stripped = _FILE.sub(" ", text)
    return [w for w in _WORD.findall(stripped)
            if w not in ok and w.lower() not in ok and not w.isupper()]  # GJKQ: a code


def _lookup(table: Mapping[type[E.MineplanError], str], err: E.MineplanError) -> str:
    for cls in type(err).__mro__:
        if cls in table:
            return table[cls]
    return table[E.MineplanError]


def _where(err: E.MineplanError) -> str:
    parts = []
    path = getattr(err, "path", None)
    if path is not None:
        parts.append(f"文件 {getattr(path, 'name', path)}")
    line = getattr(err, "line", None)
    if line is not None:
        parts.append(f"第 {line} 行")
    if err.feature is not None:
        parts.append(f"要素 {err.feature}")
    return "，".join(parts)


def _format(template: str, fields: Mapping[str, object]) -> str:
    values = {k: ("、".join(map(str, v)) if isinstance(v, list | tuple) else v)
              for k, v in fields.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        log.warning("message %r lacks fields (has %s)", template, sorted(fields))
        return template.split("（", 1)[0].split("{", 1)[0].rstrip("：，")


def error_message(err: BaseException) -> str:
    """What the page says about ``err``: located, Chinese, naming the page's controls.

    Examples
    --------
    >>> error_message(E.CoordinateFileError("bad number 'x'", path="a.txt", line=4))[:23]
    '坐标无法读取（文件 a.txt，第 4 行）。'
    >>> error_message(E.GeometryError("x", code="no_crs"))
    '图形没有坐标系。请在“导入选项”中填写“坐标系”。'
    >>> error_message(E.CoordinateFileError("第 3 行：缺少 Y"))
    '第 3 行：缺少 Y'
    """
    if not isinstance(err, E.MineplanError):
        log.error("internal error shown as such to the user", exc_info=err)
        return INTERNAL_ERROR
    if isinstance(err, E.UploadError):
        if err.detail:
            log.info("upload refused: %s (%s)", err.reason, err.detail)
        return err.reason
    where = _where(err)
    if err.code in CODE_MESSAGES:
        text = _format(CODE_MESSAGES[err.code], err.fields)
        return f"{where}：{text}" if where else text
    own = str(getattr(err, "reason", "") or err)
    if own and not planner_words(own):
        return f"{where}：{own}" if where and where not in own else own
    log.info("error shown by its class (%s): %s", type(err).__name__, err)
    head = _lookup(CLASS_MESSAGES, err)
    return f"{head}（{where}）。{_lookup(CLASS_HINTS, err)}" if where else \
        f"{head}。{_lookup(CLASS_HINTS, err)}"


def made_notes(made: Mapping[str, int]) -> list[str]:
    """What a reader did to make polygons, in Chinese (:data:`MADE_NOTES`).

    >>> made_notes({"plots": 2})
    ['坐标表中的拐点已按地块列分组，按文件中的顺序连成 2 个面。']
    """
    return [MADE_NOTES[kind].format(count=count) for kind, count in made.items()
            if kind in MADE_NOTES]


def readable_notes(notes: Iterable[str]) -> tuple[list[str], int]:
    """The notes (reader warnings …) a planner can read, and how many others were logged."""
    shown, hidden = [], 0
    for note in notes:
        if planner_words(note):
            log.info("note not shown (not Chinese): %s", note)
            hidden += 1
        else:
            shown.append(note)
    return shown, hidden
