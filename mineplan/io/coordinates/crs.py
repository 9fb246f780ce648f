"""The CRS of a coordinate file, from what its header says and what its numbers show.

Shared by every layout: the datum (坐标系), the zone width (几度分带) and zone (带号)
of the header, checked against the zone prefix the eastings carry; the axis order
(X northing, Y easting — swapped axes are repaired or reported); one zone per file;
and the EPSG code of the result, CGCS2000 or the older Xian 1980 / Beijing 1954
datums (looked up by name in the EPSG database). Geographic files get the datum's
geographic CRS.

May import: ``errors``, ``vocab``, ``geodesy``, the model, the parsing helpers and
:mod:`~mineplan.io.coordinates.degrees` of this package.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pyproj.database import query_crs_info
from pyproj.enums import PJType

from mineplan.geodesy import GKZone, classify_plane_pair, gk_epsg
from mineplan.io.coordinates.degrees import check_geographic_axes
from mineplan.io.coordinates.model import CRSInfo, Plot, Point
from mineplan.io.coordinates.parsing import Problems
from mineplan.vocab import GEOGRAPHIC_EPSG

__all__ = ["boundary_crs", "check_axes", "projected_epsg", "registration_crs"]


def _header_width(header: dict[str, str]) -> tuple[str | None, int | None]:
    for key in ("几度分带", "分带", "分带方式", "投影带"):
        value = header.get(key, "")
        if value:
            if "3" in value or "三" in value:
                return key, 3
            if "6" in value or "六" in value:
                return key, 6
            return key, None
    return None, None


def _header_datum(value: str) -> str | None:
    compact = value.replace(" ", "").upper()
    if "2000" in compact or "CGCS" in compact:
        return "CGCS2000"
    if "1980" in compact or "西安" in compact or "XIAN" in compact or compact.startswith("80"):
        return "Xian 1980"
    if "1954" in compact or "北京" in compact or "BEIJING" in compact or compact.startswith("54"):
        return "Beijing 1954"
    return None


def check_axes(
    plots: Sequence[Plot], problems: Problems, *, fix: bool
) -> tuple[list[tuple[Point, GKZone | None]], set[int]]:
    """Classify every point; swap or report swapped axes; report implausible numbers.

    Returns the (point, prefix zone) pairs of usable points and the ids of plots with
    unusable points (their geometry is not checked: it would only repeat the problem).
    """
    classified: list[tuple[Point, GKZone | None]] = []
    bad: set[int] = set()
    for plot in plots:
        for ring in plot.rings:
            for point in ring.points:
                verdict = classify_plane_pair(point.x_northing, point.y_easting)
                where = f"plot {plot.number or '?'} point {point.name}"
                if verdict.swapped:
                    if fix:
                        point.x_northing, point.y_easting = point.y_easting, point.x_northing
                        problems.warn(point.line_no, f"{where}: X and Y were swapped; swapped")
                    else:
                        bad.add(id(plot))
                        problems.error(
                            point.line_no,
                            f"{where}: X={point.x_northing:.3f} looks like an easting and "
                            f"Y={point.y_easting:.3f} like a northing — the axes are swapped; "
                            "swap the X and Y columns or use --fix",
                        )
                        continue
                elif not verdict.plausible:
                    bad.add(id(plot))
                    problems.error(
                        point.line_no,
                        f"{where}: X={point.x_northing!r}, Y={point.y_easting!r} is not a "
                        "Gauss-Kruger coordinate in China (X northing 2.0e6–5.9e6 m, Y easting "
                        "500000 ± 350000 m, optionally with zone prefix); check the numbers",
                    )
                    continue
                classified.append((point, verdict.zone))
    return classified, bad


def boundary_crs(
    header: dict[str, str],
    header_lines: dict[str, int],
    plots: Sequence[Plot],
    problems: Problems,
    *,
    fix: bool,
    geographic: bool = False,
) -> tuple[CRSInfo, set[int]]:
    """The CRS of a boundary file and the ids of plots with unusable points.

    The header's 坐标系, 几度分带 and 带号 are checked against the numbers (the zone
    prefix of the eastings wins, with a warning); swapped axes are repaired when
    ``fix`` is set, else reported.
    """
    datum_text = header.get("坐标系", "")
    datum = _header_datum(datum_text) if datum_text else None
    if datum_text and datum is None:
        problems.warn(
            header_lines.get("坐标系"),
            f"坐标系 {datum_text!r} is not CGCS2000, Xian 1980 or Beijing 1954; the datum "
            "cannot be determined and no EPSG code is assigned",
        )
    elif not datum_text:
        problems.warn(None, "坐标系 not stated; assuming 2000国家大地坐标系 (CGCS2000)")
        datum = "CGCS2000"
    if geographic:
        bad = check_geographic_axes(plots, problems, fix=fix)
        epsg = GEOGRAPHIC_EPSG[datum] if datum is not None else None
        if datum is not None and datum != "CGCS2000":
            problems.warn(
                header_lines.get("坐标系"),
                f"datum {datum} (EPSG:{epsg}): converting to CGCS2000 without official "
                "transformation parameters is approximate (metres)",
            )
        return CRSInfo(datum, None, None, False, epsg, geographic=True), bad
    width_key, header_width = _header_width(header)
    if width_key and header_width is None:
        problems.error(
            header_lines.get(width_key),
            f"{width_key}={header[width_key]!r}: zone width must be 3 or 6 degrees",
        )
    zone_text = header.get("带号", "")
    header_zone: int | None = None
    if zone_text:
        match = re.fullmatch(r"(\d{1,2})\s*带?", zone_text)
        number = int(match.group(1)) if match else 0
        if 13 <= number <= 23 or 25 <= number <= 45:
            header_zone = number
        else:
            problems.error(
                header_lines.get("带号"),
                f"带号={zone_text!r} is not a Gauss-Kruger zone of China (3-degree 25–45, "
                "6-degree 13–23); correct the header",
            )
    classified, bad = check_axes(plots, problems, fix=fix)
    zones: dict[int, tuple[GKZone, Point]] = {}
    for p, z in classified:
        if z is not None:
            zones.setdefault(z.zone, (z, p))
    prefixed_points = [p for p, z in classified if z is not None]
    plain_points = [p for p, z in classified if z is None]
    if prefixed_points and plain_points:
        point = plain_points[0]
        problems.error(
            point.line_no,
            f"point {point.name}: Y={point.y_easting:.3f} has no zone prefix while other points "
            f"have one (e.g. {prefixed_points[0].name}); write every Y the same way",
        )
    if len(zones) > 1:
        (z1, p1), (z2, p2) = list(zones.values())[:2]
        problems.error(
            p2.line_no,
            f"point {p2.name} is in zone {z2.zone} but point {p1.name} (line {p1.line_no}) is in "
            f"zone {z1.zone}; a file must use one zone — reproject the plots to one zone",
        )
    width, zone = header_width, header_zone
    prefixed = bool(prefixed_points)
    if zones:
        gk = next(iter(zones.values()))[0]
        if header_zone is not None and header_zone != gk.zone:
            problems.warn(
                header_lines.get("带号"),
                f"带号={header_zone} but the eastings carry zone prefix {gk.zone}; "
                f"using zone {gk.zone}",
            )
        if header_width is not None and header_width != gk.width:
            problems.warn(
                header_lines.get(width_key or ""),
                f"{width_key}={header_width} but prefix zone {gk.zone} is a {gk.width}-degree "
                f"zone; using {gk.width}",
            )
        width, zone = gk.width, gk.zone
    elif zone is not None:
        implied = 3 if zone >= 25 else 6
        if width is not None and width != implied:
            problems.error(
                header_lines.get("带号"),
                f"带号={zone} is not a {width}-degree zone (3-degree 25–45, 6-degree 13–23)",
            )
        width = implied
    epsg = None
    if datum is not None and width is not None and zone is not None:
        epsg = projected_epsg(datum, width=width, zone=zone, prefixed=prefixed)
        if datum != "CGCS2000":
            problems.warn(
                header_lines.get("坐标系"),
                f"datum {datum} (EPSG:{epsg}): converting to CGCS2000 without official "
                "transformation parameters is approximate (metres)",
            )
    elif classified and zone is None:
        problems.warn(
            None,
            "the zone cannot be determined (no 带号 and no zone prefix in Y); no EPSG code "
            "assigned — state 带号 in the header",
        )
    return CRSInfo(datum, width, zone, prefixed, epsg), bad


@lru_cache(maxsize=1)
def _old_datum_codes() -> dict[str, int]:
    infos = query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS)
    return {
        info.name: int(info.code)
        for info in infos
        if info.name.startswith(("Xian 1980 /", "Beijing 1954 /")) and "Gauss-Kruger" in info.name
    }


def projected_epsg(datum: str, *, width: int, zone: int, prefixed: bool) -> int | None:
    """EPSG code of a Gauss-Kruger zone on a datum (old datums looked up by name)."""
    if datum == "CGCS2000":
        return gk_epsg(width=width, zone=zone, prefixed=prefixed)
    cm = 3 * zone if width == 3 else 6 * zone - 3
    family = "3-degree Gauss-Kruger" if width == 3 else "Gauss-Kruger"
    tail = f"zone {zone}" if prefixed else f"CM {cm}E"
    return _old_datum_codes().get(f"{datum} / {family} {tail}")



def registration_crs(
    plot: Plot, datum: str, problems: Problems, *, fix: bool, geographic: bool
) -> tuple[CRSInfo, bool]:
    """The CRS of a registration file (one plot) and whether its points are unusable.

    The layout states no datum (``datum`` says which) and no zone: plane
    coordinates take it from the easting prefix, which must name one zone.
    """
    if geographic:
        bad = check_geographic_axes([plot], problems, fix=fix)
        geo_crs = CRSInfo(datum, None, None, False, GEOGRAPHIC_EPSG[datum], geographic=True)
        return geo_crs, bool(bad)
    classified, unusable = check_axes([plot], problems, fix=fix)
    zones: dict[int, tuple[GKZone, Point]] = {}
    for point, zone in classified:
        if zone is not None:
            zones.setdefault(zone.zone, (zone, point))
    crs = CRSInfo(datum, None, None, False, None)
    if len(zones) > 1:
        (z1, p1), (z2, p2) = list(zones.values())[:2]
        problems.error(
            p2.line_no,
            f"point {p2.name} is in zone {z2.zone} but point {p1.name} (line {p1.line_no}) "
            f"is in zone {z1.zone}; a file must use one zone",
        )
    elif zones:
        gk = next(iter(zones.values()))[0]
        crs = CRSInfo(
            datum,
            gk.width,
            gk.zone,
            True,
            projected_epsg(datum, width=gk.width, zone=gk.zone, prefixed=True),
        )
    else:
        problems.warn(None, "eastings carry no zone prefix: zone and EPSG unknown")
    return crs, bool(unusable)
