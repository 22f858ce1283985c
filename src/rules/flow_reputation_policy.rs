//! BP104: an un-negated reputation policy bound directly to a flow.
//!
//! `ReputationPolicy.passes` (authentik/policies/reputation/models.py) returns
//! `score <= threshold`: it passes only for a visitor whose reputation is already
//! bad. Bound to a flow without `negate`, the flow then applies to nobody else.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::model::State;
use crate::resolve::{Ref, Val};

rule! {
    pub struct FlowReputationPolicy {
        code: "BP104",
        name: "flow-reputation-policy",
        severity: Warning,
        fix: None,
        summary: "An un-negated reputation policy on a flow refuses every visitor with a normal reputation",
    }
}

const BINDING: &str = "authentik_policies.policybinding";
const FLOW: &str = "authentik_flows.flow";
const REPUTATION: &str = "authentik_policies_reputation.reputationpolicy";

impl Rule for FlowReputationPolicy {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if entry.model.as_deref() != Some(BINDING) || entry.state == State::Absent {
                    continue;
                }
                // Only a binding known to be active and un-negated: a tag or an
                // unreadable value is left alone.
                if drf_bool(entry.field("negate"), false) != Some(false)
                    || drf_bool(entry.field("enabled"), true) != Some(true)
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
                    "an un-negated reputation policy is bound to a flow: the policy passes only \
                     for visitors whose reputation is already bad, so every other visitor gets \
                     \"Flow does not apply to current user\"",
                )
                .label("passes only for a bad reputation")
                .help(
                    "to block addresses with a bad reputation, keep it on the flow and set \
                     `negate: true` on this binding; to ask only those visitors for more, bind \
                     it un-negated to the flow-stage binding of a captcha or MFA stage (as \
                     Authentik's example flows-login-conditional-captcha.yaml does). Never bind \
                     it to the password, identification or user-login stage's binding: the \
                     stage is then skipped for every visitor with a normal reputation",
                );
                if let Some(target_span) = entry.field_span("target") {
                    diag = diag.related(bp.file, target_span, "the target is a flow");
                }
                out.push(diag);
            }
        }
    }
}

/// A boolean field's value as DRF's `BooleanField.to_internal_value` reads it
/// (rest_framework/fields.py, 3.16 and later lower-case strings first): `true`,
/// `"yes"`, `"on"`, `"1"`, `1` are true; `false`, `"no"`, `"off"`, `"0"`, `0` are
/// false; a missing key is `default`. `None` for anything else (a tag, a value
/// the serializer refuses): the caller does not guess.
pub fn drf_bool(value: Option<&Val>, default: bool) -> Option<bool> {
    let Some(value) = value else {
        return Some(default);
    };
    match value {
        Val::Bool(b) => Some(*b),
        Val::Int(1) => Some(true),
        Val::Int(0) => Some(false),
        Val::Str(s) => match s.to_ascii_lowercase().as_str() {
            "t" | "y" | "yes" | "true" | "on" | "1" => Some(true),
            "f" | "n" | "no" | "false" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a reference names an object of `model`: a `!Find` on that model, or a
/// reference that resolves to one.
pub(super) fn is(cx: &SetCx<'_>, bp: usize, reference: &Ref, model: &str) -> bool {
    if let Ref::Find(query) = reference
        && query.model == model
    {
        return true;
    }
    cx.index
        .resolve_ref(bp, reference)
        .iter()
        .any(|&obj| cx.index.model_of(obj) == Some(model))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_read_as_drf_reads_them() {
        let s = |v: &str| Val::Str(v.to_string());
        assert_eq!(drf_bool(None, true), Some(true));
        assert_eq!(drf_bool(None, false), Some(false));
        assert_eq!(drf_bool(Some(&Val::Bool(true)), false), Some(true));
        for yes in ["true", "True", "yes", "YES", "on", "1", "t", "y"] {
            assert_eq!(drf_bool(Some(&s(yes)), false), Some(true), "{yes}");
        }
        for no in ["false", "no", "Off", "0", "f", "N"] {
            assert_eq!(drf_bool(Some(&s(no)), true), Some(false), "{no}");
        }
        assert_eq!(drf_bool(Some(&Val::Int(1)), false), Some(true));
        assert_eq!(drf_bool(Some(&Val::Int(0)), true), Some(false));
        assert_eq!(drf_bool(Some(&Val::Int(2)), false), None);
        assert_eq!(drf_bool(Some(&s("maybe")), false), None);
        assert_eq!(drf_bool(Some(&Val::Other), false), None);
        assert_eq!(drf_bool(Some(&Val::Null), false), None);
    }
}
