//! BP220: an entry that a serializer's own `validate()` refuses: the cross-field
//! rules Authentik writes by hand (a reputation policy that checks neither the IP
//! nor the username, a proxy provider in proxy mode without an internal host, an
//! identification stage that offers neither a user field nor a source, ...).
//!
//! These methods read the data the importer submits, not the object: for an
//! entry that updates an existing object the serializer is partial, so a field the
//! entry leaves out counts as its `attrs.get(key, default)` default, not as the
//! object's value, and a create does not see the model's default either. Each
//! check below follows one method (docs/serializers.md lists them all, with the
//! ones not checked and why).

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::model::{Entry, State};
use crate::resolve::{Yield, yields};
use crate::source::Span;
use crate::yaml::Node;

rule! {
    pub struct SerializerValidate {
        code: "BP220",
        name: "serializer-validate",
        severity: Error,
        fix: None,
        summary: "An entry a serializer's cross-field `validate()` refuses (a setting that needs another the entry leaves out)",
    }
}

/// What the importer submits for one field of an entry: `identifiers` merged
/// over `attrs`.
#[derive(Clone, Copy)]
enum Given<'a> {
    /// Not submitted: the method sees its own default.
    Absent,
    /// Known only when the blueprint is applied (`!Env`, `!Context`, a `!Find`
    /// that may find nothing, ...).
    Unknown,
    Value(&'a Node),
}

impl<'a> Given<'a> {
    /// Python truth of the value DRF makes of it; `None` when unknown.
    fn truthy(self, default: bool) -> Option<bool> {
        let node = match self {
            Given::Absent => return Some(default),
            Given::Unknown => return None,
            Given::Value(node) => node,
        };
        match yields(node) {
            Yield::Null => Some(false),
            Yield::Bool(b) => Some(b),
            Yield::Int(Some(i)) => Some(i != 0),
            Yield::Str(Some(s)) => Some(!matches!(
                s.trim().to_ascii_lowercase().as_str(),
                "" | "false" | "f" | "no" | "n" | "off" | "0"
            )),
            Yield::List(Some(items)) => Some(!items.is_empty()),
            Yield::Map(Some(map)) => Some(map.pairs().next().is_some()),
            // A `!KeyOf` always names a saved object.
            Yield::Pk if is_keyof(node) => Some(true),
            _ => None,
        }
    }

    /// The text value, `Some("")` when absent and the default is "".
    fn text(self, default: Option<&'static str>) -> Option<Option<&'a str>> {
        match self {
            Given::Absent => Some(default),
            Given::Unknown => None,
            Given::Value(node) => match yields(node) {
                Yield::Str(Some(s)) => Some(Some(s.trim())),
                Yield::Null => Some(None),
                _ => None,
            },
        }
    }

    fn is_absent(self) -> bool {
        matches!(self, Given::Absent)
    }
}

fn is_keyof(node: &Node) -> bool {
    matches!(
        crate::model::parse_tag(node.resolved()),
        Some(crate::model::TagParse::Call(
            crate::model::TagCall::KeyOf { .. }
        ))
    )
}

/// One entry as the serializer receives it.
struct Submitted<'e, 'a> {
    entry: &'e Entry<'a>,
    /// The serializers of the release judged (for facts a method reads, such as
    /// the outpost settings).
    release: &'static crate::knowledge::serializers::SerializerRelease,
}

impl<'a> Submitted<'_, 'a> {
    fn get(&self, key: &str) -> Given<'a> {
        let found = self
            .entry
            .identifiers
            .and_then(|m| m.get(key))
            .or_else(|| self.entry.attrs.and_then(|m| m.get(key)));
        match found {
            None => Given::Absent,
            Some(node) if matches!(yields(node), Yield::Unknown) => Given::Unknown,
            Some(node) => Given::Value(node),
        }
    }

    /// Where to point: the key of the first field named, else the model.
    fn span(&self, keys: &[&str]) -> Span {
        for key in keys {
            for map in [self.entry.identifiers, self.entry.attrs]
                .into_iter()
                .flatten()
            {
                if let Some(pair) = map.pairs().find(|p| p.key.as_str() == Some(*key)) {
                    return pair.key.value_span();
                }
            }
        }
        self.entry
            .model
            .map(|m| m.value_span())
            .unwrap_or_else(|| self.entry.anchor_span())
    }
}

