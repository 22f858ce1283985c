//! BP106: `state: absent` on identifiers that may match more than one object.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::knowledge::unique::{identifies_uniquely, unique_keys_text};
use crate::model::State;

rule! {
    pub struct AmbiguousAbsent {
        code: "BP106",
        name: "ambiguous-absent",
        severity: Warning,
        fix: None,
        summary: "An entry deletes by identifiers that are not a unique key",
    }
}

impl Rule for AmbiguousAbsent {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for entry in &cx.bp.entries {
            if entry.state() != State::Absent {
                continue;
            }
            let (Some(model), Some(identifiers)) = (entry.model_name(), entry.identifiers) else {
                continue;
            };
            if identifiers.tag().is_some() {
                continue;
            }
            let fields: Vec<&str> = identifiers.pairs().filter_map(|p| p.key.as_str()).collect();
            if fields.is_empty() || identifies_uniquely(&model, &fields) {
                continue;
            }
            let keys = unique_keys_text(&model);
            out.push(
                Diagnostic::new(
                    &META,
                    cx.file_id,
                    identifiers.span,
                    format!(
                        "this entry deletes by {}, which may match more than one `{model}`",
                        crate::diagnostic::and_list(
                            &fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>()
                        )
                    ),
                )
                .label("not a unique key")
                .help(if fields.contains(&"pk") {
                    format!(
                        "the importer matches `pk` OR the other identifiers together, and deletes \
                         the first object found; identify it by `pk` alone, or by a unique key of \
                         the model: {keys}"
                    )
                } else {
                    format!(
                        "the importer deletes the first object that matches; identify it by a \
                         unique key of the model: {keys}"
                    )
                }),
            );
        }
    }
}
