//! `docsite serve --repo`: previews of every ref at `/@NAME/`, built from git objects on
//! first request, on a real repository the test makes, over real HTTP.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::serve::Server;
use common::{copy_tree, fixture, git, tmp};

/// A repository with the acme docs on `main`, a branch `feature/new-install` that edits a
/// page, a branch whose manifest is broken, and a tag.
fn repo() -> tempfile::TempDir {
    let dir = tmp();
    let root = dir.path();
    copy_tree(&fixture("acme"), &root.join("docs"));
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "docs"]);
    git(root, &["tag", "v1"]);
    git(root, &["checkout", "-q", "-b", "feature/new-install"]);
    edit(root, "docs/guide/install.md", "Installed from the feature branch.");
    git(root, &["commit", "-q", "-am", "feature"]);
    // A pull request head, as a mirror of a forge has them.
    git(root, &["update-ref", "refs/pull/7/head", "feature/new-install"]);
    git(root, &["checkout", "-q", "-b", "broken", "main"]);
    std::fs::write(root.join("docs/manifest.json"), "{ \"routes\": [,] }").unwrap();
    git(root, &["commit", "-q", "-am", "break the manifest"]);
    git(root, &["checkout", "-q", "main"]);
    dir
}

fn edit(root: &Path, path: &str, line: &str) {
    let p = root.join(path);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{text}\n{line}\n")).unwrap();
}

fn start(repo: &Path) -> Server {
    Server::start(Path::new("docs"), &["--repo", repo.to_str().unwrap()])
}

