//! The stages wired together: discover -> read and parse (per file, in parallel)
//! -> model -> per-blueprint rules and facts -> index -> set rules -> severities.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, FileId};
use crate::discover::{Candidate, describe_io, discover};
use crate::knowledge::Knowledge;
use crate::model::{Blueprint, Origin, is_blueprint};
use crate::resolve::{BlueprintFacts, Index};
use crate::rules::{self, BlueprintCx, SetCx};
use crate::source::SourceFile;
use crate::yaml;
use rayon::prelude::*;
use std::path::PathBuf;

/// What to check.
pub struct Request {
    pub paths: Vec<PathBuf>,
    /// A blueprint read from standard input: (name to report it under, text).
    pub stdin: Option<(PathBuf, Vec<u8>)>,
    pub config: Config,
    pub kb: Knowledge,
    /// Larger files are reported and skipped, so one huge file cannot take the
    /// run's time and memory (`--max-file-size`).
    pub max_file_size: u64,
}

/// Default `--max-file-size`: real blueprints stay far below a megabyte.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 20 * 1024 * 1024;

/// One file the run looked at.
#[derive(Debug)]
pub struct FileRecord {
    pub path: PathBuf,
    /// Kept for files with diagnostics (renderers show snippets from it).
    pub source: Option<SourceFile>,
    /// Held at least one blueprint (or failed to parse while looking like one).
    pub linted: bool,
}

/// Everything a renderer needs.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<FileRecord>,
    pub diagnostics: Vec<Diagnostic>,
    /// Things worth telling that are not findings ("not a blueprint").
    pub notes: Vec<String>,
    /// Paths that could not be read: the run exits 2.
    pub io_errors: Vec<String>,
}

impl Outcome {
    pub fn files_checked(&self) -> usize {
        self.files.iter().filter(|f| f.linted).count()
    }

    pub fn source(&self, file: FileId) -> Option<&SourceFile> {
        self.files.get(file)?.source.as_ref()
    }
}

struct FileOutcome {
    record: FileRecord,
    diagnostics: Vec<Diagnostic>,
    facts: Vec<BlueprintFacts>,
    note: Option<String>,
    io_error: Option<String>,
}

pub fn run(request: &Request) -> Outcome {
    let (mut candidates, walk_errors) = discover(&request.paths);
    let mut outcome = Outcome::default();
    for e in walk_errors {
        outcome.io_errors.push(format!(
            "{}: {}",
            crate::source::display_path(&e.path),
            e.message
        ));
    }
    if let Some((name, _)) = &request.stdin {
        candidates.push(Candidate {
            path: name.clone(),
            relative: name.file_name().map_or_else(|| name.clone(), PathBuf::from),
            explicit: true,
        });
    }
    let stdin_id = request.stdin.as_ref().map(|_| candidates.len() - 1);
    let results: Vec<FileOutcome> = candidates
        .par_iter()
        .enumerate()
        .map(|(id, candidate)| {
            let limit = request.max_file_size;
            let bytes = match (Some(id) == stdin_id, &request.stdin) {
                (true, Some((_, bytes))) if bytes.len() as u64 > limit => {
                    Err(too_large(None, limit))
                }
                (true, Some((_, bytes))) => Ok(bytes.clone()),
                _ => read_limited(&candidate.path, limit),
            };
            match bytes {
                Ok(bytes) => lint_file(id, candidate, bytes, request),
                Err(message) => FileOutcome {
                    record: FileRecord {
                        path: candidate.path.clone(),
                        source: None,
                        linted: false,
                    },
                    diagnostics: Vec::new(),
                    facts: Vec::new(),
                    note: None,
                    io_error: Some(format!(
                        "{}: {message}",
                        crate::source::display_path(&candidate.path),
                    )),
                },
            }
        })
        .collect();
    let mut facts = Vec::new();
    for result in results {
        outcome.diagnostics.extend(result.diagnostics);
        facts.extend(result.facts);
        outcome.notes.extend(result.note);
        outcome.io_errors.extend(result.io_error);
        outcome.files.push(result.record);
    }
    let index = Index::build(request.kb, &facts);
    let set = SetCx {
        index: &index,
        blueprints: &facts,
        kb: &request.kb,
        config: &request.config,
    };
    let mut set_diagnostics = Vec::new();
    for rule in rules::ALL {
        rule.check_set(&set, &mut set_diagnostics);
    }
    outcome.diagnostics.extend(set_diagnostics);
    apply_severities(&mut outcome.diagnostics, &request.config);
    load_missing_sources(&mut outcome);
    let files = &outcome.files;
    outcome.diagnostics.sort_by(|a, b| {
        (&files[a.file].path, a.span.start, a.code).cmp(&(
            &files[b.file].path,
            b.span.start,
            b.code,
        ))
    });
    outcome
}

/// A file's bytes, or why they were not read. The file is opened once and read
/// through a `take`, so a file that grows (or never ends) stays bounded too.
fn read_limited(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read: {}", describe_io(&e));
    let file = std::fs::File::open(path).map_err(cannot)?;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() > limit
    {
        return Err(too_large(Some(meta.len()), limit));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(None, limit));
    }
    Ok(bytes)
}

