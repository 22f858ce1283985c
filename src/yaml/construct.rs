//! Explicit standard tags (`!!int x`, `!!set [a]`) as PyYAML's `SafeConstructor`
//! builds them (constructor.py, the `construct_yaml_*` methods). A tag the node
//! cannot be built with stops the whole load, so the importer refuses the file:
//! these are syntax errors (BP001), not type findings.
//!
//! The scalar constructors call Python's `int()`, `float()` and
//! `base64.decodebytes`; the helpers below follow those for ASCII input (Python
//! also takes other Unicode digits, which no blueprint writes). The verdicts are
//! checked against PyYAML in `tests/data/pyyaml_core_tags.tsv`.

use super::node::Kind;
use super::typing::{ScalarType, resolve_plain, timestamp_problem};
use regex::Regex;
use std::sync::LazyLock;

/// Why SafeLoader cannot build `node` with the standard tag `core` (the suffix
/// after `!!`); `None` when it can. `is_key`: a mapping key, where `!!merge`
/// marks a merge key rather than a value to build.
pub fn problem(core: &str, kind: &Kind, is_key: bool) -> Option<String> {
    let found = match kind {
        // The anchored node was checked where it stands.
        Kind::Alias(_) => return None,
        Kind::Seq(_) => "a sequence",
        Kind::Map(_) => "a mapping",
        Kind::Scalar(_) => "a scalar",
    };
    let needs = |what: &str| format!("`!!{core}` needs {what}, found {found}");
    match (core, kind) {
        ("null" | "str", Kind::Scalar(_)) => None,
        ("bool" | "int" | "float" | "binary" | "timestamp", Kind::Scalar(s)) => {
            let problem = scalar_problem(core, &s.value)?;
            Some(format!(
                "PyYAML cannot build `!!{core}` from `{}`: {problem}",
                s.value
            ))
        }
        ("null" | "str" | "bool" | "int" | "float" | "binary" | "timestamp", _) => {
            Some(needs("a scalar"))
        }
        ("seq", Kind::Seq(_)) | ("map" | "set", Kind::Map(_)) => None,
        ("seq", _) => Some(needs("a sequence")),
        ("map" | "set", _) => Some(needs("a mapping")),
        ("omap" | "pairs", Kind::Seq(items))
            if items.iter().all(
                |item| matches!(&item.resolved().kind, Kind::Map(pairs) if pairs.len() == 1),
            ) =>
        {
            None
        }
        ("omap" | "pairs", _) => Some(format!(
            "`!!{core}` needs a sequence of one-pair mappings (`[{{a: 1}}, {{b: 2}}]`)"
        )),
        // On a key, `merge` merges and `value` is read as a string
        // (`flatten_mapping`); as anything else neither has a constructor.
        ("merge" | "value", _) if is_key => None,
        ("merge" | "value", _) => Some(format!(
            "PyYAML's SafeLoader has no constructor for `!!{core}`"
        )),
        // Other `!!` tags are BP004's.
        _ => None,
    }
}

/// Why the constructor of the scalar tag `core` (`bool`, `int`, `float`,
/// `binary`, `timestamp`) fails on `value`; `None` when it builds, or for
/// another tag. Implicitly typed scalars go through the same constructors.
fn scalar_problem(core: &str, value: &str) -> Option<String> {
    match core {
        "bool" => bool_problem(value),
        "int" => int_problem(value),
        "float" => float_problem(value),
        "binary" => binary_problem(value),
        "timestamp" => timestamp_text_problem(value),
        _ => None,
    }
}

/// What a plain, untagged scalar reads as for PyYAML's resolver when its
/// constructor then cannot build it: a date `datetime` refuses (`2025-02-29`)
/// or an int `int()` refuses (`0b_`), with the reason.
pub fn implicit_problem(value: &str) -> Option<(&'static str, String)> {
    // Cheap tests first, as every plain scalar passes here: every timestamp has
    // a `-` after its four-digit year, and an int the resolver accepts fails
    // only when dropping its underscores leaves no digits.
    let maybe_date = value.len() >= 8 && value.as_bytes()[4] == b'-';
    if !maybe_date && !value.contains('_') {
        return None;
    }
    match resolve_plain(value) {
        ScalarType::Timestamp => timestamp_problem(value).map(|p| ("a date", p)),
        ScalarType::Int => int_problem(value).map(|p| ("an integer", p)),
        _ => None,
    }
}

fn bool_problem(value: &str) -> Option<String> {
    let known = ["yes", "no", "true", "false", "on", "off"];
    (!known.contains(&value.to_lowercase().as_str()))
        .then(|| "a bool is one of yes, no, true, false, on, off".into())
}

