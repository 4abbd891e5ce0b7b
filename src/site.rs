//! The site model: which pages exist, their URLs, how the manifest's routes map onto them,
//! and the files pages may reference. Built once from a [`Source`] listing and the
//! manifest; rendering ([`crate::build`]) only reads it, from many threads.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::FastHash;
use crate::config::Config;
use crate::diag::{Diagnostic, Kind, Pos, Severity};
use crate::manifest::{self, MANIFEST_FILE, Manifest, RouteId};
use crate::markdown::{ChildLink, Links};
use crate::paths;
use crate::source::{SkippedLink, Source};

/// One markdown page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Docs-relative path of the markdown file.
    pub path: String,
    /// URL path relative to the site root (`a/b/`, or `a/b.html` after a URL clash).
    pub url: String,
    /// Every route that lists this page, in manifest order; empty for an orphan.
    pub routes: Vec<RouteId>,
}

impl Page {
    /// The route that places the page in the navigation (its first listing).
    pub fn primary_route(&self) -> Option<RouteId> {
        self.routes.first().copied()
    }
}

/// Where the manifest places the pages of a site: [`Site::placement`].
pub(crate) struct Placement {
    manifest: Manifest,
    /// Each page's routes, in manifest order.
    routes: Vec<Vec<RouteId>>,
    reading_order: Vec<usize>,
    order_index: Vec<Option<usize>>,
    diags: Vec<Diagnostic>,
}

pub struct Site {
    pub config: Config,
    pub manifest: Manifest,
    /// Pages sorted by path.
    pub pages: Vec<Page>,
    by_path: HashMap<String, usize, FastHash>,
    /// Non-markdown files, which pages may link to or embed.
    files: HashSet<String, FastHash>,
    /// Pages in manifest order, each once: the order of previous/next links.
    pub reading_order: Vec<usize>,
    order_index: Vec<Option<usize>>,
    /// Symbolic links the source did not follow, by path: a route to one says why.
    skipped_links: HashMap<String, SkippedLink, FastHash>,
}

