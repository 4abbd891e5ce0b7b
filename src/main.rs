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
use docsite::diag::eprint_all;
use docsite::output::Staged;
use docsite::report::{Colour, Format};
use docsite::source::DirSource;

mod preview_cmd;

// Small blocks from mimalloc (faster at the many small strings of a build), large ones
// from the system allocator (less memory held): see the module's doc.
#[global_allocator]
static ALLOC: docsite::alloc::SplitBySize = docsite::alloc::SplitBySize;

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
    /// Start a docs folder: a manifest, two pages and a config file.
    Init(InitArgs),
    /// Build the static site.
    Build(BuildArgs),
    /// Check the docs for broken links, anchors, images, orphans and redirects; write nothing.
    Check(CheckArgs),
    /// Serve the docs with live reload: rebuilds on save and updates open pages.
    Serve(ServeArgs),
    /// Build a pull request's docs from git into OUT/@SLUG/ and print the review comment.
    Preview(preview_cmd::PreviewArgs),
    /// Work with themes.
    #[command(subcommand)]
    Theme(ThemeCommand),
}

#[derive(Args)]
struct InitArgs {
    /// The folder to create (or fill, if it holds none of the files).
    #[arg(default_value = "docs", value_name = "DIR")]
    dir: PathBuf,
    /// Site title.
    #[arg(long, default_value = "Documentation")]
    title: String,
}

#[derive(Subcommand)]
enum ThemeCommand {
    /// Write the built-in templates and assets to a folder, to start a theme from.
    Export(ExportArgs),
}

#[derive(Args)]
struct ExportArgs {
    /// The folder to write to (made if missing).
    #[arg(default_value = "theme", value_name = "DIR")]
    dir: PathBuf,
    /// Replace files of the same names already in DIR.
    #[arg(long)]
    force: bool,
}

/// What `build` and `serve` both take: where the docs are and how to present them.
#[derive(Args)]
struct SiteArgs {
    /// The docs folder (holds manifest.json).
    #[arg(long, default_value = "docs", value_name = "DIR")]
    docs: PathBuf,
    /// Config file [default: DIR/docsite.toml if it exists].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Site title (overrides the config file).
    #[arg(long)]
    title: Option<String>,
    /// Forge URL of the docs folder, e.g. https://github.com/o/r/blob/main/docs.
    #[arg(long, value_name = "URL")]
    repo_url: Option<String>,
    /// A folder whose files replace the built-in templates and assets.
    #[arg(long, value_name = "DIR")]
    theme: Option<PathBuf>,
}

impl SiteArgs {
    fn overrides(&self, site_url: Option<String>) -> Overrides {
        Overrides {
            title: self.title.clone(),
            repo_url: self.repo_url.clone(),
            site_url,
            theme: self.theme.clone(),
        }
    }
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Address to listen on. The default serves this machine only.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Open the site in a browser once it is served.
    #[arg(long)]
    open: bool,
    /// Also serve every branch, tag and pull/N/head ref of this git repository at
    /// /@NAME/; --docs is then the docs folder inside the repository.
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// With --repo: the most memory, in MB, that built previews may hold.
    #[arg(long, default_value_t = 512, value_name = "MB")]
    cache_mb: usize,
    /// The docs may come from anyone (pull requests from forks): clean raw HTML of
    /// scripts and event handlers, and send a strict Content-Security-Policy.
    #[arg(long)]
    untrusted: bool,
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
    #[command(flatten)]
    site: SiteArgs,
    /// Where to write the site. Replaced only when the build succeeds.
    #[arg(long, default_value = "site", value_name = "DIR")]
    out: PathBuf,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// Public URL of the site, for canonical links and sitemap.xml.
    #[arg(long, value_name = "URL")]
    site_url: Option<String>,
    /// Open the site in a browser after building.
    #[arg(long)]
    open: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Check(args) => run_check(args),
        Command::Serve(args) => run_serve(args),
        Command::Preview(args) => preview_cmd::run(args),
        Command::Theme(ThemeCommand::Export(args)) => run_theme_export(args),
        Command::Init(args) => run_init(args),
    }
}

fn run_init(args: InitArgs) -> ExitCode {
    let docs = if args.dir == Path::new("docs") {
        String::new()
    } else {
        format!(" --docs {}", args.dir.display())
    };
    let next = format!(
        "created the docs folder {}\n  next: docsite serve{docs} --open, then edit {}",
        args.dir.display(),
        args.dir.join("README.md").display()
    );
    report_new_files(
        &args.dir,
        docsite::init::init(&args.dir, &args.title),
        next,
        "init starts a new docs folder; pick an empty folder",
    )
}

fn run_theme_export(args: ExportArgs) -> ExitCode {
    use docsite::output::Existing;
    let existing = if args.force { Existing::Replace } else { Existing::Keep };
    let written = docsite::theme::export(&args.dir, existing);
    let shown = args.dir.display();
    let count = written.as_ref().map_or(0, Vec::len);
    let next = format!(
        "wrote the built-in theme ({count} files) to {shown}\n  next: delete the files you will not change (those keep following docsite's updates), then build with --theme {shown}, or set `theme` in docsite.toml to the folder's path from that file"
    );
    report_new_files(
        &args.dir,
        written,
        next,
        "pass --force to replace them, or export to another folder",
    )
}

