//! The client-side search index, built during `build` from what each page's markdown pass
//! already produced ([`TextSection`]s): no second parse.
//!
//! Everything lives under `_docsite/search/` as JavaScript files that call a registration
//! function, so the index loads with `<script>` tags: it works from `file://` and under any
//! URL prefix. Three kinds of file, so that a query transfers little even on a large site:
//!
//! * `index.js` — loaded on the first focus of the search box: the page count, the sorted
//!   term dictionary and where each postings shard starts in it. Prefix and typo expansion
//!   run on this dictionary in the browser. The dictionary is front-coded: space-separated
//!   entries, each one character of [`DIGITS`] saying how many leading characters it shares
//!   with the term before, then the rest of the term.
//! * `s<N>.js` — postings of a run of consecutive dictionary terms, packed to about
//!   [`SHARD_BYTES`]: per term one string of `(page delta, weight)` pairs, page ids
//!   ascending, the delta a [`DIGITS`] varint (see [`push_varint`]), the weight one digit. A query loads only
//!   the shards of the terms it expanded to.
//! * `p/<page / PAGES_PER_FOLDER>/<page>.js` — one page's title, URL, breadcrumb, state
//!   badges and section texts, for the result list (which section matched, snippet). Loaded
//!   for the results shown only, and written by the parallel page pass. Spread over folders
//!   of [`PAGES_PER_FOLDER`] because creating many files in one folder is slow on common
//!   filesystems (ext4 places them all in one block group); `index.js` tells the browser
//!   the folder size.
//!
//! The weight of a term on a page ranks title above heading above body: 32 if the term is
//! in the title, plus 8 per heading holding it (at most 3), plus 1 per occurrence in the
//! body (at most 7); so it fits one varint digit (below 64), every heading match outweighs
//! any body-only one, and every title match any heading-only one.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;

use crate::FastHash;
use crate::markdown::TextSection;
use crate::theme::ASSETS_DIR;

/// Where the search files live in the site.
pub const SEARCH_DIR: &str = "search";

/// Postings bytes per shard: small enough that a query moves little, large enough that a
/// small site has a handful of files.
pub const SHARD_BYTES: usize = 12 * 1024;

/// Page entry files per folder under `p/`. ext4 puts a folder's files in the folder's
/// block group. When builds follow each other, that is often a group where the last
/// build's files were just deleted, and each new file walks past every inode deleted there
/// in the last half-minute (see `output::spread_subfolders`). Ten to a folder keeps that
/// walk short: at 100, back-to-back 530-page builds took 13–25 ms longer (of ~240), in
/// system time.
pub const PAGES_PER_FOLDER: usize = 10;

/// The 64 characters of the index's number encoding, in value order; JSON-safe.
pub const DIGITS: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// Appends `n` in [`DIGITS`]: groups of 5 bits, most significant first; every group but the
/// last has 32 added (the "more follows" bit).
pub fn push_varint(out: &mut String, n: u32) {
    let groups = (u32::BITS - n.leading_zeros()).div_ceil(5).max(1);
    for k in (0..groups).rev() {
        let more = if k > 0 { 32 } else { 0 };
        out.push(char::from(DIGITS[((n >> (5 * k)) & 31 | more) as usize]));
    }
}

/// Terms longer than this are left out (hashes, base64, long identifiers).
const MAX_TERM_CHARS: usize = 24;

/// Section text kept for snippets, per section and per page: past these, sections keep
/// their heading (still found and linked) but show no snippet. Keeps a long page's entry
/// near 10 KB, so a query's transfer stays small.
const MAX_SECTION_TEXT: usize = 1000;
const MAX_PAGE_TEXT: usize = 8000;

/// Whether `build` writes the search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchIndex {
    #[default]
    Build,
    /// No index and no search box (for measuring what the index costs).
    Skip,
}

/// The words of a text, lowercased: runs of letters and digits, at least 2 characters and
/// at most [`MAX_TERM_CHARS`]. The theme's `search.js` splits queries the same way
/// (`[\p{Alphabetic}\p{N}]+`, which is what `char::is_alphanumeric` accepts).
pub fn tokenize(text: &str) -> impl Iterator<Item = String> + '_ {
    terms(text).map(|t| match t {
        Term::Packed(p) => unpack_chars(p).collect(),
        Term::Text(w) => w.into_owned(),
    })
}

