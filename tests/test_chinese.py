"""Planners read Chinese (issue 14 §3): every message the web app can show, swept.

Every error class rendered through :func:`mineplan.web.messages.error_message`, every
reason code of the message table, every rule message of the checks, and every page
of the app (AppTest) in its normal and error states: no English word a planner would
have to read (codes such as EPSG:4490, file names, units and numbers are allowed).
"""

from __future__ import annotations

import inspect
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from mineplan import errors as E
from mineplan.cli import main as cli_main
from mineplan.settings import home
from mineplan.web.messages import (
    CLASS_HINTS,
    CLASS_MESSAGES,
    CODE_MESSAGES,
    INTERNAL_ERROR,
    error_message,
    planner_words,
)

APP = home() / "app.py"
RULES = home() / "geodata" / "rules" / "checks.toml"

ERROR_CLASSES = sorted(
    (c for _, c in inspect.getmembers(E, inspect.isclass) if issubclass(c, E.MineplanError)),
    key=lambda c: c.__name__)


def _instances(cls: type[E.MineplanError]) -> Iterator[E.MineplanError]:
    english = "cannot import: feature 3: no geometry — pass --id-field (verify)"
    if issubclass(cls, E.UploadError):
        yield cls("文件过大：超过上限 200 MB。", detail="GDAL said: not recognized")
        return
    if issubclass(cls, E.LocatedError):
        yield cls(english, path="/data/地块.txt", line=12, feature=3)
        yield cls(english)
        return
    yield cls(english)
    yield cls(english, feature=7)


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_class_is_shown_in_chinese(cls: type[E.MineplanError]) -> None:
    for err in _instances(cls):
        text = error_message(err)
        assert text and not planner_words(text), (text, planner_words(text))
    assert any(c in CLASS_MESSAGES for c in cls.__mro__)


def test_located_errors_say_where() -> None:
    text = error_message(E.CoordinateFileError("bad", path="/x/地块.txt", line=12))
    assert "地块.txt" in text and "第 12 行" in text
    assert "要素 3" in error_message(E.GeometryError("bad", feature=3))


def test_other_exceptions_are_an_internal_error() -> None:
    assert error_message(KeyError("geometry")) == INTERNAL_ERROR


@pytest.mark.parametrize("code", sorted(CODE_MESSAGES))
def test_every_reason_code_is_chinese_and_filled(code: str) -> None:
    fields = {name: ["zone_id", "名称"] for name in re.findall(r"{(\w+)}", CODE_MESSAGES[code])}
    text = error_message(E.GeometryError("english", code=code, fields=fields))
    assert "{" not in text and not planner_words(text), text
    # a raiser that forgot a field still gives a Chinese sentence
    assert not planner_words(error_message(E.GeometryError("english", code=code)))


def test_class_tables_are_chinese() -> None:
    for text in [*CLASS_MESSAGES.values(), *CLASS_HINTS.values(), INTERNAL_ERROR]:
        assert not planner_words(text), text


def test_import_errors_carry_reason_codes() -> None:
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point, box

    from mineplan.importing import ImportReport, apply_import, match_features

    zones = pd.DataFrame({"zone_id": ["a-1"], "name": ["甲"], "seq": ["1"], "region": ["x"]})
    nameless = gpd.GeoDataFrame({"foo": [1]}, geometry=[box(80, 40, 81, 41)], crs=4490)
    with pytest.raises(E.GeometryError) as caught:
        match_features(zones, nameless)
    assert caught.value.code == "no_match_field" and caught.value.fields["columns"] == ["foo"]
    assert "编号字段" in error_message(caught.value)
    layer = gpd.GeoDataFrame(zones.assign(geometry_status="示意", geometry_source="",
                                          geometry_note="", geom_area_km2=0.0),
                             geometry=[box(80, 40, 81, 41)], crs=4490)
    points = gpd.GeoDataFrame({"zone_id": ["a-1"]}, geometry=[Point(80.5, 40.5)], crs=4490)
    with pytest.raises(E.GeometryError) as caught:
        apply_import(layer, points, ImportReport(matched={"a-1": 0}), source="f")
    assert caught.value.code == "not_polygon" and "要素 0" in error_message(caught.value)


# ------------------------------------------------------------------ the checks' messages


def _rule_texts() -> list[tuple[str, str]]:
    rules = tomllib.loads(RULES.read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"name", "message", "source", "note"} and isinstance(value, str):
                    found.append((f"{where}.{key}", value))
                else:
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for n, item in enumerate(node):
                walk(item, f"{where}[{n}]")

    walk(rules.get("rules", {}), "rules")
    return found


#: Known to show English to planners, in another helper's area: the lead must fix them
#: (rule messages marked "(verify)" in geodata/rules/checks.toml).
@pytest.mark.parametrize(("where", "text"), _rule_texts(),
                         ids=[where for where, _ in _rule_texts()])
def test_every_rule_message_is_chinese(where: str, text: str) -> None:
    words = planner_words(re.sub(r"{\w+}", "图层", text))  # filled in by the checks
    assert not words, (where, text, words)


# ----------------------------------------------------------------- every page, swept

_TEXT_FIELDS = {"label", "help", "placeholder", "body", "options", "caption", "value",
                "default_value", "title"}


def _strings(message: object) -> Iterator[str]:
    """The human-facing string fields of a Streamlit element proto, recursively."""
    for field, value in message.ListFields():  # type: ignore[attr-defined]
        if field.name in {"id", "form_id", "key", "type", "data", "arrow_data", "styler",
                          "srcdoc", "src", "mime", "url", "icon", "format", "component_name"}:
            continue
        repeated = isinstance(value, list | tuple) or type(value).__name__.startswith("Repeated")
        items = value if repeated else [value]
        for item in items:
            if hasattr(item, "ListFields"):
                yield from _strings(item)
            elif isinstance(item, str) and field.name in _TEXT_FIELDS:
                yield item


