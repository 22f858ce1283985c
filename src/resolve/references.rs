//! References whose object only other blueprints of the set create: a `!Find`,
//! or a primary key copied from an export into a relation field. Whether such a
//! reference finds its object depends on which blueprint the worker applies
//! first (see [`super::order`]), and on whether the importer accepts the other
//! blueprint at all.

use super::facts::{EntryFacts, FindQuery, LiteralKey};
use super::index::{Index, ObjId, Resolution, identifier_query};
use super::order::has_instance;
use crate::model::State;
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};

/// What a reference is written as.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Find(&'a FindQuery),
    /// A literal primary key in a relation field.
    Key(&'a LiteralKey),
}

impl Target<'_> {
    pub fn span(&self) -> Span {
        match self {
            Target::Find(query) => query.span,
            Target::Key(key) => key.span,
        }
    }
}

/// A reference of blueprint `bp`'s entry `entry` that only entries of other
/// blueprints satisfy.
#[derive(Debug)]
pub struct CrossRef<'a> {
    pub bp: usize,
    pub entry: usize,
    pub target: Target<'a>,
    /// `(blueprint, entry)` of each entry of another blueprint that creates
    /// the object, in set order. Blueprints without an instance (see
    /// [`has_instance`]) are left out: they apply only by hand, or never.
    pub creators: Vec<(usize, usize)>,
}

/// Why an entry that gives a literal `pk` leaves no object with it on a fresh
/// install.
#[derive(Debug, Clone, Copy)]
pub enum KeyLost {
    /// Its other identifiers name an existing object (a built-in), which it
    /// updates: that object keeps its own key.
    Updates(ObjId),
    /// Its model makes its own key when an object is created (see
    /// `SerializerModel::pk_kept`).
    NewKey,
}

/// What the set does with each literal primary key its entries give.
pub struct KeyGivers {
    /// Key -> `(blueprint, entry, None)` for an entry whose object gets the key
    /// on a fresh install, or with the reason it does not.
    by_key: HashMap<String, Vec<(usize, usize, Option<KeyLost>)>>,
}

impl KeyGivers {
    pub fn new(index: &Index<'_>) -> Self {
        let mut by_key: HashMap<String, Vec<(usize, usize, Option<KeyLost>)>> = HashMap::new();
        for (b, bp) in index.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if entry.state == State::Absent {
                    continue;
                }
                let Some(key) = given_pk(entry) else { continue };
                by_key
                    .entry(key)
                    .or_default()
                    .push((b, entry.index, lost(index, entry)));
            }
        }
        KeyGivers { by_key }
    }

    /// The entries that give `key`, each with why its object does not get it.
    pub fn of(&self, key: &str) -> &[(usize, usize, Option<KeyLost>)] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }
}

/// The literal UUID `pk` among an entry's identifiers, as [`LiteralKey`] writes it.
fn given_pk(entry: &EntryFacts) -> Option<String> {
    let (_, value, _) = entry.identifiers.iter().rev().find(|(k, _, _)| k == "pk")?;
    let key = value.lookup_key()?;
    super::facts::is_uuid(&key).then(|| key.to_ascii_lowercase())
}

/// Why an entry which gives a literal `pk`, leaves no
/// object with it on a fresh install: the importer looks the object up by that
/// `pk` OR the other identifiers, so an existing object they name is updated;
/// otherwise it creates one and sets the `pk`, which the model may not keep.
fn lost(index: &Index<'_>, entry: &EntryFacts) -> Option<KeyLost> {
    let model = entry.model.as_deref()?;
    if let Some(existing) = existing_by_identifiers(index, model, entry) {
        return Some(KeyLost::Updates(existing));
    }
    let kept = index
        .kb
        .serializers()
        .and_then(|release| release.model(model))
        .is_none_or(|m| m.pk_kept);
    (!kept).then_some(KeyLost::NewKey)
}

/// The built-in (or assumed) object the entry's literal identifiers other than
/// `pk` name, as the importer's lookup finds it. Asked of the built-ins only:
/// indexing every object of the set by each identifier field an export uses
/// would cost more than the question is worth.
fn existing_by_identifiers(index: &Index<'_>, model: &str, entry: &EntryFacts) -> Option<ObjId> {
    let mut query = identifier_query(model, entry)?;
    query.conditions.retain(|(k, _)| k != "pk");
    let pairs: Vec<(&str, &str)> = query
        .conditions
        .iter()
        .map(|(k, v)| Some((k.as_str(), v.as_deref()?)))
        .collect::<Option<_>>()?;
    if pairs.is_empty() {
        return None;
    }
    if let Some(builtin) = index.kb.builtin_matching(model, &pairs) {
        return Some(ObjId::Builtin(builtin));
    }
    index
        .assumed()
        .iter()
        .position(|object| {
            index.kb.matches_model(&object.model, model)
                && pairs
                    .iter()
                    .all(|(k, v)| object.fields.iter().any(|(f, have)| f == k && have == v))
        })
        .map(ObjId::Assumed)
}

