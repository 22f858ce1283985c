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
fn a_2024_8_blueprint_is_clean_on_2024_8_before_the_redirect_fix() {
    assert_eq!(codes_at("2024.8.3"), vec![]);
    assert_eq!(codes_at("2024.8.4"), vec![]);
}

#[test]
fn the_backport_in_2024_8_5_wants_the_list_form() {
    // A bare 2024.8 means its newest patch, 2024.8.6, which has the CVE-2024-52289 fix.
    let expected = vec![("BP203".to_string(), 14, 22)];
    assert_eq!(codes_at("2024.8.5"), expected);
    assert_eq!(codes_at("2024.8"), expected);
    assert_eq!(codes_at("2024.10.2"), vec![("BP101".to_string(), 8, 12)]);
}

#[test]
fn the_same_blueprint_breaks_on_newer_releases() {
    let expected = vec![("BP101".to_string(), 8, 12), ("BP203".to_string(), 14, 22)];
    assert_eq!(codes_at("2025.2"), expected);
    // From 2026.5 on, a provider created without `grant_types` allows no grant.
    let expected = vec![
        ("BP101".to_string(), 8, 12),
        ("BP108".to_string(), 8, 12),
        ("BP203".to_string(), 14, 22),
    ];
    assert_eq!(codes_at("2026.8"), expected);
}

#[test]
fn a_configmap_blueprint_reports_at_the_outer_file_position() {
    let outcome = common::lint(&[PathBuf::from("fixtures/BP101/bad-configmap.yaml")], None);
    assert_eq!(
        common::positions(&outcome),
        vec![("BP101".to_string(), 23, 16), ("BP108".to_string(), 23, 16)],
        "line and column of `authentik_providers_oauth2.oauth2provider` in the ConfigMap"
    );
}

fn codes_of(path: &str, version: &str) -> Vec<(String, usize, usize)> {
    common::positions(&common::lint_at(
        &[PathBuf::from(path)],
        None,
        Some(version),
    ))
}

#[test]
fn the_list_form_of_redirect_uris_follows_the_patch_release() {
    let list = "fixtures/versions/oauth2-2024.8.5.yaml";
    for clean in ["2024.8.5", "2024.8.6", "2024.8"] {
        assert_eq!(codes_of(list, clean), vec![], "at {clean}");
    }
    let string_expected = vec![("BP203".to_string(), 15, 9)];
    assert_eq!(codes_of(list, "2024.8.4"), string_expected);
    let at_2024_10_2: Vec<String> = codes_of(list, "2024.10.2")
        .into_iter()
        .map(|(code, _, _)| code)
        .collect();
    assert_eq!(at_2024_10_2, vec!["BP101", "BP203"]);
    let at_2024_10_3: Vec<String> = codes_of(list, "2024.10.3")
        .into_iter()
        .map(|(code, _, _)| code)
        .collect();
    assert_eq!(
        at_2024_10_3,
        vec!["BP101"],
        "only the missing invalidation_flow"
    );
}

#[test]
fn every_minor_from_2024_2_is_known_and_a_bare_minor_is_its_newest_patch() {
    use bplint::knowledge::Knowledge;
    for (minor, newest) in [
        ("2024.2", "2024.2.4"),
        ("2024.4", "2024.4.4"),
        ("2024.6", "2024.6.5"),
        ("2024.8", "2024.8.6"),
        ("2024.10", "2024.10.5"),
        ("2024.12", "2024.12.5"),
        ("2025.2", "2025.2.4"),
        ("2025.4", "2025.4.4"),
        ("2025.6", "2025.6.4"),
    ] {
        let kb = Knowledge::for_version(minor).expect(minor);
        assert_eq!(kb.def.name, minor);
        assert_eq!(kb.version.to_string(), newest);
        assert_eq!(kb.outside_known(), None);
    }
    let old = Knowledge::for_version("2023.10.7").expect("older releases use the oldest tables");
    assert_eq!(
        (old.def.name, old.outside_known()),
        ("2024.2", Some("older"))
    );
    assert_eq!(old.version.to_string(), "2023.10.7");
    assert!(Knowledge::for_version("2025.3").is_err());
}

#[test]
fn required_fields_are_known_at_2024_8_and_2025_2() {
    for version in ["2024.8", "2025.2", "2024.10", "2025.6"] {
        let codes: Vec<String> = codes_of("fixtures/BP204/bad.yaml", version)
            .into_iter()
            .map(|(code, _, _)| code)
            .collect();
        assert!(
            codes.contains(&"BP204".to_string()),
            "BP204 at {version}: {codes:?}"
        );
    }
}

