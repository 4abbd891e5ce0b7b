//! What a person sees: a corpus page in a real headless Chromium (Debian's `chromium`),
//! in light and dark mode. A probe page loads the built page in a same-origin iframe and
//! reads computed styles: the sidebar is visible with the current page marked, code is
//! coloured, and a callout is styled. Screenshots are kept in
//! `target/browser-screenshots/` for people to look at. A fixture page printed (print media,
//! over DevTools) shows the article alone, in the light palette, with every tab and
//! `<details>` open.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::cdp::{Browser, Tab, chromium};
use common::{build, corpus, stderr};
use serde_json::{Value, json};

const PAGE: &str = "/ai-coder/ai-gateway/standalone/";

/// The probe: loads `?page=` in an iframe after setting the stored theme, then reports
/// what the page looks like as JSON in `#probe-result`.
const PROBE: &str = r##"<!doctype html><html><head><style>body{margin:0}iframe{border:0;width:1280px;height:900px}</style></head><body>
<pre id="probe-result">pending</pre>
<script>
const q = new URLSearchParams(location.search);
localStorage.setItem("docsite-theme", q.get("theme"));
const frame = document.createElement("iframe");
if (q.get("width")) frame.style.width = q.get("width") + "px";
frame.src = q.get("page");
frame.onload = () => {
  const d = frame.contentDocument, w = frame.contentWindow;
  const style = (el) => el ? w.getComputedStyle(el) : null;
  const lum = (c) => { const m = c.match(/\d+(\.\d+)?/g).map(Number); return (0.2126*m[0] + 0.7152*m[1] + 0.0722*m[2]) / 255; };
  const visible = (el) => { if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && style(el).visibility !== "hidden" && style(el).display !== "none"; };
  const nav = d.querySelector("nav.site-nav");
  const current = d.querySelector('nav.site-nav [aria-current="page"]');
  const code = d.querySelector("pre.hl code");
  const codeColor = style(code) && style(code).color;
  const tokens = [...d.querySelectorAll("pre.hl code span[class*='hl-']")];
  const coloured = tokens.filter((s) => style(s).color !== codeColor).length;
  const bg = (el) => el ? style(el).backgroundColor : "rgba(0, 0, 0, 0)";
  const callout = d.querySelector(".callout-note");
  const icon = callout && callout.querySelector(".callout-icon");
  const cs = style(callout);
  const bodyBg = style(d.body).backgroundColor;
  // Whether the search box shows its whole placeholder: typed in as a value, the word must
  // not scroll (the box's padding and Chrome's clear button take room from the text).
  const search = d.querySelector(".search-input");
  const fits = (input) => {
    if (!input) return null;
    const typed = input.value;
    input.value = input.placeholder;
    const ok = input.scrollWidth <= input.clientWidth;
    input.value = typed;
    return ok;
  };
  const result = {
    theme: d.documentElement.getAttribute("data-theme"),
    navVisible: visible(nav) && nav.getBoundingClientRect().width > 150,
    navItems: nav ? nav.querySelectorAll("a").length : 0,
    currentMarked: !!current && [current, current.closest(".nav-row"), current.closest("li")].some((el) => bg(el) !== "rgba(0, 0, 0, 0)"),
    codeTokens: tokens.length,
    codeColoured: coloured,
    calloutStyled: !!cs && cs.backgroundColor !== bodyBg && cs.borderLeftWidth !== "0px",
    calloutIconVisible: visible(icon),
    calloutLabel: callout ? callout.querySelector(".callout-title").textContent.trim() : null,
    bodyLuminance: lum(bodyBg),
    textLuminance: lum(style(d.body).color),
    horizontalOverflow: d.documentElement.scrollWidth > w.innerWidth + 1,
    copyButtons: d.querySelectorAll(".code-block button").length,
    codeBlocks: d.querySelectorAll(".code-block").length,
    sidebarShown: visible(d.querySelector("#docsite-sidebar")) && d.querySelector("#docsite-sidebar").getBoundingClientRect().right > 0,
    menuButtonShown: visible(d.querySelector(".menu-button")),
    searchPlaceholderFits: fits(search),
  };
  document.getElementById("probe-result").textContent = JSON.stringify(result);
};
document.body.appendChild(frame);
</script></body></html>"##;

/// axe-core, Deque's accessibility checker (MPL-2.0; see `tests/vendor/axe-core/README.md`),
/// injected into pages by the accessibility test.
const AXE: &str = include_str!("vendor/axe-core/axe.min.js");

/// The search probe (also used by `bench/search.sh`): presses `/`, types each `?q=`, records
/// the results and the search files loaded, then with `?enter` presses ArrowDown and Enter.
const SEARCH_PROBE: &str = include_str!("search_probe.html");

/// Serves `root` on 127.0.0.1 (port 0) from background threads, plus the probe page.
///
/// A thread per connection: the simplest server that no idle socket can starve (Chrome
/// opens idle "preconnect" sockets; unpatched tiny_http 0.12 could leave a request queued
/// behind them for minutes, see `vendor/tiny_http/PATCHES.md`).
fn serve(root: PathBuf) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || answer(stream, &root));
        }
    });
    format!("http://{addr}")
}

