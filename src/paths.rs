//! Paths inside the docs folder and the site URLs made from them. Every path here is
//! relative and uses `/`; nothing touches the file system.
//!
//! A page's *URL path* is relative to the site root and ends in `/` (or is empty for the
//! home page): `a/b.md` → `a/b/`, `a/index.md` and `a/README.md` → `a/`, `README.md` → ``.
//! Generated links are always relative (`../../a/b/`), so a built site works under any
//! prefix and from `file://`.
//!
//! Link destinations and paths are a few dozen bytes, and a check splits every one of a
//! big site's: their `/`, `#`, `?` and `%` are searched as one-character sets (`['/']`),
//! which compare character by character, since `str::find('/')` first sets up a `memchr`,
//! which costs more than scanning so few bytes.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// Where a relative reference lands once `.` and `..` are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A path inside the docs folder (may be empty: the folder itself).
    Inside(String),
    /// The reference climbs `ups` levels above the docs folder, then descends into `rest`.
    Outside { ups: usize, rest: String },
}

/// The folder part of a docs-relative file path (`a/b.md` → `a`, `x.md` → ``).
pub fn parent_dir(path: &str) -> &str {
    path.rfind(['/']).map_or("", |i| &path[..i])
}

/// Resolves `rel` against the folder `base_dir`. A leading `/` makes `rel` relative to the
/// docs root instead.
pub fn join(base_dir: &str, rel: &str) -> Resolved {
    let (start, rel) = match rel.strip_prefix('/') {
        Some(r) => ("", r),
        None => (base_dir, rel),
    };
    // Built in place, segment by segment: every link of every page is joined.
    let mut joined = String::with_capacity(start.len() + rel.len() + 1);
    let push = |joined: &mut String, seg: &str| {
        if !joined.is_empty() {
            joined.push('/');
        }
        joined.push_str(seg);
    };
    for seg in start.split(['/']).filter(|s| !s.is_empty()) {
        push(&mut joined, seg);
    }
    let mut ups = 0;
    for seg in rel.split(['/']) {
        match seg {
            "" | "." => {}
            ".." => {
                if joined.is_empty() {
                    ups += 1;
                } else {
                    joined.truncate(joined.rfind('/').unwrap_or(0));
                }
            }
            s => push(&mut joined, s),
        }
    }
    if ups == 0 {
        Resolved::Inside(joined)
    } else {
        Resolved::Outside { ups, rest: joined }
    }
}

/// Normalizes a manifest path (`./a/b.md`, `a//b.md`) to a docs-relative path, or `None`
/// when it leaves the docs folder.
pub fn normalize(path: &str) -> Option<String> {
    match join("", path.trim_start_matches('/')) {
        Resolved::Inside(p) => Some(p),
        Resolved::Outside { .. } => None,
    }
}

/// True for markdown file names.
pub fn is_markdown(path: &str) -> bool {
    let lower = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// True when the file is a folder's page (`index.md`, `README.md`).
pub fn is_folder_page(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    stem == "index" || stem.eq_ignore_ascii_case("readme")
}

/// The URL path of a markdown page: `a/b.md` → `a/b/`, `a/index.md` → `a/`, `README.md` → ``.
pub fn page_url(path: &str) -> String {
    let dir = parent_dir(path);
    if is_folder_page(path) {
        return if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
    }
    let name = &path[dir.len()..].trim_start_matches('/');
    let stem = name.rsplit_once('.').map_or(*name, |(s, _)| s);
    if dir.is_empty() {
        format!("{stem}/")
    } else {
        format!("{dir}/{stem}/")
    }
}

/// The output file of a URL path: `a/b/` → `a/b/index.html`; other paths are files already.
pub fn output_file(url: &str) -> String {
    if url.is_empty() || url.ends_with('/') {
        format!("{url}index.html")
    } else {
        url.to_string()
    }
}

/// The relative prefix that leads from the folder of `from_url` back to the site root:
/// `a/b/` → `../../`, `` → `./`.
pub fn root_prefix(from_url: &str) -> String {
    let depth = from_url.matches('/').count();
    if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    }
}

/// A relative href from the page at `from_url` to the site path `to` (a URL path or an
/// asset path). The result climbs to the root first, which keeps it simple and stable.
pub fn relative_href(from_url: &str, to: &str) -> String {
    let depth = from_url.matches('/').count();
    let encoded = encode_path(to);
    if depth == 0 {
        if encoded.is_empty() { "./".to_string() } else { encoded }
    } else {
        let mut href = "../".repeat(depth);
        href.push_str(&encoded);
        href
    }
}

