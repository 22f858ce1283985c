//! Release detection: the Authentik release a repository deploys, read from the
//! pins Renovate bumps (Flux HelmRelease and OCIRepository, kustomize, Helm
//! dependencies and values, Argo CD Applications, docker compose with `.env`,
//! Dockerfiles, self-built images named `.../authentik`) and plain
//! `authentik_version` settings (Ansible, Terraform, env files); the forms
//! surveyed in the reference data's research/version-pins.md.
//!
//! A light line scan rather than a YAML parse: pins sit in files that are often
//! templated or not YAML at all, and only a key and its siblings matter. Only
//! files whose names (or, for other YAML files, first kilobyte) can hold a pin
//! are read, and the walk stops after a bounded number of entries, so a run on a
//! large repository stays fast.
//!
//! A folder holding a `.bplint-detect-ignore` file is skipped with everything
//! below it; bplint's own detection fixtures carry one, so a run inside bplint's
//! repository does not take a fixture's pin for the repository's release.

use crate::config::Config;
use crate::knowledge::Knowledge;
use crate::knowledge::versions::Version;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The marker that keeps a folder out of detection.
pub const IGNORE_MARKER: &str = ".bplint-detect-ignore";

/// Folders and files visited before the walk gives up.
const MAX_ENTRIES: usize = 20_000;
/// Files larger than this hold no pin worth reading.
const MAX_FILE_SIZE: u64 = 1 << 20;

/// One release pin: the release as written (prefix and suffix stripped) and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub version: String,
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
}

/// The pin bplint judges by, and the nearest pin that names another release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub chosen: Pin,
    pub disagreeing: Option<Pin>,
}

/// Detects the release deployed by the repository of `paths` (relative paths are
/// taken from `cwd`); see [`detect_in`]. No bplint.toml bounds the search.
pub fn detect(paths: &[PathBuf], cwd: &Path) -> Option<Detection> {
    detect_in(paths, cwd, None)
}

/// Detects the release deployed by the repository of `paths`: the git work tree
/// holding the first of them, else the folder of the bplint.toml in use
/// (`config_dir`) when it holds them all, else only the paths themselves, up to
/// the deepest folder holding all of them. Never the current folder as such: run
/// from `/` or a home folder outside a repository, a walk of it read the whole
/// disk and judged the blueprints by an unrelated compose file. `-` (standard
/// input) names no place and is left out.
pub fn detect_in(paths: &[PathBuf], cwd: &Path, config_dir: Option<&Path>) -> Option<Detection> {
    let (targets, checked_dirs) = targets_of(paths, cwd);
    let config_dir = config_dir.map(|dir| crate::discover::normalize(&cwd.join(dir)));
    let scope = search_scope(&targets, &checked_dirs, config_dir)?;
    let files = scope_files(&scope, &targets, &checked_dirs);
    rank_pins(files, &targets, &|_| false)
}

/// The folders of `paths` (a file's own folder, absolute and normalized), and
/// those of them the user named as folders.
fn targets_of(paths: &[PathBuf], cwd: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut targets = Vec::new();
    let mut checked_dirs = Vec::new();
    for path in paths.iter().filter(|p| p.as_path() != Path::new("-")) {
        let abs = crate::discover::normalize(&cwd.join(path));
        if abs.is_dir() {
            checked_dirs.push(abs.clone());
            targets.push(abs);
        } else {
            targets.push(abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf));
        }
    }
    (targets, checked_dirs)
}

/// The repository of `paths` as detection bounds it (see [`detect_in`]): the
/// git work tree, else bplint.toml's folder, else the folder holding them all.
pub fn repository_of(paths: &[PathBuf], cwd: &Path, config_dir: Option<&Path>) -> Option<PathBuf> {
    let (targets, checked_dirs) = targets_of(paths, cwd);
    let config_dir = config_dir.map(|dir| crate::discover::normalize(&cwd.join(dir)));
    // Outside a repository only a folder the user named may be surveyed whole.
    match search_scope(&targets, &checked_dirs, config_dir)? {
        Scope::Tree(root) => Some(root),
        Scope::Bounded(_) => None,
    }
}

/// The release of one instance of the repository at `root`: pins in the files
/// the instance applies (`deploys`) first, then the nearest to where the
/// deployment starts (`entries`: an overlay's folder, so its patch of the
/// chart version wins over the base it pulls in).
pub fn detect_instance(
    root: &Path,
    entries: &[PathBuf],
    deploys: &dyn Fn(&Path) -> bool,
) -> Option<Detection> {
    let targets: Vec<PathBuf> = entries
        .iter()
        .map(|b| match b.is_dir() {
            true => b.clone(),
            false => b.parent().map_or_else(|| b.clone(), Path::to_path_buf),
        })
        .collect();
    detect_below(root, &targets, deploys)
}

/// The pins below `root`, ranked for `targets` (absolute folders); a pin in a
/// file `deploys` accepts counts as deploying them.
fn detect_below(
    root: &Path,
    targets: &[PathBuf],
    deploys: &dyn Fn(&Path) -> bool,
) -> Option<Detection> {
    let mut files = Vec::new();
    let mut budget = MAX_ENTRIES;
    walk(root, &mut budget, &mut files);
    rank_pins(files, targets, deploys)
}

