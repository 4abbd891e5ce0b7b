//! `redirects.json`: pages that moved, so old URLs keep working.
//!
//! ```json
//! {"redirects": {"old/page.md": "new/page.md", "old/section/": "new/index.md#anchor"}}
//! ```
//!
//! Keys are docs-relative paths of what is gone: a removed `.md` page, or a folder ending in
//! `/`. Values are docs-relative pages, optionally with `#anchor`, or absolute URLs. This
//! module parses the file (keeping positions for diagnostics), checks the targets against
//! the site, and writes one small redirect page per key at the old URL.

use jsonc_parser::CollectOptions;
use jsonc_parser::ast::{Object, Value};
use jsonc_parser::common::Ranged;

use crate::build::{PageFacts, closest};
use crate::diag::{Diagnostic, Kind, LineIndex, Pos};
use crate::markdown::{Links, escape_html};
use crate::output::Output;
use crate::paths;
use crate::site::Site;
use crate::source::Source;

/// The file name, in the docs folder.
pub const REDIRECTS_FILE: &str = "redirects.json";

/// Where a redirect leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A docs-relative page path (normalized), maybe with a fragment.
    Page { path: String, fragment: Option<String> },
    /// An absolute URL, used as it is.
    External(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The old docs-relative path: `old/page.md`, or `old/section/` for a folder.
    pub from: String,
    pub to: Destination,
    /// The target as written, for messages.
    pub to_raw: String,
    pub from_pos: Pos,
    pub to_pos: Pos,
}

impl Redirect {
    /// The URL path the old page was served at.
    pub fn old_url(&self) -> String {
        if self.from.ends_with('/') {
            self.from.clone()
        } else {
            paths::page_url(&self.from)
        }
    }
}

/// Reads `redirects.json` if the docs folder has one.
pub fn load(source: &dyn Source, site: &Site) -> (Vec<Redirect>, Vec<Diagnostic>) {
    if !site.has_file(REDIRECTS_FILE) {
        return (Vec::new(), Vec::new());
    }
    let text = match source.read(REDIRECTS_FILE) {
        Ok(bytes) => crate::diag::decode_utf8(REDIRECTS_FILE, bytes),
        Err(e) => Err(Diagnostic::error(
            Kind::Other,
            REDIRECTS_FILE,
            Pos::FILE,
            format!("cannot read: {e}"),
        )),
    };
    match text {
        Ok(text) => parse(&text),
        Err(d) => (Vec::new(), vec![d]),
    }
}

/// Parses the text of `redirects.json`. Every entry that can be understood is returned,
/// with an error for each one that cannot.
pub fn parse(text: &str) -> (Vec<Redirect>, Vec<Diagnostic>) {
    let idx = LineIndex::new(text);
    let pos = |node: &dyn RangedNode| idx.pos(node.start());
    let invalid = |pos: Pos, msg: String| {
        Diagnostic::error(Kind::InvalidRedirects, REDIRECTS_FILE, pos, msg)
            .with_help(r#"the format is {"redirects": {"old/page.md": "new/page.md"}}"#)
    };
    let parsed = match jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &crate::manifest::strict_json()) {
        Ok(p) => p,
        Err(e) => {
            let at = Pos::new(e.line_display(), e.column_display());
            return (Vec::new(), vec![invalid(at, format!("invalid JSON: {}", e.kind()))]);
        }
    };
    let mut diags = Vec::new();
    let Some(Value::Object(root)) = parsed.value else {
        return (
            Vec::new(),
            vec![invalid(Pos::new(1, 1), "expected a JSON object".into())],
        );
    };
    let mut table: Option<&Object> = None;
    for prop in &root.properties {
        match (prop.name.as_str(), &prop.value) {
            ("redirects", Value::Object(obj)) => table = Some(obj),
            ("redirects", other) => diags.push(invalid(pos(other), "`redirects` must be an object".into())),
            (name, _) => diags.push(
                Diagnostic::warning(
                    Kind::UnknownKey,
                    REDIRECTS_FILE,
                    pos(prop),
                    format!("unknown key `{name}` is ignored"),
                )
                .with_help("the only key is `redirects`"),
            ),
        }
    }
    let mut redirects = Vec::new();
    for prop in table.map(|t| t.properties.as_slice()).unwrap_or_default() {
        let key = prop.name.as_str();
        let (from_pos, to_pos) = (pos(prop), pos(&prop.value));
        let Value::StringLit(value) = &prop.value else {
            diags.push(invalid(to_pos, format!("the target of `{key}` must be a string")));
            continue;
        };
        let Some(from) = old_path(key) else {
            diags.push(invalid(
                from_pos,
                format!("`{key}` is not a docs-relative `.md` page or a folder ending in `/`"),
            ));
            continue;
        };
        let raw = value.value.to_string();
        let Some(to) = destination(&raw) else {
            diags.push(invalid(
                to_pos,
                format!("`{raw}` is not a docs-relative page or an absolute URL"),
            ));
            continue;
        };
        redirects.push(Redirect {
            from,
            to,
            to_raw: raw,
            from_pos,
            to_pos,
        });
    }
    (redirects, diags)
}

