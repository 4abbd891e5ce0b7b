//! Page templates: turns a rendered page plus the site model into a full HTML document
//! with Tera, and builds the per-page template context (sidebar, breadcrumbs, TOC,
//! previous/next). Nothing here reads files.

use std::collections::HashSet;

use serde::Serialize;
use tera::{Context, Tera};

use crate::diag::{Diagnostic, Kind, Pos};
use crate::git::Revision;
use crate::manifest::RouteId;
use crate::markdown::{RenderedPage, TocEntry};
use crate::paths;
use crate::site::Site;
use crate::slug::slugify;
use crate::theme::{ASSETS_DIR, Theme};

pub struct Renderer {
    tera: Tera,
    inline_css: String,
    /// Whether some template reads the `nav` tree (the default theme uses `nav_html`);
    /// serializing the tree for every page costs as much as rendering it.
    wants_nav_tree: bool,
    /// Pages (docs-relative paths) that get a "changed" badge in the sidebar: a preview's.
    changed: HashSet<String>,
}

#[derive(Serialize)]
struct SiteCtx<'a> {
    title: &'a str,
    root: String,
    assets: String,
    lang: &'a str,
    repo_url: Option<&'a str>,
    /// Whether the site has a search index (the search box loads it).
    search: bool,
}

#[derive(Serialize)]
struct PageCtx<'a> {
    title: &'a str,
    description: Option<&'a str>,
    content: &'a str,
    has_h1: bool,
    toc: &'a [TocEntry],
    breadcrumbs: Vec<LinkCtx<'a>>,
    prev: Option<LinkCtx<'a>>,
    next: Option<LinkCtx<'a>>,
    edit_url: Option<String>,
    canonical: Option<String>,
    states: Vec<StateCtx<'a>>,
    /// When the page last changed in git: `{date, commit}`.
    updated: Option<&'a Revision>,
}

#[derive(Serialize)]
struct LinkCtx<'a> {
    title: &'a str,
    url: Option<String>,
}

#[derive(Serialize)]
struct StateCtx<'a> {
    label: &'a str,
    slug: String,
}

/// Above this many top-level routes, pages carry only their own top-level branch and the
/// full top-level list ships once, in `_docsite/nav.js`: otherwise every page would repeat
/// the whole list and page size would grow with the site.
pub const NAV_INLINE_ROOTS: usize = 40;

/// Whether this site ships its top-level navigation in `_docsite/nav.js`.
pub fn nav_deferred(site: &Site) -> bool {
    site.manifest.roots.len() > NAV_INLINE_ROOTS
}

/// The script that holds the top-level navigation of a large site: an array of entries
/// `{t: title, u: URL from the site root or null, i: icon or null, s: [[label, slug]],
/// c: has children, k: children (only for entries without a page of their own)}`.
pub fn nav_script(site: &Site) -> String {
    nav_script_marking(site, &HashSet::new())
}

/// [`nav_script`] with the "changed" badge on the `changed` pages, as the sidebar has it.
fn nav_script_marking(site: &Site, changed: &HashSet<String>) -> String {
    fn entry(site: &Site, id: RouteId, changed: &HashSet<String>) -> serde_json::Value {
        let r = &site.manifest.routes[id];
        let url = site.route_url(id).map(paths::encode_path);
        let mut badges: Vec<[String; 2]> = r.states.iter().map(|s| [s.clone(), slugify(s)]).collect();
        if r.path.as_ref().is_some_and(|p| changed.contains(p)) {
            badges.push(["changed".into(), "changed".into()]);
        }
        let mut e = serde_json::json!({
            "t": r.title,
            "u": url,
            "i": r.icon_path.as_deref().map(paths::encode_path),
            "s": badges,
            "c": !r.children.is_empty(),
        });
        if url.is_none() && !r.children.is_empty() {
            e["k"] = r.children.iter().map(|&c| entry(site, c, changed)).collect();
        }
        e
    }
    let entries: Vec<serde_json::Value> = site.manifest.roots.iter().map(|&r| entry(site, r, changed)).collect();
    format!("window.docsiteNav={};\n", serde_json::Value::Array(entries))
}

