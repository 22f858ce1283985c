//! BP227: an expression policy that reads a name nothing gives it. Authentik
//! runs the policy as the body of a function whose parameters are the policy
//! context, with the evaluator's globals and Python's builtins
//! (authentik/lib/expression/evaluator.py, authentik/policies/expression/evaluator.py):
//! any other name raises `NameError` when its line runs, and the policy fails.

use super::fields::{self, ExpressionKind};
use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::knowledge::expressions;
use crate::resolve::expression;

rule! {
    pub struct ExpressionNameUndefined {
        code: "BP227",
        name: "expression-name-undefined",
        severity: Warning,
        fix: None,
        summary: "An expression policy reads a name that neither it nor Authentik defines",
    }
}

impl Rule for ExpressionNameUndefined {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        if cx.kb.outside_known().is_some() {
            return;
        }
        let Some(facts) = expressions::for_line(cx.kb.def.name) else {
            return;
        };
        let mut known: Option<std::collections::HashSet<&str>> = None;
        for (_, pair, kind) in fields::expressions(cx) {
            // A property mapping's context depends on its kind and caller;
            // only the policy context is fixed (see the rule doc).
            if kind != ExpressionKind::Policy {
                continue;
            }
            let Some(scalar) = pair.value.scalar() else {
                continue;
            };
            let Some(names) = expression::names(&scalar.value) else {
                continue;
            };
            let known = known.get_or_insert_with(|| facts.policy_names().collect());
            for (name, place) in &names.free {
                if known.contains(name.as_str()) {
                    continue;
                }
                let Some(at) = expression::span_of(&pair.value, &cx.file.text, *place) else {
                    continue;
                };
                let close = crate::suggest::closest(
                    name,
                    known.iter().copied().filter(|n| !n.starts_with('_')),
                );
                let first = match (name.as_str(), close) {
                    ("user", _) => "A policy gets the user as `request.user`.".to_string(),
                    (_, Some(close)) => format!("Did you mean `{close}`?"),
                    _ => "Assign it in the expression, or use a name the policy has.".to_string(),
                };
                let judged_by = facts.stand_in().map_or(String::new(), |read| {
                    format!(
                        " (as of Authentik {read}, the newest release whose code bplint has \
                         read, standing in for {})",
                        cx.kb.def.name
                    )
                });
                let help = format!(
                    "{first} A policy's own names are {}, besides Authentik's helpers \
                     (`ak_is_group_member`, `regex_match`, `requests`, ...) and Python's \
                     builtins{judged_by}",
                    facts
                        .policy_context()
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                out.push(
                    Diagnostic::new(
                        &META,
                        cx.file_id,
                        at,
                        format!(
                            "`{name}` is not defined in an expression policy: Python raises \
                             NameError when this line runs, and the policy fails (Authentik \
                             records a policy exception and applies the binding's failure \
                             result: deny, by default)"
                        ),
                    )
                    .label("not defined")
                    .help(help),
                );
            }
        }
    }
}
