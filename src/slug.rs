//! Heading ids, computed exactly as GitHub does (github-slugger): lowercase, drop every
//! character that is not a letter, mark, number, connector punctuation (`_`), `-` or
//! space, turn spaces into `-`; a repeated slug gets `-1`, `-2`, … in order of appearance.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

static DISALLOWED: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a constant; failing to compile it is a bug caught by every test.
    Regex::new(r"[^\p{L}\p{M}\p{N}\p{Pc} \-]").unwrap_or_else(|e| panic!("slug pattern: {e}"))
});

/// The GitHub slug of a heading's text, without de-duplication.
pub fn slugify(text: &str) -> String {
    if text.is_ascii() {
        // Most headings are ASCII: the only ASCII letters, numbers and connector
        // punctuation are `[A-Za-z0-9_]`, so one pass gives what the pattern would.
        return text
            .bytes()
            .filter_map(|b| match b {
                b' ' => Some('-'),
                b'-' | b'_' => Some(char::from(b)),
                _ if b.is_ascii_alphanumeric() => Some(char::from(b.to_ascii_lowercase())),
                _ => None,
            })
            .collect();
    }
    DISALLOWED.replace_all(&text.to_lowercase(), "").replace(' ', "-")
}

/// Hands out unique slugs within one page.
#[derive(Default)]
pub struct Slugger {
    /// One map a page, asked once a heading.
    occurrences: HashMap<String, usize, crate::FastHash>,
}

impl Slugger {
    /// The next unique slug for a heading with this text.
    pub fn slug(&mut self, text: &str) -> String {
        self.unique(slugify(text))
    }

    /// Makes `slug` unique the way github-slugger does, and records it.
    pub fn unique(&mut self, original: String) -> String {
        if !self.occurrences.contains_key(&original) {
            // The usual case: a first use, no counter to keep.
            self.occurrences.insert(original.clone(), 0);
            return original;
        }
        let mut slug = original.clone();
        while self.occurrences.contains_key(&slug) {
            let n = self.occurrences.entry(original.clone()).or_insert(0);
            *n += 1;
            slug = format!("{original}-{n}");
        }
        self.occurrences.insert(slug.clone(), 0);
        slug
    }

    /// Records an explicit id so later generated slugs avoid it.
    pub fn reserve(&mut self, id: &str) {
        self.occurrences.entry(id.to_string()).or_insert(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_rules() {
        assert_eq!(
            slugify("Endpoint/base URL for OpenAI-compatible providers"),
            "endpointbase-url-for-openai-compatible-providers"
        );
        assert_eq!(slugify("SKILL.md format"), "skillmd-format");
        assert_eq!(slugify("What it is and isn't"), "what-it-is-and-isnt");
        assert_eq!(
            slugify("7. Replace pause/resume with interrupt"),
            "7-replace-pauseresume-with-interrupt"
        );
        assert_eq!(slugify("User API keys (BYOK)"), "user-api-keys-byok");
        assert_eq!(slugify("snake_case and  two  spaces"), "snake_case-and--two--spaces");
        assert_eq!(slugify("Ünïcödé — dash ✅"), "ünïcödé--dash-");
        assert_eq!(slugify("e\u{301}t\u{e9}"), "e\u{301}t\u{e9}");
    }

    #[test]
    fn the_ascii_path_matches_the_pattern() {
        let all: String = (0u8..128).map(char::from).collect();
        for text in [all.as_str(), "Hello, World! 2-3_4 (x)", "  A\tB  "] {
            let pattern = DISALLOWED.replace_all(&text.to_lowercase(), "").replace(' ', "-");
            assert_eq!(slugify(text), pattern, "{text:?}");
        }
    }

    #[test]
    fn duplicates_get_counters() {
        let mut s = Slugger::default();
        assert_eq!(s.slug("Models"), "models");
        assert_eq!(s.slug("Models"), "models-1");
        assert_eq!(s.slug("Models"), "models-2");
        assert_eq!(s.slug("models-1"), "models-1-1");
        s.reserve("setup");
        assert_eq!(s.slug("Setup"), "setup-1");
    }
}
