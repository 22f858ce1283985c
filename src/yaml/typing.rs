//! YAML 1.1 scalar typing exactly as PyYAML's `SafeLoader` does it.
//!
//! Authentik loads blueprints with PyYAML, so `on` is a bool, `0755` an octal int and
//! `1e3` a string. These are PyYAML's implicit resolvers (resolver.py), tried only for
//! their listed first characters and in PyYAML's order.

use regex::Regex;
use std::sync::LazyLock;

/// The type PyYAML gives a plain (unquoted, untagged) scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarType {
    Null,
    Bool(bool),
    Int,
    Float,
    Timestamp,
    Str,
    /// `<<`, a merge key.
    Merge,
    /// `=`: PyYAML resolves it to `tag:yaml.org,2002:value`, which SafeLoader
    /// cannot construct, so the load fails.
    Value,
}

#[allow(
    clippy::expect_used,
    reason = "a constant pattern, covered by the unit tests"
)]
static FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?",
        r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?",
        r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*",
        r"|[-+]?\.(?:inf|Inf|INF)",
        r"|\.(?:nan|NaN|NAN))$"
    ))
    .expect("static regex")
});

#[allow(
    clippy::expect_used,
    reason = "a constant pattern, covered by the unit tests"
)]
static INT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[-+]?0b[0-1_]+",
        r"|[-+]?0[0-7_]+",
        r"|[-+]?(?:0|[1-9][0-9_]*)",
        r"|[-+]?0x[0-9a-fA-F_]+",
        r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"
    ))
    .expect("static regex")
});

#[allow(
    clippy::expect_used,
    reason = "a constant pattern, covered by the unit tests"
)]
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]",
        r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?",
        r"(?:[Tt]|[ \t]+)[0-9][0-9]?",
        r":[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?",
        r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"
    ))
    .expect("static regex")
});

/// Resolve a plain scalar's type.
pub fn resolve_plain(text: &str) -> ScalarType {
    let Some(first) = text.chars().next() else {
        return ScalarType::Null;
    };
    match first {
        'y' | 'Y' | 'n' | 'N' | 't' | 'T' | 'f' | 'F' | 'o' | 'O' => {
            if let Some(b) = bool_value(text) {
                return ScalarType::Bool(b);
            }
            if matches!(text, "null" | "Null" | "NULL") {
                return ScalarType::Null;
            }
            ScalarType::Str
        }
        '~' if text == "~" => ScalarType::Null,
        '<' if text == "<<" => ScalarType::Merge,
        '=' if text == "=" => ScalarType::Value,
        '-' | '+' | '.' | '0'..='9' => {
            if FLOAT.is_match(text) {
                ScalarType::Float
            } else if first != '.' && INT.is_match(text) {
                ScalarType::Int
            } else if first.is_ascii_digit() && TIMESTAMP.is_match(text) {
                ScalarType::Timestamp
            } else {
                ScalarType::Str
            }
        }
        _ => ScalarType::Str,
    }
}