/// What a command that writes starter files did: the files on stdout and `next` on stderr,
/// or why it wrote nothing (with `refused_help` when files were in the way).
fn report_new_files(
    dir: &Path,
    written: Result<Vec<String>, docsite::output::WriteNewError>,
    next: String,
    refused_help: &str,
) -> ExitCode {
    use docsite::output::WriteNewError;
    match written {
        Ok(files) => {
            for f in &files {
                println!("{}", dir.join(f).display());
            }
            eprintln!("{next}");
            ExitCode::SUCCESS
        }
        Err(WriteNewError::Exists(paths)) => {
            for p in &paths {
                eprintln!("error: {} already exists", dir.join(p).display());
            }
            eprintln!("  help: {refused_help}; nothing was written");
            ExitCode::from(1)
        }
        Err(WriteNewError::Io { path, error }) => {
            eprintln!("error: cannot write {}: {error}", path.display());
            ExitCode::from(1)
        }
    }
}

fn run_serve(args: ServeArgs) -> ExitCode {
    let raw_html = if args.untrusted {
        docsite::sanitize::RawHtml::Sanitize
    } else {
        docsite::sanitize::RawHtml::Trusted
    };
    let (docs, repo) = match &args.repo {
        Some(repo) => {
            let in_repo = match docsite::git::check_repo_path(&args.site.docs.to_string_lossy()) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(CANNOT_RUN);
                }
            };
            let opts = docsite::serve::previews::RepoOptions {
                repo: repo.clone(),
                docs: in_repo.clone(),
                cache_bytes: args.cache_mb.saturating_mul(1 << 20),
                overrides: args.site.overrides(None),
                raw_html,
            };
            (repo.join(in_repo), Some(opts))
        }
        None => (args.site.docs.clone(), None),
    };
    // A config that cannot be read is reported in the browser like any other build error,
    // but a docs folder that does not exist leaves nothing to watch.
    if let Err(code) = docs_exist(&docs) {
        return code;
    }
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    }) {
        eprintln!("warning: cannot catch Ctrl-C: {e}");
    }
    let opts = docsite::serve::Options {
        inputs: docsite::serve::rebuild::Inputs {
            docs: docs.clone(),
            config: args.site.config.clone(),
            overrides: args.site.overrides(None),
            raw_html,
        },
        host: args.host,
        port: args.port,
        display_prefix: display_prefix(&docs),
        repo,
    };
    let running = match docsite::serve::start(opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(CANNOT_RUN);
        }
    };
    // On stdout, alone on its line, for people and for scripts that start a server on port 0.
    println!("serving {} at {}", docs.display(), running.url);
    eprintln!("watching for changes; press Ctrl-C to stop");
    if args.open
        && let Err(e) = opener::open(&running.url)
    {
        eprintln!("warning: cannot open a browser: {e}");
    }
    let _ = stop_rx.recv();
    running.stop();
    eprintln!("stopped");
    ExitCode::SUCCESS
}

/// Exit code 2: docsite could not run.
pub(crate) const CANNOT_RUN: u8 = 2;

/// Loads the config and makes sure the docs folder exists, or says why not.
fn load_config(docs: &Path, config: Option<&Path>, overrides: Overrides) -> Result<Config, ExitCode> {
    let config = Config::load(docs, config, overrides).map_err(|d| {
        eprintln!("{}", d.display_with_prefix(""));
        ExitCode::from(CANNOT_RUN)
    })?;
    docs_exist(docs)?;
    Ok(config)
}

fn docs_exist(docs: &Path) -> Result<(), ExitCode> {
    if docs.is_dir() {
        return Ok(());
    }
    eprintln!(
        "error: docs folder `{}` does not exist\n  help: pass the folder that holds manifest.json with --docs DIR",
        docs.display()
    );
    Err(ExitCode::from(CANNOT_RUN))
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
            eprint_all(&diags, &display_prefix(&args.docs));
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
    let mut out = std::io::stdout().lock();
    // A closed pipe (`docsite check | head`) is not an error of the check.
    let _ = docsite::report::write(&report, args.format, &ctx, &mut out);
    let failed = report.has_errors();
    // The report (a big site's tens of thousands of findings, and the site and facts they
    // were made from) is only freed: let a worker do it while the process exits.
    rayon::spawn(move || drop(report));
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn run_build(args: BuildArgs) -> ExitCode {
    let started = Instant::now();
    docsite::alloc::keep_heap_slack();
    let docs = &args.site.docs;
    let prefix = display_prefix(docs);
    let overrides = args.site.overrides(args.site_url.clone());
    let mut config = match load_config(docs, args.site.config.as_deref(), overrides) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Undocumented on purpose: bench/search.sh measures what the index costs with it.
    if std::env::var_os("DOCSITE_NO_SEARCH").is_some() {
        config.search = docsite::search::SearchIndex::Skip;
    }
    if out_contains_docs(&args.out, docs) {
        eprintln!(
            "error: the output folder `{}` contains the docs folder `{}`; a build replaces its output folder as a whole\n  help: pick an output folder outside the docs, such as `site`",
            args.out.display(),
            docs.display()
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
    let source = DirSource::new(docs)
        .skipping(&args.out)
        .skipping(staged.output().root())
        .with_git_history();
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
        ..BuildOptions::default()
    };
    let result = build(&source, config, staged.output(), &opts);
    done.store(true, Ordering::Relaxed);
    if let Some(r) = reporter {
        let _ = r.join();
    }
    let ms = started.elapsed().as_millis();
    match result {
        Ok(report) => {
            eprint_all(&report.diagnostics, &prefix);
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
            eprint_all(&diags, &prefix);
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