/// Answers one GET on `stream` and closes it.
fn answer(mut stream: std::net::TcpStream, root: &Path) {
    use std::io::{BufRead, BufReader, Write};
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Drain the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let url = target.split('?').next().unwrap_or("/");
    let probe = match url {
        "/__probe.html" => Some((PROBE, "text/html; charset=utf-8")),
        "/__search.html" => Some((SEARCH_PROBE, "text/html; charset=utf-8")),
        "/__axe.js" => Some((AXE, "text/javascript")),
        _ => None,
    };
    let (status, body, ctype) = if let Some((probe, ctype)) = probe {
        ("200 OK", probe.as_bytes().to_vec(), ctype)
    } else {
        let mut rel = percent_encoding::percent_decode_str(url)
            .decode_utf8_lossy()
            .trim_start_matches('/')
            .to_string();
        if rel.is_empty() || rel.ends_with('/') {
            rel.push_str("index.html");
        }
        let ctype = match Path::new(&rel).extension().and_then(|e| e.to_str()) {
            Some("html") => "text/html; charset=utf-8",
            Some("css") => "text/css",
            Some("js") => "text/javascript",
            Some("svg") => "image/svg+xml",
            _ => "application/octet-stream",
        };
        let safe = !rel.split('/').any(|s| s == "..");
        match safe.then(|| std::fs::read(root.join(&rel)).ok()).flatten() {
            Some(body) => ("200 OK", body, ctype),
            None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        }
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body));
}

/// Runs the probe page and returns what it measured.
fn dump_probe(bin: &Path, probe: &str) -> serde_json::Value {
    probe_result(&chrome(bin, &["--dump-dom", probe]))
}

