"""Deciding what the numbers of a coordinate text are: metres or degrees, axes, zone, CRS.

Given each point's two numbers as read (:class:`Pair`), :func:`settle` decides, for
the whole text at once: plane metres or latitude/longitude (a pair mixing them, or a
text mixing them, is refused — metres are never read as degrees); which number is X
(the northing and the easting cannot be confused in China: 2.0e6–5.9e6 m against
500000 ± 350000 m, with or without the zone prefix; nor can latitude and longitude:
3–54° against 73–136°), following the values and noting where a header disagrees;
packed DMS (DDMMSS.sss) where no plane reading fits; the zone (the easting's prefix,
``zone=``, or a zone / central meridian the text states) and the datum. What only
the user can say raises :class:`CoordinateChoiceError` naming the line and the CLI
option (``--zone``, ``--crs``).

May import: ``errors``, ``vocab``, ``geodesy``, the model, the parsing helpers,
:mod:`~mineplan.io.coordinates.crs`, :mod:`~mineplan.io.coordinates.degrees` and
:mod:`~mineplan.io.coordinates.tables` of this package.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyproj

from mineplan.errors import CoordinateFileError
from mineplan.geodesy import GKZone, classify_plane_pair
from mineplan.io.coordinates.crs import projected_epsg
from mineplan.io.coordinates.degrees import parse_dms
from mineplan.io.coordinates.model import Point
from mineplan.io.coordinates.parsing import Problems
from mineplan.io.coordinates.tables import TableScan
from mineplan.vocab import CHINA_LAT_RANGE, CHINA_LON_RANGE, GEOGRAPHIC_EPSG

__all__ = ["CRSLike", "CoordinateChoiceError", "Pair", "Settled", "crs_epsg", "settle",
           "zone_width"]

CRSLike = str | int | pyproj.CRS
_Note = Callable[[int | None, str], None]


class CoordinateChoiceError(CoordinateFileError):
    """The text does not decide something only the user can say (zone, CRS, columns).

    Attributes
    ----------
    option
        What to give: ``"zone"`` (CLI ``--zone``, web 带号) or ``"crs"`` (``--crs``).
    """

    def __init__(
        self, message: str, *, option: str, path: str | Path | None = None, line: int | None = None
    ) -> None:
        self.option = option
        super().__init__(message, path=path, line=line)


@dataclass
class Settled:
    epsg: int
    datum: str
    crs_source: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Pair:
    """One point's two numbers before the axes are decided."""

    point: Point
    first: float
    second: float
    first_text: str
    second_text: str
    kinds: tuple[str, str]
    roles: tuple[str | None, str | None]




