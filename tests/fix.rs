//! `--fix`, `--unsafe-fixes` and `--diff` on a fixture holding one instance of
//! every fixable rule: the fixed file is clean, a second run changes nothing,
//! and lines no fix touched stay byte-identical.

mod common;

use common::{bplint, json_diagnostics};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const FIXTURE: &str = "fixtures/fix/all-fixable.yaml";
/// The other blueprint of the set: what BP119's case in the fixture needs.
const COMPANION: &str = "fixtures/fix/all-fixable-groups.yaml";

/// The fixture as `app.yaml` in `dir`, beside its companion; the tests check the
/// folder, and only `app.yaml` has anything to fix.
fn copy_fixture(dir: &tempfile::TempDir, crlf: bool) -> PathBuf {
    let mut text = std::fs::read_to_string(FIXTURE).unwrap();
    if crlf {
        text = text.replace('\n', "\r\n");
    }
    let path = dir.path().join("app.yaml");
    std::fs::write(&path, text).unwrap();
    std::fs::copy(COMPANION, dir.path().join("groups.yaml")).unwrap();
    path
}

/// The set the tests check: the folder holding the fixture and its companion.
fn set(path: &Path) -> &Path {
    path.parent().unwrap()
}

fn codes(path: &Path) -> Vec<String> {
    json_diagnostics(bplint().arg("check").arg(path))
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// Lines of `before` that a line diff keeps (neither deleted nor changed).
fn kept_lines(before: &str, after: &str) -> usize {
    similar::TextDiff::from_lines(before, after)
        .iter_all_changes()
        .filter(|c| c.tag() == similar::ChangeTag::Equal)
        .count()
}

#[test]
fn fixing_everything_leaves_a_clean_file_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(&dir, false);
    let before = std::fs::read_to_string(&path).unwrap();
    let mut fired: Vec<String> = codes(set(&path));
    fired.sort();
    let mut fixable: Vec<String> = bplint::rules::ALL
        .iter()
        .map(|r| r.meta())
        .filter(|m| m.fix.is_some())
        .map(|m| m.code.to_string())
        .collect();
    fixable.sort();
    assert_eq!(fired, fixable, "the fixture fires every fixable rule once");

    bplint()
        .args(["check", "--fix", "--unsafe-fixes"])
        .arg(set(&path))
        .assert()
        .code(0)
        .stderr(predicate::str::contains("applied 16 fixes in 1 file"));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        codes(set(&path)),
        Vec::<String>::new(),
        "the fixed file is clean"
    );
    insta::assert_snapshot!("all_fixable_fixed", after);

    // Every line no fix touched is still there, byte for byte: 11 lines change,
    // 8 are added and the 5 lines of one entry are removed.
    let lines = before.lines().count();
    assert_eq!(kept_lines(&before, &after), lines - 11 - 5);
    assert_eq!(after.lines().count(), lines + 8 - 5);

    bplint()
        .args(["check", "--fix", "--unsafe-fixes"])
        .arg(set(&path))
        .assert()
        .code(0)
        .stderr(predicate::str::contains("bplint: nothing to fix\n"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
}

#[test]
fn safe_fixes_alone_leave_the_unsafe_findings() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(&dir, false);
    bplint()
        .args(["check", "--fix"])
        .arg(set(&path))
        .assert()
        .code(1);
    let mut left = codes(set(&path));
    left.sort();
    assert_eq!(
        left,
        [
            "BP006", "BP102", "BP103", "BP105", "BP108", "BP119", "BP121", "BP201", "BP202",
            "BP203", "BP205", "BP225"
        ],
        "only fixes marked safe were applied"
    );
}

#[test]
fn crlf_files_keep_crlf_and_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(&dir, true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    bplint()
        .args(["check", "--fix", "--unsafe-fixes"])
        .arg(set(&path))
        .assert()
        .code(0);
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after.matches('\n').count(), after.matches("\r\n").count());
    let lf_fixed = {
        let dir2 = tempfile::tempdir().unwrap();
        let lf = copy_fixture(&dir2, false);
        bplint()
            .args(["check", "--fix", "--unsafe-fixes"])
            .arg(set(&lf))
            .assert()
            .code(0);
        std::fs::read_to_string(&lf).unwrap()
    };
    assert_eq!(after.replace("\r\n", "\n"), lf_fixed);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 2, "no temporary file left behind");
}

