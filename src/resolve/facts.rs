//! The part of each blueprint the cross-file rules need, extracted while the file's
//! tree is in memory, so the tree can be dropped before the set is checked.

use crate::diagnostic::{Edit, FileId};
use crate::model::{Blueprint, Entry, Origin, State, TagCall, TagParse, parse_tag};
use crate::source::Span;
use crate::yaml::{Node, Pair, Typed};
use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

/// Longest string value kept for lookups; longer ones (expressions, templates) are
/// never `!Find` keys.
const MAX_LOOKUP_VALUE: usize = 512;
/// Longest list kept (property mappings, bindings).
const MAX_LIST: usize = 256;

/// A value as far as it can be known without applying the blueprint.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Val>),
    Ref(Ref),
    /// A mapping, a long string, a float, or a tag bplint cannot evaluate.
    Other,
}

impl Val {
    /// The string Django compares a lookup value as.
    pub fn lookup_key(&self) -> Option<String> {
        self.lookup_str().map(Cow::into_owned)
    }

    /// [`Val::lookup_key`], borrowed where the value is a string already.
    pub fn lookup_str(&self) -> Option<Cow<'_, str>> {
        match self {
            Val::Str(s) => Some(Cow::Borrowed(s)),
            Val::Int(i) => Some(Cow::Owned(i.to_string())),
            Val::Bool(b) => Some(Cow::Borrowed(if *b { "True" } else { "False" })),
            _ => None,
        }
    }
}

/// A reference to another object.
#[derive(Debug, Clone, PartialEq)]
pub enum Ref {
    /// `!KeyOf id` (within the same blueprint).
    KeyOf(String),
    /// Boxed: a query is several times the size of the other values, and the
    /// facts keep a value for every attribute of every entry of the set.
    Find(Box<FindQuery>),
}

/// A `!Find` whose model and conditions are literal.
#[derive(Debug, Clone, PartialEq)]
pub struct FindQuery {
    pub model: String,
    /// `(field, value)`; a value of `None` is a tag bplint cannot evaluate.
    pub conditions: Vec<(String, Option<String>)>,
    /// Where each condition's value is written (for "did you mean" fixes).
    pub value_spans: Vec<Span>,
    pub span: Span,
    /// Conditions whose value is itself a reference (`[stage, !Find [...]]`),
    /// kept so a rule can follow what the query is about (BP107).
    pub refs: Vec<(String, Ref)>,
}

#[derive(Debug, Clone)]
pub struct EntryFacts {
    pub index: usize,
    pub model: Option<String>,
    pub id: Option<String>,
    pub state: State,
    pub conditional: bool,
    /// The entry's `model:` value (or the entry when absent).
    pub span: Span,
    /// The whole entry, for placing a finding on the entry it lies in.
    pub item: Span,
    /// `(field, value, key span)` of `identifiers` and of `attrs`.
    pub identifiers: Vec<(String, Val, Span)>,
    pub attrs: Vec<(String, Val, Span)>,
    /// Hash of the attrs' values, to tell identical definitions from conflicting ones.
    pub attrs_hash: u64,
    /// Where the entry's `conditions` are written: a `!Find` there asks whether
    /// an object exists (BP113), it does not need one.
    pub conditions_span: Option<Span>,
    /// Hash of each attribute's value, in the order of `attrs`: two entries of
    /// one object conflict only on the keys both set to different values, and
    /// most values (mappings, tags) have no [`Val`] to compare.
    pub attr_hashes: Vec<u64>,
    /// What a set rule's fix needs, since it has no tree to edit (filled by
    /// [`BlueprintFacts::extract`], which has the file's text).
    pub edit_points: EditPoints,
    /// UUIDs in `identifiers` and `attrs`, which may be primary keys copied
    /// from an export, with where each is written.
    pub literal_keys: Vec<LiteralKey>,
}

/// A UUID string, which may be a primary key copied from an export, written as
/// the value of a field of `identifiers` or `attrs` or as an item of a list
/// there. Which fields take a key is the serializers' to say; the facts keep
/// every such value, and the rules ask. (Integer keys are left out: a fresh
/// install numbers its objects from 1 in the order it creates them, so `1`
/// names its anonymous user, and other numbers whatever came in that place.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralKey {
    pub field: String,
    /// The UUID lower-cased, as PostgreSQL compares them.
    pub value: String,
    pub span: Span,
}

/// Where an entry can be edited, found while its tree and text were at hand.
#[derive(Debug, Clone, Default)]
pub struct EditPoints {
    /// The whole lines of the entry's list item, from its `- ` to its last line
    /// break; `None` when it shares a line with other text or is in flow style.
    pub item_lines: Option<Span>,
    /// Where a new key of `attrs` goes (creating `attrs:` when the entry has none).
    pub new_attr: Option<Insertion>,
    /// For each attribute whose value is a list (by its position in `attrs`),
    /// where a new item goes.
    pub list_ends: Vec<(usize, Insertion)>,
}

