//! BP007: two entries share an `id`.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use foldhash::{HashMap, HashMapExt};

rule! {
    pub struct DuplicateEntryId {
        code: "BP007",
        name: "duplicate-entry-id",
        severity: Error,
        fix: None,
        summary: "Two entries of a blueprint have the same `id`",
    }
}

impl Rule for DuplicateEntryId {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashMap::new();
        for entry in &cx.bp.entries {
            let (Some(id), Some(node)) = (entry.id(), entry.id) else {
                continue;
            };
            if let Some(first) = seen.insert(id, node.span) {
                out.push(
                    Diagnostic::new(
                        &META,
                        cx.file_id,
                        node.span,
                        format!("entry id `{id}` is already used by an earlier entry"),
                    )
                    .label("second entry with this id")
                    .related(cx.file_id, first, "first used here")
                    .help("`!KeyOf` resolves to whichever of them ran first; give each entry its own id"),
                );
            }
        }
    }
}
