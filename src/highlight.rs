//! Server-side syntax highlighting with syntect and the two-face syntax bundle. Output uses
//! CSS classes (`hl-keyword`, `hl-string`, …), so light and dark palettes live in the theme.

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::markdown::escape_html;

/// Class prefix: `string.quoted` becomes `hl-string hl-quoted`.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

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

    /// The HTML of one code block, wrapped in `<div class="code-block">`.
    pub fn block(&self, lang: &str, code: &str) -> String {
        let lang_attr = escape_html(lang);
        let mut out = String::with_capacity(code.len() * 3 + 128);
        if lang.is_empty() {
            out.push_str("<div class=\"code-block\"><pre><code>");
            out.push_str(&escape_html(code));
            out.push_str("</code></pre></div>\n");
            return out;
        }
        out.push_str("<div class=\"code-block\" data-lang=\"");
        out.push_str(&lang_attr);
        out.push_str("\">");
        match self.syntax_for(lang).and_then(|s| self.classed(s, code)) {
            Some(html) => {
                out.push_str("<pre class=\"hl\"><code class=\"language-");
                out.push_str(&lang_attr);
                out.push_str("\">");
                out.push_str(&html);
            }
            None => {
                out.push_str("<pre><code class=\"language-");
                out.push_str(&lang_attr);
                out.push_str("\">");
                out.push_str(&escape_html(code));
            }
        }
        out.push_str("</code></pre></div>\n");
        out
    }

    fn classed(&self, syntax: &SyntaxReference, code: &str) -> Option<String> {
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &self.syntaxes, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            // A grammar error is not the writer's fault: fall back to plain text.
            generator.parse_html_for_line_which_includes_newline(line).ok()?;
        }
        Some(generator.finalize())
    }
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
        let html = h.block("sh", "echo \"hi\" # note\n");
        assert!(
            html.starts_with(
                "<div class=\"code-block\" data-lang=\"sh\"><pre class=\"hl\"><code class=\"language-sh\">"
            )
        );
        assert!(html.contains("hl-comment"), "{html}");
        assert!(html.contains("hl-string"), "{html}");
        let plain = h.block("no-such-lang", "<b>&</b>\n");
        assert!(
            plain.contains("<pre><code class=\"language-no-such-lang\">&lt;b&gt;&amp;&lt;/b&gt;"),
            "{plain}"
        );
        let none = h.block("", "x < y\n");
        assert_eq!(
            none,
            "<div class=\"code-block\"><pre><code>x &lt; y\n</code></pre></div>\n"
        );
    }
}