#[test]
fn diff_prints_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(&dir, false);
    let before = std::fs::read_to_string(&path).unwrap();
    let output = bplint()
        .args(["check", "--diff", "--unsafe-fixes"])
        .arg(set(&path))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(diff.contains("-  - model: authentik_core.groups"));
    assert!(diff.contains("+      session_duration: weeks=4"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    bplint()
        .args(["check", "--diff", "fixtures/clean"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}

#[test]
fn files_with_syntax_errors_are_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("configmap.yaml");
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bp\ndata:\n  good.yaml: |\n    \
                version: 1\n    metadata:\n      name: Good\n      labels:\n        \
                blueprints.goauthentik.io/instantiate: false\n    entries: []\n  broken.yaml: |\n    \
                version: 1\n    entries:\n      - model: [\n";
    std::fs::write(&path, text).unwrap();
    bplint()
        .args(["check", "--fix"])
        .arg(&path)
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_file_changed_on_disk_meanwhile_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.yaml");
    std::fs::write(&path, "edited by someone else\n").unwrap();
    let done = bplint::fix::write(&[bplint::fix::Change {
        path: path.clone(),
        before: "what bplint read\n".into(),
        after: "what bplint would write\n".into(),
        fixes: 1,
    }]);
    assert_eq!((done.files, done.fixes, done.skipped.len()), (0, 0, 1));
    assert_eq!(done.skipped[0].why, bplint::fix::NotWritten::ChangedOnDisk);
    let message = bplint::report::not_written(&done.skipped[0]);
    assert!(
        message.starts_with(&format!(
            "{}: not fixed: the file changed on disk",
            path.display()
        )),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "edited by someone else\n"
    );
}

#[test]
fn standard_input_cannot_be_fixed() {
    bplint()
        .args(["check", "-", "--fix"])
        .write_stdin("version: 1\nentries: []\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not on standard input"));
}

/// Copies a fixture of fixtures/fix/ into a temporary folder, runs `--fix
/// --unsafe-fixes` on it, and returns the text before and after.
fn fix_copy(fixture: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bp.yaml");
    let before = std::fs::read_to_string(fixture).unwrap();
    std::fs::write(&path, &before).unwrap();
    let status = bplint()
        .args(["check", "--isolated", "--fix", "--unsafe-fixes"])
        .arg(&path)
        .output()
        .unwrap()
        .status;
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
    (before, std::fs::read_to_string(&path).unwrap())
}

#[test]
fn a_value_behind_an_alias_is_reported_and_quoted_at_its_anchor() {
    const ALIASES: &str = "fixtures/fix/alias-of-a-yaml11-value.yaml";
    let lines: Vec<u64> = json_diagnostics(bplint().args(["check", "--isolated", ALIASES]))
        .iter()
        .map(|d| {
            assert_eq!(d["code"], "BP209");
            d["line"].as_u64().unwrap()
        })
        .collect();
    // One finding per anchored node: the context anchor (line 8), and the
    // placeholder (line 25) but not its alias on the next line.
    assert_eq!(lines, [8, 25]);
    let (before, after) = fix_copy(ALIASES);
    assert_eq!(
        after,
        before
            .replace("&perm 0755", "&perm \"0755\"")
            .replace("&shown 0644", "&shown \"0644\"")
    );
    assert!(after.contains("initial_value: *perm\n") && after.contains("initial_value: *shown\n"));
}

#[test]
fn a_rename_never_lands_on_a_key_the_mapping_has() {
    const RENAME: &str = "fixtures/fix/rename-onto-existing-key.yaml";
    let found = json_diagnostics(bplint().args(["check", "--isolated", RENAME]));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["code"], "BP202");
    assert!(found[0]["fix"].is_null(), "{:?}", found[0]);
    let help = found[0]["help"].as_str().unwrap();
    assert!(help.contains("already sets `search_mode`"), "{help}");
    let (before, after) = fix_copy(RENAME);
    assert_eq!(after, before);
}

#[test]
fn two_misspellings_of_one_field_are_not_both_renamed_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bp.yaml");
    let text = "version: 1\nentries:\n  - model: authentik_core.application\n    identifiers:\n      \
                slug: wiki\n    attrs:\n      name: Wiki\n      meta_launch_ur: a\n      meta_lanch_url: b\n";
    std::fs::write(&path, text).unwrap();
    let status = bplint()
        .args(["check", "--isolated", "--fix", "--unsafe-fixes"])
        .arg(&path)
        .output()
        .unwrap()
        .status;
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after.matches("meta_launch_url:").count(), 1, "{after}");
}

#[test]
fn a_model_of_another_app_is_suggested_but_never_written() {
    const MODEL: &str = "fixtures/fix/model-of-another-app.yaml";
    let found = json_diagnostics(bplint().args(["check", "--isolated", MODEL]));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["code"], "BP201");
    assert!(found[0]["fix"].is_null(), "{:?}", found[0]);
    assert!(found[0]["help"].as_str().unwrap().contains("did you mean"));
    let (before, after) = fix_copy(MODEL);
    assert_eq!(after, before);
}
