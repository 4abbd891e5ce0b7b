//! The `docsite preview` command line (part of the binary, not the library): arguments,
//! printing the comment, exit codes. The work is in [`docsite::preview`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use docsite::config::Overrides;
use docsite::diag::eprint_all;
use docsite::preview::{self, Outcome, PreviewError};

use crate::CANNOT_RUN;

#[derive(Args)]
pub struct PreviewArgs {
    /// The branch the pull request merges into (the comparison starts at its merge base).
    #[arg(long, value_name = "REF")]
    base: String,
    /// The pull request's commit.
    #[arg(long, default_value = "HEAD", value_name = "REF")]
    head: String,
    /// A folder inside the git repository.
    #[arg(long, default_value = ".", value_name = "DIR")]
    repo: PathBuf,
    /// The docs folder, relative to the repository root.
    #[arg(long, default_value = "docs", value_name = "PATH_IN_REPO")]
    docs: String,
    /// The folder that holds the previews; this one is written to OUT/@SLUG/.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The public URL of OUT, e.g. https://acme.github.io/docs-previews.
    #[arg(long, value_name = "PUBLIC_URL")]
    url: String,
    /// The preview's name [default: the head branch], made safe as SLUG.
    #[arg(long, value_name = "SLUG")]
    name: Option<String>,
    /// Also write the comment to FILE.
    #[arg(long, value_name = "FILE")]
    comment: Option<PathBuf>,
    /// The comment of the previous run: reviewers' ticks stay on pages unchanged since.
    #[arg(long, value_name = "FILE")]
    previous_comment: Option<PathBuf>,
    /// Print no comment when nothing under the docs folder changed.
    #[arg(long)]
    quiet: bool,
    /// Site title (overrides docsite.toml).
    #[arg(long)]
    title: Option<String>,
    /// Forge URL of the docs folder, e.g. https://github.com/o/r/blob/main/docs.
    #[arg(long, value_name = "URL")]
    repo_url: Option<String>,
}

/// Whether a comment is printed when nothing under the docs changed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quiet {
    OneLine,
    Silent,
}

pub fn run(args: PreviewArgs) -> ExitCode {
    docsite::alloc::keep_heap_slack();
    // A missing or empty file is a first run: there is no comment yet.
    let previous_comment = args
        .previous_comment
        .as_deref()
        .and_then(|f| std::fs::read_to_string(f).ok());
    let opts = preview::Options {
        base: args.base,
        head: args.head,
        repo: args.repo,
        docs: args.docs,
        out: args.out,
        url: args.url,
        name: args.name,
        previous_comment,
        overrides: Overrides {
            title: args.title,
            repo_url: args.repo_url,
            ..Overrides::default()
        },
    };
    let quiet = if args.quiet { Quiet::Silent } else { Quiet::OneLine };
    let prefix = opts.docs.trim_matches('/').to_string();
    match preview::run(&opts) {
        Ok(Outcome::NoDocsChange { comment }) => {
            eprintln!("nothing changed under `{}`: no preview built", opts.docs);
            if quiet == Quiet::OneLine {
                emit(&comment, args.comment.as_deref())
            } else {
                ExitCode::SUCCESS
            }
        }
        Ok(Outcome::Built {
            report,
            comment,
            warnings,
        }) => {
            // The head's old findings are not this pull request's business: the comment
            // lists the new ones, `docsite check` lists them all.
            let target = opts.out.join(&report.slug);
            eprintln!(
                "preview of {} changed pages written to {} ({}); {} warnings in the head build, {} new",
                report.review_pages().count(),
                target.display(),
                report.url,
                warnings.len(),
                report.findings.new.len()
            );
            emit(&comment, args.comment.as_deref())
        }
        Err(PreviewError::Git(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(CANNOT_RUN)
        }
        Err(PreviewError::Output(message)) => {
            eprintln!(
                "error: {message}\n  help: check that `{}` and its parent folder can be written",
                opts.out.display()
            );
            ExitCode::from(CANNOT_RUN)
        }
        Err(PreviewError::Build { diagnostics, comment }) => {
            eprint_all(&diagnostics, &prefix);
            eprintln!("error: the head's docs cannot be built; no preview was written");
            if let Some(comment) = comment {
                let _ = emit(&comment, args.comment.as_deref());
            }
            ExitCode::from(1)
        }
    }
}

/// Prints the comment, and writes it to FILE when asked.
fn emit(comment: &str, file: Option<&std::path::Path>) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut out, comment.as_bytes());
    if let Some(file) = file
        && let Err(e) = std::fs::write(file, comment)
    {
        eprintln!("error: cannot write the comment to {}: {e}", file.display());
        return ExitCode::from(CANNOT_RUN);
    }
    ExitCode::SUCCESS
}
