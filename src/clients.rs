//! OIDC clients configured next to the blueprints: an oauth2-proxy config or Helm
//! values, Grafana's `[auth.generic_oauth]` or `GF_AUTH_GENERIC_OAUTH_*` variables,
//! or any YAML, TOML, INI or env file that holds a client id and the scopes it
//! requests. BP102 matches them to providers by `client_id`, so a client asking for
//! `offline_access` is caught without anyone declaring it in bplint.toml.
//!
//! Besides keys that say what they are (`*client_id`, `scope`), the settings of the
//! applications in Authentik's integration guides count
//! ([`crate::knowledge::clients`]): `SOCIAL_AUTH_OIDC_KEY`, `CMD_OAUTH2_SCOPE`,
//! `oidc.client_id`, ... A client whose settings name one application is reported
//! as that application; when its file sets no scopes, it requests the scopes the
//! guide gives it.

use crate::diagnostic::FileId;
use crate::knowledge::clients::{self as catalog, AppDef};
use crate::resolve::{BlueprintFacts, Val};
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

/// Name the provider each discovered client uses: the OAuth2 provider whose literal
/// `client_id` it names.
pub fn match_providers(clients: &mut [ClientMatch], facts: &[std::sync::Arc<BlueprintFacts>]) {
    const PROVIDER: &str = "authentik_providers_oauth2.oauth2provider";
    for found in clients {
        found.provider = facts.iter().find_map(|bp| {
            bp.entries.iter().find_map(|e| {
                let is_it = e.model.as_deref() == Some(PROVIDER)
                    && matches!(e.field("client_id"), Some(Val::Str(id)) if *id == found.client.client_id);
                if !is_it {
                    return None;
                }
                let name = match e.field("name") {
                    Some(Val::Str(name)) => name.clone(),
                    _ => e.id.clone().unwrap_or_default(),
                };
                Some((name, bp.file, e.field_span("client_id").unwrap_or(e.span)))
            })
        });
    }
}

/// One client found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundClient {
    /// What configures it: `oauth2-proxy`, `Grafana` or `config`.
    pub kind: &'static str,
    pub client_id: String,
    pub client_id_span: Span,
    pub scopes: Vec<String>,
    /// The scope value, where the second label of BP102 points (the client id
    /// when the scopes are the application's defaults).
    pub scope_span: Span,
    /// The application of Authentik's integration guides it is, when its settings
    /// or its file name one.
    pub app: Option<&'static AppDef>,
    /// The file sets no scopes: `scopes` are those the application's guide has it
    /// request.
    pub default_scopes: bool,
}

/// Extensions of non-YAML files that may hold client configuration.
pub const CONFIG_EXTENSIONS: &[&str] = &["ini", "cfg", "conf", "toml", "env", "properties", "json"];

/// A key, lower-cased, without separators: `clientID`, `client-id` and
/// `GF_AUTH_GENERIC_OAUTH_CLIENT_ID` all end in `clientid`.
fn normalize(key: &str) -> String {
    catalog::normalize(key)
}

/// How a key holds a client id: `Named` when it says so (`*client_id`) or is a
/// catalog setting specific enough not to be something else
/// (`SOCIAL_AUTH_OIDC_KEY`, any key under the path its guide gives); `Weak` when
/// only a bare catalog key (GitLab's `identifier`) says so, which counts only in a
/// file that names that application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdKey {
    Named,
    Weak,
}

fn client_id_key(path: &[String], key: &str) -> Option<IdKey> {
    if normalize(key).ends_with("clientid") {
        return Some(IdKey::Named);
    }
    let settings: Vec<&str> = catalog::apps_with_client_id(path, key)
        .iter()
        .flat_map(|app| app.client_id_keys.iter().copied())
        .filter(|s| catalog::setting_matches(s, path, key))
        .collect();
    if settings
        .iter()
        .any(|s| s.contains('.') || normalize(s).len() >= 12)
    {
        Some(IdKey::Named)
    } else if settings.is_empty() {
        None
    } else {
        Some(IdKey::Weak)
    }
}

