//! Markdown → HTML for one page: pulldown-cmark events, transformed on the way to the HTML
//! writer. This module owns the docs dialect: front matter, GitHub heading ids and alerts,
//! tabs, `<children>`, link and image rewriting (in markdown and in raw HTML), bare-URL
//! autolinks and code highlighting. It reads nothing but the page text; what it needs to
//! know about the rest of the site comes through [`Links`].
//!
//! [`facts()`] (in `facts.rs`) is the same dialect read for `docsite check`: the ids, links
//! and findings a render records, from one light walk over the events. Both record through
//! the functions here (slugs, `resolve_reference`, the raw-HTML scanners), so they cannot
//! disagree about a rule.

use std::borrow::Cow;
use std::sync::LazyLock;

use pulldown_cmark::{
    BlockQuoteKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, TextMergeWithOffset,
};
use regex::bytes::Regex;

use crate::diag::{Diagnostic, FileName, Kind, LineCursor, Pos};
use crate::highlight::Highlighter;
use crate::paths::{self, Resolved};
use crate::pattern::{self, ascii};
use crate::slug::Slugger;
use fence::Fence;

/// What the renderer may ask about the site.
pub trait Links: Sync {
    /// The URL path of the page for a docs-relative markdown path, if that page exists.
    fn page_url(&self, path: &str) -> Option<&str>;
    /// Whether a non-markdown file exists at a docs-relative path.
    fn has_file(&self, path: &str) -> bool;
    /// The forge URL of the docs folder, for links that leave it or point at missing files.
    fn repo_url(&self) -> Option<&str>;
}

/// One entry of a `<children></children>` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildLink {
    pub title: String,
    /// Site URL path of the child page (`a/b/`), or `None` for a route without a page.
    pub url: Option<String>,
    pub description: Option<String>,
}

/// The page to render.
pub struct PageInput<'a> {
    /// Docs-relative path of the markdown file.
    pub path: &'a str,
    /// The page's URL path (`a/b/`).
    pub url: &'a str,
    pub text: &'a str,
    /// Manifest children of the route for this page, for `<children></children>`.
    pub children: &'a [ChildLink],
}

/// A heading listed in the on-page table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    /// Inline HTML of the heading text, without links.
    pub html: String,
}

/// Where a link or image on the page points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    External,
    /// `#fragment` on the same page.
    SamePage {
        fragment: String,
    },
    /// Another page (docs-relative markdown path), maybe with a fragment.
    Page {
        path: String,
        fragment: Option<String>,
    },
    /// A non-markdown file inside the docs folder.
    File {
        path: String,
    },
    /// Inside the docs folder, but nothing is there.
    Missing {
        path: String,
    },
    /// Climbs out of the docs folder (`../../LICENSE`).
    Outside,
}

impl Target {
    /// Whether it names an anchor on a page of the site: the targets the anchor check reads.
    pub fn names_anchor(&self) -> bool {
        matches!(self, Target::SamePage { .. } | Target::Page { fragment: Some(_), .. })
    }
}

/// Whether a reference came from a link or an embedded resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Link,
    Image,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub pos: Pos,
    pub dest: String,
    pub kind: RefKind,
    pub target: Target,
}

/// Everything the site needs from one rendered page.
#[derive(Debug, Default)]
pub struct RenderedPage {
    pub html: String,
    pub front_title: Option<String>,
    pub front_description: Option<String>,
    /// Text of the first H1.
    pub h1: Option<String>,
    pub toc: Vec<TocEntry>,
    /// Every id a `#fragment` can target: headings, explicit ids, raw-HTML `id`/`name`.
    pub ids: Vec<String>,
    pub links: Vec<LinkRef>,
    pub diagnostics: Vec<Diagnostic>,
    /// The page's plain text by section, for the search index (only when rendering HTML).
    pub sections: Vec<TextSection>,
}

/// The plain text of one part of a page: what precedes the first heading (empty `id` and
/// `heading`), then one entry per heading. Code blocks and raw HTML are left out.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TextSection {
    pub level: u8,
    pub id: String,
    pub heading: String,
    pub text: String,
}

impl RenderedPage {
    pub fn has_h1(&self) -> bool {
        self.h1.is_some()
    }
}

/// The markdown extensions docsite turns on (GFM plus front matter and `{#id}`).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_GFM
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

/// What a render is for. `docsite check`, which needs only the facts, does not render:
/// it runs [`facts()`].
#[derive(Clone, Copy)]
pub enum Purpose<'h> {
    /// A page of the site: full HTML with highlighted code.
    Html(&'h Highlighter),
    /// The facts and each section's plain text (what the search index is made of), no HTML.
    Text,
}

