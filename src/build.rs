//! One full build: source → site model → pages rendered in parallel → output. Each page is
//! read, rendered and written in one pass, so memory holds only the small facts the
//! cross-page checks need (heading ids, links), never the whole site's HTML. The cross-page
//! checks are shared with [`crate::check`], which gets each page's facts from the facts
//! pass ([`markdown::facts`]) instead of a render: no templates, highlighting or output.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::{Diagnostic, FileName, Kind, Pos, Severity};
use crate::highlight::Highlighter;
use crate::markdown::{self, Facts, KeptLinks, LinkRef, Links, PageInput, Purpose, RenderedPage, Target};
use crate::output::Output;
use crate::paths;
use crate::render::Renderer;
use crate::sanitize::RawHtml;
use crate::search::{self, PageTerms, SearchIndex};
use crate::site::Site;
use crate::source::Source;
use crate::theme::{ASSETS_DIR, Theme};

/// Whether warnings fail the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strictness {
    #[default]
    WarningsAllowed,
    WarningsAreErrors,
}

/// Whether a manifest route whose file is missing fails the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingRouteFiles {
    #[default]
    Fail,
    /// Build without them (the nav entry has no link): `serve` shows a deleted page as
    /// deleted rather than failing the whole site while the manifest catches up.
    Warn,
}

#[derive(Default)]
pub struct BuildOptions {
    pub strictness: Strictness,
    pub missing_route_files: MissingRouteFiles,
    /// Counts pages as they are done, for a progress display.
    pub progress: Option<Arc<AtomicUsize>>,
    /// Pages (docs-relative paths) marked "changed" in the sidebar, for a preview.
    pub changed_pages: HashSet<String>,
    pub raw_html: RawHtml,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files_copied: usize,
    /// Bytes of the search index (dictionary and postings; `None` when it was skipped).
    pub search_bytes: Option<usize>,
    /// Warnings (and notes), sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl BuildReport {
    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
}

pub(crate) use crate::slug::Ids;

/// What a page leaves behind for the checks that look across pages.
#[derive(Clone)]
pub(crate) struct PageFacts {
    pub ids: Ids,
    pub links: Vec<LinkRef>,
    /// The page's terms for the search index (`build` only).
    pub search: Option<Arc<PageTerms>>,
}

/// One page's outcome: its facts and findings, or the error that stopped it.
pub(crate) type PageResult = Result<(PageFacts, Vec<Diagnostic>), Diagnostic>;

impl PageFacts {
    fn of(rendered: RenderedPage) -> (PageFacts, Vec<Diagnostic>) {
        let facts = PageFacts {
            ids: rendered.ids.into_iter().collect(),
            links: rendered.links,
            search: None,
        };
        (facts, rendered.diagnostics)
    }

    /// What the facts pass (`check`) found: the same as [`PageFacts::of`] a render.
    pub(crate) fn checked(found: Facts) -> (PageFacts, Vec<Diagnostic>) {
        let facts = PageFacts {
            ids: found.ids,
            links: found.links,
            search: None,
        };
        (facts, found.diagnostics)
    }
}

/// The parts of a build that do not depend on the docs: the theme, its compiled templates
/// and the syntax highlighter. A server loads them once and keeps them across rebuilds.
pub struct Tools {
    pub theme: Theme,
    pub renderer: Renderer,
    pub highlighter: Arc<Highlighter>,
}

impl Tools {
    /// Loads the theme, reusing an already loaded highlighter (the slow part).
    pub fn load(theme_dir: Option<&std::path::Path>, highlighter: Arc<Highlighter>) -> Result<Tools, Diagnostic> {
        let (theme, renderer) = load_theme(theme_dir)?;
        Ok(Tools {
            theme,
            renderer,
            highlighter,
        })
    }
}

