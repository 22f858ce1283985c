//! Applying fixes: edits on exact spans, never overlapping, repeated until the
//! blueprints are stable (a fix can make another one possible), then written back
//! atomically. Files with syntax errors, and files changed on disk since bplint
//! read them, are never touched.

use crate::diagnostic::{Applicability, Edit};
use crate::pipeline::{Outcome, Request, run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Passes before giving up on fixes that keep producing new fixes.
const MAX_PASSES: usize = 10;

/// A file's text before and after fixing.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
}

pub struct FixRun {
    /// The check of the fixed texts.
    pub outcome: Outcome,
    pub changes: Vec<Change>,
    /// Fixes applied, over all passes.
    pub applied: usize,
    /// What each pass did to each file, in order: the evidence that a fix stays
    /// within its edits (tests/fix_safety.rs checks it against PyYAML).
    pub steps: Vec<Step>,
}

/// One pass over one file: its text before, the edits applied, the text after.
#[derive(Debug, Clone)]
pub struct Step {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    /// The applied edits, sorted, on `before`'s byte offsets.
    pub edits: Vec<Edit>,
}

/// Apply every allowed fix in memory (through the request's overlay) and re-check
/// until nothing is left to fix.
pub fn fix(request: &mut Request, unsafe_fixes: bool) -> FixRun {
    let mut originals: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut applied = 0;
    let mut steps = Vec::new();
    let mut outcome = run(request);
    for _ in 0..MAX_PASSES {
        let mut fixes: BTreeMap<usize, Vec<Vec<Edit>>> = BTreeMap::new();
        let broken: Vec<usize> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.code == crate::rules::yaml_syntax::META.code)
            .map(|d| d.file)
            .collect();
        for d in &outcome.diagnostics {
            let Some(fix) = &d.fix else { continue };
            if broken.contains(&d.file)
                || (fix.applicability == Applicability::Unsafe && !unsafe_fixes)
            {
                continue;
            }
            fixes.entry(d.file).or_default().push(fix.edits.clone());
        }
        let mut progressed = false;
        for (file, file_fixes) in fixes {
            let Some(source) = outcome.source(file) else {
                continue;
            };
            let path = outcome.files[file].path.clone();
            let done = apply(&source.text, file_fixes);
            if done.fixes == 0 || done.text == *source.text {
                continue;
            }
            originals
                .entry(path.clone())
                .or_insert_with(|| source.text.to_string());
            steps.push(Step {
                path: path.clone(),
                before: source.text.to_string(),
                after: done.text.clone(),
                edits: done.edits,
            });
            request.overlay.insert(path, done.text);
            applied += done.fixes;
            progressed = true;
        }
        if !progressed {
            break;
        }
        outcome = run(request);
    }
    let changes = originals
        .into_iter()
        .filter_map(|(path, before)| {
            let after = request.overlay.get(&path)?.clone();
            (after != before).then_some(Change {
                path,
                before,
                after,
            })
        })
        .collect();
    FixRun {
        outcome,
        changes,
        applied,
        steps,
    }
}

/// The result of applying one pass of fixes to a text.
pub struct Applied {
    pub text: String,
    /// The edits applied, sorted by position.
    pub edits: Vec<Edit>,
    /// How many fixes applied.
    pub fixes: usize,
}

/// Apply whole fixes (each a list of edits) in order of position: a fix applies
/// with all its edits or not at all, so half a fix never reaches the file. A fix
/// with an edit that overlaps one already taken, inserts at the same point as
/// another (whose order would be a guess), or falls outside the text waits for
/// the next pass, which recomputes it. A fix repeating edits already taken (two
/// findings proposing the same change) counts once.
pub fn apply(text: &str, mut fixes: Vec<Vec<Edit>>) -> Applied {
    fixes.sort_by_key(|f| f.iter().map(|e| (e.span.start, e.span.end)).min());
    let mut taken: Vec<Edit> = Vec::new();
    let mut count = 0;
    for fix in fixes {
        if fix.is_empty() || fix.iter().all(|e| taken.contains(e)) {
            continue;
        }
        let fits = fix.iter().enumerate().all(|(i, edit)| {
            let (start, end) = (edit.span.start, edit.span.end);
            end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end)
                && taken
                    .iter()
                    .chain(&fix[..i])
                    .all(|other| !clash(edit, other))
        });
        if fits {
            taken.extend(fix);
            count += 1;
        }
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for edit in &taken {
        out.push_str(&text[cursor..edit.span.start]);
        out.push_str(&edit.replacement);
        cursor = edit.span.end;
    }
    out.push_str(&text[cursor..]);
    Applied {
        text: out,
        edits: taken,
        fixes: count,
    }
}

