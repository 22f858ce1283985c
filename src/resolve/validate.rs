//! The field validators Authentik's serializers run once a value has the right
//! type (BP217): DRF's `CharField` blank and length checks, integer bounds, and
//! Django's URL, e-mail and pattern validators, run as the recorded release's
//! serializer builds them (`knowledge::serializers`).
//!
//! What DRF does, in order (rest_framework/fields.py, `CharField.run_validation`
//! and `to_internal_value` at DRF 3.16): an empty text, or one that is blank once
//! trimmed, fails `blank` unless the field allows it; otherwise the text is
//! trimmed, then every validator runs on the trimmed text. A value a deploy tool
//! fills in before the apply (`${DOMAIN}`, `__DOMAIN__`, `{{ domain }}`) is not
//! known yet, so it is never judged.

use super::pyregex;
use super::yields::{Yield, yields};
use crate::knowledge::serializers::{FieldCheck, Validator};
use crate::source::Span;
use crate::yaml::Node;

/// A value the serializer refuses.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub span: Span,
    /// DRF's error code (`max_length`, `blank`, `invalid`, `min_value`, ...).
    pub code: &'static str,
    pub message: String,
    pub help: String,
}

/// Every refusal of `value` for `field` (its items too, for a list).
/// `own_release`: the facts were recorded at the release judged, not borrowed
/// from a neighbour; lists of choices (permissions) change with every release,
/// so they are judged only then.
pub fn check(
    field_name: &str,
    field: &FieldCheck,
    value: &Node,
    own_release: bool,
) -> Vec<Refusal> {
    let mut out = Vec::new();
    if (field.class.ends_with("JSONField") || field.class == "JSONDictField")
        && let Some((node, what)) = first_non_json(value, 0)
    {
        let text = node.scalar_text().unwrap_or_default();
        refuse(
            &mut out,
            node.value_span(),
            "invalid",
            format!("`{field_name}` must hold JSON, and `{text}` is {what} for PyYAML"),
            "quote it to keep it as text".into(),
        );
    }
    match (yields(value), field.child) {
        (Yield::List(Some(items)), Some(child)) => {
            if own_release || child.choices.is_empty() {
                for item in items {
                    check_one(field_name, child, item, &mut out);
                }
            }
        }
        _ => check_one(field_name, field, value, &mut out),
    }
    out
}

fn check_one(name: &str, field: &FieldCheck, node: &Node, out: &mut Vec<Refusal>) {
    let span = node.value_span();
    let got = yields(node);
    if field
        .validators
        .iter()
        .any(|v| matches!(v, Validator::Dict))
        && matches!(
            got,
            Yield::List(_)
                | Yield::Str(_)
                | Yield::Int(_)
                | Yield::Float
                | Yield::Bool(_)
                | Yield::Timestamp
        )
    {
        refuse(
            out,
            span,
            "invalid",
            format!("`{name}` must be a mapping, not {}", got.describe()),
            "write it as `key: value` pairs (or `{}` for none)".into(),
        );
        return;
    }
    match got {
        Yield::Str(Some(s)) if field.text || !field.choices.is_empty() => {
            check_text(name, field, s, span, out)
        }
        Yield::Int(Some(i)) if field.text => check_text(name, field, &i.to_string(), span, out),
        Yield::Int(value) if !field.text => check_int(name, field, value, span, out),
        Yield::Str(Some(s)) if !field.text && field.class == "IntegerField" => {
            if let Ok(i) = s.trim().parse::<i64>() {
                check_int(name, field, Some(i), span, out);
            }
        }
        _ => {}
    }
}

/// The first value inside `node` that JSON has no form for, and what it is:
/// a date, an infinite or NaN float (DRF's `JSONField` checks the value with its
/// own `json.dumps`, which sets `allow_nan=False`: rest_framework/utils/json.py),
/// binary data or a set.
fn first_non_json(node: &Node, depth: usize) -> Option<(&Node, &'static str)> {
    if depth > 32 {
        return None;
    }
    let node = node.resolved();
    match node.tag().and_then(|t| t.core_name()) {
        Some("binary") => return Some((node, "binary data")),
        Some("set") => return Some((node, "a set")),
        _ => {}
    }
    if crate::model::parse_tag(node).is_some() {
        return None;
    }
    match yields(node) {
        Yield::Timestamp => Some((node, "a date")),
        Yield::Float if node.scalar_text().is_some_and(not_finite) => {
            Some((node, "a float JSON cannot hold"))
        }
        Yield::List(Some(items)) => items.iter().find_map(|i| first_non_json(i, depth + 1)),
        Yield::Map(Some(map)) => map
            .pairs()
            .find_map(|p| first_non_json(&p.value, depth + 1)),
        _ => None,
    }
}

/// Whether a YAML float's text is an infinity or NaN (`.inf`, `-.Inf`, `.nan`,
/// and, with an explicit `!!float` tag, Python's `infinity` and `nan`).
fn not_finite(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase().replace('_', "");
    let t = t.trim_start_matches(['+', '-']);
    matches!(t, ".inf" | "inf" | "infinity" | ".nan" | "nan")
}