/// The JSON a probe page left in `#probe-result`.
fn probe_result(dom: &str) -> serde_json::Value {
    let json = dom
        .split("<pre id=\"probe-result\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or_else(|| panic!("no probe result in DOM:\n{dom}"));
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn chrome(bin: &Path, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1280,900",
            "--virtual-time-budget=4000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Builds the corpus into a fresh folder and serves it: the folder (removed when dropped),
/// chromium and the server's base URL.
fn corpus_site() -> Option<(tempfile::TempDir, PathBuf, String)> {
    let (Some(docs), Some(bin)) = (corpus(), chromium()) else {
        return None;
    };
    let work = tempfile::tempdir().unwrap();
    let site = work.path().join("site");
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    Some((work, bin, serve(site)))
}

#[test]
fn corpus_page_looks_right_in_light_and_dark_mode() {
    let Some((_work, bin, base)) = corpus_site() else {
        return;
    };
    let shots = common::root().join("target/browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    for theme in ["light", "dark"] {
        let probe = format!("{base}/__probe.html?theme={theme}&page={PAGE}");
        let r = dump_probe(&bin, &probe);
        assert_eq!(r["theme"], theme, "{r}");
        assert_eq!(r["navVisible"], true, "sidebar visible: {r}");
        assert!(r["navItems"].as_u64().unwrap() > 10, "{r}");
        assert_eq!(r["currentMarked"], true, "current page highlighted: {r}");
        let tokens = r["codeTokens"].as_u64().unwrap();
        assert!(
            tokens > 10 && r["codeColoured"].as_u64().unwrap() * 4 > tokens,
            "code is coloured: {r}"
        );
        assert_eq!(r["calloutStyled"], true, "{r}");
        assert_eq!(r["calloutIconVisible"], true, "{r}");
        assert_eq!(r["calloutLabel"], "Note", "{r}");
        assert_eq!(r["horizontalOverflow"], false, "{r}");
        assert_eq!(
            r["copyButtons"], r["codeBlocks"],
            "every code block has a copy button: {r}"
        );
        assert_eq!(r["menuButtonShown"], false, "no drawer button on a desktop: {r}");
        assert_eq!(r["searchPlaceholderFits"], true, "{r}");
        let (bg, text) = (
            r["bodyLuminance"].as_f64().unwrap(),
            r["textLuminance"].as_f64().unwrap(),
        );
        match theme {
            "light" => assert!(bg > 0.9 && text < 0.3, "light page: {r}"),
            _ => assert!(bg < 0.2 && text > 0.7, "dark page: {r}"),
        }
        // At phone width the sidebar becomes a drawer behind the menu button, and nothing
        // makes the page scroll sideways.
        let phone = dump_probe(&bin, &format!("{probe}&width=390"));
        assert_eq!(phone["horizontalOverflow"], false, "phone: {phone}");
        assert_eq!(phone["menuButtonShown"], true, "phone: {phone}");
        assert_eq!(phone["sidebarShown"], false, "phone: {phone}");
        assert_eq!(phone["searchPlaceholderFits"], true, "phone: {phone}");
        let shot = shots.join(format!("standalone-{theme}.png"));
        chrome(&bin, &[&format!("--screenshot={}", shot.display()), &probe]);
        let png = std::fs::read(&shot).expect("screenshot written");
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 20_000,
            "screenshot of {theme} looks empty"
        );
    }
}

/// The fixture site `tests/fixtures/acme`, built into a temporary folder (kept while the
/// first value lives).
fn acme_site() -> (tempfile::TempDir, PathBuf) {
    built(Path::new("tests/fixtures/acme"), tempfile::tempdir().unwrap())
}

/// The site of `docs`, built into `work/site`; `work` is kept while the first value lives.
fn built(docs: &Path, work: tempfile::TempDir) -> (tempfile::TempDir, PathBuf) {
    let site = work.path().join("site");
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    (work, site)
}

/// A site built from `files` (path in the docs folder, text) in a temporary folder (kept
/// while the first value lives).
fn site_of(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().unwrap();
    let docs = work.path().join("docs");
    for (path, text) in files {
        let path = docs.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    built(&docs, work)
}

#[test]
fn folder_links_work_when_opened_from_disk() {
    let Some(bin) = chromium() else { return };
    let (_work, site) = acme_site();
    let page = format!("file://{}", site.join("guide/install/index.html").display());
    let dom = chrome(&bin, &["--allow-file-access-from-files", "--dump-dom", &page]);
    // On file:// a folder URL would show a directory listing: the script points it at index.html.
    assert!(
        dom.contains("href=\"../../reference/cli/index.html#acme-check\""),
        "{dom}"
    );
    assert!(dom.contains("href=\"../../guide/index.html\""), "{dom}");
    assert!(!dom.contains("href=\"../../guide/\""), "{dom}");
    assert!(
        dom.contains("href=\"#requirements\""),
        "same-page anchors are left alone"
    );
}

/// A fence's options as a reader meets them: a title over the block, a marked line in a
/// band of its own, line numbers beside the code that the Copy button leaves out.
#[test]
fn code_frames_show_a_title_marked_lines_and_numbers_that_copy_leaves_out() {
    let Some(bin) = chromium() else { return };
    let (_work, site) = acme_site();
    let base = serve(site);
    let mut browser = Browser::launch(&bin);
    let tab = browser.open(&format!("{base}/guide/install/"), 1280);
    browser.wait_for(&tab, "document.querySelector('.copy-button')", Duration::from_secs(10));
    let r = browser.eval(
        &tab,
        r#"(async () => {
          const block = document.querySelector('.code-block[data-lang="toml"]');
          const title = block.querySelector('.code-title');
          const pre = block.querySelector('pre');
          const lines = [...block.querySelectorAll('.code-line')];
          const bg = (el) => getComputedStyle(el).backgroundColor;
          // Where a line's text starts, against its element: the number takes the room between.
          const textLeft = (line) => { const r = document.createRange(); r.selectNodeContents(line); return r.getClientRects()[0].left; };
          let copied = null;
          navigator.clipboard.writeText = (t) => { copied = t; return Promise.resolve(); };
          block.querySelector('.copy-button').click();
          await new Promise((done) => setTimeout(done, 50));
          return {
            title: title && title.textContent,
            titleAbove: !!title && title.getBoundingClientRect().bottom <= pre.getBoundingClientRect().top + 1,
            lines: lines.length,
            marked: lines.map((l) => l.tagName === 'MARK'),
            markedBand: bg(lines[1]) !== bg(lines[0]) && bg(lines[1]) !== 'rgba(0, 0, 0, 0)',
            numberRoom: textLeft(lines[0]) - lines[0].getBoundingClientRect().left,
            copied,
          };
        })()"#,
    );
    assert_eq!(r["title"], "acme.toml", "{r}");
    assert_eq!(r["titleAbove"], true, "{r}");
    assert_eq!(r["lines"], 3, "{r}");
    assert_eq!(r["marked"], serde_json::json!([false, true, false]), "{r}");
    assert_eq!(r["markedBand"], true, "{r}");
    assert!(
        r["numberRoom"].as_f64().unwrap_or(0.0) > 12.0,
        "line numbers take room: {r}"
    );
    assert_eq!(r["copied"], "[rocket]\nname = \"Tiny\"\nstages = 2", "{r}");
}

/// GitHub's images for one colour scheme: `#gh-dark-mode-only` / `#gh-light-mode-only`
/// images, and `<picture>` sources with a `prefers-color-scheme` query, show the picture of
/// the theme in force, the system's or the one chosen with the toggle.
#[test]
fn images_for_one_theme_follow_the_theme_in_force() {
    let Some(bin) = chromium() else { return };
    let svg = |w: u32| format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"10\"></svg>");
    // The picture has files of its own: Chrome reports a picture's source by the first URL
    // it loaded the same file under (with the Markdown image's fragment).
    let (_work, site) = site_of(&[
        ("light.svg", &svg(10)),
        ("dark.svg", &svg(20)),
        ("pic-light.svg", &svg(30)),
        ("pic-dark.svg", &svg(40)),
        (
            "manifest.json",
            r#"{"routes": [{"title": "Home", "path": "README.md"}]}"#,
        ),
        (
            "README.md",
            "# Home\n\n![light](light.svg#gh-light-mode-only) ![dark](dark.svg#gh-dark-mode-only)\n\n\
             <picture>\n  <source media=\"(prefers-color-scheme: dark)\" srcset=\"pic-dark.svg\">\n  \
             <img id=\"pic\" alt=\"either\" src=\"pic-light.svg\">\n</picture>\n",
        ),
    ]);
    let base = serve(site);
    let mut browser = Browser::launch(&bin);
    let tab = browser.open(&format!("{base}/"), 1280);
    // Which images show, and which file the picture loaded, once it has loaded it.
    let seen = |browser: &mut Browser, want_picture: &str| {
        browser.wait_for(
            &tab,
            &format!("document.getElementById('pic').complete && document.getElementById('pic').currentSrc.endsWith('/pic-{want_picture}')"),
            Duration::from_secs(10),
        );
        browser.eval(
            &tab,
            "[...document.querySelectorAll('article img:not(#pic)')].filter((i) => i.getBoundingClientRect().width > 0).map((i) => i.alt).join(' ')",
        )
    };
    let toggle = "document.querySelector('.theme-toggle').click()";
    // Headless Chromium's system theme is light.
    assert_eq!(seen(&mut browser, "light.svg"), "light", "system light");
    browser.eval(&tab, toggle);
    assert_eq!(browser.eval(&tab, "document.documentElement.dataset.theme"), "dark");
    assert_eq!(seen(&mut browser, "dark.svg"), "dark", "dark chosen");
    browser.eval(&tab, toggle);
    assert_eq!(seen(&mut browser, "light.svg"), "light", "back to the system's light");
    // A dark choice stored by an earlier visit holds on the next page load.
    browser.eval(&tab, &format!("{toggle}; location.reload()"));
    browser.wait_for(
        &tab,
        "document.readyState === 'complete' && document.documentElement.dataset.theme === 'dark'",
        Duration::from_secs(10),
    );
    assert_eq!(seen(&mut browser, "dark.svg"), "dark", "dark stored");
    // Back to following the system, and the system turns dark: its query applies again.
    browser.eval(&tab, toggle);
    assert_eq!(seen(&mut browser, "light.svg"), "light", "the system's light again");
    browser.emulate_media(&tab, "screen", &[("prefers-color-scheme", "dark")]);
    assert_eq!(seen(&mut browser, "dark.svg"), "dark", "system dark");
}

