//! What reviewers read: the pull request comment (GitHub-flavoured markdown, under a hidden
//! marker so CI can keep one sticky comment up to date) and the preview's own index page,
//! `_preview/index.html`. Both are written from the [`Report`] alone.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::nav::{NavChange, NavChangeKind, NavPlace};
use super::report::{GonePage, Location, PageEntry, Report, Status, redirect_entry};
use crate::markdown::escape_html;

/// The hidden first line of every comment, for CI to find the comment to update.
pub const MARKER: &str = "<!-- docsite-preview -->";

/// Longest list of one kind in the comment; the rest is counted, and is in `report.json`.
const MAX_ITEMS: usize = 50;

/// The comment for a pull request that changes nothing under the docs folder.
pub fn nothing_changed(docs: &str) -> String {
    format!(
        "{MARKER}\n📖 No changes under `{}`: no docs preview.\n",
        display_dir(docs)
    )
}

fn display_dir(docs: &str) -> String {
    if docs.is_empty() {
        ".".into()
    } else {
        format!("{docs}/")
    }
}

/// `docs/` + a docs-relative path: the path as the pull request's file list shows it.
fn repo_path(docs: &str, path: &str) -> String {
    if docs.is_empty() {
        path.to_string()
    } else {
        format!("{docs}/{path}")
    }
}

/// A breadcrumb, shortened to its last three titles.
fn crumbs(place: &NavPlace) -> String {
    let b = &place.breadcrumb;
    let shown = b.len().saturating_sub(3);
    let mut s = if shown > 0 {
        "… › ".to_string()
    } else {
        String::new()
    };
    s.push_str(&b[shown..].join(" › "));
    s
}

fn states(place: &NavPlace) -> String {
    if place.states.is_empty() {
        "no badge".into()
    } else {
        place.states.join(", ")
    }
}

/// A description as the diff shows it: quoted, on one line, at most 60 characters.
fn quoted(text: Option<&str>) -> String {
    let Some(text) = text else {
        return "none".into();
    };
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(60) {
        Some((cut, _)) => format!("\"{}…\"", &flat[..cut]),
        None => format!("\"{flat}\""),
    }
}

/// One line of the navigation diff, `-`/`+`/`!` first as in a diff.
pub fn nav_line(c: &NavChange) -> String {
    let (before, after) = (c.before.as_ref(), c.after.as_ref());
    match (c.change, before, after) {
        (NavChangeKind::Added, _, Some(a)) => format!("+ {}", crumbs(a)),
        (NavChangeKind::Removed, Some(b), _) => format!("- {}", crumbs(b)),
        (NavChangeKind::Moved, Some(b), Some(a))
            if b.breadcrumb[..b.breadcrumb.len().saturating_sub(1)]
                == a.breadcrumb[..a.breadcrumb.len().saturating_sub(1)] =>
        {
            format!("! moved: {} from position {} to {}", crumbs(a), b.position, a.position)
        }
        (NavChangeKind::Moved, Some(b), Some(a)) => format!("! moved: {} → {}", crumbs(b), crumbs(a)),
        (NavChangeKind::Retitled, Some(b), Some(a)) => format!(
            "! retitled: {} → {}",
            crumbs(b),
            a.breadcrumb.last().map_or("", String::as_str)
        ),
        (NavChangeKind::StateChanged, Some(b), Some(a)) => {
            format!("! badge: {}: {} → {}", crumbs(a), states(b), states(a))
        }
        (NavChangeKind::Redescribed, Some(b), Some(a)) => format!(
            "! description: {}: {} → {}",
            crumbs(a),
            quoted(b.description.as_deref()),
            quoted(a.description.as_deref())
        ),
        (NavChangeKind::IconChanged, Some(b), Some(a)) => format!(
            "! icon: {}: {} → {}",
            crumbs(a),
            b.icon.as_deref().unwrap_or("none"),
            a.icon.as_deref().unwrap_or("none")
        ),
        _ => String::new(),
    }
}

fn locations(docs: &str, list: &[Location]) -> String {
    let mut shown: Vec<String> = list
        .iter()
        .take(MAX_ITEMS)
        .map(|l| format!("`{}:{}`", repo_path(docs, &l.file), l.line))
        .collect();
    if list.len() > MAX_ITEMS {
        shown.push(format!("and {} more", list.len() - MAX_ITEMS));
    }
    shown.join(", ")
}