/// A JSON node's start offset, as an object-safe trait for the `pos` closure.
trait RangedNode {
    fn start(&self) -> usize;
}

impl<T: Ranged> RangedNode for T {
    fn start(&self) -> usize {
        self.range().start
    }
}

fn old_path(key: &str) -> Option<String> {
    let normalized = paths::normalize(key).filter(|p| !p.is_empty())?;
    if key.ends_with('/') {
        Some(format!("{normalized}/"))
    } else {
        paths::is_markdown(&normalized).then_some(normalized)
    }
}

fn destination(raw: &str) -> Option<Destination> {
    if paths::is_external(raw) {
        return Some(Destination::External(raw.to_string()));
    }
    let (path, fragment) = match raw.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (raw, None),
    };
    let path = paths::normalize(path).filter(|p| !p.is_empty())?;
    Some(Destination::Page { path, fragment })
}

/// The page a target path names: the page itself, or a folder's `index.md`/`README.md`.
fn target_page(site: &Site, path: &str) -> Option<usize> {
    let folder = path.trim_end_matches('/');
    site.page_index(path)
        .or_else(|| site.page_index(&format!("{folder}/index.md")))
        .or_else(|| site.page_index(&format!("{folder}/README.md")))
}

/// The page still served at a redirect's old URL, if any.
fn shadowed<'s>(site: &'s Site, r: &Redirect) -> Option<&'s str> {
    let url = r.old_url();
    site.pages.iter().find(|p| p.url == url).map(|p| p.path.as_str())
}

/// Targets must exist (with their anchor), and keys must be gone.
pub(crate) fn check(redirects: &[Redirect], site: &Site, facts: &[Option<PageFacts>]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for r in redirects {
        if let Some(page) = shadowed(site, r) {
            diags.push(
                Diagnostic::warning(
                    Kind::RedirectShadowsPage,
                    REDIRECTS_FILE,
                    r.from_pos,
                    format!("`{}` is still a page (`{page}`); the redirect is ignored", r.from),
                )
                .with_help("delete the page, or remove the redirect"),
            );
        }
        let Destination::Page { path, fragment } = &r.to else {
            continue;
        };
        let missing = |msg: String| {
            Diagnostic::warning(Kind::RedirectTargetMissing, REDIRECTS_FILE, r.to_pos, msg).with_excerpt(&r.to_raw)
        };
        let Some(target) = target_page(site, path) else {
            diags.push(
                missing(format!("redirect target `{}` is not a page", r.to_raw))
                    .with_help("targets are docs-relative paths of existing pages, or absolute URLs"),
            );
            continue;
        };
        let ids: Option<&crate::build::Ids> = facts.get(target).and_then(|f| f.as_ref()).map(|f| &f.ids);
        if let (Some(fragment), Some(ids)) = (fragment.as_deref().filter(|f| !f.is_empty()), ids)
            && !ids.contains(fragment)
        {
            let page = &site.pages[target].path;
            let mut d = missing(format!(
                "redirect target `{}`: `#{fragment}` matches no heading on `{page}`",
                r.to_raw
            ));
            if let Some(best) = closest(fragment, ids) {
                d = d.with_help(format!("did you mean `#{best}`?"));
            }
            diags.push(d);
        }
    }
    diags
}

