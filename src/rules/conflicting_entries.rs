//! BP208: the same object (model + identifiers) defined in two places with
//! different attrs.

use super::{Rule, SetCx};
use crate::diagnostic::{Diagnostic, RuleMeta, Severity};
use crate::model::State;
use crate::resolve::Val;
use std::collections::HashMap;

pub static META: RuleMeta = RuleMeta {
    code: "BP208",
    name: "conflicting-entries",
    severity: Severity::Warning,
    fix: None,
    summary: "The same object is defined twice with different attrs",
    doc: include_str!("../../rules/BP208-conflicting-entries.md"),
};

pub struct ConflictingEntries;

/// An object's identity: its model and sorted literal identifiers.
type ObjectKey = (String, Vec<(String, String)>);

impl Rule for ConflictingEntries {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut first: HashMap<ObjectKey, (usize, usize)> = HashMap::new();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for (e, entry) in bp.entries.iter().enumerate() {
                let Some(model) = &entry.model else { continue };
                if entry.state == State::Absent || entry.conditional || entry.attrs.is_empty() {
                    continue;
                }
                let Some(mut key) = entry
                    .identifiers
                    .iter()
                    .map(|(k, v, _)| Some((k.clone(), literal(v)?)))
                    .collect::<Option<Vec<_>>>()
                else {
                    continue;
                };
                if key.is_empty() {
                    continue;
                }
                key.sort();
                let Some(&(fb, fe)) = first.get(&(model.clone(), key.clone())) else {
                    first.insert((model.clone(), key), (b, e));
                    continue;
                };
                let earlier = &cx.blueprints[fb];
                let other = &earlier.entries[fe];
                // A blueprint applied by hand (`instantiate: "false"`) is meant to
                // override what the automatic ones set.
                let deliberate = fb != b
                    && (!(earlier.instantiates && bp.instantiates)
                        || earlier.entries_hash == bp.entries_hash);
                if other.attrs_hash == entry.attrs_hash || deliberate {
                    continue;
                }
                let where_ = if fb == b {
                    "earlier in this blueprint".to_string()
                } else {
                    format!("in {}", crate::source::display_path(&earlier.path))
                };
                let ids = key
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.push(
                    Diagnostic::new(
                        &META,
                        bp.file,
                        entry.span,
                        format!("`{model}` ({ids}) is also defined {where_}, with different attrs"),
                    )
                    .label("second definition")
                    .related(earlier.file, other.span, "first definition")
                    .help(
                        "whichever blueprint applies last wins, and the order is not guaranteed \
                         across files; keep one definition, or make the attrs agree",
                    ),
                );
            }
        }
    }
}

fn literal(v: &Val) -> Option<String> {
    match v {
        Val::Ref(r) => Some(format!("{r:?}")),
        other => other.lookup_key(),
    }
}
