//! Adding a rule is its file (declared with `rule!`), its doc, its fixtures and
//! its line in `bplint::rules::ALL`. The doc is embedded at compile time and
//! checked in rule_docs.rs; these tests catch the other omissions.

use std::path::Path;

/// The code of every `rule!` declaration under src/rules/.
fn declared_codes() -> Vec<String> {
    let mut codes = Vec::new();
    for entry in std::fs::read_dir("src/rules").unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let Some((_, decl)) = text.split_once("\nrule! {") else {
            continue;
        };
        let code = decl
            .split_once("code: \"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(code, _)| code.to_string())
            .unwrap_or_else(|| panic!("{}: rule! without a code", path.display()));
        codes.push(code);
    }
    codes.sort();
    codes
}

fn registered_codes() -> Vec<&'static str> {
    bplint::rules::ALL.iter().map(|r| r.meta().code).collect()
}

#[test]
fn every_declared_rule_is_registered() {
    // A rule file whose module is declared but not listed in ALL compiles (its
    // items are `pub`) and never runs.
    let declared = declared_codes();
    let mut registered = registered_codes();
    registered.sort_unstable();
    assert!(declared.len() > 30, "only {} rule! found", declared.len());
    assert_eq!(declared, registered, "rule! declarations vs rules::ALL");
}

#[test]
fn the_registry_is_in_code_order_with_unique_names() {
    // `bplint rules`, the README table and SARIF's rule index list rules in
    // ALL's order, and lookups by code or name take the first match.
    let codes = registered_codes();
    assert!(
        codes.windows(2).all(|w| w[0] < w[1]),
        "ALL is not in strictly ascending code order: {codes:?}"
    );
    let mut names: Vec<&str> = bplint::rules::ALL.iter().map(|r| r.meta().name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "two rules share a name");
    for rule in bplint::rules::ALL {
        let meta = rule.meta();
        let digits = meta.code.strip_prefix("BP").unwrap_or("");
        assert!(
            digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()),
            "{} is not BP and three digits",
            meta.code
        );
        assert!(
            !meta.name.is_empty()
                && meta
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}'s name {} is not kebab-case",
            meta.code,
            meta.name
        );
    }
}

/// Rules whose cases live elsewhere than fixtures/<CODE>/, and where.
const FIXTURES_ELSEWHERE: &[(&str, &str)] = &[
    // An unused suppression needs suppression comments around real findings,
    // which fixtures/suppressions/ and tests/suppressions.rs exercise.
    ("BP009", "fixtures/suppressions"),
];

#[test]
fn every_rule_has_fixtures() {
    for code in registered_codes() {
        let dir = FIXTURES_ELSEWHERE
            .iter()
            .find(|(c, _)| *c == code)
            .map_or_else(|| format!("fixtures/{code}"), |(_, dir)| dir.to_string());
        assert!(
            Path::new(&dir).is_dir(),
            "{code} has no fixtures: add {dir}/bad.yaml and good.yaml"
        );
    }
}
