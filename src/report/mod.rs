//! Renderers: each turns the same `Outcome` into one output format. Positions,
//! paths and the summary are computed here once, so every format agrees on them.

pub mod clients;
pub mod concise;
pub mod diff;
pub mod github;
pub mod human;
pub mod instances;
pub mod json;
pub mod junit;
pub mod output;
pub mod rules;
pub mod sarif;
pub mod statistics;

use crate::detect::{Judged, VersionSource};
use crate::diagnostic::{Applicability, Diagnostic, FileId};
use crate::fix::{NotWritten, Skipped, Written};
use crate::pipeline::Outcome;
use crate::source::Span;
use serde::Serialize;

/// "1 file", "3 files": `count` and the noun that goes with it.
pub fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// "2 errors and 1 warning" / "No problems".
pub fn count_phrase(errors: usize, warnings: usize) -> String {
    let e = counted(errors, "error", "errors");
    let w = counted(warnings, "warning", "warnings");
    match (errors, warnings) {
        (0, 0) => "No problems".to_string(),
        (_, 0) => e,
        (0, _) => w,
        _ => format!("{e} and {w}"),
    }
}

/// The closing line of a run: "2 errors and 1 warning in 3 files", the release
/// judged by and where it came from, then, when there are any, the files read
/// for context and the findings the baseline holds back.
pub fn summary_line(outcome: &Outcome) -> String {
    let summary = json::Summary::of(&outcome.diagnostics);
    let files = outcome.files_checked();
    let files = counted(files, "file", "files");
    if let Some(upgrade) = &outcome.upgrade {
        let resolved = upgrade.resolved.len();
        let added = match count_phrase(summary.errors, summary.warnings).as_str() {
            "No problems" => "no problems".to_string(),
            phrase => phrase.to_string(),
        };
        return format!(
            "The upgrade adds {added} in {files} and resolves {} ({} -> {}).",
            counted(resolved, "finding", "findings"),
            release_phrase(&outcome.judged),
            upgrade.to.version
        );
    }
    let release = match outcome.instances.is_empty() {
        true => release_phrase(&outcome.judged),
        false => outcome
            .instances
            .iter()
            .map(|i| format!("instance {}: {}", i.name, release_phrase(&i.judged)))
            .collect::<Vec<_>>()
            .join("; "),
    };
    let mut line = if outcome.files_checked() == 0 && outcome.diagnostics.is_empty() {
        format!("No blueprint found, nothing checked ({release}")
    } else {
        format!(
            "{} in {files} ({release}",
            count_phrase(summary.errors, summary.warnings),
        )
    };
    let context = outcome.context_files();
    if context > 0 {
        line.push_str(&format!(
            "; {} of the repository read for context",
            counted(context, "more file", "more files")
        ));
    }
    line.push_str(").");
    let baselined = outcome.baselined.len();
    if baselined > 0 {
        line.push_str(&format!(
            " {} in the baseline not shown.",
            counted(baselined, "finding", "findings")
        ));
    }
    line
}

/// `bplint upgrade`'s first line: "Upgrading Authentik 2025.10.1 (from
/// deploy/x.yaml:3) -> 2026.8.3"; `None` for other runs.
pub fn upgrade_header(outcome: &Outcome) -> Option<String> {
    let upgrade = outcome.upgrade.as_ref()?;
    let judged = &outcome.judged;
    let source = match &judged.source {
        VersionSource::Default => "the newest bplint knows".to_string(),
        source => format!("from {}", source.label()),
    };
    Some(format!(
        "Upgrading Authentik {} ({source}) -> {}",
        judged.kb.version, upgrade.to.version
    ))
}

/// "Resolved by the upgrade:" and one `path:line:col CODE message` line per
/// finding the upgrade resolves; empty when it resolves none.
pub fn resolved_list(outcome: &Outcome) -> String {
    let Some(upgrade) = outcome.upgrade.as_ref().filter(|u| !u.resolved.is_empty()) else {
        return String::new();
    };
    let mut out = String::from("Resolved by the upgrade:\n");
    for d in &upgrade.resolved {
        let r = Region::of(outcome, d.file, d.span);
        let message = d.message.lines().next().unwrap_or_default();
        out.push_str(&format!(
            "  {}:{}:{} {} {message}\n",
            path_of(outcome, d.file),
            r.line,
            r.column,
            d.code
        ));
    }
    out
}

