//! The catalog of client applications: generated from Authentik's integration
//! guides by a tested generator, up to date, and sound as data.

mod common;

use bplint::knowledge::clients::{apps, normalize};
use std::collections::HashSet;

#[test]
fn the_generated_table_matches_the_record() {
    common::assert_generator_current(
        "scripts/gen-clients.py",
        &[],
        "src/knowledge/clients_generated.rs",
    );
}

#[test]
fn every_entry_names_its_guide_and_a_client_id_setting() {
    let all = apps();
    assert!(all.len() >= 50, "{} applications", all.len());
    let mut slugs = HashSet::new();
    for app in all {
        assert!(slugs.insert(app.slug), "{} twice", app.slug);
        assert!(
            app.guide.starts_with("website/integrations/")
                && (app.guide.ends_with(&format!("/{}/index.md", app.slug))
                    || app.guide.ends_with(&format!("/{}/index.mdx", app.slug))),
            "{}",
            app.guide
        );
        assert!(!app.name.is_empty());
        assert!(!app.client_id_keys.is_empty(), "{}", app.slug);
        assert!(!app.formats.is_empty(), "{}", app.slug);
        for key in app.client_id_keys.iter().chain(app.scope_keys) {
            assert!(!normalize(key).is_empty(), "{}: `{key}`", app.slug);
            assert!(!normalize(key).contains("secret"), "{}: `{key}`", app.slug);
        }
        for scope in app.scopes {
            assert!(
                !scope.is_empty() && !scope.contains(char::is_whitespace),
                "{}: `{scope}`",
                app.slug
            );
        }
        // The scopes come from a scope setting of the guide.
        assert!(
            app.scopes.is_empty() || !app.scope_keys.is_empty(),
            "{}",
            app.slug
        );
    }
}

#[test]
fn known_guides_read_as_written() {
    let app = |slug: &str| apps().iter().find(|a| a.slug == slug).unwrap();
    let hedgedoc = app("hedgedoc");
    assert_eq!(hedgedoc.client_id_keys, ["CMD_OAUTH2_CLIENT_ID"]);
    assert_eq!(hedgedoc.scope_keys, ["CMD_OAUTH2_SCOPE"]);
    assert_eq!(hedgedoc.scopes, ["openid", "email", "profile"]);
    let netbox = app("netbox");
    assert_eq!(netbox.client_id_keys, ["SOCIAL_AUTH_OIDC_KEY"]);
    assert!(netbox.scopes.contains(&"roles"));
    let vaultwarden = app("vaultwarden");
    assert!(vaultwarden.scopes.contains(&"offline_access"));
    let grafana = app("grafana");
    assert!(grafana.formats.contains(&"ini") && grafana.formats.contains(&"yaml"));
    assert!(
        grafana
            .client_id_keys
            .contains(&"grafana.ini.auth.generic_oauth.client_id")
    );
}
