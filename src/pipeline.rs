//! The stages wired together: discover -> read and parse (per file, in parallel)
//! -> model -> per-blueprint rules and facts -> index -> set rules -> severities.

use crate::clients::{self, ClientMatch, FoundClient};
use crate::config::Config;
use crate::detect::Judged;
use crate::diagnostic::{Diagnostic, FileId, RuleMeta};
use crate::discover::{Candidate, Exclude, discover, relative_to};
use crate::knowledge::Knowledge;
use crate::model::locate::Located;
use crate::resolve::{BlueprintFacts, Index};
use crate::rules::{self, BlueprintCx, SetCx};
use crate::selection::Selection;
use crate::source::{self, ReadError, SourceFile, text_hash};
use crate::suppression::{self, Malformed, Suppression};
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
    /// The release judged by and where it came from (`detect::knowledge_for_run`).
    pub judged: Judged,
    /// Rules enabled, and per-file exceptions.
    pub selection: Selection,
    /// Folder that `per-file-ignores` and `exclude` globs are relative to (the
    /// one holding bplint.toml, else the current folder).
    pub base: PathBuf,
    /// Texts to use instead of the files on disk (fixes applied in memory).
    pub overlay: HashMap<PathBuf, String>,
    pub exclude: Exclude,
    /// Larger files are skipped, so one huge file cannot take the run's time and
    /// memory (`--max-file-size`); one whose head looks like a blueprint is
    /// reported (exit 2), any other only noted when named.
    pub max_file_size: u64,
    /// The repository whose other blueprints are indexed for `!Find` lookups and
    /// the set rules but not reported on (`discover::context`); `None` checks the
    /// paths alone.
    pub context_root: Option<PathBuf>,
    /// Keep every blueprint's text, not only those with findings: `graph`
    /// places each object it draws by line and column.
    pub keep_sources: bool,
    /// Blueprint files (absolute) that belong to other Authentik instances
    /// (`crate::instances`): left out of this set, so nothing resolves or
    /// conflicts across instances.
    pub outside: std::collections::BTreeSet<PathBuf>,
    /// Per-file results of earlier runs to reuse where a file's bytes and place
    /// in the run are unchanged (`bplint server` re-checks the set on every
    /// edit); `None` for a batch run, which reads every file once.
    pub memo: Option<std::sync::Arc<FileMemo>>,
    /// The files whose findings are wanted (`bplint server`: the open
    /// documents); `None` for all. The others are still read, modelled and
    /// indexed, so everything the focus refers to resolves as in a full run,
    /// but the set rules judge only the focus and the blueprints it depends on
    /// (`judged_blueprints`), and findings elsewhere are left out.
    pub focus: Option<std::collections::BTreeSet<PathBuf>>,
}

impl Request {
    pub fn new(paths: Vec<PathBuf>, config: Config, judged: Judged) -> Self {
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
            judged,
            selection,
            base,
            overlay: HashMap::new(),
            exclude,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            context_root: None,
            keep_sources: false,
            outside: Default::default(),
            memo: None,
            focus: None,
        }
    }
}

/// What standard input is reported as without `--stdin-filename`.
pub const STDIN_NAME: &str = "<stdin>";

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
    /// Hash of the text its facts came from, when that text was dropped: the
    /// spans set rules report (and fix) hold only if a re-read finds it unchanged.
    pub dropped_text: Option<u64>,
}

/// Everything a renderer needs.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<FileRecord>,
    pub diagnostics: Vec<Diagnostic>,
    /// Things worth telling that are not findings ("not a blueprint").
    pub notes: Vec<String>,
    /// Things that are probably a mistake of the run itself (no blueprint found
    /// in the paths given), printed as warnings; they do not change the exit code.
    pub warnings: Vec<String>,
    /// Paths that could not be read: the run exits 2.
    pub io_errors: Vec<String>,
    /// Templated files (`{{ }}`) that are not YAML until rendered: skipped.
    pub templates: Vec<PathBuf>,
    /// OIDC clients found in the checked files, and the provider each one uses.
    pub clients: Vec<ClientMatch>,
    /// Findings a `--baseline` recorded: not reported, but listed as suppressed in
    /// JSON and SARIF.
    pub baselined: Vec<Diagnostic>,
    /// The release the run judged by, for the renderers to name.
    pub judged: Judged,
    /// Set by `bplint upgrade`: the release upgraded to and what it resolves
    /// (`diagnostics` then holds the findings new at that release).
    pub upgrade: Option<Upgrade>,
    /// What the set rules read of every blueprint. Nothing reads it after them;
    /// it is kept here because it is the bulk of a large run's memory, freed
    /// with the outcome, and `check` does not wait for that at exit.
    pub facts: Vec<std::sync::Arc<BlueprintFacts>>,
    /// Set when the repository holds several Authentik instances: each was
    /// checked as a set of its own and the outcomes merged (`command`).
    pub instances: Vec<crate::instances::InstanceRun>,
}

