//! What the server knows between messages: the workspace's request (the same
//! configuration, release and rules `check` would use there), the open
//! documents' texts, and the outcome of the last check of the set with those
//! texts in place of the files on disk.

use super::text::{Lines, path_to_uri};
use crate::config::Config;
use crate::detect;
use crate::diagnostic::{self, Applicability, Severity};
use crate::discover::Exclude;
use crate::pipeline::{self, Outcome, Request};
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Uri,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a file is judged with: in a repository of several Authentik
/// instances, its instance's release and blueprints (so hover, definition,
/// references and completion never reach into another instance's files, as
/// nothing resolves across instances in `check`); else the whole set's.
pub struct Scope {
    pub kb: crate::knowledge::Knowledge,
    pub facts: Vec<std::sync::Arc<crate::resolve::BlueprintFacts>>,
}

pub struct Document {
    pub uri: Uri,
    pub text: String,
}

pub struct Session {
    pub root: PathBuf,
    pub request: Request,
    pub docs: HashMap<PathBuf, Document>,
    /// The last check, of the documents' texts as they are now unless `dirty`.
    pub outcome: Outcome,
    pub dirty: bool,
    /// A hash of the diagnostics last sent for each document, so a check that
    /// changes nothing in a file sends nothing for it.
    published: HashMap<PathBuf, u64>,
    /// Where the rule docs linked from each diagnostic are.
    docs_base: String,
    /// One request per Authentik instance when the repository deploys several
    /// (`bplint instances`), each judged at its own release as `check` judges
    /// them; empty for one set, checked with `request`.
    instances: Vec<(String, Request)>,
}

impl Session {
    /// The session for a workspace folder: bplint.toml from the folder up, the
    /// release the repository pins, and the repository around the folder as
    /// context when the configuration asks for it, as `check` run there would.
    ///
    /// A configuration or release that cannot be read is not the end of the
    /// session: the message comes back for the editor to show, and the set is
    /// judged with the defaults (every rule, the newest release) meanwhile.
    pub fn new(root: PathBuf, docs_base: Option<String>) -> (Self, Option<String>) {
        let mut problem = None;
        let config = match Config::discover(&root).map(|path| Config::load(&path)) {
            Some(Ok(config)) => config,
            Some(Err(e)) => {
                problem = Some(e.0);
                Config::default()
            }
            None => Config::default(),
        };
        let judged =
            match detect::knowledge_for_run(None, &config, std::slice::from_ref(&root), true) {
                Ok(judged) => judged,
                Err(message) => {
                    problem.get_or_insert(message);
                    detect::Judged::newest()
                }
            };
        let mut request = Request::new(vec![root.clone()], config, judged);
        request.base = request
            .config
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map_or_else(|| root.clone(), |dir| root.join(dir));
        request.exclude = Exclude::new(&request.config.exclude, &request.base);
        if request.config.context {
            request.context_root = root
                .ancestors()
                .find(|dir| dir.join(".git").exists())
                .filter(|repo| *repo != root)
                .map(Path::to_path_buf);
        }
        // Each check re-reads the set; files whose bytes did not change keep
        // their parse, model and per-file findings.
        request.memo = Some(std::sync::Arc::new(pipeline::FileMemo::default()));
        let instances = instances_of(&root, &request, &mut problem);
        let docs_base = docs_base.unwrap_or_else(write_rule_docs);
        let session = Session {
            root,
            request,
            docs: HashMap::new(),
            outcome: Outcome::default(),
            dirty: true,
            published: HashMap::new(),
            docs_base,
            instances,
        };
        (session, problem)
    }

    /// Check the set with the open documents' texts. A document outside the
    /// workspace folder joins the paths checked, so it is judged too.
    pub fn check(&mut self) {
        self.request.overlay = self
            .docs
            .iter()
            .map(|(path, doc)| (path.clone(), doc.text.clone()))
            .collect();
        let mut paths = vec![self.root.clone()];
        paths.extend(
            self.docs
                .keys()
                .filter(|p| !p.starts_with(&self.root))
                .cloned(),
        );
        paths.sort();
        // Diagnostics are sent for open documents only: the set rules judge
        // those (and what they depend on), not the whole set, on every edit.
        self.request.focus = Some(self.docs.keys().cloned().collect());
        if self.instances.is_empty() {
            self.request.paths = paths;
            self.outcome = pipeline::run(&self.request);
        } else {
            let mut runs = Vec::with_capacity(self.instances.len());
            for (name, request) in &mut self.instances {
                request.overlay = self.request.overlay.clone();
                request.focus = self.request.focus.clone();
                request.paths = paths.clone();
                runs.push((name.clone(), pipeline::run(request)));
            }
            self.outcome = crate::command::merge(runs);
        }
        self.dirty = false;
    }

    pub fn ensure_checked(&mut self) {
        if self.dirty {
            self.check();
        }
    }

    /// The release and blueprints `path` is judged with (see [`Scope`]): the
    /// first instance whose run holds the file, else the set's.
    pub fn scope(&self, path: &Path) -> Scope {
        let files = &self.outcome.files;
        let run = self.outcome.instances.iter().find(|run| {
            run.files
                .clone()
                .any(|f| files.get(f).is_some_and(|r| r.path == path))
        });
        match run {
            Some(run) => Scope {
                kb: run.judged.kb,
                facts: self
                    .outcome
                    .facts
                    .iter()
                    .filter(|f| run.files.contains(&f.file))
                    .cloned()
                    .collect(),
            },
            None => Scope {
                kb: self.request.judged.kb,
                facts: self.outcome.facts.clone(),
            },
        }
    }

