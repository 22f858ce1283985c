//! BP115: a source with a login button (OAuth, SAML, Plex, Telegram, Kerberos
//! with SPNEGO) that no identification stage lists and no source stage uses, so
//! its button never appears and nobody can log in through it.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use crate::model::State;
use crate::resolve::{EntryFacts, ObjId, Ref, Resolution, Val};
use foldhash::{HashSet, HashSetExt};

rule! {
    pub struct SourceNotOffered {
        code: "BP115",
        name: "source-not-offered",
        severity: Warning,
        fix: None,
        summary: "A source with a login button that no identification stage lists",
    }
}

/// The source models whose objects show a login button, and how to call them.
/// LDAP and SCIM sources have none: LDAP checks passwords behind the password
/// stage, SCIM receives users pushed to it.
const BUTTONS: &[(&str, &str)] = &[
    ("authentik_sources_oauth.oauthsource", "OAuth"),
    ("authentik_sources_saml.samlsource", "SAML"),
    ("authentik_sources_plex.plexsource", "Plex"),
    ("authentik_sources_telegram.telegramsource", "Telegram"),
    ("authentik_sources_kerberos.kerberossource", "Kerberos"),
];

/// A Kerberos source is a login button (SPNEGO) only when the entry sets it up
/// for SPNEGO; otherwise it syncs users and checks passwords, as LDAP does.
const KERBEROS: &str = "authentik_sources_kerberos.kerberossource";
const SPNEGO_FIELDS: &[&str] = &["spnego_server_name", "spnego_keytab", "spnego_ccache"];

const IDENTIFICATION: &str = "authentik_stages_identification.identificationstage";
const SOURCE_STAGE: &str = "authentik_stages_source.sourcestage";

/// What the set says about which sources are offered.
struct Offered {
    objects: HashSet<ObjId>,
    /// A list or reference bplint cannot follow: any source may be offered.
    unknown: bool,
    /// Literal strings of the set holding `/source/` (a redirect stage or an
    /// application sending users to a source's login address).
    links: Vec<String>,
}

impl Rule for SourceNotOffered {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        let has_source = cx.blueprints.iter().any(|bp| {
            bp.entries
                .iter()
                .any(|e| e.model.as_deref().is_some_and(|m| kind(m).is_some()))
        });
        if !has_source {
            return;
        }
        let offered = offered(cx);
        if offered.unknown {
            return;
        }
        let mut reported: HashSet<ObjId> = HashSet::new();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            for entry in &bp.entries {
                let Some(kind) = entry.model.as_deref().and_then(kind) else {
                    continue;
                };
                // A model the target release lacks is BP201's.
                if entry
                    .model
                    .as_deref()
                    .is_some_and(|m| cx.kb.model(m).is_none())
                {
                    continue;
                }
                if matches!(entry.state, State::Absent | State::Invalid)
                    || matches!(entry.field("enabled"), Some(Val::Bool(false)))
                    || (entry.model.as_deref() == Some(KERBEROS) && !spnego(entry))
                    || idp_initiated(entry)
                {
                    continue;
                }
                let Some(obj) = cx.index.object_of_entry(b, entry) else {
                    continue;
                };
                if offered.objects.contains(&obj) || !reported.insert(obj) {
                    continue;
                }
                let slug = entry.field("slug").and_then(Val::lookup_key);
                if slug.as_deref().is_some_and(|s| linked(&offered.links, s)) {
                    continue;
                }
                let name = slug
                    .or_else(|| entry.field("name").and_then(Val::lookup_key))
                    .map(|n| format!(" `{n}`"))
                    .unwrap_or_default();
                let find = match entry.field("slug").and_then(Val::lookup_key) {
                    Some(slug) => format!("!Find [authentik_core.source, [slug, {slug}]]"),
                    None => "!Find [authentik_core.source, [slug, ...]]".to_string(),
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        bp.file,
                        entry.span,
                        format!(
                            "the login button of {kind} source{name} never appears: no \
                             identification stage lists it in `sources` and no source stage \
                             uses it"
                        ),
                    )
                    .label("never offered at login")
                    .help(format!(
                        "list the source in the `sources` of the identification stage your \
                         login flow uses (`sources: [{find}]`; the list replaces the stage's \
                         sources, so name every source it should show), or bind a source stage \
                         that uses it; if an administrator adds it to a stage in the admin UI, \
                         say so with `# bplint: disable=BP115 -- listed by hand`"
                    )),
                );
            }
        }
    }
}