/// The pins of `files`, ranked for `targets`.
fn rank_pins(
    files: Vec<(PathBuf, String)>,
    targets: &[PathBuf],
    deploys: &dyn Fn(&Path) -> bool,
) -> Option<Detection> {
    // Reading the heads is the cost (a blueprint folder holds thousands of YAML
    // files): in parallel, keeping the walk's order for `choose`.
    let mut pins: Vec<Found> = files
        .par_iter()
        .flat_map_iter(|(path, name)| scan_file(path, name))
        .collect();
    for found in &mut pins {
        if deploys(&found.pin.path) {
            found.deploys.extend(targets.iter().cloned());
        }
    }
    choose(pins, targets)
}

/// What detection may read.
#[derive(Debug, PartialEq, Eq)]
enum Scope {
    /// A repository (git work tree, or bplint.toml's folder), or, outside one,
    /// a folder the user named that holds every checked path: all of it.
    Tree(PathBuf),
    /// Outside a repository: the folder holding every checked path, of which
    /// only the checked folders (whole) and the files of the folders between
    /// the checked paths and it are read, never other folders below it.
    Bounded(PathBuf),
}

/// [`search_root`], and whether its whole tree may be read.
fn search_scope(
    targets: &[PathBuf],
    checked_dirs: &[PathBuf],
    config_dir: Option<PathBuf>,
) -> Option<Scope> {
    let start = targets.first()?;
    let in_repository = start.ancestors().any(|dir| dir.join(".git").exists())
        || config_dir
            .as_ref()
            .is_some_and(|dir| targets.iter().all(|t| t.starts_with(dir)));
    let root = search_root(targets, config_dir)?;
    Some(if in_repository || checked_dirs.contains(&root) {
        Scope::Tree(root)
    } else {
        Scope::Bounded(root)
    })
}

/// The files `scope` lets detection read for `targets`.
fn scope_files(
    scope: &Scope,
    targets: &[PathBuf],
    checked_dirs: &[PathBuf],
) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut budget = MAX_ENTRIES;
    match scope {
        Scope::Tree(root) => walk(root, &mut budget, &mut files),
        Scope::Bounded(root) => {
            for dir in checked_dirs {
                walk(dir, &mut budget, &mut files);
            }
            let mut folders: Vec<&Path> = targets
                .iter()
                .flat_map(|t| t.ancestors().take_while(move |a| a.starts_with(root)))
                .collect();
            folders.sort();
            folders.dedup();
            for folder in folders {
                let Ok(entries) = std::fs::read_dir(folder) else {
                    continue;
                };
                let mut direct: Vec<_> = entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .map(|e| (e.path(), e.file_name().to_string_lossy().into_owned()))
                    .collect();
                direct.sort();
                files.extend(direct);
            }
            files.sort();
            files.dedup();
        }
    }
    files
}

/// Where detection looks for the pins of `targets` (absolute folders): the git
/// work tree holding the first, else `config_dir` when it holds them all, else
/// the deepest folder holding all of them. `None` without a target.
fn search_root(targets: &[PathBuf], config_dir: Option<PathBuf>) -> Option<PathBuf> {
    let start = targets.first()?;
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
        .or_else(|| config_dir.filter(|dir| targets.iter().all(|t| t.starts_with(dir))))
        .or_else(|| Some(common_folder(targets)))
}

/// The deepest folder holding every one of `folders` (absolute, normalized).
fn common_folder(folders: &[PathBuf]) -> PathBuf {
    let mut common = folders.first().cloned().unwrap_or_default();
    for folder in folders.iter().skip(1) {
        while !folder.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
}

/// Where the release a run judges by came from. Reports name it (JSON
/// `authentik_version.source`, the summary line), so a reader can tell a pin
/// bplint found from a release someone gave.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum VersionSource {
    /// A pin in the repository; `path` is relative to the current folder when it
    /// lies below it (as the user would type it), else absolute.
    Pin { path: PathBuf, line: usize },
    /// `authentik_version` in bplint.toml.
    Config,
    /// `--authentik-version`.
    Flag,
    /// `bplint upgrade --to`: the release upgraded to.
    UpgradeTarget,
    /// Nothing given and no usable pin (or detection switched off): the newest
    /// release bplint knows.
    #[default]
    Default,
}

impl VersionSource {
    /// As JSON and SARIF name it: `deploy/helmrelease.yaml:12`, `bplint.toml`,
    /// `--authentik-version` or `default`.
    pub fn label(&self) -> String {
        match self {
            VersionSource::Pin { path, line } => {
                format!("{}:{line}", crate::source::display_path(path))
            }
            VersionSource::Config => "bplint.toml".to_string(),
            VersionSource::Flag => "--authentik-version".to_string(),
            VersionSource::UpgradeTarget => "--to".to_string(),
            VersionSource::Default => "default".to_string(),
        }
    }
}

/// The knowledge a run judges by and where its release came from.
#[derive(Debug, Clone)]
pub struct Judged {
    pub kb: Knowledge,
    pub source: VersionSource,
}

