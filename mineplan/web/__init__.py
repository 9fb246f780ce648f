"""The web app's computation: view models for the pages, map building, offline assets.

Owns the folium maps (:mod:`mineplan.web.webmap`, :mod:`mineplan.web.drawmap`), the
screen geometry (:mod:`mineplan.web.display`), what the pages show
(:mod:`mineplan.web.views`, :mod:`mineplan.web.checkview`) and the vendored Leaflet
plugins under ``static/``. The Streamlit pages (``app_pages/``) hold widgets only.

May import everything below it: catalogue, layers, store, io, checks, figures. Never the
CLI.
"""
