//! Whole-output snapshots of the fixture site: every page, the 404 page and the sitemap,
//! byte for byte. A change to the markdown renderer, the templates or the URL scheme
//! shows up here as a reviewable diff (`cargo insta review`).

mod common;

use docsite::build::{BuildOptions, build};
use docsite::config::Config;
use docsite::output::MemoryOutput;
use docsite::source::DirSource;

#[test]
fn acme_fixture_whole_output() {
    let config = Config {
        title: "Acme Docs".into(),
        site_url: Some("https://docs.acme.dev/".into()),
        repo_url: Some("https://forge.example/acme/acme/blob/main/docs".into()),
        ..Config::default()
    };
    let out = MemoryOutput::default();
    let report = build(
        &DirSource::new(common::fixture("acme")),
        config,
        &out,
        &BuildOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(report.pages, 7);
    let files = out.into_files();
    // Theme assets are listed by name only, so restyling does not churn this snapshot.
    let listing: Vec<String> = files
        .iter()
        .map(|(path, bytes)| match path.starts_with("_docsite/") {
            true => path.clone(),
            false => format!("{path} ({} bytes)", bytes.len()),
        })
        .collect();
    insta::assert_snapshot!("files", listing.join("\n"));
    for (path, bytes) in &files {
        if path.ends_with(".html") || path.ends_with(".xml") {
            let name = path.replace('/', "__");
            insta::assert_snapshot!(name, String::from_utf8_lossy(bytes));
        }
    }
}
