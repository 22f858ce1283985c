//! bplint: a linter for Authentik blueprints.
//!
//! Data flows through the modules in this order: `discover` (paths -> files),
//! `yaml` (text -> spanned tree typed as PyYAML types it), `model` (tree ->
//! blueprint, entries, typed tags), `knowledge` + `resolve` (what Authentik has and
//! what tags point at), `rules` (-> diagnostics), `report` (-> text). `pipeline`
//! wires the stages; `command` builds a request from the flags and turns an
//! outcome into a report and an exit code, for `check` here and for `upgrade`.

// Input must never crash bplint, so the library may not unwrap: every remaining
// `expect` carries an `#[allow]` saying why it cannot fail. Unit tests may unwrap.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod baseline;
pub mod cli;
pub mod clients;
pub mod command;
pub mod config;
pub mod detect;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod graph;
pub mod graph_command;
pub mod init;
pub mod instances;
pub mod knowledge;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod selection;
pub mod server;
pub mod source;
pub mod suggest;
pub mod suppression;
pub mod temporary;
pub mod upgrade;
pub mod yaml;

use clap::Parser;
use cli::{CheckArgs, Cli, Command, ListFormat};
use config::Config;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit status: no error-level finding.
pub const EXIT_OK: u8 = 0;
/// Exit status: findings that fail the check.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage, configuration or I/O error.
pub const EXIT_TROUBLE: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(args),
        Command::Upgrade(args) => upgrade::run(args),
        Command::Graph(args) => graph_command::run(args),
        Command::Explain { rule } => explain(&rule),
        Command::Rules { format } => list_rules(format),
        Command::Clients {
            paths,
            format,
            config,
        } => list_clients(paths, format, config.as_deref()),
        Command::Instances {
            paths,
            format,
            config,
            authentik_version,
        } => list_instances(
            &paths,
            format,
            config.as_deref(),
            authentik_version.as_deref(),
        ),
        Command::Init => init::run(),
        Command::Server => server::run(),
        Command::Completions { shell } => write_stdout(&cli::completions(shell)),
        Command::Man => match cli::man() {
            Ok(page) => write_stdout(&page),
            Err(e) => fail(&format!("cannot render the manual page: {e}")),
        },
    };
    ExitCode::from(code)
}

fn write_stdout(bytes: &[u8]) -> u8 {
    match std::io::stdout().lock().write_all(bytes) {
        Ok(()) => EXIT_OK,
        Err(_) => EXIT_TROUBLE,
    }
}

fn fail(message: &str) -> u8 {
    eprintln!("bplint: error: {message}");
    EXIT_TROUBLE
}

/// `bplint check`: build the request, run it (plain, or fixing first), render,
/// and exit by the findings.
fn check(args: CheckArgs) -> u8 {
    if let Some(message) = statistics_conflict(&args) {
        return fail(&message);
    }
    let (mut request, instances) = match command::build_requests(&args.run.set, args.run.quiet) {
        Ok(requests) => requests,
        Err(message) => return fail(&message),
    };
    if (args.fix || args.diff) && request.stdin.is_some() {
        return fail("--fix and --diff work on files, not on standard input");
    }
    let baseline = match load_baseline(&args, &request.config) {
        Ok(baseline) => baseline,
        Err(message) => return fail(&message),
    };
    if args.diff {
        return show_diff(&mut request, &args);
    }
    if args.fix {
        command::remove_temporaries_on_signals();
    }
    let (mut outcome, not_written) = if args.fix && !instances.is_empty() {
        fix_instances(instances, &args)
    } else if args.fix {
        fix_files(&mut request, &args)
    } else {
        // Several Authentik instances: one set each, merged for the report.
        let outcome = match instances.is_empty() {
            true => pipeline::run(&request),
            false => command::merge(
                instances
                    .into_iter()
                    .map(|(name, request)| (name, pipeline::run(&request)))
                    .collect(),
            ),
        };
        (outcome, Vec::new())
    };
    command::warn_if_nothing_checked(&mut outcome, &request);
    if let Some(path) = &args.write_baseline {
        for skipped in &not_written {
            eprintln!("bplint: error: {}", report::not_written(skipped));
        }
        return write_baseline(path, &outcome, &request.base);
    }
    if let Some(baseline) = &baseline {
        let applied = baseline::apply(&mut outcome, baseline, &request.base);
        outcome.notes.extend(baseline.note.clone());
        outcome.notes.extend(baseline::stale_note(&applied.stale));
    }
    let style = command::Style::of(&args.run, args.statistics);
    let text = command::render(&outcome, &style);
    if let Err(code) = command::deliver(&outcome, &text, &style, args.run.output.as_deref()) {
        return code;
    }
    for skipped in &not_written {
        eprintln!("bplint: error: {}", report::not_written(skipped));
    }
    // A fix that could not be written fails the run as a finding does: the
    // finding it was for is still in the file, and reported as such.
    let code = match command::exit_code(&outcome, args.run.deny_warnings) {
        EXIT_OK if !not_written.is_empty() => EXIT_FINDINGS,
        code => code,
    };
    let code = match code {
        EXIT_FINDINGS if args.exit_zero => EXIT_OK,
        code => code,
    };
    // The process ends here: freeing every file's text and findings one by one
    // would only keep a large run's exit waiting on the allocator.
    std::mem::forget(outcome);
    code
}

