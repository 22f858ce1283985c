//! The Authentik deployments (instances) of a repository, worked out from the
//! files that deploy blueprints, never from how folders are laid out: one
//! Authentik often mounts blueprints from many sibling folders, and two clusters
//! often share a base folder.
//!
//! Evidence read:
//! - a Flux `Kustomization` (`kustomize.toolkit.fluxcd.io`): its `spec.path`,
//!   taken from the repository's top;
//! - an Argo CD `Application` (`argoproj.io`): `spec.source.path` and each
//!   `spec.sources[].path`;
//! - a Flux `HelmRelease`'s `values.blueprints.configMaps` and `secrets`: the
//!   generators (`configMapGenerator`, `secretGenerator`) and ConfigMap or
//!   Secret manifests of those names in what its folder's kustomization builds;
//! - a compose file's volumes onto `/blueprints` (short `src:/blueprints/...`
//!   and long `source:` / `target:` syntax), taken from the compose file's folder;
//! - `[[instances]]` in bplint.toml (`paths` relative to its folder).
//!
//! From a deployed path the files it applies are followed as kustomize builds
//! them: a folder with a `kustomization.yaml` gives its `resources`, `bases`
//! and `components` (folders followed the same way) and the `files` of its
//! `configMapGenerator` and `secretGenerator`; a folder without one gives every
//! file below it, as Flux generates a kustomization of everything there. A
//! deployment that applies another's `Kustomization`, `Application` or
//! `HelmRelease` (a cluster's root applying its apps, overlays pulling in a
//! base's HelmRelease) is the same Authentik: the two merge.
//! Only deployments that reach a blueprint count as instances.
//!
//! Plain data: the check command builds one blueprint set per instance from it.

use crate::config::ConfiguredInstance;
use crate::discover::normalize;
use crate::source::LineIndex;
use crate::yaml::{self, Node};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Larger YAML files are not read for evidence.
const MAX_FILE_SIZE: u64 = 1 << 20;
/// Files visited before the search for evidence gives up.
const MAX_FILES: usize = 50_000;

/// Where an instance was found: the file and line, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// `Flux Kustomization \`apps\` (spec.path ./clusters/prod)`.
    pub what: String,
}

/// One Authentik deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub name: String,
    /// Every file and folder the deployment applies (absolute, normalized): a
    /// blueprint file belongs to the instance when it is one of them or lies
    /// below one.
    pub applies: BTreeSet<PathBuf>,
    /// The paths the evidence names itself (a Flux `spec.path`, a compose
    /// volume's source): where the deployment starts, and where its own release
    /// pin is nearest.
    pub entries: Vec<PathBuf>,
    pub evidence: Vec<Evidence>,
    /// The release `[[instances]]` gives, if any.
    pub authentik_version: Option<String>,
    /// The repository's blueprint files it deploys, in name order.
    pub blueprints: Vec<PathBuf>,
}

impl Instance {
    pub fn holds(&self, file: &Path) -> bool {
        self.applies.iter().any(|p| file.starts_with(p))
    }
}

/// One instance's part of a merged run: its name, the release it was judged
/// by, and the ids of the run's files that are its own (a file two instances
/// deploy has a record in each).
#[derive(Debug, Clone)]
pub struct InstanceRun {
    pub name: String,
    pub judged: crate::detect::Judged,
    pub files: std::ops::Range<usize>,
}

/// The instances of a repository.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instances {
    pub list: Vec<Instance>,
    /// Blueprint files no instance deploys (empty when no instance was found:
    /// then every blueprint belongs to the one set).
    pub undeployed: Vec<PathBuf>,
    /// Why the evidence was not used or was unclear, for a note.
    pub notes: Vec<String>,
}

impl Instances {
    /// The indexes of the instances that deploy `file` (absolute, normalized).
    pub fn of(&self, file: &Path) -> Vec<usize> {
        (0..self.list.len())
            .filter(|&i| self.list[i].holds(file))
            .collect()
    }
}

