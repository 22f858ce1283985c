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
}

/// Apply every allowed fix in memory (through the request's overlay) and re-check
/// until nothing is left to fix.
pub fn fix(request: &mut Request, unsafe_fixes: bool) -> FixRun {
    let mut originals: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut applied = 0;
    let mut outcome = run(request);
    for _ in 0..MAX_PASSES {
        let mut edits: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
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
            edits
                .entry(d.file)
                .or_default()
                .extend(fix.edits.iter().cloned());
        }
        let mut progressed = false;
        for (file, file_edits) in edits {
            let Some(source) = outcome.source(file) else {
                continue;
            };
            let path = outcome.files[file].path.clone();
            let (after, count) = apply(&source.text, file_edits);
            if count == 0 || after == *source.text {
                continue;
            }
            originals
                .entry(path.clone())
                .or_insert_with(|| source.text.to_string());
            request.overlay.insert(path, after);
            applied += count;
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
    }
}

/// Apply edits that do not overlap, in order; returns the text and how many
/// applied. Overlapping ones, and a second insertion at the same point (whose
/// order would be a guess), wait for the next pass, which recomputes them.
pub fn apply(text: &str, mut edits: Vec<Edit>) -> (String, usize) {
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    edits.dedup();
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    let mut count = 0;
    let mut last_insertion = None;
    for edit in edits {
        let (start, end) = (edit.span.start, edit.span.end);
        if start < cursor
            || (edit.span.is_empty() && last_insertion == Some(start))
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&text[cursor..start]);
        out.push_str(&edit.replacement);
        cursor = end;
        count += 1;
        last_insertion = edit.span.is_empty().then_some(start);
    }
    out.push_str(&text[cursor..]);
    (out, count)
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

    #[test]
    fn overlapping_edits_wait_for_the_next_pass() {
        let (out, n) = apply(
            "abcdef",
            vec![edit(1, 3, "X"), edit(2, 4, "Y"), edit(5, 5, "!")],
        );
        assert_eq!((out.as_str(), n), ("aXde!f", 2));
    }

    #[test]
    fn two_insertions_at_one_point_are_not_both_applied() {
        let (out, n) = apply("ab", vec![edit(1, 1, "X"), edit(1, 1, "Y")]);
        assert_eq!((out.as_str(), n), ("aXb", 1));
    }

    #[test]
    fn edits_outside_the_text_are_ignored() {
        let (out, n) = apply("ab", vec![edit(1, 9, "X")]);
        assert_eq!((out.as_str(), n), ("ab", 0));
    }
}
