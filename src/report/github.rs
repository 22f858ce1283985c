//! `--format github`: workflow commands (`::error file=…,line=…::message`) that
//! GitHub Actions and Forgejo Actions turn into annotations on the changed lines.
//! The summary goes to standard error (see `lib.rs`), where the log shows it.

use super::{Region, path_of};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Outcome;

/// One annotation. Columns are given only for a span on one line: GitHub's runner
/// drops an annotation whose `col`/`endColumn` are set while `line` and `endLine`
/// differ, so a multi-line finding is annotated on its whole lines instead.
pub fn command(outcome: &Outcome, d: &Diagnostic) -> String {
    let r = Region::of(outcome, d.file, d.span);
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = vec![
        ("file", path_of(outcome, d.file)),
        ("line", r.line.to_string()),
    ];
    if r.line == r.end_line {
        properties.push(("col", r.column.to_string()));
        properties.push(("endLine", r.end_line.to_string()));
        properties.push(("endColumn", r.end_column.to_string()));
    } else {
        properties.push(("endLine", r.end_line.to_string()));
    }
    properties.push(("title", d.code.to_string()));
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    // The help is what to do about it; a pull request's reader sees only the
    // annotation, so it rides along on a second line.
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    format!(
        "::{kind} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// A command's message: `%`, CR and LF would end or corrupt the command.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A property value: as a message, and `:` and `,` too, which delimit properties.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for d in &outcome.diagnostics {
        out.push_str(&command(outcome, d));
        out.push('\n');
    }
    out
}
