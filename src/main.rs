//! The `docsite` command line: a thin layer over the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};

use docsite::build::{BuildOptions, Strictness, build};
use docsite::config::{Config, Overrides};
use docsite::diag::Diagnostic;
use docsite::output::Staged;
use docsite::report::{Colour, Format};
use docsite::source::DirSource;

#[derive(Parser)]
#[command(
    name = "docsite",
    version,
    about = "Fast static docs sites from manifest.json + markdown"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the static site.
    Build(BuildArgs),
    /// Check the docs for broken links, anchors, images, orphans and redirects; write nothing.
    Check(CheckArgs),
}

#[derive(Args)]
struct CheckArgs {
    /// The docs folder (holds manifest.json).
    #[arg(long, default_value = "docs", value_name = "DIR")]
    docs: PathBuf,
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Config file [default: DIR/docsite.toml if it exists].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Forge URL of the docs folder, e.g. https://github.com/o/r/blob/main/docs.
    #[arg(long, value_name = "URL")]
    repo_url: Option<String>,
}

#[derive(Args)]
struct BuildArgs {
    /// The docs folder (holds manifest.json).
    #[arg(long, default_value = "docs", value_name = "DIR")]
    docs: PathBuf,
    /// Where to write the site. Replaced only when the build succeeds.
    #[arg(long, default_value = "site", value_name = "DIR")]
    out: PathBuf,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// Config file [default: DIR/docsite.toml if it exists].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Site title (overrides the config file).
    #[arg(long)]
    title: Option<String>,
    /// Forge URL of the docs folder, e.g. https://github.com/o/r/blob/main/docs.
    #[arg(long, value_name = "URL")]
    repo_url: Option<String>,
    /// Public URL of the site, for canonical links and sitemap.xml.
    #[arg(long, value_name = "URL")]
    site_url: Option<String>,
    /// A folder whose files replace the built-in templates and assets.
    #[arg(long, value_name = "DIR")]
    theme: Option<PathBuf>,
    /// Open the site in a browser after building.
    #[arg(long)]
    open: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Check(args) => run_check(args),
    }
}

/// Exit code 2: docsite could not run.
const CANNOT_RUN: u8 = 2;

/// Loads the config and makes sure the docs folder exists, or says why not.
fn load_config(docs: &Path, config: Option<&Path>, overrides: Overrides) -> Result<Config, ExitCode> {
    let config = Config::load(docs, config, overrides).map_err(|d| {
        eprintln!("{}", d.display_with_prefix(""));
        ExitCode::from(CANNOT_RUN)
    })?;
    if !docs.is_dir() {
        eprintln!(
            "error: docs folder `{}` does not exist\n  help: pass the folder that holds manifest.json with --docs DIR",
            docs.display()
        );
        return Err(ExitCode::from(CANNOT_RUN));
    }
    Ok(config)
}

