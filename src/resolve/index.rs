//! The blueprint set's index: every object the linted files define plus the
//! built-in objects of the target release, keyed by lookup field and value, so a
//! `!Find` resolves with hash lookups instead of scans.

use super::facts::{BlueprintFacts, EntryFacts, FindQuery, Ref, Val};
use crate::config::AssumedObject;
use crate::knowledge::{BuiltinDef, Knowledge};
use crate::model::State;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// One object the set knows of.
#[derive(Debug, Clone, Copy)]
pub enum ObjId {
    /// Entry `entry` of blueprint `bp` (an index into the set's blueprints).
    Entry {
        bp: usize,
        entry: usize,
    },
    Builtin(&'static BuiltinDef),
    /// An object `assume_exists` in bplint.toml declares.
    Assumed(usize),
}

impl PartialEq for ObjId {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ObjId::Entry { bp: a, entry: x }, ObjId::Entry { bp: b, entry: y }) => {
                a == b && x == y
            }
            (ObjId::Builtin(a), ObjId::Builtin(b)) => std::ptr::eq(*a, *b),
            (ObjId::Assumed(a), ObjId::Assumed(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for ObjId {}

/// Consistent with `PartialEq`: built-ins by address.
impl std::hash::Hash for ObjId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            ObjId::Entry { bp, entry } => (0u8, *bp, *entry).hash(state),
            ObjId::Builtin(b) => (1u8, std::ptr::from_ref(*b) as usize).hash(state),
            ObjId::Assumed(i) => (2u8, *i).hash(state),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Objects that match, in set order (entries first, then built-ins).
    Found(Vec<ObjId>),
    NotFound,
    /// bplint cannot tell (a tag in the query, a lookup it does not model, ...).
    Unknown,
}

pub struct Index<'a> {
    pub kb: Knowledge,
    pub blueprints: &'a [BlueprintFacts],
    assumed: &'a [AssumedObject],
    /// field -> lower-cased value -> objects with that value, for the fields
    /// `!Find`s look up, each indexed when first asked for: a set has hundreds
    /// of thousands of field values and its lookups use a dozen fields.
    by_field: Mutex<HashMap<String, Arc<ValueMap>>>,
    /// model -> objects of exactly that model.
    by_model: HashMap<&'a str, Vec<ObjId>>,
    /// (model, field) pairs where some object's value is a tag, so an unmatched
    /// lookup may still match at apply time.
    dynamic: HashSet<(&'a str, &'a str)>,
    /// Queries answered so far: blueprints repeat the same `!Find`s (scope
    /// mappings, default flows) in file after file, and the same lookup value
    /// may name hundreds of objects.
    resolved: Mutex<HashMap<QueryKey, Resolution>>,
}

/// A `!Find` as far as its answer depends on it: the model and the conditions.
type QueryKey = (String, Vec<(String, Option<String>)>);

/// Lower-cased value -> the objects with that value of one field, in set order.
/// (Owned keys: borrowed ones would make the index invariant in `'a`.)
type ValueMap = HashMap<String, Vec<ObjId>>;

/// `value` lower-cased as Django's `iexact` compares, borrowed when it is already.
fn lower(value: Cow<'_, str>) -> Cow<'_, str> {
    if value.is_ascii() && !value.bytes().any(|b| b.is_ascii_uppercase()) {
        value
    } else {
        Cow::Owned(value.to_lowercase())
    }
}

/// A table behind a lock. A poisoned lock only means another rule panicked
/// while holding it; what the table holds stays valid.
fn lock<T>(table: &Mutex<T>) -> MutexGuard<'_, T> {
    table.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<'a> Index<'a> {
    pub fn build(
        kb: Knowledge,
        blueprints: &'a [BlueprintFacts],
        assumed: &'a [AssumedObject],
    ) -> Self {
        let mut index = Index {
            kb,
            blueprints,
            assumed,
            by_field: Mutex::new(HashMap::new()),
            by_model: HashMap::new(),
            dynamic: HashSet::new(),
            resolved: Mutex::new(HashMap::new()),
        };
        for (bp_idx, bp) in blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if entry.state == State::Absent {
                    continue;
                }
                let Some(model) = &entry.model else { continue };
                let id = ObjId::Entry {
                    bp: bp_idx,
                    entry: entry.index,
                };
                index.by_model.entry(model).or_default().push(id);
                let fields = entry
                    .identifiers
                    .iter()
                    .map(|(k, v, _)| (k, v))
                    .chain(entry.attrs.iter().map(|(k, v, _)| (k, v)));
                for (field, value) in fields {
                    if matches!(value, Val::Other | Val::Ref(_)) {
                        index.dynamic.insert((model, field));
                    }
                }
            }
        }
        for (i, object) in assumed.iter().enumerate() {
            let id = ObjId::Assumed(i);
            index.by_model.entry(&object.model).or_default().push(id);
        }
        for builtin in kb.builtins() {
            let id = ObjId::Builtin(builtin);
            index.by_model.entry(builtin.model).or_default().push(id);
        }
        index
    }

