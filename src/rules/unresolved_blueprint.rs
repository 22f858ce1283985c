//! BP211: a `metaapplyblueprint` entry names a blueprint that is neither in the
//! linted set nor shipped with Authentik.

use super::{Rule, SetCx};
use crate::diagnostic::{Diagnostic, FileId, Severity};
use crate::resolve::{BlueprintFacts, MetaApply};
use foldhash::{HashMap, HashMapExt, HashSet};
use std::ffi::OsStr;
use std::path::Path;

rule! {
    pub struct UnresolvedBlueprint {
        code: "BP211",
        name: "unresolved-blueprint",
        severity: Error,
        fix: None,
        summary: "`metaapplyblueprint` names a blueprint that does not exist",
    }
}

const INSTANCE: &str = "authentik_blueprints.blueprintinstance";

impl Rule for UnresolvedBlueprint {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        if cx.blueprints.iter().all(|bp| bp.meta_applies.is_empty()) {
            return;
        }
        // The set's names, and its paths by file name, so each lookup is a hash
        // probe rather than a pass over the set.
        // Only blueprints Authentik instantiates get the instance the meta model
        // looks up; one labelled `instantiate: "false"` never has one.
        let names_where = |instantiated: bool| -> HashSet<&str> {
            cx.blueprints
                .iter()
                .filter(|b| b.instantiates == instantiated)
                .filter_map(|b| b.name.as_ref().map(|(n, _)| n.as_str()))
                .collect()
        };
        let names = names_where(true);
        let names_without_instance = names_where(false);
        let mut by_file_name: HashMap<&OsStr, Vec<&BlueprintFacts>> = HashMap::new();
        for bp in cx.blueprints {
            if let Some(name) = bp.path.file_name() {
                by_file_name.entry(name).or_default().push(bp);
            }
        }
        let path_found = |value: &str, instantiated: bool| {
            let wanted = Path::new(value);
            match wanted.file_name() {
                Some(name) => by_file_name.get(name).is_some_and(|bps| {
                    bps.iter()
                        .any(|b| b.instantiates == instantiated && b.path.ends_with(wanted))
                }),
                // `..`, `/` or nothing: rare enough to compare with every file.
                None => cx
                    .blueprints
                    .iter()
                    .any(|b| b.instantiates == instantiated && path_matches(b, value)),
            }
        };
        // Suggestions weigh every name of the set; files that name the same
        // missing blueprint share one.
        let mut suggestions: HashMap<&str, Option<&str>> = HashMap::new();
        for bp in cx.blueprints {
            for apply in &bp.meta_applies {
                let found = apply
                    .identifiers
                    .iter()
                    .all(|(field, value)| match field.as_str() {
                        "name" => names.contains(value.as_str()) || builtin(cx, "name", value),
                        "path" => path_found(value, true) || builtin(cx, "path", value),
                        _ => true,
                    });
                if found {
                    continue;
                }
                let without_instance =
                    apply
                        .identifiers
                        .iter()
                        .all(|(field, value)| match field.as_str() {
                            "name" => names_without_instance.contains(value.as_str()),
                            "path" => path_found(value, false),
                            _ => true,
                        });
                if without_instance {
                    out.push(not_instantiated(bp.file, apply));
                    continue;
                }
                let names = cx
                    .blueprints
                    .iter()
                    .filter_map(|b| b.name.as_ref().map(|(n, _)| n.as_str()))
                    .chain(
                        cx.kb
                            .builtins()
                            .filter(|b| b.model == INSTANCE)
                            .filter_map(|b| b.field("name")),
                    );
                let target = apply
                    .identifiers
                    .iter()
                    .map(|(f, v)| format!("{f} `{v}`"))
                    .collect::<Vec<_>>()
                    .join(" and ");
                let wanted = apply
                    .identifiers
                    .iter()
                    .find(|(f, _)| f == "name")
                    .map(|(_, v)| v.as_str());
                let near = wanted.and_then(|w| {
                    *suggestions
                        .entry(w)
                        .or_insert_with(|| crate::suggest::closest(w, names))
                });
                let question = near.map(|near| format!("did you mean `{near}`?"));
                let mut diag = Diagnostic::new(
                    &META,
                    bp.file,
                    apply.span,
                    format!(
                        "no blueprint with {target} in the linted set or shipped with Authentik"
                    ),
                )
                .label("no such blueprint");
                let consequence = if apply.required {
                    "with `required: true` (the default) the import fails with \"Required \
                     blueprint does not exist\""
                } else {
                    diag.severity = Severity::Warning;
                    "with `required: false` the dependency is skipped silently"
                };
                let help = match question {
                    Some(question) => crate::diagnostic::after_question(&question, consequence),
                    None => consequence.to_string(),
                };
                out.push(diag.help(help));
            }
        }
    }
}

/// The target is in the set but labelled `instantiate: "false"`: discovery skips
/// it (`check_blueprint_v1_file` in authentik/blueprints/v1/tasks.py), so no
/// instance exists for the meta model to apply.
fn not_instantiated(file: FileId, apply: &MetaApply) -> Diagnostic {
    let target = apply
        .identifiers
        .iter()
        .map(|(f, v)| format!("{f} `{v}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let mut diag = Diagnostic::new(
        &META,
        file,
        apply.span,
        format!(
            "the blueprint with {target} is labelled `blueprints.goauthentik.io/instantiate: \
             \"false\"`, so Authentik never creates an instance of it to apply"
        ),
    )
    .label("no instance to apply");
    let consequence = if apply.required {
        "with `required: true` (the default) the import fails with \"Required blueprint does \
         not exist\""
    } else {
        diag.severity = Severity::Warning;
        "with `required: false` the dependency is skipped silently"
    };
    diag.help(format!(
        "{consequence}; remove the label from that blueprint, or create its instance by hand \
         (Customization > Blueprints) before this one runs"
    ))
}

fn builtin(cx: &SetCx<'_>, field: &str, value: &str) -> bool {
    cx.kb
        .builtins()
        .any(|b| b.model == INSTANCE && b.field(field) == Some(value))
}

/// `path` is relative to Authentik's blueprints folder; a linted file matches when
/// its path ends with it.
fn path_matches(bp: &BlueprintFacts, path: &str) -> bool {
    bp.path.ends_with(Path::new(path))
}
