//! BP105: a flow asks for the password twice: its identification stage shows a
//! password field (`password_stage` set) and it also binds a password stage.

use super::{Rule, SetCx};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::State;
use crate::resolve::{ObjId, Ref, Resolution, Val};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};

rule! {
    pub struct DuplicatePasswordPrompt {
        code: "BP105",
        name: "duplicate-password-prompt",
        severity: Warning,
        fix: Unsafe,
        summary: "A flow asks for the password in its identification stage and again in a password stage",
    }
}

const STAGE_BINDING: &str = "authentik_flows.flowstagebinding";
const IDENTIFICATION: &str = "authentik_stages_identification.identificationstage";
const PASSWORD: &str = "authentik_stages_password.passwordstage";
const POLICY_BINDING: &str = "authentik_policies.policybinding";

/// A stage binding of interest: where it is and what it binds.
struct Bound {
    bp: usize,
    entry: usize,
    span: Span,
    kind: StageKind,
}

#[derive(PartialEq, Eq)]
enum StageKind {
    IdentificationWithPassword,
    Password,
}

impl Rule for DuplicatePasswordPrompt {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut flows: HashMap<String, Vec<Bound>> = HashMap::new();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if entry.model.as_deref() != Some(STAGE_BINDING) || entry.state == State::Absent {
                    continue;
                }
                let (Some(Val::Ref(target)), Some(Val::Ref(stage))) =
                    (entry.field("target"), entry.field("stage"))
                else {
                    continue;
                };
                let Some(kind) = stage_kind(cx, b, stage) else {
                    continue;
                };
                let Some(flow) = flow_key(cx, b, target) else {
                    continue;
                };
                flows.entry(flow).or_default().push(Bound {
                    bp: b,
                    entry: entry.index,
                    span: entry.field_span("stage").unwrap_or(entry.span),
                    kind,
                });
            }
        }
        let mut flagged: Vec<(usize, usize)> = Vec::new();
        for bound in flows.values() {
            let Some(identification) = bound
                .iter()
                .find(|b| b.kind == StageKind::IdentificationWithPassword)
            else {
                continue;
            };
            for password in bound.iter().filter(|b| b.kind == StageKind::Password) {
                if has_policies(cx, password) || flagged.contains(&(password.bp, password.entry)) {
                    continue;
                }
                flagged.push((password.bp, password.entry));
                let bp = &cx.blueprints[password.bp];
                let ident_bp = &cx.blueprints[identification.bp];
                let mut diag = Diagnostic::new(
                    &META,
                    bp.file,
                    password.span,
                    "this flow binds a password stage although its identification stage \
                         already asks for the password (`password_stage` is set)",
                )
                .label("second password prompt")
                .related(
                    ident_bp.file,
                    identification.span,
                    "identification stage with `password_stage`, bound here",
                )
                .help(
                    "remove this binding, or drop `password_stage` from the identification \
                         stage; if the stage must stay for some users, bind a policy to this \
                         binding that skips it when the password was already checked",
                );
                if let Some(lines) = bp
                    .entries
                    .get(password.entry)
                    .and_then(|e| e.edit_points.item_lines)
                {
                    diag = diag.fix(Fix {
                        title: "remove this entry".into(),
                        applicability: Applicability::Unsafe,
                        edits: vec![Edit {
                            span: lines,
                            replacement: String::new(),
                        }],
                    });
                }
                out.push(diag);
            }
        }
    }
}

/// What a binding's `stage` refers to, if it is one of the two kinds this rule
/// pairs.
fn stage_kind(cx: &SetCx<'_>, bp: usize, stage: &Ref) -> Option<StageKind> {
    let objs = cx.index.resolve_ref(bp, stage);
    let obj = *objs.first()?;
    match cx.index.model_of(obj)? {
        PASSWORD => Some(StageKind::Password),
        IDENTIFICATION => {
            let ObjId::Entry { bp, entry } = obj else {
                return None;
            };
            match cx.index.entry(bp, entry)?.field("password_stage") {
                None | Some(Val::Null) => None,
                Some(_) => Some(StageKind::IdentificationWithPassword),
            }
        }
        _ => None,
    }
}

/// A key naming the flow a binding targets, equal for every reference to it.
fn flow_key(cx: &SetCx<'_>, bp: usize, target: &Ref) -> Option<String> {
    match target {
        Ref::Find(query) => match cx.index.resolve_find(query) {
            Resolution::Found(objs) => Some(obj_key(*objs.first()?)),
            _ => Some(format!("{query:?}")),
        },
        Ref::KeyOf(_) => Some(obj_key(*cx.index.resolve_ref(bp, target).first()?)),
    }
}

fn obj_key(obj: ObjId) -> String {
    match obj {
        ObjId::Entry { bp, entry } => format!("entry {bp}/{entry}"),
        ObjId::Builtin(b) => format!("builtin {}", b.describe()),
        ObjId::Assumed(i) => format!("assumed {i}"),
    }
}

/// Whether a policy is bound to the stage binding (the shipped default flow skips
/// its password stage with one when the password was already checked).
fn has_policies(cx: &SetCx<'_>, binding: &Bound) -> bool {
    let bp = &cx.blueprints[binding.bp];
    let Some(id) = bp.entries.get(binding.entry).and_then(|e| e.id.as_deref()) else {
        return false;
    };
    bp.entries.iter().any(|e| {
        e.model.as_deref() == Some(POLICY_BINDING)
            && matches!(e.field("target"), Some(Val::Ref(Ref::KeyOf(target))) if target == id)
    })
}
