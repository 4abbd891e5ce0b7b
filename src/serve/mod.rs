//! `docsite serve`: builds the docs into memory, serves them with tiny_http, watches the
//! files, rebuilds what changed and tells the open pages over Server-Sent Events.
//!
//! One thread rebuilds; request threads only read the current [`store::Snapshot`], which
//! is replaced whole after each good build, so a request during a rebuild gets the last
//! complete build. A failed build keeps the last good one served and shows its error in
//! every open page until a build succeeds. Nothing a request or the docs contain can stop
//! the server.

pub mod http;
pub mod live;
pub mod previews;
pub mod rebuild;
pub mod store;
pub mod watch;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::diag::{Diagnostic, Severity, eprint_all};
use crate::report::Colour;

use live::{Failure, Hub, Update};
use rebuild::{Inputs, Rebuilt, Scope, Session};
use store::{Snapshot, Store};

/// Request threads. Streams are handed off at once, so these only ever serve files.
const WORKERS: usize = 8;
/// How long the files stay quiet after a page edit before the search index is rewritten.
const SEARCH_AFTER: Duration = Duration::from_millis(300);
/// How often open streams get a keep-alive comment (and closed ones are noticed).
const PING_EVERY: Duration = Duration::from_secs(15);

/// What `docsite serve` was asked to do.
pub struct Options {
    pub inputs: Inputs,
    pub host: String,
    pub port: u16,
    /// How diagnostics name files: the docs folder as the user typed it (`docs/`).
    pub display_prefix: String,
    /// Also serve every ref of this repository at `/@NAME/`.
    pub repo: Option<previews::RepoOptions>,
}

/// Where the working tree's site is served; previews are under `/@NAME/`.
const ROOT: &str = "/";

/// State the request threads and the rebuild thread share.
struct Shared {
    store: Store,
    hub: Hub,
    server_id: String,
    display_prefix: String,
    previews: Option<previews::Previews>,
    /// Search index jobs started, so that only the newest publishes.
    search_jobs: AtomicU64,
}

/// A server that is running.
pub struct Running {
    /// `http://127.0.0.1:3000/`
    pub url: String,
    server: Arc<tiny_http::Server>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Stops taking requests and waits for the request threads.
    pub fn stop(self) {
        // Each call wakes one waiting thread.
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// Why the server could not start.
#[derive(Debug)]
pub enum StartError {
    Listen(String),
    Watch(String),
    Repo(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Listen(m) | StartError::Watch(m) | StartError::Repo(m) => f.write_str(m),
        }
    }
}

/// Builds the site, starts the server and the watcher, and returns once requests are
/// being served. A first build that fails still starts the server, showing the error.
pub fn start(opts: Options) -> Result<Running, StartError> {
    let started = Instant::now();
    let docs = opts
        .inputs
        .docs
        .canonicalize()
        .unwrap_or_else(|_| opts.inputs.docs.clone());
    let mut session = Session::new(Inputs {
        docs,
        ..opts.inputs.clone()
    });
    let previews = match opts.repo.clone() {
        Some(repo) => Some(previews::Previews::new(repo, session.highlighter()).map_err(StartError::Repo)?),
        None => None,
    };
    let shared = Arc::new(Shared {
        search_jobs: AtomicU64::new(0),
        previews,
        // Untrusted docs get a policy from the first response on, build or no build.
        store: Store::new(Snapshot::default().with_csp(session.csp())),
        hub: Hub::default(),
        server_id: server_id(),
        display_prefix: opts.display_prefix.clone(),
    });
    // Listen first: a port in use should not cost a whole build to find out. Requests wait
    // in the listener's queue until the request threads start, after the first build.
    let server = tiny_http::Server::http((opts.host.as_str(), opts.port))
        .map(Arc::new)
        .map_err(|e| StartError::Listen(format!("cannot listen on {}:{}: {e}", opts.host, opts.port)))?;
    let url = match server.server_addr().to_ip() {
        Some(addr) => format!("http://{addr}/"),
        None => format!("http://{}:{}/", opts.host, opts.port),
    };
    let first = session.rebuild_all();
    apply(&shared, &session, first, started);

    let mut watcher = watch::Watcher::new(&session.watched())
        .map_err(|e| StartError::Watch(format!("cannot watch {}: {e}", session.docs().display())))?;
    {
        let shared = shared.clone();
        std::thread::spawn(move || {
            loop {
                // After page edits, the search index is written once the files are quiet.
                let wait = session.search_stale().then_some(SEARCH_AFTER);
                let Some(batch) = watcher.next_batch_within(wait) else {
                    break;
                };
                let started = Instant::now();
                let Some(paths) = batch else {
                    if let Some(job) = session.search_job() {
                        write_search_index(&shared, job);
                    }
                    continue;
                };
                match session.rebuild(&paths) {
                    Ok(None) => {}
                    Ok(Some(rebuilt)) => apply(&shared, &session, Ok(rebuilt), started),
                    Err(diags) => apply(&shared, &session, Err(diags), started),
                }
                for (dir, e) in watcher.watch_also(&session.watched()) {
                    eprintln!("warning: cannot watch {}: {e}", dir.display());
                }
            }
        });
    }
    {
        let shared = shared.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(PING_EVERY);
                shared.hub.ping();
            }
        });
    }
    if shared.previews.is_some() {
        let shared = shared.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(previews::POLL_EVERY);
                if let Some(p) = &shared.previews {
                    p.poll();
                }
            }
        });
    }
    let workers = (0..WORKERS)
        .map(|_| {
            let server = server.clone();
            let shared = shared.clone();
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(request, &shared);
                }
            })
        })
        .collect();
    Ok(Running { url, server, workers })
}

