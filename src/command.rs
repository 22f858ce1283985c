//! The steps `check` and `upgrade` share, so both read the same flags the same
//! way: build a request from the flags, the configuration and the detected
//! release; render the outcome; write the report and the notes; decide the exit
//! code.

use crate::cli::{Color, Format, RunArgs, SetArgs};
use crate::config::Config;
use crate::detect::{self, Judged};
use crate::diagnostic::fails_run;
use crate::pipeline::{Outcome, Request};
use crate::{EXIT_FINDINGS, EXIT_OK, EXIT_TROUBLE, discover, report, selection, source};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

pub fn load_config(explicit: Option<&Path>) -> Result<Config, String> {
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

/// The note for a release outside the embedded lines (`None` inside them).
/// Also the note for a patch past the newest bplint knows of a line that may
/// still get patches (`Knowledge::past_known_patch`).
pub fn outside_note(judged: &Judged) -> Option<String> {
    let kb = &judged.kb;
    if let Some(latest) = kb.past_known_patch() {
        return Some(format!(
            "Authentik {} is newer than {latest}, the newest {} patch bplint knows; \
             checking with the tables of {}",
            kb.version, kb.def.name, kb.def.name
        ));
    }
    kb.outside_known().map(|side| {
        format!(
            "Authentik {} is {side} than every release bplint knows; \
             checking with the tables of {}",
            kb.version, kb.def.name
        )
    })
}

/// The request `args` describe: the configuration, the release judged by (and
/// the notes about it, unless `quiet`), standard input when `-` is a path, the
/// rules selected and the repository read for context.
pub fn build_request(args: &SetArgs, quiet: bool) -> Result<Request, String> {
    let config = load_config(args.config.as_deref())?;
    // Standard input is placed where `--stdin-filename` says, else nowhere.
    let placed: Vec<PathBuf> = args
        .paths
        .iter()
        .filter_map(|path| match path == Path::new("-") {
            true => args.stdin_filename.clone(),
            false => Some(path.clone()),
        })
        .collect();
    let judged =
        detect::knowledge_for_run(args.authentik_version.as_deref(), &config, &placed, quiet)?;
    if let Some(note) = outside_note(&judged).filter(|_| !quiet) {
        eprintln!("bplint: note: {note}");
    }
    let mut paths = Vec::new();
    let mut stdin = None;
    for path in &args.paths {
        if path == Path::new("-") {
            let mut bytes = Vec::new();
            // One byte over the limit is enough for the pipeline to report it,
            // and a kilobyte to tell whether it is a blueprint at all.
            let limit = args
                .max_file_size
                .saturating_add(1)
                .max(crate::source::HEAD as u64);
            if let Err(e) = std::io::stdin().take(limit).read_to_end(&mut bytes) {
                return Err(format!("cannot read standard input: {e}"));
            }
            let name = args
                .stdin_filename
                .clone()
                .unwrap_or_else(|| PathBuf::from(crate::pipeline::STDIN_NAME));
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
    selection::validate(selectors.map(String::as_str))?;
    let mut request = Request::new(paths, config, judged);
    request
        .selection
        .apply(args.select.as_deref(), &args.extend_select, &args.ignore);
    request.stdin = stdin;
    request.max_file_size = args.max_file_size;
    if !args.isolated && request.config.context {
        request.context_root = discover::repository_root(request.config.path.as_deref());
    }
    Ok(request)
}

/// When the run checked no blueprint although it walked a folder, a warning
/// naming the paths given and what they held: a wrong folder or an empty
/// repository passes with exit 0, and the person running bplint should hear that
/// nothing was judged.
pub fn warn_if_nothing_checked(outcome: &mut Outcome, request: &Request) {
    if outcome.files_checked() > 0 || !outcome.diagnostics.is_empty() {
        return;
    }
    // A file named on the command line (or standard input) that is not a
    // blueprint already has its note, and one that cannot be read its error.
    if !request.paths.iter().any(|p| p.is_dir()) {
        return;
    }
    const SHOWN: usize = 3;
    let mut given: Vec<String> = request
        .paths
        .iter()
        .map(|p| format!("`{}`", source::display_path(p)))
        .collect();
    if given.len() > SHOWN {
        let more = given.len() - SHOWN;
        given.truncate(SHOWN);
        given.push(format!("{more} more"));
    }
    let yaml = outcome
        .files
        .iter()
        .filter(|f| !f.context && discover::is_yaml(&f.path))
        .count();
    let held = match yaml {
        0 => "no `.yaml` or `.yml` file is there".to_string(),
        n => format!(
            "{} read, none of them a blueprint (a mapping with `entries`, or with `version` \
             and `metadata`)",
            report::counted(n, "YAML file", "YAML files")
        ),
    };
    outcome.warnings.push(format!(
        "no blueprint found in {}: {held}; nothing was checked",
        crate::diagnostic::and_list(&given)
    ));
}

/// How the report looks: the format, colour, and what the person watching sees.
pub struct Style {
    pub format: Format,
    pub color: bool,
    pub quiet: bool,
    /// `check --statistics`: counts per rule instead of findings.
    pub statistics: bool,
    pub deny_warnings: bool,
}

impl Style {
    pub fn of(args: &RunArgs, statistics: bool) -> Self {
        let color = match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                args.output.is_none()
                    && std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Style {
            format: args.format(),
            color,
            quiet: args.quiet,
            statistics,
            deny_warnings: args.deny_warnings,
        }
    }

    /// The fix hint after the summary, when anything is fixable and someone reads it.
    fn hint(&self, outcome: &Outcome) -> Option<String> {
        report::fix_hint(outcome).filter(|_| !self.quiet && !self.statistics)
    }
}

/// The report in the chosen format.
pub fn render(outcome: &Outcome, style: &Style) -> String {
    match style.format {
        _ if style.statistics => report::statistics::render(outcome, style.format == Format::Json),
        Format::Human if style.quiet => report::human::render_findings(outcome, style.color),
        Format::Human => {
            let mut text = report::human::render(outcome, style.color);
            text.extend(style.hint(outcome).iter().map(|hint| format!("{hint}\n")));
            text
        }
        Format::Concise => report::concise::render(outcome),
        Format::Json => report::json::render(outcome),
        Format::Sarif => report::sarif::render(outcome),
        Format::Github => report::github::render(outcome),
        Format::Junit => report::junit::render(outcome, style.deny_warnings),
    }
}

/// Prints the notes and errors to standard error, writes the report `text` to
/// `--output` or standard output, then (for the line formats, which keep the
/// report to findings) the summary. `Err` carries the exit code when the report
/// could not be written.
pub fn deliver(
    outcome: &Outcome,
    text: &str,
    style: &Style,
    output: Option<&Path>,
) -> Result<(), u8> {
    for note in outcome.notes.iter().filter(|_| !style.quiet) {
        eprintln!("bplint: note: {note}");
    }
    for warning in outcome.warnings.iter().filter(|_| !style.quiet) {
        eprintln!("bplint: warning: {warning}");
    }
    if let Some(first) = outcome.templates.first().filter(|_| !style.quiet) {
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
    let line_format = matches!(style.format, Format::Concise | Format::Github);
    // The header comes first on a terminal, before the findings it introduces.
    if let Some(header) = report::upgrade_header(outcome).filter(|_| line_format && !style.quiet) {
        eprintln!("{header}");
    }
    match output {
        Some(path) => {
            remove_temporaries_on_signals();
            if let Err(e) = report::output::write_atomically(path, text) {
                eprintln!(
                    "bplint: error: cannot write the report to {}: {}",
                    source::display_path(path),
                    discover::describe_io(&e)
                );
                return Err(EXIT_TROUBLE);
            }
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(text.as_bytes()).is_err() {
                return Err(EXIT_TROUBLE);
            }
        }
    }
    // Line formats keep the report to findings; the summary is for the person
    // watching.
    if line_format && !style.quiet && !style.statistics {
        eprintln!("{}", report::summary_line(outcome));
        if let Some(hint) = style.hint(outcome) {
            eprintln!("{hint}");
        }
    }
    Ok(())
}

/// On Ctrl-C, a kill or a closed terminal while bplint writes files (`--fix`,
/// `--output`): delete the temporary file of a write under way (the file it was
/// to replace is left as it was; files already written stay written) and exit
/// 128 + the signal's number, 130 for Ctrl-C and 143 for a kill, as a shell
/// reports a process a signal ended. Installed once, and only by runs that
/// write: a run that does not is left to the signals' default.
#[cfg(unix)]
pub fn remove_temporaries_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        // Without a handler the signal still ends bplint, as it would have anyway.
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until the exit: no new temporary file in between.
                let _stopped = crate::temporary::remove_all();
                eprintln!("bplint: interrupted; files not yet written are unchanged");
                std::process::exit(128 + signal);
            }
        });
    });
}

#[cfg(not(unix))]
pub fn remove_temporaries_on_signals() {}

/// 2 when a path could not be read, else 1 when a finding fails the run
/// (`fails_run`), else 0.
pub fn exit_code(outcome: &Outcome, deny_warnings: bool) -> u8 {
    if !outcome.io_errors.is_empty() {
        EXIT_TROUBLE
    } else if outcome
        .diagnostics
        .iter()
        .any(|d| fails_run(d, deny_warnings))
    {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
