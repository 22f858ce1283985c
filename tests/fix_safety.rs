//! Fix safety as a property, over every fixture and, when the reference data is
//! beside the project (`../shared`, or the folder `BPLINT_SHARED` names), over
//! both Authentik release snapshots at their versions, `newest/` and the
//! third-party corpus (one blueprint set per source repository, as
//! scripts/check-reference.py groups it). All safe fixes are applied, and
//! separately all unsafe ones, through the library's fix loop; then:
//!
//! 1. every pass's result still loads with PyYAML;
//! 2. the loaded data changes only under the nodes the pass's edits fall in
//!    (an edit to an anchored node may change its aliases);
//!    No edit rewrites an alias (`*perm`), which would change what it stands
//!    for rather than the node it names;
//! 3. every byte outside the edits is identical, and the text fixed is the
//!    file's text as on disk;
//! 4. a second fix run changes nothing;
//! 5. no file gets more errors of any code than it had.
//!
//! 1 and 2 run all passes through one python3 process (scripts/fix-safety.py).
//! Without PyYAML they are skipped with a message, unless `BPLINT_REQUIRE_PYYAML`
//! is set (CI sets it), which makes a missing PyYAML a failure.

use bplint::config::Config;
use bplint::detect::{Judged, VersionSource};
use bplint::diagnostic::Severity;
use bplint::fix::{Step, fix};
use bplint::knowledge::Knowledge;
use bplint::pipeline::{Outcome, Request, run};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One blueprint set, checked at one Authentik version.
struct Group {
    name: String,
    paths: Vec<PathBuf>,
    version: Option<&'static str>,
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = read.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn groups() -> Vec<Group> {
    let mut fixtures = Vec::new();
    yaml_files(Path::new("fixtures"), &mut fixtures);
    let mut groups = vec![Group {
        name: "fixtures".into(),
        paths: fixtures,
        version: None,
    }];
    let shared =
        std::env::var_os("BPLINT_SHARED").map_or_else(|| PathBuf::from("../shared"), PathBuf::from);
    if !shared.join("authentik").is_dir() {
        println!(
            "reference data not found at {}: fixtures only",
            shared.display()
        );
        return groups;
    }
    for (release, version) in [
        ("2024.8.3", Some("2024.8.3")),
        ("2026.2.2", Some("2026.2.2")),
        ("newest", None),
    ] {
        let mut paths = Vec::new();
        yaml_files(&shared.join("authentik").join(release), &mut paths);
        groups.push(Group {
            name: format!("authentik/{release}"),
            paths,
            version,
        });
    }
    let sources = std::fs::read_to_string(shared.join("corpus/SOURCES.tsv")).unwrap_or_default();
    let mut by_repo: BTreeMap<&str, Vec<PathBuf>> = BTreeMap::new();
    for row in sources.lines().skip(1) {
        let mut columns = row.split('\t');
        let (Some(name), Some(repo)) = (columns.next(), columns.next()) else {
            continue;
        };
        let path = shared.join("corpus/files").join(name);
        if path.is_file() && (name.ends_with(".yaml") || name.ends_with(".yml")) {
            by_repo.entry(repo).or_default().push(path);
        }
    }
    for (repo, paths) in by_repo {
        groups.push(Group {
            name: format!("corpus {repo}"),
            paths,
            version: None,
        });
    }
    groups
}

/// Errors per file and code.
fn errors(outcome: &Outcome) -> BTreeMap<(PathBuf, &'static str), usize> {
    let mut out = BTreeMap::new();
    for d in &outcome.diagnostics {
        if d.severity == Severity::Error {
            *out.entry((outcome.files[d.file].path.clone(), d.code))
                .or_default() += 1;
        }
    }
    out
}

/// Character offset of a byte offset (PyYAML's marks count characters).
fn chars(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |s| s.chars().count())
}

