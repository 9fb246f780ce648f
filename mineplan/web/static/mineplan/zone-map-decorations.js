/* The zone map's metric scale, foldable legend, schematic banner and tile-error notice
   (mineplan.web.legend.MapDecorations calls this with the map and its texts). */
(function (map, legendHtml, banner, tileNotices) {
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    var legend = L.control({position: "bottomleft"});
    legend.onAdd = function () {
        var div = L.DomUtil.create("div", "mp-legend");
        div.innerHTML = legendHtml;
        div.firstChild.title = "点击折叠/展开图例";
        L.DomEvent.on(div.firstChild, "click", function () {
            L.DomUtil.hasClass(div, "mp-legend-folded")
                ? L.DomUtil.removeClass(div, "mp-legend-folded")
                : L.DomUtil.addClass(div, "mp-legend-folded");
        });
        // a short map (the check page's drawing map, small screens): start folded, so
        // the legend never covers the tools on the left
        if (map.getSize().y < 600 || map.getSize().x < 500) {
            L.DomUtil.addClass(div, "mp-legend-folded");
        }
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    legend.addTo(map);
    if (banner) {
        var bar = L.DomUtil.create("div", "mp-banner", map.getContainer());
        bar.textContent = banner;
        L.DomUtil.addClass(map.getContainer(), "mp-has-banner");
    }
    var notice = null;
    function showNotice(text) {
        if (notice) { return; }
        notice = L.DomUtil.create("div", "mp-notice", map.getContainer());
        notice.textContent = text;
    }
    tileNotices.forEach(function (pair) {
        pair[0].on("tileerror", function () { showNotice(pair[1]); });
    });
})
