//! HTTP: maps request paths onto the snapshot, the way static hosts do (`/a/b/` serves
//! `a/b/index.html`, `/a/b` redirects there, misses get the site's 404 page), with content
//! types, ETags and the live-reload script added to HTML. Every file comes from memory, and
//! a path that could mean anything outside the site is refused before it is looked up.

use std::io::Cursor;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::live::{CLIENT_JS, CLIENT_PATH, EVENTS_PATH};
use super::store::Snapshot;

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// An output file, by its path in the site.
    File(String),
    /// The same path with a `/` added (a folder page asked for without one).
    AddSlash(String),
    /// The site's 404 page.
    NotFound,
    Events,
    Client,
    /// Malformed or trying to leave the site.
    BadRequest,
}

/// Resolves the path part of a request URL (`/a/b/?x`) against the site mounted at `mount`
/// (`/`, or `/@branch/` for previews).
pub fn route(url: &str, mount: &str, site: &Snapshot) -> Route {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(rest) = path.strip_prefix(mount) else {
        return if format!("{path}/") == mount {
            Route::AddSlash(format!("{path}/"))
        } else {
            Route::NotFound
        };
    };
    // An encoded `/` or `\` would make one segment look like two after decoding.
    let lower = rest.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Route::BadRequest;
    }
    let Ok(decoded) = percent_encoding::percent_decode_str(rest).decode_utf8() else {
        return Route::BadRequest;
    };
    if decoded.contains(['\\', '\0']) || decoded.starts_with('/') {
        return Route::BadRequest;
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return Route::BadRequest;
    }
    if segments[..segments.len() - 1].iter().any(|s| s.is_empty()) {
        return Route::NotFound;
    }
    match decoded.as_ref() {
        EVENTS_PATH => return Route::Events,
        CLIENT_PATH => return Route::Client,
        _ => {}
    }
    let key = if decoded.is_empty() || decoded.ends_with('/') {
        format!("{decoded}index.html")
    } else {
        decoded.to_string()
    };
    if site.contains(&key) {
        Route::File(key)
    } else if !key.ends_with("index.html") && site.contains(&format!("{key}/index.html")) {
        Route::AddSlash(format!("{path}/"))
    } else {
        Route::NotFound
    }
}

/// The `Content-Type` for a file name.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    match mime.type_() {
        mime_guess::mime::TEXT => format!("{mime}; charset=utf-8"),
        _ if mime.subtype() == mime_guess::mime::JAVASCRIPT || mime.subtype() == mime_guess::mime::JSON => {
            format!("{mime}; charset=utf-8")
        }
        _ => mime.to_string(),
    }
}

/// How the live-reload script is added to a page, and how files are tagged for caching.
pub struct Inject<'a> {
    pub mount: &'a str,
    pub server_id: &'a str,
    pub generation: u64,
    pub etags: Etags<'a>,
    /// Sent as `Content-Security-Policy` when the docs are untrusted.
    pub csp: Option<&'a str>,
}

/// What a file's ETag is made of.
#[derive(Clone, Copy)]
pub enum Etags<'a> {
    /// The working tree: the server and the generation that last changed the file.
    Versions,
    /// A git commit: its files never change, so the commit id alone tells them apart.
    Commit(&'a str),
}

/// `html` with the live-reload script before its closing `</body>`.
pub fn inject(html: &[u8], how: &Inject, status: u16) -> Vec<u8> {
    let tag = format!(
        "<script src=\"{mount}{CLIENT_PATH}\" data-root=\"{mount}\" data-id=\"{id}\" data-generation=\"{generation}\" data-status=\"{status}\"></script>\n",
        mount = how.mount,
        id = how.server_id,
        generation = how.generation,
    );
    let at = find_last_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

pub type Reply = Response<Cursor<Vec<u8>>>;

/// Adding headers by name and value.
pub trait With {
    /// Adds a header; a value that is not valid in a header (ours never are) is left out
    /// rather than sent.
    fn with(self, name: &str, value: &str) -> Self;
}

impl With for Reply {
    fn with(self, name: &str, value: &str) -> Reply {
        match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            Ok(h) => self.with_header(h),
            Err(()) => self,
        }
    }
}

/// Adds the Content-Security-Policy, when there is one.
pub fn with_csp(reply: Reply, csp: Option<&str>) -> Reply {
    match csp {
        Some(csp) => reply.with("Content-Security-Policy", csp),
        None => reply,
    }
}

pub fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
    Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with("Content-Type", content_type)
}

/// Answers one request from the snapshot; returns the request unanswered when it asks for
/// the event stream.
pub fn respond(request: Request, site: &Snapshot, inject_how: &Inject) -> Option<Request> {
    let reply = match request.method() {
        Method::Get | Method::Head => {
            let route = route(request.url(), inject_how.mount, site);
            if route == Route::Events {
                return Some(request);
            }
            with_csp(answer(route, &request, site, inject_how), inject_how.csp)
        }
        _ => reply(405, "text/plain; charset=utf-8", b"405 method not allowed\n".to_vec()).with("Allow", "GET, HEAD"),
    };
    // A client that went away is no concern of the server's.
    let _ = request.respond(reply);
    None
}

