//! Diagnostics: what the build reports about the docs (errors, warnings, notes), with the
//! file, line and column they point at and a hint on how to fix them.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// How serious a finding is. Ordered so that `max()` gives the worst one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about. Each kind has one documented meaning (`docs/reference/check.md`)
/// and one severity under `docsite check` ([`Kind::check_severity`]); tools match on the
/// kebab-case name, so names never change once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A link to a page (or folder) that does not exist in the docs folder.
    BrokenLink,
    /// A `#fragment` that matches no id on its target page.
    BrokenAnchor,
    /// An image or other file that is referenced but missing.
    MissingFile,
    /// A link or image that climbs out of the docs folder.
    LinkLeavesDocs,
    /// A markdown page that no manifest route lists.
    OrphanPage,
    /// The same page listed by more than one route.
    DuplicateRoute,
    /// A manifest key docsite does not know.
    UnknownKey,
    /// A symbolic link in the docs that is not followed (it dangles, loops, or leaves the
    /// repository of a build from git).
    SkippedLink,
    /// A manifest `path` or `icon_path` that does not exist or leaves the docs folder.
    MissingRouteFile,
    /// A manifest that is not valid JSON or does not have the expected shape.
    InvalidManifest,
    /// Front matter that is not valid YAML.
    InvalidFrontMatter,
    /// A code block option (after the fence's language) that docsite cannot use.
    CodeBlockOption,
    /// Two files that want the same URL.
    UrlClash,
    /// A `redirects.json` entry whose target page or anchor does not exist.
    RedirectTargetMissing,
    /// A `redirects.json` key that is still an existing page.
    RedirectShadowsPage,
    /// A `redirects.json` that is not valid JSON or does not have the expected shape.
    InvalidRedirects,
    /// Anything else: unreadable files, invalid UTF-8, template and output errors.
    Other,
}