/// Whether a deploy tool replaces part of the text before Authentik reads it:
/// Flux's `${VAR}`, `__VAR__` tokens, Helm/Jinja `{{ }}`.
pub fn is_substituted(s: &str) -> bool {
    if super::yields::is_template(s) {
        return true;
    }
    let bytes = s.as_bytes();
    if let Some(open) = s.find("${")
        && bytes[open + 2..].contains(&b'}')
    {
        return true;
    }
    // `__NAME__`: two underscores, an upper-case name, two underscores.
    let mut rest = s;
    while let Some(start) = rest.find("__") {
        let after = &rest[start + 2..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        let name = after[..name_len].trim_end_matches('_');
        if !name.is_empty()
            && name.as_bytes()[0].is_ascii_uppercase()
            && after[name.len()..].starts_with("__")
        {
            return true;
        }
        rest = after;
    }
    false
}

fn refuse(out: &mut Vec<Refusal>, span: Span, code: &'static str, message: String, help: String) {
    out.push(Refusal {
        span,
        code,
        message,
        help,
    });
}

fn check_text(name: &str, field: &FieldCheck, raw: &str, span: Span, out: &mut Vec<Refusal>) {
    let blank = raw.is_empty() || (field.trim && raw.trim().is_empty());
    if blank {
        if !field.allow_blank {
            refuse(
                out,
                span,
                "blank",
                format!("`{name}` may not be blank"),
                "give it a value, or leave the key out to keep Authentik's default".into(),
            );
        }
        return;
    }
    if is_substituted(raw) {
        return;
    }
    let value = if field.trim { raw.trim() } else { raw };
    if !field.choices.is_empty() && field.choices.binary_search(&value).is_err() {
        let near = crate::suggest::closest(value, field.choices.iter().copied());
        refuse(
            out,
            span,
            "invalid_choice",
            format!(
                "`{value}` is not one of the {} values `{name}` takes",
                field.choices.len()
            ),
            match near {
                Some(near) => format!("did you mean `{near}`?"),
                None => "permissions are written `app_label.codename`, like \
                         `authentik_core.view_user`"
                    .into(),
            },
        );
        return;
    }
    // Python counts characters, not bytes.
    let length = value.chars().count();
    if let Some(max) = field.max_length.filter(|max| length > *max as usize) {
        refuse(
            out,
            span,
            "max_length",
            format!("`{name}` is {length} characters long; Authentik allows at most {max}"),
            format!("shorten it to {max} characters or fewer"),
        );
    }
    if let Some(min) = field.min_length.filter(|min| length < *min as usize) {
        refuse(
            out,
            span,
            "min_length",
            format!("`{name}` is {length} characters long; Authentik needs at least {min}"),
            format!("make it {min} characters or longer"),
        );
    }
    for validator in field.validators {
        if let Some((message, help)) = run(validator, name, value) {
            refuse(out, span, "invalid", message, help);
        }
    }
}

fn check_int(
    name: &str,
    field: &FieldCheck,
    value: Option<i64>,
    span: Span,
    out: &mut Vec<Refusal>,
) {
    // `None`: beyond 64 bits, so beyond any bound a column has.
    let (low, high) = match value {
        Some(v) => (
            field.min_value.is_some_and(|m| v < m),
            field.max_value.is_some_and(|m| v > m),
        ),
        None => (false, field.max_value.is_some()),
    };
    let shown = value.map_or_else(|| "a number beyond 64 bits".to_string(), |v| v.to_string());
    if low {
        let min = field.min_value.unwrap_or_default();
        refuse(
            out,
            span,
            "min_value",
            format!("`{name}: {shown}` is below {min}, the smallest value Authentik accepts"),
            format!("use {min} or more"),
        );
    }
    if high {
        let max = field.max_value.unwrap_or_default();
        refuse(
            out,
            span,
            "max_value",
            format!("`{name}: {shown}` is above {max}, the largest value Authentik accepts"),
            format!("use {max} or less"),
        );
    }
}

/// One validator on a trimmed, non-blank text: `Some((message, help))` when it
/// refuses the value.
fn run(validator: &Validator, name: &str, value: &str) -> Option<(String, String)> {
    match validator {
        Validator::Url {
            class,
            domainless,
            schemes,
            pattern,
            flags,
            max_length,
        } => {
            // Authentik's LDAP source takes several URLs joined by `,` (each checked
            // as written, untrimmed: authentik/sources/ldap/models.py).
            let parts: Vec<&str> = if class.ends_with("MultiURLValidator") {
                value.split(',').collect()
            } else {
                vec![value]
            };
            let why = parts
                .iter()
                .find_map(|part| url_problem(schemes, pattern, flags, *max_length, part))?;
            let help = if *domainless {
                format!(
                    "write a full URL with one of the schemes {}; a host without a domain \
                     (`http://grafana:3000`) is fine here",
                    list(schemes)
                )
            } else {
                format!(
                    "write a full URL with one of the schemes {} and a host name with a \
                     domain (or `localhost`, or an IP address)",
                    list(schemes)
                )
            };
            Some((
                format!("`{name}: {value}` is not a URL Authentik accepts: {why}"),
                help,
            ))
        }
        Validator::Email {
            user,
            domain,
            literal,
            flags,
            allowlist,
        } => (!email_ok(user, domain, literal, flags, allowlist, value)?).then(|| {
            (
                format!("`{name}: {value}` is not an e-mail address Authentik accepts"),
                "write an address like `name@example.com`".to_string(),
            )
        }),
        Validator::Regex {
            class,
            pattern,
            flags,
            inverse,
        } => {
            let found = pyregex::finds(pattern, flags, false, value)?;
            (found == *inverse).then(|| {
                let what =
                    if class.ends_with("validate_slug") || pattern.starts_with("^[-a-zA-Z0-9_]") {
                        "a slug: letters, digits, `-` and `_`".to_string()
                    } else if *inverse {
                        format!("text without a match for `{pattern}`")
                    } else {
                        format!("text matching `{pattern}`")
                    };
                (
                    format!("`{name}: {value}` is refused: Authentik accepts only {what}"),
                    "change the value to fit that pattern".to_string(),
                )
            })
        }
        Validator::NoNullCharacters => value.contains('\0').then(|| {
            (
                format!("`{name}` holds a NUL character"),
                "remove the `\\0` character".to_string(),
            )
        }),
        Validator::NoSpace => value.contains(' ').then(|| {
            (
                format!("`{name}: {value}` holds a space, which Authentik refuses here"),
                "remove the spaces (a scope name is one word, like `groups` or `profile`)"
                    .to_string(),
            )
        }),
        Validator::IpAddress => value.parse::<std::net::IpAddr>().is_err().then(|| {
            (
                format!("`{name}: {value}` is not an IPv4 or IPv6 address"),
                "write an address like `192.0.2.10` or `2001:db8::1`".to_string(),
            )
        }),
        Validator::Dict => None,
    }
}

fn list(values: &[&str]) -> String {
    values
        .iter()
        .filter(|s| **s != "blank")
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why Django's `URLValidator.__call__` (django/core/validators.py, Django 5.2)
/// refuses `value`, or `None` when it accepts it (or the pattern cannot run here).
fn url_problem(
    schemes: &[&str],
    pattern: &'static str,
    flags: &'static str,
    max_length: u32,
    value: &str,
) -> Option<String> {
    if value.chars().count() > max_length as usize {
        return Some(format!("longer than {max_length} characters"));
    }
    if value.contains(['\t', '\r', '\n']) {
        return Some("it holds a tab or line break".into());
    }
    let scheme = value.split("://").next().unwrap_or_default().to_lowercase();
    if !schemes.contains(&scheme.as_str()) {
        return Some(if value.contains("://") {
            format!("the scheme `{scheme}` is not allowed")
        } else {
            "it has no scheme (`https://...`)".into()
        });
    }
    let netloc = value
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default())
        .unwrap_or_default();
    // urlsplit refuses unbalanced brackets in the network location.
    if netloc.contains('[') != netloc.contains(']') {
        return Some("the host's brackets are unbalanced".into());
    }
    if !pyregex::finds(pattern, flags, false, value)? {
        return Some("the host or port is not valid".into());
    }
    let host_port = netloc.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(rest) => {
            let inner = rest.split(']').next().unwrap_or_default();
            if inner.parse::<std::net::Ipv6Addr>().is_err() {
                return Some(format!("`[{inner}]` is not an IPv6 address"));
            }
            inner
        }
        None => host_port.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() || host.chars().count() > 253 {
        return Some("the host name is empty or longer than 253 characters".into());
    }
    None
}

/// Django's `EmailValidator.__call__` (django/core/validators.py, Django 5.2);
/// `None` when a pattern cannot run here.
fn email_ok(
    user: &'static str,
    domain: &'static str,
    literal: &'static str,
    flags: &'static str,
    allowlist: &[&str],
    value: &str,
) -> Option<bool> {
    if value.is_empty() || !value.contains('@') || value.chars().count() > 320 {
        return Some(false);
    }
    let (user_part, domain_part) = value.rsplit_once('@')?;
    if !pyregex::finds(user, flags, true, user_part)? {
        return Some(false);
    }
    if allowlist.contains(&domain_part) || pyregex::finds(domain, flags, true, domain_part)? {
        return Some(true);
    }
    if pyregex::finds(literal, flags, true, domain_part)? {
        let inner = domain_part.trim_start_matches('[').trim_end_matches(']');
        return Some(inner.parse::<std::net::IpAddr>().is_ok());
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deploy_tool_placeholders_are_unknown() {
        for s in [
            "https://${DOMAIN}/x",
            "__DOMAIN__",
            "https://__HOST__:3000",
            "{{ .Values.x }}",
        ] {
            assert!(is_substituted(s), "{s}");
        }
        for s in [
            "https://example.com",
            "__init__",
            "a__b",
            "$HOME",
            "my_value__",
        ] {
            assert!(!is_substituted(s), "{s}");
        }
    }
}
