//! Command-line interface.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Lint Authentik blueprints before Authentik applies them.
///
/// bplint reads blueprints the way Authentik's importer does (PyYAML typing, the
/// custom tags, the models and built-in objects of your release) and reports
/// mistakes on the exact line and column, with a fix where one is mechanical.
#[derive(Debug, Parser)]
#[command(name = "bplint", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// One value per run, parsed once: boxing `CheckArgs` to even out the variants
// would save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check blueprint files and folders (the default folder is `.`).
    ///
    /// Folders are walked recursively, honouring .gitignore and skipping hidden
    /// folders; `.yaml`/`.yml` files that are blueprints are checked, other YAML is
    /// skipped. Other YAML and INI/TOML/env files are also read for OIDC client
    /// settings (see `bplint clients`). `-` reads one blueprint from standard input.
    ///
    /// Exit status: 0 no errors, 1 errors found (or warnings with
    /// --deny-warnings, or a fix --fix could not write), 2 a path could not be
    /// read or a blueprint was too large, or the configuration or the usage is
    /// bad; 130 or 143 when Ctrl-C or a kill stopped a run that writes files.
    Check(CheckArgs),
    /// Report what upgrading Authentik would break in these blueprints.
    ///
    /// Checks the set twice: at the current release (`--authentik-version`, else
    /// bplint.toml's `authentik_version`, else the release the repository pins,
    /// as `check` finds it) and at `--to`. Reports the findings that appear at
    /// `--to` and not now, each with its fix where there is one, then what the
    /// upgrade resolves. Findings are matched by file, rule and position, never
    /// by message (messages name the release).
    ///
    /// For example, on the base branch of a pull request that bumps Authentik to
    /// 2026.2.0, where the repository's pin still names the old release:
    /// `bplint upgrade --to 2026.2.0 blueprints/`. On the pull request's branch,
    /// where the pin names the new release, give the old one:
    /// `bplint upgrade --authentik-version 2025.10.1 --to 2026.2.0 blueprints/`.
    ///
    /// Exit status: 0 the upgrade adds no error, 1 it adds an error (or a warning
    /// with --deny-warnings), 2 a bad --to release, an unreadable path, or a bad
    /// configuration or usage.
    Upgrade(UpgradeArgs),
    /// Draw the flows and applications the blueprints define, before Authentik
    /// applies them: Mermaid (default), Markdown for a pull-request comment,
    /// Graphviz DOT, or JSON.
    ///
    /// The picture is of the set `check` judges: every `!KeyOf` and `!Find`
    /// resolved across the files, the repository's other blueprints as context,
    /// and the built-in objects of the release (`--authentik-version`, else
    /// bplint.toml's, else the pinned one). The same rules run, and each
    /// finding is drawn on the object or binding its entry defines.
    ///
    /// Drawn: one diagram per flow the paths define or bind stages or policies
    /// to, its stages in binding order (each edge carries the binding's
    /// `order`, and `evaluate_on_plan`, `re_evaluate_policies` where set), the
    /// policies, groups and users bound to it or to a stage binding (with
    /// `negate`, `failure_result` where set) and the flows its stages lead to;
    /// then an overview of the applications, providers, outposts, sources and
    /// brands and the flows they lead to. Built-in objects are shaded; a
    /// reference that resolves to nothing is drawn dangling with its finding's
    /// code (BP205, BP006); one bplint cannot follow (an object only the
    /// database holds, a value set by a tag) is drawn dashed, as unknown.
    ///
    /// With `--diff REV`, one diagram of what changes between git revision REV
    /// and the work tree: nodes and edges added, removed or changed, marked.
    ///
    /// Exit status: 0 the picture was drawn (findings do not fail it; `bplint
    /// check` judges them), 2 a path could not be read, `--flow` or
    /// `--application` names nothing in the set, `--diff` outside a git work
    /// tree or with a revision git does not know, or a bad configuration or
    /// usage.
    #[command(after_long_help = GRAPH_EXAMPLES)]
    Graph(GraphArgs),
    /// Print a rule's documentation: what it checks, why, and examples.
    Explain {
        /// A rule code (`BP101`) or name (`missing-invalidation-flow`).
        rule: String,
    },
    /// List the OIDC clients found next to the blueprints (oauth2-proxy, Grafana,
    /// any config naming a client id and scopes) and the provider each one uses.
    ///
    /// BP102 uses these to warn when a client asks for `offline_access` from a
    /// provider that does not map it; this shows what it found and why.
    Clients {
        /// Files or folders to search (the default folder is `.`).
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// Configuration file (default: the nearest bplint.toml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// The Authentik instances (deployments) the repository's files show, the
    /// evidence for each (Flux Kustomization, Argo CD Application, compose
    /// volumes, `[[instances]]` in bplint.toml), their blueprints and release,
    /// and the blueprints no instance deploys. `check` checks each instance as a
    /// blueprint set of its own.
    Instances {
        /// Files or folders of the repository (the default folder is `.`).
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// Configuration file (default: the nearest bplint.toml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The release for every instance, as `check --authentik-version`.
        #[arg(long, value_name = "VERSION")]
        authentik_version: Option<String>,
    },
    /// Run the language server: the Language Server Protocol over standard input
    /// and output, for editors (docs/editors.md).
    ///
    /// Each workspace folder the editor opens is a blueprint set (one per
    /// Authentik instance when the repository deploys several), checked as
    /// `check` run there checks it (bplint.toml, the detected release, the
    /// rules) with the text of open files in place of what is on disk; the
    /// findings of the open files are sent. Diagnostics, quick fixes,
    /// suppression comments, hover, go to definition, references, completion
    /// and the outline.
    Server,
    /// List every rule with its code, name, default severity and fix.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Write a commented starter bplint.toml into the current folder.
    ///
    /// It sets `authentik_version` to the release the repository pins (a comment
    /// names the pin), or leaves it commented out when nothing pins one, and shows
    /// the other keys as examples. An existing bplint.toml is never replaced (exit 2).
    Init,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// For example `bplint completions bash > ~/.local/share/bash-completion/completions/bplint`
    /// or `bplint completions fish > ~/.config/fish/completions/bplint.fish`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from these options:
    /// `bplint man > bplint.1 && man ./bplint.1`.
    Man,
}

