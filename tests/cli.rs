//! The command line as users and CI meet it: exit codes, stdin, notes, explain.

use assert_cmd::Command;
use predicates::prelude::*;

/// The summary line's release when nothing names one: "Authentik X, the newest
/// bplint knows", computed so the tests follow new knowledge tables.
fn newest() -> String {
    format!(
        "Authentik {}, the newest bplint knows",
        bplint::knowledge::Knowledge::newest().version
    )
}

/// bplint with the CI variables that switch the default format to `github`
/// removed, so these tests hold inside GitHub or Forgejo Actions too.
fn bplint() -> Command {
    let mut cmd = Command::cargo_bin("bplint").expect("binary builds");
    cmd.env_remove("GITHUB_ACTIONS")
        .env_remove("FORGEJO_ACTIONS");
    cmd
}

#[test]
fn clean_files_exit_zero() {
    bplint()
        .args(["check", "fixtures/clean", "--color", "never"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "No problems in 3 files ({}).",
            newest()
        )));
}

#[test]
fn errors_exit_one() {
    bplint()
        .args(["check", "fixtures/BP101/bad.yaml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("BP101"));
}

#[test]
fn warnings_pass_unless_denied() {
    bplint()
        .args(["check", "fixtures/BP202/bad.yaml"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("4 warnings"));
    bplint()
        .args(["check", "fixtures/BP202/bad.yaml", "--deny-warnings"])
        .assert()
        .code(1);
}

#[test]
fn a_missing_path_exits_two_and_names_it() {
    bplint()
        .args(["check", "fixtures/clean", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no/such/dir: no such file or directory",
        ));
}

#[test]
fn a_bad_config_exits_two_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bplint.toml");
    std::fs::write(&config, "authentik_version = \"2026.2\"\ncolour = true\n").unwrap();
    bplint()
        .args(["check", "fixtures/clean", "--config"])
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bplint.toml:2:1"))
        .stderr(predicate::str::contains("colour"));
}

#[test]
fn a_minor_authentik_never_released_exits_two() {
    bplint()
        .args(["check", "fixtures/clean", "--authentik-version", "2025.3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bplint knows 2024.2, 2024.4"));
}

#[test]
fn a_release_older_than_the_tables_is_kept_with_a_note() {
    bplint()
        .args(["check", "fixtures/clean", "--authentik-version", "2023.10"])
        .assert()
        .stderr(predicate::str::contains(
            "Authentik 2023.10.0 is older than every release bplint knows; checking with the \
             tables of 2024.2",
        ));
}

#[test]
fn stdin_is_read_with_its_name() {
    let text = std::fs::read_to_string("fixtures/BP008/bad.yml").unwrap();
    bplint()
        .args([
            "check",
            "-",
            "--stdin-filename",
            "blueprints/app.yml",
            "--format",
            "json",
        ])
        .write_stdin(text)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"file\": \"blueprints/app.yml\""))
        .stdout(predicate::str::contains("BP008"));
}

/// Without `--stdin-filename` standard input has no name, so no discovery rule
/// applies to it; what the text itself holds (several documents) still counts.
#[test]
fn stdin_without_a_name_is_not_judged_by_its_name() {
    let text = std::fs::read_to_string("fixtures/BP008/bad.yml").unwrap();
    let output = bplint()
        .args(["check", "-", "--format", "json"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["files_checked"], 1, "the text was checked");
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report}");
    let two_documents = format!("{text}---\n{text}");
    let output = bplint()
        .args(["check", "-", "--format", "concise"])
        .write_stdin(two_documents)
        .output()
        .unwrap();
    let report = String::from_utf8(output.stdout).unwrap();
    assert!(
        report.lines().count() == 2 && report.contains("<stdin>:") && report.contains("document"),
        "{report}"
    );
}

#[test]
fn json_output_is_one_object() {
    let output = bplint()
        .args(["check", "fixtures/BP006/bad.yaml", "--format", "json"])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["files_checked"], 1);
    assert_eq!(value["summary"]["errors"], 2);
    let first = &value["diagnostics"][0];
    for key in [
        "code",
        "rule",
        "severity",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "help",
    ] {
        assert!(first.get(key).is_some(), "diagnostic lacks {key}");
    }
    assert_eq!(first["rule"], "unresolved-keyof");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(16), Some(30))
    );
}

