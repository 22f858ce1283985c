//! YAML tree -> blueprint: metadata, context, entries in the order the importer
//! applies them, and every tag site with its typed call.
//!
//! The model is tolerant: it keeps whatever it can read so rules can report every
//! structural problem at once (BP003 judges the shape; this layer never fails).

pub mod embedded;
pub mod locate;
pub mod tags;

use crate::source::Span;
use crate::yaml::Node;
use foldhash::{HashMap, HashMapExt};
use std::sync::OnceLock;
pub use tags::{TagCall, TagError, TagParse, parse_tag};

/// Where a blueprint sits inside its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The file's only document.
    File,
    /// Document `n` (1-based) of a multi-document file.
    Document(usize),
    /// A value of a Kubernetes object (`data.<key>` of a ConfigMap, ...).
    Embedded {
        /// `ConfigMap/authentik-blueprints` style.
        object: String,
        /// The key (`apps.yaml`) or path (`spec.blueprint`) holding it.
        key: String,
        /// Where that key is written.
        key_span: Span,
    },
}

/// The keys the loader reads from an entry; it drops any other.
pub const ENTRY_KEYS: &[&str] = &[
    "model",
    "state",
    "id",
    "identifiers",
    "attrs",
    "conditions",
    "permissions",
];

/// An entry's `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Present,
    Created,
    MustCreated,
    Absent,
    /// Set by a tag, so only known when applied.
    Dynamic,
    /// Not one of Authentik's states (BP003 reports it).
    Invalid,
}

impl State {
    /// Whether applying the entry may create an object (BP108 asks it of a
    /// provider entry before it demands a field only a new object lacks).
    pub fn may_create(self) -> bool {
        matches!(
            self,
            State::Present | State::Created | State::MustCreated | State::Dynamic
        )
    }
}

#[derive(Debug)]
pub struct Metadata<'a> {
    pub node: &'a Node,
    pub name: Option<&'a Node>,
    pub labels: Option<&'a Node>,
}

#[derive(Debug)]
pub struct Entry<'a> {
    /// Position in application order (0-based, across `entries` sections).
    pub index: usize,
    pub node: &'a Node,
    pub model: Option<&'a Node>,
    pub state: Option<&'a Node>,
    pub id: Option<&'a Node>,
    pub identifiers: Option<&'a Node>,
    pub attrs: Option<&'a Node>,
    pub conditions: Option<&'a Node>,
    pub permissions: Option<&'a Node>,
}

impl<'a> Entry<'a> {
    /// The model as Django looks it up: app label as written, model name
    /// lower-cased. `None` when missing or set by a tag.
    pub fn model_name(&self) -> Option<String> {
        let text = self.model?.as_str()?;
        Some(normalize_model(text))
    }

    pub fn state(&self) -> State {
        let Some(node) = self.state else {
            return State::Present;
        };
        if node.tag().is_some() {
            return State::Dynamic;
        }
        match node.as_str() {
            Some("present") => State::Present,
            Some("created") => State::Created,
            Some("must_created") => State::MustCreated,
            Some("absent") => State::Absent,
            _ => State::Invalid,
        }
    }

    /// The literal `id`, if a string.
    pub fn id(&self) -> Option<&'a str> {
        self.id?.as_str()
    }

    /// A field's value as the serializer receives it: identifiers are merged into
    /// attrs and win.
    pub fn field(&self, name: &str) -> Option<&'a Node> {
        self.identifiers
            .and_then(|n| n.get(name))
            .or_else(|| self.attrs.and_then(|n| n.get(name)))
    }

    /// Whether the entry's fields cannot be read as written: `identifiers` or
    /// `attrs` is not a mapping, or the entry has a key the loader drops (a
    /// misspelt `identifiers:` hides the fields under it). BP003 reports each of
    /// these; rules that judge the fields skip such an entry, so that one mistake
    /// is reported once.
    pub fn fields_unreadable(&self) -> bool {
        let not_map = |n: Option<&Node>| n.is_some_and(|n| n.map().is_none());
        not_map(self.identifiers)
            || not_map(self.attrs)
            || self
                .node
                .pairs()
                .any(|p| p.key.as_str().is_none_or(|k| !ENTRY_KEYS.contains(&k)))
    }

    /// Span to point at for problems with the entry as a whole: its `model` value.
    pub fn anchor_span(&self) -> Span {
        self.model.map_or(self.node.span, |m| m.span)
    }

    /// Whether the entry only runs when its `conditions` hold.
    pub fn is_conditional(&self) -> bool {
        self.conditions
            .and_then(Node::seq)
            .is_some_and(|items| !items.is_empty())
    }
}

/// `app_label.ModelName` -> `app_label.modelname` (Django's lookup is
/// case-insensitive on the model name only).
pub fn normalize_model(text: &str) -> String {
    // One allocation: rules ask for every entry's model name.
    let mut name = text.to_string();
    if let Some(dot) = name.find('.') {
        name[dot + 1..].make_ascii_lowercase();
    }
    name
}

/// A tagged node and where it sits.
#[derive(Debug)]
pub struct TagSite<'a> {
    pub node: &'a Node,
    pub parsed: TagParse<'a>,
    /// The entry it belongs to, if under `entries`.
    pub entry: Option<usize>,
    /// How many `!Enumerate` bodies enclose it.
    pub enumerate_depth: usize,
    /// Under the top-level `context:` (resolved only where `!Context` uses it).
    pub in_context: bool,
}