/// A refusal: what the serializer answers, how to fix it, and the fields to point at.
struct Refused {
    message: String,
    help: String,
    at: &'static [&'static str],
    /// The exact value to point at, when it is inside a field (an outpost
    /// setting); else the first key of `at` the entry has.
    span: Option<Span>,
}

/// One hand-written `validate()`: the model whose serializer has it, where it is,
/// and the check.
struct Method {
    model: &'static str,
    source: &'static str,
    /// The first release line whose serializer has the method (read at each
    /// release tag of Authentik's repository); `None` for every line bplint knows.
    since: Option<&'static str>,
    check: fn(&Submitted<'_, '_>) -> Option<Refused>,
}

/// The methods bplint follows, each verified against the source named (release
/// 2025.12.4) and against Authentik's importer with the fixtures under
/// fixtures/BP220/.
const METHODS: &[Method] = &[
    Method {
        model: "authentik_policies_reputation.reputationpolicy",
        source: "authentik/policies/reputation/api.py:23",
        since: None,
        check: reputation,
    },
    Method {
        model: "authentik_stages_identification.identificationstage",
        source: "authentik/stages/identification/api.py:15",
        since: None,
        check: identification,
    },
    Method {
        model: "authentik_providers_proxy.proxyprovider",
        source: "authentik/providers/proxy/api.py:58",
        since: None,
        check: proxy,
    },
    Method {
        model: "authentik_flows.flowstagebinding",
        source: "authentik/flows/api/bindings.py:19",
        since: None,
        check: stage_binding,
    },
    Method {
        model: "authentik_stages_redirect.redirectstage",
        source: "authentik/stages/redirect/api.py:15",
        since: None,
        check: redirect,
    },
    Method {
        model: "authentik_sources_saml.samlsource",
        source: "authentik/sources/saml/api/source.py:22",
        since: None,
        check: saml_source,
    },
    Method {
        model: "authentik_providers_saml.samlprovider",
        source: "authentik/providers/saml/api/providers.py:162",
        since: None,
        check: saml_provider,
    },
    Method {
        model: "authentik_sources_ldap.ldapsource",
        source: "authentik/sources/ldap/api.py:71",
        since: None,
        check: ldap_source,
    },
    Method {
        model: "authentik_events.notificationtransport",
        source: "authentik/events/api/notification_transports.py:50",
        since: None,
        check: transport,
    },
    Method {
        model: "authentik_blueprints.blueprintinstance",
        source: "authentik/blueprints/api.py:62",
        since: None,
        check: blueprint_instance,
    },
    Method {
        model: "authentik_core.token",
        source: "authentik/core/api/tokens.py:52",
        since: None,
        check: token,
    },
    Method {
        model: "authentik_core.application",
        source: "authentik/core/api/applications.py:79",
        since: Some("2025.8"),
        check: application_slug,
    },
    Method {
        model: "authentik_core.user",
        source: "authentik/core/api/users.py:226",
        since: None,
        check: user_path,
    },
    Method {
        model: "authentik_providers_proxy.proxyprovider",
        source: "authentik/providers/proxy/api.py:46",
        since: None,
        check: proxy_basic_auth,
    },
    Method {
        model: "authentik_stages_authenticator_validate.authenticatorvalidatestage",
        source: "authentik/stages/authenticator_validate/api.py:20",
        since: None,
        check: validate_stage_configure,
    },
    Method {
        model: "authentik_outposts.outpost",
        source: "authentik/outposts/api/outposts.py:59",
        since: None,
        check: embedded_outpost_name,
    },
    Method {
        model: "authentik_providers_oauth2.oauth2provider",
        source: "authentik/providers/oauth2/api/providers.py:47",
        since: None,
        check: redirect_regex,
    },
    Method {
        model: "authentik_outposts.outpost",
        source: "authentik/outposts/api/outposts.py:90",
        since: None,
        check: outpost_config,
    },
];

