"""Where a plan contradicts itself, or the prefecture plan: the audit list.

Two inputs, both data:

- the zone catalogue (``geodata/plans/<slug>.csv``, see :mod:`mineplan.catalog`);
- the *claims* (``geodata/plans/claims/<slug>.claims.csv``): the totals and counts a
  plan states about its zones in prose or in 合计 rows, each quoted with its line
  (read and compared in :mod:`.claims`).

:func:`audit_plans` compares them and also looks at the catalogue alone
(:mod:`.catalogue`: missing areas, the quality remarks the extractors recorded, one
zone in two layers, name variants). It returns issues (:mod:`.issues`), one row
each; it never raises for a finding. The file format and the rules are described in
``docs/audit.md``.

May import: errors, settings, catalog. Never web, figures or cli.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from mineplan.checks.audit.catalogue import (
    missing_area_issues,
    name_variant_issues,
    quality_issues,
    row_breakdown_issues,
    same_name_across_plans,
    two_layer_issues,
)
from mineplan.checks.audit.claims import (
    CLAIM_COLUMNS,
    CLAIMS_FOLDER,
    Ledger,
    claim_coverage,
    claim_issues,
    claimed_breakdown_issues,
    read_claims,
    read_plan_claims,
    restated_issues,
)
from mineplan.checks.audit.issues import ISSUE_COLUMNS, KIND_ORDER

__all__ = [
    "CLAIMS_FOLDER",
    "CLAIM_COLUMNS",
    "ISSUE_COLUMNS",
    "KIND_ORDER",
    "audit_plans",
    "read_claims",
    "read_plan_claims",
    "stated_number_list",
    "stated_numbers",
    "summarise",
]


def audit_plans(
    catalog: pd.DataFrame,
    claims: pd.DataFrame,
    *,
    layer_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Every place the plans contradict themselves or each other.

    Parameters
    ----------
    catalog
        Zones, as :func:`mineplan.catalog.read_catalog` returns them.
    claims
        Stated totals, as :func:`read_claims` returns them. Claims about a region
        that is not in ``catalog`` are skipped (it cannot be checked).
    layer_names
        Layer code → display name (e.g. ``{"TKGH": "勘查规划区块"}``) for the
        ``subject`` column; codes are shown when a name is missing.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ISSUE_COLUMNS`: ``kind`` (one of :data:`KIND_ORDER`),
        ``region`` (the plan the finding is listed under), ``layer``, ``subject``,
        ``stated`` and ``found`` (value and source: plan, 专栏/正文, line),
        ``difference`` (found − stated, km² for areas; NaN when not numeric) and a
        ``message`` in Chinese. Sorted by plan, kind, layer.

    Examples
    --------
    >>> zones = pd.DataFrame({"zone_id": ["a-TKGH-001"], "region": ["甲县"], "layer": ["TKGH"],
    ...     "table": ["专栏1"], "name": ["甲"], "name_text": ["甲"], "mineral": ["金矿"],
    ...     "block_count": [2], "area_km2": [1.5], "admin_area": [""], "county": ["甲县"],
    ...     "level": [""], "stage": [""], "note": [""], "quality": [""], "extra": ["{}"],
    ...     "source_line": [10]})
    >>> said = pd.DataFrame({"claim_id": ["c1"], "region": ["甲县"], "about_region": ["甲县"],
    ...     "layer": ["TKGH"], "where": [""], "measure": ["blocks"], "value": [3.0],
    ...     "value_text": ["3"], "table": ["正文"], "about_table": [""], "text": ["区块3个"],
    ...     "source_file": ["x.txt"], "source_line": [5]})
    >>> audit_plans(zones, said)[["kind", "difference"]].values.tolist()
    [['数量不符', -1.0]]
    """
    names = dict(layer_names or {})
    catalog = catalog.reset_index(drop=True)
    issues = _claim_comparisons(catalog, claims, names, {})
    issues += row_breakdown_issues(catalog, names)
    issues += same_name_across_plans(catalog, names)
    issues += missing_area_issues(catalog, names)
    issues += quality_issues(catalog)
    issues += two_layer_issues(catalog, names)
    issues += name_variant_issues(catalog)
    frame = pd.DataFrame(issues, columns=list(ISSUE_COLUMNS))
    if frame.empty:
        return frame
    frame["difference"] = frame["difference"].astype("float64")
    regions = list(dict.fromkeys(catalog["region"]))
    frame["_r"] = frame["region"].map(lambda r: regions.index(r) if r in regions else 99)
    frame["_k"] = frame["kind"].map(KIND_ORDER.index)
    frame = frame.sort_values(["_r", "_k", "layer"], kind="stable")
    return frame.drop(columns=["_r", "_k"]).reset_index(drop=True)


def _claim_comparisons(catalog: pd.DataFrame, claims: pd.DataFrame, names: Mapping[str, str],
                       ledger: Ledger) -> list[dict[str, object]]:
    """Every comparison of a stated number: with the rows, its parts, its restatements."""
    issues: list[dict[str, object]] = []
    issues += claim_issues(catalog, claims, names, ledger)
    issues += claimed_breakdown_issues(claims, names, ledger)
    issues += restated_issues(catalog, claims, names, ledger)
    return issues


def stated_numbers(catalog: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Per plan: the numbers it states (claims), how many were compared, how many differ.

    A claim counts as compared when the audit set it against the catalogue rows, the
    parts stated beside it or a restatement; as inconsistent when one of those
    comparisons is a finding. This is the honest recall figure of the audit: it says
    what was looked at, not what a reader might still find.
    """
    ledger: Ledger = {}
    _claim_comparisons(catalog.reset_index(drop=True), claims, {}, ledger)
    return claim_coverage(claims, ledger)


#: What :func:`stated_number_list` says of each stated number.
COMPARISON_RESULTS = {"agrees": "一致", "differs": "不一致", None: "未对照"}


def stated_number_list(catalog: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Every number the plans state (claims), each with what the audit made of it.

    Columns ``region, claim_id, layer, where, value, source, result``: ``source`` is
    the plan, table and line with the fragment as printed, ``result`` one of
    ``COMPARISON_RESULTS`` (一致 / 不一致 / 未对照). The per-plan counts of
    :func:`stated_numbers` are counts of this list.
    """
    ledger: Ledger = {}
    _claim_comparisons(catalog.reset_index(drop=True), claims, {}, ledger)
    rows = [
        {
            "region": c["region"], "claim_id": c["claim_id"], "layer": c["layer"],
            "where": c["where"], "value": c["value_text"],
            "source": f"{c['region']} {c['table']} 第{c['source_line']}行：“{c['text']}”",
            "result": COMPARISON_RESULTS[ledger.get(str(c["claim_id"]))],
        }
        for c in claims.to_dict("records")
    ]
    return pd.DataFrame(
        rows, columns=["region", "claim_id", "layer", "where", "value", "source", "result"])


def summarise(issues: pd.DataFrame) -> pd.DataFrame:
    """Counts of findings per plan and kind (rows: region; columns: kind)."""
    if issues.empty:
        return pd.DataFrame()
    table = issues.pivot_table(index="region", columns="kind", values="subject",
                               aggfunc="count", fill_value=0, sort=False)
    kinds: Iterable[str] = [k for k in KIND_ORDER if k in table.columns]
    return table[list(kinds)]
