"""The legend, schematic banner, metric scale and tile-error notice of a folium zone map.

Their stylesheet and script are ``static/mineplan/zone-map.css`` and
``zone-map-decorations.js``. Apart from :mod:`mineplan.web.legend` so that the live
map (which draws its own legend) imports no folium.

May import folium/branca and :mod:`mineplan.web.assets`.
"""

from __future__ import annotations

from collections.abc import Sequence

from branca.element import MacroElement
from folium.template import Template

from mineplan.web.assets import static_text

__all__ = ["MapDecorations"]


class MapDecorations(MacroElement):
    """Legend, schematic banner, metric scale and tile-error notice of a zone map.

    Parameters
    ----------
    legend_html
        From :func:`legend_html`.
    banner
        Text of the red banner across the top (schematic data), or None.
    tile_notices
        (JavaScript variable of a tile layer, message shown when its tiles fail).
    """

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
#{{ this._parent.get_name() }}.leaflet-container { background: #f7f7f4; }
{{ this.css }}
</style>
{% endmacro %}

{% macro script(this, kwargs) %}
;{{ this.js }}({{ this._parent.get_name() }}, {{ this.legend_html|tojson }},
    {{ this.banner|tojson }},
    [{%- for name, message in this.tile_notices %}[{{ name }}, {{ message|tojson }}],{% endfor %}]);
{% endmacro %}
"""
    )

    def __init__(
        self, *, legend_html: str, banner: str | None, tile_notices: Sequence[tuple[str, str]]
    ) -> None:
        super().__init__()
        self._name = "MapDecorations"
        self.legend_html = legend_html
        self.banner = banner
        self.tile_notices = list(tile_notices)
        self.css = static_text("zone-map.css")
        self.js = static_text("zone-map-decorations.js")