/// A word as the counter keeps it.
enum Term<'a> {
    /// An ASCII word of at most 8 bytes, lowercased, packed by [`pack`]: most words of
    /// docs are, and as one number they hash, compare and sort without touching memory.
    Packed(u64),
    /// Any other word, lowercased.
    Text(Cow<'a, str>),
}

/// Up to 8 bytes as a big-endian number, zero-padded on the right: numbers order as the
/// strings do, since words hold no NUL bytes.
fn pack(bytes: &[u8]) -> u64 {
    let mut head = [0u8; 8];
    let n = bytes.len().min(8);
    head[..n].copy_from_slice(&bytes[..n]);
    u64::from_be_bytes(head)
}

/// The characters of a packed word (ASCII), without the padding.
fn unpack_chars(packed: u64) -> impl Iterator<Item = char> {
    packed.to_be_bytes().into_iter().take_while(|&b| b != 0).map(char::from)
}

/// The words of `text` (see [`tokenize`]). Scanning is over half of what counting a page's
/// words costs, so it reads eight bytes at a time where it can ([`word_bytes`]): it skips
/// separators, and takes a short ASCII word whole, lowercased and packed. The rest (long
/// words, words with non-ASCII letters, a text's last bytes) go through a loop over bytes
/// that decodes a character only where the text is not ASCII.
fn terms(text: &str) -> impl Iterator<Item = Term<'_>> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            while let Some(x) = load8(bytes, i) {
                let wanted = word_bytes(x) | (x & HIGH_BITS);
                if wanted != 0 {
                    i += (wanted.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            if let Some(x) = load8(bytes, i) {
                let mut len = ascii_word_len(x);
                // A word of 1 to 7 bytes that ends at an ASCII separator (a non-ASCII byte
                // may be a letter that continues it).
                if (1..8).contains(&len) && bytes.get(i + len).is_some_and(u8::is_ascii) {
                    i += len;
                    if len < 2 {
                        continue;
                    }
                    // Little-endian load, so swapping the bytes puts the word's first byte
                    // on top: what `pack` gives.
                    let word = (x | CASE_BIT) & ((1u64 << (8 * len)) - 1);
                    return Some(Term::Packed(word.swap_bytes()));
                }
                // A longer one: find its end the same way.
                while len >= 8
                    && len.is_multiple_of(8)
                    && let Some(y) = load8(bytes, i + len)
                {
                    let more = ascii_word_len(y);
                    len += more;
                    if more < 8 {
                        break;
                    }
                }
                if len > 8 && !len.is_multiple_of(8) && bytes.get(i + len).is_some_and(u8::is_ascii) {
                    let start = i;
                    i += len;
                    if len > MAX_TERM_CHARS {
                        continue;
                    }
                    let word = text.get(start..i).unwrap_or("");
                    return Some(Term::Text(match word.bytes().any(|b| b.is_ascii_uppercase()) {
                        false => Cow::Borrowed(word),
                        true => Cow::Owned(word.to_ascii_lowercase()),
                    }));
                }
            }
            while let Some(&b) = bytes.get(i)
                && b.is_ascii()
                && !b.is_ascii_alphanumeric()
            {
                i += 1;
            }
            let start = i;
            // `b | 0x20` lowercases an ASCII letter and leaves a digit as it is. Bytes past
            // the eighth shift out: only words of at most 8 bytes use `packed`.
            let mut packed = 0u64;
            while let Some(&b) = bytes.get(i)
                && b.is_ascii_alphanumeric()
            {
                packed = packed << 8 | u64::from(b | 0x20);
                i += 1;
            }
            let ascii_end = i;
            let mut chars = ascii_end - start;
            while let Some(len) = word_char(text, i) {
                i += len;
                chars += 1;
            }
            if i == start {
                // Not a word character (so not ASCII), or the end of the text.
                let next = text.get(i..)?.chars().next()?;
                i += next.len_utf8();
                continue;
            }
            if !(2..=MAX_TERM_CHARS).contains(&chars) {
                continue;
            }
            if i == ascii_end && chars <= 8 {
                return Some(Term::Packed(packed << (8 * (8 - chars))));
            }
            let word = text.get(start..i).unwrap_or("");
            let lower = i == ascii_end && !word.bytes().any(|b| b.is_ascii_uppercase());
            return Some(Term::Text(match lower {
                true => Cow::Borrowed(word),
                false => Cow::Owned(word.to_lowercase()),
            }));
        }
    })
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x80 * ONES;
/// Lowercases an ASCII letter and leaves a digit as it is.
const CASE_BIT: u64 = 0x20 * ONES;

