//! BP209: an unquoted scalar PyYAML types differently than a reader expects, where
//! the field wants a string and the import still succeeds with other text (`0755`,
//! `1_000`, `12:30`). A boolean or a date there is rejected, and BP203's.

use super::edits::{alias_targets, at_anchor};
use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::resolve::typecheck::ProblemKind;
use foldhash::{HashSet, HashSetExt};

rule! {
    pub struct Yaml11ImplicitType {
        code: "BP209",
        name: "yaml11-implicit-type",
        severity: Warning,
        fix: Safe,
        summary: "An unquoted value PyYAML reads as a number where a string is meant",
    }
}

impl Rule for Yaml11ImplicitType {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let problems = cx.field_problems();
        if !problems.iter().any(|p| p.kind == ProblemKind::Yaml11) {
            return;
        }
        // A value written once under an anchor is one finding, on the anchor,
        // however many aliases repeat it.
        let aliases = alias_targets(cx.bp.root);
        let mut seen = HashSet::new();
        for problem in problems {
            if problem.kind != ProblemKind::Yaml11 {
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
                .label("not a string for PyYAML")
                .help(problem.help.clone());
            if let Some(quoted) = replacement {
                diag = diag.fix(Fix {
                    title: format!("quote it as {quoted}"),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span,
                        replacement: quoted,
                    }],
                });
            }
            out.push(diag);
        }
    }
}
