"""Tests for mineplan.io.coordinates.read_coordinates: coordinate tables as pasted (issue 10).

Every table here is made up, in the forms public notices (出让公告/公示), web pages and
converters print them; zone 28 is the 3-degree zone at 84°E. Expected corners are the
numbers as written; expected areas are computed independently of mineplan: the
corners inverse-projected with pyproj and measured with pyproj.Geod on GRS 80 (the
CGCS2000 ellipsoid), which agrees with the TD/T 1055 formula far below the 1e-6
tolerance used.
"""

from __future__ import annotations

import math
from pathlib import Path

import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mineplan.errors import CoordinateFileError
from mineplan.io.coordinates import CoordinateChoiceError, read_coordinates

GEOD = pyproj.Geod(ellps="GRS80")

# A 1000 m × 1000 m square in zone 28 (prefixed eastings), corners as printed.
SQUARE = [
    ("1", 4851234.56, 28512345.67),
    ("2", 4851234.56, 28513345.67),
    ("3", 4850234.56, 28513345.67),
    ("4", 4850234.56, 28512345.67),
]


def geod_area_km2(corners: list[tuple[float, float]], epsg: int) -> float:
    """Area of (easting, northing) corners in EPSG:``epsg`` by pyproj.Geod, km²."""
    to_lonlat = pyproj.Transformer.from_crs(epsg, 4490, always_xy=True)
    lon, lat = to_lonlat.transform([c[0] for c in corners], [c[1] for c in corners])
    area, _ = GEOD.polygon_area_perimeter(lon, lat)
    return abs(area) / 1e6


def lonlat_area_km2(corners: list[tuple[float, float]]) -> float:
    area, _ = GEOD.polygon_area_perimeter([c[0] for c in corners], [c[1] for c in corners])
    return abs(area) / 1e6


SQUARE_EN = [(y, x) for _, x, y in SQUARE]
SQUARE_KM2 = geod_area_km2(SQUARE_EN, 4516)


def exterior(frame, row: int = 0) -> list[tuple[float, float]]:
    return list(frame.geometry.iloc[row].exterior.coords)[:-1]


def flat(points: list[tuple[float, float]]) -> list[float]:
    return [v for xy in points for v in xy]


def assert_square(frame) -> None:
    assert len(frame) == 1
    assert frame.crs.to_epsg() == 4516
    assert exterior(frame) == SQUARE_EN
    assert frame["area_km2"].iloc[0] == pytest.approx(SQUARE_KM2, rel=1e-6)


def test_the_square_is_a_square_km():
    # hand check: 1 km × 1 km, 12 km east of 84°E at 43.8°N: within 0.01 % of 1 km²
    assert abs(SQUARE_KM2 - 1.0) < 1e-4


# ------------------------------------------------------------------ the examples


def test_pipes_web_table():
    text = "| 序号 | X | Y |\n|---|---|---|\n" + "".join(
        f"| {n} | {x:.2f} | {y:.2f} |\n" for n, x, y in SQUARE
    )
    frame = read_coordinates(text)
    assert_square(frame)
    assert frame.attrs["point_names"] == [[["1", "2", "3", "4"]]]
    assert frame["datum"].iloc[0] == "CGCS2000"
    assert any("assumed CGCS2000" in n and n.startswith("line 3:") for n in frame.attrs["notes"])


def test_tabs_header_with_units():
    text = "拐点编号\tX坐标(m)\tY坐标(m)\n" + "".join(
        f"{n}\t{x:.2f}\t{y:.2f}\n" for n, x, y in SQUARE
    )
    assert_square(read_coordinates(text))


def test_one_cell_per_line():
    text = "序号\nX\nY\n" + "".join(f"{n}\n{x:.2f}\n{y:.2f}\n" for n, x, y in SQUARE)
    assert_square(read_coordinates(text))
    # and without any header
    assert_square(read_coordinates("".join(f"{n}\n{x:.2f}\n{y:.2f}\n" for n, x, y in SQUARE)))


def test_one_cell_per_line_in_the_headers_column_order():
    # the header puts 点号 last (X, Y, 点号) or Y first (Y, X, 点号); each run of three
    # cells is one point in that order — the same square as printed (SQUARE)
    text = "X\nY\n点号\n" + "".join(f"{x:.2f}\n{y:.2f}\n{n}\n" for n, x, y in SQUARE)
    assert text.startswith("X\nY\n点号\n4851234.56\n28512345.67\n1\n4851234.56\n")
    frame = read_coordinates(text)
    assert_square(frame)
    assert frame.attrs["point_names"] == [[["1", "2", "3", "4"]]]
    text = "Y\nX\n点号\n" + "".join(f"{y:.2f}\n{x:.2f}\n{n}\n" for n, x, y in SQUARE)
    assert_square(read_coordinates(text))


def test_glued_numbers_semicolons_full_stop():
    text = ";".join(f"{n}.{x:.2f},{y:.2f}" for n, x, y in SQUARE) + "。"
    assert text.startswith("1.4851234.56,28512345.67;2.4851234.56,28513345.67;")
    assert_square(read_coordinates(text))


def test_full_width_punctuation():
    text = "；".join(f"{n}.{x:.2f}，{y:.2f}" for n, x, y in SQUARE) + "。"
    assert_square(read_coordinates(text))


