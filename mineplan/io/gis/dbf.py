"""The text encoding of a Shapefile's attributes (``.dbf``): stated, or told from the bytes.

A ``.cpg`` sidecar states it; without one, Chinese desktop GIS usually wrote GBK and
newer tools UTF-8. :func:`detect_dbf_encoding` decides from the bytes (strict UTF-8
that reads as Chinese, else GB18030, a superset of GBK) and says why.

May import: nothing from mineplan. Reads only the files it is pointed at.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["detect_dbf_encoding", "guess_dbf", "shapefile_encoding", "sidecar"]

# .dbf language driver ids that say "code page 936 (GBK)".
_GBK_LANGUAGE_DRIVERS = {0x4D, 0x7A}


def detect_dbf_encoding(data: bytes) -> tuple[str, str]:
    """Guess the text encoding of a ``.dbf`` file from its bytes.

    Parameters
    ----------
    data
        The whole ``.dbf`` file.

    Returns
    -------
    (encoding, reason)
        ``"UTF-8"`` when the field names and records decode as strict UTF-8 (plain
        ASCII included), else ``"GB18030"`` (a superset of GBK); `reason` says why,
        naming the language driver id when it is a GBK one (0x4D, 0x7A).

    Examples
    --------
    >>> detect_dbf_encoding(bytes(32) + "矿区".encode("gbk"))[0]
    'GB18030'
    """
    ldid = data[29] if len(data) > 29 else 0
    hint = (
        f"; its language driver id 0x{ldid:02X} says GBK" if ldid in _GBK_LANGUAGE_DRIVERS else ""
    )
    body = data[32:]
    try:
        as_utf8 = body.decode("utf-8")
    except UnicodeDecodeError:
        return "GB18030", f"the .dbf text is not valid UTF-8{hint}"
    if as_utf8.isascii():
        return "UTF-8", f"the .dbf text is plain ASCII{hint}"
    # Short GBK text can happen to be valid UTF-8 ("砂石" is): it then decodes to
    # Latin/IPA letters, not Chinese. Prefer whichever reading gives Chinese.
    as_gbk = body.decode("gb18030", errors="replace")
    if _cjk_share(as_gbk) > _cjk_share(as_utf8) or (
        ldid in _GBK_LANGUAGE_DRIVERS and _cjk_share(as_gbk) == _cjk_share(as_utf8)
    ):
        return "GB18030", f"the .dbf text reads as Chinese only in GB18030{hint}"
    return "UTF-8", f"the .dbf text is valid UTF-8{hint}"


def _cjk_share(text: str) -> float:
    """Share of the non-ASCII characters of `text` that are CJK ideographs or punctuation."""
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return 0.0
    cjk = sum(1 for c in wide if "\u3000" <= c <= "\u9fff" or "\uf900" <= c <= "\uffef")
    return cjk / len(wide)


def shapefile_encoding(path: Path, encoding: str | None, warnings: list[str]) -> str | None:
    """The encoding to read a ``.shp``'s attributes with: as given, None when a ``.cpg``
    states it (GDAL reads it), else guessed from the ``.dbf`` (with a warning)."""
    if encoding is not None:
        return encoding
    if sidecar(path, ".cpg") is not None:
        return None
    dbf = sidecar(path, ".dbf")
    if dbf is None:
        return None
    return guess_dbf(dbf.read_bytes(), warnings)


def guess_dbf(data: bytes, warnings: list[str]) -> str:
    """:func:`detect_dbf_encoding`'s guess, the reason appended to ``warnings``."""
    guess, reason = detect_dbf_encoding(data)
    warnings.append(f"no .cpg file: read attribute text as {guess} ({reason})")
    return guess


def sidecar(path: Path, suffix: str) -> Path | None:
    """The file beside ``path`` with ``suffix`` (either case), if there is one."""
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None
