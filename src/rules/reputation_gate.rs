//! BP107: a reputation policy on a flow-stage binding that makes visitors skip
//! authentication or locks them out.
//!
//! `ReputationPolicy.passes` returns `score <= threshold`: it passes only for a
//! bad reputation. On a flow-stage binding the binding's policies decide whether
//! the stage runs (`FlowPlanner._build_plan`, `ReevaluateMarker.process`), so an
//! un-negated policy runs the stage only for bad-reputation visitors and a
//! negated one only for everyone else. Which of the two harms depends on the stage.

use super::flow_reputation_policy::{drf_bool, is};
use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::model::State;
use crate::resolve::{EntryFacts, FindQuery, ObjId, Ref, Val};
use foldhash::{HashMap, HashMapExt};
use std::cell::OnceCell;

rule! {
    pub struct ReputationGateMisplaced {
        code: "BP107",
        name: "reputation-gate-misplaced",
        severity: Error,
        fix: None,
        summary: "A reputation policy on a stage binding lets visitors skip authentication or locks them out",
    }
}

const BINDING: &str = "authentik_policies.policybinding";
const FSB: &str = "authentik_flows.flowstagebinding";
const REPUTATION: &str = "authentik_policies_reputation.reputationpolicy";

/// The flow-stage binding a policy binding targets, as far as the set shows it.
struct Gate<'a> {
    /// The binding's entry, when the set defines it.
    entry: Option<(usize, &'a EntryFacts)>,
    /// What its `stage` is written as.
    stage: Option<(usize, Ref)>,
}

impl Rule for ReputationGateMisplaced {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        // How many active policy bindings target each object: built on the first
        // candidate, once, rather than a walk of the whole set per candidate.
        let targets: OnceCell<HashMap<String, usize>> = OnceCell::new();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if !active_binding(entry) {
                    continue;
                }
                let Some(negated) = drf_bool(entry.field("negate"), false) else {
                    continue;
                };
                let (Some(Val::Ref(target)), Some(Val::Ref(policy))) =
                    (entry.field("target"), entry.field("policy"))
                else {
                    continue;
                };
                if !is(cx, b, policy, REPUTATION) {
                    continue;
                }
                let Some(gate) = gate(cx, b, target) else {
                    continue;
                };
                let targets = || targets.get_or_init(|| binding_targets(cx));
                if !gate_evaluates(&gate) || !decides_alone(cx, b, target, &gate, targets) {
                    continue;
                }
                let Some((stage_bp, stage)) = &gate.stage else {
                    continue;
                };
                let Some(model) = stage_model(cx, *stage_bp, stage) else {
                    continue;
                };
                let Some(effect) = effect(&model, negated) else {
                    continue;
                };
                let span = entry.field_span("policy").unwrap_or(entry.span);
                let mut diag = Diagnostic::new(&META, bp.file, span, effect.message)
                    .label(if negated {
                        "negated: the stage runs only for a normal reputation"
                    } else {
                        "un-negated: the stage runs only for a bad reputation"
                    })
                    .help(effect.help);
                if let Some(target_span) = entry.field_span("target") {
                    diag = diag.related(
                        bp.file,
                        target_span,
                        format!(
                            "the binding of {} {} stage",
                            // "an MFA", "an identification", "a captcha".
                            if effect.stage.starts_with(['i', 'M']) {
                                "an"
                            } else {
                                "a"
                            },
                            effect.stage
                        ),
                    );
                }
                out.push(diag);
            }
        }
    }
}

struct Effect {
    stage: &'static str,
    message: &'static str,
    help: &'static str,
}

const ON_FLOW_OR_EXTRA: &str = "to block visitors with a bad reputation, bind the policy to the \
     flow with `negate: true`; to ask them for more, bind it un-negated to the binding of a \
     captcha or MFA stage placed after the password stage (Authentik's \
     flows-login-conditional-captcha.yaml example)";

/// What the stage's binding does with the policy, for the harmful placements.
fn effect(model: &str, negated: bool) -> Option<Effect> {
    let short = model.rsplit('.').next().unwrap_or(model);
    Some(match (short, negated) {
        ("passwordstage", false) => Effect {
            stage: "password",
            message: "the password stage runs only for visitors with a bad reputation: everyone \
                      else skips it, and the user-login stage signs them in without a password",
            help: ON_FLOW_OR_EXTRA,
        },
        ("passwordstage", true) => Effect {
            stage: "password",
            message: "the password stage is skipped for visitors with a bad reputation, who then \
                      sign in without a password; a visitor lowers their own score with failed \
                      attempts",
            help: ON_FLOW_OR_EXTRA,
        },
        ("identificationstage", false) => Effect {
            stage: "identification",
            message: "the identification stage runs only for visitors with a bad reputation: \
                      nobody else is identified, so their login cannot complete",
            help: ON_FLOW_OR_EXTRA,
        },
        ("userloginstage", false) => Effect {
            stage: "user-login",
            message: "the user-login stage runs only for visitors with a bad reputation: nobody \
                      else is ever signed in by this flow",
            help: ON_FLOW_OR_EXTRA,
        },
        ("denystage", true) => Effect {
            stage: "deny",
            message: "a negated reputation policy on a deny stage's binding runs the deny stage \
                      for every visitor with a normal reputation: it refuses everyone it should \
                      let in",
            help: "drop `negate: true`: un-negated, the deny stage runs only for visitors with a \
                   bad reputation",
        },
        ("authenticatorvalidatestage", true) => Effect {
            stage: "MFA",
            message: "the MFA stage is skipped for visitors with a bad reputation: the visitors \
                      who failed attempts get in with a password alone",
            help: "drop `negate: true` to ask only visitors with a bad reputation for MFA, or \
                   remove the binding to ask everyone",
        },
        ("captchastage", true) => Effect {
            stage: "captcha",
            message: "the captcha stage is skipped for visitors with a bad reputation, the \
                      visitors it is there to slow down",
            help: "drop `negate: true`: un-negated, the captcha runs only for visitors with a bad \
                   reputation",
        },
        _ => return None,
    })
}

