/* The browse page's live map (mineplan.web.livemap): a Streamlit component that keeps
   its Leaflet map across reruns. Python sends only what changed — which features of
   which layers are visible, the focus, a "fit" request — and the layers' GeoJSON is
   fetched once per store version from files beside this page (browser-cached).
   Zoom, pan, open popup and legend state are never reset by a rerun.
   A large layer is sent for one view only (spec.view = {bounds, zoom}); when the
   planner pans out of that box or changes zoom, the map sends its view back
   (streamlit:setComponentValue) and the page sends that view's features.

   Speaks Streamlit's component protocol by hand (no streamlit-component-lib). */
(function (map, layerControl) {
  "use strict";
  var FOCUS = {color: "#00B7FF", weight: 5, opacity: 1, fill: false, interactive: false};
  var layers = {};        // code -> {spec, geo, byId, loading, shown}
  var order = [];         // codes, bottom first
  var visible = {};       // code -> Set of ids | null (all)
  var focusLayer = null, focusKey = "", fitToken = null, gotoToken = null, gotoMarker = null;
  var tiles = [], tilesKey = null, image = null, imageKey = null, banner = null;
  var lastArgs = null;
  if (layerControl) { map.removeControl(layerControl); }

  function post(type, extra) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in extra) { msg[k] = extra[k]; }
    window.parent.postMessage(msg, "*");
  }

  // ------------------------------------------------------------------ layers
  function styleOf(spec, feature) {
    return feature.properties.restyle ? spec.schematic_style : spec.style;
  }

  function load(spec) {
    var entry = {spec: spec, geo: null, byId: {}, loading: true, shown: false, drawn: null};
    layers[spec.code] = entry;
    fetch(spec.url).then(function (r) { return r.json(); }).then(function (data) {
      entry.geo = L.geoJSON(null, {
        style: function (f) { return styleOf(spec, f); },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, Object.assign({radius: 6}, styleOf(spec, f)));
        },
        onEachFeature: function (f, layer) {
          entry.byId[String(f.id)] = layer;
          layer.feature = f;
          if (f.properties.tip) {
            layer.bindTooltip(f.properties.tip, {sticky: true, direction: "top",
                                                  className: "mp-tip"});
          }
          layer.on("mouseover", function () {
            if (layer.setStyle) { layer.setStyle({weight: (spec.style.weight || 1) + 2}); }
          });
          layer.on("mouseout", function () {
            if (layer.setStyle) { layer.setStyle(styleOf(spec, f)); }
          });
        }
      });
      entry.all = data.features;
      entry.loading = false;
      arrived();
    }).catch(function () { entry.loading = false; arrived(); });
  }

  // The first layers are drawn together once all are in, at the view they are fitted
  // to (drawn at the start view, then fitted, every path would be drawn twice); a
  // layer arriving later draws only itself, the others are as they were.
  var holding = true;
  function arrived() {
    if (holding) {
      if (!loaded()) { return; }
      holding = false;
      prefit();
    }
    apply();
    if (loaded() && window.performance && performance.mark) {
      performance.mark("mineplan-drawn");   // every layer drawn (bench/webmap_interactions)
    }
  }

  // Extend [w, s, e, n] by a GeoJSON geometry's coordinates.
  function extend(box, coords) {
    if (typeof coords[0] === "number") {
      box[0] = Math.min(box[0], coords[0]); box[1] = Math.min(box[1], coords[1]);
      box[2] = Math.max(box[2], coords[0]); box[3] = Math.max(box[3], coords[1]);
      return;
    }
    coords.forEach(function (c) { extend(box, c); });
  }
  function extendGeometry(box, g) {
    if (!g) { return; }
    if (g.type === "GeometryCollection") {
      g.geometries.forEach(function (x) { extendGeometry(box, x); });
    } else { extend(box, g.coordinates); }
  }
  // A pending fit to the layers, from their features before any is drawn (as fit does).
  function prefit() {
    var request = pendingFit;
    if (!request || request.bounds) { return; }
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    order.forEach(function (code) {
      var entry = layers[code], ids = visible[code];
      if (!entry || !entry.all || (request.codes && request.codes.indexOf(code) < 0)) { return; }
      entry.all.forEach(function (f) {
        if (!ids || ids.has(String(f.id))) { extendGeometry(box, f.geometry); }
      });
    });
    if (box[0] > box[2]) { return; }   // nothing to fit to: fit() decides as before
    pendingFit = null;
    map.fitBounds([[box[1], box[0]], [box[3], box[2]]],
                  {maxZoom: 14, padding: [20, 20], animate: false});
  }

  // What a layer shows: "-" (hidden), "*" (every feature) or its visible ids.
  function shownKey(code) {
    if (order.indexOf(code) < 0) { return "-"; }
    var ids = visible[code];
    return ids ? Array.from(ids).join("\u0001") : "*";
  }

  // (Re)draws a layer when what it shows changed; true when it did.
  function applyLayer(code) {
    var entry = layers[code];
    if (!entry || !entry.geo) { return false; }
    var key = shownKey(code);
    if (entry.drawn === key) { return false; }
    entry.drawn = key;
    var ids = visible[code];
    entry.geo.clearLayers();
    if (key !== "-") {
      entry.geo.addData(entry.all.filter(function (f) {
        return !ids || ids.has(String(f.id));
      }));
      if (!entry.shown) { entry.geo.addTo(map); entry.shown = true; }
    } else if (entry.shown) {
      map.removeLayer(entry.geo); entry.shown = false;
    }
    return true;
  }

  var stacked = "";       // the drawing order last stacked
  function apply() {
    if (holding) { return; }   // the first layers are not all in yet (arrived)
    var changed = Object.keys(layers).filter(applyLayer);
    // Bottom first, each brought above the last — from the lowest redrawn layer up
    // (a redrawn layer's paths were appended on top of every other layer's).
    var from = order.length;
    changed.forEach(function (code) {
      var i = order.indexOf(code);
      if (i >= 0 && i < from) { from = i; }
    });
    // a new order, or a new focus (the last one's zones were brought to the top): all
    var now = order.join() + "#" + JSON.stringify((lastArgs && lastArgs.focus) || []);
    if (now !== stacked) { from = 0; stacked = now; }
    order.slice(from).forEach(function (code) {
      var entry = layers[code];
      if (entry && entry.geo && entry.shown) { entry.geo.bringToFront(); }
    });
    drawFocus();
    if (pendingFit) { fit(pendingFit); }
  }

  // ------------------------------------------------------------------ focus and fit
  var pendingFit = null;
  function features(codeIds) {
    var out = [];
    (codeIds || []).forEach(function (pair) {
      var entry = layers[pair[0]];
      if (!entry || !entry.geo) { return; }
      var layer = entry.byId[String(pair[1])];
      if (layer) { out.push(layer); }
    });
    return out;
  }

  function drawFocus() {
    if (focusLayer) { map.removeLayer(focusLayer); focusLayer = null; }
    if (!lastArgs || !lastArgs.focus || !lastArgs.focus.length) { return; }
    var hits = features(lastArgs.focus);
    if (!hits.length) { return; }
    focusLayer = L.featureGroup(hits.map(function (layer) {
      return L.geoJSON(layer.feature, {style: function () { return FOCUS; },
        pointToLayer: function (f, ll) { return L.circleMarker(ll, FOCUS); }});
    })).addTo(map);
    hits.forEach(function (layer) { if (layer.bringToFront) { layer.bringToFront(); } });
    focusLayer.bringToFront();
    var key = JSON.stringify(lastArgs.focus);
    if (key !== focusKey) {
      focusKey = key;
      var bounds = focusLayer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, {maxZoom: 14, padding: [40, 40]});
        var centre = hits[0].getBounds ? hits[0].getBounds().getCenter() : hits[0].getLatLng();
        identifyAt(centre, hits[0]);
      }
    }
  }

  function fit(request) {
    pendingFit = null;
    var bounds = null;
    if (request.bounds) {
      bounds = L.latLngBounds(request.bounds);
    } else {
      if (!loaded()) { pendingFit = request; return; }  // once, when every layer is in
      var group = [];
      order.forEach(function (code) {
        var entry = layers[code];
        if (entry && entry.geo && entry.shown && entry.geo.getLayers().length &&
            (!request.codes || request.codes.indexOf(code) >= 0)) {
          group.push(entry.geo.getBounds());
        }
      });
      group.forEach(function (b) { bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); });
    }
    if (bounds && bounds.isValid()) { map.fitBounds(bounds, {maxZoom: 14, padding: [20, 20]}); }
  }

  function loaded() {
    return order.every(function (code) { return layers[code] && !layers[code].loading; });
  }

  // ------------------------------------------------------------------ identify
  function inRing(pt, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if (((yi > pt[1]) !== (yj > pt[1])) &&
          (pt[0] < (xj - xi) * (pt[1] - yi) / (yj - yi) + xi)) { inside = !inside; }
    }
    return inside;
  }
  function inPolygon(pt, rings) {
    var inside = false;
    rings.forEach(function (ring) { if (inRing(pt, ring)) { inside = !inside; } });
    return inside;
  }
  function contains(geometry, latlng) {
    if (!geometry) { return false; }
    var pt = [latlng.lng, latlng.lat];
    if (geometry.type === "Polygon") { return inPolygon(pt, geometry.coordinates); }
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.some(function (p) { return inPolygon(pt, p); });
    }
    if (geometry.type === "GeometryCollection") {
      return geometry.geometries.some(function (g) { return contains(g, latlng); });
    }
    return false;
  }
  function near(layer, latlng) {
    if (!layer.getLatLng) { return false; }
    var a = map.latLngToContainerPoint(layer.getLatLng());
    var b = map.latLngToContainerPoint(latlng);
    return a.distanceTo(b) <= 8;
  }
  function measuring() {
    var prompt = document.querySelector(".js-measuringprompt");
    return prompt && prompt.offsetParent !== null;
  }

  function identifyAt(latlng, first) {
    var hits = [];
    order.slice().reverse().forEach(function (code) {   // topmost first
      var entry = layers[code];
      if (!entry || !entry.geo || !entry.shown) { return; }
      entry.geo.eachLayer(function (layer) {
        if (layer === first || contains(layer.feature.geometry, latlng) || near(layer, latlng)) {
          hits.push(layer);
        }
      });
    });
    if (first && hits.indexOf(first) > 0) {
      hits.splice(hits.indexOf(first), 1); hits.unshift(first);
    }
    if (!hits.length) { return; }
    var html = hits.length > 1
      ? '<div class="mp-identify">此处有 ' + hits.length + " 个要素（自上而下）：</div>" +
        hits.map(function (l) { return l.feature.properties.popup_html; }).join("<hr>")
      : hits[0].feature.properties.popup_html;
    L.popup({maxWidth: 420, maxHeight: 320, autoPanPaddingTopLeft: [20, 48]})
      .setLatLng(latlng).setContent(html).openOn(map);
  }
  map.on("click", function (e) { if (!measuring()) { identifyAt(e.latlng, null); } });

  // ------------------------------------------------------------------ basemap, image, legend
  function setTiles(specs) {
    var key = JSON.stringify(specs || []);
    if (key === tilesKey) { return; }
    tilesKey = key;
    tiles.forEach(function (t) { map.removeLayer(t); });
    tiles = (specs || []).map(function (spec) {
      var layer = L.tileLayer(spec.url, {attribution: spec.attribution || "",
        subdomains: spec.subdomains || "abc", maxZoom: spec.max_zoom || 18});
      layer.on("tileerror", function () { notice(spec.notice); });
      layer.addTo(map);
      layer.bringToBack();
      return layer;
    });
  }
  var noticeDiv = null;
  function notice(text) {
    if (noticeDiv || !text) { return; }
    noticeDiv = L.DomUtil.create("div", "mp-notice", map.getContainer());
    noticeDiv.textContent = text;
  }
  function setImage(spec) {
    var key = JSON.stringify(spec || null);
    if (key === imageKey) { return; }
    imageKey = key;
    if (image) { map.removeLayer(image); image = null; }
    if (spec) {
      image = L.imageOverlay(spec.url, [[spec.bounds[1], spec.bounds[0]],
                                        [spec.bounds[3], spec.bounds[2]]],
                             {opacity: spec.opacity, interactive: false, zIndex: 1}).addTo(map);
      image.bringToBack();
    }
  }
  function setLegend(html) {
    var div = document.querySelector(".mp-legend");
    if (!div || div.dataset.html === html) { return; }
    // first time: folded on a narrow screen; afterwards as the planner left it
    var width = map.getContainer().clientWidth || window.innerWidth;  // 0 before layout
    var folded = div.dataset.html === undefined ? (width > 0 && width < 500)
                                                : div.classList.contains("mp-legend-folded");
    div.dataset.html = html;
    div.innerHTML = html;
    div.classList.toggle("mp-legend-folded", folded);
    if (div.firstChild) {
      div.firstChild.title = "点击折叠/展开图例";
      L.DomEvent.on(div.firstChild, "click", function () {
        div.classList.toggle("mp-legend-folded");
      });
    }
  }
  function setBanner(text) {
    if (banner && banner.textContent === (text || "")) { return; }
    if (banner) { banner.remove(); banner = null; }
    L.DomUtil.removeClass(map.getContainer(), "mp-has-banner");
    if (text) {
      banner = L.DomUtil.create("div", "mp-banner", map.getContainer());
      banner.textContent = text;
      L.DomUtil.addClass(map.getContainer(), "mp-has-banner");
    }
  }
  function goTo(request) {
    if (!request || request.token === gotoToken) { return; }
    gotoToken = request.token;
    if (gotoMarker) { map.removeLayer(gotoMarker); }
    gotoMarker = L.circleMarker([request.lat, request.lon],
      {radius: 7, color: "#D7191C", weight: 3, fillOpacity: 0.6}).addTo(map);
    gotoMarker.bindTooltip(request.label, {permanent: true, direction: "right"});
    map.setView([request.lat, request.lon], Math.max(map.getZoom(), 12));
  }

  // ------------------------------------------------------------------ views
  var reported = null;
  function viewNeeded() {
    if (!lastArgs) { return false; }
    var b = map.getBounds(), z = map.getZoom();
    return lastArgs.layers.some(function (spec) {
      if (!spec.view) { return false; }
      var c = spec.view.bounds;     // [w, s, e, n]
      return spec.view.zoom !== z || b.getWest() < c[0] || b.getSouth() < c[1] ||
        b.getEast() > c[2] || b.getNorth() > c[3];
    });
  }
  function reportView() {
    if (!viewNeeded()) { return; }
    var b = map.getBounds();
    var view = {west: +b.getWest().toFixed(6), south: +b.getSouth().toFixed(6),
                east: +b.getEast().toFixed(6), north: +b.getNorth().toFixed(6),
                zoom: map.getZoom()};
    var key = JSON.stringify(view);
    if (key === reported) { return; }
    reported = key;
    post("streamlit:setComponentValue", {value: view, dataType: "json"});
  }
  var viewTimer = null;
  map.on("moveend", function () {
    clearTimeout(viewTimer);
    viewTimer = setTimeout(reportView, 250);   // once the planner stops moving
  });

  // ------------------------------------------------------------------ render
  function render(args) {
    if (!lastArgs) {   // a layer that never answers does not keep the others off the map
      setTimeout(function () { if (holding) { holding = false; prefit(); apply(); } }, 5000);
    }
    lastArgs = args;
    post("streamlit:setFrameHeight", {height: args.height});
    setTiles(args.tiles);
    setImage(args.image);
    setLegend(args.legend_html);
    setBanner(args.banner);
    order = args.layers.map(function (spec) { return spec.code; });
    args.layers.forEach(function (spec) {
      if (!layers[spec.code] || layers[spec.code].spec.url !== spec.url) {
        if (layers[spec.code] && layers[spec.code].shown) { map.removeLayer(layers[spec.code].geo); }
        load(spec);
      }
    });
    visible = {};
    Object.keys(args.visible || {}).forEach(function (code) {
      var ids = args.visible[code];
      visible[code] = ids === null ? null : new Set(ids.map(String));
    });
    if (args.fit && args.fit.token !== fitToken) {
      fitToken = args.fit.token;
      pendingFit = args.fit;
    }
    apply();
    goTo(args["goto"]);
    setTimeout(reportView, 0);   // a view layer just shown: is this view covered?
  }

  window.addEventListener("message", function (event) {
    if (event.data && event.data.type === "streamlit:render") {
      var args = event.data.args;   // one JSON text (app_pages/_shared.live_map)
      render(typeof args.spec === "string" ? JSON.parse(args.spec) : args);
    }
  });
  window.mineplanLiveMap = {map: map, identifyAt: identifyAt, layers: layers, loaded: loaded,
                            viewNeeded: viewNeeded};
  post("streamlit:componentReady", {apiVersion: 1});
})
