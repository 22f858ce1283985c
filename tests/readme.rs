//! The README's first command, `check --format concise examples/blueprints/`,
//! prints exactly the output the README shows under it.

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
