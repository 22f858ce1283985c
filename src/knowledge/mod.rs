//! What bplint knows about Authentik, per release: models, fields, built-in
//! objects (generated from Authentik's schemas by `scripts/gen-knowledge.py`), and
//! the few facts that changed between releases (`versions.rs`, hand-written).

#[rustfmt::skip]
mod generated;
#[rustfmt::skip]
mod startup_generated;
#[rustfmt::skip]
mod clients_generated;
pub mod builtin_links;
pub mod clients;
pub mod descriptions;
pub mod duration;
pub mod expressions;
pub mod serializers;
pub mod source_types;
pub mod types;
pub mod unique;
pub mod versions;

pub use types::{BuiltinDef, FieldDef, ModelDef, StartupDef, StrFormat, Ty, VersionDef};
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

/// Where a fact the target release lacks went, or comes from: the release
/// that removed it (only older releases have it) or added it (only newer ones
/// do). Findings caused by a change between releases say which release made it,
/// so a user who upgraded, or is about to, knows why a file that passed fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added(&'static str),
    Removed(&'static str),
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Added(release) => write!(f, "added in Authentik {release}"),
            Change::Removed(release) => write!(f, "removed in Authentik {release}"),
        }
    }
}

/// The [`Change`] that explains why `has` is false at `current`; `None` when it
/// holds there, holds nowhere, or holds both before and after (no single release
/// to name).
pub fn change(current: &VersionDef, has: impl Fn(&VersionDef) -> bool) -> Option<Change> {
    let all = generated::VERSIONS;
    let at = all.iter().position(|v| v.name == current.name)?;
    if has(&all[at]) {
        return None;
    }
    let last_before = all[..at].iter().rposition(&has);
    let first_after = all[at + 1..].iter().position(&has).map(|i| at + 1 + i);
    match (last_before, first_after) {
        (Some(i), None) => Some(Change::Removed(all[i + 1].name)),
        (None, Some(i)) => Some(Change::Added(all[i].name)),
        _ => None,
    }
}