impl Rule for SerializerValidate {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(release) = cx.kb.serializers() else {
            return;
        };
        for entry in &cx.bp.entries {
            if entry.state() == State::Absent {
                continue;
            }
            let Some(model) = entry.model_name() else {
                continue;
            };
            if release.model(&model).is_none() {
                continue;
            }
            let submitted = Submitted { entry, release };
            for method in METHODS
                .iter()
                .filter(|m| m.model == model && applies_at(m, cx.kb))
            {
                let Some(refused) = (method.check)(&submitted) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        cx.file_id,
                        refused.span.unwrap_or_else(|| submitted.span(refused.at)),
                        refused.message,
                    )
                    .label("refused by the serializer's validate()")
                    .help(format!(
                        "{}; the method reads only what the entry submits, also when it \
                             updates an existing object ({})",
                        refused.help, method.source
                    )),
                );
            }
        }
    }
}

/// Whether the target release has the method: its line is `since` or newer.
fn applies_at(method: &Method, kb: &crate::knowledge::Knowledge) -> bool {
    let Some(since) = method.since.and_then(crate::knowledge::Version::parse) else {
        return true;
    };
    kb.version >= since
}

fn reputation(s: &Submitted<'_, '_>) -> Option<Refused> {
    let ip = s.get("check_ip").truthy(false)?;
    let username = s.get("check_username").truthy(false)?;
    (!ip && !username).then(|| Refused {
        message:
            "a reputation policy must check the IP or the username: this entry enables neither"
                .into(),
        help: "set `check_ip: true` or `check_username: true` (a left-out flag counts as false \
               here, whatever the model's default)"
            .into(),
        at: &["check_ip", "check_username"],
        span: None,
    })
}

fn identification(s: &Submitted<'_, '_>) -> Option<Refused> {
    let fields = s.get("user_fields").truthy(false)?;
    let sources = s.get("sources").truthy(false)?;
    (!fields && !sources).then(|| Refused {
        message: "an identification stage needs at least one user field or one source: this \
                  entry gives neither"
            .into(),
        help: "set `user_fields` (e.g. `[username, email]`) or `sources` in the entry, even when \
               it updates a stage that already has them"
            .into(),
        at: &["user_fields", "sources"],
        span: None,
    })
}

fn proxy(s: &Submitted<'_, '_>) -> Option<Refused> {
    let mode = s.get("mode").text(Some("proxy"))?;
    let internal = s.get("internal_host").text(Some(""))?;
    (mode == Some("proxy") && internal.is_none_or(str::is_empty)).then(|| Refused {
        message: "a proxy provider in `proxy` mode needs an `internal_host`".into(),
        help: "set `internal_host` to the URL Authentik forwards to (e.g. `http://app:8080`), or \
               `mode: forward_single` / `forward_domain` for forward auth; `mode` left out \
               means `proxy`"
            .into(),
        at: &["internal_host", "mode"],
        span: None,
    })
}

fn stage_binding(s: &Submitted<'_, '_>) -> Option<Refused> {
    let on_plan = s.get("evaluate_on_plan").truthy(false)?;
    let on_run = s.get("re_evaluate_policies").truthy(true)?;
    (!on_plan && !on_run).then(|| Refused {
        message: "a flow-stage binding must evaluate its policies on plan or on run: both are off"
            .into(),
        help: "set `re_evaluate_policies: true` (or `evaluate_on_plan: true`)".into(),
        at: &["re_evaluate_policies", "evaluate_on_plan"],
        span: None,
    })
}

