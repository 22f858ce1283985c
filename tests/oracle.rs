//! bplint against Authentik's own importer.
//!
//! tests/data/oracle_verdicts.tsv records what Authentik's real importer (2025.12.4,
//! on a fresh install, each file alone) said of every fixture and corpus blueprint;
//! scripts/oracle-verdicts.py regenerates it where the oracle is set up (CI cannot
//! run it). Here bplint judges the same files alone at the same release: a file is
//! refused when bplint reports an error in it. Every file where the two disagree must
//! be listed, with the reason, in tests/data/oracle_disagreements.tsv, and every
//! listed file must still disagree, so the list stays exact. Corpus rows are judged
//! only where ../shared is present.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const RELEASE: &str = "2025.12.4";

/// Per file (a ConfigMap's blueprints folded into their file): refused by any of
/// its blueprints, and the `field/code` pairs named.
fn oracle_verdicts() -> BTreeMap<String, (bool, Vec<String>)> {
    let text = std::fs::read_to_string("tests/data/oracle_verdicts.tsv").expect("the table exists");
    let mut files: BTreeMap<String, (bool, Vec<String>)> = BTreeMap::new();
    let mut environment = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 5, "malformed row: {line}");
        let file = cols[0].split('#').next().unwrap_or_default().to_string();
        match cols[2] {
            "accepted" | "refused" => {
                let slot = files.entry(file).or_default();
                slot.0 |= cols[2] == "refused";
                if cols[4] != "-" {
                    slot.1.extend(cols[4].split(',').map(str::to_string));
                }
            }
            // Refused for a reason outside the file (another blueprint's objects,
            // the environment), or no blueprint at all: not comparable alone.
            "environment" => environment.push(file),
            "none" => {}
            other => panic!("unknown verdict {other} in {line}"),
        }
    }
    for file in environment {
        files.remove(&file);
    }
    files
}

fn disagreements() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string("tests/data/oracle_disagreements.tsv")
        .expect("the triage table exists");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (file, why) = l.split_once('\t').expect("file<TAB>reason");
            (file.to_string(), why.to_string())
        })
        .collect()
}

fn path_of(file: &str) -> Option<PathBuf> {
    let (root, rest) = file.split_once('/')?;
    let path = match root {
        "fixtures" => Path::new("fixtures").join(rest),
        "corpus" => Path::new("../shared/corpus/files").join(rest),
        _ => return None,
    };
    path.is_file().then_some(path)
}

fn config_for(path: &Path) -> Option<PathBuf> {
    let config = path.parent()?.join("bplint.toml");
    config.is_file().then_some(config)
}

#[test]
fn bplint_agrees_with_authentiks_importer_or_the_difference_is_triaged() {
    let verdicts = oracle_verdicts();
    let triaged = disagreements();
    let mut judged = 0;
    let mut agree = 0;
    // Per root (fixtures, corpus): files judged and files that agree.
    let mut by_root: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut unexplained = Vec::new();
    let mut stale = Vec::new();
    for (file, (refused, errors)) in &verdicts {
        let Some(path) = path_of(file) else {
            continue;
        };
        let outcome = common::lint_at(
            std::slice::from_ref(&path),
            config_for(&path).as_deref(),
            Some(RELEASE),
        );
        // Not a blueprint for bplint (a chart's Chart.yaml): nothing to compare.
        if outcome.files_checked() == 0 {
            continue;
        }
        let ours = outcome
            .diagnostics
            .iter()
            .any(|d| d.severity == bplint::diagnostic::Severity::Error);
        judged += 1;
        let root = by_root
            .entry(if file.starts_with("corpus/") {
                "corpus"
            } else {
                "fixtures"
            })
            .or_default();
        root.0 += 1;
        if ours == *refused {
            agree += 1;
            root.1 += 1;
            if triaged.contains_key(file) {
                stale.push(file.clone());
            }
        } else if !triaged.contains_key(file) {
            let codes: Vec<&str> = outcome
                .diagnostics
                .iter()
                .filter(|d| d.severity == bplint::diagnostic::Severity::Error)
                .map(|d| d.code)
                .collect();
            unexplained.push(format!(
                "{file}: Authentik {} {errors:?}, bplint {} {codes:?}",
                if *refused { "refuses" } else { "accepts" },
                if ours { "refuses" } else { "accepts" },
            ));
        }
    }
    eprintln!(
        "oracle: {agree} of {judged} files agree; {} triaged",
        triaged.len()
    );
    for (root, (n, a)) in &by_root {
        eprintln!("oracle: {root}: {a} of {n} files agree");
    }
    assert!(judged > 0, "no file of the table was found");
    assert!(
        unexplained.is_empty(),
        "bplint and Authentik's importer disagree (fix bplint, or triage in \
         tests/data/oracle_disagreements.tsv):\n{}",
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "triaged disagreements that now agree (remove them): {stale:?}"
    );
}
