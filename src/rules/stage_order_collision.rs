//! BP111: two different stages bound to one flow at the same `order`, across
//! the checked set and the stage bindings of the target release's default flows.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::knowledge::builtin_links::{BINDINGS, BuiltinBinding};
use crate::model::State;
use crate::resolve::{EntryFacts, Val};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt, HashSet};
use std::collections::BTreeMap;

rule! {
    pub struct StageOrderCollision {
        code: "BP111",
        name: "stage-order-collision",
        severity: Warning,
        fix: None,
        summary: "Two different stages are bound to one flow at the same order",
    }
}

const STAGE_BINDING: &str = "authentik_flows.flowstagebinding";
const FLOW: &str = "authentik_flows.flow";

/// Where a binding at some `(flow, order)` comes from.
enum Origin {
    Shipped(&'static BuiltinBinding),
    Entry { bp: usize, span: Span },
}

struct Bound {
    origin: Origin,
    stage: String,
    /// Blueprints with an entry that updates this binding (a new stage or order).
    replaced_by: Vec<usize>,
}

/// What one binding entry of the set says.
struct SetBinding {
    bp: usize,
    span: Span,
    flow: String,
    stage: String,
    order: i64,
    /// Which of `target`/`stage`/`order` the entry's identifiers hold: the
    /// importer updates the binding those select instead of adding one.
    selects: [bool; 3],
}

impl Rule for StageOrderCollision {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut bindings = Vec::new();
        let mut gone = Removed::default();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if entry.conditional {
                    continue;
                }
                if entry.state == State::Absent {
                    gone.note(cx, b, entry);
                } else if entry.model.as_deref() == Some(STAGE_BINDING)
                    && let Some(binding) = set_binding(cx, b, entry)
                {
                    bindings.push(binding);
                }
            }
        }
        // Flow -> order -> what is bound there, orders ascending: an updating
        // entry selects the first binding its identifiers match.
        let mut at: HashMap<String, BTreeMap<i64, Vec<Bound>>> = HashMap::new();
        for shipped in BINDINGS.iter().filter(|s| s.ships_in(cx.kb.version)) {
            if gone.removes(shipped.flow, shipped.stage, shipped.order) {
                continue;
            }
            at.entry(shipped.flow.to_string())
                .or_default()
                .entry(shipped.order)
                .or_default()
                .push(Bound {
                    origin: Origin::Shipped(shipped),
                    stage: shipped.stage.to_string(),
                    replaced_by: Vec::new(),
                });
        }
        for binding in bindings {
            let selects = binding.selects;
            let flow = at.entry(binding.flow).or_default();
            if selects[0] && (selects[1] || selects[2]) {
                // The entry updates the first binding of this flow its
                // identifiers match (a new stage or order for it), if any:
                // the importer's `.first()`, and bindings are ordered by
                // `target` then `order` (FlowStageBinding.Meta.ordering in
                // authentik/flows/models.py).
                let selected = flow
                    .iter_mut()
                    .filter(|(order, _)| !selects[2] || **order == binding.order)
                    .find_map(|(_, bound)| {
                        bound
                            .iter_mut()
                            .find(|b| !selects[1] || b.stage == binding.stage)
                    });
                if let Some(b) = selected {
                    b.replaced_by.push(binding.bp);
                }
            }
            flow.entry(binding.order).or_default().push(Bound {
                origin: Origin::Entry {
                    bp: binding.bp,
                    span: binding.span,
                },
                stage: binding.stage,
                replaced_by: Vec::new(),
            });
        }
        let mut flows: Vec<(&String, &BTreeMap<i64, Vec<Bound>>)> = at.iter().collect();
        flows.sort_by_key(|(flow, _)| *flow);
        for (flow, orders) in flows {
            for (order, bound) in orders {
                report(cx, flow, *order, bound, out);
            }
        }
    }
}

