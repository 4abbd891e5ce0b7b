//! Benchmark baseline for `docsite check`: lists the docs folder, reads every markdown file
//! and runs pulldown-cmark over it with docsite's options, in parallel, doing nothing with
//! the events. `bench/check.sh` times `docsite check` against this.
//!
//! Usage: cargo run --release --example parse_only -- DOCS_DIR

use docsite::source::{DirSource, Source};
use rayon::prelude::*;

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: parse_only DOCS_DIR");
        return std::process::ExitCode::from(2);
    };
    let source = DirSource::new(dir);
    let files = match source.files() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot list: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let events: usize = files
        .par_iter()
        .filter(|f| docsite::paths::is_markdown(f))
        .map(|f| {
            let text = source
                .read(f)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            pulldown_cmark::Parser::new_ext(&text, docsite::markdown::options()).count()
        })
        .sum();
    println!("{} files, {events} events", files.len());
    std::process::ExitCode::SUCCESS
}
