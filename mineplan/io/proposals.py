"""Proposals as planners give them: pasted text and uploaded coordinate files.

* :func:`parse_pasted_proposal` reads pasted text: ``点号,X,Y`` / ``X,Y`` lines (X the
  northing, Y the easting with its zone prefix, metres, CGCS2000), any coordinate
  table as copied from a notice or web page (pipes, tabs, one cell per line, glued
  point numbers, DMS or decimal degrees under a 经度/纬度 header, several blocks —
  :func:`mineplan.io.coordinates.read_coordinates`), a whole boundary or
  registration TXT, or WKT / GeoJSON in EPSG:4490.
* :func:`read_coordinate_upload` reads an uploaded coordinate TXT after refusing
  what is not one; other GIS files go through :mod:`mineplan.io.uploads`.

Every refusal of input is a plain Chinese sentence naming the line it concerns.

May import: ``errors``, ``vocab``, ``geodesy``, the other io modules.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import NoReturn

import geopandas as gpd
import pyproj
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from mineplan.errors import CoordinateFileError, CRSError, UploadError, problem_list
from mineplan.geodesy import GKZone, classify_plane_pair, gk_epsg, gk_zone_from_epsg
from mineplan.io import coordinates as coordfiles
from mineplan.io.coordinates.tables import normalise_paste
from mineplan.io.sniff import KINDS_ZH, coordinate_head, coordinate_layout, sniff
from mineplan.io.text import parse_number
from mineplan.io.uploads import safe_filename
from mineplan.vocab import (
    CHINA_LAT_RANGE,
    CHINA_LON_RANGE,
    STORE_CRS,
    STORE_EPSG,
    WEB_CRS,
    in_china_degrees,
)

__all__ = [
    "COORDINATE_SUFFIXES",
    "ParsedProposal",
    "is_coordinate_upload",
    "parse_pasted_proposal",
    "read_coordinate_upload",
]

#: Upload endings read as coordinate TXT (报盘 boundary or registration layout).
COORDINATE_SUFFIXES: tuple[str, ...] = (".txt",)
_SPLIT = re.compile(r"[,;\s]+")
_WKT = re.compile(r"^\s*(?:SRID\s*=\s*(\d+)\s*;)?\s*((?:MULTI)?POLYGON)\b", re.IGNORECASE)
_MAX_PROBLEMS = 15
# GeoJSON crs names read as the store's degrees (WGS 84 differs from CGCS2000 by < 1 m).
_GEOJSON_DEGREES = re.compile(
    rf"({STORE_EPSG}|{WEB_CRS.removeprefix('EPSG:')}|CRS84)$"
)


@dataclass(frozen=True)
class ParsedProposal:
    """A proposal read from pasted text or an uploaded coordinate file.

    Attributes
    ----------
    frame
        Polygon features with their CRS (a Gauss-Kruger zone for plane coordinates,
        EPSG:4490 for WKT / GeoJSON).
    source
        What the input was read as, in Chinese (e.g. ``"坐标点（27 带，3 度分带）"``).
    notes
        How it was read (zone from the easting prefix, SRID of a WKT).
    warnings
        What the planner must look at: axes swapped, invalid ring, the file
        reader's warnings.
    """

    frame: gpd.GeoDataFrame
    source: str
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------ pasted text


def parse_pasted_proposal(text: str, *, zone: int | None = None) -> ParsedProposal:
    """Read a proposal pasted as text.

    Parameters
    ----------
    text
        One of: lines ``点号,X,Y`` or ``X,Y`` (X the northing, Y the easting, metres,
        CGCS2000 Gauss-Kruger; fields split by commas, semicolons, tabs or spaces,
        full-width characters allowed; a header line and ``#`` comments are skipped;
        the closing repeat of the first point is optional); a whole boundary TXT
        (``[属性描述]`` / ``[地块坐标]``) or registration TXT (``[登记项目]``);
        ``POLYGON``/``MULTIPOLYGON`` WKT; or GeoJSON — both in longitude/latitude
        degrees, EPSG:4490 (WKT may give ``SRID=…;``).
    zone
        Gauss-Kruger zone of point lines whose eastings carry no zone prefix
        (25–45: 3-degree, 13–23: 6-degree). Prefixed eastings name their own zone.

    Returns
    -------
    ParsedProposal

    Raises
    ------
    CoordinateFileError
        Once, in Chinese, naming every problem and its line.
    """
    text = _normalised(text or "").replace("\ufeff", "")
    stripped = text.strip()
    if not stripped:
        raise CoordinateFileError("没有粘贴任何坐标。请粘贴拐点坐标（点号,X,Y）、坐标文件全文、"
                                  "WKT 或 GeoJSON。")
    if stripped.startswith(("{", "[")) and not stripped.startswith(("[属性", "[地块", "[登记")):
        return _parse_geojson(stripped)
    wkt = _WKT.match(stripped)
    if wkt:
        return _parse_wkt(stripped, wkt)
    layout = coordinate_layout(text)
    if layout == "registration":
        return _parse_coordinate_text(text, "registration", source="粘贴的登记坐标文本")
    if layout == "boundary":
        return _parse_coordinate_text(text, "boundary", source="粘贴的报盘坐标文本")
    if _simple_point_lines(text):
        return _parse_point_lines(text, zone=zone)
    return _parse_table(text, zone=zone, source="粘贴的坐标表")


# What makes a paste a table for read_coordinates rather than 点号,X,Y lines.
_TABLE_SIGNS = re.compile(
    r"[|°′″'\"。]|经度|纬度|面积|标高|区块|地块|挖空|圈号|坐标系|带号|中央经线|\d\.\d+\.\d|^\s*\*",
    re.MULTILINE,
)


def _simple_point_lines(text: str) -> bool:
    """True for ``点号,X,Y`` / ``X,Y`` lines (a header line allowed first), read line by
    line with Chinese messages; anything else — pipes, DMS, 经度/纬度 headers, glued
    point numbers, one cell per line, elevation or terminator rows, stated areas,
    several blocks — is a table for :func:`~mineplan.io.coordinates.read_coordinates`.
    """
    if _TABLE_SIGNS.search(text):
        return False
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    rows = 0
    for i, line in enumerate(lines):
        parts = [p for p in _SPLIT.split(line) if p]
        numbers = [parse_number(p) for p in parts]
        if i == 0 and all(n is None for n in numbers):
            continue  # a header line such as 点号,X,Y
        if len(parts) < 2 or (len(parts) >= 3 and numbers[-2:] == [0, 0]):
            return False  # one cell per line, or a terminator row 5,0,0
        rows += 1
    return rows > 0


def _parse_table(text: str | bytes, *, zone: int | None, source: str) -> ParsedProposal:
    """A coordinate table read by :func:`~mineplan.io.coordinates.read_coordinates`."""
    try:
        frame = coordfiles.read_coordinates(text, zone=zone)
    except coordfiles.CoordinateChoiceError as exc:
        where = f"第 {exc.line} 行：" if exc.line is not None else ""
        if exc.option == "zone":
            raise CoordinateFileError(
                f"{where}东坐标没有带号前缀，原文也未写明带号，无法确定投影带。请在东坐标前加带号"
                "（如 28512345.67），或在“带号”中填写投影带（如 84°E 的 3 度带为 28）。"
                f"\n{exc.reason}",
                line=exc.line,
            ) from exc
        raise CoordinateFileError(
            f"{source}无法确定坐标系，请在原文中写明坐标系与带号后重试：\n{exc.reason}",
            line=exc.line,
        ) from exc
    except CoordinateFileError as exc:
        raise CoordinateFileError(
            f"{source}无法读取，请按提示修改后重试：\n{exc.reason}", line=exc.line
        ) from exc
    names = [str(n) if n else "申请范围" for n in frame["name"]]
    shapes = gpd.GeoDataFrame({"name": names}, geometry=list(frame.geometry), crs=frame.crs)
    points = int(frame["points"].sum())
    return ParsedProposal(
        shapes,
        f"{source}（{len(frame)} 个地块，{points} 个拐点，{_crs_words(frame.crs)}）",
        notes=[f"读取说明：{n}" for n in frame.attrs.get("notes", [])],
    )


def _crs_words(crs: pyproj.CRS | None) -> str:
    """The CRS of pasted coordinates in a planner's words, with its EPSG code: "CGCS2000
    3 度分带第 28 带，EPSG:4516" (pyproj's names are English)."""
    epsg = crs.to_epsg() if crs is not None else None
    if crs is None or epsg is None:
        return "坐标系未识别"
    if crs.is_geographic:
        return f"经纬度，EPSG:{epsg}"
    try:
        gk = gk_zone_from_epsg(epsg)
    except CRSError:
        return f"EPSG:{epsg}"
    return f"CGCS2000 {gk.width} 度分带第 {gk.zone} 带，EPSG:{epsg}"


