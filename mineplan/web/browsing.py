"""What the browse page shows: the zones filtered, searched, totalled, tabulated, detailed.

Pure functions over the store's frames (``{layer code: GeoDataFrame}``): filters by
plan, mineral and level (:func:`filter_zones`, :func:`visible_frames`), the zone
table and its totals, the search by number, 序号 or name, and one zone's details
and focus outline. The page (``app_pages/browse.py``) only lays out.

May import :mod:`mineplan.vocab`, :mod:`mineplan.layers`, :mod:`mineplan.importing`
(name normalisation) and :mod:`mineplan.web.webmap` / :mod:`mineplan.web.maplayers`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from mineplan.importing import normalise_name
from mineplan.layers import LayerSpec
from mineplan.vocab import SCHEMATIC
from mineplan.web.legend import area_number_formats, format_value
from mineplan.web.maplayers import POPUP_FIELDS
from mineplan.web.webmap import FOCUS_STYLE, MapLayer

__all__ = [
    "DETAIL_FIELDS",
    "TABLE_COLUMNS",
    "TABLE_HEADERS",
    "ZoneTotals",
    "filter_zones",
    "find_zone",
    "focus_layer",
    "search_zones",
    "selected_zone_id",
    "store_regions",
    "visible_frames",
    "zone_details",
    "zone_levels",
    "zone_table",
    "zone_table_formats",
    "zone_totals",
]


def filter_zones(
    frame: gpd.GeoDataFrame, *, regions: Sequence[str] = (), minerals: str = "",
    levels: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """The zones of some plans, whose mineral contains a text, of some levels.

    Empty filters keep everything. Frames without the filtered column pass untouched.
    """
    keep = pd.Series(True, index=frame.index)
    if regions and "region" in frame:
        keep &= frame["region"].isin(regions)
    if minerals and "mineral" in frame:
        keep &= frame["mineral"].str.contains(minerals, regex=False, na=False)
    if levels and "level" in frame:
        keep &= frame["level"].isin(levels)
    return frame[keep]


def visible_frames(
    frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec], *,
    codes: Sequence[str], regions: Sequence[str] = (), minerals: str = "",
    levels: Sequence[str] = (),
) -> dict[str, gpd.GeoDataFrame]:
    """The layers ``codes`` of a store, zone layers filtered (:func:`filter_zones`).

    Control and boundary layers pass unfiltered, except that the province outline
    is left out (it would zoom the map out to all Xinjiang).
    """
    out = {}
    for code, frame in frames.items():
        if code not in codes or code not in specs:
            continue
        if specs[code].is_zone_layer:
            frame = filter_zones(frame, regions=regions, minerals=minerals, levels=levels)
        elif code == "XZQ" and "level" in frame:
            frame = frame[frame["level"] != "province"]
        out[code] = frame
    return out


def store_regions(frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec],
                  *, order: Sequence[str] = ()) -> list[str]:
    """The plans' regions present in the zone layers, in ``order`` first, then by name."""
    present: set[str] = set()
    for code, frame in frames.items():
        if code in specs and specs[code].is_zone_layer and "region" in frame:
            present.update(str(r) for r in frame["region"].dropna())
    ordered = [r for r in order if r in present]
    return ordered + sorted(present - set(ordered))


#: Columns of the zone table, in order (headers come from the layer definition).
TABLE_COLUMNS: tuple[str, ...] = (
    "zone_id", "source_table", "seq", "name", "geometry_status", "layer_name", "region",
    "mineral", "block_count", "area_km2", "geom_area_km2", "county", "level", "quality",
)
#: Headers of the zone table where they differ from the layers' aliases: the plan's
#: own words (its 专栏 and the 序号 printed in it).
TABLE_HEADERS = {"source_table": "专栏", "seq": "序号"}


def zone_table(frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec]
               ) -> pd.DataFrame:
    """Every zone shown, one row each, with Chinese column headers (units included).

    The first column is the zone number (``编号``); ``图形状态`` says 示意 for
    schematic shapes and 导入 for imported ones.
    """
    columns = TABLE_COLUMNS
    parts = []
    for code, frame in frames.items():
        if specs[code].is_zone_layer and not frame.empty:
            parts.append(pd.DataFrame(frame[[c for c in columns if c in frame]]))
    if not parts:
        return pd.DataFrame(columns=list(columns))
    table = pd.concat(parts, ignore_index=True)
    table = table[[c for c in columns if c in table]]
    aliases = {**next(s for s in specs.values() if s.is_zone_layer).aliases(), **TABLE_HEADERS}
    text = table.select_dtypes(include=["object", "string"]).columns
    table[text] = table[text].fillna("")  # an empty cell stays empty (never None)
    return table.rename(columns=aliases)


