"""The command line starts light, takes its options anywhere, and honours MINEPLAN_STORE."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import mineplan
from mineplan.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("geopandas", "pandas", "shapely", "pyproj", "pyogrio", "folium", "matplotlib",
         "streamlit", "numpy")
FIXTURE = Path(__file__).parent / "fixtures" / "coords" / "multi_plot_hole_gbk.txt"

_PROBE = """
import json, sys
import mineplan, mineplan.cli
loaded = {}
loaded["import"] = sorted(m for m in HEAVY if m in sys.modules)
for argv in (["--help"], ["--version"], ["check", "--help"], ["coords", "convert", "--help"]):
    try:
        mineplan.cli.main(argv)
    except SystemExit:
        pass
    loaded[" ".join(argv)] = sorted(m for m in HEAVY if m in sys.modules)
print(json.dumps(loaded))
"""


def test_the_parser_imports_no_heavy_module() -> None:
    """`import mineplan.cli`, --help, --version and SUB --help load none of HEAVY.

    Fails when any import on the parser's path turns eager again (a module-level
    ``import pandas`` in a command module, an eager name in mineplan/__init__.py).
    """
    probe = f"HEAVY = {HEAVY!r}\n{_PROBE}"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert loaded == {step: [] for step in loaded}
    assert len(loaded) == 5


@pytest.mark.parametrize("name", mineplan.__all__)
def test_every_public_name_resolves_to_its_module(name: str) -> None:
    value = getattr(mineplan, name)
    module = importlib.import_module(value.__module__)
    assert getattr(module, name) is value


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = mineplan.no_such_name  # type: ignore[attr-defined]


@pytest.mark.parametrize("argv", [
    ["--debug", "layers"], ["layers", "--debug"],
    ["--debug", "coords", "info", "f.txt"], ["coords", "info", "f.txt", "--debug"],
    ["redline", "--debug", "import", "STHX", "f.shp", "--date", "2024-01-01"],
])
def test_debug_counts_before_or_after_the_command(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).debug is True
    without = [a for a in argv if a != "--debug"]
    assert build_parser().parse_args(without).debug is False


@pytest.mark.parametrize("argv", [["-v", "-v", "layers"], ["layers", "-vv"],
                                  ["coords", "-v", "info", "f.txt", "-v"]])
def test_verbose_counts_before_or_after_the_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.verbose >= 1 and args.quiet == 0


@pytest.mark.parametrize("argv", [
    ["layers"],
    ["check", "--plan", "新源县"],
    ["figure", "新源县", "-o", "{tmp}/x.png"],
    ["import", "CKGH", str(FIXTURE)],
    ["redline", "import", "STHX", str(FIXTURE), "--date", "2024-01-01"],
])
def test_every_command_reads_the_store_of_MINEPLAN_STORE(
        argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "elsewhere" / "store.gpkg"
    monkeypatch.setenv("MINEPLAN_STORE", str(store))
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert f"{store}: GeoPackage not found" in err
    assert "Traceback" not in err


def test_build_writes_to_MINEPLAN_STORE(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    store = tmp_path / "built.gpkg"
    monkeypatch.setenv("MINEPLAN_STORE", str(store))
    assert build_parser().parse_args(["build"]).output == store


def test_a_group_without_its_command_shows_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coords"]) == 2
    assert "info" in capsys.readouterr().out
    assert main([]) == 2
    out = capsys.readouterr().out
    for command in ("build", "layers", "import", "coords", "figure", "audit", "check",
                    "redline", "styles"):
        assert f"    {command} " in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"mineplan {mineplan.__version__}\n"


#: The frame libraries ``coords info`` of a strict coordinate TXT does without (issue 16).
FRAME_LIBRARIES = ("geopandas", "pandas", "pyogrio", "matplotlib", "folium", "pyarrow")


@pytest.mark.parametrize("name", ["multi_plot_hole_gbk.txt", "dms_symbols_gbk.txt",
                                  "reference_registration_gbk.txt"])
def test_coords_info_of_a_coordinate_txt_loads_no_frame_library(name: str) -> None:
    """A boundary or registration TXT is described from the parsed file: geopandas,
    pandas and GDAL never load (they took 0.45 s of a 0.77 s ``coords info``). Fails
    when a module on that path imports one of them at module level again."""
    probe = (
        "import sys, mineplan.cli\n"
        f"code = mineplan.cli.main(['coords', 'info', {str(FIXTURE.parent / name)!r}])\n"
        f"print({{'code': code, 'loaded': sorted(m for m in {FRAME_LIBRARIES!r} "
        "if m in sys.modules)}, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert "{'code': 0, 'loaded': []}" in done.stderr
    assert "ellipsoidal km²" in done.stdout


@pytest.mark.parametrize("name", ["multi_plot_hole_gbk.txt", "dms_symbols_gbk.txt",
                                  "reference_registration_gbk.txt",
                                  "reference_boundary_gbk.txt"])
def test_coords_info_prints_the_same_as_through_the_geodataframe(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The light path prints what the frame path prints. A --crs given for a file that
    states its own CRS changes nothing but sends the file through read_geometry_file and
    its GeoDataFrame (areas from to_geodataframe), so both outputs must agree line by line.
    """
    path = str(FIXTURE.parent / name)
    assert main(["coords", "info", path]) == 0
    light = capsys.readouterr().out
    assert main(["coords", "info", path, "--crs", "EPSG:4490"]) == 0
    assert capsys.readouterr().out == light
    assert light.count("\n") >= 6


