"""What planners hand us and what we hand back: files and text in, files out.

Modules, one concern each:

- :mod:`~mineplan.io.text`: bytes to text (BOM, UTF-8, GBK/GB18030), lines, fields, numbers;
- :mod:`~mineplan.io.sniff`: what a file is, from its first bytes (the one sniffer);
- :mod:`~mineplan.io.archives`: the one zip guard (member names, counts, sizes, ratios);
- :mod:`~mineplan.io.coordinates`: the coordinate TXT formats (one module per format, a
  shared CRS inference, geometry, writers);
- :mod:`~mineplan.io.corners`: the corner-point (拐点) table, J1… per ring;
- :mod:`~mineplan.io.gis`: GIS files through GDAL (drivers, DBF encodings, CSV tables,
  CRS settling, validation, writing);
- :mod:`~mineplan.io.readers`: the one door that decides which reader a file needs;
- :mod:`~mineplan.io.uploads`: hostile-upload guards for the web app;
- :mod:`~mineplan.io.proposals`: pasted and uploaded proposals (Chinese messages);
- :mod:`~mineplan.io.rasters`: raster backgrounds for the offline web map.

May import: ``errors``, ``vocab``, ``settings``, ``atomic``, ``geodesy``. Nothing above
(store, checks, web, figures, cli).
"""
