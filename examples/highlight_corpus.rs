//! Times syntax highlighting alone: every fenced code block of a docs folder, grouped by
//! its language tag, through docsite's [`Highlighter`], several times over. For weighing a
//! change to highlighting (a grammar, syntect itself, the markup) without the rest of a
//! build. The first pass, which compiles each grammar's regexes, is not counted.
//!
//! Usage: cargo run --release --example highlight_corpus -- DOCS_DIR [ROUNDS]

use std::collections::BTreeMap;
use std::time::Instant;

use docsite::highlight::{Frame, Highlighter};
use docsite::source::{DirSource, Source};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: highlight_corpus DOCS_DIR [ROUNDS]")?;
    let rounds: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let source = DirSource::new(dir);
    let files = source.files()?;
    // Language tag (its first word) → the code of each block.
    let mut blocks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files.iter().filter(|f| docsite::paths::is_markdown(f)) {
        let Ok(bytes) = source.read(file) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let mut open: Option<(String, String)> = None;
        for event in Parser::new_ext(&text, Options::all()) {
            match event {
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    open = Some((lang, String::new()));
                }
                Event::Text(t) => {
                    if let Some((_, code)) = &mut open {
                        code.push_str(&t);
                    }
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((lang, code)) = open.take() {
                        blocks.entry(lang).or_default().push(code);
                    }
                }
                _ => {}
            }
        }
    }

    let highlighter = Highlighter::new();
    println!(
        "{:<12} {:>6} {:>9} {:>10} {:>9} {:>8}",
        "language", "blocks", "bytes", "html bytes", "ms", "ns/byte"
    );
    let (mut all_bytes, mut all_secs) = (0usize, 0f64);
    for (lang, codes) in &blocks {
        let bytes: usize = codes.iter().map(String::len).sum();
        let html = |h: &Highlighter| {
            codes
                .iter()
                .map(|c| h.block(lang, c, &Frame::default()).len())
                .sum::<usize>()
        };
        let html_bytes = html(&highlighter);
        let start = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(html(&highlighter));
        }
        let secs = start.elapsed().as_secs_f64() / f64::from(rounds);
        all_bytes += bytes;
        all_secs += secs;
        println!(
            "{:<12} {:>6} {:>9} {:>10} {:>9.2} {:>8.0}",
            if lang.is_empty() { "(none)" } else { lang },
            codes.len(),
            bytes,
            html_bytes,
            secs * 1e3,
            secs * 1e9 / bytes.max(1) as f64
        );
    }
    println!(
        "{:<12} {:>6} {:>9} {:>10} {:>9.2} {:>8.0}",
        "all",
        blocks.values().map(Vec::len).sum::<usize>(),
        all_bytes,
        "",
        all_secs * 1e3,
        all_secs * 1e9 / all_bytes.max(1) as f64
    );
    Ok(())
}
