//! The manifest's fast path: the common case, a manifest with nothing to report, read
//! straight from the text into a [`Manifest`], with no syntax tree in between. At 10k routes
//! (3.4 MB) jsonc-parser's AST and the walk over it took ~25 ms of one core, the largest
//! serial step of a check; this takes ~9 (a check's listing, beside which it runs, ~26).
//!
//! It gives up (`None`) at anything it does not know to be clean: whatever the precise
//! parser would report (invalid JSON, a wrong type, an unknown key, a path that is empty or
//! leaves the docs folder, a route without a title), and what is valid but rare in a
//! manifest, whose handling it would otherwise have to copy (numbers, `true`, `false`,
//! `null`, a key given twice, an escaped key, a `\u` surrogate, a control character in a
//! string, whitespace other than JSON's four, deep nesting). [`super::parse`] then runs the
//! precise parser, which finds the problems and their positions. So every manifest this
//! accepts is one the precise parser accepts without a finding, and both build the same
//! [`Manifest`] from it, positions included: the tests compare them, also on mutated
//! manifests.

use std::borrow::Cow;

use super::{Manifest, Route, RouteId};
use crate::diag::{Pos, count_byte};
use crate::paths;

/// Routes nested deeper than this are left to the precise parser (which allows 512
/// containers, two a level): no real manifest comes near, and the recursion stays short.
pub(super) const MAX_DEPTH: usize = 64;

/// The manifest in `text`, or `None` to leave it to the precise parser.
pub(super) fn parse(text: &str) -> Option<Manifest> {
    let mut s = Scan {
        text,
        bytes: text.as_bytes(),
        at: 0,
        line: 0,
        line_start: 0,
    };
    let mut m = Manifest::default();
    // Every route is an object: the count of `{` bounds the routes (braces in strings
    // aside), so the list of ~230-byte routes is not copied over and over as it grows.
    m.routes.reserve(count_byte(s.bytes, b'{'));
    s.ws();
    s.expect(b'{')?;
    let (mut versions, mut routes) = (false, false);
    let mut first = true;
    while let Some(key) = s.key(first)? {
        first = false;
        match key {
            "versions" if !versions => {
                versions = true;
                m.versions = s.strings()?;
            }
            "routes" if !routes => {
                routes = true;
                m.roots = s.routes(&mut m, "routes", None, 0)?;
            }
            _ => return None,
        }
    }
    s.ws();
    (routes && s.at == s.bytes.len()).then_some(m)
}

struct Scan<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// The next byte to read.
    at: usize,
    /// The 0-based line of `at`, and where that line starts: the text is read once, front
    /// to back, and a newline can only be met in whitespace (one in a string gives up).
    line: usize,
    line_start: usize,
}

