//! BP114: a many-to-many list (an outpost's `providers`, `property_mappings`, a
//! group's `users`) set on an object that other places also give members: the
//! apply replaces the whole list and drops theirs.

use super::{Rule, SetCx};
use crate::diagnostic::{Diagnostic, FileId};
use crate::knowledge::builtin_links::MEMBERS;
use crate::knowledge::{StrFormat, Ty};
use crate::model::State;
use crate::resolve::{EntryFacts, FindQuery, ObjId, Ref, Resolution, Val};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};

rule! {
    pub struct ListReplacesMembers {
        code: "BP114",
        name: "list-replaces-members",
        severity: Warning,
        fix: None,
        summary: "A many-to-many list replaces members that other places give the object",
    }
}

/// The two sides of the user/group membership: setting one side changes the other.
const REVERSE: &[(&str, &str, &str, &str)] = &[
    (
        "authentik_core.user",
        "groups",
        "authentik_core.group",
        "users",
    ),
    (
        "authentik_core.group",
        "users",
        "authentik_core.user",
        "groups",
    ),
];

/// A member, as one key for every way of naming it, and as users read it.
#[derive(Clone)]
struct Member {
    key: String,
    shown: String,
}

/// Where members of one list come from.
enum Source {
    /// The entry's own list attribute.
    List {
        bp: usize,
        entry: usize,
        span: Span,
    },
    /// An entry on the other side of a membership (a user's `groups`).
    Reverse {
        bp: usize,
        entry: usize,
        span: Span,
    },
    Install(&'static str),
}

struct Assignment {
    source: Source,
    members: Vec<Member>,
    /// Only a `present` entry without conditions writes its list on every apply.
    writes: bool,
}

impl Rule for ListReplacesMembers {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        out.extend(findings(cx, &|_, _| true).into_iter().map(|(_, _, d)| d));
    }
}

/// What this rule reports about the lists `keep(model, field)` selects (the
/// model holding the list and its field), with the file and span of each list
/// it reports, in file and position order. BP117 asks it about outposts'
/// `providers` and leaves the lists reported here to this rule.
pub(super) fn findings(
    cx: &SetCx<'_>,
    keep: &dyn Fn(&str, &str) -> bool,
) -> Vec<(FileId, Span, Diagnostic)> {
    let mut lists: HashMap<(ObjId, &str), Vec<Assignment>> = HashMap::new();
    for (b, bp) in cx.blueprints.iter().enumerate() {
        for entry in &bp.entries {
            if matches!(entry.state, State::Absent | State::Invalid) {
                continue;
            }
            let Some(model) = entry.model.as_deref() else {
                continue;
            };
            for (field, value, span) in &entry.attrs {
                let Val::List(items) = value else { continue };
                let direct = keep(model, field);
                let reverse = REVERSE
                    .iter()
                    .any(|(m, f, om, of)| *m == model && f == field && keep(om, of));
                if !(direct || reverse) || !is_reference_list(cx, model, field) {
                    continue;
                }
                let Some(members) = members(cx, b, items) else {
                    continue;
                };
                let Some(holder) = cx.index.object_of_entry(b, entry) else {
                    continue;
                };
                if reverse {
                    add_reverse(cx, b, entry, (field, items, *span), &mut lists);
                }
                if !direct {
                    continue;
                }
                let Some(field) = field_name(cx, model, field) else {
                    continue;
                };
                lists.entry((holder, field)).or_default().push(Assignment {
                    source: Source::List {
                        bp: b,
                        entry: entry.index,
                        span: *span,
                    },
                    members,
                    writes: entry.state == State::Present && !entry.conditional,
                });
            }
        }
    }
    for builtin in MEMBERS.iter().filter(|b| keep(b.model, b.field)) {
        let Some(holder) = object_of(cx, builtin.model, builtin.key) else {
            continue;
        };
        let member = query_member(cx, builtin.member_model, builtin.member_key);
        if let Some(list) = lists.get_mut(&(holder, builtin.field)) {
            list.push(Assignment {
                source: Source::Install(builtin.source),
                members: vec![member],
                writes: false,
            });
        }
    }
    let mut keys: Vec<&(ObjId, &str)> = lists.keys().collect();
    keys.sort_by_key(|(_, field)| *field);
    let mut found = Vec::new();
    for key in keys {
        report(cx, key.1, &lists[key], &mut found);
    }
    found.sort_by_key(|(file, span, _)| (*file, span.start));
    found
}

