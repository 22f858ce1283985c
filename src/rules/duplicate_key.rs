//! BP002: a mapping key given twice; PyYAML silently keeps the last value.

use super::{BlueprintCx, Rule};
use crate::diagnostic::{Diagnostic, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    code: "BP002",
    name: "duplicate-key",
    severity: Severity::Error,
    fix: None,
    summary: "A mapping key is given twice and the first value is silently lost",
    doc: include_str!("../../rules/BP002-duplicate-key.md"),
};

pub struct DuplicateKeyRule;

impl Rule for DuplicateKeyRule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

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
