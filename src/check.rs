//! `docsite check`: the build's findings without the build. It loads the site and runs the
//! per-page markdown pass and the cross-page checks that `build` runs, but no templates,
//! no highlighting and no output, and it gives each kind of finding its gate severity
//! ([`Kind::check_severity`]): a dead link is a warning in a build and an error here.

use rayon::prelude::*;

use crate::build::{PageFacts, PageResult, check_page, cross_check};
use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::site::Site;
use crate::source::Source;

/// What a check found.
#[derive(Debug)]
pub struct CheckReport {
    /// Markdown pages checked.
    pub pages: usize,
    /// Every finding, sorted by file, then line and column.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

/// Checks the docs in `source`. Fails only when there is nothing to check: no readable
/// manifest, or one that is not valid JSON or not shaped like a manifest.
pub fn check(source: &dyn Source, config: Config) -> Result<CheckReport, Vec<Diagnostic>> {
    let analysis = analyse(source, config)?;
    Ok(CheckReport {
        pages: analysis.site.pages.len(),
        diagnostics: analysis.diagnostics,
    })
}

/// What a check learns about the docs: the site, each page's facts (`None` for a page that
/// failed) and the findings, with their `check` severities, sorted.
pub(crate) struct Analysis {
    pub site: Site,
    pub facts: Vec<Option<PageFacts>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The check, keeping the facts: [`crate::preview`] compares two of them.
pub(crate) fn analyse(source: &dyn Source, config: Config) -> Result<Analysis, Vec<Diagnostic>> {
    let (site, mut diags) = Site::load(source, config)?;
    let results: Vec<PageResult> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| check_page(source, &site, i))
        .collect();
    let (facts, _) = cross_check(source, &site, results, &mut diags);
    for d in &mut diags {
        if d.severity == Severity::Warning
            && let Some(severity) = d.kind.check_severity()
        {
            d.severity = severity;
        }
    }
    // Grouped by file in path order: the order a reader fixes them in.
    diags.sort_by(|a, b| (&a.file, a.line, a.col, &a.message).cmp(&(&b.file, b.line, b.col, &b.message)));
    Ok(Analysis {
        site,
        facts,
        diagnostics: diags,
    })
}
