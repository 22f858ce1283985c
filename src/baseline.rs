//! Baselines: `--write-baseline FILE` records a run's findings, `--baseline FILE`
//! (or `baseline = "..."` in bplint.toml) moves the recorded ones out of the
//! report, so a repository adopting bplint fails only on new findings.
//!
//! A finding is recognised by its file, its code and a fingerprint of where it
//! sits: the entry (model, identifiers and `id`), the keys leading to the node it
//! points at, and the text there; never by its line, nor by its message, which
//! names the Authentik release judged (BP101's `target: X`) and may be reworded:
//! adding an entry above it, editing another entry, bumping Authentik or
//! upgrading bplint leaves the fingerprint alone. Identical findings in one file
//! are counted, so a second copy of a recorded mistake is still new.
//!
//! Format 1 fingerprints held the message too. Such a baseline is still read: an
//! entry matches a finding when the finding's anchor, hashed with the message
//! the entry recorded, gives the entry's fingerprint, so it keeps matching after
//! the message changed; a note suggests writing it again.

use crate::diagnostic::Diagnostic;
use crate::discover::relative_to;
use crate::model::Blueprint;
use crate::model::locate::Located;
use crate::pipeline::Outcome;
use crate::source::Span;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file format's version, so a later layout can be told apart: 2 leaves the
/// message out of the fingerprint, 1 (still read) put it in.
const FORMAT: u32 = 2;
/// The first format, whose fingerprints hold the message.
const FORMAT_WITH_MESSAGE: u32 = 1;

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
    /// The format it was written in (`bplint_baseline`).
    pub format: u32,
    /// A note for the run, such as "format 1: write it again".
    pub note: Option<String>,
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
    let note = match file.bplint_baseline {
        FORMAT => None,
        FORMAT_WITH_MESSAGE => Some(format!(
            "{name} is a baseline of format {FORMAT_WITH_MESSAGE}, whose fingerprints hold the \
             message; its entries still match, and `--write-baseline {name}` writes format \
             {FORMAT}, whose fingerprints leave the message (and the release it names) out"
        )),
        other => {
            return Err(format!(
                "{name}: baseline format {other} is not one this bplint reads ({FORMAT_WITH_MESSAGE} \
                 or {FORMAT}); write it again with --write-baseline"
            ));
        }
    };
    Ok(Baseline {
        findings: file.findings,
        format: file.bplint_baseline,
        note,
    })
}

