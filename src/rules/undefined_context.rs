//! BP207: `!Context key` with no default and no such key under `context:`.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::knowledge::versions::DEFAULT_CONTEXT_KEYS;
use crate::model::{TagCall, TagParse};

rule! {
    pub struct UndefinedContext {
        code: "BP207",
        name: "undefined-context",
        severity: Warning,
        fix: None,
        summary: "`!Context` names a key the blueprint does not define and gives no default",
    }
}

impl Rule for UndefinedContext {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let keys: Vec<&str> = cx.bp.context_keys().collect();
        for site in &cx.bp.tags {
            let TagParse::Call(TagCall::Context { key, default: None }) = site.parsed else {
                continue;
            };
            let Some(name) = key.scalar().map(|s| s.value.as_str()) else {
                continue;
            };
            // A flat lookup in every release: `a.b` is the key "a.b", never `b`
            // inside `a`.
            if keys.contains(&name) || DEFAULT_CONTEXT_KEYS.contains(&name) {
                continue;
            }
            let near = crate::suggest::closest(name, keys.iter().copied());
            let nested = name
                .split_once('.')
                .filter(|(head, _)| keys.contains(head))
                .map(|(head, _)| head);
            let define = format!(
                "define it under `context:`, or give a default: `!Context [{name}, default]`; \
                 unless the blueprint instance supplies it, the value is null"
            );
            let help = match (nested, near) {
                (Some(head), _) => format!(
                    "`!Context` looks up one key as written and does not descend into `{head}`; \
                     use `!AtIndex [!Context {head}, ...]` for a nested value, or {define}"
                ),
                (None, Some(near)) => crate::diagnostic::after_question(
                    &format!("did you mean `{near}`?"),
                    &format!("otherwise {define}"),
                ),
                (None, None) => define,
            };
            out.push(
                Diagnostic::new(
                    &META,
                    cx.file_id,
                    key.value_span(),
                    format!("`!Context {name}`: the blueprint defines no context key `{name}`"),
                )
                .label("resolves to null")
                .help(help),
            );
        }
    }
}