/// Renders one page.
pub fn render(input: &PageInput, links: &dyn Links, purpose: Purpose) -> RenderedPage {
    let events: Vec<(Event, std::ops::Range<usize>)> =
        TextMergeWithOffset::new(Parser::new_ext(input.text, options()).into_offset_iter()).collect();
    let mut r = Renderer {
        input,
        links,
        purpose,
        idx: LineCursor::new(input.text),
        file: FileName::new(input.path),
        out: Vec::with_capacity(events.len()),
        slugger: Slugger::default(),
        page: RenderedPage::default(),
        link_depth: 0,
        tabs: None,
        task_label: false,
    };
    r.run(events);
    let Renderer { out, mut page, .. } = r;
    if let Purpose::Html(_) = purpose {
        let mut html = String::with_capacity(input.text.len() * 2);
        pulldown_cmark::html::push_html(&mut html, out.into_iter());
        page.html = html;
    }
    page
}

/// State of an open `<div class="tabs">` group.
struct Tabs {
    panel_open: bool,
    /// `<div>`s opened by raw HTML inside the group and not yet closed.
    inner_divs: usize,
}

struct Renderer<'a, 'i> {
    input: &'i PageInput<'i>,
    links: &'i dyn Links,
    purpose: Purpose<'i>,
    idx: LineCursor<'a>,
    /// The page's path, shared by its findings.
    file: FileName<'i>,
    out: Vec<Event<'a>>,
    slugger: Slugger,
    page: RenderedPage,
    /// Inside a link or image: no autolinking there.
    link_depth: usize,
    tabs: Option<Tabs>,
    /// A task item's `<label>` is open around its checkbox and first line.
    task_label: bool,
}

type Spanned<'a> = (Event<'a>, std::ops::Range<usize>);

