//! BP102: a client asks for `offline_access` from a provider that does not map it,
//! so Authentik silently drops the scope and issues no long-lived refresh token.

use super::{Rule, SetCx};
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::knowledge::duration;
use crate::model::State;
use crate::resolve::{EntryFacts, ObjId, Ref, Resolution, Val};
use crate::source::Span;

rule! {
    pub struct OfflineAccessUnmapped {
        code: "BP102",
        name: "offline-access-unmapped",
        severity: Warning,
        fix: Unsafe,
        summary: "A client needs refresh tokens but the provider lacks the offline_access mapping",
    }
}

const PROVIDER: &str = "authentik_providers_oauth2.oauth2provider";
const SCOPE: &str = "offline_access";
const MANAGED: &str = "goauthentik.io/providers/oauth2/scope-offline_access";
/// The list item the help text and the fix add to `property_mappings`.
pub const ITEM: &str = "!Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-offline_access]]";
/// The scope mappings Authentik's admin UI pre-selects for a new OAuth2 provider
/// (`defaultScopes` in web/src/admin/providers/oauth2/OAuth2ProviderFormHelpers.ts).
/// The server has no default: `Provider.property_mappings` is an empty
/// many-to-many (authentik/core/models.py), so a provider a blueprint creates
/// without the key maps no scope at all.
const UI_DEFAULTS: &[&str] = &[
    "!Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-openid]]",
    "!Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-email]]",
    "!Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-profile]]",
];
/// `OAuth2Provider.refresh_token_validity`'s model default
/// (authentik/providers/oauth2/models.py): exports write it on every provider, so
/// it says nothing about refresh tokens being wanted.
const DEFAULT_REFRESH_SECONDS: f64 = 30.0 * 86_400.0;

#[derive(PartialEq, Eq)]
enum Mapped {
    Yes,
    No,
    /// A tag or lookup bplint cannot evaluate: stay quiet.
    Unknown,
}

impl Rule for OfflineAccessUnmapped {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        for (bp_idx, bp) in cx.blueprints.iter().enumerate() {
            if !cx.judges(bp_idx) {
                continue;
            }
            for entry in &bp.entries {
                if entry.model.as_deref() != Some(PROVIDER) || entry.state == State::Absent {
                    continue;
                }
                let clients: Vec<_> = cx
                    .declared_clients
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
                let refresh = non_default_refresh_validity(entry);
                let refresh_grant = grants_refresh(entry);
                if clients.is_empty()
                    && discovered.is_empty()
                    && refresh.is_none()
                    && refresh_grant.is_none()
                {
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
                        "the {} client in {} requests `offline_access`{} for client id `{}`, but \
                         this provider does not map that scope",
                        found.client.kind,
                        cx.paths
                            .get(found.file)
                            .map_or_else(String::new, |p| crate::source::display_path(p)),
                        by_default(found),
                        found.client.client_id
                    ),
                    (None, None) if refresh.is_some() => "this provider sets a non-default \
                             `refresh_token_validity` but does not map the `offline_access` scope, \
                             so it never issues refresh tokens that outlive the login session"
                        .to_string(),
                    (None, None) => "this provider's `grant_types` allow `refresh_token` but it \
                             does not map the `offline_access` scope, so it never issues refresh \
                             tokens that outlive the login session"
                        .to_string(),
                };
                let has_list = matches!(entry.field("property_mappings"), Some(Val::List(_)));
                let (item, title) = if has_list {
                    (
                        ITEM.to_string(),
                        "add the managed offline_access scope mapping to `property_mappings`"
                            .to_string(),
                    )
                } else {
                    let mut items: Vec<&str> = UI_DEFAULTS.to_vec();
                    items.push(ITEM);
                    (
                        items.join(", "),
                        "add `property_mappings` with the managed openid, email, profile and \
                         offline_access scope mappings"
                            .to_string(),
                    )
                };
                let help = if has_list {
                    format!(
                        "Authentik drops the unmapped scope without an error and the refresh token \
                         dies with the session; add to `property_mappings`: `- {ITEM}`"
                    )
                } else {
                    format!(
                        "Authentik drops the unmapped scope without an error and the refresh token \
                         dies with the session; this provider sets no `property_mappings`, so give \
                         it the scope mappings the admin UI pre-selects (openid, email, profile) \
                         plus `{ITEM}`; on an existing provider the list replaces the mappings it \
                         has, so list those too"
                    )
                };
                let mut diag = Diagnostic::new(&META, bp.file, span, reason)
                    .label("no offline_access scope mapping here")
                    .help(help);
                // Added to the list, or as a new key when there is none; a value
                // that is not a list (null, a tag) is left for the help.
                let edit = match entry.attr_span("property_mappings") {
                    Some(_) => entry
                        .list_end("property_mappings")
                        .map(|at| at.edit(bp.eol(), &item)),
                    None => entry
                        .edit_points
                        .new_attr
                        .map(|at| at.edit(bp.eol(), &format!("property_mappings: [{item}]"))),
                };
                if let Some(edit) = edit {
                    diag = diag.fix(Fix {
                        title,
                        applicability: Applicability::Unsafe,
                        edits: vec![edit],
                    });
                }
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
                if let Some(grant) = refresh_grant
                    && (refresh.is_some() || !(clients.is_empty() && discovered.is_empty()))
                {
                    diag = diag.related(bp.file, grant, "`grant_types` allow refresh_token");
                }
                out.push(diag);
            }
        }
    }
}

/// Where `refresh_token_validity` is set to a duration other than Authentik's
/// default of 30 days. A value bplint cannot read (a tag, an invalid string) is
/// no evidence either way.
fn non_default_refresh_validity(entry: &EntryFacts) -> Option<Span> {
    let Some(Val::Str(text)) = entry.field("refresh_token_validity") else {
        return None;
    };
    let seconds = duration::parse(text).ok()?.total_seconds;
    ((seconds - DEFAULT_REFRESH_SECONDS).abs() > f64::EPSILON)
        .then(|| entry.field_span("refresh_token_validity"))
        .flatten()
}

/// Where `grant_types` (Authentik 2026.5 and later) lists `refresh_token`.
fn grants_refresh(entry: &EntryFacts) -> Option<Span> {
    let Some(Val::List(grants)) = entry.field("grant_types") else {
        return None;
    };
    grants
        .iter()
        .any(|g| matches!(g, Val::Str(s) if s == "refresh_token"))
        .then(|| entry.field_span("grant_types"))
        .flatten()
}

/// Whether a client's `provider` names this entry (its `name` attribute or `id`).
pub(super) fn names_provider(entry: &EntryFacts, provider: &str) -> bool {
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

/// ` by default (...)` when a discovered client's scopes are its application's
/// defaults from Authentik's integration guide, not a setting of its file.
pub(crate) fn by_default(found: &crate::clients::ClientMatch) -> &'static str {
    if found.client.default_scopes {
        " by default (its file sets no scopes; Authentik's guide for it lists them)"
    } else {
        ""
    }
}
