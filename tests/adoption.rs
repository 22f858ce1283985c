//! Adopting bplint on an existing repository: checking a few files in the
//! repository's context, baselines, statistics, the report-shaping options, the
//! shell completions and the manual page.

mod common;

use common::bplint;
use serde_json::Value;
use std::path::Path;

/// The summary line's release when nothing names one: "Authentik X, the newest
/// bplint knows", computed so the tests follow new knowledge tables.
fn newest() -> String {
    format!(
        "Authentik {}, the newest bplint knows",
        bplint::knowledge::Knowledge::newest().version
    )
}

const PROVIDER: &str = "\
version: 1
metadata:
  name: provider
entries:
  - model: authentik_providers_oauth2.oauth2provider
    identifiers:
      name: wiki
    attrs:
      authorization_flow: !Find [authentik_flows.flow, [slug, default-provider-authorization-implicit-consent]]
      invalidation_flow: !Find [authentik_flows.flow, [slug, default-provider-invalidation-flow]]
      property_mappings:
        - !Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-openid]]
      redirect_uris:
        - matching_mode: strict
          url: https://wiki.example.com/callback
";

const APP: &str = "\
version: 1
metadata:
  name: app
entries:
  - model: authentik_blueprints.metaapplyblueprint
    attrs:
      identifiers:
        name: provider
      required: false
  - model: authentik_core.application
    identifiers:
      slug: wiki
    attrs:
      name: Wiki
      provider: !Find [authentik_providers_oauth2.oauth2provider, [name, wiki]]
";

/// A repository (a `.git` folder is all discovery looks for) with a provider in
/// one file and the application that finds it in another.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "blueprints/provider.yaml", PROVIDER);
    write(dir.path(), "blueprints/app.yaml", APP);
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn json(dir: &Path, args: &[&str]) -> (Value, String, Option<i32>) {
    let output = bplint()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    (
        serde_json::from_slice(&output.stdout).expect("one JSON object"),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code(),
    )
}

fn codes(report: &Value) -> Vec<(String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d.get("suppressed").is_none())
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

// ---- the repository as context ------------------------------------------------

#[test]
fn a_find_of_an_object_another_file_creates_resolves_when_one_file_is_checked() {
    let repo = repository();
    let (report, _, status) = json(repo.path(), &["blueprints/app.yaml"]);
    // provider.yaml lacks `grant_types` (BP108), but it was not asked about.
    assert_eq!(codes(&report), vec![], "{report:#}");
    assert_eq!(status, Some(0));
    assert_eq!(report["files_checked"], 1);
    assert_eq!(report["files_context"], 1);

    let human = bplint()
        .current_dir(repo.path())
        .args(["check", "blueprints/app.yaml", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(human.stdout).unwrap(),
        format!(
            "No problems in 1 file ({}; 1 more file of the repository read for context).\n",
            newest()
        )
    );
}

#[test]
fn a_subfolder_finds_the_repository_above_the_current_folder() {
    let repo = repository();
    let (report, _, _) = json(&repo.path().join("blueprints"), &["app.yaml"]);
    assert_eq!(codes(&report), vec![]);
    assert_eq!(report["files_context"], 1);
}

#[test]
fn isolated_judges_the_given_files_alone() {
    let repo = repository();
    // Alone, neither the provider nor the blueprint applied first is there.
    let expected = vec![
        ("blueprints/app.yaml".to_string(), "BP211".to_string()),
        ("blueprints/app.yaml".to_string(), "BP205".to_string()),
    ];
    let (report, _, _) = json(repo.path(), &["blueprints/app.yaml", "--isolated"]);
    assert_eq!(codes(&report), expected);
    assert!(report.get("files_context").is_none(), "{report:#}");

    write(repo.path(), "bplint.toml", "[discovery]\ncontext = false\n");
    let (report, _, _) = json(repo.path(), &["blueprints/app.yaml"]);
    assert_eq!(codes(&report), expected);
}

#[test]
fn outside_a_repository_the_files_are_checked_alone() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "provider.yaml", PROVIDER);
    write(dir.path(), "app.yaml", APP);
    let (report, _, _) = json(dir.path(), &["app.yaml"]);
    assert_eq!(
        codes(&report),
        vec![
            ("app.yaml".to_string(), "BP211".to_string()),
            ("app.yaml".to_string(), "BP205".to_string())
        ]
    );
}

