//! BP227: an expression policy that reads a name nothing gives it. Authentik
//! runs the policy as the body of a function whose parameters are the policy
//! context, with the evaluator's globals and Python's builtins
//! (authentik/lib/expression/evaluator.py, authentik/policies/expression/evaluator.py):
//! any other name raises `NameError` when its line runs, and the policy fails.

use super::fields::{self, ExpressionKind};
use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::knowledge::expressions::LineFacts;
use crate::resolve::expression;

rule! {
    pub struct ExpressionNameUndefined {
        code: "BP227",
        name: "expression-name-undefined",
        severity: Warning,
        fix: None,
        summary: "An expression reads a name that neither it nor Authentik defines",
    }
}

impl Rule for ExpressionNameUndefined {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(facts) = fields::expression_facts(cx) else {
            return;
        };
        let judged_by = facts.stand_in().map_or(String::new(), |read| {
            format!(
                " (as of Authentik {read}, the newest release whose code bplint has read, \
                 standing in for {})",
                cx.kb.def.name
            )
        });
        for (_, pair, kind) in fields::expressions(cx) {
            let Some(scalar) = pair.value.scalar() else {
                continue;
            };
            let names = cx.expression_names(scalar);
            let Some(names) = names.as_ref() else {
                continue;
            };
            for (name, place) in &names.free {
                let known = match kind {
                    ExpressionKind::Policy => facts.is_policy_name(name),
                    ExpressionKind::Mapping | ExpressionKind::Prompt => facts.is_mapping_name(name),
                };
                if known {
                    continue;
                }
                let Some(at) = expression::span_of(&pair.value, &cx.file.text, *place) else {
                    continue;
                };
                let (message, help) = match kind {
                    ExpressionKind::Policy => policy_finding(name, facts, &judged_by),
                    ExpressionKind::Mapping | ExpressionKind::Prompt => {
                        mapping_finding(name, kind, facts, &judged_by)
                    }
                };
                out.push(
                    Diagnostic::new(&META, cx.file_id, at, message)
                        .label("not defined")
                        .help(help),
                );
            }
        }
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn policy_finding(name: &str, facts: LineFacts, judged_by: &str) -> (String, String) {
    let close = crate::suggest::closest(name, facts.policy_suggestions());
    let first = match (name, close) {
        ("user", _) => "A policy gets the user as `request.user`.".to_string(),
        (_, Some(close)) => format!("Did you mean `{close}`?"),
        _ => "Assign it in the expression, or use a name the policy has.".to_string(),
    };
    (
        format!(
            "`{name}` is not defined in an expression policy: Python raises NameError when \
             this line runs, and the policy fails (Authentik records a policy exception and \
             applies the binding's failure result: deny, by default)"
        ),
        format!(
            "{first} A policy's own names are {}, besides Authentik's helpers \
             (`ak_is_group_member`, `regex_match`, `requests`, ...) and Python's \
             builtins{judged_by}",
            quoted(facts.policy_context())
        ),
    )
}

fn mapping_finding(
    name: &str,
    kind: ExpressionKind,
    facts: LineFacts,
    judged_by: &str,
) -> (String, String) {
    let own = facts.mapping_context();
    let (what, outcome) = match kind {
        ExpressionKind::Prompt => (
            "this prompt's expression",
            "Authentik logs a warning and shows the expression's own text in the field",
        ),
        _ => (
            "this property mapping",
            "Authentik records a property mapping exception and the value is missing",
        ),
    };
    let first = match crate::suggest::closest(name, own.iter().copied()) {
        Some(close) => format!("Did you mean `{close}`? "),
        None => String::new(),
    };
    (
        format!(
            "`{name}` is not defined in {what}, and no kind of property mapping is given it: \
             Python raises NameError when this line runs ({outcome})"
        ),
        format!(
            "{first}Every mapping has {}, besides Authentik's helpers and Python's builtins; \
             each kind adds its own (`token` and `provider` for OAuth scopes, `info` and \
             `properties` for sources, ...){judged_by}",
            quoted(own)
        ),
    )
}
