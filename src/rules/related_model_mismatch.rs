//! BP218: a relation given an object of a model it cannot point at: a stage's
//! `!Find` as a policy binding's `target`, a flow's `!KeyOf` as a provider's
//! `signing_key`. The serializer's related field looks the primary key up among
//! its own model's objects only, so the importer refuses the entry.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::knowledge::Knowledge;
use crate::model::{TagCall, TagParse, normalize_model, parse_tag};
use crate::yaml::Node;

rule! {
    pub struct RelatedModelMismatch {
        code: "BP218",
        name: "related-model-mismatch",
        severity: Error,
        fix: None,
        summary: "A relation given an object of a model it cannot point at (`!Find`/`!KeyOf` of the wrong model)",
    }
}

impl Rule for RelatedModelMismatch {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for (_, field, pair, check) in super::fields::each_checked(cx) {
            let Some(related) = check.related else {
                continue;
            };
            // A list of references for a many-to-many field; a tag's own
            // arguments are a sequence too, but name one object.
            let value = pair.value.resolved();
            let values: Vec<&Node> = match value.seq() {
                Some(items) if value.tag().is_none() => items.iter().collect(),
                _ => vec![&pair.value],
            };
            for value in values {
                let Some((given, how)) = referenced_model(cx, value) else {
                    continue;
                };
                if compatible(cx.kb, &given, related) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        cx.file_id,
                        value.value_span(),
                        format!(
                            "`{}` takes an object of `{related}`, but {how} gives one of `{given}`",
                            field.name
                        ),
                    )
                    .label(format!("a `{given}`"))
                    .help(format!(
                        "the importer looks the key up among `{related}` objects only and refuses \
                         the entry (\"Invalid pk\"); point `{}` at a `{related}`",
                        field.name
                    )),
                );
            }
        }
    }
}

/// The model a reference yields an object of, and how it is written, for
/// `!Find [model, ...]` and `!KeyOf id` (the model of the entry with that id).
fn referenced_model(cx: &BlueprintCx<'_>, node: &Node) -> Option<(String, String)> {
    match parse_tag(node.resolved())? {
        TagParse::Call(TagCall::Find {
            model,
            object: false,
            ..
        }) => {
            let name = normalize_model(model.as_str()?);
            cx.kb
                .is_findable(&name)
                .then(|| (name, "this `!Find`".to_string()))
        }
        TagParse::Call(TagCall::KeyOf { id }) => {
            // The tag's own node: its scalar is the id.
            let id = id.scalar()?.value.as_str();
            let entry = cx.bp.entry_with_id(id)?;
            let name = entry.model_name()?;
            cx.kb
                .is_findable(&name)
                .then(|| (name, format!("`!KeyOf {id}`")))
        }
        _ => None,
    }
}

/// Whether an object of `given` may be a `related` one: the same model, a
/// child of it (a password stage is a stage), or a parent of it (a `!Find` on
/// `authentik_flows.stage` may find a password stage; only the database knows).
fn compatible(kb: &Knowledge, given: &str, related: &str) -> bool {
    is_a(kb, given, related) || is_a(kb, related, given)
}

/// Whether `child` is `ancestor` or inherits from it, by any model's parent chain.
fn is_a(kb: &Knowledge, child: &str, ancestor: &str) -> bool {
    if child == ancestor || kb.matches_model(child, ancestor) {
        return true;
    }
    // `child` may itself be a parent model with no table of its own: find a
    // model whose chain has `child` before `ancestor`.
    kb.def.models.iter().any(|m| {
        let chain = m.parents;
        match (
            chain.iter().position(|p| *p == child),
            chain.iter().position(|p| *p == ancestor),
        ) {
            (Some(c), Some(a)) => c < a,
            _ => false,
        }
    })
}
