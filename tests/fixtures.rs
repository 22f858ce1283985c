//! Every `fixtures/<CODE>/bad*` file must fire its rule (snapshotted in human and
//! JSON form), every `good*` file and everything under `fixtures/clean/` must stay
//! silent. A `bplint.toml` beside the fixtures configures them; a `bad*`/`good*`
//! folder is linted as one blueprint set.

mod common;

use std::path::{Path, PathBuf};

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("fixtures")
        .expect("fixtures/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn cases(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable fixture dir")
        .map(|e| e.expect("readable").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    found.sort();
    found
}

fn config_for(dir: &Path) -> Option<PathBuf> {
    let path = dir.join("bplint.toml");
    path.is_file().then_some(path)
}

fn snapshot_name(path: &Path) -> String {
    path.to_string_lossy()
        .replace(['/', '\\'], "__")
        .replace('.', "_")
}

#[test]
fn bad_fixtures_fire_their_rule() {
    let mut checked = 0;
    for dir in fixture_dirs() {
        let code = dir.file_name().unwrap().to_string_lossy().to_string();
        if !code.starts_with("BP") {
            continue;
        }
        let bad = cases(&dir, "bad");
        assert!(!bad.is_empty(), "{} has no bad fixture", dir.display());
        for case in bad {
            let outcome = common::lint(std::slice::from_ref(&case), config_for(&dir).as_deref());
            let fired: Vec<_> = outcome
                .diagnostics
                .iter()
                .filter(|d| d.code == code)
                .collect();
            assert!(
                !fired.is_empty(),
                "{} does not fire {code}: {:?}",
                case.display(),
                common::positions(&outcome)
            );
            assert!(
                fired
                    .iter()
                    .all(|d| d.help.as_deref().is_some_and(|h| !h.is_empty())),
                "{code} diagnostics on {} carry help",
                case.display()
            );
            let name = snapshot_name(&case);
            insta::assert_snapshot!(
                format!("{name}__human"),
                bplint::report::human::render(&outcome, false)
            );
            insta::assert_snapshot!(
                format!("{name}__json"),
                bplint::report::json::render(&outcome)
            );
            checked += 1;
        }
    }
    assert!(checked >= 11, "only {checked} bad fixtures found");
}

#[test]
fn good_fixtures_stay_clean() {
    let mut checked = 0;
    for dir in fixture_dirs() {
        let good = if dir.ends_with("clean") {
            vec![dir.clone()]
        } else {
            cases(&dir, "good")
        };
        for case in good {
            let outcome = common::lint(std::slice::from_ref(&case), config_for(&dir).as_deref());
            assert!(
                outcome.diagnostics.is_empty(),
                "{} should be clean, got {:?}",
                case.display(),
                common::positions(&outcome)
            );
            assert!(
                outcome.files_checked() > 0,
                "{} was not linted",
                case.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} good fixtures found");
}