fn redirect(s: &Submitted<'_, '_>) -> Option<Refused> {
    let mode = s.get("mode").text(None)?;
    match mode {
        Some("static") if !s.get("target_static").truthy(false)? => Some(Refused {
            message: "a redirect stage in `static` mode needs `target_static`".into(),
            help: "set `target_static` to the URL to send the user to".into(),
            at: &["target_static", "mode"],
            span: None,
        }),
        Some("flow") if !s.get("target_flow").truthy(false)? => Some(Refused {
            message: "a redirect stage in `flow` mode needs `target_flow`".into(),
            help: "set `target_flow` to the flow to send the user to".into(),
            at: &["target_flow", "mode"],
            span: None,
        }),
        _ => None,
    }
}

fn saml_source(s: &Submitted<'_, '_>) -> Option<Refused> {
    if !s.get("verification_kp").truthy(false)? {
        return None;
    }
    let assertion = s.get("signed_assertion").truthy(false)?;
    let response = s.get("signed_response").truthy(false)?;
    (!assertion && !response).then(|| Refused {
        message: "a SAML source with a `verification_kp` must verify the assertion or the \
                  response signature: this entry enables neither"
            .into(),
        help: "set `signed_assertion: true` or `signed_response: true` in the entry".into(),
        at: &["verification_kp"],
        span: None,
    })
}

fn saml_provider(s: &Submitted<'_, '_>) -> Option<Refused> {
    if !s.get("signing_kp").truthy(false)? {
        return None;
    }
    let assertion = s.get("sign_assertion").truthy(false)?;
    let response = s.get("sign_response").truthy(false)?;
    (!assertion && !response).then(|| Refused {
        message: "a SAML provider with a `signing_kp` must sign the assertion or the response: \
                  this entry enables neither"
            .into(),
        help: "set `sign_assertion: true` or `sign_response: true` in the entry".into(),
        at: &["signing_kp"],
        span: None,
    })
}

fn ldap_source(s: &Submitted<'_, '_>) -> Option<Refused> {
    for (toggle, mappings, what) in [
        ("sync_users", "user_property_mappings", "users"),
        ("sync_groups", "group_property_mappings", "groups"),
    ] {
        if s.get(toggle).truthy(false)? && !s.get(mappings).truthy(false)? {
            return Some(Refused {
                message: format!(
                    "an LDAP source that syncs {what} needs `{mappings}`: this entry gives none"
                ),
                help: format!(
                    "list the LDAP property mappings in `{mappings}` (e.g. the managed \
                     `goauthentik.io/sources/ldap/default-*` ones), or set `{toggle}: false`"
                ),
                at: if what == "users" {
                    &["sync_users", "user_property_mappings"]
                } else {
                    &["sync_groups", "group_property_mappings"]
                },
                span: None,
            });
        }
    }
    None
}

fn transport(s: &Submitted<'_, '_>) -> Option<Refused> {
    let mode = s.get("mode").text(None)?;
    if !matches!(mode, Some("webhook" | "webhook_slack")) {
        return None;
    }
    let url = s.get("webhook_url").text(Some(""))?;
    url.is_none_or(str::is_empty).then(|| Refused {
        message: format!(
            "a `{}` notification transport needs a `webhook_url`",
            mode.unwrap_or_default()
        ),
        help: "set `webhook_url` to the endpoint to post to".into(),
        at: &["webhook_url", "mode"],
        span: None,
    })
}

fn blueprint_instance(s: &Submitted<'_, '_>) -> Option<Refused> {
    let path = s.get("path").text(Some(""))?;
    let content = s.get("content").text(Some(""))?;
    (path.is_none_or(str::is_empty) && content.is_none_or(str::is_empty)).then(|| Refused {
        message: "a blueprint instance needs a `path` or a `content`".into(),
        help: "set `path` to a blueprint file Authentik discovers (e.g. `custom/app.yaml`)".into(),
        at: &["path", "content"],
        span: None,
    })
}

