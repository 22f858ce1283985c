//! BP101: a provider created without `invalidation_flow` on a release that requires it.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::knowledge::versions::requires_invalidation_flow;
use crate::model::State;

rule! {
    pub struct MissingInvalidationFlow {
        code: "BP101",
        name: "missing-invalidation-flow",
        severity: Error,
        fix: Safe,
        summary: "A provider lacks the `invalidation_flow` the target release requires",
    }
}

/// The attribute line the help text and the fix add.
pub const LINE: &str =
    "invalidation_flow: !Find [authentik_flows.flow, [slug, default-provider-invalidation-flow]]";

impl Rule for MissingInvalidationFlow {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for entry in &cx.bp.entries {
            let Some(model) = entry.model_name() else {
                continue;
            };
            if !requires_invalidation_flow(&model, cx.kb.version)
                || entry.state() == State::Absent
                || entry.field("invalidation_flow").is_some()
                || entry.attrs.is_some_and(|a| a.tag().is_some())
                || crate::resolve::local::exists_before(cx.kb, cx.bp, entry)
            {
                continue;
            }
            let kind = provider_kind(&model);
            let mut diag = Diagnostic::new(
                &META,
                cx.file_id,
                entry.anchor_span(),
                format!(
                    "{kind} provider has no `invalidation_flow`, which Authentik requires since \
                     2024.10 when it creates the provider (target: {})",
                    cx.kb.version
                ),
            )
            .only_on_create("provider")
            .label("created without invalidation_flow")
            .help(format!("add under `attrs`: `{LINE}`"));
            if let Some(fix) =
                super::edits::insert_attr(&cx.file.text, entry, LINE, "invalidation_flow")
            {
                diag = diag.fix(fix);
            }
            out.push(diag);
        }
    }
}

fn provider_kind(model: &str) -> &'static str {
    match model.rsplit('.').next() {
        Some("oauth2provider") => "OAuth2",
        Some("proxyprovider") => "Proxy",
        Some("samlprovider") => "SAML",
        Some("ldapprovider") => "LDAP",
        Some("radiusprovider") => "Radius",
        _ => "This",
    }
}
