//! Fixing and diffing files that hold a plaintext secret (BP301): the fixer edits
//! the file's text as read, and only what is printed is masked.

mod common;

use common::bplint;
use predicates::prelude::*;
use std::path::Path;

const SECRET: &str = "hunter2-hunter2-hunter2";

/// A provider with a plaintext secret one line (or, with `secret_line_gap`, two
/// lines) above a value BP203 fixes, and a model name BP201 fixes further down.
/// The runs pin 2026.2, a release before `grant_types`, so BP108's fix does not
/// join the two the diffs are about.
fn provider(secret_line_gap: bool) -> String {
    let name = if secret_line_gap {
        "      name: wiki\n"
    } else {
        ""
    };
    format!(
        "version: 1\nmetadata:\n  name: Secret\nentries:\n  \
         - model: authentik_providers_oauth2.oauth2provider\n    identifiers:\n      \
         name: wiki\n    attrs:\n      client_id: wiki\n      client_secret: {SECRET}\n\
         {name}      client_type: confidental\n      access_code_validity: minutes=1\n      \
         sub_mode: hashed_user_id\n      include_claims_in_id_token: true\n      \
         invalidation_flow: !Find [authentik_flows.flow, [slug, default-provider-invalidation-flow]]\n  \
         - model: authentik_core.groups\n    identifiers:\n      name: wiki-users\n"
    )
}

fn write(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("app.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_file_with_a_secret_is_fixed_and_its_secret_kept() {
    let dir = tempfile::tempdir().unwrap();
    let before = provider(true);
    let path = write(dir.path(), &before);
    bplint()
        .args([
            "check",
            "--fix",
            "--unsafe-fixes",
            "--authentik-version",
            "2026.2",
        ])
        .arg(&path)
        .assert()
        // BP204 (no fix) and BP301 remain.
        .code(1)
        .stderr(predicate::str::contains("applied 2 fixes in 1 file"))
        .stderr(predicate::str::contains("changed on disk").not())
        .stdout(predicate::str::contains(SECRET).not());
    let after = std::fs::read_to_string(&path).unwrap();
    let expected = before
        .replace("confidental", "confidential")
        .replace("authentik_core.groups", "authentik_core.group");
    assert_eq!(after, expected);
    assert!(after.contains(&format!("client_secret: {SECRET}\n")));
}

/// `--diff` for the file, checked against the expected text and, when the tools
/// are installed, applied with `patch -p1` and `git apply`.
fn check_diff(before: &str, expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), before);
    let output = bplint()
        .current_dir(dir.path())
        .args([
            "check",
            "--diff",
            "--unsafe-fixes",
            "--authentik-version",
            "2026.2",
            "app.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(!diff.contains(SECRET), "{diff}");
    assert!(!diff.contains("*****"), "no masked line in a patch: {diff}");
    assert_eq!(diff, expected);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    let fixed = before
        .replace("confidental", "confidential")
        .replace("authentik_core.groups", "authentik_core.group");
    let tools: [(&str, &[&str]); 2] = [
        ("patch", &["-p1", "-s", "-i", "fix.patch"]),
        ("git", &["apply", "fix.patch"]),
    ];
    for (tool, args) in tools {
        if std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_err()
        {
            continue;
        }
        std::fs::write(&path, before).unwrap();
        std::fs::write(dir.path().join("fix.patch"), &diff).unwrap();
        let status = std::process::Command::new(tool)
            .args(args)
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "{tool} applies the diff:\n{diff}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), fixed, "{tool}");
    }
}

#[test]
fn a_diff_stops_its_context_short_of_a_secret_and_applies() {
    check_diff(
        &provider(true),
        "--- a/app.yaml\n+++ b/app.yaml\n@@ -11,8 +11,8 @@\n       name: wiki\n\
         -      client_type: confidental\n+      client_type: confidential\n       \
         access_code_validity: minutes=1\n       sub_mode: hashed_user_id\n       \
         include_claims_in_id_token: true\n       invalidation_flow: !Find \
         [authentik_flows.flow, [slug, default-provider-invalidation-flow]]\n\
         -  - model: authentik_core.groups\n+  - model: authentik_core.group\n     \
         identifiers:\n",
    );
}

#[test]
fn a_diff_right_after_a_secret_keeps_one_trailing_line_and_applies() {
    check_diff(
        &provider(false),
        "--- a/app.yaml\n+++ b/app.yaml\n@@ -11,7 +11,7 @@\n\
         -      client_type: confidental\n+      client_type: confidential\n       \
         access_code_validity: minutes=1\n       sub_mode: hashed_user_id\n       \
         include_claims_in_id_token: true\n       invalidation_flow: !Find \
         [authentik_flows.flow, [slug, default-provider-invalidation-flow]]\n\
         -  - model: authentik_core.groups\n+  - model: authentik_core.group\n     \
         identifiers:\n",
    );
}

#[test]
fn a_syntax_error_snippet_masks_secret_looking_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        &format!(
            "version: 1\nentries:\n  - model: authentik_core.user\n    attrs:\n      \
             password: {SECRET}\n     - x\n      name: a\n"
        ),
    );
    bplint()
        .arg("check")
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("BP001"))
        .stdout(predicate::str::contains(
            "password: ***********************",
        ))
        .stdout(predicate::str::contains(SECRET).not());
}
