//! BP003: the blueprint's shape is not what Authentik's dataclasses accept.

use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::{ENTRY_KEYS, Entry, State};
use crate::yaml::{Node, Typed};

rule! {
    pub struct InvalidBlueprintStructure {
        code: "BP003",
        name: "invalid-blueprint-structure",
        severity: Error,
        fix: Safe,
        summary: "Top-level keys, metadata or entries are malformed",
    }
}

const TOP_LEVEL: &[&str] = &["version", "metadata", "context", "entries"];
const STATES: &[&str] = &["present", "created", "must_created", "absent"];

/// Models the importer handles without identifiers (meta models).
const META_MODELS: &[&str] = &[
    "authentik_blueprints.metaapplyblueprint",
    "authentik_blueprints.metausersetpassword",
];

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
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut out = Out { cx, out };
        let bp = cx.bp;
        for pair in bp.root.pairs() {
            if pair.key.as_str().is_none_or(|k| !TOP_LEVEL.contains(&k)) {
                out.unknown_key(bp.root, &pair.key, TOP_LEVEL, "top-level");
            }
        }
        // `version: true` passes too: Python's `True == 1`, and a bool is an int to
        // the loader's type check.
        if let Some(version) = bp.version
            && !matches!(
                version.typed(),
                Some(Typed::Int(Some(1)) | Typed::Bool(true))
            )
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
        {
            out.report(
                context,
                format!("`context` must be a mapping, not {}", describe(context)),
                "write context as `key: value` pairs, or drop the key; the loader refuses \
                 anything else before any entry runs",
            );
        }
        match bp.entries_node {
            // Without `entries` the loader takes an empty list: nothing to apply,
            // nothing wrong.
            None => {}
            Some(node) if node.seq().is_some() => {}
            Some(node) if node.map().is_some() => {
                for pair in node.pairs() {
                    if pair.value.seq().is_none() {
                        out.report(
                            &pair.value,
                            format!(
                                "each `entries` section must be a list of entries, not {}",
                                describe(&pair.value)
                            ),
                            "write `section-name:` followed by `- model: ...` items",
                        );
                    }
                }
            }
            Some(node) => out.report(
                node,
                format!("`entries` must be a list, not {}", describe(node)),
                "write entries as a list of `- model: ...` items, or drop the key; the loader \
                 refuses the whole blueprint",
            ),
        }
        for entry in &bp.entries {
            check_entry(&mut out, entry);
        }
    }
}

/// How a node the loader refuses reads in a message: "null", "a `!Env` tag", "a
/// sequence".
fn describe(node: &Node) -> String {
    if let Some(tag) = node.local_tag() {
        return format!("a `!{tag}` tag");
    }
    if node.is_null() {
        return "null (an empty value)".into();
    }
    match node.typed() {
        Some(Typed::Str(_)) => "a string".into(),
        Some(Typed::Bool(_)) => "a boolean".into(),
        Some(Typed::Int(_)) => "an integer".into(),
        Some(Typed::Float) => "a float".into(),
        Some(Typed::Timestamp) => "a date".into(),
        _ => format!("a {}", node.kind_name()),
    }
}

/// Keys of `map` that are not strings: the loader wants `dict[str, ...]`.
fn non_string_keys(map: &Node) -> impl Iterator<Item = &Node> {
    map.pairs().map(|p| &p.key).filter(|k| k.as_str().is_none())
}

