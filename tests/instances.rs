//! Authentik instances on real-shaped repositories (fixtures/repos/<layout>/):
//! each layout is copied into a temporary folder with a `.git` folder and bplint
//! runs from its root. Two instances in one repository are checked as two sets
//! (nothing conflicts or resolves across them), one instance stays one set
//! however its blueprint folders are laid out, and a blueprint nothing deploys
//! is checked apart.
//!
//! fixtures/repos/ holds a `.bplint-detect-ignore` marker, so bplint run inside
//! its own repository finds neither the fixtures' pins nor their deployments.

mod common;

use std::path::Path;

/// The layout copied into a fresh repository.
fn repository(layout: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&Path::new("fixtures/repos").join(layout), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

/// Standard output and standard error of `bplint ARGS` run from `dir`.
fn run(dir: &Path, args: &[&str]) -> (String, String) {
    let out = common::bplint()
        .current_dir(dir)
        .args(args)
        .args(["--color", "never"].iter().filter(|_| args[0] == "check"))
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn flux_overlays_are_two_instances_with_their_own_releases() {
    let dir = repository("flux-overlays");
    let (listing, _) = run(dir.path(), &["instances"]);
    insta::assert_snapshot!("flux_overlays_instances", listing);
    // README's "Several Authentik instances" shows it, the note left out.
    let shown: String = listing
        .lines()
        .filter(|l| !l.starts_with("note:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(&format!("```\n{shown}```\n")),
        "README.md's listing differs:\n{shown}"
    );
    let (human, stderr) = run(dir.path(), &["check"]);
    insta::assert_snapshot!("flux_overlays_check_human", human);
    // One note for the releases, one for the stale ConfigMap; none for the
    // repository's pins as if it had one release.
    assert!(
        stderr.contains("the instances pin different Authentik releases"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "apps/authentik/stale/old-blueprints.yaml: no instance deploys this blueprint"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("the repository pins"), "{stderr}");
    let (json, _) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    insta::assert_snapshot!("flux_overlays_check_json", json);
    // The same application and blueprint name in both overlays, and in the
    // stale ConfigMap: no conflict, no duplicate name. Staging's misspelt field
    // is staging's finding.
    assert_eq!(codes(&report), ["BP202"], "{json}");
    assert_eq!(
        report["diagnostics"][0]["instance"],
        "authentik (clusters/staging)"
    );
    let names: Vec<&str> = report["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "authentik (clusters/production)",
            "authentik (clusters/staging)",
            "not deployed"
        ]
    );
    assert_eq!(
        report["instances"][1]["authentik_version"]["version"],
        "2026.2.1"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&run(dir.path(), &["check", "--format", "sarif"]).0).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["instances"], report["instances"],
        "{sarif}"
    );
}

#[test]
fn without_the_deployment_evidence_the_same_files_conflict() {
    // The check before instances: one set, BP212 and BP208 across overlays.
    let dir = repository("flux-overlays");
    std::fs::remove_dir_all(dir.path().join("clusters")).unwrap();
    std::fs::remove_file(dir.path().join("apps/authentik/base/helmrelease.yaml")).unwrap();
    let (json, _) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let found = codes(&report);
    assert!(
        found.contains(&"BP212".to_string()) && found.contains(&"BP208".to_string()),
        "{json}"
    );
    assert!(report.get("instances").is_none(), "{json}");
}

#[test]
fn a_finding_names_its_instance() {
    let dir = repository("argocd-apps");
    // A typo in dev only: the finding is dev's, and prod's copy is untouched.
    let grafana = dir.path().join("deploy/dev/blueprints/grafana.yaml");
    let text = std::fs::read_to_string(&grafana).unwrap();
    std::fs::write(&grafana, text.replace("meta_launch_url", "meta_launch_ur")).unwrap();
    let (json, _) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{json}");
    assert_eq!(diagnostics[0]["code"], "BP202");
    assert_eq!(diagnostics[0]["instance"], "authentik-dev");
    let (_, summary) = run(dir.path(), &["check", "--format", "concise"]);
    assert!(
        summary.contains("(instance authentik-dev: Authentik 2026.8.3, the newest bplint knows; instance authentik-prod: Authentik 2026.8.3, the newest bplint knows)."),
        "{summary}"
    );
}

#[test]
fn argo_cd_applications_are_two_instances() {
    let dir = repository("argocd-apps");
    let (listing, _) = run(dir.path(), &["instances", "--format", "json"]);
    insta::assert_snapshot!("argocd_apps_instances_json", listing);
    let (json, _) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(codes(&report).is_empty(), "{json}");
}

#[test]
fn compose_sites_are_two_instances_at_their_own_releases() {
    let dir = repository("compose-sites");
    let (listing, _) = run(dir.path(), &["instances"]);
    insta::assert_snapshot!("compose_sites_instances", listing);
    let (human, _) = run(dir.path(), &["check"]);
    insta::assert_snapshot!("compose_sites_check_human", human);
}

#[test]
fn one_instance_with_blueprints_in_sibling_folders_stays_one_set() {
    let dir = repository("one-instance-siblings");
    let (listing, _) = run(dir.path(), &["instances"]);
    insta::assert_snapshot!("one_instance_siblings_instances", listing);
    let (json, _) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    // The `!Find` of the group in the apps folder finds it in the groups
    // folder (BP119 names it; split per folder it would match nothing, BP205).
    assert_eq!(codes(&report), ["BP119"], "{json}");
    assert!(
        report["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("authentik/groups/wiki.yaml"),
        "{json}"
    );
    assert!(report.get("instances").is_none(), "{json}");
    assert_eq!(
        report["authentik_version"]["source"],
        "docker-compose.yml:3"
    );
}

#[test]
fn instances_in_bplint_toml() {
    let dir = repository("argocd-apps");
    std::fs::remove_dir_all(dir.path().join("argocd")).unwrap();
    std::fs::write(
        dir.path().join("bplint.toml"),
        "[[instances]]\nname = \"prod\"\npaths = [\"deploy/prod\"]\nauthentik_version = \"2025.4\"\n\n\
         [[instances]]\nname = \"dev\"\npaths = [\"deploy/dev\"]\n",
    )
    .unwrap();
    let (json, _) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(codes(&report).is_empty(), "{json}");
    assert_eq!(report["instances"][0]["name"], "prod");
    assert_eq!(
        report["instances"][0]["authentik_version"],
        serde_json::json!({"version": "2025.4.4", "knowledge": "2025.4", "source": "bplint.toml"})
    );
    assert_eq!(
        report["instances"][1]["authentik_version"]["source"],
        "default"
    );
    let (listing, _) = run(dir.path(), &["instances"]);
    assert!(
        listing.contains("from bplint.toml:1: [[instances]] `prod`"),
        "{listing}"
    );
}

#[test]
fn a_repository_without_evidence_is_one_set() {
    let dir = repository("argocd-apps");
    std::fs::remove_dir_all(dir.path().join("argocd")).unwrap();
    let (listing, _) = run(dir.path(), &["instances"]);
    assert!(
        listing.starts_with("No deployment evidence found"),
        "{listing}"
    );
    let (json, _) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(report.get("instances").is_none(), "{json}");
    assert!(codes(&report).contains(&"BP212".to_string()), "{json}");
}

#[test]
fn a_helmrelease_deploys_the_configmaps_its_values_name() {
    let dir = repository("helmrelease-configmaps");
    let (listing, _) = run(dir.path(), &["instances"]);
    insta::assert_snapshot!("helmrelease_configmaps_instances", listing);
    let (json, stderr) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    // The old ConfigMap no value names holds the same blueprint name and flow:
    // checked apart, it raises neither BP212 nor BP208 against the deployed one.
    assert!(codes(&report).is_empty(), "{json}");
    assert!(
        stderr
            .contains("kubernetes/authentik/old/login-v1.yaml: no instance deploys this blueprint"),
        "{stderr}"
    );
    assert_eq!(report["instances"][0]["files_checked"], 2, "{json}");
    assert_eq!(report["instances"][1]["name"], "not deployed", "{json}");
}

#[test]
fn evidence_that_reaches_no_blueprint_keeps_one_set_with_a_note() {
    let dir = repository("argocd-apps");
    for env in ["prod", "dev"] {
        let app = dir.path().join(format!("argocd/authentik-{env}.yaml"));
        let text = std::fs::read_to_string(&app).unwrap();
        std::fs::write(&app, text.replace("path: deploy/", "path: elsewhere/")).unwrap();
    }
    let (json, stderr) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(report.get("instances").is_none(), "{json}");
    assert!(
        stderr.contains("argocd/authentik-dev.yaml:11: Argo CD Application `authentik-dev` (path elsewhere/dev) deploys elsewhere/dev, which does not exist here"),
        "{stderr}"
    );
    assert!(stderr.contains("they are checked as one set"), "{stderr}");
}

#[test]
fn fix_works_per_instance() {
    let dir = repository("flux-overlays");
    let (_, stderr) = run(dir.path(), &["check", "--fix", "--unsafe-fixes"]);
    assert!(stderr.contains("applied 1 fix in 1 file"), "{stderr}");
    let staging = std::fs::read_to_string(
        dir.path()
            .join("apps/authentik/overlays/staging/blueprints/grafana.yaml"),
    )
    .unwrap();
    assert!(
        staging.contains("meta_description: Dashboards (staging)"),
        "{staging}"
    );
    // Fixed, and judged per instance again: nothing left, no conflict across.
    let (json, _) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(codes(&report).is_empty(), "{json}");
}

#[test]
fn one_instance_is_judged_by_the_pin_of_the_files_that_deploy_it() {
    // Production alone: one set. Its overlay patches the chart version; the
    // base's HelmRelease, as near to the base's blueprints, names another.
    let dir = repository("flux-overlays");
    for gone in [
        "clusters/staging",
        "apps/authentik/overlays/staging",
        "apps/authentik/stale",
    ] {
        std::fs::remove_dir_all(dir.path().join(gone)).unwrap();
    }
    let patch = dir
        .path()
        .join("apps/authentik/overlays/production/helmrelease-patch.yaml");
    let text = std::fs::read_to_string(&patch).unwrap();
    std::fs::write(&patch, text.replace("2025.10.1", "2025.8.0")).unwrap();
    let (json, stderr) = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(report.get("instances").is_none(), "{json}");
    assert_eq!(
        report["authentik_version"]["source"],
        "apps/authentik/overlays/production/helmrelease-patch.yaml:9",
        "{json}"
    );
    assert!(
        stderr.contains("2025.10.1 (apps/authentik/base/helmrelease.yaml:9)"),
        "{stderr}"
    );
}
