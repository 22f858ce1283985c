//! Building fixes that add YAML: shared by every rule whose fix inserts a key or a
//! list item, so indentation, line endings and flow/block style are handled once.

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::model::Entry;
use crate::source::Span;
use crate::yaml::{Kind, Node};
use foldhash::{HashMap, HashMapExt};

/// The file's line ending (`\r\n` if it uses any).
pub fn eol(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Byte offset of the end of the line containing `offset` (before `\r\n`/`\n`).
pub fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// The indentation before `offset` if only spaces precede it on its line.
pub fn indent_before(text: &str, offset: usize) -> Option<&str> {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[start..offset];
    indent.bytes().all(|b| b == b' ').then_some(indent)
}

/// The indentation a sibling key of the key at `offset` needs: the spaces before
/// it, or for the first key of a list item (`- name: x`) as many spaces as `- `.
pub fn key_indent(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[start..offset];
    let dashless = prefix.replacen('-', " ", 1);
    dashless
        .bytes()
        .all(|b| b == b' ')
        .then(|| " ".repeat(prefix.len()))
}

/// Whether a collection is written in flow style (`[a, b]`, `{a: 1}`): its first
/// character after any tag or anchor is a bracket.
pub fn is_flow(text: &str, node: &Node) -> bool {
    let mut rest = text.get(node.span.start..node.span.end).unwrap_or("");
    while rest.starts_with('!') || rest.starts_with('&') {
        let token = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = rest[token..].trim_start();
    }
    rest.starts_with('[') || rest.starts_with('{')
}

/// A string written as a YAML scalar that PyYAML reads back as the same string,
/// in block or flow context: plain when that is certain (letters, digits,
/// spaces and `-_./`, starting with a letter or digit, typed as a string),
/// otherwise double-quoted with JSON's escapes, which YAML shares.
pub fn scalar(text: &str) -> String {
    let plain = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && !text.ends_with(' ')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -_./".contains(c))
        && matches!(
            crate::yaml::typing::resolve_plain(text),
            crate::yaml::typing::ScalarType::Str
        );
    if plain {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
    }
}

/// An edit that adds `line` (`key: value`) as the last key of `map`.
pub fn append_to_mapping(text: &str, map: &Node, line: &str) -> Option<Edit> {
    let pairs = map.map()?;
    if map.is_alias() {
        return None;
    }
    let last = pairs.last()?;
    if is_flow(text, map) {
        let close = map.span.end - 1;
        return Some(Edit {
            span: Span::empty(close),
            replacement: format!(", {line}"),
        });
    }
    let indent = key_indent(text, pairs.first()?.key.span.start)?;
    let at = line_end(text, last.value.span.end.max(last.key.span.end));
    Some(Edit {
        span: Span::empty(at),
        replacement: format!("{}{indent}{line}", eol(text)),
    })
}

/// An edit that adds `item` to the end of the list `seq`.
pub fn append_to_sequence(text: &str, seq: &Node, item: &str) -> Option<Edit> {
    if seq.is_alias() {
        return None;
    }
    let items = seq.seq()?;
    if is_flow(text, seq) {
        let close = seq.span.end - 1;
        let sep = if items.is_empty() { "" } else { ", " };
        return Some(Edit {
            span: Span::empty(close),
            replacement: format!("{sep}{item}"),
        });
    }
    let first = items.first()?;
    // Block items: the `- ` sits before the item's own span.
    let dash = text[..first.span.start].rfind('-')?;
    let indent = indent_before(text, dash)?;
    let at = line_end(text, items.last()?.span.end);
    Some(Edit {
        span: Span::empty(at),
        replacement: format!("{}{indent}- {item}", eol(text)),
    })
}

/// A fix adding `line` under the entry's `attrs` (creating `attrs:` if needed).
/// `None` when the layout is too unusual to edit safely; the help text still says
/// what to add.
pub fn insert_attr(text: &str, entry: &Entry<'_>, line: &str, key: &str) -> Option<Fix> {
    let edit = match entry.attrs {
        Some(attrs) if attrs.map().is_some_and(|p| !p.is_empty()) => {
            append_to_mapping(text, attrs, line)?
        }
        Some(_) => return None,
        None => {
            let pairs = entry.node.map()?;
            if is_flow(text, entry.node) {
                return None;
            }
            let indent = key_indent(text, pairs.first()?.key.span.start)?;
            let last = pairs.last()?;
            let nl = eol(text);
            Edit {
                span: Span::empty(line_end(text, last.value.span.end.max(last.key.span.end))),
                replacement: format!("{nl}{indent}attrs:{nl}{indent}  {line}"),
            }
        }
    };
    Some(Fix {
        title: format!("add `{key}`"),
        applicability: Applicability::Safe,
        edits: vec![edit],
    })
}

/// A fix adding `item` to the list under `attrs.<key>`, creating the key (as a
/// one-item flow list) when the entry has none.
pub fn append_attr_item(text: &str, entry: &Entry<'_>, key: &str, item: &str) -> Option<Fix> {
    match entry.attrs.and_then(|a| a.get(key)) {
        Some(list) => Some(Fix {
            title: format!("add to `{key}`"),
            applicability: Applicability::Safe,
            edits: vec![append_to_sequence(text, list, item)?],
        }),
        None => insert_attr(text, entry, &format!("{key}: [{item}]"), key),
    }
}

/// Every alias of the tree (by the span of its `*name`) and the node it stands
/// for. A fix must edit the anchored node, never the alias: quoting `*perm` turns
/// the alias into the string `"*perm"`. Copies are not walked: an alias inside
/// one is also written, and found, inside the anchored node.
pub fn alias_targets(root: &Node) -> HashMap<Span, &Node> {
    fn walk<'n>(node: &'n Node, out: &mut HashMap<Span, &'n Node>) {
        match &node.kind {
            Kind::Scalar(_) => {}
            Kind::Seq(items) => items.iter().for_each(|item| walk(item, out)),
            Kind::Map(pairs) => pairs.iter().for_each(|pair| {
                walk(&pair.key, out);
                walk(&pair.value, out);
            }),
            Kind::Alias(_) => {
                out.insert(node.span, node.resolved());
            }
        }
    }
    let mut out = HashMap::new();
    walk(root, &mut out);
    out
}

/// A value problem found through an alias, moved to the anchored node: the span
/// of the anchor's value and the replacement for its text (a quoting fix quotes
/// the anchor's own text). Problems not on an alias are returned unchanged.
pub fn at_anchor(
    text: &str,
    aliases: &HashMap<Span, &Node>,
    span: Span,
    replacement: Option<&String>,
    quotes: bool,
) -> (Span, Option<String>) {
    let Some(target) = aliases.get(&span) else {
        return (span, replacement.cloned());
    };
    let span = target.value_span();
    let replacement = match (replacement, quotes) {
        (Some(_), true) => text.get(span.start..span.end).map(|source| {
            if source.contains('"') {
                format!("'{source}'")
            } else {
                format!("\"{source}\"")
            }
        }),
        (replacement, _) => replacement.cloned(),
    };
    (span, replacement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_stay_plain_only_where_pyyaml_reads_the_same_string() {
        assert_eq!(
            scalar("Default - Authentication flow"),
            "Default - Authentication flow"
        );
        assert_eq!(scalar("default-password-change"), "default-password-change");
        for text in [
            "yes", "1.5", "null", "a: b", "x #y", "", " a", "[a]", "wiki,x", "a\"b", "a ",
        ] {
            assert!(scalar(text).starts_with('"'), "{text}");
        }
        assert_eq!(scalar("a\"b"), "\"a\\\"b\"");
    }
}
