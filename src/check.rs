//! `docsite check`: the build's findings without the build. It loads the site, runs the
//! facts pass ([`crate::markdown::facts`]: each page's ids, links and findings, recorded by
//! the renderer's own rules but without rendering) and the cross-page checks that `build`
//! runs, with no templates, no highlighting and no output, and it gives each kind of finding
//! its gate severity ([`Kind::check_severity`](crate::diag::Kind::check_severity)): a dead link is a warning in a build and an
//! error here.
//!
//! It is built for big sites (tens of thousands of findings): the manifest is parsed while
//! the folder is listed, and so are the pages found meanwhile (their references are
//! resolved once the listing is complete); a page keeps only the links the anchor check
//! needs, and the findings stay in per-page lists, ordered page by page (`in_page_order`)
//! rather than sorted all together. A finding costs about one allocation, its message: a
//! page's findings share its file name, and a broken link's excerpt is kept as the place
//! in the message that quotes it ([`Diagnostic`]).

use std::cmp::Ordering;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Mutex, PoisonError, mpsc};

use rayon::prelude::*;

use crate::build::{
    PageFacts, PageResult, check_anchors, check_page, cross_check, from_both_ends, page_anchors, split_result,
    unresolved_page,
};
use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::markdown::KeptLinks;
use crate::paths;
use crate::site::{Site, read_manifest};
use crate::source::Source;

/// The most paths the listing leaves waiting for the core that walks pages beside it: enough
/// that it never runs dry, few enough that most paths are not copied.
const MAX_WAITING: usize = 64;

/// What a check found.
#[derive(Debug)]
pub struct CheckReport {
    /// Markdown pages checked.
    pub pages: usize,
    /// Every finding, sorted by file, then line and column, in runs: the runs in order
    /// are the report. They are left as the ordering made them (a page's findings, the
    /// findings of other files between two pages) rather than joined into one list, whose
    /// copy into fresh memory was ~2 ms of one core at 10k pages (27k findings).
    runs: Vec<Vec<Diagnostic>>,
    /// What the findings were made from, kept only to be freed with the report.
    _made_from: MadeFrom,
}

/// The site and the pages' facts behind a [`CheckReport`]. At 10k pages they are 100k ids
/// and 10k pages' worth of small allocations, whose freeing took a core from formatting
/// the report (which is parallel too): they are freed with the report instead, which the
/// CLI does after printing, beside its exit.
struct MadeFrom {
    _site: Site,
    _facts: Vec<Option<PageFacts>>,
}

impl std::fmt::Debug for MadeFrom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MadeFrom")
    }
}

