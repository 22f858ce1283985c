//! `bplint graph`: the request `check` would build from the same flags, run
//! once (or twice with `--diff`: at a git revision and in the work tree), drawn
//! by `graph` and delivered as `check` delivers a report.

use crate::cli::{Format, GraphArgs, GraphFormat};
use crate::command::{self, Style};
use crate::graph::view::{self, Diagram};
use crate::graph::{self, Finding, Graph, GraphFile, Input, Kind};
use crate::pipeline::{self, Outcome, Request};
use crate::resolve::Index;
use crate::{EXIT_OK, EXIT_TROUBLE, discover, report, source};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn run(args: GraphArgs) -> u8 {
    match draw(&args) {
        Ok(code) => code,
        Err(message) => crate::fail(&message),
    }
}

fn draw(args: &GraphArgs) -> Result<u8, String> {
    let mut request = command::build_request(&args.set, args.quiet)?;
    request.keep_sources = true;
    let version = request.judged.kb.version.to_string();
    let (mut outcome, graph, diagrams, loose, heading) = match &args.diff {
        None => {
            let (outcome, graph, loose) = graph_of(&request, None);
            let diagrams = pick(&graph, args)?;
            (
                outcome,
                graph,
                diagrams,
                loose,
                "Blueprint graph".to_string(),
            )
        }
        Some(rev) => {
            if request.stdin.is_some() {
                return Err("--diff compares files in a git work tree, not standard input".into());
            }
            let tree = git::OldTree::read(rev, &request)?;
            let old_request = tree.request(&request);
            let (_, old, _) = graph_of(&old_request, Some(&tree.shown));
            let (mut outcome, new, loose) = graph_of(&request, Some(&tree.shown));
            let merged = graph::diff::merge(&old, &new);
            let title = format!("changes from {rev} to the work tree");
            let diagrams: Vec<Diagram> = view::changes(&merged, title).into_iter().collect();
            if diagrams.is_empty() {
                outcome.notes.push(format!(
                    "the graph does not change between {rev} and the work tree"
                ));
            }
            (
                outcome,
                merged,
                diagrams,
                loose,
                format!("Blueprint graph: changes since `{}`", rev.replace('`', "'")),
            )
        }
    };
    command::warn_if_nothing_checked(&mut outcome, &request);
    if args.diff.is_none() && diagrams.is_empty() && outcome.files_checked() > 0 {
        outcome.notes.push(
            "nothing to draw: the blueprints define no flow, application, provider, outpost, \
             source or brand, and bind nothing to one"
                .into(),
        );
    }
    // Only the whole picture accounts for every finding; one flow or a diff
    // leaves most objects out anyway.
    let whole = args.flow.is_none() && args.application.is_none() && args.diff.is_none();
    if whole && !loose.is_empty() {
        outcome.notes.push(format!(
            "{} on nothing the graph draws (a blueprint's metadata, an object it does not show); \
             `bplint check` lists them",
            report::counted(loose.len(), "finding lies", "findings lie")
        ));
    }
    if matches!(args.format, GraphFormat::Mermaid | GraphFormat::Markdown) {
        for d in &diagrams {
            let size = graph::mermaid::diagram(&graph, d, false).len();
            if size > graph::mermaid::MAX_TEXT {
                outcome.warnings.push(format!(
                    "the diagram `{}` is {size} characters long, more than the {} Mermaid \
                     renders by default; draw less of it (--flow, --application, fewer paths)",
                    d.title,
                    graph::mermaid::MAX_TEXT
                ));
            }
        }
    }
    let text = match args.format {
        GraphFormat::Mermaid => graph::mermaid::render(&graph, &diagrams),
        GraphFormat::Markdown => {
            let empty = if args.diff.is_some() {
                "No flow, stage binding, policy binding, application, provider, outpost, source \
                 or brand changes."
            } else {
                "Nothing to draw."
            };
            graph::mermaid::markdown(&graph, &diagrams, &heading, empty)
        }
        GraphFormat::Dot => graph::dot::render(&graph, &diagrams),
        GraphFormat::Json => graph::json::render(&graph, &diagrams, version),
    };
    let style = Style {
        format: Format::Human,
        color: false,
        quiet: args.quiet,
        statistics: false,
        deny_warnings: false,
    };
    if let Err(code) = command::deliver(&outcome, &text, &style, args.output.as_deref()) {
        return Ok(code);
    }
    Ok(if outcome.io_errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_TROUBLE
    })
}

