//! `bplint init` as a new user meets it: the file it writes loads, its commented
//! examples load once uncommented, and it never replaces an existing file.

use assert_cmd::Command;
use bplint::config::Config;
use bplint::diagnostic::Severity;
use bplint::knowledge::Knowledge;
use predicates::prelude::*;
use std::path::Path;

fn init_in(dir: &Path) -> assert_cmd::assert::Assert {
    Command::cargo_bin("bplint")
        .expect("binary builds")
        .arg("init")
        .current_dir(dir)
        .assert()
}

#[test]
fn writes_a_config_pinned_to_the_newest_release() {
    let dir = tempfile::tempdir().unwrap();
    let newest = Knowledge::newest().def.name;
    init_in(dir.path())
        .code(0)
        .stdout(predicate::str::contains(format!(
            "Wrote bplint.toml for Authentik {newest}"
        )))
        .stderr("");
    let path = dir.path().join("bplint.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let config = Config::parse(&text, &path).unwrap();
    assert_eq!(config.authentik_version.as_deref(), Some(newest));
    assert!(config.clients.is_empty());
    assert!(config.severities.is_empty());

    // `bplint check` in that folder finds it and accepts it (a bad one exits 2).
    let blueprint = dir.path().join("app.yaml");
    std::fs::copy("fixtures/clean/login-flow.yaml", &blueprint).unwrap();
    Command::cargo_bin("bplint")
        .unwrap()
        .args(["check", "--color", "never"])
        .current_dir(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No problems in 1 file."));
}

#[test]
fn its_commented_examples_are_valid_once_uncommented() {
    let dir = tempfile::tempdir().unwrap();
    init_in(dir.path()).code(0);
    let path = dir.path().join("bplint.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    // Examples are the lines commented with a bare `#`; prose has `# `.
    let uncommented: String = text
        .lines()
        .map(|line| match line.strip_prefix('#') {
            Some(rest) if !rest.is_empty() && !rest.starts_with(' ') => rest,
            _ => line,
        })
        .map(|line| format!("{line}\n"))
        .collect();
    assert_ne!(uncommented, text, "the template has examples");
    let config = Config::parse(&uncommented, &path).unwrap();
    assert_eq!(config.clients.len(), 1);
    assert_eq!(config.clients[0].scopes.len(), 3);
    assert_eq!(
        config.severity("BP103", Severity::Warning),
        Some(Severity::Error)
    );
    assert_eq!(config.severity("BP008", Severity::Warning), None);
}

#[test]
fn never_replaces_an_existing_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bplint.toml");
    std::fs::write(&path, "authentik_version = \"2024.8\"\n").unwrap();
    init_in(dir.path())
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("bplint.toml already exists"))
        .stderr(predicate::str::contains("delete it to start over"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "authentik_version = \"2024.8\"\n"
    );
}

#[test]
fn notes_the_config_it_shadows() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bplint.toml"), "").unwrap();
    let sub = dir.path().join("blueprints");
    std::fs::create_dir(&sub).unwrap();
    init_in(&sub)
        .code(0)
        .stderr(predicate::str::contains(
            "now read bplint.toml here instead of",
        ))
        .stderr(predicate::str::contains(
            dir.path().join("bplint.toml").display().to_string(),
        ));
    assert!(sub.join("bplint.toml").is_file());
}
