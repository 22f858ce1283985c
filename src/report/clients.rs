//! `bplint clients`: the OIDC clients discovery found, so a user can see why BP102
//! did or did not fire.

use crate::pipeline::Outcome;
use crate::source::display_path;

pub fn render(outcome: &Outcome, json: bool) -> String {
    let rows: Vec<serde_json::Value> = outcome
        .clients
        .iter()
        .map(|found| {
            let path = &outcome.files[found.file].path;
            let line = outcome
                .source(found.file)
                .map_or(0, |s| s.line_col(found.client.client_id_span.start).line);
            let provider = found.provider.as_ref().map(|(name, file, span)| {
                let line = outcome
                    .source(*file)
                    .map_or(0, |s| s.line_col(span.start).line);
                serde_json::json!({
                    "name": name,
                    "file": display_path(&outcome.files[*file].path),
                    "line": line,
                })
            });
            // The catalog entry of Authentik's integration guides it matched.
            let app = found.client.app.map(|app| {
                serde_json::json!({
                    "name": app.name,
                    "slug": app.slug,
                    "guide": app.guide,
                })
            });
            serde_json::json!({
                "client_id": found.client.client_id,
                "kind": found.client.kind,
                "file": display_path(path),
                "line": line,
                "scopes": found.client.scopes,
                "default_scopes": found.client.default_scopes,
                "app": app,
                "provider": provider,
            })
        })
        .collect();
    if json {
        let mut text = serde_json::to_string_pretty(&rows).unwrap_or_default();
        text.push('\n');
        return text;
    }
    if rows.is_empty() {
        return "No OIDC client configuration found.\n".into();
    }
    let mut out = String::new();
    for row in &rows {
        let provider = match &row["provider"] {
            serde_json::Value::Null => {
                "no provider with this client_id in the checked blueprints".to_string()
            }
            // A name set by a tag (`!Context`, `!Format`) is known only when
            // Authentik applies the blueprint; the entry id stands in when there is one.
            p => match p["name"].as_str().unwrap_or("") {
                "" => format!(
                    "the provider at {}:{} (its name is set by a tag)",
                    p["file"].as_str().unwrap_or(""),
                    p["line"]
                ),
                name => format!(
                    "provider `{name}` ({}:{})",
                    p["file"].as_str().unwrap_or(""),
                    p["line"]
                ),
            },
        };
        let scopes: Vec<&str> = row["scopes"]
            .as_array()
            .map(|s| s.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let defaults = if row["default_scopes"] == true {
            " (none set: the application's defaults)"
        } else if scopes.is_empty() {
            "(none set)"
        } else {
            ""
        };
        out.push_str(&format!(
            "{} client `{}` at {}:{}\n  scopes:   {}{defaults}\n  uses:     {}\n",
            row["kind"].as_str().unwrap_or(""),
            row["client_id"].as_str().unwrap_or(""),
            row["file"].as_str().unwrap_or(""),
            row["line"],
            scopes.join(" "),
            provider
        ));
        if let Some(guide) = row["app"]["guide"].as_str() {
            out.push_str(&format!(
                "  catalog:  {} ({guide})\n",
                row["app"]["name"].as_str().unwrap_or("")
            ));
        }
    }
    out
}
