//! BP301: a secret written into the blueprint instead of read on the worker.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::knowledge::{Knowledge, Ty};
use crate::model::{TagCall, TagParse, parse_tag};
use crate::source::Span;
use crate::yaml::{Node, Typed};
use foldhash::{HashSet, HashSetExt};

rule! {
    pub struct PlaintextSecret {
        code: "BP301",
        name: "plaintext-secret",
        severity: Warning,
        fix: None,
        summary: "A password, client secret, token or key written into the blueprint",
    }
}

/// Field names that hold a secret on any model.
const SECRET_NAMES: &[&str] = &[
    "access_token",
    "admin_secret_key",
    "api_key",
    "api_token",
    "auth_password",
    "bind_password",
    "bot_token",
    "client_secret",
    "consumer_secret",
    "key_data",
    "password",
    "plex_token",
    "private_key",
    "raw_password",
    "refresh_token",
    "secret",
    "secret_key",
    "shared_secret",
    "spnego_keytab",
    "sync_keytab",
    "sync_password",
    "token",
];

/// Suffixes that make a field name secret-like (`smtp_password`, `webhook_secret`).
const SECRET_SUFFIXES: &[&str] = &["_password", "_secret", "_secret_key", "_token", "_api_key"];

/// Models whose `key` is the secret itself (an API token, an enrollment token, a
/// licence); elsewhere `key` names something (`objectattribute.key`).
const KEY_MODELS: &[&str] = &[
    "authentik_core.token",
    "authentik_endpoints_connectors_agent.enrollmenttoken",
    "authentik_enterprise.license",
];

/// Nesting followed inside free-form values (`credentials`, `attributes`).
const MAX_NESTING: usize = 16;

