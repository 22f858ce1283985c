//! Every message, help, label and fix title bplint prints reads as a sentence:
//! no doubled or stray punctuation ("?;", ";;", " ,"), no doubled spaces, no
//! lower-case sentence after a question or a full stop, and no Rust debug
//! output leaking into text (`Some("x")`). Checked on every finding bplint
//! reports over fixtures/ and examples/ (all of them one set, so the cross-file
//! rules speak too), at the newest release and at an older one whose tables
//! make other messages.

mod common;

/// What is wrong with `text`, if anything.
fn flaw(text: &str) -> Option<&'static str> {
    // An ellipsis is three dots on purpose (`[field, value], ...`); "e.g." is
    // an abbreviation, not the end of a sentence.
    let text = text.replace("...", "…").replace("e.g. ", "e.g.\u{a0}");
    let doubled = [
        ("?;", "a question followed by a semicolon"),
        ("?:", "a question followed by a colon"),
        ("?,", "a question followed by a comma"),
        (";;", "a doubled semicolon"),
        ("..", "a doubled full stop"),
        (",,", "a doubled comma"),
        ("::", "a doubled colon"),
        (" ,", "a space before a comma"),
        (" ;", "a space before a semicolon"),
        (" .", "a space before a full stop"),
        ("  ", "a doubled space"),
        ("( ", "a space after an opening parenthesis"),
        (" )", "a space before a closing parenthesis"),
        (";.", "punctuation doubled"),
        (",.", "punctuation doubled"),
        (".;", "punctuation doubled"),
        ("Some(", "Rust debug output"),
        ("\", [(\"", "Rust debug output"),
    ];
    if let Some((_, why)) = doubled.iter().find(|(bad, _)| text.contains(bad)) {
        return Some(why);
    }
    if text.starts_with(' ') || text.ends_with(' ') {
        return Some("a space at an end");
    }
    let chars: Vec<char> = text.chars().collect();
    let lower_after = chars
        .windows(3)
        .any(|w| matches!(w[0], '?' | '.' | '!') && w[1] == ' ' && w[2].is_lowercase());
    lower_after.then_some("a lower-case sentence after a question or a full stop")
}

#[test]
fn the_flaw_finder_finds_flaws() {
    assert_eq!(flaw("did you mean `x`? The importer stops"), None);
    assert_eq!(flaw("`!Find [model, [field, value], ...]`"), None);
    assert_eq!(flaw("(e.g. `hours=1`)"), None);
    assert!(flaw("did you mean `x`?; the importer stops").is_some());
    assert!(flaw("did you mean `x`? the importer").is_some());
    assert!(flaw("it is. then").is_some());
    assert!(flaw("a  b").is_some());
    assert!(flaw("a , b").is_some());
    assert!(flaw("target=!Find (\"m\", [(\"slug\", Some(\"x\"))])").is_some());
}

fn texts(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        let code = d["code"].as_str().unwrap_or_default().to_string();
        let mut push = |text: &serde_json::Value| {
            if let Some(text) = text.as_str() {
                out.push((code.clone(), text.to_string()));
            }
        };
        push(&d["message"]);
        push(&d["help"]);
        push(&d["fix"]["title"]);
        for related in d["related"].as_array().into_iter().flatten() {
            push(&related["message"]);
        }
    }
    out
}

#[test]
fn messages_have_no_broken_punctuation() {
    let mut checked = 0;
    let mut flawed = Vec::new();
    for version in ["2026.8", "2024.8"] {
        let report = common::json_report(common::bplint().args([
            "check",
            "--isolated",
            "--exit-zero",
            "--authentik-version",
            version,
            "fixtures",
            "examples",
        ]));
        for (code, text) in texts(&report) {
            checked += 1;
            if let Some(why) = flaw(&text) {
                flawed.push(format!("{code} at {version}: {why}: {text}"));
            }
        }
    }
    flawed.sort();
    flawed.dedup();
    assert!(checked > 500, "only {checked} texts");
    assert!(flawed.is_empty(), "{}", flawed.join("\n"));
}
