//! `bplint graph`: the diagrams of the fixtures in fixtures/graph/, of
//! Authentik's shipped default authentication flow (when ../shared is there)
//! and of a change in a git repository, snapshotted as Mermaid and DOT; the
//! JSON form's places; and the errors. Mermaid's and Graphviz's own parsers
//! read these outputs in tests/integration/graph.sh.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The release the snapshots are drawn at, so a newer release's knowledge
/// does not change them.
const RELEASE: &str = "2026.8.3";

/// `bplint graph ARGS` in `dir`: (exit code, standard output, standard error).
fn graph_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = common::bplint()
        .current_dir(dir)
        .arg("graph")
        .args(args)
        .output()
        .expect("bplint runs");
    (
        output.status.code().expect("bplint exits, not killed"),
        String::from_utf8(output.stdout).expect("UTF-8"),
        String::from_utf8(output.stderr).expect("UTF-8"),
    )
}

fn graph(args: &[&str]) -> String {
    let (code, out, err) = graph_in(Path::new("."), args);
    assert_eq!(code, 0, "bplint graph {args:?}: {err}");
    out
}

fn fixture(case: &str, format: &str) -> String {
    graph(&[
        "--isolated",
        "--quiet",
        "--authentik-version",
        RELEASE,
        "--format",
        format,
        &format!("fixtures/graph/{case}"),
    ])
}

#[test]
fn fixtures_are_drawn_as_mermaid_and_dot() {
    for case in ["flows", "apps", "names"] {
        insta::assert_snapshot!(format!("graph_{case}_mermaid"), fixture(case, "mermaid"));
        insta::assert_snapshot!(format!("graph_{case}_dot"), fixture(case, "dot"));
    }
    insta::assert_snapshot!("graph_apps_markdown", fixture("apps", "markdown"));
}

#[test]
fn a_flow_lists_its_stages_in_binding_order_and_its_policies() {
    let out = fixture("flows", "mermaid");
    let login = out
        .split("\n\n")
        .find(|d| d.contains("title: \"flow fixture-login\""))
        .expect("a diagram of fixture-login");
    let at = |text: &str| {
        login
            .find(text)
            .unwrap_or_else(|| panic!("{text} in {login}"))
    };
    assert!(at("fixture-identification") < at("fixture-password<br/>"));
    assert!(at("fixture-password<br/>") < at("!KeyOf mfa"));
    assert!(at("!KeyOf mfa") < at("fixture-user-login"));
    assert!(login.contains("resolves to nothing · BP006"), "{login}");
    assert!(login.contains("evaluate_on_plan: false<br/>re_evaluate_policies: true"));
    assert!(login.contains("order 0<br/>failure_result: true"));
    assert!(login.contains("order 0<br/>negate: true"));
    assert!(login.contains("unknown: its query is set by a tag"));
    // The shipped flow gets the fixture's stage beside its own, with BP111 on the binding.
    let shipped = graph(&[
        "--isolated",
        "--authentik-version",
        RELEASE,
        "--flow",
        "default-authentication-flow",
        "fixtures/graph/flows",
    ]);
    assert!(shipped.contains("fixture-mfa<br/>authenticator validate stage"));
    assert!(shipped.contains("\"30<br/>⚠ BP111\""), "{shipped}");
}

#[test]
fn a_built_in_flow_is_drawn_without_any_blueprint_naming_it() {
    let out = graph(&[
        "--isolated",
        "--authentik-version",
        RELEASE,
        "--flow",
        "default-source-enrollment",
        "fixtures/graph/names",
    ]);
    assert!(out.contains("default-source-enrollment-prompt<br/>prompt stage · built-in"));
    assert!(out.contains("class n0,n1,n2,n3 builtin"), "{out}");
}

fn shared() -> PathBuf {
    std::env::var_os("BPLINT_SHARED").map_or_else(|| PathBuf::from("../shared"), PathBuf::from)
}

