//! BP102: a client asks for `offline_access` from a provider that does not map it,
//! so Authentik silently drops the scope and issues no long-lived refresh token.

use super::{Rule, SetCx};
use crate::diagnostic::{
    Applicability, DeferredAction, DeferredFix, Diagnostic, RuleMeta, Severity,
};
use crate::model::State;
use crate::resolve::{EntryFacts, ObjId, Ref, Resolution, Val};

pub static META: RuleMeta = RuleMeta {
    code: "BP102",
    name: "offline-access-unmapped",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "A client needs refresh tokens but the provider lacks the offline_access mapping",
    doc: include_str!("../../rules/BP102-offline-access-unmapped.md"),
};

const PROVIDER: &str = "authentik_providers_oauth2.oauth2provider";
const SCOPE: &str = "offline_access";
const MANAGED: &str = "goauthentik.io/providers/oauth2/scope-offline_access";
/// The list item the help text and the fix add to `property_mappings`.
pub const ITEM: &str = "!Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-offline_access]]";

pub struct OfflineAccessUnmapped;

#[derive(PartialEq, Eq)]
enum Mapped {
    Yes,
    No,
    /// A tag or lookup bplint cannot evaluate: stay quiet.
    Unknown,
}

impl Rule for OfflineAccessUnmapped {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        for (bp_idx, bp) in cx.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if entry.model.as_deref() != Some(PROVIDER) || entry.state == State::Absent {
                    continue;
                }
                let clients: Vec<_> = cx
                    .config
                    .clients
                    .iter()
                    .filter(|c| c.scopes.iter().any(|s| s == SCOPE))
                    .filter(|c| names_provider(entry, &c.provider))
                    .collect();
                let discovered: Vec<_> = cx
                    .clients
                    .iter()
                    .filter(|c| {
                        c.provider.as_ref().is_some_and(|(_, file, span)| {
                            *file == bp.file && entry.field_span("client_id") == Some(*span)
                        })
                    })
                    .filter(|c| c.client.scopes.iter().any(|s| s == SCOPE))
                    .collect();
                let refresh = entry.attr_span("refresh_token_validity");
                if clients.is_empty() && discovered.is_empty() && refresh.is_none() {
                    continue;
                }
                if mapped(cx, bp_idx, entry) != Mapped::No {
                    continue;
                }
                let span = entry.attr_span("property_mappings").unwrap_or(entry.span);
                let reason = match (clients.first(), discovered.first()) {
                    (Some(client), _) => format!(
                        "client `{}` requests `offline_access`, but this provider does not map that scope",
                        client.name
                    ),
                    (None, Some(found)) => format!(
                        "the {} client in {} requests `offline_access` for client id `{}`, but \
                         this provider does not map that scope",
                        found.client.kind,
                        cx.paths.get(found.file).map_or_else(String::new, |p| crate::source::display_path(p)),
                        found.client.client_id
                    ),
                    (None, None) => "this provider sets `refresh_token_validity` but does not map the \
                             `offline_access` scope, so it never issues refresh tokens that outlive \
                             the login session"
                        .to_string(),
                };
                let mut diag = Diagnostic::new(&META, bp.file, span, reason)
                    .label("no offline_access scope mapping here")
                    .help(format!(
                        "Authentik drops the unmapped scope without an error and the refresh token \
                         dies with the session; add to `property_mappings`: `- {ITEM}`"
                    ));
                diag = diag.deferred_fix(DeferredFix {
                    blueprint: bp.index_in_file,
                    entry: entry.index,
                    applicability: Applicability::Unsafe,
                    action: DeferredAction::AppendToList {
                        key: "property_mappings",
                        item: ITEM.to_string(),
                    },
                });
                for found in &discovered {
                    diag = diag.related(
                        found.file,
                        found.client.scope_span,
                        "this client asks for `offline_access`",
                    );
                }
                if let Some(refresh) = refresh
                    && !(clients.is_empty() && discovered.is_empty())
                {
                    diag = diag.related(
                        bp.file,
                        refresh,
                        "refresh_token_validity has no effect without it",
                    );
                }
                out.push(diag);
            }
        }
    }
}

/// Whether a client's `provider` names this entry (its `name` attribute or `id`).
fn names_provider(entry: &EntryFacts, provider: &str) -> bool {
    entry.id.as_deref() == Some(provider)
        || matches!(entry.field("name"), Some(Val::Str(name)) if name == provider)
}

fn mapped(cx: &SetCx<'_>, bp_idx: usize, entry: &EntryFacts) -> Mapped {
    let items = match entry.field("property_mappings") {
        None | Some(Val::Null) => return Mapped::No,
        Some(Val::List(items)) => items,
        Some(_) => return Mapped::Unknown,
    };
    let mut result = Mapped::No;
    for item in items {
        let verdict = match item {
            Val::Ref(Ref::KeyOf(id)) => cx.blueprints[bp_idx]
                .entries
                .iter()
                .find(|e| e.id.as_deref() == Some(id))
                .map_or(Mapped::Unknown, |e| {
                    is_offline(
                        e.field("scope_name").and_then(Val::lookup_key),
                        e.field("managed").and_then(Val::lookup_key),
                    )
                }),
            Val::Ref(Ref::Find(query)) => {
                if query
                    .conditions
                    .iter()
                    .any(|(_, v)| v.as_deref().is_some_and(|v| v.contains(SCOPE)))
                {
                    Mapped::Yes
                } else {
                    match cx.index.resolve_find(query) {
                        Resolution::Found(objs) => object_is_offline(cx, objs[0]),
                        Resolution::NotFound => Mapped::No,
                        Resolution::Unknown => Mapped::Unknown,
                    }
                }
            }
            _ => Mapped::Unknown,
        };
        match verdict {
            Mapped::Yes => return Mapped::Yes,
            Mapped::Unknown => result = Mapped::Unknown,
            Mapped::No => {}
        }
    }
    result
}

fn object_is_offline(cx: &SetCx<'_>, obj: ObjId) -> Mapped {
    is_offline(
        cx.index.field_of(obj, "scope_name"),
        cx.index.field_of(obj, "managed"),
    )
}

fn is_offline(scope_name: Option<String>, managed: Option<String>) -> Mapped {
    if scope_name.as_deref() == Some(SCOPE) || managed.as_deref() == Some(MANAGED) {
        Mapped::Yes
    } else {
        Mapped::No
    }
}
