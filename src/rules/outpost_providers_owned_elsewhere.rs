//! BP117: a blueprint sets the `providers` of an outpost it does not create (the
//! embedded outpost above all): each apply replaces the list that the admin UI or
//! another blueprint assigned, even when no competing list is in sight.

use super::{Rule, SetCx};
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::State;
use crate::resolve::{ObjId, Val};
use crate::source::Span;

rule! {
    pub struct OutpostProvidersOwnedElsewhere {
        code: "BP117",
        name: "outpost-providers-owned-elsewhere",
        severity: Warning,
        fix: None,
        summary: "A blueprint sets the providers of an outpost made elsewhere, replacing its list",
    }
}

const OUTPOST: &str = "authentik_outposts.outpost";
const FIELD: &str = "providers";
const EMBEDDED: &str = "goauthentik.io/outposts/embedded";

impl Rule for OutpostProvidersOwnedElsewhere {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut candidates: Vec<(FileId, Span, String, bool)> = Vec::new();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                // Only `present` writes its attrs to an object that exists;
                // `created` skips it, `absent` deletes it.
                if entry.model.as_deref() != Some(OUTPOST) || entry.state != State::Present {
                    continue;
                }
                let Some(span) = entry.attr_span(FIELD) else {
                    continue;
                };
                if matches!(entry.field(FIELD), Some(Val::Null)) {
                    continue;
                }
                // An outpost the set creates is the set's own; two entries that
                // disagree about its list are BP114's.
                let obj = match cx.index.object_of_entry(b, entry) {
                    Some(obj @ (ObjId::Builtin(_) | ObjId::Assumed(_))) => obj,
                    _ => continue,
                };
                let name = cx.index.field_of(obj, "name");
                let embedded = cx.index.field_of(obj, "managed").as_deref() == Some(EMBEDDED);
                let what = if embedded {
                    "the embedded outpost".to_string()
                } else {
                    match name {
                        Some(name) => format!("outpost `{name}`"),
                        None => "this outpost".to_string(),
                    }
                };
                candidates.push((bp.file, span, what, embedded));
            }
        }
        if candidates.is_empty() {
            return;
        }
        let outposts = |model: &str, field: &str| model == OUTPOST && field == FIELD;
        let by_list_rule: Vec<(FileId, Span)> =
            super::list_replaces_members::findings(cx, &outposts)
                .into_iter()
                .map(|(file, span, _)| (file, span))
                .collect();
        for (file, span, what, embedded) in candidates {
            if by_list_rule.contains(&(file, span)) {
                continue;
            }
            let made_by = if embedded {
                "which Authentik creates itself"
            } else {
                "which exists outside the checked blueprints"
            };
            out.push(
                Diagnostic::new(
                    &META,
                    file,
                    span,
                    format!(
                        "`providers` replaces the whole provider list of {what}, {made_by}: \
                         each apply removes the providers assigned to it in the admin UI or by \
                         another blueprint"
                    ),
                )
                .label("replaces the outpost's providers")
                .help(
                    "keep the outpost's list in one place: either this blueprint lists every \
                     provider the outpost serves and nobody assigns providers elsewhere (say so \
                     with `# bplint: disable=BP117 -- this blueprint owns the list`), or leave \
                     `providers` out of blueprints and assign providers in the admin UI only",
                ),
            );
        }
    }
}
