"""Bring real geometry into the plan layers, replacing schematic shapes.

Features of an imported file are matched to the catalogue's zones of one layer
by number (``zone_id``, or the plan's 序号 when the layer holds one plan) or by
name, normalised (white space, full/half width, brackets, common prefixes such
as 新疆维吾尔自治区). Matched zones take the file's geometry with
``geometry_status = 导入`` and the source recorded; every other zone is kept as
it was. Nothing is dropped, and nothing is matched by guesswork: a feature that
fits several zones, or several features that fit one zone, are reported as
ambiguous and left alone.

What an import found is an :class:`ImportReport` of structured records
(:class:`ImportIssue`: a kind, the feature, the zones, the columns matched by);
:meth:`ImportReport.summary` renders it in English for the CLI, and the web app
renders the same records in Chinese (:mod:`mineplan.web.importview`): nobody reads
the other's sentences.

May import :mod:`mineplan.vocab`, :mod:`mineplan.errors`, :mod:`mineplan.geodesy`,
:mod:`mineplan.layers`, :mod:`mineplan.io.areas`. Never the web app or the CLI.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from mineplan.errors import GeometryError
from mineplan.geodesy import ellipsoidal_area_km2
from mineplan.io.areas import DEFAULT_AREA_UNIT, area_column, area_unit_of_column
from mineplan.vocab import AREA_UNITS_KM2, IMPORTED, STORE_CRS

__all__ = [
    "DEFAULT_AREA_UNIT",
    "IMPORTED",
    "ImportIssue",
    "ImportReport",
    "IssueKind",
    "MatchedBy",
    "apply_import",
    "area_unit_of_column",
    "match_features",
    "normalise_name",
]

#: Prefixes that one source prints and another leaves out.
_PREFIXES = ("新疆维吾尔自治区", "新疆", "伊犁哈萨克自治州", "伊犁州", "塔城地区")
# Exchange field codes are recognised in any letter case: DKBH 地块编号, DKMC 地块名称
# (land-parcel exchange files), GHQBH/GHQMC 规划区编号/名称, KQMC 矿区名称, XMMC 项目名称.
_NAME_FIELDS = ("name", "名称", "NAME", "Name", "GHQMC", "KQMC", "XMMC", "DKMC", "地块名称",
                "plot_name")
_ID_FIELDS = ("zone_id", "编号", "GHQBH", "DKBH", "number", "plot_number", "地块编号", "序号",
              "seq")
# A plot column of a vertex table (地块, 宗地号 …: the reader keeps it on each polygon)
# holds a number or a name; with no number or name column it is matched by whichever
# its values fit in the target layer (zone ids and 序号, or names).
_PLOT_FIELDS = ("地块", "地块号", "plot", "plot_id", "宗地号", "宗地编号", "图斑编号", "区块",
                "区块编号", "矿区编号")
# MJ 面积 (stated area, compared with the computed one; its column and unit are read by
# mineplan.io.areas) and DKYT 地块用途 (reported), in any letter case.
_USE_FIELDS = ("DKYT", "地块用途", "用途")


def normalise_name(text: str) -> str:
    """A name reduced for matching: NFKC width, no white space, no punctuation or prefix.

    Examples
    --------
    >>> normalise_name("新疆 伊宁市铁厂沟１号页岩矿")
    '伊宁市铁厂沟1号页岩矿'
    >>> normalise_name("伊宁煤炭国家规划区 (北区)") == normalise_name("伊宁煤炭国家规划区（北区）")
    True
    """
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"[\s()\[\]【】·・,，。、\-—_]+", "", text)
    for prefix in _PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            text = text[len(prefix) :]
            break
    return text


#: Why a feature or zone was left alone: a feature that fits no zone, a feature that
#: fits several zones, or a zone that several features fit.
IssueKind = Literal["no_match", "several_zones", "claimed_twice"]
#: How a zone was matched: ``"id"`` (number or 序号) or ``"name"``, and the file's column.
MatchedBy = tuple[Literal["id", "name"], str]


#: How many unmatched (and ambiguous) features :meth:`ImportReport.summary` lists.
SUMMARY_LIMIT = 30
_MAX_LINE = 200


def _shortened(text: str) -> str:
    """A report line cut to a readable length (a field value may be megabytes)."""
    return text if len(text) <= _MAX_LINE else text[: _MAX_LINE - 1] + "…"


@dataclass(frozen=True)
class ImportIssue:
    """One thing an import could not settle, as data (render it with :meth:`english`).

    Attributes
    ----------
    kind
        :data:`IssueKind`.
    feature
        Index of the feature (``no_match``, ``several_zones``); None otherwise.
    keys
        ``(column, value)`` the feature was looked up by: its number column, then
        its name column, those the file has.
    zones
        The zones it fits (``several_zones``), or the zone several features fit
        (``claimed_twice``).
    features
        The features that fit that zone (``claimed_twice``).
    """

    kind: IssueKind
    feature: object = None
    keys: tuple[tuple[str, object], ...] = ()
    zones: tuple[str, ...] = ()
    features: tuple[object, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """True for the kinds that fit too much (``several_zones``, ``claimed_twice``)."""
        return self.kind != "no_match"

    def english(self) -> str:
        """The issue in one English line, as ``mineplan import-zones`` prints it."""
        if self.kind == "claimed_twice":
            return (f"zone {self.zones[0]}: claimed by features {list(self.features)}; "
                    "merge them or give each its own zone_id")
        label = " ".join([f"feature {self.feature}",
                          *(f"{column}={value!r}" for column, value in self.keys)])
        if self.kind == "several_zones":
            return f"{label}: fits zones {list(self.zones)}; give zone_id"
        return f"{label}: no zone of this layer has that number or name"


@dataclass
class ImportReport:
    """What an import matched, and what it could not.

    Attributes
    ----------
    matched
        Zone id → index of the feature whose geometry it takes.
    matched_by
        Zone id → how it was matched (:data:`MatchedBy`).
    issues
        Everything left alone, in the order found (:class:`ImportIssue`).
    id_column, name_column
        The file's columns matched by (number, name), None where it has none.
    """

    matched: dict[str, object] = field(default_factory=dict)
    matched_by: dict[str, MatchedBy] = field(default_factory=dict)
    issues: list[ImportIssue] = field(default_factory=list)
    id_column: str | None = None
    name_column: str | None = None
    area_column: str | None = None
    area_unit: str | None = None
    area_unit_assumed: bool = False
    use_column: str | None = None
    #: Zone id → (stated area, computed TD/T-1055 area), both in :attr:`area_unit`.
    areas: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: Zone id → the feature's 地块用途 (DKYT).
    uses: dict[str, str] = field(default_factory=dict)

    @property
    def unmatched(self) -> list[str]:
        """The features that fit no zone, one English line each."""
        return [i.english() for i in self.issues if not i.ambiguous]

    @property
    def ambiguous(self) -> list[str]:
        """The features and zones that fit too much, one English line each."""
        return [i.english() for i in self.issues if i.ambiguous]

    @property
    def how(self) -> dict[str, str]:
        """Zone id → how it was matched, as the store's ``geometry_note`` says it (Chinese)."""
        return {zid: f"{_MATCHED_BY_NOTE[by]}（{column}）"
                for zid, (by, column) in self.matched_by.items()}

    def summary(self, *, layer: str, total_zones: int, limit: int = SUMMARY_LIMIT) -> str:
        """The report in English, as ``mineplan import`` prints it.

        At most ``limit`` unmatched and ``limit`` ambiguous features are listed, then a
        count of the rest (a file of a million features prints a few dozen lines).
        """
        lines = [
            f"{layer}: {len(self.matched)} of {total_zones} zones take imported geometry; "
            f"{total_zones - len(self.matched)} keep their schematic shape",
        ]
        if self.areas:
            how = ("assumed: the column states no unit; name it e.g. 面积(平方米) if it is "
                   "another" if self.area_unit_assumed else "from the column name")
            lines.append(f"  stated areas (column {self.area_column!r}, in {self.area_unit}, "
                         f"{how}):")
            for zid, (stated, computed) in list(self.areas.items())[:limit]:
                lines.append(f"    {zid}: stated {stated:g}, computed {computed:.4f} "
                             f"(TD/T 1055), difference {computed - stated:+.4f} "
                             f"{self.area_unit}")
        if self.uses:
            lines.append(f"  uses (column {self.use_column!r}): " + "; ".join(
                f"{zid} {use}" for zid, use in list(self.uses.items())[:limit]))
        for kind, items in (("unmatched", self.unmatched), ("ambiguous", self.ambiguous)):
            lines += [f"  {kind}: {_shortened(u)}" for u in items[:limit]]
            if len(items) > limit:
                lines.append(f"  … and {len(items) - limit} more {kind} features")
        return "\n".join(lines)


