"""A missing browser fails the browser tests; it never skips them."""

from __future__ import annotations

import builtins
from typing import Any

import pytest

from tests import browser


def test_a_missing_chromium_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setattr(browser.os, "access", lambda path, mode: False)
    with pytest.raises(pytest.fail.Exception, match="Chromium is not installed"):
        browser.chromium_path()


def test_a_missing_playwright_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_playwright(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("playwright"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_playwright)
    with pytest.raises(pytest.fail.Exception, match="Playwright is not installed"):
        browser.playwright_api()
