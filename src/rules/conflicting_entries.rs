//! BP208: two entries set the same field of one object to different values.
//!
//! Within a blueprint, "the same object" is what the importer's query finds
//! (`EntryFacts::updates`): entries apply in order, so a later entry updates the
//! object an earlier one made. Across files, it is the same model with the same
//! literal identifiers, and the order between files is not guaranteed.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::model::State;
use crate::resolve::{BlueprintFacts, EntryFacts, Ref, Val};
use foldhash::{HashMap, HashMapExt, HashSet};
use std::borrow::Cow;
use std::collections::hash_map::Entry;

rule! {
    pub struct ConflictingEntries {
        code: "BP208",
        name: "conflicting-entries",
        severity: Warning,
        fix: None,
        summary: "The same object is defined twice with different attrs",
    }
}

/// The model and the sorted `(field, literal)` identifiers, borrowed from the
/// facts where the literal is a string already (one key per entry of the set).
type ObjectKey<'a> = (&'a str, Vec<(&'a str, Cow<'a, str>)>);

impl Rule for ConflictingEntries {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        for (b, bp) in cx.blueprints.iter().enumerate() {
            if cx.judges(b) {
                within_blueprint(bp, out);
            }
        }
        across_files(cx, out);
    }
}

/// Whether an entry takes part: it writes attributes unconditionally.
fn compared(entry: &EntryFacts) -> bool {
    entry.model.is_some()
        && entry.state != State::Absent
        && !entry.conditional
        && !entry.attrs.is_empty()
}

