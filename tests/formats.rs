//! Every `--format` on the same findings, and the contracts each one has with the
//! tool that reads it: SARIF against the official schema, GitHub's workflow-command
//! escaping and column rule, JUnit as well-formed XML, and `--output`.

mod common;

use assert_cmd::Command;
use bplint::cli::Format;
use bplint::pipeline::Outcome;
use bplint::report;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The summary line's release when nothing names one: "Authentik X, the newest
/// bplint knows", computed so the tests follow new knowledge tables.
fn newest() -> String {
    format!(
        "Authentik {}, the newest bplint knows",
        bplint::knowledge::Knowledge::newest().version
    )
}

/// One run over fixtures with a fix and a single-line span (BP101), related
/// locations (BP002), a multi-line span (BP003), warnings only (BP103) and a
/// clean file.
fn sample() -> Outcome {
    let paths: Vec<PathBuf> = [
        "fixtures/BP101/bad.yaml",
        "fixtures/BP002/bad.yaml",
        "fixtures/BP003/bad.yaml",
        "fixtures/BP103/bad.yaml",
        "fixtures/clean/login-flow.yaml",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    common::lint(&paths, None)
}

/// bplint with the CI variables that pick the default format removed, so the
/// tests behave the same inside GitHub or Forgejo Actions.
fn bplint() -> Command {
    let mut cmd = Command::cargo_bin("bplint").expect("binary builds");
    cmd.env_remove("GITHUB_ACTIONS")
        .env_remove("FORGEJO_ACTIONS");
    cmd
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json").expect("vendored schema"),
    )
    .expect("schema is JSON");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF violates the schema: {errors:#?}");
    log
}

// ---- snapshots -------------------------------------------------------------

#[test]
fn human_snapshot() {
    insta::assert_snapshot!(report::human::render(&sample(), false));
}

#[test]
fn concise_snapshot() {
    insta::assert_snapshot!(report::concise::render(&sample()));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!(report::github::render(&sample()));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(report::junit::render(&sample(), false));
}

/// The results only: the rules' full docs are embedded in the driver and are
/// checked by `sarif_describes_every_rule` instead, so a doc edit does not churn
/// this snapshot.
#[test]
fn sarif_results_snapshot() {
    let log: Value = serde_json::from_str(&report::sarif::render(&sample())).unwrap();
    let results = serde_json::to_string_pretty(&log["runs"][0]["results"]).unwrap();
    insta::assert_snapshot!(results);
}

// ---- JSON ------------------------------------------------------------------

#[test]
fn json_carries_related_locations_and_fixes() {
    let value: Value = serde_json::from_str(&report::json::render(&sample())).unwrap();
    let diagnostics = value["diagnostics"].as_array().unwrap();
    let duplicate = diagnostics.iter().find(|d| d["code"] == "BP002").unwrap();
    assert_eq!(
        duplicate["related"][0],
        serde_json::json!({
            "file": "fixtures/BP002/bad.yaml",
            "line": 9, "column": 7, "end_line": 9, "end_column": 15,
            "message": "this earlier value is silently dropped"
        })
    );
    assert_eq!(duplicate["fix"], Value::Null);

    let text = std::fs::read_to_string("fixtures/BP101/bad.yaml").unwrap();
    let missing = diagnostics.iter().find(|d| d["code"] == "BP101").unwrap();
    let fix = &missing["fix"];
    assert_eq!(fix["applicability"], "safe");
    let edit = &fix["edits"][0];
    let start = edit["start_byte"].as_u64().unwrap() as usize;
    let end = edit["end_byte"].as_u64().unwrap() as usize;
    // Applying the edit by bytes puts the flow where the line/column say it goes.
    let mut fixed = text.clone();
    fixed.replace_range(start..end, edit["replacement"].as_str().unwrap());
    assert!(fixed.contains(
        "mode: forward_single\n      invalidation_flow: !Find [authentik_flows.flow, [slug, default-provider-invalidation-flow]]\n"
    ));
    let line = edit["line"].as_u64().unwrap() as usize;
    let column = edit["column"].as_u64().unwrap() as usize;
    let line_text = text.lines().nth(line - 1).unwrap();
    assert_eq!(
        line_text.chars().count() + 1,
        column,
        "insertion at end of line {line}"
    );
}

// ---- SARIF -----------------------------------------------------------------

#[test]
fn sarif_validates_against_the_official_schema() {
    let all = common::lint(&[PathBuf::from("fixtures")], None);
    assert!(!all.diagnostics.is_empty());
    let log = assert_valid_sarif(&report::sarif::render(&all));
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), all.diagnostics.len());
    assert!(results.iter().any(|r| r.get("fixes").is_some()));
    assert!(results.iter().any(|r| r.get("relatedLocations").is_some()));

    // No findings at all is a valid log too.
    let clean = common::lint(&[PathBuf::from("fixtures/clean")], None);
    assert_valid_sarif(&report::sarif::render(&clean));
}