/// Whether two edits cannot both apply: their ranges overlap, one inserts
/// strictly inside the other's range, or both insert at one point. An insertion
/// at either end of a replaced range is fine (it goes before or after it).
fn clash(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.span, b.span);
    match (a.is_empty(), b.is_empty()) {
        (true, true) => a.start == b.start,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// Write fixed files back. Each file is re-read first and skipped (with a message)
/// if it changed since bplint read it; the write goes to a temporary file in the
/// same folder, keeps the permissions, and is renamed over the original.
pub fn write(changes: &[Change]) -> Vec<String> {
    let mut problems = Vec::new();
    for change in changes {
        let shown = crate::source::display_path(&change.path);
        match std::fs::read_to_string(&change.path) {
            Ok(now) if now == change.before => {}
            Ok(_) => {
                problems.push(format!(
                    "{shown}: changed on disk while bplint ran; not fixed"
                ));
                continue;
            }
            Err(e) => {
                problems.push(format!(
                    "{shown}: cannot read before writing: {}",
                    crate::discover::describe_io(&e)
                ));
                continue;
            }
        }
        if let Err(e) = write_atomically(&change.path, &change.after) {
            problems.push(format!(
                "{shown}: cannot write the fix: {}",
                crate::discover::describe_io(&e)
            ));
        }
    }
    problems
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path)?.permissions();
    let mut file = tempfile::Builder::new()
        .prefix(".bplint-fix-")
        .tempfile_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    std::fs::set_permissions(file.path(), permissions)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A unified diff of one change, as `--diff` prints it.
pub fn unified_diff(change: &Change) -> String {
    let name = crate::source::display_path(&change.path);
    // `a/` + `/abs/path` would read `a//abs/path`; git's prefixes go before a
    // path without its root, so `patch -p1` applies every diff the same way.
    let name = name.trim_start_matches('/');
    similar::TextDiff::from_lines(&change.before, &change.after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            span: Span::new(start, end),
            replacement: text.to_string(),
        }
    }

    fn applied(text: &str, fixes: Vec<Vec<Edit>>) -> (String, usize) {
        let done = apply(text, fixes);
        (done.text, done.fixes)
    }

    #[test]
    fn overlapping_edits_wait_for_the_next_pass() {
        let (out, n) = applied(
            "abcdef",
            vec![
                vec![edit(1, 3, "X")],
                vec![edit(2, 4, "Y")],
                vec![edit(5, 5, "!")],
            ],
        );
        assert_eq!((out.as_str(), n), ("aXde!f", 2));
    }

    #[test]
    fn two_insertions_at_one_point_are_not_both_applied() {
        let (out, n) = applied("ab", vec![vec![edit(1, 1, "X")], vec![edit(1, 1, "Y")]]);
        assert_eq!((out.as_str(), n), ("aXb", 1));
    }

    #[test]
    fn edits_outside_the_text_are_ignored() {
        let (out, n) = applied("ab", vec![vec![edit(1, 9, "X")]]);
        assert_eq!((out.as_str(), n), ("ab", 0));
    }

    #[test]
    fn a_fix_applies_whole_or_not_at_all() {
        // The second fix's last edit overlaps the first fix: none of it applies,
        // not even its edit at the end.
        let (out, n) = applied(
            "abcdef",
            vec![
                vec![edit(1, 3, "X")],
                vec![edit(6, 6, "!"), edit(2, 3, "Y")],
            ],
        );
        assert_eq!((out.as_str(), n), ("aXdef", 1));
    }

    #[test]
    fn an_insertion_inside_a_replaced_range_waits() {
        let (out, n) = applied("abcd", vec![vec![edit(1, 3, "X")], vec![edit(2, 2, "Y")]]);
        assert_eq!((out.as_str(), n), ("aXd", 1));
        let (out, n) = applied("abcd", vec![vec![edit(1, 3, "X")], vec![edit(3, 3, "Y")]]);
        assert_eq!((out.as_str(), n), ("aXYd", 2));
    }

    #[test]
    fn the_same_change_proposed_twice_counts_once() {
        let (out, n) = applied("ab", vec![vec![edit(1, 1, "X")], vec![edit(1, 1, "X")]]);
        assert_eq!((out.as_str(), n), ("aXb", 1));
    }
}
