"""Tests for mineplan.styles: QGIS ``.qml`` documents generated from the style data.

Every layer's QML must parse, use a rule-based renderer whose first rule picks
out schematic (zone layers) or demo (control layers) features, carry the
colours of ``styles/styles.toml`` and a Chinese alias for every field. The
committed ``styles/qml/*.qml`` must be what the generator writes now, so a style
edit that was not regenerated (``mineplan styles``) fails here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mineplan.cli import main
from mineplan.layers import FieldSpec, LayerSpec, LayerStyle, SchematicStyle, read_layer_specs
from mineplan.layers import read_styles as read_style_file
from mineplan.settings import styles_dir
from mineplan.styles import layer_qml, style_rules

SPECS = read_layer_specs()
STYLES, SCHEMATIC = read_style_file(codes=[s.style for s in SPECS.values()])
# QGIS's pen and brush style names (QgsSymbolLayerUtils), for styles.toml's line / hatch
PEN = {"solid": "solid", "dash": "dash", "dot": "dot", "dashdot": "dash dot"}
QGIS_BRUSH = {"/": "f_diagonal", "\\": "b_diagonal", "x": "diagonal_x", "|": "vertical",
              "-": "horizontal", "+": "cross", ".": "dense6"}
ZONE_FILTER = "\"geometry_status\" = '示意'"
DEMO_FILTER = "\"data_status\" = '演示'"


def _hex_rgba(colour: str, alpha: float) -> str:
    """``#RRGGBB`` and an opacity 0–1 as QGIS's ``r,g,b,a`` (0–255)."""
    value = int(colour.lstrip("#"), 16)
    return f"{value >> 16},{(value >> 8) & 0xFF},{value & 0xFF},{round(alpha * 255)}"


def _parse(code: str) -> ET.Element:
    spec = SPECS[code]
    return ET.fromstring(layer_qml(spec, STYLES[spec.style], SCHEMATIC))


def _symbol_options(root: ET.Element, rule: ET.Element) -> dict[str, str]:
    symbol = root.find(f"./renderer-v2/symbols/symbol[@name='{rule.get('symbol')}']")
    assert symbol is not None, f"rule {rule.get('label')} names a missing symbol"
    options = symbol.find("./layer[@class='SimpleFill']/Option[@type='Map']")
    assert options is not None
    return {o.get("name"): o.get("value") for o in options.findall("Option")}


def _hatch_options(root: ET.Element, rule: ET.Element) -> dict[str, str] | None:
    symbol = root.find(f"./renderer-v2/symbols/symbol[@name='{rule.get('symbol')}']")
    assert symbol is not None
    layers = symbol.findall("./layer[@class='SimpleFill']")
    if len(layers) < 2:
        return None
    options = layers[1].find("./Option[@type='Map']")
    assert options is not None
    return {o.get("name"): o.get("value") for o in options.findall("Option")}


def _rules(root: ET.Element) -> list[ET.Element]:
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "RuleRenderer"
    return renderer.findall("./rules/rule")


@pytest.mark.parametrize("code", list(SPECS))
def test_qml_parses_with_a_rule_renderer(code: str):
    text = layer_qml(SPECS[code], STYLES[SPECS[code].style], SCHEMATIC)
    assert text.startswith("<!DOCTYPE qgis")
    root = ET.fromstring(text)
    assert root.tag == "qgis"
    assert root.get("version", "").startswith("3.")
    rules = _rules(root)
    assert len(rules) >= 2
    assert rules[-1].get("filter") == "ELSE"
    assert len({r.get("symbol") for r in rules}) == len(rules)
    assert root.findtext("layerGeometryType") == "2"  # polygon


@pytest.mark.parametrize("code", [c for c, s in SPECS.items() if s.is_zone_layer])
def test_zone_layers_draw_schematic_geometry_apart(code: str):
    root = _parse(code)
    schematic_rule, real_rule = _rules(root)
    assert schematic_rule.get("filter") == ZONE_FILTER
    assert schematic_rule.get("label") == f"{SPECS[code].name}（示意）"
    assert real_rule.get("label") == SPECS[code].name
    label = root.find("./labeling/settings/text-style")
    assert label is not None
    assert ZONE_FILTER in label.get("fieldName", "")
    assert SCHEMATIC.label_suffix in label.get("fieldName", "")


@pytest.mark.parametrize("code", [c for c, s in SPECS.items() if s.group == "control"])
def test_control_layers_draw_demo_data_apart(code: str):
    root = _parse(code)
    demo_rule, real_rule = _rules(root)
    assert demo_rule.get("filter") == DEMO_FILTER
    assert "演示" in demo_rule.get("label", "")
    assert real_rule.get("filter") == "ELSE"


def test_boundary_layer_draws_each_level():
    filters = [r.get("filter") for r in _rules(_parse("XZQ"))]
    assert filters == ["\"level\" = 'province'", "\"level\" = 'prefecture'", "ELSE"]