# DMS corners: hand-converted, 84°05′12.345″ = 84 + 5/60 + 12.345/3600
LON_W = 84 + 5 / 60 + 12.345 / 3600
LON_E = 84 + 6 / 60 + 12.345 / 3600
LAT_N = 44 + 12 / 60 + 30.123 / 3600
LAT_S = 44 + 11 / 60 + 30.123 / 3600
DMS_CORNERS = [(LON_W, LAT_N), (LON_E, LAT_N), (LON_E, LAT_S), (LON_W, LAT_S)]


@pytest.mark.parametrize(
    "second_mark", ["″", '"', "''"], ids=["double-prime", "quote", "two-apostrophes"]
)
def test_dms_cells_longitude_first(second_mark):
    def dms(d: int, m: int, s: str) -> str:
        return f"{d}°{m:02d}′{s}{second_mark}"

    rows = [
        (dms(84, 5, "12.345"), dms(44, 12, "30.123")),
        (dms(84, 6, "12.345"), dms(44, 12, "30.123")),
        (dms(84, 6, "12.345"), dms(44, 11, "30.123")),
        (dms(84, 5, "12.345"), dms(44, 11, "30.123")),
    ]
    text = "| 点号 | 经度 | 纬度 |\n" + "".join(
        f"| {i} | {lon} | {lat} |\n" for i, (lon, lat) in enumerate(rows, 1)
    )
    frame = read_coordinates(text)
    assert frame.crs.to_epsg() == 4490
    assert flat(exterior(frame)) == pytest.approx(flat(DMS_CORNERS), abs=1e-12)
    assert frame["area_km2"].iloc[0] == pytest.approx(lonlat_area_km2(DMS_CORNERS), rel=1e-6)


def test_dms_latitude_first_header():
    text = "点号\t纬度\t经度\n1\t44°12′30.123″\t84°05′12.345″\n2\t44°12′30.123″\t84°06′12.345″\n" \
           "3\t44°11′30.123″\t84°06′12.345″\n4\t44°11′30.123″\t84°05′12.345″\n"
    frame = read_coordinates(text)
    assert flat(exterior(frame)) == pytest.approx(flat(DMS_CORNERS), abs=1e-12)


def test_decimal_degrees():
    text = "| 点号 | 经度 | 纬度 |\n" + "".join(
        f"| {i} | {lon:.8f} | {lat:.8f} |\n" for i, (lon, lat) in enumerate(DMS_CORNERS, 1)
    )
    frame = read_coordinates(text)
    assert frame.crs.to_epsg() == 4490
    assert flat(exterior(frame)) == pytest.approx(flat(DMS_CORNERS), abs=1e-8)


def test_two_points_per_row_read_in_point_number_order():
    text = (
        "| 点号 | X | Y | 点号 | X | Y |\n"
        "| 1 | 4851234.56 | 28512345.67 | 3 | 4850234.56 | 28513345.67 |\n"
        "| 2 | 4851234.56 | 28513345.67 | 4 | 4850234.56 | 28512345.67 |\n"
    )
    frame = read_coordinates(text)
    assert_square(frame)
    assert any("point-number order" in n for n in frame.attrs["notes"])


def test_two_points_per_row_odd_count_leaves_a_blank_cell():
    text = (
        "| 点号 | X | Y | 点号 | X | Y |\n"
        "| 1 | 4851234.56 | 28512345.67 | 3 | 4850234.56 | 28513345.67 |\n"
        "| 2 | 4851234.56 | 28513345.67 |  |  |  |\n"
    )
    frame = read_coordinates(text)
    assert exterior(frame) == SQUARE_EN[:3]


def test_several_pairs_take_the_cgcs2000_pair():
    text = "| 点号 | X(西安80) | Y(西安80) | X(2000) | Y(2000) |\n" + "".join(
        f"| {n} | {x - 34.56:.2f} | {y - 45.67:.2f} | {x:.2f} | {y:.2f} |\n" for n, x, y in SQUARE
    )
    frame = read_coordinates(text)
    assert_square(frame)
    assert frame["datum"].iloc[0] == "CGCS2000"
    assert any("CGCS2000 pair" in n for n in frame.attrs["notes"])


def test_several_pairs_without_cgcs2000_are_refused():
    text = "| 点号 | X(西安80) | Y(西安80) | X(北京54) | Y(北京54) |\n" + "".join(
        f"| {n} | {x:.2f} | {y:.2f} | {x:.2f} | {y:.2f} |\n" for n, x, y in SQUARE
    )
    with pytest.raises(CoordinateFileError, match="no CGCS2000 pair"):
        read_coordinates(text)


def test_four_numbers_per_point_without_header_are_refused_not_mixed():
    text = "".join(f"{n},{x:.2f},{y:.2f},{x:.2f},{y:.2f}\n" for n, x, y in SQUARE)
    with pytest.raises(CoordinateFileError, match=r"line 1.*header row"):
        read_coordinates(text)


def test_elevation_row_terminator_and_stated_area():
    # a 100 m × 1234 m rectangle: 0.1234 km² on the plane
    corners = [
        ("1", 4851234.56, 28512345.67),
        ("2", 4851234.56, 28512445.67),
        ("3", 4850000.56, 28512445.67),
        ("4", 4850000.56, 28512345.67),
    ]
    text = "".join(f"{n},{x:.2f},{y:.2f}\n" for n, x, y in corners)
    text += "*,1215,1080\n5 | 0 | 0\n面积 0.1234平方千米\n"
    frame = read_coordinates(text)
    row = frame.iloc[0]
    expected = geod_area_km2([(y, x) for _, x, y in corners], 4516)
    assert exterior(frame) == [(y, x) for _, x, y in corners]
    assert (row.top_m, row.bottom_m) == (1215.0, 1080.0)
    assert (row.stated_area, row.stated_area_unit) == (0.1234, "平方千米")
    assert row.area_km2 == pytest.approx(expected, rel=1e-6)
    assert row.area_difference == pytest.approx(expected - 0.1234, abs=expected * 1e-6)
    notes = frame.attrs["notes"]
    assert any(n.startswith("line 6:") and "terminator" in n for n in notes)
    assert any(n.startswith("line 7:") and "stated area 0.1234 平方千米" in n for n in notes)


