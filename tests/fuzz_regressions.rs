//! Every input under `fuzz/regressions/` (inputs that crashed bplint, found by
//! fuzzing or by hand, now fixed) and under `fuzz/seeds/` goes through both fuzz
//! targets' checks as an ordinary test, so `cargo test` keeps them fixed without
//! cargo-fuzz.

#[path = "../fuzz/checks.rs"]
mod checks;

fn inputs(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "NOTICE"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    found.sort();
    found
}

#[test]
fn saved_crashes_stay_fixed() {
    let cases = inputs("fuzz/regressions");
    assert!(!cases.is_empty());
    for (name, data) in cases {
        eprintln!("{name}");
        checks::parse_input(&data);
        checks::lint_input(&data);
    }
}

#[test]
fn seeds_pass_the_fuzz_checks() {
    for (name, data) in inputs("fuzz/seeds") {
        eprintln!("{name}");
        checks::parse_input(&data);
        checks::lint_input(&data);
    }
}
