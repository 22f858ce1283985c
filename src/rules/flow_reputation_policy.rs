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
    summary: "A reputation policy is bound to a flow instead of a stage binding",
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
                    || matches!(entry.field("negate"), Some(Val::Bool(true)))
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
                    "a reputation policy is bound to a flow: it runs before anyone has typed a \
                     username",
                )
                .label("reputation policy on a flow")
                .help(
                    "bind it to the password stage's flow-stage binding instead (the policy \
                     binding's `target` is that `authentik_flows.flowstagebinding`); on the flow \
                     every visitor may get \"Flow does not apply to current user\"",
                );
                if let Some(target_span) = entry.field_span("target") {
                    diag = diag.related(bp.file, target_span, "the target is a flow");
                }
                out.push(diag);
            }
        }
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
