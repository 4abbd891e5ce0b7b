//! Helpers shared by the integration tests: running the real binary, locating fixtures and
//! the shared corpus, and crawling a built site's relative links.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::LazyLock;

use regex::Regex;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// Runs `docsite ARGS` from the repository root.
pub fn docsite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docsite"))
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("run docsite")
}

/// Runs `docsite ARGS` in `dir` with extra environment variables.
pub fn docsite_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docsite"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .output()
        .expect("run docsite")
}

/// Runs `docsite check --docs DOCS EXTRA…` from the repository root.
pub fn check(docs: &str, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--docs", docs];
    args.extend_from_slice(extra);
    docsite(&args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Copies a folder tree.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A scratch copy of the `acme` fixture, to edit: the scratch folder and its `docs/`.
pub fn acme_copy() -> (tempfile::TempDir, PathBuf) {
    let work = tmp();
    let docs = work.path().join("docs");
    copy_tree(&fixture("acme"), &docs);
    (work, docs)
}

pub fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let rel = e.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Runs `docsite build --docs DOCS --out OUT EXTRA…` from the repository root.
pub fn build(docs: &str, out: &str, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--docs", docs, "--out", out];
    args.extend_from_slice(extra);
    docsite(&args)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The real Coder docs corpus, from `DOCSITE_CORPUS` or the shared folder beside the
/// checkout. Missing corpus: the test fails under CI and is skipped elsewhere.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("DOCSITE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpus/coder-docs/docs"));
    if dir.join("manifest.json").is_file() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("corpus not found at {} (set DOCSITE_CORPUS)", dir.display());
    }
    eprintln!("skipping: corpus not found at {}", dir.display());
    None
}

/// Every file of a built site, by `/`-separated relative path.
pub fn site_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

static REF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap());
static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\sid="([^"]*)""#).unwrap());

/// A relative reference in a built page that does not land on a file (or, with a
/// `#fragment` into a page, on an element id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dangling {
    pub page: String,
    pub href: String,
}

/// Resolves every relative `href`/`src` of every HTML page like a browser would from a
/// static host, and returns those that point nowhere.
pub fn dangling_refs(site: &BTreeMap<String, Vec<u8>>) -> Vec<Dangling> {
    let ids: BTreeMap<&str, HashSet<String>> = site
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| {
            let html = String::from_utf8_lossy(b);
            (p.as_str(), ID.captures_iter(&html).map(|c| c[1].to_string()).collect())
        })
        .collect();
    let mut out = Vec::new();
    for (page, bytes) in site
        .iter()
        .filter(|(p, _)| p.ends_with(".html") && p.as_str() != "404.html")
    {
        let html = String::from_utf8_lossy(bytes);
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        for cap in REF.captures_iter(&html) {
            let href = cap[1].replace("&amp;", "&");
            if href.is_empty() || href.contains(':') || href.starts_with("//") {
                continue;
            }
            let (path, fragment) = match href.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (href.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or("");
            let target = if path.is_empty() {
                page.clone()
            } else {
                resolve(dir, path)
            };
            let ok = match site.contains_key(&target) {
                true => match fragment {
                    Some(f) if !f.is_empty() && target.ends_with(".html") => {
                        let f = percent_encoding::percent_decode_str(f).decode_utf8_lossy();
                        ids.get(target.as_str()).is_some_and(|set| set.contains(f.as_ref()))
                    }
                    _ => true,
                },
                false => false,
            };
            if !ok {
                out.push(Dangling {
                    page: page.clone(),
                    href: href.clone(),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn resolve(dir: &str, rel: &str) -> String {
    let mut parts: Vec<String> = dir.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()),
        }
    }
    let mut path = parts.join("/");
    if rel.ends_with('/') || rel == "." || rel == ".." || rel.ends_with("/.") || rel.ends_with("/..") {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    path
}

/// Writes a docs tree with `sections` top-level sections of two pages each (`sN/index.md`
/// and `sN/page.md`); the last section has no page of its own.
pub fn write_wide_site(dir: &Path, sections: usize) {
    let mut routes = Vec::new();
    for n in 1..=sections {
        std::fs::create_dir_all(dir.join(format!("s{n}"))).unwrap();
        std::fs::write(dir.join(format!("s{n}/index.md")), format!("# Section {n}\n\nIntro.\n")).unwrap();
        std::fs::write(
            dir.join(format!("s{n}/page.md")),
            format!("# Page {n}\n\n## Details\n\nText.\n"),
        )
        .unwrap();
        let child = serde_json::json!({"title": format!("Page {n}"), "path": format!("./s{n}/page.md")});
        routes.push(if n == sections {
            serde_json::json!({"title": format!("Section {n}"), "children": [child]})
        } else {
            serde_json::json!({"title": format!("Section {n}"), "path": format!("./s{n}/index.md"), "state": ["beta"], "children": [child]})
        });
    }
    let manifest = serde_json::json!({"versions": ["main"], "routes": routes});
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
}
pub mod cdp;
/// Runs git in `dir` with a fixed identity and dates, so commit ids are reproducible.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_AUTHOR_DATE", "2026-03-04T05:06:07Z")
        .env("GIT_COMMITTER_DATE", "2026-03-04T05:06:07Z")
        .output()
        .expect("run git");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    stdout(&o)
}

pub mod serve;
