//! Hover, go to definition, find references and the outline, answered from the
//! facts of the last check (the same facts the set rules read) and the
//! knowledge base of the release the set is judged by.
//!
//! What is under the cursor is read from the line's text (a tag, a key, a
//! `model:` value), since the facts keep spans of values and keys, not of every
//! token; what it means comes from the facts and the index.

use super::session::{Scope, Session};
use super::text::{Lines, path_to_uri};
use crate::knowledge::types::{FieldDef, StrFormat, Ty};
use crate::resolve::{BlueprintFacts, EntryFacts, Index, ObjId, Resolution};
use crate::source::Span;
use lsp_types::{
    DocumentSymbol, Hover, HoverContents, Location, MarkupContent, MarkupKind, SymbolKind,
};
use std::borrow::Cow;
use std::path::Path;

/// What each of Authentik's tags does, for hover and completion
/// (authentik/blueprints/v1/common.py, each tag's constructor and `resolve`).
pub const TAGS: &[(&str, &str, &str)] = &[
    (
        "KeyOf",
        "!KeyOf id",
        "The primary key of the object an earlier entry of this blueprint (with `id: id`) created or updated.",
    ),
    (
        "Find",
        "!Find [model, [field, value], ...]",
        "The primary key of the object of `model` matching every `[field, value]`, or null when none does.",
    ),
    (
        "FindObject",
        "!FindObject [model, [field, value], ...]",
        "Like `!Find`, but the object's serialized data instead of its key.",
    ),
    (
        "Context",
        "!Context key | !Context [key, default]",
        "A value of the blueprint's context (`context:` merged with the instance's context), else the default.",
    ),
    (
        "Env",
        "!Env NAME | !Env [NAME, default]",
        "An environment variable of the Authentik worker, else the default.",
    ),
    (
        "File",
        "!File path | !File [path, default]",
        "The text of a file on the Authentik worker, else the default.",
    ),
    (
        "Format",
        "!Format [format, args...]",
        "Python `%` formatting of `format` with the arguments.",
    ),
    (
        "Condition",
        "!Condition [MODE, args...]",
        "A boolean combining the arguments' truth with AND, NAND, OR, NOR, XOR or XNOR.",
    ),
    (
        "If",
        "!If [condition] | !If [condition, when_true, when_false]",
        "One of two values by a condition's truth (true or false without branches).",
    ),
    (
        "Enumerate",
        "!Enumerate [iterable, SEQ|MAP, body]",
        "A list (SEQ) or mapping (MAP) made by evaluating `body` for each item of the iterable.",
    ),
    (
        "Index",
        "!Index depth",
        "Inside an `!Enumerate` body: the current key or index, `depth` loops out.",
    ),
    (
        "Value",
        "!Value depth",
        "Inside an `!Enumerate` body: the current item, `depth` loops out.",
    ),
    (
        "AtIndex",
        "!AtIndex [object, key] | !AtIndex [object, key, default]",
        "The item at `key` of a list or mapping, else the default (an error without one).",
    ),
    (
        "ParseJSON",
        "!ParseJSON text",
        "The value the JSON text holds.",
    ),
];

/// The token under the cursor: letters, digits and `_ - . !`.
pub fn token_at(line: &str, column: usize) -> (usize, usize) {
    let is_token = |c: char| c.is_alphanumeric() || "_-.!".contains(c);
    let column = column.min(line.len());
    let start = line[..column]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_token(*c))
        .last()
        .map_or(column, |(i, _)| i);
    let end = line[column..]
        .char_indices()
        .find(|(_, c)| !is_token(*c))
        .map_or(line.len(), |(i, _)| column + i);
    (start, end)
}

/// The blueprints of a file in the last check, with their positions in the
/// file's scope.
pub fn facts_of<'a>(
    scope: &'a Scope,
    path: &'a Path,
) -> impl Iterator<Item = (usize, &'a BlueprintFacts)> + 'a {
    scope
        .facts
        .iter()
        .enumerate()
        .filter(move |(_, f)| f.path == path)
        .map(|(i, f)| (i, &**f))
}

/// The entry around a byte offset.
pub fn entry_at<'a>(
    scope: &'a Scope,
    path: &'a Path,
    offset: usize,
) -> Option<(usize, &'a EntryFacts)> {
    facts_of(scope, path).find_map(|(bp, facts)| {
        facts
            .entries
            .iter()
            .find(|e| e.item.start <= offset && offset <= e.item.end)
            .map(|e| (bp, e))
    })
}

