//! How `docsite check` prints its findings: `human` (rustc style, rendered by
//! annotate-snippets), `github` (workflow commands, which GitHub turns into annotations on
//! the pull request diff) and `json` (JSON Lines with a stable schema).

use std::path::Path;

use rayon::prelude::*;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::check::CheckReport;
use crate::diag::{Diagnostic, Kind, LineIndex, Severity};
use crate::source::Source;

/// The output formats of `docsite check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// rustc-style findings with the source line, for people.
    #[default]
    Human,
    /// GitHub Actions workflow commands (`::error file=…`), for pull request annotations.
    Github,
    /// One JSON object per line, for tools.
    Json,
}

/// Whether the human format uses colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Always,
    Never,
}

/// The findings in `format`, ending with a newline (or empty when there are none and the
/// format has no summary).
pub fn render(report: &CheckReport, format: Format, ctx: &Context) -> String {
    match format {
        Format::Human => human(report, ctx),
        Format::Github => report
            .diagnostics()
            .map(|d| github_line(d, &ctx.repo_prefix) + "\n")
            .collect(),
        Format::Json => {
            let mut out = Vec::new();
            // Writing to memory does not fail, and JSON is UTF-8.
            let _ = write_json(report, &mut out);
            String::from_utf8(out).unwrap_or_default()
        }
    }
}

/// Writes what [`render`] returns to `out`. JSON Lines go out a batch at a time as they
/// are formatted, never as one string: a big site has tens of thousands of findings
/// (8.6 MB of JSON at 10k pages).
pub fn write(report: &CheckReport, format: Format, ctx: &Context, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => write_json(report, out),
        _ => out.write_all(render(report, format, ctx).as_bytes()),
    }
}

/// Findings a thread formats at a time, and batches formatted (in parallel) before they
/// are written in order.
const JSON_CHUNK: usize = 512;
const JSON_BATCH: usize = 16;

fn write_json(report: &CheckReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // The findings come in runs of a page's each: references to them (8 bytes a finding)
    // are what is cut into even chunks.
    let diagnostics: Vec<&Diagnostic> = report.diagnostics().collect();
    for batch in diagnostics.chunks(JSON_CHUNK * JSON_BATCH) {
        let parts: Vec<Vec<u8>> = batch
            .par_chunks(JSON_CHUNK)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 320);
                for d in chunk {
                    write_json_line(d, &mut buf);
                }
                buf
            })
            .collect();
        for part in parts {
            out.write_all(&part)?;
        }
    }
    Ok(())
}

/// One JSON Lines record and its newline, appended to `buf`: what serializing
/// [`JsonFinding`] gives (a test compares the two), written field by field. The names are
/// fixed words, and most strings need no escape, which one pass over their bytes finds:
/// serde_json's escaping, byte by byte, was most of the time of a big report.
fn write_json_line(d: &Diagnostic, buf: &mut Vec<u8>) {
    buf.extend_from_slice(b"{\"severity\":\"");
    buf.extend_from_slice(d.severity.as_str().as_bytes());
    buf.extend_from_slice(b"\",\"kind\":\"");
    buf.extend_from_slice(d.kind.as_str().as_bytes());
    buf.extend_from_slice(b"\",\"file\":");
    push_json_str(buf, &d.file);
    if d.line == 0 {
        buf.extend_from_slice(b",\"line\":null,\"column\":null");
    } else {
        buf.extend_from_slice(b",\"line\":");
        push_json(buf, &d.line);
        buf.extend_from_slice(b",\"column\":");
        push_json(buf, &d.col);
    }
    buf.extend_from_slice(b",\"message\":");
    push_json_str(buf, d.message());
    buf.extend_from_slice(b",\"help\":");
    match &d.help {
        Some(help) => push_json_str(buf, help),
        None => buf.extend_from_slice(b"null"),
    }
    buf.extend_from_slice(b"}\n");
}

/// `text` as a JSON string: copied as it is when nothing in it needs an escape (the
/// characters serde_json escapes: `"`, `\\` and controls), else through serde_json.
fn push_json_str(buf: &mut Vec<u8>, text: &str) {
    // A fold rather than `all`: with no early exit, the test runs on many bytes at a time.
    let escapes = text
        .bytes()
        .fold(false, |e, b| e | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if !escapes {
        buf.push(b'"');
        buf.extend_from_slice(text.as_bytes());
        buf.push(b'"');
    } else {
        push_json(buf, text);
    }
}

/// A value serde_json writes (a string or a number), appended to `buf`.
fn push_json(buf: &mut Vec<u8>, value: &(impl serde::Serialize + ?Sized)) {
    // Strings and numbers always serialize, and into memory.
    let _ = serde_json::to_writer(&mut *buf, value);
}

/// What the formats need besides the findings.
pub struct Context<'a> {
    /// The docs, to quote the offending lines.
    pub source: &'a dyn Source,
    pub colour: Colour,
    /// Prefix that turns a docs-relative path into a repository-relative one (`docs/`).
    pub repo_prefix: String,
}