#[derive(Serialize)]
struct NavItem<'a> {
    title: &'a str,
    url: Option<String>,
    icon: Option<String>,
    states: Vec<StateCtx<'a>>,
    current: bool,
    /// Changed by the pull request this preview shows.
    changed: bool,
    open: bool,
    has_children: bool,
    children: Vec<NavItem<'a>>,
    /// Position among the top-level routes, when the list is shipped in `nav.js`.
    #[serde(skip)]
    root_index: Option<usize>,
}

impl Renderer {
    pub fn new(theme: &Theme) -> Result<Renderer, Diagnostic> {
        let mut tera = Tera::default();
        // Tera's default escaper also escapes `/`, which bloats every relative URL.
        tera.set_escape_fn(escape);
        tera.add_raw_templates(theme.templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error("templates", &e))?;
        for required in ["page.html", "404.html"] {
            if !theme.templates.contains_key(required) {
                return Err(Diagnostic::error(
                    Kind::Other,
                    format!("templates/{required}"),
                    Pos::FILE,
                    "template is missing",
                ));
            }
        }
        let wants_nav_tree = theme.templates.values().any(|t| uses_variable(t, "nav"));
        Ok(Renderer {
            tera,
            inline_css: theme.css().to_string(),
            wants_nav_tree,
            changed: HashSet::new(),
        })
    }

    /// Marks these pages (docs-relative paths) "changed" in the sidebar.
    pub fn mark_changed(&mut self, pages: HashSet<String>) {
        self.changed = pages;
    }

    /// [`nav_script`], with this renderer's "changed" badges.
    pub fn nav_script(&self, site: &Site) -> String {
        nav_script_marking(site, &self.changed)
    }

    /// The full HTML document of one page.
    pub fn page(
        &self,
        site: &Site,
        index: usize,
        rendered: &RenderedPage,
        updated: Option<&Revision>,
    ) -> Result<String, Diagnostic> {
        let page = &site.pages[index];
        let route = page.primary_route().map(|r| &site.manifest.routes[r]);
        let url = page.url.as_str();
        let href = |to: &str| paths::relative_href(url, to);
        let link = |i: usize| {
            let p = &site.pages[i];
            let title = p
                .primary_route()
                .map_or(p.path.as_str(), |r| site.manifest.routes[r].title.as_str());
            LinkCtx {
                title,
                url: Some(href(&p.url)),
            }
        };
        let title = page_title(site, index, rendered);
        let (prev, next) = site.neighbours(index);
        let breadcrumbs = match page.primary_route() {
            Some(r) => site
                .manifest
                .ancestors(r)
                .into_iter()
                .map(|a| LinkCtx {
                    title: &site.manifest.routes[a].title,
                    url: site.route_url(a).map(href),
                })
                .collect(),
            None => Vec::new(),
        };
        let ctx_page = PageCtx {
            title,
            description: rendered
                .front_description
                .as_deref()
                .or(route.and_then(|r| r.description.as_deref())),
            content: &rendered.html,
            has_h1: rendered.has_h1(),
            toc: &rendered.toc,
            breadcrumbs,
            prev: prev.map(link),
            next: next.map(link),
            edit_url: site
                .config
                .repo_url
                .as_deref()
                .map(|repo| format!("{}/{}", edit_base(repo), paths::encode_path(&page.path))),
            canonical: site
                .config
                .site_url
                .as_deref()
                .map(|s| format!("{s}{}", paths::encode_path(url))),
            states: route.map(|r| states(&r.states)).unwrap_or_default(),
            updated,
        };
        let mut ctx = Context::new();
        ctx.insert("site", &self.site_ctx(site, url));
        ctx.insert("page", &ctx_page);
        let nav = nav(site, index, &self.changed);
        let mut nav_html = String::with_capacity(4096);
        let deferred = nav_deferred(site).then(|| format!("{}{ASSETS_DIR}/nav.js", paths::root_prefix(url)));
        nav_list(&mut nav_html, &nav, "dsnav", 0, false, deferred.as_deref());
        ctx.insert("nav_html", &nav_html);
        if self.wants_nav_tree {
            ctx.insert("nav", &nav);
        }
        self.tera
            .render("page.html", &ctx)
            .map_err(|e| template_error("templates/page.html", &e))
    }

