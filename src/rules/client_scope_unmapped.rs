//! BP122: a client asks an OAuth2 provider for a scope (`email`, `groups`, ...)
//! that none of the provider's scope mappings provides, so Authentik drops it
//! and the client never gets the claims it expects.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::model::State;
use crate::resolve::{EntryFacts, ObjId, Ref, Resolution, Val};

rule! {
    pub struct ClientScopeUnmapped {
        code: "BP122",
        name: "client-scope-unmapped",
        severity: Warning,
        fix: None,
        summary: "A client requests a scope that none of the provider's scope mappings provides",
    }
}

const PROVIDER: &str = "authentik_providers_oauth2.oauth2provider";

/// Scopes another rule or Authentik itself takes care of: `openid` (the
/// provider's own business, see BP116), `offline_access` (BP102), and the GitHub
/// compatibility scopes, which Authentik answers without scope mappings.
const NOT_JUDGED: &[&str] = &[
    "openid",
    "offline_access",
    "user",
    "read:user",
    "user:email",
    "read:org",
];

/// Who asks for the scopes, for the message and the second labels.
enum Asker<'a> {
    Declared(&'a crate::clients::Client),
    Found(&'a crate::clients::ClientMatch),
}

impl Rule for ClientScopeUnmapped {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        if cx.declared_clients.is_empty() && cx.clients.is_empty() {
            return;
        }
        for (bp_idx, bp) in cx.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                if entry.model.as_deref() != Some(PROVIDER)
                    || matches!(entry.state, State::Absent | State::Invalid)
                {
                    continue;
                }
                let mut askers: Vec<(Asker<'_>, Vec<&str>)> = Vec::new();
                for client in cx.declared_clients {
                    if super::offline_access_unmapped::names_provider(entry, &client.provider) {
                        askers.push((Asker::Declared(client), judged(&client.scopes)));
                    }
                }
                for found in cx.clients {
                    let names = found.provider.as_ref().is_some_and(|(_, file, span)| {
                        *file == bp.file && entry.field_span("client_id") == Some(*span)
                    });
                    if names {
                        askers.push((Asker::Found(found), judged(&found.client.scopes)));
                    }
                }
                askers.retain(|(_, scopes)| !scopes.is_empty());
                if askers.is_empty() {
                    continue;
                }
                // No list, or an empty one: BP116 reports a provider this entry
                // creates; an update keeps mappings bplint cannot see.
                let Some(mapped) = mappings(cx, bp_idx, entry) else {
                    continue;
                };
                let mut missing: Vec<&str> = Vec::new();
                for (_, scopes) in &askers {
                    // What the client gets: the mappings of the scopes it asks for.
                    let granted: Vec<&Mapping> = mapped
                        .iter()
                        .filter(|m| scopes.contains(&m.scope.as_str()))
                        .collect();
                    for scope in scopes {
                        let unmapped = !mapped.iter().any(|m| m.scope == *scope);
                        // `groups` asked for beside `profile`: the claim comes anyway.
                        let given_anyway = granted.iter().any(|m| m.may_give(scope));
                        if unmapped && !given_anyway && !missing.contains(scope) {
                            missing.push(scope);
                        }
                    }
                }
                if missing.is_empty() {
                    continue;
                }
                let Some((first, first_scopes)) = askers
                    .iter()
                    .find(|(_, scopes)| scopes.iter().any(|s| missing.contains(s)))
                else {
                    continue;
                };
                // The first client's missing scopes, then those only others ask for.
                let (own, others): (Vec<&str>, Vec<&str>) =
                    missing.iter().partition(|s| first_scopes.contains(s));
                let quote = |scopes: &[&str]| {
                    let quoted: Vec<String> = scopes.iter().map(|s| format!("`{s}`")).collect();
                    crate::diagnostic::and_list(&quoted)
                };
                let list = quote(&missing);
                let (scope_word, it) = if own.len() == 1 {
                    ("scope", "it")
                } else {
                    ("scopes", "them")
                };
                let who = match first {
                    Asker::Declared(client) => format!("client `{}`", client.name),
                    Asker::Found(found) => format!(
                        "the {} client in {} (client id `{}`){}",
                        found.client.kind,
                        cx.paths
                            .get(found.file)
                            .map_or_else(String::new, |p| crate::source::display_path(p)),
                        found.client.client_id,
                        super::offline_access_unmapped::by_default(found)
                    ),
                };
                let also = if others.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (other clients of this provider ask for {}, unmapped too)",
                        quote(&others)
                    )
                };
                let message = format!(
                    "{who} requests the {scope_word} {}, but no scope mapping of this provider \
                     has {it} as `scope_name`{also}: Authentik drops unmapped scopes without an \
                     error, so the tokens carry none of their claims",
                    quote(&own)
                );
                let it = if missing.len() == 1 { "it" } else { "them" };
                let span = entry.attr_span("property_mappings").unwrap_or(entry.span);
                let mut diag = Diagnostic::new(&META, bp.file, span, message)
                    .label(format!("no scope mapping for {list}"))
                    .help(format!(
                        "add to `property_mappings` a scope mapping for {list} (Authentik ships \
                         `email`, `profile`, which also gives a `groups` claim, and \
                         `entitlements`: `!Find [authentik_providers_oauth2.scopemapping, \
                         [scope_name, NAME]]`; other scopes need a scope mapping of your own), \
                         or stop the client from asking for {it}"
                    ));
                for (asker, scopes) in &askers {
                    if let Asker::Found(found) = asker
                        && scopes.iter().any(|s| missing.contains(s))
                    {
                        diag = diag.related(
                            found.file,
                            found.client.scope_span,
                            format!("this client asks for {it}"),
                        );
                    }
                }
                out.push(diag);
            }
        }
    }
}

