//! Graphviz DOT: one `digraph`, each diagram a cluster of it (a single diagram
//! is the graph itself), so `dot -Tsvg` draws every diagram into one SVG.
//!
//! Node ids are generated (`d0n3`), and every label is a quoted string with
//! `"` and `\` escaped, so no name in a blueprint reaches DOT's syntax;
//! `tests/integration/graph.sh` has Graphviz read the output.

use super::label;
use super::view::{self, Diagram, Emit, Shape};
use super::{Change, EdgeKind, Graph, Kind, Node, Origin};
use crate::diagnostic::Severity;
use std::collections::HashMap;
use std::fmt::Write;

/// Every diagram in one `digraph`.
pub fn render(graph: &Graph, diagrams: &[Diagram]) -> String {
    let mut out = String::from("digraph bplint {\n");
    let single = diagrams.len() == 1;
    let direction = match diagrams {
        [only] if !matches!(only.shape, Shape::Flow { .. }) => "LR",
        _ => "TB",
    };
    let _ = writeln!(
        out,
        "  graph [rankdir={direction}, fontname=\"Helvetica\", fontsize=12, labelloc=t, nodesep=0.4];"
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10, shape=box];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (i, d) in diagrams.iter().enumerate() {
        let indent = if single { "  " } else { "    " };
        if single {
            let _ = writeln!(out, "  label={};", quote(std::slice::from_ref(&d.title)));
        } else {
            let _ = writeln!(out, "  subgraph cluster_{i} {{");
            let _ = writeln!(out, "    label={};", quote(std::slice::from_ref(&d.title)));
            out.push_str("    style=\"rounded\"; color=\"#b0bec5\";\n");
        }
        let mut w = Writer {
            graph,
            out: String::new(),
            prefix: format!("d{i}n"),
            indent,
            objects: HashMap::new(),
            next: 0,
        };
        diagram(&mut w, d);
        out.push_str(&w.out);
        if !single {
            out.push_str("  }\n");
        }
    }
    out.push_str("}\n");
    out
}

fn diagram(w: &mut Writer<'_>, d: &Diagram) {
    let graph = w.graph;
    match &d.shape {
        Shape::Flow {
            flow,
            bindings,
            policies,
            references,
        } => {
            view::walk_flow(graph, w, *flow, bindings, policies, references);
        }
        Shape::Map { nodes, edges, .. } => {
            for &n in nodes {
                w.object(n);
            }
            for &e in edges {
                let edge = &graph.edges[e];
                let from = w.object(edge.from);
                let to = w.object(edge.to);
                w.link(&from, &to, e, true);
            }
        }
    }
}

struct Writer<'g> {
    graph: &'g Graph,
    out: String,
    /// Ids are unique across the clusters of one graph.
    prefix: String,
    indent: &'static str,
    objects: HashMap<usize, String>,
    next: usize,
}