/// What `bplint upgrade` adds to an outcome whose `judged` is the current
/// release and whose diagnostics are the ones new at the target.
#[derive(Debug)]
pub struct Upgrade {
    /// The release upgraded to.
    pub to: Knowledge,
    /// Findings at the current release that the target does not have; their
    /// `file` indexes the outcome's file table like every diagnostic's.
    pub resolved: Vec<Diagnostic>,
}

impl FileRecord {
    pub(crate) fn new(path: PathBuf) -> Self {
        FileRecord {
            path,
            source: None,
            linted: false,
            context: false,
            suppressions: Vec::new(),
            malformed: Vec::new(),
            dropped_text: None,
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

    /// The instance a file of a merged run belongs to, by name.
    pub fn instance_of(&self, file: FileId) -> Option<&str> {
        self.instances
            .iter()
            .find(|i| i.files.contains(&file))
            .map(|i| i.name.as_str())
    }
}

struct FileOutcome {
    record: FileRecord,
    diagnostics: Vec<Diagnostic>,
    facts: Vec<std::sync::Arc<BlueprintFacts>>,
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
    let (mut candidates, mut walk_errors) = discover(&request.paths, &request.exclude, also);
    unwritten(request, &mut candidates, &mut walk_errors);
    let mut outcome = Outcome {
        judged: request.judged.clone(),
        ..Outcome::default()
    };
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
    if !request.outside.is_empty() {
        let cwd = std::env::current_dir().unwrap_or_default();
        candidates.retain(|c| {
            !request
                .outside
                .contains(&crate::discover::normalize(&cwd.join(&c.path)))
        });
    }
    if let Some((name, _)) = &request.stdin {
        // Without `--stdin-filename` the text has no name Authentik's discovery
        // could judge: an empty `relative` tells BP008 so.
        let relative = if name.as_os_str() == STDIN_NAME {
            PathBuf::new()
        } else {
            name.file_name().map_or_else(|| name.clone(), PathBuf::from)
        };
        candidates.push(Candidate {
            path: name.clone(),
            relative,
            explicit: true,
            context: false,
        });
    }
    let stdin_id = request.stdin.as_ref().map(|_| candidates.len() - 1);
    let every_rule = rules::ALL
        .iter()
        .any(|r| r.reads_findings() && request.selection.is_enabled(r.meta()));
    let runs = |meta: &RuleMeta| every_rule || request.selection.is_enabled(meta);
    let results: Vec<FileOutcome> = candidates
        .par_iter()
        .enumerate()
        .map(|(id, candidate)| {
            let limit = request.max_file_size;
            let bytes = match (Some(id) == stdin_id, &request.stdin) {
                (true, Some((_, bytes))) if bytes.len() as u64 > limit => {
                    Err(ReadError::TooLarge { size: None })
                }
                (true, Some((_, bytes))) => Ok(bytes.clone()),
                _ => match request.overlay.get(&candidate.path) {
                    Some(text) => Ok(text.clone().into_bytes()),
                    None => source::read_limited(&candidate.path, limit),
                },
            };
            let unread = |io_error: Option<String>, note: Option<String>| FileOutcome {
                record: FileRecord::new(candidate.path.clone()),
                diagnostics: Vec::new(),
                facts: Vec::new(),
                note,
                template: false,
                clients: Vec::new(),
                io_error,
            };
            let shown = crate::source::display_path(&candidate.path);
            match bytes {
                Ok(bytes) => match &request.memo {
                    Some(memo) if Some(id) != stdin_id => {
                        memo.lint(id, candidate, bytes, |bytes| {
                            lint_file(id, candidate, bytes, request, &runs)
                        })
                    }
                    _ => lint_file(id, candidate, bytes, request, &runs),
                },
                Err(ReadError::Io(message)) => unread(Some(format!("{shown}: {message}")), None),
                Err(ReadError::TooLarge { size }) => {
                    // Size is judged for blueprints only: a huge CRD or `.env`
                    // elsewhere in the tree must not fail every run. The head
                    // tells, as it does for release detection.
                    let head = match (Some(id) == stdin_id, &request.stdin) {
                        (true, Some((_, bytes))) => bytes[..bytes.len().min(source::HEAD)].to_vec(),
                        _ => source::head(&candidate.path),
                    };
                    if rules::yaml_syntax::head_may_be_blueprint(&String::from_utf8_lossy(&head)) {
                        unread(
                            Some(format!("{shown}: {}", source::too_large(size, limit))),
                            None,
                        )
                    } else if candidate.explicit {
                        unread(
                            None,
                            Some(format!(
                                "{shown}: {}",
                                source::too_large_skipped(size, limit)
                            )),
                        )
                    } else {
                        unread(None, None)
                    }
                }
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
    let index = Index::build(request.judged.kb, &facts, &request.config.assume_exists);
    clients::match_providers(&mut outcome.clients, &facts);
    let paths: Vec<PathBuf> = outcome.files.iter().map(|f| f.path.clone()).collect();
    let judged = request
        .focus
        .as_ref()
        .map(|focus| judged_blueprints(&index, focus));
    let set = SetCx {
        paths: &paths,
        index: &index,
        blueprints: &facts,
        kb: &request.judged.kb,
        declared_clients: &request.config.clients,
        clients: &outcome.clients,
        judged: judged.as_deref(),
        shared: Default::default(),
    };
    // The set rules read the index and facts only, so they run side by side;
    // their findings are joined in rule order.
    let set_diagnostics: Vec<Vec<Diagnostic>> = rules::ALL
        .par_iter()
        .filter(|r| runs(r.meta()))
        .map(|rule| {
            let mut found = Vec::new();
            rule.check_set(&set, &mut found);
            found
        })
        .collect();
    outcome
        .diagnostics
        .extend(set_diagnostics.into_iter().flatten());
    let views: Vec<suppression::FileView<'_>> = outcome
        .files
        .iter()
        .map(|f| suppression::FileView {
            relative: relative_to(&request.base, &f.path),
            source: f.source.as_ref(),
            suppressions: &f.suppressions,
            malformed: &f.malformed,
        })
        .collect();
    if every_rule {
        let found: Vec<&Diagnostic> = outcome
            .diagnostics
            .iter()
            .filter(|d| !suppression::silenced_inline(d, &views))
            .collect();
        let late: Vec<Vec<Diagnostic>> = rules::ALL
            .par_iter()
            .filter(|r| r.reads_findings() && request.selection.is_enabled(r.meta()))
            .map(|rule| {
                let mut out = Vec::new();
                rule.check_findings(&set, &found, &mut out);
                out
            })
            .collect();
        outcome.diagnostics.extend(late.into_iter().flatten());
    }
    // Nothing reads the index past the rules. Freeing its tables is handed to
    // the thread pool, so the steps below do not wait for it.
    let caches = index.into_caches();
    rayon::spawn(move || drop(caches));
    outcome.facts = facts;
    suppression::filter(
        &mut outcome.diagnostics,
        &views,
        &request.selection,
        &request.config,
    );
    let files = &outcome.files;
    outcome.diagnostics.retain(|d| {
        !files[d.file].context
            && request
                .focus
                .as_ref()
                .is_none_or(|focus| focus.contains(&files[d.file].path))
    });
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

/// Texts of the overlay whose files are not on disk (an editor's new file, not
/// saved yet) are checked as if written there: a YAML file below one of the
/// paths as a file found there, any other YAML file as one named. In a run of
/// one of several instances (`outside` is set) such a file belongs to none
/// until it is written and a deployment names it, so it is left out there.
fn unwritten(
    request: &Request,
    candidates: &mut Vec<Candidate>,
    walk_errors: &mut Vec<crate::discover::WalkError>,
) {
    if !request.outside.is_empty() {
        return;
    }
    let mut added = false;
    for path in request.overlay.keys() {
        if path.exists()
            || !crate::discover::is_yaml(path)
            || candidates.iter().any(|c| c.path == *path)
        {
            continue;
        }
        walk_errors.retain(|e| e.path != *path);
        let below = request
            .paths
            .iter()
            .find(|root| *root != path && path.starts_with(root));
        candidates.push(Candidate {
            path: path.clone(),
            relative: match below {
                Some(root) => path.strip_prefix(root).unwrap_or(path).to_path_buf(),
                None => path.file_name().map_or_else(|| path.clone(), PathBuf::from),
            },
            explicit: below.is_none(),
            context: false,
        });
        added = true;
    }
    if added {
        candidates.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

/// The blueprints the set rules judge when only the files of `focus` are
/// reported on: the focus's own, and those creating what the focus refers to
/// in other blueprints, since whether the importer refuses those (their own
/// set findings) decides BP119 and BP120 in the focus.
fn judged_blueprints(index: &Index<'_>, focus: &std::collections::BTreeSet<PathBuf>) -> Vec<bool> {
    let mut judged: Vec<bool> = index
        .blueprints
        .iter()
        .map(|bp| focus.contains(&bp.path))
        .collect();
    let givers = crate::resolve::references::KeyGivers::new(index);
    let from = judged.clone();
    for reference in crate::resolve::references::cross_blueprint(index, &givers, &|b| from[b]) {
        for (b, _) in reference.creators {
            judged[b] = true;
        }
    }
    judged
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
        let record = &mut outcome.files[file];
        if record
            .dropped_text
            .is_some_and(|h| h != text_hash(&source.text))
        {
            // Fixes are edits of the text that was checked; never apply them to
            // another one.
            for d in outcome.diagnostics.iter_mut().filter(|d| d.file == file) {
                d.fix = None;
            }
            outcome.notes.push(format!(
                "{}: changed on disk while bplint ran; its findings may point at the wrong lines and were not fixed",
                source.display_path()
            ));
        }
        record.source = Some(source);
    }
}

fn lint_file(
    id: FileId,
    candidate: &Candidate,
    bytes: Vec<u8>,
    request: &Request,
    runs: &(dyn Fn(&RuleMeta) -> bool + Sync),
) -> FileOutcome {
    let mut out = FileOutcome {
        record: FileRecord::new(candidate.path.clone()),
        diagnostics: Vec::new(),
        facts: Vec::new(),
        note: None,
        io_error: None,
        template: false,
        clients: Vec::new(),
    };
    let (source, decode_error) = source::decode(candidate.path.clone(), bytes);
    if let Some(error) = decode_error {
        let error = yaml::YamlError {
            span: error.span,
            message: error.message,
        };
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
            if candidate.explicit || rules::yaml_syntax::looks_like_blueprint(&source.text) {
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
            &request.judged.kb,
            &duplicates,
        );
        for rule in rules::ALL.iter().filter(|r| runs(r.meta())) {
            rule.check_blueprint(&cx, &mut out.diagnostics);
        }
        out.facts.push(std::sync::Arc::new(BlueprintFacts::extract(
            id,
            candidate.path.clone(),
            index,
            bp,
            &source.text,
        )));
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
        || request.keep_sources
    {
        // Renderers mask the secrets BP301 (and BP118) found when they show a snippet; where
        // part of the file did not parse, secret-looking lines are masked too.
        let mut secrets = rules::plaintext_secret::spans(&out.diagnostics);
        secrets.extend(rules::attribute_name_holds_value::secret_spans(
            &out.diagnostics,
        ));
        if !located.errors.is_empty() {
            secrets.extend(rules::plaintext_secret::scan_lines(&source.text));
        }
        out.record.source = Some(source.with_secrets(secrets));
    } else {
        out.record.dropped_text = Some(text_hash(&source.text));
    }
    out
}

/// A file reported for a syntax error has no tree for BP301 to walk: its
/// secret-looking lines are masked in snippets instead.
fn with_scanned_secrets(source: SourceFile) -> SourceFile {
    let secrets = rules::plaintext_secret::scan_lines(&source.text);
    source.with_secrets(secrets)
}

/// The per-file stage's results by file, kept between runs of one request
/// (`Request::memo`): a file whose bytes, id and place in the run are those of
/// the last run is not parsed, modelled or checked again; the set stage always
/// runs on every file's current facts, so nothing stale crosses files. One
/// result per path is kept, so the memo holds one set's worth at most.
#[derive(Default)]
pub struct FileMemo {
    files: std::sync::Mutex<HashMap<PathBuf, (u64, FileOutcome)>>,
}

impl FileMemo {
    fn lint(
        &self,
        id: FileId,
        candidate: &Candidate,
        bytes: Vec<u8>,
        lint: impl FnOnce(Vec<u8>) -> FileOutcome,
    ) -> FileOutcome {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        (id, &bytes, &candidate.relative, candidate.explicit).hash(&mut hasher);
        let key = hasher.finish();
        let lock = || self.files.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((known, outcome)) = lock().get(&candidate.path)
            && *known == key
        {
            return outcome.copy();
        }
        let outcome = lint(bytes);
        lock().insert(candidate.path.clone(), (key, outcome.copy()));
        outcome
    }
}

impl FileOutcome {
    /// A copy for the memo (the text itself is shared).
    fn copy(&self) -> FileOutcome {
        let record = &self.record;
        FileOutcome {
            record: FileRecord {
                path: record.path.clone(),
                source: record.source.as_ref().map(|s| {
                    SourceFile::new(s.path.clone(), s.text.clone())
                        .with_secrets(s.secrets().to_vec())
                }),
                linted: record.linted,
                context: record.context,
                suppressions: record.suppressions.clone(),
                malformed: record.malformed.clone(),
                dropped_text: record.dropped_text,
            },
            diagnostics: self.diagnostics.clone(),
            facts: self.facts.clone(),
            note: self.note.clone(),
            io_error: self.io_error.clone(),
            template: self.template,
            clients: self.clients.clone(),
        }
    }
}
