function (feature, layer) {
  /* Long popups scroll instead of overflowing the map; auto-pan keeps them below the banner. */
  layer.bindPopup(feature.properties.popup_html,
                  {maxWidth: 420, maxHeight: 320, autoPanPaddingTopLeft: [20, 48]});
}