impl Site {
    /// Reads the manifest and the file listing and checks that the routes point at real
    /// files. Only what leaves no site to check fails the load (no manifest, invalid
    /// manifest, unreadable folder); a route whose file is missing is an error that comes
    /// back with the site, like the warnings and notes, so one run shows every problem.
    pub fn load(source: &dyn Source, config: Config) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        // The listing and the manifest are each about a millisecond at 530 pages.
        let (unplaced, manifest) = rayon::join(|| Site::unplaced(source, config), || read_manifest(source));
        let (mut site, url_diags) = unplaced?;
        let (manifest, mut diags) = manifest?;
        diags.extend(url_diags);
        diags.extend(site.place(manifest));
        Ok((site, diags))
    }

    /// The first half of [`Site::load`]: the file listing, each page's URL (with the
    /// findings of URL clashes and of the symbolic links the listing skipped), and that
    /// there is a manifest, but not the manifest itself.
    /// Such a site already answers every question of [`Links`]: a check's page pass runs
    /// against it while [`Site::placement`] places the manifest beside.
    pub(crate) fn unplaced(source: &dyn Source, config: Config) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        let listing = source.files();
        Site::unplaced_from(listing, source.skipped_links(), config)
    }

    /// [`Site::unplaced`] from a listing already made ([`Source::files`]), with the links
    /// it skipped ([`Source::skipped_links`]).
    pub(crate) fn unplaced_from(
        listing: std::io::Result<Vec<String>>,
        skipped: Vec<SkippedLink>,
        config: Config,
    ) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let all = listing.map_err(|e| {
            vec![Diagnostic::error(
                Kind::Other,
                ".",
                Pos::FILE,
                format!("cannot list the docs folder: {e}"),
            )]
        })?;
        if !all.iter().any(|f| f == MANIFEST_FILE) {
            return Err(vec![
                Diagnostic::error(
                    Kind::InvalidManifest,
                    MANIFEST_FILE,
                    Pos::FILE,
                    "manifest.json not found in the docs folder",
                )
                .with_help("pass the folder that holds manifest.json with --docs DIR"),
            ]);
        }
        let (md, files): (Vec<String>, Vec<String>) = all.into_iter().partition(|f| paths::is_markdown(f));
        let files: HashSet<String, FastHash> = files.into_iter().collect();
        let pages = assign_urls(md, &mut diags);
        let by_path: HashMap<String, usize, FastHash> =
            pages.iter().enumerate().map(|(i, p)| (p.path.clone(), i)).collect();
        let order_index = vec![None; pages.len()];
        let mut site = Site {
            config,
            manifest: Manifest::default(),
            pages,
            by_path,
            files,
            reading_order: Vec::new(),
            order_index,
            skipped_links: HashMap::default(),
        };
        diags.extend(site.note_skipped_links(skipped));
        Ok((site, diags))
    }

    /// Keeps the symbolic links the source did not follow, and returns a warning for each.
    fn note_skipped_links(&mut self, links: Vec<SkippedLink>) -> Vec<Diagnostic> {
        let warnings = links
            .iter()
            .map(|link| {
                Diagnostic::warning(
                    Kind::SkippedLink,
                    &link.path,
                    Pos::FILE,
                    format!("symbolic link to `{}` {}; not followed", link.target, link.why.says()),
                )
                .with_help(link.why.remedy())
            })
            .collect();
        self.skipped_links = links.into_iter().map(|l| (l.path.clone(), l)).collect();
        warnings
    }

    /// The second half of [`Site::load`]: places the pages of an [`Site::unplaced`] site
    /// on the manifest's routes. Returns the findings: routes whose files are missing,
    /// pages listed twice, orphans.
    pub(crate) fn place(&mut self, manifest: Manifest) -> Vec<Diagnostic> {
        let placement = self.placement(manifest);
        self.apply(placement)
    }

    /// What [`Site::place`] does, worked out without changing the site, so that it can
    /// run beside readers of the site (a check's page pass); [`Site::apply`] then stores it.
    pub(crate) fn placement(&self, manifest: Manifest) -> Placement {
        let mut diags = Vec::new();
        let mut routes: Vec<Vec<RouteId>> = vec![Vec::new(); self.pages.len()];
        for (id, route) in manifest.routes.iter().enumerate() {
            if let Some(path) = &route.path {
                match self.by_path.get(path) {
                    Some(&i) => {
                        if let Some(&first) = routes[i].first() {
                            diags.push(duplicate_route(&manifest, first, id, path));
                        }
                        routes[i].push(id);
                    }
                    None => diags.push(missing_file(route, path, "path", route.path_pos, self)),
                }
            }
            if let Some(icon) = &route.icon_path
                && !self.files.contains(icon)
            {
                diags.push(missing_file(route, icon, "icon_path", route.icon_pos, self));
            }
        }
        for (page, _) in self.pages.iter().zip(&routes).filter(|(_, r)| r.is_empty()) {
            diags.push(
                Diagnostic::warning(
                    Kind::OrphanPage,
                    &page.path,
                    Pos::FILE,
                    "page is not listed in manifest.json (orphan)",
                )
                .with_help("it is still built; add a route for it, or delete it"),
            );
        }

        let mut order_index = vec![None; self.pages.len()];
        let mut reading_order = Vec::new();
        for route in &manifest.routes {
            if let Some(&i) = route.path.as_ref().and_then(|p| self.by_path.get(p))
                && order_index[i].is_none()
            {
                order_index[i] = Some(reading_order.len());
                reading_order.push(i);
            }
        }
        Placement {
            manifest,
            routes,
            reading_order,
            order_index,
            diags,
        }
    }

    /// Stores a [`Site::placement`] of this site; returns its findings.
    pub(crate) fn apply(&mut self, placement: Placement) -> Vec<Diagnostic> {
        for (page, routes) in self.pages.iter_mut().zip(placement.routes) {
            page.routes = routes;
        }
        self.reading_order = placement.reading_order;
        self.order_index = placement.order_index;
        self.manifest = placement.manifest;
        placement.diags
    }

    pub fn page_index(&self, path: &str) -> Option<usize> {
        self.by_path.get(path).copied()
    }

    /// The URL path of a route's page, if it has one.
    pub fn route_url(&self, id: RouteId) -> Option<&str> {
        let path = self.manifest.routes[id].path.as_ref()?;
        self.page_index(path).map(|i| self.pages[i].url.as_str())
    }

    /// The pages before and after this one in manifest order.
    pub fn neighbours(&self, page: usize) -> (Option<usize>, Option<usize>) {
        let Some(pos) = self.order_index[page] else {
            return (None, None);
        };
        let prev = pos.checked_sub(1).map(|p| self.reading_order[p]);
        let next = self.reading_order.get(pos + 1).copied();
        (prev, next)
    }

    /// The manifest children of the page's primary route, for `<children></children>`.
    pub fn children_of(&self, page: usize) -> Vec<ChildLink> {
        let Some(route) = self.pages[page].primary_route() else {
            return Vec::new();
        };
        self.manifest.routes[route]
            .children
            .iter()
            .map(|&c| {
                let r = &self.manifest.routes[c];
                ChildLink {
                    title: r.title.clone(),
                    url: self.route_url(c).map(str::to_string),
                    description: r.description.clone(),
                }
            })
            .collect()
    }

    /// Whether any page or file of the site lies in folder `dir` (docs-relative).
    pub fn has_any_under(&self, dir: &str) -> bool {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.pages.iter().any(|p| p.path.starts_with(&prefix)) || self.files.iter().any(|f| f.starts_with(&prefix))
    }

    pub fn has_errors(diags: &[Diagnostic]) -> bool {
        diags.iter().any(|d| d.severity == Severity::Error)
    }
}

