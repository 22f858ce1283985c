//! Input built to hurt: each case must end with a clear message and exit 1 or 2,
//! never a panic or a hang.

use assert_cmd::Command;
use std::time::Duration;

/// The summary line's release when nothing names one: "Authentik X, the newest
/// bplint knows", computed so the tests follow new knowledge tables.
fn newest() -> String {
    format!(
        "Authentik {}, the newest bplint knows",
        bplint::knowledge::Knowledge::newest().version
    )
}

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

/// Run the built binary with `args`; (exit code, stdout, stderr).
fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bplint"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(!stderr.contains("panicked"), "bplint panicked: {stderr}");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        stderr,
    )
}

fn json_check(paths: &[&std::path::Path], extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args: Vec<std::ffi::OsString> = vec!["check".into(), "--format".into(), "json".into()];
    args.extend(extra.iter().map(std::ffi::OsString::from));
    args.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
    let (code, stdout, stderr) = run(&args);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (code, report, stderr)
}

/// `(code, line, column, end_column)` of each diagnostic in a JSON report.
fn positions(report: &serde_json::Value) -> Vec<(String, u64, u64, u64)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["end_column"].as_u64().unwrap(),
            )
        })
        .collect()
}

const ZERO_SESSION: &str = "version: 1\nmetadata:\n  name: ok\nentries:\n  - model: authentik_stages_user_login.userloginstage\n    identifiers: {name: login}\n    attrs: {session_duration: seconds=0}\n";

#[test]
fn a_hundred_megabyte_file_is_refused_by_size_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        file.write_all(b"version: 1\nmetadata: {name: big}\nentries:\n")
            .unwrap();
        let entry = b"  - {model: authentik_core.group, identifiers: {name: g}}\n";
        for _ in 0..(100 * 1024 * 1024 / entry.len()) {
            file.write_all(entry).unwrap();
        }
    }
    write(&dir, "small.yaml", ZERO_SESSION.as_bytes());
    let started = std::time::Instant::now();
    let (code, report, stderr) = json_check(&[dir.path()], &[]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("big.yaml: file too large (")
            && stderr.contains("over the 20 MiB limit")
            && stderr.contains("--max-file-size"),
        "{stderr}"
    );
    assert_eq!(report["files_checked"], 1);
    assert_eq!(positions(&report)[0].0, "BP103");
}

/// A file of `len` bytes that starts with `head` and is sparse after it, so a
/// 74 MB file costs no disk.
fn sparse(dir: &tempfile::TempDir, name: &str, head: &str, len: u64) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.path().join(name).parent().unwrap()).unwrap();
    let path = write(dir, name, head.as_bytes());
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len)
        .unwrap();
    path
}

/// Size is judged for blueprints only: a 25 MB CRD and a 74 MB env file in the
/// tree are skipped without a word when walked (with a note when named), while
/// an oversized file whose head is a blueprint still fails the run.
#[test]
fn large_files_that_are_not_blueprints_do_not_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let crd = sparse(
        &dir,
        "crds/big-crd.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: things.example.org\nspec:\n",
        25 * 1024 * 1024,
    );
    sparse(&dir, "deploy/prod.env", "TOKEN=x\n", 74 * 1024 * 1024);
    sparse(
        &dir,
        "blueprints/app.yaml",
        ZERO_SESSION,
        ZERO_SESSION.len() as u64,
    );
    let (code, report, stderr) = json_check(&[dir.path()], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["files_checked"], 1);
    assert!(
        !stderr.contains("big-crd") && !stderr.contains("prod.env"),
        "{stderr}"
    );
    // Named, the CRD gets a note saying why it was skipped; still no failure.
    let (code, _, stderr) = json_check(&[&crd], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("big-crd.yaml: over the 20 MiB limit (26214400 bytes) and its first kilobyte shows no blueprint; skipped"),
        "{stderr}"
    );
    // A blueprint over the limit is still refused, with exit 2, even with --exit-zero.
    let blueprint = ZERO_SESSION.replace("name: ok", "name: big");
    sparse(&dir, "blueprints/big.yaml", &blueprint, 21 * 1024 * 1024);
    let (code, report, stderr) = json_check(&[dir.path()], &["--exit-zero"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("big.yaml: file too large (22020096 bytes): over the 20 MiB limit"),
        "{stderr}"
    );
    assert!(!stderr.contains("big-crd"), "{stderr}");
    assert_eq!(report["files_checked"], 1);
}

