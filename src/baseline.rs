//! Baselines: `--write-baseline FILE` records a run's findings, `--baseline FILE`
//! (or `baseline = "..."` in bplint.toml) moves the recorded ones out of the
//! report, so a repository adopting bplint fails only on new findings.
//!
//! A finding is recognised by its file, its code and a fingerprint of its own
//! message, the text it points at and the entry it sits in (model and
//! identifiers), never by its line: adding an entry above it, or editing another
//! entry, leaves the fingerprint alone. Identical findings in one file are
//! counted, so a second copy of a recorded mistake is still new.

use crate::diagnostic::Diagnostic;
use crate::discover::relative_to;
use crate::model::locate::Located;
use crate::pipeline::Outcome;
use crate::source::Span;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file format's version, so a later layout can be told apart.
const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct File {
    bplint_baseline: u32,
    findings: Vec<Recorded>,
}

/// One recorded finding. `message` is for the reader of the file (reviewing a
/// baseline in a pull request); matching uses the other three fields.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Recorded {
    pub file: String,
    pub code: String,
    pub fingerprint: String,
    pub message: String,
}

type Key = (String, String, String);

impl Recorded {
    fn key(&self) -> Key {
        (
            self.file.clone(),
            self.code.clone(),
            self.fingerprint.clone(),
        )
    }
}

/// A loaded baseline.
#[derive(Debug, Default)]
pub struct Baseline {
    pub findings: Vec<Recorded>,
}

/// What applying a baseline found.
#[derive(Debug, Default)]
pub struct Applied {
    /// Recorded findings that no longer occur in the files checked.
    pub stale: Vec<Recorded>,
}

pub fn load(path: &Path) -> Result<Baseline, String> {
    let name = crate::source::display_path(path);
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the baseline {name}: {} (write one with --write-baseline {name})",
            crate::discover::describe_io(&e)
        )
    })?;
    let file: File = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{name}:{}:{}: not a bplint baseline: {e}",
            e.line(),
            e.column()
        )
    })?;
    if file.bplint_baseline != FORMAT {
        return Err(format!(
            "{name}: baseline format {} is not the {FORMAT} this bplint reads; write it again with --write-baseline",
            file.bplint_baseline
        ));
    }
    Ok(Baseline {
        findings: file.findings,
    })
}

/// Every finding of the outcome as the baseline records it, sorted, so a
/// rewritten baseline differs from the old one only by what changed.
pub fn record(outcome: &Outcome, base: &Path) -> Vec<Recorded> {
    let mut entries = EntryKeys::default();
    let mut out: Vec<Recorded> = outcome
        .diagnostics
        .iter()
        .map(|d| recorded(outcome, d, base, &mut entries))
        .collect();
    out.sort();
    out
}

pub fn write(path: &Path, findings: Vec<Recorded>) -> Result<(), String> {
    let file = File {
        bplint_baseline: FORMAT,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    crate::report::output::write_atomically(path, &text).map_err(|e| {
        format!(
            "cannot write the baseline {}: {}",
            crate::source::display_path(path),
            crate::discover::describe_io(&e)
        )
    })
}

/// Move the findings the baseline records from `diagnostics` to `baselined`;
/// return the recorded ones that no longer occur. An entry counts as stale only
/// when its file was checked in this run or no longer exists, so checking a few
/// files does not call the rest of the baseline stale.
pub fn apply(outcome: &mut Outcome, baseline: &Baseline, base: &Path) -> Applied {
    let mut budget: BTreeMap<Key, usize> = BTreeMap::new();
    for r in &baseline.findings {
        *budget.entry(r.key()).or_default() += 1;
    }
    let mut entries = EntryKeys::default();
    let mut keep = Vec::new();
    for d in std::mem::take(&mut outcome.diagnostics) {
        let key = recorded(outcome, &d, base, &mut entries).key();
        match budget.get_mut(&key) {
            Some(left) if *left > 0 => {
                *left -= 1;
                outcome.baselined.push(d);
            }
            _ => keep.push(d),
        }
    }
    outcome.diagnostics = keep;
    let checked: Vec<String> = outcome
        .files
        .iter()
        .filter(|f| f.linted && !f.context)
        .map(|f| slashed(&relative_to(base, &f.path)))
        .collect();
    let mut stale = Vec::new();
    for r in &baseline.findings {
        let Some(left) = budget.get_mut(&r.key()) else {
            continue;
        };
        let gone = !base.join(&r.file).exists();
        if *left > 0 && (gone || checked.contains(&r.file)) {
            *left -= 1;
            stale.push(r.clone());
        }
    }
    Applied { stale }
}

/// One note for the run naming the stale entries, so the baseline can shrink.
pub fn stale_note(stale: &[Recorded]) -> Option<String> {
    const SHOWN: usize = 5;
    if stale.is_empty() {
        return None;
    }
    let listed: Vec<String> = stale
        .iter()
        .take(SHOWN)
        .map(|r| format!("{} {}", r.file, r.code))
        .collect();
    let more = stale.len().saturating_sub(SHOWN);
    Some(format!(
        "{} baseline entr{} no longer occur{}: {}{}; write the baseline again with --write-baseline to drop {}",
        stale.len(),
        if stale.len() == 1 { "y" } else { "ies" },
        if stale.len() == 1 { "s" } else { "" },
        listed.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        },
        if stale.len() == 1 { "it" } else { "them" },
    ))
}

fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn recorded(outcome: &Outcome, d: &Diagnostic, base: &Path, entries: &mut EntryKeys) -> Recorded {
    let path = outcome
        .files
        .get(d.file)
        .map_or_else(PathBuf::new, |f| f.path.clone());
    let (pointed, entry) = match outcome.source(d.file) {
        Some(source) => {
            // The masked text, so a baseline never records (a hash of) a secret.
            let pointed = source
                .shown()
                .get(d.span.start..d.span.end)
                .and_then(|t| t.lines().next())
                .unwrap_or_default()
                .trim()
                .to_string();
            (pointed, entries.key(d.file, source.shown(), d.span))
        }
        None => (String::new(), String::new()),
    };
    let fingerprint = fnv1a(&[d.code, &d.message, &pointed, &entry]);
    Recorded {
        file: slashed(&relative_to(base, &path)),
        code: d.code.to_string(),
        fingerprint: format!("{fingerprint:016x}"),
        message: d.message.clone(),
    }
}

/// Each file's entries as (span, "model identifiers"), parsed once per file.
#[derive(Default)]
struct EntryKeys {
    files: BTreeMap<usize, Vec<(Span, String)>>,
}

impl EntryKeys {
    /// The innermost entry holding `span`, as its model and identifiers written
    /// with whitespace collapsed; empty outside entries (metadata, a syntax error).
    fn key(&mut self, file: usize, text: &str, span: Span) -> String {
        let entries = self.files.entry(file).or_insert_with(|| entries_of(text));
        entries
            .iter()
            .filter(|(s, _)| s.start <= span.start && span.end <= s.end)
            .min_by_key(|(s, _)| s.len())
            .map(|(_, key)| key.clone())
            .unwrap_or_default()
    }
}

fn entries_of(text: &str) -> Vec<(Span, String)> {
    let Ok(stream) = crate::yaml::parse(text) else {
        return Vec::new();
    };
    let located = Located::new(text, stream);
    let written = |node: Option<&crate::yaml::Node>| {
        node.and_then(|n| text.get(n.span.start..n.span.end))
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    located
        .blueprints()
        .iter()
        .flat_map(|bp| bp.entries.iter())
        .map(|e| {
            let key = format!(
                "{} {} {}",
                written(e.model),
                written(e.identifiers),
                written(e.id)
            );
            (e.node.span, key)
        })
        .collect()
}

/// FNV-1a, 64 bits, over the parts with a separator between them. Written out
/// because the fingerprint must stay the same across bplint releases and
/// platforms (std's hasher promises neither) and needs no cryptographic strength:
/// the file and code are matched too.
fn fnv1a(parts: &[&str]) -> u64 {
    parts.iter().fold(FNV_OFFSET, |hash, part| {
        // 0xff never occurs in UTF-8, so ("ab", "c") and ("a", "bc") differ.
        fnv1a_bytes(fnv1a_bytes(hash, part.as_bytes()), &[0xff])
    })
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a_bytes(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_is_the_published_function() {
        // The published test vectors of FNV-1a 64.
        assert_eq!(fnv1a_bytes(FNV_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_bytes(FNV_OFFSET, b"foobar"), 0x8594_4171_f739_67e8);
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }

    #[test]
    fn entries_are_keyed_by_model_and_identifiers() {
        let text = "version: 1\nentries:\n  - model: authentik_flows.flow\n    identifiers:\n      slug: a\n    attrs: {name: x}\n";
        let entries = entries_of(text);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].1, "authentik_flows.flow slug: a ");
    }
}