fn is_scope_key(path: &[String], key: &str) -> bool {
    let k = normalize(key);
    k == "scope"
        || k == "scopes"
        || k.ends_with("oauthscopes")
        || k.ends_with("proxyscope")
        || catalog::is_scope_setting(path, key)
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
    /// The setting's own key (`path` holds the keys around it).
    key: String,
    /// For a client id: whether only a bare catalog key says it is one.
    weak: bool,
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
        // A document names its own application (a Deployment's image, a
        // ConfigMap's name), not its neighbours in the file.
        let own = text
            .get(doc.root.span.start..doc.root.span.end)
            .unwrap_or(text);
        found.extend(pair(ids, scopes, own));
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
            // Compose `environment:` lists: `- KEY=value`.
            if let Some((key, value, span)) = env_item(text, item) {
                let list = split_scopes(value);
                consider_text(key, Some(value), list, span, path, ids, scopes);
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
    let list = match value.seq() {
        Some(items) => items
            .iter()
            .filter_map(|i| i.scalar_text().map(str::to_string))
            .collect(),
        None => value.scalar_text().map(split_scopes).unwrap_or_default(),
    };
    consider_text(
        key,
        value.scalar_text(),
        list,
        value.value_span(),
        path,
        ids,
        scopes,
    );
}

/// A setting with its scalar text (if any) and the scope list it would be.
fn consider_text(
    key: &str,
    text: Option<&str>,
    list: Vec<String>,
    span: Span,
    path: &[String],
    ids: &mut Vec<Candidate>,
    scopes: &mut Vec<Candidate>,
) {
    if let Some(how) = client_id_key(path, key)
        && let Some(id) = text
        && !id.is_empty()
    {
        ids.push(Candidate {
            path: path.to_vec(),
            key: key.to_string(),
            weak: how == IdKey::Weak,
            value: vec![id.to_string()],
            span,
            kind: kind_of(key),
        });
    } else if is_scope_key(path, key) && !list.is_empty() {
        scopes.push(Candidate {
            path: path.to_vec(),
            key: key.to_string(),
            weak: false,
            value: list,
            span,
            kind: kind_of(key),
        });
    }
}

/// `KEY=value` of a compose `environment:` list item, with the span of the value.
fn env_item<'t>(text: &'t str, item: &Node) -> Option<(&'t str, &'t str, Span)> {
    item.scalar_text()?;
    let span = item.value_span();
    let raw = text.get(span.start..span.end)?;
    let inner = raw.trim_matches(['"', '\'']);
    let skip = raw.len() - raw.trim_start_matches(['"', '\'']).len();
    let at = inner.find('=')?;
    let key = &inner[..at];
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let value = &inner[at + 1..];
    let start = span.start + skip + at + 1;
    Some((key, value, Span::new(start, start + value.len())))
}

/// Each client id takes the scope setting closest to it in the document's key
/// tree (the longest shared key path; the first one on a tie). An id without any
/// takes its application's default scopes, when the catalog names the application.
fn pair(ids: Vec<Candidate>, scopes: Vec<Candidate>, text: &str) -> Vec<FoundClient> {
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
            });
            let app = application(&id, scope, text);
            if id.weak && app.is_none() {
                return None;
            }
            let (kind, scope_list, scope_span, default_scopes) = match scope {
                Some(scope) => (
                    if id.kind != "config" {
                        id.kind
                    } else {
                        scope.kind
                    },
                    scope.value.clone(),
                    scope.span,
                    false,
                ),
                // Known applications are listed even when neither the file nor
                // the guide gives scopes: `bplint clients` shows the match.
                None => {
                    let app = app?;
                    let defaults: Vec<String> = app.scopes.iter().map(|s| s.to_string()).collect();
                    let from_guide = !defaults.is_empty();
                    (id.kind, defaults, id.span, from_guide)
                }
            };
            let kind = match (kind, app) {
                ("config", Some(app)) => app.name,
                (kind, _) => kind,
            };
            Some(FoundClient {
                kind,
                client_id: id.value.into_iter().next()?,
                client_id_span: id.span,
                scopes: scope_list,
                scope_span,
                app,
                default_scopes,
            })
        })
        .collect()
}

