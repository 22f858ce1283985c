//! BP222: an entry with `state: created` whose object exists already (a built-in,
//! or one an earlier entry of the blueprint defines): the importer never saves such
//! an entry, so its `attrs` are never applied.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::model::State;

rule! {
    pub struct CreatedStateIgnoresAttrs {
        code: "BP222",
        name: "created-state-ignores-attrs",
        severity: Warning,
        fix: None,
        summary: "`state: created` with `attrs` on an object that exists already: the attrs are never applied",
    }
}

impl Rule for CreatedStateIgnoresAttrs {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        for (file, entry, what) in super::existing::entries_on_existing(cx, State::Created) {
            if entry.attrs.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    file,
                    entry.span,
                    format!(
                        "`state: created` on {what}: the importer skips it, so its attrs are never applied"
                    ),
                )
                .label("never saved")
                .help(
                    "use `state: present` to apply the attrs to the existing object; keep \
                     `created` only for objects the blueprint makes when they are missing",
                ),
            );
        }
    }
}