/// A diagnostic on each list that leaves out members other places give.
fn report(
    cx: &SetCx<'_>,
    field: &str,
    list: &[Assignment],
    found: &mut Vec<(FileId, Span, Diagnostic)>,
) {
    for writer in list.iter().filter(|a| a.writes) {
        let Source::List { bp, entry, span } = writer.source else {
            continue;
        };
        let counts = |other: usize| other == bp || cx.blueprints[other].instantiates;
        let mut dropped: Vec<(&Member, &Source)> = Vec::new();
        for other in list {
            let same_entry = match other.source {
                Source::List {
                    bp: ob, entry: oe, ..
                }
                | Source::Reverse {
                    bp: ob, entry: oe, ..
                } => {
                    if !counts(ob) {
                        continue;
                    }
                    ob == bp && oe == entry
                }
                Source::Install(_) => false,
            };
            if same_entry {
                continue;
            }
            for member in &other.members {
                let kept = writer.members.iter().any(|m| m.key == member.key);
                if !kept && !dropped.iter().any(|(m, _)| m.key == member.key) {
                    dropped.push((member, &other.source));
                }
            }
        }
        let Some((first, first_source)) = dropped.first() else {
            continue;
        };
        let facts = &cx.blueprints[bp];
        let holder = facts
            .entries
            .get(entry)
            .map_or_else(String::new, describe_entry);
        let mut names: Vec<String> = dropped
            .iter()
            .take(3)
            .map(|(m, _)| m.shown.clone())
            .collect();
        if dropped.len() > 3 {
            names.push(format!("{} more", dropped.len() - 3));
        }
        let names = crate::diagnostic::and_list(&names);
        let mut diag = Diagnostic::new(
            &META,
            facts.file,
            span,
            format!(
                "`{field}` replaces the whole list of {holder}: applying this entry removes \
                 {names}, which {}",
                given_by(cx, first_source)
            ),
        )
        .label("replaces the list")
        .help(
            "a many-to-many attribute is written as a whole, not added to; list every member \
             here, including those given elsewhere, or set the list in one place only",
        );
        match first_source {
            Source::List { bp, span, .. } | Source::Reverse { bp, span, .. } => {
                diag = diag.related(
                    cx.blueprints[*bp].file,
                    *span,
                    format!("{} given here", first.shown),
                );
            }
            Source::Install(_) => {}
        }
        found.push((facts.file, span, diag));
    }
}

fn given_by(cx: &SetCx<'_>, source: &Source) -> String {
    match source {
        Source::List { bp, .. } => format!(
            "{} also puts in it",
            crate::source::display_path(&cx.blueprints[*bp].path)
        ),
        Source::Reverse { bp, .. } => format!(
            "{} adds from the other side",
            crate::source::display_path(&cx.blueprints[*bp].path)
        ),
        Source::Install(file) => format!("Authentik's `{file}` puts in it on install"),
    }
}

/// Whether `field` of `model` is a list of object references (a many-to-many
/// relation, which the serializer sets as a whole).
fn is_reference_list(cx: &SetCx<'_>, model: &str, field: &str) -> bool {
    cx.kb.field(model, field).is_some_and(|f| {
        matches!(
            f.ty,
            Ty::Array(Ty::Int) | Ty::Array(Ty::Str(StrFormat::Uuid))
        )
    })
}