    /// The objects of the set by their value of `field` (see `by_field`).
    fn values_of(&self, field: &str) -> Arc<ValueMap> {
        if let Some(values) = lock(&self.by_field).get(field) {
            return Arc::clone(values);
        }
        let mut values = ValueMap::new();
        let mut add = |value: Cow<'_, str>, id: ObjId| {
            let value = lower(value);
            match values.get_mut(value.as_ref()) {
                Some(ids) => ids.push(id),
                None => {
                    values.insert(value.into_owned(), vec![id]);
                }
            }
        };
        for (bp_idx, bp) in self.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if entry.state == State::Absent || entry.model.is_none() {
                    continue;
                }
                let id = ObjId::Entry {
                    bp: bp_idx,
                    entry: entry.index,
                };
                let fields = entry
                    .identifiers
                    .iter()
                    .map(|(k, v, _)| (k, v))
                    .chain(entry.attrs.iter().map(|(k, v, _)| (k, v)));
                for (_, value) in fields.filter(|(k, _)| *k == field) {
                    if let Some(key) = value.lookup_str() {
                        add(key, id);
                    }
                }
            }
        }
        for (i, object) in self.assumed.iter().enumerate() {
            for (_, value) in object.fields.iter().filter(|(k, _)| k == field) {
                add(Cow::Borrowed(value), ObjId::Assumed(i));
            }
        }
        for builtin in self.kb.builtins() {
            for (_, value) in builtin.fields.iter().filter(|(k, _)| *k == field) {
                add(Cow::Borrowed(value), ObjId::Builtin(builtin));
            }
        }
        let values = Arc::new(values);
        lock(&self.by_field).insert(field.to_string(), Arc::clone(&values));
        values
    }

    pub fn entry(&self, bp: usize, entry: usize) -> Option<&'a EntryFacts> {
        self.blueprints.get(bp)?.entries.get(entry)
    }

    pub fn model_of(&self, obj: ObjId) -> Option<&str> {
        match obj {
            ObjId::Entry { bp, entry } => self.entry(bp, entry)?.model.as_deref(),
            ObjId::Builtin(b) => Some(b.model),
            ObjId::Assumed(i) => self.assumed.get(i).map(|a| a.model.as_str()),
        }
    }

    /// A field's literal value on an object, as a lookup string.
    pub fn field_of(&self, obj: ObjId, field: &str) -> Option<String> {
        self.field_str(obj, field).map(Cow::into_owned)
    }

    /// [`Index::field_of`], borrowed where the value is a string already.
    fn field_str(&self, obj: ObjId, field: &str) -> Option<Cow<'a, str>> {
        match obj {
            ObjId::Entry { bp, entry } => self.entry(bp, entry)?.field(field)?.lookup_str(),
            ObjId::Builtin(b) => b.field(field).map(Cow::Borrowed),
            ObjId::Assumed(i) => self
                .assumed
                .get(i)?
                .fields
                .iter()
                .find(|(k, _)| k == field)
                .map(|(_, v)| Cow::Borrowed(v.as_str())),
        }
    }

    /// The objects a `!Find` matches, as Django's `filter(...).first()` would see
    /// them (a parent model matches its children's objects).
    pub fn resolve_find(&self, query: &FindQuery) -> Resolution {
        let key = (query.model.clone(), query.conditions.clone());
        if let Some(known) = self.memo().get(&key) {
            return known.clone();
        }
        let resolution = self.resolve(query);
        self.memo().insert(key, resolution.clone());
        resolution
    }

    fn memo(&self) -> MutexGuard<'_, HashMap<QueryKey, Resolution>> {
        lock(&self.resolved)
    }

    fn resolve(&self, query: &FindQuery) -> Resolution {
        let mut exact = Vec::new();
        for (field, value) in &query.conditions {
            let Some(value) = value else {
                return Resolution::Unknown;
            };
            let (name, insensitive) = match field.split_once("__") {
                None => (field.as_str(), false),
                Some((name, "exact")) => (name, false),
                Some((name, "iexact")) => (name, true),
                Some(_) => return Resolution::Unknown,
            };
            exact.push((name, value.as_str(), insensitive));
        }
        let candidates: Vec<ObjId> = match exact.first() {
            Some((name, value, _)) => self
                .values_of(name)
                .get(value.to_lowercase().as_str())
                .cloned()
                .unwrap_or_default(),
            None => self.objects_of(&query.model),
        };
        let found: Vec<ObjId> = candidates
            .into_iter()
            .filter(|&obj| {
                self.model_of(obj)
                    .is_some_and(|m| self.kb.matches_model(m, &query.model))
            })
            .filter(|&obj| {
                exact.iter().all(|(name, value, insensitive)| {
                    self.field_str(obj, name).is_some_and(|have| {
                        if *insensitive {
                            have.eq_ignore_ascii_case(value)
                        } else {
                            have == *value
                        }
                    })
                })
            })
            .collect();
        if !found.is_empty() {
            return Resolution::Found(found);
        }
        let may_match_later = exact.iter().any(|(name, _, _)| {
            *name == "pk"
                || self
                    .family(&query.model)
                    .any(|model| self.dynamic.contains(&(model, *name)))
        });
        if may_match_later {
            Resolution::Unknown
        } else {
            Resolution::NotFound
        }
    }

    /// The objects a reference from blueprint `bp` points at: `!KeyOf` within the
    /// blueprint, `!Find` across the set (empty when nothing or nothing certain).
    pub fn resolve_ref(&self, bp: usize, reference: &Ref) -> Vec<ObjId> {
        match reference {
            Ref::KeyOf(id) => self
                .blueprints
                .get(bp)
                .and_then(|b| b.entries.iter().find(|e| e.id.as_deref() == Some(id)))
                .map(|e| vec![ObjId::Entry { bp, entry: e.index }])
                .unwrap_or_default(),
            Ref::Find(query) => match self.resolve_find(query) {
                Resolution::Found(objs) => objs,
                _ => Vec::new(),
            },
        }
    }

    /// Every object of `model` or of a model that inherits from it.
    pub fn objects_of(&self, model: &str) -> Vec<ObjId> {
        self.family(model)
            .filter_map(|m| self.by_model.get(m))
            .flatten()
            .copied()
            .collect()
    }

    /// `model` and the models whose parents include it.
    fn family<'s>(&'s self, model: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.by_model
            .keys()
            .copied()
            .filter(move |m| self.kb.matches_model(m, model))
            .chain(std::iter::once(model))
    }
}

