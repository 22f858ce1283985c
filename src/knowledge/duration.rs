//! Authentik's duration strings (`timedelta_from_string`): `key=value` pairs joined
//! by `;`, keys matched case-insensitively but not trimmed, unknown keys ignored
//! (their values unread), values parsed with Python's `float()`, a repeated key
//! keeping its last value (authentik/lib/utils/time.py).

/// Keys `timedelta` accepts.
pub const KEYS: &[&str] = &[
    "microseconds",
    "milliseconds",
    "seconds",
    "minutes",
    "hours",
    "days",
    "weeks",
];

/// What Authentik makes of a duration string.
#[derive(Debug, Clone, PartialEq)]
pub struct Duration {
    pub total_seconds: f64,
    /// Pairs Authentik silently ignores (` minutes` after `; `, `months`, ...).
    pub ignored: Vec<String>,
}

impl Duration {
    /// The ignored pairs for a message: "`a`, `b` and `c`".
    pub fn ignored_list(&self) -> String {
        let quoted: Vec<String> = self.ignored.iter().map(|i| format!("`{i}`")).collect();
        crate::diagnostic::and_list(&quoted)
    }
}

/// Parse like `timedelta_from_string`; `Err` holds why Authentik rejects it.
pub fn parse(text: &str) -> Result<Duration, String> {
    // One value per key: Python collects them in a dict, so a repeated key keeps
    // its last value (`days=1;days=0` is zero).
    let mut values: [Option<f64>; KEYS.len()] = [None; KEYS.len()];
    let mut ignored = Vec::new();
    for pair in text.split(';') {
        let Some((key, value)) = pair.split_once('=') else {
            if pair.trim().is_empty() {
                return Err("it has an empty pair (a trailing or doubled `;`)".into());
            }
            return Err(format!("`{pair}` is not a `key=value` pair"));
        };
        if value.contains('=') {
            return Err(format!("`{pair}` has more than one `=`"));
        }
        // Python's `str.lower()`, which maps a few non-ASCII letters to ASCII.
        let lower = key.to_lowercase();
        // An unknown key is skipped before its value is read.
        let Some(slot) = KEYS.iter().position(|k| *k == lower) else {
            ignored.push(pair.to_string());
            continue;
        };
        let Some(number) = python_float(value) else {
            return Err(format!("`{}` is not a number", value.trim()));
        };
        if !number.is_finite() {
            return Err(format!(
                "`{}` is not a finite number, which Python's timedelta refuses",
                value.trim()
            ));
        }
        values[slot] = Some(number);
    }
    if values.iter().all(Option::is_none) {
        return Err("no valid key (weeks, days, hours, minutes, seconds, ...)".into());
    }
    let total: f64 = KEYS
        .iter()
        .zip(values)
        .filter_map(|(unit, v)| Some(v? * unit_seconds(unit)))
        .sum();
    if !(MIN_SECONDS..LIMIT_SECONDS).contains(&total) {
        return Err("it is longer than Python's timedelta can hold (999999999 days)".into());
    }
    Ok(Duration {
        total_seconds: total,
        ignored,
    })
}

/// Python's `timedelta` range: -999999999 days up to, not including, 1000000000
/// days (its largest value, 999999999 days 23:59:59.999999, is not an f64 apart
/// from that limit).
const MIN_SECONDS: f64 = -999_999_999.0 * 86_400.0;
const LIMIT_SECONDS: f64 = 1_000_000_000.0 * 86_400.0;

/// A number as Python's `float()` reads it: surrounding whitespace trimmed,
/// `_` allowed only between two digits (`86_400`), exponents, `inf` and `nan` in
/// any case. Rust's parser agrees on the rest once the underscores are gone.
fn python_float(text: &str) -> Option<f64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'_' {
            let digit =
                |j: Option<usize>| j.and_then(|j| bytes.get(j)).is_some_and(u8::is_ascii_digit);
            if !digit(i.checked_sub(1)) || !digit(Some(i + 1)) {
                return None;
            }
        }
    }
    text.replace('_', "").parse().ok()
}

fn unit_seconds(unit: &str) -> f64 {
    match unit {
        "microseconds" => 1e-6,
        "milliseconds" => 1e-3,
        "seconds" => 1.0,
        "minutes" => 60.0,
        "hours" => 3600.0,
        "days" => 86400.0,
        _ => 604_800.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_authentik_examples() {
        assert_eq!(parse("hours=1;minutes=30").unwrap().total_seconds, 5400.0);
        assert_eq!(parse("seconds=0").unwrap().total_seconds, 0.0);
        assert_eq!(parse("weeks=4").unwrap().total_seconds, 2_419_200.0);
    }

    #[test]
    fn a_space_after_the_semicolon_drops_the_pair() {
        let d = parse("hours=1; minutes=2").unwrap();
        assert_eq!(d.total_seconds, 3600.0);
        assert_eq!(d.ignored, vec![" minutes=2".to_string()]);
    }

    #[test]
    fn rejects_what_authentik_rejects() {
        assert!(parse("hours=1;").is_err());
        assert!(parse("").is_err());
        assert!(parse("hours").is_err());
        assert!(parse("months=1").is_err());
        assert!(parse("hours=x").is_err());
        assert!(parse("hours=inf").is_err());
        assert!(parse("days=nan").is_err());
        assert!(parse("days=1_").is_err());
        assert!(parse("days=1__0").is_err());
        assert!(parse("days=1000000000").is_err());
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        assert_eq!(parse("days=1;days=0").unwrap().total_seconds, 0.0);
        assert_eq!(parse("hours=-1;hours=1").unwrap().total_seconds, 3600.0);
    }

    #[test]
    fn numbers_read_as_python_float() {
        assert_eq!(parse("seconds=86_400").unwrap().total_seconds, 86_400.0);
        assert_eq!(parse("seconds=1e3").unwrap().total_seconds, 1000.0);
        assert_eq!(parse("seconds= 5 ").unwrap().total_seconds, 5.0);
        assert_eq!(parse("minutes=.5").unwrap().total_seconds, 30.0);
    }

    #[test]
    fn an_unknown_key_is_skipped_before_its_value_is_read() {
        let d = parse("months=x;hours=1").unwrap();
        assert_eq!(d.total_seconds, 3600.0);
        assert_eq!(d.ignored, vec!["months=x".to_string()]);
    }
}