#[test]
fn naming_a_non_blueprint_gets_a_note() {
    bplint()
        .args(["check", "Cargo.toml", ".github-none"])
        .assert()
        .code(2);
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("values.yaml");
    std::fs::write(&values, "replicas: 2\n").unwrap();
    bplint()
        .arg("check")
        .arg(&values)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("not a blueprint"));
    // Walked, a non-blueprint is skipped without a note of its own; that the
    // folder held no blueprint at all is one warning (see below).
    let output = bplint().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("not a blueprint;"), "{stderr}");
}

/// An empty or wrong folder passes (exit 0 suits an empty repository) but says
/// in words that nothing was checked, instead of "No problems in 0 files".
#[test]
fn a_folder_without_blueprints_warns_that_nothing_was_checked() {
    let dir = tempfile::tempdir().unwrap();
    let empty = bplint()
        .args(["check", "--color", "never"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(empty.status.code(), Some(0));
    let stderr = String::from_utf8(empty.stderr).unwrap();
    assert!(
        stderr.contains("bplint: warning: no blueprint found in `")
            && stderr.contains("no `.yaml` or `.yml` file is there; nothing was checked"),
        "{stderr}"
    );
    let stdout = String::from_utf8(empty.stdout).unwrap();
    assert!(
        stdout.contains("No blueprint found, nothing checked (") && !stdout.contains("0 files"),
        "{stdout}"
    );
    std::fs::write(
        dir.path().join("values.yaml"),
        "replicas: 2
",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("chart.yml"),
        "name: x
",
    )
    .unwrap();
    bplint()
        .args(["check", "--format", "concise"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "2 YAML files read, none of them a blueprint (a mapping with `entries`, or with \
             `version` and `metadata`); nothing was checked",
        ));
    // --quiet keeps standard error for findings' trouble only.
    bplint()
        .args(["check", "--quiet"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr(predicate::str::is_empty());
    // A folder with a blueprint says nothing of the kind.
    bplint()
        .args(["check", "fixtures/clean"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("no blueprint found").not());
}

#[test]
fn explain_prints_the_rule_doc() {
    let doc = std::fs::read_to_string("rules/BP101-missing-invalidation-flow.md").unwrap();
    bplint()
        .args(["explain", "BP101"])
        .assert()
        .code(0)
        .stdout(doc.clone());
    bplint()
        .args(["explain", "missing-invalidation-flow"])
        .assert()
        .code(0)
        .stdout(doc);
    bplint()
        .args(["explain", "BP1O1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `BP101`"));
}

#[test]
fn rules_lists_every_rule() {
    let output = bplint()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let list: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list.len(), bplint::rules::ALL.len());
    assert!(
        list.iter()
            .any(|r| r["code"] == "BP102" && r["name"] == "offline-access-unmapped")
    );
}

#[test]
fn the_target_version_changes_the_verdict() {
    bplint()
        .args([
            "check",
            "fixtures/BP101/bad.yaml",
            "--authentik-version",
            "2024.8",
        ])
        .assert()
        .code(0);
}

/// BP211 finds a blueprint of the set by any tail of its path or by its name.
#[test]
fn a_meta_apply_resolves_by_path_suffix_and_name() {
    let dir = tempfile::tempdir().unwrap();
    let custom = dir.path().join("blueprints/custom");
    std::fs::create_dir_all(&custom).unwrap();
    std::fs::write(
        custom.join("target.yaml"),
        "version: 1\nmetadata:\n  name: Target\nentries: []\n",
    )
    .unwrap();
    let apply = |identifiers: &str| {
        format!(
            "  - model: authentik_blueprints.metaapplyblueprint\n    attrs:\n      identifiers:\n        {identifiers}\n"
        )
    };
    let text = format!(
        "version: 1\nmetadata:\n  name: Apply\nentries:\n{}{}{}{}",
        apply("path: custom/target.yaml"),
        apply("path: target.yaml"),
        apply("name: Target"),
        apply("path: other/target.yaml"),
    );
    std::fs::write(dir.path().join("blueprints/apply.yaml"), text).unwrap();
    let output = bplint()
        .args(["check", "--format", "concise"])
        .arg(dir.path().join("blueprints"))
        .output()
        .unwrap();
    let report = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 1, "{report}");
    assert!(
        lines[0].contains("apply.yaml:20:") && lines[0].contains("BP211"),
        "{report}"
    );
}
