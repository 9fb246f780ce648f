"""The browse page's data export: the zones shown (after the sidebar filters) as files.

Formats (:data:`EXPORT_FORMATS`): GeoPackage (one table per store layer, the store's
own columns: imports back unchanged), Shapefile (GBK with a ``.cpg``, zipped, with a
说明 file), GeoJSON, KML (:func:`mineplan.io.gis.write_gis_file`) and the coordinate
TXT (报盘格式, degrees-minutes-seconds on CGCS2000,
:func:`mineplan.io.coordinates.format_boundary_txt`). Every format carries the plan's
attributes and their provenance (``source_file``/``source_line``, ``geometry_status``,
``geometry_source`` …) and says which filters made it.

Files are written in a private temporary folder and returned as bytes for a download.

May import :mod:`mineplan.io`, :mod:`mineplan.layers`, :mod:`mineplan.vocab`.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from mineplan.errors import CoordinateFileError
from mineplan.io.coordinates import format_boundary_txt
from mineplan.io.gis import write_gis_file
from mineplan.layers import LayerSpec
from mineplan.vocab import SCHEMATIC, STORE_CRS

__all__ = ["EXPORT_FORMATS", "ExportFile", "export_zones", "zones_frame"]

#: Label shown → format key.
EXPORT_FORMATS: dict[str, str] = {
    "GeoPackage（.gpkg，每图层一表）": "gpkg",
    "Shapefile（GBK 编码，zip 压缩）": "shp",
    "GeoJSON（.geojson）": "geojson",
    "KML（.kml，奥维/谷歌地球）": "kml",
    "坐标 TXT（报盘格式，度分秒）": "txt",
}
_MIME = {"gpkg": "application/geopackage+sqlite3", "shp": "application/zip",
         "geojson": "application/geo+json", "kml": "application/vnd.google-earth.kml+xml",
         "txt": "text/plain"}


@dataclass(frozen=True)
class ExportFile:
    """A file to download."""

    name: str
    data: bytes
    mime: str
    count: int


def zones_frame(frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec]
                ) -> gpd.GeoDataFrame:
    """Every zone shown in one frame (EPSG:4490), with ``layer_code`` first."""
    parts = [f.to_crs(STORE_CRS).assign(layer_code=code) for code, f in frames.items()
             if specs[code].is_zone_layer and not f.empty]
    if not parts:
        return gpd.GeoDataFrame({"layer_code": []}, geometry=gpd.GeoSeries([], crs=STORE_CRS))
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=STORE_CRS)
    columns = ["layer_code", *[c for c in out.columns if c not in ("layer_code", "geometry")]]
    return gpd.GeoDataFrame(out[columns], geometry=out.geometry, crs=STORE_CRS)


def _note(filters: str, frame: gpd.GeoDataFrame, source: str) -> str:
    schematic = int((frame.get("geometry_status", pd.Series(dtype=str)) == SCHEMATIC).sum())
    return "\r\n".join([
        "mineplan 规划分区导出",
        f"来源数据库：{source}",
        f"筛选条件：{filters or '全部'}",
        f"分区数：{len(frame)}",
        f"其中示意图形：{schematic} 个（按规划面积生成的示意范围，非实测边界）",
        "字段：zone_id 编号，name 名称，seq 序号（原文），source_table 来源专栏，"
        "source_file/source_line 来源文件与行号，geometry_status 图形状态，"
        "geometry_source 图形来源。",
        "坐标系：2000 国家大地坐标系（EPSG:4490）；KML 为 WGS84 经纬度。",
        "",
    ])


def export_zones(frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec],
                 fmt: str, *, filters: str = "", source: str = "") -> ExportFile:
    """The zones of ``frames`` (already filtered) as one file of format ``fmt``.

    Raises
    ------
    CoordinateFileError
        Nothing to export, or a format that cannot hold the data (code ``empty_export``).
    """
    zones = {c: f for c, f in frames.items() if specs[c].is_zone_layer and not f.empty}
    frame = zones_frame(zones, specs)
    if frame.empty:
        raise CoordinateFileError("no zones to export", code="empty_export")
    note = _note(filters, frame, source)
    stem = "规划分区"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if fmt == "gpkg":
            path = folder / f"{stem}.gpkg"
            for code, layer in zones.items():  # the store's tables: imports back unchanged
                pyogrio.write_dataframe(layer.to_crs(STORE_CRS), path, layer=code,
                                        driver="GPKG", append=path.exists())
            data = path.read_bytes()
        elif fmt == "shp":
            data = _shapefile_zip(frame, folder, stem, note)
        elif fmt in ("geojson", "kml"):
            path = write_gis_file(frame, folder / f"{stem}.{fmt}")
            data = path.read_bytes()
        elif fmt == "txt":
            plots = frame.assign(number=frame["zone_id"], name=frame["name"])
            data = format_boundary_txt(plots, units="dms", header={
                "数据产生单位": "mineplan 导出", "备注": note.replace("\r\n", "；")[:200]})
        else:
            raise CoordinateFileError(f"unknown export format {fmt!r}", code="empty_export")
    suffix = "zip" if fmt == "shp" else fmt
    return ExportFile(f"{stem}.{suffix}", data, _MIME[fmt], len(frame))


def _shapefile_zip(frame: gpd.GeoDataFrame, folder: Path, stem: str, note: str) -> bytes:
    """A GBK Shapefile (with its .cpg) and a 说明 file, zipped."""
    out = frame.copy()
    for column in out.columns:
        if column != out.geometry.name and out[column].dtype == object:
            out[column] = out[column].map(lambda v: "" if v is None else str(v))
    path = folder / f"{stem}.shp"
    try:
        pyogrio.write_dataframe(out, path, encoding="GBK")
    except (UnicodeEncodeError, pyogrio.errors.DataSourceError, ValueError):
        pyogrio.write_dataframe(out, path, encoding="UTF-8")  # a name GBK cannot hold
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(folder.glob(f"{stem}.*")):
            archive.write(part, part.name)
        archive.writestr("说明.txt", note.encode("gbk", errors="replace"))
    return buffer.getvalue()
