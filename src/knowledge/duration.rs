//! Authentik's duration strings (`timedelta_from_string`): `key=value` pairs joined
//! by `;`, keys matched case-insensitively but not trimmed, unknown keys ignored,
//! values parsed with Python's `float()`.

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

/// Parse like `timedelta_from_string`; `Err` holds why Authentik rejects it.
pub fn parse(text: &str) -> Result<Duration, String> {
    let mut total = 0.0;
    let mut ignored = Vec::new();
    let mut valid = 0;
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
        let Ok(number) = value.trim().parse::<f64>() else {
            return Err(format!("`{}` is not a number", value.trim()));
        };
        let lower = key.to_ascii_lowercase();
        let Some(unit) = KEYS.iter().find(|k| **k == lower) else {
            ignored.push(pair.to_string());
            continue;
        };
        valid += 1;
        total += number * unit_seconds(unit);
    }
    if valid == 0 {
        return Err("no valid key (weeks, days, hours, minutes, seconds, ...)".into());
    }
    Ok(Duration {
        total_seconds: total,
        ignored,
    })
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
    }
}
