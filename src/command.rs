//! The steps `check` and `upgrade` share, so both read the same flags the same
//! way: build a request from the flags, the configuration and the detected
//! release; render the outcome; write the report and the notes; decide the exit
//! code.

use crate::cli::{Color, Format, RunArgs, SetArgs};
use crate::config::Config;
use crate::detect::{self, Judged};
use crate::diagnostic::fails_run;
use crate::instances::{self, InstanceRun, Instances};
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
    request_from(args, quiet, config, None)
}

/// The request `args` describe, and one request per Authentik instance when
/// the repository holds several (see [`instance_requests`]); the repository's
/// single release is then not noted, each instance having its own.
pub fn build_requests(
    args: &SetArgs,
    quiet: bool,
) -> Result<(Request, Vec<(String, Request)>), String> {
    let config = load_config(args.config.as_deref())?;
    let survey = match args.paths.iter().any(|p| p == Path::new("-")) {
        true => None,
        false => survey(&args.paths, &config, args.authentik_version.as_deref())?,
    };
    // Unclear evidence keeps one set, and says why.
    if let Some(survey) = survey.as_ref().filter(|s| !splits(s) && !quiet) {
        for note in &survey.instances.notes {
            eprintln!("bplint: note: {note}");
        }
    }
    // One instance deploying every blueprint: one set, at the release the pin
    // of the files that deploy it names.
    let single = survey
        .as_ref()
        .filter(|s| !splits(s) && s.instances.list.len() == 1)
        .filter(|s| {
            s.judged
                .first()
                .is_some_and(|j| matches!(j.source, detect::VersionSource::Pin { .. }))
        });
    let note = single
        .and_then(|s| s.disagreeing.first())
        .and_then(Option::as_ref);
    if let Some(note) = note.filter(|_| !quiet) {
        eprintln!("bplint: note: {note}");
    }
    let single = single.and_then(|s| s.judged.first()).cloned();
    let survey = survey.filter(splits);
    let base = request_from(args, quiet || survey.is_some(), config, single)?;
    let runs = match survey {
        Some(survey) => instance_requests(survey, &base, quiet),
        None => Vec::new(),
    };
    Ok((base, runs))
}

fn request_from(
    args: &SetArgs,
    quiet: bool,
    config: Config,
    judged: Option<Judged>,
) -> Result<Request, String> {
    // Standard input is placed where `--stdin-filename` says, else nowhere.
    let placed: Vec<PathBuf> = args
        .paths
        .iter()
        .filter_map(|path| match path == Path::new("-") {
            true => args.stdin_filename.clone(),
            false => Some(path.clone()),
        })
        .collect();
    let judged = match judged {
        Some(judged) => judged,
        None => {
            detect::knowledge_for_run(args.authentik_version.as_deref(), &config, &placed, quiet)?
        }
    };
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

/// The Authentik instances of the repository the paths lie in, and the
/// release each is judged by: `--authentik-version`, else the instance's own
/// `authentik_version` in `[[instances]]`, else bplint.toml's, else the pin of
/// the files that deploy it (or the nearest to where it starts), else the
/// newest. The root is the repository as detection bounds it.
pub struct Survey {
    pub root: PathBuf,
    pub instances: Instances,
    pub judged: Vec<Judged>,
    /// Instances that pin different releases, for a note.
    pub releases_differ: Option<String>,
    /// Per instance: a note naming another pin of another release that the
    /// instance's release was chosen over.
    pub disagreeing: Vec<Option<String>>,
}

pub fn survey(
    paths: &[PathBuf],
    config: &Config,
    flag: Option<&str>,
) -> Result<Option<Survey>, String> {
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(None);
    };
    let config_dir = config.path.as_deref().and_then(Path::parent);
    let Some(root) = detect::repository_of(paths, &cwd, config_dir) else {
        return Ok(None);
    };
    let instances = instances::find(
        &root,
        &config.instances,
        config_dir.map(|d| cwd.join(d)).as_deref(),
        &instances::holds_blueprint,
    );
    let mut judged = Vec::new();
    let mut pinned = Vec::new();
    let mut disagreeing = Vec::new();
    for instance in &instances.list {
        let given = match (flag, &instance.authentik_version) {
            (None, Some(version)) => Some(
                crate::knowledge::Knowledge::for_version(version)
                    .map(|kb| Judged::new(kb, detect::VersionSource::Config))
                    .map_err(|e| format!("instance `{}`: {e}", instance.name)),
            ),
            _ => Judged::given(flag, config),
        };
        let mut other = None;
        let one = match given {
            Some(given) => given?,
            None if config.detect_version => {
                let found = detect::detect_instance(&root, &instance.entries, &|p| {
                    instance.applies.contains(p)
                });
                let shown = |pin: &detect::Pin| {
                    let path = pin.path.strip_prefix(&cwd).unwrap_or(&pin.path);
                    format!(
                        "{} ({}:{})",
                        pin.version,
                        source::display_path(path),
                        pin.line
                    )
                };
                other = found.as_ref().and_then(|found| {
                    found.disagreeing.as_ref().map(|pin| {
                        format!(
                            "the repository pins Authentik {} and {}; judging `{}` by the first, \
                             the pin of the files that deploy it or else the nearest (set \
                             `authentik_version` in bplint.toml to settle it)",
                            shown(&found.chosen),
                            shown(pin),
                            instance.name
                        )
                    })
                });
                let chosen = found.and_then(|found| {
                    let kb =
                        crate::knowledge::Knowledge::for_version(&found.chosen.version).ok()?;
                    let path = found
                        .chosen
                        .path
                        .strip_prefix(&cwd)
                        .unwrap_or(&found.chosen.path)
                        .to_path_buf();
                    Some(Judged::new(
                        kb,
                        detect::VersionSource::Pin {
                            path,
                            line: found.chosen.line,
                        },
                    ))
                });
                chosen.unwrap_or_else(Judged::newest)
            }
            None => Judged::newest(),
        };
        if matches!(one.source, detect::VersionSource::Pin { .. }) {
            pinned.push(format!(
                "{} {}",
                instance.name,
                report::release_phrase(&one).trim_start_matches("Authentik ")
            ));
        }
        judged.push(one);
        disagreeing.push(other);
    }
    let versions: std::collections::BTreeSet<String> = judged
        .iter()
        .filter(|j| matches!(j.source, detect::VersionSource::Pin { .. }))
        .map(|j| j.kb.version.to_string())
        .collect();
    let releases_differ = (versions.len() > 1).then(|| {
        format!(
            "the instances pin different Authentik releases ({}); each is checked at its own",
            pinned.join(", ")
        )
    });
    Ok(Some(Survey {
        root,
        instances,
        judged,
        releases_differ,
        disagreeing,
    }))
}

