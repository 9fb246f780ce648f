"""The plan catalogue: ``geodata/plans/*.csv`` → a validated zones DataFrame.

One row per zone of a plan, with the value of every field as printed and the
place in the plan text it came from. The file format is described in
``docs/catalogue.md``. Reading validates the whole file and raises once with
every problem found, each with its file, line and field.

May import: :mod:`mineplan.vocab`, :mod:`mineplan.settings`, :mod:`mineplan.errors`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mineplan.errors import CatalogError, problem_list
from mineplan.settings import geodata_dir
from mineplan.vocab import AREA_UNITS_KM2, area_to_km2

if TYPE_CHECKING:  # the plan index and rule rows need no pandas (a pre-grant check)
    import pandas as pd

__all__ = [
    "AREA_UNIT_FACTORS",
    "CATALOG_COLUMNS",
    "PlanInfo",
    "parse_area_text",
    "plan_index",
    "read_catalog",
    "read_csv_rows",
    "read_plan_catalog",
    "read_rule_table",
    "read_table_index",
]

CATALOG_COLUMNS: tuple[str, ...] = (
    "zone_id",
    "plan",
    "region",
    "layer",
    "table",
    "table_title",
    "seq",
    "name",
    "name_text",
    "mineral",
    "block_count",
    "area_km2",
    "area_text",
    "area_unit",
    "admin_area",
    "county",
    "level",
    "stage",
    "note",
    "quality",
    "extra",
    "source_file",
    "source_line",
)

TABLE_INDEX_COLUMNS: tuple[str, ...] = (
    "table",
    "title",
    "layer",
    "start_line",
    "end_line",
    "rows",
    "remark",
)

#: The catalogue's ``area_unit`` codes → the unit as :data:`mineplan.vocab.AREA_UNITS_KM2` names it.
_CATALOG_UNITS: dict[str, str] = {"km2": "km2", "ha": "ha", "mu": "亩", "m2": "m2"}
#: km² per unit of the printed area, by catalogue unit code (from :mod:`mineplan.vocab`).
AREA_UNIT_FACTORS: dict[str, float] = {
    code: AREA_UNITS_KM2[unit] for code, unit in _CATALOG_UNITS.items()
}

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ZONE_ID = re.compile(r"^(?P<slug>[a-z]+)-(?P<layer>[A-Z]+)-(?P<n>\d{3})$")


@dataclass(frozen=True)
class PlanInfo:
    """One plan of the catalogue (a row of ``geodata/plans/index.csv``)."""

    slug: str
    region: str
    level: str
    prefecture: str
    seed_file: str


def plan_index(*, root: Path | None = None) -> dict[str, PlanInfo]:
    """The plans mineplan knows, keyed by slug (``wusu``, ``tacheng`` …)."""
    path = (root or geodata_dir() / "plans") / "index.csv"
    rows = read_csv_rows(path, required=("slug", "region", "level", "prefecture", "seed_file"))
    fields = PlanInfo.__annotations__
    return {row["slug"]: PlanInfo(**{k: row[k] for k in fields}) for _, row in rows}


def parse_area_text(text: str, unit: str) -> float | None:
    """The area in km² that a printed area cell states.

    Parameters
    ----------
    text
        The cell as printed, e.g. ``"552.45km ²"`` or ``"18.00"``.
    unit
        The unit the cell is in: one of :data:`AREA_UNIT_FACTORS`.

    Returns
    -------
    float or None
        km², or None when the cell holds no number.

    Examples
    --------
    >>> parse_area_text("552.45km ²", "km2")
    552.45
    >>> parse_area_text("1250", "ha")
    12.5
    """
    match = _NUMBER.search(text.replace(",", ""))
    if match is None:
        return None
    if unit not in AREA_UNIT_FACTORS:
        raise ValueError(f"unknown area unit {unit!r}; expected one of {sorted(AREA_UNIT_FACTORS)}")
    return area_to_km2(float(match.group()), _CATALOG_UNITS[unit])


def read_plan_catalog(
    path: str | Path, *, layer_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Read and validate one plan's catalogue CSV.

    Parameters
    ----------
    path
        A ``geodata/plans/<slug>.csv`` file (UTF-8, header row).
    layer_codes
        The layer codes that exist; when given, a row naming another layer is an error.

    Returns
    -------
    pandas.DataFrame
        One row per zone, columns :data:`CATALOG_COLUMNS`; ``area_km2`` float
        (NaN where the plan gives no area), ``block_count`` and ``source_line`` int,
        everything else text ("" where empty).

    Raises
    ------
    CatalogError
        With every problem in the file, each naming its line and field.
    """
    import pandas as pd

    path = Path(path)
    rows, problems = _read_csv_rows_lenient(path, required=CATALOG_COLUMNS)
    codes = None if layer_codes is None else set(layer_codes)
    records: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        rec, row_problems = _validate_zone_row(row, codes=codes)
        problems += [f"line {line}: {p}" for p in row_problems]
        zid = row["zone_id"]
        if zid in seen:
            problems.append(f"line {line}: zone_id {zid!r} repeats line {seen[zid]}")
        seen[zid] = line
        records.append(rec)
    if problems:
        raise CatalogError(problem_list(problems), path=path)
    frame = pd.DataFrame.from_records(records, columns=list(CATALOG_COLUMNS))
    frame["area_km2"] = frame["area_km2"].astype("float64")
    frame["block_count"] = frame["block_count"].astype("int64")
    frame["source_line"] = frame["source_line"].astype("int64")
    return frame


