"""Layer definitions (``layers/*.toml``) and their styles (``styles/styles.toml``).

A layer definition is data: its code (the GeoPackage table name), Chinese name,
geometry type, fields with types and units, which checks apply and which style
it uses. Reading collects every problem in every file and raises once.

May import: :mod:`mineplan.settings`, :mod:`mineplan.errors`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mineplan.errors import LayerDefinitionError, LocatedError, problem_list
from mineplan.settings import layers_dir, styles_dir

__all__ = [
    "HATCHES",
    "LINES",
    "LINE_DASHES_MM",
    "FieldSpec",
    "LayerSpec",
    "LayerStyle",
    "SchematicStyle",
    "read_layer_specs",
    "read_styles",
    "read_toml",
]

FIELD_TYPES = ("text", "integer", "real")
GEOMETRY_TYPES = ("MultiPolygon", "Polygon", "Point", "MultiLineString")
GROUPS = ("plan", "rights", "control", "base")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")

#: Outline kinds a style may name, and their dash patterns (on, off, …) in millimetres
#: on paper. The figures, the web map (× 4 px per mm) and QGIS (its named pen styles
#: ``dash``, ``dot``, ``dash dot``) draw the same kind.
LINE_DASHES_MM: dict[str, tuple[float, ...]] = {
    "solid": (),
    "dash": (2.0, 1.0),
    "dot": (0.4, 0.8),
    "dashdot": (2.0, 0.8, 0.4, 0.8),
}
LINES = tuple(LINE_DASHES_MM)
#: Hatches a style may name (matplotlib's pattern characters), drawn in the stroke colour
#: over the fill; the QGIS brush style each becomes.
HATCHES: dict[str, str] = {
    "": "no",
    "/": "f_diagonal",
    "\\": "b_diagonal",
    "x": "diagonal_x",
    "|": "vertical",
    "-": "horizontal",
    "+": "cross",
    ".": "dense6",
}


@dataclass(frozen=True)
class FieldSpec:
    """One attribute of a layer."""

    name: str
    type: str
    alias: str
    unit: str = ""
    doc: str = ""


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the store, as ``layers/<code>.toml`` defines it."""

    code: str
    name: str
    geometry: str
    group: str
    order: int
    style: str
    fields: tuple[FieldSpec, ...]
    checks: tuple[str, ...] = ()
    description: str = ""

    @property
    def is_zone_layer(self) -> bool:
        """True for the plan's own zones and the existing rights it lists."""
        return self.group in ("plan", "rights")

    def aliases(self) -> dict[str, str]:
        """Column name → Chinese label (with unit) for display."""
        return {f.name: f"{f.alias}（{f.unit}）" if f.unit else f.alias for f in self.fields}


@dataclass(frozen=True)
class LayerStyle:
    """Colours and symbol of one layer (``styles/styles.toml``).

    ``line`` is the outline kind (one of :data:`LINES`), ``hatch`` a pattern of
    :data:`HATCHES` drawn in the stroke colour over the fill. ``dash = true`` (the
    older spelling) means ``line = "dash"``; :attr:`outline` gives the kind to draw.
    """

    fill: str
    stroke: str
    fill_opacity: float
    weight: float
    dash: bool = False
    line: str = "solid"
    hatch: str = ""

    @property
    def outline(self) -> str:
        """The outline kind drawn: ``line``, or ``"dash"`` when ``dash`` is set on a solid line."""
        return "dash" if self.dash and self.line == "solid" else self.line

    def faint(self, schematic: SchematicStyle) -> LayerStyle:
        """This style for schematic or demo features: fill × the schematic factor and a
        solid outline dashed (a dotted or dash-dot outline keeps its kind, so layers stay
        apart when everything drawn is schematic)."""
        return LayerStyle(
            fill=self.fill, stroke=self.stroke,
            fill_opacity=round(self.fill_opacity * schematic.fill_opacity_factor, 3),
            weight=self.weight, dash=self.dash or schematic.dash, line=self.line,
            hatch=self.hatch,
        )


@dataclass(frozen=True)
class SchematicStyle:
    """How schematic geometry is drawn differently from real geometry."""

    dash: bool = True
    fill_opacity_factor: float = 0.5
    label_suffix: str = "（示意）"
    #: Zones the plan gives no area for are drawn as a point of this size (mm) and
    #: matplotlib marker, filled in the layer's stroke colour, explained so in legends.
    point_marker: str = "o"
    point_size_mm: float = 2.2
    point_label: str = "无面积，位置示意"


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, path: Path, message: str) -> None:
        self.items.append(f"{path.name}: {message}")


def read_layer_specs(directory: Path | None = None) -> dict[str, LayerSpec]:
    """Read every layer definition, ordered by drawing order.

    Parameters
    ----------
    directory
        Folder of ``<CODE>.toml`` files and ``fieldsets.toml`` (default ``layers/``).

    Returns
    -------
    dict
        Layer code → :class:`LayerSpec`, in ascending ``order``.

    Raises
    ------
    LayerDefinitionError
        Listing every problem found in every file.
    """
    directory = directory or layers_dir()
    fieldsets_path = directory / "fieldsets.toml"
    problems = _Problems()
    fieldsets = read_toml(fieldsets_path) if fieldsets_path.exists() else {}
    specs: list[LayerSpec] = []
    for path in sorted(directory.glob("*.toml")):
        if path.name == "fieldsets.toml":
            continue
        try:
            data = read_toml(path)
        except LayerDefinitionError as err:
            problems.add(path, err.reason)
            continue
        spec = _layer_from_toml(path, data, fieldsets, problems)
        if spec is not None:
            specs.append(spec)
    if not specs and not problems.items:
        problems.items.append(f"no layer definitions (*.toml) in {directory}")
    if problems.items:
        raise LayerDefinitionError(
            f"invalid layer definitions, {problem_list(problems.items)}", path=directory
        )
    return {s.code: s for s in sorted(specs, key=lambda s: (s.order, s.code))}


