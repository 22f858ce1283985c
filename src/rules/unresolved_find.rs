//! BP205: a `!Find` that matches nothing in the linted set or the built-in objects,
//! so Authentik silently writes null.

use super::{Rule, SetCx};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, RuleMeta, Severity};
use crate::resolve::{FindQuery, Resolution};
use std::collections::HashMap;

pub static META: RuleMeta = RuleMeta {
    code: "BP205",
    name: "unresolved-find",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "`!Find` matches no object of the linted set or Authentik's built-ins",
    doc: include_str!("../../rules/BP205-unresolved-find.md"),
};

pub struct UnresolvedFind;

impl Rule for UnresolvedFind {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        // Suggestions weigh every object of the model in the set; the same
        // unresolved lookup in several files shares one.
        let mut suggestions = HashMap::new();
        for bp in cx.blueprints {
            for (_, query) in &bp.finds {
                if !cx.kb.is_findable(&query.model)
                    || cx.index.resolve_find(query) != Resolution::NotFound
                {
                    continue;
                }
                let conditions = describe(query);
                let mut diag = Diagnostic::new(
                    &META,
                    bp.file,
                    query.span,
                    format!("`!Find` matches no `{}` with {conditions}", query.model),
                )
                .label("resolves to null");
                let suggestion = nearest(cx, query, &mut suggestions);
                let mut help = match &suggestion {
                    Some((_, value)) => format!("did you mean `{value}`? "),
                    None => String::new(),
                };
                help.push_str(&format!(
                    "no linted blueprint and no built-in object of Authentik {} has it, and \
                     Authentik writes null without an error; if it exists only in the database, \
                     list it under `[[assume_exists]]` in bplint.toml",
                    cx.kb.def.name
                ));
                diag = diag.help(help);
                if let Some((span, value)) = suggestion {
                    diag = diag.fix(Fix {
                        title: format!("use `{value}`"),
                        applicability: Applicability::Unsafe,
                        edits: vec![Edit {
                            span,
                            replacement: value,
                        }],
                    });
                }
                out.push(diag);
            }
        }
    }
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

/// Suggestions already made, by model, field and value.
type Suggestions<'a> = HashMap<(&'a str, &'a str, &'a str), Option<String>>;

/// The closest existing value of the query's first condition field, and the span
/// of the value to replace when the query has that one condition.
fn nearest<'a>(
    cx: &SetCx<'_>,
    query: &'a FindQuery,
    suggestions: &mut Suggestions<'a>,
) -> Option<(crate::source::Span, String)> {
    let (field, Some(value)) = query.conditions.first()? else {
        return None;
    };
    let field = field.split("__").next().unwrap_or(field);
    let near = suggestions
        .entry((query.model.as_str(), field, value.as_str()))
        .or_insert_with(|| {
            let values: Vec<String> = cx
                .index
                .objects_of(&query.model)
                .into_iter()
                .filter_map(|obj| cx.index.field_of(obj, field))
                .collect();
            crate::suggest::closest(value, values.iter().map(String::as_str)).map(str::to_string)
        })
        .clone()?;
    let span = query.value_spans.first().copied()?;
    Some((span, near))
}