fn run_check(args: CheckArgs) -> ExitCode {
    let overrides = Overrides {
        repo_url: args.repo_url,
        ..Overrides::default()
    };
    let config = match load_config(&args.docs, args.config.as_deref(), overrides) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let source = DirSource::new(&args.docs);
    let report = match docsite::check::check(&source, config) {
        Ok(r) => r,
        Err(diags) => {
            print_diagnostics(&diags, &display_prefix(&args.docs));
            eprintln!("error: cannot check `{}`", args.docs.display());
            return ExitCode::from(CANNOT_RUN);
        }
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let colour = if std::io::stdout().is_terminal() && !no_color {
        Colour::Always
    } else {
        Colour::Never
    };
    let ctx = docsite::report::Context {
        source: &source,
        colour,
        repo_prefix: docsite::report::repo_prefix(&args.docs),
    };
    let text = docsite::report::render(&report, args.format, &ctx);
    let mut out = std::io::stdout().lock();
    // A closed pipe (`docsite check | head`) is not an error of the check.
    let _ = std::io::Write::write_all(&mut out, text.as_bytes());
    if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_build(args: BuildArgs) -> ExitCode {
    let started = Instant::now();
    let prefix = display_prefix(&args.docs);
    let overrides = Overrides {
        title: args.title,
        repo_url: args.repo_url,
        site_url: args.site_url,
        theme: args.theme,
    };
    let mut config = match load_config(&args.docs, args.config.as_deref(), overrides) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Undocumented on purpose: bench/search.sh measures what the index costs with it.
    if std::env::var_os("DOCSITE_NO_SEARCH").is_some() {
        config.search = docsite::search::SearchIndex::Skip;
    }
    if out_contains_docs(&args.out, &args.docs) {
        eprintln!(
            "error: the output folder `{}` contains the docs folder `{}`; a build replaces its output folder as a whole\n  help: pick an output folder outside the docs, such as `site`",
            args.out.display(),
            args.docs.display()
        );
        return ExitCode::from(CANNOT_RUN);
    }
    let staged = match Staged::new(&args.out) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: cannot create a build folder beside `{}`: {e}",
                args.out.display()
            );
            return ExitCode::from(CANNOT_RUN);
        }
    };
    let source = DirSource::new(&args.docs)
        .skipping(&args.out)
        .skipping(staged.output().root());
    let progress = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let reporter = std::io::stderr()
        .is_terminal()
        .then(|| spawn_progress(progress.clone(), done.clone()));
    let strictness = if args.strict {
        Strictness::WarningsAreErrors
    } else {
        Strictness::WarningsAllowed
    };
    let opts = BuildOptions {
        strictness,
        progress: Some(progress),
    };
    let result = build(&source, config, staged.output(), &opts);
    done.store(true, Ordering::Relaxed);
    if let Some(r) = reporter {
        let _ = r.join();
    }
    let ms = started.elapsed().as_millis();
    match result {
        Ok(report) => {
            print_diagnostics(&report.diagnostics, &prefix);
            if let Err(e) = staged.commit() {
                eprintln!("error: cannot move the new site into `{}`: {e}", args.out.display());
                return ExitCode::from(1);
            }
            let warnings = report.warnings();
            let plural = if warnings == 1 { "" } else { "s" };
            let search = match report.search_bytes {
                Some(bytes) => format!(", search index {} KB", bytes.div_ceil(1024)),
                None => String::new(),
            };
            eprintln!(
                "built {} pages in {ms} ms, {warnings} warning{plural}{search}",
                report.pages
            );
            if args.open {
                let index = args.out.join("index.html");
                if let Err(e) = opener::open(&index) {
                    eprintln!("warning: cannot open {}: {e}", index.display());
                }
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
            print_diagnostics(&diags, &prefix);
            let errors = diags
                .iter()
                .filter(|d| d.severity == docsite::diag::Severity::Error)
                .count();
            let warnings = diags.len() - errors;
            eprintln!(
                "error: build failed with {errors} error{}, {warnings} warning{}; `{}` was left unchanged",
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
                args.out.display()
            );
            ExitCode::from(1)
        }
    }
}

/// True when replacing `out` would replace (or move) `docs` with it.
fn out_contains_docs(out: &Path, docs: &Path) -> bool {
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .map(|a| normalize(&a))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let docs = docs.canonicalize().unwrap_or_else(|_| absolute(docs));
    // The output may not exist yet: resolve what does exist of it.
    let out = out.canonicalize().unwrap_or_else(|_| absolute(out));
    docs.starts_with(&out)
}

/// Removes `.` and `..` components without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Diagnostics name files relative to the docs folder; print them as the user would
/// type them (`docs/a.md`), except files already given with a path (config files).
fn display_prefix(docs: &Path) -> String {
    let s = docs.display().to_string();
    if s == "." { String::new() } else { s }
}

fn print_diagnostics(diags: &[Diagnostic], prefix: &str) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = std::io::Write::write_fmt(&mut err, format_args!("{}\n", d.display_with_prefix(prefix)));
    }
}

/// Shows `rendered N pages` on a terminal while a long build runs.
fn spawn_progress(count: Arc<AtomicUsize>, done: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let start = Instant::now();
        let mut shown = false;
        while !done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
            if start.elapsed() > Duration::from_millis(500) {
                eprint!("\r  rendered {} pages…", count.load(Ordering::Relaxed));
                shown = true;
            }
        }
        if shown {
            eprint!("\r\x1b[2K");
        }
    })
}
