//! Any bytes -> the whole check of one file (see `checks.rs` for what is checked).

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::lint_input(data));
