"""How a zone map looks: layer styles as Leaflet options, popups, legend and decorations.

* :func:`leaflet_style` turns a layer style (``styles/styles.toml`` terms: colours,
  fill opacity, line width in mm, dash) into Leaflet path options, and
  :func:`style_problems` says what is wrong with one;
* :func:`popup_html` is a feature's popup (escaped values under Chinese labels),
  bound by the script ``static/mineplan/bind-popup.js`` (:data:`BIND_POPUP_JS`);
* :func:`legend_html` is the legend; :class:`mineplan.web.decorations.MapDecorations`
  adds it, the schematic banner, the metric scale and the tile-error notice to a
  folium map.

No folium here (the browse page's live map needs none of it: start-up is measured).
May import :mod:`mineplan.vocab` and :mod:`mineplan.web.assets`.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeGuard

from mineplan.layers import LINE_DASHES_MM
from mineplan.vocab import area_column_unit, area_display_decimals, format_area
from mineplan.web.assets import static_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SCHEMATIC_BANNER",
    "SCHEMATIC_DASH",
    "SCHEMATIC_FILL_FACTOR",
    "SCHEMATIC_POPUP_NOTE",
    "area_number_formats",
    "bind_popup_js",
    "format_value",
    "is_number",
    "leaflet_style",
    "legend_html",
    "line_dash_array",
    "popup_html",
    "style_problems",
]

SCHEMATIC_BANNER = "示意数据：图形为按规划面积生成的示意范围，非实测边界"
SCHEMATIC_POPUP_NOTE = "示意（非实测）"
# Schematic features are drawn as in the QGIS styles ([schematic] in styles/styles.toml).
SCHEMATIC_DASH = "6 4"
SCHEMATIC_FILL_FACTOR = 0.5
_WEIGHT_PX_PER_MM = 2.0  # styles.toml gives line widths in mm; the web map uses weight × 2 px
_DASH_PX_PER_MM = 4.0  # dash patterns (LINE_DASHES_MM) on screen: × 4 px per mm

_COLOUR = re.compile(r"^(#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{8}|[A-Za-z]{3,20})$")
_DASH = re.compile(r"^[0-9]+(\.[0-9]+)?([ ,]+[0-9]+(\.[0-9]+)?)*$")


# ----------------------------------------------------------------------------- styles


def is_number(value: Any) -> TypeGuard[float]:
    """A finite int or float (not a bool)."""
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


def style_problems(style: Mapping[str, Any]) -> list[str]:
    """Every problem with a layer style (fill, stroke, fill_opacity, weight, dash)."""
    problems = []
    for key in ("fill", "stroke"):
        value = style.get(key)
        if not isinstance(value, str) or not _COLOUR.match(value):
            problems.append(f"style {key} = {value!r} is not a colour such as '#1F4E9A'")
    opacity = style.get("fill_opacity")
    if not (is_number(opacity) and 0 <= opacity <= 1):
        problems.append(f"style fill_opacity = {opacity!r} is not a number from 0 to 1")
    weight = style.get("weight")
    if not (is_number(weight) and weight >= 0):
        problems.append(f"style weight = {weight!r} is not a line width ≥ 0 (mm)")
    dash = style.get("dash")
    dash_ok = isinstance(dash, str) and _DASH.match(dash) is not None
    if not (dash is None or isinstance(dash, bool) or dash_ok):
        problems.append(f"style dash = {dash!r} is neither true/false nor a dash array like '6 4'")
    line = style.get("line", "solid")
    if line not in LINE_DASHES_MM:
        problems.append(f"style line = {line!r} is not one of {tuple(LINE_DASHES_MM)}")
    return problems


def line_dash_array(line: str) -> str | None:
    """The Leaflet ``dashArray`` of an outline kind of ``styles.toml`` (None when solid).

    Examples
    --------
    >>> line_dash_array("dashdot"), line_dash_array("solid")
    ('8 3.2 1.6 3.2', None)
    """
    pattern = LINE_DASHES_MM.get(line, ())
    return " ".join(f"{v * _DASH_PX_PER_MM:g}" for v in pattern) or None


def leaflet_style(style: Mapping[str, Any]) -> dict[str, Any]:
    """Leaflet path options of a layer style (``styles.toml`` widths in mm, drawn × 2 px).

    ``dash`` true (schematic) dashes a solid outline; a ``line`` of ``dot`` or
    ``dashdot`` keeps its own pattern, as in the figures and the QGIS styles.
    """
    dash = style.get("dash")
    line = str(style.get("line", "solid"))
    if line != "solid":
        dash_array = line_dash_array(line)
    else:
        dash_array = SCHEMATIC_DASH if dash is True else (dash or None)
    return {
        "color": style["stroke"],
        "weight": round(float(style["weight"]) * _WEIGHT_PX_PER_MM, 2),
        "opacity": 1.0,
        "fillColor": style["fill"],
        "fillOpacity": float(style["fill_opacity"]),
        "fill": style["fill"] != "none",
        "dashArray": dash_array,
    }


# ----------------------------------------------------------------------------- popups


def bind_popup_js() -> str:
    """The ``onEachFeature`` function binding each feature's ``popup_html`` (scrolls when long)."""
    return static_text("bind-popup.js")