/// The eight bytes of `bytes` from `i`, the first in the lowest bits.
#[inline]
fn load8(bytes: &[u8], i: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(i..i + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// How many of the eight bytes in `x`, from the first, are ASCII letters or digits.
#[inline]
fn ascii_word_len(x: u64) -> usize {
    ((!word_bytes(x) & HIGH_BITS).trailing_zeros() / 8) as usize
}

/// `0x80` in each byte of `x` that is an ASCII letter or digit, `0` in the others. Works
/// on seven-bit bytes, where adding `0x80 - k` sets a byte's top bit exactly when the byte
/// is at least `k` and carries into no other byte.
#[inline]
fn word_bytes(x: u64) -> u64 {
    let at_least = |v: u64, k: u64| v + (0x80 - k) * ONES;
    let low = x & !HIGH_BITS;
    let folded = low | CASE_BIT;
    let digit = at_least(low, b'0' as u64) & !at_least(low, b'9' as u64 + 1);
    let letter = at_least(folded, b'a' as u64) & !at_least(folded, b'z' as u64 + 1);
    (digit | letter) & !x & HIGH_BITS
}

/// The length in bytes of the character at byte `i` of `text` (a character boundary) if it
/// is a letter or digit.
#[inline]
fn word_char(text: &str, i: usize) -> Option<usize> {
    let b = *text.as_bytes().get(i)?;
    if b.is_ascii() {
        return b.is_ascii_alphanumeric().then_some(1);
    }
    let c = text.get(i..)?.chars().next()?;
    c.is_alphanumeric().then_some(c.len_utf8())
}

/// A page's words and their hits: short ASCII terms keyed by their [`pack`]ed number (no
/// string hashing or comparing for most words), the others by their text.
struct TermHits<'a> {
    packed: HashMap<u64, Hits, FastHash>,
    other: HashMap<Cow<'a, str>, Hits, FastHash>,
}

impl<'a> TermHits<'a> {
    fn with_capacity(n: usize) -> Self {
        TermHits {
            packed: HashMap::with_capacity_and_hasher(n, FastHash::default()),
            other: HashMap::default(),
        }
    }

    fn entry(&mut self, term: Term<'a>) -> &mut Hits {
        match term {
            Term::Packed(p) => self.packed.entry(p).or_default(),
            Term::Text(w) => self.other.entry(w).or_default(),
        }
    }

    /// Appends the terms to `page` in string order, with their weights. The packed and the
    /// other terms are sorted apart (the packed ones as bare numbers) and merged: a packed
    /// term sorts before another term whose first 8 bytes pack to the same number, since it
    /// is a prefix of it.
    fn write_sorted(self, page: &mut PageTerms) {
        let mut packed: Vec<(u64, Hits)> = self.packed.into_iter().collect();
        packed.sort_unstable_by_key(|&(p, _)| p);
        let mut other: Vec<(u64, Cow<'a, str>, Hits)> = self
            .other
            .into_iter()
            .map(|(w, h)| (pack(w.as_bytes()), w, h))
            .collect();
        other.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let mut other = other.into_iter().peekable();
        for (p, hits) in packed {
            while let Some((_, w, h)) = other.next_if(|o| o.0 < p) {
                page.push(&w, h);
            }
            page.text.extend(unpack_chars(p));
            page.end_term(hits);
        }
        for (_, w, h) in other {
            page.push(&w, h);
        }
    }
}

/// What one page contributes to the index: its terms with their weights. Packed into one
/// string (two allocations a page, not one per term: 10,000 pages hold millions of terms).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PageTerms {
    /// Every term, one after the other.
    text: String,
    /// Sorted by term: where each term ends in `text`, and its weight.
    terms: Vec<(u32, u8)>,
}

/// How often a term occurs in each part of a page.
#[derive(Default, Clone, Copy)]
struct Hits {
    title: bool,
    headings: u8,
    body: u8,
}

/// Where on a page a word was found.
#[derive(Clone, Copy)]
enum Part {
    Title,
    Heading,
    Body,
}

impl Hits {
    fn add(&mut self, part: Part) {
        match part {
            Part::Title => self.title = true,
            Part::Heading => self.headings = self.headings.saturating_add(1),
            Part::Body => self.body = self.body.saturating_add(1),
        }
    }

    fn weight(self) -> u8 {
        let title = if self.title { 32 } else { 0 };
        title + 8 * self.headings.min(3) + self.body.min(7)
    }
}

impl PageTerms {
    /// The terms of a page with this title and these sections.
    pub fn of(title: &str, sections: &[TextSection]) -> PageTerms {
        let bytes: usize = sections.iter().map(|s| s.text.len()).sum();
        let mut hits = TermHits::with_capacity(bytes / 24);
        let mut count = |text, part| {
            for term in terms(text) {
                hits.entry(term).add(part);
            }
        };
        count(title, Part::Title);
        for s in sections {
            count(&s.heading, Part::Heading);
            count(&s.text, Part::Body);
        }
        let count = hits.packed.len() + hits.other.len();
        let mut page = PageTerms {
            text: String::with_capacity(8 * count),
            terms: Vec::with_capacity(count),
        };
        hits.write_sorted(&mut page);
        page
    }

    fn push(&mut self, term: &str, hits: Hits) {
        self.text.push_str(term);
        self.end_term(hits);
    }

    fn end_term(&mut self, hits: Hits) {
        self.terms.push((self.text.len() as u32, hits.weight()));
    }

    /// The terms, sorted, with their weights.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u8)> {
        self.slice(0, self.terms.len())
    }

    /// The terms whose first byte is in `bytes`, sorted, with their weights.
    fn starting_in(&self, bytes: &std::ops::Range<u8>) -> impl Iterator<Item = (&str, u8)> {
        let first = |k: usize| {
            let start = if k == 0 { 0 } else { self.terms[k - 1].0 as usize };
            self.text.as_bytes().get(start).copied().unwrap_or(0)
        };
        let below = |limit: u8| partition_point(self.terms.len(), |k| first(k) < limit);
        let from = below(bytes.start);
        let to = if bytes.end == u8::MAX {
            self.terms.len()
        } else {
            below(bytes.end)
        };
        self.slice(from, to)
    }

    /// Terms `from..to` in sorted order.
    fn slice(&self, from: usize, to: usize) -> impl Iterator<Item = (&str, u8)> {
        let mut start = if from == 0 { 0 } else { self.terms[from - 1].0 as usize };
        self.terms[from..to].iter().map(move |&(end, weight)| {
            let term = self.text.get(start..end as usize).unwrap_or("");
            start = end as usize;
            (term, weight)
        })
    }
}