#[test]
fn max_file_size_raises_and_lowers_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "app.yaml", ZERO_SESSION.as_bytes());
    let (code, report, stderr) = json_check(&[&path], &["--max-file-size", "100"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("over the 100 bytes limit"), "{stderr}");
    assert_eq!(report["files_checked"], 0);
    let (code, report, _) = json_check(&[&path], &["--max-file-size", "1K"]);
    assert_eq!((code, report["files_checked"].as_u64()), (0, Some(1)));
    let (code, _, stderr) = run(&["check", "--max-file-size", "big"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`big` is not a size"), "{stderr}");
}

#[test]
fn standard_input_over_the_limit_is_refused() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bplint"))
        .args(["check", "-", "--format", "json", "--max-file-size", "64"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // More than the limit; bplint stops reading after it, so ignore a broken pipe.
    let _ = stdin.write_all(ZERO_SESSION.repeat(100).as_bytes());
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("<stdin>: file too large"), "{stderr}");
}

#[test]
fn a_byte_order_mark_leaves_columns_as_editors_count_them() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "\u{feff}version: 2\n{}",
        &ZERO_SESSION["version: 1\n".len()..]
    );
    let path = write(&dir, "bom.yaml", text.as_bytes());
    let (_, report, _) = json_check(&[&path], &[]);
    assert_eq!(
        positions(&report),
        vec![("BP003".into(), 1, 10, 11), ("BP103".into(), 7, 31, 40),]
    );
}

#[test]
fn crlf_and_multi_byte_text_keep_columns_in_characters() {
    // Line 7 is `    attrs: {titel: "Grüße 👋", session_duration: seconds=0}`:
    // `seconds=0` starts at character 49 (byte 54) of the line.
    let path = std::path::Path::new("tests/data/crlf-multibyte.yaml");
    let (_, report, _) = json_check(&[path], &[]);
    assert_eq!(
        positions(&report),
        vec![
            ("BP202".into(), 7, 13, 18),
            ("BP103".into(), 7, 49, 58),
            ("BP003".into(), 8, 5, 10)
        ]
    );
    let (_, human, _) = run(&[
        "check",
        "--color",
        "never",
        "tests/data/crlf-multibyte.yaml",
    ]);
    insta::assert_snapshot!("crlf_multibyte_human", human);
}

#[test]
fn a_tab_is_one_column() {
    let dir = tempfile::tempdir().unwrap();
    // PyYAML takes a tab only inside quotes, block scalars and comments: here a
    // quoted one comes before the finding on its line.
    let text = "version: 1\nmetadata:\n  name: ok\nentries:\n  - {model: \
                authentik_stages_user_login.userloginstage, identifiers: {name: \"log\tin\"}, \
                attrs: {session_duration: seconds=0}}\n";
    let path = write(&dir, "tab.yaml", text.as_bytes());
    let (_, report, _) = json_check(&[&path], &[]);
    assert_eq!(positions(&report), vec![("BP103".into(), 5, 114, 123)]);
}

#[test]
fn a_lone_carriage_return_is_a_line_break() {
    let dir = tempfile::tempdir().unwrap();
    let text = ZERO_SESSION.replace('\n', "\r");
    let path = write(&dir, "mac.yaml", text.as_bytes());
    let (_, report, _) = json_check(&[&path], &[]);
    assert_eq!(positions(&report), vec![("BP103".into(), 7, 31, 40)]);
}

