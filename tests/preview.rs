//! `docsite preview` end to end: real git repositories made here in temp folders, the real
//! binary, and the seed PR of the shared corpus (coder/coder#25852).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{corpus, git, root, stderr, stdout, tmp};
use docsite::build::{BuildOptions, build};
use docsite::config::Config;
use docsite::git::Repo;
use docsite::output::MemoryOutput;
use docsite::source::{DirSource, GitSource};

const URL: &str = "https://previews.example/docs";
const MARKER: &str = "<!-- docsite-preview -->";

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

const MANIFEST: &str = r#"{
  "versions": ["main"],
  "routes": [
    {"title": "Home", "path": "./README.md", "children": [
      {"title": "Guide", "path": "./guide/index.md", "children": [
        {"title": "Install", "path": "./guide/install.md"},
        {"title": "Usage", "path": "./guide/usage.md"}
      ]},
      {"title": "Reference", "path": "./reference.md"}
    ]}
  ]
}
"#;

/// The base of every fixture PR: a small site whose only finding is one broken link.
fn base_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("docs/manifest.json", MANIFEST),
        (
            "docs/README.md",
            "# Home\n\nRead the [guide](guide/index.md).\n\nSee [install requirements](guide/install.md#requirements).\n\nAn old [broken link](nowhere.md).\n\nHow to [use it](guide/usage.md).\n",
        ),
        ("docs/guide/index.md", "# Guide\n\n<children></children>\n"),
        (
            "docs/guide/install.md",
            "# Install\n\n## Requirements\n\nA computer.\n\n## Steps\n\nRun it.\n",
        ),
        (
            "docs/guide/usage.md",
            "# Usage\n\nUse it well. Each line of this page is about usage.\n\n## Options\n\nThere are some, drawn in `images/flags.svg`.\n",
        ),
        (
            "docs/reference.md",
            "# Reference\n\nEvery flag.\n\n![Flags](images/flags.svg)\n",
        ),
        ("docs/images/flags.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"),
        ("src/main.c", "int main(void) { return 0; }\n"),
    ]
}

/// A repository with `main` (the base files) and a branch `name` where `change` was
/// committed; the branch is checked out.
fn fixture_repo(name: &str, change: impl FnOnce(&Path)) -> (tempfile::TempDir, PathBuf) {
    let work = tmp();
    let repo = work.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(&repo, &base_files());
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    git(&repo, &["checkout", "-q", "-b", name]);
    change(&repo);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "change"]);
    (work, repo)
}

/// Runs `docsite preview --repo REPO --base main --out OUT --url URL EXTRA…`.
fn preview(repo: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "preview",
        "--repo",
        repo.to_str().unwrap(),
        "--base",
        "main",
        "--out",
        out.to_str().unwrap(),
        "--url",
        URL,
    ];
    args.extend_from_slice(extra);
    common::docsite(&args)
}

