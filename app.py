"""mineplan web app (streamlit): browse the plans' zones on an offline map.

Run with ``streamlit run app.py`` after ``mineplan build``. Thin on purpose: the
work is in ``mineplan.views`` and ``mineplan.webmap``; this file reads, caches
and lays out.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from mineplan.catalog import plan_index
from mineplan.errors import MineplanError
from mineplan.layers import read_layer_specs, read_styles
from mineplan.paths import DEFAULT_STORE, home
from mineplan.store import list_layers, read_layer
from mineplan.views import filter_zones, map_layers, zone_table
from mineplan.webmap import SCHEMATIC_BANNER, render_offline_html, zone_map

st.set_page_config(page_title="mineplan 矿产资源规划", layout="wide")

STORE = Path(os.environ.get("MINEPLAN_STORE", home() / DEFAULT_STORE))
BASEMAPS = {
    "无底图（离线）": "none",
    "OpenStreetMap（需联网）": "osm",
    "天地图矢量（需联网与密钥）": "tianditu_vec",
    "天地图影像（需联网与密钥）": "tianditu_img",
}


@st.cache_data(show_spinner="读取 GeoPackage …")
def load_store(path: str, mtime: float) -> dict:  # mtime keys the cache on the file's content
    return {code: read_layer(path, code) for code in list_layers(path)}


@st.cache_data(show_spinner="生成地图 …")
def map_html(path: str, mtime: float, regions: tuple, codes: tuple, mineral: str,
             basemap: str, key: str) -> str:
    specs = read_layer_specs()
    styles, schematic = read_styles()
    frames = {c: filter_zones(f, regions=regions, minerals=mineral)
              if specs[c].is_zone_layer else f
              for c, f in load_store(path, mtime).items() if c in codes}
    if "XZQ" in frames:  # the province outline would zoom the map out to all Xinjiang
        frames["XZQ"] = frames["XZQ"][frames["XZQ"]["level"] != "province"]
    m = zone_map(map_layers(frames, specs, styles, schematic), basemap=basemap,
                 tianditu_key=key or None)
    return render_offline_html(m)


def main() -> None:
    st.title("矿产资源总体规划（2021—2025年）规划分区")
    if not STORE.is_file():
        st.error(f"未找到数据库 {STORE}。请先运行 `mineplan build` 生成 GeoPackage。")
        st.stop()
    mtime = STORE.stat().st_mtime
    specs = read_layer_specs()
    frames = load_store(str(STORE), mtime)
    regions_all = [p.region for p in plan_index().values()]
    with st.sidebar:
        st.header("筛选")
        regions = st.multiselect("规划", regions_all, default=regions_all)
        layer_names = {specs[c].name: c for c in frames if c in specs}
        chosen = st.multiselect("图层", list(layer_names), default=list(layer_names))
        mineral = st.text_input("矿种包含", "")
        basemap_label = st.selectbox("底图", list(BASEMAPS))
        key = st.text_input("天地图密钥", os.environ.get("TIANDITU_KEY", ""), type="password")
    st.warning(SCHEMATIC_BANNER + "；三区三线图层为演示数据，非真实红线。")
    codes = tuple(layer_names[n] for n in chosen)
    try:
        html = map_html(str(STORE), mtime, tuple(regions), codes, mineral,
                        BASEMAPS[basemap_label], key)
    except (MineplanError, ValueError) as err:
        st.error(f"地图无法生成：{err}")
        st.stop()
    components.html(html, height=640)
    shown = {c: filter_zones(frames[c], regions=regions, minerals=mineral) for c in codes}
    table = zone_table(shown, specs)
    st.subheader(f"规划分区一览（{len(table)} 个）")
    st.dataframe(table, width="stretch", hide_index=True)


main()