#[test]
fn an_empty_file_named_explicitly_gets_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "empty.yaml", b"");
    let (code, report, stderr) = json_check(&[&path], &[]);
    assert_eq!(code, 0);
    assert_eq!(report["files_checked"], 0);
    assert!(stderr.contains("empty.yaml: not a blueprint"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_are_reported_and_the_walk_goes_on() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let good = write(&dir, "good.yaml", ZERO_SESSION.as_bytes());
    symlink(&good, dir.path().join("linked.yaml")).unwrap();
    symlink(dir.path(), dir.path().join("loop")).unwrap();
    symlink("b.yaml", dir.path().join("a.yaml")).unwrap();
    symlink("a.yaml", dir.path().join("b.yaml")).unwrap();
    symlink("missing.yaml", dir.path().join("dangling.yaml")).unwrap();
    let (code, report, stderr) = json_check(&[dir.path()], &[]);
    assert_eq!(code, 2, "{stderr}");
    for name in ["a.yaml", "b.yaml", "dangling.yaml"] {
        assert!(
            stderr.contains(&format!("{name}: cannot read:")),
            "{name} not reported: {stderr}"
        );
    }
    assert!(stderr.contains("no such file or directory"), "{stderr}");
    // The real file and the link to it, as Authentik's discovery finds both.
    assert_eq!(report["files_checked"], 2);
}

/// Whether this process runs as root (permission bits do not stop root).
#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported_and_the_rest_checked() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let mode = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode(dir.path(), 0o755);
    write(&dir, "good.yaml", ZERO_SESSION.as_bytes());
    let secret = write(&dir, "secret.yaml", ZERO_SESSION.as_bytes());
    mode(&secret, 0o000);
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("inner.yaml"), ZERO_SESSION).unwrap();
    mode(&locked, 0o000);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bplint"));
    command.args(["check", "--format", "json"]).arg(dir.path());
    if running_as_root() {
        // Root reads anything, so check as `nobody`.
        command.uid(65534).gid(65534);
    }
    let output = command.output();
    mode(&locked, 0o755);
    let output = match output {
        Ok(output) if output.status.code() != Some(126) => output,
        other => {
            eprintln!("skipped: cannot run bplint as an unprivileged user here: {other:?}");
            return;
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("secret.yaml: cannot read: permission denied"),
        "{stderr}"
    );
    assert!(stderr.contains("locked: permission denied"), "{stderr}");
    assert_eq!(report["files_checked"], 1);
}

#[test]
fn a_named_file_that_is_gone_is_reported_and_the_rest_checked() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(&dir, "good.yaml", ZERO_SESSION.as_bytes());
    let gone = write(&dir, "gone.yaml", ZERO_SESSION.as_bytes());
    std::fs::remove_file(&gone).unwrap();
    let (code, report, stderr) = json_check(&[&gone, &good], &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("gone.yaml: no such file or directory"),
        "{stderr}"
    );
    assert_eq!(report["files_checked"], 1);
}

#[test]
fn files_deleted_while_the_walk_runs_are_reported_or_missed_never_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let mut doomed = Vec::new();
    for i in 0..2_000 {
        let path = write(&dir, &format!("f{i:04}.yaml"), ZERO_SESSION.as_bytes());
        if i % 2 == 1 {
            doomed.push(path);
        }
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bplint"))
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for path in &doomed {
        std::fs::remove_file(path).unwrap();
    }
    let stdout = child.stdout.take().unwrap();
    let report: serde_json::Value = serde_json::from_reader(stdout).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let reported = stderr.lines().count() as u64;
    assert!(
        stderr
            .lines()
            .all(|l| l.contains(".yaml: cannot read: no such file")),
        "{stderr}"
    );
    assert_eq!(
        output.status.code(),
        Some(if reported == 0 { 0 } else { 2 })
    );
    let checked = report["files_checked"].as_u64().unwrap();
    assert!(
        checked >= 1_000 && checked + reported <= 2_000,
        "{checked} + {reported}"
    );
}