@pytest.mark.parametrize(
    ("line", "value", "unit", "per_km2"),
    [
        ("面积：1000000平方米", 1_000_000.0, "平方米", 1e6),
        ("矿区面积为100公顷", 100.0, "公顷", 100.0),
        ("面积(平方千米) 1.0000", 1.0, "平方千米", 1.0),
        ("面积 1 km²", 1.0, "km2", 1.0),
    ],
)
def test_stated_area_unit_read_from_the_text(line, value, unit, per_km2):
    text = "".join(f"{n},{x:.2f},{y:.2f}\n" for n, x, y in SQUARE) + line + "\n"
    row = read_coordinates(text).iloc[0]
    assert (row.stated_area, row.stated_area_unit) == (value, unit)
    assert row.area_difference == pytest.approx(
        SQUARE_KM2 * per_km2 - value, abs=SQUARE_KM2 * per_km2 * 1e-6
    )


def test_stated_area_without_unit_is_kept_not_compared():
    text = "".join(f"{n},{x:.2f},{y:.2f}\n" for n, x, y in SQUARE) + "面积 1.0000\n"
    frame = read_coordinates(text)
    row = frame.iloc[0]
    assert row.stated_area == 1.0 and row.stated_area_unit is None
    assert math.isnan(row.area_difference)
    assert any("no unit" in n for n in frame.attrs["notes"])


def _block(dy: float) -> str:
    return "".join(f"{n},{x:.2f},{y + dy:.2f}\n" for n, x, y in SQUARE)


@pytest.mark.parametrize(
    "separator",
    ["区块二\n", "*\n", "| 点号 | X | Y |\n"],
    ids=["block-name", "star", "new-header"],
)
def test_several_blocks(separator):
    text = "区块一\n" + _block(0) + separator + _block(5000)
    frame = read_coordinates(text)
    assert len(frame) == 2
    assert list(frame["block"]) == [1, 2]
    assert frame["name"].iloc[0] == "区块一"
    assert exterior(frame, 1) == [(e + 5000, n) for e, n in SQUARE_EN]
    if separator == "区块二\n":
        assert frame["name"].iloc[1] == "区块二"


def test_elevation_rows_close_blocks_each_with_its_own_limits():
    text = _block(0) + "*,1215,1080\n" + _block(5000) + "*,1300,1100\n"
    frame = read_coordinates(text)
    assert list(frame["top_m"]) == [1215.0, 1300.0]
    assert list(frame["bottom_m"]) == [1080.0, 1100.0]


HOLE = [
    ("5", 4850934.56, 28512645.67),
    ("6", 4850934.56, 28512945.67),
    ("7", 4850634.56, 28512945.67),
    ("8", 4850634.56, 28512645.67),
]


@pytest.mark.parametrize("marker", ["挖空区\n", "圈号 2\n"])
def test_hole_marker(marker):
    text = _block(0) + marker + "".join(f"{n},{x:.2f},{y:.2f}\n" for n, x, y in HOLE)
    frame = read_coordinates(text)
    geom = frame.geometry.iloc[0]
    assert len(frame) == 1 and geom.geom_type == "Polygon"
    assert list(geom.interiors[0].coords)[:-1] == [(y, x) for _, x, y in HOLE]
    hole_km2 = geod_area_km2([(y, x) for _, x, y in HOLE], 4516)
    assert frame["area_km2"].iloc[0] == pytest.approx(SQUARE_KM2 - hole_km2, rel=1e-6)


def test_registration_rows_with_flag_minus_one_make_a_hole():
    text = _block(0) + "*,1215,1080,,1\n" + "".join(
        f"{n},{x:.2f},{y:.2f}\n" for n, x, y in HOLE
    ) + "*,1215,1080,,-1\n"
    frame = read_coordinates(text)
    assert len(frame) == 1
    assert len(frame.geometry.iloc[0].interiors) == 1


def test_ring_column():
    text = "点号,圈号,X,Y\n" + "".join(f"{n},1,{x:.2f},{y:.2f}\n" for n, x, y in SQUARE) + "".join(
        f"{n},2,{x:.2f},{y:.2f}\n" for n, x, y in HOLE
    )
    geom = read_coordinates(text).geometry.iloc[0]
    assert len(geom.interiors) == 1


def test_closing_repeat_is_dropped():
    rows = [*SQUARE, SQUARE[0]]
    assert_square(read_coordinates("".join(f"{n},{x:.2f},{y:.2f}\n" for n, x, y in rows)))


def test_easting_first_is_read_by_value():
    text = "| 序号 | X | Y |\n" + "".join(f"| {n} | {y:.2f} | {x:.2f} |\n" for n, x, y in SQUARE)
    frame = read_coordinates(text)
    assert_square(frame)
    assert any("GIS order" in n for n in frame.attrs["notes"])


