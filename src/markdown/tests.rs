use super::*;
use crate::slug::Ids;

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
    assert!(
        d.message().starts_with("front matter is not valid YAML"),
        "{}",
        d.message()
    );
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
    assert!(page.diagnostics[0].message().contains("leaves the docs folder"));
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

/// A `srcset` names several files (GitHub READMEs pick a logo per theme with `<picture>`):
/// each URL is rewritten and checked like a `src`, its descriptor kept.
#[test]
fn srcset_urls_are_rewritten_and_checked_one_by_one() {
    let text = "<picture>\n<source media=\"(prefers-color-scheme: dark)\" srcset=\"../img/logo.png 1x,  gone.png 2x\">\n<img src=\"../img/logo.png\" srcset='../img/logo.png, data:image/png;base64,AA== 3x, https://cdn.example/a.png 480w'>\n</picture>\n";
    let page = render_at("guide/setup.md", "guide/setup/", text);
    assert!(
        page.html.contains("srcset=\"../../img/logo.png 1x,  gone.png 2x\""),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("srcset='../../img/logo.png, data:image/png;base64,AA== 3x, https://cdn.example/a.png 480w'"),
        "{}",
        page.html
    );
    let found: Vec<String> = page
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {} {}", d.line, d.col, d.kind, d.excerpt().unwrap_or("")))
        .collect();
    assert_eq!(found, ["2:75 missing-file gone.png"], "{found:?}");
    let images: Vec<&str> = page.links.iter().map(|l| l.dest.as_str()).collect();
    assert_eq!(
        images,
        [
            "../img/logo.png",
            "gone.png",
            "../img/logo.png",
            "../img/logo.png",
            "data:image/png;base64,AA==",
            "https://cdn.example/a.png"
        ]
    );
}