/// Tabs with the same label go together: choosing one selects it in the page's other
/// groups (the chosen tab stays put on screen) and on the next page; a link to a heading in
/// another tab still opens that tab.
#[test]
fn a_chosen_tab_label_is_chosen_in_every_group_and_on_the_next_page() {
    let Some(bin) = chromium() else { return };
    let group = |labels: &[&str]| {
        // Panels of different heights, so that a group above changes height with its tab.
        let tabs: String = labels
            .iter()
            .enumerate()
            .map(|(i, l)| format!("### {l}\n\n{}", format!("On {l}.\n\n").repeat(i * 8 + 1)))
            .collect();
        format!("<div class=\"tabs\">\n\n{tabs}</div>\n\n")
    };
    let filler = "Some text.\n\n".repeat(40);
    let one = format!(
        "# One\n\n{}{filler}{}",
        group(&["Linux", "macOS", "Windows"]),
        group(&["Linux", "macOS"])
    );
    let two = format!(
        "# Two\n\n{}{}",
        group(&["Windows", "Linux"]),
        group(&["macOS", "Linux"])
    );
    let manifest = r#"{"routes": [{"title": "One", "path": "README.md"}, {"title": "Two", "path": "two.md"}]}"#;
    let (_work, site) = site_of(&[("README.md", &one), ("two.md", &two), ("manifest.json", manifest)]);
    let base = serve(site);
    let mut browser = Browser::launch(&bin);
    // The label of each group's selected tab.
    let shown = "[...document.querySelectorAll('.tab-list')].map((l) => l.querySelector('[aria-selected=true]').textContent).join(',')";
    let tab = browser.open(&format!("{base}/"), 1280);
    browser.wait_for(&tab, "document.querySelector('.tabs-ready')", Duration::from_secs(10));
    assert_eq!(browser.eval(&tab, shown), "Linux,Linux");
    // Choose macOS in the lower group, scrolled into the middle of the screen: the upper
    // group changes too, and the chosen tab does not move. (Scroll anchoring off, as in
    // Safari, which has none: Chrome's would hide whether the script keeps the tab put.)
    let moved = browser.eval(
        &tab,
        "(() => { document.documentElement.style.overflowAnchor = 'none'; \
         const t = [...document.querySelectorAll('.tab-list')][1].children[1]; \
         t.scrollIntoView({block: 'center'}); const y = t.getBoundingClientRect().top; t.click(); \
         return Math.abs(t.getBoundingClientRect().top - y); })()",
    );
    assert_eq!(browser.eval(&tab, shown), "macOS,macOS");
    assert!(moved.as_f64().unwrap_or(99.0) < 2.0, "the chosen tab moved by {moved}");
    // The next page opens on macOS where a group has it, and on its first tab elsewhere.
    let next = browser.open(&format!("{base}/two/"), 1280);
    browser.wait_for(&next, "document.querySelector('.tabs-ready')", Duration::from_secs(10));
    assert_eq!(browser.eval(&next, shown), "Windows,macOS");
    // Keys choose too; a link to a heading in another tab opens that tab.
    browser.eval(
        &next,
        "(() => { const t = document.querySelector('.tab-list').children[0]; t.focus(); \
         t.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true})); })()",
    );
    assert_eq!(browser.eval(&next, shown), "Linux,Linux");
    let linked = browser.open(&format!("{base}/two/#windows"), 1280);
    browser.wait_for(
        &linked,
        "document.querySelector('.tabs-ready')",
        Duration::from_secs(10),
    );
    assert_eq!(browser.eval(&linked, shown), "Windows,Linux");
}

