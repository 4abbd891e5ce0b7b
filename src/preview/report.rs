//! The preview report: what a pull request changes in the docs, computed from the check
//! of the merge base and the check of the head. Serialized as `_preview/report.json`
//! (schema in `docs/reference/preview.md`); the comment and the preview index are written
//! from it.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::nav::{self, NavChange};
use crate::check::Analysis;
use crate::diag::{Diagnostic, Severity};
use crate::git::Change;
use crate::manifest::MANIFEST_FILE;
use crate::markdown::Target;
use crate::paths;
use crate::redirects;
use crate::site::Site;
use crate::source::GitSource;

/// The version of the `report.json` schema; it changes only when a field changes meaning
/// or goes away (new fields may be added without a new version).
pub const SCHEMA: u32 = 1;

/// One commit the preview compares.
#[derive(Debug, Clone, Serialize)]
pub struct CommitRef {
    /// The ref as given (`main`, `HEAD`); the merge base has none.
    #[serde(rename = "ref")]
    pub name: Option<String>,
    pub commit: String,
}

/// What a page went through in the pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Modified,
    Renamed,
    Removed,
    Unchanged,
}

impl Status {
    pub fn is_changed(self) -> bool {
        matches!(self, Status::Added | Status::Modified | Status::Renamed)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PageEntry {
    /// Docs-relative path (the base path for a removed page).
    pub path: String,
    /// URL path relative to the site root (`a/b/`); `null` for a removed page.
    pub route: Option<String>,
    /// Full preview URL; `null` for a removed page.
    pub url: Option<String>,
    /// The navigation title, or the file name for a page outside the navigation.
    pub title: String,
    pub status: Status,
    /// The base path of a renamed page.
    pub previous_path: Option<String>,
    /// The git blob id (SHA-1 of the contents) at the head, or at the base when removed.
    pub hash: Option<String>,
    pub in_nav: bool,
    /// Every id a `#fragment` can target, sorted.
    pub anchors: Vec<String>,
    /// Files the page embeds or links to (images and the like, not pages) that the pull
    /// request added or changed: the page looks different even if its text does not.
    pub changed_files: Vec<FileRef>,
}

/// A file at the head, with its git blob id.
#[derive(Debug, Clone, Serialize)]
pub struct FileRef {
    pub path: String,
    pub hash: Option<String>,
}

/// A place in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// A redirect the pull request should add to `redirects.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SuggestedRedirect {
    pub from: String,
    pub to: String,
}

/// A page that is gone from its old path.
#[derive(Debug, Clone, Serialize)]
pub struct GonePage {
    pub path: String,
    /// `removed` or `renamed`.
    pub status: Status,
    pub renamed_to: Option<String>,
    /// Links in the head's pages that still point at the old path.
    pub linked_from: Vec<Location>,
    /// Head `manifest.json` entries that still list the old path.
    pub nav_entries: Vec<Location>,
    /// Whether the head's `redirects.json` already redirects the old path.
    pub redirected: bool,
    /// `null` when already redirected.
    pub suggested_redirect: Option<SuggestedRedirect>,
}

/// A heading id (or other anchor) that a changed page no longer has.
#[derive(Debug, Clone, Serialize)]
pub struct AnchorChange {
    /// The page at the head.
    pub path: String,
    pub anchor: String,
    /// The closest id the page has now, if one is close.
    pub closest: Option<String>,
    /// `#anchor` links in the head's pages that this breaks.
    pub broken_links: Vec<Location>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    /// Findings of the head that the merge base does not have, in `docsite check
    /// --format json` records.
    #[serde(serialize_with = "as_check_records")]
    pub new: Vec<Diagnostic>,
    /// How many findings (errors and warnings) the merge base has that the head no longer has.
    pub fixed: usize,
    /// Errors and warnings at the merge base and at the head.
    pub base_total: usize,
    pub head_total: usize,
}

fn as_check_records<S: serde::Serializer>(diags: &[Diagnostic], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(diags.iter().map(crate::report::JsonFinding::of))
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: u32,
    /// The preview's folder name under the output folder (`@` + slug).
    pub slug: String,
    /// The preview's root URL, ending with `/`.
    pub url: String,
    /// The docs folder, relative to the repository root (`docs`).
    pub docs: String,
    pub base: CommitRef,
    pub head: CommitRef,
    pub merge_base: CommitRef,
    /// Every page of the head, and the removed pages of the base, sorted by path.
    pub pages: Vec<PageEntry>,
    pub nav: Vec<NavChange>,
    pub gone: Vec<GonePage>,
    pub anchors: Vec<AnchorChange>,
    pub findings: Findings,
    /// The search index (word list and shards) at the merge base and at the head, when the
    /// head was built.
    pub search_index: Option<IndexSize>,
}

/// Bytes of the search index, as `build` prints and budgets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexSize {
    pub base_bytes: usize,
    pub head_bytes: usize,
}