def _normalised(text: str) -> str:
    """NFKC (full-width digits, commas and spaces to ASCII) except ″ and ‴, kept as typed.

    >>> _normalised("１２，84°12′30.5″")
    '12,84°12′30.5″'
    """
    return normalise_paste(text)


def _raise(problems: list[str]) -> NoReturn:
    raise CoordinateFileError(
        "粘贴的坐标有 " + problem_list(problems, limit=_MAX_PROBLEMS, chinese=True)
    )


def _lines_text(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:8])
    return f"第 {shown}{' 等' if len(numbers) > 8 else ''} 行"


def _looks_like_degrees(x: float, y: float) -> bool:
    return any(in_china_degrees(lon, lat) for lat, lon in ((x, y), (y, x)))


def _parse_point_lines(text: str, *, zone: int | None) -> ParsedProposal:
    problems: list[str] = []
    points: list[tuple[int, str, float, float]] = []  # line, name, X northing, Y easting
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p for p in _SPLIT.split(line) if p]
        if len(parts) not in (2, 3):
            problems.append(f"第 {line_no} 行：应为“点号,X,Y”或“X,Y”，实际有 {len(parts)} 项"
                            f"（{line[:40]}）")
            continue
        x_text, y_text = parts[-2:]
        x, y = parse_number(x_text), parse_number(y_text)
        if x is None and y is None and not points and not problems:
            continue  # a header line such as 点号,X,Y
        bad = [t for t, v in ((x_text, x), (y_text, y)) if v is None]
        if bad or x is None or y is None:
            problems.append(f"第 {line_no} 行：“{'”“'.join(bad)}”不是数字（应为以米为单位的坐标）")
            continue
        name = parts[0] if len(parts) == 3 else f"J{len(points) + 1}"
        points.append((line_no, name, x, y))
    if problems:
        _raise(problems)
    if not points:
        _raise(["没有找到坐标行。每行一个拐点：点号,X,Y 或 X,Y"
                "（X 为北坐标，Y 为带带号的东坐标）。"])

    notes: list[str] = []
    warnings: list[str] = []
    classes = [classify_plane_pair(x, y) for _, _, x, y in points]
    implausible = [p[0] for p, c in zip(points, classes, strict=True) if not c.plausible]
    if implausible:
        first = points[[p[0] for p in points].index(implausible[0])]
        if _looks_like_degrees(first[2], first[3]):
            _raise([f"{_lines_text(implausible)}：坐标看起来是经纬度（度）。此处的坐标行应为高斯-克吕格"
                    f"平面坐标（米）；经纬度请以 WKT 或 GeoJSON（{STORE_CRS}，经度在前）粘贴。"])
        _raise([f"{_lines_text(implausible)}：({first[2]:g}, {first[3]:g}) 不像中国境内的"
                "高斯-克吕格平面坐标。X 为北坐标（约 2000000–5900000 米），Y 为东坐标"
                "（带号前缀 + 约 150000–850000 米，如 27523456.78）。"])
    swapped = [c.swapped for c in classes]
    if any(swapped) and not all(swapped):
        odd = [p[0] for p, s in zip(points, swapped, strict=True) if s != swapped[0]]
        _raise([f"{_lines_text(odd)}：X、Y 的顺序与第 {points[0][0]} 行相反；"
                "请统一为 X（北坐标）在前、Y（东坐标）在后。"])
    if all(swapped):
        points = [(n, name, y, x) for n, name, x, y in points]
        warnings.append("检测到坐标的 X、Y 顺序颠倒（东坐标在前），已按 X=北坐标、Y=东坐标"
                        "交换后检查。请核对原始坐标。")
    zones = {c.zone for c in classes}
    prefixed = {z.zone for z in zones if z is not None}
    if len(prefixed) > 1 or (prefixed and None in zones):
        _raise([f"东坐标的带号不一致（{'、'.join(str(z) for z in sorted(prefixed))} 带"
                f"{'及无带号' if None in zones else ''}）；一个申请范围的拐点应在同一投影带。"])
    gk = _zone_of(zones, zone)
    if prefixed:
        notes.append(f"投影带由东坐标的带号前缀确定：{gk.width} 度分带第 {gk.zone} 带"
                     f"（中央经线 {gk.central_meridian:g}°E，EPSG:{gk.epsg}）。")
    ring = [(y, x) for _, _, x, y in points]  # shapely: (easting, northing)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    distinct = len(set(ring))
    if distinct < 3:
        _raise([f"至少需要 3 个不同的拐点才能构成范围，实际只有 {distinct} 个。"])
    polygon = Polygon(ring)
    if not polygon.is_valid:
        warnings.append("拐点连线自相交或有重复点，范围图形无效；检查结果中的“图形”一项会指出。"
                     "请核对拐点顺序。")
    frame = gpd.GeoDataFrame({"name": ["申请范围"]}, geometry=[polygon], crs=gk.epsg)
    return ParsedProposal(frame, f"坐标点 {len(ring)} 个（{gk.width} 度分带第 {gk.zone} 带）",
                          notes, warnings)