/// Code and tables wider than the page scroll sideways; keyboard users reach them by focus
/// (axe's `scrollable-region-focusable`), the others stay out of the tab order.
#[test]
fn only_what_scrolls_sideways_takes_focus() {
    let Some(bin) = chromium() else { return };
    let long = "x".repeat(400);
    let page = format!(
        "# Wide\n\n```sh\necho {long}\n```\n\n```sh\necho short\n```\n\n| a | b |\n|---|---|\n| `{long}` | c |\n\n\
         <div class=\"tabs\">\n\n### One\n\nShort.\n\n### Two\n\n```sh\necho {long}\n```\n\n</div>\n"
    );
    let (_work, site) = site_of(&[
        ("README.md", &page),
        (
            "manifest.json",
            r#"{"routes": [{"title": "Wide", "path": "README.md"}]}"#,
        ),
    ]);
    let base = serve(site);
    let mut browser = Browser::launch(&bin);
    let tab = browser.open(&format!("{base}/"), 1024);
    browser.wait_for(&tab, "document.querySelector('.tabs-ready')", Duration::from_secs(10));
    let focusable =
        "[...document.querySelectorAll('.code-block pre, .doc-content table')].map((e) => e.tabIndex).join(',')";
    assert_eq!(
        browser.eval(&tab, focusable),
        "0,-1,0,-1",
        "long code, short code, wide table, hidden tab's code"
    );
    browser.eval(&tab, "[...document.querySelectorAll('[role=tab]')][1].click()");
    assert_eq!(
        browser.eval(&tab, focusable),
        "0,-1,0,0",
        "the shown tab's code is measured"
    );
    // Wide enough for everything: nothing scrolls, nothing is a tab stop.
    browser.eval(&tab, "document.querySelectorAll('pre code, td code').forEach((c) => c.textContent = 'x'); dispatchEvent(new Event('resize'))");
    browser.wait_for(
        &tab,
        "[...document.querySelectorAll('.code-block pre, .doc-content table')].every((e) => e.tabIndex < 0)",
        Duration::from_secs(5),
    );
}