#[test]
fn grant_types_are_judged_where_the_release_has_the_field() {
    // The OAuth2 provider's model table gains `grant_types` in 2026.5.
    let missing = "fixtures/BP108/bad.yaml";
    for before in ["2025.12", "2026.2", "2026.2.0"] {
        assert_eq!(codes_of(missing, before), vec![], "at {before}");
    }
    let fired = vec![
        ("BP108".to_string(), 6, 12),
        ("BP108".to_string(), 19, 12),
        ("BP108".to_string(), 32, 12),
    ];
    assert_eq!(codes_of(missing, "2026.5"), fired);
    assert_eq!(codes_of(missing, "2026.8"), fired);
    // Before 2026.5 the field itself is unknown: BP202, not BP108.
    assert_eq!(
        codes_of("fixtures/BP108/bad-empty.yaml", "2026.2"),
        vec![("BP202".to_string(), 11, 7)]
    );
    assert_eq!(
        codes_of("fixtures/BP108/bad-empty.yaml", "2026.5"),
        vec![("BP108".to_string(), 11, 20)]
    );
}

/// What `--authentik-version`, bplint.toml and `upgrade --to` accept: a leading
/// `v` as pins write it; not a patch past the newest of a settled line, nor a
/// release from before blueprints; a later patch of one of the newest lines
/// (which may get patches bplint has not seen) with a note.
#[test]
fn release_names_are_checked_against_what_bplint_knows() {
    use bplint::knowledge::{Knowledge, all_versions};
    let tagged = Knowledge::for_version("v2026.2").expect("a leading v is dropped");
    assert_eq!(
        tagged.version,
        Knowledge::for_version("2026.2").unwrap().version
    );
    assert_eq!(
        Knowledge::for_version("v2024.8.5")
            .unwrap()
            .version
            .to_string(),
        "2024.8.5"
    );
    assert_eq!(
        Knowledge::for_version("version/2024.10.3")
            .unwrap()
            .version
            .to_string(),
        "2024.10.3"
    );
    let err = Knowledge::for_version("2024.8.99").unwrap_err();
    assert!(
        err.contains("no patch release 2024.8.99 (its newest is 2024.8.6)"),
        "{err}"
    );
    assert!(Knowledge::for_version("2024.8.6").is_ok());
    let err = Knowledge::for_version("2021.12").unwrap_err();
    assert!(
        err.contains("predates blueprints, which came with 2022.8"),
        "{err}"
    );
    assert!(Knowledge::for_version("2022.8").is_ok());
    // The newest line may still get patches: a later one is judged by its tables.
    let newest = all_versions().last().unwrap();
    let later = format!("{}.99", newest.name);
    let kb = Knowledge::for_version(&later).expect("an open line takes a later patch");
    assert_eq!(
        (kb.def.name, kb.past_known_patch()),
        (newest.name, Some(newest.latest))
    );

    let check = |args: &[&str]| {
        let output = common::bplint().args(args).output().unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (code, stderr) = check(&[
        "check",
        "fixtures/clean",
        "--authentik-version",
        "2024.8.99",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(
            "error: --authentik-version 2024.8.99: Authentik 2024.8 has no patch release"
        ),
        "{stderr}"
    );
    let (code, stderr) = check(&["check", "fixtures/clean", "--authentik-version", "2021.12"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--authentik-version 2021.12: ") && stderr.contains("2022.8"),
        "{stderr}"
    );
    let (code, stderr) = check(&["check", "fixtures/clean", "--authentik-version", "v2026.2"]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    let (code, stderr) = check(&["check", "fixtures/clean", "--authentik-version", &later]);
    assert_eq!(code, Some(0));
    assert!(
        stderr.contains(&format!(
            "note: Authentik {later} is newer than {}, the newest {} patch bplint knows",
            newest.latest, newest.name
        )),
        "{stderr}"
    );
    let (code, stderr) = check(&["upgrade", "--to", "2024.8.99", "fixtures/clean"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--to 2024.8.99: "), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bplint.toml");
    std::fs::write(&config, "authentik_version = \"2024.8.99\"\n").unwrap();
    let (code, stderr) = check(&[
        "check",
        "fixtures/clean",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("bplint.toml:1:21") && stderr.contains("its newest is 2024.8.6"),
        "{stderr}"
    );
}
