//! `--format json`: exactly one JSON object on stdout.

use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Outcome;
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    files_checked: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    rule: &'a str,
    severity: Severity,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    help: Option<&'a str>,
}

#[derive(Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        Summary {
            errors,
            warnings: diagnostics.len() - errors,
        }
    }
}

/// 1-based start and end (line, column) of a diagnostic, in characters.
pub fn positions(outcome: &Outcome, d: &Diagnostic) -> (usize, usize, usize, usize) {
    match outcome.source(d.file) {
        Some(source) => {
            let start = source.line_col(d.span.start);
            let end = source.line_col(d.span.end);
            (start.line, start.column, end.line, end.column)
        }
        None => (1, 1, 1, 1),
    }
}

pub fn render(outcome: &Outcome) -> String {
    let diagnostics = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let (line, column, end_line, end_column) = positions(outcome, d);
            JsonDiagnostic {
                code: d.code,
                rule: d.rule,
                severity: d.severity,
                file: crate::source::display_path(&outcome.files[d.file].path),
                line,
                column,
                end_line,
                end_column,
                message: &d.message,
                help: d.help.as_deref(),
            }
        })
        .collect();
    let report = Report {
        files_checked: outcome.files_checked(),
        diagnostics,
        summary: Summary::of(&outcome.diagnostics),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
