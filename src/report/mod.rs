//! Renderers: each turns the same `Outcome` into one output format. Positions,
//! paths and the summary are computed here once, so every format agrees on them.

pub mod clients;
pub mod concise;
pub mod diff;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod output;
pub mod rules;
pub mod sarif;
pub mod statistics;

use crate::diagnostic::FileId;
use crate::pipeline::Outcome;
use crate::source::Span;

/// "2 errors and 1 warning" / "No problems".
pub fn count_phrase(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "No problems".to_string(),
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// The closing line of a run: "2 errors and 1 warning in 3 files.", then, when
/// there are any, the files read for context and the findings the baseline holds
/// back.
pub fn summary_line(outcome: &Outcome) -> String {
    let summary = json::Summary::of(&outcome.diagnostics);
    let files = outcome.files_checked();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut line = format!(
        "{} in {} file{}",
        count_phrase(summary.errors, summary.warnings),
        files,
        plural(files)
    );
    let context = outcome.context_files();
    if context > 0 {
        line.push_str(&format!(
            " ({context} more file{} of the repository read for context)",
            plural(context)
        ));
    }
    line.push('.');
    let baselined = outcome.baselined.len();
    if baselined > 0 {
        line.push_str(&format!(
            " {baselined} finding{} in the baseline not shown.",
            plural(baselined)
        ));
    }
    line
}

/// The line after the summary: how many findings `--fix` (and
/// `--unsafe-fixes`) would fix; `None` when no finding has a fix.
pub fn fix_hint(outcome: &Outcome) -> Option<String> {
    match statistics::fixable(&outcome.diagnostics) {
        (0, 0) => None,
        (0, unsafe_only) => Some(format!(
            "{unsafe_only} fixable with --fix --unsafe-fixes (`--diff` shows the changes first)."
        )),
        (safe, 0) => Some(format!(
            "{safe} fixable with --fix (`--diff` shows the changes first)."
        )),
        (safe, unsafe_only) => Some(format!(
            "{safe} fixable with --fix, {unsafe_only} more with --fix --unsafe-fixes (`--diff` shows the changes first)."
        )),
    }
}

/// The findings JSON and SARIF list: the reported ones and those a baseline
/// holds back (`true`), in report order (by path, then position).
pub fn with_baselined(outcome: &Outcome) -> Vec<(&crate::diagnostic::Diagnostic, bool)> {
    let mut all: Vec<_> = outcome
        .diagnostics
        .iter()
        .map(|d| (d, false))
        .chain(outcome.baselined.iter().map(|d| (d, true)))
        .collect();
    if !outcome.baselined.is_empty() {
        let files = &outcome.files;
        all.sort_by(|(a, _), (b, _)| {
            (&files[a.file].path, a.span.start, a.code).cmp(&(
                &files[b.file].path,
                b.span.start,
                b.code,
            ))
        });
    }
    all
}

/// Where a span sits, 1-based, columns in characters; the end is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Region {
    /// The span's lines and columns; 1:1 when the file's text is not at hand
    /// (it could not be read back), so a finding is still reported.
    pub fn of(outcome: &Outcome, file: FileId, span: Span) -> Region {
        match outcome.source(file) {
            Some(source) => {
                let start = source.line_col(span.start);
                let end = source.line_col(span.end);
                Region {
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                }
            }
            None => Region {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            },
        }
    }
}

/// A file's path as every renderer prints it (see `source::display_path`).
pub fn path_of(outcome: &Outcome, file: FileId) -> String {
    outcome
        .files
        .get(file)
        .map_or_else(String::new, |f| crate::source::display_path(&f.path))
}
