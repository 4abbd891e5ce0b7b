//! `docsite init`: a new docs folder with a manifest, two pages and a config file, which
//! builds cleanly as written. Its files are in `src/init/`; the site title is filled in.

use std::path::Path;

use crate::output::{Existing, WriteNewError, write_new};

const MANIFEST: &str = include_str!("init/manifest.json");
const HOME: &str = include_str!("init/README.md");
const GETTING_STARTED: &str = include_str!("init/getting-started.md");
const CONFIG: &str = include_str!("init/docsite.toml");

/// Writes the starter docs into `dir` (made if missing) with `title` as the site title, and
/// returns the names of the files written. A folder that holds any of them is left as it
/// was ([`Existing::Keep`]).
pub fn init(dir: &Path, title: &str) -> Result<Vec<String>, WriteNewError> {
    let files = [
        ("manifest.json", MANIFEST.to_string()),
        ("README.md", HOME.replace("{{title}}", &markdown_text(title))),
        ("getting-started.md", GETTING_STARTED.to_string()),
        (
            crate::config::CONFIG_FILE,
            CONFIG.replace("{{title}}", &toml::Value::String(title.to_string()).to_string()),
        ),
    ];
    write_new(dir, &files, Existing::Keep)
}

/// `text` as Markdown that shows it literally: every ASCII punctuation character escaped
/// (CommonMark lets a backslash escape any of them), line breaks as spaces.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_escaped_for_markdown_and_toml() {
        assert_eq!(markdown_text("Acme <b>*docs*</b> #1"), r"Acme \<b\>\*docs\*\<\/b\> \#1");
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), "Say \"hi\"").unwrap();
        let config = std::fs::read_to_string(dir.path().join("docsite.toml")).unwrap();
        let parsed: toml::Table = toml::from_str(&config).unwrap();
        assert_eq!(parsed["title"].as_str(), Some("Say \"hi\""));
    }
}
