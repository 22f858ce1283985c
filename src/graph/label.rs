//! The text on a node or an edge, as lines: the renderers escape and join them
//! (Mermaid with `<br/>`, Graphviz with `\n`), so every format says the same.

use super::{Edge, EdgeKind, Finding, Graph, Node, Origin};

/// The lines of a node: its name, what it is (and where it comes from), the
/// findings on it.
pub fn node(node: &Node) -> Vec<String> {
    let mut detail = node.detail.clone();
    match &node.origin {
        Origin::Entry => {}
        Origin::Builtin { .. } => detail.push_str(" · built-in"),
        Origin::Assumed => detail.push_str(" · assumed in bplint.toml"),
        Origin::Dangling { code } => {
            if let Some(code) = code {
                detail.push_str(&format!(" · {code}"));
            }
        }
        Origin::Unknown { why } => detail.push_str(&format!(": {why}")),
    }
    if node.conditional {
        detail.push_str(" · if conditions");
    }
    if let Some(change) = node.change {
        detail.push_str(&format!(" · {}", change.as_str()));
    }
    let mut lines = vec![super::build::shorten(&node.name, 60), detail];
    // A dangling node names its finding's code already.
    if !matches!(node.origin, Origin::Dangling { .. }) {
        lines.extend(findings(&node.findings));
    }
    lines
}

/// The lines of an edge. `on_binding` says, for a policy bound to a stage
/// binding, which one (where the diagram does not draw the binding as its own
/// node, as a map does).
pub fn edge(graph: &Graph, edge: &Edge, on_binding: bool) -> Vec<String> {
    let order = edge
        .order
        .map_or_else(|| "?".to_string(), |o| o.to_string());
    let mut lines = match &edge.kind {
        EdgeKind::Binding => vec![order],
        EdgeKind::Policy { binding } => {
            let mut first = format!("order {order}");
            if let Some(b) = binding.filter(|_| on_binding) {
                let at = graph.edges[b]
                    .order
                    .map_or_else(|| "?".to_string(), |o| o.to_string());
                first.push_str(&format!(" · on binding {at}"));
            }
            vec![first]
        }
        EdgeKind::Reference { field } => vec![field.clone()],
    };
    lines.extend(edge.settings.iter().map(|(k, v)| format!("{k}: {v}")));
    if edge.conditional {
        lines.push("if conditions".into());
    }
    lines.extend(findings(&edge.findings));
    if let Some(change) = edge.change {
        lines.push(change.as_str().to_string());
    }
    lines
}

/// One line naming the codes of the findings, errors first: `⚠ BP111, BP205`.
fn findings(findings: &[Finding]) -> Option<String> {
    let mut codes: Vec<(std::cmp::Reverse<crate::diagnostic::Severity>, &str)> = findings
        .iter()
        .map(|f| (std::cmp::Reverse(f.severity), f.code))
        .collect();
    codes.sort();
    codes.dedup();
    let codes: Vec<&str> = codes.into_iter().map(|(_, c)| c).collect();
    (!codes.is_empty()).then(|| format!("⚠ {}", codes.join(", ")))
}

/// The worst finding's severity on a node or an edge.
pub fn worst(findings: &[Finding]) -> Option<crate::diagnostic::Severity> {
    findings.iter().map(|f| f.severity).max()
}
