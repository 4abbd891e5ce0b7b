//! `docsite serve` over real HTTP: the server runs as its own process on 127.0.0.1, port 0,
//! on a scratch copy of a fixture site that the tests edit on disk.

mod common;

use std::path::Path;
use std::time::Duration;

use common::acme_copy;
use common::serve::Server;

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

fn append(path: &Path, text: &str) {
    let old = std::fs::read_to_string(path).unwrap();
    write(path, &format!("{old}\n{text}\n"));
}

#[test]
fn pretty_urls_head_405_404_and_caching() {
    let (_work, docs) = acme_copy();
    let s = Server::start(&docs, &[]);

    let page = s.get("/guide/install/");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert!(page.text().contains("<h1"), "a rendered page");
    assert!(
        page.text().contains("/_docsite/__live.js"),
        "the live-reload client is added to served pages"
    );
    assert_eq!(s.get("/guide/install/index.html").body, page.body);
    let bare = s.get("/guide/install?x=1");
    assert_eq!(
        bare.status, 301,
        "a folder page without its slash redirects, like static hosts"
    );
    assert_eq!(bare.header("location"), Some("/guide/install/?x=1"));
    assert_eq!(s.get("/").status, 200);

    let head = s.request("HEAD", "/guide/install/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    assert_eq!(head.header("content-length"), page.header("content-length"));

    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let r = s.request(method, "/guide/install/", &[("Content-Length", "0")]);
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET, HEAD"));
    }

    let missing = s.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("<html"),
        "the site's 404 page: {}",
        missing.text()
    );
    assert!(missing.text().contains("__live.js"));

    let css = s.get("/_docsite/docsite.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let etag = css.header("etag").expect("assets carry an ETag").to_string();
    let again = s.request("GET", "/_docsite/docsite.css", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let svg = s.get("/images/logo.svg");
    assert_eq!(svg.status, 200, "linked files are served");
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(s.get("/_docsite/__live.js").text().contains("EventSource"));
}

#[test]
fn traversal_probes_never_leak_a_file() {
    let (work, docs) = acme_copy();
    let secret = "TOP-SECRET-0451";
    write(&work.path().join("secret.txt"), secret);
    write(&docs.join(".env"), secret);
    let s = Server::start(&docs, &[]);
    let probes = [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/guide/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/guide%2f..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/secret.txt%00.html",
        "/%00",
        "//secret.txt",
        "/.env",
        "/manifest.json",
        "/guide/install.md",
        "/%c0%ae%c0%ae/secret.txt",
    ];
    s.assert_refuses(&probes, secret);
}

#[test]
fn an_edit_sends_an_update_and_serves_the_new_page() {
    let (_work, docs) = acme_copy();
    let s = Server::start(&docs, &[]);
    let events = s.events();
    let hello = events.next("hello");
    assert_eq!(hello["error"], serde_json::Value::Null);
    let generation = hello["generation"].as_u64().unwrap();

    append(&docs.join("guide/install.md"), "A freshly written paragraph.");
    let update = events.next("update");
    assert_eq!(
        update["pages"],
        serde_json::json!(["guide/install/"]),
        "only the edited page"
    );
    assert!(update["generation"].as_u64().unwrap() > generation);
    assert!(s.get("/guide/install/").text().contains("A freshly written paragraph."));
    s.wait_log("rebuilt guide/install.md in");

    // Editors' ways of saving: write a temporary file and rename it over the page…
    let tmp = docs.join("guide/.install.md.tmp123");
    let old = std::fs::read_to_string(docs.join("guide/install.md")).unwrap();
    write(&tmp, &format!("{old}\nSaved by renaming.\n"));
    std::fs::rename(&tmp, docs.join("guide/install.md")).unwrap();
    assert_eq!(events.next("update")["pages"], serde_json::json!(["guide/install/"]));
    assert!(s.get("/guide/install/").text().contains("Saved by renaming."));
    // …or delete it and write it again, leaving a backup beside it.
    std::fs::remove_file(docs.join("guide/fuel.md")).unwrap();
    write(&docs.join("guide/fuel.md~"), "backup");
    write(&docs.join("guide/fuel.md"), "# Fuel\n\nRecreated.\n");
    let update = events.next("update");
    assert!(
        update["pages"].as_array().unwrap().contains(&"guide/fuel/".into()),
        "{update}"
    );
    assert!(s.get("/guide/fuel/").text().contains("Recreated."));

    // Swap files are not changes.
    write(&docs.join("guide/.fuel.md.swp"), "swap");
    write(&docs.join("guide/4913"), "");
    assert_eq!(
        events.any_within(Duration::from_millis(600)),
        None,
        "swap files wake nothing"
    );

    // New pages and folders are picked up.
    std::fs::create_dir_all(docs.join("extra/deep")).unwrap();
    write(&docs.join("extra/deep/new.md"), "# Brand new\n");
    let update = events.next("update");
    assert!(
        update["pages"].as_array().unwrap().contains(&"extra/deep/new/".into()),
        "{update}"
    );
    assert_eq!(s.get("/extra/deep/new/").status, 200);
}

#[test]
fn a_deleted_page_names_its_nearest_parent() {
    let (_work, docs) = acme_copy();
    let s = Server::start(&docs, &[]);
    let events = s.events();
    events.next("hello");
    std::fs::remove_file(docs.join("guide/launch.md")).unwrap();
    let update = events.next("update");
    assert_eq!(
        update["removed"],
        serde_json::json!([{ "url": "guide/launch/", "parent": "guide/" }]),
        "{update}"
    );
    assert_eq!(s.get("/guide/launch/").status, 404);
    s.wait_log("`guide/launch.md`, which does not exist");
}

#[test]
fn a_broken_manifest_keeps_the_last_good_build_and_the_next_good_edit_clears_it() {
    let (_work, docs) = acme_copy();
    let s = Server::start(&docs, &[]);
    let before = s.get("/guide/install/").body;
    let events = s.events();
    events.next("hello");

    let manifest = std::fs::read_to_string(docs.join("manifest.json")).unwrap();
    let broken = manifest.replacen("\"routes\": [", "\"routes\": [,", 1);
    write(&docs.join("manifest.json"), &broken);
    let failed = events.next("failed");
    // Line 3 is `<tab>"routes": [,`: the stray comma is the 13th character.
    let location = format!("{}/manifest.json:3:13", docs.display());
    assert_eq!(failed["location"], location.as_str());
    let text = failed["text"].as_str().unwrap();
    assert!(text.contains("\"routes\": [,"), "the source line: {text}");
    assert!(text.contains('^'), "a caret under the column: {text}");
    assert_eq!(
        s.get("/guide/install/").body,
        before,
        "the last good build is still served"
    );

    // A client that connects now learns about the error at once.
    let late = s.events();
    assert_eq!(late.next("hello")["error"]["location"], failed["location"]);

    write(&docs.join("manifest.json"), &manifest);
    let update = events.next("update");
    assert_eq!(update["pages"], serde_json::json!([]), "the site is as it was");
    assert_eq!(s.events().next("hello")["error"], serde_json::Value::Null);
}

#[test]
fn a_theme_css_edit_swaps_styles_without_rendering_pages() {
    let (work, docs) = acme_copy();
    let theme = work.path().join("theme");
    std::fs::create_dir_all(&theme).unwrap();
    write(&theme.join("docsite.css"), "body { color: red; }\n");
    let s = Server::start(&docs, &["--theme", theme.to_str().unwrap()]);
    let events = s.events();
    events.next("hello");
    write(&theme.join("docsite.css"), "body { color: blue; }\n");
    let update = events.next("update");
    assert_eq!(update["css"], true);
    assert_eq!(update["pages"], serde_json::json!([]), "{update}");
    assert!(s.get("/_docsite/docsite.css").text().contains("blue"));
    s.wait_log("rebuilt theme assets in");
}

#[test]
fn many_open_streams_do_not_starve_requests() {
    let (_work, docs) = acme_copy();
    let s = Server::start(&docs, &[]);
    let streams: Vec<_> = (0..40).map(|_| s.events()).collect();
    for e in &streams {
        e.next("hello");
    }
    for _ in 0..20 {
        assert_eq!(s.get("/guide/install/").status, 200);
    }
    append(&docs.join("guide/index.md"), "Everyone hears about this.");
    for e in &streams {
        assert_eq!(e.next("update")["pages"], serde_json::json!(["guide/"]));
    }
}

#[test]
fn a_broken_first_build_still_serves_and_recovers() {
    let (_work, docs) = acme_copy();
    let manifest = std::fs::read_to_string(docs.join("manifest.json")).unwrap();
    write(&docs.join("manifest.json"), "{ not json");
    let s = Server::start(&docs, &[]);
    let events = s.events();
    assert!(
        events.next("hello")["error"]["text"]
            .as_str()
            .unwrap()
            .contains("not json")
    );
    let r = s.get("/");
    assert_eq!(r.status, 404);
    assert!(
        r.text().contains("__live.js"),
        "the page can still show the error and recover"
    );
    write(&docs.join("manifest.json"), &manifest);
    events.next("update");
    assert_eq!(s.get("/guide/install/").status, 200);
}

#[test]
fn ctrl_c_stops_cleanly() {
    let (_work, docs) = acme_copy();
    let mut s = Server::start(&docs, &[]);
    let pid = s.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = s.child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    s.wait_log("stopped");
}

#[test]
fn manifest_and_template_edits_update_the_pages_they_change() {
    let (work, docs) = acme_copy();
    let theme = work.path().join("theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    let page_html = std::fs::read_to_string(common::root().join("templates/page.html")).unwrap();
    write(&theme.join("templates/page.html"), &page_html);
    let s = Server::start(&docs, &["--theme", theme.to_str().unwrap()]);
    let events = s.events();
    events.next("hello");
    let all = |update: &serde_json::Value| {
        let mut pages: Vec<String> = update["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        pages.sort();
        pages
    };
    let every_page = [
        "",
        "guide/",
        "guide/fuel/",
        "guide/install/",
        "guide/launch/",
        "ops/runbook/",
        "reference/cli/",
    ];

    // A retitled route changes the pages whose sidebar shows it: the sidebar only opens the
    // branch of the page being read, so pages outside "Guide" are untouched.
    let manifest = std::fs::read_to_string(docs.join("manifest.json")).unwrap();
    write(
        &docs.join("manifest.json"),
        &manifest.replace("\"Install\"", "\"Installation\""),
    );
    assert_eq!(
        all(&events.next("update")),
        ["guide/", "guide/fuel/", "guide/install/", "guide/launch/"]
    );
    assert!(s.get("/guide/fuel/").text().contains("Installation"));
    assert!(!s.get("/reference/cli/").text().contains("Installation"));

    // So does a template.
    write(
        &theme.join("templates/page.html"),
        &page_html.replace("</footer>", "<p>template-marker</p></footer>"),
    );
    assert_eq!(all(&events.next("update")), every_page);
    assert!(s.get("/guide/").text().contains("template-marker"));
}

#[test]
fn the_search_index_follows_page_edits_once_the_files_are_quiet() {
    let (_work, docs) = acme_copy();
    let s = Server::start(&docs, &[]);
    let events = s.events();
    events.next("hello");
    let index = || s.get("/_docsite/search/index.js").text();
    assert!(!index().contains("quokkanese"));
    append(&docs.join("guide/fuel.md"), "Quokkanese is the new fuel additive.");
    assert_eq!(events.next("update")["pages"], serde_json::json!(["guide/fuel/"]));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !index().contains("quokkanese") {
        assert!(
            std::time::Instant::now() < deadline,
            "the new word never reached the index"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        events.any_within(Duration::from_millis(300)).is_none(),
        "a new index is no reason to refresh open pages"
    );
}

#[test]
fn a_port_in_use_is_an_error_before_any_build() {
    let (_work, docs) = acme_copy();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let o = common::docsite(&["serve", "--docs", docs.to_str().unwrap(), "--port", &port]);
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(err.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{err}");
    assert!(!err.contains("built"), "nothing was built: {err}");
}

#[test]
fn a_theme_folder_named_by_a_config_edit_is_watched_from_then_on() {
    let (work, docs) = acme_copy();
    let theme = work.path().join("later-theme");
    std::fs::create_dir_all(&theme).unwrap();
    write(&theme.join("docsite.css"), "body { color: red; }\n");
    let s = Server::start(&docs, &[]);
    let events = s.events();
    events.next("hello");
    write(
        &docs.join("docsite.toml"),
        &format!("theme = {:?}\n", theme.to_str().unwrap()),
    );
    events.next("update");
    assert!(s.get("/_docsite/docsite.css").text().contains("red"));
    write(&theme.join("docsite.css"), "body { color: green; }\n");
    assert_eq!(events.next("update")["css"], true);
    assert!(s.get("/_docsite/docsite.css").text().contains("green"));
}

/// A page that is a symbolic link updates when the file it leads to changes, outside the
/// docs (a repository's changelog) or inside them.
#[cfg(unix)]
#[test]
fn a_change_to_the_file_a_link_leads_to_updates_the_linked_page() {
    let (work, docs) = acme_copy();
    let changelog = work.path().join("CHANGELOG.md");
    write(&changelog, "# Changelog\n\nFirst release.\n");
    std::os::unix::fs::symlink("../CHANGELOG.md", docs.join("changelog.md")).unwrap();
    std::os::unix::fs::symlink("guide/install.md", docs.join("install-link.md")).unwrap();
    let s = Server::start(&docs, &[]);
    let events = s.events();
    events.next("hello");
    assert!(s.get("/changelog/").text().contains("First release."));

    write(&changelog, "# Changelog\n\nSecond release.\n");
    assert_eq!(events.next("update")["pages"], serde_json::json!(["changelog/"]));
    assert!(s.get("/changelog/").text().contains("Second release."));

    append(&docs.join("guide/install.md"), "Written once, shown twice.");
    let update = events.next("update");
    let pages = update["pages"].as_array().unwrap();
    for page in ["guide/install/", "install-link/"] {
        assert!(pages.contains(&page.into()), "{update}");
    }
    assert!(s.get("/install-link/").text().contains("Written once, shown twice."));

    // Other files beside the changelog wake nothing.
    write(&work.path().join("Cargo.toml"), "[package]\n");
    assert_eq!(events.any_within(Duration::from_millis(600)), None);
}

/// The server's inotify watches: one per folder it watches.
#[cfg(target_os = "linux")]
fn inotify_watches(pid: u32) -> usize {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap();
    fds.filter_map(Result::ok)
        .filter(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t.to_string_lossy().contains("inotify")))
        .map(|fd| {
            let info = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{}", fd.file_name().to_string_lossy()));
            info.unwrap_or_default()
                .lines()
                .filter(|l| l.starts_with("inotify wd:"))
                .count()
        })
        .sum()
}

/// A config file outside the docs (say, at the root of a repository) is watched, but not
/// the folders beside it: a build folder there must not take thousands of watches, nor
/// wake the server on every compile.
#[cfg(target_os = "linux")]
#[test]
fn a_config_outside_the_docs_is_watched_without_the_folders_beside_it() {
    let (work, docs) = acme_copy();
    for i in 0..40 {
        std::fs::create_dir_all(work.path().join(format!("target/debug/deps-{i}"))).unwrap();
    }
    let config = work.path().join("site.toml");
    write(&config, "title = \"First Title\"\n");
    let s = Server::start(&docs, &["--config", config.to_str().unwrap()]);
    let events = s.events();
    events.next("hello");
    assert!(s.get("/").text().contains("First Title"));
    let docs_folders = walkdir::WalkDir::new(&docs)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
        .count();
    let watches = inotify_watches(s.child.id());
    assert!(
        watches <= docs_folders + 1,
        "{watches} watches for {docs_folders} docs folders and a config"
    );

    write(&work.path().join("target/debug/deps-3/out.o"), "object");
    assert_eq!(events.any_within(Duration::from_millis(600)), None);
    write(&config, "title = \"Second Title\"\n");
    events.next("update");
    assert!(s.get("/").text().contains("Second Title"));
}

/// With `--untrusted`, the Content-Security-Policy allows the inline scripts of the theme
/// each build uses (named in `docsite.toml`, and changed while serving), and no others.
#[test]
fn the_untrusted_policy_follows_the_theme_in_use() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let (work, docs) = acme_copy();
    let theme = work.path().join("brand");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    let script = "window.brandTheme=1";
    let page = std::fs::read_to_string(common::root().join("templates/page.html")).unwrap();
    let page = page.replace("</body>", &format!("<script>{script}</script>\n</body>"));
    write(&theme.join("templates/page.html"), &page);
    let hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()))
    );
    let config = docs.join("docsite.toml");
    write(&config, &format!("theme = {:?}\n", theme.to_str().unwrap()));
    let s = Server::start(&docs, &["--untrusted"]);
    let events = s.events();
    events.next("hello");
    let policy = |s: &Server| {
        s.get("/guide/install/")
            .header("Content-Security-Policy")
            .unwrap_or("")
            .to_string()
    };
    assert!(s.get("/guide/install/").text().contains(script));
    assert!(policy(&s).contains(&hash), "{}", policy(&s));

    write(&config, "title = \"No theme\"\n");
    events.next("update");
    assert!(!s.get("/guide/install/").text().contains(script));
    assert!(!policy(&s).contains(&hash), "{}", policy(&s));
    assert!(
        policy(&s).starts_with("default-src 'self'; script-src 'self' 'sha256-"),
        "{}",
        policy(&s)
    );
}

