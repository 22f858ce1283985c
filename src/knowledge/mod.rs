//! What bplint knows about Authentik, per release: models, fields, built-in
//! objects (generated from Authentik's schemas by `scripts/gen-knowledge.py`), and
//! the few facts that changed between releases (`versions.rs`, hand-written).

#[rustfmt::skip]
mod generated;
pub mod builtin_links;
pub mod duration;
pub mod types;
pub mod unique;
pub mod versions;

pub use types::{BuiltinDef, FieldDef, ModelDef, StrFormat, Ty, VersionDef};
pub use versions::Version;

use std::collections::HashMap;
use std::sync::OnceLock;

/// The knowledge base for one target release.
#[derive(Debug, Clone, Copy)]
pub struct Knowledge {
    /// The embedded release line the tables come from.
    pub def: &'static VersionDef,
    /// The version the user targets (may name a patch release).
    pub version: Version,
}

/// Every embedded release, oldest first.
pub fn all_versions() -> &'static [VersionDef] {
    generated::VERSIONS
}

/// The embedded releases where `has` holds, for "exists in Authentik 2024.8 to
/// 2025.2" style hints (`None` if none).
pub fn release_range(has: impl Fn(&VersionDef) -> bool) -> Option<String> {
    let have: Vec<&str> = generated::VERSIONS
        .iter()
        .filter(|v| has(v))
        .map(|v| v.name)
        .collect();
    match have.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        [first, .., last] => Some(format!("{first} to {last}")),
    }
}

impl Knowledge {
    /// The newest embedded release.
    #[allow(
        clippy::expect_used,
        reason = "the generated table is a constant with every embedded release"
    )]
    pub fn newest() -> Knowledge {
        let def = generated::VERSIONS
            .last()
            .expect("the generated knowledge base has at least one release");
        Knowledge {
            def,
            version: Version::parse(def.release).unwrap_or(Version::new(0, 0, 0)),
        }
    }

    /// The knowledge for `2026.2` or `2026.2.1` style input.
    pub fn for_version(text: &str) -> Result<Knowledge, String> {
        let version = Version::parse(text).ok_or_else(|| {
            format!("`{text}` is not an Authentik version; write it as YEAR.MONTH, like 2026.2")
        })?;
        let key = format!("{}.{}", version.year, version.month);
        let def = generated::VERSIONS
            .iter()
            .find(|v| v.name == key)
            .ok_or_else(|| {
                let known: Vec<&str> = generated::VERSIONS.iter().map(|v| v.name).collect();
                format!(
                    "bplint has no data for Authentik {key}; known releases: {}",
                    known.join(", ")
                )
            })?;
        let version = if text.matches('.').count() >= 2 {
            version
        } else {
            Version::parse(def.release).unwrap_or(version)
        };
        Ok(Knowledge { def, version })
    }

    pub fn model(&self, name: &str) -> Option<&'static ModelDef> {
        self.def
            .models
            .binary_search_by(|m| m.name.cmp(name))
            .ok()
            .map(|i| self.def.models[i])
    }

    /// Whether `name` is a model or a parent model `!Find` may search.
    pub fn is_findable(&self, name: &str) -> bool {
        self.model(name).is_some() || self.is_parent_model(name)
    }

    pub fn is_parent_model(&self, name: &str) -> bool {
        self.def.models.iter().any(|m| m.parents.contains(&name))
    }

    /// Whether objects of `model` are found by a `!Find` on `target` (the same
    /// model, or one of its parents).
    pub fn matches_model(&self, model: &str, target: &str) -> bool {
        model == target
            || self
                .model(model)
                .is_some_and(|m| m.parents.contains(&target))
    }

    pub fn field(&self, model: &str, field: &str) -> Option<&'static FieldDef> {
        let m = self.model(model)?;
        m.fields
            .binary_search_by(|f| f.name.cmp(field))
            .ok()
            .map(|i| &m.fields[i])
    }

    /// Built-in objects of this release.
    pub fn builtins(&self) -> impl Iterator<Item = &'static BuiltinDef> + '_ {
        generated::BUILTINS.iter().filter(|b| self.ships(b))
    }

    /// Whether this release has the built-in object.
    fn ships(&self, builtin: &BuiltinDef) -> bool {
        builtin.versions.is_empty() || builtin.versions.contains(&self.def.name)
    }

    /// The built-in object of `model` (or a child of it) whose fields match every
    /// `(field, value)` pair.
    pub fn builtin_matching(
        &self,
        model: &str,
        conditions: &[(&str, &str)],
    ) -> Option<&'static BuiltinDef> {
        // BP204 asks this for every entry that creates an object: only the
        // built-ins with the first condition's value are candidates, and the
        // field comparisons come before the release and model checks.
        let matching = |b: &&'static BuiltinDef| {
            conditions.iter().all(|(f, v)| b.field(f) == Some(*v))
                && self.ships(b)
                && self.matches_model(b.model, model)
        };
        match conditions.first() {
            Some(first) => builtins_by_field()
                .get(first)
                .and_then(|candidates| candidates.iter().copied().find(matching)),
            None => generated::BUILTINS.iter().find(matching),
        }
    }

    /// Names of every model of this release, for suggestions.
    pub fn model_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.def.models.iter().map(|m| m.name)
    }
}

/// The built-ins of every release by each of their lookup fields and its value
/// (the first one, as [`BuiltinDef::field`] reads it), in table order. Built on
/// first use from the static table: a few hundred inserts, nothing parsed.
fn builtins_by_field() -> &'static HashMap<(&'static str, &'static str), Vec<&'static BuiltinDef>> {
    static INDEX: OnceLock<HashMap<(&'static str, &'static str), Vec<&'static BuiltinDef>>> =
        OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<_, Vec<_>> = HashMap::new();
        for builtin in generated::BUILTINS {
            for (i, &(field, value)) in builtin.fields.iter().enumerate() {
                if builtin.fields[..i].iter().all(|(f, _)| *f != field) {
                    index.entry((field, value)).or_default().push(builtin);
                }
            }
        }
        index
    })
}

impl BuiltinDef {
    pub fn field(&self, name: &str) -> Option<&'static str> {
        self.fields
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, v)| *v)
    }

    /// A short name for messages: `flow default-authentication-flow`.
    pub fn describe(&self) -> String {
        let what = self.model.rsplit('.').next().unwrap_or(self.model);
        let key = ["slug", "managed", "name", "path"]
            .iter()
            .find_map(|k| self.field(k))
            .unwrap_or("?");
        format!("{what} `{key}`")
    }
}