/// The theme in `theme_dir` (laid over the embedded one), and its templates compiled.
fn load_theme(theme_dir: Option<&std::path::Path>) -> Result<(Theme, Renderer), Diagnostic> {
    let theme = Theme::load(theme_dir)?;
    let renderer = Renderer::new(&theme)?;
    Ok((theme, renderer))
}

/// A built site's model and what its pages left behind, kept by a server so that it can
/// rebuild one page at a time.
pub struct Built {
    pub site: Site,
    facts: Vec<Option<PageFacts>>,
    /// Non-page files copied into the output.
    files: BTreeSet<String>,
    search_bytes: Option<usize>,
    /// Pages were rendered again since the search index was written.
    search_stale: bool,
    /// Warnings (and notes), sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// What a check of the same docs needs: each page's own findings, and every finding
    /// before the build dropped notes and applied `--strict`.
    page_findings: Vec<Vec<Diagnostic>>,
    checked: Vec<Diagnostic>,
    raw_html: RawHtml,
}

impl Built {
    /// The summary a caller of [`build`] gets. The diagnostics move into it (at 10k pages
    /// they are tens of thousands): the build is done with them.
    fn take_report(&mut self) -> BuildReport {
        BuildReport {
            pages: self.site.pages.len(),
            files_copied: self.files.len(),
            search_bytes: self.search_bytes,
            diagnostics: std::mem::take(&mut self.diagnostics),
        }
    }

    /// Non-page files the output holds (images, downloads, icons).
    pub fn copied_files(&self) -> &BTreeSet<String> {
        &self.files
    }

    /// Renders page `i` again after its markdown changed, into `out`. The site model is
    /// unchanged, and nothing else depends on a page's markdown: the navigation, the
    /// previous/next links and `<children>` lists show manifest titles. Files the page now
    /// links to are copied. Returns the page's findings.
    pub fn update_page(
        &mut self,
        source: &dyn Source,
        tools: &Tools,
        i: usize,
        out: &dyn Output,
    ) -> Result<Vec<Diagnostic>, Diagnostic> {
        let (facts, mut diags) = build_page(source, &self.site, i, tools, self.raw_html, out)?;
        for l in &facts.links {
            if let Target::File { path } = &l.target
                && !self.files.contains(path.as_str())
            {
                copy_file(source, path, out)?;
                self.files.insert(path.clone());
            }
        }
        if let Some(slot) = self.facts.get_mut(i) {
            *slot = Some(facts);
        }
        diags.extend(check_anchors(&self.site, &self.facts, Some(i)));
        // The page's words changed. Rebuilding the index takes every page's terms (about
        // 0.1 s at 10k pages), so it waits for `search_job`, off the page's path.
        self.search_stale = self.site.config.search == SearchIndex::Build;
        Ok(sorted(diags))
    }

    /// Whether pages changed since the search index was last written.
    pub fn search_stale(&self) -> bool {
        self.search_stale
    }

    /// What the search index needs to be written again, if pages changed since it was:
    /// a job to run anywhere (it holds no borrow of the site).
    pub fn search_job(&mut self) -> Option<SearchJob> {
        std::mem::take(&mut self.search_stale).then(|| SearchJob::of(&self.site, self.facts.iter().map(Option::as_ref)))
    }

    /// What a check of the same docs would find, from this build's own markdown pass.
    pub(crate) fn into_analysis(self) -> crate::check::Analysis {
        crate::check::Analysis::new(self.site, self.facts, self.page_findings, self.checked)
    }

    /// Writes the theme assets, the 404 page and the sitemap again: all a change of theme
    /// assets needs.
    pub fn write_extras(&self, tools: &Tools, out: &dyn Output) -> Vec<Diagnostic> {
        write_extras(&self.site, &tools.theme, &tools.renderer, out)
    }
}

