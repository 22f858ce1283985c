//! `bplint init` as a new user meets it: the file it writes loads, its commented
//! examples load once uncommented, and it never replaces an existing file.

mod common;

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

/// Outside any repository pin, `authentik_version` stays an example: runs then
/// follow a pin once one appears, else the newest release.
#[test]
fn without_a_pin_the_release_is_left_commented_out() {
    let dir = tempfile::tempdir().unwrap();
    let newest = Knowledge::newest();
    init_in(dir.path())
        .code(0)
        .stdout(predicate::str::contains(format!(
            "No release pin found in this repository, so `authentik_version` is left \
             commented out: bplint judges by the newest release it knows ({})",
            newest.version
        )))
        .stderr("");
    let path = dir.path().join("bplint.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!("\n#authentik_version = \"{}\"\n", newest.def.name)),
        "{text}"
    );
    let config = Config::parse(&text, &path).unwrap();
    assert_eq!(config.authentik_version, None);
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
        .stdout(predicate::str::contains(format!(
            "No problems in 1 file (Authentik {}, the newest bplint knows).",
            newest.version
        )));
}

/// In a repository that pins a release (a Flux HelmRelease of
/// fixtures/detect/flux-helmrelease), `init` writes that release, not the
/// newest, and says in a comment where it came from.
#[test]
fn in_a_pinned_repository_the_pinned_release_is_written() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(Path::new("fixtures/detect/flux-helmrelease"), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let pin = "clusters/home/authentik/helmrelease.yaml:12";
    init_in(dir.path())
        .code(0)
        .stdout(format!(
            "Wrote bplint.toml for Authentik 2025.10.1, the release {pin} pins.\n"
        ))
        .stderr("");
    let path = dir.path().join("bplint.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!("# Detected from {pin}, the pin"))
            && text.contains("\nauthentik_version = \"2025.10.1\"\n"),
        "{text}"
    );
    let config = Config::parse(&text, &path).unwrap();
    assert_eq!(config.authentik_version.as_deref(), Some("2025.10.1"));
    // Pins that disagree: the one a check from here judges by is written, the
    // other named beside it.
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(Path::new("fixtures/detect/disagreeing"), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    init_in(dir.path()).code(0);
    let text = std::fs::read_to_string(dir.path().join("bplint.toml")).unwrap();
    let unwrapped = text.replace("\n# ", " ");
    assert!(
        unwrapped.contains("authentik_version = \"2024.12.1\"")
            && unwrapped
                .contains("The repository also pins 2025.10.1 (k8s/authentik/helmrelease.yaml:9)"),
        "{text}"
    );
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

/// The keys a bplint.toml text sets: top-level keys, tables, and the keys of the
/// tables with fixed keys (`clients.name`, `discovery.context`); the tables whose
/// keys are the user's (rule names, globs, lookup fields) count as the table.
fn keys(text: &str) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    let mut table = String::new();
    for line in text.lines() {
        let line = line.split(" #").next().unwrap().trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            table = name.trim_matches(|c| c == '[' || c == ']').to_string();
            keys.insert(table.clone());
        } else if let Some((key, _)) = line.split_once('=') {
            let key = key.trim();
            match table.as_str() {
                "" => keys.insert(key.to_string()),
                "rules" | "per-file-ignores" => false,
                "assume_exists" if key != "model" => false,
                _ => keys.insert(format!("{table}.{key}")),
            };
        }
    }
    keys
}

/// Examples are the lines commented with a bare `#`; prose has `# `.
fn uncomment(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix('#') {
            Some(rest) if !rest.is_empty() && !rest.starts_with(' ') => rest,
            _ => line,
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn init_writes_every_key_the_readme_documents() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = readme
        .split("\n## Configuration\n")
        .nth(1)
        .expect("README has a Configuration section");
    let section = section.split("\n## ").next().unwrap();
    let documented: String = section
        .split("```toml\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    init_in(dir.path()).code(0);
    let path = dir.path().join("bplint.toml");
    let written = uncomment(&std::fs::read_to_string(&path).unwrap());
    Config::parse(&documented, Path::new("README.md")).expect("the README's example loads");
    Config::parse(&written, &path).expect("init's examples load");
    let (documented, written) = (keys(&documented), keys(&written));
    assert!(documented.contains("discovery.context"), "{documented:?}");
    assert_eq!(
        written, documented,
        "bplint init and README.md's Configuration differ"
    );
}
