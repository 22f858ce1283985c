//! BP003: the blueprint's shape is not what Authentik's dataclasses accept.

use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, RuleMeta, Severity};
use crate::model::{Entry, State};
use crate::yaml::{Node, Typed};

pub static META: RuleMeta = RuleMeta {
    code: "BP003",
    name: "invalid-blueprint-structure",
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    summary: "Top-level keys, metadata or entries are malformed",
    doc: include_str!("../../rules/BP003-invalid-blueprint-structure.md"),
};

const TOP_LEVEL: &[&str] = &["version", "metadata", "context", "entries"];
const ENTRY_KEYS: &[&str] = &[
    "model",
    "state",
    "id",
    "identifiers",
    "attrs",
    "conditions",
    "permissions",
];
const STATES: &[&str] = &["present", "created", "must_created", "absent"];

/// Models the importer handles without identifiers (meta models).
const META_MODELS: &[&str] = &[
    "authentik_blueprints.metaapplyblueprint",
    "authentik_blueprints.metausersetpassword",
];

pub struct InvalidBlueprintStructure;

struct Out<'o, 'c> {
    cx: &'o BlueprintCx<'c>,
    out: &'o mut Vec<Diagnostic>,
}

impl Out<'_, '_> {
    fn report(&mut self, node: &Node, message: String, help: &str) {
        self.out.push(
            Diagnostic::new(&META, self.cx.file_id, node.span, message).help(help.to_string()),
        );
    }

    /// `map` holds the key; a rename is offered only if it would not duplicate a
    /// key the mapping already has.
    fn unknown_key(&mut self, map: &Node, key: &Node, known: &[&str], place: &str) {
        let Some(name) = key.as_str() else { return };
        let suggestion = crate::suggest::closest(name, known.iter().copied());
        let renamed_exists = suggestion.is_some_and(|s| map.get(s).is_some());
        let mut diag = Diagnostic::new(
            &META,
            self.cx.file_id,
            key.span,
            format!("unknown {place} key `{name}`"),
        )
        .label("Authentik ignores this key");
        diag = match suggestion {
            Some(s) if renamed_exists => diag.help(format!(
                "did you mean `{s}`? This mapping already has `{s}`; merge the two"
            )),
            Some(s) => diag
                .help(format!(
                    "did you mean `{s}`? Known keys: {}",
                    known.join(", ")
                ))
                .fix(Fix {
                    title: format!("rename `{name}` to `{s}`"),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span: key.value_span(),
                        replacement: s.to_string(),
                    }],
                }),
            None => diag.help(format!("known keys: {}", known.join(", "))),
        };
        self.out.push(diag);
    }
}

impl Rule for InvalidBlueprintStructure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut out = Out { cx, out };
        let bp = cx.bp;
        for pair in bp.root.pairs() {
            if pair.key.as_str().is_none_or(|k| !TOP_LEVEL.contains(&k)) {
                out.unknown_key(bp.root, &pair.key, TOP_LEVEL, "top-level");
            }
        }
        if let Some(version) = bp.version
            && !matches!(version.typed(), Some(Typed::Int(Some(1))))
        {
            out.report(
                version,
                format!(
                    "`version` must be the integer 1, not `{}`",
                    cx.file.slice(version.span)
                ),
                "Authentik skips any other version with \"invalid blueprint version\"",
            );
        }
        check_metadata(&mut out);
        if let Some(context) = bp.context
            && context.map().is_none()
            && !context.is_null()
        {
            out.report(
                context,
                format!("`context` must be a mapping, not a {}", context.kind_name()),
                "write context as `key: value` pairs",
            );
        }
        match bp.entries_node {
            None => out.report(
                bp.root,
                "the blueprint has no `entries`".into(),
                "add `entries:` with the objects to create; without it Authentik applies nothing",
            ),
            Some(node) if node.seq().is_some() || node.is_null() => {}
            Some(node) if node.map().is_some() => {
                for pair in node.pairs() {
                    if pair.value.seq().is_none() {
                        out.report(
                            &pair.value,
                            "each `entries` section must be a list of entries".into(),
                            "write `section-name:` followed by `- model: ...` items",
                        );
                    }
                }
            }
            Some(node) => out.report(
                node,
                format!("`entries` must be a list, not a {}", node.kind_name()),
                "write entries as a list of `- model: ...` items",
            ),
        }
        for entry in &bp.entries {
            check_entry(&mut out, entry);
        }
    }
}

