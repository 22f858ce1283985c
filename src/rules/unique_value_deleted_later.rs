//! BP112: an entry writes a unique value (a slug, a name, a `client_id`) that an
//! object deleted only by a later entry of the same blueprint still holds.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::knowledge::unique::unique_keys;
use crate::model::State;
use crate::resolve::{BlueprintFacts, EntryFacts, FindQuery, ObjId, Resolution};
use foldhash::{HashMap, HashMapExt};

rule! {
    pub struct UniqueValueDeletedLater {
        code: "BP112",
        name: "unique-value-deleted-later",
        severity: Error,
        fix: None,
        summary: "An entry writes a unique value that an object deleted further down still holds",
    }
}

/// Base models whose `name` (and, for sources, `slug`) is unique across all
/// their children: two models of one family cannot share the value.
const FAMILIES: &[&str] = &[
    "authentik_core.provider",
    "authentik_core.source",
    "authentik_core.propertymapping",
    "authentik_flows.stage",
    "authentik_policies.policy",
];

impl Rule for UniqueValueDeletedLater {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut memo = HashMap::new();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for (j, deleted) in bp.entries.iter().enumerate() {
                if deleted.state != State::Absent || deleted.conditional {
                    continue;
                }
                let Some(model) = deleted.model.as_deref() else {
                    continue;
                };
                let held = held_values(cx, b, deleted, model, &mut memo);
                if held.is_empty() {
                    continue;
                }
                for writer in &bp.entries[..j] {
                    if writer.state == State::Absent || writer.conditional {
                        continue;
                    }
                    check_writer(cx, bp, writer, deleted, model, &held, out);
                }
            }
        }
    }
}

/// `(field, value)` of single-field unique keys the deleted object holds: its
/// literal identifiers, plus what the set says of the objects they find (outside
/// this blueprint).
fn held_values(
    cx: &SetCx<'_>,
    b: usize,
    deleted: &EntryFacts,
    model: &str,
    memo: &mut HashMap<QueryKey, Vec<Holders>>,
) -> Vec<(String, String)> {
    let mut held: Vec<(String, String)> = Vec::new();
    let mut conditions = Vec::new();
    for (field, value, _) in &deleted.identifiers {
        let Some(value) = value.lookup_key() else {
            return Vec::new();
        };
        conditions.push((field.clone(), Some(value.clone())));
        held.push((field.clone(), value));
    }
    if conditions.is_empty() {
        return held;
    }
    let key = (model.to_string(), conditions);
    let holders = memo.entry(key).or_insert_with_key(|(model, conditions)| {
        let query = FindQuery {
            model: model.clone(),
            conditions: conditions.clone(),
            value_spans: Vec::new(),
            span: deleted.span,
            refs: Vec::new(),
        };
        holders(cx, &query)
    });
    // The found objects' values, in the order the objects first hold them
    // outside this blueprint.
    let mut found: Vec<(usize, &Holders)> = holders
        .iter()
        .filter_map(|h| Some((h.first_outside(b)?, h)))
        .collect();
    found.sort_by_key(|(at, _)| *at);
    for (_, h) in found {
        if !held.iter().any(|(f, v)| *f == h.field && *v == h.value) {
            held.push((h.field.clone(), h.value.clone()));
        }
    }
    held
}

/// A lookup as its answer depends on it: the model and the conditions.
type QueryKey = (String, Vec<(String, Option<String>)>);

/// A single-field unique value that objects a lookup finds hold, with the
/// first two places it occurs among them (object position, and the blueprint
/// of an entry; `None` for a built-in or assumed object): the second is the
/// first in another blueprint than the first's. A blueprint's deletion asks
/// whether some object outside it holds the value, and the set repeats the
/// same lookup in file after file, each finding the same thousands of copies.
struct Holders {
    field: String,
    value: String,
    first: (usize, Option<usize>),
    other: Option<(usize, Option<usize>)>,
}

