//! How the importer's serializers judge each field beyond its type: lengths,
//! blank text, integer bounds, URL, e-mail and pattern validators, the model a
//! relation points at, and which fields are unique.
//!
//! The tables (`serializers_generated.rs`) are written by
//! `scripts/gen-validators.py` from what `scripts/introspect-serializers.py`
//! recorded by running Authentik's own serializers, one file per release under
//! `knowledge/serializers/`. A release that was not introspected borrows the
//! nearest introspected one (docs/knowledge.md lists which); only fields the
//! target release has are ever judged, since callers look fields up in the
//! release's own model table first.

#[rustfmt::skip]
#[path = "serializers_generated.rs"]
mod generated;

/// One introspected release's serializers.
#[derive(Debug)]
pub struct SerializerRelease {
    /// The exact release introspected (`2025.12.4`).
    pub release: &'static str,
    /// Its minor line (`2025.12`).
    pub line: &'static str,
    /// The settings an outpost's `config` holds (the release's `OutpostConfig`
    /// dataclass, read with dacite), sorted by name, each with its kind: `str`,
    /// `bool`, `int`, `dict`, `list` or `any`, and `?` when null is accepted.
    pub outpost_config: &'static [(&'static str, &'static str)],
    /// Where that dataclass is defined.
    pub outpost_config_source: &'static str,
    /// Every model a blueprint may use, sorted by `name` (shared between
    /// releases whose facts are the same).
    pub models: &'static [&'static SerializerModel],
}

/// A model's serializer, as the importer builds it.
#[derive(Debug)]
pub struct SerializerModel {
    pub name: &'static str,
    /// The model class, `authentik/flows/models.py:95`.
    pub source: &'static str,
    /// The serializer class and where it is defined.
    pub serializer: &'static str,
    /// Where the serializer's own `validate()` is defined, if it has one.
    pub validate: Option<&'static str>,
    /// A `pk` the importer sets on a new object becomes its primary key. Not so
    /// for a child of multi-table inheritance whose root model makes its own key
    /// (a stage, a policy, a property mapping: a UUID made when the object is
    /// built): saving it saves the parent with that key and hands it down, so an
    /// entry identified by a literal `pk` creates an object with another one.
    pub pk_kept: bool,
    /// The codenames of the model's object permissions (`view_flow`, ...),
    /// sorted: what an entry's `permissions:` may grant on the object.
    pub permissions: &'static [&'static str],
    /// Writable fields, sorted by `name`.
    pub fields: &'static [FieldCheck],
}

/// What the serializer checks on one field once the value has the right type.
#[derive(Debug)]
pub struct FieldCheck {
    pub name: &'static str,
    /// DRF's field class (`CharField`, `URLField`, `PrimaryKeyRelatedField`).
    pub class: &'static str,
    /// A text field: DRF turns the value into a string (and trims it when `trim`).
    pub text: bool,
    /// DRF strips surrounding whitespace before it checks a text value.
    pub trim: bool,
    /// An empty (or, when trimmed, blank) text is accepted.
    pub allow_blank: bool,
    pub max_length: Option<u32>,
    pub min_length: Option<u32>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub validators: &'static [Validator],
    /// The values a list's item may take (a role's `permissions`), sorted; empty
    /// when the item is free.
    pub choices: &'static [&'static str],
    /// The checks on each item of a list field.
    pub child: Option<&'static FieldCheck>,
    /// The model a relation's primary key must name.
    pub related: Option<&'static str>,
    /// A many-to-many (list) relation.
    pub many: bool,
    /// The model field is `unique=True`: no two objects of this model (where the
    /// column is declared, so its children share it) may hold the same value.
    pub unique: Option<&'static str>,
    /// The model field has a default (so a create may leave it out).
    pub has_default: bool,
    /// Where the serializer's `validate_<field>()` is defined, if it has one.
    pub validate_method: Option<&'static str>,
}

