//! The `docsite build` command end to end: real binary, real files in temp folders.

mod common;

use common::{build, dangling_refs, docsite, site_files, stderr};

use common::tmp;

#[test]
fn builds_the_fixture_with_exact_warnings_and_summary() {
    let out = tmp();
    let site = out.path().join("site");
    let o = build("tests/fixtures/acme", site.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("  help:")).collect();
    let (summary, diags) = lines.split_last().unwrap();
    assert_eq!(
        diags,
        [
            "tests/fixtures/acme/guide/fuel.md:14:1: warning: broken image: `../images/diagram.png` points to `images/diagram.png`, which does not exist",
            "tests/fixtures/acme/guide/launch.md:38:1: warning: broken link: `./checklist.md` points to `guide/checklist.md`, which does not exist",
            "tests/fixtures/acme/guide/launch.md:38:53: warning: broken anchor: `#requirement` matches no heading on `guide/install.md`",
            "tests/fixtures/acme/guide/launch.md:39:18: warning: link `../../LICENSE` leaves the docs folder",
            "tests/fixtures/acme/ops/runbook.md: warning: page is not listed in manifest.json (orphan)",
        ]
    );
    assert!(err.contains("help: did you mean `#requirements`?"));
    assert!(
        summary.starts_with("built 7 pages in ")
            && summary.contains(" ms, 5 warnings, search index ")
            && summary.ends_with(" KB"),
        "{summary}"
    );

    let files = site_files(&site);
    for page in [
        "index.html",
        "guide/index.html",
        "guide/install/index.html",
        "guide/launch/index.html",
        "guide/fuel/index.html",
        "reference/cli/index.html",
        "ops/runbook/index.html",
        "404.html",
        "_docsite/docsite.css",
        "_docsite/docsite.js",
        "images/logo.svg",
        "images/icons/home.svg",
    ] {
        assert!(
            files.contains_key(page),
            "missing {page}; have {:?}",
            files.keys().collect::<Vec<_>>()
        );
    }
    assert!(!files.contains_key("sitemap.xml"), "no sitemap without a site URL");
    // Every relative reference in the output lands somewhere, except the three the
    // sources got wrong on purpose.
    let dangling: Vec<String> = dangling_refs(&files)
        .into_iter()
        .map(|d| format!("{} -> {}", d.page, d.href))
        .collect();
    assert_eq!(
        dangling,
        [
            "guide/fuel/index.html -> ../images/diagram.png",
            "guide/launch/index.html -> ../../LICENSE",
            "guide/launch/index.html -> ../../guide/install/#requirement",
            "guide/launch/index.html -> ./checklist.md",
        ]
    );
    // All internal URLs are relative: nothing starts with `/`.
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| p.ends_with(".html") && p.as_str() != "404.html")
    {
        let html = String::from_utf8_lossy(bytes);
        assert!(
            !html.contains("href=\"/") && !html.contains("src=\"/"),
            "absolute URL in {path}"
        );
    }
}

