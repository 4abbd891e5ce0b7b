//! Server-side syntax highlighting with syntect and the two-face syntax bundle. Each
//! coloured token of a code block is one `<span>` with one class naming what it is
//! ([`Token`]: `hl-keyword`, `hl-string`, …), so light and dark palettes live in the
//! theme, and a block weighs a few times its text rather than the grammar's whole scope
//! stack per token (tens of times, as syntect's own classed HTML does).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use syntect::highlighting::ScopeSelectors;
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::FastHash;
use crate::markdown::escape_html;

/// What a token of code is, as far as colouring goes: one class of the theme's stylesheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Comment,
    Keyword,
    String,
    /// Numbers and named constants (`true`, `null`).
    Constant,
    /// Escapes in strings, and regular expressions.
    Escape,
    Function,
    Type,
    /// Tags, mapping keys (YAML, JSON, TOML) and section names.
    Tag,
    Attribute,
    Parameter,
    /// Diff lines.
    Inserted,
    Deleted,
    Changed,
    /// Markdown headings and diff headers.
    Heading,
    Bold,
    Italic,
    Link,
    Quote,
}

impl Token {
    /// The class of the token's `<span>`.
    pub fn class(self) -> &'static str {
        match self {
            Token::Comment => "hl-comment",
            Token::Keyword => "hl-keyword",
            Token::String => "hl-string",
            Token::Constant => "hl-constant",
            Token::Escape => "hl-escape",
            Token::Function => "hl-function",
            Token::Type => "hl-type",
            Token::Tag => "hl-tag",
            Token::Attribute => "hl-attr",
            Token::Parameter => "hl-param",
            Token::Inserted => "hl-inserted",
            Token::Deleted => "hl-deleted",
            Token::Changed => "hl-changed",
            Token::Heading => "hl-heading",
            Token::Bold => "hl-bold",
            Token::Italic => "hl-italic",
            Token::Link => "hl-link",
            Token::Quote => "hl-quote",
        }
    }
}

/// Which scopes make which token, as TextMate scope selectors (what colour themes use).
/// Where several rules match a token's scopes, the best match wins, as in a theme: the
/// one matching the deeper scope, then the more specific one (`support.type.property-name`
/// over `support.type`, `meta.mapping.key string` over `string`).
const RULES: &[(&str, Token)] = &[
    ("comment", Token::Comment),
    (
        "keyword, storage, variable.language, punctuation.section.interpolation",
        Token::Keyword,
    ),
    ("string, markup.raw", Token::String),
    (
        "constant.numeric, constant.language, constant.other, support.constant, variable.other.constant",
        Token::Constant,
    ),
    ("constant.character.escape, string.regexp", Token::Escape),
    (
        "entity.name.function, support.function, support.macro, variable.function",
        Token::Function,
    ),
    (
        "entity.name.type, entity.name.class, entity.name.struct, entity.name.enum, entity.name.namespace, \
         support.type, support.class, entity.other.inherited-class",
        Token::Type,
    ),
    (
        "entity.name.tag, meta.mapping.key, meta.mapping.key string, support.type.property-name, \
         entity.name.section, meta.tag.table",
        Token::Tag,
    ),
    ("entity.other.attribute-name, entity.name.label", Token::Attribute),
    ("variable.parameter, variable.other.member", Token::Parameter),
    ("markup.inserted", Token::Inserted),
    ("markup.deleted", Token::Deleted),
    ("markup.changed", Token::Changed),
    (
        "markup.heading, markup.heading entity, markup.heading entity.name.section, meta.diff.range, \
         meta.diff.header, meta.header",
        Token::Heading,
    ),
    ("markup.bold", Token::Bold),
    ("markup.italic", Token::Italic),
    ("markup.underline.link", Token::Link),
    ("markup.quote", Token::Quote),
];

static SELECTORS: LazyLock<Vec<(ScopeSelectors, Token)>> = LazyLock::new(|| {
    RULES
        .iter()
        .filter_map(|(selectors, token)| Some((selectors.parse().ok()?, *token)))
        .collect()
});

/// The token a stack of scopes makes (`None`: plain text).
fn token_of(stack: &[Scope]) -> Option<Token> {
    SELECTORS
        .iter()
        .filter_map(|(selectors, token)| Some((selectors.does_match(stack)?, *token)))
        .max_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal))
        .map(|(_, token)| token)
}