#[test]
fn the_schema_check_rejects_a_broken_log() {
    let mut log: Value = serde_json::from_str(&report::sarif::render(&sample())).unwrap();
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!sarif_validator().is_valid(&log));
}

#[test]
fn sarif_describes_every_rule() {
    let log: Value = serde_json::from_str(&report::sarif::render(&sample())).unwrap();
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "bplint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), bplint::rules::ALL.len());
    for (rule, meta) in rules
        .iter()
        .zip(bplint::rules::ALL.iter().map(|r| r.meta()))
    {
        assert_eq!(rule["id"], meta.code);
        assert_eq!(rule["name"], meta.name);
        assert_eq!(rule["shortDescription"]["text"], meta.summary);
        assert_eq!(rule["help"]["markdown"], meta.user_doc());
        assert!(
            !meta.user_doc().contains("Notes for maintainers")
                && meta.doc.starts_with(meta.user_doc()),
            "{}",
            meta.code
        );
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            meta.severity.as_str()
        );
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(
            !full.is_empty() && !full.contains('\n'),
            "{}: {full}",
            meta.code
        );
    }
    // Results point back into that table.
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
}

#[test]
fn sarif_fix_regions_agree_in_bytes_and_columns() {
    let log: Value = serde_json::from_str(&report::sarif::render(&sample())).unwrap();
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "BP101")
        .unwrap();
    let fix = &result["fixes"][0];
    assert_eq!(fix["properties"]["applicability"], "safe");
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "fixtures/BP101/bad.yaml");
    let region = &change["replacements"][0]["deletedRegion"];
    let text = std::fs::read_to_string("fixtures/BP101/bad.yaml").unwrap();
    let offset = region["byteOffset"].as_u64().unwrap() as usize;
    let line = region["startLine"].as_u64().unwrap() as usize;
    let column = region["startColumn"].as_u64().unwrap() as usize;
    let line_start: usize = text.lines().take(line - 1).map(|l| l.len() + 1).sum();
    assert_eq!(text[line_start..offset].chars().count() + 1, column);
    assert_eq!(region["byteLength"], 0);
}

#[test]
fn sarif_uris_are_encoded_references() {
    assert_eq!(
        report::sarif::uri(Path::new("./blueprints/my app#1.yaml")),
        "blueprints/my%20app%231.yaml"
    );
    assert_eq!(
        report::sarif::uri(Path::new("a:b/Ünï.yaml")),
        "a%3Ab/%C3%9Cn%C3%AF.yaml"
    );
    assert_eq!(
        report::sarif::uri(Path::new("/srv/blueprints/x y.yaml")),
        "file:///srv/blueprints/x%20y.yaml"
    );
    #[cfg(unix)]
    assert_eq!(report::sarif::uri(Path::new("a\\b.yaml")), "a%5Cb.yaml");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my blueprint #1.yaml");
    std::fs::copy("fixtures/BP101/bad.yaml", &path).unwrap();
    let outcome = common::lint(&[path], None);
    let log = assert_valid_sarif(&report::sarif::render(&outcome));
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("file:///"), "{uri}");
    assert!(uri.ends_with("/my%20blueprint%20%231.yaml"), "{uri}");
}

// ---- GitHub ------------------------------------------------------------------

#[test]
fn github_escapes_data_and_properties() {
    use report::github::{escape_data, escape_property};
    assert_eq!(
        escape_data("100% done\r\nnext: a, b"),
        "100%25 done%0D%0Anext: a, b"
    );
    assert_eq!(
        escape_property("dir,x/a:b%.yaml\n"),
        "dir%2Cx/a%3Ab%25.yaml%0A"
    );
}