fn check_metadata(out: &mut Out<'_, '_>) {
    let Some(metadata) = &out.cx.bp.metadata else {
        return;
    };
    if metadata.node.map().is_none() {
        out.report(
            metadata.node,
            format!(
                "`metadata` must be a mapping, not a {}",
                metadata.node.kind_name()
            ),
            "write `metadata:` with a `name:` and optional `labels:`",
        );
        return;
    }
    match metadata.name {
        None => out.report(
            metadata.node,
            "`metadata` has no `name`".into(),
            "Authentik's discovery fails for every blueprint in the run when metadata lacks a name; \
             add `name: ...`",
        ),
        Some(name) if name.as_str().is_none() => out.report(
            name,
            "`metadata.name` must be a string".into(),
            "quote the name",
        ),
        Some(_) => {}
    }
    let Some(labels) = metadata.labels else {
        return;
    };
    if labels.map().is_none() {
        if !labels.is_null() {
            out.report(
                labels,
                "`metadata.labels` must be a mapping of strings".into(),
                "write labels as `key: \"value\"` pairs",
            );
        }
        return;
    }
    for pair in labels.pairs() {
        if pair.value.as_str().is_some() || pair.value.tag().is_some() {
            continue;
        }
        let text = out.cx.file.slice(pair.value.value_span()).to_string();
        let key = pair.key.as_str().unwrap_or("?").to_string();
        out.out.push(
            Diagnostic::new(
                &META,
                out.cx.file_id,
                pair.value.span,
                format!("label `{key}` has a non-string value `{text}`"),
            )
            .label("PyYAML reads this as a non-string")
            .help(format!(
                "quote it: `\"{text}\"`; a non-string label makes Authentik's discovery fail for \
                 every blueprint in that run"
            ))
            .fix(Fix {
                title: "quote the label value".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: pair.value.value_span(),
                    replacement: format!("\"{text}\""),
                }],
            }),
        );
    }
}

fn check_entry(out: &mut Out<'_, '_>, entry: &Entry<'_>) {
    let node = entry.node;
    if node.map().is_none() {
        out.report(
            node,
            format!("an entry must be a mapping, not a {}", node.kind_name()),
            "write each entry as `- model: ...` with `identifiers:` and `attrs:`",
        );
        return;
    }
    for pair in node.pairs() {
        if pair.key.as_str().is_none_or(|k| !ENTRY_KEYS.contains(&k)) {
            out.unknown_key(node, &pair.key, ENTRY_KEYS, "entry");
        }
    }
    let model_name = match entry.model {
        None => {
            out.report(
                node,
                "entry has no `model`".into(),
                "add `model: app_label.model_name`, for example `authentik_flows.flow`",
            );
            None
        }
        Some(model) if model.tag().is_some() => None,
        Some(model) => match model.as_str() {
            Some(text) if text.split('.').count() == 2 => Some(text),
            _ => {
                out.report(
                    model,
                    format!(
                        "`model` must be `app_label.model_name`, not `{}`",
                        out.cx.file.slice(model.span)
                    ),
                    "for example `authentik_flows.flow`",
                );
                None
            }
        },
    };
    if entry.state() == State::Invalid
        && let Some(state) = entry.state
    {
        out.report(
            state,
            format!("invalid state `{}`", out.cx.file.slice(state.span)),
            &format!("use one of {}", STATES.join(", ")),
        );
    }
    if let Some(id) = entry.id
        && id.tag().is_none()
        && id.as_str().is_none()
        && !id.is_null()
    {
        out.report(
            id,
            "`id` must be a string".into(),
            "quote it; the importer rejects a non-string id",
        );
    }
    for (name, value) in [("identifiers", entry.identifiers), ("attrs", entry.attrs)] {
        if let Some(value) = value
            && value.map().is_none()
            && value.tag().is_none()
            && !value.is_null()
        {
            out.report(
                value,
                format!("`{name}` must be a mapping, not a {}", value.kind_name()),
                "write it as `field: value` pairs",
            );
        }
    }
    let is_meta = model_name
        .is_some_and(|m| META_MODELS.contains(&crate::model::normalize_model(m).as_str()));
    let has_identifiers = entry
        .identifiers
        .is_some_and(|n| n.tag().is_some() || n.map().is_some_and(|m| !m.is_empty()));
    if model_name.is_some() && !is_meta && !has_identifiers {
        out.report(
            entry.identifiers.unwrap_or(node),
            "entry has no `identifiers`".into(),
            "the importer fails with \"No or invalid identifiers\"; add the fields that find the \
             object, such as `slug` or `name`",
        );
    }
    for (name, value) in [
        ("conditions", entry.conditions),
        ("permissions", entry.permissions),
    ] {
        if let Some(value) = value
            && value.seq().is_none()
            && value.tag().is_none()
            && !value.is_null()
        {
            out.report(
                value,
                format!("`{name}` must be a list, not a {}", value.kind_name()),
                "write it as a list of `- ...` items",
            );
        }
    }
    if let Some(perms) = entry.permissions.and_then(Node::seq) {
        for perm in perms {
            if perm.map().is_some() && perm.get("permission").is_none() {
                out.report(
                    perm,
                    "permission entry has no `permission`".into(),
                    "write `- permission: codename` with `user:` or `role:`",
                );
            }
        }
    }
}