impl Judged {
    pub fn new(kb: Knowledge, source: VersionSource) -> Self {
        Judged { kb, source }
    }

    /// The newest release bplint knows, chosen because nothing else was.
    pub fn newest() -> Self {
        Judged::new(Knowledge::newest(), VersionSource::Default)
    }

    /// `--authentik-version` when given, else bplint.toml's `authentik_version`,
    /// else `None`: the releases a user names, which detection never overrides.
    pub fn given(flag: Option<&str>, config: &Config) -> Option<Result<Judged, String>> {
        let (text, source) = match (flag, config.authentik_version.as_deref()) {
            (Some(v), _) => (v, VersionSource::Flag),
            (None, Some(v)) => (v, VersionSource::Config),
            (None, None) => return None,
        };
        let named = match source {
            VersionSource::Flag => format!("--authentik-version {text}"),
            _ => format!("authentik_version = \"{text}\" in bplint.toml"),
        };
        Some(
            Knowledge::for_version(text)
                .map(|kb| Judged::new(kb, source))
                .map_err(|e| format!("{named}: {e}")),
        )
    }
}

impl Default for Judged {
    fn default() -> Self {
        Judged::newest()
    }
}

/// The knowledge a run judges by: `--authentik-version`, else bplint.toml's
/// `authentik_version`, else the release the repository pins (unless switched
/// off), else the newest. Notes about the choice go to standard error.
pub fn knowledge_for_run(
    flag: Option<&str>,
    config: &Config,
    paths: &[PathBuf],
    quiet: bool,
) -> Result<Judged, String> {
    if let Some(given) = Judged::given(flag, config) {
        return given;
    }
    if !config.detect_version {
        return Ok(Judged::newest());
    }
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(Judged::newest());
    };
    let config_dir = config.path.as_deref().and_then(Path::parent);
    let Some(found) = detect_in(paths, &cwd, config_dir) else {
        return Ok(Judged::newest());
    };
    let relative = |pin: &Pin| {
        pin.path
            .strip_prefix(&cwd)
            .unwrap_or(&pin.path)
            .to_path_buf()
    };
    let shown = |pin: &Pin| format!("{} ({}:{})", pin.version, relative(pin).display(), pin.line);
    if let Some(other) = found.disagreeing.as_ref().filter(|_| !quiet) {
        eprintln!(
            "bplint: note: the repository pins Authentik {} and {}; judging by the one \
             nearest to the blueprints, the first (set `authentik_version` in bplint.toml \
             to settle it)",
            shown(&found.chosen),
            shown(other)
        );
    }
    match Knowledge::for_version(&found.chosen.version) {
        Ok(kb) => Ok(Judged::new(
            kb,
            VersionSource::Pin {
                path: relative(&found.chosen),
                line: found.chosen.line,
            },
        )),
        Err(message) => {
            if !quiet {
                eprintln!(
                    "bplint: note: ignoring the pinned release {}: {message}",
                    shown(&found.chosen)
                );
            }
            Ok(Judged::newest())
        }
    }
}

/// How far a pin is from the blueprints, nearest first: a pin whose file
/// deploys a checked folder (a compose volume onto `/blueprints`) before any
/// other; then by the steps up from the blueprints' folder to the nearest
/// folder the pin's folder shares with it, then the steps down from there. The
/// same folder is (0, 0), a parent (1, 0), a sibling folder of the blueprints'
/// (1, 1): another app's or another deployment's pin far off in a large
/// repository never wins over the one beside the blueprints.
fn distance(found: &Found, targets: &[PathBuf]) -> (bool, usize, usize) {
    let deploys = targets
        .iter()
        .any(|target| found.deploys.iter().any(|dir| target.starts_with(dir)));
    let dir = found.pin.path.parent().unwrap_or(&found.pin.path);
    let (up, down) = targets
        .iter()
        .filter_map(|target| {
            let (up, common) = target
                .ancestors()
                .enumerate()
                .find(|(_, a)| dir.starts_with(a))?;
            let down = dir.strip_prefix(common).ok()?.components().count();
            Some((up, down))
        })
        .min()
        .unwrap_or((usize::MAX / 2, usize::MAX / 2));
    (!deploys, up, down)
}

fn choose(pins: Vec<Found>, targets: &[PathBuf]) -> Option<Detection> {
    let mut ranked: Vec<((bool, usize, usize), Pin)> = pins
        .into_iter()
        .map(|found| (distance(&found, targets), found.pin))
        .collect();
    ranked.sort_by(|a, b| (a.0, &a.1.path, a.1.line).cmp(&(b.0, &b.1.path, b.1.line)));
    let mut ranked = ranked.into_iter().map(|(_, pin)| pin);
    let chosen = ranked.next()?;
    let disagreeing = ranked.find(|pin| pin.version != chosen.version);
    Some(Detection {
        chosen,
        disagreeing,
    })
}

