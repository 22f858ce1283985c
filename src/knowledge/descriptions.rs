//! What Authentik's API schema says of each field, for hover in `bplint server`:
//! recorded from the newest release's OpenAPI schema by
//! scripts/gen-descriptions.py into knowledge/descriptions.tsv (its header names
//! the schema). Read once, on first use, so `check` never pays for it.

use std::collections::HashMap;
use std::sync::LazyLock;

const TABLE: &str = include_str!("../../knowledge/descriptions.tsv");

static BY_FIELD: LazyLock<HashMap<(&'static str, &'static str), &'static str>> =
    LazyLock::new(|| {
        TABLE
            .lines()
            .filter(|row| !row.starts_with('#'))
            .filter_map(|row| {
                let mut cols = row.splitn(3, '\t');
                Some(((cols.next()?, cols.next()?), cols.next()?))
            })
            .collect()
    });

/// The API schema's description of `field` on `model`, when it has one.
pub fn of(model: &str, field: &str) -> Option<&'static str> {
    BY_FIELD.get(&(model, field)).copied()
}

/// The release whose schema the descriptions come from (`2026.8.3`).
pub fn release() -> &'static str {
    TABLE
        .lines()
        .find_map(|l| l.split("(Authentik ").nth(1))
        .and_then(|rest| rest.split(')').next())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_field_has_its_description_and_others_none() {
        assert!(
            of("authentik_flows.flow", "designation")
                .is_some_and(|d| d.starts_with("Decides what this Flow is used for"))
        );
        assert_eq!(of("authentik_flows.flow", "no_such_field"), None);
        assert!(release().starts_with("20"), "{}", release());
    }
}