/// `--statistics` prints a table (human, concise) or JSON rows; a SARIF log, a
/// JUnit report or annotations hold findings, not counts, so an explicit
/// `--format` of those is refused rather than silently replaced. The `github`
/// format a CI environment picks by default gives way to the table.
fn statistics_conflict(args: &CheckArgs) -> Option<String> {
    use cli::Format;
    let format = args.run.format.filter(|_| args.statistics)?;
    let name = match format {
        Format::Sarif => "sarif",
        Format::Github => "github",
        Format::Junit => "junit",
        Format::Human | Format::Concise | Format::Json => return None,
    };
    Some(format!(
        "--statistics counts findings per rule and has no `{name}` form; use it with \
         --format human, concise or json, or drop --statistics for a {name} report of the findings"
    ))
}

/// The baseline to filter by: `--baseline`, else bplint.toml's; none while
/// `--write-baseline` records a new one.
fn load_baseline(args: &CheckArgs, config: &Config) -> Result<Option<baseline::Baseline>, String> {
    match (&args.write_baseline, &args.baseline, &config.baseline) {
        (Some(_), _, _) | (None, None, None) => Ok(None),
        (None, Some(path), _) | (None, None, Some(path)) => baseline::load(path).map(Some),
    }
}

/// `--diff`: print what `--fix` would change and write nothing; exit 1 when
/// there is anything to change.
fn show_diff(request: &mut pipeline::Request, args: &CheckArgs) -> u8 {
    let run = fix::fix(request, args.unsafe_fixes);
    let mut stdout = std::io::stdout().lock();
    for change in &run.changes {
        // Secrets are spans into the fixed text, which the last check read.
        let secrets = run
            .outcome
            .files
            .iter()
            .find(|f| f.path == change.path)
            .and_then(|f| f.source.as_ref())
            .map_or(&[][..], |s| s.secrets());
        let diff = report::diff::render(change, secrets);
        if stdout.write_all(diff.as_bytes()).is_err() {
            return EXIT_TROUBLE;
        }
    }
    if !args.run.quiet {
        eprintln!(
            "bplint: {}",
            report::diff_line(run.applied, run.changes.len())
        );
    }
    if run.changes.is_empty() || args.exit_zero {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}

/// `--fix`: apply the fixes, write the files, and return what is left with the
/// files that could not be written. The outcome is that of the files as they are
/// on disk: a file not written is checked again as it is there, so no finding
/// points into text that was never written.
fn fix_files(
    request: &mut pipeline::Request,
    args: &CheckArgs,
) -> (pipeline::Outcome, Vec<fix::Skipped>) {
    let run = fix::fix(request, args.unsafe_fixes);
    let written = fix::write(&run.changes);
    let mut outcome = run.outcome;
    if !written.skipped.is_empty() {
        for path in written.skipped.iter().flat_map(|s| &s.paths) {
            request.overlay.remove(path);
        }
        outcome = pipeline::run(request);
    }
    if !args.run.quiet {
        let (_, unsafe_left) = report::statistics::fixable(&outcome.diagnostics);
        let unsafe_left = if args.unsafe_fixes { 0 } else { unsafe_left };
        eprintln!(
            "bplint: {}",
            report::fixed_line(&written, run.changes.len(), unsafe_left)
        );
    }
    (outcome, written.skipped)
}

/// `--fix` on a repository of several instances: each instance's set is fixed
/// in turn at its own release (a file two instances deploy is fixed by the
/// first and judged again, as written, by the second), then every set is
/// checked again for the report.
fn fix_instances(
    mut instances: Vec<(String, pipeline::Request)>,
    args: &CheckArgs,
) -> (pipeline::Outcome, Vec<fix::Skipped>) {
    let mut written = fix::Written {
        fixes: 0,
        files: 0,
        skipped: Vec::new(),
    };
    let mut changed = 0;
    for (_, request) in &mut instances {
        let run = fix::fix(request, args.unsafe_fixes);
        let done = fix::write(&run.changes);
        changed += run.changes.len();
        written.fixes += done.fixes;
        written.files += done.files;
        written.skipped.extend(done.skipped);
    }
    let outcome = command::merge(
        instances
            .into_iter()
            .map(|(name, mut request)| {
                request.overlay.clear();
                (name, pipeline::run(&request))
            })
            .collect(),
    );
    if !args.run.quiet {
        let (_, unsafe_left) = report::statistics::fixable(&outcome.diagnostics);
        let unsafe_left = if args.unsafe_fixes { 0 } else { unsafe_left };
        eprintln!(
            "bplint: {}",
            report::fixed_line(&written, changed, unsafe_left)
        );
    }
    (outcome, written.skipped)
}

/// `--write-baseline`: record every finding and stop; the findings are the
/// baseline's, not failures, so the run exits 0 (2 if a path could not be read,
/// since the baseline then misses that file's findings).
fn write_baseline(path: &Path, outcome: &pipeline::Outcome, base: &Path) -> u8 {
    let findings = baseline::record(outcome, base);
    let count = findings.len();
    if let Err(message) = baseline::write(path, findings) {
        return fail(&message);
    }
    for error in &outcome.io_errors {
        eprintln!("bplint: error: {error}");
    }
    for warning in &outcome.warnings {
        eprintln!("bplint: warning: {warning}");
    }
    eprintln!(
        "bplint: recorded {} in {}; check with --baseline {} (or `baseline = ...` in bplint.toml) to report only new ones",
        report::counted(count, "finding", "findings"),
        source::display_path(path),
        source::display_path(path),
    );
    if outcome.io_errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_TROUBLE
    }
}