/// A point where text is added, and how the added text is laid out there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insertion {
    pub at: usize,
    pub layout: Layout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A new line indented by `indent` spaces, after `- ` for a list item.
    Line { indent: usize, dash: bool },
    /// Before a flow collection's closing bracket; `first` when it is empty.
    Flow { first: bool },
    /// A new `attrs:` line at `indent` spaces, the key under it.
    NewAttrs { indent: usize },
}

impl Insertion {
    /// The edit adding `content` (`key: value`, or a list item) here, with `eol`
    /// the file's line ending.
    pub fn edit(self, eol: &str, content: &str) -> Edit {
        let replacement = match self.layout {
            Layout::Line { indent, dash } => {
                let dash = if dash { "- " } else { "" };
                format!("{eol}{:indent$}{dash}{content}", "")
            }
            Layout::Flow { first: true } => content.to_string(),
            Layout::Flow { first: false } => format!(", {content}"),
            Layout::NewAttrs { indent } => {
                format!("{eol}{:indent$}attrs:{eol}{:indent$}  {content}", "", "")
            }
        };
        Edit {
            span: Span::empty(self.at),
            replacement,
        }
    }
}

impl EntryFacts {
    /// A field as the serializer sees it (identifiers win over attrs).
    pub fn field(&self, name: &str) -> Option<&Val> {
        self.field_entry(name).map(|(_, v, _)| v)
    }

    /// Where a field's key is written (identifiers win over attrs).
    pub fn field_span(&self, name: &str) -> Option<Span> {
        self.field_entry(name).map(|(_, _, s)| *s)
    }

    fn field_entry(&self, name: &str) -> Option<&(String, Val, Span)> {
        self.identifiers
            .iter()
            .rev()
            .find(|(k, _, _)| k == name)
            .or_else(|| self.attrs.iter().rev().find(|(k, _, _)| k == name))
    }

    /// Where an item is added to the list under `attrs.<name>`.
    pub fn list_end(&self, name: &str) -> Option<Insertion> {
        let at = self.attrs.iter().rposition(|(k, _, _)| k == name)?;
        self.edit_points
            .list_ends
            .iter()
            .find(|(i, _)| *i == at)
            .map(|(_, ins)| *ins)
    }

    pub fn attr_span(&self, name: &str) -> Option<Span> {
        self.attrs
            .iter()
            .rev()
            .find(|(k, _, _)| k == name)
            .map(|(_, _, s)| *s)
    }
}

/// A `metaapplyblueprint` entry's target.
#[derive(Debug, Clone)]
pub struct MetaApply {
    /// The entry's position in application order.
    pub entry: usize,
    pub span: Span,
    /// `(field, value)` of `attrs.identifiers` (`name` or `path`).
    pub identifiers: Vec<(String, String)>,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct BlueprintFacts {
    pub file: FileId,
    pub path: PathBuf,
    /// Its position among the blueprints of its file (`Located::blueprints`).
    pub index_in_file: usize,
    /// Where its document (or embedded value) is written: findings within it
    /// are findings of this blueprint.
    pub span: Span,
    pub origin: Origin,
    pub name: Option<(String, Span)>,
    /// Authentik instantiates it on discovery (label `instantiate` is not "false").
    pub instantiates: bool,
    /// Hash of the entries' values: equal for two copies of one blueprint (a file
    /// and the ConfigMap that ships it).
    pub entries_hash: u64,
    pub entries: Vec<EntryFacts>,
    /// Every `!Find`/`!FindObject` with literal arguments, and the entry using it.
    pub finds: Vec<(Option<usize>, FindQuery)>,
    pub meta_applies: Vec<MetaApply>,
    /// Where a new first entry goes: the start of the line holding the first
    /// entry's `- `, and that dash's column (`None` for entries in flow style,
    /// or none at all).
    pub entries_top: Option<(usize, usize)>,
    /// The file ends its lines with `\r\n`, which fixes keep.
    pub crlf: bool,
}

impl BlueprintFacts {
    /// The facts of `bp`, a blueprint of the file whose text is `text`.
    pub fn extract(
        file: FileId,
        path: PathBuf,
        index_in_file: usize,
        bp: &Blueprint<'_>,
        text: &str,
    ) -> Self {
        let name = bp
            .metadata
            .as_ref()
            .and_then(|m| m.name)
            .and_then(|n| Some((n.as_str()?.to_string(), n.span)));
        let entries: Vec<EntryFacts> = bp
            .entries
            .iter()
            .map(|e| EntryFacts {
                edit_points: EditPoints::of(text, e),
                ..EntryFacts::of(e, bp.context)
            })
            .collect();
        let finds = bp
            .tags
            .iter()
            .filter(|site| !site.in_context)
            .filter_map(|site| match &site.parsed {
                TagParse::Call(call @ TagCall::Find { .. }) => {
                    Some((site.entry, find_query_in(call, site.node.span, bp.context)?))
                }
                _ => None,
            })
            .collect();
        let meta_applies = bp.entries.iter().filter_map(meta_apply).collect();
        BlueprintFacts {
            file,
            path,
            index_in_file,
            span: bp.root.span,
            origin: bp.origin.clone(),
            name,
            instantiates: bp.instantiates(),
            entries_hash: {
                let mut hasher = ValueHasher::default();
                if let Some(node) = bp.entries_node {
                    let mut each = bp
                        .entries
                        .iter()
                        .zip(&entries)
                        .map(|(entry, facts)| hash_entry(entry, facts.attrs_hash));
                    hash_entries(node, &mut each, &mut hasher);
                }
                hasher.finish()
            },
            entries_top: bp.entries.first().and_then(|e| entries_top(text, e.node)),
            entries,
            finds,
            meta_applies,
            crlf: text.contains("\r\n"),
        }
    }