def zone_table_formats(specs: Mapping[str, LayerSpec]) -> dict[str, str]:
    """printf formats of :func:`zone_table`'s area columns by header (km² to 4 decimals)."""
    zone_specs = [s for s in specs.values() if s.is_zone_layer]
    aliases = {**(zone_specs[0].aliases() if zone_specs else {}), **TABLE_HEADERS}
    return area_number_formats({c: aliases.get(c, c) for c in TABLE_COLUMNS})


@dataclass(frozen=True)
class ZoneTotals:
    """Totals of the zones shown.

    Attributes
    ----------
    count
        Zones (rows).
    geom_area_km2
        Sum of the ellipsoidal areas of the drawn shapes, km² (CGCS2000); for
        schematic shapes this is the schematic area, not a surveyed one.
    stated_area_km2
        Sum of the areas the plans state, km², over ``stated_count`` zones.
    stated_count
        Zones whose plan states an area.
    schematic_count
        Zones drawn with a schematic shape (``geometry_status`` 示意).
    """

    count: int
    geom_area_km2: float
    stated_area_km2: float
    stated_count: int
    schematic_count: int


def zone_totals(frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec]
                ) -> ZoneTotals:
    """Count and area sums of the zone layers among ``frames`` (others are ignored)."""
    parts = [pd.DataFrame(f.drop(columns=f.geometry.name)) for c, f in frames.items()
             if specs[c].is_zone_layer and len(f)]
    if not parts:
        return ZoneTotals(0, 0.0, 0.0, 0, 0)
    table = pd.concat(parts, ignore_index=True)
    stated = pd.to_numeric(table.get("area_km2"), errors="coerce")
    geom = pd.to_numeric(table.get("geom_area_km2"), errors="coerce")
    status = table.get("geometry_status", pd.Series("", index=table.index)).astype("string")
    return ZoneTotals(
        count=len(table),
        geom_area_km2=float(geom.sum(skipna=True)),
        stated_area_km2=float(stated.sum(skipna=True)),
        stated_count=int(stated.notna().sum()),
        schematic_count=int(status.eq(SCHEMATIC).sum()),
    )