    /// The stand-alone not-found page.
    pub fn not_found(&self, site: &Site) -> Result<String, Diagnostic> {
        let mut ctx = Context::new();
        // The 404 page is served at any depth, so it cannot use relative URLs.
        let home = site.config.site_url.clone().unwrap_or_else(|| "/".into());
        ctx.insert(
            "site",
            &serde_json::json!({ "title": site.config.title, "home": home, "lang": "en" }),
        );
        ctx.insert("inline_css", &self.inline_css);
        self.tera
            .render("404.html", &ctx)
            .map_err(|e| template_error("templates/404.html", &e))
    }

    fn site_ctx<'a>(&self, site: &'a Site, url: &str) -> SiteCtx<'a> {
        let root = paths::root_prefix(url);
        SiteCtx {
            title: &site.config.title,
            assets: format!("{root}{ASSETS_DIR}/"),
            root,
            lang: "en",
            repo_url: site.config.repo_url.as_deref(),
            search: site.config.search == crate::search::SearchIndex::Build,
        }
    }
}

/// A page's title: front matter, else its first H1, else its route's title, else its file name.
pub fn page_title<'a>(site: &'a Site, index: usize, rendered: &'a RenderedPage) -> &'a str {
    let page = &site.pages[index];
    let route = page.primary_route().map(|r| &site.manifest.routes[r]);
    rendered
        .front_title
        .as_deref()
        .or(rendered.h1.as_deref())
        .or(route.map(|r| r.title.as_str()))
        .unwrap_or_else(|| page.path.rsplit('/').next().unwrap_or(&page.path))
}

/// Whether a Tera template mentions `name` inside a `{{ }}` or `{% %}` tag.
fn uses_variable(template: &str, name: &str) -> bool {
    static TAG: std::sync::LazyLock<regex::bytes::Regex> =
        std::sync::LazyLock::new(|| crate::pattern::ascii(r"(?s)\{[{%].*?[}%]\}"));
    TAG.find_iter(template.as_bytes()).any(|tag| {
        let t = crate::pattern::text(template, tag);
        t.match_indices(name).any(|(i, _)| {
            let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
            let before = t[..i].chars().next_back().is_none_or(|c| !word(c));
            let after = t[i + name.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            before && after
        })
    })
}

fn escape(s: &str) -> String {
    crate::markdown::escape_html(s)
}

/// GitHub's "edit" view of a file is its `blob` URL with `edit` in place of `blob`.
fn edit_base(repo: &str) -> String {
    repo.replacen("/blob/", "/edit/", 1)
}

fn states(list: &[String]) -> Vec<StateCtx<'_>> {
    list.iter()
        .map(|s| StateCtx {
            label: s,
            slug: slugify(s),
        })
        .collect()
}

/// The sidebar for one page. Only the branches that lead to the page are expanded, so a
/// page's size does not grow with the size of the whole site.
fn nav<'a>(site: &'a Site, index: usize, changed: &HashSet<String>) -> Vec<NavItem<'a>> {
    let page = &site.pages[index];
    let mut open = vec![false; site.manifest.routes.len()];
    for &r in &page.routes {
        open[r] = true;
        for a in site.manifest.ancestors(r) {
            open[a] = true;
        }
    }
    let ctx = NavCtx {
        site,
        url: &page.url,
        open: &open,
        current: &page.routes,
        changed,
    };
    if !nav_deferred(site) {
        return ctx.items(&site.manifest.roots);
    }
    // Only the page's own top-level branch; the script fills in the rest.
    let mut items = Vec::new();
    for (i, &root) in site.manifest.roots.iter().enumerate() {
        if open[root] {
            let mut item = ctx.items(&[root]).remove(0);
            item.root_index = Some(i);
            items.push(item);
        }
    }
    items
}

