/* Service worker of the professionals' web app (scope {{ prefix }}/).
   It keeps the shell — the offline page, the style sheet, the scripts, the icons — and shows the
   offline page when a page cannot be reached. It never stores a page, a fragment or a document:
   those hold patient data and always come from the network.
   It shows what the server pushes (server/notify/messages.py: {title, body, url}, decrypted by the
   browser): one notification per tag — the payload's `tag` or `delivery_id`, else the page it
   opens (an offer's « déjà prise » replaces its « nouvelle demande ») —, and a click focuses an
   open page of the app on that page, or opens it. */
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

const HOME = "{{ prefix }}/tableau-de-bord";
const ICON = {{ icon }};

function pageOf(url) {
  // Only a page of this app: a payload's address elsewhere opens the dashboard instead.
  try {
    const target = new URL(url || HOME, self.location.origin);
    if (target.pathname.startsWith("{{ prefix }}/")) return self.location.origin + target.pathname + target.search;
  } catch (e) { /* not an address */ }
  return self.location.origin + HOME;
}

function readPush(event) {
  if (!event.data) return {};
  try { return event.data.json() || {}; } catch (e) { return { body: event.data.text() }; }
}

self.addEventListener("push", (event) => {
  const data = readPush(event);
  const url = pageOf(data.url);
  const tag = String(data.tag || data.delivery_id || (data.offer_id ? "{{ prefix }}/demandes/" + data.offer_id : new URL(url).pathname));
  event.waitUntil(self.registration.showNotification(data.title || "Centrale Pro", {
    body: data.body || "",
    tag: tag,
    renotify: true,
    lang: "fr",
    icon: ICON,
    badge: ICON,
    data: { url: url }
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = pageOf(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((open) => {
      const ours = open.filter((c) => new URL(c.url).pathname.startsWith("{{ prefix }}/"));
      const same = ours.find((c) => c.url === url);
      if (same) return same.focus();
      if (ours.length) {
        return ours[0].focus()
          .then((client) => (client && "navigate" in client ? client.navigate(url) : client))
          .catch(() => self.clients.openWindow(url));
      }
      return self.clients.openWindow(url);
    })
  );
});
