//! Where the docs files come from. Everything downstream reads through [`Source`], so the
//! same pipeline builds the working tree ([`DirSource`]) or a git commit ([`GitSource`]).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::git::{DocsTree, GitError, Repo, Revision};

/// A read-only tree of files addressed by docs-relative `/`-separated paths.
pub trait Source: Sync {
    /// Every file in the tree, sorted.
    fn files(&self) -> io::Result<Vec<String>>;
    /// [`Source::files`], giving each file to `found` as well, as soon as it is known (for
    /// a folder, while the rest is still being listed), in no particular order.
    fn files_each(&self, found: &mut dyn FnMut(&str)) -> io::Result<Vec<String>> {
        let all = self.files()?;
        all.iter().for_each(|f| found(f));
        Ok(all)
    }
    /// The bytes of one file.
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;
    /// The bytes of one file, into `buf` (emptied first): a caller that reads many files
    /// reuses one buffer, whose memory is already mapped and warm.
    fn read_into(&self, path: &str, buf: &mut Vec<u8>) -> io::Result<()> {
        *buf = self.read(path)?;
        Ok(())
    }
    /// When the file last changed in git history, if the source knows.
    fn last_updated(&self, _path: &str) -> Option<&Revision> {
        None
    }
    /// The symbolic links its last listing did not follow, sorted by path.
    fn skipped_links(&self) -> Vec<SkippedLink> {
        Vec::new()
    }
}

/// A symbolic link in the docs that a listing does not follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLink {
    /// Docs-relative path of the link.
    pub path: String,
    /// Where it points, as written in the link.
    pub target: String,
    pub why: LinkProblem,
}

/// Why a symbolic link is not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// Nothing is where it points.
    Dangling,
    /// It leads back into a folder that holds it: following it would list that folder
    /// forever.
    Loop,
    /// It leads out of the repository, where a build from git cannot follow it.
    OutsideRepository,
}

