//! BP005: a known tag with arguments its constructor or resolver rejects.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::model::{TagCall, TagParse};

rule! {
    pub struct InvalidTagArguments {
        code: "BP005",
        name: "invalid-tag-arguments",
        severity: Error,
        fix: None,
        summary: "A tag has the wrong kind or number of arguments",
    }
}

impl Rule for InvalidTagArguments {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for site in &cx.bp.tags {
            let (span, message) = match &site.parsed {
                TagParse::Invalid(e) => (e.span, e.message.clone()),
                TagParse::Call(TagCall::Index { depth } | TagCall::Value { depth }) => {
                    let name = if matches!(site.parsed, TagParse::Call(TagCall::Index { .. })) {
                        "Index"
                    } else {
                        "Value"
                    };
                    if site.enumerate_depth == 0 {
                        (
                            site.node.span,
                            format!("`!{name}` is only usable inside an `!Enumerate` body"),
                        )
                    } else if *depth >= site.enumerate_depth as i64 {
                        (
                            site.node.span,
                            format!(
                                "`!{name} {depth}` reaches past the enclosing `!Enumerate` tags \
                                 (max depth here: {})",
                                site.enumerate_depth - 1
                            ),
                        )
                    } else {
                        continue;
                    }
                }
                _ => continue,
            };
            out.push(
                Diagnostic::new(&META, cx.file_id, span, message)
                    .help("see `bplint explain BP005` for each tag's accepted shapes"),
            );
        }
    }
}