@pytest.mark.parametrize(("name", "region"), [
    ("multi_plot_hole_gbk.txt", None), ("dms_symbols_gbk.txt", None),
    ("reference_registration_gbk.txt", "新源县"),  # it lies outside the bundled counties
    ("notice_two_blocks_gbk.txt", "新源县"), ("notice_dms_tabs_utf8.txt", "新源县")])
def test_a_pre_grant_check_of_a_coordinate_txt_loads_no_frame_library(
        name: str, region: str | None, built_store: Path) -> None:
    """``check --proposal`` of a coordinate TXT (a strict layout or a table pasted from a
    notice), without -o/--figure/--report, reads the file, the store and the rules and
    prints its findings without pandas,
    geopandas or GDAL (they took 0.45 s of its 0.74 s, issue 16). Fails when a module
    on that path imports one of them at module level again."""
    probe = (
        "import sys, mineplan.cli\n"
        f"code = mineplan.cli.main(['check', '--proposal', {str(FIXTURE.parent / name)!r},"
        f" '--right', '采矿权', '--mineral', '金', '--store', {str(built_store)!r}"
        f"{', ' + repr('--region') + ', ' + repr(region) if region else ''}])\n"
        f"print({{'code': code, 'loaded': sorted(m for m in {FRAME_LIBRARIES!r} "
        "if m in sys.modules)}, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert "'loaded': []}" in done.stderr
    assert "出让前审查" in done.stdout


@pytest.mark.parametrize(("name", "extra"), [
    ("dms_symbols_gbk.txt", []), ("multi_plot_hole_gbk.txt", []),
    ("reference_registration_gbk.txt", ["--right", "探矿权", "--mineral", "铁",
                                        "--region", "新源县"]),
    ("reference_boundary_gbk.txt", ["--scale", "3", "--unit", "万吨/年"]),
    ("notice_two_blocks_gbk.txt", ["--region", "新源县"]),
])
def test_a_pre_grant_check_prints_the_same_with_or_without_frames(
        name: str, extra: list[str], built_store: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Without -o the findings never become a frame; with -o they do, and the file is
    read through its GeoDataFrame when a --crs is given: the summary printed is the
    same line for line."""
    path = str(FIXTURE.parent / name)
    base = ["check", "--proposal", path, "--store", str(built_store)]
    flags = extra if "--right" in extra else ["--right", "采矿权", "--mineral", "金", *extra]
    code = main([*base, *flags])
    light = capsys.readouterr().out
    out = tmp_path / "findings.csv"
    # a --crs sends a strict layout (which states its own) through its GeoDataFrame
    framed_read = [] if name.startswith("notice") else ["--crs", "EPSG:4490"]
    assert main([*base, *flags, *framed_read, "-o", str(out)]) == code
    framed = capsys.readouterr().out
    assert framed == light + f"wrote {out}\n"
    assert light.count("\n") >= 3