def read_styles(
    path: Path | None = None, *, codes: list[str] | None = None
) -> tuple[dict[str, LayerStyle], SchematicStyle]:
    """Read ``styles/styles.toml``: a style per layer and the schematic rule.

    Parameters
    ----------
    path
        The styles file (default ``styles/styles.toml``).
    codes
        Style names that must be present (e.g. every layer's ``style``).
    """
    path = path or styles_dir() / "styles.toml"
    data = read_toml(path)
    problems = _Problems()
    schematic = SchematicStyle(**data.pop("schematic", {}))
    styles: dict[str, LayerStyle] = {}
    for name, raw in data.items():
        if not isinstance(raw, dict):
            problems.add(path, f"[{name}] must be a table")
            continue
        try:
            style = LayerStyle(**raw)
        except TypeError as err:
            problems.add(path, f"[{name}]: {err}")
            continue
        for key in ("fill", "stroke"):
            if not _COLOUR.match(getattr(style, key)):
                problems.add(path, f"[{name}] {key} = {getattr(style, key)!r} is not #RRGGBB")
        if not 0 <= style.fill_opacity <= 1:
            problems.add(path, f"[{name}] fill_opacity {style.fill_opacity} is not within 0–1")
        if style.line not in LINE_DASHES_MM:
            problems.add(path, f"[{name}] line = {style.line!r} is not one of {LINES}")
        if style.hatch not in HATCHES:
            problems.add(path, f"[{name}] hatch = {style.hatch!r} is not one of {tuple(HATCHES)}")
        styles[name] = style
    for code in codes or []:
        if code not in styles:
            problems.add(path, f"no style [{code}]")
    if problems.items:
        raise LayerDefinitionError(f"invalid styles, {problem_list(problems.items)}", path=path)
    return styles, schematic


def read_toml(
    path: Path,
    *,
    error: type[LocatedError] = LayerDefinitionError,
    what: str = "file",
) -> dict[str, Any]:
    """A UTF-8 TOML data file (layer definition, styles, rules) as a dict.

    Parameters
    ----------
    path
        The file.
    error
        The error to raise, naming `path`: the reader's own (layer definitions
        raise :class:`~mineplan.errors.LayerDefinitionError`, rule files
        :class:`~mineplan.errors.CatalogError`).
    what
        What the file is, for the not-found message (``"rule file"`` …).

    Raises
    ------
    LocatedError
        Of type `error`, when the file is missing or not valid TOML.
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what} not found", path=path) from None
    except tomllib.TOMLDecodeError as err:
        raise error(f"not valid TOML: {err}", path=path) from None


def _layer_from_toml(
    path: Path, data: dict[str, Any], fieldsets: dict[str, Any], problems: _Problems
) -> LayerSpec | None:
    before = len(problems.items)
    required = ("code", "name", "geometry", "group", "order", "style")
    missing = [k for k in required if k not in data]
    if missing:
        problems.add(path, f"missing key(s) {missing}")
        return None
    code = data["code"]
    if not _CODE.match(str(code)):
        problems.add(path, f"code {code!r} must be 2–16 capitals, digits or _")
    if path.stem != code:
        problems.add(path, f"file name must be {code}.toml")
    if data["geometry"] not in GEOMETRY_TYPES:
        problems.add(path, f"geometry {data['geometry']!r} is not one of {GEOMETRY_TYPES}")
    if data["group"] not in GROUPS:
        problems.add(path, f"group {data['group']!r} is not one of {GROUPS}")
    raw_fields: list[dict[str, Any]] = []
    fieldset = data.get("fieldset", "")
    if fieldset:
        if fieldset not in fieldsets:
            problems.add(path, f"fieldset {fieldset!r} is not in fieldsets.toml")
        else:
            raw_fields += fieldsets[fieldset]
    raw_fields += data.get("fields", [])
    fields = []
    for i, raw in enumerate(raw_fields, start=1):
        try:
            spec = FieldSpec(**raw)
        except TypeError as err:
            problems.add(path, f"field {i}: {err}")
            continue
        if spec.type not in FIELD_TYPES:
            problems.add(path, f"field {spec.name!r}: type {spec.type!r} not in {FIELD_TYPES}")
        fields.append(spec)
    names = [f.name for f in fields]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        problems.add(path, f"field(s) defined twice: {dupes}")
    if len(problems.items) > before:
        return None
    return LayerSpec(
        code=code,
        name=data["name"],
        geometry=data["geometry"],
        group=data["group"],
        order=int(data["order"]),
        style=data["style"],
        fields=tuple(fields),
        checks=tuple(data.get("checks", ())),
        description=data.get("description", ""),
    )