impl LinkProblem {
    /// What is wrong, after "symbolic link to `TARGET`".
    pub fn says(self) -> &'static str {
        match self {
            LinkProblem::Dangling => "leads nowhere",
            LinkProblem::Loop => "leads back into a folder that holds it",
            LinkProblem::OutsideRepository => "leads out of the repository, where a build from git does not follow it",
        }
    }

    /// What to do about it.
    pub fn remedy(self) -> &'static str {
        match self {
            LinkProblem::Dangling => "fix where the link points, or remove it",
            LinkProblem::Loop => "link to a file, or to a folder that does not hold the link",
            LinkProblem::OutsideRepository => "move the file into the repository, or link to a copy inside it",
        }
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Whether a docs-relative path is left out of every source: hidden entries (`.git`,
/// `.DS_Store`) and `node_modules`, at any depth.
pub(crate) fn is_skipped_name(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules"
}

/// The symbolic links a walk of a [`DirSource`] met.
#[derive(Default)]
struct MetLinks {
    /// As [`DirSource::links`] gives them.
    followed: Vec<(String, PathBuf)>,
    skipped: Vec<SkippedLink>,
}

/// A folder on disk. Hidden entries (`.git`, `.DS_Store`) and `node_modules` are skipped,
/// and so is the build's own output folder when it lies inside the docs folder.
pub struct DirSource {
    root: PathBuf,
    skip: Vec<PathBuf>,
    history: HashMap<String, Revision>,
    /// The symbolic links the last walk met.
    links: Mutex<MetLinks>,
    /// The git work tree that holds the folder (canonical), if any: links out of it are not
    /// followed, as a build from git cannot follow them.
    repository: Option<PathBuf>,
}

impl DirSource {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        let repository = crate::git::work_tree_of(&root);
        DirSource {
            root,
            skip: Vec::new(),
            history: HashMap::new(),
            links: Mutex::default(),
            repository,
        }
    }

    /// Whether `path`, a symbolic link, leads out of the repository that holds the docs.
    fn leaves_repository(&self, path: &Path) -> bool {
        let Some(repository) = &self.repository else {
            return false;
        };
        // A link that leads nowhere is the walk's to report.
        path.canonicalize().is_ok_and(|target| !target.starts_with(repository))
    }

    /// Adds "last updated" facts from the git repository that holds the folder, if any (one
    /// `git log` pass). Files changed since the last commit show that commit's date.
    pub fn with_git_history(mut self) -> Self {
        if let Some((repo, prefix)) = Repo::containing(&self.root)
            && let Ok(files) = self.files()
            && let Ok(history) = repo.last_changes("HEAD", &prefix, &files)
        {
            self.history = history;
        }
        self
    }

    /// Also skips `dir` (typically the output folder) if it is inside the root. It is kept
    /// relative to the root, so the walk compares paths without asking the file system.
    pub fn skipping(mut self, dir: &Path) -> Self {
        if let (Ok(abs), Ok(root)) = (dir.canonicalize(), self.root.canonicalize())
            && let Ok(rel) = abs.strip_prefix(&root)
        {
            self.skip.push(rel.to_path_buf());
        }
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The files of the last listing that are symbolic links: docs-relative path, and the
    /// file the link leads to (its canonical path). A server watches those files too.
    pub fn links(&self) -> Vec<(String, PathBuf)> {
        self.met_links().followed.clone()
    }

    /// Walks the folder, giving each file's docs-relative path to `found`, and keeps what
    /// it met of symbolic links.
    fn walk(&self, found: &mut dyn FnMut(String)) -> io::Result<()> {
        let outside = std::cell::RefCell::new(Vec::new());
        let walker = walkdir::WalkDir::new(&self.root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                if is_skipped_name(&e.file_name().to_string_lossy()) {
                    return false;
                }
                if e.path_is_symlink() && self.leaves_repository(e.path()) {
                    let link = self.skipped_link(e.path(), LinkProblem::OutsideRepository);
                    outside.borrow_mut().extend(link);
                    return false;
                }
                if e.file_type().is_dir()
                    && let Ok(rel) = e.path().strip_prefix(&self.root)
                    && self.skip.iter().any(|s| s == rel)
                {
                    return false;
                }
                true
            });
        let (mut followed, mut skipped) = (Vec::new(), Vec::new());
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                // A link that leads nowhere, or back to a folder on its own way, is no file
                // of the docs (and a build of the commit leaves it out too, see
                // `Repo::ls_tree`); anything else the walk cannot read fails the listing.
                Err(e) if e.loop_ancestor().is_some() || e.path().is_some_and(is_symlink) => {
                    let why = match e.loop_ancestor() {
                        Some(_) => LinkProblem::Loop,
                        None => LinkProblem::Dangling,
                    };
                    skipped.extend(e.path().and_then(|path| self.skipped_link(path, why)));
                    continue;
                }
                Err(e) => return Err(io::Error::other(e)),
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&self.root).map_err(io::Error::other)?;
            let Some(rel) = rel.to_str() else {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("file name is not valid UTF-8: {}", entry.path().display()),
                ));
            };
            let rel = rel.replace(std::path::MAIN_SEPARATOR, "/");
            if entry.path_is_symlink()
                && let Ok(target) = entry.path().canonicalize()
            {
                followed.push((rel.clone(), target));
            }
            found(rel);
        }
        skipped.append(&mut outside.borrow_mut());
        skipped.sort_by(|a, b| a.path.cmp(&b.path));
        *self.met_links() = MetLinks { followed, skipped };
        Ok(())
    }

    fn met_links(&self) -> std::sync::MutexGuard<'_, MetLinks> {
        self.links.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A link at `path` (under the root) the walk did not follow.
    fn skipped_link(&self, path: &Path, why: LinkProblem) -> Option<SkippedLink> {
        let rel = path.strip_prefix(&self.root).ok()?.to_str()?;
        if rel.split(std::path::MAIN_SEPARATOR).any(is_skipped_name) {
            return None;
        }
        let target = std::fs::read_link(path).ok()?;
        Some(SkippedLink {
            path: rel.replace(std::path::MAIN_SEPARATOR, "/"),
            target: target.to_string_lossy().into_owned(),
            why,
        })
    }
}

impl Source for DirSource {
    fn files(&self) -> io::Result<Vec<String>> {
        self.files_each(&mut |_| {})
    }

