"""Files users upload to the web app: hostile until proven otherwise.

:func:`check_upload` looks at an upload's name *and bytes* before anything
parses it: size limit, the file type told by content (a PNG renamed ``.geojson``
is refused, :mod:`mineplan.io.sniff`), zip archives with ``..`` or absolute entry
names, lying sizes and zip bombs (:mod:`mineplan.io.archives`, the guard the GIS
reader uses too), KML — also inside a KMZ — with XML entity declarations anywhere,
HTML pages, GeoJSON that is not UTF-8 or cut short. Every check works in bounded
memory: a GeoJSON is never parsed here (GDAL does that once). Every refusal is an
:class:`UploadError` whose message is plain Chinese for the planner, followed by the
technical detail.

:func:`read_upload` then reads them with :func:`~mineplan.io.gis.read_gis_file`
(from a private temporary folder, under a safe name), so an upload gets exactly the
validation and messages of ``mineplan import``.

A large upload is never copied whole in memory: :func:`save_upload` streams it to a
private file in 1 MiB chunks (refused as soon as it passes the limit), and
:func:`check_upload`, :func:`upload_layers` and :func:`read_upload` take that file's
path as well as bytes (checked through a read-only memory map; GDAL reads the file).

Attribute values are never trusted either: the web map escapes every popup value
(:mod:`mineplan.web.webmap`), and the app shows tables as data, never as HTML.

May import: ``errors``, ``settings``, ``geodesy``, the other io modules.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import mmap
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal

from mineplan import settings
from mineplan.errors import CoordinateFileError, CRSError, UploadError
from mineplan.geodesy import CRSLike
from mineplan.io.archives import UnsafeArchiveError, ZipLimits, check_zip
from mineplan.io.gis import ReadResult, read_gis_file, readable_layers
from mineplan.io.sniff import KINDS_ZH, sniff, text_head
from mineplan.vocab import STORE_CRS

__all__ = [
    "ACCEPTED_SUFFIXES",
    "DEFAULT_MAX_UPLOAD_MB",
    "UploadCheck",
    "UploadError",
    "check_upload",
    "file_sha256",
    "read_upload",
    "safe_filename",
    "save_upload",
    "too_big_message",
    "upload_layers",
]

#: Default size limit of one upload, in MB (also ``server.maxUploadSize``); the app passes
#: :func:`mineplan.settings.max_upload_mb`.
DEFAULT_MAX_UPLOAD_MB = settings.DEFAULT_MAX_UPLOAD_MB
#: File name endings the import page accepts, and what each is.
ACCEPTED_SUFFIXES: dict[str, str] = {
    ".zip": "压缩的 Shapefile（.shp/.shx/.dbf/.prj 打包为 zip）",
    ".gpkg": "GeoPackage",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".kml": "KML",
    ".kmz": "KMZ",
    ".csv": "坐标表 CSV（点号,X,Y 或 点号,经度,纬度；一个地块的拐点连成一个面）",
    ".xlsx": "Excel 坐标表（列名同 CSV）",
}
# Coordinate TXT uploads are read by mineplan.io.proposals.read_coordinate_upload
# (its own guards, then mineplan.io.coordinates), not here.

Kind = Literal["zip", "gpkg", "geojson", "kml", "kmz", "csv", "xlsx"]

# What sniff() may find in a file with this ending without it being a disguise.
_EXPECTED_KIND = {".zip": "zip", ".kmz": "zip", ".xlsx": "zip", ".gpkg": "sqlite"}
_ENTITY = re.compile(rb"<!(DOCTYPE[^>]*\[|ENTITY)", re.IGNORECASE)
_GEOJSON_TYPES = ("FeatureCollection", "Feature", "Polygon", "MultiPolygon", "GeometryCollection")
# JSON strings (escapes allowed) and punctuation; numbers and literals fall between.
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
_SCAN_BYTES = 1 << 20
_ENTITY_OVERLAP = 4096  # a declaration cut by a chunk's end is still found
_CHUNK = 1 << 20
_HEAD = 1 << 16  # what sniff() looks at
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class UploadCheck:
    """What :func:`check_upload` found an acceptable upload to be.

    Attributes
    ----------
    name
        The safe file name used on disk (see :func:`safe_filename`).
    kind
        ``"zip"``, ``"gpkg"``, ``"geojson"``, ``"kml"``, ``"kmz"``, ``"csv"`` or ``"xlsx"``.
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
    data: bytes | Path,
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
        The file's bytes, or the file (from :func:`save_upload`: looked at through a
        read-only memory map, never read whole into memory).
    max_mb
        Largest accepted upload, MB (2**20 bytes).
    zip_limits
        Limits for zip and KMZ archives; default :class:`~mineplan.io.archives.ZipLimits`.

    Returns
    -------
    UploadCheck

    Raises
    ------
    UploadError
        With a Chinese explanation: too big, empty, unsupported or disguised file
        type, unsafe archive entry names, zip bomb, KML entity declarations.
    """
    if isinstance(data, Path):
        size = data.stat().st_size
        if size > max_mb * 2**20:
            raise UploadError(too_big_message(size, max_mb))
        if size == 0:
            raise UploadError("文件是空的（0 字节），请检查是否选错了文件。")
        with data.open("rb") as handle, mmap.mmap(handle.fileno(), 0,
                                                  access=mmap.ACCESS_READ) as view:
            return _check(name, view, data, max_mb=max_mb, zip_limits=zip_limits)
    return _check(name, data, None, max_mb=max_mb, zip_limits=zip_limits)


def too_big_message(size: int, max_mb: float, *, control: str = "") -> str:
    """The refusal of an upload of ``size`` bytes over the limit (Chinese), naming the
    page's upload control when given."""
    where = f"“{control}”中的" if control else ""
    return (f"{where}文件过大：{size / 2**20:.1f} MB，超过上限 {max_mb:g} MB，未读取。"
            "请只上传需要导入的图层，或请管理员调高上限（MINEPLAN_MAX_UPLOAD_MB）。")


