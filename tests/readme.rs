//! Every output the README shows is what bplint prints, and its rule table is
//! the rule registry.
//!
//! An output block is a fenced block right after a marker line:
//!
//! - `<!-- bplint-output: ARGS -->`: the block is what `bplint ARGS` prints in
//!   the project's root, standard output and standard error together, in the
//!   order a terminal shows them.
//! - `<!-- bplint-session: NAME -->`: the block's `$ bplint ARGS` lines are
//!   commands, each followed by what it prints. They run in a folder the
//!   session NAME sets up (see `Session`), one after the other in README order,
//!   so a `--fix` or `--write-baseline` in one block is seen by the next. An
//!   output that starts with a line `...` shows only its last lines.
//!
//! Arguments are split at spaces. After an intended output change, rewrite every
//! block with `BPLINT_BLESS=1 cargo test --test readme` and review the diff.
//! Blocks of a session whose data is missing (the reference corpus in
//! `../shared`, or `$BPLINT_SHARED`) are skipped with a message, and left as
//! they are when blessing.

mod common;

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

const README: &str = "README.md";
const OUTPUT: &str = "<!-- bplint-output: ";
const SESSION: &str = "<!-- bplint-session: ";

/// One marked block: where its body lies in the README and what produces it.
struct Block {
    /// 1-based line of the marker, for messages.
    line: usize,
    /// Byte range of the body: the lines between the fences.
    body: std::ops::Range<usize>,
    source: Source,
}

enum Source {
    Output(String),
    Session(String),
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut offset = 0;
    let mut lines = readme.split_inclusive('\n').enumerate().peekable();
    while let Some((number, line)) = lines.next() {
        offset += line.len();
        let marker = line.trim_end();
        let source = if let Some(args) = marker.strip_prefix(OUTPUT) {
            Source::Output(
                args.strip_suffix(" -->")
                    .expect("marker ends with -->")
                    .into(),
            )
        } else if let Some(name) = marker.strip_prefix(SESSION) {
            Source::Session(
                name.strip_suffix(" -->")
                    .expect("marker ends with -->")
                    .into(),
            )
        } else {
            continue;
        };
        let (_, fence) = lines
            .next()
            .unwrap_or_else(|| panic!("README.md:{}: a marker ends the file", number + 1));
        assert!(
            fence.starts_with("```"),
            "README.md:{}: a marker must stand right above a fenced block",
            number + 1
        );
        offset += fence.len();
        let start = offset;
        loop {
            let (_, body_line) = lines
                .next()
                .unwrap_or_else(|| panic!("README.md:{}: the block never closes", number + 1));
            if body_line.trim_end() == "```" {
                blocks.push(Block {
                    line: number + 1,
                    body: start..offset,
                    source,
                });
                offset += body_line.len();
                break;
            }
            offset += body_line.len();
        }
    }
    blocks
}

/// What `bplint ARGS` prints in `folder` as a terminal shows it: standard
/// output and standard error go to one file, in the order bplint writes them.
/// No blank line at the end (a fenced block cannot show one).
fn printed(folder: &Path, args: &str) -> String {
    let mut file = tempfile::tempfile().unwrap();
    let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("bplint"))
        .env_remove("GITHUB_ACTIONS")
        .env_remove("FORGEJO_ACTIONS")
        .current_dir(folder)
        .args(args.split_whitespace())
        .stdout(file.try_clone().unwrap())
        .stderr(file.try_clone().unwrap())
        .status()
        .unwrap();
    assert!(
        status.code().is_some_and(|code| code <= 2),
        "bplint {args} crashed: {status}"
    );
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).unwrap();
    file.read_to_string(&mut text).unwrap();
    format!("{}\n", text.trim_end_matches('\n'))
}

fn shared() -> PathBuf {
    std::env::var_os("BPLINT_SHARED").map_or_else(|| PathBuf::from("../shared"), PathBuf::from)
}