/// axe-core finds no accessibility problem on any page of docsite's own guide (which uses
/// most of the dialect) and of the fixture site (state badges, nav icons, `<children>`,
/// `<details>`), in the light and the dark theme, nor on the open search list, nor at phone
/// width with the navigation drawer open. Rules about what writers put in pages (an
/// image's alt text, skipped heading levels such as tabs' `###` under a `#`) are theirs,
/// not the theme's, and left out.
#[test]
fn axe_finds_no_accessibility_problem_on_the_guide_or_the_fixture() {
    let Some(bin) = chromium() else { return };
    let mut browser = Browser::launch(&bin);
    let mut found = Vec::new();
    for docs in ["docs", "tests/fixtures/acme"] {
        let (_work, site) = built(Path::new(docs), tempfile::tempdir().unwrap());
        // Each page's URL path: `/` for the site's own index.html, `/a/b/` for a/b/index.html.
        let mut pages: Vec<String> = walkdir::WalkDir::new(&site)
            .into_iter()
            .flatten()
            .filter(|e| e.file_name() == "index.html")
            .map(|e| {
                let rel = e
                    .path()
                    .parent()
                    .unwrap()
                    .strip_prefix(&site)
                    .unwrap()
                    .to_str()
                    .unwrap();
                if rel.is_empty() {
                    "/".to_string()
                } else {
                    format!("/{rel}/")
                }
            })
            .collect();
        pages.sort();
        assert!(pages.len() >= 5, "{pages:?}");
        let base = serve(site);
        // A tab per page: each loads with the stored theme.
        let first = browser.open(&format!("{base}/"), 1280);
        for theme in ["light", "dark"] {
            browser.eval(&first, &format!("localStorage.setItem('docsite-theme', '{theme}')"));
            for page in &pages {
                let tab = browser.open(&format!("{base}{page}"), 1280);
                browser.wait_for(
                    &tab,
                    &format!("document.documentElement.dataset.theme === '{theme}'"),
                    Duration::from_secs(10),
                );
                found.extend(axe_problems(&mut browser, &tab, &format!("{docs}{page} ({theme})")));
                browser.close(tab);
            }
        }
        let tab = first;
        // The search list, open on a query.
        browser.eval(
            &tab,
            "(() => { const i = document.querySelector('.search-input'); i.focus(); i.value = 'install'; \
             i.dispatchEvent(new Event('input', { bubbles: true })); })()",
        );
        browser.wait_for(
            &tab,
            "document.querySelector('#docsite-search-results [role=option]')",
            Duration::from_secs(10),
        );
        found.extend(axe_problems(&mut browser, &tab, &format!("{docs}: search list")));
        // A phone, with the navigation drawer open.
        let phone = browser.open(&format!("{base}{}", pages[pages.len() - 1]), 390);
        browser.eval(&phone, "document.querySelector('.menu-button').click()");
        browser.wait_for(
            &phone,
            "document.documentElement.classList.contains('nav-open')",
            Duration::from_secs(5),
        );
        found.extend(axe_problems(
            &mut browser,
            &phone,
            &format!("{docs}: phone, drawer open"),
        ));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// axe-core's violations on the page in `tab`, each as `place: rule: elements`.
fn axe_problems(browser: &mut Browser, tab: &Tab, place: &str) -> Vec<String> {
    let run = "new Promise((done) => { const s = document.createElement('script'); s.src = '/__axe.js'; \
               s.onload = done; document.head.appendChild(s); }).then(() => axe.run(document, \
               { resultTypes: ['violations'], rules: { 'image-redundant-alt': { enabled: false }, \
               'heading-order': { enabled: false } } })).then((r) => \
               r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(' | ')))";
    let found = browser.eval(tab, run);
    found
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| format!("{place}: {}", v.as_str().unwrap_or_default()))
        .collect()
}

#[test]
fn a_wide_site_fills_its_sidebar_from_nav_js() {
    let Some(bin) = chromium() else { return };
    let work = tempfile::tempdir().unwrap();
    let docs = work.path().join("docs");
    common::write_wide_site(&docs, 45);
    let site = work.path().join("site");
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let base = serve(site);
    let dom = chrome(&bin, &["--dump-dom", &format!("{base}/s7/page/")]);
    let nav = dom
        .split("<nav class=\"site-nav\"")
        .nth(1)
        .and_then(|s| s.split("</nav>").next())
        .expect("sidebar");
    assert_eq!(nav.matches("class=\"nav-title\">Section ").count(), 45, "{nav}");
    assert!(nav.contains("href=\"../../s8/\""), "{nav}");
    assert!(
        nav.contains("aria-current=\"page\""),
        "the server-rendered branch is kept: {nav}"
    );
    assert!(
        nav.contains("aria-controls=\"dsnav-45\""),
        "a page-less section can be expanded: {nav}"
    );
    assert!(nav.contains("href=\"../../s45/page/\""), "{nav}");
}

#[test]
fn search_finds_a_heading_by_word_typo_and_prefix_and_enter_opens_its_anchor() {
    let Some((_work, bin, base)) = corpus_site() else {
        return;
    };
    // "replicas" is the heading "Scale replicas" of the standalone AI Gateway page; the
    // other pages that mention it do so in body text only.
    let want = "../../ai-coder/ai-gateway/standalone/#scale-replicas";
    for (theme, width) in [("light", 1280), ("dark", 390)] {
        let probe = format!(
            "{base}/__search.html?theme={theme}&width={width}&page=/ai-coder/agents/&q=replicas&q=replcias&q=repli&enter"
        );
        let r = dump_probe(&bin, &probe);
        assert!(r["error"].is_null(), "{r}");
        assert_eq!(r["role"], "combobox", "{r}");
        assert_eq!(r["listRole"], "listbox", "{r}");
        assert_eq!(r["slashFocuses"], true, "{r}");
        assert_eq!(r["ctrlKFocuses"], true, "{r}");
        assert_eq!(r["boxVisible"], true, "{r}");
        let queries = r["queries"].as_array().unwrap();
        assert_eq!(queries.len(), 3, "{r}");
        for q in queries {
            let first = &q["results"][0];
            assert_eq!(first["href"], want, "{}: {q}", q["q"]);
            assert_eq!(first["heading"], "Scale replicas", "{q}");
            assert!(first["title"].as_str().unwrap().starts_with("Deploy AI Gateway"), "{q}");
            assert!(first["marks"].as_u64().unwrap() >= 2, "the match is highlighted: {q}");
        }
        assert!(
            queries[2]["count"].as_u64() > queries[0]["count"].as_u64(),
            "a prefix matches more pages: {r}"
        );
        assert_eq!(r["listShown"], true, "the results fit the window: {r}");
        assert_eq!(r["expanded"], "true", "{r}");
        assert_eq!(r["horizontalOverflow"], false, "{r}");
        assert_eq!(r["activeDescendant"], "docsite-search-option-0", "{r}");
        assert_eq!(r["selectedHref"], want, "{r}");
        assert_eq!(r["landed"]["path"], "/ai-coder/ai-gateway/standalone/", "{r}");
        assert_eq!(r["landed"]["hash"], "#scale-replicas", "{r}");
        assert_eq!(r["landed"]["targetExists"], true, "{r}");
        // The issue's budget for the real corpus: the index a first query needs stays
        // within 100 KB (search.js itself is theme code, counted apart).
        let first = queries[0]["transfer"].as_u64().unwrap();
        let script = r["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "search.js")
            .and_then(|f| f["bytes"].as_u64())
            .unwrap();
        assert!(first - script <= 100 * 1024, "first query moved {first} bytes: {r}");
    }
}

#[test]
fn search_works_from_disk() {
    let Some((work, bin, _)) = corpus_site() else {
        return;
    };
    let site = work.path().join("site");
    std::fs::write(site.join("__search.html"), SEARCH_PROBE).unwrap();
    let probe = format!(
        "file://{}?page=ai-coder/agents/index.html&q=replicas&enter",
        site.join("__search.html").display()
    );
    let r = probe_result(&chrome(&bin, &["--allow-file-access-from-files", "--dump-dom", &probe]));
    assert!(r["error"].is_null(), "{r}");
    assert_eq!(
        r["queries"][0]["results"][0]["href"], "../../ai-coder/ai-gateway/standalone/index.html#scale-replicas",
        "on file:// a folder URL gets index.html: {r}"
    );
    let landed = r["landed"]["path"].as_str().unwrap();
    assert!(landed.ends_with("/ai-coder/ai-gateway/standalone/index.html"), "{r}");
    assert_eq!(r["landed"]["hash"], "#scale-replicas", "{r}");
}

#[test]
fn search_ranks_title_over_heading_over_body() {
    let Some(bin) = chromium() else { return };
    let work = tempfile::tempdir().unwrap();
    let docs = work.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let pages = [
        (
            "body.md",
            "# Feeding\n\nA zebra, another zebra, zebra zebra zebra zebra zebra.\n",
        ),
        ("heading.md", "# Stables\n\nIntro.\n\n## Zebra care\n\nBrush daily.\n"),
        ("title.md", "# Zebra\n\nStripes.\n"),
        ("other.md", "# Horses\n\nNothing striped here. नमस्ते दुनिया\n"),
    ];
    let mut routes = Vec::new();
    for (file, text) in pages {
        std::fs::write(docs.join(file), text).unwrap();
        routes.push(json!({"title": file, "path": format!("./{file}")}));
    }
    let manifest = json!({"versions": ["main"], "routes": routes});
    std::fs::write(docs.join("manifest.json"), manifest.to_string()).unwrap();
    let site = work.path().join("site");
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let base = serve(site);
    let r = dump_probe(
        &bin,
        &format!(
            "{base}/__search.html?page=/other/&q=zebra&q=zeb&q=zebar&q=stripes%20zebra&q={}",
            percent_encoding::utf8_percent_encode("दुनिया", percent_encoding::NON_ALPHANUMERIC)
        ),
    );
    assert!(r["error"].is_null(), "{r}");
    let hrefs = |n: usize| -> Vec<String> {
        r["queries"][n]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["href"].as_str().unwrap().to_string())
            .collect()
    };
    let order = ["../title/", "../heading/#zebra-care", "../body/"];
    assert_eq!(hrefs(0), order, "exact: {r}");
    assert_eq!(hrefs(1), order, "prefix: {r}");
    assert_eq!(hrefs(2), order, "typo: {r}");
    assert_eq!(hrefs(3), ["../title/"], "every word must match: {r}");
    assert_eq!(hrefs(4), ["../other/"], "the browser splits words like the build: {r}");
}

/// What the launch page of the fixture (tabs, code, callouts, a `<details>`) looks like in
/// the media the tab emulates. An outside link is added to its text first, to see how it shows.
const LOOK: &str = r#"(() => {
  const d = document, style = (el, pseudo) => getComputedStyle(el, pseudo || null);
  const shown = (el) => style(el).display !== "none" && el.getBoundingClientRect().height > 0;
  const content = d.querySelector(".doc-content");
  let outside = d.getElementById("outside-link");
  if (!outside) {
    outside = d.createElement("a");
    outside.id = "outside-link";
    outside.href = "https://example.org/rockets";
    outside.textContent = "rocket makers";
    content.appendChild(outside);
  }
  const pre = d.querySelector(".code-block pre"), panels = [...d.querySelectorAll(".tab-panel")];
  return {
    theme: d.documentElement.getAttribute("data-theme"),
    chrome: [".site-header", ".sidebar", ".toc-sidebar", ".pager", ".skip-link", ".site-footer", ".tab-list",
      ".copy-button", ".heading-anchor"].map((sel) => {
      const all = [...d.querySelectorAll(sel)];
      return [sel, all.length, all.filter((el) => style(el).display === "none").length];
    }),
    articleShare: d.querySelector(".doc").getBoundingClientRect().width / d.documentElement.clientWidth,
    bodyBackground: style(d.body).backgroundColor,
    text: style(content).color,
    codeBackground: style(pre).backgroundColor,
    functionToken: style(d.querySelector(".hl-function")).color,
    preWhiteSpace: style(pre).whiteSpace,
    codeWhiteSpace: style(pre.querySelector("code")).whiteSpace,
    panelsShown: panels.map(shown),
    panelHeadingsShown: panels.map((p) => shown(p.firstElementChild) && p.firstElementChild.getBoundingClientRect().width > 20),
    calloutBreak: style(d.querySelector(".callout")).breakInside,
    headingBreak: style(d.querySelector(".doc-content h2")).breakAfter,
    outsideAfter: style(outside, "::after").content,
    insideAfter: style(content.querySelector('a[href^="../"]'), "::after").content,
  };
})()"#;

