//! Project settings: the optional `docsite.toml` beside `manifest.json`, overridden by
//! command-line flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Kind, LineIndex, Pos};
use crate::search::SearchIndex;

/// The name of the config file looked up beside `manifest.json`.
pub const CONFIG_FILE: &str = "docsite.toml";

/// What a `docsite.toml` may hold. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub title: Option<String>,
    pub repo_url: Option<String>,
    pub site_url: Option<String>,
    /// A theme folder, relative to the config file.
    pub theme: Option<PathBuf>,
    /// `build` warns when the search index is larger than this many KB.
    pub search_budget_kb: Option<u64>,
}

/// Settings given on the command line; each one wins over the config file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub title: Option<String>,
    pub repo_url: Option<String>,
    pub site_url: Option<String>,
    pub theme: Option<PathBuf>,
}

/// The settings a build runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub title: String,
    /// Base URL of the docs folder on the forge (`https://github.com/o/r/blob/main/docs`):
    /// "Edit this page" links and the target of links that leave the docs folder.
    pub repo_url: Option<String>,
    /// Public URL of the site root, for canonical links and `sitemap.xml`; ends with `/`.
    pub site_url: Option<String>,
    pub theme_dir: Option<PathBuf>,
    /// Whether to build the search index (skipped only to measure what it costs).
    pub search: SearchIndex,
    /// `build` warns when the search index (dictionary and postings) is larger than this.
    pub search_budget_kb: u64,
}

/// The default of `search_budget_kb`.
pub const SEARCH_BUDGET_KB: u64 = 1024;

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Documentation".to_string(),
            repo_url: None,
            site_url: None,
            theme_dir: None,
            search: SearchIndex::Build,
            search_budget_kb: SEARCH_BUDGET_KB,
        }
    }
}

impl Config {
    /// Reads `path` when given (it must exist), else `docs_dir/docsite.toml` when it exists,
    /// then applies the overrides.
    pub fn load(docs_dir: &Path, path: Option<&Path>, overrides: Overrides) -> Result<Config, Diagnostic> {
        let default_path = docs_dir.join(CONFIG_FILE);
        let (file, base) = match path {
            Some(p) => (
                Some(read_file_config(p)?),
                p.parent().map(Path::to_path_buf).unwrap_or_default(),
            ),
            None if default_path.is_file() => (Some(read_file_config(&default_path)?), docs_dir.to_path_buf()),
            None => (None, docs_dir.to_path_buf()),
        };
        Ok(Config::resolve(file.unwrap_or_default(), &base, overrides))
    }

    /// The `docsite.toml` inside `source` (a git commit), if it has one, then the overrides.
    /// A theme it names is read from `theme_base` on disk (the docs folder of the checkout).
    pub fn from_source(
        source: &dyn crate::source::Source,
        theme_base: &Path,
        overrides: Overrides,
    ) -> Result<Config, Diagnostic> {
        let file = match source.read(CONFIG_FILE) {
            Ok(bytes) => parse_file_config(CONFIG_FILE, bytes)?,
            Err(_) => FileConfig::default(),
        };
        Ok(Config::resolve(file, theme_base, overrides))
    }

    fn resolve(file: FileConfig, base: &Path, overrides: Overrides) -> Config {
        let mut config = Config::default();
        if let Some(t) = overrides.title.or(file.title) {
            config.title = t;
        }
        config.repo_url = overrides
            .repo_url
            .or(file.repo_url)
            .map(|u| u.trim_end_matches('/').to_string());
        config.site_url = overrides
            .site_url
            .or(file.site_url)
            .map(|u| format!("{}/", u.trim_end_matches('/')));
        // A theme given by flag is relative to the working directory, one from the file to the file.
        config.theme_dir = overrides.theme.or_else(|| file.theme.map(|t| base.join(t)));
        if let Some(kb) = file.search_budget_kb {
            config.search_budget_kb = kb;
        }
        config
    }
}

fn read_file_config(path: &Path) -> Result<FileConfig, Diagnostic> {
    let shown = path.display().to_string();
    let text = std::fs::read(path)
        .map_err(|e| Diagnostic::error(Kind::Other, &shown, Pos::FILE, format!("cannot read config file: {e}")))?;
    parse_file_config(&shown, text)
}

fn parse_file_config(shown: &str, text: Vec<u8>) -> Result<FileConfig, Diagnostic> {
    let text = crate::diag::decode_utf8(shown, text)?;
    toml::from_str(&text).map_err(|e| {
        let pos = e.span().map_or(Pos::FILE, |s| LineIndex::new(&text).pos(s.start));
        Diagnostic::error(Kind::Other, shown, pos, e.message().to_string())
            .with_help("valid keys are title, repo_url, site_url, theme and search_budget_kb")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_file_and_theme_is_relative_to_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "title = \"Acme\"\nsite_url = \"https://d.acme.dev\"\ntheme = \"th\"\n",
        )
        .unwrap();
        let c = Config::load(dir.path(), None, Overrides::default()).unwrap();
        assert_eq!(c.title, "Acme");
        assert_eq!(c.site_url.as_deref(), Some("https://d.acme.dev/"));
        assert_eq!(c.theme_dir, Some(dir.path().join("th")));
        assert_eq!(c.search_budget_kb, SEARCH_BUDGET_KB);
        let c = Config::load(
            dir.path(),
            None,
            Overrides {
                title: Some("X".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.title, "X");
    }

    #[test]
    fn unknown_key_is_an_error_with_position() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "title = \"A\"\ncolour = 1\n").unwrap();
        let e = Config::load(dir.path(), None, Overrides::default()).unwrap_err();
        assert_eq!((e.line, e.col), (2, 1));
        assert!(e.message().contains("colour"), "{}", e.message());
    }

    #[test]
    fn search_budget_is_read_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "search_budget_kb = 64\n").unwrap();
        let c = Config::load(dir.path(), None, Overrides::default()).unwrap();
        assert_eq!(c.search_budget_kb, 64);
        std::fs::write(dir.path().join(CONFIG_FILE), "search_budget_kb = -1\n").unwrap();
        assert!(Config::load(dir.path(), None, Overrides::default()).is_err());
    }
}
