//! Completion, read from the text before the cursor alone: a half-typed file
//! does not parse, and completing it is the normal case. What to offer comes
//! from the knowledge base of the set's release and from the workspace's
//! entries of the last check.

use super::navigate::{TAGS, text_of};
use super::session::{Scope, Session};
use super::text::Lines;
use crate::knowledge::types::Ty;
use lsp_types::{CompletionItem, CompletionItemKind};
use regex::Regex;
use std::path::Path;
use std::sync::OnceLock;

const STATES: &[&str] = &["present", "created", "must_created", "absent"];

struct Patterns {
    tag: Regex,
    key_of: Regex,
    model: Regex,
    find_model: Regex,
    find_value: Regex,
    state: Regex,
    value: Regex,
    key: Regex,
    id: Regex,
    model_line: Regex,
}

#[allow(clippy::expect_used)] // The patterns are literals, checked by the unit tests.
fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("a valid literal pattern");
        Patterns {
            tag: re(r"!([A-Za-z]*)$"),
            key_of: re(r"!KeyOf\s+([\w.-]*)$"),
            model: re(r"^\s*(?:-\s+)?model:\s*([\w.]*)$"),
            find_model: re(r"!Find(?:Object)?\s*\[\s*([\w.]*)$"),
            find_value: re(
                r#"!Find(?:Object)?\s*\[\s*([\w.]+)\s*,\s*\[\s*["']?(\w+)["']?\s*,\s*["']?([^,\]"']*)$"#,
            ),
            state: re(r"^\s*(?:-\s+)?state:\s*(\w*)$"),
            value: re(r"^\s*(?:-\s+)?(\w+):\s*([\w-]*)$"),
            key: re(r"^(\s*)(-\s+)?(\w*)$"),
            id: re(r"(?m)^\s*(?:-\s+)?id:\s*([\w.-]+)"),
            model_line: re(r"^(\s*)(?:-\s+)?model:\s*([\w.]+)"),
        }
    })
}

