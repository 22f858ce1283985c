//! `--format concise`: one line per finding, `path:line:col: CODE severity message`
//! (with `[*]` or `[?]` before the message of a finding a fix takes care of),
//! the shape compilers print, so editors' problem matchers, `grep` and `wc -l`
//! work on it. The summary goes to standard error (see `lib.rs`), keeping the
//! report itself to findings only.

use super::{Region, path_of};
use crate::diagnostic::Diagnostic;
use crate::pipeline::Outcome;

/// One finding as one line, without the trailing newline. Line breaks inside a
/// message (a quoted key can hold one) become spaces so the line stays whole.
pub fn line(outcome: &Outcome, d: &Diagnostic) -> String {
    marked_line(outcome, d, "")
}

/// [`line`] with `mark` and a space before the message, when `mark` is not empty.
fn marked_line(outcome: &Outcome, d: &Diagnostic, mark: &str) -> String {
    let r = Region::of(outcome, d.file, d.span);
    format!(
        "{}:{}:{}: {} {} {mark}{}{}",
        path_of(outcome, d.file),
        r.line,
        r.column,
        d.code,
        d.severity.as_str(),
        if mark.is_empty() { "" } else { " " },
        one_line(&d.message)
    )
}

pub fn one_line(text: &str) -> String {
    text.replace("\r\n", " ").replace(['\r', '\n'], " ")
}

/// The report: one line per finding, a fixable one marked (`[*]`, `[?]`, see
/// [`super::fix_mark`]) after its severity. The mark goes there rather than
/// after the code so a problem matcher reading `CODE severity message` still
/// does; it then reads the mark as the start of the message.
pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for d in &outcome.diagnostics {
        out.push_str(&marked_line(outcome, d, super::fix_mark(d)));
        out.push('\n');
    }
    out
}