/// Runs `request` and draws its set. `shown`, for `--diff`, names the files
/// relative to the repository (see [`git::Shown`]), so both revisions name a
/// file alike.
fn graph_of(request: &Request, shown: Option<&git::Shown>) -> (Outcome, Graph, Vec<Finding>) {
    let outcome = pipeline::run(request);
    let (graph, loose) = draw_outcome(&outcome, request, shown);
    (outcome, graph, loose)
}

/// The graph of a run's outcome: its facts indexed again, as the set rules saw
/// them, its files named as `shown` names them.
fn draw_outcome(
    outcome: &Outcome,
    request: &Request,
    shown: Option<&git::Shown>,
) -> (Graph, Vec<Finding>) {
    let index = Index::build(
        request.judged.kb,
        &outcome.facts,
        &request.config.assume_exists,
    );
    let paths: Vec<PathBuf> = outcome
        .files
        .iter()
        .map(|f| shown.map_or_else(|| f.path.clone(), |s| s.path(&f.path)))
        .collect();
    let files: Vec<GraphFile<'_>> = outcome
        .files
        .iter()
        .zip(&paths)
        .map(|(f, path)| GraphFile {
            path,
            context: f.context,
            source: f.source.as_ref(),
        })
        .collect();
    graph::build(&Input {
        index: &index,
        files: &files,
        diagnostics: &outcome.diagnostics,
    })
}

/// The diagrams the flags ask for: one flow, one application, or every flow
/// the paths touch after the overview.
fn pick(graph: &Graph, args: &GraphArgs) -> Result<Vec<Diagram>, String> {
    if let Some(slug) = &args.flow {
        let flow = graph
            .find(Kind::Flow, slug)
            .ok_or_else(|| not_found(graph, Kind::Flow, slug))?;
        return Ok(vec![view::flow(graph, flow)]);
    }
    if let Some(slug) = &args.application {
        let app = graph
            .find(Kind::Application, slug)
            .ok_or_else(|| not_found(graph, Kind::Application, slug))?;
        return Ok(vec![view::application(graph, app)]);
    }
    let mut diagrams: Vec<Diagram> = view::overview(graph).into_iter().collect();
    diagrams.extend(view::flows(graph));
    Ok(diagrams)
}

/// "no flow `x`", with the nearest slug and the ones there are.
fn not_found(graph: &Graph, kind: Kind, slug: &str) -> String {
    let mut known: Vec<&str> = graph
        .nodes
        .iter()
        .filter(|n| {
            n.kind == kind
                && (n.given || kind == Kind::Flow)
                && matches!(
                    n.origin,
                    graph::Origin::Entry | graph::Origin::Builtin { .. }
                )
        })
        .map(|n| n.name.as_str())
        .collect();
    known.sort_unstable();
    known.dedup();
    let what = kind.as_str();
    let hint = crate::suggest::closest(slug, known.iter().copied())
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    let listed = if known.is_empty() {
        format!("the set defines no {what}")
    } else {
        const SHOWN: usize = 12;
        let mut names: Vec<String> = known.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
        if known.len() > SHOWN {
            names.push(format!("{} more", known.len() - SHOWN));
        }
        format!("{what}s: {}", names.join(", "))
    };
    format!("no {what} with slug `{slug}` in the set{hint} ({listed})")
}

/// Reading a revision's blueprints with git.
mod git {
    use super::*;

    /// How a file of either revision is named in the picture: relative to the
    /// repository's top folder, so a file is named alike in both.
    pub struct Shown {
        /// The work tree's top folder.
        top: PathBuf,
        /// Where the revision's files were written.
        old: PathBuf,
        cwd: PathBuf,
    }

    impl Shown {
        pub fn path(&self, path: &Path) -> PathBuf {
            let absolute = discover::normalize(&self.cwd.join(path));
            absolute
                .strip_prefix(&self.old)
                .or_else(|_| absolute.strip_prefix(&self.top))
                .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
        }
    }

    /// The blueprints of revision `rev`, written into a temporary folder laid
    /// out as the repository.
    pub struct OldTree {
        dir: tempfile::TempDir,
        pub shown: Shown,
    }

