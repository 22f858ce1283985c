//! Which identifier sets name exactly one object of a model (Django `unique`
//! fields and unique-together sets), for BP106 and BP216. Anything else may match several
//! objects, and the importer acts on the first one it finds.

/// Fields unique on every model (the primary key).
const ALWAYS_UNIQUE: &[&str] = &["pk", "uuid", "id"];

/// Per-model unique fields and unique-together sets (from Authentik's models).
const UNIQUE: &[(&str, &[&[&str]])] = &[
    ("authentik_core.user", &[&["username"]]),
    ("authentik_core.group", &[&["name"], &["group_uuid"]]),
    ("authentik_core.application", &[&["slug"]]),
    ("authentik_core.token", &[&["identifier"]]),
    ("authentik_flows.flow", &[&["slug"], &["flow_uuid"]]),
    (
        "authentik_flows.flowstagebinding",
        &[&["target", "stage", "order"]],
    ),
    (
        "authentik_policies.policybinding",
        &[&["policy", "target", "order"]],
    ),
    ("authentik_brands.brand", &[&["domain"], &["brand_uuid"]]),
    (
        "authentik_blueprints.blueprintinstance",
        &[&["name"], &["instance_uuid"]],
    ),
    (
        "authentik_providers_oauth2.oauth2provider",
        &[&["name"], &["client_id"]],
    ),
    (
        "authentik_providers_oauth2.scopemapping",
        &[&["managed"], &["name"]],
    ),
    ("authentik_outposts.outpost", &[&["name"], &["managed"]]),
    ("authentik_rbac.role", &[&["name"]]),
    (
        "authentik_crypto.certificatekeypair",
        &[&["name"], &["managed"]],
    ),
];

/// Model families whose `name` is unique (Django `unique=True` on the base model).
/// Not sources: `Source.name` is a display name, only `slug` is unique
/// (authentik/core/models.py).
const UNIQUE_NAME_PREFIXES: &[&str] = &[
    "authentik_providers_",
    "authentik_stages_",
    "authentik_policies_",
    "authentik_events.notificationrule",
    "authentik_events.notificationtransport",
    "authentik_events.notificationwebhookmapping",
];

/// The unique keys of a model, for the rule doc and help text.
pub fn unique_keys(model: &str) -> Vec<Vec<&'static str>> {
    let mut keys: Vec<Vec<&'static str>> = ALWAYS_UNIQUE.iter().map(|f| vec![*f]).collect();
    if let Some((_, sets)) = UNIQUE.iter().find(|(m, _)| *m == model) {
        keys.extend(sets.iter().map(|s| s.to_vec()));
    } else if UNIQUE_NAME_PREFIXES.iter().any(|p| model.starts_with(p)) {
        keys.push(vec!["name"]);
    }
    if model.starts_with("authentik_sources_") {
        keys.push(vec!["slug"]);
    }
    keys.push(vec!["managed"]);
    keys
}

/// [`unique_keys`] as a list for help texts: `` `pk`, `target` + `stage` + `order` ``.
pub fn unique_keys_text(model: &str) -> String {
    unique_keys(model)
        .iter()
        .map(|k| format!("`{}`", k.join("` + `")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether these identifier fields pin one object: they contain a unique key.
///
/// `pk` is special: the importer ORs it with the other identifiers
/// (`Q(pk=...) | Q(rest...)`, `__query_from_identifier` in
/// authentik/blueprints/v1/importer.py), so `pk` plus other fields matches the
/// object with that pk *or* any object matching the rest, and is unique only
/// when the rest is.
pub fn identifies_uniquely(model: &str, fields: &[&str]) -> bool {
    if fields.contains(&"pk") {
        let rest: Vec<&str> = fields.iter().copied().filter(|f| *f != "pk").collect();
        return rest.is_empty() || contains_unique_key(model, &rest);
    }
    contains_unique_key(model, fields)
}

fn contains_unique_key(model: &str, fields: &[&str]) -> bool {
    unique_keys(model)
        .iter()
        .filter(|key| key.as_slice() != ["pk"])
        .any(|key| key.iter().all(|f| fields.contains(f)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_unique_by_username_only() {
        let user = "authentik_core.user";
        assert!(identifies_uniquely(user, &["username"]));
        assert!(identifies_uniquely(user, &["pk"]));
        assert!(!identifies_uniquely(user, &["email"]));
        assert!(!identifies_uniquely(user, &["name"]));
    }

    #[test]
    fn pk_with_other_fields_matches_either() {
        let user = "authentik_core.user";
        assert!(identifies_uniquely(user, &["pk", "username"]));
        assert!(!identifies_uniquely(user, &["pk", "email"]));
        // `id` is an ordinary field in the query: ANDed with the rest.
        assert!(identifies_uniquely(user, &["id", "email"]));
    }

    #[test]
    fn sources_are_unique_by_slug_not_name() {
        let source = "authentik_sources_oauth.oauthsource";
        assert!(identifies_uniquely(source, &["slug"]));
        assert!(!identifies_uniquely(source, &["name"]));
    }

    #[test]
    fn stages_are_unique_by_name() {
        assert!(identifies_uniquely(
            "authentik_stages_password.passwordstage",
            &["name"]
        ));
    }
}
