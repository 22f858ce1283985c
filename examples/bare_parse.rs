//! The floor bplint is measured against: find the YAML files under the given
//! paths as `bplint check` does, then read each one and run saphyr-parser's event
//! loop over it, in parallel, as bplint does; no tree, no rules.
//!
//! `cargo run --release --example bare_parse -- DIR...`; prints the files, bytes
//! and events seen and how many files did not parse. `bench/compare.sh` times it.

use bplint::discover::{Exclude, discover};
use rayon::prelude::*;
use saphyr_parser::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: bare_parse PATH...");
        return ExitCode::from(2);
    }
    let (candidates, errors) = discover(&paths, &Exclude::default());
    for error in &errors {
        eprintln!("{}: {}", error.path.display(), error.message);
    }
    // (bytes, events, failed) per file.
    let counts: Vec<(usize, usize, bool)> = candidates
        .par_iter()
        .map(|candidate| {
            let Ok(bytes) = std::fs::read(&candidate.path) else {
                return (0, 0, true);
            };
            let len = bytes.len();
            let Ok(text) = String::from_utf8(bytes) else {
                return (len, 0, true);
            };
            let mut events = 0;
            for event in Parser::new_from_str(&text) {
                if event.is_err() {
                    return (len, events, true);
                }
                events += 1;
            }
            (len, events, false)
        })
        .collect();
    let bytes: usize = counts.iter().map(|c| c.0).sum();
    let events: usize = counts.iter().map(|c| c.1).sum();
    let failed = counts.iter().filter(|c| c.2).count();
    println!(
        "{} files, {bytes} bytes, {events} events, {failed} failed to parse",
        counts.len()
    );
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
