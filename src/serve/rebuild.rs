//! Turns file changes into the smallest rebuild that leaves the served site equal to what
//! `docsite build` would write: one page for a page edit, the theme assets for a CSS edit,
//! everything for a manifest, config, template or file-listing change.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use notify::RecursiveMode;

use crate::build::{BuildOptions, Built, MissingRouteFiles, Tools, build_site};
use crate::config::{CONFIG_FILE, Config, Overrides};
use crate::diag::{Diagnostic, Kind, Pos};
use crate::highlight::Highlighter;
use crate::manifest::MANIFEST_FILE;
use crate::markdown::Links;
use crate::output::MemoryOutput;
use crate::paths;
use crate::redirects::REDIRECTS_FILE;
use crate::sanitize::RawHtml;
use crate::site::Site;
use crate::source::{DirSource, Source};

/// What `serve` builds from: the same inputs as `docsite build`.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub docs: PathBuf,
    /// `--config FILE`; else `DOCS/docsite.toml` when it exists.
    pub config: Option<PathBuf>,
    pub overrides: Overrides,
    pub raw_html: RawHtml,
}

/// The work a batch of changed paths needs, from least to most.
#[derive(Debug, Default, PartialEq, Eq)]
pub enum Plan {
    #[default]
    Nothing,
    /// Pages whose markdown changed, and non-page files whose bytes changed.
    Some {
        pages: BTreeSet<usize>,
        files: BTreeSet<String>,
    },
    /// Only theme assets changed (or so it seems until the theme is read).
    Theme,
    /// Reload the config, theme and site model and render every page.
    Everything,
}

impl Plan {
    fn merge(self, other: Plan) -> Plan {
        match (self, other) {
            (Plan::Everything, _) | (_, Plan::Everything) => Plan::Everything,
            (Plan::Theme, Plan::Some { .. }) | (Plan::Some { .. }, Plan::Theme) => Plan::Everything,
            (Plan::Theme, _) | (_, Plan::Theme) => Plan::Theme,
            (
                Plan::Some { mut pages, mut files },
                Plan::Some {
                    pages: more_pages,
                    files: more_files,
                },
            ) => {
                pages.extend(more_pages);
                files.extend(more_files);
                Plan::Some { pages, files }
            }
            (Plan::Nothing, p) | (p, Plan::Nothing) => p,
        }
    }
}

/// A successful rebuild: the files it wrote, and whether they replace the whole site.
pub struct Rebuilt {
    pub files: BTreeMap<String, Vec<u8>>,
    pub scope: Scope,
    /// Warnings of what was rebuilt.
    pub diagnostics: Vec<Diagnostic>,
    /// What was rebuilt, for the terminal: `3 pages`, `ai/intro.md`, `theme assets`.
    pub what: String,
}

/// Whether a rebuild's files are the whole site or go over the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Whole,
    Overlay,
}

/// The state kept between rebuilds.
pub struct Session {
    inputs: Inputs,
    source: DirSource,
    highlighter: Arc<Highlighter>,
    /// The theme and site of the last good build; `None` until one succeeds, and after a
    /// failure, so that the next change rebuilds everything.
    last: Option<(Tools, Built)>,
    theme_dir: Option<PathBuf>,
    /// The files the docs' symbolic links lead to (canonical paths), and the links to each:
    /// a change to such a file is a change to those pages, wherever it lies.
    links: HashMap<PathBuf, Vec<String>>,
    /// With untrusted docs, the Content-Security-Policy of the theme of the last build
    /// that loaded one (the embedded theme's until then).
    csp: Option<Arc<str>>,
    /// The reflog of the repository that holds the docs (`.git/logs/HEAD`): git appends to
    /// it on every commit and checkout, after which the pages' "last updated" lines are
    /// read again.
    reflog: Option<PathBuf>,
}

impl Session {
    pub fn new(inputs: Inputs) -> Session {
        // As `docsite build` does, so the served pages are the built ones ("last updated"
        // is read again after each commit, see `reflog`).
        let source = DirSource::new(&inputs.docs).with_git_history();
        let reflog = crate::git::work_tree_of(&inputs.docs)
            .map(|tree| tree.join(".git").join("logs").join("HEAD"))
            .filter(|log| log.is_file());
        // The embedded theme's policy until a build loads the theme.
        let csp = inputs.raw_html.policy(crate::theme::Theme::embedded);
        Session {
            inputs,
            source,
            highlighter: Arc::new(Highlighter::new()),
            last: None,
            theme_dir: None,
            links: HashMap::new(),
            csp,
            reflog,
        }
    }

    /// The Content-Security-Policy to serve the last build with (untrusted docs only).
    pub fn csp(&self) -> Option<Arc<str>> {
        self.csp.clone()
    }

    /// The syntax highlighter, loaded once for every build of this server.
    pub fn highlighter(&self) -> Arc<Highlighter> {
        self.highlighter.clone()
    }