/// The files below `dir` (with their names) in name order, skipping marked,
/// build and VCS folders, at most [`MAX_ENTRIES`] entries.
fn walk(dir: &Path, budget: &mut usize, files: &mut Vec<(PathBuf, String)>) {
    if dir.join(IGNORE_MARKER).exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if !matches!(name.as_ref(), ".git" | "target" | "node_modules") {
                walk(&path, budget, files);
            }
        } else if kind.is_file() {
            files.push((path, name.into_owned()));
        }
    }
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// The pins of one file (none for a file whose name and head cannot hold one).
fn scan_file(path: &Path, name: &str) -> Vec<Found> {
    let mut pins: Vec<Pin> = Vec::new();
    let dockerfile = name.starts_with("Dockerfile");
    let compose =
        is_yaml(name) && (name.starts_with("docker-compose") || name.starts_with("compose"));
    let env = is_env_file(name);
    let terraform = name.ends_with(".tf") || name.ends_with(".tfvars");
    let named = dockerfile
        || compose
        || env
        || terraform
        || matches!(
            name,
            "Chart.yaml" | "Chart.lock" | "kustomization.yaml" | "kustomization.yml"
        );
    if !named && !is_yaml(name) {
        return Vec::new();
    }
    // The head first: it is one read, and most YAML files fail it. Ansible keeps
    // its variables in folders of their own, where a long file may set the
    // release far down.
    if !named && !in_ansible_vars(path) && !head_may_pin(path) {
        return Vec::new();
    }
    if std::fs::metadata(path).map_or(true, |m| m.len() > MAX_FILE_SIZE) {
        return Vec::new();
    }
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    let here = |line: usize| (path.to_path_buf(), line);
    if env {
        for (line, version) in env_pins(&text) {
            pins.push(line_pin(version, here(line)));
        }
        return found(pins, Vec::new());
    }
    if terraform {
        for (line, version) in terraform_pins(&text) {
            pins.push(line_pin(version, here(line)));
        }
        return found(pins, Vec::new());
    }
    let vars = if dockerfile {
        dockerfile_args(&text)
    } else {
        path.parent()
            .map(|dir| dot_env(&dir.join(".env")))
            .unwrap_or_default()
    };
    for (line, version) in image_pins(&text, &vars, path) {
        pins.push(line_pin(version, line));
    }
    if !dockerfile {
        for (line, version) in chart_pins(&text)
            .into_iter()
            .chain(repository_pins(&text))
            .chain(setting_pins(&text))
        {
            pins.push(line_pin(version, here(line)));
        }
    }
    let deploys = if compose {
        mounted_blueprints(&text, path.parent().unwrap_or(Path::new("")))
    } else {
        Vec::new()
    };
    found(pins, deploys)
}

/// A pin and the folders the file that holds it deploys as blueprints (a
/// compose file's volumes onto `/blueprints`): evidence that the pin is the
/// release of the blueprints there, whatever lies nearer.
#[derive(Debug, Clone)]
struct Found {
    pin: Pin,
    deploys: Vec<PathBuf>,
}

fn found(pins: Vec<Pin>, deploys: Vec<PathBuf>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for pin in pins {
        // One line can be reached twice (a compose tag resolved from `.env`, and
        // the `.env` setting itself).
        if !out.iter().any(|f| f.pin == pin) {
            out.push(Found {
                pin,
                deploys: deploys.clone(),
            });
        }
    }
    out
}

/// `.env`, `.env.example`, `prod.env`, `authentik.env.example`: files of
/// `NAME=value` lines.
fn is_env_file(name: &str) -> bool {
    name == ".env"
        || name.starts_with(".env.")
        || name.ends_with(".env")
        || name.ends_with(".env.example")
        || name.ends_with(".env.sample")
}

/// Whether the file lies in one of Ansible's variable folders.
fn in_ansible_vars(path: &Path) -> bool {
    path.components().any(|c| {
        matches!(
            c.as_os_str().to_str(),
            Some("group_vars" | "host_vars" | "defaults" | "vars")
        )
    })
}

/// Setting names that hold the release (compared ignoring case):
/// `authentik_version` in Ansible and Terraform, `AUTHENTIK_TAG` as compose's
/// `.env` spells it.
const SETTINGS: [&str; 2] = ["authentik_version", "authentik_tag"];

fn is_setting(name: &str) -> bool {
    SETTINGS.iter().any(|s| name.eq_ignore_ascii_case(s))
}

/// `AUTHENTIK_VERSION=...` and `AUTHENTIK_TAG=...` lines of an env file, the last
/// assignment of each name winning as in compose.
fn env_pins(text: &str) -> Vec<(usize, String)> {
    let mut last: HashMap<String, (usize, &str)> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') {
            continue;
        }
        if let Some((name, value)) = line.split_once('=')
            && is_setting(name.trim())
        {
            let value = value.split(" #").next().unwrap_or("");
            last.insert(name.trim().to_ascii_lowercase(), (i + 1, value));
        }
    }
    let mut pins: Vec<(usize, String)> = last
        .into_values()
        .filter_map(|(line, value)| normalize(value).map(|v| (line, v)))
        .collect();
    pins.sort();
    pins
}

