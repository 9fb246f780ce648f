"""Where mineplan reads its data and writes by default: checkout, bureau folder, wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from mineplan import settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("MINEPLAN_HOME", "MINEPLAN_STORE", "MINEPLAN_RASTERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def test_a_checkout_reads_and_writes_under_itself() -> None:
    assert settings.home() == ROOT == settings.shipped_data_dir()
    assert settings.store_location() == ROOT / "geodata" / "mineplan.gpkg"
    assert settings.qml_dir() == ROOT / "styles" / "qml"
    assert settings.raster_dir() == ROOT / "geodata" / "rasters"
    for folder in settings.DATA_FOLDERS:
        assert (settings.home() / folder).is_dir(), folder


def test_a_bureau_folder_replaces_the_home(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("MINEPLAN_HOME", str(tmp_path / "bureau"))
    assert settings.home() == tmp_path / "bureau"
    assert settings.layers_dir() == tmp_path / "bureau" / "layers"
    assert settings.geodata_dir() == tmp_path / "bureau" / "geodata"
    assert settings.store_location() == tmp_path / "bureau" / "geodata" / "mineplan.gpkg"
    assert settings.qml_dir() == tmp_path / "bureau" / "styles" / "qml"
    monkeypatch.setenv("MINEPLAN_STORE", str(tmp_path / "s.gpkg"))
    assert settings.store_location() == tmp_path / "s.gpkg"


def test_an_installed_wheel_reads_its_own_copy_and_writes_in_the_user_folder(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(settings, "_checkout", lambda: None)  # as from site-packages
    package = Path(settings.__file__).resolve().parent
    assert settings.home() == package / "data" == settings.shipped_data_dir()
    user = tmp_path / "xdg" / "mineplan"
    assert settings.user_data_dir() == user
    assert settings.store_location() == user / "mineplan.gpkg"
    assert settings.raster_dir() == user / "rasters"
    assert settings.qml_dir() == user / "qml"
    monkeypatch.setenv("MINEPLAN_HOME", str(tmp_path / "bureau"))
    assert settings.home() == tmp_path / "bureau"
    assert settings.store_location() == tmp_path / "bureau" / "geodata" / "mineplan.gpkg"
