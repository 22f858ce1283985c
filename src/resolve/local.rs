//! References between entries of one blueprint: which entry a `!KeyOf`, a literal
//! `!Find`, or an exported primary key points at. Rules about how entries fit
//! together (bindings, flows, stages) use it without the set-wide index.

use crate::model::{Blueprint, Entry, TagCall, TagParse, normalize_model, parse_tag};
use crate::yaml::Node;

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
