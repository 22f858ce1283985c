//! The README's first command, `check --format concise examples/blueprints/`,
//! prints exactly the output the README shows under it, and its rule table is
//! the rule registry.

mod common;

#[test]
fn the_first_command_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let (command, rest) = readme
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once('\n'))
        .expect("README starts with a sh block");
    let args = command
        .split('#')
        .next()
        .unwrap()
        .trim()
        .strip_prefix("cargo run -q -- ")
        .expect("the first command runs bplint through cargo");
    let shown = rest
        .split_once("```\n\n```\n")
        .and_then(|(_, rest)| rest.split_once("```\n"))
        .map(|(output, _)| output)
        .expect("the sh block is followed by the output block");
    let output = common::bplint()
        .args(args.split_whitespace())
        .output()
        .unwrap();
    // The concise report goes to standard output and the summary to standard
    // error, printed after it: a terminal shows them in this order.
    let printed =
        String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        printed, shown,
        "README.md's first output differs from what bplint prints"
    );
    // One finding for every rule, and nothing else.
    let mut codes: Vec<&str> = printed
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
    let readme = std::fs::read_to_string("README.md").unwrap();
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
