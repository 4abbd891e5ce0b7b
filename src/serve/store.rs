//! The served site: an immutable snapshot of every output file, swapped whole after each
//! rebuild, so a request sees one complete build or the next, never a mix. Each file keeps
//! the generation in which its bytes last changed: that is its ETag, and comparing two
//! snapshots says which pages a rebuild really changed.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

/// One file of the site.
#[derive(Clone)]
pub struct Entry {
    pub bytes: Arc<Vec<u8>>,
    /// The generation whose build last changed these bytes.
    pub version: u64,
}

/// A complete build, as served.
#[derive(Default)]
pub struct Snapshot {
    pub generation: u64,
    files: HashMap<String, Entry>,
    /// The Content-Security-Policy every response of this build carries (untrusted docs
    /// only): it allows the inline scripts of the theme the build used.
    pub csp: Option<Arc<str>>,
}

impl Snapshot {
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.files.get(path)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Bytes held by the files.
    pub fn bytes(&self) -> usize {
        self.files.values().map(|e| e.bytes.len()).sum()
    }

    /// What differs from `self` to `next`.
    pub fn diff(&self, next: &Snapshot) -> Changes {
        let mut changes = Changes::default();
        for (path, entry) in &next.files {
            if self.files.get(path).is_none_or(|old| old.bytes != entry.bytes) {
                changes.changed.push(path.clone());
            }
        }
        changes.removed = self
            .files
            .keys()
            .filter(|p| !next.files.contains_key(*p))
            .cloned()
            .collect();
        changes.changed.sort();
        changes.removed.sort();
        changes
    }

    /// A new snapshot holding exactly `files`: a full rebuild.
    pub fn replaced(&self, files: BTreeMap<String, Vec<u8>>) -> (Snapshot, Changes) {
        let generation = self.generation + 1;
        let mut changes = Changes::default();
        let mut next = HashMap::with_capacity(files.len());
        for (path, bytes) in files {
            let entry = self.entry_for(&path, bytes, generation, &mut changes);
            next.insert(path, entry);
        }
        for path in self.files.keys().filter(|p| !next.contains_key(*p)) {
            changes.removed.push(path.clone());
        }
        changes.removed.sort();
        changes.changed.sort();
        (
            Snapshot {
                generation,
                files: next,
                csp: self.csp.clone(),
            },
            changes,
        )
    }

    /// A new snapshot with `files` written over this one: an incremental rebuild.
    pub fn overlaid(&self, files: BTreeMap<String, Vec<u8>>) -> (Snapshot, Changes) {
        let generation = self.generation + 1;
        let mut changes = Changes::default();
        let mut next = self.files.clone();
        for (path, bytes) in files {
            let entry = self.entry_for(&path, bytes, generation, &mut changes);
            next.insert(path, entry);
        }
        changes.changed.sort();
        (
            Snapshot {
                generation,
                files: next,
                csp: self.csp.clone(),
            },
            changes,
        )
    }

    /// This snapshot, served with `csp`.
    pub fn with_csp(self, csp: Option<Arc<str>>) -> Snapshot {
        Snapshot { csp, ..self }
    }

    /// Keeps the old entry (and its version) when the bytes did not change.
    fn entry_for(&self, path: &str, bytes: Vec<u8>, generation: u64, changes: &mut Changes) -> Entry {
        match self.files.get(path) {
            Some(old) if *old.bytes == *bytes => old.clone(),
            _ => {
                changes.changed.push(path.to_string());
                Entry {
                    bytes: Arc::new(bytes),
                    version: generation,
                }
            }
        }
    }
}

/// What a rebuild changed, as output file paths.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}

/// The snapshot being served, shared by the request threads and the rebuild thread.
#[derive(Default)]
pub struct Store {
    current: RwLock<Arc<Snapshot>>,
}

impl Store {
    pub fn new(first: Snapshot) -> Store {
        Store {
            current: RwLock::new(Arc::new(first)),
        }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the snapshot with one made from it, with no other change in between (two
    /// threads publish: rebuilds, and the search index).
    pub fn update<T>(&self, next: impl FnOnce(&Snapshot) -> (Snapshot, T)) -> T {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        let (snapshot, out) = next(&current);
        *current = Arc::new(snapshot);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        list.iter()
            .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn versions_change_only_with_the_bytes() {
        let (one, c) = Snapshot::default().replaced(files(&[("a/index.html", "a"), ("b/index.html", "b")]));
        assert_eq!(c.changed, ["a/index.html", "b/index.html"]);
        let (two, c) = one.replaced(files(&[("a/index.html", "a2"), ("b/index.html", "b")]));
        assert_eq!(
            c,
            Changes {
                changed: vec!["a/index.html".into()],
                removed: vec![]
            }
        );
        assert_eq!(two.get("a/index.html").map(|e| e.version), Some(2));
        assert_eq!(two.get("b/index.html").map(|e| e.version), Some(1));

        let (three, c) = two.replaced(files(&[("a/index.html", "a2")]));
        assert_eq!(c.removed, ["b/index.html"]);
        assert!(c.changed.is_empty());
        assert!(!three.contains("b/index.html"));

        let (four, c) = three.overlaid(files(&[("c.png", "c")]));
        assert_eq!(c.changed, ["c.png"]);
        assert!(four.contains("a/index.html") && four.contains("c.png"));
        assert_eq!(four.generation, 4);
    }
}
