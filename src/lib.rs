//! bplint: a linter for Authentik blueprints.
//!
//! Data flows through the modules in this order: `discover` (paths -> files),
//! `yaml` (text -> spanned tree typed as PyYAML types it), `model` (tree ->
//! blueprint, entries, typed tags), `knowledge` + `resolve` (what Authentik has and
//! what tags point at), `rules` (-> diagnostics), `report` (-> text). `pipeline`
//! wires the stages; `main` only maps the outcome to an exit code.

// Input must never crash bplint, so the library may not unwrap: every remaining
// `expect` carries an `#[allow]` saying why it cannot fail. Unit tests may unwrap.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod baseline;
pub mod cli;
pub mod clients;
pub mod config;
pub mod detect;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod init;
pub mod knowledge;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod selection;
pub mod source;
pub mod suggest;
pub mod suppression;
pub mod yaml;

use clap::Parser;
use cli::{CheckArgs, Cli, Color, Command, Format, ListFormat};
use config::Config;
use diagnostic::Severity;
use knowledge::Knowledge;
use std::io::{IsTerminal, Read, Write};
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
        Command::Explain { rule } => explain(&rule),
        Command::Rules { format } => list_rules(format),
        Command::Clients {
            paths,
            format,
            config,
        } => list_clients(paths, format, config.as_deref()),
        Command::Init => init::run(),
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

fn load_config(explicit: Option<&Path>) -> Result<Config, String> {
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| Config::discover(&dir)),
    };
    match path {
        Some(path) => Config::load(&path).map_err(|e| e.0),
        None => Ok(Config::default()),
    }
}

