//! Which diagrams a graph is drawn as: one per flow the given paths touch, in
//! the order the set defines them, each with its stages in binding order; an
//! overview of the applications, providers, outposts, sources and brands and
//! the flows they lead to; one flow or one application on request; and the
//! changes between two revisions.

use super::{EdgeKind, Graph, Kind, Node, Origin};
use std::collections::{BTreeSet, HashMap};

/// A diagram and its title.
#[derive(Debug, Clone)]
pub struct Diagram {
    pub title: String,
    pub shape: Shape,
}

#[derive(Debug, Clone)]
pub enum Shape {
    /// A flow: its stage bindings in the order it runs them, the policies bound
    /// to it or to them, and the flows its stages lead to.
    Flow {
        flow: usize,
        bindings: Vec<usize>,
        policies: Vec<usize>,
        references: Vec<usize>,
    },
    /// Objects and edges drawn as they are (the overview, an application, a diff).
    Map {
        what: MapKind,
        nodes: Vec<usize>,
        edges: Vec<usize>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    Overview,
    Application,
    Diff,
}

impl Diagram {
    pub fn kind(&self) -> &'static str {
        match &self.shape {
            Shape::Flow { .. } => "flow",
            Shape::Map {
                what: MapKind::Overview,
                ..
            } => "overview",
            Shape::Map {
                what: MapKind::Application,
                ..
            } => "application",
            Shape::Map {
                what: MapKind::Diff,
                ..
            } => "diff",
        }
    }

    /// Every node and edge the diagram shows.
    pub fn contents(&self, graph: &Graph) -> (BTreeSet<usize>, BTreeSet<usize>) {
        match &self.shape {
            Shape::Flow {
                flow,
                bindings,
                policies,
                references,
            } => {
                let edges: BTreeSet<usize> = bindings
                    .iter()
                    .chain(policies)
                    .chain(references)
                    .copied()
                    .collect();
                let mut nodes: BTreeSet<usize> = edges
                    .iter()
                    .flat_map(|&e| [graph.edges[e].from, graph.edges[e].to])
                    .collect();
                nodes.insert(*flow);
                (nodes, edges)
            }
            Shape::Map { nodes, edges, .. } => (
                nodes.iter().copied().collect(),
                edges.iter().copied().collect(),
            ),
        }
    }
}

/// The diagram of flow `flow`.
pub fn flow(graph: &Graph, flow: usize) -> Diagram {
    let bindings = graph.bindings_of(flow);
    let stages: BTreeSet<usize> = bindings.iter().map(|&b| graph.edges[b].to).collect();
    let policies = (0..graph.edges.len())
        .filter(|&e| match graph.edges[e].kind {
            EdgeKind::Policy { binding: Some(b) } => bindings.contains(&b),
            EdgeKind::Policy { binding: None } => graph.edges[e].to == flow,
            _ => false,
        })
        .collect();
    let references = (0..graph.edges.len())
        .filter(|&e| {
            let edge = &graph.edges[e];
            matches!(edge.kind, EdgeKind::Reference { .. }) && stages.contains(&edge.from)
        })
        .collect();
    let node = &graph.nodes[flow];
    Diagram {
        title: format!("flow {}", node.name),
        shape: Shape::Flow {
            flow,
            bindings,
            policies,
            references,
        },
    }
}

/// Whether the paths given define the flow, bind a stage to it, or bind a
/// policy to it or to one of its stage bindings.
fn touched(graph: &Graph, flow: usize) -> bool {
    graph.nodes[flow].given
        || graph.edges.iter().any(|e| match e.kind {
            EdgeKind::Binding => e.from == flow && e.given,
            EdgeKind::Policy { binding } => {
                e.given
                    && match binding {
                        Some(b) => graph.edges[b].from == flow,
                        None => e.to == flow,
                    }
            }
            EdgeKind::Reference { .. } => false,
        })
}

/// One diagram per flow the paths given touch, in the order the set defines them.
pub fn flows(graph: &Graph) -> Vec<Diagram> {
    (0..graph.nodes.len())
        .filter(|&n| {
            let node = &graph.nodes[n];
            node.kind == Kind::Flow
                && !matches!(
                    node.origin,
                    Origin::Dangling { .. } | Origin::Unknown { .. }
                )
                && touched(graph, n)
        })
        .map(|n| flow(graph, n))
        .collect()
}

/// The kinds the overview starts from.
const ROOTS: &[Kind] = &[
    Kind::Application,
    Kind::Provider,
    Kind::Outpost,
    Kind::Source,
    Kind::Brand,
];

/// The overview: the applications, providers, outposts, sources and brands the
/// paths given define, what their references lead to, the outposts serving
/// their providers and the policies bound to them. `None` when the paths define
/// none of them.
pub fn overview(graph: &Graph) -> Option<Diagram> {
    let start: Vec<usize> = (0..graph.nodes.len())
        .filter(|&n| graph.nodes[n].given && ROOTS.contains(&graph.nodes[n].kind))
        .collect();
    if start.is_empty() {
        return None;
    }
    Some(map(graph, &start, "overview".into(), MapKind::Overview))
}