/// Property 3: the edits are sorted, disjoint, and `after` is `before` with
/// exactly them applied.
fn outside_edits_identical(step: &Step) -> Result<(), String> {
    let mut rebuilt = String::new();
    let mut cursor = 0;
    for edit in &step.edits {
        let (start, end) = (edit.span.start, edit.span.end);
        if start < cursor || end > step.before.len() {
            return Err(format!("edits overlap or leave the text at {start}..{end}"));
        }
        rebuilt.push_str(&step.before[cursor..start]);
        rebuilt.push_str(&edit.replacement);
        cursor = end;
    }
    rebuilt.push_str(&step.before[cursor..]);
    if rebuilt == step.after {
        Ok(())
    } else {
        Err("bytes outside the edits changed".into())
    }
}

/// One pass for PyYAML: what it is, the text before and after, and the edits
/// as character ranges with their text.
type Case = (String, String, String, Vec<(usize, usize, String)>);

#[derive(Default)]
struct Tally {
    files: BTreeSet<PathBuf>,
    changed: [BTreeSet<PathBuf>; 2],
    fixes: [usize; 2],
    passes: usize,
    /// Errors a model fix uncovered (see property 5).
    revealed: usize,
    /// Passes on a text PyYAML could not load before the fix either.
    unloadable: usize,
    violations: Vec<String>,
    /// The passes for PyYAML to judge.
    cases: Vec<Case>,
}

fn check_group(group: &Group, unsafe_fixes: bool, tally: &mut Tally) {
    let judged = match group.version {
        Some(v) => Judged::new(
            Knowledge::for_version(v).expect("a known version"),
            VersionSource::Flag,
        ),
        None => Judged::newest(),
    };
    let kind = if unsafe_fixes { "unsafe" } else { "safe" };
    let mut request = Request::new(group.paths.clone(), Config::default(), judged);
    let first = run(&request);
    tally.files.extend(
        first
            .files
            .iter()
            .filter(|f| f.linted)
            .map(|f| f.path.clone()),
    );
    let done = fix(&mut request, unsafe_fixes);
    // A fix is computed on the file as it is on disk (not, say, on a copy
    // with its secrets masked for display), or it could never be written.
    let mut seen = BTreeSet::new();
    for step in &done.steps {
        if seen.insert(step.path.clone())
            && std::fs::read_to_string(&step.path).is_ok_and(|disk| disk != step.before)
        {
            tally.violations.push(format!(
                "{} ({kind} fixes, {}): fixed from a text that is not the file's",
                step.path.display(),
                group.name
            ));
        }
    }
    tally.fixes[usize::from(unsafe_fixes)] += done.applied;
    for step in &done.steps {
        tally.passes += 1;
        tally.changed[usize::from(unsafe_fixes)].insert(step.path.clone());
        let what = format!("{} ({kind} fixes, {})", step.path.display(), group.name);
        if let Err(why) = outside_edits_identical(step) {
            tally.violations.push(format!("{what}: {why}"));
        }
        let edits = step
            .edits
            .iter()
            .map(|e| {
                (
                    chars(&step.before, e.span.start),
                    chars(&step.before, e.span.end),
                    e.replacement.clone(),
                )
            })
            .collect();
        tally
            .cases
            .push((what, step.before.clone(), step.after.clone(), edits));
    }
    // Property 4: the fixed texts (kept in the overlay) have nothing left to fix.
    let again = fix(&mut request, unsafe_fixes);
    for step in &again.steps {
        tally.violations.push(format!(
            "{} ({kind} fixes, {}): a second run still changes it",
            step.path.display(),
            group.name
        ));
    }
    // Property 5: no error count grows. One exception, counted apart: once a
    // fix makes an unknown model known (BP201), the rules that need the model
    // check that entry for the first time, and what they find was wrong before.
    let before = errors(&first);
    let after = errors(&done.outcome);
    let count = |counts: &BTreeMap<(PathBuf, &'static str), usize>, path: &Path, code| {
        counts
            .get(&(path.to_path_buf(), code))
            .copied()
            .unwrap_or(0)
    };
    for ((path, code), &n) in &after {
        let had = count(&before, path, code);
        if n <= had {
            continue;
        }
        let model_fixed = count(&after, path, "BP201") < count(&before, path, "BP201");
        if model_fixed && NEED_A_KNOWN_MODEL.contains(code) {
            tally.revealed += n - had;
            continue;
        }
        tally.violations.push(format!(
            "{} ({kind} fixes, {}): {code} errors grew from {had} to {n}",
            path.display(),
            group.name
        ));
    }
}