/// Every finding of the outcome as the baseline records it, sorted, so a
/// rewritten baseline differs from the old one only by what changed.
pub fn record(outcome: &Outcome, base: &Path) -> Vec<Recorded> {
    let mut anchors = Anchors::default();
    let mut out: Vec<Recorded> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let at = anchor(outcome, d, base, &mut anchors);
            Recorded {
                fingerprint: at.fingerprint(),
                file: at.file,
                code: d.code.to_string(),
                message: d.message.clone(),
            }
        })
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
    // Format 1: the recorded messages of each file and code, to hash a finding's
    // anchor with when its own message no longer gives the recorded fingerprint.
    let mut messages: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for r in &baseline.findings {
        *budget.entry(r.key()).or_default() += 1;
        if baseline.format == FORMAT_WITH_MESSAGE {
            let known = messages.entry((&r.file, &r.code)).or_default();
            if !known.contains(&r.message.as_str()) {
                known.push(&r.message);
            }
        }
    }
    let mut anchors = Anchors::default();
    let mut keep = Vec::new();
    for d in std::mem::take(&mut outcome.diagnostics) {
        let at = anchor(outcome, &d, base, &mut anchors);
        let candidates: Vec<String> = if baseline.format == FORMAT_WITH_MESSAGE {
            let recorded = messages
                .get(&(at.file.as_str(), d.code))
                .map_or(&[][..], Vec::as_slice);
            std::iter::once(d.message.as_str())
                .chain(recorded.iter().copied().filter(|m| *m != d.message))
                .map(|message| at.fingerprint_with(message))
                .collect()
        } else {
            vec![at.fingerprint()]
        };
        let matched = candidates
            .into_iter()
            .map(|fingerprint| (at.file.clone(), d.code.to_string(), fingerprint))
            .find(|key| budget.get(key).is_some_and(|left| *left > 0));
        match matched.and_then(|key| budget.get_mut(&key)) {
            Some(left) => {
                *left -= 1;
                outcome.baselined.push(d);
            }
            None => keep.push(d),
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

/// One short note for the run: how many entries are stale, in which files
/// (the first few, with their codes), and how to drop them, so the baseline
/// can shrink.
pub fn stale_note(stale: &[Recorded]) -> Option<String> {
    const FILES_SHOWN: usize = 3;
    if stale.is_empty() {
        return None;
    }
    // File -> (code, count), in the baseline's (sorted) order.
    let mut files: Vec<(&str, Vec<(&str, usize)>)> = Vec::new();
    for r in stale {
        if files.last().is_none_or(|(file, _)| *file != r.file) {
            files.push((&r.file, Vec::new()));
        }
        if let Some((_, codes)) = files.last_mut() {
            match codes.iter_mut().find(|(code, _)| *code == r.code) {
                Some((_, count)) => *count += 1,
                None => codes.push((&r.code, 1)),
            }
        }
    }
    let listed: Vec<String> = files
        .iter()
        .take(FILES_SHOWN)
        .map(|(file, codes)| {
            let codes: Vec<String> = codes
                .iter()
                .map(|(code, count)| match count {
                    1 => code.to_string(),
                    n => format!("{code} x{n}"),
                })
                .collect();
            format!("{file} ({})", codes.join(", "))
        })
        .collect();
    let hidden: usize = files
        .iter()
        .skip(FILES_SHOWN)
        .map(|(_, codes)| codes.iter().map(|(_, n)| n).sum::<usize>())
        .sum();
    let more = match files.len().saturating_sub(FILES_SHOWN) {
        0 => String::new(),
        other => format!(
            " and {hidden} in {}",
            crate::report::counted(other, "more file", "more files")
        ),
    };
    Some(format!(
        "{} baseline entr{} no longer occur{}: {}{more}; write the baseline again with \
         --write-baseline to drop {}",
        stale.len(),
        if stale.len() == 1 { "y" } else { "ies" },
        if stale.len() == 1 { "s" } else { "" },
        listed.join(", "),
        if stale.len() == 1 { "it" } else { "them" },
    ))
}

fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Where a finding sits, as stable as the file allows: what its fingerprint is
/// made of.
struct Anchor {
    /// Relative to the baseline's base, with forward slashes.
    file: String,
    code: &'static str,
    /// The entry holding it: model, identifiers and `id` as written.
    entry: String,
    /// The keys from the document down to the node it points at (`entries.attrs.
    /// provider`; sequence positions left out, so inserting a list item moves
    /// nothing).
    path: String,
    /// The first line of the text it points at, secrets masked.
    pointed: String,
}

impl Anchor {
    /// The format 2 fingerprint: code, entry, key path and text, no message.
    fn fingerprint(&self) -> String {
        let hash = fnv1a(&["2", self.code, &self.entry, &self.path, &self.pointed]);
        format!("{hash:016x}")
    }

    /// The format 1 fingerprint, had the finding this message.
    fn fingerprint_with(&self, message: &str) -> String {
        let hash = fnv1a(&[self.code, message, &self.pointed, &self.entry]);
        format!("{hash:016x}")
    }
}

fn anchor(outcome: &Outcome, d: &Diagnostic, base: &Path, anchors: &mut Anchors) -> Anchor {
    let path = outcome
        .files
        .get(d.file)
        .map_or_else(PathBuf::new, |f| f.path.clone());
    let (pointed, entry, keys) = match outcome.source(d.file) {
        Some(source) => {
            // The masked text, so a baseline never records (a hash of) a secret.
            let pointed = source
                .shown()
                .get(d.span.start..d.span.end)
                .and_then(|t| t.lines().next())
                .unwrap_or_default()
                .trim()
                .to_string();
            let (entry, keys) = anchors.of(d.file, source.shown(), d.span);
            (pointed, entry, keys)
        }
        None => (String::new(), String::new(), String::new()),
    };
    Anchor {
        file: slashed(&relative_to(base, &path)),
        code: d.code,
        entry,
        path: keys,
        pointed,
    }
}

/// Each file's entries as (span, "model identifiers id") and its mapping pairs
/// as (span, key path), parsed once per file.
#[derive(Default)]
struct Anchors {
    files: BTreeMap<usize, FileAnchors>,
}

#[derive(Default)]
struct FileAnchors {
    entries: Nested,
    pairs: Nested,
}

impl Anchors {
    /// The innermost entry holding `span` (empty outside entries: metadata, a
    /// syntax error) and the key path of the innermost pair holding it.
    fn of(&mut self, file: usize, text: &str, span: Span) -> (String, String) {
        let anchors = self
            .files
            .entry(file)
            .or_insert_with(|| FileAnchors::of(text));
        (
            anchors.entries.innermost(span),
            anchors.pairs.innermost(span),
        )
    }
}

/// Spans that nest or lie apart (entries, mapping pairs), each with its key,
/// sorted so that the innermost one holding a span is found by climbing from the
/// last one starting before it: a file with thousands of findings and entries
/// is not searched end to end for each finding.
#[derive(Default)]
struct Nested {
    /// By start, the outer first on a shared start.
    spans: Vec<(Span, String)>,
    /// The innermost span holding each one.
    parent: Vec<Option<usize>>,
}

impl Nested {
    fn new(mut spans: Vec<(Span, String)>) -> Self {
        spans.sort_by(|(a, _), (b, _)| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut parent = Vec::with_capacity(spans.len());
        let mut open: Vec<usize> = Vec::new();
        for (i, (span, _)) in spans.iter().enumerate() {
            while open.last().is_some_and(|&o| !spans[o].0.contains(*span)) {
                open.pop();
            }
            parent.push(open.last().copied());
            open.push(i);
        }
        Nested { spans, parent }
    }

    /// The key of the innermost span holding `span`, empty when none does.
    fn innermost(&self, span: Span) -> String {
        let mut at = self
            .spans
            .partition_point(|(s, _)| s.start <= span.start)
            .checked_sub(1);
        while let Some(i) = at {
            if self.spans[i].0.contains(span) {
                return self.spans[i].1.clone();
            }
            at = self.parent[i];
        }
        String::new()
    }
}

/// Every mapping pair of the file's blueprints (its key through its value) with
/// the keys leading to it, joined by `.`. Aliases are not entered: their copies
/// carry the anchor's spans.
fn pairs_of(blueprints: &[Blueprint<'_>], text: &str) -> Vec<(Span, String)> {
    fn walk(node: &crate::yaml::Node, text: &str, prefix: &str, out: &mut Vec<(Span, String)>) {
        match &node.kind {
            crate::yaml::Kind::Map(pairs) => {
                for pair in pairs {
                    let key = text
                        .get(pair.key.span.start..pair.key.span.end)
                        .unwrap_or_default()
                        .trim();
                    let path = if prefix.is_empty() {
                        key.to_string()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    let span = Span::new(
                        pair.key.span.start,
                        pair.value.span.end.max(pair.key.span.end),
                    );
                    walk(&pair.value, text, &path, out);
                    out.push((span, path));
                }
            }
            crate::yaml::Kind::Seq(items) => {
                for item in items {
                    walk(item, text, prefix, out);
                }
            }
            crate::yaml::Kind::Scalar(_) | crate::yaml::Kind::Alias(_) => {}
        }
    }
    let mut out = Vec::new();
    for bp in blueprints {
        walk(bp.root, text, "", &mut out);
    }
    out
}

impl FileAnchors {
    /// Parses the file once for both tables (empty when it does not parse).
    fn of(text: &str) -> Self {
        let Ok(stream) = crate::yaml::parse(text) else {
            return FileAnchors::default();
        };
        let located = Located::new(text, stream);
        let blueprints = located.blueprints();
        FileAnchors {
            entries: Nested::new(entries_of(&blueprints, text)),
            pairs: Nested::new(pairs_of(&blueprints, text)),
        }
    }
}

fn entries_of(blueprints: &[Blueprint<'_>], text: &str) -> Vec<(Span, String)> {
    let written = |node: Option<&crate::yaml::Node>| {
        node.and_then(|n| text.get(n.span.start..n.span.end))
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    blueprints
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
    fn the_innermost_span_is_found_by_climbing() {
        let nested = Nested::new(vec![
            (Span::new(0, 100), "outer".into()),
            (Span::new(10, 20), "first".into()),
            (Span::new(12, 15), "first.inner".into()),
            (Span::new(30, 60), "second".into()),
            (Span::new(30, 40), "second.head".into()),
        ]);
        assert_eq!(nested.innermost(Span::new(13, 14)), "first.inner");
        assert_eq!(nested.innermost(Span::new(16, 18)), "first");
        assert_eq!(nested.innermost(Span::new(22, 25)), "outer");
        assert_eq!(nested.innermost(Span::new(30, 35)), "second.head");
        assert_eq!(nested.innermost(Span::new(30, 50)), "second");
        assert_eq!(nested.innermost(Span::new(45, 45)), "second");
        assert_eq!(nested.innermost(Span::new(90, 120)), "");
        assert_eq!(Nested::default().innermost(Span::new(1, 2)), "");
    }

    #[test]
    fn the_stale_note_stays_short() {
        let entry = |file: &str, code: &str| Recorded {
            file: file.to_string(),
            code: code.to_string(),
            fingerprint: String::new(),
            message: String::new(),
        };
        let mut stale = vec![
            entry("a.yaml", "BP101"),
            entry("a.yaml", "BP101"),
            entry("a.yaml", "BP108"),
        ];
        assert_eq!(
            stale_note(&stale[..1]).unwrap(),
            "1 baseline entry no longer occurs: a.yaml (BP101); write the baseline again \
             with --write-baseline to drop it"
        );
        for i in 0..500 {
            stale.push(entry(&format!("f{i:03}.yaml"), "BP202"));
        }
        let note = stale_note(&stale).unwrap();
        assert_eq!(
            note,
            "503 baseline entries no longer occur: a.yaml (BP101 x2, BP108), f000.yaml \
             (BP202), f001.yaml (BP202) and 498 in 498 more files; write the baseline again \
             with --write-baseline to drop them"
        );
    }

    #[test]
    fn entries_are_keyed_by_model_and_identifiers() {
        let text = "version: 1\nentries:\n  - model: authentik_flows.flow\n    identifiers:\n      slug: a\n    attrs: {name: x}\n";
        let anchors = FileAnchors::of(text);
        assert_eq!(anchors.entries.spans.len(), 1);
        assert_eq!(anchors.entries.spans[0].1, "authentik_flows.flow slug: a ");
    }

    #[test]
    fn a_finding_is_anchored_by_the_keys_down_to_it() {
        let text = "version: 1\nentries:\n  - model: authentik_flows.flow\n    identifiers:\n      slug: a\n    attrs:\n      title: x\n      layout: [stacked, {x: 1}]\n";
        let mut anchors = Anchors::default();
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            Span::new(start, start + needle.len())
        };
        let (entry, path) = anchors.of(0, text, at("title: x"));
        assert_eq!(
            (entry.as_str(), path.as_str()),
            ("authentik_flows.flow slug: a ", "entries.attrs.title")
        );
        assert_eq!(anchors.of(0, text, at("x: 1")).1, "entries.attrs.layout.x");
        assert_eq!(anchors.of(0, text, Span::new(9, 10)).1, "version");
    }
}
