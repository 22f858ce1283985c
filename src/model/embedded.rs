//! Blueprints carried inside Kubernetes objects (a ConfigMap's `data`, a Secret's
//! `stringData`, a custom resource's `spec.blueprint: |`), as GitOps repositories
//! ship them.
//!
//! An embedded blueprint is re-parsed *in place*: every byte of the file outside
//! the literal block scalar is replaced by a space (newlines kept), which leaves a
//! valid, uniformly indented YAML document whose spans are byte offsets of the
//! outer file. Diagnostics then point at the right line and column with no mapping.

use super::Origin;
use crate::source::Span;
use crate::yaml::{self, Node, Stream, Style, YamlError};

/// A blueprint found in a scalar of a Kubernetes object.
pub struct Embedded {
    pub origin: Origin,
    pub parsed: Result<Stream, YamlError>,
}

/// Keys whose values Kubernetes mounts as files.
const FILE_MAPS: &[&str] = &["data", "stringData"];

/// Whether a document is a Kubernetes object (`apiVersion` and `kind`).
pub fn is_kubernetes_object(root: &Node) -> bool {
    root.get("apiVersion").is_some() && root.get("kind").is_some()
}

/// Every blueprint embedded in a Kubernetes object document.
pub fn find(text: &str, root: &Node) -> Vec<Embedded> {
    if !is_kubernetes_object(root) {
        return Vec::new();
    }
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("object");
    let name = root
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Node::as_str)
        .unwrap_or("?");
    let object = format!("{kind}/{name}");
    let mut found = Vec::new();
    for map_key in FILE_MAPS {
        let Some(data) = root.get(map_key) else {
            continue;
        };
        for pair in data.pairs() {
            let Some(key) = pair.key.as_str() else {
                continue;
            };
            if let Some(parsed) = reparse(text, &pair.value) {
                found.push(Embedded {
                    origin: Origin::Embedded {
                        object: object.clone(),
                        key: key.to_string(),
                        key_span: pair.key.span,
                    },
                    parsed,
                });
            }
        }
    }
    if let Some(spec) = root.get("spec") {
        collect_spec(text, spec, "spec", &object, &mut found, 0);
    }
    found
}

/// Custom resources (an operator's `AkBlueprint`) keep the blueprint anywhere
/// under `spec`; look for literal block scalars that hold one.
fn collect_spec(
    text: &str,
    node: &Node,
    path: &str,
    object: &str,
    found: &mut Vec<Embedded>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    for pair in node.pairs() {
        let Some(key) = pair.key.as_str() else {
            continue;
        };
        let child_path = format!("{path}.{key}");
        if pair.value.map().is_some() {
            collect_spec(text, &pair.value, &child_path, object, found, depth + 1);
        } else if let Some(parsed) = reparse(text, &pair.value) {
            found.push(Embedded {
                origin: Origin::Embedded {
                    object: object.to_string(),
                    key: child_path,
                    key_span: pair.key.span,
                },
                parsed,
            });
        }
    }
}

/// Parse a literal block scalar that looks like a blueprint, in place.
fn reparse(text: &str, value: &Node) -> Option<Result<Stream, YamlError>> {
    let scalar = value.scalar()?;
    if value.is_alias() || scalar.style != Style::Literal || !looks_like_blueprint(&scalar.value) {
        return None;
    }
    Some(yaml::parse(&mask_outside(text, value.span)))
}

fn looks_like_blueprint(content: &str) -> bool {
    content.lines().any(|l| l.starts_with("entries:"))
}

/// The text up to the end of `keep`, with every byte before it turned into a
/// space (line breaks kept), so spans into it are spans into the file. What
/// follows `keep` would be blank: it is left out, or a ConfigMap of many
/// blueprints would have each parse scan all the later ones.
fn mask_outside(text: &str, keep: Span) -> String {
    let bytes: Vec<u8> = text
        .bytes()
        .take(keep.end)
        .enumerate()
        .map(|(i, b)| {
            if (keep.start..keep.end).contains(&i) || b == b'\n' {
                b
            } else {
                b' '
            }
        })
        .collect();
    let mut bytes = bytes;
    blank_leading_document_marker(&mut bytes, keep);
    // Only whole characters inside `keep` survive and everything else is ASCII.
    String::from_utf8(bytes).unwrap_or_default()
}

/// An embedded file may start with `---` (after comments). Indented, the marker
/// is not YAML, so it is blanked: it only opens the one document anyway.
fn blank_leading_document_marker(bytes: &mut [u8], keep: Span) {
    let mut line_start = keep.start;
    while line_start < keep.end {
        let line_end = bytes[line_start..keep.end]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(keep.end, |i| line_start + i);
        let line = &bytes[line_start..line_end];
        let content_at = line.iter().position(|b| !b.is_ascii_whitespace());
        match content_at {
            None => {}
            Some(i) if line[i] == b'#' => {}
            Some(i) => {
                let rest = &line[i..];
                if rest.starts_with(b"---") && rest.get(3).is_none_or(|b| b.is_ascii_whitespace()) {
                    bytes[line_start + i..line_start + i + 3].fill(b' ');
                }
                return;
            }
        }
        line_start = line_end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_text_keeps_offsets() {
        let text = "data:\n  a.yaml: |\n    version: 1\n    entries: []\n";
        let stream = yaml::parse(text).unwrap();
        let root = &stream.documents[0].root;
        let found = find(text, root);
        assert!(found.is_empty(), "not a Kubernetes object");
        let k8s = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bp\n{text}");
        let stream = yaml::parse(&k8s).unwrap();
        let found = find(&k8s, &stream.documents[0].root);
        assert_eq!(found.len(), 1);
        let inner = found[0].parsed.as_ref().unwrap();
        let version = inner.documents[0].root.get("version").unwrap();
        assert_eq!(&k8s[version.span.start..version.span.end], "1");
    }
}