impl Report {
    /// The pages the pull request added, modified or renamed, in path order.
    pub fn changed_pages(&self) -> impl Iterator<Item = &PageEntry> {
        self.pages.iter().filter(|p| p.status.is_changed())
    }

    /// The pages to review, in path order: the changed pages and the pages whose images
    /// (or other files) changed.
    pub fn review_pages(&self) -> impl Iterator<Item = &PageEntry> {
        self.pages
            .iter()
            .filter(|p| p.status.is_changed() || !p.changed_files.is_empty())
    }
}

/// One side of the comparison: a commit's files and its check.
pub struct Side<'a> {
    pub source: &'a GitSource,
    pub analysis: &'a Analysis,
}

/// Everything but the identity of the preview (refs, slug, URL), which the caller fills in.
pub struct Comparison {
    pub pages: Vec<PageEntry>,
    pub nav: Vec<NavChange>,
    pub gone: Vec<GonePage>,
    pub anchors: Vec<AnchorChange>,
    pub findings: Findings,
}

/// Compares the head with the merge base (`None` when the base has no docs to load).
pub fn compare(before: Option<&Side>, after: &Side, changes: &[Change], root_url: &str) -> Comparison {
    let head = &after.analysis.site;
    let mut status: HashMap<&str, (Status, Option<&str>)> = HashMap::new();
    let mut renamed: HashMap<String, String> = HashMap::new();
    let mut removed: Vec<(&str, Option<&str>)> = Vec::new();
    for c in changes {
        match c {
            Change::Added(p) => {
                status.insert(p, (Status::Added, None));
            }
            Change::Modified(p) => {
                status.insert(p, (Status::Modified, None));
            }
            Change::Renamed { from, to } => {
                status.insert(to, (Status::Renamed, Some(from)));
                renamed.insert(from.clone(), to.clone());
                removed.push((from, Some(to)));
            }
            Change::Removed(p) => removed.push((p, None)),
        }
    }
    removed.retain(|(p, _)| paths::is_markdown(p));
    let changed_files: BTreeSet<&str> = status
        .iter()
        .filter(|(p, (st, _))| st.is_changed() && !paths::is_markdown(p))
        .map(|(p, _)| *p)
        .collect();

    let title_of = |site: &Site, i: usize| {
        let page = &site.pages[i];
        page.primary_route().map_or_else(
            || page.path.rsplit('/').next().unwrap_or(&page.path).to_string(),
            |r| site.manifest.routes[r].title.clone(),
        )
    };
    let anchors_of = |a: &Analysis, i: usize| -> Vec<String> {
        let mut ids: Vec<String> = a.facts[i].iter().flat_map(|f| f.ids.iter().cloned()).collect();
        ids.sort();
        ids
    };

    let mut pages: Vec<PageEntry> = (0..head.pages.len())
        .map(|i| {
            let page = &head.pages[i];
            let (st, previous) = status
                .get(page.path.as_str())
                .copied()
                .unwrap_or((Status::Unchanged, None));
            PageEntry {
                path: page.path.clone(),
                route: Some(page.url.clone()),
                url: Some(format!("{root_url}{}", paths::encode_path(&page.url))),
                title: title_of(head, i),
                status: st,
                previous_path: previous.map(str::to_string),
                hash: after.source.blob_id(&page.path).map(str::to_string),
                in_nav: !page.routes.is_empty(),
                anchors: anchors_of(after.analysis, i),
                changed_files: files_used(after, i, &changed_files),
            }
        })
        .collect();
    for (path, to) in &removed {
        if to.is_some() {
            continue;
        }
        let base_site = before.map(|b| &b.analysis.site);
        let index = base_site.and_then(|s| s.page_index(path));
        pages.push(PageEntry {
            path: path.to_string(),
            route: None,
            url: None,
            title: match (base_site, index) {
                (Some(s), Some(i)) => title_of(s, i),
                _ => path.to_string(),
            },
            status: Status::Removed,
            previous_path: None,
            hash: before.and_then(|b| b.source.blob_id(path)).map(str::to_string),
            in_nav: false,
            anchors: match (before, index) {
                (Some(b), Some(i)) => anchors_of(b.analysis, i),
                _ => Vec::new(),
            },
            changed_files: Vec::new(),
        });
    }
    pages.sort_by(|a, b| a.path.cmp(&b.path));

    let nav = match before {
        Some(b) => nav::diff(&b.analysis.site.manifest, &head.manifest, &renamed),
        None => nav::diff(&Default::default(), &head.manifest, &renamed),
    };
    let gone = removed
        .iter()
        .map(|(path, to)| gone_page(before, after, path, *to))
        .collect();
    let anchors = before.map(|b| anchor_changes(b, after, &pages)).unwrap_or_default();
    let findings = new_findings(before.map(|b| b.analysis), after.analysis, &renamed);
    Comparison {
        pages,
        nav,
        gone,
        anchors,
        findings,
    }
}