/// A diagnostic on each binding of the set whose stage differs from one bound
/// before it at the same flow and order.
fn report(cx: &SetCx<'_>, flow: &str, order: i64, bound: &[Bound], out: &mut Vec<Diagnostic>) {
    // For each binding, where the run of bindings of its stage that it starts
    // or continues ends.
    let mut run_end = vec![bound.len(); bound.len()];
    for j in (0..bound.len().saturating_sub(1)).rev() {
        run_end[j] = if bound[j + 1].stage == bound[j].stage {
            run_end[j + 1]
        } else {
            j + 1
        };
    }
    for (i, later) in bound.iter().enumerate() {
        let Origin::Entry { bp, span } = later.origin else {
            continue;
        };
        // Blueprints applied by hand (`instantiate: "false"`, like Authentik's
        // examples) are alternatives to each other: each is compared with the
        // install and the automatic blueprints only.
        let counts = |other: usize| other == bp || cx.blueprints[other].instantiates;
        let visible = |b: &&Bound| {
            let applied = match b.origin {
                Origin::Shipped(_) => true,
                Origin::Entry { bp: other, .. } => counts(other),
            };
            applied && !b.replaced_by.iter().any(|&r| counts(r))
        };
        // The first earlier visible binding of another stage. A set binds
        // the same stage at one order in file after file: runs of it are
        // stepped over whole, or this is quadratic in the files.
        let mut j = 0;
        let mut first = None;
        while j < i {
            if bound[j].stage == later.stage {
                j = run_end[j];
                continue;
            }
            if visible(&&bound[j]) {
                first = Some(&bound[j]);
                break;
            }
            j += 1;
        }
        let Some(first) = first else {
            continue;
        };
        let file = cx.blueprints[bp].file;
        let (whose, related) = match &first.origin {
            Origin::Shipped(s) => (format!("the shipped `{}` binds", s.source), None),
            Origin::Entry { bp: other, span } => {
                let other_bp = &cx.blueprints[*other];
                let place = if *other == bp {
                    "this blueprint".to_string()
                } else {
                    crate::source::display_path(&other_bp.path)
                };
                (format!("{place} binds"), Some((other_bp.file, *span)))
            }
        };
        let mut diag = Diagnostic::new(
            &META,
            file,
            span,
            format!(
                "flow `{flow}` gets a second stage at order {order}: {whose} `{}` there, \
                 this binding adds `{}` beside it",
                first.stage, later.stage
            ),
        )
        .label(format!("second stage at order {order}"))
        .help(
            "both stages run, one after the other in an order the database picks; to replace \
             the other stage, identify the binding by `target` and `order` only and set \
             `stage` under `attrs` (or reuse the other stage's name); to run both, give each \
             its own order",
        );
        if let Some((file, span)) = related {
            diag = diag.related(file, span, format!("`{}` bound here", first.stage));
        }
        out.push(diag);
    }
}

/// The flow slug, stage name and order of a binding entry, when all three are known.
fn set_binding(cx: &SetCx<'_>, bp: usize, entry: &EntryFacts) -> Option<SetBinding> {
    let (Some(Val::Ref(target)), Some(Val::Ref(stage)), Some(Val::Int(order))) = (
        entry.field("target"),
        entry.field("stage"),
        entry.field("order"),
    ) else {
        return None;
    };
    let flow = cx
        .index
        .field_of(cx.index.object_of_ref(bp, target)?, "slug")?;
    let stage_name = cx
        .index
        .field_of(cx.index.object_of_ref(bp, stage)?, "name")?;
    let has = |f: &str| entry.identifiers.iter().any(|(k, _, _)| k == f);
    if entry
        .identifiers
        .iter()
        .any(|(k, _, _)| !matches!(k.as_str(), "target" | "stage" | "order"))
    {
        // Selected some other way (`pk`): bplint cannot tell which binding.
        return Some(SetBinding {
            bp,
            span: entry.span,
            flow,
            stage: stage_name,
            order: *order,
            selects: [false; 3],
        });
    }
    Some(SetBinding {
        bp,
        span: entry.span,
        flow,
        stage: stage_name,
        order: *order,
        selects: [has("target"), has("stage"), has("order")],
    })
}

/// Flows, stages and bindings the set deletes, so their shipped bindings are
/// not counted.
#[derive(Default)]
struct Removed {
    flows: HashSet<String>,
    stages: HashSet<String>,
    /// `(flow, order, stage)`; a stage of `None` removes whatever is at the order.
    bindings: Vec<(String, i64, Option<String>)>,
}

impl Removed {
    fn note(&mut self, cx: &SetCx<'_>, bp: usize, entry: &EntryFacts) {
        let literal = |field: &str| {
            entry
                .identifiers
                .iter()
                .find(|(k, _, _)| k == field)
                .and_then(|(_, v, _)| v.lookup_key())
        };
        let Some(model) = entry.model.as_deref() else {
            return;
        };
        if model == FLOW {
            self.flows.extend(literal("slug"));
        } else if cx.kb.matches_model(model, "authentik_flows.stage") {
            self.stages.extend(literal("name"));
        } else if model == STAGE_BINDING {
            let target = match entry.field("target") {
                Some(Val::Ref(r)) => cx.index.object_of_ref(bp, r),
                _ => None,
            };
            let flow = target.and_then(|t| cx.index.field_of(t, "slug"));
            let stage = match entry.field("stage") {
                Some(Val::Ref(r)) => cx
                    .index
                    .object_of_ref(bp, r)
                    .and_then(|s| cx.index.field_of(s, "name")),
                _ => None,
            };
            if let (Some(flow), Some(Val::Int(order))) = (flow, entry.field("order")) {
                self.bindings.push((flow, *order, stage));
            }
        }
    }

    fn removes(&self, flow: &str, stage: &str, order: i64) -> bool {
        self.flows.contains(flow)
            || self.stages.contains(stage)
            || self.bindings.iter().any(|(f, o, s)| {
                f == flow && *o == order && s.as_deref().is_none_or(|s| s == stage)
            })
    }
}
