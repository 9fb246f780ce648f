"""Tests for mineplan.catalog: reading and validating plan catalogue CSVs.

Every catalogue file here is hand-written in ``tmp_path``; the shipped
catalogue is checked against the plan texts by ``tests/test_catalog_seeds.py``.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
import pytest

from mineplan.catalog import (
    AREA_UNIT_FACTORS,
    CATALOG_COLUMNS,
    parse_area_text,
    plan_index,
    read_catalog,
    read_plan_catalog,
)
from mineplan.errors import CatalogError, MineplanError

LAYERS = ["CKGH", "TKGH", "KYJJQ"]


def row(**values: str) -> dict[str, str]:
    """A valid catalogue row; keyword arguments override its cells."""
    base = {c: "" for c in CATALOG_COLUMNS}
    base.update(
        zone_id="demo-CKGH-001", plan="某县矿产资源总体规划（2021-2025年）", region="某县",
        layer="CKGH", table="专栏11", table_title="开采规划区块表", seq="1",
        name="甲金矿开采规划区块", name_text="甲金矿开采规划区块", mineral="金矿",
        block_count="1", area_km2="1.25", area_text="125", area_unit="ha",
        admin_area="某乡", county="某县", extra="{}", source_file="000_x.txt",
        source_line="120",
    )
    base.update(values)
    return base


def write_csv(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CATALOG_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding=encoding)
    return path


def csv_line(**values: str) -> str:
    """One catalogue row as CSV text (for splicing raw, possibly broken, lines)."""
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=list(CATALOG_COLUMNS), lineterminator="\n").writerow(
        row(**values)
    )
    return buffer.getvalue()


def raised(path: Path, **kwargs: object) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        read_plan_catalog(path, **kwargs)  # type: ignore[arg-type]
    return info.value


# --------------------------------------------------------------------------- good file


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "demo.csv", [
        row(),
        row(zone_id="demo-TKGH-001", layer="TKGH", name="乙铜矿勘查区", name_text="乙铜矿勘查区",
            area_km2="552.45", area_text="552.45km ²", area_unit="km2", source_line="88"),
        row(zone_id="demo-KYJJQ-001", layer="KYJJQ", name="某矿业经济区", name_text="",
            quality="面积缺失；名称为整理所拟", area_km2="", area_text="", area_unit="",
            block_count="", extra='{"发展方向": "常规能源"}', source_line="7"),
        row(zone_id="demo-CKGH-002", name="丙砂石区", name_text="丙砂石区", block_count="3",
            area_km2="2", area_text="3000亩", area_unit="mu", county="某县、邻县",
            source_line="121"),
    ])


def test_good_file_reads_with_the_right_dtypes(good: Path):
    frame = read_plan_catalog(good, layer_codes=LAYERS)
    assert list(frame.columns) == list(CATALOG_COLUMNS)
    assert len(frame) == 4
    assert frame["area_km2"].dtype == "float64"
    assert frame["block_count"].dtype == "int64"
    assert frame["source_line"].dtype == "int64"
    assert frame["area_km2"].iloc[0] == 1.25
    assert frame["area_km2"].iloc[1] == 552.45
    assert math.isnan(frame["area_km2"].iloc[2])
    assert list(frame["block_count"]) == [1, 1, 1, 3]  # empty block_count means one block
    assert list(frame["source_line"]) == [120, 88, 7, 121]
    for column in set(CATALOG_COLUMNS) - {"area_km2", "block_count", "source_line"}:
        assert pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object
        assert all(isinstance(v, str) for v in frame[column]), column
    assert frame["name_text"].iloc[2] == ""
    assert frame["county"].iloc[3] == "某县、邻县"
    assert frame["extra"].iloc[2] == '{"发展方向": "常规能源"}'


def test_utf8_bom_is_accepted(good: Path):
    good.write_bytes(b"\xef\xbb\xbf" + good.read_bytes())
    assert read_plan_catalog(good)["zone_id"].iloc[0] == "demo-CKGH-001"


def test_without_layer_codes_any_layer_is_accepted(tmp_path: Path):
    path = write_csv(tmp_path / "x.csv", [row(zone_id="demo-QQQ-001", layer="QQQ")])
    assert list(read_plan_catalog(path)["layer"]) == ["QQQ"]
    assert "'QQQ'" in str(raised(path, layer_codes=LAYERS))


# --------------------------------------------------------------------------- bad files


def test_every_problem_of_a_bad_file_is_listed_with_its_line(tmp_path: Path):
    path = tmp_path / "bad.csv"
    good_line = csv_line(zone_id="demo-CKGH-001")
    too_many = csv_line(zone_id="demo-CKGH-005").replace("某乡", "某乡,二道沟")  # unquoted comma
    assert too_many.count(",") == good_line.count(",") + 1
    path.write_text(
        ",".join(CATALOG_COLUMNS) + "\n"
        + good_line                                                       # line 2
        + csv_line(zone_id="demo-ckgh-2")                                 # line 3
        + csv_line(zone_id="demo-CKGH-003", area_km2="1.5")               # line 4: 125 ha = 1.25
        + csv_line(zone_id="demo-CKGH-004", source_line="12a")            # line 5
        + csv_line(zone_id="demo-XYZ-001", layer="XYZ")                   # line 6
        + too_many,                                                       # line 7
        encoding="utf-8",
    )
    err = raised(path, layer_codes=LAYERS)
    message = str(err)
    assert str(path) in message
    assert "line 3: zone_id 'demo-ckgh-2'" in message
    assert "line 4: area_km2 1.5 does not match area_text '125' in ha" in message
    assert "line 5: source_line must be a whole number, got '12a'" in message
    assert "line 6: layer 'XYZ' is not one of" in message
    assert "line 7" in message and "unquoted comma" in message
    assert "line 2" not in message


def test_problems_of_valid_shape_are_all_listed(tmp_path: Path):
    path = write_csv(tmp_path / "bad.csv", [
        row(),
        row(zone_id="demo-ckgh-2"),
        row(zone_id="demo-CKGH-003", area_km2="1.5"),
        row(zone_id="demo-CKGH-004", source_line="12a", block_count="0"),
        row(zone_id="demo-XYZ-001", layer="XYZ"),
        row(zone_id="demo-TKGH-001"),                                      # layer CKGH
        row(zone_id="demo-CKGH-001", name="另一名", name_text="另一名"),  # repeats line 2
        row(zone_id="demo-CKGH-006", name_text="别名"),
        row(zone_id="demo-CKGH-007", extra="[1, 2]", area_km2="x"),
        row(zone_id="demo-CKGH-008", name_text="", name="拟名"),
        row(zone_id="demo-CKGH-009", area_unit="acre"),
        row(zone_id="demo-CKGH-010", area_text="", area_km2="-1"),
    ])
    err = raised(path, layer_codes=LAYERS)
    message = str(err)
    expected = [
        "line 3: zone_id 'demo-ckgh-2' is not <slug>-<LAYER>-<NNN>",
        "line 4: area_km2 1.5 does not match area_text '125' in ha",
        "line 5: source_line must be a whole number, got '12a'",
        "line 5: block_count must be ≥ 1, got 0",
        "line 6: layer 'XYZ' is not one of ['CKGH', 'KYJJQ', 'TKGH']",
        "line 7: zone_id 'demo-TKGH-001' does not carry layer 'CKGH'",
        "line 8: zone_id 'demo-CKGH-001' repeats line 2",
        "line 9: name '甲金矿开采规划区块' differs from name_text '别名'",
        "line 10: extra is not a JSON object",
        "line 10: area_km2 must be a number or empty, got 'x'",
        "line 11: name_text is empty but quality does not say 名称为整理所拟",
        "line 12: area_unit 'acre' is not one of",
        "line 13: area_km2 must be positive, got -1.0",
        "line 13: area_km2 is given but area_text (the area as printed) is empty",
    ]
    missing = [e for e in expected if e not in message]
    assert not missing, message
    assert message.count("\n  ") == len(expected)
    assert f"{len(expected)} problems:" in message
    assert "line 2:" not in message


def test_unquoted_comma_names_its_line(tmp_path: Path):
    path = tmp_path / "comma.csv"
    path.write_text(
        ",".join(CATALOG_COLUMNS) + "\n" + csv_line() + csv_line(zone_id="demo-CKGH-002")
        .replace("某乡", "某乡,二道沟"),
        encoding="utf-8",
    )
    err = raised(path)
    assert "line 3" in str(err)
    assert f"{len(CATALOG_COLUMNS) + 1} cells for {len(CATALOG_COLUMNS)} columns" in str(err)


def test_missing_column_is_reported_on_the_header(tmp_path: Path):
    path = tmp_path / "short.csv"
    columns = [c for c in CATALOG_COLUMNS if c not in ("county", "source_line")]
    path.write_text(",".join(columns) + "\n", encoding="utf-8")
    err = raised(path)
    assert "line 1" in str(err)
    assert "'county'" in str(err) and "'source_line'" in str(err)


def test_non_utf8_file_gives_a_clear_error(tmp_path: Path):
    path = write_csv(tmp_path / "gbk.csv", [row()], encoding="gbk")
    err = raised(path)
    assert "not UTF-8" in str(err)
    assert "save the file as UTF-8" in str(err)
    assert str(path) in str(err)
    assert isinstance(err, ValueError) and isinstance(err, MineplanError)


def test_missing_file(tmp_path: Path):
    assert "file not found" in str(raised(tmp_path / "none.csv"))


# --------------------------------------------------------------------------- areas


@pytest.mark.parametrize(
    ("text", "unit", "km2"),
    [
        ("552.45km ²", "km2", 552.45),
        ("18.00", "km2", 18.0),
        ("1250", "ha", 12.5),
        ("1250公顷", "ha", 12.5),
        ("1500", "mu", 1.0),
        ("3,000亩", "mu", 2.0),
        ("约 45 万平方米", "m2", 45e-6),
    ],
)
def test_parse_area_text(text: str, unit: str, km2: float):
    assert parse_area_text(text, unit) == pytest.approx(km2, rel=1e-12)


def test_unit_factors():
    assert AREA_UNIT_FACTORS["ha"] == 0.01
    assert AREA_UNIT_FACTORS["mu"] * 1500 == pytest.approx(1.0)
    assert AREA_UNIT_FACTORS["km2"] == 1.0


@pytest.mark.parametrize("text", ["", "面积不详", "见附图", "—"])
def test_text_without_a_number_has_no_area(text: str):
    assert parse_area_text(text, "km2") is None


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="acre"):
        parse_area_text("12", "acre")


# --------------------------------------------------------------------------- several plans


def test_read_catalog_checks_regions_against_the_index(tmp_path: Path):
    (tmp_path / "index.csv").write_text(
        "slug,region,level,prefecture,seed_file\n"
        "demo,某县,county,某地区,000_x.txt\n"
        "other,他县,county,某地区,001_y.txt\n",
        encoding="utf-8",
    )
    write_csv(tmp_path / "demo.csv", [row()])
    write_csv(tmp_path / "other.csv", [row(zone_id="other-CKGH-001")])  # region 某县, not 他县
    assert set(plan_index(root=tmp_path)) == {"demo", "other"}
    assert list(read_catalog(root=tmp_path, slugs=["demo"])["zone_id"]) == ["demo-CKGH-001"]
    with pytest.raises(CatalogError, match=r"region is not 他县 for \['other-CKGH-001'\]"):
        read_catalog(root=tmp_path)
    with pytest.raises(CatalogError, match="unknown plan"):
        read_catalog(root=tmp_path, slugs=["nowhere"])
