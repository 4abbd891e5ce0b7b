//! `docsite preview`: builds a pull request's docs from git objects and says what changed.
//!
//! 1. The base and head refs are checked ([`crate::git::check_ref`]) and resolved, and their
//!    merge base found, so the comparison is against what the branch started from, not a
//!    moving `main`.
//! 2. `git diff` (with rename detection) lists what changed under the docs folder; when
//!    nothing did, there is nothing to build.
//! 3. Both commits are read through [`GitSource`] and checked ([`crate::check`]); the two
//!    checks are compared into a [`Report`] ([`report`]): page statuses, the navigation diff
//!    ([`nav`]), pages that are gone and what still points at them, lost anchors, and the
//!    findings the pull request introduces.
//! 4. The head is built into `OUT/@SLUG/` (replaced as a whole, other previews in `OUT`
//!    untouched) with its changed pages badged in the sidebar, plus `_preview/report.json`
//!    and `_preview/index.html`; the comment ([`comment`]) is returned for the caller to print.

mod comment;
mod nav;
mod report;

use std::collections::HashSet;
use std::path::PathBuf;

pub use comment::MARKER;
pub use nav::{NavChange, NavChangeKind, NavPlace};
pub use report::{CommitRef, Report, SCHEMA, Status};

use rayon::prelude::*;

use crate::build::{BuildOptions, build_analysed, check_page};
use crate::check::{Analysis, analyse};
use crate::config::{Config, Overrides};
use crate::diag::Diagnostic;
use crate::git::{Change, GitError, Repo, check_ref, check_repo_path};
use crate::markdown::{KeptLinks, Links, Target};
use crate::output::{Output, Staged};
use crate::site::Site;
use crate::source::{GitSource, History};

/// What `docsite preview` is asked to do.
pub struct Options {
    pub base: String,
    pub head: String,
    /// A folder inside the repository.
    pub repo: PathBuf,
    /// The docs folder, relative to the repository root.
    pub docs: String,
    /// The folder that holds every preview; this one goes to `OUT/@SLUG/`.
    pub out: PathBuf,
    /// Where `OUT` is published.
    pub url: String,
    /// The preview's name, made safe by [`slug`]; defaults to the head branch name.
    pub name: Option<String>,
    /// The comment posted for the previous push, whose ticks stay on unchanged pages.
    pub previous_comment: Option<String>,
    pub overrides: Overrides,
}

/// What a preview run produced.
pub enum Outcome {
    /// Nothing under the docs folder changed; nothing was built.
    NoDocsChange { comment: String },
    Built {
        report: Box<Report>,
        comment: String,
        /// The head build's warnings.
        warnings: Vec<Diagnostic>,
    },
}

/// Why a preview could not be made.
pub enum PreviewError {
    /// A bad argument, or git could not answer.
    Git(GitError),
    /// The head's docs cannot be loaded or built. `comment` is still worth posting when the
    /// docs could be checked: it lists what the pull request broke.
    Build {
        diagnostics: Vec<Diagnostic>,
        comment: Option<String>,
    },
    /// The output folder cannot be written.
    Output(String),
}

impl From<GitError> for PreviewError {
    fn from(e: GitError) -> Self {
        PreviewError::Git(e)
    }
}

/// A name any static host serves as one path segment: lowercase ASCII letters, digits and
/// `-`, at most 63 characters (`mike/aibridge-500x` → `mike-aibridge-500x`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(63);
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "preview".to_string()
    } else {
        out.to_string()
    }
}

/// The public URL without its trailing `/`, if it is an `http(s)` URL that can go in a
/// markdown link as it is.
fn check_url(url: &str) -> Result<String, GitError> {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"()[]`".contains(c));
    if ok {
        Ok(url.trim_end_matches('/').to_string())
    } else {
        Err(GitError {
            message: format!("`{url}` is not a public http(s) URL"),
            help: "pass where OUT is published, such as https://acme.github.io/docs-previews".into(),
        })
    }
}

/// The name the preview is published under: `--name`, else the head ref (without
/// `refs/heads/` or `refs/remotes/REMOTE/`), else HEAD's branch, else the head commit.
fn preview_name(opts: &Options, repo: &Repo, head: &str) -> String {
    if let Some(name) = &opts.name {
        return name.clone();
    }
    if opts.head != "HEAD" {
        let full = repo.full_name(&opts.head).unwrap_or_else(|| opts.head.clone());
        if let Some(rest) = full.strip_prefix("refs/heads/") {
            return rest.to_string();
        }
        if let Some(rest) = full.strip_prefix("refs/remotes/") {
            return rest.split_once('/').map_or(rest, |(_, b)| b).to_string();
        }
        return opts.head.clone();
    }
    repo.current_branch()
        .unwrap_or_else(|| head.get(..12).unwrap_or(head).to_string())
}