// Raw HTML is read with ASCII patterns over bytes: see [`crate::pattern`].
static TABS_OPEN: LazyLock<Regex> = LazyLock::new(|| ascii(r#"^<div\s+class\s*=\s*["']tabs["']\s*>$"#));
static CHILDREN: LazyLock<Regex> = LazyLock::new(|| ascii(r"^<children>\s*</children>$"));
static COMMENT: LazyLock<Regex> = LazyLock::new(|| ascii(r"(?s)<!--.*?-->"));
static REF_TAG: LazyLock<Regex> = LazyLock::new(|| ascii(r"(?i)<(a|img|source)\b[^>]*>"));
static REF_ATTR: LazyLock<Regex> =
    LazyLock::new(|| ascii(r#"(?i)\s(href|src|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"#));
static ID_ATTR: LazyLock<Regex> = LazyLock::new(|| ascii(r#"(?i)\s(?:id|name)\s*=\s*["']([^"']+)["']"#));
static DIV_OPEN: LazyLock<Regex> = LazyLock::new(|| ascii(r"(?i)<div\b"));
static DIV_CLOSE: LazyLock<Regex> = LazyLock::new(|| ascii(r"(?i)</div\s*>"));

impl<'a, 'i> Renderer<'a, 'i> {
    /// Queues an event for the HTML writer; a check, which writes no HTML, drops it.
    fn emit(&mut self, event: Event<'a>) {
        let Purpose::Html(_) = self.purpose else { return };
        match event {
            // A task's checkbox is labelled by the item's first line (screen readers name a
            // bare checkbox only "checkbox"): the label ends where that line's inline text does.
            Event::TaskListMarker(done) => {
                let checked = if done { " checked=\"\"" } else { "" };
                self.out.push(Event::InlineHtml(
                    format!("<label class=\"task\"><input type=\"checkbox\" disabled=\"\"{checked}/>\n").into(),
                ));
                self.task_label = true;
                return;
            }
            _ if self.task_label && !is_inline(&event) => {
                self.out.push(Event::InlineHtml("</label>".into()));
                self.task_label = false;
            }
            _ => {}
        }
        self.out.push(event);
    }

    fn run(&mut self, events: Vec<Spanned<'a>>) {
        let mut it = events.into_iter().peekable();
        while let Some((event, range)) = it.next() {
            match event {
                Event::Start(Tag::MetadataBlock(_)) => {
                    let body = take_until(&mut it, |e| matches!(e, Event::End(TagEnd::MetadataBlock(_))));
                    let text: String = body.iter().filter_map(|(e, _)| text_of(e)).collect();
                    self.front_matter(&text, range.start);
                }
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => {
                    let body = take_until(&mut it, |e| matches!(e, Event::End(TagEnd::Heading(_))));
                    self.heading(level, id, classes, attrs, body);
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let body = take_until(&mut it, |e| matches!(e, Event::End(TagEnd::CodeBlock)));
                    let code: String = body.iter().filter_map(|(e, _)| text_of(e)).collect();
                    let fence = Fence::of(&kind);
                    let (path, text) = (self.input.path, self.input.text);
                    let findings = fence_warnings(path, text, &mut self.idx, range.start, &fence, || {
                        fence::count_lines([code.as_str()])
                    });
                    self.page.diagnostics.extend(findings);
                    if let Purpose::Html(h) = self.purpose {
                        self.emit(Event::Html(h.block(fence.lang, &code, &fence.frame).into()));
                    }
                }
                Event::Start(Tag::BlockQuote(Some(kind))) => {
                    let (class, label) = alert(kind);
                    self.emit(Event::Html(
                        format!(
                            "<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>{label}</p>\n"
                        )
                        .into(),
                    ));
                }
                Event::End(TagEnd::BlockQuote(Some(_))) => self.emit(Event::Html("</div>\n".into())),
                Event::Start(Tag::HtmlBlock) => {
                    let body = take_until(&mut it, |e| matches!(e, Event::End(TagEnd::HtmlBlock)));
                    self.html_block(body);
                }
                Event::Start(Tag::Paragraph) => {
                    // Cloning the iterator copies the rest of the page: only do it when the
                    // paragraph starts like the placeholder.
                    let maybe = matches!(it.peek(), Some((Event::InlineHtml(h), _)) if h.starts_with("<children"));
                    if let Some(n) = maybe.then(|| children_placeholder(it.clone())).flatten() {
                        for _ in 0..n {
                            it.next();
                        }
                        self.children();
                    } else {
                        self.emit(Event::Start(Tag::Paragraph));
                    }
                }
                other => self.inline(other, range),
            }
        }
        if self.tabs.take().is_some_and(|t| t.panel_open) {
            self.emit(Event::Html("</div>".into()));
        }
    }

    /// Events that may appear inside any block: links, images, raw inline HTML, text.
    fn inline(&mut self, event: Event<'a>, range: std::ops::Range<usize>) {
        self.collect_text(&event);
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.link_depth += 1;
                let dest_url = match link_type {
                    LinkType::Email => dest_url,
                    _ => self.reference(&dest_url, range.start, RefKind::Link).into(),
                };
                self.emit(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.link_depth += 1;
                let dest_url = self.reference(&dest_url, range.start, RefKind::Image).into();
                self.emit(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                self.link_depth = self.link_depth.saturating_sub(1);
                self.emit(Event::End(end));
            }
            Event::InlineHtml(html) => {
                if is_comment(&html) {
                    return;
                }
                let rewritten = self.raw_html(&html, &[(0, range.start)]);
                self.emit(Event::InlineHtml(rewritten.into()));
            }
            Event::Html(html) => {
                let rewritten = self.raw_html(&html, &[(0, range.start)]);
                self.emit(Event::Html(rewritten.into()));
            }
            Event::Text(text) => {
                let text = match shortcode::replace(&text) {
                    Cow::Borrowed(_) => text,
                    Cow::Owned(shown) => shown.into(),
                };
                if self.link_depth == 0 {
                    self.autolink(text);
                } else {
                    self.emit(Event::Text(text));
                }
            }
            other => self.emit(other),
        }
    }

    /// Adds the text of an event to the current search section; block ends separate words.
    fn collect_text(&mut self, event: &Event) {
        if self.page.sections.is_empty() {
            self.page.sections.push(TextSection::default());
        }
        let Some(section) = self.page.sections.last_mut() else {
            return;
        };
        match event {
            Event::Text(t) | Event::Code(t) => {
                let t = if section.text.ends_with(' ') { t.trim_start() } else { t };
                section.text.push_str(t)
            }
            // Inline ends (emphasis, links) do not separate words; block ends do.
            Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image) => {}
            Event::SoftBreak | Event::HardBreak | Event::End(_) if !section.text.ends_with(' ') => {
                section.text.push(' ')
            }
            _ => {}
        }
    }

    /// GFM's autolink extension: bare `https://…` and `www.…` URLs, and email addresses,
    /// become links.
    fn autolink(&mut self, text: CowStr<'a>) {
        // GFM autolinks need a scheme (`://`), `www.` or an `@`: most text has none, and
        // the link finder costs more than the parse.
        if !text.contains("://") && !text.contains("www.") && !text.contains('@') {
            self.emit(Event::Text(text));
            return;
        }
        let mut finder = linkify::LinkFinder::new();
        finder
            .kinds(&[linkify::LinkKind::Url, linkify::LinkKind::Email])
            .url_must_have_scheme(false);
        let mut spans = finder.spans(&text).peekable();
        if spans
            .peek()
            .is_none_or(|s| s.kind().is_none() && s.as_str().len() == text.len())
        {
            self.emit(Event::Text(text));
            return;
        }
        for span in spans {
            let s = span.as_str();
            // GFM links only URLs with a scheme or a `www.` prefix: `Node.js` stays text.
            let href = match span.kind() {
                Some(linkify::LinkKind::Email) => Some(format!("mailto:{s}")),
                Some(_) if paths::is_external(s) => Some(s.to_string()),
                Some(_) if s.starts_with("www.") => Some(format!("https://{s}")),
                _ => None,
            };
            match href {
                None => self.emit(Event::Text(s.to_string().into())),
                Some(href) => self.emit(Event::InlineHtml(
                    format!("<a href=\"{}\">{}</a>", escape_html(&href), escape_html(s)).into(),
                )),
            }
        }
    }

    fn front_matter(&mut self, yaml: &str, offset: usize) {
        match front_matter(yaml) {
            Ok(FrontMatter { title, description }) => {
                self.page.front_title = title;
                self.page.front_description = description;
            }
            Err(e) => {
                let d = front_matter_warning(self.input.path, self.idx.pos(offset), &e);
                self.page.diagnostics.push(d);
            }
        }
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        explicit_id: Option<CowStr<'a>>,
        classes: Vec<CowStr<'a>>,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
        body: Vec<Spanned<'a>>,
    ) {
        let text: String = body.iter().filter_map(|(e, _)| heading_text(e)).collect();
        // The id is made from the text as written (`:tada:` gives `tada`, as on GitHub); the
        // title and labels show the emoji.
        let id = heading_id(&mut self.slugger, explicit_id.as_deref(), &text);
        let text: String = body
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) => Some(shortcode::replace(t)),
                other => heading_text(other).map(Cow::Borrowed),
            })
            .collect();
        let n = level as u8;
        if n == 1 && self.page.h1.is_none() {
            self.page.h1 = Some(text.trim().to_string());
        }
        if n == 3
            && let Some(tabs) = &mut self.tabs
        {
            let close = if tabs.panel_open { "</div>\n" } else { "" };
            tabs.panel_open = true;
            self.emit(Event::Html(
                format!(
                    "{close}<div class=\"tab-panel\" data-tab-label=\"{}\">\n",
                    escape_html(text.trim())
                )
                .into(),
            ));
        }
        let mut open = format!("<h{n} id=\"{}\"", escape_html(&id));
        if !classes.is_empty() {
            let classes: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
            open.push_str(&format!(" class=\"{}\"", escape_html(&classes.join(" "))));
        }
        for (name, value) in &attrs {
            open.push_str(&format!(
                " {}=\"{}\"",
                escape_html(name),
                escape_html(value.as_deref().unwrap_or(""))
            ));
        }
        open.push('>');
        self.emit(Event::Html(open.into()));
        self.page.sections.push(TextSection {
            level: n,
            id: id.clone(),
            heading: text.trim().to_string(),
            text: String::new(),
        });
        let start = self.out.len();
        for (event, range) in body {
            self.inline(event, range);
        }
        if let Some(section) = self.page.sections.last_mut() {
            // The heading's own words are its `heading`, not its text.
            section.text.clear();
        }
        if n == 2 || n == 3 {
            // TOC entries are links themselves: drop links inside the heading text.
            let inner = self.out[start..]
                .iter()
                .filter(|e| !matches!(e, Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link)))
                .cloned();
            let mut html = String::new();
            if let Purpose::Html(_) = self.purpose {
                pulldown_cmark::html::push_html(&mut html, inner);
            }
            self.page.toc.push(TocEntry {
                level: n,
                id: id.clone(),
                html: html.trim().to_string(),
            });
        }
        self.emit(Event::Html(
            format!(
                "<a class=\"heading-anchor\" href=\"#{0}\" aria-label=\"Link to this section\">#</a></h{n}>\n",
                escape_html(&id)
            )
            .into(),
        ));
        self.page.ids.push(id);
    }

    fn html_block(&mut self, body: Vec<Spanned<'a>>) {
        // Lines of the block, with where each starts in the joined text and in the source.
        let mut joined = String::new();
        let mut segments = Vec::with_capacity(body.len());
        for (event, range) in &body {
            if let Event::Html(t) | Event::Text(t) = event {
                segments.push((joined.len(), range.start));
                joined.push_str(t);
            }
        }
        let trimmed = joined.trim();
        if TABS_OPEN.is_match(trimmed.as_bytes()) {
            if self.tabs.is_none() {
                self.tabs = Some(Tabs {
                    panel_open: false,
                    inner_divs: 0,
                });
                self.emit(Event::Html("<div class=\"tabs\" data-tabs>\n".into()));
                return;
            }
        } else if CHILDREN.is_match(trimmed.as_bytes()) {
            self.children();
            return;
        }
        if let Some(tabs) = &mut self.tabs {
            if trimmed.eq_ignore_ascii_case("</div>") && tabs.inner_divs == 0 {
                let close = if tabs.panel_open { "</div>\n" } else { "" };
                self.tabs = None;
                self.emit(Event::Html(format!("{close}</div>\n").into()));
                return;
            }
            let opened = DIV_OPEN.find_iter(joined.as_bytes()).count();
            let closed = DIV_CLOSE.find_iter(joined.as_bytes()).count();
            tabs.inner_divs = (tabs.inner_divs + opened).saturating_sub(closed);
        }
        let html = self.raw_html(&joined, &segments);
        let html = without_comments(html);
        if !html.trim().is_empty() {
            self.emit(Event::Html(html.into()));
        }
    }

    /// Rewrites `href`/`src`/`srcset` of `<a>`, `<img>` and `<source>` in raw HTML like markdown links,
    /// and records `id`/`name` attributes as anchor targets. `segments` maps offsets in
    /// `html` to offsets in the page source: `(offset in html, offset in source)`, sorted.
    fn raw_html(&mut self, html: &str, segments: &[(usize, usize)]) -> String {
        self.page.ids.extend(raw_ids(html).map(str::to_string));
        let mut out = String::with_capacity(html.len() + 16);
        let mut last = 0;
        for r in raw_refs(html) {
            let new = self.reference(r.value, source_offset(segments, r.value_start), r.kind);
            if new == r.value {
                continue;
            }
            match r.place {
                RefPlace::Attribute(attr) => {
                    out.push_str(&html[last..attr.start]);
                    out.push_str(&format!(" {}=\"{}\"", r.name, escape_html(&new)));
                    last = attr.end;
                }
                RefPlace::Url => {
                    out.push_str(&html[last..r.value_start]);
                    out.push_str(&escape_html(&new));
                    last = r.value_start + r.value.len();
                }
            }
        }
        out.push_str(&html[last..]);
        out
    }

    /// Resolves a link or image destination, records it, and returns the href to emit.
    fn reference(&mut self, dest: &str, offset: usize, kind: RefKind) -> String {
        let pos = self.idx.pos(offset);
        let target = resolve_reference(&mut self.page.diagnostics, &mut self.file, self.links, pos, dest, kind);
        let href = href(dest, &target, self.input, self.links);
        self.page.links.push(LinkRef {
            pos,
            dest: dest.to_string(),
            kind,
            target,
        });
        href
    }

    fn children(&mut self) {
        let children = self.input.children;
        if children.is_empty() {
            return;
        }
        let mut html = String::from("<ul class=\"children-list\">\n");
        for child in children {
            html.push_str("<li>");
            match &child.url {
                Some(url) => html.push_str(&format!(
                    "<a href=\"{}\">{}</a>",
                    escape_html(&paths::relative_href(self.input.url, url)),
                    escape_html(&child.title)
                )),
                None => html.push_str(&format!("<span>{}</span>", escape_html(&child.title))),
            }
            if let Some(desc) = &child.description {
                html.push_str(&format!(
                    "<span class=\"child-description\">{}</span>",
                    escape_html(desc)
                ));
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ul>\n");
        self.emit(Event::Html(html.into()));
    }
}

/// Resolves a reference on page `file`; its finding, when it is broken or leaves the docs
/// folder, goes to `findings`. The renderer and [`facts()`] both resolve through here, so a
/// check finds what a build reports.
fn resolve_reference(
    findings: &mut Vec<Diagnostic>,
    file: &mut FileName,
    links: &dyn Links,
    pos: Pos,
    dest: &str,
    kind: RefKind,
) -> Target {
    let page_path = file.path();
    let target = resolve(dest, page_path, links);
    let what = match kind {
        RefKind::Link => "link",
        RefKind::Image => "image",
    };
    match &target {
        Target::Missing { path } => {
            // A link to `x.md` or to an extensionless path (a folder) wants a page; an
            // image, or a link to `x.pdf`, wants a file.
            let name = path.rsplit('/').next().unwrap_or(path);
            let wants_page = kind == RefKind::Link && (paths::is_markdown(path) || !name.contains('.'));
            let (kind, help) = if wants_page {
                (Kind::BrokenLink, "check the file name, or add the page")
            } else {
                (Kind::MissingFile, "add the file to the docs folder, or fix the path")
            };
            // Most findings of a big site are these (26k of 27.6k at 10k pages): the message
            // is made in one allocation of its size, where `format!` grows it once or twice.
            let message = concat(&[
                "broken ",
                what,
                ": `",
                dest,
                "` points to `",
                path,
                "`, which does not exist",
            ]);
            // Where `dest` is quoted in the message: the excerpt is kept as that place.
            let quoted = "broken ".len() + what.len() + ": `".len();
            let d = Diagnostic::warning(kind, file.get(), pos, message);
            findings.push(d.with_help(help).with_excerpt_in_message(quoted..quoted + dest.len()));
        }
        Target::Outside => {
            let help = match forge_href(dest, &target, page_path, links.repo_url()) {
                Some(href) => format!("it links to the file on the forge instead: {href}"),
                None => "set repo_url (or --repo-url) to link such files on the forge".to_string(),
            };
            let d = Diagnostic::warning(
                Kind::LinkLeavesDocs,
                file.get(),
                pos,
                format!("{what} `{dest}` leaves the docs folder"),
            );
            findings.push(d.with_help(help).with_excerpt(dest));
        }
        _ => {}
    }
    target
}

/// The parts one after another, in a string of exactly their size.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|p| out.push_str(p));
    out
}

/// Where a link or image destination written on page `page_path` points.
fn resolve(dest: &str, page_path: &str, links: &dyn Links) -> Target {
    if dest.is_empty() || paths::is_external(dest) {
        return Target::External;
    }
    let (path, query, fragment) = paths::split_link(dest);
    if path.is_empty() {
        return match fragment {
            Some(f) if query.is_none() => Target::SamePage {
                fragment: paths::decode_path(f),
            },
            _ => Target::External,
        };
    }
    let resolved = match join_dest(page_path, path) {
        Resolved::Inside(p) => p,
        Resolved::Outside { .. } => return Target::Outside,
    };
    let fragment = fragment.map(paths::decode_path);
    if links.page_url(&resolved).is_some() {
        return Target::Page {
            path: resolved,
            fragment,
        };
    }
    if links.has_file(&resolved) {
        return Target::File { path: resolved };
    }
    // A folder link (`guide/` or `guide`) means the folder's page. The candidates are
    // tried in the resolved path itself, cut back after: most are missing pages.
    let mut candidate = resolved;
    let len = candidate.len();
    if !candidate.is_empty() {
        candidate.push('/');
    }
    let folder = candidate.len();
    for index in ["index.md", "README.md"] {
        candidate.truncate(folder);
        candidate.push_str(index);
        if links.page_url(&candidate).is_some() {
            return Target::Page {
                path: candidate,
                fragment,
            };
        }
    }
    candidate.truncate(len);
    Target::Missing { path: candidate }
}

/// Where the path part of a destination on page `page_path` lands.
fn join_dest(page_path: &str, path: &str) -> Resolved {
    paths::join(paths::parent_dir(page_path), &paths::decoded(path))
}

/// The href the renderer writes for `dest`, which resolved to `target`: relative to the
/// page for pages and files, on the forge for what is not in the docs (when there is a
/// forge), else as written.
fn href(dest: &str, target: &Target, input: &PageInput, links: &dyn Links) -> String {
    let href = match target {
        Target::Page { path, .. } => links
            .page_url(path)
            .map(|url| with_suffix(paths::relative_href(input.url, url), dest)),
        Target::File { path } => Some(with_suffix(paths::relative_href(input.url, path), dest)),
        Target::Missing { .. } | Target::Outside => forge_href(dest, target, input.path, links.repo_url()),
        Target::External | Target::SamePage { .. } => None,
    };
    href.unwrap_or_else(|| dest.to_string())
}

/// The forge URL of a missing or outside reference, when there is a forge.
fn forge_href(dest: &str, target: &Target, page_path: &str, repo_url: Option<&str>) -> Option<String> {
    let repo = repo_url?;
    let url = match target {
        Target::Missing { path } => forge_url(repo, 0, path),
        Target::Outside => match join_dest(page_path, paths::split_link(dest).0) {
            Resolved::Outside { ups, rest } => forge_url(repo, ups, &rest),
            Resolved::Inside(_) => return None,
        },
        _ => return None,
    };
    Some(with_suffix(url, dest))
}

/// `href` with the query and fragment of `dest`.
fn with_suffix(mut href: String, dest: &str) -> String {
    let (_, query, fragment) = paths::split_link(dest);
    if let Some(q) = query {
        href.push('?');
        href.push_str(q);
    }
    if let Some(f) = fragment {
        href.push('#');
        href.push_str(f);
    }
    href
}

/// An `href` of `<a>`, a `src` of `<img>` or `<source>`, or one of the URLs of their
/// `srcset` (`<source srcset="logo-dark.png 1x, logo-dark@2x.png 2x">`), in raw HTML.
struct RawRef<'h> {
    kind: RefKind,
    /// The attribute name as written.
    name: &'h str,
    value: &'h str,
    /// Where the value starts in the HTML.
    value_start: usize,
    /// What a rewrite replaces.
    place: RefPlace,
}

/// The text a rewritten raw-HTML reference replaces.
enum RefPlace {
    /// The whole attribute, with its leading space: it is written again, quoted (the value
    /// may have been unquoted or single-quoted).
    Attribute(std::ops::Range<usize>),
    /// Only the URL, one of several in a `srcset`, inside the attribute's quotes.
    Url,
}

/// The references of raw HTML, in order.
fn raw_refs(html: &str) -> impl Iterator<Item = RawRef<'_>> {
    let html = with_attributes(html);
    REF_TAG.captures_iter(html.as_bytes()).flat_map(move |tag| {
        let is_link = tag.get(1).is_some_and(|n| n.as_bytes().eq_ignore_ascii_case(b"a"));
        let (tag_text, tag_start) = tag.get(0).map_or(("", 0), |m| (pattern::text(html, m), m.start()));
        REF_ATTR
            .captures_iter(tag_text.as_bytes())
            .filter_map(move |attr| {
                let name = pattern::text(tag_text, attr.get(1)?);
                if is_link != name.eq_ignore_ascii_case("href") {
                    return None;
                }
                let value = attr.get(2).or(attr.get(3)).or(attr.get(4))?;
                let whole_attr = attr.get(0)?;
                let (value_text, value_start) = (pattern::text(tag_text, value), tag_start + value.start());
                // A `srcset` is several references, any other attribute one.
                let srcset = name.eq_ignore_ascii_case("srcset");
                let whole = (!srcset).then(|| RawRef {
                    kind: if is_link { RefKind::Link } else { RefKind::Image },
                    name,
                    value: value_text,
                    value_start,
                    place: RefPlace::Attribute(tag_start + whole_attr.start()..tag_start + whole_attr.end()),
                });
                let urls = srcset.then(|| srcset_urls(value_text)).into_iter().flatten();
                Some(whole.into_iter().chain(urls.map(move |(at, url)| RawRef {
                    kind: RefKind::Image,
                    name,
                    value: url,
                    value_start: value_start + at,
                    place: RefPlace::Url,
                })))
            })
            .flatten()
    })
}

