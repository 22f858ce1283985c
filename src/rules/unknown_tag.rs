//! BP004: a tag Authentik's loader has no constructor for.

use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::TagParse;
use crate::model::tags::KNOWN_TAGS;

rule! {
    pub struct UnknownTag {
        code: "BP004",
        name: "unknown-tag",
        severity: Error,
        fix: Safe,
        summary: "A YAML tag Authentik cannot load",
    }
}

impl Rule for UnknownTag {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for site in &cx.bp.tags {
            let TagParse::Unknown(name) = site.parsed else {
                continue;
            };
            let Some(tag) = site.node.tag() else { continue };
            let bare = name.trim_start_matches('!');
            let suggestion = crate::suggest::closest(bare, KNOWN_TAGS.iter().copied());
            let mut diag = Diagnostic::new(
                &META,
                cx.file_id,
                tag.span,
                format!("unknown tag `{name}`: Authentik's loader cannot construct it"),
            )
            .label("no constructor for this tag");
            diag = match suggestion {
                Some(known) => diag
                    .help(format!(
                        "did you mean `!{known}`? The whole file fails to load \
                         (\"could not determine a constructor for the tag '{name}'\")"
                    ))
                    .fix(Fix {
                        title: format!("replace `{name}` with `!{known}`"),
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            span: tag.span,
                            replacement: format!("!{known}"),
                        }],
                    }),
                None => diag.help(format!(
                    "Authentik knows {}; the whole file fails to load",
                    KNOWN_TAGS
                        .iter()
                        .map(|t| format!("!{t}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            out.push(diag);
        }
    }
}
