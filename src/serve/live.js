/* docsite serve: live reload client. Added by the server to every HTML page it serves
   (never to `docsite build` output). Listens to the server's event stream and:
   - swaps in the new page when the page being viewed changed, keeping the scroll position;
   - swaps stylesheets in place when only CSS changed;
   - says so when the page was deleted, with a link to the nearest page above it;
   - shows an overlay with the error while the build is broken (the server keeps serving
     the last good build) and removes it on the next good build;
   - reloads when it reconnects to a restarted server. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.EventSource || window.__docsiteLive) return;
  window.__docsiteLive = true;
  var root = me.getAttribute("data-root") || "/";
  var id = me.getAttribute("data-id");
  var generation = Number(me.getAttribute("data-generation"));
  var notFound = me.getAttribute("data-status") === "404";
  var busy = false, again = false, bust = false;

  // The page's URL relative to the site root, as the server names pages (`a/b/`, ``).
  function pageKey() {
    var path = location.pathname;
    try { path = decodeURIComponent(path); } catch (e) { /* keep raw */ }
    if (path.indexOf(root) === 0) path = path.slice(root.length);
    return path.replace(/(^|\/)index\.html$/, "$1");
  }

  function layer(cls) {
    var el = document.getElementById("docsite-live-" + cls);
    if (!el) {
      el = document.createElement("div");
      el.id = "docsite-live-" + cls;
      el.setAttribute("role", cls === "error" ? "alert" : "status");
      // Outside <body>: survives the page being swapped.
      document.documentElement.appendChild(el);
    }
    return el;
  }
  function clear(cls) {
    var el = document.getElementById("docsite-live-" + cls);
    if (el) el.remove();
  }

  var BOX = "position:fixed;z-index:2147483647;box-sizing:border-box;font:14px/1.5 system-ui,sans-serif;";
  function showError(error) {
    if (!error) { clear("error"); return; }
    var el = layer("error");
    el.setAttribute("style", BOX + "inset:0;overflow:auto;background:rgba(20,20,24,.86);color:#f4f4f5;padding:32px;");
    el.innerHTML = "";
    var h = document.createElement("p");
    h.setAttribute("style", "margin:0 0 4px;font-size:18px;font-weight:600;color:#fca5a5");
    h.textContent = "Build failed: " + error.location;
    var sub = document.createElement("p");
    sub.setAttribute("style", "margin:0 0 16px;color:#d4d4d8");
    sub.textContent = "Showing the last good build. This goes away when the next build succeeds.";
    var pre = document.createElement("pre");
    pre.setAttribute("style", "margin:0;padding:16px;background:#0b0b0e;border-radius:8px;overflow:auto;font:13px/1.5 ui-monospace,monospace;white-space:pre");
    pre.textContent = error.text;
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.setAttribute("style", "margin-top:16px;font:inherit;padding:4px 12px;cursor:pointer");
    close.onclick = function () { clear("error"); };
    el.appendChild(h); el.appendChild(sub); el.appendChild(pre); el.appendChild(close);
  }

  function showRemoved(parent) {
    var el = layer("removed");
    el.setAttribute("style", BOX + "top:12px;left:50%;transform:translateX(-50%);max-width:90vw;padding:12px 16px;border-radius:8px;background:#7c2d12;color:#fff;box-shadow:0 4px 16px rgba(0,0,0,.3)");
    el.innerHTML = "";
    el.appendChild(document.createTextNode("This page was deleted. "));
    var a = document.createElement("a");
    a.href = root + parent;
    a.textContent = parent ? "Go to " + parent : "Go to the home page";
    a.setAttribute("style", "color:#fff;font-weight:600");
    el.appendChild(a);
  }

  // Fetch the page again and put its body in place of ours, keeping where the reader is.
  function refresh(assets) {
    if (assets) bust = true;
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.pathname + location.search, { cache: "no-store" }).then(function (r) {
      if (r.status === 404) {
        if (!notFound) showRemoved("");
        return null;
      }
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html) swap(html, bust);
      bust = false;
    }).catch(function () { /* the server is restarting: the stream reconnects */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function swap(html, assets) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var x = window.scrollX, y = window.scrollY;
    var sidebar = document.getElementById("docsite-sidebar");
    var navTop = sidebar ? sidebar.scrollTop : 0;
    var active = document.activeElement && document.activeElement.id;
    document.title = next.title;
    document.body.replaceWith(document.adoptNode(next.body));
    clear("removed");
    notFound = false;
    // The browser would reuse the images it has; after a file change, ask for them again.
    if (assets) {
      Array.prototype.forEach.call(document.querySelectorAll("img[src]"), function (img) {
        if (img.src.indexOf(location.origin + "/") === 0) img.src = img.src.split("?")[0] + "?live=" + generation;
      });
    }
    // The theme script wires up the new body (tabs, copy buttons, TOC, nav).
    var old = document.querySelector('head script[src*="docsite.js"]');
    var restore = function () {
      window.scrollTo(x, y);
      var nav = document.getElementById("docsite-sidebar");
      if (nav) nav.scrollTop = navTop;
      if (active && document.getElementById(active)) document.getElementById(active).focus({ preventScroll: true });
    };
    restore();
    if (old) {
      var s = document.createElement("script");
      s.src = old.src.split("?")[0] + "?live=" + generation;
      s.onload = s.onerror = function () { restore(); s.remove(); };
      document.head.appendChild(s);
    }
    document.dispatchEvent(new CustomEvent("docsite:live-update"));
  }

  function swapCss() {
    Array.prototype.forEach.call(document.querySelectorAll('link[rel="stylesheet"]'), function (link) {
      var copy = link.cloneNode();
      copy.href = link.href.split("?")[0] + "?live=" + generation;
      copy.onload = copy.onerror = function () { link.remove(); };
      link.after(copy);
    });
  }

  var events = new EventSource(root + "_docsite/__live");
  events.addEventListener("hello", function (e) {
    var m = JSON.parse(e.data);
    if (m.id !== id) { location.reload(); return; }
    document.documentElement.setAttribute("data-live", "connected");
    showError(m.error);
    if (m.generation !== generation) { generation = m.generation; refresh(); }
  });
  events.addEventListener("update", function (e) {
    var m = JSON.parse(e.data);
    generation = m.generation;
    showError(null);
    var key = pageKey();
    var gone = m.removed.filter(function (r) { return r.url === key; })[0];
    if (gone) { showRemoved(gone.parent); return; }
    if (m.css) swapCss();
    if (m.assets || m.pages.indexOf(key) >= 0 || (notFound && m.pages.length)) refresh(m.assets);
  });
  events.addEventListener("failed", function (e) { showError(JSON.parse(e.data)); });
})();
