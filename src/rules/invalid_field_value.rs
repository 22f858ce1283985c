//! BP203: a value the serializer rejects or silently changes: wrong type (including
//! a YAML 1.1 boolean or date where a string is wanted), a value outside an enum, a
//! malformed duration or UUID.

use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, RuleMeta, Severity};
use crate::resolve::typecheck::ProblemKind;

pub static META: RuleMeta = RuleMeta {
    code: "BP203",
    name: "invalid-field-value",
    severity: Severity::Error,
    fix: Some(Applicability::Unsafe),
    summary: "A value of the wrong type, outside an enum, or a malformed duration or UUID",
    doc: include_str!("../../rules/BP203-invalid-field-value.md"),
};

pub struct InvalidFieldValue;

impl Rule for InvalidFieldValue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for problem in cx.field_problems() {
            if problem.kind != ProblemKind::Invalid {
                continue;
            }
            let mut diag =
                Diagnostic::new(&META, cx.file_id, problem.span, problem.message.clone())
                    .help(problem.help.clone());
            if problem.quotes {
                diag = diag.label("not a string for PyYAML");
            }
            if let Some(replacement) = &problem.replacement {
                // Quoting keeps the text as written: safe. Other replacements
                // (a suggested enum value, a trimmed duration) are guesses.
                let (title, applicability) = if problem.quotes {
                    (format!("quote it as {replacement}"), Applicability::Safe)
                } else {
                    (
                        format!("replace with `{replacement}`"),
                        Applicability::Unsafe,
                    )
                };
                diag = diag.fix(Fix {
                    title,
                    applicability,
                    edits: vec![Edit {
                        span: problem.span,
                        replacement: replacement.clone(),
                    }],
                });
            }
            out.push(diag);
        }
    }
}