#[test]
fn srcset_candidates_are_split_as_browsers_do() {
    let urls: Vec<(usize, &str)> = srcset_urls(" a.png 1x,b.png,, data:x,y 2x , c.png").collect();
    assert_eq!(urls, [(1, "a.png"), (10, "b.png"), (18, "data:x,y"), (32, "c.png")]);
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
    // GFM's extended email autolinks; not a handle or a bare `@`.
    let out = html("Mail ops@acme.example.com, or ask @ops on chat @ noon.\n");
    assert_eq!(
        out.trim(),
        "<p>Mail <a href=\"mailto:ops@acme.example.com\">ops@acme.example.com</a>, or ask @ops on chat @ noon.</p>"
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
    assert!(
        out.contains(
            "<div class=\"code-block\" data-lang=\"sh\"><pre class=\"hl\"><code class=\"language-sh\">\
             <span class=\"hl-function\">echo</span> hi <span class=\"hl-comment\"># c\n</span></code></pre></div>"
        ),
        "{out}"
    );
    assert!(out.contains("<div class=\"code-block\" data-lang=\"promql\"><pre><code class=\"language-promql\">rate(x[5m])\n</code></pre></div>"), "{out}");
    assert!(
        out.contains("<div class=\"code-block\"><pre><code>indented &lt;code&gt;\n</code></pre></div>"),
        "{out}"
    );
}

#[test]
fn fence_options_frame_the_block_and_the_unknown_are_warned_about() {
    let text = "# T\n\n```tf title=\"main.tf\" {2} showLineNumbers\na = 1\nb = 2\n```\n\n- item\n\n  ```sh {3-4} wrap\n  echo\n  ```\n";
    let page = render_at("guide/setup.md", "guide/setup/", text);
    assert!(
        page.html.contains(
            "<div class=\"code-block\" data-lang=\"tf\"><div class=\"code-title\">main.tf</div><pre class=\"hl lines numbered\">"
        ),
        "{}",
        page.html
    );
    assert_eq!(
        page.html.matches("<mark class=\"code-line\">").count(),
        1,
        "{}",
        page.html
    );
    let found: Vec<String> = page
        .diagnostics
        .iter()
        .map(|d| format!("{}:{}:{} {} {}", d.file, d.line, d.col, d.kind, d.message()))
        .collect();
    // Each at its option, in the page's own lines and columns.
    assert_eq!(
        found,
        [
            "guide/setup.md:10:15 code-block-option unknown code block option `wrap`",
            "guide/setup.md:10:9 code-block-option marked lines 3-4, but the block has 1 line",
        ],
        "{found:?}"
    );
}

#[test]
fn emoji_shortcodes_show_as_on_github_and_leave_code_and_ids_alone() {
    let page = render_at(
        "guide/setup.md",
        "guide/setup/",
        "# Launch :rocket: `:tada:`\n\n## Done :tada:\n\nShip it :+1: [see :memo:](../ref.md) `:tada:` :nope:\n\n```sh\necho :tada:\n```\n",
    );
    assert_eq!(page.h1.as_deref(), Some("Launch 🚀 :tada:"));
    assert!(page.html.contains("<h2 id=\"done-tada\">Done 🎉"), "{}", page.html);
    assert!(
        page.html
            .contains("Ship it 👍 <a href=\"../../ref/\">see 📝</a> <code>:tada:</code> :nope:"),
        "{}",
        page.html
    );
    assert!(page.html.contains("echo</span> :tada:\n"), "{}", page.html);
    assert_eq!(page.toc[0].html, "Done 🎉");
}

/// The label ends with the item's first line: before a nested list or a code block, and
/// around links and emphasis, in tight and loose lists alike.
#[test]
fn a_task_label_holds_the_first_line_only() {
    let out = html("- [x] Read **the** [guide](../ref.md)\n  - [ ] nested\n\n      code\n\n- [ ] loose\n\n  More.\n");
    assert!(
        out.contains("<label class=\"task\"><input type=\"checkbox\" disabled=\"\" checked=\"\"/>\nRead <strong>the</strong> <a href=\"../../ref/\">guide</a></label>"),
        "{out}"
    );
    assert!(out.contains("disabled=\"\"/>\nnested</label>"), "{out}");
    assert!(out.contains("disabled=\"\"/>\nloose</label></p>"), "{out}");
    assert_eq!(out.matches("<label").count(), out.matches("</label>").count(), "{out}");
}

#[test]
fn gfm_extensions_render() {
    let out = html(
        "| a | b |\n|---|---|\n| 1 | 2 | 3 |\n|\n\n- [ ] todo\n- [x] done\n\n~~old~~ and a note[^1].\n\n[^1]: The note.\n\n1. one\n1. two\n1. three\n\n1) x\n1) y\n",
    );
    assert!(out.contains("<table>"));
    assert!(!out.contains("<td>3</td>"), "extra cells are dropped: {out}");
    // Each checkbox is labelled by its item's line, for screen readers.
    assert!(
        out.contains("<li><label class=\"task\"><input type=\"checkbox\" disabled=\"\"/>\ntodo</label></li>"),
        "{out}"
    );
    assert!(out.contains(
        "<li><label class=\"task\"><input type=\"checkbox\" disabled=\"\" checked=\"\"/>\ndone</label></li>"
    ));
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
}

/// Pages that exercise every fact: headings (duplicates, explicit ids, code and links in
/// them), front matter, links and images of every target kind, raw HTML (blocks, inline,
/// comments, in containers), tabs, `<children>`, footnotes, tables, code blocks that hold
/// link-like text, and positions after multi-byte characters and CRLF line ends.
const FACT_PAGES: &[&str] = &[
    "---\ntitle: T\ndescription: D\n---\n# Models\n\n## Models\n\n## `SKILL.md` format {#skill}\n\n### Set up *now* [with](gone.md)\n\n## models-1\n\n## Ünïcödé — ✅\n",
    "---\ntitle: [unclosed\n---\n\n# After bad front matter\n\n[a](../ref.md#x)\n",
    "---\na: 1\na: 2\n---\n[dup key](#nowhere)\n",
    "[a](../ref.md#x) [b](#y) ![i](../img/logo.png) [m](gone.md) [f](../guide/) [q](../index.md?x=1#top)\n[e](https://x.dev/a.md) <https://auto.dev> <me@example.com> [up](../../LICENSE#L3) [far](../../../x.md)\n[empty]() [pct](my%20page.md) [abs](/ref.md#abs) [dot](./setup.md#z) [pdf](manual.pdf) [dir](nowhere/)\n",
    "Text [ref link][r] and ![ref img][i].\n\n[r]: ../ref.md#from-ref\n[i]: missing.png\n",
    "<a name=\"legacy\"></a>\n\nText <span id='inline'>x</span> <a href=\"../ref.md#inline\">r</a> <!-- <a href=\"skipped.md\">x</a> -->\n",
    "<div id=\"block\">\n<img src=\"../img/logo.png\">\n<img\n  src=\"nope.png\">\n<a href='#block'>self</a> <a href=gone.md>u</a>\n</div>\n\n<!-- <a href=\"in-comment.md\">c</a> <span id=\"commented\"></span> -->\n",
    "> <p id=\"quoted\">\n> <a href=\"../quoted.md\">q</a>\n> </p>\n\n- item\n\n  <div name=\"listed\">\n  <img src=\"list.png\">\n  </div>\n",
    "<div class=\"tabs\">\n\n### One\n\n[in tab](gone.md)\n\n<div class=\"x\" id=\"inner\">\n\n### One\n\n</div>\n\n</div>\n\n<children></children>\n\nIntro\n\n<children>\n</children>\n",
    "Note[^1] and [^long].\n\n[^1]: See [the ref](../ref.md#foot).\n[^long]: ![img](gone.png)\n\n| a | [b](gone-table.md) |\n|---|---|\n| `[c](x.md)` | <a href=\"cell.md\">d</a> |\n",
    "```md\n# Not a heading\n[not](a-link.md) <a href=\"no.md\" id=\"no\">\n```\n\n    [indented](code.md)\n\n~~~\n<img src=\"x.png\">\n~~~\n\n# Real [`code` link](#real)\n",
    "ünï — [x](gone.md)\r\n\r\n# CRLF\r\n\r\n> [!NOTE]\r\n> [y](gone2.md) — ![z](z.png)\r\n",
    "# Ends in a heading [x](#ends-in-a-heading-x)",
    "<picture><source srcset=\"../img/logo.png 2x, gone.png\"><img src=x.png srcset='nope.png 1x'></picture>\n\nText <img srcset=\"in.png\"> [t](gone.md)\n",
    "[a](gone.md)\n\n```sh {9} ins={1}\nx\n```\n\n> ```js title=\"a &amp; b\" frame=none\n> y\n> ```\n\n[b](gone2.md) `x`\n",
];

#[test]
fn the_facts_pass_finds_what_the_renderer_records() {
    let children = [ChildLink {
        title: "Setup".into(),
        url: Some("guide/setup/".into()),
        description: None,
    }];
    for repo in [None, Some("https://github.com/acme/acme/blob/main/docs")] {
        let site = FakeSite { repo };
        for text in FACT_PAGES {
            let input = PageInput {
                path: "guide/setup.md",
                url: "guide/setup/",
                text,
                children: &children,
            };
            let rendered = render(&input, &site, Purpose::Text);
            let facts = facts(input.path, text, &site, KeptLinks::All);
            let rendered_ids: Ids = rendered.ids.iter().cloned().collect();
            assert_eq!(facts.ids, rendered_ids, "ids of {text:?}");
            assert_eq!(facts.links, rendered.links, "links of {text:?}");
            assert_eq!(facts.diagnostics, rendered.diagnostics, "findings of {text:?}");
            // A check keeps only the links that name anchors, with the same findings.
            let anchors = super::facts(input.path, text, &site, KeptLinks::Anchors);
            let named: Vec<&LinkRef> = rendered.links.iter().filter(|l| l.target.names_anchor()).collect();
            assert_eq!(
                anchors.links.iter().collect::<Vec<_>>(),
                named,
                "anchor links of {text:?}"
            );
            assert_eq!(anchors.diagnostics, facts.diagnostics);
            assert_eq!(anchors.ids, facts.ids);
            // Walked before the site is known (a check's first pages) and resolved after:
            // the same facts, the findings in the same order.
            for (kept, expected) in [(KeptLinks::All, &facts), (KeptLinks::Anchors, &anchors)] {
                let late = unresolved_facts(input.path, text).resolve(input.path, &site, kept);
                assert_eq!(
                    (&late.ids, &late.links, &late.diagnostics),
                    (&expected.ids, &expected.links, &expected.diagnostics),
                    "resolved late: {text:?}"
                );
            }
            // The renderer's HTML mode records the same facts as its text mode.
            let html = render(&input, &site, Purpose::Html(&Highlighter::new()));
            assert_eq!(
                (&html.ids, &html.links, &html.diagnostics),
                (&rendered.ids, &rendered.links, &rendered.diagnostics)
            );
        }
    }
}

#[test]
fn the_facts_pass_records_ids_links_and_findings() {
    let site = FakeSite { repo: None };
    let ids = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Ids>();
    let page = facts("guide/setup.md", FACT_PAGES[0], &site, KeptLinks::All);
    assert_eq!(
        page.ids,
        ids(&[
            "models",
            "models-1",
            "skill",
            "set-up-now-with",
            "models-1-1",
            "ünïcödé--"
        ])
    );
    let page = facts("guide/setup.md", FACT_PAGES[1], &site, KeptLinks::All);
    assert_eq!(page.diagnostics[0].kind, Kind::InvalidFrontMatter);
    assert_eq!(page.ids, ids(&["after-bad-front-matter"]));
    let page = facts("guide/setup.md", FACT_PAGES[6], &site, KeptLinks::All);
    assert_eq!(page.ids, ids(&["block", "commented"]));
    let dests: Vec<(&str, Pos)> = page.links.iter().map(|l| (l.dest.as_str(), l.pos)).collect();
    assert_eq!(
        dests,
        [
            ("../img/logo.png", Pos::new(2, 11)),
            ("nope.png", Pos::new(4, 8)),
            ("#block", Pos::new(5, 10)),
            ("gone.md", Pos::new(5, 35)),
            ("in-comment.md", Pos::new(8, 15)),
        ]
    );
    let page = facts("guide/setup.md", FACT_PAGES[11], &site, KeptLinks::All);
    let positions: Vec<Pos> = page.diagnostics.iter().map(|d| Pos::new(d.line, d.col)).collect();
    assert_eq!(positions, [Pos::new(1, 7), Pos::new(6, 3), Pos::new(6, 19)]);
}
