//! The picture a blueprint set draws: flows and the stages they bind in order,
//! the policies bound to them, and the applications, providers, outposts,
//! sources and brands that lead to the flows.
//!
//! [`build`] turns the set's facts, its index and the findings of a run into a
//! [`Graph`] of objects (nodes) and what connects them (edges): a stage binding,
//! a policy binding, or a reference from one object's field to another. Every
//! node and edge keeps where the set defines it and the findings on that place.
//! [`view`] picks the diagrams to draw from it (one per flow, an overview, one
//! flow or application), [`mermaid`], [`dot`] and [`json`] print them, and
//! [`diff`] compares the graphs of two states of a repository.
//!
//! Nothing here runs a check or reads a file: the caller hands over what a run
//! produced (see `graph_command`).

pub mod build;
pub mod diff;
pub mod dot;
pub mod json;
pub mod label;
pub mod mermaid;
pub mod view;

pub use build::{GraphFile, Input, build};

use crate::diagnostic::Severity;

/// The objects of a set and what connects them.
#[derive(Debug, Default, Clone)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// What an object is, as far as the picture cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Flow,
    Stage,
    Policy,
    Group,
    User,
    Application,
    Provider,
    Outpost,
    Source,
    Brand,
    /// A reference whose target's kind is not known (a dangling `!KeyOf`).
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Flow => "flow",
            Kind::Stage => "stage",
            Kind::Policy => "policy",
            Kind::Group => "group",
            Kind::User => "user",
            Kind::Application => "application",
            Kind::Provider => "provider",
            Kind::Outpost => "outpost",
            Kind::Source => "source",
            Kind::Brand => "brand",
            Kind::Other => "object",
        }
    }
}

/// Where a node comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Entries of the set create or update it.
    Entry,
    /// Authentik creates it (a shipped blueprint, or start-up code); entries of
    /// the set may update it too (then it has places).
    Builtin { source: &'static str },
    /// bplint.toml's `assume_exists` declares it.
    Assumed,
    /// A reference that resolves to nothing: the code of the finding that says
    /// so, when the run reported one on the reference.
    Dangling { code: Option<&'static str> },
    /// A reference bplint cannot follow: an object only the database may hold,
    /// a primary key, or a value set by a tag.
    Unknown { why: String },
}

impl Origin {
    pub fn as_str(&self) -> &'static str {
        match self {
            Origin::Entry => "entry",
            Origin::Builtin { .. } => "builtin",
            Origin::Assumed => "assumed",
            Origin::Dangling { .. } => "dangling",
            Origin::Unknown { .. } => "unknown",
        }
    }
}

/// A place in a file of the set: the path as bplint prints it, 1-based line and
/// column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A finding of the run, on the entry that defines a node or an edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub place: Place,
}

/// How a node or an edge differs from the other revision (`graph --diff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    /// Identity across runs and revisions: the model and the field an object is
    /// known by (`authentik_flows.flow slug=login`), never a path or a position,
    /// so an object that moves between files is still the same node.
    pub key: String,
    pub kind: Kind,
    /// The model, when known.
    pub model: Option<String>,
    /// What the object is called: its slug, name, username or domain, else the
    /// entry's `id`; for a reference that resolves to nothing, the reference.
    pub name: String,
    /// A line saying what it is: `identification stage`, `flow · authentication`.
    pub detail: String,
    pub origin: Origin,
    /// One of the paths given defines it (not only the repository's other files).
    pub given: bool,
    /// Every entry defining it applies only under `conditions`.
    pub conditional: bool,
    /// The entries that define it, in set order.
    pub places: Vec<Place>,
    pub findings: Vec<Finding>,
    /// A hash of what the entries defining it set (layout, quoting and order of
    /// files aside): two revisions with equal fingerprints define it alike.
    pub fingerprint: u64,
    pub change: Option<Change>,
}

/// What an edge stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeKind {
    /// A flow-stage binding: from the flow to the stage.
    Binding,
    /// A policy binding: from the policy (group, user) to what it is bound to.
    /// `binding` is the stage binding it sits on (an index into the edges),
    /// when it is bound to one rather than to the flow or application.
    Policy { binding: Option<usize> },
    /// A field of one object naming another (`authorization_flow`, `provider`).
    Reference { field: String },
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// A binding's `order`.
    pub order: Option<i64>,
    /// The settings of a binding that are set, as written (`negate: true`).
    pub settings: Vec<(String, String)>,
    /// Shipped with Authentik (a default flow's binding), not defined by the set.
    pub builtin: bool,
    pub given: bool,
    pub conditional: bool,
    /// The entry (or, for a reference, the field) that defines it.
    pub place: Option<Place>,
    pub findings: Vec<Finding>,
    pub fingerprint: u64,
    pub change: Option<Change>,
}

impl Edge {
    /// Identity across revisions, given the keys of its two ends.
    pub fn key(&self, graph: &Graph) -> String {
        let from = &graph.nodes[self.from].key;
        let to = &graph.nodes[self.to].key;
        match &self.kind {
            EdgeKind::Binding => format!("binding {from} -> {to} @{:?}", self.order),
            EdgeKind::Policy { binding } => {
                let on = binding.map_or_else(String::new, |b| {
                    format!(" on {:?}", graph.edges.get(b).and_then(|e| e.order))
                });
                format!("policy {from} -> {to}{on} @{:?}", self.order)
            }
            EdgeKind::Reference { field } => format!("{field} {from} -> {to}"),
        }
    }
}

impl Graph {
    /// The stage bindings of `flow`, in the order the flow runs them (by
    /// `order`, then as defined; a binding without a literal order last).
    pub fn bindings_of(&self, flow: usize) -> Vec<usize> {
        let mut bindings: Vec<usize> = (0..self.edges.len())
            .filter(|&i| self.edges[i].from == flow && self.edges[i].kind == EdgeKind::Binding)
            .collect();
        bindings.sort_by_key(|&i| (self.edges[i].order.is_none(), self.edges[i].order, i));
        bindings
    }

    /// The node a kind and slug (or name) names, as `--flow` and
    /// `--application` look it up.
    pub fn find(&self, kind: Kind, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| {
            n.kind == kind
                && n.name == name
                && !matches!(n.origin, Origin::Dangling { .. } | Origin::Unknown { .. })
        })
    }
}
