//! BP224: an item of an entry's `conditions` whose value is fixed in the file (a
//! literal, or a `!Condition` of literals): it is always true, so it decides
//! nothing, or always false, so the entry is never applied.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::resolve::{Yield, yields};
use crate::yaml::Node;

rule! {
    pub struct ConstantCondition {
        code: "BP224",
        name: "constant-condition",
        severity: Warning,
        fix: None,
        summary: "A `conditions` item fixed in the file: always true (decides nothing) or always false (the entry never applies)",
    }
}

impl Rule for ConstantCondition {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for entry in &cx.bp.entries {
            let Some(items) = entry.conditions.and_then(Node::seq) else {
                continue;
            };
            for item in items {
                let Some(truth) = constant_truth(item) else {
                    continue;
                };
                let written = item.scalar_text().unwrap_or("this value");
                let (message, help) = if truth {
                    (
                        format!("the condition `{written}` is always true, so it decides nothing"),
                        "a condition is meant to be computed when the blueprint applies, e.g. \
                         `!Context enable_wiki` or `!Condition [AND, !Env WIKI_ENABLED, ...]`; \
                         remove it, or use the value that should decide",
                    )
                } else {
                    (
                        format!(
                            "the condition `{written}` is always false, so this entry is never \
                             applied"
                        ),
                        "remove the entry if it is meant to be off, or compute the condition \
                         (`!Context`, `!Env`) so it can be turned on",
                    )
                };
                out.push(
                    Diagnostic::new(&META, cx.file_id, item.value_span(), message)
                        .label(if truth { "always true" } else { "always false" })
                        .help(help),
                );
            }
        }
    }
}

/// Python's truth of a condition item whose value the file fixes: a plain
/// scalar (as PyYAML types it) or a list or mapping written out. Tags other
/// than core ones are computed when the blueprint applies: `None`.
fn constant_truth(node: &Node) -> Option<bool> {
    let node = node.resolved();
    if node.tag().is_some_and(|t| t.core_name().is_none()) {
        return None;
    }
    match yields(node) {
        Yield::Null => Some(false),
        Yield::Bool(b) => Some(b),
        Yield::Int(Some(i)) => Some(i != 0),
        Yield::Str(Some(s)) => Some(!s.is_empty()),
        Yield::List(Some(items)) => Some(!items.is_empty()),
        Yield::Map(Some(map)) => Some(map.pairs().next().is_some()),
        _ => None,
    }
}
