//! The theme: Tera templates and static assets (CSS, JS, icons). The default theme is
//! embedded in the binary; a theme folder (`--theme DIR`) replaces any of its files:
//! `DIR/templates/NAME.html` replaces a template, every other file in `DIR` replaces or adds
//! an asset, published under `_docsite/` in the site.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::diag::{Diagnostic, Kind, Pos};
use crate::output::{Existing, WriteNewError, write_new};

static TEMPLATES: Dir = include_dir!("$CARGO_MANIFEST_DIR/templates");
static ASSETS: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Where theme assets live in the built site.
pub const ASSETS_DIR: &str = "_docsite";

/// The templates and assets a build uses, after applying overrides.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name (`page.html`) → source.
    pub templates: BTreeMap<String, String>,
    /// Asset path relative to `_docsite/` → bytes.
    pub assets: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The built-in theme.
    pub fn embedded() -> Theme {
        let mut theme = Theme::default();
        for (path, bytes) in embedded_files() {
            // The built-in templates are our own, in UTF-8 (every test renders them).
            let _ = theme.add("(built in)", path, bytes.to_vec());
        }
        theme
    }

    /// Adds the file at `rel` in a theme folder's layout: a template under `templates/`,
    /// an asset anywhere else. `file` names it in the error for a template that is not
    /// UTF-8.
    fn add(&mut self, file: &str, rel: String, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        match rel.strip_prefix("templates/") {
            Some(name) => {
                let text = crate::diag::decode_utf8(file, bytes)?;
                self.templates.insert(name.to_string(), text);
            }
            None => {
                self.assets.insert(rel, bytes);
            }
        }
        Ok(())
    }

    /// The built-in theme with the files of `dir` laid over it.
    pub fn load(dir: Option<&Path>) -> Result<Theme, Diagnostic> {
        let mut theme = Theme::embedded();
        let Some(dir) = dir else { return Ok(theme) };
        let shown = dir.display().to_string();
        if !dir.is_dir() {
            return Err(
                Diagnostic::error(Kind::Other, &shown, Pos::FILE, "theme folder does not exist")
                    .with_help("pass a folder holding templates/*.html and/or asset files"),
            );
        }
        for entry in walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        {
            let entry = entry
                .map_err(|e| Diagnostic::error(Kind::Other, &shown, Pos::FILE, format!("cannot read theme: {e}")))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel = rel.to_string_lossy().replace('\\', "/");
            let file = entry.path().display().to_string();
            let bytes = std::fs::read(entry.path()).map_err(|e| {
                Diagnostic::error(Kind::Other, &file, Pos::FILE, format!("cannot read theme file: {e}"))
            })?;
            theme.add(&file, rel, bytes)?;
        }
        Ok(theme)
    }

    /// The stylesheet, for pages that must stand alone (the 404 page).
    pub fn css(&self) -> &str {
        self.assets
            .get("docsite.css")
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

/// Writes the built-in theme into `dir` in the layout `--theme` reads (templates under
/// `templates/`, assets at the top), to start a theme from. Returns the files written
/// (paths under `dir`, sorted); see [`write_new`] for `existing`.
pub fn export(dir: &Path, existing: Existing) -> Result<Vec<String>, WriteNewError> {
    let files: Vec<_> = embedded_files().into_iter().collect();
    write_new(dir, &files, existing)
}

/// The built-in theme's files as a theme folder lays them out: templates under
/// `templates/`, assets at the top.
fn embedded_files() -> BTreeMap<String, &'static [u8]> {
    let templates = all_files(&TEMPLATES)
        .into_iter()
        .map(|f| (format!("templates/{}", f.path().to_string_lossy()), f.contents()));
    let assets = all_files(&ASSETS)
        .into_iter()
        .map(|f| (f.path().to_string_lossy().into_owned(), f.contents()));
    templates
        .chain(assets)
        .map(|(path, bytes)| (path.replace('\\', "/"), bytes))
        .collect()
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(all_files(sub));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_theme_has_templates_and_assets() {
        let t = Theme::embedded();
        assert!(t.templates.contains_key("page.html"));
        assert!(t.templates.contains_key("404.html"));
        assert!(t.assets.contains_key("docsite.css"));
        assert!(t.assets.contains_key("docsite.js"));
    }

    #[test]
    fn export_writes_the_theme_that_load_reads_and_keeps_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let written = export(dir.path(), Existing::Keep).unwrap();
        assert!(written.contains(&"templates/page.html".to_string()), "{written:?}");
        assert!(written.contains(&"docsite.css".to_string()), "{written:?}");
        let (embedded, loaded) = (Theme::embedded(), Theme::load(Some(dir.path())).unwrap());
        assert_eq!(loaded.templates, embedded.templates);
        assert_eq!(loaded.assets, embedded.assets);
        assert_eq!(written.len(), embedded.templates.len() + embedded.assets.len());

        std::fs::write(dir.path().join("docsite.css"), "mine").unwrap();
        std::fs::remove_file(dir.path().join("templates/404.html")).unwrap();
        match export(dir.path(), Existing::Keep) {
            Err(WriteNewError::Exists(paths)) => assert!(paths.contains(&"docsite.css".to_string())),
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read(dir.path().join("docsite.css")).unwrap(), b"mine");
        assert!(
            !dir.path().join("templates/404.html").exists(),
            "a refusal writes nothing"
        );
        export(dir.path(), Existing::Replace).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("docsite.css")).unwrap(),
            embedded.assets["docsite.css"]
        );
        assert!(dir.path().join("templates/404.html").exists());
    }

    #[test]
    fn folder_overrides_and_adds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "{{ page.title }}").unwrap();
        std::fs::write(dir.path().join("docsite.css"), "body{}").unwrap();
        std::fs::write(dir.path().join("logo.svg"), "<svg/>").unwrap();
        let t = Theme::load(Some(dir.path())).unwrap();
        assert_eq!(t.templates["page.html"], "{{ page.title }}");
        assert!(t.templates.contains_key("404.html"));
        assert_eq!(t.assets["docsite.css"], b"body{}");
        assert_eq!(t.assets["logo.svg"], b"<svg/>");
        assert!(Theme::load(Some(&dir.path().join("missing"))).is_err());
    }
}
