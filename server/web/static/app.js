/* Centrale Pro: small enhancements over pages that work without JavaScript.
   - the service worker (offline page, notifications), - the server diode, - countdowns, - the area
   map, - this device's notifications (push.js, loaded where asked), - a file's size checked before
   it is sent. No patient data is ever stored by this script. */
"use strict";
(function () {
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/pro/sw.js", { scope: "/pro/" }).catch(function () {});
  }

  // « La diode en haut à droite reflète l'état de la connexion au serveur »
  var LABELS = { connected: "Connecté", connecting: "En cours de connexion", offline: "Pas de connexion serveur" };
  function diode(state) {
    var el = document.getElementById("diode");
    if (!el) return;
    el.hidden = false;
    el.dataset.state = state;
    el.title = LABELS[state];
    el.querySelector(".diode-label").textContent = LABELS[state];
  }
  document.addEventListener("htmx:sseOpen", function () { diode("connected"); });
  document.addEventListener("htmx:sseError", function () { diode(navigator.onLine ? "connecting" : "offline"); });
  window.addEventListener("offline", function () { diode("offline"); });
  window.addEventListener("online", function () { diode("connecting"); });

  // Countdowns: data-left = seconds left when the server wrote the element.
  function arm(root) {
    (root || document).querySelectorAll("[data-left]").forEach(function (el) {
      if (el.dataset.armed) return;
      el.dataset.armed = "1";
      el._end = Date.now() + Number(el.dataset.left) * 1000;
    });
  }
  function format(seconds) {
    if (seconds <= 0) return "Délai dépassé";
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600),
        m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    if (d) return d + " j " + h + " h";
    if (h) return h + " h " + String(m).padStart(2, "0") + " min";
    if (m) return m + " min " + String(s).padStart(2, "0") + " s";
    return s + " s";
  }
  function tick() {
    document.querySelectorAll("[data-left]").forEach(function (el) {
      if (el._end) el.textContent = format(Math.max(0, Math.round((el._end - Date.now()) / 1000)));
    });
  }
  setInterval(tick, 1000);

  // The area around the patient (never the address): a circle on Leaflet's map.
  var leaflet = null;
  function loadLeaflet(el) {
    // Loaded only by the pages that show a map, from this server.
    if (!leaflet) {
      leaflet = new Promise(function (resolve, reject) {
        var css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = el.dataset.leafletCss;
        document.head.appendChild(css);
        var script = document.createElement("script");
        script.src = el.dataset.leafletJs;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return leaflet;
  }
  function maps(root) {
    var found = (root || document).querySelectorAll("[data-map]");
    if (!found.length) return;
    if (!window.L) {
      loadLeaflet(found[0]).then(function () { maps(root); }, function () {});
      return;
    }
    found.forEach(function (el) {
      if (el._map) return;
      var lat = Number(el.dataset.lat), lon = Number(el.dataset.lon), km = Number(el.dataset.radiusKm || 1);
      var map = L.map(el, { scrollWheelZoom: false, attributionControl: true }).setView([lat, lon], 13);
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { maxZoom: 16, attribution: el.dataset.attribution || "" }).addTo(map);
      }
      var circle = L.circle([lat, lon], { radius: km * 1000, color: "#0b5394", weight: 2, fillOpacity: 0.15 }).addTo(map);
      map.fitBounds(circle.getBounds(), { padding: [12, 12] });
      el._map = map;
    });
  }

  // « Notifications sur cet appareil » (the profile page): its script, loaded only there.
  var pushScript = null;
  function push(root) {
    var found = (root || document).querySelector("[data-push]");
    if (!found) return;
    if (!pushScript) {
      pushScript = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = found.dataset.pushJs;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    pushScript.then(function () { window.CentralePush.enhance(root); }, function () {});
  }

  function enhance(root) { arm(root); tick(); maps(root); push(root); }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });

  // « Limitation à 2 Mo par fichier » (and a message's count of files): said before the upload;
  // the server checks it again.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var files = Array.prototype.slice.call(input.files || []);
    var tooBig = files.some(function (file) { return file.size > Number(input.dataset.maxBytes); });
    var tooMany = input.dataset.maxFiles && files.length > Number(input.dataset.maxFiles);
    var problem = tooBig ? "Limitation à 2 Mo par fichier" : tooMany ? input.dataset.maxFiles + " fichiers au plus" : "";
    input.setCustomValidity(problem);
    if (problem) input.reportValidity();
  });

  // « Messagerie »: a thread's messages re-read by the live feed are marked read only while the
  // page is visible (`vu=1`); when it becomes visible again, they are re-read (and marked).
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.hasAttribute && event.detail.elt.hasAttribute("data-read-mark")) {
      event.detail.parameters.vu = document.visibilityState === "visible" ? "1" : "0";
    }
  });
  document.addEventListener("visibilitychange", function () {
    var thread = document.querySelector("[data-read-mark]");
    if (thread && document.visibilityState === "visible" && window.htmx) {
      window.htmx.trigger(thread, "messaging:visible");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.drawer[open]").forEach(function (d) {
      d.removeAttribute("open");
      d.querySelector("summary").focus();
    });
  });
})();
