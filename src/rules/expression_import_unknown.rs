//! BP226: an expression that imports a module the release does not have, or a
//! name its module does not define. Authentik runs the expression with `exec`
//! in the server's own environment (authentik/lib/expression/evaluator.py), so
//! the import raises every time the line runs: the policy fails, or the mapping
//! raises and is skipped.

use super::fields::{self, ExpressionKind};
use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::knowledge::expressions::{self, ModuleVerdict};
use crate::resolve::expression;

rule! {
    pub struct ExpressionImportUnknown {
        code: "BP226",
        name: "expression-import-unknown",
        severity: Warning,
        fix: None,
        summary: "An expression imports a module or name that the judged Authentik release does not have",
    }
}

impl Rule for ExpressionImportUnknown {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(facts) = fields::expression_facts(cx) else {
            return;
        };
        let release = match facts.stand_in() {
            Some(read) => format!(
                "{read} (the newest release whose code bplint has read, standing in for {})",
                cx.kb.def.name
            ),
            None => cx.kb.def.name.to_string(),
        };
        for (_, pair, kind) in fields::expressions(cx) {
            let Some(scalar) = pair.value.scalar() else {
                continue;
            };
            let names = cx.expression_names(scalar);
            let Some(names) = names.as_ref() else {
                continue;
            };
            let what_fails = match kind {
                ExpressionKind::Policy => {
                    "the policy fails every time it runs (Authentik records a policy \
                     exception and applies the binding's failure result: deny, by default)"
                }
                ExpressionKind::Mapping => {
                    "the mapping raises every time it runs (Authentik records a property \
                     mapping exception and the value is missing)"
                }
                ExpressionKind::Prompt => {
                    "the expression fails every time the prompt is shown (Authentik logs a \
                     warning and shows the expression's own text in the field)"
                }
            };
            for import in &names.imports {
                if import.module.is_empty() {
                    continue;
                }
                let span = |place| expression::span_of(&pair.value, &cx.file.text, place);
                match facts.module(&import.module) {
                    ModuleVerdict::Unknown | ModuleVerdict::Present { names_known: false } => {}
                    ModuleVerdict::Missing { elsewhere } => {
                        let Some(at) = span(import.place) else {
                            continue;
                        };
                        let message = format!(
                            "the expression imports `{}`, which Authentik {release} does not have: {what_fails}",
                            import.module
                        );
                        out.push(
                            Diagnostic::new(&META, cx.file_id, at, message)
                                .label("no such module")
                                .help(help_missing_module(import, &elsewhere, facts)),
                        );
                    }
                    ModuleVerdict::Present { names_known: true } => {
                        for (name, place) in &import.names {
                            let Some(Err(elsewhere)) = facts.module_name(&import.module, name)
                            else {
                                continue;
                            };
                            let Some(at) = span(*place) else {
                                continue;
                            };
                            let message = format!(
                                "`{}` has no `{name}` in Authentik {release}: {what_fails}",
                                import.module
                            );
                            let help = if elsewhere.is_empty() {
                                format!(
                                    "no release bplint knows defines `{name}` in `{}`; check the \
                                     name, and where Authentik defines it now",
                                    import.module
                                )
                            } else {
                                format!(
                                    "`{}` defines `{name}` in Authentik {}; import it from where \
                                     this release defines it",
                                    import.module,
                                    releases(&elsewhere)
                                )
                            };
                            out.push(
                                Diagnostic::new(&META, cx.file_id, at, message)
                                    .label("not defined there")
                                    .help(help),
                            );
                        }
                    }
                }
            }
        }
    }
}

fn help_missing_module(
    import: &expression::Import,
    elsewhere: &[&str],
    facts: expressions::LineFacts,
) -> String {
    let module = import.module.as_str();
    let names: Vec<&str> = import.names.iter().map(|(n, _)| n.as_str()).collect();
    if let Some(to) = facts.moved_to(module, &names).first() {
        return format!(
            "this release keeps it as `{to}`{}",
            if elsewhere.is_empty() {
                String::new()
            } else {
                format!(" (it was `{module}` in Authentik {})", releases(elsewhere))
            }
        );
    }
    if !elsewhere.is_empty() {
        return format!(
            "`{module}` exists in Authentik {}; import from where this release keeps it, or \
             judge the file at the release you run (`--authentik-version`)",
            releases(elsewhere)
        );
    }
    if module.starts_with("authentik.") || module == "authentik" {
        return format!(
            "no release bplint knows has `{module}`; check the module's name in Authentik's \
             source for your release"
        );
    }
    format!(
        "`{module}` is not installed with Authentik: an expression can import only the \
         standard library and Authentik's own dependencies"
    )
}

/// `2024.2 to 2025.8` for the release lines that have something.
fn releases(lines: &[&str]) -> String {
    match lines {
        [] => String::new(),
        [one] => (*one).to_string(),
        [first, .., last] => format!("{first} to {last}"),
    }
}
