//! BP120: a reference (a `!Find`, or a primary key copied from an export) whose
//! object only blueprints the importer refuses create. A refused blueprint
//! applies nothing, so the reference finds nothing, in any order.

use super::refusal::Refusals;
use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::resolve::references::{self, Target};

rule! {
    pub struct RefusedDependency {
        code: "BP120",
        name: "refused-dependency",
        severity: Warning,
        fix: None,
        summary: "A `!Find` or key finds only what a blueprint the importer refuses would create",
    }
}

impl Rule for RefusedDependency {
    fn reads_findings(&self) -> bool {
        true
    }

    fn check_findings(&self, cx: &SetCx<'_>, found: &[&Diagnostic], out: &mut Vec<Diagnostic>) {
        let refusals = Refusals::of(cx, found);
        if !cx
            .blueprints
            .iter()
            .enumerate()
            .any(|(b, _)| refusals.is_refused(b))
        {
            return;
        }
        for reference in cx.cross_refs() {
            if !reference
                .creators
                .iter()
                .all(|(b, _)| refusals.is_refused(*b))
            {
                continue;
            }
            let (b, e) = reference.creators[0];
            let (Some(cause), Some(creator)) = (
                refusals.of_blueprint(b),
                cx.blueprints.get(b).and_then(|o| o.entries.get(e)),
            ) else {
                continue;
            };
            let other = &cx.blueprints[b];
            let bp = &cx.blueprints[reference.bp];
            let what = match reference.target {
                Target::Find(query) => format!("this `!Find [{}, ...]` matches", query.model),
                Target::Key(key) => format!("`{}: {}` names", key.field, key.value),
            };
            let consequence = match reference.target {
                Target::Find(_) => {
                    "the lookup finds nothing, in any order: the field gets null, or the \
                     importer refuses this entry too where the field takes no null"
                }
                Target::Key(_) => {
                    "the key names no object, in any order: the importer refuses this entry, \
                     and nothing of this blueprint is applied either"
                }
            };
            out.push(
                Diagnostic::new(
                    &META,
                    bp.file,
                    reference.target.span(),
                    format!(
                        "{what} only an object that {} creates, and the importer refuses that \
                         blueprint",
                        references::describe(other)
                    ),
                )
                .label("finds nothing")
                .help(format!(
                    "the importer applies a blueprint in one transaction: where it refuses an \
                     entry, nothing of the blueprint is kept, so the object this refers to is \
                     never created and {consequence}. Fix the other blueprint first ({} there)",
                    cause.code
                ))
                .related(
                    other.file,
                    cause.span,
                    format!("{}: the importer refuses that blueprint here", cause.code),
                )
                .related(
                    other.file,
                    creator.span,
                    "the object would be created here",
                ),
            );
        }
    }
}