# ------------------------------------------------------------------ zone and CRS


def test_no_zone_prefix_asks_for_the_zone():
    text = "".join(f"{n},{x:.2f},{round(y - 28e6, 2):.2f}\n" for n, x, y in SQUARE)
    with pytest.raises(CoordinateChoiceError, match=r"line 1: .*--zone") as info:
        read_coordinates(text)
    assert info.value.option == "zone" and info.value.line == 1
    frame = read_coordinates(text, zone=28)
    assert frame.crs.to_epsg() == 4537  # CGCS2000 3-degree CM 84E, no prefix
    assert exterior(frame) == [(round(e - 28e6, 2), n) for e, n in SQUARE_EN]
    assert frame["area_km2"].iloc[0] == pytest.approx(SQUARE_KM2, rel=1e-6)
    assert read_coordinates(text, crs="EPSG:4537").crs.to_epsg() == 4537


def test_zone_stated_in_the_text():
    text = "2000国家大地坐标系，3度带，带号28\n" + "".join(
        f"{n},{x:.2f},{round(y - 28e6, 2):.2f}\n" for n, x, y in SQUARE
    )
    frame = read_coordinates(text)
    assert frame.crs.to_epsg() == 4537
    rows = "".join(f"{n},{x:.2f},{round(y - 28e6, 2):.2f}\n" for n, x, y in SQUARE)
    text = "中央经线 84°\n" + rows
    assert read_coordinates(text).crs.to_epsg() == 4537


def test_zone_argument_contradicting_the_prefix_is_refused():
    with pytest.raises(CoordinateChoiceError, match="--zone 29"):
        read_coordinates(_block(0), zone=29)


def test_xian80_datum_stated():
    frame = read_coordinates("1980西安坐标系\n" + _block(0))
    assert frame["datum"].iloc[0] == "Xian 1980"
    assert "Xian 1980" in frame.crs.name


def test_metres_are_never_read_as_degrees():
    with pytest.raises(CoordinateChoiceError, match="--crs EPSG:4490 is a geographic CRS"):
        read_coordinates(_block(0), crs="EPSG:4490")


def test_implausible_numbers_are_refused_with_their_line():
    text = _block(0) + "5,123456.78,9876543.21\n"
    with pytest.raises(CoordinateFileError, match=r"line 5: .*not a Gauss-Kruger"):
        read_coordinates(text)


def test_degrees_and_metres_mixed_are_refused():
    text = _block(0) + "5,44.123456,84.123456\n"
    with pytest.raises(CoordinateFileError, match="line 5"):
        read_coordinates(text)


def test_nothing_to_read():
    with pytest.raises(CoordinateFileError):
        read_coordinates("只有文字，没有坐标\n")


# ------------------------------------------------------------------ existing formats


FIXTURES = Path(__file__).parent / "fixtures" / "coords"


def test_boundary_file_through_read_coordinates():
    frame = read_coordinates(FIXTURES / "multi_plot_hole_gbk.txt")
    assert frame.attrs["source_format"] == "boundary TXT"
    assert frame.attrs["encoding"] == "gbk"
    assert len(frame) == 2
    assert set(frame["stated_area_unit"]) <= {"公顷", "平方米", "平方千米", "亩", None}


def test_registration_with_trailing_empty_fields():
    text = "".join(
        f"XY{i:03d}={n},{x:.2f},{y:.2f}, , ,\n" for i, (n, x, y) in enumerate(SQUARE, 1)
    ) + "XY005=*,1215,1080,,1\n"
    frame = read_coordinates(text.encode("gbk"))
    assert frame.attrs["source_format"] == "registration TXT"
    assert_square(frame)
    assert (frame["top_m"].iloc[0], frame["bottom_m"].iloc[0]) == (1215.0, 1080.0)


def test_block_string():
    coords = ",".join(f"{x:.2f},{y:.2f}" for _, x, y in SQUARE)
    frame = read_coordinates(f"1,4,{coords},0,1215,1080")
    assert_square(frame)
    assert frame["top_m"].iloc[0] == 1215.0


def test_dms_file_through_read_coordinates():
    frame = read_coordinates(FIXTURES / "dms_symbols_gbk.txt")
    assert frame.crs.to_epsg() == 4490


def test_path_bytes_and_text_agree(tmp_path):
    text = "| 序号 | X | Y |\n" + "".join(f"| {n} | {x:.2f} | {y:.2f} |\n" for n, x, y in SQUARE)
    path = tmp_path / "table.txt"
    path.write_bytes(text.encode("gbk"))
    for source in (path, str(path), text.encode("utf-8"), text):
        assert_square(read_coordinates(source))


# ------------------------------------------------------------------ re-pasting


