"""检查: pre-grant checks (报批前检查) of a plot against the plan.

==========================================================================
PLACEHOLDER — the checks themselves are being written in ``mineplan.checks``
(rules in ``geodata/rules/``). When they land, this page will: take a plot
(upload through ``mineplan.uploads``, or a zone picked on the browse page),
run the checks, and show their findings (rule, severity, measured value,
message) as a table and on a map. Keep the logic in ``mineplan.checks``;
this page only lays out.
==========================================================================
"""

from __future__ import annotations

import streamlit as st

st.title("检查（报批前检查）")
st.info("此页面预留给报批前检查（mineplan.checks），功能开发中。"
        "届时可上传拟设矿权范围，对照规划分区与三区三线逐条检查并列出结果。")