/// Rules that judge an entry only when its model is known.
const NEED_A_KNOWN_MODEL: &[&str] = &[
    "BP101", "BP202", "BP203", "BP204", "BP217", "BP218", "BP219", "BP220", "BP221", "BP222",
];

fn pyyaml_available() -> bool {
    Command::new("python3")
        .args(["-c", "import yaml"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Properties 1 and 2 for every pass, through one python3 process.
fn check_with_pyyaml(tally: &mut Tally) {
    let cases: Vec<serde_json::Value> = tally
        .cases
        .iter()
        .enumerate()
        .map(|(id, (_, before, after, edits))| {
            serde_json::json!({"id": id, "before": before, "after": after, "edits": edits})
        })
        .collect();
    let mut child = Command::new("python3")
        .arg("scripts/fix-safety.py")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let input = serde_json::to_vec(&cases).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("fix-safety.py runs");
    writer
        .join()
        .unwrap()
        .expect("fix-safety.py reads its input");
    assert!(output.status.success(), "fix-safety.py failed");
    let mut seen = 0;
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let result: serde_json::Value = serde_json::from_str(line).unwrap();
        let what = &tally.cases[result["id"].as_u64().unwrap() as usize].0;
        seen += 1;
        if result["before_loads"] == false {
            // Not the fix's doing: the text did not load before it either.
            tally.unloadable += 1;
            continue;
        }
        if result["loads"] == false {
            tally.violations.push(format!(
                "{what}: PyYAML cannot load the fixed text: {}",
                result["error"]
            ));
        }
        for alias in result["alias_edits"].as_array().into_iter().flatten() {
            tally.violations.push(format!(
                "{what}: an edit rewrites the alias {alias} instead of the node it stands for"
            ));
        }
        for path in result["outside"].as_array().unwrap() {
            tally.violations.push(format!(
                "{what}: the data changed at {path}, which no edit announces"
            ));
        }
    }
    assert_eq!(seen, tally.cases.len(), "fix-safety.py judged every pass");
}

#[test]
fn fixes_change_only_what_they_announce() {
    let mut tally = Tally::default();
    for group in groups() {
        check_group(&group, false, &mut tally);
        check_group(&group, true, &mut tally);
    }
    if pyyaml_available() {
        check_with_pyyaml(&mut tally);
    } else if std::env::var_os("BPLINT_REQUIRE_PYYAML").is_some() {
        panic!("BPLINT_REQUIRE_PYYAML is set but python3 cannot import yaml (PyYAML)");
    } else {
        println!("PyYAML is not installed: properties 1 and 2 (loading, changed paths) skipped");
    }
    println!(
        "fix safety: {} files covered; safe fixes: {} applied in {} files; unsafe fixes: {} \
         applied in {} files; {} passes judged ({} on text PyYAML could not load before); {} errors uncovered by model \
         fixes; {} violations",
        tally.files.len(),
        tally.fixes[0],
        tally.changed[0].len(),
        tally.fixes[1],
        tally.changed[1].len(),
        tally.passes,
        tally.unloadable,
        tally.revealed,
        tally.violations.len()
    );
    assert!(
        tally.violations.is_empty(),
        "fixes broke their promise:\n{}",
        tally.violations.join("\n")
    );
}
