//! Applications that use Authentik as their OIDC provider, and the settings that
//! hold their client id and scopes, from Authentik's integration guides
//! (`website/integrations/**` in Authentik's repository, written into
//! `clients_generated.rs` by `scripts/gen-clients.py`). Client discovery
//! (`crate::clients`) recognises these settings and names the application.

/// One application of the guides.
#[derive(Debug, PartialEq, Eq)]
pub struct AppDef {
    pub name: &'static str,
    /// The guide's folder name (`hedgedoc`).
    pub slug: &'static str,
    /// The guide, as a path in Authentik's repository.
    pub guide: &'static str,
    /// Settings that hold the client id: an env variable (`CMD_OAUTH2_CLIENT_ID`),
    /// a key, or a dotted path of keys (`oidc.client_id`).
    pub client_id_keys: &'static [&'static str],
    /// Settings that hold the scopes it requests.
    pub scope_keys: &'static [&'static str],
    /// File formats the guide writes them in (`env`, `yaml`, `ini`, `json`, ...).
    pub formats: &'static [&'static str],
    /// The scopes the guide has it request.
    pub scopes: &'static [&'static str],
}

/// The tag whose guides were read.
pub use super::clients_generated::TAG;

/// Every application of the catalog.
pub fn apps() -> &'static [AppDef] {
    super::clients_generated::APPS
}

/// A key as discovery compares it: lower case, letters and digits only
/// (`clientID`, `client-id` and `CLIENT_ID` are the same setting).
pub fn normalize(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether the setting `key` under the key path `path` (outermost first, list
/// indexes left out) is `setting` of the catalog: the last part is the key, and
/// the parts before it end the path.
pub fn setting_matches(setting: &str, path: &[String], key: &str) -> bool {
    let mut parts = setting.rsplit('.');
    if parts.next().map(normalize).as_deref() != Some(&normalize(key)) {
        return false;
    }
    let mut outer = path
        .iter()
        .rev()
        .filter(|p| !p.chars().all(|c| c.is_ascii_digit()));
    parts.all(|want| {
        outer
            .next()
            .is_some_and(|have| normalize(have) == normalize(want))
    })
}

/// The applications whose client id setting `key` (under `path`) is.
pub fn apps_with_client_id(path: &[String], key: &str) -> Vec<&'static AppDef> {
    apps()
        .iter()
        .filter(|a| {
            a.client_id_keys
                .iter()
                .any(|s| setting_matches(s, path, key))
        })
        .collect()
}

/// Whether `key` (under `path`) is a scope setting of some application.
pub fn is_scope_setting(path: &[String], key: &str) -> bool {
    apps()
        .iter()
        .any(|a| a.scope_keys.iter().any(|s| setting_matches(s, path, key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn dotted_settings_match_their_key_path() {
        assert!(setting_matches(
            "oidc.client_id",
            &path(&["oidc"]),
            "client_id"
        ));
        assert!(setting_matches(
            "oidc.client_id",
            &path(&["config", "oidc"]),
            "clientId"
        ));
        assert!(!setting_matches(
            "oidc.client_id",
            &path(&["auth"]),
            "client_id"
        ));
        assert!(!setting_matches("oidc.client_id", &[], "client_id"));
        assert!(setting_matches(
            "CMD_OAUTH2_CLIENT_ID",
            &path(&["env", "3"]),
            "cmd_oauth2_client_id"
        ));
        assert!(setting_matches(
            "auth.openid.providers.clientid",
            &path(&["auth", "openid", "providers", "0"]),
            "clientid"
        ));
    }
}
