//! BP006: `!KeyOf x` where no entry of the blueprint has `id: x`.

use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::{TagCall, TagParse};

rule! {
    pub struct UnresolvedKeyOf {
        code: "BP006",
        name: "unresolved-keyof",
        severity: Error,
        fix: Unsafe,
        summary: "`!KeyOf` names an id no entry of the blueprint has",
    }
}

impl Rule for UnresolvedKeyOf {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let ids: Vec<&str> = cx.bp.entries.iter().filter_map(|e| e.id()).collect();
        for site in &cx.bp.tags {
            let TagParse::Call(TagCall::KeyOf { id }) = site.parsed else {
                continue;
            };
            let Some(name) = id.scalar().map(|s| s.value.as_str()) else {
                continue;
            };
            if ids.contains(&name) {
                continue;
            }
            let value_span = id.value_span();
            let mut diag = Diagnostic::new(
                &META,
                cx.file_id,
                value_span,
                format!("`!KeyOf {name}`: no entry in this blueprint has `id: {name}`"),
            )
            .label("unknown id");
            match crate::suggest::closest(name, ids.iter().copied()) {
                Some(near) => {
                    diag = diag
                        .help(format!(
                            "did you mean `{near}`? The importer fails with \"KeyOf: failed to find \
                             entry with `id` of `{name}`\""
                        ))
                        .fix(Fix {
                            title: format!("use id `{near}`"),
                            applicability: Applicability::Unsafe,
                            edits: vec![Edit {
                                span: value_span,
                                replacement: near.to_string(),
                            }],
                        });
                }
                None => {
                    diag = diag.help(format!(
                        "give the entry that creates this object `id: {name}`, above this one; \
                         `!KeyOf` only sees entries of the same blueprint"
                    ));
                }
            }
            out.push(diag);
        }
    }
}
