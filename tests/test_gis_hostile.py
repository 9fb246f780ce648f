"""Bad and hostile GIS files: each class gets a located mineplan error, never a crash.

Issue 11: Unicode digits and over-long integers, unclosed rings (GeoJSON, KML, SHP),
text not in its declared encoding, absurd ``.prj`` parameters, NaN/Inf coordinates,
null geometries, zip members with empty names — and bounded work on files built to
be slow (views over recursive queries, 50,000-column CSV headers).
"""

from __future__ import annotations

import json
import sqlite3
import struct
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyogrio.raw
import pytest
import shapely

from mineplan.errors import CoordinateFileError, CRSError
from mineplan.io.gis import read_gis_file

SQUARE = [(116.1, 39.1), (116.2, 39.1), (116.2, 39.2), (116.1, 39.2)]


def _feature_collection(ring: list[list[float]] | None, **props: object) -> str:
    geometry = None if ring is None else {"type": "Polygon", "coordinates": [ring]}
    feature = {"type": "Feature", "properties": props, "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False)


def _closed() -> list[list[float]]:
    return [list(p) for p in [*SQUARE, SQUARE[0]]]


def _write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ----------------------------------------------------------- numbers and digits


def test_unicode_digits_in_csv_coordinates_name_the_line(tmp_path: Path) -> None:
    for cell in ("1²", "①", "١٢٣"):  # isdigit() says yes, int()/float() say no
        path = _write(tmp_path / "a.csv", f"lon,lat\n116.1,39.1\n{cell},39.2\n")
        with pytest.raises(CoordinateFileError) as info:
            read_gis_file(path)
        assert info.value.line == 3 and info.value.path == path


def test_an_integer_beyond_the_conversion_limit_is_a_short_located_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "lon,lat\n116.1,39.1\n" + "9" * 5000 + ",39.2\n")
    with pytest.raises(CoordinateFileError) as info:
        read_gis_file(path)
    assert info.value.line == 3 and len(str(info.value)) < 400


def test_huge_integers_and_unicode_digits_in_geojson_properties(tmp_path: Path) -> None:
    text = _feature_collection(_closed(), n=1).replace('"n": 1', '"n": ' + "9" * 5000)
    with pytest.raises(CoordinateFileError) as info:
        read_gis_file(_write(tmp_path / "a.geojson", text))
    assert len(str(info.value)) < 600
    result = read_gis_file(_write(tmp_path / "b.geojson", _feature_collection(_closed(), n="²①")))
    assert result.frame["n"].iloc[0] == "²①"


def test_nan_and_infinite_coordinates_are_refused_also_with_fix(tmp_path: Path) -> None:
    for word in ("NaN", "Infinity", "-Infinity"):
        text = _feature_collection(_closed()).replace("116.2", word, 1)
        path = _write(tmp_path / "a.geojson", text)
        for fix in (False, True):
            with pytest.raises(CoordinateFileError, match="NaN or infinite") as info:
                read_gis_file(path, fix=fix, expect="polygon")
            assert "features 0" in str(info.value)


def test_infinite_csv_coordinates_name_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "lon,lat\n116.1,39.1\ninf,39.2\n")
    with pytest.raises(CoordinateFileError, match="non-number inf") as info:
        read_gis_file(path)
    assert info.value.line == 3


def test_null_geometries_are_reported_not_crashed_on(tmp_path: Path) -> None:
    one = json.loads(_feature_collection(_closed(), name="甲"))
    one["features"].append({"type": "Feature", "properties": {"name": "乙"}, "geometry": None})
    result = read_gis_file(_write(tmp_path / "a.geojson", json.dumps(one)), fix=True)
    assert "feature 1: no geometry" in result.warnings
    only = read_gis_file(_write(tmp_path / "b.geojson", _feature_collection(None, name="甲")))
    assert only.warnings == ["feature 0: no geometry"]
    with pytest.raises(CoordinateFileError, match="feature 0: no geometry"):
        read_gis_file(tmp_path / "b.geojson", strict=True)


# ----------------------------------------------------------------- unclosed rings


