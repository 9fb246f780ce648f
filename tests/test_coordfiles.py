"""Tests for mineplan.io.coordinates: the exchange TXT, registration files, block strings, DMS."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from pathlib import Path

import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from mineplan.errors import CoordinateFileError
from mineplan.io.coordinates import (
    CoordinateFile,
    Plot,
    Point,
    Ring,
    format_block_string,
    format_boundary_txt,
    format_dms,
    format_registration_txt,
    parse_block_string,
    parse_boundary_txt,
    parse_dms,
    parse_registration_txt,
    plot_geometry,
    read_boundary_txt,
    read_registration_txt,
    to_geodataframe,
    write_boundary_txt,
)

FIXTURES = Path(__file__).parent / "fixtures" / "coords"
REFERENCE = FIXTURES / "reference_boundary_gbk.txt"
MULTI = FIXTURES / "multi_plot_hole_gbk.txt"
REGISTRATION = FIXTURES / "reference_registration_gbk.txt"

HEADER = """[属性描述]
坐标系=2000国家大地坐标系
几度分带=3
计量单位=米
带号=28
[地块坐标]
"""


def _text(*point_lines: str, header: str = HEADER, plot: str = "5,1.0,P1,测试,面,,,,@") -> str:
    return header + plot + "\n" + "\n".join(point_lines) + "\n"


SQUARE = (
    "J1,1,4921000.000,28512000.000",
    "J2,1,4921000.000,28513000.000",
    "J3,1,4920000.000,28513000.000",
    "J4,1,4920000.000,28512000.000",
    "J1,1,4921000.000,28512000.000",
)
# line numbers in _text(): header is 6 lines, plot header is line 7, J1 line 8 …
FIRST_POINT_LINE = 8


def _error(data: bytes | str, **kw: object) -> CoordinateFileError:
    with pytest.raises(CoordinateFileError) as info:
        parse_boundary_txt(data, **kw)  # type: ignore[arg-type]
    return info.value


# --------------------------------------------------------------------- reference files


def test_reference_example_reads_as_written() -> None:
    cf = read_boundary_txt(REFERENCE)
    assert cf.format == "boundary"
    assert cf.encoding == "gbk"
    assert cf.header["数据产生日期"] == "2024-01-01"
    assert cf.header["格式版本号"] == ""
    assert (cf.crs.datum, cf.crs.width, cf.crs.zone, cf.crs.prefixed, cf.crs.epsg) == (
        "CGCS2000",
        3,
        28,
        True,
        4516,
    )
    (plot,) = cf.plots
    assert (plot.number, plot.name, plot.kind) == ("KC-01", "某某矿普查区块", "面")
    assert plot.stated_area == 12.3456 and plot.stated_area_unit == ""
    assert plot.fields == {}
    (ring,) = plot.rings
    assert [p.name for p in ring.points] == ["J1", "J2", "J3", "J4"]
    assert ring.points[1].x_northing == 4921234.567
    assert ring.points[1].y_easting == 28514345.678
    assert ring.points[0].line_no == 14
    assert cf.warnings == []


def test_reference_geodataframe_area_and_difference() -> None:
    gdf = to_geodataframe(read_boundary_txt(REFERENCE))
    assert gdf.crs.to_epsg() == 4516
    row = gdf.iloc[0]
    # 2 km x 2 km square near the CM: ellipsoidal ≈ plane area, 4 km² = 400 公顷
    assert row.area_km2 == pytest.approx(4.0, rel=1e-3)
    assert row.area_difference == pytest.approx(400 - 12.3456, rel=1e-3)
    minx, _, _, maxy = row.geometry.bounds
    assert (minx, maxy) == (28512345.678, 4921234.567)  # x = easting, y = northing


def test_multi_plot_gbk_with_hole_and_parts() -> None:
    cf = read_boundary_txt(MULTI)
    assert cf.encoding == "gbk"
    assert [p.number for p in cf.plots] == ["CK-01", "CK-02"]
    first, second = (plot_geometry(p) for p in cf.plots)
    assert isinstance(first, Polygon) and len(first.interiors) == 1
    assert first.area == pytest.approx(4e6 - 0.25e6)
    assert isinstance(second, MultiPolygon) and len(second.geoms) == 2
    assert cf.plots[0].fields["地块用途"] == "采矿用地"
    gdf = to_geodataframe(cf)
    assert list(gdf["number"]) == ["CK-01", "CK-02"]
    assert gdf["area_km2"].iloc[0] == pytest.approx(3.75, rel=1e-3)


def test_registration_reference() -> None:
    cf = read_registration_txt(REGISTRATION)
    assert cf.format == "registration"
    assert cf.crs.zone == 39 and cf.crs.epsg == 4527
    (plot,) = cf.plots
    (ring,) = plot.rings
    assert len(ring.points) == 4
    assert (ring.top_m, ring.bottom_m, ring.flag) == (220, 100, 1)
    assert plot_geometry(plot).area == pytest.approx(1e6)


def test_registration_round_trip_with_hole() -> None:
    cf = read_boundary_txt(MULTI)
    data = format_registration_txt(cf.plots[0])
    assert b"\r\n" in data and "标高".encode("gbk") in data
    back = parse_registration_txt(data)
    assert [r.flag for r in back.plots[0].rings] == [1, -1]
    assert plot_geometry(back.plots[0]).equals(plot_geometry(cf.plots[0]))


def test_registration_truncated_names_line() -> None:
    text = REGISTRATION.read_bytes().decode("gbk").replace("XY005=标高,220,100,,1\r\n", "")
    with pytest.raises(CoordinateFileError, match=r"line 3: .*总行数 says 5 rows but 4"):
        parse_registration_txt(text)


# ------------------------------------------------------------------------ variants


def test_bom_utf8_lf_tabs_and_header_variants() -> None:
    header = HEADER.replace("几度分带=3", "分带=3度带").replace("带号=28", "带号=")
    lines = [line.replace(",", " ,\t") for line in SQUARE]
    data = b"\xef\xbb\xbf" + _text(*lines, header=header).encode("utf-8") + b"\n\n"
    cf = parse_boundary_txt(data)
    assert cf.encoding == "utf-8-sig"
    assert (cf.crs.width, cf.crs.zone, cf.crs.epsg) == (3, 28, 4516)
    assert len(cf.plots[0].rings[0].points) == 4


def test_plain_utf8_and_missing_header_section() -> None:
    text = "5,1.0,P1,测试,面,,,,@\n" + "\n".join(SQUARE)
    cf = parse_boundary_txt(text.encode("utf-8"))
    assert cf.encoding == "utf-8"
    assert cf.crs.epsg == 4516
    assert any("坐标系 not stated" in w for w in cf.warnings)


def test_zone_disagreement_warns_naming_both() -> None:
    cf = parse_boundary_txt(_text(*SQUARE, header=HEADER.replace("带号=28", "带号=27")))
    assert cf.crs.zone == 28
    assert any("带号=27" in w and "prefix 28" in w for w in cf.warnings)


def test_zone_from_header_when_eastings_unprefixed() -> None:
    lines = [line.replace(",285", ",5") for line in SQUARE]
    cf = parse_boundary_txt(_text(*lines))
    assert (cf.crs.prefixed, cf.crs.zone, cf.crs.epsg) == (False, 28, 4537)


@pytest.mark.parametrize(
    ("name", "datum", "lon_0"),
    [("1980西安坐标系", "Xian 1980", 84), ("1954北京坐标系", "Beijing 1954", 84)],
)
def test_old_datums_get_their_gk_codes(name: str, datum: str, lon_0: int) -> None:
    cf = parse_boundary_txt(_text(*SQUARE, header=HEADER.replace("2000国家大地坐标系", name)))
    assert cf.crs.datum == datum
    assert cf.crs.epsg is not None
    crs = pyproj.CRS.from_epsg(cf.crs.epsg)
    assert crs.name == f"{datum} / 3-degree Gauss-Kruger zone 28"
    assert crs.to_dict()["lon_0"] == lon_0 and crs.to_dict()["x_0"] == 28_500_000
    assert any("approximate" in w for w in cf.warnings)


def test_xian_1980_zone_range() -> None:
    header = HEADER.replace("2000国家大地坐标系", "1980西安坐标系")
    cf = parse_boundary_txt(_text(*SQUARE, header=header))
    assert 2349 <= (cf.crs.epsg or 0) <= 2390


def test_unknown_datum_warns_and_no_epsg() -> None:
    cf = parse_boundary_txt(_text(*SQUARE, header=HEADER.replace("2000国家大地坐标系", "独立")))
    assert cf.crs.epsg is None and cf.crs.datum is None
    assert any("cannot be determined" in w for w in cf.warnings)


def test_area_unit_in_header() -> None:
    cf = parse_boundary_txt(_text(*SQUARE, plot="5,1.0000km2,P1,测试,面,图幅A,,,@"))
    plot = cf.plots[0]
    assert (plot.stated_area, plot.stated_area_unit) == (1.0, "km2")
    assert plot.fields == {"图幅号": "图幅A"}
    assert to_geodataframe(cf)["area_difference"].iloc[0] == pytest.approx(0.0, abs=1e-3)


# -------------------------------------------------------------------------- errors


def test_empty_file() -> None:
    assert "empty" in str(_error(b"  \r\n"))


def test_binary_junk_names_line() -> None:
    err = _error(b"[\xe5\xb1\x9e]\r\n\x00\x01\x02\xff\xfe\x89PNG")
    assert err.line == 2 and "line 2" in str(err)


def test_truncated_plot() -> None:
    err = _error(_text(*SQUARE[:3]))
    assert err.line == 7 and "line 7" in str(err)
    assert "says 5 points but only 3" in str(err) and "P1" in str(err)


def test_too_few_distinct_points() -> None:
    lines = (SQUARE[0], SQUARE[1], SQUARE[0])
    err = _error(_text(*lines, plot="3,,P1,x,面,,,,@"))
    assert "only 2 distinct points" in str(err) and "line" in str(err)


def test_non_numeric_coordinate() -> None:
    lines = list(SQUARE)
    lines[2] = "J3,1,49200OO.000,28513000.000"
    err = _error(_text(*lines))
    assert err.line == FIRST_POINT_LINE + 2
    assert f"line {FIRST_POINT_LINE + 2}" in str(err)
    assert "plot P1 point J3" in str(err) and "not a number" in str(err)


def test_duplicate_consecutive_point_warns_and_fix_removes() -> None:
    lines = [*SQUARE[:2], SQUARE[1], *SQUARE[2:]]
    text = _text(*lines, plot="6,1.0,P1,测试,面,,,,@")
    cf = parse_boundary_txt(text)
    assert len(cf.plots[0].rings[0].points) == 5
    assert any(f"line {FIRST_POINT_LINE + 2}" in w and "repeats" in w for w in cf.warnings)
    fixed = parse_boundary_txt(text, fix=True)
    assert len(fixed.plots[0].rings[0].points) == 4


def test_unclosed_ring_error_and_fix() -> None:
    text = _text(*SQUARE[:4], plot="4,1.0,P1,测试,面,,,,@")
    err = _error(text)
    assert err.line == FIRST_POINT_LINE + 3 and "not closed" in str(err)
    cf = parse_boundary_txt(text, fix=True)
    assert len(cf.plots[0].rings[0].points) == 4
    assert any("not closed" in w for w in cf.warnings)


def test_self_intersection_names_plot() -> None:
    lines = [SQUARE[0], SQUARE[2], SQUARE[1], SQUARE[3], SQUARE[0]]  # bow tie
    err = _error(_text(*lines))
    assert err.line == 7 and "line 7" in str(err)
    assert "plot P1" in str(err) and "crosses" in str(err)


def test_ring_crossing_another_ring() -> None:
    crossing = (
        "K1,2,4920500.000,28512500.000",
        "K2,2,4920500.000,28513500.000",
        "K3,2,4920200.000,28513500.000",
        "K1,2,4920500.000,28512500.000",
    )
    err = _error(_text(*SQUARE, *crossing, plot="9,1.0,P1,测试,面,,,,@"))
    assert "plot P1" in str(err) and "line 7" in str(err)


def test_swapped_axes_error_and_fix() -> None:
    swapped = [f"{n},{r},{y},{x}" for n, r, x, y in (line.split(",") for line in SQUARE)]
    err = _error(_text(*swapped))
    assert err.line == FIRST_POINT_LINE and "swapped" in str(err)
    assert "--fix" in str(err) and "fix=True" not in str(err)
    cf = parse_boundary_txt(_text(*swapped), fix=True)
    assert cf.plots[0].rings[0].points[0].x_northing == 4921000.0
    assert any("swapped" in w for w in cf.warnings)


def test_implausible_numbers() -> None:
    lines = list(SQUARE)
    lines[1] = "J2,1,44.5,84.6"
    err = _error(_text(*lines))
    assert f"line {FIRST_POINT_LINE + 1}" in str(err) and "not a Gauss-Kruger" in str(err)


def test_wrong_zone_in_header() -> None:
    err = _error(_text(*SQUARE, header=HEADER.replace("带号=28", "带号=99")))
    assert err.line == 5 and "带号='99'" in str(err)


def test_points_in_two_zones() -> None:
    lines = list(SQUARE)
    lines[1] = "J2,1,4921000.000,29513000.000"
    err = _error(_text(*lines))
    assert "zone 29" in str(err) and f"line {FIRST_POINT_LINE + 1}" in str(err)


def test_all_problems_reported_at_once() -> None:
    lines = list(SQUARE)
    lines[1] = "J2,1,abc,28513000.000"
    lines[2] = "J3,1,4920000.000,xyz"
    err = _error(_text(*lines))
    message = str(err)
    assert "2 problems" in message
    assert f"line {FIRST_POINT_LINE + 1}" in message and f"line {FIRST_POINT_LINE + 2}" in message


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CoordinateFileError, match="cannot read"):
        read_boundary_txt(tmp_path / "nope.txt")


# ---------------------------------------------------------------- writers/round trip


def test_writer_format_crlf_gbk_keeps_vertex_order(tmp_path: Path) -> None:
    ccw = Ring(1, [Point("J1", 0, 0), Point("J2", 0, 0), Point("J3", 0, 0)])
    ccw.points = [
        Point("J1", 4920000.0, 28512000.0),
        Point("J2", 4920000.0, 28513000.0),  # east
        Point("J3", 4921000.0, 28513000.0),  # north-east: counter-clockwise on the map
        Point("J4", 4921000.0, 28512000.0),
    ]
    plot = Plot("W-1", "写出测试", rings=[ccw])
    path = write_boundary_txt(tmp_path / "out.txt", [plot], zone=28)
    data = path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n")
    text = data.decode("gbk")
    assert "带号=28" in text and "坐标系=2000国家大地坐标系" in text
    header_line = next(line for line in text.splitlines() if line.endswith("@"))
    count, area = header_line.split(",")[:2]
    assert count == "5" and re.fullmatch(r"\d+\.\d{4}", area)
    assert float(area) == pytest.approx(100.0, rel=1e-3)
    back = parse_boundary_txt(data)
    names = [p.name for p in back.plots[0].rings[0].points]
    assert names == ["J1", "J2", "J3", "J4"]  # original order and numbering (issue 10 §4)
    ring = Polygon([(p.y_easting, p.x_northing) for p in back.plots[0].rings[0].points])
    assert ring.exterior.is_ccw  # as given: never re-oriented
    assert "4920000.00,28512000.00" in text and "精度=0.01" in text  # 2 decimals


def test_writer_from_geodataframe_utf8() -> None:
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(
        {"number": ["G1"], "name": ["框"]},
        geometry=[box(28_500_000, 4_900_000, 28_501_000, 4_901_000)],
        crs="EPSG:4516",
    )
    data = format_boundary_txt(gdf, zone=28, encoding="utf-8")
    cf = parse_boundary_txt(data)
    assert cf.encoding == "utf-8"
    assert cf.plots[0].name == "框"
    assert plot_geometry(cf.plots[0]).equals(gdf.geometry.iloc[0])


def test_multi_round_trip_keeps_everything() -> None:
    cf = read_boundary_txt(MULTI)
    back = parse_boundary_txt(format_boundary_txt(cf.plots, zone=28))
    for before, after in zip(cf.plots, back.plots, strict=True):
        assert (after.number, after.name, after.kind, after.fields) == (
            before.number,
            before.name,
            before.kind,
            before.fields,
        )
        assert plot_geometry(after).equals(plot_geometry(before))
    gdf = to_geodataframe(back)
    # the written header area is the ellipsoidal area in 公顷
    assert gdf["area_difference"].abs().max() < 1e-4


def test_block_string_round_trip() -> None:
    text = "2,4,10,20,10,30,0,30,0,20,0,1000,800,3,4,22,4,28,2,25,-1,,"
    rings = parse_block_string(text)
    assert [r.flag for r in rings] == [0, -1]
    assert (rings[0].top_m, rings[0].bottom_m, rings[1].top_m) == (1000, 800, None)
    again = parse_block_string(format_block_string(rings))
    assert [(p.x_northing, p.y_easting) for r in again for p in r.points] == [
        (p.x_northing, p.y_easting) for r in rings for p in r.points
    ]
    geom = plot_geometry(Plot("b", "b", rings=rings))
    assert isinstance(geom, Polygon) and len(geom.interiors) == 1


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "区域数"), ("1,4,10,20,10", "truncated"), ("1,3,1,2,3,4,5,6,7,,", "flag"),
     ("1,3,1,2,3,4,5,6,0,,,9", "extra"), ("1,3,1,x,3,4,5,6,0,,", "not a number")],
)  # fmt: skip
def test_block_string_errors(text: str, fragment: str) -> None:
    with pytest.raises(CoordinateFileError, match=fragment):
        parse_block_string(text)


# ------------------------------------------------------------------------------ DMS


@pytest.mark.parametrize(
    "text", ["84°12′30.123″", "84°12'30.123\"", "84 12 30.123", "841230.123", "84度12分30.123秒"]
)
def test_parse_dms_forms(text: str) -> None:
    assert parse_dms(text) == pytest.approx(84 + 12 / 60 + 30.123 / 3600, abs=1e-12)


def test_dms_format_and_errors() -> None:
    assert format_dms(84.2083675) == "84°12′30.123″"
    assert format_dms(-84.2083675, style="spaces") == "-84 12 30.123"
    assert parse_dms(format_dms(44.999999999)) == pytest.approx(45.0, abs=1e-9)
    for bad in ["84°61′00″", "abc", "84°12′60.5″"]:
        with pytest.raises(CoordinateFileError):
            parse_dms(bad)


@given(st.floats(min_value=-180, max_value=180, allow_nan=False))
def test_dms_round_trip(value: float) -> None:
    assert parse_dms(format_dms(value)) == pytest.approx(value, abs=2e-7)
    assert parse_dms(format_dms(value, style="packed")) == pytest.approx(value, abs=2e-7)
    assert parse_dms(format_dms(value, style="spaces")) == pytest.approx(value, abs=2e-7)


# ------------------------------------------------------------------ property tests


@st.composite
def _convex_plots(draw: st.DrawFn) -> Plot:
    cx = draw(st.floats(min_value=4_600_000, max_value=5_000_000))
    cy = draw(st.floats(min_value=28_300_000, max_value=28_700_000))
    n = draw(st.integers(min_value=3, max_value=12))
    radius = draw(st.floats(min_value=50, max_value=5000))
    start = draw(st.floats(min_value=0, max_value=2 * math.pi))
    clockwise = draw(st.booleans())
    step = (-1 if clockwise else 1) * 2 * math.pi / n
    points = [
        Point(
            f"J{k + 1}",
            round(cx + radius * math.cos(start + k * step), 3),
            round(cy + radius * math.sin(start + k * step), 3),
        )
        for k in range(n)
    ]
    number = draw(st.from_regex(r"[A-Z]{1,3}-[0-9]{1,3}", fullmatch=True))
    name = draw(st.sampled_from(["矿区", "勘查区块", "采矿权 A", "区块一"]))
    use = draw(st.sampled_from(["", "采矿用地", "其他"]))
    return Plot(
        number, name, "面", fields={"地块用途": use} if use else {}, rings=[Ring(1, points)]
    )


@settings(deadline=None, max_examples=40)
@given(st.lists(_convex_plots(), min_size=1, max_size=3), st.sampled_from(["gbk", "utf-8"]))
def test_write_read_round_trip(plots: list[Plot], encoding: str) -> None:
    data = format_boundary_txt(plots, zone=28, encoding=encoding)
    cf = parse_boundary_txt(data)
    assert isinstance(cf, CoordinateFile) and cf.crs.epsg == 4516
    assert len(cf.plots) == len(plots)
    for before, after in zip(plots, cf.plots, strict=True):
        assert (after.number, after.name, after.kind, after.fields) == (
            before.number,
            before.name,
            before.kind,
            before.fields,
        )
        b_ring, a_ring = before.rings[0].points, after.rings[0].points
        assert len(a_ring) == len(b_ring)
        for b, a in zip(b_ring, a_ring, strict=True):  # original order, 2 decimals
            assert a.name == b.name
            assert abs(a.x_northing - b.x_northing) <= 0.005 + 1e-9
            assert abs(a.y_easting - b.y_easting) <= 0.005 + 1e-9
        assert after.stated_area is not None and after.stated_area > 0


@pytest.mark.parametrize(
    ("path", "parse"),
    [(MULTI, parse_boundary_txt), (REFERENCE, parse_boundary_txt),
     (REGISTRATION, parse_registration_txt),
     (FIXTURES / "dms_symbols_gbk.txt", parse_boundary_txt),
     (FIXTURES / "dms_packed_gbk.txt", parse_boundary_txt)],
)  # fmt: skip
def test_fuzzed_files_fail_only_with_coordinate_file_error(
    path: Path, parse: Callable[[bytes], CoordinateFile]
) -> None:
    valid = path.read_bytes()
    rng = random.Random(20261123)
    failures = 0
    for _ in range(200):
        lines = valid.split(b"\r\n")
        for _ in range(rng.randint(1, 3)):
            if not lines:
                lines = [b""]
            action = rng.choice(["drop", "dup", "garble_line", "garble_byte", "truncate"])
            i = rng.randrange(len(lines))
            if action == "drop":
                del lines[i]
            elif action == "dup":
                lines.insert(i, lines[i])
            elif action == "garble_line" and lines[i]:
                chars = bytearray(lines[i])
                chars[rng.randrange(len(chars))] = rng.choice(b",.@-0123456789xJ;\t")
                lines[i] = bytes(chars)
            elif action == "garble_byte" and any(lines):
                blob = bytearray(b"\r\n".join(lines))
                blob[rng.randrange(len(blob))] = rng.randrange(256)
                lines = bytes(blob).split(b"\r\n")
            else:
                lines = lines[: max(1, i)]
        data = b"\r\n".join(lines)
        try:
            parse(data)
        except CoordinateFileError as exc:
            failures += 1
            assert exc.line is not None or any(
                word in exc.reason for word in ("empty", "no plot", "no area", "zone", "坐标系")
            ), exc.reason
        # any other exception type fails the test by propagating
    assert failures > 50  # the mutations do break most files
    assert failures < 200  # and some leave a readable file


# -------------------------------------------------------------- further behaviours


def test_implausible_point_does_not_cascade_into_geometry_errors() -> None:
    lines = list(SQUARE)
    lines[1] = "J2,1,1.0,2.0"
    err = _error(_text(*lines))
    assert err.line == FIRST_POINT_LINE + 1
    assert "problems" not in str(err) and "crosses" not in str(err)


def test_two_zones_message_names_first_points_in_order() -> None:
    lines = list(SQUARE)
    lines[2] = "J3,1,4920000.000,29513000.000"
    err = _error(_text(*lines))
    assert f"point J3 is in zone 29 but point J1 (line {FIRST_POINT_LINE})" in str(err)


def test_island_inside_hole_is_a_part() -> None:
    big = [
        "A1,1,4930000,28500000",
        "A2,1,4930000,28510000",
        "A3,1,4920000,28510000",
        "A4,1,4920000,28500000",
        "A1,1,4930000,28500000",
    ]
    hole = [
        "B1,2,4928000,28502000",
        "B2,2,4922000,28502000",
        "B3,2,4922000,28508000",
        "B4,2,4928000,28508000",
        "B1,2,4928000,28502000",
    ]
    island = ["C1,3,4926000,28504000", "C2,3,4926000,28506000", "C3,3,4924000,28506000",
              "C4,3,4924000,28504000", "C1,3,4926000,28504000"]  # fmt: skip
    cf = parse_boundary_txt(_text(*big, *hole, *island, plot="15,,I-1,岛,面,,,,@"))
    geom = plot_geometry(cf.plots[0])
    assert isinstance(geom, MultiPolygon) and len(geom.geoms) == 2
    assert geom.area == pytest.approx(100e6 - 36e6 + 4e6)


def test_line_and_point_plots() -> None:
    text = (
        _text(*SQUARE[:3], plot="3,,L-1,线,线,,,,@") + "2,,D-1,点,点,,,,@\n" + "\n".join(SQUARE[:2])
    )
    cf = parse_boundary_txt(text)
    line, points = (plot_geometry(p) for p in cf.plots)
    assert line.geom_type == "LineString" and line.length == pytest.approx(2000)
    assert points.geom_type == "MultiPoint" and len(points.geoms) == 2
    gdf = to_geodataframe(cf)
    assert gdf["area_km2"].isna().all()


def test_width_header_conflicts_with_prefix_warns() -> None:
    cf = parse_boundary_txt(_text(*SQUARE, header=HEADER.replace("几度分带=3", "几度分带=6")))
    assert cf.crs.width == 3
    assert any("几度分带=6" in w and "3-degree" in w for w in cf.warnings)


def test_zone_header_with_suffix_and_unprefixed_6_degree() -> None:
    header = HEADER.replace("几度分带=3", "几度分带=6度").replace("带号=28", "带号=15带")
    lines = [line.replace(",285", ",5") for line in SQUARE]
    cf = parse_boundary_txt(_text(*lines, header=header))
    assert (cf.crs.width, cf.crs.zone, cf.crs.epsg) == (6, 15, 4504)  # CM 87E, no prefix


def test_units_neither_metres_nor_degrees_are_refused() -> None:
    err = _error(_text(*SQUARE, header=HEADER.replace("计量单位=米", "计量单位=英尺")))
    assert err.line == 4 and "英尺" in str(err) and "neither metres" in str(err)


def test_degree_units_with_plane_numbers_say_so() -> None:
    err = _error(_text(*SQUARE, header=HEADER.replace("计量单位=米", "计量单位=度")))
    assert err.line == FIRST_POINT_LINE and "plane coordinates in metres" in str(err)
    assert "计量单位=米" in str(err)


def test_registration_swapped_axes_names_line() -> None:
    text = (
        REGISTRATION.read_bytes()
        .decode("gbk")
        .replace("XY002=2,2588801.00,39439457.00", "XY002=2,39439457.00,2588801.00")
    )
    with pytest.raises(CoordinateFileError, match=r"line 5: .*swapped") as info:
        parse_registration_txt(text)
    assert info.value.line == 5


def test_docstring_examples() -> None:
    import doctest
    import importlib
    import pkgutil

    import mineplan.io.coordinates

    names = ["mineplan.io.text", "mineplan.io.coordinates"] + [
        f"mineplan.io.coordinates.{m.name}"
        for m in pkgutil.iter_modules(mineplan.io.coordinates.__path__)
    ]
    attempted = 0
    for name in names:
        result = doctest.testmod(importlib.import_module(name))
        assert result.failed == 0, name
        attempted += result.attempted
    assert len(names) >= 10 and attempted >= 18


def test_registration_write_read_keeps_points_and_elevations(tmp_path: Path) -> None:
    from mineplan.io.coordinates import write_registration_txt

    cf = read_registration_txt(REGISTRATION)
    path = write_registration_txt(tmp_path / "reg.txt", cf.plots[0], precision=2)
    back = read_registration_txt(path)
    before, after = cf.plots[0].rings[0], back.plots[0].rings[0]
    assert [(p.name, p.x_northing, p.y_easting) for p in after.points] == [
        (p.name, p.x_northing, p.y_easting) for p in before.points
    ]
    assert (after.top_m, after.bottom_m, after.flag) == (220, 100, 1)
    assert "总行数=5" in path.read_bytes().decode("gbk")


def test_writer_refuses_bad_plots_and_unencodable_names() -> None:
    square = read_boundary_txt(REFERENCE).plots[0]
    degenerate = Plot("D-1", "退化", rings=[Ring(1, square.rings[0].points[:2])])
    with pytest.raises(CoordinateFileError, match="D-1 ring 1: 2 distinct points"):
        format_boundary_txt([degenerate], zone=28)
    emoji = Plot("E-1", "矿区\U0001f600", rings=square.rings)
    with pytest.raises(CoordinateFileError, match="encoding='utf-8'"):
        format_boundary_txt([emoji], zone=28)
    assert "\U0001f600" in format_boundary_txt([emoji], zone=28, encoding="utf-8").decode()


def test_registration_bad_numbers_reported_without_cascade() -> None:
    text = (
        REGISTRATION.read_bytes()
        .decode("gbk")
        .replace("XY003=3,2587801.00", "XY003=3,25878O1.00")
        .replace("标高,220,", "标高,2x0,")
    )
    with pytest.raises(CoordinateFileError) as info:
        parse_registration_txt(text)
    message = str(info.value)
    assert "2 problems" in message and "line 6" in message and "line 8" in message


# ------------------------------------------------------------ geographic coordinates

DMS_SYMBOLS = FIXTURES / "dms_symbols_gbk.txt"
DMS_PACKED = FIXTURES / "dms_packed_gbk.txt"
# the fixtures' plot DMS-01, (latitude, longitude) as written
DMS_01 = [
    ((44, 26, 10.125), (84, 8, 5.250)),
    ((44, 26, 20.500), (84, 10, 12.375)),
    ((44, 25, 5.875), (84, 11, 2.125)),
    ((44, 24, 15.250), (84, 9, 30.500)),
    ((44, 24, 40.625), (84, 7, 55.750)),
]
# line numbers in the DMS fixtures: 12 header lines, plot DMS-01 on 13, J1 on 14 …
DMS_FIRST_POINT_LINE = 14


def _deg(d: int, m: int, s: float) -> float:
    return d + m / 60 + s / 3600


def _geo_text(*point_lines: str, unit: str = "度分秒", datum: str = "2000国家大地坐标系") -> str:
    header = f"[属性描述]\n坐标系={datum}\n计量单位={unit}\n[地块坐标]\n"
    return header + f"{len(point_lines)},,G1,经纬度,面,,,,@\n" + "\n".join(point_lines) + "\n"


GEO_SQUARE = (  # a 1′ × 1′ block near 乌苏, clockwise from its north-west corner
    "J1,1,44°25′00.000″,84°10′00.000″",
    "J2,1,44°25′00.000″,84°11′00.000″",
    "J3,1,44°24′00.000″,84°11′00.000″",
    "J4,1,44°24′00.000″,84°10′00.000″",
    "J1,1,44°25′00.000″,84°10′00.000″",
)
GEO_FIRST_POINT_LINE = 6


def test_dms_symbols_fixture_reads_as_latitude_longitude() -> None:
    cf = read_boundary_txt(DMS_SYMBOLS)
    assert cf.encoding == "gbk" and cf.warnings == []
    assert (cf.crs.datum, cf.crs.width, cf.crs.zone, cf.crs.epsg, cf.crs.geographic) == (
        "CGCS2000",
        None,
        None,
        4490,
        True,
    )
    first, second = cf.plots
    for point, (lat, lon) in zip(first.rings[0].points, DMS_01, strict=True):
        assert point.x_northing == pytest.approx(_deg(*lat), abs=1e-12)  # X = latitude
        assert point.y_easting == pytest.approx(_deg(*lon), abs=1e-12)  # Y = longitude
    # plot DMS-02 is written with ASCII ' and " and has a hole (ring 2)
    assert second.rings[1].points[0].x_northing == pytest.approx(_deg(44, 22, 40), abs=1e-12)
    geom = plot_geometry(second)
    assert isinstance(geom, Polygon) and len(geom.interiors) == 1
    gdf = to_geodataframe(cf)
    assert gdf.crs.to_epsg() == 4490
    minx, _, _, maxy = gdf.geometry.iloc[1].bounds
    assert (minx, maxy) == pytest.approx((84.2, _deg(44, 23, 0)))  # x = longitude
    assert gdf["area_km2"].gt(1).all()


def test_packed_dms_fixture_matches_symbols_fixture() -> None:
    packed = read_boundary_txt(DMS_PACKED)  # 计量单位 blank: detected from the numbers
    symbols = read_boundary_txt(DMS_SYMBOLS)
    assert packed.crs == symbols.crs and packed.warnings == []
    for a, b in zip(packed.plots, symbols.plots, strict=True):
        pa = [(p.name, p.x_northing, p.y_easting) for r in a.rings for p in r.points]
        pb = [(p.name, p.x_northing, p.y_easting) for r in b.rings for p in r.points]
        assert [n for n, _, _ in pa] == [n for n, _, _ in pb]
        coords_a = [v for _, x, y in pa for v in (x, y)]
        assert coords_a == pytest.approx([v for _, x, y in pb for v in (x, y)], abs=1e-12)
    gp, gs = to_geodataframe(packed), to_geodataframe(symbols)
    assert list(gp["area_km2"]) == pytest.approx(list(gs["area_km2"]), rel=1e-12)


def test_dms_area_equals_area_of_same_block_in_plane_metres() -> None:
    cf = read_boundary_txt(DMS_SYMBOLS)
    to_plane = pyproj.Transformer.from_crs(4490, 4516, always_xy=True)
    plane_plots = []
    for plot in cf.plots:
        rings = []
        for ring in plot.rings:
            points = []
            for p in ring.points:
                easting, northing = to_plane.transform(p.y_easting, p.x_northing)
                points.append(Point(p.name, northing, easting))
            rings.append(Ring(ring.ring_no, points))
        plane_plots.append(Plot(plot.number, plot.name, rings=rings))
    plane = parse_boundary_txt(format_boundary_txt(plane_plots, zone=28, precision=3))
    assert plane.crs.epsg == 4516 and not plane.crs.geographic
    geo_area = to_geodataframe(cf)["area_km2"]
    plane_area = to_geodataframe(plane)["area_km2"]
    for g, p in zip(geo_area, plane_area, strict=True):
        assert abs(p - g) / g < 1e-6


def test_decimal_degrees_under_unit_degree() -> None:
    lines = [
        "J1,1,44.41666667,84.16666667",
        "J2,1,44.41666667,84.18333333",
        "J3,1,44.40000000,84.18333333",
        "J4,1,44.40000000,84.16666667",
        "J1,1,44.41666667,84.16666667",
    ]
    cf = parse_boundary_txt(_geo_text(*lines, unit="度"))
    assert cf.crs.epsg == 4490 and cf.crs.geographic
    assert cf.plots[0].rings[0].points[1].y_easting == 84.18333333
    dms = parse_boundary_txt(_geo_text(*GEO_SQUARE))
    area, dms_area = (to_geodataframe(c)["area_km2"].iloc[0] for c in (cf, dms))
    assert area == pytest.approx(dms_area, rel=1e-6)
    # 1′ of latitude ≈ 1852 m, 1′ of longitude ≈ 1852·cos 44.4° m
    assert area == pytest.approx(1.852**2 * math.cos(math.radians(44.41)), rel=5e-3)


@pytest.mark.parametrize("unit", ["经纬度", "秒"])
def test_other_geographic_unit_names(unit: str) -> None:
    if unit == "秒":  # plain numbers are arc seconds
        lines = [f"J{i},1,{lat * 3600:.3f},{lon * 3600:.3f}"
                 for i, (lat, lon) in enumerate([(44.5, 84.0), (44.5, 84.1), (44.4, 84.1),
                                                 (44.4, 84.0), (44.5, 84.0)], start=1)]  # fmt: skip
        lines[-1] = lines[-1].replace("J5", "J1")
    else:
        lines = list(GEO_SQUARE)
    cf = parse_boundary_txt(_geo_text(*lines, unit=unit))
    assert cf.crs.geographic and cf.crs.epsg == 4490
    assert 44.3 < cf.plots[0].rings[0].points[0].x_northing < 44.6


def test_minutes_of_sixty_or_more_name_line_plot_and_point() -> None:
    text = DMS_SYMBOLS.read_bytes().decode("gbk").replace("44°26′20.500″", "44°61′20.500″")
    err = _error(text)
    line = DMS_FIRST_POINT_LINE + 1
    assert err.line == line and f"line {line}" in str(err)
    assert "plot DMS-01 point J2" in str(err) and "below 60" in str(err)
    assert "problems" not in str(err)  # no cascade into ring or geometry errors
    packed = DMS_PACKED.read_bytes().decode("gbk").replace("841102.125", "841102.125")
    packed = packed.replace("J3,1,442505.875", "J3,1,442565.875")  # 65 seconds
    err = _error(packed)
    assert err.line == DMS_FIRST_POINT_LINE + 2 and "point J3" in str(err)
    assert "below 60" in str(err)


def test_swapped_latitude_longitude_error_and_fix() -> None:
    swapped = [f"{n},{r},{y},{x}" for n, r, x, y in (line.split(",") for line in GEO_SQUARE)]
    err = _error(_geo_text(*swapped))
    assert err.line == GEO_FIRST_POINT_LINE and "swapped" in str(err)
    assert "latitude" in str(err) and "--fix" in str(err) and "fix=True" not in str(err)
    cf = parse_boundary_txt(_geo_text(*swapped), fix=True)
    assert cf.plots[0].rings[0].points[0].x_northing == pytest.approx(_deg(44, 25, 0))
    assert any("swapped" in w for w in cf.warnings)
    # packed, no unit: swapped pairs are still recognised as DMS and reported as swapped
    packed = [
        f"{n},{r},{format_dms(parse_dms(y), style='packed')},"
        f"{format_dms(parse_dms(x), style='packed')}"
        for n, r, x, y in (line.split(",") for line in GEO_SQUARE)
    ]
    err = _error(_geo_text(*packed, unit=""))
    assert err.line == GEO_FIRST_POINT_LINE and "swapped" in str(err)


def test_geographic_point_outside_china() -> None:
    lines = list(GEO_SQUARE)
    lines[1] = "J2,1,64°25′00.000″,84°11′00.000″"
    err = _error(_geo_text(*lines))
    assert err.line == GEO_FIRST_POINT_LINE + 1 and "not a latitude/longitude in China" in str(err)


def test_geographic_points_in_the_south_china_sea_are_in_china() -> None:
    # China's latitude starts at 3°N (vocab.CHINA_LAT_RANGE), not 18°N: 永兴岛 is 16.8°N
    square = [line.replace("44°2", "16°5").replace("84°1", "112°1") for line in GEO_SQUARE]
    cf = parse_boundary_txt(_geo_text(*square))
    assert cf.crs.epsg == 4490 and cf.warnings == []
    assert 16.9 < cf.plots[0].rings[0].points[0].x_northing < 17.0


def test_plain_number_under_dms_unit_is_ambiguous() -> None:
    lines = list(GEO_SQUARE)
    lines[2] = "J3,1,44.4,84.18333333"
    err = _error(_geo_text(*lines))
    assert err.line == GEO_FIRST_POINT_LINE + 2 and "计量单位=度分秒" in str(err)


@pytest.mark.parametrize(
    ("name", "datum", "epsg"),
    [("1980西安坐标系", "Xian 1980", 4610), ("1954北京坐标系", "Beijing 1954", 4214)],
)
def test_geographic_old_datums(name: str, datum: str, epsg: int) -> None:
    cf = parse_boundary_txt(_geo_text(*GEO_SQUARE, datum=name))
    assert (cf.crs.datum, cf.crs.epsg, cf.crs.geographic) == (datum, epsg, True)
    assert pyproj.CRS.from_epsg(epsg).is_geographic
    assert any("approximate" in w for w in cf.warnings)
    assert to_geodataframe(cf)["area_km2"].iloc[0] > 0


def test_registration_in_dms() -> None:
    text = (
        "[登记项目]\n矿区范围拐点坐标与标高的总行数=5\n"
        + "\n".join(
            f"XY{i:03d}={i},{line.split(',')[2]},{line.split(',')[3]}"
            for i, line in enumerate(GEO_SQUARE[:4], start=1)
        )
        + "\nXY005=标高,1200,900,,1\n"
    )
    cf = parse_registration_txt(text)
    assert (cf.crs.epsg, cf.crs.zone, cf.crs.geographic) == (4490, None, True)
    (ring,) = cf.plots[0].rings
    assert ring.points[0].x_northing == pytest.approx(_deg(44, 25, 0))
    assert (ring.top_m, ring.bottom_m) == (1200, 900)
    bad = text.replace("XY002=2,44°25′00.000″", "XY002=2,44°25′60.000″")
    with pytest.raises(CoordinateFileError, match=r"line 4: .*below 60"):
        parse_registration_txt(bad)


def test_writer_dms_and_degree_headers_and_values() -> None:
    cf = read_boundary_txt(DMS_SYMBOLS)
    dms = format_boundary_txt(cf.plots, units="dms").decode("gbk")
    assert "计量单位=度分秒" in dms and "带号" not in dms and "几度分带" not in dms
    assert "\r\n" in dms
    assert "J1,1,44°26′10.125″,84°08′05.250″" in dms
    degree = format_boundary_txt(cf.plots, units="degree", encoding="utf-8").decode()
    assert "计量单位=度" in degree and "带号" not in degree
    j1 = next(line for line in degree.splitlines() if line.startswith("J1,"))
    assert re.fullmatch(r"J1,1,44\.\d{8},84\.\d{8}", j1)
    for data in (dms, degree):
        back = parse_boundary_txt(data)
        assert back.crs.epsg == 4490
        # the written header area is the ellipsoidal area in 公顷
        assert to_geodataframe(back)["area_difference"].abs().max() < 1e-4
    with pytest.raises(CoordinateFileError, match="units"):
        format_boundary_txt(cf.plots, units="feet")  # type: ignore[arg-type]
    with pytest.raises(CoordinateFileError, match="zone"):
        format_boundary_txt(cf.plots)


def test_writer_dms_from_plane_plots_and_frames() -> None:
    import geopandas as gpd

    plane = read_boundary_txt(REFERENCE)
    with pytest.raises(CoordinateFileError, match="zone="):
        format_boundary_txt(plane.plots, units="dms")
    back = parse_boundary_txt(format_boundary_txt(plane.plots, zone=28, units="dms"))
    geo_area = to_geodataframe(back)["area_km2"].iloc[0]
    plane_area = to_geodataframe(plane)["area_km2"].iloc[0]
    assert geo_area == pytest.approx(plane_area, rel=1e-4)  # 0.001″ ≈ 0.03 m rounding
    gdf = gpd.GeoDataFrame(
        {"number": ["G1"], "name": ["框"]},
        geometry=[box(28_500_000, 4_900_000, 28_501_000, 4_901_000)],
        crs="EPSG:4516",
    )
    cf = parse_boundary_txt(format_boundary_txt(gdf, units="degree"))
    assert cf.crs.geographic
    assert to_geodataframe(cf)["area_km2"].iloc[0] == pytest.approx(1.0, rel=1e-4)


@st.composite
def _xinjiang_plots(draw: st.DrawFn) -> Plot:
    lat = draw(st.floats(min_value=35.0, max_value=49.0))
    lon = draw(st.floats(min_value=73.5, max_value=95.5))
    n = draw(st.integers(min_value=3, max_value=10))
    radius = draw(st.floats(min_value=0.002, max_value=0.1))  # ~200 m to ~10 km
    start = draw(st.floats(min_value=0, max_value=2 * math.pi))
    step = (-1 if draw(st.booleans()) else 1) * 2 * math.pi / n
    points = [
        Point(
            f"J{k + 1}",
            lat + radius * math.sin(start + k * step),
            lon + radius * math.cos(start + k * step) / math.cos(math.radians(lat)),
        )
        for k in range(n)
    ]
    return Plot(draw(st.from_regex(r"[A-Z]{1,3}-[0-9]{1,3}", fullmatch=True)), "区块",
                rings=[Ring(1, points)])  # fmt: skip


@settings(deadline=None, max_examples=60)
@given(st.lists(_xinjiang_plots(), min_size=1, max_size=3))
def test_dms_write_read_round_trip(plots: list[Plot]) -> None:
    cf = parse_boundary_txt(format_boundary_txt(plots, units="dms"))
    assert cf.crs.epsg == 4490 and cf.crs.geographic
    for before, after in zip(plots, cf.plots, strict=True):
        b_ring, a_ring = before.rings[0].points, after.rings[0].points
        assert len(a_ring) == len(b_ring)
        for b, a in zip(b_ring, a_ring, strict=True):  # original order, seconds to 3 decimals
            assert a.name == b.name
            assert abs(a.x_northing - b.x_northing) * 3600 <= 0.001  # 0.001″ ≈ 0.03 m
            assert abs(a.y_easting - b.y_easting) * 3600 <= 0.001
        assert after.stated_area is not None and after.stated_area > 0


def test_packed_values_under_unit_degree_and_registration_without_unit() -> None:
    packed = [
        f"{n},{r},{format_dms(parse_dms(x), style='packed')},"
        f"{format_dms(parse_dms(y), style='packed')}"
        for n, r, x, y in (line.split(",") for line in GEO_SQUARE)
    ]
    cf = parse_boundary_txt(_geo_text(*packed, unit="度"))
    assert cf.plots[0].rings[0].points[0].x_northing == pytest.approx(_deg(44, 25, 0))
    rows = [f"XY{i:03d}={i},{line.split(',', 2)[2]}" for i, line in enumerate(packed[:4], 1)]
    text = "[登记项目]\n" + "\n".join(rows) + "\nXY005=标高,,,,1\n"
    reg = parse_registration_txt(text, datum="Xian 1980")
    assert (reg.crs.epsg, reg.crs.geographic) == (4610, True)
    assert plot_geometry(reg.plots[0]).area == pytest.approx((1 / 60) ** 2)


def test_stray_dms_value_in_plane_file_is_reported_on_its_line() -> None:
    lines = list(SQUARE)
    lines[1] = "J2,1,44°25′00.000″,84°11′00.000″"
    err = _error(_text(*lines))
    assert err.line == FIRST_POINT_LINE + 1 and "not a Gauss-Kruger" in str(err)
    assert "problems" not in str(err)


def test_registration_dms_write_read_and_unit_mismatch() -> None:
    cf = read_boundary_txt(DMS_SYMBOLS)
    plot = cf.plots[1]  # rectangle with a hole
    data = format_registration_txt(plot)  # degrees → written as DMS
    assert "44°23′00.000″".encode("gbk") in data
    back = parse_registration_txt(data)
    assert back.crs.geographic and [r.flag for r in back.plots[0].rings] == [1, -1]
    assert plot_geometry(back.plots[0]).equals(plot_geometry(plot))
    with pytest.raises(CoordinateFileError, match="units='dms'"):
        format_registration_txt(plot, units="metre")
    with pytest.raises(CoordinateFileError, match="units='metre'"):
        format_registration_txt(read_registration_txt(REGISTRATION).plots[0], units="dms")
    with pytest.raises(CoordinateFileError, match="units='dms'"):
        format_boundary_txt(cf.plots, zone=28)


def test_boundary_writer_names_points_as_the_corner_table_does() -> None:
    import geopandas as gpd

    from mineplan.io.corners import corner_table

    outer = [(84.0, 44.0), (84.02, 44.0), (84.02, 44.02), (84.0, 44.02)]  # anticlockwise
    hole = [(84.005, 44.005), (84.005, 44.01), (84.01, 44.01), (84.01, 44.005)]
    frame = gpd.GeoDataFrame({"number": ["A"]}, geometry=[Polygon(outer, [hole])], crs=4490)
    table = corner_table(frame.geometry, plane_crs=4516)
    expected = {
        (int(r.ring), r.point): (round(r.x, 2), round(r.y, 2)) for r in table.itertuples()
    }
    cf = parse_boundary_txt(format_boundary_txt(frame, zone=28))
    written = {
        (ring.ring_no, p.name): (p.x_northing, p.y_easting)
        for ring in cf.plots[0].rings
        for p in ring.points
    }
    assert written == expected and len(written) == 8
    # vertices in their original order and numbering (issue 10 §4: not J1, J4, J3, J2)
    assert [p.name for p in cf.plots[0].rings[0].points] == ["J1", "J2", "J3", "J4"]