struct NavCtx<'a, 'o> {
    site: &'a Site,
    url: &'a str,
    open: &'o [bool],
    current: &'a [RouteId],
    changed: &'o HashSet<String>,
}

impl<'a> NavCtx<'a, '_> {
    fn items(&self, ids: &[RouteId]) -> Vec<NavItem<'a>> {
        ids.iter()
            .map(|&id| {
                let r = &self.site.manifest.routes[id];
                let open = self.open[id];
                NavItem {
                    title: &r.title,
                    url: self.site.route_url(id).map(|u| paths::relative_href(self.url, u)),
                    icon: r.icon_path.as_deref().map(|i| paths::relative_href(self.url, i)),
                    states: states(&r.states),
                    current: self.current.contains(&id),
                    changed: r.path.as_ref().is_some_and(|p| self.changed.contains(p)),
                    open,
                    has_children: !r.children.is_empty(),
                    // A section without a page of its own cannot be visited to expand it,
                    // so its children are always listed (collapsed unless open).
                    children: if open || r.path.is_none() {
                        self.items(&r.children)
                    } else {
                        Vec::new()
                    },
                    root_index: None,
                }
            })
            .collect()
    }
}

/// The sidebar as HTML: the same markup as the `nav_list` macro in `templates/macros.html`
/// (a test keeps the two equal), written directly because Tera spends more time on the
/// recursive macro than on all the rest of a page. Themes can still render `nav` themselves.
///
/// On a site whose top-level list ships in `nav.js`, `rest` is that script's URL: the root
/// list names it and its items carry their top-level position, for the script to merge.
fn nav_list(out: &mut String, items: &[NavItem], prefix: &str, depth: usize, collapsed: bool, rest: Option<&str>) {
    use std::fmt::Write;
    let e = crate::markdown::escape_html;
    out.push_str("<ul class=\"nav-list");
    if collapsed {
        out.push_str(" is-collapsed");
    }
    out.push('"');
    if depth > 0 {
        let _ = write!(out, " id=\"{}\"", e(prefix));
    }
    if let Some(rest) = rest {
        let _ = write!(out, " data-nav-rest=\"{}\"", e(rest));
    }
    out.push('>');
    for (i, item) in items.iter().enumerate() {
        // Ids follow manifest positions, so items nav.js adds around this one cannot clash.
        let id = format!("{prefix}-{}", item.root_index.unwrap_or(i) + 1);
        let expandable = !item.children.is_empty();
        // State classes only: most entries have none, and a class on every entry was 17
        // bytes times the whole sidebar on every page.
        let state = [
            (item.current, "is-current"),
            (item.has_children, "has-children"),
            (item.open, "is-open"),
        ];
        out.push_str("\n<li");
        for (k, class) in state.iter().filter(|(on, _)| *on).map(|(_, c)| c).enumerate() {
            out.push_str(if k == 0 { " class=\"" } else { " " });
            out.push_str(class);
        }
        if state.iter().any(|(on, _)| *on) {
            out.push('"');
        }
        if let Some(i) = item.root_index {
            let _ = write!(out, " data-root=\"{i}\"");
        }
        out.push_str("><div class=\"nav-row\">");
        let icon = |out: &mut String| {
            if let Some(icon) = &item.icon {
                let _ = write!(out, "<img class=\"nav-icon\" src=\"{}\" alt=\"\">", e(icon));
            }
        };
        let title = |out: &mut String| {
            let _ = write!(out, "<span class=\"nav-title\">{}", e(item.title));
            for s in &item.states {
                let _ = write!(out, " <span class=\"badge badge-{}\">{}</span>", e(&s.slug), e(s.label));
            }
            if item.changed {
                out.push_str(" <span class=\"badge badge-changed\">changed</span>");
            }
            out.push_str("</span>");
        };
        if let Some(url) = &item.url {
            let _ = write!(out, "<a class=\"nav-link\" href=\"{}\"", e(url));
            if item.current {
                out.push_str(" aria-current=\"page\"");
            }
            out.push('>');
            icon(out);
            title(out);
            out.push_str("</a>");
            if expandable {
                let _ = write!(
                    out,
                    "<button type=\"button\" class=\"nav-toggle\" data-nav-toggle aria-expanded=\"{}\" aria-controls=\"{id}\" aria-label=\"Toggle {}\"></button>",
                    item.open,
                    e(item.title)
                );
            }
        } else if expandable {
            let _ = write!(
                out,
                "<button type=\"button\" class=\"nav-link nav-section\" data-nav-toggle aria-expanded=\"{}\" aria-controls=\"{id}\">",
                item.open
            );
            icon(out);
            title(out);
            out.push_str("</button>");
        } else {
            out.push_str("<span class=\"nav-link nav-section\">");
            icon(out);
            title(out);
            out.push_str("</span>");
        }
        out.push_str("</div>");
        if expandable {
            nav_list(out, &item.children, &id, depth + 1, !item.open, None);
        }
        out.push_str("</li>");
    }
    out.push_str("\n</ul>");
}