pub fn index<'a>(session: &'a Session, scope: &'a Scope) -> Index<'a> {
    Index::build(
        scope.kb,
        &scope.facts,
        &session.request.config.assume_exists,
    )
}

/// A file's text: the open buffer, else what the check kept, else the disk.
pub fn text_of<'a>(session: &'a Session, path: &Path) -> Option<Cow<'a, str>> {
    if let Some(doc) = session.docs.get(path) {
        return Some(Cow::Borrowed(&doc.text));
    }
    let kept = session
        .outcome
        .files
        .iter()
        .find(|f| f.path == path)
        .and_then(|f| f.source.as_ref());
    match kept {
        Some(source) => Some(Cow::Borrowed(&source.text)),
        None => std::fs::read_to_string(path).ok().map(Cow::Owned),
    }
}

fn location(session: &Session, path: &Path, span: Span) -> Option<Location> {
    let text = text_of(session, path)?;
    Some(Location {
        uri: path_to_uri(path)?,
        range: Lines::new(&text).range(span),
    })
}

/// `!KeyOf id` around the cursor: the id and the blueprint it is looked up in.
fn key_of_at(line: &str, column: usize) -> Option<String> {
    let at = line.find("!KeyOf")?;
    let rest = &line[at + "!KeyOf".len()..];
    let id = rest.trim_start().split([' ', ',', ']', '}', '#']).next()?;
    let id = id.trim_matches(['"', '\'']);
    (!id.is_empty() && column >= at).then(|| id.to_string())
}

fn entry_with_id<'a>(facts: &'a BlueprintFacts, id: &str) -> Option<&'a EntryFacts> {
    facts.entries.iter().find(|e| e.id.as_deref() == Some(id))
}

pub fn hover(session: &Session, path: &Path, offset: usize) -> Option<Hover> {
    let text = text_of(session, path)?;
    let lines = Lines::new(&text);
    let (line_start, line) = lines.line_around(offset);
    let column = offset - line_start;
    let (start, end) = token_at(line, column);
    let token = &line[start..end];
    let scope = session.scope(path);
    let kb = scope.kb;
    let mut body = None;
    if let Some(id) = key_of_at(line, column).filter(|_| !token.starts_with('!')) {
        let found = facts_of(&scope, path)
            .find(|(_, f)| f.span.start <= offset && offset <= f.span.end)
            .and_then(|(_, f)| entry_with_id(f, &id));
        body = Some(match found {
            Some(entry) => format!(
                "`!KeyOf {id}`: the key of the object entry {} ({}) creates or updates, line {}.",
                entry.index + 1,
                entry.model.as_deref().unwrap_or("no model"),
                lines.position(entry.item.start).line + 1
            ),
            None => format!(
                "`!KeyOf {id}`: no entry of this blueprint has `id: {id}`, so the importer stops with an error."
            ),
        });
    } else if let Some(tag) = token.strip_prefix('!')
        && let Some((_, shape, what)) = TAGS.iter().find(|(name, _, _)| *name == tag)
    {
        body = Some(format!("```yaml\n{shape}\n```\n{what}"));
    }
    if let Some(found) = find_hover(session, &scope, path, offset) {
        body = Some(match body {
            Some(tag) => format!("{found}\n\n---\n{tag}"),
            None => found,
        });
    }
    if body.is_none() && kb.model(token).is_some() {
        body = Some(model_hover(kb, token));
    }
    if body.is_none() && line[end..].trim_start().starts_with(':') {
        let model = entry_at(&scope, path, offset).and_then(|(_, e)| e.model.clone());
        if let Some(field) = model.as_deref().and_then(|m| kb.field(m, token)) {
            body = Some(field_hover(model.as_deref().unwrap_or(""), field));
        }
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: body?,
        }),
        range: Some(lines.range(Span::new(line_start + start, line_start + end))),
    })
}

fn model_hover(kb: crate::knowledge::Knowledge, model: &str) -> String {
    let mut out = format!("**{model}**\n\n");
    if let Some(def) = kb.model(model) {
        if !def.parents.is_empty() {
            out.push_str(&format!("A kind of {}. ", def.parents.join(", ")));
        }
        let required: Vec<&str> = def
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect();
        out.push_str(&format!("{} fields", def.fields.len()));
        if def.required_known && !required.is_empty() {
            out.push_str(&format!("; required on create: {}", required.join(", ")));
        }
        out.push_str(".\n\n");
    }
    if let Some(range) = crate::knowledge::release_range(|v| v.model(model).is_some()) {
        out.push_str(&format!("In Authentik {range}."));
    }
    out
}

