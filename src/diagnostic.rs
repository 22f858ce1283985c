//! Diagnostics are data: a rule builds them, suppressions and severity overrides
//! filter them, and only a renderer in `report/` turns them into text.

use crate::source::Span;
use serde::Serialize;

/// Index of a file in the run's file table.
pub type FileId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Whether a fix may be applied without review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the blueprint's meaning apart from the problem it fixes.
    Safe,
    /// Changes behaviour a human should confirm (`--unsafe-fixes`).
    Unsafe,
}

/// Replace the text of `span` with `replacement` (an insertion when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// A secondary location, possibly in another file.
#[derive(Debug, Clone)]
pub struct Related {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// Static facts about a rule: its public identity and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code, `BP101`.
    pub code: &'static str,
    /// Stable kebab-case name, `missing-invalidation-flow`.
    pub name: &'static str,
    pub severity: Severity,
    /// Fix the rule offers, if any.
    pub fix: Option<Applicability>,
    /// One line for `bplint rules`.
    pub summary: &'static str,
    /// The full doc (`rules/<code>-<name>.md`).
    pub doc: &'static str,
}

impl RuleMeta {
    /// The doc without its closing `## Notes for maintainers` (where a behaviour
    /// was read in Authentik's source, real occurrences): what users read in a
    /// code-scanning dashboard.
    pub fn user_doc(&self) -> &'static str {
        match self.doc.find("\n## Notes for maintainers") {
            Some(at) => &self.doc[..=at],
            None => self.doc,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub file: FileId,
    pub span: Span,
    pub message: String,
    /// Text for the label on the span (defaults to the message).
    pub label: Option<String>,
    pub help: Option<String>,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
    /// What kind of object (`provider`, `flow`) the finding breaks only when its
    /// entry creates it: where the object exists already, the entry updates it
    /// and the finding does not hold. `bplint upgrade` counts these apart.
    pub only_on_create: Option<&'static str>,
}

/// Whether `d` fails the run: an error always, a warning under
/// `--deny-warnings`. The exit code and JUnit's failed cases both ask this, so a
/// report never disagrees with the status it comes with.
pub fn fails_run(d: &Diagnostic, deny_warnings: bool) -> bool {
    match d.severity {
        Severity::Error => true,
        Severity::Warning => deny_warnings,
    }
}

impl Diagnostic {
    pub fn new(meta: &RuleMeta, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code: meta.code,
            rule: meta.name,
            severity: meta.severity,
            file,
            span,
            message: message.into(),
            label: None,
            help: None,
            related: Vec::new(),
            fix: None,
            only_on_create: None,
        }
    }

    /// Marks a finding that holds only when the entry creates its object, a
    /// `kind` of object (`provider`).
    pub fn only_on_create(mut self, kind: &'static str) -> Self {
        self.only_on_create = Some(kind);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}

/// Items as a sentence lists them: `a`, `a and b`, `a, b and c`.
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

/// `rest` as the sentence after a question (`did you mean `x`?`): its first
/// letter capitalised, so a message never reads "?;" or "? the".
pub fn after_question(question: &str, rest: &str) -> String {
    if rest.is_empty() {
        return question.to_string();
    }
    format!("{question} {}", capitalized(rest))
}

/// `text` with its first letter in upper case, for a sentence that follows one
/// ending in `.` or `?`.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["`a`"]), "`a`");
        assert_eq!(and_list(&["`a`", "`b`"]), "`a` and `b`");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn the_sentence_after_a_question_starts_with_a_capital() {
        assert_eq!(
            after_question("did you mean `x`?", "the importer stops"),
            "did you mean `x`? The importer stops"
        );
        assert_eq!(
            after_question("did you mean `x`?", "`!Find` runs"),
            "did you mean `x`? `!Find` runs"
        );
        assert_eq!(after_question("did you mean `x`?", ""), "did you mean `x`?");
    }
}