    /// The findings of the last check in `path`. A file two instances deploy
    /// has a record in each instance's run, and findings in each.
    pub fn findings_of<'s>(
        &'s self,
        path: &'s Path,
    ) -> impl Iterator<Item = &'s diagnostic::Diagnostic> + 's {
        let files = &self.outcome.files;
        self.outcome
            .diagnostics
            .iter()
            .filter(move |d| files.get(d.file).is_some_and(|f| f.path == path))
    }

    /// Diagnostics of every open document whose findings changed since they
    /// were last sent.
    pub fn changed_diagnostics(&mut self) -> Vec<(Uri, Vec<lsp_types::Diagnostic>)> {
        let mut out = Vec::new();
        let mut paths: Vec<&PathBuf> = self.docs.keys().collect();
        paths.sort();
        for path in paths {
            let doc = &self.docs[path];
            let diagnostics = self.diagnostics_of(path, &doc.text);
            let hash = crate::source::text_hash(&format!("{diagnostics:?}"));
            let before = self.published.get(path).copied();
            // A document never reported on with nothing to report gets nothing:
            // files that are not blueprints stay untouched.
            if before == Some(hash) || (before.is_none() && diagnostics.is_empty()) {
                continue;
            }
            self.published.insert(path.clone(), hash);
            out.push((doc.uri.clone(), diagnostics));
        }
        out
    }

    /// Give up an open document that another session now judges (the
    /// client added or removed a workspace folder), with what was last sent
    /// for it, for [`Session::adopt`].
    pub fn release(&mut self, path: &Path) -> Option<(PathBuf, Document, Option<u64>)> {
        let doc = self.docs.remove(path)?;
        self.dirty = true;
        Some((path.to_path_buf(), doc, self.published.remove(path)))
    }

    /// Take over an open document from a session that ended: what the client
    /// shows for it is what that session sent, so a document with nothing to
    /// report now is cleared rather than left with the old findings.
    pub fn adopt(&mut self, path: PathBuf, doc: Document, sent: Option<u64>) {
        if let Some(sent) = sent {
            self.published.insert(path.clone(), sent);
        }
        self.docs.insert(path, doc);
        self.dirty = true;
    }

    /// A closed document's diagnostics are cleared, and it is reported afresh
    /// when opened again.
    pub fn forget(&mut self, path: &Path) -> bool {
        self.published.remove(path).is_some()
    }

    pub fn diagnostics_of(&self, path: &Path, text: &str) -> Vec<lsp_types::Diagnostic> {
        let lines = Lines::new(text);
        self.findings_of(path)
            .map(|d| self.to_lsp(d, &lines))
            .collect()
    }

    pub fn to_lsp(&self, d: &diagnostic::Diagnostic, lines: &Lines<'_>) -> lsp_types::Diagnostic {
        let related: Vec<DiagnosticRelatedInformation> = d
            .related
            .iter()
            .filter_map(|r| {
                let record = self.outcome.files.get(r.file)?;
                let uri = path_to_uri(&record.path)?;
                let range = match (r.file == d.file, &record.source) {
                    (true, _) => lines.range(r.span),
                    (false, Some(source)) => Lines::new(&source.text).range(r.span),
                    (false, None) => return None,
                };
                Some(DiagnosticRelatedInformation {
                    location: Location { uri, range },
                    message: r.message.clone(),
                })
            })
            .collect();
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        if let Some(fix) = &d.fix {
            let kind = match fix.applicability {
                Applicability::Safe => "fix",
                Applicability::Unsafe => "unsafe fix",
            };
            message.push_str(&format!("\n{kind}: {}", fix.title));
        }
        let href = crate::rules::find(d.code)
            .map(|meta| format!("{}/{}-{}.md", self.docs_base, meta.code, meta.name))
            .and_then(|href| href.parse::<Uri>().ok());
        lsp_types::Diagnostic {
            range: lines.range(d.span),
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(d.code.to_string())),
            code_description: href.map(|href| CodeDescription { href }),
            source: Some("bplint".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        }
    }
}

/// The rule docs as files an editor can open from a diagnostic's link: written
/// once per bplint version under the temporary folder (the docs are embedded in
/// the binary; no address on the network is assumed). A link to a folder that
/// could not be written still names each rule.
fn write_rule_docs() -> String {
    let dir = std::env::temp_dir()
        .join(format!("bplint-{}", env!("CARGO_PKG_VERSION")))
        .join("rules");
    if std::fs::create_dir_all(&dir).is_ok() {
        for rule in crate::rules::ALL {
            let meta = rule.meta();
            let path = dir.join(format!("{}-{}.md", meta.code, meta.name));
            if std::fs::read_to_string(&path).ok().as_deref() != Some(meta.doc) {
                let _ = std::fs::write(&path, meta.doc);
            }
        }
    }
    path_to_uri(&dir).map_or_else(|| "file:///".into(), |u| u.as_str().to_string())
}

/// The instances of the repository around `root`, as `check` run there finds
/// them, each request set up as the session's own (per-file memo included).
/// A survey that fails leaves one set, and its message for the editor.
fn instances_of(
    root: &Path,
    base: &Request,
    problem: &mut Option<String>,
) -> Vec<(String, Request)> {
    let survey = match crate::command::survey(
        std::slice::from_ref(&root.to_path_buf()),
        &base.config,
        None,
    ) {
        Ok(Some(survey)) if crate::command::splits(&survey) => survey,
        Ok(_) => return Vec::new(),
        Err(message) => {
            problem.get_or_insert(message);
            return Vec::new();
        }
    };
    let mut runs = crate::command::instance_requests(survey, base, true);
    for (_, request) in &mut runs {
        request.base = base.base.clone();
        request.exclude = base.exclude.clone();
        request.memo = Some(std::sync::Arc::new(pipeline::FileMemo::default()));
    }
    runs
}
