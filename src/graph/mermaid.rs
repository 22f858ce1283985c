//! Mermaid flowcharts, as Forgejo, Gitea, GitHub and GitLab render them in
//! Markdown: one `flowchart` per diagram, its title in front matter.
//!
//! Every label is quoted, and every character Mermaid's grammar or its HTML
//! labels could read as syntax is written as an entity code (`#quot;`), so no
//! name in a blueprint can break a diagram; `tests/integration/graph.sh` has
//! Mermaid's own parser read the output.

use super::label;
use super::view::{self, Diagram, Emit, MapKind, Shape};
use super::{EdgeKind, Graph, Kind, Node, Origin};
use crate::diagnostic::Severity;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// Every diagram, each titled in front matter, separated by a blank line.
pub fn render(graph: &Graph, diagrams: &[Diagram]) -> String {
    diagrams
        .iter()
        .map(|d| diagram(graph, d, true))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first line of the Markdown form: a workflow that posts it as a comment
/// can find its earlier comment by it, to edit that instead.
pub const MARKER: &str = "<!-- bplint graph -->";

/// Mermaid's default `maxTextSize`: a renderer refuses a longer diagram.
pub const MAX_TEXT: usize = 50_000;

/// The diagrams for a pull-request comment: [`MARKER`], `heading`, then each
/// diagram under its own heading in a ```` ```mermaid ```` fence.
pub fn markdown(graph: &Graph, diagrams: &[Diagram], heading: &str, empty: &str) -> String {
    let mut out = format!("{MARKER}\n## {heading}\n\n");
    if diagrams.is_empty() {
        let _ = writeln!(out, "{empty}");
    }
    for d in diagrams {
        let _ = write!(
            out,
            "### {}\n\n```mermaid\n{}```\n\n",
            markdown_text(&d.title),
            diagram(graph, d, false)
        );
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// One diagram; `titled` puts its title in front matter.
pub fn diagram(graph: &Graph, d: &Diagram, titled: bool) -> String {
    let mut w = Writer {
        graph,
        out: String::new(),
        objects: HashMap::new(),
        next: 0,
        classes: BTreeMap::new(),
        links: 0,
        link_styles: BTreeMap::new(),
    };
    if titled {
        let _ = write!(w.out, "---\ntitle: {}\n---\n", yaml_string(&d.title));
    }
    match &d.shape {
        Shape::Flow {
            flow,
            bindings,
            policies,
            references,
        } => {
            w.out.push_str("flowchart TD\n");
            view::walk_flow(graph, &mut w, *flow, bindings, policies, references);
        }
        Shape::Map { what, nodes, edges } => {
            let direction = if *what == MapKind::Diff { "TD" } else { "LR" };
            let _ = writeln!(w.out, "flowchart {direction}");
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
    w.finish()
}

struct Writer<'g> {
    graph: &'g Graph,
    out: String,
    /// Graph node -> its id in this diagram (a stage bound twice in a flow is
    /// drawn twice and is not here).
    objects: HashMap<usize, String>,
    next: usize,
    /// Class -> the ids it styles.
    classes: BTreeMap<&'static str, Vec<String>>,
    /// Links drawn so far: `linkStyle` numbers them in order.
    links: usize,
    link_styles: BTreeMap<usize, &'static str>,
}

impl view::Emit for Writer<'_> {
    fn fresh(&mut self) -> String {
        let id = format!("n{}", self.next);
        self.next += 1;
        id
    }

    /// The id of graph node `n`, declared the first time it is drawn.
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
        let text = label::node(node)
            .iter()
            .map(|line| escape(line))
            .collect::<Vec<_>>()
            .join("<br/>");
        let (open, close) = shape(node.kind);
        let _ = writeln!(self.out, "  {id}{open}\"{text}\"{close}");
        for class in classes(node) {
            self.classes.entry(class).or_default().push(id.to_string());
        }
    }

    /// A link for graph edge `e`; `on_binding` as in [`label::edge`].
    fn link(&mut self, from: &str, to: &str, e: usize, on_binding: bool) {
        let edge = &self.graph.edges[e];
        let text = label::edge(self.graph, edge, on_binding)
            .iter()
            .map(|line| escape(line))
            .collect::<Vec<_>>()
            .join("<br/>");
        let arrow = match (&edge.kind, edge.change) {
            (_, Some(super::Change::Removed)) => "-.->",
            (EdgeKind::Policy { .. }, _) => "-.->",
            _ if matches!(
                self.graph.nodes[edge.to].origin,
                Origin::Dangling { .. } | Origin::Unknown { .. }
            ) =>
            {
                "-.->"
            }
            _ => "-->",
        };
        let _ = writeln!(self.out, "  {from} {arrow}|\"{text}\"| {to}");
        let style = match edge.change {
            Some(change) => Some(change_style(change)),
            None => match label::worst(&edge.findings) {
                Some(Severity::Error) => Some("stroke:#c62828,stroke-width:2px"),
                Some(Severity::Warning) => Some("stroke:#ef6c00,stroke-width:2px"),
                None => None,
            },
        };
        if let Some(style) = style {
            self.link_styles.insert(self.links, style);
        }
        self.links += 1;
    }
}

impl Writer<'_> {
    fn finish(mut self) -> String {
        let used: Vec<&'static str> = self.classes.keys().copied().collect();
        for class in used {
            let _ = writeln!(self.out, "  classDef {class} {}", class_style(class));
        }
        for (class, ids) in &self.classes {
            let _ = writeln!(self.out, "  class {} {class}", ids.join(","));
        }
        for (link, style) in &self.link_styles {
            let _ = writeln!(self.out, "  linkStyle {link} {style}");
        }
        self.out
    }
}

/// The brackets of a node of `kind`.
fn shape(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Flow => ("([", "])"),
        Kind::Stage | Kind::Provider | Kind::Other => ("[", "]"),
        Kind::Policy => ("{{", "}}"),
        Kind::Group | Kind::User => ("[/", "/]"),
        Kind::Application => ("[[", "]]"),
        Kind::Outpost => ("[/", "\\]"),
        Kind::Source => ("[\\", "/]"),
        Kind::Brand => (">", "]"),
    }
}

