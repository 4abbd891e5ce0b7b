//! Acceptance test on the real content: the Coder Agents and AI Gateway docs in
//! `../shared/corpus/coder-docs/docs` (or `DOCSITE_CORPUS`). The corpus is read in place,
//! never copied into the project.

mod common;

use std::collections::BTreeSet;

use common::{build, check, copy_tree, corpus, dangling_refs, site_files, stderr, stdout};
use docsite::paths;

/// The eight anchors that really do not resolve upstream (see the corpus README).
const KNOWN_BROKEN_ANCHORS: [&str; 8] = [
    "ai-coder/agents/getting-started.md:119:1",
    "ai-coder/agents/platform-controls/organizations.md:107:1",
    "ai-coder/ai-gateway/clients/coder-agents.md:47:13",
    "ai-coder/ai-gateway/clients/copilot.md:47:10",
    "ai-coder/ai-gateway/clients/copilot.md:67:34",
    "ai-coder/ai-gateway/clients/copilot.md:97:11",
    "ai-coder/ai-gateway/clients/copilot.md:124:70",
    "ai-coder/ai-gateway/clients/copilot.md:166:5",
];

/// Counted on the corpus and checked by hand (the tests also assert every target is
/// missing). Links and images together are the 132 references to files outside the corpus
/// that the corpus README counts: 98 links (20 of them to `admin/users/sessions-tokens.md`,
/// one to `./mux.md`) and the 34 images of the text-only corpus.
const BROKEN_LINKS: usize = 98;
const MISSING_FILES: usize = 34;
/// `../LICENSE`, and five links into the repository outside `docs/` (`helm/…`, `coderd/…`).
const LEAVING_DOCS: usize = 6;

#[test]
fn corpus_builds_with_everything_resolved() {
    let Some(docs) = corpus() else { return };
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("site");
    let o = build(docs.to_str().unwrap(), out.to_str().unwrap(), &[]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.lines().last().unwrap().starts_with("built 53 pages in "), "{err}");

    // The build reports exactly the real broken anchors.
    let prefix = format!("{}/", docs.display());
    let anchors: Vec<String> = err
        .lines()
        .filter(|l| l.contains("warning: broken anchor"))
        .map(|l| {
            l.trim_start_matches(&prefix)
                .split(": warning")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(anchors, KNOWN_BROKEN_ANCHORS);

    let files = site_files(&out);
    let manifest_text = std::fs::read_to_string(docs.join("manifest.json")).unwrap();
    let (manifest, _) = docsite::manifest::parse(&manifest_text).unwrap();
    let listed: BTreeSet<&str> = manifest.routes.iter().filter_map(|r| r.path.as_deref()).collect();
    assert_eq!(listed.len(), 53);
    for path in &listed {
        let file = paths::output_file(&paths::page_url(path));
        let html = String::from_utf8_lossy(files.get(&file).unwrap_or_else(|| panic!("no page for {path}")));
        assert!(html.contains("<nav class=\"site-nav\""), "{file} has no sidebar");
        assert!(
            html.contains("aria-current=\"page\""),
            "{file} does not mark itself in the sidebar"
        );
        for marker in [
            "[!NOTE]",
            "[!TIP]",
            "[!IMPORTANT]",
            "[!WARNING]",
            "[!CAUTION]",
            "<children>",
            "<!--",
        ] {
            assert!(!html.contains(marker), "{file} still shows {marker}");
        }
        // A relative link still ending in `.md` is one whose target really is missing.
        for href in hrefs(&html) {
            if paths::is_external(&href) || !href.split(['#', '?']).next().unwrap().ends_with(".md") {
                continue;
            }
            let (p, _, _) = paths::split_link(&href);
            if let paths::Resolved::Inside(target) = paths::join(paths::parent_dir(path), &paths::decode_path(p)) {
                assert!(
                    !docs.join(&target).exists(),
                    "{file}: link {href} to an existing page was not rewritten"
                );
            }
        }
    }

    // Every #anchor into a page that exists resolves in the output, except the eight.
    let broken_fragments: Vec<_> = dangling_refs(&files)
        .into_iter()
        .filter(|d| d.href.contains('#') && !d.href.split('#').next().unwrap().ends_with(".md"))
        .collect();
    // (The four copilot.md links share one href, so the eight are five distinct hrefs.)
    let targets: BTreeSet<&str> = broken_fragments
        .iter()
        .map(|d| d.href.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        targets,
        BTreeSet::from([
            "#access-control",
            "#configure-the-proxy",
            "#multiple-instances-of-the-same-provider",
            "#put-routing-context-near-the-top-of-the-readme",
            "#trust-the-ca-certificate",
        ]),
        "{broken_fragments:#?}"
    );

    // Every code block in a language with a grammar is highlighted.
    let mut blocks = 0;
    for (file, bytes) in files.iter().filter(|(f, _)| f.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for block in html.split("<div class=\"code-block\"").skip(1) {
            blocks += 1;
            let lang = block
                .strip_prefix(" data-lang=\"")
                .and_then(|s| s.split('"').next())
                .unwrap_or("");
            let plain = ["", "txt", "text", "promql"].contains(&lang);
            let highlighted = block.contains("<pre class=\"hl\">") && block.contains("<span class=\"hl-");
            assert!(plain || highlighted, "{file}: a `{lang}` block is not highlighted");
        }
    }
    // 164 fenced blocks as CommonMark (and GitHub) parse them, plus one indented block.
    assert_eq!(blocks, 165);

    // <children> lists the manifest children of the page's route.
    let gateway = String::from_utf8_lossy(&files["ai-coder/ai-gateway/index.html"]).into_owned();
    let list = gateway
        .split("<ul class=\"children-list\">")
        .nth(1)
        .expect("children list")
        .split("</ul>")
        .next()
        .unwrap();
    assert!(list.matches("<li>").count() >= 5, "{list}");
    assert!(list.contains("child-description"));

    // The page title comes from front matter; the sidebar keeps the manifest title.
    let search = String::from_utf8_lossy(&files["ai-coder/agents/chat-search-syntax/index.html"]).into_owned();
    assert!(
        search.contains("<title>Conversation search syntax"),
        "page title from front matter"
    );
    assert!(search.contains("<h1 class=\"page-title\">Conversation search syntax</h1>"));
    assert!(search.contains(">Search Syntax</span>"), "nav title from the manifest");
}

fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .collect()
}

/// `docsite check --format json` on `docs`: (severity, kind, file:line:col, message) per finding.
fn check_json(docs: &std::path::Path) -> (Option<i32>, Vec<[String; 4]>) {
    let o = check(docs.to_str().unwrap(), &["--format", "json"]);
    let findings = stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
            let at = match v["line"].as_u64() {
                Some(line) => format!("{}:{line}:{}", s("file"), v["column"]),
                None => s("file"),
            };
            [s("severity"), s("kind"), at, s("message")]
        })
        .collect();
    (o.status.code(), findings)
}

