/* Service worker of the professionals' web app (scope {{ prefix }}/).
   It keeps the shell — the offline page, the style sheet, the scripts, the icons — and shows the
   offline page when a page cannot be reached. It never stores a page, a fragment or a document:
   those hold patient data and always come from the network. */
"use strict";
const CACHE = "centrale-pro-{{ version }}";
const SHELL = {{ shell }};
const OFFLINE = {{ offline }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("centrale-pro-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("{{ prefix }}/static/")) {
    // Versioned files: what the shell holds, else the network.
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
  }
  // Everything else (fragments, live events, documents): the network only, never stored.
});