/// The URLs of a `srcset` value, each with where it starts in it: candidates are separated
/// by commas, each a URL (which may hold commas itself, as a `data:` URL does) and
/// optionally a descriptor such as `2x` or `480w`.
fn srcset_urls(value: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut i = 0;
    std::iter::from_fn(move || {
        let bytes = value.as_bytes();
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let url = value[start..i].trim_end_matches(',');
        let ended = url.len() < i - start;
        // The descriptors, up to the comma that ends the candidate.
        if !ended {
            while i < bytes.len() && bytes[i] != b',' {
                i += 1;
            }
        }
        Some((start, url))
    })
}

/// The `id` and `name` attribute values of raw HTML: anchor targets.
fn raw_ids(html: &str) -> impl Iterator<Item = &str> {
    let html = with_attributes(html);
    ID_ATTR
        .captures_iter(html.as_bytes())
        .filter_map(|cap| cap.get(1))
        .map(|m| pattern::text(html, m))
}

/// `html` without its comments.
fn without_comments(html: String) -> String {
    let mut comments = COMMENT.find_iter(html.as_bytes()).peekable();
    if comments.peek().is_none() {
        return html;
    }
    let mut kept = String::with_capacity(html.len());
    let mut last = 0;
    for comment in comments {
        kept.push_str(html.get(last..comment.start()).unwrap_or_default());
        last = comment.end();
    }
    kept.push_str(html.get(last..).unwrap_or_default());
    kept
}

