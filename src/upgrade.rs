//! `bplint upgrade --to RELEASE`: the same request run at the current release
//! and at the target, and the difference between the two outcomes: findings that
//! appear at the target (what breaks on the way up) and findings that go away
//! (what the upgrade resolves).
//!
//! Findings are matched by file, rule code and span. Both runs read the same
//! texts, so a finding that holds at both releases sits on the same bytes; its
//! message may not match, since messages name the release (`target: X`).

use crate::cli::UpgradeArgs;
use crate::command;
use crate::detect::{Judged, VersionSource};
use crate::diagnostic::Diagnostic;
use crate::knowledge::Knowledge;
use crate::pipeline::{self, Outcome, Upgrade};
use std::collections::HashMap;
use std::path::PathBuf;

/// What identifies a finding across the two runs.
type Key = (PathBuf, &'static str, usize, usize);

fn key(outcome: &Outcome, d: &Diagnostic) -> Key {
    let path = outcome
        .files
        .get(d.file)
        .map(|f| f.path.clone())
        .unwrap_or_default();
    (path, d.code, d.span.start, d.span.end)
}

/// Counts of each key, so two findings of one rule on one span are matched one
/// for one rather than both by either.
fn counts(outcome: &Outcome) -> HashMap<Key, usize> {
    let mut counts = HashMap::new();
    for d in &outcome.diagnostics {
        *counts.entry(key(outcome, d)).or_insert(0) += 1;
    }
    counts
}

/// Keeps in `from` the findings `other` does not have.
fn unmatched(from: &Outcome, other: &Outcome) -> Vec<Diagnostic> {
    let mut left = counts(other);
    from.diagnostics
        .iter()
        .filter(|d| match left.get_mut(&key(from, d)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

/// The upgrade report: the target's outcome keeping only its new findings, with
/// the current run's unmatched findings as `resolved`, moved into the target's
/// file table (and the texts they point into, where the target kept none).
pub fn compare(mut current: Outcome, mut target: Outcome) -> Outcome {
    let added = unmatched(&target, &current);
    let mut resolved = unmatched(&current, &target);
    for d in &mut resolved {
        let path = current.files.get(d.file).map(|f| f.path.clone());
        let at = path.and_then(|path| target.files.iter().position(|f| f.path == path));
        let at = match at {
            Some(at) => at,
            // Both runs walk the same paths; a file only the current run saw
            // (changed on disk between the runs) is carried over whole.
            None => {
                let path = current.files[d.file].path.clone();
                target.files.push(pipeline::FileRecord::new(path));
                target.files.len() - 1
            }
        };
        if target.files[at].source.is_none() {
            target.files[at].source = current.files.get_mut(d.file).and_then(|f| f.source.take());
        }
        d.file = at;
        // Related locations are not shown for resolved findings: they point into
        // the current run's file table.
        d.related.clear();
    }
    target.diagnostics = added;
    let to = target.judged.kb;
    target.judged = current.judged;
    target.upgrade = Some(Upgrade { to, resolved });
    target
}

/// `bplint upgrade`: build the request as `check` does, run it at the current
/// release and at `--to`, report the difference, exit by the new findings.
pub fn run(args: UpgradeArgs) -> u8 {
    let to = match Knowledge::for_version(&args.to) {
        Ok(kb) => kb,
        Err(message) => return crate::fail(&format!("--to {}: {message}", args.to)),
    };
    let mut request = match command::build_request(&args.run.set, args.run.quiet) {
        Ok(request) => request,
        Err(message) => return crate::fail(&message),
    };
    let target = Judged::new(to, VersionSource::UpgradeTarget);
    if let Some(note) = command::outside_note(&target).filter(|_| !args.run.quiet) {
        eprintln!("bplint: note: {note}");
    }
    let mut current = pipeline::run(&request);
    // Only the findings are compared: the first run's facts need not stay in
    // memory beside the second's.
    current.facts = Vec::new();
    let from = request.judged.kb.version;
    request.judged = target;
    let target = pipeline::run(&request);
    let mut outcome = compare(current, target);
    command::warn_if_nothing_checked(&mut outcome, &request);
    if to.version < from {
        outcome.notes.push(format!(
            "Authentik {} is older than the current {from}: this checks a downgrade",
            to.version
        ));
    } else if to.version == from {
        outcome.notes.push(format!(
            "the current release is already {from}: the upgrade changes nothing"
        ));
    }
    let style = command::Style::of(&args.run, false);
    let text = command::render(&outcome, &style);
    if let Err(code) = command::deliver(&outcome, &text, &style, args.run.output.as_deref()) {
        return code;
    }
    command::exit_code(&outcome, args.run.deny_warnings)
}