fn gone_item(out: &mut String, docs: &str, g: &GonePage) {
    let what = match &g.renamed_to {
        Some(to) => format!("renamed to `{}`", repo_path(docs, to)),
        None => "removed".to_string(),
    };
    let _ = writeln!(out, "- `{}`: {what}", repo_path(docs, &g.path));
    if g.linked_from.is_empty() && g.nav_entries.is_empty() {
        let _ = writeln!(out, "  - nothing links to it any more");
    }
    if !g.linked_from.is_empty() {
        let _ = writeln!(out, "  - ⚠️ still linked from {}", locations(docs, &g.linked_from));
    }
    if !g.nav_entries.is_empty() {
        let _ = writeln!(
            out,
            "  - ⚠️ still in the navigation at {}",
            locations(docs, &g.nav_entries)
        );
    }
    match &g.suggested_redirect {
        Some(r) => {
            let _ = writeln!(
                out,
                "  - suggested redirect, in `{}`: `{}`",
                repo_path(docs, crate::redirects::REDIRECTS_FILE),
                redirect_entry(r)
            );
        }
        None => {
            let _ = writeln!(out, "  - redirected in `redirects.json` ✓");
        }
    }
}

/// Opens the hidden block, at the end of the comment, that records each listed page's
/// blob id, one `PATH BLOB` line each (the path percent-encoded), so the next comment can
/// keep a reviewer's ticks on pages that did not change since.
const STATE_OPEN: &str = "<!-- docsite-preview-state";

/// A path with everything but `A-Z a-z 0-9 / . _` percent-encoded: safe inside an HTML
/// comment (no `--`, no `>`) and free of spaces.
fn encode_state_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/._".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The pages (repository paths) a previous comment had ticked whose blob is still the one
/// it recorded: their ticks stay. A tick on a page changed since is dropped.
pub fn kept_ticks(previous: &str, r: &Report) -> HashSet<String> {
    let mut recorded: HashMap<String, &str> = HashMap::new();
    if let Some(start) = previous.find(STATE_OPEN) {
        let block = &previous[start + STATE_OPEN.len()..];
        let block = block.split("-->").next().unwrap_or("");
        for line in block.lines() {
            if let Some((path, blob)) = line.trim().split_once(' ') {
                let path = percent_encoding::percent_decode_str(path)
                    .decode_utf8_lossy()
                    .into_owned();
                recorded.insert(path, blob.trim());
            }
        }
    }
    let now: HashMap<String, String> = r
        .review_pages()
        .filter_map(|p| Some((repo_path(&r.docs, &p.path), review_state(p)?)))
        .collect();
    previous
        .lines()
        .filter_map(|l| l.strip_prefix("- [x] [`").or_else(|| l.strip_prefix("- [X] [`")))
        .filter_map(|rest| rest.split_once('`').map(|(path, _)| path.to_string()))
        .filter(|path| matches!((recorded.get(path), now.get(path)), (Some(a), Some(b)) if a == b))
        .collect()
}

/// What a reviewer's tick on a page vouches for: the page's blob id, then (`+`) those of the
/// changed files it uses.
fn review_state(p: &PageEntry) -> Option<String> {
    let mut state = p.hash.clone()?;
    for f in &p.changed_files {
        state.push('+');
        state.push_str(f.hash.as_deref().unwrap_or("-"));
    }
    Some(state)
}

/// The pull request comment. Pages in `ticked` (repository paths, see [`kept_ticks`])
/// start ticked.
/// `Search index: 58.9 KB → 59.3 KB (+0.4 KB)`.
fn search_line(size: super::report::IndexSize) -> String {
    let kb = |b: usize| b as f64 / 1024.0;
    let delta = kb(size.head_bytes) - kb(size.base_bytes);
    format!(
        "Search index: {:.1} KB → {:.1} KB ({}{:.1} KB)",
        kb(size.base_bytes),
        kb(size.head_bytes),
        if delta < 0.0 { "−" } else { "+" },
        delta.abs()
    )
}