fn check(args: CheckArgs) -> u8 {
    let config = match load_config(args.config.as_deref()) {
        Ok(config) => config,
        Err(message) => return fail(&message),
    };
    let kb = match detect::knowledge_for_run(
        args.authentik_version.as_deref(),
        &config,
        &args.paths,
        args.quiet,
    ) {
        Ok(kb) => kb,
        Err(message) => return fail(&message),
    };
    if let Some(side) = kb.outside_known().filter(|_| !args.quiet) {
        eprintln!(
            "bplint: note: Authentik {} is {side} than every release bplint knows; \
             checking with the tables of {}",
            kb.version, kb.def.name
        );
    }
    let mut paths = Vec::new();
    let mut stdin = None;
    for path in &args.paths {
        if path == Path::new("-") {
            let mut bytes = Vec::new();
            // One byte over the limit is enough for the pipeline to report it.
            let limit = args.max_file_size.saturating_add(1);
            if let Err(e) = std::io::stdin().take(limit).read_to_end(&mut bytes) {
                return fail(&format!("cannot read standard input: {e}"));
            }
            let name = args
                .stdin_filename
                .clone()
                .unwrap_or_else(|| PathBuf::from("<stdin>"));
            stdin = Some((name, bytes));
        } else {
            paths.push(path.clone());
        }
    }
    let selectors = args
        .select
        .iter()
        .flatten()
        .chain(&args.extend_select)
        .chain(&args.ignore);
    if let Err(message) = selection::validate(selectors.map(String::as_str)) {
        return fail(&message);
    }
    if (args.fix || args.diff) && stdin.is_some() {
        return fail("--fix and --diff work on files, not on standard input");
    }
    let mut request = pipeline::Request::new(paths, config, kb);
    request
        .selection
        .apply(args.select.as_deref(), &args.extend_select, &args.ignore);
    request.stdin = stdin;
    request.max_file_size = args.max_file_size;
    if !args.isolated && request.config.context {
        request.context_root = discover::repository_root(request.config.path.as_deref());
    }
    let baseline = match (
        &args.write_baseline,
        &args.baseline,
        &request.config.baseline,
    ) {
        (Some(_), _, _) | (None, None, None) => None,
        (None, Some(path), _) | (None, None, Some(path)) => match baseline::load(path) {
            Ok(baseline) => Some(baseline),
            Err(message) => return fail(&message),
        },
    };
    let mut fix_problems = Vec::new();
    let outcome = if args.fix || args.diff {
        let run = fix::fix(&mut request, args.unsafe_fixes);
        if args.diff {
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
            if !args.quiet {
                eprintln!(
                    "bplint: {} fix{} would change {} file{}",
                    run.applied,
                    if run.applied == 1 { "" } else { "es" },
                    run.changes.len(),
                    if run.changes.len() == 1 { "" } else { "s" }
                );
            }
            return if run.changes.is_empty() || args.exit_zero {
                EXIT_OK
            } else {
                EXIT_FINDINGS
            };
        }
        fix_problems = fix::write(&run.changes);
        if !args.quiet {
            eprintln!(
                "bplint: applied {} fix{} in {} file{}",
                run.applied,
                if run.applied == 1 { "" } else { "es" },
                run.changes.len(),
                if run.changes.len() == 1 { "" } else { "s" }
            );
        }
        run.outcome
    } else {
        pipeline::run(&request)
    };
    let mut outcome = outcome;
    if let Some(path) = &args.write_baseline {
        return write_baseline(path, &outcome, &request.base);
    }
    if let Some(baseline) = &baseline {
        let applied = baseline::apply(&mut outcome, baseline, &request.base);
        outcome.notes.extend(baseline::stale_note(&applied.stale));
    }
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let format = args.format();
    let hint = report::fix_hint(&outcome).filter(|_| !args.quiet && !args.statistics);
    let text = match format {
        _ if args.statistics => report::statistics::render(&outcome, format == Format::Json),
        Format::Human if args.quiet => report::human::render_findings(&outcome, color),
        Format::Human => {
            let mut text = report::human::render(&outcome, color);
            text.extend(hint.iter().map(|hint| format!("{hint}\n")));
            text
        }
        Format::Concise => report::concise::render(&outcome),
        Format::Json => report::json::render(&outcome),
        Format::Sarif => report::sarif::render(&outcome),
        Format::Github => report::github::render(&outcome),
        Format::Junit => report::junit::render(&outcome, args.deny_warnings),
    };
    for note in outcome.notes.iter().filter(|_| !args.quiet) {
        eprintln!("bplint: note: {note}");
    }
    if let Some(first) = outcome.templates.first().filter(|_| !args.quiet) {
        let more = outcome.templates.len() - 1;
        eprintln!(
            "bplint: note: skipped {} templated file{} (`{{{{ }}}}`, not YAML until rendered: {}{}); \
             lint the rendered output instead, e.g. `helm template ... | bplint check -`",
            outcome.templates.len(),
            if more == 0 { "" } else { "s" },
            source::display_path(first),
            if more == 0 {
                String::new()
            } else {
                format!(" and {more} more")
            },
        );
    }
    for error in &outcome.io_errors {
        eprintln!("bplint: error: {error}");
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = report::output::write_atomically(path, &text) {
                return fail(&format!(
                    "cannot write the report to {}: {}",
                    source::display_path(path),
                    discover::describe_io(&e)
                ));
            }
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(text.as_bytes()).is_err() {
                return EXIT_TROUBLE;
            }
        }
    }
    // Line formats keep the report to findings; the summary is for the person
    // watching.
    if matches!(format, Format::Concise | Format::Github) && !args.quiet && !args.statistics {
        eprintln!("{}", report::summary_line(&outcome));
        if let Some(hint) = &hint {
            eprintln!("{hint}");
        }
    }
    for problem in &fix_problems {
        eprintln!("bplint: error: {problem}");
    }
    if !outcome.io_errors.is_empty() || !fix_problems.is_empty() {
        return EXIT_TROUBLE;
    }
    let failing = !args.exit_zero
        && outcome.diagnostics.iter().any(|d| {
            d.severity == Severity::Error || (args.deny_warnings && d.severity == Severity::Warning)
        });
    if failing { EXIT_FINDINGS } else { EXIT_OK }
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
    eprintln!(
        "bplint: recorded {count} finding{} in {}; check with --baseline {} (or `baseline = ...` in bplint.toml) to report only new ones",
        if count == 1 { "" } else { "s" },
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
    let config = match load_config(config) {
        Ok(config) => config,
        Err(message) => return fail(&message),
    };
    if !config.discover_clients {
        return fail(
            "client discovery is switched off (`[discovery] clients = false` in bplint.toml)",
        );
    }
    let kb = match config.authentik_version.as_deref() {
        Some(v) => match Knowledge::for_version(v) {
            Ok(kb) => kb,
            Err(message) => return fail(&message),
        },
        None => Knowledge::newest(),
    };
    let outcome = pipeline::run(&pipeline::Request::new(paths, config, kb));
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