def test_an_unclosed_geojson_ring_is_located_and_closed_with_fix(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.geojson", _feature_collection([list(p) for p in SQUARE]))
    with pytest.raises(CoordinateFileError, match="not closed") as info:
        read_gis_file(path)
    assert "features 0" in str(info.value) and info.value.path == path
    result = read_gis_file(path, fix=True)
    assert result.frame.geometry.iloc[0].equals(shapely.Polygon(SQUARE))
    assert any("closed" in w for w in result.warnings)


def test_an_unclosed_kml_ring_is_located(tmp_path: Path) -> None:
    coords = " ".join(f"{x},{y}" for x, y in SQUARE)
    kml = (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document><Placemark><name>甲</name><Polygon><outerBoundaryIs><LinearRing>"
        f"<coordinates>{coords}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        "</Placemark></Document></kml>"
    )
    path = _write(tmp_path / "a.kml", kml)
    with pytest.raises(CoordinateFileError, match="not closed"):
        read_gis_file(path)
    assert read_gis_file(path, fix=True).frame.geometry.iloc[0].is_valid


def test_an_unclosed_shapefile_ring_is_located(tmp_path: Path) -> None:
    wkb = struct.pack("<BIII", 1, 3, 1, len(SQUARE)) + b"".join(
        struct.pack("<dd", *p) for p in SQUARE
    )
    path = tmp_path / "a.shp"
    pyogrio.raw.write(
        path,
        np.array([wkb], dtype=object),
        field_data=[np.array(["甲"], dtype=object)],
        fields=["name"],
        geometry_type="Polygon",
        crs="EPSG:4490",
        driver="ESRI Shapefile",
    )
    with pytest.raises(CoordinateFileError, match="not closed"):
        read_gis_file(path)
    assert read_gis_file(path, fix=True).frame["name"].tolist() == ["甲"]


def test_a_ring_of_two_points_is_located(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.geojson", _feature_collection([list(p) for p in SQUARE[:2]]))
    with pytest.raises(CoordinateFileError, match="features 0"):
        read_gis_file(path)
    try:  # fix=True closes it into a degenerate ring: reported, or refused, never a crash
        result = read_gis_file(path, fix=True)
    except CoordinateFileError as exc:
        assert exc.path == path
    else:
        assert result.warnings


# ------------------------------------------------------------------- encodings


def _plot_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["乌苏煤矿勘查区"]}, geometry=[shapely.Polygon(SQUARE)], crs="EPSG:4490"
    )


def test_a_gbk_geojson_is_read_as_gb18030_with_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.geojson", _feature_collection(_closed(), name="矿区").encode("gbk"))
    result = read_gis_file(path)
    assert result.frame["name"].tolist() == ["矿区"]
    assert any("GB18030" in w for w in result.warnings)


def test_a_wrong_stated_encoding_is_a_located_error(tmp_path: Path) -> None:
    text = "\n" + _feature_collection(_closed(), name="矿区")
    path = _write(tmp_path / "a.geojson", text.encode("gbk"))
    with pytest.raises(CoordinateFileError, match="not utf-8 as stated") as info:
        read_gis_file(path, encoding="utf-8")
    assert info.value.line == 2


def test_a_cpg_saying_utf8_over_a_gbk_dbf(tmp_path: Path) -> None:
    path = tmp_path / "a.shp"
    pyogrio.write_dataframe(_plot_frame(), path, encoding="GBK")
    (tmp_path / "a.cpg").write_text("UTF-8")
    result = read_gis_file(path)
    assert result.frame["name"].tolist() == ["乌苏煤矿勘查区"]
    assert any("not UTF-8 as declared" in w for w in result.warnings)


def test_gbk_bytes_inside_a_prj_do_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "a.shp"
    pyogrio.write_dataframe(_plot_frame(), path)
    prj = (tmp_path / "a.prj").read_text()
    (tmp_path / "a.prj").write_bytes(prj.replace("China", "中国大地").encode("gbk"))
    with pytest.raises(CRSError, match=r"\.prj is not UTF-8"):
        read_gis_file(path)
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("a.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    with pytest.raises(CRSError, match=str(archive)):
        read_gis_file(archive)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"Scale_Factor",1.0', '"Scale_Factor",0'),
        ('"Central_Meridian",84.0', '"Central_Meridian",1e308'),
        ('PROJECTION["Gauss_Kruger"]', 'PROJECTION["No_Such_Projection"]'),
        ("298.257222101", "0.0000001"),
        ('"False_Easting",28500000.0', '"False_Easting",inf'),
    ],
)
def test_a_prj_with_absurd_parameters_is_refused(tmp_path: Path, old: str, new: str) -> None:
    path = tmp_path / "a.shp"
    pyogrio.write_dataframe(_plot_frame().to_crs(4516), path)
    prj = (tmp_path / "a.prj").read_text()
    assert old in prj
    (tmp_path / "a.prj").write_text(prj.replace(old, new))
    with pytest.raises((CRSError, CoordinateFileError), match=str(path)):
        read_gis_file(path)


# ---------------------------------------------------------------------- archives


def _zip_with_raw_names(members: list[tuple[bytes, bytes]]) -> bytes:
    """A stored zip whose member names are written as given (zipfile refuses '')."""
    import zlib

    out, central = bytearray(), bytearray()
    for name, data in members:
        crc, offset = zlib.crc32(data), len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, crc, len(data), len(data), len(name), 0
        ) + name + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x21, crc, len(data), len(data),
            len(name), 0, 0, 0, 0, 0, offset,
        ) + name
    start = len(out)
    out += central + struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0
    )
    return bytes(out)


def test_a_zip_member_with_an_empty_name_is_refused(tmp_path: Path) -> None:
    shp = tmp_path / "s" / "a.shp"
    shp.parent.mkdir()
    pyogrio.write_dataframe(_plot_frame(), shp)
    members = [(p.name.encode(), p.read_bytes()) for p in shp.parent.iterdir()]
    path = _write(tmp_path / "a.zip", _zip_with_raw_names([*members, (b"", b"hello")]))
    with pytest.raises(CoordinateFileError, match="unsafe entry names"):
        read_gis_file(path)
    assert zipfile.is_zipfile(path)


