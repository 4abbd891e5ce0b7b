//! The `docsite check` command end to end: real binary, the `broken` fixture (one of every
//! finding kind), the three output formats, exit codes and redirects.

mod common;

use std::path::Path;
use std::process::Command;

use common::{build, check, copy_tree, docsite_in, fixture, stderr, stdout};

use common::tmp;

/// `severity kind file:line:col` of each JSON line.
fn json_summary(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            let pos = match (&v["line"], &v["column"]) {
                (serde_json::Value::Null, serde_json::Value::Null) => String::new(),
                (l, c) => format!(":{l}:{c}"),
            };
            format!(
                "{} {} {}{pos}",
                v["severity"].as_str().unwrap(),
                v["kind"].as_str().unwrap(),
                v["file"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn json_reports_every_finding_kind_exactly() {
    let o = check("tests/fixtures/broken", &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        json_summary(&out),
        [
            "error broken-anchor README.md:5:12",
            "error broken-link README.md:6:11",
            "warning link-leaves-docs README.md:7:13",
            "error missing-file README.md:9:1",
            "warning url-clash guide.md",
            "note duplicate-route manifest.json:10:39",
            "warning unknown-key manifest.json:11:53",
            "error missing-route-file manifest.json:14:32",
            "warning invalid-front-matter notes.md:2:13",
            "error redirect-target-missing redirects.json:4:17",
            "error redirect-target-missing redirects.json:5:15",
            "warning redirect-shadows-page redirects.json:6:3",
            "error invalid-redirects redirects.json:7:3",
            "warning orphan-page stray.md",
        ]
    );
    // The whole record, for one finding of each shape.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        r#"{"severity":"error","kind":"broken-anchor","file":"README.md","line":5,"column":12,"message":"broken anchor: `#instal` matches no heading on `setup.md`","help":"did you mean `#install`?"}"#
    );
    assert_eq!(
        lines[13],
        r#"{"severity":"warning","kind":"orphan-page","file":"stray.md","line":null,"column":null,"message":"page is not listed in manifest.json (orphan)","help":"it is still built; add a route for it, or delete it"}"#
    );
    assert_eq!(stderr(&o), "", "check prints its findings to stdout only");
}

#[test]
fn github_lines_are_exact_and_relative_to_the_repository() {
    let repo = tmp();
    let docs = repo.path().join("site/docs");
    copy_tree(&fixture("broken"), &docs);
    let git = Command::new("git")
        .args(["init", "-q"])
        .current_dir(repo.path())
        .status();
    assert!(git.unwrap().success());
    // Run from elsewhere: paths come from the repository, not the current directory.
    let o = docsite_in(
        &docs.join("guide"),
        &["check", "--docs", "..", "--format", "github"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=site/docs/README.md,line=5,col=12,title=broken-anchor::broken anchor: `#instal` matches no heading on `setup.md`%0Ahelp: did you mean `#install`?",
            "::error file=site/docs/README.md,line=6,col=11,title=broken-link::broken link: `./nowhere.md` points to `nowhere.md`, which does not exist%0Ahelp: check the file name, or add the page",
            "::warning file=site/docs/README.md,line=7,col=13,title=link-leaves-docs::link `../LICENSE` leaves the docs folder%0Ahelp: set repo_url (or --repo-url) to link such files on the forge",
            "::error file=site/docs/README.md,line=9,col=1,title=missing-file::broken image: `images/missing.png` points to `images/missing.png`, which does not exist%0Ahelp: add the file to the docs folder, or fix the path",
            "::warning file=site/docs/guide.md,title=url-clash::`guide/index.md` has the same URL; this page is published as `guide.html`%0Ahelp: rename one of the two files",
            "::notice file=site/docs/manifest.json,line=10,col=39,title=duplicate-route::route `routes[0].children[1]` (\"Setup again\") lists `setup.md`, already listed by route `routes[0].children[0]` (\"Setup\")%0Ahelp: the page keeps the place of its first route in the navigation and in previous/next links",
            "::warning file=site/docs/manifest.json,line=11,col=53,title=unknown-key::unknown key `colour` in `routes[0].children[2]` is ignored%0Ahelp: known keys: title, description, path, icon_path, state, children",
            "::error file=site/docs/manifest.json,line=14,col=32,title=missing-route-file::route `routes[0].children[5]` (\"Gone\") path points to `gone.md`, which does not exist%0Ahelp: paths are relative to the folder of manifest.json; fix the path or add the file",
            "::warning file=site/docs/notes.md,line=2,col=13,title=invalid-front-matter::front matter is not valid YAML: mapping values are not allowed in this context%0Ahelp: front matter is ignored; quote values that contain `:` or `#`",
            "::error file=site/docs/redirects.json,line=4,col=17,title=redirect-target-missing::redirect target `guide/index.md#overview`: `#overview` matches no heading on `guide/index.md`",
            "::error file=site/docs/redirects.json,line=5,col=15,title=redirect-target-missing::redirect target `missing.md` is not a page%0Ahelp: targets are docs-relative paths of existing pages, or absolute URLs",
            "::warning file=site/docs/redirects.json,line=6,col=3,title=redirect-shadows-page::`setup.md` is still a page (`setup.md`); the redirect is ignored%0Ahelp: delete the page, or remove the redirect",
            "::error file=site/docs/redirects.json,line=7,col=3,title=invalid-redirects::`notes.txt` is not a docs-relative `.md` page or a folder ending in `/`%0Ahelp: the format is {\"redirects\": {\"old/page.md\": \"new/page.md\"}}",
            "::warning file=site/docs/stray.md,title=orphan-page::page is not listed in manifest.json (orphan)%0Ahelp: it is still built; add a route for it, or delete it",
        ]
    );
}

#[test]
fn human_format_is_rustc_style_with_a_summary() {
    let o = docsite_in(
        common::root(),
        &["check", "--docs", "tests/fixtures/broken"],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(!out.contains('\x1b'), "no colour without a terminal: {out}");
    let first: Vec<&str> = out.lines().take(9).collect();
    assert_eq!(
        first,
        [
            "error[broken-anchor]: broken anchor: `#instal` matches no heading on `setup.md`",
            " --> README.md:5:12",
            "  |",
            "5 | - Read the [setup](setup.md#instal) steps.",
            "  |            ^^^^^^^^^^^^^^^^^^^^^^^^",
            "  |",
            "  = help: did you mean `#install`?",
            "",
            "error[broken-link]: broken link: `./nowhere.md` points to `nowhere.md`, which does not exist",
        ],
        "{out}"
    );
    // A finding about a whole file has a location but no source line.
    assert!(
        out.contains(
            "warning[orphan-page]: page is not listed in manifest.json (orphan)\n--> stray.md\n = help: it is"
        ),
        "{out}"
    );
    assert!(
        out.contains("note[duplicate-route]: route `routes[0].children[1]`"),
        "{out}"
    );
    assert!(out.ends_with("\n7 errors, 6 warnings, 1 note in 6 pages\n"), "{out}");
}

#[test]
fn could_not_run_exits_2() {
    let work = tmp();
    let empty = work.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = check(empty.to_str().unwrap(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("manifest.json: error: manifest.json not found in the docs folder"));
    assert_eq!(stdout(&o), "");

    std::fs::write(empty.join("manifest.json"), "{\"routes\": [,]}").unwrap();
    let o = check(empty.to_str().unwrap(), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("manifest.json:1:13: error: invalid JSON"),
        "{}",
        stderr(&o)
    );

    let o = check("no/such/folder", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("docs folder `no/such/folder` does not exist"));

    let o = check("tests/fixtures/acme", &["--config", "no/such.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = check("tests/fixtures/acme", &["--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn acme_fixture_has_errors_warnings_and_a_note() {
    let o = check("tests/fixtures/acme", &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        json_summary(&stdout(&o)),
        [
            "error missing-file guide/fuel.md:14:1",
            "error broken-link guide/launch.md:38:1",
            "error broken-anchor guide/launch.md:38:53",
            "warning link-leaves-docs guide/launch.md:39:18",
            "note duplicate-route manifest.json:46:14",
            "warning orphan-page ops/runbook.md",
        ]
    );
    // Without the errors, warnings and notes alone pass.
    let (_work, docs) = common::acme_copy();
    std::fs::write(docs.join("images/diagram.png"), "png").unwrap();
    std::fs::write(docs.join("guide/checklist.md"), "# Checklist\n").unwrap();
    let launch = std::fs::read_to_string(docs.join("guide/launch.md")).unwrap();
    std::fs::write(
        docs.join("guide/launch.md"),
        launch.replace("#requirement)", "#requirements)"),
    )
    .unwrap();
    let o = check(
        docs.to_str().unwrap(),
        &["--repo-url", "https://forge.example/acme/blob/main/docs"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("= help: it links to the file on the forge instead: https://forge.example/acme/blob/main/LICENSE"),
        "{out}"
    );
    assert!(out.ends_with("\n0 errors, 3 warnings, 1 note in 8 pages\n"), "{out}");
}

#[test]
fn our_own_docs_check_clean() {
    let o = check("docs", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.starts_with("0 errors, 0 warnings, 0 notes in "), "{out}");
}

#[test]
fn build_writes_a_redirect_page_at_each_old_url() {
    let (work, docs) = common::acme_copy();
    std::fs::write(
        docs.join("redirects.json"),
        r#"{"redirects": {"guide/old-install.md": "guide/install.md#requirements", "legacy/": "reference/cli.md", "gone.md": "https://example.com/gone"}}"#,
    )
    .unwrap();
    let site = work.path().join("site");
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string(site.join("guide/old-install/index.html")).unwrap();
    assert!(
        page.contains("<meta http-equiv=\"refresh\" content=\"0; url=../../guide/install/#requirements\">"),
        "{page}"
    );
    assert!(page.contains("<link rel=\"canonical\" href=\"../../guide/install/#requirements\">"));
    assert!(page.contains("<a href=\"../../guide/install/#requirements\">"));
    let legacy = std::fs::read_to_string(site.join("legacy/index.html")).unwrap();
    assert!(legacy.contains("url=../reference/cli/\""), "{legacy}");
    let gone = std::fs::read_to_string(site.join("gone/index.html")).unwrap();
    assert!(gone.contains("url=https://example.com/gone\""), "{gone}");

    // With a site URL the canonical link is absolute; the refresh stays relative.
    let o = build(
        docs.to_str().unwrap(),
        site.to_str().unwrap(),
        &["--site-url", "https://docs.acme.dev/rockets"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string(site.join("guide/old-install/index.html")).unwrap();
    assert!(
        page.contains("<link rel=\"canonical\" href=\"https://docs.acme.dev/rockets/guide/install/#requirements\">"),
        "{page}"
    );
    assert!(page.contains("url=../../guide/install/#requirements\""));
}

#[test]
fn check_flags_a_missing_redirect_target_with_its_position() {
    let (work, docs) = common::acme_copy();
    std::fs::write(
        docs.join("redirects.json"),
        "{\n  \"redirects\": {\n    \"guide/old.md\": \"guide/instal.md\"\n  }\n}\n",
    )
    .unwrap();
    let o = check(docs.to_str().unwrap(), &["--format", "json"]);
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.contains("redirect-target-missing"))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        line,
        r#"{"severity":"error","kind":"redirect-target-missing","file":"redirects.json","line":3,"column":21,"message":"redirect target `guide/instal.md` is not a page","help":"targets are docs-relative paths of existing pages, or absolute URLs"}"#
    );
    // The build does not fail on it, and writes no page for it.
    let site = work.path().join("site");
    let o = build(docs.to_str().unwrap(), site.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("redirects.json:3:21: warning: redirect target"));
    assert!(!site.join("guide/old/index.html").exists());
    assert!(Path::new(&site).join("guide/install/index.html").exists());
}

/// Colour only on a terminal, and never with NO_COLOR: `script` gives the command a real
/// pseudo-terminal.
#[test]
fn colour_on_a_terminal_unless_no_color() {
    if !std::path::Path::new("/usr/bin/script").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "util-linux `script` is needed for this test"
        );
        return;
    }
    let bin = env!("CARGO_BIN_EXE_docsite");
    let run = |no_color: bool| {
        let mut cmd = std::process::Command::new("/usr/bin/script");
        cmd.args(["-qec", &format!("{bin} check --docs tests/fixtures/acme"), "/dev/null"])
            .current_dir(common::root())
            .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&cmd.output().expect("run script").stdout).into_owned()
    };
    let coloured = run(false);
    assert!(coloured.contains("error") && coloured.contains("\u{1b}["), "{coloured}");
    let plain = run(true);
    assert!(plain.contains("error") && !plain.contains("\u{1b}["), "{plain}");
}
