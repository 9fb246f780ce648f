"""Issue 10 §2: real files that used to be refused or read wrongly.

Vertex-list CSV/XLSX tables, KML/KMZ boundaries drawn as closed paths, nested KML
folders, stated-area units, exchange field codes — and no Python warning reaching
the planner. Every expected value is worked out by hand in the test: the corners
are the file's own numbers, the square is 1000 m × 1000 m (1,000,000 m² = 100 公顷).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from shapely.geometry import box

from mineplan.cli import main as cli_main
from mineplan.errors import CoordinateFileError
from mineplan.importing import area_unit_of_column, match_features
from mineplan.io.coordinates import read_coordinates
from mineplan.io.gis import read_gis_file, readable_layers
from mineplan.io.readers import read_geometry_file
from mineplan.io.uploads import UploadError, check_upload, read_upload, upload_layers

ROOT = Path(__file__).resolve().parents[1]
# A 1000 m square in zone 28 (prefixed eastings): northing X, easting Y, as surveyors write.
CORNERS = [("J1", 4851000.00, 28512000.00), ("J2", 4851000.00, 28513000.00),
           ("J3", 4850000.00, 28513000.00), ("J4", 4850000.00, 28512000.00)]
RING = [(28512000.0, 4851000.0), (28513000.0, 4851000.0),
        (28513000.0, 4850000.0), (28512000.0, 4850000.0)]  # (easting, northing)


def _exterior(geom: shapely.Polygon) -> list[tuple[float, float]]:
    return [tuple(xy[:2]) for xy in geom.exterior.coords[:-1]]


# --------------------------------------------------------------------- CSV, XLSX

@pytest.mark.parametrize(("name", "text", "encoding"), [
    ("bom", "\ufeff编号,X,Y\n" + "".join(f"{i + 1}, {x}, {y}\n"
                                          for i, (_, x, y) in enumerate(CORNERS)), "utf-8"),
    ("gbk", "点号,X坐标,Y坐标\r\n" + "".join(f"{n},{x},{y}\r\n" for n, x, y in CORNERS), "gbk"),
    ("order", "Y,X,点号\n" + "".join(f"{y},{x},{n}\n" for n, x, y in CORNERS), "utf-8"),
    ("units", "拐点坐标表\n\n点号,X(m),Y（m）\n" + "".join(f"{n},{x},{y}\n" for n, x, y in CORNERS)
     + f"J1,{CORNERS[0][1]},{CORNERS[0][2]}\n", "utf-8"),  # title, closing repeat
    ("bare", "X,Y\n" + "".join(f"{x},{y}\n" for _, x, y in CORNERS), "utf-8"),
])
def test_a_vertex_list_csv_is_one_polygon_in_file_order(
    tmp_path: Path, name: str, text: str, encoding: str
) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(text.encode(encoding))
    result = read_geometry_file(path, expect="polygon")
    assert len(result.frame) == 1 and result.frame.crs.to_epsg() == 4516  # CGCS2000 3° zone 28
    assert _exterior(result.frame.geometry.iloc[0]) == RING
    assert any("joined the 4 corners" in w and "into one polygon" in w for w in result.warnings)


@pytest.mark.parametrize(("rows", "names"), [
    ([f"{n},{x},{y}" for n, x, y in CORNERS], ["J1", "J2", "J3", "J4"]),
    ([f"{i},{x},{y}" for i, (_, x, y) in enumerate([*CORNERS, CORNERS[0]], start=5)],
     ["5", "6", "7", "8"]),  # the closing repeat numbered 9 is the ring's end, not a corner
    ([f"{n},{x},{y}" for n, x, y in [*CORNERS[:3], ("", *CORNERS[3][1:])]], None),
])
def test_a_vertex_list_keeps_its_point_numbers_in_the_corner_table(
        tmp_path: Path, rows: list[str], names: list[str] | None) -> None:
    """A CSV's own 点号 name the corners in the findings workbook, figure and report, as a
    coordinate TXT's do; a blank number anywhere: J1… for all (never a mix)."""
    from mineplan.io.corners import corner_table, point_names_of

    path = tmp_path / "corners.csv"
    path.write_text("点号,X,Y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    frame = read_geometry_file(path, expect="polygon").frame
    table = corner_table(frame.geometry, plane_crs=4516, crs=frame.crs,
                         point_names=point_names_of(frame))
    assert list(table["point"]) == (names or ["J1", "J2", "J3", "J4"])
    assert point_names_of(frame) == (None if names is None else [[names]])


def test_plots_of_a_table_and_an_xlsx_keep_their_point_numbers(tmp_path: Path) -> None:
    from mineplan.io.corners import corner_table, point_names_of

    rows = ["地块,点号,X,Y", *(f"甲,{n},{x},{y}" for n, x, y in CORNERS),
            *(f"乙,{i},{x - 10000},{y}" for i, (_, x, y) in enumerate(CORNERS, start=1))]
    path = tmp_path / "plots.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    frame = read_gis_file(path).frame
    table = corner_table(frame.geometry, plane_crs=4516, crs=frame.crs,
                         point_names=point_names_of(frame))
    assert list(table["point"]) == ["J1", "J2", "J3", "J4", "1", "2", "3", "4"]
    sheet = _xlsx(tmp_path / "b.xlsx", {"坐标": [["点号", "X", "Y"], *(
        [i, x, y] for i, (_, x, y) in enumerate(CORNERS, start=1))]})  # numbers, not text
    frame = read_gis_file(sheet, expect="polygon").frame
    assert point_names_of(frame) == [[["1", "2", "3", "4"]]]


def test_a_longitude_latitude_vertex_list_with_dms_cells_is_one_polygon(tmp_path: Path) -> None:
    path = tmp_path / "lonlat.csv"
    path.write_text("编号,纬度,经度\n1,44°12′00″,84°06′00″\n2,44.2,84.11\n3,44.19,84.11\n"
                    "4,44.19,84.1\n", encoding="utf-8")
    result = read_geometry_file(path, expect="polygon")
    assert result.frame.crs.to_epsg() == 4490
    # 44°12′ = 44.2°, 84°06′ = 84.1°
    corners = [v for xy in _exterior(result.frame.geometry.iloc[0]) for v in xy]
    assert corners == pytest.approx([84.1, 44.2, 84.11, 44.2, 84.11, 44.19, 84.1, 44.19])


@pytest.mark.parametrize("plot", ["地块", "地块编号", "DKBH", "dkbh"])
def test_a_plot_column_gives_one_polygon_per_plot(tmp_path: Path, plot: str) -> None:
    rows = [f"{plot},点号,X,Y"]
    rows += [f"甲,{n},{x},{y}" for n, x, y in CORNERS]
    rows += [f"乙,{n},{x - 10000},{y}" for n, x, y in CORNERS]  # 10 km further south
    path = tmp_path / "plots.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    frame = read_gis_file(path).frame
    assert frame[plot].tolist() == ["甲", "乙"] and "点号" not in frame.columns
    assert _exterior(frame.geometry.iloc[1]) == [(e, n - 10000) for e, n in RING]


def test_a_table_of_named_points_stays_points(tmp_path: Path) -> None:
    path = tmp_path / "wells.csv"
    path.write_text("名称,经度,纬度\n井1,84.1,44.2\n井2,84.2,44.3\n井3,84.3,44.2\n",
                    encoding="utf-8")
    frame = read_gis_file(path).frame
    assert list(frame.geom_type) == ["Point"] * 3
    assert frame["名称"].tolist() == ["井1", "井2", "井3"]


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_an_xlsx_vertex_list_is_one_polygon_and_its_sheet_is_a_layer(tmp_path: Path) -> None:
    table: list[list[object]] = [["某矿区拐点坐标"], [], ["Y坐标", "点号", "X坐标"],
                                 *([y, n, x] for n, x, y in CORNERS)]
    path = _xlsx(tmp_path / "a.xlsx", {"坐标": table, "说明": [["备注"]], "空": []})
    assert readable_layers(path) == ["坐标", "说明"]
    with pytest.raises(CoordinateFileError, match=r"2 worksheets \('坐标', '说明'\).*--layer"):
        read_gis_file(path)
    result = read_gis_file(path, layer="坐标", expect="polygon")
    assert _exterior(result.frame.geometry.iloc[0]) == RING and result.source_format == "XLSX"
    with pytest.raises(CoordinateFileError, match="no coordinate columns"):
        read_gis_file(path, layer="说明")


def test_an_xls_workbook_is_refused_saying_to_save_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(CoordinateFileError, match=r"\.xls.*save it .* as \.xlsx or \.csv"):
        read_gis_file(path)


# ------------------------------------------------------------------------- KML/KMZ

_KML = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{}</Document></kml>')


def _placemark(name: str, geometry: str) -> str:
    return f"<Placemark><name>{name}</name>{geometry}</Placemark>"


def _line(coords: list[tuple[float, float]]) -> str:
    return ("<LineString><coordinates>" + " ".join(f"{x},{y},0" for x, y in coords)
            + "</coordinates></LineString>")


SQUARE = [(84.10, 44.20), (84.11, 44.20), (84.11, 44.19), (84.10, 44.19)]


def _write(path: Path, body: str) -> Path:
    text = _KML.format(body)
    if path.suffix == ".kmz":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("doc.kml", text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".kml", ".kmz"])