/// The files of `changed` that page `i` of the head embeds or links to, once each, sorted.
fn files_used(after: &Side, i: usize, changed: &BTreeSet<&str>) -> Vec<FileRef> {
    if changed.is_empty() {
        return Vec::new();
    }
    let used: BTreeSet<&str> = after.analysis.facts[i]
        .iter()
        .flat_map(|f| &f.links)
        .filter_map(|l| match &l.target {
            Target::File { path } if changed.contains(path.as_str()) => Some(path.as_str()),
            _ => None,
        })
        .collect();
    used.into_iter()
        .map(|path| FileRef {
            path: path.to_string(),
            hash: after.source.blob_id(path).map(str::to_string),
        })
        .collect()
}

/// Whether a link that resolved to `missing` meant the page at `gone`.
fn points_at(missing: &str, gone: &str) -> bool {
    missing == gone || (paths::is_folder_page(gone) && missing == paths::parent_dir(gone).trim_end_matches('/'))
}

fn gone_page(before: Option<&Side>, after: &Side, path: &str, renamed_to: Option<&str>) -> GonePage {
    let head = &after.analysis.site;
    let mut linked_from = Vec::new();
    for (i, facts) in after.analysis.facts.iter().enumerate() {
        for link in facts.iter().flat_map(|f| &f.links) {
            if let Target::Missing { path: missing } = &link.target
                && points_at(missing, path)
            {
                linked_from.push(Location {
                    file: head.pages[i].path.clone(),
                    line: link.pos.line,
                    column: link.pos.col,
                });
            }
        }
    }
    let nav_entries = head
        .manifest
        .routes
        .iter()
        .filter(|r| r.path.as_deref() == Some(path))
        .map(|r| Location {
            file: MANIFEST_FILE.to_string(),
            line: r.path_pos.line,
            column: r.path_pos.col,
        })
        .collect();
    let (existing, _) = redirects::load(after.source, head);
    let redirected = existing.iter().any(|r| r.from == path);
    let target = match renamed_to {
        Some(to) => to.to_string(),
        None => nearest_parent(before.map(|b| &b.analysis.site), head, path),
    };
    GonePage {
        path: path.to_string(),
        status: if renamed_to.is_some() {
            Status::Renamed
        } else {
            Status::Removed
        },
        renamed_to: renamed_to.map(str::to_string),
        linked_from,
        nav_entries,
        redirected,
        suggested_redirect: (!redirected).then(|| SuggestedRedirect {
            from: path.to_string(),
            to: target,
        }),
    }
}

/// Where a removed page's readers are best sent: the closest navigation parent (in the
/// base) that still has a page, else the closest folder page, else the home page.
fn nearest_parent(base: Option<&Site>, head: &Site, path: &str) -> String {
    if let Some(base) = base
        && let Some(i) = base.page_index(path)
        && let Some(route) = base.pages[i].primary_route()
    {
        for a in base.manifest.ancestors(route).into_iter().rev() {
            if let Some(p) = &base.manifest.routes[a].path
                && head.page_index(p).is_some()
            {
                return p.clone();
            }
        }
    }
    let mut dir = paths::parent_dir(path).trim_end_matches('/').to_string();
    loop {
        for index in ["index.md", "README.md"] {
            let candidate = if dir.is_empty() {
                index.to_string()
            } else {
                format!("{dir}/{index}")
            };
            if candidate != path && head.page_index(&candidate).is_some() {
                return candidate;
            }
        }
        if dir.is_empty() {
            return head
                .reading_order
                .first()
                .map_or_else(|| "README.md".to_string(), |&i| head.pages[i].path.clone());
        }
        dir = dir.rsplit_once('/').map_or(String::new(), |(d, _)| d.to_string());
    }
}