fn list_clients(paths: Vec<PathBuf>, format: ListFormat, config: Option<&Path>) -> u8 {
    let config = match command::load_config(config) {
        Ok(config) => config,
        Err(message) => return fail(&message),
    };
    if !config.discover_clients {
        return fail(
            "client discovery is switched off (`[discovery] clients = false` in bplint.toml)",
        );
    }
    // Matching clients to providers does not depend on the release, so the
    // repository's pins are not looked for: bplint.toml's release, else the newest.
    let judged = match detect::Judged::given(None, &config) {
        Some(Ok(judged)) => judged,
        Some(Err(message)) => return fail(&message),
        None => detect::Judged::newest(),
    };
    let outcome = pipeline::run(&pipeline::Request::new(paths, config, judged));
    print!(
        "{}",
        report::clients::render(&outcome, format == ListFormat::Json)
    );
    for error in &outcome.io_errors {
        eprintln!("bplint: error: {error}");
    }
    if outcome.io_errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_TROUBLE
    }
}

/// `bplint instances`: what the repository's deployment files show.
fn list_instances(
    paths: &[PathBuf],
    format: ListFormat,
    config: Option<&Path>,
    flag: Option<&str>,
) -> u8 {
    let config = match command::load_config(config) {
        Ok(config) => config,
        Err(message) => return fail(&message),
    };
    let survey = match command::survey(paths, &config, flag) {
        Ok(Some(survey)) => survey,
        Ok(None) => return fail("cannot tell which repository the paths belong to"),
        Err(message) => return fail(&message),
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let text = report::instances::render(
        &survey.instances,
        &survey.judged,
        survey.releases_differ.as_deref(),
        &cwd,
        format == ListFormat::Json,
    );
    write_stdout(text.as_bytes())
}

fn explain(rule: &str) -> u8 {
    match rules::find(rule) {
        Some(meta) => {
            print!("{}", meta.doc);
            EXIT_OK
        }
        None => {
            let hint = rules::suggest(rule)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            fail(&format!(
                "no rule `{rule}`{hint} (`bplint rules` lists them)"
            ))
        }
    }
}

fn list_rules(format: ListFormat) -> u8 {
    let metas = rules::ALL.iter().map(|r| r.meta());
    let text = match format {
        ListFormat::Json => report::rules::json(metas),
        ListFormat::Human => report::rules::human(metas),
    };
    print!("{text}");
    EXIT_OK
}
