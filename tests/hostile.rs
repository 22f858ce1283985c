//! Input built to hurt: each case must end with a clear message and exit 1 or 2,
//! never a panic or a hang.

use assert_cmd::Command;
use std::time::Duration;

fn check(path: &std::path::Path) -> (i32, String) {
    let output = Command::cargo_bin("bplint")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(path)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "bplint panicked on {}",
        path.display()
    );
    (output.status.code().unwrap_or(-1), stdout)
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_megabyte_of_nested_aliases_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "version: 1\nmetadata:\n  name: bomb\ncontext:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n",
    );
    let mut level = 1;
    while text.len() < 1_000_000 {
        let prev = level - 1;
        text.push_str(&format!(
            "  a{level}: &a{level} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
        level += 1;
    }
    text.push_str("entries: []\n");
    let path = write(&dir, "bomb.yaml", text.as_bytes());
    let (code, stdout) = check(&path);
    assert_eq!(code, 1);
    assert!(stdout.contains("alias bomb"), "{stdout}");
}

#[test]
fn ten_thousand_levels_of_nesting_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "version: 1\nmetadata:\n  name: deep\nentries: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let path = write(&dir, "deep.yaml", text.as_bytes());
    let (code, stdout) = check(&path);
    assert_eq!(code, 1);
    assert!(stdout.contains("deeper than"), "{stdout}");

    let block = format!(
        "version: 1\nmetadata:\n  name: deep\nentries:\n  {}x\n",
        "- ".repeat(10_000)
    );
    let path = write(&dir, "deep-block.yaml", block.as_bytes());
    let (code, stdout) = check(&path);
    assert_eq!(code, 1);
    assert!(stdout.contains("deeper than"), "{stdout}");
}

#[test]
fn a_binary_file_is_reported_not_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "image.yaml",
        b"version: 1\nentries:\0\x01\x02\xff\xfe",
    );
    let (code, stdout) = check(&path);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("not valid UTF-8") || stdout.contains("NUL byte"),
        "{stdout}"
    );
}

#[test]
fn non_utf8_text_points_at_the_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "latin1.yaml",
        b"version: 1\nmetadata:\n  name: gr\xfcn\nentries: []\n",
    );
    let (code, stdout) = check(&path);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "BP001");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(11))
    );
    assert!(d["message"].as_str().unwrap().contains("0xFC"));
}

#[test]
fn an_empty_file_and_a_comment_only_file_are_not_blueprints() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir, "empty.yaml", b"");
    write(&dir, "comments.yaml", b"# nothing here\n# at all\n");
    let (code, stdout) = check(dir.path());
    assert_eq!(code, 0);
    assert!(stdout.contains("\"files_checked\": 0"), "{stdout}");
}
