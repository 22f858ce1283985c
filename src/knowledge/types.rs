//! Shapes of the embedded knowledge base.
//!
//! The tables themselves live in `generated.rs`, written by `scripts/gen-knowledge.py`
//! from Authentik's published schemas; nothing here is parsed at run time.

/// One embedded Authentik release line (`2026.2` = the newest patch we read of 2026.2.x).
#[derive(Debug)]
pub struct VersionDef {
    /// Minor release key users pass to `--authentik-version` (`"2026.2"`).
    pub name: &'static str,
    /// Exact release (or npm build, `"2024.6.4-1724423607"`) the data was read from.
    pub release: &'static str,
    /// Newest patch release of the line (`"2024.8.6"`): what a bare minor means.
    pub latest: &'static str,
    /// Where the model table came from: `"openapi"`, `"typescript"` (the models of a
    /// timestamped npm build) or `"blueprint-schema"`.
    pub source: &'static str,
    /// Every model the importer accepts in this release, sorted by `name`.
    pub models: &'static [&'static ModelDef],
}

impl VersionDef {
    /// The model of this line's table (patch-level facts aside: see
    /// `Knowledge::field`).
    pub fn model(&self, name: &str) -> Option<&'static ModelDef> {
        if let Some(table) = model_tables().iter().find(|(v, _)| std::ptr::eq(*v, self)) {
            return table.1.get(name).copied();
        }
        self.models
            .binary_search_by(|m| m.name.cmp(name))
            .ok()
            .map(|i| self.models[i])
    }

    /// Whether this line's table has `field` on `model`: for comparing releases.
    pub fn has_field(&self, model: &str, field: &str) -> bool {
        self.model(model)
            .is_some_and(|m| m.fields.iter().any(|f| f.name == field))
    }
}

/// Every embedded line's models by name, made on first use. Rules look a model
/// up for each field they check, and the names share a long `authentik_`
/// prefix, so a hash beats the binary search's string comparisons.
fn model_tables() -> &'static [ModelTable] {
    static TABLES: std::sync::OnceLock<Vec<ModelTable>> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        super::all_versions()
            .iter()
            .map(|v| (v, v.models.iter().map(|m| (m.name, *m)).collect()))
            .collect()
    })
}

/// One line and its models by name (see [`model_tables`]).
type ModelTable = (
    &'static VersionDef,
    foldhash::HashMap<&'static str, &'static ModelDef>,
);

/// A blueprint model (`app_label.model_name`) and the fields its serializer accepts.
#[derive(Debug)]
pub struct ModelDef {
    /// `authentik_providers_oauth2.oauth2provider`.
    pub name: &'static str,
    /// Django parent models, nearest first (`authentik_core.provider`), so a `!Find`
    /// on a parent matches entries of this model (multi-table inheritance).
    pub parents: &'static [&'static str],
    /// Writable fields, sorted by `name`.
    pub fields: &'static [FieldDef],
    /// Whether `required` flags are known for this model in this release. Blueprint
    /// JSON schemas empty them, so models read from those carry `false`.
    pub required_known: bool,
}

/// One serializer field.
#[derive(Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: Ty,
    /// Must be present when the entry creates the object.
    pub required: bool,
    /// `null` is accepted.
    pub nullable: bool,
    /// Accepted by the importer although the REST API does not list it
    /// (`user.password`, `token.key`, `role.permissions`, ...).
    pub blueprint_only: bool,
}

/// What a field accepts, as the serializer judges it.
#[derive(Debug)]
pub enum Ty {
    /// Anything (free-form JSON, unknown).
    Any,
    Bool,
    Int,
    /// Float or int.
    Number,
    Str(StrFormat),
    /// One of these strings.
    Enum(&'static [&'static str]),
    Array(&'static Ty),
    /// A mapping; empty `fields` means free-form keys.
    Object(&'static [FieldDef]),
}

/// Extra checks on a string field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrFormat {
    Plain,
    Uuid,
    Uri,
    /// Authentik's `timedelta_from_string` grammar (`hours=1;minutes=30`).
    Duration,
    /// A slug (`^[-a-zA-Z0-9_]+$`).
    Slug,
}

/// An object that exists in every install of the releases listed (created by an
/// auto-instantiated shipped blueprint, or by Authentik's start-up code).
#[derive(Debug)]
pub struct BuiltinDef {
    pub model: &'static str,
    /// Lookup fields a `!Find` may use (`slug`, `name`, `managed`, `scope_name`,
    /// `designation`, `path`, identifiers ...), as field/value pairs.
    pub fields: &'static [(&'static str, &'static str)],
    /// Minor release keys (`VersionDef::name`) that ship it; empty = every release.
    pub versions: &'static [&'static str],
    /// Shipped blueprint file it comes from (`default/flow-default-authentication-flow.yaml`),
    /// or `"startup"` (then [`StartupDef`] says where in Authentik's code).
    pub source: &'static str,
}

/// A built-in object Authentik's start-up code creates, not a blueprint: an app's
/// reconciler (`reconcile_tenant` / `reconcile_global` in its `apps.py`) or a task
/// run when a worker starts. Written by `scripts/gen-startup.py` from
/// `knowledge/startup.json`, which records every release's tag, file and line.
#[derive(Debug)]
pub struct StartupDef {
    pub builtin: BuiltinDef,
    /// The file of Authentik's code that creates it, at the newest tag read
    /// (`authentik/core/apps.py`).
    pub code: &'static str,
    /// The reconciler or task (`source_inbuilt`; `a -> b` when a helper does it).
    pub function: &'static str,
    /// The tags read that create it (`version/2024.2.4 .. version/2026.2.2`).
    pub tags: &'static str,
    /// The conditions around the create call, as the code writes them (empty:
    /// always); an install whose environment fails them lacks the object.
    pub condition: &'static str,
}
