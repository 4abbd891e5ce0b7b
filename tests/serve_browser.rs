//! What a person sees while editing with `docsite serve` open in a browser: a real headless
//! Chromium on a real server, on a scratch copy of the corpus that the test edits on disk.

mod common;

use std::time::Duration;

use common::cdp::{Browser, chromium};
use common::serve::Server;
use common::{copy_tree, corpus, tmp};

const WAIT: Duration = Duration::from_secs(15);

#[test]
fn edits_show_in_place_errors_overlay_and_deleted_pages_say_so() {
    let (Some(chromium), Some(corpus)) = (chromium(), corpus()) else {
        return;
    };
    let work = tmp();
    let docs = work.path().join("docs");
    copy_tree(&corpus, &docs);
    let server = Server::start(&docs, &[]);
    let mut browser = Browser::launch(&chromium);

    // A long page, read from partway down.
    let page = "ai-coder/ai-gateway/monitoring";
    let tab = browser.open(&format!("{}{page}/", server.url), 1280);
    browser.wait_for(&tab, "document.documentElement.dataset.live === 'connected'", WAIT);
    let buttons = browser.eval(&tab, "document.querySelectorAll('.code-block button').length");
    assert!(
        buttons.as_u64().unwrap() > 0,
        "the page has code blocks with copy buttons"
    );
    let y = browser.eval(
        &tab,
        "window.scrollTo(0, 1500); window.__sameDocument = true; window.scrollY",
    );
    assert_eq!(y, 1500, "the page is long enough to scroll");
    let global = |browser: &mut Browser| [browser.listeners(&tab, "document"), browser.listeners(&tab, "window")];
    let wired = global(&mut browser);
    assert!(
        wired[0].iter().any(|t| t == "keydown"),
        "the theme listens for keys: {wired:?}"
    );

    let md = docs.join(format!("{page}.md"));
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, format!("{text}\nA paragraph written while the page was open.\n")).unwrap();
    browser.wait_for(
        &tab,
        "document.querySelector('.doc-content').textContent.includes('A paragraph written while the page was open.')",
        WAIT,
    );
    assert_eq!(
        browser.eval(&tab, "window.__sameDocument === true"),
        true,
        "updated in place, not reloaded"
    );
    let y = browser.eval(&tab, "window.scrollY").as_f64().unwrap();
    assert!((y - 1500.0).abs() <= 2.0, "scroll position kept: {y}");
    // The theme script wires up the new content again (copy buttons).
    browser.wait_for(
        &tab,
        &format!("document.querySelectorAll('.code-block button').length === {buttons}"),
        WAIT,
    );
    // ...and lets go of what the previous run hung on the document and the window.
    assert_eq!(
        global(&mut browser),
        wired,
        "the document's and window's listeners after an update"
    );

    // A broken manifest: an overlay names the file and line and quotes it.
    let manifest = std::fs::read_to_string(docs.join("manifest.json")).unwrap();
    std::fs::write(docs.join("manifest.json"), manifest.replacen('[', "[,", 1)).unwrap();
    let overlay = browser.wait_for(
        &tab,
        "document.getElementById('docsite-live-error') && document.getElementById('docsite-live-error').innerText",
        WAIT,
    );
    let overlay = overlay.as_str().unwrap();
    assert!(overlay.contains("manifest.json:"), "{overlay}");
    assert!(overlay.contains("[,"), "the source line is quoted: {overlay}");
    assert!(
        browser.eval(
            &tab,
            "document.getElementById('docsite-live-error').getBoundingClientRect().height > 200"
        ) == true,
        "the overlay is visible"
    );
    std::fs::write(docs.join("manifest.json"), &manifest).unwrap();
    browser.wait_for(&tab, "!document.getElementById('docsite-live-error')", WAIT);
    assert_eq!(browser.eval(&tab, "window.__sameDocument === true"), true);
    assert_eq!(global(&mut browser), wired, "after another update");

    // A page deleted while open says so and offers the page above it.
    let doomed = browser.open(&format!("{}ai-coder/ai-gateway/clients/claude-code/", server.url), 1280);
    browser.wait_for(&doomed, "document.documentElement.dataset.live === 'connected'", WAIT);
    std::fs::remove_file(docs.join("ai-coder/ai-gateway/clients/claude-code.md")).unwrap();
    let banner = browser.wait_for(
        &doomed,
        "document.getElementById('docsite-live-removed') && document.getElementById('docsite-live-removed').innerHTML",
        WAIT,
    );
    let banner = banner.as_str().unwrap();
    assert!(banner.contains("deleted"), "{banner}");
    assert!(banner.contains("href=\"/ai-coder/ai-gateway/clients/\""), "{banner}");
}

#[test]
fn pages_reload_when_the_server_comes_back() {
    let Some(chromium) = chromium() else { return };
    let (_work, docs) = common::acme_copy();
    let first = Server::start(&docs, &[]);
    let port = first.port();
    let mut browser = Browser::launch(&chromium);
    let tab = browser.open(&format!("{}guide/install/", first.url), 1280);
    browser.wait_for(&tab, "document.documentElement.dataset.live === 'connected'", WAIT);
    browser.eval(&tab, "window.__sameDocument = true");
    drop(first);
    std::fs::write(
        docs.join("guide/install.md"),
        "# Install\n\nWritten while the server was down.\n",
    )
    .unwrap();
    let _second = Server::start_on(&docs, port, &[]);
    browser.wait_for(
        &tab,
        "!window.__sameDocument && document.body.textContent.includes('Written while the server was down.')",
        WAIT,
    );
}

#[test]
fn a_stylesheet_edit_applies_without_a_reload() {
    let Some(chromium) = chromium() else { return };
    let (work, docs) = common::acme_copy();
    let theme = work.path().join("theme");
    std::fs::create_dir_all(&theme).unwrap();
    // The built-in stylesheet plus one rule the test changes.
    let base = std::fs::read_to_string(common::root().join("themes/default/docsite.css")).unwrap();
    std::fs::write(
        theme.join("docsite.css"),
        format!("{base}\n.doc-content h1 {{ color: rgb(1, 2, 3); }}\n"),
    )
    .unwrap();
    let server = Server::start(&docs, &["--theme", theme.to_str().unwrap()]);
    let mut browser = Browser::launch(&chromium);
    let tab = browser.open(&format!("{}guide/install/", server.url), 1280);
    browser.wait_for(&tab, "document.documentElement.dataset.live === 'connected'", WAIT);
    let colour = "getComputedStyle(document.querySelector('.doc-content h1')).color";
    assert_eq!(browser.eval(&tab, colour), "rgb(1, 2, 3)");
    browser.eval(&tab, "window.__sameDocument = true");
    std::fs::write(
        theme.join("docsite.css"),
        format!("{base}\n.doc-content h1 {{ color: rgb(4, 5, 6); }}\n"),
    )
    .unwrap();
    browser.wait_for(&tab, &format!("{colour} === 'rgb(4, 5, 6)'"), WAIT);
    assert_eq!(browser.eval(&tab, "window.__sameDocument === true"), true, "no reload");
}
