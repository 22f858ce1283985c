//! The stages wired together: discover -> read and parse (per file, in parallel)
//! -> model -> per-blueprint rules and facts -> index -> set rules -> severities.

use crate::clients::{self, FoundClient};
use crate::config::Config;
use crate::diagnostic::{DeferredAction, Diagnostic, FileId, Fix};
use crate::discover::{Candidate, Exclude, describe_io, discover, relative_to};
use crate::knowledge::Knowledge;
use crate::model::locate::Located;
use crate::resolve::{BlueprintFacts, Index, Val};
use crate::rules::{self, BlueprintCx, SetCx};
use crate::selection::Selection;
use crate::source::SourceFile;
use crate::suppression::{self, Malformed, Scope, Suppression};
use crate::yaml;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;

/// What to check.
pub struct Request {
    pub paths: Vec<PathBuf>,
    /// A blueprint read from standard input: (name to report it under, text).
    pub stdin: Option<(PathBuf, Vec<u8>)>,
    pub config: Config,
    pub kb: Knowledge,
    /// Rules enabled, and per-file exceptions.
    pub selection: Selection,
    /// Folder that `per-file-ignores` and `exclude` globs are relative to (the
    /// one holding bplint.toml, else the current folder).
    pub base: PathBuf,
    /// Texts to use instead of the files on disk (fixes applied in memory).
    pub overlay: HashMap<PathBuf, String>,
    pub exclude: Exclude,
    /// Larger files are reported and skipped, so one huge file cannot take the
    /// run's time and memory (`--max-file-size`).
    pub max_file_size: u64,
    /// The repository whose other blueprints are indexed for `!Find` lookups and
    /// the set rules but not reported on (`discover::context`); `None` checks the
    /// paths alone.
    pub context_root: Option<PathBuf>,
}

impl Request {
    pub fn new(paths: Vec<PathBuf>, config: Config, kb: Knowledge) -> Self {
        let mut selection = Selection::all();
        selection.apply(
            config.select.as_deref(),
            &config.extend_select,
            &config.ignore,
        );
        for (pattern, codes) in &config.per_file_ignores {
            // Patterns were checked when the configuration loaded.
            let _ = selection.ignore_in(pattern, codes);
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        let base = config
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map_or_else(|| cwd.clone(), |dir| cwd.join(dir));
        let exclude = Exclude::new(&config.exclude, &base);
        Request {
            paths,
            stdin: None,
            config,
            kb,
            selection,
            base,
            overlay: HashMap::new(),
            exclude,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            context_root: None,
        }
    }
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
    /// Read only as context for the checked files: never reported on.
    pub context: bool,
    /// Its `# bplint:` comments.
    pub suppressions: Vec<Suppression>,
    pub malformed: Vec<Malformed>,
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
    /// Templated files (`{{ }}`) that are not YAML until rendered: skipped.
    pub templates: Vec<PathBuf>,
    /// OIDC clients found in the checked files, and the provider each one uses.
    pub clients: Vec<ClientMatch>,
    /// Findings a `--baseline` recorded: not reported, but listed as suppressed in
    /// JSON and SARIF.
    pub baselined: Vec<Diagnostic>,
}

/// A discovered client and the provider whose `client_id` it names, if any.
#[derive(Debug, Clone)]
pub struct ClientMatch {
    pub file: FileId,
    pub client: FoundClient,
    /// The provider's name (or entry id), its file and where its `client_id` is.
    pub provider: Option<(String, FileId, crate::source::Span)>,
}

impl FileRecord {
    fn new(path: PathBuf) -> Self {
        FileRecord {
            path,
            source: None,
            linted: false,
            context: false,
            suppressions: Vec::new(),
            malformed: Vec::new(),
        }
    }
}

impl Outcome {
    pub fn files_checked(&self) -> usize {
        self.files.iter().filter(|f| f.linted && !f.context).count()
    }

