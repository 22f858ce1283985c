//! The blueprint set's index: every object the linted files define plus the
//! built-in objects of the target release, keyed by lookup field and value, so a
//! `!Find` resolves with hash lookups instead of scans.

use super::facts::{BlueprintFacts, EntryFacts, FindQuery, Ref, Val};
use crate::knowledge::{BuiltinDef, Knowledge};
use crate::model::State;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

/// An object bplint should take as existing although no linted file creates it
/// (`assume-exists` in `bplint.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumedObject {
    pub model: String,
    pub fields: Vec<(String, String)>,
}

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
    /// Objects that match, in set order (entries first, then built-ins);
    /// shared with the index's memo, since a lookup the whole set repeats (a
    /// scope mapping by `managed`) may name thousands of objects.
    Found(Arc<[ObjId]>),
    NotFound,
    /// bplint cannot tell (a tag in the query, a lookup it does not model, ...).
    Unknown,
}

pub struct Index<'a> {
    pub kb: Knowledge,
    pub blueprints: &'a [Arc<BlueprintFacts>],
    assumed: &'a [AssumedObject],
    /// field -> lower-cased value -> objects with that value, for the fields
    /// `!Find`s look up, each indexed when first asked for: a set has hundreds
    /// of thousands of field values and its lookups use a dozen fields.
    by_field: Mutex<HashMap<String, Arc<ValueMap>>>,
    /// field -> model -> objects with no record of the field, indexed like
    /// `by_field`: where nothing matches a lookup for certain, only these (and
    /// the objects with the looked-up value) can make it uncertain, and a set
    /// has thousands of objects of a model that a scan would test one by one.
    unrecorded: Mutex<HashMap<String, Arc<ModelMap>>>,
    /// model -> objects of exactly that model.
    by_model: HashMap<&'a str, Vec<ObjId>>,
    /// Queries answered so far: blueprints repeat the same `!Find`s (scope
    /// mappings, default flows) in file after file, and the same lookup value
    /// may name hundreds of objects. Kept by the query's hash, so asking again
    /// copies nothing.
    resolved: Mutex<Answered>,
    /// Per blueprint: [`Index::is_live`].
    live: Vec<bool>,
    /// Per blueprint and entry: [`Index::object_of_entry`], filled as asked.
    /// The rules that gather what the set does to one object ask it of the
    /// same entries, each through a `!Find` of the entry's identifiers.
    entry_objects: Vec<Vec<OnceLock<Option<ObjId>>>>,
}

/// One object's value against one lookup condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Match,
    Mismatch,
    /// bplint has no record of the value.
    Unknown,
}

/// A query's answer before it is asked from a particular blueprint.
#[derive(Debug)]
struct Answer {
    /// Objects that certainly match.
    found: Arc<[ObjId]>,
    /// An object that exists without anyone's help may match.
    unknown_live: bool,
    /// Blueprints applied only by hand whose objects may match.
    unknown_in: Vec<usize>,
}

impl Answer {
    fn unknown() -> Self {
        Answer {
            found: Arc::new([]),
            unknown_live: true,
            unknown_in: Vec::new(),
        }
    }

    fn resolution(&self, from: Option<usize>) -> Resolution {
        if !self.found.is_empty() {
            Resolution::Found(Arc::clone(&self.found))
        } else if self.unknown_live || from.is_some_and(|bp| self.unknown_in.contains(&bp)) {
            Resolution::Unknown
        } else {
            Resolution::NotFound
        }
    }
}

/// A `!Find` as far as its answer depends on it: the model and the conditions.
type QueryKey = (String, Vec<(String, Option<String>)>);

/// Answers by the hash of their query, each with the query it answers.
type Answered = HashMap<u64, Vec<(QueryKey, Arc<Answer>)>>;

/// Lower-cased value -> the objects with that value of one field, in set order.
/// (Owned keys: borrowed ones would make the index invariant in `'a`.)
type ValueMap = HashMap<String, Vec<ObjId>>;

/// Model -> objects of exactly that model.
type ModelMap = HashMap<String, Vec<ObjId>>;

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

