"""Every kind of figure renders for every plan: overview, zone sheet, atlas, check figure."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from mineplan.catalog import plan_index
from mineplan.figures import (
    check_figure,
    figure_info,
    region_overview,
    save_atlas,
    zone_sheet,
)
from mineplan.layers import read_layer_specs, read_styles
from mineplan.store import list_layers, read_layer

REGIONS = [p.region for p in plan_index().values()]
ZONE_LAYERS = [c for c, s in read_layer_specs().items() if s.is_zone_layer]


@pytest.fixture(scope="module")
def frames(built_store: Path) -> dict[str, gpd.GeoDataFrame]:
    return {c: read_layer(built_store, c) for c in list_layers(built_store)}


def _zones(frames: dict[str, gpd.GeoDataFrame], region: str) -> list[tuple[str, object]]:
    return [(c, row) for c in ZONE_LAYERS for _, row in frames[c].iterrows()
            if row["region"] == region]


@pytest.mark.slow
@pytest.mark.parametrize("region", REGIONS)
def test_every_kind_renders_for_every_plan(frames: dict[str, gpd.GeoDataFrame], region: str,
                                           tmp_path: Path, artifacts: Path) -> None:
    specs, styles = read_layer_specs(), read_styles()
    overview = region_overview(frames, region=region, specs=specs, styles=styles)
    assert figure_info(overview).drawn_layers

    zones = _zones(frames, region)
    assert zones, f"{region} has no zone"
    code, row = zones[0]
    sheet = zone_sheet(row, frames, layer=code, specs=specs, styles=styles)
    schematic = row["geometry_status"] == "示意"
    assert figure_info(sheet).title == row["name"] + ("（示意图）" if schematic else "")

    atlas = tmp_path / "atlas.pdf"
    pages = (zone_sheet(r, frames, layer=c, specs=specs, styles=styles) for c, r in zones[:2])
    _, count = save_atlas(pages, atlas)
    assert count == min(2, len(zones))
    assert len(re.findall(rb"/Type\s*/Page[^s]", atlas.read_bytes())) == count

    centre = row["geometry"].representative_point()
    proposal = gpd.GeoDataFrame(geometry=[box(centre.x - 0.005, centre.y - 0.005,
                                              centre.x + 0.005, centre.y + 0.005)],
                                crs="EPSG:4490")
    from mineplan.checks import check_proposal

    findings = check_proposal(proposal, right_type="采矿权", mineral=str(row["mineral"]) or "金",
                              store_frames=frames)
    figure = check_figure(proposal, findings, frames, specs=specs, styles=styles,
                          subtitle=region)
    assert "申请范围" in figure_info(figure).legend_labels
    (artifacts / "figures").mkdir(exist_ok=True)
    figure.savefig(artifacts / "figures" / f"check-{region}.png", dpi=60)


def test_a_figure_keeps_its_chinese_font_when_saved_with_plain_savefig(
        tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    from matplotlib.figure import Figure

    from mineplan.figures.output import figure_context

    with figure_context():  # how every figure function builds its figure
        fig = Figure(figsize=(2, 1))
        fig.text(0.1, 0.5, "矿产资源规划｜示意；演示")
    fig.savefig(tmp_path / "plain.png")  # outside the context, as a user might
    assert not [w for w in recwarn if "missing from font" in str(w.message)]
