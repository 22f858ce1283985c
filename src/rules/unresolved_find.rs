//! BP205: a `!Find` that matches nothing in the linted set or the built-in objects,
//! so Authentik silently writes null.

use super::{Rule, SetCx};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::resolve::{EntryFacts, FindQuery, Ref, Resolution, Val};
use foldhash::{HashMap, HashSet, HashSetExt};

rule! {
    pub struct UnresolvedFind {
        code: "BP205",
        name: "unresolved-find",
        severity: Warning,
        fix: Unsafe,
        summary: "`!Find` matches no object of the linted set or Authentik's built-ins",
    }
}

impl Rule for UnresolvedFind {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        // Suggestions weigh every object of the model in the set; the same
        // field of one model is read once for every unresolved lookup.
        let mut memo = Memo::default();
        for (bp_idx, bp) in cx.blueprints.iter().enumerate() {
            if !cx.judges(bp_idx) {
                continue;
            }
            for (entry, query) in &bp.finds {
                if !cx.kb.is_findable(&query.model)
                    || cx.index.resolve_find_from(bp_idx, query) != Resolution::NotFound
                {
                    continue;
                }
                let conditions = describe(query);
                let user = finds_user_by_username(query);
                let mut message = format!("`!Find` matches no `{}` with {conditions}", query.model);
                if user {
                    message.push_str(", most likely an account that exists only in the database");
                }
                let mut diag =
                    Diagnostic::new(&META, bp.file, query.span, message).label("resolves to null");
                let place = entry
                    .and_then(|e| bp.entries.get(e))
                    .and_then(|e| place_of(e, query));
                let near = nearest(cx, query, place.as_ref(), &mut memo);
                let named = match &near.fix {
                    Some(one) => std::slice::from_ref(one),
                    None => near.help.as_slice(),
                };
                let question = match named {
                    [] => None,
                    [one] => Some(format!("did you mean `{one}`?")),
                    several => Some(format!(
                        "did you mean {}?",
                        several
                            .iter()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    )),
                };
                let mut rest = String::new();
                if user {
                    rest.push_str(
                        "blueprints rarely define user accounts: this one most likely exists \
                         only in the database (created by hand, by enrollment or by a source), \
                         where bplint cannot see it. No",
                    );
                } else {
                    rest.push_str("no");
                }
                rest.push_str(&format!(
                    " linted blueprint and no built-in object of Authentik {} has it, and \
                     Authentik writes null without an error; if it exists only in the database, \
                     list it under `[[assume_exists]]` in bplint.toml",
                    cx.kb.def.name
                ));
                let help = match question {
                    Some(question) => crate::diagnostic::after_question(&question, &rest),
                    None => rest,
                };
                diag = diag.help(help);
                // A fix only when one value of the same role is a typo away:
                // with several, picking one would guess.
                if let (Some(value), [_], Some(span)) = (
                    &near.fix,
                    query.conditions.as_slice(),
                    query.value_spans.first().copied(),
                ) {
                    diag = diag.fix(Fix {
                        title: format!("use `{value}`"),
                        applicability: Applicability::Unsafe,
                        edits: vec![Edit {
                            span,
                            replacement: value.clone(),
                        }],
                    });
                }
                out.push(diag);
            }
        }
    }
}

/// Whether the lookup names a user by username (any case).
fn finds_user_by_username(query: &FindQuery) -> bool {
    query.model == "authentik_core.user"
        && query
            .conditions
            .iter()
            .any(|(f, _)| f.split("__").next() == Some("username"))
}

fn describe(query: &FindQuery) -> String {
    let parts: Vec<String> = query
        .conditions
        .iter()
        .map(|(f, v)| format!("{f} = `{}`", v.as_deref().unwrap_or("?")))
        .collect();
    if parts.is_empty() {
        "no conditions".into()
    } else {
        parts.join(" and ")
    }
}

/// Where a `!Find` is written in its entry: the field, and the other items
/// when it is one item of a list.
struct Place<'a> {
    field: &'a str,
    siblings: Vec<&'a FindQuery>,
}

fn place_of<'a>(entry: &'a EntryFacts, query: &FindQuery) -> Option<Place<'a>> {
    let is_it = |v: &Val| matches!(v, Val::Ref(Ref::Find(q)) if q.span == query.span);
    entry
        .identifiers
        .iter()
        .chain(&entry.attrs)
        .find_map(|(field, value, _)| match value {
            v if is_it(v) => Some(Place {
                field,
                siblings: Vec::new(),
            }),
            Val::List(items) if items.iter().any(is_it) => Some(Place {
                field,
                siblings: items
                    .iter()
                    .filter(|v| !is_it(v))
                    .filter_map(|v| match v {
                        Val::Ref(Ref::Find(q)) => Some(q.as_ref()),
                        _ => None,
                    })
                    .collect(),
            }),
            _ => None,
        })
}

