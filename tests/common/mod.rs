//! Helpers shared by the integration tests: run the real pipeline on paths.

#![allow(dead_code)]

use bplint::config::Config;
use bplint::detect::Judged;
use bplint::pipeline::{Outcome, Request, run};
use std::path::{Path, PathBuf};

/// Lint `paths` with the config in `config` (if any) at the newest release.
pub fn lint(paths: &[PathBuf], config: Option<&Path>) -> Outcome {
    lint_at(paths, config, None)
}

pub fn lint_at(paths: &[PathBuf], config: Option<&Path>, version: Option<&str>) -> Outcome {
    let config = match config {
        Some(path) => Config::load(path).expect("fixture config loads"),
        None => Config::default(),
    };
    // Sources as the binary names them: the version given here stands for
    // `--authentik-version`, the fixture's bplint.toml for `authentik_version`.
    let judged = Judged::given(version, &config)
        .map(|given| given.expect("known version"))
        .unwrap_or_else(Judged::newest);
    run(&Request::new(paths.to_vec(), config, judged))
}

/// `(code, line, column)` of every diagnostic.
pub fn positions(outcome: &Outcome) -> Vec<(String, usize, usize)> {
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            let (line, column, _, _) = bplint::report::json::positions(outcome, d);
            (d.code.to_string(), line, column)
        })
        .collect()
}

/// The bplint binary, with the CI variables that switch its default format cleared.
pub fn bplint() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("bplint").expect("binary builds");
    cmd.env_remove("GITHUB_ACTIONS")
        .env_remove("FORGEJO_ACTIONS");
    cmd
}

/// Run `cmd` (a `bplint check` with its arguments) as `--format json` and return
/// the report.
pub fn json_report(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let output = cmd
        .args(["--format", "json"])
        .output()
        .expect("bplint runs");
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

/// The report's diagnostics.
pub fn json_diagnostics(cmd: &mut assert_cmd::Command) -> Vec<serde_json::Value> {
    json_report(cmd)["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// A rule doc's third line, `**Severity:** <level>[ (when)] · **Fix:** <kind>[ (what)]`,
/// split into the text after each label; `None` when the line is not in that form.
pub fn doc_levels(doc: &str) -> Option<(&str, &str)> {
    doc.lines()
        .nth(2)?
        .strip_prefix("**Severity:** ")?
        .split_once(" · **Fix:** ")
}

/// The word a doc's fix text (and the README's fix column) uses for `fix`.
pub fn fix_word(fix: Option<bplint::diagnostic::Applicability>) -> &'static str {
    match fix {
        None => "none",
        Some(bplint::diagnostic::Applicability::Safe) => "safe",
        Some(bplint::diagnostic::Applicability::Unsafe) => "unsafe",
    }
}

/// Copy a fixture tree into a temporary folder (a repository layout to run in).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            // A copy is the test's own file, writable as a checkout is, even when
            // the source (the reference data CI lays out read-only) is not.
            use std::os::unix::fs::PermissionsExt;
            let mut permissions = std::fs::metadata(&target).unwrap().permissions();
            let mode = permissions.mode();
            permissions.set_mode(mode | 0o200);
            std::fs::set_permissions(&target, permissions).unwrap();
        }
    }
}

/// `python3` when it runs here (a fresh clone without it still passes the rest).
pub fn python3() -> Option<std::process::Command> {
    let probe = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .ok()?;
    probe
        .status
        .success()
        .then(|| std::process::Command::new("python3"))
}

/// Run a generator's `--check` (`args` after the script): it fails when the
/// table it writes is stale. Skipped where python3 does not run.
pub fn assert_generator_current(script: &str, args: &[&str], table: &str) {
    let Some(mut python) = python3() else {
        eprintln!("python3 not found; skipped");
        return;
    };
    let out = python
        .arg(script)
        .args(args)
        .arg("--check")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{table} is stale: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