fn answer(route: Route, request: &Request, site: &Snapshot, how: &Inject) -> Reply {
    match route {
        Route::File(key) => {
            let Some(entry) = site.get(&key) else {
                return not_found(site, how);
            };
            let ty = content_type(&key);
            if key.ends_with(".html") {
                return reply(200, &ty, inject(&entry.bytes, how, 200)).with("Cache-Control", "no-cache");
            }
            let etag = match how.etags {
                Etags::Versions => format!("\"{}-{}\"", how.server_id, entry.version),
                Etags::Commit(id) => format!("\"{}\"", id.get(..20).unwrap_or(id)),
            };
            let fresh = request
                .headers()
                .iter()
                .any(|h| h.field.equiv("If-None-Match") && h.value.as_str().split(',').any(|t| t.trim() == etag));
            let base = if fresh {
                Response::from_data(Vec::new()).with_status_code(StatusCode(304))
            } else {
                reply(200, &ty, entry.bytes.to_vec())
            };
            base.with("ETag", &etag).with("Cache-Control", "no-cache")
        }
        Route::AddSlash(location) => {
            let query = request.url().find('?').map(|i| &request.url()[i..]).unwrap_or("");
            reply(301, "text/plain; charset=utf-8", Vec::new()).with("Location", &format!("{location}{query}"))
        }
        Route::NotFound => not_found(site, how),
        Route::Client => {
            reply(200, &content_type("live.js"), CLIENT_JS.as_bytes().to_vec()).with("Cache-Control", "no-cache")
        }
        Route::BadRequest => reply(400, "text/plain; charset=utf-8", b"400 bad request\n".to_vec()),
        Route::Events => reply(500, "text/plain; charset=utf-8", Vec::new()),
    }
}

pub fn not_found(site: &Snapshot, how: &Inject) -> Reply {
    match site.get("404.html") {
        Some(page) => reply(404, "text/html; charset=utf-8", inject(&page.bytes, how, 404)),
        // No site yet (the first build failed): a bare page, which still carries the
        // live-reload client, so it shows the error and recovers by itself.
        None => {
            let bare =
                b"<!doctype html><meta charset=\"utf-8\"><title>Not found</title><body><p>404 not found</p></body>";
            reply(404, "text/html; charset=utf-8", inject(bare, how, 404))
        }
    }
    .with("Cache-Control", "no-cache")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn site() -> Snapshot {
        let files: BTreeMap<String, Vec<u8>> = ["index.html", "a/b/index.html", "a/x.html", "img/p q.png", "404.html"]
            .iter()
            .map(|p| (p.to_string(), Vec::new()))
            .collect();
        Snapshot::default().replaced(files).0
    }

    #[test]
    fn pretty_urls_and_misses() {
        let s = site();
        assert_eq!(route("/", "/", &s), Route::File("index.html".into()));
        assert_eq!(route("/index.html", "/", &s), Route::File("index.html".into()));
        assert_eq!(route("/a/b/", "/", &s), Route::File("a/b/index.html".into()));
        assert_eq!(
            route("/a/b/index.html?x=1", "/", &s),
            Route::File("a/b/index.html".into())
        );
        assert_eq!(route("/a/b?x=1", "/", &s), Route::AddSlash("/a/b/".into()));
        assert_eq!(route("/a/x.html", "/", &s), Route::File("a/x.html".into()));
        assert_eq!(route("/img/p%20q.png", "/", &s), Route::File("img/p q.png".into()));
        assert_eq!(route("/a/", "/", &s), Route::NotFound);
        assert_eq!(route("/nope", "/", &s), Route::NotFound);
        assert_eq!(route("/_docsite/__live", "/", &s), Route::Events);
        assert_eq!(route("/@b/a/b/", "/@b/", &s), Route::File("a/b/index.html".into()));
        assert_eq!(route("/@b", "/@b/", &s), Route::AddSlash("/@b/".into()));
    }

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        let s = site();
        for bad in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/a/%2E%2E/index.html",
            "/a%2fb/",
            "/a%5c..%5cx",
            "/a\\..\\x",
            "/%00",
            "/a/./b/",
            "//etc/passwd",
            "/%ff",
        ] {
            assert_eq!(route(bad, "/", &s), Route::BadRequest, "{bad}");
        }
    }

    #[test]
    fn injects_before_the_last_closing_body() {
        let how = Inject {
            mount: "/",
            server_id: "s1",
            generation: 3,
            etags: Etags::Versions,
            csp: None,
        };
        let out = String::from_utf8(inject(b"<p>x</p></BODY></html>", &how, 200)).unwrap_or_default();
        assert!(out.starts_with("<p>x</p><script src=\"/_docsite/__live.js\""), "{out}");
        assert!(out.ends_with("</script>\n</BODY></html>"), "{out}");
        assert!(out.contains("data-generation=\"3\""));
    }

    #[test]
    fn text_types_carry_a_charset() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("x.svg"), "image/svg+xml");
        assert_eq!(content_type("x.png"), "image/png");
        assert!(content_type("x.js").contains("javascript"));
    }
}