/// The options `check` and `upgrade` share: what to check, which release judges
/// it, which rules run, and how the report looks. One definition, so the two
/// commands cannot drift apart.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub set: SetArgs,

    /// Output format [default: human; github when the environment has
    /// GITHUB_ACTIONS=true or FORGEJO_ACTIONS=true, so CI runs get annotations].
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the report to FILE instead of standard output (atomically: readers
    /// never see half a report). The exit status still reflects the findings.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// When to colour human output (auto: only on a terminal, without --output).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Print the findings only: no summary line and no notes.
    #[arg(long, short)]
    pub quiet: bool,
}

/// What makes the blueprint set a run judges: the paths, the configuration, the
/// release, the rules and the repository read for context. `check`, `upgrade`
/// and `graph` read the set the same way, from this one definition.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// Files or folders to check; `-` reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Configuration file (default: the nearest bplint.toml from the current folder up).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Authentik release to check against, like 2024.8, 2026.2.1 or v2026.2.1
    /// (default: `authentik_version` in bplint.toml, else the release the
    /// repository pins, else the newest bplint knows). 2022.8 (the first with
    /// blueprints) or later; a bare minor means its newest patch.
    #[arg(long, value_name = "VERSION")]
    pub authentik_version: Option<String>,

    /// Rules to run instead of all: codes (BP101), prefixes (BP1), names, or ALL.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,

    /// Rules to run in addition to the selected ones.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<String>,

    /// Rules not to run.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Skip and report blueprints larger than this (bytes, or with a K, M or G
    /// suffix in powers of 1024); the rest are still checked. Larger files whose
    /// first kilobyte shows no blueprint are skipped (with a note when named).
    #[arg(long, value_name = "SIZE", default_value = "20M", value_parser = parse_size)]
    pub max_file_size: u64,

    /// Name to report standard input under (with `-`); it decides e.g. whether the
    /// file is discoverable. Without it, standard input is `<stdin>` and its name
    /// is not judged.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

    // Adopting bplint on an existing repository (README "Adopting bplint").
    /// Judge the given paths alone: do not index the rest of the repository for
    /// `!Find` lookups and the cross-file rules (also `[discovery] context = false`).
    #[arg(long)]
    pub isolated: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,

    /// Apply safe fixes to the files, then report what is left. A symbolic link
    /// is written through; a read-only file, another user's file, a file with
    /// other hard links and a file changed meanwhile are not written (each is
    /// named, with why).
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, also apply fixes that change behaviour a human should
    /// confirm (each rule's doc says why its fix is unsafe).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print a unified diff of what --fix would change, write nothing; exit 1 if
    /// there is anything to fix.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// Report only findings that FILE (written by --write-baseline) does not
    /// record; overrides `baseline` in bplint.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings in FILE, so later runs with --baseline report
    /// only new ones; exits 0 once it is written.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Print the number of findings per rule, and how many --fix would fix,
    /// instead of the findings: a table, or JSON with --format json (sarif,
    /// github and junit are refused with it).
    #[arg(long)]
    pub statistics: bool,

    /// Exit 0 even with findings (2 still reports trouble: unreadable paths, bad
    /// configuration).
    #[arg(long)]
    pub exit_zero: bool,
}

