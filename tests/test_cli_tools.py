"""The command line for coordinate files, import from TXT, and figures."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from mineplan.catalog import read_catalog
from mineplan.cli import main
from mineplan.io import coordinates as coordfiles
from mineplan.io.readers import coordinate_file_kind, read_geometry_file
from mineplan.settings import geodata_dir

FIXTURES = Path(__file__).parent / "fixtures" / "coords"
MULTI = FIXTURES / "multi_plot_hole_gbk.txt"


def _swapped(tmp_path: Path) -> Path:
    text = MULTI.read_bytes().decode("gbk")
    swapped = re.sub(r"^(J\d+,\d+,)([\d.]+),([\d.]+)(\r?)$", r"\1\3,\2\4", text, flags=re.M)
    path = tmp_path / "swapped.txt"
    path.write_bytes(swapped.encode("gbk"))
    return path


def test_content_decides_the_reader(tmp_path: Path) -> None:
    assert coordinate_file_kind(MULTI) == "boundary"
    assert coordinate_file_kind(FIXTURES / "reference_registration_gbk.txt") == "registration"
    assert coordinate_file_kind(tmp_path / "x.geojson") is None


def test_coords_info_lists_plots_with_ellipsoidal_areas(capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    assert main(["coords", "info", str(MULTI)]) == 0
    out = capsys.readouterr().out
    assert "EPSG:4516" in out and "gbk" in out
    assert "CK-01" in out and "3.7500" in out  # 2 km × 2 km minus a 0.5 km × 0.5 km hole


def test_coords_info_shows_the_stated_area_as_printed_in_aligned_columns(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The plot header says 399.0000 (公顷): shown so, not 399; and every column starts
    at the same place on every line in a monospaced terminal, where a Chinese character
    takes two places (the names 乌苏市示例采矿区 … pushed the columns right)."""
    from mineplan.checks.findings.model import display_width

    assert main(["coords", "info", str(MULTI)]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, x in enumerate(lines) if x.strip().startswith("no."))
    header, first, second = lines[at:at + 3]

    def start(line: str, text: str) -> int:  # where ``text`` starts on screen
        return display_width(line[:line.index(text)])

    assert "399.0000 公顷（默认单位）" in first and "200.0000 公顷（默认单位）" in second
    assert start(header, "stated") == start(first, "399.0000") == start(second, "200.0000")
    end = start(header, "ellipsoidal km²") + len("ellipsoidal km²")  # right-aligned
    assert start(first, "3.7500") + 6 == start(second, "1.0001") + 6 == end
    assert start(header, "difference") == start(first, "-24.0000") \
        == start(second, "-99.9926")


