//! OIDC clients configured next to the blueprints: an oauth2-proxy config or Helm
//! values, Grafana's `[auth.generic_oauth]` or `GF_AUTH_GENERIC_OAUTH_*` variables,
//! or any YAML, TOML, INI or env file that holds a client id and the scopes it
//! requests. BP102 matches them to providers by `client_id`, so a client asking for
//! `offline_access` is caught without anyone declaring it in bplint.toml.

use crate::diagnostic::FileId;
use crate::source::Span;
use crate::yaml::{Node, Stream, Style};

/// An OIDC client declared in `bplint.toml` that uses one of the blueprints'
/// providers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub name: String,
    /// The provider's `name` attribute or its entry `id`.
    pub provider: String,
    pub scopes: Vec<String>,
}

/// A discovered client and the provider whose `client_id` it names, if any.
#[derive(Debug, Clone)]
pub struct ClientMatch {
    pub file: FileId,
    pub client: FoundClient,
    /// The provider's name (or entry id), its file and where its `client_id` is.
    pub provider: Option<(String, FileId, Span)>,
}

/// One client found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundClient {
    /// What configures it: `oauth2-proxy`, `Grafana` or `config`.
    pub kind: &'static str,
    pub client_id: String,
    pub client_id_span: Span,
    pub scopes: Vec<String>,
    /// The scope value, where the second label of BP102 points.
    pub scope_span: Span,
}

/// Extensions of non-YAML files that may hold client configuration.
pub const CONFIG_EXTENSIONS: &[&str] = &["ini", "cfg", "conf", "toml", "env", "properties"];

/// A key, lower-cased, without separators: `clientID`, `client-id` and
/// `GF_AUTH_GENERIC_OAUTH_CLIENT_ID` all end in `clientid`.
fn normalize(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn is_client_id_key(key: &str) -> bool {
    normalize(key).ends_with("clientid")
}

fn is_scope_key(key: &str) -> bool {
    let k = normalize(key);
    k == "scope" || k == "scopes" || k.ends_with("oauthscopes") || k.ends_with("proxyscope")
}

/// Which product a key belongs to, for messages.
fn kind_of(key: &str) -> &'static str {
    let k = normalize(key);
    if k.starts_with("gfauth") {
        "Grafana"
    } else if k.starts_with("oauth2proxy") {
        "oauth2-proxy"
    } else {
        "config"
    }
}