pub fn markdown(r: &Report, ticked: &HashSet<String>) -> String {
    let docs = r.docs.as_str();
    let mut out = String::new();
    let _ = writeln!(out, "{MARKER}");
    let changed: Vec<_> = r.review_pages().collect();
    // Coder's format: the first changed page in path order.
    match r.changed_pages().next().or(changed.first().copied()) {
        Some(first) => {
            let _ = writeln!(
                out,
                "📖 [View docs preview for {}]({})",
                repo_path(docs, &first.path),
                first.url.as_deref().unwrap_or(&r.url)
            );
        }
        None => {
            let _ = writeln!(out, "📖 [View docs preview]({})", r.url);
        }
    }
    let _ = writeln!(
        out,
        "\nPreview of `{}` at {} against `{}` (merge base {}): [site root]({}) · [what changed]({}_preview/)",
        r.head.name.as_deref().unwrap_or("HEAD"),
        short(&r.head.commit),
        r.base.name.as_deref().unwrap_or("base"),
        short(&r.merge_base.commit),
        r.url,
        r.url
    );
    if let Some(size) = r.search_index {
        let _ = writeln!(out, "\n{}", search_line(size));
    }

    if !changed.is_empty() {
        let _ = writeln!(out, "\n### Pages to review ({})\n", changed.len());
        for p in changed.iter().take(MAX_ITEMS) {
            let mut note = match p.status {
                Status::Added => " (new)".to_string(),
                Status::Renamed => format!(
                    " (renamed from `{}`)",
                    repo_path(docs, p.previous_path.as_deref().unwrap_or(""))
                ),
                _ => String::new(),
            };
            if !p.in_nav {
                note.push_str(" (not in the navigation)");
            }
            if !p.changed_files.is_empty() {
                let files: Vec<String> = p
                    .changed_files
                    .iter()
                    .map(|f| format!("`{}`", repo_path(docs, &f.path)))
                    .collect();
                let _ = write!(note, " ({} changed)", files.join(", "));
            }
            let path = repo_path(docs, &p.path);
            let tick = if ticked.contains(&path) { 'x' } else { ' ' };
            let _ = writeln!(
                out,
                "- [{tick}] [`{path}`]({}){note}",
                p.url.as_deref().unwrap_or(&r.url)
            );
        }
        if changed.len() > MAX_ITEMS {
            let _ = writeln!(out, "- and {} more (see `report.json`)", changed.len() - MAX_ITEMS);
        }
    }

    if !r.gone.is_empty() {
        let _ = writeln!(out, "\n### Removed and renamed pages\n");
        for g in r.gone.iter().take(MAX_ITEMS) {
            gone_item(&mut out, docs, g);
        }
    }

    if !r.nav.is_empty() {
        let _ = writeln!(out, "\n### Navigation changes\n\n```diff");
        for c in r.nav.iter().take(MAX_ITEMS) {
            let _ = writeln!(out, "{}", nav_line(c));
        }
        if r.nav.len() > MAX_ITEMS {
            let _ = writeln!(out, "… and {} more", r.nav.len() - MAX_ITEMS);
        }
        let _ = writeln!(out, "```");
    }

    if !r.anchors.is_empty() {
        let _ = writeln!(out, "\n### Anchors that changed\n");
        for a in r.anchors.iter().take(MAX_ITEMS) {
            let mut line = format!("- `{}#{}` is gone", repo_path(docs, &a.path), a.anchor);
            if let Some(c) = &a.closest {
                let _ = write!(line, " (now `#{c}`?)");
            }
            if a.broken_links.is_empty() {
                line.push_str("; no link in the docs uses it");
            } else {
                let _ = write!(line, "; ⚠️ breaks {}", locations(docs, &a.broken_links));
            }
            let _ = writeln!(out, "{line}");
        }
        if r.anchors.len() > MAX_ITEMS {
            let _ = writeln!(out, "- and {} more", r.anchors.len() - MAX_ITEMS);
        }
    }

    let f = &r.findings;
    if f.new.is_empty() {
        let _ = writeln!(
            out,
            "\n✅ No new findings ({} before, {} now{}).",
            f.base_total,
            f.head_total,
            fixed(f.fixed)
        );
    } else {
        let _ = writeln!(
            out,
            "\n### New findings ({}; {} before, {} now{})\n",
            f.new.len(),
            f.base_total,
            f.head_total,
            fixed(f.fixed)
        );
        for d in f.new.iter().take(MAX_ITEMS) {
            let at = if d.line > 0 {
                format!("{}:{}", repo_path(docs, &d.file), d.line)
            } else {
                repo_path(docs, &d.file)
            };
            let _ = writeln!(out, "- `{at}` {} {}: {}", d.severity, d.kind, d.message());
        }
        if f.new.len() > MAX_ITEMS {
            let _ = writeln!(out, "- and {} more (see `report.json`)", f.new.len() - MAX_ITEMS);
        }
    }
    // Only listed pages can carry a tick.
    let pages: Vec<String> = r
        .review_pages()
        .take(MAX_ITEMS)
        .filter_map(|p| {
            Some(format!(
                "{} {}",
                encode_state_path(&repo_path(docs, &p.path)),
                review_state(p)?
            ))
        })
        .collect();
    let state = if pages.is_empty() {
        String::new()
    } else {
        format!("\n{STATE_OPEN}\n{}\n-->\n", pages.join("\n"))
    };
    truncate_at_line(&mut out, MAX_COMMENT.saturating_sub(state.len() + 300), &r.url);
    out.push_str(&state);
    out
}

