//! Watching the docs, theme and config for changes, and batching the events an editor's
//! save produces (write, rename, backup, delete + recreate) into one rebuild. Editor swap
//! and temporary files are dropped here, so they never wake a rebuild.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

/// How long the files must stay quiet before a batch is rebuilt: long enough to take in
/// a whole save (editors finish in a few milliseconds), short enough to feel instant.
pub const QUIET: Duration = Duration::from_millis(15);
/// A batch never waits longer than this, even while events keep coming.
pub const MAX_WAIT: Duration = Duration::from_millis(250);

pub struct Watcher {
    inner: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    watched: Vec<PathBuf>,
}

impl Watcher {
    /// Watches each folder, with everything under it (`Recursive`) or only its own files.
    pub fn new(dirs: &[(PathBuf, RecursiveMode)]) -> notify::Result<Watcher> {
        let (tx, events) = channel();
        let mut inner = notify::recommended_watcher(tx)?;
        for (dir, depth) in dirs {
            inner.watch(dir, *depth)?;
        }
        Ok(Watcher {
            inner,
            events,
            watched: dirs.iter().map(|(dir, _)| dir.clone()).collect(),
        })
    }

    /// Also watches the folders of `dirs` not watched yet (a theme folder that the config
    /// names after an edit). Returns the ones that cannot be watched, with why.
    pub fn watch_also(&mut self, dirs: &[(PathBuf, RecursiveMode)]) -> Vec<(PathBuf, notify::Error)> {
        let mut failed = Vec::new();
        for (dir, depth) in dirs {
            if self.watched.contains(dir) {
                continue;
            }
            match self.inner.watch(dir, *depth) {
                Ok(()) => self.watched.push(dir.clone()),
                Err(e) => failed.push((dir.clone(), e)),
            }
        }
        failed
    }

    /// Blocks until something changes (for at most `wait`, if given: then `Some(None)`),
    /// then returns every path changed until the files have been quiet for [`QUIET`].
    /// `None` once the watcher has stopped.
    pub fn next_batch_within(&self, wait: Option<Duration>) -> Option<Option<Vec<PathBuf>>> {
        let mut paths = Vec::new();
        let give_up = wait.map(|w| Instant::now() + w);
        while paths.is_empty() {
            let event = match give_up {
                None => self.events.recv().ok()?,
                Some(at) => match self.events.recv_timeout(at.saturating_duration_since(Instant::now())) {
                    Ok(e) => e,
                    Err(RecvTimeoutError::Timeout) => return Some(None),
                    Err(RecvTimeoutError::Disconnected) => return None,
                },
            };
            collect(event, &mut paths);
        }
        let started = Instant::now();
        loop {
            let left = MAX_WAIT.saturating_sub(started.elapsed());
            match self.events.recv_timeout(QUIET.min(left)) {
                Ok(event) => collect(event, &mut paths),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if left.is_zero() {
                break;
            }
        }
        paths.sort();
        paths.dedup();
        Some(Some(paths))
    }
}

fn collect(event: notify::Result<Event>, paths: &mut Vec<PathBuf>) {
    let Ok(event) = event else { return };
    match event.kind {
        // Reading a file (as every rebuild does) is not a change.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
        EventKind::Access(_) => return,
        _ => {}
    }
    paths.extend(event.paths.into_iter().filter(|p| !is_editor_noise(p)));
}

/// Swap, backup and temporary files that editors write beside the real one.
pub fn is_editor_noise(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name == ".DS_Store"
        || [
            ".swp",
            ".swo",
            ".swx",
            ".tmp",
            ".crswap",
            "___jb_tmp___",
            "___jb_old___",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_noise() {
        for noisy in [
            "a/.x.md.swp",
            "x.md~",
            ".#x.md",
            "#x.md#",
            "4913",
            "x.md.tmp",
            "x.md___jb_tmp___",
            ".DS_Store",
        ] {
            assert!(is_editor_noise(Path::new(noisy)), "{noisy}");
        }
        for real in ["x.md", "a/4913.md", "manifest.json", "img.png", "swp.md"] {
            assert!(!is_editor_noise(Path::new(real)), "{real}");
        }
    }

    #[test]
    fn a_save_is_one_batch() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let w = Watcher::new(&[(root.clone(), RecursiveMode::Recursive)]).unwrap();
        // An atomic save: write a temporary file, rename it over the page.
        std::fs::write(root.join("page.md.tmp"), "new").unwrap();
        std::fs::rename(root.join("page.md.tmp"), root.join("page.md")).unwrap();
        std::fs::write(root.join(".page.md.swp"), "swap").unwrap();
        let batch = w.next_batch_within(None).unwrap().unwrap();
        assert!(batch.contains(&root.join("page.md")), "{batch:?}");
        assert!(!batch.iter().any(|p| is_editor_noise(p)), "{batch:?}");
    }
}
