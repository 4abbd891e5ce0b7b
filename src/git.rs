//! The `git` command, run without a shell. Every ref a user gives is checked against
//! `git check-ref-format` rules ([`check_ref`]) before any git call, and reaches git only
//! after `--end-of-options` (or as a resolved commit id), so it can never be taken as an
//! option. Paths are passed with `--literal-pathspecs`, so `*` or `:` in a folder name
//! mean themselves.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::source::{LinkProblem, SkippedLink};

/// Why a git operation failed, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitError {
    pub message: String,
    pub help: String,
}

impl GitError {
    fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        GitError {
            message: message.into(),
            help: help.into(),
        }
    }
}

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n  help: {}", self.message, self.help)
    }
}

impl std::error::Error for GitError {}

/// Checks a ref name the user typed (`main`, `origin/main`, `refs/pull/7/head`, `HEAD`, a
/// commit id) against the rules of `git check-ref-format`, and also refuses a leading `-`,
/// so that the name cannot be read as an option by git or by anything after it.
pub fn check_ref(name: &str) -> Result<(), GitError> {
    let bad = |why: &str| {
        Err(GitError::new(
            format!("`{name}` is not a valid git ref name: {why}"),
            "pass a branch, tag or commit id such as `main`, `origin/main` or `3f2c1a9`",
        ))
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.starts_with('-') {
        return bad("it starts with `-`");
    }
    if name == "@" {
        return bad("`@` alone is not a ref");
    }
    if let Some(c) = name
        .chars()
        .find(|&c| c.is_control() || c == ' ' || "~^:?*[\\".contains(c))
    {
        return bad(&format!("it contains {c:?}"));
    }
    if name.contains("..") {
        return bad("it contains `..`");
    }
    if name.contains("@{") {
        return bad("it contains `@{`");
    }
    if name.ends_with('/') || name.ends_with('.') {
        return bad("it ends with `/` or `.`");
    }
    for part in name.split('/') {
        if part.is_empty() {
            return bad("it has an empty component (`//` or a leading `/`)");
        }
        if part.starts_with('.') {
            return bad("a component starts with `.`");
        }
        if part.ends_with(".lock") {
            return bad("a component ends with `.lock`");
        }
    }
    Ok(())
}

/// A path inside the repository, as `--docs` gives it: relative, `/`-separated, without
/// `.` or `..` components. Returns it without a trailing `/` (empty for the root).
pub fn check_repo_path(path: &str) -> Result<String, GitError> {
    let trimmed = path.trim_matches('/');
    let bad = |why: &str| {
        Err(GitError::new(
            format!("`{path}` is not a folder inside the repository: {why}"),
            "pass the docs folder relative to the repository root, such as `docs`",
        ))
    };
    if path.starts_with('/') {
        return bad("it is absolute");
    }
    if trimmed.chars().any(|c| c.is_control() || c == '\\') {
        return bad("it contains a control character or `\\`");
    }
    let parts: Vec<&str> = trimmed.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.contains(&"..") {
        return bad("it climbs out with `..`");
    }
    Ok(parts.join("/"))
}

/// One file's last change: the committer date and the abbreviated commit id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Revision {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Abbreviated commit id.
    pub commit: String,
}

/// How a file changed between two commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added(String),
    Modified(String),
    Removed(String),
    Renamed { from: String, to: String },
}

/// A branch, tag or pull request ref.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefEntry {
    /// `refs/heads/mike/aibridge-500x`
    pub full: String,
    /// `mike/aibridge-500x`, `v1.2`, `pull/7/head`
    pub short: String,
    /// The commit id it points to.
    pub commit: String,
}

/// A tree's files, symbolic links and folders, paths relative to the tree.
#[derive(Default)]
struct Listing {
    /// `(path, blob id)`.
    files: Vec<(String, String)>,
    /// `(path, blob id)`: a link's blob holds where it points.
    links: Vec<(String, String)>,
    /// Path → tree id.
    folders: HashMap<String, String>,
}

impl Listing {
    /// Adds this listing's files to `files` and its links to `links`, with `base/` before
    /// their paths; each link with the folders on its way: `on_the_way` (the folders above
    /// this listing) and this listing's folders above the link. Leaves out what lies in a
    /// folder that is one of `on_the_way`: walking into it again would loop.
    fn take_into(
        self,
        base: &str,
        on_the_way: &[String],
        files: &mut Vec<(String, String)>,
        links: &mut Vec<PendingLink>,
    ) {
        let looping: Vec<&str> = self
            .folders
            .iter()
            .filter(|(_, id)| on_the_way.contains(id))
            .map(|(path, _)| path.as_str())
            .collect();
        let kept = |path: &str| {
            !looping
                .iter()
                .any(|f| path.strip_prefix(f).is_some_and(|rest| rest.starts_with('/')))
        };
        let full = |path: &str| match base {
            "" => path.to_string(),
            _ => format!("{base}/{path}"),
        };
        files.extend(
            self.files
                .iter()
                .filter(|(path, _)| kept(path))
                .map(|(path, id)| (full(path), id.clone())),
        );
        for (path, blob) in self.links.iter().filter(|(p, _)| kept(p)) {
            let mut on_its_way = on_the_way.to_vec();
            let mut at = path.as_str();
            while let Some((parent, _)) = at.rsplit_once('/') {
                on_its_way.extend(self.folders.get(parent).cloned());
                at = parent;
            }
            links.push(PendingLink {
                path: full(path),
                blob: blob.clone(),
                on_its_way,
            });
        }
    }
}