/// Characters that must be escaped in a path component of a URL.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// Percent-encodes a site path for use in an href.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// Percent-decodes a link destination's path (`my%20file.md` → `my file.md`).
pub fn decode_path(path: &str) -> String {
    decoded(path).into_owned()
}

/// `text` with its `%XX` escapes decoded (invalid UTF-8 replaced), borrowed when it has
/// none, as most link destinations: `decode_utf8_lossy` would check those again as UTF-8.
pub fn decoded(text: &str) -> Cow<'_, str> {
    if text.contains(['%']) {
        percent_decode_str(text).decode_utf8_lossy()
    } else {
        Cow::Borrowed(text)
    }
}

/// Splits `path?query#fragment` into its parts (`query` and `fragment` without the marks).
pub fn split_link(dest: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, fragment) = match dest.split_once(['#']) {
        Some((r, f)) => (r, Some(f)),
        None => (dest, None),
    };
    let (path, query) = match rest.split_once(['?']) {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    (path, query, fragment)
}

/// True when a link destination names a scheme (`https:`, `mailto:`) or is
/// protocol-relative (`//host/…`): such links are external and left alone.
pub fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    // A scheme is a letter, then letters, digits, `+`, `-` and `.`, up to the `:`: the scan
    // stops at the first byte that cannot be part of one, which for a relative path comes
    // within a few bytes.
    let bytes = dest.as_bytes();
    let end = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')));
    end.is_some_and(|i| i > 0 && bytes[i] == b':' && bytes[0].is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls() {
        assert_eq!(page_url("README.md"), "");
        assert_eq!(page_url("index.md"), "");
        assert_eq!(page_url("a/README.md"), "a/");
        assert_eq!(page_url("a/index.md"), "a/");
        assert_eq!(page_url("a/b.md"), "a/b/");
        assert_eq!(page_url("guide.md"), "guide/");
        assert_eq!(page_url("a/CHANGELOG.md"), "a/CHANGELOG/");
        assert_eq!(output_file("a/b/"), "a/b/index.html");
        assert_eq!(output_file(""), "index.html");
        assert_eq!(output_file("img/x.png"), "img/x.png");
    }

    #[test]
    fn joins_resolve_dots_and_report_escapes() {
        assert_eq!(join("a/b", "../c.md"), Resolved::Inside("a/c.md".into()));
        assert_eq!(join("a/b", "./c.md"), Resolved::Inside("a/b/c.md".into()));
        assert_eq!(join("a", "/x/y.md"), Resolved::Inside("x/y.md".into()));
        assert_eq!(join("/a//b/", "c/./../d/"), Resolved::Inside("a/b/d".into()));
        assert_eq!(join("a", "b/../.."), Resolved::Inside(String::new()));
        assert_eq!(
            join("a", "../../x/../../y"),
            Resolved::Outside {
                ups: 2,
                rest: "y".into()
            }
        );
        assert_eq!(
            join("a", "../../LICENSE"),
            Resolved::Outside {
                ups: 1,
                rest: "LICENSE".into()
            }
        );
        assert_eq!(
            join("", "../../x/y"),
            Resolved::Outside {
                ups: 2,
                rest: "x/y".into()
            }
        );
        assert_eq!(normalize("./a//b.md"), Some("a/b.md".into()));
        assert_eq!(normalize("../a.md"), None);
    }

    #[test]
    fn relative_hrefs_climb_to_root() {
        assert_eq!(root_prefix(""), "./");
        assert_eq!(root_prefix("a/b/"), "../../");
        assert_eq!(relative_href("a/b/", "c/"), "../../c/");
        assert_eq!(relative_href("a/b/", ""), "../../");
        assert_eq!(relative_href("", ""), "./");
        assert_eq!(relative_href("", "my file.png"), "my%20file.png");
    }

    #[test]
    fn links_split_and_classify() {
        assert_eq!(split_link("a.md?x=1#frag"), ("a.md", Some("x=1"), Some("frag")));
        assert_eq!(split_link("#only"), ("", None, Some("only")));
        assert!(is_external("https://x.dev"));
        assert!(is_external("mailto:a@b"));
        assert!(is_external("//cdn.x/y"));
        assert!(!is_external("a/b.md"));
        assert!(!is_external("a:b/c.md".split('/').nth(1).unwrap_or("")));
        assert!(is_external("C:x") && is_external("git+ssh://h/r"));
        for not in [":x", "1a:x", "a b:c", "é:x", "a.md#x:y", "a/b:c", ""] {
            assert!(!is_external(not), "{not}");
        }
        assert!(is_markdown("A/B.MD"));
        assert!(is_folder_page("x/README.md"));
        assert!(!is_folder_page("x/indexes.md"));
    }
}