def _page_texts(at) -> list[str]:
    texts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            texts.extend(_strings(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    texts = [t for t in texts if not t.startswith("<style>")]  # chinese_chrome's CSS
    for frame in at.dataframe:
        texts.extend(str(c) for c in frame.value.columns)
        for column in frame.value.columns:
            texts.extend(str(v) for v in frame.value[column].head(30) if isinstance(v, str))
    return texts


def _english(at) -> list[tuple[str, list[str]]]:
    assert not at.exception, at.exception
    found = [(t, w) for t in _page_texts(at) if (w := planner_words(t))]
    return found


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "small.gpkg"
    assert cli_main(["build", "-q", "-o", str(path), "--plans", "yining,tekes"]) == 0
    return path


@pytest.fixture()
def app_env(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MINEPLAN_STORE", str(small_store))
    return small_store


def _app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=180)


@pytest.mark.slow
def test_browse_page_speaks_chinese(app_env: Path) -> None:
    at = _app().run()
    assert not _english(at)
    at.text_input(key="search").input("没有这个分区").run()  # a search without hits
    assert not _english(at)
    at.text_input(key="search").input("1").run()  # hits: a zone is located
    assert not _english(at)


@pytest.mark.slow
def test_missing_store_speaks_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINEPLAN_STORE", str(tmp_path / "none.gpkg"))
    for page in ["app_pages/browse.py", "app_pages/import_data.py", "app_pages/checks.py"]:
        at = _app().run()
        at.switch_page(page).run()
        assert at.error and not _english(at), (page, _english(at))


def _geojson(props: dict[str, object], coordinates: list[list[float]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props,
         "geometry": {"type": "Polygon", "coordinates": [coordinates]}}]},
        ensure_ascii=False).encode("utf-8")


_SQUARE = [[82.0, 42.9], [82.01, 42.9], [82.01, 42.91], [82.0, 42.91], [82.0, 42.9]]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "data"), [
    ("zones.geojson", _geojson({"zone_id": "tekes-TKGH-001"}, _SQUARE)),  # normal
    ("zones.geojson", _geojson({"备注": "x"}, _SQUARE)),  # nothing to match by
    ("zones.geojson", _geojson({"zone_id": "x"}, [[5e5, 4.8e6], [5.001e5, 4.8e6],
                                                  [5.001e5, 4.8001e6], [5e5, 4.8e6]])),
    ("zones.txt", b"\x89PNG\r\n\x1a\n" + bytes(32)),  # a disguise
    ("zones.exe", b"MZ\x90\x00"),
])
def test_import_page_speaks_chinese(app_env: Path, name: str, data: bytes) -> None:
    at = _app().run()
    at.switch_page("app_pages/import_data.py").run()
    assert not _english(at)
    at.file_uploader[0].set_value((name, data, "application/octet-stream")).run()
    assert not _english(at), _english(at)


@pytest.mark.slow
def test_check_page_speaks_chinese(app_env: Path) -> None:
    at = _app().run()
    at.switch_page("app_pages/checks.py").run()
    assert not _english(at)
    at.text_area(key="check_paste").input("J1,4868302.752,27521834.400\nJ2,x,y").run()
    assert at.error and not _english(at), _english(at)
    at.radio(key="check_source").set_value("上传文件").run()
    at.file_uploader(key="check_upload").set_value(("a.geojson", b"%PDF-1.4 x", "x")).run()
    assert at.error and not _english(at), _english(at)


#: English still in the checks' finding messages (mineplan.checks, another area): the
#: lead must fix these there; the sweep fails on any other English word.
@pytest.mark.slow
def test_check_result_speaks_chinese(app_env: Path) -> None:
    from tests.test_checkpage import _corners, _paste

    at = _app().run()
    at.switch_page("app_pages/checks.py").run()
    at.text_area(key="check_paste").input(_paste(_corners())).run()
    at.selectbox(key="check_right").set_value("采矿权")
    at.text_input(key="check_mineral").input("煤炭").run()
    at.button(key="check_run").click().run()
    assert any("总体结论" in e.value for e in [*at.error, *at.warning, *at.success])
    english = _english(at)
    assert not english, english


@pytest.mark.slow
@pytest.mark.parametrize(("page", "key"), [("app_pages/import_data.py", "zone_upload"),
                                           ("app_pages/checks.py", "check_upload")])
def test_an_oversize_upload_is_refused_in_chinese_naming_the_control(
        app_env: Path, monkeypatch: pytest.MonkeyPatch, page: str, key: str) -> None:
    # a limit of 0.002 MB (2,097 bytes); the file is 3,000 bytes: the page's own check
    # (the browser's, at the uploader's whole-MB limit, is the Chromium test's)
    monkeypatch.setenv("MINEPLAN_MAX_UPLOAD_MB", "0.002")
    at = _app().run()
    at.switch_page(page).run()
    if page.endswith("checks.py"):
        at.radio(key="check_source").set_value("上传文件").run()
    data = _geojson({"zone_id": "tekes-TKGH-001", "备注": "x" * 2600}, _SQUARE)
    assert 2**20 * 0.002 < len(data) < 2**20
    at.file_uploader(key=key).set_value(("zones.geojson", data, "application/json")).run()
    errors = [e.value for e in at.error]
    assert any("“选择文件”中的文件过大" in e and "超过上限 0.002 MB" in e for e in errors), errors
    assert not _english(at), _english(at)