fn check_metadata(out: &mut Out<'_, '_>) {
    let Some(metadata) = &out.cx.bp.metadata else {
        return;
    };
    // `metadata` is optional: null reads as absent.
    if metadata.node.is_null() {
        return;
    }
    if metadata.node.map().is_none() {
        out.report(
            metadata.node,
            format!(
                "`metadata` must be a mapping, not {}",
                describe(metadata.node)
            ),
            "write `metadata:` with a `name:` and optional `labels:`",
        );
        return;
    }
    match metadata.name {
        // Discovery reads an empty mapping as no metadata; the importer still
        // wants the name.
        None if metadata.node.map().is_some_and(<[_]>::is_empty) => out.report(
            metadata.node,
            "`metadata` has no `name`".into(),
            "the import fails with \"missing value for field metadata.name\"; add `name: ...` \
             or drop the empty `metadata`",
        ),
        None => out.report(
            metadata.node,
            "`metadata` has no `name`".into(),
            "Authentik's discovery fails for every blueprint in the run when metadata lacks a name; \
             add `name: ...`",
        ),
        Some(name) if name.as_str().is_none() => out.report(
            name,
            format!("`metadata.name` must be a string, not {}", describe(name)),
            "write the name as a plain string; the loader checks its type before any tag runs",
        ),
        Some(_) => {}
    }
    let Some(labels) = metadata.labels else {
        return;
    };
    if labels.map().is_none() {
        out.report(
            labels,
            format!(
                "`metadata.labels` must be a mapping of strings, not {}",
                describe(labels)
            ),
            "write labels as `key: \"value\"` pairs, or drop `labels:`; anything else makes \
             Authentik's discovery fail for every blueprint in that run",
        );
        return;
    }
    for key in non_string_keys(labels) {
        out.report(
            key,
            format!(
                "label key `{}` is not a string",
                out.cx.file.slice(key.span)
            ),
            "quote the key; a non-string label makes Authentik's discovery fail for every \
             blueprint in that run",
        );
    }
    for pair in labels.pairs() {
        if pair.value.as_str().is_some() {
            continue;
        }
        let key = pair.key.as_str().unwrap_or("?").to_string();
        if pair.value.local_tag().is_some() || pair.value.scalar().is_none() || pair.value.is_null()
        {
            out.report(
                &pair.value,
                format!(
                    "label `{key}` must be a plain string, not {}",
                    describe(&pair.value)
                ),
                "labels are read before any tag runs; write the value as a quoted string, \
                 or a non-string label makes Authentik's discovery fail for every blueprint \
                 in that run",
            );
            continue;
        }
        let text = out.cx.file.slice(pair.value.value_span()).to_string();
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
    // The loader types `id` as an optional plain string: a tag is an object to it.
    if let Some(id) = entry.id
        && id.as_str().is_none()
        && !id.is_null()
    {
        out.report(
            id,
            format!("`id` must be a plain string, not {}", describe(id)),
            if id.local_tag().is_some() {
                "the loader checks `id` before any tag runs and rejects the whole blueprint; \
                 write the id as a literal string"
            } else {
                "quote it; the loader rejects the whole blueprint over a non-string id"
            },
        );
    }
    for (name, value) in [("identifiers", entry.identifiers), ("attrs", entry.attrs)] {
        let Some(value) = value else { continue };
        if value.map().is_none() {
            out.report(
                value,
                format!("`{name}` must be a mapping, not {}", describe(value)),
                if value.is_null() {
                    "write `field: value` pairs or drop the key; the import fails on an empty value"
                } else {
                    "write it as `field: value` pairs; the loader checks the type before any tag \
                     runs and rejects the whole blueprint"
                },
            );
            continue;
        }
        for key in non_string_keys(value) {
            out.report(
                key,
                format!(
                    "`{name}` key `{}` is not a string",
                    out.cx.file.slice(key.span)
                ),
                "quote the key; the loader rejects the whole blueprint over a non-string key",
            );
        }
    }
    let is_meta = model_name
        .is_some_and(|m| META_MODELS.contains(&crate::model::normalize_model(m).as_str()));
    let has_identifiers = entry
        .identifiers
        .is_some_and(|n| n.map().is_some_and(|m| !m.is_empty()));
    let identifiers_malformed = entry.identifiers.is_some_and(|n| n.map().is_none());
    // A misspelt `identifiers:` is already reported as an unknown key (with its
    // rename): "no identifiers" would say the same thing twice.
    let identifiers_misspelt = entry.identifiers.is_none()
        && node.pairs().any(|p| {
            p.key.as_str().is_some_and(|k| {
                !ENTRY_KEYS.contains(&k)
                    && crate::suggest::closest(k, ENTRY_KEYS.iter().copied()) == Some("identifiers")
            })
        });
    if model_name.is_some()
        && !is_meta
        && !has_identifiers
        && !identifiers_malformed
        && !identifiers_misspelt
    {
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
        {
            out.report(
                value,
                format!("`{name}` must be a list, not {}", describe(value)),
                "write it as a list of `- ...` items, or drop the key; the loader checks the type \
                 before any tag runs and rejects the whole blueprint",
            );
        }
    }
    if let Some(perms) = entry.permissions.and_then(Node::seq) {
        for perm in perms {
            check_permission(out, perm);
        }
    }
}

/// One `permissions` item, typed as the loader types it: `permission` a string,
/// `user` an integer (a user's pk), `role` a string (a role's UUID); each may be a
/// tag, which runs later.
fn check_permission(out: &mut Out<'_, '_>, perm: &Node) {
    if perm.map().is_none() {
        out.report(
            perm,
            format!("a permission must be a mapping, not {}", describe(perm)),
            "write `- permission: codename` with `user:` or `role:`",
        );
        return;
    }
    match perm.get("permission") {
        None => out.report(
            perm,
            "permission entry has no `permission`".into(),
            "write `- permission: codename` with `user:` or `role:`",
        ),
        Some(value) if value.local_tag().is_none() && value.as_str().is_none() => out.report(
            value,
            format!("`permission` must be a string, not {}", describe(value)),
            "write the permission codename, such as `view_flow`",
        ),
        Some(_) => {}
    }
    if let Some(user) = perm.get("user")
        && user.local_tag().is_none()
        && !user.is_null()
        && !matches!(user.typed(), Some(Typed::Int(_) | Typed::Bool(_)))
    {
        out.report(
            user,
            format!(
                "`user` must be an integer (the user's pk), not {}",
                describe(user)
            ),
            "write the pk unquoted, or find it with `!Find [authentik_core.user, [username, ...]]`",
        );
    }
    if let Some(role) = perm.get("role")
        && role.local_tag().is_none()
        && !role.is_null()
        && role.as_str().is_none()
    {
        out.report(
            role,
            format!(
                "`role` must be a string (the role's UUID), not {}",
                describe(role)
            ),
            "quote the UUID, or find it with `!Find [authentik_rbac.role, [name, ...]]`",
        );
    }
}
