//! Where the docs files come from. Everything downstream reads through [`Source`], so the
//! same pipeline can build the working tree or (later) a git commit.

use std::io;
use std::path::{Path, PathBuf};

/// A read-only tree of files addressed by docs-relative `/`-separated paths.
pub trait Source: Sync {
    /// Every file in the tree, sorted.
    fn files(&self) -> io::Result<Vec<String>>;
    /// The bytes of one file.
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;
}

/// A folder on disk. Hidden entries (`.git`, `.DS_Store`) and `node_modules` are skipped,
/// and so is the build's own output folder when it lies inside the docs folder.
pub struct DirSource {
    root: PathBuf,
    skip: Vec<PathBuf>,
}

impl DirSource {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DirSource {
            root: root.into(),
            skip: Vec::new(),
        }
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
}

impl Source for DirSource {
    fn files(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        let walker = walkdir::WalkDir::new(&self.root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                let name = e.file_name().to_string_lossy();
                if name.starts_with('.') || name == "node_modules" {
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
        for entry in walker {
            let entry = entry.map_err(io::Error::other)?;
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
            out.push(rel.replace(std::path::MAIN_SEPARATOR, "/"));
        }
        out.sort();
        Ok(out)
    }

    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.root.join(path))
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
    }
}