#[test]
fn the_folder_of_bplint_toml_is_the_repository_without_git() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bplint.toml", "");
    write(dir.path(), "provider.yaml", PROVIDER);
    write(dir.path(), "app.yaml", APP);
    let (report, _, _) = json(dir.path(), &["app.yaml"]);
    assert_eq!(codes(&report), vec![]);
}

#[test]
fn standard_input_under_a_repository_name_replaces_that_file() {
    let repo = repository();
    // The staged text of provider.yaml no longer creates `wiki`: app.yaml is
    // context, and what it finds is the staged provider's business, not this run's.
    let output = bplint()
        .current_dir(repo.path())
        .args(["check", "-", "--stdin-filename", "blueprints/app.yaml"])
        .args(["--format", "json"])
        .write_stdin(APP.replace("name, wiki", "name, wikki"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        codes(&report),
        vec![("blueprints/app.yaml".to_string(), "BP205".to_string())]
    );
    assert_eq!(report["files_context"], 1);
}

// ---- baseline -----------------------------------------------------------------

/// A repository with two findings in app.yaml (BP209 twice) and one in
/// provider.yaml (BP108), and a baseline of them.
fn baselined() -> tempfile::TempDir {
    let repo = repository();
    let app = APP.to_string() + "      meta_launch_url: on\n      meta_publisher: off\n";
    write(repo.path(), "blueprints/app.yaml", &app);
    bplint()
        .current_dir(repo.path())
        .args(["check", "--write-baseline", "bplint-baseline.json"])
        .assert()
        .code(0);
    repo
}

#[test]
fn a_baseline_holds_back_what_it_recorded() {
    let repo = baselined();
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("bplint-baseline.json")).unwrap(),
    )
    .unwrap();
    let files: Vec<&str> = recorded["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "blueprints/app.yaml",
            "blueprints/app.yaml",
            "blueprints/provider.yaml"
        ]
    );
    // Without the baseline BP108 is an error: exit 1.
    let (_, _, status) = json(repo.path(), &[]);
    assert_eq!(status, Some(1));
    let (report, stderr, status) = json(repo.path(), &["--baseline", "bplint-baseline.json"]);
    assert_eq!(status, Some(0), "{stderr}");
    assert_eq!(codes(&report), vec![]);
    assert_eq!(report["summary"]["suppressed"], 3);
    assert_eq!(report["summary"]["errors"], 0);
    let all = report["diagnostics"].as_array().unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|d| d["suppressed"] == true));
    assert!(!stderr.contains("no longer occur"), "{stderr}");
}

#[test]
fn a_baseline_survives_unrelated_edits() {
    let repo = baselined();
    let path = repo.path().join("blueprints/app.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    // A new clean entry above the recorded ones moves them down three lines, and
    // a changed attribute in the same entry leaves them alone too.
    let text = text.replace(
        "entries:\n",
        "entries:\n  - model: authentik_core.group\n    identifiers:\n      name: admins\n",
    );
    let text = text.replace("name: Wiki", "name: Team wiki");
    std::fs::write(&path, text).unwrap();
    let (report, stderr, status) = json(repo.path(), &["--baseline", "bplint-baseline.json"]);
    assert_eq!(codes(&report), vec![], "{report:#}");
    assert_eq!(status, Some(0));
    assert!(!stderr.contains("no longer occur"), "{stderr}");
}

#[test]
fn a_new_finding_in_a_baselined_file_is_reported() {
    let repo = baselined();
    let path = repo.path().join("blueprints/app.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    // Another copy of a recorded mistake is new, and so is a new kind.
    let text = text + "      meta_description: on\n      bogus_field: 1\n";
    std::fs::write(&path, text).unwrap();
    let (report, _, _) = json(repo.path(), &["--baseline", "bplint-baseline.json"]);
    let mut found = codes(&report);
    found.sort();
    assert_eq!(
        found,
        vec![
            ("blueprints/app.yaml".to_string(), "BP202".to_string()),
            ("blueprints/app.yaml".to_string(), "BP203".to_string()),
        ]
    );
    let lines: Vec<u64> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d.get("suppressed").is_none())
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [18, 19]);
}