impl Kind {
    /// The kebab-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::BrokenLink => "broken-link",
            Kind::BrokenAnchor => "broken-anchor",
            Kind::MissingFile => "missing-file",
            Kind::LinkLeavesDocs => "link-leaves-docs",
            Kind::OrphanPage => "orphan-page",
            Kind::DuplicateRoute => "duplicate-route",
            Kind::UnknownKey => "unknown-key",
            Kind::SkippedLink => "skipped-link",
            Kind::MissingRouteFile => "missing-route-file",
            Kind::InvalidManifest => "invalid-manifest",
            Kind::InvalidFrontMatter => "invalid-front-matter",
            Kind::CodeBlockOption => "code-block-option",
            Kind::UrlClash => "url-clash",
            Kind::RedirectTargetMissing => "redirect-target-missing",
            Kind::RedirectShadowsPage => "redirect-shadows-page",
            Kind::InvalidRedirects => "invalid-redirects",
            Kind::Other => "other",
        }
    }

    /// The severity `docsite check` gives this kind when the pipeline reported it as a
    /// warning. `build` keeps such findings as warnings, so a site with a dead link still
    /// builds; `check` is the gate, and a dead link is an error there.
    pub fn check_severity(self) -> Option<Severity> {
        match self {
            Kind::BrokenLink | Kind::BrokenAnchor | Kind::MissingFile | Kind::RedirectTargetMissing => {
                Some(Severity::Error)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding. `file` is relative to the docs folder (or a path as the user gave it for
/// files outside it, such as a config file); `line` and `col` are 1-based, `col` counts
/// characters. A position of 0 means "the whole file".
///
/// A big site has tens of thousands of findings (27.6k at 10k pages), so one costs few
/// allocations: the file name is shared by a page's findings ([`FileName`]), most hints are
/// fixed texts, and an excerpt that the message quotes is kept as its place in the message.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: Kind,
    pub file: Arc<str>,
    pub line: usize,
    pub col: usize,
    /// Private, and set only when the finding is made: the excerpt may be kept as a place in
    /// it. Read through [`Diagnostic::message`].
    message: String,
    pub help: Option<Cow<'static, str>>,
    /// The offending text as written at `line:col` (a link destination), so a report can
    /// underline all of it; `None` underlines the word that starts there. Read through
    /// [`Diagnostic::excerpt`].
    excerpt_at: Excerpt,
}

/// What a finding's `file` is made from: a name, copied, or a shared one ([`FileName`]).
pub trait IntoFile {
    fn into_file(self) -> Arc<str>;
}

impl IntoFile for &str {
    fn into_file(self) -> Arc<str> {
        self.into()
    }
}

impl IntoFile for &String {
    fn into_file(self) -> Arc<str> {
        self.as_str().into()
    }
}

impl IntoFile for String {
    fn into_file(self) -> Arc<str> {
        self.into()
    }
}

impl IntoFile for Arc<str> {
    fn into_file(self) -> Arc<str> {
        self
    }
}

/// The name of one file for its findings, copied once, at its first finding, and shared by
/// the others: most findings are a page's broken links, ~3 a page at 10k pages.
pub struct FileName<'a> {
    path: &'a str,
    shared: Option<Arc<str>>,
}

impl<'a> FileName<'a> {
    pub fn new(path: &'a str) -> Self {
        FileName { path, shared: None }
    }

    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The name to give a finding.
    pub fn get(&mut self) -> Arc<str> {
        self.shared.get_or_insert_with(|| self.path.into()).clone()
    }
}

/// Where a finding's excerpt is.
#[derive(Debug, Clone)]
enum Excerpt {
    None,
    /// Bytes `start..end` of the message, which quotes it (a link destination mostly).
    InMessage(u32, u32),
    Own(Box<str>),
}

impl PartialEq for Diagnostic {
    fn eq(&self, other: &Self) -> bool {
        (
            self.severity,
            self.kind,
            &self.file,
            self.line,
            self.col,
            &self.message,
            &self.help,
        ) == (
            other.severity,
            other.kind,
            &other.file,
            other.line,
            other.col,
            &other.message,
            &other.help,
        ) && self.excerpt() == other.excerpt()
    }
}

impl Eq for Diagnostic {}

impl Diagnostic {
    pub fn new(severity: Severity, kind: Kind, file: impl IntoFile, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            kind,
            file: file.into_file(),
            line: pos.line,
            col: pos.col,
            message: message.into(),
            help: None,
            excerpt_at: Excerpt::None,
        }
    }

    pub fn error(kind: Kind, file: impl IntoFile, pos: Pos, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, kind, file, pos, message)
    }

    pub fn warning(kind: Kind, file: impl IntoFile, pos: Pos, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, kind, file, pos, message)
    }

    pub fn note(kind: Kind, file: impl IntoFile, pos: Pos, message: impl Into<String>) -> Self {
        Self::new(Severity::Note, kind, file, pos, message)
    }

    /// Sets the excerpt, after the message is final: where the message quotes it, it is
    /// kept as that place rather than copied.
    pub fn with_excerpt(mut self, excerpt: &str) -> Self {
        self.excerpt_at = match self.message.find(excerpt) {
            Some(start) => match (u32::try_from(start), u32::try_from(start + excerpt.len())) {
                (Ok(start), Ok(end)) => Excerpt::InMessage(start, end),
                _ => Excerpt::Own(excerpt.into()),
            },
            None => Excerpt::Own(excerpt.into()),
        };
        self
    }

    /// [`Diagnostic::with_excerpt`] of `message[range]`, for a caller that knows where the
    /// message quotes it: a search per finding was ~1 % of a big check's CPU. A range that
    /// is not text of the message gives no excerpt.
    pub fn with_excerpt_in_message(mut self, range: std::ops::Range<usize>) -> Self {
        self.excerpt_at = match (u32::try_from(range.start), u32::try_from(range.end)) {
            (Ok(start), Ok(end)) if self.message.get(range).is_some() => Excerpt::InMessage(start, end),
            _ => Excerpt::None,
        };
        self
    }

    /// What was found, in a sentence.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The offending text as written at `line:col`, if the finding names one.
    pub fn excerpt(&self) -> Option<&str> {
        match &self.excerpt_at {
            Excerpt::None => None,
            Excerpt::InMessage(start, end) => self.message.get(*start as usize..*end as usize),
            Excerpt::Own(text) => Some(text),
        }
    }

    pub fn with_help(mut self, help: impl Into<Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `prefix/file:line:col: severity: message` plus an indented `help:` line. `prefix` is
    /// the docs folder as the user named it, so the path can be clicked in a terminal.
    pub fn display_with_prefix(&self, prefix: &str) -> String {
        let mut path = String::new();
        if !prefix.is_empty() && !self.file.starts_with('/') {
            path.push_str(prefix.trim_end_matches('/'));
            path.push('/');
        }
        path.push_str(&self.file);
        let mut out = if self.line > 0 {
            format!("{path}:{}:{}: {}: {}", self.line, self.col, self.severity, self.message)
        } else {
            format!("{path}: {}: {}", self.severity, self.message)
        };
        if let Some(help) = &self.help {
            out.push_str("\n  help: ");
            out.push_str(help);
        }
        out
    }
}