def _zone_of(zones: set[GKZone | None], zone: int | None) -> GKZone:
    prefixed = [z for z in zones if z is not None]
    if prefixed:
        found = prefixed[0]
        if zone is not None and zone != found.zone:
            _raise([f"所填带号 {zone} 与东坐标的带号前缀 {found.zone} 不一致；"
                    "东坐标带有带号时可不填带号。"])
        return found
    if zone is None:
        _raise(["东坐标没有带号前缀，无法确定投影带。请在东坐标前加带号（如 27523456.78），"
                "或在“带号”中填写投影带。"])
    try:  # 3-degree zones are numbered 25–45, 6-degree zones 13–23
        return gk_zone_from_epsg(gk_epsg(width=3 if zone >= 25 else 6, zone=zone, prefixed=False))
    except CRSError:
        _raise([f"带号 {zone} 不是中国的高斯-克吕格投影带（3 度分带 25–45，6 度分带 13–23）。"])


def _check_degrees(geoms: list[BaseGeometry], what: str) -> None:
    west, south, east, north = shapely.total_bounds(geoms)
    lon, lat = CHINA_LON_RANGE, CHINA_LAT_RANGE
    inside = lon[0] <= west <= east <= lon[1] and lat[0] <= south <= north <= lat[1]
    if inside:
        return
    flipped = lat[0] <= west <= east <= lat[1] and lon[0] <= south <= north <= lon[1]
    hint = ("看起来纬度在前；请把经度放在前面（x=经度，y=纬度）。" if flipped else
            f"应为 {STORE_CRS} 经纬度（度，经度在前）；平面坐标（米）请按“点号,X,Y”逐行粘贴。")
    _raise([f"{what} 的坐标范围 ({west:g}, {south:g}) – ({east:g}, {north:g}) "
            f"不在中国境内：{hint}"])


