//! BP119: a reference (a `!Find`, or a primary key copied from an export) whose
//! object only another blueprint of the set creates, with nothing making that
//! blueprint apply first. Authentik applies each blueprint as its own task, in
//! no fixed order: where this one runs first, the reference finds nothing.

use super::refusal::Refusals;
use super::{Rule, SetCx};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::resolve::order::{ApplyOrder, has_instance};
use crate::resolve::references::{self, CrossRef, Target};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};

rule! {
    pub struct ApplyOrderDependency {
        code: "BP119",
        name: "apply-order-dependency",
        severity: Warning,
        fix: Unsafe,
        summary: "A `!Find` or key finds only what another blueprint creates, which Authentik may apply later",
    }
}

impl Rule for ApplyOrderDependency {
    fn reads_findings(&self) -> bool {
        true
    }

    fn check_findings(&self, cx: &SetCx<'_>, found: &[&Diagnostic], out: &mut Vec<Diagnostic>) {
        let refs = cx.cross_refs();
        if refs.is_empty() {
            return;
        }
        let refusals = Refusals::of(cx, found);
        let order = ApplyOrder::new(cx.blueprints);
        // The blueprints by name, for the fix to tell whether a name is the
        // target's alone without comparing it with every blueprint's.
        let mut named: Named<'_> = HashMap::new();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            if let Some((name, _)) = &bp.name {
                named.entry(name.as_str()).or_default().push(b);
            }
        }
        for reference in refs {
            // A blueprint the importer refuses creates nothing: BP120's finding.
            let creators: Vec<(usize, usize)> = reference
                .creators
                .iter()
                .copied()
                .filter(|(b, _)| !refusals.is_refused(*b))
                .collect();
            if creators.is_empty() {
                continue;
            }
            // Applied first, itself or a copy of it (a file and its ConfigMap).
            let before = order.applied_before(reference.bp, reference.entry);
            if creators.iter().any(|&(b, _)| {
                before
                    .iter()
                    .any(|&first| references::same_blueprint(cx.index, first, b))
            }) {
                continue;
            }
            out.push(diagnostic(cx, &order, &named, reference, &creators));
        }
    }
}

/// Blueprint name -> the blueprints of the set that have it.
type Named<'a> = HashMap<&'a str, Vec<usize>>;

fn diagnostic(
    cx: &SetCx<'_>,
    order: &ApplyOrder,
    by_name: &Named<'_>,
    reference: &CrossRef<'_>,
    creators: &[(usize, usize)],
) -> Diagnostic {
    let bp = &cx.blueprints[reference.bp];
    let mut others: Vec<usize> = creators.iter().map(|(b, _)| *b).collect();
    others.sort_unstable();
    others.dedup();
    let named: Vec<String> = others
        .iter()
        .map(|&b| references::describe(&cx.blueprints[b]))
        .collect();
    let who = crate::diagnostic::and_list(&named).replace(" and ", " or ");
    let (what, failure) = match reference.target {
        Target::Find(query) => (
            format!("this `!Find [{}, ...]` matches", query.model),
            "the lookup finds nothing: the field gets null and keeps it until the file \
             changes, or, where the field takes no null, the importer refuses the blueprint \
             until the next hourly discovery",
        ),
        Target::Key(key) => (
            format!("`{}: {}` names", key.field, key.value),
            "the key names no object yet: the importer refuses the blueprint until the next \
             hourly discovery",
        ),
    };
    let message = format!(
        "{what} only an object that {who} creates, which Authentik may apply after this blueprint"
    );
    let mut diag = Diagnostic::new(&META, bp.file, reference.target.span(), message)
        .label("may find nothing on a fresh install");
    let first = others[0];
    let fix = fix(cx, order, by_name, reference.bp, first);
    let remedy = match (&fix, &cx.blueprints[first].name) {
        (Some(_), Some((name, _))) => format!(
            "apply `{name}` first with a `metaapplyblueprint` entry above this one, or move \
             the objects into this blueprint"
        ),
        _ => "apply that blueprint first with a `metaapplyblueprint` entry above this one (by \
              its `metadata.name`), or move the objects into this blueprint"
            .to_string(),
    };
    diag = diag.help(format!(
        "Authentik applies each blueprint as a task of its own, in no fixed order (file names \
         do not order them). Where this blueprint runs first, {failure}. {}",
        crate::diagnostic::capitalized(&remedy)
    ));
    for &(b, e) in creators.iter().take(3) {
        let other = &cx.blueprints[b];
        if let Some(entry) = other.entries.get(e) {
            diag = diag.related(other.file, entry.span, "created here, in another blueprint");
        }
    }
    if let Some(fix) = fix {
        diag = diag.fix(fix);
    }
    diag
}

/// A `metaapplyblueprint` entry for blueprint `target`, inserted above the
/// first entry of blueprint `user`: offered when `target` has a name no other
/// blueprint of the set has (the instance the meta model looks up goes by it),
/// discovery gives it an instance, and it does not apply `user` itself (the two
/// would apply each other without end).
fn fix(
    cx: &SetCx<'_>,
    order: &ApplyOrder,
    named: &Named<'_>,
    user: usize,
    target: usize,
) -> Option<Fix> {
    let bp = &cx.blueprints[user];
    let other = &cx.blueprints[target];
    let (name, _) = other.name.as_ref()?;
    let (at, indent) = bp.entries_top?;
    let unique = named
        .get(name.as_str())
        .into_iter()
        .flatten()
        .all(|&i| references::same_blueprint(cx.index, i, target));
    if !has_instance(other) || !unique || order.applied_before(target, usize::MAX).contains(&user) {
        return None;
    }
    let eol = bp.eol();
    let pad = " ".repeat(indent);
    let quoted = super::edits::scalar(name);
    let replacement = format!(
        "{pad}- model: authentik_blueprints.metaapplyblueprint{eol}\
         {pad}  attrs:{eol}\
         {pad}    identifiers:{eol}\
         {pad}      name: {quoted}{eol}\
         {pad}    required: false{eol}"
    );
    Some(Fix {
        title: format!("apply `{name}` first with a `metaapplyblueprint` entry"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            span: Span::empty(at),
            replacement,
        }],
    })
}
