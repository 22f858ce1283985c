//! `bplint instances`: the Authentik instances the repository's deployment
//! files show, so a user can see why `check` split (or did not split) the
//! blueprints into sets.

use crate::detect::Judged;
use crate::instances::Instances;
use crate::source::display_path;
use std::path::Path;

pub fn render(
    instances: &Instances,
    judged: &[Judged],
    releases_differ: Option<&str>,
    cwd: &Path,
    json: bool,
) -> String {
    let shown = |path: &Path| display_path(path.strip_prefix(cwd).unwrap_or(path));
    if json {
        let list: Vec<serde_json::Value> = instances
            .list
            .iter()
            .zip(judged)
            .map(|(instance, judged)| {
                serde_json::json!({
                    "name": instance.name,
                    "authentik_version": super::AuthentikVersion::of(judged),
                    "evidence": instance.evidence.iter().map(|e| serde_json::json!({
                        "file": shown(&e.file),
                        "line": e.line,
                        "what": e.what,
                    })).collect::<Vec<_>>(),
                    "blueprints": instance.blueprints.iter().map(|b| shown(b)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let report = serde_json::json!({
            "instances": list,
            "not_deployed": instances.undeployed.iter().map(|b| shown(b)).collect::<Vec<_>>(),
            "notes": instances.notes.iter().chain(releases_differ.map(str::to_string).as_ref()).collect::<Vec<_>>(),
        });
        let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
        text.push('\n');
        return text;
    }
    let mut out = String::new();
    if instances.list.is_empty() {
        out.push_str(
            "No deployment evidence found (Flux Kustomization, Argo CD Application, compose \
             volumes onto /blueprints, [[instances]] in bplint.toml): every blueprint is \
             checked as one set.\n",
        );
    }
    for (instance, judged) in instances.list.iter().zip(judged) {
        out.push_str(&format!(
            "instance {} ({})\n",
            instance.name,
            super::release_phrase(judged)
        ));
        for evidence in &instance.evidence {
            out.push_str(&format!(
                "  from {}:{}: {}\n",
                shown(&evidence.file),
                evidence.line,
                evidence.what
            ));
        }
        for blueprint in &instance.blueprints {
            out.push_str(&format!("  {}\n", shown(blueprint)));
        }
    }
    if !instances.undeployed.is_empty() {
        out.push_str("not deployed by any instance\n");
        for blueprint in &instances.undeployed {
            out.push_str(&format!("  {}\n", shown(blueprint)));
        }
    }
    for note in instances
        .notes
        .iter()
        .map(String::as_str)
        .chain(releases_differ)
    {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}
