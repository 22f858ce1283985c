//! BP221: an entry with `state: must_created` whose object exists already: a
//! built-in object of the release, or one an earlier entry of the same blueprint
//! creates. The importer refuses such an entry outright.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::model::State;

rule! {
    pub struct MustCreatedExists {
        code: "BP221",
        name: "must-created-exists",
        severity: Error,
        fix: None,
        summary: "`state: must_created` on an object that exists already (a built-in, or one an earlier entry creates)",
    }
}

impl Rule for MustCreatedExists {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        for (file, entry, what) in super::existing::entries_on_existing(cx, State::MustCreated) {
            out.push(
                Diagnostic::new(
                    &META,
                    file,
                    entry.span,
                    format!("`state: must_created`, but {what} exists already"),
                )
                .label("the importer refuses this entry")
                .help(
                    "`must_created` fails when the identifiers find an object; use `created` to \
                     create it only when missing, or `present` to update it",
                ),
            );
        }
    }
}