def zone_levels(frames: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """The non-empty ``level`` values of the frames, sorted."""
    values: set[str] = set()
    for frame in frames.values():
        if "level" in frame:
            values.update(str(v).strip() for v in frame["level"].dropna())
    return sorted(v for v in values if v)


def search_zones(frames: Mapping[str, gpd.GeoDataFrame], query: str, *, limit: int = 50
                 ) -> pd.DataFrame:
    """Zones whose number, 序号 or name fits ``query``; best matches first.

    A zone fits when its ``zone_id`` equals the query (case-insensitive), its
    printed 序号 equals it, or its normalised name contains the normalised query
    (white space, full/half width and brackets ignored, as in imports).

    Returns
    -------
    pandas.DataFrame
        Columns ``layer``, ``zone_id``, ``name``, ``region``, ``seq``, ``label``
        (a line to show in a picker); at most ``limit`` rows.
    """
    text = query.strip()
    columns = ["layer", "zone_id", "name", "region", "seq", "label"]
    if not text:
        return pd.DataFrame(columns=columns)
    wanted = normalise_name(text)
    seq_text = text.rstrip(".、")
    hits = []
    for code, frame in frames.items():
        if "zone_id" not in frame or frame.empty:
            continue
        ids = frame["zone_id"].astype("string")
        seqs = frame.get("seq", pd.Series("", index=frame.index)).astype("string").str.strip()
        names = frame["name"].astype("string").fillna("")
        exact = ids.str.lower().eq(text.lower()).fillna(False)
        by_seq = seqs.str.rstrip(".、").eq(seq_text).fillna(False)
        by_name = names.map(normalise_name).str.contains(wanted, regex=False) if wanted else exact
        rank = pd.Series(3, index=frame.index)
        rank[by_name.fillna(False).astype(bool)] = 2
        rank[by_seq.astype(bool)] = 1
        rank[exact.astype(bool)] = 0
        keep = rank < 3
        for idx in frame.index[keep]:
            hits.append({
                "rank": int(rank[idx]), "layer": code, "zone_id": str(frame.at[idx, "zone_id"]),
                "name": str(frame.at[idx, "name"]),
                "region": str(frame.at[idx, "region"]) if "region" in frame else "",
                "seq": str(seqs[idx] or ""),
            })
    if not hits:
        return pd.DataFrame(columns=columns)
    found = pd.DataFrame(hits).sort_values(["rank", "zone_id"], kind="stable").head(limit)
    found["label"] = [
        f"{r.zone_id}　{r.name}（{r.region}" + (f"，序号 {r.seq}" if r.seq else "") + "）"
        for r in found.itertuples()
    ]
    return found[columns].reset_index(drop=True)


def selected_zone_id(table: pd.DataFrame, rows: Sequence[int]) -> str | None:
    """The zone number of the first selected row of a :func:`zone_table`, if any."""
    if not len(rows) or table.empty:
        return None
    row = int(rows[0])
    if not 0 <= row < len(table):
        return None
    return str(table.iloc[row, 0])


def find_zone(frames: Mapping[str, gpd.GeoDataFrame], zone_id: str
              ) -> tuple[str, gpd.GeoDataFrame] | None:
    """The layer code and the one-row frame of a zone, or None when no layer has it."""
    for code, frame in frames.items():
        if "zone_id" in frame:
            hit = frame[frame["zone_id"].astype("string") == zone_id]
            if len(hit):
                return code, hit
    return None


def focus_layer(
    frames: Mapping[str, gpd.GeoDataFrame], zone_id: str | None,
    specs: Mapping[str, LayerSpec],
) -> MapLayer | None:
    """The zone ``zone_id`` as a layer to outline and zoom to (``zone_map(focus=…)``).

    Returns None when no frame holds that zone (e.g. it is filtered out).
    """
    if not zone_id:
        return None
    found = find_zone(frames, zone_id)
    if found is None:
        return None
    code, hit = found
    spec = specs[code]
    aliases = spec.aliases()
    schematic = "geometry_status" in hit and bool((hit["geometry_status"] == SCHEMATIC).all())
    return MapLayer(
        code=f"{code}_FOCUS", title=f"定位：{spec.name}", gdf=hit,
        style={"fill": FOCUS_STYLE["color"], "stroke": FOCUS_STYLE["color"],
               "fill_opacity": 0.0, "weight": 2.5},
        popup_fields=[(f, aliases.get(f, f)) for f in POPUP_FIELDS if f in hit],
        schematic=schematic,
    )


#: Attributes of a zone in the side panel, in order.
DETAIL_FIELDS: tuple[str, ...] = (
    "zone_id", "name", "layer_name", "region", "plan", "mineral", "block_count",
    "area_km2", "area_text", "area_unit", "geom_area_km2", "admin_area", "county", "level",
    "stage", "note", "extra", "seq", "name_text", "source_table", "table_title",
    "source_file", "source_line", "quality", "geometry_status", "geometry_source",
    "geometry_note",
)


def zone_details(frames: Mapping[str, gpd.GeoDataFrame], zone_id: str,
                 specs: Mapping[str, LayerSpec]) -> pd.DataFrame:
    """Every attribute of one zone as (项目, 内容) rows with Chinese labels and units.

    The plan's other printed columns (``extra``, a JSON object) become rows of
    their own; provenance (plan, 专栏, line, area as printed) and the geometry
    status are included. Values are plain text (never HTML).
    """
    found = find_zone(frames, zone_id)
    if found is None:
        return pd.DataFrame(columns=["项目", "内容"])
    code, hit = found
    row = hit.iloc[0]
    aliases = specs[code].aliases()
    rows: list[tuple[str, str]] = []
    for column in DETAIL_FIELDS:
        if column not in hit:
            continue
        value = row[column]
        if column == "extra":
            rows.extend((f"原文：{k}", _text(v)) for k, v in _json_object(value).items())
            continue
        rows.append((aliases.get(column, column), _text(value, column=column)))
    if str(row.get("geometry_status", "")) == SCHEMATIC:
        rows.insert(2, ("注意", "图形为示意范围，非实测边界"))
    return pd.DataFrame(rows, columns=["项目", "内容"])


def _json_object(value: object) -> dict[str, object]:
    if not isinstance(value, str) or not value.strip():
        return {}
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return {"其他": value}
    return parsed if isinstance(parsed, dict) else {"其他": value}


def _text(value: object, *, column: str | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value is pd.NA:
        return "—"
    if isinstance(value, float):
        return format_value(value, column=column)
    text = str(value).strip()
    return text or "—"
