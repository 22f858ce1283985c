//! `bplint upgrade --to RELEASE`: the findings an upgrade adds and resolves, on
//! fixtures/upgrade/ (each file says what changes between which releases), run
//! through the binary as CI runs it.

mod common;

use std::path::Path;

const PROXY: &str = "fixtures/upgrade/proxy-without-invalidation-flow.yaml";
const NO_GRANTS: &str = "fixtures/upgrade/oauth2-without-grant-types.yaml";
const GRANTS: &str = "fixtures/upgrade/oauth2-with-grant-types.yaml";
/// `parent` is a field of groups at 2025.10; 2025.12 replaced it (BP202). Written
/// by the test rather than kept in fixtures/: BP202's unsafe fix renames it to
/// `parents`, which takes a list, and tests/fix_safety.rs holds every fixture to
/// fixes that add no error.
const GROUP: &str = "version: 1
metadata:
  name: upgrade groups
entries:
  - model: authentik_core.group
    id: admins
    identifiers:
      name: admins
  - model: authentik_core.group
    identifiers:
      name: staff
    attrs:
      parent: !KeyOf admins
";

/// `bplint upgrade --isolated --authentik-version FROM --to TO <args>`: exit
/// code, standard output, standard error.
fn upgrade(from: &str, to: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let output = common::bplint()
        .args(["upgrade", "--isolated", "--color", "never"])
        .args(["--authentik-version", from, "--to", to])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn json(from: &str, to: &str, paths: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut args = vec!["--format", "json"];
    args.extend(paths);
    let (code, stdout, stderr) = upgrade(from, to, &args);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (code, report)
}

fn codes(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{}:{}", d["code"].as_str().unwrap(), d["line"]))
        .collect()
}

#[test]
fn a_required_invalidation_flow_breaks_the_upgrade_with_its_fix() {
    let (code, report) = json("2024.8", "2024.10", &[PROXY]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report["diagnostics"]), ["BP101:6"]);
    assert!(
        report["diagnostics"][0]["fix"]["edits"].is_array(),
        "{report:#}"
    );
    assert_eq!(
        report["upgrade"],
        serde_json::json!({"from": "2024.8.6", "to": "2024.10.5"})
    );
    assert_eq!(codes(&report["resolved"]), Vec::<String>::new());
    assert_eq!(report["authentik_version"]["source"], "--authentik-version");
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn grant_types_appear_as_missing_and_as_resolved() {
    let (code, report) = json("2026.2", "2026.8", &[NO_GRANTS, GRANTS]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report["diagnostics"]), ["BP108:6"]);
    assert_eq!(report["diagnostics"][0]["file"], NO_GRANTS);
    // At 2026.2 `grant_types` is not a field (BP202); 2026.8 has it.
    assert_eq!(codes(&report["resolved"]), ["BP202:15"]);
    assert_eq!(report["resolved"][0]["file"], GRANTS);
    assert_eq!(report["resolved"][0]["column"], 7);
}

#[test]
fn human_output_names_both_releases_and_lists_what_is_resolved() {
    let (code, stdout, _) = upgrade("2026.2", "2026.8", &[NO_GRANTS, GRANTS]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.starts_with("Upgrading Authentik 2026.2.2 (from --authentik-version) -> 2026.8.3\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("BP108(oauth2-grant-types-missing)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "Resolved by the upgrade:\n  {GRANTS}:15:7 BP202 `grant_types` is not a field of \
             `authentik_providers_oauth2.oauth2provider` in Authentik 2026.2 (added in \
             Authentik 2026.5)\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "The upgrade adds 1 error in 2 files and resolves 1 finding \
             (Authentik 2026.2.2 from --authentik-version -> 2026.8.3).\n"
        ),
        "{stdout}"
    );
    // `upgrade` writes nothing; the hint says which `check` applies the fix.
    assert!(
        stdout.contains("`bplint check --authentik-version 2026.8.3 --fix --unsafe-fixes`"),
        "{stdout}"
    );
}

#[test]
fn a_new_warning_fails_only_with_deny_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let group = dir.path().join("groups.yaml");
    std::fs::write(&group, GROUP).unwrap();
    let group = group.to_str().unwrap();
    let (code, report) = json("2025.10", "2025.12", &[group]);
    assert_eq!(code, Some(0));
    assert_eq!(codes(&report["diagnostics"]), ["BP202:13"]);
    let (code, _, _) = upgrade("2025.10", "2025.12", &["--deny-warnings", group]);
    assert_eq!(code, Some(1));
}

