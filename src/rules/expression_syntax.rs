//! BP223: a policy or property-mapping expression that is not valid Python, as
//! Authentik compiles it (the body of a function). The serializer's
//! `validate_expression` compiles it and refuses the entry.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::resolve::expression;

rule! {
    pub struct ExpressionSyntax {
        code: "BP223",
        name: "expression-syntax",
        severity: Error,
        fix: None,
        summary: "A policy or property-mapping expression that is not valid Python",
    }
}

impl Rule for ExpressionSyntax {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for (_, field, pair, check) in super::fields::each_checked(cx) {
            // The fields whose serializer compiles them: `validate_expression`.
            if field.name != "expression" || check.validate_method.is_none() {
                continue;
            }
            // An expression whose names were read parsed: nothing to report.
            if pair
                .value
                .scalar()
                .is_some_and(|s| cx.expression_names(s).is_some())
            {
                continue;
            }
            let Some(problem) = expression::check(&pair.value, &cx.file.text) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &META,
                    cx.file_id,
                    problem.span,
                    format!(
                        "the expression is not valid Python (line {} of it): {}",
                        problem.line, problem.message
                    ),
                )
                .label("Python syntax error")
                .help(
                    "Authentik compiles the expression as the body of a function, so `return` \
                     may stand at the top level; fix the syntax, and write it as a literal \
                     block (`expression: |`) to keep its lines and indentation as written",
                ),
            );
        }
    }
}
