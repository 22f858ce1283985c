//! The target release decides: a blueprint written for 2024.8 is clean there and
//! wrong on releases that require `invalidation_flow` and list-shaped redirect URIs.

mod common;

use std::path::PathBuf;

fn codes_at(version: &str) -> Vec<(String, usize, usize)> {
    let outcome = common::lint_at(
        &[PathBuf::from("fixtures/versions/oauth2-2024.8.yaml")],
        None,
        Some(version),
    );
    common::positions(&outcome)
}

#[test]
fn a_2024_8_blueprint_is_clean_on_2024_8() {
    assert_eq!(codes_at("2024.8"), vec![]);
}

#[test]
fn the_same_blueprint_breaks_on_newer_releases() {
    let expected = vec![("BP101".to_string(), 7, 12), ("BP203".to_string(), 13, 22)];
    assert_eq!(codes_at("2025.2"), expected);
    assert_eq!(codes_at("2026.8"), expected);
}

#[test]
fn a_configmap_blueprint_reports_at_the_outer_file_position() {
    let outcome = common::lint(&[PathBuf::from("fixtures/BP101/bad-configmap.yaml")], None);
    assert_eq!(
        common::positions(&outcome),
        vec![("BP101".to_string(), 23, 16)],
        "line and column of `authentik_providers_oauth2.oauth2provider` in the ConfigMap"
    );
}