impl Holders {
    /// Where the value first occurs outside blueprint `b`, if it does.
    fn first_outside(&self, b: usize) -> Option<usize> {
        if self.first.1 != Some(b) {
            Some(self.first.0)
        } else {
            self.other.map(|(at, _)| at)
        }
    }
}

fn holders(cx: &SetCx<'_>, query: &FindQuery) -> Vec<Holders> {
    let mut holders: Vec<Holders> = Vec::new();
    let Resolution::Found(objs) = cx.index.resolve_find(query) else {
        return holders;
    };
    for (at, &obj) in objs.iter().enumerate() {
        let bp = match obj {
            ObjId::Entry { bp, .. } => Some(bp),
            _ => None,
        };
        let Some(obj_model) = cx.index.model_of(obj) else {
            continue;
        };
        for key in unique_keys(obj_model).iter().filter(|k| k.len() == 1) {
            let Some(value) = cx.index.field_of(obj, key[0]) else {
                continue;
            };
            match holders
                .iter_mut()
                .find(|h| h.field == key[0] && h.value == value)
            {
                Some(h) => {
                    if h.other.is_none() && h.first.1 != bp {
                        h.other = Some((at, bp));
                    }
                }
                None => holders.push(Holders {
                    field: key[0].to_string(),
                    value,
                    first: (at, bp),
                    other: None,
                }),
            }
        }
    }
    holders
}

fn check_writer(
    cx: &SetCx<'_>,
    bp: &BlueprintFacts,
    writer: &EntryFacts,
    deleted: &EntryFacts,
    deleted_model: &str,
    held: &[(String, String)],
    out: &mut Vec<Diagnostic>,
) {
    let Some(model) = writer.model.as_deref() else {
        return;
    };
    let keys = unique_keys(model);
    for (field, value) in held {
        if !keys.iter().any(|k| k.len() == 1 && k[0] == field.as_str()) {
            continue;
        }
        if !same_family(cx, model, deleted_model, field) {
            continue;
        }
        if writer.field(field).and_then(|v| v.lookup_key()).as_ref() != Some(value) {
            continue;
        }
        let Some(span) = writer.field_span(field) else {
            continue;
        };
        // Only the same model: the importer looks the entry up in its own table.
        let identifies = model == deleted_model
            && writer
                .identifiers
                .iter()
                .any(|(k, v, _)| k == field && v.lookup_key().as_ref() == Some(value));
        let (message, help) = if identifies {
            (
                format!(
                    "this entry sets up the object with `{field}: {value}`, and entry {} \
                     further down deletes it again",
                    deleted.index + 1
                ),
                "entries apply in order, so the deletion undoes this entry on every apply; \
                 if the old object is meant to go and a new one to take its place, put the \
                 `state: absent` entry first",
            )
        } else {
            (
                format!(
                    "`{field}: {value}` is still taken when this entry runs: entry {} further \
                     down deletes the object holding it",
                    deleted.index + 1
                ),
                "entries apply in order in one transaction: creating this object fails on \
                 the unique value while the old one exists, and the whole blueprint rolls \
                 back; put the `state: absent` entry above this one",
            )
        };
        out.push(
            Diagnostic::new(&META, bp.file, span, message)
                .label("unique value still held by an object deleted later")
                .related(bp.file, deleted.span, "deleted here, after")
                .help(help),
        );
        return;
    }
}

/// Whether objects of `a` and `b` compete for the same `field` value: one
/// model, or children of a base model whose `name`/`slug` is unique.
fn same_family(cx: &SetCx<'_>, a: &str, b: &str, field: &str) -> bool {
    if a == b {
        return true;
    }
    if !matches!(field, "name" | "slug") {
        return false;
    }
    FAMILIES
        .iter()
        .any(|base| cx.kb.matches_model(a, base) && cx.kb.matches_model(b, base))
}
