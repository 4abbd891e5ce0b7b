//! Where a build writes the site: a folder on disk (staged, then swapped in whole) or
//! memory (for a server). Writers are shared across the build's threads.

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A sink for site files addressed by `/`-separated paths relative to the site root.
pub trait Output: Sync {
    fn write(&self, path: &str, data: Vec<u8>) -> io::Result<()>;
}

/// Writes into a folder, creating sub-folders as needed.
pub struct DirOutput {
    root: PathBuf,
    made: Mutex<Made>,
}

#[derive(Default)]
struct Made {
    /// Folders already made: creating folders is the slowest part of writing a site (one per
    /// page), so each is made once and never probed again.
    folders: HashSet<String>,
    /// Folders already marked with [`spread_subfolders`].
    spread: HashSet<String>,
}

impl DirOutput {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DirOutput {
            root: root.into(),
            made: Mutex::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Output for DirOutput {
    // Writes happen on the rendering threads: creating entries is latency-bound, and a
    // single writer thread measured slower than writing from every thread.
    fn write(&self, path: &str, data: Vec<u8>) -> io::Result<()> {
        // Paths come from the docs tree, which the site model has already confined to it;
        // refuse anything that could still climb out.
        if path.split('/').any(|s| s == ".." || s.is_empty()) || path.starts_with('/') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write {path}"),
            ));
        }
        if let Some((dir, _)) = path.rsplit_once('/') {
            self.make_dir(dir)?;
        }
        std::fs::write(self.root.join(path), data)
    }
}

impl DirOutput {
    fn made(&self) -> std::sync::MutexGuard<'_, Made> {
        self.made.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes `dir` and any missing parents. A folder is marked with [`spread_subfolders`]
    /// before its first sub-folder is made; a page's own folder, which holds only its
    /// `index.html`, never needs the mark, and most folders are those.
    fn make_dir(&self, dir: &str) -> io::Result<()> {
        if self.made().folders.contains(dir) {
            return Ok(());
        }
        if let Some((parent, _)) = dir.rsplit_once('/') {
            self.make_dir(parent)?;
            if self.made().spread.insert(parent.to_string()) {
                spread_subfolders(&self.root.join(parent));
            }
        }
        match std::fs::create_dir(self.root.join(dir)) {
            Ok(()) => {}
            // Another rendering thread made it first.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        self.made().folders.insert(dir.to_string());
        Ok(())
    }
}

/// Asks the filesystem to place `dir`'s sub-folders far apart, as it does for the folders at
/// the top of a disk (ext4's `FS_TOPDIR_FL`, `chattr +T`).
///
/// Why: ext4 without a journal (the machine we benchmark on) will not reuse an inode freed
/// in the last half-minute and walks past every such inode on each allocation. Rebuilding a
/// site right after deleting the previous one (what CI and benchmarks do) would put every
/// new folder and file in the block group the old site just vacated, and creating entries
/// then costs hundreds of microseconds each; a 10k-page build spent most of its time there.
/// Spread out, each allocation lands in a group with fresh inodes. The price: ext4 scans
/// every block group to place each sub-folder of a marked folder (~10–13% of a 530-page
/// build's CPU samples here), which on ext4 with a journal buys nothing. Only a placement
/// hint: filesystems without it are left alone.
fn spread_subfolders(dir: &Path) {
    #[cfg(target_os = "linux")]
    if let Ok(handle) = std::fs::File::open(dir)
        && let Ok(flags) = rustix::fs::ioctl_getflags(&handle)
        && !flags.contains(rustix::fs::IFlags::TOPDIR)
    {
        let _ = rustix::fs::ioctl_setflags(&handle, flags | rustix::fs::IFlags::TOPDIR);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
}

/// A build that lands in `target` only if it succeeds: files go to a temporary folder
/// beside `target`, and [`Staged::commit`] swaps it in. Dropping a `Staged` without
/// committing deletes the temporary folder and leaves `target` untouched.
pub struct Staged {
    target: PathBuf,
    temp: tempfile::TempDir,
    out: DirOutput,
}

impl Staged {
    pub fn new(target: &Path) -> io::Result<Staged> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .map_or("site".into(), |n| n.to_string_lossy().into_owned());
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}.building-"))
            .tempdir_in(&parent)?;
        spread_subfolders(temp.path());
        let out = DirOutput::new(temp.path());
        Ok(Staged {
            target: target.to_path_buf(),
            temp,
            out,
        })
    }

    pub fn output(&self) -> &DirOutput {
        &self.out
    }