thread_local! {
    /// [`token_of`] each scope stack met on this thread. A grammar makes a few hundred
    /// distinct stacks, each met thousands of times across a site; matching every rule
    /// against each token would cost more than the parse.
    static TOKENS: RefCell<HashMap<Vec<Scope>, Option<Token>, FastHash>> = RefCell::default();
}

/// [`token_of`], remembered.
fn token_for(stack: &[Scope]) -> Option<Token> {
    TOKENS.with_borrow_mut(|known| {
        if let Some(&token) = known.get(stack) {
            return token;
        }
        let token = token_of(stack);
        known.insert(stack.to_vec(), token);
        token
    })
}

/// How a code block is framed besides its colours: a title above it, marked lines, line
/// numbers (a fence's options, see `markdown::fence`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Frame {
    pub title: Option<String>,
    /// Marked lines, counted from 1.
    pub marked: Vec<RangeInclusive<u32>>,
    pub numbers: LineNumbers,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum LineNumbers {
    #[default]
    Hidden,
    /// Shown, the first line numbered so.
    From(u32),
}

impl Frame {
    /// Whether each line is an element of its own (to mark it or number it).
    fn per_line(&self) -> bool {
        !self.marked.is_empty() || self.numbers != LineNumbers::Hidden
    }

    fn is_marked(&self, line: u32) -> bool {
        self.marked.iter().any(|r| r.contains(&line))
    }
}

/// A code block's HTML as it is written: text, with a span around each run of one token;
/// with `lines`, each line in an element of its own, which the token spans do not cross.
struct Markup<'f> {
    html: String,
    open: Option<Token>,
    lines: Option<Lines<'f>>,
}

/// Where [`Markup`] is in a block written line by line.
struct Lines<'f> {
    frame: &'f Frame,
    /// The line being written, counted from 1 (0 before the first).
    line: u32,
    /// Whether its element is open, and so is it marked.
    open: Option<bool>,
}

impl<'f> Markup<'f> {
    fn new(capacity: usize, frame: &'f Frame) -> Self {
        Markup {
            html: String::with_capacity(capacity),
            open: None,
            lines: frame.per_line().then_some(Lines {
                frame,
                line: 0,
                open: None,
            }),
        }
    }

    fn push(&mut self, text: &str, token: Option<Token>) {
        if self.lines.is_none() {
            return self.push_run(text, token);
        }
        for piece in text.split_inclusive('\n') {
            self.open_line();
            self.push_run(piece, token);
            if piece.ends_with('\n') {
                self.close_line();
            }
        }
    }

    fn push_run(&mut self, text: &str, token: Option<Token>) {
        if text.is_empty() {
            return;
        }
        if token != self.open {
            self.close_token();
            if let Some(token) = token {
                self.html.push_str("<span class=\"");
                self.html.push_str(token.class());
                self.html.push_str("\">");
            }
            self.open = token;
        }
        // Writing to a String cannot fail.
        let _ = pulldown_cmark_escape::escape_html_body_text(&mut self.html, text);
    }

    fn close_token(&mut self) {
        if self.open.take().is_some() {
            self.html.push_str("</span>");
        }
    }

    fn open_line(&mut self) {
        let Some(lines) = &mut self.lines else { return };
        if lines.open.is_none() {
            lines.line += 1;
            let marked = lines.frame.is_marked(lines.line);
            lines.open = Some(marked);
            self.html.push_str(if marked {
                "<mark class=\"code-line\">"
            } else {
                "<span class=\"code-line\">"
            });
        }
    }

    fn close_line(&mut self) {
        if let Some(marked) = self.lines.as_mut().and_then(|l| l.open.take()) {
            self.close_token();
            self.html.push_str(if marked { "</mark>" } else { "</span>" });
        }
    }

    fn finish(mut self) -> String {
        self.close_line();
        self.close_token();
        self.html
    }
}

/// Loaded once per build and shared by all threads (syntect compiles each grammar's
/// regexes lazily, on first use, and caches them in the set).
pub struct Highlighter {
    syntaxes: SyntaxSet,
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

impl Highlighter {
    pub fn new() -> Self {
        Highlighter {
            syntaxes: two_face::syntax::extra_newlines(),
        }
    }

