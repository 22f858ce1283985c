//! The language server asks the pipeline for the findings of its open documents
//! only (`Request::focus`), and the set rules then judge only those blueprints
//! and the ones they depend on. Whatever a file is focused on, its findings
//! must be exactly those a full run reports in it: every blueprint of every
//! fixture set, and of the examples, focused on alone, is held to that.
//!
//! `BPLINT_FOCUS_SETS` names more folders to hold to it (separated by `:`),
//! such as a generated workspace (bench/gen_corpus.py) or ../shared/corpus; in
//! a folder of more than 100 blueprints one in every `n` is focused on, about
//! 50 in all.

mod common;

use bplint::config::Config;
use bplint::detect::Judged;
use bplint::pipeline::{Outcome, Request, run};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The folders the fixtures and examples lint as one set.
fn sets() -> Vec<PathBuf> {
    let mut sets = vec![PathBuf::from("examples/blueprints")];
    for code in std::fs::read_dir("fixtures").expect("fixtures/ exists") {
        let code = code.expect("readable").path();
        let Ok(children) = std::fs::read_dir(&code) else {
            continue;
        };
        for child in children {
            let child = child.expect("readable").path();
            if child.is_dir() {
                sets.push(child);
            }
        }
    }
    sets.sort();
    if let Some(more) = std::env::var_os("BPLINT_FOCUS_SETS") {
        sets.extend(std::env::split_paths(&more));
    }
    sets
}

fn request(set: &Path, focus: Option<&Path>) -> Request {
    let config = set
        .ancestors()
        .map(|dir| dir.join("bplint.toml"))
        .find(|path| path.is_file())
        .map(|path| Config::load(&path).expect("fixture config loads"))
        .unwrap_or_default();
    let judged = Judged::given(None, &config)
        .map(|given| given.expect("known version"))
        .unwrap_or_else(Judged::newest);
    let mut request = Request::new(vec![set.to_path_buf()], config, judged);
    request.focus = focus.map(|file| BTreeSet::from([file.to_path_buf()]));
    request
}

/// A file's findings as text: every part of each, its fix and related places
/// included, with the related places named by path (file ids are the same in
/// both runs, but the text says so plainly).
fn findings_in(outcome: &Outcome, path: &Path) -> Vec<String> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| outcome.files[d.file].path == path)
        .map(|d| {
            let related: Vec<String> = d
                .related
                .iter()
                .map(|r| {
                    format!(
                        "{}@{:?}: {}",
                        outcome.files[r.file].path.display(),
                        r.span,
                        r.message
                    )
                })
                .collect();
            format!(
                "{} {:?} {} | help {:?} | fix {:?} | related {related:?}",
                d.code, d.span, d.message, d.help, d.fix
            )
        })
        .collect()
}

#[test]
fn a_focused_file_has_the_findings_of_a_full_run() {
    let mut files = 0;
    let mut findings = 0;
    let mut cross_file = 0;
    for set in sets() {
        let full = run(&request(&set, None));
        let linted: Vec<PathBuf> = full
            .files
            .iter()
            .filter(|f| f.linted && !f.context)
            .map(|f| f.path.clone())
            .collect();
        let step = (linted.len() / 50).max(1);
        for path in linted
            .iter()
            .step_by(if linted.len() > 100 { step } else { 1 })
        {
            let focused = run(&request(&set, Some(path)));
            let want = findings_in(&full, path);
            assert_eq!(
                findings_in(&focused, path),
                want,
                "{} focused in {}",
                path.display(),
                set.display()
            );
            // Nothing is reported outside the focus.
            assert!(
                focused
                    .diagnostics
                    .iter()
                    .all(|d| focused.files[d.file].path == *path),
                "{} focused in {} reports elsewhere",
                path.display(),
                set.display()
            );
            files += 1;
            findings += want.len();
            cross_file += full
                .diagnostics
                .iter()
                .filter(|d| full.files[d.file].path == *path)
                .filter(|d| d.related.iter().any(|r| r.file != d.file))
                .count();
        }
    }
    // The sets hold findings that cross files (BP119, BP120, BP208...), or
    // this compares nothing of what the focus changes.
    assert!(files > 100, "only {files} files compared");
    assert!(findings > 100, "only {findings} findings compared");
    assert!(
        cross_file > 10,
        "only {cross_file} findings relate to other files"
    );
}