#[derive(Debug)]
pub struct Blueprint<'a> {
    pub root: &'a Node,
    pub origin: Origin,
    pub version: Option<&'a Node>,
    pub metadata: Option<Metadata<'a>>,
    pub context: Option<&'a Node>,
    pub entries_node: Option<&'a Node>,
    pub entries: Vec<Entry<'a>>,
    pub tags: Vec<TagSite<'a>>,
    /// The first entry with each `id`, built on first use: every `!KeyOf` looks
    /// its target up, and exported blueprints have thousands of entries.
    /// (Owned keys: borrowed ones would make `Blueprint` invariant in `'a`.)
    ids: OnceLock<HashMap<String, usize>>,
}

/// Whether a document is a blueprint: a mapping with `entries`, or with both
/// `version` and `metadata`.
pub fn is_blueprint(root: &Node) -> bool {
    root.map().is_some()
        && (root.get("entries").is_some()
            || (root.get("version").is_some() && root.get("metadata").is_some()))
}

impl<'a> Blueprint<'a> {
    pub fn new(root: &'a Node, origin: Origin) -> Self {
        let metadata = root.get("metadata").map(|node| Metadata {
            node,
            name: node.get("name"),
            labels: node.get("labels"),
        });
        let entries_node = root.get("entries");
        let mut entries = Vec::new();
        if let Some(node) = entries_node {
            if let Some(items) = node.seq() {
                collect_entries(items, &mut entries);
            } else if node.map().is_some() {
                for pair in node.pairs() {
                    if let Some(items) = pair.value.seq() {
                        collect_entries(items, &mut entries);
                    }
                }
            }
        }
        let mut bp = Blueprint {
            root,
            origin,
            version: root.get("version"),
            metadata,
            context: root.get("context"),
            entries_node,
            entries,
            tags: Vec::new(),
            ids: OnceLock::new(),
        };
        bp.collect_tags();
        bp
    }

    pub fn name(&self) -> Option<&'a str> {
        self.metadata.as_ref()?.name?.as_str()
    }

    /// A label's value, if written as a string.
    pub fn label(&self, key: &str) -> Option<&'a Node> {
        self.metadata.as_ref()?.labels?.get(key)
    }

    /// Whether Authentik applies the file on its own (label `instantiate` not "false").
    pub fn instantiates(&self) -> bool {
        !self
            .label("blueprints.goauthentik.io/instantiate")
            .and_then(Node::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    }

    /// Entries defining `!KeyOf` target `id`, in order.
    pub fn entry_with_id(&self, id: &str) -> Option<&Entry<'a>> {
        let ids = self.ids.get_or_init(|| {
            let mut ids = HashMap::new();
            for entry in &self.entries {
                if let Some(id) = entry.id() {
                    ids.entry(id.to_string()).or_insert(entry.index);
                }
            }
            ids
        });
        ids.get(id).map(|&i| &self.entries[i])
    }

    /// Keys under the top-level `context:`.
    pub fn context_keys(&self) -> impl Iterator<Item = &'a str> {
        self.context
            .map(|c| c.pairs())
            .unwrap_or_default()
            .filter_map(|p| p.key.as_str())
    }

    fn collect_tags(&mut self) {
        let mut sites = Vec::new();
        if let Some(context) = self.context {
            walk(context, None, 0, true, &mut sites, 0);
        }
        for entry in &self.entries {
            walk(entry.node, Some(entry.index), 0, false, &mut sites, 0);
        }
        if let Some(metadata) = &self.metadata {
            walk(metadata.node, None, 0, false, &mut sites, 0);
        }
        self.tags = sites;
    }
}

fn collect_entries<'a>(items: &'a [Node], out: &mut Vec<Entry<'a>>) {
    for node in items {
        let index = out.len();
        out.push(Entry {
            index,
            node,
            model: node.get("model"),
            state: node.get("state"),
            id: node.get("id"),
            identifiers: node.get("identifiers"),
            attrs: node.get("attrs"),
            conditions: node.get("conditions"),
            permissions: node.get("permissions"),
        });
    }
}

/// Record every tagged node under `node`. An `!Enumerate` body is walked one
/// enumerate level deeper; its iterable is not (Authentik resolves it outside).
fn walk<'a>(
    node: &'a Node,
    entry: Option<usize>,
    enumerate_depth: usize,
    in_context: bool,
    out: &mut Vec<TagSite<'a>>,
    depth: usize,
) {
    if depth > crate::yaml::MAX_DEPTH {
        return;
    }
    let node = node.resolved();
    // The third item of an `!Enumerate` is its body even when another argument is
    // wrong: BP005 reports that argument once, and the `!Index`/`!Value` tags of
    // the body keep their enclosing loop.
    let body = (node.local_tag() == Some("Enumerate"))
        .then(|| node.seq().and_then(|items| items.get(2)))
        .flatten();
    if let Some(parsed) = parse_tag(node) {
        out.push(TagSite {
            node,
            parsed,
            entry,
            enumerate_depth,
            in_context,
        });
    }
    let mut visit = |child: &'a Node| {
        let inner = if body.is_some_and(|b| std::ptr::eq(b, child)) {
            enumerate_depth + 1
        } else {
            enumerate_depth
        };
        walk(child, entry, inner, in_context, out, depth + 1);
    };
    if let Some(items) = node.seq() {
        items.iter().for_each(&mut visit);
    } else if let Some(pairs) = node.map() {
        for pair in pairs {
            visit(&pair.key);
            visit(&pair.value);
        }
    }
}