/// `html`, or nothing when it has no `=`: every attribute the raw-HTML patterns read has
/// one, and most inline HTML (`<br>`, `</div>`, `<kbd>`) has none, so it is not searched.
fn with_attributes(html: &str) -> &str {
    if html.contains('=') { html } else { "" }
}

/// The source offset of offset `at` in HTML joined from `segments`: `(offset in html,
/// offset in source)`, sorted.
fn source_offset(segments: &[(usize, usize)], at: usize) -> usize {
    let i = segments.partition_point(|&(h, _)| h <= at).saturating_sub(1);
    segments.get(i).map_or(0, |&(h, s)| s + (at - h))
}

/// Whether inline HTML is a comment, which is dropped unread.
fn is_comment(html: &str) -> bool {
    html.trim_start().starts_with("<!--")
}

/// The part of a heading's text an event holds (its id is made of these).
fn heading_text<'e>(event: &'e Event) -> Option<&'e str> {
    match event {
        Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
        _ => None,
    }
}

/// A heading's id: its explicit `{#id}`, or the next unique slug of its text.
fn heading_id(slugger: &mut Slugger, explicit: Option<&str>, text: &str) -> String {
    match explicit {
        Some(id) => {
            slugger.reserve(id);
            id.to_string()
        }
        None => slugger.slug(text),
    }
}