/// Terraform: `variable "authentik_version" { default = "2025.10.1" }` (on one
/// line or over several) and `authentik_version = "2025.10.1"` (a `.tfvars`
/// file, a `locals` block, a module argument).
fn terraform_pins(text: &str) -> Vec<(usize, String)> {
    let mut pins = Vec::new();
    let mut in_variable = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(rest) = line.strip_prefix("variable") {
            let name = rest.trim().trim_start_matches('"');
            let name = name.split('"').next().unwrap_or("");
            in_variable = is_setting(name);
        }
        for part in line.split(['{', ';']) {
            let Some((key, value)) = part.split_once('=') else {
                continue;
            };
            let key = key.trim();
            let value = value.trim().trim_end_matches('}').trim();
            if (is_setting(key) || (in_variable && key == "default"))
                && let Some(version) = normalize(value)
            {
                pins.push((i + 1, version));
            }
        }
        if in_variable && line.ends_with('}') && !line.contains('{') {
            in_variable = false;
        }
    }
    pins
}

/// `authentik_version: 2025.10.1` (Ansible variables, any YAML), and
/// `AUTHENTIK_TAG: ...` in a compose `environment` map.
fn setting_pins(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let (_, key, value) = key_line(line)?;
            if !is_setting(key) {
                return None;
            }
            normalize(value).map(|v| (i + 1, v))
        })
        .collect()
}

/// Whether `image` (without a tag) is Authentik's image: the official names, or
/// a self-built one whose name ends in `/authentik`.
fn is_authentik_image(image: &str) -> bool {
    let image = unquote(image);
    IMAGES.contains(&image)
        || (image.ends_with("/authentik") && !image.contains(char::is_whitespace))
}

/// Helm values: `repository:` naming Authentik's image with a `tag:` beside it
/// (`image.repository` / `image.tag`, `global.image.*`).
fn repository_pins(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((indent, key, value)) = key_line(line) else {
            continue;
        };
        if key != "repository" || !is_authentik_image(value) {
            continue;
        }
        for (j, (key, value)) in siblings(&lines, i, indent) {
            if key == "tag"
                && let Some(version) = normalize(value)
            {
                found.push((j + 1, version));
            }
        }
    }
    found
}

/// The folders a compose file mounts onto Authentik's `/blueprints` (`-
/// ./blueprints:/blueprints/custom`, long syntax `source:` / `target:` too),
/// relative sources taken from the compose file's folder.
fn mounted_blueprints(text: &str, dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mount = |source: &str| {
        let source = unquote(source.trim());
        let source = Path::new(source);
        crate::discover::normalize(&dir.join(source))
    };
    for (i, line) in lines.iter().enumerate() {
        let item = line.trim().trim_start_matches("- ").trim();
        let item = unquote(item);
        if let Some((source, target)) = item.split_once(':')
            && (source.starts_with('.') || source.starts_with('/'))
            && target.starts_with("/blueprints")
        {
            out.push(mount(source));
            continue;
        }
        // Long syntax: `target: /blueprints...` with a `source:` in the same item.
        if let Some((indent, "target", target)) = key_line(line)
            && unquote(target).starts_with("/blueprints")
            && let Some((_, (_, source))) = siblings(&lines, i, indent)
                .into_iter()
                .find(|(_, (key, _))| *key == "source")
        {
            out.push(mount(source));
        }
    }
    out
}

/// Whether a YAML file's first kilobyte names the authentik chart or image, as
/// HelmReleases, Argo CD Applications and OCIRepositories do near their top;
/// blueprints name only `authentik_*` models and are not read further.
fn head_may_pin(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(1024);
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    if file.take(1024).read_to_end(&mut head).is_err() {
        return false;
    }
    names_chart_or_image(&String::from_utf8_lossy(&head))
}

/// See [`head_may_pin`]: the image and OCI paths (`ghcr.io/goauthentik/...`),
/// the chart repository, or a `chart: authentik` (quoted or not). Not the bare domain: blueprint
/// labels (`blueprints.goauthentik.io/...`) and `managed` keys
/// (`goauthentik.io/...`) name it in most blueprints, which pin nothing.
fn names_chart_or_image(head: &str) -> bool {
    let head = head.to_ascii_lowercase();
    let self_built = head.match_indices("/authentik").any(|(at, m)| {
        !head[at + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    });
    self_built
        || SETTINGS.iter().any(|s| head.contains(s))
        || head.contains("goauthentik/")
        || head.contains("charts.goauthentik.io")
        || head.contains("beryju/authentik")
        || [
            "chart: authentik",
            "chart: \"authentik\"",
            "chart: 'authentik'",
        ]
        .iter()
        .any(|chart| head.contains(chart))
}

fn line_pin(version: String, at: (PathBuf, usize)) -> Pin {
    Pin {
        version,
        path: at.0,
        line: at.1,
    }
}

/// A variable's value and where it was set.
type Vars = HashMap<String, (String, PathBuf, usize)>;

/// `NAME=value` lines of a `.env` file; the last assignment wins, as in compose.
fn dot_env(path: &Path) -> Vars {
    let mut vars = Vars::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return vars;
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') {
            continue;
        }
        if let Some((name, value)) = line.split_once('=') {
            let value = value.split(" #").next().unwrap_or("").trim();
            vars.insert(
                name.trim().to_string(),
                (unquote(value).to_string(), path.to_path_buf(), i + 1),
            );
        }
    }
    vars
}

