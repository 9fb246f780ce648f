"""Mutation fuzzing of mineplan's file readers: seed files, mutations, outcomes.

Shared by the seeded fuzz test (``tests/test_fuzz_readers.py``) and the longer run
(``scripts/fuzz_readers.py``). A *seed* is a small valid file — GeoJSON, KML, KMZ,
zipped and plain Shapefile, CSV (UTF-8 and GBK), GeoPackage, DXF, or a coordinate
TXT fixture — kept as its parts (the members of an archive, the sidecars of a
Shapefile, the rows of a GeoPackage) so a mutation can reach inside. A *mutation*
flips or deletes bytes, truncates, duplicates a span, or puts in a hostile value
(Unicode digits, 5,000-digit integers, NaN/Inf, GBK bytes, NUL, entity declarations).
An *outcome* is ``ok``, ``located`` (a documented mineplan error naming the file)
or ``crash`` (anything else), with the reproducer kept for a crash.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import sqlite3
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from mineplan.errors import MineplanError, UploadError

FIXTURES = Path(__file__).parent / "fixtures"

#: Values that broke readers before (issue 11), spliced into files by the mutator.
HOSTILE: tuple[bytes, ...] = (
    "²".encode(),
    "①".encode(),
    "١٢".encode(),
    "９".encode(),
    b"9" * 5000,
    b"-" + b"1" * 4400,
    b"NaN",
    b"nan",
    b"Infinity",
    b"-inf",
    b"1e309",
    b"-1e308",
    b"0",
    b"-0",
    b"1e-320",
    "矿区范围".encode("gbk"),
    b"\xff\xfe",
    b"\x00",
    b"\r",
    b"\n",
    b",",
    b"@",
    b"=",
    b'"',
    b"{",
    b"]",
    b"<!ENTITY x 'y'>",
    b"<![CDATA[",
    b"'" * 3,
    b"\xe2\x80\xae",
    b" " * 300,
)
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")

SQUARE = [(116.10, 39.10), (116.12, 39.10), (116.12, 39.12), (116.10, 39.12)]


@dataclass
class Seed:
    """A valid file to mutate, kept as parts.

    Attributes
    ----------
    name
        The file name read (``plots.geojson``, ``plots.zip``, ``plots.shp`` …).
    kind
        ``"file"`` (one file), ``"zip"`` (an archive of ``parts``), ``"shapefile"``
        (``parts`` written side by side, ``name`` the ``.shp``) or ``"gpkg"``.
    parts
        File name → bytes.
    """

    name: str
    kind: str
    parts: dict[str, bytes]


@dataclass
class Outcome:
    """What one reader made of one input."""

    verdict: str  # "ok", "located" or "crash"
    reader: str
    seed: str
    error: str = ""
    trace: str = ""
    data: bytes = b""
    extra: dict[str, bytes] = field(default_factory=dict)


# -------------------------------------------------------------------------- seeds


def _frame() -> gpd.GeoDataFrame:
    hole = shapely.Polygon(SQUARE).buffer(-0.004)
    return gpd.GeoDataFrame(
        {
            "name": ["乌苏煤矿勘查区", "独山子砂石集中开采区"],
            "code": ["KC-01", "SS-02"],
            "area": [1.5, 22.25],
            "count": [3, 7],
        },
        geometry=[
            shapely.Polygon(SQUARE, [list(hole.exterior.coords)]),
            shapely.box(116.13, 39.10, 116.15, 39.11),
        ],
        crs="EPSG:4490",
    )


def gis_seeds(folder: Path) -> list[Seed]:
    """The GIS seeds, generated in ``folder``: every format the GIS readers take."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = _frame()
    seeds: list[Seed] = []

    def written(name: str, data: gpd.GeoDataFrame, **kwargs: object) -> bytes:
        path = folder / name
        pyogrio.write_dataframe(data, path, **kwargs)
        return path.read_bytes()

    seeds.append(Seed("plots.geojson", "file", {"plots.geojson": written("a.geojson", frame)}))
    gk = frame.to_crs(4527)  # CGCS2000 3-degree zone 39, prefixed eastings
    seeds.append(Seed("gk.geojson", "file", {"gk.geojson": written("gk.geojson", gk)}))
    kml = written("a.kml", frame, driver="KML")
    seeds.append(Seed("plots.kml", "file", {"plots.kml": kml}))
    seeds.append(Seed("plots.kmz", "zip", {"doc.kml": kml}))

    for label, data, encoding in (("utf8", gk, "UTF-8"), ("gbk", frame, "GBK")):
        shp_dir = folder / f"shp_{label}"
        shp_dir.mkdir(exist_ok=True)
        pyogrio.write_dataframe(data, shp_dir / "plots.shp", encoding=encoding)
        parts = {p.name: p.read_bytes() for p in sorted(shp_dir.iterdir())}
        if label == "gbk":
            parts.pop("plots.cpg", None)
        seeds.append(Seed("plots.shp", "shapefile", dict(parts)))
        seeds.append(Seed(f"plots_{label}.zip", "zip", dict(parts)))

    gpkg = folder / "plots.gpkg"
    pyogrio.write_dataframe(gk, gpkg, layer="plots")
    seeds.append(Seed("plots.gpkg", "gpkg", {"plots.gpkg": gpkg.read_bytes()}))

    points = "经度,纬度,名称\n" + "".join(
        f"{x:.6f},{y:.6f},点{i}\n" for i, (x, y) in enumerate(SQUARE)
    )
    seeds.append(Seed("points.csv", "file", {"points.csv": points.encode("utf-8")}))
    rings = "地块编号,点号,X,Y\r\n" + "".join(
        f"{plot},J{i},{4330000 + i * 37.5 + plot * 900:.2f},{39508000 + (i % 2) * 412.25:.2f}\r\n"
        for plot in (1, 2)
        for i in range(4)
    )
    seeds.append(Seed("rings.csv", "file", {"rings.csv": rings.encode("gbk")}))
    seeds.append(Seed("plots.dxf", "file", {"plots.dxf": _dxf(gk)}))
    for path in sorted((FIXTURES / "gis").glob("*")):
        if path.suffix.lower() in (".geojson", ".json", ".kml", ".csv", ".dxf", ".gpkg"):
            seeds.append(Seed(path.name, "file", {path.name: path.read_bytes()}))
    return seeds