def _render(points: list[tuple[str, float, float]], style: str) -> str:
    if style == "pipes":
        rows = "".join(f"| {n} | {x:.2f} | {y:.2f} |\n" for n, x, y in points)
        return "| 点号 | X | Y |\n" + rows
    if style == "tabs":
        return "点号\tX坐标\tY坐标\n" + "".join(f"{n}\t{x:.2f}\t{y:.2f}\n" for n, x, y in points)
    if style == "cells":
        return "".join(f"{n}\n{x:.2f}\n{y:.2f}\n" for n, x, y in points)
    if style == "cells-name-last":  # header and cells one per line, 点号 after X and Y
        return "X\nY\n点号\n" + "".join(f"{x:.2f}\n{y:.2f}\n{n}\n" for n, x, y in points)
    if style == "cells-y-first":  # Y, X, 点号 one per line
        return "Y\nX\n点号\n" + "".join(f"{y:.2f}\n{x:.2f}\n{n}\n" for n, x, y in points)
    if style == "glued":
        return ";".join(f"{n}.{x:.2f},{y:.2f}" for n, x, y in points) + "。"
    if style == "spaces":
        return "".join(f"{n}  {x:.2f}  {y:.2f}\n" for n, x, y in points)
    # two points per row, the second half of the list on the right
    half = (len(points) + 1) // 2
    lines = ["| 点号 | X | Y | 点号 | X | Y |"]
    for i in range(half):
        left = points[i]
        right = points[i + half] if i + half < len(points) else None
        cells = [left[0], f"{left[1]:.2f}", f"{left[2]:.2f}"]
        cells += [right[0], f"{right[1]:.2f}", f"{right[2]:.2f}"] if right else ["", "", ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=3, max_value=12),
    north=st.integers(min_value=3_500_000, max_value=4_500_000),
    east=st.integers(min_value=400_000, max_value=600_000),
    zone=st.sampled_from([28, 36, 39]),  # 84°E, 108°E, 117°E: in China at 31–41°N
    radius=st.integers(min_value=50, max_value=5_000),
    jitter=st.lists(st.floats(min_value=0.0, max_value=0.4), min_size=12, max_size=12),
)
def test_repasted_with_other_separators_reads_to_the_same_polygon(
    n, north, east, zone, radius, jitter
):
    # a convex polygon: n corners on a circle, angles jittered, coordinates to 2 decimals
    points = []
    for k in range(n):
        angle = 2 * math.pi * (k + jitter[k]) / n
        x = round(north + radius * math.cos(angle), 2)
        y = round(zone * 1e6 + east + radius * math.sin(angle), 2)
        points.append((str(k + 1), x, y))
    expected = [(y, x) for _, x, y in points]
    for style in ("pipes", "tabs", "cells", "cells-name-last", "cells-y-first", "glued",
                  "spaces", "two-per-row"):
        frame = read_coordinates(_render(points, style))
        assert len(frame) == 1, style
        assert frame.crs.to_epsg() == 4513 + zone - 25 + 0, style  # CGCS2000 zone 25 = 4513
        assert exterior(frame) == expected, style


# ------------------------------------------------------------------ through the one door


def test_read_geometry_file_reads_a_table_txt(tmp_path):
    from mineplan.io.readers import coordinate_file_kind, read_geometry_file

    path = tmp_path / "notice.txt"
    text = "| 序号 | X | Y |\n" + "".join(f"| {n} | {x:.2f} | {y:.2f} |\n" for n, x, y in SQUARE)
    path.write_bytes((text + "面积 1.0000平方千米\n").encode("gbk"))
    assert coordinate_file_kind(path) is None  # not a strict layout
    result = read_geometry_file(path)
    assert result.source_format == "coordinate TXT (coordinate table, gbk)"
    assert_square(result.frame)
    assert any("stated area 1 平方千米" in w for w in result.warnings)
    plain = tmp_path / "plain.txt"
    plain.write_text("".join(f"{n},{x:.2f},{round(y - 28e6, 2):.2f}\n" for n, x, y in SQUARE))
    with pytest.raises(CoordinateChoiceError, match="--zone"):
        read_geometry_file(plain)
    result = read_geometry_file(plain, zone=28)
    assert result.frame.crs.to_epsg() == 4537 and result.crs_source == "zone argument"