def _check(
    name: str, data: bytes | mmap.mmap, path: Path | None, *, max_mb: float,
    zip_limits: ZipLimits | None,
) -> UploadCheck:
    """:func:`check_upload` on the bytes, or on a memory map of ``path``."""
    safe = safe_filename(name)
    suffix = PurePosixPath(safe).suffix
    size = len(data)
    if size > max_mb * 2**20:
        raise UploadError(too_big_message(size, max_mb))
    if size == 0:
        raise UploadError("文件是空的（0 字节），请检查是否选错了文件。")
    if suffix not in ACCEPTED_SUFFIXES:
        accepted = "、".join(dict.fromkeys(ACCEPTED_SUFFIXES))
        raise UploadError(
            f"不支持的文件类型“{suffix or '无扩展名'}”。可导入：{accepted}。"
            "Shapefile 请把 .shp、.shx、.dbf、.prj 等文件一起压缩成一个 zip 上传。"
        )
    other = sniff(data[:_HEAD])
    if other is not None and other != _EXPECTED_KIND.get(suffix):
        raise UploadError(
            f"文件名是“{suffix}”，但内容是{KINDS_ZH[other]}，不是 GIS 数据文件。请确认上传的文件。"
        )
    if suffix == ".csv":
        if b"\x00" in data[:4096]:
            raise UploadError(
                "文件名是“.csv”，但内容不是文本。请从 Excel 或 WPS 另存为 CSV 后上传。")
        return UploadCheck(safe, "csv", size)
    if suffix == ".xlsx":
        source = path if path is not None else bytes(data)
        members = _check_archive(source, zip_limits or ZipLimits(), suffix=suffix)
        return UploadCheck(safe, "xlsx", size, members)
    if suffix in (".zip", ".kmz"):
        source = path if path is not None else bytes(data)
        members = _check_archive(source, zip_limits or ZipLimits(), suffix=suffix)
        if suffix == ".kmz":
            _check_kmz_documents(source, members)
        return UploadCheck(safe, "zip" if suffix == ".zip" else "kmz", size, members)
    if suffix == ".gpkg":
        if other != "sqlite":
            raise UploadError("文件名是“.gpkg”，但内容不是 GeoPackage（SQLite）数据库。")
        return UploadCheck(safe, "gpkg", size)
    if suffix == ".kml":
        _check_kml(data)
        return UploadCheck(safe, "kml", size)
    _check_geojson(data)
    return UploadCheck(safe, "geojson", size)