    /// Replaces `target` with the staged folder. The old output is moved aside first and
    /// deleted only once the new one is in place.
    pub fn commit(self) -> io::Result<()> {
        let staged = self.temp.keep();
        let old = if self.target.exists() {
            let parent = staged.parent().unwrap_or(Path::new("."));
            let aside = tempfile::Builder::new().prefix(".old-site-").tempdir_in(parent)?.keep();
            std::fs::remove_dir(&aside)?;
            std::fs::rename(&self.target, &aside)?;
            Some(aside)
        } else {
            None
        };
        if let Err(e) = std::fs::rename(&staged, &self.target) {
            // Put the old site back so nothing is lost.
            if let Some(old) = &old {
                let _ = std::fs::rename(old, &self.target);
            }
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        if let Some(old) = old {
            std::fs::remove_dir_all(old)?;
        }
        Ok(())
    }
}

/// What [`write_new`] does with files that are already in the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Write nothing when any of the files exists.
    Keep,
    /// Replace them.
    Replace,
}

/// Why [`write_new`] wrote nothing, or stopped.
#[derive(Debug)]
pub enum WriteNewError {
    /// These files exist (paths under the folder), and [`Existing::Keep`] was asked.
    Exists(Vec<String>),
    /// A file or folder could not be written.
    Io { path: PathBuf, error: io::Error },
}

/// Writes starter files (`docsite init`, `docsite theme export`) into `dir`, making it and
/// the folders the `/`-separated paths name. Returns the paths written. With
/// [`Existing::Keep`], every file is checked before any is written, so a refusal leaves
/// the folder as it was: these are files a person edits next.
pub fn write_new(
    dir: &Path,
    files: &[(impl AsRef<str>, impl AsRef<[u8]>)],
    existing: Existing,
) -> Result<Vec<String>, WriteNewError> {
    if existing == Existing::Keep {
        let present: Vec<String> = files
            .iter()
            .map(|(path, _)| path.as_ref())
            .filter(|path| dir.join(path).symlink_metadata().is_ok())
            .map(str::to_string)
            .collect();
        if !present.is_empty() {
            return Err(WriteNewError::Exists(present));
        }
    }
    for (path, bytes) in files {
        let target = dir.join(path.as_ref());
        let io = |error| WriteNewError::Io {
            path: target.clone(),
            error,
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&target, bytes).map_err(io)?;
    }
    Ok(files.iter().map(|(path, _)| path.as_ref().to_string()).collect())
}

/// Keeps the site in memory.
#[derive(Default)]
pub struct MemoryOutput {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemoryOutput {
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl Output for MemoryOutput {
    fn write(&self, path: &str, data: Vec<u8>) -> io::Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.insert(path.to_string(), data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_commit_replaces_and_drop_keeps_old() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.html"), "old").unwrap();

        let staged = Staged::new(&target).unwrap();
        staged.output().write("a/index.html", b"new".to_vec()).unwrap();
        drop(staged);
        assert!(
            target.join("old.html").exists(),
            "a dropped build must not touch the old site"
        );

        let staged = Staged::new(&target).unwrap();
        staged.output().write("a/index.html", b"new".to_vec()).unwrap();
        staged.commit().unwrap();
        assert!(!target.join("old.html").exists());
        assert_eq!(std::fs::read(target.join("a/index.html")).unwrap(), b"new");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary folders are left behind");
    }

    /// The staging root and every folder the writer makes sub-folders in ask for them to be
    /// spread out (where the filesystem has the hint: ext4 does, tmpfs does not); a page's
    /// own folder is left alone.
    #[cfg(target_os = "linux")]
    #[test]
    fn folders_are_marked_to_spread_their_subfolders() {
        use rustix::fs::{IFlags, ioctl_getflags};
        let dir = tempfile::tempdir().unwrap();
        let probe = dir.path().join("probe");
        std::fs::create_dir(&probe).unwrap();
        spread_subfolders(&probe);
        let flags = |p: &Path| ioctl_getflags(std::fs::File::open(p).unwrap()).unwrap_or(IFlags::empty());
        if !flags(&probe).contains(IFlags::TOPDIR) {
            eprintln!("skipped: {} has no FS_TOPDIR_FL", dir.path().display());
            return;
        }
        let staged = Staged::new(&dir.path().join("site")).unwrap();
        staged.output().write("a/b/c/index.html", b"x".to_vec()).unwrap();
        staged.output().write("a/d/index.html", b"x".to_vec()).unwrap();
        let root = staged.output().root().to_path_buf();
        for folder in [root.clone(), root.join("a"), root.join("a/b")] {
            assert!(flags(&folder).contains(IFlags::TOPDIR), "{}", folder.display());
        }
        for leaf in [root.join("a/b/c"), root.join("a/d")] {
            assert!(!flags(&leaf).contains(IFlags::TOPDIR), "{}", leaf.display());
        }
    }

    #[test]
    fn dir_output_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let out = DirOutput::new(dir.path());
        assert!(out.write("../x", Vec::new()).is_err());
        assert!(out.write("/etc/x", Vec::new()).is_err());
        assert!(out.write("a//b", Vec::new()).is_err());
    }
}