/// `construct_yaml_int`: underscores dropped, one sign taken off, then `0b`,
/// `0x`, a leading `0` (octal) or `:` (base 60) choose how `int()` reads it.
fn int_problem(value: &str) -> Option<String> {
    let digits: String = value.chars().filter(|&c| c != '_').collect();
    let unsigned = digits.strip_prefix(['-', '+']).unwrap_or(&digits);
    let fine = if unsigned.is_empty() {
        false
    } else if unsigned == "0" {
        true
    } else if let Some(bin) = unsigned.strip_prefix("0b") {
        python_int(bin, 2)
    } else if let Some(hex) = unsigned.strip_prefix("0x") {
        python_int(hex, 16)
    } else if unsigned.starts_with('0') {
        python_int(unsigned, 8)
    } else if unsigned.contains(':') {
        unsigned.split(':').all(|part| python_int(part, 10))
    } else {
        python_int(unsigned, 10)
    };
    (!fine).then(|| "not an integer".into())
}

/// Python's `int(text, base)`: surrounding whitespace, one sign, the base's own
/// prefix (`0o17` in base 8), then at least one digit of the base.
fn python_int(text: &str, base: u32) -> bool {
    let text = text.trim();
    let text = text.strip_prefix(['-', '+']).unwrap_or(text);
    let prefix = match base {
        2 => Some("0b"),
        8 => Some("0o"),
        16 => Some("0x"),
        _ => None,
    };
    let text = prefix
        .and_then(|p| {
            text.get(..2)
                .filter(|head| head.eq_ignore_ascii_case(p))
                .map(|_| &text[2..])
        })
        .unwrap_or(text);
    !text.is_empty() && text.chars().all(|c| c.is_digit(base))
}

/// `construct_yaml_float`: underscores dropped, lower-cased, one sign taken off,
/// `.inf`/`.nan` or base 60 or Python's `float()`.
fn float_problem(value: &str) -> Option<String> {
    let text: String = value
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_lowercase();
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(&text);
    let fine = if text.is_empty() {
        false
    } else if unsigned == ".inf" || unsigned == ".nan" {
        true
    } else if unsigned.contains(':') {
        unsigned.split(':').all(python_float)
    } else {
        python_float(unsigned)
    };
    (!fine).then(|| "not a number".into())
}

/// Python's `float(text)` for ASCII: Rust's parser takes the same forms (`inf`,
/// `infinity`, `nan`, `1.`, `.5`, `1e5`, one sign) once the whitespace Python
/// allows around the number is trimmed.
fn python_float(text: &str) -> bool {
    text.trim().parse::<f64>().is_ok()
}

/// `base64.decodebytes` (binascii's lenient `a2b_base64`): characters outside
/// the alphabet are skipped, `=` ends the data once it completes a group of
/// four, and the data left over must not be one character (or two or three
/// without their padding) past a group of four.
fn binary_problem(value: &str) -> Option<String> {
    if !value.is_ascii() {
        return Some("base64 text is ASCII".into());
    }
    let mut quad = 0u32;
    let mut pads = 0u32;
    for b in value.bytes() {
        if b == b'=' {
            if quad >= 2 {
                pads += 1;
                if quad + pads >= 4 {
                    return None;
                }
            }
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/') {
            continue;
        }
        pads = 0;
        quad = (quad + 1) % 4;
    }
    match quad {
        0 => None,
        1 => Some("the base64 data is one character more than a multiple of four".into()),
        _ => Some("incorrect base64 padding".into()),
    }
}

/// `construct_yaml_timestamp` matches its own pattern (a date with one- or
/// two-digit month and day, optionally a time with seconds) and then builds a
/// `date` or `datetime`, which checks the ranges.
fn timestamp_text_problem(value: &str) -> Option<String> {
    static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::expect_used, reason = "a constant pattern")]
        Regex::new(
            r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$",
        )
        .expect("the timestamp pattern compiles")
    });
    if !TIMESTAMP.is_match(value) {
        return Some("not a date (YYYY-MM-DD) or a date and time with seconds".into());
    }
    timestamp_problem(value)
}

#[cfg(test)]
mod tests {
    use crate::yaml::parse;

    /// Every row of the table PyYAML produced (see its header): bplint's parse
    /// must refuse exactly the rows PyYAML refused.
    #[test]
    fn agrees_with_pyyaml_on_the_reference_table() {
        let table = include_str!("../../tests/data/pyyaml_core_tags.tsv");
        let mut rows = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(tag), Some(value), Some(verdict)) = (cols.next(), cols.next(), cols.next())
            else {
                panic!("three columns: {line:?}");
            };
            let text = format!("k: !!{tag} {value}\n");
            let ours = parse(&text).is_ok();
            assert_eq!(
                ours,
                verdict == "ok",
                "PyYAML says {verdict} for {text:?}, bplint {}",
                if ours { "loads it" } else { "refuses it" }
            );
            rows += 1;
        }
        assert!(rows > 1000, "the table has {rows} rows");
    }

    #[test]
    fn explicit_tags_on_keys_are_built_too() {
        assert!(parse("!!int x: 1\n").is_err());
        assert!(parse("!!int 1: 1\n").is_ok());
        assert!(parse("? !!set [a]\n: 1\n").is_err());
    }
}
