/* Portal maps: an offline base layer (country outlines shipped with the portal) and GeoJSON
   overlays given by the page. A tile layer is added only when the administrator configured one. */
(function () {
  "use strict";

  var COUNTRY_STYLE = {
    CN: { color: "#b02a37", weight: 1, fillColor: "#f8e1e4", fillOpacity: 1 },
    RU: { color: "#0a58ca", weight: 1, fillColor: "#e0eafc", fillOpacity: 1 },
    KP: { color: "#6c757d", weight: 1, fillColor: "#eeeeee", fillOpacity: 1 }
  };

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function popupFor(properties) {
    var div = document.createElement("div");
    var title = document.createElement(properties.url ? "a" : "strong");
    title.textContent = properties.name || properties.label || "";
    if (properties.url) { title.href = properties.url; }
    div.appendChild(title);
    if (properties.note) {
      var note = document.createElement("div");
      note.className = "small text-muted";
      note.textContent = properties.note;
      div.appendChild(note);
    }
    return div;
  }

  function initMap(element) {
    var map = L.map(element, { attributionControl: true, zoomSnap: 0.25 });
    var tileUrl = element.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    var overlays = L.featureGroup().addTo(map);
    var basemapUrl = element.dataset.basemap;
    var fit = function () {
      if (overlays.getLayers().length) {
        map.fitBounds(overlays.getBounds(), { padding: [20, 20], maxZoom: 11 });
      } else {
        map.setView([43.2, 130.9], 7);
      }
    };
    fit();
    if (basemapUrl && !tileUrl) {
      fetch(basemapUrl).then(function (r) { return r.json(); }).then(function (data) {
        var base = L.geoJSON(data, {
          interactive: false,
          style: function (f) {
            if (f.properties.kind === "river") { return { color: "#3d8bfd", weight: 2 }; }
            return COUNTRY_STYLE[f.properties.code] || { color: "#999", weight: 1 };
          }
        }).addTo(map);
        base.bringToBack();
      });
    }
    (element.dataset.layers || "").split(",").filter(Boolean).forEach(function (id) {
      var data = readJson(id);
      if (!data) { return; }
      L.geoJSON(data, {
        style: function (f) {
          return { color: f.properties.color || (f.properties.country === "RU" ? "#0a58ca" : "#198754"), weight: 2, fillOpacity: 0.25 };
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {
            radius: f.properties.generalized ? 9 : 6,
            color: f.properties.color || "#dc3545",
            dashArray: f.properties.generalized ? "4" : null,
            fillOpacity: 0.6
          });
        },
        onEachFeature: function (f, layer) { layer.bindPopup(popupFor(f.properties)); }
      }).addTo(overlays);
    });
    fit();
    element.portalMap = map;
    return map;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-portal-map]").forEach(initMap);
  });
  window.PortalMap = { init: initMap };
})();
