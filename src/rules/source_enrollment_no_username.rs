//! BP123: an OAuth source whose type gives new users no username (Google,
//! Apple), enrolling them through a flow of the set that never asks for one.
//! The flow's user write stage stops on the empty username, so every new user
//! who signs in with the source fails to enroll.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::model::State;
use crate::resolve::{EntryFacts, ObjId, Ref, Resolution, Val};

rule! {
    pub struct SourceEnrollmentNoUsername {
        code: "BP123",
        name: "source-enrollment-no-username",
        severity: Warning,
        fix: None,
        summary: "An OAuth source whose type gives no username enrolls through a flow that never asks for one",
    }
}

const OAUTH_SOURCE: &str = "authentik_sources_oauth.oauthsource";
const BINDING: &str = "authentik_flows.flowstagebinding";
const POLICY_BINDING: &str = "authentik_policies.policybinding";
const USER_WRITE: &str = "authentik_stages_user_write.userwritestage";
const PROMPT_STAGE: &str = "authentik_stages_prompt.promptstage";
const PROMPT: &str = "authentik_stages_prompt.prompt";
const EXPRESSION_POLICY: &str = "authentik_policies_expression.expressionpolicy";

/// Where a reference of the set points.
enum Placed {
    Obj(ObjId),
    /// At nothing: a `!Find` that matches nothing, a `!KeyOf` without its entry
    /// (other rules report those; the importer never applies them).
    Nothing,
    /// Beyond bplint.
    Unknown,
}

fn place(cx: &SetCx<'_>, b: usize, value: Option<&Val>) -> Placed {
    let Some(Val::Ref(reference)) = value else {
        return Placed::Unknown;
    };
    match reference {
        Ref::Find(query) => match cx.index.resolve_find_from(b, query) {
            Resolution::NotFound => return Placed::Nothing,
            Resolution::Unknown => return Placed::Unknown,
            Resolution::Found(_) => {}
        },
        Ref::KeyOf(_) if cx.index.resolve_ref(b, reference).is_empty() => return Placed::Nothing,
        Ref::KeyOf(_) => {}
    }
    cx.index
        .object_of_ref(b, reference)
        .map_or(Placed::Unknown, Placed::Obj)
}

/// What the set shows of an enrollment flow.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    /// It creates users and nothing in it can give a username.
    NoUsername,
    /// It asks for one, does not create users, or bplint cannot tell.
    Fine,
}

impl Rule for SourceEnrollmentNoUsername {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if entry.model.as_deref() != Some(OAUTH_SOURCE)
                    || matches!(entry.state, State::Absent | State::Invalid)
                {
                    continue;
                }
                let Some(Val::Str(provider_type)) = entry.field("provider_type") else {
                    continue;
                };
                let Some((false, read)) =
                    crate::knowledge::source_types::gives_username(cx.kb.def.name, provider_type)
                else {
                    continue;
                };
                // A user property mapping may set the username.
                if ["user_property_mappings", "property_mappings"]
                    .iter()
                    .any(|f| {
                        !matches!(entry.field(f), None | Some(Val::Null))
                            && !is_empty_list(entry.field(f))
                    })
                {
                    continue;
                }
                let Some(Val::Ref(reference)) = entry.field("enrollment_flow") else {
                    continue;
                };
                let Some(flow) = cx.index.object_of_ref(b, reference) else {
                    continue;
                };
                if !matches!(flow, ObjId::Entry { .. }) || judge_flow(cx, flow) != Flow::NoUsername
                {
                    continue;
                }
                let span = entry.field_span("enrollment_flow").unwrap_or(entry.span);
                let flow_name = cx.index.field_of(flow, "slug").map_or_else(
                    || "the enrollment flow".to_string(),
                    |s| format!("enrollment flow `{s}`"),
                );
                let borrowed = if read == cx.kb.def.name {
                    String::new()
                } else {
                    format!(" (as Authentik {read}'s code says; bplint has not read newer code)")
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        bp.file,
                        span,
                        format!(
                            "new users who sign in with this `{provider_type}` source cannot \
                             enroll: the source type gives no username{borrowed}, and \
                             {flow_name} never asks for one, so its user write stage stops on \
                             the empty username"
                        ),
                    )
                    .label("no username for new users")
                    .help(
                        "bind a prompt stage that asks for `username` before the user write \
                         stage (Authentik's `default-source-enrollment` flow does), or give the \
                         source a user property mapping that returns a `username` (for example \
                         from `info.get(\"email\")`)",
                    ),
                );
            }
        }
    }
}

fn is_empty_list(value: Option<&Val>) -> bool {
    matches!(value, Some(Val::List(items)) if items.is_empty())
}