/// How messages call a source model with a login button.
fn kind(model: &str) -> Option<&'static str> {
    BUTTONS
        .iter()
        .find(|(m, _)| *m == model)
        .map(|(_, kind)| *kind)
}

/// Whether a Kerberos source entry sets up SPNEGO (a value bplint cannot read
/// counts as set).
fn spnego(entry: &EntryFacts) -> bool {
    SPNEGO_FIELDS.iter().any(|f| match entry.field(f) {
        None | Some(Val::Null) => false,
        Some(Val::Str(s)) => !s.trim().is_empty(),
        Some(_) => true,
    })
}

/// A SAML source that accepts logins its identity provider starts: users reach
/// it from the provider's portal, without a button.
fn idp_initiated(entry: &EntryFacts) -> bool {
    entry.model.as_deref() == Some("authentik_sources_saml.samlsource")
        && !matches!(
            entry.field("allow_idp_initiated"),
            None | Some(Val::Bool(false) | Val::Null)
        )
}

/// Whether a literal string of the set sends users to the source's login
/// address (`.../source/oauth/login/<slug>/`).
fn linked(links: &[String], slug: &str) -> bool {
    let inner = format!("/{slug}/");
    let last = format!("/{slug}");
    links.iter().any(|link| {
        let path = link.split(['?', '#']).next().unwrap_or(link);
        path.contains(&inner) || path.ends_with(&last)
    })
}

/// The sources the set's identification stages list and its source stages
/// use, and whether any of them is beyond bplint.
fn offered(cx: &SetCx<'_>) -> Offered {
    let mut offered = Offered {
        objects: HashSet::new(),
        unknown: false,
        links: Vec::new(),
    };
    for (b, bp) in cx.blueprints.iter().enumerate() {
        for entry in &bp.entries {
            if entry.state == State::Absent {
                continue;
            }
            collect_links(entry, &mut offered.links);
            match entry.model.as_deref() {
                Some(IDENTIFICATION) => match entry.field("sources") {
                    None | Some(Val::Null) => {}
                    Some(Val::List(items)) => {
                        for item in items {
                            add_reference(cx, b, item, &mut offered);
                        }
                    }
                    Some(_) => offered.unknown = true,
                },
                Some(SOURCE_STAGE) => {
                    if let Some(value) = entry.field("source") {
                        add_reference(cx, b, value, &mut offered);
                    }
                }
                // A stage whose model is a tag may be either.
                None if entry.state != State::Invalid => offered.unknown = true,
                _ => {}
            }
        }
    }
    offered
}

/// The object a `sources` item or a source stage's `source` names; anything
/// bplint cannot follow (a tag, a literal primary key, a lookup it cannot
/// answer) makes the whole answer unknown.
fn add_reference(cx: &SetCx<'_>, bp: usize, value: &Val, offered: &mut Offered) {
    let Val::Ref(reference) = value else {
        if !matches!(value, Val::Null) {
            offered.unknown = true;
        }
        return;
    };
    if let Ref::Find(query) = reference
        && cx.index.resolve_find_from(bp, query) == Resolution::NotFound
    {
        // Matches nothing: offers nothing (BP205 reports the lookup).
        return;
    }
    match cx.index.object_of_ref(bp, reference) {
        Some(obj) => {
            offered.objects.insert(obj);
        }
        None => offered.unknown = true,
    }
}

fn collect_links(entry: &EntryFacts, links: &mut Vec<String>) {
    fn walk(value: &Val, links: &mut Vec<String>) {
        match value {
            Val::Str(s) if s.contains("/source/") => links.push(s.clone()),
            Val::List(items) => items.iter().for_each(|v| walk(v, links)),
            _ => {}
        }
    }
    for (_, value, _) in entry.identifiers.iter().chain(&entry.attrs) {
        walk(value, links);
    }
}