    /// The grammar for a fence's language tag, after resolving the synonyms docs use.
    /// `None` for plain text and for languages we have no grammar for.
    pub fn syntax_for(&self, lang: &str) -> Option<&SyntaxReference> {
        let lower = lang.to_ascii_lowercase();
        let token = match lower.as_str() {
            "" | "txt" | "text" | "plain" | "plaintext" | "none" | "output" => return None,
            "shell" | "console" | "shellsession" | "zsh" | "shellscript" => "bash",
            "terraform" | "tf" | "tfvars" => "hcl",
            "dotenv" | ".env" => "env",
            "jsonc" | "json5" => "json",
            "golang" => "go",
            "docker" => "dockerfile",
            "py" => "python",
            "rs" => "rust",
            "yml" => "yaml",
            "md" | "mdx" => "markdown",
            other => other,
        };
        self.syntaxes.find_syntax_by_token(token)
    }

    /// The HTML of one code block, wrapped in `<div class="code-block">`, with its frame's
    /// title above it.
    pub fn block(&self, lang: &str, code: &str, frame: &Frame) -> String {
        let lang_attr = escape_html(lang);
        let mut out = String::with_capacity(code.len() * 3 + 128);
        out.push_str("<div class=\"code-block\"");
        if !lang.is_empty() {
            push_attr(&mut out, " data-lang=\"", &lang_attr);
        }
        out.push('>');
        if let Some(title) = &frame.title {
            out.push_str("<div class=\"code-title\">");
            out.push_str(&escape_html(title));
            out.push_str("</div>");
        }
        let highlighted = match lang {
            "" => None,
            _ => self.syntax_for(lang).and_then(|s| self.classed(s, code, frame)),
        };
        let numbered = frame.numbers != LineNumbers::Hidden;
        let classes = [
            highlighted.is_some().then_some("hl"),
            frame.per_line().then_some("lines"),
            numbered.then_some("numbered"),
        ];
        out.push_str("<pre");
        for (i, class) in classes.into_iter().flatten().enumerate() {
            out.push_str(if i == 0 { " class=\"" } else { " " });
            out.push_str(class);
        }
        if classes.iter().any(Option::is_some) {
            out.push('"');
        }
        // Line numbers are a CSS counter: it starts elsewhere than 1 only when asked to.
        if let LineNumbers::From(first) = frame.numbers
            && first != 1
        {
            out.push_str(&format!(" style=\"counter-reset: line {}\"", i64::from(first) - 1));
        }
        out.push_str("><code");
        if !lang.is_empty() {
            push_attr(&mut out, " class=\"language-", &lang_attr);
        }
        out.push('>');
        match highlighted {
            Some(html) => out.push_str(&html),
            None if frame.per_line() => {
                let mut markup = Markup::new(code.len() * 2, frame);
                markup.push(code, None);
                out.push_str(&markup.finish());
            }
            None => out.push_str(&escape_html(code)),
        }
        out.push_str("</code></pre></div>\n");
        out
    }

