//! BP119, BP120 and BP121 beyond their fixtures: what counts as a refused
//! blueprint, that the rules reading other rules' findings see them whatever
//! the selection, and the near misses a fixture cannot hold (a good fixture
//! must be clean of every finding, and a refused blueprint is not).

mod common;

use common::{bplint, json_diagnostics};
use std::path::{Path, PathBuf};

fn write_set(dir: &Path, files: &[(&str, &str)]) -> Vec<PathBuf> {
    files
        .iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

fn codes_in(dir: &Path, args: &[&str]) -> Vec<(String, String)> {
    json_diagnostics(bplint().arg("check").arg("--isolated").args(args).arg(dir))
        .iter()
        .map(|d| {
            let file = Path::new(d["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            (d["code"].as_str().unwrap().to_string(), file)
        })
        .collect()
}

const WIKI: &str = "version: 1
metadata:
  name: Wiki
entries:
  - model: authentik_blueprints.metaapplyblueprint
    attrs:
      identifiers:
        name: Groups
      required: false
  - model: authentik_core.application
    id: wiki
    identifiers:
      slug: wiki
    attrs:
      name: Wiki
  - model: authentik_policies.policybinding
    identifiers:
      target: !KeyOf wiki
      order: 0
    attrs:
      group: !Find [authentik_core.group, [name, wiki-users]]
";

fn groups(extra: &str) -> String {
    format!(
        "version: 1
metadata:
  name: Groups
entries:
  - model: authentik_core.group
    identifiers:
      name: wiki-users
{extra}"
    )
}

const REFUSED_FLOW: &str = "  - model: authentik_flows.flow
    identifiers:
      slug: wiki-login
    attrs:
      name: Wiki login
      title: Wiki
      designation: login
";

#[test]
fn a_refused_blueprint_is_seen_whatever_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    write_set(
        dir.path(),
        &[("groups.yaml", &groups(REFUSED_FLOW)), ("wiki.yaml", WIKI)],
    );
    let all = codes_in(dir.path(), &[]);
    assert!(
        all.contains(&("BP203".into(), "groups.yaml".into())),
        "{all:?}"
    );
    assert!(
        all.contains(&("BP120".into(), "wiki.yaml".into())),
        "{all:?}"
    );
    // BP203 runs for BP120, and is not reported.
    assert_eq!(
        codes_in(dir.path(), &["--select", "BP120"]),
        [("BP120".to_string(), "wiki.yaml".to_string())]
    );
    // Neither reading rule selected: nothing extra runs.
    assert_eq!(
        codes_in(dir.path(), &["--select", "BP203"]),
        [("BP203".to_string(), "groups.yaml".to_string())]
    );
}

#[test]
fn an_inline_suppression_of_the_refusal_says_it_does_not_hold() {
    let dir = tempfile::tempdir().unwrap();
    let silenced = REFUSED_FLOW.replace(
        "      designation: login\n",
        "      # bplint: disable=BP203 -- a designation this install adds\n      designation: login\n",
    );
    write_set(
        dir.path(),
        &[("groups.yaml", &groups(&silenced)), ("wiki.yaml", WIKI)],
    );
    assert_eq!(codes_in(dir.path(), &[]), Vec::<(String, String)>::new());
}

#[test]
fn errors_the_importer_applies_anyway_refuse_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // An unknown entry key (BP003, dropped by the loader) and a key given
    // twice (BP002, PyYAML keeps the last): errors, but the blueprint applies.
    let applied = "  - model: authentik_core.group
    identifiers:
      name: wiki-admins
    attr:
      is_superuser: true
  - model: authentik_core.group
    identifiers:
      name: wiki-guests
      name: wiki-guests
";
    write_set(
        dir.path(),
        &[("groups.yaml", &groups(applied)), ("wiki.yaml", WIKI)],
    );
    let found = codes_in(dir.path(), &[]);
    assert!(found.iter().any(|(c, _)| c == "BP003"), "{found:?}");
    assert!(found.iter().any(|(c, _)| c == "BP002"), "{found:?}");
    assert!(!found.iter().any(|(c, _)| c == "BP120"), "{found:?}");
}

#[test]
fn an_object_a_built_in_also_is_is_found_whatever_becomes_of_the_blueprint() {
    let dir = tempfile::tempdir().unwrap();
    let branding = "version: 1
metadata:
  name: Branding
entries:
  - model: authentik_flows.flow
    identifiers:
      slug: default-authentication-flow
    attrs:
      title: Welcome
  - model: authentik_flows.flow
    identifiers:
      slug: wiki-login
    attrs:
      name: Wiki login
      title: Wiki
      designation: login
";
    let brand = "version: 1
metadata:
  name: Brand
entries:
  - model: authentik_brands.brand
    identifiers:
      domain: wiki.example.com
    attrs:
      flow_authentication: !Find [authentik_flows.flow, [slug, default-authentication-flow]]
";
    write_set(
        dir.path(),
        &[("branding.yaml", branding), ("brand.yaml", brand)],
    );
    let found = codes_in(dir.path(), &[]);
    assert!(found.iter().any(|(c, _)| c == "BP203"), "{found:?}");
    assert!(
        !found.iter().any(|(c, _)| c == "BP119" || c == "BP120"),
        "{found:?}"
    );
}

#[test]
fn only_the_refused_one_of_two_creators_does_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let other = groups("").replace("name: Groups", "name: More groups");
    write_set(
        dir.path(),
        &[
            ("groups.yaml", &groups(REFUSED_FLOW)),
            ("more-groups.yaml", &other),
            (
                "wiki.yaml",
                &WIKI.replace(
                    "name: Groups\n      required",
                    "name: More groups\n      required",
                ),
            ),
        ],
    );
    let found = codes_in(dir.path(), &[]);
    assert!(
        !found.iter().any(|(c, _)| c == "BP119" || c == "BP120"),
        "More groups is applied first and creates the group: {found:?}"
    );
    // Without the metaapplyblueprint, the blueprint that is not refused may
    // still come later: an order dependency, not a refusal.
    std::fs::write(
        dir.path().join("wiki.yaml"),
        WIKI.replace(
            "  - model: authentik_blueprints.metaapplyblueprint
    attrs:
      identifiers:
        name: Groups
      required: false
",
            "",
        ),
    )
    .unwrap();
    let found = codes_in(dir.path(), &[]);
    assert!(
        found.contains(&("BP119".into(), "wiki.yaml".into())),
        "{found:?}"
    );
    assert!(!found.iter().any(|(c, _)| c == "BP120"), "{found:?}");
}

