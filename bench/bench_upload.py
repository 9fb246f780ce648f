"""Peak memory of the web server while it takes a large upload (issue 14 §5).

    .venv/bin/python bench/bench_upload.py FILE [--against DIR]

Serves the app (``streamlit run app.py``, on the bundled store), opens 导入图形 in
headless Chromium, uploads FILE (e.g. a ~200 MB GeoJSON of a provincial red line) and
waits for the page to show it read (or refused), then prints the streamlit process's
peak resident memory (``VmHWM``) before and after, and the seconds taken. Target: a
200 MB upload does not take the server past 1 GB. ``--against DIR`` also measures
another checkout's ``app.py`` (e.g. main before the change).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from mineplan.settings import DEFAULT_STORE, home

CHROMIUM = "/usr/bin/chromium"


def _server_pid(port: int) -> int:
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd:
                return int(proc.name)
    raise RuntimeError(f"no streamlit process on port {port}")


def _memory_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of ``pid``, MB."""
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def measure(app: Path, upload: Path, store: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(home()))
    from tests.browser import CHROMIUM_ARGS, serve_app

    with tempfile.TemporaryDirectory() as tmp, serve_app(
            {"MINEPLAN_STORE": str(store)}, log=Path(tmp) / "st.log", app=app) as url, \
            sync_playwright() as p:
        pid = _server_pid(int(url.rsplit(":", 1)[1]))
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, timeout=120_000)
        page.get_by_text("导入图形").first.click()
        page.get_by_text("请选择要导入的文件").wait_for(timeout=120_000)
        before = _memory_mb(pid)
        start = time.perf_counter()
        page.locator("input[type=file]").set_input_files(str(upload))
        page.locator('[data-testid="stAlertContentError"]').or_(
            page.get_by_text("已读取")).first.wait_for(timeout=900_000)
        seconds = time.perf_counter() - start
        page.wait_for_timeout(2000)
        after = _memory_mb(pid)
        browser.close()
    return {"RSS before (MB)": before[0], "peak before (MB)": before[1],
            "RSS after (MB)": after[0], "peak after (MB)": after[1], "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--store", type=Path, default=home() / DEFAULT_STORE)
    parser.add_argument("--against", type=Path, metavar="DIR")
    args = parser.parse_args(argv)
    apps = {"this checkout": home() / "app.py",
            **({str(args.against): args.against / "app.py"} if args.against else {})}
    size = args.file.stat().st_size / 2**20
    print(f"upload {args.file.name}: {size:.1f} MB")
    for label, app in apps.items():
        result = measure(app, args.file.resolve(), args.store.resolve())
        print(f"{label}: " + ", ".join(f"{k} {v:.1f}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
