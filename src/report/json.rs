//! `--format json`: exactly one JSON object on stdout.
//!
//! The fields documented in the README are a contract for scripts: they are only
//! ever added to, never renamed or removed.

use super::{Region, path_of};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related, Severity};
use crate::pipeline::Outcome;
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    /// The release judged by (`report::AuthentikVersion`).
    authentik_version: super::AuthentikVersion,
    files_checked: usize,
    /// Blueprint files of the repository read for context, not reported on;
    /// present when there are any.
    #[serde(skip_serializing_if = "is_zero")]
    files_context: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
    /// The Authentik instances the run was split into, each checked as a set
    /// of its own; absent when the run was one set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    instances: Vec<super::InstanceSummary>,
    /// `bplint upgrade`: the releases compared (`diagnostics` are the findings
    /// new at `to`); absent for `check`.
    #[serde(skip_serializing_if = "Option::is_none")]
    upgrade: Option<UpgradeRange>,
    /// `bplint upgrade`: the findings at `from` that `to` no longer has, in the
    /// shape of `diagnostics`; absent for `check`.
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved: Option<Vec<JsonDiagnostic<'a>>>,
    /// `bplint upgrade`: how many objects of each kind the new findings break
    /// only when an entry creates them (`{"provider": 2}`); absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    breaks_creation: Option<std::collections::BTreeMap<&'static str, usize>>,
}

#[derive(Serialize)]
pub struct UpgradeRange {
    pub from: String,
    pub to: String,
}

impl UpgradeRange {
    pub fn of(outcome: &Outcome) -> Option<Self> {
        outcome.upgrade.as_ref().map(|u| UpgradeRange {
            from: outcome.judged.kb.version.to_string(),
            to: u.to.version.to_string(),
        })
    }
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
    /// Secondary locations ("first used here"), possibly in other files.
    related: Vec<JsonRelated<'a>>,
    fix: Option<JsonFix<'a>>,
    /// Held back by the baseline; present (and `true`) only then.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    suppressed: bool,
    /// The instance whose set the finding is in, when the run was split.
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<&'a str>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

/// An edit in the diagnostic's file, both as byte offsets (for tools that splice
/// the file's bytes) and as lines and columns (for editors).
#[derive(Serialize)]
struct JsonEdit<'a> {
    start_byte: usize,
    end_byte: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    replacement: &'a str,
}

#[derive(Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    /// Findings the baseline holds back (not in `errors` or `warnings`);
    /// present when there are any.
    #[serde(skip_serializing_if = "is_zero")]
    pub suppressed: usize,
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
            suppressed: 0,
        }
    }
}

/// 1-based start and end (line, column) of a diagnostic, in characters.
pub fn positions(outcome: &Outcome, d: &Diagnostic) -> (usize, usize, usize, usize) {
    let r = Region::of(outcome, d.file, d.span);
    (r.line, r.column, r.end_line, r.end_column)
}

fn related<'a>(outcome: &Outcome, r: &'a Related) -> JsonRelated<'a> {
    let region = Region::of(outcome, r.file, r.span);
    JsonRelated {
        file: path_of(outcome, r.file),
        line: region.line,
        column: region.column,
        end_line: region.end_line,
        end_column: region.end_column,
        message: &r.message,
    }
}

fn fix<'a>(outcome: &Outcome, d: &Diagnostic, fix: &'a Fix) -> JsonFix<'a> {
    let edit = |e: &'a Edit| {
        let region = Region::of(outcome, d.file, e.span);
        JsonEdit {
            start_byte: e.span.start,
            end_byte: e.span.end,
            line: region.line,
            column: region.column,
            end_line: region.end_line,
            end_column: region.end_column,
            replacement: &e.replacement,
        }
    };
    JsonFix {
        title: &fix.title,
        applicability: fix.applicability,
        edits: fix.edits.iter().map(edit).collect(),
    }
}

fn diagnostic<'a>(outcome: &'a Outcome, d: &'a Diagnostic, suppressed: bool) -> JsonDiagnostic<'a> {
    let region = Region::of(outcome, d.file, d.span);
    JsonDiagnostic {
        code: d.code,
        rule: d.rule,
        severity: d.severity,
        file: path_of(outcome, d.file),
        line: region.line,
        column: region.column,
        end_line: region.end_line,
        end_column: region.end_column,
        message: &d.message,
        help: d.help.as_deref(),
        related: d.related.iter().map(|r| related(outcome, r)).collect(),
        fix: d.fix.as_ref().map(|f| fix(outcome, d, f)),
        suppressed,
        instance: outcome.instance_of(d.file),
    }
}

pub fn render(outcome: &Outcome) -> String {
    let diagnostics = super::with_baselined(outcome)
        .into_iter()
        .map(|(d, suppressed)| diagnostic(outcome, d, suppressed))
        .collect();
    let report = Report {
        authentik_version: super::AuthentikVersion::of(&outcome.judged),
        files_checked: outcome.files_checked(),
        files_context: outcome.context_files(),
        diagnostics,
        summary: Summary {
            suppressed: outcome.baselined.len(),
            ..Summary::of(&outcome.diagnostics)
        },
        instances: super::InstanceSummary::all(outcome),
        upgrade: UpgradeRange::of(outcome),
        resolved: outcome.upgrade.as_ref().map(|u| {
            u.resolved
                .iter()
                .map(|d| diagnostic(outcome, d, false))
                .collect()
        }),
        breaks_creation: {
            let (kinds, _) = super::creation_breaks(outcome);
            (!kinds.is_empty()).then(|| kinds.into_iter().collect())
        },
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