impl CheckReport {
    /// Every finding, sorted by file, then line and column.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.runs.iter().flatten()
    }

    /// The findings in order, as consecutive runs (a file's findings may span two runs).
    pub fn runs(&self) -> &[Vec<Diagnostic>] {
        &self.runs
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics().filter(|d| d.severity == severity).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

/// Checks the docs in `source`. Fails only when there is nothing to check: no readable
/// manifest, or one that is not valid JSON or not shaped like a manifest.
pub fn check(source: &dyn Source, config: Config) -> Result<CheckReport, Vec<Diagnostic>> {
    let kept = KeptLinks::Anchors;
    // The listing is one core's work (~26 ms at 10k pages), and the manifest, parsed beside
    // it, takes the other ~11 ms: for the rest of the listing, that core walks pages the
    // listing has found so far. Their references wait for the listing to be complete (what
    // exists is not known yet): they are resolved in the page pass, with the other pages.
    let (to_walk, found) = mpsc::channel::<String>();
    // Paths sent and not yet taken: the listing sends a path only when there are few, so
    // that the copies and sends cost its core (on which all else waits) next to nothing.
    let waiting = AtomicUsize::new(0);
    let listed = AtomicBool::new(false);
    let (waiting, listed) = (&waiting, &listed);
    let (unplaced, (manifest, walked)) = rayon::join(
        move || {
            let listing = source.files_each(&mut |path| {
                if paths::is_markdown(path) && waiting.load(Relaxed) < MAX_WAITING {
                    waiting.fetch_add(1, Relaxed);
                    // The receiver outlives this closure: a failed send cannot happen.
                    let _ = to_walk.send(path.to_string());
                }
            });
            // Making the site from the listing is mostly serial (~3 ms at 10k pages): the
            // other core walks the pages waiting meanwhile.
            let site = Site::unplaced_from(listing, source.skipped_links(), config);
            listed.store(true, Relaxed);
            drop(to_walk);
            site
        },
        move || {
            let manifest = read_manifest(source);
            let mut walked = Vec::new();
            // Until the listing is complete (or there is nothing more to walk).
            while let Ok(path) = found.recv() {
                waiting.fetch_sub(1, Relaxed);
                if listed.load(Relaxed) {
                    break;
                }
                let facts = unresolved_page(source, &path);
                walked.push((path, Mutex::new(Some(facts))));
            }
            (manifest, walked)
        },
    );
    // A failed listing, or no manifest in it, is still the error reported.
    let (mut site, url_diags) = unplaced?;
    let (manifest, mut early) = manifest?;
    // The pages walked early, by page index, for the page pass to resolve.
    let mut walked: Vec<(usize, Mutex<Option<_>>)> = walked
        .into_iter()
        .filter_map(|(path, facts)| Some((site.page_index(&path)?, facts)))
        .collect();
    walked.sort_unstable_by_key(|(i, _)| *i);
    let early_walk = |site: &Site, i: usize| -> Option<PageResult> {
        let at = walked.binary_search_by_key(&i, |(i, _)| *i).ok()?;
        let facts = walked[at].1.lock().unwrap_or_else(PoisonError::into_inner).take()?;
        let path = &site.pages[i].path;
        Some(facts.map(|f| PageFacts::checked(f.resolve(path, site, kept))))
    };
    // Placing the pages on the routes reads the site as the pages do, and is one core's
    // work (~3 ms at 10k pages): it runs beside the page pass rather than after it.
    let (results, placement) = rayon::join(
        || facts_pass(source, &site, &early_walk, kept),
        || site.placement(manifest),
    );
    early.extend(url_diags);
    early.extend(site.apply(placement));
    // Each page's findings stay in their own list: with the pages sorted by path, the
    // report's order is those lists in page order, each sorted on its own.
    let (facts, own): (Vec<_>, Vec<_>) = results.into_iter().map(split_result).unzip();
    // The checks across pages that `cross_check` runs for a build: the redirects here, the
    // anchors page by page as the findings are ordered.
    let (redirects, mut late) = crate::redirects::load(source, &site);
    late.extend(crate::redirects::check(&redirects, &site, &facts));
    let runs = in_page_order(&site, &facts, early, own, late);
    Ok(CheckReport {
        pages: site.pages.len(),
        runs,
        _made_from: MadeFrom {
            _site: site,
            _facts: facts,
        },
    })
}

/// The findings in the order of [`Analysis::order`], with their `check` severities:
/// `early` (the load's findings), then each page's own (`own`, in page order), then the
/// broken anchors of the pages' links (from `facts`), then `late` (the other findings
/// across pages), sorted by file, line, column and message, ties in that order. But no
/// sort of them all: the pages are sorted by path, so each page's findings, its anchors
/// with them, are checked and sorted alone (in parallel; they come nearly sorted), and the
/// few findings of other files are merged in by path. The result is runs of findings,
/// whose concatenation is that order.
fn in_page_order(
    site: &Site,
    facts: &[Option<PageFacts>],
    early: Vec<Diagnostic>,
    mut own: Vec<Vec<Diagnostic>>,
    late: Vec<Diagnostic>,
) -> Vec<Vec<Diagnostic>> {
    // What the shortcut rests on: pages in path order, each page's findings about itself.
    let sorted = site.pages.is_sorted_by(|a, b| a.path < b.path);
    let about_itself = || {
        own.par_iter()
            .zip(&site.pages)
            .all(|(o, page)| o.iter().all(|d| *d.file == *page.path))
    };
    if !sorted || !about_itself() {
        let anchors = check_anchors(site, facts, None);
        let all = early
            .into_iter()
            .chain(own.into_iter().flatten())
            .chain(anchors)
            .chain(late);
        return vec![Analysis::order(all.collect())];
    }
    let mut others = Vec::new();
    let before = by_page(site, early, &mut others);
    for (b, o) in before.into_iter().zip(&mut own) {
        if !b.is_empty() {
            // Ahead of the page's own: ties keep the order the global sort gives them.
            let own_findings = std::mem::replace(o, b);
            o.extend(own_findings);
        }
    }
    let mut after = by_page(site, late, &mut others);
    own.par_iter_mut()
        .zip(&mut after)
        .enumerate()
        .for_each(|(i, (page, after))| {
            if let Some(Some(f)) = facts.get(i) {
                page.extend(page_anchors(site, facts, i, f));
            }
            page.append(after);
            page.iter_mut().for_each(gate);
            page.sort_by(by_position);
        });
    others.iter_mut().for_each(gate);
    others.sort_by(by_position);

    if others.is_empty() {
        return own;
    }
    let mut out = Vec::with_capacity(own.len() + 1);
    let mut others = others.into_iter().peekable();
    for (page, findings) in site.pages.iter().zip(own) {
        let before: Vec<Diagnostic> = std::iter::from_fn(|| others.next_if(|d| *d.file < *page.path)).collect();
        if !before.is_empty() {
            out.push(before);
        }
        out.push(findings);
    }
    out.push(others.collect());
    out
}

/// `findings` in lists by the page they are about, in page order; the findings about other
/// files go to `others`.
fn by_page(site: &Site, findings: Vec<Diagnostic>, others: &mut Vec<Diagnostic>) -> Vec<Vec<Diagnostic>> {
    let mut pages: Vec<Vec<Diagnostic>> = vec![Vec::new(); site.pages.len()];
    for d in findings {
        match site.page_index(&d.file) {
            Some(i) => pages[i].push(d),
            None => others.push(d),
        }
    }
    pages
}

/// A finding with the severity `check` gives its kind.
fn gate(d: &mut Diagnostic) {
    if d.severity == Severity::Warning
        && let Some(severity) = d.kind.check_severity()
    {
        d.severity = severity;
    }
}

/// The report's order: by file, then line, column and message.
fn by_position(a: &Diagnostic, b: &Diagnostic) -> Ordering {
    (&a.file, a.line, a.col, a.message()).cmp(&(&b.file, b.line, b.col, b.message()))
}

/// What a check learns about the docs: the site, each page's facts (`None` for a page that
/// failed) and the findings, with their `check` severities, sorted.
pub(crate) struct Analysis {
    pub site: Site,
    pub facts: Vec<Option<PageFacts>>,
    /// Each page's own findings, as the markdown pass reported them (before the
    /// cross-page checks and the `check` severities), for [`Analysis::page_result`].
    page_findings: Vec<Vec<Diagnostic>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Gives the findings (the pipeline's, as `build` has them) their `check` severities
    /// and order.
    pub(crate) fn new(
        site: Site,
        facts: Vec<Option<PageFacts>>,
        page_findings: Vec<Vec<Diagnostic>>,
        diags: Vec<Diagnostic>,
    ) -> Analysis {
        Analysis {
            site,
            facts,
            page_findings,
            diagnostics: Analysis::order(diags),
        }
    }

    /// The findings with their `check` severities, grouped by file in path order: the
    /// order a reader fixes them in.
    fn order(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diags.iter_mut().for_each(gate);
        diags.par_sort_by(by_position);
        diags
    }

    /// Page `i`'s markdown pass again, without running it: for another commit where the
    /// page has the same text and the same surroundings.
    pub fn page_result(&self, i: usize) -> Option<PageResult> {
        let facts = self.facts.get(i)?.clone()?;
        Some(Ok((facts, self.page_findings[i].clone())))
    }
}

/// Gives a page's markdown-pass result without running it, or `None` to run it.
pub(crate) type Reuse<'a> = dyn Fn(&Site, usize) -> Option<PageResult> + Sync + 'a;

/// The check, keeping the facts: [`crate::preview`] compares two of them. `reuse` may
/// supply pages known from another commit.
pub(crate) fn analyse(source: &dyn Source, config: Config, reuse: &Reuse) -> Result<Analysis, Vec<Diagnostic>> {
    let (site, mut diags) = Site::load(source, config)?;
    let results = facts_pass(source, &site, reuse, KeptLinks::All);
    let page_findings = page_findings(&results);
    let (facts, _) = cross_check(source, &site, results, &mut diags);
    Ok(Analysis::new(site, facts, page_findings, diags))
}

/// Every page through the facts pass, in parallel, or as `reuse` supplies it.
fn facts_pass(source: &dyn Source, site: &Site, reuse: &Reuse, kept: KeptLinks) -> Vec<PageResult> {
    from_both_ends(site.pages.len(), |i| {
        reuse(site, i).unwrap_or_else(|| check_page(source, site, i, kept))
    })
}

/// Each page's own findings, kept for [`Analysis::page_result`].
pub(crate) fn page_findings(results: &[PageResult]) -> Vec<Vec<Diagnostic>> {
    results
        .iter()
        .map(|r| r.as_ref().map(|(_, d)| d.clone()).unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Kind, Pos};
    use crate::source::DirSource;

    fn site(pages: &[&str]) -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("manifest.json"), r#"{"routes": []}"#).unwrap();
        for p in pages {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "# x").unwrap();
        }
        let (site, _) = Site::load(&DirSource::new(dir.path()), Config::default()).unwrap();
        (dir, site)
    }

    fn d(file: &str, line: usize, message: &str, kind: Kind) -> Diagnostic {
        Diagnostic::warning(kind, file, Pos::new(line, 1), message)
    }

    #[test]
    fn check_finds_what_the_full_analysis_finds() {
        // `check` keeps fewer links and orders page by page; `analyse` (a preview's) keeps
        // every link and sorts all the findings: the same findings, in the same order.
        for docs in ["tests/fixtures/acme", "tests/fixtures/broken", "docs"] {
            let source = DirSource::new(docs);
            let checked = check(&source, Config::default()).unwrap();
            let analysed = analyse(&source, Config::default(), &|_, _| None).unwrap();
            let findings: Vec<_> = checked.diagnostics().cloned().collect();
            assert_eq!(findings, analysed.diagnostics, "{docs}");
            assert_eq!(checked.pages, analysed.site.pages.len());
        }
        let acme = check(&DirSource::new("tests/fixtures/acme"), Config::default()).unwrap();
        assert!(acme.diagnostics().any(|d| d.kind == Kind::BrokenAnchor));
    }

    #[test]
    fn page_order_is_the_global_sort() {
        let (_dir, site) = site(&["a.md", "b/c.md", "b/d.md", "z.md"]);
        let in_page_order = |early, own, late| in_page_order(&site, &[], early, own, late).concat();
        let early = vec![
            d("manifest.json", 3, "m", Kind::UnknownKey),
            d("b/d.md", 0, "orphan", Kind::OrphanPage),
            d("b/c.md", 2, "same", Kind::UrlClash),
            d(".", 0, "dot", Kind::Other),
        ];
        // Out of order within a page, and a tie (same line, column and message) between
        // a page's own finding and one found before or after it.
        let own = vec![
            vec![
                d("a.md", 9, "late link", Kind::BrokenLink),
                d("a.md", 2, "x", Kind::MissingFile),
            ],
            vec![d("b/c.md", 2, "same", Kind::BrokenLink)],
            Vec::new(),
            vec![d("z.md", 1, "z", Kind::LinkLeavesDocs)],
        ];
        let late = vec![
            d("a.md", 5, "anchor", Kind::BrokenAnchor),
            d("b/c.md", 2, "same", Kind::BrokenAnchor),
            d("redirects.json", 1, "r", Kind::RedirectTargetMissing),
            d("zz.md", 1, "not a page", Kind::Other),
        ];
        let all = early.iter().chain(own.iter().flatten()).chain(&late).cloned().collect();
        let expected = Analysis::order(all);
        assert_eq!(in_page_order(early.clone(), own.clone(), late.clone()), expected);
        // Check severities are given.
        assert!(expected.iter().any(|d| d.severity == Severity::Error));

        // A page's finding about another file: the global sort, the same order.
        let mut odd = own.clone();
        odd[0].push(d("b/d.md", 1, "elsewhere", Kind::Other));
        let all = early.iter().chain(odd.iter().flatten()).chain(&late).cloned().collect();
        assert_eq!(in_page_order(early, odd, late), Analysis::order(all));
    }
}