#[test]
fn a_finding_at_both_releases_is_not_new_although_its_message_names_the_release() {
    // BP101's message says `(target: 2024.10.5)` now and `(target: 2026.8.3)` after.
    let (code, report) = json("2024.10", "2026.8", &[PROXY]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(codes(&report["diagnostics"]), Vec::<String>::new());
    assert_eq!(codes(&report["resolved"]), Vec::<String>::new());
    let (code, stdout, _) = upgrade("2024.10", "2026.8", &[PROXY]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.ends_with(
            "The upgrade adds no problems in 1 file and resolves 0 findings \
             (Authentik 2024.10.5 from --authentik-version -> 2026.8.3).\n"
        ),
        "{stdout}"
    );
}

#[test]
fn a_downgrade_is_checked_with_a_note() {
    let (code, report) = json("2024.10", "2024.8", &[PROXY]);
    assert_eq!(code, Some(0));
    assert_eq!(codes(&report["resolved"]), ["BP101:6"]);
    let (_, _, stderr) = upgrade("2024.10", "2024.8", &[PROXY]);
    assert!(
        stderr.contains("bplint: note: Authentik 2024.8.6 is older than the current 2024.10.5: this checks a downgrade"),
        "{stderr}"
    );
}

#[test]
fn a_bad_target_release_exits_two_and_says_why() {
    let (code, stdout, stderr) = upgrade("2025.10", "2025.3", &[PROXY]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("bplint: error: --to 2025.3: Authentik has no release 2025.3"),
        "{stderr}"
    );
    let (code, _, stderr) = upgrade("2025.10", "latest", &[PROXY]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("`latest` is not an Authentik version"),
        "{stderr}"
    );
}

#[test]
fn an_unreadable_path_exits_two() {
    let (code, _, stderr) = upgrade("2024.8", "2024.10", &[PROXY, "no/such/dir"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("no/such/dir: no such file or directory"),
        "{stderr}"
    );
}

#[test]
fn sarif_carries_the_releases_and_the_new_findings() {
    let (code, stdout, _) = upgrade("2024.8", "2024.10", &["--format", "sarif", PROXY]);
    assert_eq!(code, Some(1));
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(
        run["properties"]["upgrade"],
        serde_json::json!({"from": "2024.8.6", "to": "2024.10.5"})
    );
    assert_eq!(
        run["properties"]["authentik_version"]["version"],
        "2024.8.6"
    );
    let rules: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["BP101"]);
}

#[test]
fn concise_keeps_the_header_and_summary_on_standard_error() {
    let (code, stdout, stderr) = upgrade("2024.8", "2024.10", &["--format", "concise", PROXY]);
    assert_eq!(code, Some(1));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(&format!("{PROXY}:6:12: BP101 error")),
        "{stdout}"
    );
    assert!(
        stderr
            .starts_with("Upgrading Authentik 2024.8.6 (from --authentik-version) -> 2024.10.5\n"),
        "{stderr}"
    );
}

#[test]
fn the_current_release_is_the_one_the_repository_pins() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(Path::new("fixtures/detect/flux-helmrelease"), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let blueprints = "clusters/home/authentik/blueprints";
    std::fs::copy(NO_GRANTS, dir.path().join(blueprints).join("grafana.yaml")).unwrap();
    let run = |format: &str| {
        common::bplint()
            .current_dir(dir.path())
            .args([
                "upgrade", "--to", "2026.8", "--color", "never", "--format", format,
            ])
            .arg(blueprints)
            .output()
            .unwrap()
    };
    let human = run("human");
    let stdout = String::from_utf8(human.stdout).unwrap();
    assert!(
        stdout.starts_with(
            "Upgrading Authentik 2025.10.1 (from clusters/home/authentik/helmrelease.yaml:12) -> 2026.8.3\n"
        ),
        "{stdout}"
    );
    assert_eq!(human.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&run("json").stdout).unwrap();
    assert_eq!(
        report["authentik_version"],
        serde_json::json!({
            "version": "2025.10.1",
            "knowledge": "2025.10",
            "source": "clusters/home/authentik/helmrelease.yaml:12",
        })
    );
    assert_eq!(report["upgrade"]["from"], "2025.10.1");
    let new: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    assert!(
        new.contains(&("BP108", "clusters/home/authentik/blueprints/grafana.yaml")),
        "{report:#}"
    );
}

/// Findings that hold only where an entry creates its object (BP108 on a
/// provider created without `grant_types`, BP101's required invalidation flow)
/// are counted apart: an install that has the provider already is not affected.
#[test]
fn creation_only_findings_are_counted_apart() {
    let (code, report) = json("2026.2", "2026.8", &[NO_GRANTS, GRANTS]);
    assert_eq!(code, Some(1));
    let message = report["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("only creation breaks"), "{message}");
    assert_eq!(
        report["breaks_creation"],
        serde_json::json!({"provider": 1})
    );
    // A proxy provider without an invalidation flow and an OAuth2 provider
    // without grant types.
    let (_, stdout, _) = upgrade("2024.8", "2026.8", &[PROXY, NO_GRANTS]);
    assert!(
        stdout.contains(
            "Breaks creation of 2 providers: 2 new findings hold only where an entry creates \
             its object; on an install that has the object already the entry updates it, and \
             they do not apply.\n"
        ),
        "{stdout}"
    );
    // `check` has no such count.
    let output = common::bplint()
        .args(["check", "--isolated", "--format", "json", NO_GRANTS])
        .output()
        .unwrap();
    let check: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(check.get("breaks_creation").is_none(), "{check:#}");
}
