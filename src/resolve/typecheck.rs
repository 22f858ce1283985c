//! How Authentik's serializers (Django REST framework fields) judge a value, from
//! what the value yields when applied. Used by BP203 (rejected or wrong values)
//! and BP209 (YAML 1.1 typing that changes a value meant as a string).

use super::yields::{Yield, yields};
use crate::knowledge::{FieldDef, StrFormat, Ty, duration};
use crate::model::{TagCall, TagParse, parse_tag};
use crate::source::Span;
use crate::yaml::{Node, Style};

/// Which rule a problem belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The serializer rejects the value, or silently changes it (BP203).
    Invalid,
    /// An unquoted scalar PyYAML types as a non-string where a string is wanted (BP209).
    Yaml11,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
    pub help: String,
    /// A suggested replacement for the text at `span`.
    pub replacement: Option<String>,
    /// Whether the replacement only quotes the value as written (a safe fix).
    pub quotes: bool,
}

/// DRF `BooleanField` accepts these strings (and 0/1).
const BOOL_STRINGS: &[&str] = &[
    "t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1", "f",
    "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0",
];

/// Check `value` against `field`; `text` is the file's text (for quoting fixes).
/// `in_identifiers`: the value is an identifier, where the importer swaps a
/// `!FindObject`'s mapping for its primary key.
pub fn check_field(
    field: &FieldDef,
    value: &Node,
    text: &str,
    in_identifiers: bool,
) -> Vec<Problem> {
    let mut out = Vec::new();
    if in_identifiers && matches!(computed_tag(value), Some(Computed::FindObject)) {
        return out;
    }
    check(
        &field.ty,
        field.nullable,
        field.name,
        value,
        text,
        &mut out,
        0,
    );
    out
}

fn invalid(out: &mut Vec<Problem>, span: Span, message: String, help: impl Into<String>) {
    out.push(Problem {
        kind: ProblemKind::Invalid,
        span,
        message,
        help: help.into(),
        replacement: None,
        quotes: false,
    });
}

fn check(
    ty: &Ty,
    nullable: bool,
    name: &str,
    node: &Node,
    text: &str,
    out: &mut Vec<Problem>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    // `!If [cond, a, b]` yields one of its branches: each must fit the field.
    if let Some(TagParse::Call(TagCall::If {
        branches: Some((when_true, when_false)),
        ..
    })) = parse_tag(node.resolved())
    {
        for branch in [when_true, when_false] {
            check(ty, nullable, name, branch, text, out, depth + 1);
        }
        return;
    }
    let got = yields(node);
    let span = node.value_span();
    if let Some(tag) = computed_tag(node)
        && let Some((what, help)) = tag_misfit(ty, tag)
    {
        invalid(out, span, format!("`{name}` {what}"), help);
        return;
    }
    match got {
        Yield::Unknown => return,
        Yield::Null => {
            if !nullable && !matches!(ty, Ty::Any) {
                invalid(
                    out,
                    span,
                    format!("`{name}` may not be null"),
                    "give it a value, or leave the key out to keep Authentik's default",
                );
            }
            return;
        }
        _ => {}
    }
    match ty {
        Ty::Any => {}
        Ty::Bool => match got {
            Yield::Bool(_) | Yield::Str(None) => {}
            Yield::Str(Some(s)) if BOOL_STRINGS.contains(&s) => {}
            Yield::Int(Some(0 | 1)) => {}
            _ => invalid(
                out,
                span,
                format!("`{name}` expects a boolean, got {}", got.describe()),
                "use `true` or `false`",
            ),
        },
        Ty::Int => match got {
            Yield::Int(_) | Yield::Pk | Yield::Str(None) => {}
            // A computed float (no text to judge) passes; a literal one only when
            // its Python text is a whole number (`10.0`, not `1.5` or `1e+16`).
            Yield::Float if node.scalar_text().is_none_or(float_is_whole) => {}
            Yield::Str(Some(s)) if is_int_text(s) => {}
            Yield::Float => invalid(
                out,
                span,
                format!(
                    "`{name}` expects an integer, got `{}`",
                    node.scalar_text().unwrap_or_default()
                ),
                "DRF's IntegerField accepts a float only when it is a whole number (`10.0`); \
                 write a whole number",
            ),
            _ => invalid(
                out,
                span,
                format!("`{name}` expects an integer, got {}", got.describe()),
                "write a whole number",
            ),
        },
        Ty::Number => match got {
            Yield::Int(_) | Yield::Float | Yield::Bool(_) | Yield::Str(None) => {}
            Yield::Str(Some(s)) if s.trim().parse::<f64>().is_ok() => {}
            _ => invalid(
                out,
                span,
                format!("`{name}` expects a number, got {}", got.describe()),
                "write a number",
            ),
        },
        Ty::Str(format) => check_string(*format, name, node, got, text, out),
        Ty::Enum(values) => check_enum(values, name, node, got, text, out),
        Ty::Array(item) => match got {
            Yield::List(Some(items)) => {
                for item_node in items {
                    check(item, false, name, item_node, text, out, depth + 1);
                }
            }
            Yield::List(None) => {}
            _ => {
                let help = if name == "redirect_uris" {
                    "since Authentik 2024.10.3 (and 2024.8.5) `redirect_uris` is a list of \
                     `{matching_mode: strict|regex, url: ...}` mappings"
                        .to_string()
                } else {
                    format!("write `{name}` as a list (`- item` lines or `[a, b]`)")
                };
                invalid(
                    out,
                    span,
                    format!("`{name}` expects a list, got {}", got.describe()),
                    help,
                );
            }
        },
        Ty::Object(fields) => match got {
            Yield::Map(Some(map)) if !fields.is_empty() => {
                for field in fields.iter().filter(|f| f.required) {
                    if map.get(field.name).is_none() {
                        invalid(
                            out,
                            map.span,
                            format!("`{name}` item lacks the required `{}`", field.name),
                            format!("add `{}: ...` to this mapping", field.name),
                        );
                    }
                }
                for pair in map.pairs() {
                    let Some(key) = pair.key.as_str() else {
                        continue;
                    };
                    if let Some(field) = fields.iter().find(|f| f.name == key) {
                        check(
                            &field.ty,
                            field.nullable,
                            key,
                            &pair.value,
                            text,
                            out,
                            depth + 1,
                        );
                    }
                }
            }
            Yield::Map(_) => {}
            _ if fields.is_empty() => {}
            _ => invalid(
                out,
                span,
                format!("`{name}` expects a mapping, got {}", got.describe()),
                "write it as `key: value` pairs",
            ),
        },
    }
}

