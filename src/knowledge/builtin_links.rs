//! Links between built-in objects that the object table (`generated.rs`) does not
//! carry: which stage each shipped default flow binds at which `order` (BP111),
//! and which members the install gives a built-in object's many-to-many lists
//! (BP114).
//!
//! Hand-written from the shipped blueprints (`blueprints/default/*.yaml` and
//! `blueprints/system/bootstrap.yaml` at every release tag from 2024.8.3 to
//! 2026.2.2: the bindings did not change in that range, except that the e-mail
//! authenticator setup flow is new in 2025.2). A test compares the bindings with
//! the reference catalog when `../shared` is present. Bindings of entries with
//! `conditions` (the account-lockdown flows of main) are left out: whether they
//! exist depends on the install.

use super::Version;

/// A `FlowStageBinding` an auto-instantiated shipped blueprint creates.
#[derive(Debug)]
pub struct BuiltinBinding {
    /// `slug` of the flow (`target`).
    pub flow: &'static str,
    /// `name` of the stage (stage names are unique across all stage models).
    pub stage: &'static str,
    pub order: i64,
    /// First release that ships it (`None`: every release bplint knows).
    pub since: Option<Version>,
    /// Shipped blueprint it comes from.
    pub source: &'static str,
}

impl BuiltinBinding {
    pub fn ships_in(&self, version: Version) -> bool {
        self.since.is_none_or(|since| version >= since)
    }
}

const fn binding(
    flow: &'static str,
    stage: &'static str,
    order: i64,
    source: &'static str,
) -> BuiltinBinding {
    BuiltinBinding {
        flow,
        stage,
        order,
        since: None,
        source,
    }
}

pub static BINDINGS: &[BuiltinBinding] = &[
    binding(
        "default-authentication-flow",
        "default-authentication-identification",
        10,
        "default/flow-default-authentication-flow.yaml",
    ),
    binding(
        "default-authentication-flow",
        "default-authentication-password",
        20,
        "default/flow-default-authentication-flow.yaml",
    ),
    binding(
        "default-authentication-flow",
        "default-authentication-mfa-validation",
        30,
        "default/flow-default-authentication-flow.yaml",
    ),
    binding(
        "default-authentication-flow",
        "default-authentication-login",
        100,
        "default/flow-default-authentication-flow.yaml",
    ),
    BuiltinBinding {
        since: Some(Version::new(2025, 2, 0)),
        ..binding(
            "default-authenticator-email-setup",
            "default-authenticator-email-setup",
            0,
            "default/flow-default-authenticator-email-setup.yaml",
        )
    },
    binding(
        "default-authenticator-static-setup",
        "default-authenticator-static-setup",
        0,
        "default/flow-default-authenticator-static-setup.yaml",
    ),
    binding(
        "default-authenticator-totp-setup",
        "default-authenticator-totp-setup",
        0,
        "default/flow-default-authenticator-totp-setup.yaml",
    ),
    binding(
        "default-authenticator-webauthn-setup",
        "default-authenticator-webauthn-setup",
        0,
        "default/flow-default-authenticator-webauthn-setup.yaml",
    ),
    binding(
        "default-invalidation-flow",
        "default-invalidation-logout",
        0,
        "default/flow-default-invalidation-flow.yaml",
    ),
    binding(
        "default-password-change",
        "default-password-change-prompt",
        0,
        "default/flow-password-change.yaml",
    ),
    binding(
        "default-password-change",
        "default-password-change-write",
        1,
        "default/flow-password-change.yaml",
    ),
    binding(
        "default-provider-authorization-explicit-consent",
        "default-provider-authorization-consent",
        0,
        "default/flow-default-provider-authorization-explicit-consent.yaml",
    ),
    binding(
        "default-source-authentication",
        "default-source-authentication-login",
        0,
        "default/flow-default-source-authentication.yaml",
    ),
    binding(
        "default-source-enrollment",
        "default-source-enrollment-prompt",
        0,
        "default/flow-default-source-enrollment.yaml",
    ),
    binding(
        "default-source-enrollment",
        "default-source-enrollment-write",
        1,
        "default/flow-default-source-enrollment.yaml",
    ),
    binding(
        "default-source-enrollment",
        "default-source-enrollment-login",
        2,
        "default/flow-default-source-enrollment.yaml",
    ),
    binding(
        "default-user-settings-flow",
        "default-user-settings",
        20,
        "default/flow-default-user-settings-flow.yaml",
    ),
    binding(
        "default-user-settings-flow",
        "default-user-settings-write",
        100,
        "default/flow-default-user-settings-flow.yaml",
    ),
    binding(
        "initial-setup",
        "stage-default-oobe-password",
        10,
        "default/flow-oobe.yaml",
    ),
    binding(
        "initial-setup",
        "default-password-change-write",
        20,
        "default/flow-oobe.yaml",
    ),
    binding(
        "initial-setup",
        "default-authentication-login",
        100,
        "default/flow-oobe.yaml",
    ),
];

