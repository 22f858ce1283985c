//! BP206: `!KeyOf x` used before (or inside) the entry with `id: x`.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::model::{TagCall, TagParse};

rule! {
    pub struct KeyOfForwardReference {
        code: "BP206",
        name: "keyof-forward-reference",
        severity: Error,
        fix: None,
        summary: "`!KeyOf` refers to an entry that has not been applied yet",
    }
}

impl Rule for KeyOfForwardReference {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for site in &cx.bp.tags {
            let (TagParse::Call(TagCall::KeyOf { id }), Some(user)) = (&site.parsed, site.entry)
            else {
                continue;
            };
            let Some(name) = id.scalar().map(|s| s.value.as_str()) else {
                continue;
            };
            let Some(target) = cx.bp.entry_with_id(name) else {
                continue;
            };
            if target.index < user {
                continue;
            }
            let (what, related) = if target.index == user {
                ("its own entry, which has not been saved yet", None)
            } else {
                ("an entry further down", target.id.map(|n| n.span))
            };
            let mut diag = Diagnostic::new(
                &META,
                cx.file_id,
                id.value_span(),
                format!("`!KeyOf {name}` refers to {what}"),
            )
            .label("not applied yet at this point")
            .help(
                "entries apply in order and `!KeyOf` only sees entries already applied; move the \
                 entry with this id above the one that uses it",
            );
            if let Some(span) = related {
                diag = diag.related(cx.file_id, span, "defined here, later");
            }
            out.push(diag);
        }
    }
}
