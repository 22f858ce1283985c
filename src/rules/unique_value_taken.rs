//! BP219: an entry creates an object whose unique value (a name, a slug) another
//! object already holds: a built-in object of the release, or an object another
//! entry of the set defines under other identifiers. The serializer's unique
//! check refuses the create ("... with this name already exists").

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::model::State;
use crate::resolve::index::identifier_query;
use crate::resolve::{EntryFacts, FindQuery, ObjId, Resolution};

rule! {
    pub struct UniqueValueTaken {
        code: "BP219",
        name: "unique-value-taken",
        severity: Error,
        fix: None,
        summary: "An entry creates an object whose unique name or slug a built-in or another entry's object already holds",
    }
}

impl Rule for UniqueValueTaken {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(release) = cx.kb.serializers() else {
            return;
        };
        let mut memo = Memo::default();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            // A blueprint discovery does not instantiate applies only when another
            // asks for it: when, and whether, is not in the files.
            if !bp.instantiates || !cx.judges(b) {
                continue;
            }
            for entry in &bp.entries {
                let Some(model) = entry.model.as_deref() else {
                    continue;
                };
                // Whether the entry creates is a lookup in the set: asked only
                // of models with a unique field.
                let Some(serializer) = release
                    .model(model)
                    .filter(|s| s.fields.iter().any(|c| c.unique.is_some()))
                else {
                    continue;
                };
                if !creates(cx, &mut memo, b, entry) {
                    continue;
                }
                let by_pk = entry
                    .identifiers
                    .iter()
                    .any(|(k, _, _)| k == "pk" || k == "id");
                for check in serializer.fields {
                    let Some(unique_on) = check.unique else {
                        continue;
                    };
                    // The primary key and the identifiers' own lookups name the
                    // object; a value that is not plain text cannot be compared.
                    if unique_on == model
                        && entry.identifiers.len() == 1
                        && entry.identifiers[0].0 == check.name
                    {
                        // The entry looked its own model up by this very value
                        // and found nothing, so nothing holds it.
                        continue;
                    }
                    let Some(value) = entry.field(check.name).and_then(|v| v.lookup_key()) else {
                        continue;
                    };
                    let Some(span) = entry.field_span(check.name) else {
                        continue;
                    };
                    if let Some((holder, place)) =
                        holder(cx, &mut memo, b, entry, unique_on, check.name, &value)
                    {
                        let mut diag = Diagnostic::new(
                            &META,
                            bp.file,
                            span,
                            format!(
                                "`{}: {value}` is already held by {holder}, so creating this `{model}` fails",
                                check.name
                            ),
                        )
                        .label("already taken")
                        .help(format!(
                            "{}{}",
                            if by_pk {
                                "its `pk` names an object of the install it was exported from, \
                                 which no other install has, so there the entry creates; "
                            } else {
                                ""
                            },
                            format_args!(
                            "the importer refuses the entry (\"... with this {} already exists\") and \
                             applies nothing of this blueprint; to change that object, identify it \
                             by this `{}` in `identifiers`, or give this one another `{}`",
                            check.name, check.name, check.name
                        )));
                        if let Some((file, at)) = place {
                            diag = diag.related(
                                file,
                                at,
                                format!("`{}: {value}` is set here", check.name),
                            );
                        }
                        out.push(diag);
                    }
                }
            }
        }
    }
}

/// Whether the entry creates its object: it may (present, created, must_created),
/// applies unconditionally, its identifiers are all literal, and they name no
/// other object (a built-in, or an earlier entry's). The importer looks an object
/// up by `pk` OR the other identifiers together; a literal `pk` (a UUID copied
/// from an export) names no object on a fresh install unless an entry of the set
/// creates it, so an entry found by nothing else creates there.
fn creates(cx: &SetCx<'_>, memo: &mut Memo, b: usize, entry: &EntryFacts) -> bool {
    if entry.state == State::Absent || entry.conditional {
        return false;
    }
    let Some(model) = entry.model.as_deref() else {
        return false;
    };
    let Some(mut query) = identifier_query(model, entry) else {
        return false;
    };
    let pk: Vec<String> = query
        .conditions
        .iter()
        .filter(|(k, _)| k == "pk" || k == "id")
        .filter_map(|(_, v)| v.clone())
        .collect();
    query.conditions.retain(|(k, _)| k != "pk" && k != "id");
    if !pk.is_empty() && pk_created_elsewhere(cx, memo, &pk) {
        return false;
    }
    if query.conditions.is_empty() {
        return !pk.is_empty();
    }
    let itself = ObjId::Entry {
        bp: b,
        entry: entry.index,
    };
    match cx.index.resolve_find(&query) {
        Resolution::Found(objs) => objs.iter().all(|o| *o == itself),
        Resolution::NotFound => true,
        Resolution::Unknown => false,
    }
}