const GRAPH_EXAMPLES: &str = "\
Examples:
  bplint graph blueprints/ > flows.mmd         every flow and the overview, as Mermaid
  bplint graph --flow default-authentication-flow
  bplint graph --application grafana --format dot | dot -Tsvg > grafana.svg
  bplint graph --format markdown --diff origin/main blueprints/ > comment.md
  bplint graph --format json | jq '.nodes[] | select(.origin == \"dangling\")'

docs/graph.md shows each format and the CI steps that post the diff as a
pull-request comment.";

/// `bplint graph`: the set as `check` reads it, and how to draw it.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub set: SetArgs,

    /// mermaid: a flowchart per diagram, titled in front matter; markdown: the
    /// same under headings in ```mermaid fences, for a pull-request comment;
    /// dot: one Graphviz digraph, a cluster per diagram (`dot -Tsvg`); json:
    /// the nodes and edges with where each is defined.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,

    /// Draw only this flow (its slug; a built-in flow too).
    #[arg(long, value_name = "SLUG", conflicts_with_all = ["application", "diff"])]
    pub flow: Option<String>,

    /// Draw only this application (its slug): its providers, their flows and
    /// outposts, and the policies bound to it.
    #[arg(long, value_name = "SLUG", conflicts_with = "diff")]
    pub application: Option<String>,

    /// Draw what changes between git revision REV (a branch, tag or commit)
    /// and the work tree, in one diagram. The files at REV are read with
    /// `git show` and judged with today's configuration and release.
    #[arg(long, value_name = "REV")]
    pub diff: Option<String>,

    /// Write the picture to FILE instead of standard output (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// No notes on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Markdown,
    Dot,
    Json,
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// The release to upgrade to, like 2026.8 or 2026.8.3 (a bare minor means its
    /// newest patch). Lower than the current release checks a downgrade.
    #[arg(long, value_name = "RELEASE")]
    pub to: String,

    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical diagnostics with source snippets.
    Human,
    /// One line per finding: `path:line:col: CODE severity message`.
    Concise,
    /// One JSON object: files_checked, diagnostics, summary.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub/Forgejo Actions workflow commands: annotations on the lines.
    Github,
    /// JUnit XML, one test case per checked file, for CI test reports.
    Junit,
}

impl Format {
    /// The format when `--format` is not given: `github` inside GitHub Actions or
    /// Forgejo Actions (both set their variable to `true`), where annotations
    /// beat a log nobody scrolls, `human` elsewhere. `var` reads the environment.
    pub fn default_from_env(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Format {
        let set = |name: &str| var(name).is_some_and(|value| value == "true");
        if set("GITHUB_ACTIONS") || set("FORGEJO_ACTIONS") {
            Format::Github
        } else {
            Format::Human
        }
    }
}

impl RunArgs {
    /// `--format`, or the environment's default.
    pub fn format(&self) -> Format {
        self.format
            .unwrap_or_else(|| Format::default_from_env(|name| std::env::var_os(name)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when standard output is a terminal and NO_COLOR is unset.
    Auto,
    Always,
    Never,
}

/// `bplint completions SHELL`: the completion script clap_complete derives from
/// these definitions, so it never lags behind an option.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "bplint", &mut out);
    out
}

/// `bplint man`: the manual page (roff) clap_mangen derives from these
/// definitions, the subcommands' pages appended to the main one.
pub fn man() -> std::io::Result<Vec<u8>> {
    let mut command = Cli::command();
    // Building names the subcommands `bplint-check` and their usage `bplint check`.
    command.build();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    let source = format!("bplint {}", env!("CARGO_PKG_VERSION"));
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        clap_mangen::Man::new(sub.clone())
            .source(source.clone())
            .render(&mut out)?;
    }
    Ok(out)
}

/// `1048576`, `512K`, `20M`, `1G` (also `20MiB`, `20MB`: ripgrep's powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let number = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (digits, shift) = match number.char_indices().last() {
        Some((at, 'k')) => (&number[..at], 10),
        Some((at, 'm')) => (&number[..at], 20),
        Some((at, 'g')) => (&number[..at], 30),
        _ => (number, 0),
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            format!("`{trimmed}` is not a size; write bytes or a number with K, M or G, like 20M")
        })
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("512K"), Ok(512 * 1024));
        assert_eq!(
            parse_size("20M"),
            Ok(crate::pipeline::DEFAULT_MAX_FILE_SIZE)
        );
        assert_eq!(parse_size("20MiB"), Ok(20 * 1024 * 1024));
        assert_eq!(parse_size("1gb"), Ok(1 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999G").is_err());
        assert!(parse_size("M").is_err());
    }
}