def test_a_closed_path_in_nested_folders_is_a_polygon(tmp_path: Path, suffix: str) -> None:
    # a 两步路 / Google Earth export: folders in folders, one empty, the boundary a path
    body = ("<Folder><name>我的项目</name><Folder><name>空文件夹</name></Folder>"
            "<Folder><name>边界</name>" + _placemark("矿区", _line([*SQUARE, SQUARE[0]]))
            + "</Folder></Folder>")
    path = _write(tmp_path / f"a{suffix}", body)
    assert readable_layers(path) == ["边界"]
    result = read_gis_file(path, expect="polygon")
    assert result.layer == "边界"
    assert _exterior(result.frame.geometry.iloc[0]) == SQUARE
    assert any("closed line(s)" in w and "read as polygon" in w for w in result.warnings)


def test_a_closed_multilinestring_is_a_multipolygon(tmp_path: Path) -> None:
    east = [(x + 0.1, y) for x, y in SQUARE]
    body = _placemark("两块", "<MultiGeometry>" + _line([*SQUARE, SQUARE[0]])
                      + _line([*east, east[0]]) + "</MultiGeometry>")
    geom = read_gis_file(_write(tmp_path / "a.kml", body), expect="polygon").frame.geometry.iloc[0]
    assert geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2


@pytest.mark.parametrize(("body", "found"), [
    (_placemark("路线", _line(SQUARE)), "1 open line(s)"),
    ("".join(_placemark(str(i), f"<Point><coordinates>{x},{y}</coordinates></Point>")
             for i, (x, y) in enumerate(SQUARE)), "4 point(s)"),
])
def test_open_lines_and_points_are_refused_saying_what_would_work(
    tmp_path: Path, body: str, found: str
) -> None:
    path = _write(tmp_path / "a.kml", body)
    with pytest.raises(CoordinateFileError) as info:
        read_gis_file(path, expect="polygon")
    message = str(info.value)
    assert f"holds no polygon, only {found}" in message
    assert "polygon" in message and "close the line" in message and "点号,X,Y" in message
    assert info.value.code == "no_polygon"


