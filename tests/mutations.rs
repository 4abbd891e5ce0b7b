//! No input makes docsite panic: the fixture sites, mutated at random (deterministically,
//! from a fixed seed) with the constructs the Markdown dialect and the manifest give
//! meaning to, go through a build (raw HTML trusted and sanitized) and a check. Each run
//! may succeed or report errors; it must return.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

use docsite::build::{BuildOptions, Tools, build_site};
use docsite::config::{Config, Overrides};
use docsite::highlight::Highlighter;
use docsite::output::MemoryOutput;
use docsite::sanitize::RawHtml;
use docsite::site::Site;
use docsite::source::DirSource;

/// Rounds per fixture: each mutates one page (and now and then the manifest) and builds.
const ROUNDS: usize = 400;

/// Pieces the dialect gives meaning to, inserted at random places.
const PIECES: &[&str] = &[
    "```",
    "```sh\n",
    "~~~",
    "\n```\n",
    "> [!NOTE]\n",
    "> [!WARNING]\n> ",
    "> ",
    "<div class=\"tabs\">\n\n### A\n\n",
    "</div>",
    "<children></children>",
    "<children>",
    "[x](",
    "](#",
    "](../",
    "](./a.md#b)",
    "{#",
    "{#id}",
    "---\n",
    "---\ntitle: T\n---\n",
    "\n# ",
    "\n## ",
    "|",
    "| a | b |\n|---|---|\n",
    "\n- [ ] ",
    "<details><summary>",
    "</details>",
    "<!--",
    "-->",
    "[^1]",
    "[^1]: ",
    "\t",
    "\0",
    "é",
    "🎉",
    "\u{200b}",
    "\r\n",
    "\r",
    "<a href=\"",
    "<img src=\"../",
    "<source src=\"",
    "1. ",
    "1) ",
    "***",
    "<",
    ">",
    "&amp;",
    "&#0;",
    "\\",
    "`",
    "*",
    "_",
    "[",
    "]",
    "(",
    ")",
    "<script>",
    "<style>",
    "\n    ",
    "http://",
    "<https://a.b>",
    "![i](",
    "?q=1#",
    "%2e%2e/",
];

/// A small deterministic generator (xorshift64*): the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A char boundary of `s` at or before `at`.
fn boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut s = text.to_string();
    for _ in 0..1 + rng.below(4) {
        let at = boundary(&s, rng.below(s.len() + 1));
        match rng.below(5) {
            0 | 1 => s.insert_str(at, PIECES[rng.below(PIECES.len())]),
            2 => {
                let end = boundary(&s, at + rng.below(40));
                s.replace_range(at..end, "");
            }
            3 => {
                let end = boundary(&s, at + rng.below(80));
                let copy = s[at..end].to_string();
                let to = boundary(&s, rng.below(s.len() + 1));
                s.insert_str(to, &copy);
            }
            _ => s.truncate(at),
        }
    }
    s
}

fn markdown_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

fn build_and_check(docs: &Path, tools: &Tools, raw_html: RawHtml) {
    let source = DirSource::new(docs);
    let Ok(config) = Config::load(docs, None, Overrides::default()) else {
        return;
    };
    let _ = docsite::check::check(&source, config.clone());
    let Ok(loaded) = Site::load(&source, config) else {
        return;
    };
    let opts = BuildOptions {
        raw_html,
        ..BuildOptions::default()
    };
    let _ = build_site(&source, tools, loaded, &MemoryOutput::default(), &opts);
}

#[test]
fn mutated_fixtures_never_panic() {
    let tools = Tools::load(None, Arc::new(Highlighter::new())).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for fixture in ["acme", "broken"] {
        let work = common::tmp();
        let docs = work.path().join("docs");
        common::copy_tree(&common::fixture(fixture), &docs);
        let pages = markdown_files(&docs);
        let manifest = docs.join("manifest.json");
        let manifest_text = std::fs::read_to_string(&manifest).unwrap();
        for round in 0..ROUNDS {
            let page = &pages[rng.below(pages.len())];
            let original = std::fs::read_to_string(page).unwrap();
            let mutated = mutate(&original, &mut rng);
            std::fs::write(page, &mutated).unwrap();
            let manifest_mutated = (rng.below(6) == 0).then(|| mutate(&manifest_text, &mut rng));
            if let Some(m) = &manifest_mutated {
                std::fs::write(&manifest, m).unwrap();
            }
            let raw_html = if round % 2 == 0 {
                RawHtml::Trusted
            } else {
                RawHtml::Sanitize
            };
            let ran = catch_unwind(AssertUnwindSafe(|| build_and_check(&docs, &tools, raw_html)));
            assert!(
                ran.is_ok(),
                "{fixture} round {round}: panicked on {}:\n{mutated}\n--- manifest ---\n{}",
                page.display(),
                manifest_mutated.as_deref().unwrap_or("(unchanged)")
            );
            std::fs::write(page, original).unwrap();
            std::fs::write(&manifest, &manifest_text).unwrap();
        }
    }
}
