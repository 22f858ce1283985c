//! The serializer tables: generated from the recorded introspection by a tested
//! generator, up to date, and used the way the rules promise.

mod common;

#[test]
fn the_generator_passes_its_own_tests() {
    let Some(mut python) = common::python3() else {
        eprintln!("python3 not found; skipped");
        return;
    };
    let out = python
        .args(["-m", "unittest", "discover", "-s", "scripts/tests"])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_generated_tables_match_the_recorded_introspection() {
    common::assert_generator_current(
        "scripts/gen-validators.py",
        &[],
        "src/knowledge/serializers_generated.rs",
    );
}

fn lint_text(text: &str, version: &str) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bp.yaml");
    std::fs::write(&path, text).unwrap();
    let outcome = common::lint_at(&[path], None, Some(version));
    outcome
        .diagnostics
        .iter()
        .map(|d| (d.code.to_string(), d.message.clone()))
        .collect()
}

const PERMISSIONS: &str = "\
version: 1
metadata:
  name: auditors
entries:
  - model: authentik_rbac.role
    identifiers:
      name: auditors
    attrs:
      permissions:
        - authentik_core.view_usr
        - authentik_core.view_user
";

/// Permissions change with every release: they are judged at a release whose
/// serializers were recorded, and left alone at one that borrows them.
#[test]
fn permissions_are_judged_only_at_a_recorded_release() {
    let recorded = bplint::knowledge::serializers::releases()
        .first()
        .expect("at least one recorded release")
        .line;
    let found = lint_text(PERMISSIONS, recorded);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "BP217");
    assert!(found[0].1.contains("authentik_core.view_usr"), "{found:?}");
    let unrecorded = bplint::knowledge::all_versions()
        .iter()
        .map(|v| v.name)
        .find(|line| {
            bplint::knowledge::serializers::releases()
                .iter()
                .all(|r| r.line != *line)
        })
        .expect("a line that borrows");
    assert_eq!(lint_text(PERMISSIONS, unrecorded), vec![]);
}

/// Each recorded release is the one its own line uses.
#[test]
fn a_recorded_line_uses_its_own_record() {
    for release in bplint::knowledge::serializers::releases() {
        let kb = bplint::knowledge::Knowledge::for_version(release.line).unwrap();
        assert!(kb.serializers_are_own(), "{}", release.line);
        assert_eq!(kb.serializers().map(|r| r.release), Some(release.release));
    }
}

const OUTPOST: &str = "\
version: 1
metadata:
  name: outpost
entries:
  - model: authentik_outposts.outpost
    identifiers:
      name: ldap
    attrs:
      type: ldap
      providers: []
      config:
        authentik_host: https://auth.example.com
        kubernetes_replica: 2
        kubernetes_replicas: two
";

/// An outpost's settings as the release's `OutpostConfig` reads them: a wrong
/// kind is refused at any release (BP220); an unknown setting, which the outpost
/// ignores, is named only at a release whose settings were recorded (BP202).
#[test]
fn outpost_settings_are_judged_as_the_release_reads_them() {
    let recorded = bplint::knowledge::serializers::releases()
        .last()
        .expect("a recorded release")
        .line;
    let found = lint_text(OUTPOST, recorded);
    let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(codes, ["BP202", "BP220"], "{found:?}");
    assert!(found[0].1.contains("kubernetes_replica`"), "{found:?}");
    assert!(found[1].1.contains("kubernetes_replicas"), "{found:?}");
    let newest = bplint::knowledge::Knowledge::newest();
    if !newest.serializers_are_own() {
        let found = lint_text(OUTPOST, newest.def.name);
        let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(codes, ["BP220"], "{found:?}");
    }
}