fn field_hover(model: &str, field: &FieldDef) -> String {
    let mut out = format!("**{}** `{}`\n\n", field.name, type_name(&field.ty));
    if let Some(description) = crate::knowledge::descriptions::of(model, field.name) {
        out.push_str(&format!(
            "{description} (Authentik {}'s API schema)\n\n",
            crate::knowledge::descriptions::release()
        ));
    }
    if field.required {
        out.push_str("Required when the entry creates the object. ");
    }
    if field.nullable {
        out.push_str("Accepts null. ");
    }
    if field.blueprint_only {
        out.push_str("Read by the importer, not listed by the REST API. ");
    }
    if let Ty::Enum(values) = field.ty {
        out.push_str(&format!("\n\nOne of: {}.", values.join(", ")));
    }
    if let Ty::Str(format) = field.ty {
        let check = match format {
            StrFormat::Plain => None,
            StrFormat::Uuid => Some("a UUID"),
            StrFormat::Uri => Some("a URL"),
            StrFormat::Duration => Some("a duration like `hours=1;minutes=30`"),
            StrFormat::Slug => Some("a slug (letters, digits, `-`, `_`)"),
        };
        if let Some(check) = check {
            out.push_str(&format!("\n\nValidated as {check}."));
        }
    }
    if let Some(range) = crate::knowledge::release_range(|v| v.has_field(model, field.name)) {
        out.push_str(&format!("\n\nOn {model} in Authentik {range}."));
    }
    out
}

fn type_name(ty: &Ty) -> String {
    match ty {
        Ty::Any => "any".into(),
        Ty::Bool => "boolean".into(),
        Ty::Int => "integer".into(),
        Ty::Number => "number".into(),
        Ty::Str(_) => "string".into(),
        Ty::Enum(_) => "choice".into(),
        Ty::Array(item) => format!("list of {}", type_name(item)),
        Ty::Object(_) => "mapping".into(),
    }
}

/// The `!Find` around the offset in this file, and its blueprint.
fn find_at<'a>(
    scope: &'a Scope,
    path: &'a Path,
    offset: usize,
) -> Option<(usize, &'a crate::resolve::FindQuery)> {
    facts_of(scope, path).find_map(|(bp, facts)| {
        facts
            .finds
            .iter()
            .find(|(_, q)| q.span.start <= offset && offset <= q.span.end)
            .map(|(_, q)| (bp, q))
    })
}

fn find_hover(session: &Session, scope: &Scope, path: &Path, offset: usize) -> Option<String> {
    let (bp, query) = find_at(scope, path, offset)?;
    let index = index(session, scope);
    Some(match index.resolve_find_from(bp, query) {
        Resolution::Found(objs) => {
            let mut out = format!("`!Find` on {} resolves to:\n", query.model);
            for obj in objs.iter().take(10) {
                out.push_str(&format!("\n- {}", describe(session, &index, *obj)));
            }
            out
        }
        Resolution::NotFound => format!(
            "`!Find` on {}: no entry of the set and no built-in object of Authentik {} matches; it yields null.",
            query.model, scope.kb.version
        ),
        Resolution::Unknown => format!(
            "`!Find` on {}: bplint cannot tell what it finds (a tag in the query, or a lookup it does not model).",
            query.model
        ),
    })
}

fn describe(session: &Session, index: &Index<'_>, obj: ObjId) -> String {
    match obj {
        ObjId::Entry { bp, entry } => {
            let facts = &index.blueprints[bp];
            let line = text_of(session, &facts.path)
                .zip(facts.entries.get(entry))
                .map(|(text, e)| Lines::new(&text).position(e.item.start).line + 1)
                .unwrap_or(0);
            format!(
                "the entry at {}:{line}",
                crate::source::display_path(&facts.path)
            )
        }
        ObjId::Builtin(b) => format!("the built-in object from `{}`", b.source),
        ObjId::Assumed(_) => "an object bplint.toml's `assume_exists` declares".into(),
    }
}

