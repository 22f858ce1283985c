//! `bplint rules`: the rule table, as aligned text or as JSON for tools.

use crate::diagnostic::{Applicability, RuleMeta};
use serde::Serialize;

#[derive(Serialize)]
struct JsonRule {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    /// The fix the rule offers: "safe", "unsafe" or null. `fixable` is the name
    /// the other linters' listings use; `fix` is kept for existing scripts.
    fix: Option<Applicability>,
    fixable: Option<Applicability>,
    summary: &'static str,
}

pub fn json<'a>(metas: impl Iterator<Item = &'a RuleMeta>) -> String {
    let list: Vec<JsonRule> = metas
        .map(|m| JsonRule {
            code: m.code,
            name: m.name,
            severity: m.severity.as_str(),
            fix: m.fix,
            fixable: m.fix,
            summary: m.summary,
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
    text.push('\n');
    text
}

pub fn human<'a>(metas: impl Iterator<Item = &'a RuleMeta>) -> String {
    metas
        .map(|m| {
            let fix = match m.fix {
                Some(Applicability::Safe) => "fix",
                Some(Applicability::Unsafe) => "unsafe fix",
                None => "",
            };
            format!(
                "{:<6} {:<32} {:<8} {:<11} {}\n",
                m.code,
                m.name,
                m.severity.as_str(),
                fix,
                m.summary
            )
        })
        .collect()
}
