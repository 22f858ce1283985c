//! Paths on the command line -> candidate files, walking directories the way
//! ripgrep does (`.gitignore`, `.ignore`, hidden folders skipped).

use std::path::{Path, PathBuf};

/// A file to look at.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    /// The path below the argument it was found under (just the file name for a
    /// file named on the command line): what Authentik's discovery would see below
    /// its blueprints folder.
    pub relative: PathBuf,
    /// Named on the command line, so "not a blueprint" deserves a note.
    pub explicit: bool,
    /// Another file of the repository, read for context only (see [`context`]).
    pub context: bool,
}

/// A path that could not be walked.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// `exclude` globs from bplint.toml, matched against paths relative to the
/// folder holding it (see [`relative_to`]).
#[derive(Debug, Clone, Default)]
pub struct Exclude {
    globs: globset::GlobSet,
    base: PathBuf,
}

impl Exclude {
    /// Patterns were validated when the configuration loaded; a bad one is skipped.
    pub fn new(patterns: &[String], base: &Path) -> Self {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            if let Ok(glob) = globset::Glob::new(pattern) {
                builder.add(glob);
            }
        }
        Exclude {
            globs: builder.build().unwrap_or_default(),
            base: base.to_path_buf(),
        }
    }

    pub fn matches(&self, path: &Path) -> bool {
        !self.globs.is_empty() && self.globs.is_match(relative_to(&self.base, path))
    }
}

/// `path` relative to `base` when it lies below it (relative paths are taken
/// from the current folder), else as written without a leading `./`.
pub fn relative_to(base: &Path, path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let normal: PathBuf = absolute
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    match normal.strip_prefix(base) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.strip_prefix("./").unwrap_or(path).to_path_buf(),
    }
}

/// YAML files under `paths`, sorted and de-duplicated. Walked files and folders
/// matching `exclude` are skipped (a file named on the command line is always
/// checked).
/// `also` lists extensions of non-YAML files to collect as well (client
/// configuration for BP102).
pub fn discover(
    paths: &[PathBuf],
    exclude: &Exclude,
    also: &[&str],
) -> (Vec<Candidate>, Vec<WalkError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        match std::fs::metadata(root) {
            Err(e) => errors.push(WalkError {
                path: root.clone(),
                message: describe_io(&e),
            }),
            Ok(meta) if meta.is_file() => found.push(Candidate {
                path: root.clone(),
                relative: root.file_name().map_or_else(|| root.clone(), PathBuf::from),
                explicit: true,
                context: false,
            }),
            Ok(_) => walk(root, exclude, also, &mut found, &mut errors),
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    (found, errors)
}

fn walk(
    root: &Path,
    exclude: &Exclude,
    also: &[&str],
    found: &mut Vec<Candidate>,
    errors: &mut Vec<WalkError>,
) {
    let exclude = exclude.clone();
    let walker = ignore::WalkBuilder::new(root)
        .filter_entry(move |entry| !exclude.matches(entry.path()))
        .build();
    for result in walker {
        match result {
            Ok(entry) => {
                // Symlinked files count, as in Authentik's discovery (a mounted
                // ConfigMap is all symlinks); the walk never enters symlinked
                // folders, so a link loop cannot trap it, and a dangling or looping
                // link named `*.yaml` fails when read and is reported with its path.
                let file_like =
                    entry.file_type().is_some_and(|t| t.is_file()) || entry.path_is_symlink();
                let wanted = is_yaml(entry.path()) || has_extension(entry.path(), also);
                if !file_like || !wanted {
                    continue;
                }
                let path = entry.into_path();
                let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                found.push(Candidate {
                    path,
                    relative,
                    explicit: false,
                    context: false,
                });
            }
            Err(err) => errors.push(walk_error(root, &err)),
        }
    }
}

/// The repository a run from the current folder belongs to: the folder of its
/// bplint.toml (`config`) when there is one, else the top of the git work tree
/// (the nearest folder upwards holding `.git`, a folder or, in a worktree or
/// submodule, a file). `None` outside both.
pub fn repository_root(config: Option<&Path>) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    if let Some(dir) = config.and_then(Path::parent) {
        return Some(normalize(&cwd.join(dir)));
    }
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The files of the repository at `root` that the checked candidates (`given`,
/// and standard input's name) do not cover, marked as context: their blueprints
/// are indexed so a `!Find` or a cross-file rule judges the checked files as a
/// run over the whole repository would, and nothing is reported in them.
///
/// Empty when no checked path lies inside `root`, or when one of them is `root`
/// itself or a folder above it (the walk already covers everything). Paths below
/// the current folder are given relative to it, as the walk of `.` gives them.
pub fn context(
    root: &Path,
    paths: &[PathBuf],
    given: &[Candidate],
    stdin: Option<&Path>,
    exclude: &Exclude,
    also: &[&str],
) -> Vec<Candidate> {
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let absolute = |path: &Path| normalize(&cwd.join(path));
    let mut covered: Vec<PathBuf> = given
        .iter()
        .map(|c| absolute(&c.path))
        .chain(stdin.map(absolute))
        .collect();
    let inside = covered.iter().any(|path| path.starts_with(root));
    if !inside || paths.iter().any(|path| root.starts_with(absolute(path))) {
        return Vec::new();
    }
    covered.sort();
    let mut found = Vec::new();
    let mut errors = Vec::new();
    walk(root, exclude, also, &mut found, &mut errors);
    found.retain(|c| covered.binary_search(&c.path).is_err());
    for candidate in &mut found {
        candidate.context = true;
        if let Ok(below) = candidate.path.strip_prefix(&cwd) {
            candidate.path = below.to_path_buf();
        }
    }
    found
}

/// `path` without `.` components and with `..` applied, without touching the
/// file system (a symlinked folder is not resolved).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

pub fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    // `.env`, `.env.local`: dotenv files whose whole name is the "extension".
    let dotenv = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == ".env" || n.starts_with(".env."));
    (dotenv && extensions.contains(&"env"))
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
}

/// A walk error with the path it happened at (an unreadable folder deep in the
/// tree names that folder, not the argument).
fn walk_error(root: &Path, err: &ignore::Error) -> WalkError {
    match err {
        ignore::Error::WithPath { path, err } => WalkError {
            path: path.clone(),
            message: walk_error(path, err).message,
        },
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(root, err)
        }
        ignore::Error::Io(e) => WalkError {
            path: root.to_path_buf(),
            message: describe_io(e),
        },
        other => WalkError {
            path: root.to_path_buf(),
            message: other.to_string(),
        },
    }
}

pub fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// An I/O error in words a user can act on.
pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