#: How a zone was matched, in the words of the ``geometry_note`` written to the store.
_MATCHED_BY_NOTE = {"id": "按编号", "name": "按名称"}


def match_features(
    zones: pd.DataFrame,
    features: gpd.GeoDataFrame,
    *,
    id_field: str | None = None,
    name_field: str | None = None,
) -> ImportReport:
    """Match imported features to zones of one layer.

    Parameters
    ----------
    zones
        The layer's zones (``zone_id``, ``name``, ``seq``, ``region``).
    features
        The imported features.
    id_field, name_field
        Columns of ``features`` holding a zone number / a name; by default the
        first present of the usual names (``zone_id``/编号/GHQBH…, name/名称/GHQMC…);
        with neither, a plot column (地块, 宗地号 …) as a number or a name, by which
        its values fit more of the layer's zones.

    Returns
    -------
    ImportReport
        Matched zone → feature, and the features that matched nothing or too much.
    """
    id_col = id_field or _first_present(features, _ID_FIELDS)
    name_col = name_field or _first_present(features, _NAME_FIELDS)
    by_id, by_name = _zone_keys(zones)
    if id_col is None and name_col is None:
        plot_col = _first_present(features, _PLOT_FIELDS)
        if plot_col is not None:
            values = features[plot_col].dropna()
            ids = sum(_number(v) in by_id for v in values)
            names = sum(normalise_name(v) in by_name for v in values)
            if names > ids:
                name_col = plot_col
            else:
                id_col = plot_col
    if id_col is None and name_col is None:
        columns = [str(c) for c in features.columns if c != features.geometry.name]
        raise GeometryError(
            f"the file has no number or name column to match zones by; it has "
            f"{columns} — pass --id-field or --name-field",
            code="no_match_field", fields={"columns": columns},
        )
    report = ImportReport(id_column=id_col, name_column=name_col)
    claims: dict[str, list[object]] = {}
    for idx, feature in features.iterrows():
        keys = tuple((c, feature[c]) for c in (id_col, name_col) if c is not None)
        candidates: list[str] = []
        how: MatchedBy | None = None
        if id_col is not None and _number(feature[id_col]) in by_id:
            candidates, how = by_id[_number(feature[id_col])], ("id", id_col)
        elif name_col is not None and normalise_name(feature[name_col]) in by_name:
            candidates, how = by_name[normalise_name(feature[name_col])], ("name", name_col)
        if not candidates:
            report.issues.append(ImportIssue("no_match", feature=idx, keys=keys))
        elif len(candidates) > 1:
            report.issues.append(ImportIssue("several_zones", feature=idx, keys=keys,
                                             zones=tuple(candidates)))
        else:
            claims.setdefault(candidates[0], []).append(idx)
            if how is not None:
                report.matched_by[candidates[0]] = how
    for zid, idxs in claims.items():
        if len(idxs) > 1:
            report.issues.append(ImportIssue("claimed_twice", zones=(zid,),
                                             features=tuple(idxs)))
            report.matched_by.pop(zid, None)
        else:
            report.matched[zid] = idxs[0]
    _stated_areas_and_uses(features, report)
    return report


