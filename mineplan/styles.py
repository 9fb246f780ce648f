"""QGIS styles (QML) generated from ``styles/styles.toml`` and the layer definitions.

Each layer gets a rule-based renderer: zone layers draw schematic geometry
(``geometry_status = '示意'``) with a dashed outline and lighter fill, and label
it with a "（示意）" suffix; control layers do the same for demo data
(``data_status = '演示'``); the boundary layer draws each administrative level
with its own line. Field aliases carry the Chinese names, so QGIS's attribute
table and identify panel speak the planners' language.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace

from mineplan.layers import HATCHES, LayerSpec, LayerStyle, SchematicStyle
from mineplan.vocab import DEMO, SCHEMATIC

__all__ = ["QGIS_VERSION", "StyleRule", "layer_qml", "style_rules"]

QGIS_VERSION = "3.28.0-Firenze"
LABEL_FONT = "Noto Sans CJK SC"
#: The outline kinds of ``styles.toml`` as QGIS pen styles.
_PEN_STYLES = {"solid": "solid", "dash": "dash", "dot": "dot", "dashdot": "dash dot"}


@dataclass(frozen=True)
class StyleRule:
    """One rule of a rule-based renderer: a QGIS filter expression and its symbol."""

    label: str
    filter: str
    style: LayerStyle


def style_rules(spec: LayerSpec, style: LayerStyle, schematic: SchematicStyle) -> list[StyleRule]:
    """The renderer rules for one layer (also used by the web map legend)."""
    faint = style.faint(schematic)
    if spec.group in ("plan", "rights"):
        return [
            StyleRule(f"{spec.name}（{SCHEMATIC}）", f"\"geometry_status\" = '{SCHEMATIC}'", faint),
            StyleRule(spec.name, "ELSE", style),
        ]
    if spec.group == "control":
        return [
            StyleRule(f"{spec.name}（{DEMO}数据）", f"\"data_status\" = '{DEMO}'", faint),
            StyleRule(spec.name, "ELSE", style),
        ]
    wide = replace(style, weight=style.weight * 1.6)
    return [
        StyleRule("省级界线", "\"level\" = 'province'", replace(style, weight=style.weight * 2.4)),
        StyleRule("地级界线", "\"level\" = 'prefecture'", wide),
        StyleRule("县级界线", "ELSE", replace(style, dash=True)),
    ]


def layer_qml(spec: LayerSpec, style: LayerStyle, schematic: SchematicStyle) -> str:
    """A complete QGIS ``.qml`` document for one layer.

    Parameters
    ----------
    spec
        The layer definition (fields give the aliases).
    style
        The layer's colours (``styles/styles.toml``).
    schematic
        How schematic/demo features differ.

    Returns
    -------
    str
        QML text, UTF-8, that QGIS 3 loads as the layer's default style.
    """
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="AllStyleCategories")
    rules = style_rules(spec, style, schematic)
    renderer = ET.SubElement(
        root, "renderer-v2", type="RuleRenderer", symbollevels="0",
        enableorderby="0", forceraster="0",
    )
    rules_el = ET.SubElement(renderer, "rules", key="{root}")
    symbols = ET.SubElement(renderer, "symbols")
    for i, rule in enumerate(rules):
        ET.SubElement(
            rules_el, "rule", key=f"{{rule-{i}}}", filter=rule.filter,
            label=rule.label, symbol=str(i),
        )
        symbols.append(_fill_symbol(str(i), rule.style))
    root.append(_labeling(spec, schematic))
    fields = ET.SubElement(root, "fieldConfiguration")
    aliases = ET.SubElement(root, "aliases")
    for index, (name, alias) in enumerate(spec.aliases().items()):
        f = ET.SubElement(fields, "field", name=name, configurationFlags="None")
        ET.SubElement(f, "editWidget", type="TextEdit")
        ET.SubElement(aliases, "alias", field=name, index=str(index), name=alias)
    ET.SubElement(root, "layerGeometryType").text = "2"
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _option(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, "Option", name=name, value=value, type="QString")


def _fill_symbol(name: str, style: LayerStyle) -> ET.Element:
    symbol = ET.Element(
        "symbol", type="fill", name=name, alpha="1", clip_to_extent="1", force_rhr="0"
    )
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1",
                                            "locked": "0", "pass": "0"})
    options = ET.SubElement(layer, "Option", type="Map")
    _option(options, "color", _rgba(style.fill, style.fill_opacity))
    _option(options, "style", "solid" if style.fill_opacity > 0 else "no")
    _option(options, "outline_color", _rgba(style.stroke, 1.0))
    _option(options, "outline_style", _PEN_STYLES[style.outline])
    _option(options, "outline_width", f"{style.weight:g}")
    _option(options, "outline_width_unit", "MM")
    _option(options, "joinstyle", "round")
    if style.hatch:
        # The hatch: a second fill layer drawing only the pattern, in the stroke colour.
        hatch = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1",
                                                "locked": "0", "pass": "0"})
        hatch_options = ET.SubElement(hatch, "Option", type="Map")
        _option(hatch_options, "color", _rgba(style.stroke, 1.0))
        _option(hatch_options, "style", HATCHES[style.hatch])
        _option(hatch_options, "outline_style", "no")
    return symbol


def _labeling(spec: LayerSpec, schematic: SchematicStyle) -> ET.Element:
    labeling = ET.Element("labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    if spec.group in ("plan", "rights"):
        expression = (
            f"\"name\" || if(\"geometry_status\" = '{SCHEMATIC}', '{schematic.label_suffix}', '')"
        )
    else:
        expression = '"name"'
    ET.SubElement(
        settings, "text-style", fieldName=expression, isExpression="1",
        fontFamily=LABEL_FONT, fontSize="8" if spec.group != "base" else "9",
        fontSizeUnit="Point", textColor="0,0,0,255", textOpacity="1",
        namedStyle="Regular", multilineAlign="3",
    )
    ET.SubElement(
        settings, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferSizeUnits="MM",
        bufferColor="255,255,255,255", bufferOpacity="0.85",
    )
    ET.SubElement(settings, "placement", placement="1", dist="0", priority="5")
    ET.SubElement(
        settings, "rendering", obstacle="1", displayAll="0", upsidedownLabels="0",
        scaleVisibility="1" if spec.group == "base" else "0",
        scaleMin="0", scaleMax="2000000", minFeatureSize="3",
    )
    return labeling