/// Builds the site from `source` into `out`. On failure returns every diagnostic, errors
/// first; `out` may then hold a partial site, which is why the CLI builds into a
/// [`crate::output::Staged`] folder.
pub fn build(
    source: &dyn Source,
    config: Config,
    out: &dyn Output,
    opts: &BuildOptions,
) -> Result<BuildReport, Vec<Diagnostic>> {
    let (tools, loaded) = load(source, config, opts)?;
    let mut built = build_site(source, &tools, loaded, out, opts)?;
    let report = built.take_report();
    // Freeing what the build made (every page's facts, the site model, the syntax set and
    // templates) takes ~1.5 ms at 530 pages, which the caller need not wait for.
    rayon::spawn(move || drop((built, tools)));
    Ok(report)
}

/// [`build`], also giving what a check of the same docs would ([`crate::check`]), from
/// the build's own markdown pass: a preview reads the head once.
pub(crate) fn build_analysed(
    source: &dyn Source,
    config: Config,
    out: &dyn Output,
    opts: &BuildOptions,
) -> Result<(BuildReport, crate::check::Analysis), Vec<Diagnostic>> {
    let (tools, loaded) = load(source, config, opts)?;
    let mut built = build_site(source, &tools, loaded, out, opts)?;
    Ok((built.take_report(), built.into_analysis()))
}

/// A site as [`Site::load`] gives it, with the findings of its load.
type LoadedSite = (Site, Vec<Diagnostic>);

/// The tools and the site a build needs, loaded side by side: the syntax set, the theme
/// with its templates, the file listing and the manifest take 1 to 3 ms each.
fn load(source: &dyn Source, config: Config, opts: &BuildOptions) -> Result<(Tools, LoadedSite), Vec<Diagnostic>> {
    let theme_dir = config.theme_dir.clone();
    let ((themed, highlighter), loaded) = rayon::join(
        || rayon::join(|| load_theme(theme_dir.as_deref()), Highlighter::new),
        || Site::load(source, config).map_err(sorted),
    );
    let (theme, mut renderer) = themed.map_err(|d| vec![d])?;
    // The syntax dump is deserialized and the templates parsed: what loading read of the
    // binary can go (see the function).
    crate::alloc::release_startup_pages();
    renderer.mark_changed(opts.changed_pages.clone());
    let tools = Tools {
        theme,
        renderer,
        highlighter: Arc::new(highlighter),
    };
    Ok((tools, loaded?))
}

/// Renders a loaded site (with the findings of its load) into `out`.
pub fn build_site(
    source: &dyn Source,
    tools: &Tools,
    (site, mut diags): LoadedSite,
    out: &dyn Output,
    opts: &BuildOptions,
) -> Result<Built, Vec<Diagnostic>> {
    let Tools { theme, renderer, .. } = tools;
    let results: Vec<PageResult> = from_both_ends(site.pages.len(), |i| {
        let r = build_page(source, &site, i, tools, opts.raw_html, out);
        if let Some(p) = &opts.progress {
            p.fetch_add(1, Ordering::Relaxed);
        }
        r
    });
    // The index needs only the pages' terms: build it on one side while the other finishes
    // the site (cross-page checks, copies, extras), which is mostly one thread's work.
    let search = match site.config.search {
        SearchIndex::Build => Some(SearchJob::of(
            &site,
            results.iter().map(|r| r.as_ref().ok().map(|(f, _)| f)),
        )),
        SearchIndex::Skip => None,
    };
    let (search, (facts, files, page_findings, checked)) = rayon::join(
        || search.map(|job| job.run(out)),
        || {
            let page_findings = crate::check::page_findings(&results);
            let (facts, redirects) = cross_check(source, &site, results, &mut diags);
            diags.extend(crate::redirects::write(&redirects, &site, out));
            let (files, copy_errors) = copy_files(source, &site, &facts, out);
            diags.extend(copy_errors);
            diags.extend(write_extras(&site, theme, renderer, out));
            (facts, files, page_findings, diags.clone())
        },
    );
    let search_bytes = search.map(|(bytes, d)| {
        diags.extend(d);
        bytes
    });

    // Notes (a page listed twice) are for `check`; a build has nothing to say about them.
    diags.retain(|d| d.severity != Severity::Note);
    if opts.missing_route_files == MissingRouteFiles::Warn {
        for d in diags.iter_mut().filter(|d| d.kind == Kind::MissingRouteFile) {
            d.severity = Severity::Warning;
        }
    }
    if opts.strictness == Strictness::WarningsAreErrors {
        for d in diags.iter_mut().filter(|d| d.severity == Severity::Warning) {
            d.severity = Severity::Error;
        }
    }
    let diags = sorted(diags);
    if Site::has_errors(&diags) {
        return Err(diags);
    }
    Ok(Built {
        site,
        facts,
        files,
        search_bytes,
        search_stale: false,
        diagnostics: diags,
        page_findings,
        checked,
        raw_html: opts.raw_html,
    })
}

