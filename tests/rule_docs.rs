//! Every rule's doc under `rules/` is what `bplint explain` prints, and its
//! examples are tested: the `## Example` files must fire the rule, the
//! `## Use instead` files must not. The sections a user reads come first; notes
//! for maintainers (where a behaviour was read in Authentik's source, real
//! occurrences, triage, measurements) go last, under `## Notes for maintainers`.
//!
//! A section's ```yaml blocks are blueprint files (`title="path"` names one,
//! default `example.yaml`); a ```toml block titled `bplint.toml` configures them.

mod common;

use std::path::PathBuf;

struct Block {
    lang: String,
    title: Option<String>,
    body: String,
}

fn blocks(section: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut parts = info.splitn(2, ' ');
        let lang = parts.next().unwrap_or("").to_string();
        let title = parts
            .next()
            .and_then(|rest| rest.strip_prefix("title=\""))
            .and_then(|rest| rest.strip_suffix('"'))
            .map(str::to_string);
        let mut body = String::new();
        for line in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            body.push_str(line);
            body.push('\n');
        }
        out.push(Block { lang, title, body });
    }
    out
}

fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(heading)
        .unwrap_or_else(|| panic!("doc lacks {heading}"));
    let rest = &doc[start + heading.len()..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    &rest[..end]
}

fn run_example(code: &str, section: &str, tag: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("bplint-doc-{code}-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut config = None;
    let mut paths = Vec::new();
    for block in blocks(section) {
        match block.lang.as_str() {
            "yaml" => {
                let name = block.title.unwrap_or_else(|| "example.yaml".into());
                let path = dir.join(&name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &block.body).unwrap();
                paths.push(path);
            }
            "toml" => {
                let path = dir.join("bplint.toml");
                std::fs::write(&path, &block.body).unwrap();
                config = Some(path);
            }
            _ => {}
        }
    }
    assert!(!paths.is_empty(), "{code} {tag} has no yaml example");
    let rel: Vec<PathBuf> = paths;
    let outcome = common::lint(&rel, config.as_deref());
    let _ = std::fs::remove_dir_all(&dir);
    outcome
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect()
}

#[test]
fn every_rule_has_a_tested_doc() {
    for rule in bplint::rules::ALL {
        let meta = rule.meta();
        let doc = meta.doc;
        assert!(
            doc.starts_with(&format!("# {} {}\n", meta.code, meta.name)),
            "{} doc starts with its code and name",
            meta.code
        );
        for heading in ["## What it checks", "## Why it matters"] {
            assert!(doc.contains(heading), "{} doc lacks {heading}", meta.code);
        }
        let bad = run_example(meta.code, section(doc, "## Example"), "bad");
        assert!(
            bad.iter().any(|c| c == meta.code),
            "{}'s example does not fire it: {bad:?}",
            meta.code
        );
        let good = run_example(meta.code, section(doc, "## Use instead"), "good");
        assert!(
            !good.iter().any(|c| c == meta.code),
            "{}'s 'use instead' example fires it",
            meta.code
        );
    }
}

#[test]
fn rule_docs_on_disk_are_the_embedded_ones() {
    for rule in bplint::rules::ALL {
        let meta = rule.meta();
        let path = format!("rules/{}-{}.md", meta.code, meta.name);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} exists"));
        assert_eq!(on_disk, meta.doc, "{path}");
    }
    // The other way round: a doc whose rule was renamed or never registered
    // would be shipped nowhere, since only registered rules embed theirs.
    let registered: Vec<String> = bplint::rules::ALL
        .iter()
        .map(|r| format!("{}-{}.md", r.meta().code, r.meta().name))
        .collect();
    let mut orphans: Vec<String> = std::fs::read_dir("rules")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !registered.contains(name))
        .collect();
    orphans.sort();
    assert!(
        orphans.is_empty(),
        "docs under rules/ that name no registered rule (<code>-<name>.md): {orphans:?}"
    );
}