/// What [`prepare`] found.
pub enum Plan {
    /// Nothing under the docs folder changed: the one-line comment.
    NoDocsChange { comment: String },
    /// The report and the comment, nothing built.
    Preview { report: Box<Report>, comment: String },
}

/// Runs a preview. See the module documentation for the steps.
pub fn run(opts: &Options) -> Result<Outcome, PreviewError> {
    let Some(work) = start(opts)? else {
        return Ok(Outcome::NoDocsChange {
            comment: comment::nothing_changed(&check_repo_path(&opts.docs)?),
        });
    };
    let target = opts.out.join(format!("@{}", work.slug));
    let staged = Staged::new(&target).map_err(|e| {
        PreviewError::Output(format!(
            "cannot create a build folder beside `{}`: {e}",
            target.display()
        ))
    })?;
    let build_opts = BuildOptions {
        changed_pages: work.changed_pages(),
        ..BuildOptions::default()
    };
    // The build's own markdown pass gives the head's check: the head is read once.
    let (built, after) = match build_analysed(&work.new, work.config.clone(), staged.output(), &build_opts) {
        Ok(done) => done,
        Err(diagnostics) => {
            // Say in the comment what the pull request broke, if the docs can be checked.
            let comment = analyse(&work.new, work.config.clone(), &|_, _| None)
                .ok()
                .map(|after| work.finish(opts, &after, None).1);
            return Err(PreviewError::Build { diagnostics, comment });
        }
    };
    let (report, comment) = work.finish(opts, &after, built.search_bytes);
    let json = serde_json::to_vec_pretty(&report).map_err(|e| PreviewError::Output(format!("report.json: {e}")))?;
    let out = staged.output();
    for (path, bytes) in [
        ("_preview/report.json", json),
        ("_preview/index.html", comment::index_html(&report).into_bytes()),
    ] {
        out.write(path, bytes)
            .map_err(|e| PreviewError::Output(format!("cannot write {path}: {e}")))?;
    }
    staged
        .commit()
        .map_err(|e| PreviewError::Output(format!("cannot move the preview into `{}`: {e}", target.display())))?;
    Ok(Outcome::Built {
        report: Box::new(report),
        comment,
        warnings: built.diagnostics,
    })
}

/// Steps 1 to 3 without the build: the report and the comment alone.
pub fn prepare(opts: &Options) -> Result<Plan, PreviewError> {
    let Some(work) = start(opts)? else {
        return Ok(Plan::NoDocsChange {
            comment: comment::nothing_changed(&check_repo_path(&opts.docs)?),
        });
    };
    let after = analyse(&work.new, work.config.clone(), &|_, _| None).map_err(|diagnostics| PreviewError::Build {
        diagnostics,
        comment: None,
    })?;
    let (report, comment) = work.finish(opts, &after, None);
    Ok(Plan::Preview {
        report: Box::new(report),
        comment,
    })
}

/// A preview under way: both commits read, the changes known.
struct Work {
    docs: String,
    base: String,
    head: String,
    merge_base: String,
    slug: String,
    root_url: String,
    changes: Vec<Change>,
    new: GitSource,
    old: GitSource,
    config: Config,
}

/// Steps 1 and 2, and reading both commits; `None` when nothing under the docs changed.
fn start(opts: &Options) -> Result<Option<Work>, PreviewError> {
    // Every user-given name is checked before git runs at all.
    check_ref(&opts.base)?;
    check_ref(&opts.head)?;
    let docs = check_repo_path(&opts.docs)?;
    let url = check_url(&opts.url)?;
    let repo = Repo::open(&opts.repo)?;
    let base = repo.resolve(&opts.base)?;
    let head = repo.resolve(&opts.head)?;
    let merge_base = repo.merge_base(&base, &head)?;
    if !repo.has_folder(&head, &docs) {
        return Err(PreviewError::Git(GitError {
            message: format!("`{}` is not a folder at {} ({head})", display_docs(&docs), opts.head),
            help: "pass the docs folder relative to the repository root with --docs PATH_IN_REPO".into(),
        }));
    }
    // Both listings are needed for the changes behind symbolic links, and then for reading
    // the commits: made once.
    let (new_tree, old_tree) = (repo.ls_tree(&head, &docs)?, repo.ls_tree(&merge_base, &docs)?);
    let changes: Vec<Change> = repo
        .diff_with_links(&merge_base, &head, &docs, &old_tree, &new_tree)?
        .into_iter()
        .filter(|c| match c {
            Change::Added(p) | Change::Modified(p) | Change::Removed(p) => visible(p),
            Change::Renamed { from, to } => visible(from) || visible(to),
        })
        .collect();
    if changes.is_empty() {
        return Ok(None);
    }
    let slug = slug(&preview_name(opts, &repo, &head));
    let root_url = format!("{url}/@{slug}/");
    let new = GitSource::from_tree(&repo, &head, &docs, new_tree, History::Read, None)?;
    let old = GitSource::from_tree(&repo, &merge_base, &docs, old_tree, History::Skip, Some(&new))?;
    let config = Config::from_source(&new, &repo.dir().join(&docs), opts.overrides.clone()).map_err(|d| {
        PreviewError::Build {
            diagnostics: vec![d],
            comment: None,
        }
    })?;
    Ok(Some(Work {
        docs,
        base,
        head,
        merge_base,
        slug,
        root_url,
        changes,
        new,
        old,
        config,
    }))
}

