//! The facts pass: what `docsite check` needs from a page, without rendering it. One walk
//! over pulldown-cmark's events collects the anchor ids (heading ids, explicit ids, raw-HTML
//! `id`/`name`), the links and images with their positions, and the findings (broken or
//! escaping references, invalid front matter). It builds no HTML, keeps no event list,
//! borrows event text, and leaves out everything that only shapes HTML: highlighting,
//! callouts, tabs, `<children>`, autolinks and the search text.
//!
//! The rules themselves (slugs, how a destination resolves and what finding it gets, which
//! raw-HTML attributes count) are the renderer's own functions, called from here; the tests
//! compare this pass with the renderer on the same pages.
//!
//! What it records is already in the shape the cross-page checks read: the ids as a set
//! (the slugger's own), and, for a check, only the links those checks look at, so that the
//! others cost no copy of their destination.

use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};

use super::fence::{self, Fence};
use super::{
    LinkRef, Links, RefKind, Target, fence_warnings, front_matter, front_matter_warning, heading_text, is_comment,
    options, raw_ids, raw_refs, resolve_reference, source_offset, text_of,
};
use crate::diag::{Diagnostic, FileName, LineCursor, Pos};
use crate::slug::{Ids, Slugger};

/// What the facts pass learns about a page.
#[derive(Debug, Default)]
pub struct Facts {
    /// Every id a `#fragment` can target: headings, explicit ids, raw-HTML `id`/`name`.
    pub ids: Ids,
    /// The links and images ([`KeptLinks`] says which), in page order.
    pub links: Vec<LinkRef>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Which links and images [`facts()`] keeps (it resolves every one, for its findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeptLinks {
    /// Every one: a preview compares them.
    All,
    /// Only those that name an anchor on a page of the site ([`super::Target::names_anchor`]):
    /// all a check reads once the page's findings are made. At 10k pages the others are
    /// ~90k links, whose copies would each be fresh memory.
    Anchors,
}

impl KeptLinks {
    /// Adds the link to `dest`, resolved to `target`, to `links` if this keeps it.
    fn keep(self, links: &mut Vec<LinkRef>, pos: Pos, dest: &str, kind: RefKind, target: Target) {
        if self == KeptLinks::All || target.names_anchor() {
            links.push(LinkRef {
                pos,
                dest: dest.to_string(),
                kind,
                target,
            });
        }
    }
}

/// The facts of the page at docs-relative `path` with markdown `text`: its ids, links and
/// findings, as [`super::render`] records them.
pub fn facts(path: &str, text: &str, links: &dyn Links, kept: KeptLinks) -> Facts {
    walk(path, text, Some(links), kept).facts
}

/// A page's facts before its references are resolved: [`unresolved_facts`] needs only the
/// page's text, so a check runs it while the folder is still being listed, and resolves
/// the references ([`Unresolved::resolve`]) once the listing says what exists.
#[derive(Debug, Default)]
pub struct Unresolved {
    /// The ids and the findings that do not depend on other files; no links yet.
    facts: Facts,
    /// Every reference's destination, one after another: one allocation per page rather
    /// than one per reference.
    dests: String,
    refs: Vec<RawRef>,
}

/// A reference the walk found, with what resolving it needs.
#[derive(Debug)]
struct RawRef {
    pos: Pos,
    /// Where its destination ends in [`Unresolved::dests`] (it starts where the previous ends).
    dest_end: usize,
    kind: RefKind,
    /// How many of the page's other findings come before it: a reference's finding goes
    /// there, in the order [`facts()`] gives.
    findings_before: usize,
}

/// The facts of the page at `path` with markdown `text`, its references left unresolved.
pub fn unresolved_facts(path: &str, text: &str) -> Unresolved {
    // `kept` only says which resolved links to keep: [`Unresolved::resolve`] is told.
    walk(path, text, None, KeptLinks::All)
}

impl Unresolved {
    /// Resolves the references against `links`, keeping the links `kept` says: the
    /// [`Facts`] that [`facts()`] gives.
    pub fn resolve(self, path: &str, links: &dyn Links, kept: KeptLinks) -> Facts {
        let Unresolved { facts, dests, refs } = self;
        if refs.is_empty() {
            return facts;
        }
        // The references' findings go to a list of their own, with where each goes among
        // the others: most pages have findings of only one kind, whose list is then kept as
        // it is, where a merge would copy each finding into fresh memory.
        let mut found = Vec::new();
        let mut places = Vec::new();
        let mut links_found = Vec::new();
        let mut start = 0;
        let mut file = FileName::new(path);
        for r in refs {
            let dest = dests.get(start..r.dest_end).unwrap_or_default();
            start = r.dest_end;
            let target = resolve_reference(&mut found, &mut file, links, r.pos, dest, r.kind);
            places.resize(found.len(), r.findings_before);
            kept.keep(&mut links_found, r.pos, dest, r.kind, target);
        }
        let own = facts.diagnostics;
        let diagnostics = if found.is_empty() {
            own
        } else if own.is_empty() {
            found
        } else {
            // The order `facts()` gives: a reference's findings after the other findings
            // made before it.
            let mut all = Vec::with_capacity(own.len() + found.len());
            let mut found = places.into_iter().zip(found).peekable();
            for (i, d) in own.into_iter().enumerate() {
                while let Some((_, f)) = found.next_if(|(at, _)| *at <= i) {
                    all.push(f);
                }
                all.push(d);
            }
            all.extend(found.map(|(_, f)| f));
            all
        };
        Facts {
            ids: facts.ids,
            links: links_found,
            diagnostics,
        }
    }
}

/// The walk over a page's events behind [`facts()`] and [`unresolved_facts`]; with no
/// `links`, references are recorded unresolved.
fn walk(path: &str, text: &str, links: Option<&dyn Links>, kept: KeptLinks) -> Unresolved {
    let mut pass = Pass {
        file: FileName::new(path),
        links,
        kept,
        unresolved: Unresolved::default(),
        cursor: LineCursor::new(text),
        slugger: Slugger::default(),
        links_found: Vec::new(),
        findings: Vec::new(),
        raw_ids: Vec::new(),
        buf: String::new(),
        segments: Vec::new(),
    };
    let mut events = Parser::new_ext(text, options()).into_offset_iter();
    // The open heading's explicit id; its text collects in `buf`.
    let mut heading: Option<Option<pulldown_cmark::CowStr>> = None;
    while let Some((event, range)) = events.next() {
        // Most events are text and tag ends, which a check reads only in a heading: one
        // test skips them, where the match below would jump through its table.
        if heading.is_none() && matches!(event, Event::Text(_) | Event::End(_) | Event::SoftBreak) {
            continue;
        }
        match event {
            Event::Start(Tag::MetadataBlock(_)) => {
                pass.collect(&mut events, |e| matches!(e, Event::End(TagEnd::MetadataBlock(_))));
                if let Err(e) = front_matter(&pass.buf) {
                    let d = front_matter_warning(path, pass.cursor.pos(range.start), &e);
                    pass.findings.push(d);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                // Code holds no references: only the fence's options are read, and the
                // code only to count its lines when some are marked.
                let fence = Fence::of(&kind);
                let mut code = Vec::new();
                for (e, _) in events.by_ref() {
                    match e {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(t) if fence.has_marks() => code.push(t),
                        _ => {}
                    }
                }
                let lines = || fence::count_lines(code.iter().map(|t| t.as_ref()));
                let found = fence_warnings(path, text, &mut pass.cursor, range.start, &fence, lines);
                pass.findings.extend(found);
            }
            Event::Start(Tag::HtmlBlock) => {
                pass.collect(&mut events, |e| matches!(e, Event::End(TagEnd::HtmlBlock)));
                pass.raw_html();
            }
            Event::Start(Tag::Heading { id, .. }) => {
                pass.buf.clear();
                heading = Some(id);
            }
            Event::End(TagEnd::Heading(_)) => match heading.take() {
                // What `heading_id` gives the renderer, kept in the slugger alone.
                Some(Some(explicit)) => pass.slugger.reserve(&explicit),
                Some(None) => pass.slugger.add(&pass.buf),
                None => {}
            },
            Event::Start(Tag::Link {
                link_type, dest_url, ..
            }) if link_type != LinkType::Email => pass.reference(&dest_url, range.start, RefKind::Link),
            Event::Start(Tag::Image { dest_url, .. }) => pass.reference(&dest_url, range.start, RefKind::Image),
            Event::InlineHtml(html) if !is_comment(&html) => pass.raw_html_at(&html, range.start),
            Event::Html(html) => pass.raw_html_at(&html, range.start),
            ref e if heading.is_some() => {
                if let Some(t) = heading_text(e) {
                    pass.buf.push_str(t);
                }
            }
            _ => {}
        }
    }
    // Raw-HTML ids join the set only now: generated slugs do not avoid them.
    let mut ids = pass.slugger.into_ids();
    ids.extend(pass.raw_ids);
    Unresolved {
        facts: Facts {
            ids,
            links: pass.links_found,
            diagnostics: pass.findings,
        },
        ..pass.unresolved
    }
}

struct Pass<'t, 'l> {
    /// The page's path, shared by its findings.
    file: FileName<'t>,
    /// `None` when the references are left for [`Unresolved::resolve`].
    links: Option<&'l dyn Links>,
    kept: KeptLinks,
    /// The references found, when there are no `links` to resolve them against.
    unresolved: Unresolved,
    cursor: LineCursor<'t>,
    slugger: Slugger,
    links_found: Vec<LinkRef>,
    findings: Vec<Diagnostic>,
    /// Raw-HTML `id`/`name` values, in page order.
    raw_ids: Vec<String>,
    /// Text being gathered: a heading's, a front matter block's or an HTML block's. Kept
    /// across uses so that a page allocates it once.
    buf: String,
    /// For an HTML block in `buf`: `(offset in buf, offset in source)` of each piece.
    segments: Vec<(usize, usize)>,
}

impl Pass<'_, '_> {
    /// Gathers the text of the events up to the end event into `buf` (and `segments`).
    fn collect<'a>(
        &mut self,
        events: &mut impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
        is_end: impl Fn(&Event) -> bool,
    ) {
        self.buf.clear();
        self.segments.clear();
        for (event, range) in events {
            if is_end(&event) {
                break;
            }
            if let Some(t) = text_of(&event) {
                self.segments.push((self.buf.len(), range.start));
                self.buf.push_str(t);
            }
        }
    }

    fn reference(&mut self, dest: &str, offset: usize, kind: RefKind) {
        let pos = self.cursor.pos(offset);
        let Some(links) = self.links else {
            let u = &mut self.unresolved;
            u.dests.push_str(dest);
            u.refs.push(RawRef {
                pos,
                dest_end: u.dests.len(),
                kind,
                findings_before: self.findings.len(),
            });
            return;
        };
        let target = resolve_reference(&mut self.findings, &mut self.file, links, pos, dest, kind);
        self.kept.keep(&mut self.links_found, pos, dest, kind, target);
    }

    /// The ids and references of the HTML block gathered in `buf`.
    fn raw_html(&mut self) {
        let html = std::mem::take(&mut self.buf);
        let segments = std::mem::take(&mut self.segments);
        self.scan(&html, &segments);
        self.buf = html;
        self.segments = segments;
    }

    /// The ids and references of inline HTML at `offset` in the source.
    fn raw_html_at(&mut self, html: &str, offset: usize) {
        self.scan(html, &[(0, offset)]);
    }

    fn scan(&mut self, html: &str, segments: &[(usize, usize)]) {
        self.raw_ids.extend(raw_ids(html).map(str::to_string));
        for r in raw_refs(html) {
            self.reference(r.value, source_offset(segments, r.value_start), r.kind);
        }
    }
}
