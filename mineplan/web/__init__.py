"""The web app's computation: view models for the pages, map building, offline assets.

The maps (folium):

- :mod:`~mineplan.web.webmap` the zone map (:func:`zone_map`), with
  :mod:`~mineplan.web.legend` (styles, popups, legend, decorations) and
  :mod:`~mineplan.web.basemaps` (OpenStreetMap, 天地图);
- :mod:`~mineplan.web.livemap` the browse page's live map (a Streamlit component that
  keeps its view; reruns send ids, not geometry; ``static/mineplan/live-map.js``);
  :mod:`~mineplan.web.prepare` its first view kept per store version (the page, and
  a detached process a command that wrote the store starts);
- :mod:`~mineplan.web.drawmap` the map a proposal is drawn on;
- :mod:`~mineplan.web.assets` the offline mechanism both use: local Leaflet and plugins,
  ``data:`` URLs, inlined pages, mineplan's own JS/CSS under ``static/mineplan/``;
- :mod:`~mineplan.web.maplayers` store frames → map layers; :mod:`~mineplan.web.display`
  heavy layers simplified to the screen.

What the pages show (view models, pure functions):

- :mod:`~mineplan.web.browsing` filters, search, zone table, totals, details (浏览);
- :mod:`~mineplan.web.importview` the import report in Chinese, the preview (导入);
- :mod:`~mineplan.web.presentation` findings table, verdict styles, issue lines, data
  notes; :mod:`~mineplan.web.checkmap` the conflict map layers;
  :mod:`~mineplan.web.report` the downloads and the kept result,
  :mod:`~mineplan.web.checkrun` the form, the check and its map page (检查);
- :mod:`~mineplan.web.messages` every error and notice in Chinese (one message table);
- :mod:`~mineplan.web.goto` the browse page's 定位坐标; :mod:`~mineplan.web.exports`
  the zones shown as GPKG / SHP / GeoJSON / KML / coordinate TXT;
- :mod:`~mineplan.web.uploading` uploads read for both pages;
  :mod:`~mineplan.web.figurefiles` the browse page's printable figures.

The Streamlit pages (``app_pages/``) hold widgets and layout only.

May import everything below it: catalogue, layers, store, io, checks, figures. Never the
CLI.
"""