def read_upload(
    check: UploadCheck,
    data: bytes | Path,
    *,
    layer: str | None = None,
    crs: CRSLike | None = None,
    fix: bool = False,
    zip_limits: ZipLimits | None = None,
) -> ReadResult:
    """Read a checked upload as polygons, exactly as ``mineplan import`` reads a file.

    Bytes are written under ``check.name`` in a private temporary folder that is
    removed afterwards; a file (from :func:`save_upload`) is read where it is. The
    returned frame is in memory.

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
    with _on_disk(check, data) as path:
        folder = str(path.parent)
        try:
            return read_gis_file(
                path, layer=layer, crs=crs, expect="polygon", fix=fix, zip_limits=zip_limits
            )
        except CRSError as exc:
            raise UploadError(
                "坐标系有问题：文件没有声明坐标系且无法从坐标数值判断，或声明的坐标系与数值不符"
                "（例如米制坐标标成了经纬度）。请在“导入选项”中填写正确的坐标系"
                f"（如 {STORE_CRS} 或 EPSG:4523）。",
                detail=_without_folder(str(exc), folder),
            ) from exc
        except CoordinateFileError as exc:
            raise UploadError(
                _READ_REFUSALS.get(exc.code, "文件无法作为 GIS 数据读取。"),
                detail=_without_folder(str(exc), folder), code=exc.code,
            ) from exc


#: What the page says when the reader refused a file for one of these reasons.
_READ_REFUSALS = {
    "no_polygon": "文件中没有面，只有点或未闭合的线，不能作为范围。请在 Google Earth 等软件中"
                  "用“添加多边形”绘制范围，或把线闭合（末点与首点相同），或把拐点整理成坐标表"
                  "（CSV/Excel，列名为 点号、X、Y 或 点号、经度、纬度）上传，拐点会连成一个面。",
    "several_layers": "文件中有多个含要素的图层，请在“源图层”中选择一个。",
    "unknown_layer": "文件中没有所填的图层，请在“源图层”中改选。",
}


def upload_layers(check: UploadCheck, data: bytes | Path) -> list[str]:
    """Names of the layers holding features in a checked GeoPackage, KML, KMZ or XLSX
    upload ([] for others), to choose one.

    A GeoPackage's layers are its real feature tables: views (stored queries, which
    may never finish) and attribute tables such as QGIS's ``layer_styles`` are left out.
    Empty KML folders and empty worksheets are no layers.
    """
    if check.kind not in ("gpkg", "kml", "kmz", "xlsx"):
        return []
    with _on_disk(check, data) as path:
        folder = str(path.parent)
        try:
            return readable_layers(path)
        except (CoordinateFileError, UnicodeDecodeError) as exc:
            raise UploadError(
                "文件无法作为 GIS 数据读取。", detail=_without_folder(str(exc), folder)
            ) from exc


def save_upload(stream: BinaryIO, name: str, folder: Path, *, max_mb: float,
                control: str = "") -> Path:
    """Copy an upload (a binary stream, e.g. Streamlit's ``UploadedFile``) to
    ``folder`` under :func:`safe_filename` of ``name``, 1 MiB at a time — never
    the whole file in memory again.

    Raises
    ------
    UploadError
        The stream passed ``max_mb`` (checked as it is copied; the part written is
        removed); the message names ``control``, the page's upload control.
    """
    path = folder / safe_filename(name)
    limit = max_mb * 2**20
    written = 0
    stream.seek(0)
    with path.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                break
            out.write(chunk)
    if written > limit:
        size = written
        with suppress(OSError, ValueError):  # the whole size, without reading the rest
            size = max(size, stream.seek(0, io.SEEK_END))
        path.unlink()
        raise UploadError(too_big_message(size, max_mb, control=control))
    return path


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- helpers


@contextmanager
def _on_disk(check: UploadCheck, data: bytes | Path) -> Iterator[Path]:
    """The upload as a file named ``check.name``: the file itself, or the bytes written
    to a private temporary folder (removed afterwards)."""
    if isinstance(data, Path):
        yield data
        return
    with tempfile.TemporaryDirectory(prefix="mineplan-upload-") as folder:
        path = Path(folder) / check.name
        path.write_bytes(data)
        yield path



def _without_folder(message: str, folder: str) -> str:
    return message.replace(f"{folder}/", "").replace(folder, "")


def _check_archive(data: bytes | Path, limits: ZipLimits, *, suffix: str) -> tuple[str, ...]:
    if isinstance(data, Path):
        with data.open("rb") as handle:
            head = handle.read(_HEAD)
    else:
        head = data[:_HEAD]
    if sniff(head) != "zip":
        what = "Excel 工作簿" if suffix == ".xlsx" else "zip 压缩包"
        raise UploadError(f"文件名是“{suffix}”，但内容不是 {what}。")
    try:
        names = check_zip(data, limits)
    except UnsafeArchiveError as exc:
        raise _archive_refusal(exc) from exc
    lower = [n.lower() for n in names]
    if suffix == ".zip" and not any(n.endswith(".shp") for n in lower):
        raise UploadError(
            "压缩包里没有 .shp 文件。请把 Shapefile 的 .shp、.shx、.dbf、.prj 一起压缩上传。",
            detail="、".join(names[:10]),
        )
    if suffix == ".kmz" and not any(n.endswith(".kml") for n in lower):
        raise UploadError("KMZ 压缩包里没有 .kml 文档。")
    if suffix == ".xlsx" and "xl/workbook.xml" not in lower:
        raise UploadError(
            "文件名是“.xlsx”，但内容不是 Excel 工作簿。请从 Excel 或 WPS 另存为 .xlsx 后上传。")
    return names


def _archive_refusal(exc: UnsafeArchiveError) -> UploadError:
    """The Chinese refusal of an archive :func:`~mineplan.io.archives.check_zip` refused."""
    limits = exc.limits
    if exc.reason == "unreadable":
        return UploadError("压缩包已损坏，无法打开。请重新压缩后上传。", detail=exc.detail)
    if exc.reason == "entries":
        return UploadError(
            f"压缩包内有 {exc.count} 个文件，超过允许的 {limits.max_entries} 个。"
            "请只打包需要导入的图层。"
        )
    if exc.reason == "names":
        return UploadError(
            "压缩包内有不安全的路径（空文件名、含“..”或绝对路径），已拒绝。"
            "请把文件放在压缩包根目录或普通子文件夹中重新压缩。",
            detail="、".join(exc.names[:5]),
        )
    if exc.reason == "size":
        return UploadError(
            f"压缩包解压后约 {exc.total_bytes / 2**20:.0f} MB，超过允许的 "
            f"{limits.max_total_bytes / 2**20:.0f} MB。"
        )
    return UploadError(
        f"压缩包的压缩比异常（超过 {limits.max_ratio:g} 倍），疑似“压缩炸弹”，已拒绝。",
        detail="、".join(exc.names[:5]),
    )


def _text_head(data: bytes | mmap.mmap, what: str) -> str:
    head = text_head(data[:_HEAD])  # a character cut by the head's end is not binary
    if head is None:
        raise UploadError(f"{what} 文件应为 UTF-8 文本，但内容不是文本。")
    return head.lstrip()


def _check_geojson(data: bytes | mmap.mmap) -> None:
    """A courtesy look at a GeoJSON upload, in bounded memory: UTF-8 throughout (checked
    in chunks), not cut short, and a top-level ``"type"`` (looked for in the first
    :data:`_SCAN_BYTES`) that is a feature collection or polygons. GDAL parses it
    for real afterwards; ``json.loads`` here took ~12× the file's size."""
    head = _text_head(data, "GeoJSON")
    if not head.startswith("{"):
        raise UploadError("文件内容不是 GeoJSON（应以“{”开头的 JSON 文本）。")
    line = _first_non_utf8_line(data)
    if line is not None:
        raise UploadError(
            "GeoJSON 文件格式错误，无法解析：文本不是 UTF-8 编码。请以 UTF-8 编码另存。",
            detail=f"第 {line} 行",
        )
    if not data[-256:].rstrip().endswith(b"}"):  # no copy of the whole
        raise UploadError(
            "GeoJSON 文件格式错误，无法解析：文件不完整（结尾缺少“}”），可能只上传了一部分。"
        )
    kind = _top_level_type(data[:_SCAN_BYTES])
    if kind is not None and kind not in _GEOJSON_TYPES:
        raise UploadError(
            "JSON 文件不是 GeoJSON 要素集（缺少 \"type\": \"FeatureCollection\"）。",
            detail=f"type = {kind[:60]!r}",
        )


def _first_non_utf8_line(data: bytes | mmap.mmap) -> int | None:
    """The line of the first byte that is not UTF-8, or None; decoded in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(data), _CHUNK):
        try:
            decoder.decode(data[start : start + _CHUNK], final=start + _CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            at = start + max(exc.start, 0)
            return sum(data[i : min(i + _CHUNK, at)].count(b"\n")
                       for i in range(0, at, _CHUNK)) + 1
    return None


def _top_level_type(data: bytes) -> str | None:
    """The value of the top-level ``"type"`` member of a JSON object, read from the
    tokens of ``data`` (strings and punctuation; numbers and literals fall between);
    ``""`` when that value is not a string, None when ``data`` shows none.

    Examples
    --------
    >>> _top_level_type(b'{"features": [{"type": "Feature"}], "type": "FeatureCollection"}')
    'FeatureCollection'
    >>> _top_level_type(b'{"type": 3}'), _top_level_type(b'{"name": "type"}')
    ('', None)
    """
    depth = 0
    previous = b""
    awaiting = False  # just read the top-level key "type" and its colon
    for match in _JSON_TOKEN.finditer(data):
        token = match.group()
        if awaiting:
            return token[1:-1].decode("utf-8", errors="replace") if token[:1] == b'"' else ""
        if token in (b"{", b"["):
            depth += 1
        elif token in (b"}", b"]"):
            depth -= 1
        elif depth == 1 and token == b":" and previous == b'"type"':
            awaiting = True
        previous = token
    return None


def _check_kmz_documents(data: bytes | Path, members: tuple[str, ...]) -> None:
    """The entity check of :func:`_check_kml` on every XML document inside a KMZ,
    streamed (the archive's real sizes were bounded by :func:`check_zip`)."""
    with zipfile.ZipFile(data if isinstance(data, Path) else io.BytesIO(data)) as archive:
        for name in members:
            if not name.lower().endswith((".kml", ".xml", ".dae")):
                continue
            tail = b""
            with archive.open(name) as stream:
                while chunk := stream.read(_CHUNK):
                    if _ENTITY.search(tail + chunk):
                        raise UploadError(
                            "KMZ 内的 KML 文档含有 XML 实体声明（DOCTYPE/ENTITY），"
                            "可能不安全，已拒绝。",
                            detail=name,
                        )
                    tail = chunk[-_ENTITY_OVERLAP:]


def _check_kml(data: bytes | mmap.mmap) -> None:
    head = _text_head(data, "KML")
    if not head.startswith("<"):
        raise UploadError("文件内容不是 KML（应为 XML 文本）。")
    if _ENTITY.search(data):  # the whole file: a declaration may come after any head
        raise UploadError("KML 文件含有 XML 实体声明（DOCTYPE/ENTITY），可能不安全，已拒绝。")
    if b"<kml" not in data[:65536].lower():
        raise UploadError("XML 文件中没有 <kml> 元素，不是 KML 文档。")