/// Builds the fixture site, serves it and opens its launch page after the reader switched
/// it to dark with the theme button: the tab, the browser and the site's folder.
fn launch_page_in_dark() -> Option<(Browser, Tab, String, tempfile::TempDir)> {
    let bin = chromium()?;
    let work = tempfile::tempdir().unwrap();
    let site = work.path().join("site");
    let o = build("tests/fixtures/acme", site.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let base = serve(site);
    let mut browser = Browser::launch(&bin);
    let tab = browser.open(&format!("{base}/guide/launch/"), 1280);
    browser.eval(&tab, "document.querySelector('.theme-toggle').click()");
    assert_eq!(browser.eval(&tab, "document.documentElement.dataset.theme"), "dark");
    Some((browser, tab, base, work))
}

/// The page chrome `LOOK` saw: each selector, how many elements it matches and how many of
/// those are not displayed.
fn page_chrome(look: &Value) -> Vec<(String, u64, u64)> {
    let rows = look["chrome"].as_array().expect("chrome in the look");
    rows.iter()
        .map(|row| {
            (
                row[0].as_str().unwrap().to_string(),
                row[1].as_u64().unwrap(),
                row[2].as_u64().unwrap(),
            )
        })
        .collect()
}

const LIGHT_BACKGROUND: &str = "rgb(255, 255, 255)";
const LIGHT_TEXT: &str = "rgb(31, 35, 41)";

#[test]
fn a_printed_page_is_the_article_alone_in_the_light_palette() {
    let Some((mut browser, tab, base, _work)) = launch_page_in_dark() else {
        return;
    };
    browser.emulate_media(&tab, "print", &[]);
    let r = browser.eval(&tab, LOOK);
    assert_eq!(r["theme"], "dark", "{r}");
    for (sel, count, hidden) in page_chrome(&r) {
        assert!(count > 0 && hidden == count, "{sel} is not printed: {r}");
    }
    assert!(
        r["articleShare"].as_f64().unwrap() > 0.99,
        "the article takes the whole width: {r}"
    );
    // The light palette, although the reader chose dark.
    assert_eq!(r["bodyBackground"], LIGHT_BACKGROUND, "{r}");
    assert_eq!(r["text"], LIGHT_TEXT, "{r}");
    assert_eq!(r["codeBackground"], "rgb(246, 248, 250)", "{r}");
    assert_eq!(
        r["functionToken"], "rgb(115, 64, 208)",
        "code keeps its light colours: {r}"
    );
    assert_eq!(r["preWhiteSpace"], "pre-wrap", "{r}");
    assert_eq!(r["codeWhiteSpace"], "pre-wrap", "long lines wrap: {r}");
    assert_eq!(r["panelsShown"], json!([true, true, true]), "every tab prints: {r}");
    assert_eq!(
        r["panelHeadingsShown"],
        json!([true, true, true]),
        "each under its name: {r}"
    );
    assert_eq!(r["calloutBreak"], "avoid", "{r}");
    assert_eq!(r["headingBreak"], "avoid", "{r}");
    assert_eq!(
        r["outsideAfter"], "\" (https://example.org/rockets)\"",
        "an outside link prints its address: {r}"
    );
    assert_eq!(
        r["insideAfter"], "none",
        "a link within the site prints no address: {r}"
    );

    // Dark from the system (no choice stored) prints light too.
    browser.eval(&tab, "document.documentElement.removeAttribute('data-theme')");
    browser.emulate_media(&tab, "screen", &[("prefers-color-scheme", "dark")]);
    let dark = browser.eval(&tab, LOOK);
    assert_ne!(
        dark["bodyBackground"], LIGHT_BACKGROUND,
        "the system's dark shows on screen: {dark}"
    );
    browser.emulate_media(&tab, "print", &[("prefers-color-scheme", "dark")]);
    let r = browser.eval(&tab, LOOK);
    assert_eq!(r["bodyBackground"], LIGHT_BACKGROUND, "{r}");
    assert_eq!(r["text"], LIGHT_TEXT, "{r}");

    // A closed <details> opens for the print and closes after it; one the reader opened stays open.
    let details = r#"(() => {
      const d = document, closed = d.querySelector(".doc-content details:not([open])");
      let kept = d.getElementById("kept-open");
      if (!kept) {
        kept = d.createElement("details");
        kept.id = "kept-open";
        kept.open = true;
        kept.innerHTML = "<summary>Opened by the reader</summary><p>Text</p>";
        d.querySelector(".doc-content").appendChild(kept);
      }
      const state = () => [closed.open, kept.open, closed.querySelector("p").checkVisibility()];
      const before = state();
      dispatchEvent(new Event("beforeprint"));
      const printing = state();
      dispatchEvent(new Event("afterprint"));
      return [before, printing, state()];
    })()"#;
    assert_eq!(
        browser.eval(&tab, details),
        json!([[false, true, false], [true, true, true], [false, true, false]])
    );

    // A link whose text is its address does not print the address twice.
    let fuel = browser.open(&format!("{base}/guide/fuel/"), 1280);
    browser.emulate_media(&fuel, "print", &[]);
    let after = browser.eval(
        &fuel,
        r#"getComputedStyle(document.querySelector('.doc-content a[href="https://example.com/fuel-safety"]'), "::after").content"#,
    );
    assert_eq!(after, "none", "a link whose text is its address");
}

#[test]
fn print_styles_leave_the_screen_alone() {
    let Some((mut browser, tab, _base, _work)) = launch_page_in_dark() else {
        return;
    };
    let r = browser.eval(&tab, LOOK);
    for (sel, count, hidden) in page_chrome(&r) {
        assert!(count > 0 && hidden == 0, "{sel} shows on screen: {r}");
    }
    assert!(
        r["articleShare"].as_f64().unwrap() < 0.7,
        "the sidebars stand beside the article: {r}"
    );
    assert_ne!(
        r["bodyBackground"], LIGHT_BACKGROUND,
        "the reader's dark stays on screen: {r}"
    );
    assert_eq!(r["codeWhiteSpace"], "pre", "code scrolls sideways on screen: {r}");
    assert_eq!(r["panelsShown"], json!([true, false, false]), "one tab at a time: {r}");
    assert_eq!(r["panelHeadingsShown"][0], false, "the tab names the panel: {r}");
    assert_eq!(r["outsideAfter"], "none", "{r}");
}
