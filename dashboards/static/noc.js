/* Metronet NOC: keep the overview live by swapping in /fragments/overview.
 *
 * Every few seconds the fragment is fetched and replaces the content of the
 * live container. On failure the last data stays visible, the header shows
 * "connection lost" and the next attempt follows at the normal pace. Nothing
 * is fetched while the page is hidden; it refreshes at once when shown again.
 */
(function () {
  "use strict";

  var live = document.getElementById("live");
  if (!live) {
    return;
  }
  var src = live.getAttribute("data-src") || "/fragments/overview";
  var interval = parseInt(live.getAttribute("data-interval"), 10) || 5000;
  var conn = document.getElementById("conn");
  var updated = document.getElementById("updated");
  var timer = null;
  var busy = false;

  function setState(ok) {
    if (conn) {
      conn.setAttribute("data-state", ok ? "live" : "lost");
    }
    live.classList.toggle("is-stale", !ok);
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = null;
    if (!document.hidden) {
      timer = setTimeout(refresh, delay);
    }
  }

  function apply(html) {
    var box = document.createElement("div");
    box.innerHTML = html;
    var root = box.querySelector("[data-fragment='overview']");
    if (!root) {
      throw new Error("not an overview fragment");  // e.g. a login page after a redirect
    }
    // keep the scroll position of each panel across the swap
    var scrolls = Array.prototype.map.call(live.querySelectorAll(".panel-body"), function (el) {
      return el.scrollTop;
    });
    live.innerHTML = html;
    Array.prototype.forEach.call(live.querySelectorAll(".panel-body"), function (el, i) {
      if (scrolls[i]) {
        el.scrollTop = scrolls[i];
      }
    });
    if (updated && root.getAttribute("data-updated")) {
      updated.textContent = root.getAttribute("data-updated");
    }
  }

  function refresh() {
    if (busy || document.hidden) {
      return;
    }
    busy = true;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var abort = controller ? setTimeout(function () { controller.abort(); }, interval * 2) : null;
    fetch(src, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "text/html" },
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        apply(html);
        setState(true);
      })
      .catch(function () {
        setState(false);
      })
      .then(function () {
        clearTimeout(abort);
        busy = false;
        schedule(interval);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else {
      schedule(0);
    }
  });

  schedule(interval);
}());