def popup_html(title: str, fields: Sequence[tuple[str, str]], row: pd.Series, *,
               schematic: bool) -> str:
    """A feature's popup: ``title``, then the row's ``(column, label)`` fields, escaped."""
    cells = "".join(
        f"<tr><th>{html.escape(label)}</th>"
        f"<td>{html.escape(format_value(row.get(column), column=column))}</td></tr>"
        for column, label in fields
    )
    note = f'<div class="mp-popup-schematic">{SCHEMATIC_POPUP_NOTE}</div>' if schematic else ""
    return (
        f'<div class="mp-popup"><div class="mp-popup-title">{html.escape(title)}</div>'
        f"<table>{cells}</table>{note}</div>"
    )


def format_value(value: Any, *, column: str | None = None) -> str:
    """A value as popup text: — for missing, 是/否, areas by unit, floats to 6 decimals, ISO dates.

    An area column (``*_km2``, ``*_ha``, ``*_m2``, :func:`mineplan.vocab.area_column_unit`)
    is shown by :func:`mineplan.vocab.format_area` (km² to 4 decimals, without the unit:
    the label carries it); any other float to at most 6 decimals, trailing zeros dropped.

    >>> format_value(0.0166931234, column="geom_area_km2"), format_value(0.1 + 0.2)
    ('0.0167', '0.3')
    """
    # numpy and pandas imported here: the live map's legend and styles need neither
    import numpy as np
    import pandas as pd

    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "—"
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    unit = area_column_unit(column) if column is not None else None
    if unit is not None and isinstance(value, int | float | np.integer | np.floating):
        return format_area(value, unit, with_unit=False)
    if isinstance(value, float | np.floating):
        return f"{round(float(value), 6) + 0.0:.15g}"
    if isinstance(value, datetime):  # includes pd.Timestamp
        midnight = value.hour == value.minute == value.second == value.microsecond == 0
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def area_number_formats(headers: Mapping[str, str]) -> dict[str, str]:
    """printf formats for a table's area columns, by header: numbers stay numbers.

    ``headers`` maps column → header as shown; each area column
    (:func:`mineplan.vocab.area_column_unit`) gets its unit's display decimals, for
    ``st.column_config.NumberColumn(format=...)`` — the table still sorts by value.

    >>> area_number_formats({"geom_area_km2": "图形面积（km²）", "name": "名称"})
    {'图形面积（km²）': '%.4f'}
    """
    return {header: f"%.{area_display_decimals(unit)}f" for column, header in headers.items()
            if (unit := area_column_unit(column)) is not None}


# ----------------------------------------------------------------------------- legend


def legend_html(layers: Sequence[tuple[str, str, Mapping[str, Any]]],
                schematic: Mapping[str, str]) -> str:
    """Legend rows: swatch, title and "（示意）" (whole layer) or "（含示意）" (some features).

    ``layers`` are ``(code, title, style)``; ``schematic`` maps a code to "all",
    "some" or "none".
    """
    items = []
    for code, title, layer_style in layers:
        style = leaflet_style(layer_style)
        extent = schematic.get(code, "none")
        line = layer_style.get("line", "solid")
        border = ("dotted" if line == "dot"
                  else "dashed" if (style["dashArray"] or extent == "all") else "solid")
        opacity = style["fillOpacity"] if style["fill"] else 0.0
        swatch = (
            f'<span class="mp-swatch" style="border:2px {border} {style["color"]};">'
            f'<span style="background:{style["fillColor"] if style["fill"] else "transparent"};'
            f'opacity:{max(opacity, 0.15):.2f};"></span></span>'
        )
        suffix = {"all": "（示意）", "some": "（含示意）"}.get(extent, "")
        items.append(f"<li>{swatch}{html.escape(title)}{suffix}</li>")
    return f'<div class="mp-legend-title">图例</div><ul>{"".join(items)}</ul>'