/// A fixture PR (see [`fixture_repo`]) previewed: the work folder, the output folder and
/// the comment.
fn preview_pr(name: &str, change: impl FnOnce(&Path)) -> (tempfile::TempDir, PathBuf, String) {
    let (work, repo) = fixture_repo(name, change);
    let out = work.path().join("out");
    let o = preview(&repo, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    (work, out, stdout(&o))
}

fn report(out: &Path, slug: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join(slug).join("_preview/report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn page<'a>(report: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == path)
        .unwrap_or_else(|| panic!("no page {path} in the report"))
}

#[test]
fn seed_pr_25852_comment_report_and_site() {
    let Some(_) = corpus() else { return };
    let script = root().join("../shared/corpus/seed-pr-25852/build-fixture.sh");
    let work = tmp();
    let repo = work.path().join("repo");
    let o = Command::new("bash").arg(&script).arg(&repo).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = work.path().join("previews");
    let o = preview(&repo, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let comment = stdout(&o);
    let root_url = format!("{URL}/@docs-clarify-agents-gateway-routing/");
    let mut lines = comment.lines();
    assert_eq!(lines.next(), Some(MARKER));
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "📖 [View docs preview for docs/ai-coder/agents/getting-started.md]({root_url}ai-coder/agents/getting-started/)"
        )
    );
    // The checklist: every changed page, with its own URL; a folder URL for clients/index.md.
    for (path, url) in [
        ("ai-coder/agents/getting-started.md", "ai-coder/agents/getting-started/"),
        ("ai-coder/agents/models.md", "ai-coder/agents/models/"),
        ("ai-coder/ai-gateway/clients/index.md", "ai-coder/ai-gateway/clients/"),
        ("ai-coder/ai-gateway/setup.md", "ai-coder/ai-gateway/setup/"),
    ] {
        let item = format!("- [ ] [`docs/{path}`]({root_url}{url})\n");
        assert!(comment.contains(&item), "missing {item} in\n{comment}");
    }
    assert_eq!(comment.matches("- [ ] ").count(), 4, "{comment}");
    // The removed page, what still points at it (nothing) and the redirect to suggest.
    assert!(
        comment.contains(
            "- `docs/ai-coder/ai-gateway/clients/coder-agents.md`: removed\n  - nothing links to it any more\n  - suggested redirect, in `docs/redirects.json`: `\"ai-coder/ai-gateway/clients/coder-agents.md\": \"ai-coder/ai-gateway/clients/index.md\"`\n"
        ),
        "{comment}"
    );
    // The navigation diff: the one entry removed under Client Configuration.
    assert!(
        comment.contains("```diff\n- … › AI Gateway › Client Configuration › Coder Agents\n```"),
        "{comment}"
    );
    // The anchor the removed page linked to is gone from setup.md; no remaining page uses it.
    assert!(
        comment.contains("- `docs/ai-coder/ai-gateway/setup.md#multiple-instances-of-the-same-provider` is gone; no link in the docs uses it"),
        "{comment}"
    );
    // Old debt stays out of the comment: only findings on lines the PR brought in.
    let new: Vec<&str> = comment
        .lines()
        .filter(|l| l.starts_with("- `docs/") && l.contains(" error "))
        .collect();
    assert!(!new.is_empty() && new.len() < 20, "{new:#?}");
    for l in &new {
        assert!(
            ["getting-started.md", "models.md", "clients/index.md", "setup.md"]
                .iter()
                .any(|p| l.contains(p)),
            "a finding on a page the PR did not touch: {l}"
        );
    }

    let slug = "@docs-clarify-agents-gateway-routing";
    let r = report(&out, slug);
    assert_eq!(r["schema"], 1);
    assert_eq!(r["url"], root_url);
    assert_eq!(page(&r, "ai-coder/agents/models.md")["status"], "modified");
    assert_eq!(
        page(&r, "ai-coder/ai-gateway/clients/index.md")["route"],
        "ai-coder/ai-gateway/clients/"
    );
    assert_eq!(
        page(&r, "ai-coder/ai-gateway/clients/coder-agents.md")["status"],
        "removed"
    );
    assert_eq!(page(&r, "ai-coder/agents/index.md")["status"], "unchanged");
    assert_eq!(page(&r, "ai-coder/agents/index.md")["hash"].as_str().unwrap().len(), 40);
    let nav = r["nav"].as_array().unwrap();
    assert_eq!(nav.len(), 1, "{nav:#?}");
    assert_eq!(nav[0]["change"], "removed");
    assert_eq!(
        nav[0]["before"]["breadcrumb"],
        serde_json::json!([
            "Run AI Coding Agents in Coder",
            "AI Governance",
            "AI Gateway",
            "Client Configuration",
            "Coder Agents"
        ])
    );
    assert_eq!(
        r["gone"][0]["suggested_redirect"]["to"],
        "ai-coder/ai-gateway/clients/index.md"
    );
    // The base's check reuses the head's unchanged pages: its findings must be exactly what
    // `docsite check` finds on a checkout of each commit.
    let base_checkout = work.path().join("base");
    git(
        work.path(),
        &[
            "clone",
            "-q",
            "-b",
            "main",
            repo.to_str().unwrap(),
            base_checkout.to_str().unwrap(),
        ],
    );
    for (docs, total) in [
        (base_checkout.join("docs"), "base_total"),
        (repo.join("docs"), "head_total"),
    ] {
        let o = common::check(docs.to_str().unwrap(), &["--format", "json"]);
        let counted = stdout(&o)
            .lines()
            .filter(|l| !l.contains(r#""severity":"note""#))
            .count();
        assert_eq!(r["findings"][total], counted, "{total}");
    }

    // The site: changed pages badged in the sidebar, the others not; the index of changes.
    let site = out.join(slug);
    let models = std::fs::read_to_string(site.join("ai-coder/agents/models/index.html")).unwrap();
    assert!(
        models.contains("<span class=\"nav-title\">Models <span class=\"badge badge-changed\">changed</span></span>"),
        "models is not badged"
    );
    assert!(models.contains("Last updated <time datetime=\"2026-06-02\">2026-06-02</time>"));
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.contains("Last updated <time datetime=\"2026-06-01\">2026-06-01</time>"));
    assert!(!home.contains(">About <span class=\"badge badge-changed\""));
    let index = std::fs::read_to_string(site.join("_preview/index.html")).unwrap();
    assert_eq!(index.matches("<li><a href=\"../").count(), 4, "{index}");
    assert!(index.contains("href=\"../ai-coder/ai-gateway/clients/\""));
    assert!(
        !site
            .join("ai-coder/ai-gateway/clients/coder-agents/index.html")
            .exists()
    );
}

#[test]
fn rename_keeps_the_nav_entry_and_names_the_links_left_behind() {
    let (_w, out, comment) = preview_pr("rename", |repo| {
        std::fs::rename(repo.join("docs/guide/usage.md"), repo.join("docs/guide/using.md")).unwrap();
        let m = MANIFEST.replace("./guide/usage.md", "./guide/using.md");
        write(repo, &[("docs/manifest.json", &m)]);
    });
    assert!(
        comment.contains(&format!(
            "- [ ] [`docs/guide/using.md`]({URL}/@rename/guide/using/) (renamed from `docs/guide/usage.md`)"
        )),
        "{comment}"
    );
    assert!(
        comment.contains("- `docs/guide/usage.md`: renamed to `docs/guide/using.md`\n  - ⚠️ still linked from `docs/README.md:9`\n  - suggested redirect, in `docs/redirects.json`: `\"guide/usage.md\": \"guide/using.md\"`"),
        "{comment}"
    );
    // Same entry, new path: not a removal and an addition.
    assert!(!comment.contains("### Navigation changes"), "{comment}");
    // The stale link is the one new finding.
    assert!(comment.contains("### New findings (1; 1 before, 2 now)"), "{comment}");
    let r = report(&out, "@rename");
    assert_eq!(page(&r, "guide/using.md")["previous_path"], "guide/usage.md");
    assert_eq!(page(&r, "guide/using.md")["status"], "renamed");
}

#[test]
fn retitle_move_reorder_and_badge_show_in_the_nav_diff() {
    const HEAD: &str = r#"{
  "versions": ["main"],
  "routes": [
    {"title": "Home", "path": "./README.md", "children": [
      {"title": "Guide", "path": "./guide/index.md", "children": [
        {"title": "Usage", "path": "./guide/usage.md"},
        {"title": "Installation", "path": "./guide/install.md", "state": ["beta"]},
        {"title": "Reference", "path": "./reference.md"}
      ]}
    ]}
  ]
}
"#;
    let (_w, out, comment) = preview_pr("nav", |repo| write(repo, &[("docs/manifest.json", HEAD)]));
    assert!(
        comment.contains(
            "```diff\n! moved: Home › Guide › Installation from position 1 to 2\n! retitled: Home › Guide › Install → Installation\n! badge: Home › Guide › Installation: no badge → beta\n! moved: Home › Reference → Home › Guide › Reference\n```"
        ),
        "{comment}"
    );
    // Only the manifest changed: no page to review, so the link goes to the preview root.
    assert!(
        comment.contains(&format!("📖 [View docs preview]({URL}/@nav/)")),
        "{comment}"
    );
    assert!(comment.contains("✅ No new findings (1 before, 1 now)."), "{comment}");
    let r = report(&out, "@nav");
    let kinds: Vec<&str> = r["nav"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["moved", "retitled", "state-changed", "moved"]);
    assert_eq!(r["nav"][0]["after"]["position"], 2);
}

#[test]
fn changed_anchor_names_the_links_it_breaks_and_old_findings_stay_old() {
    let (_w, out, comment) = preview_pr("anchors", |repo| {
        write(
            repo,
            &[
                (
                    "docs/guide/install.md",
                    "# Install\n\n## Prerequisites\n\nA computer.\n\n## Steps\n\nRun it.\n",
                ),
                // Lines added above the old broken link move it: it must not count as new.
                (
                    "docs/README.md",
                    "# Home\n\nWelcome.\n\nMore welcome.\n\nRead the [guide](guide/index.md).\n\nSee [install requirements](guide/install.md#requirements).\n\nAn old [broken link](nowhere.md).\n\nHow to [use it](guide/usage.md).\n",
                ),
            ],
        );
    });
    assert!(
        comment.contains(
            "### Anchors that changed\n\n- `docs/guide/install.md#requirements` is gone; ⚠️ breaks `docs/README.md:9`\n"
        ),
        "{comment}"
    );
    assert!(comment.contains("### New findings (1; 1 before, 2 now)"), "{comment}");
    assert!(
        comment.contains("- `docs/README.md:9` error broken-anchor"),
        "{comment}"
    );
    assert!(
        !comment.contains("nowhere.md"),
        "an old finding reported as new:\n{comment}"
    );
    let r = report(&out, "@anchors");
    assert_eq!(r["anchors"][0]["anchor"], "requirements");
    assert_eq!(r["findings"]["new"][0]["kind"], "broken-anchor");
    assert_eq!(r["findings"]["new"][0]["line"], 9);
    assert!(
        page(&r, "guide/install.md")["anchors"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("prerequisites"))
    );
}

#[test]
fn new_orphan_is_a_new_finding_and_is_flagged_in_the_checklist() {
    let (_w, out, comment) = preview_pr("orphan", |repo| {
        // Settings that change git's output for people must not change what docsite reads.
        for (key, value) in [
            ("color.ui", "always"),
            ("diff.relative", "true"),
            ("log.showSignature", "true"),
        ] {
            git(repo, &["config", key, value]);
        }
        write(repo, &[("docs/extra.md", "# Extra\n\nNot listed.\n")]);
    });
    assert!(
        comment.contains(&format!(
            "- [ ] [`docs/extra.md`]({URL}/@orphan/extra/) (new) (not in the navigation)"
        )),
        "{comment}"
    );
    assert!(
        comment.contains("- `docs/extra.md` warning orphan-page: page is not listed in manifest.json (orphan)"),
        "{comment}"
    );
    assert_eq!(page(&report(&out, "@orphan"), "extra.md")["status"], "added");
}

#[test]
fn a_changed_image_puts_the_pages_showing_it_up_for_review() {
    let (_w, out, comment) = preview_pr("image", |repo| {
        write(
            repo,
            &[
                (
                    "docs/images/flags.svg",
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"2\"/>\n",
                ),
                // The head's config applies to its preview.
                ("docs/docsite.toml", "title = \"Flag Docs\"\n"),
            ],
        )
    });
    let item = format!("- [ ] [`docs/reference.md`]({URL}/@image/reference/) (`docs/images/flags.svg` changed)");
    assert!(comment.contains(&item), "{comment}");
    assert!(
        comment.contains(&format!(
            "📖 [View docs preview for docs/reference.md]({URL}/@image/reference/)"
        )),
        "{comment}"
    );
    let r = report(&out, "@image");
    let page = page(&r, "reference.md");
    assert_eq!(page["status"], "unchanged");
    assert_eq!(page["changed_files"][0]["path"], "images/flags.svg");
    let home = std::fs::read_to_string(out.join("@image/index.html")).unwrap();
    assert!(
        home.contains("<a class=\"site-title\" href=\"./\">Flag Docs</a>"),
        "{home}"
    );
    // The page showing the image is badged in the sidebar; the page that only names the
    // image's file in its text is not.
    let badged = |title: &str| home.contains(&format!(">{title} <span class=\"badge badge-changed\">changed</span>"));
    assert!(badged("Reference"), "{home}");
    assert!(!badged("Usage") && !badged("Home"), "{home}");
}

#[test]
fn delete_only_pr_links_the_root_and_suggests_the_parent() {
    let (_w, out, comment) = preview_pr("delete", |repo| {
        std::fs::remove_file(repo.join("docs/reference.md")).unwrap();
        let m = MANIFEST.replace(",\n      {\"title\": \"Reference\", \"path\": \"./reference.md\"}", "");
        assert_ne!(m, MANIFEST);
        write(repo, &[("docs/manifest.json", &m)]);
    });
    assert!(
        comment.contains(&format!("📖 [View docs preview]({URL}/@delete/)")),
        "{comment}"
    );
    assert!(!comment.contains("### Pages to review"), "{comment}");
    assert!(
        comment.contains("- `docs/reference.md`: removed\n  - nothing links to it any more\n  - suggested redirect, in `docs/redirects.json`: `\"reference.md\": \"README.md\"`"),
        "{comment}"
    );
    assert!(comment.contains("```diff\n- Home › Reference\n```"), "{comment}");
    assert!(out.join("@delete/_preview/report.json").is_file());
}

#[test]
fn a_pr_that_breaks_the_build_still_gets_its_comment_and_writes_nothing() {
    let (w, repo) = fixture_repo("broken", |repo| {
        let m = MANIFEST.replace("./reference.md", "./reference-gone.md");
        write(repo, &[("docs/manifest.json", &m)]);
    });
    let out = w.path().join("out");
    let o = preview(&repo, &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("the head's docs cannot be built"), "{}", stderr(&o));
    let comment = stdout(&o);
    assert!(comment.starts_with(MARKER), "{comment}");
    assert!(
        comment.contains("- `docs/manifest.json:9` error missing-route-file: route `routes[0].children[1]` (\"Reference\") path points to `reference-gone.md`, which does not exist"),
        "{comment}"
    );
    assert!(!out.join("@broken").exists(), "a failed build writes no preview");
}

#[test]
fn no_docs_change_is_one_line_or_nothing_with_quiet() {
    let (_w, repo) = fixture_repo("code-only", |repo| {
        write(repo, &[("src/main.c", "int main(void) { return 1; }\n")])
    });
    let out = repo.parent().unwrap().join("out");
    let comment_file = repo.parent().unwrap().join("comment.md");
    let o = preview(&repo, &out, &["--comment", comment_file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("{MARKER}\n📖 No changes under `docs/`: no docs preview.\n")
    );
    assert_eq!(std::fs::read_to_string(&comment_file).unwrap(), stdout(&o));
    assert!(!out.exists(), "nothing is built");
    let o = preview(&repo, &out, &["--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn a_wrong_docs_folder_or_ref_is_an_error_not_an_empty_preview() {
    let (w, repo) = fixture_repo("feature/Docs_Fix", |repo| {
        write(repo, &[("docs/extra.md", "# Extra\n")])
    });
    let out = w.path().join("out");
    let o = preview(&repo, &out, &["--docs", "documentation"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`documentation` is not a folder at HEAD"),
        "{}",
        stderr(&o)
    );
    let o = preview(&repo, &out, &["--head", "no-such-branch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`no-such-branch` names no commit"),
        "{}",
        stderr(&o)
    );
    // An output folder that is a file.
    let file = w.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let o = preview(&repo, &file, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("help: check that"), "{}", stderr(&o));
    // A branch named by --head gives the slug.
    let o = preview(&repo, &out, &["--head", "refs/heads/feature/Docs_Fix"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("@feature-docs-fix/_preview/report.json").is_file());
}

#[test]
fn hostile_refs_are_refused_before_git_runs() {
    let (w, repo) = fixture_repo("safe", |repo| write(repo, &[("docs/extra.md", "# Extra\n")]));
    // A `git` first on PATH that logs every call, then runs the real one.
    let bin = w.path().join("bin");
    let log = w.path().join("git-calls.log");
    let real_git = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    write(
        &bin,
        &[(
            "git",
            &format!(
                "#!/bin/sh\necho \"$@\" >> '{}'\nexec '{}' \"$@\"\n",
                log.display(),
                real_git.trim()
            ),
        )],
    );
    Command::new("chmod").arg("+x").arg(bin.join("git")).status().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = w.path().join("out");
    // `--base=VALUE`: the way a value starting with `-` reaches docsite past clap.
    let run = |base: &str, head: &str| {
        let (base, head) = (format!("--base={base}"), format!("--head={head}"));
        common::docsite_in(
            &repo,
            &["preview", &base, &head, "--out", "../out", "--url", URL],
            &[("PATH", &path)],
        )
    };
    for (base, head) in [
        ("--upload-pack=x", "HEAD"),
        ("main", "--upload-pack=touch pwned"),
        ("$(touch x)", "HEAD"),
        ("main", "$(touch x)"),
        ("..", "HEAD"),
        ("main..HEAD", "HEAD"),
        ("-", "HEAD"),
    ] {
        let o = run(base, head);
        assert_eq!(o.status.code(), Some(2), "{base} {head}: {}", stderr(&o));
        assert!(stderr(&o).contains("is not a valid git ref name"), "{}", stderr(&o));
        assert!(!log.exists(), "git ran for {base} {head}");
    }
    assert!(!repo.join("x").exists() && !repo.join("pwned").exists() && !out.exists());
    // The logging git works: a good ref runs it.
    let o = run("main", "HEAD");
    assert!(o.status.success(), "{}", stderr(&o));
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        calls.contains("rev-parse --verify --quiet --end-of-options main^{commit}"),
        "{calls}"
    );
}

/// Adds files outside `docs/` that `docs/` links to: `docs/changelog.md` to the root's
/// `CHANGELOG.md`, and `docs/notes` to the folder `notes`.
#[cfg(unix)]
fn link_notes(repo: &Path) {
    write(
        repo,
        &[
            ("CHANGELOG.md", "# Changelog\n\n## 1.0\n\nFirst.\n"),
            ("notes/one.md", "# Note one\n\nSee the [changelog](../changelog.md).\n"),
        ],
    );
    std::os::unix::fs::symlink("../CHANGELOG.md", repo.join("docs/changelog.md")).unwrap();
    std::os::unix::fs::symlink("../notes", repo.join("docs/notes")).unwrap();
}

/// Builds `docs/` of the checked-out commit of `repo` from the working tree and from git
/// objects, and asserts the two sites are the same byte for byte.
fn assert_same_site_both_ways(repo: &Path, docs: &str) -> usize {
    let r = Repo::open(repo).unwrap();
    let head = r.resolve("HEAD").unwrap();
    let from_git = MemoryOutput::default();
    let git_source = GitSource::load(&r, &head, docs).unwrap();
    build(&git_source, Config::default(), &from_git, &BuildOptions::default()).unwrap_or_else(|d| panic!("{d:#?}"));
    let from_disk = MemoryOutput::default();
    let dir_source = DirSource::new(repo.join(docs)).with_git_history();
    build(&dir_source, Config::default(), &from_disk, &BuildOptions::default()).unwrap_or_else(|d| panic!("{d:#?}"));
    let (a, b) = (from_git.into_files(), from_disk.into_files());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between the git and the disk build");
    }
    let updated = a
        .values()
        .filter(|v| String::from_utf8_lossy(v).contains("<p class=\"last-updated\">"))
        .count();
    assert!(updated > 0, "no page shows when it was last updated");
    a.len()
}

#[test]
fn a_commit_builds_the_same_from_git_objects_and_from_the_working_tree() {
    let (_w, repo) = fixture_repo("same", |repo| {
        write(
            repo,
            &[
                ("docs/images/a.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"),
                ("docs/.hidden.md", "x"),
            ],
        );
        std::fs::write(repo.join("docs/reference.md"), "# Reference\n\n![a](images/a.svg)\n").unwrap();
        #[cfg(unix)]
        link_notes(repo);
    });
    assert!(assert_same_site_both_ways(&repo, "docs") > 5);
    // The linked file and folder are pages of both builds.
    #[cfg(unix)]
    {
        use docsite::source::Source;
        let listed = DirSource::new(repo.join("docs")).files().unwrap();
        for linked in ["changelog.md", "notes/one.md"] {
            assert!(listed.contains(&linked.to_string()), "{listed:?}");
        }
    }
    if corpus().is_some() {
        let work = tmp();
        let seed = work.path().join("seed");
        let script = root().join("../shared/corpus/seed-pr-25852/build-fixture.sh");
        let o = Command::new("bash").arg(&script).arg(&seed).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(assert_same_site_both_ways(&seed, "docs") > 50);
    }
}

/// What the documented GitHub Actions workflow runs, against a local bare repository:
/// push a branch, check out the pull request, preview it into a checkout of the Pages
/// branch, commit and push that.
#[test]
fn ci_commands_end_to_end_against_a_bare_repo() {
    let w = tmp();
    let origin = w.path().join("origin.git");
    let dev = w.path().join("dev");
    std::fs::create_dir_all(&dev).unwrap();
    git(w.path(), &["init", "-q", "--bare", origin.to_str().unwrap()]);
    git(&dev, &["init", "-q"]);
    write(&dev, &base_files());
    git(&dev, &["add", "-A"]);
    git(&dev, &["commit", "-q", "-m", "base"]);
    git(&dev, &["remote", "add", "origin", origin.to_str().unwrap()]);
    git(&dev, &["push", "-q", "origin", "main"]);
    // The Pages branch already serves another preview, which must survive.
    git(&dev, &["checkout", "-q", "--orphan", "gh-pages"]);
    git(&dev, &["rm", "-q", "-rf", "."]);
    write(&dev, &[("@other/index.html", "other preview"), (".nojekyll", "")]);
    git(&dev, &["add", "-A"]);
    git(&dev, &["commit", "-q", "-m", "pages"]);
    git(&dev, &["push", "-q", "origin", "gh-pages"]);
    git(&dev, &["checkout", "-q", "main"]);
    git(&dev, &["checkout", "-q", "-b", "mike/aibridge-500x"]);
    write(&dev, &[("docs/guide/usage.md", "# Usage\n\nNew text.\n")]);
    git(&dev, &["commit", "-q", "-am", "docs: usage"]);
    git(&dev, &["push", "-q", "origin", "mike/aibridge-500x"]);

    // CI: actions/checkout of the PR head with full history, then the Pages branch.
    let ci = w.path().join("ci");
    git(
        w.path(),
        &["clone", "-q", origin.to_str().unwrap(), ci.to_str().unwrap()],
    );
    git(&ci, &["checkout", "-q", "mike/aibridge-500x"]);
    let pages = w.path().join("pages");
    git(
        w.path(),
        &[
            "clone",
            "-q",
            "--branch",
            "gh-pages",
            origin.to_str().unwrap(),
            pages.to_str().unwrap(),
        ],
    );
    let comment = w.path().join("comment.md");
    // The workflow's command; the comment file of the last run is the previous comment.
    let ci_preview = || {
        let previous = w.path().join("previous.md");
        if comment.exists() {
            std::fs::copy(&comment, &previous).unwrap();
        }
        let (out, previous, comment) = (
            pages.to_str().unwrap(),
            previous.to_str().unwrap(),
            comment.to_str().unwrap(),
        );
        common::docsite_in(
            &ci,
            &[
                "preview",
                "--base",
                "origin/main",
                "--head",
                "HEAD",
                "--name",
                "mike/aibridge-500x",
                "--out",
                out,
                "--url",
                "https://acme.github.io/acme",
                "--previous-comment",
                previous,
                "--comment",
                comment,
            ],
            &[],
        )
    };
    let o = ci_preview();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&comment).unwrap(), stdout(&o));
    assert!(stdout(&o).starts_with(&format!(
        "{MARKER}\n📖 [View docs preview for docs/guide/usage.md](https://acme.github.io/acme/@mike-aibridge-500x/guide/usage/)"
    )));
    git(&pages, &["add", "-A"]);
    git(&pages, &["commit", "-q", "-m", "preview mike/aibridge-500x"]);
    git(&pages, &["push", "-q", "origin", "gh-pages"]);

    let published = git(&origin, &["ls-tree", "-r", "--name-only", "gh-pages"]);
    for f in [
        "@other/index.html",
        "@mike-aibridge-500x/index.html",
        "@mike-aibridge-500x/guide/usage/index.html",
        "@mike-aibridge-500x/_preview/index.html",
        "@mike-aibridge-500x/_preview/report.json",
        "@mike-aibridge-500x/_docsite/docsite.css",
    ] {
        assert!(published.lines().any(|l| l == f), "{f} not published:\n{published}");
    }
    // The reviewer ticks the page, then two more pushes. The preview is replaced as a whole
    // each time; a tick stays while its page is unchanged.
    let ticked = std::fs::read_to_string(&comment)
        .unwrap()
        .replace("- [ ] [`docs/guide/usage.md`]", "- [x] [`docs/guide/usage.md`]");
    std::fs::write(&comment, &ticked).unwrap();
    let push_and_preview = |file: &str, text: &str| {
        write(&dev, &[(file, text)]);
        git(&dev, &["commit", "-q", "-am", "docs: more"]);
        git(&dev, &["push", "-q", "origin", "mike/aibridge-500x"]);
        git(&ci, &["pull", "-q", "origin", "mike/aibridge-500x"]);
        let o = ci_preview();
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let second = push_and_preview("docs/guide/install.md", "# Install\n\nChanged.\n");
    assert!(second.contains("- [x] [`docs/guide/usage.md`]"), "{second}");
    assert!(second.contains("- [ ] [`docs/guide/install.md`]"), "{second}");
    assert!(
        second.contains("<!-- docsite-preview-state\ndocs/guide/install.md "),
        "{second}"
    );
    let both = second.replace("- [ ] [`docs/guide/install.md`]", "- [x] [`docs/guide/install.md`]");
    std::fs::write(&comment, both).unwrap();
    let third = push_and_preview("docs/guide/usage.md", "# Usage\n\nNewer text.\n");
    assert!(third.contains("- [ ] [`docs/guide/usage.md`]"), "{third}");
    assert!(third.contains("- [x] [`docs/guide/install.md`]"), "{third}");
    assert!(pages.join("@other/index.html").is_file());
}

/// Bytes of a built site's search index: the word list and the shards, as `build` counts it.
fn index_bytes(site: &Path) -> u64 {
    std::fs::read_dir(site.join("_docsite/search"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.metadata().unwrap().len())
        .sum()
}

#[test]
fn the_comment_gives_the_search_index_size_at_both_commits_exactly() {
    let (work, out, comment) = preview_pr("more-words", |repo| {
        write(
            repo,
            &[
                (
                    "docs/guide/usage.md",
                    "# Usage\n\nZephyrine quantumly obfuscates marmalade.\n",
                ),
                (
                    "docs/reference.md",
                    "# Reference\n\nEntirely rewritten with brand new vocabulary.\n",
                ),
            ],
        );
    });
    let size = &report(&out, "@more-words")["search_index"];
    // Build each commit from a checkout and compare with what the preview says.
    let repo = work.path().join("repo");
    let mut built = Vec::new();
    for commit in ["main", "more-words"] {
        git(&repo, &["checkout", "-q", commit]);
        let site = work.path().join(format!("site-{commit}"));
        let o = common::docsite(&[
            "build",
            "--docs",
            repo.join("docs").to_str().unwrap(),
            "--out",
            site.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        built.push(index_bytes(&site));
    }
    assert_eq!(size["base_bytes"].as_u64(), Some(built[0]), "{size}");
    assert_eq!(size["head_bytes"].as_u64(), Some(built[1]), "{size}");
    assert_ne!(built[1], built[0], "the pull request changes the words");
    assert!(comment.contains("Search index: "), "{comment}");
    assert!(comment.contains("KB → "), "{comment}");
}

#[test]
fn description_and_icon_changes_show_in_the_nav_diff() {
    let head = MANIFEST.replace(
        r#"{"title": "Usage", "path": "./guide/usage.md"}"#,
        r#"{"title": "Usage", "path": "./guide/usage.md", "description": "How to   use it,\n day to day.", "icon_path": "./usage.svg"}"#,
    );
    assert_ne!(head, MANIFEST, "the fixture manifest lists Usage");
    let (_w, out, comment) = preview_pr("describe", |repo| {
        write(
            repo,
            &[
                ("docs/manifest.json", &head),
                ("docs/usage.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            ],
        )
    });
    assert!(
        comment.contains(
            "! description: Home › Guide › Usage: none → \"How to use it, day to day.\"\n! icon: Home › Guide › Usage: none → usage.svg"
        ),
        "{comment}"
    );
    let kinds: Vec<String> = report(&out, "@describe")["nav"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["redescribed", "icon-changed"]);
}

/// A pull request that changes only what a link in `docs/` leads to still changes the docs:
/// its pages are previewed and listed for review.
#[cfg(unix)]
#[test]
fn a_change_outside_the_docs_that_a_link_leads_to_is_previewed() {
    let work = tmp();
    let repo = work.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(&repo, &base_files());
    link_notes(&repo);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    git(&repo, &["checkout", "-q", "-b", "notes"]);
    write(
        &repo,
        &[
            ("CHANGELOG.md", "# Changelog\n\n## 1.1\n\nSecond.\n\n## 1.0\n\nFirst.\n"),
            ("notes/two.md", "# Note two\n"),
        ],
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "notes"]);
    let out = work.path().join("out");
    let o = preview(&repo, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let comment = stdout(&o);
    for item in [
        format!("- [ ] [`docs/changelog.md`]({URL}/@notes/changelog/)"),
        format!("- [ ] [`docs/notes/two.md`]({URL}/@notes/notes/two/)"),
    ] {
        assert!(comment.contains(&item), "{item} not in:\n{comment}");
    }
    let r = report(&out, "@notes");
    assert_eq!(page(&r, "changelog.md")["status"], "modified");
    assert_eq!(page(&r, "notes/two.md")["status"], "added");
    assert_eq!(page(&r, "notes/one.md")["status"], "unchanged");
    let html = std::fs::read_to_string(out.join("@notes/changelog/index.html")).unwrap();
    assert!(html.contains("Second."), "{html}");
}