def _dxf(frame: gpd.GeoDataFrame) -> bytes:
    lines = ["0", "SECTION", "2", "ENTITIES"]
    for geom in frame.geometry:
        coords = list(geom.exterior.coords)[:-1]
        lines += ["0", "LWPOLYLINE", "8", "0", "90", str(len(coords)), "70", "1"]
        for x, y in coords:
            lines += ["10", f"{x:.3f}", "20", f"{y:.3f}"]
    lines += ["0", "ENDSEC", "0", "EOF"]
    return ("\n".join(lines) + "\n").encode("ascii")


def txt_seeds() -> list[Seed]:
    """The coordinate TXT fixtures (GBK boundary and registration files), and each
    again in UTF-8 (where ``²`` and ``①`` survive as themselves)."""
    seeds = []
    for path in sorted((FIXTURES / "coords").glob("*.txt")):
        data = path.read_bytes()
        seeds.append(Seed(path.name, "file", {path.name: data}))
        if path.stem.endswith("_utf8"):
            continue  # already UTF-8
        utf8 = path.stem.replace("_gbk", "") + "_utf8.txt"
        seeds.append(Seed(utf8, "file", {utf8: data.decode("gb18030").encode("utf-8")}))
    return seeds


# ---------------------------------------------------------------------- mutations


def mutate(data: bytes, rng: random.Random) -> bytes:
    """``data`` with one to three random mutations."""
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3))):
        op = rng.random()
        if not out:
            out += rng.choice(HOSTILE)
        elif op < 0.30:
            numbers = list(_NUMBER.finditer(out))
            if numbers:
                match = rng.choice(numbers)
                out[match.start() : match.end()] = rng.choice(HOSTILE[:16])
            else:
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif op < 0.50:
            at = rng.randrange(len(out) + 1)
            out[at:at] = rng.choice(HOSTILE)
        elif op < 0.65:
            for _ in range(rng.randint(1, 8)):
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif op < 0.75:
            del out[rng.randrange(len(out)) :]
        elif op < 0.85:
            start = rng.randrange(len(out))
            del out[start : start + rng.randint(1, 64)]
        else:
            start = rng.randrange(len(out))
            span = bytes(out[start : start + rng.randint(1, 256)])
            at = rng.randrange(len(out) + 1)
            out[at:at] = span * rng.randint(1, 4)
    return bytes(out)


