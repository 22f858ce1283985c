//! BP225: an entry's `permissions:` item that names a permission the entry's
//! model does not have. The importer grants object permissions on the saved
//! object, looking the codename up among that model's permissions only, and the
//! whole apply fails when it is not there.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::model::State;
use crate::yaml::Node;

rule! {
    pub struct EntryPermissionUnknown {
        code: "BP225",
        name: "entry-permission-unknown",
        severity: Error,
        fix: Unsafe,
        summary: "An entry's `permissions:` grants a permission the entry's model does not have",
    }
}

impl Rule for EntryPermissionUnknown {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(release) = cx.kb.serializers() else {
            return;
        };
        // Custom permissions come and go between releases: at a release whose
        // serializers were borrowed, only a default permission of another model
        // (`view_application` on a flow), which no release gives this one, is
        // judged.
        let own = cx.kb.serializers_are_own();
        for entry in &cx.bp.entries {
            if entry.state() == State::Absent {
                continue;
            }
            let Some(items) = entry.permissions.and_then(Node::seq) else {
                continue;
            };
            let Some(model) = entry.model_name() else {
                continue;
            };
            let Some(serializer) = release.model(&model) else {
                continue;
            };
            if serializer.permissions.is_empty() {
                continue;
            }
            for item in items {
                let Some(node) = item.get("permission") else {
                    continue;
                };
                // Granted only to the `user` or `role` the item names; with
                // neither, the importer grants nothing and looks nothing up.
                let grants = ["user", "role"].iter().any(|k| {
                    item.get(k).is_some_and(|v| {
                        !matches!(crate::resolve::yields(v), crate::resolve::Yield::Null)
                    })
                });
                if !grants {
                    continue;
                }
                if node.tag().is_some() {
                    continue;
                }
                let Some(written) = node.as_str() else {
                    continue;
                };
                // The app label before a `.` is dropped: the codename is looked
                // up among this model's permissions.
                let codename = written.split_once('.').map_or(written, |(_, c)| c);
                if serializer.permissions.binary_search(&codename).is_ok()
                    || (!own && !default_of_another(codename, &model))
                {
                    continue;
                }
                let near =
                    crate::suggest::closest(codename, serializer.permissions.iter().copied());
                let mut diag = Diagnostic::new(
                    &META,
                    cx.file_id,
                    node.value_span(),
                    format!("`{model}` has no permission `{codename}`"),
                )
                .label("not a permission of this model")
                .help(format!(
                    "the importer grants the permission on this entry's object and fails the \
                     apply when the model lacks it; `{model}` has {}",
                    list(serializer.permissions)
                ));
                if let Some(near) = near {
                    diag = diag.fix(crate::diagnostic::Fix {
                        title: format!("replace with `{near}`"),
                        applicability: crate::diagnostic::Applicability::Unsafe,
                        edits: vec![crate::diagnostic::Edit {
                            span: node.value_span(),
                            replacement: near.to_string(),
                        }],
                    });
                }
                out.push(diag);
            }
        }
    }
}

/// Whether `codename` is one of Django's default permissions (`add_`, `change_`,
/// `delete_`, `view_`) of a model other than `model` (`app.modelname`).
fn default_of_another(codename: &str, model: &str) -> bool {
    let own = model.rsplit('.').next().unwrap_or(model);
    ["add_", "change_", "delete_", "view_"]
        .iter()
        .find_map(|action| codename.strip_prefix(action))
        .is_some_and(|target| !target.is_empty() && target != own)
}

fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(10).map(|n| format!("`{n}`")).collect();
    if names.len() > shown.len() {
        format!("{}, ... ({} in all)", shown.join(", "), names.len())
    } else {
        shown.join(", ")
    }
}