/// Scopes as OAuth clients write them: space- or comma-separated.
fn split_scopes(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '+')
        .map(|s| s.trim_matches(|c| c == '"' || c == '\'' || c == '[' || c == ']'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A candidate value with the key path it sits under (for pairing).
struct Candidate {
    path: Vec<String>,
    value: Vec<String>,
    span: Span,
    kind: &'static str,
}

/// Clients in the documents of a YAML file.
pub fn from_yaml(text: &str, stream: &Stream) -> Vec<FoundClient> {
    let mut found = Vec::new();
    let product = product_hint(text);
    for doc in stream
        .documents
        .iter()
        .filter(|d| !crate::model::is_blueprint(&d.root))
    {
        let mut ids = Vec::new();
        let mut scopes = Vec::new();
        walk(text, &doc.root, &mut Vec::new(), &mut ids, &mut scopes, 0);
        found.extend(pair(ids, scopes));
    }
    for client in &mut found {
        if client.kind == "config" {
            client.kind = product;
        }
    }
    found
}

/// The product a file configures, from settings only it has.
fn product_hint(text: &str) -> &'static str {
    if text.contains("oidc_issuer_url") || text.contains("OAUTH2_PROXY_") {
        "oauth2-proxy"
    } else if text.contains("[auth.generic_oauth]") || text.contains("auth.generic_oauth") {
        "Grafana"
    } else {
        "config"
    }
}

fn walk(
    text: &str,
    node: &Node,
    path: &mut Vec<String>,
    ids: &mut Vec<Candidate>,
    scopes: &mut Vec<Candidate>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    let node = node.resolved();
    if let Some(items) = node.seq() {
        for (i, item) in items.iter().enumerate() {
            // Kubernetes `env:` lists: `- name: KEY` / `value: ...`.
            if let (Some(name), Some(value)) =
                (item.get("name").and_then(Node::as_str), item.get("value"))
            {
                consider(name, value, path, ids, scopes);
            }
            path.push(i.to_string());
            walk(text, item, path, ids, scopes, depth + 1);
            path.pop();
        }
        return;
    }
    for pair in node.pairs() {
        let Some(key) = pair.key.as_str() else {
            continue;
        };
        consider(key, &pair.value, path, ids, scopes);
        if let Some(scalar) = pair.value.scalar()
            && matches!(scalar.style, Style::Literal | Style::Folded)
            && scalar.value.contains('=')
            && !scalar.value.lines().any(|l| l.starts_with("entries:"))
        {
            // An embedded config file (oauth2-proxy's `configFile: |`): scan its lines
            // where they stand in this file.
            let inner = pair.value.span;
            let (inner_ids, inner_scopes) = scan_lines(&text[inner.start..inner.end], inner.start);
            let tagged = inner_ids
                .into_iter()
                .map(|c| (c, false))
                .chain(inner_scopes.into_iter().map(|c| (c, true)));
            for (mut c, is_scope) in tagged {
                let mut p = path.clone();
                p.push(key.to_string());
                p.append(&mut c.path);
                c.path = p;
                if is_scope {
                    scopes.push(c)
                } else {
                    ids.push(c)
                }
            }
        }
        path.push(key.to_string());
        walk(text, &pair.value, path, ids, scopes, depth + 1);
        path.pop();
    }
}

fn consider(
    key: &str,
    value: &Node,
    path: &[String],
    ids: &mut Vec<Candidate>,
    scopes: &mut Vec<Candidate>,
) {
    if is_client_id_key(key)
        && let Some(id) = value.scalar_text()
        && !id.is_empty()
    {
        ids.push(Candidate {
            path: path.to_vec(),
            value: vec![id.to_string()],
            span: value.value_span(),
            kind: kind_of(key),
        });
    } else if is_scope_key(key) {
        let list = match value.seq() {
            Some(items) => items
                .iter()
                .filter_map(|i| i.scalar_text().map(str::to_string))
                .collect(),
            None => value.scalar_text().map(split_scopes).unwrap_or_default(),
        };
        if !list.is_empty() {
            scopes.push(Candidate {
                path: path.to_vec(),
                value: list,
                span: value.value_span(),
                kind: kind_of(key),
            });
        }
    }
}

/// Each client id takes the scope setting closest to it in the document's key
/// tree (the longest shared key path; the first one on a tie).
fn pair(ids: Vec<Candidate>, scopes: Vec<Candidate>) -> Vec<FoundClient> {
    ids.into_iter()
        .filter_map(|id| {
            let scope = scopes.iter().max_by_key(|s| {
                let shared = id
                    .path
                    .iter()
                    .zip(&s.path)
                    .take_while(|(a, b)| a == b)
                    .count();
                (shared, std::cmp::Reverse(s.span.start))
            })?;
            let kind = if id.kind != "config" {
                id.kind
            } else {
                scope.kind
            };
            Some(FoundClient {
                kind,
                client_id: id.value.into_iter().next()?,
                client_id_span: id.span,
                scopes: scope.value.clone(),
                scope_span: scope.span,
            })
        })
        .collect()
}

/// Clients in an INI, TOML, env or cfg text starting at byte `base` of its file:
/// `key = value`, `key: value` or `KEY=value` lines, `[sections]` pairing ids
/// with the scopes of their own section first.
pub fn from_lines(text: &str, base: usize) -> Vec<FoundClient> {
    let (ids, scopes) = scan_lines(text, base);
    let mut found = pair(ids, scopes);
    let product = product_hint(text);
    for client in &mut found {
        if client.kind == "config" {
            client.kind = product;
        }
    }
    found
}

/// Client ids and scope settings of `key = value` style lines.
fn scan_lines(text: &str, base: usize) -> (Vec<Candidate>, Vec<Candidate>) {
    let mut ids = Vec::new();
    let mut scopes = Vec::new();
    let mut section = String::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with(';') || trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            section = trimmed.trim_matches(['[', ']']).to_string();
            continue;
        }
        let Some(at) = trimmed.find(['=', ':']) else {
            continue;
        };
        let indent = line.len() - trimmed.len();
        let key = trimmed[..at].trim().trim_start_matches("export ").trim();
        let raw_value = &trimmed[at + 1..];
        let value = raw_value.trim();
        let value_start =
            base + line_start + indent + at + 1 + (raw_value.len() - raw_value.trim_start().len());
        let span = Span::new(value_start, value_start + value.len());
        let unquoted = value.trim_matches(|c| c == '"' || c == '\'');
        let candidate = |value: Vec<String>| Candidate {
            path: vec![section.clone()],
            value,
            span,
            kind: kind_of(key),
        };
        if is_client_id_key(key) && !unquoted.is_empty() {
            ids.push(candidate(vec![unquoted.to_string()]));
        } else if is_scope_key(key) {
            let list = split_scopes(unquoted);
            if !list.is_empty() {
                scopes.push(candidate(list));
            }
        }
    }
    (ids, scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grafana_ini() {
        let text = "[server]\nroot_url = x\n[auth.generic_oauth]\nclient_id = grafana\nscopes = openid email offline_access\n";
        let found = from_lines(text, 0);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, "Grafana");
        assert_eq!(found[0].client_id, "grafana");
        assert_eq!(found[0].scopes, ["openid", "email", "offline_access"]);
        assert_eq!(
            &text[found[0].scope_span.start..found[0].scope_span.end],
            "openid email offline_access"
        );
    }

    #[test]
    fn oauth2_proxy_helm_values() {
        let text = "config:\n  clientID: dashboard\n  configFile: |-\n    email_domains = [ \"*\" ]\n    scope = \"openid email offline_access\"\n";
        let stream = crate::yaml::parse(text).unwrap();
        let found = from_yaml(text, &stream);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].client_id, "dashboard");
        assert!(found[0].scopes.contains(&"offline_access".to_string()));
        assert!(text[found[0].scope_span.start..].starts_with("\"openid email offline_access\""));
    }

    #[test]
    fn kubernetes_env_lists() {
        let text = "env:\n  - name: GF_AUTH_GENERIC_OAUTH_CLIENT_ID\n    value: grafana\n  - name: GF_AUTH_GENERIC_OAUTH_SCOPES\n    value: openid offline_access\n";
        let stream = crate::yaml::parse(text).unwrap();
        let found = from_yaml(text, &stream);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, "Grafana");
        assert_eq!(found[0].scopes, ["openid", "offline_access"]);
    }
}