/// Whether the set's `flow` creates users with no way to get a username:
/// every stage bound to it is an entry of the set, one is a user write stage
/// that may create users, no prompt stage asks for `username`, and no policy
/// bound to the flow or its bindings could set one. Anything bplint cannot
/// follow makes the flow [`Flow::Fine`].
fn judge_flow(cx: &SetCx<'_>, flow: ObjId) -> Flow {
    let mut creates = false;
    let mut bindings: Vec<ObjId> = Vec::new();
    for (b, bp) in cx.blueprints.iter().enumerate() {
        for entry in &bp.entries {
            if entry.model.as_deref() != Some(BINDING) || entry.state == State::Absent {
                continue;
            }
            // A binding bplint cannot place may belong to this flow.
            match place(cx, b, entry.field("target")) {
                Placed::Obj(obj) if obj == flow => {}
                Placed::Obj(_) | Placed::Nothing => continue,
                Placed::Unknown => return Flow::Fine,
            }
            let (sb, se) = match place(cx, b, entry.field("stage")) {
                Placed::Obj(ObjId::Entry { bp, entry }) => (bp, entry),
                Placed::Nothing => continue,
                Placed::Obj(_) | Placed::Unknown => return Flow::Fine,
            };
            let Some(stage_entry) = cx.index.entry(sb, se) else {
                return Flow::Fine;
            };
            match stage_entry.model.as_deref() {
                Some(USER_WRITE) => {
                    if !matches!(
                        stage_entry.field("user_creation_mode"),
                        Some(Val::Str(mode)) if mode == "never_create"
                    ) {
                        creates = true;
                    }
                }
                Some(PROMPT_STAGE) => {
                    if asks_for_username(cx, sb, stage_entry) != Some(false) {
                        return Flow::Fine;
                    }
                }
                None => return Flow::Fine,
                Some(_) => {}
            }
            if let Some(binding) = cx.index.object_of_entry(b, entry) {
                bindings.push(binding);
            }
        }
    }
    if !creates || policy_may_set_username(cx, flow, &bindings) {
        return Flow::Fine;
    }
    Flow::NoUsername
}

/// Whether a prompt stage asks for `username`: `None` when its fields are
/// beyond bplint.
fn asks_for_username(cx: &SetCx<'_>, b: usize, stage: &EntryFacts) -> Option<bool> {
    let Some(Val::List(fields)) = stage.field("fields") else {
        return match stage.field("fields") {
            None | Some(Val::Null) => Some(false),
            _ => None,
        };
    };
    for field in fields {
        let Val::Ref(reference) = field else {
            return None;
        };
        let ObjId::Entry { bp, entry } = cx.index.object_of_ref(b, reference)? else {
            return None;
        };
        let prompt = cx.index.entry(bp, entry)?;
        if prompt.model.as_deref() != Some(PROMPT) {
            return None;
        }
        match prompt.field("field_key") {
            Some(Val::Str(key)) if key == "username" => return Some(true),
            Some(Val::Str(_)) => {}
            _ => return None,
        }
    }
    Some(false)
}

/// Whether a policy bound to the flow or one of its stage bindings could put a
/// username into the prompt data. Only an expression policy can write it; one
/// whose literal text never mentions `username` does not. A policy bplint
/// cannot read counts when its binding may target the flow.
fn policy_may_set_username(cx: &SetCx<'_>, flow: ObjId, bindings: &[ObjId]) -> bool {
    for (b, bp) in cx.blueprints.iter().enumerate() {
        for entry in &bp.entries {
            if entry.model.as_deref() != Some(POLICY_BINDING) || entry.state == State::Absent {
                continue;
            }
            let may_write = match place(cx, b, entry.field("policy")) {
                Placed::Obj(ObjId::Entry { bp: pb, entry: pe }) => {
                    match cx
                        .index
                        .entry(pb, pe)
                        .map(|p| (p.model.as_deref(), p.field("expression")))
                    {
                        Some((Some(EXPRESSION_POLICY), Some(Val::Str(text)))) => {
                            text.contains("username")
                        }
                        Some((Some(EXPRESSION_POLICY), _)) | Some((None, _)) | None => true,
                        Some((Some(_), _)) => false,
                    }
                }
                Placed::Nothing => false,
                Placed::Obj(_) | Placed::Unknown => true,
            };
            if !may_write {
                continue;
            }
            match place(cx, b, entry.field("target")) {
                Placed::Obj(obj) if obj != flow && !bindings.contains(&obj) => {}
                Placed::Nothing => {}
                Placed::Obj(_) | Placed::Unknown => return true,
            }
        }
    }
    false
}