def materialise(seed: Seed, folder: Path, rng: random.Random) -> Path:
    """Write a mutated copy of ``seed`` into ``folder`` (emptied first); the path to read."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    parts = dict(seed.parts)
    if seed.kind == "gpkg":
        path = folder / seed.name
        path.write_bytes(parts[seed.name])
        if rng.random() < 0.25:
            path.write_bytes(mutate(path.read_bytes(), rng))
        else:
            _mutate_geopackage(path, rng)
        return path
    victim = rng.choice(sorted(parts))
    if victim.endswith((".geojson", ".json")) and rng.random() < 0.3:
        parts[victim] = _mutate_geojson(parts[victim], rng)
    elif victim.endswith(".csv") and rng.random() < 0.1:
        header, _, rest = parts[victim].partition(b"\n")
        parts[victim] = header + b"," + b",".join([b"lon"] * rng.randint(1, 5000)) + b"\n" + rest
    else:
        parts[victim] = mutate(parts[victim], rng)
    if seed.kind == "zip":
        path = folder / seed.name
        path.write_bytes(zipped(parts, rng))
        if rng.random() < 0.1:
            path.write_bytes(mutate(path.read_bytes(), rng))
        return path
    for name, data in parts.items():
        (folder / name).write_bytes(data)
    return folder / seed.name


def _mutate_geojson(data: bytes, rng: random.Random) -> bytes:
    """A change to a GeoJSON's structure: an unclosed ring, a NaN or infinite or huge
    coordinate, a null or empty geometry, a hostile property, a ring of two points."""
    document = json.loads(data)
    feature = rng.choice(document["features"])
    rings = (feature.get("geometry") or {}).get("coordinates") or [[]]
    ring = rng.choice(rings) if rings else []
    op = rng.randrange(7)
    if op == 0 and len(ring) > 3:
        ring.pop()  # no longer closed
    elif op == 1 and ring:
        ring[rng.randrange(len(ring))][rng.randrange(2)] = rng.choice(
            (float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 0.0)
        )
    elif op == 2:
        feature["geometry"] = rng.choice((None, {"type": "Polygon", "coordinates": []}))
    elif op == 3:
        feature["properties"][rng.choice(("name", "n", "面积"))] = rng.choice(
            ("²", "①", "9" * 5000, "x" * 100_000, None, [1, 2], {"a": "b"})
        )
    elif op == 4 and ring:
        del ring[2:]
    elif op == 5:
        document["features"] = document["features"] * rng.randint(2, 200)
    else:
        document["crs"] = {"type": "name", "properties": {"name": rng.choice(
            ("EPSG:999999", "urn:ogc:def:crs:EPSG::4527", "矿区", "EPSG:4490"))}}
    text = json.dumps(document, ensure_ascii=rng.random() < 0.5)  # NaN/Infinity as JS does
    if op == 3 and rng.random() < 0.5:
        text = text.replace('"' + "9" * 5000 + '"', "9" * 5000)  # a bare 5,000-digit int
    return text.encode("utf-8")


def zipped(parts: dict[str, bytes], rng: random.Random) -> bytes:
    """``parts`` as a zip archive, deflated or stored at random."""
    buffer = io.BytesIO()
    method = rng.choice((zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED))
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _mutate_geopackage(path: Path, rng: random.Random) -> None:
    """A change through SQL: a mutated geometry blob, a hostile attribute, an absurd
    CRS, a view or a style table."""
    con = sqlite3.connect(path)
    try:
        # GDAL's R-tree triggers call SpatiaLite functions plain SQLite lacks
        for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            con.execute(f'DROP TRIGGER "{trigger}"')
        op = rng.randrange(6)
        if op <= 1:
            fid, blob = rng.choice(con.execute("SELECT fid, geom FROM plots").fetchall())
            con.execute("UPDATE plots SET geom = ? WHERE fid = ?", (mutate(blob, rng), fid))
        elif op == 2:
            value: object = rng.choice(HOSTILE).decode("utf-8", errors="replace")
            if rng.random() < 0.5:
                value = rng.choice(HOSTILE)  # raw bytes: not the declared text
            column = rng.choice(("name", "code", "area", "count"))
            con.execute(f"UPDATE plots SET {column} = ?", (value,))
        elif op == 3:
            definition = rng.choice(
                (
                    'PROJCS["x",GEOGCS["y",DATUM["z",SPHEROID["s",6378137,0]],PRIMEM["G",0],'
                    'UNIT["d",0.0174]],PROJECTION["Transverse_Mercator"],'
                    'PARAMETER["scale_factor",0],UNIT["m",1]]',
                    "nonsense",
                    "矿区".encode("gbk").decode("latin-1"),
                )
            )
            con.execute(
                "UPDATE gpkg_spatial_ref_sys SET definition = ? WHERE srs_id = "
                "(SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'plots')",
                (definition,),
            )
        elif op == 4:
            con.execute(
                "CREATE VIEW endless AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL "
                "SELECT i + 1 FROM r) SELECT plots.fid + r.i AS fid, plots.geom AS geom "
                "FROM plots, r"
            )
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                "SELECT 'endless', 'features', 'endless', srs_id FROM gpkg_contents "
                "WHERE table_name = 'plots'"
            )
            con.execute(
                "INSERT INTO gpkg_geometry_columns SELECT 'endless', 'geom', geometry_type_name,"
                " srs_id, z, m FROM gpkg_geometry_columns WHERE table_name = 'plots'"
            )
        else:
            con.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, styleQML TEXT)")
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                "VALUES ('layer_styles', 'attributes', 'layer_styles')"
            )
        con.commit()
    finally:
        con.close()


# ------------------------------------------------------------------------ readers


def located(exc: BaseException, path: Path) -> bool:
    """Whether ``exc`` is a documented mineplan error that names ``path``.

    An :class:`UploadError` names no file (the page shows which upload it is about).
    """
    if isinstance(exc, UploadError):
        return True
    return isinstance(exc, MineplanError) and str(path) in str(exc)


def run(reader: str, seed: str, path: Path, call: Callable[[], object]) -> Outcome:
    """Run ``call`` on ``path`` and judge the outcome."""
    try:
        call()
    except Exception as exc:  # judging every exception is the point
        verdict = "located" if located(exc, path) else "crash"
        outcome = Outcome(verdict, reader, seed, f"{type(exc).__name__}: {str(exc)[:300]}")
        if verdict == "crash":
            outcome.trace = traceback.format_exc(limit=-8)
            outcome.data = path.read_bytes() if path.is_file() else b""
            outcome.extra = {
                p.name: p.read_bytes() for p in path.parent.iterdir() if p != path and p.is_file()
            }
        return outcome
    return Outcome("ok", reader, seed)


def gis_calls(path: Path, rng: random.Random) -> list[tuple[str, Callable[[], object]]]:
    """The GIS readers to run on ``path``: read_gis_file, and the upload guard and
    reader where the web app accepts the file type."""
    from mineplan.io.gis import read_gis_file
    from mineplan.io.uploads import ACCEPTED_SUFFIXES, check_upload, read_upload, upload_layers

    fix = rng.random() < 0.4
    calls: list[tuple[str, Callable[[], object]]] = [
        ("read_gis_file", lambda: read_gis_file(path, fix=fix, expect="polygon")),
    ]
    if path.suffix.lower() in ACCEPTED_SUFFIXES:

        def upload() -> None:
            data = path.read_bytes()
            check = check_upload(path.name, data)
            upload_layers(check, data)
            read_upload(check, data, fix=fix)

        calls.append(("upload", upload))
    return calls


def txt_calls(path: Path, rng: random.Random) -> list[tuple[str, Callable[[], object]]]:
    """The coordinate TXT readers: read_geometry_file (which also sniffs the layout)."""
    from mineplan.io.readers import read_geometry_file

    fix = rng.random() < 0.4
    return [("read_geometry_file", lambda: read_geometry_file(path, fix=fix))]


def crash_site(outcome: Outcome) -> str:
    """Where a crash happened: the innermost mineplan frame and the exception type,
    e.g. ``mineplan/io/coordinates/boundary.py:157 parse_boundary_txt ValueError``."""
    frames = re.findall(r'File "[^"]*?(mineplan/[^"]+)", line (\d+), in (\w+)', outcome.trace)
    kind = outcome.error.split(":", 1)[0]
    if not frames:
        return kind
    file, line, function = frames[-1]
    return f"{file}:{line} {function} {kind}"


def reproducer(outcome: Outcome) -> str:
    """A crash, as text another developer can paste into a test."""
    return (
        f"{outcome.reader} on a mutated {outcome.seed}: {outcome.error}\n"
        f"data = {outcome.data!r}\n"
        + "".join(f"sidecar {name} = {data[:200]!r}\n" for name, data in outcome.extra.items())
        + outcome.trace
    )


__all__ = [
    "HOSTILE",
    "Outcome",
    "Seed",
    "crash_site",
    "gis_calls",
    "gis_seeds",
    "located",
    "materialise",
    "mutate",
    "reproducer",
    "run",
    "txt_calls",
    "txt_seeds",
    "zipped",
]