/// `ARG NAME=default` lines of a Dockerfile.
fn dockerfile_args(text: &str) -> Vars {
    let mut vars = Vars::new();
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.trim().strip_prefix("ARG ") else {
            continue;
        };
        if let Some((name, value)) = rest.trim().split_once('=') {
            vars.insert(
                name.trim().to_string(),
                (unquote(value.trim()).to_string(), PathBuf::new(), i + 1),
            );
        }
    }
    vars
}

fn unquote(text: &str) -> &str {
    let text = text.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner;
        }
    }
    text
}

/// A release from a tag: `v` prefix and build suffixes (`-2d4098e-nix`) dropped;
/// `latest`, digests and git refs give none.
pub fn normalize(tag: &str) -> Option<String> {
    let tag = unquote(tag.trim());
    let tag = tag.split('@').next().unwrap_or("");
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    let core = tag.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() < 2
        || parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Version::parse(core)?;
    Some(core.to_string())
}

const IMAGES: [&str; 2] = ["ghcr.io/goauthentik/server", "beryju/authentik"];

/// Image references with a tag (`ghcr.io/goauthentik/server:2025.10.1`, with
/// `${VAR:-default}` resolved from `vars`), and kustomize `images:` entries whose
/// `newTag` follows the image name.
fn image_pins(text: &str, vars: &Vars, path: &Path) -> Vec<((PathBuf, usize), String)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        for (at, image) in image_names(line) {
            let rest = &line[at + image.len()..];
            // `${AUTHENTIK_IMAGE:-ghcr.io/goauthentik/server}:${AUTHENTIK_TAG:-...}`
            let rest = rest.strip_prefix('}').unwrap_or(rest);
            if let Some(tag) = rest.strip_prefix(':') {
                let tag = image_tag(tag);
                if let Some((value, origin)) = resolve(tag, vars)
                    && let Some(version) = normalize(&value)
                {
                    let origin = match origin {
                        Some((p, l)) if !p.as_os_str().is_empty() => (p, l),
                        _ => (path.to_path_buf(), i + 1),
                    };
                    found.push((origin, version));
                }
            } else if rest.trim().trim_matches(['"', '\'']).is_empty() {
                // kustomize: `- name: IMAGE` then `newTag: TAG` in the same item.
                for (j, next) in lines.iter().enumerate().skip(i + 1).take(4) {
                    let next = next.trim().trim_start_matches("- ");
                    if let Some(tag) = next.strip_prefix("newTag:")
                        && let Some(version) = normalize(tag)
                    {
                        found.push(((path.to_path_buf(), j + 1), version));
                        break;
                    }
                }
            }
        }
    }
    found
}

/// Where `line` names Authentik's image: the official names, and a self-built
/// image whose name ends in `/authentik` (`registry.example.com/me/authentik`).
fn image_names(line: &str) -> Vec<(usize, &str)> {
    let mut out: Vec<(usize, &str)> = IMAGES
        .iter()
        .filter_map(|image| line.find(image).map(|at| (at, &line[at..at + image.len()])))
        .collect();
    for (at, m) in line.match_indices("/authentik") {
        let end = at + m.len();
        let next = line[end..].chars().next();
        if next.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')) {
            continue;
        }
        // Back to the start of the image name (after `:-` in `${IMAGE:-...}`).
        let mut start = line[..at]
            .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | '{'))
            .map_or(0, |p| p + 1);
        if let Some(default) = line[start..at].rfind(":-") {
            start += default + 2;
        }
        let name = &line[start..end];
        let known = out.iter().any(|(a, image)| a + image.len() == end);
        if !known && !name.is_empty() && !name.contains("://") {
            out.push((start, name));
        }
    }
    out
}

/// The tag after `IMAGE:`: a `${...}` expression or the run of tag characters.
fn image_tag(text: &str) -> &str {
    if text.starts_with("${") {
        return text.find('}').map_or(text, |end| &text[..=end]);
    }
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(text.len());
    &text[..end]
}

/// Resolves `${NAME:-default}`, `${NAME-default}`, `${NAME}` and `$NAME` from
/// `vars`, with where the value was set when it came from there.
fn resolve(tag: &str, vars: &Vars) -> Option<(String, Option<(PathBuf, usize)>)> {
    let Some(inner) = tag.strip_prefix("${").and_then(|t| t.strip_suffix('}')) else {
        if let Some(name) = tag.strip_prefix('$') {
            return vars
                .get(name)
                .map(|(v, p, l)| (v.clone(), Some((p.clone(), *l))));
        }
        return Some((tag.to_string(), None));
    };
    let (name, default) = match inner.split_once(":-").or_else(|| inner.split_once('-')) {
        Some((name, default)) => (name, Some(default)),
        None => (inner, None),
    };
    match vars.get(name) {
        Some((value, p, l)) if !value.is_empty() => Some((value.clone(), Some((p.clone(), *l)))),
        _ => default.map(|d| (d.to_string(), None)),
    }
}