#[test]
fn stale_entries_are_reported_once_and_only_for_checked_files() {
    let repo = baselined();
    let path = repo.path().join("blueprints/app.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "meta_launch_url: on",
            "meta_launch_url: https://app.example.com",
        ),
    )
    .unwrap();
    let (report, stderr, _) = json(repo.path(), &["--baseline", "bplint-baseline.json"]);
    assert_eq!(codes(&report), vec![]);
    assert_eq!(report["summary"]["suppressed"], 2);
    assert_eq!(stderr.matches("no longer occur").count(), 1, "{stderr}");
    assert!(
        stderr.contains("1 baseline entry no longer occurs: blueprints/app.yaml (BP203);"),
        "{stderr}"
    );
    // Checking provider.yaml alone says nothing about app.yaml's entries.
    let (_, stderr, _) = json(
        repo.path(),
        &[
            "blueprints/provider.yaml",
            "--baseline",
            "bplint-baseline.json",
        ],
    );
    assert!(!stderr.contains("no longer occur"), "{stderr}");
    // A deleted file's entries are stale wherever the run looks.
    std::fs::remove_file(repo.path().join("blueprints/provider.yaml")).unwrap();
    let (_, stderr, _) = json(
        repo.path(),
        &["blueprints/app.yaml", "--baseline", "bplint-baseline.json"],
    );
    assert!(
        stderr.contains("2 baseline entries no longer occur"),
        "{stderr}"
    );
}

/// tests/data/baseline-v1: providers whose BP101 and BP108 messages name the
/// release judged (`target: X`), and a BP209, in a fresh repository.
fn providers_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(Path::new("tests/data/baseline-v1"), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

/// Fingerprints leave the message out, so a baseline written at one release
/// still holds every finding at the next patch and the next minor, although
/// BP101's and BP108's messages name the release.
#[test]
fn a_baseline_survives_an_authentik_bump() {
    for (written, checked) in [
        ("2026.8.2", "2026.8.3"),
        ("2026.5", "2026.8"),
        ("2026.8", "2026.5"),
    ] {
        let repo = providers_repository();
        bplint()
            .current_dir(repo.path())
            .args(["check", "--authentik-version", written])
            .args(["--write-baseline", "new-baseline.json"])
            .assert()
            .code(0);
        let (report, stderr, status) = json(
            repo.path(),
            &[
                "--authentik-version",
                checked,
                "--baseline",
                "new-baseline.json",
            ],
        );
        assert_eq!(codes(&report), vec![], "{written} -> {checked}: {report:#}");
        // BP101, BP108 and BP116 on the OAuth2 provider, BP101 and BP220 on the
        // proxy provider, BP209 on the prompt.
        assert_eq!(report["summary"]["suppressed"], 6, "{written} -> {checked}");
        assert_eq!(status, Some(0));
        assert!(!stderr.contains("no longer occur"), "{stderr}");
        let messages: Vec<&str> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["message"].as_str())
            .collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains(&format!("target: {checked}"))),
            "the messages name the release checked: {messages:?}"
        );
    }
}

