"""Files users upload to the web app: hostile until proven otherwise.

:func:`check_upload` looks at an upload's name *and bytes* before anything
parses it: size limit, the file type told by content (a PNG renamed ``.geojson``
is refused), zip archives with ``..`` or absolute entry names, zip bombs (the
limits of :class:`~mineplan.io.gis.ZipLimits`), KML with XML entity
declarations, HTML pages. Every refusal is an :class:`UploadError` whose message
is plain Chinese for the planner, followed by the technical detail.

:func:`read_upload` then writes the bytes under a safe name in a private
temporary folder and reads them with :func:`~mineplan.io.gis.read_gis_file`,
so an upload gets exactly the validation and messages of ``mineplan import``.

Attribute values are never trusted either: the web map escapes every popup value
(:mod:`mineplan.web.webmap`), and the app shows tables as data, never as HTML.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

import pyogrio
import pyogrio.errors

from mineplan.errors import CoordinateFileError, CRSError, UploadError
from mineplan.geodesy import CRSLike
from mineplan.io.gis import ReadResult, ZipLimits, read_gis_file

__all__ = [
    "ACCEPTED_SUFFIXES",
    "DEFAULT_MAX_UPLOAD_MB",
    "UploadCheck",
    "UploadError",
    "check_upload",
    "read_upload",
    "safe_filename",
    "upload_layers",
]

#: Default size limit of one upload, in MB (also ``server.maxUploadSize``).
DEFAULT_MAX_UPLOAD_MB = 200
#: File name endings the import page accepts, and what each is.
ACCEPTED_SUFFIXES: dict[str, str] = {
    ".zip": "压缩的 Shapefile（.shp/.shx/.dbf/.prj 打包为 zip）",
    ".gpkg": "GeoPackage",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".kml": "KML",
    ".kmz": "KMZ",
}
# Coordinate TXT uploads are read by mineplan.io.proposals.read_coordinate_upload
# (its own guards, then mineplan.io.coordinates), not here.

Kind = Literal["zip", "gpkg", "geojson", "kml", "kmz"]

_SQLITE = b"SQLite format 3\x00"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OTHER_FORMATS = (  # magic → what it is, in Chinese
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"%PDF", "PDF 文档"),
    (b"II*\x00", "TIFF 栅格（请在“底图”处加载栅格）"),
    (b"MM\x00*", "TIFF 栅格（请在“底图”处加载栅格）"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文档（doc/xls）"),
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"Rar!", "RAR 压缩包（请改用 zip）"),
    (b"7z\xbc\xaf", "7z 压缩包（请改用 zip）"),
    (b"\x1f\x8b", "gzip 压缩包（请改用 zip）"),
)
_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html|<script|<head|<body)", re.IGNORECASE)
_ENTITY = re.compile(rb"<!(DOCTYPE[^>]*\[|ENTITY)", re.IGNORECASE)
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class UploadCheck:
    """What :func:`check_upload` found an acceptable upload to be.

    Attributes
    ----------
    name
        The safe file name used on disk (see :func:`safe_filename`).
    kind
        ``"zip"``, ``"gpkg"``, ``"geojson"``, ``"kml"`` or ``"kmz"``.
    size
        Bytes.
    members
        Entry names of a zip/kmz archive (empty otherwise).
    """

    name: str
    kind: Kind
    size: int
    members: tuple[str, ...] = ()


def safe_filename(name: str) -> str:
    """A file name safe to write in a private folder: no folders, no odd characters.

    Chinese letters are kept; the ending is lower-cased.

    Examples
    --------
    >>> safe_filename("../../etc/矿区 范围.GeoJSON")
    '矿区_范围.geojson'
    >>> safe_filename("C:\\\\temp\\\\a.zip")
    'a.zip'
    """
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE_NAME_CHARS.sub("_", stem).strip("._") or "upload"
    suffix = _UNSAFE_NAME_CHARS.sub("", suffix).lower()
    return f"{stem[:80]}.{suffix}" if suffix else stem[:80]


def check_upload(
    name: str,
    data: bytes,
    *,
    max_mb: float = DEFAULT_MAX_UPLOAD_MB,
    zip_limits: ZipLimits | None = None,
) -> UploadCheck:
    """Refuse an upload that is too big, not what its name says, or unsafe.

    Parameters
    ----------
    name
        The file name the browser sent (never used as a path).
    data
        The file's bytes.
    max_mb
        Largest accepted upload, MB (2**20 bytes).
    zip_limits
        Limits for zip and KMZ archives; default :class:`~mineplan.io.gis.ZipLimits`.

    Returns
    -------
    UploadCheck

    Raises
    ------
    UploadError
        With a Chinese explanation: too big, empty, unsupported or disguised file
        type, unsafe archive entry names, zip bomb, KML entity declarations.
    """
    safe = safe_filename(name)
    suffix = PurePosixPath(safe).suffix
    size = len(data)
    if size > max_mb * 2**20:
        raise UploadError(
            f"文件过大：{size / 2**20:.1f} MB，超过上限 {max_mb:g} MB。"
            "请只上传需要导入的图层，或请管理员调高上限（MINEPLAN_MAX_UPLOAD_MB）。"
        )
    if size == 0:
        raise UploadError("文件是空的（0 字节），请检查是否选错了文件。")
    if suffix not in ACCEPTED_SUFFIXES:
        accepted = "、".join(dict.fromkeys(ACCEPTED_SUFFIXES))
        raise UploadError(
            f"不支持的文件类型“{suffix or '无扩展名'}”。可导入：{accepted}。"
            "Shapefile 请把 .shp、.shx、.dbf、.prj 等文件一起压缩成一个 zip 上传。"
        )
    other = _other_format(data)
    expected = {".zip": "zip 压缩包", ".kmz": "zip 压缩包", ".gpkg": "SQLite 数据库"}.get(suffix)
    if other is not None and other != expected:
        raise UploadError(
            f"文件名是“{suffix}”，但内容是{other}，不是 GIS 数据文件。请确认上传的文件。"
        )
    if suffix in (".zip", ".kmz"):
        members = _check_archive(data, zip_limits or ZipLimits(), suffix=suffix)
        return UploadCheck(safe, "zip" if suffix == ".zip" else "kmz", size, members)
    if suffix == ".gpkg":
        if not data.startswith(_SQLITE):
            raise UploadError("文件名是“.gpkg”，但内容不是 GeoPackage（SQLite）数据库。")
        return UploadCheck(safe, "gpkg", size)
    if suffix == ".kml":
        _check_kml(data)
        return UploadCheck(safe, "kml", size)
    _check_geojson(data)
    return UploadCheck(safe, "geojson", size)


def read_upload(
    check: UploadCheck,
    data: bytes,
    *,
    layer: str | None = None,
    crs: CRSLike | None = None,
    fix: bool = False,
    zip_limits: ZipLimits | None = None,
) -> ReadResult:
    """Read a checked upload as polygons, exactly as ``mineplan import`` reads a file.

    The bytes are written under ``check.name`` in a private temporary folder that is
    removed afterwards; the returned frame is in memory.

    Parameters
    ----------
    check
        From :func:`check_upload` on the same bytes.
    data
        The file's bytes.
    layer
        Layer of a multi-layer file (GeoPackage, KML).
    crs
        CRS of a file that has none (e.g. ``"EPSG:4523"``).
    fix
        Repair invalid geometries, reporting each.
    zip_limits
        Passed to :func:`~mineplan.io.gis.read_gis_file`.

    Returns
    -------
    ReadResult
        Frame with a CRS; ``warnings`` to show the user.

    Raises
    ------
    UploadError
        The file cannot be read (Chinese reason; the CLI's message as detail).
    """
    with tempfile.TemporaryDirectory(prefix="mineplan-upload-") as folder:
        path = Path(folder) / check.name
        path.write_bytes(data)
        try:
            return read_gis_file(
                path, layer=layer, crs=crs, expect="polygon", fix=fix, zip_limits=zip_limits
            )
        except CRSError as exc:
            raise UploadError(
                "坐标系有问题：文件没有声明坐标系且无法从坐标数值判断，或声明的坐标系与数值不符"
                "（例如米制坐标标成了经纬度）。请在“导入选项”中填写正确的坐标系"
                "（如 EPSG:4490 或 EPSG:4523）。",
                detail=_without_folder(str(exc), folder),
            ) from exc
        except CoordinateFileError as exc:
            raise UploadError(
                "文件无法作为 GIS 数据读取。", detail=_without_folder(exc.reason, folder)
            ) from exc


def upload_layers(check: UploadCheck, data: bytes) -> list[str]:
    """Names of the layers in a checked GeoPackage or KML upload ([] for others)."""
    if check.kind not in ("gpkg", "kml"):
        return []
    with tempfile.TemporaryDirectory(prefix="mineplan-upload-") as folder:
        path = Path(folder) / check.name
        path.write_bytes(data)
        try:
            return [str(name) for name, geom in pyogrio.list_layers(path) if geom]
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise UploadError(
                "文件无法作为 GIS 数据读取。", detail=_without_folder(str(exc), folder)
            ) from exc


# --------------------------------------------------------------------------- helpers


def _without_folder(message: str, folder: str) -> str:
    return message.replace(f"{folder}/", "").replace(folder, "")


def _other_format(data: bytes) -> str | None:
    if data.startswith(_ZIP):
        return "zip 压缩包"
    if data.startswith(_SQLITE):
        return "SQLite 数据库"
    for magic, what in _OTHER_FORMATS:
        if data.startswith(magic):
            return what
    if _HTML.match(data[:1024]):
        return "网页（HTML）"
    return None


def _check_archive(data: bytes, limits: ZipLimits, *, suffix: str) -> tuple[str, ...]:
    if not data.startswith(_ZIP):
        raise UploadError(f"文件名是“{suffix}”，但内容不是 zip 压缩包。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadError("压缩包已损坏，无法打开。请重新压缩后上传。", detail=str(exc)) from exc
    if len(infos) > limits.max_entries:
        raise UploadError(
            f"压缩包内有 {len(infos)} 个文件，超过允许的 {limits.max_entries} 个。"
            "请只打包需要导入的图层。"
        )
    unsafe = [i.filename for i in infos if _unsafe_member(i.filename)]
    if unsafe:
        raise UploadError(
            "压缩包内有不安全的路径（含“..”或绝对路径），已拒绝。"
            "请把文件放在压缩包根目录或普通子文件夹中重新压缩。",
            detail="、".join(unsafe[:5]),
        )
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > limits.max_total_bytes:
        raise UploadError(
            f"压缩包解压后约 {total / 2**20:.0f} MB，超过允许的 "
            f"{limits.max_total_bytes / 2**20:.0f} MB。"
        )
    bombs = [
        i.filename for i in infos
        if i.file_size >= limits.ratio_floor_bytes
        and i.file_size > limits.max_ratio * max(i.compress_size, 1)
    ]
    whole = total >= limits.ratio_floor_bytes and total > limits.max_ratio * max(packed, 1)
    if bombs or whole:
        raise UploadError(
            f"压缩包的压缩比异常（超过 {limits.max_ratio:g} 倍），疑似“压缩炸弹”，已拒绝。",
            detail="、".join(bombs[:5]),
        )
    names = tuple(i.filename for i in infos if not i.is_dir())
    lower = [n.lower() for n in names]
    if suffix == ".zip" and not any(n.endswith(".shp") for n in lower):
        raise UploadError(
            "压缩包里没有 .shp 文件。请把 Shapefile 的 .shp、.shx、.dbf、.prj 一起压缩上传。",
            detail="、".join(names[:10]),
        )
    if suffix == ".kmz" and not any(n.endswith(".kml") for n in lower):
        raise UploadError("KMZ 压缩包里没有 .kml 文档。")
    return names


def _unsafe_member(name: str) -> bool:
    normal = name.replace("\\", "/")
    if normal.startswith("/") or re.match(r"^[A-Za-z]:", normal):
        return True
    return ".." in PurePosixPath(normal).parts


def _text_head(data: bytes, what: str) -> str:
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8", errors="strict").lstrip()
    except UnicodeDecodeError:
        try:  # a multi-byte character may be cut at 4096 bytes
            return head[:-3].decode("utf-8", errors="strict").lstrip()
        except UnicodeDecodeError:
            raise UploadError(f"{what} 文件应为 UTF-8 文本，但内容不是文本。") from None


def _check_geojson(data: bytes) -> None:
    head = _text_head(data, "GeoJSON")
    if not head.startswith("{"):
        raise UploadError("文件内容不是 GeoJSON（应以“{”开头的 JSON 文本）。")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UploadError("GeoJSON 文件格式错误，无法解析。", detail=str(exc)) from exc
    kind = document.get("type") if isinstance(document, dict) else None
    if kind not in ("FeatureCollection", "Feature", "Polygon", "MultiPolygon",
                    "GeometryCollection"):
        raise UploadError(
            "JSON 文件不是 GeoJSON 要素集（缺少 \"type\": \"FeatureCollection\"）。",
            detail=f"type = {kind!r}",
        )


def _check_kml(data: bytes) -> None:
    head = _text_head(data, "KML")
    if not head.startswith("<"):
        raise UploadError("文件内容不是 KML（应为 XML 文本）。")
    if _ENTITY.search(data[:65536]):
        raise UploadError("KML 文件含有 XML 实体声明（DOCTYPE/ENTITY），可能不安全，已拒绝。")
    if b"<kml" not in data[:65536].lower():
        raise UploadError("XML 文件中没有 <kml> 元素，不是 KML 文档。")