/// One `key: value` line: indentation (of the key, after any `- `), key, value.
fn key_line(line: &str) -> Option<(usize, &str, &str)> {
    let trimmed = line.trim_start();
    let mut indent = line.len() - trimmed.len();
    let mut body = trimmed;
    while let Some(rest) = body.strip_prefix("- ") {
        indent += 2 + (rest.len() - rest.trim_start().len());
        body = rest.trim_start();
    }
    if body.starts_with('#') {
        return None;
    }
    let (key, value) = body.split_once(':')?;
    let value = value.split(" #").next().unwrap_or("").trim();
    Some((indent, key.trim().trim_matches(['"', '\'']), value))
}

/// Helm chart pins: a mapping with `chart: authentik` and a `version` or
/// `targetRevision` sibling (Flux HelmRelease, Argo CD), a list item `name:
/// authentik` with a `version` sibling (Chart.yaml and Chart.lock dependencies,
/// kustomize `helmCharts:`), and an OCIRepository of the authentik chart with its
/// `ref.tag`.
fn chart_pins(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((indent, key, value)) = key_line(line) else {
            continue;
        };
        let value = unquote(value);
        let list_item = line.trim_start().starts_with("- ");
        if value.contains("oci://ghcr.io/goauthentik/helm-charts/authentik") {
            if let Some(pin) = oci_tag(&lines, i) {
                found.push(pin);
            }
            continue;
        }
        let trigger = (key == "chart" && value == "authentik")
            || (key == "name"
                && value == "authentik"
                && (list_item || has_repo(&lines, i, indent)));
        if !trigger {
            continue;
        }
        for (j, sibling) in siblings(&lines, i, indent) {
            if matches!(sibling.0, "version" | "targetRevision")
                && let Some(version) = normalize(sibling.1)
            {
                found.push((j + 1, version));
            }
        }
    }
    found
}

fn has_repo(lines: &[&str], at: usize, indent: usize) -> bool {
    siblings(lines, at, indent).iter().any(|(_, (key, value))| {
        matches!(*key, "repo" | "repository") && value.contains("goauthentik")
    })
}

/// The `key: value` lines at `indent` in the mapping that holds line `at`.
fn siblings<'a>(lines: &[&'a str], at: usize, indent: usize) -> Vec<(usize, (&'a str, &'a str))> {
    let mut out = Vec::new();
    let item_start = |j: usize| lines[j].trim_start().starts_with("- ");
    // Upwards until the mapping starts (a shallower line or the list item's dash).
    if !item_start(at) {
        for j in (0..at).rev() {
            match key_line(lines[j]) {
                Some((ind, key, value)) if ind == indent => {
                    out.push((j, (key, value)));
                    if item_start(j) {
                        break;
                    }
                }
                Some((ind, ..)) if ind < indent => break,
                None if lines[j].trim() == "---" => break,
                _ => {}
            }
        }
    }
    for (j, line) in lines.iter().enumerate().skip(at + 1) {
        if line.trim() == "---" {
            break;
        }
        match key_line(line) {
            Some((ind, key, value)) if ind == indent => {
                if item_start(j) {
                    break;
                }
                out.push((j, (key, value)));
            }
            Some((ind, ..)) if ind < indent => break,
            _ => {}
        }
    }
    out
}