impl Work {
    /// The pages the sidebar badges "changed" (head paths): those the pull request added,
    /// modified or renamed, and those that show or link to a file it added or changed (an
    /// image), which look different even when their text is the same.
    fn changed_pages(&self) -> HashSet<String> {
        let mut pages = HashSet::new();
        let mut files = HashSet::new();
        for change in &self.changes {
            if let Change::Added(p) | Change::Modified(p) | Change::Renamed { to: p, .. } = change {
                if crate::paths::is_markdown(p) {
                    pages.insert(p.clone());
                } else {
                    files.insert(p.as_str());
                }
            }
        }
        if !files.is_empty() {
            pages.extend(self.pages_using(&files));
        }
        pages
    }

    /// The head's pages with a link to one of `files` (an image, a download). The build
    /// badges pages as it renders them, before the links of every page are known, so these
    /// are found first: only the pages whose text names one of the files (by file name, as
    /// written or percent-encoded) go through the facts pass, which resolves their links.
    /// None when the head does not load; its build then fails and says why.
    fn pages_using(&self, files: &HashSet<&str>) -> Vec<String> {
        let Ok((site, _)) = Site::load(&self.new, self.config.clone()) else {
            return Vec::new();
        };
        let names: Vec<String> = files
            .iter()
            .map(|f| f.rsplit('/').next().unwrap_or(f))
            .flat_map(|name| [regex::escape(name), regex::escape(&crate::paths::encode_path(name))])
            .collect();
        // Escaped literals always compile; were the list ever too long for it, every page
        // goes to the facts pass.
        let any_name = regex::bytes::Regex::new(&names.join("|")).ok();
        let names_one = |i: &usize| {
            let text = self.new.read_shared(&site.pages[*i].path).unwrap_or_default();
            any_name.as_ref().is_none_or(|r| r.is_match(text))
        };
        let links_one = |i: &usize| {
            check_page(&self.new, &site, *i, KeptLinks::All).is_ok_and(|(facts, _)| {
                facts
                    .links
                    .iter()
                    .any(|l| matches!(&l.target, Target::File { path } if files.contains(path.as_str())))
            })
        };
        (0..site.pages.len())
            .into_par_iter()
            .filter(names_one)
            .filter(links_one)
            .map(|i| site.pages[i].path.clone())
            .collect()
    }

    /// Step 3 given the head's check: the base's check, the report and the comment.
    /// `head_index` is the size of the search index the head's build wrote, if it was built.
    fn finish(&self, opts: &Options, after: &Analysis, head_index: Option<usize>) -> (Report, String) {
        let (old, new) = (&self.old, &self.new);
        // Most pages of the base are the head's pages: only the others are checked again.
        let reuse = |base: &Site, i: usize| reusable(base, i, after, old, new).and_then(|j| after.page_result(j));
        let before = analyse(old, self.config.clone(), &reuse).ok();
        let before_side = before.as_ref().map(|analysis| report::Side { source: old, analysis });
        let after_side = report::Side {
            source: new,
            analysis: after,
        };
        let c = report::compare(before_side.as_ref(), &after_side, &self.changes, &self.root_url);
        let report = Report {
            schema: SCHEMA,
            slug: format!("@{}", self.slug),
            url: self.root_url.clone(),
            docs: self.docs.clone(),
            base: CommitRef {
                name: Some(opts.base.clone()),
                commit: self.base.clone(),
            },
            head: CommitRef {
                name: Some(opts.head.clone()),
                commit: self.head.clone(),
            },
            merge_base: CommitRef {
                name: None,
                commit: self.merge_base.clone(),
            },
            pages: c.pages,
            nav: c.nav,
            gone: c.gone,
            anchors: c.anchors,
            findings: c.findings,
            search_index: before
                .as_ref()
                .zip(head_index)
                .map(|(b, head_bytes)| index_size(old, &b.site, new, after, head_bytes)),
        };
        let ticked = match &opts.previous_comment {
            Some(previous) => comment::kept_ticks(previous, &report),
            None => HashSet::new(),
        };
        let comment = comment::markdown(&report, &ticked);
        (report, comment)
    }
}

