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
        let abs = dir.canonicalize().ok()?;
        if !abs.ancestors().any(|d| d.join(".git").exists()) {
            return None;
        }
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

    /// Every blob under `dir` (a checked repository path, `""` for the root) at `commit`:
    /// `(path relative to dir, blob id)`, in git's order (sorted by path bytes).
    pub fn ls_tree(&self, commit: &str, dir: &str) -> Result<Vec<(String, String)>, GitError> {
        ids_only(&[commit])?;
        let tree = if dir.is_empty() {
            commit.to_string()
        } else {
            format!("{commit}:{dir}")
        };
        let out = self.run(&["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", &tree])?;
        let mut files = Vec::new();
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
            let (mode, kind, id) = (meta.next(), meta.next(), meta.next());
            // Submodules and symbolic links are not files of the docs.
            if kind != Some("blob") || mode == Some("120000") {
                continue;
            }
            if let Some(id) = id {
                files.push((path.to_string(), id.to_string()));
            }
        }
        Ok(files)
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
        let git = |args: &[&str], date: &str| {
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
                .current_dir(dir.path())
                .env("GIT_COMMITTER_DATE", date)
                .env("GIT_AUTHOR_DATE", date)
                .output()
                .unwrap()
                .status
                .success();
            assert!(ok, "git {args:?}");
        };
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
}
