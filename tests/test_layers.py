"""Tests for mineplan.layers: the layer definitions (``layers/*.toml``) and styles.

The shipped definitions must all load and each must have a style; a broken copy
of them, made in ``tmp_path``, must fail with one error naming every file and
every problem.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mineplan.errors import LayerDefinitionError, MineplanError
from mineplan.layers import (
    FIELD_TYPES,
    GEOMETRY_TYPES,
    GROUPS,
    FieldSpec,
    LayerSpec,
    read_layer_specs,
    read_styles,
)
from mineplan.settings import layers_dir, styles_dir

SHIPPED_CODES = sorted(p.stem for p in layers_dir().glob("*.toml") if p.name != "fieldsets.toml")


@pytest.fixture()
def layers_copy(tmp_path: Path) -> Path:
    """A writable copy of ``layers/`` to break."""
    target = tmp_path / "layers"
    shutil.copytree(layers_dir(), target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}; the fixture no longer matches the file"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _raised(directory: Path) -> LayerDefinitionError:
    with pytest.raises(LayerDefinitionError) as info:
        read_layer_specs(directory)
    return info.value


# --------------------------------------------------------------------------- shipped data


def test_every_shipped_definition_loads():
    specs = read_layer_specs()
    assert sorted(specs) == SHIPPED_CODES
    for code, spec in specs.items():
        assert spec.code == code
        assert spec.geometry in GEOMETRY_TYPES
        assert spec.group in GROUPS
        assert spec.name.strip()
        assert spec.fields, f"{code} has no fields"
        assert all(f.type in FIELD_TYPES for f in spec.fields)


def test_specs_come_in_drawing_order():
    orders = [s.order for s in read_layer_specs().values()]
    assert orders == sorted(orders)


def test_zone_layers_carry_the_schematic_status_fields():
    for spec in read_layer_specs().values():
        names = {f.name for f in spec.fields}
        if spec.is_zone_layer:
            assert {"zone_id", "area_km2", "geom_area_km2", "geometry_status",
                    "geometry_note"} <= names, spec.code
        if spec.group == "control":
            assert {"data_status", "geometry_status"} <= names, spec.code


def test_every_layer_has_a_style():
    specs = read_layer_specs()
    styles, schematic = read_styles(codes=[s.style for s in specs.values()])
    assert {s.style for s in specs.values()} <= set(styles)
    for name, style in styles.items():
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", style.fill), name
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", style.stroke), name
        assert 0 <= style.fill_opacity <= 1, name
    assert schematic.label_suffix == "（示意）"
    assert 0 < schematic.fill_opacity_factor <= 1


def test_aliases_include_units():
    specs = read_layer_specs()
    with_unit = 0
    for spec in specs.values():
        aliases = spec.aliases()
        assert list(aliases) == [f.name for f in spec.fields]
        for f in spec.fields:
            if f.unit:
                with_unit += 1
                assert aliases[f.name] == f"{f.alias}（{f.unit}）"
            else:
                assert aliases[f.name] == f.alias
    assert with_unit > 0
    assert specs["CKGH"].aliases()["area_km2"] == "规划面积（km²）"
    assert specs["CKGH"].aliases()["geom_area_km2"].endswith("（km²）")


def test_aliases_of_a_hand_built_spec():
    spec = LayerSpec(
        code="TEST", name="测试", geometry="MultiPolygon", group="plan", order=1, style="TEST",
        fields=(FieldSpec("a", "real", "面积", unit="km²"), FieldSpec("b", "text", "名称")),
    )
    assert spec.aliases() == {"a": "面积（km²）", "b": "名称"}
    assert spec.is_zone_layer


# --------------------------------------------------------------------------- broken definitions


def test_broken_definitions_list_every_problem_of_every_file(layers_copy: Path):
    _replace(layers_copy / "CKGH.toml", 'geometry = "MultiPolygon"', 'geometry = "Blob"')
    _replace(layers_copy / "CKGH.toml", 'group = "plan"', 'group = "wishes"')
    _replace(layers_copy / "TKGH.toml", 'order = ', 'ordre = ')
    (layers_copy / "XZQ.toml").write_text(
        (layers_copy / "XZQ.toml").read_text(encoding="utf-8")
        + '\n[[fields]]\nname = "adcode"\ntype = "text"\nalias = "重复"\n',
        encoding="utf-8",
    )
    err = _raised(layers_copy)
    message = str(err)
    assert err.path == layers_copy
    assert str(layers_copy) in message
    # every file, and every problem in it, not just the first one found
    assert "CKGH.toml" in message and "'Blob'" in message
    assert "'wishes'" in message
    assert "TKGH.toml" in message and "missing key" in message and "order" in message
    assert "XZQ.toml" in message and "defined twice" in message and "adcode" in message
    # one problem per line, each naming its file
    lines = [s.strip() for s in message.splitlines()[1:]]
    assert len(lines) == 4
    assert sum(s.startswith("CKGH.toml:") for s in lines) == 2


def test_bad_field_type_and_file_name(layers_copy: Path):
    _replace(layers_copy / "XZQ.toml", 'type = "real"', 'type = "float"')
    (layers_copy / "CKGH.toml").rename(layers_copy / "CKGH2.toml")
    message = str(_raised(layers_copy))
    assert "XZQ.toml" in message and "'float'" in message
    assert "CKGH2.toml" in message and "CKGH.toml" in message


def test_unknown_fieldset_is_reported(layers_copy: Path):
    _replace(layers_copy / "STHX.toml", 'fieldset = "control"', 'fieldset = "nothing"')
    message = str(_raised(layers_copy))
    assert "STHX.toml" in message and "'nothing'" in message


def test_invalid_toml_is_reported_with_the_other_files_problems(layers_copy: Path):
    # The module promises to collect every problem in every file: a syntax
    # error in one file must not hide the problems of the others.
    (layers_copy / "HJZL.toml").write_text('code = "HJZL\n', encoding="utf-8")
    _replace(layers_copy / "CKGH.toml", 'geometry = "MultiPolygon"', 'geometry = "Blob"')
    message = str(_raised(layers_copy))
    assert "HJZL.toml" in message
    assert "CKGH.toml" in message and "'Blob'" in message


def test_empty_directory_is_an_error(tmp_path: Path):
    message = str(_raised(tmp_path))
    assert "no layer definitions" in message


def test_error_is_also_a_value_error(layers_copy: Path):
    _replace(layers_copy / "CKGH.toml", 'geometry = "MultiPolygon"', 'geometry = "Blob"')
    with pytest.raises(ValueError):
        read_layer_specs(layers_copy)
    with pytest.raises(MineplanError):
        read_layer_specs(layers_copy)


# --------------------------------------------------------------------------- broken styles


@pytest.fixture()
def styles_copy(tmp_path: Path) -> Path:
    target = tmp_path / "styles.toml"
    shutil.copy(styles_dir() / "styles.toml", target)
    return target


def test_bad_styles_list_every_problem(styles_copy: Path):
    text = styles_copy.read_text(encoding="utf-8")
    text = text.replace('fill = "#E06666"', 'fill = "orange"', 1)          # CKGH
    text = text.replace('stroke = "#003F7F"', 'stroke = "#0050A"', 1)       # TKGH
    text = text.replace('"#00A040"\nfill_opacity = 0.45', '"#00A040"\nfill_opacity = 1.5',
                        1)  # STHX
    text = text.replace('hatch = "x"', 'hatch = "#"', 1)                   # JZKQ
    text = text.replace('line = "dot"', 'line = "dotted"', 1)               # KYJJQ
    text += '\n[EXTRA]\nfill = "#000000"\nstroke = "#000000"\nfill_opacity = 0.1\ncolour = 1\n'
    styles_copy.write_text(text, encoding="utf-8")
    codes = [s.style for s in read_layer_specs().values()] + ["NOSTYLE"]
    with pytest.raises(LayerDefinitionError) as info:
        read_styles(styles_copy, codes=codes)
    message = str(info.value)
    assert info.value.path == styles_copy
    assert "styles.toml" in message
    assert "[CKGH] fill = 'orange'" in message
    assert "[TKGH] stroke = '#0050A'" in message
    assert "[STHX] fill_opacity 1.5" in message
    assert "[JZKQ] hatch = '#'" in message
    assert "[KYJJQ] line = 'dotted'" in message
    assert "[EXTRA]" in message and "colour" in message
    assert "no style [NOSTYLE]" in message


def test_missing_style_for_a_layer(styles_copy: Path):
    text = styles_copy.read_text(encoding="utf-8")
    start = text.index("[XZQ]")
    styles_copy.write_text(text[:start], encoding="utf-8")
    with pytest.raises(LayerDefinitionError, match=r"no style \[XZQ\]"):
        read_styles(styles_copy, codes=[s.style for s in read_layer_specs().values()])


def test_missing_styles_file(tmp_path: Path):
    with pytest.raises(LayerDefinitionError, match="file not found") as info:
        read_styles(tmp_path / "styles.toml")
    assert "styles.toml" in str(info.value)