/// What the front matter sets.
struct FrontMatter {
    title: Option<String>,
    description: Option<String>,
}

/// Reads a front matter block (without its `---` lines).
fn front_matter(yaml: &str) -> Result<FrontMatter, yaml_rust2::ScanError> {
    use yaml_rust2::{Yaml, YamlLoader};
    let docs = YamlLoader::load_from_str(yaml)?;
    let Some(Yaml::Hash(map)) = docs.into_iter().next() else {
        return Ok(FrontMatter {
            title: None,
            description: None,
        });
    };
    let get = |key: &str| {
        map.get(&Yaml::String(key.to_string())).and_then(|v| match v {
            Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
            Yaml::Integer(i) => Some(i.to_string()),
            Yaml::Boolean(b) => Some(b.to_string()),
            _ => None,
        })
    };
    Ok(FrontMatter {
        title: get("title").filter(|t| !t.trim().is_empty()),
        description: get("description"),
    })
}

/// The finding for front matter that is not valid YAML; `block` is where the block starts
/// (its opening `---`).
fn front_matter_warning(path: &str, block: Pos, e: &yaml_rust2::ScanError) -> Diagnostic {
    // The YAML starts after the opening `---` line.
    let start = block.line + 1;
    let m = e.marker();
    let pos = Pos::new(start + m.line().saturating_sub(1), m.col() + 1);
    Diagnostic::warning(
        Kind::InvalidFrontMatter,
        path,
        pos,
        format!("front matter is not valid YAML: {}", e.info()),
    )
    .with_help("front matter is ignored; quote values that contain `:` or `#`")
}

