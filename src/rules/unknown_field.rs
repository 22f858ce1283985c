//! BP202: an `attrs` or `identifiers` key the model's serializer does not have.
//! Authentik drops an unknown attribute silently, but an unknown identifier makes
//! its object query fail and the whole blueprint with it, so that one is an error.

use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::knowledge::versions::FIELD_HINTS;
use crate::knowledge::{ModelDef, release_range};
use crate::yaml::Node;

rule! {
    pub struct UnknownField {
        code: "BP202",
        name: "unknown-field",
        severity: Warning,
        fix: Unsafe,
        summary: "An attribute the model does not have (Authentik drops it silently)",
    }
}

/// Keys every model accepts in `identifiers`: Django lookups on the primary key.
const LOOKUP_KEYS: &[&str] = &["pk", "id"];

impl Rule for UnknownField {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for entry in &cx.bp.entries {
            let Some(model) = entry.model_name().and_then(|m| cx.kb.model(&m)) else {
                continue;
            };
            if model.fields.is_empty() {
                continue;
            }
            // An entry that deletes only looks the object up: its identifiers may use
            // any model column, which the serializer's fields do not list.
            let identifiers = entry
                .identifiers
                .filter(|_| entry.state() != crate::model::State::Absent);
            for (map, place) in [(identifiers, "identifiers"), (entry.attrs, "attrs")] {
                let Some(map) = map else { continue };
                // Names a rename in this mapping already takes: two misspellings
                // of one field must not both become it.
                let mut taken: Vec<&str> = map.pairs().filter_map(|p| p.key.as_str()).collect();
                for pair in map.pairs() {
                    check_key(cx, model, &pair.key, &pair.value, place, &mut taken, out);
                }
            }
            if model.name == "authentik_outposts.outpost" {
                check_outpost_settings(cx, entry, out);
            }
        }
    }
}

/// Keys of an outpost's `config` that the release's `OutpostConfig` does not
/// have: the serializer reads the config with dacite, which drops them silently
/// (authentik/outposts/models.py).
fn check_outpost_settings(
    cx: &BlueprintCx<'_>,
    entry: &crate::model::Entry<'_>,
    out: &mut Vec<Diagnostic>,
) {
    // Settings come and go between releases: a borrowed list would call a new
    // one unknown, so only a release whose serializers were recorded is judged.
    let Some(release) = cx.kb.serializers().filter(|_| cx.kb.serializers_are_own()) else {
        return;
    };
    if release.outpost_config.is_empty() {
        return;
    }
    let Some(config) = entry.field("config") else {
        return;
    };
    if config.map().is_none() || config.tag().is_some() {
        return;
    }
    for pair in config.pairs() {
        let Some(key) = pair.key.as_str() else {
            continue;
        };
        if release.outpost_setting(key).is_some() {
            continue;
        }
        let near = crate::suggest::closest(key, release.outpost_config.iter().map(|(n, _)| *n));
        let help = match near {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "the outpost settings are listed in Authentik's `OutpostConfig` ({})",
                release.outpost_config_source
            ),
        };
        out.push(
            Diagnostic::new(
                &META,
                cx.file_id,
                pair.key.value_span(),
                format!(
                    "`{key}` is not an outpost setting in Authentik {}: the outpost ignores it",
                    cx.kb.def.name
                ),
            )
            .help(help),
        );
    }
}

