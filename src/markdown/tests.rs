use super::*;

/// A tiny site: pages `index.md`, `guide/index.md`, `guide/setup.md`, `ref.md` and the
/// file `img/logo.png`.
struct FakeSite {
    repo: Option<&'static str>,
}

impl Links for FakeSite {
    fn page_url(&self, path: &str) -> Option<&str> {
        match path {
            "index.md" => Some(""),
            "guide/index.md" => Some("guide/"),
            "guide/setup.md" => Some("guide/setup/"),
            "ref.md" => Some("ref/"),
            _ => None,
        }
    }
    fn has_file(&self, path: &str) -> bool {
        path == "img/logo.png"
    }
    fn repo_url(&self) -> Option<&str> {
        self.repo
    }
}

fn render_at(path: &str, url: &str, text: &str) -> RenderedPage {
    let children = [
        ChildLink {
            title: "Setup".into(),
            url: Some("guide/setup/".into()),
            description: Some("Install <it>".into()),
        },
        ChildLink {
            title: "Later".into(),
            url: None,
            description: None,
        },
    ];
    let input = PageInput {
        path,
        url,
        text,
        children: &children,
    };
    render(&input, &FakeSite { repo: None }, Purpose::Html(&Highlighter::new()))
}

fn html(text: &str) -> String {
    render_at("guide/setup.md", "guide/setup/", text).html
}

#[test]
fn headings_get_github_ids_anchor_links_and_toc() {
    let page = render_at(
        "guide/setup.md",
        "guide/setup/",
        "# Models\n\n## Models\n\n## `SKILL.md` format\n\n### Set up *now* {#custom}\n\n#### Deep\n",
    );
    assert!(
        page.html
            .contains("<h1 id=\"models\">Models<a class=\"heading-anchor\" href=\"#models\""),
        "{}",
        page.html
    );
    assert!(page.html.contains("<h2 id=\"models-1\">"));
    assert!(
        page.html
            .contains("<h2 id=\"skillmd-format\"><code>SKILL.md</code> format<a")
    );
    assert!(page.html.contains("<h3 id=\"custom\">Set up <em>now</em><a"));
    assert_eq!(page.h1.as_deref(), Some("Models"));
    let toc: Vec<(u8, &str, &str)> = page
        .toc
        .iter()
        .map(|t| (t.level, t.id.as_str(), t.html.as_str()))
        .collect();
    assert_eq!(
        toc,
        [
            (2, "models-1", "Models"),
            (2, "skillmd-format", "<code>SKILL.md</code> format"),
            (3, "custom", "Set up <em>now</em>")
        ]
    );
    assert_eq!(page.ids, ["models", "models-1", "skillmd-format", "custom", "deep"]);
}

#[test]
fn toc_drops_links_inside_headings() {
    let page = render_at("ref.md", "ref/", "## See [the guide](guide/index.md)\n");
    assert_eq!(page.toc[0].html, "See the guide");
    assert!(page.html.contains("<a href=\"../guide/\">the guide</a>"));
}

#[test]
fn front_matter_sets_title_and_is_not_shown() {
    let page = render_at(
        "ref.md",
        "ref/",
        "---\ntitle: Licensing & Usage\ndescription: How we count\n---\n\nBody\n",
    );
    assert_eq!(page.front_title.as_deref(), Some("Licensing & Usage"));
    assert_eq!(page.front_description.as_deref(), Some("How we count"));
    assert!(!page.has_h1());
    assert_eq!(page.html.trim(), "<p>Body</p>");
}

#[test]
fn bad_front_matter_warns_with_position() {
    let page = render_at("ref.md", "ref/", "---\ntitle: [unclosed\n---\n\nBody\n");
    assert_eq!(page.diagnostics.len(), 1);
    let d = &page.diagnostics[0];
    assert!(d.message.starts_with("front matter is not valid YAML"), "{}", d.message);
    assert!(d.line >= 2 && d.line <= 3, "line {}", d.line);
}

#[test]
fn a_fenced_md_block_starting_with_dashes_is_code() {
    let page = render_at("ref.md", "ref/", "# T\n\n```md\n---\ntitle: x\n---\n```\n");
    assert_eq!(page.front_title, None);
    assert!(
        page.html.contains("title: x") || page.html.contains("title"),
        "{}",
        page.html
    );
}