impl view::Emit for Writer<'_> {
    fn fresh(&mut self) -> String {
        let id = format!("{}{}", self.prefix, self.next);
        self.next += 1;
        id
    }

    fn object(&mut self, n: usize) -> String {
        if let Some(id) = self.objects.get(&n) {
            return id.clone();
        }
        let id = self.fresh();
        self.declare(&id, &self.graph.nodes[n]);
        self.objects.insert(n, id.clone());
        id
    }

    fn declare(&mut self, id: &str, node: &Node) {
        let mut attrs = vec![
            format!("label={}", quote(&label::node(node))),
            format!("shape={}", shape(node.kind)),
        ];
        // Rounded corners for the boxes; Graphviz has no rounded hexagon.
        let mut style = if matches!(node.kind, Kind::Stage | Kind::Other) {
            vec!["rounded"]
        } else {
            Vec::new()
        };
        let mut color = None;
        let mut fill = None;
        let mut pen = None;
        match node.origin {
            Origin::Builtin { .. } | Origin::Assumed => {
                style.push("filled");
                fill = Some("#eceff1");
                color = Some("#78909c");
            }
            Origin::Dangling { .. } => {
                style.extend(["dashed", "filled"]);
                fill = Some("#ffebee");
                color = Some("#c62828");
            }
            Origin::Unknown { .. } => {
                style.push("dashed");
                color = Some("#9e9e9e");
            }
            Origin::Entry => {}
        }
        match label::worst(&node.findings) {
            Some(Severity::Error) => (color, pen) = (Some("#c62828"), Some("2")),
            Some(Severity::Warning) => (color, pen) = (Some("#ef6c00"), Some("2")),
            None => {}
        }
        if let Some(change) = node.change {
            let (c, f) = change_colors(change);
            color = Some(c);
            fill = Some(f);
            pen = Some("2.5");
            if !style.contains(&"filled") {
                style.push("filled");
            }
            if change == Change::Removed && !style.contains(&"dashed") {
                style.push("dashed");
            }
        }
        if !style.is_empty() {
            attrs.push(format!("style=\"{}\"", style.join(",")));
        }
        attrs.extend(color.map(|c| format!("color=\"{c}\"")));
        attrs.extend(fill.map(|f| format!("fillcolor=\"{f}\"")));
        attrs.extend(pen.map(|p| format!("penwidth={p}")));
        let _ = writeln!(self.out, "{}{id} [{}];", self.indent, attrs.join(", "));
    }

    fn link(&mut self, from: &str, to: &str, e: usize, on_binding: bool) {
        let edge = &self.graph.edges[e];
        let mut attrs = vec![format!(
            "label={}",
            quote(&label::edge(self.graph, edge, on_binding))
        )];
        let target = &self.graph.nodes[edge.to].origin;
        if matches!(edge.kind, EdgeKind::Policy { .. })
            || matches!(target, Origin::Dangling { .. } | Origin::Unknown { .. })
            || edge.change == Some(Change::Removed)
        {
            attrs.push("style=dashed".into());
        }
        match (edge.change, label::worst(&edge.findings)) {
            (Some(change), _) => {
                attrs.push(format!("color=\"{}\"", change_colors(change).0));
                attrs.push("penwidth=2.5".into());
            }
            (None, Some(Severity::Error)) => attrs.push("color=\"#c62828\", penwidth=2".into()),
            (None, Some(Severity::Warning)) => attrs.push("color=\"#ef6c00\", penwidth=2".into()),
            (None, None) => {}
        }
        let _ = writeln!(
            self.out,
            "{}{from} -> {to} [{}];",
            self.indent,
            attrs.join(", ")
        );
    }
}

fn shape(kind: Kind) -> &'static str {
    match kind {
        Kind::Flow => "oval",
        Kind::Stage | Kind::Other => "box",
        Kind::Policy => "hexagon",
        Kind::Group | Kind::User => "parallelogram",
        Kind::Application => "component",
        Kind::Provider => "box3d",
        Kind::Outpost => "trapezium",
        Kind::Source => "invtrapezium",
        Kind::Brand => "house",
    }
}

/// (line, fill) of a change.
fn change_colors(change: Change) -> (&'static str, &'static str) {
    match change {
        Change::Added => ("#2e7d32", "#e8f5e9"),
        Change::Removed => ("#c62828", "#ffebee"),
        Change::Changed => ("#ef6c00", "#fff8e1"),
    }
}

/// Lines as one DOT string: `"` and `\` escaped, control characters as
/// spaces, lines joined with `\n`.
pub fn quote(lines: &[String]) -> String {
    let mut out = String::from("\"");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("\\n");
        }
        for c in line.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn a_label_is_one_quoted_string_whatever_it_holds() {
        let lines = vec!["a \"b\" \\N \\l".to_string(), "c\nd\te".to_string()];
        assert_eq!(quote(&lines), "\"a \\\"b\\\" \\\\N \\\\l\\nc d e\"");
    }
}