def _two_layers(tmp_path: Path) -> Path:
    east = [(x + 0.1, y) for x, y in SQUARE]
    ring = "<Polygon><outerBoundaryIs><LinearRing><coordinates>{}</coordinates>" \
           "</LinearRing></outerBoundaryIs></Polygon>"
    coords = [" ".join(f"{x},{y}" for x, y in [*r, r[0]]) for r in (SQUARE, east)]
    body = ("<Folder><name>空</name></Folder>"
            f"<Folder><name>甲</name>{_placemark('a', ring.format(coords[0]))}</Folder>"
            f"<Folder><name>乙</name>{_placemark('b', ring.format(coords[1]))}</Folder>")
    return _write(tmp_path / "two.kmz", body)


def test_several_layers_are_listed_without_the_empty_one(tmp_path: Path) -> None:
    path = _two_layers(tmp_path)
    with pytest.raises(CoordinateFileError,
                       match=r"2 layers with features \('甲', '乙'\); say which with --layer"):
        read_gis_file(path)
    assert read_gis_file(path, layer="乙").frame.geometry.iloc[0].bounds[0] == pytest.approx(84.2)


@pytest.mark.parametrize("argv", [
    ["coords", "info", "{f}", "--layer", "乙"],
    ["coords", "convert", "{f}", "{out}", "--layer", "乙"],
    ["import", "TKGH", "{f}", "--layer", "乙", "--dry-run"],
    ["redline", "import", "STHX", "{f}", "--layer", "乙", "--date", "2025-01-01"],
    ["check", "--proposal", "{f}", "--right", "采矿权", "--mineral", "金", "--layer", "乙"],
])
def test_every_command_that_reads_files_takes_layer(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _two_layers(tmp_path)
    args = [a.format(f=path, out=tmp_path / "out.geojson") for a in argv]
    args += ["--store", str(tmp_path / "none.gpkg")] if argv[0] != "coords" else []
    without = [a for a in args if a not in ("--layer", "乙")]
    cli_main(without)
    assert "2 layers with features ('甲', '乙'); say which with --layer" in capsys.readouterr().err
    cli_main(args)
    err = capsys.readouterr().err
    # the layer was read (no "say which" and no argparse complaint); a command without
    # a store may still stop later, at the store
    assert "--layer" not in err and "unrecognized arguments" not in err


# ------------------------------------------------------------------ no warnings leak


def test_no_python_warning_or_traceback_reaches_the_user(tmp_path: Path) -> None:
    files = {
        "points.kml": _write(tmp_path / "points.kml", "".join(
            _placemark(str(i), f"<Point><coordinates>{x},{y}</coordinates></Point>")
            for i, (x, y) in enumerate(SQUARE))),
        "line.kml": _write(tmp_path / "line.kml", _placemark("路线", _line(SQUARE))),
        "closed.kmz": _write(tmp_path / "closed.kmz", _placemark("界", _line([*SQUARE,
                                                                              SQUARE[0]]))),
        "wells.csv": tmp_path / "wells.csv",
        "lines.geojson": tmp_path / "lines.geojson",
    }
    polygon = [[list(p) for p in [*SQUARE, SQUARE[0]]]]
    for name, ring in (("unclosed", [polygon[0][:-1]]),  # GDAL warns "Non closed ring"
                       ("nan", [[[84.1, 44.2], ["NaN"], *polygon[0][2:]]]),  # shapely warns
                       ("bowtie", [[polygon[0][0], polygon[0][2], polygon[0][1],
                                    polygon[0][3], polygon[0][0]]])):  # invalid, unmeasured
        text = json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {
                "type": "Polygon", "coordinates": ring}}]})
        files[f"{name}.geojson"] = tmp_path / f"{name}.geojson"
        files[f"{name}.geojson"].write_text(text.replace('["NaN"]', "[NaN, 44.2]"))
    files["wells.csv"].write_text("名称,经度,纬度\n井1,84.1,44.2\n井2,84.2,44.3\n",
                                  encoding="utf-8")
    files["lines.geojson"].write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {
            "type": "LineString", "coordinates": [list(p) for p in SQUARE]}}]}))
    runs = [["coords", "info", str(p)] for p in files.values()]
    runs += [["coords", "info", str(files[f"{name}.geojson"]), "--fix"]
             for name in ("unclosed", "bowtie")]
    runs += [["coords", "convert", str(files[name]), str(tmp_path / "o.txt")]
             for name in ("points.kml", "line.kml", "lines.geojson")]
    for argv in runs:
        done = subprocess.run([sys.executable, "-W", "default", "-m", "mineplan.cli", *argv],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert "Warning" not in done.stderr and "Traceback" not in done.stderr, (argv, done.stderr)
        assert done.returncode in (0, 2), (argv, done.stderr)


# --------------------------------------------------------------- stated-area units


@pytest.mark.parametrize(("stated", "unit"), [
    ("计量单位：平方米\n面积 1000000", "平方米"),
    ("面积 100\n计量单位：公顷", "公顷"),
    ("MJ(平方千米) 1.0000", "平方千米"),
    ("面积（亩）1500", "亩"),
])
def test_the_stated_area_unit_is_read_from_the_text(stated: str, unit: str) -> None:
    text = "点号,X,Y\n" + "".join(f"{n},{x},{y}\n" for n, x, y in CORNERS) + stated + "\n"
    frame = read_coordinates(text)
    assert frame["stated_area_unit"].iloc[0] == unit
    # 1000 m square: 1,000,000 m² = 100 公顷 = 1 km² = 1500 亩; the TD/T 1055 area of a
    # square near the zone's central meridian (84°E) is within 0.001 % of the plane one
    expected = {"平方米": 1e6, "公顷": 100, "平方千米": 1, "亩": 1500}[unit]
    assert frame["stated_area"].iloc[0] == pytest.approx(expected)
    assert abs(frame["area_difference"].iloc[0]) < expected * 1e-5


def test_an_area_without_any_unit_is_kept_but_not_compared() -> None:
    text = "点号,X,Y\n" + "".join(f"{n},{x},{y}\n" for n, x, y in CORNERS) + "MJ 1.0000\n"
    frame = read_coordinates(text)
    assert frame["stated_area"].iloc[0] == 1.0 and frame["stated_area_unit"].iloc[0] is None
    assert any("has no unit" in note for note in frame.attrs["notes"])


# ------------------------------------------------------------ exchange field codes


def _zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": ["z-1"], "name": ["甲矿"], "seq": ["1"], "region": ["某县"]},
        geometry=[box(81.3, 43.9, 81.31, 43.91)], crs="EPSG:4490")