fn human(report: &CheckReport, ctx: &Context) -> String {
    // A file whose findings span two runs is read once for each: the same text.
    let mut out: String = report.runs().iter().map(|run| human_findings(run, ctx)).collect();
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// Each finding rustc-style, with its source line, without the summary.
pub fn human_findings(diagnostics: &[Diagnostic], ctx: &Context) -> String {
    let renderer = match ctx.colour {
        Colour::Always => Renderer::styled(),
        Colour::Never => Renderer::plain(),
    };
    let mut out = String::new();
    // Findings come sorted by file: read and index each file once.
    for same_file in diagnostics.chunk_by(|a, b| a.file == b.file) {
        let text = ctx
            .source
            .read(&same_file[0].file)
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        let index = text.as_deref().map(LineIndex::new);
        for d in same_file {
            let line = index.as_ref().filter(|_| d.line > 0).map(|i| i.line_text(d.line));
            out.push_str(&renderer.render(&[group(d, line)]).to_string());
            out.push_str("\n\n");
        }
    }
    out
}

/// One finding as annotate-snippets draws it: title, location, the line with a caret under
/// the offending text, then the help.
fn group<'a>(d: &'a Diagnostic, line: Option<&'a str>) -> Group<'a> {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let title = level.primary_title(d.message()).id(d.kind.as_str());
    let mut group = match line {
        Some(line) => title.element(
            Snippet::source(line)
                .line_start(d.line)
                .path(&*d.file)
                .annotation(AnnotationKind::Primary.span(span(line, d.col, d.excerpt()))),
        ),
        None => {
            let mut origin = Origin::path(&*d.file);
            if d.line > 0 {
                origin = origin.line(d.line).char_column(d.col.saturating_sub(1));
            }
            title.element(origin)
        }
    };
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_ref()));
    }
    group
}

/// The byte range to underline. It starts at the finding's column, because the renderer
/// prints the location of the caret: through the excerpt where it is found on the line
/// (and the `)` that closes a markdown link), else over the word at the column.
fn span(line: &str, col: usize, excerpt: Option<&str>) -> std::ops::Range<usize> {
    let start = line
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    if let Some(end) = excerpt
        .filter(|e| !e.is_empty())
        .and_then(|e| rest.find(e).map(|i| i + e.len()))
    {
        let close = usize::from(end > 0 && rest[end..].starts_with(')') && rest.starts_with(['[', '!']));
        return start..start + end + close;
    }
    let word = rest.split(char::is_whitespace).next().unwrap_or("");
    let word = word.trim_end_matches(',');
    let len = if word.is_empty() {
        rest.chars().next().map_or(0, char::len_utf8)
    } else {
        word.len()
    };
    start..start + len
}

/// `3 errors, 5 warnings, 1 note in 53 pages`.
pub fn summary(report: &CheckReport) -> String {
    let n = |count: usize, what: &str| format!("{count} {what}{}", if count == 1 { "" } else { "s" });
    format!(
        "{}, {}, {} in {}",
        n(report.count(Severity::Error), "error"),
        n(report.count(Severity::Warning), "warning"),
        n(report.count(Severity::Note), "note"),
        n(report.pages, "page")
    )
}

/// `::error file=docs/a.md,line=3,col=7,title=broken-link::message%0Ahelp: …`
pub fn github_line(d: &Diagnostic, repo_prefix: &str) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = format!("file={}", escape_property(&format!("{repo_prefix}{}", d.file)));
    if d.line > 0 {
        props.push_str(&format!(",line={},col={}", d.line, d.col));
    }
    props.push_str(&format!(",title={}", escape_property(d.kind.as_str())));
    let mut message = d.message().to_string();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{command} {props}::{}", escape_data(&message))
}

/// Workflow command data: `%`, CR and LF are encoded.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Workflow command properties: also `:` and `,`, which separate properties.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The JSON Lines record; field order is part of the schema.
#[derive(serde::Serialize)]
pub(crate) struct JsonFinding<'a> {
    severity: Severity,
    kind: Kind,
    file: &'a str,
    /// `null` when the finding concerns the whole file.
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    help: Option<&'a str>,
}