/// `f` of `0..count`, in order, each index taken by whichever thread is free next: half of
/// the threads take them from the front, half from the back. The page pass of a build and
/// of a check.
///
/// Why not a parallel iterator over the range: rayon splits a range into a few long runs
/// up front and splits a run again only when a thread steals it; a run in progress cannot
/// be shared. A page takes 0.1 to 5 ms, and the thread that finished its runs first sat
/// idle while the other walked the rest of its own: 4 to 14 ms of a 530-page build of
/// 160 to 220 ms. Why from both ends: consecutive pages are siblings, and making a folder
/// holds its parent's lock while ext4 picks a block group for it (~0.1 ms, see
/// `output::spread_subfolders`), so threads on neighbouring pages wait for each other.
pub(crate) fn from_both_ends<T: Send>(count: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let left = std::sync::Mutex::new(0..count);
    let take = |front: bool| {
        let mut left = left.lock().unwrap_or_else(|p| p.into_inner());
        if front { left.next() } else { left.next_back() }
    };
    // One job per thread; a thread that gets to a second job finds nothing left to take.
    let mut done: Vec<(usize, T)> = (0..rayon::current_num_threads())
        .into_par_iter()
        .with_max_len(1)
        .flat_map_iter(|job| {
            std::iter::from_fn(|| take(job % 2 == 0))
                .map(|i| (i, f(i)))
                .collect::<Vec<_>>()
        })
        .collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// Copies the files the pages reference, and the nav icons; returns their paths.
fn copy_files(
    source: &dyn Source,
    site: &Site,
    facts: &[Option<PageFacts>],
    out: &dyn Output,
) -> (BTreeSet<String>, Vec<Diagnostic>) {
    let mut files: BTreeSet<String> = BTreeSet::new();
    for f in facts.iter().flatten() {
        for l in &f.links {
            if let Target::File { path } = &l.target {
                files.insert(path.clone());
            }
        }
    }
    // A missing icon is already reported by the site load.
    let icons = site.manifest.routes.iter().filter_map(|r| r.icon_path.as_deref());
    files.extend(icons.filter(|p| site.has_file(p)).map(str::to_string));
    let errors = files
        .par_iter()
        .filter_map(|path| copy_file(source, path, out).err())
        .collect();
    (files, errors)
}

fn copy_file(source: &dyn Source, path: &str, out: &dyn Output) -> Result<(), Diagnostic> {
    source
        .read(path)
        .and_then(|bytes| out.write(path, bytes))
        .map_err(|e| Diagnostic::error(Kind::Other, path, Pos::FILE, format!("cannot copy file: {e}")))
}

fn build_page(
    source: &dyn Source,
    site: &Site,
    i: usize,
    tools: &Tools,
    raw_html: RawHtml,
    out: &dyn Output,
) -> PageResult {
    let page = &site.pages[i];
    let mut rendered = render_page(source, site, i, Purpose::Html(&tools.highlighter))?;
    if raw_html == RawHtml::Sanitize {
        crate::sanitize::clean_page(&mut rendered);
    }
    let html = tools
        .renderer
        .page(site, i, &rendered, source.last_updated(&page.path))?;
    out.write(&paths::output_file(&page.url), html.into_bytes())
        .map_err(|e| {
            Diagnostic::error(
                Kind::Other,
                &page.path,
                Pos::FILE,
                format!("cannot write {}: {e}", page.url),
            )
        })?;
    let search = match site.config.search {
        SearchIndex::Build => Some(search_entry(site, i, &rendered, out)?),
        SearchIndex::Skip => None,
    };
    let (mut facts, diags) = PageFacts::of(rendered);
    facts.search = search.map(Arc::new);
    Ok((facts, diags))
}

/// Writes the page's search entry (`p/<page>.js`) and returns its terms for the index.
fn search_entry(site: &Site, i: usize, rendered: &RenderedPage, out: &dyn Output) -> Result<PageTerms, Diagnostic> {
    let page = &site.pages[i];
    let title = crate::render::page_title(site, i, rendered);
    let route = page.primary_route();
    let breadcrumb: Vec<&str> = route
        .map(|r| site.manifest.ancestors(r))
        .unwrap_or_default()
        .into_iter()
        .map(|a| site.manifest.routes[a].title.as_str())
        .collect();
    let states: Vec<(String, String)> = route
        .map(|r| site.manifest.routes[r].states.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|s| (s.clone(), crate::slug::slugify(s)))
        .collect();
    let url = paths::encode_path(&page.url);
    let (path, bytes) = search::page_file(i, &url, title, &breadcrumb, &states, &rendered.sections);
    if let Some(d) = write_file(out, &path, bytes) {
        return Err(d);
    }
    Ok(PageTerms::of(title, &rendered.sections))
}

/// Everything the search index is made of: each page's terms (shared, not copied), so it
/// can be built on another thread while the site changes.
pub struct SearchJob {
    terms: Vec<Option<Arc<PageTerms>>>,
    budget_kb: u64,
}

impl SearchJob {
    /// The job for these pages' facts, in page order (`None` for a page that failed).
    fn of<'a>(site: &Site, facts: impl Iterator<Item = Option<&'a PageFacts>>) -> SearchJob {
        SearchJob {
            terms: facts.map(|f| f.and_then(|f| f.search.clone())).collect(),
            budget_kb: site.config.search_budget_kb,
        }
    }

    /// Writes the index files into `out`; returns their size, and a warning when it is
    /// over the budget.
    pub fn run(self, out: &dyn Output) -> (usize, Vec<Diagnostic>) {
        write_index(&self.terms, self.budget_kb, out)
    }
}