/// Each entry against the latest earlier entry whose object it updates.
fn within_blueprint(bp: &BlueprintFacts, out: &mut Vec<Diagnostic>) {
    // Earlier entries by (model, field, value) of every literal field they
    // write, and by id: the candidates a query can find, without comparing
    // each entry with every one before it.
    let mut by_value: HashMap<(&str, &str, Cow<'_, str>), Vec<usize>> = HashMap::new();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    // Only the fields an entry looks up by are asked for: the others need no
    // place in `by_value` (most attributes of most entries).
    let looked_up: HashSet<(&str, &str)> = bp
        .entries
        .iter()
        .filter(|e| compared(e))
        .filter_map(|e| Some((e.model.as_deref()?, lookup_pair(e)?.0)))
        .collect();
    for (i, entry) in bp.entries.iter().enumerate() {
        let Some(model) = entry.model.as_deref() else {
            continue;
        };
        if compared(entry) {
            let candidates: Vec<usize> = match lookup_pair(entry) {
                Some((field, value)) => by_value
                    .get(&(model, field, value))
                    .cloned()
                    .unwrap_or_default(),
                None => match entry.identifiers.iter().find(|(k, _, _)| k == "pk") {
                    Some((_, Val::Ref(Ref::KeyOf(id)), _)) => {
                        by_id.get(id.as_str()).copied().into_iter().collect()
                    }
                    _ => Vec::new(),
                },
            };
            let earlier = candidates
                .iter()
                .rev()
                .map(|&j| &bp.entries[j])
                .find(|e| compared(e) && entry.updates(e));
            if let Some(earlier) = earlier {
                let keys = entry.conflicting_keys(earlier);
                if !keys.is_empty() {
                    out.push(
                        Diagnostic::new(
                            &META,
                            bp.file,
                            entry.span,
                            format!(
                                "this entry updates the `{model}` an earlier entry of this \
                                 blueprint defines, and sets {} to {}",
                                list(&keys),
                                if keys.len() == 1 {
                                    "another value"
                                } else {
                                    "other values"
                                }
                            ),
                        )
                        .label("second definition")
                        .related(bp.file, earlier.span, "first definition")
                        .help(format!(
                            "entries of a blueprint apply in order, so the later {} of {} {} \
                             every time; keep one of them, or make them agree",
                            if keys.len() == 1 { "value" } else { "values" },
                            list(&keys),
                            if keys.len() == 1 {
                                "replaces the earlier one"
                            } else {
                                "replace the earlier ones"
                            }
                        )),
                    );
                }
            }
        }
        if entry.state == State::Absent {
            continue;
        }
        if let Some(id) = entry.id.as_deref() {
            by_id.entry(id).or_insert(i);
        }
        for (field, value, _) in entry.identifiers.iter().chain(&entry.attrs) {
            if !looked_up.contains(&(model, field.as_str())) {
                continue;
            }
            if let Some(value) = literal(value) {
                let slot = by_value.entry((model, field.as_str(), value)).or_default();
                if slot.last() != Some(&i) {
                    slot.push(i);
                }
            }
        }
    }
}

/// The first non-`pk` identifier with a literal value: the object a query
/// finds must have this value.
fn lookup_pair(entry: &EntryFacts) -> Option<(&str, Cow<'_, str>)> {
    entry
        .identifiers
        .iter()
        .filter(|(k, _, _)| k != "pk")
        .find_map(|(k, v, _)| Some((k.as_str(), literal(v)?)))
}

fn list(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    crate::diagnostic::and_list(&quoted)
}

/// Entries of different blueprints with the same model and literal identifiers.
fn across_files(cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
    let entries = cx.blueprints.iter().map(|bp| bp.entries.len()).sum();
    let mut first: HashMap<ObjectKey<'_>, (usize, usize)> = HashMap::with_capacity(entries);
    for (b, bp) in cx.blueprints.iter().enumerate() {
        for (e, entry) in bp.entries.iter().enumerate() {
            let Some(model) = &entry.model else { continue };
            if !compared(entry) {
                continue;
            }
            let Some(mut key) = entry
                .identifiers
                .iter()
                .map(|(k, v, _)| Some((k.as_str(), literal(v)?)))
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
                    // Within a blueprint, `within_blueprint` judges.
                    if fb == b || !cx.judges(b) {
                        continue;
                    }
                    let earlier = &cx.blueprints[fb];
                    // A blueprint applied by hand (`instantiate: "false"`) is
                    // meant to override what the automatic ones set.
                    let deliberate = !(earlier.instantiates && bp.instantiates)
                        || earlier.entries_hash == bp.entries_hash;
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
            // Keys only one of them sets end the same whichever applies last.
            let keys = entry.conflicting_keys(other);
            if keys.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    bp.file,
                    entry.span,
                    format!(
                        "`{model}` ({ids}) is also defined in {}, with {} of {}",
                        crate::source::display_path(&earlier.path),
                        if keys.len() == 1 {
                            "another value"
                        } else {
                            "other values"
                        },
                        list(&keys)
                    ),
                )
                .label("second definition")
                .related(earlier.file, other.span, "first definition")
                .help(
                    "whichever blueprint applies last wins, and the order is not guaranteed \
                     across files; keep one definition, or make the values agree",
                ),
            );
        }
    }
}

/// A value as a key for "the same value": a literal as Django compares it, a
/// reference by what it names (not where it is written).
fn literal(v: &Val) -> Option<Cow<'_, str>> {
    match v {
        Val::Ref(Ref::KeyOf(id)) => Some(Cow::Owned(format!("!KeyOf {id}"))),
        Val::Ref(Ref::Find(q)) => {
            let conditions: String = q
                .conditions
                .iter()
                .map(|(field, value)| format!(", [{field}, {}]", shown(value.as_deref())))
                .collect();
            Some(Cow::Owned(format!("!Find [{}{conditions}]", q.model)))
        }
        other => other.lookup_str(),
    }
}

/// A `!Find` condition's value as the message shows it (and as the key that
/// tells two lookups apart): plain when it is a simple word, JSON-quoted when
/// it holds anything that could blur where it ends, `?` for a value bplint
/// cannot evaluate (a tag).
fn shown(value: Option<&str>) -> String {
    match value {
        None => "?".to_string(),
        Some(v)
            if !v.is_empty()
                && v.chars().all(|c| {
                    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '@')
                }) =>
        {
            v.to_string()
        }
        Some(v) => serde_json::to_string(v).unwrap_or_default(),
    }
}