pub fn json_line(d: &Diagnostic) -> String {
    let mut buf = Vec::new();
    write_json_line(d, &mut buf);
    buf.pop();
    String::from_utf8(buf).unwrap_or_default()
}

impl<'a> JsonFinding<'a> {
    pub(crate) fn of(d: &'a Diagnostic) -> Self {
        let whole_file = d.line == 0;
        JsonFinding {
            severity: d.severity,
            kind: d.kind,
            file: &d.file,
            line: (!whole_file).then_some(d.line),
            column: (!whole_file).then_some(d.col),
            message: d.message(),
            help: d.help.as_deref(),
        }
    }
}

/// The path from the root of the git repository that holds `docs` to `docs`, with a
/// trailing `/` (`docs/`), so annotations land on the files of the pull request. Without a
/// repository, the path from the current directory; failing that, `docs` as given.
pub fn repo_prefix(docs: &Path) -> String {
    let as_given = || with_slash(&docs.to_string_lossy());
    let Ok(canonical) = docs.canonicalize() else {
        return as_given();
    };
    let root = canonical
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().and_then(|d| d.canonicalize()).ok());
    match root.as_deref().and_then(|r| canonical.strip_prefix(r).ok()) {
        Some(rel) => with_slash(&rel.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/")),
        None => as_given(),
    }
}

fn with_slash(path: &str) -> String {
    let path = path.trim_end_matches('/');
    if path.is_empty() || path == "." {
        String::new()
    } else {
        format!("{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;

    #[test]
    fn github_escapes_data_and_properties() {
        let d = Diagnostic::error(Kind::BrokenLink, "a,b:c.md", Pos::new(3, 7), "100% broken\r\nreally")
            .with_help("fix it");
        assert_eq!(
            github_line(&d, "docs/"),
            "::error file=docs/a%2Cb%3Ac.md,line=3,col=7,title=broken-link::100%25 broken%0D%0Areally%0Ahelp: fix it"
        );
        let d = Diagnostic::note(Kind::OrphanPage, "x.md", Pos::FILE, "m");
        assert_eq!(github_line(&d, ""), "::notice file=x.md,title=orphan-page::m");
    }

    #[test]
    fn json_lines_are_what_serde_writes() {
        let kinds = [Kind::BrokenLink, Kind::OrphanPage, Kind::InvalidManifest, Kind::Other];
        let texts = [
            "plain",
            "",
            "quote \" and \\ back",
            "tab\tnew\nline\r\u{1}\u{7f}",
            "ünï — ✅ `code`",
        ];
        for (i, text) in texts.iter().enumerate() {
            for (j, kind) in kinds.iter().enumerate() {
                let pos = if j % 2 == 0 { Pos::new(i + 1, j + 7) } else { Pos::FILE };
                let file = format!("dir/{text}.md");
                let mut d = Diagnostic::new(Severity::Note, *kind, file, pos, *text);
                d.severity = [Severity::Note, Severity::Warning, Severity::Error][(i + j) % 3];
                if i % 2 == 0 {
                    d = d.with_help(text.to_string());
                }
                let serde = serde_json::to_string(&JsonFinding::of(&d)).unwrap();
                assert_eq!(json_line(&d), serde);
            }
        }
    }

    #[test]
    fn json_has_a_fixed_field_order_and_nulls() {
        let d = Diagnostic::warning(Kind::OrphanPage, "x.md", Pos::FILE, "m");
        assert_eq!(
            json_line(&d),
            r#"{"severity":"warning","kind":"orphan-page","file":"x.md","line":null,"column":null,"message":"m","help":null}"#
        );
    }

    #[test]
    fn spans_cover_the_excerpt_or_the_word() {
        let line = "See [the — guide](../guide.md#x) now";
        assert_eq!(
            &line[span(line, 5, Some("../guide.md#x"))],
            "[the — guide](../guide.md#x)"
        );
        let html = "<img src=\"a.png\">";
        assert_eq!(&html[span(html, 11, Some("a.png"))], "a.png");
        assert_eq!(&line[span(line, 1, None)], "See");
        assert_eq!(span("ab", 9, None), 2..2);
        assert_eq!(
            &"  \"path\": \"./gone.md\","[span("  \"path\": \"./gone.md\",", 11, None)],
            "\"./gone.md\""
        );
    }
}
