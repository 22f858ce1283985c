//! Facts that changed between Authentik releases, in one table, so a rule asks
//! "does the target release require X?" instead of comparing versions itself.

use super::types::{FieldDef, StrFormat, Ty};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub year: u16,
    pub month: u8,
    pub patch: u16,
}

impl Version {
    pub const fn new(year: u16, month: u8, patch: u16) -> Self {
        Version { year, month, patch }
    }

    /// `2026.2`, `2026.2.1`, `version/2026.2.1`; release-candidate suffixes are ignored.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim().trim_start_matches("version/");
        let mut parts = text.split('.');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let patch = match parts.next() {
            None => 0,
            Some(p) => p
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()?,
        };
        if parts.next().is_some() || !(1..=12).contains(&month) || year < 2000 {
            return None;
        }
        Some(Version { year, month, patch })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.year, self.month, self.patch)
    }
}

/// Providers whose serializer requires `invalidation_flow` on create, since 2024.10.0
/// (`ProviderSerializer.Meta.extra_kwargs`; RAC sets its own and does not require it).
pub const INVALIDATION_FLOW_PROVIDERS: &[&str] = &[
    "authentik_providers_oauth2.oauth2provider",
    "authentik_providers_proxy.proxyprovider",
    "authentik_providers_saml.samlprovider",
    "authentik_providers_ldap.ldapprovider",
    "authentik_providers_radius.radiusprovider",
];

/// First release that requires `invalidation_flow` (and ships
/// `default-provider-invalidation-flow`).
pub const INVALIDATION_FLOW_SINCE: Version = Version::new(2024, 10, 0);

pub fn requires_invalidation_flow(model: &str, version: Version) -> bool {
    version >= INVALIDATION_FLOW_SINCE && INVALIDATION_FLOW_PROVIDERS.contains(&model)
}

/// Whether OAuth2 `redirect_uris` is a list of `{matching_mode, url}` (the
/// CVE-2024-52289 fix, 2024.10.3 and the 2024.8.5 backport) rather than a
/// newline-separated string.
pub fn redirect_uris_are_objects(version: Version) -> bool {
    version >= Version::new(2024, 10, 3)
        || (version >= Version::new(2024, 8, 5) && version < Version::new(2024, 10, 0))
}

/// `redirect_uris` as a list of `{matching_mode, url}` (`RedirectURISerializer(many=True)`
/// in authentik/providers/oauth2/api/providers.py of 2024.8.5 and 2024.10.3): both
/// members required, the mode `strict` or `regex`.
static REDIRECT_URIS_LIST: FieldDef = FieldDef {
    name: "redirect_uris",
    ty: Ty::Array(&Ty::Object(REDIRECT_URI_FIELDS)),
    required: true,
    nullable: false,
    blueprint_only: false,
};
const REDIRECT_URI_FIELDS: &[FieldDef] = &[
    FieldDef {
        name: "matching_mode",
        ty: Ty::Enum(&["strict", "regex"]),
        required: true,
        nullable: false,
        blueprint_only: false,
    },
    FieldDef {
        name: "url",
        ty: Ty::Str(StrFormat::Plain),
        required: true,
        nullable: false,
        blueprint_only: false,
    },
];
/// `redirect_uris` as one newline-separated string (before the CVE-2024-52289 fix).
static REDIRECT_URIS_STRING: FieldDef = FieldDef {
    name: "redirect_uris",
    ty: Ty::Str(StrFormat::Plain),
    required: false,
    nullable: false,
    blueprint_only: false,
};

/// A field whose shape changed in a patch release, so the minor line's table (read
/// from one build) is right for only some of its patches.
pub fn patched_field(model: &str, field: &str, version: Version) -> Option<&'static FieldDef> {
    if field != "redirect_uris" || !REDIRECT_URIS_MODELS.contains(&model) {
        return None;
    }
    if version >= Version::new(2025, 2, 0) {
        return None; // every table from 2025.2 on has the list form
    }
    Some(if redirect_uris_are_objects(version) {
        &REDIRECT_URIS_LIST
    } else {
        &REDIRECT_URIS_STRING
    })
}

