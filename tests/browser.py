"""What the browser tests share: the app on a loopback port, Chromium, a network block.

Chromium is Debian's (``scripts/setup.sh --test`` installs it); Playwright never
downloads a browser. A missing Playwright or Chromium is a failure, never a skip:
deselect the browser tests with ``-m "not browser"`` instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

APP = Path(__file__).resolve().parents[1] / "app.py"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

_LOCAL = ("http://127.0.0.1", "data:", "about:", "blob:", "file:")


def chromium_path() -> str:
    """Debian's Chromium; a test that needs it fails when it is missing."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"Chromium is not installed (no executable {path}): run scripts/setup.sh --test, "
            "or deselect the browser tests with -m 'not browser'"
        )
    return path


def playwright_api() -> Any:
    """``playwright.sync_api``; a test that needs it fails when it is missing."""
    try:
        import playwright.sync_api
    except ImportError as e:
        pytest.fail(
            f"Playwright is not installed ({e}): pip install -e '.[test]', "
            "or deselect the browser tests with -m 'not browser'"
        )
    return playwright.sync_api


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_app(env: Mapping[str, str], *, log: Path, timeout_s: float = 60.0,
              app: Path = APP) -> Iterator[str]:
    """Run ``streamlit run app.py`` (this checkout's, or ``app``) on a free loopback port;
    yields its URL.

    The server's output goes to ``log`` (a pipe nobody reads would fill up and stall
    the server); its tail is shown when the server does not come up.
    """
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                    pytest.fail(f"streamlit did not start within {timeout_s:g} s:\n{tail}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def block_network(page: Any, outside: list[str]) -> None:
    """Abort every request that leaves the machine, recording its URL in ``outside``."""
    def only_local(route: Any, request: Any) -> None:
        if request.url.startswith(_LOCAL):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    page.route("**/*", only_local)


def open_offline_page(p: Any, url: str, outside: list[str]) -> tuple[Any, Any]:
    """Debian's Chromium on ``url`` (1400 × 1000), every request off the machine blocked
    and recorded in ``outside``, once the network is idle: (browser, page)."""
    browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    block_network(page, outside)
    page.goto(url, wait_until="networkidle", timeout=90_000)
    return browser, page