/// A member the install puts into a built-in object's many-to-many list.
#[derive(Debug)]
pub struct BuiltinMember {
    /// The object holding the list: model and one unique `(field, value)`.
    pub model: &'static str,
    pub key: (&'static str, &'static str),
    /// The list attribute.
    pub field: &'static str,
    /// The member: model and one unique `(field, value)`.
    pub member_model: &'static str,
    pub member_key: (&'static str, &'static str),
    pub source: &'static str,
}

/// The bootstrap blueprint creates the admin user `akadmin` in the group
/// `authentik Admins` (both `state: created`, so later applies leave them
/// alone). Other shipped lists (prompt stages' `fields` and the like) are not
/// listed: a blueprint that sets one on a shipped stage says in full which
/// members it wants.
pub static MEMBERS: &[BuiltinMember] = &[
    BuiltinMember {
        model: "authentik_core.group",
        key: ("name", "authentik Admins"),
        field: "users",
        member_model: "authentik_core.user",
        member_key: ("username", "akadmin"),
        source: "system/bootstrap.yaml",
    },
    BuiltinMember {
        model: "authentik_core.user",
        key: ("username", "akadmin"),
        field: "groups",
        member_model: "authentik_core.group",
        member_key: ("name", "authentik Admins"),
        source: "system/bootstrap.yaml",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The table matches the unconditional stage bindings of the reference
    /// catalog's release blueprints (skipped without `../shared`).
    #[test]
    fn bindings_match_the_reference_catalog() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/authentik/catalog.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("note: {} not found; skipping", path.display());
            return;
        };
        let catalog: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut expected: Vec<(String, String, i64)> = catalog
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["model"] == "authentik_flows.flowstagebinding")
            .filter(|o| o["has_conditions"] == false)
            .filter(|o| !o["present_in"].as_array().unwrap().is_empty())
            .map(|o| {
                let ids = &o["identifiers"];
                let flow = ids["target"]["ref"]["identifiers"]["slug"]
                    .as_str()
                    .unwrap();
                let stage = ids["stage"]["ref"]["identifiers"]["name"].as_str().unwrap();
                (flow.into(), stage.into(), ids["order"].as_i64().unwrap())
            })
            .collect();
        let mut have: Vec<(String, String, i64)> = BINDINGS
            .iter()
            .map(|b| (b.flow.into(), b.stage.into(), b.order))
            .collect();
        expected.sort();
        have.sort();
        assert_eq!(have, expected);
    }

    #[test]
    fn the_email_setup_binding_is_new_in_2025_2() {
        let email = BINDINGS
            .iter()
            .find(|b| b.flow == "default-authenticator-email-setup")
            .unwrap();
        assert!(!email.ships_in(Version::new(2024, 8, 3)));
        assert!(email.ships_in(Version::new(2025, 2, 0)));
        assert!(BINDINGS[0].ships_in(Version::new(2024, 8, 3)));
    }
}
