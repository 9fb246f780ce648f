"""mineplan: GIS for China's county-level mineral resource master plans (2021–2025).

The public API, by concern (see the README for the data flow):

- catalogue: :func:`read_catalog`, :func:`read_plan_catalog`, :func:`plan_index`
- layers and styles: :func:`read_layer_specs`, :func:`read_styles`, :func:`layer_qml`
- geodesy: :func:`gk_epsg`, :func:`gk_zone_from_epsg`, :func:`zone_from_easting`,
  :func:`ellipsoidal_area`, :func:`ellipsoidal_area_km2`, :func:`projected_area_km2`
- geometry: :func:`schematic_zone_geometries`, :func:`demo_control_layers`,
  :func:`build_layers`
- store: :func:`write_store`, :func:`replace_layer`, :func:`read_layer`, :func:`list_layers`
- real geometry in: :func:`read_coordinates` (any pasted coordinate table),
  :func:`read_gis_file`, :func:`match_features`, :func:`apply_import`
- web map: :class:`MapLayer`, :func:`zone_map`, :func:`render_offline_html`

Each name is imported from its module on first use (PEP 562 ``__getattr__``), so
``import mineplan`` — and the ``mineplan`` command's ``--help`` — load no pandas,
geopandas, shapely, pyproj, pyogrio, folium or matplotlib until they are needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mineplan.lazy import lazy_names

#: The version, said once: pyproject.toml reads it from here.
__version__ = "0.1.0"

if TYPE_CHECKING:  # the names as type checkers and editors see them
    from mineplan.build import BuildInputs, build_layers
    from mineplan.build.demo import demo_control_layers
    from mineplan.build.schematic import schematic_zone_geometries
    from mineplan.catalog import plan_index, read_catalog, read_plan_catalog
    from mineplan.errors import (
        CatalogError,
        CoordinateFileError,
        CRSError,
        GeometryError,
        LayerDefinitionError,
        MineplanError,
        StoreError,
    )
    from mineplan.geodesy import (
        GKZone,
        ellipsoidal_area,
        ellipsoidal_area_km2,
        gk_epsg,
        gk_zone_from_epsg,
        projected_area_km2,
        zone_from_easting,
    )
    from mineplan.importing import apply_import, match_features, normalise_name
    from mineplan.io.coordinates import read_coordinates
    from mineplan.io.gis import ReadResult, read_gis_file, write_gis_file
    from mineplan.layers import LayerSpec, read_layer_specs, read_styles
    from mineplan.store import list_layers, read_layer, replace_layer, write_store
    from mineplan.styles import layer_qml
    from mineplan.web.webmap import MapLayer, render_offline_html, zone_map

__all__ = [
    "BuildInputs",
    "CRSError",
    "CatalogError",
    "CoordinateFileError",
    "GKZone",
    "GeometryError",
    "LayerDefinitionError",
    "LayerSpec",
    "MapLayer",
    "MineplanError",
    "ReadResult",
    "StoreError",
    "apply_import",
    "build_layers",
    "demo_control_layers",
    "ellipsoidal_area",
    "ellipsoidal_area_km2",
    "gk_epsg",
    "gk_zone_from_epsg",
    "layer_qml",
    "list_layers",
    "match_features",
    "normalise_name",
    "plan_index",
    "projected_area_km2",
    "read_catalog",
    "read_coordinates",
    "read_gis_file",
    "read_layer",
    "read_layer_specs",
    "read_plan_catalog",
    "read_styles",
    "render_offline_html",
    "replace_layer",
    "schematic_zone_geometries",
    "write_gis_file",
    "write_store",
    "zone_from_easting",
    "zone_map",
]

#: Public name → the module that defines it; imported on first use (PEP 562).
_WHERE: dict[str, str] = {
    "BuildInputs": "mineplan.build",
    "CRSError": "mineplan.errors",
    "CatalogError": "mineplan.errors",
    "CoordinateFileError": "mineplan.errors",
    "GKZone": "mineplan.geodesy",
    "GeometryError": "mineplan.errors",
    "LayerDefinitionError": "mineplan.errors",
    "LayerSpec": "mineplan.layers",
    "MapLayer": "mineplan.web.webmap",
    "MineplanError": "mineplan.errors",
    "ReadResult": "mineplan.io.gis",
    "StoreError": "mineplan.errors",
    "apply_import": "mineplan.importing",
    "build_layers": "mineplan.build",
    "demo_control_layers": "mineplan.build.demo",
    "ellipsoidal_area": "mineplan.geodesy",
    "ellipsoidal_area_km2": "mineplan.geodesy",
    "gk_epsg": "mineplan.geodesy",
    "gk_zone_from_epsg": "mineplan.geodesy",
    "layer_qml": "mineplan.styles",
    "list_layers": "mineplan.store",
    "match_features": "mineplan.importing",
    "normalise_name": "mineplan.importing",
    "plan_index": "mineplan.catalog",
    "projected_area_km2": "mineplan.geodesy",
    "read_catalog": "mineplan.catalog",
    "read_coordinates": "mineplan.io.coordinates",
    "read_gis_file": "mineplan.io.gis",
    "read_layer": "mineplan.store",
    "read_layer_specs": "mineplan.layers",
    "read_plan_catalog": "mineplan.catalog",
    "read_styles": "mineplan.layers",
    "render_offline_html": "mineplan.web.webmap",
    "replace_layer": "mineplan.store",
    "schematic_zone_geometries": "mineplan.build.schematic",
    "write_gis_file": "mineplan.io.gis",
    "write_store": "mineplan.store",
    "zone_from_easting": "mineplan.geodesy",
    "zone_map": "mineplan.web.webmap",
}


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
