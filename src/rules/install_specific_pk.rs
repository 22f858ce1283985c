//! BP121: a relation given a literal primary key (a UUID copied
//! from an export) that no entry of the set creates and no fresh install has.
//! The key names an object of the install the file came from; anywhere else the
//! serializer finds no such object and the importer refuses the blueprint.

use super::{Rule, SetCx};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::State;
use crate::resolve::index::identifier_query;
use crate::resolve::references::{self, KeyLost};
use crate::resolve::{LiteralKey, ObjId};

rule! {
    pub struct InstallSpecificPk {
        code: "BP121",
        name: "install-specific-pk",
        severity: Error,
        fix: Unsafe,
        summary: "A relation names an object by a primary key that only the install the file came from has",
    }
}

impl Rule for InstallSpecificPk {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        if cx.kb.serializers().is_none() {
            return;
        }
        let givers = cx.key_givers();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            if !cx.judges(b) {
                continue;
            }
            for entry in &bp.entries {
                if entry.state == State::Absent {
                    continue;
                }
                for (key, related) in references::relation_keys(cx.index, entry) {
                    let given = givers.of(&key.value);
                    if references::given_earlier(cx.index, given, b, entry.index)
                        || references::key_exists(cx.index, &key.value)
                        || given.iter().any(|(_, _, lost)| lost.is_none())
                    {
                        continue;
                    }
                    out.push(diagnostic(cx, bp.file, key, related, given));
                }
            }
        }
    }
}

fn diagnostic(
    cx: &SetCx<'_>,
    file: usize,
    key: &LiteralKey,
    related: &str,
    given: &[(usize, usize, Option<KeyLost>)],
) -> Diagnostic {
    let mut diag = Diagnostic::new(
        &META,
        file,
        key.span,
        format!(
            "`{}: {}` names an `{related}` by a primary key that no entry of the set creates and \
             no fresh install has",
            key.field, key.value
        ),
    )
    .label("another install's key");
    let mut fix = None;
    for &(gb, ge, lost) in given.iter().take(3) {
        let Some(giver) = cx.index.entry(gb, ge) else {
            continue;
        };
        let why = match lost {
            Some(KeyLost::Updates(existing)) => format!(
                "this entry gives that key, but its other identifiers name {}, which it updates \
                 and which keeps its own key",
                existing_object(existing)
            ),
            _ => format!(
                "this entry gives that key, but a `{}` takes a key of its own when it is created",
                giver.model.as_deref().unwrap_or("?")
            ),
        };
        diag = diag.related(cx.blueprints[gb].file, giver.span, why);
        if fix.is_none() {
            fix = find_instead(cx, key, related, giver);
        }
    }
    let instead = match &fix {
        Some(f) => format!("; {}", f.title),
        None => format!(
            "; refer to the object by a unique field instead, with `!Find [{related}, [field, \
             value]]`"
        ),
    };
    diag = diag.help(format!(
        "a primary key is made when an object is created, so this one names an object of the \
         install the file was exported from. On any other install the serializer finds no such \
         object: the importer refuses the entry and applies nothing of this blueprint{instead}"
    ));
    match fix {
        Some(fix) => diag.fix(fix),
        None => diag,
    }
}

fn existing_object(obj: ObjId) -> String {
    match obj {
        ObjId::Builtin(b) => format!("the built-in {} ({})", b.describe(), b.source),
        _ => "an object declared in `assume_exists`".to_string(),
    }
}

/// The key replaced by a `!Find` of the object the entry giving it identifies
/// by its other (literal) identifiers, where that object is one the field can
/// take.
fn find_instead(
    cx: &SetCx<'_>,
    key: &LiteralKey,
    related: &str,
    giver: &crate::resolve::EntryFacts,
) -> Option<Fix> {
    let model = giver.model.as_deref()?;
    if model != related && !cx.kb.matches_model(model, related) {
        return None;
    }
    let mut query = identifier_query(model, giver)?;
    query.conditions.retain(|(k, _)| k != "pk");
    if query.conditions.is_empty() {
        return None;
    }
    let conditions: Vec<String> = query
        .conditions
        .iter()
        .map(|(k, v)| {
            Some(format!(
                "[{}, {}]",
                super::edits::scalar(k),
                super::edits::scalar(v.as_deref()?)
            ))
        })
        .collect::<Option<_>>()?;
    let find = format!("!Find [{model}, {}]", conditions.join(", "));
    Some(Fix {
        title: format!("refer to it with `{find}`"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            span: key.span,
            replacement: find,
        }],
    })
}
