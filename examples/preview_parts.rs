//! The two halves of `docsite preview`, for `bench/preview.sh` to time apart:
//!
//! - `report REPO BASE HEAD`: the comparison alone (merge base, diff, both commits read from
//!   git and checked, report and comment), no site built;
//! - `build-git REPO REF OUT`: a plain `docsite build` of `REF:docs` read from git objects,
//!   to hold against `docsite build --docs` of the same tree on disk.

#[global_allocator]
static ALLOC: docsite::alloc::SplitBySize = docsite::alloc::SplitBySize;

use std::process::ExitCode;

use docsite::build::{BuildOptions, build};
use docsite::config::Config;
use docsite::git::Repo;
use docsite::output::Staged;
use docsite::preview::{Options, Plan, prepare};
use docsite::source::GitSource;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["report", repo, base, head] => report(repo, base, head),
        ["build-git", repo, reference, out] => build_git(repo, reference, out),
        _ => Err("usage: preview_parts report REPO BASE HEAD | build-git REPO REF OUT".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn report(repo: &str, base: &str, head: &str) -> Result<(), String> {
    let opts = Options {
        base: base.into(),
        head: head.into(),
        repo: repo.into(),
        docs: "docs".into(),
        out: "unused".into(),
        url: "https://previews.example".into(),
        name: Some("bench".into()),
        previous_comment: None,
        overrides: Default::default(),
    };
    match prepare(&opts) {
        Ok(Plan::Preview { report, comment }) => {
            println!(
                "{} bytes of comment, {} new findings",
                comment.len(),
                report.findings.new.len()
            );
            Ok(())
        }
        Ok(Plan::NoDocsChange { .. }) => Err("nothing changed under docs".into()),
        Err(_) => Err("the preview failed; run docsite preview for the reason".into()),
    }
}

fn build_git(repo: &str, reference: &str, out: &str) -> Result<(), String> {
    let repo = Repo::open(repo.as_ref()).map_err(|e| e.to_string())?;
    let commit = repo.resolve(reference).map_err(|e| e.to_string())?;
    let source = GitSource::load(&repo, &commit, "docs").map_err(|e| e.to_string())?;
    let staged = Staged::new(out.as_ref()).map_err(|e| e.to_string())?;
    let built = build(&source, Config::default(), staged.output(), &BuildOptions::default())
        .map_err(|d| format!("{} errors", d.len()))?;
    staged.commit().map_err(|e| e.to_string())?;
    println!("built {} pages", built.pages);
    Ok(())
}
