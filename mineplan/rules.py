"""Check rules as data: ``geodata/rules/checks.toml`` plus per-region overrides.

The national defaults live in ``geodata/rules/checks.toml``; a region may
override any value in ``geodata/rules/<slug>/checks.toml`` (tables merged key
by key, lists replaced). The plan's own rule tables (``min_scale.csv``,
``mineral_policy.csv``, extracted with their source lines) are read beside it,
for the region and for its prefecture when the prefecture's plan is held.

Mineral names are matched through :class:`MineralNames`, a small normaliser
driven by the synonyms, umbrella terms and groups of the data file, so that
金 / 金矿 / 岩金 / 金（岩金） are one mineral and a 砂石粘土 集中开采区 admits
建筑用砂. Verdict keys and labels are :data:`mineplan.vocab.VERDICTS`.

May import: vocab, settings, errors, catalog. Never store, checks, web, figures or cli.
"""

from __future__ import annotations

import copy
import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mineplan.catalog import plan_index, read_csv_rows
from mineplan.errors import CatalogError, CheckInputError
from mineplan.settings import geodata_dir
from mineplan.vocab import RIGHT_TYPES

__all__ = [
    "MIN_SCALE_COLUMNS",
    "OPTIONAL_COLUMNS",
    "POLICY_COLUMNS",
    "RIGHT_TYPES",
    "CheckInputError",
    "CheckRules",
    "MineralNames",
    "load_rules",
    "normalise_unit",
    "resolve_region",
]


MIN_SCALE_COLUMNS: tuple[str, ...] = (
    "rule_id", "region", "table", "mineral", "unit", "min_value", "scope", "note", "text",
    "source_file", "source_line",
)
POLICY_COLUMNS: tuple[str, ...] = (
    "region", "category", "activity", "mineral", "table", "text", "source_file", "source_line",
)
#: Optional rule-table columns, "" when a file lacks them: a policy row's ``condition``
#: (the qualifier the plan's sentence puts on the mineral, e.g. 可耕地) and
#: ``condition_field`` (what the check evaluates it with, a key of
#: ``[rules.mineral_policy.fields]``; "" = cannot be evaluated → 有条件).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "mineral_policy.csv": ("condition", "condition_field"),
    "min_scale.csv": ("condition",),
}

_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_COUNT = re.compile(r"\s*\d+\s*个\s*$")
_SPLIT = re.compile(r"[，,、；;/]|\s+和\s+|及")
_SPACE = re.compile(r"\s+")


# --------------------------------------------------------------------------- minerals


@dataclass(frozen=True)
class MineralNames:
    """Normalises mineral names and tests membership, from the ``[minerals]`` data.

    Examples
    --------
    >>> names = MineralNames.from_config(load_rules().config)
    >>> names.canonical("金（岩金）"), names.canonical("岩金"), names.canonical("金矿")
    ('金', '金', '金')
    >>> names.covers("砂石粘土", "建筑用砂")
    True
    """

    synonyms: Mapping[str, str]
    umbrella: Mapping[str, tuple[str, ...]]
    groups: Mapping[str, frozenset[str]]
    strip_suffixes: tuple[str, ...] = ("矿石", "矿")
    qualifiers: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MineralNames:
        data = config.get("minerals", {})
        names = cls(synonyms={}, umbrella={}, groups={},
                    strip_suffixes=tuple(data.get("strip_suffixes", ("矿石", "矿"))))
        synonyms = {_squash(k): _squash(v) for k, v in data.get("synonyms", {}).items()}
        return cls(
            synonyms=synonyms,
            umbrella={names._bare(k, synonyms): tuple(names._bare(v, synonyms) for v in vs)
                      for k, vs in data.get("umbrella", {}).items()},
            groups={g: frozenset(names._bare(v, synonyms) for v in vs)
                    for g, vs in data.get("groups", {}).items()},
            strip_suffixes=names.strip_suffixes,
            qualifiers=tuple(data.get("qualifiers", ())),
        )

    def _bare(self, text: str, synonyms: Mapping[str, str]) -> str:
        name = _squash(text)
        if name in synonyms:
            return synonyms[name]
        unbracketed = _BRACKETS.sub("", name)
        if unbracketed in synonyms:
            return synonyms[unbracketed]
        for suffix in self.strip_suffixes:
            if unbracketed.endswith(suffix) and len(unbracketed) > len(suffix):
                stripped = unbracketed[: -len(suffix)]
                return synonyms.get(stripped, stripped)
        return unbracketed

    def canonical(self, text: str) -> str:
        """The canonical name of one mineral name ("金矿" → "金")."""
        return self._bare(_COUNT.sub("", text), self.synonyms)

    def split(self, text: str) -> list[str]:
        """Canonical names of a mineral cell ("金矿 1 个，矿泉水 4 个" → ["金", "矿泉水"])."""
        out: list[str] = []
        for part in _SPLIT.split(_BRACKETS.sub("", _squash(text))):
            part = _COUNT.sub("", part).strip()
            if part:
                name = self.canonical(part)
                if name and name not in out:
                    out.append(name)
        return out

    def expand(self, name: str) -> set[str]:
        """A canonical name and everything an umbrella term of that name covers."""
        return {name, *self.umbrella.get(name, ())}

    def covers(self, block_minerals: str, mineral: str) -> bool:
        """Whether a block labelled ``block_minerals`` admits ``mineral``."""
        wanted = self.canonical(mineral)
        for name in self.split(block_minerals):
            if wanted in self.expand(name) or name in self.expand(wanted):
                return True
        return False

    def in_group(self, mineral: str, group: str) -> bool:
        """Whether ``mineral`` (any spelling) belongs to the data file's group."""
        if group not in self.groups:
            raise CatalogError(
                f"no mineral group {group!r}; the data file has {sorted(self.groups)}")
        return self.canonical(mineral) in self.groups[group]

    def policy_match(self, entry: str, mineral: str) -> Literal["exact", "qualified", "none"]:
        """How a policy entry ("可耕地砖瓦用粘土") matches a mineral ("砖瓦用粘土")."""
        wanted = self.canonical(mineral)
        names = self.split(entry) or [self.canonical(entry)]
        if wanted in names:
            return "exact"
        squashed = _squash(entry)
        for pattern in self.qualifiers:
            rest = re.sub(pattern, "", squashed, count=1)
            if rest != squashed and rest and self.canonical(rest) == wanted:
                return "qualified"
        return "none"