/// The scopes of a client this rule judges.
fn judged(scopes: &[String]) -> Vec<&str> {
    scopes
        .iter()
        .map(String::as_str)
        .filter(|s| !NOT_JUDGED.contains(s))
        .collect()
}

/// What a mapping the provider lists puts into tokens.
struct Mapping {
    scope: String,
    claims: Claims,
}

enum Claims {
    /// A built-in mapping's claims.
    Known(&'static [&'static str]),
    /// A mapping of the set: its expression's text.
    Expression(String),
    /// An expression bplint has no text of: it may return any claim.
    Unknown,
}

impl Mapping {
    /// Whether the mapping may put a claim named `claim` into the token (so a
    /// client asking for a scope of that name still gets what it wants).
    fn may_give(&self, claim: &str) -> bool {
        match &self.claims {
            Claims::Known(claims) => claims.contains(&claim),
            Claims::Expression(text) => {
                text.contains(&format!("\"{claim}\"")) || text.contains(&format!("'{claim}'"))
            }
            Claims::Unknown => true,
        }
    }
}

/// The claims of the scope mappings Authentik ships, by `managed`
/// (`system/providers-oauth2.yaml`): a client asking for a `groups` scope gets
/// the claim from `profile`.
const BUILTIN_CLAIMS: &[(&str, &[&str])] = &[
    ("goauthentik.io/providers/oauth2/scope-openid", &[]),
    (
        "goauthentik.io/providers/oauth2/scope-email",
        &["email", "email_verified"],
    ),
    (
        "goauthentik.io/providers/oauth2/scope-profile",
        &[
            "name",
            "given_name",
            "preferred_username",
            "nickname",
            "groups",
        ],
    ),
    (
        "goauthentik.io/providers/oauth2/scope-entitlements",
        &["entitlements", "roles"],
    ),
    ("goauthentik.io/providers/oauth2/scope-offline_access", &[]),
];

/// Every mapping the entry's `property_mappings` list names; `None` when the
/// entry has no list, an empty one, or an item whose scope bplint cannot tell.
fn mappings(cx: &SetCx<'_>, bp: usize, entry: &EntryFacts) -> Option<Vec<Mapping>> {
    let Some(Val::List(items)) = entry.field("property_mappings") else {
        return None;
    };
    if items.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Val::Ref(reference @ Ref::KeyOf(_)) => {
                let obj = cx.index.resolve_ref(bp, reference).first().copied()?;
                out.push(mapping_of(cx, obj)?);
            }
            Val::Ref(Ref::Find(query)) => match cx.index.resolve_find_from(bp, query) {
                Resolution::Found(objs) => out.push(mapping_of(cx, *objs.first()?)?),
                // Nothing to map: BP205 reports the lookup.
                Resolution::NotFound => {}
                Resolution::Unknown => {
                    let scope = query
                        .conditions
                        .iter()
                        .find(|(field, _)| field == "scope_name" || field == "scope_name__iexact")
                        .and_then(|(_, value)| value.clone())?;
                    out.push(Mapping {
                        scope,
                        claims: Claims::Unknown,
                    });
                }
            },
            _ => return None,
        }
    }
    Some(out)
}

/// A scope mapping's scope and claims: an entry's own, else those of the
/// built-in (or the set's first entry) it updates.
fn mapping_of(cx: &SetCx<'_>, obj: ObjId) -> Option<Mapping> {
    let ObjId::Entry { bp, entry } = obj else {
        return builtin_mapping(cx, obj);
    };
    let facts = cx.index.entry(bp, entry)?;
    let updated = match cx.index.object_of_entry(bp, facts)? {
        ObjId::Entry { bp: b, entry: e } if (b, e) == (bp, entry) => None,
        ObjId::Entry { bp: b, entry: e } => {
            let first = cx.index.entry(b, e)?;
            Some(Mapping {
                scope: first.field("scope_name")?.lookup_key()?,
                claims: expression(first),
            })
        }
        other => builtin_mapping(cx, other),
    };
    let scope = match facts.field("scope_name") {
        Some(value) => value.lookup_key()?,
        None => updated.as_ref()?.scope.clone(),
    };
    let claims = match (facts.field("expression"), updated) {
        (None, Some(updated)) => updated.claims,
        _ => expression(facts),
    };
    Some(Mapping { scope, claims })
}

fn builtin_mapping(cx: &SetCx<'_>, obj: ObjId) -> Option<Mapping> {
    let scope = cx.index.field_of(obj, "scope_name")?;
    let managed = cx.index.field_of(obj, "managed");
    let claims = BUILTIN_CLAIMS
        .iter()
        .find(|(m, _)| Some(*m) == managed.as_deref())
        .map_or(Claims::Unknown, |(_, claims)| Claims::Known(claims));
    Some(Mapping { scope, claims })
}

fn expression(entry: &EntryFacts) -> Claims {
    match entry.field("expression") {
        Some(Val::Str(text)) => Claims::Expression(text.clone()),
        _ => Claims::Unknown,
    }
}