/// Sets up the folder session `name` runs in, or says why it cannot be set up
/// here.
fn session(name: &str) -> Result<tempfile::TempDir, String> {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    // A git work tree: the repository whose other blueprints are context and
    // whose pins say the release.
    std::fs::create_dir(root.join(".git")).unwrap();
    match name {
        // The third-party corpus, copied into blueprints/ of a fresh repository.
        "corpus" => {
            let files = shared().join("corpus/files");
            if !files.is_dir() {
                return Err(format!("{} not found", files.display()));
            }
            std::fs::create_dir(root.join("blueprints")).unwrap();
            common::copy_tree(&files, &root.join("blueprints"));
        }
        // A Flux repository pinning Authentik 2025.10.1, with an OAuth2
        // provider that has no grant types.
        "upgrade" => {
            common::copy_tree(Path::new("fixtures/detect/flux-helmrelease"), root);
            std::fs::copy(
                "fixtures/upgrade/oauth2-without-grant-types.yaml",
                root.join("clusters/home/authentik/blueprints/grafana.yaml"),
            )
            .unwrap();
        }
        _ => panic!("README.md names session `{name}`, which tests/readme.rs does not define"),
    }
    Ok(folder)
}

/// The block as bplint prints it now: each `$ bplint` line's output, cut to its
/// last lines where the README shows `...` first.
fn session_body(shown: &str, folder: &Path, line: usize) -> String {
    let mut body = String::new();
    let mut commands = Vec::new();
    for text in shown.lines() {
        if let Some(args) = text.strip_prefix("$ bplint ") {
            commands.push((args, Vec::new()));
        } else {
            let (_, output) = commands.last_mut().unwrap_or_else(|| {
                panic!("README.md:{line}: a session block starts with `$ bplint ...`")
            });
            output.push(text);
        }
    }
    for (args, shown) in commands {
        body.push_str(&format!("$ bplint {args}\n"));
        let now = printed(folder, args);
        match shown.first() {
            Some(&"...") => {
                let keep = shown.len() - 1;
                let lines: Vec<&str> = now.lines().collect();
                body.push_str("...\n");
                for text in &lines[lines.len().saturating_sub(keep)..] {
                    body.push_str(text);
                    body.push('\n');
                }
            }
            _ => body.push_str(&now),
        }
    }
    body
}

#[test]
fn every_output_block_is_what_bplint_prints() {
    let readme = std::fs::read_to_string(README).unwrap();
    let blocks = blocks(&readme);
    assert!(
        blocks.len() >= 6,
        "README.md has {} marked output blocks; the markers are gone?",
        blocks.len()
    );
    let root = std::env::current_dir().unwrap();
    let mut sessions: HashMap<String, Option<tempfile::TempDir>> = HashMap::new();
    let mut differ = Vec::new();
    let mut rewritten = readme.clone();
    // Replaced from the last block up, so earlier ranges stay valid.
    let mut replacements = Vec::new();
    for block in &blocks {
        let shown = &readme[block.body.clone()];
        let now = match &block.source {
            Source::Output(args) => printed(&root, args),
            Source::Session(name) => {
                let folder = sessions.entry(name.clone()).or_insert_with(|| {
                    session(name)
                        .inspect_err(|why| {
                            println!("README.md:{}: session `{name}` skipped: {why}", block.line)
                        })
                        .ok()
                });
                match folder {
                    Some(folder) => session_body(shown, folder.path(), block.line),
                    None => continue,
                }
            }
        };
        if now != shown {
            differ.push(format!(
                "README.md:{}: the block differs from what bplint prints now:\n{}",
                block.line,
                similar::TextDiff::from_lines(shown, now.as_str())
                    .unified_diff()
                    .header("README.md", "bplint")
            ));
            replacements.push((block.body.clone(), now));
        }
    }
    if std::env::var_os("BPLINT_BLESS").is_some() {
        for (range, now) in replacements.iter().rev() {
            rewritten.replace_range(range.clone(), now);
        }
        if rewritten != readme {
            std::fs::write(README, rewritten).unwrap();
        }
        println!("README.md: {} output blocks rewritten", replacements.len());
        return;
    }
    assert!(
        differ.is_empty(),
        "{}\n{} of README.md's {} output blocks differ; after an intended change, \
         `BPLINT_BLESS=1 cargo test --test readme` rewrites them",
        differ.join("\n"),
        differ.len(),
        blocks.len()
    );
}