    pub fn source(&self) -> &DirSource {
        &self.source
    }

    pub fn docs(&self) -> &Path {
        &self.inputs.docs
    }

    /// The folders to watch: the docs and the theme folder, with everything under them;
    /// the folders of the config file and of the files that links in the docs lead to
    /// outside them, only their own files (a config at the root of a repository must not
    /// put the whole repository, build folders and all, under watch).
    pub fn watched(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut watched = vec![(self.inputs.docs.clone(), RecursiveMode::Recursive)];
        watched.extend(self.theme_dir.clone().map(|d| (d, RecursiveMode::Recursive)));
        let mut files: Vec<&Path> = self
            .links
            .keys()
            .filter(|target| !target.starts_with(&self.inputs.docs))
            .map(PathBuf::as_path)
            .collect();
        files.extend(self.inputs.config.as_deref());
        files.extend(self.reflog.as_deref());
        let mut folders: Vec<PathBuf> = files
            .into_iter()
            .filter_map(Path::parent)
            .map(|p| match p.as_os_str().is_empty() {
                true => PathBuf::from("."),
                false => p.to_path_buf(),
            })
            .collect();
        folders.sort();
        folders.dedup();
        watched.extend(folders.into_iter().map(|d| (d, RecursiveMode::NonRecursive)));
        watched
    }

    pub fn site(&self) -> Option<&Site> {
        self.last.as_ref().map(|(_, b)| &b.site)
    }

    /// Builds everything.
    pub fn rebuild_all(&mut self) -> Result<Rebuilt, Vec<Diagnostic>> {
        self.last = None;
        let config = Config::load(
            &self.inputs.docs,
            self.inputs.config.as_deref(),
            self.inputs.overrides.clone(),
        )
        .map_err(|d| vec![d])?;
        self.theme_dir = config.theme_dir.clone();
        let tools = Tools::load(config.theme_dir.as_deref(), self.highlighter.clone()).map_err(|d| vec![d])?;
        self.csp = self.inputs.raw_html.policy(|| &tools.theme);
        let loaded = Site::load(&self.source, config);
        // The links the load's listing met, whether or not the load went through.
        self.links.clear();
        for (link, target) in self.source.links() {
            self.links.entry(target).or_default().push(link);
        }
        let loaded = loaded?;
        let out = MemoryOutput::default();
        let opts = BuildOptions {
            missing_route_files: MissingRouteFiles::Warn,
            raw_html: self.inputs.raw_html,
            ..BuildOptions::default()
        };
        let built = build_site(&self.source, &tools, loaded, &out, &opts)?;
        let what = format!("{} pages", built.site.pages.len());
        let diagnostics = built.diagnostics.clone();
        self.last = Some((tools, built));
        Ok(Rebuilt {
            files: out.into_files(),
            scope: Scope::Whole,
            diagnostics,
            what,
        })
    }

