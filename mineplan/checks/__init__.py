"""Checks: rules applied to geometry, findings returned.

* :func:`check_proposal` (:mod:`~mineplan.checks.proposal`) checks a proposed
  exploration or mining right before it is granted; its rules live in
  :mod:`~mineplan.checks.control` (county, 三区三线, other control layers),
  :mod:`~mineplan.checks.planning` (planning blocks, 砂石土, existing rights),
  :mod:`~mineplan.checks.minerals` (minimum scale, mineral policy) and
  :mod:`~mineplan.checks.geometry` (the proposal's own geometry).
* :func:`check_plots` (:mod:`~mineplan.checks.proposal`) checks a file of many plots
  plot by plot: one findings frame with a ``plot`` column, one summary row per plot.
* :func:`check_plan` (:mod:`~mineplan.checks.planwide`) audits every zone of a plan.
* :mod:`~mineplan.checks.context` reads the store's layers a check needs
  (:class:`StoreFrames`: each on first use, large ones only around a proposal), tells the
  county of a shape and writes the data notes of schematic (示意) and demo (演示) data.
* :mod:`~mineplan.checks.overlay` measures overlaps (:class:`PreparedLayer`: counted
  once, ellipsoidal km², CGCS2000; ``prepared_layer`` reuses one for the same layer).
* :mod:`~mineplan.checks.findings` holds the :class:`Finding` model, the findings
  frame and its writers (XLSX, CSV, GeoJSON).
* :mod:`~mineplan.checks.audit` lists where the plans' catalogues contradict the
  totals the plans state.

Both checks return a findings GeoDataFrame; a failing rule is a ``fail`` row, never
an exception. Thresholds, verdicts, mineral lists and exceptions come from
``geodata/rules/checks.toml`` via :func:`mineplan.rules.load_rules`.

May import: vocab, settings, errors, atomic, catalog, layers, rules, geodesy, io,
store. Never web, figures or cli.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mineplan.lazy import lazy_names

if TYPE_CHECKING:
    from mineplan.checks.context import StoreFrames, detect_region, read_store_frames
    from mineplan.checks.control import other_control_layers
    from mineplan.checks.planwide import check_plan
    from mineplan.checks.proposal import (
        OPTIONAL_CHECKS,
        PROPOSAL_CHECKS,
        check_plots,
        check_proposal,
    )

__all__ = [
    "OPTIONAL_CHECKS",
    "PROPOSAL_CHECKS",
    "StoreFrames",
    "check_plan",
    "check_plots",
    "check_proposal",
    "detect_region",
    "other_control_layers",
    "read_store_frames",
]

#: Public name → the module that defines it, imported on first use (PEP 562): a
#: pre-grant check loads its rules, not the plan-wide audit and its pandas.
_WHERE: dict[str, str] = {
    "OPTIONAL_CHECKS": "mineplan.checks.proposal",
    "PROPOSAL_CHECKS": "mineplan.checks.proposal",
    "StoreFrames": "mineplan.checks.context",
    "check_plan": "mineplan.checks.planwide",
    "check_plots": "mineplan.checks.proposal",
    "check_proposal": "mineplan.checks.proposal",
    "detect_region": "mineplan.checks.context",
    "other_control_layers": "mineplan.checks.control",
    "read_store_frames": "mineplan.checks.context",
}


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