def _number(value: object) -> str:
    """A feature's number as text: a whole float (2.0, from a number column with a
    gap) is written as the whole number ``2``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _zone_keys(zones: pd.DataFrame) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Number (zone id; also 序号 when the layer holds one plan) → zone ids, and
    normalised name → zone ids."""
    by_id = {str(z): [str(z)] for z in zones["zone_id"]}
    if zones["region"].nunique() == 1:
        for zid, seq in zip(zones["zone_id"], zones["seq"], strict=True):
            if str(seq).strip():
                by_id.setdefault(str(seq).strip().rstrip(".、"), []).append(str(zid))
    by_name: dict[str, list[str]] = {}
    for zid, name in zip(zones["zone_id"], zones["name"], strict=True):
        by_name.setdefault(normalise_name(name), []).append(str(zid))
    return by_id, by_name


def _stated_areas_and_uses(features: gpd.GeoDataFrame, report: ImportReport) -> None:
    """Each matched feature's stated area (MJ) beside its computed one, and its use (DKYT)."""
    area_col = area_column(c for c in features.columns if c != features.geometry.name)
    use_col = _first_present(features, _USE_FIELDS)
    report.use_column = use_col
    if use_col is not None:
        for zid, idx in report.matched.items():
            value = features.loc[idx, use_col]
            if isinstance(value, str) and value.strip():
                report.uses[zid] = value.strip()
    if area_col is None or features.crs is None or not report.matched:
        return
    unit, assumed = area_unit_of_column(area_col)
    report.area_column, report.area_unit, report.area_unit_assumed = area_col, unit, assumed
    stated = pd.to_numeric(features[area_col], errors="coerce")
    matched = [(zid, idx) for zid, idx in report.matched.items()
               if pd.notna(stated.loc[idx]) and _polygonal(features.geometry.loc[idx])]
    if not matched:
        return
    subset = features.loc[[idx for _, idx in matched]]
    computed = ellipsoidal_area_km2(subset).to_numpy() / AREA_UNITS_KM2[unit]
    for (zid, idx), value in zip(matched, computed, strict=True):
        report.areas[zid] = (float(stated.loc[idx]), float(value))