/// Whether another entry of the set gives the same literal `pk`, so the object
/// may exist when this entry runs (the set's pks are counted once per run).
fn pk_created_elsewhere(cx: &SetCx<'_>, memo: &mut Memo, pk: &[String]) -> bool {
    let counts = memo.pks.get_or_insert_with(|| {
        let mut counts = foldhash::HashMap::default();
        for bp in cx.blueprints {
            for other in &bp.entries {
                for (k, v, _) in &other.identifiers {
                    if let (true, Some(v)) = (k == "pk" || k == "id", v.lookup_key()) {
                        *counts.entry(v).or_insert(0) += 1;
                    }
                }
            }
        }
        counts
    });
    pk.iter().any(|p| counts.get(p).is_some_and(|n| *n > 1))
}

/// The objects that hold one unique value, each once, in set order: the
/// built-ins first found, then for each distinct object the first entry of the
/// set that defines it. Worked out once per value: a set that repeats a
/// blueprint (a file and the ConfigMap that ships it, or many copies) would
/// otherwise compare every copy with every other.
type Holders = Vec<(ObjId, Option<ObjId>)>;

#[derive(Default)]
struct Memo {
    holders: foldhash::HashMap<(String, String, String), Holders>,
    /// Literal `pk` identifiers and how many entries give each.
    pks: Option<foldhash::HashMap<String, usize>>,
}

fn holders<'m>(
    cx: &SetCx<'_>,
    memo: &'m mut Memo,
    unique_on: &str,
    field: &str,
    value: &str,
    span: crate::source::Span,
) -> &'m Holders {
    let key = (unique_on.to_string(), field.to_string(), value.to_string());
    memo.holders.entry(key).or_insert_with(|| {
        let query = FindQuery {
            model: unique_on.to_string(),
            conditions: vec![(field.to_string(), Some(value.to_string()))],
            value_spans: Vec::new(),
            span,
            refs: Vec::new(),
        };
        let Resolution::Found(objs) = cx.index.resolve_find(&query) else {
            return Vec::new();
        };
        let mut out: Holders = Vec::new();
        for &obj in objs.iter() {
            let object = match obj {
                ObjId::Builtin(_) => Some(obj),
                ObjId::Entry { bp, entry } => {
                    let Some(other) = cx.index.entry(bp, entry) else {
                        continue;
                    };
                    if other.state == State::Absent
                        || other.conditional
                        || !cx.blueprints[bp].instantiates
                    {
                        continue;
                    }
                    cx.index.object_of_entry(bp, other)
                }
                ObjId::Assumed(_) => continue,
            };
            if !out.iter().any(|(_, o)| *o == object) {
                out.push((obj, object));
            }
        }
        out
    })
}

/// The first object other than the entry's own that holds `field: value` among
/// the objects of `unique_on` (and its children), described for the message,
/// with where its value is written when an entry of the set holds it. Among two
/// entries of the set, the later one (in set order) is the one reported.
fn holder(
    cx: &SetCx<'_>,
    memo: &mut Memo,
    b: usize,
    entry: &EntryFacts,
    unique_on: &str,
    field: &str,
    value: &str,
) -> Option<(
    String,
    Option<(crate::diagnostic::FileId, crate::source::Span)>,
)> {
    let own = cx.index.object_of_entry(b, entry);
    for &(first, object) in holders(cx, memo, unique_on, field, value, entry.span) {
        match first {
            ObjId::Builtin(builtin) => {
                return Some((
                    format!("the built-in {} ({})", builtin.describe(), builtin.source),
                    None,
                ));
            }
            ObjId::Entry { bp, entry: e } => {
                // Two entries of one object are BP208's business, not a clash;
                // and of two objects the later one is reported.
                if object == own || (bp, e) >= (b, entry.index) {
                    continue;
                }
                let other = cx.index.entry(bp, e)?;
                let file = cx.blueprints[bp].file;
                let span = other.field_span(field).unwrap_or(other.span);
                let path = cx.blueprints[bp].path.display().to_string();
                return Some((
                    format!("the object entry {} of {path} defines", e + 1),
                    Some((file, span)),
                ));
            }
            ObjId::Assumed(_) => {}
        }
    }
    None
}
