//! BP216: a `present` or `created` entry whose identifiers match several
//! objects that certainly exist, so the importer acts on whichever it finds
//! first. BP106 judges the same identifiers on `state: absent` by the model's
//! unique keys alone; here a finding also needs two distinct known objects
//! (built-ins of the target release, objects of the set) that match the
//! literal identifier values, since an update of the wrong object is only
//! likely when the candidates are real.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::knowledge::unique::{identifies_uniquely, unique_keys, unique_keys_text};
use crate::model::State;
use crate::resolve::index::identifier_query;
use crate::resolve::{EntryFacts, FindQuery, Index, ObjId, Resolution};

rule! {
    pub struct AmbiguousIdentifiers {
        code: "BP216",
        name: "ambiguous-identifiers",
        severity: Warning,
        fix: None,
        summary: "An entry's identifiers match more than one existing object",
    }
}

/// How many matching objects the help names.
const NAMED: usize = 3;

impl Rule for AmbiguousIdentifiers {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        for (b, bp) in cx.blueprints.iter().enumerate() {
            if !cx.judges(b) {
                continue;
            }
            for entry in &bp.entries {
                // `must_created` fails on any match at all; `absent` is BP106's.
                if !matches!(entry.state, State::Present | State::Created) {
                    continue;
                }
                let Some(model) = entry.model.as_deref() else {
                    continue;
                };
                let fields: Vec<&str> = entry
                    .identifiers
                    .iter()
                    .map(|(k, _, _)| k.as_str())
                    .collect();
                if fields.is_empty() || identifies_uniquely(model, &fields) {
                    continue;
                }
                let Some(mut query) = identifier_query(model, entry) else {
                    continue;
                };
                // `Q(pk=...) | Q(rest...)`: every object the rest matches is a
                // candidate, whatever the pk names. (A `pk` alone identifies
                // uniquely, so the rest is never empty here.)
                query.conditions.retain(|(k, _)| k != "pk");
                let found = match cx.index.resolve_find_from(b, &query) {
                    Resolution::Found(found) if found.len() >= 2 => found,
                    _ => continue,
                };
                let matches = distinct_matches(cx.index, b, entry, model, &query, &found);
                if matches.len() < 2 {
                    continue;
                }
                out.push(report(cx, bp.file, entry, model, &query, &matches));
            }
        }
    }
}

fn report(
    cx: &SetCx<'_>,
    file: crate::diagnostic::FileId,
    entry: &EntryFacts,
    model: &str,
    query: &FindQuery,
    matches: &[ObjId],
) -> Diagnostic {
    let condition = query
        .conditions
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.as_deref().unwrap_or("?")))
        .collect::<Vec<_>>()
        .join(", ");
    let span = entry
        .identifiers
        .iter()
        .find(|(k, _, _)| k != "pk")
        .map_or(entry.span, |(_, _, span)| *span);
    let what = if entry.state == State::Created {
        "the importer creates nothing and takes whichever the database returns first as this \
         entry's object"
    } else {
        "the importer updates whichever the database returns first"
    };
    let mut named: Vec<String> = matches
        .iter()
        .take(NAMED)
        .map(|&obj| describe(cx, model, obj))
        .collect();
    if matches.len() > NAMED {
        named.push(format!("{} more", matches.len() - NAMED));
    }
    let example = matches
        .iter()
        .find_map(|&obj| unique_value(cx.index, model, obj))
        .map(|(field, value)| format!(", such as `{field}: {value}`"))
        .unwrap_or_default();
    let mut diag = Diagnostic::new(
        &META,
        file,
        span,
        format!(
            "`{condition}` matches {} existing `{model}` objects: {what}",
            matches.len()
        ),
    )
    .label("not a unique key")
    .help(format!(
        "it matches {}; which one is meant is for you to say: identify it by a unique key \
         of the model ({}){example}",
        crate::diagnostic::and_list(&named),
        unique_keys_text(model)
    ));
    for &obj in matches.iter().take(NAMED) {
        if let ObjId::Entry { bp, entry } = obj
            && let (Some(facts), Some(other)) = (cx.blueprints.get(bp), cx.index.entry(bp, entry))
        {
            diag = diag.related(facts.file, other.span, "this object matches too");
        }
    }
    diag
}