/// Prints findings to stderr, one per line (and its help line), with `prefix` before relative
/// file names. Buffered: stderr is not, and a build with a thousand warnings would otherwise
/// make a few thousand writes, after the pages are done and with one thread left working.
pub fn eprint_all(diags: &[Diagnostic], prefix: &str) {
    use std::io::Write;
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    for d in diags {
        let _ = writeln!(err, "{}", d.display_with_prefix(prefix));
    }
    let _ = err.flush();
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_with_prefix(""))
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    /// "The whole file": printed without a line and column.
    pub const FILE: Pos = Pos { line: 0, col: 0 };

    pub fn new(line: usize, col: usize) -> Self {
        Pos { line, col }
    }
}

/// Maps byte offsets of one text to line/column positions. Built once per file; lookups are
/// a binary search, so reporting many findings in a big file stays cheap.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Pos::new(line + 1, col + 1)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map_or(self.text.len(), |&e| e);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// Maps byte offsets of one text to line/column positions, for offsets asked in (mostly)
/// increasing order, as a markdown pass meets them: each lookup counts the newlines since
/// the previous one, so a page costs one scan up to its last reference and no table of
/// line starts. An offset before the previous one starts the count again from the top.
pub struct LineCursor<'a> {
    text: &'a str,
    /// The last offset looked up, its 0-based line and where that line starts.
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> LineCursor<'a> {
    pub fn new(text: &'a str) -> Self {
        LineCursor {
            text,
            offset: 0,
            line: 0,
            line_start: 0,
        }
    }

    /// The same position as [`LineIndex::pos`].
    pub fn pos(&mut self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            (self.offset, self.line, self.line_start) = (0, 0, 0);
        }
        let skipped = &self.text.as_bytes()[self.offset..offset];
        let newlines = count_newlines(skipped);
        if newlines > 0 {
            self.line += newlines;
            // `skipped` holds a newline, so `rposition` finds one.
            self.line_start = self.offset + skipped.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        }
        self.offset = offset;
        let col = self
            .text
            .get(self.line_start..offset)
            .map_or(offset - self.line_start, |s| s.chars().count());
        Pos::new(self.line + 1, col + 1)
    }
}

/// The number of `\n` in `bytes`.
fn count_newlines(bytes: &[u8]) -> usize {
    count_byte(bytes, b'\n')
}

/// The number of `byte` in `bytes`. Counted in runs of 255 with a byte-sized total, which
/// the compiler turns into wide vector compares (a `usize` total per byte does not).
pub(crate) fn count_byte(bytes: &[u8], byte: u8) -> usize {
    bytes
        .chunks(255)
        .map(|run| usize::from(run.iter().fold(0u8, |n, &b| n + u8::from(b == byte))))
        .sum()
}

/// Decodes a file as UTF-8, or explains where it is not.
pub fn decode_utf8(file: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| not_utf8(file, e.as_bytes(), e.utf8_error()))
}