    /// The line ending fixes write.
    pub fn eol(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }
}

impl EditPoints {
    /// The edit points of `entry` (the same rules as the fixes of per-blueprint
    /// rules follow, in `rules/edits.rs`: block or flow style kept, nothing
    /// offered for a layout too unusual to edit safely or for an alias).
    fn of(text: &str, entry: &Entry<'_>) -> EditPoints {
        // Positions as in `EntryFacts::attrs`, which keeps the string keys.
        let list_ends = entry
            .attrs
            .map(|attrs| {
                attrs
                    .pairs()
                    .filter(|pair| pair.key.as_str().is_some())
                    .enumerate()
                    .filter_map(|(i, pair)| Some((i, list_end(text, &pair.value)?)))
                    .collect()
            })
            .unwrap_or_default();
        EditPoints {
            item_lines: item_lines(text, entry.node),
            new_attr: new_attr(text, entry),
            list_ends,
        }
    }
}

/// Whether a collection is written in flow style: its first character after any
/// tag or anchor is a bracket.
fn is_flow(text: &str, node: &Node) -> bool {
    let mut rest = text.get(node.span.start..node.span.end).unwrap_or("");
    while rest.starts_with('!') || rest.starts_with('&') {
        let token = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = rest[token..].trim_start();
    }
    rest.starts_with('[') || rest.starts_with('{')
}

/// The end of the line holding `offset`, before its line break.
fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// Where the line holding `offset` starts, and whether only spaces (and, with
/// `dash`, one `-`) come before `offset` on it.
fn indent_of(text: &str, offset: usize, dash: bool) -> Option<usize> {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[start..offset];
    let prefix = if dash {
        prefix.replacen('-', " ", 1)
    } else {
        prefix.to_string()
    };
    prefix.bytes().all(|b| b == b' ').then_some(prefix.len())
}

fn item_lines(text: &str, node: &Node) -> Option<Span> {
    if is_flow(text, node) || node.is_alias() || node.span.end > text.len() {
        return None;
    }
    let dash = text[..node.span.start].rfind('-')?;
    let start = text[..dash].rfind('\n').map_or(0, |i| i + 1);
    if !text[start..dash].bytes().all(|b| b == b' ') {
        return None;
    }
    let end = line_end(text, node.span.end);
    let end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    Some(Span::new(start, end))
}

/// [`BlueprintFacts::entries_top`] for the first entry's node.
fn entries_top(text: &str, first: &Node) -> Option<(usize, usize)> {
    let lines = item_lines(text, first)?;
    let dash = text[..first.span.start].rfind('-')?;
    Some((lines.start, dash - lines.start))
}

fn list_end(text: &str, seq: &Node) -> Option<Insertion> {
    let items = seq.seq()?;
    if seq.is_alias() || seq.span.end > text.len() {
        return None;
    }
    if is_flow(text, seq) {
        return Some(Insertion {
            at: seq.span.end.checked_sub(1)?,
            layout: Layout::Flow {
                first: items.is_empty(),
            },
        });
    }
    let dash = text[..items.first()?.span.start].rfind('-')?;
    Some(Insertion {
        at: line_end(text, items.last()?.span.end),
        layout: Layout::Line {
            indent: indent_of(text, dash, false)?,
            dash: true,
        },
    })
}

/// After the last key of a block mapping, the indentation of its keys.
fn after_last_key(text: &str, pairs: &[Pair]) -> Option<(usize, usize)> {
    let indent = indent_of(text, pairs.first()?.key.span.start, true)?;
    let last = pairs.last()?;
    let end = last.value.span.end.max(last.key.span.end);
    (end <= text.len()).then(|| (line_end(text, end), indent))
}

fn new_attr(text: &str, entry: &Entry<'_>) -> Option<Insertion> {
    match entry.attrs {
        Some(attrs) => {
            let pairs = attrs.map().filter(|p| !p.is_empty())?;
            if attrs.is_alias() {
                return None;
            }
            if is_flow(text, attrs) {
                return Some(Insertion {
                    at: attrs.span.end.checked_sub(1)?,
                    layout: Layout::Flow { first: false },
                });
            }
            let (at, indent) = after_last_key(text, pairs)?;
            Some(Insertion {
                at,
                layout: Layout::Line {
                    indent,
                    dash: false,
                },
            })
        }
        None => {
            let pairs = entry.node.map()?;
            if is_flow(text, entry.node) {
                return None;
            }
            let (at, indent) = after_last_key(text, pairs)?;
            Some(Insertion {
                at,
                layout: Layout::NewAttrs { indent },
            })
        }
    }
}

impl EntryFacts {
    /// The facts of one entry; `context` is its blueprint's `context:`, which
    /// `!Context` reads (see [`val_in`]).
    pub fn of(entry: &Entry<'_>, context: Option<&Node>) -> EntryFacts {
        let mut hasher = ValueHasher::default();
        if let Some(attrs) = entry.attrs {
            hash_node(attrs, &mut hasher, 0);
        }
        EntryFacts {
            index: entry.index,
            model: entry.model_name(),
            id: entry.id().map(str::to_string),
            state: entry.state(),
            conditional: entry.is_conditional(),
            span: entry.anchor_span(),
            item: entry.node.span,
            identifiers: string_pairs(entry.identifiers, |key, pair| {
                (
                    key.to_string(),
                    val_in(&pair.value, 0, context),
                    pair.key.span,
                )
            }),
            attrs: string_pairs(entry.attrs, |key, pair| {
                (
                    key.to_string(),
                    val_in(&pair.value, 0, context),
                    pair.key.span,
                )
            }),
            attrs_hash: hasher.finish(),
            attr_hashes: string_pairs(entry.attrs, |_, pair| {
                let mut h = ValueHasher::default();
                hash_node(&pair.value, &mut h, 1);
                h.finish()
            }),
            conditions_span: entry.conditions.map(|node| node.span),
            edit_points: EditPoints::default(),
            literal_keys: literal_keys(entry),
        }
    }

