"""How the checks read the store: listed once, each layer read once and only when used."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

import mineplan.store
from mineplan.checks.context import StoreFrames, read_store_frames
from mineplan.errors import StoreError


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.gpkg"
    for code, x in (("STHX", 80), ("TKGH", 81), ("XZQ", 82)):
        frame = gpd.GeoDataFrame({"name": [code]}, geometry=[box(x, 40, x + 1, 41)],
                                 crs="EPSG:4490")
        pyogrio.write_dataframe(frame, path, layer=code, driver="GPKG")
    return path


def test_layers_are_listed_once_and_read_when_first_used(
        store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listed: list[object] = []
    read: list[str] = []
    real_list, real_read = mineplan.store.list_layers, pyogrio.read_dataframe
    monkeypatch.setattr(mineplan.store, "list_layers",
                        lambda path: listed.append(path) or real_list(path))
    monkeypatch.setattr(pyogrio, "read_dataframe",
                        lambda path, layer, **kw: read.append(layer) or real_read(path, layer=layer,
                                                                                  **kw))
    frames = StoreFrames(store)
    assert list(frames) == ["STHX", "TKGH", "XZQ"] and len(frames) == 3
    assert "STHX" in frames and "YJJBNT" not in frames and frames.get("YJJBNT") is None
    assert read == [] and frames.read == []
    assert frames["TKGH"]["name"].tolist() == ["TKGH"]
    assert frames["TKGH"] is frames["TKGH"]
    assert read == ["TKGH"] and frames.read == ["TKGH"]
    assert len(listed) == 1
    with pytest.raises(KeyError):
        frames["YJJBNT"]


def test_codes_limit_the_layers_and_eager_reading_gives_the_same_frames(store: Path) -> None:
    frames = StoreFrames(store, codes=["XZQ", "STHX", "CKGH"])
    assert list(frames) == ["XZQ", "STHX"]
    eager = read_store_frames(store)
    assert list(eager) == ["STHX", "TKGH", "XZQ"]
    for code, frame in eager.items():
        pd.testing.assert_frame_equal(frame, mineplan.store.read_layer(store, code))


def test_missing_store_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="mineplan build"):
        StoreFrames(tmp_path / "none.gpkg")