/// The forge URL of a path relative to the docs folder that climbs `ups` levels first.
fn forge_url(repo: &str, ups: usize, rest: &str) -> String {
    let repo = repo.trim_end_matches('/');
    // Keep the scheme and host: never climb above `https://host`.
    let floor = repo
        .find("://")
        .map_or(0, |i| repo[i + 3..].find('/').map_or(repo.len(), |j| i + 3 + j));
    let mut base = repo.to_string();
    for _ in 0..ups {
        match base.rfind('/') {
            Some(i) if i >= floor => base.truncate(i),
            _ => break,
        }
    }
    if rest.is_empty() {
        base
    } else {
        format!("{base}/{}", paths::encode_path(rest))
    }
}

fn alert(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// The findings of a fence's options (see [`fence`]), each at its place in the info
/// string, which is found in the page's text when pulldown-cmark lent it from there
/// (else the fence's start). `lines` counts the block's lines, asked only when lines
/// are marked.
fn fence_warnings(
    path: &str,
    text: &str,
    cursor: &mut LineCursor,
    fence_start: usize,
    fence: &Fence,
    lines: impl FnOnce() -> usize,
) -> Vec<Diagnostic> {
    let past_end = fence.has_marks().then(|| fence.marks_past_end(lines())).flatten();
    let problems = fence.problems.iter().chain(&past_end);
    let info_at = (fence.info.as_ptr() as usize)
        .checked_sub(text.as_ptr() as usize)
        .filter(|&at| at + fence.info.len() <= text.len());
    problems
        .map(|p| {
            let pos = cursor.pos(info_at.map_or(fence_start, |at| at + p.at));
            Diagnostic::warning(Kind::CodeBlockOption, path, pos, p.message.clone()).with_help(fence::OPTIONS_HELP)
        })
        .collect()
}

/// Whether an event stays inside a line of text (no block starts or ends with it).
fn is_inline(event: &Event) -> bool {
    match event {
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
        ),
        Event::End(tag) => matches!(
            tag,
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image
        ),
        Event::Html(_) | Event::Rule | Event::DisplayMath(_) => false,
        _ => true,
    }
}