/// A table out of its lock (see [`lock`] on poisoning).
fn owned<T>(table: Mutex<T>) -> T {
    table.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// `table`'s entry for `field`, built by `build` the first time it is asked
/// for (the index's per-field tables).
fn per_field<T>(
    table: &Mutex<HashMap<String, Arc<T>>>,
    field: &str,
    build: impl FnOnce() -> T,
) -> Arc<T> {
    if let Some(built) = lock(table).get(field) {
        return Arc::clone(built);
    }
    let built = Arc::new(build());
    lock(table).insert(field.to_string(), Arc::clone(&built));
    built
}

/// What the set records of one object's field.
enum Record<'a> {
    /// Nothing bplint can compare: unset (left at its default), set by a tag,
    /// a built-in field the catalog lacks.
    Unknown,
    /// A null column, which equals no string.
    Null,
    Value(Cow<'a, str>),
}

impl<'a> Index<'a> {
    pub fn build(
        kb: Knowledge,
        blueprints: &'a [Arc<BlueprintFacts>],
        assumed: &'a [AssumedObject],
    ) -> Self {
        let mut index = Index {
            kb,
            blueprints,
            assumed,
            by_field: Mutex::new(HashMap::new()),
            unrecorded: Mutex::new(HashMap::new()),
            by_model: HashMap::new(),
            resolved: Mutex::new(HashMap::new()),
            live: live_blueprints(blueprints),
            entry_objects: blueprints
                .iter()
                .map(|bp| bp.entries.iter().map(|_| OnceLock::new()).collect())
                .collect(),
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

    /// What the index memoised, owned, for a caller to free where it does not
    /// wait for it (the tables of a large set take a while).
    pub fn into_caches(self) -> impl Send + 'static {
        (
            owned(self.by_field),
            owned(self.unrecorded),
            owned(self.resolved),
        )
    }

    /// The objects of the set by their value of `field` (see `by_field`).
    fn values_of(&self, field: &str) -> Arc<ValueMap> {
        per_field(&self.by_field, field, || self.build_values_of(field))
    }

    fn build_values_of(&self, field: &str) -> ValueMap {
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
        values
    }

    /// The objects of the set with no record of `field`, by model (see
    /// `unrecorded`): those [`Index::compare`] answers `Unknown` for, whatever
    /// the value.
    fn unrecorded_of(&self, field: &str) -> Arc<ModelMap> {
        per_field(&self.unrecorded, field, || {
            let mut objects = ModelMap::new();
            for (&model, ids) in &self.by_model {
                let unknown: Vec<ObjId> = ids
                    .iter()
                    .copied()
                    .filter(|&obj| matches!(self.record(obj, field), Record::Unknown))
                    .collect();
                if !unknown.is_empty() {
                    objects.insert(model.to_string(), unknown);
                }
            }
            objects
        })
    }

    /// The objects `assume_exists` in bplint.toml declares.
    pub fn assumed(&self) -> &'a [AssumedObject] {
        self.assumed
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
    ///
    /// Asked without saying where the `!Find` is written: an object of a
    /// blueprint Authentik does not apply on its own (see [`Index::is_live`])
    /// is found, but its unknown values make no lookup uncertain.
    pub fn resolve_find(&self, query: &FindQuery) -> Resolution {
        self.answer(query).resolution(None)
    }

    /// [`Index::resolve_find`] for a `!Find` written in blueprint `bp`: the
    /// unknown values of `bp`'s own entries count too, since they are in place
    /// whenever `bp` applies.
    pub fn resolve_find_from(&self, bp: usize, query: &FindQuery) -> Resolution {
        self.answer(query).resolution(Some(bp))
    }

    fn answer(&self, query: &FindQuery) -> Arc<Answer> {
        use std::hash::BuildHasher;
        let hash =
            foldhash::fast::FixedState::default().hash_one((&query.model, &query.conditions));
        let known = self.memo().get(&hash).and_then(|asked| {
            asked
                .iter()
                .find(|((model, conditions), _)| {
                    *model == query.model && *conditions == query.conditions
                })
                .map(|(_, answer)| Arc::clone(answer))
        });
        if let Some(known) = known {
            return known;
        }
        let answer = Arc::new(self.resolve(query));
        let key = (query.model.clone(), query.conditions.clone());
        self.memo()
            .entry(hash)
            .or_default()
            .push((key, Arc::clone(&answer)));
        answer
    }

    fn memo(&self) -> MutexGuard<'_, Answered> {
        lock(&self.resolved)
    }

    /// Whether blueprint `bp` applies without anyone importing it by hand: it
    /// instantiates on discovery, or a `metaapplyblueprint` of the set names it.
    pub fn is_live(&self, bp: usize) -> bool {
        self.live.get(bp).copied().unwrap_or(true)
    }

    fn resolve(&self, query: &FindQuery) -> Answer {
        let mut exact = Vec::new();
        for (field, value) in &query.conditions {
            let Some(value) = value else {
                return Answer::unknown();
            };
            let (name, insensitive) = match field.split_once("__") {
                None => (field.as_str(), false),
                Some((name, "exact")) => (name, false),
                Some((name, "iexact")) => (name, true),
                Some(_) => return Answer::unknown(),
            };
            // A primary key is made when an object is saved: no blueprint
            // writes it down, so it may match anything.
            if name == "pk" {
                return Answer::unknown();
            }
            exact.push((name, value.as_str(), insensitive));
        }
        let in_model = |obj: ObjId| {
            self.model_of(obj)
                .is_some_and(|m| self.kb.matches_model(m, &query.model))
        };
        let test = |obj: ObjId| {
            let mut all = Cmp::Match;
            for &(name, value, insensitive) in &exact {
                match self.compare(obj, name, value, insensitive) {
                    Cmp::Mismatch => return Cmp::Mismatch,
                    Cmp::Unknown => all = Cmp::Unknown,
                    Cmp::Match => {}
                }
            }
            all
        };
        let candidates: Vec<ObjId> = match exact.first() {
            Some((name, value, _)) => self
                .values_of(name)
                .get(value.to_lowercase().as_str())
                .cloned()
                .unwrap_or_default(),
            None => self.objects_of(&query.model),
        };
        let found: Vec<ObjId> = candidates
            .iter()
            .copied()
            .filter(|&obj| in_model(obj) && test(obj) == Cmp::Match)
            .collect();
        if !found.is_empty() {
            return Answer {
                found: found.into(),
                unknown_live: false,
                unknown_in: Vec::new(),
            };
        }
        // Nothing matches for certain: an object with no record of a
        // condition's field (left at its default, set by a tag, a built-in
        // field the catalog lacks) may still match when the blueprint applies.
        let mut answer = Answer {
            found: Arc::new([]),
            unknown_live: false,
            unknown_in: Vec::new(),
        };
        // Without conditions every object of the model matched; there were none.
        let Some(&(first, _, _)) = exact.first() else {
            return answer;
        };
        // An uncertain object matches or has no record of every condition,
        // the first one included: it is a candidate or unrecorded there.
        let unrecorded = self.unrecorded_of(first);
        let maybe = self
            .family(&query.model)
            .filter_map(|m| unrecorded.get(m))
            .flatten()
            .chain(&candidates)
            .copied();
        for obj in maybe {
            if answer.unknown_live {
                break;
            }
            if !in_model(obj) || test(obj) != Cmp::Unknown {
                continue;
            }
            match obj {
                ObjId::Entry { bp, .. } if !self.live.get(bp).copied().unwrap_or(true) => {
                    if !answer.unknown_in.contains(&bp) {
                        answer.unknown_in.push(bp);
                    }
                }
                _ => answer.unknown_live = true,
            }
        }
        answer
    }

    /// How one object's value of `field` compares with a lookup value.
    fn compare(&self, obj: ObjId, field: &str, value: &str, insensitive: bool) -> Cmp {
        let have = match self.record(obj, field) {
            Record::Unknown => return Cmp::Unknown,
            Record::Null => return Cmp::Mismatch,
            Record::Value(have) => have,
        };
        let same = if insensitive {
            have.to_lowercase() == value.to_lowercase()
        } else {
            have == value
        };
        if same { Cmp::Match } else { Cmp::Mismatch }
    }

    /// What the set records of `obj`'s `field`.
    fn record(&self, obj: ObjId, field: &str) -> Record<'a> {
        match obj {
            ObjId::Entry { bp, entry } => {
                match self.entry(bp, entry).and_then(|e| e.field(field)) {
                    None => Record::Unknown,
                    Some(Val::Null) => Record::Null,
                    Some(v) => v.lookup_str().map_or(Record::Unknown, Record::Value),
                }
            }
            _ => self
                .field_str(obj, field)
                .map_or(Record::Unknown, Record::Value),
        }
    }

    /// The objects a reference from blueprint `bp` points at: `!KeyOf` within the
    /// blueprint, `!Find` across the set (empty when nothing or nothing certain).
    pub fn resolve_ref(&self, bp: usize, reference: &Ref) -> Arc<[ObjId]> {
        match reference {
            Ref::KeyOf(id) => self
                .blueprints
                .get(bp)
                .and_then(|b| b.entries.iter().find(|e| e.id.as_deref() == Some(id)))
                .map_or_else(
                    || Arc::new([]) as Arc<[ObjId]>,
                    |e| Arc::new([ObjId::Entry { bp, entry: e.index }]),
                ),
            Ref::Find(query) => match self.resolve_find(query) {
                Resolution::Found(objs) => objs,
                _ => Arc::new([]),
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
            .filter(move |&m| m != model && self.kb.matches_model(m, model))
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
        // Only the set's own entries are remembered: a caller may pass facts
        // of its own making.
        match self.entry_objects.get(bp).and_then(|b| b.get(entry.index)) {
            Some(cell)
                if self
                    .entry(bp, entry.index)
                    .is_some_and(|e| std::ptr::eq(e, entry)) =>
            {
                *cell.get_or_init(|| self.find_object_of_entry(bp, entry))
            }
            _ => self.find_object_of_entry(bp, entry),
        }
    }

    fn find_object_of_entry(&self, bp: usize, entry: &EntryFacts) -> Option<ObjId> {
        let model = entry.model.as_deref()?;
        let itself = ObjId::Entry {
            bp,
            entry: entry.index,
        };
        let Some(query) = identifier_query(model, entry) else {
            return Some(itself);
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

/// The lookup an entry's identifiers amount to, when every identifier is a
/// literal (`None` for a tag, a mapping, or no identifiers). It keeps `pk`,
/// which [`Index::resolve_find`] cannot answer; a caller that follows the
/// importer's `pk` OR the rest drops it.
pub fn identifier_query(model: &str, entry: &EntryFacts) -> Option<FindQuery> {
    let conditions: Vec<(String, Option<String>)> = entry
        .identifiers
        .iter()
        .map(|(k, v, _)| Some((k.clone(), Some(v.lookup_key()?))))
        .collect::<Option<_>>()?;
    (!conditions.is_empty()).then(|| FindQuery {
        model: model.to_string(),
        conditions,
        value_spans: Vec::new(),
        span: entry.span,
        refs: Vec::new(),
    })
}

/// The id to use for a set of matches: a built-in or assumed object first
/// (entries that name one update it), else the first entry.
fn canonical(objs: &[ObjId]) -> Option<ObjId> {
    objs.iter()
        .find(|o| !matches!(o, ObjId::Entry { .. }))
        .or_else(|| objs.first())
        .copied()
}

/// [`Index::is_live`] for every blueprint of the set. A `metaapplyblueprint`
/// names its target by `name` or by `path` (below the blueprints folder, so a
/// path of the set ending with it); either makes the target live.
fn live_blueprints(blueprints: &[Arc<BlueprintFacts>]) -> Vec<bool> {
    let mut names = HashSet::new();
    let mut paths = Vec::new();
    for apply in blueprints.iter().flat_map(|b| &b.meta_applies) {
        for (field, value) in &apply.identifiers {
            match field.as_str() {
                "name" => {
                    names.insert(value.as_str());
                }
                "path" => paths.push(Path::new(value.as_str())),
                _ => {}
            }
        }
    }
    blueprints
        .iter()
        .map(|b| {
            b.instantiates
                || b.name
                    .as_ref()
                    .is_some_and(|(n, _)| names.contains(n.as_str()))
                || paths.iter().any(|p| b.path.ends_with(p))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::locate::Located;

    fn facts(files: &[&str]) -> Vec<Arc<BlueprintFacts>> {
        files
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let located = Located::new(text, crate::yaml::parse(text).unwrap());
                Arc::new(BlueprintFacts::extract(
                    i,
                    format!("{i}.yaml").into(),
                    0,
                    &located.blueprints()[0],
                    text,
                ))
            })
            .collect()
    }

    fn query(model: &str, conditions: &[(&str, &str)]) -> FindQuery {
        FindQuery {
            model: model.into(),
            conditions: conditions
                .iter()
                .map(|(f, v)| (f.to_string(), Some(v.to_string())))
                .collect(),
            value_spans: Vec::new(),
            refs: Vec::new(),
            span: crate::source::Span::new(0, 0),
        }
    }

    const FLOWS: &str = "entries:
  - model: authentik_flows.flow
    identifiers: {slug: a}
    attrs: {designation: authentication}
  - model: authentik_flows.flow
    identifiers: {slug: b}
";

    #[test]
    fn a_field_without_a_record_is_unknown_and_a_different_one_no_match() {
        let set = facts(&[FLOWS]);
        let index = Index::build(Knowledge::newest(), &set, &[]);
        let flow = "authentik_flows.flow";
        let found = index.resolve_find(&query(flow, &[("slug", "a")]));
        assert!(matches!(found, Resolution::Found(objs) if objs.len() == 1));
        // `b` sets no designation: it may be an authorization flow.
        let q = query(flow, &[("slug", "b"), ("designation", "authorization")]);
        assert_eq!(index.resolve_find(&q), Resolution::Unknown);
        let q = query(flow, &[("slug", "a"), ("designation", "authorization")]);
        assert_eq!(index.resolve_find(&q), Resolution::NotFound);
        // The same with the unrecorded field first: `b` is no candidate by value
        // there, and is found among the objects without a designation.
        let q = query(flow, &[("designation", "authorization"), ("slug", "b")]);
        assert_eq!(index.resolve_find(&q), Resolution::Unknown);
        let q = query(flow, &[("designation", "authorization"), ("slug", "zz")]);
        assert_eq!(index.resolve_find(&q), Resolution::NotFound);
        assert_eq!(
            index.resolve_find(&query(flow, &[("slug", "zz")])),
            Resolution::NotFound
        );
    }

    #[test]
    fn a_parent_model_lists_each_object_once_and_sees_its_childrens_unknowns() {
        let providers = "entries:
  - model: authentik_providers_oauth2.oauth2provider
    identifiers: {name: a}
  - model: authentik_core.provider
    identifiers: {name: b}
";
        let set = facts(&[providers]);
        let index = Index::build(Knowledge::newest(), &set, &[]);
        let parent = "authentik_core.provider";
        let objects = index.objects_of(parent);
        assert_eq!(objects.len(), 2, "{objects:?}");
        assert!(objects.contains(&ObjId::Entry { bp: 0, entry: 0 }));
        assert!(objects.contains(&ObjId::Entry { bp: 0, entry: 1 }));
        // Neither records `authorization_flow`: either may hold it.
        let q = query(parent, &[("authorization_flow", "x"), ("name", "a")]);
        assert_eq!(index.resolve_find(&q), Resolution::Unknown);
        let q = query(parent, &[("authorization_flow", "x"), ("name", "c")]);
        assert_eq!(index.resolve_find(&q), Resolution::NotFound);
    }

    #[test]
    fn unknown_values_of_a_hand_applied_blueprint_stay_in_it() {
        let example = "metadata:
  name: example
  labels: {blueprints.goauthentik.io/instantiate: \"false\"}
entries:
  - model: authentik_flows.flow
    identifiers: {slug: !Format ['%s', x]}
  - model: authentik_flows.flow
    identifiers: {slug: !Context [flow_slug, from-default]}
";
        let set = facts(&[FLOWS, example]);
        let index = Index::build(Knowledge::newest(), &set, &[]);
        assert!(index.is_live(0) && !index.is_live(1));
        let typo = query("authentik_flows.flow", &[("slug", "zz")]);
        assert_eq!(index.resolve_find_from(0, &typo), Resolution::NotFound);
        assert_eq!(index.resolve_find_from(1, &typo), Resolution::Unknown);
        let default = query("authentik_flows.flow", &[("slug", "from-default")]);
        assert!(matches!(
            index.resolve_find_from(0, &default),
            Resolution::Found(_)
        ));
        // Applied by a `metaapplyblueprint` of the set, it is live.
        let meta = "entries:
  - model: authentik_blueprints.metaapplyblueprint
    attrs: {identifiers: {name: example}}
";
        let set = facts(&[FLOWS, example, meta]);
        let index = Index::build(Knowledge::newest(), &set, &[]);
        assert!(index.is_live(1));
        assert_eq!(index.resolve_find_from(0, &typo), Resolution::Unknown);
    }
}
