//! BP226 and BP227 held to what Authentik's own evaluator did with the same
//! expressions (tests/data/expression_verdicts.tsv, recorded by
//! scripts/oracle-expression-verdicts.py from the oracle; CI cannot run it).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The name a BP226/BP227 message is about: the module or name an import
/// misses, or the undefined name.
fn subject(message: &str) -> Option<String> {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let index = usize::from(message.starts_with('`') && message.contains("` has no `"));
    quoted.get(index).map(|s| s.to_string())
}

#[test]
fn findings_name_exactly_what_the_evaluator_failed_on() {
    let table = std::fs::read_to_string("tests/data/expression_verdicts.tsv").unwrap();
    // file -> (release, the names the evaluator raised on)
    let mut expected: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for row in table.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [file, release, _entry, _kind, verdict] = cols[..] else {
            panic!("malformed row {row:?}");
        };
        let slot = expected
            .entry(file.to_string())
            .or_insert_with(|| (release.to_string(), BTreeSet::new()));
        if let Some((_, name)) = verdict.split_once(':') {
            slot.1.insert(name.to_string());
        }
    }
    assert!(expected.len() >= 6, "{expected:?}");
    let mut failures = Vec::new();
    for (file, (release, names)) in &expected {
        let outcome = common::lint_at(&[PathBuf::from(file)], None, Some(release));
        let found: BTreeSet<String> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.code == "BP226" || d.code == "BP227")
            .filter_map(|d| subject(&d.message))
            .collect();
        if &found != names {
            failures.push(format!("{file}: evaluator {names:?}, bplint {found:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_subject_of_each_message_shape() {
    assert_eq!(
        subject("the expression imports `reqeusts`, which Authentik 2026.2 does not have")
            .as_deref(),
        Some("reqeusts")
    );
    assert_eq!(
        subject("`authentik.core.models` has no `Usr` in Authentik 2026.2").as_deref(),
        Some("Usr")
    );
    assert_eq!(
        subject("`user` is not defined in an expression policy").as_deref(),
        Some("user")
    );
}

/// A release newer than the code bplint has read is judged by the newest read
/// for other packages only (Authentik's own modules change every release), and
/// the finding says so.
#[test]
fn a_newer_release_is_judged_by_the_newest_code_read_and_says_so() {
    let outcome = common::lint_at(
        &[PathBuf::from("fixtures/BP226/bad.yaml")],
        None,
        Some("2026.8"),
    );
    let found: Vec<_> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.code == "BP226")
        .collect();
    assert_eq!(found.len(), 1, "{:?}", common::positions(&outcome));
    assert!(
        found[0].message.contains("`reqeusts`"),
        "{}",
        found[0].message
    );
    assert!(
        found
            .iter()
            .all(|d| d.message.contains("standing in for 2026.8")),
        "{:?}",
        found.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}