def _squash(text: object) -> str:
    """Remove whitespace and unify bracket width."""
    return _SPACE.sub("", str(text or "")).replace("(", "（").replace(")", "）")


def normalise_unit(text: str, config: Mapping[str, Any]) -> str | None:
    """The canonical unit of a printed unit ("矿石万吨" → "万吨/年"), None if unknown."""
    s = _SPACE.sub("", str(text or ""))
    for canonical, spellings in config.get("units", {}).items():
        if s == canonical or s in {_SPACE.sub("", x) for x in spellings}:
            return str(canonical)
    return None


# --------------------------------------------------------------------------- rules


@dataclass
class CheckRules:
    """Everything a check needs to know about one region's rules.

    Attributes
    ----------
    region
        The region checked (a county or the prefecture), e.g. ``"乌苏市"``.
    slug
        The slug of the region's own plan, or None when mineplan holds none.
    prefecture
        The prefecture the region belongs to ("" when unknown or itself).
    prefecture_slug
        The slug of the prefecture's plan, or None when it is not held.
    config
        The merged ``checks.toml`` data (national defaults + overrides).
    config_files
        The TOML files merged, national first.
    min_scale, policy
        The region's and the prefecture's rule rows, one mapping column → text per
        row, region first (every column of the file, the optional ones "" when the file
        lacks them; ``level`` is ``county`` or ``prefecture``; ``path`` the CSV file).
    """

    region: str
    slug: str | None
    prefecture: str
    prefecture_slug: str | None
    config: dict[str, Any]
    config_files: list[Path] = field(default_factory=list)
    min_scale: tuple[dict[str, str], ...] = ()
    policy: tuple[dict[str, str], ...] = ()

    @functools.cached_property
    def minerals(self) -> MineralNames:
        """The mineral names of ``config``'s ``[minerals]`` table, built on first use (a
        check asks for them once per rule row; building them takes ~0.3 ms)."""
        return MineralNames.from_config(self.config)

    def rule(self, key: str) -> dict[str, Any]:
        """One ``[rules.<key>]`` table."""
        try:
            return dict(self.config["rules"][key])
        except KeyError:
            raise CatalogError(f"checks.toml has no [rules.{key}] table",
                               path=self.config_files[0] if self.config_files else None) from None

    def source(self, key: str) -> str:
        """The cited source of a rule: data file + the rule's stated source."""
        files = "、".join(_rel(p) for p in self.config_files) or "checks.toml"
        return f"{files} [rules.{key}]：{self.rule(key).get('source', '')}"

    def control_rule(self, code: str) -> dict[str, Any]:
        """The rule for a control layer other than the 三区三线 ones.

        ``[rules.control_default]`` merged with ``[rules.control.<code>]`` (key by
        key; ``exceptions`` replaced), plus ``section``: the table that decided
        (``rules.control.<code>`` or ``rules.control_default``).
        """
        base = self.rule("control_default")
        override = self.config.get("rules", {}).get("control", {}).get(code)
        if override is None:
            return {**base, "section": "rules.control_default"}
        if not isinstance(override, Mapping):
            raise CatalogError(f"checks.toml: [rules.control.{code}] must be a table",
                               path=self.config_files[0] if self.config_files else None)
        return {**_merge(base, override), "section": f"rules.control.{code}"}

    def control_source(self, code: str) -> str:
        """The cited source of a control layer's rule (data file + section + source)."""
        files = "、".join(_rel(p) for p in self.config_files) or "checks.toml"
        rule = self.control_rule(code)
        return f"{files} [{rule['section']}]：{rule.get('source', '')}"

    @property
    def prefecture_note(self) -> str:
        """What to say when the prefecture's plan is not held ("" when it is, or n/a)."""
        if not self.prefecture or self.prefecture_slug or self.prefecture == self.region:
            return ""
        msg = self.config.get("prefectures", {}).get("missing_message", "上级规划未收录")
        return f"{self.prefecture}：{msg}"


