//! `bplint.toml`: found by walking up from the current directory (or given with
//! `--config`), parsed strictly: an unknown key is an error with its location.

use crate::diagnostic::Severity;
use crate::source::LineIndex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "bplint.toml";

/// What a user may write in `bplint.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    /// Any TOML value, so a version written as a number gets an error that says
    /// to quote it rather than serde's "invalid type: floating point".
    authentik_version: Option<Spanned<toml::Value>>,
    /// Findings recorded by `--write-baseline`, relative to this file's folder.
    baseline: Option<String>,
    #[serde(default)]
    clients: Vec<RawClient>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    assume_exists: Vec<RawAssumed>,
    select: Option<Spanned<Vec<String>>>,
    #[serde(default, rename = "extend-select")]
    extend_select: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    ignore: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default, rename = "per-file-ignores")]
    per_file_ignores: BTreeMap<String, Spanned<Vec<String>>>,
    #[serde(default)]
    discovery: Option<RawDiscovery>,
    #[serde(default)]
    detect: Option<RawDetect>,
    #[serde(default)]
    instances: Vec<Spanned<RawInstance>>,
}

/// `[[instances]]`: an Authentik deployment the repository's files do not show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstance {
    name: String,
    paths: Vec<String>,
    authentik_version: Option<String>,
}

/// An Authentik deployment named in bplint.toml: the blueprint files and
/// folders it applies (relative to bplint.toml's folder) and its release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredInstance {
    pub name: String,
    pub paths: Vec<PathBuf>,
    pub authentik_version: Option<String>,
    /// 1-based line of its `[[instances]]` table.
    pub line: usize,
}

/// `[detect]`: what bplint reads from the repository's deployment files.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDetect {
    version: Option<bool>,
}

/// `[discovery]`: what bplint reads besides blueprints.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiscovery {
    clients: Option<bool>,
    context: Option<bool>,
}

/// An object that lives only in the database: `model` plus lookup fields.
#[derive(Debug, Deserialize)]
struct RawAssumed {
    model: String,
    #[serde(flatten)]
    fields: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    name: String,
    provider: String,
    scopes: Scopes,
}

/// Scopes as a list or as the space-separated string OAuth clients send.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scopes {
    List(Vec<String>),
    Text(String),
}

pub use crate::clients::Client;
pub use crate::resolve::AssumedObject;

/// The run's configuration after validation.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it was read from, if from a file.
    pub path: Option<PathBuf>,
    pub authentik_version: Option<String>,
    pub clients: Vec<Client>,
    /// Rule code -> severity; `None` turns the rule off.
    pub severities: BTreeMap<&'static str, Option<Severity>>,
    /// Objects `!Find` may match that exist only in the database (BP205).
    pub assume_exists: Vec<AssumedObject>,
    /// Rule selectors (`select` replaces the default of every rule).
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// Glob -> selectors switched off for matching files.
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    /// Globs of paths the folder walk skips.
    pub exclude: Vec<String>,
    /// Look for OIDC client configuration (oauth2-proxy, Grafana, ...) in the
    /// checked folders (on unless `[discovery] clients = false`).
    pub discover_clients: bool,
    /// Index the whole repository when only some of its files are checked (on
    /// unless `[discovery] context = false`; `--isolated` switches it off too).
    pub context: bool,
    /// The baseline file (`baseline = "..."`), resolved against bplint.toml's folder.
    pub baseline: Option<PathBuf>,
    /// Take the Authentik release from the repository's pins when none is given
    /// (on unless `[detect] version = false`).
    pub detect_version: bool,
    /// `[[instances]]`: deployments named by hand (see `crate::instances`).
    pub instances: Vec<ConfiguredInstance>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            authentik_version: None,
            detect_version: true,
            clients: Vec::new(),
            severities: BTreeMap::new(),
            assume_exists: Vec::new(),
            select: None,
            extend_select: Vec::new(),
            ignore: Vec::new(),
            per_file_ignores: Vec::new(),
            exclude: Vec::new(),
            discover_clients: true,
            context: true,
            baseline: None,
            instances: Vec::new(),
        }
    }
}

