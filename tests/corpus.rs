//! Acceptance test on the real content: the Coder Agents and AI Gateway docs in
//! `../shared/corpus/coder-docs/docs` (or `DOCSITE_CORPUS`). The corpus is read in place,
//! never copied into the project.

mod common;

use std::collections::BTreeSet;

use common::{build, corpus, dangling_refs, site_files, stderr};
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
