//! Helpers shared by the integration tests: run the real pipeline on paths.

#![allow(dead_code)]

use bplint::config::Config;
use bplint::knowledge::Knowledge;
use bplint::pipeline::{Outcome, Request, run};
use std::path::{Path, PathBuf};

/// Lint `paths` with the config in `config` (if any) at the newest release.
pub fn lint(paths: &[PathBuf], config: Option<&Path>) -> Outcome {
    lint_at(paths, config, None)
}

pub fn lint_at(paths: &[PathBuf], config: Option<&Path>, version: Option<&str>) -> Outcome {
    let config = match config {
        Some(path) => Config::load(path).expect("fixture config loads"),
        None => Config::default(),
    };
    let kb = match version.or(config.authentik_version.as_deref()) {
        Some(v) => Knowledge::for_version(v).expect("known version"),
        None => Knowledge::newest(),
    };
    run(&Request {
        paths: paths.to_vec(),
        stdin: None,
        config,
        kb,
        max_file_size: bplint::pipeline::DEFAULT_MAX_FILE_SIZE,
    })
}

/// `(code, line, column)` of every diagnostic.
pub fn positions(outcome: &Outcome) -> Vec<(String, usize, usize)> {
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            let (line, column, _, _) = bplint::report::json::positions(outcome, d);
            (d.code.to_string(), line, column)
        })
        .collect()
}
