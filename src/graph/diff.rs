//! Two graphs of one repository (a git revision and the work tree) as one, each
//! node and edge marked added, removed or changed.
//!
//! Nodes match by key (model and slug or name, never a path), edges by the keys
//! of their ends and what they are (a binding's order, a reference's field). A
//! node or edge is changed when what defines it differs as data (its entries'
//! attributes), not when only its layout, quoting or file moved.

use super::{Change, Edge, EdgeKind, Graph};
use std::collections::HashMap;

/// `new` with the nodes and edges only `old` has appended, every difference
/// marked. Only what the paths given define counts as a change: built-in
/// objects that enter or leave the picture with a reference, and the shipped
/// bindings of a built-in flow drawn or not, are not changes of the set.
pub fn merge(old: &Graph, new: &Graph) -> Graph {
    let mut merged = new.clone();
    let old_nodes: HashMap<&str, usize> = old
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.key.as_str(), i))
        .collect();
    let new_nodes: HashMap<String, usize> = new
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.key.clone(), i))
        .collect();
    for node in &mut merged.nodes {
        node.change = match old_nodes.get(node.key.as_str()) {
            None if node.given => Some(Change::Added),
            Some(&o) if old.nodes[o].fingerprint != node.fingerprint => Some(Change::Changed),
            _ => None,
        };
    }
    // Old node -> merged node.
    let mut at: HashMap<usize, usize> = HashMap::new();
    for (o, node) in old.nodes.iter().enumerate() {
        match new_nodes.get(&node.key) {
            Some(&n) => {
                at.insert(o, n);
            }
            None => {
                let mut removed = node.clone();
                removed.change = node.given.then_some(Change::Removed);
                merged.nodes.push(removed);
                at.insert(o, merged.nodes.len() - 1);
            }
        }
    }
    let old_edges: HashMap<String, usize> = old
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key(old), i))
        .collect();
    let new_edges: HashMap<String, usize> = new
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key(new), i))
        .collect();
    let in_both = |edge: &Edge, graph: &Graph| {
        let key = |n: usize| graph.nodes[n].key.as_str();
        old_nodes.contains_key(key(edge.from))
            && old_nodes.contains_key(key(edge.to))
            && new_nodes.contains_key(key(edge.from))
            && new_nodes.contains_key(key(edge.to))
    };
    for (i, edge) in merged.edges.iter_mut().enumerate() {
        let key = new.edges[i].key(new);
        edge.change = match old_edges.get(&key) {
            None if edge.given || (edge.builtin && in_both(&new.edges[i], new)) => {
                Some(Change::Added)
            }
            Some(&o) if old.edges[o].fingerprint != edge.fingerprint => Some(Change::Changed),
            _ => None,
        };
    }
    // Old edge -> merged edge, for the policies bound to stage bindings.
    let mut edge_at: HashMap<usize, usize> = HashMap::new();
    for (o, edge) in old.edges.iter().enumerate() {
        let key = edge.key(old);
        if let Some(&n) = new_edges.get(&key) {
            edge_at.insert(o, n);
            continue;
        }
        let mut removed = edge.clone();
        removed.from = at[&edge.from];
        removed.to = at[&edge.to];
        removed.change =
            (edge.given || (edge.builtin && in_both(edge, old))).then_some(Change::Removed);
        merged.edges.push(removed);
        edge_at.insert(o, merged.edges.len() - 1);
    }
    let first_old = new.edges.len();
    for edge in &mut merged.edges[first_old..] {
        if let EdgeKind::Policy { binding: Some(b) } = &mut edge.kind {
            *b = edge_at.get(b).copied().unwrap_or(*b);
        }
    }
    merged
}