/// The first `k` in `0..len` for which `below(k)` is false, `below` being true then false.
fn partition_point(len: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if below(mid) { lo = mid + 1 } else { hi = mid }
    }
    lo
}

/// One term's postings as a JSON string: `(page delta, weight)` pairs, pages ascending.
fn encode_postings(list: &[(u32, u8)]) -> String {
    let mut encoded = String::with_capacity(2 + 2 * list.len());
    encoded.push('"');
    let mut last = 0;
    for &(page, weight) in list {
        push_varint(&mut encoded, page - last);
        encoded.push(char::from(DIGITS[usize::from(weight).min(DIGITS.len() - 1)]));
        last = page;
    }
    encoded.push('"');
    encoded
}

/// The index is built in parallel over ranges of a term's first byte: each range's terms
/// sort before the next range's, so the pieces join in order. Each range is a pass over
/// every page, so there are few, cut where English docs' terms split evenly by their
/// initial (measured on the Coder docs: half the terms start below `m`, a quarter below
/// `d`, three quarters below `s`).
fn first_byte_ranges(pieces: usize) -> Vec<std::ops::Range<u8>> {
    let inner: &[u8] = match pieces {
        0 | 1 => b"",
        2 | 3 => b"m",
        4..=7 => b"dms",
        _ => b"bdgmpst",
    };
    let cuts: Vec<u8> = std::iter::once(0)
        .chain(inner.iter().copied())
        .chain([u8::MAX])
        .collect();
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// What the result list shows of a page: its entry file under `p/`.
#[derive(Serialize)]
struct PageEntry<'a> {
    /// URL path from the site root (`a/b/`).
    u: &'a str,
    t: &'a str,
    /// Breadcrumb titles, outermost first.
    b: &'a [&'a str],
    /// State badges: `[label, slug]`.
    s: &'a [(String, String)],
    /// Sections: `[anchor id, heading, level, text]`.
    x: Vec<(&'a str, &'a str, u8, &'a str)>,
}