def _in(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _packed(lat: float, lon: float) -> bool:
    return _in(lat, (CHINA_LAT_RANGE[0] * 1e4, CHINA_LAT_RANGE[1] * 1e4)) and _in(
        lon, (CHINA_LON_RANGE[0] * 1e4, CHINA_LON_RANGE[1] * 1e4)
    )


def settle(
    pairs: Sequence[Pair],
    scan: TableScan,
    problems: Problems,
    name: str | Path,
    *,
    crs: CRSLike | None,
    zone: int | None,
) -> Settled | None:
    """Decide metres or degrees, axis order, zone, datum; set every point's X and Y."""
    geographic = [p for p in pairs if set(p.kinds) <= {"degree", "dms"}]
    plane = [p for p in pairs if p.kinds == ("plane", "plane")]
    sorted_ids = {id(p) for p in geographic} | {id(p) for p in plane}
    mixed = [p for p in pairs if id(p) not in sorted_ids]
    for p in mixed:
        problems.error(
            p.point.line_no,
            f"point {p.point.name}: {p.first_text!r} and {p.second_text!r} — one is in degrees, "
            "the other in metres; check the row",
        )
    if geographic and plane:
        minority = plane if len(plane) < len(geographic) else geographic
        p = minority[0]
        problems.error(
            p.point.line_no,
            f"point {p.point.name} is written in {'metres' if minority is plane else 'degrees'} "
            "while most points are not; paste one kind of coordinates at a time",
        )
    if problems.errors:
        return None
    notes_once: set[str] = set()

    def note_once(line: int | None, message: str) -> None:
        if message not in notes_once:
            notes_once.add(message)
            problems.warn(line, message)

    datum = scan.pair_datum or scan.datum
    if plane:
        packed = _plane_axes(plane, problems, note_once)
        if packed:
            geographic, plane = plane, []
    if geographic and not plane:
        _degree_axes(geographic, problems, note_once)
    if problems.errors:
        return None
    if datum is None:
        if crs is None:
            first_line = pairs[0].point.line_no if pairs else None
            note_once(first_line, "datum not stated: assumed CGCS2000 (2000国家大地坐标系)")
        datum = "CGCS2000"
    elif scan.datum_line is not None:
        note_once(scan.datum_line, f"datum {datum} as the text states")
    if geographic:
        if crs is not None:
            return Settled(crs_epsg(crs, geographic=True, name=name), datum, "argument")
        return Settled(GEOGRAPHIC_EPSG[datum], datum, "file")
    return _plane_crs(plane, scan, problems, name, datum, crs=crs, zone=zone)


def _plane_axes(plane: Sequence[Pair], problems: Problems, note_once: _Note) -> bool:
    """Set X (northing) and Y (easting) of plane pairs; True when they are packed DMS."""
    verdicts = [classify_plane_pair(p.first, p.second) for p in plane]
    implausible = [p for p, v in zip(plane, verdicts, strict=True) if not v.plausible]
    if implausible and len(implausible) == len(plane) and all(
        _packed(p.first, p.second) or _packed(p.second, p.first) for p in plane
    ):
        for p in plane:
            try:
                p.first, p.second = parse_dms(p.first_text), parse_dms(p.second_text)
            except CoordinateFileError as exc:
                problems.error(p.point.line_no, f"point {p.point.name}: {exc.reason}")
            p.kinds = ("dms", "dms")
        note_once(
            plane[0].point.line_no,
            "the numbers are packed degrees-minutes-seconds (DDMMSS.sss), not metres: "
            "read as latitude/longitude",
        )
        return True
    for p in implausible:
        problems.error(
            p.point.line_no,
            f"point {p.point.name}: {p.first_text}, {p.second_text} is not a Gauss-Kruger "
            "coordinate in China (X northing 2.0e6–5.9e6 m, Y easting 500000 ± 350000 m, "
            "optionally with the zone prefix) nor a latitude/longitude; check the numbers",
        )
    for p, verdict in zip(plane, verdicts, strict=True):
        if not verdict.plausible:
            continue
        if verdict.swapped:
            p.point.x_northing, p.point.y_easting = p.second, p.first
            if p.roles[0] == "x":
                note_once(
                    p.point.line_no,
                    "the column headed X holds eastings and the one headed Y northings "
                    "(GIS order): read X as the easting",
                )
            elif p.roles[0] is None:
                note_once(p.point.line_no, "the easting comes first in the rows: read it as Y")
        else:
            p.point.x_northing, p.point.y_easting = p.first, p.second
    return False


def _degree_axes(pairs: Sequence[Pair], problems: Problems, note_once: _Note) -> None:
    for p in pairs:
        a, b = p.first, p.second
        by_value = (
            True
            if _in(a, CHINA_LAT_RANGE) and _in(b, CHINA_LON_RANGE)
            else False
            if _in(a, CHINA_LON_RANGE) and _in(b, CHINA_LAT_RANGE)
            else None
        )
        if by_value is None:
            problems.error(
                p.point.line_no,
                f"point {p.point.name}: {p.first_text}, {p.second_text} is not a latitude and a "
                f"longitude in China (latitude {CHINA_LAT_RANGE[0]:g}–{CHINA_LAT_RANGE[1]:g}°, "
                f"longitude {CHINA_LON_RANGE[0]:g}–{CHINA_LON_RANGE[1]:g}°); check the numbers",
            )
            continue
        header = {("lat", "lon"): True, ("x", "y"): True, ("lon", "lat"): False,
                  ("y", "x"): False}.get((p.roles[0] or "", p.roles[1] or ""))
        if header is not None and header != by_value:
            note_once(
                p.point.line_no,
                "the header's 经度/纬度 order does not fit the values (latitudes "
                f"{CHINA_LAT_RANGE[0]:g}–{CHINA_LAT_RANGE[1]:g}°, longitudes "
                f"{CHINA_LON_RANGE[0]:g}–{CHINA_LON_RANGE[1]:g}° cannot be confused): "
                "read by value",
            )
        lat, lon = (a, b) if by_value else (b, a)
        p.point.x_northing, p.point.y_easting = lat, lon


def zone_width(zone: int, name: str | Path) -> int:
    if 25 <= zone <= 45:
        return 3
    if 13 <= zone <= 23:
        return 6
    raise CoordinateChoiceError(
        f"zone {zone} is not a Gauss-Kruger zone of China (3-degree 25–45, 6-degree 13–23); "
        "give a valid --zone",
        option="zone",
        path=name,
    )


def crs_epsg(crs: CRSLike, *, geographic: bool, name: str | Path) -> int:
    try:
        parsed = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise CoordinateChoiceError(
            f"--crs {crs!r} is not a known CRS ({exc}); give e.g. --crs EPSG:4528",
            option="crs",
            path=name,
        ) from exc
    if parsed.is_geographic != geographic:
        what = "latitude/longitude in degrees" if geographic else "plane coordinates in metres"
        raise CoordinateChoiceError(
            f"--crs {crs} is a {'geographic' if parsed.is_geographic else 'projected'} CRS but "
            f"the coordinates are {what}; give a matching --crs",
            option="crs",
            path=name,
        )
    epsg = parsed.to_epsg()
    if epsg is None:
        raise CoordinateChoiceError(
            f"--crs {crs!r} has no EPSG code; give it as EPSG:nnnn", option="crs", path=name
        )
    return epsg


def _plane_crs(
    plane: Sequence[Pair],
    scan: TableScan,
    problems: Problems,
    name: str | Path,
    datum: str,
    *,
    crs: CRSLike | None,
    zone: int | None,
) -> Settled | None:
    if crs is not None:
        return Settled(crs_epsg(crs, geographic=False, name=name), datum, "argument")
    verdicts = [(p, classify_plane_pair(p.point.x_northing, p.point.y_easting)) for p in plane]
    prefixed = [(p, v.zone) for p, v in verdicts if v.zone is not None]
    plain = [p for p, v in verdicts if v.zone is None]
    if prefixed and plain:
        p = plain[0]
        problems.error(
            p.point.line_no,
            f"point {p.point.name}: Y={p.point.y_easting:.2f} has no zone prefix while point "
            f"{prefixed[0][0].point.name} has one; write every Y the same way",
        )
        return None
    zones: dict[int, tuple[Pair, GKZone]] = {}
    for p, z in prefixed:  # the first point of each zone
        if z is not None:
            zones.setdefault(z.zone, (p, z))
    if len(zones) > 1:
        (p1, z1), (p2, z2) = list(zones.values())[:2]
        problems.error(
            p2.point.line_no,
            f"point {p2.point.name} is in zone {z2.zone} but point {p1.point.name} (line "
            f"{p1.point.line_no}) in zone {z1.zone}; paste one zone at a time",
        )
        return None
    if zones:
        p, gk = next(iter(zones.values()))
        if zone is not None and zone != gk.zone:
            raise CoordinateChoiceError(
                f"--zone {zone} but the eastings carry zone prefix {gk.zone} (e.g. point "
                f"{p.point.name}); leave --zone out or correct it",
                option="zone",
                path=name,
                line=p.point.line_no,
            )
        epsg = projected_epsg(datum, width=gk.width, zone=gk.zone, prefixed=True)
        source = "file"
    else:
        first = plain[0].point
        width: int | None
        if zone is not None:
            width, number, source = zone_width(zone, name), zone, "zone argument"
        elif scan.zone is not None:
            width, number, source = zone_width(scan.zone, name), scan.zone, "file"
        elif scan.central_meridian is not None:
            width = scan.width or 3
            cm = scan.central_meridian
            number = int(cm // 3) if width == 3 else int((cm + 3) // 6)
            source = "file"
            if scan.width is None:
                problems.warn(
                    scan.zone_line,
                    f"central meridian {cm:g}°E without zone width: read as 3-degree zone "
                    f"{number}",
                )
        else:
            raise CoordinateChoiceError(
                f"the eastings (e.g. Y={first.y_easting:.2f} of point {first.name}) carry no "
                "zone prefix and the text states no zone; give the Gauss-Kruger zone with "
                "--zone (e.g. --zone 28 for the 3-degree zone at 84°E) or the CRS with --crs",
                option="zone",
                path=name,
                line=first.line_no,
            )
        epsg = projected_epsg(datum, width=width, zone=number, prefixed=False)
    if epsg is None:
        raise CoordinateChoiceError(
            f"no EPSG code for datum {datum} in that zone; give the CRS with --crs",
            option="crs",
            path=name,
        )
    return Settled(epsg, datum, source)