fn write_index(terms: &[Option<Arc<PageTerms>>], budget_kb: u64, out: &dyn Output) -> (usize, Vec<Diagnostic>) {
    let index = search::Index::build(&terms.iter().map(|t| t.as_deref()).collect::<Vec<_>>());
    let bytes = index.bytes();
    // In parallel: a 10k-page index is ~600 files, and the thread that finishes the rest
    // of the site first takes up some of them.
    let mut diags: Vec<Diagnostic> = index
        .files
        .into_par_iter()
        .filter_map(|(path, bytes)| write_file(out, &path, bytes))
        .collect();
    let budget = budget_kb.saturating_mul(1024);
    if bytes as u64 > budget {
        diags.push(
            Diagnostic::warning(
                Kind::Other,
                crate::config::CONFIG_FILE,
                Pos::FILE,
                format!(
                    "the search index is {} KB, over the budget of {} KB",
                    bytes.div_ceil(1024),
                    budget_kb
                ),
            )
            .with_help("raise `search_budget_kb` in docsite.toml, or trim very large pages"),
        );
    }
    (bytes, diags)
}

/// Checks one page without building it: the facts pass alone ([`markdown::facts`]), no
/// rendering, keeping the links `kept` says.
pub(crate) fn check_page(source: &dyn Source, site: &Site, i: usize, kept: KeptLinks) -> PageResult {
    let path = &site.pages[i].path;
    with_page_text(source, path, |text| {
        PageFacts::checked(markdown::facts(path, text, site, kept))
    })
}

