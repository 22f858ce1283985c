//! The graph as one JSON object, for tools: the nodes and edges the diagrams
//! show, each with the file, line and column of what defines it and the
//! findings there, and the diagrams as lists of their ids.

use super::view::Diagram;
use super::{EdgeKind, Finding, Graph, Origin, Place};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Serialize)]
struct Report<'a> {
    /// The release the set was judged by.
    authentik_version: String,
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<JsonEdge<'a>>,
    diagrams: Vec<JsonDiagram<'a>>,
}

#[derive(Serialize)]
struct JsonPlace<'a> {
    file: &'a str,
    line: usize,
    column: usize,
}

impl<'a> JsonPlace<'a> {
    fn of(place: &'a Place) -> Self {
        JsonPlace {
            file: &place.file,
            line: place.line,
            column: place.column,
        }
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
}

fn findings(findings: &[Finding]) -> Vec<JsonFinding<'_>> {
    findings
        .iter()
        .map(|f| JsonFinding {
            code: f.code,
            severity: f.severity.as_str(),
            message: &f.message,
            file: &f.place.file,
            line: f.place.line,
            column: f.place.column,
        })
        .collect()
}

#[derive(Serialize)]
struct JsonNode<'a> {
    id: usize,
    key: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    name: &'a str,
    detail: &'a str,
    /// `entry`, `builtin`, `assumed`, `dangling` or `unknown`.
    origin: &'a str,
    /// A built-in object's shipped blueprint (or `startup`).
    #[serde(skip_serializing_if = "Option::is_none")]
    builtin_source: Option<&'a str>,
    /// A dangling reference's finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    /// Why an unknown reference cannot be followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<&'a str>,
    given: bool,
    conditional: bool,
    defined_at: Vec<JsonPlace<'a>>,
    findings: Vec<JsonFinding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    id: usize,
    from: usize,
    to: usize,
    /// `binding`, `policy` or `reference`.
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<i64>,
    /// A reference's field.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// A policy bound to a stage binding: that binding's edge id.
    #[serde(skip_serializing_if = "Option::is_none")]
    on_binding: Option<usize>,
    settings: serde_json::Map<String, serde_json::Value>,
    builtin: bool,
    given: bool,
    conditional: bool,
    defined_at: Option<JsonPlace<'a>>,
    findings: Vec<JsonFinding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDiagram<'a> {
    title: &'a str,
    kind: &'a str,
    nodes: Vec<usize>,
    edges: Vec<usize>,
}

/// The nodes and edges `diagrams` show, and the diagrams.
pub fn render(graph: &Graph, diagrams: &[Diagram], authentik_version: String) -> String {
    let mut shown_nodes = BTreeSet::new();
    let mut shown_edges = BTreeSet::new();
    let mut listed = Vec::new();
    for d in diagrams {
        let (nodes, edges) = d.contents(graph);
        shown_nodes.extend(nodes.iter().copied());
        shown_edges.extend(edges.iter().copied());
        listed.push(JsonDiagram {
            title: &d.title,
            kind: d.kind(),
            nodes: nodes.into_iter().collect(),
            edges: edges.into_iter().collect(),
        });
    }
    // A policy on a stage binding names it: the binding is shown too.
    for &e in &shown_edges.clone() {
        if let EdgeKind::Policy { binding: Some(b) } = graph.edges[e].kind {
            shown_edges.insert(b);
            shown_nodes.extend([graph.edges[b].from, graph.edges[b].to]);
        }
    }
    let nodes = shown_nodes
        .iter()
        .map(|&i| {
            let n = &graph.nodes[i];
            JsonNode {
                id: i,
                key: &n.key,
                kind: n.kind.as_str(),
                model: n.model.as_deref(),
                name: &n.name,
                detail: &n.detail,
                origin: n.origin.as_str(),
                builtin_source: match &n.origin {
                    Origin::Builtin { source } => Some(source),
                    _ => None,
                },
                code: match &n.origin {
                    Origin::Dangling { code } => *code,
                    _ => None,
                },
                why: match &n.origin {
                    Origin::Unknown { why } => Some(why),
                    _ => None,
                },
                given: n.given,
                conditional: n.conditional,
                defined_at: n.places.iter().map(JsonPlace::of).collect(),
                findings: findings(&n.findings),
                change: n.change.map(|c| c.as_str()),
            }
        })
        .collect();
    let edges = shown_edges
        .iter()
        .map(|&i| {
            let e = &graph.edges[i];
            let (kind, field, on_binding) = match &e.kind {
                EdgeKind::Binding => ("binding", None, None),
                EdgeKind::Policy { binding } => ("policy", None, *binding),
                EdgeKind::Reference { field } => ("reference", Some(field.as_str()), None),
            };
            JsonEdge {
                id: i,
                from: e.from,
                to: e.to,
                kind,
                order: e.order,
                field,
                on_binding,
                settings: e
                    .settings
                    .iter()
                    .map(|(k, v)| (k.clone(), setting_value(v)))
                    .collect(),
                builtin: e.builtin,
                given: e.given,
                conditional: e.conditional,
                defined_at: e.place.as_ref().map(JsonPlace::of),
                findings: findings(&e.findings),
                change: e.change.map(|c| c.as_str()),
            }
        })
        .collect();
    let report = Report {
        authentik_version,
        nodes,
        edges,
        diagrams: listed,
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

/// A setting as JSON: booleans and numbers as such, the rest as text.
fn setting_value(text: &str) -> serde_json::Value {
    match text {
        "true" => serde_json::Value::Bool(true),
        "false" => serde_json::Value::Bool(false),
        "null" => serde_json::Value::Null,
        _ => text
            .parse::<i64>()
            .map_or_else(|_| serde_json::Value::from(text), serde_json::Value::from),
    }
}
