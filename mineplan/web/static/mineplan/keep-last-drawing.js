/* Keep only the newest shape: drawing again replaces the proposal
   (mineplan.web.drawmap calls this with the map and its Draw control). */
(function (map, control) {
    var group = control.options.edit.featureGroup;
    map.on("draw:created", function (e) {
        group.eachLayer(function (layer) {
            if (layer !== e.layer) { group.removeLayer(layer); }
        });
    });
})