#[test]
fn github_escapes_a_hostile_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a,b:c%.yaml");
    std::fs::copy("fixtures/BP101/bad.yaml", &path).unwrap();
    let outcome = common::lint(&[path], None);
    let text = report::github::render(&outcome);
    let first = text.lines().next().unwrap();
    assert!(first.contains("/a%2Cb%3Ac%25.yaml,line=5,"), "{first}");
    // The message part is the only unescaped `::` in the command.
    assert_eq!(first.matches("::").count(), 2, "{first}");
}

#[test]
fn github_gives_columns_only_for_single_line_spans() {
    let outcome = sample();
    let text = report::github::render(&outcome);
    let mut multi_line = 0;
    for (d, command) in outcome.diagnostics.iter().zip(text.lines()) {
        let (line, column, end_line, end_column) = report::json::positions(&outcome, d);
        let kind = if d.severity == bplint::diagnostic::Severity::Error {
            "::error "
        } else {
            "::warning "
        };
        assert!(command.starts_with(kind), "{command}");
        assert!(command.contains(&format!(",line={line},")), "{command}");
        assert!(
            command.contains(&format!(",title={}::", d.code)),
            "{command}"
        );
        if line == end_line {
            assert!(
                command.contains(&format!(
                    ",col={column},endLine={end_line},endColumn={end_column},"
                )),
                "{command}"
            );
        } else {
            multi_line += 1;
            assert!(!command.contains("col="), "{command}");
            assert!(!command.contains("endColumn="), "{command}");
            assert!(
                command.contains(&format!(",endLine={end_line},")),
                "{command}"
            );
        }
    }
    assert!(multi_line > 0, "the sample has a multi-line span");
    assert_eq!(text.lines().count(), outcome.diagnostics.len());
}

#[test]
fn ci_environments_default_to_github() {
    assert_eq!(Format::default_from_env(|_| None), Format::Human);
    for var in ["GITHUB_ACTIONS", "FORGEJO_ACTIONS"] {
        let env = |name: &str| (name == var).then(|| "true".into());
        assert_eq!(Format::default_from_env(env), Format::Github, "{var}");
    }
    let not_true = |name: &str| (name == "GITHUB_ACTIONS").then(|| "1".into());
    assert_eq!(Format::default_from_env(not_true), Format::Human);

    bplint()
        .args(["check", "fixtures/BP101/bad.yaml"])
        .env("FORGEJO_ACTIONS", "true")
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "::error file=fixtures/BP101/bad.yaml,line=5,col=12,",
        ))
        .stderr(predicate::str::contains(format!(
            "2 errors in 1 file ({}).",
            newest()
        )));
    bplint()
        .args(["check", "fixtures/BP101/bad.yaml", "--format", "human"])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("BP101(missing-invalidation-flow)"));
}

// ---- concise -----------------------------------------------------------------

#[test]
fn concise_keeps_the_summary_off_the_report() {
    let output = bplint()
        .args([
            "check",
            "fixtures/BP101/bad.yaml",
            "fixtures/BP103/bad.yaml",
        ])
        .args(["--format", "concise"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 5);
    assert!(stdout.starts_with("fixtures/BP101/bad.yaml:5:12: BP101 error [*] Proxy provider"));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        format!(
            "2 errors and 3 warnings in 2 files ({}).\n\
             [*] 2 fixable with --fix, [?] 3 more with --fix --unsafe-fixes (`--diff` shows the changes first).\n",
            newest()
        )
    );
}

// ---- JUnit -------------------------------------------------------------------

