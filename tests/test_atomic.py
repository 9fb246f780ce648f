"""Atomic outputs: all or nothing, with ordinary file permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mineplan.atomic import atomic_output, atomic_write_bytes


def test_a_new_file_gets_the_users_normal_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = atomic_write_bytes(tmp_path / "图.txt", b"data")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not the 0600 of a temporary file


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


def test_create_false_lets_the_writer_create_the_file(tmp_path: Path) -> None:
    with atomic_output(tmp_path / "x.gpkg", create=False) as tmp:
        assert not tmp.exists()
        tmp.write_bytes(b"gdal")
    assert (tmp_path / "x.gpkg").read_bytes() == b"gdal"
