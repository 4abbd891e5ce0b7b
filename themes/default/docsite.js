/* docsite default theme: docsite.js (vanilla, no dependencies, loaded with `defer`).
   Owns: pretty-URL fix for file:// browsing, light/dark toggle (localStorage
   "docsite-theme"), the mobile sidebar drawer, collapsible nav sections,
   scrolling the current nav item into view, copy buttons on code blocks,
   focus for code and tables that scroll sideways,
   accessible tabs (+ activating the tab that holds location.hash; a tab chosen
   by label selects the same label in every group, here and on later pages,
   through localStorage "docsite-tab"), moving
   page state badges under a content-supplied <h1>, TOC scroll-spy, the search
   box's shortcuts (`/`, Ctrl-K, Cmd-K) plus loading search.js on its first focus,
   and opening closed <details> while the page prints.
   Every feature is optional: without this file the page is fully readable. */
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var THEME_KEY = "docsite-theme";
  var TAB_KEY = "docsite-tab";

  // `docsite serve` runs this script again after it swaps in a page's new body (live
  // reload). What a run hangs on the document, the window and media queries is released
  // then, or every save would add a copy that keeps the old page alive and runs on each
  // key press, hash change and scroll.
  if (window.docsiteRelease) window.docsiteRelease.abort();
  var release = window.AbortController ? new AbortController() : null;
  window.docsiteRelease = release;
  var lasting = release ? { signal: release.signal } : false;
  function onRelease(fn) { if (release) release.signal.addEventListener("abort", fn); }

  function $$(sel, ctx) { return Array.prototype.slice.call((ctx || doc).querySelectorAll(sel)); }
  function byHash(hash) {
    if (!hash || hash.length < 2) return null;
    var id = hash.slice(1);
    try { id = decodeURIComponent(id); } catch (e) { /* keep raw */ }
    return doc.getElementById(id);
  }

  /* ---- 1. file:// : folder links -> folder/index.html ---- */
  function fixFileLinks(ctx) {
    if (location.protocol !== "file:") return;
    $$("a[href]", ctx).forEach(function (a) {
      var href = a.getAttribute("href");
      // leave schemes (http:, mailto:, ...), protocol-relative, absolute paths and pure #hash alone
      if (!href || /^([a-z][a-z0-9+.-]*:|\/|#)/i.test(href)) return;
      var cut = href.search(/[?#]/);
      var path = cut < 0 ? href : href.slice(0, cut);
      var rest = cut < 0 ? "" : href.slice(cut);
      if (path === "") return; // "?x" refers to the current file
      if (/(^|\/)\.\.?$/.test(path)) path += "/";
      if (path.charAt(path.length - 1) === "/") a.setAttribute("href", path + "index.html" + rest);
    });
  }

  /* ---- 2. Theme toggle ---- */
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function storedTheme() {
    try { var t = localStorage.getItem(THEME_KEY); return t === "light" || t === "dark" ? t : null; }
    catch (e) { return null; }
  }
  function systemTheme() { return darkQuery && darkQuery.matches ? "dark" : "light"; }
  function currentTheme() { return root.getAttribute("data-theme") || systemTheme(); }
  function applyTheme(t) {
    if (t) root.setAttribute("data-theme", t); else root.removeAttribute("data-theme");
    updateToggles();
    syncPictures(t);
  }
  // A <picture> source for one colour scheme (`media="(prefers-color-scheme: dark)"`, as in
  // GitHub READMEs) follows the system; a theme chosen here must win, so while one is chosen
  // such a source applies exactly when it names that theme. Its own query is kept aside.
  function syncPictures(t) {
    $$("picture > source[media*='prefers-color-scheme'], picture > source[data-media]").forEach(function (s) {
      var media = s.getAttribute("data-media") || s.getAttribute("media");
      s.setAttribute("data-media", media);
      var names = /prefers-color-scheme\s*:\s*(dark|light)/.exec(media);
      s.setAttribute("media", !t || !names ? media : names[1] === t ? "all" : "not all");
    });
  }
  function updateToggles() {
    var label = currentTheme() === "dark" ? "Switch to light theme" : "Switch to dark theme";
    $$(".theme-toggle").forEach(function (b) { b.setAttribute("aria-label", label); b.title = label; });
  }
  function initTheme() {
    $$(".theme-toggle").forEach(function (b) {
      b.addEventListener("click", function () {
        var next = currentTheme() === "dark" ? "light" : "dark";
        // Choosing what the system already shows means "follow the system" again.
        var store = next === systemTheme() ? null : next;
        try { if (store) localStorage.setItem(THEME_KEY, store); else localStorage.removeItem(THEME_KEY); } catch (e) { /* private mode */ }
        applyTheme(store);
      });
    });
    if (darkQuery) {
      var onSystem = function () { applyTheme(storedTheme()); };
      if (darkQuery.addEventListener) darkQuery.addEventListener("change", onSystem, lasting);
      else if (darkQuery.addListener) darkQuery.addListener(onSystem);
    }
    window.addEventListener("storage", function (e) { if (e.key === THEME_KEY) applyTheme(storedTheme()); }, lasting);
    applyTheme(storedTheme());
  }

  /* ---- 3. Sidebar: drawer, collapsible sections, current item ---- */
  function initSidebar() {
    var sidebar = doc.getElementById("docsite-sidebar");
    if (!sidebar) return;
    var menu = doc.querySelector(".menu-button");
    var main = doc.getElementById("docsite-main");
    var toc = doc.querySelector(".toc-sidebar");
    var backdrop = null;

    function isOpen() { return root.classList.contains("nav-open"); }
    function setOpen(open, restoreFocus) {
      if (!menu || open === isOpen()) return;
      root.classList.toggle("nav-open", open);
      menu.setAttribute("aria-expanded", String(open));
      menu.setAttribute("aria-label", open ? "Close navigation" : "Open navigation");
      if (main) main.inert = open;
      if (toc) toc.inert = open;
      if (open) {
        if (!backdrop) {
          backdrop = doc.createElement("div");
          backdrop.className = "nav-backdrop";
          backdrop.addEventListener("click", function () { setOpen(false, true); });
        }
        doc.body.appendChild(backdrop);
        var target = sidebar.querySelector('[aria-current="page"]') || sidebar.querySelector("a, button");
        if (target) target.focus();
      } else {
        if (backdrop && backdrop.parentNode) backdrop.parentNode.removeChild(backdrop);
        if (restoreFocus) menu.focus();
      }
    }
    if (menu) {
      menu.addEventListener("click", function () { setOpen(!isOpen(), true); });
      doc.addEventListener("keydown", function (e) {
        if ((e.key === "Escape" || e.key === "Esc") && isOpen()) { e.preventDefault(); setOpen(false, true); }
      }, lasting);
      if (window.matchMedia) {
        var wide = window.matchMedia("(min-width: 56.25rem)");
        var onWide = function () { if (wide.matches) setOpen(false, false); };
        if (wide.addEventListener) wide.addEventListener("change", onWide, lasting); else if (wide.addListener) wide.addListener(onWide);
      }
    }

    sidebar.addEventListener("click", function (e) {
      var btn = e.target.closest("[data-nav-toggle]");
      if (btn) {
        var expanded = btn.getAttribute("aria-expanded") === "true";
        btn.setAttribute("aria-expanded", String(!expanded));
        var list = doc.getElementById(btn.getAttribute("aria-controls"));
        if (list) { list.classList.remove("is-collapsed"); list.hidden = expanded; }
        return;
      }
      // a same-page link (e.g. "#section") does not unload the page: close the drawer
      if (e.target.closest("a[href]") && isOpen()) setOpen(false, false);
    });

    // Scroll the current item into view inside the sidebar only (never the page).
    var current = sidebar.querySelector('[aria-current="page"]');
    if (current) {
      var s = sidebar.getBoundingClientRect(), c = current.getBoundingClientRect();
      if (c.top < s.top || c.bottom > s.bottom) sidebar.scrollTop += c.top - s.top - s.height / 3;
    }
  }

  /* ---- 3b. Large sites: the top-level list ships once, in _docsite/nav.js ---- */
  // Each page carries only its own top-level branch (li[data-root]); the script holds
  // every top-level entry, and the list is rebuilt in manifest order around that branch.
  function initDeferredNav() {
    var list = doc.querySelector(".site-nav > .nav-list[data-nav-rest]");
    if (!list) return;
    var src = list.getAttribute("data-nav-rest");
    var prefix = src.replace(/_docsite\/nav\.js$/, "");
    var script = doc.createElement("script");
    script.src = src;
    script.onload = function () { run(function () {
      var entries = window.docsiteNav || [];
      var kept = {};
      $$(":scope > li[data-root]", list).forEach(function (li) { kept[li.getAttribute("data-root")] = li; });
      var frag = doc.createDocumentFragment();
      entries.forEach(function (entry, i) { frag.appendChild(kept[i] || navEntry(entry, prefix, "dsnav-" + (i + 1))); });
      list.textContent = "";
      list.appendChild(frag);
      fixFileLinks(list);
    }); };
    doc.head.appendChild(script);
  }
  function navEntry(e, prefix, id) {
    var li = doc.createElement("li");
    if (e.c) li.className = "has-children";
    var row = doc.createElement("div");
    row.className = "nav-row";
    var kids = e.k && e.k.length ? e.k : null;
    var link = doc.createElement(e.u !== null ? "a" : kids ? "button" : "span");
    link.className = e.u !== null ? "nav-link" : "nav-link nav-section";
    if (e.u !== null) link.setAttribute("href", prefix + e.u);
    if (kids) {
      link.type = "button";
      link.setAttribute("data-nav-toggle", "");
      link.setAttribute("aria-expanded", "false");
      link.setAttribute("aria-controls", id);
    }
    if (e.i) {
      var img = doc.createElement("img");
      img.className = "nav-icon"; img.src = prefix + e.i; img.alt = "";
      link.appendChild(img);
    }
    var title = doc.createElement("span");
    title.className = "nav-title";
    title.textContent = e.t;
    (e.s || []).forEach(function (s) {
      var b = doc.createElement("span");
      b.className = "badge badge-" + s[1];
      b.textContent = s[0];
      title.appendChild(doc.createTextNode(" "));
      title.appendChild(b);
    });
    link.appendChild(title);
    row.appendChild(link);
    li.appendChild(row);
    if (kids) {
      var ul = doc.createElement("ul");
      ul.className = "nav-list is-collapsed"; ul.id = id; ul.hidden = true;
      kids.forEach(function (k, j) { ul.appendChild(navEntry(k, prefix, id + "-" + (j + 1))); });
      li.appendChild(ul);
    }
    return li;
  }

  /* ---- 4. Copy buttons ---- */
  var live = null;
  function announce(msg) {
    if (!live) {
      live = doc.createElement("div");
      live.className = "sr-only";
      live.setAttribute("aria-live", "polite");
      doc.body.appendChild(live);
    }
    live.textContent = "";
    setTimeout(function () { live.textContent = msg; }, 30);
  }
  function fallbackCopy(text) {
    var active = doc.activeElement;
    var ta = doc.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;opacity:0;pointer-events:none";
    doc.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
    doc.body.removeChild(ta);
    if (active && active.focus) active.focus();
    return ok;
  }
  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallbackCopy(text); });
    }
    return Promise.resolve(fallbackCopy(text));
  }
  function initCopy() {
    $$(".code-block").forEach(function (block) {
      var code = block.querySelector("code") || block.querySelector("pre");
      if (!code) return;
      var btn = doc.createElement("button");
      btn.type = "button";
      btn.className = "copy-button";
      btn.textContent = "Copy";
      btn.setAttribute("aria-label", "Copy code to clipboard");
      var timer = 0;
      btn.addEventListener("click", function () {
        copyText(code.textContent.replace(/\n$/, "")).then(function (ok) {
          btn.textContent = ok ? "Copied" : "Copy failed";
          btn.setAttribute("aria-label", ok ? "Copied" : "Copy failed");
          btn.classList.toggle("is-copied", ok);
          announce(ok ? "Code copied to clipboard" : "Copy failed");
          clearTimeout(timer);
          timer = setTimeout(function () {
            btn.textContent = "Copy";
            btn.setAttribute("aria-label", "Copy code to clipboard");
            btn.classList.remove("is-copied");
          }, 1800);
        });
      });
      block.appendChild(btn);
    });
  }

  /* ---- 5. Tabs ---- */
  var tabGroups = 0;
  // A reader who picks "macOS" in one group wants it in the others: each group offers
  // `show(label)`, and a choice is kept for the next pages (as MkDocs Material's linked tabs
  // and Docusaurus's tab groups do). A link to a heading inside a tab still wins (revealHash).
  function storedTab() { try { return localStorage.getItem(TAB_KEY); } catch (e) { return null; } }
  function initTabs() {
    var groups = [];
    function choose(label, from) {
      try { localStorage.setItem(TAB_KEY, label); } catch (e) { /* private mode */ }
      // Groups above may change height: keep the chosen tab where the reader's pointer is.
      var before = from.getBoundingClientRect().top;
      groups.forEach(function (g) { g.show(label); });
      var moved = from.getBoundingClientRect().top - before;
      if (moved) window.scrollBy(0, moved);
    }
    $$(".tabs[data-tabs]").forEach(function (box) {
      var panels = Array.prototype.filter.call(box.children, function (el) { return el.classList.contains("tab-panel"); });
      if (!panels.length) return;
      var n = ++tabGroups;
      var list = doc.createElement("div");
      list.className = "tab-list";
      list.setAttribute("role", "tablist");
      var tabs = panels.map(function (panel, i) {
        var tab = doc.createElement("button");
        tab.type = "button";
        tab.id = "docsite-tabs-" + n + "-" + (i + 1);
        tab.setAttribute("role", "tab");
        tab.textContent = panel.getAttribute("data-tab-label") || "Tab " + (i + 1);
        if (!panel.id) panel.id = tab.id + "-panel";
        tab.setAttribute("aria-controls", panel.id);
        panel.setAttribute("role", "tabpanel");
        panel.setAttribute("aria-labelledby", tab.id);
        panel.tabIndex = 0;
        var head = panel.firstElementChild;
        if (head && /^H[1-6]$/.test(head.tagName)) {
          head.classList.add("tab-heading"); // visually hidden, still a #target
          $$("a", head).forEach(function (a) { a.tabIndex = -1; });
        }
        list.appendChild(tab);
        return tab;
      });
      function select(index, focus) {
        tabs.forEach(function (tab, i) {
          var on = i === index;
          tab.setAttribute("aria-selected", String(on));
          tab.tabIndex = on ? 0 : -1;
          panels[i].hidden = !on;
        });
        // A hidden panel's code had no width to measure.
        markScrollers(panels[index]);
        if (focus) tabs[index].focus();
      }
      var labels = tabs.map(function (tab) { return tab.textContent; });
      // Choosing selects this group's tab too (it is one of the groups).
      function pick(i, focus) {
        choose(labels[i], tabs[i]);
        if (focus) tabs[i].focus();
      }
      list.addEventListener("click", function (e) {
        var i = tabs.indexOf(e.target.closest('[role="tab"]'));
        if (i >= 0) pick(i, false);
      });
      list.addEventListener("keydown", function (e) {
        var i = tabs.indexOf(doc.activeElement), last = tabs.length - 1, to = -1;
        if (i < 0) return;
        if (e.key === "ArrowRight") to = i === last ? 0 : i + 1;
        else if (e.key === "ArrowLeft") to = i === 0 ? last : i - 1;
        else if (e.key === "Home") to = 0;
        else if (e.key === "End") to = last;
        if (to < 0) return;
        e.preventDefault();
        pick(to, true);
      });
      box.insertBefore(list, panels[0]);
      box.classList.add("tabs-ready");
      box.docsiteShow = function (panel) {
        var i = panels.indexOf(panel);
        if (i < 0 || !panel.hidden) return false;
        select(i, false);
        return true;
      };
      groups.push({ show: function (label) { var i = labels.indexOf(label); if (i >= 0) select(i, false); } });
      select(Math.max(0, labels.indexOf(storedTab())), false);
    });
  }
  // Make the target of location.hash visible if it sits in an inactive tab panel.
  function revealHash(initial) {
    var how = { block: "start", behavior: initial ? "instant" : "auto" };
    var target = byHash(location.hash);
    if (!target) return;
    var changed = false, el = target;
    while (el && (el = el.closest(".tab-panel"))) {
      var box = el.parentElement;
      if (box && box.docsiteShow && box.docsiteShow(el)) changed = true;
      el = box;
    }
    if (target.classList.contains("tab-heading") && target.closest(".tabs")) {
      // The heading is hidden: show the whole tab group, tab list included.
      target.closest(".tabs").scrollIntoView(how);
    } else if (changed) {
      target.scrollIntoView(how);
    }
  }

  /* ---- 5b. Tables: give long-text cells a readable minimum width (the table scrolls instead) ---- */
  function initTables() {
    $$(".doc-content td").forEach(function (td) {
      var n = td.textContent.length;
      if (n > 80) td.classList.add("cell-long");
      else if (n > 40) td.classList.add("cell-medium");
    });
  }

  /* ---- 5c. Code and tables wider than the page scroll sideways: keyboard users must be able
     to reach them (focus, then the arrow keys), so those that do scroll take focus ---- */
  function markScrollers(ctx) {
    $$(".code-block pre, .doc-content table", ctx).forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && el.tabIndex < 0) el.tabIndex = 0;
      else if (!scrolls && el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
    });
  }
  function initScrollers() {
    markScrollers(doc);
    var pending = 0;
    window.addEventListener("resize", function () {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function () { markScrollers(doc); });
    }, lasting);
  }

  /* ---- 6. Page state badges go under a content-supplied <h1> ---- */
  function placeStates() {
    var states = doc.querySelector(".page-states[data-after-h1]");
    var h1 = doc.querySelector(".doc-content > h1:first-child");
    if (states && h1) h1.parentNode.insertBefore(states, h1.nextSibling);
  }

  /* ---- 7. TOC scroll-spy ---- */
  function initScrollSpy() {
    var links = $$('.toc a[href^="#"]');
    if (!links.length || !("IntersectionObserver" in window)) return;
    var items = [];
    links.forEach(function (a) {
      var el = byHash(a.getAttribute("href"));
      if (el) items.push({ link: a, el: el });
    });
    if (!items.length) return;
    var active = null, queued = false;
    var tocBox = doc.querySelector(".toc-sidebar");
    function setActive(item) {
      if (item === active) return;
      if (active) { active.link.classList.remove("is-active"); active.link.removeAttribute("aria-current"); }
      active = item;
      if (!item) return;
      item.link.classList.add("is-active");
      item.link.setAttribute("aria-current", "true");
      if (tocBox && tocBox.scrollHeight > tocBox.clientHeight) {
        var b = tocBox.getBoundingClientRect(), r = item.link.getBoundingClientRect();
        if (r.top < b.top || r.bottom > b.bottom) tocBox.scrollTop += r.top - b.top - b.height / 2;
      }
    }
    function update() {
      queued = false;
      var line = window.innerHeight * 0.3, found = null, visible = [];
      items.forEach(function (it) {
        var r = it.el.getBoundingClientRect();
        if (!r.width && !r.height) return; // inside a hidden tab panel
        visible.push(it);
        if (r.top <= line) found = it;
      });
      var bottom = window.innerHeight + window.scrollY >= doc.documentElement.scrollHeight - 4;
      if (bottom && visible.length) found = visible[visible.length - 1];
      setActive(found || visible[0] || null);
    }
    function schedule() {
      if (queued) return;
      queued = true;
      (window.requestAnimationFrame || setTimeout)(update);
    }
    var io = new IntersectionObserver(schedule, { rootMargin: "0px 0px -70% 0px", threshold: [0, 1] });
    items.forEach(function (it) { io.observe(it.el); });
    var footer = doc.querySelector(".site-footer"), footerIo = new IntersectionObserver(schedule);
    if (footer) footerIo.observe(footer);
    onRelease(function () { io.disconnect(); footerIo.disconnect(); });
    window.addEventListener("hashchange", schedule, lasting);
    doc.addEventListener("click", function (e) { if (e.target.closest('[role="tab"]')) schedule(); }, lasting);
    update();
  }

  /* ---- 8. Search: shortcuts here; search.js (the rest) loads on first focus ---- */
  function initSearch() {
    var input = doc.getElementById("docsite-search");
    if (!input) return;
    var loading = false;
    input.addEventListener("focus", function () {
      if (loading) return;
      loading = true;
      var s = doc.createElement("script");
      s.src = input.getAttribute("data-assets") + "search.js";
      doc.head.appendChild(s);
    });
    doc.addEventListener("keydown", function (e) {
      var t = e.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      var ctrlK = (e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
      var slash = e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey;
      if (!ctrlK && !slash) return;
      e.preventDefault();
      input.focus();
      input.select();
    }, lasting);
  }

  /* ---- 9. Print: paper cannot click ---- */
  function initPrint() {
    // The stylesheet prints an outside link's address after it: not where the text is that address.
    var bare = function (s) { return s.trim().replace(/^https?:\/\//, "").replace(/\/$/, ""); };
    $$('.doc-content a[href^="http:"], .doc-content a[href^="https:"]').forEach(function (a) {
      if (bare(a.textContent) === bare(a.getAttribute("href"))) a.classList.add("link-is-url");
    });
    // A closed <details> prints as its summary alone: open it for the print, and close
    // afterwards only what was opened here.
    var opened = [];
    window.addEventListener("beforeprint", function () {
      $$("details:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
    }, lasting);
    window.addEventListener("afterprint", function () {
      opened.forEach(function (d) { d.open = false; });
      opened = [];
    }, lasting);
  }

  function run(fn) { try { fn(); } catch (e) { if (window.console) console.error("docsite:", e); } }
  run(function () { fixFileLinks(doc); });
  run(initDeferredNav);
  run(initTheme);
  run(placeStates);
  run(initSidebar);
  run(initCopy);
  run(initTabs);
  run(initTables);
  run(initScrollers);
  run(function () { revealHash(true); });
  run(initScrollSpy);
  run(initSearch);
  run(initPrint);
  window.addEventListener("hashchange", function () { run(function () { revealHash(false); }); }, lasting);
})();