/// What DRF's `IntegerField` accepts as text: `int()` of the text after a
/// trailing `.`, `.0...` and whitespace are cut off (`"5.00 "` is 5).
fn is_int_text(s: &str) -> bool {
    python_int(strip_zero_fraction(s))
}

/// DRF's `\.0*\s*$` cut, applied once at the end of the text.
fn strip_zero_fraction(s: &str) -> &str {
    let body = s.trim_end_matches(char::is_whitespace);
    let body = body.trim_end_matches('0');
    match body.strip_suffix('.') {
        Some(rest) => rest,
        None => s,
    }
}

/// Python's `int()` on a string: surrounding whitespace, an optional sign, and
/// decimal digits with single underscores between them.
fn python_int(s: &str) -> bool {
    let t = s.trim();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty()
        && !t.starts_with('_')
        && !t.ends_with('_')
        && !t.contains("__")
        && t.chars().all(|c| c.is_ascii_digit() || c == '_')
}

/// Whether DRF's `IntegerField` takes this YAML float: it converts `str(value)`,
/// which is `10.0` for whole numbers below 1e16 and `1.5` or `1e+16` otherwise.
fn float_is_whole(text: &str) -> bool {
    yaml_float(text).is_some_and(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16)
}

/// The value PyYAML's float constructor gives a scalar: `_` removed, `.inf` and
/// `.nan`, base-60 `1:30.5`, else Python's `float()`.
fn yaml_float(text: &str) -> Option<f64> {
    let value = text.replace('_', "").to_ascii_lowercase();
    let (sign, body) = match value.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, value.strip_prefix('+').unwrap_or(&value)),
    };
    match body {
        ".inf" => return Some(sign * f64::INFINITY),
        ".nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.contains(':') {
        let mut total = 0.0;
        for part in body.split(':') {
            total = total * 60.0 + part.parse::<f64>().ok()?;
        }
        return Some(sign * total);
    }
    body.parse::<f64>().ok().map(|f| sign * f)
}

fn check_string(
    format: StrFormat,
    name: &str,
    node: &Node,
    got: Yield<'_>,
    text: &str,
    out: &mut Vec<Problem>,
) {
    let span = node.value_span();
    match got {
        Yield::Str(Some(s)) => check_format(format, name, s, span, out),
        Yield::Str(None) | Yield::Pk => {}
        Yield::Int(_) | Yield::Float | Yield::Bool(_) | Yield::Timestamp => {
            yaml11(name, node, got, text, out);
        }
        Yield::List(_) | Yield::Map(_) => invalid(
            out,
            span,
            format!("`{name}` expects a string, got {}", got.describe()),
            "write a single string value",
        ),
        Yield::Null | Yield::Unknown => {}
    }
}