    fn classed(&self, syntax: &SyntaxReference, code: &str, frame: &Frame) -> Option<String> {
        let mut state = ParseState::new(syntax);
        let mut stack = ScopeStack::new();
        let mut out = Markup::new(code.len() * 2, frame);
        // The token of the current stack, looked up only when text follows it: several
        // operations often fall on one place (a scope ends where the next begins).
        let mut token: Option<Option<Token>> = None;
        for line in LinesWithEndings::from(code) {
            // A grammar error is not the writer's fault: fall back to plain text.
            let ops = state.parse_line(line, &self.syntaxes).ok()?;
            let mut done = 0;
            for (at, op) in ops {
                if at > done {
                    let token = *token.get_or_insert_with(|| token_for(stack.as_slice()));
                    out.push(line.get(done..at)?, token);
                    done = at;
                }
                stack.apply(&op).ok()?;
                token = None;
            }
            let token = *token.get_or_insert_with(|| token_for(stack.as_slice()));
            out.push(line.get(done..)?, token);
        }
        Some(out.finish())
    }
}

/// Writes an attribute: its opening (` name="` and any fixed start of the value), then the
/// escaped rest of the value and the closing quote.
fn push_attr(out: &mut String, opening: &str, escaped: &str) {
    out.push_str(opening);
    out.push_str(escaped);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_docs_language_has_a_grammar() {
        let h = Highlighter::new();
        for lang in [
            "sh",
            "shell",
            "bash",
            "console",
            "json",
            "jsonc",
            "yaml",
            "yml",
            "tf",
            "hcl",
            "toml",
            "diff",
            "md",
            "sql",
            "go",
            "ts",
            "typescript",
            "js",
            "javascript",
            "python",
            "dockerfile",
            "rust",
            "dotenv",
            "csv",
        ] {
            assert!(h.syntax_for(lang).is_some(), "no grammar for {lang}");
        }
        for lang in ["txt", "text", "promql-not-a-language"] {
            assert!(h.syntax_for(lang).is_none() || lang.starts_with("promql"));
        }
    }

    #[test]
    fn highlights_with_classes_and_escapes_unknown() {
        let h = Highlighter::new();
        let html = h.block("sh", "echo \"hi\" # note\n", &Frame::default());
        assert!(
            html.starts_with(
                "<div class=\"code-block\" data-lang=\"sh\"><pre class=\"hl\"><code class=\"language-sh\">"
            )
        );
        assert!(html.contains("hl-comment"), "{html}");
        assert!(html.contains("hl-string"), "{html}");
        let plain = h.block("no-such-lang", "<b>&</b>\n", &Frame::default());
        assert!(
            plain.contains("<pre><code class=\"language-no-such-lang\">&lt;b&gt;&amp;&lt;/b&gt;"),
            "{plain}"
        );
        let none = h.block("", "x < y\n", &Frame::default());
        assert_eq!(
            none,
            "<div class=\"code-block\"><pre><code>x &lt; y\n</code></pre></div>\n"
        );
    }

    /// The code of a highlighted block, as (class, text) runs; text outside spans has no class.
    fn runs(html: &str) -> Vec<(String, String)> {
        let code = html
            .split_once("\">")
            .and_then(|(_, rest)| rest.split_once("<code"))
            .map(|(_, c)| c);
        let code = code.and_then(|c| c.split_once('>')).map(|(_, c)| c).unwrap_or("");
        let code = code.split("</code>").next().unwrap_or("");
        let mut runs = Vec::new();
        for piece in code.split("<span class=\"") {
            let (class, rest) = piece.split_once("\">").unwrap_or(("", piece));
            let (inside, after) = rest.split_once("</span>").unwrap_or((rest, ""));
            for (class, text) in [(class, inside), ("", after)] {
                if !text.is_empty() {
                    runs.push((class.to_string(), text.to_string()));
                }
            }
        }
        runs
    }

    /// The text of a block's code, unescaped.
    fn text_of(html: &str) -> String {
        let text: String = runs(html).into_iter().map(|(_, t)| t).collect();
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    }

    /// One span per run of a token, named for what the token is, the best matching rule
    /// winning (a JSON key is a key, though it is a string too); plain text stays bare.
    #[test]
    fn each_token_is_one_span_named_for_what_it_is() {
        let h = Highlighter::new();
        let run = |class: &str, text: &str| (class.to_string(), text.to_string());
        assert_eq!(
            runs(&h.block(
                "json",
                "{\"port\": 8080, \"tls\": true, \"name\": \"a\\n\"}\n",
                &Frame::default()
            )),
            [
                run("", "{"),
                run("hl-tag", "\"port\""),
                run("", ": "),
                run("hl-constant", "8080"),
                run("", ", "),
                run("hl-tag", "\"tls\""),
                run("", ": "),
                run("hl-constant", "true"),
                run("", ", "),
                run("hl-tag", "\"name\""),
                run("", ": "),
                run("hl-string", "\"a"),
                run("hl-escape", "\\n"),
                run("hl-string", "\""),
                run("", "}\n"),
            ]
        );
        assert_eq!(
            runs(&h.block("diff", "@@ -1 +1 @@\n-old\n+new\n", &Frame::default())),
            [
                run("hl-heading", "@@ -1 +1 @@\n"),
                run("hl-deleted", "-old\n"),
                run("hl-inserted", "+new\n"),
            ]
        );
        let yaml = runs(&h.block("yaml", "key: value # note\n", &Frame::default()));
        assert_eq!(yaml[0], run("hl-tag", "key"));
        assert!(yaml.contains(&run("hl-comment", "# note\n")), "{yaml:?}");
        let shell = runs(&h.block("sh", "export NAME=\"x\" # set\n", &Frame::default()));
        assert!(shell.iter().any(|(class, _)| class == "hl-keyword"), "{shell:?}");
        assert!(shell.contains(&run("hl-string", "\"x\"")), "{shell:?}");
    }

    #[test]
    fn every_rule_parses() {
        assert_eq!(SELECTORS.len(), RULES.len());
    }

    /// However the tokens fall, the block's text is the code, escaped, and nothing else.
    #[test]
    fn the_markup_holds_exactly_the_code() {
        let h = Highlighter::new();
        for (lang, code) in [
            ("sh", "if [ -n \"$X\" ]; then echo '<a & b>' | grep -v x; fi\n# done\n"),
            ("json", "{\n  \"a\": [1, 2.5e3, null],\n  \"b\": {\"c\": \"<&>\"}\n}\n"),
            ("yaml", "a:\n  - b: \"c\"\n    d: 1 # e\n"),
            ("hcl", "resource \"x\" \"y\" {\n  count = var.n > 1 ? 2 : 0\n}\n"),
            ("md", "# Title\n\n**bold** _it_ [link](https://x) `code`\n> quote\n"),
            ("toml", "[a]\nb = \"c\" # d\n"),
            ("dockerfile", "FROM alpine\nRUN echo hi\n"),
        ] {
            let html = h.block(lang, code, &Frame::default());
            assert_eq!(text_of(&html), code, "{lang}: {html}");
            assert_eq!(html.matches("<span").count(), html.matches("</span>").count(), "{html}");
        }
    }

    #[test]
    fn a_frame_adds_a_title_and_an_element_per_line() {
        let h = Highlighter::new();
        let frame = Frame {
            title: Some("x & y.txt".into()),
            marked: vec![2..=2],
            numbers: LineNumbers::From(5),
        };
        assert_eq!(
            h.block("text", "a\n<b>\nc\n", &frame),
            "<div class=\"code-block\" data-lang=\"text\"><div class=\"code-title\">x &amp; y.txt</div>\
             <pre class=\"lines numbered\" style=\"counter-reset: line 4\"><code class=\"language-text\">\
             <span class=\"code-line\">a\n</span><mark class=\"code-line\">&lt;b&gt;\n</mark><span class=\"code-line\">c\n</span>\
             </code></pre></div>\n"
        );
        let numbered = Frame {
            numbers: LineNumbers::From(1),
            ..Frame::default()
        };
        let html = h.block("", "a\n", &numbered);
        assert!(
            html.contains("<pre class=\"lines numbered\"><code><span class=\"code-line\">a\n</span>"),
            "{html}"
        );
        let titled = Frame {
            title: Some("main.tf".into()),
            ..Frame::default()
        };
        let html = h.block("tf", "a = 1\n", &titled);
        assert!(
            html.contains("<div class=\"code-title\">main.tf</div><pre class=\"hl\">"),
            "{html}"
        );
    }

    /// A token that runs over several lines (a multi-line string) is closed at each line's
    /// end and opened again on the next, so each line's element holds whole spans.
    #[test]
    fn line_elements_hold_whole_token_spans() {
        let h = Highlighter::new();
        for (lang, code) in [
            ("python", "x = \"\"\"one\ntwo <&>\nthree\"\"\"\n# end\n"),
            ("sh", "cat <<EOF\nhello $USER\nEOF\necho done\n"),
            ("json", "{\n  \"a\": \"b\"\n}\n"),
        ] {
            let lines = code.lines().count() as u32;
            let frame = Frame {
                marked: vec![1..=lines],
                ..Frame::default()
            };
            let html = h.block(lang, code, &frame);
            let body = html
                .split_once("<code")
                .and_then(|(_, c)| c.split_once('>'))
                .map_or("", |(_, c)| c);
            let body = body.split("</code>").next().unwrap_or("");
            let elements: Vec<&str> = body.split_terminator("</mark>").collect();
            assert_eq!(elements.len(), lines as usize, "{lang}: {html}");
            let mut text = String::new();
            for element in elements {
                let inner = element
                    .strip_prefix("<mark class=\"code-line\">")
                    .unwrap_or_else(|| panic!("{element}"));
                assert_eq!(
                    inner.matches("<span").count(),
                    inner.matches("</span>").count(),
                    "{lang}: {inner}"
                );
                assert!(inner.trim_end_matches("</span>").ends_with('\n'), "{lang}: {inner}");
                text.push_str(&text_of(&format!("\"><code>{inner}</code>")));
            }
            assert_eq!(text, code, "{lang}: {html}");
        }
    }
}