/// Whether the survey splits the run: more than one instance, or blueprints
/// no instance deploys (those form a set of their own, `not deployed`, so they
/// conflict with nothing deployed). No evidence, or one instance deploying
/// every blueprint, keeps one set.
pub fn splits(survey: &Survey) -> bool {
    let list = &survey.instances.list;
    list.len() > 1 || (list.len() == 1 && !survey.instances.undeployed.is_empty())
}

/// One request per instance of `survey`, and one for the blueprints no
/// instance deploys; `base` is the request the flags describe.
pub fn instance_requests(survey: Survey, base: &Request, quiet: bool) -> Vec<(String, Request)> {
    let list = &survey.instances.list;
    if !quiet {
        for note in &survey.instances.notes {
            eprintln!("bplint: note: {note}");
        }
        if let Some(note) = &survey.releases_differ {
            eprintln!("bplint: note: {note}");
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        for file in &survey.instances.undeployed {
            eprintln!(
                "bplint: note: {}: no instance deploys this blueprint (no Flux \
                 Kustomization, Argo CD Application, HelmRelease `values.blueprints`, compose \
                 volume or `[[instances]]` reaches it); it is checked apart from the deployed \
                 ones, as instance `{NOT_DEPLOYED}`",
                source::display_path(file.strip_prefix(&cwd).unwrap_or(file))
            );
        }
    }
    let every: Vec<&PathBuf> = list
        .iter()
        .flat_map(|i| &i.blueprints)
        .chain(&survey.instances.undeployed)
        .collect();
    let request_for = |own: &[PathBuf], judged: Judged| {
        let mut request = Request::new(base.paths.clone(), base.config.clone(), judged);
        request.selection = base.selection.clone();
        request.max_file_size = base.max_file_size;
        request.context_root = base.context_root.clone();
        request.outside = every
            .iter()
            .filter(|b| !own.contains(b))
            .map(|b| (*b).clone())
            .collect();
        request
    };
    let mut requests: Vec<(String, Request)> = list
        .iter()
        .zip(&survey.judged)
        .map(|(instance, judged)| {
            (
                instance.name.clone(),
                request_for(&instance.blueprints, judged.clone()),
            )
        })
        .collect();
    if !survey.instances.undeployed.is_empty() {
        requests.push((
            NOT_DEPLOYED.to_string(),
            request_for(&survey.instances.undeployed, base.judged.clone()),
        ));
    }
    requests
}

/// The name the blueprints no instance deploys are reported under.
pub const NOT_DEPLOYED: &str = "not deployed";

/// The outcomes of the instances' runs as one: file ids shifted so each
/// finding still names its own file record, notes and errors said once.
pub fn merge(runs: Vec<(String, Outcome)>) -> Outcome {
    let mut merged = Outcome::default();
    for (name, mut outcome) in runs {
        let offset = merged.files.len();
        let shift = |d: &mut crate::diagnostic::Diagnostic| {
            d.file += offset;
            for related in &mut d.related {
                related.file += offset;
            }
        };
        outcome.diagnostics.iter_mut().for_each(shift);
        outcome.baselined.iter_mut().for_each(shift);
        for client in &mut outcome.clients {
            client.file += offset;
            if let Some((_, file, _)) = &mut client.provider {
                *file += offset;
            }
        }
        for facts in &mut outcome.facts {
            // Shared with the server's memo, a blueprint's facts are copied here.
            std::sync::Arc::make_mut(facts).file += offset;
        }
        if merged.instances.is_empty() {
            merged.judged = outcome.judged.clone();
        }
        merged.instances.push(InstanceRun {
            name,
            judged: outcome.judged.clone(),
            files: offset..offset + outcome.files.len(),
        });
        merged.files.append(&mut outcome.files);
        merged.diagnostics.append(&mut outcome.diagnostics);
        merged.baselined.append(&mut outcome.baselined);
        merged.clients.append(&mut outcome.clients);
        merged.facts.append(&mut outcome.facts);
        for (into, from) in [
            (&mut merged.notes, outcome.notes),
            (&mut merged.warnings, outcome.warnings),
            (&mut merged.io_errors, outcome.io_errors),
        ] {
            for line in from {
                if !into.contains(&line) {
                    into.push(line);
                }
            }
        }
        for template in outcome.templates {
            if !merged.templates.contains(&template) {
                merged.templates.push(template);
            }
        }
    }
    merged
}