/// The README opens with the command that shows one mistake for every rule,
/// and its output shows each rule once.
#[test]
fn the_first_command_shows_every_rule_once() {
    let readme = std::fs::read_to_string(README).unwrap();
    let first = readme
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once('\n'))
        .map(|(command, _)| command)
        .expect("README starts with a sh block");
    let args = first
        .split('#')
        .next()
        .unwrap()
        .trim()
        .strip_prefix("cargo run -q -- ")
        .expect("the first command runs bplint through cargo");
    let block = blocks(&readme)
        .into_iter()
        .next()
        .expect("README has an output block");
    assert!(
        matches!(&block.source, Source::Output(marked) if marked == args),
        "README.md's first output block must be marked `{OUTPUT}{args} -->`"
    );
    let shown = &readme[block.body];
    let mut codes: Vec<&str> = shown
        .lines()
        .filter_map(|line| line.split(": ").nth(1)?.split(' ').next())
        .collect();
    codes.sort_unstable();
    let mut every: Vec<&str> = bplint::rules::ALL.iter().map(|r| r.meta().code).collect();
    every.sort_unstable();
    assert_eq!(codes, every, "examples/blueprints/ shows each rule once");
}

/// A markdown table row; an empty cell is written `| |`, as the README does.
fn row(cells: &[&str]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.is_empty() {
                " ".into()
            } else {
                format!(" {c} ")
            }
        })
        .collect();
    format!("|{}|", cells.join("|"))
}

/// The "## Rules" table is the registry: one row per rule in `ALL`'s order, with
/// its code, name, the severity its doc states (the doc's line is checked against
/// the rule in rule_docs.rs) and its fix. Only the last column, what the rule
/// catches, is the README's own prose; a new rule's row starts from its summary.
#[test]
fn the_rule_table_is_the_registry() {
    let readme = std::fs::read_to_string(README).unwrap();
    let start = readme
        .find("\n## Rules\n\n")
        .expect("README has a \"## Rules\" section")
        + "\n## Rules\n\n".len();
    let table: Vec<&str> = readme[start..]
        .lines()
        .take_while(|line| line.starts_with('|'))
        .collect();
    // The prose of each row the README has, keyed by its code.
    let prose: Vec<(&str, &str)> = table
        .iter()
        .skip(2)
        .filter_map(|line| {
            let cells: Vec<&str> = line.splitn(6, '|').collect();
            let what = cells.get(5)?.trim().strip_suffix('|')?.trim();
            Some((cells[1].trim(), what))
        })
        .collect();

    let mut expected = vec![
        row(&["code", "name", "severity", "fix", "what it catches"]),
        "|---|---|---|---|---|".to_string(),
    ];
    for rule in bplint::rules::ALL {
        let meta = rule.meta();
        let severity = common::doc_levels(meta.doc).map_or(meta.severity.as_str(), |(s, _)| s);
        let fix = match common::fix_word(meta.fix) {
            "none" => "",
            word => word,
        };
        let what = prose
            .iter()
            .find(|(code, _)| *code == meta.code)
            .map_or(meta.summary, |(_, what)| what);
        expected.push(row(&[meta.code, meta.name, severity, fix, what]));
    }
    let expected = expected.join("\n");
    assert!(
        table.join("\n") == expected,
        "README.md's rule table differs from the registry; it should read:\n\n{expected}\n"
    );
}
