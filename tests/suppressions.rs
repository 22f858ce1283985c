//! Silencing and selecting rules: inline `# bplint:` comments, `select`,
//! `extend-select`, `ignore`, `per-file-ignores` and `exclude`, from bplint.toml and
//! the command line (which wins).

mod common;

use assert_cmd::Command;
use common::{bplint, json_diagnostics};

fn findings(dir: &str, args: &[&str]) -> Vec<String> {
    json_diagnostics(bplint().current_dir(dir).arg("check").args(args))
        .iter()
        .map(|d| {
            format!(
                "{}:{} {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["code"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn every_suppression_form_works_and_unused_ones_are_reported() {
    let got = findings("fixtures/suppressions", &["suppressed.yaml"]);
    assert_eq!(
        got,
        [
            // `disable=BP203` on a line without a BP203 finding.
            "suppressed.yaml:18 BP009",
            // `disable=BP999` names no rule.
            "suppressed.yaml:20 BP009",
            // `disabel=` is no directive.
            "suppressed.yaml:25 BP009",
        ],
        "BP103 (line before), BP202 by name (end of line) and BP205 (whole file) are silenced"
    );
}

#[test]
fn without_the_comments_the_findings_are_there() {
    let text = std::fs::read_to_string("fixtures/suppressions/suppressed.yaml").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stripped: String = text
        .lines()
        .map(|l| {
            l.split("# bplint:")
                .next()
                .unwrap_or(l)
                .trim_end()
                .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(dir.path().join("plain.yaml"), stripped).unwrap();
    let mut got = findings(dir.path().to_str().unwrap(), &["plain.yaml"]);
    got.sort();
    assert_eq!(
        got,
        [
            "plain.yaml:11 BP103",
            "plain.yaml:17 BP202",
            "plain.yaml:19 BP205"
        ]
    );
}

#[test]
fn configuration_selects_ignores_and_excludes() {
    // bplint.toml: ignore BP008, exclude vendor/, and per-file-ignores for legacy/.
    assert_eq!(
        findings("fixtures/suppressions/project", &[]),
        ["app.yaml:10 BP202"]
    );
}

#[test]
fn the_command_line_wins_over_the_configuration() {
    assert_eq!(
        findings(
            "fixtures/suppressions/project",
            &["--ignore", "BP202", "--extend-select", "BP008"]
        ),
        ["legacy/old.yml:1 BP008"]
    );
    assert_eq!(
        findings("fixtures/suppressions/project", &["--select", "BP1"]),
        Vec::<String>::new()
    );
    let output = Command::cargo_bin("bplint")
        .unwrap()
        .args(["check", "fixtures/clean", "--select", "BP9"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`BP9` names no rule"));
}