/// `ref: tag:` of the OCIRepository whose `url` is at line `at`.
fn oci_tag(lines: &[&str], at: usize) -> Option<(usize, String)> {
    let start = (0..at)
        .rev()
        .find(|&j| lines[j].trim() == "---")
        .map_or(0, |j| j + 1);
    let end = (at + 1..lines.len())
        .find(|&j| lines[j].trim() == "---")
        .unwrap_or(lines.len());
    let mut in_ref = None;
    for (j, line) in lines.iter().enumerate().take(end).skip(start) {
        let Some((indent, key, value)) = key_line(line) else {
            continue;
        };
        match in_ref {
            Some(ref_indent) if indent > ref_indent => {
                if key == "tag" {
                    return normalize(value).map(|v| (j + 1, v));
                }
            }
            _ => in_ref = None,
        }
        if key == "ref" && value.is_empty() {
            in_ref = Some(indent);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blueprint_labels_do_not_make_a_file_worth_reading() {
        let blueprint = "version: 1\nmetadata:\n  labels:\n    blueprints.goauthentik.io/instantiate: \"false\"\n";
        assert!(!names_chart_or_image(blueprint));
        assert!(!names_chart_or_image(
            "    identifiers:\n      managed: goauthentik.io/providers/oauth2/scope-openid\n"
        ));
        assert!(names_chart_or_image(
            "url: oci://ghcr.io/goauthentik/helm-charts/authentik"
        ));
        assert!(names_chart_or_image(
            "spec:\n  source:\n    repoURL: https://charts.goauthentik.io\n"
        ));
        assert!(names_chart_or_image(
            "image: ghcr.io/goauthentik/server:2025.10.1"
        ));
        assert!(names_chart_or_image(
            "spec:\n  chart:\n    spec:\n      chart: authentik\n"
        ));
        assert!(names_chart_or_image("      chart: \"authentik\"\n"));
    }

    #[test]
    fn outside_a_repository_the_search_stops_at_the_checked_folders() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("x/blueprints");
        let b = dir.path().join("x/other/deep");
        assert_eq!(search_root(std::slice::from_ref(&a), None), Some(a.clone()));
        assert_eq!(
            search_root(&[a.clone(), b], None),
            Some(dir.path().join("x"))
        );
        // A bplint.toml above the paths bounds the search instead.
        assert_eq!(
            search_root(std::slice::from_ref(&a), Some(dir.path().to_path_buf())),
            Some(dir.path().to_path_buf())
        );
        std::fs::create_dir_all(dir.path().join("x/.git")).unwrap();
        assert_eq!(search_root(&[a], None), Some(dir.path().join("x")));
        assert_eq!(search_root(&[], None), None);
    }

    #[test]
    fn settings_in_terraform_env_files_and_yaml() {
        let tf = "variable \"authentik_version\" { default = \"2025.4.2\" }\nvariable \"other\" {\n  default = \"1.2.3\"\n}\n";
        assert_eq!(terraform_pins(tf), vec![(1, "2025.4.2".to_string())]);
        let env = "AUTHENTIK_TAG=2025.8.1\nexport authentik_version=\"2025.10.1\"\nAUTHENTIK_TAG=2026.2.0 # newest\n";
        assert_eq!(
            env_pins(env),
            vec![(2, "2025.10.1".to_string()), (3, "2026.2.0".to_string())]
        );
        let yaml = "authentik_version: \"{{ lookup('env', 'V') }}\"\nauthentik_tag: v2025.6.3\n";
        assert_eq!(setting_pins(yaml), vec![(2, "2025.6.3".to_string())]);
    }

    #[test]
    fn self_built_images_end_in_authentik() {
        let line = "FROM registry.example.com/my-org/authentik:2025.10.1";
        assert_eq!(
            image_names(line),
            vec![(5, "registry.example.com/my-org/authentik")]
        );
        assert!(image_names("image: registry.example.com/authentik-proxy:1.0").is_empty());
        assert!(image_names("url: https://example.com/authentik").is_empty());
        // The official legacy name is found once.
        assert_eq!(image_names("FROM beryju/authentik:2023.1").len(), 1);
        let line = "image: ${IMAGE:-reg.example.com/authentik}:${TAG:-2025.2.1}";
        assert_eq!(image_names(line), vec![(16, "reg.example.com/authentik")]);
    }

    #[test]
    fn tags_lose_prefix_and_suffix_and_latest_is_no_release() {
        assert_eq!(
            normalize("v2026.2.0-2d4098e-nix").as_deref(),
            Some("2026.2.0")
        );
        assert_eq!(normalize("\"2025.10.1\"").as_deref(), Some("2025.10.1"));
        assert_eq!(
            normalize("2025.10.1@sha256:abc").as_deref(),
            Some("2025.10.1")
        );
        assert_eq!(normalize("latest"), None);
        assert_eq!(normalize("HEAD"), None);
        assert_eq!(normalize("main"), None);
    }

    #[test]
    fn flux_helmrelease_version_before_or_after_the_chart() {
        let text = "spec:\n  chart:\n    spec:\n      version: 2025.10.1\n      chart: authentik\n";
        assert_eq!(chart_pins(text), vec![(4, "2025.10.1".to_string())]);
        let text =
            "spec:\n  chart:\n    spec:\n      chart: authentik\n      version: \"2025.8.0\"\n";
        assert_eq!(chart_pins(text), vec![(5, "2025.8.0".to_string())]);
    }

    #[test]
    fn a_wrapper_chart_named_authentik_is_no_pin() {
        let text = "apiVersion: v2\nname: authentik\nversion: 1.0.0\n";
        assert!(chart_pins(text).is_empty());
    }

    #[test]
    fn dependency_items_and_oci_refs() {
        let text = "dependencies:\n  - name: authentik\n    version: 2025.6.3\n    repository: https://charts.goauthentik.io\n  - name: postgresql\n    version: 16.0.0\n";
        assert_eq!(chart_pins(text), vec![(3, "2025.6.3".to_string())]);
        let text = "kind: OCIRepository\nspec:\n  ref:\n    tag: 2025.10.1\n  url: oci://ghcr.io/goauthentik/helm-charts/authentik\n";
        assert_eq!(chart_pins(text), vec![(4, "2025.10.1".to_string())]);
    }

    #[test]
    fn compose_default_and_variable() {
        let vars = Vars::new();
        let text = "    image: ghcr.io/goauthentik/server:${AUTHENTIK_TAG:-2025.10.1}\n";
        let pins = image_pins(text, &vars, Path::new("c.yml"));
        assert_eq!(
            pins,
            vec![((PathBuf::from("c.yml"), 1), "2025.10.1".to_string())]
        );
        let mut vars = Vars::new();
        vars.insert(
            "AUTHENTIK_TAG".into(),
            ("2026.2.1".into(), PathBuf::from(".env"), 3),
        );
        let pins = image_pins(text, &vars, Path::new("c.yml"));
        assert_eq!(
            pins,
            vec![((PathBuf::from(".env"), 3), "2026.2.1".to_string())]
        );
    }
}
