//! References between entries of one blueprint: which entry a `!KeyOf`, a literal
//! `!Find`, or an exported primary key points at. Rules about how entries fit
//! together (bindings, flows, stages) use it without the set-wide index.

use super::facts::EntryFacts;
use crate::knowledge::Knowledge;
use crate::model::{Blueprint, Entry, TagCall, TagParse, normalize_model, parse_tag};
use crate::yaml::Node;

/// The latest earlier entry of `bp` whose object `entry` updates (see
/// [`EntryFacts::updates`]), so `entry` need not create anything.
pub fn updated_entry(bp: &Blueprint<'_>, entry: &Entry<'_>) -> Option<usize> {
    let model = entry.model_name()?;
    let this = EntryFacts::of(entry, bp.context);
    bp.entries
        .get(..entry.index)?
        .iter()
        .rev()
        .filter(|e| e.model_name().as_deref() == Some(model.as_str()))
        .find(|e| this.updates(&EntryFacts::of(e, bp.context)))
        .map(|e| e.index)
}

/// Whether the object `entry` applies to exists before it runs: an earlier
/// entry made it ([`updated_entry`]), or its identifiers (`!Context` read as
/// the importer would) name a built-in object of the target release. The
/// importer then updates it partially, so fields required on create may be
/// left out.
pub fn exists_before(kb: &Knowledge, bp: &Blueprint<'_>, entry: &Entry<'_>) -> bool {
    if updated_entry(bp, entry).is_some() {
        return true;
    }
    let Some(model) = entry.model_name() else {
        return false;
    };
    let facts = EntryFacts::of(entry, bp.context);
    let pairs: Option<Vec<(&str, std::borrow::Cow<'_, str>)>> = facts
        .identifiers
        .iter()
        .filter(|(k, _, _)| k != "pk")
        .map(|(k, v, _)| Some((k.as_str(), v.lookup_str()?)))
        .collect();
    let Some(pairs) = pairs.filter(|p| !p.is_empty()) else {
        return false;
    };
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    kb.builtin_matching(&model, &pairs).is_some()
}

/// The entry of `bp` that `value` refers to, if it is one of them.
pub fn target<'a, 'b>(bp: &'b Blueprint<'a>, value: &Node) -> Option<&'b Entry<'a>> {
    match parse_tag(value) {
        Some(TagParse::Call(TagCall::KeyOf { id })) => {
            bp.entry_with_id(id.scalar()?.value.as_str())
        }
        Some(TagParse::Call(TagCall::Find {
            model, conditions, ..
        })) => {
            let model = normalize_model(model.as_str()?);
            let pairs: Vec<(&str, &str)> = conditions
                .iter()
                .map(|c| {
                    let pair = c.seq()?;
                    Some((pair.first()?.as_str()?, pair.get(1)?.scalar_text()?))
                })
                .collect::<Option<_>>()?;
            bp.entries.iter().find(|e| {
                e.model_name().as_deref() == Some(model.as_str())
                    && pairs
                        .iter()
                        .all(|(f, v)| e.field(f).and_then(Node::scalar_text) == Some(*v))
            })
        }
        Some(_) => None,
        None => {
            let pk = value.as_str()?;
            bp.entries.iter().find(|e| {
                e.identifiers
                    .and_then(|i| i.get("pk"))
                    .and_then(Node::as_str)
                    == Some(pk)
            })
        }
    }
}

/// `(stage, flow)` entry pairs of every `flowstagebinding` whose ends are entries
/// of this blueprint, with the binding entry.
pub fn stage_bindings<'a, 'b>(
    bp: &'b Blueprint<'a>,
) -> Vec<(&'b Entry<'a>, Option<&'b Entry<'a>>, Option<&'b Entry<'a>>)> {
    bp.entries
        .iter()
        .filter(|e| e.model_name().as_deref() == Some("authentik_flows.flowstagebinding"))
        .map(|binding| {
            let stage = binding.field("stage").and_then(|v| target(bp, v));
            let flow = binding.field("target").and_then(|v| target(bp, v));
            (binding, stage, flow)
        })
        .collect()
}
