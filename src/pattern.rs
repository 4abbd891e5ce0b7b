//! Regular expressions over markup (raw HTML in pages, Tera tags in templates), whose
//! syntax is ASCII: its whitespace, names, quotes and delimiters.
//!
//! The patterns are compiled without Unicode (`\s` is ASCII whitespace, `(?i)` folds ASCII
//! letters only, `[^>]` is any byte but `>`) and run over the text's bytes. That is HTML's
//! own reading, where a Unicode class would also take a no-break space for whitespace or
//! `ſ` for `s`, and it is cheaper: each pattern with a Unicode class builds UTF-8 automata
//! when compiled (a 320 KB table each, on every run of docsite).
//!
//! Every pattern here starts and ends its matches and groups at ASCII bytes or at the ends
//! of the text, which in UTF-8 are always character boundaries, so [`text`] gives them
//! back as `&str`.

use regex::bytes::{Match, Regex, RegexBuilder};

/// Compiles a constant markup pattern, without Unicode.
pub(crate) fn ascii(pattern: &str) -> Regex {
    // Patterns are constants; a typo fails every test that uses them.
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .unwrap_or_else(|e| panic!("bad pattern {pattern}: {e}"))
}

/// The text of a match of an [`ascii`] pattern over `haystack`'s bytes.
pub(crate) fn text<'h>(haystack: &'h str, m: Match<'_>) -> &'h str {
    // Never empty for these patterns (see the module doc); `get` keeps a mistake in a
    // new pattern from panicking on user text.
    haystack.get(m.range()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_ascii_and_matches_come_back_as_text() {
        let tag = ascii(r#"(?i)<a\s+href\s*=\s*"([^"]*)""#);
        let html = "<A HREF=\"é/ü.md\">";
        let caps = tag.captures(html.as_bytes()).unwrap();
        assert_eq!(text(html, caps.get(1).unwrap()), "é/ü.md");
        // A no-break space is not HTML whitespace; `ſ` is not `s` to a browser.
        assert!(!tag.is_match("<a\u{a0}href=\"x\"".as_bytes()));
        assert!(!ascii("(?i)src").is_match("ſrc".as_bytes()));
    }
}