fn text_of<'e>(event: &'e Event) -> Option<&'e str> {
    match event {
        Event::Text(t) | Event::Html(t) => Some(t.as_ref()),
        _ => None,
    }
}

/// Takes the events up to and including the end event; returns those before it.
fn take_until<'a, I>(it: &mut I, is_end: impl Fn(&Event) -> bool) -> Vec<Spanned<'a>>
where
    I: Iterator<Item = Spanned<'a>>,
{
    let mut body = Vec::new();
    for (event, range) in it.by_ref() {
        if is_end(&event) {
            break;
        }
        body.push((event, range));
    }
    body
}

/// If the paragraph that just started holds only `<children></children>`, the number of
/// events to skip (through its end).
fn children_placeholder<'a>(mut it: impl Iterator<Item = Spanned<'a>>) -> Option<usize> {
    let mut text = String::new();
    let mut n = 0;
    loop {
        let (event, _) = it.next()?;
        n += 1;
        match event {
            Event::End(TagEnd::Paragraph) => break,
            Event::InlineHtml(h) => text.push_str(&h),
            Event::SoftBreak => {}
            Event::Text(t) if t.trim().is_empty() => {}
            _ => return None,
        }
    }
    CHILDREN.is_match(text.trim().as_bytes()).then_some(n)
}

mod facts;
pub mod fence;
mod shortcode;
pub use facts::{Facts, KeptLinks, Unresolved, facts, unresolved_facts};

#[cfg(test)]
mod tests;
