//! BP118: a field that takes the *name* of an attribute (which user attribute
//! holds the HTTP Basic password, which LDAP attribute holds group members) set
//! to something that is clearly no attribute name: a value, a URL, a template, a
//! filter, a secret.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::model::State;
use crate::source::Span;
use crate::yaml::Typed;

rule! {
    pub struct AttributeNameHoldsValue {
        code: "BP118",
        name: "attribute-name-holds-value",
        severity: Warning,
        fix: None,
        summary: "A field that takes an attribute's name holds a value, a URL, a template or a secret",
    }
}

/// What kind of name a field takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Names {
    /// A key of the user's attributes (merged with its groups'), looked up as
    /// written.
    UserAttribute,
    /// An LDAP attribute description: letters, digits and hyphens, or an OID.
    LdapAttribute,
}

/// The fields, what they name, and what happens when the name matches nothing.
const FIELDS: &[(&str, &str, Names, &str)] = &[
    (
        "authentik_providers_proxy.proxyprovider",
        "basic_auth_user_attribute",
        Names::UserAttribute,
        "the outpost finds no attribute of that name and sends the user's e-mail address as \
         the HTTP Basic user name",
    ),
    (
        "authentik_providers_proxy.proxyprovider",
        "basic_auth_password_attribute",
        Names::UserAttribute,
        "the outpost finds no attribute of that name and sends no HTTP Basic header at all",
    ),
    (
        "authentik_sources_ldap.ldapsource",
        "object_uniqueness_field",
        Names::LdapAttribute,
        "no directory object has an attribute of that name, so the sync skips every user and \
         group",
    ),
    (
        "authentik_sources_ldap.ldapsource",
        "group_membership_field",
        Names::LdapAttribute,
        "no group has an attribute of that name, so the sync gives groups no members",
    ),
    (
        "authentik_sources_ldap.ldapsource",
        "user_membership_attribute",
        Names::UserAttribute,
        "no synced user has an attribute of that name, so group members match no user",
    ),
];

/// The label of a finding whose value looks like a secret, or stands in a
/// password field: the renderers mask its span in snippets, as they mask
/// BP301's (see [`secret_spans`]).
const SECRET_LABEL: &str = "a secret, not an attribute name";

/// Characters no attribute name of either kind holds, common in passwords.
const PASSWORD_SYMBOLS: &[char] = &[
    '!', '@', '#', '%', '^', '&', '*', '+', '?', '~', '|', '<', '>', '"', '\'', '\\', '`',
];

impl Rule for AttributeNameHoldsValue {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for entry in &cx.bp.entries {
            let Some(model) = entry.model_name() else {
                continue;
            };
            if entry.state() == State::Absent || entry.fields_unreadable() {
                continue;
            }
            for &(_, field, names, effect) in FIELDS.iter().filter(|(m, ..)| *m == model) {
                if cx.kb.field(&model, field).is_none() {
                    continue;
                }
                let Some(node) = entry.field(field) else {
                    continue;
                };
                // `!Env`, `!Context`, `!Format` and every other tag: known only
                // when applied.
                if node.tag().is_some() {
                    continue;
                }
                let Some(Typed::Str(text)) = node.typed() else {
                    continue;
                };
                let Some(problem) = problem(text, names) else {
                    continue;
                };
                let secret = problem == Problem::Secret || field.contains("password");
                let shown = if secret {
                    super::plaintext_secret::mask(text)
                } else {
                    format!("`{}`", short(text))
                };
                let what = match (names, field) {
                    (_, "user_membership_attribute") => "a user attribute",
                    (Names::UserAttribute, _) => "a user or group attribute",
                    (Names::LdapAttribute, _) => "an LDAP attribute",
                };
                let message = format!(
                    "`{field}` takes the name of {what}, but holds {}: {shown}",
                    problem.describe(names)
                );
                let help = match names {
                    Names::UserAttribute if field == "user_membership_attribute" => format!(
                        "{effect}; write the name of the user attribute the sync fills with \
                         what the group lists (`distinguishedName`, `uid`)"
                    ),
                    Names::UserAttribute => format!(
                        "{effect}; write the attribute's name (`{example}`) and keep the value \
                         in that attribute of the user or group",
                        example = if field.contains("password") {
                            "http_basic_password"
                        } else {
                            "http_basic_user"
                        }
                    ),
                    Names::LdapAttribute => format!(
                        "{effect}; write the attribute's name as the directory spells it \
                         (`objectSid`, `member`, `distinguishedName`)"
                    ),
                };
                let label = if secret {
                    SECRET_LABEL
                } else {
                    "not an attribute name"
                };
                out.push(
                    Diagnostic::new(&META, cx.file_id, node.value_span(), message)
                        .label(label)
                        .help(help),
                );
            }
        }
    }
}

/// What is wrong with a value, in the order it is looked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Problem {
    Url,
    Template,
    Assignment,
    Spaces,
    Path,
    Secret,
    Characters,
}

