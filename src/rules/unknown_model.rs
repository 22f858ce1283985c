//! BP201: an entry or `!Find` names a model the target release does not have.

use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::knowledge::versions::RENAMED_MODELS;
use crate::knowledge::{Knowledge, release_range};
use crate::model::{TagCall, TagParse, normalize_model};
use crate::yaml::Node;
use foldhash::{HashMap, HashSet, HashSetExt};
use std::sync::{LazyLock, Mutex, PoisonError};

rule! {
    pub struct UnknownModel {
        code: "BP201",
        name: "unknown-model",
        severity: Error,
        fix: Unsafe,
        summary: "A model the target Authentik release does not have",
    }
}

impl Rule for UnknownModel {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for entry in &cx.bp.entries {
            if let Some(node) = entry.model
                && let Some(name) = node.as_str()
                && name.split('.').count() == 2
                && cx.kb.model(&normalize_model(name)).is_none()
            {
                out.push(diagnose(cx, node, name, false));
            }
        }
        for site in &cx.bp.tags {
            if let TagParse::Call(TagCall::Find { model, .. }) = site.parsed
                && let Some(name) = model.as_str()
                && !cx.kb.is_findable(&normalize_model(name))
            {
                out.push(diagnose(cx, model, name, true));
            }
        }
    }
}

fn diagnose(cx: &BlueprintCx<'_>, node: &Node, name: &str, in_find: bool) -> Diagnostic {
    let normalized = normalize_model(name);
    let where_ = if in_find { "`!Find` on " } else { "" };
    let mut diag = Diagnostic::new(
        &META,
        cx.file_id,
        node.value_span(),
        format!(
            "{where_}unknown model `{name}` in Authentik {}{}",
            cx.kb.def.name,
            crate::knowledge::change(cx.kb.def, |v| v.model(&normalized).is_some())
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        ),
    )
    .label("no such model");
    let renamed = RENAMED_MODELS
        .iter()
        .find(|(old, new, _)| *old == normalized && cx.kb.model(new).is_some());
    let (suggestion, reason) = match renamed {
        Some((_, new, release)) => (
            Some(*new),
            format!("`{name}` was renamed to `{new}` in Authentik {release}"),
        ),
        None => {
            let (near, other) = suggestions(cx.kb, &normalized);
            let reason = match (near, &other) {
                (_, Some(range)) => format!(
                    "the model exists in Authentik {range}; check that `authentik_version` \
                     (or --authentik-version) matches your server"
                ),
                (Some(near), None) => format!("did you mean `{near}`?"),
                (None, None) => "`bplint` lists no such model in any release it knows".into(),
            };
            // A nearest name in another app is another kind of object altogether
            // (`account_selection.accountselectionstage` is not
            // `account_lockdown.accountlockdownstage`): named in the help, never
            // written by a fix.
            let app = normalized.split('.').next();
            let fixable = near.filter(|n| other.is_none() && n.split('.').next() == app);
            (fixable, reason)
        }
    };
    let stops = "the importer stops with \"App or Model does not exist\"";
    diag = diag.help(if reason.ends_with('?') {
        crate::diagnostic::after_question(&reason, stops)
    } else {
        format!("{reason}; {stops}")
    });
    if let Some(new) = suggestion {
        diag = diag.fix(Fix {
            title: format!("use `{new}`"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                span: node.value_span(),
                replacement: new.to_string(),
            }],
        });
    }
    diag
}

/// The nearest model name, and the releases that have the model. A wrong name
/// is usually repeated across files (copied from one guide), and weighing it
/// against every model of the release is most of what this rule costs, so the
/// answers are kept for the run.
fn suggestions(kb: &Knowledge, model: &str) -> (Option<&'static str>, Option<String>) {
    type Answers = HashMap<(&'static str, String), (Option<&'static str>, Option<String>)>;
    static ANSWERS: LazyLock<Mutex<Answers>> = LazyLock::new(Mutex::default);
    let key = (kb.def.name, model.to_string());
    let answers = || ANSWERS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = answers().get(&key) {
        return known.clone();
    }
    let candidates = kb.model_names().chain(parents(kb));
    let answer = (
        crate::suggest::closest(model, candidates),
        other_releases(model),
    );
    answers().insert(key, answer.clone());
    answer
}

/// Parent models `!Find` may search (`authentik_core.provider`, ...), each once:
/// most models share a handful of parents, and a repeat cannot be a closer match.
fn parents(kb: &Knowledge) -> impl Iterator<Item = &'static str> + '_ {
    let mut seen = HashSet::new();
    kb.def
        .models
        .iter()
        .flat_map(|m| m.parents.iter().copied())
        .filter(move |p| seen.insert(*p))
}

/// The embedded releases that do have the model.
fn other_releases(model: &str) -> Option<String> {
    release_range(|v| v.model(model).is_some())
}
