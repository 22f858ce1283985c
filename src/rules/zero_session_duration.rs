//! BP103: a user-login stage whose sessions end with the browser.

use super::{BlueprintCx, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::knowledge::duration;
use crate::model::{Blueprint, Entry, State};
use crate::resolve::local;
use crate::yaml::Node;

rule! {
    pub struct ZeroSessionDuration {
        code: "BP103",
        name: "zero-session-duration",
        severity: Warning,
        fix: Unsafe,
        summary: "A login stage's session_duration is zero, so sessions end with the browser",
    }
}

const MODEL: &str = "authentik_stages_user_login.userloginstage";
const SUGGESTED: &str = "weeks=4";

/// An LDAP outpost runs its bind flow for every bind and never hands the session
/// to a browser, so its length does not matter there. A stage is exempt when the
/// blueprint binds it only to LDAP bind flows: flows an LDAP provider of the
/// blueprint uses, or whose slug or name says `ldap`.
fn only_in_ldap_flows(bp: &Blueprint<'_>, stage: &Entry<'_>) -> bool {
    let ldap_flows: Vec<usize> = bp
        .entries
        .iter()
        .filter(|e| e.model_name().as_deref() == Some("authentik_providers_ldap.ldapprovider"))
        .filter_map(|p| local::target(bp, p.field("authorization_flow")?))
        .map(|f| f.index)
        .collect();
    let is_ldap = |flow: &Entry<'_>| {
        ldap_flows.contains(&flow.index)
            || ["slug", "name"].iter().any(|k| {
                flow.field(k)
                    .and_then(Node::as_str)
                    .is_some_and(|v| v.to_ascii_lowercase().contains("ldap"))
            })
    };
    let flows: Vec<Option<&Entry<'_>>> = local::stage_bindings(bp)
        .into_iter()
        .filter(|(_, s, _)| s.is_some_and(|s| s.index == stage.index))
        .map(|(_, _, flow)| flow)
        .collect();
    !flows.is_empty() && flows.iter().all(|f| f.is_some_and(is_ldap))
}

impl Rule for ZeroSessionDuration {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for entry in &cx.bp.entries {
            if entry.model_name().as_deref() != Some(MODEL)
                || entry.state() == State::Absent
                || only_in_ldap_flows(cx.bp, entry)
            {
                continue;
            }
            match entry.field("session_duration") {
                Some(value) => {
                    let Some(text) = value.as_str() else { continue };
                    let Ok(parsed) = duration::parse(text) else {
                        continue;
                    };
                    if parsed.total_seconds != 0.0 {
                        continue;
                    }
                    let dropped = if parsed.ignored.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (Authentik ignores {}: keys are not trimmed, so write no space after `;`)",
                            parsed.ignored_list()
                        )
                    };
                    out.push(
                        Diagnostic::new(
                            &META,
                            cx.file_id,
                            value.span,
                            format!("`session_duration: {text}` is zero{dropped}"),
                        )
                        .label("sessions end when the browser closes")
                        .help(format!(
                            "a zero duration makes a browser-session cookie that the server expires \
                             after AUTHENTIK_SESSIONS__UNAUTHENTICATED_AGE; set a real lifetime such \
                             as `session_duration: {SUGGESTED}`"
                        ))
                        .fix(Fix {
                            title: format!("set session_duration to {SUGGESTED}"),
                            applicability: Applicability::Unsafe,
                            edits: vec![Edit {
                                span: value.value_span(),
                                replacement: SUGGESTED.to_string(),
                            }],
                        }),
                    );
                }
                None => {
                    if entry.attrs.is_some_and(|a| a.tag().is_some())
                        || super::fields::names_builtin(cx, entry, MODEL)
                    {
                        continue;
                    }
                    let line = format!("session_duration: {SUGGESTED}");
                    let mut diag = Diagnostic::new(
                        &META,
                        cx.file_id,
                        entry.anchor_span(),
                        "user-login stage has no `session_duration`, so a new stage gets the \
                         default `seconds=0`",
                    )
                    .label("sessions end when the browser closes")
                    .help(format!(
                        "set a real lifetime under `attrs`, such as `{line}`"
                    ));
                    if let Some(mut fix) =
                        super::edits::insert_attr(&cx.file.text, entry, &line, "session_duration")
                    {
                        fix.applicability = Applicability::Unsafe;
                        diag = diag.fix(fix);
                    }
                    out.push(diag);
                }
            }
        }
    }
}
