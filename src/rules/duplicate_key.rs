//! BP002: a mapping key given twice; PyYAML silently keeps the last value.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;

rule! {
    pub struct DuplicateKeyRule {
        code: "BP002",
        name: "duplicate-key",
        severity: Error,
        fix: None,
        summary: "A mapping key is given twice and the first value is silently lost",
    }
}

impl Rule for DuplicateKeyRule {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let within = cx.bp.root.span;
        for dup in cx.duplicates.iter().filter(|d| within.contains(d.second)) {
            out.push(
                Diagnostic::new(
                    &META,
                    cx.file_id,
                    dup.second,
                    format!("key `{}` is given twice in the same mapping", dup.key),
                )
                .label("this value wins")
                .related(cx.file_id, dup.first, "this earlier value is silently dropped")
                .help("PyYAML keeps only the last value of a repeated key; delete or merge one of them"),
            );
        }
    }
}