    /// Whether this entry, applied after `earlier` (same blueprint), updates the
    /// object `earlier` made or updated, judged as the importer finds objects
    /// (`Importer._validate_single` in authentik/blueprints/v1/importer.py): its
    /// identifiers become `Q(pk=...) | Q(field=value, ...)`, and `earlier`'s
    /// object holds `earlier`'s attrs with its identifiers merged over them. So
    /// `pk: !KeyOf x` updates entry `x`, a literal `pk` updates the entry with
    /// that `pk`, and the other identifiers match when every one of them equals
    /// the value `earlier` gave that field. Values compare as data, never as
    /// text: flow and block style, quoting and key order do not matter.
    pub fn updates(&self, earlier: &EntryFacts) -> bool {
        if self.model.is_none()
            || self.model != earlier.model
            || earlier.state == State::Absent
            || self.identifiers.is_empty()
        {
            return false;
        }
        let mut rest = self
            .identifiers
            .iter()
            .filter(|(k, _, _)| k != "pk")
            .peekable();
        if let Some((_, pk, _)) = self.identifiers.iter().rev().find(|(k, _, _)| k == "pk") {
            let same = match pk {
                Val::Ref(Ref::KeyOf(id)) => earlier.id.as_deref() == Some(id),
                other => earlier
                    .identifiers
                    .iter()
                    .rev()
                    .find(|(k, _, _)| k == "pk")
                    .is_some_and(|(_, v, _)| same_value(v, other)),
            };
            // `Q(pk=...) | Q()`: without other identifiers only the pk counts.
            if same || rest.peek().is_none() {
                return same;
            }
        }
        rest.all(|(field, value, _)| {
            earlier
                .field(field)
                .is_some_and(|have| same_value(have, value))
        })
    }
}

impl EntryFacts {
    /// The keys both entries set (in `attrs` or `identifiers`, as the
    /// serializer receives them) to values that certainly differ: two
    /// attributes with different content, or two [`Val`]s both known and not
    /// the same.
    pub fn conflicting_keys<'s>(&'s self, other: &EntryFacts) -> Vec<&'s str> {
        let theirs = other.data();
        self.data()
            .into_iter()
            .filter(|(key, value, hash)| {
                theirs.iter().find(|(k, _, _)| k == key).is_some_and(
                    |(_, their_value, their_hash)| match (hash, their_hash) {
                        (Some(a), Some(b)) => a != b,
                        _ => known(value) && known(their_value) && !same_value(value, their_value),
                    },
                )
            })
            .map(|(key, _, _)| key)
            .collect()
    }

    /// `(key, value, hash of an attribute's value)` of what the serializer
    /// receives: attrs with the identifiers merged over them, one per key.
    fn data(&self) -> Vec<(&str, &Val, Option<u64>)> {
        let mut out: Vec<(&str, &Val, Option<u64>)> = Vec::new();
        let ids = self
            .identifiers
            .iter()
            .map(|(k, v, _)| (k.as_str(), v, None));
        let attrs = self
            .attrs
            .iter()
            .zip(&self.attr_hashes)
            .map(|((k, v, _), h)| (k.as_str(), v, Some(*h)));
        // Identifiers first, so they win; a repeated key keeps its last value.
        for (key, value, hash) in ids.rev().chain(attrs.rev()) {
            if out.iter().all(|(k, _, _)| *k != key) {
                out.push((key, value, hash));
            }
        }
        out
    }
}

