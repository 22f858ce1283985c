//! `--format junit`: JUnit XML for CI test-report views (GitLab's test report,
//! Jenkins, Forgejo/GitHub test-report actions). Every checked file is one test
//! case named by its path.
//!
//! A file's case fails when it has a finding that fails the run (an error, or a
//! warning under `--deny-warnings`). Its one `<failure>` lists all of the file's
//! findings, one per line: Jenkins and GitLab keep only the first `<failure>` of a
//! case, so one element per finding would hide all but one. A file whose findings
//! do not fail the run passes and carries them in `<system-out>`.

use super::{concise, count_phrase, path_of};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Outcome;
use std::fmt::Write;

struct Case<'a> {
    path: String,
    findings: Vec<&'a Diagnostic>,
}

impl Case<'_> {
    fn failing(&self, deny_warnings: bool) -> bool {
        self.findings
            .iter()
            .any(|d| crate::diagnostic::fails_run(d, deny_warnings))
    }
}

fn cases(outcome: &Outcome) -> Vec<Case<'_>> {
    let mut findings: Vec<Vec<&Diagnostic>> = vec![Vec::new(); outcome.files.len()];
    for d in &outcome.diagnostics {
        if let Some(list) = findings.get_mut(d.file) {
            list.push(d);
        }
    }
    let mut cases: Vec<Case<'_>> = outcome
        .files
        .iter()
        .zip(findings)
        .enumerate()
        .filter(|(_, (file, findings))| file.linted || !findings.is_empty())
        .map(|(id, (_, findings))| Case {
            path: path_of(outcome, id),
            findings,
        })
        .collect();
    // Stable: two records of one path (a file named twice) keep their order.
    cases.sort_by(|a, b| a.path.cmp(&b.path));
    cases
}

/// The findings of a case as text: the concise line, then the help indented.
fn details(outcome: &Outcome, findings: &[&Diagnostic]) -> String {
    let mut out = String::new();
    for d in findings {
        out.push_str(&concise::line(outcome, d));
        out.push('\n');
        if let Some(help) = &d.help {
            out.push_str("  help: ");
            out.push_str(&concise::one_line(help));
            out.push('\n');
        }
    }
    out
}

/// Escapes text for an XML attribute or element. Characters XML 1.0 cannot hold
/// at all (most C0 controls) become U+FFFD; in attributes, line breaks and tabs
/// are written as references so attribute normalisation keeps them.
pub fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(outcome: &Outcome, deny_warnings: bool) -> String {
    let cases = cases(outcome);
    let failures = cases.iter().filter(|c| c.failing(deny_warnings)).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"0\"",
        cases.len()
    );
    let _ = writeln!(out, "<testsuites name=\"bplint\" {counts}>");
    let _ = writeln!(out, "  <testsuite name=\"bplint\" {counts} skipped=\"0\">");
    for case in &cases {
        let path = escape(&case.path, true);
        let _ = write!(
            out,
            "    <testcase classname=\"{path}\" name=\"{path}\" file=\"{path}\""
        );
        if case.findings.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        let text = escape(&details(outcome, &case.findings), false);
        if case.failing(deny_warnings) {
            let errors = case
                .findings
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let mut codes: Vec<&str> = case.findings.iter().map(|d| d.code).collect();
            codes.sort_unstable();
            codes.dedup();
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{text}</failure>",
                escape(&count_phrase(errors, case.findings.len() - errors), true),
                escape(&codes.join(" "), true),
            );
        } else {
            let _ = writeln!(out, "      <system-out>{text}</system-out>");
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