/// [`check_page`] while the listing is incomplete: the facts of the page at `path`, its
/// references left for [`markdown::Unresolved::resolve`].
pub(crate) fn unresolved_page(source: &dyn Source, path: &str) -> Result<markdown::Unresolved, Diagnostic> {
    with_page_text(source, path, |text| markdown::unresolved_facts(path, text))
}

/// `walk` of the text of the page at `path`, read into this thread's buffer: fresh memory
/// for every page costs page faults (the kernel zeroes it), which cost a check as much as
/// the parse.
fn with_page_text<T>(source: &dyn Source, path: &str, walk: impl FnOnce(&str) -> T) -> Result<T, Diagnostic> {
    thread_local! {
        static TEXT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    TEXT.with_borrow_mut(|buf| {
        source.read_into(path, buf).map_err(|e| cannot_read(path, e))?;
        let walked = walk(crate::diag::decode_utf8_ref(path, buf)?);
        if buf.capacity() > MAX_KEPT_TEXT {
            *buf = Vec::new();
        }
        Ok(walked)
    })
}

/// The largest page-text buffer a thread keeps between pages.
const MAX_KEPT_TEXT: usize = 4 << 20;

/// Reads and renders one page's markdown.
pub(crate) fn render_page(
    source: &dyn Source,
    site: &Site,
    i: usize,
    purpose: Purpose,
) -> Result<RenderedPage, Diagnostic> {
    let page = &site.pages[i];
    let bytes = source.read(&page.path).map_err(|e| cannot_read(&page.path, e))?;
    let text = crate::diag::decode_utf8(&page.path, bytes)?;
    let children = site.children_of(i);
    let input = PageInput {
        path: &page.path,
        url: &page.url,
        text: &text,
        children: &children,
    };
    Ok(markdown::render(&input, site, purpose))
}

fn cannot_read(path: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(Kind::Other, path, Pos::FILE, format!("cannot read: {e}"))
}

/// Splits the page results into each page's facts (`None` for a page that failed) and the
/// findings, which go to `diags`.
fn split_results(results: Vec<PageResult>, diags: &mut Vec<Diagnostic>) -> Vec<Option<PageFacts>> {
    let mut facts = Vec::with_capacity(results.len());
    for (f, d) in results.into_iter().map(split_result) {
        facts.push(f);
        diags.extend(d);
    }
    facts
}

/// One page's facts (`None` for a page that failed) and findings.
pub(crate) fn split_result(result: PageResult) -> (Option<PageFacts>, Vec<Diagnostic>) {
    match result {
        Ok((f, d)) => (Some(f), d),
        Err(d) => (None, vec![d]),
    }
}

/// What `build` and `check` both do once every page has been through the markdown pass:
/// collect the pages' facts and findings, then the checks that look across pages (anchors,
/// redirects). Findings go to `diags`.
pub(crate) fn cross_check(
    source: &dyn Source,
    site: &Site,
    results: Vec<PageResult>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Option<PageFacts>>, Vec<crate::redirects::Redirect>) {
    let facts = split_results(results, diags);
    diags.extend(check_anchors(site, &facts, None));
    let (redirects, redirect_diags) = crate::redirects::load(source, site);
    diags.extend(redirect_diags);
    diags.extend(crate::redirects::check(&redirects, site, &facts));
    (facts, redirects)
}

/// `#fragment` links must name an id on their target page. Checks the links of one page
/// (`only`), or of all, in parallel: a suggestion weighs every id of the target page.
pub(crate) fn check_anchors(site: &Site, facts: &[Option<PageFacts>], only: Option<usize>) -> Vec<Diagnostic> {
    facts
        .par_iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o == *i))
        .flat_map_iter(|(i, f)| f.iter().flat_map(move |f| page_anchors(site, facts, i, f)))
        .collect()
}

