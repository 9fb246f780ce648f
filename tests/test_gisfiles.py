"""Tests for mineplan.io.gis: every format from one small frame, CRS detection, safety."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mineplan.errors import CoordinateFileError, CRSError
from mineplan.io.gis import (
    ReadResult,
    ZipLimits,
    detect_dbf_encoding,
    read_gis_file,
    write_gis_file,
)

NAMES = ["乌苏煤矿勘查区", "独山子砂石集中开采区"]
# Zone 28 (CM 84E), prefixed eastings: EPSG:4516. Near 乌苏市, about 44.4N.
OUTER = [(28512000, 4921000), (28514000, 4921000), (28514000, 4919000), (28512000, 4919000)]
HOLE = [(28512500, 4920500), (28513000, 4920500), (28513000, 4920000), (28512500, 4920000)]


@pytest.fixture
def plots() -> gpd.GeoDataFrame:
    """Two polygons with Chinese names in CGCS2000 3-degree zone 28; the first has a hole."""
    return gpd.GeoDataFrame(
        {"name": NAMES, "code": ["KC-01", "SS-02"]},
        geometry=[
            shapely.Polygon(OUTER, [HOLE]),
            shapely.box(28515000, 4915000, 28516000, 4916000),
        ],
        crs="EPSG:4516",
    )


def _areas(result: ReadResult) -> np.ndarray:
    return result.frame.to_crs(4516).area.to_numpy()


def _names(frame: gpd.GeoDataFrame) -> list[str]:
    column = "name" if "name" in frame.columns else "Name"
    return [str(v) for v in frame[column]]


# ----------------------------------------------------------------- round trips


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp", ".kml"])
def test_write_then_read_keeps_areas_names_and_crs(
    plots: gpd.GeoDataFrame, tmp_path: Path, suffix: str
) -> None:
    path = write_gis_file(plots, tmp_path / f"plots{suffix}")
    result = read_gis_file(path)

    assert _names(result.frame) == NAMES
    assert result.frame["code"].tolist() == ["KC-01", "SS-02"]
    np.testing.assert_allclose(_areas(result), plots.area.to_numpy(), rtol=1e-6)
    expected = 4326 if suffix == ".kml" else 4516
    assert result.frame.crs.to_epsg() == expected
    assert result.crs_source == "file"
    assert not [w for w in result.warnings if "invalid" in w or "empty" in w]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    east=st.floats(28_200_000, 28_800_000),
    north=st.floats(4_500_000, 5_000_000),
    width=st.floats(1.0, 5_000.0),
    suffix=st.sampled_from([".gpkg", ".geojson", ".shp"]),
)
def test_write_then_read_gives_the_same_geometry(
    tmp_path: Path, east: float, north: float, width: float, suffix: str
) -> None:
    box = shapely.box(east, north, east + width, north + width / 2)
    frame = gpd.GeoDataFrame({"name": ["区块"]}, geometry=[box], crs=4516)
    result = read_gis_file(write_gis_file(frame, tmp_path / f"box{suffix}"))
    assert shapely.equals_exact(result.frame.geometry.iloc[0].normalize(), box.normalize(), 1e-6)


def test_shapefile_is_written_with_utf8_cpg(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    write_gis_file(plots, tmp_path / "plots.shp")
    assert (tmp_path / "plots.cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".mineplan-write-")]


def test_write_replaces_existing_file(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "plots.gpkg"
    write_gis_file(plots, path)
    write_gis_file(plots.iloc[:1], path)
    assert len(read_gis_file(path).frame) == 1


def test_write_unknown_extension_is_a_plain_error(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    with pytest.raises(CoordinateFileError, match=r"\.gpkg"):
        write_gis_file(plots, tmp_path / "plots.xyz")


def test_zipped_shapefile_reads(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    write_gis_file(plots, tmp_path / "plots.shp")
    archive = tmp_path / "plots.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in tmp_path.glob("plots.*"):
            if part.suffix != ".zip":
                zf.write(part, f"data/{part.name}")
    result = read_gis_file(archive)
    assert _names(result.frame) == NAMES
    assert result.frame.crs.to_epsg() == 4516
    assert result.source_format == "ESRI Shapefile"


def test_kmz_reads(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    kml = write_gis_file(plots, tmp_path / "plots.kml")
    kmz = tmp_path / "plots.kmz"
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(kml, "doc.kml")
    result = read_gis_file(kmz)
    assert _names(result.frame) == NAMES
    np.testing.assert_allclose(_areas(result), plots.area.to_numpy(), rtol=1e-6)


# ------------------------------------------------------------------ GeoPackage


def test_geopackage_with_several_layers_requires_layer(
    plots: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "plan.gpkg"
    pyogrio.write_dataframe(plots, path, layer="blocks")
    pyogrio.write_dataframe(plots.iloc[:1], path, layer="rights", append=True)

    with pytest.raises(CoordinateFileError, match=r"'blocks'.*'rights'.*--layer"):
        read_gis_file(path)
    with pytest.raises(CoordinateFileError, match=r"no layer 'nope'.*'blocks'"):
        read_gis_file(path, layer="nope")
    result = read_gis_file(path, layer="rights")
    assert result.layer == "rights"
    assert len(result.frame) == 1


# ------------------------------------------------------------------- encodings


def test_gbk_shapefile_without_cpg_reads_chinese(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "gbk.shp"
    pyogrio.write_dataframe(plots, path, encoding="GBK")
    (tmp_path / "gbk.cpg").unlink(missing_ok=True)
    assert "矿".encode("gbk") in (tmp_path / "gbk.dbf").read_bytes()

    result = read_gis_file(path)
    assert _names(result.frame) == NAMES
    assert any("GB18030" in w and ".cpg" in w for w in result.warnings)


def test_utf8_shapefile_without_cpg_reads_chinese(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "utf8.shp"
    pyogrio.write_dataframe(plots, path, encoding="UTF-8")
    (tmp_path / "utf8.cpg").unlink(missing_ok=True)
    result = read_gis_file(path)
    assert _names(result.frame) == NAMES
    assert any("UTF-8" in w for w in result.warnings)


def test_detect_dbf_encoding_names_gbk_language_driver() -> None:
    header = bytearray(32)
    header[29] = 0x4D
    encoding, reason = detect_dbf_encoding(bytes(header) + "砂石".encode("gbk"))
    assert encoding == "GB18030"
    assert "0x4D" in reason
    assert detect_dbf_encoding(bytes(32) + "砂石".encode())[0] == "UTF-8"


# ------------------------------------------------------------------ CRS detection


def _without_prj(frame: gpd.GeoDataFrame, path: Path) -> Path:
    pyogrio.write_dataframe(frame, path)
    path.with_suffix(".prj").unlink(missing_ok=True)
    return path


def test_prefixed_gk_metres_without_prj_are_detected_as_4516(
    plots: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    result = read_gis_file(_without_prj(plots, tmp_path / "noprj.shp"))
    assert result.frame.crs.to_epsg() == 4516
    assert result.crs_source == "detected from coordinates"
    assert any("EPSG:4516" in w for w in result.warnings)
    np.testing.assert_allclose(result.frame.area, plots.area)


def test_degrees_without_prj_are_assumed_cgcs2000(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    result = read_gis_file(_without_prj(plots.to_crs(4490), tmp_path / "deg.shp"))
    assert result.frame.crs.to_epsg() == 4490
    assert result.crs_source == "assumed CGCS2000 geographic"
    assert any("assumed CGCS2000 geographic" in w for w in result.warnings)


def test_unprefixed_eastings_need_a_zone(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = _without_prj(plots.to_crs(4537), tmp_path / "cm84.shp")
    with pytest.raises(CRSError, match=r"zone.*--zone.*--crs"):
        read_gis_file(path)

    result = read_gis_file(path, zone=28)
    assert result.frame.crs.to_epsg() == 4537
    assert result.crs_source == "zone argument"
    result = read_gis_file(path, crs="EPSG:4537")
    assert result.crs_source == "argument"
    np.testing.assert_allclose(_areas(result), plots.area.to_numpy(), rtol=1e-9)


def test_swapped_axes_are_named_and_swapped_on_request(
    plots: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    swapped = plots.set_geometry(
        shapely.transform(plots.geometry.array, lambda xy: xy[:, ::-1]), crs=None
    )
    path = _without_prj(swapped, tmp_path / "swapped.shp")
    with pytest.raises(CRSError, match=r"swapped.*--swap-axes"):
        read_gis_file(path)

    result = read_gis_file(path, swap_axes=True)
    assert result.frame.crs.to_epsg() == 4516
    assert any("swapped" in w for w in result.warnings)
    np.testing.assert_allclose(result.frame.area, plots.area)


def test_crs_argument_overrides_the_file_with_a_warning(
    plots: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "wrongzone.gpkg"
    pyogrio.write_dataframe(plots.set_crs(4515, allow_override=True), path)
    result = read_gis_file(path, crs=4516)
    assert result.frame.crs.to_epsg() == 4516
    assert result.crs_source == "argument"
    assert any("EPSG:4515" in w and "as asked" in w for w in result.warnings)


def test_swapped_axes_with_a_prj_are_caught_too(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    swapped = plots.set_geometry(
        shapely.transform(plots.geometry.array, lambda xy: xy[:, ::-1]), crs=plots.crs
    )
    path = tmp_path / "swapped.gpkg"
    pyogrio.write_dataframe(swapped, path)
    with pytest.raises(CRSError, match="swapped"):
        read_gis_file(path)
    result = read_gis_file(path, swap_axes=True)
    assert result.crs_source == "file"
    np.testing.assert_allclose(result.frame.bounds.to_numpy(), plots.bounds.to_numpy())


def test_metres_with_geographic_crs_are_refused(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "liar.geojson"
    pyogrio.write_dataframe(plots.set_crs(4326, allow_override=True), path)
    with pytest.raises(CRSError, match=r"liar\.geojson.*metres"):
        read_gis_file(path)


def test_degrees_with_projected_crs_give_a_warning(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "odd.gpkg"
    pyogrio.write_dataframe(plots.to_crs(4490).set_crs(4516, allow_override=True), path)
    result = read_gis_file(path)
    assert any("look like degrees" in w for w in result.warnings)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_implausible_numbers_without_crs_are_refused(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.box(1000, 1000, 2000, 2000)])
    path = _without_prj(frame, tmp_path / "local.shp")
    with pytest.raises(CRSError, match=r"give the CRS \(--crs\)"):
        read_gis_file(path)


# -------------------------------------------------------------------- validation


def _zoo() -> gpd.GeoDataFrame:
    """A square, a bow-tie (self-intersecting), a point and an empty polygon, in degrees."""
    bowtie = shapely.Polygon([(84, 44), (85, 45), (85, 44), (84, 45)])
    return gpd.GeoDataFrame(
        {"id": [0, 1, 2, 3]},
        geometry=[
            shapely.box(84, 44, 85, 45),
            bowtie,
            shapely.Point(84.5, 44.5),
            shapely.Polygon(),
        ],
        crs=4490,
    )


def test_validation_reports_invalid_empty_and_non_polygon(tmp_path: Path) -> None:
    path = tmp_path / "zoo.gpkg"
    pyogrio.write_dataframe(_zoo(), path)
    result = read_gis_file(path, expect="polygon")
    text = "\n".join(result.warnings)
    assert "feature 1: invalid geometry (Self-intersection" in text
    assert "feature 2: a Point, not a polygon" in text
    assert "feature 3:" in text
    assert not result.frame.geometry.iloc[1].is_valid  # never repaired silently

    with pytest.raises(CoordinateFileError, match=r"zoo\.gpkg: 3 problems:") as info:
        read_gis_file(path, expect="polygon", strict=True)
    assert "\n  feature 1: invalid geometry (Self-intersection" in str(info.value)
    assert "\n  feature 2: a Point, not a polygon" in str(info.value)


def test_fix_repairs_and_reports_each_feature(tmp_path: Path) -> None:
    path = tmp_path / "zoo.gpkg"
    pyogrio.write_dataframe(_zoo(), path)
    result = read_gis_file(path, fix=True)
    assert result.frame.geometry.iloc[1].is_valid
    assert any(w.startswith("feature 1: repaired") for w in result.warnings)


# --------------------------------------------------------------------- zip safety


def test_zip_with_parent_path_entry_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../evil.shp", b"x")
    with pytest.raises(CoordinateFileError, match=r"unsafe entry.*\.\./evil\.shp"):
        read_gis_file(archive)


def test_zip_with_absolute_entry_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "abs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("/etc/evil.shp", b"x")
    with pytest.raises(CoordinateFileError, match="unsafe entry"):
        read_gis_file(archive)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.dbf", bytes(8 * 1024 * 1024))
    with pytest.raises(CoordinateFileError, match="zip bomb"):
        read_gis_file(archive)


def test_zip_size_and_entry_limits(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(5):
            zf.writestr(f"f{i}.txt", b"0123456789" * 100)
    with pytest.raises(CoordinateFileError, match="5 entries"):
        read_gis_file(archive, zip_limits=ZipLimits(max_entries=4))
    with pytest.raises(CoordinateFileError, match="unpack to"):
        read_gis_file(archive, zip_limits=ZipLimits(max_total_bytes=1000))
    with pytest.raises(CoordinateFileError, match=r"exactly one \.shp; found none"):
        read_gis_file(archive)


def test_not_a_zip_is_a_plain_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.zip"
    path.write_text("hello")
    with pytest.raises(CoordinateFileError, match="not a readable zip"):
        read_gis_file(path)


# ---------------------------------------------------------------------------- DXF

_DXF = """0
SECTION
2
ENTITIES
0
LWPOLYLINE
8
0
90
4
70
{flag}
10
28512000.0
20
4921000.0
10
28514000.0
20
4921000.0
10
28514000.0
20
4919000.0
10
28512000.0
20
4919000.0
0
ENDSEC
0
EOF
"""


def test_dxf_closed_polyline_becomes_polygon(tmp_path: Path) -> None:
    path = tmp_path / "block.dxf"
    path.write_text(_DXF.format(flag=1))
    result = read_gis_file(path, expect="polygon")
    geom = result.frame.geometry.iloc[0]
    assert geom.geom_type == "Polygon"
    assert geom.area == pytest.approx(2000 * 2000)
    assert result.frame.crs.to_epsg() == 4516
    assert result.source_format == "DXF"


def test_dxf_open_polyline_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "open.dxf"
    path.write_text(_DXF.format(flag=0))
    result = read_gis_file(path)
    assert result.frame.geometry.iloc[0].geom_type == "LineString"
    assert any("open" in w for w in result.warnings)


# ---------------------------------------------------------------------------- CSV


def test_csv_with_chinese_lonlat_columns_gives_points(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text("点号,经度,纬度\nJ1,84.61,44.41\nJ2,84.62,44.42\n", encoding="utf-8")
    result = read_gis_file(path)
    assert result.frame.crs.to_epsg() == 4490
    assert result.frame.geometry.iloc[0].equals(shapely.Point(84.61, 44.41))
    assert any("'经度' as longitude" in w for w in result.warnings)


def test_csv_with_surveyor_xy_and_plot_ids_gives_polygons(tmp_path: Path) -> None:
    rows = ["地块编号,点号,X,Y"] + [
        f"KC-01,J{i + 1},{north},{east}" for i, (east, north) in enumerate(OUTER)
    ]
    path = tmp_path / "plots.csv"
    path.write_bytes("\r\n".join(rows).encode("gbk"))  # GBK, as offices send them
    result = read_gis_file(path)
    assert result.frame.crs.to_epsg() == 4516
    assert result.frame["地块编号"].tolist() == ["KC-01"]
    assert result.frame.geometry.iloc[0].area == pytest.approx(2000 * 2000)
    assert any("'X' as northing and 'Y' as easting" in w for w in result.warnings)


def test_csv_without_coordinate_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(CoordinateFileError, match=r"no coordinate columns.*'a', 'b'"):
        read_gis_file(path)


def test_csv_non_number_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("lon,lat\n84.6,44.4\n84.7,oops\n")
    with pytest.raises(CoordinateFileError, match=r"line 3.*'oops'"):
        read_gis_file(path)


# -------------------------------------------------------------------- garbage in


def test_png_renamed_geojson_is_a_plain_error(tmp_path: Path) -> None:
    path = tmp_path / "picture.geojson"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(CoordinateFileError, match=r"picture\.geojson.*PNG image"):
        read_gis_file(path)


def test_text_file_renamed_gpkg_is_a_plain_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.gpkg"
    path.write_text("这不是地理数据\n")
    with pytest.raises(CoordinateFileError, match=r"notes\.gpkg"):
        read_gis_file(path)


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(CoordinateFileError, match="no such file"):
        read_gis_file(tmp_path / "absent.shp")
    other = tmp_path / "drawing.dwg"
    other.write_bytes(b"AC1032")
    with pytest.raises(CoordinateFileError, match=r"unsupported file type '\.dwg'"):
        read_gis_file(other)