/// The flow designation a field that points at a flow expects (the flow
/// fields of providers, sources, brands and stages).
fn designation_for(field: &str) -> Option<&'static str> {
    Some(match field {
        "authentication_flow" | "flow_authentication" => "authentication",
        "authorization_flow" => "authorization",
        "invalidation_flow" | "flow_invalidation" => "invalidation",
        "enrollment_flow" => "enrollment",
        "recovery_flow" | "flow_recovery" => "recovery",
        "unenrollment_flow" | "flow_unenrollment" => "unenrollment",
        "configure_flow" | "flow_user_settings" | "pre_authentication_flow" => {
            "stage_configuration"
        }
        _ => return None,
    })
}

/// An object's value of a field, and its designation.
type Valued = (String, Option<String>);

/// What [`nearest`] reads again for every unresolved lookup, kept for the run.
#[derive(Default)]
struct Memo<'a> {
    /// Per (model, field): each object's value of the field and its designation,
    /// once each.
    values: HashMap<(&'a str, &'a str), Vec<Valued>>,
    /// Per (model, field, role, value), for a lookup whose list names none of
    /// the candidates: the same typo is often copied from file to file.
    near: HashMap<(&'a str, &'a str, Option<&'static str>, &'a str), Near>,
}

/// The existing values close to the query's first condition value that could
/// be what was meant: objects of the model, of the same role (for a flow, the
/// designation its field expects), and not already named by another item of
/// the same list. Several values mean no single fix.
fn nearest<'a>(
    cx: &SetCx<'_>,
    query: &'a FindQuery,
    place: Option<&Place<'_>>,
    memo: &mut Memo<'a>,
) -> Near {
    let Some((field, Some(value))) = query.conditions.first() else {
        return Near {
            help: Vec::new(),
            fix: None,
        };
    };
    let field = field.split("__").next().unwrap_or(field);
    let all = memo
        .values
        .entry((query.model.as_str(), field))
        .or_insert_with(|| {
            let mut seen = HashSet::new();
            let mut pairs = Vec::new();
            for obj in cx.index.objects_of(&query.model) {
                if let Some(v) = cx.index.field_of(obj, field) {
                    let pair = (v, cx.index.field_of(obj, "designation"));
                    if seen.insert(pair.clone()) {
                        pairs.push(pair);
                    }
                }
            }
            pairs
        });
    let role = (query.model == "authentik_flows.flow")
        .then(|| place.and_then(|p| designation_for(p.field)))
        .flatten();
    let taken = |v: &str| {
        place.is_some_and(|p| {
            p.siblings.iter().any(|q| {
                q.model == query.model
                    && q.conditions
                        .first()
                        .is_some_and(|(f, have)| f == field && have.as_deref() == Some(v))
            })
        })
    };
    let of_role = all
        .iter()
        .filter(|(_, designation)| role.is_none() || designation.as_deref() == role)
        .map(|(v, _)| v.as_str());
    let untaken = !of_role.clone().any(taken);
    let key = (query.model.as_str(), field, role, value.as_str());
    if untaken && let Some(near) = memo.near.get(&key) {
        return near.clone();
    }
    let mut candidates: Vec<&str> = of_role.filter(|v| !taken(v)).collect();
    candidates.sort_unstable();
    candidates.dedup();
    let typos = candidates.iter().filter(|c| is_typo_of(value, c)).count();
    let mut near = Vec::new();
    // The two closest, as `closest` ranks them, for the help.
    for _ in 0..2 {
        match crate::suggest::closest(value, candidates.iter().copied()) {
            Some(best) => {
                near.push(best.to_string());
                candidates.retain(|c| *c != best);
            }
            None => break,
        }
    }
    let fix = (typos == 1)
        .then(|| near.first().filter(|best| is_typo_of(value, best)).cloned())
        .flatten();
    let near = Near { help: near, fix };
    if untaken {
        memo.near.insert(key, near.clone());
    }
    near
}

/// What [`nearest`] found: values to name in the help, and the one value a fix
/// may write.
#[derive(Clone)]
struct Near {
    help: Vec<String>,
    fix: Option<String>,
}

/// Whether `candidate` is a typo away from `value`: at most two edits
/// (Damerau-Levenshtein, case-insensitive) and at most a fifth of its length.
/// Jaro-Winkler, which ranks suggestions, calls whole families of names close
/// (`default-source-authentication` and `default-authentication-flow`); a fix
/// needs a closer match.
fn is_typo_of(value: &str, candidate: &str) -> bool {
    // Every edit changes the length by at most one: most candidates are ruled
    // out without the quadratic distance (a set has thousands of them).
    if value.chars().count().abs_diff(candidate.chars().count()) > 2 {
        return false;
    }
    let distance = strsim::damerau_levenshtein(&value.to_lowercase(), &candidate.to_lowercase());
    distance <= 2 && distance * 5 <= value.chars().count()
}