/// Whether bplint knows a value well enough to call it different from another.
fn known(v: &Val) -> bool {
    match v {
        Val::Other => false,
        Val::List(items) => items.iter().all(known),
        Val::Ref(Ref::Find(q)) => q.conditions.iter().all(|(_, v)| v.is_some()),
        _ => true,
    }
}

/// Whether two values are certainly the same to a Django lookup: equal literals,
/// `!KeyOf` of the same id, or the same literal `!Find`. Anything bplint cannot
/// evaluate is never the same.
fn same_value(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Ref(Ref::KeyOf(x)), Val::Ref(Ref::KeyOf(y))) => x == y,
        (Val::Ref(Ref::Find(x)), Val::Ref(Ref::Find(y))) => {
            x.model == y.model
                && x.conditions == y.conditions
                && x.conditions.iter().all(|(_, v)| v.is_some())
        }
        (Val::List(x), Val::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Val::Null, Val::Null) => true,
        _ => match (a.lookup_str(), b.lookup_str()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// [`EntryFacts::literal_keys`] of an entry: in `identifiers`, then `attrs`.
fn literal_keys(entry: &Entry<'_>) -> Vec<LiteralKey> {
    let mut out = Vec::new();
    for map in [entry.identifiers, entry.attrs].into_iter().flatten() {
        for pair in map.pairs() {
            let Some(field) = pair.key.as_str() else {
                continue;
            };
            let value = pair.value.resolved();
            let items: Vec<&Node> = match value.seq() {
                Some(items) if value.tag().is_none() => items.iter().take(MAX_LIST).collect(),
                _ => vec![&pair.value],
            };
            for item in items {
                if let Some(key) = literal_key(item) {
                    out.push(LiteralKey {
                        field: field.to_string(),
                        value: key,
                        span: item.value_span(),
                    });
                }
            }
        }
    }
    out
}

/// A UUID string, lower-cased as a primary key's lookup compares it.
fn literal_key(node: &Node) -> Option<String> {
    if node.tag().is_some() {
        return None;
    }
    match node.resolved().typed()? {
        Typed::Str(s) if is_uuid(s) => Some(s.to_ascii_lowercase()),
        _ => None,
    }
}

/// A UUID written as exports write one: 8-4-4-4-12 hexadecimal digits.
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `f(key, pair)` for each pair of a mapping with a string key, in a list sized
/// up front: these lists are most of what the facts of a large set hold.
fn string_pairs<T>(node: Option<&Node>, f: impl Fn(&str, &Pair) -> T) -> Vec<T> {
    let pairs = node.map(Node::pairs).unwrap_or_default();
    let mut out = Vec::with_capacity(pairs.len());
    out.extend(pairs.filter_map(|p| Some(f(p.key.as_str()?, p))));
    out
}

/// What a node is worth for lookups.
pub fn val(node: &Node, depth: usize) -> Val {
    val_in(node, depth, None)
}

/// [`val`], with `!Context` read from the blueprint's `context:` as the tag's
/// resolver does (authentik/blueprints/v1/common.py `Context.resolve`): the
/// blueprint's value for the key, else the tag's default. An instance may
/// override both, but a file checked in a repository is applied with them; a
/// context value that is itself a tag (`!Env`) stays unknown.
pub fn val_in(node: &Node, depth: usize, context: Option<&Node>) -> Val {
    if let Some(parsed) = parse_tag(node) {
        return match parsed {
            TagParse::Call(TagCall::Context { key, default }) => {
                // The scalar form's key is the tagged node itself.
                let Some(key) = key.scalar().map(|s| s.value.as_str()) else {
                    return Val::Other;
                };
                match (context.and_then(|c| c.get(key)), default) {
                    // The context's own values are read without it: no cycles.
                    (Some(value), _) if value.tag().is_none() => val(value, depth),
                    (Some(_), _) => Val::Other,
                    (None, Some(default)) if default.tag().is_none() => val(default, depth),
                    _ => Val::Other,
                }
            }
            TagParse::Call(TagCall::KeyOf { id }) => id
                .scalar()
                .map(|s| s.value.as_str())
                .map_or(Val::Other, |id| Val::Ref(Ref::KeyOf(id.to_string()))),
            TagParse::Call(call @ TagCall::Find { object: false, .. }) => {
                find_query_in(&call, node.span, context)
                    .map_or(Val::Other, |q| Val::Ref(Ref::Find(Box::new(q))))
            }
            _ => Val::Other,
        };
    }
    if let Some(items) = node.seq() {
        if depth > 2 || items.len() > MAX_LIST {
            return Val::Other;
        }
        return Val::List(
            items
                .iter()
                .map(|n| val_in(n, depth + 1, context))
                .collect(),
        );
    }
    match node.typed() {
        Some(Typed::Null) => Val::Null,
        Some(Typed::Bool(b)) => Val::Bool(b),
        Some(Typed::Int(Some(i))) => Val::Int(i),
        Some(Typed::Str(s)) if s.len() <= MAX_LOOKUP_VALUE && !super::yields::is_template(s) => {
            Val::Str(s.to_string())
        }
        _ => Val::Other,
    }
}

/// The literal query of a `!Find`, or `None` if its model is itself a tag.
pub fn find_query(call: &TagCall<'_>, span: Span) -> Option<FindQuery> {
    find_query_in(call, span, None)
}

/// [`find_query`], with `!Context` condition values read from `context` (see
/// [`val_in`]).
pub fn find_query_in(call: &TagCall<'_>, span: Span, context: Option<&Node>) -> Option<FindQuery> {
    let TagCall::Find {
        model, conditions, ..
    } = call
    else {
        return None;
    };
    let model = crate::model::normalize_model(model.as_str()?);
    let mut pairs = Vec::with_capacity(conditions.len());
    let mut value_spans = Vec::with_capacity(conditions.len());
    let mut refs = Vec::new();
    for cond in *conditions {
        let pair = cond.seq()?;
        let field = pair.first()?.as_str()?.to_string();
        let value = pair.get(1)?;
        let value_val = val_in(value, 3, context);
        if let Val::Ref(reference) = &value_val {
            refs.push((field.clone(), reference.clone()));
        }
        pairs.push((field, value_val.lookup_key()));
        value_spans.push(value.value_span());
    }
    Some(FindQuery {
        model,
        conditions: pairs,
        value_spans,
        span,
        refs,
    })
}

fn meta_apply(entry: &Entry<'_>) -> Option<MetaApply> {
    if entry.model_name()? != "authentik_blueprints.metaapplyblueprint" {
        return None;
    }
    let attrs = entry.attrs?;
    let identifiers = attrs.get("identifiers")?;
    let pairs = identifiers
        .pairs()
        .filter_map(|p| Some((p.key.as_str()?.to_string(), p.value.as_str()?.to_string())))
        .collect::<Vec<_>>();
    if pairs.is_empty() {
        return None;
    }
    let required = !matches!(
        attrs.get("required").and_then(Node::typed),
        Some(Typed::Bool(false))
    );
    Some(MetaApply {
        entry: entry.index,
        span: identifiers.span,
        identifiers: pairs,
        required,
    })
}

/// [`hash_node`] of a blueprint's `entries`, with each entry written as its
/// [`hash_entry`] (in the order `Blueprint::new` collects them), so no part of
/// an entry is hashed twice.
fn hash_entries(node: &Node, entries: &mut impl Iterator<Item = u64>, h: &mut ValueHasher) {
    let mut list = |items: &Node, h: &mut ValueHasher| {
        items.tag().map(|t| t.name.as_str()).hash(h);
        1u8.hash(h);
        for _ in items.seq().unwrap_or_default() {
            entries.next().hash(h);
        }
    };
    let node = node.resolved();
    if node.seq().is_some() {
        list(node, h);
    } else if node.map().is_some() {
        // Sections: `entries` as a mapping of name -> list of entries.
        node.tag().map(|t| t.name.as_str()).hash(h);
        2u8.hash(h);
        for pair in node.pairs() {
            hash_node(&pair.key, h, 1);
            if pair.value.seq().is_some() {
                list(pair.value.resolved(), h);
            } else {
                hash_node(&pair.value, h, 1);
            }
        }
    } else {
        hash_node(node, h, 0);
    }
}

/// [`hash_node`] of one entry, with its `attrs` written as their hash, taken
/// already for the entry's facts.
fn hash_entry(entry: &Entry<'_>, attrs_hash: u64) -> u64 {
    let mut h = ValueHasher::default();
    let node = entry.node.resolved();
    if node.map().is_some() {
        node.tag().map(|t| t.name.as_str()).hash(&mut h);
        2u8.hash(&mut h);
        for pair in node.pairs() {
            hash_node(&pair.key, &mut h, 1);
            if entry
                .attrs
                .is_some_and(|attrs| std::ptr::eq(attrs, &pair.value))
            {
                4u8.hash(&mut h);
                attrs_hash.hash(&mut h);
            } else {
                hash_node(&pair.value, &mut h, 1);
            }
        }
    } else {
        hash_node(node, &mut h, 0);
    }
    h.finish()
}

/// Hash a subtree by content (scalar texts, tags, structure, merges resolved), not
/// by layout, quoting or comments.
fn hash_node(node: &Node, h: &mut ValueHasher, depth: usize) {
    if depth > crate::yaml::MAX_DEPTH {
        return;
    }
    let node = node.resolved();
    node.tag().map(|t| t.name.as_str()).hash(h);
    if let Some(items) = node.seq() {
        1u8.hash(h);
        for item in items {
            hash_node(item, h, depth + 1);
        }
    } else if node.map().is_some() {
        2u8.hash(h);
        for pair in node.pairs() {
            hash_node(&pair.key, h, depth + 1);
            hash_node(&pair.value, h, depth + 1);
        }
    } else if let Some(scalar) = node.scalar() {
        3u8.hash(h);
        // The scalar's text whatever its type (for a string that is its value),
        // so it needs no typing: `yes` and `"yes"` hash alike.
        scalar.value.hash(h);
    }
}

/// The hasher for [`hash_node`]. Its hashes are compared with each other within
/// one run and never leave it, so SipHash's defence against chosen collisions
/// buys nothing, while its cost per write was a tenth of a run: this is FxHash's
/// word step (as rustc uses it) with a final avalanche, over whole 8-byte words.
struct ValueHasher(u64);

impl Default for ValueHasher {
    /// A non-zero start, so leading zero words still move the state.
    fn default() -> Self {
        ValueHasher(0x243f_6a88_85a3_08d3)
    }
}

impl ValueHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for ValueHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(word);
            self.mix(u64::from_le_bytes(buf));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            // The length keeps `a` and `a\0` apart.
            self.mix(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte));
    }

    fn write_usize(&mut self, value: usize) {
        self.mix(value as u64);
    }

    fn finish(&self) -> u64 {
        // murmur3's fmix64, so every input bit reaches every output bit.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::locate::Located;

    /// Each entry's text after adding an item to `attrs.list` (or the key
    /// `new: 1` when it has no such list) and the text of its removal lines.
    fn edited(text: &str) -> Vec<(String, Option<String>)> {
        let located = Located::new(text, crate::yaml::parse(text).unwrap());
        let bp = &located.blueprints()[0];
        let facts = BlueprintFacts::extract(0, "x.yaml".into(), 0, bp, text);
        facts
            .entries
            .iter()
            .map(|e| {
                let edit = match e.attr_span("list") {
                    Some(_) => e.list_end("list").map(|at| at.edit(facts.eol(), "x")),
                    None => e
                        .edit_points
                        .new_attr
                        .map(|at| at.edit(facts.eol(), "new: 1")),
                };
                let after = edit.map_or_else(
                    || "no edit".to_string(),
                    |edit| {
                        let mut t = text.to_string();
                        t.replace_range(edit.span.start..edit.span.end, &edit.replacement);
                        t
                    },
                );
                let removed = e
                    .edit_points
                    .item_lines
                    .map(|s| text[s.start..s.end].to_string());
                (after, removed)
            })
            .collect()
    }

    #[test]
    fn edit_points_keep_the_layout_of_each_entry() {
        let text = "entries:\n  - model: a.b\n    attrs:\n      list:\n        - y\n  \
                    - model: a.b\n    attrs: {list: [y]}\n  - model: a.b\n    attrs:\n      \
                    list: []\n  - model: a.b\n    id: z\n  - {model: a.b}\n";
        let got = edited(text);
        let entry = |after: &str, what: &str| text.replacen(what, after, 1);
        assert_eq!(
            got[0].0,
            entry("        - y\n        - x\n", "        - y\n")
        );
        assert_eq!(got[1].0, entry("{list: [y, x]}", "{list: [y]}"));
        assert_eq!(got[2].0, entry("list: [x]", "list: []"));
        assert_eq!(
            got[3].0,
            entry("    id: z\n    attrs:\n      new: 1\n", "    id: z\n")
        );
        assert_eq!(got[4].0, "no edit");
        assert_eq!(
            got[0].1.as_deref(),
            Some("  - model: a.b\n    attrs:\n      list:\n        - y\n")
        );
        assert_eq!(got[3].1.as_deref(), Some("  - model: a.b\n    id: z\n"));
        assert_eq!(got[4].1, None, "a flow entry does not own its lines");
    }

    /// (entries_hash, attrs_hash of each entry) of the file's first blueprint.
    fn hashes(text: &str) -> (u64, Vec<u64>) {
        let located = Located::new(text, crate::yaml::parse(text).unwrap());
        let bp = &located.blueprints()[0];
        let facts = BlueprintFacts::extract(0, "x.yaml".into(), 0, bp, text);
        let attrs = facts.entries.iter().map(|e| e.attrs_hash).collect();
        (facts.entries_hash, attrs)
    }

    const BLOCK: &str = "entries:
  - model: authentik_core.group
    identifiers:
      name: a
    attrs:
      is_superuser: false
      attributes: {x: [1, 2]}
  - model: authentik_core.group
    identifiers: {name: b}
";

    #[test]
    fn the_same_entries_hash_alike_however_written() {
        let flow = "entries: [{model: authentik_core.group, identifiers: {name: a}, \
                    attrs: {is_superuser: false, attributes: {x: [1, 2]}}}, \
                    {model: \"authentik_core.group\", identifiers: {name: 'b'}}]\n";
        assert_eq!(hashes(BLOCK), hashes(flow));
    }

    #[test]
    fn different_attrs_or_entries_hash_differently() {
        let (entries, attrs) = hashes(BLOCK);
        let (other_entries, other_attrs) = hashes(&BLOCK.replace("[1, 2]", "[1, 3]"));
        assert_ne!(entries, other_entries);
        assert_ne!(attrs[0], other_attrs[0]);
        assert_eq!(attrs[1], other_attrs[1]);
        let (renamed, _) = hashes(&BLOCK.replace("{name: b}", "{name: c}"));
        assert_ne!(entries, renamed);
        let (reordered, _) = hashes(
            &BLOCK
                .replace(
                    "  - model: authentik_core.group\n    identifiers: {name: b}\n",
                    "",
                )
                .replace(
                    "entries:\n",
                    "entries:\n  - model: authentik_core.group\n    identifiers: {name: b}\n",
                ),
        );
        assert_ne!(entries, reordered);
    }

    #[test]
    fn sections_hash_their_entries() {
        let sections = BLOCK
            .replace("entries:\n", "entries:\n  groups:\n")
            .replace("\n  ", "\n    ");
        let (entries, attrs) = hashes(&sections);
        assert_eq!(attrs, hashes(BLOCK).1);
        assert_ne!(entries, hashes(BLOCK).0);
        let other = sections.replace("groups:", "teams:");
        assert_ne!(entries, hashes(&other).0);
    }
}