#[test]
fn junit_is_well_formed_with_one_case_per_file() {
    let outcome = sample();
    let xml = report::junit::render(&outcome, false);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<_> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(
        names,
        [
            "fixtures/BP002/bad.yaml",
            "fixtures/BP003/bad.yaml",
            "fixtures/BP101/bad.yaml",
            "fixtures/BP103/bad.yaml",
            "fixtures/clean/login-flow.yaml",
        ]
    );
    for case in &cases {
        assert_eq!(case.attribute("classname"), case.attribute("name"));
    }
    let failures: Vec<_> = cases
        .iter()
        .filter_map(|c| c.children().find(|n| n.has_tag_name("failure")))
        .collect();
    assert_eq!(failures.len(), 3, "errors fail their file");
    assert_eq!(root.attribute("tests"), Some("5"));
    assert_eq!(root.attribute("failures"), Some("3"));
    let bp101 = failures
        .iter()
        .find(|f| f.attribute("type") == Some("BP101"))
        .unwrap();
    assert_eq!(bp101.attribute("message"), Some("2 errors"));
    assert_eq!(
        bp101.text().unwrap().lines().count(),
        4,
        "two findings, two helps"
    );
    // Warnings alone pass, and are still shown.
    let warnings = cases[3];
    assert!(warnings.children().all(|n| !n.has_tag_name("failure")));
    let out = warnings
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .unwrap();
    assert!(out.text().unwrap().contains("BP103 warning"));
    // ... unless warnings fail the run.
    let denied = report::junit::render(&outcome, true);
    let doc = roxmltree::Document::parse(&denied).unwrap();
    assert_eq!(doc.root_element().attribute("failures"), Some("4"));
}

#[test]
fn junit_escapes_what_xml_cannot_hold_raw() {
    let escaped = report::junit::escape("a & <b> \"c\"\n\t\u{1}", true);
    assert_eq!(escaped, "a &amp; &lt;b&gt; &quot;c&quot;&#10;&#9;\u{FFFD}");
    let xml = format!(
        "<x a=\"{}\">{}</x>",
        escaped,
        report::junit::escape("]]> & \u{0} \r\n", false)
    );
    let doc = roxmltree::Document::parse(&xml).expect("well-formed");
    assert_eq!(
        doc.root_element().attribute("a"),
        Some("a & <b> \"c\"\n\t\u{FFFD}")
    );
    assert_eq!(doc.root_element().text(), Some("]]> & \u{FFFD} \r\n"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a&b<\"c\">.yaml");
    std::fs::copy("fixtures/BP101/bad.yaml", &path).unwrap();
    let outcome = common::lint(std::slice::from_ref(&path), None);
    let xml = report::junit::render(&outcome, false);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed");
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert_eq!(
        case.attribute("name"),
        Some(bplint::source::display_path(&path).as_str())
    );
}

// ---- --output ----------------------------------------------------------------

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.sarif");
    std::fs::write(&target, "an older report").unwrap();
    bplint()
        .args([
            "check",
            "fixtures/BP101/bad.yaml",
            "--format",
            "sarif",
            "--output",
        ])
        .arg(&target)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let text = std::fs::read_to_string(&target).unwrap();
    let log = assert_valid_sarif(&text);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 2);
    // Only the report is left in the folder: the temporary file was renamed.
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1);

    let clean = dir.path().join("clean.txt");
    bplint()
        .args(["check", "fixtures/clean", "--output"])
        .arg(&clean)
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    let text = std::fs::read_to_string(&clean).unwrap();
    assert_eq!(
        text,
        format!("No problems in 3 files ({}).\n", newest()),
        "no colour codes in a file"
    );
}

#[test]
fn output_to_an_unwritable_place_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("no/such/folder/report.json");
    bplint()
        .args(["check", "fixtures/clean", "--format", "json", "--output"])
        .arg(&target)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write the report to"))
        .stderr(predicate::str::contains(
            "report.json: no such file or directory",
        ));
}

// ---- bplint rules ------------------------------------------------------------

#[test]
fn rules_json_says_what_is_fixable() {
    let output = bplint()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let list: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    for (rule, meta) in list.iter().zip(bplint::rules::ALL.iter().map(|r| r.meta())) {
        let expected = match meta.fix {
            Some(bplint::diagnostic::Applicability::Safe) => Value::from("safe"),
            Some(bplint::diagnostic::Applicability::Unsafe) => Value::from("unsafe"),
            None => Value::Null,
        };
        assert_eq!(rule["code"], meta.code);
        assert_eq!(rule["name"], meta.name);
        assert_eq!(rule["severity"], meta.severity.as_str());
        assert_eq!(rule["summary"], meta.summary);
        assert_eq!(rule["fixable"], expected);
        assert_eq!(rule["fix"], expected);
    }
    assert!(list.iter().any(|r| r["fixable"] == "unsafe"));
}