/// The style classes of a node: where it comes from, its worst finding, its
/// change (later classes win where they set the same property).
fn classes(node: &Node) -> Vec<&'static str> {
    let mut classes = Vec::new();
    match node.origin {
        Origin::Builtin { .. } | Origin::Assumed => classes.push("builtin"),
        Origin::Dangling { .. } => classes.push("dangling"),
        Origin::Unknown { .. } => classes.push("unknown"),
        Origin::Entry => {}
    }
    match label::worst(&node.findings) {
        Some(Severity::Error) => classes.push("error"),
        Some(Severity::Warning) => classes.push("warning"),
        None => {}
    }
    if let Some(change) = node.change {
        classes.push(change.as_str());
    }
    classes
}

fn class_style(class: &str) -> &'static str {
    match class {
        "builtin" => "fill:#eceff1,stroke:#78909c,color:#263238",
        "dangling" => "fill:#ffebee,stroke:#c62828,stroke-dasharray:5 3,color:#b71c1c",
        "unknown" => "fill:#fafafa,stroke:#9e9e9e,stroke-dasharray:5 3,color:#424242",
        "error" => "stroke:#c62828,stroke-width:3px",
        "warning" => "stroke:#ef6c00,stroke-width:3px",
        "added" => "fill:#e8f5e9,stroke:#2e7d32,stroke-width:3px",
        "removed" => "fill:#ffebee,stroke:#c62828,stroke-width:3px,stroke-dasharray:5 3",
        _ => "fill:#fff8e1,stroke:#ef6c00,stroke-width:3px",
    }
}

fn change_style(change: super::Change) -> &'static str {
    match change {
        super::Change::Added => "stroke:#2e7d32,stroke-width:3px",
        super::Change::Removed => "stroke:#c62828,stroke-width:3px,stroke-dasharray:5 3",
        super::Change::Changed => "stroke:#ef6c00,stroke-width:3px",
    }
}

/// A label line inside double quotes: Mermaid's entity codes for what its
/// grammar or an HTML label would read, control characters as spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '%' => out.push_str("#37;"),
            '\\' => out.push_str("#92;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A YAML double-quoted string for the front matter's `title`.
fn yaml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A heading's text, with what Markdown would read as markup escaped.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_keeps_no_character_mermaid_reads_as_syntax() {
        let hostile = "a \"b\" #c &d <e> `f` |g| %%h\\i\nj\tk";
        let escaped = escape(hostile);
        for c in ['"', '<', '>', '`', '|', '\\', '\n', '\t'] {
            assert!(!escaped.contains(c), "{c:?} in {escaped}");
        }
        // Every `#` starts an entity code, every `&` or `%` is inside one.
        assert_eq!(
            escaped,
            "a #quot;b#quot; #35;c #amp;d #lt;e#gt; #96;f#96; #124;g#124; #37;#37;h#92;i j k"
        );
        assert_eq!(escape("Ünïcødé 登录"), "Ünïcødé 登录");
    }

    #[test]
    fn a_title_is_a_yaml_string_and_a_heading_plain_text() {
        assert_eq!(yaml_string("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c \"");
        assert_eq!(
            markdown_text("flow *a_b* `c` #1"),
            "flow \\*a\\_b\\* \\`c\\` \\#1"
        );
    }
}