def test_swapped_axes_are_an_error_naming_the_line_and_fixable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _swapped(tmp_path)
    assert main(["coords", "info", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 9" in err and "swapped" in err and "Traceback" not in err
    assert main(["coords", "info", str(path), "--fix"]) == 0
    assert "swapped" in capsys.readouterr().out


def test_convert_txt_to_geojson_and_back_keeps_vertices(tmp_path: Path) -> None:
    gj, back = tmp_path / "a.geojson", tmp_path / "b.txt"
    assert main(["coords", "convert", str(MULTI), str(gj)]) == 0
    assert main(["coords", "convert", str(gj), str(back)]) == 0
    first = coordfiles.to_geodataframe(coordfiles.read_boundary_txt(MULTI))
    second = coordfiles.to_geodataframe(coordfiles.read_boundary_txt(back))
    assert list(second["name"]) == list(first["name"])
    for a, b in zip(first.geometry, second.geometry, strict=True):
        assert a.symmetric_difference(b).area < 1e-3  # m²: vertices within a millimetre
    assert back.read_bytes().count(b"\r\n") > 10  # CRLF, as offices expect


def test_a_registration_file_holds_one_block(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coords", "convert", str(MULTI), str(tmp_path / "r.txt"),
                 "--format", "registration"]) == 2
    assert "one block" in capsys.readouterr().err
    assert not (tmp_path / "r.txt").exists()


@pytest.fixture()
def store(built_store: Path) -> Path:
    return built_store


@pytest.mark.slow
def test_import_from_a_coordinate_txt(store_copy: Path, tmp_path: Path) -> None:
    store = store_copy
    layer = pyogrio.read_dataframe(store, layer="CKGH")
    target = layer[layer["region"] == "伊宁市"].iloc[[0]].copy()  # 伊宁市: 3-degree zone 27
    target["number"] = ["1"]
    txt = tmp_path / "block.txt"
    txt.write_bytes(coordfiles.format_boundary_txt(target[["number", "name", "geometry"]],
                                                   zone=27))
    assert read_geometry_file(txt).frame.crs.to_epsg() == 4515
    assert main(["import", "CKGH", str(txt), "--store", str(store)]) == 0
    after = pyogrio.read_dataframe(store, layer="CKGH")
    row = after[after["zone_id"] == target["zone_id"].iloc[0]].iloc[0]
    assert row["geometry_status"] == "导入" and "block.txt" in row["geometry_source"]
    assert len(after) == len(layer)


@pytest.mark.slow
def test_figure_commands_write_overview_sheet_and_atlas(store: Path, tmp_path: Path) -> None:
    import matplotlib.image

    png = tmp_path / "o.png"
    assert main(["figure", "伊宁市", "-o", str(png), "--dpi", "100", "--store", str(store)]) == 0
    height, width = matplotlib.image.imread(png).shape[:2]
    assert abs(height - 827) <= 1 and abs(width - 1169) <= 1  # A4 landscape at 100 dpi
    sheet = tmp_path / "z.svg"
    assert main(["figure", "--zone", "yining-CKGH-001", "-o", str(sheet),
                 "--store", str(store)]) == 0
    assert "<svg" in sheet.read_text(encoding="utf-8")[:500]
    atlas = tmp_path / "a.pdf"
    assert main(["figure", "伊宁市", "--atlas", "--layer", "CKGH", "-o", str(atlas),
                 "--store", str(store)]) == 0
    pages = len(re.findall(rb"/Type\s*/Page[^s]", atlas.read_bytes()))
    zones = read_catalog()
    sheets = ((zones["region"] == "伊宁市") & (zones["layer"] == "CKGH")).sum()
    # cover, index map, one page of contents, then the sheets; their 续表 pages, if any,
    # are counted by tests/test_atlas.py
    assert pages >= 3 + sheets


def test_figure_needs_a_region_or_zone(capsys: pytest.CaptureFixture[str], tmp_path: Path
                                       ) -> None:
    store = tmp_path / "missing.gpkg"
    assert main(["figure", "-o", str(tmp_path / "x.png"), "--store", str(store)]) == 2
    assert "mineplan build" in capsys.readouterr().err


@pytest.mark.slow
def test_check_figure_draws_the_proposal_and_its_conflict_pieces(store: Path, tmp_path: Path
                                                                 ) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    from mineplan.checks import check_proposal, read_store_frames
    from mineplan.figures import check_figure, figure_info
    from mineplan.layers import read_layer_specs, read_styles

    frames = read_store_frames(store)
    red = frames["STHX"][frames["STHX"]["region"] == "伊宁市"].geometry.iloc[0]
    edge = red.boundary.interpolate(0.3, normalized=True)
    proposal = gpd.GeoDataFrame(geometry=[box(edge.x - 0.01, edge.y - 0.01, edge.x + 0.01,
                                              edge.y + 0.01)], crs="EPSG:4490")
    # The box straddles the red line's edge and lies in no 采矿权 block: by the rules
    # data, [rules.planning_block] none = "fail" and the ecological red line's
    # exception for a strategic mineral (煤炭 = 煤) and 采矿权 gives its verdict.
    blocks = pd.concat([frames[code] for code in ("CKGH", "JZKQ")])
    assert proposal.geometry.iloc[0].intersects(red)
    assert not blocks.intersects(proposal.geometry.iloc[0]).any()
    rules = tomllib.loads((geodata_dir() / "rules" / "checks.toml").read_text(encoding="utf-8"))
    coal = rules["minerals"]["synonyms"]["煤炭"]
    expected_red = next(
        e["verdict"] for e in rules["rules"]["ecological_redline"]["exceptions"]
        if coal in rules["minerals"]["groups"][e["group"]] and "采矿权" in e["rights"]
    )
    findings = check_proposal(proposal, right_type="采矿权", mineral="煤炭",
                              store_frames=frames, region="伊宁市")
    red_line = findings[findings["check"] == "ecological_redline"]
    assert len(red_line) == 1 and red_line["verdict_key"].iloc[0] == expected_red
    block_row = findings[findings["check"] == "planning_block"]
    assert list(block_row["verdict_key"]) == [rules["rules"]["planning_block"]["none"]]
    fig = check_figure(proposal, findings, frames, specs=read_layer_specs(),
                       styles=read_styles(), subtitle="测试")
    info = figure_info(fig)
    assert "申请范围" in info.legend_labels
    assert any(label.startswith("冲突：生态保护红线") for label in info.legend_labels)
    assert "椭球面积" in info.footnote and "演示" in info.footnote
    texts = " ".join(t.get_text() for t in info.map_ax.texts)
    assert "km²" in texts  # conflict pieces are labelled with their areas

    txt = tmp_path / "p.txt"
    txt.write_bytes(coordfiles.format_boundary_txt(proposal.assign(number="1", name="申请区"),
                                                   zone=27))
    out = tmp_path / "check.pdf"
    code = main(["check", "--proposal", str(txt), "--right", "采矿权", "--mineral", "煤炭",
                 "--store", str(store), "--figure", str(out), "--limit", "0"])
    assert code == 1  # a 不通过 finding (planning_block) exits 1 (docs/checks.md)
    assert out.read_bytes()[:4] == b"%PDF"


def test_styles_writes_each_file_through_atomic(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import mineplan.atomic
    from mineplan.layers import read_layer_specs

    written: list[Path] = []
    real = mineplan.atomic.atomic_write_bytes

    def spy(path: str | Path, data: bytes) -> Path:
        written.append(Path(path))
        return real(path, data)

    monkeypatch.setattr(mineplan.atomic, "atomic_write_bytes", spy)
    assert main(["-q", "styles", "-o", str(tmp_path)]) == 0
    expected = sorted(tmp_path / f"{code}.qml" for code in read_layer_specs())
    assert sorted(written) == expected == sorted(tmp_path.iterdir())


_WRITERS = {"write_text", "write_bytes", "to_file", "savefig", "write_dataframe", "to_csv",
            "to_excel", "to_parquet", "dump"}


def test_no_command_writes_a_file_except_through_atomic() -> None:
    """Every file a command writes goes through mineplan.atomic (or a writer that does).

    In mineplan/cli/ a direct writer call (``write_text``, ``to_file``, ``savefig``,
    ``open(..., "w")`` …) is allowed only on a path bound by ``with atomic_output(...)``
    or on an ``ExcelWriter`` opened on such a path inside a function handed that path.
    """
    import ast

    import mineplan.cli

    offenders = []
    for path in sorted(Path(mineplan.cli.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        atomic_names = {
            item.optional_vars.id
            for node in ast.walk(tree) if isinstance(node, ast.With)
            for item in node.items
            if isinstance(item.context_expr, ast.Call)
            and getattr(item.context_expr.func, "id", "") == "atomic_output"
            and isinstance(item.optional_vars, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "open":
                mode = node.args[1] if len(node.args) > 1 else None
                if isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax"):
                    offenders.append(f"{path.name}:{node.lineno} open(..., {mode.value!r})")
            elif isinstance(func, ast.Attribute) and func.attr in _WRITERS:
                target = node.args[0] if node.args else None
                name = target.id if isinstance(target, ast.Name) else None
                if name not in atomic_names | {"writer"}:
                    offenders.append(f"{path.name}:{node.lineno} .{func.attr}({name})")
    assert offenders == []


PIPE_TABLE = """| 序号 | X | Y |
|---|---|---|
| 1 | 4851234.56 | 28512345.67 |
| 2 | 4851234.56 | 28513345.67 |
| 3 | 4850234.56 | 28513345.67 |
| 4 | 4850234.56 | 28512345.67 |
面积 1.0000平方千米
"""


def test_coords_info_on_a_pasted_table_prints_blocks_corners_and_both_areas(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyproj

    path = tmp_path / "pasted.txt"
    path.write_text(PIPE_TABLE, encoding="utf-8")
    assert main(["coords", "info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "EPSG:4516" in out  # zone 28 from the easting prefix
    assert "blocks:    1" in out and "4 corners" in out
    for x, y in [("4851234.56", "28512345.67"), ("4850234.56", "28513345.67")]:
        assert f"X {x}  Y {y}" in out
    # the official area, checked independently with GeographicLib (edges along the grid)
    lon, lat = pyproj.Transformer.from_crs(4516, 4490, always_xy=True).transform(
        [28512345.67, 28513345.67, 28513345.67, 28512345.67],
        [4851234.56, 4851234.56, 4850234.56, 4850234.56])
    geod_km2 = abs(pyproj.Geod(ellps="GRS80").polygon_area_perimeter(lon, lat)[0]) / 1e6
    assert f"official area (TD/T 1055): {geod_km2:.4f} km²" in out
    assert "stated area: 1 平方千米" in out and "difference" in out


def test_coords_info_asks_for_the_zone_when_eastings_have_no_prefix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nozone.txt"
    path.write_text("1,4851234.56,512345.67\n2,4851234.56,513345.67\n"
                    "3,4850234.56,513345.67\n", encoding="utf-8")
    assert main(["coords", "info", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 1" in err and "--zone" in err and "fix=" not in err
    assert main(["coords", "info", str(path), "--zone", "28"]) == 0
    assert "EPSG:4537" in capsys.readouterr().out  # CGCS2000 GK CM 84E, no zone prefix
