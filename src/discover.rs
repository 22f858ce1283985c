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
}

/// A path that could not be walked.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// YAML files under `paths`, sorted and de-duplicated.
pub fn discover(paths: &[PathBuf]) -> (Vec<Candidate>, Vec<WalkError>) {
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
            }),
            Ok(_) => walk(root, &mut found, &mut errors),
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    (found, errors)
}

fn walk(root: &Path, found: &mut Vec<Candidate>, errors: &mut Vec<WalkError>) {
    for result in ignore::WalkBuilder::new(root).build() {
        match result {
            Ok(entry) => {
                // Symlinked files count, as in Authentik's discovery (a mounted
                // ConfigMap is all symlinks); the walk never enters symlinked
                // folders, so a link loop cannot trap it, and a dangling or looping
                // link named `*.yaml` fails when read and is reported with its path.
                let file_like =
                    entry.file_type().is_some_and(|t| t.is_file()) || entry.path_is_symlink();
                if !file_like || !is_yaml(entry.path()) {
                    continue;
                }
                let path = entry.into_path();
                let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                found.push(Candidate {
                    path,
                    relative,
                    explicit: false,
                });
            }
            Err(err) => errors.push(walk_error(root, &err)),
        }
    }
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
