/* Portal form widgets (core/widgets.py). Each enhances a plain form control that keeps working
   without JavaScript: the list input edits the one-item-per-line textarea, the map picker edits the
   GeoJSON textarea, the reference input fills its datalist from the portal's lookup endpoint. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  /* --- list input -------------------------------------------------------------------------- */
  function initListInput(wrap) {
    if (wrap.dataset.ready) { return; }
    wrap.dataset.ready = "1";
    var config = readJson(wrap.dataset.config) || { fields: [], separator: " | " };
    var textarea = wrap.querySelector("textarea");
    var sep = config.separator;
    var fields = config.fields.length ? config.fields : [{ key: "", label: textarea.getAttribute("aria-label") || "" }];
    var rows = el("div", "portal-list-rows");
    var add = el("button", "btn btn-sm btn-outline-secondary", config.add);
    add.type = "button";

    function sync() {
      var lines = [];
      rows.querySelectorAll(".portal-list-row").forEach(function (row) {
        var values = Array.prototype.map.call(row.querySelectorAll("input"), function (input) {
          return input.value.replace(/\|/g, "/").trim();
        });
        if (values.some(function (v) { return v !== ""; })) { lines.push(values.join(sep)); }
      });
      textarea.value = lines.join("\n");
    }

    function addRow(values) {
      var row = el("div", "portal-list-row");
      fields.forEach(function (field, index) {
        var input = el("input", "form-control form-control-sm");
        input.type = config.type === "int" ? "number" : "text";
        input.value = values[index] || "";
        input.placeholder = field.label;
        input.setAttribute("aria-label", field.label);
        input.addEventListener("input", sync);
        row.appendChild(input);
      });
      var remove = el("button", "btn btn-sm btn-outline-danger", config.remove);
      remove.type = "button";
      remove.addEventListener("click", function () { row.remove(); sync(); });
      row.appendChild(remove);
      rows.appendChild(row);
      return row;
    }

    textarea.value.split("\n").forEach(function (line) {
      if (line.trim()) { addRow(line.split(sep.trim()).map(function (p) { return p.trim(); })); }
    });
    add.addEventListener("click", function () {
      var row = addRow([]);
      row.querySelector("input").focus();
    });
    textarea.hidden = true;
    wrap.classList.add("js-enhanced");
    wrap.insertBefore(rows, textarea);
    wrap.insertBefore(add, textarea);
  }

  /* --- map picker (Leaflet.draw) ------------------------------------------------------------ */
  var SINGLE = { MultiPoint: "Point", MultiLineString: "LineString", MultiPolygon: "Polygon" };

  function initMapPicker(wrap) {
    if (wrap.dataset.ready || !window.L || !L.Control.Draw || !window.PortalMap) { return; }
    wrap.dataset.ready = "1";
    var types = (wrap.dataset.geometryTypes || "Point").split(",");
    var allows = function (t) { return types.indexOf(t) >= 0 || types.indexOf("Multi" + t) >= 0; };
    var textarea = wrap.querySelector("textarea");
    var mapNode = wrap.querySelector(".portal-map-picker");
    mapNode.hidden = false;
    var map = window.PortalMap.init(mapNode);
    var drawn = L.featureGroup().addTo(map);

    function load() {
      drawn.clearLayers();
      var text = textarea.value.trim();
      if (!text) { return; }
      try {
        L.geoJSON(JSON.parse(text)).eachLayer(function (layer) { drawn.addLayer(layer); });
      } catch (e) { return; }
      if (drawn.getLayers().length) {
        map.fitBounds(drawn.getBounds(), { padding: [20, 20], maxZoom: 12 });
      }
    }

    function save() {
      var geometries = drawn.getLayers().map(function (layer) { return layer.toGeoJSON().geometry; });
      if (!geometries.length) { textarea.value = ""; return; }
      var kind = geometries[geometries.length - 1].type;
      var same = geometries.filter(function (g) { return g.type === kind; });
      var multi = "Multi" + kind;
      var value;
      if (same.length > 1 && types.indexOf(multi) >= 0) {
        value = { type: multi, coordinates: same.map(function (g) { return g.coordinates; }) };
      } else if (types.indexOf(kind) < 0 && types.indexOf(multi) >= 0) {
        value = { type: multi, coordinates: [geometries[geometries.length - 1].coordinates] };
      } else {
        value = geometries[geometries.length - 1];
      }
      textarea.value = JSON.stringify(value);
    }

    map.addControl(new L.Control.Draw({
      edit: { featureGroup: drawn },
      draw: {
        marker: allows("Point"),
        polyline: allows("LineString"),
        polygon: allows("Polygon") ? { allowIntersection: false, showArea: false } : false,
        rectangle: allows("Polygon"),
        circle: false,
        circlemarker: false
      }
    }));
    map.on(L.Draw.Event.CREATED, function (event) {
      var kind = event.layer.toGeoJSON().geometry.type;
      var multiAllowed = types.indexOf("Multi" + kind) >= 0 || types.indexOf("Multi" + (SINGLE[kind] || kind)) >= 0;
      if (!multiAllowed) { drawn.clearLayers(); }
      drawn.addLayer(event.layer);
      save();
    });
    map.on(L.Draw.Event.EDITED, save);
    map.on(L.Draw.Event.DELETED, save);
    textarea.addEventListener("change", load);
    load();
    // The GeoJSON stays reachable (paste from a GIS) but folded away under the map.
    var details = el("details", "mt-1");
    details.appendChild(el("summary", "small text-muted", "GeoJSON"));
    var box = wrap.querySelector(".portal-geojson");
    box.parentNode.insertBefore(details, box);
    details.appendChild(box);
    setTimeout(function () { map.invalidateSize(); }, 0);
    details.addEventListener("toggle", function () { map.invalidateSize(); });
  }

  /* --- reference input ---------------------------------------------------------------------- */
  function initReference(input) {
    if (input.dataset.ready) { return; }
    input.dataset.ready = "1";
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var last = null;
    function refresh() {
      var term = input.value.trim();
      if (term === last) { return; }
      last = term;
      var url = input.dataset.lookupUrl + (input.dataset.lookupUrl.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(term);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          list.replaceChildren();
          (data.results || []).forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.value;
            option.label = item.label;
            option.textContent = item.label;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are a convenience: typing the reference still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 200);
    });
    input.addEventListener("focus", refresh);
  }

  function initAll(root) {
    root = root || document;
    root.querySelectorAll("[data-portal-list-input]").forEach(initListInput);
    root.querySelectorAll("[data-portal-map-picker]").forEach(initMapPicker);
    root.querySelectorAll("[data-portal-reference]").forEach(initReference);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  window.PortalWidgets = { init: initAll };
})();