/// The release from which `has` holds without a break up to `current`, when an
/// older release lacked it ("a field since 2026.5"); `None` when it has held in
/// every release or does not hold at `current`.
pub fn holds_since(
    current: &VersionDef,
    has: impl Fn(&VersionDef) -> bool,
) -> Option<&'static str> {
    let all = generated::VERSIONS;
    let at = all.iter().position(|v| v.name == current.name)?;
    if !has(&all[at]) {
        return None;
    }
    let break_at = all[..at].iter().rposition(|v| !has(v))?;
    Some(all[break_at + 1].name)
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
            version: Version::parse(def.latest).unwrap_or(Version::new(0, 0, 0)),
        }
    }

    /// The knowledge for `2026.2`, `2026.2.1` or `v2026.2.1` style input (a
    /// leading `v`, as image tags and pins write it, is dropped). A bare minor
    /// means its newest patch (`2024.8` is 2024.8.6). A release older than the
    /// oldest embedded line keeps its own number and uses the oldest tables, one
    /// newer than the newest the newest tables ([`Knowledge::outside_known`] says
    /// so). Refused: a minor between two embedded lines that Authentik never
    /// released (`2025.3`), a release from before blueprints existed (2022.8), and
    /// a patch past the newest of a line whose patches are settled (`2024.8.99`);
    /// the newest [`OPEN_LINES`] lines may still get patches bplint has not seen,
    /// so a patch past theirs is accepted ([`Knowledge::past_known_patch`]).
    pub fn for_version(text: &str) -> Result<Knowledge, String> {
        let text = text.trim();
        let text = match text.strip_prefix('v') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => text,
        };
        let version = Version::parse(text).ok_or_else(|| {
            format!(
                "`{text}` is not an Authentik version; write it as YEAR.MONTH or \
                 YEAR.MONTH.PATCH, like 2026.2 or 2026.2.1"
            )
        })?;
        if version < BLUEPRINTS_SINCE {
            return Err(format!(
                "Authentik {}.{} predates blueprints, which came with {}, the oldest release \
                 bplint checks (releases before {} with the {} tables)",
                version.year,
                version.month,
                short(BLUEPRINTS_SINCE),
                generated::VERSIONS[0].name,
                generated::VERSIONS[0].name,
            ));
        }
        let key = format!("{}.{}", version.year, version.month);
        let oldest = &generated::VERSIONS[0];
        let newest = &generated::VERSIONS[generated::VERSIONS.len() - 1];
        let def = match generated::VERSIONS.iter().find(|v| v.name == key) {
            Some(def) => def,
            None if version < line_start(oldest) => oldest,
            None if version > line_start(newest) => newest,
            None => {
                let known: Vec<&str> = generated::VERSIONS.iter().map(|v| v.name).collect();
                return Err(format!(
                    "Authentik has no release {key}; bplint knows {}",
                    known.join(", ")
                ));
            }
        };
        let patch_given = text.trim_start_matches("version/").matches('.').count() >= 2;
        let version = if patch_given || def.name != key {
            version
        } else {
            Version::parse(def.latest).unwrap_or(version)
        };
        let kb = Knowledge { def, version };
        if let Some(latest) = kb.past_known_patch()
            && !is_open(def)
        {
            return Err(format!(
                "Authentik {key} has no patch release {version} (its newest is {latest})"
            ));
        }
        Ok(kb)
    }

    /// The newest patch bplint knows of the target's line, when the target is a
    /// later patch of it (`2026.8.9` where 2026.8.3 is the newest known); only
    /// the [`OPEN_LINES`] newest lines accept one, with a note.
    pub fn past_known_patch(&self) -> Option<&'static str> {
        let key = format!("{}.{}", self.version.year, self.version.month);
        let latest = Version::parse(self.def.latest)?;
        (key == self.def.name && self.version > latest).then_some(self.def.latest)
    }

    /// `Some("older")` or `Some("newer")` when the target release is outside the
    /// embedded lines and the nearest line's tables stand in for it.
    pub fn outside_known(&self) -> Option<&'static str> {
        let key = format!("{}.{}", self.version.year, self.version.month);
        if key == self.def.name {
            None
        } else if self.version < line_start(self.def) {
            Some("older")
        } else {
            Some("newer")
        }
    }

    /// The field as the target release accepts it: a patch-level fact from
    /// `versions.rs` wins over the line's table.
    fn patched(&self, model: &str, field: &str) -> Option<&'static FieldDef> {
        versions::patched_field(model, field, self.version)
    }

    pub fn model(&self, name: &str) -> Option<&'static ModelDef> {
        self.def.model(name)
    }

    /// The serializers of this release as Authentik's importer builds them
    /// (recorded for some releases; others borrow the nearest, see
    /// [`serializers::for_line`]).
    pub fn serializers(&self) -> Option<&'static serializers::SerializerRelease> {
        serializers::for_line(self.def.name)
    }

    /// Whether [`Knowledge::serializers`] were recorded at this release's own
    /// line, not borrowed from the nearest.
    pub fn serializers_are_own(&self) -> bool {
        self.serializers().is_some_and(|r| r.line == self.def.name)
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
        if let Some(patched) = self.patched(model, field) {
            return Some(patched);
        }
        m.fields
            .binary_search_by(|f| f.name.cmp(field))
            .ok()
            .map(|i| &m.fields[i])
    }

    /// Built-in objects of this release: those the shipped blueprints create, then
    /// those Authentik's start-up code creates.
    pub fn builtins(&self) -> impl Iterator<Item = &'static BuiltinDef> + '_ {
        every_builtin().filter(|b| self.ships(b))
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
            None => every_builtin().find(matching),
        }
    }

    /// Names of every model of this release, for suggestions.
    pub fn model_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.def.models.iter().map(|m| m.name)
    }
}