def apply_import(
    layer: gpd.GeoDataFrame,
    features: gpd.GeoDataFrame,
    report: ImportReport,
    *,
    source: str,
) -> gpd.GeoDataFrame:
    """The layer with matched zones' geometry replaced by the imported one.

    Parameters
    ----------
    layer
        The store layer (EPSG:4490), all its zones.
    features
        Imported features with a CRS (reprojected to EPSG:4490 here).
    report
        From :func:`match_features`.
    source
        What to record as ``geometry_source`` (file, layer).

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows and columns as ``layer``; matched rows have ``geometry_status``
        导入, ``geometry_source`` and ``geometry_note`` set and ``geom_area_km2``
        measured on the new shape (ellipsoidal, km², 4 decimals).
    """
    if features.crs is None:
        raise GeometryError("imported features have no CRS", code="no_crs")
    incoming = features.to_crs(STORE_CRS)
    out = layer.copy()
    position = {zid: i for i, zid in enumerate(out["zone_id"])}
    bad = []
    items = []
    for zid, idx in report.matched.items():
        geom = incoming.geometry.loc[idx]
        polygonal = _polygonal(geom)
        if polygonal is None:
            bad.append(f"{zid}: feature {idx} is {getattr(geom, 'geom_type', 'empty')}, "
                       "not a polygon")
            items.append(f"要素 {idx}（分区 {zid}）")
            continue
        row = position[zid]
        out.iloc[row, out.columns.get_loc(out.geometry.name)] = polygonal
        out.iloc[row, out.columns.get_loc("geometry_status")] = IMPORTED
        out.iloc[row, out.columns.get_loc("geometry_source")] = f"{source}（要素 {idx}）"
        out.iloc[row, out.columns.get_loc("geometry_note")] = (
            f"由文件导入，{report.how.get(zid, '')}匹配：{source}"
        )
    if bad:
        raise GeometryError("cannot import: " + "; ".join(bad), code="not_polygon",
                            fields={"items": items})
    changed = out["geometry_status"] == IMPORTED
    if changed.any():
        out.loc[changed, "geom_area_km2"] = ellipsoidal_area_km2(out[changed])
    return out


def _first_present(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    """The first of ``names`` among the columns; a column matches whatever its case."""
    by_case = {str(c).casefold(): c for c in reversed(list(frame.columns))}
    for name in names:
        if name in frame.columns:
            return name
        if name.casefold() in by_case:
            return str(by_case[name.casefold()])
    return None


def _polygonal(geom: BaseGeometry | None) -> MultiPolygon | None:
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    return MultiPolygon(parts) if parts else None