    fn files_each(&self, found: &mut dyn FnMut(&str)) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        self.walk(&mut |rel| {
            found(&rel);
            out.push(rel);
        })?;
        out.sort();
        Ok(out)
    }

    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.root.join(path))
    }

    fn read_into(&self, path: &str, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.clear();
        std::io::Read::read_to_end(&mut std::fs::File::open(self.root.join(path))?, buf).map(|_| ())
    }

    fn last_updated(&self, path: &str) -> Option<&Revision> {
        self.history.get(path)
    }

    fn skipped_links(&self) -> Vec<SkippedLink> {
        self.met_links().skipped.clone()
    }
}

/// A docs folder at a git commit, read from git objects: one `git ls-tree`, one
/// `git cat-file --batch` for every blob, one `git log` for the history. No checkout, no
/// temporary clone; the files are held in memory.
pub struct GitSource {
    files: Vec<String>,
    /// Path → blob id.
    ids: HashMap<String, String>,
    /// Blob id → contents, shared with other commits' sources.
    blobs: HashMap<String, Arc<[u8]>>,
    history: HashMap<String, Revision>,
    skipped: Vec<SkippedLink>,
}

/// Whether a [`GitSource`] reads "last updated" facts from `git log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    Read,
    /// For a commit that is compared, not built.
    Skip,
}

impl GitSource {
    /// The folder `dir` (a checked repository path, `""` for the root) at `commit` (a
    /// resolved commit id, see [`Repo::resolve`]).
    pub fn load(repo: &Repo, commit: &str, dir: &str) -> Result<GitSource, GitError> {
        GitSource::from_tree(repo, commit, dir, repo.ls_tree(commit, dir)?, History::Read, None)
    }

    /// [`GitSource::load`] from `dir`'s listing at `commit` ([`Repo::ls_tree`]), already
    /// made. Blobs that `known` already holds are shared with it rather than read again
    /// (two commits of a pull request share most of their files).
    pub fn from_tree(
        repo: &Repo,
        commit: &str,
        dir: &str,
        tree: DocsTree,
        history: History,
        known: Option<&GitSource>,
    ) -> Result<GitSource, GitError> {
        let visible = |path: &str| !path.split('/').any(is_skipped_name);
        let listing: Vec<(String, String)> = tree.files.into_iter().filter(|(path, _)| visible(path)).collect();
        let skipped: Vec<SkippedLink> = tree.skipped.into_iter().filter(|l| visible(&l.path)).collect();
        let mut files: Vec<String> = listing.iter().map(|(p, _)| p.clone()).collect();
        files.sort();
        // The log runs while the blobs are read.
        let (history, blobs) = std::thread::scope(|s| {
            let history = s.spawn(|| match history {
                History::Read => repo.last_changes(commit, dir, &files),
                History::Skip => Ok(HashMap::new()),
            });
            let blobs = Self::blobs(repo, &listing, known);
            (history.join(), blobs)
        });
        let history = match history {
            Ok(h) => h?,
            Err(_) => HashMap::new(),
        };
        Ok(GitSource {
            files,
            ids: listing.into_iter().collect(),
            blobs: blobs?,
            history,
            skipped,
        })
    }

    /// The contents of the listed blobs: shared with `known` where it has them, else read.
    fn blobs(
        repo: &Repo,
        listing: &[(String, String)],
        known: Option<&GitSource>,
    ) -> Result<HashMap<String, Arc<[u8]>>, GitError> {
        let mut blobs: HashMap<String, Arc<[u8]>> = HashMap::new();
        let mut wanted: Vec<String> = Vec::new();
        for (_, id) in listing {
            match known.and_then(|k| k.blobs.get(id)) {
                Some(data) => {
                    blobs.insert(id.clone(), data.clone());
                }
                None => wanted.push(id.clone()),
            }
        }
        wanted.sort();
        wanted.dedup();
        blobs.extend(
            repo.read_blobs(&wanted)?
                .into_iter()
                .map(|(id, data)| (id, Arc::from(data))),
        );
        Ok(blobs)
    }

    /// The bytes of a file as the source holds them.
    pub(crate) fn read_shared(&self, path: &str) -> io::Result<&[u8]> {
        self.ids
            .get(path)
            .and_then(|id| self.blobs.get(id))
            .map(|data| &data[..])
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{path} is not in the commit")))
    }

