//! Release detection on real-shaped repository layouts (fixtures/detect/<layout>/):
//! each layout is copied into a temporary folder with a `.git` folder, so it is a
//! repository of its own, and bplint runs from its root on the blueprints' folder
//! as a user would. The release judged by shows in BP101's message (`target: X`).
//!
//! fixtures/detect/ holds a `.bplint-detect-ignore` marker, so bplint run inside
//! its own repository never takes a fixture's pin for the repository's release.

use assert_cmd::Command;
use std::path::Path;

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs `bplint check --format json <blueprints>` from the layout's root and
/// returns the release in BP101's message and standard error.
fn judged_by(layout: &str, blueprints: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&Path::new("fixtures/detect").join(layout), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let out = Command::cargo_bin("bplint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--format", "json", blueprints])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "BP101")
        .and_then(|d| d["message"].as_str())
        .unwrap_or_else(|| panic!("{layout}: no BP101 in {report}"))
        .to_string();
    let target = message
        .rsplit("(target: ")
        .next()
        .unwrap()
        .trim_end_matches(')')
        .to_string();
    (target, String::from_utf8(out.stderr).unwrap())
}

#[test]
fn flux_helmrelease_chart_version() {
    let (version, _) = judged_by("flux-helmrelease", "clusters/home/authentik/blueprints");
    assert_eq!(version, "2025.10.1");
}

#[test]
fn oci_repository_tag_with_a_chart_ref_helmrelease() {
    let (version, _) = judged_by("oci-chartref", "kubernetes/apps/authentik/app/blueprints");
    assert_eq!(version, "2025.8.4");
}

#[test]
fn compose_tag_from_env_where_the_last_assignment_wins() {
    let (version, stderr) = judged_by("compose-env", "blueprints");
    assert_eq!(version, "2025.10.2");
    assert!(!stderr.contains("note"), "{stderr}");
}

#[test]
fn argo_cd_application_target_revision() {
    let (version, _) = judged_by("argocd", "apps/config/blueprints");
    assert_eq!(version, "2025.4.2");
}

#[test]
fn kustomize_image_tag_loses_prefix_and_suffix() {
    let (version, _) = judged_by("kustomize", "authentik/blueprints");
    assert_eq!(version, "2026.2.0");
}

#[test]
fn chart_dependency_not_the_wrapper_chart_version() {
    let (version, _) = judged_by("chart-dependency", "charts/authentik/blueprints");
    assert_eq!(version, "2025.10.0");
}

#[test]
fn dockerfile_from_tag_with_digest() {
    let (version, _) = judged_by("dockerfile", "docker/blueprints");
    assert_eq!(version, "2024.10.5");
}

#[test]
fn disagreeing_pins_take_the_nearest_and_name_both() {
    let (version, stderr) = judged_by("disagreeing", "k8s/authentik/blueprints");
    assert_eq!(version, "2025.10.1");
    assert!(
        stderr.contains("2025.10.1 (k8s/authentik/helmrelease.yaml:9)")
            && stderr.contains("2024.12.1 (infra/compose/docker-compose.yml:3)"),
        "{stderr}"
    );
}

#[test]
fn bplint_toml_overrides_the_pin() {
    let (version, _) = judged_by("toml-override", "k8s/blueprints");
    assert_eq!(version, "2025.4.4");
}

#[test]
fn bplint_own_repository_detects_no_release_from_its_fixtures() {
    let found = bplint::detect::detect(
        &[std::path::PathBuf::from("examples")],
        &std::env::current_dir().unwrap(),
    );
    assert_eq!(found, None);
}