    /// Rebuilds what the changed paths need; `Ok(None)` when they touch nothing served.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Option<Rebuilt>, Vec<Diagnostic>> {
        let is_reflog = |p: &PathBuf| self.reflog.as_deref() == Some(p.as_path());
        let committed = changed.iter().any(is_reflog);
        let mut plan = changed
            .iter()
            .filter(|p| !is_reflog(p))
            .fold(Plan::Nothing, |plan, p| plan.merge(self.classify(p)));
        if committed {
            plan = plan.merge(self.read_history());
        }
        match plan {
            Plan::Nothing => Ok(None),
            Plan::Everything => self.rebuild_all().map(Some),
            Plan::Theme => self.rebuild_theme().map(Some),
            Plan::Some { pages, files } => self.rebuild_some(&pages, &files).map(Some),
        }
    }

    /// After a commit or checkout: reads the history again, and plans the pages whose "last
    /// updated" line it changed. The files the commit or checkout changed on disk have
    /// events of their own.
    fn read_history(&mut self) -> Plan {
        let source = DirSource::new(&self.inputs.docs).with_git_history();
        let plan = match &self.last {
            Some((_, built)) => {
                let pages: BTreeSet<usize> = (0..built.site.pages.len())
                    .filter(|&i| {
                        let path = &built.site.pages[i].path;
                        self.source.last_updated(path) != source.last_updated(path)
                    })
                    .collect();
                if pages.is_empty() {
                    Plan::Nothing
                } else {
                    Plan::Some {
                        pages,
                        files: BTreeSet::new(),
                    }
                }
            }
            None => Plan::Everything,
        };
        self.source = source;
        plan
    }

    /// Which work one changed path needs: its own, and that of the links that lead to it.
    pub fn classify(&self, path: &Path) -> Plan {
        let linked = self.links.get(path).into_iter().flatten();
        linked.fold(self.classify_path(path), |plan, link| {
            plan.merge(self.classify_path(&self.inputs.docs.join(link)))
        })
    }

    /// Which work a changed path under the docs, the theme or the config needs.
    fn classify_path(&self, path: &Path) -> Plan {
        let Some((_, built)) = &self.last else {
            return Plan::Everything;
        };
        let site = &built.site;
        if let Some(theme) = &self.theme_dir
            && path.starts_with(theme)
        {
            return Plan::Theme;
        }
        let config_file = self
            .inputs
            .config
            .clone()
            .unwrap_or_else(|| self.inputs.docs.join(CONFIG_FILE));
        if path == config_file {
            return Plan::Everything;
        }
        let Ok(rel) = path.strip_prefix(&self.inputs.docs) else {
            return Plan::Nothing;
        };
        let Some(rel) = rel.to_str().map(|r| r.replace(std::path::MAIN_SEPARATOR, "/")) else {
            return Plan::Nothing;
        };
        // The source skips hidden entries and node_modules; so do we.
        if rel.is_empty() || rel.split('/').any(|s| s.starts_with('.') || s == "node_modules") {
            return Plan::Nothing;
        }
        if rel == MANIFEST_FILE || rel == REDIRECTS_FILE {
            return Plan::Everything;
        }
        let meta = std::fs::metadata(path).ok();
        if meta.as_ref().is_some_and(|m| m.is_dir()) {
            // A folder created or moved in: its files may not have events of their own.
            return Plan::Everything;
        }
        let exists = meta.is_some_and(|m| m.is_file());
        if paths::is_markdown(&rel) {
            return match (site.page_index(&rel), exists) {
                (Some(i), true) => Plan::Some {
                    pages: BTreeSet::from([i]),
                    files: BTreeSet::new(),
                },
                (None, false) => Plan::Nothing,
                _ => Plan::Everything,
            };
        }
        match (site.has_file(&rel), exists) {
            (true, true) if built.copied_files().contains(&rel) => Plan::Some {
                pages: BTreeSet::new(),
                files: BTreeSet::from([rel]),
            },
            (true, true) => Plan::Nothing,
            (false, false) if site.has_any_under(&rel) => Plan::Everything,
            (false, false) => Plan::Nothing,
            _ => Plan::Everything,
        }
    }

    fn rebuild_some(&mut self, pages: &BTreeSet<usize>, files: &BTreeSet<String>) -> Result<Rebuilt, Vec<Diagnostic>> {
        let Some((tools, built)) = &mut self.last else {
            return self.rebuild_all();
        };
        let out = MemoryOutput::default();
        let mut diagnostics = Vec::new();
        let mut errors = Vec::new();
        for &i in pages {
            match built.update_page(&self.source, tools, i, &out) {
                Ok(d) => diagnostics.extend(d),
                Err(e) => errors.push(e),
            }
        }
        for f in files {
            match self.source.read(f) {
                Ok(bytes) => {
                    let _ = crate::output::Output::write(&out, f, bytes);
                }
                Err(e) => errors.push(Diagnostic::error(
                    Kind::Other,
                    f,
                    Pos::FILE,
                    format!("cannot read: {e}"),
                )),
            }
        }
        if !errors.is_empty() {
            // The kept model no longer matches the files: start over on the next change.
            self.last = None;
            return Err(errors);
        }
        let names: Vec<&str> = pages
            .iter()
            .map(|&i| built.site.pages[i].path.as_str())
            .chain(files.iter().map(String::as_str))
            .collect();
        let what = match names.as_slice() {
            [one] => one.to_string(),
            _ => format!("{} files", names.len()),
        };
        Ok(Rebuilt {
            files: out.into_files(),
            scope: Scope::Overlay,
            diagnostics,
            what,
        })
    }

    /// Whether the search index waits to be written again ([`Session::search_job`]).
    pub fn search_stale(&self) -> bool {
        self.last.as_ref().is_some_and(|(_, b)| b.search_stale())
    }

    /// The search index to write again after page edits, as a job for another thread.
    pub fn search_job(&mut self) -> Option<crate::build::SearchJob> {
        self.last.as_mut()?.1.search_job()
    }

    /// Theme assets changed: reload the theme; unless its templates changed too, only the
    /// assets (and the 404 page, which inlines the CSS) are written again.
    fn rebuild_theme(&mut self) -> Result<Rebuilt, Vec<Diagnostic>> {
        let Some((old_tools, built)) = &self.last else {
            return self.rebuild_all();
        };
        let tools = Tools::load(self.theme_dir.as_deref(), self.highlighter.clone()).map_err(|d| vec![d])?;
        let same_assets = tools.theme.assets.keys().eq(old_tools.theme.assets.keys());
        if tools.theme.templates != old_tools.theme.templates || !same_assets {
            return self.rebuild_all();
        }
        let out = MemoryOutput::default();
        let errors = built.write_extras(&tools, &out);
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Some((old, _)) = &mut self.last {
            *old = tools;
        }
        Ok(Rebuilt {
            files: out.into_files(),
            scope: Scope::Overlay,
            diagnostics: Vec::new(),
            what: "theme assets".to_string(),
        })
    }
}