/// Why PyYAML cannot build the date or datetime of a scalar its resolver typed as
/// a timestamp: `datetime` checks the ranges (constructor.py,
/// `construct_yaml_timestamp`), so `2024-02-30` stops the load with a ValueError.
pub fn timestamp_problem(text: &str) -> Option<String> {
    let digits = |s: &str| s.parse::<u32>().ok();
    let (date, time) = match text.find(['T', 't', ' ', '\t']) {
        Some(i) => (
            &text[..i],
            Some(text[i + 1..].trim_start_matches([' ', '\t'])),
        ),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let year = digits(parts.next()?)?;
    let month = digits(parts.next()?)?;
    let day = digits(parts.next()?)?;
    if year == 0 {
        return Some(format!("year {year} is out of range"));
    }
    if !(1..=12).contains(&month) {
        return Some("month must be in 1..12".into());
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days).contains(&day) {
        return Some("day is out of range for month".into());
    }
    let time = time?;
    let zone_at = time.find(['Z', '+', '-', ' ', '\t']).unwrap_or(time.len());
    let (clock, zone) = time.split_at(zone_at);
    let mut clock = clock.splitn(3, ':');
    let hour = digits(clock.next()?)?;
    let minute = digits(clock.next()?)?;
    let second = digits(clock.next()?.split('.').next()?)?;
    if hour > 23 {
        return Some("hour must be in 0..23".into());
    }
    if minute > 59 {
        return Some("minute must be in 0..59".into());
    }
    if second > 59 {
        return Some("second must be in 0..59".into());
    }
    let zone = zone.trim_start_matches([' ', '\t']);
    if let Some(offset) = zone.strip_prefix(['+', '-']) {
        let (hours, minutes) = offset.split_once(':').unwrap_or((offset, "0"));
        if digits(hours)? * 60 + digits(minutes)? >= 24 * 60 {
            return Some("the time zone offset must be under 24 hours".into());
        }
    }
    None
}

fn bool_value(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// The value of a PyYAML int literal (`0755`, `0x1F`, `1_000`, `1:30`), if it fits.
pub fn int_value(text: &str) -> Option<i64> {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, digits) = match cleaned.as_bytes().first()? {
        b'-' => (true, &cleaned[1..]),
        b'+' => (false, &cleaned[1..]),
        _ => (false, &cleaned[..]),
    };
    let magnitude = if digits == "0" {
        0
    } else if let Some(bin) = digits.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()?
    } else if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if digits.contains(':') {
        digits.split(':').try_fold(0i64, |acc, part| {
            acc.checked_mul(60)?.checked_add(part.parse::<i64>().ok()?)
        })?
    } else if let Some(oct) = digits.strip_prefix('0') {
        i64::from_str_radix(oct, 8).ok()?
    } else {
        digits.parse().ok()?
    };
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_pyyaml_on_the_reference_table() {
        let table = include_str!("../../tests/data/pyyaml_typing.tsv");
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (input, expected) = line.split_once('\t').expect("two columns");
            let got = match resolve_plain(input) {
                ScalarType::Null => "null",
                ScalarType::Bool(_) => "bool",
                ScalarType::Int => "int",
                ScalarType::Float => "float",
                ScalarType::Timestamp => "timestamp",
                ScalarType::Str => "str",
                ScalarType::Merge => "merge",
                ScalarType::Value => "value",
            };
            assert_eq!(got, expected, "PyYAML types {input:?} as {expected}");
        }
    }

    #[test]
    fn int_values_follow_yaml_1_1() {
        assert_eq!(int_value("0755"), Some(493));
        assert_eq!(int_value("0x1F"), Some(31));
        assert_eq!(int_value("0b101"), Some(5));
        assert_eq!(int_value("1_000"), Some(1000));
        assert_eq!(int_value("12:30"), Some(750));
        assert_eq!(int_value("-1"), Some(-1));
        assert_eq!(int_value("1"), Some(1));
    }

    #[test]
    fn timestamps_out_of_range_are_reported_as_pyyaml_does() {
        for fine in [
            "2024-02-29",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "2024-1-1 0:00:00Z",
            "2024-01-01T23:59:59.",
        ] {
            assert_eq!(resolve_plain(fine), ScalarType::Timestamp, "{fine}");
            assert_eq!(timestamp_problem(fine), None, "{fine}");
        }
        for (bad, problem) in [
            ("2023-02-29", "day is out of range for month"),
            ("2024-13-01", "month must be in 1..12"),
            ("0000-01-01", "year 0 is out of range"),
            ("2024-01-01 24:00:00", "hour must be in 0..23"),
            ("2024-01-01 10:61:00", "minute must be in 0..59"),
            ("2024-01-01 10:00:60", "second must be in 0..59"),
            (
                "2024-01-01 10:00:00 +24",
                "the time zone offset must be under 24 hours",
            ),
        ] {
            assert_eq!(resolve_plain(bad), ScalarType::Timestamp, "{bad}");
            assert_eq!(timestamp_problem(bad).as_deref(), Some(problem), "{bad}");
        }
    }

    #[test]
    fn booleans_carry_their_value() {
        assert_eq!(resolve_plain("off"), ScalarType::Bool(false));
        assert_eq!(resolve_plain("Yes"), ScalarType::Bool(true));
    }
}