/// GitHub refuses comments over 65,536 characters.
const MAX_COMMENT: usize = 65_000;

/// Cuts `out` at the last line that fits in `max` bytes, and says where the rest is.
fn truncate_at_line(out: &mut String, max: usize, root: &str) {
    if out.len() <= max {
        return;
    }
    let mut cut = max;
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = out[..cut].rfind('\n').map_or(0, |i| i + 1);
    out.truncate(cut);
    let _ = writeln!(
        out,
        "\n… the comment is too long for GitHub: the rest is in [the list of changes]({root}_preview/) and `report.json`."
    );
}

fn fixed(n: usize) -> String {
    if n == 0 { String::new() } else { format!(", {n} fixed") }
}

fn short(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

/// `_preview/index.html`: the changed pages, links relative to the preview root.
pub fn index_html(r: &Report) -> String {
    let e = escape_html;
    let docs = r.docs.as_str();
    let mut out = String::from(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Changes in this preview</title>\n<link rel=\"stylesheet\" href=\"../_docsite/docsite.css\">\n</head>\n<body>\n<main class=\"main\"><article class=\"doc\">\n<h1>Changes in this preview</h1>\n",
    );
    let _ = writeln!(
        out,
        "<p><a href=\"../\">Site root</a> · head <code>{}</code> · merge base <code>{}</code> · <a href=\"report.json\">report.json</a></p>",
        e(short(&r.head.commit)),
        e(short(&r.merge_base.commit))
    );
    let changed: Vec<_> = r.review_pages().collect();
    let _ = writeln!(
        out,
        "<h2>Pages to review ({})</h2>\n<ul class=\"preview-changed\">",
        changed.len()
    );
    for p in &changed {
        let route = p.route.as_deref().unwrap_or("");
        let status = match p.status {
            Status::Added => "new",
            Status::Renamed => "renamed",
            Status::Unchanged => "files changed",
            _ => "changed",
        };
        let _ = writeln!(
            out,
            "<li><a href=\"../{}\">{}</a> <code>{}</code> <span class=\"badge badge-changed\">{status}</span></li>",
            e(&crate::paths::encode_path(route)),
            e(&p.title),
            e(&repo_path(docs, &p.path))
        );
    }
    out.push_str("</ul>\n");
    if !r.gone.is_empty() {
        out.push_str("<h2>Removed and renamed pages</h2>\n<ul>\n");
        for g in &r.gone {
            let _ = writeln!(out, "<li><code>{}</code></li>", e(&repo_path(docs, &g.path)));
        }
        out.push_str("</ul>\n");
    }
    if !r.nav.is_empty() {
        out.push_str("<h2>Navigation changes</h2>\n<pre>");
        for c in &r.nav {
            out.push_str(&e(&nav_line(c)));
            out.push('\n');
        }
        out.push_str("</pre>\n");
    }
    if !r.findings.new.is_empty() {
        out.push_str("<h2>New findings</h2>\n<ul>\n");
        for d in &r.findings.new {
            let text = d.to_string();
            let _ = writeln!(out, "<li><code>{}</code></li>", e(text.lines().next().unwrap_or("")));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</article></main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_comments_are_cut_at_a_line() {
        let mut s = "é line\n".repeat(10);
        truncate_at_line(&mut s, 20, "https://p.example/@x/");
        assert!(s.starts_with("é line\né line\n\n… the comment is too long"), "{s}");
        let mut short = "a\n".to_string();
        truncate_at_line(&mut short, 20, "");
        assert_eq!(short, "a\n");
    }
}