#[test]
fn two_blueprints_applying_each_other_get_no_fix() {
    let dir = tempfile::tempdir().unwrap();
    let groups_applying_wiki = groups("").replace(
        "entries:\n",
        "entries:
  - model: authentik_blueprints.metaapplyblueprint
    attrs:
      identifiers:
        name: Wiki
      required: false
",
    );
    let wiki = WIKI.replace(
        "  - model: authentik_blueprints.metaapplyblueprint
    attrs:
      identifiers:
        name: Groups
      required: false
",
        "",
    );
    write_set(
        dir.path(),
        &[("groups.yaml", &groups_applying_wiki), ("wiki.yaml", &wiki)],
    );
    let found = json_diagnostics(bplint().args(["check", "--isolated"]).arg(dir.path()));
    let bp119: Vec<_> = found.iter().filter(|d| d["code"] == "BP119").collect();
    assert_eq!(bp119.len(), 1, "{found:?}");
    assert!(bp119[0]["fix"].is_null(), "{:?}", bp119[0]);
}

#[test]
fn a_blueprint_applied_by_hand_is_not_judged() {
    let dir = tempfile::tempdir().unwrap();
    let wiki = WIKI
        .replace(
            "metadata:\n  name: Wiki\n",
            "metadata:\n  name: Wiki\n  labels:\n    blueprints.goauthentik.io/instantiate: \"false\"\n",
        )
        .replace(
            "  - model: authentik_blueprints.metaapplyblueprint
    attrs:
      identifiers:
        name: Groups
      required: false
",
            "",
        );
    write_set(
        dir.path(),
        &[("groups.yaml", &groups("")), ("wiki.yaml", &wiki)],
    );
    assert_eq!(codes_in(dir.path(), &[]), Vec::<(String, String)>::new());
}
