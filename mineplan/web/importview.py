"""What the import page shows and stores: the match report in Chinese, the preview, the import.

The report is rendered from :class:`mineplan.importing.ImportReport`'s structured
records through one message table (:data:`ISSUE_MESSAGES`), never by translating the
English the CLI prints. :func:`store_zone_import` and :func:`store_control_layer` write
a confirmed import to the store (atomically). The page (``app_pages/import_data.py``)
only lays out.

May import :mod:`mineplan.importing`, :mod:`mineplan.store`, :mod:`mineplan.styles`,
:mod:`mineplan.layers`, :mod:`mineplan.web.maplayers` and :mod:`mineplan.web.webmap`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mineplan.importing import (
    ImportIssue,
    ImportReport,
    IssueKind,
    MatchedBy,
    apply_import,
    match_features,
    normalise_name,
)
from mineplan.layers import LayerSpec, LayerStyle, SchematicStyle
from mineplan.store import EditRecord, list_layers, replace_layer, update_layer
from mineplan.styles import layer_qml
from mineplan.web.maplayers import DISPLAY_VERTEX_BUDGET
from mineplan.web.messages import IMPORT_AREA_NOTES
from mineplan.web.webmap import MapLayer

__all__ = [
    "CRS_SOURCES",
    "ISSUE_MESSAGES",
    "MATCHED_BY",
    "PreviewProblems",
    "import_preview_layer",
    "import_report_table",
    "issue_text",
    "matched_by_text",
    "merge_control_region",
    "preview_copy",
    "preview_problems",
    "stated_area_note",
    "stated_area_table",
    "store_control_layer",
    "store_zone_import",
]

#: Where an imported file's CRS came from (``ReadResult.crs_source``), in Chinese.
CRS_SOURCES: dict[str, str] = {
    "file": "取自文件",
    "argument": "按所填坐标系",
    "zone argument": "按所填投影带号",
    "detected from coordinates": "由坐标数值判断",
    "assumed CGCS2000 geographic": "文件未声明，按数值假定为 CGCS2000 经纬度",
}

#: Every import issue in Chinese: :class:`~mineplan.importing.ImportIssue` kind →
#: template over ``feature`` (``要素 3 zone_id='x'``), ``zones``, ``zone`` and ``features``.
ISSUE_MESSAGES: dict[IssueKind, str] = {
    "no_match": "{feature}：本图层没有此编号或名称的分区",
    "several_zones": "{feature}：可对应多个分区 {zones}，请在文件的编号字段中给出分区编号",
    "claimed_twice": "分区 {zone}：被多个要素 {features} 对应，请合并这些要素或分别在编号字段中"
                     "给出各自的编号",
}
#: How a zone was matched (:data:`~mineplan.importing.MatchedBy`), in Chinese.
MATCHED_BY = {"id": "按编号（{column}）", "name": "按名称（{column}）"}
#: The 结果 column: matched, or the issue's kind.
_OUTCOME = {"no_match": "未匹配", "several_zones": "不确定", "claimed_twice": "不确定"}


def issue_text(issue: ImportIssue) -> str:
    """One import issue as a Chinese sentence (from :data:`ISSUE_MESSAGES`)."""
    feature = " ".join([f"要素 {issue.feature}",
                        *(f"{column}“{value}”" for column, value in issue.keys
                          if not _blank(value))])
    return ISSUE_MESSAGES[issue.kind].format(
        feature=feature, zones="、".join(issue.zones),
        zone=issue.zones[0] if issue.zones else "",
        features="、".join(str(f) for f in issue.features))


def _blank(value: object) -> bool:
    """True for a missing value (None, NaN, empty text): not worth showing."""
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        return False
    return not str(value).strip()


def matched_by_text(how: MatchedBy | None) -> str:
    """How a zone was matched, in Chinese (``按编号（zone_id）``); '' when unknown."""
    if how is None:
        return ""
    by, column = how
    return MATCHED_BY[by].format(column=column)


def import_report_table(report: ImportReport, zones: pd.DataFrame) -> pd.DataFrame:
    """An import's match report as a table for the user, in Chinese.

    Columns ``结果`` (已匹配 / 未匹配 / 不确定), ``编号``, ``名称``, ``要素``,
    ``说明``; matched zones first, then the features that matched nothing, then
    those that matched too much.
    """
    names = dict(zip(zones["zone_id"].astype(str), zones["name"].astype(str), strict=True))
    rows = [
        {"结果": "已匹配", "编号": zid, "名称": names.get(zid, ""), "要素": str(idx),
         "说明": matched_by_text(report.matched_by.get(zid))}
        for zid, idx in report.matched.items()
    ]
    issues = ([i for i in report.issues if not i.ambiguous]
              + [i for i in report.issues if i.ambiguous])
    rows += [{"结果": _OUTCOME[issue.kind], "编号": "", "名称": "", "要素": "",
              "说明": issue_text(issue)} for issue in issues]
    return pd.DataFrame(rows, columns=["结果", "编号", "名称", "要素", "说明"])


def stated_area_table(report: ImportReport, zones: pd.DataFrame) -> pd.DataFrame:
    """The file's stated areas (MJ/面积) beside the computed TD/T 1055 ones, and its
    地块用途 (DKYT), one row per matched zone that has either; in Chinese.

    Columns ``编号``, ``名称``, ``地块用途``, ``文件面积（unit）``, ``计算面积（unit）``,
    ``差值（unit）`` (计算 − 文件), areas in the file's unit (:attr:`ImportReport.area_unit`),
    computed ones to 4 decimals; empty when the file states neither.
    """
    unit = report.area_unit or ""
    names = dict(zip(zones["zone_id"].astype(str), zones["name"].astype(str), strict=True))
    stated, computed, diff = (f"文件面积（{unit}）", f"计算面积（{unit}）", f"差值（{unit}）")
    columns = ["编号", "名称", "地块用途", stated, computed, diff]
    rows = []
    for zid in report.matched:
        if zid not in report.areas and zid not in report.uses:
            continue
        row = {"编号": zid, "名称": names.get(zid, ""), "地块用途": report.uses.get(zid, ""),
               stated: "", computed: "", diff: ""}
        if zid in report.areas:
            given, measured = report.areas[zid]
            row |= {stated: f"{given:g}", computed: f"{measured:.4f}",
                    diff: f"{measured - given:+.4f}"}
        rows.append(row)
    if not report.areas:
        columns = columns[:3]
    elif not report.uses:
        columns.remove("地块用途")
    return pd.DataFrame(rows, columns=columns)


def stated_area_note(report: ImportReport) -> str | None:
    """Where the 文件面积 came from and in which unit (named or assumed), in Chinese;
    None when the file states no area."""
    if not report.areas or report.area_column is None:
        return None
    return IMPORT_AREA_NOTES[report.area_unit_assumed].format(
        column=report.area_column, unit=report.area_unit)


@dataclass(frozen=True)
class PreviewProblems:
    """What the preview shows before 确认导入: ``blocking`` problems (no import possible
    until the file is fixed) and ``warnings`` (the planner should look first)."""

    blocking: list[str]
    warnings: list[str]


_KIND_ZH = {"Point": "点", "MultiPoint": "点", "LineString": "线", "MultiLineString": "线",
            "LinearRing": "线", "GeometryCollection": "几何集合"}


def preview_problems(report: ImportReport, zones: pd.DataFrame,
                     features: gpd.GeoDataFrame) -> PreviewProblems:
    """Everything wrong with an import, found at the preview (Chinese, one line each).

    Blocking: every geometry empty; matched features that are not polygons (the import
    would refuse them). Warnings: features without geometry, features matching no
    zone, and zones matched by number whose name in the file differs from the plan's.
    """
    blocking, warnings = [], []
    geoms = features.geometry
    empty = geoms.isna() | geoms.is_empty
    if len(features) and empty.all():
        blocking.append(f"文件中的 {len(features)} 个要素都没有图形（几何为空），无法导入。")
    elif empty.any():
        warnings.append(f"{int(empty.sum())} 个要素没有图形（几何为空），将被忽略："
                        + "、".join(f"要素 {i}" for i in features.index[empty][:10]))
    wrong = []
    for zid, idx in report.matched.items():
        geom = geoms.loc[idx]
        if geom is None or geom.is_empty:
            wrong.append(f"要素 {idx}（分区 {zid}）没有图形")
        elif geom.geom_type not in ("Polygon", "MultiPolygon") and not any(
                g.geom_type == "Polygon" for g in getattr(geom, "geoms", [])):
            wrong.append(f"要素 {idx}（分区 {zid}）是{_KIND_ZH.get(geom.geom_type, '非面图形')}")
    if wrong:
        blocking.append("以下匹配的要素不是面，不能作为分区图形：" + "；".join(wrong[:20])
                        + "。请改正文件中的图形类型后重新上传。")
    unmatched = [i for i in report.issues if not i.ambiguous]
    if unmatched:
        warnings.append(f"{len(unmatched)} 个要素没有对应的分区，不会导入（见上表“未匹配”）。")
    if report.name_column is not None:
        names = dict(zip(zones["zone_id"].astype(str), zones["name"].astype(str), strict=True))
        for zid, idx in report.matched.items():
            how = report.matched_by.get(zid)
            if how is None or how[0] != "id":
                continue
            theirs = features.at[idx, report.name_column]
            if _blank(theirs) or normalise_name(str(theirs)) == normalise_name(names[zid]):
                continue
            warnings.append(f"分区 {zid} 按编号匹配，但名称不同：文件中为“{theirs}”，"
                            f"规划中为“{names[zid]}”。请核对是否为同一分区。")
    return PreviewProblems(blocking, warnings)


def import_preview_layer(features: gpd.GeoDataFrame, *, title: str = "待导入图形"
                         ) -> MapLayer:
    """The uploaded features as a map layer (every attribute in the popup, escaped);
    above :data:`~mineplan.web.maplayers.DISPLAY_VERTEX_BUDGET` vertices, a copy
    simplified to about 1/4000 of its extent — a 200 MB upload drawn whole would make
    a page of hundreds of MB."""
    columns = [c for c in features.columns if c != features.geometry.name][:12]
    return MapLayer(
        code="UPLOAD", title=title, gdf=preview_copy(features),
        style={"fill": "#FF7F00", "stroke": "#D95F00", "fill_opacity": 0.25, "weight": 1.0},
        popup_fields=[(c, str(c)) for c in columns],
    )


_PREVIEW_BATCH = 2048  # features simplified at a time (bounded memory)


def preview_copy(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``features`` as they are when light (at most
    :data:`~mineplan.web.maplayers.DISPLAY_VERTEX_BUDGET` vertices), else a copy with
    every geometry simplified to 1/4000 of the extent (topology kept), a few thousand
    features at a time: for a preview map, never stored or measured."""
    if int(shapely.get_num_coordinates(features.geometry.to_numpy()).sum()) \
            <= DISPLAY_VERTEX_BUDGET:
        return features
    minx, miny, maxx, maxy = features.total_bounds
    tolerance = max(maxx - minx, maxy - miny) / 4000
    geometries = features.geometry.to_numpy()
    simple = np.concatenate([
        shapely.simplify(geometries[i:i + _PREVIEW_BATCH], tolerance, preserve_topology=True)
        for i in range(0, len(geometries), _PREVIEW_BATCH)])
    return features.set_geometry(gpd.GeoSeries(simple, index=features.index,
                                                crs=features.crs))


