//! Previews of git refs: `serve --repo` serves every branch, tag and `pull/N/head` ref at
//! `/@NAME/…`, NAME being the ref's short name URL-encoded as one segment
//! (`/@mike%2Faibridge-500x/`) or its slug (`/@mike-aibridge-500x/`). A ref is built from
//! git objects on its first request; builds are cached by commit id (least recently used
//! first out, within a byte budget), and a commit is built once however many requests ask
//! for it at the same time. A poller follows the refs and rebuilds a preview when its ref
//! moves, telling that preview's open pages.
//!
//! Ref names come from `git for-each-ref` only: a name in a URL is looked up among them
//! and never reaches git, so a hostile URL cannot run anything.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use crate::build::{BuildOptions, MissingRouteFiles, Tools, build_site};
use crate::config::{Config, Overrides};
use crate::diag::{Diagnostic, Kind, Pos};
use crate::git::{RefEntry, Repo};
use crate::highlight::Highlighter;
use crate::markdown::escape_html;
use crate::output::MemoryOutput;
use crate::sanitize::RawHtml;
use crate::site::Site;
use crate::source::GitSource;

use super::http::{self, Etags, Inject};
use super::live::{Failure, Hub, Update};
use super::store::Snapshot;
use super::{Shared, failure, lock};

/// How often the refs are read again.
pub const POLL_EVERY: Duration = Duration::from_secs(2);
/// A name not found is looked up again in git at most this often.
const MISS_REFRESH: Duration = Duration::from_millis(500);

/// What `serve --repo` needs.
#[derive(Debug, Clone)]
pub struct RepoOptions {
    pub repo: PathBuf,
    /// The docs folder inside the repository (`docs`), checked.
    pub docs: String,
    /// The most bytes of built previews kept in memory.
    pub cache_bytes: usize,
    pub overrides: Overrides,
    pub raw_html: RawHtml,
}

/// One commit's build: its files, or why it failed.
type Build = Result<Arc<Snapshot>, Arc<Failure>>;

/// A preview that has been asked for: its ref, the commit it shows, and its open pages.
struct Preview {
    entry: Mutex<RefEntry>,
    hub: Hub,
    generation: AtomicU64,
}

#[derive(Default)]
struct Cache {
    builds: HashMap<String, (Arc<Snapshot>, usize, u64)>,
    bytes: usize,
    clock: u64,
}

/// A ref as `for-each-ref` listed it, with the slug it is also served under (worked out
/// once per listing, not per request).
struct Listed {
    entry: RefEntry,
    slug: String,
}

fn listed(refs: Vec<RefEntry>) -> Arc<Vec<Listed>> {
    Arc::new(
        refs.into_iter()
            .map(|entry| Listed {
                slug: crate::preview::slug(&entry.short),
                entry,
            })
            .collect(),
    )
}

pub struct Previews {
    repo: Repo,
    opts: RepoOptions,
    highlighter: Arc<Highlighter>,
    refs: RwLock<Arc<Vec<Listed>>>,
    refreshed: Mutex<Instant>,
    previews: Mutex<HashMap<String, Arc<Preview>>>,
    cache: Mutex<Cache>,
    /// Commits being built, so that concurrent requests wait for one build.
    building: Mutex<HashMap<String, Arc<OnceLock<Build>>>>,
    /// Failed builds by commit: a commit's files never change.
    failed: Mutex<HashMap<String, Arc<Failure>>>,
}

impl Previews {
    pub fn new(opts: RepoOptions, highlighter: Arc<Highlighter>) -> Result<Previews, String> {
        let repo = Repo::open(&opts.repo).map_err(|e| e.to_string())?;
        let refs = repo.refs().map_err(|e| e.to_string())?;
        Ok(Previews {
            repo,
            opts,
            highlighter,
            refs: RwLock::new(listed(refs)),
            refreshed: Mutex::new(Instant::now()),
            previews: Mutex::default(),
            cache: Mutex::default(),
            building: Mutex::default(),
            failed: Mutex::default(),
        })
    }