    /// The git blob id of a file: a hash of its contents.
    pub fn blob_id(&self, path: &str) -> Option<&str> {
        self.ids.get(path).map(String::as_str)
    }
}

impl Source for GitSource {
    fn skipped_links(&self) -> Vec<SkippedLink> {
        self.skipped.clone()
    }

    fn files(&self) -> io::Result<Vec<String>> {
        Ok(self.files.clone())
    }

    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        self.read_shared(path).map(<[u8]>::to_vec)
    }

    fn read_into(&self, path: &str, buf: &mut Vec<u8>) -> io::Result<()> {
        let data = self.read_shared(path)?;
        buf.clear();
        buf.extend_from_slice(data);
        Ok(())
    }

    fn last_updated(&self, path: &str) -> Option<&Revision> {
        self.history.get(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_files_skipping_hidden_and_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "a.md",
            "sub/b.md",
            ".git/config",
            "sub/.hidden.md",
            "site/index.html",
            "node_modules/x.js",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let src = DirSource::new(root).skipping(&root.join("site"));
        assert_eq!(src.files().unwrap(), ["a.md", "sub/b.md"]);
        assert_eq!(src.read("sub/b.md").unwrap(), b"x");
        let mut buf = b"left over".to_vec();
        src.read_into("sub/b.md", &mut buf).unwrap();
        assert_eq!(buf, b"x");
        assert!(src.read_into("gone.md", &mut buf).is_err());
    }

    /// A build of a commit lists what a build of its checkout does, links followed the
    /// same way: inside the repository only.
    #[cfg(unix)]
    #[test]
    fn a_commit_and_its_checkout_list_the_same_files_through_links() {
        let (dir, _outside, repo) = crate::git::repo_with_links();
        let head = repo.resolve("HEAD").unwrap();
        let commit = GitSource::load(&repo, &head, "docs").unwrap();
        let checkout = DirSource::new(dir.path().join("docs"));
        let listed = checkout.files().unwrap();
        assert_eq!(commit.files().unwrap(), listed);
        for path in &listed {
            assert_eq!(commit.read(path).unwrap(), checkout.read(path).unwrap(), "{path}");
        }
        // What each left out, and why: the same links. Only `escape.md` differs: in the
        // checkout, `../../secret.md` is a path that does not exist; git sees a link out.
        let skipped = |source: &dyn Source| -> Vec<(String, String, LinkProblem)> {
            let links = source.skipped_links();
            links.into_iter().map(|l| (l.path, l.target, l.why)).collect()
        };
        let link = |path: &str, target: &str, why| (path.to_string(), target.to_string(), why);
        let mut from_checkout = skipped(&checkout);
        let absolute = from_checkout.remove(0);
        assert_eq!(
            (&absolute.0[..], absolute.2),
            ("absolute.md", LinkProblem::OutsideRepository)
        );
        assert!(absolute.1.ends_with("/secret.md"), "{absolute:?}");
        assert_eq!(
            from_checkout,
            [
                link("dangling.md", "../gone.md", LinkProblem::Dangling),
                link("escape.md", "../../secret.md", LinkProblem::Dangling),
                link("guide/back", "..", LinkProblem::Loop),
                link("guide/sub/up", "..", LinkProblem::Loop),
                link("shared/up", "..", LinkProblem::Loop),
            ]
        );
        let from_commit = skipped(&commit);
        let absolute = from_commit.iter().find(|l| l.0 == "absolute.md").cloned();
        assert!(
            absolute
                .as_ref()
                .is_some_and(|l| l.2 == LinkProblem::OutsideRepository && l.1.ends_with("/secret.md")),
            "{from_commit:?}"
        );
        assert_eq!(
            from_commit
                .into_iter()
                .filter(|l| l.0 != "absolute.md")
                .collect::<Vec<_>>(),
            [
                link("dangling.md", "../gone.md", LinkProblem::Dangling),
                link("escape.md", "../../secret.md", LinkProblem::OutsideRepository),
                link("guide/back", "..", LinkProblem::Loop),
                link("guide/sub/up", "..", LinkProblem::Loop),
                link("shared/up", "..", LinkProblem::Loop),
            ]
        );
    }
}
