//! BP212: two blueprints share a `metadata.name`; Authentik keys blueprint
//! instances by name.

use super::{Rule, SetCx};
use crate::diagnostic::Diagnostic;
use foldhash::{HashMap, HashMapExt};

rule! {
    pub struct DuplicateBlueprintName {
        code: "BP212",
        name: "duplicate-blueprint-name",
        severity: Error,
        fix: None,
        summary: "Two blueprints have the same `metadata.name`",
    }
}

impl Rule for DuplicateBlueprintName {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, bp) in cx.blueprints.iter().enumerate() {
            let Some((name, span)) = &bp.name else {
                continue;
            };
            if !bp.instantiates {
                continue;
            }
            if let Some(&first) = seen.get(name.as_str()) {
                let other = &cx.blueprints[first];
                // The same blueprint shipped two ways (a file and its ConfigMap copy).
                if other.entries_hash == bp.entries_hash {
                    continue;
                }
                let mut diag = Diagnostic::new(
                    &META,
                    bp.file,
                    *span,
                    format!(
                        "blueprint name `{name}` is also used by {}",
                        crate::source::display_path(&other.path)
                    ),
                )
                .label("duplicate name")
                .help(
                    "Authentik creates one blueprint instance per name; the second file fails to \
                     register. Give each blueprint its own `metadata.name`",
                );
                if let Some((_, other_span)) = &other.name {
                    diag = diag.related(other.file, *other_span, "first used here");
                }
                out.push(diag);
                continue;
            }
            seen.insert(name, i);
        }
    }
}