/// A configuration problem, located in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Config {
    /// The nearest `bplint.toml` from `start` upwards.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("{}: cannot read: {e}", path.display())))?;
        let mut config = Config::parse(&text, path)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parse config text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Config, ConfigError> {
        let lines = LineIndex::new(text);
        let locate = |span: Option<std::ops::Range<usize>>, message: &str| {
            let at = match span {
                Some(span) => {
                    let lc = lines.line_col(text, span.start);
                    format!("{}:{}:{}", origin.display(), lc.line, lc.column)
                }
                None => origin.display().to_string(),
            };
            ConfigError(format!("{at}: {message}"))
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().replace('\n', " ");
            locate(e.span(), &message)
        })?;
        let mut config = Config {
            exclude: raw.exclude,
            discover_clients: raw
                .discovery
                .as_ref()
                .and_then(|d| d.clients)
                .unwrap_or(true),
            context: raw
                .discovery
                .as_ref()
                .and_then(|d| d.context)
                .unwrap_or(true),
            detect_version: raw.detect.as_ref().and_then(|d| d.version).unwrap_or(true),
            baseline: raw.baseline.map(|file| {
                origin
                    .parent()
                    .map_or_else(|| PathBuf::from(&file), |dir| dir.join(&file))
            }),
            ..Config::default()
        };
        for (list, target) in [
            (raw.select.as_ref(), "select"),
            (raw.extend_select.as_ref(), "extend-select"),
            (raw.ignore.as_ref(), "ignore"),
        ] {
            if let Some(list) = list {
                crate::selection::validate(list.get_ref().iter().map(String::as_str))
                    .map_err(|e| locate(Some(list.span()), &format!("{target}: {e}")))?;
            }
        }
        config.select = raw.select.map(Spanned::into_inner);
        config.extend_select = raw
            .extend_select
            .map(Spanned::into_inner)
            .unwrap_or_default();
        config.ignore = raw.ignore.map(Spanned::into_inner).unwrap_or_default();
        for (pattern, list) in raw.per_file_ignores {
            crate::selection::validate(list.get_ref().iter().map(String::as_str))
                .and_then(|()| {
                    globset::Glob::new(&pattern)
                        .map(|_| ())
                        .map_err(|e| format!("bad glob `{pattern}`: {e}"))
                })
                .map_err(|e| locate(Some(list.span()), &format!("per-file-ignores: {e}")))?;
            config.per_file_ignores.push((pattern, list.into_inner()));
        }
        for pattern in &config.exclude {
            globset::Glob::new(pattern)
                .map_err(|e| locate(None, &format!("exclude: bad glob `{pattern}`: {e}")))?;
        }
        if let Some(version) = raw.authentik_version {
            let span = version.span();
            let name = match version.into_inner() {
                toml::Value::String(name) => name,
                toml::Value::Float(_) | toml::Value::Integer(_) => {
                    // The number as written: TOML reads `2025.10` as 2025.1.
                    let written = text.get(span.clone()).unwrap_or_default().trim();
                    return Err(locate(
                        Some(span),
                        &format!(
                            "authentik_version must be a string: write it in quotes, \
                             `authentik_version = \"{written}\"` (unquoted, TOML reads a number)"
                        ),
                    ));
                }
                other => {
                    return Err(locate(
                        Some(span),
                        &format!(
                            "authentik_version must be a release in quotes, like \"2026.2\", not a {}",
                            other.type_str()
                        ),
                    ));
                }
            };
            crate::knowledge::Knowledge::for_version(&name).map_err(|e| locate(Some(span), &e))?;
            config.authentik_version = Some(name);
        }
        for (rule, level) in raw.rules {
            let Some(meta) = crate::rules::find(&rule) else {
                let hint = crate::rules::suggest(&rule)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(locate(
                    Some(level.span()),
                    &format!("unknown rule `{rule}` in [rules]{hint}"),
                ));
            };
            let severity = match level.get_ref().as_str() {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                "off" => None,
                other => {
                    return Err(locate(
                        Some(level.span()),
                        &format!("rule level `{other}` must be \"error\", \"warning\" or \"off\""),
                    ));
                }
            };
            config.severities.insert(meta.code, severity);
        }
        config.assume_exists = raw
            .assume_exists
            .into_iter()
            .map(|a| AssumedObject {
                model: crate::model::normalize_model(&a.model),
                fields: a
                    .fields
                    .into_iter()
                    .map(|(k, v)| {
                        let value = match v {
                            toml::Value::String(s) => s,
                            other => other.to_string(),
                        };
                        (k, value)
                    })
                    .collect(),
            })
            .collect();
        let mut names = Vec::new();
        for instance in raw.instances {
            let span = instance.span();
            let line = lines.line_col(text, span.start).line;
            let instance = instance.into_inner();
            if names.contains(&instance.name) {
                return Err(locate(
                    Some(span),
                    &format!(
                        "instance `{}` is named twice in [[instances]]",
                        instance.name
                    ),
                ));
            }
            if let Some(version) = &instance.authentik_version {
                crate::knowledge::Knowledge::for_version(version).map_err(|e| {
                    locate(
                        Some(span.clone()),
                        &format!("instance `{}`: {e}", instance.name),
                    )
                })?;
            }
            names.push(instance.name.clone());
            config.instances.push(ConfiguredInstance {
                name: instance.name,
                paths: instance.paths.iter().map(PathBuf::from).collect(),
                authentik_version: instance.authentik_version,
                line,
            });
        }
        config.clients = raw
            .clients
            .into_iter()
            .map(|c| Client {
                name: c.name,
                provider: c.provider,
                scopes: match c.scopes {
                    Scopes::List(list) => list,
                    Scopes::Text(text) => text.split_whitespace().map(str::to_string).collect(),
                },
            })
            .collect();
        Ok(config)
    }

    /// The severity a rule reports at (`None`: switched off).
    pub fn severity(&self, code: &str, default: Severity) -> Option<Severity> {
        self.severities.get(code).copied().unwrap_or(Some(default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("bplint.toml"))
    }

    #[test]
    fn reads_clients_and_rule_levels() {
        let config = parse(
            r#"
authentik_version = "2024.8"
[[clients]]
name = "cli"
provider = "my-provider"
scopes = "openid offline_access"

[rules]
BP103 = "error"
unknown-tag = "off"
"#,
        )
        .unwrap();
        assert_eq!(config.clients[0].scopes, vec!["openid", "offline_access"]);
        assert_eq!(
            config.severity("BP103", Severity::Warning),
            Some(Severity::Error)
        );
        assert_eq!(config.severity("BP004", Severity::Error), None);
    }

    #[test]
    fn unknown_keys_are_located() {
        let err = parse("authentik_version = \"2026.2\"\nbogus = 1\n").unwrap_err();
        assert!(err.0.starts_with("bplint.toml:2:1:"), "{}", err.0);
        assert!(err.0.contains("bogus"), "{}", err.0);
    }

    #[test]
    fn an_unquoted_version_is_told_to_be_quoted() {
        let err = parse("authentik_version = 2025.10\n").unwrap_err();
        assert!(err.0.starts_with("bplint.toml:1:21:"), "{}", err.0);
        assert!(
            err.0.contains("`authentik_version = \"2025.10\"`"),
            "{}",
            err.0
        );
        assert!(!err.0.contains("floating point"), "{}", err.0);
        let err = parse("authentik_version = 2026\n").unwrap_err();
        assert!(err.0.contains("\"2026\""), "{}", err.0);
    }

    #[test]
    fn baseline_is_relative_to_the_config_file() {
        let config = Config::parse(
            "baseline = \"ci/baseline.json\"\n[discovery]\ncontext = false\n",
            Path::new("repo/bplint.toml"),
        )
        .unwrap();
        assert_eq!(
            config.baseline,
            Some(PathBuf::from("repo/ci/baseline.json"))
        );
        assert!(!config.context);
        assert!(parse("").unwrap().context);
    }

    #[test]
    fn unknown_rules_suggest_the_nearest() {
        let err = parse("[rules]\nBP1O3 = \"off\"\n").unwrap_err();
        assert!(err.0.contains("bplint.toml:2:9"), "{}", err.0);
    }

    #[test]
    fn instances_with_paths_and_release() {
        let config = parse(
            "[[instances]]\nname = \"prod\"\npaths = [\"k8s/prod\", \"shared\"]\nauthentik_version = \"2025.10\"\n\n\
             [[instances]]\nname = \"lab\"\npaths = [\"lab\"]\n",
        )
        .unwrap();
        assert_eq!(
            config.instances,
            vec![
                ConfiguredInstance {
                    name: "prod".into(),
                    paths: vec![PathBuf::from("k8s/prod"), PathBuf::from("shared")],
                    authentik_version: Some("2025.10".into()),
                    line: 1,
                },
                ConfiguredInstance {
                    name: "lab".into(),
                    paths: vec![PathBuf::from("lab")],
                    authentik_version: None,
                    line: 6,
                },
            ]
        );
        let err = parse(
            "[[instances]]\nname = \"a\"\npaths = []\n[[instances]]\nname = \"a\"\npaths = []\n",
        )
        .unwrap_err();
        assert!(
            err.0
                .contains("bplint.toml:4:1: instance `a` is named twice"),
            "{}",
            err.0
        );
        let err =
            parse("[[instances]]\nname = \"a\"\npaths = []\nauthentik_version = \"2019.1\"\n")
                .unwrap_err();
        assert!(
            err.0.contains("bplint.toml:1:1: instance `a`:"),
            "{}",
            err.0
        );
        let err = parse("[[instances]]\nname = \"a\"\npath = []\n").unwrap_err();
        assert!(err.0.contains("path"), "{}", err.0);
    }
}
