"""The one file sniffer: what a file is, told from its first bytes, not its name.

:func:`sniff` names the binary formats people hand over by mistake or in disguise
(images, PDF, office documents, executables, other archives, SQLite, zip) and HTML
pages; :data:`KINDS_EN` / :data:`KINDS_ZH` say each kind in English (GIS reader) and
Chinese (upload page). :func:`coordinate_layout` tells the two coordinate TXT
layouts apart from their text; :func:`text_head` reads the head of a text file
tolerantly of a multi-byte character cut at the end.

May import: :mod:`mineplan.io.text`. Pure: looks at bytes it is given.

Examples
--------
>>> sniff(b"\\x89PNG\\r\\n\\x1a\\n"), sniff(b"  <!DOCTYPE html>"), sniff("[属性描述]".encode())
('png', 'html', None)
>>> KINDS_ZH["pdf"]
'PDF 文档'
>>> coordinate_layout("[登记项目]\\nXY001=1,2,3"), coordinate_layout("[地块坐标]")
('registration', 'boundary')
"""

from __future__ import annotations

import re
from typing import Literal

from mineplan.io.text import HEAD_BYTES, decode_head

__all__ = [
    "HTML",
    "KINDS_EN",
    "KINDS_ZH",
    "MAGIC",
    "Layout",
    "coordinate_head",
    "coordinate_layout",
    "sniff",
    "text_head",
]

Layout = Literal["boundary", "registration"]

#: Leading bytes → kind. Order matters only where one magic starts another (none do).
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty archive
    (b"SQLite format 3\x00", "sqlite"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"%PDF", "pdf"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\xd0\xcf\x11\xe0", "ole"),
    (b"MZ", "exe"),
    (b"\x7fELF", "elf"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x1f\x8b", "gzip"),
)
#: An HTML page, judged from its first kilobyte (leading blanks allowed).
HTML = re.compile(rb"^\s*(<!doctype\s+html|<html|<script|<head|<body)", re.IGNORECASE)

#: Kind → how the GIS reader names it (English, with its article).
KINDS_EN: dict[str, str] = {
    "zip": "a zip archive",
    "sqlite": "an SQLite database",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "pdf": "a PDF document",
    "tiff": "a TIFF raster",
    "ole": "an old Microsoft Office document",
    "exe": "a Windows program",
    "elf": "a Linux program",
    "rar": "a RAR archive",
    "7z": "a 7z archive",
    "gzip": "a gzip archive",
    "html": "an HTML page",
}
#: Kind → how the upload pages name it (Chinese, with what to do where it helps).
KINDS_ZH: dict[str, str] = {
    "zip": "zip 压缩包",
    "sqlite": "SQLite 数据库",
    "png": "PNG 图片",
    "jpeg": "JPEG 图片",
    "gif": "GIF 图片",
    "pdf": "PDF 文档",
    "tiff": "TIFF 栅格（请在“底图”处加载栅格）",
    "ole": "旧版 Office 文档（doc/xls）",
    "exe": "Windows 可执行程序",
    "elf": "Linux 可执行程序",
    "rar": "RAR 压缩包（请改用 zip）",
    "7z": "7z 压缩包（请改用 zip）",
    "gzip": "gzip 压缩包（请改用 zip）",
    "html": "网页（HTML）",
}


def sniff(data: bytes) -> str | None:
    """The kind of file ``data`` starts like (a key of :data:`KINDS_EN`), or None.

    None means "none of the known non-GIS formats": text, a shapefile part, … .
    """
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if HTML.match(data[:1024]):
        return "html"
    return None


def text_head(data: bytes, *, size: int = HEAD_BYTES) -> str | None:
    """The first ``size`` bytes as UTF-8 text (a BOM dropped), or None when not UTF-8.

    A character cut in two by the end of the head is dropped, not taken for binary.
    """
    return decode_head(data, size=size, encodings=("utf-8-sig",))


def coordinate_layout(text: str) -> Layout | None:
    """``"registration"`` (``[登记项目]`` / ``XY001=``), ``"boundary"`` (``[地块坐标]``,
    ``[属性描述]`` or a plot header's ``@``) or None, judged from (the head of) a text."""
    if "[登记项目]" in text or "XY001=" in text.replace(" ", ""):
        return "registration"
    if "[地块坐标]" in text or "[属性描述]" in text or "@" in text:
        return "boundary"
    return None


def coordinate_head(data: bytes, *, size: int = HEAD_BYTES) -> str:
    """The head of a coordinate file as text: UTF-8 (BOM dropped), else GB18030.

    Bytes neither reads are decoded as GB18030 with replacement characters, so a
    layout can still be judged from the ASCII parts.
    """
    text = decode_head(data, size=size, encodings=("utf-8-sig", "gb18030"))
    return text if text is not None else data[:size].decode("gb18030", errors="replace")
