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

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod knowledge;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod source;
pub mod suggest;
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
    };
    ExitCode::from(code)
}

fn fail(message: &str) -> u8 {
    eprintln!("bplint: error: {message}");
    EXIT_TROUBLE
}

fn load_config(args: &CheckArgs) -> Result<Config, String> {
    let path = match &args.config {
        Some(path) => Some(path.clone()),
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
    let config = match load_config(&args) {
        Ok(config) => config,
        Err(message) => return fail(&message),
    };
    let version = args
        .authentik_version
        .as_deref()
        .or(config.authentik_version.as_deref());
    let kb = match version {
        Some(v) => match Knowledge::for_version(v) {
            Ok(kb) => kb,
            Err(message) => return fail(&message),
        },
        None => Knowledge::newest(),
    };
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
    let request = pipeline::Request {
        paths,
        stdin,
        config,
        kb,
        max_file_size: args.max_file_size,
    };
    let outcome = pipeline::run(&request);
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let text = match args.format {
        Format::Human => report::human::render(&outcome, color),
        Format::Json => report::json::render(&outcome),
    };
    for note in &outcome.notes {
        eprintln!("bplint: note: {note}");
    }
    for error in &outcome.io_errors {
        eprintln!("bplint: error: {error}");
    }
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).is_err() {
        return EXIT_TROUBLE;
    }
    if !outcome.io_errors.is_empty() {
        return EXIT_TROUBLE;
    }
    let failing = outcome.diagnostics.iter().any(|d| {
        d.severity == Severity::Error || (args.deny_warnings && d.severity == Severity::Warning)
    });
    if failing { EXIT_FINDINGS } else { EXIT_OK }
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
        ListFormat::Json => {
            let list: Vec<_> = metas
                .map(|m| {
                    serde_json::json!({
                        "code": m.code,
                        "name": m.name,
                        "severity": m.severity,
                        "fix": m.fix,
                        "summary": m.summary,
                    })
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
            text.push('\n');
            text
        }
        ListFormat::Human => metas
            .map(|m| {
                let fix = match m.fix {
                    Some(diagnostic::Applicability::Safe) => "fix",
                    Some(diagnostic::Applicability::Unsafe) => "unsafe fix",
                    None => "",
                };
                format!(
                    "{:<6} {:<32} {:<8} {:<11} {}\n",
                    m.code,
                    m.name,
                    m.severity.as_str(),
                    fix,
                    m.summary
                )
            })
            .collect(),
    };
    print!("{text}");
    EXIT_OK
}