/// The catalog application a client id setting belongs to: the one application
/// whose setting it is, when that setting says more than `client_id`; otherwise,
/// of the applications that share the setting, the one the file names (its
/// guide's folder name or its name, as in an issuer URL or an image), then the
/// one whose scope setting the file also uses.
fn application(id: &Candidate, scope: Option<&Candidate>, text: &str) -> Option<&'static AppDef> {
    let apps = catalog::apps_with_client_id(&id.path, &id.key);
    let specific = apps.len() == 1
        && apps[0].client_id_keys.iter().any(|s| {
            catalog::setting_matches(s, &id.path, &id.key)
                && (s.contains('.') || normalize(s) != "clientid")
        });
    if specific && !id.weak {
        return apps.first().copied();
    }
    let words = normalize(text);
    let named: Vec<&'static AppDef> = apps
        .iter()
        .copied()
        .filter(|a| {
            [a.slug, a.name]
                .iter()
                .map(|w| normalize(w))
                .any(|w| w.len() >= 3 && words.contains(&w))
        })
        .collect();
    match named.as_slice() {
        [only] => return Some(only),
        [] if id.weak => return None,
        _ => {}
    }
    let pool = if named.is_empty() { apps } else { named };
    let scope = scope?;
    let with_scope: Vec<_> = pool
        .into_iter()
        .filter(|a| {
            a.scope_keys
                .iter()
                .any(|s| catalog::setting_matches(s, &scope.path, &scope.key))
        })
        .collect();
    match with_scope.as_slice() {
        [only] if !catalog::setting_matches("clientid", &[], &id.key) => Some(only),
        _ => None,
    }
}

/// Clients in an INI, TOML, env or cfg text starting at byte `base` of its file:
/// `key = value`, `key: value` or `KEY=value` lines, `[sections]` pairing ids
/// with the scopes of their own section first.
pub fn from_lines(text: &str, base: usize) -> Vec<FoundClient> {
    if looks_like_json(text) {
        return from_json(text, base);
    }
    let (ids, scopes) = scan_lines(text, base);
    let mut found = pair(ids, scopes, text);
    let product = product_hint(text);
    for client in &mut found {
        if client.kind == "config" {
            client.kind = product;
        }
    }
    found
}

/// A JSON document, not an INI file whose first line is a `[section]`.
fn looks_like_json(text: &str) -> bool {
    let text = text.trim_start();
    let first = text.lines().next().unwrap_or("").trim();
    text.starts_with('{')
        || (text.starts_with('[')
            && !(first.ends_with(']') && first[1..].chars().all(|c| c != '"' && c != '{')))
}

/// Larger JSON files are data (lock files, exports, dashboards), not an
/// application's settings; they are not parsed.
const JSON_LIMIT: usize = 256 * 1024;

/// Clients in a JSON file (JSON is YAML to the parser, spans included).
fn from_json(text: &str, base: usize) -> Vec<FoundClient> {
    if text.len() > JSON_LIMIT {
        return Vec::new();
    }
    let Ok(stream) = crate::yaml::parse(text) else {
        return Vec::new();
    };
    let mut found = from_yaml(text, &stream);
    for client in &mut found {
        client.client_id_span = shifted(client.client_id_span, base);
        client.scope_span = shifted(client.scope_span, base);
    }
    found
}

fn shifted(span: Span, by: usize) -> Span {
    Span::new(span.start + by, span.end + by)
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
        let path = vec![section.clone()];
        let how = client_id_key(&path, key);
        let candidate = |value: Vec<String>| Candidate {
            path: path.clone(),
            key: key.to_string(),
            weak: how == Some(IdKey::Weak),
            value,
            span,
            kind: kind_of(key),
        };
        if how.is_some() && !unquoted.is_empty() {
            ids.push(candidate(vec![unquoted.to_string()]));
        } else if is_scope_key(&path, key) {
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
    fn json_settings_and_large_json_files() {
        let text = "{\"oidc\": {\"client_id\": \"notes\", \"scopes\": [\"openid\", \"email\"]}}\n";
        let found = from_lines(text, 10);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].client_id, "notes");
        assert_eq!(found[0].scopes, ["openid", "email"]);
        assert_eq!(
            found[0].client_id_span.start,
            10 + text.find("\"notes\"").unwrap()
        );
        let padding = " ".repeat(JSON_LIMIT);
        assert!(from_lines(&format!("{padding}{text}"), 0).is_empty());
    }

    #[test]
    fn compose_environment_list_items() {
        let text = "services:\n  app:\n    environment:\n      - OIDC_CLIENT_ID=app\n      - \"OIDC_SCOPES=openid offline_access\"\n";
        let stream = crate::yaml::parse(text).unwrap();
        let found = from_yaml(text, &stream);
        assert_eq!(found.len(), 1);
        assert_eq!(
            &text[found[0].client_id_span.start..found[0].client_id_span.end],
            "app"
        );
        assert_eq!(
            &text[found[0].scope_span.start..found[0].scope_span.end],
            "openid offline_access"
        );
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