def test_coords_info_prints_a_table_txt(tmp_path, capsys):
    from mineplan.cli import main

    path = tmp_path / "notice.txt"
    text = "| 序号 | X | Y |\n" + "".join(f"| {n} | {x:.2f} | {y:.2f} |\n" for n, x, y in SQUARE)
    path.write_text(text + "面积 1.0000平方千米\n", encoding="utf-8")
    assert main(["coords", "info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "EPSG:4516" in out and "1.0000 km²" in out
    # the stated area is compared once (in the block's lines), not again as a note; the
    # other reader notes are printed, each once
    assert out.count("stated area") == 1 and "  stated area: 1 平方千米;" in out
    notes = [line for line in out.splitlines() if line.startswith(("note:", "warning:"))]
    assert notes == ["note:      line 2: datum not stated: assumed CGCS2000 (2000国家大地坐标系)"]


def test_describe_coordinates_lists_blocks_corners_and_areas():
    from mineplan.io.coordinates import describe_coordinates

    text = "区块一\n" + _block(0) + "面积 100公顷\n"
    lines = describe_coordinates(read_coordinates(text))
    assert lines[0].startswith("CRS:") and "EPSG:4516" in lines[0]
    assert "block 1 区块一: 1 ring(s), 4 corners" in lines
    assert "        1  X 4851234.56  Y 28512345.67" in lines
    assert f"  official area (TD/T 1055): {SQUARE_KM2:.4f} km²" in lines
    # computed in the stated unit to its display decimals (公顷: 4), no "does not round"
    # remark: 100 公顷 and the computed area round to the same 0.0001 km²
    stated = next(line for line in lines if line.startswith("  stated area:"))
    assert stated.startswith(f"  stated area: 100 公顷; computed {SQUARE_KM2 * 100:.4f} 公顷")
    assert "does not round" not in stated


# ------------------------------------------------------------------ the check page's paste box


def test_paste_box_reads_tables():
    from mineplan.io.proposals import parse_pasted_proposal

    text = "| 序号 | X | Y |\n" + "".join(f"| {n} | {x:.2f} | {y:.2f} |\n" for n, x, y in SQUARE)
    parsed = parse_pasted_proposal(text + "面积 1.0000平方千米\n")
    assert parsed.frame.crs.to_epsg() == 4516
    assert list(parsed.frame.geometry.iloc[0].exterior.coords)[:-1] == SQUARE_EN
    assert "粘贴的坐标表" in parsed.source
    assert any("stated area" in n for n in parsed.notes)
    # glued, one cell per line, several blocks
    glued = ";".join(f"{n}.{x:.2f},{y:.2f}" for n, x, y in SQUARE) + "。"
    assert parse_pasted_proposal(glued).frame.geometry.iloc[0].equals(parsed.frame.geometry.iloc[0])
    cells = "".join(f"{n}\n{x:.2f}\n{y:.2f}\n" for n, x, y in SQUARE)
    assert parse_pasted_proposal(cells).frame.geometry.iloc[0].equals(parsed.frame.geometry.iloc[0])
    two = parse_pasted_proposal("区块一\n" + _block(0) + "区块二\n" + _block(5000))
    assert list(two.frame["name"]) == ["区块一", "区块二"]


def test_paste_box_keeps_double_primes_in_dms_cells():
    from mineplan.io.proposals import parse_pasted_proposal

    text = "| 点号 | 经度 | 纬度 |\n" + "".join(
        f"| {i} | {lon} | {lat} |\n"
        for i, (lon, lat) in enumerate(
            [("84°05′12.345″", "44°12′30.123″"), ("84°06′12.345″", "44°12′30.123″"),
             ("84°06′12.345″", "44°11′30.123″"), ("84°05′12.345″", "44°11′30.123″")], 1)
    )
    frame = parse_pasted_proposal(text).frame
    assert frame.crs.to_epsg() == 4490
    assert flat(exterior(frame)) == pytest.approx(flat(DMS_CORNERS), abs=1e-12)


def test_paste_box_asks_for_the_zone_in_chinese():
    from mineplan.io.proposals import parse_pasted_proposal

    text = "| 序号 | X | Y |\n" + "".join(
        f"| {n} | {x:.2f} | {round(y - 28e6, 2):.2f} |\n" for n, x, y in SQUARE
    )
    with pytest.raises(CoordinateFileError, match=r"第 2 行：东坐标没有带号前缀.*“带号”"):
        parse_pasted_proposal(text)
    assert parse_pasted_proposal(text, zone=28).frame.crs.to_epsg() == 4537


def test_uploaded_table_txt_is_read():
    from mineplan.io.proposals import read_coordinate_upload

    text = "拐点编号\tX坐标\tY坐标\n" + "".join(f"{n}\t{x:.2f}\t{y:.2f}\n" for n, x, y in SQUARE)
    parsed = read_coordinate_upload("公告.txt", text.encode("gbk"), max_mb=1)
    assert parsed.frame.crs.to_epsg() == 4516
    assert list(parsed.frame.geometry.iloc[0].exterior.coords)[:-1] == SQUARE_EN


# ------------------------------------------------------------------ more variants of notices


@pytest.mark.parametrize(
    "row",
    [
        "{n}, X={x:.2f}, Y={y:.2f}",
        "{n}号 X：{x:.2f} Y：{y:.2f}",
        "拐点{n}  {x:.2f}  {y:.2f}",
        "J{n},{x:.2f}m,{y:.2f}m",
        "{n},{x:.2f},{y:.2f}, , ,",
    ],
    ids=["labels", "hao-full-width-colon", "guaidian", "metre-suffix", "trailing-empty"],
)
def test_plane_row_variants(row):
    text = "\n".join(row.format(n=n, x=x, y=y) for n, x, y in SQUARE) + "\n"
    assert_square(read_coordinates(text))


@pytest.mark.parametrize(
    "row",
    [
        "拐点{n} 东经{lon} 北纬{lat}",
        "{n} 经度:{lon} 纬度:{lat}",
        "J{n} {lat} {lon}",
    ],
)
def test_dms_row_variants(row):
    corners = [
        ("84°05′12.345″", "44°12′30.123″"), ("84度06分12.345秒", "44度12分30.123秒"),
        ("84°06′12.345″E", "44°11′30.123″N"), ("84°05'12.345\"", "44°11'30.123\""),
    ]
    text = "\n".join(
        row.format(n=n, lon=lon, lat=lat) for n, (lon, lat) in enumerate(corners, 1)
    ) + "\n"
    frame = read_coordinates(text)
    assert frame.crs.to_epsg() == 4490
    assert flat(exterior(frame)) == pytest.approx(flat(DMS_CORNERS), abs=1e-12)


def test_decimal_degrees_with_degree_marks():
    text = "".join(f"{i},{lon:.8f}°,{lat:.8f}°\n" for i, (lon, lat) in enumerate(DMS_CORNERS, 1))
    frame = read_coordinates(text)
    assert flat(exterior(frame)) == pytest.approx(flat(DMS_CORNERS), abs=1e-8)


def test_elevation_sentence_and_area_in_km2():
    text = "开采深度：由1215米至1080米标高\n" + _block(0) + "矿区面积：1.0000km²\n"
    row = read_coordinates(text).iloc[0]
    assert (row.top_m, row.bottom_m) == (1215.0, 1080.0)
    assert (row.stated_area, row.stated_area_unit) == (1.0, "km2")


def test_datum_spanning_two_header_lines():
    text = (
        "| 点号 | 西安80坐标系 | | 2000国家大地坐标系 | |\n| | X | Y | X | Y |\n"
        + "".join(
            f"| {n} | {x - 34.56:.2f} | {y - 45.67:.2f} | {x:.2f} | {y:.2f} |\n"
            for n, x, y in SQUARE
        )
    )
    frame = read_coordinates(text)
    assert_square(frame)
    assert frame["datum"].iloc[0] == "CGCS2000"


def test_datum_line_is_read():
    frame = read_coordinates("2000国家大地坐标系\n" + _block(0))
    assert frame["datum"].iloc[0] == "CGCS2000"
    assert "line 1: datum CGCS2000 as the text states" in frame.attrs["notes"]


def test_coords_convert_keeps_point_numbers_elevation_and_two_decimals(tmp_path):
    from mineplan.cli import main

    source = tmp_path / "notice.txt"
    rows = "".join(f"| {n} | {x:.2f} | {y:.2f} |\n" for n, x, y in SQUARE)
    source.write_text("| 点号 | X | Y |\n" + rows + "*,1215,1080\n", encoding="utf-8")
    boundary, registration = tmp_path / "b.txt", tmp_path / "r.txt"
    assert main(["coords", "convert", str(source), str(boundary)]) == 0
    lines = boundary.read_bytes().decode("gbk").splitlines()
    assert lines[-5:] == [f"{n},1,{x:.2f},{y:.2f}" for n, x, y in [*SQUARE, SQUARE[0]]]
    assert main(["coords", "convert", str(source), str(registration),
                 "--format", "registration"]) == 0
    lines = registration.read_bytes().decode("gbk").splitlines()
    assert lines[3:] == [
        *(f"XY{i:03d}={n},{x:.2f},{y:.2f}" for i, (n, x, y) in enumerate(SQUARE, 1)),
        "XY005=标高,1215,1080,,1",
    ]


def test_seconds_written_as_two_primes_after_nfkc():
    import unicodedata

    from mineplan.io.coordinates import parse_dms

    nfkc = unicodedata.normalize("NFKC", "84°05′12.345″")
    assert nfkc == "84°05′12.345′′"  # the defect of issue 10 §3: ″ becomes ′′
    assert parse_dms(nfkc) == parse_dms("84°05′12.345″") == pytest.approx(LON_W, abs=1e-12)


_FUZZ_PIECES = [
    *"0123456789.,;|\t \n*-+°′″'\"XY", "点号", "面积", "平方千米", "公顷", "挖空", "圈号", "区块",
    "经度", "纬度", "标高", "至", "4851234.56", "28512345.67", "84°05′12.345″", "44°12′30.123″",
    "512345.67", "\n1,", "0",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FUZZ_PIECES), min_size=1, max_size=60))
