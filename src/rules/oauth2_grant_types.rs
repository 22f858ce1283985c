//! BP108: an OAuth2 provider created without `grant_types` on a release whose
//! providers refuse every grant that the list does not name.

use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic};
use crate::model::{Blueprint, Entry, TagCall, TagParse, parse_tag};
use crate::yaml::Node;

rule! {
    pub struct OAuth2GrantTypesMissing {
        code: "BP108",
        name: "oauth2-grant-types-missing",
        severity: Error,
        fix: Unsafe,
        summary: "An OAuth2 provider is created without `grant_types`, so it refuses every grant",
    }
}

/// Only the OAuth2 provider's serializer takes `grant_types`. The proxy provider
/// inherits the database column but its serializer does not expose it and sets
/// the OAuth2 side itself (`set_oauth_defaults`), so it is not judged here.
const PROVIDER: &str = "authentik_providers_oauth2.oauth2provider";
const FIELD: &str = "grant_types";
const OFFLINE_SCOPE: &str = "offline_access";
const OFFLINE_MANAGED: &str = "goauthentik.io/providers/oauth2/scope-offline_access";

impl Rule for OAuth2GrantTypesMissing {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        // Whether the target release has the field comes from its model table, so
        // a release before 2026.5 (or a future one that drops it) stays quiet.
        if cx.kb.field(PROVIDER, FIELD).is_none() {
            return;
        }
        for (entry, span, empty) in super::fields::created_without_list(cx, PROVIDER, FIELD) {
            let refresh = maps_offline_access(cx.bp, entry);
            let grants = if refresh {
                "authorization_code, refresh_token"
            } else {
                "authorization_code"
            };
            let message = if empty {
                "`grant_types` is empty: Authentik refuses every authorization request to this \
                 provider"
                    .to_string()
            } else {
                // The release that added the field, for a user who just upgraded.
                let since =
                    crate::knowledge::holds_since(cx.kb.def, |v| v.has_field(PROVIDER, FIELD))
                        .map(|r| format!("a field since Authentik {r}; "))
                        .unwrap_or_default();
                format!(
                    "OAuth2 provider has no `grant_types`: a provider this entry creates gets \
                     an empty list and Authentik refuses every authorization request to it; \
                     only creation breaks, since an existing provider keeps its grant types \
                     (the 2026.5 migration gave every provider all of them) ({since}target: {})",
                    cx.kb.version
                )
            };
            let choice = if refresh {
                "`refresh_token` because the provider maps the offline_access scope"
            } else {
                "add `refresh_token` for clients that renew tokens, with the offline_access \
                 scope mapping (BP102)"
            };
            let help = format!(
                "add under `attrs`: `grant_types: [{grants}]` ({choice}), or the grants its \
                 clients use; the admin UI pre-selects every grant type, the API and \
                 blueprints none; a provider created before 2026.5 got every grant type from \
                 the migration, and a listed `grant_types` replaces that"
            );
            let mut diag = Diagnostic::new(&META, cx.file_id, span, message)
                .label(if empty {
                    "no grant allowed"
                } else {
                    "created without grant_types"
                })
                .help(help);
            // An empty list is written on update too; a missing one only on create.
            if !empty {
                diag = diag.only_on_create("provider");
            }
            let fix = if empty {
                entry.field(FIELD).and_then(|list| {
                    super::edits::append_to_sequence(&cx.file.text, list, grants).map(|edit| {
                        crate::diagnostic::Fix {
                            title: format!("allow {grants}"),
                            applicability: Applicability::Unsafe,
                            edits: vec![edit],
                        }
                    })
                })
            } else {
                super::edits::insert_attr(
                    &cx.file.text,
                    entry,
                    &format!("{FIELD}: [{grants}]"),
                    FIELD,
                )
                .map(|mut fix| {
                    fix.applicability = Applicability::Unsafe;
                    fix
                })
            };
            if let Some(fix) = fix {
                diag = diag.fix(fix);
            }
            out.push(diag);
        }
    }
}

/// Whether the provider's `property_mappings` name the `offline_access` scope
/// mapping (by managed id, `scope_name` or name in a `!Find`, or through `!KeyOf`
/// or a `!Find` to a scope mapping entry of this blueprint): then clients may
/// ask for refresh tokens, and the refresh grant is what that mapping is for.
fn maps_offline_access(bp: &Blueprint<'_>, entry: &Entry<'_>) -> bool {
    let Some(items) = entry.field("property_mappings").and_then(Node::seq) else {
        return false;
    };
    items.iter().any(|item| {
        if let Some(target) = crate::resolve::local::target(bp, item) {
            return is_offline(target);
        }
        match parse_tag(item) {
            Some(TagParse::Call(TagCall::Find { conditions, .. })) => conditions.iter().any(|c| {
                c.seq()
                    .and_then(|pair| pair.get(1))
                    .and_then(Node::scalar_text)
                    .is_some_and(|v| v.contains(OFFLINE_SCOPE))
            }),
            _ => false,
        }
    })
}

fn is_offline(mapping: &Entry<'_>) -> bool {
    mapping.field("scope_name").and_then(Node::as_str) == Some(OFFLINE_SCOPE)
        || mapping.field("managed").and_then(Node::as_str) == Some(OFFLINE_MANAGED)
}
