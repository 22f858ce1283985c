//! `--statistics`: how many findings each rule has and how many of them a fix
//! can take care of, to decide what to fix, ignore or baseline first.

use crate::diagnostic::{Applicability, Diagnostic};
use crate::pipeline::Outcome;
use serde::Serialize;

/// One rule's line.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RuleCount {
    pub code: &'static str,
    pub rule: &'static str,
    pub count: usize,
    /// Findings `--fix` fixes.
    pub fixable: usize,
    /// Findings only `--fix --unsafe-fixes` fixes.
    pub unsafe_fixable: usize,
}

/// Findings per rule, most frequent first (then by code).
pub fn count(diagnostics: &[Diagnostic]) -> Vec<RuleCount> {
    let mut rows: Vec<RuleCount> = Vec::new();
    for d in diagnostics {
        let row = match rows.iter_mut().position(|r| r.code == d.code) {
            Some(at) => &mut rows[at],
            None => {
                rows.push(RuleCount {
                    code: d.code,
                    rule: d.rule,
                    count: 0,
                    fixable: 0,
                    unsafe_fixable: 0,
                });
                let last = rows.len() - 1;
                &mut rows[last]
            }
        };
        row.count += 1;
        match d.fix.as_ref().map(|f| f.applicability) {
            Some(Applicability::Safe) => row.fixable += 1,
            Some(Applicability::Unsafe) => row.unsafe_fixable += 1,
            None => {}
        }
    }
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    rows
}

/// (safe, unsafe-only) fixable findings.
pub fn fixable(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let of = |kind| {
        diagnostics
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == kind))
            .count()
    };
    (of(Applicability::Safe), of(Applicability::Unsafe))
}

/// The table: count, code, name, and what a fix covers.
pub fn human(outcome: &Outcome) -> String {
    let rows = count(&outcome.diagnostics);
    let width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    let digits = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for r in &rows {
        let mut fixes = Vec::new();
        if r.fixable > 0 {
            fixes.push(format!("{} fixable with --fix", r.fixable));
        }
        match (r.fixable, r.unsafe_fixable) {
            (_, 0) => {}
            (0, n) => fixes.push(format!("{n} fixable with --fix --unsafe-fixes")),
            (_, n) => fixes.push(format!("{n} more with --unsafe-fixes")),
        }
        let line = format!(
            "{:>digits$}  {}  {:width$}  {}",
            r.count,
            r.code,
            r.rule,
            fixes.join(", ")
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn render(outcome: &Outcome, as_json: bool) -> String {
    if as_json {
        json(outcome)
    } else {
        human(outcome)
    }
}

pub fn json(outcome: &Outcome) -> String {
    let mut text = serde_json::to_string_pretty(&count(&outcome.diagnostics)).unwrap_or_default();
    text.push('\n');
    text
}
