//! BP009: a `# bplint:` comment that suppresses nothing, names no rule, or is
//! malformed.

use super::Rule;
use crate::diagnostic::Diagnostic;

rule! {
    pub struct UnusedSuppression {
        code: "BP009",
        name: "unused-suppression",
        severity: Warning,
        fix: None,
        summary: "A suppression comment that suppresses nothing or names no rule",
    }
}

impl Rule for UnusedSuppression {}

/// The pipeline matches suppressions against the findings once every rule ran, so
/// it builds this rule's diagnostics itself.
pub fn diagnostic(
    file: crate::diagnostic::FileId,
    span: crate::source::Span,
    message: String,
) -> Diagnostic {
    Diagnostic::new(&META, file, span, message)
        .help("remove the comment, or fix the rule code so it names the finding on that line")
}
