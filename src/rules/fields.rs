//! Walking an entry's fields with their knowledge-base definitions, shared by the
//! rules that judge values.

use super::BlueprintCx;
use crate::knowledge::FieldDef;
use crate::model::{Entry, State};
use crate::yaml::Pair;

/// Every `identifiers`/`attrs` pair of every entry whose field the target release
/// knows. Entries that delete need no valid values and are skipped.
pub fn each<'a>(
    cx: &'a BlueprintCx<'a>,
) -> impl Iterator<Item = (&'a Entry<'a>, &'static FieldDef, &'a Pair)> + 'a {
    cx.bp
        .entries
        .iter()
        .filter(|e| e.state() != State::Absent)
        .filter_map(|entry| Some((entry, cx.kb.model(&entry.model_name()?)?)))
        .flat_map(move |(entry, model)| {
            [entry.identifiers, entry.attrs]
                .into_iter()
                .flatten()
                .flat_map(|map| map.pairs())
                .filter_map(move |pair| {
                    let field = cx.kb.field(model.name, pair.key.as_str()?)?;
                    Some((entry, field, pair))
                })
        })
}

/// [`each`], with what the release's recorded serializer checks on the field:
/// only the fields it has facts for (see `knowledge::serializers`).
pub fn each_checked<'a>(
    cx: &'a BlueprintCx<'a>,
) -> impl Iterator<
    Item = (
        &'a Entry<'a>,
        &'static FieldDef,
        &'a Pair,
        &'static crate::knowledge::serializers::FieldCheck,
    ),
> + 'a {
    let release = cx.kb.serializers();
    each(cx).filter_map(move |(entry, field, pair)| {
        let check = release?.field(&entry.model_name()?, field.name)?;
        Some((entry, field, pair, check))
    })
}

/// The entries of `model` that create their object (any state that may create,
/// fields readable as written, no earlier entry or built-in they update) and
/// leave the list `field` out or empty: where to point, and whether it is empty.
/// BP108 and BP116 ask it of an OAuth2 provider's `grant_types` and
/// `property_mappings`; a list with items, a tag or null is not returned.
pub fn created_without_list<'a>(
    cx: &'a BlueprintCx<'a>,
    model: &'a str,
    field: &'a str,
) -> impl Iterator<Item = (&'a Entry<'a>, crate::source::Span, bool)> + 'a {
    cx.bp.entries.iter().filter_map(move |entry| {
        if entry.model_name().as_deref() != Some(model)
            || !entry.state().may_create()
            || entry.fields_unreadable()
            || entry.attrs.is_some_and(|a| a.tag().is_some())
            || crate::resolve::local::exists_before(cx.kb, cx.bp, entry)
        {
            return None;
        }
        match entry.field(field) {
            None => Some((entry, entry.anchor_span(), false)),
            Some(value) if value.seq().is_some_and(<[crate::yaml::Node]>::is_empty) => {
                Some((entry, value.span, true))
            }
            Some(_) => None,
        }
    })
}

/// Whether the identifiers name a built-in object of the target release (which
/// exists already, so the entry updates it).
pub fn names_builtin(cx: &BlueprintCx<'_>, entry: &Entry<'_>, model: &str) -> bool {
    let Some(identifiers) = entry.identifiers else {
        return false;
    };
    let pairs: Vec<(&str, &str)> = identifiers
        .pairs()
        .filter_map(|p| Some((p.key.as_str()?, p.value.as_str()?)))
        .collect();
    !pairs.is_empty() && cx.kb.builtin_matching(model, &pairs).is_some()
}

/// What runs an expression, which decides the names it has (see
/// `knowledge::expressions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpressionKind {
    /// An expression policy: `PolicyEvaluator`.
    Policy,
    /// A property mapping of any kind: `PropertyMappingEvaluator`, with keyword
    /// arguments that differ per kind.
    Mapping,
    /// A prompt's `placeholder` or `initial_value` marked as an expression: the
    /// same evaluator as a mapping (authentik/stages/prompt/models.py).
    Prompt,
}

/// The expression facts of the release `cx` is judged at. `None` outside the
/// embedded lines, where the nearest tables stand in: not good enough to call
/// a module missing or a name undefined (BP226, BP227).
pub fn expression_facts(cx: &BlueprintCx<'_>) -> Option<crate::knowledge::expressions::LineFacts> {
    if cx.kb.outside_known().is_some() {
        return None;
    }
    crate::knowledge::expressions::for_line(cx.kb.def.name)
}

/// Every expression Authentik runs that the file writes out as a plain string
/// (no tag, nothing a deploy tool fills in), with what runs it: the
/// `expression` of an expression policy or a property mapping, and a prompt's
/// `placeholder` / `initial_value` when its `*_expression` flag is true.
pub fn expressions<'a>(
    cx: &'a BlueprintCx<'a>,
) -> impl Iterator<Item = (&'a Entry<'a>, &'a Pair, ExpressionKind)> + 'a {
    each(cx).filter_map(move |(entry, field, pair)| {
        if pair.value.tag().is_some() {
            return None;
        }
        let prompt = entry.model_name().as_deref() == Some("authentik_stages_prompt.prompt")
            && matches!(field.name, "placeholder" | "initial_value")
            && matches!(
                entry
                    .field(&format!("{}_expression", field.name))
                    .and_then(|n| n.typed()),
                Some(crate::yaml::Typed::Bool(true))
            );
        if field.name != "expression" && !prompt {
            return None;
        }
        let scalar = pair.value.scalar()?;
        if crate::resolve::validate::is_substituted(&scalar.value) {
            return None;
        }
        let model = entry.model_name()?;
        let kind = if prompt {
            ExpressionKind::Prompt
        } else if model == "authentik_policies_expression.expressionpolicy" {
            ExpressionKind::Policy
        } else if cx
            .kb
            .matches_model(&model, "authentik_core.propertymapping")
        {
            ExpressionKind::Mapping
        } else {
            return None;
        };
        Some((entry, pair, kind))
    })
}