#[test]
fn alerts_become_callouts_and_plain_quotes_stay() {
    let out = html("> [!NOTE]\n> Read **this**.\n\n<!-- -->\n\n> [!WARNING]\n> Careful.\n\n> Just a quote.\n");
    assert!(out.contains("<div class=\"callout callout-note\" role=\"note\"><p class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>Note</p>\n<p>Read <strong>this</strong>.</p>\n</div>"), "{out}");
    assert!(out.contains("callout-warning"));
    assert!(
        out.contains("<blockquote>\n<p>Just a quote.</p>\n</blockquote>"),
        "{out}"
    );
    assert!(!out.contains("[!NOTE]"));
    assert!(!out.contains("<!--"), "comments are dropped: {out}");
    for (marker, class) in [("TIP", "tip"), ("IMPORTANT", "important"), ("CAUTION", "caution")] {
        assert!(html(&format!("> [!{marker}]\n> x\n")).contains(&format!("callout-{class}")));
    }
}

#[test]
fn links_are_rewritten_relative_to_the_page() {
    let out = html(
        "[a](../ref.md) [b](./index.md#intro) [c](../index.md?x=1#top) [d](../img/logo.png) [e](https://x.dev/a.md) [f](#local) [g](../guide/)\n",
    );
    assert!(out.contains("<a href=\"../../ref/\">a</a>"), "{out}");
    assert!(out.contains("<a href=\"../../guide/#intro\">b</a>"), "{out}");
    assert!(out.contains("<a href=\"../../?x=1#top\">c</a>"), "{out}");
    assert!(out.contains("<a href=\"../../img/logo.png\">d</a>"), "{out}");
    assert!(out.contains("<a href=\"https://x.dev/a.md\">e</a>"), "{out}");
    assert!(out.contains("<a href=\"#local\">f</a>"), "{out}");
    assert!(out.contains("<a href=\"../../guide/\">g</a>"), "{out}");
}

#[test]
fn link_targets_are_recorded_for_checks() {
    let page = render_at(
        "guide/setup.md",
        "guide/setup/",
        "[a](../ref.md#x) [b](#y) ![i](../img/logo.png) [m](gone.md)\n",
    );
    let targets: Vec<&Target> = page.links.iter().map(|l| &l.target).collect();
    assert_eq!(
        targets,
        [
            &Target::Page {
                path: "ref.md".into(),
                fragment: Some("x".into())
            },
            &Target::SamePage { fragment: "y".into() },
            &Target::File {
                path: "img/logo.png".into()
            },
            &Target::Missing {
                path: "guide/gone.md".into()
            },
        ]
    );
    assert_eq!(page.links[3].pos, Pos::new(1, 48));
    assert_eq!(page.diagnostics.len(), 1);
    assert_eq!(
        page.diagnostics[0].to_string().lines().next().unwrap(),
        "guide/setup.md:1:48: warning: broken link: `gone.md` points to `guide/gone.md`, which does not exist"
    );
}

#[test]
fn links_leaving_docs_go_to_the_forge_when_configured() {
    let input = PageInput {
        path: "guide/setup.md",
        url: "guide/setup/",
        text: "[l](../../LICENSE#L3) [m](missing.md)\n",
        children: &[],
    };
    let repo = FakeSite {
        repo: Some("https://github.com/acme/acme/blob/main/docs"),
    };
    let page = render(&input, &repo, Purpose::Html(&Highlighter::new()));
    assert!(
        page.html
            .contains("href=\"https://github.com/acme/acme/blob/main/LICENSE#L3\""),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("href=\"https://github.com/acme/acme/blob/main/docs/guide/missing.md\""),
        "{}",
        page.html
    );
    assert_eq!(page.diagnostics.len(), 2);
    assert!(page.diagnostics[0].message.contains("leaves the docs folder"));
    // Without a forge URL the link is left as written.
    let page = render(&input, &FakeSite { repo: None }, Purpose::Html(&Highlighter::new()));
    assert!(page.html.contains("href=\"../../LICENSE#L3\""), "{}", page.html);
}

#[test]
fn raw_html_references_are_rewritten() {
    let out = html(
        "<img src=\"../img/logo.png\" alt=\"Logo\">\n\n<p>See <a href='../ref.md#x'>ref</a> and <a href=https://x.dev>x</a></p>\n\n<video><source src=\"https://cdn.example/v.mp4\" type=\"video/mp4\"></video>\n",
    );
    assert!(out.contains("<img src=\"../../img/logo.png\" alt=\"Logo\">"), "{out}");
    assert!(out.contains("<a href=\"../../ref/#x\">ref</a>"), "{out}");
    assert!(out.contains("<a href=https://x.dev>x</a>"), "{out}");
    assert!(out.contains("<source src=\"https://cdn.example/v.mp4\""), "{out}");
}