/// Authentik's own default authentication flow, from its shipped blueprints
/// of 2026.2.2: identification, password, MFA validation, login.
#[test]
fn the_shipped_default_authentication_flow() {
    let folder = shared().join("authentik/2026.2.2/default");
    if !folder.is_dir() {
        println!("{} not found: skipped", folder.display());
        return;
    }
    let folder = folder.to_string_lossy().into_owned();
    let draw = |format: &str| {
        graph(&[
            "--quiet",
            "--authentik-version",
            "2026.2.2",
            "--flow",
            "default-authentication-flow",
            "--format",
            format,
            &folder,
        ])
    };
    let mermaid = draw("mermaid");
    let stages = [
        "default-authentication-identification<br/>identification stage",
        "default-authentication-password<br/>password stage",
        "default-authentication-mfa-validation<br/>authenticator validate stage",
        "default-authentication-login<br/>user login stage",
    ];
    let at: Vec<usize> = stages
        .iter()
        .map(|s| {
            mermaid
                .find(s)
                .unwrap_or_else(|| panic!("{s} in {mermaid}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{mermaid}");
    insta::assert_snapshot!("graph_shipped_authentication_mermaid", mermaid);
    insta::assert_snapshot!("graph_shipped_authentication_dot", draw("dot"));
}

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .args([
            "-c",
            "user.name=bplint",
            "-c",
            "user.email=bplint@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A repository holding fixtures/graph/flows, committed, then (with `change`)
/// changed in the work tree: the password binding moves to order 25 and loses
/// a setting, the MFA file is deleted, a consent stage is bound, the flow's
/// title changes.
fn repository(change: bool) -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    if !git(root, &["init", "-q"]) {
        return None;
    }
    std::fs::create_dir(root.join("blueprints")).unwrap();
    common::copy_tree(Path::new("fixtures/graph/flows"), &root.join("blueprints"));
    assert!(git(root, &["add", "-A"]));
    assert!(git(root, &["commit", "-q", "-m", "flows"]));
    if !change {
        return Some(dir);
    }
    let login = root.join("blueprints/login.yaml");
    let text = std::fs::read_to_string(&login).unwrap();
    let text = text
        .replace("title: Welcome", "title: Sign in")
        .replace(
            "      stage: !KeyOf password\n      order: 20\n    attrs:\n      evaluate_on_plan: false\n",
            "      stage: !KeyOf password\n      order: 25\n    attrs:\n",
        )
        + "  - model: authentik_stages_consent.consentstage\n    id: consent\n    identifiers:\n      \
           name: fixture-consent\n    attrs:\n      mode: always_require\n  \
           - model: authentik_flows.flowstagebinding\n    identifiers:\n      target: !KeyOf flow\n      \
           stage: !KeyOf consent\n      order: 90\n";
    std::fs::write(&login, text).unwrap();
    std::fs::remove_file(root.join("blueprints/mfa.yaml")).unwrap();
    Some(dir)
}

#[test]
fn a_diff_marks_what_changes_since_a_revision() {
    let Some(repo) = repository(true) else {
        println!("git not usable here: skipped");
        return;
    };
    let draw = |format: &str| {
        let (code, out, err) = graph_in(
            repo.path(),
            &[
                "--quiet",
                "--authentik-version",
                RELEASE,
                "--diff",
                "HEAD",
                "--format",
                format,
            ],
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    let mermaid = draw("mermaid");
    for mark in [
        "fixture-login<br/>flow · authentication · changed",
        "fixture-consent<br/>consent stage · added",
        "fixture-mfa<br/>authenticator validate stage · removed",
        "\"25<br/>re_evaluate_policies: true<br/>added\"",
        "\"20<br/>evaluate_on_plan: false<br/>re_evaluate_policies: true<br/>removed\"",
    ] {
        assert!(mermaid.contains(mark), "{mark} in {mermaid}");
    }
    insta::assert_snapshot!("graph_diff_mermaid", mermaid);
    insta::assert_snapshot!("graph_diff_dot", draw("dot"));
    insta::assert_snapshot!("graph_diff_markdown", draw("markdown"));
    // Nothing changed: a note, and a comment that says so.
    let unchanged = repository(false).unwrap();
    let (code, out, err) = graph_in(
        unchanged.path(),
        &["--diff", "HEAD", "--format", "markdown"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("changes since `HEAD`"));
    assert!(out.contains("No flow, stage binding"), "{out}");
    assert!(
        err.contains("the graph does not change between HEAD and the work tree"),
        "{err}"
    );
}

#[test]
fn a_diff_outside_a_work_tree_or_with_an_unknown_revision_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        "version: 1\nentries:\n  - model: authentik_flows.flow\n    identifiers: {slug: a}\n",
    )
    .unwrap();
    let (code, out, err) = graph_in(dir.path(), &["--diff", "HEAD"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("is not in a git work tree"), "{err}");
    if !git(dir.path(), &["init", "-q"]) {
        return;
    }
    let (code, _, err) = graph_in(dir.path(), &["--diff", "no-such-branch"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("git knows no commit `no-such-branch`"),
        "{err}"
    );
}

#[test]
fn json_places_every_node_and_edge() {
    let out = fixture("flows", "json");
    let report: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(report["authentik_version"], RELEASE);
    let nodes = report["nodes"].as_array().unwrap();
    let node = |name: &str| {
        nodes
            .iter()
            .find(|n| n["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {out}"))
    };
    let flow = node("fixture-login");
    assert_eq!(flow["kind"], "flow");
    assert_eq!(flow["origin"], "entry");
    assert_eq!(
        flow["defined_at"][0],
        serde_json::json!({"file": "fixtures/graph/flows/login.yaml", "line": 9, "column": 12})
    );
    let missing = node("!KeyOf mfa");
    assert_eq!(missing["origin"], "dangling");
    assert_eq!(missing["code"], "BP006");
    assert_eq!(missing["findings"][0]["line"], 63);
    assert_eq!(node("default-authentication-flow")["origin"], "builtin");
    let edges = report["edges"].as_array().unwrap();
    let password = edges
        .iter()
        .find(|e| e["kind"] == "binding" && e["order"] == 20)
        .unwrap();
    assert_eq!(password["settings"]["re_evaluate_policies"], true);
    assert_eq!(password["defined_at"]["line"], 51);
    let on_binding = edges
        .iter()
        .find(|e| e["on_binding"] == password["id"])
        .expect("the policy on the password binding");
    assert_eq!(on_binding["settings"]["failure_result"], true);
    for edge in edges {
        assert!(edge["builtin"] == true || edge["defined_at"]["line"].as_u64() > Some(0));
    }
    // One flow asked for: only its nodes and edges.
    let one: serde_json::Value = serde_json::from_str(&graph(&[
        "--isolated",
        "--format",
        "json",
        "--flow",
        "fixture-enrollment",
        "fixtures/graph/flows",
    ]))
    .unwrap();
    assert_eq!(one["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(one["diagrams"][0]["kind"], "flow");
}

#[test]
fn an_unknown_slug_is_an_error_that_names_what_there_is() {
    let (code, out, err) = graph_in(
        Path::new("."),
        &[
            "--isolated",
            "--flow",
            "fixture-logn",
            "fixtures/graph/flows",
        ],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("no flow with slug `fixture-logn` in the set; did you mean `fixture-login`?"),
        "{err}"
    );
    let (code, _, err) = graph_in(
        Path::new("."),
        &["--isolated", "--application", "wiki", "fixtures/graph/apps"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("applications: `fixture-grafana`, `fixture-wiki`"),
        "{err}"
    );
}

#[test]
fn an_application_is_drawn_with_its_provider_flows_outpost_and_policies() {
    let out = graph(&[
        "--isolated",
        "--authentik-version",
        RELEASE,
        "--application",
        "fixture-wiki",
        "fixtures/graph/apps",
    ]);
    for part in [
        "title: \"application fixture-wiki\"",
        "fixture-wiki<br/>proxy provider",
        "fixture-proxy-outpost<br/>outpost",
        "fixture-staff-only<br/>expression policy",
        "!Env [WIKI_FLOW, default-provider-authorization…<br/>unknown: set by a tag",
    ] {
        assert!(out.contains(part), "{part} in {out}");
    }
    assert!(!out.contains("fixture-grafana"), "{out}");
}

#[test]
fn standard_input_and_every_fixture_draw_without_trouble() {
    let text = std::fs::read_to_string("fixtures/graph/flows/login.yaml").unwrap();
    let output = common::bplint()
        .args(["graph", "--isolated", "-", "--stdin-filename", "login.yaml"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("title: \"flow fixture-login\""));
    for format in ["mermaid", "markdown", "dot", "json"] {
        for path in ["fixtures", "examples"] {
            let (code, _, err) = graph_in(
                Path::new("."),
                &["--quiet", "--isolated", "--format", format, path],
            );
            assert!(code == 0 || code == 2, "{format} {path}: {code} {err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}

/// The README's picture is drawn from docs/graph-fixture-login.dot with
/// `dot -Tsvg`; that file is what bplint prints today, and the SVG shows it.
#[test]
fn the_readme_picture_is_drawn_from_todays_output() {
    let printed = graph(&[
        "--quiet",
        "--isolated",
        "--authentik-version",
        RELEASE,
        "--flow",
        "fixture-login",
        "--format",
        "dot",
        "fixtures/graph/flows",
    ]);
    let kept = std::fs::read_to_string("docs/graph-fixture-login.dot").unwrap();
    assert_eq!(
        kept, printed,
        "docs/graph-fixture-login.dot is stale: write the output above to it and draw \
         docs/graph-fixture-login.svg from it with `dot -Tsvg`"
    );
    // Graphviz writes `-` as an entity.
    let svg = std::fs::read_to_string("docs/graph-fixture-login.svg")
        .unwrap()
        .replace("&#45;", "-");
    for text in [
        "fixture-identification",
        "resolves to nothing · BP006",
        "failure_result: true",
    ] {
        assert!(
            svg.contains(text),
            "docs/graph-fixture-login.svg lacks {text}: draw it again"
        );
    }
}

/// Sets that tie themselves in knots: a flow bound to itself as a stage, a
/// binding's target that is a binding, a policy bound to a policy binding,
/// identifiers and models set by tags, a broken file beside them. Each is
/// drawn in every format, with exit 0 and no panic.
#[test]
fn knotted_sets_are_drawn_without_trouble() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("knots.yaml"),
        "version: 1
entries:
  - model: authentik_flows.flow
    id: flow
    identifiers: {slug: knot}
  - model: authentik_flows.flowstagebinding
    id: self
    identifiers: {target: !KeyOf flow, stage: !KeyOf flow, order: 1}
  - model: authentik_flows.flowstagebinding
    id: inner
    identifiers: {target: !KeyOf self, stage: !KeyOf self, order: 2}
  - model: authentik_policies.policybinding
    id: pb
    identifiers: {target: !KeyOf flow, policy: !KeyOf pb, order: 3}
  - model: authentik_policies.policybinding
    identifiers: {target: !KeyOf pb, policy: !KeyOf pb}
  - model: !Env MODEL
    identifiers: {slug: !Env SLUG}
  - model: authentik_flows.flow
    identifiers: {slug: !Format ['%s', knot]}
  - model: authentik_core.application
    identifiers: {slug: !KeyOf flow}
    attrs: {provider: [!KeyOf flow, !Find [authentik_core.provider, [pk, 1]]]}
  - model: authentik_flows.flowstagebinding
    identifiers: {target: !Find [authentik_flows.flow, [slug, knot]], stage: 7, order: x}
",
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "entries:\n  - model: [\n").unwrap();
    for format in ["mermaid", "markdown", "dot", "json"] {
        let (code, out, err) = graph_in(dir.path(), &["--isolated", "--format", format, "."]);
        assert_eq!(code, 0, "{format}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.contains("knot"), "{format}: {out}");
    }
}
