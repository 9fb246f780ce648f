"""The streamlit app: AppTest for the page, and Chromium end to end with no network."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mineplan.cli import main as cli_main
from mineplan.paths import home

APP = home() / "app.py"
ARTIFACTS = home() / "test-artifacts"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of two plans (fast to build)."""
    path = tmp_path_factory.mktemp("store") / "small.gpkg"
    assert cli_main(["build", "-q", "-o", str(path), "--plans", "yining,tekes"]) == 0
    return path


@pytest.fixture()
def app_env(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MINEPLAN_STORE", str(small_store))
    return small_store


def _app():  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=120)


@pytest.mark.slow
def test_app_shows_map_warning_and_zone_table(app_env: Path) -> None:
    at = _app().run()
    assert not at.exception, at.exception
    assert "示意" in at.warning[0].value  # schematic geometry is announced on the page
    table = at.dataframe[0].value
    assert set(table["规划"]) == {"伊宁市", "特克斯县"}
    assert "规划面积（km²）" in table.columns


@pytest.mark.slow
def test_region_filter_narrows_the_table(app_env: Path) -> None:
    at = _app().run()
    before = len(at.dataframe[0].value)
    at.multiselect[0].set_value(["伊宁市"]).run()
    assert not at.exception, at.exception
    after = at.dataframe[0].value
    assert set(after["规划"]) == {"伊宁市"}
    assert 0 < len(after) < before


def test_missing_store_is_reported_in_plain_words(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINEPLAN_STORE", str(tmp_path / "none.gpkg"))
    at = _app().run()
    assert not at.exception
    assert "mineplan build" in at.error[0].value


# --------------------------------------------------------------------------- browser

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served_app(small_store: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "MINEPLAN_STORE": str(small_store)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (scripts/setup.sh --test installs it)")
        pytest.skip("chromium is not installed")
    return path


@pytest.mark.browser
@pytest.mark.slow
def test_app_renders_zones_offline_in_chromium(served_app: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    outside: list[str] = []

    def only_loopback(route, request) -> None:  # type: ignore[no-untyped-def]
        url = request.url
        if url.startswith(("http://127.0.0.1", "data:", "about:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.route("**/*", only_loopback)
        page.goto(served_app, wait_until="networkidle", timeout=90_000)
        frame = page.frame_locator("iframe").first
        paths = frame.locator("path.leaflet-interactive")
        paths.first.wait_for(timeout=60_000)
        assert paths.count() > 20  # zones, demo red lines and boundaries are drawn
        assert "示意" in frame.locator("body").inner_text()
        # A zone's popup shows its attributes in Chinese.
        target = frame.locator("path.leaflet-interactive").nth(paths.count() - 1)
        target.click(force=True)
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        assert "名称" in popup.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app.png"))
        browser.close()
    assert not outside, f"the page tried to reach the network: {outside[:5]}"