fn check_key(
    cx: &BlueprintCx<'_>,
    model: &ModelDef,
    key: &Node,
    value: &Node,
    place: &str,
    taken: &mut Vec<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(name) = key.as_str() else { return };
    // Identifiers are Django lookups: `pk`, and `field__lookup` on a real field.
    let base = if place == "identifiers" {
        if LOOKUP_KEYS.contains(&name) {
            return;
        }
        name.split("__").next().unwrap_or(name)
    } else {
        name
    };
    if cx.kb.field(model.name, base).is_some() {
        return;
    }
    // The importer's serializer is the truth where the API schema differs: it
    // takes fields the API shows read-only or not at all (a source
    // connection's `user` and `group`).
    if cx
        .kb
        .serializers()
        .and_then(|r| r.field(model.name, base))
        .is_some()
    {
        return;
    }
    let hint = FIELD_HINTS
        .iter()
        .find(|(m, written, meant)| {
            *m == model.name && *written == name && cx.kb.field(model.name, meant).is_some()
        })
        .map(|(_, _, meant)| *meant);
    let near = hint.or_else(|| crate::suggest::closest(name, model.fields.iter().map(|f| f.name)));
    let elsewhere = release_range(|v| v.has_field(model.name, name));
    // Why a file that passed on another release fails here: the release that
    // added or removed the field.
    let change = crate::knowledge::change(cx.kb.def, |v| v.has_field(model.name, name));
    // Renaming onto a key the mapping already has would write a duplicate key,
    // and PyYAML would keep only the last value: a suggestion, never a fix.
    let occupied = near.is_some_and(|near| taken.contains(&near));
    let in_identifiers = place == "identifiers";
    let consequence = if in_identifiers {
        "the importer looks the object up by its identifiers, and an unknown one fails the \
         whole blueprint with \"Invalid identifier field\""
    } else {
        "Authentik ignores unknown attributes without a word, so this setting never takes effect"
    };
    let help = match (near, &elsewhere) {
        (Some(near), _) if occupied => crate::diagnostic::after_question(
            &format!("did you mean `{near}`?"),
            &format!("This mapping already sets `{near}`, so keep one of them; {consequence}"),
        ),
        (Some(near), _) => {
            crate::diagnostic::after_question(&format!("did you mean `{near}`?"), consequence)
        }
        (None, Some(range)) => format!(
            "`{name}` exists in Authentik {range}; check that `authentik_version` matches your \
             server; {consequence}"
        ),
        (None, None) => format!(
            "{} has no field `{name}`; {consequence}",
            model.name.rsplit('.').next().unwrap_or(model.name)
        ),
    };
    let mut diag = Diagnostic::new(
        &META,
        cx.file_id,
        key.span,
        format!(
            "`{name}` is not a field of `{}` in Authentik {}{}",
            model.name,
            cx.kb.def.name,
            change.map(|c| format!(" ({c})")).unwrap_or_default()
        ),
    )
    .label(if in_identifiers {
        "the object query fails on this key"
    } else {
        "ignored by Authentik"
    })
    .help(help);
    // Per finding: the rule's default (warning) is for attrs, which only lose a
    // setting; config overrides still apply to both.
    if in_identifiers {
        diag.severity = Severity::Error;
    }
    if let Some(near) = near.filter(|_| !occupied && !key.is_alias()) {
        // `parent: x` renamed to `parents`, which takes a list, must become
        // `parents: [x]`: the value is wrapped when it fits on its line, and
        // otherwise the rename is left to the help.
        let wants_list = cx
            .kb
            .field(model.name, near)
            .is_some_and(|f| matches!(f.ty, crate::knowledge::Ty::Array(_)));
        let mut edits = vec![Edit {
            span: key.value_span(),
            replacement: near.to_string(),
        }];
        let mut title = format!("rename `{name}` to `{near}`");
        let wrap = wants_list && value.seq().is_none();
        let wrappable = !value.is_alias()
            && !value.is_null()
            && cx
                .file
                .text
                .get(value.span.start..value.span.end)
                .is_some_and(|t| !t.contains('\n') && !t.contains('#'));
        if wrap && wrappable {
            title.push_str(" and make its value a one-item list");
            edits.push(Edit {
                span: crate::source::Span::empty(value.span.start),
                replacement: "[".into(),
            });
            edits.push(Edit {
                span: crate::source::Span::empty(value.span.end),
                replacement: "]".into(),
            });
        }
        if !wrap || wrappable {
            taken.push(near);
            diag = diag.fix(Fix {
                title,
                applicability: Applicability::Unsafe,
                edits,
            });
        }
    }
    out.push(diag);
}
