/* docsite default theme: search.js (vanilla, no dependencies). docsite.js loads it on the
   first focus of the search box (#docsite-search); it then loads the index the build wrote
   under _docsite/search/ (see src/search.rs for the format) with <script> tags, so it works
   from file:// and under any URL prefix.
   Owns: query parsing (the same word split as the build), prefix and typo expansion on the
   term dictionary, loading only the postings shards and page entries a query needs,
   ranking (title > heading > body), the result list (ARIA combobox + listbox, arrow keys,
   Enter, Escape), snippets with <mark>ed matches. */
(function () {
  "use strict";
  var doc = document;
  var input = doc.getElementById("docsite-search");
  if (!input || window.docsiteSearch) return;
  var list = doc.getElementById("docsite-search-results");
  var status = doc.getElementById("docsite-search-status");
  var assets = input.getAttribute("data-assets") || "";
  var base = assets + "search/";
  var root = input.getAttribute("data-site-root") || "";
  var fromDisk = location.protocol === "file:";
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  var VALUE = {};
  for (var d = 0; d < DIGITS.length; d++) VALUE[DIGITS.charAt(d)] = d;
  var MAX_RESULTS = 6, MAX_PREFIX = 40, MAX_TYPO = 8, MIN_TYPO_CHARS = 5, SNIPPET = 170;

  /* ---- Loading: every file calls docsiteSearch.<kind>(...) ---- */
  var loads = {}, resolvers = {};
  function need(key, file) {
    if (!loads[key]) {
      loads[key] = new Promise(function (resolve, reject) {
        resolvers[key] = resolve;
        var s = doc.createElement("script");
        s.src = base + file;
        s.async = true;
        s.onerror = function () { delete loads[key]; reject(new Error("cannot load " + base + file)); };
        doc.head.appendChild(s);
      });
    }
    return loads[key];
  }
  function done(key, value) {
    var r = resolvers[key];
    if (r) { delete resolvers[key]; r(value); }
  }
  window.docsiteSearch = {
    index: function (data) {
      // Front-coded dictionary: one digit of shared-prefix length, then the rest.
      var terms = [], prev = "";
      data.t.split(" ").forEach(function (entry) {
        if (!entry) return;
        var t = Array.from(prev).slice(0, VALUE[entry.charAt(0)]).join("") + entry.slice(1);
        terms.push(t);
        prev = t;
      });
      done("index", { pages: data.n, terms: terms, starts: data.s, perFolder: data.f, postings: {} });
      input.setAttribute("data-search-ready", "");
    },
    shard: function (k, postings) { done("s" + k, postings); },
    page: function (i, entry) { done("p" + i, entry); }
  };

  /* ---- Words, as the build splits them ---- */
  // Rust's char::is_alphanumeric: Alphabetic (letters and the marks of scripts such as
  // Devanagari) or Numeric.
  var WORD = /[\p{Alphabetic}\p{N}]+/gu;
  function words(text) {
    return (text.toLowerCase().match(WORD) || []).filter(function (w) {
      var n = Array.from(w).length;
      return n >= 2 && n <= 24;
    });
  }
  function lowerBound(arr, x) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
  }
  // Optimal string alignment distance, but only "is it at most 1".
  function withinOne(a, b) {
    if (Math.abs(a.length - b.length) > 1 || a === b) return a === b;
    var i = 0;
    while (i < a.length && i < b.length && a.charAt(i) === b.charAt(i)) i++;
    if (a.length === b.length) {
      if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
      return a.charAt(i) === b.charAt(i + 1) && a.charAt(i + 1) === b.charAt(i) && a.slice(i + 2) === b.slice(i + 2); // swap
    }
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1); // deletion / insertion
  }

  /* ---- Expansion: each query word → dictionary terms with a match quality ---- */
  function expand(index, word) {
    var terms = index.terms, found = [], i = lowerBound(terms, word);
    if (terms[i] === word) found.push({ term: i, quality: 1 });
    for (var j = terms[i] === word ? i + 1 : i; j < terms.length && found.length < MAX_PREFIX; j++) {
      if (terms[j].lastIndexOf(word, 0) !== 0) break;
      found.push({ term: j, quality: 0.55 + 0.3 * word.length / terms[j].length });
    }
    if (terms[i] !== word && Array.from(word).length >= MIN_TYPO_CHARS) {
      var typos = 0;
      for (var k = 0; k < terms.length && typos < MAX_TYPO; k++) {
        if (terms[k] !== word && withinOne(word, terms[k])) { found.push({ term: k, quality: 0.5 }); typos++; }
      }
    }
    return found;
  }
  function shardOf(index, term) { return lowerBound(index.starts, term + 1) - 1; }
  // One term's postings: [page, weight, page, weight, ...].
  function postings(index, shards, term) {
    if (index.postings[term]) return index.postings[term];
    var k = shardOf(index, term), s = shards[k][term - index.starts[k]] || "", out = [], page = 0, n = 0;
    for (var c = 0; c < s.length; c++) {
      var v = VALUE[s.charAt(c)];
      if (v >= 32) { n = n * 32 + (v - 32); continue; }
      page += n * 32 + v;
      n = 0;
      c++;
      out.push(page, VALUE[s.charAt(c)]);
    }
    return (index.postings[term] = out);
  }

  /* ---- Ranking ---- */
  function rank(index, shards, groups) {
    var pages = {};
    groups.forEach(function (group, g) {
      group.forEach(function (m) {
        var p = postings(index, shards, m.term), idf = Math.log(1 + index.pages / Math.max(1, p.length / 2));
        for (var i = 0; i < p.length; i += 2) {
          var score = m.quality * (1 + p[i + 1]) * idf, e = pages[p[i]];
          if (!e) e = pages[p[i]] = { page: p[i], best: [], score: 0, matched: 0 };
          if (!(e.best[g] >= score)) e.best[g] = score;
        }
      });
    });
    var all = Object.keys(pages).map(function (k) {
      var e = pages[k];
      e.best.forEach(function (s) { if (s) { e.score += s; e.matched++; } });
      return e;
    });
    var full = all.filter(function (e) { return e.matched === groups.length; });
    var shown = full.length ? full : all;
    shown.sort(function (a, b) { return b.matched - a.matched || b.score - a.score || a.page - b.page; });
    return shown.slice(0, MAX_RESULTS);
  }

  /* ---- Rendering ---- */
  function matcher(index, groups) {
    var set = {};
    groups.forEach(function (group) { group.forEach(function (m) { set[index.terms[m.term]] = true; }); });
    return function (w) { return set[w.toLowerCase()] === true; };
  }
  // Appends `text` to `el`, with matching words in <mark>.
  function marked(el, text, isMatch) {
    var last = 0, m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      if (!isMatch(m[0])) continue;
      if (m.index > last) el.appendChild(doc.createTextNode(text.slice(last, m.index)));
      var mark = doc.createElement("mark");
      mark.textContent = m[0];
      el.appendChild(mark);
      last = m.index + m[0].length;
    }
    if (last < text.length) el.appendChild(doc.createTextNode(text.slice(last)));
  }
  function countMatches(text, isMatch) {
    var n = 0, m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) if (isMatch(m[0])) n++;
    return n;
  }
  // The section to open: a heading match beats body matches; ties go to the earlier one.
  function bestSection(entry, isMatch) {
    var best = null, bestScore = -1;
    entry.x.forEach(function (s) {
      var score = countMatches(s[1], isMatch) * 20 + Math.min(countMatches(s[3], isMatch), 10);
      if (score > bestScore) { best = s; bestScore = score; }
    });
    return best;
  }
  function snippet(text, isMatch) {
    var m, at = -1;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) if (isMatch(m[0])) { at = m.index; break; }
    var start = at < 0 ? 0 : Math.max(0, at - 50);
    if (start > 0) { var space = text.indexOf(" ", start); if (space >= 0 && space < at) start = space + 1; }
    var end = Math.min(text.length, start + SNIPPET);
    if (end < text.length) { var cut = text.lastIndexOf(" ", end); if (cut > start + 60) end = cut; }
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  }
  function pageHref(entry, section) {
    var url = root + entry.u;
    if (fromDisk && (url === "" || url.charAt(url.length - 1) === "/")) url += "index.html";
    if (section && section[0] && section[2] >= 2) url += "#" + encodeURIComponent(section[0]);
    return url;
  }
  function span(cls, parent) {
    var s = doc.createElement("span");
    s.className = cls;
    parent.appendChild(s);
    return s;
  }
  function render(results, entries, isMatch, query) {
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (!results.length) {
      var empty = doc.createElement("li");
      empty.className = "search-empty";
      empty.setAttribute("role", "presentation");
      empty.textContent = "No results for “" + query + "”";
      list.appendChild(empty);
    }
    results.forEach(function (r, n) {
      var entry = entries[n], section = bestSection(entry, isMatch);
      // The link itself is the option: an option may not hold an interactive element.
      var li = doc.createElement("li");
      li.className = "search-result";
      li.setAttribute("role", "presentation");
      var a = doc.createElement("a");
      a.href = pageHref(entry, section);
      a.tabIndex = -1;
      a.id = "docsite-search-option-" + n;
      a.setAttribute("role", "option");
      a.setAttribute("aria-selected", "false");
      if (entry.b.length) span("search-crumbs", a).textContent = entry.b.join(" › ");
      var title = span("search-title", a);
      marked(title, entry.t, isMatch);
      entry.s.forEach(function (s) {
        title.appendChild(doc.createTextNode(" "));
        span("badge badge-" + s[1], title).textContent = s[0];
      });
      if (section && section[2] >= 2) marked(span("search-heading", a), section[1], isMatch);
      if (section && section[3]) marked(span("search-snippet", a), snippet(section[3], isMatch), isMatch);
      li.appendChild(a);
      list.appendChild(li);
    });
    open(true);
    status.textContent = results.length ? results.length + " result" + (results.length === 1 ? "" : "s") : "No results";
  }

  /* ---- The query loop ---- */
  var seq = 0;
  function search() {
    var mine = ++seq, query = input.value.trim(), qwords = words(query);
    if (!qwords.length) { list.textContent = ""; open(false); status.textContent = ""; return; }
    var t0 = performance.now();
    need("index", "index.js").then(function (index) {
      if (mine !== seq) return null;
      var groups = qwords.map(function (w) { return expand(index, w); });
      var wanted = {};
      groups.forEach(function (g) { g.forEach(function (m) { wanted[shardOf(index, m.term)] = true; }); });
      var keys = Object.keys(wanted);
      return Promise.all(keys.map(function (k) { return need("s" + k, "s" + k + ".js"); })).then(function (loaded) {
        if (mine !== seq) return null;
        var shards = {};
        keys.forEach(function (k, i) { shards[k] = loaded[i]; });
        var results = rank(index, shards, groups);
        return Promise.all(results.map(function (r) { return need("p" + r.page, "p/" + Math.floor(r.page / index.perFolder) + "/" + r.page + ".js"); })).then(function (entries) {
          if (mine !== seq) return;
          render(results, entries, matcher(index, groups), query);
          input.setAttribute("data-search-ms", String(Math.round(performance.now() - t0)));
        });
      });
    }).catch(function (e) {
      if (window.console) console.error("docsite search:", e);
      status.textContent = "Search is not available";
    });
  }

  /* ---- Combobox behaviour ---- */
  var active = -1;
  function options() { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]')); }
  function open(yes) {
    list.hidden = !yes;
    input.setAttribute("aria-expanded", yes ? "true" : "false");
  }
  function select(n) {
    var opts = options();
    if (!opts.length) return;
    active = (n + opts.length) % opts.length;
    opts.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", opts[active].id);
    opts[active].scrollIntoView({ block: "nearest" });
  }
  function go() {
    var opts = options(), a = opts[active < 0 ? 0 : active];
    if (!a) return;
    open(false);
    location.href = a.href;
  }
  input.addEventListener("input", search);
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) search(); else select(active + 1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); select(active - 1); }
    else if (e.key === "Enter") { e.preventDefault(); go(); }
    else if (e.key === "Escape") {
      if (!list.hidden) open(false);
      else { input.value = ""; input.blur(); }
    }
  });
  // A result on this page only changes the hash: close the list either way.
  list.addEventListener("click", function () { open(false); });
  input.addEventListener("focus", function () { if (list.childNodes.length && input.value.trim()) open(true); });
  doc.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest(".search")) open(false);
  });
  // Start the index download now, and answer whatever was typed while this file loaded.
  need("index", "index.js").catch(function () { /* reported on the first query */ });
  if (input.value.trim()) search();
})();
