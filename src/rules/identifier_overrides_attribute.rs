//! BP213: an attribute repeats an identifier key with another value. The importer
//! merges the identifiers into the attributes before the serializer sees them, so
//! the identifier's value wins and the attribute never takes effect.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::yaml::{Node, Typed};

rule! {
    pub struct IdentifierOverridesAttribute {
        code: "BP213",
        name: "identifier-overrides-attribute",
        severity: Warning,
        fix: None,
        summary: "An attribute repeats an identifier with another value and is overridden",
    }
}

impl Rule for IdentifierOverridesAttribute {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for entry in &cx.bp.entries {
            let (Some(identifiers), Some(attrs)) = (entry.identifiers, entry.attrs) else {
                continue;
            };
            compare(cx, identifiers, attrs, "", out, 0);
        }
    }
}

/// Walk the keys both mappings have, as the importer's deep merge does: mappings
/// merge key by key, lists are joined, anything else is replaced by the
/// identifier's value.
fn compare(
    cx: &BlueprintCx<'_>,
    identifiers: &Node,
    attrs: &Node,
    prefix: &str,
    out: &mut Vec<Diagnostic>,
    depth: usize,
) {
    if depth > crate::yaml::MAX_DEPTH || identifiers.map().is_none() || attrs.map().is_none() {
        return;
    }
    for pair in identifiers.pairs() {
        let Some(key) = pair.key.as_str() else {
            continue;
        };
        let Some(attr) = attrs.get_pair(key) else {
            continue;
        };
        let (id_value, attr_value) = (&pair.value, &attr.value);
        let path = format!("{prefix}{key}");
        // A tag resolves only when applied: its value cannot be compared here.
        if has_tag(id_value, 0) || has_tag(attr_value, 0) {
            continue;
        }
        if id_value.map().is_some() && attr_value.map().is_some() {
            compare(
                cx,
                id_value,
                attr_value,
                &format!("{path}."),
                out,
                depth + 1,
            );
            continue;
        }
        if id_value.seq().is_some() && attr_value.seq().is_some() {
            if !same(id_value, attr_value, 0) {
                out.push(
                    Diagnostic::new(
                        &META,
                        cx.file_id,
                        attr.key.span,
                        format!(
                            "`attrs.{path}` and `identifiers.{path}` are both lists: the importer \
                             joins them"
                        ),
                    )
                    .label("the identifier's items are appended to these")
                    .related(cx.file_id, pair.key.span, "the identifier's list")
                    .help(
                        "the serializer receives the attribute's items followed by the \
                         identifier's; write the list once, in `identifiers` or in `attrs`",
                    ),
                );
            }
            continue;
        }
        if same(id_value, attr_value, 0) {
            continue;
        }
        let shown = cx.file.slice(id_value.value_span());
        out.push(
            Diagnostic::new(
                &META,
                cx.file_id,
                attr_value.span,
                format!("`attrs.{path}` is overridden by `identifiers.{path}`: `{shown}`"),
            )
            .label(format!("never applied; the object gets `{shown}`"))
            .related(cx.file_id, id_value.span, "the identifier's value wins")
            .help(format!(
                "the importer merges `identifiers` over `attrs`, so the object gets \
                 `{path}: {shown}`; to change `{path}` on an existing object, find the object by \
                 another identifier, or drop the attribute"
            )),
        );
    }
}

fn has_tag(node: &Node, depth: usize) -> bool {
    if node.local_tag().is_some() {
        return true;
    }
    if depth > crate::yaml::MAX_DEPTH {
        return false;
    }
    if let Some(items) = node.seq() {
        return items.iter().any(|n| has_tag(n, depth + 1));
    }
    node.pairs()
        .any(|p| has_tag(&p.key, depth + 1) || has_tag(&p.value, depth + 1))
}

/// Whether two tag-free values construct the same Python value.
fn same(a: &Node, b: &Node, depth: usize) -> bool {
    if depth > crate::yaml::MAX_DEPTH {
        return false;
    }
    if let (Some(x), Some(y)) = (a.seq(), b.seq()) {
        return x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y, depth + 1));
    }
    if a.map().is_some() || b.map().is_some() {
        let (Some(_), Some(_)) = (a.map(), b.map()) else {
            return false;
        };
        let keys = |n: &Node| {
            n.pairs()
                .filter_map(|p| p.key.as_str().map(str::to_string))
                .collect::<std::collections::BTreeSet<_>>()
        };
        return keys(a) == keys(b)
            && a.pairs().all(|p| {
                p.key
                    .as_str()
                    .is_some_and(|k| b.get(k).is_some_and(|v| same(&p.value, v, depth + 1)))
            });
    }
    match (a.typed(), b.typed()) {
        (Some(Typed::Int(Some(x))), Some(Typed::Int(Some(y)))) => x == y,
        // Python's `True == 1`, but a serializer field tells them apart: keep
        // them different. Floats and dates compare as written.
        (Some(x @ (Typed::Float | Typed::Timestamp | Typed::Int(None))), Some(y))
            if std::mem::discriminant(&x) == std::mem::discriminant(&y) =>
        {
            a.scalar_text() == b.scalar_text()
        }
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}
