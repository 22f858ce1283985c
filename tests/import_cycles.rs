//! No import cycle between the crate's top-level modules: the driver
//! (`pipeline`) wires the stages, and no stage below it names it or a stage that
//! depends on it. Checked with scripts/import-cycles.py (skipped without python3).

use std::path::Path;
use std::process::Command;

fn run(src: &Path) -> Option<(i32, String)> {
    let output = Command::new("python3")
        .arg("scripts/import-cycles.py")
        .arg(src)
        .output()
        .ok()?;
    Some((
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

#[test]
fn the_crate_has_no_import_cycle() {
    let Some((code, out)) = run(Path::new("src")) else {
        eprintln!("python3 not found; skipped");
        return;
    };
    assert_eq!(code, 0, "{out}");
}

#[test]
fn the_script_finds_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("b")).unwrap();
    std::fs::write(dir.path().join("a.rs"), "use crate::b::x;\n").unwrap();
    std::fs::write(
        dir.path().join("b/mod.rs"),
        "fn f() { crate::{c, a}::y(); }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("c.rs"),
        "#[cfg(test)]\nmod tests { use crate::a; }\n",
    )
    .unwrap();
    let Some((code, out)) = run(dir.path()) else {
        return;
    };
    assert_eq!(code, 1);
    assert_eq!(out, "import cycle among a, b: a -> b; b -> a\n");
}

/// The graph is drawn from what a run leaves (facts, index, findings): it
/// never runs one, so a language server or another command can draw from a
/// set of its own. `graph_command` is the command that runs and draws.
#[test]
fn the_graph_library_reaches_no_command() {
    let mut reaching = Vec::new();
    for entry in std::fs::read_dir("src/graph").unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for command in ["pipeline", "command", "cli", "graph_command", "upgrade"] {
            if code.contains(&format!("crate::{command}")) {
                reaching.push(format!("{} uses crate::{command}", path.display()));
            }
        }
    }
    assert!(reaching.is_empty(), "{}", reaching.join("\n"));
}