impl<'t> Scan<'t> {
    /// Where `at` is, as [`crate::diag::LineIndex::pos`] gives it: columns count characters.
    fn pos(&self) -> Pos {
        let col = self.text.get(self.line_start..self.at).map_or(0, |s| s.chars().count());
        Pos::new(self.line + 1, col + 1)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Skips JSON's whitespace, counting lines.
    fn ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => {
                    self.line += 1;
                    self.line_start = self.at + 1;
                }
                _ => break,
            }
            self.at += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.at += 1)
    }

    /// After an object's `{` (`first`) or one of its values: the next key, with its `:`
    /// read and the whitespace after it skipped, or `None` at the object's end (its `}` read).
    fn key(&mut self, first: bool) -> Option<Option<&'t str>> {
        if !self.more(first, b'}')? {
            return Some(None);
        }
        let key = match self.string()? {
            Cow::Borrowed(key) => key,
            // An escaped key: valid, but never seen in a manifest.
            Cow::Owned(_) => return None,
        };
        self.ws();
        self.expect(b':')?;
        self.ws();
        Some(Some(key))
    }

    /// After an array's `[` (`first`) or one of its elements: whether an element follows
    /// (with the whitespace before it skipped), or `false` at the array's end (its `]` read).
    fn element(&mut self, first: bool) -> Option<bool> {
        self.more(first, b']')
    }

    /// After a container's opening (`first`) or one of its members: whether a member
    /// follows (its `,` and the whitespace around it read), or `false` at `close` (read).
    fn more(&mut self, first: bool, close: u8) -> Option<bool> {
        self.ws();
        if self.peek() == Some(close) {
            self.at += 1;
            return Some(false);
        }
        if !first {
            self.expect(b',')?;
            self.ws();
        }
        Some(true)
    }

    /// A string, borrowed from the text when it has no escape.
    fn string(&mut self) -> Option<Cow<'t, str>> {
        self.expect(b'"')?;
        let start = self.at;
        let mut owned: Option<String> = None;
        // The start of the text not yet copied into `owned`.
        let mut from = start;
        loop {
            let b = self.peek()?;
            match b {
                b'"' => break,
                b'\\' => {
                    let out = owned.get_or_insert_with(String::new);
                    // `from..at` ends before an ASCII byte, so it is whole characters.
                    out.push_str(self.text.get(from..self.at)?);
                    let (c, len) = match self.bytes.get(self.at + 1)? {
                        b'"' => ('"', 2),
                        b'\\' => ('\\', 2),
                        b'/' => ('/', 2),
                        b'b' => ('\u{8}', 2),
                        b'f' => ('\u{c}', 2),
                        b'n' => ('\n', 2),
                        b'r' => ('\r', 2),
                        b't' => ('\t', 2),
                        b'u' => {
                            let hex = self.text.get(self.at + 2..self.at + 6)?;
                            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                                return None;
                            }
                            // A surrogate (`None` here) must pair with the next escape: rare
                            // enough to leave to the precise parser.
                            (char::from_u32(u32::from_str_radix(hex, 16).ok()?)?, 6)
                        }
                        _ => return None,
                    };
                    out.push(c);
                    self.at += len;
                    from = self.at;
                }
                // Control characters: the precise parser takes them raw, but they are not
                // JSON, and a newline would break the line count.
                0..0x20 => return None,
                _ => self.at += 1,
            }
        }
        let rest = self.text.get(from..self.at)?;
        self.at += 1;
        Some(match owned {
            Some(mut out) => {
                out.push_str(rest);
                Cow::Owned(out)
            }
            None => Cow::Borrowed(rest),
        })
    }

    /// An array of strings.
    fn strings(&mut self) -> Option<Vec<String>> {
        self.expect(b'[')?;
        let mut out = Vec::new();
        let mut first = true;
        while self.element(first)? {
            first = false;
            out.push(self.string()?.into_owned());
        }
        Some(out)
    }

    /// An array of routes at `json_path`, added to `m` in depth-first order; their ids.
    fn routes(
        &mut self,
        m: &mut Manifest,
        json_path: &str,
        parent: Option<RouteId>,
        depth: usize,
    ) -> Option<Vec<RouteId>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.expect(b'[')?;
        let mut ids = Vec::new();
        let mut first = true;
        while self.element(first)? {
            first = false;
            let path = format!("{json_path}[{}]", ids.len());
            ids.push(self.route(m, path, parent, depth)?);
        }
        Some(ids)
    }

    /// A route object; its id. Its children follow it in `m`, as the precise parser orders
    /// them.
    fn route(&mut self, m: &mut Manifest, json_path: String, parent: Option<RouteId>, depth: usize) -> Option<RouteId> {
        let pos = self.pos();
        self.expect(b'{')?;
        let id = m.routes.len();
        m.routes.push(Route::new(json_path, parent, pos));
        // The keys met so far, one bit each: a key given twice is left to the precise parser.
        let mut seen = 0u8;
        let mut first = true;
        while let Some(key) = self.key(first)? {
            first = false;
            let bit = match key {
                "title" => 1,
                "description" => 2,
                "path" => 4,
                "icon_path" => 8,
                "state" => 16,
                "children" => 32,
                _ => return None,
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            match key {
                "title" => m.routes[id].title = self.string()?.into_owned(),
                "description" => m.routes[id].description = Some(self.string()?.into_owned()),
                "path" | "icon_path" => {
                    let pos = self.pos();
                    let path = paths::normalize(&self.string()?).filter(|p| !p.is_empty())?;
                    let route = &mut m.routes[id];
                    if key == "path" {
                        (route.path, route.path_pos) = (Some(path), pos);
                    } else {
                        (route.icon_path, route.icon_pos) = (Some(path), pos);
                    }
                }
                "state" => {
                    // A plain string or an array of strings, as the precise parser takes it.
                    let states = match self.peek() {
                        Some(b'"') => vec![self.string()?.into_owned()],
                        _ => self.strings()?,
                    };
                    m.routes[id].states = states.into_iter().filter(|s| !s.trim().is_empty()).collect();
                }
                _ => {
                    let path = format!("{}.children", m.routes[id].json_path);
                    m.routes[id].children = self.routes(m, &path, Some(id), depth + 1)?;
                }
            }
        }
        (!m.routes[id].title.trim().is_empty()).then_some(id)
    }
}