/// The diagram of application `app`: its providers, their flows and outposts,
/// and the policies bound to it.
pub fn application(graph: &Graph, app: usize) -> Diagram {
    let title = format!("application {}", graph.nodes[app].name);
    map(graph, &[app], title, MapKind::Application)
}

/// What `start` leads to along references, the outposts serving the providers
/// reached, and the policy bindings on what was reached.
fn map(graph: &Graph, start: &[usize], title: String, what: MapKind) -> Diagram {
    // Each node's references, so the walk looks at every edge once.
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for (e, edge) in graph.edges.iter().enumerate() {
        // Stages lead to flows only inside a flow's diagram.
        if matches!(edge.kind, EdgeKind::Reference { .. })
            && graph.nodes[edge.from].kind != Kind::Stage
        {
            out[edge.from].push(e);
        }
    }
    let mut nodes: Vec<usize> = start.to_vec();
    let mut seen: BTreeSet<usize> = start.iter().copied().collect();
    let mut edges = BTreeSet::new();
    let mut at = 0;
    while at < nodes.len() {
        let node = nodes[at];
        at += 1;
        for &e in &out[node] {
            edges.insert(e);
            if seen.insert(graph.edges[e].to) {
                nodes.push(graph.edges[e].to);
            }
        }
    }
    // Outposts serving a provider reached, and policies bound to what was reached.
    for (e, edge) in graph.edges.iter().enumerate() {
        let serves = matches!(edge.kind, EdgeKind::Reference { .. })
            && graph.nodes[edge.from].kind == Kind::Outpost
            && seen.contains(&edge.to);
        let guards = matches!(edge.kind, EdgeKind::Policy { binding: None })
            && seen.contains(&edge.to)
            && matches!(graph.nodes[edge.to].kind, Kind::Application | Kind::Source);
        if serves || guards {
            edges.insert(e);
            if seen.insert(edge.from) {
                nodes.push(edge.from);
            }
        }
    }
    Diagram {
        title,
        shape: Shape::Map {
            what,
            nodes,
            edges: edges.into_iter().collect(),
        },
    }
}

/// The changes of a graph `diff::merge` marked: every node and edge added,
/// removed or changed that the paths given define, and the nodes at the ends of
/// such edges. `None` when nothing changed.
pub fn changes(graph: &Graph, title: String) -> Option<Diagram> {
    let edges: Vec<usize> = (0..graph.edges.len())
        .filter(|&e| graph.edges[e].change.is_some())
        .collect();
    let mut seen = BTreeSet::new();
    let mut nodes = Vec::new();
    let marked = (0..graph.nodes.len()).filter(|&n| graph.nodes[n].change.is_some());
    let ends = edges
        .iter()
        .flat_map(|&e| [graph.edges[e].from, graph.edges[e].to]);
    for n in marked.chain(ends) {
        if seen.insert(n) {
            nodes.push(n);
        }
    }
    if nodes.is_empty() {
        return None;
    }
    Some(Diagram {
        title,
        shape: Shape::Map {
            what: MapKind::Diff,
            nodes,
            edges,
        },
    })
}

/// What a text format does to draw a flow: `object` names a node drawn once
/// per diagram, `fresh` a node drawn once per binding (a stage bound twice is
/// two boxes), `link` draws an edge.
pub trait Emit {
    fn fresh(&mut self) -> String;
    fn object(&mut self, n: usize) -> String;
    fn declare(&mut self, id: &str, node: &Node);
    fn link(&mut self, from: &str, to: &str, e: usize, on_binding: bool);
}

/// Draws a flow diagram the same way in every format: the flow, its stages in
/// binding order, the policies bound to the flow or to one binding, and the
/// flows a bound stage refers to.
pub fn walk_flow(
    graph: &Graph,
    w: &mut impl Emit,
    flow: usize,
    bindings: &[usize],
    policies: &[usize],
    references: &[usize],
) {
    let head = w.object(flow);
    let mut previous = head.clone();
    let mut occurrences: HashMap<usize, String> = HashMap::new();
    for &b in bindings {
        let stage = w.fresh();
        w.declare(&stage, &graph.nodes[graph.edges[b].to]);
        w.link(&previous, &stage, b, false);
        occurrences.insert(b, stage.clone());
        previous = stage;
    }
    for &p in policies {
        let edge = &graph.edges[p];
        let from = w.object(edge.from);
        let to = match edge.kind {
            EdgeKind::Policy { binding: Some(b) } => occurrences[&b].clone(),
            _ => head.clone(),
        };
        w.link(&from, &to, p, false);
    }
    for &r in references {
        let edge = &graph.edges[r];
        let to = w.object(edge.to);
        for &b in bindings.iter().filter(|&&b| graph.edges[b].to == edge.from) {
            let from = occurrences[&b].clone();
            w.link(&from, &to, r, false);
        }
    }
}
