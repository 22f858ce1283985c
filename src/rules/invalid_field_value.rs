//! BP203: a value the serializer rejects or silently changes: wrong type (including
//! a YAML 1.1 boolean or date where a string is wanted), a value outside an enum, a
//! malformed duration or UUID.

use super::edits::{alias_targets, at_anchor};
use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::resolve::typecheck::ProblemKind;
use foldhash::{HashSet, HashSetExt};

rule! {
    pub struct InvalidFieldValue {
        code: "BP203",
        name: "invalid-field-value",
        severity: Error,
        fix: Unsafe,
        summary: "A value of the wrong type, outside an enum, or a malformed duration or UUID",
    }
}

impl Rule for InvalidFieldValue {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let problems = cx.field_problems();
        if !problems.iter().any(|p| p.kind == ProblemKind::Invalid) {
            return;
        }
        // One finding per node: a value under an anchor is reported (and fixed)
        // there, not at each alias.
        let aliases = alias_targets(cx.bp.root);
        let mut seen = HashSet::new();
        for problem in problems {
            if problem.kind != ProblemKind::Invalid {
                continue;
            }
            let (span, replacement) = at_anchor(
                &cx.file.text,
                &aliases,
                problem.span,
                problem.replacement.as_ref(),
                problem.quotes,
            );
            if !seen.insert(span) {
                continue;
            }
            let mut diag = Diagnostic::new(&META, cx.file_id, span, problem.message.clone())
                .help(problem.help.clone());
            if problem.quotes {
                diag = diag.label("not a string for PyYAML");
            }
            if let Some(replacement) = replacement {
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
                    edits: vec![Edit { span, replacement }],
                });
            }
            out.push(diag);
        }
    }
}