fn check_format(format: StrFormat, name: &str, s: &str, span: Span, out: &mut Vec<Problem>) {
    match format {
        StrFormat::Plain | StrFormat::Uri => {}
        StrFormat::Uuid => {
            if !is_uuid(s) {
                invalid(
                    out,
                    span,
                    format!("`{name}` expects a primary key (UUID), got `{s}`"),
                    format!(
                        "reference the object instead of naming it, e.g. \
                         `{name}: !Find [app_label.model, [slug, {s}]]` or `!KeyOf entry-id`"
                    ),
                );
            }
        }
        StrFormat::Slug => {
            if s.is_empty()
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                invalid(
                    out,
                    span,
                    format!("`{name}` must be a slug (letters, digits, `-`, `_`), got `{s}`"),
                    "use only ASCII letters, digits, hyphens and underscores",
                );
            }
        }
        StrFormat::Duration => match duration::parse(s) {
            Err(why) => invalid(
                out,
                span,
                format!("`{name}: {s}` is not a valid duration: {why}"),
                "write `key=value` pairs joined by `;` without spaces, with the keys weeks, days, \
                 hours, minutes, seconds, milliseconds and microseconds (e.g. \
                 `hours=1;minutes=30`)",
            ),
            Ok(parsed) if !parsed.ignored.is_empty() => {
                let fixed = s.split(';').map(str::trim).collect::<Vec<_>>().join(";");
                let fixable = duration::parse(&fixed).is_ok_and(|d| d.ignored.is_empty());
                out.push(Problem {
                    kind: ProblemKind::Invalid,
                    span,
                    message: format!(
                        "Authentik silently ignores {} in `{name}: {s}`",
                        parsed.ignored_list()
                    ),
                    help:
                        "keys are not trimmed and unknown keys are skipped: write no space after \
                           `;` and use weeks, days, hours, minutes, seconds, milliseconds or \
                           microseconds"
                            .into(),
                    replacement: fixable.then_some(fixed),
                    quotes: false,
                });
            }
            Ok(_) => {}
        },
    }
}

fn check_enum(
    values: &[&str],
    name: &str,
    node: &Node,
    got: Yield<'_>,
    text: &str,
    out: &mut Vec<Problem>,
) {
    let span = node.value_span();
    let raw = match got {
        Yield::Str(Some(s)) => s.to_string(),
        Yield::Int(Some(i)) => i.to_string(),
        Yield::Bool(_) | Yield::Int(None) | Yield::Float | Yield::Timestamp => {
            let written = node.scalar().map(|s| s.value.as_str()).unwrap_or("");
            if values.contains(&written) {
                yaml11(name, node, got, text, out);
                return;
            }
            written.to_string()
        }
        Yield::Str(None) | Yield::Pk | Yield::Null | Yield::Unknown => return,
        Yield::List(_) | Yield::Map(_) => {
            invalid(
                out,
                span,
                format!(
                    "`{name}` expects one of {}, got {}",
                    list(values),
                    got.describe()
                ),
                "write one of the allowed values",
            );
            return;
        }
    };
    if values.contains(&raw.as_str()) {
        return;
    }
    let near = crate::suggest::closest(&raw, values.iter().copied());
    out.push(Problem {
        kind: ProblemKind::Invalid,
        span,
        message: format!("`{name}: {raw}` is not one of {}", list(values)),
        help: match near {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("use one of {}", list(values)),
        },
        replacement: near.map(str::to_string),
        quotes: false,
    });
}

fn list(values: &[&str]) -> String {
    const SHOWN: usize = 8;
    let shown: Vec<String> = values
        .iter()
        .take(SHOWN)
        .map(|v| format!("`{v}`"))
        .collect();
    if values.len() > SHOWN {
        format!("{}, ... ({} values)", shown.join(", "), values.len())
    } else {
        shown.join(", ")
    }
}