def resolve_region(region: str, *, root: Path | None = None) -> tuple[str, str | None, str]:
    """(region name, plan slug or None, prefecture) for a slug or a region name.

    Raises
    ------
    CheckInputError
        When ``region`` is neither a plan slug nor a plan region.
    """
    index = plan_index(root=root / "plans" if root else None)
    text = str(region).strip()
    for slug, info in index.items():
        if text in (slug, info.region):
            pref = "" if info.level == "prefecture" else info.prefecture
            return info.region, slug, pref
    known = ", ".join(f"{i.region} ({s})" for s, i in index.items())
    raise CheckInputError(f"unknown plan region {region!r}; known: {known}",
                          code="unknown_region", fields={"region": region})


def load_rules(
    region: str | None = None,
    *,
    prefecture: str | None = None,
    root: Path | None = None,
) -> CheckRules:
    """Load the rules for a region: national defaults, overrides and plan tables.

    Parameters
    ----------
    region
        A plan slug (``wusu``) or region name (``乌苏市``); a county without a
        plan of its own (``托里县``) is accepted when ``prefecture`` is given.
        None: the national defaults only.
    prefecture
        The prefecture of a county without a plan (from the XZQ boundaries).
    root
        The ``geodata`` folder (default: the checkout's).

    Raises
    ------
    CheckInputError
        For an unknown region.
    CatalogError
        When a rule file is malformed.
    """
    root = root or geodata_dir()
    rules_dir = root / "rules"
    national = rules_dir / "checks.toml"
    config = _load_toml(national)
    files = [national]
    if region is None:
        return CheckRules("", None, "", None, config, files)
    try:
        name, slug, pref = resolve_region(region, root=root)
    except CheckInputError:
        if not prefecture:
            raise
        name, slug, pref = str(region).strip(), None, prefecture
    pref_slug = _prefecture_slug(pref, config, root) if pref else None
    for s in (pref_slug, slug):
        override = rules_dir / str(s) / "checks.toml"
        if s and override.is_file():
            config = _merge(config, _load_toml(override))
            files.append(override)
    min_scale: list[dict[str, str]] = []
    policy: list[dict[str, str]] = []
    for level, s in (("county" if slug != pref_slug else "prefecture", slug),
                     ("prefecture", pref_slug)):
        if not s:
            continue
        min_scale += _rule_rows(rules_dir / s / "min_scale.csv", MIN_SCALE_COLUMNS, level)
        policy += _rule_rows(rules_dir / s / "mineral_policy.csv", POLICY_COLUMNS, level)
    return CheckRules(
        region=name, slug=slug, prefecture=pref, prefecture_slug=pref_slug,
        config=config, config_files=files, min_scale=tuple(min_scale), policy=tuple(policy),
    )


# --------------------------------------------------------------------------- helpers


def _prefecture_slug(prefecture: str, config: Mapping[str, Any], root: Path) -> str | None:
    listed = config.get("prefectures", {}).get(prefecture)
    if listed is not None:
        return str(listed) or None
    for slug, info in plan_index(root=root / "plans").items():
        if info.region == prefecture and info.level == "prefecture":
            return slug
    return None


def _rule_rows(path: Path, columns: Iterable[str], level: str) -> list[dict[str, str]]:
    """The rows of one rule file (none when the plan has no such file), each with the
    optional columns ("" when absent), its ``level`` and its ``path``."""
    if not path.is_file():
        return []
    optional = dict.fromkeys(OPTIONAL_COLUMNS.get(path.name, ()), "")
    return [{**optional, **row, "level": level, "path": _rel(path)}
            for _, row in read_csv_rows(path, required=list(columns))]


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError("rule file not found", path=path) from None
    except tomllib.TOMLDecodeError as err:
        raise CatalogError(f"not valid TOML: {err}", path=path) from None


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merged key by key; any other value (lists included) replaced."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _rel(path: Path) -> str:
    """``geodata/rules/…`` for files of the checkout, else the path as given."""
    parts = Path(path).parts
    if "geodata" in parts:
        return "/".join(parts[len(parts) - 1 - parts[::-1].index("geodata"):])
    return str(path)