    /// Runs git in `dir`; its standard output, or what went wrong.
    fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot run git ({e}); --diff reads the revision with git"))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
        }
    }

    impl OldTree {
        pub fn read(rev: &str, request: &Request) -> Result<OldTree, String> {
            // Canonical, as git names the top folder (symbolic links resolved).
            let cwd = std::env::current_dir()
                .and_then(std::fs::canonicalize)
                .map_err(|e| format!("cannot tell the current folder: {e}"))?;
            // The work tree the first path lies in (the current folder's by default).
            let first = request.paths.first().map_or(cwd.clone(), |p| cwd.join(p));
            let probe = if first.is_dir() {
                first
            } else {
                first.parent().map_or(cwd.clone(), Path::to_path_buf)
            };
            let top = git(&probe, &["rev-parse", "--show-toplevel"]).map_err(|_| {
                format!(
                    "--diff compares with a git revision, but {} is not in a git work tree",
                    probe.display()
                )
            })?;
            let top = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches('\n'));
            if rev.starts_with('-') {
                return Err(format!("`{rev}` is not a revision"));
            }
            git(
                &top,
                &[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    &format!("{rev}^{{commit}}"),
                ],
            )
            .map_err(|_| {
                format!(
                    "git knows no commit `{rev}` in {} (a branch, tag or commit id)",
                    top.display()
                )
            })?;
            for path in &request.paths {
                let absolute = discover::normalize(&cwd.join(path));
                if !absolute.starts_with(&top) {
                    return Err(format!(
                        "{} is outside the git work tree {}, so it has no version at `{rev}`",
                        source::display_path(path),
                        top.display()
                    ));
                }
            }
            let dir = tempfile::Builder::new()
                .prefix("bplint-graph-")
                .tempdir()
                .map_err(|e| format!("cannot make a temporary folder for `{rev}`: {e}"))?;
            let listing = git(&top, &["ls-tree", "-r", "-z", "--full-tree", rev])
                .map_err(|e| format!("cannot list the files at `{rev}`: {e}"))?;
            for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
                let record = String::from_utf8_lossy(record);
                let Some((meta, path)) = record.split_once('\t') else {
                    continue;
                };
                // Regular files only: a symbolic link's blob is its target's name.
                if !(meta.starts_with("100644 blob") || meta.starts_with("100755 blob"))
                    || !discover::is_yaml(Path::new(path))
                {
                    continue;
                }
                let text = git(&top, &["show", &format!("{rev}:{path}")])
                    .map_err(|e| format!("{path}: cannot read it at `{rev}`: {e}"))?;
                let target = dir.path().join(path);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("{path}: cannot write its version at `{rev}`: {e}"))?;
                }
                std::fs::write(&target, text)
                    .map_err(|e| format!("{path}: cannot write its version at `{rev}`: {e}"))?;
            }
            let old = discover::normalize(dir.path());
            Ok(OldTree {
                dir,
                shown: Shown { top, old, cwd },
            })
        }

        /// `current` for the files at the revision: the same configuration,
        /// release and rules, the paths moved into the revision's folder (a
        /// path the revision does not have is left out), and the revision's
        /// repository as context.
        pub fn request(&self, current: &Request) -> Request {
            let moved = |path: &Path| {
                let absolute = discover::normalize(&self.shown.cwd.join(path));
                absolute
                    .strip_prefix(&self.shown.top)
                    .ok()
                    .map(|below| self.dir.path().join(below))
            };
            let paths: Vec<PathBuf> = current
                .paths
                .iter()
                .filter_map(|p| moved(p))
                .filter(|p| p.exists())
                .collect();
            let mut request = Request::new(
                paths.clone(),
                current.config.clone(),
                current.judged.clone(),
            );
            request.selection = current.selection.clone();
            request.max_file_size = current.max_file_size;
            request.keep_sources = true;
            let base = moved(&current.base).unwrap_or_else(|| self.dir.path().to_path_buf());
            request.exclude = discover::Exclude::new(&current.config.exclude, &base);
            request.base = base;
            // Nothing of the paths given existed then: an empty set, without context.
            if current.context_root.is_some() && !paths.is_empty() {
                request.context_root = Some(self.dir.path().to_path_buf());
            }
            request
        }
    }
}