/// A baseline of format 1 (fingerprints with the message, written by earlier
/// bplint at 2026.8.3) still holds its findings, at that release and after a
/// bump that changes the messages, and a note says how to write format 2.
#[test]
fn a_format_1_baseline_still_matches_with_a_note() {
    let repo = providers_repository();
    let recorded = std::fs::read_to_string(repo.path().join("bplint-baseline.json")).unwrap();
    assert!(recorded.contains("\"bplint_baseline\": 1"), "{recorded}");
    for version in ["2026.8.3", "2026.8.2", "2026.5"] {
        let (report, stderr, status) = json(
            repo.path(),
            &[
                "--authentik-version",
                version,
                "--baseline",
                "bplint-baseline.json",
                // Rules newer than the baseline, which it cannot hold.
                "--ignore",
                "BP116,BP220",
            ],
        );
        assert_eq!(codes(&report), vec![], "{version}: {report:#}");
        assert_eq!(report["summary"]["suppressed"], 4, "{version}");
        assert_eq!(status, Some(0));
        assert!(
            stderr.contains("bplint-baseline.json is a baseline of format 1")
                && stderr.contains("its entries still match"),
            "{stderr}"
        );
        assert!(!stderr.contains("no longer occur"), "{stderr}");
    }
    // Written again, it is format 2 and the note is gone.
    bplint()
        .current_dir(repo.path())
        .args(["check", "--write-baseline", "bplint-baseline.json"])
        .assert()
        .code(0);
    let (_, stderr, _) = json(repo.path(), &["--baseline", "bplint-baseline.json"]);
    assert!(!stderr.contains("format 1"), "{stderr}");
}