def read_catalog(
    *, root: Path | None = None, slugs: Sequence[str] | None = None,
    layer_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every plan's zones in one frame (see :func:`read_plan_catalog`).

    Parameters
    ----------
    root
        The folder with ``index.csv`` and ``<slug>.csv`` (default ``geodata/plans``).
    slugs
        Restrict to these plans.
    layer_codes
        Known layer codes, checked when given.
    """
    import pandas as pd

    root = root or geodata_dir() / "plans"
    index = plan_index(root=root)
    unknown = sorted(set(slugs or ()) - set(index))
    if unknown:
        raise CatalogError(f"unknown plan(s) {unknown}; known: {sorted(index)}", path=root)
    frames = []
    problems: list[str] = []
    codes = None if layer_codes is None else list(layer_codes)
    for slug in slugs or list(index):
        path = root / f"{slug}.csv"
        try:
            frame = read_plan_catalog(path, layer_codes=codes)
        except CatalogError as err:
            problems.append(str(err))
            continue
        wrong = frame.loc[frame["region"] != index[slug].region, "zone_id"].tolist()
        if wrong:
            problems.append(f"{path}: region is not {index[slug].region} for {wrong[:5]}")
        frames.append(frame)
    if problems:
        raise CatalogError("\n".join(problems))
    return pd.concat(frames, ignore_index=True)


def read_table_index(path: str | Path) -> pd.DataFrame:
    """Read a ``<slug>.tables.csv`` file: the tables a catalogue was extracted from."""
    import pandas as pd

    path = Path(path)
    rows = read_csv_rows(path, required=TABLE_INDEX_COLUMNS)
    problems = []
    for line, row in rows:
        for field in ("start_line", "end_line", "rows"):
            if not row[field].strip().isdigit():
                problems.append(f"line {line}: {field} must be a whole number, got {row[field]!r}")
    if problems:
        raise CatalogError(problem_list(problems), path=path)
    frame = pd.DataFrame([row for _, row in rows], columns=list(TABLE_INDEX_COLUMNS))
    for field in ("start_line", "end_line", "rows"):
        frame[field] = frame[field].astype("int64")
    return frame


def read_rule_table(path: str | Path, *, required: Sequence[str]) -> pd.DataFrame:
    """Read one rule file (``geodata/rules/<slug>/*.csv``) as text columns."""
    import pandas as pd

    path = Path(path)
    rows = read_csv_rows(path, required=required)
    return pd.DataFrame([row for _, row in rows], columns=list(rows[0][1]) if rows else required)


# --------------------------------------------------------------------------- helpers


def read_csv_rows(path: Path, *, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV with their file line numbers; raises on any malformed row."""
    rows, problems = _read_csv_rows_lenient(path, required=required)
    if problems:
        raise CatalogError(problem_list(problems), path=path)
    return rows


def _read_csv_rows_lenient(
    path: Path, *, required: Sequence[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """Well-formed rows with their line numbers, and the malformed rows as problems."""
    if not path.is_file():
        raise CatalogError("file not found", path=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise CatalogError(
            f"not UTF-8 (byte {err.start}); save the file as UTF-8", path=path
        ) from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise CatalogError(f"header lacks column(s) {missing}; it has {header}", path=path, line=1)
    rows, problems = [], []
    for row in reader:
        if None in row:
            extra = row[None]
            problems.append(
                f"line {reader.line_num}: {len(header) + len(extra)} cells for {len(header)} "
                "columns (an unquoted comma?)"
            )
            continue  # its cells are shifted: validating them would only mislead
        rows.append((reader.line_num, {k: (v or "") for k, v in row.items()}))
    return rows, problems


def _validate_zone_row(
    row: dict[str, str], *, codes: set[str] | None
) -> tuple[dict[str, object], list[str]]:
    problems: list[str] = []
    rec: dict[str, object] = {c: row[c] for c in CATALOG_COLUMNS}
    m = _ZONE_ID.match(row["zone_id"])
    if m is None:
        problems.append(f"zone_id {row['zone_id']!r} is not <slug>-<LAYER>-<NNN>")
    elif m.group("layer") != row["layer"]:
        problems.append(f"zone_id {row['zone_id']!r} does not carry layer {row['layer']!r}")
    if codes is not None and row["layer"] not in codes:
        problems.append(f"layer {row['layer']!r} is not one of {sorted(codes)}")
    if not row["name"].strip():
        problems.append("name is empty")
    if row["name_text"] and " ".join(row["name_text"].split()) != " ".join(row["name"].split()):
        problems.append(f"name {row['name']!r} differs from name_text {row['name_text']!r}")
    if not row["name_text"] and "名称为整理所拟" not in row["quality"]:
        problems.append("name_text is empty but quality does not say 名称为整理所拟")
    rec["block_count"] = _whole(row["block_count"] or "1", "block_count", problems, minimum=1)
    rec["source_line"] = _whole(row["source_line"], "source_line", problems, minimum=1)
    rec["area_km2"] = _area(row, problems)
    if row["extra"]:
        try:
            if not isinstance(json.loads(row["extra"]), dict):
                raise ValueError
        except ValueError:
            problems.append(f"extra is not a JSON object: {row['extra'][:60]!r}")
    return rec, problems


def _whole(text: str, field: str, problems: list[str], *, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        problems.append(f"{field} must be a whole number, got {text!r}")
        return minimum
    if value < minimum:
        problems.append(f"{field} must be ≥ {minimum}, got {value}")
    return value


def _area(row: dict[str, str], problems: list[str]) -> float:
    text, unit, value = row["area_text"], row["area_unit"], row["area_km2"].strip()
    if not value:
        return float("nan")
    try:
        area = float(value)
    except ValueError:
        problems.append(f"area_km2 must be a number or empty, got {value!r}")
        return float("nan")
    if area <= 0:
        problems.append(f"area_km2 must be positive, got {area}")
    if not text:
        problems.append("area_km2 is given but area_text (the area as printed) is empty")
    elif unit not in AREA_UNIT_FACTORS:
        problems.append(f"area_unit {unit!r} is not one of {sorted(AREA_UNIT_FACTORS)}")
    else:
        stated = parse_area_text(text, unit)
        if stated is None or abs(stated - area) > 1e-9 * max(1.0, abs(area)):
            problems.append(f"area_km2 {area} does not match area_text {text!r} in {unit}")
    return area