fn template_error(file: &str, e: &tera::Error) -> Diagnostic {
    // Tera puts the useful part (which variable, which line) in the error's sources.
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    Diagnostic::error(Kind::Other, file, Pos::FILE, msg)
        .with_help("fix the template, or remove it from the theme folder to use the built-in one")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::DirSource;

    #[test]
    fn detects_templates_that_read_the_nav_tree() {
        assert!(uses_variable("{% for i in nav %}{% endfor %}", "nav"));
        assert!(uses_variable("{{ m::nav_list(items=nav, depth=0) }}", "nav"));
        assert!(!uses_variable(
            "<nav class=\"x\">{{ nav_html | safe }}</nav>{# nav #}",
            "nav"
        ));
        assert!(!uses_variable("{{ page.nav }}", "nav"));
        assert!(
            !Theme::embedded().templates.values().any(|t| uses_variable(t, "nav")),
            "the default theme uses nav_html"
        );
    }

    #[test]
    fn nav_script_carries_the_changed_badge() {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/acme");
        let (site, _) = Site::load(&DirSource::new(fixture), crate::config::Config::default()).unwrap();
        let mut renderer = Renderer::new(&Theme::embedded()).unwrap();
        assert!(!renderer.nav_script(&site).contains(r#"["changed","changed"]"#));
        renderer.mark_changed(["README.md".to_string()].into());
        assert_eq!(
            renderer.nav_script(&site).matches(r#"["changed","changed"]"#).count(),
            1
        );
        assert_eq!(nav_script(&site).matches(r#"["changed","changed"]"#).count(), 0);
    }

    /// The Rust sidebar and the `nav_list` macro that themes may call must not drift apart.
    #[test]
    fn rust_sidebar_matches_the_nav_list_macro() {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/acme");
        let (site, _) = Site::load(&DirSource::new(fixture), crate::config::Config::default()).unwrap();
        let theme = Theme::embedded();
        let mut tera = Tera::default();
        tera.set_escape_fn(escape);
        tera.add_raw_template("macros.html", &theme.templates["macros.html"])
            .unwrap();
        tera.add_raw_template(
            "t.html",
            r#"{% import "macros.html" as m %}{{ m::nav_list(items=nav, prefix="dsnav", depth=0, collapsed=false) }}"#,
        )
        .unwrap();
        for index in 0..site.pages.len() {
            let changed: HashSet<String> = ["guide/install.md".to_string()].into();
            let items = nav(&site, index, &changed);
            let mut html = String::new();
            nav_list(&mut html, &items, "dsnav", 0, false, None);
            let mut ctx = Context::new();
            ctx.insert("nav", &items);
            let from_macro = tera.render("t.html", &ctx).unwrap();
            assert!(
                html.contains("aria-current=\"page\"") || site.pages[index].routes.is_empty(),
                "{html}"
            );
            assert_eq!(html, from_macro, "sidebar of {}", site.pages[index].path);
        }
    }
}