#[test]
fn bplint_toml_names_the_baseline() {
    let repo = baselined();
    write(
        repo.path(),
        "bplint.toml",
        "baseline = \"bplint-baseline.json\"\n",
    );
    let (report, _, status) = json(&repo.path().join("blueprints"), &["."]);
    assert_eq!(codes(&report), vec![]);
    assert_eq!(status, Some(0));
    let human = bplint()
        .current_dir(repo.path())
        .args(["check", "--color", "never"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(human.stdout).unwrap();
    assert!(
        stdout.starts_with(&format!(
            "No problems in 2 files ({}). 3 findings in the baseline not shown.\n",
            newest()
        )),
        "{stdout}"
    );
}

#[test]
fn a_missing_or_broken_baseline_is_trouble() {
    let repo = repository();
    let output = bplint()
        .current_dir(repo.path())
        .args(["check", "--baseline", "nope.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("cannot read the baseline nope.json: no such file or directory"),
        "{stderr}"
    );
    write(repo.path(), "broken.json", "{\"findings\": 3}");
    let output = bplint()
        .current_dir(repo.path())
        .args(["check", "--baseline", "broken.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("broken.json:1:")
    );
}

#[test]
fn sarif_marks_baselined_results_as_suppressed() {
    let repo = baselined();
    let path = repo.path().join("blueprints/app.yaml");
    let text = std::fs::read_to_string(&path).unwrap() + "      bogus_field: 1\n";
    std::fs::write(&path, text).unwrap();
    let output = bplint()
        .current_dir(repo.path())
        .args([
            "check",
            "--baseline",
            "bplint-baseline.json",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json").unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&str> = results
        .iter()
        .filter(|r| r["suppressions"][0]["kind"] == "external")
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    let open: Vec<&str> = results
        .iter()
        .filter(|r| r.get("suppressions").is_none())
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(suppressed, ["BP203", "BP203", "BP108"]);
    assert_eq!(open, ["BP202"]);
}

// ---- statistics, --exit-zero, --quiet, the fix hint ---------------------------

#[test]
fn statistics_count_findings_per_rule_with_the_fixable_ones() {
    let output = bplint()
        .args([
            "check",
            "--statistics",
            "fixtures/BP209/bad.yaml",
            "fixtures/BP101/bad.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let json = bplint()
        .args(["check", "--statistics", "--format", "json"])
        .args(["fixtures/BP209/bad.yaml", "fixtures/BP101/bad.yaml"])
        .output()
        .unwrap();
    let rows: Value = serde_json::from_slice(&json.stdout).unwrap();
    let report = common::json_report(bplint().args([
        "check",
        "fixtures/BP209/bad.yaml",
        "fixtures/BP101/bad.yaml",
    ]));
    let findings = report["diagnostics"].as_array().unwrap();
    for row in rows.as_array().unwrap() {
        let code = row["code"].as_str().unwrap();
        let of_rule: Vec<&Value> = findings.iter().filter(|d| d["code"] == code).collect();
        let safe = of_rule
            .iter()
            .filter(|d| d["fix"]["applicability"] == "safe")
            .count();
        assert_eq!(row["count"].as_u64(), Some(of_rule.len() as u64), "{code}");
        assert_eq!(row["fixable"].as_u64(), Some(safe as u64), "{code}");
        let line = format!(
            "{}  {code}  {}",
            of_rule.len(),
            row["rule"].as_str().unwrap()
        );
        assert!(stdout.contains(&line), "{line:?} not in\n{stdout}");
    }
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows:#}");
    assert!(
        rows[0]["count"].as_u64() >= rows[1]["count"].as_u64(),
        "the most frequent first: {rows:#}"
    );
    assert!(stdout.contains("2 fixable with --fix"), "{stdout}");
}

/// SARIF, JUnit and annotations hold findings, not counts: asking for them with
/// `--statistics` is refused, naming both flags, rather than answered with a table.
/// The `github` format a CI environment picks by itself gives way to the table.
#[test]
fn statistics_refuse_formats_that_hold_findings() {
    for format in ["sarif", "github", "junit"] {
        let output = bplint()
            .args(["check", "--statistics", "--format", format])
            .arg("fixtures/BP209/bad.yaml")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{format}");
        assert!(output.stdout.is_empty(), "{format}: no report");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains("--statistics") && stderr.contains(&format!("`{format}`")),
            "{stderr}"
        );
    }
    let output = bplint()
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "--statistics", "fixtures/BP209/bad.yaml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("BP209  yaml11-implicit-type"), "{stdout}");
    assert!(!stdout.contains("::warning"), "{stdout}");
}

#[test]
fn exit_zero_passes_findings_but_not_trouble() {
    bplint()
        .args(["check", "--exit-zero", "fixtures/BP101/bad.yaml"])
        .assert()
        .code(0);
    bplint()
        .args([
            "check",
            "--exit-zero",
            "fixtures/BP101/bad.yaml",
            "missing.yaml",
        ])
        .assert()
        .code(2);
    bplint()
        .args(["check", "--exit-zero", "--diff", "fixtures/BP101/bad.yaml"])
        .assert()
        .code(0);
}

#[test]
fn quiet_prints_the_findings_alone() {
    let output = bplint()
        .args(["check", "-q", "--color", "never"])
        .args([
            "fixtures/BP209/bad.yaml",
            "Cargo.toml",
            "tests/data/sarif-schema-2.1.0.json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("BP209(yaml11-implicit-type)"), "{stdout}");
    assert!(!stdout.contains("warnings in"), "{stdout}");
    assert!(!stdout.contains("fixable"), "{stdout}");
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
    let output = bplint()
        .args([
            "check",
            "--quiet",
            "--format",
            "concise",
            "fixtures/BP209/bad.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
    assert_eq!(String::from_utf8(output.stdout).unwrap().lines().count(), 2);
}

#[test]
fn the_summary_says_what_fix_would_fix() {
    let output = bplint()
        .args(["check", "--color", "never", "fixtures/BP209/bad.yaml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.ends_with(&format!(
            "2 warnings in 1 file ({}).\n[*] 2 fixable with --fix (`--diff` shows the changes first).\n",
            newest()
        )),
        "{stdout}"
    );
    let output = bplint()
        .args(["check", "--color", "never", "fixtures/BP103/bad.yaml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("fixable with --fix --unsafe-fixes"),
        "{stdout}"
    );
    let output = bplint()
        .args(["check", "--color", "never", "fixtures/clean"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8(output.stdout)
            .unwrap()
            .contains("fixable")
    );
}

// ---- BP001 whatever the selection ---------------------------------------------

#[test]
fn a_file_that_does_not_parse_is_reported_whatever_the_selection() {
    for args in [
        ["--select", "BP101"],
        ["--ignore", "BP001"],
        ["--ignore", "ALL"],
    ] {
        let report = common::json_report(
            bplint()
                .args(["check", "fixtures/BP001/bad.yaml"])
                .args(args),
        );
        let codes: Vec<&str> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["BP001"], "{args:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bplint.toml", "[rules]\nBP001 = \"off\"\n");
    std::fs::copy("fixtures/BP001/bad.yaml", dir.path().join("bad.yaml")).unwrap();
    let report = common::json_report(bplint().current_dir(dir.path()).args(["check", "bad.yaml"]));
    assert_eq!(report["diagnostics"], serde_json::json!([]));
}

// ---- bplint.toml --------------------------------------------------------------

#[test]
fn an_unquoted_version_is_told_to_be_quoted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bplint.toml", "authentik_version = 2025.10\n");
    let output = bplint()
        .current_dir(dir.path())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("bplint.toml:1:21: authentik_version must be a string: write it in quotes, `authentik_version = \"2025.10\"`"),
        "{stderr}"
    );
}

// ---- completions and the manual page ------------------------------------------

#[test]
fn completions_cover_every_shell_and_option() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef bplint"),
        ("fish", "complete -c bplint"),
        ("elvish", "edit:completion:arg-completer[bplint]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let output = bplint().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        for word in ["write-baseline", "statistics", "isolated", "unsafe-fixes"] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
    bplint().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_manual_page_documents_every_subcommand() {
    let output = bplint().arg("man").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.starts_with(".ie"), "roff: {}", &page[..40]);
    for title in [
        ".TH bplint 1",
        ".TH bplint-check 1",
        ".TH bplint-completions 1",
    ] {
        assert!(page.contains(title), "no {title}");
    }
    assert!(page.contains("write\\-baseline"), "options are listed");
    // When man is installed, it must render the page without complaint.
    if let Ok(rendered) = std::process::Command::new("man")
        .args(["-l", "-"])
        .env("MANWIDTH", "80")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(page.as_bytes())?;
            child.wait_with_output()
        })
    {
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(text.contains("--write-baseline"), "{text}");
    }
}

// ---- bugs -------------------------------------------------------------------

#[test]
fn clients_name_the_line_of_a_provider_whose_name_is_computed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "provider.yaml",
        "version: 1\nmetadata:\n  name: p\ncontext:\n  app: wiki\nentries:\n  - model: authentik_providers_oauth2.oauth2provider\n    identifiers:\n      name: !Env APP_NAME\n    attrs:\n      client_id: wiki-client\n",
    );
    write(
        dir.path(),
        "client.toml",
        "client_id = \"wiki-client\"\nscopes = \"openid email\"\n",
    );
    let output = bplint()
        .current_dir(dir.path())
        .arg("clients")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("uses:     the provider at provider.yaml:11 (its name is set by a tag)"),
        "{stdout}"
    );
}

#[test]
fn diff_of_an_absolute_path_has_one_slash_after_the_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::copy("fixtures/BP209/bad.yaml", &path).unwrap();
    let output = bplint()
        .args(["check", "--diff"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let shown = path.display().to_string();
    let expected = format!("--- a/{}\n+++ b/{}\n", &shown[1..], &shown[1..]);
    assert!(stdout.starts_with(&expected), "{stdout}");
}