fn too_large(size: Option<u64>, limit: u64) -> String {
    let size = size.map(|s| format!(" ({s} bytes)")).unwrap_or_default();
    format!(
        "file too large{size}: over the {} limit, so not checked; raise it with --max-file-size",
        format_size(limit)
    )
}

/// `20 MiB`, `512 KiB`, `1000 bytes`: the way `--max-file-size` takes sizes.
fn format_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

fn apply_severities(diagnostics: &mut Vec<Diagnostic>, config: &Config) {
    diagnostics.retain_mut(|d| match config.severity(d.code, d.severity) {
        Some(severity) => {
            d.severity = severity;
            true
        }
        None => false,
    });
}

/// Set rules may report in files whose text was dropped after the per-file pass.
fn load_missing_sources(outcome: &mut Outcome) {
    for d in &outcome.diagnostics {
        let record = &mut outcome.files[d.file];
        if record.source.is_none()
            && let Ok(text) = std::fs::read_to_string(&record.path)
        {
            record.source = Some(SourceFile::new(record.path.clone(), text));
        }
    }
}

fn lint_file(id: FileId, candidate: &Candidate, bytes: Vec<u8>, request: &Request) -> FileOutcome {
    let mut out = FileOutcome {
        record: FileRecord {
            path: candidate.path.clone(),
            source: None,
            linted: false,
        },
        diagnostics: Vec::new(),
        facts: Vec::new(),
        note: None,
        io_error: None,
    };
    let (source, decode_error) = decode(candidate, bytes);
    if let Some(error) = decode_error {
        if candidate.explicit || crate::discover::is_yaml(&candidate.path) {
            out.record.linted = true;
            out.diagnostics
                .push(rules::yaml_syntax::diagnostic(id, &error));
            out.record.source = Some(source);
        }
        return out;
    }
    let stream = match yaml::parse(&source.text) {
        Ok(stream) => stream,
        Err(error) => {
            if candidate.explicit || looks_like_blueprint(&source.text) {
                out.record.linted = true;
                out.diagnostics
                    .push(rules::yaml_syntax::diagnostic(id, &error));
                out.record.source = Some(source);
            }
            return out;
        }
    };
    let multi = stream.documents.len() > 1;
    let blueprints: Vec<Blueprint<'_>> = stream
        .documents
        .iter()
        .enumerate()
        .filter(|(_, doc)| is_blueprint(&doc.root))
        .map(|(n, doc)| {
            let origin = if multi {
                Origin::Document(n + 1)
            } else {
                Origin::File
            };
            Blueprint::new(&doc.root, origin)
        })
        .collect();
    if blueprints.is_empty() {
        if candidate.explicit {
            out.note = Some(format!(
                "{}: not a blueprint (no top-level `entries`, nor `version` with `metadata`); skipped",
                source.display_path()
            ));
        }
        return out;
    }
    out.record.linted = true;
    for bp in &blueprints {
        let cx = BlueprintCx {
            file_id: id,
            file: &source,
            relative: &candidate.relative,
            bp,
            kb: &request.kb,
            config: &request.config,
            duplicates: &stream.duplicates,
        };
        for rule in rules::ALL {
            rule.check_blueprint(&cx, &mut out.diagnostics);
        }
        out.facts
            .push(BlueprintFacts::extract(id, candidate.path.clone(), bp));
    }
    // Set rules may report here later; a file on disk is read again for them, but
    // standard input cannot be (a file of that name may hold other text).
    let stdin = request
        .stdin
        .as_ref()
        .is_some_and(|(name, _)| *name == candidate.path);
    if !out.diagnostics.is_empty() || stdin {
        // Renderers show snippets: secrets BP301 found are masked in them too.
        out.record.source = Some(rules::plaintext_secret::redact(source, &out.diagnostics));
    }
    out
}

/// Bytes -> text. Invalid UTF-8 and binary content become a BP001 error at the
/// first offending byte (PyYAML refuses both).
fn decode(candidate: &Candidate, bytes: Vec<u8>) -> (SourceFile, Option<yaml::YamlError>) {
    let path = candidate.path.clone();
    match String::from_utf8(bytes) {
        Ok(text) => {
            let error = text.find('\0').map(|at| yaml::YamlError {
                span: crate::source::Span::new(at, at + 1),
                message: "the file contains a NUL byte; it looks binary, not YAML".into(),
            });
            (SourceFile::new(path, text), error)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes()[at];
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let len = text[at..].chars().next().map_or(0, char::len_utf8);
            let error = yaml::YamlError {
                span: crate::source::Span::new(at, at + len),
                message: format!(
                    "the file is not valid UTF-8 (byte 0x{byte:02X}); Authentik reads blueprints as UTF-8"
                ),
            };
            (SourceFile::new(path, text), Some(error))
        }
    }
}

/// A file that fails to parse is reported only if it looks like a blueprint, so
/// unrelated broken YAML in a walked tree stays quiet.
fn looks_like_blueprint(text: &str) -> bool {
    let mut version = false;
    let mut metadata = false;
    for line in text.lines() {
        if line.starts_with("entries:") {
            return true;
        }
        version |= line.starts_with("version:");
        metadata |= line.starts_with("metadata:");
    }
    version && metadata
}
