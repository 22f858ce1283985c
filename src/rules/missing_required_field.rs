//! BP204: an entry that creates an object leaves out a field the serializer
//! requires on create.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::knowledge::versions::requires_invalidation_flow;
use crate::model::State;

rule! {
    pub struct MissingRequiredField {
        code: "BP204",
        name: "missing-required-field",
        severity: Error,
        fix: None,
        summary: "An entry that creates an object lacks a required field",
    }
}

impl Rule for MissingRequiredField {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for entry in &cx.bp.entries {
            let Some(name) = entry.model_name() else {
                continue;
            };
            let Some(model) = cx.kb.model(&name) else {
                continue;
            };
            if !model.required_known
                || entry.state() == State::Absent
                // BP003 reports the malformed or misspelt part, and the field is
                // most likely written there.
                || entry.fields_unreadable()
                || entry.attrs.is_some_and(|a| a.tag().is_some())
                || entry
                    .identifiers
                    .is_some_and(|i| i.tag().is_some() || i.get("pk").is_some())
            {
                continue;
            }
            let missing: Vec<&str> = model
                .fields
                .iter()
                .filter(|f| f.required && entry.field(f.name).is_none())
                // BP101 reports this one with its own fix.
                .filter(|f| {
                    f.name != "invalidation_flow"
                        || !requires_invalidation_flow(&name, cx.kb.version)
                })
                .map(|f| f.name)
                .collect();
            // Asked only for entries that would be reported: it compares the
            // entry with every earlier one of its model.
            if missing.is_empty() || crate::resolve::local::exists_before(cx.kb, cx.bp, entry) {
                continue;
            }
            let list = crate::diagnostic::and_list(
                &missing.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>(),
            );
            out.push(
                Diagnostic::new(
                    &META,
                    cx.file_id,
                    entry.anchor_span(),
                    format!(
                        "`{name}` requires {list} when the entry creates the object (Authentik {})",
                        cx.kb.def.name
                    ),
                )
                .only_on_create(crate::knowledge::object_kind(model.name))
                .label(format!("missing {list}"))
                .help(format!(
                    "add {list} under `attrs`; an existing object is updated partially, so the \
                     blueprint may apply where the object exists and fail on a fresh install \
                     with \"This field is required.\""
                )),
            );
        }
    }
}