/// The objects whose creation an upgrade's new findings break, by kind, in the
/// order first met (`[("provider", 2), ("flow", 1)]`), and how many findings
/// that is: those that hold only where their entry creates its object
/// (`Diagnostic::only_on_create`), counted apart since an install that has the
/// objects already is not affected. Each object counts once. Empty for `check`.
pub fn creation_breaks(outcome: &Outcome) -> (Vec<(&'static str, usize)>, usize) {
    if outcome.upgrade.is_none() {
        return (Vec::new(), 0);
    }
    let mut objects: Vec<(&'static str, usize, usize)> = Vec::new();
    let mut findings = 0;
    for d in &outcome.diagnostics {
        if let Some(kind) = d.only_on_create {
            findings += 1;
            if !objects.contains(&(kind, d.file, d.span.start)) {
                objects.push((kind, d.file, d.span.start));
            }
        }
    }
    let mut kinds: Vec<(&'static str, usize)> = Vec::new();
    for (kind, _, _) in objects {
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((kind, 1)),
        }
    }
    (kinds, findings)
}

/// "Breaks creation of 2 providers: 3 new findings hold only where ...", or
/// empty when no new finding is creation-only.
pub fn creation_breaks_line(outcome: &Outcome) -> String {
    let (kinds, findings) = creation_breaks(outcome);
    if kinds.is_empty() {
        return String::new();
    }
    let counted: Vec<String> = kinds
        .iter()
        .map(|(kind, n)| match n {
            1 => format!("1 {kind}"),
            n => match kind.strip_suffix('y') {
                Some(stem) => format!("{n} {stem}ies"),
                None => format!("{n} {kind}s"),
            },
        })
        .collect();
    let (hold, they) = if findings == 1 {
        ("1 new finding holds".to_string(), "it does")
    } else {
        (format!("{findings} new findings hold"), "they do")
    };
    format!(
        "Breaks creation of {}: {hold} only where an entry creates its object; on an \
         install that has the object already the entry updates it, and {they} not apply.\n",
        crate::diagnostic::and_list(&counted)
    )
}

/// "Authentik 2025.10.1 from deploy/helmrelease.yaml:12": the release a run
/// judged by, so a reader never has to guess which release a finding holds for.
pub fn release_phrase(judged: &Judged) -> String {
    let version = judged.kb.version;
    match &judged.source {
        VersionSource::Default => format!("Authentik {version}, the newest bplint knows"),
        source => format!("Authentik {version} from {}", source.label()),
    }
}

/// The `authentik_version` object of the JSON report and of SARIF's run
/// properties: the release as detected or given (a bare minor resolved to its
/// newest patch), the release line whose tables were used, and where it came from.
#[derive(Serialize)]
pub struct AuthentikVersion {
    pub version: String,
    pub knowledge: &'static str,
    pub source: String,
}

/// One instance of a run split by Authentik instance, as JSON and SARIF's
/// run properties list it: its name, release and the blueprint files checked
/// in it.
#[derive(Serialize)]
pub struct InstanceSummary {
    pub name: String,
    pub authentik_version: AuthentikVersion,
    pub files_checked: usize,
}

impl InstanceSummary {
    pub fn all(outcome: &Outcome) -> Vec<InstanceSummary> {
        outcome
            .instances
            .iter()
            .map(|i| InstanceSummary {
                name: i.name.clone(),
                authentik_version: AuthentikVersion::of(&i.judged),
                files_checked: outcome.files[i.files.clone()]
                    .iter()
                    .filter(|f| f.linted && !f.context)
                    .count(),
            })
            .collect()
    }
}

impl AuthentikVersion {
    pub fn of(judged: &Judged) -> Self {
        AuthentikVersion {
            version: judged.kb.version.to_string(),
            knowledge: judged.kb.def.name,
            source: judged.source.label(),
        }
    }
}

/// The line after the summary: how many findings `--fix` (and
/// `--unsafe-fixes`) would fix, each count behind the mark its findings carry;
/// `None` when no finding has a fix.
pub fn fix_hint(outcome: &Outcome) -> Option<String> {
    if let Some(upgrade) = &outcome.upgrade {
        // `upgrade` writes nothing; the fixes are `check`'s at the new release.
        let (safe, unsafe_only) = statistics::fixable(&outcome.diagnostics);
        return (safe + unsafe_only > 0).then(|| {
            format!(
                "{} fixable with `bplint check --authentik-version {} --fix{}` \
                 (`--diff` shows the changes first).",
                safe + unsafe_only,
                upgrade.to.version,
                if unsafe_only > 0 {
                    " --unsafe-fixes"
                } else {
                    ""
                }
            )
        });
    }
    let diff = "(`--diff` shows the changes first)";
    match statistics::fixable(&outcome.diagnostics) {
        (0, 0) => None,
        (0, unsafe_only) => Some(format!(
            "{UNSAFE_MARK} {unsafe_only} fixable with --fix --unsafe-fixes {diff}."
        )),
        (safe, 0) => Some(format!("{SAFE_MARK} {safe} fixable with --fix {diff}.")),
        (safe, unsafe_only) => Some(format!(
            "{SAFE_MARK} {safe} fixable with --fix, {UNSAFE_MARK} {unsafe_only} more with \
             --fix --unsafe-fixes {diff}."
        )),
    }
}

/// The mark the human and concise reports put on a finding `--fix` fixes,
/// `[*]`, or one only `--fix --unsafe-fixes` fixes, `[?]` (a fix a human
/// should confirm); empty for a finding without a fix. The summary's hint line
/// repeats both marks with the flags, so the report explains itself.
pub fn fix_mark(d: &Diagnostic) -> &'static str {
    match d.fix.as_ref().map(|f| f.applicability) {
        Some(Applicability::Safe) => SAFE_MARK,
        Some(Applicability::Unsafe) => UNSAFE_MARK,
        None => "",
    }
}

pub const SAFE_MARK: &str = "[*]";
pub const UNSAFE_MARK: &str = "[?]";

/// The line `--fix` prints after writing: what was written, counting only the
/// files actually written (each once, however many names it was checked
/// under), and how many could not be; "nothing to fix" when no fix applied.
/// `unsafe_left` is how many findings only `--unsafe-fixes` would fix, named
/// when they are why nothing was fixed.
pub fn fixed_line(written: &Written, changed: usize, unsafe_left: usize) -> String {
    let skipped: usize = written.skipped.iter().map(|s| s.paths.len()).sum();
    if changed == 0 {
        return if unsafe_left > 0 {
            "nothing to fix without --unsafe-fixes".to_string()
        } else {
            "nothing to fix".to_string()
        };
    }
    let applied = match written.files {
        0 => "applied no fix".to_string(),
        files => format!(
            "applied {} in {}",
            counted(written.fixes, "fix", "fixes"),
            counted(files, "file", "files")
        ),
    };
    match skipped {
        0 => applied,
        n => format!(
            "{applied}; {} could not be written (why below)",
            counted(n, "file", "files")
        ),
    }
}

/// The line `--diff` prints after the diffs: "2 fixes would change 1 file",
/// or "nothing to fix".
pub fn diff_line(fixes: usize, files: usize) -> String {
    if files == 0 {
        return "nothing to fix".to_string();
    }
    format!(
        "{} would change {}",
        counted(fixes, "fix", "fixes"),
        counted(files, "file", "files")
    )
}

/// Why a file was not fixed and what to do about it, naming the file by every
/// name it was checked under (and where a link leads).
pub fn not_written(skipped: &Skipped) -> String {
    let names: Vec<String> = skipped
        .paths
        .iter()
        .map(|p| crate::source::display_path(p))
        .collect();
    let first = names.first().cloned().unwrap_or_default();
    let named = names.join(" and ");
    let lead = match &skipped.target {
        Some(target) => format!("{named} (-> {})", crate::source::display_path(target)),
        None => named,
    };
    let why = match &skipped.why {
        NotWritten::ChangedOnDisk => {
            "the file changed on disk while bplint ran, and writing would undo that \
             change; run --fix again"
                .to_string()
        }
        NotWritten::ReadOnly { mode: Some(mode) } => format!(
            "the file is read-only (mode {mode:04o}); make it writable (`chmod u+w {first}`) \
             and run --fix again, or make the change by hand (--diff shows it)"
        ),
        NotWritten::ReadOnly { mode: None } => "the file is read-only; make it writable and \
             run --fix again, or make the change by hand (--diff shows it)"
            .to_string(),
        NotWritten::OwnedByAnother { owner } => format!(
            "the file belongs to another user (uid {owner}), and the fixed file would belong \
             to you; run --fix as its owner, or make the change by hand (--diff shows it)"
        ),
        NotWritten::HardLinked { links } => format!(
            "the file has {links} hard links, and replacing it would leave the other names \
             with the old text; make the change by hand (--diff shows it), or run --fix on \
             a copy that is not linked"
        ),
        NotWritten::Clash => "these names lead to one file, and its fixes differ between \
             them; run --fix on one of the names"
            .to_string(),
        NotWritten::Io { doing, error } => format!("cannot {doing}: {error}"),
    };
    format!("{lead}: not fixed: {why}")
}

/// The findings JSON and SARIF list: the reported ones and those a baseline
/// holds back (`true`), in report order (by path, then position).
pub fn with_baselined(outcome: &Outcome) -> Vec<(&Diagnostic, bool)> {
    let mut all: Vec<_> = outcome
        .diagnostics
        .iter()
        .map(|d| (d, false))
        .chain(outcome.baselined.iter().map(|d| (d, true)))
        .collect();
    if !outcome.baselined.is_empty() {
        let files = &outcome.files;
        all.sort_by(|(a, _), (b, _)| {
            (&files[a.file].path, a.span.start, a.code).cmp(&(
                &files[b.file].path,
                b.span.start,
                b.code,
            ))
        });
    }
    all
}

/// Where a span sits, 1-based, columns in characters; the end is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Region {
    /// The span's lines and columns; 1:1 when the file's text is not at hand
    /// (it could not be read back), so a finding is still reported.
    pub fn of(outcome: &Outcome, file: FileId, span: Span) -> Region {
        match outcome.source(file) {
            Some(source) => {
                let start = source.line_col(span.start);
                let end = source.line_col(span.end);
                Region {
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                }
            }
            None => Region {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            },
        }
    }
}

/// A file's path as every renderer prints it (see `source::display_path`).
pub fn path_of(outcome: &Outcome, file: FileId) -> String {
    outcome
        .files
        .get(file)
        .map_or_else(String::new, |f| crate::source::display_path(&f.path))
}