def test_any_text_is_read_or_refused_with_a_coordinate_file_error(pieces):
    text = "".join(pieces)
    if not text.strip():
        return
    try:
        frame = read_coordinates(text)
    except CoordinateFileError:
        return
    assert len(frame) >= 1 and frame.crs is not None


def test_google_earth_lon_lat_altitude_triples():
    text = " ".join(f"{lon:.8f},{lat:.8f},0" for lon, lat in [*DMS_CORNERS, DMS_CORNERS[0]])
    frame = read_coordinates(text)
    assert frame.crs.to_epsg() == 4490
    assert flat(exterior(frame)) == pytest.approx(flat(DMS_CORNERS), abs=1e-8)
    assert any("altitude" in n for n in frame.attrs["notes"])


def test_hemisphere_letters_before_dms():
    rows = [("44°12′30.123″", "84°05′12.345″"), ("44°12′30.123″", "84°06′12.345″"),
            ("44°11′30.123″", "84°06′12.345″"), ("44°11′30.123″", "84°05′12.345″")]
    text = "".join(f"{i} N{lat} E{lon}\n" for i, (lat, lon) in enumerate(rows, 1))
    frame = read_coordinates(text)
    assert flat(exterior(frame)) == pytest.approx(flat(DMS_CORNERS), abs=1e-12)


def test_areas_per_block_and_a_total():
    text = (
        "区块一\n" + _block(0) + "面积 100公顷\n"
        "区块二\n" + _block(5000) + "面积：1.0000平方千米\n"
        "矿区总面积 2.0000平方千米\n"
    )
    frame = read_coordinates(text)
    assert list(frame["stated_area"]) == [100.0, 1.0]
    assert list(frame["stated_area_unit"]) == ["公顷", "平方千米"]
    total = [n for n in frame.attrs["notes"] if "total stated area 2 平方千米" in n]
    assert total and total[0].startswith("line 13:")


def test_strict_layouts_without_zone_take_the_zone_argument(tmp_path):
    from mineplan.io.readers import read_geometry_file

    rows = "".join(
        f"XY{i:03d}={n},{x:.2f},{round(y - 28e6, 2):.2f}\n" for i, (n, x, y) in enumerate(SQUARE, 1)
    ) + "XY005=标高,1215,1080,,1\n"
    with pytest.raises(CoordinateChoiceError, match="--zone"):
        read_coordinates(rows)
    frame = read_coordinates(rows, zone=28)
    assert frame.crs.to_epsg() == 4537 and frame.attrs["crs_source"] == "zone argument"
    path = tmp_path / "reg.txt"
    path.write_text("[登记项目]\n" + rows, encoding="gbk")
    result = read_geometry_file(path, zone=28)
    assert result.frame.crs.to_epsg() == 4537
    assert result.frame["area_km2"].iloc[0] == pytest.approx(SQUARE_KM2, rel=1e-6)


