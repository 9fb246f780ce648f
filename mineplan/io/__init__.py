"""What planners hand us and what we hand back: files and text in, files out.

Owns text decoding, the coordinate formats (:mod:`mineplan.io.coordinates`), GIS files
(:mod:`mineplan.io.gis`), hostile-upload guards (:mod:`mineplan.io.uploads`), raster
backgrounds (:mod:`mineplan.io.rasters`) and the one door that decides which reader a
file needs (:mod:`mineplan.io.readers`).

May import: ``errors``, ``vocab``, ``settings``, ``atomic``, ``geodesy``. Nothing above
(store, checks, web, figures, cli).
"""