@pytest.mark.parametrize("code", list(SPECS))
def test_colours_match_the_style_file(code: str):
    style = STYLES[SPECS[code].style]
    root = _parse(code)
    rules = _rules(root)
    plain = _symbol_options(root, rules[-1])
    assert plain["outline_color"] == _hex_rgba(style.stroke, 1.0)
    assert plain["outline_width"] == f"{style.weight:g}"
    if SPECS[code].group != "base":
        assert plain["color"] == _hex_rgba(style.fill, style.fill_opacity)
        assert plain["outline_style"] == PEN[style.line if not style.dash else "dash"]
        faint = _symbol_options(root, rules[0])
        factor = SCHEMATIC.fill_opacity_factor
        assert faint["color"] == _hex_rgba(style.fill, round(style.fill_opacity * factor, 3))
        assert faint["outline_color"] == plain["outline_color"]
        # schematic: a solid outline becomes dashed; dotted / dash-dot keep their kind
        faint_kind = style.line if style.line != "solid" else (
            "dash" if SCHEMATIC.dash or style.dash else "solid")
        assert faint["outline_style"] == PEN[faint_kind]
        hatch = _hatch_options(root, rules[-1])
        if style.hatch:
            assert hatch is not None
            assert hatch["style"] == QGIS_BRUSH[style.hatch]
            assert hatch["color"] == _hex_rgba(style.stroke, 1.0)
        else:
            assert hatch is None
    for rule in rules:
        options = _symbol_options(root, rule)
        assert options["style"] == ("solid" if style.fill_opacity > 0 else "no")


@pytest.mark.parametrize("code", list(SPECS))
def test_every_field_has_its_alias(code: str):
    root = _parse(code)
    aliases = {a.get("field"): a.get("name") for a in root.findall("./aliases/alias")}
    assert aliases == SPECS[code].aliases()
    indices = [int(a.get("index", "-1")) for a in root.findall("./aliases/alias")]
    assert indices == list(range(len(SPECS[code].fields)))
    configured = [f.get("name") for f in root.findall("./fieldConfiguration/field")]
    assert configured == [f.name for f in SPECS[code].fields]


def test_hand_built_style_converts_hex_to_rgba():
    spec = LayerSpec(
        code="TEST", name="测试区", geometry="MultiPolygon", group="plan", order=1,
        style="TEST", fields=(FieldSpec("area_km2", "real", "面积", unit="km²"),),
    )
    style = LayerStyle(fill="#0A0B0C", stroke="#FF8000", fill_opacity=0.5, weight=0.25)
    schematic = SchematicStyle(dash=True, fill_opacity_factor=0.5, label_suffix="（示意）")
    root = ET.fromstring(layer_qml(spec, style, schematic))
    faint_rule, plain_rule = _rules(root)
    plain = _symbol_options(root, plain_rule)
    faint = _symbol_options(root, faint_rule)
    assert plain["color"] == "10,11,12,128"
    assert plain["outline_color"] == "255,128,0,255"
    assert plain["outline_width"] == "0.25"
    assert plain["outline_style"] == "solid"
    assert faint["color"] == "10,11,12,64"
    assert faint["outline_style"] == "dash"
    alias = root.find("./aliases/alias[@field='area_km2']")
    assert alias is not None and alias.get("name") == "面积（km²）"


def test_style_rules_are_what_the_qml_draws():
    spec = SPECS["CKGH"]
    rules = style_rules(spec, STYLES[spec.style], SCHEMATIC)
    root = _parse("CKGH")
    assert [r.filter for r in rules] == [r.get("filter") for r in _rules(root)]
    assert [r.label for r in rules] == [r.get("label") for r in _rules(root)]


# --------------------------------------------------------------------------- committed files


@pytest.fixture(scope="module")
def committed_qml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = styles_dir() / "qml"
    if not folder.is_dir():  # not generated yet: check the generator's own output instead
        folder = tmp_path_factory.mktemp("qml")
        assert main(["-q", "styles", "-o", str(folder)]) == 0
    return folder


def test_committed_qml_files_are_up_to_date(committed_qml: Path):
    expected = {
        f"{code}.qml": layer_qml(spec, STYLES[spec.style], SCHEMATIC)
        for code, spec in SPECS.items()
    }
    present = sorted(p.name for p in committed_qml.glob("*.qml"))
    assert present == sorted(expected), "styles/qml does not have one file per layer"
    stale = [
        name for name, text in expected.items()
        if (committed_qml / name).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"run `mineplan styles`: {stale} differ from styles/styles.toml"


def test_styles_command_writes_one_file_per_layer(tmp_path: Path, capsys):
    assert main(["styles", "-o", str(tmp_path)]) == 0
    assert sorted(p.stem for p in tmp_path.glob("*.qml")) == sorted(SPECS)
    spec = SPECS["TKGH"]
    assert (tmp_path / "TKGH.qml").read_text(encoding="utf-8") == layer_qml(
        spec, STYLES[spec.style], SCHEMATIC
    )
    assert f"wrote {len(SPECS)} styles" in capsys.readouterr().out