#[test]
fn strict_build_fails_and_keeps_the_previous_site() {
    let out = tmp();
    let site = out.path().join("site");
    let s = site.to_str().unwrap();
    assert!(build("tests/fixtures/acme", s, &[]).status.success());
    std::fs::write(site.join("marker.txt"), "previous build").unwrap();
    let before = std::fs::read(site.join("index.html")).unwrap();

    let o = build("tests/fixtures/acme", s, &["--strict"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("guide/fuel.md:14:1: error: broken image"), "{err}");
    assert!(err.contains("error: build failed with 5 errors, 0 warnings;"), "{err}");
    assert!(
        site.join("marker.txt").exists(),
        "a failed build must not touch the old output"
    );
    assert_eq!(std::fs::read(site.join("index.html")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["site"], "no staging folders are left behind");
}

#[test]
fn broken_manifest_reports_position_and_keeps_output() {
    let (work, docs) = common::acme_copy();
    let site = work.path().join("site");
    let s = site.to_str().unwrap();
    let d = docs.to_str().unwrap();
    assert!(build(d, s, &[]).status.success());

    std::fs::write(
        docs.join("manifest.json"),
        "{\n  \"routes\": [\n    {\"title\": \"A\" \"path\": \"README.md\"}\n  ]\n}\n",
    )
    .unwrap();
    let o = build(d, s, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("{d}/manifest.json:3:18: error: invalid JSON")),
        "{err}"
    );
    assert!(site.join("index.html").exists());

    std::fs::write(
        docs.join("manifest.json"),
        r#"{"routes": [{"title": "A", "path": "./README.md", "children": [{"title": "Gone", "path": "./gone.md"}]}]}"#,
    )
    .unwrap();
    let err = stderr(&build(d, s, &[]));
    assert!(
        err.contains("manifest.json:1:90: error: route `routes[0].children[0]` (\"Gone\") path points to `gone.md`, which does not exist"),
        "{err}"
    );
}

#[test]
fn non_utf8_page_is_an_error_naming_the_file() {
    let (work, docs) = common::acme_copy();
    std::fs::write(docs.join("guide/install.md"), b"# Install\n\nbad \xff byte\n").unwrap();
    let o = build(docs.to_str().unwrap(), work.path().join("site").to_str().unwrap(), &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("guide/install.md:3:5: error: file is not valid UTF-8"),
        "{err}"
    );
    assert!(!work.path().join("site").exists());
}

#[test]
fn usage_errors_exit_2() {
    let o = build("no/such/folder", "/tmp/never", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("docs folder `no/such/folder` does not exist"));
    let o = docsite(&["build", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn config_file_and_flags_shape_the_site() {
    let (work, docs) = common::acme_copy();
    std::fs::write(
        docs.join("docsite.toml"),
        "title = \"Acme Docs\"\nsite_url = \"https://docs.acme.dev/rockets\"\nrepo_url = \"https://forge.example/acme/acme/blob/main/docs\"\n",
    )
    .unwrap();
    let site = work.path().join("site");
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string(site.join("guide/install/index.html")).unwrap();
    assert!(page.contains("<title>Install · Acme Docs</title>"), "{page}");
    assert!(page.contains("<link rel=\"canonical\" href=\"https://docs.acme.dev/rockets/guide/install/\">"));
    assert!(page.contains("href=\"https://forge.example/acme/acme/edit/main/docs/guide/install.md\""));
    let launch = std::fs::read_to_string(site.join("guide/launch/index.html")).unwrap();
    assert!(
        launch.contains("href=\"https://forge.example/acme/acme/blob/main/LICENSE\""),
        "links leaving docs go to the forge"
    );
    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://docs.acme.dev/rockets/guide/install/</loc>"));
    assert_eq!(sitemap.matches("<url>").count(), 7);

    // A flag beats the file.
    let o = build(
        docs.to_str().unwrap(),
        site.to_str().unwrap(),
        &["--title", "Flag Title"],
    );
    assert!(o.status.success());
    let page = std::fs::read_to_string(site.join("guide/install/index.html")).unwrap();
    assert!(page.contains("<title>Install · Flag Title</title>"));

    std::fs::write(docs.join("docsite.toml"), "title = \"x\"\nsite-url = 3\n").unwrap();
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("docsite.toml:2:1: error: unknown field `site-url`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn theme_folder_overrides_templates_and_assets() {
    let work = tmp();
    let theme = work.path().join("theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::write(
        theme.join("templates/page.html"),
        "<main data-custom>{{ page.title }}|{{ site.assets }}|{{ page.content | safe }}</main>",
    )
    .unwrap();
    std::fs::write(theme.join("docsite.css"), "/* custom */").unwrap();
    std::fs::write(theme.join("extra.txt"), "added").unwrap();
    let site = work.path().join("site");
    let o = build(
        "tests/fixtures/acme",
        site.to_str().unwrap(),
        &["--theme", theme.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string(site.join("reference/cli/index.html")).unwrap();
    assert!(
        page.starts_with("<main data-custom>CLI reference|../../_docsite/|<h1 id=\"cli-reference\">"),
        "{page}"
    );
    assert_eq!(
        std::fs::read_to_string(site.join("_docsite/docsite.css")).unwrap(),
        "/* custom */"
    );
    assert_eq!(
        std::fs::read_to_string(site.join("_docsite/extra.txt")).unwrap(),
        "added"
    );
    assert!(
        site.join("_docsite/docsite.js").exists(),
        "files not overridden come from the built-in theme"
    );

    std::fs::write(theme.join("templates/page.html"), "{{ page.title | no_such_filter }}").unwrap();
    let o = build(
        "tests/fixtures/acme",
        site.to_str().unwrap(),
        &["--theme", theme.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no_such_filter"), "{}", stderr(&o));
}

#[test]
fn our_own_docs_build_cleanly_in_strict_mode() {
    let work = tmp();
    let site = work.path().join("site");
    let o = build("docs", site.to_str().unwrap(), &["--strict"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains(" ms, 0 warnings, search index "), "{err}");
    assert!(site.join("index.html").exists());
}

#[test]
fn refuses_an_output_folder_that_holds_the_docs() {
    let (work, docs) = common::acme_copy();
    for out in [work.path().to_path_buf(), docs.clone(), work.path().join("docs/..")] {
        let o = build(docs.to_str().unwrap(), out.to_str().unwrap(), &[]);
        assert_eq!(o.status.code(), Some(2), "{}", out.display());
        assert!(stderr(&o).contains("contains the docs folder"), "{}", stderr(&o));
    }
    assert!(docs.join("manifest.json").exists());
    // An output folder inside the docs folder is fine: it is skipped when reading.
    let inside = docs.join("site");
    let o = build(docs.to_str().unwrap(), inside.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = build(docs.to_str().unwrap(), inside.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!inside.join("site").exists(), "the previous output is not read as docs");
}

#[test]
fn a_wide_site_ships_its_top_level_nav_once() {
    let work = tmp();
    let docs = work.path().join("docs");
    common::write_wide_site(&docs, 45);
    let site = work.path().join("site");
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string(site.join("s7/page/index.html")).unwrap();
    assert!(
        page.contains("<ul class=\"nav-list\" data-nav-rest=\"../../_docsite/nav.js\">"),
        "{page}"
    );
    assert_eq!(
        page.matches("data-root=").count(),
        1,
        "only the page's own top-level branch"
    );
    assert!(
        page.contains("<li class=\"has-children is-open\" data-root=\"6\">"),
        "{page}"
    );
    let nav = page
        .split("<nav class=\"site-nav\"")
        .nth(1)
        .unwrap()
        .split("</nav>")
        .next()
        .unwrap();
    assert!(!nav.contains("Section 8"), "other sections come from nav.js");
    assert!(
        nav.contains("aria-controls=\"dsnav-7\""),
        "ids follow manifest positions: {nav}"
    );
    let script = std::fs::read_to_string(site.join("_docsite/nav.js")).unwrap();
    let json = script
        .strip_prefix("window.docsiteNav=")
        .unwrap()
        .trim_end()
        .trim_end_matches(';');
    let entries: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 45);
    assert_eq!(
        entries[0],
        serde_json::json!({"t": "Section 1", "u": "s1/", "i": null, "s": [["beta", "beta"]], "c": true})
    );
    assert_eq!(entries[44]["u"], serde_json::Value::Null);
    assert_eq!(entries[44]["k"][0]["u"], "s45/page/");

    // A site with few sections keeps the whole list in every page and writes no script.
    let small = work.path().join("small");
    assert!(
        build("tests/fixtures/acme", small.to_str().unwrap(), &[])
            .status
            .success()
    );
    assert!(!small.join("_docsite/nav.js").exists());
    let page = std::fs::read_to_string(small.join("guide/install/index.html")).unwrap();
    assert!(!page.contains("data-nav-rest"));
}

#[test]
fn search_index_size_is_printed_and_a_budget_overrun_warns() {
    let (work, docs) = common::acme_copy();
    let site = work.path().join("site");
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    let err = stderr(&o);
    assert!(!err.contains("search index is"), "{err}");
    let summary = err.lines().last().unwrap();
    let kb: u64 = summary
        .rsplit_once(", search index ")
        .and_then(|(_, s)| s.strip_suffix(" KB"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{summary}"));
    let on_disk: u64 = common::site_files(&site.join("_docsite/search"))
        .iter()
        .filter(|(p, _)| !p.starts_with("p/"))
        .map(|(_, b)| b.len() as u64)
        .sum();
    assert_eq!(kb, on_disk.div_ceil(1024), "{summary}");
    assert!(site.join("_docsite/search/p/0/0.js").is_file());

    std::fs::write(docs.join("docsite.toml"), "search_budget_kb = 0\n").unwrap();
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "docsite.toml: warning: the search index is {kb} KB, over the budget of 0 KB"
        )),
        "{err}"
    );
    assert!(err.contains(" ms, 6 warnings, search index "), "{err}");

    // The hidden switch bench/search.sh uses: no index, no search box.
    let o = common::docsite_in(
        work.path(),
        &["build", "--docs", "docs", "--out", "site"],
        &[("DOCSITE_NO_SEARCH", "1")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).trim_end().ends_with(" ms, 5 warnings"), "{}", stderr(&o));
    assert!(!site.join("_docsite/search").exists());
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(!page.contains("docsite-search"), "{page}");
}

/// The files a command that writes starter files listed on stdout, each checked to exist.
fn written_files(o: &std::process::Output) -> Vec<String> {
    assert!(o.status.success(), "{}", stderr(o));
    let listed: Vec<String> = common::stdout(o).lines().map(String::from).collect();
    assert!(listed.iter().all(|l| std::path::Path::new(l).is_file()), "{listed:?}");
    listed
}

/// Runs `args` over a folder where one file it writes was edited and another removed: the
/// run must refuse, naming the edited file, keep the edit and write nothing.
fn assert_refused(args: &[&str], edited: &std::path::Path, removed: &std::path::Path) {
    std::fs::write(edited, "edited").unwrap();
    std::fs::remove_file(removed).unwrap();
    let o = docsite(args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("error: {} already exists", edited.display())),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(edited).unwrap(), "edited");
    assert!(!removed.exists(), "a refused run writes nothing");
}

/// `docsite theme export` writes the built-in theme: a build with it is the same site, and
/// a second export keeps the files already there unless told to replace them.
#[test]
fn theme_export_round_trips_and_keeps_existing_files() {
    let work = tmp();
    let theme = work.path().join("brand");
    let theme_arg = theme.to_str().unwrap();
    let o = docsite(&["theme", "export", theme_arg]);
    let listed = written_files(&o);
    assert!(listed.iter().any(|l| l.ends_with("templates/page.html")), "{listed:?}");
    assert!(stderr(&o).contains("--theme"), "{}", stderr(&o));

    let (plain, themed) = (work.path().join("plain"), work.path().join("themed"));
    let o = build("tests/fixtures/acme", plain.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = build("tests/fixtures/acme", themed.to_str().unwrap(), &["--theme", theme_arg]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (plain, themed) = (site_files(&plain), site_files(&themed));
    assert_eq!(plain.keys().collect::<Vec<_>>(), themed.keys().collect::<Vec<_>>());
    for (path, bytes) in &plain {
        assert!(themed[path] == *bytes, "{path} differs with the exported theme");
    }

    let css = theme.join("docsite.css");
    assert_refused(&["theme", "export", theme_arg], &css, &theme.join("templates/404.html"));
    let o = docsite(&["theme", "export", "--force", theme_arg]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(std::fs::read_to_string(&css).unwrap(), "edited");
    assert!(theme.join("templates/404.html").is_file());
}

/// `docsite init` starts a docs folder that builds and checks with no findings, shows the
/// title as written, and never writes over a folder that has its files.
#[test]
fn init_makes_a_folder_that_builds_cleanly_and_never_overwrites() {
    let work = tmp();
    let docs = work.path().join("handbook");
    let docs_arg = docs.to_str().unwrap();
    let o = docsite(&["init", docs_arg, "--title", "Acme <Handbook>"]);
    let listed = written_files(&o);
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert!(stderr(&o).contains("docsite serve --docs "), "{}", stderr(&o));

    let site = work.path().join("site");
    let o = build(docs_arg, site.to_str().unwrap(), &["--strict"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("built 2 pages in ") && stderr(&o).contains(" ms, 0 warnings"));
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.contains("<title>Acme &lt;Handbook&gt;</title>"), "{home}");
    assert!(
        home.contains(">Acme &lt;Handbook&gt;<a class=\"heading-anchor\""),
        "{home}"
    );
    assert!(site.join("getting-started/index.html").is_file());
    let o = common::check(docs_arg, &[]);
    assert!(
        common::stdout(&o).contains("0 errors, 0 warnings, 0 notes in 2 pages"),
        "{}{}",
        common::stdout(&o),
        stderr(&o)
    );

    assert_refused(
        &["init", docs_arg],
        &docs.join("README.md"),
        &docs.join("getting-started.md"),
    );
}