/// Stderr lines seen so far that contain `needle`, waiting `wait` for more.
fn count_log(s: &Server, needle: &str, wait: Duration) -> usize {
    let deadline = Instant::now() + wait;
    let mut n = 0;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match s.log.recv_timeout(left) {
            Ok(line) if line.contains(needle) => n += 1,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    n
}

#[test]
fn refs_are_served_by_name_and_slug_and_built_once() {
    let r = repo();
    let s = start(r.path());
    let by_name = s.get("/@feature%2Fnew-install/guide/install/");
    assert_eq!(by_name.status, 200);
    assert!(by_name.text().contains("Installed from the feature branch."));
    assert!(
        by_name.text().contains("data-root=\"/@feature%2Fnew-install/\""),
        "live reload listens on this preview"
    );
    let by_slug = s.get("/@feature-new-install/guide/install/");
    assert!(by_slug.text().contains("Installed from the feature branch."));
    assert!(!s.get("/@main/guide/install/").text().contains("feature branch"));
    assert!(
        !s.get("/guide/install/").text().contains("feature branch"),
        "/ is the working tree"
    );
    assert_eq!(s.get("/@v1/guide/install/").status, 200, "tags too");
    for pull in ["/@pull%2F7%2Fhead/guide/install/", "/@pull-7-head/guide/install/"] {
        assert!(
            s.get(pull).text().contains("Installed from the feature branch."),
            "{pull}"
        );
    }
    let slash = s.get("/@main");
    assert_eq!(slash.status, 301);
    assert_eq!(slash.header("location"), Some("/@main/"));
    // main and v1 are one commit: built once; the feature branch once.
    assert_eq!(count_log(&s, "built preview", Duration::from_millis(500)), 2);
    for _ in 0..3 {
        assert_eq!(s.get("/@feature-new-install/guide/").status, 200);
    }
    assert_eq!(
        count_log(&s, "built preview", Duration::from_millis(300)),
        0,
        "served from the cache"
    );

    let listing = s.get("/@").text();
    for name in [
        "feature/new-install",
        "/@feature-new-install/",
        "main",
        "v1",
        "broken",
        "pull/7/head",
    ] {
        assert!(listing.contains(name), "{name} in {listing}");
    }
}

#[test]
fn concurrent_first_requests_build_a_commit_once() {
    let r = repo();
    let s = start(r.path());
    let addr = s.addr.clone();
    let threads: Vec<_> = (0..12)
        .map(|i| {
            let s = common::serve::Client::new(&addr);
            std::thread::spawn(move || {
                s.get(&format!(
                    "/@feature%2Fnew-install/guide/{}",
                    ["", "install/", "fuel/"][i % 3]
                ))
                .status
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
    assert_eq!(count_log(&s, "built preview", Duration::from_millis(500)), 1);
}

#[test]
fn hostile_ref_names_run_nothing_and_unknown_refs_get_the_404_page() {
    let r = repo();
    let s = start(r.path());
    let probes = [
        "/@--upload-pack=touch%20pwned/",
        "/@$(touch%20pwned)/",
        "/@%24(touch%20pwned)/",
        "/@..%2F..%2F/",
        "/@..%2F..%2Fetc%2Fpasswd/x",
        "/@%2e%2e/",
        "/@main%00/",
        "/@-main/",
        "/@refs%2Fheads%2Fmain/../../x",
        "/@no-such-branch/",
        "/@main/../../../etc/passwd",
    ];
    // No file of our own is at stake here: the probes aim at git and /etc/passwd.
    s.assert_refuses(&probes, "root:x:0");
    assert!(!r.path().join("pwned").exists());
    assert!(!Path::new("pwned").exists());
    let missing = s.get("/@no-such-branch/guide/");
    assert!(missing.text().contains("<html"), "the site's 404 page, not a 500");
}

#[test]
fn a_push_reloads_the_open_preview_and_a_broken_ref_shows_its_error_there_only() {
    let r = repo();
    let s = start(r.path());
    assert!(
        s.get("/@feature-new-install/guide/install/")
            .text()
            .contains("feature branch")
    );
    let events = s.events_at("/@feature-new-install/");
    assert_eq!(events.next("hello")["error"], serde_json::Value::Null);

    git(r.path(), &["checkout", "-q", "feature/new-install"]);
    edit(r.path(), "docs/guide/install.md", "Pushed a moment ago.");
    git(r.path(), &["commit", "-q", "-am", "more"]);
    git(r.path(), &["checkout", "-q", "main"]);
    let update = events.next("update");
    assert!(
        update["pages"].as_array().unwrap().contains(&"guide/install/".into()),
        "{update}"
    );
    assert!(
        s.get("/@feature-new-install/guide/install/")
            .text()
            .contains("Pushed a moment ago.")
    );

    // The broken branch: its pages carry the error, other previews and / do not.
    let broken = s.get("/@broken/guide/");
    assert_eq!(broken.status, 404);
    assert!(
        broken.text().contains("__live.js"),
        "the page can show the error overlay"
    );
    let hello = s.events_at("/@broken/").next("hello");
    assert!(
        hello["error"]["text"].as_str().unwrap().contains("manifest.json"),
        "{hello}"
    );
    assert_eq!(s.events_at("/@main/").next("hello")["error"], serde_json::Value::Null);
    assert_eq!(s.events().next("hello")["error"], serde_json::Value::Null);
}

#[test]
fn untrusted_previews_lose_scripts_and_handlers_and_get_a_policy() {
    let r = repo();
    git(r.path(), &["checkout", "-q", "-b", "from-a-fork", "main"]);
    edit(
        r.path(),
        "docs/guide/install.md",
        "<script>stealCookies()</script>\n\n<p onclick=\"stealCookies()\">Click me</p>\n\n<a href=\"javascript:stealCookies()\">x</a>",
    );
    git(r.path(), &["commit", "-q", "-am", "hostile"]);
    git(r.path(), &["checkout", "-q", "main"]);

    let trusted = start(r.path());
    let page = trusted.get("/@from-a-fork/guide/install/");
    assert!(
        page.text().contains("stealCookies"),
        "without --untrusted raw HTML is kept"
    );
    assert_eq!(page.header("content-security-policy"), None);
    drop(trusted);

    let s = Server::start(
        Path::new("docs"),
        &["--repo", r.path().to_str().unwrap(), "--untrusted"],
    );
    let page = s.get("/@from-a-fork/guide/install/");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(!html.contains("stealCookies"), "{html}");
    assert!(!html.contains("onclick"));
    assert!(html.contains("Click me"), "the text stays");
    assert!(html.contains("class=\"doc-content\""), "the theme's markup stays");
    let csp = page.header("content-security-policy").expect("a policy");
    assert!(csp.contains("script-src 'self' 'sha256-"), "{csp}");
    for other in [
        "/@from-a-fork/_docsite/docsite.css",
        "/@",
        "/@no-such-ref/",
        "/@from-a-fork",
        "/nope/",
    ] {
        assert!(s.get(other).header("content-security-policy").is_some(), "{other}");
    }
}

#[test]
fn the_policy_lets_the_theme_and_live_reload_run() {
    let Some(chromium) = common::cdp::chromium() else {
        return;
    };
    let r = repo();
    let s = Server::start(
        Path::new("docs"),
        &["--repo", r.path().to_str().unwrap(), "--untrusted"],
    );
    let mut browser = common::cdp::Browser::launch(&chromium);
    let tab = browser.open(&format!("{}@main/guide/install/", s.url), 1280);
    let wait = Duration::from_secs(15);
    // The inline theme script (allowed by its hash) swaps `no-js` for `js`.
    browser.wait_for(&tab, "document.documentElement.classList.contains('js')", wait);
    // docsite.js and the live-reload client load from the site itself.
    browser.wait_for(&tab, "document.documentElement.dataset.live === 'connected'", wait);
    browser.wait_for(&tab, "document.querySelectorAll('.code-block button').length > 0", wait);
}

#[test]
fn the_cache_keeps_within_its_budget() {
    let r = repo();
    // A budget of 0 MB keeps only the newest build.
    let s = Server::start(
        Path::new("docs"),
        &["--repo", r.path().to_str().unwrap(), "--cache-mb", "0"],
    );
    for path in ["/@main/", "/@feature-new-install/", "/@main/", "/@main/guide/"] {
        assert_eq!(s.get(path).status, 200, "{path}");
    }
    assert_eq!(
        count_log(&s, "built preview", Duration::from_millis(500)),
        3,
        "main was dropped for the feature branch, then built again (and kept)"
    );
}

#[test]
fn search_works_in_the_served_tree_and_in_each_preview() {
    let Some(chromium) = common::cdp::chromium() else {
        return;
    };
    let r = repo();
    let s = start(r.path());
    let mut browser = common::cdp::Browser::launch(&chromium);
    let wait = Duration::from_secs(15);
    for (mount, from_feature) in [("/", false), ("/@feature-new-install/", true)] {
        let tab = browser.open(
            &format!("{}{}reference/cli/", s.url, mount.trim_start_matches('/')),
            1280,
        );
        // A word only the feature branch has, then one every version has.
        let query = |b: &mut common::cdp::Browser, q: &str| {
            b.eval(
                &tab,
                &format!(
                    "(() => {{ const i = document.getElementById('docsite-search'); i.focus(); i.value = {q:?}; \
                     i.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()"
                ),
            );
        };
        query(&mut browser, "feature");
        let first = browser.wait_for(
            &tab,
            "(() => { const a = document.querySelector('#docsite-search-results .search-result a'); \
             const e = document.querySelector('#docsite-search-results .search-empty'); \
             return a ? new URL(a.href).pathname : (e ? 'none' : null); })()",
            wait,
        );
        if from_feature {
            assert_eq!(
                first,
                format!("{mount}guide/install/").as_str(),
                "this preview's own pages"
            );
        } else {
            assert_eq!(first, "none", "/ does not see the feature branch's words");
        }
        query(&mut browser, "extinguisher");
        browser.wait_for(
            &tab,
            &format!(
                "(() => {{ const a = document.querySelector('#docsite-search-results .search-result a'); \
                 return a && new URL(a.href).pathname === '{mount}guide/install/'; }})()"
            ),
            wait,
        );
    }
}
