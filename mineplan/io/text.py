"""Bytes to text, and text to numbers, the way planners' files need it.

Owns the decoding of text files (a byte-order mark first, then UTF-8, then GBK /
GB18030 — the encodings Chinese desktop tools write), the tolerant decoding of a
file's first bytes for sniffing (a multi-byte character cut by the fixed-size head
is not a reason to call a file binary), line and field splitting that keeps line
numbers as an editor shows them, and the plain decimal numbers coordinate files use.

May import: ``errors``. Pure: nothing here reads a file.

Examples
--------
>>> decode_text("矿区".encode("gbk"), source="<data>")
('矿区', 'gbk')
>>> parse_number(" 4921000.125 "), parse_number("1e5"), parse_number("nan")
(4921000.125, None, None)
>>> split_fields("J1，1, 4921000 ,28512000")
['J1', '1', '4921000', '28512000']
>>> decode_head("{'名称': 1}".encode(), size=4)  # the head cuts 名 in two
"{'"
"""

from __future__ import annotations

import codecs
import math
import re
from pathlib import Path

from mineplan.errors import CoordinateFileError

__all__ = [
    "HEAD_BYTES",
    "NUMBER",
    "decode_head",
    "decode_text",
    "format_optional",
    "parse_number",
    "split_fields",
    "split_lines",
]

#: How many leading bytes a sniffer looks at.
HEAD_BYTES = 4096
#: A plain decimal number: optional sign, digits, optional fraction (no exponent).
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def decode_text(data: bytes, *, source: str | Path) -> tuple[str, str]:
    """The text of a coordinate file and the encoding it was read with.

    A BOM decides (``utf-8-sig``, ``utf-16``); otherwise strict UTF-8, then GBK,
    then GB18030. A leftover BOM character is removed from the text.

    Raises
    ------
    CoordinateFileError
        For empty data, bytes no candidate encoding reads (naming the line of the
        first bad byte), or control characters in the text (binary junk), naming
        ``source``.
    """
    if not data.strip():
        raise CoordinateFileError("the file is empty; export the coordinates again", path=source)
    text: str | None = None
    encoding = ""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gbk", "gb18030"]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        encoding = candidate
        break
    if text is None:
        bad = _first_undecodable(data, candidates[-1])
        line = data[:bad].count(b"\n") + 1
        raise CoordinateFileError(
            f"byte {bad} cannot be decoded as {' or '.join(candidates)}: this is not a "
            "text coordinate file (binary junk?); save it as GBK or UTF-8 text",
            path=source,
            line=line,
        )
    for number, line_text in enumerate(split_lines(text), start=1):
        junk = [c for c in line_text if (ord(c) < 32 and c not in "\t\x1a") or c == "\ufffd"]
        if junk:
            raise CoordinateFileError(
                f"control character {junk[0]!r} in the text: this is not a text coordinate "
                "file (binary junk?); save it as GBK or UTF-8 text",
                path=source,
                line=number,
            )
    return text.replace("\ufeff", ""), encoding


def _first_undecodable(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start
    return 0  # pragma: no cover


def decode_head(
    data: bytes, *, size: int = HEAD_BYTES, encodings: tuple[str, ...] = ("utf-8-sig",)
) -> str | None:
    """The first ``size`` bytes of ``data`` as text, or None when they are not text.

    Each encoding is tried in turn; a character cut off by the end of the head (a
    3-byte Chinese character straddling byte ``size``) is dropped, not taken as
    proof of binary data. ``utf-8-sig`` removes a UTF-8 byte-order mark.

    Examples
    --------
    >>> data = ("x" * 4095 + "矿").encode()  # byte 4096 falls inside 矿
    >>> decode_head(data) == "x" * 4095
    True
    >>> decode_head(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\xff") is None
    True
    """
    head = data[:size]
    final = len(data) <= size
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            return decoder.decode(head, final=final)
        except UnicodeDecodeError:
            continue
    return None


def split_lines(text: str) -> list[str]:
    """Lines split at LF (CRLF and LF alike; CR alone only in a text with no LF).

    Unlike :meth:`str.splitlines` this does not split at form feeds or Unicode line
    separators, so line numbers match what an editor shows.
    """
    if "\n" not in text:
        return text.split("\r")
    return [line.removesuffix("\r") for line in text.split("\n")]


def split_fields(line: str) -> list[str]:
    """Comma-separated fields (ASCII or full-width comma), each stripped."""
    return [part.strip() for part in line.replace("，", ",").split(",")]


def parse_number(text: str) -> float | None:
    """A plain decimal number (surrounding blanks allowed), or None if ``text`` is not one.

    Exponents, ``inf`` and ``nan`` are not numbers in a coordinate file.
    """
    text = text.strip()
    if not NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


_WHOLE = re.compile(r"[+-]?[0-9]{1,9}")


def parse_whole(text: str, *, signed: bool = False) -> int | None:
    """A whole number of at most 9 ASCII digits, or None if ``text`` is not one.

    ``str.isdigit`` accepts ², ① and other digits ``int`` refuses, and ``int`` refuses
    more than 4,300 digits: neither is a count, ring number or flag in a coordinate file.

    Examples
    --------
    >>> parse_whole(" 12 "), parse_whole("²"), parse_whole("①"), parse_whole("1" * 5000)
    (12, None, None, None)
    >>> parse_whole("-1"), parse_whole("-1", signed=True)
    (None, -1)
    """
    text = text.strip()
    if not _WHOLE.fullmatch(text) or (not signed and text[0] in "+-"):
        return None
    return int(text)


def format_optional(value: float | None) -> str:
    """``value`` in its shortest form (``:g``), or ``""`` for None (an empty field)."""
    return "" if value is None else f"{value:g}"
