"""mineplan web app (streamlit): browse the plans' zones, bring real geometry in.

Run with ``streamlit run app.py`` after ``mineplan build``. Thin on purpose:
this file only sets up the pages; each page in ``pages/`` lays out, and the
work is in ``mineplan`` (``views``, ``webmap``, ``uploads``, ``rasters``,
``importing``, ``store``). Caches are in ``pages/_shared.py``.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="mineplan 矿产资源规划", layout="wide")

# No icons: Streamlit's material icons load from fonts.gstatic.com, which an
# isolated government network cannot reach (the e2e test blocks the network).
PAGES = [
    st.Page("pages/browse.py", title="浏览地图", default=True),
    st.Page("pages/import_data.py", title="导入图形"),
    # 检查: pre-grant checks (mineplan.checks) — placeholder page until they land.
    st.Page("pages/checks.py", title="检查"),
]

st.navigation(PAGES).run()