/// The search index's size at the base, next to the head's (`head_bytes`, from its build).
/// The head's build kept every page's search terms: a base page with the same file and
/// title as a head page has the same terms, and only the others are read again.
fn index_size(old: &GitSource, base: &Site, new: &GitSource, after: &Analysis, head_bytes: usize) -> report::IndexSize {
    use crate::search::{Index, PageTerms};
    use std::sync::Arc;
    let head_terms: Vec<Option<Arc<PageTerms>>> = after
        .facts
        .iter()
        .map(|f| f.as_ref().and_then(|f| f.search.clone()))
        .collect();
    let route_title = |site: &Site, i: usize| {
        site.pages[i]
            .primary_route()
            .map(|r| site.manifest.routes[r].title.clone())
    };
    let base_terms: Vec<Option<Arc<PageTerms>>> = (0..base.pages.len())
        .map(|i| {
            let path = &base.pages[i].path;
            let same = after.site.page_index(path).filter(|&j| {
                old.blob_id(path).is_some()
                    && old.blob_id(path) == new.blob_id(path)
                    && route_title(base, i) == route_title(&after.site, j)
            });
            if let Some(j) = same {
                return head_terms[j].clone();
            }
            let rendered = crate::build::render_page(old, base, i, crate::markdown::Purpose::Text).ok()?;
            let title = crate::render::page_title(base, i, &rendered);
            Some(Arc::new(PageTerms::of(title, &rendered.sections)))
        })
        .collect();
    report::IndexSize {
        base_bytes: Index::build(&base_terms.iter().map(|t| t.as_deref()).collect::<Vec<_>>()).bytes(),
        head_bytes,
    }
}

/// The head's page that page `i` of the base checks exactly like: the same path, text, URL
/// and `<children>`, and every link it makes resolving the same way. Checks only what can
/// change a page's markdown pass ([`crate::markdown::Links`]).
fn reusable(base: &Site, i: usize, head: &Analysis, old: &GitSource, new: &GitSource) -> Option<usize> {
    let page = &base.pages[i];
    let j = head.site.page_index(&page.path)?;
    let facts = head.facts.get(j)?.as_ref()?;
    let same_blob = matches!((old.blob_id(&page.path), new.blob_id(&page.path)), (Some(a), Some(b)) if a == b);
    let same = same_blob
        && page.url == head.site.pages[j].url
        && base.children_of(i) == head.site.children_of(j)
        && facts.links.iter().all(|l| resolves_same(&l.target, base, &head.site));
    same.then_some(j)
}

/// Whether a link target found in `head` is what `base` resolves the same link to.
fn resolves_same(target: &Target, base: &Site, head: &Site) -> bool {
    let folder_pages = |dir: &str| {
        ["index.md", "README.md"].iter().all(|f| {
            let p = if dir.is_empty() {
                f.to_string()
            } else {
                format!("{dir}/{f}")
            };
            base.page_url(&p) == head.page_url(&p)
        })
    };
    match target {
        Target::Page { path, .. } => {
            let dir = crate::paths::parent_dir(path);
            base.page_url(path) == head.page_url(path)
                && (!crate::paths::is_folder_page(path) || (!base.has_file(dir) && folder_pages(dir)))
        }
        Target::File { path } => base.has_file(path) && base.page_url(path).is_none(),
        Target::Missing { path } => base.page_url(path).is_none() && !base.has_file(path) && folder_pages(path),
        Target::External | Target::SamePage { .. } | Target::Outside => true,
    }
}

fn display_docs(docs: &str) -> &str {
    if docs.is_empty() { "." } else { docs }
}

/// Whether a docs-relative path is part of the docs as a source reads them.
fn visible(path: &str) -> bool {
    !path.split('/').any(crate::source::is_skipped_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_path_segments() {
        assert_eq!(slug("mike/aibridge-500x"), "mike-aibridge-500x");
        assert_eq!(slug("docs/Clarify_Agents..x"), "docs-clarify-agents-x");
        assert_eq!(slug("../../etc"), "etc");
        assert_eq!(slug("$(touch x)"), "touch-x");
        assert_eq!(slug("…"), "preview");
        assert_eq!(slug(&"a".repeat(100)).len(), 63);
    }

    #[test]
    fn urls_must_be_plain_http() {
        assert_eq!(check_url("https://x.dev/p/").unwrap(), "https://x.dev/p");
        assert!(check_url("javascript:alert(1)").is_err());
        assert!(check_url("https://x.dev/a b").is_err());
        assert!(check_url("https://x.dev/a)").is_err());
    }
}