# ------------------------------------------------------------------ notice-like fixtures


def test_notice_with_two_blocks_two_points_per_row():
    frame = read_coordinates(FIXTURES / "notice_two_blocks_gbk.txt")
    assert frame.attrs["encoding"] == "gbk" and frame.crs.to_epsg() == 4516
    assert list(frame["name"]) == ["区块一", "区块二"]
    assert exterior(frame, 0) == SQUARE_EN  # points 1–4 from two columns, closing 5 dropped
    second = [(28512345.67, 4841234.56), (28512845.67, 4841234.56),
              (28512845.67, 4840734.56), (28512345.67, 4840734.56)]
    assert exterior(frame, 1) == second
    assert list(frame["top_m"]) == [1215.0, 1300.0]
    assert list(frame["bottom_m"]) == [1080.0, 1100.0]
    assert list(frame["stated_area_unit"]) == ["平方千米", "公顷"]
    expected = [SQUARE_KM2, geod_area_km2(second, 4516)]
    assert list(frame["area_km2"]) == pytest.approx(expected, rel=1e-6)
    # the official rounding: 4 decimals of km² match the stated areas
    assert [round(a, 4) for a in frame["area_km2"]] == [1.0, 0.25]
    notes = frame.attrs["notes"]
    assert "line 15: terminator 5, 0, 0 skipped" in notes
    assert any(n.startswith("line 19: total stated area 1.25 平方千米") for n in notes)


def test_notice_dms_tabs_with_area_unit_in_the_header(capsys):
    from mineplan.cli import main

    path = FIXTURES / "notice_dms_tabs_utf8.txt"
    frame = read_coordinates(path)
    assert flat(exterior(frame)) == pytest.approx(flat(DMS_CORNERS), abs=1e-12)
    assert frame.attrs["point_names"] == [[["J1", "J2", "J3", "J4"]]]
    row = frame.iloc[0]
    assert (row.stated_area, row.stated_area_unit) == (246.73, "公顷")
    assert row.area_km2 == pytest.approx(lonlat_area_km2(DMS_CORNERS), rel=1e-6)
    assert round(row.area_km2 * 100, 2) == 246.73
    assert main(["coords", "info", str(path)]) == 0
    assert "EPSG:4490" in capsys.readouterr().out


def _dms_text(millis: int, mark: str) -> str:
    """Thousandths of an arc-second as 84°05′12.345″ (seconds mark ``mark``)."""
    seconds, thousandths = divmod(millis, 1000)
    d, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{d}°{m:02d}′{s:02d}.{thousandths:03d}{mark}"


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(min_value=3, max_value=10),
    lon0=st.integers(min_value=80 * 3_600_000, max_value=120 * 3_600_000),
    lat0=st.integers(min_value=30 * 3_600_000, max_value=45 * 3_600_000),
    radius=st.integers(min_value=2_000, max_value=200_000),  # thousandths of a second
    mark=st.sampled_from(["″", '"', "''"]),
    lat_first=st.booleans(),
)
def test_dms_tables_repasted_read_to_the_same_polygon(n, lon0, lat0, radius, mark, lat_first):
    corners = []
    for k in range(n):
        angle = 2 * math.pi * k / n
        east, north = round(radius * math.sin(angle)), round(radius * math.cos(angle))
        corners.append((lon0 + east, lat0 + north))
    expected = [v / 3_600_000 for lon, lat in corners for v in (lon, lat)]
    head = ("纬度", "经度") if lat_first else ("经度", "纬度")
    rows = [
        (str(k), *((_dms_text(lat, mark), _dms_text(lon, mark)) if lat_first
                   else (_dms_text(lon, mark), _dms_text(lat, mark))))
        for k, (lon, lat) in enumerate(corners, 1)
    ]
    pastes = {
        "pipes": f"| 点号 | {head[0]} | {head[1]} |\n"
        + "".join(f"| {a} | {b} | {c} |\n" for a, b, c in rows),
        "tabs": f"点号\t{head[0]}\t{head[1]}\n" + "".join(f"{a}\t{b}\t{c}\n" for a, b, c in rows),
        "cells": f"点号\n{head[0]}\n{head[1]}\n" + "".join(f"{a}\n{b}\n{c}\n" for a, b, c in rows),
        "spaces": "".join(f"{a} {b} {c}\n" for a, b, c in rows),
    }
    for style, text in pastes.items():
        frame = read_coordinates(text)
        assert frame.crs.to_epsg() == 4490, style
        assert flat(exterior(frame)) == pytest.approx(expected, abs=1e-12), style


def test_uploaded_table_without_zone_prefix_takes_the_zone():
    from mineplan.errors import UploadError
    from mineplan.io.proposals import read_coordinate_upload

    text = "".join(f"{n},{x:.2f},{round(y - 28e6, 2):.2f}\n" for n, x, y in SQUARE)
    with pytest.raises(UploadError, match="带号"):
        read_coordinate_upload("公告.txt", text.encode(), max_mb=1)
    parsed = read_coordinate_upload("公告.txt", text.encode(), max_mb=1, zone=28)
    assert parsed.frame.crs.to_epsg() == 4537