/// A policy binding that exists after the apply and runs (`PolicyEngine` reads
/// only `enabled=True` bindings).
fn active_binding(entry: &EntryFacts) -> bool {
    entry.model.as_deref() == Some(BINDING)
        && entry.state != State::Absent
        && drf_bool(entry.field("enabled"), true) == Some(true)
}

/// The flow-stage binding `target` names, or `None` when it names something else
/// (a flow: BP104) or nothing bplint can follow.
fn gate<'a>(cx: &SetCx<'a>, b: usize, target: &Ref) -> Option<Gate<'a>> {
    let objects = cx.index.resolve_ref(b, target);
    if let [ObjId::Entry { bp, entry }] = &objects[..] {
        let facts = cx.index.entry(*bp, *entry)?;
        if facts.model.as_deref() != Some(FSB) {
            return None;
        }
        let stage = match facts.field("stage") {
            Some(Val::Ref(stage)) => Some((*bp, stage.clone())),
            _ => None,
        };
        return Some(Gate {
            entry: Some((*bp, facts)),
            stage,
        });
    }
    // `!Find [authentik_flows.flowstagebinding, [stage, !Find [...]], ...]` on a
    // binding the set does not define: follow its `stage` condition.
    let Ref::Find(query) = target else {
        return None;
    };
    if query.model != FSB || !objects.is_empty() {
        return None;
    }
    let stage = query
        .refs
        .iter()
        .find(|(field, _)| field == "stage")
        .map(|(_, stage)| (b, stage.clone()));
    Some(Gate { entry: None, stage })
}

/// Whether the binding's policies run at all: with `evaluate_on_plan` and
/// `re_evaluate_policies` both false the stage always runs. Defaults
/// (authentik/flows/models.py): false and true; a binding the set does not
/// define is taken to keep them.
fn gate_evaluates(gate: &Gate<'_>) -> bool {
    let Some((_, facts)) = gate.entry else {
        return true;
    };
    drf_bool(facts.field("evaluate_on_plan"), false) == Some(true)
        || drf_bool(facts.field("re_evaluate_policies"), true) == Some(true)
}

/// Whether the reputation policy alone decides the gate: no other active policy
/// binding of the set targets the same flow-stage binding, or its
/// `policy_engine_mode` is `all` (then the stage needs the reputation policy to
/// pass too). In the default `any` mode another passing policy would run the
/// stage anyway.
fn decides_alone<'t>(
    cx: &SetCx<'_>,
    b: usize,
    target: &Ref,
    gate: &Gate<'_>,
    targets: impl FnOnce() -> &'t HashMap<String, usize>,
) -> bool {
    if let Some((_, facts)) = gate.entry
        && matches!(facts.field("policy_engine_mode"), Some(Val::Str(mode)) if mode == "all")
    {
        return true;
    }
    // The binding itself is one of them.
    targets()
        .get(&target_key(cx, b, target))
        .is_none_or(|&count| count <= 1)
}

/// Every active policy binding of the set by the [`target_key`] of its target.
fn binding_targets(cx: &SetCx<'_>) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for (b, bp) in cx.blueprints.iter().enumerate() {
        for entry in bp.entries.iter().filter(|e| active_binding(e)) {
            if let Some(Val::Ref(target)) = entry.field("target") {
                *counts.entry(target_key(cx, b, target)).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// What a target reference names, comparable across blueprints: the object it
/// resolves to, or the query itself.
fn target_key(cx: &SetCx<'_>, b: usize, target: &Ref) -> String {
    match &cx.index.resolve_ref(b, target)[..] {
        [ObjId::Entry { bp, entry }] => format!("entry {bp} {entry}"),
        _ => match target {
            Ref::KeyOf(id) => format!("keyof {b} {id}"),
            Ref::Find(query) => query_key(query),
        },
    }
}

fn query_key(query: &FindQuery) -> String {
    let refs: Vec<String> = query
        .refs
        .iter()
        .map(|(field, r)| match r {
            Ref::KeyOf(id) => format!("{field}=keyof {id}"),
            Ref::Find(q) => format!("{field}=({})", query_key(q)),
        })
        .collect();
    format!("{} {:?} {:?}", query.model, query.conditions, refs)
}

/// The model of the stage a flow-stage binding's `stage` names: a `!Find` on a
/// stage model says it; otherwise the object it resolves to.
fn stage_model(cx: &SetCx<'_>, b: usize, stage: &Ref) -> Option<String> {
    if let Ref::Find(query) = stage
        && query.model.starts_with("authentik_stages_")
    {
        return Some(query.model.clone());
    }
    let objects = cx.index.resolve_ref(b, stage);
    let mut models = objects.iter().filter_map(|&o| cx.index.model_of(o));
    let first = models.next()?;
    models.all(|m| m == first).then(|| first.to_string())
}