pub fn definition(session: &Session, path: &Path, offset: usize) -> Vec<Location> {
    let Some(text) = text_of(session, path) else {
        return Vec::new();
    };
    let lines = Lines::new(&text);
    let (line_start, line) = lines.line_around(offset);
    let scope = session.scope(path);
    if let Some(id) = key_of_at(line, offset - line_start) {
        let target = facts_of(&scope, path)
            .find(|(_, f)| f.span.start <= offset && offset <= f.span.end)
            .and_then(|(_, f)| entry_with_id(f, &id));
        return target
            .and_then(|e| location(session, path, e.item))
            .into_iter()
            .collect();
    }
    let Some((bp, query)) = find_at(&scope, path, offset) else {
        return Vec::new();
    };
    let index = index(session, &scope);
    match index.resolve_find_from(bp, query) {
        Resolution::Found(objs) => objs
            .iter()
            .filter_map(|obj| match obj {
                ObjId::Entry { bp, entry } => {
                    let facts = &index.blueprints[*bp];
                    location(session, &facts.path, facts.entries.get(*entry)?.item)
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// On an entry's `id:` line, every `!KeyOf` of it in its blueprint; anywhere
/// else in an entry, every `!Find` of the set that reaches its object.
/// With `declaration`, the entry itself comes first.
pub fn references(
    session: &Session,
    path: &Path,
    offset: usize,
    declaration: bool,
) -> Vec<Location> {
    let scope = session.scope(path);
    let Some((bp, entry)) = entry_at(&scope, path, offset) else {
        return Vec::new();
    };
    let Some(text) = text_of(session, path) else {
        return Vec::new();
    };
    let lines = Lines::new(&text);
    let (_, line) = lines.line_around(offset);
    let mut out = Vec::new();
    if declaration {
        out.extend(location(session, path, entry.item));
    }
    if let Some(id) = entry.id.as_deref().filter(|_| {
        line.trim_start()
            .trim_start_matches("- ")
            .starts_with("id:")
    }) {
        let within = scope.facts[bp].span;
        let inside = &text[within.start.min(text.len())..within.end.min(text.len())];
        for (at, _) in inside.match_indices("!KeyOf") {
            let rest = &inside[at + "!KeyOf".len()..];
            let written = rest.trim_start();
            let name = written
                .split([' ', ',', ']', '}', '#', '\n', '\r'])
                .next()
                .unwrap_or("")
                .trim_matches(['"', '\'']);
            if name == id {
                let start = within.start + at;
                let end = start + "!KeyOf".len() + (rest.len() - written.len()) + name.len();
                out.extend(location(session, path, Span::new(start, end)));
            }
        }
        return out;
    }
    let index = index(session, &scope);
    let Some(object) = index.object_of_entry(bp, entry) else {
        return out;
    };
    for (other, facts) in scope.facts.iter().enumerate() {
        for (_, query) in &facts.finds {
            let reaches = match index.resolve_find_from(other, query) {
                Resolution::Found(objs) => objs.iter().any(|o| {
                    *o == object
                        || matches!(o, ObjId::Entry { bp, entry }
                            if index.entry(*bp, *entry)
                                .and_then(|e| index.object_of_entry(*bp, e)) == Some(object))
                }),
                _ => false,
            };
            if reaches {
                out.extend(location(session, &facts.path, query.span));
            }
        }
    }
    out
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out.
pub fn symbols(session: &Session, path: &Path) -> Vec<DocumentSymbol> {
    let Some(text) = text_of(session, path) else {
        return Vec::new();
    };
    let lines = Lines::new(&text);
    let mut out = Vec::new();
    let scope = session.scope(path);
    for (_, facts) in facts_of(&scope, path) {
        let children: Vec<DocumentSymbol> = facts
            .entries
            .iter()
            .map(|entry| {
                let identifiers: Vec<String> = entry
                    .identifiers
                    .iter()
                    .map(|(k, v, _)| match v.lookup_str() {
                        Some(value) => format!("{k}={value}"),
                        None => k.clone(),
                    })
                    .collect();
                let mut detail = identifiers.join(", ");
                if let Some(id) = &entry.id {
                    detail = format!("id {id}; {detail}");
                }
                let item = lines.range(entry.item);
                let mut selection = lines.range(entry.span);
                if selection.start < item.start || selection.end > item.end {
                    selection = item;
                }
                DocumentSymbol {
                    name: entry.model.clone().unwrap_or_else(|| "(no model)".into()),
                    detail: Some(detail),
                    kind: SymbolKind::OBJECT,
                    tags: None,
                    deprecated: None,
                    range: item,
                    selection_range: selection,
                    children: None,
                }
            })
            .collect();
        let range = lines.range(facts.span);
        let name = facts
            .name
            .as_ref()
            .map_or_else(|| "blueprint".to_string(), |(n, _)| n.clone());
        out.push(DocumentSymbol {
            name,
            detail: Some(format!("{} entries", facts.entries.len())),
            kind: SymbolKind::FILE,
            tags: None,
            deprecated: None,
            range,
            selection_range: range,
            children: Some(children),
        });
    }
    out
}