/// A link found and not followed yet.
struct PendingLink {
    /// Docs-relative path.
    path: String,
    /// Its blob, which holds where it points.
    blob: String,
    /// Tree ids of the folders that hold it: the repository's down to it, and the linked
    /// folders it was found through.
    on_its_way: Vec<String>,
}

/// Where a symbolic link leads, once git has followed it.
enum LinkTarget {
    /// A file in the repository: its blob id.
    File(String),
    /// A folder in the repository: its tree id.
    Folder(String),
    /// Nowhere that is part of the docs (a submodule counts as nowhere).
    Skipped(LinkProblem),
}

/// What [`Repo::ls_tree`] lists: the files, and the links it did not follow.
#[derive(Debug, Default)]
pub struct DocsTree {
    /// `(path relative to the folder, blob id)`, sorted by path bytes.
    pub files: Vec<(String, String)>,
    /// Sorted by path.
    pub skipped: Vec<SkippedLink>,
}

/// Rounds of link following in [`Repo::ls_tree`]: a link found inside a linked folder is
/// one round deeper than the link to that folder.
const MAX_LINK_ROUNDS: usize = 16;

/// A repository, driven through the `git` command.
#[derive(Debug, Clone)]
pub struct Repo {
    dir: PathBuf,
}

impl Repo {
    /// The repository that holds `dir`. Fails when `dir` is not inside a git work tree or
    /// git cannot be run.
    pub fn open(dir: &Path) -> Result<Repo, GitError> {
        let repo = Repo { dir: dir.to_path_buf() };
        let top = repo.run(&["rev-parse", "--show-toplevel"])?;
        let top = String::from_utf8_lossy(&top).trim_end_matches('\n').to_string();
        Ok(Repo {
            dir: PathBuf::from(top),
        })
    }

    /// The repository that holds `dir`, and the path of `dir` inside it (`docs/`), or
    /// `None` when `dir` is not in a git work tree.
    pub fn containing(dir: &Path) -> Option<(Repo, String)> {
        // Starting git costs a few milliseconds, a tenth of a small site's build; where no
        // folder up the tree has a `.git`, git would find no repository either (we clear
        // GIT_DIR), so don't ask it.
        work_tree_of(dir)?;
        let repo = Repo { dir: dir.to_path_buf() };
        let out = repo.run(&["rev-parse", "--show-toplevel", "--show-prefix"]).ok()?;
        let text = String::from_utf8(out).ok()?;
        let mut lines = text.lines();
        let top = lines.next()?;
        let prefix = lines.next().unwrap_or("").trim_end_matches('/').to_string();
        Some((
            Repo {
                dir: PathBuf::from(top),
            },
            prefix,
        ))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C")
            .arg(&self.dir)
            .arg("--literal-pathspecs")
            .arg("--no-pager")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
        cmd
    }

    /// Starts `git ARGS` with its standard output piped, to be read as it comes. Its
    /// standard error is dropped: unread, a pipe could fill up and stall git, and the
    /// callers check what git writes to standard output.
    fn spawn(&self, args: &[&str], stdin: Stdio) -> Result<std::process::Child, GitError> {
        self.command()
            .args(args)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(cannot_run)
    }

    /// Runs `git ARGS` and returns its standard output.
    fn run(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        let out = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(cannot_run)?;
        self.succeeded(args, out)
    }

    /// Runs `git ARGS` with `input` on its standard input, and returns its standard output.
    /// The input is written on another thread, so that git never waits for us to read its
    /// output while we wait for it to read its input.
    fn run_with_input(&self, args: &[&str], input: Vec<u8>) -> Result<Vec<u8>, GitError> {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(cannot_run)?;
        let writer = child
            .stdin
            .take()
            .map(|mut stdin| std::thread::spawn(move || stdin.write_all(&input)));
        let out = child.wait_with_output().map_err(cannot_run)?;
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        self.succeeded(args, out)
    }

