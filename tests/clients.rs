//! Clients found next to the blueprints feed BP102 and BP122: an oauth2-proxy
//! values file that asks for `offline_access` from a provider without the mapping
//! (or Grafana asking for a scope no mapping provides) is reported at the
//! provider, with a second label at the client's scope line.

mod common;

use common::{bplint, json_report};
use std::path::Path;

fn copy_repo(to: &Path) {
    for entry in [
        "blueprints/dashboard.yaml",
        "apps/oauth2-proxy/values.yaml",
        "apps/grafana/grafana.ini",
    ] {
        let target = to.join(entry);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(Path::new("fixtures/clients/repo").join(entry), target).unwrap();
    }
}

fn report(dir: &Path) -> serde_json::Value {
    json_report(bplint().current_dir(dir).arg("check"))
}

#[test]
fn an_oauth2_proxy_client_asking_for_offline_access_fires_bp102_in_both_places() {
    let dir = tempfile::tempdir().unwrap();
    copy_repo(dir.path());
    let report = report(dir.path());
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "BP102");
    assert_eq!(d["file"], "blueprints/dashboard.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(15), Some(7))
    );
    let related = &d["related"][0];
    assert_eq!(related["file"], "apps/oauth2-proxy/values.yaml");
    assert_eq!(
        (related["line"].as_u64(), related["column"].as_u64()),
        (Some(8), Some(13))
    );
}

#[test]
fn without_offline_access_in_the_values_file_it_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    copy_repo(dir.path());
    let values = dir.path().join("apps/oauth2-proxy/values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    std::fs::write(&values, text.replace(" offline_access", "")).unwrap();
    assert_eq!(report(dir.path())["diagnostics"], serde_json::json!([]));
}

#[test]
fn a_client_asking_for_a_scope_the_provider_does_not_map_fires_bp119() {
    let dir = tempfile::tempdir().unwrap();
    copy_repo(dir.path());
    let values = dir.path().join("apps/oauth2-proxy/values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    std::fs::write(&values, text.replace(" offline_access", "")).unwrap();
    // Grafana asks for `profile`; without its mapping the provider drops it.
    let blueprint = dir.path().join("blueprints/dashboard.yaml");
    let text = std::fs::read_to_string(&blueprint).unwrap();
    std::fs::write(
        &blueprint,
        text.replace(
            "        - !Find [authentik_providers_oauth2.scopemapping, [scope_name, profile]]\n",
            "",
        ),
    )
    .unwrap();
    let report = report(dir.path());
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "BP122");
    assert_eq!(d["file"], "blueprints/dashboard.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(29), Some(7))
    );
    assert!(
        d["message"].as_str().unwrap().contains("`profile`"),
        "{d:#}"
    );
    let related = &d["related"][0];
    assert_eq!(related["file"], "apps/grafana/grafana.ini");
    assert_eq!(related["line"].as_u64(), Some(7));
}

#[test]
fn discovery_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    copy_repo(dir.path());
    std::fs::write(
        dir.path().join("bplint.toml"),
        "[discovery]\nclients = false\n",
    )
    .unwrap();
    assert_eq!(report(dir.path())["diagnostics"], serde_json::json!([]));
}