def store_zone_import(store: str | Path, code: str, zones: gpd.GeoDataFrame,
                      features: gpd.GeoDataFrame, report: ImportReport, *, source: str,
                      spec: LayerSpec) -> None:
    """Replace the matched zones' shapes in the store's layer ``code`` (all or nothing).

    The features are matched again (with the preview's id and name columns) against
    the layer as it is under the store's writer lock (:func:`mineplan.store.update_layer`),
    so an import another planner confirmed meanwhile is kept; the write is recorded in
    the edit log as the import page's, with the uploaded file's name.
    """
    def update(current: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        again = match_features(current, features, id_field=report.id_column,
                               name_field=report.name_column)
        return apply_import(current, features, again, source=source)

    update_layer(store, code, update, spec=spec,
                 edit=EditRecord(f"网页导入页：{code}", source=source))


def merge_control_region(existing: gpd.GeoDataFrame | None, new: gpd.GeoDataFrame,
                         region: str) -> gpd.GeoDataFrame:
    """A control layer with only ``region``'s part replaced by ``new`` (whose features
    are all given that region); the other regions' features kept as they are."""
    new = new.assign(region=region)
    if existing is None or existing.empty:
        return new
    kept = existing.to_crs(new.crs)
    kept = kept[kept["region"].astype("string").fillna("") != region]
    merged = pd.concat([kept[list(new.columns)], new], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry=new.geometry.name, crs=new.crs)


def store_control_layer(store: str | Path, code: str, frame: gpd.GeoDataFrame, *,
                        spec: LayerSpec, style: LayerStyle, schematic: SchematicStyle,
                        source: str | None = None) -> None:
    """Put a delivered control layer in the store in place of the demo one (all or nothing).

    A store built before the layer was defined gets it, with its QGIS style.
    """
    added = code not in list_layers(store)
    replace_layer(store, code, frame, spec=spec, create=True,
                  qml=layer_qml(spec, style, schematic) if added else None,
                  edit=EditRecord(f"网页导入页：{code}", source=source))