    /// The standard output of a finished `git ARGS`, or what went wrong.
    fn succeeded(&self, args: &[&str], out: std::process::Output) -> Result<Vec<u8>, GitError> {
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(GitError::new(
                format!(
                    "`git {}` failed in {}: {}",
                    args.join(" "),
                    self.dir.display(),
                    stderr.trim()
                ),
                "check that the folder is a git repository with the commits you named (a CI checkout may need `fetch-depth: 0`)",
            ));
        }
        Ok(out.stdout)
    }

    /// The full commit id a ref names. The ref is checked first and passed after
    /// `--end-of-options`.
    pub fn resolve(&self, name: &str) -> Result<String, GitError> {
        check_ref(name)?;
        let spec = format!("{name}^{{commit}}");
        let out = self
            .run(&["rev-parse", "--verify", "--quiet", "--end-of-options", &spec])
            .map_err(|_| {
                GitError::new(
                    format!("`{name}` names no commit in {}", self.dir.display()),
                    "fetch it first (in CI: `git fetch origin main`, or check out with `fetch-depth: 0`)",
                )
            })?;
        let id = String::from_utf8_lossy(&out).trim().to_string();
        if !is_object_id(&id) {
            return Err(GitError::new(
                format!("git returned `{id}` for `{name}`, which is not a commit id"),
                "report this as a bug in docsite",
            ));
        }
        Ok(id)
    }

    /// Every branch, tag and pull request head (`refs/heads/*`, `refs/tags/*`,
    /// `refs/pull/*`) with the commit it points to (annotated tags peeled), sorted by name.
    pub fn refs(&self) -> Result<Vec<RefEntry>, GitError> {
        let out = self.run(&[
            "for-each-ref",
            "--format=%(objectname)%00%(*objectname)%00%(refname)",
            "refs/heads",
            "refs/tags",
            "refs/pull",
        ])?;
        let text = String::from_utf8_lossy(&out);
        let mut refs: Vec<RefEntry> = text
            .lines()
            .filter_map(|line| {
                let mut parts = line.split('\0');
                let (object, peeled, full) = (parts.next()?, parts.next()?, parts.next()?);
                let commit = if peeled.is_empty() { object } else { peeled };
                let short = full
                    .strip_prefix("refs/heads/")
                    .or_else(|| full.strip_prefix("refs/tags/"))
                    .or_else(|| full.strip_prefix("refs/"))?;
                // A name git would not accept back is not offered (nor ever passed on).
                (is_object_id(commit) && check_ref(short).is_ok()).then(|| RefEntry {
                    full: full.to_string(),
                    short: short.to_string(),
                    commit: commit.to_string(),
                })
            })
            .collect();
        refs.sort_by(|a, b| a.full.cmp(&b.full));
        Ok(refs)
    }

    /// The best common ancestor of two commits (both already resolved ids).
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String, GitError> {
        ids_only(&[a, b])?;
        let out = self.run(&["merge-base", a, b]).map_err(|e| {
            GitError::new(
                format!("commits {a} and {b} have no common ancestor: {}", e.message),
                "fetch the full history of both branches (`fetch-depth: 0` in actions/checkout)",
            )
        })?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// The full name of a ref (`origin/x` → `refs/remotes/origin/x`), if it is a branch,
    /// remote-tracking branch or tag rather than a commit id.
    pub fn full_name(&self, name: &str) -> Option<String> {
        check_ref(name).ok()?;
        let out = self
            .run(&["rev-parse", "--symbolic-full-name", "--end-of-options", name])
            .ok()?;
        let full = String::from_utf8(out).ok()?.trim().to_string();
        full.starts_with("refs/").then_some(full)
    }

    /// Whether `dir` (a checked repository path) is a folder at `commit` (a resolved id).
    pub fn has_folder(&self, commit: &str, dir: &str) -> bool {
        if dir.is_empty() {
            return true;
        }
        let spec = format!("{commit}:{dir}");
        ids_only(&[commit]).is_ok()
            && self
                .run(&["cat-file", "-t", "--end-of-options", &spec])
                .is_ok_and(|kind| kind.trim_ascii() == b"tree")
    }

    /// The current branch's name, if HEAD is on a branch.
    pub fn current_branch(&self) -> Option<String> {
        let out = self.run(&["symbolic-ref", "--quiet", "--short", "HEAD"]).ok()?;
        let name = String::from_utf8(out).ok()?.trim().to_string();
        (!name.is_empty()).then_some(name)
    }

    /// Every file under `dir` (a checked repository path, `""` for the root) at `commit`:
    /// `(path relative to dir, blob id)`, sorted by path bytes.
    ///
    /// Symbolic links are followed as a checkout of the commit would follow them, as long
    /// as they stay inside the repository: a link to a file lists that file's blob under
    /// the link's path, a link to a folder lists the folder's files under it. Links that
    /// leave the repository, dangle or loop, and submodules, are not files of the docs.
    pub fn ls_tree(&self, commit: &str, dir: &str) -> Result<DocsTree, GitError> {
        ids_only(&[commit])?;
        let root = if dir.is_empty() {
            commit.to_string()
        } else {
            format!("{commit}:{dir}")
        };
        let top = self.list_tree(&root, dir, commit)?;
        if top.links.is_empty() {
            return Ok(DocsTree {
                files: top.files,
                skipped: Vec::new(),
            });
        }
        // Each round resolves the links found so far, in one git call; the links inside a
        // linked folder wait for the next round. Each link carries the folders on its way
        // (the folders from the repository root down to the link, and the linked folders it
        // was found through): a link to one of them is not followed, as a walk of a
        // checkout stops there.
        let mut files = Vec::new();
        let mut pending = Vec::new();
        let mut skipped: Vec<(String, String, LinkProblem)> = Vec::new();
        top.take_into("", &self.trees_down_to(commit, dir)?, &mut files, &mut pending);
        for _ in 0..MAX_LINK_ROUNDS {
            if pending.is_empty() {
                break;
            }
            let specs: Vec<String> = pending
                .iter()
                .map(|link| match dir {
                    "" => format!("{commit}:{}", link.path),
                    _ => format!("{commit}:{dir}/{}", link.path),
                })
                .collect();
            let targets = self.follow_links(&specs)?;
            let mut next = Vec::new();
            for (mut link, target) in pending.into_iter().zip(targets) {
                match target {
                    LinkTarget::File(id) => files.push((link.path, id)),
                    LinkTarget::Folder(tree) if link.on_its_way.contains(&tree) => {
                        skipped.push((link.path, link.blob, LinkProblem::Loop));
                    }
                    LinkTarget::Folder(tree) => {
                        let inner = self.list_tree(&tree, &link.path, commit)?;
                        link.on_its_way.push(tree);
                        inner.take_into(&link.path, &link.on_its_way, &mut files, &mut next);
                    }
                    LinkTarget::Skipped(why) => skipped.push((link.path, link.blob, why)),
                }
            }
            pending = next;
        }
        files.sort_unstable();
        files.dedup_by(|a, b| a.0 == b.0);
        // Where each skipped link points, as written: its blob.
        let blobs: Vec<String> = skipped.iter().map(|(_, blob, _)| blob.clone()).collect();
        let targets = self.read_blobs(&blobs)?;
        let mut skipped: Vec<SkippedLink> = skipped
            .into_iter()
            .map(|(path, blob, why)| SkippedLink {
                path,
                target: targets
                    .get(&blob)
                    .map(|t| String::from_utf8_lossy(t).into_owned())
                    .unwrap_or_default(),
                why,
            })
            .collect();
        skipped.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(DocsTree { files, skipped })
    }

    /// The tree ids of the folders from the repository root down to `dir`, at `commit`.
    fn trees_down_to(&self, commit: &str, dir: &str) -> Result<Vec<String>, GitError> {
        let mut specs = vec![format!("{commit}^{{tree}}")];
        let mut at = String::new();
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(part);
            specs.push(format!("{commit}:{at}"));
        }
        let mut args = vec!["rev-parse", "--end-of-options"];
        args.extend(specs.iter().map(String::as_str));
        let out = self.run(&args)?;
        Ok(String::from_utf8_lossy(&out).lines().map(str::to_string).collect())
    }

    /// The blobs, symbolic links and folders of a tree (`commit:dir` or a tree id),
    /// recursively, with paths relative to it. `dir` and `commit` only name it in errors.
    fn list_tree(&self, tree: &str, dir: &str, commit: &str) -> Result<Listing, GitError> {
        let out = self.run(&["ls-tree", "-r", "-t", "-z", "--full-tree", "--end-of-options", tree])?;
        let mut listing = Listing::default();
        for entry in out.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            let text = String::from_utf8(entry.to_vec()).map_err(|_| {
                GitError::new(
                    format!("a file name under `{dir}` at {commit} is not valid UTF-8"),
                    "rename the file",
                )
            })?;
            let Some((meta, path)) = text.split_once('\t') else {
                continue;
            };
            let mut meta = meta.split(' ');
            match (meta.next(), meta.next(), meta.next()) {
                (Some("120000"), _, Some(id)) => listing.links.push((path.to_string(), id.to_string())),
                (_, Some("tree"), Some(id)) => {
                    listing.folders.insert(path.to_string(), id.to_string());
                }
                // Submodules (`commit` entries) are not files of the docs.
                (_, Some("blob"), Some(id)) => listing.files.push((path.to_string(), id.to_string())),
                _ => {}
            }
        }
        Ok(listing)
    }

    /// What each `commit:path` in `specs` is once git has followed the symbolic links on
    /// the way (`git cat-file --batch-check --follow-symlinks`), in order.
    fn follow_links(&self, specs: &[String]) -> Result<Vec<LinkTarget>, GitError> {
        let fail = |what: String| GitError::new(what, "check the repository with `git fsck`");
        // A name with a newline cannot be asked for on a line of its own: it is not asked,
        // and taken as leading nowhere.
        let askable = |spec: &String| !spec.contains('\n');
        let input: String = specs.iter().filter(|s| askable(s)).map(|s| format!("{s}\n")).collect();
        let out = self.run_with_input(&["cat-file", "--batch-check", "--follow-symlinks"], input.into_bytes())?;
        let mut rest = &out[..];
        let mut targets = Vec::with_capacity(specs.len());
        for spec in specs {
            if !askable(spec) {
                targets.push(LinkTarget::Skipped(LinkProblem::Dangling));
                continue;
            }
            let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                return Err(fail(format!("`git cat-file` stopped before answering for `{spec}`")));
            };
            let header = String::from_utf8_lossy(&rest[..end]).into_owned();
            rest = &rest[end + 1..];
            let mut words = header.split(' ');
            targets.push(match (words.next(), words.next(), words.next()) {
                // `dangling`, `loop`, `notdir` and `symlink` (a link out of the repository) are
                // followed by a line of the given length: the name, or where the link points.
                (Some(what @ ("dangling" | "loop" | "notdir" | "symlink")), Some(len), None) => {
                    let skip = len
                        .parse::<usize>()
                        .map_err(|_| fail(format!("unexpected `{header}`")))?;
                    rest = rest.get(skip + 1..).unwrap_or_default();
                    LinkTarget::Skipped(match what {
                        "loop" => LinkProblem::Loop,
                        "symlink" => LinkProblem::OutsideRepository,
                        _ => LinkProblem::Dangling,
                    })
                }
                (Some(id), Some("blob"), Some(_)) => LinkTarget::File(id.to_string()),
                (Some(id), Some("tree"), Some(_)) => LinkTarget::Folder(id.to_string()),
                // `NAME missing`, or a submodule's commit.
                _ => LinkTarget::Skipped(LinkProblem::Dangling),
            });
        }
        Ok(targets)
    }

    /// The contents of many blobs through one `git cat-file --batch` process: ids are
    /// written on one thread while the contents are read on this one.
    pub fn read_blobs(&self, ids: &[String]) -> Result<HashMap<String, Vec<u8>>, GitError> {
        let mut blobs = HashMap::with_capacity(ids.len());
        if ids.is_empty() {
            return Ok(blobs);
        }
        let fail = |what: String| GitError::new(what, "check the repository with `git fsck`");
        let mut child = self.spawn(&["cat-file", "--batch"], Stdio::piped())?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(fail("cannot talk to `git cat-file`".into()));
        };
        let list: String = ids.iter().map(|id| format!("{id}\n")).collect();
        let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
        let mut reader = BufReader::with_capacity(1 << 16, stdout);
        let mut read_all = || -> Result<(), GitError> {
            let mut header = String::new();
            for id in ids {
                header.clear();
                reader
                    .read_line(&mut header)
                    .map_err(|e| fail(format!("cannot read from `git cat-file`: {e}")))?;
                let mut parts = header.trim_end().split(' ');
                let (got, kind, size) = (parts.next(), parts.next(), parts.next());
                let size: usize = match (kind, size.and_then(|s| s.parse().ok())) {
                    (Some("blob"), Some(size)) if got == Some(id.as_str()) => size,
                    _ => return Err(fail(format!("git cannot read blob {id}: `{}`", header.trim_end()))),
                };
                let mut data = vec![0; size + 1];
                reader
                    .read_exact(&mut data)
                    .map_err(|e| fail(format!("cannot read blob {id} from `git cat-file`: {e}")))?;
                data.pop();
                blobs.insert(id.clone(), data);
            }
            Ok(())
        };
        let result = read_all();
        if result.is_err() {
            // Stop git rather than leave it blocked on a full pipe.
            let _ = child.kill();
        }
        drop(reader);
        let _ = writer.join();
        let _ = child.wait();
        result?;
        Ok(blobs)
    }

    /// The last change of each of `files` (paths under `dir`) up to `commit`, from one pass
    /// over `git log`: the newest commit that touches a path is the first one listing it.
    /// The log is read as git writes it and stopped once every file has its commit, so the
    /// cost is the history back to the least recently changed file, not the whole history.
    pub fn last_changes(
        &self,
        commit: &str,
        dir: &str,
        files: &[String],
    ) -> Result<HashMap<String, Revision>, GitError> {
        let (pathspec, prefix) = scope(dir);
        let wanted: HashSet<&str> = files.iter().map(String::as_str).collect();
        let mut last = HashMap::with_capacity(wanted.len());
        if wanted.is_empty() {
            return Ok(last);
        }
        let mut child = self.spawn(
            &[
                "log",
                // Whatever the user's config says: no colour, no signature lines in the output.
                "--no-color",
                "--no-show-signature",
                "-z",
                "--name-only",
                "--no-renames",
                "--format=%x1e%h%x1f%cs",
                "--end-of-options",
                commit,
                "--",
                pathspec,
            ],
            Stdio::null(),
        )?;
        let Some(stdout) = child.stdout.take() else {
            return Err(GitError::new("cannot read `git log`", "check that git runs"));
        };
        let mut reader = BufReader::with_capacity(1 << 16, stdout);
        let mut current: Option<Revision> = None;
        let mut token = Vec::new();
        loop {
            token.clear();
            match reader.read_until(0, &mut token) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if token.last() == Some(&0) {
                token.pop();
            }
            let text = String::from_utf8_lossy(&token);
            let text = text.trim_start_matches('\n');
            if let Some(header) = text.strip_prefix('\u{1e}') {
                current = header.split_once('\u{1f}').map(|(commit, date)| Revision {
                    date: date.to_string(),
                    commit: commit.to_string(),
                });
            } else if let Some(rev) = &current
                && let Some(path) = text.strip_prefix(&prefix)
                && wanted.contains(path)
                && !last.contains_key(path)
            {
                last.insert(path.to_string(), rev.clone());
                if last.len() == wanted.len() {
                    break;
                }
            }
        }
        // Done early: the rest of the history is not needed.
        let _ = child.kill();
        let _ = child.wait();
        Ok(last)
    }

    /// [`Repo::diff`], and the files reached through symbolic links whose content changed
    /// though git sees no change under `dir` (the link stayed, what it leads to changed):
    /// `before` and `after` are `dir`'s listings ([`Repo::ls_tree`]) at `from` and `to`,
    /// which a caller that reads both commits has anyway.
    pub fn diff_with_links(
        &self,
        from: &str,
        to: &str,
        dir: &str,
        before: &DocsTree,
        after: &DocsTree,
    ) -> Result<Vec<Change>, GitError> {
        let mut changes = self.diff(from, to, dir)?;
        // Every other path git would have listed: only files through links remain.
        let mentioned: HashSet<&str> = changes
            .iter()
            .flat_map(|c| match c {
                Change::Added(p) | Change::Modified(p) | Change::Removed(p) => [Some(p), None],
                Change::Renamed { from, to } => [Some(from), Some(to)],
            })
            .flatten()
            .map(String::as_str)
            .collect();
        let old: HashMap<&str, &str> = before.files.iter().map(|(p, id)| (p.as_str(), id.as_str())).collect();
        let new: HashMap<&str, &str> = after.files.iter().map(|(p, id)| (p.as_str(), id.as_str())).collect();
        let mut linked: Vec<Change> = after
            .files
            .iter()
            .filter(|(path, _)| !mentioned.contains(path.as_str()))
            .filter_map(|(path, id)| match old.get(path.as_str()) {
                None => Some(Change::Added(path.clone())),
                Some(was) if was != id => Some(Change::Modified(path.clone())),
                Some(_) => None,
            })
            .collect();
        linked.extend(
            before
                .files
                .iter()
                .map(|(path, _)| path)
                .filter(|path| !new.contains_key(path.as_str()) && !mentioned.contains(path.as_str()))
                .map(|path| Change::Removed(path.clone())),
        );
        linked.sort_by(|a, b| change_path(a).cmp(change_path(b)));
        changes.extend(linked);
        Ok(changes)
    }

    /// How files under `dir` changed from `from` to `to`, with git's rename detection.
    /// Paths are relative to `dir`.
    pub fn diff(&self, from: &str, to: &str, dir: &str) -> Result<Vec<Change>, GitError> {
        ids_only(&[from, to])?;
        let (pathspec, prefix) = scope(dir);
        let out = self.run(&[
            "diff",
            "--no-color",
            "--no-relative",
            "--name-status",
            "-z",
            "-M",
            "--no-ext-diff",
            from,
            to,
            "--",
            pathspec,
        ])?;
        let rel = |p: &str| p.strip_prefix(&prefix).unwrap_or(p).to_string();
        let tokens: Vec<String> = out
            .split(|&b| b == 0)
            .map(|t| String::from_utf8_lossy(t).into_owned())
            .collect();
        let mut changes = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let status = tokens[i].as_str();
            let next = |k: usize| tokens.get(i + k).map(|p| rel(p));
            match status.chars().next() {
                Some('R') => {
                    if let (Some(from), Some(to)) = (next(1), next(2)) {
                        changes.push(Change::Renamed { from, to });
                    }
                    i += 3;
                }
                Some('C') => {
                    if let Some(to) = next(2) {
                        changes.push(Change::Added(to));
                    }
                    i += 3;
                }
                Some('A') => {
                    changes.extend(next(1).map(Change::Added));
                    i += 2;
                }
                Some('D') => {
                    changes.extend(next(1).map(Change::Removed));
                    i += 2;
                }
                Some(_) => {
                    changes.extend(next(1).map(Change::Modified));
                    i += 2;
                }
                None => i += 1,
            }
        }
        Ok(changes)
    }
}