/// The matches that count, each certainly another object than the ones
/// before it.
fn distinct_matches(
    index: &Index<'_>,
    bp: usize,
    entry: &EntryFacts,
    model: &str,
    query: &FindQuery,
    found: &[ObjId],
) -> Vec<ObjId> {
    let mut kept: Vec<ObjId> = Vec::new();
    for &obj in found {
        if counts(index, bp, entry, model, query, obj)
            && kept.iter().all(|&k| distinct(index, model, k, obj))
        {
            kept.push(obj);
        }
    }
    kept
}

/// Whether a match is an object that exists when the entry applies and still
/// matches then.
fn counts(
    index: &Index<'_>,
    bp: usize,
    entry: &EntryFacts,
    model: &str,
    query: &FindQuery,
    obj: ObjId,
) -> bool {
    match obj {
        ObjId::Entry { bp: b, entry: e } => {
            if b == bp && e == entry.index {
                return false;
            }
            let Some(other) = index.entry(b, e) else {
                return false;
            };
            let fields: Vec<&str> = other
                .identifiers
                .iter()
                .map(|(k, _, _)| k.as_str())
                .collect();
            // An object the set certainly makes: applied without anyone's
            // help, unconditionally, and pinned by a unique key it writes (so
            // it is not some other object it happens to update).
            (b == bp || index.is_live(b))
                && !other.conditional
                && matches!(
                    other.state,
                    State::Present | State::Created | State::MustCreated
                )
                && other
                    .model
                    .as_deref()
                    .is_some_and(|m| identifies_uniquely(m, &fields))
        }
        ObjId::Builtin(_) => !changed_by_set(index, model, query, obj),
        ObjId::Assumed(_) => true,
    }
}

/// Whether an entry of the set updates the built-in `obj` and gives a
/// queried field another value, so the catalog's value no longer holds.
fn changed_by_set(index: &Index<'_>, model: &str, query: &FindQuery, obj: ObjId) -> bool {
    index.objects_of(model).into_iter().any(|candidate| {
        let ObjId::Entry { bp, entry } = candidate else {
            return false;
        };
        let Some(facts) = index.entry(bp, entry) else {
            return false;
        };
        let writes_other = query.conditions.iter().any(|(field, value)| {
            facts
                .field(field)
                .is_some_and(|have| have.lookup_str().as_deref() != value.as_deref())
        });
        writes_other && index.object_of_entry(bp, facts) == Some(obj)
    })
}

/// Whether two objects are certainly not the same row: a unique key known on
/// both differs, and none known on both is equal.
fn distinct(index: &Index<'_>, model: &str, a: ObjId, b: ObjId) -> bool {
    let mut differs = false;
    for key in unique_keys(model) {
        if key.as_slice() == ["pk"] {
            continue;
        }
        let values = |obj: ObjId| -> Option<Vec<String>> {
            key.iter().map(|f| index.field_of(obj, f)).collect()
        };
        if let (Some(x), Some(y)) = (values(a), values(b)) {
            if x == y {
                return false;
            }
            differs = true;
        }
    }
    differs
}

/// The first single-field unique key an object has a value for.
fn unique_value(index: &Index<'_>, model: &str, obj: ObjId) -> Option<(&'static str, String)> {
    unique_keys(model)
        .into_iter()
        .filter_map(|key| match key.as_slice() {
            [field] if *field != "pk" => Some(*field),
            _ => None,
        })
        .find_map(|field| Some((field, index.field_of(obj, field)?)))
}

/// A matching object for the help: `flow `slug` (built in)`, or one the set
/// creates with where.
fn describe(cx: &SetCx<'_>, model: &str, obj: ObjId) -> String {
    let short = model.rsplit('.').next().unwrap_or(model);
    let key = unique_value(cx.index, model, obj).map_or_else(|| "?".to_string(), |(_, v)| v);
    match obj {
        ObjId::Builtin(b) => format!("{short} `{key}` (built in, {})", b.source),
        ObjId::Assumed(_) => format!("{short} `{key}` (assumed in bplint.toml)"),
        ObjId::Entry { bp, entry } => {
            let path = cx
                .blueprints
                .get(bp)
                .map(|b| crate::source::display_path(&b.path))
                .unwrap_or_default();
            format!("{short} `{key}` (entry {} of {path})", entry + 1)
        }
    }
}
