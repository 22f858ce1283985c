//! `--format concise`: one line per finding, `path:line:col: CODE severity message`,
//! the shape compilers print, so editors' problem matchers, `grep` and `wc -l`
//! work on it. The summary goes to standard error (see `lib.rs`), keeping the
//! report itself to findings only.

use super::{Region, path_of};
use crate::diagnostic::Diagnostic;
use crate::pipeline::Outcome;

/// One finding as one line, without the trailing newline. Line breaks inside a
/// message (a quoted key can hold one) become spaces so the line stays whole.
pub fn line(outcome: &Outcome, d: &Diagnostic) -> String {
    let r = Region::of(outcome, d.file, d.span);
    format!(
        "{}:{}:{}: {} {} {}",
        path_of(outcome, d.file),
        r.line,
        r.column,
        d.code,
        d.severity.as_str(),
        one_line(&d.message)
    )
}

pub fn one_line(text: &str) -> String {
    text.replace("\r\n", " ").replace(['\r', '\n'], " ")
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for d in &outcome.diagnostics {
        out.push_str(&line(outcome, d));
        out.push('\n');
    }
    out
}