/// The page's entry file: its path in the site and its bytes.
pub fn page_file(
    index: usize,
    url: &str,
    title: &str,
    breadcrumb: &[&str],
    states: &[(String, String)],
    sections: &[TextSection],
) -> (String, Vec<u8>) {
    let entry = PageEntry {
        u: url,
        t: title,
        b: breadcrumb,
        s: states,
        x: sections
            .iter()
            .filter(|s| !s.heading.is_empty() || !s.text.trim().is_empty())
            .scan(MAX_PAGE_TEXT, |left, s| {
                let text = truncate(s.text.trim(), MAX_SECTION_TEXT.min(*left));
                *left -= text.len();
                Some((s.id.as_str(), s.heading.as_str(), s.level, text))
            })
            .collect(),
    };
    let mut js = format!("docsiteSearch.page({index},").into_bytes();
    js.reserve(entry.x.iter().map(|x| x.3.len() + x.1.len() + 16).sum::<usize>() + 256);
    if serde_json::to_writer(&mut js, &entry).is_err() {
        js.extend_from_slice(b"null");
    }
    js.extend_from_slice(b");\n");
    (
        format!("{ASSETS_DIR}/{SEARCH_DIR}/p/{}/{index}.js", index / PAGES_PER_FOLDER),
        js,
    )
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    // End on a word boundary when there is one.
    let end = s[..end].rfind(' ').filter(|&i| i > max / 2).unwrap_or(end);
    &s[..end]
}

/// The index files (`index.js` and the shards), from every page's terms (`None` for a page
/// that failed or has no entry).
pub struct Index {
    /// Path in the site → bytes.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Index {
    pub fn build(pages: &[Option<&PageTerms>]) -> Index {
        // A few pieces per thread: the build runs beside the site's tail, and the thread that
        // finishes the tail takes up the pieces left (one per thread left the index's second
        // half waiting for it: ~160 ms beside a ~50 ms tail at 10k pages, now ~100).
        Index::build_in(pages, first_byte_ranges(4 * rayon::current_num_threads()))
    }

    fn build_in(pages: &[Option<&PageTerms>], ranges: Vec<std::ops::Range<u8>>) -> Index {
        use rayon::prelude::*;
        let count = pages.len();
        // Per range of first bytes: its terms, sorted, each with its encoded postings.
        let pieces: Vec<Vec<(&str, String)>> = ranges
            .into_par_iter()
            .map(|bytes| {
                let mut postings: HashMap<&str, Vec<(u32, u8)>, FastHash> = HashMap::default();
                for (i, page) in pages.iter().enumerate() {
                    let Some(page) = page else { continue };
                    for (term, weight) in page.starting_in(&bytes) {
                        postings.entry(term).or_default().push((i as u32, weight));
                    }
                }
                let mut terms: Vec<(&str, String)> = postings
                    .into_iter()
                    .map(|(term, list)| (term, encode_postings(&list)))
                    .collect();
                terms.sort_unstable_by(|a, b| a.0.cmp(b.0));
                terms
            })
            .collect();
        let mut dictionary = String::new();
        let mut starts = Vec::new();
        let mut shards: Vec<String> = Vec::new();
        let mut previous = "";
        for (n, (term, encoded)) in pieces.iter().flatten().enumerate() {
            let term = *term;
            let full = shards.last().is_none_or(|s| s.len() + encoded.len() > SHARD_BYTES);
            if full {
                starts.push(n);
                shards.push(String::new());
            } else if let Some(s) = shards.last_mut() {
                s.push(',');
            }
            if let Some(s) = shards.last_mut() {
                s.push_str(encoded);
            }
            if n > 0 {
                dictionary.push(' ');
            }
            let (shared_chars, shared) = term
                .char_indices()
                .zip(previous.chars())
                .take(DIGITS.len() - 1)
                .take_while(|((_, a), b)| a == b)
                .fold((0, 0), |(n, _), ((i, c), _)| (n + 1, i + c.len_utf8()));
            dictionary.push(char::from(DIGITS[shared_chars]));
            dictionary.push_str(&term[shared..]);
            previous = term;
        }
        let dir = format!("{ASSETS_DIR}/{SEARCH_DIR}");
        let head = serde_json::json!({ "n": count, "t": dictionary, "s": starts, "f": PAGES_PER_FOLDER });
        let mut files = vec![(
            format!("{dir}/index.js"),
            format!("docsiteSearch.index({head});\n").into_bytes(),
        )];
        for (k, body) in shards.iter().enumerate() {
            files.push((
                format!("{dir}/s{k}.js"),
                format!("docsiteSearch.shard({k},[{body}]);\n").into_bytes(),
            ));
        }
        Index { files }
    }