#[test]
fn raw_html_ids_count_as_anchors() {
    let page = render_at(
        "ref.md",
        "ref/",
        "<a name=\"legacy\"></a>\n\nText <span id='inline'>x</span>\n",
    );
    assert!(page.ids.contains(&"legacy".to_string()));
    assert!(page.ids.contains(&"inline".to_string()));
}

#[test]
fn bare_urls_are_autolinked_but_not_inside_links_or_code() {
    let out = html("See https://example.com/docs/a_b for more. [https://x.dev](https://x.dev) `https://no.link`\n");
    assert!(
        out.contains("See <a href=\"https://example.com/docs/a_b\">https://example.com/docs/a_b</a> for more."),
        "{out}"
    );
    assert!(out.contains("<a href=\"https://x.dev\">https://x.dev</a>"));
    assert_eq!(out.matches("<a ").count(), 2, "{out}");
    assert!(out.contains("<code>https://no.link</code>"));
    let out = html("Install Node.js, edit manifest.json, or visit www.example.com.\n");
    assert_eq!(
        out.trim(),
        "<p>Install Node.js, edit manifest.json, or visit <a href=\"https://www.example.com\">www.example.com</a>.</p>"
    );
}

#[test]
fn tabs_become_panels_and_keep_heading_ids() {
    let out = html(
        "<div class=\"tabs\">\n\n### OpenAI Compatible\n\nOne\n\n#### Deeper\n\n### OpenAI Compatible\n\nTwo\n\n</div>\n\nAfter\n",
    );
    let expected_start = "<div class=\"tabs\" data-tabs>\n<div class=\"tab-panel\" data-tab-label=\"OpenAI Compatible\">\n<h3 id=\"openai-compatible\">";
    assert!(out.starts_with(expected_start), "{out}");
    assert!(
        out.contains(
            "</div>\n<div class=\"tab-panel\" data-tab-label=\"OpenAI Compatible\">\n<h3 id=\"openai-compatible-1\">"
        ),
        "{out}"
    );
    assert!(out.contains("<h4 id=\"deeper\">"));
    assert!(out.contains("<p>Two</p>\n</div>\n</div>\n<p>After</p>"), "{out}");
}

#[test]
fn tabs_nested_divs_do_not_close_the_group() {
    let out = html("<div class=\"tabs\">\n\n### A\n\n<div class=\"x\">\n\ninner\n\n</div>\n\n### B\n\nb\n\n</div>\n");
    assert_eq!(out.matches("tab-panel").count(), 2, "{out}");
    assert!(out.trim_end().ends_with("<p>b</p>\n</div>\n</div>"), "{out}");
}

#[test]
fn children_placeholder_expands_from_the_manifest() {
    for text in ["Intro\n\n<children></children>\n", "<children>\n</children>\n"] {
        let out = html(text);
        assert!(
            out.contains("<ul class=\"children-list\">\n<li><a href=\"../../guide/setup/\">Setup</a><span class=\"child-description\">Install &lt;it&gt;</span></li>\n<li><span>Later</span></li>\n</ul>"),
            "{out}"
        );
        assert!(!out.contains("<children>"));
    }
}

#[test]
fn code_blocks_are_highlighted_and_plain_when_unknown() {
    let out = html("```sh\necho hi # c\n```\n\n```promql\nrate(x[5m])\n```\n\n    indented <code>\n");
    assert!(out.contains("<div class=\"code-block\" data-lang=\"sh\"><pre class=\"hl\"><code class=\"language-sh\"><span class=\"hl-source hl-shell"), "{out}");
    assert!(out.contains("<div class=\"code-block\" data-lang=\"promql\"><pre><code class=\"language-promql\">rate(x[5m])\n</code></pre></div>"), "{out}");
    assert!(
        out.contains("<div class=\"code-block\"><pre><code>indented &lt;code&gt;\n</code></pre></div>"),
        "{out}"
    );
}

#[test]
fn gfm_extensions_render() {
    let out = html(
        "| a | b |\n|---|---|\n| 1 | 2 | 3 |\n|\n\n- [ ] todo\n- [x] done\n\n~~old~~ and a note[^1].\n\n[^1]: The note.\n\n1. one\n1. two\n1. three\n\n1) x\n1) y\n",
    );
    assert!(out.contains("<table>"));
    assert!(!out.contains("<td>3</td>"), "extra cells are dropped: {out}");
    assert!(out.contains("<input disabled=\"\" type=\"checkbox\"/>"));
    assert!(out.contains("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>"));
    assert!(out.contains("<del>old</del>"));
    assert!(out.contains("class=\"footnote-reference\""));
    assert!(
        out.contains("<ol>\n<li>one</li>\n<li>two</li>\n<li>three</li>\n</ol>"),
        "{out}"
    );
    assert!(out.contains("<ol>\n<li>x</li>\n<li>y</li>\n</ol>"), "{out}");
}