/// Splits `text` into its first word and the rest, which may only be empty or a
/// parenthesised note (`warning (error in `identifiers`)`, `safe (adds ...)`).
fn word_and_note(text: &str) -> Result<&str, String> {
    let (word, rest) = text.split_once(' ').unwrap_or((text, ""));
    if rest.is_empty() || rest.starts_with('(') {
        Ok(word)
    } else {
        Err(format!("`{text}` is not `<word>` or `<word> (<note>)`"))
    }
}

#[test]
fn each_doc_states_the_severity_and_fix_of_its_rule() {
    let mut wrong = Vec::new();
    for rule in bplint::rules::ALL {
        let meta = rule.meta();
        let Some((severity, fix)) = common::doc_levels(meta.doc) else {
            wrong.push(format!(
                "{}: the third line is not `**Severity:** <level> · **Fix:** <kind>`",
                meta.code
            ));
            continue;
        };
        let expected = [
            ("severity", severity, meta.severity.as_str()),
            ("fix", fix, common::fix_word(meta.fix)),
        ];
        for (what, text, code_says) in expected {
            match word_and_note(text) {
                Ok(word) if word == code_says => {}
                Ok(word) => wrong.push(format!(
                    "{}: the doc's {what} is {word}, the rule's is {code_says}",
                    meta.code
                )),
                Err(problem) => wrong.push(format!("{}: {what}: {problem}", meta.code)),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The sections for users come first, in this order: what the rule checks, why it
/// matters, optionally more about the fix, the example and what to write instead.
/// Only `## Notes for maintainers` may follow, last.
const USER_SECTIONS: &[&str] = &[
    "## What it checks",
    "## Why it matters",
    "## The fix",
    "## Example",
    "## Use instead",
];
const MAINTAINER_NOTES: &str = "## Notes for maintainers";

/// What a user section must not hold: paths into Authentik's, DRF's, PyYAML's or
/// bplint's source, test files, triage notes, pull requests, issues, commits.
fn maintainer_matter(line: &str) -> Option<&'static str> {
    let words = line.split(|c: char| c.is_whitespace() || "`()[],;:".contains(c));
    for word in words {
        let word = word.trim_end_matches('.');
        if word.ends_with(".py") || word.ends_with(".ts") || word.ends_with(".rs") {
            return Some("a source file");
        }
    }
    [
        ("tests/", "a test file"),
        ("src/", "bplint's source"),
        ("docs/triage", "the triage notes"),
        ("PR #", "a pull request"),
        ("issue #", "an issue"),
        ("commit", "a commit"),
        ("corpus", "the corpus"),
    ]
    .iter()
    .find(|(needle, _)| line.contains(needle))
    .map(|(_, what)| *what)
}

#[test]
fn user_sections_come_first_and_hold_no_maintainer_notes() {
    let mut wrong = Vec::new();
    for rule in bplint::rules::ALL {
        let meta = rule.meta();
        let headings: Vec<&str> = meta
            .doc
            .lines()
            .filter(|line| line.starts_with("## "))
            .collect();
        let users: Vec<&str> = headings
            .iter()
            .copied()
            .take_while(|h| *h != MAINTAINER_NOTES)
            .collect();
        let order: Vec<usize> = users
            .iter()
            .filter_map(|h| USER_SECTIONS.iter().position(|u| u == h))
            .collect();
        if order.len() != users.len() {
            wrong.push(format!(
                "{}: sections other than {USER_SECTIONS:?} before the maintainer notes: {users:?}",
                meta.code
            ));
        } else if !order.windows(2).all(|w| w[0] < w[1]) {
            wrong.push(format!(
                "{}: user sections out of order: {users:?}",
                meta.code
            ));
        }
        let notes = headings.len() - users.len();
        if notes > 1 || (notes == 1 && headings.last() != Some(&MAINTAINER_NOTES)) {
            wrong.push(format!(
                "{}: `{MAINTAINER_NOTES}` must be the one last section: {headings:?}",
                meta.code
            ));
        }
        let user_text = meta.doc.split(MAINTAINER_NOTES).next().unwrap_or_default();
        let mut in_code = false;
        for line in user_text.lines() {
            if line.starts_with("```") {
                in_code = !in_code;
            }
            if in_code {
                continue;
            }
            if let Some(what) = maintainer_matter(line) {
                wrong.push(format!("{}: {what} in a user section: {line}", meta.code));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
