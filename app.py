"""mineplan web app (streamlit): browse the plans' zones, bring real geometry in.

Run with ``streamlit run app.py`` after ``mineplan build``. Thin on purpose:
this file only sets up the pages (not in a ``pages/`` folder: Streamlit would also
serve those on its own, outside this navigation); each page in ``app_pages/`` lays out, and the
work is in ``mineplan.web`` (``browsing``, ``importview``, ``presentation``, ``checkrun``,
``report``, ``webmap``, ``drawmap``, ``uploading`` …) and below it. Caches are in
``app_pages/_shared.py``.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="mineplan 矿产资源规划", layout="wide")

# No icons: Streamlit's material icons load from fonts.gstatic.com, which an
# isolated government network cannot reach (the e2e test blocks the network).
PAGES = [
    st.Page("app_pages/browse.py", title="浏览地图", default=True),
    st.Page("app_pages/import_data.py", title="导入图形"),
    # 检查: the pre-grant check of a proposed right (mineplan.checks).
    st.Page("app_pages/checks.py", title="检查"),
]

st.navigation(PAGES).run()