/// The docs-relative path a "points to `PATH`" message names.
fn pointed_at(message: &str) -> &str {
    message
        .split("points to `")
        .nth(1)
        .and_then(|r| r.split('`').next())
        .unwrap_or("")
}

#[test]
fn check_reports_exactly_the_real_problems() {
    let Some(docs) = corpus() else { return };
    let (code, findings) = check_json(&docs);
    assert_eq!(code, Some(1));
    let of = |kind: &str| -> Vec<&[String; 4]> { findings.iter().filter(|f| f[1] == kind).collect() };

    let anchors: Vec<&str> = of("broken-anchor").iter().map(|f| f[2].as_str()).collect();
    assert_eq!(anchors, KNOWN_BROKEN_ANCHORS);

    // Links to pages the corpus does not have (`../../admin/…`, `./mux.md`): errors, and
    // each target really is missing.
    let links = of("broken-link");
    for f in &links {
        let target = pointed_at(&f[3]);
        assert!(!target.is_empty() && !docs.join(target).exists(), "{f:?}");
        assert!(!docs.join(target).join("index.md").exists() && !docs.join(target).join("README.md").exists());
    }
    assert_eq!(links.len(), BROKEN_LINKS, "{links:#?}");
    assert!(
        links
            .iter()
            .any(|f| f[2].starts_with("ai-coder/ai-gateway/clients/index.md:") && f[3].contains("`./mux.md`")),
        "{links:#?}"
    );
    // Images and other files the text-only corpus does not ship.
    let files = of("missing-file");
    for f in &files {
        assert!(!docs.join(pointed_at(&f[3])).exists(), "{f:?}");
    }
    assert_eq!(files.len(), MISSING_FILES, "{files:#?}");
    // Links that climb out of docs/ (`../LICENSE`, `../../../coderd/…`): warnings.
    assert_eq!(of("link-leaves-docs").len(), LEAVING_DOCS);

    for f in &findings {
        let expected = match f[1].as_str() {
            "broken-anchor" | "broken-link" | "missing-file" => "error",
            "link-leaves-docs" => "warning",
            other => panic!("unexpected finding {other}: {f:?}"),
        };
        assert_eq!(f[0], expected, "{f:?}");
    }
}

#[test]
fn check_with_the_unlisted_pages_overlaid() {
    let Some(docs) = corpus() else { return };
    let unlisted = docs.join("../../coder-docs-unlisted/docs");
    let work = tempfile::tempdir().unwrap();
    let both = work.path().join("docs");
    copy_tree(&docs, &both);
    copy_tree(&unlisted, &both);
    let (code, findings) = check_json(&both);
    assert_eq!(code, Some(1));
    assert!(
        !findings.iter().any(|f| f[3].contains("mux.md")),
        "the ./mux.md link resolves now"
    );
    let orphans: Vec<&str> = findings
        .iter()
        .filter(|f| f[1] == "orphan-page")
        .map(|f| f[2].as_str())
        .collect();
    assert_eq!(
        orphans,
        [
            "ai-coder/agents/platform-controls/agent-hours-allotments.md",
            "ai-coder/ai-gateway/clients/mux.md",
        ]
    );
    // The corpus pages lose the `./mux.md` finding; the overlaid pages bring their own
    // links to pages outside the corpus.
    let overlaid = |f: &[String; 4]| orphans.iter().any(|o| f[2].starts_with(&format!("{o}:")));
    let links: Vec<&[String; 4]> = findings.iter().filter(|f| f[1] == "broken-link").collect();
    assert_eq!(links.iter().filter(|f| !overlaid(f)).count(), BROKEN_LINKS - 1);
    assert_eq!(links.iter().filter(|f| overlaid(f)).count(), 3, "{links:#?}");
}
