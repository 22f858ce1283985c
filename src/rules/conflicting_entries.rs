//! BP208: the same object (model + identifiers) defined in two places with
//! different attrs.

use super::{Rule, SetCx};
use crate::diagnostic::{Diagnostic, RuleMeta, Severity};
use crate::model::State;
use crate::resolve::Val;
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

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
/// The model and the sorted `(field, literal)` identifiers, borrowed from the
/// facts where the literal is a string already (one key per entry of the set).
type ObjectKey<'a> = (&'a str, Vec<(&'a str, Cow<'a, str>)>);

impl Rule for ConflictingEntries {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut first: HashMap<ObjectKey<'_>, (usize, usize)> = HashMap::new();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for (e, entry) in bp.entries.iter().enumerate() {
                let Some(model) = &entry.model else { continue };
                if entry.state == State::Absent || entry.conditional || entry.attrs.is_empty() {
                    continue;
                }
                let Some(mut key) = entry
                    .identifiers
                    .iter()
                    .map(|(k, v)| Some((k.as_str(), literal(v)?)))
                    .collect::<Option<Vec<_>>>()
                else {
                    continue;
                };
                if key.is_empty() {
                    continue;
                }
                key.sort();
                let (fb, fe, ids) = match first.entry((model.as_str(), key)) {
                    Entry::Vacant(slot) => {
                        slot.insert((b, e));
                        continue;
                    }
                    Entry::Occupied(slot) => {
                        let &(fb, fe) = slot.get();
                        let earlier = &cx.blueprints[fb];
                        // A blueprint applied by hand (`instantiate: "false"`) is
                        // meant to override what the automatic ones set.
                        let deliberate = fb != b
                            && (!(earlier.instantiates && bp.instantiates)
                                || earlier.entries_hash == bp.entries_hash);
                        if earlier.entries[fe].attrs_hash == entry.attrs_hash || deliberate {
                            continue;
                        }
                        let ids = slot
                            .key()
                            .1
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        (fb, fe, ids)
                    }
                };
                let earlier = &cx.blueprints[fb];
                let other = &earlier.entries[fe];
                let where_ = if fb == b {
                    "earlier in this blueprint".to_string()
                } else {
                    format!("in {}", crate::source::display_path(&earlier.path))
                };
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

fn literal(v: &Val) -> Option<Cow<'_, str>> {
    match v {
        Val::Ref(r) => Some(Cow::Owned(format!("{r:?}"))),
        other => other.lookup_str(),
    }
}