/// Ids that changed pages lost, with the `#links` of the head that now miss them.
fn anchor_changes(before: &Side, after: &Side, pages: &[PageEntry]) -> Vec<AnchorChange> {
    let head = &after.analysis.site;
    let mut out = Vec::new();
    for entry in pages
        .iter()
        .filter(|p| matches!(p.status, Status::Modified | Status::Renamed))
    {
        let old_path = entry.previous_path.as_deref().unwrap_or(&entry.path);
        let (Some(old), Some(new)) = (before.analysis.site.page_index(old_path), head.page_index(&entry.path)) else {
            continue;
        };
        let (Some(old_facts), Some(new_facts)) = (&before.analysis.facts[old], &after.analysis.facts[new]) else {
            continue;
        };
        let lost: BTreeSet<&String> = old_facts.ids.difference(&new_facts.ids).collect();
        for anchor in lost {
            let mut broken_links = Vec::new();
            for (i, facts) in after.analysis.facts.iter().enumerate() {
                for link in facts.iter().flat_map(|f| &f.links) {
                    let hits = match &link.target {
                        Target::Page {
                            path,
                            fragment: Some(f),
                        } => path == &entry.path && f == anchor,
                        Target::SamePage { fragment } => i == new && fragment == anchor,
                        _ => false,
                    };
                    if hits {
                        broken_links.push(Location {
                            file: head.pages[i].path.clone(),
                            line: link.pos.line,
                            column: link.pos.col,
                        });
                    }
                }
            }
            out.push(AnchorChange {
                path: entry.path.clone(),
                anchor: anchor.clone(),
                closest: crate::build::closest(anchor, &new_facts.ids).map(str::to_string),
                broken_links,
            });
        }
    }
    out
}

/// What identifies a finding across the two commits whatever its line: kind, file (by its
/// head name) and message, with manifest positions (`routes[3]`) blanked, since removing
/// one route renumbers the ones after it.
fn finding_key<'d>(d: &'d Diagnostic, renamed: &'d HashMap<String, String>) -> FindingKey<'d> {
    static INDEX: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\[\d+\]").ok());
    let file = renamed.get(&*d.file).map_or(&*d.file, String::as_str);
    let message = match INDEX.as_ref() {
        // Only manifest findings name route positions.
        Some(re) if *d.file == *MANIFEST_FILE => re.replace_all(d.message(), "[]"),
        _ => std::borrow::Cow::Borrowed(d.message()),
    };
    (d.kind, file, message)
}

type FindingKey<'d> = (crate::diag::Kind, &'d str, std::borrow::Cow<'d, str>);

/// The head's errors and warnings that the merge base does not have: each base finding
/// cancels one head finding with the same key.
fn new_findings(before: Option<&Analysis>, after: &Analysis, renamed: &HashMap<String, String>) -> Findings {
    let counted = |d: &&Diagnostic| d.severity != Severity::Note;
    let mut base: HashMap<FindingKey, usize> = HashMap::new();
    let mut base_total = 0;
    for d in before.iter().flat_map(|b| b.diagnostics.iter()).filter(counted) {
        *base.entry(finding_key(d, renamed)).or_default() += 1;
        base_total += 1;
    }
    let mut new = Vec::new();
    let mut head_total = 0;
    for d in after.diagnostics.iter().filter(counted) {
        head_total += 1;
        match base.get_mut(&finding_key(d, renamed)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => new.push(d.clone()),
        }
    }
    let fixed = base.values().sum();
    Findings {
        new,
        fixed,
        base_total,
        head_total,
    }
}

/// The redirect line to add to `redirects.json` for a gone page.
pub fn redirect_entry(r: &SuggestedRedirect) -> String {
    let json = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""));
    format!("{}: {}", json(&r.from), json(&r.to))
}
