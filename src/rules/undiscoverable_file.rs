//! BP008: a blueprint Authentik's discovery never picks up.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::model::Origin;
use std::path::{Component, Path};

rule! {
    pub struct UndiscoverableFile {
        code: "BP008",
        name: "undiscoverable-file",
        severity: Warning,
        fix: None,
        summary: "Authentik's worker will never discover this blueprint",
    }
}

/// Why discovery would skip a file at `path`, if it would.
fn skip_reason(path: &Path) -> Option<String> {
    let hidden = path.components().find_map(|c| match c {
        Component::Normal(part) => {
            let part = part.to_string_lossy();
            part.starts_with('.').then(|| part.to_string())
        }
        _ => None,
    });
    if let Some(part) = hidden {
        return Some(format!(
            "it sits under `{part}`, and discovery skips every path with a part starting with `.`"
        ));
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml") => None,
        Some(ext) => Some(format!(
            "its name ends in `.{ext}`, and discovery only reads `*.yaml`"
        )),
        None => Some("discovery only reads files named `*.yaml`".into()),
    }
}

impl Rule for UndiscoverableFile {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let first_key = cx
            .bp
            .root
            .map()
            .and_then(|p| p.first())
            .map_or(cx.bp.root.span, |p| p.key.span);
        let (reason, help) = match &cx.bp.origin {
            // Standard input without `--stdin-filename` has no name to judge.
            Origin::File if cx.relative.as_os_str().is_empty() => return,
            Origin::File => match skip_reason(cx.relative) {
                Some(reason) => (
                    reason,
                    "rename the file to `*.yaml` outside hidden folders (in a ConfigMap, name the key `*.yaml`)",
                ),
                None => return,
            },
            Origin::Document(n) => (
                format!(
                    "this is document {n} of a multi-document file, and Authentik refuses the \
                     whole file: its loader reads exactly one document (PyYAML: \"expected a \
                     single document in the stream\"), so no document of the file is applied, \
                     this one included"
                ),
                "put each blueprint in its own file, or wrap them in a ConfigMap with one key \
                 each; a `---` with nothing after it counts as a second document too",
            ),
            Origin::Embedded { key, key_span, .. } => {
                if key.contains('.') && key.starts_with("spec.") {
                    return;
                }
                match skip_reason(Path::new(key)) {
                    Some(reason) => {
                        out.push(
                            Diagnostic::new(
                                &META,
                                cx.file_id,
                                *key_span,
                                format!(
                                    "Authentik will not discover this blueprint: once mounted as \
                                     `{key}`, {reason}"
                                ),
                            )
                            .help("name the ConfigMap key `*.yaml`"),
                        );
                        return;
                    }
                    None => return,
                }
            }
        };
        out.push(
            Diagnostic::new(
                &META,
                cx.file_id,
                first_key,
                format!("Authentik will not discover this blueprint: {reason}"),
            )
            .help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::skip_reason;
    use std::path::Path;

    #[test]
    fn yaml_files_outside_hidden_folders_are_found() {
        assert!(skip_reason(Path::new("./blueprints/custom/app.yaml")).is_none());
        assert!(skip_reason(Path::new("../blueprints/app.yaml")).is_none());
    }

    #[test]
    fn yml_and_hidden_paths_are_not() {
        assert!(skip_reason(Path::new("blueprints/app.yml")).is_some());
        assert!(skip_reason(Path::new("blueprints/..data/app.yaml")).is_some());
        assert!(skip_reason(Path::new(".hidden/app.yaml")).is_some());
    }
}
