//! Heading ids, computed exactly as GitHub does (github-slugger): lowercase, drop every
//! character that is not a letter, mark, number, connector punctuation (`_`), `-` or
//! space, turn spaces into `-`; a repeated slug gets `-1`, `-2`, … in order of appearance.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

static DISALLOWED: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a constant; failing to compile it is a bug caught by every test.
    Regex::new(r"[^\p{L}\p{M}\p{N}\p{Pc} \-]").unwrap_or_else(|e| panic!("slug pattern: {e}"))
});

/// A page's anchor ids. Looked up for every `#fragment` link of a site and built for every
/// page, so hashed with [`crate::FastHash`]; suggestions ([`crate::build::closest`]) do
/// not depend on the set's order.
pub type Ids = HashSet<String, crate::FastHash>;

/// The GitHub slug of a heading's text, without de-duplication.
pub fn slugify(text: &str) -> String {
    if text.is_ascii() {
        // Most headings are ASCII: the only ASCII letters, numbers and connector
        // punctuation are `[A-Za-z0-9_]`, so one pass gives what the pattern would. The
        // slug is never longer than the text: one allocation, no regrowth.
        let mut slug = String::with_capacity(text.len());
        for b in text.bytes() {
            match b {
                b' ' => slug.push('-'),
                b'-' | b'_' => slug.push(char::from(b)),
                _ if b.is_ascii_alphanumeric() => slug.push(char::from(b.to_ascii_lowercase())),
                _ => {}
            }
        }
        return slug;
    }
    DISALLOWED.replace_all(&text.to_lowercase(), "").replace(' ', "-")
}

/// Hands out unique slugs within one page.
#[derive(Default)]
pub struct Slugger {
    /// Every slug handed out and every id reserved: the page's heading ids, which the
    /// facts pass keeps as they are ([`Slugger::into_ids`]) instead of copying them.
    taken: Ids,
    /// github-slugger's counter of a slug asked for again, for the few that are.
    repeats: HashMap<String, usize, crate::FastHash>,
}

impl Slugger {
    /// The next unique slug for a heading with this text.
    pub fn slug(&mut self, text: &str) -> String {
        self.unique(slugify(text))
    }

    /// Makes `slug` unique the way github-slugger does, and records it.
    pub fn unique(&mut self, original: String) -> String {
        let slug = self.free(original);
        self.taken.insert(slug.clone());
        slug
    }

    /// [`Slugger::slug`], kept only in the slugger: for a caller that wants the ids as a
    /// set in the end, without a copy of each.
    pub fn add(&mut self, text: &str) {
        let slug = self.free(slugify(text));
        self.taken.insert(slug);
    }

    /// Records an explicit id so later generated slugs avoid it.
    pub fn reserve(&mut self, id: &str) {
        if !self.taken.contains(id) {
            self.taken.insert(id.to_string());
        }
    }

    /// Every slug handed out and id reserved.
    pub fn into_ids(self) -> Ids {
        self.taken
    }

    /// `original`, or if it is taken, the first of `original-1`, `original-2`, … that is
    /// not (counting on from where the last repeat of `original` stopped).
    fn free(&mut self, original: String) -> String {
        if !self.taken.contains(&original) {
            return original;
        }
        let mut n = self.repeats.get(&original).copied().unwrap_or(0);
        let slug = loop {
            n += 1;
            let slug = format!("{original}-{n}");
            if !self.taken.contains(&slug) {
                break slug;
            }
        };
        self.repeats.insert(original, n);
        slug
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