#[test]
fn ten_thousand_files_with_one_percent_broken() {
    let dir = tempfile::tempdir().unwrap();
    let mut broken = std::collections::BTreeSet::new();
    for i in 0..10_000 {
        let sub = dir.path().join(format!("d{:02}", i / 100));
        std::fs::create_dir_all(&sub).unwrap();
        let path = sub.join(format!("bp{i:05}.yaml"));
        let text = if i % 100 == 37 {
            broken.insert(path.to_string_lossy().to_string());
            format!("version: 1\nmetadata: {{name: b{i}}}\nentries: [\n")
        } else {
            format!(
                "version: 1\nmetadata:\n  name: bp{i}\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: group-{i}\n"
            )
        };
        std::fs::write(path, text).unwrap();
    }
    let started = std::time::Instant::now();
    let (code, report, stderr) = json_check(&[dir.path()], &[]);
    eprintln!("10,000 files checked in {:?}", started.elapsed());
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["files_checked"], 10_000);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let files: std::collections::BTreeSet<String> = diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d["code"], "BP001", "{d}");
            d["file"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(diagnostics.len(), 100);
    assert_eq!(files, broken);
    assert_eq!(report["summary"]["errors"], 100);
}

/// Human and JSON output of one check, stdout and stderr together.
fn both_outputs(path: &std::path::Path, env: &[(&str, &str)]) -> String {
    let mut all = String::new();
    for format in ["human", "json"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_bplint"))
            .args(["check", "--color", "never", "--format", format])
            .arg(path)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        all.push_str(&String::from_utf8_lossy(&output.stdout));
        all.push_str(&String::from_utf8_lossy(&output.stderr));
    }
    all
}

#[test]
fn env_and_file_tags_are_never_resolved_on_the_checking_machine() {
    let dir = tempfile::tempdir().unwrap();
    let from_env = "env-value-8c1f0d2e9b7a4365";
    let from_file = "file-value-5d3a9e1c7b2f4860";
    let secret_file = write(&dir, "secret.txt", from_file.as_bytes());
    let text = format!(
        "version: 1\nmetadata:\n  name: worker-secrets\nentries:\n  - model: authentik_providers_oauth2.oauth2provider\n    identifiers:\n      name: app\n    attrs:\n      client_secret: !Env BPLINT_PROBE\n      client_id: !File {}\n      name: !Format [\"%s\", !Env BPLINT_PROBE]\n      redirect_uris: !Env [BPLINT_PROBE, fallback]\n      signing_key: !File [{}, none]\n      authorization_flow: !Findd [authentik_flows.flow, [slug, x]]\n",
        secret_file.display(),
        secret_file.display()
    );
    let path = write(&dir, "app.yaml", text.as_bytes());
    let output = both_outputs(&path, &[("BPLINT_PROBE", from_env)]);
    assert!(output.contains("BP004"), "the file has findings: {output}");
    assert!(!output.contains(from_env), "{output}");
    assert!(!output.contains(from_file), "{output}");
}

#[test]
fn no_output_shows_a_literal_secret_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "s3cr3t-Välue-XYZ-1234567890";
    let text = format!(
        "version: 1\nmetadata:\n  name: leaky\nentries:\n  - model: authentik_providers_oauth2.oauth2provider\n    identifiers:\n      name: app\n    atrs: {{}}\n    attrs:\n      client_secret: \"{secret}\"\n      client_id: app\n  - model: authentik_core.user\n    identifiers: {{username: admin}}\n    attrs: {{password: {secret}, pasword: x}}\n"
    );
    let path = write(&dir, "leaky.yaml", text.as_bytes());
    let output = both_outputs(&path, &[]);
    assert!(
        output.contains("BP003") && output.contains("BP301"),
        "{output}"
    );
    assert!(output.contains("\"s3…\" (27 chars)"), "{output}");
    for part in [secret, "s3cr3t", "1234567890"] {
        assert!(!output.contains(part), "`{part}` shown: {output}");
    }
}