/// [`decode_utf8`] of borrowed bytes.
pub fn decode_utf8_ref<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|e| not_utf8(file, bytes, e))
}

fn not_utf8(file: &str, bytes: &[u8], e: std::str::Utf8Error) -> Diagnostic {
    let valid = e.valid_up_to();
    // Position of the first bad byte: count lines in the valid prefix.
    let prefix = String::from_utf8_lossy(&bytes[..valid]);
    let pos = LineIndex::new(&prefix).pos(prefix.len());
    Diagnostic::error(
        Kind::Other,
        file,
        pos,
        format!("file is not valid UTF-8 (invalid byte at offset {valid})"),
    )
    .with_help("save the file as UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let idx = LineIndex::new("ab\n—x\n\nlast");
        assert_eq!(idx.pos(0), Pos::new(1, 1));
        assert_eq!(idx.pos(3), Pos::new(2, 1));
        // "—" is three bytes but one column.
        assert_eq!(idx.pos(6), Pos::new(2, 2));
        assert_eq!(idx.pos(9), Pos::new(4, 1));
        assert_eq!(idx.line_text(2), "—x");
        assert_eq!(idx.line_text(9), "");
    }

    #[test]
    fn cursor_agrees_with_the_index_in_any_order() {
        let text = "ab\n—x\n\nlast\n";
        let idx = LineIndex::new(text);
        let mut cursor = LineCursor::new(text);
        // Forwards, repeated, backwards, past the end.
        for offset in [0, 1, 3, 6, 6, 8, 9, 12, 2, 7, 14, 99, 0] {
            assert_eq!(cursor.pos(offset), idx.pos(offset), "offset {offset}");
        }
        let long = "x\n".repeat(700);
        assert_eq!(count_newlines(long.as_bytes()), 700);
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = decode_utf8("a.md", b"ok\nab\xffc".to_vec()).unwrap_err();
        assert_eq!((err.line, err.col), (2, 3));
        assert_eq!(decode_utf8_ref("a.md", b"ok\nab\xffc"), Err(err.clone()));
        assert!(err.message().contains("not valid UTF-8"));
    }

    #[test]
    fn excerpts_are_kept_in_the_message_or_on_their_own() {
        let d = || {
            Diagnostic::error(
                Kind::BrokenLink,
                "a.md",
                Pos::new(1, 1),
                "broken link: `x.md` is — gone",
            )
        };
        assert_eq!(d().excerpt(), None);
        assert!(matches!(
            d().with_excerpt("x.md").excerpt_at,
            Excerpt::InMessage(14, 18)
        ));
        assert_eq!(d().with_excerpt("x.md").excerpt(), Some("x.md"));
        assert_eq!(d().with_excerpt("y.md").excerpt(), Some("y.md"));
        assert_eq!(d().with_excerpt_in_message(14..18), d().with_excerpt("x.md"));
        assert_ne!(d().with_excerpt("x.md"), d().with_excerpt("y.md"));
        // Out of the message, or inside the three bytes of "—".
        assert_eq!(d().with_excerpt_in_message(14..99).excerpt(), None);
        assert_eq!(d().with_excerpt_in_message(24..26).excerpt(), None);
        // Equal whichever way the excerpt is kept.
        let mut own = d();
        own.excerpt_at = Excerpt::Own("x.md".into());
        assert_eq!(own, d().with_excerpt("x.md"));
    }

    #[test]
    fn a_file_name_is_copied_once() {
        let mut file = FileName::new("a/b.md");
        let (one, two) = (file.get(), file.get());
        assert!(Arc::ptr_eq(&one, &two));
        assert_eq!((&*one, file.path()), ("a/b.md", "a/b.md"));
    }

    #[test]
    fn display_prefixes_docs_dir() {
        let d = Diagnostic::warning(Kind::BrokenLink, "a/b.md", Pos::new(3, 7), "broken link").with_help("fix it");
        assert_eq!(
            d.display_with_prefix("docs/"),
            "docs/a/b.md:3:7: warning: broken link\n  help: fix it"
        );
    }
}