/// The broken anchors of page `i`'s links.
pub(crate) fn page_anchors<'a>(
    site: &'a Site,
    facts: &'a [Option<PageFacts>],
    i: usize,
    f: &'a PageFacts,
) -> impl Iterator<Item = Diagnostic> + 'a {
    let mut file = FileName::new(&site.pages[i].path);
    // Links that name no anchor fall through the match.
    f.links.iter().filter_map(move |link| {
        let (target, fragment) = match &link.target {
            Target::SamePage { fragment } => (i, fragment),
            Target::Page {
                path,
                fragment: Some(fragment),
            } => (site.page_index(path)?, fragment),
            _ => return None,
        };
        let Some(Some(target_facts)) = facts.get(target) else {
            return None;
        };
        if fragment.is_empty() || target_facts.ids.contains(fragment) {
            return None;
        }
        let on = if target == i {
            "this page".to_string()
        } else {
            format!("`{}`", site.pages[target].path)
        };
        let mut d = Diagnostic::warning(
            Kind::BrokenAnchor,
            file.get(),
            link.pos,
            format!("broken anchor: `#{fragment}` matches no heading on {on}"),
        )
        .with_excerpt(&link.dest);
        if let Some(best) = closest(fragment, &target_facts.ids) {
            d = d.with_help(format!("did you mean `#{best}`?"));
        }
        Some(d)
    })
}

/// The most similar id, if any is reasonably close.
pub(crate) fn closest<'a>(wanted: &str, ids: &'a Ids) -> Option<&'a str> {
    const MIN_SCORE: f64 = 0.6;
    let wanted_bag = CharBag::of(wanted);
    // Each id's bound on its score; ids that cannot reach the minimum are skipped unread.
    let mut candidates: Vec<(f64, &String)> = ids
        .iter()
        .map(|id| (wanted_bag.best_score(&CharBag::of(id)), id))
        .filter(|(bound, _)| *bound >= MIN_SCORE)
        .collect();
    // Highest bound first: once a bound is below the best score so far, no id left can
    // beat it or tie with it, so the edit distances stop there. The winner is the same as
    // over every id: the highest score, then the smallest id. (The bound and the score
    // are computed differently and may differ in the last bit where they are equal: the
    // margin keeps such a tie.)
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    let better = |a: (f64, &String), b: (f64, &String)| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)).is_gt();
    let mut best: Option<(f64, &String)> = None;
    for (bound, id) in candidates {
        if best.is_some_and(|(score, _)| bound + 1e-9 < score) {
            break;
        }
        let score = strsim::normalized_damerau_levenshtein(wanted, id);
        if score >= MIN_SCORE && best.is_none_or(|b| better((score, id), b)) {
            best = Some((score, id));
        }
    }
    best.map(|(_, id)| id.as_str())
}

/// Character counts of a string, folded into 64 buckets.
///
/// Each edit (insert, delete, substitute, transpose) changes at most one character on each
/// side, so the edit distance is at least `max(len) - shared characters`, and the normalized
/// similarity at most `shared / max(len)`. Folding characters into buckets can only raise
/// the shared count, so the bound stays an upper bound.
struct CharBag {
    counts: [u16; 64],
    len: usize,
}

impl CharBag {
    fn of(s: &str) -> CharBag {
        let mut counts = [0u16; 64];
        let mut len = 0;
        for c in s.chars() {
            let bucket = &mut counts[(c as u32 % 64) as usize];
            *bucket = bucket.saturating_add(1);
            len += 1;
        }
        CharBag { counts, len }
    }

    /// The highest normalized similarity the two strings could have.
    fn best_score(&self, other: &CharBag) -> f64 {
        let shared: usize = self
            .counts
            .iter()
            .zip(&other.counts)
            .map(|(a, b)| usize::from(*a.min(b)))
            .sum();
        shared as f64 / self.len.max(other.len).max(1) as f64
    }
}

