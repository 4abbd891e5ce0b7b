//! Live reload: the Server-Sent Events stream that tells open pages what a rebuild changed,
//! and the small client script the server adds to every HTML response (never to `build`
//! output). Each stream is handed to a [`Hub`] as soon as its headers are written, so open
//! tabs never hold a request thread.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::lock;
use super::store::{Changes, Snapshot};

/// The client script, served at `_docsite/__live.js`.
pub const CLIENT_JS: &str = include_str!("live.js");

/// Where the event stream and the client script are served, under the site root.
pub const EVENTS_PATH: &str = "_docsite/__live";
pub const CLIENT_PATH: &str = "_docsite/__live.js";

/// One site's open event streams (the working tree's, or one preview's), and the error of
/// its last build, if that failed.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<Box<dyn Write + Send>>>,
    failure: Mutex<Option<Arc<Failure>>>,
}

impl Hub {
    /// Starts an event stream on `writer` (which has had nothing written yet) with a first
    /// `hello` event: which server this is, the generation the page should show, and the
    /// build error, if any. Keeps the stream for later events.
    pub fn attach(&self, mut writer: Box<dyn Write + Send>, server_id: &str, generation: u64) {
        let failure = self.failure();
        let hello = Hello {
            id: server_id,
            generation,
            error: failure.as_deref(),
        };
        let hello = serde_json::to_string(&hello).unwrap_or_default();
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
                    Connection: close\r\nX-Accel-Buffering: no\r\n\r\n";
        // Reconnect quickly: a restarted server should be found again at once.
        let first = format!("{head}retry: 300\n\n{}", event("hello", &hello));
        if writer.write_all(first.as_bytes()).and_then(|_| writer.flush()).is_ok() {
            lock(&self.clients).push(writer);
        }
    }

    /// The error of the last build, if it failed.
    pub fn failure(&self) -> Option<Arc<Failure>> {
        lock(&self.failure).clone()
    }

    /// Records the outcome of a build without telling the pages (they learn it on connect).
    pub fn set_failure(&self, failure: Option<Arc<Failure>>) {
        *lock(&self.failure) = failure;
    }

    /// A build failed: the pages show its error. Recorded first, so that a page connecting
    /// while the event goes out is greeted with it.
    pub fn failed(&self, failure: Arc<Failure>) {
        let event = serde_json::to_string(&*failure).unwrap_or_default();
        self.set_failure(Some(failure));
        self.broadcast("failed", &event);
    }

    /// A build succeeded: the error, if any, is gone, and the pages hear what changed. Sent
    /// only when there is something to say.
    pub fn updated(&self, update: &Update, changed: bool) {
        let had_failure = lock(&self.failure).take().is_some();
        if changed || had_failure {
            self.broadcast("update", &serde_json::to_string(update).unwrap_or_default());
        }
    }

    /// Sends an event to every stream, dropping the ones that are gone.
    fn broadcast(&self, name: &str, data: &str) {
        self.send(&event(name, data));
    }

    /// A comment line: finds closed streams, and keeps proxies from timing them out.
    pub fn ping(&self) {
        self.send(": ping\n\n");
    }

    fn send(&self, text: &str) {
        lock(&self.clients).retain_mut(|w| w.write_all(text.as_bytes()).and_then(|_| w.flush()).is_ok());
    }
}

fn event(name: &str, data: &str) -> String {
    // `data` is one line of JSON: serde_json never writes raw newlines.
    format!("event: {name}\ndata: {data}\n\n")
}

/// What the stream says on connect: which server this is (a client that finds another
/// server reloads), the current generation, and the build error, if any.
#[derive(Serialize)]
struct Hello<'a> {
    id: &'a str,
    generation: u64,
    error: Option<&'a Failure>,
}

/// A failed build, as the page overlay shows it.
#[derive(Debug, Serialize)]
pub struct Failure {
    /// rustc-style report: each error with its file:line:col and source line.
    pub text: String,
    /// `file:line:col` of the first error.
    pub location: String,
}

/// What a rebuild changed, in the terms a page needs.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Update {
    pub generation: u64,
    /// URLs (relative to the site root: `a/b/`, `` for the home page) of changed pages.
    pub pages: Vec<String>,
    /// A stylesheet changed.
    pub css: bool,
    /// Another asset (script, image, nav data) changed: every page refreshes.
    pub assets: bool,
    pub removed: Vec<Removed>,
}

/// A page that is gone, with the nearest page above it.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Removed {
    pub url: String,
    pub parent: String,
}

impl Update {
    pub fn of(changes: &Changes, next: &Snapshot) -> Update {
        let mut update = Update {
            generation: next.generation,
            ..Update::default()
        };
        for path in &changes.changed {
            if let Some(url) = page_url(path) {
                update.pages.push(url);
            } else if path.ends_with(".css") {
                update.css = true;
            } else if path != "404.html" && path != "sitemap.xml" && !is_search_file(path) {
                update.assets = true;
            }
        }
        for path in &changes.removed {
            if let Some(url) = page_url(path) {
                let parent = nearest_parent(&url, next);
                update.removed.push(Removed { url, parent });
            }
        }
        update
    }
}

/// The search index and result entries: a page loads them when someone searches, so a
/// change to them is no reason to refresh open pages.
fn is_search_file(path: &str) -> bool {
    path.strip_prefix(crate::theme::ASSETS_DIR)
        .and_then(|p| p.strip_prefix('/'))
        .is_some_and(|p| p.starts_with(&format!("{}/", crate::search::SEARCH_DIR)))
}

/// The URL of the page an output file holds (`a/b/index.html` → `a/b/`), if it is one.
fn page_url(path: &str) -> Option<String> {
    if path == "404.html" || !path.ends_with(".html") {
        return None;
    }
    Some(path.strip_suffix("index.html").unwrap_or(path).to_string())
}

/// The closest folder above `url` that has a page, or the root.
fn nearest_parent(url: &str, site: &Snapshot) -> String {
    let mut dir = url.trim_end_matches('/');
    while let Some((up, _)) = dir.rsplit_once('/') {
        if site.contains(&format!("{up}/index.html")) {
            return format!("{up}/");
        }
        dir = up;
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn update_names_pages_styles_and_the_parent_of_removed_pages() {
        let files: BTreeMap<String, Vec<u8>> = ["index.html", "a/index.html", "a/b/c/index.html", "x.css"]
            .iter()
            .map(|p| (p.to_string(), p.as_bytes().to_vec()))
            .collect();
        let (first, _) = Snapshot::default().replaced(files);
        let changes = Changes {
            changed: vec![
                "a/index.html".into(),
                "index.html".into(),
                "x.css".into(),
                "404.html".into(),
                "_docsite/search/s3.js".into(),
                "clash.html".into(),
            ],
            removed: vec!["a/b/c/d/index.html".into(), "z/index.html".into(), "img.png".into()],
        };
        let u = Update::of(&changes, &first);
        assert_eq!(u.pages, ["a/", "", "clash.html"]);
        assert!(u.css && !u.assets);
        assert_eq!(
            u.removed,
            [
                Removed {
                    url: "a/b/c/d/".into(),
                    parent: "a/b/c/".into()
                },
                Removed {
                    url: "z/".into(),
                    parent: String::new()
                },
            ]
        );
    }
}