def _polygonal(geoms: list[BaseGeometry], what: str) -> list[BaseGeometry]:
    if not geoms:
        _raise([f"{what} 中没有图形。"])
    wrong = sorted({g.geom_type for g in geoms if g.geom_type not in ("Polygon", "MultiPolygon")})
    if wrong:
        _raise([f"{what} 中有 {'、'.join(wrong)}；申请范围应为面（Polygon / MultiPolygon）。"])
    if any(g.is_empty for g in geoms):
        _raise([f"{what} 中有空图形。"])
    return geoms


def _parse_wkt(text: str, match: re.Match[str]) -> ParsedProposal:
    srid = int(match.group(1)) if match.group(1) else STORE_EPSG
    body = text[match.start(2):]
    try:
        geom = shapely.from_wkt(body)
    except shapely.errors.GEOSException as exc:
        _raise([f"WKT 无法解析：{exc}。应为 POLYGON ((经度 纬度, …)) 的形式。"])
    try:
        crs = pyproj.CRS.from_epsg(srid)
    except pyproj.exceptions.CRSError:
        _raise([f"SRID={srid} 不是已知的 EPSG 坐标系。"])
    geoms = _polygonal([geom], "WKT")
    notes = [] if srid == STORE_EPSG else [f"WKT 声明了 SRID={srid}，按该坐标系读取。"]
    if crs.is_geographic:
        _check_degrees(geoms, "WKT")
    return ParsedProposal(gpd.GeoDataFrame({"name": ["申请范围"]}, geometry=geoms, crs=crs),
                          f"WKT（EPSG:{srid}）", notes)