/// A plain scalar meant as a string that PyYAML reads as something else. Only the
/// surprising ones: `5` stays "5" once the serializer coerces it, `0755` does not.
fn yaml11(name: &str, node: &Node, got: Yield<'_>, text: &str, out: &mut Vec<Problem>) {
    let Some(scalar) = node.scalar() else { return };
    if scalar.style != Style::Plain || node.tag().is_some() {
        return;
    }
    let written = scalar.value.as_str();
    let (became, rejected) = match got {
        Yield::Bool(b) => (
            format!("the boolean {}", if b { "true" } else { "false" }),
            true,
        ),
        Yield::Timestamp => ("a date".to_string(), true),
        Yield::Int(Some(i)) if i.to_string() != written => (format!("the integer {i}"), false),
        Yield::Int(None) => return,
        Yield::Float if !is_plain_decimal(written) => (format!("the float {written}"), false),
        _ => return,
    };
    // Reached through an alias (`*perm`), the text to quote is the anchored
    // value's, never the alias.
    let value = node.resolved().value_span();
    let source = text.get(value.start..value.end).unwrap_or(written);
    let quoted = if source.contains('"') {
        format!("'{source}'")
    } else {
        format!("\"{source}\"")
    };
    let consequence = if rejected {
        "the serializer rejects it (\"Not a valid string\")"
    } else {
        "the serializer stores its decimal text instead"
    };
    // A boolean or a date fails the import: that is BP203's (an error); a number
    // loads as other text, the surprise BP209 is for.
    out.push(Problem {
        kind: if rejected {
            ProblemKind::Invalid
        } else {
            ProblemKind::Yaml11
        },
        quotes: true,
        span: node.value_span(),
        message: format!("`{name}: {written}` is {became} for PyYAML, not the string `{written}`"),
        help: format!("quote it: `{name}: {quoted}`; unquoted, {consequence}"),
        replacement: Some(quoted),
    });
}

/// `1.5` prints back as itself; `1.50`, `.5` or `1_0.0` do not.
fn is_plain_decimal(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let Some((int, frac)) = body.split_once('.') else {
        return false;
    };
    !int.is_empty()
        && !frac.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && (frac == "0" || !frac.ends_with('0'))
}

/// What Python's `uuid.UUID()` accepts: 32 hex digits, with optional hyphens,
/// braces and `urn:uuid:` prefix.
pub fn is_uuid(s: &str) -> bool {
    let s = s.strip_prefix("urn:uuid:").unwrap_or(s);
    let s = s.trim_start_matches('{').trim_end_matches('}');
    let hex: String = s.chars().filter(|&c| c != '-').collect();
    hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_parse_like_python() {
        assert!(is_uuid("f1f4a6e2-8d5f-4c8a-9f36-2e9a4e2d8c11"));
        assert!(is_uuid("F1F4A6E28D5F4C8A9F362E9A4E2D8C11"));
        assert!(!is_uuid("default-authentication-flow"));
    }

    #[test]
    fn integer_text_reads_as_drf_does() {
        for ok in ["5", " 5 ", "+5", "1_000", "5.", "5.0", "5.00 ", "-3"] {
            assert!(is_int_text(ok), "{ok:?}");
        }
        for bad in ["1.5", "5.01", "1__0", "_1", "0x10", "", "1e3", "five"] {
            assert!(!is_int_text(bad), "{bad:?}");
        }
    }

    #[test]
    fn floats_pass_an_integer_field_when_whole() {
        assert!(float_is_whole("10.0"));
        assert!(float_is_whole("1.0e+3"));
        assert!(float_is_whole("1:30.0"));
        assert!(!float_is_whole("1.5"));
        assert!(!float_is_whole("1.0e+16"));
        assert!(!float_is_whole(".inf"));
        assert!(!float_is_whole(".nan"));
    }

    #[test]
    fn plain_decimals_print_back_unchanged() {
        assert!(is_plain_decimal("1.5"));
        assert!(is_plain_decimal("10.0"));
        assert!(!is_plain_decimal("1.50"));
        assert!(!is_plain_decimal(".5"));
    }
}

/// The tag whose result is a value of a fixed kind: `!Condition` (a boolean)
/// and `!FindObject` (the object's data, a mapping).
#[derive(Clone, Copy)]
enum Computed {
    Condition,
    FindObject,
}

fn computed_tag(node: &Node) -> Option<Computed> {
    match parse_tag(node.resolved())? {
        TagParse::Call(TagCall::Condition { .. }) => Some(Computed::Condition),
        TagParse::Call(TagCall::Find { object: true, .. }) => Some(Computed::FindObject),
        _ => None,
    }
}

/// What is wrong with a computed tag's result for a field of type `ty`, with help;
/// `None` when it fits (or the field takes anything).
fn tag_misfit(ty: &Ty, tag: Computed) -> Option<(String, String)> {
    match (tag, ty) {
        (Computed::Condition, Ty::Str(_) | Ty::Enum(_)) => Some((
            "expects a string, but `!Condition` yields a boolean".into(),
            "DRF's CharField refuses a boolean; use `!If [condition, \"text if true\", \"text if false\"]` to pick a string"
                .into(),
        )),
        (Computed::FindObject, Ty::Str(StrFormat::Uuid) | Ty::Int) => Some((
            "expects a primary key, but `!FindObject` yields the object's data (a mapping)".into(),
            "use `!Find` with the same arguments: it yields the primary key".into(),
        )),
        _ => None,
    }
}