/// The instances of the repository at `root` (absolute), with the ones
/// bplint.toml names (`config_dir` is its folder). `is_blueprint` tells a
/// blueprint file from any other: a deployment that applies none is not kept.
pub fn find(
    root: &Path,
    configured: &[ConfiguredInstance],
    config_dir: Option<&Path>,
    is_blueprint: &(dyn Fn(&Path) -> bool + Sync),
) -> Instances {
    let root = normalize(root);
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut found: Vec<Instance> = Vec::new();
    let mut notes = Vec::new();
    // Reading every YAML file is the cost: in parallel, in the walk's order.
    let shown: Vec<_> = files
        .par_iter()
        .flat_map_iter(|file| evidence_in(file, &root))
        .collect();
    for (name, evidence, paths) in shown {
        let mut applies = BTreeSet::new();
        for path in &paths {
            if !path.exists() {
                notes.push(format!(
                    "{}:{}: {} deploys {}, which does not exist here",
                    crate::source::display_path(
                        evidence.file.strip_prefix(&root).unwrap_or(&evidence.file)
                    ),
                    evidence.line,
                    evidence.what,
                    crate::source::display_path(path.strip_prefix(&root).unwrap_or(path))
                ));
                continue;
            }
            closure(path, &mut applies);
        }
        found.push(Instance {
            name,
            applies,
            entries: paths.iter().map(|p| normalize(p)).collect(),
            evidence: vec![evidence],
            authentik_version: None,
            blueprints: Vec::new(),
        });
    }
    if found.is_empty() && configured.is_empty() {
        // No deployment shown: one set, and no blueprint needs telling apart.
        return Instances {
            notes,
            ..Instances::default()
        };
    }
    let blueprints: Vec<&PathBuf> = files.par_iter().filter(|f| is_blueprint(f)).collect();
    // Deployments of other apps (a large Flux repository has hundreds) are
    // dropped before merging, which compares every pair.
    let first = found.first().and_then(|i| i.evidence.first()).cloned();
    found.retain(|i| blueprints.iter().any(|b| i.holds(b)));
    let found = merge_nested(found);
    if found.is_empty()
        && configured.is_empty()
        && let Some(evidence) = first
    {
        notes.push(format!(
            "{}:{}: {} reaches none of the repository's blueprints (nor does any other \
             deployment file), so the evidence says nothing about them: they are checked as \
             one set",
            crate::source::display_path(
                evidence.file.strip_prefix(&root).unwrap_or(&evidence.file)
            ),
            evidence.line,
            evidence.what,
        ));
    }
    let base = config_dir.map_or_else(|| root.clone(), normalize);
    let mut list: Vec<Instance> = configured
        .iter()
        .map(|c| Instance {
            name: c.name.clone(),
            applies: c.paths.iter().map(|p| normalize(&base.join(p))).collect(),
            entries: c.paths.iter().map(|p| normalize(&base.join(p))).collect(),
            evidence: vec![Evidence {
                file: base.join(crate::config::FILE_NAME),
                line: c.line,
                what: format!("[[instances]] `{}`", c.name),
            }],
            authentik_version: c.authentik_version.clone(),
            blueprints: Vec::new(),
        })
        .collect();
    // Found deployments that bplint.toml does not already describe.
    for instance in found {
        let described = list.iter().any(|known| {
            blueprints
                .iter()
                .all(|b| known.holds(b) == instance.holds(b))
        });
        if !described {
            list.push(instance);
        }
    }
    // Two deployments of one name (two clusters' `authentik` Kustomizations)
    // are told apart by the folder of their evidence.
    let names: Vec<String> = list.iter().map(|i| i.name.clone()).collect();
    for instance in &mut list {
        if names.iter().filter(|n| **n == instance.name).count() > 1
            && let Some(evidence) = instance.evidence.first()
        {
            let folder = evidence
                .file
                .parent()
                .and_then(|p| p.strip_prefix(&root).ok())
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            instance.name = format!("{} ({folder})", instance.name);
        }
    }
    for instance in &mut list {
        instance.blueprints = blueprints
            .iter()
            .filter(|b| instance.holds(b))
            .map(|b| (*b).clone())
            .collect();
    }
    let undeployed = match list.is_empty() {
        true => Vec::new(),
        false => blueprints
            .iter()
            .filter(|b| !list.iter().any(|i| i.holds(b)))
            .map(|b| (*b).clone())
            .collect(),
    };
    Instances {
        list,
        undeployed,
        notes,
    }
}