/// One id per object, whichever entry or reference names it, for the rules
/// that gather what the whole set does to one object (BP111, BP114).
impl Index<'_> {
    /// The object entry `entry` of blueprint `bp` acts on: a built-in (or
    /// assumed object) when its identifiers name one, else the first entry of
    /// the set those identifiers find, else the entry itself (identifiers with
    /// tags, a `pk`, an entry that deletes). `None` without a model.
    pub fn object_of_entry(&self, bp: usize, entry: &EntryFacts) -> Option<ObjId> {
        let model = entry.model.as_deref()?;
        let itself = ObjId::Entry {
            bp,
            entry: entry.index,
        };
        let conditions: Option<Vec<(String, Option<String>)>> = entry
            .identifiers
            .iter()
            .map(|(k, v, _)| Some((k.clone(), Some(v.lookup_key()?))))
            .collect();
        let Some(conditions) = conditions.filter(|c| !c.is_empty()) else {
            return Some(itself);
        };
        let query = FindQuery {
            model: model.to_string(),
            conditions,
            value_spans: Vec::new(),
            span: entry.span,
            refs: Vec::new(),
        };
        Some(match self.resolve_find(&query) {
            Resolution::Found(objs) => canonical(&objs).unwrap_or(itself),
            _ => itself,
        })
    }

    /// The object a reference from blueprint `bp` names, as
    /// [`Index::object_of_entry`] names it; `None` when nothing certain.
    pub fn object_of_ref(&self, bp: usize, reference: &Ref) -> Option<ObjId> {
        let found = self.resolve_ref(bp, reference);
        match canonical(&found)? {
            ObjId::Entry { bp, entry } => self.object_of_entry(bp, self.entry(bp, entry)?),
            other => Some(other),
        }
    }
}

/// The id to use for a set of matches: a built-in or assumed object first
/// (entries that name one update it), else the first entry.
fn canonical(objs: &[ObjId]) -> Option<ObjId> {
    objs.iter()
        .find(|o| !matches!(o, ObjId::Entry { .. }))
        .or_else(|| objs.first())
        .copied()
}