/// What an object of `model` is called in a count ("breaks creation of 2
/// providers"): its kind for the models that share one (providers, stages,
/// sources, policies, property mappings), else the model's own name.
pub fn object_kind(model: &'static str) -> &'static str {
    let (app, name) = model.split_once('.').unwrap_or(("", model));
    if app.starts_with("authentik_providers_") {
        "provider"
    } else if app.starts_with("authentik_stages_") {
        "stage"
    } else if app.starts_with("authentik_sources_") {
        "source"
    } else if app.starts_with("authentik_policies_") {
        "policy"
    } else if name.ends_with("propertymapping") {
        "property mapping"
    } else {
        name
    }
}

/// The first release with blueprints: nothing older has anything to check.
pub const BLUEPRINTS_SINCE: Version = Version::new(2022, 8, 0);

/// How many of the newest embedded lines may still get patch releases after
/// bplint's tables were made: Authentik patches its current and previous minor
/// release. A patch past the newest known of one of these is accepted with a
/// note; of an older line it is refused, since that line's patches are settled.
pub const OPEN_LINES: usize = 2;

fn is_open(def: &VersionDef) -> bool {
    let all = generated::VERSIONS;
    all.iter()
        .rev()
        .take(OPEN_LINES)
        .any(|open| open.name == def.name)
}

/// `2022.8` for 2022.8.0.
fn short(version: Version) -> String {
    format!("{}.{}", version.year, version.month)
}

/// The first release of an embedded line (`2024.8` -> 2024.8.0).
fn line_start(def: &VersionDef) -> Version {
    Version::parse(def.name).unwrap_or(Version::new(0, 0, 0))
}

/// The built-ins of every release, shipped blueprints' first.
fn every_builtin() -> impl Iterator<Item = &'static BuiltinDef> {
    generated::BUILTINS
        .iter()
        .chain(startup_generated::STARTUP.iter().map(|s| &s.builtin))
}

/// Where Authentik's code creates a start-up built-in (`None` for one a shipped
/// blueprint creates).
pub fn startup_origin(builtin: &BuiltinDef) -> Option<&'static StartupDef> {
    startup_generated::STARTUP
        .iter()
        .find(|s| std::ptr::eq(&s.builtin, builtin))
}

/// The built-ins of every release by each of their lookup fields and its value
/// (the first one, as [`BuiltinDef::field`] reads it), in table order. Built on
/// first use from the static table: a few hundred inserts, nothing parsed.
fn builtins_by_field() -> &'static HashMap<(&'static str, &'static str), Vec<&'static BuiltinDef>> {
    static INDEX: OnceLock<HashMap<(&'static str, &'static str), Vec<&'static BuiltinDef>>> =
        OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<_, Vec<_>> = HashMap::new();
        for builtin in every_builtin() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn def(name: &str) -> &'static VersionDef {
        all_versions().iter().find(|v| v.name == name).unwrap()
    }

    fn has_field(model: &'static str, field: &'static str) -> impl Fn(&VersionDef) -> bool {
        move |v| v.has_field(model, field)
    }

    #[test]
    fn changes_name_the_release_that_made_them() {
        let oauth = "authentik_providers_oauth2.oauth2provider";
        assert_eq!(
            change(def("2024.8"), has_field(oauth, "invalidation_flow")),
            Some(Change::Added("2024.10"))
        );
        assert_eq!(
            change(def("2026.2"), has_field("authentik_core.group", "parent")),
            Some(Change::Removed("2025.12"))
        );
        assert_eq!(change(def("2026.2"), has_field(oauth, "name")), None);
        assert_eq!(
            change(def("2026.2"), has_field(oauth, "no_such_field")),
            None
        );
        assert_eq!(
            holds_since(def("2026.8"), has_field(oauth, "grant_types")),
            Some("2026.5")
        );
        assert_eq!(
            holds_since(def("2026.2"), has_field(oauth, "grant_types")),
            None
        );
        assert_eq!(holds_since(def("2026.8"), has_field(oauth, "name")), None);
    }
}