/// Whether the file holds a blueprint as the check reads it (a blueprint
/// document, or one embedded in a ConfigMap or another Kubernetes object).
pub fn holds_blueprint(path: &Path) -> bool {
    if !crate::discover::is_yaml(path)
        || std::fs::metadata(path).map_or(true, |m| m.len() > MAX_FILE_SIZE)
    {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    if !text.contains("entries") {
        return false;
    }
    yaml::parse(&text).is_ok_and(|stream| {
        !crate::model::locate::Located::new(&text, stream)
            .blueprints()
            .is_empty()
    })
}

/// Folds a deployment into every one that applies its evidence file (a
/// cluster's root Kustomization applying the app's; a HelmRelease in a base two
/// overlays pull in), and deployments that apply exactly the same files into
/// one.
fn merge_nested(mut found: Vec<Instance>) -> Vec<Instance> {
    loop {
        let mut merged = false;
        for i in 0..found.len() {
            let parents: Vec<usize> = (0..found.len())
                .filter(|&j| j != i)
                .filter(|&j| {
                    found[i].evidence.iter().all(|e| found[j].holds(&e.file))
                        || found[i].applies == found[j].applies
                })
                .collect();
            if parents.is_empty() {
                continue;
            }
            let child = found.remove(i);
            for j in parents {
                let parent = &mut found[if j > i { j - 1 } else { j }];
                parent.applies.extend(child.applies.iter().cloned());
                parent.entries.extend(child.entries.iter().cloned());
                parent.evidence.extend(child.evidence.iter().cloned());
            }
            merged = true;
            break;
        }
        if !merged {
            return found;
        }
    }
}

/// Adds what `path` applies to `applies`: a file, a kustomize folder's
/// resources and generated files, or a plain folder.
fn closure(path: &Path, applies: &mut BTreeSet<PathBuf>) {
    let path = normalize(path);
    if applies.contains(&path) {
        return;
    }
    if path.is_file() {
        applies.insert(path);
        return;
    }
    let Some(kustomization) = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .map(|name| path.join(name))
        .find(|p| p.is_file())
    else {
        if path.is_dir() {
            applies.insert(path);
        }
        return;
    };
    applies.insert(kustomization.clone());
    let Ok(text) = std::fs::read_to_string(&kustomization) else {
        return;
    };
    let Ok(stream) = yaml::parse(&text) else {
        return;
    };
    for document in &stream.documents {
        let root = &document.root;
        for key in ["resources", "bases", "components"] {
            for item in strings(root.get(key)) {
                if item.contains("://") || item.starts_with("github.com/") {
                    continue;
                }
                closure(&path.join(item), applies);
            }
        }
        // Patches change what the resources say (an overlay's chart version).
        let patches = root.get("patches").and_then(Node::seq).unwrap_or_default();
        let patch_files = patches
            .iter()
            .filter_map(|p| p.get("path").and_then(Node::as_str))
            .chain(strings(root.get("patchesStrategicMerge")));
        for patch in patch_files {
            let file = normalize(&path.join(patch));
            if file.is_file() {
                applies.insert(file);
            }
        }
        for generator in ["configMapGenerator", "secretGenerator"] {
            for entry in root.get(generator).and_then(Node::seq).unwrap_or_default() {
                for file in strings(entry.get("files")) {
                    // `key=path` names the key the file is stored under.
                    let file = file.split_once('=').map_or(file, |(_, p)| p);
                    let file = normalize(&path.join(file));
                    if file.is_file() {
                        applies.insert(file);
                    }
                }
            }
        }
    }
}

fn strings(node: Option<&Node>) -> Vec<&str> {
    node.and_then(Node::seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

/// The deployments a file describes: a name, where, and the paths applied.
fn evidence_in(file: &Path, root: &Path) -> Vec<(String, Evidence, Vec<PathBuf>)> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if !crate::discover::is_yaml(file)
        || std::fs::metadata(file).map_or(true, |m| m.len() > MAX_FILE_SIZE)
    {
        return Vec::new();
    }
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    let compose = name.starts_with("docker-compose") || name.starts_with("compose");
    let flux = text.contains("kustomize.toolkit.fluxcd.io");
    let argo = text.contains("argoproj.io");
    let helm = text.contains("helm.toolkit.fluxcd.io") && text.contains("blueprints");
    if !compose && !flux && !argo && !helm {
        return Vec::new();
    }
    let Ok(stream) = yaml::parse(&text) else {
        return Vec::new();
    };
    let lines = LineIndex::new(&text);
    let line = |node: &Node| lines.line_col(&text, node.span.start).line;
    let folder = file.parent().unwrap_or(root);
    let mut out = Vec::new();
    for document in &stream.documents {
        let doc = &document.root;
        let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
        let metadata_name = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .unwrap_or(name)
            .to_string();
        let spec = doc.get("spec");
        // What this document deploys, shown at `at`.
        let found = |at: &Node, what: String, paths: Vec<PathBuf>| {
            let evidence = Evidence {
                file: file.to_path_buf(),
                line: line(at),
                what,
            };
            (metadata_name.clone(), evidence, paths)
        };
        if api.starts_with("kustomize.toolkit.fluxcd.io") && kind == "Kustomization" {
            if let Some(path) = spec.and_then(|s| s.get("path")) {
                let text = path.as_str().unwrap_or("");
                out.push(found(
                    path,
                    format!("Flux Kustomization `{metadata_name}` (spec.path {text})"),
                    vec![root.join(text)],
                ));
            }
        } else if api.starts_with("argoproj.io") && kind == "Application" {
            let sources: Vec<&Node> = spec
                .and_then(|s| s.get("source"))
                .into_iter()
                .chain(
                    spec.and_then(|s| s.get("sources"))
                        .and_then(Node::seq)
                        .unwrap_or_default(),
                )
                .collect();
            for source in sources {
                if let Some(path) = source.get("path") {
                    let text = path.as_str().unwrap_or("");
                    out.push(found(
                        path,
                        format!("Argo CD Application `{metadata_name}` (path {text})"),
                        vec![root.join(text)],
                    ));
                }
            }
        } else if api.starts_with("helm.toolkit.fluxcd.io") && kind == "HelmRelease" {
            let Some(blueprints) = spec
                .and_then(|s| s.get("values"))
                .and_then(|v| v.get("blueprints"))
            else {
                continue;
            };
            let names: Vec<&str> = ["configMaps", "secrets"]
                .iter()
                .flat_map(|key| strings(blueprints.get(key)))
                .collect();
            if names.is_empty() {
                continue;
            }
            out.push(found(
                blueprints,
                format!(
                    "Flux HelmRelease `{metadata_name}` (values.blueprints: {})",
                    names.join(", ")
                ),
                producers(folder, &names),
            ));
        } else if compose {
            out.extend(compose_mounts(doc, file, folder, root, &line));
        }
    }
    out
}

/// The files that produce the ConfigMaps and Secrets `names` in what the
/// kustomization of `folder` builds (everything below `folder` without one):
/// the `files` of a generator of that name, and manifests of a ConfigMap or
/// Secret of that name.
fn producers(folder: &Path, names: &[&str]) -> Vec<PathBuf> {
    let mut scope = BTreeSet::new();
    closure(folder, &mut scope);
    let mut files = Vec::new();
    for path in &scope {
        match path.is_dir() {
            true => walk(path, &mut files),
            false => files.push(path.clone()),
        }
    }
    let mut out = Vec::new();
    for file in files.iter().filter(|f| crate::discover::is_yaml(f)) {
        if std::fs::metadata(file).map_or(true, |m| m.len() > MAX_FILE_SIZE) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(stream) = yaml::parse(&text) else {
            continue;
        };
        let dir = file.parent().unwrap_or(folder);
        for document in &stream.documents {
            let doc = &document.root;
            let name = doc
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Node::as_str);
            let kind = doc.get("kind").and_then(Node::as_str);
            if matches!(kind, Some("ConfigMap" | "Secret"))
                && name.is_some_and(|n| names.contains(&n))
            {
                out.push(file.clone());
            }
            for generator in ["configMapGenerator", "secretGenerator"] {
                for entry in doc.get(generator).and_then(Node::seq).unwrap_or_default() {
                    let named = entry.get("name").and_then(Node::as_str);
                    if !named.is_some_and(|n| names.contains(&n)) {
                        continue;
                    }
                    for produced in strings(entry.get("files")) {
                        let produced = produced.split_once('=').map_or(produced, |(_, p)| p);
                        out.push(normalize(&dir.join(produced)));
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A compose file's blueprint mounts: one instance per file, named by its folder.
fn compose_mounts(
    doc: &Node,
    file: &Path,
    folder: &Path,
    root: &Path,
    line: &dyn Fn(&Node) -> usize,
) -> Option<(String, Evidence, Vec<PathBuf>)> {
    let mut paths = Vec::new();
    let mut first = None;
    for pair in doc.get("services")?.pairs() {
        for volume in pair
            .value
            .get("volumes")
            .and_then(Node::seq)
            .unwrap_or_default()
        {
            let (source, target) = match volume.as_str() {
                Some(short) => match short.split_once(':') {
                    Some((source, rest)) => (source.to_string(), rest.to_string()),
                    None => continue,
                },
                None => (
                    volume
                        .get("source")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string(),
                    volume
                        .get("target")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string(),
                ),
            };
            let bind = source.starts_with('.') || source.starts_with('/');
            if bind && target.starts_with("/blueprints") {
                paths.push(normalize(&folder.join(&source)));
                first.get_or_insert_with(|| line(volume));
            }
        }
    }
    let line = first?;
    let name = folder
        .strip_prefix(root)
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| "compose".to_string(), |p| p.display().to_string());
    Some((
        name,
        Evidence {
            file: file.to_path_buf(),
            line,
            what: "compose volumes onto /blueprints".to_string(),
        },
        paths,
    ))
}

/// The repository's files in name order, honouring `.gitignore` and skipping
/// hidden folders as the blueprint walk does.
fn walk(root: &Path, files: &mut Vec<PathBuf>) {
    let walker = ignore::WalkBuilder::new(root)
        .sort_by_file_name(|a, b| a.cmp(b))
        // The marker that keeps bplint's own fixtures out of release detection
        // keeps their deployments out too.
        .filter_entry(|e| !e.path().join(crate::detect::IGNORE_MARKER).exists())
        .build();
    for entry in walker.flatten().take(MAX_FILES) {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            files.push(normalize(entry.path()));
        }
    }
}