    /// Bytes of the dictionary and every shard: what the budget is about.
    pub fn bytes(&self) -> usize {
        self.files.iter().map(|(_, b)| b.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(heading: &str, text: &str) -> TextSection {
        TextSection {
            level: 2,
            id: crate::slug::slugify(heading),
            heading: heading.into(),
            text: text.into(),
        }
    }

    #[test]
    fn tokenize_lowercases_splits_on_punctuation_and_drops_short_and_long_words() {
        let words: Vec<String> = tokenize("Set up the AI-Gateway: `coder_agent` v2.0, a Ünïcode-Wörd x").collect();
        assert_eq!(
            words,
            [
                "set",
                "up",
                "the",
                "ai",
                "gateway",
                "coder",
                "agent",
                "v2",
                "ünïcode",
                "wörd"
            ]
        );
        let long = "a".repeat(MAX_TERM_CHARS + 1);
        assert_eq!(tokenize(&format!("keep {long}")).collect::<Vec<_>>(), ["keep"]);
        assert_eq!(tokenize("").count(), 0);
    }

    /// The byte scanner splits exactly as a split on `char::is_alphanumeric` does.
    #[test]
    fn word_scanner_matches_a_split_on_characters() {
        let reference = |text: &str| -> Vec<String> {
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| (2..=MAX_TERM_CHARS).contains(&w.chars().count()))
                .map(str::to_lowercase)
                .collect()
        };
        for text in [
            "plain ascii words, with-dashes and_underscores 42 x9 Y",
            "ÉCOLE İstanbul naïve café Straße ΟΔΥΣΣΕΥΣ",
            "中文分词 日本語のテキスト 한국어 текст",
            "emoji 🚀launch🚀 e\u{301}t\u{e9} ١٢٣ arabic-digits ٤٥",
            "a ab abc ä äb",
            "ascii—dash “quoted” words…end MiXeD caféTERIA ÀB9 9À ABCDEFGH ABCDEFGHI",
            &format!("{} {} tail", "x".repeat(MAX_TERM_CHARS), "é".repeat(MAX_TERM_CHARS + 1)),
            "",
            "   ,,, ",
        ] {
            assert_eq!(tokenize(text).collect::<Vec<_>>(), reference(text), "{text}");
        }
        // Every word length around the eight-byte reads, after every offset, next to every
        // kind of neighbour: the reads must agree with the byte loop wherever a word falls.
        for offset in 0..9 {
            for len in 1..=26 {
                for (before, after) in [(" ", " "), ("-", "."), ("é", " "), (" ", "é"), ("“", "”"), ("", "")] {
                    let word: String = "aB3".chars().cycle().take(len).collect();
                    let text = format!("{}{before}{word}{after}{word}", ".".repeat(offset));
                    assert_eq!(tokenize(&text).collect::<Vec<_>>(), reference(&text), "{text}");
                }
            }
        }
    }

    /// Short ASCII words are counted as numbers, the rest as strings; a page's terms still
    /// come out in string order, each once, lowercased.
    #[test]
    fn packed_and_other_words_merge_in_string_order() {
        let text = "abcdefghij ABCDEFGH abcdefghi b ab éa zz abcdefgha Abcdefghz abcdéfgh abcdefgh a9 9a";
        let page = PageTerms::of("", &[section("", text)]);
        let got: Vec<&str> = page.iter().map(|(t, _)| t).collect();
        let mut expected: Vec<String> = tokenize(text).collect();
        expected.sort();
        expected.dedup();
        assert_eq!(got, expected);
        assert!(got.contains(&"abcdefgh") && got.contains(&"abcdefghz"), "{got:?}");
        let (_, weight) = page.iter().find(|(t, _)| *t == "abcdefgh").unwrap();
        assert_eq!(weight, 2, "`ABCDEFGH` and `abcdefgh` are one term");
    }

    #[test]
    fn weights_rank_title_over_heading_over_body() {
        let body_only = PageTerms::of("Other", &[section("Intro", &"proxy ".repeat(30))]);
        let heading = PageTerms::of("Other", &[section("Proxy setup", "text")]);
        let title = PageTerms::of("Proxy", &[section("Intro", "text")]);
        let w = |p: &PageTerms| p.iter().find(|(t, _)| *t == "proxy").map(|(_, w)| w);
        assert_eq!(w(&body_only), Some(7), "body occurrences are capped");
        assert_eq!(w(&heading), Some(8));
        assert_eq!(w(&title), Some(32));
        assert!(w(&title) > w(&heading) && w(&heading) > w(&body_only));
        let everything = PageTerms::of(
            "Proxy",
            &(0..9)
                .map(|_| section("Proxy", &"proxy ".repeat(20)))
                .collect::<Vec<_>>(),
        );
        assert_eq!(w(&everything), Some(63), "weights fit one digit");
    }

    #[test]
    fn index_lists_postings_by_term_with_page_deltas_and_shards_cover_the_dictionary() {
        let a = PageTerms::of("Install", &[section("Linux", "download the binary")]);
        let b = PageTerms::of("Upgrade", &[section("Linux", "download again")]);
        let index = Index::build(&[Some(&a), None, Some(&b)]);
        let head = String::from_utf8(index.files[0].1.clone()).unwrap();
        assert!(head.starts_with("docsiteSearch.index({"), "{head}");
        assert!(head.contains("\"n\":3"), "{head}");
        // Front-coded: "download" then "install" share nothing, "linux" nothing, ...
        assert!(
            head.contains("\"t\":\"0again 0binary 0download 0install 0linux 0the 0upgrade\""),
            "{head}"
        );
        assert!(head.contains("\"s\":[0]"), "{head}");
        let shard = String::from_utf8(index.files[1].1.clone()).unwrap();
        // again: page 2 body; binary: page 0; download: pages 0 and 2 (delta 2); install:
        // page 0 title; linux: headings of pages 0 and 2.
        assert_eq!(
            shard,
            "docsiteSearch.shard(0,[\"21\",\"01\",\"0121\",\"0w\",\"0828\",\"01\",\"2w\"]);\n"
        );
        assert_eq!(index.files.len(), 2);
    }

    /// The index is built in pieces by first byte; however many, digits, letters and
    /// non-ASCII words must each land in exactly one piece, in byte order, with all their
    /// pages.
    #[test]
    fn terms_of_every_first_byte_are_indexed_once_in_order() {
        let a = PageTerms::of("Zeta 42", &[section("Über", "alpha éclair 中文 zeta")]);
        let b = PageTerms::of(
            "Alpha",
            &[section("", "9lives über bravo delta golf mike papa sierra tango")],
        );
        let index = Index::build_in(&[Some(&a), Some(&b)], first_byte_ranges(1));
        for threads in [2, 4, 8] {
            let split = Index::build_in(&[Some(&a), Some(&b)], first_byte_ranges(threads));
            assert_eq!(split.files, index.files, "{threads} threads");
        }
        let head = String::from_utf8(index.files[0].1.clone()).unwrap();
        let terms: Vec<String> = {
            let mut prev = String::new();
            let t = head.split("\"t\":\"").nth(1).unwrap().split('"').next().unwrap();
            t.split(' ')
                .map(|e| {
                    let keep = DIGITS
                        .iter()
                        .position(|&d| char::from(d) == e.chars().next().unwrap())
                        .unwrap();
                    let term: String = prev.chars().take(keep).chain(e.chars().skip(1)).collect();
                    prev = term.clone();
                    term
                })
                .collect()
        };
        assert_eq!(
            terms,
            [
                "42", "9lives", "alpha", "bravo", "delta", "golf", "mike", "papa", "sierra", "tango", "zeta", "éclair",
                "über", "中文"
            ]
        );
        let shard = String::from_utf8(index.files[1].1.clone()).unwrap();
        // 42: page 0 title (32 = `w`); 9lives: page 1 body; alpha: page 0 body, page 1 title;
        // bravo to tango: page 1 body; zeta: page 0 title and body (33); über: page 0 heading
        // (8), page 1 body.
        assert_eq!(
            shard,
            "docsiteSearch.shard(0,[\"0w\",\"11\",\"011w\",\"11\",\"11\",\"11\",\"11\",\"11\",\"11\",\"11\",\"0x\",\"01\",\"0811\",\"01\"]);\n"
        );
    }

    #[test]
    fn page_entries_bound_their_text_and_keep_every_heading() {
        let long = "word ".repeat(1000);
        let sections: Vec<TextSection> = (0..20).map(|i| section(&format!("Part {i}"), &long)).collect();
        let (path, bytes) = page_file(3, "a/b/", "T", &["A"], &[("Beta".into(), "beta".into())], &sections);
        assert_eq!(path, "_docsite/search/p/0/3.js");
        let js = String::from_utf8(bytes).unwrap();
        assert!(
            js.starts_with(
                "docsiteSearch.page(3,{\"u\":\"a/b/\",\"t\":\"T\",\"b\":[\"A\"],\"s\":[[\"Beta\",\"beta\"]],"
            ),
            "{js}"
        );
        assert!(js.len() < MAX_PAGE_TEXT + 1000, "{}", js.len());
        assert!(js.contains("[\"part-19\",\"Part 19\",2,\"\"]"), "{js}");
        assert!(js.contains("[\"part-0\",\"Part 0\",2,\"word word"), "{js}");
        assert_eq!(truncate("héllo wörld", 3), "hé");
        assert_eq!(truncate("hello world again", 13), "hello world");
    }

    #[test]
    fn varints_and_front_coding() {
        let enc = |n| {
            let mut s = String::new();
            push_varint(&mut s, n);
            s
        };
        assert_eq!(enc(0), "0");
        assert_eq!(enc(31), "v");
        assert_eq!(enc(32), "x0", "32 = 1 << 5: group 1 with the more bit (33 = x), then 0");
        assert_eq!(enc(1023), "_v");
        // What search.js does: read digits while the more bit is set.
        for n in [0, 1, 31, 32, 33, 1024, 10_017, 1 << 20, u32::MAX] {
            let mut v: u64 = 0;
            for c in enc(n).bytes() {
                let d = DIGITS.iter().position(|&x| x == c).unwrap() as u64;
                v = v * 32 + (d & 31);
            }
            assert_eq!(v, u64::from(n));
        }
        let pages = [PageTerms::of("config configure configuration", &[])];
        let index = Index::build(&pages.iter().map(Some).collect::<Vec<_>>());
        let head = String::from_utf8(index.files[0].1.clone()).unwrap();
        assert!(head.contains("\"t\":\"0config 6uration 8e\""), "{head}");
    }

    #[test]
    fn big_indexes_split_into_shards_of_bounded_size() {
        let pages: Vec<PageTerms> = (0..3000)
            .map(|i| {
                PageTerms::of(
                    &format!("page{i} common"),
                    &[section("Words", &format!("w{i}a w{i}b w{i}c"))],
                )
            })
            .collect();
        let index = Index::build(&pages.iter().map(Some).collect::<Vec<_>>());
        let shards = &index.files[1..];
        assert!(shards.len() > 1, "{}", shards.len());
        for (_, body) in shards {
            assert!(body.len() <= SHARD_BYTES + 100, "{}", body.len());
        }
    }
}
