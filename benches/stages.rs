//! The per-file stages on representative blueprints: parse (text -> tree), model
//! (tree -> blueprints), rules (every per-blueprint rule, then the facts the set
//! rules read). `cargo bench`; `bench/compare.sh` times the whole process.
//!
//! Inputs: the two blueprints in benches/data/ (a flow with prompts, stages and
//! bindings; OAuth2 and proxy applications) and one generated at start, with as
//! many applications as a large single-file deployment has.

use bplint::knowledge::Knowledge;
use bplint::model::locate::Located;
use bplint::resolve::BlueprintFacts;
use bplint::rules::{self, BlueprintCx};
use bplint::source::SourceFile;
use bplint::yaml;
use std::fmt::Write;
use std::path::Path;

fn main() {
    divan::main();
}

const INPUTS: &[&str] = &[
    "enrollment-flow",
    "oauth2-applications",
    "generated-200-apps",
];

/// Applications in the generated input.
const GENERATED_APPS: usize = 200;

fn text(name: &str) -> String {
    if name == "generated-200-apps" {
        return generated(GENERATED_APPS);
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/data")
        .join(format!("{name}.yaml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One blueprint with `apps` groups, OAuth2 providers, applications and policy
/// bindings, tied together with `!KeyOf` and `!Find` (~7 KB per 10 apps).
fn generated(apps: usize) -> String {
    let mut out = String::from(
        "version: 1\nmetadata:\n  name: Bench - generated applications\n\
         context:\n  domain: example.org\nentries:\n",
    );
    for i in 0..apps {
        // Infallible: writing to a String.
        let _ = write!(
            out,
            "  - model: authentik_core.group
    id: group-{i}
    identifiers:
      name: app-{i}-users
    attrs:
      is_superuser: false
      attributes:
        tier: {tier}
  - model: authentik_providers_oauth2.oauth2provider
    id: provider-{i}
    identifiers:
      name: app-{i}
    attrs:
      authorization_flow: !Find [authentik_flows.flow, [slug, default-provider-authorization-implicit-consent]]
      invalidation_flow: !Find [authentik_flows.flow, [slug, default-provider-invalidation-flow]]
      client_type: confidential
      client_id: app-{i}
      redirect_uris:
        - matching_mode: strict
          url: !Format [\"https://app-{i}.%s/callback\", !Context domain]
      access_token_validity: minutes=10
      property_mappings:
        - !Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-openid]]
        - !Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-email]]
        - !Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-profile]]
  - model: authentik_core.application
    id: app-{i}
    identifiers:
      slug: app-{i}
    attrs:
      name: \"Application {i}\"
      provider: !KeyOf provider-{i}
      meta_launch_url: !Format [\"https://app-{i}.%s/\", !Context domain]
      policy_engine_mode: any
  - model: authentik_policies.policybinding
    identifiers:
      order: 0
      target: !KeyOf app-{i}
      group: !KeyOf group-{i}
",
            tier = i % 3,
        );
    }
    out
}

#[divan::bench(args = INPUTS)]
fn parse(bencher: divan::Bencher, name: &str) {
    let text = text(name);
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| yaml::parse(divan::black_box(&text)).map(|s| s.documents.len()));
}

#[divan::bench(args = INPUTS)]
fn model(bencher: divan::Bencher, name: &str) {
    let text = text(name);
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .with_inputs(|| yaml::parse(&text).expect("bench inputs parse"))
        .bench_local_values(|stream| {
            let located = Located::new(&text, stream);
            let entries: usize = located.blueprints().iter().map(|b| b.entries.len()).sum();
            entries
        });
}

#[divan::bench(args = INPUTS)]
fn rules(bencher: divan::Bencher, name: &str) {
    let text = text(name);
    let source = SourceFile::new("bench.yaml", text.as_str());
    let located = Located::new(&text, yaml::parse(&text).expect("bench inputs parse"));
    let blueprints = located.blueprints();
    let duplicates = located.duplicates();
    let kb = Knowledge::newest();
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench_local(|| {
            let mut diagnostics = Vec::new();
            let mut facts = Vec::new();
            for (index, bp) in blueprints.iter().enumerate() {
                let cx =
                    BlueprintCx::new(0, &source, Path::new("bench.yaml"), bp, &kb, &duplicates);
                for rule in rules::ALL {
                    rule.check_blueprint(&cx, &mut diagnostics);
                }
                facts.push(BlueprintFacts::extract(
                    0,
                    "bench.yaml".into(),
                    index,
                    bp,
                    &text,
                ));
            }
            (diagnostics.len(), facts.len())
        });
}