/// "Last updated" follows the commits made while the server runs.
#[test]
fn a_commit_while_serving_updates_last_updated() {
    let (work, docs) = acme_copy();
    let git = |args: &[&str]| common::git(work.path(), args);
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "first"]);
    let first = git(&["log", "-1", "--format=%h"]).trim().to_string();
    let s = Server::start(&docs, &[]);
    let events = s.events();
    events.next("hello");
    assert!(
        s.get("/guide/install/")
            .text()
            .contains(&format!("<code>{first}</code>"))
    );

    append(&docs.join("guide/install.md"), "Committed later.");
    events.next("update");
    s.wait_log("rebuilt guide/install.md in");
    git(&["commit", "-q", "-am", "second"]);
    let second = git(&["log", "-1", "--format=%h"]).trim().to_string();
    events.next("update");
    let page = s.get("/guide/install/").text();
    assert!(page.contains(&format!("<code>{second}</code>")), "{page}");
    assert!(page.contains("Committed later."));
    // Only the page whose "last updated" the commit changed is rendered again.
    let rebuilt = s.wait_log("rebuilt ");
    assert!(rebuilt.starts_with("rebuilt guide/install.md in"), "{rebuilt}");
    let other = s.get("/guide/").text();
    assert!(other.contains(&format!("<code>{first}</code>")), "{other}");
}