/// The path a change is listed under (the new one for a rename).
fn change_path(change: &Change) -> &str {
    match change {
        Change::Added(p) | Change::Modified(p) | Change::Removed(p) | Change::Renamed { to: p, .. } => p,
    }
}

/// The work tree that holds `dir` (canonical): the nearest folder up the tree with a
/// `.git` (a folder, or a file in a linked work tree or submodule), as git looks for it.
/// No git process: a caller can ask on every build.
pub fn work_tree_of(dir: &Path) -> Option<PathBuf> {
    let abs = dir.canonicalize().ok()?;
    abs.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf)
}

/// The pathspec that limits a command to `dir`, and the prefix to strip from the paths
/// it prints.
fn scope(dir: &str) -> (&str, String) {
    if dir.is_empty() {
        (".", String::new())
    } else {
        (dir, format!("{dir}/"))
    }
}

fn cannot_run(e: std::io::Error) -> GitError {
    GitError::new(
        format!("cannot run git: {e}"),
        "install git and make sure it is on PATH",
    )
}

fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Internal calls take commit ids only, never names.
fn ids_only(ids: &[&str]) -> Result<(), GitError> {
    match ids.iter().find(|id| !is_object_id(id)) {
        Some(id) => Err(GitError::new(
            format!("`{id}` is not a resolved commit id"),
            "report this as a bug in docsite",
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
/// Runs `git ARGS` in `dir` as of `date`, and asserts it succeeded.
pub(crate) fn git_at(dir: &Path, args: &[&str], date: &str) {
    let ok = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_DATE", date)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

/// A committed repository (in the first folder) whose `docs` folder holds every kind of
/// symbolic link: to a file and a folder outside the docs, to a link, inside the docs, back
/// up the tree, dangling, and out of the repository (to a file in the second folder).
#[cfg(all(test, unix))]
pub(crate) fn repo_with_links() -> (tempfile::TempDir, tempfile::TempDir, Repo) {
    use std::os::unix::fs::symlink;
    let (dir, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (root, outside_path) = (dir.path(), outside.path());
    let write = |path: &str, text: &str| {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("README.md", "# Project\n");
    write("shared/intro.md", "# Intro\n");
    write("shared/deep/more.md", "# More\n");
    write("docs/guide/setup.md", "# Setup\n");
    write("docs/guide/sub/page.md", "# Page\n");
    std::fs::write(outside_path.join("secret.md"), "# Not in the repository\n").unwrap();
    let link = |target: &Path, at: &str| symlink(target, root.join(at)).unwrap();
    let to = |target: &str| PathBuf::from(target);
    link(&to("../README.md"), "docs/readme.md"); // a file outside the docs, inside the repo
    link(&to("readme.md"), "docs/chain.md"); // a link to a link
    link(&to("../shared"), "docs/shared"); // a folder
    link(&to(".."), "shared/up"); // back to the repository root, through the linked folder
    link(&to("guide/setup.md"), "docs/guide-link.md"); // inside the docs
    link(&to(".."), "docs/guide/back"); // the docs folder itself
    link(&to(".."), "docs/guide/sub/up"); // a folder above the link
    link(&to("../gone.md"), "docs/dangling.md");
    link(&outside_path.join("secret.md"), "docs/absolute.md"); // out of the repository
    link(&to("../../secret.md"), "docs/escape.md"); // climbs out of it
    let commit = |args: &[&str]| git_at(root, args, "2026-01-01T00:00:00Z");
    commit(&["init", "-q"]);
    commit(&["add", "-A"]);
    commit(&["commit", "-q", "-m", "links"]);
    let repo = Repo::open(root).unwrap();
    (dir, outside, repo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names_follow_check_ref_format() {
        for ok in [
            "main",
            "origin/main",
            "refs/pull/7/head",
            "HEAD",
            "v1.2",
            "mike/aibridge-500x",
            "a@b",
        ] {
            assert_eq!(check_ref(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "-x",
            "--upload-pack=x",
            "$(touch x)",
            "..",
            "a..b",
            "a/",
            "/a",
            "a//b",
            ".hidden",
            "a/.b",
            "x.lock",
            "a.",
            "@",
            "a@{1}",
            "HEAD~1",
            "a^",
            "a:b",
            "a?",
            "a*",
            "a[",
            "a\\b",
            "a\tb",
        ] {
            assert!(check_ref(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn repo_paths_stay_inside() {
        assert_eq!(check_repo_path("docs/").unwrap(), "docs");
        assert_eq!(check_repo_path("./site/docs").unwrap(), "site/docs");
        assert_eq!(check_repo_path(".").unwrap(), "");
        assert!(check_repo_path("../x").is_err());
        assert!(check_repo_path("/etc").is_err());
    }

    #[test]
    fn last_changes_name_each_file_s_newest_commit() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str], date: &str| git_at(dir.path(), args, date);
        git(&["init", "-q"], "2026-01-01T00:00:00Z");
        std::fs::create_dir_all(dir.path().join("docs")).unwrap();
        for (file, date) in [
            ("a.md", "2026-01-01T00:00:00Z"),
            ("b.md", "2026-02-01T00:00:00Z"),
            ("a.md", "2026-03-01T00:00:00Z"),
        ] {
            std::fs::write(dir.path().join("docs").join(file), date).unwrap();
            git(&["add", "-A"], date);
            git(&["commit", "-q", "-m", file], date);
        }
        let repo = Repo::open(dir.path()).unwrap();
        let head = repo.resolve("HEAD").unwrap();
        let files = ["a.md".to_string(), "b.md".to_string()];
        let last = repo.last_changes(&head, "docs", &files).unwrap();
        assert_eq!(last["a.md"].date, "2026-03-01");
        assert_eq!(last["b.md"].date, "2026-02-01");
        let only_a = repo.last_changes(&head, "docs", &files[..1]).unwrap();
        assert_eq!(only_a.len(), 1);
        assert_eq!(only_a["a.md"].commit, last["a.md"].commit);

        let (found, prefix) = Repo::containing(&dir.path().join("docs")).unwrap();
        assert_eq!(found.dir().canonicalize().unwrap(), dir.path().canonicalize().unwrap());
        assert_eq!(prefix, "docs");
        let outside = tempfile::tempdir().unwrap();
        assert!(Repo::containing(outside.path()).is_none());
    }

    /// Links are followed as a checkout would follow them, inside the repository only.
    #[cfg(unix)]
    #[test]
    fn ls_tree_follows_links_that_stay_in_the_repository() {
        let (_dir, _outside, repo) = repo_with_links();
        let head = repo.resolve("HEAD").unwrap();
        let tree = repo.ls_tree(&head, "docs").unwrap();
        let files = tree.files;
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        let blob = |spec: &str| {
            String::from_utf8(repo.run(&["rev-parse", spec]).unwrap())
                .unwrap()
                .trim()
                .to_string()
        };
        let id = |path: &str| files.iter().find(|(p, _)| p == path).map(|(_, id)| id.clone());
        for expected in [
            "chain.md",
            "guide-link.md",
            "guide/setup.md",
            "guide/sub/page.md",
            "readme.md",
            "shared/deep/more.md",
            "shared/intro.md",
        ] {
            assert!(paths.contains(&expected), "{expected} missing from {paths:?}");
        }
        assert_eq!(id("readme.md"), Some(blob(&format!("{head}:README.md"))));
        assert_eq!(id("chain.md"), id("readme.md"));
        assert_eq!(id("guide-link.md"), id("guide/setup.md"));
        assert_eq!(
            id("shared/deep/more.md"),
            Some(blob(&format!("{head}:shared/deep/more.md")))
        );
        for left_out in ["dangling.md", "absolute.md", "escape.md"] {
            assert!(!paths.contains(&left_out), "{left_out} listed: {paths:?}");
        }
        // Links to folders that hold the link (the docs folder, one above it, the repository
        // root) would list them forever: a walk of a checkout stops there, and so does this.
        for looping in ["shared/up", "guide/back", "guide/sub/up"] {
            assert!(!paths.iter().any(|p| p.starts_with(looping)), "{looping}: {paths:?}");
        }
        let mut sorted = paths.clone();
        sorted.sort_unstable();
        assert_eq!(paths, sorted);

        // The whole repository as the docs: `shared/up` now leads back to the docs folder.
        let whole = repo.ls_tree(&head, "").unwrap().files;
        let whole: Vec<&str> = whole.iter().map(|(p, _)| p.as_str()).collect();
        for expected in [
            "README.md",
            "docs/readme.md",
            "docs/shared/intro.md",
            "shared/deep/more.md",
        ] {
            assert!(whole.contains(&expected), "{expected} missing from {whole:?}");
        }
        assert!(!whole.iter().any(|p| p.starts_with("shared/up/")), "{whole:?}");
    }

    /// A change to what a link leads to is a change of the docs, though git sees none under
    /// the docs folder.
    #[cfg(unix)]
    #[test]
    fn diff_counts_changes_through_links() {
        let (dir, _outside, repo) = repo_with_links();
        let root = dir.path();
        let before = repo.resolve("HEAD").unwrap();
        std::fs::write(root.join("README.md"), "# Project, changed\n").unwrap();
        std::fs::write(root.join("shared/intro.md"), "# Intro, changed\n").unwrap();
        std::fs::remove_file(root.join("shared/deep/more.md")).unwrap();
        std::fs::write(root.join("shared/new.md"), "# New\n").unwrap();
        std::fs::write(root.join("docs/guide/setup.md"), "# Setup, changed\n").unwrap();
        git_at(root, &["add", "-A"], "2026-01-02T00:00:00Z");
        git_at(root, &["commit", "-q", "-m", "change"], "2026-01-02T00:00:00Z");
        let after = repo.resolve("HEAD").unwrap();
        let listed = |commit: &str| repo.ls_tree(commit, "docs").unwrap();
        let changes = repo
            .diff_with_links(&before, &after, "docs", &listed(&before), &listed(&after))
            .unwrap();
        let modified = |p: &str| Change::Modified(p.to_string());
        assert_eq!(
            changes,
            [
                // What git says: the one file under `docs` itself.
                modified("guide/setup.md"),
                // What the links lead to.
                modified("chain.md"),
                modified("guide-link.md"),
                modified("readme.md"),
                Change::Removed("shared/deep/more.md".to_string()),
                modified("shared/intro.md"),
                Change::Added("shared/new.md".to_string()),
            ]
        );
        let same = listed(&after);
        assert_eq!(repo.diff_with_links(&after, &after, "docs", &same, &same).unwrap(), []);
    }
}