/// Writes a redirect page at each old URL whose target exists and that no page still uses.
pub(crate) fn write(redirects: &[Redirect], site: &Site, out: &dyn Output) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for r in redirects.iter().filter(|r| shadowed(site, r).is_none()) {
        let old = r.old_url();
        let (href, canonical) = match &r.to {
            Destination::External(url) => (url.clone(), url.clone()),
            Destination::Page { path, fragment } => {
                let Some(target) = target_page(site, path) else {
                    continue;
                };
                let url = &site.pages[target].url;
                let suffix = fragment.as_ref().map(|f| format!("#{f}")).unwrap_or_default();
                let href = format!("{}{suffix}", paths::relative_href(&old, url));
                let canonical = match &site.config.site_url {
                    Some(base) => format!("{base}{}{suffix}", paths::encode_path(url)),
                    None => href.clone(),
                };
                (href, canonical)
            }
        };
        let file = paths::output_file(&old);
        if let Err(e) = out.write(&file, page(&href, &canonical).into_bytes()) {
            diags.push(Diagnostic::error(
                Kind::Other,
                REDIRECTS_FILE,
                r.from_pos,
                format!("cannot write {file}: {e}"),
            ));
        }
    }
    diags
}

/// The redirect page: a meta refresh for browsers, a canonical link for search engines and
/// a visible link for everyone else.
fn page(href: &str, canonical: &str) -> String {
    let href = escape_html(href);
    let canonical = escape_html(canonical);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n\
         <meta http-equiv=\"refresh\" content=\"0; url={href}\">\n<link rel=\"canonical\" href=\"{canonical}\">\n\
         <meta name=\"robots\" content=\"noindex\">\n</head>\n<body>\n\
         <p>This page has moved to <a href=\"{href}\">{href}</a>.</p>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pages_folders_anchors_and_urls_with_positions() {
        let text = "{\"redirects\": {\n  \"old/a.md\": \"new/a.md\",\n  \"old/sec/\": \"./new/index.md#setup\",\n  \"x.md\": \"https://example.com/x\"\n}}";
        let (r, d) = parse(text);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].from, "old/a.md");
        assert_eq!(r[0].old_url(), "old/a/");
        assert_eq!((r[0].from_pos, r[0].to_pos), (Pos::new(2, 3), Pos::new(2, 15)));
        assert_eq!(r[1].old_url(), "old/sec/");
        assert_eq!(
            r[1].to,
            Destination::Page {
                path: "new/index.md".into(),
                fragment: Some("setup".into())
            }
        );
        assert_eq!(r[2].to, Destination::External("https://example.com/x".into()));
    }

    #[test]
    fn bad_entries_are_errors_that_do_not_stop_the_others() {
        let (r, d) = parse(r#"{"redirects": {"a.txt": "b.md", "../c.md": "d.md", "e.md": 3, "f.md": "g.md"}, "x": 1}"#);
        assert_eq!(r.len(), 1);
        let msgs: Vec<String> = d
            .iter()
            .map(|d| d.to_string().lines().next().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            msgs,
            [
                "redirects.json:1:80: warning: unknown key `x` is ignored",
                "redirects.json:1:16: error: `a.txt` is not a docs-relative `.md` page or a folder ending in `/`",
                "redirects.json:1:33: error: `../c.md` is not a docs-relative `.md` page or a folder ending in `/`",
                "redirects.json:1:60: error: the target of `e.md` must be a string",
            ]
        );
        let (_, d) = parse("{\"redirects\": {,}}");
        assert!(d[0].message().starts_with("invalid JSON"), "{d:?}");
    }
}
