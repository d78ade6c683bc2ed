/* « Notifications sur cet appareil » (the profile page's [data-push] section), loaded by app.js
   only where that section is. The service worker (/pro/sw.js) shows what the server pushes.
   Activate: permission → pushManager.subscribe with the VAPID public key written in the page →
   the subscription posted to /pro/notifications/abonnement with the session's CSRF token.
   Deactivate: the browser's subscription dropped and the server told. Where the browser cannot
   (no service worker, no Push API — iOS Safari outside a home-screen app —, permission refused,
   no push service reachable) the page says so in French instead of showing a dead button. */
"use strict";
(function () {
  var SCOPE = "/pro/";
  var TEXT = {
    checking: "Vérification des notifications de cet appareil…",
    on: "Les notifications sont activées sur cet appareil.",
    off: "Les notifications ne sont pas activées sur cet appareil.",
    asking: "Autorisez les notifications dans la fenêtre du navigateur…",
    denied: "Les notifications sont bloquées pour ce site dans ce navigateur : autorisez-les dans ses réglages (icône à gauche de l'adresse), puis réessayez.",
    insecure: "Les notifications demandent une connexion sécurisée (https) : elles ne sont pas possibles à cette adresse.",
    ios: "Sur iPhone et iPad, les notifications ne marchent que depuis l'application installée : dans Safari, touchez Partager puis « Sur l'écran d'accueil », et ouvrez Centrale Pro depuis son icône.",
    unsupported: "Ce navigateur ne permet pas les notifications sur cet appareil. Vous recevez toujours les demandes dans l'application et, si vous les avez choisis, par SMS ou par e-mail.",
    failed: "L'abonnement aux notifications a échoué : le navigateur l'a refusé (navigation privée ?) ou son service de notifications ne répond pas. Réessayez plus tard, ou choisissez le SMS ou l'e-mail.",
    server: "Le serveur n'a pas enregistré l'abonnement : réessayez dans un instant.",
    network: "Pas de connexion au serveur : réessayez quand le réseau sera revenu.",
    expired: "Session expirée : rechargez la page et reconnectez-vous, puis réessayez.",
    refused: "Requête refusée : rechargez la page et recommencez."
  };

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (e) { return ""; }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      // An ended session leads to the login page; a refused token to a page: neither is JSON.
      if (response.redirected) throw { detail: TEXT.expired };
      return response.json().catch(function () { return null; }).then(function (answer) {
        if (answer === null) throw { detail: response.status === 403 ? TEXT.refused : TEXT.server };
        if (!response.ok) throw { detail: answer.detail || TEXT.server };
        return answer;
      });
    }, function () { throw { detail: TEXT.network }; });
  }

  function why() {
    if (!window.isSecureContext) return TEXT.insecure;
    var apple = /iPhone|iPad|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
    if (apple && !("PushManager" in window)) return TEXT.ios;
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return TEXT.unsupported;
    return null;
  }

  function setUp(section) {
    if (section._push) return;
    section._push = true;
    var status = section.querySelector("[data-push-status]");
    var on = section.querySelector("[data-push-on]");
    var off = section.querySelector("[data-push-off]");
    section.querySelector("[data-push-nojs]").hidden = true;
    function show(text, subscribed) {
      status.textContent = text;
      on.hidden = subscribed !== false;
      off.hidden = subscribed !== true;
    }
    var impossible = why();
    if (impossible) { show(impossible, null); return; }
    if (Notification.permission === "denied") { show(TEXT.denied, null); return; }
    show(TEXT.checking, null);
    var ready = navigator.serviceWorker.register(SCOPE + "sw.js", { scope: SCOPE })
      .then(function () { return navigator.serviceWorker.ready; });

    ready.then(function (registration) { return registration.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) { show(TEXT.off, false); return; }
        // Known to the browser: make sure the server holds it for whoever is logged in now.
        return post(section.dataset.subscribe, subscription.toJSON())
          .then(function () { show(TEXT.on, true); }, function (error) { show(error.detail, true); });
      }, function () { show(TEXT.unsupported, null); });

    on.addEventListener("click", function () {
      on.disabled = true;
      show(TEXT.asking, false);
      Notification.requestPermission()
        .then(function (permission) {
          if (permission !== "granted") throw { detail: permission === "denied" ? TEXT.denied : TEXT.off };
          return ready;
        })
        .then(function (registration) {
          return registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(section.dataset.publicKey)
          }).catch(function () { throw { detail: TEXT.failed }; });
        })
        .then(function (subscription) { return post(section.dataset.subscribe, subscription.toJSON()); })
        .then(function (answer) { show(answer.message || TEXT.on, true); section.dataset.state = "on"; },
              function (error) { show(error.detail || TEXT.failed, false); section.dataset.state = "failed"; })
        .then(function () { on.disabled = false; });
    });

    off.addEventListener("click", function () {
      off.disabled = true;
      ready.then(function (registration) { return registration.pushManager.getSubscription(); })
        .then(function (subscription) {
          if (!subscription) return { message: TEXT.off };
          var endpoint = subscription.endpoint;
          return subscription.unsubscribe().then(function () {
            return post(section.dataset.unsubscribe, { endpoint: endpoint });
          });
        })
        .then(function (answer) { show(answer.message || TEXT.off, false); section.dataset.state = "off"; },
              function (error) { show(error.detail || TEXT.server, true); })
        .then(function () { off.disabled = false; });
    });
  }

  window.CentralePush = {
    enhance: function (root) { (root || document).querySelectorAll("[data-push]").forEach(setUp); }
  };
})();