#[test]
fn bplint_clients_lists_what_was_found() {
    let output = bplint()
        .args(["clients", "fixtures/clients/repo", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let grafana = list.iter().find(|c| c["kind"] == "Grafana").unwrap();
    assert_eq!(grafana["client_id"], "grafana");
    assert_eq!(
        grafana["file"],
        "fixtures/clients/repo/apps/grafana/grafana.ini"
    );
    assert_eq!(grafana["line"], 6);
    assert_eq!(grafana["provider"]["name"], "grafana");
    let proxy = list.iter().find(|c| c["kind"] == "oauth2-proxy").unwrap();
    assert_eq!(
        proxy["scopes"],
        serde_json::json!(["openid", "email", "offline_access"])
    );
}

/// Applications of Authentik's integration guides, one folder each under
/// fixtures/clients/catalog/, holding a configuration in one of the formats the
/// guide writes (env file, compose `environment` list or map, INI, JSON, YAML,
/// Helm values). Drawn at random from the catalog entries with a format discovery
/// reads (48 of the 51; PHP and Python settings files are not read):
/// `random.Random(22).sample(sorted(slugs), 25)` in Python 3.11 over
/// knowledge/clients.json. Each client id is `<slug>-client`.
const DRAWN: [&str; 25] = [
    "affine",
    "arcane",
    "bookstack",
    "chronograf",
    "coder",
    "ezbookkeeping",
    "freshrss",
    "gitlab",
    "hashicorp-vault",
    "headscale",
    "hedgedoc",
    "home-assistant",
    "hoop.dev",
    "kitchenowl",
    "komodo",
    "meshcentral",
    "miniflux",
    "mobilizon",
    "netbox",
    "paperless-ngx",
    "semaphore",
    "vaultwarden",
    "wekan",
    "whats-up-docker",
    "zot",
];

#[test]
fn clients_of_25_applications_drawn_from_the_guides_are_found_and_named() {
    let output = bplint()
        .args(["clients", "fixtures/clients/catalog", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), DRAWN.len(), "{list:#?}");
    for slug in DRAWN {
        let row = list
            .iter()
            .find(|c| c["client_id"] == format!("{slug}-client"))
            .unwrap_or_else(|| panic!("no client of {slug}: {list:#?}"));
        assert_eq!(row["app"]["slug"], slug, "{row:#}");
        assert!(
            row["file"]
                .as_str()
                .unwrap()
                .starts_with(&format!("fixtures/clients/catalog/{slug}/")),
            "{row:#}"
        );
        let app = bplint::knowledge::clients::apps()
            .iter()
            .find(|a| a.slug == slug)
            .unwrap();
        assert_eq!(row["app"]["guide"], app.guide);
        assert_eq!(row["kind"], app.name);
    }
    let scopes = |slug: &str| {
        list.iter()
            .find(|c| c["app"]["slug"] == slug)
            .map(|c| (c["scopes"].clone(), c["default_scopes"].clone()))
            .unwrap()
    };
    // set in the file: a compose list item, a JSON list, an env value
    assert_eq!(
        scopes("hedgedoc").0,
        serde_json::json!(["openid", "email", "profile"])
    );
    assert_eq!(
        scopes("semaphore").0,
        serde_json::json!(["openid", "profile", "email"])
    );
    assert_eq!(
        scopes("netbox").0,
        serde_json::json!(["openid", "profile", "email", "roles"])
    );
    // not set: the guide's
    assert_eq!(
        scopes("vaultwarden"),
        (
            serde_json::json!(["openid", "email", "profile", "offline_access"]),
            serde_json::json!(true)
        )
    );
    // not set and the guide gives none: listed with no scopes
    assert_eq!(
        scopes("bookstack"),
        (serde_json::json!([]), serde_json::json!(false))
    );
}

#[test]
fn a_client_without_scopes_requests_what_its_guide_gives_it() {
    let dir = tempfile::tempdir().unwrap();
    for entry in [
        "blueprints/vaultwarden.yaml",
        "apps/vaultwarden/vaultwarden.env",
    ] {
        let target = dir.path().join(entry);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(Path::new("fixtures/clients/defaults").join(entry), target).unwrap();
    }
    let found = report(dir.path());
    let diagnostics = found["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "BP102");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("the Vaultwarden client") && message.contains("by default"),
        "{message}"
    );
    assert_eq!(d["related"][0]["file"], "apps/vaultwarden/vaultwarden.env");
    assert_eq!(d["related"][0]["line"].as_u64(), Some(3));
    // Setting the scopes in the file wins over the guide's.
    let env = dir.path().join("apps/vaultwarden/vaultwarden.env");
    let mut text = std::fs::read_to_string(&env).unwrap();
    text.push_str("SSO_SCOPES=openid email profile\n");
    std::fs::write(&env, text).unwrap();
    assert_eq!(report(dir.path())["diagnostics"], serde_json::json!([]));
}

/// The formats the 25 applications above do not cover: a `.env` file named on
/// the command line (the folder walk skips hidden files, as git tools do), TOML,
/// and Kubernetes manifests (a Deployment's `env` list, a ConfigMap's `data`),
/// where each document names its own application.
#[test]
fn dotenv_toml_and_kubernetes_clients_are_found() {
    let output = bplint()
        .args([
            "clients",
            "fixtures/clients/formats/dotenv/.env",
            "fixtures/clients/formats/toml",
            "fixtures/clients/formats/kubernetes",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let row = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["client_id"] == id)
            .unwrap_or_else(|| panic!("no {id}: {list:#}"))
            .clone()
    };
    let outline = row("outline-client");
    assert_eq!(outline["app"]["slug"], "outline");
    assert_eq!(outline["line"], 4);
    assert_eq!(
        outline["scopes"],
        serde_json::json!(["openid", "profile", "email"])
    );
    let toml = row("toml-client");
    assert_eq!(toml["scopes"], serde_json::json!(["openid", "email"]));
    assert_eq!(row("mealie-client")["app"]["slug"], "mealie");
    let freshrss = row("freshrss-k8s-client");
    assert_eq!(freshrss["app"]["slug"], "freshrss");
    assert_eq!(freshrss["scopes"], serde_json::json!(["openid", "email"]));
}

/// What `bplint clients` prints for the catalog fixtures, human and JSON.
#[test]
fn the_clients_report_of_the_catalog_fixtures() {
    for (format, name) in [
        ("human", "clients_catalog_human"),
        ("json", "clients_catalog_json"),
    ] {
        let output = bplint()
            .args(["clients", "fixtures/clients/catalog", "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        insta::assert_snapshot!(name, String::from_utf8(output.stdout).unwrap());
    }
}