@pytest.mark.parametrize(("column", "value", "unit", "assumed", "expected"), [
    ("MJ", 100.0, "公顷", True, 100.0),
    ("mj", 100.0, "公顷", True, 100.0),
    ("面积（平方米）", 1_000_000.0, "平方米", False, 1_000_000.0),
    ("MJ(平方千米)", 1.0, "平方千米", False, 1.0),
])
def test_import_reads_mj_with_its_unit_and_dkyt(
    column: str, value: float, unit: str, assumed: bool, expected: float
) -> None:
    # a 1000 m square on the central meridian of zone 27 (81°E, EPSG:4515)
    features = gpd.GeoDataFrame(
        {"dkbh": ["z-1"], column: [value], "dkyt": ["采矿用地"]},
        geometry=[box(27_500_000, 4_860_000, 27_501_000, 4_861_000)], crs="EPSG:4515")
    report = match_features(_zones(), features)
    assert report.area_column == column and (report.area_unit, report.area_unit_assumed) == (
        unit, assumed)
    stated, computed = report.areas["z-1"]
    assert stated == value and computed == pytest.approx(expected, rel=1e-3)
    assert report.uses == {"z-1": "采矿用地"}
    summary = report.summary(layer="CKGH", total_zones=1)
    assert f"in {unit}" in summary and ("assumed" in summary) == assumed
    assert "uses (column 'dkyt'): z-1 采矿用地" in summary


