"""The 检查 page's form, request titles and Markdown helpers (mineplan.web.checkrun,
mineplan.web.presentation) and the uploads' label (mineplan.web.uploading)."""

from __future__ import annotations

import pandas as pd

from mineplan.web.checkrun import CheckRequest, form_problems
from mineplan.web.presentation import error_markdown, literal_markdown, verdict_counts
from mineplan.web.uploading import accepted_types


def test_the_form_needs_a_mineral_and_scale_with_its_unit() -> None:
    assert form_problems(mineral="煤炭", scale=None, unit="") == []
    assert form_problems(mineral="煤炭", scale=30.0, unit="万吨/年") == []
    assert form_problems(mineral=" ", scale=30.0, unit="") == [
        "请填写矿种（如 金、煤炭）。", "规模与规模单位须同时填写（或都不填）。"]


def test_a_request_names_the_report_and_defaults_its_subject() -> None:
    request = CheckRequest.from_inputs({"right": "采矿权", "mineral": "金", "scale": 3,
                                        "unit": "万吨/年", "region": "", "name": ""})
    assert request.scale == 3.0 and request.region == ""
    assert request.title == "出让前审查：申请范围（采矿权，金）"
    assert request.subtitle == "申请范围 ｜ 采矿权 ｜ 金"


def test_markdown_is_shown_literally_and_problems_become_bullets() -> None:
    assert literal_markdown("a*b_[c]") == "a\\*b\\_\\[c\\]"
    assert error_markdown("2 处问题：\n  第 1 行：*\n  第 2 行：#") == (
        "2 处问题：\n- 第 1 行：\\*\n- 第 2 行：\\#")


def test_verdict_counts_are_worst_first_with_zeros() -> None:
    findings = pd.DataFrame({"verdict_key": ["pass", "fail", "pass"]})
    assert verdict_counts(findings) == {"fail": 1, "conditional": 0, "pass": 2}
    assert verdict_counts(findings.iloc[:0]) == {"fail": 0, "conditional": 0, "pass": 0}


def test_the_upload_label_lists_coordinate_and_gis_endings_once() -> None:
    endings = accepted_types().split("、")
    assert "txt" in endings and "zip" in endings and len(endings) == len(set(endings))


def test_the_plot_name_comes_from_the_file_unless_it_is_the_default() -> None:
    import geopandas as gpd
    from shapely.geometry import box

    from mineplan.web.checkrun import DEFAULT_SUBJECT, file_plot_name

    named = gpd.GeoDataFrame({"name": ["甲矿区", "甲矿区"]}, geometry=[box(0, 0, 1, 1)] * 2)
    assert file_plot_name(named) == "甲矿区"
    unnamed = gpd.GeoDataFrame({"name": [DEFAULT_SUBJECT]}, geometry=[box(0, 0, 1, 1)])
    assert file_plot_name(unnamed) == ""
    assert file_plot_name(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)])) == ""