impl Problem {
    fn describe(self, names: Names) -> &'static str {
        match (self, names) {
            (Problem::Url, _) => "a URL",
            (Problem::Template, _) => "a template, which Authentik does not fill in here",
            (Problem::Assignment, Names::LdapAttribute) => "an LDAP filter or DN (`name=value`)",
            (Problem::Assignment, Names::UserAttribute) => "an assignment (`name=value`)",
            (Problem::Spaces, _) => "text with spaces",
            (Problem::Path, _) => "a path, while Authentik reads one top-level key of that name",
            (Problem::Secret, _) => "what looks like a password or token",
            (Problem::Characters, _) => {
                "characters no LDAP attribute name has (only letters, digits and hyphens)"
            }
        }
    }
}

/// Why `text` is clearly not a name of the kind the field takes; `None` when it
/// may be one, is empty, or is a placeholder a deploy tool fills in.
fn problem(text: &str, names: Names) -> Option<Problem> {
    let t = text.trim();
    if t.is_empty() || placeholder(t) {
        return None;
    }
    if t.contains("://") {
        return Some(Problem::Url);
    }
    if (t.contains('{') && t.contains('}')) || t.contains("%(") {
        return Some(Problem::Template);
    }
    if t.contains('=') {
        return Some(Problem::Assignment);
    }
    if t.chars().any(char::is_whitespace) {
        return Some(Problem::Spaces);
    }
    if names == Names::UserAttribute
        && ["attributes.", "user.", "group.", "request."]
            .iter()
            .any(|p| t.starts_with(p))
    {
        return Some(Problem::Path);
    }
    if looks_secret(t) {
        return Some(Problem::Secret);
    }
    if names == Names::LdapAttribute && !ldap_name(t) {
        return Some(Problem::Characters);
    }
    None
}

/// `${VAR}`, `$VAR`, `__VAR__`, `{{ ... }}`: replaced before Authentik reads the
/// file, so the value is not known here.
fn placeholder(t: &str) -> bool {
    let name = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    crate::resolve::validate::is_substituted(t) || t.strip_prefix('$').is_some_and(name)
}

/// An LDAP attribute description (RFC 4512): a name of letters, digits and
/// hyphens starting with a letter, or a dotted OID, with `;option`s.
fn ldap_name(t: &str) -> bool {
    let base = t.split(';').next().unwrap_or(t);
    let keystring = base.starts_with(|c: char| c.is_ascii_alphabetic())
        && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let oid = !base.is_empty()
        && base
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
    let options = t
        .split(';')
        .skip(1)
        .all(|o| !o.is_empty() && o.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    (keystring || oid) && options
}

/// A password (symbols no name holds, with letters) or a generated token (a
/// long run of letters and digits that changes between them often, as hex and
/// base64 do and names like `password2024` do not).
fn looks_secret(t: &str) -> bool {
    let letters = t.chars().filter(char::is_ascii_alphabetic).count();
    if t.chars().any(|c| PASSWORD_SYMBOLS.contains(&c)) && letters > 0 && t.chars().count() >= 6 {
        return true;
    }
    t.split(|c: char| !c.is_ascii_alphanumeric()).any(|run| {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        let changes = run
            .as_bytes()
            .windows(2)
            .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
            .count();
        run.len() >= 16 && digits >= 3 && run.len() - digits >= 3 && changes >= 6
    })
}

/// A long value cut for the message.
fn short(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

/// The spans of the values this rule took for secrets, which renderers mask
/// in snippets as they mask BP301's.
pub fn secret_spans(diagnostics: &[Diagnostic]) -> Vec<Span> {
    diagnostics
        .iter()
        .filter(|d| d.code == META.code && d.label.as_deref() == Some(SECRET_LABEL))
        .map(|d| d.span)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_told_from_names() {
        let user = Names::UserAttribute;
        let ldap = Names::LdapAttribute;
        assert!(problem("https://app.example.com", user) == Some(Problem::Url));
        assert!(problem("{user.email}", user) == Some(Problem::Template));
        assert!(problem("%(name)s", user) == Some(Problem::Template));
        assert!(problem("cn=admins,dc=example,dc=com", ldap) == Some(Problem::Assignment));
        assert!(problem("app password", user) == Some(Problem::Spaces));
        assert!(problem("attributes.password", user) == Some(Problem::Path));
        assert!(problem("9f8e7d6c5b4a39281706f5e4d3c2b1a0", user) == Some(Problem::Secret));
        assert!(problem("hunter2!", user) == Some(Problem::Secret));
        assert!(problem("member_uid", ldap) == Some(Problem::Characters));
        for name in [
            "legacy_password",
            "appUser2024",
            "nextcloudAppPassword2024",
            "goauthentik.io/app/password",
            "basicAuthPasswordForGrafana",
        ] {
            assert!(problem(name, user).is_none(), "{name}");
        }
        for name in ["objectSid", "member", "2.5.4.31", "userCertificate;binary"] {
            assert!(problem(name, ldap).is_none(), "{name}");
        }
    }

    #[test]
    fn placeholders_and_blanks_are_not_judged() {
        for text in [
            "",
            "  ",
            "${USER_ATTR}",
            "$USER_ATTR",
            "__USER_ATTR__",
            "{{ .Values.a }}",
        ] {
            assert!(problem(text, Names::UserAttribute).is_none(), "{text}");
        }
    }
}