pub fn complete(session: &Session, path: &Path, offset: usize) -> Vec<CompletionItem> {
    let Some(text) = text_of(session, path) else {
        return Vec::new();
    };
    let lines = Lines::new(&text);
    let (line_start, line) = lines.line_around(offset);
    let before = &line[..(offset - line_start).min(line.len())];
    let p = patterns();
    let scope = session.scope(path);
    let kb = scope.kb;
    let item = |label: &str, kind: CompletionItemKind, detail: Option<String>| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    };
    if p.key_of.is_match(before) {
        let mut ids: Vec<&str> =
            p.id.captures_iter(&text)
                .filter_map(|c| c.get(1).map(|m| m.as_str()))
                .collect();
        ids.sort_unstable();
        ids.dedup();
        return ids
            .into_iter()
            .map(|id| item(id, CompletionItemKind::REFERENCE, Some("entry id".into())))
            .collect();
    }
    if let Some(c) = p.find_value.captures(before) {
        return find_values(&scope, &c[1], &c[2])
            .into_iter()
            .map(|(v, from)| item(&v, CompletionItemKind::VALUE, Some(from)))
            .collect();
    }
    if p.tag.is_match(before) {
        return TAGS
            .iter()
            .map(|(name, shape, _)| {
                item(name, CompletionItemKind::FUNCTION, Some(shape.to_string()))
            })
            .collect();
    }
    if p.model.is_match(before) || p.find_model.is_match(before) {
        return kb
            .model_names()
            .map(|m| item(m, CompletionItemKind::CLASS, None))
            .collect();
    }
    if p.state.is_match(before) {
        return STATES
            .iter()
            .map(|s| item(s, CompletionItemKind::ENUM_MEMBER, None))
            .collect();
    }
    let line_no = lines.line_of(offset);
    if let Some(c) = p.value.captures(before) {
        let model = model_above(&lines, line_no);
        if let Some(field) = model.as_deref().and_then(|m| kb.field(m, &c[1])) {
            let values: &[&str] = match field.ty {
                Ty::Enum(values) => values,
                Ty::Bool => &["true", "false"],
                _ => &[],
            };
            return values
                .iter()
                .map(|v| item(v, CompletionItemKind::ENUM_MEMBER, None))
                .collect();
        }
        return Vec::new();
    }
    let Some(c) = p.key.captures(before) else {
        return Vec::new();
    };
    let indent = c[1].len() + c.get(2).map_or(0, |m| m.len());
    match section_above(&lines, line_no, indent) {
        Some(Section::Fields) => {
            let Some(model) = model_above(&lines, line_no) else {
                return Vec::new();
            };
            kb.model(&model)
                .map(|def| {
                    def.fields
                        .iter()
                        .map(|f| {
                            let detail = if f.required {
                                "required on create"
                            } else {
                                "optional"
                            };
                            item(f.name, CompletionItemKind::FIELD, Some(detail.into()))
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
        Some(Section::Entry) => crate::model::ENTRY_KEYS
            .iter()
            .map(|k| item(k, CompletionItemKind::PROPERTY, None))
            .collect(),
        None => Vec::new(),
    }
}

enum Section {
    /// Under an entry's `attrs` or `identifiers`.
    Fields,
    /// An entry's own keys.
    Entry,
}

/// What the line being typed (at `indent`) belongs to: the nearest line above
/// with less indentation says (`attrs:`, `identifiers:`, or a `- ` item of
/// `entries`); a line at the same indentation with `model:` makes it an entry.
fn section_above(lines: &Lines<'_>, line: usize, indent: usize) -> Option<Section> {
    for above in (0..line).rev() {
        let start = lines.line_start(above)?;
        let text = &lines.text()[start..lines.line_end(above)];
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let own = text.len() - trimmed.len();
        let item_indent = own + if trimmed.starts_with("- ") { 2 } else { 0 };
        let key = trimmed.trim_start_matches("- ");
        if item_indent == indent && trimmed.starts_with("- ") {
            return Some(Section::Entry);
        }
        if own < indent {
            return match key.trim_end() {
                "attrs:" | "identifiers:" => Some(Section::Fields),
                "entries:" => Some(Section::Entry),
                _ => None,
            };
        }
    }
    None
}

/// The model of the entry the line lies in: the nearest `model:` above at an
/// entry's indentation.
fn model_above(lines: &Lines<'_>, line: usize) -> Option<String> {
    let p = patterns();
    (0..=line).rev().find_map(|above| {
        let start = lines.line_start(above)?;
        let text = &lines.text()[start..lines.line_end(above)];
        p.model_line.captures(text).map(|c| c[2].to_string())
    })
}

/// Values of `field` on objects of `model`: the workspace's entries and the
/// release's built-ins, with where each comes from.
fn find_values(scope: &Scope, model: &str, field: &str) -> Vec<(String, String)> {
    let kb = scope.kb;
    let mut out: Vec<(String, String)> = Vec::new();
    for facts in &scope.facts {
        for entry in &facts.entries {
            let Some(entry_model) = entry.model.as_deref() else {
                continue;
            };
            if !kb.matches_model(entry_model, model) {
                continue;
            }
            if let Some(value) = entry.field(field).and_then(|v| v.lookup_key()) {
                out.push((value, crate::source::display_path(&facts.path)));
            }
        }
    }
    for builtin in kb.builtins() {
        if kb.matches_model(builtin.model, model)
            && let Some(value) = builtin.field(field)
        {
            out.push((value.to_string(), format!("built-in ({})", builtin.source)));
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile_and_read_the_line() {
        let p = patterns();
        assert!(p.tag.is_match("  name: !Fo"));
        assert!(p.key_of.is_match("    flow: !KeyOf fl"));
        assert!(p.model.is_match("- model: authentik_fl"));
        assert!(p.find_model.is_match("  flow: !Find [authentik_"));
        let c = p
            .find_value
            .captures("  flow: !Find [authentik_flows.flow, [slug, def")
            .unwrap();
        assert_eq!(
            (&c[1], &c[2], &c[3]),
            ("authentik_flows.flow", "slug", "def")
        );
        assert!(p.state.is_match("  state: pre"));
        assert_eq!(&p.key.captures("      desi").unwrap()[3], "desi");
    }

    #[test]
    fn sections_follow_indentation() {
        let text = "entries:\n- model: a.b\n  attrs:\n    na\n  ";
        let lines = Lines::new(text);
        assert!(matches!(section_above(&lines, 3, 4), Some(Section::Fields)));
        assert!(matches!(section_above(&lines, 4, 2), Some(Section::Entry)));
        assert_eq!(model_above(&lines, 3).as_deref(), Some("a.b"));
    }
}
