"""Writing the boundary exchange TXT and the registration TXT.

:func:`format_boundary_txt` / :func:`write_boundary_txt` write plots (or a
GeoDataFrame) in the land-boundary exchange layout, in plane metres or in latitude /
longitude (DMS or decimal degrees); :func:`format_registration_txt` /
:func:`write_registration_txt` write one plot in the mining-right registration layout.
Both write CRLF lines and what the registry wants (issue 10 §4): plane coordinates
to :data:`~mineplan.vocab.PLANE_DECIMALS` (2) decimals, DMS seconds to
:data:`~mineplan.vocab.DMS_SECONDS_DECIMALS` (3), vertices in their original order and
numbering (nothing is re-oriented: a ring is written as it was given, each part's
outer ring before its holes); points of a GeoDataFrame are named J1… per ring as
:func:`mineplan.io.corners.corner_table` numbers them.

May import: ``errors``, ``vocab``, ``geodesy``, :mod:`mineplan.io.text` and the other
modules of this package.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyproj

from mineplan.atomic import atomic_write_bytes
from mineplan.errors import CoordinateFileError
from mineplan.geodesy import ellipsoidal_area
from mineplan.io.coordinates.crs import projected_epsg
from mineplan.io.coordinates.degrees import format_dms, parse_dms
from mineplan.io.coordinates.geometry import (
    assemble_rings,
    plot_geometry,
    plots_from_gdf,
)
from mineplan.io.coordinates.model import DATUM_NAMES, PLOT_FIELD_NAMES, Plot, Ring, Units
from mineplan.io.text import format_optional
from mineplan.vocab import DMS_SECONDS_DECIMALS, GEOGRAPHIC_EPSG, PLANE_DECIMALS

if TYPE_CHECKING:
    import geopandas as gpd
    from typing_extensions import TypeIs

__all__ = [
    "format_boundary_txt",
    "format_registration_txt",
    "write_boundary_txt",
    "write_registration_txt",
]


def _is_frame(plots: object) -> TypeIs[gpd.GeoDataFrame]:
    """Whether `plots` is a GeoDataFrame (without importing geopandas for a list of plots)."""
    gpd = sys.modules.get("geopandas")
    return gpd is not None and isinstance(plots, gpd.GeoDataFrame)


def _crs_for_writing(
    plots: Sequence[Plot], *, zone: int, width: int, datum: str
) -> tuple[int | None, bool]:
    eastings = [p.y_easting for plot in plots for r in plot.rings for p in r.points]
    prefixed = bool(eastings) and min(eastings) > 1e6
    return projected_epsg(datum, width=width, zone=zone, prefixed=prefixed), prefixed


def format_boundary_txt(
    plots: Sequence[Plot] | gpd.GeoDataFrame,
    *,
    zone: int | None = None,
    width: int = 3,
    datum: str = "CGCS2000",
    encoding: str = "gbk",
    precision: int | None = None,
    header: dict[str, str] | None = None,
    units: Units = "metre",
) -> bytes:
    """Write plots as a land-boundary exchange TXT.

    CRLF line ends; every ring closed by repeating its first point; vertices in their
    original order and with their original names (a ring is never reversed). Rings
    are numbered 1, 2, … per plot: each part's outer ring followed by its holes. The
    header area is the ellipsoidal area (TD/T 1055-2019) in 公顷 to 4 decimals.

    Parameters
    ----------
    plots
        Plots (coordinates X = northing, Y = easting in metres; or X = latitude,
        Y = longitude in decimal degrees), or a GeoDataFrame of Polygon/MultiPolygon
        (x = easting, y = northing) with optional ``number`` and ``name`` columns; it
        is reprojected to the target CRS if its CRS differs.
    zone, width, datum
        The Gauss-Kruger zone written to 带号 / 几度分带 and the datum
        (``"CGCS2000"``, ``"Xian 1980"``, ``"Beijing 1954"``) written to 坐标系.
        `zone` is required for ``units="metre"``, and for geographic units when the
        plots are in metres (they are inverse-projected from that zone).
    encoding
        ``"gbk"`` (default, what most tools expect) or ``"utf-8"``.
    precision
        Decimals of X and Y in metres (default :data:`~mineplan.vocab.PLANE_DECIMALS`,
        2 = centimetres, the registry's rule), or of the seconds with ``units="dms"``
        (default :data:`~mineplan.vocab.DMS_SECONDS_DECIMALS`, 3 = 0.001″).
    header
        Extra or replacement ``[属性描述]`` values.
    units
        ``"metre"`` (default): plane Gauss-Kruger coordinates, 计量单位=米.
        ``"dms"``: latitude and longitude written ``44°12′30.123″``, 计量单位=度分秒,
        no 带号 / 几度分带. ``"degree"``: decimal degrees to 8 decimals, 计量单位=度.
        The header area is then computed on the datum's geographic CRS.

    Returns
    -------
    bytes
        The encoded file.

    Raises
    ------
    CoordinateFileError
        If `datum` is unknown or a GeoDataFrame row is not polygonal.
    CRSError
        If `zone` / `width` name no Gauss-Kruger zone.
    UnicodeEncodeError
        If a name cannot be written in `encoding` (GBK lacks some characters).
    """
    if datum not in DATUM_NAMES:
        raise CoordinateFileError(f"datum must be one of {sorted(DATUM_NAMES)}; got {datum!r}")
    if units not in ("metre", "dms", "degree"):
        raise CoordinateFileError(f"units must be 'metre', 'dms' or 'degree'; got {units!r}")
    if precision is None:
        precision = DMS_SECONDS_DECIMALS if units == "dms" else PLANE_DECIMALS
    if units != "metre":
        return _format_geographic(
            plots,
            zone=zone,
            width=width,
            datum=datum,
            encoding=encoding,
            precision=precision,
            header=header,
            units=units,
        )
    if zone is None:
        raise CoordinateFileError("zone is required to write plane coordinates (units='metre')")
    if _is_frame(plots):
        target = projected_epsg(datum, width=width, zone=zone, prefixed=True)
        plot_list = plots_from_gdf(plots, target)
    else:
        plot_list = list(plots)
        if _looks_geographic(plot_list):
            raise CoordinateFileError(
                "the plots are latitude/longitude in degrees; write them with units='dms' "
                "or units='degree'"
            )
    epsg, _ = _crs_for_writing(plot_list, zone=zone, width=width, datum=datum)
    values = {
        "格式版本号": "",
        "数据产生单位": "",
        "数据产生日期": "",
        "坐标系": DATUM_NAMES[datum],
        "几度分带": str(width),
        "投影类型": "高斯克吕格",
        "计量单位": "米",
        "带号": str(zone),
        "精度": f"{10**-precision:.{precision}f}",
        "转换参数": ",,,,,,",
    }
    values.update(header or {})

    def coordinate(value: float) -> str:
        return f"{value:.{precision}f}"

    return _format_plots(plot_list, values, epsg, coordinate, encoding)


def _format_plots(
    plot_list: Sequence[Plot],
    values: dict[str, str],
    epsg: int | None,
    coordinate: Callable[[float], str],
    encoding: str,
    reread: Callable[[str], float] = float,
) -> bytes:
    """The boundary TXT of `plot_list` under header `values`, coordinates as formatted.

    `reread` turns a formatted coordinate back into a number (for the header area).
    """
    lines = ["[属性描述]", *(f"{k}={v}" for k, v in values.items()), "[地块坐标]"]
    for plot in plot_list:
        body: list[str] = []
        rings = _writing_order(plot)
        for ring_no, ring in enumerate(rings, start=1):
            points = list(ring.points)
            if plot.kind == "面" and points:
                points.append(points[0])
            body += [
                f"{p.name},{ring_no},{coordinate(p.x_northing)},{coordinate(p.y_easting)}"
                for p in points
            ]
        area = ""
        if plot.kind == "面" and epsg is not None and rings:
            # the area of the coordinates as written (rounded), so a reader agrees
            written = [
                replace(
                    ring,
                    points=[
                        replace(
                            p,
                            x_northing=reread(coordinate(p.x_northing)),
                            y_easting=reread(coordinate(p.y_easting)),
                        )
                        for p in ring.points
                    ],
                )
                for ring in rings
            ]
            geom = plot_geometry(replace(plot, rings=written))
            area = f"{ellipsoidal_area(geom, crs=epsg) / 1e4:.4f}"
        fields = [plot.fields.get(n, "") for n in PLOT_FIELD_NAMES]
        fields += [v for k, v in plot.fields.items() if k not in PLOT_FIELD_NAMES]
        lines.append(
            ",".join([str(len(body)), area, plot.number, plot.name, plot.kind, *fields, "@"])
        )
        lines += body
    return _encode(lines, encoding)


def _looks_geographic(plots: Sequence[Plot]) -> bool:
    values = [(p.x_northing, p.y_easting) for plot in plots for r in plot.rings for p in r.points]
    return bool(values) and all(abs(x) <= 90 and abs(y) <= 180 for x, y in values)


def _format_geographic(
    plots: Sequence[Plot] | gpd.GeoDataFrame,
    *,
    zone: int | None,
    width: int,
    datum: str,
    encoding: str,
    precision: int,
    header: dict[str, str] | None,
    units: Units,
) -> bytes:
    """:func:`format_boundary_txt` with latitude/longitude (``units`` dms / degree)."""
    epsg = GEOGRAPHIC_EPSG[datum]
    if _is_frame(plots):
        plot_list = plots_from_gdf(plots, epsg)
    else:
        plot_list = list(plots)
        if not _looks_geographic(plot_list):
            if zone is None:
                raise CoordinateFileError(
                    "the plots are in metres: give zone= (and width=) to inverse-project them "
                    "to latitude/longitude, or pass plots in decimal degrees"
                )
            _, prefixed = _crs_for_writing(plot_list, zone=zone, width=width, datum=datum)
            source = projected_epsg(datum, width=width, zone=zone, prefixed=prefixed)
            if source is None:
                raise CoordinateFileError(f"no EPSG code for {datum} zone {zone} ({width}-degree)")
            plot_list = _inverse_projected(plot_list, source, epsg)
    values = {
        "格式版本号": "",
        "数据产生单位": "",
        "数据产生日期": "",
        "坐标系": DATUM_NAMES[datum],
        "投影类型": "",
        "计量单位": "度分秒" if units == "dms" else "度",
        "精度": f"{10**-precision:.{precision}f}" if units == "dms" else "0.00000001",
        "转换参数": ",,,,,,",
    }
    values.update(header or {})

    def coordinate(value: float) -> str:
        if units == "dms":
            return format_dms(value, precision=precision)
        return f"{value:.8f}"

    reread = parse_dms if units == "dms" else float
    return _format_plots(plot_list, values, epsg, coordinate, encoding, reread)


def _inverse_projected(plots: Sequence[Plot], source: int, target: int) -> list[Plot]:
    """Copies of `plots` with X/Y converted from `source` (metres) to lat/lon in `target`."""
    transformer = pyproj.Transformer.from_crs(source, target, always_xy=True)
    out = []
    for plot in plots:
        rings = []
        for ring in plot.rings:
            points = []
            for p in ring.points:
                lon, lat = transformer.transform(p.y_easting, p.x_northing)
                points.append(replace(p, x_northing=float(lat), y_easting=float(lon)))
            rings.append(replace(ring, points=points))
        out.append(replace(plot, rings=rings))
    return out


def _encode(lines: list[str], encoding: str) -> bytes:
    """CRLF-joined lines in `encoding`; a character it cannot hold is a clear error."""
    text = "\r\n".join(lines) + "\r\n"
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        line = text[: exc.start].count("\r\n") + 1
        raise CoordinateFileError(
            f"{text[exc.start : exc.end]!r} cannot be written in {encoding}; rename it or "
            "write with encoding='utf-8'",
            path="<output>",
            line=line,
        ) from exc
    except LookupError as exc:
        raise CoordinateFileError(f"unknown encoding {encoding!r}; use 'gbk' or 'utf-8'") from exc


def _writing_order(plot: Plot) -> list[Ring]:
    """The plot's rings to write: validated, each part's outer ring then its holes,
    every ring in its own vertex order."""
    needed = {"面": 3, "线": 2, "点": 1}.get(plot.kind, 3)
    for ring in plot.rings:
        label = f"plot {plot.number or '?'} ring {ring.ring_no}"
        points = [(p.x_northing, p.y_easting) for p in ring.points]
        if not all(math.isfinite(v) for xy in points for v in xy):
            raise CoordinateFileError(f"{label}: non-finite coordinates; fix the plot first")
        if len(set(points)) < needed:
            raise CoordinateFileError(
                f"{label}: {len(set(points))} distinct points, a {plot.kind} needs {needed}; "
                "fix the plot before writing it"
            )
    if plot.kind != "面":
        return list(plot.rings)
    if not plot.rings:
        raise CoordinateFileError(f"plot {plot.number or '?'} has no rings to write")
    ordered: list[Ring] = []
    for outer, holes in assemble_rings(plot.rings):
        ordered.append(outer)
        ordered += holes
    return ordered


def write_boundary_txt(
    path: str | Path,
    plots: Sequence[Plot] | gpd.GeoDataFrame,
    *,
    zone: int | None = None,
    width: int = 3,
    datum: str = "CGCS2000",
    encoding: str = "gbk",
    precision: int | None = None,
    header: dict[str, str] | None = None,
    units: Units = "metre",
) -> Path:
    """Write :func:`format_boundary_txt` output (same options) to `path`; returns it."""
    data = format_boundary_txt(
        plots,
        zone=zone,
        width=width,
        datum=datum,
        encoding=encoding,
        precision=precision,
        header=header,
        units=units,
    )
    return atomic_write_bytes(path, data)



def format_registration_txt(
    plot: Plot,
    *,
    precision: int | None = None,
    encoding: str = "gbk",
    units: Literal["metre", "dms"] | None = None,
) -> bytes:
    """Write one plot in the mining-right registration layout (CRLF).

    Points keep their order and their numbers when these are whole numbers unique in
    the plot (else they are numbered 1, 2, … across the file); rings are not closed
    (the 标高 line closes an area); each part's outer ring comes first, followed by
    its holes (flag −1); outer rings get flag 1 unless they carry one.

    `units`: ``"metre"`` writes X, Y to `precision` decimals (default
    :data:`~mineplan.vocab.PLANE_DECIMALS`); ``"dms"`` writes a plot in decimal
    degrees (X latitude, Y longitude) as ``44°25′00.000″`` with `precision` decimals
    of seconds (default :data:`~mineplan.vocab.DMS_SECONDS_DECIMALS`); None (default)
    picks dms for a plot in degrees, else metre.

    Raises
    ------
    CoordinateFileError
        If the plot is invalid for writing, or its coordinates do not match `units`.
    """
    geographic = _looks_geographic([plot])
    units = units or ("dms" if geographic else "metre")
    if units not in ("metre", "dms") or geographic != (units == "dms"):
        raise CoordinateFileError(
            f"plot {plot.number or '?'}: cannot write "
            f"{'latitude/longitude' if geographic else 'plane coordinates'} with "
            f"units={units!r}; use units={'dms' if geographic else 'metre'!r}"
        )

    places = precision if precision is not None else (
        DMS_SECONDS_DECIMALS if units == "dms" else PLANE_DECIMALS
    )

    def coordinate(value: float) -> str:
        return format_dms(value, precision=places) if units == "dms" else f"{value:.{places}f}"

    rows: list[str] = []
    rings = _writing_order(plot)
    names = [p.name for ring in rings for p in ring.points]
    keep = all(n.isdigit() for n in names) and len(set(names)) == len(names)
    number = 0
    for ring in rings:
        for point in ring.points:
            number += 1
            label = point.name if keep else str(number)
            rows.append(f"{label},{coordinate(point.x_northing)},{coordinate(point.y_easting)}")
        hole = ring.flag == -1 or (ring.flag is None and _is_hole(plot, ring))
        flag = -1 if hole else (ring.flag if ring.flag is not None else 1)
        rows.append(f"标高,{format_optional(ring.top_m)},{format_optional(ring.bottom_m)},,{flag}")
    lines = [
        "[登记项目]",
        "矿区范围拐点坐标总数应小于1000个",
        f"矿区范围拐点坐标与标高的总行数={len(rows)}",
    ]
    lines += [f"XY{i:03d}={row}" for i, row in enumerate(rows, start=1)]
    return _encode(lines, encoding)


def _is_hole(plot: Plot, ring: Ring) -> bool:
    return any(
        ring is h or ring.ring_no == h.ring_no
        for _, holes in assemble_rings(plot.rings)
        for h in holes
    )


def write_registration_txt(
    path: str | Path,
    plot: Plot,
    *,
    precision: int | None = None,
    encoding: str = "gbk",
    units: Literal["metre", "dms"] | None = None,
) -> Path:
    """Write :func:`format_registration_txt` output (same options) to `path`; returns it."""
    data = format_registration_txt(plot, precision=precision, encoding=encoding, units=units)
    return atomic_write_bytes(path, data)
