//! bplint's apply-order rules against Authentik's importer on whole sets.
//!
//! tests/data/oracle_set_verdicts.tsv records what Authentik's real discovery and
//! importer (2025.12.4, fresh install) did with each blueprint of a set applied
//! in several orders: `ok` in every order, `order-dependent`, or `fails` in
//! every order (scripts/oracle-set-verdicts.py regenerates it where the oracle is
//! set up; CI cannot run it). Here bplint checks the same sets at the same
//! release. For every blueprint the oracle could judge (it does not fail in every
//! order for some other reason) its BP119 must agree with the oracle's
//! `order-dependent`; a blueprint with a BP120 or BP121 must fail in every order.
//! A set the oracle judged without some of its files (`# without:` in the table)
//! is checked without them too. Where the two disagree,
//! tests/data/oracle_set_disagreements.tsv must say why, and every listed
//! blueprint must still disagree. Corpus sets are judged only where ../shared is
//! present.

mod common;

use bplint::model::Origin;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const RELEASE: &str = "2025.12.4";

struct Row {
    set: String,
    blueprint: String,
    class: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string("tests/data/oracle_set_verdicts.tsv")
        .expect("the set verdicts exist");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 6, "malformed row: {line}");
            assert_eq!(cols[2], RELEASE, "{line}");
            assert!(
                ["ok", "order-dependent", "fails"].contains(&cols[3]),
                "unknown class in {line}"
            );
            Row {
                set: cols[0].to_string(),
                blueprint: cols[1].to_string(),
                class: cols[3].to_string(),
            }
        })
        .collect()
}

/// Per set, the files the oracle judged it without (`# without:` lines: copies
/// that would stop discovery before anything is applied).
fn left_out() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string("tests/data/oracle_set_verdicts.tsv")
        .expect("the set verdicts exist");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# without:\t") {
            let (set, path) = rest.split_once('\t').expect("set<TAB>path");
            out.entry(set.to_string())
                .or_default()
                .push(path.to_string());
        }
    }
    out
}

fn disagreements() -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string("tests/data/oracle_set_disagreements.tsv")
        .expect("the set triage exists");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let mut cols = l.splitn(3, '\t');
            let set = cols.next().unwrap_or_default().to_string();
            let blueprint = cols.next().unwrap_or_default().to_string();
            let why = cols
                .next()
                .expect("set<TAB>blueprint<TAB>reason")
                .to_string();
            ((set, blueprint), why)
        })
        .collect()
}

/// The files of a set, each with the path the oracle's labels give it.
fn files_of(set: &str) -> Option<Vec<(String, PathBuf)>> {
    if let Some(case) = set.strip_prefix("fixtures/") {
        let root = Path::new("fixtures").join(case);
        if root.is_file() {
            let name = root.file_name()?.to_string_lossy().to_string();
            return Some(vec![(name, root)]);
        }
        let mut out = Vec::new();
        let mut todo = vec![root.clone()];
        while let Some(dir) = todo.pop() {
            for entry in std::fs::read_dir(&dir).ok()? {
                let path = entry.ok()?.path();
                if path.is_dir() {
                    todo.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    let label = path.strip_prefix(&root).ok()?.to_string_lossy().to_string();
                    out.push((label, path));
                }
            }
        }
        return Some(out);
    }
    let repo = set.strip_prefix("corpus/")?;
    let corpus = Path::new("../shared/corpus");
    let table = std::fs::read_to_string(corpus.join("SOURCES.tsv")).ok()?;
    Some(
        table
            .lines()
            .skip(1)
            .filter_map(|line| {
                let cols: Vec<&str> = line.split('\t').collect();
                (cols.get(1) == Some(&repo))
                    .then(|| (cols[2].to_string(), corpus.join("files").join(cols[0])))
            })
            .filter(|(_, path)| {
                path.is_file() && path.extension().is_some_and(|e| e == "yaml" || e == "yml")
            })
            .collect(),
    )
}

fn config_for(set: &str) -> Option<PathBuf> {
    let code = set.strip_prefix("fixtures/")?.split('/').next()?;
    let config = Path::new("fixtures").join(code).join("bplint.toml");
    config.is_file().then_some(config)
}

/// Per oracle label (`path`, or `path#key` for a blueprint embedded under a
/// key), the codes bplint reports in that blueprint.
fn codes_by_blueprint(
    files: &[(String, PathBuf)],
    outcome: &bplint::pipeline::Outcome,
) -> BTreeMap<String, BTreeSet<&'static str>> {
    let mut out: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for d in &outcome.diagnostics {
        let path = &outcome.files[d.file].path;
        let Some((label, _)) = files.iter().find(|(_, p)| p == path) else {
            continue;
        };
        let key = outcome
            .facts
            .iter()
            .filter(|f| f.file == d.file && f.span.contains(d.span))
            .find_map(|f| match &f.origin {
                Origin::Embedded { key, .. } => Some(key.clone()),
                _ => None,
            });
        let label = match key {
            Some(key) => format!("{label}#{key}"),
            None => label.clone(),
        };
        out.entry(label).or_default().insert(d.code);
    }
    out
}

#[test]
fn bplint_orders_blueprints_as_authentiks_importer_does_or_the_difference_is_triaged() {
    let triaged = disagreements();
    let left_out = left_out();
    let mut by_set: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for row in rows() {
        by_set.entry(row.set.clone()).or_default().push(row);
    }
    let mut judged = 0;
    let mut unexplained = Vec::new();
    let mut agreeing_triaged = Vec::new();
    for (set, rows) in &by_set {
        let Some(mut files) = files_of(set) else {
            continue;
        };
        if let Some(paths) = left_out.get(set) {
            files.retain(|(label, _)| !paths.contains(label));
        }
        if files.is_empty() {
            continue;
        }
        let paths: Vec<PathBuf> = files.iter().map(|(_, p)| p.clone()).collect();
        let outcome = common::lint_at(&paths, config_for(set).as_deref(), Some(RELEASE));
        let codes = codes_by_blueprint(&files, &outcome);
        let none = BTreeSet::new();
        for row in rows {
            let ours = codes.get(&row.blueprint).unwrap_or(&none);
            let mut problems = Vec::new();
            let order = ours.contains("BP119");
            if row.class != "fails" && order != (row.class == "order-dependent") {
                problems.push(format!(
                    "Authentik: {}, bplint: {}",
                    row.class,
                    if order { "BP119" } else { "no BP119" }
                ));
            }
            for code in ["BP120", "BP121"] {
                if ours.contains(code) && row.class != "fails" {
                    problems.push(format!("Authentik: {}, bplint: {code}", row.class));
                }
            }
            judged += 1;
            let key = (set.clone(), row.blueprint.clone());
            match (problems.is_empty(), triaged.contains_key(&key)) {
                (false, false) => {
                    unexplained.push(format!("{set} {}: {}", row.blueprint, problems.join("; ")))
                }
                (true, true) => agreeing_triaged.push(format!("{set} {}", row.blueprint)),
                _ => {}
            }
        }
    }
    eprintln!(
        "oracle sets: {judged} blueprints judged; {} triaged",
        triaged.len()
    );
    assert!(judged > 0, "no set of the table was found");
    assert!(
        unexplained.is_empty(),
        "bplint and Authentik's importer disagree on the apply order (fix bplint, or triage in \
         tests/data/oracle_set_disagreements.tsv):\n{}",
        unexplained.join("\n")
    );
    assert!(
        agreeing_triaged.is_empty(),
        "triaged disagreements that now agree (remove them): {agreeing_triaged:?}"
    );
}
