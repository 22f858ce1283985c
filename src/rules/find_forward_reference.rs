//! BP113: a `!Find` that only an entry further down the same blueprint (or its
//! own entry) can satisfy.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::resolve::{ObjId, Resolution};

rule! {
    pub struct FindForwardReference {
        code: "BP113",
        name: "find-forward-reference",
        severity: Warning,
        fix: None,
        summary: "`!Find` looks for an object that an entry further down creates",
    }
}

impl Rule for FindForwardReference {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for (user, query) in &bp.finds {
                let Some(user) = *user else { continue };
                // A model the release does not have is BP201's finding; that the
                // entries creating it come later is a consequence, not news.
                if !cx.kb.is_findable(&query.model) {
                    continue;
                }
                if bp
                    .entries
                    .get(user)
                    .and_then(|e| e.conditions_span)
                    .is_some_and(|c| c.contains(query.span))
                {
                    continue;
                }
                let Resolution::Found(objs) = cx.index.resolve_find(query) else {
                    continue;
                };
                // Only entries of this blueprint from the user on: nothing that
                // exists before the blueprint runs, or that an earlier entry saved.
                let later = |o: &ObjId| matches!(o, ObjId::Entry { bp: ob, entry } if *ob == b && *entry >= user);
                if !objs.iter().all(later) {
                    continue;
                }
                let Some(&ObjId::Entry { entry: target, .. }) = objs.first() else {
                    continue;
                };
                let Some(creator) = bp.entries.get(target) else {
                    continue;
                };
                let message = if target == user {
                    format!(
                        "this `!Find [{}, ...]` matches only the object its own entry creates, \
                         which is not saved yet when the lookup runs",
                        query.model
                    )
                } else {
                    format!(
                        "this `!Find [{}, ...]` matches only an object that entry {} further \
                         down creates",
                        query.model,
                        target + 1
                    )
                };
                let mut diag = Diagnostic::new(&META, bp.file, query.span, message)
                    .label("nothing to find yet at this point")
                    .help(
                        "entries apply in order and a `!Find` runs when its entry is applied: on a \
                     fresh install it finds nothing and writes null (or the entry fails, and \
                     the whole blueprint with it); move the entry that creates the object \
                     above this one",
                    );
                if target != user {
                    diag = diag.related(bp.file, creator.span, "created here, later");
                }
                out.push(diag);
            }
        }
    }
}