#[test]
fn details_without_blank_line_follow_commonmark() {
    // The HTML block runs to the blank line, so the link stays literal, as on GitHub.
    let out = html("<details>\n<summary>Example</summary>\nSee [x](#y)\n\n</details>\n");
    assert!(out.contains("See [x](#y)"), "{out}");
    let out = html("<details>\n<summary>Example</summary>\n\nSee [x](#y)\n\n</details>\n");
    assert!(out.contains("<a href=\"#y\">x</a>"), "{out}");
}

#[test]
fn html_in_text_is_escaped_where_markdown_escapes_it() {
    let out = html("Use `<coder-host>` and 5 &lt; 6 &nbsp;ok\n");
    assert!(out.contains("<code>&lt;coder-host&gt;</code>"));
    assert!(out.contains("5 &lt; 6"));
}

#[test]
fn forge_urls_never_climb_above_the_host() {
    assert_eq!(
        forge_url("https://h.dev/o/r/blob/main/docs", 1, "LICENSE"),
        "https://h.dev/o/r/blob/main/LICENSE"
    );
    assert_eq!(forge_url("https://h.dev/o", 5, "x"), "https://h.dev/x");
}

#[test]
fn odd_input_never_panics() {
    let inputs = [
        "",
        "---",
        "---\n",
        "---\ntitle: only front matter\n---",
        "<div class=\"tabs\">\n\n### Unclosed\n\ntext",
        "</div>\n\n</div>",
        "- > [!NOTE]\n  > in a list\n\n  <children></children>",
        "### Tab outside tabs\n\n<div class='tabs'>\n\n<div class=\"tabs\">\n\n### Nested\n\n</div>\n\n</div>",
        "[x](<>) [y]() ![z](#) [w](../../../../../../../etc/passwd) [v](%zz.md) [u](a%2F..%2F..%2Fb.md)",
        "<a href=\"\">e</a><img src><a href='unterminated>x</a><source src=\"../x.mp4\">",
        "# \n## \n### {#}\n#### {#a} {#b}",
        "```\nunterminated fence",
        "| a |\n|---|\n| `|` | x |\n",
        "\u{0}\u{1}\u{feff}text\r\nwith CRLF\r\n",
        "[^1]\n\n[^1]: [^1]",
        "<!-- unterminated comment\n\ntext",
        "1. a\n   ```sh\n   echo\n   ```\n1) b",
    ];
    for text in inputs {
        let page = render_at("a/b.md", "a/b/", text);
        assert!(page.html.len() < 100 * (text.len() + 100), "{text:?}");
    }
    // Many headings with the same text stay unique.
    let many = "## Same\n\n".repeat(500);
    let page = render_at("a/b.md", "a/b/", &many);
    let unique: std::collections::HashSet<_> = page.ids.iter().collect();
    assert_eq!(unique.len(), 500);
}

#[test]
fn sections_hold_plain_text_by_heading_without_code_or_raw_html() {
    let page = render_at(
        "guide/setup.md",
        "guide/setup/",
        "---\ntitle: T\n---\nIntro *with* [a link](https://x.dev).\n\n# Setup `tool`\n\nFirst\nline.\n\n```sh\nsecret-code\n```\n\n<div>raw html</div>\n\n## Next *step* {#next}\n\n- one\n- two\n\n| a | b |\n|---|---|\n| c | d |\n",
    );
    let got: Vec<(u8, &str, &str, &str)> = page
        .sections
        .iter()
        .map(|s| (s.level, s.id.as_str(), s.heading.as_str(), s.text.trim()))
        .collect();
    assert_eq!(
        got,
        [
            (0, "", "", "Intro with a link."),
            (1, "setup-tool", "Setup tool", "First line."),
            (2, "next", "Next step", "one two a b c d"),
        ]
    );
    let facts = render(
        &PageInput {
            path: "a.md",
            url: "a/",
            text: "# A\n\nText.\n",
            children: &[],
        },
        &FakeSite { repo: None },
        Purpose::FactsOnly,
    );
    assert!(facts.sections.is_empty(), "check does not collect text");
}
