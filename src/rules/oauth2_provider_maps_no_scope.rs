//! BP116: an OAuth2 provider created without `property_mappings`, so it maps no
//! scope: its tokens carry no e-mail address, name or groups, and the userinfo
//! endpoint refuses them.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;

rule! {
    pub struct OAuth2ProviderMapsNoScope {
        code: "BP116",
        name: "oauth2-provider-maps-no-scope",
        severity: Warning,
        fix: None,
        summary: "An OAuth2 provider is created without scope mappings, so its tokens carry no claims",
    }
}

/// Only the OAuth2 provider: the proxy provider's serializer gives its OAuth2
/// side the scope mappings it needs itself.
const PROVIDER: &str = "authentik_providers_oauth2.oauth2provider";
const FIELD: &str = "property_mappings";

impl Rule for OAuth2ProviderMapsNoScope {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        if cx.kb.field(PROVIDER, FIELD).is_none() {
            return;
        }
        // "Creates" as BP108 decides it.
        for (_, span, empty) in super::fields::created_without_list(cx, PROVIDER, FIELD) {
            let message = if empty {
                "`property_mappings` is empty: this OAuth2 provider maps no scope, so its tokens \
                 carry no e-mail address, name or groups, and its userinfo endpoint refuses them"
            } else {
                "OAuth2 provider created without `property_mappings`: it maps no scope, so its \
                 tokens carry no e-mail address, name or groups, and its userinfo endpoint \
                 refuses them"
            };
            let help = "Authentik narrows every requested scope to the provider's scope mappings \
                        without an error, and the API and blueprints have no default (the admin \
                        UI pre-selects openid, email and profile); add under `attrs`: \
                        `property_mappings: [!Find [authentik_providers_oauth2.scopemapping, \
                        [managed, goauthentik.io/providers/oauth2/scope-openid]], ...]` with the \
                        `scope-email` and `scope-profile` mappings and any scope your clients \
                        request";
            out.push(
                Diagnostic::new(&META, cx.file_id, span, message)
                    .label(if empty {
                        "no scope mapped"
                    } else {
                        "created without scope mappings"
                    })
                    .help(help),
            );
        }
    }
}