/// Switching branches while serving: the pages, the navigation and "last updated" follow
/// the checkout, and switching back restores them.
#[test]
fn a_checkout_while_serving_shows_the_other_branch() {
    let (work, docs) = acme_copy();
    let git = |args: &[&str]| common::git(work.path(), args);
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "first"]);
    let first = git(&["log", "-1", "--format=%h"]).trim().to_string();
    git(&["checkout", "-q", "-b", "other"]);
    append(&docs.join("guide/install.md"), "Only on the other branch.");
    write(
        &docs.join("guide/extra.md"),
        "# Extra\n\nA page the other branch adds.\n",
    );
    let manifest = std::fs::read_to_string(docs.join("manifest.json")).unwrap();
    let with_extra = manifest.replacen(
        r#""path": "./guide/install.md""#,
        r#""path": "./guide/install.md"}, {"title": "Extra", "path": "./guide/extra.md""#,
        1,
    );
    assert_ne!(with_extra, manifest);
    write(&docs.join("manifest.json"), &with_extra);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "other"]);
    let other = git(&["log", "-1", "--format=%h"]).trim().to_string();
    git(&["checkout", "-q", "main"]);

    let s = Server::start(&docs, &[]);
    let events = s.events();
    events.next("hello");
    assert_eq!(s.get("/guide/extra/").status, 404);

    // A checkout is many file events and a reflog event, in one or more batches: wait for
    // the update that shows the branch's page with its commit.
    let follows = |extra_status: u16, commit: &str| {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while s.get("/guide/extra/").status != extra_status || !s.get("/guide/install/").text().contains(commit) {
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not follow the checkout to {commit}"
            );
            events.next("update");
        }
    };
    git(&["checkout", "-q", "other"]);
    follows(200, &other);
    let install = s.get("/guide/install/").text();
    assert!(install.contains("Only on the other branch."), "{install}");
    let extra_link = "<a class=\"nav-link\" href=\"../../guide/extra/\"";
    assert!(
        install.contains(extra_link),
        "the sidebar lists the new page: {install}"
    );

    git(&["checkout", "-q", "main"]);
    follows(404, &first);
    let install = s.get("/guide/install/").text();
    assert!(!install.contains("Only on the other branch."), "{install}");
    assert!(!install.contains(extra_link), "{install}");
}