/// A validator DRF or Django runs on the value, with the facts needed to run it.
#[derive(Debug)]
pub enum Validator {
    /// Django's `URLValidator` (or one of Authentik's subclasses): the scheme must
    /// be one of `schemes`, and the whole URL must match `pattern`.
    Url {
        class: &'static str,
        /// A host without a domain (`http://grafana:3000`) is accepted.
        domainless: bool,
        schemes: &'static [&'static str],
        pattern: &'static str,
        flags: &'static str,
        max_length: u32,
    },
    /// Django's `EmailValidator`.
    Email {
        user: &'static str,
        domain: &'static str,
        literal: &'static str,
        flags: &'static str,
        allowlist: &'static [&'static str],
    },
    /// Django's `RegexValidator` (`validate_slug` among them): `search` must find
    /// `pattern`, or must not when `inverse`.
    Regex {
        class: &'static str,
        pattern: &'static str,
        flags: &'static str,
        inverse: bool,
    },
    /// No NUL character.
    NoNullCharacters,
    /// No space (Authentik's `no_space`, on scope names).
    NoSpace,
    /// A mapping, not a list or a scalar (Authentik's `is_dict`, on JSON fields).
    Dict,
    /// An IPv4 or IPv6 address (Django's `validate_ipv46_address`).
    IpAddress,
}

/// Every introspected release, oldest first.
pub fn releases() -> &'static [SerializerRelease] {
    generated::RELEASES
}

/// The introspected release that stands for the line `line` (`2026.2`): its own
/// when it was introspected, else the nearest by release order (newer wins a
/// tie, as validators are more often added than removed).
pub fn for_line(line: &str) -> Option<&'static SerializerRelease> {
    let all = generated::RELEASES;
    if let Some(own) = all.iter().find(|r| r.line == line) {
        return Some(own);
    }
    let key = line_key(line)?;
    all.iter()
        .filter_map(|r| Some((line_key(r.line)?, r)))
        .min_by_key(|(k, _)| {
            let distance = (k.0 * 12 + k.1).abs_diff(key.0 * 12 + key.1);
            (distance, std::cmp::Reverse(*k))
        })
        .map(|(_, r)| r)
}

fn line_key(line: &str) -> Option<(u32, u32)> {
    let (year, month) = line.split_once('.')?;
    Some((year.parse().ok()?, month.parse().ok()?))
}

impl SerializerRelease {
    pub fn model(&self, name: &str) -> Option<&'static SerializerModel> {
        self.models
            .binary_search_by(|m| m.name.cmp(name))
            .ok()
            .map(|i| self.models[i])
    }

    pub fn field(&self, model: &str, field: &str) -> Option<&'static FieldCheck> {
        self.model(model)?.field(field)
    }

    /// The kind of an outpost setting (`None`: not a setting of this release).
    pub fn outpost_setting(&self, name: &str) -> Option<&'static str> {
        self.outpost_config
            .binary_search_by(|(n, _)| n.cmp(&name))
            .ok()
            .map(|i| self.outpost_config[i].1)
    }
}

impl SerializerModel {
    pub fn field(&self, name: &str) -> Option<&'static FieldCheck> {
        self.fields
            .binary_search_by(|f| f.name.cmp(name))
            .ok()
            .map(|i| &self.fields[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for release in releases() {
            assert!(
                release.models.is_sorted_by_key(|m| m.name),
                "{}",
                release.release
            );
            for model in release.models {
                assert!(model.fields.is_sorted_by_key(|f| f.name), "{}", model.name);
            }
        }
    }

    #[test]
    fn a_line_without_its_own_introspection_borrows_the_nearest() {
        let Some(first) = releases().first() else {
            return;
        };
        assert_eq!(for_line(first.line).map(|r| r.release), Some(first.release));
        // Far away lines still get one: the nearest.
        assert!(for_line("2030.1").is_some());
        assert!(for_line("2019.1").is_some());
        assert!(for_line("not a line").is_none());
    }
}