#[test]
fn a_real_blueprint_with_a_literal_client_secret_is_flagged() {
    // Reference data beside the project (absent outside the project's machines).
    let path = std::path::Path::new(
        "../shared/corpus/files/chrishenschel__kmu-server__authentik__blueprints__immich.yaml",
    );
    if !path.is_file() {
        eprintln!("skipped: {} is not here", path.display());
        return;
    }
    let (_, report, _) = json_check(&[path], &[]);
    let secrets: Vec<_> = positions(&report)
        .into_iter()
        .filter(|p| p.0 == "BP301")
        .collect();
    assert_eq!(secrets, vec![("BP301".into(), 14, 22, 46)]);
    assert!(!both_outputs(path, &[]).contains("IMMICH_CLIENT_SECRET"));
}

#[test]
fn ten_thousand_findings_in_one_file_render_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("version: 1\nmetadata: {name: many}\nentries:\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "  - model: not-a-model-{i}\n    identifiers: {{name: g{i}}}\n"
        ));
    }
    let path = write(&dir, "many.yaml", text.as_bytes());
    let started = std::time::Instant::now();
    let output = Command::cargo_bin("bplint")
        .unwrap()
        .args(["check", "--color", "never"])
        .arg(&path)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.ends_with(&format!("10000 errors in 1 file ({}).\n", newest())),
        "{}",
        &stdout[stdout.len().saturating_sub(300)..]
    );
    assert!(
        stdout.contains("many.yaml:20002:12]"),
        "positions stay exact"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_one_line_blueprint_with_many_findings_is_reported_without_its_line() {
    // JSON is YAML: a generated blueprint may be one 1 MB line. miette cannot draw
    // a label past column 65,535, and printing the line per finding would flood
    // the terminal, so long lines are not shown; positions still are, exactly.
    let dir = tempfile::tempdir().unwrap();
    let entries: Vec<String> = (0..20_000)
        .map(|i| format!("{{model: bäd-{i}, identifiers: {{name: grüße-{i}}}}}"))
        .collect();
    let text = format!(
        "{{version: 1, metadata: {{name: one-line}}, entries: [{}]}}\n",
        entries.join(", ")
    );
    let last = text.rfind("bäd-19999").unwrap();
    let column = text[..last].chars().count() + 1;
    let path = write(&dir, "minified.yaml", text.as_bytes());
    let started = std::time::Instant::now();
    let (code, human, stderr) = run(&[
        "check".as_ref(),
        "--color".as_ref(),
        "never".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(human.ends_with(&format!("20000 errors in 1 file ({}).\n", newest())));
    assert!(
        human.contains(&format!(
            "minified.yaml:1:{column}; the line is too long to show)"
        )),
        "{}",
        &human[human.len() - 400..]
    );
    assert!(human.len() < 10_000_000, "{} bytes of output", human.len());
    let (_, report, _) = json_check(&[&path], &[]);
    let found = positions(&report);
    assert_eq!(found.len(), 20_000);
    assert_eq!(found[19_999].2, column as u64);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn set_rule_findings_on_standard_input_point_into_standard_input() {
    // BP102 runs on the whole set, after each file's text was dropped; standard
    // input must not be read back from a file that happens to have its name.
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new("fixtures/BP102/bad.yaml");
    let (_, from_disk, _) = json_check(&[fixture], &[]);
    let decoy = write(&dir, "app.yaml", b"# a different file");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bplint"))
        .args(["check", "-", "--format", "json", "--stdin-filename"])
        .arg(&decoy)
        .stdin(std::fs::File::open(fixture).unwrap())
        .output()
        .unwrap();
    let from_stdin: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let expected = positions(&from_disk);
    assert_eq!(expected.iter().filter(|p| p.0 == "BP102").count(), 2);
    assert_eq!(positions(&from_stdin), expected);
}