impl Rule for PlaintextSecret {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let mut finder = Finder {
            cx,
            out,
            // A merged (`<<: *x`) or aliased value keeps its anchor's span: report it once.
            seen: HashSet::new(),
        };
        if let Some(context) = cx.bp.context {
            finder.mapping(context, None, Place::Context, 0);
        }
        for entry in &cx.bp.entries {
            let model = entry.model_name();
            for node in [entry.identifiers, entry.attrs].into_iter().flatten() {
                finder.mapping(node, model.as_deref(), Place::Entry, 0);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Entry,
    Context,
}

struct Finder<'c, 'o> {
    cx: &'c BlueprintCx<'c>,
    out: &'o mut Vec<Diagnostic>,
    seen: HashSet<Span>,
}

impl Finder<'_, '_> {
    /// Look at each `key: value` of a mapping; `model` is set at an entry's top level.
    fn mapping(&mut self, node: &Node, model: Option<&str>, place: Place, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        for pair in node.pairs() {
            let Some(key) = pair.key.as_str() else {
                continue;
            };
            let value = pair.value.resolved();
            if is_secret_field(self.cx.kb, model, key) {
                self.value(key, value, place);
            }
            self.nested(value, place, depth + 1);
        }
    }

    /// Free-form values (a service-account JSON under `credentials`) nest secrets.
    fn nested(&mut self, node: &Node, place: Place, depth: usize) {
        if node.tag().is_some() || depth > MAX_NESTING {
            return;
        }
        if node.map().is_some() {
            self.mapping(node, None, place, depth);
        } else if let Some(items) = node.seq() {
            for item in items {
                self.nested(item.resolved(), place, depth + 1);
            }
        }
    }

    fn value(&mut self, key: &str, value: &Node, place: Place) {
        match parse_tag(value) {
            None => {
                if let Some(text) = literal(value) {
                    self.report(key, value, text, None, place);
                }
            }
            Some(TagParse::Call(
                TagCall::Env { default, .. }
                | TagCall::File { default, .. }
                | TagCall::Context { default, .. },
            )) => {
                let tag = value.local_tag().unwrap_or("Env");
                if let Some(default) = default.map(Node::resolved)
                    && default.tag().is_none()
                    && let Some(text) = literal(default)
                {
                    self.report(key, default, text, Some(tag), place);
                }
            }
            Some(_) => {}
        }
    }

    fn report(&mut self, key: &str, node: &Node, text: &str, tag: Option<&str>, place: Place) {
        if !self.seen.insert(node.span) {
            return;
        }
        let shown = mask(text);
        let (message, help) = match (tag, place) {
            (Some(tag), _) => (
                format!("the `!{tag}` default of `{key}` is a plaintext secret: {shown}"),
                format!(
                    "Authentik uses the default whenever the `!{tag}` source is missing, so the \
                     secret is in the file after all; drop the default (`{key}: !{tag} NAME`) \
                     and make sure the source is set"
                ),
            ),
            (None, Place::Context) => (
                format!("context value `{key}` is a plaintext secret: {shown}"),
                format!(
                    "context defaults are part of the file; read it on the worker instead \
                     (`{key}: !Env NAME`) or pass it as the instance's context"
                ),
            ),
            (None, _) if is_substituted(text) => (
                format!(
                    "`{key}` is filled in by a deploy tool: {shown}; the blueprint Authentik \
                     reads then holds the secret in plain text"
                ),
                format!(
                    "the rendered file lands in a ConfigMap, a volume or a backup; let Authentik \
                     read the secret itself: `{key}: !Env NAME` or `{key}: !File /path`"
                ),
            ),
            (None, Place::Entry) => (
                format!("`{key}` is a plaintext secret: {shown}"),
                format!(
                    "anyone who can read the file or its history has it; read it on the \
                     Authentik worker instead: `{key}: !Env NAME` or `{key}: !File /path` \
                     (bplint never reads either)"
                ),
            ),
        };
        self.out.push(
            Diagnostic::new(&META, self.cx.file_id, node.span, message)
                .label("plaintext secret")
                .help(help),
        );
    }
}

/// Whether `key` holds a secret (on `model`, when the key sits at an entry's top
/// level). A field the knowledge base types as non-string (`allow_show_password`
/// is a bool) never does.
fn is_secret_field(kb: &Knowledge, model: Option<&str>, key: &str) -> bool {
    if let Some(model) = model
        && let Some(field) = kb.field(model, key)
        && !matches!(field.ty, Ty::Str(_) | Ty::Any)
    {
        return false;
    }
    is_secret_name(key) || (key == "key" && model.is_some_and(|m| KEY_MODELS.contains(&m)))
}

/// Whether a field name holds a secret on any model.
fn is_secret_name(key: &str) -> bool {
    SECRET_NAMES.contains(&key) || SECRET_SUFFIXES.iter().any(|s| key.ends_with(s))
}

/// The text of a value that could be a secret: not null, a bool or an empty string.
fn literal(node: &Node) -> Option<&str> {
    let text = match node.typed()? {
        Typed::Null | Typed::Bool(_) => return None,
        Typed::Str(text) => text,
        Typed::Int(_) | Typed::Float | Typed::Timestamp => node.scalar_text()?,
    };
    (!text.trim().is_empty()).then_some(text)
}

/// A marker a deploy tool replaces before Authentik reads the file (`${VAR}`,
/// `$VAR`, `{{ .Values.x }}`, `__VAR__`): the deployed blueprint then holds the
/// secret in plain text.
fn is_substituted(text: &str) -> bool {
    let t = text.trim();
    let name = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (t.starts_with("${") && t.ends_with('}'))
        || (t.starts_with("{{") && t.ends_with("}}"))
        || t.strip_prefix('$').is_some_and(name)
        || (t.len() > 4 && t.starts_with("__") && t.ends_with("__") && name(t))
}

/// A secret as bplint shows it: at most its first two characters (only when it is
/// long enough that they give little away) and its length, like `"ab…" (64 chars)`.
pub fn mask(secret: &str) -> String {
    let chars = secret.chars().count();
    let shown: String = if chars >= 8 {
        secret
            .chars()
            .take(2)
            .flat_map(char::escape_debug)
            .collect()
    } else {
        String::new()
    };
    format!(
        "\"{shown}…\" ({chars} char{})",
        if chars == 1 { "" } else { "s" }
    )
}

/// The spans of the secrets this rule found, which renderers mask (see
/// `SourceFile::shown`).
pub fn spans(diagnostics: &[Diagnostic]) -> Vec<Span> {
    diagnostics
        .iter()
        .filter(|d| d.code == META.code)
        .map(|d| d.span)
        .collect()
}

/// Secret-looking values in a file that does not parse (so has no tree for the
/// rule to walk): the value of each `key: value` line whose key names a secret,
/// and the lines of a `key: |` block under it. A line scan, so it can miss a
/// secret written in flow style; it only decides what a BP001 snippet masks.
pub fn scan_lines(text: &str) -> Vec<Span> {
    let mut found = Vec::new();
    // The indentation of a secret's block scalar while its lines are read.
    let mut block: Option<usize> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let at = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(key_indent) = block {
            if line.trim().is_empty() {
                continue;
            }
            if indent > key_indent {
                found.push(Span::new(at + indent, at + line.len()));
                continue;
            }
            block = None;
        }
        let mut rest = &line[indent..];
        let mut key_at = indent;
        while let Some(after) = rest.strip_prefix("- ") {
            let trimmed = after.trim_start_matches(' ');
            key_at += rest.len() - trimmed.len();
            rest = trimmed;
        }
        let Some((key, value_at)) = key_of(rest) else {
            continue;
        };
        if !is_secret_name(key) {
            continue;
        }
        let value = &rest[value_at..];
        let value_start = at + key_at + value_at + (value.len() - value.trim_start().len());
        let value = value.trim();
        if value.starts_with(['|', '>']) {
            block = Some(key_at);
            continue;
        }
        if value.is_empty() || value.starts_with(['#', '!', '*', '&', '{', '[']) {
            continue;
        }
        let end = match value.find(" #") {
            Some(comment) if !value.starts_with(['"', '\'']) => value[..comment].trim_end().len(),
            _ => value.len(),
        };
        found.push(Span::new(value_start, value_start + end));
    }
    found
}

/// The key of a `key: value` line and where its value starts, for a plain or
/// quoted key.
fn key_of(line: &str) -> Option<(&str, usize)> {
    let (key, after) = match line.chars().next()? {
        quote @ ('"' | '\'') => {
            let close = line[1..].find(quote)? + 1;
            (&line[1..close], close + 1)
        }
        _ => {
            let colon = line.find(':')?;
            (line[..colon].trim_end(), colon)
        }
    };
    let rest = line[after..].strip_prefix(':')?;
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some((key, after + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_two_characters_of_long_secrets_only() {
        assert_eq!(mask(&"ab".repeat(32)), "\"ab…\" (64 chars)");
        assert_eq!(mask("hunter2"), "\"…\" (7 chars)");
        assert_eq!(mask("x"), "\"…\" (1 char)");
        assert_eq!(mask("\"q\nrest-of-it"), "\"\\\"q…\" (13 chars)");
    }

    #[test]
    fn deploy_time_markers_are_told_apart() {
        for marker in [
            "${OIDC_SECRET}",
            "$OIDC_SECRET",
            "{{ .Values.secret }}",
            "__SECRET__",
        ] {
            assert!(is_substituted(marker), "{marker}");
        }
        for literal in ["changeme", "$2b$12$hash", "____", "{{not closed", "a${B}"] {
            assert!(!is_substituted(literal), "{literal}");
        }
    }

    #[test]
    fn a_line_scan_finds_secret_values() {
        let text = "entries:\n- attrs:\n    name: x\n    client_secret: abc def # note\n  \
                    - password: \"q: r\"\n    token: !Env T\n    private_key: |\n      -----BEGIN\n      \
                    body\n    other: y\n    \"api_key\": k\n    password:\n";
        let shown: Vec<&str> = scan_lines(text)
            .into_iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(shown, ["abc def", "\"q: r\"", "-----BEGIN", "body", "k"]);
    }
}