    /// Answers a request whose path starts with `/@`.
    pub(super) fn handle(&self, request: tiny_http::Request, shared: &Shared) {
        let url = request.url().to_string();
        let rest = url.strip_prefix("/@").unwrap_or("");
        let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
        let (segment, after) = match rest[..path_end].find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (&rest[..path_end], ""),
        };
        if segment.is_empty() {
            let _ = request.respond(http::with_csp(self.listing(), shared.store.snapshot().csp.as_deref()));
            return;
        }
        let Some(entry) = self.lookup(segment) else {
            self.not_found(request, shared);
            return;
        };
        if after.is_empty() {
            let to = format!("/@{segment}/{}", &rest[path_end..]);
            let reply = http::reply(301, "text/plain; charset=utf-8", Vec::new());
            let reply = http::With::with(reply, "Location", &to);
            let _ = request.respond(http::with_csp(reply, shared.store.snapshot().csp.as_deref()));
            return;
        }
        let preview = self.preview(&entry);
        let commit = lock(&preview.entry).commit.clone();
        let site = match self.build(&commit) {
            Ok(site) => {
                preview.hub.set_failure(None);
                site
            }
            Err(f) => {
                preview.hub.set_failure(Some(f));
                Arc::new(Snapshot::default())
            }
        };
        let mount = format!("/@{segment}/");
        // A failed build has no theme of its own: the working tree's policy stands in.
        let fallback = shared.store.snapshot().csp.clone();
        let how = Inject {
            mount: &mount,
            server_id: &shared.server_id,
            generation: preview.generation.load(Ordering::Relaxed),
            etags: Etags::Commit(&commit),
            csp: site.csp.as_deref().or(fallback.as_deref()),
        };
        super::respond(request, &site, &how, &preview.hub);
    }

    /// The ref a URL segment names: its short name (URL-encoded) or its slug.
    fn lookup(&self, segment: &str) -> Option<RefEntry> {
        let name = percent_encoding::percent_decode_str(segment).decode_utf8().ok()?;
        let find = |refs: &[Listed]| {
            refs.iter()
                .find(|r| r.entry.short == name)
                .or_else(|| refs.iter().find(|r| r.slug == name))
                .map(|r| r.entry.clone())
        };
        if let Some(found) = find(&self.refs()) {
            return Some(found);
        }
        // A branch pushed since the last poll: look again, but not on every miss.
        let mut refreshed = lock(&self.refreshed);
        if refreshed.elapsed() < MISS_REFRESH {
            return None;
        }
        *refreshed = Instant::now();
        drop(refreshed);
        self.refresh();
        find(&self.refs())
    }

    fn refs(&self) -> Arc<Vec<Listed>> {
        self.refs.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn refresh(&self) {
        if let Ok(refs) = self.repo.refs() {
            *self.refs.write().unwrap_or_else(|p| p.into_inner()) = listed(refs);
        }
    }

    fn preview(&self, entry: &RefEntry) -> Arc<Preview> {
        lock(&self.previews)
            .entry(entry.full.clone())
            .or_insert_with(|| {
                Arc::new(Preview {
                    entry: Mutex::new(entry.clone()),
                    hub: Hub::default(),
                    generation: AtomicU64::new(1),
                })
            })
            .clone()
    }

    /// The site of `commit`: from the cache, or built once however many ask at a time.
    fn build(&self, commit: &str) -> Build {
        if let Some(f) = lock(&self.failed).get(commit) {
            return Err(f.clone());
        }
        {
            let mut cache = lock(&self.cache);
            cache.clock += 1;
            let clock = cache.clock;
            if let Some((site, _, used)) = cache.builds.get_mut(commit) {
                *used = clock;
                return Ok(site.clone());
            }
        }
        let slot = lock(&self.building).entry(commit.to_string()).or_default().clone();
        let result = slot.get_or_init(|| self.build_commit(commit)).clone();
        // Cached before the slot goes: a request in between finds one or the other, and
        // never builds the commit again.
        match &result {
            Ok(site) => self.keep(commit, site.clone()),
            Err(f) => {
                lock(&self.failed).insert(commit.to_string(), f.clone());
            }
        }
        lock(&self.building).remove(commit);
        result
    }

    fn build_commit(&self, commit: &str) -> Build {
        let started = Instant::now();
        let short = commit.get(..12).unwrap_or(commit);
        let source = GitSource::load(&self.repo, commit, &self.opts.docs).map_err(|e| {
            let d = Diagnostic::error(Kind::Other, &self.opts.docs, Pos::FILE, e.message).with_help(e.help);
            Arc::new(Failure {
                text: d.display_with_prefix(""),
                location: self.opts.docs.clone(),
            })
        })?;
        let fail = |diags: Vec<Diagnostic>| Arc::new(failure(&diags, &source, ""));
        let theme_base = self.repo.dir().join(&self.opts.docs);
        let config =
            Config::from_source(&source, &theme_base, self.opts.overrides.clone()).map_err(|d| fail(vec![d]))?;
        let tools = Tools::load(config.theme_dir.as_deref(), self.highlighter.clone()).map_err(|d| fail(vec![d]))?;
        let loaded = Site::load(&source, config).map_err(fail)?;
        let out = MemoryOutput::default();
        let opts = BuildOptions {
            missing_route_files: MissingRouteFiles::Warn,
            raw_html: self.opts.raw_html,
            ..BuildOptions::default()
        };
        let built = build_site(&source, &tools, loaded, &out, &opts).map_err(|d| {
            eprintln!("build of {short} failed");
            fail(d)
        })?;
        let (site, _) = Snapshot::default().replaced(out.into_files());
        let site = site.with_csp(self.opts.raw_html.policy(|| &tools.theme));
        eprintln!(
            "built preview {short} ({} pages) in {} ms",
            built.site.pages.len(),
            started.elapsed().as_millis()
        );
        Ok(Arc::new(site))
    }

    /// Caches a build, dropping the least recently used ones beyond the byte budget (the
    /// newest always stays).
    fn keep(&self, commit: &str, site: Arc<Snapshot>) {
        let mut cache = lock(&self.cache);
        if cache.builds.contains_key(commit) {
            return;
        }
        let bytes = site.bytes();
        cache.clock += 1;
        let clock = cache.clock;
        cache.builds.insert(commit.to_string(), (site, bytes, clock));
        cache.bytes += bytes;
        while cache.bytes > self.opts.cache_bytes && cache.builds.len() > 1 {
            let Some(oldest) = cache
                .builds
                .iter()
                .filter(|(c, _)| c.as_str() != commit)
                .min_by_key(|(_, (_, _, used))| *used)
                .map(|(c, _)| c.clone())
            else {
                break;
            };
            if let Some((_, b, _)) = cache.builds.remove(&oldest) {
                cache.bytes -= b;
            }
        }
    }

    /// Reads the refs again and rebuilds every open preview whose ref moved.
    pub fn poll(&self) {
        self.refresh();
        let refs = self.refs();
        let previews: Vec<Arc<Preview>> = lock(&self.previews).values().cloned().collect();
        for preview in previews {
            let (full, old) = {
                let e = lock(&preview.entry);
                (e.full.clone(), e.commit.clone())
            };
            let Some(now) = refs.iter().map(|r| &r.entry).find(|r| r.full == full) else {
                continue;
            };
            if now.commit == old {
                continue;
            }
            let before = self.cached(&old);
            *lock(&preview.entry) = now.clone();
            let generation = preview.generation.fetch_add(1, Ordering::Relaxed) + 1;
            match self.build(&now.commit) {
                Ok(site) => {
                    let changes = before.map(|b| b.diff(&site)).unwrap_or_default();
                    let mut update = Update::of(&changes, &site);
                    update.generation = generation;
                    // Without the old build to compare, every page may have changed.
                    update.assets |= changes.is_empty();
                    preview.hub.updated(&update, true);
                }
                Err(f) => preview.hub.failed(f),
            }
        }
    }

    fn cached(&self, commit: &str) -> Option<Arc<Snapshot>> {
        lock(&self.cache).builds.get(commit).map(|(s, _, _)| s.clone())
    }

    /// `/@`: every ref that can be previewed.
    fn listing(&self) -> http::Reply {
        let refs = self.refs();
        let mut html = String::from(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Previews</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}\
             td{padding:.25rem .75rem .25rem 0}code{font-size:.9em}</style><h1>Previews</h1>\
             <p>Every branch, tag and pull request of the repository, built on first visit.</p><table>\
             <tr><th align=\"left\">Ref</th><th align=\"left\">Commit</th></tr>",
        );
        for Listed { entry: r, slug } in refs.iter() {
            let href = format!("/@{slug}/");
            html.push_str(&format!(
                "<tr><td><a href=\"{}\">{}</a></td><td><code>{}</code></td></tr>",
                escape_html(&href),
                escape_html(&r.short),
                escape_html(r.commit.get(..12).unwrap_or(&r.commit)),
            ));
        }
        html.push_str("</table></html>\n");
        http::With::with(
            http::reply(200, "text/html; charset=utf-8", html.into_bytes()),
            "Cache-Control",
            "no-cache",
        )
    }

    /// An unknown ref: the working tree's 404 page.
    fn not_found(&self, request: tiny_http::Request, shared: &Shared) {
        let site = shared.store.snapshot();
        let how = Inject {
            mount: "/",
            server_id: &shared.server_id,
            generation: site.generation,
            etags: Etags::Versions,
            csp: site.csp.as_deref(),
        };
        let _ = request.respond(http::with_csp(http::not_found(&site, &how), how.csp));
    }
}