/// Whether two blueprints are one: the same, or copies with the same entries
/// (a file and the ConfigMap that ships it).
pub fn same_blueprint(index: &Index<'_>, a: usize, b: usize) -> bool {
    a == b
        || index
            .blueprints
            .get(a)
            .zip(index.blueprints.get(b))
            .is_some_and(|(x, y)| x.entries_hash == y.entries_hash)
}

/// The literal keys of an entry in the fields that take an object's primary
/// key (the serializer's relations), with the model each names.
pub fn relation_keys<'e>(
    index: &Index<'_>,
    entry: &'e EntryFacts,
) -> impl Iterator<Item = (&'e LiteralKey, &'static str)> + 'e {
    let release = index.kb.serializers();
    let model = entry.model.clone();
    entry.literal_keys.iter().filter_map(move |key| {
        let related = release?.field(model.as_deref()?, &key.field)?.related?;
        (key.field != "pk").then_some((key, related))
    })
}

/// Whether an entry of blueprint `b` before entry `entry` (or of a copy of
/// `b`) gives `key`: the importer then maps the key to that entry's object for
/// the rest of the blueprint, whichever key the object got.
pub fn given_earlier(
    index: &Index<'_>,
    givers: &[(usize, usize, Option<KeyLost>)],
    b: usize,
    entry: usize,
) -> bool {
    givers
        .iter()
        .any(|&(gb, ge, _)| same_blueprint(index, gb, b) && ge < entry)
}

/// Whether a built-in or an object `assume_exists` declares has primary key `key`.
pub fn key_exists(index: &Index<'_>, key: &str) -> bool {
    index.kb.builtins().any(|b| b.field("pk") == Some(key))
        || index.assumed().iter().any(|a| {
            a.fields
                .iter()
                .any(|(k, v)| k == "pk" && v.eq_ignore_ascii_case(key))
        })
}

/// Every reference of the set whose object only entries of other blueprints
/// create: nothing built in or assumed, and no entry of its own blueprint
/// above it (those references are BP113's, or fine). References in blueprints
/// without an instance are left out: such a blueprint applies only by hand,
/// when whatever it needs is usually there, or never. Only the references of
/// the blueprints `from` accepts are gathered.
pub fn cross_blueprint<'a>(
    index: &Index<'a>,
    givers: &KeyGivers,
    from: &dyn Fn(usize) -> bool,
) -> Vec<CrossRef<'a>> {
    let mut out = Vec::new();
    for (b, bp) in index.blueprints.iter().enumerate() {
        if !has_instance(bp) || !from(b) {
            continue;
        }
        for (user, query) in &bp.finds {
            let Some(user) = *user else { continue };
            if !index.kb.is_findable(&query.model)
                || bp
                    .entries
                    .get(user)
                    .and_then(|e| e.conditions_span)
                    .is_some_and(|c| c.contains(query.span))
            {
                continue;
            }
            let Resolution::Found(objs) = index.resolve_find(query) else {
                continue;
            };
            let mut creators = Vec::new();
            let mut in_place = false;
            for obj in objs.iter() {
                match *obj {
                    ObjId::Entry { bp: ob, entry } if same_blueprint(index, ob, b) => {
                        in_place |= entry < user;
                    }
                    ObjId::Entry { bp: ob, entry } => {
                        if has_instance(&index.blueprints[ob]) {
                            creators.push((ob, entry));
                        }
                    }
                    _ => in_place = true,
                }
            }
            if !in_place && !creators.is_empty() {
                out.push(CrossRef {
                    bp: b,
                    entry: user,
                    target: Target::Find(query),
                    creators,
                });
            }
        }
        for entry in &bp.entries {
            if entry.state == State::Absent {
                continue;
            }
            for (key, _) in relation_keys(index, entry) {
                let given = givers.of(&key.value);
                if given_earlier(index, given, b, entry.index) || key_exists(index, &key.value) {
                    continue;
                }
                let creators: Vec<(usize, usize)> = given
                    .iter()
                    .filter(|&&(gb, _, lost)| {
                        lost.is_none()
                            && !same_blueprint(index, gb, b)
                            && has_instance(&index.blueprints[gb])
                    })
                    .map(|&(gb, ge, _)| (gb, ge))
                    .collect();
                if !creators.is_empty() {
                    out.push(CrossRef {
                        bp: b,
                        entry: entry.index,
                        target: Target::Key(key),
                        creators,
                    });
                }
            }
        }
    }
    out
}

/// A blueprint as messages name it: where it is written, and its name.
pub fn describe(bp: &super::BlueprintFacts) -> String {
    let path = crate::source::display_path(&bp.path);
    let place = match &bp.origin {
        crate::model::Origin::File => path,
        crate::model::Origin::Document(n) => format!("document {n} of {path}"),
        crate::model::Origin::Embedded { key, .. } => format!("`{key}` of {path}"),
    };
    match &bp.name {
        Some((name, _)) => format!("{place} (blueprint `{name}`)"),
        None => place,
    }
}