impl Links for Site {
    fn page_url(&self, path: &str) -> Option<&str> {
        self.page_index(path).map(|i| self.pages[i].url.as_str())
    }

    fn has_file(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    fn repo_url(&self) -> Option<&str> {
        self.config.repo_url.as_deref()
    }
}

/// Reads and parses `manifest.json` (which [`Site::unplaced`] found in the listing):
/// the manifest and its warnings, or what makes it unusable.
pub(crate) fn read_manifest(source: &dyn Source) -> Result<(Manifest, Vec<Diagnostic>), Vec<Diagnostic>> {
    let text = source.read(MANIFEST_FILE).map_err(|e| {
        vec![Diagnostic::error(
            Kind::Other,
            MANIFEST_FILE,
            Pos::FILE,
            format!("cannot read: {e}"),
        )]
    })?;
    let text = crate::diag::decode_utf8(MANIFEST_FILE, text).map_err(|d| vec![d])?;
    manifest::parse(&text)
}

/// Gives every markdown file its URL. When two files want the same folder URL
/// (`a/index.md`, `a/README.md`, `a.md`), the folder's `index.md` wins, then `README.md`,
/// then `a.md`; the others keep their own name as `….html`, with a warning.
fn assign_urls(md: Vec<String>, diags: &mut Vec<Diagnostic>) -> Vec<Page> {
    let rank = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name.starts_with("index.") {
            0
        } else if paths::is_folder_page(path) {
            1
        } else {
            2
        }
    };
    // This runs between the listing and the page pass, with one core idle in a check: the
    // URLs are made in parallel, and a clash is looked for without a copy of each URL.
    let mut pages: Vec<Page> = md
        .into_par_iter()
        .map(|path| Page {
            url: paths::page_url(&path),
            path,
            routes: Vec::new(),
        })
        .collect();
    let mut clashes: Vec<Vec<usize>> = {
        let mut first: HashMap<&str, usize, FastHash> =
            HashMap::with_capacity_and_hasher(pages.len(), FastHash::default());
        // The pages of each clash, in page order, keyed by the first of them.
        let mut clashes: HashMap<usize, Vec<usize>, FastHash> = HashMap::default();
        for (i, p) in pages.iter().enumerate() {
            match first.entry(&p.url) {
                Entry::Occupied(e) => clashes.entry(*e.get()).or_insert_with(|| vec![*e.get()]).push(i),
                Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
        clashes.into_values().collect()
    };
    clashes.sort();
    for mut group in clashes {
        group.sort_by_key(|&i| (rank(&pages[i].path), pages[i].path.clone()));
        let winner = pages[group[0]].path.clone();
        for &i in &group[1..] {
            let path = pages[i].path.clone();
            let stem = path.rsplit_once('.').map_or(path.as_str(), |(s, _)| s);
            pages[i].url = format!("{stem}.html");
            diags.push(
                Diagnostic::warning(
                    Kind::UrlClash,
                    &path,
                    Pos::FILE,
                    format!(
                        "`{winner}` has the same URL; this page is published as `{}`",
                        pages[i].url
                    ),
                )
                .with_help("rename one of the two files"),
            );
        }
    }
    pages
}

fn missing_file(route: &manifest::Route, path: &str, key: &str, pos: Pos, site: &Site) -> Diagnostic {
    let link = site.skipped_links.get(path);
    let what = if let Some(link) = link {
        format!("is a symbolic link to `{}` that {}", link.target, link.why.says())
    } else if key == "path" && site.files.contains(path) {
        "is not a markdown file".to_string()
    } else {
        "does not exist".to_string()
    };
    let help = match link {
        Some(_) => "fix the link, or point the route at the file itself",
        None => "paths are relative to the folder of manifest.json; fix the path or add the file",
    };
    Diagnostic::error(
        Kind::MissingRouteFile,
        MANIFEST_FILE,
        pos,
        format!(
            "route `{}` (\"{}\") {key} points to `{path}`, which {what}",
            route.json_path, route.title
        ),
    )
    .with_help(help)
}

/// A page listed by a second route: legal (the coder docs list some pages twice), but the
/// page has one place in the navigation and one previous/next, those of its first route.
fn duplicate_route(manifest: &Manifest, first: RouteId, again: RouteId, path: &str) -> Diagnostic {
    let (first, again) = (&manifest.routes[first], &manifest.routes[again]);
    Diagnostic::note(
        Kind::DuplicateRoute,
        MANIFEST_FILE,
        again.path_pos,
        format!(
            "route `{}` (\"{}\") lists `{path}`, already listed by route `{}` (\"{}\")",
            again.json_path, again.title, first.json_path, first.title
        ),
    )
    .with_help("the page keeps the place of its first route in the navigation and in previous/next links")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::DirSource;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn missing_route_file_names_route_and_position() {
        let dir = tree(&[
            (
                "manifest.json",
                "{\"routes\": [\n  {\"title\": \"Home\", \"path\": \"README.md\", \"children\": [\n    {\"title\": \"Gone\", \"path\": \"./gone.md\"}]}]}",
            ),
            ("README.md", "# Home"),
        ]);
        let (site, diags) = Site::load(&DirSource::new(dir.path()), Config::default()).unwrap();
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            msgs[0].lines().next().unwrap(),
            "manifest.json:3:31: error: route `routes[0].children[0]` (\"Gone\") path points to `gone.md`, which does not exist"
        );
        assert_eq!(diags[0].kind, Kind::MissingRouteFile);
        assert!(Site::has_errors(&diags));
        // The load goes on: the route simply has no page.
        assert_eq!(site.route_url(1), None);
        assert_eq!(site.route_url(0), Some(""));
    }

    /// A route to a link the listing skipped says what is wrong with the link, and each
    /// skipped link is a warning of its own.
    #[cfg(unix)]
    #[test]
    fn a_route_to_a_skipped_link_says_why() {
        let dir = tree(&[
            (
                "manifest.json",
                r#"{"routes": [{"title": "Home", "path": "README.md"}, {"title": "Notes", "path": "notes.md"}]}"#,
            ),
            ("README.md", "# Home"),
        ]);
        std::os::unix::fs::symlink("../moved/notes.md", dir.path().join("notes.md")).unwrap();
        let (_, diags) = Site::load(&DirSource::new(dir.path()), Config::default()).unwrap();
        let first_line = |kind| {
            let d = diags.iter().find(|d| d.kind == kind).unwrap();
            d.to_string().lines().next().unwrap().to_string()
        };
        assert_eq!(
            first_line(Kind::MissingRouteFile),
            "manifest.json:1:80: error: route `routes[1]` (\"Notes\") path points to `notes.md`, which is a symbolic link to `../moved/notes.md` that leads nowhere"
        );
        let route = diags.iter().find(|d| d.kind == Kind::MissingRouteFile).unwrap();
        assert_eq!(
            route.help.as_deref(),
            Some("fix the link, or point the route at the file itself")
        );
        assert_eq!(
            first_line(Kind::SkippedLink),
            "notes.md: warning: symbolic link to `../moved/notes.md` leads nowhere; not followed"
        );
    }

    #[test]
    fn urls_order_orphans_and_clashes() {
        let dir = tree(&[
            (
                "manifest.json",
                r#"{"routes": [{"title": "Home", "path": "./README.md", "children": [{"title": "B", "path": "b.md"}, {"title": "A", "path": "a/index.md"}, {"title": "B again", "path": "b.md"}]}]}"#,
            ),
            ("README.md", "# Home"),
            ("a/index.md", "# A"),
            ("a/README.md", "# A readme"),
            ("b.md", "# B"),
            ("img/x.png", "png"),
        ]);
        let (site, warnings) = Site::load(&DirSource::new(dir.path()), Config::default()).unwrap();
        let urls: Vec<(&str, &str)> = site.pages.iter().map(|p| (p.path.as_str(), p.url.as_str())).collect();
        assert_eq!(
            urls,
            [
                ("README.md", ""),
                ("a/README.md", "a/README.html"),
                ("a/index.md", "a/"),
                ("b.md", "b/")
            ]
        );
        let w: Vec<String> = warnings.iter().map(|d| d.to_string()).collect();
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(
            w[0].starts_with("a/README.md: warning: `a/index.md` has the same URL"),
            "{}",
            w[0]
        );
        assert!(
            w[1].starts_with("manifest.json:1:166: note: route `routes[0].children[2]` (\"B again\") lists `b.md`, already listed by route `routes[0].children[0]` (\"B\")"),
            "{}",
            w[1]
        );
        assert!(
            w[2].starts_with("a/README.md: warning: page is not listed in manifest.json (orphan)"),
            "{}",
            w[2]
        );
        let b = site.page_index("b.md").unwrap();
        assert_eq!(site.pages[b].routes, [1, 3]);
        let order: Vec<&str> = site
            .reading_order
            .iter()
            .map(|&i| site.pages[i].path.as_str())
            .collect();
        assert_eq!(order, ["README.md", "b.md", "a/index.md"]);
        assert_eq!(
            site.neighbours(b),
            (site.page_index("README.md"), site.page_index("a/index.md"))
        );
        assert!(site.has_file("img/x.png"));
        let kids = site.children_of(site.page_index("README.md").unwrap());
        assert_eq!(
            kids.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(),
            ["B", "A", "B again"]
        );
        assert_eq!(kids[1].url.as_deref(), Some("a/"));
    }
}