fn token(s: &Submitted<'_, '_>) -> Option<Refused> {
    // The importer gives the serializer no request, so the method asks the
    // entry itself for the user and the intent.
    let missing: Vec<&str> = ["user", "intent"]
        .into_iter()
        .filter(|k| s.get(k).is_absent())
        .collect();
    if !missing.is_empty() {
        return Some(Refused {
            message: format!(
                "a token entry must give {}: without a request, Authentik takes neither from \
                 elsewhere",
                missing
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            help: "add `user: !Find [authentik_core.user, [username, ...]]` and `intent: api` (or \
                   `app_password`)"
                .into(),
            at: &["user", "intent"],
            span: None,
        });
    }
    match s.get("intent").text(None)? {
        Some("api" | "app_password") | None => None,
        Some(other) => Some(Refused {
            message: format!(
                "a token made by a blueprint must have intent `api` or `app_password`, not `{other}`"
            ),
            help: "use `intent: api` or `intent: app_password`".into(),
            at: &["intent"],
            span: None,
        }),
    }
}

/// Slugs the OAuth2 endpoints take under `/application/o/` (the model's
/// `reserved_slugs`, authentik/core/models.py).
const RESERVED_SLUGS: &[&str] = &[
    "authorize",
    "token",
    "device",
    "userinfo",
    "introspect",
    "revoke",
];

fn application_slug(s: &Submitted<'_, '_>) -> Option<Refused> {
    let slug = s.get("slug").text(None)??;
    RESERVED_SLUGS.contains(&slug).then(|| Refused {
        message: format!("the application slug `{slug}` is reserved"),
        help: format!(
            "Authentik's OAuth2 endpoints use the slugs {}; choose another",
            RESERVED_SLUGS
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        at: &["slug"],
        span: None,
    })
}

fn user_path(s: &Submitted<'_, '_>) -> Option<Refused> {
    let path = s.get("path").text(None)??;
    let bad = path.starts_with('/') || path.ends_with('/') || path.split('/').any(str::is_empty);
    bad.then(|| Refused {
        message: format!(
            "the user path `{path}` has a leading or trailing slash or an empty segment"
        ),
        help: "write the path without slashes at either end and without `//`, like `users/staff`"
            .into(),
        at: &["path"],
        span: None,
    })
}

fn proxy_basic_auth(s: &Submitted<'_, '_>) -> Option<Refused> {
    if !s.get("basic_auth_enabled").truthy(false)? {
        return None;
    }
    let user = s.get("basic_auth_user_attribute").text(Some(""))?;
    let password = s.get("basic_auth_password_attribute").text(Some(""))?;
    (user.is_none_or(str::is_empty) || password.is_none_or(str::is_empty)).then(|| Refused {
        message: "`basic_auth_enabled` needs both `basic_auth_user_attribute` and \
                  `basic_auth_password_attribute` in the entry"
            .into(),
        help: "name the user attributes that hold the credentials, e.g. \
               `basic_auth_user_attribute: wiki_user`; the check reads the entry, not the \
               provider's stored values"
            .into(),
        at: &["basic_auth_enabled"],
        span: None,
    })
}

fn validate_stage_configure(s: &Submitted<'_, '_>) -> Option<Refused> {
    if s.get("not_configured_action").text(None)? != Some("configure") {
        return None;
    }
    (!s.get("configuration_stages").truthy(false)?).then(|| Refused {
        message: "`not_configured_action: configure` needs `configuration_stages` in the entry"
            .into(),
        help: "list the authenticator setup stages users may pick, e.g. \
               `configuration_stages: [!Find [authentik_stages_authenticator_totp.authenticatortotpstage, [name, ...]]]`"
            .into(),
        at: &["not_configured_action"],
        span: None,
    })
}

/// The embedded outpost (authentik/outposts/apps.py) keeps its name.
fn embedded_outpost_name(s: &Submitted<'_, '_>) -> Option<Refused> {
    if s.get("managed").text(None)? != Some("goauthentik.io/outposts/embedded") {
        return None;
    }
    let name = s.get("name").text(None)??;
    (name != "authentik Embedded Outpost").then(|| Refused {
        message: format!("the embedded outpost cannot be renamed (to `{name}`)"),
        help: "leave `name` out, or keep it `authentik Embedded Outpost`".into(),
        at: &["name"],
        span: None,
    })
}

/// An outpost's `config` as `validate_config` reads it: each setting the
/// release's `OutpostConfig` has must be of its kind (dacite checks the types),
/// and `refresh_interval` must be a duration. Unknown settings are ignored by
/// dacite; BP202 warns about them.
fn outpost_config(s: &Submitted<'_, '_>) -> Option<Refused> {
    let Given::Value(config) = s.get("config") else {
        return None;
    };
    let map = config.resolved();
    map.map()?;
    for pair in map.pairs() {
        let Some(key) = pair.key.as_str() else {
            continue;
        };
        let Some(kind) = s.release.outpost_setting(key) else {
            continue;
        };
        let (base, nullable) = match kind.strip_suffix('?') {
            Some(base) => (base, true),
            None => (kind, false),
        };
        let got = yields(&pair.value);
        let fits = match got {
            Yield::Unknown | Yield::Pk => true,
            Yield::Null => nullable,
            Yield::Str(_) => base == "str" || base == "any",
            Yield::Bool(_) => matches!(base, "bool" | "int" | "any"),
            Yield::Int(_) => matches!(base, "int" | "any"),
            Yield::List(_) => matches!(base, "list" | "any"),
            Yield::Map(_) => matches!(base, "dict" | "any"),
            Yield::Float | Yield::Timestamp => base == "any",
        };
        if !fits {
            return Some(Refused {
                message: format!(
                    "outpost setting `{key}` takes {}, not {}",
                    describe_kind(base, nullable),
                    got.describe()
                ),
                help: format!(
                    "write `{key}` as {}; the serializer reads the config with the release's \
                     `OutpostConfig` ({})",
                    describe_kind(base, nullable),
                    s.release.outpost_config_source
                ),
                at: &["config"],
                span: Some(pair.value.value_span()),
            });
        }
        if key == "refresh_interval"
            && let Yield::Str(Some(text)) = got
            && crate::knowledge::duration::parse(text).is_err()
        {
            return Some(Refused {
                message: format!("outpost setting `refresh_interval: {text}` is not a duration"),
                help: "write it like `minutes=5` (`key=value` pairs joined by `;`)".into(),
                at: &["config"],
                span: None,
            });
        }
    }
    None
}

fn describe_kind(base: &str, nullable: bool) -> String {
    let text = match base {
        "str" => "a string",
        "bool" => "a boolean",
        "int" => "an integer",
        "dict" => "a mapping",
        "list" => "a list",
        _ => "a value",
    };
    if nullable {
        format!("{text} or null")
    } else {
        text.to_string()
    }
}

/// A `regex` redirect URI must compile with Python's `re`; the structural
/// mistakes Python refuses are found without Python (`resolve::pyre_syntax`).
/// Lists of redirect URIs came with 2024.10.3 (and 2024.8.5); a plain string
/// before that holds no matching mode and is not judged.
fn redirect_regex(s: &Submitted<'_, '_>) -> Option<Refused> {
    let Given::Value(list) = s.get("redirect_uris") else {
        return None;
    };
    for item in list.resolved().seq()? {
        let item = item.resolved();
        let is_regex = item
            .get("matching_mode")
            .and_then(|m| m.as_str())
            .is_some_and(|m| m == "regex");
        let Some(url) = item.get("url") else { continue };
        if !is_regex || url.tag().is_some() {
            continue;
        }
        let Some(text) = url.as_str() else { continue };
        if super::super::resolve::validate::is_substituted(text) {
            continue;
        }
        if let Some((at, why)) = crate::resolve::pyre_syntax::error(text) {
            return Some(Refused {
                message: format!(
                    "the redirect URI pattern `{text}` is not a valid regular expression: {why} (character {})",
                    at + 1
                ),
                help: "in `regex` mode the URL is a Python regular expression: escape `.`, `?`, \
                       `*` and `+` meant literally (`https://.*\\.example\\.com/cb`), or use \
                       `matching_mode: strict`"
                    .into(),
                at: &["redirect_uris"],
                span: Some(url.value_span()),
            });
        }
    }
    None
}