def test_area_unit_of_column() -> None:
    assert area_unit_of_column("面积(公顷)") == ("公顷", False)
    assert area_unit_of_column("MJ（亩）") == ("亩", False)
    assert area_unit_of_column("面积") == ("公顷", True)


# ------------------------------------------------------------------------ uploads


def test_csv_and_xlsx_uploads_are_read_as_polygons(tmp_path: Path) -> None:
    data = ("点号,X,Y\n" + "".join(f"{n},{x},{y}\n" for n, x, y in CORNERS)).encode("gbk")
    result = read_upload(check_upload("坐标.csv", data), data)
    assert _exterior(result.frame.geometry.iloc[0]) == RING
    path = _xlsx(tmp_path / "a.xlsx", {"甲": [["点号", "X", "Y"], *map(list, CORNERS)],
                                       "乙": [["点号", "X", "Y"], *map(list, CORNERS)]})
    data = path.read_bytes()
    check = check_upload("a.xlsx", data)
    assert upload_layers(check, data) == ["甲", "乙"]
    assert _exterior(read_upload(check, data, layer="乙").frame.geometry.iloc[0]) == RING
    with zipfile.ZipFile(tmp_path / "not.zip", "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(UploadError, match="不是 Excel 工作簿"):
        check_upload("a.xlsx", (tmp_path / "not.zip").read_bytes())


def test_kmz_uploads_list_only_layers_with_features(tmp_path: Path) -> None:
    data = _two_layers(tmp_path).read_bytes()
    check = check_upload("two.kmz", data)
    assert upload_layers(check, data) == ["甲", "乙"]
    with pytest.raises(UploadError, match="多个含要素的图层"):
        read_upload(check, data)


def test_the_web_pages_say_in_chinese_that_corners_were_joined(tmp_path: Path) -> None:
    from mineplan.web.messages import planner_words
    from mineplan.web.uploading import read_features_upload, read_proposal_upload

    data = ("点号,X,Y\n" + "".join(f"{n},{x},{y}\n" for n, x, y in CORNERS)).encode("utf-8")
    proposal = read_proposal_upload("a.csv", data, layer=None, crs=None, max_mb=10)
    assert proposal.notes == ["坐标表中的拐点已按文件中的顺序连成一个面。"]
    kml = _write(tmp_path / "a.kml", _placemark("界", _line([*SQUARE, SQUARE[0]]))).read_bytes()
    result = read_features_upload("a.kml", kml, layer=None, crs=None, fix=False, max_mb=10)
    assert result.warnings[0] == "1 条首尾相接的线（以路径绘制的范围）已作为面读取。"
    assert not planner_words(result.warnings[0])


@pytest.mark.parametrize("header", ["Y,X,点号", "Y坐标,X坐标,点号", "X,Y,点号"])
def test_a_coordinate_text_with_the_point_number_last_reads_its_corners(header: str) -> None:
    from mineplan.io.coordinates import describe_coordinates

    columns = header.split(",")
    rows = [",".join({"X": str(x), "Y": str(y), "点号": n}[c[0] if c[0] in "XY" else c]
                     for c in columns) for n, x, y in CORNERS]
    frame = read_coordinates(header + "\n" + "\n".join(rows) + "\n")
    assert _exterior(frame.geometry.iloc[0]) == RING
    assert sum(line.split()[0] in ("J1", "J4") for line in describe_coordinates(frame)) == 2


def test_of_two_datums_pairs_the_cgcs2000_one_is_read_and_never_a_guess(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    rows = [f"{n},{x - 50},{y + 80},{x},{y}" for n, x, y in CORNERS]  # Xian 80 pair first
    path.write_text("点号,X(西安80),Y(西安80),X(2000),Y(2000)\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    assert _exterior(read_gis_file(path).frame.geometry.iloc[0]) == RING
    path.write_text("点号,X(甲),Y(甲),X(乙),Y(乙)\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(CoordinateFileError, match=r"line 1: the header has 2 columns") as info:
        read_gis_file(path)
    assert "'X(甲)', 'X(乙)'" in str(info.value)