# ------------------------------------------------------------------ bounded work


def test_a_csv_header_of_50000_duplicate_names_is_refused_quickly(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", ",".join(["lon"] * 50_000) + ",lat\n116,39\n")
    start = time.perf_counter()
    with pytest.raises(CoordinateFileError, match="columns") as info:
        read_gis_file(path)
    assert time.perf_counter() - start < 5 and info.value.line == 1
    assert len(str(info.value)) < 600


def _gpkg_with_view(path: Path) -> None:
    pyogrio.write_dataframe(_plot_frame(), path, layer="plots")
    with sqlite3.connect(path) as con:
        con.execute(
            "CREATE VIEW endless AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
            "FROM r) SELECT plots.fid + r.i AS fid, plots.geom AS geom FROM plots, r"
        )
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
            "VALUES ('endless', 'features', 'endless', 4490)"
        )
        con.execute(
            "INSERT INTO gpkg_geometry_columns VALUES ('endless', 'geom', 'POLYGON', 4490, 0, 0)"
        )


def test_a_geopackage_view_is_refused_not_read_forever(tmp_path: Path) -> None:
    path = tmp_path / "a.gpkg"
    _gpkg_with_view(path)
    start = time.perf_counter()
    with pytest.raises(CoordinateFileError, match="view") as info:
        read_gis_file(path, layer="endless")
    assert "endless" in str(info.value)
    # the one real table is the one layer
    assert read_gis_file(path).layer == "plots"
    assert time.perf_counter() - start < 10


def test_a_qgis_layer_styles_table_is_not_a_second_layer(tmp_path: Path) -> None:
    path = tmp_path / "a.gpkg"
    pyogrio.write_dataframe(_plot_frame(), path, layer="plots")
    with sqlite3.connect(path) as con:
        con.execute(
            "CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, f_table_name TEXT, styleQML TEXT)"
        )
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles')"
        )
    result = read_gis_file(path)
    assert result.layer == "plots" and len(result.frame) == 1


def test_per_feature_warnings_are_capped(tmp_path: Path) -> None:
    bowtie = [[116.1, 39.1], [116.2, 39.2], [116.2, 39.1], [116.1, 39.2], [116.1, 39.1]]
    feature = {"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [bowtie]}}
    path = _write(tmp_path / "a.geojson", json.dumps(
        {"type": "FeatureCollection", "features": [feature] * 500}))
    result = read_gis_file(path)
    assert len(result.warnings) == 51 and result.warnings[-1] == "… and 450 more geometry problems"


def test_absurd_but_finite_coordinates_give_short_messages(tmp_path: Path) -> None:
    for value in (1e308, 1e200):
        ring = [[116.1, 39.1], [value, 39.2], [116.2, 39.1], [116.1, 39.2], [116.1, 39.1]]
        path = _write(tmp_path / "a.geojson", _feature_collection(ring))
        for fix in (False, True):
            with pytest.raises(CRSError) as info:
                read_gis_file(path, fix=fix)
            assert len(str(info.value)) < 400 and str(path) in str(info.value)


def test_an_unknown_encoding_is_a_plain_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.geojson", _feature_collection(_closed(), name="甲"))
    with pytest.raises(CoordinateFileError, match="unknown text encoding 'nope'"):
        read_gis_file(path, encoding="nope")


def test_an_impossible_zone_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "X,Y\n4330000,500000\n4330100,500100\n")
    for zone in (999, 0, -5, 24):
        with pytest.raises(CRSError, match=f"{path}: --zone {zone}"):
            read_gis_file(path, zone=zone)


def test_a_csv_column_of_a_float_and_a_huge_integer_names_the_line(tmp_path: Path) -> None:
    # found by scripts/fuzz_readers.py: pandas keeps the column as Python ints, and
    # pd.to_numeric overflowed instead of giving NaN
    text = "地块编号,点号,X,Y\r\n1,J0,4330900.00," + "9" * 3000 + "\r\n1,J1,4330900,39508000\r\n"
    path = _write(tmp_path / "a.csv", text.encode("gbk"))
    with pytest.raises(CoordinateFileError, match="column 'Y' holds a non-number") as info:
        read_gis_file(path)
    assert info.value.line == 2


def test_a_prj_that_looks_like_json_is_a_located_error(tmp_path: Path) -> None:
    # found by scripts/fuzz_readers.py: a "{" in a .prj name made geopandas's CRS parser
    # take the text for PROJJSON and raise pyproj's CRSError from inside the read
    path = tmp_path / "a.shp"
    pyogrio.write_dataframe(_plot_frame(), path)
    prj = (tmp_path / "a.prj").read_text()
    (tmp_path / "a.prj").write_text(prj.replace("Coordinate_System", "Coordinate_Sys{tem"))
    with pytest.raises(CoordinateFileError, match="JSON") as info:
        read_gis_file(path)
    assert info.value.path == path