fn handle(request: tiny_http::Request, shared: &Shared) {
    if let Some(previews) = &shared.previews
        && request.url().starts_with("/@")
    {
        previews.handle(request, shared);
        return;
    }
    let site = shared.store.snapshot();
    let how = http::Inject {
        mount: ROOT,
        server_id: &shared.server_id,
        generation: site.generation,
        etags: http::Etags::Versions,
        csp: site.csp.as_deref(),
    };
    respond(request, &site, &how, &shared.hub);
}

/// Answers a request from one site; an event stream request joins that site's hub.
fn respond(request: tiny_http::Request, site: &store::Snapshot, how: &http::Inject, hub: &Hub) {
    if let Some(stream) = http::respond(request, site, how) {
        hub.attach(stream.into_writer(), how.server_id, how.generation);
    }
}

/// A mutex's data, also after a thread panicked holding it: the server keeps serving.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Writes the search index on a thread of its own (it takes ~0.1 s at 10k pages, and the
/// next save should not wait for it) and puts it over the served site, without telling the
/// open pages: their search loads it when used. Only the newest job publishes.
fn write_search_index(shared: &Arc<Shared>, job: crate::build::SearchJob) {
    let seq = shared.search_jobs.fetch_add(1, Ordering::SeqCst) + 1;
    let shared = shared.clone();
    std::thread::spawn(move || {
        let out = crate::output::MemoryOutput::default();
        let (_, diags) = job.run(&out);
        eprint_all(&diags, &shared.display_prefix);
        if shared.search_jobs.load(Ordering::SeqCst) == seq {
            shared.store.update(|old| (old.overlaid(out.into_files()).0, ()));
        }
    });
}

/// Publishes a rebuild's outcome: the new snapshot and an `update` event, or the error
/// overlay; and says what happened on the terminal.
fn apply(shared: &Shared, session: &Session, result: Result<Rebuilt, Vec<Diagnostic>>, started: Instant) {
    match result {
        Ok(rebuilt) => {
            eprint_all(&rebuilt.diagnostics, &shared.display_prefix);
            let (changes, update) = shared.store.update(|old| {
                let (next, changes) = match rebuilt.scope {
                    Scope::Whole => old.replaced(rebuilt.files),
                    Scope::Overlay => old.overlaid(rebuilt.files),
                };
                let next = next.with_csp(session.csp());
                let update = Update::of(&changes, &next);
                (next, (changes, update))
            });
            shared.hub.updated(&update, !changes.is_empty());
            let warnings = rebuilt
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count();
            // From the changes to the new build being served (the debounce comes before).
            let ms = started.elapsed().as_millis();
            let verb = if update.generation == 1 { "built" } else { "rebuilt" };
            let plural = if warnings == 1 { "" } else { "s" };
            eprintln!("{verb} {} in {ms} ms, {warnings} warning{plural}", rebuilt.what);
        }
        Err(diags) => {
            eprint_all(&diags, &shared.display_prefix);
            let failure = Arc::new(failure(&diags, session.source(), &shared.display_prefix));
            eprintln!("build failed: {}; still serving the last good build", failure.location);
            shared.hub.failed(failure);
        }
    }
}

fn failure(diags: &[Diagnostic], source: &dyn crate::source::Source, prefix: &str) -> Failure {
    let errors: Vec<Diagnostic> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    let location = errors
        .first()
        .map(|d| {
            let file = join_prefix(prefix, &d.file);
            if d.line == 0 {
                file
            } else {
                format!("{file}:{}:{}", d.line, d.col)
            }
        })
        .unwrap_or_default();
    let ctx = crate::report::Context {
        source,
        colour: Colour::Never,
        repo_prefix: if prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", prefix.trim_end_matches('/'))
        },
    };
    Failure {
        text: crate::report::human_findings(&errors, &ctx).trim_end().to_string(),
        location,
    }
}

fn join_prefix(prefix: &str, file: &str) -> String {
    if prefix.is_empty() || file.starts_with('/') {
        file.to_string()
    } else {
        format!("{}/{file}", prefix.trim_end_matches('/'))
    }
}

/// Tells this server from the next one on the same port, so pages reload after a restart.
fn server_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}", nanos ^ u128::from(std::process::id()))
}