#[cfg(test)]
mod identity_tests {
    use super::*;
    use crate::model::locate::Located;

    /// For each entry of the file's first blueprint, the earlier entries it updates.
    fn updates(text: &str) -> Vec<Vec<usize>> {
        let located = Located::new(text, crate::yaml::parse(text).unwrap());
        let bp = &located.blueprints()[0];
        let facts = BlueprintFacts::extract(0, "x.yaml".into(), 0, bp, text);
        facts
            .entries
            .iter()
            .map(|e| {
                facts.entries[..e.index]
                    .iter()
                    .filter(|f| e.updates(f))
                    .map(|f| f.index)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn flow_and_block_identifiers_are_the_same_object() {
        let text = "entries:
  - model: authentik_core.group
    identifiers:
      name: 'a'
  - model: authentik_core.group
    identifiers: {name: a}
  - model: authentik_core.group
    identifiers: {name: b}
";
        assert_eq!(updates(text), vec![vec![], vec![0], vec![]]);
    }

    #[test]
    fn a_subset_of_identifiers_and_attrs_finds_the_object() {
        let text = "entries:
  - model: authentik_stages_prompt.prompt
    identifiers: {name: p}
    attrs: {field_key: email, type: email}
  - model: authentik_stages_prompt.prompt
    identifiers: {field_key: email}
  - model: authentik_stages_prompt.prompt
    identifiers: {field_key: email, type: text}
  - model: authentik_core.group
    identifiers: {field_key: email}
";
        assert_eq!(updates(text), vec![vec![], vec![0], vec![], vec![]]);
    }

    #[test]
    fn a_pk_keyof_updates_its_entry_and_a_pk_or_other_fields_match_either() {
        let text = "entries:
  - model: authentik_core.user
    id: admin
    identifiers: {username: a}
  - model: authentik_core.user
    identifiers: {pk: !KeyOf admin}
  - model: authentik_core.user
    identifiers: {pk: !KeyOf other, username: a}
  - model: authentik_core.user
    identifiers: {pk: !KeyOf other}
";
        // Entry 2 finds entry 0's object by username; that entry 1 updated the
        // same object is not followed (entry 1 records no username).
        assert_eq!(updates(text), vec![vec![], vec![0], vec![0], vec![]]);
    }

    #[test]
    fn context_values_resolve_to_the_blueprint_context_or_the_default() {
        let text = "context: {username: akadmin, token: !Env X}
entries:
  - model: authentik_core.user
    identifiers: {username: !Context username}
    attrs:
      name: !Context [display, Admin]
      path: !Context token
      email: !Context missing
";
        let located = Located::new(text, crate::yaml::parse(text).unwrap());
        let facts = BlueprintFacts::extract(0, "x.yaml".into(), 0, &located.blueprints()[0], text);
        let entry = &facts.entries[0];
        assert_eq!(entry.field("username"), Some(&Val::Str("akadmin".into())));
        assert_eq!(entry.field("name"), Some(&Val::Str("Admin".into())));
        assert_eq!(entry.field("path"), Some(&Val::Other));
        assert_eq!(entry.field("email"), Some(&Val::Other));
    }
}