/// Models with OAuth2's `redirect_uris` (ProxyProvider subclasses OAuth2Provider but
/// its serializer does not expose the field).
const REDIRECT_URIS_MODELS: &[&str] = &["authentik_providers_oauth2.oauth2provider"];

/// Models renamed in a release: `(old, new, release)`, for BP201's suggestion.
pub const RENAMED_MODELS: &[(&str, &str, &str)] = &[
    (
        "authentik_tenants.tenant",
        "authentik_brands.brand",
        "2024.2",
    ),
    (
        "authentik_sources_ldap.ldappropertymapping",
        "authentik_sources_ldap.ldapsourcepropertymapping",
        "2024.8",
    ),
    (
        "authentik_sources_saml.samlpropertymapping",
        "authentik_sources_saml.samlsourcepropertymapping",
        "2024.8",
    ),
    (
        "authentik_sources_oauth.oauthpropertymapping",
        "authentik_sources_oauth.oauthsourcepropertymapping",
        "2024.8",
    ),
];

/// Attributes real blueprints write under an old or mistaken name:
/// `(model, written, meant)`. BP202 suggests `meant` when the target release has it
/// and lacks `written`.
pub const FIELD_HINTS: &[(&str, &str, &str)] = &[
    (
        "authentik_core.application",
        "description",
        "meta_description",
    ),
    (
        "authentik_core.application",
        "launch_url",
        "meta_launch_url",
    ),
    ("authentik_core.application", "publisher", "meta_publisher"),
    ("authentik_core.group", "is_superuser_group", "is_superuser"),
    ("authentik_core.group", "parent", "parents"),
    ("authentik_flows.flow", "background_url", "background"),
    (
        "authentik_events.notificationrule",
        "group",
        "destination_group",
    ),
    (
        "authentik_providers_oauth2.oauth2provider",
        "token_validity",
        "access_token_validity",
    ),
    (
        "authentik_providers_oauth2.oauth2provider",
        "jwks_sources",
        "jwt_federation_sources",
    ),
    (
        "authentik_providers_proxy.proxyprovider",
        "jwks_sources",
        "jwt_federation_sources",
    ),
    (
        "authentik_providers_scim.scimprovider",
        "filter_group",
        "group_filters",
    ),
];

/// Context keys the importer always provides (`default_context()`).
pub const DEFAULT_CONTEXT_KEYS: &[&str] = &[
    "goauthentik.io/enterprise/licensed",
    "goauthentik.io/rbac/models",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_release_names() {
        assert_eq!(Version::parse("2026.2"), Some(Version::new(2026, 2, 0)));
        assert_eq!(
            Version::parse("version/2024.10.3"),
            Some(Version::new(2024, 10, 3))
        );
        assert_eq!(
            Version::parse("2026.2.3-rc1"),
            Some(Version::new(2026, 2, 3))
        );
        assert_eq!(Version::parse("latest"), None);
        assert_eq!(Version::parse("2026.13"), None);
    }

    #[test]
    fn invalidation_flow_arrived_in_2024_10() {
        let oauth = "authentik_providers_oauth2.oauth2provider";
        assert!(!requires_invalidation_flow(oauth, Version::new(2024, 8, 3)));
        assert!(requires_invalidation_flow(oauth, Version::new(2024, 10, 0)));
        assert!(!requires_invalidation_flow(
            "authentik_providers_rac.racprovider",
            Version::new(2026, 2, 0)
        ));
    }

    #[test]
    fn redirect_uri_objects_follow_the_backport() {
        assert!(!redirect_uris_are_objects(Version::new(2024, 8, 3)));
        assert!(redirect_uris_are_objects(Version::new(2024, 8, 5)));
        assert!(!redirect_uris_are_objects(Version::new(2024, 10, 2)));
        assert!(redirect_uris_are_objects(Version::new(2025, 2, 0)));
    }
}