def _parse_geojson(text: str) -> ParsedProposal:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        _raise([f"GeoJSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列（{exc.msg}）。"])
    if not isinstance(document, dict):
        _raise(["GeoJSON 应为对象（以“{”开头），如 {\"type\": \"Polygon\", …}。"])
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features") or []
    elif kind == "Feature":
        features = [document]
    elif kind in ("Polygon", "MultiPolygon"):
        features = [{"type": "Feature", "geometry": document, "properties": {}}]
    else:
        _raise([f"GeoJSON 的 type 为 {kind!r}；应为 FeatureCollection、Feature、Polygon "
                "或 MultiPolygon。"])
    crs_name = str(((document.get("crs") or {}).get("properties") or {}).get("name", ""))
    if crs_name and not _GEOJSON_DEGREES.search(crs_name):
        _raise([f"GeoJSON 声明的坐标系为 {crs_name}；此处只接受 {STORE_CRS} 经纬度。"
                "其他坐标系的文件请用上传。"])
    try:
        frame = gpd.GeoDataFrame.from_features(features, crs=STORE_CRS)
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
        _raise([f"GeoJSON 的要素无法读取：{exc}"])
    geoms = _polygonal([g for g in frame.geometry if g is not None], "GeoJSON")
    if len(geoms) != len(frame):
        _raise(["GeoJSON 中有要素没有图形（geometry 为 null）。"])
    _check_degrees(geoms, "GeoJSON")
    return ParsedProposal(frame, f"GeoJSON（{len(frame)} 个面，{STORE_CRS}）")


def _parse_coordinate_text(data: bytes | str, layout: str, *, source: str) -> ParsedProposal:
    try:
        if layout == "registration":
            cf = coordfiles.parse_registration_txt(data, source=source)
        else:
            cf = coordfiles.parse_boundary_txt(data, source=source)
    except CoordinateFileError as exc:
        raise CoordinateFileError(
            f"{source}无法读取，请按提示修改后重试：\n{exc.reason}", line=exc.line
        ) from exc
    frame = coordfiles.to_geodataframe(cf)
    if frame.crs is None:
        raise CoordinateFileError(
            f"{source}无法确定坐标系（坐标系 {cf.header.get('坐标系', '') or '未填'}，"
            f"带号 {cf.crs.zone or '未填'}）：请在 [属性描述] 中填写 坐标系 与 带号。"
        )
    polygons = frame[frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        raise CoordinateFileError(f"{source}中没有面状地块（记录图形属性应为“面”）。")
    warnings = [f"文件提示：{w}" for w in cf.warnings]
    layout_name = "登记格式" if layout == "registration" else "报盘格式"
    where = (f"{cf.crs.width} 度分带第 {cf.crs.zone} 带" if cf.crs.zone is not None
             else f"EPSG:{cf.crs.epsg}")
    return ParsedProposal(
        gpd.GeoDataFrame(polygons.reset_index(drop=True), geometry="geometry", crs=frame.crs),
        f"坐标文本（{layout_name}，{len(polygons)} 个地块，{where}，{cf.encoding}）",
        warnings=warnings,
    )


# ---------------------------------------------------------------------------- uploads


def is_coordinate_upload(name: str) -> bool:
    """True when an upload's name says coordinate TXT (:data:`COORDINATE_SUFFIXES`)."""
    return PurePosixPath(safe_filename(name)).suffix in COORDINATE_SUFFIXES


def read_coordinate_upload(
    name: str, data: bytes, *, max_mb: float, zone: int | None = None
) -> ParsedProposal:
    """Refuse what is not a coordinate TXT, then read it (boundary or registration layout,
    or any coordinate table through :func:`~mineplan.io.coordinates.read_coordinates`).

    Parameters
    ----------
    name
        The file name the browser sent (only its ending and a safe form of it are used).
    data
        The bytes.
    max_mb
        Largest accepted upload, MB.
    zone
        Gauss-Kruger zone of a coordinate table whose eastings carry no zone prefix
        (the page's 带号 control); strict layouts state their own.

    Raises
    ------
    UploadError
        Too big, empty, another file type under a ``.txt`` name, or not a readable
        coordinate file (the reader's message, with its line, as detail).
    """
    safe = safe_filename(name)
    if len(data) > max_mb * 2**20:
        raise UploadError(f"文件过大：{len(data) / 2**20:.1f} MB，超过上限 {max_mb:g} MB。")
    if not data.strip():
        raise UploadError("文件是空的，请检查是否选错了文件。")
    kind = sniff(data)
    if kind is not None:
        raise UploadError(f"文件名是“.txt”，但内容是{KINDS_ZH[kind]}，不是坐标文本文件。")
    layout = coordinate_layout(coordinate_head(data))
    try:
        if layout is None:
            return _parse_table(data, zone=zone, source=f"坐标文件 {safe} ")
        return _parse_coordinate_text(data, layout, source=f"坐标文件 {safe} ")
    except CoordinateFileError as exc:
        reason, _, detail = str(exc).partition("\n")
        raise UploadError(reason.rstrip("：:。") + "。", detail=detail) from exc
