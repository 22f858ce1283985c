//! BP104: a reputation policy bound directly to a flow.

use super::{Rule, SetCx};
use crate::diagnostic::{Diagnostic, RuleMeta, Severity};
use crate::model::State;
use crate::resolve::{Ref, Val};

pub static META: RuleMeta = RuleMeta {
    code: "BP104",
    name: "flow-reputation-policy",
    severity: Severity::Warning,
    fix: None,
    summary: "A reputation policy bound to a flow without negate refuses every normal visitor",
    doc: include_str!("../../rules/BP104-flow-reputation-policy.md"),
};

const BINDING: &str = "authentik_policies.policybinding";
const FLOW: &str = "authentik_flows.flow";
const REPUTATION: &str = "authentik_policies_reputation.reputationpolicy";

pub struct FlowReputationPolicy;

impl Rule for FlowReputationPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if entry.model.as_deref() != Some(BINDING)
                    || entry.state == State::Absent
                    || entry.field("negate").is_some_and(drf_true)
                {
                    continue;
                }
                let (Some(Val::Ref(target)), Some(Val::Ref(policy))) =
                    (entry.field("target"), entry.field("policy"))
                else {
                    continue;
                };
                if !is(cx, b, target, FLOW) || !is(cx, b, policy, REPUTATION) {
                    continue;
                }
                let span = entry.field_span("policy").unwrap_or(entry.span);
                let mut diag = Diagnostic::new(
                    &META,
                    bp.file,
                    span,
                    "a reputation policy is bound to a flow without `negate`: it passes only \
                     for visitors with a bad reputation, so the flow refuses everyone else",
                )
                .label("reputation policy on a flow")
                .help(
                    "to block bad addresses, set `negate: true` on this binding; to challenge \
                     them, bind the policy (not negated) to the flow-stage binding of a captcha \
                     or MFA stage. Never bind it to the password, identification or user-login \
                     stage's binding: every visitor with a normal reputation would skip that \
                     stage",
                );
                if let Some(target_span) = entry.field_span("target") {
                    diag = diag.related(bp.file, target_span, "the target is a flow");
                }
                out.push(diag);
            }
        }
    }
}

/// Whether `negate` reads as true the way DRF's `BooleanField` reads it: `true`, `1`,
/// or one of the strings `t`, `y`, `yes`, `true`, `on`, `1` in any case
/// (rest_framework/fields.py, `BooleanField.TRUE_VALUES`).
fn drf_true(value: &Val) -> bool {
    match value {
        Val::Bool(b) => *b,
        Val::Int(i) => *i == 1,
        Val::Str(s) => matches!(
            s.to_ascii_lowercase().as_str(),
            "t" | "y" | "yes" | "true" | "on" | "1"
        ),
        _ => false,
    }
}

/// Whether a reference names an object of `model`: a `!Find` on that model, or a
/// reference that resolves to one.
fn is(cx: &SetCx<'_>, bp: usize, reference: &Ref, model: &str) -> bool {
    if let Ref::Find(query) = reference
        && query.model == model
    {
        return true;
    }
    cx.index
        .resolve_ref(bp, reference)
        .into_iter()
        .any(|obj| cx.index.model_of(obj) == Some(model))
}