    /// Blueprint files read only for context (see `Request::context_root`).
    pub fn context_files(&self) -> usize {
        self.files.iter().filter(|f| f.linted && f.context).count()
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
    /// A Helm/Jinja template that is not YAML until rendered.
    template: bool,
    /// OIDC clients configured in the file.
    clients: Vec<FoundClient>,
}

pub fn run(request: &Request) -> Outcome {
    let also: &[&str] = if request.config.discover_clients {
        clients::CONFIG_EXTENSIONS
    } else {
        &[]
    };
    let (mut candidates, walk_errors) = discover(&request.paths, &request.exclude, also);
    let mut outcome = Outcome::default();
    for e in walk_errors {
        outcome.io_errors.push(format!(
            "{}: {}",
            crate::source::display_path(&e.path),
            e.message
        ));
    }
    if let Some(root) = &request.context_root {
        let stdin = request.stdin.as_ref().map(|(name, _)| name.as_path());
        let context = crate::discover::context(
            root,
            &request.paths,
            &candidates,
            stdin,
            &request.exclude,
            also,
        );
        candidates.extend(context);
    }
    if let Some((name, _)) = &request.stdin {
        candidates.push(Candidate {
            path: name.clone(),
            relative: name.file_name().map_or_else(|| name.clone(), PathBuf::from),
            explicit: true,
            context: false,
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
                _ => match request.overlay.get(&candidate.path) {
                    Some(text) => Ok(text.clone().into_bytes()),
                    None => read_limited(&candidate.path, limit),
                },
            };
            match bytes {
                Ok(bytes) => lint_file(id, candidate, bytes, request),
                Err(message) => FileOutcome {
                    record: FileRecord::new(candidate.path.clone()),
                    diagnostics: Vec::new(),
                    facts: Vec::new(),
                    note: None,
                    template: false,
                    clients: Vec::new(),
                    io_error: Some(format!(
                        "{}: {message}",
                        crate::source::display_path(&candidate.path),
                    )),
                },
            }
        })
        .collect();
    let mut facts = Vec::new();
    for (mut result, candidate) in results.into_iter().zip(&candidates) {
        // A context file's facts count; what is wrong with it is not this run's to say.
        if candidate.context {
            result.record.context = true;
            result.note = None;
            result.io_error = None;
            result.template = false;
        }
        outcome.diagnostics.extend(result.diagnostics);
        facts.extend(result.facts);
        outcome.notes.extend(result.note);
        outcome.io_errors.extend(result.io_error);
        if result.template {
            outcome.templates.push(result.record.path.clone());
        }
        let file = outcome.files.len();
        outcome
            .clients
            .extend(result.clients.into_iter().map(|client| ClientMatch {
                file,
                client,
                provider: None,
            }));
        outcome.files.push(result.record);
    }
    let index = Index::build(request.kb, &facts, &request.config.assume_exists);
    match_clients(&mut outcome.clients, &facts);
    let paths: Vec<PathBuf> = outcome.files.iter().map(|f| f.path.clone()).collect();
    let set = SetCx {
        paths: &paths,
        index: &index,
        blueprints: &facts,
        kb: &request.kb,
        config: &request.config,
        clients: &outcome.clients,
    };
    // The set rules read the index and facts only, so they run side by side;
    // their findings are joined in rule order.
    let set_diagnostics: Vec<Vec<Diagnostic>> = rules::ALL
        .par_iter()
        .filter(|r| request.selection.is_enabled(r.meta()))
        .map(|rule| {
            let mut found = Vec::new();
            rule.check_set(&set, &mut found);
            found
        })
        .collect();
    // Nothing reads the facts past the set rules. Freeing them (a value for each
    // attribute of every entry) is handed to the thread pool, so the steps
    // below do not wait for it.
    drop(index);
    rayon::spawn(move || drop(facts));
    outcome
        .diagnostics
        .extend(set_diagnostics.into_iter().flatten());
    filter(&mut outcome, request);
    let files = &outcome.files;
    outcome.diagnostics.retain(|d| !files[d.file].context);
    realize_deferred_fixes(&mut outcome, request);
    load_missing_sources(&mut outcome, request);
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

/// Name the provider each discovered client uses: the OAuth2 provider whose literal
/// `client_id` it names.
fn match_clients(clients: &mut [ClientMatch], facts: &[BlueprintFacts]) {
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

/// Apply `per-file-ignores`, severity overrides and inline suppressions, then
/// report suppressions that suppressed nothing (BP009).
fn filter(outcome: &mut Outcome, request: &Request) {
    let files = &mut outcome.files;
    let relative: Vec<PathBuf> = files
        .iter()
        .map(|f| relative_to(&request.base, &f.path))
        .collect();
    let mut used: Vec<Vec<Vec<bool>>> = files
        .iter()
        .map(|f| {
            f.suppressions
                .iter()
                .map(|s| vec![false; s.targets.len()])
                .collect()
        })
        .collect();
    outcome.diagnostics.retain_mut(|d| {
        if !request.selection.is_enabled_for(d.code, &relative[d.file]) {
            return false;
        }
        match request.config.severity(d.code, d.severity) {
            Some(severity) => d.severity = severity,
            None => return false,
        }
        let record = &files[d.file];
        let line = record
            .source
            .as_ref()
            .map_or(0, |s| s.line_col(d.span.start).line);
        let mut suppressed = false;
        for (i, sup) in record.suppressions.iter().enumerate() {
            let applies = match sup.scope {
                Scope::File => true,
                Scope::Line(target) => target == line,
            };
            if !applies {
                continue;
            }
            for (j, target) in sup.targets.iter().enumerate() {
                if target.code == Some(d.code) {
                    used[d.file][i][j] = true;
                    suppressed = true;
                }
            }
        }
        !suppressed
    });
    let unused = &rules::unused_suppression::META;
    for (file, record) in files.iter().enumerate() {
        if !request
            .selection
            .is_enabled_for(unused.code, &relative[file])
            || request
                .config
                .severity(unused.code, unused.severity)
                .is_none()
        {
            continue;
        }
        for (i, sup) in record.suppressions.iter().enumerate() {
            for (j, target) in sup.targets.iter().enumerate() {
                let message = match target.code {
                    None => format!("`{}` in this suppression names no rule", target.written),
                    Some(code)
                        if !used[file][i][j]
                            && request.selection.is_enabled_for(code, &relative[file]) =>
                    {
                        format!("this suppression of {code} suppresses nothing")
                    }
                    Some(_) => continue,
                };
                outcome
                    .diagnostics
                    .push(rules::unused_suppression::diagnostic(
                        file, sup.span, message,
                    ));
            }
        }
        for bad in &record.malformed {
            outcome
                .diagnostics
                .push(rules::unused_suppression::diagnostic(
                    file,
                    bad.span,
                    bad.message.clone(),
                ));
        }
    }
    for d in &mut outcome.diagnostics {
        if d.code == unused.code
            && let Some(severity) = request.config.severity(d.code, d.severity)
        {
            d.severity = severity;
        }
    }
}

/// Set rules describe their fixes by blueprint and entry; re-read and re-parse the
/// (few) files concerned to turn them into edits, in parallel.
fn realize_deferred_fixes(outcome: &mut Outcome, request: &Request) {
    let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (i, d) in outcome.diagnostics.iter().enumerate() {
        if d.deferred.is_some() {
            by_file.entry(d.file).or_default().push(i);
        }
    }
    let files = &outcome.files;
    let diagnostics = &outcome.diagnostics;
    // Per diagnostic: `None` when its entry is gone (the plan is dropped), else
    // the fix to set. Files that cannot be read or parsed keep their plans.
    let realized: Vec<(usize, Option<Option<Fix>>)> = by_file
        .into_par_iter()
        .flat_map_iter(|(file, indexes)| {
            let path = &files[file].path;
            let text = match request.overlay.get(path) {
                Some(text) => Some(text.clone()),
                None => std::fs::read_to_string(path).ok(),
            };
            let mut out = Vec::new();
            let Some(text) = text else {
                return out;
            };
            let Ok(stream) = yaml::parse(&text) else {
                return out;
            };
            let located = Located::new(&text, stream);
            let blueprints = located.blueprints();
            for i in indexes {
                let Some(plan) = &diagnostics[i].deferred else {
                    continue;
                };
                let Some(entry) = blueprints
                    .get(plan.blueprint)
                    .and_then(|bp| bp.entries.get(plan.entry))
                else {
                    out.push((i, None));
                    continue;
                };
                let fix = match &plan.action {
                    DeferredAction::AppendToList { key, item } => {
                        rules::edits::append_attr_item(&text, entry, key, item)
                    }
                    DeferredAction::RemoveEntry => rules::edits::remove_entry(&text, entry),
                };
                out.push((
                    i,
                    Some(fix.map(|mut f| {
                        f.applicability = plan.applicability;
                        if let Some(title) = &plan.title {
                            f.title.clone_from(title);
                        }
                        f
                    })),
                ));
            }
            out
        })
        .collect();
    for (i, fix) in realized {
        let d = &mut outcome.diagnostics[i];
        d.deferred = None;
        if let Some(fix) = fix {
            d.fix = fix;
        }
    }
}

/// Set rules may report in files whose text was dropped after the per-file pass
/// (and clients name providers in them); read it again (from the overlay when fixes changed it in memory), in parallel.
fn load_missing_sources(outcome: &mut Outcome, request: &Request) {
    let mut missing: Vec<FileId> = outcome
        .diagnostics
        .iter()
        .flat_map(|d| std::iter::once(d.file).chain(d.related.iter().map(|r| r.file)))
        // `bplint clients` prints the line of each provider a client uses.
        .chain(
            outcome
                .clients
                .iter()
                .filter_map(|c| c.provider.as_ref().map(|p| p.1)),
        )
        .filter(|&file| outcome.files[file].source.is_none())
        .collect();
    missing.sort_unstable();
    missing.dedup();
    let files = &outcome.files;
    let loaded: Vec<(FileId, SourceFile)> = missing
        .into_par_iter()
        .filter_map(|file| {
            let path = &files[file].path;
            let text = match request.overlay.get(path) {
                Some(text) => Some(text.clone()),
                None => std::fs::read_to_string(path).ok(),
            }?;
            Some((file, SourceFile::new(path.clone(), text)))
        })
        .collect();
    for (file, source) in loaded {
        outcome.files[file].source = Some(source);
    }
}

fn lint_file(id: FileId, candidate: &Candidate, bytes: Vec<u8>, request: &Request) -> FileOutcome {
    let mut out = FileOutcome {
        record: FileRecord::new(candidate.path.clone()),
        diagnostics: Vec::new(),
        facts: Vec::new(),
        note: None,
        io_error: None,
        template: false,
        clients: Vec::new(),
    };
    let (source, decode_error) = decode(candidate, bytes);
    if let Some(error) = decode_error {
        if candidate.explicit || crate::discover::is_yaml(&candidate.path) {
            out.record.linted = true;
            out.diagnostics
                .push(rules::yaml_syntax::diagnostic(id, &error));
            out.record.source = Some(with_scanned_secrets(source));
        }
        return out;
    }
    let is_config = !crate::discover::is_yaml(&candidate.path)
        && crate::discover::has_extension(&candidate.path, clients::CONFIG_EXTENSIONS);
    if is_config {
        if request.config.discover_clients {
            out.clients = clients::from_lines(&source.text, 0);
            if !out.clients.is_empty() {
                out.record.source = Some(source);
            }
        }
        return out;
    }
    let stream = match yaml::parse(&source.text) {
        Ok(stream) => stream,
        Err(error) => {
            if source.text.contains("{{") {
                out.template = true;
                return out;
            }
            if candidate.explicit || looks_like_blueprint(&source.text) {
                out.record.linted = true;
                out.diagnostics
                    .push(rules::yaml_syntax::diagnostic(id, &error));
                out.record.source = Some(with_scanned_secrets(source));
            }
            return out;
        }
    };
    let located = Located::new(&source.text, stream);
    out.diagnostics.extend(
        located
            .errors
            .iter()
            .map(|error| rules::yaml_syntax::diagnostic(id, error)),
    );
    let blueprints = located.blueprints();
    if blueprints.is_empty() && !out.diagnostics.is_empty() {
        out.record.linted = true;
        out.record.source = Some(with_scanned_secrets(source));
        return out;
    }
    if request.config.discover_clients {
        out.clients = clients::from_yaml(&source.text, &located.stream);
    }
    if blueprints.is_empty() {
        if !out.clients.is_empty() {
            out.record.source = Some(source);
            return out;
        }
        if candidate.explicit {
            out.note = Some(format!(
                "{}: not a blueprint (no top-level `entries`, nor `version` with `metadata`); skipped",
                source.display_path()
            ));
        }
        return out;
    }
    out.record.linted = true;
    let duplicates = located.duplicates();
    // Every directive contains `bplint:`; most files have none, and finding the
    // comments takes every scalar's span.
    let (suppressions, malformed) = if source.text.contains("bplint:") {
        suppression::find(&source, &suppression::scalar_spans(located.roots()))
    } else {
        (Vec::new(), Vec::new())
    };
    out.record.suppressions = suppressions;
    out.record.malformed = malformed;
    for (index, bp) in blueprints.iter().enumerate() {
        let cx = BlueprintCx::new(
            id,
            &source,
            &candidate.relative,
            bp,
            &request.kb,
            &request.config,
            &duplicates,
        );
        for rule in rules::ALL
            .iter()
            .filter(|r| request.selection.is_enabled(r.meta()))
        {
            rule.check_blueprint(&cx, &mut out.diagnostics);
        }
        out.facts.push(BlueprintFacts::extract(
            id,
            candidate.path.clone(),
            index,
            bp,
        ));
    }
    // Set rules may report here later; a file on disk is read again for them, but
    // standard input cannot be (a file of that name may hold other text).
    let stdin = request
        .stdin
        .as_ref()
        .is_some_and(|(name, _)| *name == candidate.path);
    if !out.diagnostics.is_empty()
        || !out.record.suppressions.is_empty()
        || !out.clients.is_empty()
        || stdin
    {
        // Renderers mask the secrets BP301 found when they show a snippet; where
        // part of the file did not parse, secret-looking lines are masked too.
        let mut secrets = rules::plaintext_secret::spans(&out.diagnostics);
        if !located.errors.is_empty() {
            secrets.extend(rules::plaintext_secret::scan_lines(&source.text));
        }
        out.record.source = Some(source.with_secrets(secrets));
    }
    out
}

/// A file reported for a syntax error has no tree for BP301 to walk: its
/// secret-looking lines are masked in snippets instead.
fn with_scanned_secrets(source: SourceFile) -> SourceFile {
    let secrets = rules::plaintext_secret::scan_lines(&source.text);
    source.with_secrets(secrets)
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
