//! Release detection on real-shaped repository layouts (fixtures/detect/<layout>/):
//! each layout is copied into a temporary folder with a `.git` folder, so it is a
//! repository of its own, and bplint runs from its root on the blueprints' folder
//! as a user would. The release judged by shows in BP101's message (`target: X`)
//! and in the report's `authentik_version`, with the pin's path and line.
//!
//! fixtures/detect/ holds a `.bplint-detect-ignore` marker, so bplint run inside
//! its own repository never takes a fixture's pin for the repository's release.

mod common;

use assert_cmd::Command;
use std::path::Path;

/// What a run from the layout's root reports: the release in BP101's message,
/// the report's `authentik_version` object, and standard error.
struct Judged {
    /// `None` before 2024.10, where BP101 does not fire.
    target: Option<String>,
    authentik_version: serde_json::Value,
    stderr: String,
}

/// Copies the layout into a fresh repository and runs `bplint check --format
/// json <blueprints> <extra>` from its root.
fn run_in(layout: &str, blueprints: &str, extra: &[&str]) -> Judged {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&Path::new("fixtures/detect").join(layout), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let out = Command::cargo_bin("bplint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--format", "json", blueprints])
        .args(extra)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let target = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "BP101")
        .and_then(|d| d["message"].as_str())
        .map(|message| {
            message
                .rsplit("(target: ")
                .next()
                .unwrap()
                .trim_end_matches(')')
                .to_string()
        });
    Judged {
        target,
        authentik_version: report["authentik_version"].clone(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Runs the layout, checks that the report names `version` (its tables
/// `knowledge`) and `source`, and returns the release in BP101's message and
/// standard error.
fn judged_by(layout: &str, blueprints: &str, knowledge: &str, source: &str) -> (String, String) {
    let judged = run_in(layout, blueprints, &[]);
    let target = judged
        .target
        .unwrap_or_else(|| panic!("{layout}: no BP101"));
    assert_eq!(
        judged.authentik_version,
        serde_json::json!({"version": target, "knowledge": knowledge, "source": source}),
        "{layout}"
    );
    (target, judged.stderr)
}

#[test]
fn flux_helmrelease_chart_version() {
    let (version, _) = judged_by(
        "flux-helmrelease",
        "clusters/home/authentik/blueprints",
        "2025.10",
        "clusters/home/authentik/helmrelease.yaml:12",
    );
    assert_eq!(version, "2025.10.1");
}

#[test]
fn oci_repository_tag_with_a_chart_ref_helmrelease() {
    let (version, _) = judged_by(
        "oci-chartref",
        "kubernetes/apps/authentik/app/blueprints",
        "2025.8",
        "kubernetes/apps/authentik/app/ocirepository.yaml:12",
    );
    assert_eq!(version, "2025.8.4");
}

#[test]
fn compose_tag_from_env_where_the_last_assignment_wins() {
    let (version, stderr) = judged_by("compose-env", "blueprints", "2025.10", ".env:4");
    assert_eq!(version, "2025.10.2");
    assert!(!stderr.contains("note"), "{stderr}");
}

#[test]
fn argo_cd_application_target_revision() {
    let (version, _) = judged_by(
        "argocd",
        "apps/config/blueprints",
        "2025.4",
        "apps/authentik.yaml:11",
    );
    assert_eq!(version, "2025.4.2");
}

#[test]
fn kustomize_image_tag_loses_prefix_and_suffix() {
    let (version, _) = judged_by(
        "kustomize",
        "authentik/blueprints",
        "2026.2",
        "authentik/kustomization.yaml:8",
    );
    assert_eq!(version, "2026.2.0");
}

#[test]
fn chart_dependency_not_the_wrapper_chart_version() {
    let (version, _) = judged_by(
        "chart-dependency",
        "charts/authentik/blueprints",
        "2025.10",
        "charts/authentik/Chart.lock:7",
    );
    assert_eq!(version, "2025.10.0");
}

#[test]
fn dockerfile_from_tag_with_digest() {
    let (version, _) = judged_by(
        "dockerfile",
        "docker/blueprints",
        "2024.10",
        "docker/Dockerfile:1",
    );
    assert_eq!(version, "2024.10.5");
}

#[test]
fn disagreeing_pins_take_the_nearest_and_name_both() {
    let (version, stderr) = judged_by(
        "disagreeing",
        "k8s/authentik/blueprints",
        "2025.10",
        "k8s/authentik/helmrelease.yaml:9",
    );
    assert_eq!(version, "2025.10.1");
    assert!(
        stderr.contains("2025.10.1 (k8s/authentik/helmrelease.yaml:9)")
            && stderr.contains("2024.12.1 (infra/compose/docker-compose.yml:3)"),
        "{stderr}"
    );
}

#[test]
fn bplint_toml_overrides_the_pin() {
    let (version, _) = judged_by("toml-override", "k8s/blueprints", "2025.4", "bplint.toml");
    assert_eq!(version, "2025.4.4");
}

#[test]
fn the_flag_overrides_the_pin_and_a_bare_minor_names_its_newest_patch() {
    let judged = run_in(
        "flux-helmrelease",
        "clusters/home/authentik/blueprints",
        &["--authentik-version", "2024.8"],
    );
    // Before 2024.10 no provider needs an invalidation flow.
    assert_eq!(judged.target, None);
    assert_eq!(
        judged.authentik_version,
        serde_json::json!({"version": "2024.8.6", "knowledge": "2024.8", "source": "--authentik-version"})
    );
}

#[test]
fn a_release_older_than_every_table_is_named_as_given() {
    let judged = run_in(
        "flux-helmrelease",
        "clusters/home/authentik/blueprints",
        &["--authentik-version", "2023.10.4"],
    );
    let oldest = bplint::knowledge::all_versions()[0].name;
    assert_eq!(
        judged.authentik_version,
        serde_json::json!({"version": "2023.10.4", "knowledge": oldest, "source": "--authentik-version"})
    );
    assert!(
        judged.stderr.contains("older than every release"),
        "{}",
        judged.stderr
    );
}

#[test]
fn without_a_pin_or_with_detection_off_the_source_is_default() {
    let newest = bplint::knowledge::Knowledge::newest();
    let default = serde_json::json!({
        "version": newest.version.to_string(),
        "knowledge": newest.def.name,
        "source": "default",
    });
    // The same blueprints with every pin gone.
    let dir = tempfile::tempdir().unwrap();
    let blueprints = dir.path().join("blueprints");
    std::fs::create_dir_all(&blueprints).unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::copy("fixtures/BP101/bad.yaml", blueprints.join("app.yaml")).unwrap();
    let out = Command::cargo_bin("bplint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "blueprints"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["authentik_version"], default);
    // A pin is there, but bplint.toml switches detection off.
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(Path::new("fixtures/detect/flux-helmrelease"), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join("bplint.toml"),
        "[detect]\nversion = false\n",
    )
    .unwrap();
    let out = Command::cargo_bin("bplint")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "clusters/home/authentik/blueprints",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["authentik_version"], default);
}

#[test]
fn sarif_and_the_summary_line_name_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(Path::new("fixtures/detect/flux-helmrelease"), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let run = |format: &str| {
        Command::cargo_bin("bplint")
            .unwrap()
            .current_dir(dir.path())
            .args(["check", "--format", format, "--color", "never"])
            .arg("clusters/home/authentik/blueprints")
            .output()
            .unwrap()
    };
    let sarif: serde_json::Value = serde_json::from_slice(&run("sarif").stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["authentik_version"],
        serde_json::json!({
            "version": "2025.10.1",
            "knowledge": "2025.10",
            "source": "clusters/home/authentik/helmrelease.yaml:12",
        })
    );
    let human = String::from_utf8(run("human").stdout).unwrap();
    assert!(
        human.contains(
            "\n2 errors in 1 file (Authentik 2025.10.1 from clusters/home/authentik/helmrelease.yaml:12).\n"
        ),
        "{human}"
    );
    let concise = run("concise");
    let summary = String::from_utf8(concise.stderr).unwrap();
    assert!(
        summary.contains("(Authentik 2025.10.1 from clusters/home/authentik/helmrelease.yaml:12)."),
        "{summary}"
    );
}

#[test]
fn bplint_own_repository_detects_no_release_from_its_fixtures() {
    let found = bplint::detect::detect(
        &[std::path::PathBuf::from("examples")],
        &std::env::current_dir().unwrap(),
    );
    assert_eq!(found, None);
}

/// A folder outside any repository: `parent/docker-compose.yml` pins 2024.12.1,
/// `parent/other/docker-compose.yml` pins 2024.8.1, and `parent/blueprints/`
/// holds a blueprint (and, with `beside`, a compose file pinning 2025.10.1).
fn outside_a_repository(beside: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let compose =
        |tag: &str| format!("services:\n  server:\n    image: ghcr.io/goauthentik/server:{tag}\n");
    std::fs::create_dir_all(dir.path().join("blueprints")).unwrap();
    std::fs::create_dir_all(dir.path().join("other")).unwrap();
    std::fs::write(dir.path().join("docker-compose.yml"), compose("2024.12.1")).unwrap();
    std::fs::write(
        dir.path().join("other/docker-compose.yml"),
        compose("2024.8.1"),
    )
    .unwrap();
    std::fs::copy(
        "fixtures/BP101/bad.yaml",
        dir.path().join("blueprints/app.yaml"),
    )
    .unwrap();
    if beside {
        std::fs::write(
            dir.path().join("blueprints/compose.yaml"),
            compose("2025.10.1"),
        )
        .unwrap();
    }
    dir
}

fn report_from(cwd: &Path, paths: &[&Path]) -> serde_json::Value {
    let out = Command::cargo_bin("bplint")
        .unwrap()
        .current_dir(cwd)
        .args(["check", "--format", "json"])
        .args(paths)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn run_from_the_root_folder_outside_a_repository_reads_no_folder_above_the_file() {
    let dir = outside_a_repository(false);
    let file = dir.path().join("blueprints/app.yaml");
    let report = report_from(Path::new("/"), &[&file]);
    // Neither the parent's pin nor anything else on the disk: the default.
    assert_eq!(report["authentik_version"]["source"], "default", "{report}");
    // No repository to survey for instances: only a folder the user names
    // may be read whole outside one.
    assert_eq!(
        bplint::detect::repository_of(std::slice::from_ref(&file), Path::new("/"), None),
        None
    );
    assert_eq!(
        bplint::detect::repository_of(&[dir.path().join("blueprints")], Path::new("/"), None),
        Some(dir.path().join("blueprints"))
    );
    assert!(report.get("files_context").is_none(), "{report}");
}

#[test]
fn outside_a_repository_a_checked_file_does_not_open_the_folders_below_its_own() {
    // `bplint check ~/app.yaml` must not read the rest of the home folder: a
    // pin in a folder below the file's (another project) is not the file's.
    let dir = outside_a_repository(false);
    let file = dir.path().join("app.yaml");
    std::fs::copy("fixtures/BP101/bad.yaml", &file).unwrap();
    std::fs::remove_file(dir.path().join("docker-compose.yml")).unwrap();
    let report = report_from(Path::new("/"), &[&file]);
    assert_eq!(report["authentik_version"]["source"], "default", "{report}");
    // Named as a folder, it is read whole: `other/`'s pin is found.
    let report = report_from(Path::new("/"), &[dir.path()]);
    assert_eq!(
        report["authentik_version"]["version"], "2024.8.1",
        "{report}"
    );
}

#[test]
fn outside_a_repository_a_pin_beside_the_checked_file_still_counts() {
    let dir = outside_a_repository(true);
    let file = dir.path().join("blueprints/app.yaml");
    let report = report_from(Path::new("/"), &[&file]);
    let beside = dir.path().join("blueprints/compose.yaml");
    let shown = beside.strip_prefix("/").unwrap();
    assert_eq!(
        report["authentik_version"],
        serde_json::json!({
            "version": "2025.10.1",
            "knowledge": "2025.10",
            "source": format!("{}:3", shown.display()),
        })
    );
}

#[test]
fn outside_a_repository_the_current_folder_is_not_searched_above_the_checked_paths() {
    // Run from `parent`, checking `blueprints`: parent's own compose file is
    // above the checked folder, so it is not read.
    let dir = outside_a_repository(false);
    let report = report_from(dir.path(), &[Path::new("blueprints")]);
    assert_eq!(report["authentik_version"]["source"], "default", "{report}");
    // Two checked folders: the search covers the folder holding both, parent's
    // pins included, the nearest to them first.
    let report = report_from(dir.path(), &[Path::new("blueprints"), Path::new("other")]);
    assert_eq!(
        report["authentik_version"]["version"], "2024.8.1",
        "{report}"
    );
}

#[test]
fn self_built_image_in_a_kustomize_images_entry() {
    let (version, _) = judged_by(
        "self-built-kustomize",
        "deploy/authentik/blueprints",
        "2025.10",
        "deploy/authentik/kustomization.yaml:8",
    );
    assert_eq!(version, "2025.10.1");
}

#[test]
fn self_built_image_in_helm_values_repository_and_tag() {
    let (version, _) = judged_by(
        "helm-values-image",
        "helm/authentik/blueprints",
        "2025.8",
        "helm/authentik/values.yaml:5",
    );
    assert_eq!(version, "2025.8.4");
}

#[test]
fn ansible_variable_far_down_in_group_vars() {
    let (version, _) = judged_by(
        "ansible",
        "roles/authentik/files/blueprints",
        "2025.6",
        "inventory/group_vars/authentik.yml:6",
    );
    assert_eq!(version, "2025.6.3");
}

#[test]
fn terraform_variable_default() {
    let (version, _) = judged_by("terraform", "blueprints", "2025.4", "variables.tf:9");
    assert_eq!(version, "2025.4.2");
}

#[test]
fn terraform_tfvars_setting() {
    let (version, stderr) = judged_by(
        "tfvars",
        "infra/blueprints",
        "2025.10",
        "infra/prod.tfvars:2",
    );
    assert_eq!(version, "2025.10.2");
    assert!(!stderr.contains("note"), "{stderr}");
}

#[test]
fn env_file_setting() {
    let (version, _) = judged_by(
        "env-file",
        "stack/blueprints",
        "2026.2",
        "stack/authentik.env:2",
    );
    assert_eq!(version, "2026.2.1");
}

#[test]
fn in_a_large_repository_the_pin_beside_the_blueprints_wins_over_far_ones() {
    // `archive/` and `clusters/lab/` come first by name and pin other
    // deployments; the HelmRelease in the blueprints' sibling folder is theirs.
    let (version, stderr) = judged_by(
        "far-pins",
        "clusters/prod/authentik/blueprints",
        "2025.10",
        "clusters/prod/authentik/app/helmrelease.yaml:11",
    );
    assert_eq!(version, "2025.10.1");
    assert!(
        stderr.contains("2024.12.1 (clusters/lab/authentik/helmrelease.yaml:9)"),
        "{stderr}"
    );
}

#[test]
fn the_compose_file_mounting_the_blueprints_wins_over_a_nearer_pin() {
    let (version, stderr) = judged_by(
        "compose-deploys",
        "config/authentik/blueprints",
        "2025.10",
        "docker-compose.yml:3",
    );
    assert_eq!(version, "2025.10.1");
    assert!(
        stderr.contains("2024.12.3 (config/authentik/.env.example:2)"),
        "{stderr}"
    );
}
