//! The objects Authentik's start-up code creates: generated from the recorded
//! reading of Authentik's code by a tested generator, up to date, and found by
//! `!Find` like the objects shipped blueprints create.

mod common;

#[test]
fn the_generated_table_matches_the_record() {
    common::assert_generator_current(
        "scripts/gen-startup.py",
        &[],
        "src/knowledge/startup_generated.rs",
    );
}

#[test]
fn every_release_has_the_inbuilt_source_from_its_apps_file() {
    for def in bplint::knowledge::all_versions() {
        let kb = bplint::knowledge::Knowledge::for_version(def.name).unwrap();
        let source = kb
            .builtin_matching(
                "authentik_core.source",
                &[("managed", "goauthentik.io/sources/inbuilt")],
            )
            .unwrap_or_else(|| panic!("{}: no inbuilt source", def.name));
        assert_eq!(source.source, "startup");
        let origin = bplint::knowledge::startup_origin(source).expect("a start-up object");
        assert_eq!(origin.code, "authentik/core/apps.py");
        assert!(origin.tags.contains("version/2026.2.2"), "{}", origin.tags);
    }
}

#[test]
fn conditional_objects_say_what_they_need() {
    let kb = bplint::knowledge::Knowledge::newest();
    let docker = kb
        .builtin_matching(
            "authentik_outposts.outpostserviceconnection",
            &[("name", "Local Docker connection")],
        )
        .expect("the local Docker connection");
    let origin = bplint::knowledge::startup_origin(docker).expect("a start-up object");
    assert_eq!(origin.code, "authentik/outposts/tasks.py");
    assert!(origin.condition.contains("socket"), "{}", origin.condition);
    let shipped = kb
        .builtin_matching(
            "authentik_flows.flow",
            &[("slug", "default-authentication-flow")],
        )
        .expect("the default authentication flow");
    assert!(bplint::knowledge::startup_origin(shipped).is_none());
}