/// Writes one file of the site; the error, if any, as a diagnostic.
fn write_file(out: &dyn Output, path: &str, data: Vec<u8>) -> Option<Diagnostic> {
    out.write(path, data)
        .err()
        .map(|e| Diagnostic::error(Kind::Other, path, Pos::FILE, format!("cannot write: {e}")))
}

/// Theme assets, the 404 page and the sitemap.
fn write_extras(site: &Site, theme: &Theme, renderer: &Renderer, out: &dyn Output) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut write = |path: &str, data: &[u8]| diags.extend(write_file(out, path, data.to_vec()));
    for (name, bytes) in &theme.assets {
        write(&format!("{ASSETS_DIR}/{name}"), bytes);
    }
    if crate::render::nav_deferred(site) {
        write(&format!("{ASSETS_DIR}/nav.js"), renderer.nav_script(site).as_bytes());
    }
    let not_found = renderer.not_found(site);
    if let Ok(html) = &not_found {
        write("404.html", html.as_bytes());
    }
    if let Some(base) = &site.config.site_url {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for page in &site.pages {
            let loc = format!("{base}{}", paths::encode_path(&page.url));
            xml.push_str(&format!("  <url><loc>{}</loc></url>\n", markdown::escape_html(&loc)));
        }
        xml.push_str("</urlset>\n");
        write("sitemap.xml", xml.as_bytes());
    }
    if let Err(d) = not_found {
        diags.push(d);
    }
    diags
}

/// Errors first, then by file and position.
fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)))
    });
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every index once, the results in index order, whichever thread took each; on the
    /// global pool and on pools of one to four threads (half of them from the back).
    #[test]
    fn from_both_ends_maps_every_index_once_in_order() {
        let taken: Vec<AtomicUsize> = (0..1000).map(|_| AtomicUsize::new(0)).collect();
        let squares = from_both_ends(1000, |i| {
            taken[i].fetch_add(1, Ordering::Relaxed);
            i * i
        });
        assert_eq!(squares, (0..1000).map(|i| i * i).collect::<Vec<_>>());
        assert!(taken.iter().all(|t| t.load(Ordering::Relaxed) == 1));
        for threads in 1..=4 {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            for count in [0, 1, 2, 3, 7] {
                let got = pool.install(|| from_both_ends(count, |i| i.to_string()));
                assert_eq!(
                    got,
                    (0..count).map(|i| i.to_string()).collect::<Vec<_>>(),
                    "{threads} threads"
                );
            }
        }
    }

    #[test]
    fn suggestions_pick_the_closest_id_and_the_bound_never_hides_one() {
        let ids: Ids = [
            "requirements",
            "install",
            "trusting-the-ca-certificate",
            "configuring-the-proxy",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(closest("requirement", &ids), Some("requirements"));
        assert_eq!(
            closest("trust-the-ca-certificate", &ids),
            Some("trusting-the-ca-certificate")
        );
        assert_eq!(closest("configure-the-proxy", &ids), Some("configuring-the-proxy"));
        assert_eq!(closest("zzz", &ids), None);
        // Equal scores: the smallest id, whatever the set's order.
        let ties: Ids = ["ab-x", "ab-y", "ab-w"].into_iter().map(String::from).collect();
        assert_eq!(closest("ab-z", &ties), Some("ab-w"));
        // The bound is never below the real score.
        for a in ["abc", "models", "multiple-instances", "é-ü"] {
            for b in ["acb", "model", "models-1", "multiple-instance", "", "ü-é"] {
                let real = strsim::normalized_damerau_levenshtein(a, b);
                assert!(CharBag::of(a).best_score(&CharBag::of(b)) + 1e-9 >= real, "{a} / {b}");
            }
        }
    }
}
