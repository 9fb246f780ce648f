"""How the pages read an uploaded file: a coordinate TXT or any GIS file, guarded.

Both the 检查 page (a proposal) and the 导入 page (zones or a control layer) accept a
coordinate TXT (报盘 or 登记 layout, :mod:`mineplan.io.proposals`) or a GIS file
(zipped Shapefile, GeoPackage, GeoJSON, KML/KMZ, :mod:`mineplan.io.uploads`), each
refused in Chinese when hostile or unreadable. The pages cache these calls and lay
out; the reading is here.

May import :mod:`mineplan.io` and :mod:`mineplan.web.messages`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from mineplan.io.gis import ReadResult
from mineplan.io.proposals import (
    COORDINATE_SUFFIXES,
    ParsedProposal,
    is_coordinate_upload,
    read_coordinate_upload,
)
from mineplan.io.uploads import (
    ACCEPTED_SUFFIXES,
    UploadError,
    check_upload,
    file_sha256,
    read_upload,
    save_upload,
    too_big_message,
    upload_layers,
)
from mineplan.web.messages import made_notes, readable_notes

__all__ = [
    "accepted_types",
    "file_sha256",
    "read_features_upload",
    "read_proposal_upload",
    "saved_upload",
    "upload_layer_names",
]


@contextmanager
def saved_upload(upload: BinaryIO, name: str, *, max_mb: float,
                 control: str = "") -> Iterator[Path]:
    """The upload streamed to a private temporary file (removed afterwards), 1 MiB at
    a time: a 200 MB upload is not copied whole in memory again.

    Raises
    ------
    mineplan.io.uploads.UploadError
        Larger than ``max_mb`` (the message names ``control``, the upload control).
    """
    with tempfile.TemporaryDirectory(prefix="mineplan-upload-") as folder:
        yield save_upload(upload, name, Path(folder), max_mb=max_mb, control=control)


def _coordinate_bytes(data: bytes | Path, *, max_mb: float) -> bytes:
    """A coordinate TXT's bytes (read from the file after its size is checked)."""
    if isinstance(data, bytes):
        return data
    size = data.stat().st_size
    if size > max_mb * 2**20:
        raise UploadError(too_big_message(size, max_mb))
    return data.read_bytes()


def accepted_types() -> str:
    """The file endings both pages take, for the uploader's label (``txt、zip、gpkg…``)."""
    return "、".join(dict.fromkeys(s.lstrip(".") for s in
                                   (*COORDINATE_SUFFIXES, *ACCEPTED_SUFFIXES)))


def upload_layer_names(name: str, data: bytes | Path, *, max_mb: float) -> list[str]:
    """The layers of an uploaded GIS file (empty for a coordinate TXT), to choose one."""
    if is_coordinate_upload(name):
        return []
    return upload_layers(check_upload(name, data, max_mb=max_mb), data)


def read_proposal_upload(name: str, data: bytes | Path, *, layer: str | None,
                         crs: str | None, max_mb: float, zone: int | None = None
                         ) -> ParsedProposal:
    """An uploaded proposal: a coordinate TXT, or the polygons of a GIS file.

    ``zone`` is the page's 带号: the Gauss-Kruger zone of a coordinate table whose
    eastings carry no zone prefix (ignored for files that state their own).

    Raises
    ------
    mineplan.io.uploads.UploadError
        The file is refused (Chinese reason, technical detail apart).
    mineplan.errors.MineplanError
        The coordinates cannot be read (every problem listed, in Chinese).
    """
    if is_coordinate_upload(name):
        return read_coordinate_upload(name, _coordinate_bytes(data, max_mb=max_mb),
                                      max_mb=max_mb, zone=zone)
    check = check_upload(name, data, max_mb=max_mb)
    result = read_upload(check, data, layer=layer or None, crs=crs or None)
    return ParsedProposal(result.frame, f"{result.source_format}，{len(result.frame)} 个面",
                          notes=made_notes(result.made),
                          warnings=[f"文件提示：{w}" for w in readable_notes(result.warnings)[0]])


def read_features_upload(name: str, data: bytes | Path, *, layer: str | None,
                         crs: str | None, fix: bool, max_mb: float, zone: int | None = None
                         ) -> ReadResult:
    """Uploaded features to import: a coordinate TXT (the same guarded reader as the
    检查 page) or a GIS file, invalid geometries repaired when ``fix``; ``zone`` the
    page's 带号 for eastings without the zone prefix.

    Raises
    ------
    mineplan.io.uploads.UploadError
        The file is refused.
    """
    if is_coordinate_upload(name):
        parsed = read_coordinate_upload(name, _coordinate_bytes(data, max_mb=max_mb),
                                        max_mb=max_mb, zone=zone)
        return ReadResult(frame=parsed.frame, source_format=parsed.source, layer=None,
                          crs_source="file", warnings=list(parsed.warnings))
    check = check_upload(name, data, max_mb=max_mb)
    result = read_upload(check, data, layer=layer or None, crs=crs or None, fix=fix)
    # said first, in Chinese: the page shows the notes a planner can read
    result.warnings[:0] = made_notes(result.made)
    return result
