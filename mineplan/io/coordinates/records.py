"""Cells to points: one :class:`~.tables.TableRecord` per corner of a pasted table.

A point name starts a point, and so does a coordinate once the point before has its
coordinates; a header says how many coordinates one point has (two, or a pair per
datum: the CGCS2000 pair is taken, never mixed with another), whether a ring column
follows the name, and the axis each coordinate column names. Several points on one
row are put in point-number order; a ring column splits a ring.

May import: ``errors``, the model, the parsing helpers and
:mod:`~mineplan.io.coordinates.tables` of this package.
"""

from __future__ import annotations

from collections.abc import Sequence

from mineplan.io.coordinates.parsing import Problems
from mineplan.io.coordinates.tables import (
    COORDINATE_ROLES,
    Cell,
    Column,
    TableBlock,
    TableRecord,
    TableRing,
    TableScan,
)
from mineplan.io.text import parse_whole

__all__ = ["group_blocks", "group_records", "resolve_header"]


def group_blocks(scan: TableScan, problems: Problems) -> None:
    """Group the cells of every block of ``scan`` into records (see :func:`group_records`)."""
    for block in scan.blocks:
        group_records(block, problems, scan)


def resolve_header(columns: list[Column]) -> list[Column]:
    """Header columns with spanning datum cells given to the pairs below them, in order.

    >>> from mineplan.io.coordinates.tables import header_columns
    >>> cols = header_columns(["点号", "西安80坐标系", "2000坐标系"]) or []
    >>> cols += header_columns(["X", "Y", "X", "Y"]) or []
    >>> [(c.role, c.datum) for c in resolve_header(cols)][1:3]
    [('x', 'Xian 1980'), ('y', 'Xian 1980')]
    """
    spans = [c.datum for c in columns if c.role == "datum"]
    kept = [c for c in columns if c.role != "datum"]
    coords = [c for c in kept if c.role in COORDINATE_ROLES]
    if spans and all(c.datum is None for c in coords) and len(coords) == 2 * len(spans):
        out = []
        pair = 0
        for c in kept:
            if c.role in COORDINATE_ROLES:
                out.append(Column(c.role, spans[pair // 2], c.text))
                pair += 1
            else:
                out.append(c)
        return out
    return kept



def _pair_choice(
    header: list[Column] | None, line: int | None, problems: Problems, scan: TableScan
) -> tuple[int, tuple[int, int], tuple[str | None, str | None], bool]:
    """(coordinates per point, the pair's positions, their roles, ring column?) of a header."""
    if header is None:
        return 2, (0, 1), (None, None), False
    header = resolve_header(header)
    names = sum(c.role == "name" for c in header)
    has_ring = any(c.role == "ring" for c in header)
    coords = [c for c in header if c.role in COORDINATE_ROLES]
    if len(coords) < 2:
        return 2, (0, 1), (None, None), has_ring
    per_point = len(coords) // names if names > 1 and len(coords) % names == 0 else len(coords)
    group = coords[:per_point]
    if per_point == 2:
        if group[0].datum is not None and group[0].datum == group[1].datum:
            scan.pair_datum = group[0].datum
        return 2, (0, 1), (group[0].role, group[1].role), has_ring
    datums = {c.datum for c in group}
    if per_point % 2 or len(datums) < 2 or None in datums:
        if names <= 1 and per_point % 2 == 0 and len(datums) == 1:
            # X Y X Y without a datum apart: several points per row, unnumbered
            return 2, (0, 1), (group[0].role, group[1].role), has_ring
        problems.error(
            line,
            "the header names "
            + ", ".join(c.text for c in group)
            + " for one point: which two columns are its coordinates cannot be decided; "
            "paste only one X/Y (or 经度/纬度) pair, or name each pair's datum, e.g. X(2000)",
        )
        return per_point, (0, 1), (None, None), has_ring
    wanted = "CGCS2000"
    picks = [i for i, c in enumerate(group) if c.datum == wanted]
    if len(picks) != 2:
        problems.error(
            line,
            "the header names several coordinate pairs ("
            + ", ".join(c.text for c in group)
            + ") and no CGCS2000 pair; paste the CGCS2000 columns only",
        )
        return per_point, (0, 1), (None, None), has_ring
    others = sorted({c.datum or "" for c in group if c.datum != wanted} - {""})
    problems.warn(
        line,
        f"the header gives {len(group) // 2} coordinate pairs; read the CGCS2000 pair "
        f"({group[picks[0]].text}, {group[picks[1]].text}), ignored {', '.join(others)}",
    )
    scan.pair_datum = wanted
    return per_point, (picks[0], picks[1]), (group[picks[0]].role, group[picks[1]].role), has_ring


_RawRecord = tuple[str | None, int | None, list[Cell], int]


def _raw_record(name: Cell | None, ring_cell: Cell | None, coords: list[Cell]) -> list[_RawRecord]:
    if name is None and not coords:
        return []
    line = name.line if name is not None else coords[0].line
    ring_no = int(ring_cell.value) if ring_cell and ring_cell.value is not None else None
    return [(name.text if name else None, ring_no, list(coords), line)]


def _name_after_coordinates(header: Sequence[Column] | None) -> bool:
    """True when the header puts the point number after the coordinates (``Y,X,点号``)."""
    if not header:
        return False
    roles = [c.role for c in header]
    if "name" not in roles:
        return False
    first_coordinate = next((i for i, r in enumerate(roles) if r in COORDINATE_ROLES), None)
    return first_coordinate is not None and roles.index("name") > first_coordinate


def _names_first(cells: list[Cell], width: int) -> list[Cell]:
    """Each row's cells with its point number first, as the records are read.

    A row is a line; in a paste of one cell per line, it is each run of ``width``
    cells (the header's columns, in the header's order).
    """
    one_per_line = width > 1 and len({c.line for c in cells}) == len(cells)
    rows: dict[int, list[Cell]] = {}
    for i, cell in enumerate(cells):
        rows.setdefault(i // width if one_per_line else cell.line, []).append(cell)
    return [cell for row in rows.values()
            for cell in sorted(row, key=lambda c: c.kind != "name")]


def _raw_records(
    cells: list[Cell], per_point: int, has_ring: bool, problems: Problems, noted: set[str]
) -> list[_RawRecord]:
    """Cells to (name, ring, coordinate cells, line): a name starts a point, and so does
    a coordinate once the point before has ``per_point`` of them."""
    records: list[_RawRecord] = []
    name: Cell | None = None
    ring_cell: Cell | None = None
    coords: list[Cell] = []
    skip = 0
    for i, cell in enumerate(cells):
        if skip:
            skip -= 1
            continue
        following = cells[i + 1 : i + 3]
        if (
            cell.kind == "name"
            and len(following) == 2
            and all(c.kind == "name" and c.text == "0" and c.line == cell.line for c in following)
        ):
            # a terminator row (5 | 0 | 0), here in the right half of a two-point row
            problems.warn(cell.line, f"terminator {cell.text}, 0, 0 skipped")
            skip = 2
            continue
        if (
            cell.kind == "name"
            and cell.text == "0"
            and name is None
            and len(coords) == per_point
            and coords[-1].kind in ("degree", "dms")
            and coords[-1].line == cell.line
        ):
            # lon,lat,0 as Google Earth writes it: the 0 is an altitude
            if "altitude" not in noted:
                noted.add("altitude")
                problems.warn(cell.line, "lon,lat,0 triples: the third number (altitude) ignored")
            continue
        if cell.kind == "name":
            if name is not None and not coords and ring_cell is None and cell.line == name.line:
                ring_cell = cell  # 点号, 圈号, X, Y
                if not has_ring and "ring" not in noted:
                    noted.add("ring")
                    problems.warn(
                        cell.line,
                        "two numbers before the coordinates: read as point number and "
                        "ring number (点号, 圈号)",
                    )
                continue
            records += _raw_record(name, ring_cell, coords)
            name, ring_cell, coords = cell, None, []
        else:
            if len(coords) == per_point:
                records += _raw_record(name, ring_cell, coords)
                name, ring_cell, coords = None, None, []
            coords.append(cell)
    records += _raw_record(name, ring_cell, coords)
    return records


def group_records(block: TableBlock, problems: Problems, scan: TableScan) -> None:
    """Group each ring's cells into :class:`TableRecord` s (one per point)."""
    per_point, (a, b), roles, has_ring = _pair_choice(
        block.header, block.header_line, problems, scan
    )
    noted: set[str] = set()
    rings: list[TableRing] = []
    name_last = _name_after_coordinates(block.header)
    for ring in block.rings:
        cells = (_names_first(ring.cells, len(resolve_header(block.header or [])))
                 if name_last else ring.cells)
        records = _raw_records(cells, per_point, has_ring, problems, noted)
        named = [r for r in records if r[0] is not None]
        unnamed = [r for r in records if r[0] is None]
        if named and unnamed:
            first = unnamed[0]
            problems.error(
                first[3],
                f"{len(first[2])} more coordinates follow a numbered point: which columns are "
                "X and Y (or which datum's pair) cannot be decided; paste the header row too, "
                "e.g. 点号 X(2000) Y(2000)",
            )
            continue
        built: list[TableRecord] = []
        for rec_name, ring_no, cells, line in records:
            if not cells:
                problems.warn(line, f"point {rec_name} has no coordinates; skipped")
                continue
            if len(cells) < per_point:
                problems.error(
                    line,
                    f"point {rec_name or len(built) + 1}: {len(cells)} coordinate(s) where "
                    f"{per_point} were expected — the row is incomplete",
                )
                continue
            if len(cells) > per_point:
                problems.error(
                    line,
                    f"point {rec_name or len(built) + 1}: {len(cells)} coordinates; which two "
                    "are X and Y cannot be decided — paste the header row too",
                )
                continue
            built.append(TableRecord(rec_name, cells[a], cells[b], line, roles, ring_no))
        _order_records(built, problems)
        # a ring column splits the records into rings
        if any(r.ring_no is not None for r in built):
            by_ring: dict[int, TableRing] = {}
            for record in built:
                number = record.ring_no if record.ring_no is not None else ring.ring_no
                target = by_ring.setdefault(number, TableRing(number, ring.flag))
                target.records.append(record)
            rings += list(by_ring.values())
        else:
            ring.records = built
            rings.append(ring)
    block.rings = [r for r in rings if r.records]


def _order_records(records: list[TableRecord], problems: Problems) -> None:
    """Several points on one row: read them in point-number order (closing repeat dropped)."""
    lines = [r.line for r in records]
    if len(set(lines)) == len(lines):
        return
    if len(records) > 1 and records[-1].name == records[0].name and (
        records[-1].first.value, records[-1].second.value
    ) == (records[0].first.value, records[0].second.value):
        records.pop()
    names = [r.name or "" for r in records]
    if any(parse_whole(n) is None for n in names) or len(set(names)) != len(names):
        if any(lines.count(line) > 1 for line in lines):
            problems.warn(
                records[0].line,
                "several points per row without unique point numbers: read row by row",
            )
        return
    order = sorted(records, key=lambda r: parse_whole(r.name or "0") or 0)
    if order != records:
        problems.warn(
            records[0].line, "several points per row: read in point-number order"
        )
        records[:] = order