/// The field name as a `'static` key (the knowledge base's own string).
fn field_name(cx: &SetCx<'_>, model: &str, field: &str) -> Option<&'static str> {
    cx.kb.field(model, field).map(|f| f.name)
}

/// The members of a literal list of references; `None` when one is not a
/// reference bplint can name.
fn members(cx: &SetCx<'_>, bp: usize, items: &[Val]) -> Option<Vec<Member>> {
    items
        .iter()
        .map(|item| match item {
            Val::Ref(r) => ref_member(cx, bp, r),
            _ => None,
        })
        .collect()
}

fn ref_member(cx: &SetCx<'_>, bp: usize, reference: &Ref) -> Option<Member> {
    if let Some(obj) = cx.index.object_of_ref(bp, reference) {
        return Some(obj_member(cx, obj));
    }
    match reference {
        Ref::Find(query) => Some(unfound_member(query)),
        Ref::KeyOf(_) => None,
    }
}

/// The member a built-in table row names.
fn query_member(cx: &SetCx<'_>, model: &str, (field, value): (&str, &str)) -> Member {
    let query = query(model, field, value);
    match cx.index.resolve_find(&query) {
        Resolution::Found(objs) => match objs.first() {
            Some(ObjId::Entry { bp, entry }) => cx
                .index
                .entry(*bp, *entry)
                .and_then(|e| cx.index.object_of_entry(*bp, e))
                .map_or_else(|| unfound_member(&query), |o| obj_member(cx, o)),
            Some(other) => obj_member(cx, *other),
            None => unfound_member(&query),
        },
        _ => unfound_member(&query),
    }
}

fn object_of(cx: &SetCx<'_>, model: &str, (field, value): (&str, &str)) -> Option<ObjId> {
    let Resolution::Found(objs) = cx.index.resolve_find(&query(model, field, value)) else {
        return None;
    };
    match *objs.first()? {
        ObjId::Entry { bp, entry } => cx.index.object_of_entry(bp, cx.index.entry(bp, entry)?),
        other => Some(other),
    }
}

fn query(model: &str, field: &str, value: &str) -> FindQuery {
    FindQuery {
        model: model.to_string(),
        conditions: vec![(field.to_string(), Some(value.to_string()))],
        value_spans: Vec::new(),
        span: Span { start: 0, end: 0 },
        refs: Vec::new(),
    }
}

fn obj_member(cx: &SetCx<'_>, obj: ObjId) -> Member {
    let key = match obj {
        ObjId::Entry { bp, entry } => format!("entry {bp}/{entry}"),
        ObjId::Builtin(b) => format!("builtin {} {}", b.model, b.describe()),
        ObjId::Assumed(i) => format!("assumed {i}"),
    };
    let model = cx.index.model_of(obj).unwrap_or("?");
    let name = ["username", "name", "slug", "managed"]
        .iter()
        .find_map(|f| cx.index.field_of(obj, f))
        .unwrap_or_else(|| "?".into());
    Member {
        key,
        shown: format!("{} `{name}`", short(model)),
    }
}

/// A `!Find` that matches nothing bplint knows: named by its query, so two
/// identical lookups are one member.
fn unfound_member(query: &FindQuery) -> Member {
    let conditions = query
        .conditions
        .iter()
        .map(|(f, v)| format!("{f}={}", v.as_deref().unwrap_or("?").to_lowercase()))
        .collect::<Vec<_>>()
        .join(",");
    let value = query
        .conditions
        .first()
        .and_then(|(_, v)| v.clone())
        .unwrap_or_else(|| "?".into());
    Member {
        key: format!("find {} {conditions}", query.model),
        shown: format!("{} `{value}`", short(&query.model)),
    }
}

fn short(model: &str) -> &str {
    model.rsplit('.').next().unwrap_or(model)
}

fn describe_entry(entry: &EntryFacts) -> String {
    let model = entry.model.as_deref().map_or("object", short);
    let name = ["username", "name", "slug", "managed"]
        .iter()
        .find_map(|f| entry.field(f).and_then(Val::lookup_key));
    match name {
        Some(name) => format!("{model} `{name}`"),
        None => model.to_string(),
    }
}

/// For a user's `groups` (a group's `users`): each group (user) listed gains
/// this user (group) as a member of its own list.
fn add_reverse(
    cx: &SetCx<'_>,
    bp: usize,
    entry: &EntryFacts,
    (field, items, span): (&str, &[Val], Span),
    lists: &mut HashMap<(ObjId, &str), Vec<Assignment>>,
) {
    let Some(model) = entry.model.as_deref() else {
        return;
    };
    let Some(&(_, _, other_model, other_field)) = REVERSE
        .iter()
        .find(|(m, f, _, _)| *m == model && *f == field)
    else {
        return;
    };
    if entry.conditional {
        return;
    }
    let Some(me) = cx.index.object_of_entry(bp, entry) else {
        return;
    };
    let member = obj_member(cx, me);
    for item in items {
        let Val::Ref(r) = item else { continue };
        let Some(other) = cx.index.object_of_ref(bp, r) else {
            continue;
        };
        if cx.index.model_of(other) != Some(other_model) {
            continue;
        }
        lists
            .entry((other, other_field))
            .or_default()
            .push(Assignment {
                source: Source::Reverse {
                    bp,
                    entry: entry.index,
                    span,
                },
                members: vec![member.clone()],
                writes: false,
            });
    }
}
